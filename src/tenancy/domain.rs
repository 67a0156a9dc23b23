//! The tenant's own value types, parsed once at the edge.

use std::fmt;

use serde::Serialize;

/// A service's short name in URLs and the CLI: 1–63 lowercase letters, digits and inner hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let s = input.trim();
        let ok = !s.is_empty()
            && s.len() <= 63
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(
                "use 1–63 lowercase letters (a–z), digits and hyphens, not starting or ending with a hyphen",
            )
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Norwegian municipality number (kommunenummer): exactly four digits, e.g. 4624 Bjørnafjorden.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Kommunenummer(String);

impl Kommunenummer {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let s = input.trim();
        if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err("a kommunenummer is exactly four digits, e.g. 4624")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Kommunenummer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An IANA time zone known to chrono-tz, e.g. `Europe/Oslo`.
pub fn parse_time_zone(input: &str) -> Result<chrono_tz::Tz, &'static str> {
    input
        .trim()
        .parse::<chrono_tz::Tz>()
        .map_err(|_| "an IANA time zone such as Europe/Oslo")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kommunenummer_is_exactly_four_digits() {
        assert_eq!(Kommunenummer::parse(" 4624 ").unwrap().as_str(), "4624");
        for bad in ["", "462", "46245", "46a4", "４６２４", "-462"] {
            assert!(Kommunenummer::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn slugs_are_url_safe() {
        assert!(Slug::parse("bjornafjorden-bv").is_ok());
        for bad in ["", "-a", "a-", "Bjorna", "bjørna", "a b", &"a".repeat(64)] {
            assert!(Slug::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn time_zones_come_from_the_iana_database() {
        assert_eq!(
            parse_time_zone("Europe/Oslo").unwrap(),
            chrono_tz::Europe::Oslo
        );
        assert!(parse_time_zone("Mars/Olympus").is_err());
    }
}
