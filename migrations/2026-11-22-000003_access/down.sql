DROP TABLE IF EXISTS operator_sessions;
DROP TABLE IF EXISTS operators;
DROP FUNCTION IF EXISTS platform_login_candidates(text);
DROP FUNCTION IF EXISTS platform_session_lookup(bytea);
DROP TABLE IF EXISTS sessions;
DROP FUNCTION IF EXISTS platform_api_key_lookup(bytea);
CREATE FUNCTION platform_api_key_lookup(p_key_hash bytea)
  RETURNS TABLE (tenant_id uuid, key_id uuid, role text, revoked boolean)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$ SELECT k.tenant_id, k.id, k.role, k.revoked_at IS NOT NULL
        FROM public.api_keys k WHERE k.key_hash = p_key_hash $$;
ALTER TABLE api_keys DROP COLUMN IF EXISTS user_id;
ALTER TABLE users DROP COLUMN IF EXISTS lang, DROP COLUMN IF EXISTS last_login_at;
