//! `/api/v1/cases/{id}/councils/{council_id}/plan…`: the plan as JSON. Every endpoint opens the
//! case through [`crate::cases::access::with_case`] (in [`super::actions`]), so only the staff
//! assigned to the case reach its plans, and every read and write leaves an audit row.

use actix_web::{HttpResponse, get, post, web};
use uuid::Uuid;

use super::actions;
use super::domain::{
    CaseworkerApprovalRequest, CloseRequest, CommitmentRequest, DoneRequest, EvaluationPlanRequest,
    EvaluationRequest, FollowUpOwnerRequest, GoalRequest, HeldRequest, ReasonRequest,
    RecordedApprovalRequest,
};
use super::views::PlanView;
use crate::access::Caller;
use crate::web::AppState;
use crate::web::json::{Json, created};
use crate::web::problem::AppError;

/// The council's plan: goals, commitments and their status, the follow-up owner, approvals, the evaluation plan and its proposal, follow-ups, evaluations, the child's links and the version history.
#[utoipa::path(
    tag = "plans",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path)),
    responses(
        (status = 200, body = PlanView),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/cases/{id}/councils/{council_id}/plan")]
pub async fn get_plan(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<PlanView>, AppError> {
    let (id, council_id) = path.into_inner();
    Ok(web::Json(
        actions::read(&state, &caller, id, council_id).await?,
    ))
}

/// Start the council's plan, after its meeting took place. One plan per council.
#[utoipa::path(
    tag = "plans",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path)),
    responses(
        (status = 201, body = PlanView, headers(("Location" = String, description = "The address the created plan is read at"))),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/plan")]
pub async fn create_plan(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, AppError> {
    let (id, council_id) = path.into_inner();
    Ok(created(
        format!("/api/v1/cases/{id}/councils/{council_id}/plan"),
        actions::create(&state, &caller, id, council_id).await?,
    ))
}

/// Add a goal, in the child's words where possible, with its author.
#[utoipa::path(
    tag = "plans",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path)),
    request_body = GoalRequest,
    responses(
        (status = 201, body = PlanView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/plan/goals")]
pub async fn add_goal(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<GoalRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, council_id) = path.into_inner();
    Ok(HttpResponse::Created()
        .json(actions::add_goal(&state, &caller, id, council_id, body.into_inner()).await?))
}

/// Remove a goal (kept in the plan's history).
#[utoipa::path(
    tag = "plans",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path), ("goal_id" = Uuid, Path)),
    responses(
        (status = 200, body = PlanView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/plan/goals/{goal_id}/removal")]
pub async fn remove_goal(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, Uuid)>,
) -> Result<web::Json<PlanView>, AppError> {
    let (id, council_id, goal_id) = path.into_inner();
    Ok(web::Json(
        actions::remove_goal(&state, &caller, id, council_id, goal_id).await?,
    ))
}

/// Add a commitment: someone on the team or a staff member assigned to the case, what, by when, once or every so many days. Someone outside the council is refused (422); a due date after the evaluation date is refused unless `beyond_evaluation` confirms it.
#[utoipa::path(
    tag = "plans",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path)),
    request_body = CommitmentRequest,
    responses(
        (status = 201, body = PlanView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/plan/commitments")]
pub async fn add_commitment(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<CommitmentRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, council_id) = path.into_inner();
    Ok(HttpResponse::Created()
        .json(actions::add_commitment(&state, &caller, id, council_id, body.into_inner()).await?))
}

/// Remove a commitment; its reminders are cancelled.
#[utoipa::path(
    tag = "plans",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path), ("commitment_id" = Uuid, Path)),
    responses(
        (status = 200, body = PlanView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/plan/commitments/{commitment_id}/removal")]
pub async fn remove_commitment(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, Uuid)>,
) -> Result<web::Json<PlanView>, AppError> {
    let (id, council_id, commitment_id) = path.into_inner();
    Ok(web::Json(
        actions::remove_commitment(&state, &caller, id, council_id, commitment_id).await?,
    ))
}

/// Mark a confirmed commitment done, with a comment. A recurring one is done for this time and falls due again after its interval, until the evaluation.
#[utoipa::path(
    tag = "plans",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path), ("commitment_id" = Uuid, Path)),
    request_body = DoneRequest,
    responses(
        (status = 200, body = PlanView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/plan/commitments/{commitment_id}/done")]
pub async fn commitment_done(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, Uuid)>,
    body: Json<DoneRequest>,
) -> Result<web::Json<PlanView>, AppError> {
    let (id, council_id, commitment_id) = path.into_inner();
    Ok(web::Json(
        actions::commitment_done(
            &state,
            &caller,
            id,
            council_id,
            commitment_id,
            body.into_inner(),
        )
        .await?,
    ))
}

/// Name who follows up that the plan is followed: someone on the team or a staff member.
#[utoipa::path(
    tag = "plans",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path)),
    request_body = FollowUpOwnerRequest,
    responses(
        (status = 200, body = PlanView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/plan/follow-up-owner")]
pub async fn set_follow_up_owner(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<FollowUpOwnerRequest>,
) -> Result<web::Json<PlanView>, AppError> {
    let (id, council_id) = path.into_inner();
    Ok(web::Json(
        actions::set_follow_up_owner(&state, &caller, id, council_id, body.into_inner()).await?,
    ))
}

/// Send the plan for approval. In a network council everyone reachable on the team is asked by email to approve through their link (and to confirm their own commitments), and the child through the child's link when it is live; a family group conference's plan goes to the caseworker.
#[utoipa::path(
    tag = "plans",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path)),
    responses(
        (status = 200, body = PlanView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/plan/submission")]
pub async fn submit_plan(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<PlanView>, AppError> {
    let (id, council_id) = path.into_inner();
    Ok(web::Json(
        actions::submit(&state, &caller, id, council_id).await?,
    ))
}

/// The council's coordinator closes approval with a reason: the plan is approved as it stands, objections stay visible, and commitments nobody confirmed are marked `unconfirmed_at_closing` (their reminders go to the coordinator). Refused twice (409).
#[utoipa::path(
    tag = "plans",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path)),
    request_body = ReasonRequest,
    responses(
        (status = 200, body = PlanView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/plan/approval-closure")]
pub async fn close_approval(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<ReasonRequest>,
) -> Result<web::Json<PlanView>, AppError> {
    let (id, council_id) = path.into_inner();
    Ok(web::Json(
        actions::close_approval(&state, &caller, id, council_id, body.into_inner()).await?,
    ))
}

/// Record a participant's answer to the plan given by phone or in person: `confirm` (they approve it and confirm their commitments) or `object` with their `comment`, `how` it was given (`phone` or `in_person`) and the `version` read to them. Shown as recorded by the caller; the participant can still answer through their own link. Refused (409) for someone not asked to approve, a plan not awaiting approval, an answer already given to this version, or a version that has changed since.
#[utoipa::path(
    tag = "plans",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path), ("participant_id" = Uuid, Path)),
    request_body = RecordedApprovalRequest,
    responses(
        (status = 200, body = PlanView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/plan/participants/{participant_id}/approval")]
pub async fn record_approval(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, Uuid)>,
    body: Json<RecordedApprovalRequest>,
) -> Result<web::Json<PlanView>, AppError> {
    let (id, council_id, participant_id) = path.into_inner();
    Ok(web::Json(
        actions::record_approval(
            &state,
            &caller,
            id,
            council_id,
            participant_id,
            body.into_inner(),
        )
        .await?,
    ))
}

/// The council's coordinator takes a plan awaiting approval back to draft, to change it. The approvals given so far no longer count, and those who had approved are told, neutrally, that the plan changed. Refused unless the plan awaits approval (409), and for anyone but the coordinator (403).
#[utoipa::path(
    tag = "plans",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path)),
    responses(
        (status = 200, body = PlanView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/plan/take-back")]
pub async fn take_back_plan(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<PlanView>, AppError> {
    let (id, council_id) = path.into_inner();
    Ok(web::Json(
        actions::take_back(&state, &caller, id, council_id).await?,
    ))
}

/// A caseworker approves a family group conference's plan, recording that the child's safety is ensured. Refused twice (409).
#[utoipa::path(
    tag = "plans",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path)),
    request_body = CaseworkerApprovalRequest,
    responses(
        (status = 200, body = PlanView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/plan/approval")]
pub async fn approve_plan(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<CaseworkerApprovalRequest>,
) -> Result<web::Json<PlanView>, AppError> {
    let (id, council_id) = path.into_inner();
    Ok(web::Json(
        actions::approve(&state, &caller, id, council_id, body.into_inner()).await?,
    ))
}

/// A caseworker returns a family group conference's plan with a reason; it is a draft again.
#[utoipa::path(
    tag = "plans",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path)),
    request_body = ReasonRequest,
    responses(
        (status = 200, body = PlanView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/plan/return")]
pub async fn return_plan(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<ReasonRequest>,
) -> Result<web::Json<PlanView>, AppError> {
    let (id, council_id) = path.into_inner();
    Ok(web::Json(
        actions::return_plan(&state, &caller, id, council_id, body.into_inner()).await?,
    ))
}

/// When and how the approved plan is evaluated (the view's `proposed_evaluation_on` follows the service's rule). Commitments due after the date are refused unless confirmed.
#[utoipa::path(
    tag = "plans",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path)),
    request_body = EvaluationPlanRequest,
    responses(
        (status = 200, body = PlanView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/plan/evaluation-plan")]
pub async fn define_evaluation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<EvaluationPlanRequest>,
) -> Result<web::Json<PlanView>, AppError> {
    let (id, council_id) = path.into_inner();
    Ok(web::Json(
        actions::define_evaluation(&state, &caller, id, council_id, body.into_inner()).await?,
    ))
}

/// The follow-up took place; the coordinator is reminded if no evaluation is recorded within the service's days.
#[utoipa::path(
    tag = "plans",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path), ("follow_up_id" = Uuid, Path)),
    request_body = HeldRequest,
    responses(
        (status = 200, body = PlanView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/plan/follow-ups/{follow_up_id}/held")]
pub async fn follow_up_held(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, Uuid)>,
    body: Json<HeldRequest>,
) -> Result<web::Json<PlanView>, AppError> {
    let (id, council_id, follow_up_id) = path.into_inner();
    Ok(web::Json(
        actions::follow_up_held(
            &state,
            &caller,
            id,
            council_id,
            follow_up_id,
            body.into_inner(),
        )
        .await?,
    ))
}

/// Record an evaluation: when, who took part, each goal met / partly / not met, the child's and the parents' views, the decision and the next evaluation date.
#[utoipa::path(
    tag = "plans",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path)),
    request_body = EvaluationRequest,
    responses(
        (status = 201, body = PlanView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/plan/evaluations")]
pub async fn record_evaluation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<EvaluationRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, council_id) = path.into_inner();
    Ok(HttpResponse::Created().json(
        actions::record_evaluation(&state, &caller, id, council_id, body.into_inner()).await?,
    ))
}

/// Close the plan. Refused (409) without an evaluation. Nothing of the plan is sent afterwards.
#[utoipa::path(
    tag = "plans",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path)),
    request_body = CloseRequest,
    responses(
        (status = 200, body = PlanView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/plan/closure")]
pub async fn close_plan(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<CloseRequest>,
) -> Result<web::Json<PlanView>, AppError> {
    let (id, council_id) = path.into_inner();
    Ok(web::Json(
        actions::close(&state, &caller, id, council_id, body.into_inner()).await?,
    ))
}

/// Create the child's own link to \"my team\" and \"my plan\"; the view lists its address.
#[utoipa::path(
    tag = "plans",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path)),
    responses(
        (status = 201, body = PlanView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/plan/child-links")]
pub async fn create_child_link(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, AppError> {
    let (id, council_id) = path.into_inner();
    Ok(HttpResponse::Created()
        .json(actions::create_child_link(&state, &caller, id, council_id).await?))
}

/// Revoke a child's link: it shows the neutral page from then on.
#[utoipa::path(
    tag = "plans",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path), ("link_id" = Uuid, Path)),
    responses(
        (status = 200, body = PlanView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/plan/child-links/{link_id}/revocation")]
pub async fn revoke_child_link(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, Uuid)>,
) -> Result<web::Json<PlanView>, AppError> {
    let (id, council_id, link_id) = path.into_inner();
    Ok(web::Json(
        actions::revoke_child_link(&state, &caller, id, council_id, link_id).await?,
    ))
}

/// A past version of the plan's content, as it stood after that change.
#[utoipa::path(
    tag = "plans",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path), ("number" = i32, Path)),
    responses(
        (status = 200, body = Object),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/cases/{id}/councils/{council_id}/plan/versions/{number}")]
pub async fn get_version(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, i32)>,
) -> Result<web::Json<serde_json::Value>, AppError> {
    let (id, council_id, number) = path.into_inner();
    Ok(web::Json(
        actions::version(&state, &caller, id, council_id, number).await?,
    ))
}
