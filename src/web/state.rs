//! The state every request handler shares: settings, the database, Redis, the mailer, metrics,
//! rate limits, and the job kinds this process runs (for the workers it starts).

use std::sync::Arc;
use std::time::Duration;

use openidconnect::core::CoreProviderMetadata;
use secrecy::ExposeSecret;

use super::expiring::Expiring;
use super::limits::Limits;
use super::metrics::Metrics;
use crate::config::Settings;
use crate::db::Db;
use crate::jobs::Registry;
use crate::jobs::worker::JobContext;
use crate::mail::Mailer;
use crate::sms::SmsGateway;

/// Everything a request handler may need. Cheap to clone.
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: Db,
    pub redis: redis::Client,
    pub mailer: Arc<Mailer>,
    /// The SMS gateway (a file per message in development).
    pub sms: Arc<dyn SmsGateway>,
    pub metrics: Metrics,
    pub limits: Limits,
    /// The job kinds the service knows, registered where the app is built (`app::jobs`).
    pub jobs: Arc<Registry>,
    /// Now, as the time limits of access read it (a test may move it forward).
    pub clock: crate::time::Clock,
    /// Single sign-on providers' discovery documents with their keys, per issuer, for
    /// [`DISCOVERY_LIFETIME`] (read and filled by the single sign-on's provider module).
    pub discovery: Arc<Expiring<CoreProviderMetadata>>,
}

/// How long a provider's discovery document and keys are reused before they are fetched again.
pub const DISCOVERY_LIFETIME: Duration = Duration::from_secs(5 * 60);

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("redis_url: {0}")]
    Redis(#[from] redis::RedisError),
    #[error(transparent)]
    Mail(#[from] crate::mail::MailError),
    #[error(transparent)]
    Sms(#[from] crate::sms::SmsError),
}

impl AppState {
    pub fn new(settings: Settings, jobs: Registry) -> Result<Self, StateError> {
        let db = Db::connect_lazy(
            settings.database_url.expose_secret(),
            settings.database.pool_size,
            Duration::from_secs(settings.database.connection_timeout_secs),
        );
        let redis = redis::Client::open(settings.redis_url.expose_secret())?;
        let mailer = Arc::new(Mailer::from_settings(&settings)?);
        let sms: Arc<dyn SmsGateway> = Arc::from(crate::sms::from_settings(&settings)?);
        let metrics = Metrics::new();
        let limits = Limits::shared(
            &settings.rate_limits,
            redis.clone(),
            &settings.redis_namespace,
            settings.token_key(),
            metrics.rate_limit_local_checks(),
        );
        Ok(Self {
            settings: Arc::new(settings),
            db,
            redis,
            mailer,
            sms,
            metrics,
            limits,
            jobs: Arc::new(jobs),
            clock: crate::time::Clock::default(),
            discovery: Arc::new(Expiring::new(DISCOVERY_LIFETIME)),
        })
    }

    /// What the background jobs need from this state.
    pub fn job_context(&self) -> JobContext {
        JobContext {
            db: self.db.clone(),
            mailer: self.mailer.clone(),
            sms: self.sms.clone(),
            settings: self.settings.clone(),
            registry: self.jobs.clone(),
        }
    }
}
