//! Refusals a client can tell apart: every rule that refuses a request (409) has its own stable
//! problem `type` (`urn:tillit:problem:<slug>`) and a title in the message catalogue
//! (`problem.*` in `templates/i18n/`), so an integration reacts to the rule and a page shows the
//! rule's sentence in the reader's language. The capabilities raise them from their `rules`;
//! this catalogue only names them, and the OpenAPI description lists them all.

use crate::web::i18n::{Lang, Tr};
use crate::web::problem::AppError;

macro_rules! refusals {
    ($($variant:ident => $slug:literal, $title:literal;)*) => {
        /// A rule that refused a request.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Refusal {
            $($variant,)*
        }

        impl Refusal {
            /// Every refusal, for the OpenAPI description and the catalogue test.
            pub const ALL: &'static [Refusal] = &[$(Refusal::$variant,)*];

            /// The stable part of the problem type, e.g. `plan-already-approved`.
            pub fn slug(self) -> &'static str {
                match self {
                    $(Self::$variant => $slug,)*
                }
            }

            /// The catalogue key of the rule's sentence.
            pub fn title_key(self) -> &'static str {
                match self {
                    $(Self::$variant => $title,)*
                }
            }
        }
    };
}

refusals! {
    LastAssignment => "last-assignment", "problem.only_assigned";
    MeasureNotProposed => "measure-not-proposed", "problem.measure_not_proposed";
    NetworkNotChecked => "network-not-checked", "problem.network_not_checked";
    CouncilClosed => "council-closed", "problem.council_closed";
    PlanBeforeMeeting => "plan-before-meeting", "problem.plan_before_meeting";
    PlanExists => "plan-exists", "problem.plan_exists";
    GoalLimit => "goal-limit", "problem.goal_limit";
    PlanClosed => "plan-closed", "problem.plan_closed";
    PlanAlreadySubmitted => "plan-already-submitted", "problem.plan_already_submitted";
    PlanAlreadyApproved => "plan-already-approved", "problem.plan_already_approved";
    PlanWithoutGoals => "plan-without-goals", "problem.plan_without_goals";
    PlanWithoutCommitments => "plan-without-commitments", "problem.plan_without_commitments";
    PlanNotSubmitted => "plan-not-submitted", "problem.plan_not_submitted";
    ApprovedByService => "plan-approved-by-service", "problem.approved_by_service";
    NotAskedToApprove => "not-asked-to-approve", "problem.not_asked_to_approve";
    PlanChanged => "plan-changed", "problem.plan_changed";
    AlreadyConfirmed => "plan-already-confirmed", "problem.already_confirmed";
    ApprovedByCaseworker => "plan-approved-by-caseworker", "problem.approved_by_caseworker";
    NotFamilyGroupConference => "not-family-group-conference", "problem.not_family_group_conference";
    EvaluationAtApproval => "evaluation-at-approval", "problem.evaluation_at_approval";
    PlanNotRunning => "plan-not-running", "problem.plan_not_running";
    CommitmentDone => "commitment-done", "problem.commitment_done";
    CommitmentNotConfirmed => "commitment-not-confirmed", "problem.commitment_not_confirmed";
    EvaluationRecorded => "evaluation-recorded", "problem.evaluation_recorded";
    EvaluationNeedsApprovedPlan => "evaluation-needs-approved-plan", "problem.evaluation_needs_approved_plan";
    PlanAwaitingApproval => "plan-awaiting-approval", "problem.plan_awaiting_approval";
    PlanNotApproved => "plan-not-approved", "problem.plan_not_approved";
    PlanNotEvaluated => "plan-not-evaluated", "problem.plan_not_evaluated";
    CouncilStepNotAllowed => "council-step-not-allowed", "council.blocker.not_allowed";
    CouncilDescriptionIncomplete => "council-description-incomplete", "council.blocker.description_incomplete";
    CouncilWithoutTeam => "council-without-team", "council.blocker.no_participants";
    CouncilTeamNotChosen => "council-team-not-chosen", "council.blocker.team_not_chosen";
    CouncilConsentsMissing => "council-consents-missing", "council.blocker.consents_missing";
    CouncilWaiversMissing => "council-waivers-missing", "council.blocker.waivers_missing";
    CouncilObjectionsOpen => "council-objections-open", "council.blocker.objections_open";
    CouncilNoConfirmedMeeting => "council-no-confirmed-meeting", "council.blocker.no_confirmed_meeting";
    CouncilMeetingNotHeld => "council-meeting-not-held", "council.blocker.meeting_not_held";
    CouncilFollowsThePlan => "council-follows-the-plan", "council.blocker.follows_the_plan";
    QuestionLimit => "question-limit", "problem.question_limit";
    AlreadyOnTeam => "already-on-team", "problem.already_on_team";
    CouncilWithoutMeeting => "council-without-meeting", "problem.council_without_meeting";
    NextMeetingFromPlan => "next-meeting-from-plan", "council.record.next_from_plan";
    NextMeetingBooked => "next-meeting-booked", "council.record.next_booked";
    MeetingCancelled => "meeting-cancelled", "problem.meeting_cancelled";
    MeetingBegun => "meeting-begun", "problem.meeting_begun";
    NobodyToInvite => "nobody-to-invite", "problem.nobody_to_invite";
    MeetingNotConfirmed => "meeting-not-confirmed", "problem.meeting_not_confirmed";
    ParticipantWithoutAddress => "participant-without-address", "problem.participant_without_address";
    SlugTaken => "slug-taken", "problem.slug_taken";
    MunicipalityServed => "municipality-served", "problem.municipality_served";
    LastMunicipality => "last-municipality", "problem.last_municipality";
    StaffExists => "staff-exists", "problem.staff_exists";
    LastAdmin => "last-admin", "problem.last_admin";
    DeactivatingSelf => "deactivating-self", "problem.deactivating_self";
    CasesToHandOver => "cases-to-hand-over", "problem.cases_to_hand_over";
    JobNotFailed => "job-not-failed", "problem.job_not_failed";
    LinkWithoutPlan => "link-without-plan", "participant.no_plan";
    LinkAlreadyConfirmed => "link-already-confirmed", "participant.already_confirmed";
    CommitmentNotOpen => "commitment-not-open", "participant.not_open";
    PasswordLoginOff => "password-login-off", "problem.password_login_off";
    SsoStateMismatch => "sso-state-mismatch", "problem.sso_state_mismatch";
    SsoNoAccount => "sso-no-account", "problem.sso_no_account";
    SsoAccountDisabled => "sso-account-disabled", "problem.sso_account_disabled";
    SsoTokenInvalid => "sso-token-invalid", "problem.sso_token_invalid";
    RecruitmentOpen => "recruitment-open", "problem.recruitment_open";
    RecruitmentStepOutOfOrder => "recruitment-step-out-of-order", "problem.recruitment_step_out_of_order";
    RecruitmentStepDone => "recruitment-step-done", "problem.recruitment_step_done";
    RecruitmentWithoutCandidates => "recruitment-without-candidates", "problem.recruitment_without_candidates";
    RecruitmentNoCandidateUp => "recruitment-no-candidate-up", "problem.recruitment_no_candidate_up";
    RecruitmentClosed => "recruitment-closed", "problem.recruitment_closed";
    PersonAlreadyRanked => "person-already-ranked", "problem.person_already_ranked";
    DecisionBeforeMatching => "decision-before-matching", "problem.decision_before_matching";
    SelfInformationSubmitted => "self-information-submitted", "problem.self_information_submitted";
    AcuteOpeningClosed => "acute-opening-closed", "problem.acute_opening_closed";
}

impl Refusal {
    /// The rule's sentence in `lang`.
    pub fn title(self, lang: Lang) -> &'static str {
        Tr::new(lang).t(self.title_key())
    }

    /// The refusal, with `detail` saying what of this request broke the rule.
    pub fn because(self, detail: impl Into<String>) -> AppError {
        AppError::Refused {
            rule: self,
            detail: detail.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn each_refusal_has_its_own_type_and_a_title_in_both_languages() {
        let slugs: HashSet<_> = Refusal::ALL.iter().map(|r| r.slug()).collect();
        assert_eq!(slugs.len(), Refusal::ALL.len());
        for rule in Refusal::ALL {
            for lang in Lang::ALL {
                assert_ne!(rule.title(lang), rule.title_key(), "{rule:?} in {lang:?}");
            }
        }
    }
}
