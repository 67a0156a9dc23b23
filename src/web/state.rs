//! The state every request handler shares: settings, the database, Redis, the mailer, metrics,
//! rate limits, and the job kinds this process runs (for the workers it starts).

use std::sync::Arc;
use std::time::Duration;

use secrecy::ExposeSecret;

use super::limits::Limits;
use super::metrics::Metrics;
use crate::config::Settings;
use crate::db::Db;
use crate::jobs::Registry;
use crate::jobs::worker::JobContext;
use crate::mail::Mailer;

/// Everything a request handler may need. Cheap to clone.
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: Db,
    pub redis: redis::Client,
    pub mailer: Arc<Mailer>,
    pub metrics: Metrics,
    pub limits: Limits,
    /// The job kinds the service knows, registered where the app is built (`app::jobs`).
    pub jobs: Arc<Registry>,
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("redis_url: {0}")]
    Redis(#[from] redis::RedisError),
    #[error(transparent)]
    Mail(#[from] crate::mail::MailError),
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
        let limits = Limits::new(&settings.rate_limits);
        Ok(Self {
            settings: Arc::new(settings),
            db,
            redis,
            mailer,
            metrics: Metrics::new(),
            limits,
            jobs: Arc::new(jobs),
        })
    }

    /// What the background jobs need from this state.
    pub fn job_context(&self) -> JobContext {
        JobContext {
            db: self.db.clone(),
            mailer: self.mailer.clone(),
            settings: self.settings.clone(),
            registry: self.jobs.clone(),
        }
    }
}
