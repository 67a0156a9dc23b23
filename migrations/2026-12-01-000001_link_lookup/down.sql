CREATE FUNCTION platform_account_token_lookup(p_token_hash bytea)
  RETURNS TABLE (tenant_id uuid, token_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$ SELECT t.tenant_id, t.id FROM public.account_tokens t WHERE t.token_hash = p_token_hash $$;
CREATE FUNCTION platform_invitation_lookup(p_token_hash bytea)
  RETURNS TABLE (tenant_id uuid, invitation_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$ SELECT i.tenant_id, i.id FROM public.council_invitations i WHERE i.token_hash = p_token_hash $$;
CREATE FUNCTION platform_child_link_lookup(p_token_hash bytea)
  RETURNS TABLE (tenant_id uuid, link_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$ SELECT l.tenant_id, l.id FROM public.plan_child_links l WHERE l.token_hash = p_token_hash $$;
REVOKE ALL ON FUNCTION platform_account_token_lookup(bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION platform_invitation_lookup(bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION platform_child_link_lookup(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION platform_account_token_lookup(bytea) TO tillit_app;
GRANT EXECUTE ON FUNCTION platform_invitation_lookup(bytea) TO tillit_app;
GRANT EXECUTE ON FUNCTION platform_child_link_lookup(bytea) TO tillit_app;
GRANT CREATE ON SCHEMA public TO tillit_platform;
ALTER FUNCTION platform_account_token_lookup(bytea) OWNER TO tillit_platform;
ALTER FUNCTION platform_invitation_lookup(bytea) OWNER TO tillit_platform;
ALTER FUNCTION platform_child_link_lookup(bytea) OWNER TO tillit_platform;
REVOKE CREATE ON SCHEMA public FROM tillit_platform;

DROP FUNCTION IF EXISTS platform_link_lookup(text, bytea);
