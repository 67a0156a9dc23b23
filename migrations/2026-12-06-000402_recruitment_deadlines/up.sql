-- A home's interviews not recorded this many days after its self-information form was submitted
-- remind the foster care officer; a decision not made this many days after matching is overdue
-- and tells the caseworker.
ALTER TABLE tenants
  ADD COLUMN interview_reminder_days integer NOT NULL DEFAULT 14 CHECK (interview_reminder_days BETWEEN 1 AND 60),
  ADD COLUMN decision_overdue_days   integer NOT NULL DEFAULT 14 CHECK (decision_overdue_days BETWEEN 1 AND 90);
GRANT UPDATE (interview_reminder_days, decision_overdue_days) ON tenants TO tillit_app;
