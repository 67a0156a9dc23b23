//! Errors as `application/problem+json` (RFC 9457), mapped in this one place. Handlers return
//! `Result<_, AppError>` and use `?`; the `type` of each problem is stable and documented in the
//! OpenAPI description. Internal details are logged with the request id, never sent.

use actix_web::http::StatusCode;
use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbError;
use crate::web::i18n::Lang;
use crate::web::refusal::Refusal;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// The seconds a 503 asks the caller to wait before sending the request again (`Retry-After`):
/// a restarted database is back, and found by the pool, within about that.
pub const UNAVAILABLE_RETRY_SECS: u64 = 5;

/// One field that failed validation, with what to fix.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// Stable identifier of the kind of problem, e.g. `urn:tillit:problem:validation`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// For validation problems: each field and what is wrong with it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    Malformed(String),
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("the request body must be application/json")]
    UnsupportedMediaType,
    #[error("missing or invalid credentials")]
    Unauthorized,
    #[error("your role does not allow this")]
    Forbidden,
    /// An API key whose role would do, but that acts for no staff member: what needs a person
    /// (case data, who recorded something) is not open to it.
    #[error(
        "this API key acts for no staff member, and this needs one; create a key that acts for a staff member (POST /api/v1/api-keys with user_id, or tillit apikey create --acting-for)"
    )]
    ActsForNobody,
    #[error("the form has expired or did not come from this site; reload the page and try again")]
    CsrfRejected,
    #[error("not found")]
    NotFound,
    /// No route has this address: a typo in a path, unlike an id that names nothing.
    #[error(
        "no operation has this address; the API's operations are listed at /api/v1/openapi.json"
    )]
    NoRoute,
    /// The address exists, under other methods (sent back in `Allow`).
    #[error("this address does not take {method}; it takes {}", allowed.join(", "))]
    MethodNotAllowed {
        method: String,
        allowed: Vec<&'static str>,
    },
    /// A rule of the capability refused the request: its own problem type (see [`Refusal`]).
    #[error("{detail}")]
    Refused { rule: Refusal, detail: String },
    #[error("too many requests; try again in {0} seconds")]
    RateLimited(u64),
    /// A part the request needs (the database) does not answer: the request may be sent again
    /// in a few seconds (`Retry-After`).
    #[error("{0} is unavailable; try again in a few seconds")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    /// Whether a rule refused the request (as opposed to it being wrong or failing).
    pub fn is_refusal(&self) -> bool {
        matches!(self, Self::Refused { .. })
    }

    /// The stable problem type slug and its human title.
    fn kind(&self) -> (&'static str, &'static str) {
        match self {
            Self::Refused { rule, .. } => (rule.slug(), rule.title(Lang::En)),
            Self::Validation(_) => ("validation", "Invalid input"),
            Self::Malformed(_) => ("malformed-request", "Malformed request"),
            Self::PayloadTooLarge(_) => ("payload-too-large", "Request body too large"),
            Self::UnsupportedMediaType => ("unsupported-media-type", "Unsupported media type"),
            Self::Unauthorized => ("unauthorized", "Authentication required"),
            Self::Forbidden => ("forbidden", "Not allowed"),
            Self::ActsForNobody => ("acts-for-nobody", "The key acts for nobody"),
            Self::CsrfRejected => ("csrf", "Form expired"),
            Self::NotFound => ("not-found", "Not found"),
            Self::NoRoute => ("no-such-route", "No such address"),
            Self::MethodNotAllowed { .. } => ("method-not-allowed", "Method not allowed"),
            Self::RateLimited(_) => ("rate-limited", "Too many requests"),
            Self::Unavailable(_) => ("unavailable", "Service unavailable"),
            Self::Internal(_) => ("internal", "Internal error"),
        }
    }

    /// The stable slug of this problem's type (`not-found`, `csrf`, …).
    pub fn slug(&self) -> &'static str {
        self.kind().0
    }

    pub fn problem(&self) -> Problem {
        let (slug, title) = self.kind();
        let detail = match self {
            // Never echo internals to the caller; the log has them.
            Self::Internal(_) => "Something went wrong on our side. It has been logged.".into(),
            other => other.to_string(),
        };
        Problem {
            kind: format!("urn:tillit:problem:{slug}"),
            title: title.into(),
            status: self.status_code().as_u16(),
            detail,
            errors: match self {
                Self::Validation(errors) => errors.clone(),
                _ => Vec::new(),
            },
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Malformed(_) => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::ActsForNobody | Self::CsrfRejected => StatusCode::FORBIDDEN,
            Self::NotFound | Self::NoRoute => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Refused { .. } => StatusCode::CONFLICT,
            Self::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(message) = self {
            tracing::error!(error = %message, "internal error");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header(ContentType(PROBLEM_JSON.parse().expect("valid mime")));
        match self {
            Self::Unauthorized => {
                response.insert_header(("WWW-Authenticate", "Bearer"));
            }
            Self::RateLimited(seconds) => {
                response.insert_header(("Retry-After", seconds.to_string()));
            }
            Self::Unavailable(_) => {
                response.insert_header(("Retry-After", UNAVAILABLE_RETRY_SECS.to_string()));
            }
            Self::MethodNotAllowed { allowed, .. } => {
                response.insert_header(("Allow", allowed.join(", ")));
            }
            _ => {}
        }
        response.json(self.problem())
    }
}

impl From<DbError> for AppError {
    fn from(err: DbError) -> Self {
        match err {
            DbError::Pool(_) | DbError::Connect(_) => Self::Unavailable("the database".into()),
            DbError::Query(e) => e.into(),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(err: diesel::result::Error) -> Self {
        match err {
            diesel::result::Error::NotFound => Self::NotFound,
            // PostgreSQL went away mid-request: the transaction is rolled back, and the caller
            // may try again.
            lost if crate::db::is_lost_connection(&lost) => {
                tracing::warn!(error = %lost, "the database connection was lost");
                Self::Unavailable("the database".into())
            }
            other => Self::Internal(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::result::{DatabaseErrorKind, Error};

    #[test]
    fn a_lost_database_connection_is_unavailable_with_a_time_to_retry() {
        let lost = Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection,
            Box::new("server closed the connection unexpectedly".to_owned()),
        );
        let error = AppError::from(DbError::Query(lost));
        assert_eq!(error.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(error.slug(), "unavailable");
        let response = error.error_response();
        assert_eq!(
            response.headers().get("retry-after").unwrap(),
            &UNAVAILABLE_RETRY_SECS.to_string()
        );
        // Any other failure of a query is still an internal error.
        let other = Error::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new("division by zero".to_owned()),
        );
        assert_eq!(AppError::from(other).slug(), "internal");
    }
}
