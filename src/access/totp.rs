//! The second factor's arithmetic, without I/O: TOTP codes (RFC 6238: HMAC-SHA1, six digits,
//! 30-second steps, one step of clock drift either way), the secret sealed for the database, the
//! enrolment QR code as SVG, and one-time recovery codes.
//!
//! A secret is sealed with XChaCha20-Poly1305 under a key derived from `TILLIT_SECRET_KEY` for
//! this purpose alone, so a copy of the database cannot produce codes. A code is accepted once:
//! the caller stores the step it matched and refuses that step and earlier ones after it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use totp_rs::{Algorithm, TOTP};

use crate::tokens::{self, TokenKey};

/// Seconds per code.
pub const STEP_SECS: u64 = 30;
const DIGITS: usize = 6;
const SECRET_BYTES: usize = 20;
/// How many recovery codes a person gets at a time.
pub const RECOVERY_CODES: usize = 10;

/// A TOTP secret in the clear, only ever held in memory.
pub struct Secret(Vec<u8>);

impl Secret {
    /// 160 fresh random bits (RFC 4226 recommends this length).
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; SECRET_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// The secret a pending enrolment offers, derived from the enrolment's random nonce so the
    /// server keeps nothing until the person confirms a code.
    pub fn for_enrolment(key: &TokenKey, nonce: &str) -> Self {
        Self(key.derive("totp-enrolment", nonce.as_bytes())[..SECRET_BYTES].to_vec())
    }

    /// A secret as an authenticator app is given it (base32, spaces ignored): for the demo's
    /// documented secret and for tests that play the app.
    pub fn from_base32(text: &str) -> Option<Self> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        totp_rs::Secret::Encoded(compact).to_bytes().ok().map(Self)
    }

    fn totp(&self, account: &str) -> TOTP {
        TOTP::new_unchecked(
            Algorithm::SHA1,
            DIGITS,
            1,
            STEP_SECS,
            self.0.clone(),
            Some("Tillit".into()),
            account.to_owned(),
        )
    }

    /// The secret as people type it into an authenticator app (base32, in groups of four).
    pub fn base32(&self) -> String {
        let text = self.totp("").get_secret_base32();
        text.as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The `otpauth://` URI an authenticator app reads from the QR code.
    pub fn uri(&self, account: &str) -> String {
        self.totp(account).get_url()
    }

    /// The enrolment QR code as an SVG image.
    pub fn qr_svg(&self, account: &str) -> String {
        use qrcode::render::svg;
        match qrcode::QrCode::new(self.uri(account).as_bytes()) {
            Ok(code) => code
                .render::<svg::Color<'_>>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build(),
            Err(_) => String::new(),
        }
    }

    /// The code at `unix_secs`.
    pub fn code_at(&self, unix_secs: u64) -> String {
        self.totp("").generate(unix_secs)
    }

    /// The step `code` belongs to, if it is right at `unix_secs` (one step of drift either way)
    /// and newer than `last_step`, the step of the code accepted before.
    pub fn matching_step(&self, code: &str, unix_secs: u64, last_step: i64) -> Option<i64> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let now = unix_secs / STEP_SECS;
        let totp = self.totp("");
        [now.saturating_sub(1), now, now + 1]
            .into_iter()
            .filter(|step| i64::try_from(*step).is_ok_and(|s| s > last_step))
            .find(|step| tokens::same(&totp.generate(step * STEP_SECS), &code))
            .and_then(|step| i64::try_from(step).ok())
    }

    /// The secret sealed for the database: nonce ‖ ciphertext.
    pub fn seal(&self, key: &TokenKey) -> Vec<u8> {
        tokens::seal(key, SEAL_PURPOSE, &self.0)
    }

    /// Opens what [`Secret::seal`] made; `None` if it was sealed under another key or altered.
    pub fn open(key: &TokenKey, sealed: &[u8]) -> Option<Self> {
        tokens::open(key, SEAL_PURPOSE, sealed).map(Self)
    }
}

/// The purpose the sealing key of second-factor secrets is derived for.
const SEAL_PURPOSE: &str = "totp-seal";

/// A fresh set of recovery codes: each 80 random bits, written `xxxx-xxxx-xxxx-xxxx` in lowercase
/// base32 without look-alike letters.
pub fn recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 16];
            rand::rng().fill_bytes(&mut bytes);
            let chars: Vec<char> = bytes
                .iter()
                .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
                .collect();
            chars
                .chunks(4)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// A recovery code as typed, reduced to what counts: case, spaces and dashes do not.
pub fn normalise_recovery_code(typed: &str) -> Option<String> {
    let chars: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (chars.len() == 16).then_some(chars)
}

/// The stored hash of a recovery code (SHA-256 of its normalised form, like every token).
pub fn recovery_hash(code: &str) -> Option<Vec<u8>> {
    normalise_recovery_code(code).map(|c| tokens::hash(&c))
}

/// The enrolment's QR code as a data URL, for an `<img>` with a text alternative.
pub fn svg_data_url(svg: &str) -> String {
    format!("data:image/svg+xml;base64,{}", STANDARD.encode(svg))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> TokenKey {
        TokenKey::from_base64("dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXk=").unwrap()
    }

    /// RFC 6238 appendix B, SHA-1 rows (the RFC's eight digits, cut to the last six).
    #[test]
    fn codes_follow_rfc_6238_at_a_fixed_clock() {
        let secret = Secret(b"12345678901234567890".to_vec());
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(secret.code_at(time), code, "at {time}");
        }
    }

    #[test]
    fn a_code_counts_once_within_one_step_of_drift() {
        let secret = Secret::generate();
        let now = 1_800_000_000;
        let step = (now / STEP_SECS) as i64;
        let code = secret.code_at(now);
        assert_eq!(secret.matching_step(&code, now, 0), Some(step));
        assert_eq!(secret.matching_step(&code, now + STEP_SECS, 0), Some(step));
        assert_eq!(secret.matching_step(&code, now + 3 * STEP_SECS, 0), None);
        assert_eq!(secret.matching_step(&code, now, step), None, "replayed");
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(secret.matching_step(&spaced, now, 0), Some(step));
        assert_eq!(secret.matching_step("12345", now, 0), None);
        assert_eq!(secret.matching_step("abcdef", now, 0), None);
    }

    #[test]
    fn a_sealed_secret_opens_only_under_its_key() {
        let secret = Secret::generate();
        let sealed = secret.seal(&key());
        assert_ne!(sealed[24..], secret.0[..], "not stored in the clear");
        let opened = Secret::open(&key(), &sealed).unwrap();
        assert_eq!(opened.0, secret.0);
        let other = TokenKey::from_base64("b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktb3RoZXI=");
        assert!(Secret::open(&other.unwrap(), &sealed).is_none());
        let mut altered = sealed.clone();
        altered[30] ^= 1;
        assert!(Secret::open(&key(), &altered).is_none());
    }

    #[test]
    fn the_enrolment_shows_the_secret_and_a_qr_code() {
        let secret = Secret::for_enrolment(&key(), "nonce");
        assert_eq!(secret.0, Secret::for_enrolment(&key(), "nonce").0);
        assert_eq!(secret.base32().replace(' ', "").len(), 32);
        let typed = Secret::from_base32(&secret.base32()).unwrap();
        assert_eq!(typed.0, secret.0);
        let uri = secret.uri("kari@fjordvik.example");
        assert!(
            uri.starts_with("otpauth://totp/Tillit:kari%40fjordvik.example?secret="),
            "{uri}"
        );
        assert!(secret.qr_svg("kari@fjordvik.example").contains("<svg"));
    }

    #[test]
    fn recovery_codes_are_distinct_and_typed_loosely() {
        let codes = recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), RECOVERY_CODES);
        let code = &codes[0];
        assert_eq!(code.len(), 19);
        let typed = code.to_uppercase().replace('-', " ");
        assert_eq!(recovery_hash(&typed), recovery_hash(code));
        assert!(recovery_hash("too-short").is_none());
    }
}
