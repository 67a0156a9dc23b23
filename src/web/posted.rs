//! A posted HTML form as the pages read it: its name/value pairs in order, read into the JSON
//! API's request types, and given back to the inputs when the form fails. The pages whose forms
//! post to one `…/{step}` address (a council's tasks, a plan) share these.

use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::web::problem::AppError;

/// A form's fields, in the order the browser sent them (a name may come more than once).
pub type Fields = Vec<(String, String)>;

/// The form's fields as `T`, the request type the JSON API takes.
pub fn form<T: DeserializeOwned>(fields: &Fields) -> Result<T, AppError> {
    let encoded = serde_urlencoded::to_string(fields)
        .map_err(|_| AppError::Malformed("the form could not be read".into()))?;
    crate::fields::reading_form(|| serde_urlencoded::from_str(&encoded))
        .map_err(|e| AppError::Malformed(format!("the form is missing a field: {e}")))
}

/// The first non-blank value of `name`.
pub fn field<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.trim().is_empty())
}

/// The id in field `name`; a missing or malformed id names nothing there is to find.
pub fn id_field(fields: &Fields, name: &str) -> Result<Uuid, AppError> {
    field(fields, name)
        .and_then(|v| v.trim().parse().ok())
        .ok_or(AppError::NotFound)
}

/// What the person typed into the form that failed, given back to its inputs.
#[derive(Debug, Clone, Default)]
pub struct Typed {
    step: String,
    row: Option<String>,
    fields: Fields,
}

impl Typed {
    /// The fields of `step`'s form (of `row`'s, for a form per row).
    pub fn new(step: impl Into<String>, row: Option<String>, fields: Fields) -> Self {
        Self {
            step: step.into(),
            row,
            fields,
        }
    }

    /// Whether the failed form was `step`'s.
    pub fn is(&self, step: &str) -> bool {
        self.step == step
    }

    /// What was typed into `name` of `step`'s form (of `row`'s, for a form per row), or "".
    pub fn value(&self, step: &str, row: impl AsRef<str>, name: &str) -> &str {
        if self.step != step || self.row.as_deref().unwrap_or_default() != row.as_ref() {
            return "";
        }
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// What was typed into `name` of `step`'s form, or `default` when that form did not fail.
    pub fn value_or<'a>(&'a self, step: &str, name: &str, default: &'a str) -> &'a str {
        if self.step == step && self.row.is_none() {
            self.value(step, "", name)
        } else {
            default
        }
    }

    /// Whether `value` was the choice in `name` of `step`'s form.
    pub fn chose(&self, step: &str, name: &str, value: impl AsRef<str>) -> bool {
        self.value(step, "", name) == value.as_ref()
    }

    /// Whether `value` was among the choices in `name` of `step`'s form (boxes of one name).
    pub fn chose_among(&self, step: &str, name: &str, value: impl AsRef<str>) -> bool {
        self.step == step
            && self.row.is_none()
            && self
                .fields
                .iter()
                .any(|(k, v)| k == name && v == value.as_ref())
    }

    /// Whether `value` was among the choices in `name` of `row`'s form of `step` (boxes of one
    /// name in a form per row).
    pub fn chose_among_in(
        &self,
        step: &str,
        row: impl AsRef<str>,
        name: &str,
        value: impl AsRef<str>,
    ) -> bool {
        self.step == step
            && self.row.as_deref() == Some(row.as_ref())
            && self
                .fields
                .iter()
                .any(|(k, v)| k == name && v == value.as_ref())
    }

    /// Whether box `name` of `step`'s form was ticked.
    pub fn ticked(&self, step: &str, name: &str) -> bool {
        !self.value(step, "", name).is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_was_typed_returns_only_to_the_form_that_failed() {
        let fields: Fields = vec![
            ("text".into(), "Mormor henter".into()),
            ("due_on".into(), "".into()),
        ];
        let typed = Typed::new("commitment", None, fields.clone());
        assert_eq!(typed.value("commitment", "", "text"), "Mormor henter");
        assert_eq!(typed.value("goal", "", "text"), "", "another form");
        assert_eq!(typed.value_or("goal", "text", "as stored"), "as stored");
        assert_eq!(typed.value_or("commitment", "due_on", "2027-01-01"), "");
        assert!(!typed.ticked("commitment", "due_on"));
        let row = Typed::new("follow-up-held", Some("f1".into()), fields.clone());
        assert_eq!(row.value("follow-up-held", "f1", "text"), "Mormor henter");
        assert_eq!(row.value("follow-up-held", "f2", "text"), "", "another row");
        assert_eq!(field(&fields, "due_on"), None, "blank is absent");
    }
}
