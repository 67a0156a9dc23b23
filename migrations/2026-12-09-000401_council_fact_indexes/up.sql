-- The start page counts the facts of every open council of the caller's cases in one statement,
-- each table read by council (councils::queries::facts_of_many); these tables had no index that
-- starts with the council, so each was scanned whole as it grew.
CREATE INDEX council_consents_council ON council_consents (tenant_id, council_id)
  WHERE withdrawn_at IS NULL;
CREATE INDEX council_objections_council ON council_objections (tenant_id, council_id)
  WHERE resolved_at IS NULL;
CREATE INDEX council_waivers_council ON council_waivers (tenant_id, council_id)
  WHERE withdrawn_at IS NULL;
CREATE INDEX council_preparations_council ON council_preparations (tenant_id, council_id);
