//! The HTTP plumbing shared by every capability: problem+json errors, extractor settings, security
//! headers, request ids, metrics and health checks; and the web shell every page is drawn in:
//! texts in two languages, the layout, the stylesheet.

pub mod assets;
pub mod csrf;
pub mod expiring;
pub mod form_errors;
pub mod health;
pub mod i18n;
pub mod json;
pub mod limits;
pub mod metrics;
pub mod pages;
pub mod posted;
pub mod problem;
pub mod refusal;
pub mod state;

pub use state::AppState;

use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError, UrlencodedError};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::DefaultHeaders;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, ResponseError, web};
use tracing_actix_web::RequestId;

use i18n::Tr;
use pages::{ErrorPage, Shell};
use problem::AppError;

/// Headers on every response. The pages are server-rendered and load nothing from elsewhere, so
/// the policy is strict; `no-referrer` keeps link tokens out of other sites' logs, and `no-store`
/// keeps personal data out of shared caches.
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "no-referrer"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=()",
        ))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
        .add(("Cache-Control", "no-store"))
}

/// JSON bodies: a size limit, and every way a body can be wrong turned into problem+json.
pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(move |err, _req| {
            match err {
                JsonPayloadError::Overflow { .. }
                | JsonPayloadError::OverflowKnownLength { .. } => AppError::PayloadTooLarge(limit),
                JsonPayloadError::ContentType => AppError::UnsupportedMediaType,
                JsonPayloadError::Deserialize(e) if e.is_data() => AppError::Malformed(format!(
                    "the JSON does not have the expected fields: {}",
                    plain_json_error(&e.to_string())
                )),
                JsonPayloadError::Deserialize(e) => AppError::Malformed(format!(
                    "the body is not valid JSON: {}",
                    plain_json_error(&e.to_string())
                )),
                other => AppError::Malformed(format!("the body could not be read: {other}")),
            }
            .into()
        })
}

/// A JSON reader's message in the words of the API, never of its implementation: serde names
/// the Rust types it fills ("expected struct PersonRequest", "untagged enum Raw", "expected
/// u16"), which mean nothing to an integrator and show how the server is built.
fn plain_json_error(message: &str) -> String {
    if message.contains("did not match any variant of untagged enum") {
        let at = message.find(" at line ").map_or("", |i| &message[i..]);
        return format!("a value has the wrong type{at}");
    }
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find("expected ") {
        out.push_str(&rest[..i]);
        let after = &rest[i + "expected ".len()..];
        let word_end = |s: &str| {
            s.find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(s.len())
        };
        // A type's name goes with its keyword.
        let (plain, used) = if let Some(name) = after.strip_prefix("struct ") {
            (
                "expected a JSON object",
                after.len() - name.len() + word_end(name),
            )
        } else if let Some(name) = after.strip_prefix("enum ") {
            (
                "expected one of the documented values",
                after.len() - name.len() + word_end(name),
            )
        } else {
            let word = &after[..word_end(after)];
            match word {
                "u8" | "u16" | "u32" | "u64" | "usize" => {
                    ("expected a whole number of 0 or more", word.len())
                }
                "i8" | "i16" | "i32" | "i64" | "isize" => ("expected a whole number", word.len()),
                "f32" | "f64" => ("expected a number", word.len()),
                _ => ("expected ", 0),
            }
        };
        out.push_str(plain);
        rest = &after[used..];
    }
    out.push_str(rest);
    out
}

/// Form bodies: the same size limit, and a body that cannot be read is a malformed request.
pub fn form_config(limit: usize) -> web::FormConfig {
    web::FormConfig::default()
        .limit(limit)
        .error_handler(move |err, _req| match err {
            UrlencodedError::Overflow { .. } => AppError::PayloadTooLarge(limit).into(),
            other => AppError::Malformed(format!("the form could not be read: {other}")).into(),
        })
}

/// A malformed id in a path names nothing that exists: 404, as for any unknown id.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_: PathError, _| AppError::NotFound.into())
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _| {
        AppError::Malformed(format!("the query string is not valid: {err}")).into()
    })
}

/// Sends the request id back as `X-Request-Id`, so a person reporting a problem can quote it and
/// it can be found in the logs.
pub fn request_id_header(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> impl std::future::Future<
    Output = Result<ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error>,
> {
    let id = req.extensions().get::<RequestId>().map(|id| id.to_string());
    async move {
        let mut res = next.call(req).await?;
        if let Some(value) = id.and_then(|id| HeaderValue::from_str(&id).ok()) {
            res.headers_mut()
                .insert(HeaderName::from_static("x-request-id"), value);
        }
        Ok(res)
    }
}

/// Middleware: `HEAD` answers like `GET` on every route, without the body. Link checkers and
/// mail gateways test an emailed link with `HEAD` before anyone clicks it; the route table names
/// only `GET`, so the request is routed as one. The connection still knows it was `HEAD` and
/// sends the headers (with the body's length) alone.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    if req.method() == actix_web::http::Method::HEAD {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    next.call(req).await
}

/// The request id of `req`, for audit rows written outside a [`crate::access::Caller`].
pub fn request_id(req: &HttpRequest) -> Option<String> {
    req.extensions().get::<RequestId>().map(|id| id.to_string())
}

/// Middleware: a browser asking for a page gets errors as a page in its language, not as
/// problem+json; one whose session is missing or over is sent to the login page and back.
pub async fn html_errors(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let wants_page = pages::wants_html(req.request());
    let res = next.call(req).await?;
    let slug = res
        .response()
        .error()
        .and_then(|e| e.as_error::<AppError>())
        .map(AppError::slug);
    let (Some(slug), true) = (slug, wants_page) else {
        return Ok(res.map_into_left_body());
    };
    let status = res.status();
    let (req, _) = res.into_parts();
    let response = if slug == "unauthorized" {
        let next = if req.method() == actix_web::http::Method::GET {
            req.uri()
                .path_and_query()
                .map_or("/", |pq| pq.as_str())
                .to_owned()
        } else {
            "/".to_owned()
        };
        let location = format!(
            "/login?{}",
            serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
        );
        HttpResponse::SeeOther()
            .insert_header((actix_web::http::header::LOCATION, location))
            .finish()
    } else {
        let tr = Tr::new(i18n::Lang::for_request(&req));
        let (heading, message) = pages::error_texts(slug);
        let page = ErrorPage {
            heading: tr.t(heading),
            message: tr.t(message),
            request_id: request_id(&req),
            shell: Shell::for_request(&req),
            tr,
        };
        match pages::render(status, &page) {
            Ok(response) => response,
            Err(e) => e.error_response(),
        }
    };
    Ok(ServiceResponse::new(req, response).map_into_right_body())
}

#[cfg(test)]
mod tests {
    use super::plain_json_error;

    #[test]
    fn json_errors_name_what_the_api_takes_not_the_rust_types() {
        assert_eq!(
            plain_json_error(
                "invalid type: integer `3`, expected struct PersonRequest at line 1 column 1"
            ),
            "invalid type: integer `3`, expected a JSON object at line 1 column 1"
        );
        assert_eq!(
            plain_json_error(
                "data did not match any variant of untagged enum Raw at line 1 column 30"
            ),
            "a value has the wrong type at line 1 column 30"
        );
        assert_eq!(
            plain_json_error("invalid value: integer `-5`, expected u16 at line 1 column 9"),
            "invalid value: integer `-5`, expected a whole number of 0 or more at line 1 column 9"
        );
        assert_eq!(
            plain_json_error(
                "invalid type: string \"maybe\", expected a boolean at line 1 column 20"
            ),
            "invalid type: string \"maybe\", expected a boolean at line 1 column 20"
        );
        assert_eq!(
            plain_json_error("unknown variant `x`, expected one of `a`, `b`"),
            "unknown variant `x`, expected one of `a`, `b`"
        );
    }
}
