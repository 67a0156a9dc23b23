//! The case a council test starts from: a service, its coordinator, a child and three people on
//! the map, and the settings and helpers the council and plan tests share.

use std::time::Duration;

use chrono::{Days, NaiveDate, NaiveTime, Utc};
use diesel::prelude::*;
use serde_json::{Value, json};
use tillit::db::schema::tenants;
use tillit::db::{TenantId, in_tenant};
use tokio::sync::watch;

use super::services::SmtpSink;
use super::{Staff, TestApp};

pub const CHILD_FIRST: &str = "Emmeline";
pub const CHILD_LAST: &str = "Testesen";

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

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(30), self.task).await;
    }
}

pub async fn json_of(response: reqwest::Response, status: u16) -> Value {
    let got = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "{body}");
    body
}

pub fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Europe::Oslo)
        .date_naive()
}

pub fn in_days(days: u64) -> String {
    today()
        .checked_add_days(Days::new(days))
        .unwrap()
        .to_string()
}

/// `days` from today at `hour` in Oslo, as the form's local time.
pub fn local(days: u64, hour: u32) -> String {
    today()
        .checked_add_days(Days::new(days))
        .unwrap()
        .and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap())
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// A service (whose name says "barneverntjeneste"), its coordinator, and a case with a child and
/// three people on the map: two private with email, one public (the school).
pub struct Setup {
    pub tenant: TenantId,
    pub staff: Staff,
    pub case: String,
    pub persons: Vec<String>,
}

pub async fn setup(app: &TestApp, slug: &str, birth: Value) -> Setup {
    let created = app.create_tenant(slug, &["4624"]).await;
    let tenant = TenantId(created.tenant_id);
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        diesel::update(tenants::table)
            .set((
                tenants::quiet_start_hour.eq(0),
                tenants::quiet_end_hour.eq(0),
            ))
            .execute(c)
    })
    .unwrap();
    let staff = app.staff(slug, "coordinator").await;
    let mut child = json!({"first_name": CHILD_FIRST, "last_name": CHILD_LAST});
    if let (Value::Object(into), Value::Object(from)) = (&mut child, birth) {
        into.extend(from);
    }
    let case = json_of(
        app.post("/api/v1/cases", &staff.key)
            .json(&json!({ "child": child }))
            .send()
            .await
            .unwrap(),
        201,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut persons = Vec::new();
    for (name, category, email) in [
        ("Mormor Kari", "near_family", "mormor@example.no"),
        ("Onkel Per", "near_family", "per@example.no"),
        ("Lærer Lise", "school", "lise@skole.example"),
    ] {
        let person = json_of(
            app.post(&format!("/api/v1/cases/{case}/persons"), &staff.key)
                .json(
                    &json!({"name": name, "category": category, "closeness": "close",
                              "quality": "supportive", "email": email}),
                )
                .send()
                .await
                .unwrap(),
            201,
        )
        .await;
        persons.push(person["id"].as_str().unwrap().to_owned());
    }
    Setup {
        tenant,
        staff,
        case,
        persons,
    }
}

impl Setup {
    pub fn path(&self, council: &str, rest: &str) -> String {
        format!("/api/v1/cases/{}/councils/{council}{rest}", self.case)
    }

    pub async fn post_as(
        &self,
        app: &TestApp,
        key: &str,
        council: &str,
        rest: &str,
        body: Value,
    ) -> reqwest::Response {
        app.post(&self.path(council, rest), key)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn post(
        &self,
        app: &TestApp,
        council: &str,
        rest: &str,
        body: Value,
    ) -> reqwest::Response {
        self.post_as(app, &self.staff.key, council, rest, body)
            .await
    }

    pub async fn council(&self, app: &TestApp, kind: &str) -> String {
        let view = json_of(
            app.post(
                &format!("/api/v1/cases/{}/councils", self.case),
                &self.staff.key,
            )
            .json(&json!({"kind": kind}))
            .send()
            .await
            .unwrap(),
            201,
        )
        .await;
        view["id"].as_str().unwrap().to_owned()
    }
}
