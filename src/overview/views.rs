//! What the start page shows, for the page and the JSON API alike.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::cases::rules::Prompt;
use crate::councils::queries::{UnansweredInvitation, UpcomingMeeting};
use crate::councils::views::CouncilWaiting;
use crate::plans::queries::{EvaluationComing, OverdueCommitment};

/// A case and what its map needs.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CasePrompts {
    pub case_id: Uuid,
    pub prompts: Vec<Prompt>,
}

/// The start page across the caller's cases.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Overview {
    /// The child's name of each case listed, by case id.
    pub children: HashMap<Uuid, String>,
    /// Meetings in the next 14 days, soonest first, with the answers so far.
    pub meetings: Vec<UpcomingMeeting>,
    /// Every open council with its next step and what blocks it, oldest council first.
    pub councils: Vec<CouncilWaiting>,
    /// People who have not answered a meeting ahead though the last chase went out, the
    /// meeting soonest first: to be called.
    pub unanswered: Vec<UnansweredInvitation>,
    /// Commitments past their date and not done, oldest first.
    pub overdue_commitments: Vec<OverdueCommitment>,
    /// Evaluations due within six weeks or past, soonest first.
    pub evaluations: Vec<EvaluationComing>,
    /// The cases whose map needs something, acute first.
    pub prompts: Vec<CasePrompts>,
}

impl Overview {
    /// The child's name of `case_id`.
    pub fn child(&self, case_id: &Uuid) -> &str {
        self.children.get(case_id).map_or("", String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.meetings.is_empty()
            && self.councils.is_empty()
            && self.unanswered.is_empty()
            && self.overdue_commitments.is_empty()
            && self.evaluations.is_empty()
            && self.prompts.is_empty()
    }
}
