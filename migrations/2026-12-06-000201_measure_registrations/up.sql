-- The registration of each network measure (a network council, a family group conference, a
-- network meeting series) with the questions of the research registration form in seed 003
-- (appendix 3): only what Tillit does not already know is asked and kept here, once per council.
-- The answers are codes of the closed lists in src/registration/domain.rs, checked there; no
-- free text is kept, so nothing here can name a person.
--
-- Like every tenant table: tenant_id leads each key, foreign keys include it, row-level security
-- is enabled and forced, and the server gets only the privileges it uses.

CREATE TABLE measure_registrations (
  tenant_id   uuid NOT NULL,
  council_id  uuid NOT NULL,
  case_id     uuid NOT NULL,
  answers     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(answers) = 'object'),
  updated_by  uuid NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, council_id),
  FOREIGN KEY (tenant_id, case_id, council_id) REFERENCES councils (tenant_id, case_id, id),
  FOREIGN KEY (tenant_id, updated_by) REFERENCES users (tenant_id, id)
);

ALTER TABLE measure_registrations ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON measure_registrations
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());

GRANT SELECT, INSERT ON measure_registrations TO tillit_app;
GRANT UPDATE (answers, updated_by, updated_at) ON measure_registrations TO tillit_app;
