ALTER TABLE tenants
  DROP COLUMN IF EXISTS interview_reminder_days,
  DROP COLUMN IF EXISTS decision_overdue_days;
