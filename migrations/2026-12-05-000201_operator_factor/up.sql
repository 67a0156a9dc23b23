-- The platform operator's second factor, like staff's: a TOTP secret (sealed with a key derived
-- from TILLIT_SECRET_KEY), one-time recovery codes kept as SHA-256 hashes, and a log of the
-- operators' logins and factor steps. Operators belong to no service, so none of these is a tenant
-- table: no tenant_id and no row-level security.

CREATE TABLE operator_factors (
  operator_id    uuid PRIMARY KEY REFERENCES operators (id),
  secret_sealed  bytea NOT NULL,
  -- The 30-second step of the last code accepted: a code is good once.
  last_step      bigint NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT, DELETE ON operator_factors TO tillit_app;
GRANT UPDATE (last_step) ON operator_factors TO tillit_app;

CREATE TABLE operator_recovery_codes (
  id           uuid PRIMARY KEY,
  operator_id  uuid NOT NULL REFERENCES operators (id),
  code_hash    bytea NOT NULL CHECK (length(code_hash) = 32),
  created_at   timestamptz NOT NULL DEFAULT now(),
  used_at      timestamptz
);
CREATE INDEX operator_recovery_codes_operator ON operator_recovery_codes (operator_id)
  WHERE used_at IS NULL;
GRANT SELECT, INSERT, DELETE ON operator_recovery_codes TO tillit_app;
GRANT UPDATE (used_at) ON operator_recovery_codes TO tillit_app;

-- Append-only, like audit_log: the server may insert, never read back, update or delete.
CREATE TABLE operator_audit (
  id           bigserial PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  operator_id  uuid NOT NULL REFERENCES operators (id),
  action       text NOT NULL,
  outcome      text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
  request_id   text,
  details      jsonb NOT NULL DEFAULT '{}'
);
GRANT INSERT ON operator_audit TO tillit_app;
GRANT USAGE ON SEQUENCE operator_audit_id_seq TO tillit_app;
