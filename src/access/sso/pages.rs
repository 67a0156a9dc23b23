//! The pages of single sign-on: the start of a login (to the provider), the callback the
//! provider sends the browser back to, and the admin's provider page.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::actions::{self, CALLBACK_PATH, Callback, ProviderView, SsoFailure};
use super::domain::ProviderForm;
use crate::access::factor;
use crate::access::login::{self, NextQuery};
use crate::access::session::AdminStaff;
use crate::web::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::i18n::Tr;
use crate::web::pages::{Shell, render};
use crate::web::problem::AppError;

fn cookie_name(https: bool) -> &'static str {
    if https {
        "__Host-tillit-sso"
    } else {
        "tillit_sso"
    }
}

fn pending_cookie(state: &AppState, value: String) -> Cookie<'static> {
    let https = state.settings.https();
    // Lax, not Strict: the provider's redirect back is a navigation from another site.
    Cookie::build(cookie_name(https), value)
        .path("/")
        .http_only(true)
        .secure(https)
        .same_site(SameSite::Lax)
        .max_age(actix_web::cookie::time::Duration::minutes(10))
        .finish()
}

fn removal(state: &AppState) -> Cookie<'static> {
    let mut cookie = pending_cookie(state, String::new());
    cookie.make_removal();
    cookie
}

/// The login page of the service again, with what went wrong.
async fn failed(
    state: &AppState,
    tr: Tr,
    shell: Shell,
    slug: Option<&str>,
    failure: &SsoFailure,
) -> Result<HttpResponse, AppError> {
    if let SsoFailure::App(err) = failure {
        tracing::error!(error = %err, "single sign-on failed");
    }
    let option = match slug {
        Some(slug) => actions::login_option(&state.db, slug).await?,
        None => None,
    };
    let status = match failure {
        SsoFailure::Refused(_) => StatusCode::FORBIDDEN,
        SsoFailure::UnknownService => StatusCode::NOT_FOUND,
        SsoFailure::Unavailable | SsoFailure::App(_) => StatusCode::BAD_GATEWAY,
        SsoFailure::Rejected => StatusCode::UNAUTHORIZED,
    };
    let mut response =
        login::login_page_response(status, tr, shell, "/", Some(failure.message_key()), option)?;
    response.add_removal_cookie(&removal(state)).ok();
    Ok(response)
}

/// Sends the browser to the service's provider, with a fresh state, nonce and PKCE challenge.
#[get("/login/sso/{slug}")]
pub async fn start(
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    slug: web::Path<String>,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let next = login::local_next(query.next.as_deref());
    match actions::begin(&state, &slug, &next).await {
        Ok((url, pending)) => Ok(HttpResponse::SeeOther()
            .insert_header((LOCATION, url))
            .cookie(pending_cookie(
                &state,
                actions::seal_pending(&state, &pending),
            ))
            .finish()),
        Err(failure) => failed(&state, tr, shell, Some(&slug), &failure).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    pub code: Option<String>,
    #[serde(default)]
    pub state: String,
    /// Set when the provider refused (e.g. `access_denied`).
    pub error: Option<String>,
}

/// Where the provider sends the browser back: completes the login and starts the session.
#[get("/login/sso/callback")]
pub async fn callback(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse, AppError> {
    let pending = req
        .cookie(cookie_name(state.settings.https()))
        .and_then(|c| actions::open_pending(&state, c.value()));
    let slug = match &pending {
        Some(p) => actions::option_in(&state.db, crate::db::TenantId(p.tenant))
            .await?
            .map(|o| o.slug),
        None => None,
    };
    let request_id = crate::web::request_id(&req);
    let user_agent = factor::user_agent(&req);
    let code = if query.error.is_some() {
        None
    } else {
        query.code.as_deref()
    };
    let back = Callback {
        code,
        state: &query.state,
        user_agent: user_agent.as_deref(),
        request_id: request_id.as_deref(),
    };
    match actions::complete(&state, pending, back).await {
        Ok((token, next)) => {
            let mut response = login::signed_in(&state, &token, &next);
            response.add_removal_cookie(&removal(&state)).ok();
            Ok(response)
        }
        Err(failure) => failed(&state, tr, shell, slug.as_deref(), &failure).await,
    }
}

#[derive(Template)]
#[template(path = "access/admin_sso.html")]
struct AdminPage {
    tr: Tr,
    shell: Shell,
    view: ProviderView,
    login_url: String,
    redirect_url: String,
    saved: bool,
    errors: Vec<(&'static str, &'static str)>,
}

impl AdminPage {
    fn summary(&self) -> Vec<(&'static str, &'static str)> {
        self.errors
            .iter()
            .map(|(id, key)| (*id, self.tr.t(key)))
            .collect()
    }

    fn error(&self, id: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, key)| self.tr.t(key))
    }

    fn secret_hint(&self) -> &'static str {
        self.tr.t(if self.view.configured {
            "sso.client_secret_kept"
        } else {
            "sso.client_secret_hint"
        })
    }
}

fn admin_page(
    state: &AppState,
    tr: Tr,
    shell: Shell,
    view: ProviderView,
    saved: bool,
    errors: Vec<(&'static str, &'static str)>,
) -> AdminPage {
    let base = state.settings.base_url();
    AdminPage {
        login_url: format!("{base}/login?service={}", view.slug),
        redirect_url: format!("{base}{CALLBACK_PATH}"),
        tr,
        shell,
        view,
        saved,
        errors,
    }
}

#[derive(Debug, Deserialize)]
pub struct SavedQuery {
    pub saved: Option<String>,
}

#[get("/admin/sso")]
pub async fn admin_form(
    state: web::Data<AppState>,
    tr: Tr,
    AdminStaff(staff): AdminStaff,
    query: web::Query<SavedQuery>,
) -> Result<HttpResponse, AppError> {
    let view = actions::provider_view(&state.db, staff.tenant).await?;
    let page = admin_page(
        &state,
        tr,
        staff.shell.clone(),
        view,
        query.saved.is_some(),
        Vec::new(),
    );
    render(StatusCode::OK, &page)
}

#[post("/admin/sso")]
pub async fn admin_save(
    state: web::Data<AppState>,
    tr: Tr,
    AdminStaff(staff): AdminStaff,
    CsrfForm(form): CsrfForm<ProviderForm>,
) -> Result<HttpResponse, AppError> {
    match actions::save_provider(&state, staff.caller(), &form).await? {
        Ok(()) => Ok(HttpResponse::SeeOther()
            .insert_header((LOCATION, "/admin/sso?saved=1"))
            .finish()),
        Err(errors) => {
            let mut view = actions::provider_view(&state.db, staff.tenant).await?;
            view.form = ProviderForm {
                client_secret: String::new(),
                ..form
            };
            let page = admin_page(&state, tr, staff.shell.clone(), view, false, errors);
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}
