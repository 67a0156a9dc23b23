DROP FUNCTION IF EXISTS platform_job_counts();
DROP FUNCTION IF EXISTS platform_claim_due_jobs(integer, integer);
DROP TABLE IF EXISTS jobs;
ALTER TABLE tenants
  DROP COLUMN IF EXISTS sender_name, DROP COLUMN IF EXISTS reply_to,
  DROP COLUMN IF EXISTS quiet_start_hour, DROP COLUMN IF EXISTS quiet_end_hour,
  DROP COLUMN IF EXISTS meeting_minutes, DROP COLUMN IF EXISTS reminder_days,
  DROP COLUMN IF EXISTS chase_after_days, DROP COLUMN IF EXISTS chase_max,
  DROP COLUMN IF EXISTS map_review_months;
