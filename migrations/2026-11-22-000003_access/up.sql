-- Staff access: sessions, people's language, API keys that act for one staff member, and the
-- platform operators who onboard services.

ALTER TABLE users
  ADD COLUMN lang          text NOT NULL DEFAULT 'nb' CHECK (lang IN ('nb', 'en')),
  ADD COLUMN last_login_at timestamptz;
GRANT UPDATE (lang, last_login_at) ON users TO tillit_app;

-- A key may act for one staff member; it then sees what that person sees (the cases assigned to
-- them), and no more than its own role allows. A key without a person sees no case data.
ALTER TABLE api_keys ADD COLUMN user_id uuid;
ALTER TABLE api_keys ADD FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id);

DROP FUNCTION platform_api_key_lookup(bytea);
CREATE FUNCTION platform_api_key_lookup(p_key_hash bytea)
  RETURNS TABLE (tenant_id uuid, key_id uuid, role text, revoked boolean, user_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$ SELECT k.tenant_id, k.id, k.role,
               k.revoked_at IS NOT NULL OR (k.user_id IS NOT NULL AND NOT u.active),
               k.user_id
        FROM public.api_keys k
        LEFT JOIN public.users u ON u.tenant_id = k.tenant_id AND u.id = k.user_id
        WHERE k.key_hash = p_key_hash $$;
REVOKE ALL ON FUNCTION platform_api_key_lookup(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION platform_api_key_lookup(bytea) TO tillit_app;

-- Staff sessions. The cookie holds a random token; only its SHA-256 is kept. A session ends at
-- logout, after `idle` without use, at its absolute expiry, or when the person is deactivated.
CREATE TABLE sessions (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  id            uuid NOT NULL,
  user_id       uuid NOT NULL,
  token_hash    bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  ended_at      timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX sessions_user ON sessions (tenant_id, user_id) WHERE ended_at IS NULL;

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sessions
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT ON sessions TO tillit_app;
GRANT UPDATE (last_seen_at, ended_at) ON sessions TO tillit_app;

-- Which service a session cookie or a login belongs to: the two questions a request must answer
-- before it knows its tenant.
GRANT SELECT ON sessions, users TO tillit_platform;

CREATE FUNCTION platform_session_lookup(p_token_hash bytea)
  RETURNS TABLE (tenant_id uuid, session_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$ SELECT s.tenant_id, s.id FROM public.sessions s
        WHERE s.token_hash = p_token_hash AND s.ended_at IS NULL $$;

-- Accounts with this email in any service (a person may work for two). The password hash is
-- returned so the server can verify it; nothing else about the account is.
CREATE FUNCTION platform_login_candidates(p_email text)
  RETURNS TABLE (tenant_id uuid, user_id uuid, tenant_name text, password_hash text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$ SELECT u.tenant_id, u.id, t.name, u.password_hash
        FROM public.users u JOIN public.tenants t ON t.id = u.tenant_id
        WHERE u.email = lower(p_email) AND u.active AND u.password_hash IS NOT NULL
        ORDER BY t.name LIMIT 10 $$;

REVOKE ALL ON FUNCTION platform_session_lookup(bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION platform_login_candidates(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION platform_session_lookup(bytea) TO tillit_app;
GRANT EXECUTE ON FUNCTION platform_login_candidates(text) TO tillit_app;

-- Platform operators: the people who onboard services. Not tenant data, so no tenant_id and no
-- row-level security; the server may read them and record logins, nothing else.
CREATE TABLE operators (
  id             uuid PRIMARY KEY,
  email          text NOT NULL UNIQUE CHECK (email = lower(email) AND position('@' IN email) > 1),
  password_hash  text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  last_login_at  timestamptz
);
CREATE TABLE operator_sessions (
  id            uuid PRIMARY KEY,
  operator_id   uuid NOT NULL REFERENCES operators (id),
  token_hash    bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  ended_at      timestamptz
);
GRANT SELECT, INSERT ON operators TO tillit_app;
GRANT UPDATE (password_hash, last_login_at) ON operators TO tillit_app;
GRANT SELECT, INSERT ON operator_sessions TO tillit_app;
GRANT UPDATE (last_seen_at, ended_at) ON operator_sessions TO tillit_app;

GRANT CREATE ON SCHEMA public TO tillit_platform;
ALTER FUNCTION platform_api_key_lookup(bytea) OWNER TO tillit_platform;
ALTER FUNCTION platform_session_lookup(bytea) OWNER TO tillit_platform;
ALTER FUNCTION platform_login_candidates(text) OWNER TO tillit_platform;
REVOKE CREATE ON SCHEMA public FROM tillit_platform;
