-- The network approves its own plan. A network council's plan is approved by everyone reachable
-- on its team and, when the child has a live link, by the child: a participant approves
-- (participant_confirmed) or says they have objections with a comment (participant_objected; a
-- later approval of the same version withdraws it), the child agrees (child_agreed) or wants to
-- talk about it (child_wants_to_talk), in the child's own words when the child writes any. The
-- latest answer of each person to a version counts; a version that changes asks again.
ALTER TABLE plan_approvals ADD COLUMN child_link_id uuid;
ALTER TABLE plan_approvals
  ADD CONSTRAINT plan_approvals_child_link_fkey
  FOREIGN KEY (tenant_id, child_link_id) REFERENCES plan_child_links (tenant_id, id);
ALTER TABLE plan_approvals DROP CONSTRAINT plan_approvals_kind_check;
ALTER TABLE plan_approvals ADD CONSTRAINT plan_approvals_kind_check
  CHECK (kind IN ('participant_confirmed', 'participant_objected', 'child_agreed', 'child_wants_to_talk', 'coordinator_closed', 'caseworker_approved', 'caseworker_returned'));
ALTER TABLE plan_approvals DROP CONSTRAINT plan_approvals_check;
ALTER TABLE plan_approvals ADD CONSTRAINT plan_approvals_participant_check
  CHECK ((kind IN ('participant_confirmed', 'participant_objected')) = (participant_id IS NOT NULL));
ALTER TABLE plan_approvals ADD CONSTRAINT plan_approvals_child_check
  CHECK ((kind IN ('child_agreed', 'child_wants_to_talk')) = (child_link_id IS NOT NULL));
ALTER TABLE plan_approvals ADD CONSTRAINT plan_approvals_objection_check
  CHECK (kind <> 'participant_objected' OR reason IS NOT NULL);
CREATE INDEX plan_approvals_plan ON plan_approvals (tenant_id, plan_id, version);

-- What was still unconfirmed when the coordinator closed approval: shown so on the plan, and its
-- reminders go to the coordinator, not to the person who never agreed.
ALTER TABLE plan_commitments ADD COLUMN unconfirmed_at_closing boolean NOT NULL DEFAULT false;
GRANT UPDATE (unconfirmed_at_closing) ON plan_commitments TO tillit_app;
