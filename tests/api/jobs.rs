//! Background jobs against real PostgreSQL, Redis and SMTP: delivery, retries, parking, quiet
//! hours, replacement — and the faults: Redis flushed or down, SMTP refusing, a worker killed,
//! two workers sharing a thousand jobs. Each asserts that nothing is lost and nothing is sent twice.

use crate::common;

use std::collections::HashSet;
use std::time::Duration;

use chrono::Utc;
use common::jobs::{Workers, fast_jobs_on, set_quiet_hours};
use common::mail::{Mail, message_ids};
use common::process::{terminate, tillit_command};
use common::services::{RedisServer, SmtpSink};
use common::{TestApp, tenant_id};
use diesel::prelude::*;
use serde_json::json;
use tillit::access::account_links::AccountEmail;
use tillit::access::account_links::{self, Purpose};
use tillit::cases::reminders::MapReview;
use tillit::db::schema::{jobs, users};
use tillit::db::{TenantId, in_tenant};
use tillit::jobs::dispatcher::Dispatcher;
use tillit::jobs::{self as job_queue, Job, NewJob, Subject};

/// A service whose quiet hours never apply, so the test's clock time does not matter.
async fn service(app: &TestApp, slug: &str) -> TenantId {
    let tenant = tenant_id(&app.create_tenant(slug, &["4624"]).await);
    set_quiet_hours(app, tenant, 0, 0);
    tenant
}

/// Invites `n` staff members, each with an invitation email job, in one transaction.
fn invite_staff(app: &TestApp, tenant: TenantId, n: usize) -> Vec<String> {
    let settings = app.state.settings.clone();
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        let mut links = Vec::new();
        for i in 0..n {
            let id = uuid::Uuid::now_v7();
            diesel::insert_into(users::table)
                .values((
                    users::tenant_id.eq(tenant.0),
                    users::id.eq(id),
                    users::email.eq(format!("ansatt{i}@fjordvik.example")),
                    users::role.eq("coordinator"),
                ))
                .execute(c)?;
            links.push(account_links::issue(c, &settings, tenant, id, Purpose::Invitation)?.token);
        }
        Ok::<_, diesel::result::Error>(links)
    })
    .expect("invitations")
}

fn job_statuses(app: &TestApp, tenant: TenantId) -> Vec<(String, i32)> {
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        jobs::table.select((jobs::status, jobs::attempts)).load(c)
    })
    .expect("jobs")
}

fn assert_each_once(messages: &[Mail], expected: usize) {
    let ids = message_ids(messages);
    let unique: HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "a message was sent twice");
    assert_eq!(ids.len(), expected, "messages delivered");
}

#[tokio::test]
async fn the_setup_email_goes_out_once_through_smtp() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(&fast_jobs_on(&sink, &common::redis_url())).await;
    let created = app.create_tenant("fjordvik", &["4624"]).await;
    let tenant = tenant_id(&created);
    set_quiet_hours(&app, tenant, 0, 0);
    let workers = Workers::start(&app);
    sink.wait_for(1, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    workers.stop().await;
    let messages = sink.messages();
    assert_each_once(&messages, 1);
    let mail = &messages[0];
    assert_eq!(mail.header("To").unwrap(), "admin@fjordvik.example");
    assert!(
        mail.header("From")
            .unwrap()
            .contains("fjordvik barneverntjeneste"),
        "sent in the service's name"
    );
    let link = account_links::link_url(&app.state.settings, &created.setup_token);
    assert!(
        mail.raw.contains(&link),
        "the email carries the printed setup link"
    );
    let job_id: uuid::Uuid = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        jobs::table.select(jobs::id).first(c)
    })
    .unwrap();
    assert_eq!(
        mail.header("Message-ID").unwrap(),
        format!("<{job_id}@127.0.0.1>"),
        "derived from the row"
    );
    assert_eq!(job_statuses(&app, tenant), vec![("done".to_owned(), 1)]);
}

#[tokio::test]
async fn quiet_hours_hold_reminders_until_the_morning_but_not_account_links() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(&fast_jobs_on(&sink, &common::redis_url())).await;
    let tenant = service(&app, "stille").await;
    // Quiet from this hour (Oslo time) for one hour: now is always inside.
    let hour = Utc::now()
        .with_timezone(&chrono_tz::Europe::Oslo)
        .format("%H")
        .to_string();
    let hour: i16 = hour.parse().unwrap();
    set_quiet_hours(&app, tenant, hour, (hour + 1) % 24);
    let reminder = in_tenant(&mut app.db.app_conn(), tenant, |c| {
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
    .unwrap();
    let workers = Workers::start(&app);
    // The admin's setup link (someone is waiting for it) goes out at once.
    sink.wait_for(1, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    workers.stop().await;
    assert_each_once(&sink.messages(), 1);
    let (status, due, attempts): (String, chrono::DateTime<Utc>, i32) =
        in_tenant(&mut app.db.app_conn(), tenant, |c| {
            jobs::table
                .find((tenant.0, reminder))
                .select((jobs::status, jobs::due_at, jobs::attempts))
                .first(c)
        })
        .unwrap();
    assert_eq!(status, "pending", "the reminder waits");
    assert_eq!(
        attempts, 0,
        "waiting for the morning is not a failed attempt"
    );
    let local_due = due.with_timezone(&chrono_tz::Europe::Oslo);
    assert_eq!(
        local_due.format("%H:%M").to_string(),
        format!("{:02}:00", (hour + 1) % 24)
    );
}

#[tokio::test]
async fn smtp_refusing_for_a_while_is_retried_then_delivered_once() {
    let sink = SmtpSink::start();
    let mut settings = fast_jobs_on(&sink, &common::redis_url());
    settings.push(("jobs.max_attempts", json!(10)));
    let app = TestApp::spawn_with(&settings).await;
    let tenant = service(&app, "fjordvik").await;
    sink.refuse();
    invite_staff(&app, tenant, 4);
    let workers = Workers::start(&app);
    // Wait until every row has failed at least once and is waiting to retry.
    for _ in 0..100 {
        let statuses = job_statuses(&app, tenant);
        if statuses.iter().all(|(s, a)| s == "pending" && *a >= 1) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(sink.messages().is_empty());
    let errors: Vec<Option<String>> = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        jobs::table.select(jobs::last_error).load(c)
    })
    .unwrap();
    assert!(
        errors
            .iter()
            .all(|e| e.as_deref().is_some_and(|e| e.contains("451"))),
        "{errors:?}"
    );
    sink.accept();
    sink.wait_for(5, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    workers.stop().await;
    assert_each_once(&sink.messages(), 5);
    assert!(job_statuses(&app, tenant).iter().all(|(s, _)| s == "done"));
}

#[tokio::test]
async fn a_job_that_keeps_failing_is_parked_shown_and_can_be_retried() {
    let sink = SmtpSink::start();
    let mut settings = fast_jobs_on(&sink, &common::redis_url());
    settings.push(("jobs.max_attempts", json!(2)));
    let app = TestApp::spawn_with(&settings).await;
    let tenant = service(&app, "fjordvik").await;
    let key = app.api_key("fjordvik", "tenant_admin").await;
    sink.refuse();
    let workers = Workers::start(&app);
    let mut failed = serde_json::Value::Null;
    for _ in 0..150 {
        failed = app
            .get("/api/v1/jobs?status=failed", &key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if failed.as_array().is_some_and(|a| !a.is_empty()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let parked = &failed[0];
    assert_eq!(parked["kind"], "account_email");
    assert_eq!(parked["attempts"], 2);
    let error = parked["last_error"].as_str().unwrap();
    assert!(
        error.contains("451") && !error.contains("fjordvik.example"),
        "redacted: {error}"
    );
    assert!(sink.messages().is_empty());

    sink.accept();
    let id = parked["id"].as_str().unwrap();
    let retried = app
        .post(&format!("/api/v1/jobs/{id}/retry"), &key)
        .send()
        .await
        .unwrap();
    assert_eq!(retried.status(), 204);
    let again = app
        .post(&format!("/api/v1/jobs/{id}/retry"), &key)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409, "only a failed job can be retried");
    sink.wait_for(1, Duration::from_secs(20)).await;
    workers.stop().await;
    assert_each_once(&sink.messages(), 1);
    let bad_filter = app
        .get("/api/v1/jobs?status=lost", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(bad_filter.status(), 422);
    assert_eq!(job_statuses(&app, tenant), vec![("done".to_owned(), 1)]);
}

#[tokio::test]
async fn rescheduling_replaces_pending_rows_and_cancelling_leaves_none() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(&fast_jobs_on(&sink, &common::redis_url())).await;
    let tenant = service(&app, "fjordvik").await;
    let subject = Subject {
        kind: "meeting",
        id: uuid::Uuid::new_v4(),
    };
    let at = |days: i64| Utc::now() + chrono::Duration::days(days);
    let reminder = |due| {
        NewJob::new(
            &AccountEmail {
                token_id: uuid::Uuid::new_v4(),
            },
            due,
            Some(subject),
        )
    };
    let pending_dues = |app: &TestApp| -> Vec<chrono::DateTime<Utc>> {
        in_tenant(&mut app.db.app_conn(), tenant, |c| {
            jobs::table
                .filter(jobs::subject_id.eq(subject.id))
                .filter(jobs::status.eq("pending"))
                .select(jobs::due_at)
                .order(jobs::due_at)
                .load(c)
        })
        .unwrap()
    };
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        job_queue::replace_for_subject(
            c,
            tenant,
            subject,
            &[AccountEmail::KIND],
            &[reminder(at(3)), reminder(at(9))],
        )
    })
    .unwrap();
    assert_eq!(pending_dues(&app).len(), 2);
    let moved = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        job_queue::replace_for_subject(
            c,
            tenant,
            subject,
            &[AccountEmail::KIND],
            &[reminder(at(20))],
        )
    })
    .unwrap();
    assert_eq!(moved, 2, "the old reminders are cancelled");
    let dues = pending_dues(&app);
    assert_eq!(dues.len(), 1);
    assert!(dues[0] > at(19), "the new reminder follows the new time");
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        job_queue::replace_for_subject(c, tenant, subject, &[AccountEmail::KIND], &[])
    })
    .unwrap();
    assert!(
        pending_dues(&app).is_empty(),
        "a cancelled meeting keeps no reminder"
    );
}

#[tokio::test]
async fn redis_flushed_after_dispatch_every_job_still_runs_once() {
    let sink = SmtpSink::start();
    let redis = RedisServer::start();
    let app = TestApp::spawn_with(&fast_jobs_on(&sink, &redis.url())).await;
    let tenant = service(&app, "fjordvik").await;
    invite_staff(&app, tenant, 20);
    // Dispatch (claim and push to Redis) with no worker running, then lose Redis' contents.
    let mut dispatcher = Dispatcher {
        db: app.state.db.clone(),
        queue: tillit::jobs::worker::connect_queue(&app.state.settings)
            .await
            .unwrap(),
        redis: redis::Client::open(redis.url()).unwrap(),
        settings: app.state.settings.jobs.clone(),
    };
    let pushed = dispatcher.dispatch_once().await.unwrap();
    assert_eq!(pushed, 21, "the admin's setup email and 20 invitations");
    redis.flushall();
    let workers = Workers::start(&app);
    sink.wait_for(21, Duration::from_secs(40)).await;
    tokio::time::sleep(Duration::from_secs(4)).await; // longer than a lease: no late duplicates
    workers.stop().await;
    assert_each_once(&sink.messages(), 21);
    assert!(job_statuses(&app, tenant).iter().all(|(s, _)| s == "done"));
}

#[tokio::test]
async fn redis_down_for_thirty_seconds_the_service_stays_up_and_jobs_run_after() {
    let sink = SmtpSink::start();
    let mut redis = RedisServer::start();
    let app = TestApp::spawn_with(&fast_jobs_on(&sink, &redis.url())).await;
    let tenant = service(&app, "fjordvik").await;
    let workers = Workers::start(&app);
    sink.wait_for(1, Duration::from_secs(20)).await;
    redis.stop();
    invite_staff(&app, tenant, 10);
    let started = std::time::Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        let health = app.client.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(health.status(), 200, "the service stays up");
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let ready: serde_json::Value = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["redis"], "unreachable");
    assert_eq!(
        sink.messages().len(),
        1,
        "nothing was sent while Redis was away"
    );
    redis.resume();
    sink.wait_for(11, Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    workers.stop().await;
    assert_each_once(&sink.messages(), 11);
}

/// `tillit worker` as its own process, as it runs in production.
fn spawn_worker(app: &TestApp, sink: &SmtpSink, redis_url: &str) -> std::process::Child {
    let s = &app.state.settings;
    tillit_command()
        .arg("worker")
        .env("TILLIT_DATABASE_URL", app.db.app_url())
        .env("TILLIT_REDIS_URL", redis_url)
        .env("TILLIT_REDIS_NAMESPACE", &s.redis_namespace)
        .env("TILLIT_BASE_URL", &s.base_url)
        .env("TILLIT_MAIL_TRANSPORT", "smtp")
        .env("TILLIT_SMTP_URL", sink.url())
        .env("TILLIT_JOBS__LEASE_SECS", s.jobs.lease_secs.to_string())
        .env("TILLIT_JOBS__DISPATCH_INTERVAL_MS", "100")
        .env("TILLIT_JOBS__BACKOFF_BASE_SECS", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start tillit worker")
}

#[tokio::test]
async fn a_worker_killed_mid_job_leaves_it_to_another_which_sends_it_once() {
    let sink = SmtpSink::start();
    let redis = RedisServer::start();
    let app = TestApp::spawn_with(&fast_jobs_on(&sink, &redis.url())).await;
    let tenant = service(&app, "fjordvik").await;
    // The mail server is slow to accept recipients: the first worker will be inside the job.
    sink.slow(30);
    let mut first = spawn_worker(&app, &sink, &redis.url());
    let mut running = false;
    for _ in 0..200 {
        if job_statuses(&app, tenant)
            .iter()
            .any(|(s, _)| s == "running")
        {
            running = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(running, "the first worker took the job");
    tokio::time::sleep(Duration::from_millis(500)).await;
    first.kill().expect("SIGKILL the worker mid-job");
    first.wait().unwrap();
    sink.accept();
    let mut second = spawn_worker(&app, &sink, &redis.url());
    sink.wait_for(1, Duration::from_secs(40)).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    terminate(&mut second);
    assert_each_once(&sink.messages(), 1);
    let statuses = job_statuses(&app, tenant);
    assert_eq!(statuses.len(), 1);
    assert_eq!(statuses[0].0, "done");
    assert!(
        statuses[0].1 >= 2,
        "the second worker's claim is a new attempt: {statuses:?}"
    );
}

#[tokio::test]
async fn two_workers_share_a_thousand_due_jobs_and_send_each_once() {
    let sink = SmtpSink::start();
    let redis = RedisServer::start();
    let app = TestApp::spawn_with(&fast_jobs_on(&sink, &redis.url())).await;
    let tenant = service(&app, "fjordvik").await;
    invite_staff(&app, tenant, 999);
    let mut a = spawn_worker(&app, &sink, &redis.url());
    let mut b = spawn_worker(&app, &sink, &redis.url());
    sink.wait_for(1000, Duration::from_secs(240)).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    terminate(&mut a);
    terminate(&mut b);
    assert_each_once(&sink.messages(), 1000);
    let statuses = job_statuses(&app, tenant);
    assert!(
        statuses.iter().all(|(s, _)| s == "done"),
        "every row is done"
    );
}

#[tokio::test]
async fn readiness_says_when_the_mail_server_is_unreachable() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(&fast_jobs_on(&sink, &common::redis_url())).await;
    let ready: serde_json::Value = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["smtp"], "ok");
    drop(sink);
    let res = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 503);
    let ready: serde_json::Value = res.json().await.unwrap();
    assert_eq!(ready["smtp"], "unreachable");
    assert_eq!(ready["postgres"], "ok");
}
