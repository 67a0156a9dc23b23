//! Staff passwords: argon2id hashes, and a policy that says what is wrong with a weak password
//! instead of only refusing it.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};

/// At least this many characters. Length matters more than symbols; a passphrase is welcome.
pub const MIN_LENGTH: usize = 12;
const MAX_LENGTH: usize = 256;

/// Why a password was refused. Each maps to a catalogue text (`password.<code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weakness {
    TooShort,
    TooLong,
    Common,
    Repetitive,
    ContainsName,
    Mismatch,
}

impl Weakness {
    /// The catalogue key of the explanation.
    pub fn message_key(self) -> &'static str {
        match self {
            Self::TooShort => "password.too_short",
            Self::TooLong => "password.too_long",
            Self::Common => "password.common",
            Self::Repetitive => "password.repetitive",
            Self::ContainsName => "password.contains_name",
            Self::Mismatch => "password.mismatch",
        }
    }
}

/// Passwords that appear at the top of every leaked-password list, in Norwegian and English
/// variants. A password equal to one of these (ignoring case, digits and symbols at the end)
/// is refused.
const COMMON: &[&str] = &[
    "password",
    "passord",
    "passw0rd",
    "passordet",
    "qwerty",
    "qwertyuiop",
    "asdfghjkl",
    "azerty",
    "123456",
    "1234567890",
    "abc123",
    "letmein",
    "welcome",
    "velkommen",
    "sommer",
    "vinter",
    "host",
    "høst",
    "vaar",
    "vår",
    "summer",
    "winter",
    "spring",
    "autumn",
    "admin",
    "administrator",
    "changeme",
    "iloveyou",
    "jegelskerdeg",
    "dragon",
    "monkey",
    "football",
    "fotball",
    "sunshine",
    "princess",
    "master",
    "trustno1",
    "hello",
    "hallo",
    "hei",
    "heisann",
    "norge",
    "norway",
    "oslo",
    "bergen",
    "trondheim",
    "stavanger",
    "tromso",
    "tromsø",
    "barnevern",
    "barnevernet",
    "tillit",
    "hemmelig",
    "secret",
    "superman",
    "batman",
    "baseball",
    "shadow",
    "michael",
    "jennifer",
    "charlie",
    "starwars",
    "whatever",
    "freedom",
    "computer",
    "datamaskin",
    "internet",
    "login",
    "logginn",
    "pokemon",
    "liverpool",
    "arsenal",
    "chelsea",
    "rosenborg",
    "brann",
    "vålerenga",
    "valerenga",
    "kristiansand",
    "mandag",
    "tirsdag",
    "onsdag",
    "torsdag",
    "fredag",
    "lordag",
    "lørdag",
    "sondag",
    "søndag",
    "januar",
    "februar",
    "desember",
    "december",
    "christmas",
    "julaften",
    "jul",
    "påske",
    "paske",
    "kjærlighet",
    "kjaerlighet",
    "familie",
    "family",
    "qazwsx",
    "zxcvbnm",
    "1q2w3e4r",
    "q1w2e3r4",
    "aaaaaa",
    "111111",
    "000000",
    "654321",
    "987654321",
    "passwordpassword",
    "passordpassord",
    "qwerty123",
    "password123",
    "passord123",
    "velkommen123",
];

/// Checks `password` against the policy. `context` holds words the password must not contain:
/// the person's email name and the service's name.
pub fn check(password: &str, repeat: &str, context: &[&str]) -> Result<(), Weakness> {
    if password != repeat {
        return Err(Weakness::Mismatch);
    }
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(Weakness::TooShort);
    }
    if length > MAX_LENGTH {
        return Err(Weakness::TooLong);
    }
    let lower = password.to_lowercase();
    let core: String = lower
        .trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation())
        .to_owned();
    if COMMON.contains(&lower.as_str()) || COMMON.contains(&core.as_str()) {
        return Err(Weakness::Common);
    }
    let distinct: std::collections::HashSet<char> = lower.chars().collect();
    if distinct.len() <= 3 || is_sequence(&lower) {
        return Err(Weakness::Repetitive);
    }
    for word in context {
        let word = word.to_lowercase();
        if word.chars().count() >= 4 && lower.contains(&word) {
            return Err(Weakness::ContainsName);
        }
    }
    Ok(())
}

/// "abcdefghijkl", "123456789012", "987654321098": each character one more or one less than
/// the previous.
fn is_sequence(text: &str) -> bool {
    let chars: Vec<u32> = text.chars().map(u32::from).collect();
    let steps: Vec<i64> = chars
        .windows(2)
        .map(|w| i64::from(w[1]) - i64::from(w[0]))
        .collect();
    steps.iter().all(|s| *s == 1) || steps.iter().all(|s| *s == -1)
}

/// An argon2id hash in PHC format (salt and parameters included).
pub fn hash(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| format!("password hashing failed: {e}"))
}

/// Whether `password` matches `stored`. An unreadable stored hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    let Ok(parsed) = argon2::password_hash::phc::PasswordHash::new(stored) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// Spends the time of one verification without a real hash, so a login for an unknown email
/// takes as long as one for a known email with a wrong password.
pub fn verify_nothing(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let stored = DUMMY.get_or_init(|| hash("not-a-real-password-for-timing").unwrap_or_default());
    let _ = verify(password, stored);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(pw: &str) -> Result<(), Weakness> {
        check(pw, pw, &["kari.nordmann", "Fjordvik barneverntjeneste"])
    }

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        assert_eq!(ok("kort1!"), Err(Weakness::TooShort));
        assert_eq!(ok("Passord123!!"), Err(Weakness::Common));
        assert_eq!(ok("velkommen123"), Err(Weakness::Common));
        assert_eq!(ok("aaaaaaaaaaaaaa"), Err(Weakness::Repetitive));
        assert_eq!(ok("abcdefghijklmn"), Err(Weakness::Repetitive));
        assert_eq!(ok("kari.nordmann-2026"), Err(Weakness::ContainsName));
        assert_eq!(
            check("lang nok frase her", "lang nok frase hei", &[]),
            Err(Weakness::Mismatch)
        );
        assert_eq!(ok(&"x1".repeat(200)), Err(Weakness::TooLong));
    }

    #[test]
    fn a_long_passphrase_is_fine() {
        assert_eq!(ok("tre blå hester på fjellet"), Ok(()));
        assert_eq!(ok("Korrekt-Hest-Batteri-Stift"), Ok(()));
    }

    #[test]
    fn hashes_verify_only_their_password() {
        let stored = hash("tre blå hester på fjellet").unwrap();
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(verify("tre blå hester på fjellet", &stored));
        assert!(!verify("tre blå hester på fjellet!", &stored));
        assert!(!verify("anything", "not a hash"));
        assert_ne!(stored, hash("tre blå hester på fjellet").unwrap(), "salted");
    }
}
