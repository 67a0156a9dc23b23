-- bench/day.sh: BENCH_SCALE times the demo's volume, written as the database's owner after the
-- demo's own history statement (src/demo/history.sql) has been prepared as `history_year`
-- (bench/day.sh puts that in front of this file). psql variables: tenant, admin (who holds the
-- open cases), municipalities (a text[] literal) and scale.
\set ON_ERROR_STOP on
BEGIN;

-- The service's today in its own time zone, as `tillit demo` reckons it, and its years.
SELECT (now() AT TIME ZONE time_zone)::date AS today,
       extract(year FROM now() AT TIME ZONE time_zone)::int AS this_year
  FROM tenants WHERE id = :'tenant' \gset

-- The history is held by a caseworker, as in the demo, so no start page lists it.
INSERT INTO users (tenant_id, id, email, display_name, role)
VALUES (:'tenant', gen_random_uuid(), 'saksbehandler@benkvik.example', 'Siri Saksbehandler',
        'caseworker')
RETURNING id AS caseworker \gset

-- Two years of history, as the demo writes it (history::write): all of last year and this year
-- up to yesterday, 12 × scale closed cases a year, each with three councils.
EXECUTE history_year(:'tenant', :'caseworker', make_date(:this_year - 1, 1, 1),
                     make_date(:this_year - 1, 12, 31) - make_date(:this_year - 1, 1, 1),
                     :'municipalities', 12 * :scale);
EXECUTE history_year(:'tenant', :'caseworker', make_date(:this_year, 1, 1),
                     greatest(:'today'::date - 1 - make_date(:this_year, 1, 1), 0),
                     :'municipalities', 12 * :scale);

-- 5 × scale open cases held by the admin. Case i:
--   i % 10 = 1: nothing mapped yet (the "no map" prompt), and no council;
--   otherwise eight persons, their snapshot saved as revision 1 (i % 5 = 2: nobody on the
--   public side; i % 7 = 3: nobody who can step in; i % 3 = 0: the phase changed since, so
--   the map is stale), a network council in preparation with a meeting within two weeks whose
--   three invitations went out eight days ago (one answered, two unanswered after both chases),
--   and for three cases in five a family group conference following up an approved plan with
--   its evaluation from five days ago to four weeks ahead and two of its three commitments
--   overdue.
CREATE TEMP TABLE bench_open AS
SELECT i, gen_random_uuid() AS child_id, gen_random_uuid() AS case_id,
       gen_random_uuid() AS council_id, gen_random_uuid() AS meeting_id,
       gen_random_uuid() AS conference_id, gen_random_uuid() AS held_id,
       gen_random_uuid() AS plan_id,
       now() - (20 + (i * 37) % 400) * interval '1 day' AS opened_at
  FROM generate_series(1, 5 * :scale) AS i;

INSERT INTO children (tenant_id, id, first_name, last_name, birth_year, gender)
SELECT :'tenant', child_id,
       (ARRAY['Emma', 'Noah', 'Sofie', 'Jakob', 'Nora', 'Filip', 'Ella', 'Lukas', 'Maja',
              'Oskar', 'Ingrid', 'Aksel'])[1 + i % 12],
       (ARRAY['Benkvik', 'Målestad', 'Tidtaker', 'Lastberg', 'Svartid'])[1 + i % 5],
       2009 + i % 14, CASE WHEN i % 2 = 0 THEN 'girl' ELSE 'boy' END
  FROM bench_open;

INSERT INTO cases (tenant_id, id, child_id, phase, acute, opened_at, phase_changed_at,
                   created_by, municipality, reference)
SELECT :'tenant', case_id, child_id,
       (ARRAY['investigation', 'support_measures', 'care', 'after_care'])[1 + i % 4],
       i % 10 = 0, opened_at,
       CASE WHEN i % 3 = 0 THEN opened_at + interval '12 days' ELSE opened_at END,
       :'admin', (:'municipalities'::text[])[1 + i % cardinality(:'municipalities'::text[])],
       'BENK-' || lpad(i::text, 4, '0')
  FROM bench_open;

INSERT INTO case_assignments (tenant_id, case_id, user_id, assigned_at)
SELECT :'tenant', case_id, :'admin', opened_at FROM bench_open;

INSERT INTO network_persons (tenant_id, id, case_id, name, relation, category, side, lineage,
                             closeness, quality, can_strengthen, can_step_in, step_in_how, phone,
                             preferred_channel, created_at, updated_at)
SELECT :'tenant', gen_random_uuid(), o.case_id,
       (ARRAY['Kari', 'Ola', 'Ingrid', 'Per', 'Solveig', 'Nils', 'Åse', 'Bjørn'])[p] || ' '
         || (ARRAY['Nordmann', 'Haugland', 'Ødegård', 'Lie'])[1 + (o.i + p) % 4],
       (ARRAY['mormor', 'onkel', 'tante', 'nabo', 'lærer', 'trener', 'helsesykepleier',
              'fastlege'])[p],
       (ARRAY['near_family', 'distant_relative', 'other_parent_family', 'neighbour', 'school',
              'leisure_activity', 'health_nurse', 'gp'])[p],
       CASE WHEN p >= 5 AND o.i % 5 <> 2 THEN 'public' ELSE 'private' END,
       (ARRAY['maternal', 'paternal', 'both', 'not_applicable'])[1 + p % 4],
       (ARRAY['close', 'medium', 'distant'])[1 + p % 3],
       (ARRAY['supportive', 'mixed', 'strained'])[1 + (o.i + p) % 3],
       p % 2 = 0,
       p IN (1, 3) AND o.i % 7 <> 3,
       CASE WHEN p IN (1, 3) AND o.i % 7 <> 3 THEN 'Kan hente på skolen og ha barnet noen netter' END,
       '+479' || lpad(((o.i * 8 + p) % 10000000)::text, 7, '0'),
       (ARRAY['email', 'sms', 'letter', 'call'])[1 + p % 4],
       o.opened_at + interval '2 days', o.opened_at + interval '2 days'
  FROM bench_open o, generate_series(1, 8) AS p
 WHERE o.i % 10 <> 1;

INSERT INTO map_revisions (tenant_id, id, case_id, number, revised_on, phase, child_participated,
                           participation, persons, created_by, created_at)
SELECT :'tenant', gen_random_uuid(), o.case_id, 1, (o.opened_at + interval '5 days')::date,
       c.phase, true, 'Tegnet kartet med koordinator',
       (SELECT jsonb_agg(jsonb_build_object(
                 'id', p.id, 'name', p.name, 'relation', p.relation, 'category', p.category,
                 'side', p.side, 'lineage', p.lineage, 'closeness', p.closeness,
                 'quality', p.quality, 'can_strengthen', p.can_strengthen,
                 'can_step_in', p.can_step_in, 'step_in_how', p.step_in_how,
                 'reachable_when', p.reachable_when, 'can_take_child', p.can_take_child,
                 'email', p.email, 'phone', p.phone, 'address', p.address,
                 'preferred_channel', p.preferred_channel, 'email_too', p.email_too,
                 'abroad_other_culture', p.abroad_other_culture) ORDER BY p.name, p.id)
          FROM network_persons p WHERE p.tenant_id = :'tenant' AND p.case_id = o.case_id),
       :'admin', o.opened_at + interval '5 days'
  FROM bench_open o JOIN cases c ON c.tenant_id = :'tenant' AND c.id = o.case_id
 WHERE o.i % 10 <> 1;

-- The network council in preparation, with the child's texts, its team (two from the map, the
-- admin) and a meeting within two weeks.
INSERT INTO councils (tenant_id, id, case_id, kind, state, coordinator_id, team_chosen_at,
                      created_by, created_at, updated_at)
SELECT :'tenant', council_id, case_id, 'network_council', 'preparation', :'admin',
       now() - interval '9 days', :'admin', now() - interval '20 days', now() - interval '8 days'
  FROM bench_open WHERE i % 10 <> 1;

INSERT INTO council_texts (tenant_id, id, council_id, kind, position, text, author,
                           child_confirmed_at, shared, recorded_by, created_at)
SELECT :'tenant', gen_random_uuid(), o.council_id, t.kind, t.position, t.text, 'child',
       now() - interval '12 days', true, :'admin', now() - interval '14 days'
  FROM bench_open o,
       (VALUES ('situation', 0, 'Jeg bor med mamma og vil at det skal bli roligere hjemme.'),
               ('question', 1, 'Hvem kan hente meg på skolen når mamma ikke orker?'),
               ('question', 2, 'Hvor kan jeg være i helgene?'),
               ('question', 3, 'Hvem kan jeg ringe når det er vanskelig?')) AS t (kind, position, text)
 WHERE o.i % 10 <> 1;

CREATE TEMP TABLE bench_team AS
SELECT o.i, o.case_id, o.council_id, o.meeting_id, gen_random_uuid() AS participant_id,
       t.person_id, t.user_id, t.side, t.slot
  FROM bench_open o,
       LATERAL (SELECT p.id AS person_id, NULL::uuid AS user_id, 'private' AS side,
                       row_number() OVER (ORDER BY p.name, p.id) AS slot
                  FROM network_persons p
                 WHERE p.tenant_id = :'tenant' AND p.case_id = o.case_id AND p.side = 'private'
                 ORDER BY p.name, p.id LIMIT 2) AS t
 WHERE o.i % 10 <> 1
UNION ALL
SELECT o.i, o.case_id, o.council_id, o.meeting_id, gen_random_uuid(), NULL, :'admin', 'public', 3
  FROM bench_open o WHERE o.i % 10 <> 1;

INSERT INTO council_participants (tenant_id, id, council_id, case_id, person_id, user_id,
                                  chosen_by_child, meeting_role, side, created_at)
SELECT :'tenant', participant_id, council_id, case_id, person_id, user_id, person_id IS NOT NULL,
       'participant', side, now() - interval '10 days'
  FROM bench_team;

INSERT INTO council_meetings (tenant_id, id, council_id, starts_at, duration_minutes, place,
                              agenda, calendar_uid, confirmed_at, created_by, created_at)
SELECT :'tenant', meeting_id, council_id,
       date_trunc('day', now()) + (1 + i % 13) * interval '1 day' + interval '15 hours',
       90, 'Møterom 2', '[]', gen_random_uuid(), now() - interval '8 days', :'admin',
       now() - interval '8 days'
  FROM bench_open WHERE i % 10 <> 1;

INSERT INTO council_invitations (tenant_id, id, council_id, meeting_id, participant_id,
                                 token_hash, expires_at, created_at)
SELECT :'tenant', gen_random_uuid(), council_id, meeting_id, participant_id,
       sha256(convert_to('bench:' || participant_id::text, 'UTF8')),
       now() + interval '30 days', now() - interval '8 days'
  FROM bench_team;

INSERT INTO council_answers (tenant_id, meeting_id, participant_id, council_id, response,
                             answered_at, updated_at)
SELECT :'tenant', meeting_id, participant_id, council_id, 'accept', now() - interval '7 days',
       now() - interval '7 days'
  FROM bench_team WHERE slot = 1;

-- The family group conference following up its approved plan, for three cases in five.
INSERT INTO councils (tenant_id, id, case_id, kind, state, coordinator_id, team_chosen_at,
                      created_by, created_at, updated_at)
SELECT :'tenant', conference_id, case_id, 'family_group_conference', 'follow_up', :'admin',
       opened_at + interval '6 days', :'admin', opened_at + interval '3 days',
       opened_at + interval '15 days'
  FROM bench_open WHERE i % 10 <> 1 AND i % 5 IN (0, 2, 4);

CREATE TEMP TABLE bench_family AS
SELECT o.i, o.case_id, o.conference_id, o.held_id, o.plan_id, o.opened_at,
       gen_random_uuid() AS participant_id, p.id AS person_id
  FROM bench_open o
  JOIN LATERAL (SELECT id FROM network_persons
                 WHERE tenant_id = :'tenant' AND case_id = o.case_id AND side = 'private'
                 ORDER BY name, id LIMIT 1) AS p ON true
 WHERE o.i % 10 <> 1 AND o.i % 5 IN (0, 2, 4);

INSERT INTO council_participants (tenant_id, id, council_id, case_id, person_id,
                                  chosen_by_child, meeting_role, side, created_at)
SELECT :'tenant', participant_id, conference_id, case_id, person_id, true, 'participant',
       'private', opened_at + interval '5 days'
  FROM bench_family;

INSERT INTO council_meetings (tenant_id, id, council_id, starts_at, duration_minutes, place,
                              agenda, calendar_uid, confirmed_at, created_by, created_at)
SELECT :'tenant', held_id, conference_id, opened_at + interval '12 days 17 hours', 180,
       'Møterom 1', '[]', gen_random_uuid(), opened_at + interval '7 days', :'admin',
       opened_at + interval '7 days'
  FROM bench_family;

INSERT INTO council_invitations (tenant_id, id, council_id, meeting_id, participant_id,
                                 token_hash, expires_at, created_at)
SELECT :'tenant', gen_random_uuid(), conference_id, held_id, participant_id,
       sha256(convert_to('bench-family:' || participant_id::text, 'UTF8')),
       now() + interval '60 days', opened_at + interval '7 days'
  FROM bench_family;

INSERT INTO council_answers (tenant_id, meeting_id, participant_id, council_id, response,
                             answered_at, updated_at)
SELECT :'tenant', held_id, participant_id, conference_id, 'accept',
       opened_at + interval '8 days', opened_at + interval '8 days'
  FROM bench_family;

INSERT INTO plans (tenant_id, id, council_id, case_id, status, version, submitted_at,
                   approved_at, approved_version, evaluation_on, evaluation_way,
                   evaluation_defined_at, created_by, created_at, updated_at)
SELECT :'tenant', plan_id, conference_id, case_id, 'approved', 1,
       opened_at + interval '13 days', opened_at + interval '14 days', 1,
       :'today'::date - 5 + (i * 11) % 33, 'follow_up_meeting', opened_at + interval '14 days',
       :'admin', opened_at + interval '12 days', opened_at + interval '14 days'
  FROM bench_family;

INSERT INTO plan_versions (tenant_id, plan_id, version, change, content, changed_by, created_at)
SELECT :'tenant', plan_id, 1, 'approved',
       jsonb_build_object('status', 'approved', 'goals', '[]'::jsonb, 'commitments', '[]'::jsonb,
                          'evaluation_on', :'today'::date - 5 + (i * 11) % 33,
                          'evaluation_way', 'follow_up_meeting'),
       :'admin', opened_at + interval '14 days'
  FROM bench_family;

INSERT INTO plan_goals (tenant_id, id, plan_id, position, text, author, created_at)
SELECT :'tenant', gen_random_uuid(), plan_id, g.position, g.text, 'child',
       opened_at + interval '12 days'
  FROM bench_family,
       (VALUES (1, 'Jeg vil ha noen å ringe når det er vanskelig.'),
               (2, 'Jeg vil være hos mormor annenhver helg.')) AS g (position, text);

INSERT INTO plan_commitments (tenant_id, id, plan_id, council_id, participant_id, user_id, text,
                              due_on, status, confirmed_at, created_at)
SELECT :'tenant', gen_random_uuid(), f.plan_id, f.conference_id,
       CASE WHEN c.n < 3 THEN f.participant_id END, CASE WHEN c.n = 3 THEN :'admin'::uuid END,
       c.text, :'today'::date + c.days,
       CASE WHEN c.n = 1 THEN 'confirmed' ELSE 'open' END,
       CASE WHEN c.n = 1 THEN f.opened_at + interval '15 days' END, f.opened_at + interval '12 days'
  FROM bench_family f,
       (VALUES (1, 'Henter på skolen hver tirsdag.', -9),
               (2, 'Ringer barnet hver søndag.', -2),
               (3, 'Avtaler time hos helsesykepleier.', 10)) AS c (n, text, days);

COMMIT;

ANALYZE;
