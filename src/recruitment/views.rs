//! Read models of a recruitment: the staff's whole view with the flow as a task list, the form
//! as staff read it, and what a candidate sees of their own (never another home, nor the rank).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::domain::{Answer, Decision, SelfInformation, Service, Step, Urgency};

/// A step done: when, by whom (none: the candidate through their link), for which home.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StepView {
    pub step: Step,
    pub candidate_id: Option<Uuid>,
    pub done_on: NaiveDate,
    pub done_by: Option<Uuid>,
    pub note: Option<String>,
}

/// A person of the map in a candidate home.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonRef {
    pub id: Uuid,
    pub name: String,
}

/// A candidate home of the family's plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CandidateView {
    pub id: Uuid,
    pub rank: i32,
    pub persons: Vec<PersonRef>,
    pub answer: Option<Answer>,
    /// `none`, `draft` or `submitted`.
    pub form: &'static str,
    pub decision: Option<Decision>,
    pub decision_reason: Option<String>,
}

/// One line of the task list: `done`, `next` (may be recorded now), `waiting` (on a candidate)
/// or `blocked` (with the rule that blocks it).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskView {
    pub step: Step,
    pub status: &'static str,
    pub blocked_by: Option<&'static str>,
    pub done_on: Option<NaiveDate>,
}

/// A recruitment as staff see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecruitmentView {
    pub id: Uuid,
    pub case_id: Uuid,
    pub reason: String,
    pub urgency: Urgency,
    pub fgc_wished: bool,
    pub service: Service,
    pub state: Step,
    pub council_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// The candidate home up now.
    pub current_candidate: Option<Uuid>,
    pub candidates: Vec<CandidateView>,
    pub steps: Vec<StepView>,
    pub tasks: Vec<TaskView>,
}

/// A candidate's self-information form as staff read it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FormView {
    pub candidate_id: Uuid,
    pub content: SelfInformation,
    pub submitted_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub reminders_sent: i32,
}

/// What a candidate sees through their link: their own answer and form, nothing else.
#[derive(Debug, Clone)]
pub struct OwnView {
    pub candidate_id: Uuid,
    pub answer: Option<Answer>,
    pub open: bool,
    pub form: Option<SelfInformation>,
    pub submitted: bool,
    /// What the home just sent (its answer, its form) had been sent before: nothing was written.
    pub already: bool,
}
