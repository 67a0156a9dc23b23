//! What must be true before a council moves on: the gates of each step and the "where the process
//! stands" checklist, as pure functions of the facts [`super::queries::facts`] gathers. Keeping
//! them here, apart from the database, lets the rules be read (and tested) as rules.

use serde::Serialize;
use utoipa::ToSchema;

use super::domain::{CouncilKind, CouncilState};
use crate::web::problem::AppError;
use crate::web::refusal::Refusal;

/// What the gates look at, gathered in the council's transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// An acute family group conference: its short path needs no written texts before the team.
    pub acute: bool,
    pub team_chosen: bool,
    pub situation_confirmed: bool,
    pub questions: usize,
    pub questions_confirmed: usize,
    pub participants: usize,
    pub chosen_by_child: usize,
    pub parent_consent: bool,
    pub child_consent: bool,
    /// The child is (or may be) 15 or older, so their own consent is needed too.
    pub child_consent_needed: bool,
    pub public_participants: usize,
    pub public_with_waiver: usize,
    pub prepared: usize,
    /// Objections against someone on the team that are not resolved.
    pub open_objections: usize,
    /// The next or latest meeting that is not cancelled.
    pub meeting: Option<MeetingFacts>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MeetingFacts {
    pub confirmed: bool,
    pub started: bool,
}

/// Why a step cannot be taken yet. The code is stable (API and tests); the page shows the
/// catalogue text `council.blocker.<code>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Blocker {
    /// Not a step this kind of council takes from where it stands.
    NotAllowed,
    /// The situation description and 3–5 questions, all confirmed by the child.
    DescriptionIncomplete,
    /// Nobody on the team yet.
    NoParticipants,
    /// The coordinator has not confirmed the team the child chose.
    TeamNotChosen,
    /// A parent's consent, and the child's from 15.
    ConsentsMissing,
    /// A confidentiality waiver from every public participant.
    WaiversMissing,
    /// The child objects to someone on the team and it is not resolved.
    ObjectionsOpen,
    /// No meeting with its invitations sent.
    NoConfirmedMeeting,
    /// The meeting has not started yet.
    MeetingNotHeld,
    /// The plan moves the council here (its approval, its evaluation date): not a step by hand.
    FollowsThePlan,
    /// No meeting is scheduled yet.
    NoMeeting,
}

impl Blocker {
    pub fn code(self) -> &'static str {
        match self {
            Self::NotAllowed => "not_allowed",
            Self::DescriptionIncomplete => "description_incomplete",
            Self::NoParticipants => "no_participants",
            Self::TeamNotChosen => "team_not_chosen",
            Self::ConsentsMissing => "consents_missing",
            Self::WaiversMissing => "waivers_missing",
            Self::ObjectionsOpen => "objections_open",
            Self::NoConfirmedMeeting => "no_confirmed_meeting",
            Self::MeetingNotHeld => "meeting_not_held",
            Self::FollowsThePlan => "follows_the_plan",
            Self::NoMeeting => "no_meeting",
        }
    }

    /// For the API's problem detail.
    pub fn message(self) -> &'static str {
        match self {
            Self::NotAllowed => "this kind of council does not take that step from where it stands",
            Self::DescriptionIncomplete => {
                "the situation description and 3 to 5 questions must be written and confirmed by the child"
            }
            Self::NoParticipants => "nobody is on the team yet",
            Self::TeamNotChosen => "the team the child chose is not confirmed yet",
            Self::ConsentsMissing => {
                "consent is missing: a parent's, and the child's when the child is 15 or older"
            }
            Self::WaiversMissing => "every public participant needs a confidentiality waiver first",
            Self::ObjectionsOpen => "the child objects to someone on the team; resolve it first",
            Self::NoConfirmedMeeting => "no meeting has had its invitations sent",
            Self::MeetingNotHeld => "the meeting has not taken place yet",
            Self::FollowsThePlan => {
                "the council gets here with its plan: approve the plan or agree its evaluation on the plan page"
            }
            Self::NoMeeting => "the council has no meeting",
        }
    }

    /// The catalogue key of the page text.
    pub fn key(self) -> &'static str {
        match self {
            Self::NotAllowed => "council.blocker.not_allowed",
            Self::DescriptionIncomplete => "council.blocker.description_incomplete",
            Self::NoParticipants => "council.blocker.no_participants",
            Self::TeamNotChosen => "council.blocker.team_not_chosen",
            Self::ConsentsMissing => "council.blocker.consents_missing",
            Self::WaiversMissing => "council.blocker.waivers_missing",
            Self::ObjectionsOpen => "council.blocker.objections_open",
            Self::NoConfirmedMeeting => "council.blocker.no_confirmed_meeting",
            Self::MeetingNotHeld => "council.blocker.meeting_not_held",
            Self::FollowsThePlan => "council.blocker.follows_the_plan",
            Self::NoMeeting => "council.blocker.no_meeting",
        }
    }

    /// The rule this blocker stands for: its own problem type and sentence.
    pub fn refusal(self) -> Refusal {
        match self {
            Self::NotAllowed => Refusal::CouncilStepNotAllowed,
            Self::DescriptionIncomplete => Refusal::CouncilDescriptionIncomplete,
            Self::NoParticipants => Refusal::CouncilWithoutTeam,
            Self::TeamNotChosen => Refusal::CouncilTeamNotChosen,
            Self::ConsentsMissing => Refusal::CouncilConsentsMissing,
            Self::WaiversMissing => Refusal::CouncilWaiversMissing,
            Self::ObjectionsOpen => Refusal::CouncilObjectionsOpen,
            Self::NoConfirmedMeeting => Refusal::CouncilNoConfirmedMeeting,
            Self::MeetingNotHeld => Refusal::CouncilMeetingNotHeld,
            Self::FollowsThePlan => Refusal::CouncilFollowsThePlan,
            Self::NoMeeting => Refusal::CouncilWithoutMeeting,
        }
    }

    /// This blocker as a refusal of the request.
    pub fn refuse(self) -> AppError {
        self.refusal().because(self.message())
    }

    /// The blockers as one sentence, for a 409.
    pub fn explain(blockers: &[Blocker]) -> String {
        blockers
            .iter()
            .map(|b| b.message())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Refuses with 409 unless `blockers` is empty: the problem type is the first blocker's rule,
/// the detail names them all (the page shows every one on the task list).
pub fn require(blockers: Vec<Blocker>) -> Result<(), AppError> {
    match blockers.first() {
        None => Ok(()),
        Some(first) => Err(first.refusal().because(Blocker::explain(&blockers))),
    }
}

/// Nothing changes in a council that has ended.
pub fn open(kind: CouncilKind, state: CouncilState) -> Result<(), AppError> {
    if kind.is_final(state) {
        Err(Blocker::NotAllowed.refuse())
    } else {
        Ok(())
    }
}

/// The child has at most five questions.
pub fn room_for_a_question(questions: i64) -> Result<(), AppError> {
    if questions >= 5 {
        Err(Refusal::QuestionLimit
            .because("the child has five questions already; remove one first"))
    } else {
        Ok(())
    }
}

pub fn already_on_team() -> AppError {
    Refusal::AlreadyOnTeam.because("this person is on the team already")
}

pub fn no_meeting() -> AppError {
    Blocker::NoMeeting.refuse()
}

/// Invitations go out for a meeting that is neither cancelled nor begun.
pub fn invitable(cancelled: bool, begun: bool) -> Result<(), AppError> {
    if cancelled {
        Err(meeting_cancelled())
    } else if begun {
        Err(Refusal::MeetingBegun.because("the meeting has begun"))
    } else {
        Ok(())
    }
}

pub fn meeting_cancelled() -> AppError {
    Refusal::MeetingCancelled.because("the meeting is cancelled")
}

/// Sending needs someone who can be reached.
pub fn someone_invited(invited: usize) -> Result<(), AppError> {
    if invited == 0 {
        Err(Refusal::NobodyToInvite.because("nobody on the team has an email address to invite"))
    } else {
        Ok(())
    }
}

/// A new link goes out only for a meeting whose invitations were sent, to someone reachable.
pub fn resendable(confirmed: bool, reachable: bool) -> Result<(), AppError> {
    if !confirmed {
        Err(Refusal::MeetingNotConfirmed
            .because("only a confirmed meeting's invitation can be sent again"))
    } else if !reachable {
        Err(Refusal::ParticipantWithoutAddress.because("this participant has no email address"))
    } else {
        Ok(())
    }
}

impl Step {
    /// The catalogue key of the step's name.
    pub fn key(&self) -> &'static str {
        step_key(self.code)
    }
}

/// The catalogue key of the name of the task `code`.
pub fn step_key(code: &str) -> &'static str {
    match code {
        "description" => "council.step.description",
        "team" => "council.step.team",
        "consents" => "council.step.consents",
        "waivers" => "council.step.waivers",
        "preparation" => "council.step.preparation",
        "meeting" => "council.step.meeting",
        _ => "council.step.invitations",
    }
}

impl Facts {
    pub fn texts_complete(&self) -> bool {
        self.situation_confirmed
            && (3..=5).contains(&self.questions)
            && self.questions_confirmed == self.questions
    }

    pub fn consents_complete(&self) -> bool {
        self.parent_consent && (!self.child_consent_needed || self.child_consent)
    }

    pub fn waivers_complete(&self) -> bool {
        self.public_with_waiver >= self.public_participants
    }
}

/// What stands in the way of confirming the team.
pub fn team_blockers(kind: CouncilKind, state: CouncilState, f: &Facts) -> Vec<Blocker> {
    let mut out = Vec::new();
    if kind.is_final(state)
        || (kind == CouncilKind::NetworkCouncil
            && matches!(
                state,
                CouncilState::Initiated | CouncilState::DescriptionDrafting
            ))
    {
        out.push(Blocker::NotAllowed);
    }
    if kind.needs_child_texts() && !f.acute && !f.texts_complete() {
        out.push(Blocker::DescriptionIncomplete);
    }
    if f.participants == 0 {
        out.push(Blocker::NoParticipants);
    }
    out
}

/// What stands in the way of recording a meeting that has taken place without invitations
/// through Tillit: someone on the team, the consents its kind needs (oral ones count), and — in
/// a network council, the child's own process — the child's description and questions.
pub fn afterwards_blockers(kind: CouncilKind, state: CouncilState, f: &Facts) -> Vec<Blocker> {
    let mut out = Vec::new();
    if kind.is_final(state) {
        out.push(Blocker::NotAllowed);
    }
    if kind == CouncilKind::NetworkCouncil && !f.texts_complete() {
        out.push(Blocker::DescriptionIncomplete);
    }
    if f.participants == 0 {
        out.push(Blocker::NoParticipants);
    }
    if !f.consents_complete() {
        out.push(Blocker::ConsentsMissing);
    }
    out
}

/// A record is written for a meeting that has begun and was not cancelled.
pub fn recordable(cancelled: bool, begun: bool) -> Result<(), AppError> {
    if cancelled {
        Err(meeting_cancelled())
    } else if !begun {
        Err(Blocker::MeetingNotHeld.refuse())
    } else {
        Ok(())
    }
}

/// The next meeting is booked from a record in the kinds that meet again and again; in the others
/// it follows the plan's evaluation. Once per record.
pub fn next_bookable(kind: CouncilKind, booked: bool) -> Result<(), AppError> {
    if !kind.meets_in_series() {
        Err(Refusal::NextMeetingFromPlan.because(
            "in this kind of council the next meeting follows the plan's evaluation, not the record",
        ))
    } else if booked {
        Err(Refusal::NextMeetingBooked
            .because("the next meeting is booked from this record already"))
    } else {
        Ok(())
    }
}

/// What stands in the way of scheduling a meeting: none before the team is chosen.
pub fn meeting_blockers(kind: CouncilKind, state: CouncilState, f: &Facts) -> Vec<Blocker> {
    let mut out = Vec::new();
    if kind.is_final(state) {
        out.push(Blocker::NotAllowed);
    }
    if !f.team_chosen {
        out.push(Blocker::TeamNotChosen);
    }
    out
}

/// What stands in the way of sending a meeting's invitations, which confirms it: the consents
/// its kind needs, a waiver from every public participant, and no open objection.
pub fn invitation_blockers(kind: CouncilKind, state: CouncilState, f: &Facts) -> Vec<Blocker> {
    let mut out = meeting_blockers(kind, state, f);
    if !f.consents_complete() {
        out.push(Blocker::ConsentsMissing);
    }
    if !f.waivers_complete() {
        out.push(Blocker::WaiversMissing);
    }
    if f.open_objections > 0 {
        out.push(Blocker::ObjectionsOpen);
    }
    if f.participants == 0 {
        out.push(Blocker::NoParticipants);
    }
    out
}

/// What stands in the way of moving from `from` to `to`.
pub fn transition_blockers(
    kind: CouncilKind,
    from: CouncilState,
    to: CouncilState,
    f: &Facts,
) -> Vec<Blocker> {
    use CouncilState::*;
    if !kind.allows(from, to) {
        return vec![Blocker::NotAllowed];
    }
    if kind.is_final(to) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let meeting = f.meeting.unwrap_or_default();
    // These states record what happened to the plan; only the plan moves a council into them.
    let plan_driven = match kind {
        CouncilKind::NetworkCouncil => {
            matches!(to, PlanApproved | EvaluationDefined | EvaluationDue)
        }
        CouncilKind::FamilyGroupConference => from == PlanReview && to == FollowUp,
        _ => false,
    };
    if plan_driven {
        return vec![Blocker::FollowsThePlan];
    }
    match (kind, to) {
        (CouncilKind::NetworkCouncil, TeamSelection) if !f.texts_complete() => {
            out.push(Blocker::DescriptionIncomplete);
        }
        (CouncilKind::NetworkCouncil, Preparation) if !f.team_chosen => {
            out.push(Blocker::TeamNotChosen);
        }
        (CouncilKind::NetworkMeetingSeries, Consented) if !f.consents_complete() => {
            out.push(Blocker::ConsentsMissing);
        }
        (CouncilKind::FamilyGroupConference, Meeting) if !meeting.confirmed => {
            out.push(Blocker::NoConfirmedMeeting);
        }
        (_, MeetingHeld | Held | PlanReview) => {
            if !meeting.confirmed {
                out.push(Blocker::NoConfirmedMeeting);
            } else if !meeting.started {
                out.push(Blocker::MeetingNotHeld);
            }
        }
        _ => {}
    }
    out
}

/// Whether the council reaches `to` by the tasks done before it, rather than by a decision: the
/// states before the meeting follow from the description, the team, the consents and the
/// invitations; the meeting being held, the plan and the end are recorded by someone.
pub fn follows_tasks(kind: CouncilKind, to: CouncilState) -> bool {
    use CouncilState::*;
    match kind {
        CouncilKind::NetworkCouncil => {
            matches!(to, DescriptionDrafting | TeamSelection | Preparation)
        }
        CouncilKind::FamilyGroupConference => to == Meeting,
        CouncilKind::NetworkMeetingSeries => matches!(to, Consented | Preparing),
        CouncilKind::ResponsibilityGroup => to == Preparing,
    }
}

/// The state a council moves on to, one step, when its tasks allow it (see [`follows_tasks`]).
pub fn next_by_tasks(standing: &Standing, kind: CouncilKind) -> Option<CouncilState> {
    standing
        .next
        .iter()
        .find(|n| n.blockers.is_empty() && follows_tasks(kind, n.to) && !kind.is_final(n.to))
        .map(|n| n.to)
}

/// One task of the council's task list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Step {
    /// description, team, consents, waivers, preparation, meeting, invitations.
    pub code: &'static str,
    pub done: bool,
    /// How many of how many, where that is the measure (prepared participants, waivers).
    pub count: Option<[usize; 2]>,
    pub status: TaskStatus,
    /// Why the task cannot start yet (empty unless `status` is `cannot_start`).
    pub waiting_on: Vec<Blocker>,
}

/// Where a task stands, as the task list's tag shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    NotStarted,
    InProgress,
    Done,
    /// Nothing to do for this council (no public participant needs a waiver).
    NotNeeded,
    CannotStart,
}

impl TaskStatus {
    pub fn key(self) -> &'static str {
        match self {
            Self::NotStarted => "council.task_status.not_started",
            Self::InProgress => "council.task_status.in_progress",
            Self::Done => "council.task_status.done",
            Self::NotNeeded => "council.task_status.not_needed",
            Self::CannotStart => "council.task_status.cannot_start",
        }
    }

    /// The tag's modifier class.
    pub fn class(self) -> &'static str {
        match self {
            Self::NotStarted => "tag--grey",
            Self::InProgress => "tag--blue",
            Self::Done | Self::NotNeeded => "tag--green",
            Self::CannotStart => "tag--amber",
        }
    }
}

impl Step {
    fn new(code: &'static str, count: Option<[usize; 2]>) -> Self {
        Self {
            code,
            done: false,
            count,
            status: TaskStatus::NotStarted,
            waiting_on: Vec::new(),
        }
    }

    /// The status from what is done, begun, or in the way, in that order of weight.
    fn judged(mut self, done: bool, begun: bool, waiting_on: Vec<Blocker>) -> Self {
        self.done = done;
        self.status = if done {
            TaskStatus::Done
        } else if !waiting_on.is_empty() {
            TaskStatus::CannotStart
        } else if begun {
            TaskStatus::InProgress
        } else {
            TaskStatus::NotStarted
        };
        if self.status == TaskStatus::CannotStart {
            self.waiting_on = waiting_on;
        }
        self
    }
}

/// A step the council may take next, and what stands in its way.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NextState {
    pub to: CouncilState,
    pub blockers: Vec<Blocker>,
}

/// Where the process stands: its state, the checklist, and where it can go from here.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Standing {
    pub state: CouncilState,
    pub steps: Vec<Step>,
    pub next: Vec<NextState>,
}

pub fn standing(kind: CouncilKind, state: CouncilState, f: &Facts) -> Standing {
    let meeting = f.meeting.unwrap_or_default();
    let nobody = if f.participants == 0 {
        vec![Blocker::NoParticipants]
    } else {
        Vec::new()
    };
    let mut steps = Vec::new();
    if kind.needs_child_texts() {
        steps.push(
            Step::new("description", Some([f.questions_confirmed, f.questions])).judged(
                f.texts_complete(),
                f.questions > 0 || f.situation_confirmed,
                Vec::new(),
            ),
        );
    }
    let team_waits: Vec<Blocker> = team_blockers(kind, state, f)
        .into_iter()
        .filter(|b| *b == Blocker::DescriptionIncomplete)
        .collect();
    let mut waivers = Step::new(
        "waivers",
        Some([f.public_with_waiver, f.public_participants]),
    )
    .judged(
        f.participants > 0 && f.waivers_complete() && f.public_participants > 0,
        f.public_with_waiver > 0,
        nobody.clone(),
    );
    if f.participants > 0 && f.public_participants == 0 {
        waivers.done = true;
        waivers.status = TaskStatus::NotNeeded;
    }
    let mut invitation_waits = invitation_blockers(kind, state, f);
    if f.meeting.is_none() {
        invitation_waits.push(Blocker::NoMeeting);
    }
    invitation_waits.retain(|b| *b != Blocker::NotAllowed);
    let mut meeting_waits = meeting_blockers(kind, state, f);
    meeting_waits.retain(|b| *b != Blocker::NotAllowed);
    steps.extend([
        Step::new("team", Some([f.chosen_by_child, f.participants])).judged(
            f.team_chosen,
            f.participants > 0,
            team_waits,
        ),
        Step::new("consents", None).judged(f.consents_complete(), f.parent_consent, Vec::new()),
        waivers,
        Step::new("preparation", Some([f.prepared, f.participants])).judged(
            f.participants > 0 && f.prepared >= f.participants,
            f.prepared > 0,
            nobody,
        ),
        Step::new("meeting", None).judged(f.meeting.is_some(), false, meeting_waits),
        Step::new("invitations", None).judged(meeting.confirmed, false, invitation_waits),
    ]);
    let next = kind
        .states()
        .iter()
        .copied()
        .filter(|to| kind.allows(state, *to))
        .map(|to| NextState {
            to,
            blockers: transition_blockers(kind, state, to, f),
        })
        .collect();
    Standing { state, steps, next }
}

/// What a council waits on next, as a list across cases shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// The task of the task list to do next, until the invitations are out.
    pub task: Option<&'static str>,
    /// Once they are, the state the council moves on to next.
    pub to: Option<CouncilState>,
    /// What stands in the way; empty when the step can be taken now.
    pub blockers: Vec<Blocker>,
}

/// The next step of a council from where it `standing`s: until its meeting's invitations are
/// out, the first task of its task list not done and what keeps that task from starting; after
/// that, the next state it may move to short of its end, and what stands in the way (the
/// meeting not held yet, the plan to approve). None when it has nowhere to go but its end.
pub fn waiting(kind: CouncilKind, standing: &Standing) -> Option<Waiting> {
    let invited = standing
        .steps
        .iter()
        .any(|s| s.code == "invitations" && s.done);
    if !invited && let Some(step) = standing.steps.iter().find(|s| !s.done) {
        return Some(Waiting {
            task: Some(step.code),
            to: None,
            blockers: step.waiting_on.clone(),
        });
    }
    standing
        .next
        .iter()
        .find(|n| !kind.is_final(n.to))
        .map(|n| Waiting {
            task: None,
            to: Some(n.to),
            blockers: n.blockers.clone(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use CouncilState::*;

    fn ready() -> Facts {
        Facts {
            acute: false,
            team_chosen: true,
            situation_confirmed: true,
            questions: 4,
            questions_confirmed: 4,
            participants: 3,
            chosen_by_child: 2,
            parent_consent: true,
            child_consent: false,
            child_consent_needed: false,
            public_participants: 1,
            public_with_waiver: 1,
            prepared: 3,
            open_objections: 0,
            meeting: None,
        }
    }

    #[test]
    fn the_child_writes_three_to_five_confirmed_questions_first() {
        let nc = CouncilKind::NetworkCouncil;
        let mut f = ready();
        assert!(transition_blockers(nc, DescriptionDrafting, TeamSelection, &f).is_empty());
        f.questions = 2;
        f.questions_confirmed = 2;
        assert_eq!(
            transition_blockers(nc, DescriptionDrafting, TeamSelection, &f),
            [Blocker::DescriptionIncomplete]
        );
        f.questions = 4;
        f.questions_confirmed = 3;
        assert_eq!(
            team_blockers(nc, TeamSelection, &f),
            [Blocker::DescriptionIncomplete]
        );
    }

    #[test]
    fn no_meeting_before_the_team_and_no_invitations_before_the_consents() {
        let kind = CouncilKind::FamilyGroupConference;
        let mut f = ready();
        f.team_chosen = false;
        assert_eq!(
            meeting_blockers(kind, Planning, &f),
            [Blocker::TeamNotChosen]
        );
        f.team_chosen = true;
        assert!(invitation_blockers(kind, Planning, &f).is_empty());
        f.child_consent_needed = true;
        f.public_with_waiver = 0;
        f.open_objections = 1;
        assert_eq!(
            invitation_blockers(kind, Planning, &f),
            [
                Blocker::ConsentsMissing,
                Blocker::WaiversMissing,
                Blocker::ObjectionsOpen
            ]
        );
        assert_eq!(
            meeting_blockers(kind, Closed, &f),
            [Blocker::NotAllowed],
            "nothing after the end"
        );
    }

    #[test]
    fn an_acute_conference_needs_no_written_texts_and_a_past_meeting_needs_consent() {
        let fgc = CouncilKind::FamilyGroupConference;
        let mut f = ready();
        f.questions = 0;
        f.questions_confirmed = 0;
        f.situation_confirmed = false;
        assert_eq!(
            team_blockers(fgc, Planning, &f),
            [Blocker::DescriptionIncomplete]
        );
        f.acute = true;
        assert!(team_blockers(fgc, Planning, &f).is_empty());
        assert!(afterwards_blockers(fgc, Planning, &f).is_empty());
        f.parent_consent = false;
        assert_eq!(
            afterwards_blockers(fgc, Planning, &f),
            [Blocker::ConsentsMissing]
        );
        assert_eq!(
            afterwards_blockers(CouncilKind::NetworkCouncil, Preparation, &f),
            [Blocker::DescriptionIncomplete, Blocker::ConsentsMissing]
        );
        assert!(next_bookable(CouncilKind::ResponsibilityGroup, false).is_ok());
        assert!(next_bookable(CouncilKind::ResponsibilityGroup, true).is_err());
        assert!(next_bookable(fgc, false).is_err());
    }

    #[test]
    fn plan_states_are_reached_through_the_plan_only() {
        use CouncilState::*;
        let nc = CouncilKind::NetworkCouncil;
        assert_eq!(
            transition_blockers(nc, PlanDrafting, PlanApproved, &ready()),
            vec![Blocker::FollowsThePlan]
        );
        let fgc = CouncilKind::FamilyGroupConference;
        assert_eq!(
            transition_blockers(fgc, PlanReview, FollowUp, &ready()),
            vec![Blocker::FollowsThePlan]
        );
    }

    #[test]
    fn a_council_waits_on_its_first_task_then_on_its_meeting() {
        let kind = CouncilKind::FamilyGroupConference;
        let mut f = ready();
        f.questions_confirmed = 2;
        f.team_chosen = false;
        let w = waiting(kind, &standing(kind, Planning, &f)).unwrap();
        assert_eq!(w.task, Some("description"));
        assert!(
            w.blockers.is_empty(),
            "the child's words can be written now"
        );
        f.questions_confirmed = 4;
        let w = waiting(kind, &standing(kind, Planning, &f)).unwrap();
        assert_eq!(w.task, Some("team"));
        f.team_chosen = true;
        let w = waiting(kind, &standing(kind, Planning, &f)).unwrap();
        assert_eq!(
            (w.task, w.blockers),
            (Some("meeting"), vec![]),
            "a meeting to schedule"
        );
        f.meeting = Some(MeetingFacts {
            confirmed: true,
            started: false,
        });
        let w = waiting(kind, &standing(kind, Meeting, &f)).unwrap();
        assert_eq!(w.task, None);
        assert_eq!(w.to, Some(PlanReview));
        assert_eq!(w.blockers, [Blocker::MeetingNotHeld]);
        let w = waiting(kind, &standing(kind, PlanReview, &f)).unwrap();
        assert_eq!(w.blockers, [Blocker::FollowsThePlan]);
    }

    #[test]
    fn a_meeting_is_held_only_once_it_was_confirmed_and_began() {
        let kind = CouncilKind::NetworkCouncil;
        let mut f = ready();
        assert_eq!(
            transition_blockers(kind, Preparation, MeetingHeld, &f),
            [Blocker::NoConfirmedMeeting]
        );
        f.meeting = Some(MeetingFacts {
            confirmed: true,
            started: false,
        });
        assert_eq!(
            transition_blockers(kind, Preparation, MeetingHeld, &f),
            [Blocker::MeetingNotHeld]
        );
        assert!(transition_blockers(kind, Preparation, Closed, &f).is_empty());
        let s = standing(kind, Preparation, &f);
        assert_eq!(s.next.len(), 2);
        assert!(s.steps.iter().all(|step| step.done));
    }
}
