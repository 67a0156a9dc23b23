//! A service's settings are read in one place and corrupt ones are an error someone sees: a job
//! of a service whose stored time zone is not a zone is parked as failed with the reason, not
//! sent at Europe/Oslo's hours.

use std::time::Duration;

use crate::common::{TestApp, tenant_id};
use chrono::Utc;
use diesel::prelude::*;
use serde_json::json;
use tillit::cases::reminders::MapReview;
use tillit::db::schema::{jobs, tenants};
use tillit::db::{TenantId, in_tenant};
use tillit::jobs::{self as job_queue, NewJob};
use tokio::sync::watch;

fn status_and_error(app: &TestApp, tenant: TenantId, id: uuid::Uuid) -> (String, Option<String>) {
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        jobs::table
            .find((tenant.0, id))
            .select((jobs::status, jobs::last_error))
            .first(c)
    })
    .expect("the job row")
}

#[tokio::test]
async fn a_job_of_a_service_with_a_corrupt_time_zone_is_parked_with_the_reason() {
    let app = TestApp::spawn_with(&[
        ("redis_url", json!(crate::common::redis_url())),
        (
            "redis_namespace",
            json!(format!("t{}", uuid::Uuid::new_v4().simple())),
        ),
        ("jobs.dispatch_interval_ms", json!(100)),
        ("jobs.lease_secs", json!(3)),
    ])
    .await;
    let tenant = tenant_id(&app.create_tenant("korrupt", &["4624"]).await);
    let reminder = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        diesel::update(tenants::table)
            .set(tenants::time_zone.eq("Mars/Olympus_Mons"))
            .execute(c)?;
        job_queue::schedule(
            c,
            tenant,
            &NewJob::new(
                &MapReview {
                    case_id: uuid::Uuid::new_v4(),
                },
                Utc::now(),
                None,
            ),
        )
    })
    .expect("a corrupt zone and a due reminder");

    let (stop, rx) = watch::channel(false);
    let workers = tokio::spawn(tillit::jobs::worker::run(app.state.job_context(), rx));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let (status, error) = loop {
        let (status, error) = status_and_error(&app, tenant, reminder);
        if status != "pending" && status != "running" || tokio::time::Instant::now() > deadline {
            break (status, error);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let _ = stop.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(30), workers).await;

    assert_eq!(status, "failed", "parked at once: no attempt can succeed");
    let error = error.expect("the reason is kept for the tenant admin");
    assert!(
        error.contains("time zone \"Mars/Olympus_Mons\" is not an IANA zone"),
        "{error}"
    );
}
