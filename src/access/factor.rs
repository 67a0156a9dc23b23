//! The second factor of a password login: after the right password, a person with a factor types
//! the code from their authenticator app (or a recovery code); a person without one, in a service
//! that requires it, sets one up with the QR code before the session starts.
//!
//! Between the password and the code the login is held in a short-lived cookie signed with the
//! server's key ([`Pending`]); nothing is written until the factor passes. Wrong codes are rate
//! limited like passwords and audited as failed logins.

use std::future::Future;

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

/// Where one kind of password login keeps its factor steps: its pages and its pending cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Realm {
    /// The login page; the cookie of a pending login is sent only below it.
    pub login: &'static str,
    /// The page that asks for the code.
    pub factor: &'static str,
    /// The page that sets up a factor.
    pub enrol: &'static str,
    pub cookie: &'static str,
    pub host_cookie: &'static str,
    /// What the pending login's signature is keyed for, so one realm's cookie is no other's.
    pub purpose: &'static str,
}

impl Realm {
    fn cookie_name(self, https: bool) -> &'static str {
        if https { self.host_cookie } else { self.cookie }
    }
}

/// A service's staff, at `/login`.
pub const STAFF: Realm = Realm {
    login: "/login",
    factor: "/login/factor",
    enrol: "/login/enrol",
    cookie: "tillit_pending",
    host_cookie: "__Host-tillit-pending",
    purpose: "pending-login",
};

/// A login that passed its password and waits for its second factor.
#[derive(Debug, Clone)]
pub struct Pending {
    realm: Realm,
    /// The person's service; for an operator, who belongs to none, the nil id.
    pub tenant: TenantId,
    /// The staff member's or the operator's id.
    pub user: Uuid,
    expires: i64,
    /// Random; derives the secret an enrolment offers, so a fresh login offers a fresh one.
    nonce: String,
    pub next: String,
}

impl Pending {
    pub fn new(tenant: TenantId, user: Uuid, next: &str) -> Self {
        Self::in_realm(STAFF, tenant, user, next)
    }

    pub fn in_realm(realm: Realm, tenant: TenantId, user: Uuid, next: &str) -> Self {
        Self {
            realm,
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
        let mac = key.mac(self.realm.purpose, payload.as_bytes());
        format!("{payload}.{mac}")
    }

    fn decode(realm: Realm, key: &TokenKey, text: &str) -> Option<Self> {
        let (payload, mac) = text.rsplit_once('.')?;
        if !tokens::same(&key.mac(realm.purpose, payload.as_bytes()), mac) {
            return None;
        }
        let mut parts = payload.split('.');
        let tenant = TenantId(parts.next()?.parse().ok()?);
        let user = parts.next()?.parse().ok()?;
        let expires: i64 = parts.next()?.parse().ok()?;
        let nonce = parts.next()?.to_owned();
        let next = String::from_utf8(URL_SAFE_NO_PAD.decode(parts.next()?).ok()?).ok()?;
        (expires > Utc::now().timestamp()).then_some(Self {
            realm,
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

    /// The pending login of `realm` in this request, if its cookie is genuine and fresh.
    fn of(realm: Realm, req: &HttpRequest, state: &AppState) -> Option<Self> {
        let cookie = req.cookie(realm.cookie_name(state.settings.https()))?;
        Self::decode(realm, &state.settings.token_key(), cookie.value())
    }

    /// The response that asks for the factor: the pending cookie and the way to its page.
    pub fn redirect(&self, state: &AppState, to: &str) -> HttpResponse {
        let https = state.settings.https();
        HttpResponse::SeeOther()
            .insert_header((LOCATION, to.to_owned()))
            .cookie(
                Cookie::build(
                    self.realm.cookie_name(https),
                    self.encode(&state.settings.token_key()),
                )
                .path(self.realm.login)
                .http_only(true)
                .secure(https)
                .same_site(SameSite::Strict)
                .finish(),
            )
            .finish()
    }
}

/// The cookie that ends a pending login of `realm`.
pub fn removal_cookie(realm: Realm, https: bool) -> Cookie<'static> {
    let mut cookie = Cookie::build(realm.cookie_name(https), "")
        .path(realm.login)
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
    if StaffFactor::new(tenant, user).exists(conn)? {
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

/// Where one person's factor is stored: a staff member's rows, or an operator's. The checks that
/// a code counts once and a recovery code is used up are written once, over this.
pub trait FactorStore {
    /// The sealed secret and the step last accepted, the row locked for this transaction.
    fn locked(&self, conn: &mut PgConnection) -> QueryResult<Option<(Vec<u8>, i64)>>;
    /// Remembers `step` as the last accepted.
    fn accept_step(&self, conn: &mut PgConnection, step: i64) -> QueryResult<usize>;
    /// Marks the unused recovery code with `hash` used; 1 if there was one.
    fn use_recovery_code(&self, conn: &mut PgConnection, hash: &[u8]) -> QueryResult<usize>;
    fn exists(&self, conn: &mut PgConnection) -> QueryResult<bool>;
    /// Stores the factor, replacing any before.
    fn store(&self, conn: &mut PgConnection, sealed: &[u8], step: i64) -> QueryResult<()>;
    /// Replaces the recovery codes with these hashes.
    fn replace_recovery_codes(
        &self,
        conn: &mut PgConnection,
        hashes: &[Vec<u8>],
    ) -> QueryResult<()>;
    /// Removes the factor and its recovery codes.
    fn remove(&self, conn: &mut PgConnection) -> QueryResult<usize>;
}

/// A staff member's factor (`user_factors`, `recovery_codes`).
#[derive(Debug, Clone, Copy)]
pub struct StaffFactor {
    tenant: TenantId,
    user: Uuid,
}

impl StaffFactor {
    pub fn new(tenant: TenantId, user: Uuid) -> Self {
        Self { tenant, user }
    }
}

/// Implements [`FactorStore`] for `$store` over its factor table (one row per person: the sealed
/// secret and the last step) and its recovery-code table, given how `$me` finds its factor row,
/// which code rows are its own, and the owner's columns of a new row of each.
#[macro_export]
macro_rules! factor_store {
    ($store:ty, |$me:ident| {
        factor: $factors:ident.find($key:expr),
        new_factor: ($($factor_col:expr),+ $(,)?),
        codes: $codes:ident.filter($owned:expr),
        new_code: ($($code_col:expr),+ $(,)?) $(,)?
    }) => {
        impl $crate::access::factor::FactorStore for $store {
            fn locked(
                &$me,
                conn: &mut diesel::PgConnection,
            ) -> diesel::QueryResult<Option<(Vec<u8>, i64)>> {
                use diesel::prelude::*;
                $factors::table
                    .find($key)
                    .select(($factors::secret_sealed, $factors::last_step))
                    .for_update()
                    .first(conn)
                    .optional()
            }

            fn accept_step(
                &$me,
                conn: &mut diesel::PgConnection,
                step: i64,
            ) -> diesel::QueryResult<usize> {
                use diesel::prelude::*;
                diesel::update($factors::table.find($key))
                    .set($factors::last_step.eq(step))
                    .execute(conn)
            }

            fn use_recovery_code(
                &$me,
                conn: &mut diesel::PgConnection,
                hash: &[u8],
            ) -> diesel::QueryResult<usize> {
                use diesel::prelude::*;
                diesel::update(
                    $codes::table
                        .filter($owned)
                        .filter($codes::code_hash.eq(hash))
                        .filter($codes::used_at.is_null()),
                )
                .set($codes::used_at.eq(chrono::Utc::now()))
                .execute(conn)
            }

            fn exists(&$me, conn: &mut diesel::PgConnection) -> diesel::QueryResult<bool> {
                use diesel::prelude::*;
                diesel::select(diesel::dsl::exists($factors::table.find($key))).get_result(conn)
            }

            fn store(
                &$me,
                conn: &mut diesel::PgConnection,
                sealed: &[u8],
                step: i64,
            ) -> diesel::QueryResult<()> {
                use diesel::prelude::*;
                diesel::delete($factors::table.find($key)).execute(conn)?;
                diesel::insert_into($factors::table)
                    .values((
                        $($factor_col,)+
                        $factors::secret_sealed.eq(sealed),
                        $factors::last_step.eq(step),
                    ))
                    .execute(conn)
                    .map(drop)
            }

            fn replace_recovery_codes(
                &$me,
                conn: &mut diesel::PgConnection,
                hashes: &[Vec<u8>],
            ) -> diesel::QueryResult<()> {
                use diesel::prelude::*;
                diesel::delete($codes::table.filter($owned)).execute(conn)?;
                for hash in hashes {
                    diesel::insert_into($codes::table)
                        .values((
                            $($code_col,)+
                            $codes::id.eq(uuid::Uuid::now_v7()),
                            $codes::code_hash.eq(hash),
                        ))
                        .execute(conn)?;
                }
                Ok(())
            }

            fn remove(&$me, conn: &mut diesel::PgConnection) -> diesel::QueryResult<usize> {
                use diesel::prelude::*;
                diesel::delete($codes::table.filter($owned)).execute(conn)?;
                diesel::delete($factors::table.find($key)).execute(conn)
            }
        }
    };
}

factor_store!(StaffFactor, |self| {
    factor: user_factors.find((self.tenant.0, self.user)),
    new_factor: (
        user_factors::tenant_id.eq(self.tenant.0),
        user_factors::user_id.eq(self.user),
    ),
    codes: recovery_codes.filter(recovery_codes::user_id.eq(self.user)),
    new_code: (
        recovery_codes::tenant_id.eq(self.tenant.0),
        recovery_codes::user_id.eq(self.user),
    ),
});

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

/// Checks `typed` against the factor in `store` at `unix_secs`: a TOTP code newer than the last
/// one accepted, or an unused recovery code (then used up). Locks the factor's row, so two
/// requests with the same code cannot both pass.
pub fn check_code(
    conn: &mut PgConnection,
    key: &TokenKey,
    store: &impl FactorStore,
    typed: &str,
    unix_secs: u64,
) -> Result<Option<Passed>, AppError> {
    let Some((sealed, last_step)) = store.locked(conn)? else {
        return Ok(None);
    };
    let secret = Secret::open(key, &sealed)
        .ok_or_else(|| AppError::Internal("a second factor does not open under the key".into()))?;
    if let Some(step) = secret.matching_step(typed, unix_secs, last_step) {
        store.accept_step(conn, step)?;
        return Ok(Some(Passed::Totp));
    }
    let Some(hash) = totp::recovery_hash(typed) else {
        return Ok(None);
    };
    let used = store.use_recovery_code(conn, &hash)?;
    Ok((used == 1).then_some(Passed::RecoveryCode))
}

/// Stores `secret` as the factor in `store` (replacing any before) and returns a fresh set of
/// recovery codes, whose hashes alone are kept.
pub fn enrol(
    conn: &mut PgConnection,
    key: &TokenKey,
    store: &impl FactorStore,
    secret: &Secret,
    step: i64,
) -> QueryResult<Vec<String>> {
    store.store(conn, &secret.seal(key), step)?;
    new_recovery_codes(conn, store)
}

/// Replaces the recovery codes in `store` with a fresh set and returns them.
pub fn new_recovery_codes(
    conn: &mut PgConnection,
    store: &impl FactorStore,
) -> QueryResult<Vec<String>> {
    let codes = totp::recovery_codes();
    let hashes: Vec<Vec<u8>> = codes
        .iter()
        .map(|code| totp::recovery_hash(code).unwrap_or_default())
        .collect();
    store.replace_recovery_codes(conn, &hashes)?;
    Ok(codes)
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
    action: &'static str,
    /// What to do without the phone and the recovery codes (a catalogue key).
    lost: &'static str,
    error: Option<&'static str>,
}

/// Setting up a factor: the QR code, the key written out, and the field for the first code.
#[derive(Template)]
#[template(path = "access/enrol.html")]
pub struct EnrolPage {
    pub tr: Tr,
    pub shell: Shell,
    pub action: &'static str,
    /// Why a factor is asked for (a catalogue key).
    pub intro: &'static str,
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

/// One kind of password login that passes a second factor: a service's staff ([`StaffLogin`]) or
/// the platform's operators. The factor pages, their rate limits, audit rows and the
/// enrolment are written once, in the `*_in` functions below; a kind says where its rows are and
/// how its session starts.
pub trait FactorLogin {
    const REALM: Realm;
    /// What to do without the phone and the recovery codes (a catalogue key).
    const LOST: &'static str;
    /// Why a factor is asked for at enrolment (a catalogue key).
    const INTRO: &'static str;
    type Store: FactorStore + Send + 'static;

    fn store(pending: &Pending) -> Self::Store;

    /// Runs `f` in one transaction where this kind's rows are visible.
    fn run<T, F>(
        state: &AppState,
        pending: &Pending,
        f: F,
    ) -> impl Future<Output = Result<T, AppError>>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection) -> Result<T, AppError> + Send + 'static;

    /// The account name an authenticator app shows: the person's email.
    fn account_name(conn: &mut PgConnection, pending: &Pending) -> QueryResult<String>;

    /// Writes an audit row of `action` for the person, in the caller's transaction.
    fn audit(
        conn: &mut PgConnection,
        pending: &Pending,
        action: &'static str,
        outcome: Outcome,
        request_id: Option<&str>,
    ) -> QueryResult<()>;

    /// Starts the session of a login that passed its factor (and audits it), in the caller's
    /// transaction; `Unauthorized` if the account may no longer log in.
    fn start_session(
        conn: &mut PgConnection,
        state: &AppState,
        pending: &Pending,
        user_agent: Option<&str>,
        request_id: Option<&str>,
        via: Passed,
    ) -> Result<String, AppError>;

    /// The session's cookie.
    fn session_cookie(token: &str, https: bool) -> Cookie<'static>;
}

/// How an audited factor step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failed,
}

/// A service's staff member at `/login`.
pub struct StaffLogin;

impl FactorLogin for StaffLogin {
    const REALM: Realm = STAFF;
    const LOST: &'static str = "factor.lost";
    const INTRO: &'static str = "enrol.intro";
    type Store = StaffFactor;

    fn store(pending: &Pending) -> StaffFactor {
        StaffFactor::new(pending.tenant, pending.user)
    }

    async fn run<T, F>(state: &AppState, pending: &Pending, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection) -> Result<T, AppError> + Send + 'static,
    {
        state.db.tenant(pending.tenant, f).await
    }

    fn account_name(conn: &mut PgConnection, pending: &Pending) -> QueryResult<String> {
        users::table
            .find((pending.tenant.0, pending.user))
            .select(users::email)
            .first(conn)
    }

    fn audit(
        conn: &mut PgConnection,
        pending: &Pending,
        action: &'static str,
        outcome: Outcome,
        request_id: Option<&str>,
    ) -> QueryResult<()> {
        let mut entry = AuditEntry::new(&Actor::User(pending.user), action).request(request_id);
        if outcome == Outcome::Failed {
            entry = entry.failed();
        } else if action == "factor.enrol" {
            entry = entry.object("user", pending.user);
        }
        audit::record(conn, pending.tenant, entry)
    }

    fn start_session(
        conn: &mut PgConnection,
        state: &AppState,
        pending: &Pending,
        user_agent: Option<&str>,
        request_id: Option<&str>,
        via: Passed,
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
                .details(serde_json::json!({ "second_factor": via.as_str() })),
        )?;
        Ok(token)
    }

    fn session_cookie(token: &str, https: bool) -> Cookie<'static> {
        session::session_cookie(token, https)
    }
}

fn to_login(realm: Realm) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, realm.login))
        .finish()
}

/// A failed or refused factor step: the audit row, then the page again with `status`.
async fn refused_code<L: FactorLogin>(
    state: &AppState,
    req: &HttpRequest,
    pending: &Pending,
    action: &'static str,
    page: &dyn askama::DynTemplate,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let request_id = crate::web::request_id(req);
    let found = pending.clone();
    L::run(state, pending, move |conn| {
        L::audit(conn, &found, action, Outcome::Failed, request_id.as_deref())
            .map_err(AppError::from)
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
async fn limited(state: &AppState, req: &HttpRequest, pending: &Pending) -> Result<(), AppError> {
    state
        .limits
        .login(&client_address(req), &format!("factor:{}", pending.user))
        .await
}

/// The response that ends the pending login and signs the person in.
fn signed_in<L: FactorLogin>(
    state: &AppState,
    mut response: HttpResponse,
    token: &str,
) -> HttpResponse {
    let https = state.settings.https();
    for cookie in [
        L::session_cookie(token, https),
        csrf::seed_cookie(&csrf::new_seed(), https),
        removal_cookie(L::REALM, https),
    ] {
        let _ = response.add_cookie(&cookie);
    }
    response
}

fn code_page<L: FactorLogin>(tr: Tr, shell: Shell, error: Option<&'static str>) -> CodePage {
    CodePage {
        tr,
        shell,
        action: L::REALM.factor,
        lost: L::LOST,
        error,
    }
}

/// The code page of a pending login of kind `L`.
pub async fn code_form_in<L: FactorLogin>(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
) -> Result<HttpResponse, AppError> {
    if Pending::of(L::REALM, &req, &state).is_none() {
        return Ok(to_login(L::REALM));
    }
    render(StatusCode::OK, &code_page::<L>(tr, shell, None))
}

#[get("/login/factor")]
pub async fn code_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
) -> Result<HttpResponse, AppError> {
    code_form_in::<StaffLogin>(req, state, tr, shell).await
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    pub code: String,
}

/// A code typed at a pending login of kind `L`: the session on a right one, the page again with
/// the error on a wrong one (audited, rate limited).
pub async fn submit_code_in<L: FactorLogin>(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    form: CodeForm,
) -> Result<HttpResponse, AppError> {
    let Some(pending) = Pending::of(L::REALM, &req, &state) else {
        return Ok(to_login(L::REALM));
    };
    let page = |error| code_page::<L>(tr, shell.clone(), Some(error));
    if limited(&state, &req, &pending).await.is_err() {
        let page = page("login.rate_limited");
        return refused_code::<L>(
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
    let typed = form.code;
    let token = L::run(&state, &pending, move |conn| {
        let Some(passed) = check_code(conn, &key, &L::store(&found), &typed, unix_now())? else {
            return Ok(None);
        };
        L::start_session(
            conn,
            &app,
            &found,
            user_agent.as_deref(),
            request_id.as_deref(),
            passed,
        )
        .map(Some)
    })
    .await;
    match token {
        Ok(Some(token)) => {
            let response = HttpResponse::SeeOther()
                .insert_header((LOCATION, pending.next.clone()))
                .finish();
            Ok(signed_in::<L>(&state, response, &token))
        }
        Ok(None) => {
            let page = page("factor.wrong_code");
            refused_code::<L>(
                &state,
                &req,
                &pending,
                "login",
                &page,
                StatusCode::UNAUTHORIZED,
            )
            .await
        }
        Err(AppError::Unauthorized) => Ok(to_login(L::REALM)),
        Err(e) => Err(e),
    }
}

#[post("/login/factor")]
pub async fn submit_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<HttpResponse, AppError> {
    submit_code_in::<StaffLogin>(req, state, tr, shell, form).await
}

/// The enrolment page a pending login of kind `L` offers, with what the page needs.
async fn enrolment_in<L: FactorLogin>(
    state: &AppState,
    pending: &Pending,
    tr: Tr,
    shell: Shell,
    error: Option<&'static str>,
) -> Result<EnrolPage, AppError> {
    let found = pending.clone();
    let account = L::run(state, pending, move |conn| {
        L::account_name(conn, &found).map_err(AppError::from)
    })
    .await?;
    let secret = pending.enrolment_secret(&state.settings.token_key());
    Ok(EnrolPage {
        tr,
        shell,
        action: L::REALM.enrol,
        intro: L::INTRO,
        nonce: String::new(),
        enrolment: EnrolmentView::new(&secret, &account),
        error,
    })
}

/// The first login's enrolment page of kind `L`.
pub async fn enrol_form_in<L: FactorLogin>(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
) -> Result<HttpResponse, AppError> {
    let Some(pending) = Pending::of(L::REALM, &req, &state) else {
        return Ok(to_login(L::REALM));
    };
    render(
        StatusCode::OK,
        &enrolment_in::<L>(&state, &pending, tr, shell, None).await?,
    )
}

#[get("/login/enrol")]
pub async fn enrol_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
) -> Result<HttpResponse, AppError> {
    enrol_form_in::<StaffLogin>(req, state, tr, shell).await
}

/// The first code of a first login's enrolment of kind `L`: stores the factor, starts the
/// session and shows the recovery codes once.
pub async fn enrol_at_login_in<L: FactorLogin>(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    form: CodeForm,
) -> Result<HttpResponse, AppError> {
    let Some(pending) = Pending::of(L::REALM, &req, &state) else {
        return Ok(to_login(L::REALM));
    };
    let key = state.settings.token_key();
    let secret = pending.enrolment_secret(&key);
    let refused = if limited(&state, &req, &pending).await.is_err() {
        Some(("login.rate_limited", StatusCode::TOO_MANY_REQUESTS))
    } else {
        None
    };
    let step = secret.matching_step(&form.code, unix_now(), 0);
    let refused = refused.or_else(|| {
        step.is_none()
            .then_some(("factor.wrong_code", StatusCode::UNPROCESSABLE_ENTITY))
    });
    if let Some((error, status)) = refused {
        let page = enrolment_in::<L>(&state, &pending, tr, shell, Some(error)).await?;
        return refused_code::<L>(&state, &req, &pending, "factor.enrol", &page, status).await;
    }
    let step = step.unwrap_or_default();
    let (app, found) = (state.clone(), pending.clone());
    let user_agent = user_agent(&req);
    let request_id = crate::web::request_id(&req);
    let outcome = L::run(&state, &pending, move |conn| {
        let store = L::store(&found);
        // A factor set up meanwhile (another tab) is not replaced from a login.
        if store.exists(conn)? {
            return Ok(None);
        }
        let codes = enrol(conn, &key, &store, &found.enrolment_secret(&key), step)?;
        L::audit(
            conn,
            &found,
            "factor.enrol",
            Outcome::Success,
            request_id.as_deref(),
        )?;
        let token = L::start_session(
            conn,
            &app,
            &found,
            user_agent.as_deref(),
            request_id.as_deref(),
            Passed::Totp,
        )?;
        Ok(Some((token, codes)))
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
            Ok(signed_in::<L>(&state, response, &token))
        }
        Ok(None) => Ok(HttpResponse::SeeOther()
            .insert_header((LOCATION, L::REALM.factor))
            .finish()),
        Err(AppError::Unauthorized) => Ok(to_login(L::REALM)),
        Err(e) => Err(e),
    }
}

#[post("/login/enrol")]
pub async fn enrol_at_login(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<HttpResponse, AppError> {
    enrol_at_login_in::<StaffLogin>(req, state, tr, shell, form).await
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
        let back = Pending::decode(STAFF, &key(), &text).unwrap();
        assert_eq!(
            (back.user, back.next.as_str()),
            (pending.user, "/cases?q=a.b")
        );
        let other_user = text.replacen(&pending.user.to_string(), &Uuid::now_v7().to_string(), 1);
        assert!(
            Pending::decode(STAFF, &key(), &other_user).is_none(),
            "signed"
        );
        let mut stale = pending.clone();
        stale.expires = Utc::now().timestamp() - 1;
        assert!(
            Pending::decode(STAFF, &key(), &stale.encode(&key())).is_none(),
            "expired"
        );
        let elsewhere = Realm {
            purpose: "pending-operator-login",
            ..STAFF
        };
        assert!(
            Pending::decode(elsewhere, &key(), &text).is_none(),
            "one realm's pending login is no other's"
        );
    }
}
