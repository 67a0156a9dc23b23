//! Every change to a plan by staff, once: the JSON API ([`super::handlers`]) and the pages
//! ([`super::pages`]) both call these. Each opens the case through
//! [`crate::cases::access::with_case`] (a plan belongs to its council and the council to its
//! case, so plan access is case access), locks the council and the plan, makes the change, and
//! leaves its audit row in the same transaction; it returns the plan as it now stands. A refusal
//! rolls the whole transaction back.

use actix_web::web;
use diesel::PgConnection;
use serde_json::{Value, json};
use uuid::Uuid;

use super::domain::{
    CaseworkerApprovalRequest, CloseRequest, CommitmentRequest, DoneRequest, EvaluationPlan,
    EvaluationPlanRequest, EvaluationRequest, FollowUpOwnerRequest, GoalRequest, HeldRequest,
    NewCommitment, NewEvaluation, NewGoal, ReasonRequest, RecordedAnswer, RecordedApprovalRequest,
};
use super::queries::{self, Plan, PlanSettings};
use super::views::PlanView;
use crate::access::{Caller, Role};
use crate::cases::access::{Audited, CaseCtx, Intent, case_user, with_case};
use crate::config::Settings;
use crate::councils::queries::Council;
use crate::web::AppState;
use crate::web::problem::AppError;

/// What a change has at hand.
pub struct PlanCtx<'a> {
    pub case: &'a CaseCtx,
    pub council: &'a Council,
    pub plan: &'a Plan,
    pub ps: &'a PlanSettings,
    pub settings: &'a Settings,
}

impl PlanCtx<'_> {
    fn scope(&self) -> queries::Scope<'_> {
        queries::Scope {
            settings: self.settings,
            tenant: self.case.tenant,
            council: self.council,
            ps: self.ps,
        }
    }
}

/// Opens the case, its council and its plan, runs `f`, and audits `action` with `f`'s details;
/// returns the plan as it stands afterwards.
async fn change<F>(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    action: &'static str,
    f: F,
) -> Result<PlanView, AppError>
where
    F: FnOnce(&mut PgConnection, &PlanCtx<'_>) -> Result<Value, AppError> + Send + 'static,
{
    let settings = state.settings.clone();
    with_case(
        &state.db,
        caller,
        case_id,
        Intent::Write,
        action,
        move |conn, c| {
            let council =
                crate::councils::queries::council(conn, c.tenant, c.case.id, council_id, true)?;
            let plan = queries::plan_of(conn, council.id, true)?;
            let ps = PlanSettings::load(conn)?;
            let details = f(
                conn,
                &PlanCtx {
                    case: c,
                    council: &council,
                    plan: &plan,
                    ps: &ps,
                    settings: &settings,
                },
            )?;
            let after = queries::plan_of(conn, council.id, false)?;
            let view = queries::plan_view(conn, &settings, &after, council.kind, &ps)?;
            Ok((
                view,
                Audited::within("plan", plan.id, c.case.id)
                    .with(json!({ "council_id": council_id }))
                    .with(details),
            ))
        },
    )
    .await
}

pub async fn read(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
) -> Result<PlanView, AppError> {
    let settings = state.settings.clone();
    with_case(
        &state.db,
        caller,
        case_id,
        Intent::Read,
        "plan.read",
        move |conn, c| {
            let council =
                crate::councils::queries::council(conn, c.tenant, c.case.id, council_id, false)?;
            let plan = queries::plan_of(conn, council.id, false)?;
            let ps = PlanSettings::load(conn)?;
            let view = queries::plan_view(conn, &settings, &plan, council.kind, &ps)?;
            Ok((
                view,
                Audited::within("plan", plan.id, c.case.id)
                    .with(json!({ "council_id": council_id })),
            ))
        },
    )
    .await
}

pub async fn create(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
) -> Result<PlanView, AppError> {
    let creator = case_user(caller).ok_or(AppError::NotFound)?;
    let settings = state.settings.clone();
    with_case(
        &state.db,
        caller,
        case_id,
        Intent::Write,
        "plan.create",
        move |conn, c| {
            let council =
                crate::councils::queries::council(conn, c.tenant, c.case.id, council_id, true)?;
            let ps = PlanSettings::load(conn)?;
            let id = queries::create(conn, c.tenant, &council, creator, ps.now)?;
            let plan = queries::plan_of(conn, council.id, false)?;
            let view = queries::plan_view(conn, &settings, &plan, council.kind, &ps)?;
            Ok((
                view,
                Audited::within("plan", id, c.case.id).with(json!({ "council_id": council_id })),
            ))
        },
    )
    .await
}

pub async fn add_goal(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    req: GoalRequest,
) -> Result<PlanView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "plan.goal_add",
        move |conn, p| {
            let goal = NewGoal::parse(&req)?;
            let id = queries::add_goal(conn, p.case.tenant, p.plan, &goal, p.case.user, p.ps.now)?;
            Ok(json!({ "goal_id": id, "author": goal.author }))
        },
    )
    .await
}

pub async fn remove_goal(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    goal_id: Uuid,
) -> Result<PlanView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "plan.goal_remove",
        move |conn, p| {
            queries::remove_goal(conn, p.case.tenant, p.plan, goal_id, p.case.user, p.ps.now)?;
            Ok(json!({ "goal_id": goal_id }))
        },
    )
    .await
}

pub async fn add_commitment(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    req: CommitmentRequest,
) -> Result<PlanView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "plan.commitment_add",
        move |conn, p| {
            let new = NewCommitment::parse(&req, p.ps.today)?;
            let id = queries::add_commitment(
                conn,
                p.case.tenant,
                p.council,
                p.plan,
                &new,
                p.case.user,
                p.ps,
            )?;
            Ok(json!({ "commitment_id": id, "recurring": new.every_days.is_some() }))
        },
    )
    .await
}

pub async fn remove_commitment(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    commitment_id: Uuid,
) -> Result<PlanView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "plan.commitment_remove",
        move |conn, p| {
            queries::remove_commitment(
                conn,
                p.case.tenant,
                p.plan,
                commitment_id,
                p.case.user,
                p.ps.now,
            )?;
            Ok(json!({ "commitment_id": commitment_id }))
        },
    )
    .await
}

/// Staff mark a commitment done for a person who reported it another way, or for a staff
/// member's own commitment.
pub async fn commitment_done(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    commitment_id: Uuid,
    req: DoneRequest,
) -> Result<PlanView, AppError> {
    let by = case_user(caller);
    change(
        state,
        caller,
        case_id,
        council_id,
        "plan.commitment_done",
        move |conn, p| {
            let comment = req.parse()?;
            queries::mark_done(
                conn,
                p.case.tenant,
                p.plan,
                commitment_id,
                comment.as_deref(),
                by,
                p.ps,
            )?;
            Ok(json!({ "commitment_id": commitment_id }))
        },
    )
    .await
}

pub async fn set_follow_up_owner(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    req: FollowUpOwnerRequest,
) -> Result<PlanView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "plan.follow_up_owner",
        move |conn, p| {
            let owner = req.parse()?;
            queries::set_follow_up_owner(
                conn,
                p.case.tenant,
                p.council,
                p.plan,
                owner,
                p.case.user,
                p.ps.now,
            )?;
            Ok(json!({}))
        },
    )
    .await
}

pub async fn submit(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
) -> Result<PlanView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "plan.submit",
        move |conn, p| {
            let asked = queries::submit(
                conn,
                p.settings,
                p.case.tenant,
                p.council,
                p.plan,
                p.case.user,
                p.ps,
            )?;
            Ok(json!({ "asked_to_confirm": asked }))
        },
    )
    .await
}

pub async fn close_approval(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    req: ReasonRequest,
) -> Result<PlanView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "plan.approval_close",
        move |conn, p| {
            let reason = req.parse()?;
            let unconfirmed =
                queries::coordinator_closes(conn, &p.scope(), p.plan, p.case.user, &reason)?;
            Ok(json!({ "version": p.plan.version, "unconfirmed_commitments": unconfirmed }))
        },
    )
    .await
}

/// Records a participant's answer to the plan given by phone or in person: they approve it
/// (confirming their commitments) or object, with what they said. Shown as recorded by the
/// caller; the participant can still answer through their own link afterwards (an objection is
/// withdrawn by approving). Refused like the participant's own answer: for someone not asked to
/// approve, a plan not awaiting approval, or a version that has changed since it was read to them.
pub async fn record_approval(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    participant_id: Uuid,
    req: RecordedApprovalRequest,
) -> Result<PlanView, AppError> {
    let recorder = caller.person()?;
    change(
        state,
        caller,
        case_id,
        council_id,
        "plan.approval_record",
        move |conn, p| {
            let recorded = req.parse()?;
            let by = Some((recorder, recorded.how));
            let scope = p.scope();
            let approved = match recorded.answer {
                RecordedAnswer::Confirm => matches!(
                    queries::participant_confirms(
                        conn,
                        &scope,
                        p.plan,
                        participant_id,
                        recorded.version,
                        by,
                    )?,
                    queries::Answered::Recorded {
                        plan_approved: true
                    }
                ),
                RecordedAnswer::Object => {
                    let comment = recorded.comment.as_deref().unwrap_or_default();
                    queries::participant_objects(
                        conn,
                        &scope,
                        p.plan,
                        participant_id,
                        recorded.version,
                        comment,
                        by,
                    )?;
                    false
                }
            };
            Ok(json!({
                "participant_id": participant_id,
                "version": p.plan.version,
                "answer": recorded.answer,
                "how": recorded.how,
                "plan_approved": approved,
            }))
        },
    )
    .await
}

/// The coordinator takes a plan awaiting approval back to draft to change it; those who had
/// approved it are told that it changed.
pub async fn take_back(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
) -> Result<PlanView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "plan.take_back",
        move |conn, p| {
            let told = queries::take_back(conn, &p.scope(), p.plan, p.case.user)?;
            Ok(json!({ "version": p.plan.version, "told": told }))
        },
    )
    .await
}

pub async fn approve(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    req: CaseworkerApprovalRequest,
) -> Result<PlanView, AppError> {
    caller.require(&[Role::Caseworker])?;
    change(
        state,
        caller,
        case_id,
        council_id,
        "plan.approve",
        move |conn, p| {
            let note = req.parse()?;
            queries::caseworker_approves(conn, &p.scope(), p.plan, p.case.user, note.as_deref())?;
            Ok(json!({ "version": p.plan.version, "safety_ensured": true }))
        },
    )
    .await
}

pub async fn return_plan(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    req: ReasonRequest,
) -> Result<PlanView, AppError> {
    caller.require(&[Role::Caseworker])?;
    change(
        state,
        caller,
        case_id,
        council_id,
        "plan.return",
        move |conn, p| {
            let reason = req.parse()?;
            queries::caseworker_returns(
                conn,
                p.case.tenant,
                p.council,
                p.plan,
                p.case.user,
                &reason,
                p.ps.now,
            )?;
            Ok(json!({ "version": p.plan.version }))
        },
    )
    .await
}

pub async fn define_evaluation(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    req: EvaluationPlanRequest,
) -> Result<PlanView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "plan.evaluation_define",
        move |conn, p| {
            let evaluation = EvaluationPlan::parse(&req, p.ps.today)?;
            queries::define_evaluation(conn, &p.scope(), p.plan, &evaluation, p.case.user)?;
            Ok(json!({ "evaluation_on": evaluation.on, "way": evaluation.way }))
        },
    )
    .await
}

pub async fn follow_up_held(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    follow_up_id: Uuid,
    req: HeldRequest,
) -> Result<PlanView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "plan.follow_up_held",
        move |conn, p| {
            let held_on = req.parse(p.ps.today)?;
            queries::follow_up_held(conn, p.case.tenant, p.plan, follow_up_id, held_on, p.ps)?;
            Ok(json!({ "follow_up_id": follow_up_id, "held_on": held_on }))
        },
    )
    .await
}

pub async fn record_evaluation(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    req: EvaluationRequest,
) -> Result<PlanView, AppError> {
    let by = case_user(caller).ok_or(AppError::NotFound)?;
    change(
        state,
        caller,
        case_id,
        council_id,
        "plan.evaluation_record",
        move |conn, p| {
            let new = NewEvaluation::parse(&req, p.ps.today)?;
            let id = queries::record_evaluation(conn, &p.scope(), p.plan, &new, by)?;
            Ok(json!({ "evaluation_id": id, "decision": new.decision }))
        },
    )
    .await
}

pub async fn close(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    req: CloseRequest,
) -> Result<PlanView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "plan.close",
        move |conn, p| {
            let reason = req.parse()?;
            queries::close(
                conn,
                p.case.tenant,
                p.council,
                p.plan,
                reason.as_deref(),
                p.case.user,
                p.ps.now,
            )?;
            Ok(json!({}))
        },
    )
    .await
}

/// A new link for the child; the view lists it with its address, for the coordinator to give.
pub async fn create_child_link(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
) -> Result<PlanView, AppError> {
    let by = case_user(caller).ok_or(AppError::NotFound)?;
    change(
        state,
        caller,
        case_id,
        council_id,
        "plan.child_link_create",
        move |conn, p| {
            let id =
                queries::create_child_link(conn, p.settings, p.case.tenant, p.plan, by, p.ps.now)?;
            Ok(json!({ "child_link_id": id }))
        },
    )
    .await
}

pub async fn revoke_child_link(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    link_id: Uuid,
) -> Result<PlanView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "plan.child_link_revoke",
        move |conn, p| {
            queries::revoke_child_link(conn, p.plan, link_id, p.ps.now)?;
            Ok(json!({ "child_link_id": link_id }))
        },
    )
    .await
}

/// A past version of the plan's content.
pub async fn version(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    number: i32,
) -> Result<Value, AppError> {
    with_case(
        &state.db,
        caller,
        case_id,
        Intent::Read,
        "plan.version_read",
        move |conn, c| {
            let council =
                crate::councils::queries::council(conn, c.tenant, c.case.id, council_id, false)?;
            let plan = queries::plan_of(conn, council.id, false)?;
            let content = queries::version(conn, plan.id, number)?;
            Ok((
                content,
                Audited::within("plan", plan.id, c.case.id).with(json!({ "version": number })),
            ))
        },
    )
    .await
}
