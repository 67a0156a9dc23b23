//! The service's staff through the JSON API, as on `/admin/staff`: listed, read, invited and
//! given another role and deactivated by the service's admin, with the page's own checks and
//! audit rows (a deactivation hands over the open cases the person alone holds, as the page asks).

use actix_web::{HttpResponse, get, post, put, web};
use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::admin::{Deactivation, StaffCases, deactivate_staff, invite_staff, set_role};
use super::{Caller, Role};
use crate::db::schema::users;
use crate::fields::{Email, required_text};
use crate::web::AppState;
use crate::web::json::{Json, created};
use crate::web::problem::{AppError, FieldError};
use crate::web::refusal::Refusal;

/// A staff member as the admin sees them.
#[derive(Debug, Serialize, ToSchema, Queryable)]
pub struct StaffView {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    #[schema(value_type = Role)]
    pub role: String,
    /// Still working in the service (not deactivated).
    pub active: bool,
    /// Has chosen a password (an invitation not yet taken up has not).
    pub has_password: bool,
    pub last_login_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    #[schema(format = Email)]
    pub email: String,
    /// At most 100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: String,
    pub role: Role,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleRequest {
    pub role: Role,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeactivateRequest {
    /// Who takes over the open cases only the person leaving is assigned to: an active staff
    /// member with a case role. Needed only when there are such cases.
    pub successor_id: Option<Uuid>,
}

/// The columns of a [`StaffView`].
fn columns() -> Columns {
    (
        users::id,
        users::email,
        users::display_name,
        users::role,
        users::active,
        users::password_hash.is_not_null(),
        users::last_login_at,
    )
}

type Columns = (
    users::id,
    users::email,
    users::display_name,
    users::role,
    users::active,
    diesel::dsl::IsNotNull<users::password_hash>,
    users::last_login_at,
);

fn one(conn: &mut PgConnection, id: Uuid) -> Result<StaffView, AppError> {
    Ok(users::table
        .filter(users::id.eq(id))
        .select(columns())
        .first(conn)?)
}

/// The service's staff, active first.
#[utoipa::path(
    tag = "staff",
    responses(
        (status = 200, body = [StaffView]),
        (status = 401, body = crate::web::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the service's admin (`forbidden`)", body = crate::web::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/staff")]
pub async fn list_staff(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<Vec<StaffView>>, AppError> {
    caller.require(&[Role::TenantAdmin])?;
    let list = state
        .db
        .tenant(caller.tenant, |conn| {
            Ok::<_, AppError>(
                users::table
                    .select(columns())
                    .order((users::active.desc(), users::email))
                    .load(conn)?,
            )
        })
        .await?;
    Ok(web::Json(list))
}

/// One staff member.
#[utoipa::path(
    tag = "staff",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = StaffView),
        (status = 403, description = "Not the service's admin (`forbidden`)", body = crate::web::problem::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::web::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/staff/{id}")]
pub async fn get_staff(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<StaffView>, AppError> {
    caller.require(&[Role::TenantAdmin])?;
    let id = id.into_inner();
    let view = state
        .db
        .tenant(caller.tenant, move |conn| one(conn, id))
        .await?;
    Ok(web::Json(view))
}

/// Invites a staff member: their account, and an email with a link to choose a password (valid
/// 72 hours). Audited `user.invite`, like the page.
#[utoipa::path(
    tag = "staff",
    request_body = InviteRequest,
    responses(
        (status = 201, body = StaffView, headers(("Location" = String, description = "The address the staff member is read at"))),
        (status = 403, description = "Not the service's admin (`forbidden`)", body = crate::web::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Someone has the address already (`staff-exists`)", body = crate::web::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong fields, each named (`validation`)", body = crate::web::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/staff")]
pub async fn invite(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<InviteRequest>,
) -> Result<HttpResponse, AppError> {
    caller.require(&[Role::TenantAdmin])?;
    let body = body.into_inner();
    let mut errors = Vec::new();
    let email = Email::parse(&body.email).map_err(|m| errors.push(FieldError::new("email", m)));
    let name = required_text(&body.display_name, 100)
        .map_err(|m| errors.push(FieldError::new("display_name", m)));
    let (Ok(email), Ok(name)) = (email, name) else {
        return Err(AppError::Validation(errors));
    };
    let settings = state.settings.clone();
    let role = body.role;
    let by = caller.clone();
    let view = state
        .db
        .tenant(caller.tenant, move |conn| {
            let id = invite_staff(conn, &settings, &by, &email, &name, role)?.ok_or_else(|| {
                Refusal::StaffExists.because(format!(
                    "the service already has a staff member with the address {email}"
                ))
            })?;
            one(conn, id)
        })
        .await?;
    Ok(created(format!("/api/v1/staff/{}", view.id), view))
}

/// Gives a staff member another role; their sessions end, so it applies from their next login.
/// Audited `user.role`, like the page. The service's last active admin keeps the role.
#[utoipa::path(
    tag = "staff",
    params(("id" = Uuid, Path)),
    request_body = RoleRequest,
    responses(
        (status = 200, body = StaffView),
        (status = 403, description = "Not the service's admin (`forbidden`)", body = crate::web::problem::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::web::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The last active admin (`last-admin`)", body = crate::web::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a role (`validation`)", body = crate::web::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[put("/api/v1/staff/{id}/role")]
pub async fn change_role(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<RoleRequest>,
) -> Result<web::Json<StaffView>, AppError> {
    caller.require(&[Role::TenantAdmin])?;
    let (id, role) = (id.into_inner(), body.role);
    let by = caller.clone();
    let view = state
        .db
        .tenant(caller.tenant, move |conn| {
            set_role(conn, &by, id, role)?;
            one(conn, id)
        })
        .await?;
    Ok(web::Json(view))
}

/// Deactivates a staff member: their sessions end and their unused links stop working, and the
/// open cases they alone hold go to `successor_id` first. Audited `user.deactivate` (and each
/// case handed over `case.reassign`), like the page. Nobody deactivates themselves.
#[utoipa::path(
    tag = "staff",
    params(("id" = Uuid, Path)),
    request_body = DeactivateRequest,
    responses(
        (status = 200, body = StaffView),
        (status = 403, description = "Not the service's admin (`forbidden`)", body = crate::web::problem::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::web::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The caller themselves (`deactivating-self`), or open cases only this person holds and no `successor_id` (`cases-to-hand-over`, its detail says how many)", body = crate::web::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A `successor_id` who cannot take the cases (`validation`)", body = crate::web::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/staff/{id}/deactivate")]
pub async fn deactivate(
    state: web::Data<AppState>,
    cases: web::Data<StaffCases>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<DeactivateRequest>,
) -> Result<web::Json<StaffView>, AppError> {
    caller.require(&[Role::TenantAdmin])?;
    let user = id.into_inner();
    if caller.user == Some(user) {
        return Err(Refusal::DeactivatingSelf
            .because("an admin cannot deactivate themselves; another admin can"));
    }
    let (cases, successor) = (**cases, body.into_inner().successor_id);
    let by = caller.clone();
    let view = state
        .db
        .tenant(caller.tenant, move |conn| {
            match deactivate_staff(conn, cases, &by, user, successor.map(Some)) {
                Ok(Deactivation::Done) => one(conn, user),
                Ok(Deactivation::Handover(_, sole, _)) => {
                    Err(Refusal::CasesToHandOver.because(format!(
                        "this person alone is assigned to {} open case(s); give successor_id, \
                         an active staff member with a case role, to take them over",
                        sole.len()
                    )))
                }
                // The page's field is the successor; here it is `successor_id`.
                Err(AppError::Validation(errors)) => Err(AppError::Validation(
                    errors
                        .into_iter()
                        .map(|e| FieldError::new("successor_id", e.message))
                        .collect(),
                )),
                Err(e) => Err(e),
            }
        })
        .await?;
    Ok(web::Json(view))
}
