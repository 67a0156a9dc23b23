//! Input fields shared by several capabilities, parsed once at the edge ("parse, don't
//! validate"): past the handler, an [`Email`] is known to be well-formed and normalised.

use std::cell::Cell;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

thread_local! {
    /// Whether the value being read comes from a posted HTML form (see [`reading_form`]).
    static FORM_TEXT: Cell<bool> = const { Cell::new(false) };
}

/// Runs `read`, the reading of a posted HTML form into a request type the JSON API shares. A
/// browser sends every field as text, so inside it [`flag`], [`number`] and [`lines`] take a
/// box's `on`, a number's digits and one item a line; everywhere else (a JSON body) a yes/no
/// field takes only `true` or `false`, a number field only a JSON number and a list only a list,
/// and anything else is refused at its field. Reading is synchronous, so the mode cannot leak
/// into another request on the thread; it is restored however `read` ends.
pub fn reading_form<R>(read: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            FORM_TEXT.set(self.0);
        }
    }
    let _restore = Restore(FORM_TEXT.replace(true));
    read()
}

fn form_text() -> bool {
    FORM_TEXT.get()
}

/// A yes/no field. From JSON only `true` or `false` (or null or absent); from a form's box
/// `on`/`true`/`1`/`yes` ticked, `off`/`false`/`0`/`no` or nothing not. Anything else ("maybe",
/// or the text `"true"` in JSON) is refused, never read as `false`.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    if !form_text() {
        return Option::<bool>::deserialize(d);
    }
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(t) => match t.trim().to_ascii_lowercase().as_str() {
            "on" | "true" | "1" | "yes" => Ok(Some(true)),
            "off" | "false" | "0" | "no" | "" => Ok(Some(false)),
            _ => Err(serde::de::Error::custom(format!(
                "expected true or false, not the text {t:?}"
            ))),
        },
    }
}

/// A number field, kept as text for the parser to refuse at the field by name. From JSON only a
/// JSON number (a whole one read alike however written: `120` and `120.0`, see [`whole`]; one
/// with a fraction is kept as written for the parser to refuse); the text `"120"` is refused.
/// From a form its text; blank is absent.
pub fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    if !form_text() {
        return Ok(Option::<serde_json::Number>::deserialize(d)?
            .map(|n| whole(&n).map_or(n.to_string(), |w| w.to_string())));
    }
    Ok(Option::<String>::deserialize(d)?.filter(|t| !t.trim().is_empty()))
}

/// A list of texts: from JSON a list, from a form one text, one item a line.
pub fn lines<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    if !form_text() {
        return Option::<Vec<String>>::deserialize(d);
    }
    Ok(Option::<String>::deserialize(d)?.map(|t| t.lines().map(str::to_owned).collect()))
}

/// A JSON number as the whole number it is, however it is written: `120` and `120.0` alike
/// (JSON does not tell them apart, and JSON Schema's `integer` takes both). `None` for a number
/// with a fraction, or one too large to be exact.
pub fn whole(n: &serde_json::Number) -> Option<i64> {
    n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            // Whole and well inside i64: the conversion is exact.
            .map(|f| f as i64)
    })
}

/// An optional whole number from JSON, read like every other whole number of the API (see
/// [`whole`]); any other value is refused in plain words.
pub fn optional_whole<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    match Option::<serde_json::Number>::deserialize(d)? {
        None => Ok(None),
        Some(n) => whole(&n)
            .and_then(|n| i32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("{n} is not a whole number"))),
    }
}

/// An email address, trimmed and lowercased. Deliberately simple: one `@`, a dotted domain, no
/// spaces or control characters, at most 254 characters. Whether it exists is for the mail
/// server to say.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let value = input.trim().to_lowercase();
        if value.is_empty() {
            return Err("enter an email address");
        }
        if value.len() > 254 {
            return Err("an email address has at most 254 characters");
        }
        let Some((local, domain)) = value.split_once('@') else {
            return Err("an email address needs an @, as in name@example.no");
        };
        let bad_char = |c: char| c.is_whitespace() || c.is_control() || c == '@';
        if local.is_empty()
            || domain.len() < 3
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
            || local.chars().any(bad_char)
            || domain
                .chars()
                .any(|c| bad_char(c) || !(c.is_alphanumeric() || c == '.' || c == '-'))
        {
            return Err("this is not a valid email address, e.g. name@example.no");
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A required line of text (a name, a title): trimmed, not empty, at most `max` characters, no
/// control characters.
pub fn required_text(input: &str, max: usize) -> Result<String, String> {
    let value = input.trim();
    if value.is_empty() {
        return Err("this field is required".into());
    }
    if value.chars().count() > max {
        return Err(format!("at most {max} characters"));
    }
    if value.chars().any(char::is_control) {
        return Err("line breaks and control characters are not allowed here".into());
    }
    Ok(value.to_owned())
}

/// A phone number in E.164 form (`+4791234567`). People type Norwegian numbers as eight digits
/// with or without spaces, foreign ones with `+` or `00`; both are accepted and stored alike, so a
/// `tel:` link always works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        const INVALID: &str = "a phone number is eight digits (912 34 567) or + and the country code (+46 70 123 45 67)";
        let compact: String = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}'))
            .collect();
        if compact.is_empty() {
            return Err("enter a phone number");
        }
        let digits = if let Some(rest) = compact.strip_prefix('+') {
            rest.to_owned()
        } else if let Some(rest) = compact.strip_prefix("00") {
            rest.to_owned()
        } else if compact.len() == 8 {
            format!("47{compact}")
        } else {
            return Err(INVALID);
        };
        if !digits.chars().all(|c| c.is_ascii_digit())
            || !(7..=15).contains(&digits.len())
            || digits.starts_with('0')
        {
            return Err(INVALID);
        }
        if let Some(national) = digits.strip_prefix("47")
            && (national.len() != 8 || national.starts_with(['0', '1']))
        {
            return Err("a Norwegian number has eight digits, e.g. 912 34 567");
        }
        Ok(Self(format!("+{digits}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether an SMS can reach it: a Norwegian mobile (4 or 9 first) or any foreign number.
    pub fn is_mobile(&self) -> bool {
        match self.0.strip_prefix("+47") {
            Some(national) => national.starts_with(['4', '9']),
            None => true,
        }
    }
}

/// A stored E.164 number as people read it: Norwegian numbers in the usual groups (mobile
/// `912 34 567`, landline `22 33 44 55`), others as stored.
pub fn format_phone(e164: &str) -> String {
    match e164.strip_prefix("+47") {
        Some(n) if n.len() == 8 && n.is_ascii() => {
            if n.starts_with(['4', '9']) {
                format!("{} {} {}", &n[..3], &n[3..5], &n[5..])
            } else {
                format!("{} {} {} {}", &n[..2], &n[2..4], &n[4..6], &n[6..])
            }
        }
        _ => e164.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Kari.Nordmann@Example.NO ")
                .unwrap()
                .as_str(),
            "kari.nordmann@example.no"
        );
        for bad in [
            "",
            "kari",
            "kari@",
            "@example.no",
            "kari@no",
            "ka ri@example.no",
            "k@@x.no",
            "k@x..no",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn required_text_trims_and_limits() {
        assert_eq!(
            required_text("  Bjørnafjorden  ", 20).unwrap(),
            "Bjørnafjorden"
        );
        assert!(required_text("   ", 20).is_err());
        assert!(required_text(&"x".repeat(21), 20).is_err());
        assert!(required_text("a\nb", 20).is_err());
    }

    #[test]
    fn phone_numbers_are_stored_as_e164_and_shown_in_groups() {
        for (input, stored) in [
            ("912 34 567", "+4791234567"),
            ("91234567", "+4791234567"),
            ("+47 912 34 567", "+4791234567"),
            ("0047 22-33-44-55", "+4722334455"),
            ("+46 70 123 45 67", "+46701234567"),
            ("(+44) 20 7946 0958", "+442079460958"),
        ] {
            assert_eq!(Phone::parse(input).unwrap().as_str(), stored, "{input}");
        }
        for bad in [
            "",
            "1234567",
            "912345678",
            "01234567",
            "+47 1234 5678",
            "+47 912 34 56",
            "+0 123 456 789",
            "912 34 56x",
            "+1234567890123456",
            "tlf 91234567",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(format_phone("+4791234567"), "912 34 567");
        assert_eq!(format_phone("+4722334455"), "22 33 44 55");
        assert_eq!(format_phone("+46701234567"), "+46701234567");
    }
}
