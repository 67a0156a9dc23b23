//! Two years of the service's past, so that the leader's figures and charts have something to
//! show for this year and the last: closed cases of invented children, each mapped (most within
//! 30 days), a placement decided after a network check or with a justification (two in three
//! of them in a kinship or network foster home, one in three in another foster home), and three
//! councils — the kinds in turn — with a meeting held, three invited (two private, one public;
//! most of them answered), and a plan whose agreed evaluation was held on time for three plans
//! in four. The cases open two at a time every two months, so each of those months starts six
//! councils. Every count the figures show from it is 5 or more for the whole service.
//!
//! It is written with SQL, back-dated, in one statement per year: the rules of the pages are for
//! the present, and the past only needs to be consistent. The cases are closed and held by the
//! service's caseworker, so no case is left without staff and no start page lists them. Their
//! links' hashes are of no token Tillit ever made, so none of them opens a page.

use chrono::{Datelike, NaiveDate};
use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, Date, Integer, Text, Uuid as SqlUuid};
use uuid::Uuid;

use crate::db::TenantId;
use crate::web::problem::AppError;

/// Closed cases written per year and service; each has three councils.
pub const CASES_PER_YEAR: i32 = 12;

/// One year of history ($1 the service, $2 its caseworker): $6 cases opened from $3 over $4
/// days, a sixth of them at the start of each sixth of it (their stories end by $3 + $4), spread
/// over the municipalities $5. `bench/day.sh` runs it too, for ten times the volume.
pub const YEAR: &str = include_str!("history.sql");

/// Writes this year's history up to yesterday and all of last year's, for the service's
/// `municipalities`, held by `caseworker`; returns how many cases were written.
pub fn write(
    conn: &mut PgConnection,
    tenant: TenantId,
    caseworker: Uuid,
    municipalities: &[String],
    today: NaiveDate,
) -> Result<usize, AppError> {
    let mut written = 0;
    for year in [today.year() - 1, today.year()] {
        let Some(start) = NaiveDate::from_ymd_opt(year, 1, 1) else {
            continue;
        };
        let end = if year == today.year() {
            today.pred_opt().unwrap_or(today)
        } else {
            NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(start)
        };
        let span = i32::try_from((end - start).num_days()).unwrap_or(0).max(0);
        written += diesel::sql_query(YEAR)
            .bind::<SqlUuid, _>(tenant.0)
            .bind::<SqlUuid, _>(caseworker)
            .bind::<Date, _>(start)
            .bind::<Integer, _>(span)
            .bind::<Array<Text>, _>(municipalities)
            .bind::<Integer, _>(CASES_PER_YEAR)
            .execute(conn)
            .map(|_| CASES_PER_YEAR as usize)?;
    }
    Ok(written)
}
