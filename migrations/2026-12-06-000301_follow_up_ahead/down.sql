REVOKE UPDATE (done_by) ON plan_commitments FROM tillit_app;
ALTER TABLE plan_commitments DROP CONSTRAINT IF EXISTS plan_commitments_done_by_fkey;
ALTER TABLE plan_commitments DROP COLUMN IF EXISTS done_by;
ALTER TABLE plans DROP CONSTRAINT IF EXISTS plans_follows_plan_fkey;
ALTER TABLE plans DROP COLUMN IF EXISTS follows_plan_id;
ALTER TABLE plan_follow_ups DROP CONSTRAINT IF EXISTS plan_follow_ups_meeting_fkey;
ALTER TABLE plan_follow_ups DROP COLUMN IF EXISTS meeting_id;
REVOKE UPDATE (follow_up_weeks_ahead) ON tenants FROM tillit_app;
ALTER TABLE tenants DROP COLUMN IF EXISTS follow_up_weeks_ahead;
