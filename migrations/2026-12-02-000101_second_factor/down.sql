ALTER TABLE sessions DROP COLUMN user_agent;
DROP TABLE recovery_codes;
DROP TABLE user_factors;
ALTER TABLE tenants DROP COLUMN second_factor_required;
