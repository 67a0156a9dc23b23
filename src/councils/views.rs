//! What a council looks like to the coordinator: the views the API returns and the pages show.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::domain::{
    AgendaPart, AnsweredHow, ConsentGiver, CouncilKind, CouncilState, MeetingRole, MeetingStatus,
    NotesSharing, Response, TextKind,
};
use super::rules::{Blocker, Standing};
use crate::cases::categories::NetworkSide;
use crate::cases::domain::WordsAuthor;
use crate::web::problem::AppError;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CouncilSummary {
    pub id: Uuid,
    pub case_id: Uuid,
    pub kind: CouncilKind,
    pub acute: bool,
    pub state: CouncilState,
    pub coordinator_id: Uuid,
    pub created_at: DateTime<Utc>,
    /// The start of the next meeting that is not cancelled, if it has a time.
    pub next_meeting_at: Option<DateTime<Utc>>,
}

/// A text of the child's, verbatim, with its author and the child's confirmation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TextView {
    pub id: Uuid,
    pub kind: TextKind,
    pub position: i16,
    pub text: String,
    pub author: WordsAuthor,
    pub child_confirmed_at: Option<DateTime<Utc>>,
    /// Shown to the invitees on their page.
    pub shared: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WaiverView {
    pub scope: String,
    pub granted_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PreparationView {
    pub id: Uuid,
    pub held_at: DateTime<Utc>,
    pub notes: Option<String>,
    pub contribution: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnswerView {
    pub meeting_id: Uuid,
    pub participant_id: Uuid,
    /// Set when a staff member recorded the answer for the participant (given by phone or in
    /// person); none for an answer given through the participant's own link.
    pub recorded: Option<RecordedAnswer>,
    pub response: Response,
    pub comment: Option<String>,
    pub contribution: Option<String>,
    pub availability: Option<String>,
    pub answered_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Who recorded an answer on a participant's behalf, and how it was given.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordedAnswer {
    /// phone or in_person.
    #[schema(value_type = String)]
    pub how: AnsweredHow,
    /// The staff member's name.
    pub by: String,
}

/// The participant's current link (never the token itself).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvitationView {
    pub meeting_id: Uuid,
    pub sent_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// In the answer to sending (or sending again) the invitations: when a message held back by
    /// the service's quiet hours goes out, in the service's time zone (RFC 3339 with its
    /// offset); `null` when it goes out at once or has gone.
    pub goes_out_at: Option<DateTime<chrono::FixedOffset>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParticipantView {
    pub id: Uuid,
    /// A person on the map, or …
    pub person_id: Option<Uuid>,
    /// … a staff member.
    pub user_id: Option<Uuid>,
    pub name: String,
    /// Whether an invitation can be emailed to them.
    pub has_email: bool,
    pub chosen_by_child: bool,
    pub meeting_role: MeetingRole,
    pub side: NetworkSide,
    pub waiver: Option<WaiverView>,
    pub preparations: Vec<PreparationView>,
    pub invitation: Option<InvitationView>,
    /// The answer to the current meeting.
    pub answer: Option<AnswerView>,
    /// A person's own language (nb, nn, en); `null` for the service's written standard (and
    /// for staff).
    pub language: Option<crate::web::i18n::Lang>,
    /// The language an interpreter is to be booked for, when the person needs one.
    pub interpreter: Option<String>,
}

impl ParticipantView {
    pub fn prepared(&self) -> bool {
        !self.preparations.is_empty()
    }

    pub fn needs_waiver(&self) -> bool {
        self.side == NetworkSide::Public
            && self
                .waiver
                .as_ref()
                .is_none_or(|w| w.withdrawn_at.is_some())
    }
}

/// The child's objection to inviting someone. The reason is for the coordinator only: it never
/// leaves the council's own views, and in them it is blank for anyone but the coordinator.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ObjectionView {
    pub id: Uuid,
    pub person_id: Uuid,
    pub person_name: String,
    /// Only the council's coordinator sees the reason; others see that there is an objection.
    pub reason: Option<String>,
    pub resolution: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsentView {
    pub id: Uuid,
    pub given_by: ConsentGiver,
    pub name: String,
    pub scope: String,
    pub informed_at: DateTime<Utc>,
    pub granted_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// Given orally (by phone, in an acute situation), not in writing.
    pub oral: bool,
    /// The staff member who recorded it.
    pub recorded_by: Option<String>,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingView {
    pub id: Uuid,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub duration_minutes: i32,
    pub place: Option<String>,
    /// The place goes into the invitees' calendar files too.
    pub place_shared: bool,
    pub video_link: Option<String>,
    pub agenda: Vec<AgendaPart>,
    /// scheduled or cancelled.
    pub status: String,
    /// The calendar UID every invitation of this meeting carries.
    pub calendar_uid: Uuid,
    /// Raised with every change sent to the invitees.
    pub sequence: i32,
    /// When the invitations first went out.
    pub confirmed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Set for a meeting that took place without invitations through Tillit and was recorded
    /// afterwards: why.
    pub recorded_afterwards_reason: Option<String>,
    pub answers: Vec<AnswerView>,
}

impl MeetingView {
    pub fn cancelled(&self) -> bool {
        self.status == MeetingStatus::Cancelled.as_str()
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CouncilView {
    pub id: Uuid,
    pub case_id: Uuid,
    pub kind: CouncilKind,
    pub acute: bool,
    pub state: CouncilState,
    pub coordinator_id: Uuid,
    pub team_chosen_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub texts: Vec<TextView>,
    pub participants: Vec<ParticipantView>,
    pub objections: Vec<ObjectionView>,
    pub consents: Vec<ConsentView>,
    pub meetings: Vec<MeetingView>,
    /// Where the process stands.
    pub standing: Standing,
}

impl CouncilView {
    /// The view as `viewer` may see it: the child's reasons for objecting are the coordinator's
    /// alone, so anyone else assigned to the case sees the objection without its reason.
    pub fn for_viewer(mut self, viewer: Option<Uuid>) -> Self {
        if viewer != Some(self.coordinator_id) {
            for objection in &mut self.objections {
                objection.reason = None;
            }
        }
        self
    }
}

impl CouncilView {
    /// The interpreters to book for the meeting: each participant who needs one, with the
    /// language, in the team's order.
    pub fn interpreters(&self) -> Vec<(&str, &str)> {
        self.participants
            .iter()
            .filter_map(|p| Some((p.name.as_str(), p.interpreter.as_deref()?)))
            .collect()
    }

    /// The meeting the council is working towards: the latest that is not cancelled.
    pub fn current_meeting(&self) -> Option<&MeetingView> {
        self.meetings.iter().rev().find(|m| !m.cancelled())
    }
}

/// One of the participant's own commitments, as their page shows it.
pub struct MyCommitment {
    pub id: Uuid,
    pub text: String,
    pub due_on: chrono::NaiveDate,
    pub every_days: Option<i32>,
    pub done: bool,
    pub confirmed: bool,
    pub done_comment: Option<String>,
    pub times_done: i32,
}

/// The plan as a participant sees it: its goals and their own commitments, and what they can do.
pub struct PlanSection {
    pub goals: Vec<String>,
    pub commitments: Vec<MyCommitment>,
    /// The plan awaits this participant's approval (or their objection).
    pub can_confirm: bool,
    /// The version shown, sent back with an answer so an answer to a changed plan is refused.
    pub version: i32,
    /// The objection this participant made to the version shown, until they approve it.
    pub objection: Option<String>,
    /// The plan is approved: commitments can be marked done.
    pub approved: bool,
    pub evaluation_on: Option<chrono::NaiveDate>,
}

impl MyCommitment {
    /// The due date as the page's reader writes dates.
    pub fn due(&self, lang: crate::web::i18n::Lang) -> String {
        crate::time::date(self.due_on, lang)
    }
}

impl PlanSection {
    /// The evaluation date as the page's reader writes dates.
    pub fn evaluation(&self, lang: crate::web::i18n::Lang) -> Option<String> {
        self.evaluation_on.map(|d| crate::time::date(d, lang))
    }
}

/// Reads the plan section of an invitee's page (`council_id`, `participant_id`), if the council
/// has a plan to show.
pub type PlanSectionReader =
    fn(&mut diesel::PgConnection, Uuid, Uuid) -> Result<Option<PlanSection>, AppError>;

/// What the capability built on councils adds to an invitee's page — the plan section —
/// supplied where the app is built (registered as app data), so councils imports no plans.
#[derive(Clone, Copy)]
pub struct InviteeSections {
    pub plan: PlanSectionReader,
}

/// Someone on a council's team: the participant with their person on the map or the staff
/// member they are. The one read view of the team — the council page, the invitations, the
/// plan and its reminders all read the team through [`super::queries::team`] or
/// [`super::queries::team_member`].
#[derive(Debug, Clone)]
pub struct TeamMember {
    pub council_id: Uuid,
    pub participant_id: Uuid,
    /// A person on the map, or …
    pub person_id: Option<Uuid>,
    /// … a staff member.
    pub user_id: Option<Uuid>,
    pub chosen_by_child: bool,
    /// The stored meeting role and side, as codes.
    pub meeting_role: String,
    pub side: String,
    /// The person's name; a staff member's display name, or their address if it is blank.
    pub name: String,
    /// Where an email to them goes, if anywhere: a map person's address only when email is
    /// how they are reached, or wanted too.
    pub email: Option<String>,
    /// A map person's preferred way of being reached (a staff member is emailed).
    pub channel: Option<crate::cases::domain::Channel>,
    /// Where an SMS to them goes (E.164), if anywhere: a map person's number only when SMS is
    /// how they are reached.
    pub sms: Option<String>,
    /// A map person's postal address as recorded (a letter goes there when it is their way).
    pub postal_address: Option<String>,
    /// Taken off the team (kept for what they did while on it).
    pub removed: bool,
    /// The language they read: a map person's own (`None`: the service's written standard), a
    /// staff member's.
    pub language: Option<crate::web::i18n::Lang>,
    /// The language an interpreter is to be booked for, when the person needs one.
    pub interpreter: Option<String>,
}

impl TeamMember {
    /// The language their messages and their answer page are written in.
    pub fn lang(&self, standard: crate::web::i18n::Lang) -> crate::web::i18n::Lang {
        self.language.unwrap_or(standard)
    }
}

/// An open council as the start page lists it: the next step of its task list (or the state it
/// moves on to once the invitations are out) and what blocks it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CouncilWaiting {
    pub case_id: Uuid,
    pub council_id: Uuid,
    pub kind: CouncilKind,
    pub state: CouncilState,
    /// The task to do next (description, team, consents, waivers, preparation, meeting,
    /// invitations), until the invitations are out.
    pub task: Option<&'static str>,
    /// After that, the state the council moves on to next.
    pub next_state: Option<CouncilState>,
    /// What stands in the way; empty when the step can be taken now.
    pub blockers: Vec<Blocker>,
}

impl CouncilWaiting {
    /// Where to act: the task's page, the plan when the plan moves the council on, or the
    /// council's page.
    pub fn href(&self) -> String {
        let base = format!("/cases/{}/councils/{}", self.case_id, self.council_id);
        match self.task {
            Some(task) => format!("{base}/tasks/{task}"),
            None if self.blockers.contains(&Blocker::FollowsThePlan) => format!("{base}/plan"),
            None => base,
        }
    }

    /// The catalogue key of the task's name, if a task is next.
    pub fn task_key(&self) -> Option<&'static str> {
        self.task.map(super::rules::step_key)
    }
}

/// Where the registration of a held network measure stands, for the council page's link and
/// prompt: supplied by the capability that owns registrations (see [`CouncilSections`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegistrationPrompt {
    /// A meeting of the council has taken place.
    pub held: bool,
    pub complete: bool,
    /// Questions asked and still open.
    pub open: usize,
}

/// Reads where a council's registration stands (`tenant`, `case_id`, `council_id`), within the
/// council page's own transaction; `None` for a council that is no network measure.
pub type RegistrationReader = fn(
    &mut diesel::PgConnection,
    crate::db::TenantId,
    Uuid,
    Uuid,
) -> Result<Option<RegistrationPrompt>, AppError>;

/// What the capability built on councils adds to the council page — the registration's link
/// and prompt — supplied where the app is built (registered as app data), so councils imports
/// no registrations.
#[derive(Clone, Copy)]
pub struct CouncilSections {
    pub registration: RegistrationReader,
}

/// Someone on the team and whether they came to a meeting.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttendeeView {
    pub participant_id: Uuid,
    pub name: String,
    pub came: bool,
}

/// The next meeting a record booked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NextMeetingView {
    pub id: Uuid,
    pub starts_at: Option<DateTime<Utc>>,
    pub place: Option<String>,
}

/// A meeting record's notes as the team or the family reads them (see
/// [`super::queries::shared_notes`]).
#[derive(Debug, Clone, diesel::Queryable)]
pub struct SharedNotes {
    pub starts_at: Option<DateTime<Utc>>,
    pub notes: String,
}

impl SharedNotes {
    /// The meeting's day as the reader writes dates, in the service's zone.
    pub fn day(&self, tz: chrono_tz::Tz, lang: crate::web::i18n::Lang) -> Option<String> {
        self.starts_at
            .map(|s| crate::time::date(s.with_timezone(&tz).date_naive(), lang))
    }
}

/// A meeting's record. Until it is saved (`recorded_at` none) it proposes as attendees those who
/// answered yes (or, for a meeting recorded afterwards, those named then).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingRecordView {
    pub meeting_id: Uuid,
    pub council_id: Uuid,
    pub starts_at: Option<DateTime<Utc>>,
    pub place: Option<String>,
    /// Why the meeting was recorded afterwards, when it was.
    pub recorded_afterwards_reason: Option<String>,
    /// Everyone on the team, each with whether they came.
    pub attendees: Vec<AttendeeView>,
    pub decisions: Vec<String>,
    pub notes: Option<String>,
    /// staff, team or private_side.
    #[schema(value_type = String)]
    pub notes_shared_with: NotesSharing,
    pub next_meeting: Option<NextMeetingView>,
    /// Whether the next meeting is booked from this record (a network meeting series, a
    /// responsibility group) and is not booked yet.
    pub can_book_next: bool,
    /// The staff member who last saved it.
    pub recorded_by: Option<String>,
    pub recorded_at: Option<DateTime<Utc>>,
}

impl MeetingRecordView {
    /// How many came.
    pub fn came(&self) -> usize {
        self.attendees.iter().filter(|a| a.came).count()
    }

    /// The decisions as the form's text, one a line.
    pub fn decisions_text(&self) -> String {
        self.decisions.join("\n")
    }
}
