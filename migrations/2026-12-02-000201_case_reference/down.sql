REVOKE UPDATE (reference, municipality) ON cases FROM tillit_app;
DROP INDEX cases_municipality;
DROP INDEX cases_reference;
ALTER TABLE cases DROP COLUMN municipality, DROP COLUMN reference;
