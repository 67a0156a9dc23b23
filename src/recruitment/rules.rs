//! The flow of a recruitment as a state machine: which step may be recorded now, which candidate
//! home is up, and every refusal. Pure: the facts come from [`super::queries`].

use uuid::Uuid;

use super::domain::{Answer, Decision, Step};
use crate::web::problem::AppError;
use crate::web::refusal::Refusal;

/// One candidate home as the rules see it.
#[derive(Debug, Clone)]
pub struct CandidateFacts {
    pub id: Uuid,
    pub rank: i32,
    pub answer: Option<Answer>,
    pub form_submitted: bool,
    pub interviewed: bool,
    pub matched: bool,
    pub decision: Option<Decision>,
}

/// What the rules know of a recruitment.
#[derive(Debug, Clone)]
pub struct Facts {
    /// The steps of the recruitment itself done so far (not a candidate's).
    pub done: Vec<Step>,
    pub candidates: Vec<CandidateFacts>,
}

/// The steps of the recruitment itself, before the candidates' and after.
const BEFORE: [Step; 6] = [
    Step::Referral,
    Step::Started,
    Step::InfoMeeting,
    Step::FgcMeeting,
    Step::ClarificationMeeting,
    Step::FamilyPlan,
];

impl Facts {
    pub fn is_done(&self, step: Step) -> bool {
        self.done.contains(&step)
    }

    /// The candidate home up now: the best-ranked one that said yes or maybe and was not
    /// decided against. On a "no" decision the next rank comes up.
    pub fn current(&self) -> Option<&CandidateFacts> {
        let mut sorted: Vec<&CandidateFacts> = self.candidates.iter().collect();
        sorted.sort_by_key(|c| c.rank);
        sorted.into_iter().find(|c| {
            matches!(c.answer, Some(Answer::Yes | Answer::Maybe))
                && c.decision != Some(Decision::No)
        })
    }

    /// A home was decided for.
    pub fn decided_yes(&self) -> Option<&CandidateFacts> {
        self.candidates
            .iter()
            .find(|c| c.decision == Some(Decision::Yes))
    }

    /// Why `step` cannot be recorded now, if it cannot.
    pub fn blocker(&self, step: Step) -> Option<Refusal> {
        if self.is_done(Step::Intake) {
            return Some(Refusal::RecruitmentClosed);
        }
        if let Some(i) = BEFORE.iter().position(|s| *s == step) {
            if self.is_done(step) {
                return Some(Refusal::RecruitmentStepDone);
            }
            if i > 0 && !self.is_done(BEFORE[i - 1]) {
                return Some(Refusal::RecruitmentStepOutOfOrder);
            }
            if step == Step::FamilyPlan && self.candidates.is_empty() {
                return Some(Refusal::RecruitmentWithoutCandidates);
            }
            return None;
        }
        if step == Step::Intake {
            return match self.decided_yes() {
                Some(_) => None,
                None => Some(Refusal::RecruitmentStepOutOfOrder),
            };
        }
        if !self.is_done(Step::FamilyPlan) {
            return Some(Refusal::RecruitmentStepOutOfOrder);
        }
        if self.decided_yes().is_some() {
            return Some(Refusal::RecruitmentStepDone);
        }
        let Some(current) = self.current() else {
            return Some(Refusal::RecruitmentNoCandidateUp);
        };
        match step {
            Step::Interviews if !current.form_submitted => Some(Refusal::RecruitmentStepOutOfOrder),
            Step::Interviews if current.interviewed => Some(Refusal::RecruitmentStepDone),
            Step::Matching if !current.interviewed => Some(Refusal::RecruitmentStepOutOfOrder),
            Step::Matching if current.matched => Some(Refusal::RecruitmentStepDone),
            Step::Decision if !current.matched => Some(Refusal::DecisionBeforeMatching),
            Step::Interviews | Step::Matching | Step::Decision => None,
            _ => Some(Refusal::RecruitmentStepOutOfOrder),
        }
    }

    /// Refuses recording `step` unless the flow has reached it.
    pub fn require(&self, step: Step) -> Result<(), AppError> {
        match self.blocker(step) {
            None => Ok(()),
            Some(rule) => {
                Err(rule.because(format!("the step {} cannot be recorded now", step.as_str())))
            }
        }
    }

    /// Candidate homes join the family's plan once the clarification meeting was held, until a
    /// home is decided for.
    pub fn may_add_candidate(&self, persons: &[Uuid], ranked: &[Uuid]) -> Result<(), AppError> {
        if !self.is_done(Step::ClarificationMeeting) {
            return Err(Refusal::RecruitmentStepOutOfOrder
                .because("the family's plan follows the clarification meeting"));
        }
        if self.is_done(Step::Intake) || self.decided_yes().is_some() {
            return Err(Refusal::RecruitmentClosed.because("a home was decided for"));
        }
        if persons.iter().any(|p| ranked.contains(p)) {
            return Err(Refusal::PersonAlreadyRanked.because("a person is ranked once"));
        }
        Ok(())
    }
}

/// A candidate answers until the service decides about them.
pub fn may_answer(candidate: &CandidateFacts) -> Result<(), AppError> {
    if candidate.decision.is_some() {
        return Err(Refusal::RecruitmentClosed.because("the service has decided"));
    }
    Ok(())
}

/// The self-information form changes until it is submitted, then it is read-only.
pub fn may_change_form(submitted: bool) -> Result<(), AppError> {
    if submitted {
        return Err(Refusal::SelfInformationSubmitted.because("the form was submitted"));
    }
    Ok(())
}

/// A submission needs every field.
pub fn may_submit(missing: &[&'static str]) -> Result<(), AppError> {
    if missing.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(
            missing
                .iter()
                .map(|f| crate::web::problem::FieldError::new(*f, "required"))
                .collect(),
        ))
    }
}

/// Whether a form not submitted gets another reminder.
pub fn reminder_due(submitted: bool, sent: u32, max: u32) -> bool {
    !submitted && sent < max
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(rank: i32, answer: Option<Answer>) -> CandidateFacts {
        CandidateFacts {
            id: Uuid::from_u128(rank as u128),
            rank,
            answer,
            form_submitted: false,
            interviewed: false,
            matched: false,
            decision: None,
        }
    }

    fn planned(candidates: Vec<CandidateFacts>) -> Facts {
        Facts {
            done: BEFORE.to_vec(),
            candidates,
        }
    }

    #[test]
    fn the_steps_before_the_plan_go_in_order() {
        let mut f = Facts {
            done: vec![Step::Referral],
            candidates: vec![],
        };
        assert_eq!(f.blocker(Step::Started), None);
        assert_eq!(
            f.blocker(Step::FgcMeeting),
            Some(Refusal::RecruitmentStepOutOfOrder)
        );
        assert_eq!(
            f.blocker(Step::Referral),
            Some(Refusal::RecruitmentStepDone)
        );
        f.done.extend([
            Step::Started,
            Step::InfoMeeting,
            Step::FgcMeeting,
            Step::ClarificationMeeting,
        ]);
        assert_eq!(
            f.blocker(Step::FamilyPlan),
            Some(Refusal::RecruitmentWithoutCandidates)
        );
        assert!(f.may_add_candidate(&[Uuid::from_u128(1)], &[]).is_ok());
        assert!(
            f.may_add_candidate(&[Uuid::from_u128(1)], &[Uuid::from_u128(1)])
                .is_err()
        );
    }

    #[test]
    fn the_next_rank_comes_up_on_a_no() {
        let mut f = planned(vec![
            cand(1, Some(Answer::No)),
            cand(2, Some(Answer::Yes)),
            cand(3, Some(Answer::Maybe)),
        ]);
        assert_eq!(f.current().unwrap().rank, 2);
        assert_eq!(
            f.blocker(Step::Interviews),
            Some(Refusal::RecruitmentStepOutOfOrder)
        );
        f.candidates[1].form_submitted = true;
        assert_eq!(f.blocker(Step::Interviews), None);
        assert_eq!(
            f.blocker(Step::Decision),
            Some(Refusal::DecisionBeforeMatching)
        );
        f.candidates[1].interviewed = true;
        f.candidates[1].matched = true;
        assert_eq!(f.blocker(Step::Decision), None);
        f.candidates[1].decision = Some(Decision::No);
        assert_eq!(f.current().unwrap().rank, 3);
        assert_eq!(
            f.blocker(Step::Intake),
            Some(Refusal::RecruitmentStepOutOfOrder)
        );
        f.candidates[2].decision = Some(Decision::Yes);
        assert_eq!(f.blocker(Step::Intake), None);
        assert_eq!(
            f.blocker(Step::Interviews),
            Some(Refusal::RecruitmentStepDone)
        );
    }

    #[test]
    fn reminders_stop_at_the_limit_and_at_submission() {
        assert!(reminder_due(false, 0, 2));
        assert!(!reminder_due(false, 2, 2));
        assert!(!reminder_due(true, 0, 2));
        assert!(may_change_form(true).is_err());
    }
}
