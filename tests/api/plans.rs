//! Plans over HTTP against real PostgreSQL, Redis and SMTP: approval through the participants'
//! links (network council) and by the caseworker (family group conference), every bad input of
//! the plans issue refused with nothing written, the evaluation-date rule, and the jobs —
//! commitment reminders before and after the due date, the evaluation falling due and opening
//! the follow-up, the undocumented evaluation — delivered through a real SMTP server.

use crate::common;

use std::time::Duration;

use chrono::{Datelike, Months};
use common::mail::Mail;
use common::services::SmtpSink;
use common::{TestApp, expect_problem, form_token};
use diesel::prelude::*;
use serde_json::{Value, json};
use tillit::councils::invitations;
use tillit::db::schema::{council_invitations, jobs, plan_approvals, plan_commitments};
use tillit::db::{TenantId, in_tenant};

use common::councils::*;

impl Setup {
    /// A held network council whose plan is drafted: the child's goal "Rolig hjemme" and the
    /// first participant's commitment "Henter på fotball", due in `days`. Returns the council
    /// and the participants.
    async fn drafted_plan(&self, app: &TestApp, days: u64) -> (String, Vec<String>) {
        let (council, team) = self.held_council(app, "network_council").await;
        self.draft_plan(
            app,
            &council,
            ("Rolig hjemme", "child"),
            &team[0],
            "Henter på fotball",
            days,
        )
        .await;
        (council, team)
    }

    async fn plan(&self, app: &TestApp, council: &str) -> Value {
        app.get_json(&self.path(council, "/plan"), &self.staff.key, 200)
            .await
    }

    /// A council of `kind` with the child's texts, the whole map on the team (confirmed), a
    /// parent's consent and the school's waiver, and a meeting whose invitations went out and
    /// that has now taken place (its start moved into the past). Returns the council and the
    /// participants.
    pub(crate) async fn held_council(&self, app: &TestApp, kind: &str) -> (String, Vec<String>) {
        let (council, participants) = self.ready_council(app, kind).await;
        let (_, meeting) = self
            .schedule(
                app,
                &council,
                json!({"starts_at": local(5, 18), "place": "Biblioteket"}),
            )
            .await;
        self.invite(app, &council, &meeting).await;
        if kind == "family_group_conference" {
            self.post_expect(app, &council, "/state", json!({"to": "meeting"}), 200)
                .await;
        }
        // The meeting took place: its start moves into the past (the server never does that).
        app.db.meeting_began(&meeting);
        let next = if kind == "network_council" {
            "meeting_held"
        } else {
            "plan_review"
        };
        self.post_expect(app, &council, "/state", json!({"to": next}), 200)
            .await;
        (council, participants)
    }

    /// The live link token of `participant`.
    pub(crate) fn token(&self, app: &TestApp, participant: &str) -> String {
        let id: uuid::Uuid = in_tenant(&mut app.db.app_conn(), self.tenant, |c| {
            council_invitations::table
                .filter(
                    council_invitations::participant_id
                        .eq(participant.parse::<uuid::Uuid>().unwrap()),
                )
                .filter(council_invitations::revoked_at.is_null())
                .order(council_invitations::created_at.desc())
                .select(council_invitations::id)
                .first(c)
        })
        .unwrap();
        invitations::token_for(&app.state.settings, id)
    }
}

fn count_commitments(app: &TestApp, tenant: TenantId) -> i64 {
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        plan_commitments::table.count().get_result(c)
    })
    .unwrap()
}

fn count_approvals(app: &TestApp, tenant: TenantId) -> i64 {
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        plan_approvals::table.count().get_result(c)
    })
    .unwrap()
}

fn pending_jobs(app: &TestApp, tenant: TenantId) -> Vec<String> {
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        jobs::table
            .filter(jobs::status.eq("pending"))
            .filter(jobs::subject_kind.eq_any(["plan", "commitment", "follow_up"]))
            .order(jobs::kind)
            .select(jobs::kind)
            .load(c)
    })
    .unwrap()
}

/// POSTs a form on a participant's link page; returns the status and the body.
pub(crate) async fn on_link(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let (cookie, csrf) = form_token(app).await;
    let res = app.link_form(path, &cookie, &csrf, fields).await;
    let status = res.status().as_u16();
    (status, res.text().await.unwrap_or_default())
}

#[tokio::test]
async fn a_network_councils_plan_is_approved_through_the_links_and_bad_input_writes_nothing() {
    let app = TestApp::spawn().await;
    // A child of 10: the plan is evaluated within 12 months.
    let s = setup(&app, "fjordvik", json!({"birth_year": today().year() - 10})).await;
    let council = app
        .post_json(
            &format!("/api/v1/cases/{}/councils", s.case),
            &s.staff.key,
            json!({"kind": "network_council"}),
            201,
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // No plan before the meeting: the network makes it there.
    expect_problem(
        s.post(&app, &council, "/plan", json!({})).await,
        409,
        "plan-before-meeting",
    )
    .await;
    let (council, team) = s.held_council(&app, "network_council").await;
    let (other_council, other_team) = s.held_council(&app, "network_council").await;
    let plan = s.post_expect(&app, &council, "/plan", json!({}), 201).await;
    assert_eq!(plan["status"], "draft");
    expect_problem(
        s.post(&app, &council, "/plan", json!({})).await,
        409,
        "plan-exists",
    )
    .await;
    let view: Value = app.get_json(&s.path(&council, ""), &s.staff.key, 200).await;
    assert_eq!(
        view["state"], "plan_drafting",
        "the council moves with its plan"
    );
    // The evaluation-date rule: 12 months for a child of 7 or more.
    assert_eq!(
        plan["proposed_evaluation_on"],
        today()
            .checked_add_months(Months::new(12))
            .unwrap()
            .to_string()
    );
    s.post_expect(
        &app,
        &council,
        "/plan/goals",
        json!({"text": "Jeg vil ha det rolig hjemme", "author": "child"}),
        201,
    )
    .await;
    // A commitment for someone outside the council: refused by name, nothing written.
    let before = s.plan(&app, &council).await["version"].clone();
    let refused = expect_problem(
        s.post(
            &app,
            &council,
            "/plan/commitments",
            json!({"participant_id": other_team[0],
            "text": "Henter på fotball", "due_on": in_days(14)}),
        )
        .await,
        422,
        "validation",
    )
    .await;
    assert!(
        refused.to_string().contains("not on the council's team"),
        "{refused}"
    );
    expect_problem(
        s.post(
            &app,
            &council,
            "/plan/commitments",
            json!({"participant_id": team[0], "user_id": s.staff.user_id,
            "text": "Begge", "due_on": in_days(14)}),
        )
        .await,
        422,
        "validation",
    )
    .await;
    expect_problem(
        s.post(
            &app,
            &council,
            "/plan/commitments",
            json!({"participant_id": team[0],
            "text": "For sent", "due_on": "2001-01-01"}),
        )
        .await,
        422,
        "validation",
    )
    .await;
    assert_eq!(count_commitments(&app, s.tenant), 0, "nothing partial");
    assert_eq!(s.plan(&app, &council).await["version"], before);
    // Submitting without commitments is refused.
    expect_problem(
        s.post(&app, &council, "/plan/submission", json!({})).await,
        409,
        "plan-without-commitments",
    )
    .await;
    for (who, text) in [
        (&team[0], "Henter på fotball hver tirsdag"),
        (&team[1], "Ringer hver søndag"),
    ] {
        s.post_expect(
            &app,
            &council,
            "/plan/commitments",
            json!({"participant_id": who, "text": text,
                "due_on": in_days(30), "every_days": 7}),
            201,
        )
        .await;
    }
    s.post_expect(
        &app,
        &council,
        "/plan/commitments",
        json!({"user_id": s.staff.user_id,
            "text": "Bestiller tolk", "due_on": in_days(200)}),
        201,
    )
    .await;
    s.post_expect(
        &app,
        &council,
        "/plan/follow-up-owner",
        json!({"participant_id": team[1]}),
        200,
    )
    .await;
    let submitted = s.submit_plan(&app, &council).await;
    assert_eq!(submitted["status"], "awaiting_approval");
    assert_eq!(
        pending_jobs(&app, s.tenant),
        ["plan_confirmation"; 3],
        "everyone reachable on the team is asked, not only those with commitments"
    );
    let version = submitted["version"].to_string();
    // While it awaits approval the plan is not edited.
    expect_problem(
        s.post(
            &app,
            &council,
            "/plan/goals",
            json!({"text": "Et mål til", "author": "network"}),
        )
        .await,
        409,
        "plan-awaiting-approval",
    )
    .await;
    // The first participant sees the plan on their own link and confirms there.
    let first = s.token(&app, &team[0]);
    let page = app.text_of(&format!("/i/{first}")).await;
    assert!(
        page.contains("Henter på fotball hver tirsdag")
            && page.contains("Jeg vil ha det rolig hjemme"),
        "{page}"
    );
    assert!(
        !page.contains("Ringer hver søndag"),
        "only their own commitments"
    );
    assert!(page.contains("/plan/confirmation") && page.contains("Jeg har innvendinger"));
    let confirm = |token: &str| format!("/i/{token}/plan/confirmation");
    let (status, _) = on_link(&app, &confirm(&first), &[("version", &version)]).await;
    assert_eq!(status, 303);
    // Approving twice (a double click) is a success that says so, and nothing more is written.
    let approvals = count_approvals(&app, s.tenant);
    let (status, _) = on_link(&app, &confirm(&first), &[("version", &version)]).await;
    assert_eq!(status, 303);
    let body = app
        .text_of(&format!("/i/{first}?plan=confirmed_again"))
        .await;
    assert!(body.contains("Du har allerede godkjent planen."), "{body}");
    assert_eq!(count_approvals(&app, s.tenant), approvals);
    // Someone without commitments approves the plan too.
    let third = s.token(&app, &team[2]);
    let (status, _) = on_link(&app, &confirm(&third), &[("version", &version)]).await;
    assert_eq!(status, 303);
    // A bad token gets the neutral page.
    let (status, _) = on_link(
        &app,
        &format!("/i/tli_{}/plan/confirmation", "A".repeat(43)),
        &[],
    )
    .await;
    assert_eq!(status, 404);
    let plan = s.plan(&app, &council).await;
    assert_eq!(
        plan["status"], "awaiting_approval",
        "two of three have approved"
    );
    let second = s.token(&app, &team[1]);
    let (status, _) = on_link(&app, &confirm(&second), &[("version", &version)]).await;
    assert_eq!(status, 303);
    let plan = s.plan(&app, &council).await;
    assert_eq!(plan["status"], "approved", "everyone asked approved");
    assert!(
        plan["commitments"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "confirmed")
    );
    let view: Value = app.get_json(&s.path(&council, ""), &s.staff.key, 200).await;
    assert_eq!(view["state"], "plan_approved");
    let pending = pending_jobs(&app, s.tenant);
    assert_eq!(pending.iter().filter(|k| *k == "commitment_due").count(), 3);
    assert_eq!(
        pending
            .iter()
            .filter(|k| *k == "commitment_overdue")
            .count(),
        3
    );
    // The coordinator cannot close an approval that is done.
    expect_problem(
        s.post(
            &app,
            &council,
            "/plan/approval-closure",
            json!({"reason": "Alle svarte"}),
        )
        .await,
        409,
        "plan-already-approved",
    )
    .await;
    // No closing without an evaluation.
    let refused = expect_problem(
        s.post(&app, &council, "/plan/closure", json!({})).await,
        409,
        "plan-not-evaluated",
    )
    .await;
    assert!(
        refused.to_string().contains("without an evaluation"),
        "{refused}"
    );
    // An evaluation date before the staff member's due date: refused unless confirmed.
    let refused = expect_problem(
        s.post(
            &app,
            &council,
            "/plan/evaluation-plan",
            json!({"evaluation_on": in_days(90), "way": "new_council"}),
        )
        .await,
        422,
        "validation",
    )
    .await;
    assert!(
        refused.to_string().contains("due after this date"),
        "{refused}"
    );
    assert_eq!(
        s.plan(&app, &council).await["evaluation_on"],
        Value::Null,
        "nothing written"
    );
    let plan = s
        .post_expect(
            &app,
            &council,
            "/plan/evaluation-plan",
            json!({"evaluation_on": in_days(90), "way": "new_council",
            "confirm_later_commitments": true}),
            200,
        )
        .await;
    assert_eq!(plan["evaluation_on"], in_days(90));
    assert!(
        plan["commitments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["beyond_evaluation"] == true)
    );
    // A new commitment due after the evaluation date is refused without confirmation.
    let before = count_commitments(&app, s.tenant);
    expect_problem(
        s.post(
            &app,
            &council,
            "/plan/commitments",
            json!({"participant_id": team[0], "text": "Sommerferie",
            "due_on": in_days(120)}),
        )
        .await,
        422,
        "validation",
    )
    .await;
    assert_eq!(count_commitments(&app, s.tenant), before);
    // The participant marks their commitment done, with a comment, through the link.
    let commitment = commitment_of(&plan, &team[0]);
    let (status, _) = on_link(
        &app,
        &format!("/i/{first}/plan/commitments/{commitment}/done"),
        &[("comment", "Hentet i dag")],
    )
    .await;
    assert_eq!(status, 303);
    let plan = s.plan(&app, &council).await;
    let done = plan["commitments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == commitment.as_str())
        .unwrap()
        .clone();
    assert_eq!(done["times_done"], 1);
    assert_eq!(done["done_comment"], "Hentet i dag");
    assert_eq!(
        done["status"], "confirmed",
        "recurring: due again a week later"
    );
    assert_eq!(done["due_on"], in_days(37));
    // Another participant's commitment is not theirs to mark.
    let others = commitment_of(&plan, &team[1]);
    let (status, _) = on_link(
        &app,
        &format!("/i/{first}/plan/commitments/{others}/done"),
        &[],
    )
    .await;
    assert_eq!(status, 404);
    // The other council's plan is untouched by all this.
    expect_problem(
        app.get(&s.path(&other_council, "/plan"), &s.staff.key)
            .send()
            .await
            .unwrap(),
        404,
        "not-found",
    )
    .await;
    // The history has a version for each change.
    assert!(plan["versions"].as_array().unwrap().len() >= 8);
    let first_version: Value = app
        .get_json(&s.path(&council, "/plan/versions/1"), &s.staff.key, 200)
        .await;
    assert_eq!(first_version["status"], "draft");
}

#[tokio::test]
async fn a_family_group_conference_plan_is_approved_by_the_caseworker_with_safety_ensured() {
    let app = TestApp::spawn().await;
    // A child of 5 (full birth date known): evaluated within 6 months.
    let birth = today().checked_sub_months(Months::new(5 * 12 + 2)).unwrap();
    let s = setup(
        &app,
        "fjordvik",
        json!({"birth_year": birth.year(), "birth_date": birth.to_string()}),
    )
    .await;
    let caseworker = app.staff("fjordvik", "caseworker").await;
    s.assign(&app, &caseworker).await;
    let (council, team) = s.held_council(&app, "family_group_conference").await;
    let plan = s.post_expect(&app, &council, "/plan", json!({}), 201).await;
    assert_eq!(
        plan["proposed_evaluation_on"],
        today()
            .checked_add_months(Months::new(6))
            .unwrap()
            .to_string(),
        "under 7: within 6 months"
    );
    s.post_expect(
        &app,
        &council,
        "/plan/goals",
        json!({"text": "Trygg hverdag", "author": "family"}),
        201,
    )
    .await;
    s.post_expect(
        &app,
        &council,
        "/plan/commitments",
        json!({"participant_id": team[0], "text": "Har barnet annenhver helg",
            "due_on": in_days(14)}),
        201,
    )
    .await;
    s.submit_plan(&app, &council).await;
    assert!(
        pending_jobs(&app, s.tenant).is_empty(),
        "the family's plan goes to the caseworker, not the links"
    );
    // Not through the links, and not by the coordinator.
    let token = s.token(&app, &team[0]);
    let (status, body) = on_link(&app, &format!("/i/{token}/plan/confirmation"), &[]).await;
    assert_eq!(status, 409);
    assert!(
        body.contains("Denne planen godkjennes av tjenesten"),
        "the family's plan stays approved by the service: {body}"
    );
    expect_problem(
        s.post(
            &app,
            &council,
            "/plan/approval",
            json!({"safety_ensured": true}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    expect_problem(
        s.post(
            &app,
            &council,
            "/plan/approval-closure",
            json!({"reason": "Haster"}),
        )
        .await,
        409,
        "plan-approved-by-caseworker",
    )
    .await;
    // Without the child's safety recorded: refused, nothing written.
    let refused = expect_problem(
        s.post_as(
            &app,
            &caseworker.key,
            &council,
            "/plan/approval",
            json!({"note": "Ser bra ut"}),
        )
        .await,
        422,
        "validation",
    )
    .await;
    assert!(refused.to_string().contains("safety"), "{refused}");
    expect_problem(
        s.post_as(
            &app,
            &caseworker.key,
            &council,
            "/plan/return",
            json!({"reason": " "}),
        )
        .await,
        422,
        "validation",
    )
    .await;
    assert_eq!(count_approvals(&app, s.tenant), 0);
    // Returned with a reason: a draft again, to change and send anew.
    let plan = json_of(
        s.post_as(
            &app,
            &caseworker.key,
            &council,
            "/plan/return",
            json!({"reason": "Hvem henter på skolen?"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(plan["status"], "draft");
    s.post_expect(
        &app,
        &council,
        "/plan/commitments",
        json!({"participant_id": team[1], "text": "Henter på skolen",
            "due_on": in_days(10)}),
        201,
    )
    .await;
    s.submit_plan(&app, &council).await;
    let plan = s.approve_plan_as(&app, &caseworker.key, &council).await;
    assert_eq!(plan["status"], "approved");
    let approval = plan["approvals"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(approval["kind"], "caseworker_approved");
    assert_eq!(approval["safety_ensured"], true);
    assert_eq!(approval["version"], plan["approved_version"]);
    let view: Value = app.get_json(&s.path(&council, ""), &s.staff.key, 200).await;
    assert_eq!(view["state"], "follow_up");
    // Approving twice is refused.
    let approvals = count_approvals(&app, s.tenant);
    expect_problem(
        s.post_as(
            &app,
            &caseworker.key,
            &council,
            "/plan/approval",
            json!({"safety_ensured": true}),
        )
        .await,
        409,
        "plan-already-approved",
    )
    .await;
    assert_eq!(count_approvals(&app, s.tenant), approvals);
}

/// Nothing in `mail`, raw or decoded, names the child or child welfare.
fn assert_neutral(mail: &Mail) {
    let text = mail.everything().to_lowercase();
    for word in [
        CHILD_FIRST.to_lowercase(),
        CHILD_LAST.to_lowercase(),
        "barnevern".into(),
        "child welfare".into(),
    ] {
        assert!(!text.contains(&word), "{word:?} in a plan email: {text}");
    }
}

/// The messages whose text contains `needle`.
fn with_text<'a>(mails: &'a [Mail], needle: &str) -> Vec<&'a Mail> {
    mails.iter().filter(|m| m.text.contains(needle)).collect()
}

/// Every message the sink got, once there are `total`.
async fn plan_mail(sink: &SmtpSink, total: usize) -> Vec<Mail> {
    sink.wait_for(total, Duration::from_secs(30)).await
}

#[tokio::test]
async fn reminders_the_evaluation_falling_due_and_the_undocumented_evaluation_go_through_smtp() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(&fast_jobs(&sink)).await;
    let s = setup(&app, "fjordvik", json!({"birth_year": 2016})).await;
    let (council, team) = s.drafted_plan(&app, 2).await;
    s.post_expect(
        &app,
        &council,
        "/plan/commitments",
        json!({"user_id": s.staff.user_id, "text": "Bestiller tolk",
            "due_on": in_days(2)}),
        201,
    )
    .await;
    s.submit_plan(&app, &council).await;
    let workers = Workers::start(&app);
    // The admin's setup email, the invitations (3), and the requests to approve (3: everyone
    // on the team can be reached).
    let mails = plan_mail(&sink, 1 + 3 + 3).await;
    let requests = with_text(&mails, "godkjenner");
    assert_eq!(requests.len(), 3);
    let request = requests
        .iter()
        .find(|m| m.header("To").as_deref() == Some("mormor@example.no"))
        .expect("the grandmother's request");
    assert!(request.text.contains("/i/tli_"), "with their own link");
    assert_neutral(request);
    // The grandmother approves through her link; the coordinator closes approval for the
    // others (they agreed in the meeting).
    let version = s.plan(&app, &council).await["version"].to_string();
    let grandmother = s.token(&app, &team[0]);
    let (status, _) = on_link(
        &app,
        &format!("/i/{grandmother}/plan/confirmation"),
        &[("version", &version)],
    )
    .await;
    assert_eq!(status, 303);
    let plan = s.close_approval(&app, &council, "Alle sa ja i møtet").await;
    assert_eq!(plan["status"], "approved");
    // Before the due date: to the grandmother through her link, to the staff member to sign in.
    make_due(&app, "commitment_due");
    let mails = plan_mail(&sink, 7 + 2).await;
    let to = |m: &Mail| m.to();
    let due = with_text(&mails, "Snart er det tid");
    assert_eq!(due.len(), 2);
    let grandmother = due
        .iter()
        .find(|m| to(m) == "mormor@example.no")
        .expect("to the participant");
    assert!(grandmother.text.contains("/i/tli_"));
    let staff = due
        .iter()
        .find(|m| to(m).starts_with("coordinator-"))
        .expect("to the staff member");
    assert!(
        staff
            .text
            .contains(&format!("/cases/{}/councils/{council}/plan", s.case))
    );
    for m in &due {
        assert_neutral(m);
    }
    // After it: the overdue reminder, except for what was done meanwhile.
    let staff_commitment = plan["commitments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["owner"]["user_id"] == s.staff.user_id.to_string())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.post_expect(
        &app,
        &council,
        &format!("/plan/commitments/{staff_commitment}/done"),
        json!({"comment": "Tolk bestilt"}),
        200,
    )
    .await;
    make_due(&app, "commitment_overdue");
    let mails = plan_mail(&sink, 9 + 1).await;
    let overdue = with_text(&mails, "Fristen");
    assert_eq!(overdue.len(), 1, "not to the staff member, who is done");
    assert_eq!(to(overdue[0]), "mormor@example.no");
    assert_neutral(overdue[0]);
    // The evaluation falls due (the clock moves): a new council is opened and the coordinator
    // hears of it.
    s.post_expect(
        &app,
        &council,
        "/plan/evaluation-plan",
        json!({"evaluation_on": in_days(60), "way": "new_council"}),
        200,
    )
    .await;
    make_due(&app, "evaluation_due");
    let mails = plan_mail(&sink, 10 + 1).await;
    let due = with_text(&mails, "tid for å evaluere");
    assert_eq!(due.len(), 1);
    assert!(to(due[0]).starts_with("coordinator-"));
    assert_neutral(due[0]);
    common::jobs::settled(&app, "evaluation_due").await;
    let plan = s.plan(&app, &council).await;
    let follow_up = plan["follow_ups"][0].clone();
    assert_eq!(follow_up["way"], "new_council");
    let opened = follow_up["new_council_id"]
        .as_str()
        .expect("a new council")
        .to_owned();
    let new_council: Value = app.get_json(&s.path(&opened, ""), &s.staff.key, 200).await;
    assert_eq!(new_council["kind"], "network_council");
    assert_eq!(
        new_council["state"], "preparation",
        "with the team carried over, to prepare its meeting"
    );
    let view: Value = app.get_json(&s.path(&council, ""), &s.staff.key, 200).await;
    assert_eq!(view["state"], "evaluation_due");
    // The follow-up is held; no evaluation is written: the coordinator is reminded.
    s.post_expect(
        &app,
        &council,
        &format!(
            "/plan/follow-ups/{}/held",
            follow_up["id"].as_str().unwrap()
        ),
        json!({}),
        200,
    )
    .await;
    make_due(&app, "evaluation_undocumented");
    let mails = plan_mail(&sink, 11 + 1).await;
    let undocumented = with_text(&mails, "ikke skrevet ned");
    assert_eq!(undocumented.len(), 1);
    assert!(to(undocumented[0]).starts_with("coordinator-"));
    assert_neutral(undocumented[0]);
    // The evaluation, and the plan closes; nothing of it is left to send.
    let goal = plan["goals"][0]["id"].as_str().unwrap().to_owned();
    let evaluated = s.post_expect(&app, &council, "/plan/evaluations", json!({"held_on": today().to_string(),
            "took_part": "Barnet, mormor, koordinator", "goals": [{"goal_id": goal, "result": "partly"}],
            "child_view": "Det er bedre", "parents_view": "Vi er fornøyde", "decision": "end"}), 201).await;
    assert!(evaluated["follow_ups"][0]["documented_at"].is_string());
    s.post_expect(
        &app,
        &council,
        "/plan/closure",
        json!({"reason": "Målene er nådd"}),
        200,
    )
    .await;
    assert!(
        pending_jobs(&app, s.tenant).is_empty(),
        "{:?}",
        pending_jobs(&app, s.tenant)
    );
    let view: Value = app.get_json(&s.path(&council, ""), &s.staff.key, 200).await;
    assert_eq!(view["state"], "closed");
    tokio::time::sleep(Duration::from_millis(500)).await;
    workers.stop().await;
    assert_eq!(sink.messages().len(), 12, "no more, no fewer");
}

#[tokio::test]
async fn the_childs_link_shows_the_team_and_the_plan_until_revoked() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "fjordvik", json!({"birth_year": 2016})).await;
    let (council, team) = s.held_council(&app, "network_council").await;
    s.draft_plan(
        &app,
        &council,
        ("Jeg vil ha det rolig hjemme", "child"),
        &team[0],
        "henter meg på fotball",
        9,
    )
    .await;
    let plan = s
        .post_expect(&app, &council, "/plan/child-links", json!({}), 201)
        .await;
    let path = child_path(&plan);
    let res = app.client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Mitt team")
            && page.contains("Mormor Kari")
            && page.contains("Jeg vil ha det rolig hjemme")
    );
    assert!(page.contains("henter meg på fotball"));
    assert!(
        !page.contains("<form method=\"post\""),
        "the child's page changes nothing"
    );
    // Revoked, unknown, another kind's token: the same neutral page.
    let id = plan["child_links"][0]["id"].as_str().unwrap().to_owned();
    s.post_expect(
        &app,
        &council,
        &format!("/plan/child-links/{id}/revocation"),
        json!({}),
        200,
    )
    .await;
    let neutral = |html: String| html.split("<main").nth(1).unwrap_or_default().to_owned();
    let revoked = app.client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(revoked.status(), 404);
    // A revoked link cannot answer either: the neutral page, nothing written.
    let approvals = count_approvals(&app, s.tenant);
    let (status, _) = on_link(&app, &format!("{path}/answer"), &[("answer", "agree")]).await;
    assert_eq!(status, 404);
    assert_eq!(count_approvals(&app, s.tenant), approvals);
    let revoked = neutral(revoked.text().await.unwrap());
    for other in [
        format!("/c/tlb_{}", "A".repeat(43)),
        format!("/c/tli_{}", &path[7..]),
    ] {
        let res = app.client.get(app.url(&other)).send().await.unwrap();
        assert_eq!(res.status(), 404);
        assert_eq!(neutral(res.text().await.unwrap()), revoked);
    }
}

#[tokio::test]
async fn the_openapi_description_has_the_plan_endpoints() {
    let app = TestApp::spawn().await;
    let doc = app.openapi().await;
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/v1/cases/{id}/councils/{council_id}/plan",
        "/api/v1/cases/{id}/councils/{council_id}/plan/commitments",
        "/api/v1/cases/{id}/councils/{council_id}/plan/evaluations",
        "/api/v1/cases/{id}/councils/{council_id}/plan/approval",
        "/api/v1/cases/{id}/councils/{council_id}/plan/approval-closure",
        "/api/v1/cases/{id}/councils/{council_id}/plan/take-back",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} in the OpenAPI description"
        );
    }
}

/// The child's link path from the plan's view (its newest live link).
fn child_path(plan: &Value) -> String {
    let link = plan["child_links"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find_map(|l| l["url"].as_str())
        .expect("a live child link");
    link.split_once("/c/")
        .map(|(_, t)| format!("/c/{t}"))
        .unwrap()
}

/// The id of `participant`'s commitment in the plan's view.
fn commitment_of(plan: &Value, participant: &str) -> String {
    plan["commitments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["owner"]["participant_id"] == participant)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The answer of `participant` in the plan's approval list.
fn answer_of<'a>(plan: &'a Value, participant: &str) -> &'a Value {
    plan["confirmations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["participant_id"] == participant)
        .expect("asked")
}

#[tokio::test]
async fn the_network_and_the_child_approve_the_plan_through_their_links_after_an_objection_is_withdrawn()
 {
    let app = TestApp::spawn().await;
    let s = setup(&app, "fjordvik", json!({"birth_year": 2014})).await;
    let (council, team) = s.held_council(&app, "network_council").await;
    s.draft_plan(
        &app,
        &council,
        ("Jeg vil ha det rolig hjemme", "child"),
        &team[0],
        "Henter på fotball",
        14,
    )
    .await;
    s.post_expect(&app, &council, "/plan/child-links", json!({}), 201)
        .await;
    let plan = s.submit_plan(&app, &council).await;
    assert_eq!(
        pending_jobs(&app, s.tenant),
        ["plan_confirmation"; 3],
        "every participant on the team is asked"
    );
    assert_eq!(plan["confirmations"].as_array().unwrap().len(), 3);
    assert_eq!(plan["child_answer"], "waiting", "the child is asked too");
    let version = plan["version"].to_string();
    let tokens: Vec<String> = team.iter().map(|p| s.token(&app, p)).collect();
    let confirm = |t: &str| format!("/i/{t}/plan/confirmation");
    let object = |t: &str| format!("/i/{t}/plan/objection");
    // The uncle objects; without a comment it is refused at the field, nothing written.
    let approvals = count_approvals(&app, s.tenant);
    let (status, body) = on_link(&app, &object(&tokens[1]), &[("version", &version)]).await;
    assert_eq!(status, 422);
    assert!(body.contains("Skriv hva innvendingene dine er"), "{body}");
    assert_eq!(count_approvals(&app, s.tenant), approvals);
    let (status, _) = on_link(
        &app,
        &object(&tokens[1]),
        &[("version", &version), ("comment", "Jeg kan ikke tirsdager")],
    )
    .await;
    assert_eq!(status, 303);
    let page = app
        .text_of(&format!("/i/{}?plan=objected", tokens[1]))
        .await;
    assert!(
        page.contains("Jeg kan ikke tirsdager") && page.contains("Jeg godkjenner"),
        "the objection is shown, and they can still approve: {page}"
    );
    let plan = s.plan(&app, &council).await;
    assert_eq!(
        answer_of(&plan, &team[1])["objection"],
        "Jeg kan ikke tirsdager"
    );
    let me = app.sign_in(&s.staff).await;
    let staff_page = app
        .page_text(&format!("/cases/{}/councils/{council}/plan", s.case), &me)
        .await;
    assert!(
        staff_page.contains("har innvendinger") && staff_page.contains("Jeg kan ikke tirsdager"),
        "the coordinator sees the objection"
    );
    // The grandmother (with the commitment) and the teacher approve.
    for t in [&tokens[0], &tokens[2]] {
        let (status, _) = on_link(&app, &confirm(t), &[("version", &version)]).await;
        assert_eq!(status, 303);
    }
    let plan = s.plan(&app, &council).await;
    assert_eq!(plan["status"], "awaiting_approval", "an objection stands");
    assert_eq!(plan["commitments"][0]["status"], "confirmed");
    // The uncle withdraws his objection by approving.
    let (status, _) = on_link(&app, &confirm(&tokens[1]), &[("version", &version)]).await;
    assert_eq!(status, 303);
    let plan = s.plan(&app, &council).await;
    assert_eq!(answer_of(&plan, &team[1])["objection"], Value::Null);
    assert_eq!(answer_of(&plan, &team[1])["confirmed"], true);
    assert_eq!(
        plan["status"], "awaiting_approval",
        "the child has not answered yet"
    );
    // The child wants to talk first, in the child's own words, then agrees.
    let child = child_path(&plan);
    let page = app.text_of(&child).await;
    assert!(
        page.contains("Jeg er enig") && page.contains("Jeg vil snakke om det"),
        "{page}"
    );
    let answer = format!("{child}/answer");
    let (status, body) = on_link(&app, &answer, &[("version", &version)]).await;
    assert_eq!(status, 422, "an answer is needed");
    assert!(body.contains("Velg «Jeg er enig»"), "{body}");
    let (status, _) = on_link(
        &app,
        &answer,
        &[
            ("version", &version),
            ("answer", "talk"),
            ("words", "Jeg vil ikke på fotball hver uke"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let plan = s.plan(&app, &council).await;
    assert_eq!(plan["status"], "awaiting_approval");
    assert_eq!(plan["child_answer"], "wants_to_talk");
    assert_eq!(plan["child_words"], "Jeg vil ikke på fotball hver uke");
    let (status, _) = on_link(&app, &answer, &[("version", &version), ("answer", "agree")]).await;
    assert_eq!(status, 303);
    let plan = s.plan(&app, &council).await;
    assert_eq!(
        plan["status"], "approved",
        "everyone and the child approved"
    );
    let kinds: Vec<&str> = plan["approvals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "participant_objected",
            "participant_confirmed",
            "participant_confirmed",
            "participant_confirmed",
            "child_wants_to_talk",
            "child_agreed"
        ],
        "the objection stays visible in the record"
    );
    assert!(plan["approvals"][5]["child_link_id"].is_string());
    let view: Value = app.get_json(&s.path(&council, ""), &s.staff.key, 200).await;
    assert_eq!(view["state"], "plan_approved");
    // Answering an approved plan is refused with the reason, nothing written.
    let approvals = count_approvals(&app, s.tenant);
    let (status, _) = on_link(&app, &answer, &[("version", &version), ("answer", "agree")]).await;
    assert_eq!(status, 409);
    assert_eq!(count_approvals(&app, s.tenant), approvals);
}

#[tokio::test]
async fn taking_the_plan_back_to_draft_resets_approvals_tells_who_approved_and_refuses_an_old_page()
{
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(&fast_jobs(&sink)).await;
    let s = setup(&app, "fjordvik", json!({"birth_year": 2014})).await;
    let (council, team) = s.drafted_plan(&app, 14).await;
    // Only a plan awaiting approval is taken back.
    expect_problem(
        s.post(&app, &council, "/plan/take-back", json!({})).await,
        409,
        "plan-not-submitted",
    )
    .await;
    let plan = s.submit_plan(&app, &council).await;
    let old = plan["version"].to_string();
    let grandmother = s.token(&app, &team[0]);
    let uncle = s.token(&app, &team[1]);
    let (status, _) = on_link(
        &app,
        &format!("/i/{grandmother}/plan/confirmation"),
        &[("version", &old)],
    )
    .await;
    assert_eq!(status, 303);
    // The coordinator takes it back to change it: nobody's approval counts any more.
    let plan = s
        .post_expect(&app, &council, "/plan/take-back", json!({}), 200)
        .await;
    assert_eq!(plan["status"], "draft");
    assert!(
        plan["confirmations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["confirmed"] == false),
        "{}",
        plan["confirmations"]
    );
    // The grandmother, who had approved, hears neutrally that the plan changed; the requests to
    // approve the old version are not sent.
    let workers = Workers::start(&app);
    let mails = plan_mail(&sink, 1 + 3 + 1).await;
    let changed = with_text(&mails, "tatt tilbake");
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].to(), "mormor@example.no");
    assert!(changed[0].text.contains("/i/tli_"));
    assert_neutral(changed[0]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    workers.stop().await;
    assert_eq!(sink.messages().len(), 5, "no request for the old version");
    // The uncle's old page: refused with the reason, nothing written — in draft and after the
    // plan is sent again.
    let approvals = count_approvals(&app, s.tenant);
    for resend in [false, true] {
        if resend {
            s.submit_plan(&app, &council).await;
        }
        let (status, body) = on_link(
            &app,
            &format!("/i/{uncle}/plan/confirmation"),
            &[("version", &old)],
        )
        .await;
        assert_eq!(status, 409);
        assert!(
            body.contains("Planen er endret siden siden ble vist"),
            "{body}"
        );
        let (status, _) = on_link(
            &app,
            &format!("/i/{uncle}/plan/objection"),
            &[("version", &old), ("comment", "Nei")],
        )
        .await;
        assert_eq!(status, 409);
        assert_eq!(
            count_approvals(&app, s.tenant),
            approvals,
            "nothing written"
        );
    }
    let plan = s.plan(&app, &council).await;
    assert_eq!(plan["status"], "awaiting_approval");
    let (status, _) = on_link(
        &app,
        &format!("/i/{uncle}/plan/confirmation"),
        &[("version", &plan["version"].to_string())],
    )
    .await;
    assert_eq!(status, 303, "the page as it is now");
}

#[tokio::test]
async fn approval_closed_with_a_commitment_nobody_confirmed_reminds_the_coordinator_only() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(&fast_jobs(&sink)).await;
    let s = setup(&app, "fjordvik", json!({"birth_year": 2014})).await;
    let (council, _) = s.drafted_plan(&app, 2).await;
    s.submit_plan(&app, &council).await;
    let plan = s
        .close_approval(&app, &council, "Mormor svarer ikke, men tiltaket må i gang")
        .await;
    assert_eq!(plan["status"], "approved");
    let commitment = &plan["commitments"][0];
    assert_eq!(commitment["status"], "open", "she never agreed");
    assert_eq!(commitment["unconfirmed_at_closing"], true);
    let me = app.sign_in(&s.staff).await;
    let page = app
        .page_text(&format!("/cases/{}/councils/{council}/plan", s.case), &me)
        .await;
    assert!(
        page.contains("Ikke bekreftet da godkjenningen ble avsluttet"),
        "marked so on the plan"
    );
    let workers = Workers::start(&app);
    // The setup email and the invitations (3); the requests to approve are not sent, approval is
    // closed.
    plan_mail(&sink, 1 + 3).await;
    make_due(&app, "commitment_due");
    let mails = plan_mail(&sink, 4 + 1).await;
    assert!(
        with_text(&mails, "godkjenner").is_empty(),
        "no request to approve a plan whose approval is closed"
    );
    let due = with_text(&mails, "Snart er det tid");
    assert_eq!(due.len(), 1);
    assert!(due[0].to().starts_with("coordinator-"), "{}", due[0].to());
    assert!(
        due[0]
            .text
            .contains(&format!("/cases/{}/councils/{council}/plan", s.case))
    );
    assert_neutral(due[0]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    workers.stop().await;
    assert!(
        sink.messages()
            .iter()
            .filter(|m| m.to() == "mormor@example.no")
            .all(|m| !m.text.contains("Snart er det tid")),
        "not to the person who never agreed"
    );
}

/// The local date (Oslo) of an RFC 3339 moment in a view.
fn local_day(moment: &Value) -> String {
    local_moment(moment).date_naive().to_string()
}

/// The local date (Oslo) a pending job of `kind` is due.
fn due_day(app: &TestApp, tenant: TenantId, kind: &str) -> String {
    let due: chrono::DateTime<chrono::Utc> = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        jobs::table
            .filter(jobs::status.eq("pending"))
            .filter(jobs::kind.eq(kind))
            .select(jobs::due_at)
            .first(c)
    })
    .unwrap();
    due.with_timezone(&chrono_tz::Europe::Oslo)
        .date_naive()
        .to_string()
}

#[tokio::test]
async fn the_follow_up_council_opens_four_weeks_ahead_with_the_team_and_the_plan_and_invites_like_any_meeting()
 {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(&fast_jobs(&sink)).await;
    let s = setup(&app, "fjordvik", json!({"birth_year": 2016})).await;
    let (council, _) = s.drafted_plan(&app, 10).await;
    s.submit_plan(&app, &council).await;
    let plan = s.close_approval(&app, &council, "Alle sa ja i møtet").await;
    assert_eq!(plan["status"], "approved");
    // An evaluation date that does not lie ahead is refused at its field; nothing written.
    let refused = expect_problem(
        s.post(
            &app,
            &council,
            "/plan/evaluation-plan",
            json!({"evaluation_on": today().pred_opt().unwrap().to_string(), "way": "new_council"}),
        )
        .await,
        422,
        "validation",
    )
    .await;
    assert!(refused.to_string().contains("lies ahead"), "{refused}");
    assert_eq!(s.plan(&app, &council).await["evaluation_on"], Value::Null);
    assert!(
        pending_jobs(&app, s.tenant)
            .iter()
            .all(|k| k != "follow_up_opens")
    );
    // Four weeks ahead: the follow-up opens today, the evaluation falls due on the date.
    s.post_expect(
        &app,
        &council,
        "/plan/evaluation-plan",
        json!({"evaluation_on": in_days(28), "way": "new_council"}),
        200,
    )
    .await;
    assert_eq!(
        due_day(&app, s.tenant, "follow_up_opens"),
        today().to_string()
    );
    assert_eq!(due_day(&app, s.tenant, "evaluation_due"), in_days(28));
    let workers = Workers::start(&app);
    // The setup email and the invitations (3); then the coordinator hears the follow-up opened.
    plan_mail(&sink, 1 + 3).await;
    make_due(&app, "follow_up_opens");
    let mails = plan_mail(&sink, 4 + 1).await;
    common::jobs::settled(&app, "follow_up_opens").await;
    let opened = with_text(&mails, "er åpnet før datoen");
    assert_eq!(opened.len(), 1);
    assert!(opened[0].to().starts_with("coordinator-"));
    assert_neutral(opened[0]);
    let plan = s.plan(&app, &council).await;
    let follow_up = plan["follow_ups"][0].clone();
    assert_eq!(follow_up["way"], "new_council");
    let new_council = follow_up["new_council_id"].as_str().unwrap().to_owned();
    assert!(
        opened[0]
            .text
            .contains(&format!("/cases/{}/councils/{new_council}", s.case)),
        "the link opens the new council"
    );
    // A network council of the same case with the same team, ready to be prepared, its meeting
    // proposed for the evaluation date at the same place, not sent yet.
    let view: Value = app
        .get_json(&s.path(&new_council, ""), &s.staff.key, 200)
        .await;
    assert_eq!(view["kind"], "network_council");
    assert_eq!(view["state"], "preparation");
    let persons: Vec<&str> = view["participants"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["person_id"].as_str())
        .collect();
    assert_eq!(
        persons,
        s.persons.iter().map(String::as_str).collect::<Vec<_>>()
    );
    let meeting = view["meetings"][0].clone();
    assert_eq!(meeting["id"], follow_up["meeting_id"]);
    assert_eq!(local_day(&meeting["starts_at"]), in_days(28));
    assert_eq!(meeting["place"], "Biblioteket");
    assert_eq!(meeting["confirmed_at"], Value::Null);
    // The plan carried over as a draft: the goal, and the commitment open for her to confirm.
    let carried: Value = app
        .get_json(&s.path(&new_council, "/plan"), &s.staff.key, 200)
        .await;
    assert_eq!(carried["status"], "draft");
    assert_eq!(carried["follows_plan_id"], plan["id"]);
    assert_eq!(carried["goals"][0]["text"], "Rolig hjemme");
    assert_eq!(carried["commitments"][0]["text"], "Henter på fotball");
    assert_eq!(carried["commitments"][0]["status"], "open");
    // The old council waits for its evaluation.
    let old: Value = app.get_json(&s.path(&council, ""), &s.staff.key, 200).await;
    assert_eq!(old["state"], "evaluation_due");
    // The coordinator changes the team as on any council, then sends the invitations: the
    // invitations with their calendar files, the chase and the reminders, as for any meeting.
    let uncle = view["participants"][1]["id"].as_str().unwrap().to_owned();
    let res = app
        .delete(
            &s.path(&new_council, &format!("/participants/{uncle}")),
            &s.staff.key,
        )
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let meeting_id = meeting["id"].as_str().unwrap().to_owned();
    let invited = s.invite(&app, &new_council, &meeting_id).await;
    assert!(invited["meetings"][0]["confirmed_at"].is_string());
    let mails = plan_mail(&sink, 5 + 2).await;
    let invitations: Vec<&Mail> = mails[5..].iter().collect();
    assert!(
        invitations.iter().all(|m| m
            .attachments
            .iter()
            .any(|a| a.content.contains("BEGIN:VCALENDAR"))),
        "each with its .ics"
    );
    let mut to: Vec<String> = invitations.iter().map(|m| m.to()).collect();
    to.sort();
    assert_eq!(to, ["lise@skole.example", "mormor@example.no"]);
    let kinds: Vec<String> = in_tenant(&mut app.db.app_conn(), s.tenant, |c| {
        jobs::table
            .filter(jobs::status.eq("pending"))
            .filter(jobs::subject_id.eq(meeting_id.parse::<uuid::Uuid>().unwrap()))
            .select(jobs::kind)
            .distinct()
            .load(c)
    })
    .unwrap();
    for kind in ["answer_chase", "meeting_reminder"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
    // The evaluation is recorded on the plan it evaluates; the follow-up is documented.
    let goal = plan["goals"][0]["id"].as_str().unwrap().to_owned();
    let evaluated = s.post_expect(&app, &council, "/plan/evaluations", json!({"held_on": today().to_string(),
            "took_part": "Barnet, mormor, koordinator", "goals": [{"goal_id": goal, "result": "partly"}],
            "child_view": "Det er bedre", "parents_view": "Vi er fornøyde", "decision": "end"}), 201).await;
    assert!(evaluated["follow_ups"][0]["documented_at"].is_string());
    assert_eq!(evaluated["follow_ups"].as_array().unwrap().len(), 1);
    s.post_expect(
        &app,
        &council,
        "/plan/closure",
        json!({"reason": "Målene er nådd"}),
        200,
    )
    .await;
    // The evaluation date of a closed plan cannot move; nothing written.
    let before = s.plan(&app, &council).await["evaluation_on"].clone();
    expect_problem(
        s.post(
            &app,
            &council,
            "/plan/evaluation-plan",
            json!({"evaluation_on": in_days(40), "way": "new_council"}),
        )
        .await,
        409,
        "evaluation-at-approval",
    )
    .await;
    assert_eq!(s.plan(&app, &council).await["evaluation_on"], before);
    tokio::time::sleep(Duration::from_millis(300)).await;
    workers.stop().await;
}

#[tokio::test]
async fn a_follow_up_meeting_opens_ahead_in_the_same_council_as_a_meeting_to_send() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(&fast_jobs(&sink)).await;
    let s = setup(&app, "fjordvik", json!({"birth_year": 2012})).await;
    // Two weeks ahead, at most: the follow-up then opens at once for a date three weeks away.
    app.db
        .as_admin("UPDATE tenants SET follow_up_weeks_ahead = 2");
    let (council, team) = s.held_council(&app, "network_council").await;
    s.draft_plan(
        &app,
        &council,
        ("Trygg skolevei", "child"),
        &team[0],
        "Følger til skolen",
        5,
    )
    .await;
    s.submit_plan(&app, &council).await;
    s.close_approval(&app, &council, "Enige i møtet").await;
    s.post_expect(
        &app,
        &council,
        "/plan/evaluation-plan",
        json!({"evaluation_on": in_days(21), "way": "follow_up_meeting"}),
        200,
    )
    .await;
    assert_eq!(
        due_day(&app, s.tenant, "follow_up_opens"),
        today()
            .checked_add_days(chrono::Days::new(7))
            .unwrap()
            .to_string(),
        "two weeks before the date"
    );
    let workers = Workers::start(&app);
    make_due(&app, "follow_up_opens");
    common::jobs::settled(&app, "follow_up_opens").await;
    let plan = s.plan(&app, &council).await;
    let follow_up = &plan["follow_ups"][0];
    assert_eq!(follow_up["way"], "follow_up_meeting");
    assert_eq!(follow_up["new_council_id"], Value::Null);
    let view: Value = app.get_json(&s.path(&council, ""), &s.staff.key, 200).await;
    let meeting = view["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == follow_up["meeting_id"])
        .expect("a meeting of the same council")
        .clone();
    assert_eq!(local_day(&meeting["starts_at"]), in_days(21));
    let invited = s
        .invite(&app, &council, meeting["id"].as_str().unwrap())
        .await;
    let sent = invited["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == follow_up["meeting_id"])
        .unwrap()
        .clone();
    assert!(sent["confirmed_at"].is_string(), "sent like any meeting");
    // Running twice opens nothing more.
    s.post_expect(
        &app,
        &council,
        "/plan/evaluation-plan",
        json!({"evaluation_on": in_days(21), "way": "follow_up_meeting"}),
        200,
    )
    .await;
    make_due(&app, "follow_up_opens");
    common::jobs::settled(&app, "follow_up_opens").await;
    assert_eq!(
        s.plan(&app, &council).await["follow_ups"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    workers.stop().await;
}

#[tokio::test]
async fn staff_mark_done_a_commitment_nobody_confirmed_and_it_is_kept_as_theirs() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "fjordvik", json!({"birth_year": 2014})).await;
    let (council, team) = s.drafted_plan(&app, 2).await;
    s.submit_plan(&app, &council).await;
    let plan = s.close_approval(&app, &council, "Mormor svarer ikke").await;
    let commitment = plan["commitments"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(plan["commitments"][0]["unconfirmed_at_closing"], true);
    // Through her link it stays hers to confirm first: refused, nothing written.
    let token = s.token(&app, &team[0]);
    let (status, _) = on_link(
        &app,
        &format!("/i/{token}/plan/commitments/{commitment}/done"),
        &[("comment", "Gjort")],
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(
        s.plan(&app, &council).await["commitments"][0]["status"],
        "open"
    );
    // The coordinator, who follows it up, marks it done: kept as marked by staff.
    let done = s
        .post_expect(
            &app,
            &council,
            &format!("/plan/commitments/{commitment}/done"),
            json!({"comment": "Mormor hentet, sa hun på telefon"}),
            200,
        )
        .await;
    assert_eq!(done["commitments"][0]["status"], "done");
    let by: Option<uuid::Uuid> = in_tenant(&mut app.db.app_conn(), s.tenant, |c| {
        plan_commitments::table
            .filter(plan_commitments::id.eq(commitment.parse::<uuid::Uuid>().unwrap()))
            .select(plan_commitments::done_by)
            .first(c)
    })
    .unwrap();
    assert_eq!(by, Some(s.staff.user_id));
}

#[tokio::test]
async fn the_childs_page_says_when_and_where_the_next_meeting_is_and_what_the_child_said_in_the_childs_language()
 {
    let app = TestApp::spawn().await;
    let s = setup(
        &app,
        "fjordvik",
        json!({"birth_year": 2014, "language": "engelsk"}),
    )
    .await;
    let (council, team) = s.held_council(&app, "network_council").await;
    s.draft_plan(
        &app,
        &council,
        ("I want it calm at home", "child"),
        &team[0],
        "picks me up",
        9,
    )
    .await;
    let plan = s
        .post_expect(&app, &council, "/plan/child-links", json!({}), 201)
        .await;
    let path = child_path(&plan);
    // A meeting ahead whose invitations went out.
    let starts = local(6, 17);
    let view = s
        .post_expect(
            &app,
            &council,
            "/meetings",
            json!({"starts_at": starts, "place": "Biblioteket"}),
            201,
        )
        .await;
    let meeting = view["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["confirmed_at"].is_null())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.invite(&app, &council, &meeting).await;
    let page = app
        .client
        .get(app.url(&path))
        .header("accept-language", "nb")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let day = today().checked_add_days(chrono::Days::new(6)).unwrap();
    let words = day.format("%A %-d %B %Y").to_string();
    assert!(
        page.contains("<html lang=\"en\""),
        "in the child's language"
    );
    assert!(
        page.contains("My team") && page.contains("My plan"),
        "{page}"
    );
    assert!(
        page.contains(&format!("You meet on {words} at 17:00, at Biblioteket.")),
        "{words}: {}",
        common::main_of(&page)
    );
    assert!(
        page.contains("Jeg vil bo hjemme, men det er mye krangling."),
        "what the child said"
    );
    // The child (or whoever reads) can choose Norwegian: the meeting in Norwegian words.
    let norsk = app
        .client
        .get(app.url(&path))
        .header("cookie", "lang=nb")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(norsk.contains("Mitt team") && norsk.contains("Min plan"));
    assert!(norsk.contains("Dere møtes ") && norsk.contains("kl. 17.00, på Biblioteket."));
}

/// The local wall-clock time (Oslo) of an RFC 3339 moment in a view, with its date.
fn local_moment(moment: &Value) -> chrono::DateTime<chrono_tz::Tz> {
    chrono::DateTime::parse_from_rfc3339(moment.as_str().expect("a moment"))
        .unwrap()
        .with_timezone(&chrono_tz::Europe::Oslo)
}

/// Messages the service's quiet hours hold back say when they go out: the requests to approve
/// a plan submitted in the quiet hours go out when they end, and each commitment tells when its
/// next reminder goes out — at nine on its day, or when quiet hours over nine end — in the
/// answer and on the page.
#[tokio::test]
async fn the_plan_says_when_messages_held_by_quiet_hours_go_out() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "fjordvik", json!({"birth_year": 2014})).await;
    let (council, _) = s.drafted_plan(&app, 14).await;
    let hour = i16::try_from(chrono::Timelike::hour(
        &chrono::Utc::now().with_timezone(&chrono_tz::Europe::Oslo),
    ))
    .unwrap();
    let end = (hour + 2) % 24;
    common::jobs::set_quiet_hours(&app, s.tenant, hour, end);
    let plan = s.submit_plan(&app, &council).await;
    let asked = plan["confirmations"].as_array().unwrap();
    assert_eq!(asked.len(), 3, "{plan}");
    let end_hour = u32::try_from(end).unwrap();
    for p in asked {
        let at = local_moment(&p["goes_out_at"]);
        assert_eq!(
            (chrono::Timelike::hour(&at), chrono::Timelike::minute(&at)),
            (end_hour, 0),
            "when the quiet hours end: {p}"
        );
    }
    let me = app.sign_in(&s.staff).await;
    let path = format!("/cases/{}/councils/{council}/plan", s.case);
    let page = app.page_text(&path, &me).await;
    let said = format!(
        "forespørselen sendes {}, etter stille timer",
        local_moment(&asked[0]["goes_out_at"]).format("%d.%m.%Y kl. %H:%M")
    );
    assert_eq!(page.matches(&said).count(), 3, "{said} in {page}");

    // Outside the quiet hours the requests are on their way: nothing to say.
    common::jobs::no_quiet_hours(&app, s.tenant);
    let plan = s.plan(&app, &council).await;
    assert!(
        plan["confirmations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["goes_out_at"].is_null()),
        "{plan}"
    );
    assert!(
        plan["commitments"][0].get("next_reminder_at").is_none(),
        "no reminder before the plan is approved: {plan}"
    );

    // Approved, the commitment's reminder waits for its day, at nine.
    let plan = s.close_approval(&app, &council, "Tiltaket må i gang").await;
    let at = local_moment(&plan["commitments"][0]["next_reminder_at"]);
    assert_eq!(chrono::Timelike::hour(&at), 9, "{plan}");
    assert!(at.date_naive() <= chrono::Local::now().date_naive() + chrono::Days::new(14));
    // Quiet hours over nine hold it to their end, the same day.
    common::jobs::set_quiet_hours(&app, s.tenant, 8, 11);
    let plan = s.plan(&app, &council).await;
    let held = local_moment(&plan["commitments"][0]["next_reminder_at"]);
    assert_eq!(
        (held.date_naive(), chrono::Timelike::hour(&held)),
        (at.date_naive(), 11)
    );
    let page = app.page_text(&path, &me).await;
    let said = format!(
        "Neste påminnelse sendes {}",
        held.format("%d.%m.%Y kl. %H:%M")
    );
    assert!(page.contains(&said), "{said} in {page}");
    // What the plan's versions keep is the plan, not when its messages go out.
    let kept = app
        .get_json(
            &s.path(&council, &format!("/plan/versions/{}", plan["version"])),
            &s.staff.key,
            200,
        )
        .await;
    assert!(kept.to_string().contains("Henter på fotball"), "{kept}");
    assert!(!kept.to_string().contains("next_reminder_at"), "{kept}");
}
