//! What an on-call request says, parsed once: the lookup's text, and an opening's reason and the
//! on-call log's reference of the call.

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::cases::domain::{Errors, long_text};
use crate::fields::required_text;
use crate::web::problem::AppError;

/// How long an opening lasts.
pub const OPEN_HOURS: i64 = 12;

/// At most this many cases answer one lookup; more asks for a narrower search.
pub const LOOKUP_LIMIT: i64 = 20;

/// A lookup: the service's case reference, or (words of) the child's name.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct LookupQuery {
    #[serde(default)]
    #[param(required, min_length = 2, max_length = 100)]
    pub q: String,
}

/// The lookup's text, trimmed, 2–100 characters on one line.
pub fn lookup_text(q: &str) -> Result<String, AppError> {
    let text = required_text(q, 100).map_err(|m| AppError::field("q", m))?;
    if text.chars().count() < 2 {
        return Err(AppError::field("q", "at least 2 characters"));
    }
    Ok(text)
}

/// Opening a case's acute list.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct OpeningRequest {
    #[schema(value_type = Uuid, required)]
    pub case_id: Option<Uuid>,
    /// Why the list is needed now: one to a few lines (required, at most 1000 characters).
    #[serde(default)]
    #[schema(required, min_length = 1, max_length = 1000)]
    pub reason: String,
    /// The on-call log's or phone call's reference, if there is one (at most 100 characters).
    #[schema(max_length = 100)]
    pub call_reference: Option<String>,
}

/// An opening's reason and reference, parsed.
#[derive(Debug, Clone)]
pub struct NewOpening {
    pub reason: String,
    pub call_reference: Option<String>,
}

impl NewOpening {
    pub fn parse(req: &OpeningRequest) -> Result<Self, AppError> {
        let mut e = Errors::default();
        let reason = e.take("reason", long_text(&req.reason, 1000));
        let call_reference = e.take(
            "call_reference",
            match req.call_reference.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(text) => required_text(text, 100).map(Some),
            },
        );
        match (reason, call_reference) {
            (Some(reason), Some(call_reference)) => Ok(Self {
                reason,
                call_reference,
            }),
            _ => Err(e.into_error()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(err: AppError) -> Vec<String> {
        match err {
            AppError::Validation(f) => f.into_iter().map(|f| f.field).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_opening_needs_a_reason_and_keeps_its_lines() {
        let blank = OpeningRequest {
            reason: "  \n ".into(),
            ..OpeningRequest::default()
        };
        assert_eq!(fields(NewOpening::parse(&blank).unwrap_err()), ["reason"]);
        let given = OpeningRequest {
            reason: "Politiet ringte kl. 02.10.\nBarnet må hentes.".into(),
            call_reference: Some(" BV-2026-311 ".into()),
            ..OpeningRequest::default()
        };
        let parsed = NewOpening::parse(&given).unwrap();
        assert!(parsed.reason.contains('\n'));
        assert_eq!(parsed.call_reference.as_deref(), Some("BV-2026-311"));
        let long = OpeningRequest {
            reason: "x".repeat(1001),
            call_reference: Some("a\nb".into()),
            ..OpeningRequest::default()
        };
        assert_eq!(
            fields(NewOpening::parse(&long).unwrap_err()),
            ["reason", "call_reference"]
        );
    }

    #[test]
    fn a_lookup_needs_two_characters() {
        assert!(lookup_text(" a ").is_err());
        assert_eq!(lookup_text(" Nora ").unwrap(), "Nora");
    }
}
