-- The start page and the leader's figures read the invitations, answers and network checks of
-- many councils and measures at once (src/overview, src/figures): by council and by measure,
-- without reading every row of the service, whose row-level security check costs on each row.

-- The invitations of councils: the start page's unanswered invitations and councils waiting
-- on a step, and the figures' invitations sent and answered.
CREATE INDEX council_invitations_council ON council_invitations (tenant_id, council_id);

-- The answers of councils, for the councils waiting on a step.
CREATE INDEX council_answers_council ON council_answers (tenant_id, council_id);

-- Whether the network was checked before a costly measure, for the figures.
CREATE INDEX network_checks_measure ON network_checks (tenant_id, measure_id);
