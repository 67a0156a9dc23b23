-- Cases and the child's network map (nettverkskart).
--
-- A case is about one child; only the staff assigned to it may open it. The map is the persons in
-- the child's network with their relation to the child, and the child's own words about them.
-- A revision freezes the map as it stood (with the phase, the date and how the child took part),
-- so the history can show who was added, removed or changed. A costly measure can be decided
-- only once the network has been checked, or a written justification given.
--
-- Like every tenant table: tenant_id leads each key, foreign keys include it, row-level security
-- is enabled and forced. The server may not delete: persons are marked removed, revisions and
-- the child's words are kept as written. The one exception is an assignment, which ends.
--
-- The code lists in the CHECK constraints are the ones in src/cases/categories.rs and
-- src/cases/domain.rs; a unit test compares them with this file.

CREATE TABLE children (
  tenant_id           uuid NOT NULL REFERENCES tenants (id),
  id                  uuid NOT NULL,
  first_name          text NOT NULL CHECK (length(btrim(first_name)) BETWEEN 1 AND 100),
  last_name           text NOT NULL CHECK (length(btrim(last_name)) BETWEEN 1 AND 100),
  -- The year is always known; the full date only sometimes (then they agree).
  birth_year          smallint NOT NULL CHECK (birth_year BETWEEN 1990 AND 2200),
  birth_date          date CHECK (birth_date IS NULL OR extract(year FROM birth_date) = birth_year),
  gender              text NOT NULL CHECK (gender IN ('girl', 'boy', 'other', 'unspecified')),
  language            text CHECK (language IS NULL OR length(btrim(language)) BETWEEN 1 AND 60),
  interpreter_needed  boolean NOT NULL DEFAULT false,
  created_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE cases (
  tenant_id         uuid NOT NULL REFERENCES tenants (id),
  id                uuid NOT NULL,
  child_id          uuid NOT NULL,
  phase             text NOT NULL
                    CHECK (phase IN ('investigation', 'support_measures', 'care', 'after_care', 'closed')),
  acute             boolean NOT NULL DEFAULT false,
  opened_at         timestamptz NOT NULL,
  -- When the phase last changed: a map older than this is due for revision.
  phase_changed_at  timestamptz NOT NULL,
  created_by        uuid NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, child_id) REFERENCES children (tenant_id, id),
  FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX cases_child ON cases (tenant_id, child_id);

-- Who may open the case. Nobody else sees it, whatever their role.
CREATE TABLE case_assignments (
  tenant_id    uuid NOT NULL,
  case_id      uuid NOT NULL,
  user_id      uuid NOT NULL,
  assigned_by  uuid,
  assigned_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, case_id, user_id),
  FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
  FOREIGN KEY (tenant_id, assigned_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX case_assignments_user ON case_assignments (tenant_id, user_id);

CREATE TABLE network_persons (
  tenant_id             uuid NOT NULL,
  id                    uuid NOT NULL,
  case_id               uuid NOT NULL,
  name                  text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  -- Who the person is to the child in everyday words ("mormor", "fotballtrener").
  relation              text CHECK (relation IS NULL OR length(btrim(relation)) BETWEEN 1 AND 100),
  category              text NOT NULL CHECK (category IN (
                          'near_family', 'distant_relative', 'other_parent_family', 'family_friend',
                          'known_family', 'step_partner', 'neighbour', 'school', 'kindergarten',
                          'after_school', 'leisure_activity', 'health_nurse', 'gp', 'camhs', 'ppt',
                          'therapist', 'public_other', 'measure_provider', 'other_caring_adult')),
  side                  text NOT NULL CHECK (side IN ('private', 'public')),
  lineage               text NOT NULL CHECK (lineage IN ('maternal', 'paternal', 'both', 'not_applicable')),
  closeness             text NOT NULL CHECK (closeness IN ('close', 'medium', 'distant')),
  quality               text NOT NULL CHECK (quality IN ('supportive', 'mixed', 'strained')),
  can_strengthen        boolean NOT NULL DEFAULT false,
  -- Who "kan stille opp der og da", and how (take the child home tonight, pick up from school).
  can_step_in           boolean NOT NULL DEFAULT false,
  step_in_how           text CHECK (step_in_how IS NULL OR (can_step_in AND length(btrim(step_in_how)) BETWEEN 1 AND 500)),
  email                 text CHECK (email IS NULL OR (email = lower(email) AND position('@' IN email) > 1)),
  -- E.164: + and 7 to 15 digits; Norwegian numbers are stored as +47 and eight digits.
  phone                 text CHECK (phone IS NULL OR phone ~ '^\+[1-9][0-9]{6,14}$'),
  address               text CHECK (address IS NULL OR length(btrim(address)) BETWEEN 1 AND 300),
  abroad_other_culture  boolean NOT NULL DEFAULT false,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  -- Removed from the map; kept so the child's words and the revisions keep their person.
  removed_at            timestamptz,
  PRIMARY KEY (tenant_id, id),
  -- Lets the tables below require that a person belongs to the same case as they do.
  UNIQUE (tenant_id, case_id, id),
  FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
CREATE INDEX network_persons_case ON network_persons (tenant_id, case_id) WHERE removed_at IS NULL;

-- The child's own words about a person, verbatim, with who wrote them down.
CREATE TABLE child_words (
  tenant_id    uuid NOT NULL,
  id           uuid NOT NULL,
  case_id      uuid NOT NULL,
  person_id    uuid NOT NULL,
  text         text NOT NULL CHECK (length(btrim(text)) BETWEEN 1 AND 2000),
  author       text NOT NULL CHECK (author IN ('child', 'coordinator_with_child', 'parent_helping')),
  written_at   timestamptz NOT NULL,
  recorded_by  uuid,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, case_id, person_id) REFERENCES network_persons (tenant_id, case_id, id),
  FOREIGN KEY (tenant_id, recorded_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX child_words_person ON child_words (tenant_id, case_id, person_id);

-- The map as it stood at one revision. `persons` is a snapshot (id, name and every mapped field
-- of each person on the map), so two revisions can be compared whatever happened since.
CREATE TABLE map_revisions (
  tenant_id          uuid NOT NULL,
  id                 uuid NOT NULL,
  case_id            uuid NOT NULL,
  number             integer NOT NULL CHECK (number >= 1),
  revised_on         date NOT NULL,
  phase              text NOT NULL
                     CHECK (phase IN ('investigation', 'support_measures', 'care', 'after_care', 'closed')),
  child_participated boolean NOT NULL,
  -- How the child took part ("drew the map with the coordinator"), or why not.
  participation      text CHECK (participation IS NULL OR length(btrim(participation)) BETWEEN 1 AND 1000),
  persons            jsonb NOT NULL CHECK (jsonb_typeof(persons) = 'array'),
  created_by         uuid,
  created_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, case_id, number),
  FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
  FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);

-- "Slekt og nettverk skal være sjekket ut før det settes inn kostnadskrevende tiltak."
CREATE TABLE costly_measures (
  tenant_id     uuid NOT NULL,
  id            uuid NOT NULL,
  case_id       uuid NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('foster_home', 'institution', 'other')),
  description   text CHECK (description IS NULL OR length(btrim(description)) BETWEEN 1 AND 1000),
  status        text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'decided', 'withdrawn')),
  proposed_by   uuid,
  proposed_at   timestamptz NOT NULL DEFAULT now(),
  decided_by    uuid,
  decided_at    timestamptz,
  withdrawn_at  timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, case_id, id),
  FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
  FOREIGN KEY (tenant_id, proposed_by) REFERENCES users (tenant_id, id),
  FOREIGN KEY (tenant_id, decided_by) REFERENCES users (tenant_id, id),
  CHECK ((status = 'decided') = (decided_at IS NOT NULL)),
  CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL))
);

-- Before a costly measure: either a network check (who was considered, when, with what result)
-- or a written justification why none was made.
CREATE TABLE network_checks (
  tenant_id      uuid NOT NULL,
  id             uuid NOT NULL,
  case_id        uuid NOT NULL,
  measure_id     uuid NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('check', 'justification')),
  checked_on     date,
  result         text CHECK (result IS NULL OR length(btrim(result)) BETWEEN 1 AND 2000),
  justification  text CHECK (justification IS NULL OR length(btrim(justification)) BETWEEN 1 AND 2000),
  recorded_by    uuid,
  recorded_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, case_id, id),
  FOREIGN KEY (tenant_id, case_id, measure_id) REFERENCES costly_measures (tenant_id, case_id, id),
  FOREIGN KEY (tenant_id, recorded_by) REFERENCES users (tenant_id, id),
  CHECK (kind <> 'check' OR (checked_on IS NOT NULL AND result IS NOT NULL AND justification IS NULL)),
  CHECK (kind <> 'justification' OR (justification IS NOT NULL AND checked_on IS NULL AND result IS NULL))
);

-- Who was considered in a check: persons on the same case's map.
CREATE TABLE network_check_persons (
  tenant_id  uuid NOT NULL,
  case_id    uuid NOT NULL,
  check_id   uuid NOT NULL,
  person_id  uuid NOT NULL,
  PRIMARY KEY (tenant_id, check_id, person_id),
  FOREIGN KEY (tenant_id, case_id, check_id) REFERENCES network_checks (tenant_id, case_id, id),
  FOREIGN KEY (tenant_id, case_id, person_id) REFERENCES network_persons (tenant_id, case_id, id)
);

ALTER TABLE children              ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE cases                 ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE case_assignments      ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE network_persons       ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE child_words           ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE map_revisions         ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE costly_measures       ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE network_checks        ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE network_check_persons ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON children
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON cases
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON case_assignments
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON network_persons
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON child_words
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON map_revisions
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON costly_measures
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON network_checks
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON network_check_persons
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());

GRANT SELECT, INSERT                     ON children              TO tillit_app;
GRANT SELECT, INSERT                     ON cases                 TO tillit_app;
GRANT UPDATE (phase, acute, phase_changed_at, updated_at) ON cases TO tillit_app;
GRANT SELECT, INSERT, DELETE             ON case_assignments      TO tillit_app;
GRANT SELECT, INSERT                     ON network_persons       TO tillit_app;
GRANT UPDATE (name, relation, category, side, lineage, closeness, quality, can_strengthen,
              can_step_in, step_in_how, email, phone, address, abroad_other_culture,
              updated_at, removed_at)
  ON network_persons TO tillit_app;
GRANT SELECT, INSERT                     ON child_words           TO tillit_app;
GRANT SELECT, INSERT                     ON map_revisions         TO tillit_app;
GRANT SELECT, INSERT                     ON costly_measures       TO tillit_app;
GRANT UPDATE (status, decided_by, decided_at, withdrawn_at) ON costly_measures TO tillit_app;
GRANT SELECT, INSERT                     ON network_checks        TO tillit_app;
GRANT SELECT, INSERT                     ON network_check_persons TO tillit_app;
