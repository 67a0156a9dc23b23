//! The static files the pages load, compiled into the binary so a deployment is one file.

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, get};

const STYLESHEET: &str = include_str!("../../static/tillit.css");

/// The one stylesheet. Unlike pages it holds nothing personal, so browsers may keep it for an
/// hour (overriding the default `no-store`); an hour bounds how long an old look survives a
/// deployment.
#[get("/static/tillit.css")]
pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/css; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "public, max-age=3600"))
        .body(STYLESHEET)
}
