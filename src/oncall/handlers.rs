//! `/api/v1/on-call/…` and `/api/v1/acute-openings`: on-call access as JSON. The on-call
//! service's and caseworkers' lookup, opening and reading; the leader's review list; the case
//! staff's view of their case's openings (`/api/v1/cases/{id}/acute-openings`).

use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::actions::{self, Reading};
use super::domain::{LookupQuery, OpeningRequest};
use super::rules;
use super::views::{LookupResult, OpenedAcuteList, OpeningPage, OpeningView};
use crate::access::Caller;
use crate::web::AppState;
use crate::web::json::Json;
use crate::web::problem::{AppError, Problem};

/// Look a case up by the service's reference or the child's name (on-call service and
/// caseworkers): at most 20 cases, each with only the child's name, birth date and home
/// municipality. Audited.
#[utoipa::path(
    tag = "on-call",
    params(LookupQuery),
    responses(
        (status = 200, body = LookupResult),
        (status = 403, description = "Only the on-call service and caseworkers", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/on-call/cases")]
pub async fn lookup(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<LookupQuery>,
) -> Result<web::Json<LookupResult>, AppError> {
    Ok(web::Json(actions::lookup(&state, &caller, &query.q).await?))
}

/// Open a case's acute list for 12 hours, with the reason (required) and the on-call log's
/// reference of the call. Without a reason: 422 at `reason`, nothing written, the attempt
/// audited (outcome denied). Another service's case: 404.
#[utoipa::path(
    tag = "on-call",
    request_body = OpeningRequest,
    responses(
        (status = 201, body = OpeningView),
        (status = 403, description = "Only the on-call service and caseworkers", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case in the service (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/on-call/openings")]
pub async fn open(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<OpeningRequest>,
) -> Result<HttpResponse, AppError> {
    let view = actions::open(&state, &caller, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(view))
}

/// The caller's own openings that are still open, newest first.
#[utoipa::path(
    tag = "on-call",
    responses(
        (status = 200, body = Vec<OpeningView>),
        (status = 403, description = "Only the on-call service and caseworkers", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/on-call/openings")]
pub async fn my_openings(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<Vec<OpeningView>>, AppError> {
    Ok(web::Json(actions::mine(&state, &caller).await?))
}

/// The acute list under the caller's own opening, while it is open: who can step in or take the
/// child in, how, their numbers, when each can be reached, and where the child can go. Nothing
/// else of the case. Audited; after 12 hours refused with `acute-opening-closed` (a new opening
/// needs a new reason).
#[utoipa::path(
    tag = "on-call",
    params(("id" = Uuid, Path, description = "The opening")),
    responses(
        (status = 200, body = OpenedAcuteList),
        (status = 403, description = "Only the on-call service and caseworkers", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The opening is closed: 12 hours have passed (`acute-opening-closed`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/on-call/openings/{id}/acute-list")]
pub async fn opening_acute_list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<OpenedAcuteList>, AppError> {
    match actions::read(&state, &caller, id.into_inner()).await? {
        Reading::Open(list) => Ok(web::Json(*list)),
        Reading::Closed(view) => {
            rules::still_open(view.expires_at, state.clock.now())?;
            Err(AppError::NotFound)
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PageQuery {
    /// The page, from 1 (50 openings to a page, newest first).
    #[param(minimum = 1)]
    pub page: Option<u32>,
}

/// Every opening of the service's acute lists, newest first, for the leader and the service's
/// admin to review: the case by its reference (never its contents), who, in which role, when,
/// why, until when, and whether it is still open. Audited.
#[utoipa::path(
    tag = "on-call",
    params(PageQuery),
    responses(
        (status = 200, body = OpeningPage),
        (status = 403, description = "Only leaders and the service's admin", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/acute-openings")]
pub async fn review(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<PageQuery>,
) -> Result<web::Json<OpeningPage>, AppError> {
    Ok(web::Json(
        actions::review(&state, &caller, query.page).await?,
    ))
}

/// Who opened this case's acute list without being assigned to it: for the case's staff.
#[utoipa::path(
    tag = "cases",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<OpeningView>)),
    security(("api_key" = []))
)]
#[get("/api/v1/cases/{id}/acute-openings")]
pub async fn case_openings(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<OpeningView>>, AppError> {
    Ok(web::Json(
        actions::for_case(&state, &caller, id.into_inner()).await?,
    ))
}
