//! Single sign-on: a service signs its staff in through its own OpenID Connect provider (the
//! municipality's Entra ID, ID-porten, or any other). The admin sets the provider up; the login
//! page of the service (`/login?service=<slug>`) offers "Logg inn med <provider>"; the login runs
//! the authorization code flow with PKCE, state and nonce, and the ID token is checked against the
//! provider's discovery document and keys. Staff are matched to the account they were invited to,
//! by the provider's subject or a verified email address, and never created by signing in. The
//! provider is responsible for its own second factor: a single sign-on skips Tillit's.

pub mod actions;
pub mod domain;
pub mod pages;
pub mod provider;
pub mod queries;
pub mod rules;
