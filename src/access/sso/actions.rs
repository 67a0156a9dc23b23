//! One function per use case of single sign-on: what a service's login page offers, starting a
//! login, completing it at the callback, and the admin's view and save of the provider.

use chrono::Utc;
use uuid::Uuid;

use super::domain::{PendingLogin, ProviderForm};
use super::provider::{self, ProviderFailure, ProviderSettings};
use super::queries::{self, ProviderRow};
use super::rules;
use crate::access::Caller;
use crate::access::session;
use crate::audit::{self, Actor, AuditEntry};
use crate::db::{Db, TenantId};
use crate::tokens;
use crate::web::AppState;
use crate::web::problem::AppError;
use crate::web::refusal::Refusal;

/// How long a login may stay at the provider.
const PENDING_MINUTES: i64 = 10;

/// The purpose the client secret's sealing key is derived for.
const SECRET_PURPOSE: &str = "sso-client-secret";

/// The path the provider sends the browser back to.
pub const CALLBACK_PATH: &str = "/login/sso/callback";

/// What a service's login page offers.
#[derive(Debug, Clone)]
pub struct LoginOption {
    pub slug: String,
    pub label: String,
    pub password_login: bool,
}

/// Why a single sign-on did not sign the person in.
#[derive(Debug)]
pub enum SsoFailure {
    /// A rule refused it (wrong state, an ID token that fails a check, no account, a deactivated
    /// account, password login off).
    Refused(Refusal),
    /// The provider did not answer as one.
    Unavailable,
    /// The provider refused the code (used before, expired).
    Rejected,
    /// No service at that address, or it has no provider.
    UnknownService,
    App(AppError),
}

impl From<AppError> for SsoFailure {
    fn from(err: AppError) -> Self {
        match err {
            AppError::Refused { rule, .. } => Self::Refused(rule),
            other => Self::App(other),
        }
    }
}

impl From<diesel::result::Error> for SsoFailure {
    fn from(err: diesel::result::Error) -> Self {
        Self::App(err.into())
    }
}

impl SsoFailure {
    /// The message key the login page shows.
    pub fn message_key(&self) -> &'static str {
        match self {
            Self::Refused(rule) => rule.title_key(),
            Self::Unavailable => "sso.unavailable",
            Self::Rejected => "sso.rejected",
            Self::UnknownService => "sso.unknown_service",
            Self::App(_) => "sso.unavailable",
        }
    }
}

/// The provider `tenant` stored, if any.
async fn stored(db: &Db, tenant: TenantId) -> Result<Option<ProviderRow>, AppError> {
    db.tenant(tenant, |conn| {
        queries::provider(conn).map_err(AppError::from)
    })
    .await
}

/// The service of `slug`, if it exists.
async fn tenant_of(db: &Db, slug: &str) -> Result<Option<TenantId>, AppError> {
    let Ok(slug) = crate::tenancy::Slug::parse(slug) else {
        return Ok(None);
    };
    crate::tenancy::tenant_by_slug(db, &slug).await
}

/// What the login page of the service `slug` offers, if the service has a provider.
pub async fn login_option(db: &Db, slug: &str) -> Result<Option<LoginOption>, AppError> {
    let Some(tenant) = tenant_of(db, slug).await? else {
        return Ok(None);
    };
    option_in(db, tenant).await
}

/// What the login page of `tenant` offers, if it has a provider.
pub async fn option_in(db: &Db, tenant: TenantId) -> Result<Option<LoginOption>, AppError> {
    db.tenant(tenant, move |conn| {
        let Some(row) = queries::provider(conn)? else {
            return Ok(None);
        };
        Ok::<_, AppError>(Some(LoginOption {
            slug: queries::slug(conn, tenant)?,
            label: row.label,
            password_login: row.password_login,
        }))
    })
    .await
}

/// Whether `tenant` lets its staff in with a password; a refusal if not.
pub fn check_password_login(
    conn: &mut diesel::PgConnection,
) -> Result<Result<(), AppError>, AppError> {
    Ok(rules::password_login_open(queries::password_login_open(
        conn,
    )?))
}

fn settings_of(state: &AppState, row: &ProviderRow) -> Result<ProviderSettings, SsoFailure> {
    let secret = tokens::open(
        &state.settings.token_key(),
        SECRET_PURPOSE,
        &row.client_secret_sealed,
    )
    .and_then(|bytes| String::from_utf8(bytes).ok())
    .ok_or_else(|| {
        SsoFailure::App(AppError::Internal(
            "the provider's client secret does not open under the key".into(),
        ))
    })?;
    Ok(ProviderSettings {
        issuer: row.issuer.clone(),
        client_id: row.client_id.clone(),
        client_secret: secret,
    })
}

fn callback_url(state: &AppState) -> String {
    format!("{}{CALLBACK_PATH}", state.settings.base_url())
}

fn provider_failure(failure: &ProviderFailure) -> SsoFailure {
    tracing::info!(?failure, "single sign-on failed at the provider");
    match failure {
        ProviderFailure::Unavailable(_) => SsoFailure::Unavailable,
        ProviderFailure::Rejected(_) => SsoFailure::Rejected,
        ProviderFailure::TokenInvalid { check, .. } => rules::id_token_refused(check).into(),
    }
}

/// Starts a login at the provider of the service `slug`: the URL to send the browser to, and the
/// login the browser keeps until it comes back.
pub async fn begin(
    state: &AppState,
    slug: &str,
    next: &str,
) -> Result<(String, PendingLogin), SsoFailure> {
    let tenant = tenant_of(&state.db, slug)
        .await?
        .ok_or(SsoFailure::UnknownService)?;
    let row = stored(&state.db, tenant)
        .await?
        .ok_or(SsoFailure::UnknownService)?;
    let settings = settings_of(state, &row)?;
    let started = provider::start(&state.discovery, &settings, &callback_url(state))
        .await
        .map_err(|f| provider_failure(&f))?;
    let pending = PendingLogin {
        tenant: tenant.0,
        state: started.state,
        nonce: started.nonce,
        verifier: started.verifier,
        next: next.to_owned(),
        expires: (Utc::now() + chrono::Duration::minutes(PENDING_MINUTES)).timestamp(),
    };
    Ok((started.url, pending))
}

/// The pending login sealed for the browser's cookie.
pub fn seal_pending(state: &AppState, pending: &PendingLogin) -> String {
    use base64::Engine;
    let json = serde_json::to_vec(pending).expect("a pending login serialises");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tokens::seal(
        &state.settings.token_key(),
        "sso-pending",
        &json,
    ))
}

/// The pending login of a cookie, if it is genuine and fresh.
pub fn open_pending(state: &AppState, text: &str) -> Option<PendingLogin> {
    use base64::Engine;
    let sealed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .ok()?;
    let json = tokens::open(&state.settings.token_key(), "sso-pending", &sealed)?;
    let pending: PendingLogin = serde_json::from_slice(&json).ok()?;
    (pending.expires > Utc::now().timestamp()).then_some(pending)
}

/// What the audit row of a sign-on refused for `reason` says (no personal data: the reason, and
/// for an ID token the check it failed).
fn failure_entry(
    request_id: Option<&str>,
    reason: &'static str,
    check: Option<&'static str>,
) -> AuditEntry {
    let mut details = serde_json::json!({ "via": "sso", "reason": reason });
    if let Some(check) = check {
        details["check"] = check.into();
    }
    AuditEntry::new(&Actor::Anonymous, "login")
        .request(request_id)
        .failed()
        .details(details)
}

/// A failed sign-on, audited in its service.
async fn audit_failure(
    db: &Db,
    tenant: TenantId,
    request_id: Option<&str>,
    reason: &'static str,
    check: Option<&'static str>,
) -> Result<(), AppError> {
    let entry = failure_entry(request_id, reason, check);
    db.tenant(tenant, move |conn| {
        audit::record(conn, tenant, entry).map_err(AppError::from)
    })
    .await
}

/// What the provider sent the browser back with.
pub struct Callback<'a> {
    pub code: Option<&'a str>,
    pub state: &'a str,
    pub user_agent: Option<&'a str>,
    pub request_id: Option<&'a str>,
}

/// Completes a login at the callback: the state checked against the browser's pending login,
/// the code exchanged and the ID token checked, the person matched to their invited account,
/// their role set from their groups where the service maps them, and a session started. Returns
/// the session token and the way on.
pub async fn complete(
    state: &actix_web::web::Data<AppState>,
    pending: Option<PendingLogin>,
    back: Callback<'_>,
) -> Result<(String, String), SsoFailure> {
    let Some(pending) = pending else {
        tracing::info!("single sign-on callback without a pending login");
        return Err(SsoFailure::Refused(Refusal::SsoStateMismatch));
    };
    let tenant = TenantId(pending.tenant);
    if let Err(refused) = rules::same_state(&pending.state, back.state) {
        audit_failure(&state.db, tenant, back.request_id, "state", None).await?;
        return Err(refused.into());
    }
    let Some(code) = back.code.filter(|c| !c.is_empty()) else {
        audit_failure(&state.db, tenant, back.request_id, "provider_refused", None).await?;
        return Err(SsoFailure::Rejected);
    };
    let row = stored(&state.db, tenant)
        .await?
        .ok_or(SsoFailure::UnknownService)?;
    let settings = settings_of(state, &row)?;
    let identity = match provider::finish(
        &state.discovery,
        &settings,
        &callback_url(state),
        code,
        &pending.nonce,
        &pending.verifier,
    )
    .await
    {
        Ok(identity) => identity,
        Err(failure) => {
            let (reason, check) = match &failure {
                ProviderFailure::Unavailable(_) => ("provider_unavailable", None),
                ProviderFailure::Rejected(_) => ("token_rejected", None),
                ProviderFailure::TokenInvalid { check, .. } => ("token_invalid", Some(*check)),
            };
            audit_failure(&state.db, tenant, back.request_id, reason, check).await?;
            return Err(provider_failure(&failure));
        }
    };
    let app = state.clone();
    let user_agent = back.user_agent.map(str::to_owned);
    let request_id = back.request_id.map(str::to_owned);
    let outcome = state
        .db
        .tenant(tenant, move |conn| {
            let by_subject = queries::account_by_subject(conn, &identity.subject)?;
            let by_email = match &identity.email {
                Some(email) => queries::account_by_email(conn, email)?,
                None => None,
            };
            let account =
                match rules::matched_account(by_subject, by_email, identity.email_verified) {
                    Ok(account) => account,
                    Err(refused) => {
                        let reason = match &refused {
                            AppError::Refused {
                                rule: Refusal::SsoAccountDisabled,
                                ..
                            } => "account_disabled",
                            _ => "no_account",
                        };
                        audit::record(
                            conn,
                            tenant,
                            failure_entry(request_id.as_deref(), reason, None),
                        )?;
                        return Ok(Err(refused));
                    }
                };
            let user: Uuid = account.user;
            let actor = Actor::User(user);
            if by_subject.is_none() {
                queries::link(conn, tenant, &identity.subject, user)?;
            }
            if let Some(role) = row.group_roles.role_for(&identity.groups) {
                let before = queries::set_role(conn, tenant, user, role)?;
                if before != role.as_str() {
                    audit::record(
                        conn,
                        tenant,
                        AuditEntry::new(&actor, "user.role_from_groups")
                            .object("user", user)
                            .request(request_id.as_deref())
                            .details(serde_json::json!({ "from": before, "to": role.as_str() })),
                    )?;
                }
            }
            let token = session::start_in(conn, &app, tenant, user, user_agent.as_deref())?;
            audit::record(
                conn,
                tenant,
                AuditEntry::new(&actor, "login")
                    .request(request_id.as_deref())
                    .details(serde_json::json!({ "via": "sso" })),
            )?;
            Ok::<_, AppError>(Ok(token))
        })
        .await?;
    let token = outcome?;
    Ok((token, pending.next))
}

/// The provider as the admin's form shows it (never the secret).
#[derive(Debug, Clone, Default)]
pub struct ProviderView {
    pub configured: bool,
    pub slug: String,
    pub form: ProviderForm,
}

pub async fn provider_view(db: &Db, tenant: TenantId) -> Result<ProviderView, AppError> {
    db.tenant(tenant, move |conn| {
        let slug = queries::slug(conn, tenant)?;
        let row = queries::provider(conn)?;
        Ok::<_, AppError>(match row {
            Some(row) => ProviderView {
                configured: true,
                slug,
                form: ProviderForm {
                    label: row.label,
                    issuer: row.issuer,
                    client_id: row.client_id,
                    client_secret: String::new(),
                    group_roles: row.group_roles.text(),
                    password_login: row.password_login.then(|| "on".to_owned()),
                },
            },
            None => ProviderView {
                configured: false,
                slug,
                form: ProviderForm {
                    password_login: Some("on".into()),
                    ..ProviderForm::default()
                },
            },
        })
    })
    .await
}

/// Saves the service's provider after checking that it answers (its discovery document); on bad
/// input, each wrong field's id with its message key, and nothing written.
pub async fn save_provider(
    state: &AppState,
    caller: Caller,
    form: &ProviderForm,
) -> Result<Result<(), Vec<(&'static str, &'static str)>>, AppError> {
    let tenant = caller.tenant;
    let before = stored(&state.db, tenant).await?;
    let input = match form.parse(before.is_some()) {
        Ok(input) => input,
        Err(errors) => return Ok(Err(errors)),
    };
    // Always fetched afresh: the admin is checking the provider as it answers now.
    if let Err(failure) = provider::discover(&state.discovery, &input.issuer).await {
        tracing::info!(?failure, "a provider being set up did not answer");
        return Ok(Err(vec![("issuer", "sso.error_issuer_unreachable")]));
    }
    let replaced = input.client_secret.is_some();
    let sealed = match (&input.client_secret, before) {
        (Some(secret), _) => tokens::seal(
            &state.settings.token_key(),
            SECRET_PURPOSE,
            secret.as_bytes(),
        ),
        (None, Some(before)) => before.client_secret_sealed,
        (None, None) => return Err(AppError::Internal("a provider without a secret".into())),
    };
    let row = ProviderRow {
        label: input.label,
        issuer: input.issuer,
        client_id: input.client_id,
        client_secret_sealed: sealed,
        group_roles: input.group_roles,
        password_login: input.password_login,
    };
    state
        .db
        .tenant(tenant, move |conn| {
            queries::save(conn, tenant, &row)?;
            audit::record(
                conn,
                tenant,
                caller.audit("tenant.sso").details(serde_json::json!({
                    "issuer": row.issuer,
                    "client_id": row.client_id,
                    "secret_replaced": replaced,
                    "group_roles": row.group_roles.0.len(),
                    "password_login": row.password_login,
                })),
            )?;
            Ok::<_, AppError>(())
        })
        .await?;
    Ok(Ok(()))
}
