//! A council's vocabulary, its state machines and its input, parsed once at the edge: past the
//! handler a kind is one of the four, a state belongs to its kind, a meeting's times are UTC and
//! known to lie ahead, and every text is trimmed and bounded.
//!
//! Request structs take strings (and `flag`/`number`/`lines` fields, strict JSON values in a JSON
//! body and text in a form, see [`crate::fields::reading_form`]), so the JSON API and the HTML
//! forms share them and their parsing.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::cases::categories::NetworkSide;
use crate::cases::domain::{Errors, PersonRequest, WordsAuthor, long_text};
pub use crate::fields::{flag, lines, number};
pub use crate::time::local_moment;
use crate::vocabulary::vocabulary;
use crate::web::problem::AppError;

vocabulary! {
    /// The four ways a service gathers the child's network. A network council belongs to the
    /// child (S4); in a family group conference the family makes the plan (S2, S3); network
    /// meetings are a series the service leads (S3); a responsibility group is the traditional
    /// professionals' forum.
    pub enum CouncilKind ("council kind") {
        NetworkCouncil => "network_council", "Nettverksråd", "Network council";
        FamilyGroupConference => "family_group_conference", "Familieråd", "Family group conference";
        NetworkMeetingSeries => "network_meeting_series", "Nettverksmøter", "Network meetings";
        ResponsibilityGroup => "responsibility_group", "Ansvarsgruppe", "Responsibility group";
    }
}

vocabulary! {
    /// Where a council stands. Each kind walks its own list (see [`CouncilKind::states`]).
    pub enum CouncilState ("state") {
        Initiated => "initiated", "Startet", "Initiated";
        DescriptionDrafting => "description_drafting", "Situasjonsbeskrivelse skrives", "Writing the description";
        TeamSelection => "team_selection", "Barnet velger teamet", "The child chooses the team";
        Preparation => "preparation", "Forberedelse", "Preparation";
        MeetingHeld => "meeting_held", "Møtet er holdt", "Meeting held";
        PlanDrafting => "plan_drafting", "Planen skrives", "Drafting the plan";
        PlanApproved => "plan_approved", "Planen er godkjent", "Plan approved";
        EvaluationDefined => "evaluation_defined", "Evaluering er avtalt", "Evaluation agreed";
        FollowUp => "follow_up", "Oppfølging", "Follow-up";
        EvaluationDue => "evaluation_due", "Tid for evaluering", "Evaluation due";
        Closed => "closed", "Avsluttet", "Closed";
        Planning => "planning", "Planlegging", "Planning";
        Meeting => "meeting", "Møtet", "The meeting";
        PlanReview => "plan_review", "Planen vurderes", "Reviewing the plan";
        Proposed => "proposed", "Foreslått", "Proposed";
        Consented => "consented", "Samtykke gitt", "Consented";
        Preparing => "preparing", "Forberedelse", "Preparing";
        Held => "held", "Møtet er holdt", "Meeting held";
        Ended => "ended", "Avsluttet", "Ended";
    }
}

vocabulary! {
    /// Whether a meeting stands (`council_meetings.status`): a cancelled one keeps its row, so
    /// its CANCEL can still be sent and its history read.
    pub enum MeetingStatus ("meeting status") {
        Scheduled => "scheduled";
        Cancelled => "cancelled";
    }
}

vocabulary! {
    /// What a text of the child's is.
    pub enum TextKind ("text kind") {
        Situation => "situation", "Situasjonsbeskrivelse", "Situation description";
        Question => "question", "Spørsmål", "Question";
    }
}

vocabulary! {
    /// A participant's role in the meeting (Bufdir, Modum, Færder guidance).
    pub enum MeetingRole ("meeting role") {
        Participant => "participant", "Deltaker", "Participant";
        SupportPerson => "support_person", "Støtteperson for barnet", "The child's support person";
        Chair => "chair", "Møteleder", "Chair";
        Secretary => "secretary", "Referent", "Secretary";
        Interpreter => "interpreter", "Tolk", "Interpreter";
        MeetingLeader => "meeting_leader", "Nettverkskonsulent", "Meeting leader";
    }
}

vocabulary! {
    /// Who gave a consent: the parents, the child from 15, or someone else with the right.
    pub enum ConsentGiver ("consent giver") {
        Parent => "parent", "Forelder", "Parent";
        Child => "child", "Barnet (fra 15 år)", "The child (15 or older)";
        Other => "other", "Annen", "Other";
    }
}

vocabulary! {
    /// An invitee's answer.
    pub enum Response ("answer to the invitation") {
        Accept => "accept", "Ja, jeg kommer", "Yes, I will come";
        Decline => "decline", "Nei, jeg kan ikke", "No, I cannot";
        Maybe => "maybe", "Kanskje", "Maybe";
    }
}

vocabulary! {
    /// How an answer the coordinator records on a participant's behalf was given.
    pub enum AnsweredHow ("way of answering") {
        Phone => "phone", "på telefon", "by phone";
        InPerson => "in_person", "ansikt til ansikt", "in person";
    }
}

vocabulary! {
    /// Whom a meeting record's notes may be shared with.
    pub enum NotesSharing ("who may read the notes") {
        Staff => "staff", "Bare de ansatte i saken", "Only the staff on the case";
        Team => "team", "Alle i teamet", "Everyone on the team";
        PrivateSide => "private_side", "Familien og det private nettverket", "The family and the private network";
    }
}

vocabulary! {
    /// One part of a meeting's agenda.
    pub enum AgendaPart ("agenda part") {
        Welcome => "welcome", "Velkommen, og hvorfor vi er samlet", "Welcome, and why we are here";
        ChildQuestions => "child_questions", "Barnets spørsmål", "The child's questions";
        Information => "information", "Informasjonsdel: tjenestene, koordinator, familie og nettverk", "Information: services, coordinator, family and network";
        PrivateFamilyTime => "private_family_time", "Familiens egen tid: nettverket lager planen alene", "Private family time: the network makes the plan alone";
        PlanPresentation => "plan_presentation", "Planen legges fram og godkjennes", "The plan is presented and approved";
        Round => "round", "Runde: hva kan hver enkelt bidra med", "Round: what each can contribute";
        ReflectingTeam => "reflecting_team", "Møte i møtet", "Reflecting team";
        Decisions => "decisions", "Avtaler og veien videre", "Agreements and next steps";
        Status => "status", "Status siden sist", "Status since last time";
    }
}

impl CouncilKind {
    /// The states of this kind, in order (domain.md §2; the responsibility group's is inferred).
    pub fn states(self) -> &'static [CouncilState] {
        use CouncilState::*;
        match self {
            Self::NetworkCouncil => &[
                Initiated,
                DescriptionDrafting,
                TeamSelection,
                Preparation,
                MeetingHeld,
                PlanDrafting,
                PlanApproved,
                EvaluationDefined,
                FollowUp,
                EvaluationDue,
                Closed,
            ],
            Self::FamilyGroupConference => &[Planning, Meeting, PlanReview, FollowUp, Closed],
            Self::NetworkMeetingSeries => &[Proposed, Consented, Preparing, Held, FollowUp, Ended],
            Self::ResponsibilityGroup => &[Initiated, Preparing, Held, FollowUp, Ended],
        }
    }

    pub fn initial(self) -> CouncilState {
        self.states()[0]
    }

    /// Whether the child writes a situation description and 3–5 questions before the team is
    /// chosen: in a network council (S4) and a family group conference (Bufdir guidance).
    pub fn needs_child_texts(self) -> bool {
        matches!(self, Self::NetworkCouncil | Self::FamilyGroupConference)
    }

    /// The agenda a meeting of this kind starts from. A family group conference has its three
    /// parts, the middle one the family's own time (S3 ≈p.18, Bufdir).
    pub fn agenda(self) -> Vec<AgendaPart> {
        use AgendaPart::*;
        match self {
            Self::NetworkCouncil => vec![Welcome, ChildQuestions, Round, PlanPresentation],
            Self::FamilyGroupConference => vec![Information, PrivateFamilyTime, PlanPresentation],
            Self::NetworkMeetingSeries => vec![Welcome, Round, ReflectingTeam, Decisions],
            Self::ResponsibilityGroup => vec![Status, Round, Decisions],
        }
    }

    /// Whether `from → to` is a step this kind allows at all (what must be true first is
    /// [`super::rules::blockers`]): the next state in order, the end from anywhere, and — for the
    /// kinds that meet again and again — back from follow-up to preparing the next meeting.
    pub fn allows(self, from: CouncilState, to: CouncilState) -> bool {
        let states = self.states();
        let (Some(i), Some(j)) = (
            states.iter().position(|s| *s == from),
            states.iter().position(|s| *s == to),
        ) else {
            return false;
        };
        let last = states.len() - 1;
        if i == last {
            return false;
        }
        j == i + 1
            || j == last
            || (matches!(self, Self::NetworkMeetingSeries | Self::ResponsibilityGroup)
                && from == CouncilState::FollowUp
                && to == CouncilState::Preparing)
    }

    /// The state a council stands in once its meeting has been held: where a meeting recorded
    /// afterwards puts it, so the process goes on to the plan.
    pub fn held(self) -> CouncilState {
        match self {
            Self::NetworkCouncil => CouncilState::MeetingHeld,
            Self::FamilyGroupConference => CouncilState::PlanReview,
            Self::NetworkMeetingSeries | Self::ResponsibilityGroup => CouncilState::Held,
        }
    }

    /// Whether each meeting books the next from its record: the kinds that meet again and again.
    pub fn meets_in_series(self) -> bool {
        matches!(self, Self::NetworkMeetingSeries | Self::ResponsibilityGroup)
    }

    /// Whether `state` ends the process.
    pub fn is_final(self, state: CouncilState) -> bool {
        self.states().last() == Some(&state)
    }
}

pub(crate) fn blank_to_none(input: Option<&str>) -> Option<&str> {
    input.map(str::trim).filter(|s| !s.is_empty())
}

fn optional_long(input: Option<&str>, max: usize) -> Result<Option<String>, String> {
    blank_to_none(input).map(|t| long_text(t, max)).transpose()
}

fn parse_uuid(input: &str) -> Result<Uuid, String> {
    input
        .trim()
        .parse()
        .map_err(|_| "not a valid id".to_owned())
}

/// A moment that has happened, or now when absent.
fn past_or_now(text: Option<&str>, tz: Tz, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    match blank_to_none(text) {
        None => Ok(now),
        Some(t) => {
            let at = local_moment(t, tz)?;
            if at > now + chrono::Duration::minutes(5) {
                return Err("the time cannot be in the future".into());
            }
            Ok(at)
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct NewCouncilRequest {
    /// network_council, family_group_conference, network_meeting_series or responsibility_group.
    #[serde(default)]
    #[schema(required, value_type = CouncilKind)]
    pub kind: String,
    /// An acute family group conference.
    #[serde(default, deserialize_with = "flag")]
    #[schema(value_type = Option<bool>)]
    pub acute: Option<bool>,
    /// The staff member who coordinates; the caller by default. Must be assigned to the case.
    #[schema(format = Uuid)]
    pub coordinator_id: Option<String>,
}

#[derive(Debug, Clone, Copy)]
pub struct NewCouncil {
    pub kind: CouncilKind,
    pub acute: bool,
    pub coordinator: Option<Uuid>,
}

impl NewCouncil {
    pub fn parse(req: &NewCouncilRequest) -> Result<Self, AppError> {
        let mut e = Errors::default();
        let kind = e.take("kind", CouncilKind::parse(&req.kind));
        let coordinator = e.take(
            "coordinator_id",
            blank_to_none(req.coordinator_id.as_deref())
                .map(parse_uuid)
                .transpose(),
        );
        let acute = req.acute.unwrap_or(false);
        if acute && kind.is_some_and(|k| k != CouncilKind::FamilyGroupConference) {
            e.push("acute", "only a family group conference can be acute");
        }
        let (Some(kind), Some(coordinator)) = (kind, coordinator) else {
            return Err(e.into_error());
        };
        if acute && kind != CouncilKind::FamilyGroupConference {
            return Err(e.into_error());
        }
        Ok(Self {
            kind,
            acute,
            coordinator,
        })
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct StateRequest {
    /// The state to move to.
    #[serde(default)]
    #[schema(required, value_type = CouncilState)]
    pub to: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TextRequest {
    /// situation or question.
    #[serde(default)]
    #[schema(required, value_type = TextKind)]
    pub kind: String,
    /// Verbatim, as the child said or wrote it.
    #[serde(default)]
    #[schema(required, min_length = 1, max_length = 4000)]
    pub text: String,
    /// child, coordinator_with_child or parent_helping.
    #[serde(default)]
    #[schema(required, value_type = WordsAuthor)]
    pub author: String,
    /// Whether the invitees may read it on their page (the child decides).
    #[serde(default, deserialize_with = "flag")]
    #[schema(value_type = Option<bool>)]
    pub shared: Option<bool>,
    /// The child has read it and confirms it says what they mean.
    #[serde(default, deserialize_with = "flag")]
    #[schema(value_type = Option<bool>)]
    pub child_confirmed: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct NewText {
    pub kind: TextKind,
    pub text: String,
    pub author: WordsAuthor,
    pub shared: bool,
    pub child_confirmed: bool,
}

impl NewText {
    pub fn parse(req: &TextRequest) -> Result<Self, AppError> {
        let mut e = Errors::default();
        let kind = e.take("kind", TextKind::parse(&req.kind));
        let max = if kind == Some(TextKind::Question) {
            500
        } else {
            4000
        };
        let text = e.take("text", long_text(&req.text, max));
        let author = e.take("author", WordsAuthor::parse(&req.author));
        let (Some(kind), Some(text), Some(author)) = (kind, text, author) else {
            return Err(e.into_error());
        };
        Ok(Self {
            kind,
            text,
            author,
            shared: req.shared.unwrap_or(false),
            child_confirmed: req.child_confirmed.unwrap_or(false),
        })
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ParticipantRequest {
    /// A person on the case's map.
    #[schema(format = Uuid)]
    pub person_id: Option<String>,
    /// Or a staff member of the service.
    #[schema(format = Uuid)]
    pub user_id: Option<String>,
    /// Or someone new, who joins the map.
    pub new_person: Option<PersonRequest>,
    /// The child chose this person.
    #[serde(default, deserialize_with = "flag")]
    #[schema(value_type = Option<bool>)]
    pub chosen_by_child: Option<bool>,
    /// participant (the default), support_person, chair, secretary, interpreter, meeting_leader.
    #[schema(value_type = Option<MeetingRole>)]
    pub meeting_role: Option<String>,
    /// private or public; by default the person's side on the map (public for staff).
    #[schema(value_type = Option<NetworkSide>)]
    pub side: Option<String>,
}

/// Who a new participant is.
#[derive(Debug, Clone)]
pub enum Who {
    Person(Uuid),
    Staff(Uuid),
    New(Box<crate::cases::domain::PersonInput>),
}

#[derive(Debug, Clone)]
pub struct NewParticipant {
    pub who: Who,
    pub chosen_by_child: bool,
    pub role: MeetingRole,
    pub side: Option<NetworkSide>,
}

impl NewParticipant {
    pub fn parse(req: &ParticipantRequest, now: DateTime<Utc>) -> Result<Self, AppError> {
        let mut e = Errors::default();
        let person = e.take(
            "person_id",
            blank_to_none(req.person_id.as_deref())
                .map(parse_uuid)
                .transpose(),
        );
        let user = e.take(
            "user_id",
            blank_to_none(req.user_id.as_deref())
                .map(parse_uuid)
                .transpose(),
        );
        let role = e.take(
            "meeting_role",
            blank_to_none(req.meeting_role.as_deref())
                .map_or(Ok(MeetingRole::Participant), MeetingRole::parse),
        );
        let side = e.take(
            "side",
            blank_to_none(req.side.as_deref())
                .map(NetworkSide::parse)
                .transpose(),
        );
        let (Some(person), Some(user), Some(role), Some(side)) = (person, user, role, side) else {
            return Err(e.into_error());
        };
        let who = match (person, user, &req.new_person) {
            (Some(p), None, None) => Who::Person(p),
            (None, Some(u), None) => Who::Staff(u),
            (None, None, Some(new)) => Who::New(Box::new(
                crate::cases::domain::PersonInput::parse(new, now).map_err(|err| match err {
                    AppError::Validation(fields) => AppError::Validation(
                        fields
                            .into_iter()
                            .map(|f| {
                                crate::web::problem::FieldError::new(
                                    format!("new_person.{}", f.field),
                                    f.message,
                                )
                            })
                            .collect(),
                    ),
                    other => other,
                })?,
            )),
            _ => {
                return Err(AppError::field(
                    "person_id",
                    "give exactly one of person_id, user_id or new_person",
                ));
            }
        };
        Ok(Self {
            who,
            chosen_by_child: req.chosen_by_child.unwrap_or(false),
            role,
            side,
        })
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ObjectionRequest {
    /// The person on the map the child does not want invited.
    #[serde(default)]
    #[schema(required, format = Uuid)]
    pub person_id: String,
    /// The child's reason, seen by the coordinator only.
    #[serde(default)]
    #[schema(required, min_length = 1, max_length = 2000)]
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct NewObjection {
    pub person: Uuid,
    pub reason: String,
}

impl NewObjection {
    pub fn parse(req: &ObjectionRequest) -> Result<Self, AppError> {
        let mut e = Errors::default();
        let person = e.take("person_id", parse_uuid(&req.person_id));
        let reason = e.take("reason", long_text(&req.reason, 2000));
        let (Some(person), Some(reason)) = (person, reason) else {
            return Err(e.into_error());
        };
        Ok(Self { person, reason })
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ResolutionRequest {
    /// How the objection was met or resolved ("not invited", "talked it through; the child agreed").
    #[serde(default)]
    #[schema(required, min_length = 1, max_length = 1000)]
    pub resolution: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ConsentRequest {
    /// parent, child or other.
    #[serde(default)]
    #[schema(required, value_type = ConsentGiver)]
    pub given_by: String,
    /// Who consented, as the case file names them.
    #[serde(default)]
    #[schema(required, min_length = 1, max_length = 200)]
    pub name: String,
    /// What the consent covers.
    #[serde(default)]
    #[schema(required, min_length = 1, max_length = 1000)]
    pub scope: String,
    /// When they were told what the meeting involves (local time; now if absent).
    pub informed_at: Option<String>,
    /// When they agreed (local time; now if absent).
    pub granted_at: Option<String>,
    /// Given orally (by phone, in an acute situation): recorded as such, with who recorded it
    /// and when.
    #[serde(default, deserialize_with = "flag")]
    #[schema(value_type = Option<bool>)]
    pub oral: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct NewConsent {
    pub given_by: ConsentGiver,
    pub name: String,
    pub scope: String,
    pub informed_at: DateTime<Utc>,
    pub granted_at: DateTime<Utc>,
    pub oral: bool,
}

impl NewConsent {
    pub fn parse(req: &ConsentRequest, tz: Tz, now: DateTime<Utc>) -> Result<Self, AppError> {
        let mut e = Errors::default();
        let given_by = e.take("given_by", ConsentGiver::parse(&req.given_by));
        let name = e.take("name", crate::fields::required_text(&req.name, 200));
        let scope = e.take("scope", long_text(&req.scope, 1000));
        let informed_at = e.take(
            "informed_at",
            past_or_now(req.informed_at.as_deref(), tz, now),
        );
        let granted_at = e.take(
            "granted_at",
            past_or_now(req.granted_at.as_deref(), tz, now),
        );
        if let (Some(i), Some(g)) = (informed_at, granted_at)
            && g < i
        {
            e.push(
                "granted_at",
                "consent comes after being informed, not before",
            );
            return Err(e.into_error());
        }
        let (Some(given_by), Some(name), Some(scope), Some(informed_at), Some(granted_at)) =
            (given_by, name, scope, informed_at, granted_at)
        else {
            return Err(e.into_error());
        };
        Ok(Self {
            given_by,
            name,
            scope,
            informed_at,
            granted_at,
            oral: req.oral.unwrap_or(false),
        })
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct WaiverRequest {
    /// What the participant is released to speak about in the meeting.
    #[serde(default)]
    #[schema(required, min_length = 1, max_length = 1000)]
    pub scope: String,
    /// Local time; now if absent.
    pub granted_at: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewWaiver {
    pub scope: String,
    pub granted_at: DateTime<Utc>,
}

impl NewWaiver {
    pub fn parse(req: &WaiverRequest, tz: Tz, now: DateTime<Utc>) -> Result<Self, AppError> {
        let mut e = Errors::default();
        let scope = e.take("scope", long_text(&req.scope, 1000));
        let granted_at = e.take(
            "granted_at",
            past_or_now(req.granted_at.as_deref(), tz, now),
        );
        let (Some(scope), Some(granted_at)) = (scope, granted_at) else {
            return Err(e.into_error());
        };
        Ok(Self { scope, granted_at })
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PreparationRequest {
    /// When the conversation was held (local time; now if absent).
    pub held_at: Option<String>,
    #[schema(max_length = 4000)]
    pub notes: Option<String>,
    /// What the participant can contribute, in their words.
    #[schema(max_length = 2000)]
    pub contribution: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewPreparation {
    pub held_at: DateTime<Utc>,
    pub notes: Option<String>,
    pub contribution: Option<String>,
}

impl NewPreparation {
    pub fn parse(req: &PreparationRequest, tz: Tz, now: DateTime<Utc>) -> Result<Self, AppError> {
        let mut e = Errors::default();
        let held_at = e.take("held_at", past_or_now(req.held_at.as_deref(), tz, now));
        let notes = e.take("notes", optional_long(req.notes.as_deref(), 4000));
        let contribution = e.take(
            "contribution",
            optional_long(req.contribution.as_deref(), 2000),
        );
        let (Some(held_at), Some(notes), Some(contribution)) = (held_at, notes, contribution)
        else {
            return Err(e.into_error());
        };
        Ok(Self {
            held_at,
            notes,
            contribution,
        })
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct MeetingRequest {
    /// The start in the service's local time (2026-12-03T18:00), or with its offset
    /// (2026-10-25T02:30:00+01:00). A local time the clock skips that night (the spring change)
    /// is refused; one it passes twice (the autumn change) is refused naming both moments, and
    /// is taken with its offset. Without it the invitees are asked when they can.
    pub starts_at: Option<String>,
    /// The end in local time; or give `duration_minutes`. The service's default length otherwise.
    pub ends_at: Option<String>,
    #[serde(default, deserialize_with = "number")]
    #[schema(value_type = Option<i32>, minimum = 15, maximum = 720)]
    pub duration_minutes: Option<String>,
    #[schema(max_length = 300)]
    pub place: Option<String>,
    /// Whether the place goes into the invitees' calendar file too (it is on their page either
    /// way). Off unless asked for: calendars are often seen by others.
    #[serde(default, deserialize_with = "flag")]
    #[schema(value_type = Option<bool>)]
    pub place_shared: Option<bool>,
    /// An https link to the video meeting.
    #[schema(pattern = "^https://")]
    pub video_link: Option<String>,
}

/// When and where a meeting is, checked: it lies ahead, it ends after it starts, and it has a
/// place or a video link (or both).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingTime {
    pub starts_at: Option<DateTime<Utc>>,
    pub duration_minutes: i32,
    pub place: Option<String>,
    /// The place goes into the calendar file (never without a place).
    pub place_shared: bool,
    pub video_link: Option<String>,
}

impl MeetingTime {
    pub fn ends_at(&self) -> Option<DateTime<Utc>> {
        self.starts_at
            .map(|s| s + chrono::Duration::minutes(i64::from(self.duration_minutes)))
    }

    pub fn parse(
        req: &MeetingRequest,
        tz: Tz,
        now: DateTime<Utc>,
        default_minutes: i32,
    ) -> Result<Self, AppError> {
        Self::parse_when(req, tz, now, default_minutes, false)
    }

    /// A meeting that has taken place, recorded afterwards: its start is required and lies in
    /// the past.
    pub fn parse_past(
        req: &MeetingRequest,
        tz: Tz,
        now: DateTime<Utc>,
        default_minutes: i32,
    ) -> Result<Self, AppError> {
        Self::parse_when(req, tz, now, default_minutes, true)
    }

    fn parse_when(
        req: &MeetingRequest,
        tz: Tz,
        now: DateTime<Utc>,
        default_minutes: i32,
        past: bool,
    ) -> Result<Self, AppError> {
        let mut e = Errors::default();
        let starts_at = e.take(
            "starts_at",
            blank_to_none(req.starts_at.as_deref())
                .map(|t| local_moment(t, tz))
                .transpose()
                .and_then(|s| match s {
                    None if past => Err("this field is required".to_owned()),
                    Some(s) if past && s > now => Err(
                        "a meeting recorded afterwards has taken place: its time is not ahead"
                            .to_owned(),
                    ),
                    Some(s) if !past && s <= now => {
                        Err("the meeting cannot start in the past".to_owned())
                    }
                    other => Ok(other),
                }),
        );
        let ends_at = e.take(
            "ends_at",
            blank_to_none(req.ends_at.as_deref())
                .map(|t| local_moment(t, tz))
                .transpose(),
        );
        let minutes = e.take(
            "duration_minutes",
            blank_to_none(req.duration_minutes.as_deref())
                .map(|t| {
                    t.parse::<i32>()
                        .map_err(|_| "the length is a whole number of minutes".to_owned())
                })
                .transpose(),
        );
        let place = e.take(
            "place",
            blank_to_none(req.place.as_deref())
                .map(|p| crate::fields::required_text(p, 300))
                .transpose(),
        );
        let video_link = e.take(
            "video_link",
            blank_to_none(req.video_link.as_deref())
                .map(|l| {
                    url::Url::parse(l)
                        .ok()
                        .filter(|u| u.scheme() == "https" && u.host_str().is_some())
                        .map(|u| u.to_string())
                        .ok_or_else(|| "a video link starts with https://".to_owned())
                })
                .transpose(),
        );
        let (Some(starts_at), Some(ends_at), Some(minutes), Some(place), Some(video_link)) =
            (starts_at, ends_at, minutes, place, video_link)
        else {
            return Err(e.into_error());
        };
        let duration = match (starts_at, ends_at, minutes) {
            (_, Some(_), Some(_)) => {
                return Err(AppError::field(
                    "ends_at",
                    "give the end or the length, not both",
                ));
            }
            (Some(start), Some(end), None) => {
                if end <= start {
                    return Err(AppError::field(
                        "ends_at",
                        "the meeting ends before it starts",
                    ));
                }
                i32::try_from((end - start).num_minutes()).unwrap_or(i32::MAX)
            }
            (None, Some(_), None) => {
                return Err(AppError::field(
                    "ends_at",
                    "an end needs a start; give the length instead",
                ));
            }
            (_, None, Some(m)) => m,
            (_, None, None) => default_minutes,
        };
        if !(15..=720).contains(&duration) {
            return Err(AppError::field(
                if ends_at.is_some() {
                    "ends_at"
                } else {
                    "duration_minutes"
                },
                "a meeting lasts between 15 minutes and 12 hours",
            ));
        }
        if place.is_none() && video_link.is_none() {
            return Err(AppError::field(
                "place",
                "give a place, a video link, or both",
            ));
        }
        Ok(Self {
            starts_at,
            duration_minutes: duration,
            place_shared: place.is_some() && req.place_shared == Some(true),
            place,
            video_link,
        })
    }
}

/// A meeting that took place without invitations through Tillit (an acute family group
/// conference, a meeting arranged by phone), written down afterwards.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PastMeetingRequest {
    /// When it took place, in the service's local time; required, and not ahead.
    #[serde(flatten)]
    pub meeting: MeetingRequest,
    /// Why it is recorded afterwards (required).
    #[schema(max_length = 1000)]
    pub reason: Option<String>,
    /// The participants who came (ids of the council's team); at least one.
    #[serde(default)]
    #[schema(value_type = Vec<Uuid>)]
    pub attendees: Vec<String>,
}

/// A past meeting, checked: its time has been, the reason is given and who came is named.
#[derive(Debug, Clone)]
pub struct PastMeeting {
    pub time: MeetingTime,
    pub reason: String,
    pub attendees: Vec<Uuid>,
}

fn attendee_ids(ids: &[String]) -> Result<Vec<Uuid>, String> {
    let mut out = Vec::new();
    for id in ids.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
        let id = parse_uuid(id).map_err(|_| "someone who came is not on the council's team")?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

impl PastMeeting {
    pub fn parse(
        req: &PastMeetingRequest,
        tz: Tz,
        now: DateTime<Utc>,
        default_minutes: i32,
    ) -> Result<Self, AppError> {
        let mut fields = match MeetingTime::parse_past(&req.meeting, tz, now, default_minutes) {
            Ok(_) => Vec::new(),
            Err(AppError::Validation(fields)) => fields,
            Err(other) => return Err(other),
        };
        let mut e = Errors::default();
        let reason = e.take(
            "reason",
            match blank_to_none(req.reason.as_deref()) {
                None => Err("give the reason the meeting is recorded afterwards".to_owned()),
                Some(r) => long_text(r, 1000),
            },
        );
        let attendees = e.take(
            "attendees",
            attendee_ids(&req.attendees).and_then(|ids| {
                if ids.is_empty() {
                    Err("say who came to the meeting".to_owned())
                } else {
                    Ok(ids)
                }
            }),
        );
        let (Some(reason), Some(attendees)) = (reason, attendees) else {
            if let AppError::Validation(more) = e.into_error() {
                fields.extend(more);
            }
            return Err(AppError::Validation(fields));
        };
        if !fields.is_empty() {
            return Err(AppError::Validation(fields));
        }
        let time = MeetingTime::parse_past(&req.meeting, tz, now, default_minutes)?;
        Ok(Self {
            time,
            reason,
            attendees,
        })
    }
}

/// A meeting's record: who came (by default those who said yes), what was decided, notes and
/// with whom they may be shared.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct MeetingRecordRequest {
    /// The participants who came; absent means those who answered yes.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Uuid>>)]
    pub attendees: Option<Vec<String>>,
    /// The decisions made in the meeting, one a line (a form) or a list (JSON).
    #[serde(default, deserialize_with = "lines")]
    #[schema(value_type = Option<Vec<String>>)]
    pub decisions: Option<Vec<String>>,
    /// Notes from the meeting.
    #[schema(max_length = 8000)]
    pub notes: Option<String>,
    /// staff (the default), team or private_side: whom the notes may be shared with.
    #[schema(value_type = Option<NotesSharing>)]
    pub notes_shared_with: Option<String>,
}

#[derive(Debug, Clone)]
pub struct MeetingRecord {
    /// None: those who answered yes.
    pub attendees: Option<Vec<Uuid>>,
    pub decisions: Vec<String>,
    pub notes: Option<String>,
    pub notes_shared_with: NotesSharing,
}

impl MeetingRecord {
    pub fn parse(req: &MeetingRecordRequest) -> Result<Self, AppError> {
        let mut e = Errors::default();
        let attendees = e.take(
            "attendees",
            req.attendees.as_deref().map(attendee_ids).transpose(),
        );
        let mut decisions = Vec::new();
        let mut decisions_bad = false;
        for line in req.decisions.iter().flatten() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            match long_text(line, 1000) {
                Ok(d) => decisions.push(d),
                Err(m) => {
                    decisions_bad = true;
                    e.push("decisions", m);
                }
            }
        }
        if decisions.len() > 50 {
            decisions_bad = true;
            e.push("decisions", "at most 50 decisions");
        }
        let notes = e.take("notes", optional_long(req.notes.as_deref(), 8000));
        let sharing = e.take(
            "notes_shared_with",
            blank_to_none(req.notes_shared_with.as_deref())
                .map_or(Ok(NotesSharing::Staff), NotesSharing::parse),
        );
        let (Some(attendees), Some(notes), Some(notes_shared_with), false) =
            (attendees, notes, sharing, decisions_bad)
        else {
            return Err(e.into_error());
        };
        Ok(Self {
            attendees,
            decisions,
            notes,
            notes_shared_with,
        })
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AnswerRequest {
    /// accept, decline or maybe.
    #[serde(default)]
    #[schema(required, value_type = Response)]
    pub response: String,
    #[schema(max_length = 2000)]
    pub comment: Option<String>,
    /// What I can contribute.
    #[schema(max_length = 2000)]
    pub contribution: Option<String>,
    /// When I can, if no time is set yet.
    #[schema(max_length = 1000)]
    pub availability: Option<String>,
}

/// An answer the coordinator records for a participant who gave it by phone or in person: the
/// same fields as the invitee's own form, and how it was given.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RecordedAnswerRequest {
    #[serde(flatten)]
    pub answer: AnswerRequest,
    /// phone or in_person.
    #[serde(default)]
    #[schema(required, value_type = AnsweredHow)]
    pub how: String,
}

#[derive(Debug, Clone)]
pub struct Answer {
    pub response: Response,
    pub comment: Option<String>,
    pub contribution: Option<String>,
    pub availability: Option<String>,
}

impl Answer {
    pub fn parse(req: &AnswerRequest) -> Result<Self, AppError> {
        let mut e = Errors::default();
        let response = e.take("response", Response::parse(&req.response));
        let comment = e.take("comment", optional_long(req.comment.as_deref(), 2000));
        let contribution = e.take(
            "contribution",
            optional_long(req.contribution.as_deref(), 2000),
        );
        let availability = e.take(
            "availability",
            optional_long(req.availability.as_deref(), 1000),
        );
        let (Some(response), Some(comment), Some(contribution), Some(availability)) =
            (response, comment, contribution, availability)
        else {
            return Err(e.into_error());
        };
        Ok(Self {
            response,
            comment,
            contribution,
            availability,
        })
    }

    /// A recorded answer and how it was given, every wrong field named.
    pub fn parse_recorded(req: &RecordedAnswerRequest) -> Result<(Self, AnsweredHow), AppError> {
        let how = AnsweredHow::parse(&req.how);
        match (Self::parse(&req.answer), how) {
            (Ok(answer), Ok(how)) => Ok((answer, how)),
            (Err(AppError::Validation(mut fields)), how) => {
                if let Err(message) = how {
                    fields.push(crate::web::problem::FieldError::new("how", message));
                }
                Err(AppError::Validation(fields))
            }
            (Err(other), _) => Err(other),
            (Ok(_), Err(message)) => Err(AppError::field("how", message)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Europe::Oslo;

    #[test]
    fn each_kind_walks_its_own_states() {
        use CouncilState::*;
        let nc = CouncilKind::NetworkCouncil;
        assert!(nc.allows(Initiated, DescriptionDrafting));
        assert!(!nc.allows(Initiated, Preparation), "no skipping ahead");
        assert!(nc.allows(TeamSelection, Closed), "the end from anywhere");
        assert!(!nc.allows(Closed, Initiated), "nothing after the end");
        assert!(!nc.allows(Initiated, Planning), "another kind's state");
        let series = CouncilKind::NetworkMeetingSeries;
        assert!(series.allows(FollowUp, Preparing), "meets again");
        assert!(!nc.allows(FollowUp, Preparation));
        for kind in CouncilKind::ALL {
            assert!(kind.is_final(*kind.states().last().unwrap()));
        }
        assert_eq!(
            CouncilKind::FamilyGroupConference.agenda(),
            vec![
                AgendaPart::Information,
                AgendaPart::PrivateFamilyTime,
                AgendaPart::PlanPresentation
            ]
        );
    }

    #[test]
    fn local_times_are_the_services_and_survive_daylight_saving() {
        // 18:00 in Oslo in December is 17:00 UTC, in June 16:00 UTC.
        assert_eq!(
            local_moment("2026-12-03T18:00", Oslo).unwrap(),
            Utc.with_ymd_and_hms(2026, 12, 3, 17, 0, 0).unwrap()
        );
        assert_eq!(
            local_moment("2027-06-03 18:00", Oslo).unwrap(),
            Utc.with_ymd_and_hms(2027, 6, 3, 16, 0, 0).unwrap()
        );
        assert!(local_moment("tomorrow", Oslo).is_err());
    }

    /// The code lists in the migration's CHECK constraints are the vocabularies' codes, so the
    /// database accepts exactly what the code can write and read back.
    #[test]
    fn the_database_accepts_exactly_the_vocabularies_codes() {
        let sql = include_str!("../../migrations/2026-11-22-000006_councils/up.sql");
        let listed = |column: &str| -> Vec<String> {
            let needle = format!("CHECK ({column} IN (");
            let at = sql.find(&needle).expect(column) + needle.len();
            let end = sql[at..].find("))").expect("closed list");
            sql[at..at + end]
                .split(',')
                .map(|code| code.trim().trim_matches('\'').to_owned())
                .collect()
        };
        let codes = |all: &[&str]| all.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert_eq!(listed("kind"), codes(&CouncilKind::ALL.map(|k| k.as_str())));
        assert_eq!(
            listed("status"),
            codes(&MeetingStatus::ALL.map(|s| s.as_str()))
        );
        assert_eq!(
            listed("state"),
            codes(&CouncilState::ALL.map(|s| s.as_str()))
        );
        assert_eq!(
            listed("meeting_role"),
            codes(&MeetingRole::ALL.map(|r| r.as_str()))
        );
        assert_eq!(
            listed("given_by"),
            codes(&ConsentGiver::ALL.map(|g| g.as_str()))
        );
        assert_eq!(
            listed("response"),
            codes(&Response::ALL.map(|r| r.as_str()))
        );
        assert_eq!(
            listed("author"),
            codes(&WordsAuthor::ALL.map(|a| a.as_str()))
        );
    }

    fn meeting(
        start: &str,
        end: Option<&str>,
        minutes: Option<&str>,
    ) -> Result<MeetingTime, AppError> {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
        MeetingTime::parse(
            &MeetingRequest {
                starts_at: Some(start.into()),
                ends_at: end.map(Into::into),
                duration_minutes: minutes.map(Into::into),
                place: Some("Biblioteket".into()),
                place_shared: None,
                video_link: None,
            },
            Oslo,
            now,
            180,
        )
    }

    #[test]
    fn a_past_meeting_needs_its_time_behind_a_reason_and_who_came() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
        let req = |start: &str, reason: Option<&str>, attendees: Vec<String>| PastMeetingRequest {
            meeting: MeetingRequest {
                starts_at: Some(start.into()),
                place: Some("Hjemme".into()),
                ..MeetingRequest::default()
            },
            reason: reason.map(Into::into),
            attendees,
        };
        let someone = vec![Uuid::nil().to_string()];
        let ok = PastMeeting::parse(
            &req("2026-11-21T19:00", Some("Akutt"), someone.clone()),
            Oslo,
            now,
            180,
        )
        .unwrap();
        assert_eq!(ok.attendees, [Uuid::nil()]);
        let fields = |r: Result<PastMeeting, AppError>| match r {
            Err(AppError::Validation(f)) => f.into_iter().map(|f| f.field).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            fields(PastMeeting::parse(
                &req("2026-12-01T19:00", None, vec![]),
                Oslo,
                now,
                180
            )),
            ["starts_at", "reason", "attendees"],
            "every wrong field at once"
        );
        assert_eq!(
            fields(PastMeeting::parse(
                &req("", Some("x"), someone),
                Oslo,
                now,
                180
            )),
            ["starts_at"]
        );
    }

    #[test]
    fn meetings_lie_ahead_end_after_they_start_and_default_to_three_hours() {
        let ok = meeting("2026-12-03T18:00", None, None).unwrap();
        assert_eq!(ok.duration_minutes, 180);
        assert_eq!(
            meeting("2026-12-03T18:00", Some("2026-12-03T20:30"), None)
                .unwrap()
                .duration_minutes,
            150
        );
        let past = meeting("2026-11-01T18:00", None, None).unwrap_err();
        assert!(format!("{past:?}").contains("past"), "{past:?}");
        let backwards = meeting("2026-12-03T18:00", Some("2026-12-03T17:00"), None).unwrap_err();
        assert!(
            format!("{backwards:?}").contains("ends before it starts"),
            "{backwards:?}"
        );
        assert!(meeting("2026-12-03T18:00", None, Some("abc")).is_err());
    }
}
