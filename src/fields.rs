//! Input fields shared by several capabilities, parsed once at the edge ("parse, don't
//! validate"): past the handler, an [`Email`] is known to be well-formed and normalised.

use std::fmt;

use serde::Serialize;

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
}
