//! `/api/v1/cases/{id}/recruitments…`: foster-home recruitment as JSON. Every endpoint opens the
//! case through [`crate::cases::access::with_recruitment_case`] (in [`super::actions`]): the
//! case's staff and the foster care officers assigned to it, every read and write audited.

use actix_web::{HttpResponse, get, post, web};
use uuid::Uuid;

use super::actions;
use super::domain::{CandidateRequest, ReferralRequest, StepRequest};
use super::views::{FormView, RecruitmentView};
use crate::access::Caller;
use crate::web::AppState;
use crate::web::json::{Json, created};
use crate::web::problem::AppError;

/// The case's foster-home recruitments, each with its flow as a task list.
#[utoipa::path(
    tag = "recruitment",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<RecruitmentView>)),
    security(("api_key" = []))
)]
#[get("/api/v1/cases/{id}/recruitments")]
pub async fn list_recruitments(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<web::Json<Vec<RecruitmentView>>, AppError> {
    Ok(web::Json(
        actions::list(&state, &caller, path.into_inner()).await?,
    ))
}

/// Refer the case to the foster care service (reason, how urgent, whether a family group
/// conference is wished). One open recruitment per case.
#[utoipa::path(
    tag = "recruitment",
    params(("id" = Uuid, Path)),
    request_body = ReferralRequest,
    responses((status = 201, body = RecruitmentView, headers(("Location" = String, description = "The address the created recruitment is read at")))),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/recruitments")]
pub async fn refer(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: Json<ReferralRequest>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let view = actions::refer(&state, &caller, id, body.into_inner()).await?;
    Ok(created(
        format!("/api/v1/cases/{id}/recruitments/{}", view.id),
        view,
    ))
}

/// One recruitment: its steps with date and who did them, the family's plan and the task list.
#[utoipa::path(
    tag = "recruitment",
    params(("id" = Uuid, Path), ("recruitment_id" = Uuid, Path)),
    responses((status = 200, body = RecruitmentView)),
    security(("api_key" = []))
)]
#[get("/api/v1/cases/{id}/recruitments/{recruitment_id}")]
pub async fn get_recruitment(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<RecruitmentView>, AppError> {
    let (id, recruitment) = path.into_inner();
    Ok(web::Json(
        actions::read(&state, &caller, id, recruitment).await?,
    ))
}

/// Record a step done: started, information meeting, family group conference (its council),
/// clarification meeting, the interviews, matching and decision of the home up now, intake.
#[utoipa::path(
    tag = "recruitment",
    params(("id" = Uuid, Path), ("recruitment_id" = Uuid, Path)),
    request_body = StepRequest,
    responses((status = 200, body = RecruitmentView)),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/recruitments/{recruitment_id}/steps")]
pub async fn record_step(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<StepRequest>,
) -> Result<web::Json<RecruitmentView>, AppError> {
    let (id, recruitment) = path.into_inner();
    Ok(web::Json(
        actions::record_step(&state, &caller, id, recruitment, body.into_inner()).await?,
    ))
}

/// Add a candidate home to the family's plan at the next rank: one or two persons of the map,
/// each ranked once.
#[utoipa::path(
    tag = "recruitment",
    params(("id" = Uuid, Path), ("recruitment_id" = Uuid, Path)),
    request_body = CandidateRequest,
    responses((status = 201, body = RecruitmentView)),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/recruitments/{recruitment_id}/candidates")]
pub async fn add_candidate(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<CandidateRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, recruitment) = path.into_inner();
    let view = actions::add_candidate(&state, &caller, id, recruitment, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(view))
}

/// A candidate home's self-information form (draft or submitted, with its version).
#[utoipa::path(
    tag = "recruitment",
    params(("id" = Uuid, Path), ("recruitment_id" = Uuid, Path), ("candidate_id" = Uuid, Path)),
    responses((status = 200, body = FormView)),
    security(("api_key" = []))
)]
#[get("/api/v1/cases/{id}/recruitments/{recruitment_id}/candidates/{candidate_id}/form")]
pub async fn get_form(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, Uuid)>,
) -> Result<web::Json<FormView>, AppError> {
    let (id, recruitment, candidate) = path.into_inner();
    Ok(web::Json(
        actions::read_form(&state, &caller, id, recruitment, candidate).await?,
    ))
}
