REVOKE UPDATE (unconfirmed_at_closing) ON plan_commitments FROM tillit_app;
ALTER TABLE plan_commitments DROP COLUMN unconfirmed_at_closing;
DROP INDEX plan_approvals_plan;
DELETE FROM plan_approvals WHERE kind IN ('participant_objected', 'child_agreed', 'child_wants_to_talk');
ALTER TABLE plan_approvals DROP CONSTRAINT plan_approvals_objection_check;
ALTER TABLE plan_approvals DROP CONSTRAINT plan_approvals_child_check;
ALTER TABLE plan_approvals DROP CONSTRAINT plan_approvals_participant_check;
ALTER TABLE plan_approvals ADD CONSTRAINT plan_approvals_check
  CHECK ((kind = 'participant_confirmed') = (participant_id IS NOT NULL));
ALTER TABLE plan_approvals DROP CONSTRAINT plan_approvals_kind_check;
ALTER TABLE plan_approvals ADD CONSTRAINT plan_approvals_kind_check
  CHECK (kind IN ('participant_confirmed', 'coordinator_closed', 'caseworker_approved', 'caseworker_returned'));
ALTER TABLE plan_approvals DROP CONSTRAINT plan_approvals_child_link_fkey;
ALTER TABLE plan_approvals DROP COLUMN child_link_id;
