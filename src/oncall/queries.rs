//! SQL on `acute_openings`, the capability's one table. Openings are only ever inserted and read.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use super::domain::NewOpening;
use super::views::OpeningView;
use crate::cases::views::CaseOpening;
use crate::db::TenantId;
use crate::db::schema::acute_openings;
use crate::jobs::Job;
use crate::web::problem::AppError;

/// An opening as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = acute_openings)]
pub struct OpeningRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub user_id: Uuid,
    pub role: String,
    pub reason: String,
    pub call_reference: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Writes an opening of `case_id`'s acute list by `user_id` in `role`, from `opened_at` until
/// `expires_at`.
#[allow(clippy::too_many_arguments)]
pub fn insert(
    conn: &mut PgConnection,
    tenant: TenantId,
    id: Uuid,
    case_id: Uuid,
    user_id: Uuid,
    role: &str,
    new: &NewOpening,
    opened_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::insert_into(acute_openings::table)
        .values((
            acute_openings::tenant_id.eq(tenant.0),
            acute_openings::id.eq(id),
            acute_openings::case_id.eq(case_id),
            acute_openings::user_id.eq(user_id),
            acute_openings::role.eq(role),
            acute_openings::reason.eq(&new.reason),
            acute_openings::call_reference.eq(&new.call_reference),
            acute_openings::opened_at.eq(opened_at),
            acute_openings::expires_at.eq(expires_at),
        ))
        .execute(conn)
}

/// The opening `id`, if it is `user`'s own: nobody reads under someone else's opening.
pub fn own(
    conn: &mut PgConnection,
    tenant: TenantId,
    id: Uuid,
    user: Uuid,
) -> QueryResult<Option<OpeningRow>> {
    acute_openings::table
        .filter(acute_openings::tenant_id.eq(tenant.0))
        .filter(acute_openings::id.eq(id))
        .filter(acute_openings::user_id.eq(user))
        .select(OpeningRow::as_select())
        .first(conn)
        .optional()
}

/// `user`'s openings still open at `now`, newest first.
pub fn open_of(
    conn: &mut PgConnection,
    tenant: TenantId,
    user: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<Vec<OpeningRow>> {
    acute_openings::table
        .filter(acute_openings::tenant_id.eq(tenant.0))
        .filter(acute_openings::user_id.eq(user))
        .filter(acute_openings::expires_at.gt(now))
        .select(OpeningRow::as_select())
        .order((acute_openings::opened_at.desc(), acute_openings::id.desc()))
        .load(conn)
}

/// One page of every opening of the service, newest first: `limit` rows after `offset`.
pub fn newest(
    conn: &mut PgConnection,
    tenant: TenantId,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<OpeningRow>> {
    acute_openings::table
        .filter(acute_openings::tenant_id.eq(tenant.0))
        .select(OpeningRow::as_select())
        .order((acute_openings::opened_at.desc(), acute_openings::id.desc()))
        .offset(offset)
        .limit(limit)
        .load(conn)
}

/// The openings of `case_id`'s acute list, newest first.
pub fn case_rows(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
) -> QueryResult<Vec<OpeningRow>> {
    acute_openings::table
        .filter(acute_openings::tenant_id.eq(tenant.0))
        .filter(acute_openings::case_id.eq(case_id))
        .select(OpeningRow::as_select())
        .order((acute_openings::opened_at.desc(), acute_openings::id.desc()))
        .load(conn)
}

/// The openings of `case_id`'s acute list, newest first, with who opened: the case page's
/// section (`cases::views::CasePageSections::openings`), read inside the case's transaction.
pub fn case_openings(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
) -> Result<Vec<CaseOpening>, AppError> {
    let rows = case_rows(conn, tenant, case_id)?;
    let names = opener_names(conn, &rows)?;
    Ok(rows
        .into_iter()
        .map(|r| CaseOpening {
            opened_by: names.get(&r.user_id).cloned().unwrap_or_default(),
            id: r.id,
            user_id: r.user_id,
            role: r.role,
            reason: r.reason,
            call_reference: r.call_reference,
            opened_at: r.opened_at,
            expires_at: r.expires_at,
        })
        .collect())
}

/// The openers' names, asked of access, which owns the staff.
fn opener_names(
    conn: &mut PgConnection,
    rows: &[OpeningRow],
) -> QueryResult<HashMap<Uuid, String>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.user_id).collect();
    crate::access::staff::names(conn, &ids)
}

/// `rows` as their readers see them at `now`: with the openers' names and the cases'
/// references (asked of access and of cases, which own them).
pub fn views(
    conn: &mut PgConnection,
    tenant: TenantId,
    rows: Vec<OpeningRow>,
    now: DateTime<Utc>,
) -> Result<Vec<OpeningView>, AppError> {
    let names = opener_names(conn, &rows)?;
    let case_ids: Vec<Uuid> = rows.iter().map(|r| r.case_id).collect();
    let references = crate::cases::queries::references(conn, tenant, &case_ids)?;
    // The notice of each opening is the job scheduled at the moment it was opened.
    let zone = crate::tenancy::settings::quiet_hours(conn)?;
    let held: Vec<(Uuid, crate::jobs::Waiting)> = crate::jobs::waiting(
        conn,
        (crate::cases::reminders::SUBJECT_KIND, &case_ids),
        &[super::notice::AcuteOpened::KIND],
        zone,
        now,
    )?
    .into_iter()
    .filter(|(_, w)| w.held)
    .collect();
    Ok(rows
        .into_iter()
        .map(|r| OpeningView {
            notice_goes_out_at: held
                .iter()
                .find(|(case, w)| *case == r.case_id && w.due_at == r.opened_at)
                .map(|(_, w)| w.leaves_at.with_timezone(&zone.0).fixed_offset()),
            opened_by: names.get(&r.user_id).cloned().unwrap_or_default(),
            case_reference: references.get(&r.case_id).cloned().flatten(),
            open: super::rules::is_open(r.expires_at, now),
            id: r.id,
            case_id: r.case_id,
            user_id: r.user_id,
            role: r.role,
            reason: r.reason,
            call_reference: r.call_reference,
            opened_at: r.opened_at,
            expires_at: r.expires_at,
        })
        .collect())
}
