-- A participant's approval of or objection to a plan given by phone or in person: the coordinator
-- records it on their behalf. `user_id` is then the staff member who recorded it and
-- `recorded_how` how it was given; an answer through the participant's own link has neither.
ALTER TABLE plan_approvals
  ADD COLUMN recorded_how text CHECK (recorded_how IN ('phone', 'in_person')),
  ADD CONSTRAINT plan_approvals_recorded_for_a_participant
    CHECK (recorded_how IS NULL OR (participant_id IS NOT NULL AND user_id IS NOT NULL));
