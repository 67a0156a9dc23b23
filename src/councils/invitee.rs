//! `/i/{token}`: the page an invitee opens from their email. It shows what the meeting is, when
//! and where (in the service's time zone), the questions the child chose to share, and the
//! invitee's answer; `POST` changes the answer until the meeting starts.
//!
//! `GET` never changes anything (mail scanners follow links). An unknown, expired, revoked or
//! removed link, and a link to another service's meeting, get the same neutral page, so a token
//! reveals nothing. Both methods are rate-limited per address.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use diesel::PgConnection;
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::calendar::{self, CalendarEntry};
use super::domain::{AgendaPart, Answer, AnswerRequest, CouncilKind, Response, TextKind};
use super::invitations::link_url;
use super::queries::MeetingRow;
use super::views::{InviteeSections, PlanSection, PlanSectionReader, SharedNotes};
use crate::access::staff::{self, StaffContact};
use crate::audit::views::ViewLog;
use crate::audit::{self, Actor, AuditEntry};
use crate::cases::categories::NetworkSide;
use crate::db::TenantId;
use crate::db::schema::{
    council_answers, council_invitations, council_meetings, council_participants, council_texts,
    councils, network_persons, tenants, users,
};
use crate::tenancy::sender::Signature;
use crate::tenancy::settings::{ServiceSettings, StoredSettings};
use crate::time;
use crate::tokens::{InvitationLink, LinkToken};
use crate::web::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::i18n::{Lang, Reader, Tr};
use crate::web::limits::client_address;
use crate::web::pages::{Shell, render};
use crate::web::problem::AppError;
use crate::web::request_id;

/// Which invitation a token belongs to, across services: the one cross-tenant question.
pub(crate) async fn lookup(
    state: &AppState,
    token: &str,
) -> Result<Option<(TenantId, Uuid)>, AppError> {
    let Some(token) = LinkToken::<InvitationLink>::parse(token) else {
        return Ok(None);
    };
    Ok(token.lookup(&state.db).await?)
}

/// A live invitation, inside its tenant: not revoked, not expired, its participant still on the
/// team.
pub(crate) struct Live {
    pub(crate) participant: Uuid,
    pub(crate) council: Uuid,
    /// The participant's side of the network (private or public): which notes they may read.
    side: String,
    /// The participant's own language: their map person's, or a staff member's.
    language: Option<Lang>,
    coordinator: Uuid,
    kind: CouncilKind,
    meeting: MeetingRow,
    agenda: Vec<AgendaPart>,
    /// How the service signs (its neutral name, language and zone), from its settings read with
    /// the invitation: the page, its calendar file and an answer need no statement of their own.
    signature: Signature,
}

pub(crate) fn live(conn: &mut PgConnection, invitation: Uuid) -> Result<Option<Live>, AppError> {
    type Row = (
        (Uuid, String, Option<String>, Option<String>),
        Uuid,
        String,
        Uuid,
        MeetingRow,
        serde_json::Value,
        StoredSettings,
    );
    let row: Option<Row> = council_invitations::table
        .inner_join(
            council_participants::table.on(council_participants::tenant_id
                .eq(council_invitations::tenant_id)
                .and(council_participants::id.eq(council_invitations::participant_id))),
        )
        // Their language, as the team's one join reads it (`queries::team_member`).
        .left_join(
            network_persons::table.on(network_persons::tenant_id
                .eq(council_participants::tenant_id)
                .and(
                    network_persons::id
                        .nullable()
                        .eq(council_participants::person_id),
                )),
        )
        .left_join(
            users::table.on(users::tenant_id
                .eq(council_participants::tenant_id)
                .and(users::id.nullable().eq(council_participants::user_id))),
        )
        .inner_join(
            council_meetings::table.on(council_meetings::tenant_id
                .eq(council_invitations::tenant_id)
                .and(council_meetings::id.eq(council_invitations::meeting_id))),
        )
        .inner_join(
            councils::table.on(councils::tenant_id
                .eq(council_invitations::tenant_id)
                .and(councils::id.eq(council_invitations::council_id))),
        )
        // The service's row: row-level security lets the transaction's own service alone through.
        .inner_join(tenants::table.on(tenants::id.eq(council_invitations::tenant_id)))
        .filter(council_invitations::id.eq(invitation))
        .filter(council_invitations::revoked_at.is_null())
        .filter(council_invitations::expires_at.gt(Utc::now()))
        .filter(council_participants::removed_at.is_null())
        .select((
            (
                council_invitations::participant_id,
                council_participants::side,
                network_persons::language.nullable(),
                users::lang.nullable(),
            ),
            council_invitations::council_id,
            councils::kind,
            councils::coordinator_id,
            MeetingRow::as_select(),
            council_meetings::agenda,
            StoredSettings::as_select(),
        ))
        .first(conn)
        .optional()?;
    let Some((
        (participant, side, person_language, staff_language),
        council,
        kind,
        coordinator,
        meeting,
        agenda,
        settings,
    )) = row
    else {
        return Ok(None);
    };
    Ok(Some(Live {
        participant,
        council,
        side,
        language: super::queries::own_language(
            person_language.as_deref(),
            staff_language.as_deref(),
        ),
        coordinator,
        kind: CouncilKind::parse(&kind).map_err(AppError::Internal)?,
        meeting,
        agenda: serde_json::from_value(agenda).map_err(|e| AppError::Internal(e.to_string()))?,
        signature: Signature::of(ServiceSettings::parse(settings)?),
    }))
}

impl Live {
    /// Answers can change until the meeting starts (and never for a cancelled one).
    pub(crate) fn open_for_answers(&self, now: DateTime<Utc>) -> bool {
        !self.meeting.cancelled() && self.meeting.starts_at.is_none_or(|s| s > now)
    }
}

/// A text of the child's shown to the invitee.
pub struct SharedText {
    pub question: bool,
    pub text: String,
}

#[derive(Template)]
#[template(path = "councils/invitee.html")]
pub(crate) struct InviteePage {
    tr: Tr,
    shell: Shell,
    sender: String,
    kind: &'static str,
    when: Option<String>,
    until: Option<String>,
    place: Option<String>,
    video_link: Option<String>,
    agenda: Vec<&'static str>,
    texts: Vec<SharedText>,
    cancelled: bool,
    open: bool,
    /// What just happened to the answer (its catalogue key): saved, or already saved before.
    saved: Option<&'static str>,
    response: Option<Response>,
    /// Each possible answer: its code, its label, and whether it is the current one.
    responses: Vec<(&'static str, &'static str, bool)>,
    comment: String,
    contribution: String,
    availability: String,
    error: Option<String>,
    /// The council's plan as this participant sees it, with the forms for their commitments.
    plan: Option<PlanSection>,
    /// The meeting records' notes shared with them: the meeting's day and the notes.
    notes: Vec<(String, String)>,
    token: String,
    /// What just happened to the participant's plan (its catalogue key): confirmed, objected,
    /// done, or confirmed already.
    plan_saved: Option<&'static str>,
    /// Who invites, who to call and where questions go: the council's coordinator.
    coordinator: StaffContact,
    /// The invitation's own address, for the calendar download beside it.
    calendar_href: Option<String>,
}

#[derive(Template)]
#[template(path = "councils/invitee_unknown.html")]
struct UnknownPage {
    tr: Tr,
    shell: Shell,
}

pub(crate) fn unknown(tr: Tr, shell: Shell) -> Result<HttpResponse, AppError> {
    render(StatusCode::NOT_FOUND, &UnknownPage { tr, shell })
}

/// What the invitee page shows, read in the invitation's tenant.
pub(crate) struct Values {
    /// The service's neutral sender name.
    sender: String,
    tz: Tz,
    texts: Vec<SharedText>,
    answer: Option<AnswerRow>,
    plan: Option<PlanSection>,
    /// The meeting records' notes shared with them.
    notes: Vec<SharedNotes>,
    coordinator: StaffContact,
    /// What the invitee had typed, when the answer was refused: the form shows it again.
    typed: Option<AnswerRequest>,
    /// The participant's own language, if they have one, and the service's written standard.
    own: Option<Lang>,
    standard: Lang,
}

impl Values {
    /// The language the page speaks to `reader`.
    pub(crate) fn tr(&self, reader: Reader) -> Tr {
        Tr::new(reader.lang(self.own, self.standard))
    }
}

/// The participant's own language, if any, and the service's written standard.
fn reader_languages(found: &Live) -> (Option<Lang>, Lang) {
    (found.language, found.signature.lang)
}

type AnswerRow = (String, Option<String>, Option<String>, Option<String>);

/// Everything the page shows, read in the invitation's tenant.
pub(crate) fn page_values(
    conn: &mut PgConnection,
    found: &Live,
    plan_section: PlanSectionReader,
) -> Result<Values, AppError> {
    let Signature {
        ref sender,
        tz,
        lang: standard,
        ..
    } = found.signature;
    // Which of the notes they may read follows their side, read with the invitation.
    let private_side = found.side == NetworkSide::Private.as_str();
    let notes = super::queries::shared_notes(conn, found.council, private_side)?;
    let texts: Vec<(String, String)> = council_texts::table
        .filter(council_texts::council_id.eq(found.council))
        .filter(council_texts::removed_at.is_null())
        .filter(council_texts::shared)
        .order((council_texts::kind.desc(), council_texts::position))
        .select((council_texts::kind, council_texts::text))
        .load(conn)?;
    // The coordinator's contact and the participant's answer, if any, in one statement: the
    // contact's columns are the staff module's own (`staff::CONTACT_COLUMNS`).
    type Answer = (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let (contact, answer): (staff::ContactRow, Answer) = users::table
        .left_join(
            council_answers::table.on(council_answers::tenant_id
                .eq(users::tenant_id)
                .and(council_answers::meeting_id.eq(found.meeting.id))
                .and(council_answers::participant_id.eq(found.participant))),
        )
        .filter(users::id.eq(found.coordinator))
        .select((
            staff::CONTACT_COLUMNS,
            (
                council_answers::response.nullable(),
                council_answers::comment.nullable(),
                council_answers::contribution.nullable(),
                council_answers::availability.nullable(),
            ),
        ))
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            AppError::Internal("a council's coordinator is not a staff member".into())
        })?;
    let coordinator = StaffContact::from_row(contact);
    let (response, comment, contribution, availability) = answer;
    let answer: Option<AnswerRow> =
        response.map(|response| (response, comment, contribution, availability));
    let plan = plan_section(conn, found.council, found.participant)?;
    Ok(Values {
        sender: sender.clone(),
        tz,
        texts: texts
            .into_iter()
            .map(|(kind, text)| SharedText {
                question: kind == TextKind::Question.as_str(),
                text,
            })
            .collect(),
        answer,
        plan,
        notes,
        coordinator,
        typed: None,
        own: found.language,
        standard,
    })
}

/// How the page was reached.
pub(crate) struct Shown {
    pub(crate) token: String,
    pub(crate) saved: Option<&'static str>,
    pub(crate) plan_saved: Option<&'static str>,
    pub(crate) error: Option<String>,
}

pub(crate) fn page(
    tr: Tr,
    shell: Shell,
    found: &Live,
    values: Values,
    shown: Shown,
) -> InviteePage {
    let lang = tr.lang();
    let Values {
        sender,
        tz,
        texts,
        answer,
        plan,
        notes,
        coordinator,
        typed,
        ..
    } = values;
    let Shown {
        token,
        saved,
        plan_saved,
        error,
    } = shown;
    let (response, comment, contribution, availability) = match answer {
        Some((r, c, k, a)) => (
            Response::parse(&r).ok(),
            c.unwrap_or_default(),
            k.unwrap_or_default(),
            a.unwrap_or_default(),
        ),
        None => (None, String::new(), String::new(), String::new()),
    };
    // A refused answer comes back as typed; the summary still says what is saved.
    let (chosen, comment, contribution, availability) = match typed {
        Some(t) => (
            Response::parse(&t.response).ok(),
            t.comment.unwrap_or_default(),
            t.contribution.unwrap_or_default(),
            t.availability.unwrap_or_default(),
        ),
        None => (response, comment, contribution, availability),
    };
    InviteePage {
        sender,
        kind: found.kind.label(lang),
        when: found.meeting.starts_at.map(|s| time::moment(s, tz, lang)),
        until: found.meeting.ends_at().map(|end| time::clock(end, tz)),
        place: found.meeting.place.clone(),
        video_link: found.meeting.video_link.clone(),
        agenda: found.agenda.iter().map(|a| a.label(lang)).collect(),
        texts,
        cancelled: found.meeting.cancelled(),
        open: found.open_for_answers(Utc::now()),
        saved,
        response,
        responses: Response::ALL
            .iter()
            .map(|r| (r.as_str(), r.label(lang), chosen == Some(*r)))
            .collect(),
        comment,
        contribution,
        availability,
        error,
        plan,
        notes: notes
            .iter()
            .map(|n| (n.day(tz, lang).unwrap_or_default(), n.notes.clone()))
            .collect(),
        calendar_href: (found.meeting.starts_at.is_some() && !found.meeting.cancelled())
            .then(|| format!("/i/{token}/calendar.ics")),
        token,
        plan_saved,
        coordinator,
        tr,
        shell,
    }
}

#[derive(Debug, Deserialize)]
pub struct SavedQuery {
    /// `1` after an answer was saved, `again` when the same answer was saved already.
    pub saved: Option<String>,
    /// What happened to the participant's plan: see [`plan_note`].
    pub plan: Option<String>,
}

/// The note on the answer after `?saved=…`: saved, or the same answer saved already (a double
/// click, a second tab) — a success either way.
fn answer_note(saved: Option<&str>) -> Option<&'static str> {
    match saved? {
        "again" => Some("again.invitee_answer"),
        _ => Some("invitee.saved"),
    }
}

/// The note on the plan after `?plan=…`, as a catalogue key.
fn plan_note(plan: Option<&str>) -> Option<&'static str> {
    match plan? {
        "confirmed" => Some("participant.confirmed"),
        "objected" => Some("participant.objected"),
        "done" => Some("participant.done_saved"),
        "confirmed_again" => Some("again.plan_confirmed"),
        "done_again" => Some("again.commitment_done"),
        _ => None,
    }
}

/// The live invitation behind `token` and what `read` reads beside it in its tenant, the
/// reading audited as `action` (an invitee's view); `None` — the neutral page — for a link that
/// does not lead to a live invitation, or when `read` finds nothing to show. Rate-limited.
async fn open_live<T: Send + 'static>(
    req: &HttpRequest,
    state: &AppState,
    token: &str,
    action: &'static str,
    read: impl FnOnce(&mut PgConnection, &Live) -> Result<Option<T>, AppError> + Send + 'static,
) -> Result<Option<(Live, T)>, AppError> {
    state.limits.invitee(&client_address(req)).await?;
    let Some(token) = LinkToken::<InvitationLink>::parse(token) else {
        return Ok(None);
    };
    let request = request_id(req);
    let views = ViewLog::of(req);
    // The token's lookup and the page's reads in one transaction; the view's audit row is
    // written just after it (`audit::views`).
    let found = state
        .db
        .found_tenant(
            move |conn| Ok::<_, AppError>(token.scope_in(conn)?),
            move |conn, tenant, invitation| {
                let Some(found) = live(conn, invitation)? else {
                    return Ok(None);
                };
                let Some(read) = read(conn, &found)? else {
                    return Ok(None);
                };
                let view = views.reserve(
                    conn,
                    tenant,
                    AuditEntry::new(&Actor::Invitee(found.participant), action)
                        .object("meeting", found.meeting.id)
                        .request(request.as_deref()),
                )?;
                Ok(Some((found, read, view)))
            },
        )
        .await?;
    // Committed: the view joins the audit's queue.
    Ok(found.map(|(found, read, view)| {
        view.commit();
        (found, read)
    }))
}

#[get("/i/{token}")]
pub async fn show_invitation(
    req: HttpRequest,
    state: web::Data<AppState>,
    sections: web::Data<InviteeSections>,
    tr: Tr,
    shell: Shell,
    token: web::Path<String>,
    query: web::Query<SavedQuery>,
) -> Result<HttpResponse, AppError> {
    let plan = sections.plan;
    let found = open_live(
        &req,
        &state,
        &token,
        "invitation.view",
        move |conn, found| page_values(conn, found, plan).map(Some),
    )
    .await?;
    match found {
        Some((found, values)) => {
            let shown = Shown {
                token: token.into_inner(),
                saved: answer_note(query.saved.as_deref()),
                plan_saved: plan_note(query.plan.as_deref()),
                error: None,
            };
            let tr = values.tr(Reader::of(&req));
            render(StatusCode::OK, &page(tr, shell, &found, values, shown))
        }
        None => unknown(tr, shell),
    }
}

/// `GET /i/{token}/calendar.ics`: the meeting as a file for the invitee's own calendar, with the
/// same UID as the invitations' files, so a calendar that already has the meeting updates it
/// instead of adding a second. Like the page: neutral title, the link for the details, the place
/// only when shared; an unknown link, a meeting without a time or a cancelled one is the neutral
/// page. Audited like a view of the page.
#[get("/i/{token}/calendar.ics")]
pub async fn calendar_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let found = open_live(&req, &state, &token, "invitation.calendar", |_, found| {
        let meeting = &found.meeting;
        let Some(times) = meeting.starts_at.zip(meeting.ends_at()) else {
            return Ok(None);
        };
        if meeting.cancelled() {
            return Ok(None);
        }
        let (own, standard) = reader_languages(found);
        Ok(Some((times, found.signature.sender.clone(), own, standard)))
    })
    .await?;
    let Some((Live { meeting, .. }, ((starts_at, ends_at), sender, own, standard))) = found else {
        return unknown(tr, shell);
    };
    let tr = Tr::new(Reader::of(&req).lang(own, standard));
    let link = link_url(&state.settings, &token);
    let ics = calendar::render(&CalendarEntry {
        uid: meeting.calendar_uid,
        sequence: meeting.sequence,
        method: None,
        starts_at,
        ends_at,
        summary: crate::mail::templates::meeting_title(tr.lang()),
        location: meeting.shared_place(),
        link: Some(&link),
        organizer_name: &sender,
        organizer_address: &state.mailer.from_address(),
        domain: state.mailer.id_domain(),
        stamp: Utc::now(),
    });
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"mote.ics\"",
        ))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(ics))
}

#[post("/i/{token}")]
pub async fn answer_invitation(
    req: HttpRequest,
    state: web::Data<AppState>,
    sections: web::Data<InviteeSections>,
    tr: Tr,
    shell: Shell,
    token: web::Path<String>,
    CsrfForm(form): CsrfForm<AnswerRequest>,
) -> Result<HttpResponse, AppError> {
    state.limits.invitee(&client_address(&req)).await?;
    let token = token.into_inner();
    // The answer page answers at its own address: the language switch comes back to it.
    let mut shell = shell;
    shell.here = format!("/i/{token}");
    let Some((tenant, invitation)) = lookup(&state, &token).await? else {
        return unknown(tr, shell);
    };
    let request = request_id(&req);
    let reader = Reader::of(&req);
    let parsed = Answer::parse(&form);
    enum Outcome {
        Unknown,
        Saved,
        /// The same answer was saved before: a double click or a second tab.
        Again,
        Refused(Box<Live>, Box<Values>, String),
    }
    let outcome = state
        .db
        .tenant(tenant, move |conn| {
            let Some(found) = live(conn, invitation)? else {
                return Ok::<_, AppError>(Outcome::Unknown);
            };
            let now = Utc::now();
            let (own, standard) = reader_languages(&found);
            let tr = Tr::new(reader.lang(own, standard));
            let refusal = match (&parsed, found.open_for_answers(now)) {
                (_, false) => Some(tr.t("invitee.closed").to_owned()),
                (Err(AppError::Validation(fields)), true)
                    if fields.iter().any(|f| f.field == "response") =>
                {
                    Some(tr.t("invitee.choose").to_owned())
                }
                (Err(_), true) => Some(tr.t("invitee.too_long").to_owned()),
                (Ok(_), true) => None,
            };
            if let Some(message) = refusal {
                let values = page_values(conn, &found, sections.plan)?;
                return Ok(Outcome::Refused(Box::new(found), Box::new(values), message));
            }
            let Ok(answer) = parsed else {
                return Ok(Outcome::Unknown);
            };
            if super::queries::own_answer_is(conn, found.meeting.id, found.participant, &answer)? {
                return Ok(Outcome::Again);
            }
            // The invitee's own answer: one recorded for them before is theirs now.
            super::queries::save_answer(
                conn,
                tenant,
                found.council,
                found.meeting.id,
                found.participant,
                &answer,
                None,
                now,
            )?;
            audit::record(
                conn,
                tenant,
                AuditEntry::new(&Actor::Invitee(found.participant), "invitation.answer")
                    .object("meeting", found.meeting.id)
                    .request(request.as_deref())
                    .details(json!({ "response": answer.response })),
            )?;
            Ok(Outcome::Saved)
        })
        .await?;
    match outcome {
        Outcome::Unknown => unknown(tr, shell),
        Outcome::Saved => Ok(HttpResponse::SeeOther()
            .insert_header((LOCATION, format!("/i/{token}?saved=1")))
            .finish()),
        Outcome::Again => Ok(HttpResponse::SeeOther()
            .insert_header((LOCATION, format!("/i/{token}?saved=again")))
            .finish()),
        Outcome::Refused(found, mut values, message) => {
            values.typed = Some(form);
            let status = if found.open_for_answers(Utc::now()) {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::CONFLICT
            };
            let shown = Shown {
                token,
                saved: None,
                plan_saved: None,
                error: Some(message),
            };
            let tr = values.tr(reader);
            render(status, &page(tr, shell, &found, *values, shown))
        }
    }
}
