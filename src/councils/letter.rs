//! The invitation as a printed letter, for someone reached by post. The page
//! `/cases/{id}/councils/{council_id}/letters/{participant_id}` is an A4 sheet (the print
//! stylesheet leaves out everything else) with the meeting's time and place, a short code and a
//! QR code to the person's own answer page, and whom to call. Only the person's name and address
//! stand in an envelope's window, under the service's neutral sender name, so nothing on the
//! outside shows that the letter comes from child welfare.
//!
//! The letter is the person's live invitation to the current meeting, issued when the
//! invitations are sent (or sent again), so printing it twice writes nothing; `GET` only reads,
//! audited as a read of the case. `/b/{code}` takes the code typed from paper to the answer page.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;
use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use super::invitations::{link_url, token_for};
use super::invitee;
use super::queries::{self, MeetingRow};
use crate::access::session::Staff;
use crate::access::staff::{self, StaffContact};
use crate::cases::access::{Audited, Intent, with_case};
use crate::db::schema::{council_invitations, council_meetings};
use crate::tenancy::sender::neutral_sender;
use crate::time;
use crate::tokens::LetterCode;
use crate::web::AppState;
use crate::web::i18n::Tr;
use crate::web::limits::client_address;
use crate::web::pages::{Shell, render};
use crate::web::problem::AppError;

/// The short code's page: `/b/{code}` on the letter, read by [`letter_link`].
fn short_url(base_url: &str, code: &LetterCode) -> String {
    format!("{base_url}/b/{code}")
}

/// What the letter says, read in the service's tenant.
struct Letter {
    name: String,
    /// The address as recorded on the map (one line, its parts split by commas), a line a part,
    /// as an envelope's window wants it.
    address: Vec<String>,
    sender: String,
    coordinator: StaffContact,
    /// The latest invitation by letter, its meeting, and what a letter says of it now.
    invitation: Option<(Uuid, MeetingRow, Sheet)>,
    tz: chrono_tz::Tz,
    /// The person's language: the letter is written in it.
    lang: crate::web::i18n::Lang,
}

/// What a letter to the person says now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sheet {
    /// Their live invitation, to a meeting as first planned or (`changed`) moved since.
    Invitation { changed: bool },
    /// The meeting their letter invited them to is cancelled.
    Cancelled,
    /// They were taken off the team, or their link revoked, while the meeting stands.
    Withdrawn,
}

/// The participant's latest invitation by letter to a meeting of `council_id`, with its meeting
/// and whether the link still works.
fn latest_letter(
    conn: &mut PgConnection,
    council_id: Uuid,
    participant: Uuid,
) -> QueryResult<Option<(Uuid, MeetingRow, bool)>> {
    // The invitation's id, its meeting, when its link was revoked and when it expires.
    type Found = (Uuid, MeetingRow, Option<DateTime<Utc>>, DateTime<Utc>);
    let found: Option<Found> = council_invitations::table
        .inner_join(
            council_meetings::table.on(council_meetings::tenant_id
                .eq(council_invitations::tenant_id)
                .and(council_meetings::id.eq(council_invitations::meeting_id))),
        )
        .filter(council_invitations::council_id.eq(council_id))
        .filter(council_invitations::participant_id.eq(participant))
        .filter(council_invitations::letter_code_hash.is_not_null())
        .order(council_invitations::created_at.desc())
        .select((
            council_invitations::id,
            MeetingRow::as_select(),
            council_invitations::revoked_at,
            council_invitations::expires_at,
        ))
        .first(conn)
        .optional()?;
    let now = Utc::now();
    Ok(found
        .map(|(id, meeting, revoked, expires)| (id, meeting, revoked.is_none() && expires > now)))
}

/// What the letter says: for someone taken off the team (or whose link was revoked) before the
/// meeting, the withdrawal — they hear nothing more of it, as by email; else the cancellation,
/// or the invitation while the link works.
fn sheet_of(meeting: &MeetingRow, live: bool, on_team: bool, changed: bool) -> Option<Sheet> {
    let ahead = meeting.starts_at.is_none_or(|s| s > Utc::now());
    if !on_team {
        ahead.then_some(Sheet::Withdrawn)
    } else if meeting.cancelled() {
        Some(Sheet::Cancelled)
    } else if live {
        Some(Sheet::Invitation { changed })
    } else {
        ahead.then_some(Sheet::Withdrawn)
    }
}

/// A letter that tells of a change, for the invitations page: the participant, their name, and
/// what the letter says (its heading's catalogue key).
pub struct LetterToPrint {
    pub participant_id: Uuid,
    pub name: String,
    pub says: &'static str,
}

/// Everyone sent a letter about a meeting of `council_id` whose letter now says something new:
/// the meeting moved, cancelled, or their invitation withdrawn. The coordinator prints these.
pub fn to_print(conn: &mut PgConnection, council_id: Uuid) -> QueryResult<Vec<LetterToPrint>> {
    let mut written: Vec<Uuid> = council_invitations::table
        .filter(council_invitations::council_id.eq(council_id))
        .filter(council_invitations::letter_code_hash.is_not_null())
        .select(council_invitations::participant_id)
        .distinct()
        .load(conn)?;
    written.sort();
    let mut out = Vec::new();
    for participant in written {
        // Every invitation has a letter's code, whichever way it went: only those reached by
        // letter are sent one.
        let Some(member) = queries::team_member(conn, participant)?
            .filter(|m| m.channel == Some(crate::cases::domain::Channel::Letter))
        else {
            continue;
        };
        let Some((_, meeting, live)) = latest_letter(conn, council_id, participant)? else {
            continue;
        };
        let changed = super::invitations::changed_for(conn, &meeting, participant)?;
        let says = match sheet_of(&meeting, live, !member.removed, changed) {
            Some(Sheet::Invitation { changed: true }) => "council.letter.heading_changed",
            Some(Sheet::Cancelled) => "council.letter.heading_cancelled",
            Some(Sheet::Withdrawn) => "council.letter.heading_withdrawn",
            Some(Sheet::Invitation { changed: false }) | None => continue,
        };
        out.push(LetterToPrint {
            participant_id: participant,
            name: member.name,
            says,
        });
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "councils/letter.html")]
struct LetterPage {
    tr: Tr,
    shell: Shell,
    case_id: Uuid,
    council_id: Uuid,
    name: String,
    address: Vec<String>,
    sender: String,
    coordinator: StaffContact,
    today: String,
    /// What stands in the way of printing, as the reader's sentence.
    blocked: Option<&'static str>,
    /// The catalogue keys of the page's heading, the letter's subject and its first lines: an
    /// invitation, a change, a cancellation or a withdrawal.
    heading: &'static str,
    subject: &'static str,
    intro: &'static str,
    /// An invitation asks for an answer (the short link and the QR code); the others do not.
    answer: bool,
    when: Option<String>,
    until: Option<String>,
    place: Option<String>,
    video_link: Option<String>,
    short_link: String,
    qr_svg: String,
}

#[get("/cases/{id}/councils/{council_id}/letters/{participant_id}")]
pub async fn letter_page(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    path: web::Path<(Uuid, Uuid, Uuid)>,
) -> Result<HttpResponse, AppError> {
    let (case_id, council_id, participant) = path.into_inner();
    let letter = with_case(
        &state.db,
        &staff.caller(),
        case_id,
        Intent::Read,
        "council.letter_read",
        move |conn, c| {
            let council = queries::council(conn, c.tenant, c.case.id, council_id, false)?;
            // Someone taken off the team still has their letter saying so.
            let member = queries::team_member(conn, participant)?
                .filter(|m| m.council_id == council.id)
                .ok_or(AppError::NotFound)?;
            let on_team = !member.removed;
            let signature = neutral_sender(conn)?;
            let coordinator = staff::contact(conn, council.coordinator_id)?.ok_or_else(|| {
                AppError::Internal("a council's coordinator is not a staff member".into())
            })?;
            let letter = Letter {
                lang: member.lang(signature.lang),
                name: member.name,
                address: member
                    .postal_address
                    .iter()
                    .flat_map(|a| a.split(','))
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect(),
                sender: signature.sender,
                coordinator,
                invitation: match latest_letter(conn, council.id, participant)? {
                    Some((id, meeting, live)) => {
                        let changed = super::invitations::changed_for(conn, &meeting, participant)?;
                        sheet_of(&meeting, live, on_team, changed).map(|sheet| (id, meeting, sheet))
                    }
                    None => None,
                },
                tz: signature.tz,
            };
            Ok((
                letter,
                Audited::within("participant", participant, c.case.id)
                    .with(serde_json::json!({ "council_id": council_id })),
            ))
        },
    )
    .await?;
    // The sheet is the person's: in their language, whatever the staff member reads.
    let _ = tr;
    let lang = letter.lang;
    let tr = Tr::new(lang);
    let blocked = if letter.address.is_empty() {
        Some("council.letter.no_address")
    } else if letter.invitation.is_none() {
        Some("council.letter.no_link")
    } else {
        None
    };
    let (mut when, mut until, mut place, mut video_link) = (None, None, None, None);
    let (mut short_link, mut qr_svg) = (String::new(), String::new());
    let mut sheet = Sheet::Invitation { changed: false };
    if let (None, Some((invitation, meeting, now))) = (blocked, &letter.invitation) {
        sheet = *now;
        when = meeting.starts_at.map(|s| time::moment(s, letter.tz, lang));
        until = meeting.ends_at().map(|end| time::clock(end, letter.tz));
        place = meeting.place.clone();
        video_link = meeting.video_link.clone();
        if let Sheet::Invitation { .. } = sheet {
            let code = LetterCode::derive(&state.settings.token_key(), *invitation);
            short_link = short_url(state.settings.base_url(), &code);
            qr_svg = qr_code(&short_link);
        }
    }
    let (heading, subject, intro) = match sheet {
        Sheet::Invitation { changed: false } => (
            "council.letter.heading",
            "council.letter.subject",
            "council.letter.intro",
        ),
        Sheet::Invitation { changed: true } => (
            "council.letter.heading_changed",
            "council.letter.subject_changed",
            "council.letter.intro_changed",
        ),
        Sheet::Cancelled => (
            "council.letter.heading_cancelled",
            "council.letter.subject_cancelled",
            "council.letter.intro_cancelled",
        ),
        Sheet::Withdrawn => (
            "council.letter.heading_withdrawn",
            "council.letter.subject_withdrawn",
            "council.letter.intro_withdrawn",
        ),
    };
    let status = if blocked.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    render(
        status,
        &LetterPage {
            case_id,
            council_id,
            name: letter.name,
            address: letter.address,
            sender: letter.sender,
            coordinator: letter.coordinator,
            today: time::date(time::local_date(Utc::now(), letter.tz), lang),
            blocked,
            heading,
            subject,
            intro,
            answer: matches!(sheet, Sheet::Invitation { .. }),
            when,
            until,
            place,
            video_link,
            short_link,
            qr_svg,
            tr,
            shell: staff.shell,
        },
    )
}

/// The QR code of `url` as inline SVG, dark on white, with its quiet zone (a phone's camera
/// needs it).
fn qr_code(url: &str) -> String {
    use qrcode::render::svg;
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => code
            .render::<svg::Color<'_>>()
            .min_dimensions(160, 160)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

/// `GET /b/{code}`: the code typed from a letter leads to the person's answer page. A code that
/// cannot be one, or that no invitation has, gets the same neutral page as an unknown link;
/// whether the invitation is still live is judged there. Rate-limited like the answer page.
#[get("/b/{code}")]
pub async fn letter_link(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    code: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    state.limits.invitee(&client_address(&req)).await?;
    let found = match LetterCode::parse(&code) {
        Some(code) => code.lookup(&state.db).await?,
        None => None,
    };
    match found {
        Some((_, invitation)) => Ok(HttpResponse::SeeOther()
            .insert_header((
                LOCATION,
                link_url(&state.settings, &token_for(&state.settings, invitation)),
            ))
            .finish()),
        None => invitee::unknown(tr, shell),
    }
}

#[cfg(test)]
mod tests {
    use crate::tenancy::sender::reveals_child_welfare;
    use crate::web::i18n::{Lang, Tr};

    #[test]
    fn every_letter_text_is_neutral_in_every_language() {
        for lang in Lang::ALL {
            let words = Tr::new(lang).words("council.letter");
            assert!(words.len() >= 15, "{lang:?}: {} texts", words.len());
            for (key, text) in words {
                assert!(!reveals_child_welfare(text), "{lang:?} {key}: {text}");
            }
        }
    }
}
