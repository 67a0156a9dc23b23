//! Protection against cross-site request forgery for every form.
//!
//! Each browser gets a random seed in a cookie (HttpOnly, SameSite=Strict, `__Host-` prefixed
//! over HTTPS). A form carries `csrf` = HMAC(server key, seed); a POST is accepted only when the
//! field matches the HMAC of the cookie it arrived with. Another site can neither read the cookie
//! nor compute the HMAC, so it cannot forge the field. The seed is replaced at login.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use serde::de::DeserializeOwned;

use crate::tokens;
use crate::web::AppState;
use crate::web::problem::AppError;

/// This browser's seed, set by [`ensure_seed`] for every request.
#[derive(Debug, Clone)]
pub struct CsrfSeed(pub String);

pub fn cookie_name(https: bool) -> &'static str {
    if https {
        "__Host-tillit-csrf"
    } else {
        "tillit_csrf"
    }
}

/// A cookie carrying a new seed.
pub fn seed_cookie(seed: &str, https: bool) -> Cookie<'static> {
    Cookie::build(cookie_name(https), seed.to_owned())
        .path("/")
        .http_only(true)
        .secure(https)
        .same_site(SameSite::Strict)
        .finish()
}

/// A fresh random seed.
pub fn new_seed() -> String {
    tokens::issue("").text
}

/// The form token for `seed`.
pub fn token(state: &AppState, seed: &str) -> String {
    state.settings.token_key().mac("csrf", seed.as_bytes())
}

/// The form token of this request's browser.
pub fn token_for(req: &HttpRequest) -> String {
    let seed = req.extensions().get::<CsrfSeed>().map(|s| s.0.clone());
    match (req.app_data::<web::Data<AppState>>(), seed) {
        (Some(state), Some(seed)) => token(state, &seed),
        _ => String::new(),
    }
}

/// Middleware: makes sure the browser has a seed, and sets the cookie when it did not (unless the
/// handler set a new one itself, as login does).
pub async fn ensure_seed(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let https = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.settings.https());
    let name = cookie_name(https);
    let existing = req
        .cookie(name)
        .map(|c| c.value().to_owned())
        .filter(|v| tokens::looks_like(v, ""));
    let fresh = existing.is_none();
    let seed = existing.unwrap_or_else(new_seed);
    req.extensions_mut().insert(CsrfSeed(seed.clone()));
    let mut res = next.call(req).await?;
    let handler_set_one = res.response().cookies().any(|c| c.name() == name);
    if fresh && !handler_set_one {
        res.response_mut().add_cookie(&seed_cookie(&seed, https))?;
    }
    Ok(res)
}

/// A form body whose `csrf` field matched. `T` is the rest of the form (serde ignores `csrf`).
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let expected = token_for(req);
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map_or(0, |s| s.settings.http.body_limit_bytes);
        let is_form = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_form {
                return Err(AppError::UnsupportedMediaType);
            }
            let body = body.await.map_err(|e| {
                if e.as_response_error().status_code()
                    == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE
                {
                    AppError::PayloadTooLarge(limit)
                } else {
                    AppError::Malformed("the form could not be read".into())
                }
            })?;
            let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
                .map_err(|_| AppError::Malformed("the form could not be read".into()))?;
            let presented = fields
                .iter()
                .find(|(k, _)| k == "csrf")
                .map(|(_, v)| v.as_str())
                .unwrap_or_default();
            if expected.is_empty() || !tokens::same(presented, &expected) {
                return Err(AppError::CsrfRejected);
            }
            crate::fields::reading_form(|| serde_urlencoded::from_bytes(&body))
                .map(CsrfForm)
                .map_err(|e| AppError::Malformed(format!("the form is missing a field: {e}")))
        })
    }
}
