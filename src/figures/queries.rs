//! The aggregates, computed in SQL inside the service's transaction (row-level security keeps
//! them to the service). Each query groups by the child's home municipality; years and months
//! are counted in the service's time zone. They read the cases', councils' and measures' tables
//! for counts only: no row of a case leaves.

use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

use crate::web::problem::AppError;

/// One count of one thing in one municipality ("" when the case has none recorded).
#[derive(Debug, Clone, QueryableByName)]
pub struct Counted {
    #[diesel(sql_type = Text)]
    pub municipality: String,
    #[diesel(sql_type = Text)]
    pub what: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// Days after the case opened within which a first map counts as early.
pub const MAPPED_WITHIN_DAYS: i32 = 30;

/// Cases opened in `year`, and of them those mapped within [`MAPPED_WITHIN_DAYS`]; councils
/// started in `year` by kind; costly measures decided in `year` after a network check or by a
/// justification; invitations sent in `year` (a person once per meeting) and of them those
/// answered; the private and the public participants of the councils started in `year`; the
/// meetings held in `year` (begun and not cancelled) by their council's kind; and the plans'
/// agreed evaluation dates that fell in `year` (up to yesterday), with those met by an
/// evaluation held on or before the date; and the placements decided in `year` (foster homes
/// and institutions), within the child's network (kinship and network foster homes, and
/// recruitments decided yes) or not — by municipality, in one query.
///
/// A plan's agreed dates are the dates its versions have held (each evaluation recorded moves
/// the plan on to its next date); an evaluation meets the date it is the first to answer, held
/// after the plan's agreed date before it and on or before this one.
pub fn counts(conn: &mut PgConnection, year: i32, zone: &str) -> Result<Vec<Counted>, AppError> {
    Ok(diesel::sql_query(
        "WITH c AS (
           SELECT tenant_id, id, coalesce(municipality, '') AS municipality, opened_at
             FROM cases)
         SELECT c.municipality, 'cases_opened' AS what, count(*) AS n
           FROM c WHERE extract(year FROM c.opened_at AT TIME ZONE $2) = $1
          GROUP BY 1
         UNION ALL
         SELECT c.municipality, 'mapped_early', count(*)
           FROM c
          WHERE extract(year FROM c.opened_at AT TIME ZONE $2) = $1
            AND EXISTS (SELECT 1 FROM map_revisions r
                         WHERE r.tenant_id = c.tenant_id AND r.case_id = c.id
                           AND r.revised_on <= (c.opened_at AT TIME ZONE $2)::date + $3)
          GROUP BY 1
         UNION ALL
         SELECT c.municipality, 'council_' || k.kind, count(*)
           FROM councils k JOIN c ON c.tenant_id = k.tenant_id AND c.id = k.case_id
          WHERE extract(year FROM k.created_at AT TIME ZONE $2) = $1
          GROUP BY 1, 2
         UNION ALL
         SELECT c.municipality,
                CASE WHEN EXISTS (SELECT 1 FROM network_checks n
                                   WHERE n.tenant_id = m.tenant_id AND n.measure_id = m.id
                                     AND n.kind = 'check')
                     THEN 'measure_checked' ELSE 'measure_justified' END,
                count(*)
           FROM costly_measures m JOIN c ON c.tenant_id = m.tenant_id AND c.id = m.case_id
          WHERE m.status = 'decided'
            AND extract(year FROM m.decided_at AT TIME ZONE $2) = $1
          GROUP BY 1, 2
         UNION ALL
         SELECT c.municipality, 'invited', count(DISTINCT (i.meeting_id, i.participant_id))
           FROM council_invitations i JOIN councils k ON k.tenant_id = i.tenant_id AND k.id = i.council_id
           JOIN c ON c.tenant_id = k.tenant_id AND c.id = k.case_id
          WHERE extract(year FROM i.created_at AT TIME ZONE $2) = $1
          GROUP BY 1
         UNION ALL
         SELECT c.municipality, 'invitations_answered', count(DISTINCT (i.meeting_id, i.participant_id))
           FROM council_invitations i JOIN councils k ON k.tenant_id = i.tenant_id AND k.id = i.council_id
           JOIN c ON c.tenant_id = k.tenant_id AND c.id = k.case_id
          WHERE extract(year FROM i.created_at AT TIME ZONE $2) = $1
            AND EXISTS (SELECT 1 FROM council_answers a
                         WHERE a.tenant_id = i.tenant_id AND a.meeting_id = i.meeting_id
                           AND a.participant_id = i.participant_id)
          GROUP BY 1
         UNION ALL
         SELECT c.municipality, 'participants_' || p.side, count(*)
           FROM council_participants p JOIN councils k ON k.tenant_id = p.tenant_id AND k.id = p.council_id
           JOIN c ON c.tenant_id = k.tenant_id AND c.id = k.case_id
          WHERE extract(year FROM k.created_at AT TIME ZONE $2) = $1
            AND p.removed_at IS NULL
          GROUP BY 1, 2
         UNION ALL
         SELECT c.municipality, 'meeting_' || k.kind, count(*)
           FROM council_meetings m JOIN councils k ON k.tenant_id = m.tenant_id AND k.id = m.council_id
           JOIN c ON c.tenant_id = k.tenant_id AND c.id = k.case_id
          WHERE m.status = 'scheduled' AND m.starts_at <= now()
            AND extract(year FROM m.starts_at AT TIME ZONE $2) = $1
          GROUP BY 1, 2
         UNION ALL
         SELECT c.municipality,
                CASE WHEN w.met THEN 'evaluations_on_time' ELSE 'evaluations_late' END,
                count(*)
           FROM (SELECT a.tenant_id, a.plan_id, a.due_on,
                        EXISTS (SELECT 1 FROM plan_evaluations e
                                 WHERE e.tenant_id = a.tenant_id AND e.plan_id = a.plan_id
                                   AND e.held_on <= a.due_on
                                   AND (a.after_on IS NULL OR e.held_on > a.after_on)) AS met
                   FROM (SELECT d.tenant_id, d.plan_id, d.due_on,
                                lag(d.due_on) OVER (PARTITION BY d.tenant_id, d.plan_id
                                                    ORDER BY d.due_on) AS after_on
                           FROM (SELECT DISTINCT v.tenant_id, v.plan_id,
                                        (v.content->>'evaluation_on')::date AS due_on
                                   FROM plan_versions v
                                  WHERE v.content->>'evaluation_on' IS NOT NULL) d) a
                  WHERE extract(year FROM a.due_on) = $1
                    AND a.due_on < (now() AT TIME ZONE $2)::date) w
           JOIN plans p ON p.tenant_id = w.tenant_id AND p.id = w.plan_id
           JOIN c ON c.tenant_id = p.tenant_id AND c.id = p.case_id
          GROUP BY 1, 2
         UNION ALL
         SELECT c.municipality,
                CASE WHEN m.kind IN ('kinship_foster_home', 'network_foster_home')
                     THEN 'placement_network' ELSE 'placement_other' END,
                count(*)
           FROM costly_measures m JOIN c ON c.tenant_id = m.tenant_id AND c.id = m.case_id
          WHERE m.status = 'decided' AND m.kind <> 'other'
            AND extract(year FROM m.decided_at AT TIME ZONE $2) = $1
          GROUP BY 1, 2
         UNION ALL
         SELECT c.municipality, 'placement_network', count(*)
           FROM recruitment_candidates k
           JOIN recruitment_steps s ON s.tenant_id = k.tenant_id AND s.candidate_id = k.id
                                   AND s.step = 'decision'
           JOIN c ON c.tenant_id = k.tenant_id AND c.id = k.case_id
          WHERE k.decision = 'yes' AND extract(year FROM s.done_on) = $1
          GROUP BY 1",
    )
    .bind::<Integer, _>(year)
    .bind::<Text, _>(zone)
    .bind::<Integer, _>(MAPPED_WITHIN_DAYS)
    .load(conn)?)
}

/// Councils started in each month of `year`, by kind.
#[derive(Debug, Clone, QueryableByName)]
pub struct Monthly {
    #[diesel(sql_type = Integer)]
    pub month: i32,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

pub fn councils_by_month(
    conn: &mut PgConnection,
    year: i32,
    zone: &str,
) -> Result<Vec<Monthly>, AppError> {
    Ok(diesel::sql_query(
        "SELECT extract(month FROM created_at AT TIME ZONE $2)::int AS month, kind, count(*) AS n
           FROM councils
          WHERE extract(year FROM created_at AT TIME ZONE $2) = $1
          GROUP BY 1, 2 ORDER BY 1, 2",
    )
    .bind::<Integer, _>(year)
    .bind::<Text, _>(zone)
    .load(conn)?)
}
