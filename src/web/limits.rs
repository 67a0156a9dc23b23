//! Rate limits for the doors people knock on without an account: login, emailed links, the
//! password-reset form, the invitees' pages. Each limit is a quota per minute with a burst of the
//! same size (a generic cell rate: one more request every `60 / n` seconds, at most `n` at once).
//!
//! The counts live in Redis, so every replica of `tillit serve` counts against the same quota: one
//! atomic script per check (one round trip; a login checks its address and its account in the same
//! script). Keys are `<redis_namespace>:limit:<kind>:<hash>`, the hash a keyed HMAC of the address
//! or account under the service's secret key: no address or email is kept in Redis in clear.
//!
//! When Redis does not answer within [`REDIS_TIMEOUT`], the check falls back to this process's own
//! token buckets (governor) with the same quotas, so logins go on being answered, each replica then
//! counting for itself (which still stops guessing at any useful speed). For [`DOWN_FOR`] after a
//! failure the checks stay local without asking Redis, so a Redis that is away costs no request
//! the timeout; then Redis is asked again. The change each way is logged once, and every check
//! decided locally is counted in the metrics (`tillit_rate_limit_local_checks_total`).
//!
//! The client address is the TCP peer. Behind a reverse proxy that address is the proxy's, so
//! limits then apply per proxy; put the limits at the proxy as well.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock};
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::config::RateLimitSettings;
use crate::tokens::TokenKey;
use crate::web::problem::AppError;

/// How long a check waits for Redis before it decides with this process's own counts.
pub const REDIS_TIMEOUT: Duration = Duration::from_millis(100);

/// After Redis failed to answer, how long checks stay local before Redis is asked again.
pub const DOWN_FOR: Duration = Duration::from_secs(5);

/// What is limited, each with its quota per minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    LoginByAddress,
    LoginByAccount,
    LinkByAddress,
    InviteeByAddress,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Self::LoginByAddress => "login-address",
            Self::LoginByAccount => "login-account",
            Self::LinkByAddress => "link-address",
            Self::InviteeByAddress => "invitee-address",
        }
    }

    fn per_minute(self, settings: &RateLimitSettings) -> u32 {
        match self {
            Self::LoginByAddress => settings.login_per_address,
            Self::LoginByAccount => settings.login_per_account,
            Self::LinkByAddress => settings.links_per_address,
            Self::InviteeByAddress => settings.invitee_per_address,
        }
        .max(1)
    }
}

/// Checks the buckets in KEYS in order; ARGV holds each one's emission interval (ms) and burst.
/// A bucket that has room takes the request; the first without room stops the check and the
/// script answers how many milliseconds until it has room again (0: every bucket took it). The
/// value kept is the bucket's theoretical arrival time (ms, Redis' clock), expiring when the
/// bucket is full again.
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', key)) or now
  if tat < now then tat = now end
  local allowed_from = tat - interval * (burst - 1)
  if now < allowed_from then
    return allowed_from - now
  end
  tat = tat + interval
  redis.call('SET', key, tat, 'PX', tat - now)
end
return 0
";

/// The counts shared by every replica, in Redis.
struct Shared {
    client: redis::Client,
    /// Made on the first check (in a request, on the runtime that serves it), then reused by
    /// every check until Redis fails to answer; the first check after [`DOWN_FOR`] makes a new one.
    connection: RwLock<Option<ConnectionManager>>,
    script: redis::Script,
    prefix: String,
    key: TokenKey,
    /// Milliseconds since `started` until which Redis counts as away.
    down_until: AtomicU64,
    /// Whether the last failure was logged and Redis has not answered since.
    away: AtomicBool,
    started: Instant,
}

impl Shared {
    fn key_for(&self, kind: Kind, key: &str) -> String {
        let digest = self
            .key
            .derive("rate-limit", format!("{}\0{key}", kind.name()).as_bytes());
        let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        format!("{}:limit:{}:{hex}", self.prefix, kind.name())
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn is_down(&self) -> bool {
        self.now_ms() < self.down_until.load(Ordering::Relaxed)
    }

    fn connection(&self) -> redis::RedisResult<ConnectionManager> {
        let kept = self
            .connection
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(c) = kept {
            return Ok(c);
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(REDIS_TIMEOUT))
            .set_response_timeout(Some(REDIS_TIMEOUT))
            .set_number_of_retries(1);
        let made = ConnectionManager::new_lazy_with_config(self.client.clone(), config)?;
        *self
            .connection
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some(made.clone());
        Ok(made)
    }

    /// Redis failed to answer: the next check after [`DOWN_FOR`] connects afresh rather than wait
    /// for this connection's own reconnection.
    fn forget_connection(&self) {
        *self
            .connection
            .write()
            .unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// `Some(wait)` when Redis answered (`wait` zero: allowed), `None` when it did not.
    async fn check(&self, buckets: &[(Kind, &str)], settings: &RateLimitSettings) -> Option<u64> {
        if self.is_down() {
            return None;
        }
        let answer = async {
            let mut connection = self.connection()?;
            let mut invocation = self.script.prepare_invoke();
            for (kind, key) in buckets {
                let n = u64::from(kind.per_minute(settings));
                invocation
                    .key(self.key_for(*kind, key))
                    .arg((60_000 / n).max(1))
                    .arg(n);
            }
            invocation.invoke_async::<u64>(&mut connection).await
        };
        match tokio::time::timeout(REDIS_TIMEOUT, answer).await {
            Ok(Ok(wait_ms)) => {
                if self.away.swap(false, Ordering::Relaxed) {
                    tracing::info!("rate limits are shared through Redis again");
                }
                Some(wait_ms)
            }
            failed => {
                let reason = match failed {
                    Ok(Err(e)) => e.to_string(),
                    _ => "no answer in time".to_owned(),
                };
                self.forget_connection();
                self.down_until.store(
                    self.now_ms()
                        .saturating_add(u64::try_from(DOWN_FOR.as_millis()).unwrap_or(5_000)),
                    Ordering::Relaxed,
                );
                if !self.away.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        error = %reason,
                        "Redis did not answer: rate limits count in this process until it does"
                    );
                }
                None
            }
        }
    }
}

/// This process's own buckets: all there is without Redis, and the fallback while Redis is away.
struct Local {
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

fn check_local(limiter: &DefaultKeyedRateLimiter<String>, key: &str) -> Result<(), AppError> {
    if limiter.len() > SWEEP_ABOVE {
        limiter.retain_recent();
    }
    limiter.check_key(&key.to_owned()).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        AppError::RateLimited(wait.as_secs().max(1))
    })
}

impl Local {
    fn limiter(&self, kind: Kind) -> &DefaultKeyedRateLimiter<String> {
        match kind {
            Kind::LoginByAddress => &self.login_by_address,
            Kind::LoginByAccount => &self.login_by_account,
            Kind::LinkByAddress => &self.links_by_address,
            Kind::InviteeByAddress => &self.invitee_by_address,
        }
    }
}

pub struct Limits {
    settings: RateLimitSettings,
    local: Local,
    shared: Option<Shared>,
    local_checks: Option<prometheus::IntCounter>,
}

impl Limits {
    /// Limits counted in this process only.
    pub fn new(settings: &RateLimitSettings) -> Self {
        Self {
            settings: settings.clone(),
            local: Local {
                login_by_address: RateLimiter::keyed(per_minute(settings.login_per_address)),
                login_by_account: RateLimiter::keyed(per_minute(settings.login_per_account)),
                links_by_address: RateLimiter::keyed(per_minute(settings.links_per_address)),
                invitee_by_address: RateLimiter::keyed(per_minute(settings.invitee_per_address)),
            },
            shared: None,
            local_checks: None,
        }
    }

    /// The same limits counted in Redis under `namespace`, shared by every process that uses the
    /// same Redis, namespace and `key`; this process's own buckets when Redis does not answer
    /// (each such check counted in `local_checks`).
    pub fn shared(
        settings: &RateLimitSettings,
        redis: redis::Client,
        namespace: &str,
        key: TokenKey,
        local_checks: prometheus::IntCounter,
    ) -> Self {
        Self {
            shared: Some(Shared {
                client: redis,
                connection: RwLock::new(None),
                script: redis::Script::new(GCRA),
                prefix: namespace.to_owned(),
                key,
                down_until: AtomicU64::new(0),
                away: AtomicBool::new(false),
                started: Instant::now(),
            }),
            local_checks: Some(local_checks),
            ..Self::new(settings)
        }
    }

    async fn check(&self, buckets: &[(Kind, &str)]) -> Result<(), AppError> {
        if let Some(shared) = &self.shared {
            if let Some(wait_ms) = shared.check(buckets, &self.settings).await {
                return match wait_ms {
                    0 => Ok(()),
                    ms => Err(AppError::RateLimited(ms.div_ceil(1000).max(1))),
                };
            }
            if let Some(counter) = &self.local_checks {
                counter.inc();
            }
        }
        for (kind, key) in buckets {
            check_local(self.local.limiter(*kind), key)?;
        }
        Ok(())
    }

    /// A login attempt from `address` for `account` (the email as typed, lowercased).
    pub async fn login(&self, address: &str, account: &str) -> Result<(), AppError> {
        self.check(&[
            (Kind::LoginByAddress, address),
            (Kind::LoginByAccount, account),
        ])
        .await
    }

    /// A page opened through an emailed link, or the password-reset form.
    pub async fn link(&self, address: &str) -> Result<(), AppError> {
        self.check(&[(Kind::LinkByAddress, address)]).await
    }

    /// An invitee's meeting page (`/i/{token}`), shown or answered.
    pub async fn invitee(&self, address: &str) -> Result<(), AppError> {
        self.check(&[(Kind::InviteeByAddress, address)]).await
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

    fn small() -> RateLimitSettings {
        RateLimitSettings {
            login_per_address: 3,
            login_per_account: 2,
            links_per_address: 1,
            invitee_per_address: 1,
        }
    }

    fn key() -> TokenKey {
        TokenKey::from_base64("dGVzdC1vbmx5LWtleS1mb3ItdGlsbGl0LXN1aXRlLW5vdC1hLXNlY3JldCE=")
            .expect("a key")
    }

    fn redis_url() -> String {
        std::env::var("TILLIT_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/0".into())
    }

    fn shared_on(url: &str, namespace: &str) -> (Limits, prometheus::IntCounter) {
        let counter = prometheus::IntCounter::new("local_checks", "checks decided locally")
            .expect("a counter");
        let limits = Limits::shared(
            &small(),
            redis::Client::open(url).expect("a Redis URL"),
            namespace,
            key(),
            counter.clone(),
        );
        (limits, counter)
    }

    /// The same rules hold whether the buckets are this process's or Redis'.
    async fn the_rules_hold(limits: &Limits) {
        assert!(limits.login("10.0.0.1", "kari@example.no").await.is_ok());
        assert!(limits.login("10.0.0.1", "kari@example.no").await.is_ok());
        // The account is exhausted before the address.
        let refused = limits
            .login("10.0.0.2", "kari@example.no")
            .await
            .unwrap_err();
        assert!(matches!(refused, AppError::RateLimited(s) if s >= 1));
        assert!(limits.login("10.0.0.2", "ola@example.no").await.is_ok());
        assert!(limits.link("10.0.0.3").await.is_ok());
        let refused = limits.link("10.0.0.3").await.unwrap_err();
        assert!(
            matches!(refused, AppError::RateLimited(s) if (55..=60).contains(&s)),
            "one a minute: wait about a minute, {refused:?}"
        );
        assert!(limits.link("10.0.0.4").await.is_ok(), "per address");
        assert!(
            limits.invitee("10.0.0.3").await.is_ok(),
            "a bucket of its own"
        );
        assert!(limits.invitee("10.0.0.3").await.is_err());
    }

    #[tokio::test]
    async fn the_bucket_empties_and_says_how_long_to_wait() {
        the_rules_hold(&Limits::new(&small())).await;
    }

    #[tokio::test]
    async fn in_redis_the_same_rules_hold_and_two_processes_share_one_count() {
        let namespace = format!("tillit-unit-{}", uuid::Uuid::new_v4().simple());
        let (a, a_local) = shared_on(&redis_url(), &namespace);
        the_rules_hold(&a).await;
        assert_eq!(a_local.get(), 0, "every check went through Redis");
        // Another process with the same Redis and namespace finds the buckets as `a` left them.
        let (b, _) = shared_on(&redis_url(), &namespace);
        assert!(b.login("10.0.0.9", "kari@example.no").await.is_err());
        assert!(b.link("10.0.0.3").await.is_err());
        assert!(b.link("10.0.0.5").await.is_ok());
        // The keys carry neither the address nor the account.
        let mut c = redis::Client::open(redis_url())
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap();
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{namespace}:*"))
            .query_async(&mut c)
            .await
            .unwrap();
        assert!(!keys.is_empty());
        for k in &keys {
            assert!(k.starts_with(&format!("{namespace}:limit:")), "{k}");
            assert!(!k.contains("10.0.0") && !k.contains("example"), "{k}");
        }
        let _: () = redis::cmd("DEL")
            .arg(&keys)
            .query_async(&mut c)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn without_redis_each_process_counts_for_itself_and_waits_no_timeout_each_time() {
        // Nothing listens on this port.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let (limits, local) = shared_on(&format!("redis://127.0.0.1:{port}/0"), "tillit-away");
        the_rules_hold(&limits).await;
        assert_eq!(local.get(), 9, "each check decided here");
        let started = Instant::now();
        for i in 0..50 {
            let _ = limits.invitee(&format!("10.1.0.{i}")).await;
        }
        assert!(
            started.elapsed() < REDIS_TIMEOUT * 5,
            "Redis known to be away is not asked again: {:?}",
            started.elapsed()
        );
        assert_eq!(local.get(), 59);
    }

    #[tokio::test]
    async fn a_redis_that_does_not_answer_costs_one_timeout_then_none() {
        // Takes connections (the kernel's backlog) and never answers.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = silent.local_addr().unwrap().port();
        let (limits, local) = shared_on(&format!("redis://127.0.0.1:{port}/0"), "tillit-silent");
        let started = Instant::now();
        assert!(limits.invitee("10.2.0.1").await.is_ok());
        let first = started.elapsed();
        assert!(
            first >= REDIS_TIMEOUT && first < REDIS_TIMEOUT * 3,
            "the first check waits for Redis no longer than the timeout: {first:?}"
        );
        assert!(limits.invitee("10.2.0.1").await.is_err(), "counted here");
        assert!(started.elapsed() < first + REDIS_TIMEOUT / 2);
        assert_eq!(local.get(), 2);
        drop(silent);
    }
}
