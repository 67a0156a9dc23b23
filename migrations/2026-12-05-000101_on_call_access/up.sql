-- On-call access to a case's acute list. The night-time on-call service (barnevernvakt) — staff
-- with the on_call role, or any caseworker who states a reason — opens one case's acute list for
-- 12 hours without being assigned to the case. Each opening is kept: who, in which role, when,
-- why (and the on-call log's reference of the call, if given), until when. Openings are never
-- changed or removed by the server: the server's role may only insert and read them.
--
-- The acute list also says when each person can be reached and who can take the child in at
-- short notice, and the case has a note on where the child can go.

ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
  CHECK (role IN ('tenant_admin', 'leader', 'caseworker', 'coordinator', 'foster_care', 'on_call'));
ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check
  CHECK (role IN ('tenant_admin', 'leader', 'caseworker', 'coordinator', 'foster_care', 'on_call'));

ALTER TABLE network_persons
  ADD COLUMN reachable_when text CHECK (reachable_when IS NULL OR length(btrim(reachable_when)) BETWEEN 1 AND 300),
  ADD COLUMN can_take_child boolean NOT NULL DEFAULT false;
GRANT UPDATE (reachable_when, can_take_child) ON network_persons TO tillit_app;

ALTER TABLE cases
  ADD COLUMN where_child_can_go text CHECK (where_child_can_go IS NULL OR length(btrim(where_child_can_go)) BETWEEN 1 AND 1000);
GRANT UPDATE (where_child_can_go) ON cases TO tillit_app;

CREATE TABLE acute_openings (
  tenant_id      uuid NOT NULL,
  id             uuid NOT NULL,
  case_id        uuid NOT NULL,
  user_id        uuid NOT NULL,
  -- The opener's role when they opened it (on_call or caseworker).
  role           text NOT NULL CHECK (role IN ('on_call', 'caseworker')),
  reason         text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 1000),
  call_reference text CHECK (call_reference IS NULL OR length(btrim(call_reference)) BETWEEN 1 AND 100),
  opened_at      timestamptz NOT NULL,
  expires_at     timestamptz NOT NULL,
  CHECK (expires_at > opened_at AND expires_at <= opened_at + interval '12 hours'),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX acute_openings_case ON acute_openings (tenant_id, case_id, opened_at DESC);
CREATE INDEX acute_openings_newest ON acute_openings (tenant_id, opened_at DESC);
CREATE INDEX acute_openings_opener ON acute_openings (tenant_id, user_id, expires_at);

ALTER TABLE acute_openings ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON acute_openings
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT ON acute_openings TO tillit_app;
