DROP INDEX council_preparations_council;
DROP INDEX council_waivers_council;
DROP INDEX council_objections_council;
DROP INDEX council_consents_council;
