-- A second factor for password logins: a TOTP secret per person (sealed with a key derived from
-- TILLIT_SECRET_KEY, so the database alone cannot produce codes), one-time recovery codes kept as
-- SHA-256 hashes, and per service whether a password login must pass the factor. Sessions keep the
-- browser they were started in, so a person can tell theirs apart.

ALTER TABLE tenants ADD COLUMN second_factor_required boolean NOT NULL DEFAULT true;
GRANT UPDATE (second_factor_required) ON tenants TO tillit_app;

CREATE TABLE user_factors (
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  user_id        uuid NOT NULL,
  secret_sealed  bytea NOT NULL,
  -- The 30-second step of the last code accepted: a code is good once.
  last_step      bigint NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, user_id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
ALTER TABLE user_factors ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON user_factors
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, DELETE ON user_factors TO tillit_app;
GRANT UPDATE (last_step) ON user_factors TO tillit_app;

CREATE TABLE recovery_codes (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  id          uuid NOT NULL,
  user_id     uuid NOT NULL,
  code_hash   bytea NOT NULL CHECK (length(code_hash) = 32),
  created_at  timestamptz NOT NULL DEFAULT now(),
  used_at     timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX recovery_codes_user ON recovery_codes (tenant_id, user_id) WHERE used_at IS NULL;
ALTER TABLE recovery_codes ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON recovery_codes
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, DELETE ON recovery_codes TO tillit_app;
GRANT UPDATE (used_at) ON recovery_codes TO tillit_app;

ALTER TABLE sessions ADD COLUMN user_agent text CHECK (length(user_agent) <= 200);
