-- The follow-up starts ahead. The agreed evaluation opens this many weeks before its date (by
-- default 4), so the follow-up meeting can be prepared and held on the date itself: a new
-- council of the same kind with the previous team and the plan carried over, or a follow-up
-- meeting of the same council, proposed for the evaluation date.
ALTER TABLE tenants
  ADD COLUMN follow_up_weeks_ahead integer NOT NULL DEFAULT 4 CHECK (follow_up_weeks_ahead BETWEEN 0 AND 26);
GRANT UPDATE (follow_up_weeks_ahead) ON tenants TO tillit_app;

-- The meeting a follow-up opened: in the new council, or a follow-up meeting of the plan's own.
ALTER TABLE plan_follow_ups ADD COLUMN meeting_id uuid;
ALTER TABLE plan_follow_ups
  ADD CONSTRAINT plan_follow_ups_meeting_fkey
  FOREIGN KEY (tenant_id, meeting_id) REFERENCES council_meetings (tenant_id, id);

-- A plan carried over from an earlier plan of the case (the follow-up council's plan).
ALTER TABLE plans ADD COLUMN follows_plan_id uuid;
ALTER TABLE plans
  ADD CONSTRAINT plans_follows_plan_fkey
  FOREIGN KEY (tenant_id, follows_plan_id) REFERENCES plans (tenant_id, id);

-- A commitment nobody confirmed before approval was closed can still be marked done by staff
-- (the coordinator follows it up): who on the staff marked a commitment done is kept with it.
ALTER TABLE plan_commitments ADD COLUMN done_by uuid;
ALTER TABLE plan_commitments
  ADD CONSTRAINT plan_commitments_done_by_fkey
  FOREIGN KEY (tenant_id, done_by) REFERENCES users (tenant_id, id);
GRANT UPDATE (done_by) ON plan_commitments TO tillit_app;
