-- A printed letter carries a short code beside the QR code: twelve characters a person can type
-- from paper (https://…/b/K7M2-9QXD-4TNA), derived like the link's token from the invitation's row
-- id, stored only as its SHA-256 and found through the one cross-tenant lookup as kind 'letter'.
ALTER TABLE council_invitations
  ADD COLUMN letter_code_hash bytea UNIQUE CHECK (length(letter_code_hash) = 32);

CREATE OR REPLACE FUNCTION platform_link_lookup(p_kind text, p_token_hash bytea)
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
    WHEN 'letter' THEN
      RETURN QUERY SELECT i.tenant_id, i.id FROM public.council_invitations i
                    WHERE i.letter_code_hash = p_token_hash;
    WHEN 'child_link' THEN
      RETURN QUERY SELECT l.tenant_id, l.id FROM public.plan_child_links l
                    WHERE l.token_hash = p_token_hash;
    WHEN 'recruitment_candidate' THEN
      RETURN QUERY SELECT c.tenant_id, c.id FROM public.recruitment_candidates c
                    WHERE c.token_hash = p_token_hash;
    ELSE
      RAISE EXCEPTION 'unknown link kind %', p_kind USING ERRCODE = 'invalid_parameter_value';
  END CASE;
END
$$;
