//! The case a council test starts from: a service, its coordinator, a child and three people on
//! the map, and the settings and helpers the council and plan tests share.

use chrono::{Days, NaiveDate, NaiveTime, Utc};
use diesel::prelude::*;
use serde_json::{Value, json};
use tillit::councils::invitations;
use tillit::db::schema::council_invitations;
use tillit::db::{TenantId, in_tenant};
use uuid::Uuid;

use super::jobs::no_quiet_hours;
pub use super::jobs::{Workers, fast_jobs, make_due};
pub use super::json_of;
use super::{Staff, TestApp};

pub const CHILD_FIRST: &str = "Emmeline";
pub const CHILD_LAST: &str = "Testesen";

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
    no_quiet_hours(app, tenant);
    let staff = app.staff(slug, "coordinator").await;
    let mut child = json!({"first_name": CHILD_FIRST, "last_name": CHILD_LAST});
    if let (Value::Object(into), Value::Object(from)) = (&mut child, birth) {
        into.extend(from);
    }
    let case = app
        .post_json("/api/v1/cases", &staff.key, json!({ "child": child }), 201)
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
        let person = app
            .post_json(
                &format!("/api/v1/cases/{case}/persons"),
                &staff.key,
                json!({"name": name, "category": category, "closeness": "close",
                              "quality": "supportive", "email": email}),
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
    /// Assigns `colleague` to the case too, as the coordinator.
    pub async fn assign(&self, app: &TestApp, colleague: &Staff) {
        app.post_json(
            &format!("/api/v1/cases/{}/assignments", self.case),
            &self.staff.key,
            json!({"user_id": colleague.user_id}),
            200,
        )
        .await;
    }

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

    /// POSTs `body` to the council's `rest` as the coordinator; asserts `status` and returns the
    /// JSON answer.
    pub async fn post_expect(
        &self,
        app: &TestApp,
        council: &str,
        rest: &str,
        body: Value,
        status: u16,
    ) -> Value {
        json_of(self.post(app, council, rest, body).await, status).await
    }

    /// Schedules a meeting of `council` (`meeting`: its start and place or video link); returns
    /// the council's view and the meeting's id.
    pub async fn schedule(&self, app: &TestApp, council: &str, meeting: Value) -> (Value, String) {
        let view = self
            .post_expect(app, council, "/meetings", meeting, 201)
            .await;
        let id = view["meetings"][0]["id"].as_str().unwrap().to_owned();
        (view, id)
    }

    /// Sends the invitations to `meeting`; returns the council's view.
    pub async fn invite(&self, app: &TestApp, council: &str, meeting: &str) -> Value {
        self.post_expect(
            app,
            council,
            &format!("/meetings/{meeting}/invitations"),
            json!({}),
            200,
        )
        .await
    }

    /// Starts `council`'s plan with one goal (its text and author) and one commitment of
    /// `participant`, due in `days`.
    pub async fn draft_plan(
        &self,
        app: &TestApp,
        council: &str,
        (goal, author): (&str, &str),
        participant: &str,
        commitment: &str,
        days: u64,
    ) {
        self.post_expect(app, council, "/plan", json!({}), 201)
            .await;
        self.post_expect(
            app,
            council,
            "/plan/goals",
            json!({"text": goal, "author": author}),
            201,
        )
        .await;
        self.post_expect(
            app,
            council,
            "/plan/commitments",
            json!({"participant_id": participant, "text": commitment, "due_on": in_days(days)}),
            201,
        )
        .await;
    }

    /// Sends `council`'s plan for approval; returns the plan.
    pub async fn submit_plan(&self, app: &TestApp, council: &str) -> Value {
        self.post_expect(app, council, "/plan/submission", json!({}), 200)
            .await
    }

    /// The coordinator closes the plan's approval with `reason`; returns the plan.
    pub async fn close_approval(&self, app: &TestApp, council: &str, reason: &str) -> Value {
        self.post_expect(
            app,
            council,
            "/plan/approval-closure",
            json!({ "reason": reason }),
            200,
        )
        .await
    }

    /// The caseworker holding `key` approves a family group conference's plan, the child's
    /// safety ensured; returns the plan.
    pub async fn approve_plan_as(&self, app: &TestApp, key: &str, council: &str) -> Value {
        json_of(
            self.post_as(
                app,
                key,
                council,
                "/plan/approval",
                json!({"safety_ensured": true}),
            )
            .await,
            200,
        )
        .await
    }

    pub async fn council(&self, app: &TestApp, kind: &str) -> String {
        let view = app
            .post_json(
                &format!("/api/v1/cases/{}/councils", self.case),
                &self.staff.key,
                json!({"kind": kind}),
                201,
            )
            .await;
        view["id"].as_str().unwrap().to_owned()
    }

    /// A council of `kind` with the child's texts, the whole map on the team (confirmed), a
    /// parent's consent and the school's waiver: ready for a meeting. Returns the council and
    /// the participants, in the order of [`Setup::persons`].
    pub async fn ready_council(&self, app: &TestApp, kind: &str) -> (String, Vec<String>) {
        let network_council = kind == "network_council";
        let council = self.council(app, kind).await;
        if network_council {
            self.post_expect(
                app,
                &council,
                "/state",
                json!({"to": "description_drafting"}),
                200,
            )
            .await;
        }
        self.post_expect(app, &council, "/texts", json!({"kind": "situation", "author": "child",
                "text": "Jeg vil bo hjemme, men det er mye krangling.", "child_confirmed": true, "shared": true}), 201).await;
        for q in [
            "Hvem kan hente meg på fotball?",
            "Hvor kan jeg være når det er krangling?",
            "Hvem kan jeg ringe?",
        ] {
            self.post_expect(
                app,
                &council,
                "/texts",
                json!({"kind": "question", "author": "coordinator_with_child",
                    "text": q, "child_confirmed": true, "shared": true}),
                201,
            )
            .await;
        }
        if network_council {
            self.post_expect(
                app,
                &council,
                "/state",
                json!({"to": "team_selection"}),
                200,
            )
            .await;
        }
        let mut participants = Vec::new();
        for person in &self.persons {
            let view = self
                .post_expect(
                    app,
                    &council,
                    "/participants",
                    json!({"person_id": person, "chosen_by_child": true}),
                    201,
                )
                .await;
            participants.push(
                view["participants"].as_array().unwrap().last().unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
        let view = self
            .post_expect(app, &council, "/team", json!({}), 200)
            .await;
        if network_council {
            assert_eq!(
                view["state"], "preparation",
                "confirming the team moves a network council on"
            );
        }
        self.post_expect(
            app,
            &council,
            "/consents",
            json!({"given_by": "parent", "name": "Mor",
                "scope": "Nettverksråd med teamet barnet har valgt"}),
            201,
        )
        .await;
        self.post_expect(
            app,
            &council,
            &format!("/participants/{}/waiver", participants[2]),
            json!({"scope": "Det skolen vet om barnets hverdag"}),
            200,
        )
        .await;
        (council, participants)
    }
}

/// The live invitations of `meeting`: (participant, link token).
pub fn invitation_links(app: &TestApp, tenant: TenantId, meeting: &str) -> Vec<(Uuid, String)> {
    let meeting: Uuid = meeting.parse().unwrap();
    let rows: Vec<(Uuid, Uuid)> = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        council_invitations::table
            .filter(council_invitations::meeting_id.eq(meeting))
            .filter(council_invitations::revoked_at.is_null())
            .select((council_invitations::id, council_invitations::participant_id))
            .load(c)
    })
    .unwrap();
    rows.into_iter()
        .map(|(id, participant)| (participant, invitations::token_for(&app.state.settings, id)))
        .collect()
}

/// A council whose meeting's invitations are sent (or, with `invite` false, only scheduled):
/// the setup, its meeting and the invitees' links.
pub async fn invited(app: &TestApp, slug: &str, invite: bool) -> (Setup, String, String) {
    let setup = setup(app, slug, json!({"birth_year": 2014})).await;
    let (council, _) = setup.ready_council(app, "network_council").await;
    let (_, meeting) = setup
        .schedule(
            app,
            &council,
            json!({"starts_at": local(12, 17), "place": "Biblioteket"}),
        )
        .await;
    if invite {
        setup.invite(app, &council, &meeting).await;
    }
    (setup, council, meeting)
}
