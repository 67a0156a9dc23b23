-- One year of the demo's history (src/demo/history.rs, `YEAR`, explains it): $1 the service,
-- $2 its caseworker, $3 the first day, $4 the days it spans, $5 the municipalities, $6 the cases.
-- `tillit demo` runs it through include_str!, and bench/day.sh prepares it with psql, for ten times
-- the volume. One statement, no semicolon.
WITH n AS (
  SELECT i, gen_random_uuid() AS child_id, gen_random_uuid() AS case_id,
         gen_random_uuid() AS mother, gen_random_uuid() AS uncle,
         $3 + ((i - 1) * 6 / $6) * ($4 / 6) AS opened_on,
         greatest($4 / 6, 1) AS g
    FROM generate_series(1, $6) AS i),
children_written AS (
  INSERT INTO children (tenant_id, id, first_name, last_name, birth_year, gender)
  SELECT $1, child_id,
         (ARRAY['Alva', 'Brede', 'Cilje', 'Didrik', 'Eira', 'Fabian', 'Gunnhild', 'Halvdan',
                'Idunn', 'Jostein', 'Kaia', 'Lavrans'])[1 + (i - 1) % 12],
         (ARRAY['Tidligsen', 'Fortidsdal', 'Minnevik', 'Arkivlund'])[1 + i % 4],
         extract(year FROM opened_on)::int - 4 - i % 9,
         CASE WHEN i % 2 = 0 THEN 'girl' ELSE 'boy' END
    FROM n),
cases_written AS (
  INSERT INTO cases (tenant_id, id, child_id, phase, opened_at, phase_changed_at, created_by,
                     municipality, reference)
  SELECT $1, case_id, child_id, 'closed', opened_on + time '09:30',
         (opened_on + g) + time '15:00', $2,
         $5[1 + i % cardinality($5)],
         'ARKIV-' || extract(year FROM opened_on)::int || '-' || lpad(i::text, greatest(3, length(i::text)), '0')
    FROM n),
assigned AS (
  INSERT INTO case_assignments (tenant_id, case_id, user_id, assigned_at)
  SELECT $1, case_id, $2, opened_on + time '09:30' FROM n),
persons AS (
  INSERT INTO network_persons (tenant_id, id, case_id, name, relation, category, side, lineage,
                               closeness, quality, preferred_channel)
  SELECT $1, p.id, n.case_id, p.name, p.relation, 'near_family', 'private', p.lineage, 'close',
         'supportive', 'call'
    FROM n, LATERAL (VALUES (n.mother, 'Mor ' || n.i, 'mor', 'not_applicable'),
                            (n.uncle, 'Onkel ' || n.i, 'onkel', 'paternal'))
                    AS p (id, name, relation, lineage)),
revised AS (
  INSERT INTO map_revisions (tenant_id, id, case_id, number, revised_on, phase,
                             child_participated, persons)
  SELECT $1, gen_random_uuid(), case_id, 1,
         opened_on + CASE WHEN i % 4 = 1 THEN 31 ELSE g / 4 END,
         'investigation', true, '[]'
    FROM n),
measured AS (
  INSERT INTO costly_measures (tenant_id, id, case_id, kind, status, proposed_by, proposed_at,
                               decided_by, decided_at)
  SELECT $1, gen_random_uuid(), case_id,
         CASE i % 3 WHEN 0 THEN 'foster_home' WHEN 1 THEN 'kinship_foster_home'
                    ELSE 'network_foster_home' END,
         'decided', $2, opened_on + time '10:00',
         $2, opened_on + g / 2 + time '14:00'
    FROM n RETURNING tenant_id, id, case_id, decided_at),
checked AS (
  INSERT INTO network_checks (tenant_id, id, case_id, measure_id, kind, checked_on, result,
                              justification, recorded_by, recorded_at)
  SELECT m.tenant_id, gen_random_uuid(), m.case_id, m.id,
         CASE WHEN n.i % 2 = 1 THEN 'check' ELSE 'justification' END,
         CASE WHEN n.i % 2 = 1 THEN m.decided_at::date END,
         CASE WHEN n.i % 2 = 1 AND n.i % 3 = 0 THEN 'Ingen i nettverket kunne ta imot barnet nå.'
              WHEN n.i % 2 = 1 THEN 'Et hjem i barnets familie og nettverk kan ta imot barnet.' END,
         CASE WHEN n.i % 2 = 0 THEN 'Barnet trengte et tiltak samme dag.' END,
         $2, m.decided_at
    FROM measured m JOIN n ON n.case_id = m.case_id),
k AS (
  SELECT n.*, c.slot, gen_random_uuid() AS council_id, gen_random_uuid() AS meeting_id,
         gen_random_uuid() AS plan_id,
         (ARRAY['family_group_conference', 'network_meeting_series', 'responsibility_group',
                'network_council'])[1 + (n.i + c.slot) % 4] AS kind
    FROM n, generate_series(0, 2) AS c (slot)),
councils_written AS (
  INSERT INTO councils (tenant_id, id, case_id, kind, state, coordinator_id, team_chosen_at,
                        created_by, created_at, updated_at)
  SELECT $1, council_id, case_id, kind,
         CASE WHEN kind IN ('network_meeting_series', 'responsibility_group') THEN 'ended'
              ELSE 'closed' END,
         $2, opened_on + g / 6 + slot + time '11:00', $2,
         opened_on + time '10:00' + slot * interval '1 hour',
         opened_on + g + time '12:00'
    FROM k),
held AS (
  INSERT INTO council_meetings (tenant_id, id, council_id, starts_at, duration_minutes, place,
                                agenda, calendar_uid, confirmed_at, created_by, created_at)
  SELECT $1, meeting_id, council_id, opened_on + g / 3 + slot + time '17:00', 90, 'Møterom 2',
         '[]', gen_random_uuid(), opened_on + g / 6 + slot + time '12:00', $2,
         opened_on + g / 6 + slot + time '12:00'
    FROM k),
team AS (
  SELECT k.*, t.participant_id, t.person_id, t.user_id, t.side, t.answers
    FROM k, LATERAL (VALUES (gen_random_uuid(), k.mother, NULL::uuid, 'private', true),
                            (gen_random_uuid(), k.uncle, NULL::uuid, 'private', k.slot = 0),
                            (gen_random_uuid(), NULL::uuid, $2, 'public', k.slot = 1))
                    AS t (participant_id, person_id, user_id, side, answers)),
joined AS (
  INSERT INTO council_participants (tenant_id, id, council_id, case_id, person_id, user_id,
                                    chosen_by_child, meeting_role, side, created_at)
  SELECT $1, participant_id, council_id, case_id, person_id, user_id, person_id IS NOT NULL,
         'participant', side, opened_on + g / 6 + slot + time '10:30'
    FROM team),
invited AS (
  INSERT INTO council_invitations (tenant_id, id, council_id, meeting_id, participant_id,
                                   token_hash, expires_at, created_at)
  SELECT $1, gen_random_uuid(), council_id, meeting_id, participant_id,
         sha256(convert_to('history:' || participant_id::text, 'UTF8')),
         opened_on + g + slot + time '23:00', opened_on + g / 6 + slot + time '12:00'
    FROM team),
answered AS (
  INSERT INTO council_answers (tenant_id, meeting_id, participant_id, council_id, response,
                               answered_at, updated_at)
  SELECT $1, meeting_id, participant_id, council_id, 'accept',
         opened_on + g / 6 + slot + time '20:00', opened_on + g / 6 + slot + time '20:00'
    FROM team WHERE answers),
planned AS (
  INSERT INTO plans (tenant_id, id, council_id, case_id, status, version, submitted_at,
                     approved_at, approved_version, evaluation_on, evaluation_way,
                     evaluation_defined_at, closed_at, created_by, created_at, updated_at)
  SELECT $1, plan_id, council_id, case_id, 'closed', 2,
         opened_on + g / 3 + slot + time '19:00', opened_on + g / 3 + slot + time '19:30', 1,
         opened_on + g * 2 / 3 + slot, 'follow_up_meeting',
         opened_on + g / 3 + slot + time '19:30', opened_on + g + time '12:00', $2,
         opened_on + g / 3 + slot + time '18:00', opened_on + g + time '12:00'
    FROM k),
versioned AS (
  INSERT INTO plan_versions (tenant_id, plan_id, version, change, content, changed_by,
                             created_at)
  SELECT $1, plan_id, 1, 'evaluation_defined',
         jsonb_build_object('status', 'approved', 'goals', '[]'::jsonb,
                            'commitments', '[]'::jsonb,
                            'evaluation_on', opened_on + g * 2 / 3 + slot,
                            'evaluation_way', 'follow_up_meeting'),
         $2, opened_on + g / 3 + slot + time '19:30'
    FROM k)
INSERT INTO plan_evaluations (tenant_id, id, plan_id, held_on, took_part, child_view,
                              parents_view, decision, recorded_by, created_at)
SELECT $1, gen_random_uuid(), plan_id, opened_on + g / 2 + slot, 'Barnet, mor og onkel',
       'Barnet sa at det har gått bedre.', 'Mor er fornøyd med avtalene.', 'end', $2,
       opened_on + g / 2 + slot + time '16:00'
  FROM k WHERE (i + slot) % 4 <> 0
