//! Secret tokens for API keys and links sent by email: 256 random bits, shown to their holder once,
//! stored only as a SHA-256 hash. A lookup hashes what was presented and compares hashes, so the
//! database never holds anything that would let someone act as the holder.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretBox};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// A freshly made token: the text to hand out and the hash to store.
pub struct IssuedToken {
    pub text: String,
    pub hash: Vec<u8>,
}

/// Makes a token `"{prefix}{43 url-safe characters}"`. The prefix tells a leaked secret's kind at a
/// glance (and lets secret scanners recognise it).
pub fn issue(prefix: &str) -> IssuedToken {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let text = format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = hash(&text);
    IssuedToken { text, hash }
}

/// The server's key for tokens that a background job must be able to put into an email later.
///
/// Such a token is `HMAC-SHA256(key, purpose ‖ row id)`, where the row id is a fresh random v4
/// uuid: the database keeps the row id and the token's SHA-256, the email job re-derives the token
/// text from the row id, and nobody without the key can compute it from what the database holds.
pub struct TokenKey(SecretBox<Vec<u8>>);

impl TokenKey {
    /// Accepts base64 of at least 32 bytes.
    pub fn from_base64(text: &str) -> Result<Self, &'static str> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| "the key is not base64")?;
        if bytes.len() < 32 {
            return Err("the key must have at least 32 bytes");
        }
        Ok(Self(SecretBox::new(Box::new(bytes))))
    }

    /// The token for row `id` with `purpose` (e.g. "account"), shown with `prefix`.
    pub fn derive(&self, prefix: &str, purpose: &str, id: Uuid) -> IssuedToken {
        let text = format!("{prefix}{}", self.mac(purpose, id.as_bytes()));
        let hash = hash(&text);
        IssuedToken { text, hash }
    }

    /// HMAC-SHA256 of `data` under this key for `purpose`, url-safe base64.
    pub fn mac(&self, purpose: &str, data: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.0.expose_secret())
            .expect("HMAC takes keys of any length");
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(data);
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }
}

/// The stored form of a presented token.
pub fn hash(text: &str) -> Vec<u8> {
    Sha256::digest(text.as_bytes()).to_vec()
}

/// Compares two secrets in constant time.
pub fn same(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Whether `text` could be a token of this kind at all: checked before any database lookup, so
/// garbage costs nothing.
pub fn looks_like(text: &str, prefix: &str) -> bool {
    text.strip_prefix(prefix).is_some_and(|rest| {
        rest.len() == 43
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_hashed_and_recognisable() {
        let a = issue("tlk_");
        let b = issue("tlk_");
        assert_ne!(a.text, b.text);
        assert_eq!(a.hash, hash(&a.text));
        assert_eq!(a.hash.len(), 32);
        assert!(looks_like(&a.text, "tlk_"));
        assert!(!looks_like(&a.text, "tls_"));
        assert!(!looks_like("tlk_short", "tlk_"));
    }

    #[test]
    fn derived_tokens_depend_on_key_purpose_and_row() {
        let key = TokenKey::from_base64(&STANDARD.encode([7u8; 32])).unwrap();
        let other = TokenKey::from_base64(&STANDARD.encode([8u8; 32])).unwrap();
        let id = Uuid::new_v4();
        let token = key.derive("tla_", "account", id);
        assert_eq!(token.text, key.derive("tla_", "account", id).text, "stable");
        assert!(looks_like(&token.text, "tla_"));
        assert_ne!(token.text, other.derive("tla_", "account", id).text);
        assert_ne!(token.text, key.derive("tla_", "invite", id).text);
        assert_ne!(
            token.text,
            key.derive("tla_", "account", Uuid::new_v4()).text
        );
        assert!(TokenKey::from_base64("c2hvcnQ=").is_err());
    }
}
