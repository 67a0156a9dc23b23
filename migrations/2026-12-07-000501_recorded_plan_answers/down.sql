ALTER TABLE plan_approvals DROP COLUMN recorded_how;
