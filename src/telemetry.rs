//! Structured logs through `tracing`. Each request runs in a span carrying its request id
//! (tracing-actix-web), so every line a request causes can be found by that id.
//!
//! Logs never carry personal data: handlers log ids, counts and error kinds, not names or emails.

use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, LogSettings};

/// Installs the global subscriber. `RUST_LOG`, when set, overrides the configured filter.
pub fn init(settings: &LogSettings) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&settings.filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match settings.format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
}

/// The span of each HTTP request. It names the route by its pattern (`/setup/{token}`), never
/// by the path a person followed: paths carry link tokens, and a token in a log line would be a
/// key left lying about. Client addresses and user agents are not logged either.
pub struct RequestSpan;

impl tracing_actix_web::RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &actix_web::dev::ServiceRequest) -> tracing::Span {
        use actix_web::HttpMessage;
        let request_id = request
            .extensions()
            .get::<tracing_actix_web::RequestId>()
            .map(|id| id.to_string())
            .unwrap_or_default();
        tracing::info_span!(
            "request",
            method = %request.method(),
            route = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = %request_id,
        )
    }

    fn on_request_end<B: actix_web::body::MessageBody>(
        span: tracing::Span,
        outcome: &Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>,
    ) {
        let _entered = span.enter();
        match outcome {
            Ok(response) => {
                let route = response
                    .request()
                    .match_pattern()
                    .unwrap_or_else(|| "unmatched".into());
                let status = response.status();
                span.record("route", route.as_str());
                span.record("status", status.as_u16());
                if status.is_server_error() {
                    let error = response.response().error().map(|e| e.to_string());
                    tracing::error!(error = error.as_deref().unwrap_or(""), "request failed");
                } else {
                    tracing::debug!("request done");
                }
            }
            Err(error) => {
                tracing::error!(error = %error, "request failed");
            }
        }
    }
}
