//! The second factor of a password login: after the right password, a person with a factor types
//! the code from their authenticator app (or a recovery code); a person without one, in a service
//! that requires it, sets one up with the QR code before the session starts.
//!
//! Between the password and the code the login is held in a short-lived cookie signed with the
//! server's key ([`Pending`]); nothing is written until the factor passes. Wrong codes are rate
//! limited like passwords and audited as failed logins.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use diesel::PgConnection;
use diesel::prelude::*;
use serde::Deserialize;
use uuid::Uuid;

use super::session;
use super::totp::{self, Secret};
use crate::audit::{self, Actor, AuditEntry};
use crate::db::TenantId;
use crate::db::schema::{recovery_codes, tenants, user_factors, users};
use crate::tokens::{self, TokenKey};
use crate::web::AppState;
use crate::web::csrf::{self, CsrfForm};
use crate::web::i18n::Tr;
use crate::web::limits::client_address;
use crate::web::pages::{Shell, render};
use crate::web::problem::AppError;

/// How long a login may wait between the password and the code.
const PENDING_MINUTES: i64 = 10;

fn pending_cookie_name(https: bool) -> &'static str {
    if https {
        "__Host-tillit-pending"
    } else {
        "tillit_pending"
    }
}

/// A login that passed its password and waits for its second factor.
#[derive(Debug, Clone)]
pub struct Pending {
    pub tenant: TenantId,
    pub user: Uuid,
    expires: i64,
    /// Random; derives the secret an enrolment offers, so a fresh login offers a fresh one.
    nonce: String,
    pub next: String,
}

impl Pending {
    pub fn new(tenant: TenantId, user: Uuid, next: &str) -> Self {
        Self {
            tenant,
            user,
            expires: (Utc::now() + chrono::Duration::minutes(PENDING_MINUTES)).timestamp(),
            nonce: tokens::issue("").text,
            next: next.to_owned(),
        }
    }

    fn payload(&self) -> String {
        format!(
            "{}.{}.{}.{}.{}",
            self.tenant.0,
            self.user,
            self.expires,
            self.nonce,
            URL_SAFE_NO_PAD.encode(&self.next)
        )
    }

    fn encode(&self, key: &TokenKey) -> String {
        let payload = self.payload();
        let mac = key.mac("pending-login", payload.as_bytes());
        format!("{payload}.{mac}")
    }

    fn decode(key: &TokenKey, text: &str) -> Option<Self> {
        let (payload, mac) = text.rsplit_once('.')?;
        if !tokens::same(&key.mac("pending-login", payload.as_bytes()), mac) {
            return None;
        }
        let mut parts = payload.split('.');
        let tenant = TenantId(parts.next()?.parse().ok()?);
        let user = parts.next()?.parse().ok()?;
        let expires: i64 = parts.next()?.parse().ok()?;
        let nonce = parts.next()?.to_owned();
        let next = String::from_utf8(URL_SAFE_NO_PAD.decode(parts.next()?).ok()?).ok()?;
        (expires > Utc::now().timestamp()).then_some(Self {
            tenant,
            user,
            expires,
            nonce,
            next,
        })
    }

    /// The secret this login's enrolment offers.
    fn enrolment_secret(&self, key: &TokenKey) -> Secret {
        Secret::for_enrolment(key, &format!("{}.{}", self.user, self.nonce))
    }

    /// The pending login of this request, if its cookie is genuine and fresh.
    fn of(req: &HttpRequest, state: &AppState) -> Option<Self> {
        let cookie = req.cookie(pending_cookie_name(state.settings.https()))?;
        Self::decode(&state.settings.token_key(), cookie.value())
    }

    /// The response that asks for the factor: the pending cookie and the way to its page.
    pub fn redirect(&self, state: &AppState, to: &str) -> HttpResponse {
        let https = state.settings.https();
        HttpResponse::SeeOther()
            .insert_header((LOCATION, to.to_owned()))
            .cookie(
                Cookie::build(
                    pending_cookie_name(https),
                    self.encode(&state.settings.token_key()),
                )
                .path("/login")
                .http_only(true)
                .secure(https)
                .same_site(SameSite::Strict)
                .finish(),
            )
            .finish()
    }
}

fn removal_cookie(https: bool) -> Cookie<'static> {
    let mut cookie = Cookie::build(pending_cookie_name(https), "")
        .path("/login")
        .http_only(true)
        .secure(https)
        .same_site(SameSite::Strict)
        .finish();
    cookie.make_removal();
    cookie
}

/// What a password login needs next, judged in the person's service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// The person has a factor: ask for its code.
    Code,
    /// No factor, and the service requires one: set it up first.
    Enrol,
    /// No factor, and the service does not require one: the password is enough.
    None,
}

/// Which step follows the right password for `user`.
pub fn next_step(conn: &mut PgConnection, tenant: TenantId, user: Uuid) -> QueryResult<NextStep> {
    if has_factor(conn, tenant, user)? {
        return Ok(NextStep::Code);
    }
    let required: bool = tenants::table
        .find(tenant.0)
        .select(tenants::second_factor_required)
        .first(conn)?;
    Ok(if required {
        NextStep::Enrol
    } else {
        NextStep::None
    })
}

pub fn has_factor(conn: &mut PgConnection, tenant: TenantId, user: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        user_factors::table.find((tenant.0, user)),
    ))
    .get_result(conn)
}

/// How a code was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passed {
    Totp,
    RecoveryCode,
}

impl Passed {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Totp => "totp",
            Self::RecoveryCode => "recovery_code",
        }
    }
}

/// Checks `typed` against `user`'s factor at `unix_secs`: a TOTP code newer than the last one
/// accepted, or an unused recovery code (then used up). Locks the factor's row, so two requests
/// with the same code cannot both pass.
pub fn check_code(
    conn: &mut PgConnection,
    key: &TokenKey,
    tenant: TenantId,
    user: Uuid,
    typed: &str,
    unix_secs: u64,
) -> Result<Option<Passed>, AppError> {
    let found: Option<(Vec<u8>, i64)> = user_factors::table
        .find((tenant.0, user))
        .select((user_factors::secret_sealed, user_factors::last_step))
        .for_update()
        .first(conn)
        .optional()?;
    let Some((sealed, last_step)) = found else {
        return Ok(None);
    };
    let secret = Secret::open(key, &sealed)
        .ok_or_else(|| AppError::Internal("a second factor does not open under the key".into()))?;
    if let Some(step) = secret.matching_step(typed, unix_secs, last_step) {
        diesel::update(user_factors::table.find((tenant.0, user)))
            .set(user_factors::last_step.eq(step))
            .execute(conn)?;
        return Ok(Some(Passed::Totp));
    }
    let Some(hash) = totp::recovery_hash(typed) else {
        return Ok(None);
    };
    let used = diesel::update(
        recovery_codes::table
            .filter(recovery_codes::user_id.eq(user))
            .filter(recovery_codes::code_hash.eq(hash))
            .filter(recovery_codes::used_at.is_null()),
    )
    .set(recovery_codes::used_at.eq(Utc::now()))
    .execute(conn)?;
    Ok((used == 1).then_some(Passed::RecoveryCode))
}

/// Stores `secret` as `user`'s factor (replacing any before) and returns a fresh set of recovery
/// codes, whose hashes alone are kept.
pub fn enrol(
    conn: &mut PgConnection,
    key: &TokenKey,
    tenant: TenantId,
    user: Uuid,
    secret: &Secret,
    step: i64,
) -> QueryResult<Vec<String>> {
    diesel::delete(user_factors::table.find((tenant.0, user))).execute(conn)?;
    diesel::insert_into(user_factors::table)
        .values((
            user_factors::tenant_id.eq(tenant.0),
            user_factors::user_id.eq(user),
            user_factors::secret_sealed.eq(secret.seal(key)),
            user_factors::last_step.eq(step),
        ))
        .execute(conn)?;
    new_recovery_codes(conn, tenant, user)
}

/// Replaces `user`'s recovery codes with a fresh set and returns them.
pub fn new_recovery_codes(
    conn: &mut PgConnection,
    tenant: TenantId,
    user: Uuid,
) -> QueryResult<Vec<String>> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user))).execute(conn)?;
    let codes = totp::recovery_codes();
    for code in &codes {
        diesel::insert_into(recovery_codes::table)
            .values((
                recovery_codes::tenant_id.eq(tenant.0),
                recovery_codes::id.eq(Uuid::now_v7()),
                recovery_codes::user_id.eq(user),
                recovery_codes::code_hash.eq(totp::recovery_hash(code).unwrap_or_default()),
            ))
            .execute(conn)?;
    }
    Ok(codes)
}

/// Removes `user`'s factor and recovery codes (an admin's reset); their next password login sets
/// up a new one.
pub fn remove(conn: &mut PgConnection, tenant: TenantId, user: Uuid) -> QueryResult<usize> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user))).execute(conn)?;
    diesel::delete(user_factors::table.find((tenant.0, user))).execute(conn)
}

/// How many unused recovery codes `user` has left.
pub fn recovery_codes_left(
    conn: &mut PgConnection,
    tenant: TenantId,
    user: Uuid,
) -> QueryResult<i64> {
    recovery_codes::table
        .filter(recovery_codes::tenant_id.eq(tenant.0))
        .filter(recovery_codes::user_id.eq(user))
        .filter(recovery_codes::used_at.is_null())
        .count()
        .get_result(conn)
}

/// Now, in whole seconds since 1970, for TOTP.
pub fn unix_now() -> u64 {
    u64::try_from(Utc::now().timestamp()).unwrap_or_default()
}

/// The enrolment's pictures and texts, shared by the first login and the account page.
pub struct EnrolmentView {
    pub qr_svg: String,
    pub secret: String,
}

impl EnrolmentView {
    pub fn new(secret: &Secret, account: &str) -> Self {
        Self {
            qr_svg: secret.qr_svg(account),
            secret: secret.base32(),
        }
    }
}

#[derive(Template)]
#[template(path = "access/factor.html")]
struct CodePage {
    tr: Tr,
    shell: Shell,
    error: Option<&'static str>,
}

/// Setting up a factor: the QR code, the key written out, and the field for the first code.
#[derive(Template)]
#[template(path = "access/enrol.html")]
pub struct EnrolPage {
    pub tr: Tr,
    pub shell: Shell,
    pub action: &'static str,
    /// The account page's enrolment keeps its nonce in the form; a login's is in its cookie.
    pub nonce: String,
    pub enrolment: EnrolmentView,
    pub error: Option<&'static str>,
}

/// The recovery codes, shown once after an enrolment or when new ones are made.
#[derive(Template)]
#[template(path = "access/recovery_codes.html")]
pub struct RecoveryCodesPage {
    pub tr: Tr,
    pub shell: Shell,
    pub codes: Vec<String>,
    pub next: String,
}

fn to_login() -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, "/login"))
        .finish()
}

/// The email of `user`, the account name an authenticator app shows.
async fn email_of(state: &AppState, tenant: TenantId, user: Uuid) -> Result<String, AppError> {
    state
        .db
        .tenant(tenant, move |conn| {
            users::table
                .find((tenant.0, user))
                .select(users::email)
                .first(conn)
                .map_err(AppError::from)
        })
        .await
}

#[get("/login/factor")]
pub async fn code_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
) -> Result<HttpResponse, AppError> {
    if Pending::of(&req, &state).is_none() {
        return Ok(to_login());
    }
    render(
        StatusCode::OK,
        &CodePage {
            tr,
            shell,
            error: None,
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    pub code: String,
}

/// A failed or refused factor step: the audit row, then the page again with `status`.
async fn refused_code(
    state: &AppState,
    req: &HttpRequest,
    pending: &Pending,
    action: &'static str,
    page: &dyn askama::DynTemplate,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (tenant, user) = (pending.tenant, pending.user);
    let entry = AuditEntry::new(&Actor::User(user), action)
        .request(crate::web::request_id(req).as_deref())
        .failed();
    state
        .db
        .tenant(tenant, move |conn| {
            audit::record(conn, tenant, entry).map_err(AppError::from)
        })
        .await?;
    let body = page
        .dyn_render()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// The rate limit of a factor step: per address and per account, like the password's.
fn limited(state: &AppState, req: &HttpRequest, pending: &Pending) -> Result<(), AppError> {
    state
        .limits
        .login(&client_address(req), &format!("factor:{}", pending.user))
}

/// Starts the session of a login that passed its factor, in the caller's transaction.
fn start_session(
    conn: &mut PgConnection,
    state: &AppState,
    pending: &Pending,
    user_agent: Option<&str>,
    request_id: Option<&str>,
    via: &str,
) -> Result<String, AppError> {
    let (tenant, user) = (pending.tenant, pending.user);
    let active: bool = users::table
        .find((tenant.0, user))
        .select(users::active)
        .first(conn)?;
    if !active {
        return Err(AppError::Unauthorized);
    }
    let token = session::start_in(conn, state, tenant, user, user_agent)?;
    audit::record(
        conn,
        tenant,
        AuditEntry::new(&Actor::User(user), "login")
            .request(request_id)
            .details(serde_json::json!({ "second_factor": via })),
    )?;
    Ok(token)
}

/// The response that ends the pending login and signs the person in.
fn signed_in(state: &AppState, mut response: HttpResponse, token: &str) -> HttpResponse {
    let https = state.settings.https();
    for cookie in [
        session::session_cookie(token, https),
        csrf::seed_cookie(&csrf::new_seed(), https),
        removal_cookie(https),
    ] {
        let _ = response.add_cookie(&cookie);
    }
    response
}

#[post("/login/factor")]
pub async fn submit_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<HttpResponse, AppError> {
    let Some(pending) = Pending::of(&req, &state) else {
        return Ok(to_login());
    };
    let page = |error| CodePage {
        tr,
        shell: shell.clone(),
        error: Some(error),
    };
    if limited(&state, &req, &pending).is_err() {
        let page = page("login.rate_limited");
        return refused_code(
            &state,
            &req,
            &pending,
            "login",
            &page,
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    let key = state.settings.token_key();
    let (app, found) = (state.clone(), pending.clone());
    let user_agent = user_agent(&req);
    let request_id = crate::web::request_id(&req);
    let typed = form.code.clone();
    let token = state
        .db
        .tenant(pending.tenant, move |conn| {
            let Some(passed) =
                check_code(conn, &key, found.tenant, found.user, &typed, unix_now())?
            else {
                return Ok(None);
            };
            start_session(
                conn,
                &app,
                &found,
                user_agent.as_deref(),
                request_id.as_deref(),
                passed.as_str(),
            )
            .map(Some)
        })
        .await;
    match token {
        Ok(Some(token)) => {
            let response = HttpResponse::SeeOther()
                .insert_header((LOCATION, pending.next.clone()))
                .finish();
            Ok(signed_in(&state, response, &token))
        }
        Ok(None) => {
            let page = page("factor.wrong_code");
            refused_code(
                &state,
                &req,
                &pending,
                "login",
                &page,
                StatusCode::UNAUTHORIZED,
            )
            .await
        }
        Err(AppError::Unauthorized) => Ok(to_login()),
        Err(e) => Err(e),
    }
}

#[get("/login/enrol")]
pub async fn enrol_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
) -> Result<HttpResponse, AppError> {
    let Some(pending) = Pending::of(&req, &state) else {
        return Ok(to_login());
    };
    let email = email_of(&state, pending.tenant, pending.user).await?;
    let secret = pending.enrolment_secret(&state.settings.token_key());
    render(
        StatusCode::OK,
        &EnrolPage {
            tr,
            shell,
            action: "/login/enrol",
            nonce: String::new(),
            enrolment: EnrolmentView::new(&secret, &email),
            error: None,
        },
    )
}

#[post("/login/enrol")]
pub async fn enrol_at_login(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<HttpResponse, AppError> {
    let Some(pending) = Pending::of(&req, &state) else {
        return Ok(to_login());
    };
    let key = state.settings.token_key();
    let secret = pending.enrolment_secret(&key);
    let email = email_of(&state, pending.tenant, pending.user).await?;
    let page = |error| EnrolPage {
        tr,
        shell: shell.clone(),
        action: "/login/enrol",
        nonce: String::new(),
        enrolment: EnrolmentView::new(&secret, &email),
        error: Some(error),
    };
    if limited(&state, &req, &pending).is_err() {
        let page = page("login.rate_limited");
        return refused_code(
            &state,
            &req,
            &pending,
            "factor.enrol",
            &page,
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    let Some(step) = secret.matching_step(&form.code, unix_now(), 0) else {
        let page = page("factor.wrong_code");
        return refused_code(
            &state,
            &req,
            &pending,
            "factor.enrol",
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let (app, found) = (state.clone(), pending.clone());
    let user_agent = user_agent(&req);
    let request_id = crate::web::request_id(&req);
    let outcome = state
        .db
        .tenant(pending.tenant, move |conn| {
            // A factor set up meanwhile (another tab) is not replaced from a login.
            if has_factor(conn, found.tenant, found.user)? {
                return Ok(None);
            }
            let secret = found.enrolment_secret(&key);
            let codes = enrol(conn, &key, found.tenant, found.user, &secret, step)?;
            audit::record(
                conn,
                found.tenant,
                AuditEntry::new(&Actor::User(found.user), "factor.enrol")
                    .object("user", found.user)
                    .request(request_id.as_deref()),
            )?;
            let token = start_session(
                conn,
                &app,
                &found,
                user_agent.as_deref(),
                request_id.as_deref(),
                Passed::Totp.as_str(),
            )?;
            Ok::<_, AppError>(Some((token, codes)))
        })
        .await;
    match outcome {
        Ok(Some((token, codes))) => {
            let response = render(
                StatusCode::OK,
                &RecoveryCodesPage {
                    tr,
                    shell,
                    codes,
                    next: pending.next.clone(),
                },
            )?;
            Ok(signed_in(&state, response, &token))
        }
        Ok(None) => Ok(HttpResponse::SeeOther()
            .insert_header((LOCATION, "/login/factor"))
            .finish()),
        Err(AppError::Unauthorized) => Ok(to_login()),
        Err(e) => Err(e),
    }
}

/// The browser a session starts in, as the sessions list shows it (cut to 200 characters).
pub fn user_agent(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(200).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> TokenKey {
        TokenKey::from_base64("dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXk=").unwrap()
    }

    #[test]
    fn a_pending_login_survives_only_untouched_and_fresh() {
        let pending = Pending::new(TenantId(Uuid::now_v7()), Uuid::now_v7(), "/cases?q=a.b");
        let text = pending.encode(&key());
        let back = Pending::decode(&key(), &text).unwrap();
        assert_eq!(
            (back.user, back.next.as_str()),
            (pending.user, "/cases?q=a.b")
        );
        let other_user = text.replacen(&pending.user.to_string(), &Uuid::now_v7().to_string(), 1);
        assert!(Pending::decode(&key(), &other_user).is_none(), "signed");
        let mut stale = pending.clone();
        stale.expires = Utc::now().timestamp() - 1;
        assert!(
            Pending::decode(&key(), &stale.encode(&key())).is_none(),
            "expired"
        );
    }
}
