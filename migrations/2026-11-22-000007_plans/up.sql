-- Action plans and evaluations: a plan per council, its goals in the child's words, the
-- commitments the network makes (who, what, by when, once or recurring), the follow-up owner,
-- the approval records, the evaluation plan, the follow-ups the evaluation-due job opens, the
-- structured evaluation records, and the child's own read-only links.
--
-- Like every tenant table: tenant_id leads each key, foreign keys include it, row-level security
-- is enabled and forced, and the server gets only the privileges it uses. The code lists in the
-- CHECK constraints are the ones in src/plans/domain.rs.

-- The service's evaluation-date rule (by default within 6 months when the child is under 7,
-- otherwise within 12), how many days before a due date a commitment's reminder goes out, and how
-- many days after a follow-up meeting an undocumented evaluation is chased.
ALTER TABLE tenants
  ADD COLUMN evaluation_age_years       integer NOT NULL DEFAULT 7  CHECK (evaluation_age_years BETWEEN 1 AND 18),
  ADD COLUMN evaluation_months_younger  integer NOT NULL DEFAULT 6  CHECK (evaluation_months_younger BETWEEN 1 AND 36),
  ADD COLUMN evaluation_months_older    integer NOT NULL DEFAULT 12 CHECK (evaluation_months_older BETWEEN 1 AND 36),
  ADD COLUMN commitment_notice_days     integer NOT NULL DEFAULT 3  CHECK (commitment_notice_days BETWEEN 0 AND 60),
  ADD COLUMN evaluation_undocumented_days integer NOT NULL DEFAULT 14 CHECK (evaluation_undocumented_days BETWEEN 1 AND 120);
GRANT UPDATE (evaluation_age_years, evaluation_months_younger, evaluation_months_older,
              commitment_notice_days, evaluation_undocumented_days) ON tenants TO tillit_app;

-- A child's link is audited as itself.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_kind_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_actor_kind_check
  CHECK (actor_kind IN ('user', 'api_key', 'operator', 'system', 'invitee', 'anonymous', 'child_link'));

-- A participant confirms and reports on their commitments through their invitation link, which
-- therefore lives as long as the plan needs it.
GRANT UPDATE (expires_at) ON council_invitations TO tillit_app;

-- One plan per council. `version` counts the changes to its content; each is kept in
-- plan_versions. The evaluation plan (date and way) is decided at approval.
CREATE TABLE plans (
  tenant_id             uuid NOT NULL,
  id                    uuid NOT NULL,
  council_id            uuid NOT NULL,
  case_id               uuid NOT NULL,
  status                text NOT NULL DEFAULT 'draft'
                        CHECK (status IN ('draft', 'awaiting_approval', 'approved', 'closed')),
  version               integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  -- Who follows up that the plan is followed: someone on the team or a staff member.
  follow_up_participant_id uuid,
  follow_up_user_id     uuid,
  submitted_at          timestamptz,
  approved_at           timestamptz,
  approved_version      integer,
  evaluation_on         date,
  evaluation_way        text CHECK (evaluation_way IS NULL OR evaluation_way IN ('new_council', 'follow_up_meeting', 'caseworker_review')),
  evaluation_defined_at timestamptz,
  closed_at             timestamptz,
  closed_reason         text CHECK (closed_reason IS NULL OR length(btrim(closed_reason)) BETWEEN 1 AND 2000),
  created_by            uuid NOT NULL,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, council_id),
  UNIQUE (tenant_id, council_id, id),
  FOREIGN KEY (tenant_id, case_id, council_id) REFERENCES councils (tenant_id, case_id, id),
  FOREIGN KEY (tenant_id, council_id, follow_up_participant_id) REFERENCES council_participants (tenant_id, council_id, id),
  FOREIGN KEY (tenant_id, follow_up_user_id) REFERENCES users (tenant_id, id),
  FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id),
  CHECK (follow_up_participant_id IS NULL OR follow_up_user_id IS NULL),
  CHECK ((evaluation_on IS NULL) = (evaluation_way IS NULL)),
  CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);

-- The plan's content after each change, for its history.
CREATE TABLE plan_versions (
  tenant_id   uuid NOT NULL,
  plan_id     uuid NOT NULL,
  version     integer NOT NULL CHECK (version >= 1),
  change      text NOT NULL CHECK (length(change) BETWEEN 1 AND 60),
  content     jsonb NOT NULL CHECK (jsonb_typeof(content) = 'object'),
  changed_by  uuid,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, plan_id, version),
  FOREIGN KEY (tenant_id, plan_id) REFERENCES plans (tenant_id, id),
  FOREIGN KEY (tenant_id, changed_by) REFERENCES users (tenant_id, id)
);

-- A goal, in the child's words where possible, with who wrote it.
CREATE TABLE plan_goals (
  tenant_id   uuid NOT NULL,
  id          uuid NOT NULL,
  plan_id     uuid NOT NULL,
  position    smallint NOT NULL CHECK (position BETWEEN 1 AND 50),
  text        text NOT NULL CHECK (length(btrim(text)) BETWEEN 1 AND 2000),
  author      text NOT NULL CHECK (author IN ('child', 'coordinator_with_child', 'parent_helping', 'family', 'network', 'caseworker')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  removed_at  timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, plan_id, id),
  FOREIGN KEY (tenant_id, plan_id) REFERENCES plans (tenant_id, id)
);
CREATE INDEX plan_goals_plan ON plan_goals (tenant_id, plan_id);

-- Who does what by when. The participant's key includes the plan's council, so a commitment can
-- never name someone outside the council; a staff member instead is a user of the service.
CREATE TABLE plan_commitments (
  tenant_id       uuid NOT NULL,
  id              uuid NOT NULL,
  plan_id         uuid NOT NULL,
  council_id      uuid NOT NULL,
  participant_id  uuid,
  user_id         uuid,
  text            text NOT NULL CHECK (length(btrim(text)) BETWEEN 1 AND 2000),
  due_on          date NOT NULL,
  -- Recurring every so many days until the evaluation; NULL: once.
  every_days      integer CHECK (every_days IS NULL OR every_days BETWEEN 1 AND 365),
  -- The coordinator confirmed a due date after the evaluation date.
  beyond_evaluation boolean NOT NULL DEFAULT false,
  status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'confirmed', 'done')),
  confirmed_at    timestamptz,
  done_at         timestamptz,
  done_comment    text CHECK (done_comment IS NULL OR length(btrim(done_comment)) BETWEEN 1 AND 2000),
  times_done      integer NOT NULL DEFAULT 0 CHECK (times_done >= 0),
  created_at      timestamptz NOT NULL DEFAULT now(),
  removed_at      timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, council_id, plan_id) REFERENCES plans (tenant_id, council_id, id),
  FOREIGN KEY (tenant_id, council_id, participant_id) REFERENCES council_participants (tenant_id, council_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
  CHECK ((participant_id IS NULL) <> (user_id IS NULL)),
  CHECK ((status = 'open') = (confirmed_at IS NULL))
);
CREATE INDEX plan_commitments_plan ON plan_commitments (tenant_id, plan_id);
CREATE INDEX plan_commitments_participant ON plan_commitments (tenant_id, participant_id) WHERE participant_id IS NOT NULL;

-- Approval records. A network council's plan: each participant with commitments confirms
-- (participant_confirmed), or the coordinator closes approval with a reason (coordinator_closed).
-- A family group conference's plan: the caseworker approves it, recording that the child's safety
-- is ensured (caseworker_approved), or returns it with a reason (caseworker_returned).
CREATE TABLE plan_approvals (
  tenant_id       uuid NOT NULL,
  id              uuid NOT NULL,
  plan_id         uuid NOT NULL,
  council_id      uuid NOT NULL,
  version         integer NOT NULL CHECK (version >= 1),
  kind            text NOT NULL CHECK (kind IN ('participant_confirmed', 'coordinator_closed', 'caseworker_approved', 'caseworker_returned')),
  participant_id  uuid,
  user_id         uuid,
  reason          text CHECK (reason IS NULL OR length(btrim(reason)) BETWEEN 1 AND 2000),
  safety_ensured  boolean,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, council_id, plan_id) REFERENCES plans (tenant_id, council_id, id),
  FOREIGN KEY (tenant_id, council_id, participant_id) REFERENCES council_participants (tenant_id, council_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
  CHECK ((kind = 'participant_confirmed') = (participant_id IS NOT NULL)),
  CHECK (kind <> 'caseworker_approved' OR safety_ensured),
  CHECK (kind NOT IN ('coordinator_closed', 'caseworker_returned') OR reason IS NOT NULL)
);
-- Approving twice is refused by the code; the database refuses it too.
CREATE UNIQUE INDEX plan_approvals_once ON plan_approvals (tenant_id, plan_id, version, participant_id)
  WHERE kind = 'participant_confirmed';
CREATE UNIQUE INDEX plan_approvals_decision ON plan_approvals (tenant_id, plan_id, version)
  WHERE kind IN ('coordinator_closed', 'caseworker_approved');

-- What the evaluation-due job opened: a new council of the same kind, a follow-up meeting, or a
-- review by the caseworker; held when it took place, documented when its evaluation is recorded.
CREATE TABLE plan_follow_ups (
  tenant_id       uuid NOT NULL,
  id              uuid NOT NULL,
  plan_id         uuid NOT NULL,
  case_id         uuid NOT NULL,
  way             text NOT NULL CHECK (way IN ('new_council', 'follow_up_meeting', 'caseworker_review')),
  due_on          date NOT NULL,
  new_council_id  uuid,
  held_on         date,
  documented_at   timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, plan_id, id),
  FOREIGN KEY (tenant_id, plan_id) REFERENCES plans (tenant_id, id),
  FOREIGN KEY (tenant_id, case_id, new_council_id) REFERENCES councils (tenant_id, case_id, id),
  CHECK ((way = 'new_council') = (new_council_id IS NOT NULL))
);
CREATE UNIQUE INDEX plan_follow_ups_due ON plan_follow_ups (tenant_id, plan_id, due_on);

-- An evaluation, structured: when, who took part, each goal's result, the child's and the
-- parents' views, the decision and the next evaluation date.
CREATE TABLE plan_evaluations (
  tenant_id        uuid NOT NULL,
  id               uuid NOT NULL,
  plan_id          uuid NOT NULL,
  follow_up_id     uuid,
  held_on          date NOT NULL,
  took_part        text NOT NULL CHECK (length(btrim(took_part)) BETWEEN 1 AND 2000),
  child_view       text NOT NULL CHECK (length(btrim(child_view)) BETWEEN 1 AND 4000),
  parents_view     text NOT NULL CHECK (length(btrim(parents_view)) BETWEEN 1 AND 4000),
  decision         text NOT NULL CHECK (decision IN ('continue', 'adjust', 'end', 'new_measure')),
  next_evaluation_on date,
  recorded_by      uuid NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, plan_id, id),
  FOREIGN KEY (tenant_id, plan_id) REFERENCES plans (tenant_id, id),
  FOREIGN KEY (tenant_id, plan_id, follow_up_id) REFERENCES plan_follow_ups (tenant_id, plan_id, id),
  FOREIGN KEY (tenant_id, recorded_by) REFERENCES users (tenant_id, id),
  CHECK (decision = 'end' OR next_evaluation_on IS NOT NULL)
);

CREATE TABLE plan_evaluation_goals (
  tenant_id      uuid NOT NULL,
  evaluation_id  uuid NOT NULL,
  plan_id        uuid NOT NULL,
  goal_id        uuid NOT NULL,
  result         text NOT NULL CHECK (result IN ('met', 'partly', 'not_met')),
  note           text CHECK (note IS NULL OR length(btrim(note)) BETWEEN 1 AND 2000),
  PRIMARY KEY (tenant_id, evaluation_id, goal_id),
  FOREIGN KEY (tenant_id, plan_id, evaluation_id) REFERENCES plan_evaluations (tenant_id, plan_id, id),
  FOREIGN KEY (tenant_id, plan_id, goal_id) REFERENCES plan_goals (tenant_id, plan_id, id)
);

-- The child's own link to "my team" and "my plan". The id is random (v4): the token is derived
-- from it with the server's key, and only the token's SHA-256 is kept.
CREATE TABLE plan_child_links (
  tenant_id    uuid NOT NULL,
  id           uuid NOT NULL,
  plan_id      uuid NOT NULL,
  token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz,
  created_by   uuid NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, plan_id) REFERENCES plans (tenant_id, id),
  FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);

ALTER TABLE plans                 ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE plan_versions         ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE plan_goals            ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE plan_commitments      ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE plan_approvals        ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE plan_follow_ups       ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE plan_evaluations      ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE plan_evaluation_goals ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE plan_child_links      ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON plans
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON plan_versions
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON plan_goals
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON plan_commitments
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON plan_approvals
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON plan_follow_ups
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON plan_evaluations
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON plan_evaluation_goals
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON plan_child_links
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());

-- Only what the server does: nothing is deleted; goals and commitments are ended by a timestamp,
-- versions, approvals and evaluations are written once.
GRANT SELECT, INSERT ON plans TO tillit_app;
GRANT UPDATE (status, version, follow_up_participant_id, follow_up_user_id, submitted_at, approved_at,
              approved_version, evaluation_on, evaluation_way, evaluation_defined_at, closed_at,
              closed_reason, updated_at) ON plans TO tillit_app;
GRANT SELECT, INSERT ON plan_versions TO tillit_app;
GRANT SELECT, INSERT ON plan_goals TO tillit_app;
GRANT UPDATE (removed_at) ON plan_goals TO tillit_app;
GRANT SELECT, INSERT ON plan_commitments TO tillit_app;
GRANT UPDATE (status, confirmed_at, done_at, done_comment, times_done, due_on, beyond_evaluation,
              removed_at) ON plan_commitments TO tillit_app;
GRANT SELECT, INSERT ON plan_approvals TO tillit_app;
GRANT SELECT, INSERT ON plan_follow_ups TO tillit_app;
GRANT UPDATE (held_on, documented_at) ON plan_follow_ups TO tillit_app;
GRANT SELECT, INSERT ON plan_evaluations TO tillit_app;
GRANT SELECT, INSERT ON plan_evaluation_goals TO tillit_app;
GRANT SELECT, INSERT ON plan_child_links TO tillit_app;
GRANT UPDATE (revoked_at) ON plan_child_links TO tillit_app;

-- Which service and link a child's token belongs to: the one question the child's page asks
-- before it knows its tenant. Expiry and revocation are judged inside the tenant.
GRANT SELECT ON plan_child_links TO tillit_platform;
CREATE FUNCTION platform_child_link_lookup(p_token_hash bytea)
  RETURNS TABLE (tenant_id uuid, link_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$ SELECT l.tenant_id, l.id FROM public.plan_child_links l WHERE l.token_hash = p_token_hash $$;
REVOKE ALL ON FUNCTION platform_child_link_lookup(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION platform_child_link_lookup(bytea) TO tillit_app;

GRANT CREATE ON SCHEMA public TO tillit_platform;
ALTER FUNCTION platform_child_link_lookup(bytea) OWNER TO tillit_platform;
REVOKE CREATE ON SCHEMA public FROM tillit_platform;
