//! The plan's rules as pure functions of the facts the queries gather: the evaluation-date
//! proposal, what a due date may be, when a plan counts as approved, when it may be closed, and
//! where its council stands after each step. Kept apart from the database so they read (and are
//! tested) as rules.

use chrono::{Datelike, Months, NaiveDate};

use super::domain::{Decision, PlanStatus};
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
