//! The staff's pages for a council's plan: the plan with a form for each step (goals,
//! commitments, the follow-up owner, approval by kind, the evaluation plan, follow-ups, the
//! evaluation form, closing, the child's links), and a printable page. Every form posts to
//! `/cases/{id}/councils/{council_id}/plan/{step}` and goes through the same [`super::actions`]
//! as the JSON API, so the rules and the audit rows are the same whichever way a change comes in.
//! A refused step shows the page again with the reason.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, ResponseError, get, post, web};
use askama::Template;
use serde_json::json;
use uuid::Uuid;

use super::actions;
use super::domain::{
    CaseworkerApprovalRequest, CloseRequest, CommitmentRequest, Decision, DoneRequest,
    EvaluationPlanRequest, EvaluationRequest, EvaluationWay, FollowUpOwnerRequest, GoalAuthor,
    GoalRequest, GoalResult, GoalResultRequest, HeldRequest, ReasonRequest,
};
use super::queries::{self, PlanSettings};
use super::rules::{self, Approver};
use super::views::{ChildAnswerView, PlanView};
use crate::access::Role;
use crate::access::session::Staff;
use crate::cases::access::{Audited, Intent, with_case};
use crate::cases::views::StaffView;
use crate::councils::domain::{CouncilKind, CouncilState};
use crate::councils::pages::Clock;
use crate::councils::views::TeamMember;
use crate::time;
use crate::web::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::i18n::Tr;
use crate::web::pages::render;
use crate::web::problem::AppError;

/// What the plan pages show.
struct Loaded {
    kind: CouncilKind,
    state: CouncilState,
    coordinator: Uuid,
    plan: Option<PlanView>,
    team: Vec<TeamMember>,
    staff: Vec<StaffView>,
    clock: Clock,
}

async fn load(
    state: &web::Data<AppState>,
    staff: &Staff,
    tr: Tr,
    case_id: Uuid,
    council_id: Uuid,
    action: &'static str,
) -> Result<Loaded, AppError> {
    let settings = state.settings.clone();
    let lang = tr.lang();
    with_case(
        &state.db,
        &staff.caller(),
        case_id,
        Intent::Read,
        action,
        move |conn, c| {
            let council =
                crate::councils::queries::council(conn, c.tenant, c.case.id, council_id, false)?;
            let ps = PlanSettings::load(conn)?;
            let plan = queries::find_plan(conn, council.id, false)?
                .map(|p| queries::plan_view(conn, &settings, &p, council.kind, &ps))
                .transpose()?;
            let team = crate::councils::queries::team(conn, council.id)?;
            let staff = crate::cases::queries::assigned_staff(conn, c.tenant, c.case.id)?;
            let audited = Audited::within("council", council_id, c.case.id)
                .with(json!({ "plan_id": plan.as_ref().map(|p| p.id), "page": true }));
            Ok((
                Loaded {
                    kind: council.kind,
                    state: council.state,
                    coordinator: council.coordinator_id,
                    plan,
                    team,
                    staff,
                    clock: Clock::new(ps.tz, lang),
                },
                audited,
            ))
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "plans/plan.html")]
struct PlanPage {
    tr: Tr,
    shell: crate::web::pages::Shell,
    case_id: Uuid,
    council_id: Uuid,
    kind: CouncilKind,
    state: CouncilState,
    plan: Option<PlanView>,
    team: Vec<TeamMember>,
    staff: Vec<StaffView>,
    clock: Clock,
    done: Option<String>,
    error: Option<String>,
    authors: [GoalAuthor; 6],
    ways: [EvaluationWay; 3],
    results: [GoalResult; 3],
    decisions: [Decision; 4],
    /// The caller may close a network council's approval (they coordinate it).
    is_coordinator: bool,
    /// The caller may approve or return a family group conference's plan.
    is_caseworker: bool,
    by_network: bool,
    by_caseworker: bool,
    today: String,
}

impl PlanPage {
    fn status_is(&self, status: &str) -> bool {
        self.plan
            .as_ref()
            .is_some_and(|p| p.status.as_str() == status)
    }

    /// The name the page shows for a participant.
    fn member(&self, id: &Uuid) -> String {
        self.team
            .iter()
            .find(|m| m.participant_id == *id)
            .map(|m| m.name.clone())
            .unwrap_or_default()
    }
}

async fn plan_page_with(
    state: &web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    case_id: Uuid,
    council_id: Uuid,
    done: Option<String>,
    error: Option<(StatusCode, String)>,
) -> Result<HttpResponse, AppError> {
    let loaded = load(state, &staff, tr, case_id, council_id, "plan.page").await?;
    let (status, error) = match error {
        Some((status, message)) => (status, Some(message)),
        None => (StatusCode::OK, None),
    };
    let approver = rules::approver(loaded.kind);
    let today = time::date_field_value(time::local_date(chrono::Utc::now(), loaded.clock.tz()));
    render(
        status,
        &PlanPage {
            is_coordinator: staff.user == loaded.coordinator,
            is_caseworker: staff.role == Role::Caseworker,
            by_network: approver == Approver::Network,
            by_caseworker: approver == Approver::Caseworker,
            tr,
            shell: staff.shell,
            case_id,
            council_id,
            kind: loaded.kind,
            state: loaded.state,
            plan: loaded.plan,
            team: loaded.team,
            staff: loaded.staff,
            clock: loaded.clock,
            done,
            error,
            authors: GoalAuthor::ALL,
            ways: EvaluationWay::ALL,
            results: GoalResult::ALL,
            decisions: Decision::ALL,
            today,
        },
    )
}

#[derive(Debug, serde::Deserialize)]
pub struct DoneQuery {
    pub done: Option<String>,
}

#[get("/cases/{id}/councils/{council_id}/plan")]
pub async fn plan_page(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    path: web::Path<(Uuid, Uuid)>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let (case_id, council_id) = path.into_inner();
    let done = query
        .into_inner()
        .done
        .filter(|d| STEPS.contains(&d.as_str()));
    plan_page_with(&state, staff, tr, case_id, council_id, done, None).await
}

#[derive(Template)]
#[template(path = "plans/print.html")]
struct PrintPage {
    tr: Tr,
    shell: crate::web::pages::Shell,
    kind: CouncilKind,
    plan: PlanView,
    clock: Clock,
}

/// The plan on one printable page: goals, who does what by when, who follows up, the approval
/// and the evaluation plan.
#[get("/cases/{id}/councils/{council_id}/plan/print")]
pub async fn print_page(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, AppError> {
    let (case_id, council_id) = path.into_inner();
    let loaded = load(&state, &staff, tr, case_id, council_id, "plan.print").await?;
    let plan = loaded.plan.ok_or(AppError::NotFound)?;
    render(
        StatusCode::OK,
        &PrintPage {
            tr,
            shell: staff.shell,
            kind: loaded.kind,
            plan,
            clock: loaded.clock,
        },
    )
}

/// The steps the plan page's forms post.
const STEPS: [&str; 17] = [
    "create",
    "goal",
    "remove-goal",
    "commitment",
    "remove-commitment",
    "commitment-done",
    "follow-up-owner",
    "submit",
    "close-approval",
    "approve",
    "return",
    "evaluation-plan",
    "follow-up-held",
    "evaluation",
    "close",
    "child-link",
    "revoke-child-link",
];

type Fields = Vec<(String, String)>;

/// The form's fields as `T`.
fn form<T: serde::de::DeserializeOwned>(fields: &Fields) -> Result<T, AppError> {
    let encoded = serde_urlencoded::to_string(fields)
        .map_err(|_| AppError::Malformed("the form could not be read".into()))?;
    serde_urlencoded::from_str(&encoded)
        .map_err(|e| AppError::Malformed(format!("the form is missing a field: {e}")))
}

fn field<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.trim().is_empty())
}

/// The id in field `name`.
fn id_field(fields: &Fields, name: &str) -> Result<Uuid, AppError> {
    field(fields, name)
        .and_then(|v| v.trim().parse().ok())
        .ok_or(AppError::NotFound)
}

/// `who` = `participant:<id>` or `staff:<id>`, as the forms' selects send it.
fn who(fields: &Fields) -> (Option<String>, Option<String>) {
    match field(fields, "who").and_then(|w| w.split_once(':')) {
        Some(("participant", id)) => (Some(id.to_owned()), None),
        Some(("staff", id)) => (None, Some(id.to_owned())),
        _ => (None, None),
    }
}

/// The evaluation form: one `result_<goal id>` and `note_<goal id>` per goal.
fn evaluation_form(fields: &Fields) -> Result<EvaluationRequest, AppError> {
    let mut req: EvaluationRequest = form(
        &fields
            .iter()
            .filter(|(k, _)| !k.starts_with("result_") && !k.starts_with("note_"))
            .cloned()
            .collect(),
    )?;
    req.goals = fields
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("result_").map(|goal| GoalResultRequest {
                goal_id: goal.to_owned(),
                result: v.clone(),
                note: field(fields, &format!("note_{goal}")).map(str::to_owned),
            })
        })
        .collect();
    Ok(req)
}

#[post("/cases/{id}/councils/{council_id}/plan/{step}")]
pub async fn plan_step(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    path: web::Path<(Uuid, Uuid, String)>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<HttpResponse, AppError> {
    let (case_id, council_id, step) = path.into_inner();
    let caller = staff.caller();
    let (s, c, k) = (&state, &caller, council_id);
    let result = match step.as_str() {
        "create" => actions::create(s, c, case_id, k).await,
        "goal" => {
            async { actions::add_goal(s, c, case_id, k, form::<GoalRequest>(&fields)?).await }.await
        }
        "remove-goal" => {
            async { actions::remove_goal(s, c, case_id, k, id_field(&fields, "goal_id")?).await }
                .await
        }
        "commitment" => {
            async {
                let mut req: CommitmentRequest = form(&fields)?;
                (req.participant_id, req.user_id) = who(&fields);
                actions::add_commitment(s, c, case_id, k, req).await
            }
            .await
        }
        "remove-commitment" => {
            async {
                let id = id_field(&fields, "commitment_id")?;
                actions::remove_commitment(s, c, case_id, k, id).await
            }
            .await
        }
        "commitment-done" => {
            async {
                let id = id_field(&fields, "commitment_id")?;
                actions::commitment_done(s, c, case_id, k, id, form::<DoneRequest>(&fields)?).await
            }
            .await
        }
        "follow-up-owner" => {
            async {
                let (participant_id, user_id) = who(&fields);
                let req = FollowUpOwnerRequest {
                    participant_id,
                    user_id,
                };
                actions::set_follow_up_owner(s, c, case_id, k, req).await
            }
            .await
        }
        "submit" => actions::submit(s, c, case_id, k).await,
        "take-back" => actions::take_back(s, c, case_id, k).await,
        "close-approval" => {
            async {
                actions::close_approval(s, c, case_id, k, form::<ReasonRequest>(&fields)?).await
            }
            .await
        }
        "approve" => {
            async {
                actions::approve(
                    s,
                    c,
                    case_id,
                    k,
                    form::<CaseworkerApprovalRequest>(&fields)?,
                )
                .await
            }
            .await
        }
        "return" => {
            async { actions::return_plan(s, c, case_id, k, form::<ReasonRequest>(&fields)?).await }
                .await
        }
        "evaluation-plan" => {
            async {
                actions::define_evaluation(
                    s,
                    c,
                    case_id,
                    k,
                    form::<EvaluationPlanRequest>(&fields)?,
                )
                .await
            }
            .await
        }
        "follow-up-held" => {
            async {
                let id = id_field(&fields, "follow_up_id")?;
                actions::follow_up_held(s, c, case_id, k, id, form::<HeldRequest>(&fields)?).await
            }
            .await
        }
        "evaluation" => {
            async { actions::record_evaluation(s, c, case_id, k, evaluation_form(&fields)?).await }
                .await
        }
        "close" => {
            async { actions::close(s, c, case_id, k, form::<CloseRequest>(&fields)?).await }.await
        }
        "child-link" => actions::create_child_link(s, c, case_id, k).await,
        "revoke-child-link" => {
            async {
                let id = id_field(&fields, "link_id")?;
                actions::revoke_child_link(s, c, case_id, k, id).await
            }
            .await
        }
        _ => Err(AppError::NotFound),
    };
    match result {
        Ok(_) => Ok(HttpResponse::SeeOther()
            .insert_header((
                LOCATION,
                format!("/cases/{case_id}/councils/{council_id}/plan?done={step}"),
            ))
            .finish()),
        Err(e) if matches!(e, AppError::Validation(_)) || e.is_refusal() => {
            let message = match &e {
                AppError::Refused { rule, .. } => rule.title(tr.lang()).to_owned(),
                AppError::Validation(fields) => fields
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join("; "),
                other => other.to_string(),
            };
            let shown = (e.status_code(), message);
            plan_page_with(&state, staff, tr, case_id, council_id, None, Some(shown)).await
        }
        Err(e) => Err(e),
    }
}
