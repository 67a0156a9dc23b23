//! Who may open a case: the one rule every read and write of case data goes through.
//!
//! A case is visible only to a caller whose staff member is assigned to it. Roles do not widen
//! that: a tenant admin sees a case only if assigned, a leader sees aggregate figures and never a
//! case, and an API key that acts for nobody sees no case at all. Everything else answers
//! 404 — an unassigned case, another service's case and a case that does not exist look alike, so
//! an id reveals nothing.

use diesel::PgConnection;
use diesel::dsl::exists;
use diesel::prelude::*;
use serde_json::{Value, json};
use uuid::Uuid;

use super::queries::{CaseRow, TenantClock};
use crate::access::{Caller, Role};
use crate::audit;
use crate::db::schema::{case_assignments, cases};
use crate::db::{Db, TenantId};
use crate::web::problem::AppError;

/// What the caller is about to do with the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    Read,
    /// Locks the case row until the transaction ends, so concurrent writes to one case (two
    /// revisions numbered at once, a decision racing a withdrawal) happen one after the other.
    Write,
}

/// The staff member whose assignments decide which cases the caller sees, if any.
pub fn case_user(caller: &Caller) -> Option<Uuid> {
    match caller.role {
        Role::Leader | Role::FosterCare | Role::OnCall => None,
        Role::TenantAdmin | Role::Caseworker | Role::Coordinator => caller.user,
    }
}

/// The staff member whose assignments decide which cases' foster-home recruitment the caller
/// sees: the case's own staff, and a foster care officer assigned to the case (who sees nothing
/// else of it).
pub fn recruitment_user(caller: &Caller) -> Option<Uuid> {
    match caller.role {
        Role::FosterCare => caller.user,
        _ => case_user(caller),
    }
}

/// The case `case_id`, if the caller may open it; [`AppError::NotFound`] otherwise.
pub fn open_case(
    conn: &mut PgConnection,
    caller: &Caller,
    case_id: Uuid,
    intent: Intent,
) -> Result<CaseRow, AppError> {
    open_assigned(conn, caller, case_user(caller), case_id, intent)
}

fn open_assigned(
    conn: &mut PgConnection,
    caller: &Caller,
    user: Option<Uuid>,
    case_id: Uuid,
    intent: Intent,
) -> Result<CaseRow, AppError> {
    let user = user.ok_or(AppError::NotFound)?;
    let assigned = case_assignments::table
        .filter(case_assignments::tenant_id.eq(caller.tenant.0))
        .filter(case_assignments::case_id.eq(case_id))
        .filter(case_assignments::user_id.eq(user));
    let query = cases::table
        .filter(cases::tenant_id.eq(caller.tenant.0))
        .filter(cases::id.eq(case_id))
        .filter(exists(assigned))
        .select(CaseRow::as_select());
    let found = match intent {
        Intent::Read => query.first(conn).optional()?,
        Intent::Write => query.for_update().first(conn).optional()?,
    };
    found.ok_or(AppError::NotFound)
}

/// The case `case_id` of the current service *without* the assignment rule. Only for the
/// on-call opening of a case's acute list (`crate::oncall`), which checks the opener's role, the
/// stated reason and the 12 hours itself and writes its own audit row in the same transaction.
/// Another service's case and one that does not exist answer 404 alike.
pub fn case_for_acute_opening(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
) -> Result<CaseRow, AppError> {
    cases::table
        .filter(cases::tenant_id.eq(tenant.0))
        .filter(cases::id.eq(case_id))
        .select(CaseRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// What a case operation has at hand once the case is open.
#[derive(Debug, Clone)]
pub struct CaseCtx {
    pub tenant: TenantId,
    /// The staff member acting (assigned to the case, or the case would not be open).
    pub user: Option<Uuid>,
    pub case: CaseRow,
    pub clock: TenantClock,
}

/// The object of an audit row: what a case operation read or changed. Never personal data, only
/// ids and codes.
#[derive(Debug, Clone)]
pub struct Audited {
    pub kind: &'static str,
    pub id: Uuid,
    pub details: Value,
}

impl Audited {
    /// The case itself.
    pub fn case(case_id: Uuid) -> Self {
        Self {
            kind: "case",
            id: case_id,
            details: json!({}),
        }
    }

    /// Something within the case (a person, a revision, a measure).
    pub fn within(kind: &'static str, id: Uuid, case_id: Uuid) -> Self {
        Self {
            kind,
            id,
            details: json!({ "case_id": case_id }),
        }
    }

    /// Adds `details` (an object of ids and codes) to the row.
    pub fn with(mut self, details: Value) -> Self {
        if let (Value::Object(into), Value::Object(from)) = (&mut self.details, details) {
            into.extend(from);
        }
        self
    }
}

/// Opens the case through [`open_case`], runs `f` on it, and appends the audit row `action` for
/// what `f` reports — all in one transaction of the caller's tenant. Every handler and page that
/// touches a case's data goes through here, so no read or write can skip the rule or its audit
/// row; if `f` fails, nothing of it is kept.
pub async fn with_case<T, F>(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
    intent: Intent,
    action: &'static str,
    f: F,
) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(&mut PgConnection, &CaseCtx) -> Result<(T, Audited), AppError> + Send + 'static,
{
    with_assigned(db, caller, case_user, case_id, intent, action, f).await
}

/// [`with_case`] for reading one of the case's lists: the audit row says how many were shown,
/// never what.
pub async fn read_list<T, F>(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
    action: &'static str,
    f: F,
) -> Result<Vec<T>, AppError>
where
    T: Send + 'static,
    F: FnOnce(&mut PgConnection, &CaseCtx) -> Result<Vec<T>, AppError> + Send + 'static,
{
    with_case(db, caller, case_id, Intent::Read, action, |conn, c| {
        let list = f(conn, c)?;
        let audited = Audited::case(c.case.id).with(json!({ "count": list.len() }));
        Ok((list, audited))
    })
    .await
}

/// [`with_case`] for the foster-home recruitment of a case: the case's staff and the foster care
/// officers assigned to it ([`recruitment_user`]) may open it.
pub async fn with_recruitment_case<T, F>(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
    intent: Intent,
    action: &'static str,
    f: F,
) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(&mut PgConnection, &CaseCtx) -> Result<(T, Audited), AppError> + Send + 'static,
{
    with_assigned(db, caller, recruitment_user, case_id, intent, action, f).await
}

async fn with_assigned<T, F>(
    db: &Db,
    caller: &Caller,
    user_of: fn(&Caller) -> Option<Uuid>,
    case_id: Uuid,
    intent: Intent,
    action: &'static str,
    f: F,
) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(&mut PgConnection, &CaseCtx) -> Result<(T, Audited), AppError> + Send + 'static,
{
    let caller = caller.clone();
    db.tenant(caller.tenant, move |conn| {
        let case = open_assigned(conn, &caller, user_of(&caller), case_id, intent)?;
        let ctx = CaseCtx {
            tenant: caller.tenant,
            user: caller.user,
            case,
            clock: TenantClock::load(conn)?,
        };
        let (value, audited) = f(conn, &ctx)?;
        audit::record(
            conn,
            caller.tenant,
            caller
                .audit(action)
                .object(audited.kind, audited.id)
                .details(audited.details),
        )?;
        Ok(value)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Actor;
    use crate::db::TenantId;

    fn caller(role: Role, user: Option<Uuid>) -> Caller {
        Caller {
            tenant: TenantId(Uuid::nil()),
            role,
            actor: Actor::System,
            user,
            request_id: None,
        }
    }

    #[test]
    fn leaders_and_keys_acting_for_nobody_see_no_case() {
        let someone = Some(Uuid::from_u128(7));
        for role in [Role::TenantAdmin, Role::Caseworker, Role::Coordinator] {
            assert_eq!(case_user(&caller(role, someone)), someone, "{role}");
            assert_eq!(
                case_user(&caller(role, None)),
                None,
                "{role} without a person"
            );
        }
        assert_eq!(case_user(&caller(Role::Leader, someone)), None);
        assert_eq!(case_user(&caller(Role::FosterCare, someone)), None);
        assert_eq!(case_user(&caller(Role::OnCall, someone)), None);
        assert_eq!(recruitment_user(&caller(Role::OnCall, someone)), None);
        assert_eq!(
            recruitment_user(&caller(Role::FosterCare, someone)),
            someone
        );
        assert_eq!(recruitment_user(&caller(Role::Leader, someone)), None);
    }
}
