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
    ConsentGiver, CouncilKind, MeetingRole, NewCouncilRequest, ParticipantRequest, TextKind,
};
use super::queries::{self, CouncilSettings};
use super::views::{CouncilSummary, CouncilView};
use crate::access::session::Staff;
use crate::cases::access::{Audited, Intent, with_case};
use crate::cases::categories::{Closeness, NetworkSide, RelationCategory, RelationQuality};
use crate::cases::domain::{PersonRequest, WordsAuthor};
use crate::cases::views::{CaseCouncil, MapPerson, StaffView};
use crate::time;
use crate::web::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::i18n::{Lang, Tr};
use crate::web::pages::render;
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
        Err(e) if shown_on_page(&e) => {
            let message = message(&e);
            list_page(&state, staff, tr, case_id, Some((e.status_code(), message))).await
        }
        Err(e) => Err(e),
    }
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, location.to_owned()))
        .finish()
}

/// Errors a person can fix on the page (bad input, a gate not met); the rest are error pages.
fn shown_on_page(e: &AppError) -> bool {
    matches!(e, AppError::Validation(_)) || e.is_refusal()
}

fn message(e: &AppError) -> String {
    match e {
        AppError::Validation(fields) => fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

#[derive(Template)]
#[template(path = "councils/council.html")]
struct CouncilPage {
    tr: Tr,
    shell: crate::web::pages::Shell,
    case_id: Uuid,
    council: CouncilView,
    /// Persons on the map who are not on the team.
    persons: Vec<MapPerson>,
    /// Everyone on the map (for objections).
    map: Vec<MapPerson>,
    staff: Vec<StaffView>,
    clock: Clock,
    done: Option<String>,
    error: Option<String>,
    authors: [WordsAuthor; 3],
    text_kinds: [TextKind; 2],
    roles: [MeetingRole; 6],
    givers: [ConsentGiver; 3],
    categories: Vec<RelationCategory>,
    closeness: Vec<Closeness>,
    qualities: Vec<RelationQuality>,
    sides: [NetworkSide; 2],
    default_minutes: i32,
}

async fn council_page_with(
    state: &web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    case_id: Uuid,
    council_id: Uuid,
    done: Option<String>,
    error: Option<(StatusCode, String)>,
) -> Result<HttpResponse, AppError> {
    let viewer = Some(staff.user);
    let (council, map, team_staff, cs) = with_case(
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
            Ok((
                (view, map, team_staff, cs),
                Audited::within("council", council_id, c.case.id).with(json!({ "page": true })),
            ))
        },
    )
    .await?;
    let persons = map
        .iter()
        .filter(|p| {
            !council
                .participants
                .iter()
                .any(|t| t.person_id == Some(p.id))
        })
        .cloned()
        .collect();
    let staff_free = team_staff
        .into_iter()
        .filter(|s| {
            !council
                .participants
                .iter()
                .any(|t| t.user_id == Some(s.user_id))
        })
        .collect();
    let (status, error) = match error {
        Some((status, message)) => (status, Some(message)),
        None => (StatusCode::OK, None),
    };
    render(
        status,
        &CouncilPage {
            clock: Clock {
                tz: cs.tz,
                lang: tr.lang(),
            },
            tr,
            shell: staff.shell,
            case_id,
            council,
            persons,
            map,
            staff: staff_free,
            done,
            error,
            authors: WordsAuthor::ALL,
            text_kinds: TextKind::ALL,
            roles: MeetingRole::ALL,
            givers: ConsentGiver::ALL,
            categories: RelationCategory::ALL.to_vec(),
            closeness: Closeness::ALL.to_vec(),
            qualities: RelationQuality::ALL.to_vec(),
            sides: NetworkSide::ALL,
            default_minutes: cs.meeting_minutes,
        },
    )
}

#[derive(Debug, serde::Deserialize)]
pub struct DoneQuery {
    pub done: Option<String>,
}

#[get("/cases/{id}/councils/{council_id}")]
pub async fn council_page(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    path: web::Path<(Uuid, Uuid)>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let (case_id, council_id) = path.into_inner();
    let done = query
        .into_inner()
        .done
        .filter(|d| STEPS.contains(&d.as_str()));
    council_page_with(&state, staff, tr, case_id, council_id, done, None).await
}

/// The steps a council page's forms post.
const STEPS: [&str; 19] = [
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
];

type Fields = Vec<(String, String)>;

/// The form's fields as `T`.
fn form<T: DeserializeOwned>(fields: &Fields) -> Result<T, AppError> {
    let encoded = serde_urlencoded::to_string(fields)
        .map_err(|_| AppError::Malformed("the form could not be read".into()))?;
    serde_urlencoded::from_str(&encoded)
        .map_err(|e| AppError::Malformed(format!("the form is missing a field: {e}")))
}

/// The id in field `name`.
fn id_field(fields: &Fields, name: &str) -> Result<Uuid, AppError> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.trim().parse().ok())
        .ok_or(AppError::NotFound)
}

fn field<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.trim().is_empty())
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
    staff: Staff,
    tr: Tr,
    path: web::Path<(Uuid, Uuid, String)>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<HttpResponse, AppError> {
    let (case_id, council_id, step) = path.into_inner();
    let caller = staff.caller();
    let (s, c, k) = (&state, &caller, council_id);
    let result = match step.as_str() {
        "state" => async { actions::set_state(s, c, case_id, k, form(&fields)?).await }.await,
        "text" => async { actions::add_text(s, c, case_id, k, form(&fields)?).await }.await,
        "confirm-text" => {
            async { actions::confirm_text(s, c, case_id, k, id_field(&fields, "text_id")?).await }
                .await
        }
        "remove-text" => {
            async { actions::remove_text(s, c, case_id, k, id_field(&fields, "text_id")?).await }
                .await
        }
        "participant" => {
            async { actions::add_participant(s, c, case_id, k, participant_form(&fields)?).await }
                .await
        }
        "remove-participant" => {
            async {
                let p = id_field(&fields, "participant_id")?;
                actions::remove_participant(s, c, case_id, k, p).await
            }
            .await
        }
        "team" => actions::confirm_team(s, c, case_id, k).await,
        "objection" => {
            async { actions::add_objection(s, c, case_id, k, form(&fields)?).await }.await
        }
        "resolve" => {
            async {
                let o = id_field(&fields, "objection_id")?;
                actions::resolve_objection(s, c, case_id, k, o, form(&fields)?).await
            }
            .await
        }
        "consent" => async { actions::add_consent(s, c, case_id, k, form(&fields)?).await }.await,
        "withdraw-consent" => {
            async {
                let id = id_field(&fields, "consent_id")?;
                actions::withdraw_consent(s, c, case_id, k, id).await
            }
            .await
        }
        "waiver" => {
            async {
                let p = id_field(&fields, "participant_id")?;
                actions::set_waiver(s, c, case_id, k, p, form(&fields)?).await
            }
            .await
        }
        "preparation" => {
            async {
                let p = id_field(&fields, "participant_id")?;
                actions::add_preparation(s, c, case_id, k, p, form(&fields)?).await
            }
            .await
        }
        "meeting" => {
            async { actions::schedule_meeting(s, c, case_id, k, form(&fields)?).await }.await
        }
        "reschedule" => {
            async {
                let m = id_field(&fields, "meeting_id")?;
                actions::reschedule_meeting(s, c, case_id, k, m, form(&fields)?).await
            }
            .await
        }
        "cancel" => {
            async {
                let m = id_field(&fields, "meeting_id")?;
                actions::cancel_meeting(s, c, case_id, k, m).await
            }
            .await
        }
        "send" => {
            async {
                let m = id_field(&fields, "meeting_id")?;
                actions::send_invitations(s, c, case_id, k, m).await
            }
            .await
        }
        "resend" => {
            async {
                let p = id_field(&fields, "participant_id")?;
                actions::resend_invitation(s, c, case_id, k, p).await
            }
            .await
        }
        "revoke" => {
            async {
                let p = id_field(&fields, "participant_id")?;
                actions::revoke_invitation(s, c, case_id, k, p).await
            }
            .await
        }
        _ => Err(AppError::NotFound),
    };
    match result {
        Ok(_) => Ok(see_other(&format!(
            "/cases/{case_id}/councils/{council_id}?done={step}"
        ))),
        Err(e) if shown_on_page(&e) => {
            let shown = (e.status_code(), message(&e));
            council_page_with(&state, staff, tr, case_id, council_id, None, Some(shown)).await
        }
        Err(e) => Err(e),
    }
}
