DROP FUNCTION IF EXISTS platform_child_link_lookup(bytea);
DROP TABLE IF EXISTS plan_child_links;
DROP TABLE IF EXISTS plan_evaluation_goals;
DROP TABLE IF EXISTS plan_evaluations;
DROP TABLE IF EXISTS plan_follow_ups;
DROP TABLE IF EXISTS plan_approvals;
DROP TABLE IF EXISTS plan_commitments;
DROP TABLE IF EXISTS plan_goals;
DROP TABLE IF EXISTS plan_versions;
DROP TABLE IF EXISTS plans;
REVOKE UPDATE (expires_at) ON council_invitations FROM tillit_app;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_kind_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_actor_kind_check
  CHECK (actor_kind IN ('user', 'api_key', 'operator', 'system', 'invitee', 'anonymous'));
ALTER TABLE tenants
  DROP COLUMN IF EXISTS evaluation_age_years,
  DROP COLUMN IF EXISTS evaluation_months_younger,
  DROP COLUMN IF EXISTS evaluation_months_older,
  DROP COLUMN IF EXISTS commitment_notice_days,
  DROP COLUMN IF EXISTS evaluation_undocumented_days;
