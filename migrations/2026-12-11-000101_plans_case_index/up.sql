-- The start page and the case page read the plans of given cases (`plans.case_id = ANY(…)`); the
-- plans' only indexes started with the council, so each such read went through every plan of the
-- service (bench/large.sh: 6,000 plans visited for 3 found, 3.4 ms of the start page's time at a
-- service of 2,000 cases).
CREATE INDEX plans_case ON plans (tenant_id, case_id);
