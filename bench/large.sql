-- bench/large.sh: the rest of the country around the measured service, written as the
-- database's owner after src/demo/history.sql has been prepared as `history_year` (bench/large.sh
-- puts that in front of this file). psql variables: tenant (the measured service), services (how
-- many other services), cases_each (closed cases per service, the measured one included) and
-- persons_more (the persons each of those cases gets beside the two the history writes).
--
-- Each service gets cases_each closed cases over the two years before last, written by the demo's own
-- history statement: per case two persons, a map revision, a costly measure with its network
-- check, three councils with their meetings, team, invitations, answers, plans and evaluations.
-- Then persons_more more persons on each of those maps, so the persons run into the millions,
-- and two commitments, done, on each of their plans.
-- The measured service gets its share too, held by a caseworker of its own: its admin's start
-- page still lists the admin's cases alone, while everything it searches through grows.
\set ON_ERROR_STOP on

SELECT extract(year FROM now() AT TIME ZONE 'Europe/Oslo')::int AS this_year \gset

BEGIN;
INSERT INTO tenants (id, slug, name)
SELECT gen_random_uuid(), 'skala-' || s, 'Skala ' || s || ' barneverntjeneste'
  FROM generate_series(1, :services) AS s;

CREATE TEMP TABLE large_services AS
SELECT t.id AS tenant_id, gen_random_uuid() AS caseworker,
       ARRAY[(3000 + row_number() OVER (ORDER BY t.slug))::text] AS municipalities
  FROM tenants t WHERE t.slug LIKE 'skala-%'
UNION ALL
SELECT :'tenant', gen_random_uuid(), ARRAY['4624', '4625'];

INSERT INTO users (tenant_id, id, email, display_name, role)
SELECT tenant_id, caseworker, 'arkiv-' || caseworker || '@skala.example', 'Arkiv Saksbehandler',
       'caseworker'
  FROM large_services;
COMMIT;

-- One service at a time, each in its own transaction (psql's autocommit), so that no lock is
-- held for long. The two years before last: the measured service's demo history (last year and
-- this) keeps its case references and its figures.
SELECT format('EXECUTE history_year(%L, %L, %L, 730, %L, %s)', tenant_id, caseworker,
              make_date(:this_year - 3, 1, 1), municipalities, :cases_each)
  FROM large_services ORDER BY tenant_id \gexec

INSERT INTO network_persons (tenant_id, id, case_id, name, relation, category, side, lineage,
                             closeness, quality, can_strengthen, phone, preferred_channel)
SELECT c.tenant_id, gen_random_uuid(), c.id,
       (ARRAY['Kari', 'Ola', 'Ingrid', 'Per', 'Solveig', 'Nils', 'Åse', 'Bjørn'])[1 + p % 8] || ' '
         || (ARRAY['Nordmann', 'Haugland', 'Ødegård', 'Lie'])[1 + p % 4],
       (ARRAY['tante', 'nabo', 'lærer', 'trener', 'helsesykepleier', 'fastlege', 'venn',
              'besteforelder'])[1 + p % 8],
       (ARRAY['distant_relative', 'neighbour', 'school', 'leisure_activity', 'health_nurse', 'gp',
              'family_friend', 'near_family'])[1 + p % 8],
       CASE WHEN p % 8 IN (2, 4, 5) THEN 'public' ELSE 'private' END,
       (ARRAY['maternal', 'paternal', 'both', 'not_applicable'])[1 + p % 4],
       (ARRAY['close', 'medium', 'distant'])[1 + p % 3],
       (ARRAY['supportive', 'mixed', 'strained'])[1 + p % 3],
       p % 2 = 0,
       '+479' || lpad((abs(hashtext(c.id::text || p)) % 10000000)::text, 7, '0'),
       (ARRAY['email', 'sms', 'letter', 'call'])[1 + p % 4]
  FROM cases c
  JOIN large_services s ON s.tenant_id = c.tenant_id AND c.created_by = s.caseworker,
       generate_series(1, :persons_more) AS p;

INSERT INTO plan_commitments (tenant_id, id, plan_id, council_id, user_id, text, due_on, status,
                              confirmed_at, done_at, times_done, created_at)
SELECT p.tenant_id, gen_random_uuid(), p.id, p.council_id, s.caseworker, t.text,
       p.created_at::date + t.days, 'done', p.created_at, p.created_at + t.days * interval '1 day',
       1, p.created_at
  FROM plans p
  JOIN large_services s ON s.tenant_id = p.tenant_id AND p.created_by = s.caseworker,
       (VALUES ('Henter på skolen hver tirsdag.', 14),
               ('Ringer barnet hver søndag.', 30)) AS t (text, days);

VACUUM ANALYZE;
-- What the load wrote goes to disk now, not while the pages are measured.
CHECKPOINT;
