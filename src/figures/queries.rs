//! The aggregates, computed in SQL inside the service's transaction (row-level security keeps
//! them to the service). Each query groups by the child's home municipality; years and months
//! are counted in the service's time zone. They read the cases', councils' and measures' tables
//! for counts only: no row of a case leaves.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Jsonb, Text};
use serde::{Deserialize, Serialize};

use crate::db::TenantId;
use crate::db::kept::{Bind, kept};
use crate::web::problem::AppError;

/// One count of one thing in one municipality ("" when the case has none recorded).
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName, Serialize, Deserialize)]
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

/// A year of the service's figures: its bounds as moments (the first moment of 1 January in the
/// service's zone, and of the next), its number, the zone and today there. Every table is
/// filtered by a range of its own column, which its statistics can estimate, rather than by
/// converting each row's moment to the zone (`AT TIME ZONE` on every row was most of the work).
#[derive(Debug, Clone)]
pub struct YearSpan {
    pub year: i32,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub zone: Tz,
    pub today: NaiveDate,
}

impl YearSpan {
    /// `year` in `zone`, seen on `today`; None for a year chrono cannot hold.
    pub fn new(year: i32, zone: Tz, today: NaiveDate) -> Option<Self> {
        let first = |y: i32| {
            NaiveDate::from_ymd_opt(y, 1, 1)
                .map(|day| crate::time::local_to_utc(day, NaiveTime::MIN, zone))
        };
        Some(Self {
            year,
            from: first(year)?,
            until: first(year + 1)?,
            zone,
            today,
        })
    }
}

/// Cases opened in the year, and of them those mapped within [`MAPPED_WITHIN_DAYS`]; councils
/// started in the year by kind; costly measures decided in the year after a network check or by
/// a justification; invitations sent in the year (a person once per meeting) and of them those
/// answered; the private and the public participants of the councils started in the year; the
/// meetings held in the year (begun and not cancelled) by their council's kind; and the plans'
/// agreed evaluation dates that fell in the year (up to yesterday), with those met by an
/// evaluation held on or before the date; and the placements decided in the year (foster homes
/// and institutions), within the child's network (kinship and network foster homes, and
/// recruitments decided yes) or not — by municipality, in one query.
///
/// A plan's agreed dates are the dates its versions have held (each evaluation recorded moves
/// the plan on to its next date); an evaluation meets the date it is the first to answer, held
/// after the plan's agreed date before it and on or before this one.
///
/// The cases' `c` is inlined into each branch (`NOT MATERIALIZED`): materialised once, the
/// planner knows nothing of its rows, guesses one, and compares every case with every
/// invitation, participant and plan version, so that the figures took a second with a few
/// hundred cases (`bench/day.sh`). What one table gives twice (cases opened and mapped early,
/// invitations sent and answered, measures and placements) is counted in one pass over it.
pub fn counts(conn: &mut PgConnection, span: &YearSpan) -> Result<Vec<Counted>, AppError> {
    Ok(kept(
        "WITH c AS NOT MATERIALIZED (
           SELECT tenant_id, id, coalesce(municipality, '') AS municipality, opened_at
             FROM cases)
         SELECT c.municipality, w.what, count(*) AS n
           FROM c,
                LATERAL (VALUES ('cases_opened', true),
                                ('mapped_early',
                                 EXISTS (SELECT 1 FROM map_revisions r
                                          WHERE r.tenant_id = c.tenant_id AND r.case_id = c.id
                                            AND r.revised_on
                                                <= (c.opened_at AT TIME ZONE $3)::date + $4)))
                        AS w (what, counted)
          WHERE c.opened_at >= $1
            AND c.opened_at < $2
            AND w.counted
          GROUP BY 1, 2
         UNION ALL
         SELECT c.municipality, 'council_' || k.kind, count(*)
           FROM councils k JOIN c ON c.tenant_id = k.tenant_id AND c.id = k.case_id
          WHERE k.created_at >= $1
            AND k.created_at < $2
          GROUP BY 1, 2
         UNION ALL
         SELECT c.municipality, w.what, count(*)
           FROM costly_measures m JOIN c ON c.tenant_id = m.tenant_id AND c.id = m.case_id,
                LATERAL (VALUES (CASE WHEN EXISTS (SELECT 1 FROM network_checks n
                                                    WHERE n.tenant_id = m.tenant_id
                                                      AND n.measure_id = m.id
                                                      AND n.kind = 'check')
                                      THEN 'measure_checked' ELSE 'measure_justified' END),
                                (CASE WHEN m.kind = 'other' THEN NULL
                                      WHEN m.kind IN ('kinship_foster_home', 'network_foster_home')
                                      THEN 'placement_network' ELSE 'placement_other' END))
                        AS w (what)
          WHERE m.status = 'decided'
            AND m.decided_at >= $1
            AND m.decided_at < $2
            AND w.what IS NOT NULL
          GROUP BY 1, 2
         UNION ALL
         SELECT c.municipality, w.what, count(*)
           FROM (SELECT DISTINCT i.tenant_id, i.council_id, i.meeting_id, i.participant_id
                   FROM council_invitations i
                  WHERE i.created_at >= $1
                    AND i.created_at < $2) i
           JOIN councils k ON k.tenant_id = i.tenant_id AND k.id = i.council_id
           JOIN c ON c.tenant_id = k.tenant_id AND c.id = k.case_id,
                LATERAL (VALUES ('invited', true),
                                ('invitations_answered',
                                 EXISTS (SELECT 1 FROM council_answers a
                                          WHERE a.tenant_id = i.tenant_id
                                            AND a.meeting_id = i.meeting_id
                                            AND a.participant_id = i.participant_id)))
                        AS w (what, counted)
          WHERE w.counted
          GROUP BY 1, 2
         UNION ALL
         SELECT c.municipality, 'participants_' || p.side, count(*)
           FROM council_participants p
           JOIN councils k ON k.tenant_id = p.tenant_id AND k.id = p.council_id
           JOIN c ON c.tenant_id = k.tenant_id AND c.id = k.case_id
          WHERE k.created_at >= $1
            AND k.created_at < $2
            AND p.removed_at IS NULL
          GROUP BY 1, 2
         UNION ALL
         SELECT c.municipality, 'meeting_' || k.kind, count(*)
           FROM council_meetings m
           JOIN councils k ON k.tenant_id = m.tenant_id AND k.id = m.council_id
           JOIN c ON c.tenant_id = k.tenant_id AND c.id = k.case_id
          WHERE m.status = 'scheduled' AND m.starts_at <= now()
            AND m.starts_at >= $1
            AND m.starts_at < $2
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
                  WHERE a.due_on >= make_date($5, 1, 1) AND a.due_on < make_date($5 + 1, 1, 1)
                    AND a.due_on < $6) w
           JOIN plans p ON p.tenant_id = w.tenant_id AND p.id = w.plan_id
           JOIN c ON c.tenant_id = p.tenant_id AND c.id = p.case_id
          GROUP BY 1, 2
         UNION ALL
         SELECT c.municipality, 'placement_network', count(*)
           FROM recruitment_candidates k
           JOIN recruitment_steps s ON s.tenant_id = k.tenant_id AND s.candidate_id = k.id
                                   AND s.step = 'decision'
           JOIN c ON c.tenant_id = k.tenant_id AND c.id = k.case_id
          WHERE k.decision = 'yes'
            AND s.done_on >= make_date($5, 1, 1) AND s.done_on < make_date($5 + 1, 1, 1)
          GROUP BY 1",
        vec![
            Bind::Moment(span.from),
            Bind::Moment(span.until),
            Bind::Text(span.zone.name().to_owned()),
            Bind::Int(MAPPED_WITHIN_DAYS),
            Bind::Int(span.year),
            Bind::Day(span.today),
        ],
    )
    .load(conn)?)
}

/// Councils started in each month of `year`, by kind.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName, Serialize, Deserialize)]
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
    span: &YearSpan,
) -> Result<Vec<Monthly>, AppError> {
    Ok(kept(
        "SELECT extract(month FROM created_at AT TIME ZONE $3)::int AS month, kind, count(*) AS n
           FROM councils
          WHERE created_at >= $1 AND created_at < $2
          GROUP BY 1, 2 ORDER BY 1, 2",
        vec![
            Bind::Moment(span.from),
            Bind::Moment(span.until),
            Bind::Text(span.zone.name().to_owned()),
        ],
    )
    .load(conn)?)
}

/// A year's counts as kept in `figure_summaries`.
#[derive(QueryableByName)]
struct KeptYear {
    #[diesel(sql_type = Jsonb)]
    counts: serde_json::Value,
    #[diesel(sql_type = Jsonb)]
    monthly: serde_json::Value,
}

/// The year's [`counts`] and [`councils_by_month`]: as kept in `figure_summaries` while nothing
/// they count has changed since (no row of the service in `figure_changes`, which the tables'
/// triggers write) and time has not moved them on (`fresh_until`: the next meeting of the year
/// to begin, or the next midnight in the service's zone); otherwise worked out again and kept.
/// The same numbers either way: one small read instead of eight aggregates over the service's
/// history on every request.
///
/// Working them out takes the service's lock for it, so two leaders do not count at once, then
/// deletes the change rows it sees (and every kept year, which those rows concerned as well)
/// before counting with a later snapshot: a change is in the counts or still in
/// `figure_changes`.
pub fn summary(
    conn: &mut PgConnection,
    tenant: TenantId,
    span: &YearSpan,
) -> Result<(Vec<Counted>, Vec<Monthly>), AppError> {
    let unreadable = |e: serde_json::Error| AppError::Internal(format!("kept figures: {e}"));
    let found: Option<KeptYear> = kept(
        "SELECT s.counts, s.monthly FROM figure_summaries s
          WHERE s.tenant_id = $1 AND s.year = $2 AND s.time_zone = $3 AND s.fresh_until > now()
            AND NOT EXISTS (SELECT 1 FROM figure_changes c WHERE c.tenant_id = $1)",
        vec![
            Bind::Id(tenant.0),
            Bind::Int(span.year),
            Bind::Text(span.zone.name().to_owned()),
        ],
    )
    .load::<KeptYear>(conn)?
    .pop();
    if let Some(year) = found {
        return Ok((
            serde_json::from_value(year.counts).map_err(unreadable)?,
            serde_json::from_value(year.monthly).map_err(unreadable)?,
        ));
    }
    kept(
        "SELECT pg_advisory_xact_lock(hashtextextended('figures ' || $1::text, 0))",
        vec![Bind::Id(tenant.0)],
    )
    .execute(conn)?;
    kept(
        "DELETE FROM figure_changes WHERE tenant_id = $1",
        vec![Bind::Id(tenant.0)],
    )
    .execute(conn)?;
    kept(
        "DELETE FROM figure_summaries WHERE tenant_id = $1",
        vec![Bind::Id(tenant.0)],
    )
    .execute(conn)?;
    let counts = self::counts(conn, span)?;
    let monthly = councils_by_month(conn, span)?;
    let midnight = span.today.succ_opt().map_or(span.until, |day| {
        crate::time::local_to_utc(day, NaiveTime::MIN, span.zone)
    });
    kept(
        "INSERT INTO figure_summaries (tenant_id, year, time_zone, counts, monthly, fresh_until)
         VALUES ($1, $2, $3, $4::jsonb, $5::jsonb,
                 least($6, (SELECT min(m.starts_at) FROM council_meetings m
                             WHERE m.tenant_id = $1 AND m.status = 'scheduled'
                               AND m.starts_at > now() AND m.starts_at >= $7
                               AND m.starts_at < $8)))
         ON CONFLICT (tenant_id, year) DO UPDATE
            SET time_zone = EXCLUDED.time_zone, counts = EXCLUDED.counts,
                monthly = EXCLUDED.monthly, fresh_until = EXCLUDED.fresh_until,
                computed_at = now()",
        vec![
            Bind::Id(tenant.0),
            Bind::Int(span.year),
            Bind::Text(span.zone.name().to_owned()),
            Bind::Text(serde_json::to_string(&counts).map_err(unreadable)?),
            Bind::Text(serde_json::to_string(&monthly).map_err(unreadable)?),
            Bind::Moment(midnight),
            Bind::Moment(span.from),
            Bind::Moment(span.until),
        ],
    )
    .execute(conn)?;
    Ok((counts, monthly))
}
