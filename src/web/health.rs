//! `/healthz` (the process answers) and `/readyz` (PostgreSQL and Redis answer in time).

use std::time::Duration;

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::config::MailTransport;
use crate::web::AppState;

const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    pub status: &'static str,
    pub postgres: &'static str,
    pub redis: &'static str,
    /// "ok" or "unreachable" for the SMTP server; "not_used" with the file transport.
    pub smtp: &'static str,
}

/// The process is alive.
#[utoipa::path(tag = "health", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// PostgreSQL, Redis and (when mail goes by SMTP) the mail server are reachable. 503 names the
/// one that is not.
#[utoipa::path(tag = "health", responses((status = 200, body = Readiness), (status = 503, body = Readiness)))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let (postgres, redis, smtp) = tokio::join!(
        check_postgres(&state),
        check_redis(&state),
        check_smtp(&state)
    );
    let ready = postgres && redis && smtp.unwrap_or(true);
    let verdict = |ok: bool| if ok { "ok" } else { "unreachable" };
    let body = Readiness {
        status: if ready { "ready" } else { "not_ready" },
        postgres: verdict(postgres),
        redis: verdict(redis),
        smtp: smtp.map_or("not_used", verdict),
    };
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        tracing::warn!(
            postgres = body.postgres,
            redis = body.redis,
            smtp = body.smtp,
            "not ready"
        );
        HttpResponse::ServiceUnavailable().json(body)
    }
}

async fn check_postgres(state: &AppState) -> bool {
    matches!(
        tokio::time::timeout(CHECK_TIMEOUT, state.db.ping()).await,
        Ok(Ok(()))
    )
}

async fn check_redis(state: &AppState) -> bool {
    let ping = async {
        let mut conn = state.redis.get_multiplexed_async_connection().await?;
        redis::cmd("PING").query_async::<String>(&mut conn).await
    };
    matches!(tokio::time::timeout(CHECK_TIMEOUT, ping).await, Ok(Ok(_)))
}

/// `None` with the file transport; otherwise whether the SMTP server answers a NOOP in time.
async fn check_smtp(state: &AppState) -> Option<bool> {
    if state.settings.mail_transport != MailTransport::Smtp {
        return None;
    }
    let mailer = state.mailer.clone();
    let probe = tokio::task::spawn_blocking(move || mailer.reachable());
    Some(matches!(
        tokio::time::timeout(CHECK_TIMEOUT, probe).await,
        Ok(Ok(true))
    ))
}
