//! The job machinery made quick enough to watch: short leases and backoff, workers started and
//! stopped by the test, quiet hours switched off, and pending jobs made due at once.

use std::time::Duration;

use diesel::prelude::*;
use serde_json::{Value, json};
use tillit::db::schema::tenants;
use tillit::db::{TenantId, in_tenant};
use tokio::sync::watch;

use super::TestApp;
use super::services::SmtpSink;

/// Settings that send mail to `sink` through queues of the test's own, with short leases and
/// backoff.
pub fn fast_jobs(sink: &SmtpSink) -> Vec<(&'static str, Value)> {
    vec![
        ("mail_transport", json!("smtp")),
        ("smtp_url", json!(sink.url())),
        (
            "redis_namespace",
            json!(format!("t{}", uuid::Uuid::new_v4().simple())),
        ),
        ("jobs.lease_secs", json!(3)),
        ("jobs.dispatch_interval_ms", json!(100)),
        ("jobs.backoff_base_secs", json!(1)),
        ("jobs.max_attempts", json!(3)),
    ]
}

/// [`fast_jobs`] through the Redis server at `redis_url`.
pub fn fast_jobs_on(sink: &SmtpSink, redis_url: &str) -> Vec<(&'static str, Value)> {
    let mut settings = fast_jobs(sink);
    settings.push(("redis_url", json!(redis_url)));
    settings
}

/// The job dispatcher and workers of the app, in the test's process.
pub struct Workers {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Workers {
    pub fn start(app: &TestApp) -> Self {
        let (stop, rx) = watch::channel(false);
        let task = tokio::spawn(tillit::jobs::worker::run(app.state.job_context(), rx));
        Self { stop, task }
    }

    /// Asks them to stop and waits (at most 30 s) until they have finished what they hold.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(30), self.task).await;
    }
}

/// Sets the service's quiet hours (local time; `start == end` means none).
pub fn set_quiet_hours(app: &TestApp, tenant: TenantId, start: i16, end: i16) {
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        diesel::update(tenants::table)
            .set((
                tenants::quiet_start_hour.eq(start),
                tenants::quiet_end_hour.eq(end),
            ))
            .execute(c)
    })
    .expect("quiet hours");
}

/// A service whose quiet hours never apply, so the test's clock time does not matter.
pub fn no_quiet_hours(app: &TestApp, tenant: TenantId) {
    set_quiet_hours(app, tenant, 0, 0);
}

/// Moves the clock for `kind`: every pending job of that kind is due now.
pub fn make_due(app: &TestApp, kind: &str) {
    diesel::sql_query("UPDATE jobs SET due_at = now() WHERE status = 'pending' AND kind = $1")
        .bind::<diesel::sql_types::Text, _>(kind)
        .execute(&mut app.db.admin_conn())
        .expect("jobs made due");
}

/// Waits (at most 10 s) until no job of `kind` is pending or running. A job sends its mail
/// before its transaction commits, so what it wrote is visible only once it has finished, not
/// when its mail arrives.
pub async fn settled(app: &TestApp, kind: &str) {
    #[derive(QueryableByName)]
    struct Open {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    for _ in 0..200 {
        let open: Open = diesel::sql_query(
            "SELECT count(*) AS n FROM jobs WHERE kind = $1 AND status IN ('pending', 'running') \
             AND due_at <= now()",
        )
        .bind::<diesel::sql_types::Text, _>(kind)
        .get_result(&mut app.db.admin_conn())
        .expect("open jobs");
        if open.n == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("jobs of kind {kind} did not finish within 10 s");
}
