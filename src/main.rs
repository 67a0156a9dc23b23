//! The `tillit` command: migrate | serve | worker | tenant create | apikey create | demo.
//!
//! Commands that print a result print one JSON object on stdout; failures print an
//! `application/problem+json` object on stderr and exit non-zero (2 for bad input, 1 otherwise).

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use actix_web::web;
use clap::{Parser, Subcommand};
use secrecy::ExposeSecret;
use serde_json::json;

use tillit::access::api_keys::{self, NewApiKey};
use tillit::app;
use tillit::audit::Actor;
use tillit::config::Settings;
use tillit::db::bootstrap;
use tillit::onboarding::{self, NewTenant};
use tillit::tenancy::Slug;
use tillit::web::problem::AppError;
use tillit::{demo, jobs, telemetry};

#[derive(Parser)]
#[command(
    name = "tillit",
    version,
    about = "Tillit: the child's network, councils and plans"
)]
struct Cli {
    /// Folder with default.toml and <TILLIT_ENV>.toml.
    #[arg(
        long,
        env = "TILLIT_CONFIG_DIR",
        default_value = "config",
        global = true
    )]
    config_dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the database and roles if missing and apply all migrations (idempotent).
    Migrate,
    /// Serve HTTP, with the job workers in the same process unless --no-worker.
    Serve {
        /// Address to listen on (overrides TILLIT_BIND).
        #[arg(long)]
        bind: Option<SocketAddr>,
        /// Run no job workers here (run `tillit worker` elsewhere).
        #[arg(long)]
        no_worker: bool,
    },
    /// Job workers and the dispatcher only, to scale them apart from HTTP. Several may run at once.
    Worker,
    /// Operator commands for child welfare services (tenants).
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// Platform operator accounts (they onboard services on /operator).
    Operator {
        #[command(subcommand)]
        command: OperatorCommand,
    },
    /// API keys for integrations.
    Apikey {
        #[command(subcommand)]
        command: ApikeyCommand,
    },
    /// Migrate, create two invented demo services, print their logins and URLs, and serve.
    Demo {
        #[arg(long)]
        bind: Option<SocketAddr>,
    },
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Create a service and its first admin; prints {"tenant_id", "slug", "setup_url"}.
    Create {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
        /// Kommunenummer (four digits); repeat for a service that serves several municipalities.
        #[arg(long = "municipality", required = true)]
        municipalities: Vec<String>,
        #[arg(long)]
        admin_email: String,
    },
}

#[derive(Subcommand)]
enum OperatorCommand {
    /// Create an operator account, or give an existing one a new password; prints
    /// {"operator_id", "email", "password"} once.
    Create {
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
enum ApikeyCommand {
    /// Create an API key; prints {"key"} once (only its hash is kept).
    Create {
        /// The service's slug.
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        name: String,
        /// tenant_admin, leader, caseworker or coordinator.
        #[arg(long)]
        role: String,
        /// The email address of the staff member the key acts for (needed for case data).
        #[arg(long)]
        acting_for: Option<String>,
    },
}

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error("{0}")]
    Setup(String),
}

impl From<tillit::db::DbError> for CliError {
    fn from(e: tillit::db::DbError) -> Self {
        Self::Setup(e.to_string())
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        Self::Setup(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(&cli.config_dir) {
        Ok(s) => s,
        Err(e) => return fail(CliError::Setup(e.to_string())),
    };
    telemetry::init(&settings.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(CliError::Setup(e.to_string())),
    };
    match runtime.block_on(run(cli.command, settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

fn fail(err: CliError) -> ExitCode {
    let (problem, code) = match &err {
        CliError::App(app) => {
            let code = if matches!(app, AppError::Validation(_)) || app.is_refusal() {
                2
            } else {
                1
            };
            (app.problem(), code)
        }
        CliError::Setup(message) => {
            let mut problem = AppError::Unavailable("setup".into()).problem();
            problem.detail = message.clone();
            (problem, 1)
        }
    };
    eprintln!(
        "{}",
        serde_json::to_string(&problem).unwrap_or_else(|_| err.to_string())
    );
    ExitCode::from(code)
}

async fn run(command: Command, settings: Settings) -> Result<(), CliError> {
    match command {
        Command::Migrate => {
            let report = migrate(&settings).await?;
            println!("{}", json!(report));
            Ok(())
        }
        Command::Serve { bind, no_worker } => serve(settings, bind, !no_worker).await,
        Command::Worker => {
            let state = app::state(settings).map_err(|e| CliError::Setup(e.to_string()))?;
            let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
            let workers = tokio::spawn(jobs::worker::run(state.job_context(), stop_rx));
            tracing::info!("job workers running");
            shutdown_signal().await;
            tracing::info!("shutting down: finishing jobs in flight");
            let _ = stop_tx.send(true);
            workers.await.map_err(|e| CliError::Setup(e.to_string()))?;
            Ok(())
        }
        Command::Tenant {
            command:
                TenantCommand::Create {
                    slug,
                    name,
                    municipalities,
                    admin_email,
                },
        } => {
            let new = NewTenant::parse(&slug, &name, &municipalities, &admin_email)?;
            let state = app::state(settings).map_err(|e| CliError::Setup(e.to_string()))?;
            let created = onboarding::create_tenant(
                &state.db,
                state.settings.clone(),
                new,
                Actor::Operator("cli".into()),
            )
            .await?;
            println!(
                "{}",
                json!({
                    "tenant_id": created.tenant_id,
                    "slug": created.slug,
                    "setup_url": tillit::access::account_links::link_url(&state.settings, &created.setup_token),
                })
            );
            Ok(())
        }
        Command::Operator {
            command: OperatorCommand::Create { email },
        } => {
            let email =
                tillit::fields::Email::parse(&email).map_err(|m| AppError::field("email", m))?;
            let state = app::state(settings).map_err(|e| CliError::Setup(e.to_string()))?;
            let (id, password) =
                tillit::onboarding::operator::create_or_reset(&state, &email).await?;
            println!(
                "{}",
                json!({
                    "operator_id": id,
                    "email": email,
                    "password": password,
                    "second_factor": "set_up_at_first_login",
                })
            );
            Ok(())
        }
        Command::Apikey {
            command:
                ApikeyCommand::Create {
                    tenant,
                    name,
                    role,
                    acting_for,
                },
        } => {
            let slug = Slug::parse(&tenant).map_err(|m| AppError::field("tenant", m))?;
            let new = NewApiKey::parse(&name, &role)?;
            let acting_for = acting_for
                .map(|e| tillit::fields::Email::parse(&e))
                .transpose()
                .map_err(|m| AppError::field("acting_for", m))?;
            let state = app::state(settings).map_err(|e| CliError::Setup(e.to_string()))?;
            let created = api_keys::create_for_slug(
                &state.db,
                &slug,
                new,
                acting_for,
                Actor::Operator("cli".into()),
            )
            .await?;
            println!("{}", json!({ "key": created.key }));
            Ok(())
        }
        Command::Demo { bind } => {
            let mut settings = settings;
            apply_bind(&mut settings, bind);
            migrate(&settings).await?;
            let state = web::Data::new(
                app::state(settings.clone()).map_err(|e| CliError::Setup(e.to_string()))?,
            );
            let summary = demo::seed(&state).await?;
            println!("{summary}");
            serve(settings, bind, true).await
        }
    }
}

async fn migrate(settings: &Settings) -> Result<bootstrap::MigrateReport, CliError> {
    let admin = settings.database_admin_url.expose_secret().to_owned();
    let app_url = settings.database_url.expose_secret().to_owned();
    let report = tokio::task::spawn_blocking(move || bootstrap::migrate(&admin, &app_url))
        .await
        .map_err(|e| CliError::Setup(e.to_string()))??;
    Ok(report)
}

async fn serve(
    mut settings: Settings,
    bind: Option<SocketAddr>,
    with_workers: bool,
) -> Result<(), CliError> {
    apply_bind(&mut settings, bind);
    let listener = TcpListener::bind(settings.bind)
        .map_err(|e| CliError::Setup(format!("cannot listen on {}: {e}", settings.bind)))?;
    let state = web::Data::new(app::state(settings).map_err(|e| CliError::Setup(e.to_string()))?);
    let (server, views) = app::serve(state.clone(), listener)?;
    let handle = server.handle();
    tracing::info!(bind = %state.settings.bind, with_workers, "serving");
    let server_task = tokio::spawn(server);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let workers =
        with_workers.then(|| tokio::spawn(jobs::worker::run(state.job_context(), stop_rx)));
    shutdown_signal().await;
    // HTTP first, so no request schedules work after the workers stopped; then the workers.
    tracing::info!("shutting down: finishing requests and jobs in flight");
    handle.stop(true).await;
    // The last requests' views are still queued for the audit log: write them before leaving.
    let limit = Duration::from_secs(state.settings.http.shutdown_timeout_secs);
    if !views.flush(limit).await {
        tracing::error!("shutting down with views not yet written to the audit log");
    }
    let _ = stop_tx.send(true);
    if let Some(workers) = workers {
        workers.await.map_err(|e| CliError::Setup(e.to_string()))?;
    }
    server_task
        .await
        .map_err(|e| CliError::Setup(e.to_string()))??;
    Ok(())
}

/// Applies `--bind`. When the base URL is still the default for the default address, links in
/// emails and printed URLs follow the address actually served.
fn apply_bind(settings: &mut Settings, bind: Option<SocketAddr>) {
    let Some(bind) = bind else {
        return;
    };
    if settings.base_url == format!("http://{}", settings.bind) {
        settings.base_url = format!("http://{bind}");
    }
    settings.bind = bind;
}

/// Resolves on SIGTERM (container stop) or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
