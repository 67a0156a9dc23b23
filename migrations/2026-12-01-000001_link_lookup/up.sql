-- One cross-tenant lookup for every kind of emailed link (account links, invitations, the child's
-- link): which service and row a link token belongs to, the one question a link's page asks before
-- it knows its tenant. The kind names the table; whether the row is still usable (used, expired,
-- revoked) is judged inside the tenant, so every such link gets the same neutral page.
-- tillit_platform already reads exactly these three tables (SELECT granted in their migrations).
CREATE FUNCTION platform_link_lookup(p_kind text, p_token_hash bytea)
  RETURNS TABLE (tenant_id uuid, row_id uuid)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  CASE p_kind
    WHEN 'account' THEN
      RETURN QUERY SELECT t.tenant_id, t.id FROM public.account_tokens t
                    WHERE t.token_hash = p_token_hash;
    WHEN 'invitation' THEN
      RETURN QUERY SELECT i.tenant_id, i.id FROM public.council_invitations i
                    WHERE i.token_hash = p_token_hash;
    WHEN 'child_link' THEN
      RETURN QUERY SELECT l.tenant_id, l.id FROM public.plan_child_links l
                    WHERE l.token_hash = p_token_hash;
    ELSE
      RAISE EXCEPTION 'unknown link kind %', p_kind USING ERRCODE = 'invalid_parameter_value';
  END CASE;
END
$$;
REVOKE ALL ON FUNCTION platform_link_lookup(text, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION platform_link_lookup(text, bytea) TO tillit_app;

GRANT CREATE ON SCHEMA public TO tillit_platform;
ALTER FUNCTION platform_link_lookup(text, bytea) OWNER TO tillit_platform;
REVOKE CREATE ON SCHEMA public FROM tillit_platform;

-- The three lookups it replaces.
DROP FUNCTION platform_account_token_lookup(bytea);
DROP FUNCTION platform_invitation_lookup(bytea);
DROP FUNCTION platform_child_link_lookup(bytea);
