//! The coordinator's pages: a case's councils, and one council with where it stands and a form
//! for each step. Every form posts to `/cases/{id}/councils/{council_id}/{step}` and goes through
//! the same [`super::actions`] as the JSON API, so the rules, the gates and the audit rows are
//! the same whichever way a change comes in. A refused step shows the page again with the reason.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, ResponseError, get, post, web};
use askama::Template;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::de::DeserializeOwned;
use serde_json::json;
use uuid::Uuid;

use super::actions;
use super::domain::{
    AnsweredHow, ConsentGiver, CouncilKind, CouncilState, MeetingRecordRequest, MeetingRole,
    NewCouncilRequest, NotesSharing, ParticipantRequest, PastMeetingRequest, Response,
    StateRequest, TextKind,
};
use super::invitations;
use super::queries::{self, CouncilSettings};
use super::rules::{self, Step};
use super::views::{
    CouncilSections, CouncilSummary, CouncilView, MeetingRecordView, ParticipantView,
    RegistrationPrompt, RegistrationReader,
};
use crate::access::session::Staff;
use crate::cases::access::{Audited, Intent, with_case};
use crate::cases::categories::{Closeness, NetworkSide, RelationCategory, RelationQuality};
use crate::cases::domain::{PersonRequest, WordsAuthor};
use crate::cases::views::{CaseCouncil, MapPerson, StaffView};
use crate::time;
use crate::web::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::form_errors::FormFailure;
use crate::web::i18n::{Lang, Tr};
use crate::web::pages::render;
use crate::web::posted::{Fields, Typed, field, form, id_field};
use crate::web::problem::AppError;

/// The case's councils as the case page lists them, labelled in `lang`: what councils adds to
/// the case page ([`crate::cases::views::CasePageSections`]).
pub fn case_councils(
    conn: &mut diesel::PgConnection,
    tenant: crate::db::TenantId,
    case_id: Uuid,
    lang: Lang,
) -> Result<Vec<CaseCouncil>, AppError> {
    Ok(queries::councils_of_case(conn, tenant, case_id)?
        .into_iter()
        .map(|c| CaseCouncil {
            id: c.id,
            kind: c.kind.label(lang),
            acute: c.acute,
            state: c.state.label(lang),
        })
        .collect())
}

/// A moment, however a template holds it (by value or behind references).
pub trait Moment {
    fn utc(&self) -> DateTime<Utc>;
}

impl Moment for DateTime<Utc> {
    fn utc(&self) -> DateTime<Utc> {
        *self
    }
}

impl Moment for DateTime<chrono::FixedOffset> {
    fn utc(&self) -> DateTime<Utc> {
        self.to_utc()
    }
}

impl<T: Moment + ?Sized> Moment for &T {
    fn utc(&self) -> DateTime<Utc> {
        (**self).utc()
    }
}

/// Formats moments in the service's zone for a page.
pub struct Clock {
    tz: Tz,
    lang: Lang,
}

impl Clock {
    pub fn new(tz: Tz, lang: Lang) -> Self {
        Self { tz, lang }
    }

    /// The service's time zone.
    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// A calendar date as people here write it.
    pub fn day(&self, day: &chrono::NaiveDate) -> String {
        time::date(*day, self.lang)
    }

    pub fn at(&self, at: impl Moment) -> String {
        time::moment(at.utc(), self.tz, self.lang)
    }

    /// The value a `datetime-local` field shows for `at`.
    pub fn field(&self, at: impl Moment) -> String {
        time::field_value(at.utc(), self.tz)
    }
}

#[derive(Template)]
#[template(path = "councils/list.html")]
struct ListPage {
    tr: Tr,
    shell: crate::web::pages::Shell,
    case_id: Uuid,
    councils: Vec<CouncilSummary>,
    kinds: [CouncilKind; 4],
    clock: Clock,
    error: Option<String>,
}

async fn list_page(
    state: &web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    case_id: Uuid,
    error: Option<(StatusCode, String)>,
) -> Result<HttpResponse, AppError> {
    let councils = actions::list(state, &staff.caller(), case_id).await?;
    let tz = state
        .db
        .tenant(staff.tenant, |conn| {
            Ok::<_, AppError>(CouncilSettings::load(conn)?.tz)
        })
        .await?;
    let (status, error) = match error {
        Some((status, message)) => (status, Some(message)),
        None => (StatusCode::OK, None),
    };
    render(
        status,
        &ListPage {
            clock: Clock {
                tz,
                lang: tr.lang(),
            },
            tr,
            shell: staff.shell,
            case_id,
            councils,
            kinds: CouncilKind::ALL,
            error,
        },
    )
}

#[get("/cases/{id}/councils")]
pub async fn councils_page(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    list_page(&state, staff, tr, id.into_inner(), None).await
}

#[post("/cases/{id}/councils")]
pub async fn create_council(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    id: web::Path<Uuid>,
    CsrfForm(form): CsrfForm<NewCouncilRequest>,
) -> Result<HttpResponse, AppError> {
    let case_id = id.into_inner();
    match actions::create(&state, &staff.caller(), case_id, form).await {
        Ok(view) => Ok(see_other(&format!("/cases/{case_id}/councils/{}", view.id))),
        Err(e) => {
            // The list's one form: every reason in the reader's language, as one message.
            let Some(failure) = FormFailure::of(&e, &tr, str::to_owned) else {
                return Err(e);
            };
            let message = failure
                .problem
                .into_iter()
                .chain(failure.fields.into_iter().map(|(_, m)| m))
                .collect::<Vec<_>>()
                .join(" ");
            list_page(&state, staff, tr, case_id, Some((e.status_code(), message))).await
        }
    }
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, location.to_owned()))
        .finish()
}

/// The tasks of a council's task list, each with its own page, in the order they are done.
pub const TASKS: [&str; 9] = [
    "description",
    "team",
    "consents",
    "waivers",
    "preparation",
    "meeting",
    "invitations",
    // Not on the task list: a meeting held without invitations through Tillit, written down
    // afterwards, and the records of the meetings held.
    "afterwards",
    "record",
];

/// The task page a step's form belongs to; `None` for the overview (the state and the end).
fn task_of(step: &str) -> Option<&'static str> {
    Some(match step {
        "text" | "confirm-text" | "remove-text" => "description",
        "participant" | "remove-participant" | "team" | "objection" | "resolve" => "team",
        "consent" | "withdraw-consent" => "consents",
        "waiver" => "waivers",
        "preparation" => "preparation",
        "meeting" | "reschedule" | "cancel" => "meeting",
        "send" | "resend" | "revoke" | "address" | "record-answer" => "invitations",
        "past-meeting" => "afterwards",
        "record" | "next-meeting" => "record",
        _ => return None,
    })
}

/// The input a step's field is shown at: the form's inputs are named `<prefix>-<field>`, and a
/// row's form (one per participant, objection or meeting) adds the row's id.
fn input_id(step: &str, field: &str, row: Option<&str>) -> String {
    let field = field.rsplit('.').next().unwrap_or(field);
    let base = match (step, field) {
        ("text", "kind") => "text-kind",
        ("text", "author") => "text-author",
        ("text", _) => "text-text",
        ("participant", "name") => "new-name",
        ("participant", "email") => "new-email",
        ("participant", "category") => "new-category",
        ("participant", "closeness") => "new-closeness",
        ("participant", "quality") => "new-quality",
        ("participant", "meeting_role") => "role",
        ("participant", "side") => "side",
        ("participant", _) => "who",
        ("objection", "reason") => "objection-reason",
        ("objection", _) => "objection-person",
        ("resolve", _) => "resolution",
        ("consent", "given_by") => "consent-by",
        ("consent", "name") => "consent-name",
        ("consent", "informed_at") => "consent-informed",
        ("consent", _) => "consent-scope",
        ("waiver", _) => "scope",
        ("preparation", "contribution") => "contribution",
        ("preparation", _) => "notes",
        ("meeting", "ends_at" | "duration_minutes") => "ends-at",
        ("meeting", "place") => "place",
        ("meeting", "video_link") => "video-link",
        ("meeting", _) => "starts-at",
        ("reschedule", "duration_minutes" | "ends_at") => "minutes",
        ("reschedule", "place") => "place",
        ("reschedule", "video_link") => "video",
        ("reschedule", _) => "starts",
        ("address", _) => "email",
        ("record-answer", "how") => "answer-how",
        ("record-answer", "comment") => "answer-comment",
        ("record-answer", "contribution") => "answer-contribution",
        ("record-answer", "availability") => "answer-availability",
        ("record-answer", _) => "answer-response",
        ("past-meeting", "starts_at") => "past-starts",
        ("past-meeting", "ends_at" | "duration_minutes") => "past-minutes",
        ("past-meeting", "place") => "past-place",
        ("past-meeting", "video_link") => "past-video",
        ("past-meeting", "reason") => "past-reason",
        ("past-meeting", _) => "past-attendees",
        ("record", "decisions") => "record-decisions",
        ("record", "notes") => "record-notes",
        ("record", "notes_shared_with") => "record-shared",
        ("record", _) => "record-attendees",
        ("next-meeting", "ends_at" | "duration_minutes") => "next-minutes",
        ("next-meeting", "place") => "next-place",
        ("next-meeting", "video_link") => "next-video",
        ("next-meeting", _) => "next-starts",
        ("state", "confirm") => "confirm",
        _ => "task-form",
    };
    match row {
        Some(row) => format!("{base}-{row}"),
        None => base.to_owned(),
    }
}

/// The row a step's form is about, from its hidden id field.
fn row_of<'a>(step: &str, fields: &'a Fields) -> Option<&'a str> {
    let name = match step {
        "resolve" => "objection_id",
        "waiver" | "preparation" | "address" | "record-answer" => "participant_id",
        "reschedule" | "record" | "next-meeting" => "meeting_id",
        _ => return None,
    };
    field(fields, name)
}

/// A participant's way of being reached, as the check before sending shows it.
pub struct Reach {
    pub participant_id: Uuid,
    /// The map person whose address can be added here, when it is missing.
    pub person_id: Option<Uuid>,
    pub name: String,
    /// The address on the map (a staff member's work address is not repeated here).
    pub email: Option<String>,
    /// A map person's preferred way, and what it goes to (number or address as shown).
    pub channel: Option<(crate::cases::domain::Channel, String)>,
    /// An email goes too.
    pub email_too: bool,
    pub reachable: bool,
    pub delivery: Option<invitations::Delivery>,
    /// Where their SMS stands, for someone reached by SMS.
    pub sms: Option<invitations::Delivery>,
}

/// Where a person's preferred way goes: the address, the number as people read it.
fn reach_to(person: &MapPerson) -> String {
    use crate::cases::domain::Channel;
    use crate::fields::format_phone;
    match person.preferred_channel {
        Channel::Email => person.email.clone(),
        Channel::Sms | Channel::Call => person.phone.as_deref().map(format_phone),
        Channel::Letter => person.address.clone(),
    }
    .unwrap_or_default()
}

/// Everything a council page shows: the overview and each task page.
struct CouncilData {
    child_name: String,
    council: CouncilView,
    persons: Vec<MapPerson>,
    map: Vec<MapPerson>,
    staff: Vec<StaffView>,
    reach: Vec<Reach>,
    /// Letters that tell of a change, to print (the invitations page's alone).
    letters: Vec<super::letter::LetterToPrint>,
    preview: Option<crate::mail::templates::Rendered>,
    sender: String,
    cs: CouncilSettings,
    /// Where the registration of the measure stands (the overview page's link and prompt).
    registration: Option<RegistrationPrompt>,
    /// The records of the meetings held (the record page's alone).
    records: Vec<MeetingRecordView>,
}

async fn council_data(
    state: &web::Data<AppState>,
    staff: &Staff,
    tr: &Tr,
    case_id: Uuid,
    council_id: Uuid,
    task: Option<&'static str>,
    registration: Option<RegistrationReader>,
) -> Result<CouncilData, AppError> {
    let viewer = Some(staff.user);
    let lang = tr.lang();
    let link = format!("{}/i/…", state.settings.base_url());
    with_case(
        &state.db,
        &staff.caller(),
        case_id,
        Intent::Read,
        "council.read",
        move |conn, c| {
            let council = queries::council(conn, c.tenant, c.case.id, council_id, false)?;
            let cs = CouncilSettings::load(conn)?;
            let view = queries::council_view(conn, &council, cs.now)?.for_viewer(viewer);
            let map = crate::cases::queries::persons(conn, c.tenant, c.case.id)?;
            let team_staff = crate::cases::queries::assigned_staff(conn, c.tenant, c.case.id)?;
            let child = crate::cases::queries::child(conn, c.tenant, c.case.child_id)?;
            // What went out and the email's text are the invitations page's alone.
            let current = view
                .current_meeting()
                .map(|m| (m.id, m.starts_at))
                .filter(|_| task == Some("invitations"));
            let (deliveries, texts) = match current {
                Some((id, _)) => (
                    invitations::deliveries(conn, id, &cs)?,
                    super::texts::deliveries(conn, id, &cs)?,
                ),
                None => Default::default(),
            };
            let (preview, sender) = match current {
                Some((_, starts_at)) => {
                    let signature = crate::tenancy::sender::neutral_sender(conn)?;
                    let mail = crate::mail::templates::meeting(
                        lang,
                        crate::mail::templates::MeetingMail::Invitation,
                        &signature.sender,
                        starts_at,
                        cs.tz,
                        Some(&link),
                    );
                    (Some(mail), signature.sender)
                }
                None => (None, String::new()),
            };
            let reach = view
                .participants
                .iter()
                .map(|p| {
                    let person = p.person_id.and_then(|id| map.iter().find(|m| m.id == id));
                    Reach {
                        participant_id: p.id,
                        person_id: person.map(|m| m.id),
                        name: p.name.clone(),
                        email: person.and_then(|m| m.email.clone()),
                        channel: person.map(|m| (m.preferred_channel, reach_to(m))),
                        email_too: person.is_some_and(|m| m.email_too && m.email.is_some()),
                        // Another way counts only when what it needs is recorded: someone
                        // with no address or number at all is offered the address form.
                        reachable: p.has_email
                            || person.is_some_and(|m| {
                                m.preferred_channel != crate::cases::domain::Channel::Email
                                    && !reach_to(m).is_empty()
                            }),
                        delivery: deliveries.get(&p.id).copied(),
                        sms: texts.get(&p.id).copied(),
                    }
                })
                .collect();
            let registration = match registration {
                Some(read) => read(conn, c.tenant, c.case.id, council_id)?,
                None => None,
            };
            // Reading the records is a read of case data: this page's audit row names it.
            let records = match task {
                Some("record") => queries::records(conn, &council, cs.now)?,
                _ => Vec::new(),
            };
            let letters = match task {
                Some("invitations") => super::letter::to_print(conn, council.id)?,
                _ => Vec::new(),
            };
            let data = CouncilData {
                registration,
                records,
                letters,
                child_name: format!("{} {}", child.first_name, child.last_name)
                    .trim()
                    .to_owned(),
                persons: map
                    .iter()
                    .filter(|m| !view.participants.iter().any(|t| t.person_id == Some(m.id)))
                    .cloned()
                    .collect(),
                staff: team_staff
                    .into_iter()
                    .filter(|s| {
                        !view
                            .participants
                            .iter()
                            .any(|t| t.user_id == Some(s.user_id))
                    })
                    .collect(),
                map,
                council: view,
                reach,
                preview,
                sender,
                cs,
            };
            Ok((
                data,
                Audited::within("council", council_id, c.case.id)
                    .with(json!({ "page": task.unwrap_or("overview") })),
            ))
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "councils/council.html")]
struct CouncilPage {
    tr: Tr,
    shell: crate::web::pages::Shell,
    case_id: Uuid,
    child_name: String,
    council: CouncilView,
    done: Option<String>,
    failure: FormFailure,
    registration: Option<RegistrationPrompt>,
}

#[derive(Template)]
#[template(path = "councils/task.html")]
struct TaskPage {
    tr: Tr,
    shell: crate::web::pages::Shell,
    case_id: Uuid,
    child_name: String,
    task: &'static str,
    step: Option<Step>,
    council: CouncilView,
    persons: Vec<MapPerson>,
    map: Vec<MapPerson>,
    staff: Vec<StaffView>,
    reach: Vec<Reach>,
    letters: Vec<super::letter::LetterToPrint>,
    preview: Option<crate::mail::templates::Rendered>,
    sender: String,
    clock: Clock,
    done: Option<String>,
    failure: FormFailure,
    typed: Typed,
    duplicate: Option<(Uuid, String)>,
    authors: [WordsAuthor; 3],
    text_kinds: [TextKind; 2],
    roles: [MeetingRole; 6],
    givers: [ConsentGiver; 3],
    categories: Vec<RelationCategory>,
    closeness: Vec<Closeness>,
    qualities: Vec<RelationQuality>,
    sides: [NetworkSide; 2],
    default_minutes: i32,
    records: Vec<MeetingRecordView>,
    sharings: [NotesSharing; 3],
}

/// What a task's count counts, as a sentence ("2 of 3 on the team chosen by the child").
fn counted(tr: &Tr, step: &Step) -> Option<String> {
    let [done, total] = step.count?;
    let key = match step.code {
        "description" => "council.count.description",
        "team" => "council.count.team",
        "waivers" => "council.count.waivers",
        "preparation" => "council.count.preparation",
        _ => return None,
    };
    (total > 0).then(|| {
        crate::mail::templates::fill(
            tr.t(key),
            &[("done", &done.to_string()), ("total", &total.to_string())],
        )
    })
}

impl CouncilPage {
    /// How many of the registration's questions are still open, as a sentence.
    fn registration_open(&self) -> String {
        let open = self.registration.map_or(0, |r| r.open);
        crate::mail::templates::fill(
            self.tr.t("registration.open_count"),
            &[("open", &open.to_string())],
        )
    }

    fn counted(&self, step: &Step) -> Option<String> {
        counted(&self.tr, step)
    }

    /// What happened that someone records by hand (the meeting was held), offered only when the
    /// rules allow it now — never a button that cannot succeed.
    fn recordable(&self) -> Vec<CouncilState> {
        let kind = self.council.kind;
        self.council
            .standing
            .next
            .iter()
            .filter(|n| {
                n.blockers.is_empty() && !kind.is_final(n.to) && !rules::follows_tasks(kind, n.to)
            })
            .map(|n| n.to)
            .collect()
    }

    /// The state that ends the council, while it has not ended.
    fn end_state(&self) -> Option<CouncilState> {
        let kind = self.council.kind;
        self.council
            .standing
            .next
            .iter()
            .find(|n| kind.is_final(n.to))
            .map(|n| n.to)
    }
}

impl TaskPage {
    fn counted(&self, step: &Step) -> Option<String> {
        counted(&self.tr, step)
    }

    /// The heading of a page that is not on the task list.
    fn heading(&self) -> &'static str {
        match self.task {
            "afterwards" => "council.afterwards.heading",
            _ => "council.record.heading",
        }
    }

    /// Whether `participant` is ticked as having come in the form recording a past meeting.
    fn past_ticked(&self, participant: impl std::borrow::Borrow<Uuid>) -> bool {
        self.typed.chose_among(
            "past-meeting",
            "attendees",
            participant.borrow().to_string(),
        )
    }

    /// Whether `participant` is ticked as having come in `record`'s form: as typed when that
    /// form came back, else as recorded (or proposed from the answers).
    fn came(
        &self,
        record: &MeetingRecordView,
        participant: impl std::borrow::Borrow<Uuid>,
    ) -> bool {
        let participant = *participant.borrow();
        let row = record.meeting_id.to_string();
        if self.typed.is("record") && !self.typed.value("record", &row, "meeting_id").is_empty() {
            return self
                .typed
                .chose_among_in("record", &row, "attendees", participant.to_string());
        }
        record
            .attendees
            .iter()
            .any(|a| a.participant_id == participant && a.came)
    }

    /// What `record`'s `name` field shows: as typed when its form came back, else `saved`.
    fn record_value(&self, record: &MeetingRecordView, name: &str, saved: String) -> String {
        let row = record.meeting_id.to_string();
        if self.typed.is("record") && !self.typed.value("record", &row, "meeting_id").is_empty() {
            self.typed.value("record", &row, name).to_owned()
        } else {
            saved
        }
    }

    /// The answers a recorded answer can be, as (code, label).
    fn responses(&self) -> Vec<(&'static str, &'static str)> {
        Response::ALL
            .iter()
            .map(|r| (r.as_str(), r.label(self.tr.lang())))
            .collect()
    }

    /// How a recorded answer was given, as (code, label).
    fn answer_ways(&self) -> Vec<(&'static str, &'static str)> {
        AnsweredHow::ALL
            .iter()
            .map(|h| (h.as_str(), h.label(self.tr.lang())))
            .collect()
    }

    fn participant(&self, reach: &Reach) -> Option<&ParticipantView> {
        self.council
            .participants
            .iter()
            .find(|p| p.id == reach.participant_id)
    }

    /// Reached by letter: the coordinator prints it ([`super::letter`]).
    fn by_letter(&self, reach: &Reach) -> bool {
        reach.channel.as_ref().map(|c| c.0) == Some(crate::cases::domain::Channel::Letter)
    }

    /// Where the participant's invitation stands, in words that tell the truth.
    fn delivery(&self, reach: &Reach) -> String {
        let tr = &self.tr;
        use crate::cases::domain::Channel;
        if reach.channel.as_ref().map(|c| c.0) == Some(Channel::Sms) {
            let sms = self.state(reach.sms);
            return match reach.delivery.filter(|_| reach.email_too) {
                Some(email) => format!(
                    "{sms} · {}: {}",
                    tr.t("council.tasks.email_too"),
                    self.state(Some(email))
                ),
                None => sms,
            };
        }
        match reach.delivery {
            None => match reach.channel.as_ref().map(|c| c.0) {
                Some(Channel::Call) => tr.t("council.tasks.to_call").to_owned(),
                Some(Channel::Letter) => tr.t("council.tasks.to_post").to_owned(),
                _ => tr.t("council.tasks.not_sent").to_owned(),
            },
            delivery => self.state(delivery),
        }
    }

    /// What became of one message, in words.
    fn state(&self, delivery: Option<invitations::Delivery>) -> String {
        let tr = &self.tr;
        match delivery {
            None => tr.t("council.tasks.not_sent").to_owned(),
            Some(invitations::Delivery::Delivered(at)) => {
                format!("{} {}", tr.t("council.tasks.delivered"), self.clock.at(at))
            }
            Some(invitations::Delivery::Undelivered) => {
                tr.t("council.tasks.undelivered").to_owned()
            }
            Some(invitations::Delivery::Sent(at)) => {
                format!("{} {}", tr.t("council.tasks.sent"), self.clock.at(at))
            }
            Some(invitations::Delivery::Waiting(at)) => format!(
                "{} {} {}",
                tr.t("council.tasks.waiting"),
                self.clock.at(at),
                tr.t("council.tasks.quiet_hours")
            ),
            Some(invitations::Delivery::Sending) => tr.t("council.tasks.sending").to_owned(),
            Some(invitations::Delivery::Failed) => tr.t("council.tasks.failed").to_owned(),
        }
    }
}

/// A page after a form: what was done (a step's code), or what failed and what was typed.
#[derive(Default)]
struct Outcome {
    done: Option<String>,
    failure: FormFailure,
    typed: Typed,
    status: Option<StatusCode>,
    /// Someone already on the map with the name typed for a new team member (id, name): the
    /// team form asks before adding them.
    duplicate: Option<(Uuid, String)>,
}

async fn overview_page(
    state: &web::Data<AppState>,
    sections: &CouncilSections,
    staff: Staff,
    tr: Tr,
    case_id: Uuid,
    council_id: Uuid,
    outcome: Outcome,
) -> Result<HttpResponse, AppError> {
    let reader = Some(sections.registration);
    let d = council_data(state, &staff, &tr, case_id, council_id, None, reader).await?;
    let mut shell = staff.shell;
    shell.here = format!("/cases/{case_id}/councils/{council_id}");
    render(
        outcome.status.unwrap_or(StatusCode::OK),
        &CouncilPage {
            tr,
            shell,
            case_id,
            child_name: d.child_name,
            council: d.council,
            done: outcome.done,
            failure: outcome.failure,
            registration: d.registration,
        },
    )
}

async fn task_page_with(
    state: &web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    case_id: Uuid,
    council_id: Uuid,
    task: &'static str,
    outcome: Outcome,
) -> Result<HttpResponse, AppError> {
    let d = council_data(state, &staff, &tr, case_id, council_id, Some(task), None).await?;
    let step = d
        .council
        .standing
        .steps
        .iter()
        .find(|s| s.code == task)
        .cloned();
    let mut shell = staff.shell;
    shell.here = format!("/cases/{case_id}/councils/{council_id}/tasks/{task}");
    render(
        outcome.status.unwrap_or(StatusCode::OK),
        &TaskPage {
            clock: Clock::new(d.cs.tz, tr.lang()),
            tr,
            shell,
            case_id,
            child_name: d.child_name,
            task,
            step,
            council: d.council,
            persons: d.persons,
            map: d.map,
            staff: d.staff,
            reach: d.reach,
            letters: d.letters,
            preview: d.preview,
            sender: d.sender,
            done: outcome.done,
            failure: outcome.failure,
            typed: outcome.typed,
            duplicate: outcome.duplicate,
            authors: WordsAuthor::ALL,
            text_kinds: TextKind::ALL,
            roles: MeetingRole::ALL,
            givers: ConsentGiver::ALL,
            categories: RelationCategory::ALL.to_vec(),
            closeness: Closeness::ALL.to_vec(),
            qualities: RelationQuality::ALL.to_vec(),
            sides: NetworkSide::ALL,
            default_minutes: d.cs.meeting_minutes,
            records: d.records,
            sharings: NotesSharing::ALL,
        },
    )
}

#[derive(Debug, serde::Deserialize)]
pub struct DoneQuery {
    pub done: Option<String>,
}

fn done_step(query: DoneQuery) -> Option<String> {
    query.done.filter(|d| STEPS.contains(&d.as_str()))
}

#[get("/cases/{id}/councils/{council_id}")]
pub async fn council_page(
    state: web::Data<AppState>,
    sections: web::Data<CouncilSections>,
    staff: Staff,
    tr: Tr,
    path: web::Path<(Uuid, Uuid)>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let (case_id, council_id) = path.into_inner();
    let outcome = Outcome {
        done: done_step(query.into_inner()),
        ..Outcome::default()
    };
    overview_page(&state, &sections, staff, tr, case_id, council_id, outcome).await
}

#[get("/cases/{id}/councils/{council_id}/tasks/{task}")]
pub async fn task_page(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    path: web::Path<(Uuid, Uuid, String)>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let (case_id, council_id, task) = path.into_inner();
    let task = TASKS
        .into_iter()
        .find(|t| *t == task)
        .ok_or(AppError::NotFound)?;
    let outcome = Outcome {
        done: done_step(query.into_inner()),
        ..Outcome::default()
    };
    task_page_with(&state, staff, tr, case_id, council_id, task, outcome).await
}

/// The steps a council page's forms post.
const STEPS: [&str; 24] = [
    "state",
    "text",
    "confirm-text",
    "remove-text",
    "participant",
    "remove-participant",
    "team",
    "objection",
    "resolve",
    "consent",
    "withdraw-consent",
    "waiver",
    "preparation",
    "meeting",
    "reschedule",
    "cancel",
    "send",
    "resend",
    "revoke",
    "address",
    "record-answer",
    "past-meeting",
    "record",
    "next-meeting",
];

/// A form's fields without its ticked `attendees`, and those (boxes of one name, which the
/// request types take as a list).
fn split_attendees(fields: &Fields) -> (Fields, Vec<String>) {
    let (attendees, rest): (Fields, Fields) =
        fields.iter().cloned().partition(|(k, _)| k == "attendees");
    (rest, attendees.into_iter().map(|(_, v)| v).collect())
}

/// The team form: someone from the map or the staff (`who` = `person:<id>` / `staff:<id>`), or a
/// new person with the `new_*` fields.
fn participant_form(fields: &Fields) -> Result<ParticipantRequest, AppError> {
    let mut req: ParticipantRequest = form(fields)?;
    match field(fields, "who").and_then(|w| w.split_once(':')) {
        Some(("person", id)) => req.person_id = Some(id.to_owned()),
        Some(("staff", id)) => req.user_id = Some(id.to_owned()),
        _ => {
            if field(fields, "new_name").is_some() {
                req.new_person = Some(PersonRequest {
                    name: field(fields, "new_name").unwrap_or_default().to_owned(),
                    relation: field(fields, "new_relation").map(str::to_owned),
                    category: field(fields, "new_category").unwrap_or_default().to_owned(),
                    side: field(fields, "side").map(str::to_owned),
                    closeness: field(fields, "new_closeness")
                        .unwrap_or_default()
                        .to_owned(),
                    quality: field(fields, "new_quality").unwrap_or_default().to_owned(),
                    email: field(fields, "new_email").map(str::to_owned),
                    phone: field(fields, "new_phone").map(str::to_owned),
                    ..PersonRequest::default()
                });
            }
        }
    }
    Ok(req)
}

#[post("/cases/{id}/councils/{council_id}/{step}")]
pub async fn council_step(
    state: web::Data<AppState>,
    sections: web::Data<CouncilSections>,
    staff: Staff,
    tr: Tr,
    path: web::Path<(Uuid, Uuid, String)>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<HttpResponse, AppError> {
    let (case_id, council_id, step) = path.into_inner();
    let caller = staff.caller();
    if step == "participant" && field(&fields, "confirm_duplicate").is_none() {
        let new_name = participant_form(&fields)
            .ok()
            .and_then(|r| r.new_person)
            .map(|p| p.name);
        if let Some(name) = new_name {
            let duplicate =
                crate::cases::actions::likely_duplicate(&state.db, &caller, case_id, &name).await?;
            if duplicate.is_some() {
                let outcome = Outcome {
                    duplicate,
                    typed: Typed::new(step.clone(), None, fields),
                    ..Outcome::default()
                };
                return task_page_with(&state, staff, tr, case_id, council_id, "team", outcome)
                    .await;
            }
        }
    }
    let (s, c, k) = (&state, &caller, council_id);
    let result = match step.as_str() {
        "state" => {
            async {
                let req: StateRequest = form(&fields)?;
                // Ending a council is final: the page asks for the box to be ticked first.
                let ending = CouncilState::parse(&req.to)
                    .is_ok_and(|to| to == CouncilState::Closed || to == CouncilState::Ended);
                if ending && field(&fields, "confirm").is_none() {
                    return Err(AppError::field("confirm", "confirm ending the council"));
                }
                actions::set_state(s, c, case_id, k, req).await
            }
            .await
        }
        "text" => async { actions::add_text(s, c, case_id, k, form(&fields)?).await }.await,
        "confirm-text" => {
            with_id(&fields, "text_id", |id| {
                actions::confirm_text(s, c, case_id, k, id)
            })
            .await
        }
        "remove-text" => {
            with_id(&fields, "text_id", |id| {
                actions::remove_text(s, c, case_id, k, id)
            })
            .await
        }
        "participant" => {
            async { actions::add_participant(s, c, case_id, k, participant_form(&fields)?).await }
                .await
        }
        "remove-participant" => {
            with_id(&fields, "participant_id", |p| {
                actions::remove_participant(s, c, case_id, k, p)
            })
            .await
        }
        "team" => actions::confirm_team(s, c, case_id, k).await,
        "objection" => {
            async { actions::add_objection(s, c, case_id, k, form(&fields)?).await }.await
        }
        "resolve" => {
            with_id_and_form(&fields, "objection_id", |o, req| {
                actions::resolve_objection(s, c, case_id, k, o, req)
            })
            .await
        }
        "consent" => async { actions::add_consent(s, c, case_id, k, form(&fields)?).await }.await,
        "withdraw-consent" => {
            with_id(&fields, "consent_id", |id| {
                actions::withdraw_consent(s, c, case_id, k, id)
            })
            .await
        }
        "waiver" => {
            with_id_and_form(&fields, "participant_id", |p, req| {
                actions::set_waiver(s, c, case_id, k, p, req)
            })
            .await
        }
        "preparation" => {
            with_id_and_form(&fields, "participant_id", |p, req| {
                actions::add_preparation(s, c, case_id, k, p, req)
            })
            .await
        }
        "meeting" => {
            async { actions::schedule_meeting(s, c, case_id, k, form(&fields)?).await }.await
        }
        "reschedule" => {
            with_id_and_form(&fields, "meeting_id", |m, req| {
                actions::reschedule_meeting(s, c, case_id, k, m, req)
            })
            .await
        }
        "cancel" => {
            with_id(&fields, "meeting_id", |m| {
                actions::cancel_meeting(s, c, case_id, k, m)
            })
            .await
        }
        "send" => {
            with_id(&fields, "meeting_id", |m| {
                actions::send_invitations(s, c, case_id, k, m)
            })
            .await
        }
        "resend" => {
            with_id(&fields, "participant_id", |p| {
                actions::resend_invitation(s, c, case_id, k, p)
            })
            .await
        }
        "revoke" => {
            with_id(&fields, "participant_id", |p| {
                actions::revoke_invitation(s, c, case_id, k, p)
            })
            .await
        }
        "record-answer" => {
            with_id_and_form(&fields, "participant_id", |p, req| {
                actions::record_answer(s, c, case_id, k, p, req)
            })
            .await
        }
        "past-meeting" => {
            async {
                let (rest, attendees) = split_attendees(&fields);
                let mut req: PastMeetingRequest = form(&rest)?;
                req.attendees = attendees;
                actions::record_past_meeting(s, c, case_id, k, req).await
            }
            .await
        }
        "record" => {
            async {
                let m = id_field(&fields, "meeting_id")?;
                let (rest, attendees) = split_attendees(&fields);
                let mut req: MeetingRecordRequest = form(&rest)?;
                req.attendees = Some(attendees);
                actions::save_record(s, c, case_id, k, m, req).await?;
                actions::read(s, c, case_id, k).await
            }
            .await
        }
        "next-meeting" => {
            with_id_and_form(&fields, "meeting_id", |m, req| {
                actions::book_next_meeting(s, c, case_id, k, m, req)
            })
            .await
        }
        "address" => {
            async {
                let p = id_field(&fields, "participant_id")?;
                let email = field(&fields, "email").unwrap_or_default().to_owned();
                actions::add_address(s, c, case_id, k, p, email).await
            }
            .await
        }
        _ => Err(AppError::NotFound),
    };
    let task = task_of(&step);
    // A meeting recorded afterwards goes on to its record.
    let back = match task {
        Some("afterwards") => format!("/cases/{case_id}/councils/{council_id}/tasks/record"),
        Some(task) => format!("/cases/{case_id}/councils/{council_id}/tasks/{task}"),
        None => format!("/cases/{case_id}/councils/{council_id}"),
    };
    let failed = match result {
        // The states before the meeting follow from the tasks done (the page's way).
        Ok(view) => match actions::follow_tasks(&state, &caller, case_id, view).await {
            Ok(_) => return Ok(see_other(&format!("{back}?done={step}#result"))),
            Err(e) => e,
        },
        Err(e) => e,
    };
    let row = row_of(&step, &fields).map(str::to_owned);
    let Some(failure) = FormFailure::of(&failed, &tr, |f| input_id(&step, f, row.as_deref()))
    else {
        return Err(failed);
    };
    let outcome = Outcome {
        done: None,
        failure,
        status: Some(failed.status_code()),
        typed: Typed::new(step.clone(), row, fields),
        duplicate: None,
    };
    match task {
        Some(task) => task_page_with(&state, staff, tr, case_id, council_id, task, outcome).await,
        None => overview_page(&state, &sections, staff, tr, case_id, council_id, outcome).await,
    }
}

/// Runs `then` with the id the form posted in `name` (a form without it names nothing there is
/// to find), so a step that acts on one row of the council reads as one line.
pub(crate) async fn with_id<T, Fut>(
    fields: &Fields,
    name: &str,
    then: impl FnOnce(Uuid) -> Fut,
) -> Result<T, AppError>
where
    Fut: Future<Output = Result<T, AppError>>,
{
    then(id_field(fields, name)?).await
}

/// [`with_id`] for a step that also reads the rest of the form as its request.
pub(crate) async fn with_id_and_form<R: DeserializeOwned, T, Fut>(
    fields: &Fields,
    name: &str,
    then: impl FnOnce(Uuid, R) -> Fut,
) -> Result<T, AppError>
where
    Fut: Future<Output = Result<T, AppError>>,
{
    let id = id_field(fields, name)?;
    then(id, form(fields)?).await
}
