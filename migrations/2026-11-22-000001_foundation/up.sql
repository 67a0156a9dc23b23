-- Foundation: tenants (child welfare services), their municipalities, staff users, API keys,
-- single-use account links and the append-only audit log.
--
-- Runs as tillit_owner (`tillit migrate` does SET ROLE). The roles tillit_app (the server) and
-- tillit_platform (NOLOGIN, BYPASSRLS, owns the narrow cross-tenant functions) exist already:
-- `tillit migrate` creates them before it applies migrations.
--
-- Every tenant table has tenant_id leading its primary key, row-level security ENABLED and
-- FORCED, and the policy below. tests/tenant_isolation.rs fails if a new table forgets it.

-- The tenant of the current transaction. NULLIF: after a transaction-local set_config a pooled
-- connection holds '' (not NULL), and ''::uuid would raise.
CREATE FUNCTION app_tenant_id() RETURNS uuid LANGUAGE sql STABLE
  AS $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$;

CREATE TABLE tenants (
  id          uuid PRIMARY KEY,
  slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  time_zone   text NOT NULL DEFAULT 'Europe/Oslo',
  locale      text NOT NULL DEFAULT 'nb' CHECK (locale IN ('nb', 'en')),
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- A service may serve several municipalities (inter-municipal services); kommunenummer is the
-- four-digit number from Statistics Norway.
CREATE TABLE tenant_municipalities (
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  kommunenummer  text NOT NULL CHECK (kommunenummer ~ '^[0-9]{4}$'),
  name           text CHECK (name IS NULL OR length(btrim(name)) BETWEEN 1 AND 100),
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, kommunenummer)
);

CREATE TABLE users (
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  id             uuid NOT NULL,
  email          text NOT NULL CHECK (email = lower(email) AND position('@' IN email) > 1),
  display_name   text NOT NULL DEFAULT '',
  role           text NOT NULL CHECK (role IN ('tenant_admin', 'leader', 'caseworker', 'coordinator')),
  password_hash  text,
  active         boolean NOT NULL DEFAULT true,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, email)
);

-- Single-use links sent by email (account setup, staff invitation, password reset). Only the
-- SHA-256 of the token is stored.
CREATE TABLE account_tokens (
  tenant_id   uuid NOT NULL,
  id          uuid NOT NULL,
  user_id     uuid NOT NULL,
  purpose     text NOT NULL CHECK (purpose IN ('setup', 'invitation', 'password_reset')),
  token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  revoked_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);

CREATE TABLE api_keys (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  id          uuid NOT NULL,
  name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
  role        text NOT NULL CHECK (role IN ('tenant_admin', 'leader', 'caseworker', 'coordinator')),
  -- SHA-256 of the whole key; the key itself is shown once and never stored.
  key_hash    bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
  -- The first characters of the key, so people can tell their keys apart.
  key_prefix  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz,
  PRIMARY KEY (tenant_id, id)
);

-- Append-only: the server may insert and read (the tenant admin's audit page); it may never update
-- or delete, and the trigger below refuses that even to the owner.
CREATE TABLE audit_log (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  id           bigint GENERATED ALWAYS AS IDENTITY,
  at           timestamptz NOT NULL DEFAULT now(),
  actor_kind   text NOT NULL CHECK (actor_kind IN ('user', 'api_key', 'operator', 'system', 'invitee', 'anonymous')),
  actor_id     text,
  action       text NOT NULL,
  object_kind  text,
  object_id    text,
  outcome      text NOT NULL DEFAULT 'success' CHECK (outcome IN ('success', 'failure', 'denied')),
  request_id   text,
  details      jsonb NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at DESC);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

-- Row-level security, enabled and forced (so the owner is filtered too).
ALTER TABLE tenants               ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE tenant_municipalities ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE users                 ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE account_tokens        ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE api_keys              ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE audit_log             ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON tenants
  USING (id = app_tenant_id()) WITH CHECK (id = app_tenant_id());
CREATE POLICY tenant_isolation ON tenant_municipalities
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON users
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON account_tokens
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON api_keys
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON audit_log
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());

-- The server's privileges: only what it uses. Creating a tenant is an INSERT under the new
-- tenant's own id, so the policy's WITH CHECK admits it and nothing else.
GRANT SELECT, INSERT                   ON tenants               TO tillit_app;
GRANT UPDATE (name, time_zone, locale) ON tenants               TO tillit_app;
GRANT SELECT, INSERT, DELETE           ON tenant_municipalities TO tillit_app;
GRANT UPDATE (name)                    ON tenant_municipalities TO tillit_app;
GRANT SELECT, INSERT                   ON users                 TO tillit_app;
GRANT UPDATE (display_name, role, password_hash, active) ON users TO tillit_app;
GRANT SELECT, INSERT                   ON account_tokens        TO tillit_app;
GRANT UPDATE (used_at, revoked_at)     ON account_tokens        TO tillit_app;
GRANT SELECT, INSERT                   ON api_keys              TO tillit_app;
GRANT UPDATE (revoked_at)              ON api_keys              TO tillit_app;
GRANT SELECT, INSERT                   ON audit_log             TO tillit_app;

-- Cross-tenant lookups. A request that arrives with an API key or a link token does not know its
-- tenant yet; these functions answer exactly that question and nothing more. They are owned by
-- tillit_platform (NOLOGIN, BYPASSRLS): a SECURITY DEFINER function owned by tillit_owner would
-- still be filtered by FORCE ROW LEVEL SECURITY.
GRANT SELECT ON tenants, api_keys, account_tokens TO tillit_platform;

CREATE FUNCTION platform_tenant_by_slug(p_slug text) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$ SELECT t.id FROM public.tenants t WHERE t.slug = p_slug $$;

CREATE FUNCTION platform_api_key_lookup(p_key_hash bytea)
  RETURNS TABLE (tenant_id uuid, key_id uuid, role text, revoked boolean)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$ SELECT k.tenant_id, k.id, k.role, k.revoked_at IS NOT NULL
        FROM public.api_keys k WHERE k.key_hash = p_key_hash $$;

CREATE FUNCTION platform_account_token_lookup(p_token_hash bytea)
  RETURNS TABLE (tenant_id uuid, token_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$ SELECT t.tenant_id, t.id FROM public.account_tokens t WHERE t.token_hash = p_token_hash $$;

REVOKE ALL ON FUNCTION platform_tenant_by_slug(text)            FROM PUBLIC;
REVOKE ALL ON FUNCTION platform_api_key_lookup(bytea)           FROM PUBLIC;
REVOKE ALL ON FUNCTION platform_account_token_lookup(bytea)     FROM PUBLIC;
GRANT EXECUTE ON FUNCTION platform_tenant_by_slug(text)         TO tillit_app;
GRANT EXECUTE ON FUNCTION platform_api_key_lookup(bytea)        TO tillit_app;
GRANT EXECUTE ON FUNCTION platform_account_token_lookup(bytea)  TO tillit_app;

-- ALTER ... OWNER needs CREATE on the schema for the new owner; granted only for these lines.
GRANT CREATE ON SCHEMA public TO tillit_platform;
ALTER FUNCTION platform_tenant_by_slug(text)        OWNER TO tillit_platform;
ALTER FUNCTION platform_api_key_lookup(bytea)       OWNER TO tillit_platform;
ALTER FUNCTION platform_account_token_lookup(bytea) OWNER TO tillit_platform;
REVOKE CREATE ON SCHEMA public FROM tillit_platform;
