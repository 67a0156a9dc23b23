//! The changes to a case that set timed reminders going or stop them, shared by the JSON API, the
//! pages and the demo data, so each path schedules the same jobs in the same transaction as the
//! change: opening a case, changing its phase, correcting the child's details.

use diesel::PgConnection;
use serde_json::json;
use uuid::Uuid;

use super::access::{Audited, CaseCtx};
use super::domain::{CaseUpdate, ChildRequest, NewCase, NewChild, Phase};
use super::queries::{self, CaseRow, TenantClock};
use super::{reminders, transition};
use crate::db::TenantId;
use crate::web::problem::AppError;

/// Opens a case for `new`'s child, assigned to `creator`, with the reminder for when the child
/// turns 17½.
pub fn open_case(
    conn: &mut PgConnection,
    tenant: TenantId,
    creator: Uuid,
    new: &NewCase,
    clock: &TenantClock,
) -> Result<CaseRow, AppError> {
    let id = queries::create_case(conn, tenant, creator, new)?;
    let case = queries::case_row(conn, tenant, id)?;
    transition::schedule(conn, tenant, &case, clock)?;
    Ok(case)
}

/// Changes the phase and/or the acute flag. Closing the case cancels its reminders; reopening it
/// writes the 17½ reminder again (the map review waits for the next revision).
pub fn update_case(
    conn: &mut PgConnection,
    ctx: &CaseCtx,
    update: CaseUpdate,
) -> Result<(CaseRow, Audited), AppError> {
    let was_closed = ctx.case.phase()? == Phase::Closed;
    let case = queries::update_case(conn, ctx.tenant, &ctx.case, &update)?;
    match (was_closed, case.phase()? == Phase::Closed) {
        (false, true) => {
            reminders::cancel_review(conn, ctx.tenant, case.id)?;
            transition::cancel(conn, ctx.tenant, case.id)?;
        }
        (true, false) => transition::schedule(conn, ctx.tenant, &case, &ctx.clock)?,
        _ => {}
    }
    let audited = Audited::case(case.id).with(json!({
        "phase": update.phase,
        "acute": update.acute,
        "reference_changed": update.reference.is_some(),
        "municipality": update.municipality.as_ref().map(|k| k.as_str()),
    }));
    Ok((case, audited))
}

/// Replaces the child's details with `req`. A new birth date or year moves the 17½ reminder. The
/// audit row names the details that changed, never their values.
pub fn update_child(
    conn: &mut PgConnection,
    ctx: &CaseCtx,
    req: &ChildRequest,
) -> Result<Audited, AppError> {
    let child = NewChild::parse(req, ctx.clock.today)?;
    let changes = queries::update_child(conn, ctx.tenant, ctx.case.child_id, &child)?;
    if changes.birth() {
        transition::schedule(conn, ctx.tenant, &ctx.case, &ctx.clock)?;
    }
    Ok(
        Audited::within("child", ctx.case.child_id, ctx.case.id).with(json!({
            "changed": changes.0,
        })),
    )
}
