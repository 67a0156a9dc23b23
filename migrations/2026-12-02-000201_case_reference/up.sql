-- Each case carries the service's own reference (the number in its case-management system,
-- optional, unique within the service when given) and the child's home municipality: one of the
-- kommunenummer the service serves, so an inter-municipal service can report per municipality.
-- The application checks the municipality against the service's list when a case is opened or
-- changed; there is no foreign key, so a municipality the service stops serving keeps its cases
-- (and their figures).
--
-- Cases opened before this migration get the service's first municipality where the service
-- serves exactly one; the others stay empty until someone records it. The backfill runs with
-- row-level security relaxed for the owner for the length of this migration only.

ALTER TABLE cases
  ADD COLUMN reference    text CHECK (reference IS NULL OR length(btrim(reference)) BETWEEN 1 AND 60),
  ADD COLUMN municipality text CHECK (municipality IS NULL OR municipality ~ '^[0-9]{4}$');

CREATE UNIQUE INDEX cases_reference ON cases (tenant_id, reference) WHERE reference IS NOT NULL;
CREATE INDEX cases_municipality ON cases (tenant_id, municipality);

ALTER TABLE cases NO FORCE ROW LEVEL SECURITY;
ALTER TABLE tenant_municipalities NO FORCE ROW LEVEL SECURITY;
UPDATE cases c
   SET municipality = m.kommunenummer
  FROM (SELECT tenant_id, min(kommunenummer) AS kommunenummer
          FROM tenant_municipalities
         GROUP BY tenant_id
        HAVING count(*) = 1) m
 WHERE m.tenant_id = c.tenant_id;
ALTER TABLE tenant_municipalities FORCE ROW LEVEL SECURITY;
ALTER TABLE cases FORCE ROW LEVEL SECURITY;

GRANT UPDATE (reference, municipality) ON cases TO tillit_app;
