//! The conversation with the provider, through the `openidconnect` crate: discovery, the
//! authorization URL (PKCE, state, nonce) and the code exchange with the ID token checked
//! (signature by the provider's published keys, issuer, audience, expiry, nonce, and the access
//! token's hash). No redirects are followed, and a provider that does not answer in time fails.
//!
//! The discovery document and keys are kept per issuer in the app state for a few minutes
//! (`web::state::DISCOVERY_LIFETIME`), so a login does not fetch them again; an ID token signed
//! by a key the kept set lacks (the provider rotated its keys) fetches them afresh once.

use std::sync::OnceLock;
use std::time::Duration;

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreProviderMetadata, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AccessTokenHash, AdditionalClaims, AuthorizationCode, ClaimsVerificationError, Client,
    ClientId, ClientSecret, CsrfToken, EmptyExtraTokenFields, IdTokenFields, IdTokenVerifier,
    IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    SignatureVerificationError, StandardErrorResponse, StandardTokenResponse, TokenResponse,
    reqwest,
};
use serde::{Deserialize, Serialize};

use crate::web::expiring::Expiring;

/// The discovery documents kept per issuer (`AppState::discovery`).
pub type Discovered = Expiring<CoreProviderMetadata>;

/// How long the provider may take to answer one request.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(5);

/// The claims beyond the standard ones that Tillit reads: the groups a person is in.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GroupClaims {
    #[serde(default)]
    pub groups: Vec<String>,
}

impl AdditionalClaims for GroupClaims {}

type GroupTokenResponse = StandardTokenResponse<
    IdTokenFields<
        GroupClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;

/// Why the provider's part failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderFailure {
    /// It did not answer, or not as an OpenID Connect provider (discovery failed).
    Unavailable(String),
    /// It answered, but refused the code (used before, expired).
    Rejected(String),
    /// Its ID token did not pass the checks; `check` names which (`nonce`, `audience`, `expired`,
    /// `issuer`, `signature`, `access_token_hash`, `claims`), for the audit row.
    TokenInvalid { check: &'static str, detail: String },
}

impl ProviderFailure {
    fn token(check: &'static str, detail: impl Into<String>) -> Self {
        Self::TokenInvalid {
            check,
            detail: detail.into(),
        }
    }
}

/// Which check of the ID token `err` is.
fn check_of(err: &ClaimsVerificationError) -> &'static str {
    match err {
        ClaimsVerificationError::InvalidNonce(_) => "nonce",
        ClaimsVerificationError::InvalidAudience(_) => "audience",
        ClaimsVerificationError::Expired(_) => "expired",
        ClaimsVerificationError::InvalidIssuer(_) => "issuer",
        ClaimsVerificationError::SignatureVerification(_) => "signature",
        _ => "claims",
    }
}

/// A service's provider as stored, its secret opened.
pub struct ProviderSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
}

/// The start of a login: where to send the browser, and what the browser keeps until it returns.
pub struct Started {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub verifier: String,
}

/// The person the provider signed in.
#[derive(Debug, Clone)]
pub struct Identity {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub groups: Vec<String>,
}

fn http() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            // Following redirects would let a provider's answer send Tillit elsewhere (SSRF).
            .redirect(reqwest::redirect::Policy::none())
            .timeout(PROVIDER_TIMEOUT)
            .build()
            .expect("the provider HTTP client builds")
    })
}

/// The provider's discovery document, which also brings its signing keys (JWKS), fetched now and
/// kept in `kept` for the next logins.
pub async fn discover(
    kept: &Discovered,
    issuer: &str,
) -> Result<CoreProviderMetadata, ProviderFailure> {
    let url = IssuerUrl::new(issuer.to_owned())
        .map_err(|e| ProviderFailure::Unavailable(format!("issuer: {e}")))?;
    let metadata = CoreProviderMetadata::discover_async(url, http())
        .await
        .map_err(|e| ProviderFailure::Unavailable(format!("discovery: {e}")))?;
    kept.put(issuer, metadata.clone());
    Ok(metadata)
}

/// The provider's discovery document as kept, if still fresh (and whether it was), else fetched.
async fn discovered(
    kept: &Discovered,
    issuer: &str,
) -> Result<(CoreProviderMetadata, bool), ProviderFailure> {
    match kept.get(issuer) {
        Some(metadata) => Ok((metadata, true)),
        None => discover(kept, issuer).await.map(|m| (m, false)),
    }
}

macro_rules! client_of {
    ($metadata:expr, $settings:expr, $redirect:expr) => {
        Client::<
            GroupClaims,
            CoreAuthDisplay,
            CoreGenderClaim,
            CoreJweContentEncryptionAlgorithm,
            CoreJsonWebKey,
            CoreAuthPrompt,
            StandardErrorResponse<CoreErrorResponseType>,
            GroupTokenResponse,
            CoreTokenIntrospectionResponse,
            CoreRevocableToken,
            CoreRevocationErrorResponse,
            _,
            _,
            _,
            _,
            _,
            _,
        >::from_provider_metadata(
            $metadata,
            ClientId::new($settings.client_id.clone()),
            Some(ClientSecret::new($settings.client_secret.clone())),
        )
        .set_redirect_uri(
            RedirectUrl::new($redirect.to_owned())
                .map_err(|e| ProviderFailure::Unavailable(format!("redirect: {e}")))?,
        )
    };
}

/// Discovers the provider and makes the authorization URL for a fresh login.
pub async fn start(
    kept: &Discovered,
    settings: &ProviderSettings,
    redirect: &str,
) -> Result<Started, ProviderFailure> {
    let (metadata, _) = discovered(kept, &settings.issuer).await?;
    let client = client_of!(metadata, settings, redirect);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    Ok(Started {
        url: url.to_string(),
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        verifier: verifier.secret().clone(),
    })
}

/// Exchanges the code (with the PKCE verifier) and checks the ID token against `nonce`.
pub async fn finish(
    kept: &Discovered,
    settings: &ProviderSettings,
    redirect: &str,
    code: &str,
    nonce: &str,
    verifier: &str,
) -> Result<Identity, ProviderFailure> {
    let (metadata, was_kept) = discovered(kept, &settings.issuer).await?;
    let client = client_of!(metadata, settings, redirect);
    let response = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .map_err(|e| ProviderFailure::Unavailable(format!("token endpoint: {e}")))?
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
        .request_async(http())
        .await
        .map_err(|e| ProviderFailure::Rejected(format!("code exchange: {e}")))?;
    match verified(&client.id_token_verifier(), &response, nonce) {
        Err(Unverified::UnknownKey(_)) if was_kept => {
            // The provider may have rotated its keys since they were kept: fetch them, once.
            let metadata = discover(kept, &settings.issuer).await?;
            let client = client_of!(metadata, settings, redirect);
            verified(&client.id_token_verifier(), &response, nonce).map_err(ProviderFailure::from)
        }
        other => other.map_err(ProviderFailure::from),
    }
}

/// Why an ID token did not pass.
enum Unverified {
    /// Signed by a key the provider's published set does not hold.
    UnknownKey(String),
    Failed(ProviderFailure),
}

impl From<Unverified> for ProviderFailure {
    fn from(unverified: Unverified) -> Self {
        match unverified {
            Unverified::UnknownKey(e) => {
                ProviderFailure::token("signature", format!("ID token: {e}"))
            }
            Unverified::Failed(failure) => failure,
        }
    }
}

/// The person of the ID token in `response`, if it passes `checker` and `nonce`.
fn verified(
    checker: &IdTokenVerifier<'_, CoreJsonWebKey>,
    response: &GroupTokenResponse,
    nonce: &str,
) -> Result<Identity, Unverified> {
    let rejected =
        |check: &'static str, text: String| Unverified::Failed(ProviderFailure::token(check, text));
    let id_token = response
        .id_token()
        .ok_or_else(|| rejected("claims", "no ID token".into()))?;
    let claims = id_token
        .claims(checker, &Nonce::new(nonce.to_owned()))
        .map_err(|e| match e {
            ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            ) => Unverified::UnknownKey(e.to_string()),
            e => rejected(check_of(&e), format!("ID token: {e}")),
        })?;
    if let Some(expected) = claims.access_token_hash() {
        let hash = "access_token_hash";
        let algorithm = id_token
            .signing_alg()
            .map_err(|e| rejected(hash, format!("ID token algorithm: {e}")))?;
        let key = id_token
            .signing_key(checker)
            .map_err(|e| rejected(hash, format!("ID token key: {e}")))?;
        let actual = AccessTokenHash::from_token(response.access_token(), algorithm, key)
            .map_err(|e| rejected(hash, format!("access token hash: {e}")))?;
        if actual != *expected {
            return Err(rejected(hash, "access token hash differs".into()));
        }
    }
    Ok(Identity {
        subject: claims.subject().as_str().to_owned(),
        email: claims.email().map(|e| e.as_str().trim().to_lowercase()),
        email_verified: claims.email_verified().unwrap_or(false),
        groups: claims.additional_claims().groups.clone(),
    })
}
