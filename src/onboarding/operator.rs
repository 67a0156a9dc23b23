//! The platform operator's pages: log in and onboard a child welfare service, which emails its
//! first admin a setup link. Operators are not staff of any service and see no service's data;
//! their accounts are made with `tillit operator create`.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{FromRequest, HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use chrono::{Duration, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use serde::Deserialize;
use uuid::Uuid;

use super::{NewTenant, create_tenant};
use crate::access::factor::{
    self, CodeForm, FactorLogin, FactorStore, Outcome, Passed, Pending, Realm,
};
use crate::access::passwords;
use crate::audit::Actor;
use crate::db::TenantId;
use crate::db::schema::{
    operator_audit, operator_factors, operator_recovery_codes, operator_sessions, operators,
};
use crate::fields::Email;
use crate::tokens;
use crate::web::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::form_errors::FormFailure;
use crate::web::i18n::Tr;
use crate::web::limits::client_address;
use crate::web::pages::{Shell, render};
use crate::web::problem::AppError;
use crate::web::refusal::Refusal;

const TOKEN_PREFIX: &str = "tlo_";
/// Operator sessions are short: they only onboard services.
const SESSION_HOURS: i64 = 2;

fn cookie_name(https: bool) -> &'static str {
    if https {
        "__Host-tillit-operator"
    } else {
        "tillit_operator"
    }
}

/// Creates the operator account for `email`, or gives an existing one a new password and removes
/// their second factor (the way back for an operator who lost it: this runs on the server). The
/// operator sets up a factor at their next login. Returns the generated password, shown once.
pub async fn create_or_reset(state: &AppState, email: &Email) -> Result<(Uuid, String), AppError> {
    let password = tokens::issue("").text;
    let secret = password.clone();
    let hash = web::block(move || passwords::hash(&secret))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::Internal)?;
    let email = email.to_string();
    let id = state
        .db
        .unscoped(move |conn| {
            let existing: Option<Uuid> = operators::table
                .filter(operators::email.eq(&email))
                .select(operators::id)
                .first(conn)
                .optional()?;
            let id = match existing {
                Some(id) => {
                    diesel::update(operators::table.find(id))
                        .set(operators::password_hash.eq(&hash))
                        .execute(conn)?;
                    OperatorFactor(id).remove(conn)?;
                    diesel::update(
                        operator_sessions::table
                            .filter(operator_sessions::operator_id.eq(id))
                            .filter(operator_sessions::ended_at.is_null()),
                    )
                    .set(operator_sessions::ended_at.eq(Utc::now()))
                    .execute(conn)?;
                    id
                }
                None => {
                    let id = Uuid::now_v7();
                    diesel::insert_into(operators::table)
                        .values((
                            operators::id.eq(id),
                            operators::email.eq(&email),
                            operators::password_hash.eq(&hash),
                        ))
                        .execute(conn)?;
                    id
                }
            };
            Ok::<_, AppError>(id)
        })
        .await?;
    Ok((id, password))
}

/// A signed-in platform operator.
pub struct Operator {
    pub id: Uuid,
    pub email: String,
    pub shell: Shell,
}

impl FromRequest for Operator {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let shell = Shell::for_request(req);
        let token = state.as_ref().and_then(|s| {
            req.cookie(cookie_name(s.settings.https()))
                .map(|c| c.value().to_owned())
        });
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::Internal("no app state".into()))?;
            let token = token
                .filter(|t| tokens::looks_like(t, TOKEN_PREFIX))
                .ok_or(AppError::Unauthorized)?;
            let hash = tokens::hash(&token);
            let found = state
                .db
                .unscoped(move |conn| {
                    operator_sessions::table
                        .inner_join(operators::table)
                        .filter(operator_sessions::token_hash.eq(hash))
                        .filter(operator_sessions::ended_at.is_null())
                        .filter(operator_sessions::expires_at.gt(Utc::now()))
                        .select((operators::id, operators::email))
                        .first::<(Uuid, String)>(conn)
                        .optional()
                        .map_err(AppError::from)
                })
                .await?;
            let (id, email) = found.ok_or(AppError::Unauthorized)?;
            Ok(Operator { id, email, shell })
        })
    }
}

#[derive(Template)]
#[template(path = "tenancy/operator_login.html")]
struct LoginPage {
    tr: Tr,
    shell: Shell,
    failed: bool,
}

#[get("/operator/login")]
pub async fn login_page(tr: Tr, shell: Shell) -> Result<HttpResponse, AppError> {
    render(
        StatusCode::OK,
        &LoginPage {
            tr,
            shell,
            failed: false,
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    pub email: String,
    pub password: String,
}

#[post("/operator/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let email = form.email.trim().to_lowercase();
    state.limits.login(&client_address(&req), &email).await?;
    let lookup = email.clone();
    let found = state
        .db
        .unscoped(move |conn| {
            operators::table
                .filter(operators::email.eq(lookup))
                .select((operators::id, operators::password_hash))
                .first::<(Uuid, String)>(conn)
                .optional()
                .map_err(AppError::from)
        })
        .await?;
    let password = form.password.clone();
    let stored = found.as_ref().map(|(_, hash)| hash.clone());
    let verified = web::block(move || match stored {
        Some(hash) => passwords::verify(&password, &hash),
        None => {
            passwords::verify_nothing(&password);
            false
        }
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let Some((id, _)) = found.filter(|_| verified) else {
        tracing::info!("operator login failed");
        return render(
            StatusCode::UNAUTHORIZED,
            &LoginPage {
                tr,
                shell,
                failed: true,
            },
        );
    };
    let enrolled = state
        .db
        .unscoped(move |conn| OperatorFactor(id).exists(conn).map_err(AppError::from))
        .await?;
    // Every operator passes a second factor: the code, or its setup at the first login.
    let to = if enrolled { REALM.factor } else { REALM.enrol };
    Ok(Pending::in_realm(REALM, NO_SERVICE, id, "/operator").redirect(&state, to))
}

/// The operator's factor pages and pending login, apart from staff's.
const REALM: Realm = Realm {
    login: "/operator/login",
    factor: "/operator/login/factor",
    enrol: "/operator/login/enrol",
    cookie: "tillit_operator_pending",
    host_cookie: "__Host-tillit-operator-pending",
    purpose: "pending-operator-login",
};

/// Operators belong to no service.
const NO_SERVICE: TenantId = TenantId(Uuid::nil());

/// An operator's factor (`operator_factors`, `operator_recovery_codes`).
pub struct OperatorFactor(pub Uuid);

crate::factor_store!(OperatorFactor, |self| {
    factor: operator_factors.find(self.0),
    new_factor: (operator_factors::operator_id.eq(self.0),),
    codes: operator_recovery_codes.filter(operator_recovery_codes::operator_id.eq(self.0)),
    new_code: (operator_recovery_codes::operator_id.eq(self.0),),
});

/// Appends a row to the operators' own log (`operator_audit`), in the caller's transaction.
fn record(
    conn: &mut PgConnection,
    operator: Uuid,
    action: &'static str,
    outcome: Outcome,
    request_id: Option<&str>,
    details: serde_json::Value,
) -> QueryResult<()> {
    let outcome = match outcome {
        Outcome::Success => "success",
        Outcome::Failed => "failure",
    };
    diesel::insert_into(operator_audit::table)
        .values((
            operator_audit::operator_id.eq(operator),
            operator_audit::action.eq(action),
            operator_audit::outcome.eq(outcome),
            operator_audit::request_id.eq(request_id),
            operator_audit::details.eq(details),
        ))
        .execute(conn)
        .map(drop)
}

/// An operator's password login at `/operator/login`, through the same factor steps as staff's.
pub struct OperatorLogin;

impl FactorLogin for OperatorLogin {
    const REALM: Realm = REALM;
    const LOST: &'static str = "operator.factor_lost";
    const INTRO: &'static str = "operator.enrol_intro";
    type Store = OperatorFactor;

    fn store(pending: &Pending) -> OperatorFactor {
        OperatorFactor(pending.user)
    }

    async fn run<T, F>(state: &AppState, _: &Pending, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection) -> Result<T, AppError> + Send + 'static,
    {
        state.db.unscoped(f).await
    }

    fn account_name(conn: &mut PgConnection, pending: &Pending) -> QueryResult<String> {
        operators::table
            .find(pending.user)
            .select(operators::email)
            .first(conn)
    }

    fn audit(
        conn: &mut PgConnection,
        pending: &Pending,
        action: &'static str,
        outcome: Outcome,
        request_id: Option<&str>,
    ) -> QueryResult<()> {
        let details = serde_json::json!({});
        record(conn, pending.user, action, outcome, request_id, details)
    }

    fn start_session(
        conn: &mut PgConnection,
        _: &AppState,
        pending: &Pending,
        _user_agent: Option<&str>,
        request_id: Option<&str>,
        via: Passed,
    ) -> Result<String, AppError> {
        let id = pending.user;
        let token = tokens::issue(TOKEN_PREFIX);
        diesel::insert_into(operator_sessions::table)
            .values((
                operator_sessions::id.eq(Uuid::now_v7()),
                operator_sessions::operator_id.eq(id),
                operator_sessions::token_hash.eq(&token.hash),
                operator_sessions::expires_at.eq(Utc::now() + Duration::hours(SESSION_HOURS)),
            ))
            .execute(conn)?;
        diesel::update(operators::table.find(id))
            .set(operators::last_login_at.eq(Utc::now()))
            .execute(conn)?;
        let details = serde_json::json!({ "second_factor": via.as_str() });
        record(conn, id, "login", Outcome::Success, request_id, details)?;
        tracing::info!(operator = %id, "operator logged in");
        Ok(token.text)
    }

    fn session_cookie(token: &str, https: bool) -> Cookie<'static> {
        Cookie::build(cookie_name(https), token.to_owned())
            .path("/")
            .http_only(true)
            .secure(https)
            .same_site(SameSite::Strict)
            .finish()
    }
}

#[get("/operator/login/factor")]
pub async fn code_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
) -> Result<HttpResponse, AppError> {
    factor::code_form_in::<OperatorLogin>(req, state, tr, shell).await
}

#[post("/operator/login/factor")]
pub async fn submit_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<HttpResponse, AppError> {
    factor::submit_code_in::<OperatorLogin>(req, state, tr, shell, form).await
}

#[get("/operator/login/enrol")]
pub async fn enrol_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
) -> Result<HttpResponse, AppError> {
    factor::enrol_form_in::<OperatorLogin>(req, state, tr, shell).await
}

#[post("/operator/login/enrol")]
pub async fn enrol_at_login(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<HttpResponse, AppError> {
    factor::enrol_at_login_in::<OperatorLogin>(req, state, tr, shell, form).await
}

#[derive(Template)]
#[template(path = "tenancy/operator_home.html")]
struct HomePage {
    tr: Tr,
    shell: Shell,
    email: String,
    form: TenantForm,
    /// What was wrong with the new service, at its fields.
    failure: FormFailure,
    created: Option<String>,
    resent: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct TenantForm {
    pub slug: String,
    pub name: String,
    /// Kommunenummer separated by commas or spaces.
    pub municipalities: String,
    pub admin_email: String,
}

#[derive(Debug, Deserialize)]
pub struct CreatedQuery {
    pub created: Option<String>,
    /// How many setup links were sent again (`none` for an unknown service).
    pub resent: Option<String>,
}

#[get("/operator")]
pub async fn home(
    operator: Operator,
    tr: Tr,
    query: web::Query<CreatedQuery>,
) -> Result<HttpResponse, AppError> {
    render(
        StatusCode::OK,
        &HomePage {
            tr,
            shell: operator.shell,
            email: operator.email,
            form: TenantForm::default(),
            failure: FormFailure::default(),
            created: query.created.clone(),
            resent: query.resent.clone(),
        },
    )
}

/// Creates a service and emails its admin the setup link (through the job queue).
#[post("/operator/tenants")]
pub async fn create(
    state: web::Data<AppState>,
    operator: Operator,
    tr: Tr,
    CsrfForm(form): CsrfForm<TenantForm>,
) -> Result<HttpResponse, AppError> {
    let numbers: Vec<String> = form
        .municipalities
        .split([',', ' ', ';'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect();
    let parsed = NewTenant::parse(&form.slug, &form.name, &numbers, &form.admin_email);
    let result = match parsed {
        Ok(new) => {
            let slug = new.slug.to_string();
            create_tenant(
                &state.db,
                state.settings.clone(),
                new,
                Actor::Operator(operator.id.to_string()),
            )
            .await
            .map(|_| slug)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(slug) => Ok(HttpResponse::SeeOther()
            .insert_header((LOCATION, format!("/operator?created={slug}")))
            .finish()),
        Err(e) => {
            let Some(failure) = FormFailure::of(&e, &tr, str::to_owned) else {
                return Err(e);
            };
            // A slug another service has is refused at the slug.
            let failure = match (&e, failure.problem) {
                (
                    AppError::Refused {
                        rule: Refusal::SlugTaken,
                        ..
                    },
                    Some(problem),
                ) => FormFailure {
                    fields: vec![("slug".to_owned(), problem)],
                    problem: None,
                },
                (_, problem) => FormFailure { problem, ..failure },
            };
            render(
                actix_web::ResponseError::status_code(&e),
                &HomePage {
                    tr,
                    shell: operator.shell,
                    email: operator.email,
                    failure,
                    form,
                    created: None,
                    resent: None,
                },
            )
        }
    }
}

#[post("/operator/logout")]
pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    _operator: Operator,
    CsrfForm(_): CsrfForm<crate::access::login::Empty>,
) -> Result<HttpResponse, AppError> {
    let https = state.settings.https();
    if let Some(token) = req.cookie(cookie_name(https)) {
        let hash = tokens::hash(token.value());
        state
            .db
            .unscoped(move |conn| {
                diesel::update(
                    operator_sessions::table.filter(operator_sessions::token_hash.eq(hash)),
                )
                .set(operator_sessions::ended_at.eq(Utc::now()))
                .execute(conn)
                .map_err(AppError::from)
            })
            .await?;
    }
    let mut removal = Cookie::build(cookie_name(https), "")
        .path("/")
        .secure(https)
        .finish();
    removal.make_removal();
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, "/operator/login"))
        .cookie(removal)
        .finish())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResendForm {
    pub slug: String,
}

/// Sends a new setup link to the service's admins who have not set a password yet (the old link
/// stops working). For an admin whose link expired or got lost.
#[post("/operator/setup-links")]
pub async fn resend_setup(
    state: web::Data<AppState>,
    operator: Operator,
    CsrfForm(form): CsrfForm<ResendForm>,
) -> Result<HttpResponse, AppError> {
    let location = match crate::tenancy::Slug::parse(&form.slug) {
        Err(_) => "/operator?resent=none".to_owned(),
        Ok(slug) => match crate::tenancy::tenant_by_slug(&state.db, &slug).await? {
            None => "/operator?resent=none".to_owned(),
            Some(tenant) => {
                let settings = state.settings.clone();
                let actor = Actor::Operator(operator.id.to_string());
                let sent = state
                    .db
                    .tenant(tenant, move |conn| {
                        use crate::db::schema::users;
                        let admins: Vec<Uuid> = users::table
                            .filter(users::role.eq(crate::access::Role::TenantAdmin.as_str()))
                            .filter(users::active.eq(true))
                            .filter(users::password_hash.is_null())
                            .select(users::id)
                            .load(conn)?;
                        for admin in &admins {
                            crate::access::account_links::issue(
                                conn,
                                &settings,
                                tenant,
                                *admin,
                                crate::access::account_links::Purpose::Setup,
                            )?;
                            crate::audit::record(
                                conn,
                                tenant,
                                crate::audit::AuditEntry::new(&actor, "user.setup_resend")
                                    .object("user", admin),
                            )?;
                        }
                        Ok::<_, AppError>(admins.len())
                    })
                    .await?;
                format!("/operator?resent={sent}")
            }
        },
    };
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, location))
        .finish())
}
