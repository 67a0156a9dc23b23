//! The doors in: login and logout, the pages emailed account links open (set a password), and
//! the password-reset request. Every attempt is rate limited and every login, good or bad, is
//! audited in the service it concerns.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde::Deserialize;
use uuid::Uuid;

use super::account_links::{self, Purpose};
use super::factor::{self, NextStep, Pending};
use super::passwords;
use super::session::{self, Staff};
use super::sso::{self, actions::LoginOption};
use crate::audit::{self, Actor, AuditEntry};
use crate::db::TenantId;
use crate::db::schema::{account_tokens, tenants, users};
use crate::fields::Email;
use crate::tokens::{AccountLink, LinkToken};
use crate::web::AppState;
use crate::web::csrf::{self, CsrfForm};
use crate::web::i18n::Tr;
use crate::web::limits::client_address;
use crate::web::pages::{Shell, render};
use crate::web::problem::AppError;

/// A local path to go to after login; anything else goes home.
pub(crate) fn local_next(next: Option<&str>) -> String {
    next.filter(|n| {
        n.starts_with('/')
            && !n.starts_with("//")
            && n.chars().all(|c| c.is_ascii_graphic() && c != '\\')
    })
    .unwrap_or("/")
    .to_owned()
}

/// A service the person has an account with, to choose when there are several.
pub struct ServiceChoice {
    pub tenant: Uuid,
    pub name: String,
}

#[derive(Template)]
#[template(path = "access/login.html")]
struct LoginPage {
    tr: Tr,
    shell: Shell,
    email: String,
    next: String,
    error: Option<&'static str>,
    choices: Vec<ServiceChoice>,
    /// The service's own provider, when the page is the service's (`?service=<slug>`).
    sso: Option<LoginOption>,
}

impl LoginPage {
    fn sso_button(&self) -> String {
        let label = self.sso.as_ref().map_or("", |o| o.label.as_str());
        crate::mail::templates::fill(self.tr.t("sso.login_with"), &[("provider", label)])
    }

    /// The password form is left out where the service switched password login off.
    fn password_form(&self) -> bool {
        self.sso.as_ref().is_none_or(|o| o.password_login)
    }
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
    /// The service whose login page this is (its slug): the page offers its provider.
    pub service: Option<String>,
}

/// The login page with `error` (a message key) and the service's provider, if any.
pub(crate) fn login_page_response(
    status: StatusCode,
    tr: Tr,
    shell: Shell,
    next: &str,
    error: Option<&'static str>,
    sso: Option<LoginOption>,
) -> Result<HttpResponse, AppError> {
    render(
        status,
        &LoginPage {
            tr,
            shell,
            email: String::new(),
            next: next.to_owned(),
            error,
            choices: Vec::new(),
            sso,
        },
    )
}

#[get("/login")]
pub async fn login_page(
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let sso = match query.service.as_deref() {
        Some(slug) => sso::actions::login_option(&state.db, slug).await?,
        None => None,
    };
    let next = local_next(query.next.as_deref());
    login_page_response(StatusCode::OK, tr, shell, &next, None, sso)
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    pub email: String,
    pub password: String,
    pub next: Option<String>,
    /// The chosen service, when the person has accounts with several.
    pub tenant: Option<Uuid>,
    /// The service whose login page it was (its slug), to offer its provider again.
    pub service: Option<String>,
}

struct Candidate {
    tenant: TenantId,
    user: Uuid,
    name: String,
    password_hash: String,
}

/// Accounts with this email, across services (the one cross-tenant question a login asks).
async fn candidates(state: &AppState, email: &str) -> Result<Vec<Candidate>, AppError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        tenant_id: Uuid,
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        user_id: Uuid,
        #[diesel(sql_type = Text)]
        tenant_name: String,
        #[diesel(sql_type = Text)]
        password_hash: String,
    }
    let email = email.to_owned();
    let rows: Vec<Row> = state
        .db
        .unscoped(move |conn| {
            diesel::sql_query(
                "SELECT tenant_id, user_id, tenant_name, password_hash \
                 FROM platform_login_candidates($1)",
            )
            .bind::<Text, _>(email)
            .load(conn)
            .map_err(AppError::from)
        })
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| Candidate {
            tenant: TenantId(r.tenant_id),
            user: r.user_id,
            name: r.tenant_name,
            password_hash: r.password_hash,
        })
        .collect())
}

/// The response that signs a person in: the session cookie, a fresh form-token seed (so a token
/// known before login is worthless after it), and the way on.
pub(crate) fn signed_in(state: &AppState, token: &str, next: &str) -> HttpResponse {
    let https = state.settings.https();
    HttpResponse::SeeOther()
        .insert_header((LOCATION, next.to_owned()))
        .cookie(session::session_cookie(token, https))
        .cookie(csrf::seed_cookie(&csrf::new_seed(), https))
        .finish()
}

#[post("/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let next = local_next(form.next.as_deref());
    let typed = form.email.trim().to_lowercase();
    let sso = match form.service.as_deref() {
        Some(slug) => sso::actions::login_option(&state.db, slug).await?,
        None => None,
    };
    let page = |error, choices| LoginPage {
        tr,
        shell: shell.clone(),
        email: typed.clone(),
        next: next.clone(),
        error,
        choices,
        sso: sso.clone(),
    };
    if let Err(limited) = state.limits.login(&client_address(&req), &typed).await {
        tracing::info!("login rate limit reached");
        let mut response = render(
            StatusCode::TOO_MANY_REQUESTS,
            &page(Some("login.rate_limited"), Vec::new()),
        )?;
        if let AppError::RateLimited(seconds) = limited
            && let Ok(value) = seconds.to_string().parse()
        {
            response
                .headers_mut()
                .insert(actix_web::http::header::RETRY_AFTER, value);
        }
        return Ok(response);
    }
    let Ok(email) = Email::parse(&typed) else {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(Some("login.failed"), Vec::new()),
        );
    };
    let found = candidates(&state, email.as_str()).await?;
    let password = form.password.clone();
    let hashes: Vec<String> = found.iter().map(|c| c.password_hash.clone()).collect();
    let verified: Vec<bool> = web::block(move || {
        if hashes.is_empty() {
            passwords::verify_nothing(&password);
        }
        hashes
            .iter()
            .map(|h| passwords::verify(&password, h))
            .collect()
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut matching: Vec<&Candidate> = found
        .iter()
        .zip(&verified)
        .filter(|(_, ok)| **ok)
        .map(|(c, _)| c)
        .collect();
    if let Some(chosen) = form.tenant {
        matching.retain(|c| c.tenant.0 == chosen);
    }
    let request_id = crate::web::request_id(&req);
    match matching.as_slice() {
        [] => {
            for candidate in &found {
                let entry = AuditEntry::new(&Actor::User(candidate.user), "login")
                    .request(request_id.as_deref())
                    .failed();
                let tenant = candidate.tenant;
                state
                    .db
                    .tenant(tenant, move |conn| {
                        audit::record(conn, tenant, entry).map_err(AppError::from)
                    })
                    .await?;
            }
            if found.is_empty() {
                tracing::info!("login failed for an unknown account");
            }
            render(
                StatusCode::UNAUTHORIZED,
                &page(Some("login.failed"), Vec::new()),
            )
        }
        [one] => {
            let (tenant, user) = (one.tenant, one.user);
            let entry = AuditEntry::new(&Actor::User(user), "login").request(request_id.as_deref());
            let app = state.clone();
            let user_agent = factor::user_agent(&req);
            let outcome = state
                .db
                .tenant(tenant, move |conn| {
                    if let Err(refused) = sso::actions::check_password_login(conn)? {
                        audit::record(
                            conn,
                            tenant,
                            entry
                                .failed()
                                .details(serde_json::json!({ "reason": "password_login_off" })),
                        )?;
                        return Ok::<_, AppError>(Err(Err(refused)));
                    }
                    let step = factor::next_step(conn, tenant, user)?;
                    if step != NextStep::None {
                        return Ok(Err(Ok(step)));
                    }
                    let token = session::start_in(conn, &app, tenant, user, user_agent.as_deref())?;
                    audit::record(conn, tenant, entry)?;
                    Ok(Ok(token))
                })
                .await?;
            match outcome {
                Ok(token) => Ok(signed_in(&state, &token, &next)),
                Err(Err(refused)) => {
                    let key = match &refused {
                        AppError::Refused { rule, .. } => rule.title_key(),
                        _ => "login.failed",
                    };
                    let mut shown = page(Some(key), Vec::new());
                    shown.sso = sso::actions::option_in(&state.db, tenant).await?;
                    render(StatusCode::FORBIDDEN, &shown)
                }
                Err(Ok(step)) => {
                    let to = if step == NextStep::Code {
                        "/login/factor"
                    } else {
                        "/login/enrol"
                    };
                    Ok(Pending::new(tenant, user, &next).redirect(&state, to))
                }
            }
        }
        several => {
            let choices = several
                .iter()
                .map(|c| ServiceChoice {
                    tenant: c.tenant.0,
                    name: c.name.clone(),
                })
                .collect();
            render(StatusCode::OK, &page(Some("login.choose_service"), choices))
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Empty {}

#[post("/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    staff: Staff,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, AppError> {
    let (tenant, session_id) = (staff.tenant, staff.session_id);
    let entry = staff.caller().audit("logout");
    state
        .db
        .tenant(tenant, move |conn| {
            session::end(conn, tenant, session_id)?;
            audit::record(conn, tenant, entry)?;
            Ok::<_, AppError>(())
        })
        .await?;
    let https = state.settings.https();
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, "/login"))
        .cookie(session::removal_cookie(https))
        .cookie(csrf::seed_cookie(&csrf::new_seed(), https))
        .finish())
}

/// An account link that can still be used, with what its page shows.
struct UsableLink {
    tenant: TenantId,
    token_id: Uuid,
    user: Uuid,
    purpose: Purpose,
    email: String,
    display_name: String,
    service: String,
}

/// Finds the link of `token` if it is unused, unrevoked and unexpired. Unknown, used, revoked and
/// expired links all give `None`: the page cannot tell them apart, and neither can a guesser.
async fn usable_link(state: &AppState, token: &str) -> Result<Option<UsableLink>, AppError> {
    let Some(token) = LinkToken::<AccountLink>::parse(token) else {
        return Ok(None);
    };
    let Some((tenant, token_id)) = token.lookup(&state.db).await? else {
        return Ok(None);
    };
    state
        .db
        .tenant(tenant, move |conn| {
            let found: Option<(String, Uuid, String, String, bool, String)> = account_tokens::table
                .inner_join(
                    users::table.on(users::tenant_id
                        .eq(account_tokens::tenant_id)
                        .and(users::id.eq(account_tokens::user_id))),
                )
                .inner_join(tenants::table.on(tenants::id.eq(account_tokens::tenant_id)))
                .filter(account_tokens::id.eq(token_id))
                .filter(account_tokens::used_at.is_null())
                .filter(account_tokens::revoked_at.is_null())
                .filter(account_tokens::expires_at.gt(Utc::now()))
                .select((
                    account_tokens::purpose,
                    users::id,
                    users::email,
                    users::display_name,
                    users::active,
                    tenants::name,
                ))
                .first(conn)
                .optional()?;
            Ok::<_, AppError>(found.and_then(
                |(purpose, user, email, display_name, active, service)| {
                    let purpose = Purpose::parse(&purpose)?;
                    active.then_some(UsableLink {
                        tenant,
                        token_id,
                        user,
                        purpose,
                        email,
                        display_name,
                        service,
                    })
                },
            ))
        })
        .await
}

#[derive(Template)]
#[template(path = "access/setup.html")]
struct SetupPage {
    tr: Tr,
    shell: Shell,
    heading: &'static str,
    intro: String,
    email: String,
    display_name: String,
    ask_name: bool,
    name_error: Option<&'static str>,
    password_error: Option<&'static str>,
}

impl SetupPage {
    /// What the summary lists, each message linking to its field.
    fn errors(&self) -> Vec<(&'static str, &'static str)> {
        [
            ("display_name", self.name_error),
            ("password", self.password_error),
        ]
        .into_iter()
        .filter_map(|(id, key)| key.map(|key| (id, self.tr.t(key))))
        .collect()
    }

    fn name_message(&self) -> Option<&'static str> {
        self.name_error.map(|key| self.tr.t(key))
    }

    fn password_message(&self) -> Option<&'static str> {
        self.password_error.map(|key| self.tr.t(key))
    }
}

#[derive(Template)]
#[template(path = "access/link_invalid.html")]
struct LinkInvalidPage {
    tr: Tr,
    shell: Shell,
}

/// The setup page, with the message keys of what is wrong in the name and in the password.
fn setup_page(
    tr: Tr,
    shell: Shell,
    link: &UsableLink,
    name_error: Option<&'static str>,
    password_error: Option<&'static str>,
) -> SetupPage {
    let (heading, intro) = match link.purpose {
        Purpose::Setup => ("setup.heading_setup", "setup.intro_setup"),
        Purpose::Invitation => ("setup.heading_invitation", "setup.intro_invitation"),
        Purpose::PasswordReset => ("setup.heading_reset", "setup.intro_reset"),
    };
    SetupPage {
        heading: tr.t(heading),
        intro: crate::mail::templates::fill(tr.t(intro), &[("service", &link.service)]),
        email: link.email.clone(),
        display_name: link.display_name.clone(),
        ask_name: link.purpose != Purpose::PasswordReset,
        name_error,
        password_error,
        tr,
        shell,
    }
}

fn invalid_link(tr: Tr, shell: Shell) -> Result<HttpResponse, AppError> {
    render(StatusCode::NOT_FOUND, &LinkInvalidPage { tr, shell })
}

/// The page an account link opens. Only shows; a GET never changes anything (mail scanners
/// follow links).
#[get("/setup/{token}")]
pub async fn setup_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    state.limits.link(&client_address(&req)).await?;
    match usable_link(&state, &token).await? {
        Some(link) => render(StatusCode::OK, &setup_page(tr, shell, &link, None, None)),
        None => invalid_link(tr, shell),
    }
}

#[derive(Debug, Deserialize)]
pub struct SetupForm {
    pub password: String,
    pub password_repeat: String,
    pub display_name: Option<String>,
}

#[post("/setup/{token}")]
pub async fn setup(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    token: web::Path<String>,
    CsrfForm(form): CsrfForm<SetupForm>,
) -> Result<HttpResponse, AppError> {
    state.limits.link(&client_address(&req)).await?;
    let Some(link) = usable_link(&state, &token).await? else {
        return invalid_link(tr, shell);
    };
    let email_name = link.email.split('@').next().unwrap_or_default().to_owned();
    let password_error = passwords::check(
        &form.password,
        &form.password_repeat,
        &[&email_name, &link.service],
    )
    .err()
    .map(|weakness| weakness.message_key());
    let display_name = match form.display_name.as_deref().map(str::trim) {
        Some(name) if link.purpose != Purpose::PasswordReset => {
            crate::fields::required_text(name, 100).map_err(|_| "setup.name_required")
        }
        _ => Ok(link.display_name.clone()),
    };
    let display_name = match (display_name, password_error) {
        (Ok(name), None) => name,
        (name, password_error) => {
            let mut page = setup_page(tr, shell, &link, name.err(), password_error);
            if let Some(typed) = &form.display_name {
                page.display_name.clone_from(typed);
            }
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let password = form.password.clone();
    let hash = web::block(move || passwords::hash(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::Internal)?;
    let request_id = crate::web::request_id(&req);
    let (tenant, user, token_id, purpose) = (link.tenant, link.user, link.token_id, link.purpose);
    let app = state.clone();
    let session_token = state
        .db
        .tenant(tenant, move |conn| {
            // Used exactly once: the row is locked and re-checked, so two tabs cannot both win.
            let still_usable: Option<Uuid> = account_tokens::table
                .find((tenant.0, token_id))
                .filter(account_tokens::used_at.is_null())
                .filter(account_tokens::revoked_at.is_null())
                .select(account_tokens::id)
                .for_update()
                .first(conn)
                .optional()?;
            if still_usable.is_none() {
                return Ok(None);
            }
            diesel::update(account_tokens::table.find((tenant.0, token_id)))
                .set(account_tokens::used_at.eq(Utc::now()))
                .execute(conn)?;
            diesel::update(users::table.find((tenant.0, user)))
                .set((
                    users::password_hash.eq(&hash),
                    users::display_name.eq(&display_name),
                ))
                .execute(conn)?;
            session::end_all(conn, tenant, user)?;
            let actor = Actor::User(user);
            audit::record(
                conn,
                tenant,
                AuditEntry::new(&actor, "user.password_set")
                    .object("user", user)
                    .request(request_id.as_deref())
                    .details(serde_json::json!({ "via": purpose.as_str() })),
            )?;
            let token = session::start(conn, &app, tenant, user)?;
            audit::record(
                conn,
                tenant,
                AuditEntry::new(&actor, "login").request(request_id.as_deref()),
            )?;
            Ok::<_, AppError>(Some(token))
        })
        .await?;
    let Some(session_token) = session_token else {
        return invalid_link(tr, shell);
    };
    let next = if purpose == Purpose::Setup {
        "/admin"
    } else {
        "/"
    };
    Ok(signed_in(&state, &session_token, next))
}

#[derive(Template)]
#[template(path = "access/forgot.html")]
struct ForgotPage {
    tr: Tr,
    shell: Shell,
    sent: bool,
}

#[get("/password/forgot")]
pub async fn forgot_form(tr: Tr, shell: Shell) -> Result<HttpResponse, AppError> {
    render(
        StatusCode::OK,
        &ForgotPage {
            tr,
            shell,
            sent: false,
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    pub email: String,
}

/// Sends a reset link to every account with this email, and answers the same whether there is
/// one or not: the page never reveals whether an account exists.
#[post("/password/forgot")]
pub async fn forgot(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    CsrfForm(form): CsrfForm<ForgotForm>,
) -> Result<HttpResponse, AppError> {
    state.limits.link(&client_address(&req)).await?;
    if let Ok(email) = Email::parse(&form.email) {
        let request_id = crate::web::request_id(&req);
        for candidate in candidates(&state, email.as_str()).await? {
            let (tenant, user) = (candidate.tenant, candidate.user);
            let settings = state.settings.clone();
            let entry = AuditEntry::new(&Actor::User(user), "password_reset.request")
                .object("user", user)
                .request(request_id.as_deref());
            state
                .db
                .tenant(tenant, move |conn| {
                    account_links::issue(conn, &settings, tenant, user, Purpose::PasswordReset)?;
                    audit::record(conn, tenant, entry)?;
                    Ok::<_, AppError>(())
                })
                .await?;
        }
    }
    render(
        StatusCode::OK,
        &ForgotPage {
            tr,
            shell,
            sent: true,
        },
    )
}
