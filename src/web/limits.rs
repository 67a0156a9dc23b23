//! Rate limits for the doors people knock on without an account: login, emailed links, the
//! password-reset form. In-process token buckets (governor), keyed by client address or by
//! account; each replica counts for itself, which still stops guessing at any useful speed.
//!
//! The client address is the TCP peer. Behind a reverse proxy that address is the proxy's, so
//! limits then apply per proxy; put the limits at the proxy as well.

use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::RateLimitSettings;
use crate::web::problem::AppError;

pub struct Limits {
    login_by_address: DefaultKeyedRateLimiter<String>,
    login_by_account: DefaultKeyedRateLimiter<String>,
    links_by_address: DefaultKeyedRateLimiter<String>,
    invitee_by_address: DefaultKeyedRateLimiter<String>,
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN))
}

/// Above this many tracked keys, forgotten ones are swept before the next check.
const SWEEP_ABOVE: usize = 10_000;

fn check(limiter: &DefaultKeyedRateLimiter<String>, key: &str) -> Result<(), AppError> {
    if limiter.len() > SWEEP_ABOVE {
        limiter.retain_recent();
    }
    limiter.check_key(&key.to_owned()).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        AppError::RateLimited(wait.as_secs().max(1))
    })
}

impl Limits {
    pub fn new(settings: &RateLimitSettings) -> Self {
        Self {
            login_by_address: RateLimiter::keyed(per_minute(settings.login_per_address)),
            login_by_account: RateLimiter::keyed(per_minute(settings.login_per_account)),
            links_by_address: RateLimiter::keyed(per_minute(settings.links_per_address)),
            invitee_by_address: RateLimiter::keyed(per_minute(settings.invitee_per_address)),
        }
    }

    /// A login attempt from `address` for `account` (the email as typed, lowercased).
    pub fn login(&self, address: &str, account: &str) -> Result<(), AppError> {
        check(&self.login_by_address, address)?;
        check(&self.login_by_account, account)
    }

    /// A page opened through an emailed link, or the password-reset form.
    pub fn link(&self, address: &str) -> Result<(), AppError> {
        check(&self.links_by_address, address)
    }

    /// An invitee's meeting page (`/i/{token}`), shown or answered.
    pub fn invitee(&self, address: &str) -> Result<(), AppError> {
        check(&self.invitee_by_address, address)
    }
}

/// The address a request came from, for rate limits.
pub fn client_address(req: &actix_web::HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_empties_and_says_how_long_to_wait() {
        let limits = Limits::new(&RateLimitSettings {
            login_per_address: 3,
            login_per_account: 2,
            links_per_address: 1,
            invitee_per_address: 1,
        });
        assert!(limits.login("10.0.0.1", "kari@example.no").is_ok());
        assert!(limits.login("10.0.0.1", "kari@example.no").is_ok());
        // The account is exhausted before the address.
        let refused = limits.login("10.0.0.2", "kari@example.no").unwrap_err();
        assert!(matches!(refused, AppError::RateLimited(s) if s >= 1));
        assert!(limits.login("10.0.0.2", "ola@example.no").is_ok());
        assert!(limits.link("10.0.0.3").is_ok());
        assert!(limits.link("10.0.0.3").is_err());
        assert!(limits.link("10.0.0.4").is_ok(), "per address");
        assert!(limits.invitee("10.0.0.3").is_ok(), "a bucket of its own");
        assert!(limits.invitee("10.0.0.3").is_err());
    }
}
