//! `GET /metrics` in the Prometheus text format: requests by route and status, a latency
//! histogram, and the database pool's use. Routes are labelled by their pattern
//! (`/api/v1/api-keys/{id}`), never by the concrete path, so ids do not become labels. Also the
//! rate-limit checks this process decided with its own counts because Redis did not answer.

use std::time::Instant;

use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{HttpResponse, get, web};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

use crate::web::AppState;

#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool: IntGaugeVec,
    jobs: IntGaugeVec,
    rate_limit_local_checks: IntCounter,
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new_custom(Some("tillit".into()), None).expect("valid prefix");
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route, method and status",
            ),
            &["route", "method", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time from request to response, by route",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["route"],
        )
        .expect("valid metric");
        let pool = IntGaugeVec::new(
            Opts::new("db_pool_connections", "Database pool connections by state"),
            &["state"],
        )
        .expect("valid metric");
        let jobs = IntGaugeVec::new(
            Opts::new(
                "jobs",
                "Background job rows by kind and status, all services",
            ),
            &["kind", "status"],
        )
        .expect("valid metric");
        let rate_limit_local_checks = IntCounter::new(
            "rate_limit_local_checks_total",
            "Rate-limit checks decided by this process's own counts because Redis did not answer",
        )
        .expect("valid metric");
        for collector in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(pool.clone()),
            Box::new(jobs.clone()),
            Box::new(rate_limit_local_checks.clone()),
        ] {
            registry.register(collector).expect("registered once");
        }
        Self {
            registry,
            requests,
            latency,
            pool,
            jobs,
            rate_limit_local_checks,
        }
    }

    /// The counter of rate-limit checks decided without Redis (see `web::limits`).
    pub fn rate_limit_local_checks(&self) -> IntCounter {
        self.rate_limit_local_checks.clone()
    }

    fn observe(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.requests
            .with_label_values(&[route, method, &status.to_string()])
            .inc();
        self.latency.with_label_values(&[route]).observe(seconds);
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// Middleware: counts and times every request.
pub async fn track(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
    let method = req.method().as_str().to_owned();
    let recorder = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.metrics.clone());
    let res = next.call(req).await?;
    if let Some(recorder) = recorder {
        recorder.observe(
            &route,
            &method,
            res.status().as_u16(),
            started.elapsed().as_secs_f64(),
        );
    }
    Ok(res)
}

#[get("/metrics")]
pub async fn scrape(state: web::Data<AppState>) -> HttpResponse {
    let pool_state = state.db.pool().state();
    let idle = i64::from(pool_state.idle_connections);
    state.metrics.pool.with_label_values(&["idle"]).set(idle);
    state
        .metrics
        .pool
        .with_label_values(&["in_use"])
        .set(i64::from(pool_state.connections) - idle);
    state
        .metrics
        .pool
        .with_label_values(&["max"])
        .set(i64::from(state.db.pool().max_size()));
    match job_counts(&state).await {
        Ok(counts) => {
            state.metrics.jobs.reset();
            for (kind, status, n) in counts {
                state
                    .metrics
                    .jobs
                    .with_label_values(&[&kind, &status])
                    .set(n);
            }
        }
        Err(e) => tracing::warn!(error = %e, "job counts unavailable"),
    }
    let mut body = Vec::new();
    let encoder = TextEncoder::new();
    if let Err(e) = encoder.encode(&state.metrics.registry.gather(), &mut body) {
        tracing::error!(error = %e, "metrics encoding failed");
        return HttpResponse::InternalServerError().finish();
    }
    HttpResponse::Ok()
        .content_type(encoder.format_type())
        .body(body)
}

/// Rows by kind and status across services, through the narrow platform function.
async fn job_counts(state: &AppState) -> Result<Vec<(String, String, i64)>, crate::db::DbError> {
    use diesel::prelude::*;
    use diesel::sql_types::{BigInt, Text};
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        kind: String,
        #[diesel(sql_type = Text)]
        status: String,
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    state
        .db
        .unscoped(|conn| {
            diesel::sql_query("SELECT kind, status, n FROM platform_job_counts()")
                .load::<Row>(conn)
                .map_err(crate::db::DbError::from)
        })
        .await
        .map(|rows| rows.into_iter().map(|r| (r.kind, r.status, r.n)).collect())
}
