//! One function per use case of on-call access, called alike by the JSON API
//! ([`super::handlers`]) and the pages ([`super::pages`]). Each runs in one tenant transaction
//! with its audit row; a refused opening writes nothing but the audit row of the attempt.

use chrono::Duration;
use serde_json::json;
use uuid::Uuid;

use super::domain::{LOOKUP_LIMIT, NewOpening, OPEN_HOURS, OpeningRequest, lookup_text};
use super::queries;
use super::rules::{self, REVIEWER_ROLES, opener};
use super::views::{LookupResult, OpenedAcuteList, OpeningPage, OpeningView};
use crate::access::Caller;
use crate::audit;
use crate::cases::access::{case_for_acute_opening, read_list};
use crate::cases::views::CaseChoice;
use crate::web::AppState;
use crate::web::problem::AppError;

/// Rows on one page of the review list.
pub const PAGE_SIZE: i64 = 50;

/// The cases whose reference is `q` or whose child's name holds its words, with only what tells
/// the children apart. Audited as `acute.lookup` (how many were found, never what was typed).
pub async fn lookup(state: &AppState, caller: &Caller, q: &str) -> Result<LookupResult, AppError> {
    opener(caller)?;
    let text = lookup_text(q)?;
    let caller = caller.clone();
    state
        .db
        .tenant(caller.tenant, move |conn| {
            let mut cases = crate::cases::queries::on_call_choices(
                conn,
                caller.tenant,
                &text,
                LOOKUP_LIMIT + 1,
            )?;
            let more = cases.len() > usize::try_from(LOOKUP_LIMIT).unwrap_or(usize::MAX);
            cases.truncate(usize::try_from(LOOKUP_LIMIT).unwrap_or(usize::MAX));
            audit::record(
                conn,
                caller.tenant,
                caller
                    .audit("acute.lookup")
                    .details(json!({ "count": cases.len(), "more": more })),
            )?;
            Ok::<_, AppError>(LookupResult { cases, more })
        })
        .await
}

/// The case `case_id` as the lookup offered it, for the opening's form. Audited as
/// `acute.lookup` of that case.
pub async fn choice(
    state: &AppState,
    caller: &Caller,
    case_id: Uuid,
) -> Result<CaseChoice, AppError> {
    opener(caller)?;
    let caller = caller.clone();
    state
        .db
        .tenant(caller.tenant, move |conn| {
            let case = case_for_acute_opening(conn, caller.tenant, case_id)?;
            let choice = crate::cases::queries::on_call_choice(conn, caller.tenant, &case)?;
            audit::record(
                conn,
                caller.tenant,
                caller.audit("acute.lookup").object("case", case.id),
            )?;
            Ok::<_, AppError>(choice)
        })
        .await
}

/// Opens the case's acute list for [`OPEN_HOURS`] hours with the stated reason. Without a
/// reason (or with a field wrong) nothing is written but the attempt's audit row (`acute.open`,
/// outcome denied); an unknown case is not found, and audited the same way.
pub async fn open(
    state: &AppState,
    caller: &Caller,
    request: OpeningRequest,
) -> Result<OpeningView, AppError> {
    let user = opener(caller)?;
    let case_id = request
        .case_id
        .ok_or_else(|| AppError::field("case_id", "choose the case"))?;
    let now = state.clock.now();
    let caller = caller.clone();
    state
        .db
        .tenant(caller.tenant, move |conn| {
            let denied = |conn: &mut diesel::PgConnection, why: serde_json::Value| {
                audit::record(
                    conn,
                    caller.tenant,
                    caller
                        .audit("acute.open")
                        .object("case", case_id)
                        .denied()
                        .details(why),
                )
            };
            let case = match case_for_acute_opening(conn, caller.tenant, case_id) {
                Ok(case) => case,
                Err(AppError::NotFound) => {
                    denied(conn, json!({ "refused": "not_found" }))?;
                    return Ok(Err(AppError::NotFound));
                }
                Err(other) => return Err(other),
            };
            let new = match NewOpening::parse(&request) {
                Ok(new) => new,
                Err(err) => {
                    let fields: Vec<String> = match &err {
                        AppError::Validation(f) => f.iter().map(|f| f.field.clone()).collect(),
                        _ => Vec::new(),
                    };
                    let refused = if fields.iter().any(|f| f == "reason")
                        && request.reason.trim().is_empty()
                    {
                        "no_reason"
                    } else {
                        "invalid"
                    };
                    denied(conn, json!({ "refused": refused, "fields": fields }))?;
                    return Ok(Err(err));
                }
            };
            let id = Uuid::now_v7();
            let expires_at = now + Duration::hours(OPEN_HOURS);
            queries::insert(
                conn,
                caller.tenant,
                id,
                case.id,
                user,
                caller.role.as_str(),
                &new,
                now,
                expires_at,
            )?;
            // The case's staff are told, neutrally, once quiet hours are over.
            crate::jobs::schedule(
                conn,
                caller.tenant,
                &crate::jobs::NewJob::new(
                    &super::notice::AcuteOpened { case_id: case.id },
                    now,
                    Some(crate::cases::reminders::subject(case.id)),
                ),
            )?;
            audit::record(
                conn,
                caller.tenant,
                caller
                    .audit("acute.open")
                    .object("acute_opening", id)
                    .details(json!({
                        "case_id": case.id,
                        "expires_at": expires_at,
                        "call_reference": new.call_reference.is_some(),
                    })),
            )?;
            let row = queries::own(conn, caller.tenant, id, user)?.ok_or(AppError::NotFound)?;
            let view = queries::views(conn, caller.tenant, vec![row], now)?
                .pop()
                .ok_or(AppError::NotFound)?;
            Ok(Ok(view))
        })
        .await?
}

/// What reading under an opening gives: the list while it is open, or the opening that has
/// closed (a new opening needs a new reason).
#[derive(Debug, Clone)]
pub enum Reading {
    Open(Box<OpenedAcuteList>),
    Closed(Box<OpeningView>),
}

/// The acute list of the case the caller opened (`opening_id`, their own), while it is open.
/// Audited as `acute.read` of the case; after the 12 hours the read is refused and the attempt
/// audited (outcome denied). Someone else's opening is not found.
pub async fn read(
    state: &AppState,
    caller: &Caller,
    opening_id: Uuid,
) -> Result<Reading, AppError> {
    let user = opener(caller)?;
    let now = state.clock.now();
    let caller = caller.clone();
    state
        .db
        .tenant(caller.tenant, move |conn| {
            let row =
                queries::own(conn, caller.tenant, opening_id, user)?.ok_or(AppError::NotFound)?;
            let case_id = row.case_id;
            let view = queries::views(conn, caller.tenant, vec![row], now)?
                .pop()
                .ok_or(AppError::NotFound)?;
            let entry = caller
                .audit("acute.read")
                .object("case", case_id)
                .details(json!({ "opening_id": opening_id }));
            if !view.open {
                audit::record(conn, caller.tenant, entry.denied())?;
                return Ok(Reading::Closed(Box::new(view)));
            }
            let case = case_for_acute_opening(conn, caller.tenant, case_id)?;
            let list = crate::cases::queries::acute_list(conn, caller.tenant, &case)?;
            audit::record(
                conn,
                caller.tenant,
                entry.details(json!({ "opening_id": opening_id, "count": list.persons.len() })),
            )?;
            Ok::<_, AppError>(Reading::Open(Box::new(OpenedAcuteList {
                opening: view,
                acute_list: list,
            })))
        })
        .await
}

/// The caller's own openings that are still open, newest first.
pub async fn mine(state: &AppState, caller: &Caller) -> Result<Vec<OpeningView>, AppError> {
    let user = opener(caller)?;
    let now = state.clock.now();
    let caller = caller.clone();
    state
        .db
        .tenant(caller.tenant, move |conn| {
            let rows = queries::open_of(conn, caller.tenant, user, now)?;
            queries::views(conn, caller.tenant, rows, now)
        })
        .await
}

/// Every opening of the service, newest first, [`PAGE_SIZE`] to a page, for the leader and the
/// service's admin to review: the case by its reference, who, when, why, open or closed.
/// Audited as `acute.review`.
pub async fn review(
    state: &AppState,
    caller: &Caller,
    page: Option<u32>,
) -> Result<OpeningPage, AppError> {
    caller.require(&REVIEWER_ROLES)?;
    let page = page.unwrap_or(1).max(1);
    let now = state.clock.now();
    let caller = caller.clone();
    state
        .db
        .tenant(caller.tenant, move |conn| {
            let offset = i64::from(page - 1) * PAGE_SIZE;
            let mut rows = queries::newest(conn, caller.tenant, offset, PAGE_SIZE + 1)?;
            let more = rows.len() > usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX);
            rows.truncate(usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX));
            let openings = queries::views(conn, caller.tenant, rows, now)?;
            audit::record(
                conn,
                caller.tenant,
                caller
                    .audit("acute.review")
                    .details(json!({ "page": page, "count": openings.len() })),
            )?;
            Ok::<_, AppError>(OpeningPage {
                openings,
                page,
                more,
            })
        })
        .await
}

/// The openings of a case's acute list, for the staff assigned to the case (through
/// [`with_case`], audited as `case.acute_openings`).
pub async fn for_case(
    state: &AppState,
    caller: &Caller,
    case_id: Uuid,
) -> Result<Vec<OpeningView>, AppError> {
    let now = state.clock.now();
    read_list(
        &state.db,
        caller,
        case_id,
        "case.acute_openings",
        move |conn, c| {
            let rows = queries::case_rows(conn, c.tenant, c.case.id)?;
            queries::views(conn, c.tenant, rows, now)
        },
    )
    .await
}

/// Whether `view` is open at the state's now (for pages that show an opening).
pub fn open_now(state: &AppState, view: &OpeningView) -> bool {
    rules::is_open(view.expires_at, state.clock.now())
}
