//! What a plan looks like to the coordinator and the caseworker: the views the API returns and
//! the pages show.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::domain::{
    ApprovalKind, CommitmentStatus, Decision, EvaluationWay, GoalAuthor, GoalResult, PlanStatus,
};
use crate::councils::domain::CouncilKind;
use crate::councils::views::RecordedAnswer;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GoalView {
    pub id: Uuid,
    pub position: i16,
    pub text: String,
    pub author: GoalAuthor,
    pub created_at: DateTime<Utc>,
}

/// Who a commitment or the follow-up belongs to, with the name the team knows them by.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OwnerView {
    /// Someone on the team.
    pub participant_id: Option<Uuid>,
    /// A staff member.
    pub user_id: Option<Uuid>,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommitmentView {
    pub id: Uuid,
    pub owner: OwnerView,
    pub text: String,
    pub due_on: NaiveDate,
    /// Recurring every so many days; absent: once.
    pub every_days: Option<i32>,
    /// The coordinator confirmed a due date after the evaluation date.
    pub beyond_evaluation: bool,
    pub status: CommitmentStatus,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    pub done_comment: Option<String>,
    pub times_done: i32,
    /// Still unconfirmed when the coordinator closed approval: its reminders go to the
    /// coordinator.
    pub unconfirmed_at_closing: bool,
    /// When its next reminder goes out, in the service's zone: on its day at the sending hour,
    /// or when the service's quiet hours end; absent when none is waiting. Not kept in the
    /// plan's versions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_reminder_at: Option<DateTime<chrono::FixedOffset>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApprovalView {
    pub id: Uuid,
    pub version: i32,
    pub kind: ApprovalKind,
    pub participant_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub reason: Option<String>,
    pub safety_ensured: Option<bool>,
    pub created_at: DateTime<Utc>,
    /// The child's link, for the child's own answer.
    pub child_link_id: Option<Uuid>,
    /// A participant's answer given by phone or in person: how, and who recorded it (`user_id`).
    pub recorded: Option<RecordedAnswer>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FollowUpView {
    pub id: Uuid,
    pub way: EvaluationWay,
    pub due_on: NaiveDate,
    /// The council the evaluation opened, for the way `new_council`.
    pub new_council_id: Option<Uuid>,
    pub held_on: Option<NaiveDate>,
    pub documented_at: Option<DateTime<Utc>>,
    /// The meeting proposed for the evaluation date: the new council's, or a follow-up meeting
    /// of this council, scheduled and sent like any council meeting.
    pub meeting_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GoalResultView {
    pub goal_id: Uuid,
    pub result: GoalResult,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationView {
    pub id: Uuid,
    pub follow_up_id: Option<Uuid>,
    pub held_on: NaiveDate,
    pub took_part: String,
    pub goals: Vec<GoalResultView>,
    pub child_view: String,
    pub parents_view: String,
    pub decision: Decision,
    pub next_evaluation_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionView {
    pub version: i32,
    /// What changed (goal_added, commitment_added, submitted, approved, evaluated …).
    pub change: String,
    pub created_at: DateTime<Utc>,
}

/// The child's link. Its address is shown to the coordinator while it works, to give to the
/// child; the database keeps only the token's hash (the token is derived from the id with the
/// server's key).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChildLinkView {
    pub id: Uuid,
    /// The address while the link works; absent once revoked or expired.
    pub url: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// Who still has to confirm the plan (network council).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PendingConfirmation {
    pub participant_id: Uuid,
    pub name: String,
    /// When the service's quiet hours hold back their request to approve: when it goes out, in
    /// the service's zone; absent once it has gone (or when it goes at once).
    pub goes_out_at: Option<DateTime<chrono::FixedOffset>>,
    pub confirmed: bool,
    /// Their objection to this version, with their comment, unless they approved since.
    pub objection: Option<String>,
    /// Their latest answer to this version was given by phone or in person and recorded by staff.
    pub recorded: Option<RecordedAnswer>,
}

/// The child's answer to the version awaiting approval, when the child has a live link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChildAnswerView {
    Waiting,
    Agreed,
    WantsToTalk,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanView {
    pub id: Uuid,
    pub council_id: Uuid,
    pub case_id: Uuid,
    pub council_kind: CouncilKind,
    pub status: PlanStatus,
    pub version: i32,
    pub follow_up_owner: Option<OwnerView>,
    pub goals: Vec<GoalView>,
    pub commitments: Vec<CommitmentView>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub approved_at: Option<DateTime<Utc>>,
    pub approved_version: Option<i32>,
    /// Who is asked to approve this version and what they answered: for a network council
    /// everyone reachable on the team and everyone with commitments; otherwise those with
    /// commitments.
    pub confirmations: Vec<PendingConfirmation>,
    /// The child's answer, when the child is asked (a live child link); absent otherwise.
    pub child_answer: Option<ChildAnswerView>,
    /// What the child wrote with the answer, in the child's own words.
    pub child_words: Option<String>,
    pub approvals: Vec<ApprovalView>,
    /// The proposal of the service's rule for the evaluation date, from today.
    pub proposed_evaluation_on: NaiveDate,
    pub evaluation_on: Option<NaiveDate>,
    pub evaluation_way: Option<EvaluationWay>,
    pub follow_ups: Vec<FollowUpView>,
    pub evaluations: Vec<EvaluationView>,
    pub child_links: Vec<ChildLinkView>,
    pub versions: Vec<VersionView>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The earlier plan this one was carried over from, when a follow-up council opened with it.
    pub follows_plan_id: Option<Uuid>,
}

impl PlanView {
    /// Someone asked to approve this version has not (the form for an answer given by phone or
    /// in person offers them).
    pub fn someone_has_not_approved(&self) -> bool {
        self.confirmations.iter().any(|p| !p.confirmed)
    }
}

impl PlanView {
    /// The follow-up the evaluation opened and that awaits its evaluation, if any.
    pub fn open_follow_up(&self) -> Option<&FollowUpView> {
        self.follow_ups
            .iter()
            .rev()
            .find(|f| f.documented_at.is_none())
    }
}
