//! `/api/v1/jobs`: the tenant admin's view of pending, sent and failed jobs, and a retry for the
//! failed ones. It shows kinds, states, times and (redacted) errors — never message content.

use actix_web::{HttpResponse, get, post, web};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::JobView;
use crate::access::{Caller, Role};
use crate::app::AppState;
use crate::db::schema::jobs;
use crate::web::problem::AppError;

#[derive(Debug, Deserialize, IntoParams, ToSchema)]
pub struct JobFilter {
    /// pending, running, done, failed or cancelled; all when absent.
    pub status: Option<String>,
    /// At most this many, newest due first (default 100, at most 500).
    pub limit: Option<i64>,
}

const STATUSES: [&str; 5] = ["pending", "running", "done", "failed", "cancelled"];

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
    let status = filter.status.clone();
    if let Some(s) = &status
        && !STATUSES.contains(&s.as_str())
    {
        return Err(AppError::field(
            "status",
            format!("one of {}", STATUSES.join(", ")),
        ));
    }
    let limit = filter.limit.unwrap_or(100).clamp(1, 500);
    let rows = state
        .db
        .tenant(caller.tenant, move |conn| {
            let mut query = jobs::table
                .select(JobView::as_select())
                .order(jobs::due_at.desc())
                .limit(limit)
                .into_boxed();
            if let Some(status) = status {
                query = query.filter(jobs::status.eq(status));
            }
            query.load(conn).map_err(AppError::from)
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
    super::retry(&state.db, &caller, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
