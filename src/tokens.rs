//! Secret tokens for API keys and links sent by email: 256 random bits, shown to their holder once,
//! stored only as a SHA-256 hash. A lookup hashes what was presented and compares hashes, so the
//! database never holds anything that would let someone act as the holder.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

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

/// The stored form of a presented token.
pub fn hash(text: &str) -> Vec<u8> {
    Sha256::digest(text.as_bytes()).to_vec()
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
}
