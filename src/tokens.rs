//! Secret tokens for API keys and links sent by email: 256 random bits, shown to their holder once,
//! stored only as a SHA-256 hash. A lookup hashes what was presented and compares hashes, so the
//! database never holds anything that would let someone act as the holder.
//!
//! Every kind of emailed link (account links `/setup/{token}`, invitations `/i/{token}`, the
//! child's `/c/{token}`) is a [`LinkToken`] of its [`LinkKind`]: derived from its row id, parsed
//! once from the path, and found across services by the one lookup `platform_link_lookup`.

use std::fmt;
use std::marker::PhantomData;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bytea, Text};
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretBox};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::{Db, DbError, TenantId};

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
/// Such a token ([`LinkToken::derive`]) is `HMAC-SHA256(key, purpose ‖ row id)`, where the row id
/// is a fresh random v4 uuid: the database keeps the row id and the token's SHA-256, the email job
/// re-derives the token text from the row id, and nobody without the key can compute it from what
/// the database holds.
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

    /// HMAC-SHA256 of `data` under this key for `purpose`, url-safe base64.
    pub fn mac(&self, purpose: &str, data: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(self.derive(purpose, data))
    }

    /// HMAC-SHA256 of `data` under this key for `purpose`: 32 bytes, e.g. a key of its own for
    /// one purpose (sealing second-factor secrets) that never serves another.
    pub fn derive(&self, purpose: &str, data: &[u8]) -> [u8; 32] {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.0.expose_secret())
            .expect("HMAC takes keys of any length");
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(data);
        mac.finalize().into_bytes().into()
    }
}

/// Bytes sealed under a key of their own for `purpose` (XChaCha20-Poly1305, derived from
/// [`TokenKey`]): nonce ‖ ciphertext. For secrets kept at rest (second-factor keys, a provider's
/// client secret) and for state a browser holds but must neither read nor alter.
pub fn seal(key: &TokenKey, purpose: &str, clear: &[u8]) -> Vec<u8> {
    use chacha20poly1305::aead::Aead;
    let mut nonce = [0u8; SEAL_NONCE_BYTES];
    rand::rng().fill_bytes(&mut nonce);
    let sealed = sealing_cipher(key, purpose)
        .encrypt(chacha20poly1305::XNonce::from_slice(&nonce), clear)
        .expect("sealing a short secret cannot fail");
    [nonce.as_slice(), sealed.as_slice()].concat()
}

/// Opens what [`seal`] made for `purpose`; `None` if it was sealed under another key or purpose,
/// or altered.
pub fn open(key: &TokenKey, purpose: &str, sealed: &[u8]) -> Option<Vec<u8>> {
    use chacha20poly1305::aead::Aead;
    if sealed.len() <= SEAL_NONCE_BYTES {
        return None;
    }
    let (nonce, text) = sealed.split_at(SEAL_NONCE_BYTES);
    sealing_cipher(key, purpose)
        .decrypt(chacha20poly1305::XNonce::from_slice(nonce), text)
        .ok()
}

const SEAL_NONCE_BYTES: usize = 24;

fn sealing_cipher(key: &TokenKey, purpose: &str) -> chacha20poly1305::XChaCha20Poly1305 {
    use chacha20poly1305::KeyInit;
    chacha20poly1305::XChaCha20Poly1305::new(&key.derive(purpose, b"v1").into())
}

/// A kind of link sent by email. The kind is part of the token's type, so a token of one kind
/// cannot be handed to code that expects another.
pub trait LinkKind {
    /// Starts the token, so a leaked token's kind shows at a glance (and secret scanners can
    /// recognise it).
    const PREFIX: &'static str;
    /// Mixed into the derivation, so a token of one kind never passes for another; also the
    /// name `platform_link_lookup` knows the kind's table by.
    const PURPOSE: &'static str;
}

/// A staff member's account link (setup, invitation to the service, password reset):
/// `/setup/{token}`, rows of `account_tokens`.
pub enum AccountLink {}

impl LinkKind for AccountLink {
    const PREFIX: &'static str = "tla_";
    const PURPOSE: &'static str = "account";
}

/// A council invitee's link: `/i/{token}`, rows of `council_invitations`.
pub enum InvitationLink {}

impl LinkKind for InvitationLink {
    const PREFIX: &'static str = "tli_";
    const PURPOSE: &'static str = "invitation";
}

/// The child's link to "my team" and "my plan": `/c/{token}`, rows of `plan_child_links`.
pub enum ChildLink {}

impl LinkKind for ChildLink {
    const PREFIX: &'static str = "tlb_";
    const PURPOSE: &'static str = "child_link";
}

/// A candidate home's link in a foster-home recruitment (the answer and the self-information
/// form): `/r/{token}`, rows of `recruitment_candidates`.
pub enum CandidateLink {}

impl LinkKind for CandidateLink {
    const PREFIX: &'static str = "tlr_";
    const PURPOSE: &'static str = "recruitment_candidate";
}

/// The token of an emailed link of kind `K`: either derived from its row id (to store its hash,
/// or to put it into an email) or parsed from the path a link opened.
pub struct LinkToken<K: LinkKind> {
    text: String,
    kind: PhantomData<K>,
}

impl<K: LinkKind> LinkToken<K> {
    /// The token of row `id` (a random v4 uuid, so the token cannot be guessed from it).
    pub fn derive(key: &TokenKey, id: Uuid) -> Self {
        Self {
            text: format!("{}{}", K::PREFIX, key.mac(K::PURPOSE, id.as_bytes())),
            kind: PhantomData,
        }
    }

    /// The token in a link's path, if it can be one of this kind at all: checked before any
    /// database lookup, so garbage costs nothing.
    pub fn parse(text: &str) -> Option<Self> {
        looks_like(text, K::PREFIX).then(|| Self {
            text: text.to_owned(),
            kind: PhantomData,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// What the database keeps of it.
    pub fn hash(&self) -> Vec<u8> {
        hash(&self.text)
    }

    /// Which service and row this token belongs to, across services: the one question a link's
    /// page asks before it knows its tenant. Whether the row is still usable (expired, used,
    /// revoked) is judged inside the tenant, so all of those can get the same neutral page.
    pub async fn lookup(&self, db: &Db) -> Result<Option<(TenantId, Uuid)>, DbError> {
        link_lookup(db, K::PURPOSE, self.hash()).await
    }

    /// [`Self::lookup`] in the caller's transaction, before it has a tenant, that in the same
    /// statement scopes the rest of the transaction to the service found — the `find` of
    /// [`Db::found_tenant`], one round trip for both.
    pub fn scope_in(&self, conn: &mut PgConnection) -> QueryResult<Option<(TenantId, Uuid)>> {
        link_rows(
            conn,
            "SELECT tenant_id, row_id, set_config('app.tenant_id', tenant_id::text, true)
               FROM platform_link_lookup($1, $2)",
            K::PURPOSE,
            self.hash(),
        )
    }
}

/// `platform_link_lookup(kind, hash)`: the service and row a presented secret belongs to.
async fn link_lookup(
    db: &Db,
    kind: &'static str,
    hash: Vec<u8>,
) -> Result<Option<(TenantId, Uuid)>, DbError> {
    db.unscoped(move |conn| link_lookup_in(conn, kind, hash).map_err(DbError::from))
        .await
}

/// [`link_lookup`] on a connection whose transaction has no tenant set yet.
fn link_lookup_in(
    conn: &mut PgConnection,
    kind: &'static str,
    hash: Vec<u8>,
) -> QueryResult<Option<(TenantId, Uuid)>> {
    link_rows(
        conn,
        "SELECT tenant_id, row_id FROM platform_link_lookup($1, $2)",
        kind,
        hash,
    )
}

/// The (service, row) of `sql`, a select from `platform_link_lookup($1, $2)`.
fn link_rows(
    conn: &mut PgConnection,
    sql: &'static str,
    kind: &'static str,
    hash: Vec<u8>,
) -> QueryResult<Option<(TenantId, Uuid)>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        tenant_id: Uuid,
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        row_id: Uuid,
    }
    let rows: Vec<Row> = diesel::sql_query(sql)
        .bind::<Text, _>(kind)
        .bind::<Bytea, _>(hash)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .next()
        .map(|row| (TenantId(row.tenant_id), row.row_id)))
}

/// The short code a printed invitation letter carries beside its QR code, for a person who types
/// the address from paper: `/b/K7M2-9QXD-4TNA`. Twelve characters of Crockford's base32 (60 bits,
/// no I, L, O or U to misread), derived from the invitation's row id like its link's token, so the
/// letter can be printed again without writing; the database keeps its SHA-256. Typing is
/// forgiving: case, hyphens and spaces do not matter, and O, I and L read as 0, 1 and 1.
pub struct LetterCode(String);

impl LetterCode {
    const PURPOSE: &'static str = "letter";
    const LENGTH: usize = 12;

    /// The code of invitation row `id`.
    pub fn derive(key: &TokenKey, id: Uuid) -> Self {
        let bytes = key.derive(Self::PURPOSE, id.as_bytes());
        let mut text = base32::encode(base32::Alphabet::Crockford, &bytes);
        text.truncate(Self::LENGTH);
        Self(text)
    }

    /// The code as typed, if it can be one at all.
    pub fn parse(typed: &str) -> Option<Self> {
        let text: String = typed
            .chars()
            .filter(|c| !matches!(c, '-' | ' '))
            .map(|c| match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            })
            .collect();
        (text.len() == Self::LENGTH
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b.is_ascii_uppercase() && !b"ILOU".contains(&b))))
        .then_some(Self(text))
    }

    /// What the database keeps of it.
    pub fn hash(&self) -> Vec<u8> {
        hash(&self.0)
    }

    /// The invitation row this code belongs to, across services.
    pub async fn lookup(&self, db: &Db) -> Result<Option<(TenantId, Uuid)>, DbError> {
        link_lookup(db, Self::PURPOSE, self.hash()).await
    }
}

impl fmt::Display for LetterCode {
    /// In groups of four, as printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let groups: Vec<&str> = [0, 4, 8].iter().map(|&i| &self.0[i..i + 4]).collect();
        f.write_str(&groups.join("-"))
    }
}

impl<K: LinkKind> fmt::Display for LinkToken<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
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
    fn a_letter_code_reads_back_however_it_is_typed_and_never_from_garbage() {
        let key = TokenKey::from_base64(&STANDARD.encode([7u8; 32])).unwrap();
        let id = Uuid::new_v4();
        let code = LetterCode::derive(&key, id);
        let printed = code.to_string();
        assert_eq!(printed.len(), 14, "three groups of four: {printed}");
        assert_eq!(printed.matches('-').count(), 2);
        let typed = printed.to_lowercase().replace('-', " ");
        assert_eq!(LetterCode::parse(&typed).unwrap().hash(), code.hash());
        // The letters people misread are read as the digits they stand for.
        let misread = printed.replace('0', "O").replace('1', "l");
        assert_eq!(LetterCode::parse(&misread).unwrap().hash(), code.hash());
        assert_ne!(LetterCode::derive(&key, Uuid::new_v4()).hash(), code.hash());
        for garbage in [
            "",
            "ABCD-EFGH",
            "ABCD-EFGH-JKMNP",
            "ABCD-EFGH-JKM!",
            "UUUU-UUUU-UUUU",
        ] {
            assert!(LetterCode::parse(garbage).is_none(), "{garbage}");
        }
    }

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
        let token = LinkToken::<AccountLink>::derive(&key, id);
        let text = token.as_str();
        assert_eq!(
            text,
            LinkToken::<AccountLink>::derive(&key, id).as_str(),
            "stable"
        );
        assert!(looks_like(text, "tla_"));
        assert_ne!(text, LinkToken::<AccountLink>::derive(&other, id).as_str());
        assert_ne!(
            text,
            LinkToken::<AccountLink>::derive(&key, Uuid::new_v4()).as_str()
        );
        assert!(TokenKey::from_base64("c2hvcnQ=").is_err());
    }

    #[test]
    fn link_tokens_carry_their_kind() {
        let key = TokenKey::from_base64(&STANDARD.encode([7u8; 32])).unwrap();
        let id = Uuid::new_v4();
        let invitation = LinkToken::<InvitationLink>::derive(&key, id);
        assert_eq!(
            invitation.as_str(),
            format!("tli_{}", key.mac("invitation", id.as_bytes())),
            "the same token as before there were kinds"
        );
        assert_eq!(invitation.hash(), hash(invitation.as_str()));
        let parsed = LinkToken::<InvitationLink>::parse(invitation.as_str()).expect("parses");
        assert_eq!(parsed.as_str(), invitation.as_str());
        assert!(LinkToken::<ChildLink>::parse(invitation.as_str()).is_none());
        assert!(LinkToken::<AccountLink>::parse(invitation.as_str()).is_none());
        assert!(LinkToken::<InvitationLink>::parse("tli_short").is_none());
        assert_ne!(
            LinkToken::<ChildLink>::derive(&key, id).as_str()[4..],
            invitation.as_str()[4..],
            "the purpose is mixed in"
        );
    }
}
