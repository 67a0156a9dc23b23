//! A staff member's own account: their work phone, their second factor (set up a new one, new recovery codes) and
//! their sessions (see where they are signed in, end one or all the others). Setting up a new
//! factor ends every other session.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use uuid::Uuid;

use super::factor::{self, EnrolPage, EnrolmentView, FactorStore, RecoveryCodesPage, StaffFactor};
use super::session::{self, SessionRow, Staff};
use super::staff;
use super::totp::Secret;
use crate::audit;
use crate::fields::Phone;
use crate::tenancy::settings::ServiceSettings;
use crate::tokens;
use crate::web::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::form_errors::{FormFailure, sentence};
use crate::web::i18n::{Lang, Tr};
use crate::web::pages::{Shell, render};
use crate::web::problem::AppError;

fn back_to(path: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, path.to_owned()))
        .finish()
}

/// One session as the page lists it.
pub struct SessionLine {
    pub id: Uuid,
    pub started: String,
    pub last_seen: String,
    pub browser: String,
    pub current: bool,
}

impl SessionLine {
    fn new(row: SessionRow, current: Uuid, zone: Tz, tr: &Tr) -> Self {
        let at = |t: DateTime<Utc>| crate::time::moment(t, zone, tr.lang());
        Self {
            current: row.id == current,
            started: at(row.created_at),
            last_seen: at(row.last_seen_at),
            browser: row
                .user_agent
                .unwrap_or_else(|| tr.t("account.unknown_browser").to_owned()),
            id: row.id,
        }
    }
}

#[derive(Template)]
#[template(path = "access/account.html")]
struct AccountPage {
    tr: Tr,
    shell: Shell,
    name: String,
    email: String,
    /// The work phone field: as stored, or as typed when it was refused.
    work_phone: String,
    /// Why the typed work phone or language was refused, in the reader's language, at its input.
    phone_failure: FormFailure,
    /// The language the staff member's emails are written in (`nb`, `nn`, `en`), or as typed.
    mail_lang: String,
    /// The work phone was just saved: said in its own section, where the person looks.
    contact_saved: bool,
    has_factor: bool,
    codes_left: i64,
    sessions: Vec<SessionLine>,
    notice: Option<&'static str>,
}

impl AccountPage {
    fn languages(&self) -> [Lang; 3] {
        Lang::ALL
    }
}

#[derive(Debug, Deserialize)]
pub struct NoticeQuery {
    pub done: Option<String>,
}

#[get("/account")]
pub async fn account_page(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let notice = match query.done.as_deref() {
        Some("ended") => Some("account.sessions_ended"),
        _ => None,
    };
    let contact_saved = query.done.as_deref() == Some("contact");
    show(&state, staff, tr, notice, contact_saved, None).await
}

/// The contact form as typed, and why it was refused.
struct Refused {
    work_phone: String,
    lang: String,
    failure: FormFailure,
}

/// The account page; with `refused` the contact form comes back as typed, with the message at
/// its field.
async fn show(
    state: &AppState,
    staff: Staff,
    tr: Tr,
    notice: Option<&'static str>,
    contact_saved: bool,
    refused: Option<Refused>,
) -> Result<HttpResponse, AppError> {
    let (tenant, user) = (staff.tenant, staff.user);
    let idle = Duration::minutes(state.settings.session.idle_minutes);
    let (has_factor, codes_left, rows, zone, contact) = state
        .db
        .tenant(tenant, move |conn| {
            let zone = ServiceSettings::load(conn)?.tz;
            Ok::<_, AppError>((
                StaffFactor::new(tenant, user).exists(conn)?,
                factor::recovery_codes_left(conn, tenant, user)?,
                session::live_sessions(conn, tenant, user, idle)?,
                zone,
                staff::contact(conn, user)?,
            ))
        })
        .await?;
    let sessions = rows
        .into_iter()
        .map(|row| SessionLine::new(row, staff.session_id, zone, &tr))
        .collect();
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (work_phone, mail_lang, phone_failure) = match refused {
        Some(r) => (r.work_phone, r.lang, r.failure),
        None => (
            contact
                .as_ref()
                .and_then(|c| c.work_phone.clone())
                .unwrap_or_default(),
            contact
                .map(|c| c.lang.as_str().to_owned())
                .unwrap_or_default(),
            FormFailure::default(),
        ),
    };
    render(
        status,
        &AccountPage {
            tr,
            name: staff.display_name.clone(),
            email: staff.email.clone(),
            work_phone,
            phone_failure,
            mail_lang,
            contact_saved,
            has_factor,
            codes_left,
            sessions,
            notice,
            shell: staff.shell,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ContactForm {
    /// The work phone; empty removes it.
    pub work_phone: String,
    /// The language of the staff member's emails: nb, nn or en; empty leaves it as it is.
    pub lang: String,
}

/// The staff member's own work phone, which invitees of the councils they coordinate see as
/// who to call. Empty removes it; a number that is not one comes back at the field.
#[post("/account/contact")]
pub async fn set_contact(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    CsrfForm(form): CsrfForm<ContactForm>,
) -> Result<HttpResponse, AppError> {
    let typed = form.work_phone.trim().to_owned();
    let typed_lang = form.lang.trim().to_owned();
    let mut failure = FormFailure::default();
    let phone = if typed.is_empty() {
        None
    } else {
        match Phone::parse(&typed) {
            Ok(phone) => Some(phone),
            Err(message) => {
                failure
                    .fields
                    .push(("work-phone".to_owned(), sentence(&tr, message)));
                None
            }
        }
    };
    let lang = match typed_lang.as_str() {
        "" => None,
        code => {
            let lang = Lang::parse(code);
            if lang.is_none() {
                failure.fields.push((
                    "mail-lang".to_owned(),
                    tr.t("person_language.error.language").to_owned(),
                ));
            }
            lang
        }
    };
    if !failure.fields.is_empty() {
        let refused = Refused {
            work_phone: typed,
            lang: typed_lang,
            failure,
        };
        return show(&state, staff, tr, None, false, Some(refused)).await;
    }
    let (tenant, user) = (staff.tenant, staff.user);
    let caller = staff.caller();
    state
        .db
        .tenant(tenant, move |conn| {
            staff::set_work_phone(conn, user, phone.as_ref())?;
            if let Some(lang) = lang {
                staff::set_lang(conn, user, lang)?;
            }
            audit::record(
                conn,
                tenant,
                caller
                    .audit("user.contact")
                    .object("user", user)
                    .details(serde_json::json!({
                        "work_phone": phone.is_some(),
                        "lang": lang.map(Lang::as_str),
                    })),
            )?;
            Ok::<_, AppError>(())
        })
        .await?;
    Ok(back_to("/account?done=contact#contact-heading"))
}

fn account_secret(state: &AppState, staff: &Staff, nonce: &str) -> Secret {
    Secret::for_enrolment(
        &state.settings.token_key(),
        &format!("account.{}.{nonce}", staff.user),
    )
}

/// A new second factor: the QR code of a fresh secret. Nothing changes until a code from it is
/// confirmed.
#[get("/account/factor")]
pub async fn factor_form(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
) -> Result<HttpResponse, AppError> {
    let nonce = tokens::issue("").text;
    let secret = account_secret(&state, &staff, &nonce);
    render(
        StatusCode::OK,
        &EnrolPage {
            tr,
            enrolment: EnrolmentView::new(&secret, &staff.email),
            action: "/account/factor",
            intro: "enrol.intro",
            nonce,
            error: None,
            shell: staff.shell,
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct FactorForm {
    pub nonce: String,
    pub code: String,
}

#[post("/account/factor")]
pub async fn set_factor(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    CsrfForm(form): CsrfForm<FactorForm>,
) -> Result<HttpResponse, AppError> {
    let secret = account_secret(&state, &staff, &form.nonce);
    let Some(step) = secret.matching_step(&form.code, factor::unix_now(), 0) else {
        let caller = staff.caller();
        let tenant = staff.tenant;
        state
            .db
            .tenant(tenant, move |conn| {
                audit::record(conn, tenant, caller.audit("factor.enrol").failed())
                    .map_err(AppError::from)
            })
            .await?;
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &EnrolPage {
                tr,
                enrolment: EnrolmentView::new(&secret, &staff.email),
                action: "/account/factor",
                intro: "enrol.intro",
                nonce: form.nonce.clone(),
                error: Some("factor.wrong_code"),
                shell: staff.shell,
            },
        );
    };
    let key = state.settings.token_key();
    let (tenant, user, keep) = (staff.tenant, staff.user, staff.session_id);
    let caller = staff.caller();
    let codes = state
        .db
        .tenant(tenant, move |conn| {
            let codes = factor::enrol(conn, &key, &StaffFactor::new(tenant, user), &secret, step)?;
            let ended = session::end_others(conn, tenant, user, keep)?;
            audit::record(
                conn,
                tenant,
                caller
                    .audit("factor.enrol")
                    .object("user", user)
                    .details(serde_json::json!({ "sessions_ended": ended })),
            )?;
            Ok::<_, AppError>(codes)
        })
        .await?;
    render(
        StatusCode::OK,
        &RecoveryCodesPage {
            tr,
            codes,
            next: "/account".into(),
            shell: staff.shell,
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct Empty {}

/// A fresh set of recovery codes; the old ones stop working.
#[post("/account/recovery-codes")]
pub async fn new_recovery_codes(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, AppError> {
    let (tenant, user) = (staff.tenant, staff.user);
    let caller = staff.caller();
    let codes = state
        .db
        .tenant(tenant, move |conn| {
            if !StaffFactor::new(tenant, user).exists(conn)? {
                return Ok(None);
            }
            let codes = factor::new_recovery_codes(conn, &StaffFactor::new(tenant, user))?;
            audit::record(
                conn,
                tenant,
                caller.audit("factor.recovery_codes").object("user", user),
            )?;
            Ok::<_, AppError>(Some(codes))
        })
        .await?;
    let Some(codes) = codes else {
        return Ok(back_to("/account"));
    };
    render(
        StatusCode::OK,
        &RecoveryCodesPage {
            tr,
            codes,
            next: "/account".into(),
            shell: staff.shell,
        },
    )
}

/// Ends one of the person's own sessions (another's id is not found).
#[post("/account/sessions/{id}/end")]
pub async fn end_session(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, AppError> {
    let (tenant, user, session_id) = (staff.tenant, staff.user, id.into_inner());
    let caller = staff.caller();
    state
        .db
        .tenant(tenant, move |conn| {
            if session::end_own(conn, tenant, user, session_id)? == 0 {
                return Err(AppError::NotFound);
            }
            audit::record(
                conn,
                tenant,
                caller.audit("session.end").object("session", session_id),
            )?;
            Ok(())
        })
        .await?;
    Ok(back_to(if session_id == staff.session_id {
        "/login"
    } else {
        "/account?done=ended"
    }))
}

/// Ends every session of the person but this one.
#[post("/account/sessions/end-others")]
pub async fn end_other_sessions(
    state: web::Data<AppState>,
    staff: Staff,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, AppError> {
    let (tenant, user, keep) = (staff.tenant, staff.user, staff.session_id);
    let caller = staff.caller();
    state
        .db
        .tenant(tenant, move |conn| {
            let ended = session::end_others(conn, tenant, user, keep)?;
            audit::record(
                conn,
                tenant,
                caller
                    .audit("session.end_others")
                    .details(serde_json::json!({ "sessions_ended": ended })),
            )?;
            Ok::<_, AppError>(())
        })
        .await?;
    Ok(back_to("/account?done=ended"))
}
