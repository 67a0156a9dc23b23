DROP INDEX network_checks_measure;
DROP INDEX council_answers_council;
DROP INDEX council_invitations_council;
