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
    CaseworkerApprovalRequest, CloseRequest, CommitmentRequest, Decision, EvaluationPlanRequest,
    EvaluationRequest, EvaluationWay, FollowUpOwnerRequest, GoalAuthor, GoalRequest, GoalResult,
    GoalResultRequest, ReasonRequest, RecordedApprovalRequest,
};
use super::queries::{self, PlanSettings};
use super::rules::{self, Approver};
use super::views::{ChildAnswerView, PlanView};
use crate::access::Role;
use crate::access::session::Staff;
use crate::cases::access::{Audited, Intent, with_case};
use crate::cases::views::StaffView;
use crate::councils::domain::{CouncilKind, CouncilState};
use crate::councils::pages::{Clock, with_id, with_id_and_form};
use crate::councils::views::TeamMember;
use crate::time;
use crate::web::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::form_errors::FormFailure;
use crate::web::i18n::Tr;
use crate::web::pages::render;
use crate::web::posted::{Fields, Typed, field, form};
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
    /// The section the last form belongs to, where its outcome is shown.
    section: Option<&'static str>,
    /// That form was saved.
    saved: bool,
    /// That form failed: each wrong field at its input, or the rule's sentence.
    failure: FormFailure,
    /// What was typed into the form that failed.
    typed: Typed,
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

    /// The last form's outcome belongs in section `id`.
    fn here(&self, id: &str) -> bool {
        self.section == Some(id)
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

/// What the last form did: saved (after the redirect) or failed (with what was typed).
enum Outcome {
    None,
    Saved(&'static str),
    Failed {
        step: String,
        status: StatusCode,
        failure: FormFailure,
        typed: Typed,
    },
}

async fn plan_page_with(
    state: &web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    case_id: Uuid,
    council_id: Uuid,
    outcome: Outcome,
) -> Result<HttpResponse, AppError> {
    let loaded = load(state, &staff, tr, case_id, council_id, "plan.page").await?;
    let (status, section, saved, failure, typed) = match outcome {
        Outcome::None => (
            StatusCode::OK,
            None,
            false,
            FormFailure::default(),
            Typed::default(),
        ),
        Outcome::Saved(step) => (
            StatusCode::OK,
            Some(section_of(step)),
            true,
            FormFailure::default(),
            Typed::default(),
        ),
        Outcome::Failed {
            step,
            status,
            failure,
            typed,
        } => (status, Some(section_of(&step)), false, failure, typed),
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
            section,
            saved,
            failure,
            typed,
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
    let outcome = query
        .into_inner()
        .done
        .and_then(|d| STEPS.iter().find(|s| **s == d))
        .map_or(Outcome::None, |step| Outcome::Saved(step));
    plan_page_with(&state, staff, tr, case_id, council_id, outcome).await
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
const STEPS: [&str; 18] = [
    "create",
    "goal",
    "remove-goal",
    "commitment",
    "remove-commitment",
    "commitment-done",
    "follow-up-owner",
    "submit",
    "take-back",
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

/// The section of the plan page a step's form stands in (its heading's id).
fn section_of(step: &str) -> &'static str {
    match step {
        "goal" | "remove-goal" => "goals",
        "commitment" | "remove-commitment" | "commitment-done" => "commitments",
        "follow-up-owner" => "follow-up-owner",
        "submit" | "take-back" | "close-approval" | "record-approval" | "approve" | "return" => {
            "approval"
        }
        "evaluation-plan" => "evaluation-plan",
        "follow-up-held" => "follow-ups",
        "evaluation" | "close" => "evaluations",
        "child-link" | "revoke-child-link" => "child-links",
        _ => "plan",
    }
}

/// The input a step's field is shown at (the ids in `plans/plan.html`); a follow-up's form is
/// one per follow-up and adds its id.
fn input_id(step: &str, field: &str, row: Option<&str>) -> String {
    let id = match (step, field) {
        ("goal", "author") => "goal-author",
        ("goal", _) => "goal-text",
        ("commitment", "participant_id" | "user_id") => "commitment-who",
        ("commitment", "due_on") => "commitment-due",
        ("commitment", "every_days") => "commitment-every",
        ("commitment", "beyond_evaluation") => "commitment-beyond",
        ("commitment", _) => "commitment-text",
        ("follow-up-owner", _) => "owner-who",
        ("close-approval", _) => "close-reason",
        ("record-approval", "participant_id") => "recorded-who",
        ("record-approval", "how") => "recorded-how",
        ("record-approval", "comment") => "recorded-comment",
        ("record-approval", _) => "recorded-answer",
        ("approve", "note") => "approve-note",
        ("approve", _) => "safety",
        ("return", _) => "return-reason",
        ("evaluation-plan", "way") => "evaluation-way",
        ("evaluation-plan", "confirm_later_commitments") => "confirm-later",
        ("evaluation-plan", _) => "evaluation-date",
        ("follow-up-held", _) => return format!("held-{}", row.unwrap_or_default()),
        ("evaluation", "took_part") => "eval-took-part",
        ("evaluation", "child_view") => "eval-child",
        ("evaluation", "parents_view") => "eval-parents",
        ("evaluation", "decision") => "eval-decision",
        ("evaluation", "next_evaluation_on") => "eval-next",
        ("evaluation", _) => "eval-held",
        ("close", _) => "close-plan-reason",
        _ => "plan-status",
    };
    id.to_owned()
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
            with_id(&fields, "goal_id", |id| {
                actions::remove_goal(s, c, case_id, k, id)
            })
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
            with_id(&fields, "commitment_id", |id| {
                actions::remove_commitment(s, c, case_id, k, id)
            })
            .await
        }
        "commitment-done" => {
            with_id_and_form(&fields, "commitment_id", |id, req| {
                actions::commitment_done(s, c, case_id, k, id, req)
            })
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
        "record-approval" => {
            async {
                // Whom the answer is for is chosen in the form: none chosen is a field's mistake.
                let participant = field(&fields, "participant_id")
                    .and_then(|v| v.trim().parse().ok())
                    .ok_or_else(|| AppError::field("participant_id", "not a valid id"))?;
                let req = form::<RecordedApprovalRequest>(&fields)?;
                actions::record_approval(s, c, case_id, k, participant, req).await
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
            with_id_and_form(&fields, "follow_up_id", |id, req| {
                actions::follow_up_held(s, c, case_id, k, id, req)
            })
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
            with_id(&fields, "link_id", |id| {
                actions::revoke_child_link(s, c, case_id, k, id)
            })
            .await
        }
        _ => Err(AppError::NotFound),
    };
    let failed = match result {
        Ok(_) => {
            // Back at the form's own section, where its confirmation is shown.
            let section = section_of(&step);
            return Ok(HttpResponse::SeeOther()
                .insert_header((
                    LOCATION,
                    format!("/cases/{case_id}/councils/{council_id}/plan?done={step}#{section}"),
                ))
                .finish());
        }
        Err(e) => e,
    };
    let row = (step == "follow-up-held")
        .then(|| field(&fields, "follow_up_id").map(str::to_owned))
        .flatten();
    let Some(failure) = FormFailure::of(&failed, &tr, |f| input_id(&step, f, row.as_deref()))
    else {
        return Err(failed);
    };
    let outcome = Outcome::Failed {
        status: failed.status_code(),
        failure,
        typed: Typed::new(step.clone(), row, fields),
        step,
    };
    plan_page_with(&state, staff, tr, case_id, council_id, outcome).await
}
