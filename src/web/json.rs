//! A JSON request body, read strictly and answered in the API's words. The body must be JSON (a
//! syntax error, a wrong media type or a body over the limit answers as set in
//! [`super::json_config`]); a value of the wrong kind is then refused at its field, with the
//! field's path (`child.birth_year`, `goals[0].result`) in a 422 validation problem like every
//! other field error — never a 400 for the whole body, never coerced. Only a body that is not
//! the object asked for at all (`3`, a list) is malformed.

use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;
use serde_path_to_error::Segment;

use super::problem::{AppError, FieldError};

/// A JSON body read into `T`; see the module.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let web::Json(value) = body.await?;
            Ok(Json(read(value)?))
        })
    }
}

/// A create's answer: 201 with the created object and, in `Location`, the address it is read at.
pub fn created(location: String, body: impl serde::Serialize) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, location))
        .json(body)
}

/// `value` as `T`, or the problem naming the field that is wrong and how.
pub fn read<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, AppError> {
    serde_path_to_error::deserialize(&value).map_err(|e| {
        let mut field = String::new();
        for segment in e.path().iter() {
            match segment {
                Segment::Seq { index } => field.push_str(&format!("[{index}]")),
                Segment::Map { key } | Segment::Enum { variant: key } => {
                    if !field.is_empty() {
                        field.push('.');
                    }
                    field.push_str(key);
                }
                Segment::Unknown => {}
            }
        }
        let message = e.into_inner().to_string();
        if field.is_empty() {
            // A field of a flattened part is read after its path is known no more; the value
            // serde names is looked for in the body instead, when only one field holds it.
            field = unexpected(&message)
                .and_then(|got| only_path_of(&value, got))
                .unwrap_or_default();
        }
        refusal(field, &message)
    })
}

/// What serde says was sent, in an "invalid type" or "invalid value" message.
fn unexpected(message: &str) -> Option<&str> {
    message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))
        .and_then(|rest| rest.split_once(", expected "))
        .map(|(got, _)| got)
}

/// The path of the one value in the object `body` that serde would describe as `got`.
fn only_path_of(body: &serde_json::Value, got: &str) -> Option<String> {
    fn walk(value: &serde_json::Value, at: String, got: &str, found: &mut Vec<String>) {
        use serde_json::Value;
        let described = match value {
            Value::Null => "unit value".to_owned(),
            Value::Bool(b) => format!("boolean `{b}`"),
            Value::Number(n) if n.is_f64() => format!("floating point `{n}`"),
            Value::Number(n) => format!("integer `{n}`"),
            Value::String(s) => format!("string {s:?}"),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, format!("{at}[{i}]"), got, found);
                }
                "sequence".to_owned()
            }
            Value::Object(fields) => {
                for (key, item) in fields {
                    let path = if at.is_empty() {
                        key.clone()
                    } else {
                        format!("{at}.{key}")
                    };
                    walk(item, path, got, found);
                }
                "map".to_owned()
            }
        };
        if described == got && !at.is_empty() {
            found.push(at);
        }
    }
    let mut found = Vec::new();
    walk(body, String::new(), got, &mut found);
    (found.len() == 1).then(|| found.remove(0))
}

/// The problem for the message `serde` gave at `field` (empty: the body itself).
fn refusal(mut field: String, message: &str) -> AppError {
    let message = message.find(" at line ").map_or(message, |i| &message[..i]);
    if let Some(name) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        if !field.is_empty() {
            field.push('.');
        }
        field.push_str(name);
        return AppError::Validation(vec![FieldError::new(field, "this field is required")]);
    }
    let plain = plain_message(message);
    if field.is_empty() {
        AppError::Malformed(format!(
            "the body is not what this operation takes: {plain}"
        ))
    } else {
        AppError::Validation(vec![FieldError::new(field, plain)])
    }
}

/// A reader's message in the words of the API, never of its implementation: serde names the
/// Rust types it fills ("expected struct PersonRequest", "expected u16"), which mean nothing to
/// an integrator and show how the server is built.
pub(super) fn plain_message(message: &str) -> String {
    let kind = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))
        .and_then(|rest| rest.split_once(", expected "));
    if let Some((got, wanted)) = kind {
        return format!("expected {}, not {}", plain_wanted(wanted), plain_got(got));
    }
    if message.starts_with("invalid length ") && message.contains("expected struct ") {
        return "expected a JSON object, not a list".into();
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        return format!("unknown value {rest}");
    }
    message.to_owned()
}

/// What serde expected, as the API documents it.
fn plain_wanted(wanted: &str) -> String {
    let first = wanted.split_whitespace().next().unwrap_or_default();
    match first {
        "struct" | "a" if wanted.starts_with("struct ") || wanted == "a map" => {
            "a JSON object".into()
        }
        "enum" => "one of the documented values".into(),
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number of 0 or more".into(),
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number".into(),
        "f32" | "f64" => "a number".into(),
        _ => match wanted {
            "a boolean" => "true or false".into(),
            "a JSON number" => "a number".into(),
            "a string" => "text".into(),
            "a sequence" => "a list".into(),
            "unit" => "null".into(),
            other if other.contains("untagged enum") => "a value of the documented kind".into(),
            other => other.into(),
        },
    }
}

/// What was sent, in JSON's words.
fn plain_got(got: &str) -> String {
    if let Some(text) = got.strip_prefix("string ") {
        return format!("the text {text}");
    }
    for prefix in ["integer ", "floating point "] {
        if let Some(n) = got.strip_prefix(prefix) {
            return format!("the number {}", n.trim_matches('`'));
        }
    }
    if let Some(b) = got.strip_prefix("boolean ") {
        return b.trim_matches('`').to_owned();
    }
    match got {
        "map" => "an object".into(),
        "sequence" => "a list".into(),
        "null" | "unit value" => "null".into(),
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Goal {
        result: String,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Body {
        #[serde(default, deserialize_with = "crate::fields::flag")]
        acute: Option<bool>,
        #[serde(default, deserialize_with = "crate::fields::number")]
        minutes: Option<String>,
        #[serde(default)]
        goals: Vec<Goal>,
        #[serde(default)]
        count: Option<u16>,
    }

    fn field_error(value: serde_json::Value) -> (String, String) {
        match read::<Body>(value) {
            Err(AppError::Validation(errors)) => {
                (errors[0].field.clone(), errors[0].message.clone())
            }
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn a_value_of_the_wrong_kind_is_refused_at_its_field_in_the_apis_words() {
        assert_eq!(
            field_error(serde_json::json!({"acute": "maybe"})),
            (
                "acute".into(),
                "expected true or false, not the text \"maybe\"".into()
            )
        );
        assert_eq!(
            field_error(serde_json::json!({"acute": "true"})).0,
            "acute",
            "the text true is not a yes"
        );
        assert_eq!(
            field_error(serde_json::json!({"minutes": "120"})),
            (
                "minutes".into(),
                "expected a number, not the text \"120\"".into()
            )
        );
        assert_eq!(
            field_error(serde_json::json!({"goals": [{"result": "met"}, {"result": 3}]})),
            (
                "goals[1].result".into(),
                "expected text, not the number 3".into()
            )
        );
        assert_eq!(
            field_error(serde_json::json!({"goals": [{}]})),
            ("goals[0].result".into(), "this field is required".into())
        );
        assert_eq!(
            field_error(serde_json::json!({"count": -5})),
            (
                "count".into(),
                "expected a whole number of 0 or more, not the number -5".into()
            )
        );
        let whole = read::<Body>(serde_json::json!({"minutes": 120.0})).unwrap();
        assert_eq!(whole.minutes.as_deref(), Some("120"));
        match read::<Body>(serde_json::json!(3)) {
            Err(AppError::Malformed(detail)) => {
                assert!(detail.contains("a JSON object"), "{detail}");
                assert!(!detail.contains("Body"), "{detail}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_form_is_read_as_text() {
        let body: Body = crate::fields::reading_form(|| {
            serde_urlencoded::from_str("acute=on&minutes=120").unwrap()
        });
        assert_eq!(body.acute, Some(true));
        assert_eq!(body.minutes.as_deref(), Some("120"));
        let maybe: Result<Body, _> =
            crate::fields::reading_form(|| serde_urlencoded::from_str("acute=maybe"));
        assert!(maybe.is_err(), "maybe is not a yes or a no");
    }
}
