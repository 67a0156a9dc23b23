REVOKE UPDATE ON children FROM tillit_app;
ALTER TABLE children DROP COLUMN IF EXISTS updated_at;
