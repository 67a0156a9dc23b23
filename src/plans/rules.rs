//! The plan's rules as pure functions of the facts the queries gather: the evaluation-date
//! proposal, what a due date may be, when a plan counts as approved, when it may be closed, and
//! where its council stands after each step. Kept apart from the database so they read (and are
//! tested) as rules.

use chrono::{Datelike, Months, NaiveDate};

use super::domain::{CommitmentStatus, Decision, PlanStatus};
use crate::councils::domain::{CouncilKind, CouncilState};
use crate::web::problem::AppError;
use crate::web::refusal::Refusal;

/// The service's evaluation-date rule: within `months_younger` months when the child is under
/// `age_years`, otherwise within `months_older` (by default 6 under 7, else 12: every family
/// group conference plan has a review date on that rule in New Zealand's practice, s.29A).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvaluationRule {
    pub age_years: u32,
    pub months_younger: u32,
    pub months_older: u32,
}

impl Default for EvaluationRule {
    fn default() -> Self {
        Self {
            age_years: 7,
            months_younger: 6,
            months_older: 12,
        }
    }
}

/// The child's birth as the case knows it: the year always, the date sometimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Birth {
    pub year: i32,
    pub date: Option<NaiveDate>,
}

impl Birth {
    /// The child's age on `on`. With only the year known the child may not have had this year's
    /// birthday yet, so the younger possibility counts: a young child's plan is evaluated sooner,
    /// and an earlier evaluation is the safer error.
    pub fn age_on(&self, on: NaiveDate) -> i64 {
        match self.date {
            Some(d) => on.years_since(d).map_or(0, i64::from),
            None => (i64::from(on.year()) - i64::from(self.year) - 1).max(0),
        }
    }
}

/// The proposed evaluation date for a plan approved on `approved_on`.
pub fn proposed_evaluation_date(
    rule: EvaluationRule,
    birth: Birth,
    approved_on: NaiveDate,
) -> NaiveDate {
    let months = if birth.age_on(approved_on) < i64::from(rule.age_years) {
        rule.months_younger
    } else {
        rule.months_older
    };
    approved_on
        .checked_add_months(Months::new(months))
        .unwrap_or(approved_on)
}

/// A commitment's due date against the plan's evaluation date: one after it is refused unless
/// the coordinator confirmed it (the network evaluates what it has not yet had time to do).
pub fn due_date_allowed(
    due_on: NaiveDate,
    evaluation_on: Option<NaiveDate>,
    confirmed: bool,
) -> Result<(), AppError> {
    match evaluation_on {
        Some(evaluation) if due_on > evaluation && !confirmed => Err(AppError::field(
            "due_on",
            format!(
                "the due date is after the evaluation date ({evaluation}); move it, or confirm it with beyond_evaluation"
            ),
        )),
        _ => Ok(()),
    }
}

/// Whether everyone who must confirm has confirmed. Nobody to ask is not an approval: a plan
/// without commitments from the team is approved by the coordinator closing approval.
pub fn all_confirmed(needed: &[uuid::Uuid], confirmed: &[uuid::Uuid]) -> bool {
    !needed.is_empty() && needed.iter().all(|p| confirmed.contains(p))
}

/// Who approves a plan of this kind: the network in a network council (each participant with
/// commitments), the caseworker for the service in a family group conference; the other kinds
/// (network meetings, responsibility groups) take the decisions in the meeting and their plan is
/// approved as the coordinator records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approver {
    Network,
    Caseworker,
    Coordinator,
}

pub fn approver(kind: CouncilKind) -> Approver {
    match kind {
        CouncilKind::NetworkCouncil => Approver::Network,
        CouncilKind::FamilyGroupConference => Approver::Caseworker,
        CouncilKind::NetworkMeetingSeries | CouncilKind::ResponsibilityGroup => {
            Approver::Coordinator
        }
    }
}

/// Whether the plan's content may change: only while drafted, and in follow-up (an adjusted
/// plan) — never while it awaits approval, nor once closed.
pub fn editable(status: PlanStatus) -> Result<(), AppError> {
    match status {
        PlanStatus::Draft | PlanStatus::Approved => Ok(()),
        PlanStatus::AwaitingApproval => Err(Refusal::PlanAwaitingApproval
            .because("the plan awaits approval; the coordinator can take it back to edit it")),
        PlanStatus::Closed => Err(Refusal::PlanClosed.because("the plan is closed")),
    }
}

/// A plan is closed only after an evaluation has been recorded (report 003: evaluations are
/// mostly left undocumented).
pub fn may_close(status: PlanStatus, evaluations: usize) -> Result<(), AppError> {
    if status == PlanStatus::Closed {
        return Err(Refusal::PlanClosed.because("the plan is closed already"));
    }
    if status != PlanStatus::Approved {
        return Err(Refusal::PlanNotApproved
            .because("only an approved plan that has been evaluated can be closed"));
    }
    if evaluations == 0 {
        return Err(Refusal::PlanNotEvaluated
            .because("a plan cannot be closed without an evaluation; record one first"));
    }
    Ok(())
}

/// A council gets its plan once its meeting took place (the network makes the plan in the
/// meeting), while it is open, and only one.
pub fn may_create(
    council_closed: bool,
    meeting_held: bool,
    has_plan: bool,
) -> Result<(), AppError> {
    if council_closed {
        return Err(Refusal::CouncilClosed.because("the council is closed"));
    }
    if !meeting_held {
        return Err(Refusal::PlanBeforeMeeting.because(
            "the plan is made in the meeting: no meeting of this council has taken place yet",
        ));
    }
    if has_plan {
        return Err(Refusal::PlanExists.because("the council has a plan already"));
    }
    Ok(())
}

/// A plan holds at most 50 goals; `position` is the next goal's.
pub fn goal_position(position: i16) -> Result<(), AppError> {
    if position > 50 {
        return Err(Refusal::GoalLimit.because("a plan has at most 50 goals"));
    }
    Ok(())
}

/// Nothing changes in a closed plan.
pub fn not_closed(status: PlanStatus) -> Result<(), AppError> {
    if status == PlanStatus::Closed {
        return Err(Refusal::PlanClosed.because("the plan is closed"));
    }
    Ok(())
}

/// A draft is sent for approval once it has a goal and a commitment.
pub fn may_submit(status: PlanStatus, goals: usize, commitments: usize) -> Result<(), AppError> {
    match status {
        PlanStatus::Draft => {}
        PlanStatus::AwaitingApproval => {
            return Err(Refusal::PlanAlreadySubmitted.because("the plan awaits approval already"));
        }
        PlanStatus::Approved | PlanStatus::Closed => {
            return Err(Refusal::PlanAlreadyApproved
                .because("the plan has been approved; changes to it need no new approval"));
        }
    }
    if goals == 0 {
        return Err(Refusal::PlanWithoutGoals.because("the plan has no goal yet"));
    }
    if commitments == 0 {
        return Err(Refusal::PlanWithoutCommitments.because("nobody has committed to anything yet"));
    }
    Ok(())
}

/// The refusal of a second approval of one version (the database's unique index said so).
pub fn approved_already() -> AppError {
    Refusal::PlanAlreadyApproved.because("the plan has been approved already")
}

/// A plan approved by the service takes no answers through the links.
pub fn approved_by_service() -> AppError {
    Refusal::ApprovedByService
        .because("this plan is approved by the service, not through the links")
}

/// Approval steps happen while the plan awaits approval.
pub fn awaiting(status: PlanStatus) -> Result<(), AppError> {
    match status {
        PlanStatus::AwaitingApproval => Ok(()),
        PlanStatus::Approved | PlanStatus::Closed => Err(approved_already()),
        PlanStatus::Draft => {
            Err(Refusal::PlanNotSubmitted.because("the plan has not been sent for approval"))
        }
    }
}

/// A participant approves through their link only a network council's plan, only when they are
/// on its team, and once per version (they may have objected first: approving withdraws it).
pub fn may_confirm(kind: CouncilKind, on_team: bool, approved: bool) -> Result<(), AppError> {
    if approver(kind) != Approver::Network {
        return Err(approved_by_service());
    }
    if !on_team {
        return Err(Refusal::NotAskedToApprove.because("you are not asked to approve this plan"));
    }
    if approved {
        return Err(Refusal::AlreadyConfirmed.because("you have approved this plan already"));
    }
    Ok(())
}

/// The page a participant or the child answers on shows `shown`; the plan is at `current`. An
/// answer to a version that has changed since is refused, so nobody approves what they did not
/// see (the plan went back to draft, or was sent again).
pub fn same_version(shown: i32, current: i32) -> Result<(), AppError> {
    if shown != current {
        return Err(Refusal::PlanChanged
            .because("the plan has changed since this page was shown; read it again"));
    }
    Ok(())
}

/// What the child answered through the child's link to this version of the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildAnswer {
    /// The plan has no live link for the child: nobody to ask.
    NotAsked,
    Waiting,
    Agreed,
    WantsToTalk,
}

/// A network council's plan is approved when every participant asked has approved this version
/// and the child, when asked, agrees. Nobody to ask is not an approval: the coordinator closes
/// approval then.
pub fn network_approved(
    needed: &[uuid::Uuid],
    approved: &[uuid::Uuid],
    child: ChildAnswer,
) -> bool {
    all_confirmed(needed, approved) && matches!(child, ChildAnswer::NotAsked | ChildAnswer::Agreed)
}

/// The coordinator takes a plan awaiting approval back to draft (to change it); only the
/// coordinator, and only while it awaits approval.
pub fn may_take_back(status: PlanStatus, is_coordinator: bool) -> Result<(), AppError> {
    awaiting(status)?;
    if !is_coordinator {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

/// The coordinator closes approval of any kind but a family group conference.
pub fn coordinator_may_close(kind: CouncilKind) -> Result<(), AppError> {
    if approver(kind) == Approver::Caseworker {
        return Err(Refusal::ApprovedByCaseworker
            .because("a family group conference's plan is approved by the caseworker"));
    }
    Ok(())
}

/// Only a family group conference's plan is approved by the caseworker.
pub fn caseworker_may_approve(kind: CouncilKind) -> Result<(), AppError> {
    if approver(kind) != Approver::Caseworker {
        return Err(Refusal::ApprovedByCaseworker
            .because("only a family group conference's plan is approved by the caseworker"));
    }
    Ok(())
}

/// Only a family group conference's plan is returned by the caseworker.
pub fn caseworker_may_return(kind: CouncilKind) -> Result<(), AppError> {
    if approver(kind) != Approver::Caseworker {
        return Err(Refusal::NotFamilyGroupConference
            .because("only a family group conference's plan is returned by the caseworker"));
    }
    Ok(())
}

/// When and how the plan is evaluated is decided for an approved plan.
pub fn evaluation_definable(status: PlanStatus) -> Result<(), AppError> {
    if status != PlanStatus::Approved {
        return Err(Refusal::EvaluationAtApproval
            .because("the evaluation is decided when the plan is approved"));
    }
    Ok(())
}

/// A commitment is marked done in an approved plan, once confirmed and not yet done.
pub fn may_mark_done(plan: PlanStatus, commitment: CommitmentStatus) -> Result<(), AppError> {
    if plan != PlanStatus::Approved {
        return Err(Refusal::PlanNotRunning.because(
            "commitments are marked done once the plan is approved, and until it is closed",
        ));
    }
    match commitment {
        CommitmentStatus::Done => {
            Err(Refusal::CommitmentDone.because("this commitment is done already"))
        }
        CommitmentStatus::Open => Err(Refusal::CommitmentNotConfirmed
            .because("confirm the commitment before marking it done")),
        CommitmentStatus::Confirmed => Ok(()),
    }
}

/// A follow-up is held (or documented) once: not after its evaluation is recorded.
pub fn follow_up_undocumented(documented: bool) -> Result<(), AppError> {
    if documented {
        return Err(
            Refusal::EvaluationRecorded.because("this follow-up's evaluation is recorded already")
        );
    }
    Ok(())
}

/// An evaluation is recorded for an approved plan that is not closed.
pub fn evaluable(status: PlanStatus) -> Result<(), AppError> {
    if status != PlanStatus::Approved {
        return Err(Refusal::EvaluationNeedsApprovedPlan
            .because("an evaluation is recorded for an approved plan that is not closed"));
    }
    Ok(())
}

/// What happened to the plan, for its council's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanEvent {
    Drafting,
    Approved,
    EvaluationDefined,
    EvaluationDue,
    Evaluated(Decision),
    Closed,
}

/// Where the council stands after `event`, if it moves: a network council walks plan_drafting →
/// plan_approved → evaluation_defined → follow_up → evaluation_due → (follow_up again after an
/// evaluation that continues) → closed; a family group conference goes from plan review to
/// follow-up at approval and closes with the plan; the other kinds are in follow-up while their
/// plan runs and end with it. A council never moves backwards past where it stands, except from
/// evaluation due back to follow-up when the plan goes on.
pub fn council_state_after(
    kind: CouncilKind,
    current: CouncilState,
    event: PlanEvent,
) -> Option<CouncilState> {
    use CouncilState::*;
    let target = match (kind, event) {
        (CouncilKind::NetworkCouncil, PlanEvent::Drafting) => PlanDrafting,
        (CouncilKind::NetworkCouncil, PlanEvent::Approved) => PlanApproved,
        (CouncilKind::NetworkCouncil, PlanEvent::EvaluationDefined) => EvaluationDefined,
        (CouncilKind::NetworkCouncil, PlanEvent::EvaluationDue) => EvaluationDue,
        (_, PlanEvent::Evaluated(Decision::End)) => return None,
        (_, PlanEvent::Evaluated(_)) if current == EvaluationDue => return Some(FollowUp),
        (_, PlanEvent::Evaluated(_)) => return None,
        (CouncilKind::FamilyGroupConference, PlanEvent::Drafting) => PlanReview,
        (_, PlanEvent::Drafting) => return None,
        (_, PlanEvent::Approved | PlanEvent::EvaluationDefined | PlanEvent::EvaluationDue) => {
            FollowUp
        }
        (_, PlanEvent::Closed) => *kind.states().last()?,
    };
    let states = kind.states();
    let from = states.iter().position(|s| *s == current)?;
    let to = states.iter().position(|s| *s == target)?;
    (to > from && !kind.is_final(current)).then_some(target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use CouncilState::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn under_seven_is_evaluated_within_six_months_otherwise_twelve() {
        let rule = EvaluationRule::default();
        let approved = day(2026, 11, 22);
        let six = Birth {
            year: 2020,
            date: Some(day(2020, 1, 5)),
        };
        assert_eq!(six.age_on(approved), 6);
        assert_eq!(
            proposed_evaluation_date(rule, six, approved),
            day(2027, 5, 22)
        );
        let seven = Birth {
            year: 2019,
            date: Some(day(2019, 11, 22)),
        };
        assert_eq!(seven.age_on(approved), 7, "the birthday itself counts");
        assert_eq!(
            proposed_evaluation_date(rule, seven, approved),
            day(2027, 11, 22)
        );
        // Only the year: 2019 may still be 6 on this day, so the shorter interval.
        let year_only = Birth {
            year: 2019,
            date: None,
        };
        assert_eq!(
            proposed_evaluation_date(rule, year_only, approved),
            day(2027, 5, 22)
        );
        let older = Birth {
            year: 2012,
            date: None,
        };
        assert_eq!(
            proposed_evaluation_date(rule, older, approved),
            day(2027, 11, 22)
        );
        // A service's own rule.
        let strict = EvaluationRule {
            age_years: 12,
            months_younger: 3,
            months_older: 6,
        };
        assert_eq!(
            proposed_evaluation_date(strict, older, approved),
            day(2027, 5, 22)
        );
        assert_eq!(
            proposed_evaluation_date(strict, six, approved),
            day(2027, 2, 22)
        );
        // The end of a month stays in the month.
        assert_eq!(
            proposed_evaluation_date(rule, six, day(2026, 8, 31)),
            day(2027, 2, 28)
        );
    }

    #[test]
    fn a_due_date_after_the_evaluation_needs_confirming() {
        let eval = Some(day(2027, 5, 1));
        assert!(due_date_allowed(day(2027, 4, 30), eval, false).is_ok());
        assert!(due_date_allowed(day(2027, 5, 1), eval, false).is_ok());
        assert!(due_date_allowed(day(2027, 5, 2), eval, false).is_err());
        assert!(due_date_allowed(day(2027, 5, 2), eval, true).is_ok());
        assert!(due_date_allowed(day(2030, 1, 1), None, false).is_ok());
    }

    #[test]
    fn approval_needs_everyone_with_commitments_and_someone_to_ask() {
        let (a, b) = (uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2));
        assert!(!all_confirmed(&[a, b], &[a]));
        assert!(all_confirmed(&[a, b], &[b, a]));
        assert!(!all_confirmed(&[], &[]));
    }

    #[test]
    fn the_network_approves_when_everyone_asked_and_the_child_agree() {
        let (a, b) = (uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2));
        let nc = CouncilKind::NetworkCouncil;
        assert!(network_approved(&[a, b], &[b, a], ChildAnswer::NotAsked));
        assert!(network_approved(&[a, b], &[a, b], ChildAnswer::Agreed));
        assert!(!network_approved(&[a, b], &[a, b], ChildAnswer::Waiting));
        assert!(
            !network_approved(&[a, b], &[a, b], ChildAnswer::WantsToTalk),
            "the child wanting to talk holds the approval for the coordinator"
        );
        assert!(!network_approved(&[a, b], &[a], ChildAnswer::Agreed));
        assert!(!network_approved(&[], &[], ChildAnswer::Agreed));
        assert!(may_confirm(nc, true, false).is_ok());
        assert!(may_confirm(nc, false, false).is_err(), "not on the team");
        assert!(may_confirm(nc, true, true).is_err(), "once per version");
        assert!(
            may_confirm(CouncilKind::FamilyGroupConference, true, false).is_err(),
            "a family group conference's plan is approved by the service"
        );
        assert!(same_version(3, 3).is_ok());
        assert!(same_version(3, 4).is_err(), "an old page");
        assert!(may_take_back(PlanStatus::AwaitingApproval, true).is_ok());
        assert!(may_take_back(PlanStatus::AwaitingApproval, false).is_err());
        assert!(may_take_back(PlanStatus::Draft, true).is_err());
        assert!(may_take_back(PlanStatus::Approved, true).is_err());
    }

    #[test]
    fn a_plan_is_closed_only_after_an_evaluation() {
        assert!(may_close(PlanStatus::Approved, 0).is_err());
        assert!(may_close(PlanStatus::Draft, 1).is_err());
        assert!(may_close(PlanStatus::Approved, 1).is_ok());
        assert!(may_close(PlanStatus::Closed, 1).is_err());
        assert!(editable(PlanStatus::AwaitingApproval).is_err());
        assert!(editable(PlanStatus::Closed).is_err());
    }

    #[test]
    fn the_council_walks_with_its_plan() {
        let nc = CouncilKind::NetworkCouncil;
        assert_eq!(
            council_state_after(nc, MeetingHeld, PlanEvent::Drafting),
            Some(PlanDrafting)
        );
        assert_eq!(
            council_state_after(nc, PlanDrafting, PlanEvent::Approved),
            Some(PlanApproved)
        );
        assert_eq!(
            council_state_after(nc, PlanApproved, PlanEvent::EvaluationDefined),
            Some(EvaluationDefined)
        );
        assert_eq!(
            council_state_after(nc, EvaluationDefined, PlanEvent::EvaluationDue),
            Some(EvaluationDue)
        );
        assert_eq!(
            council_state_after(nc, EvaluationDue, PlanEvent::Evaluated(Decision::Continue)),
            Some(FollowUp)
        );
        assert_eq!(
            council_state_after(nc, EvaluationDue, PlanEvent::Closed),
            Some(Closed)
        );
        assert_eq!(council_state_after(nc, Closed, PlanEvent::Closed), None);
        assert_eq!(
            council_state_after(nc, FollowUp, PlanEvent::Drafting),
            None,
            "never backwards"
        );
        let fgc = CouncilKind::FamilyGroupConference;
        assert_eq!(
            council_state_after(fgc, Meeting, PlanEvent::Drafting),
            Some(PlanReview)
        );
        assert_eq!(
            council_state_after(fgc, PlanReview, PlanEvent::Approved),
            Some(FollowUp)
        );
        assert_eq!(
            council_state_after(fgc, FollowUp, PlanEvent::EvaluationDue),
            None
        );
        assert_eq!(
            council_state_after(fgc, FollowUp, PlanEvent::Closed),
            Some(Closed)
        );
        assert_eq!(approver(fgc), Approver::Caseworker);
        assert_eq!(approver(nc), Approver::Network);
    }
}
