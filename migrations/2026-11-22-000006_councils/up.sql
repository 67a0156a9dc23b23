-- Councils and invitations: a council process belongs to a case (network council, family group
-- conference, network meeting series, responsibility group), carries the child's own description
-- and questions, the team the child chose, objections, consents, confidentiality waivers,
-- preparation conversations, meetings, invitation links and the invitees' answers.
--
-- Like every tenant table: tenant_id leads each key, foreign keys include it, row-level security
-- is enabled and forced, and the server gets only the privileges it uses. The code lists in the
-- CHECK constraints are the ones in src/councils/domain.rs.

-- How many days before a meeting the coordinator hears of missing preparation.
ALTER TABLE tenants
  ADD COLUMN preparation_check_days integer NOT NULL DEFAULT 7 CHECK (preparation_check_days BETWEEN 1 AND 60);
GRANT UPDATE (preparation_check_days) ON tenants TO tillit_app;

CREATE TABLE councils (
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  id             uuid NOT NULL,
  case_id        uuid NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('network_council', 'family_group_conference',
                                               'network_meeting_series', 'responsibility_group')),
  -- Only a family group conference can be acute ("akutt familieråd").
  acute          boolean NOT NULL DEFAULT false CHECK (NOT acute OR kind = 'family_group_conference'),
  state          text NOT NULL CHECK (state IN (
                   'initiated', 'description_drafting', 'team_selection', 'preparation',
                   'meeting_held', 'plan_drafting', 'plan_approved', 'evaluation_defined',
                   'follow_up', 'evaluation_due', 'closed',
                   'planning', 'meeting', 'plan_review',
                   'proposed', 'consented', 'preparing', 'held', 'ended')),
  coordinator_id uuid NOT NULL,
  -- When the coordinator confirmed the team the child chose; no meeting before.
  team_chosen_at timestamptz,
  created_by     uuid NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, case_id, id),
  FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
  FOREIGN KEY (tenant_id, coordinator_id) REFERENCES users (tenant_id, id),
  FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX councils_case ON councils (tenant_id, case_id);

-- The child's situation description and questions, verbatim, with who wrote them and when the
-- child confirmed them. `shared` texts are shown to the invitees on their page.
CREATE TABLE council_texts (
  tenant_id           uuid NOT NULL,
  id                  uuid NOT NULL,
  council_id          uuid NOT NULL,
  kind                text NOT NULL CHECK (kind IN ('situation', 'question')),
  position            smallint NOT NULL CHECK (position BETWEEN 0 AND 20),
  text                text NOT NULL CHECK (length(btrim(text)) BETWEEN 1 AND 4000),
  author              text NOT NULL CHECK (author IN ('child', 'coordinator_with_child', 'parent_helping')),
  child_confirmed_at  timestamptz,
  shared              boolean NOT NULL DEFAULT false,
  recorded_by         uuid,
  created_at          timestamptz NOT NULL DEFAULT now(),
  removed_at          timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, council_id, id),
  FOREIGN KEY (tenant_id, council_id) REFERENCES councils (tenant_id, id),
  FOREIGN KEY (tenant_id, recorded_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX council_texts_council ON council_texts (tenant_id, council_id);

-- Who takes part: a person from the child's map, or a staff member. `case_id` lets the person's
-- foreign key require the same case as the council.
CREATE TABLE council_participants (
  tenant_id        uuid NOT NULL,
  id               uuid NOT NULL,
  council_id       uuid NOT NULL,
  case_id          uuid NOT NULL,
  person_id        uuid,
  user_id          uuid,
  chosen_by_child  boolean NOT NULL DEFAULT false,
  meeting_role     text NOT NULL CHECK (meeting_role IN ('participant', 'support_person', 'chair', 'secretary',
                                                         'interpreter', 'meeting_leader')),
  side             text NOT NULL CHECK (side IN ('private', 'public')),
  created_at       timestamptz NOT NULL DEFAULT now(),
  removed_at       timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, council_id, id),
  FOREIGN KEY (tenant_id, case_id, council_id) REFERENCES councils (tenant_id, case_id, id),
  FOREIGN KEY (tenant_id, case_id, person_id) REFERENCES network_persons (tenant_id, case_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
  CHECK ((person_id IS NULL) <> (user_id IS NULL))
);
CREATE UNIQUE INDEX council_participants_person ON council_participants (tenant_id, council_id, person_id)
  WHERE removed_at IS NULL AND person_id IS NOT NULL;
CREATE UNIQUE INDEX council_participants_user ON council_participants (tenant_id, council_id, user_id)
  WHERE removed_at IS NULL AND user_id IS NOT NULL;

-- The child does not want someone invited. The reason is for the coordinator only.
CREATE TABLE council_objections (
  tenant_id    uuid NOT NULL,
  id           uuid NOT NULL,
  council_id   uuid NOT NULL,
  case_id      uuid NOT NULL,
  person_id    uuid NOT NULL,
  reason       text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 2000),
  resolution   text CHECK (resolution IS NULL OR length(btrim(resolution)) BETWEEN 1 AND 2000),
  resolved_at  timestamptz,
  recorded_by  uuid,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, case_id, council_id) REFERENCES councils (tenant_id, case_id, id),
  FOREIGN KEY (tenant_id, case_id, person_id) REFERENCES network_persons (tenant_id, case_id, id),
  FOREIGN KEY (tenant_id, recorded_by) REFERENCES users (tenant_id, id),
  CHECK ((resolution IS NULL) = (resolved_at IS NULL))
);

-- Informed consent: who gave it (a parent, the child from 15, someone else), to what, when they
-- were informed, when they agreed, and whether they withdrew.
CREATE TABLE council_consents (
  tenant_id     uuid NOT NULL,
  id            uuid NOT NULL,
  council_id    uuid NOT NULL,
  given_by      text NOT NULL CHECK (given_by IN ('parent', 'child', 'other')),
  name          text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  scope         text NOT NULL CHECK (length(btrim(scope)) BETWEEN 1 AND 1000),
  informed_at   timestamptz NOT NULL,
  granted_at    timestamptz NOT NULL CHECK (granted_at >= informed_at),
  withdrawn_at  timestamptz CHECK (withdrawn_at IS NULL OR withdrawn_at >= granted_at),
  recorded_by   uuid,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, council_id) REFERENCES councils (tenant_id, id),
  FOREIGN KEY (tenant_id, recorded_by) REFERENCES users (tenant_id, id)
);

-- A public participant's release from confidentiality to speak freely in the meeting; one per
-- participant.
CREATE TABLE council_waivers (
  tenant_id       uuid NOT NULL,
  participant_id  uuid NOT NULL,
  council_id      uuid NOT NULL,
  scope           text NOT NULL CHECK (length(btrim(scope)) BETWEEN 1 AND 1000),
  granted_at      timestamptz NOT NULL,
  withdrawn_at    timestamptz,
  recorded_by     uuid,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, participant_id),
  FOREIGN KEY (tenant_id, council_id, participant_id) REFERENCES council_participants (tenant_id, council_id, id),
  FOREIGN KEY (tenant_id, recorded_by) REFERENCES users (tenant_id, id)
);

-- The coordinator's preparation conversation with a participant.
CREATE TABLE council_preparations (
  tenant_id       uuid NOT NULL,
  id              uuid NOT NULL,
  council_id      uuid NOT NULL,
  participant_id  uuid NOT NULL,
  held_at         timestamptz NOT NULL,
  notes           text CHECK (notes IS NULL OR length(btrim(notes)) BETWEEN 1 AND 4000),
  contribution    text CHECK (contribution IS NULL OR length(btrim(contribution)) BETWEEN 1 AND 2000),
  recorded_by     uuid,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, council_id, participant_id) REFERENCES council_participants (tenant_id, council_id, id),
  FOREIGN KEY (tenant_id, recorded_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX council_preparations_participant ON council_preparations (tenant_id, participant_id);

-- A meeting. Without a start time the invitees are asked when they can; with one they are asked
-- to come. The calendar UID stays with the meeting for ever; SEQUENCE rises with each change.
CREATE TABLE council_meetings (
  tenant_id         uuid NOT NULL,
  id                uuid NOT NULL,
  council_id        uuid NOT NULL,
  starts_at         timestamptz,
  duration_minutes  integer NOT NULL CHECK (duration_minutes BETWEEN 15 AND 720),
  place             text CHECK (place IS NULL OR length(btrim(place)) BETWEEN 1 AND 300),
  video_link        text CHECK (video_link IS NULL OR video_link ~ '^https://'),
  agenda            jsonb NOT NULL CHECK (jsonb_typeof(agenda) = 'array'),
  status            text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
  calendar_uid      uuid NOT NULL,
  sequence          integer NOT NULL DEFAULT 0 CHECK (sequence >= 0),
  -- When invitations first went out: the meeting is confirmed from then on.
  confirmed_at      timestamptz,
  cancelled_at      timestamptz,
  created_by        uuid,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, council_id, id),
  UNIQUE (tenant_id, calendar_uid),
  FOREIGN KEY (tenant_id, council_id) REFERENCES councils (tenant_id, id),
  FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id),
  CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL))
);
CREATE INDEX council_meetings_start ON council_meetings (tenant_id, starts_at) WHERE status = 'scheduled';

-- An invitation link for one participant to one meeting. The id is random (v4): the token is
-- derived from it with the server's key, and only the token's SHA-256 is kept. Re-sending
-- revokes the previous link.
CREATE TABLE council_invitations (
  tenant_id       uuid NOT NULL,
  id              uuid NOT NULL,
  council_id      uuid NOT NULL,
  meeting_id      uuid NOT NULL,
  participant_id  uuid NOT NULL,
  token_hash      bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  expires_at      timestamptz NOT NULL,
  revoked_at      timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, council_id, meeting_id) REFERENCES council_meetings (tenant_id, council_id, id),
  FOREIGN KEY (tenant_id, council_id, participant_id) REFERENCES council_participants (tenant_id, council_id, id)
);
CREATE INDEX council_invitations_participant ON council_invitations (tenant_id, meeting_id, participant_id)
  WHERE revoked_at IS NULL;

-- A participant's answer to a meeting; changeable until the meeting starts.
CREATE TABLE council_answers (
  tenant_id       uuid NOT NULL,
  meeting_id      uuid NOT NULL,
  participant_id  uuid NOT NULL,
  council_id      uuid NOT NULL,
  response        text NOT NULL CHECK (response IN ('accept', 'decline', 'maybe')),
  comment         text CHECK (comment IS NULL OR length(btrim(comment)) BETWEEN 1 AND 2000),
  contribution    text CHECK (contribution IS NULL OR length(btrim(contribution)) BETWEEN 1 AND 2000),
  availability    text CHECK (availability IS NULL OR length(btrim(availability)) BETWEEN 1 AND 1000),
  answered_at     timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, meeting_id, participant_id),
  FOREIGN KEY (tenant_id, council_id, meeting_id) REFERENCES council_meetings (tenant_id, council_id, id),
  FOREIGN KEY (tenant_id, council_id, participant_id) REFERENCES council_participants (tenant_id, council_id, id)
);

ALTER TABLE councils             ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE council_texts        ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE council_participants ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE council_objections   ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE council_consents     ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE council_waivers      ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE council_preparations ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE council_meetings     ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE council_invitations  ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE council_answers      ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON councils
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON council_texts
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON council_participants
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON council_objections
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON council_consents
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON council_waivers
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON council_preparations
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON council_meetings
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON council_invitations
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON council_answers
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());

-- Only what the server does: nothing is deleted; texts, participants and consents are ended by a
-- timestamp, answers are changed in place until the meeting.
GRANT SELECT, INSERT ON councils TO tillit_app;
GRANT UPDATE (state, team_chosen_at, updated_at) ON councils TO tillit_app;
GRANT SELECT, INSERT ON council_texts TO tillit_app;
GRANT UPDATE (child_confirmed_at, shared, removed_at) ON council_texts TO tillit_app;
GRANT SELECT, INSERT ON council_participants TO tillit_app;
GRANT UPDATE (removed_at) ON council_participants TO tillit_app;
GRANT SELECT, INSERT ON council_objections TO tillit_app;
GRANT UPDATE (resolution, resolved_at) ON council_objections TO tillit_app;
GRANT SELECT, INSERT ON council_consents TO tillit_app;
GRANT UPDATE (withdrawn_at) ON council_consents TO tillit_app;
GRANT SELECT, INSERT ON council_waivers TO tillit_app;
GRANT UPDATE (scope, granted_at, withdrawn_at, recorded_by) ON council_waivers TO tillit_app;
GRANT SELECT, INSERT ON council_preparations TO tillit_app;
GRANT SELECT, INSERT ON council_meetings TO tillit_app;
GRANT UPDATE (starts_at, duration_minutes, place, video_link, status, sequence, confirmed_at,
              cancelled_at, updated_at) ON council_meetings TO tillit_app;
GRANT SELECT, INSERT ON council_invitations TO tillit_app;
GRANT UPDATE (revoked_at) ON council_invitations TO tillit_app;
GRANT SELECT, INSERT ON council_answers TO tillit_app;
GRANT UPDATE (response, comment, contribution, availability, updated_at) ON council_answers TO tillit_app;

-- Which service and invitation an invitee's link belongs to: the one question the invitee page
-- asks before it knows its tenant. Expiry and revocation are judged inside the tenant.
GRANT SELECT ON council_invitations TO tillit_platform;
CREATE FUNCTION platform_invitation_lookup(p_token_hash bytea)
  RETURNS TABLE (tenant_id uuid, invitation_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$ SELECT i.tenant_id, i.id FROM public.council_invitations i WHERE i.token_hash = p_token_hash $$;
REVOKE ALL ON FUNCTION platform_invitation_lookup(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION platform_invitation_lookup(bytea) TO tillit_app;

GRANT CREATE ON SCHEMA public TO tillit_platform;
ALTER FUNCTION platform_invitation_lookup(bytea) OWNER TO tillit_platform;
REVOKE CREATE ON SCHEMA public FROM tillit_platform;
