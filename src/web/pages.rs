//! What every server-rendered page shares: the values the layout needs ([`Shell`]), turning a
//! template into a response, the front page and the error page.
//!
//! A page is an askama template that `{% extends "layout.html" %}` and whose struct has two
//! fields the layout reads: `tr: Tr` (the texts, in the reader's language) and `shell: Shell`.
//! Both are extractors, so a handler takes them as arguments and passes them on.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::ContentType;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use askama::Template;

use crate::web::i18n::Tr;
use crate::web::problem::AppError;

/// What the layout shows around a page besides the texts.
#[derive(Debug, Clone, Default)]
pub struct Shell {
    /// The path and query of this page, so the language switch can come back to it.
    pub here: String,
    /// The signed-in person's child welfare service, shown next to the product name.
    pub service: Option<String>,
    /// The form token for this browser (every form carries it as `csrf`).
    pub csrf: String,
    /// Links for a signed-in person: (href, catalogue key, current?). Empty when signed out.
    pub nav: Vec<NavLink>,
}

/// One link of the signed-in navigation.
#[derive(Debug, Clone)]
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

impl Shell {
    /// The shell of a page for a signed-out visitor.
    pub fn for_request(req: &HttpRequest) -> Self {
        let here = if req.method() == actix_web::http::Method::GET {
            req.uri()
                .path_and_query()
                .map_or("/", |pq| pq.as_str())
                .to_owned()
        } else {
            // A page shown after a failed form answers at the form's POST address, which may have
            // no page of its own: the language switch goes back to the page the form sits on
            // (its parent path) unless the page names itself (`Shell::here`).
            let path = req.uri().path();
            match path.rsplit_once('/') {
                Some((parent, _)) if !parent.is_empty() => parent.to_owned(),
                _ => "/".to_owned(),
            }
        };
        Self {
            here,
            service: None,
            csrf: crate::web::csrf::token_for(req),
            nav: Vec::new(),
        }
    }
}

impl FromRequest for Shell {
    type Error = std::convert::Infallible;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self::for_request(req)))
    }
}

/// An HTML page with `status`. Pages hold personal data, so they keep the default
/// `Cache-Control: no-store` from [`crate::web::security_headers`].
pub fn page_response(status: StatusCode, html: String) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(ContentType::html())
        .body(html)
}

/// Renders `page` into a response with `status`. Rendering fails only on a bug in a template's
/// values (a `Display` that errs), which is an internal error.
pub fn render(status: StatusCode, page: &impl Template) -> Result<HttpResponse, AppError> {
    let html = page
        .render()
        .map_err(|e| AppError::Internal(format!("rendering a page: {e}")))?;
    Ok(page_response(status, html))
}

/// The page for anything that went wrong, with the request id for a person to quote when they
/// ask for help (it labels every log line of the request).
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub tr: Tr,
    pub shell: Shell,
    pub heading: &'static str,
    pub message: &'static str,
    pub request_id: Option<String>,
}

/// The catalogue keys (heading, message) of the page shown for a problem of type `slug`.
pub fn error_texts(slug: &str) -> (&'static str, &'static str) {
    match slug {
        "not-found" | "no-such-route" => ("error.not_found.heading", "error.not_found.message"),
        "forbidden" | "acts-for-nobody" => ("error.forbidden.heading", "error.forbidden.message"),
        "csrf" => ("error.csrf.heading", "error.csrf.message"),
        "rate-limited" => ("error.rate_limited.heading", "error.rate_limited.message"),
        "payload-too-large" => ("error.too_large.heading", "error.too_large.message"),
        "unavailable" => ("error.unavailable.heading", "error.unavailable.message"),
        _ => ("error.general.heading", "error.general.message"),
    }
}

/// Whether `req` came from a browser asking for a page rather than from an API client, so an
/// error can be answered in the form the caller reads.
pub fn wants_html(req: &HttpRequest) -> bool {
    !req.path().starts_with("/api/")
        && req
            .headers()
            .get(actix_web::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
}
