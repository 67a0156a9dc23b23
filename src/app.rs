//! Builds the HTTP application: the same functions serve production (`tillit serve`) and the tests,
//! which spawn the whole app on a random port against real PostgreSQL and Redis.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use secrecy::ExposeSecret;
use tracing_actix_web::TracingLogger;

use crate::config::Settings;
use crate::db::Db;
use crate::jobs::worker::JobContext;
use crate::mail::Mailer;
use crate::web::limits::Limits;
use crate::web::metrics::Metrics;
use crate::{access, cases, councils, jobs, openapi, plans, tenancy, web as plumbing};

/// Everything a request handler may need. Cheap to clone.
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: Db,
    pub redis: redis::Client,
    pub mailer: Arc<Mailer>,
    pub metrics: Metrics,
    pub limits: Limits,
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("redis_url: {0}")]
    Redis(#[from] redis::RedisError),
    #[error(transparent)]
    Mail(#[from] crate::mail::MailError),
}

impl AppState {
    pub fn new(settings: Settings) -> Result<Self, StateError> {
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
        })
    }

    /// What the background jobs need from this state.
    pub fn job_context(&self) -> JobContext {
        JobContext {
            db: self.db.clone(),
            mailer: self.mailer.clone(),
            settings: self.settings.clone(),
        }
    }
}

/// Every route of the service.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(plumbing::pages::home)
        .service(plumbing::i18n::choose_language)
        .service(plumbing::assets::stylesheet)
        .service(plumbing::health::healthz)
        .service(plumbing::health::readyz)
        .service(plumbing::metrics::scrape)
        .service(openapi::openapi_json)
        .service(tenancy::handlers::get_tenant)
        .service(tenancy::handlers::add_municipality)
        .service(tenancy::handlers::remove_municipality)
        .service(access::api_keys::create_key)
        .service(access::api_keys::list_keys)
        .service(access::api_keys::get_key)
        .service(access::api_keys::revoke_key)
        .service(access::login::login_page)
        .service(access::login::login)
        .service(access::login::logout)
        .service(access::login::setup_form)
        .service(access::login::setup)
        .service(access::login::forgot_form)
        .service(access::login::forgot)
        .service(access::admin::settings_page)
        .service(access::admin::save_settings)
        .service(access::admin::add_municipality)
        .service(access::admin::remove_municipality)
        .service(access::admin::staff_page)
        .service(access::admin::invite)
        .service(access::admin::change_role)
        .service(access::admin::deactivate)
        .service(access::admin::reactivate)
        .service(access::admin::resend)
        .service(access::admin::audit_page)
        .service(access::admin::audit_csv)
        .service(access::admin::jobs_page)
        .service(access::admin::retry_job)
        .service(tenancy::operator::login_page)
        .service(tenancy::operator::login)
        .service(tenancy::operator::home)
        .service(tenancy::operator::create)
        .service(tenancy::operator::logout)
        .service(tenancy::operator::resend_setup)
        .service(jobs::handlers::list_jobs)
        .service(jobs::handlers::retry_job)
        .configure(cases::routes)
        .configure(councils::routes)
        .configure(plans::routes);
}

/// Starts the HTTP server on `listener`. It does not listen for signals itself: the caller owns
/// shutdown (see `main.rs`), so HTTP stops before background workers do.
pub fn serve(state: web::Data<AppState>, listener: TcpListener) -> std::io::Result<Server> {
    let body_limit = state.settings.http.body_limit_bytes;
    let shutdown = state.settings.http.shutdown_timeout_secs;
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(plumbing::json_config(body_limit))
            .app_data(plumbing::form_config(body_limit))
            .app_data(web::PayloadConfig::new(body_limit))
            .app_data(plumbing::path_config())
            .app_data(plumbing::query_config())
            .configure(routes)
            .default_service(web::to(plumbing::not_found))
            .wrap(from_fn(plumbing::html_errors))
            .wrap(from_fn(plumbing::csrf::ensure_seed))
            .wrap(from_fn(plumbing::metrics::track))
            .wrap(plumbing::security_headers())
            .wrap(from_fn(plumbing::request_id_header))
            .wrap(TracingLogger::<crate::telemetry::RequestSpan>::new())
    })
    .listen(listener)?
    .disable_signals()
    .shutdown_timeout(shutdown)
    .run();
    Ok(server)
}
