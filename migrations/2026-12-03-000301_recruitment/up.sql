-- Foster-home recruitment within the child's family and network: the caseworker's referral to the
-- foster care service, each step of the flow with its date and who did it, the family's plan of
-- candidate homes ranked 1, 2, 3 … (each one or two persons of the map), each candidate's answer
-- through their own link, and their self-information form (a draft, then submitted versions).
--
-- Like every tenant table: tenant_id leads each key, foreign keys include it, row-level security
-- is enabled and forced, and the server gets only the privileges it uses. The code lists in the
-- CHECK constraints are the ones in src/recruitment/domain.rs.

-- Staff of the foster care service see the recruitments of the cases assigned to them, nothing
-- else of a case.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
  CHECK (role IN ('tenant_admin', 'leader', 'caseworker', 'coordinator', 'foster_care'));
ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check
  CHECK (role IN ('tenant_admin', 'leader', 'caseworker', 'coordinator', 'foster_care'));

-- A self-information form not submitted is reminded after this many days, at most this often.
ALTER TABLE tenants
  ADD COLUMN self_information_reminder_days integer NOT NULL DEFAULT 7 CHECK (self_information_reminder_days BETWEEN 1 AND 60),
  ADD COLUMN self_information_reminder_max  integer NOT NULL DEFAULT 2 CHECK (self_information_reminder_max BETWEEN 0 AND 10);
GRANT UPDATE (self_information_reminder_days, self_information_reminder_max) ON tenants TO tillit_app;

-- A candidate's link is audited as the candidate.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_kind_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_actor_kind_check
  CHECK (actor_kind IN ('user', 'api_key', 'operator', 'system', 'invitee', 'anonymous', 'child_link', 'candidate'));

CREATE TABLE recruitments (
  tenant_id    uuid NOT NULL,
  id           uuid NOT NULL,
  case_id      uuid NOT NULL,
  reason       text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 2000),
  urgency      text NOT NULL CHECK (urgency IN ('ordinary', 'urgent', 'acute')),
  fgc_wished   boolean NOT NULL,
  service      text NOT NULL CHECK (service IN ('municipal', 'state')),
  -- The last step of the flow done.
  state        text NOT NULL DEFAULT 'referral' CHECK (state IN (
                 'referral', 'started', 'info_meeting', 'fgc_meeting', 'clarification_meeting',
                 'family_plan', 'intake')),
  -- The family group conference the family made its plan in.
  council_id   uuid,
  created_by   uuid NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, case_id, id),
  FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
  FOREIGN KEY (tenant_id, case_id, council_id) REFERENCES councils (tenant_id, case_id, id),
  FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX recruitments_case ON recruitments (tenant_id, case_id);

-- A candidate home of the family's plan, by rank. Its link (`/r/{token}`) is derived from its id;
-- only the token's SHA-256 is kept.
CREATE TABLE recruitment_candidates (
  tenant_id       uuid NOT NULL,
  id              uuid NOT NULL,
  recruitment_id  uuid NOT NULL,
  case_id         uuid NOT NULL,
  rank            integer NOT NULL CHECK (rank BETWEEN 1 AND 50),
  token_hash      bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  answer          text CHECK (answer IS NULL OR answer IN ('yes', 'no', 'maybe')),
  answered_at     timestamptz,
  decision        text CHECK (decision IS NULL OR decision IN ('yes', 'no')),
  decision_reason text CHECK (decision_reason IS NULL OR length(btrim(decision_reason)) BETWEEN 1 AND 2000),
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, recruitment_id, id),
  UNIQUE (tenant_id, recruitment_id, rank),
  FOREIGN KEY (tenant_id, case_id, recruitment_id) REFERENCES recruitments (tenant_id, case_id, id),
  CHECK ((answer IS NULL) = (answered_at IS NULL)),
  CHECK ((decision IS NULL) = (decision_reason IS NULL))
);

-- The one or two persons of the map a candidate home is; a person is ranked once.
CREATE TABLE recruitment_candidate_persons (
  tenant_id       uuid NOT NULL,
  candidate_id    uuid NOT NULL,
  recruitment_id  uuid NOT NULL,
  case_id         uuid NOT NULL,
  person_id       uuid NOT NULL,
  PRIMARY KEY (tenant_id, candidate_id, person_id),
  UNIQUE (tenant_id, recruitment_id, person_id),
  FOREIGN KEY (tenant_id, recruitment_id, candidate_id) REFERENCES recruitment_candidates (tenant_id, recruitment_id, id),
  FOREIGN KEY (tenant_id, case_id, person_id) REFERENCES network_persons (tenant_id, case_id, id)
);

-- Each step done: its date and who did it (a staff member, or the candidate through the link).
CREATE TABLE recruitment_steps (
  tenant_id       uuid NOT NULL,
  id              uuid NOT NULL,
  recruitment_id  uuid NOT NULL,
  step            text NOT NULL CHECK (step IN (
                    'referral', 'started', 'info_meeting', 'fgc_meeting', 'clarification_meeting',
                    'family_plan', 'answer', 'self_information', 'interviews', 'matching',
                    'decision', 'intake')),
  candidate_id    uuid,
  done_on         date NOT NULL,
  done_by         uuid,
  note            text CHECK (note IS NULL OR length(btrim(note)) BETWEEN 1 AND 4000),
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, recruitment_id) REFERENCES recruitments (tenant_id, id),
  FOREIGN KEY (tenant_id, recruitment_id, candidate_id) REFERENCES recruitment_candidates (tenant_id, recruitment_id, id),
  FOREIGN KEY (tenant_id, done_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX recruitment_steps_recruitment ON recruitment_steps (tenant_id, recruitment_id);

-- A candidate's self-information form: the draft each POST saves, the count of reminders sent,
-- and when it was submitted (read-only from then on).
CREATE TABLE recruitment_forms (
  tenant_id       uuid NOT NULL,
  candidate_id    uuid NOT NULL,
  recruitment_id  uuid NOT NULL,
  content         jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(content) = 'object'),
  sent_at         timestamptz NOT NULL DEFAULT now(),
  reminders_sent  integer NOT NULL DEFAULT 0 CHECK (reminders_sent >= 0),
  submitted_at    timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, candidate_id),
  FOREIGN KEY (tenant_id, recruitment_id, candidate_id) REFERENCES recruitment_candidates (tenant_id, recruitment_id, id)
);

-- Each submitted form, kept as it was.
CREATE TABLE recruitment_form_versions (
  tenant_id     uuid NOT NULL,
  candidate_id  uuid NOT NULL,
  version       integer NOT NULL CHECK (version >= 1),
  content       jsonb NOT NULL CHECK (jsonb_typeof(content) = 'object'),
  submitted_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, candidate_id, version),
  FOREIGN KEY (tenant_id, candidate_id) REFERENCES recruitment_forms (tenant_id, candidate_id)
);

ALTER TABLE recruitments                  ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE recruitment_candidates        ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE recruitment_candidate_persons ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE recruitment_steps             ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE recruitment_forms             ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE recruitment_form_versions     ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON recruitments
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON recruitment_candidates
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON recruitment_candidate_persons
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON recruitment_steps
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON recruitment_forms
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON recruitment_form_versions
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());

GRANT SELECT, INSERT ON recruitments TO tillit_app;
GRANT UPDATE (state, council_id, updated_at) ON recruitments TO tillit_app;
GRANT SELECT, INSERT ON recruitment_candidates TO tillit_app;
GRANT UPDATE (answer, answered_at, decision, decision_reason) ON recruitment_candidates TO tillit_app;
GRANT SELECT, INSERT ON recruitment_candidate_persons TO tillit_app;
GRANT SELECT, INSERT ON recruitment_steps TO tillit_app;
GRANT SELECT, INSERT ON recruitment_forms TO tillit_app;
GRANT UPDATE (content, reminders_sent, submitted_at, updated_at) ON recruitment_forms TO tillit_app;
GRANT SELECT, INSERT ON recruitment_form_versions TO tillit_app;

-- The one cross-tenant lookup learns the candidate's link.
GRANT SELECT ON recruitment_candidates TO tillit_platform;
CREATE OR REPLACE FUNCTION platform_link_lookup(p_kind text, p_token_hash bytea)
  RETURNS TABLE (tenant_id uuid, row_id uuid)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  CASE p_kind
    WHEN 'account' THEN
      RETURN QUERY SELECT t.tenant_id, t.id FROM public.account_tokens t
                    WHERE t.token_hash = p_token_hash;
    WHEN 'invitation' THEN
      RETURN QUERY SELECT i.tenant_id, i.id FROM public.council_invitations i
                    WHERE i.token_hash = p_token_hash;
    WHEN 'child_link' THEN
      RETURN QUERY SELECT l.tenant_id, l.id FROM public.plan_child_links l
                    WHERE l.token_hash = p_token_hash;
    WHEN 'recruitment_candidate' THEN
      RETURN QUERY SELECT c.tenant_id, c.id FROM public.recruitment_candidates c
                    WHERE c.token_hash = p_token_hash;
    ELSE
      RAISE EXCEPTION 'unknown link kind %', p_kind USING ERRCODE = 'invalid_parameter_value';
  END CASE;
END
$$;
