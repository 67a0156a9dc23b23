//! `/api/v1/jobs`: the tenant admin's view of pending, sent and failed jobs, and a retry for the
//! failed ones. It shows kinds, states, times and (redacted) errors — never message content.
//! The rows and their states are `crate::jobs`'s; who may see and retry them is decided here.

use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{Caller, Role};
use crate::db::Db;
use crate::jobs::{self, JobStatus, JobView};
use crate::vocabulary::codes;
use crate::web::AppState;
use crate::web::problem::AppError;

#[derive(Debug, Deserialize, IntoParams, ToSchema)]
pub struct JobFilter {
    /// pending, running, done, failed or cancelled; all when absent.
    #[param(value_type = Option<crate::jobs::JobStatus>)]
    pub status: Option<String>,
    /// At most this many, newest due first (default 100, at most 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// The service's jobs, newest due first.
#[utoipa::path(
    tag = "jobs",
    params(JobFilter),
    responses((status = 200, body = [JobView]), (status = 422, body = crate::web::problem::Problem, content_type = "application/problem+json")),
    security(("api_key" = []))
)]
#[get("/api/v1/jobs")]
pub async fn list_jobs(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<JobFilter>,
) -> Result<web::Json<Vec<JobView>>, AppError> {
    caller.require(&[Role::TenantAdmin])?;
    let status = match &filter.status {
        Some(s) => Some(JobStatus::parse(s).map_err(|_| {
            AppError::field(
                "status",
                format!("one of {}", codes(&JobStatus::ALL, JobStatus::as_str)),
            )
        })?),
        None => None,
    };
    let limit = filter.limit.unwrap_or(100).clamp(1, 500);
    let rows = state
        .db
        .tenant(caller.tenant, move |conn| {
            jobs::list(conn, status, limit).map_err(AppError::from)
        })
        .await?;
    Ok(web::Json(rows))
}

/// Try a failed job again now, with its attempts counted from zero.
#[utoipa::path(
    tag = "jobs",
    params(("id" = Uuid, Path)),
    responses(
        (status = 204),
        (status = 404, body = crate::web::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The job has not failed", body = crate::web::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/jobs/{id}/retry")]
pub async fn retry_job(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    retry(&state.db, &caller, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Makes a failed job due again now, its attempts counted from zero. Tenant admins only; audited.
pub async fn retry(db: &Db, caller: &Caller, id: Uuid) -> Result<(), AppError> {
    caller.require(&[Role::TenantAdmin])?;
    let tenant = caller.tenant;
    let entry = caller.audit("job.retry").object("job", id);
    db.tenant(tenant, move |conn| {
        jobs::retry_failed(conn, tenant, id)?;
        crate::audit::record(conn, tenant, entry)?;
        Ok(())
    })
    .await
}
