//! What already happened, written down, over HTTP against real PostgreSQL and Redis: an acute
//! family group conference recorded after the fact with an oral consent reaches an approved plan;
//! a past meeting without a reason, with someone not on the team or with a time ahead is refused
//! with nothing written (through the JSON API and the staff page, in Norwegian at the field); a
//! responsibility group's meeting has its record, filled from the answers and corrected, and the
//! next meeting is booked from it; an acute conference's invitations go at once with one reminder
//! hours before.

use crate::common;

use common::services::SmtpSink;
use common::{TestApp, expect_problem};
use diesel::prelude::*;
use serde_json::{Value, json};
use tillit::db::schema::{audit_log, council_meeting_records, council_meetings, jobs};
use tillit::db::{TenantId, in_tenant};

use common::councils::*;

/// `hours` ago in Oslo, as the form's local time.
fn hours_ago(hours: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::hours(hours))
        .with_timezone(&chrono_tz::Europe::Oslo)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

fn count_meetings(app: &TestApp, tenant: TenantId) -> i64 {
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        council_meetings::table.count().get_result(c)
    })
    .unwrap()
}

fn count_records(app: &TestApp, tenant: TenantId) -> i64 {
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        council_meeting_records::table.count().get_result(c)
    })
    .unwrap()
}

fn audited(app: &TestApp, tenant: TenantId, action: &str) -> Vec<Value> {
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        audit_log::table
            .filter(audit_log::action.eq(action))
            .select(audit_log::details)
            .load(c)
    })
    .unwrap()
}

impl Setup {
    /// An acute family group conference with the whole map on its team (no texts: the short
    /// path) and, if `consent`, a parent's consent given orally. Returns it and the team.
    async fn acute_council(&self, app: &TestApp, consent: bool) -> (String, Vec<String>) {
        let view = app
            .post_json(
                &format!("/api/v1/cases/{}/councils", self.case),
                &self.staff.key,
                json!({"kind": "family_group_conference", "acute": true}),
                201,
            )
            .await;
        let council = view["id"].as_str().unwrap().to_owned();
        let mut team = Vec::new();
        for person in &self.persons {
            let view = self
                .post_expect(
                    app,
                    &council,
                    "/participants",
                    json!({"person_id": person}),
                    201,
                )
                .await;
            team.push(
                view["participants"].as_array().unwrap().last().unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
        if consent {
            let view = self
                .post_expect(
                    app,
                    &council,
                    "/consents",
                    json!({"given_by": "parent", "name": "Mor", "oral": true,
                        "scope": "Akutt familieråd med mormor og onkel"}),
                    201,
                )
                .await;
            let given = &view["consents"][0];
            assert_eq!(given["oral"], true, "{given}");
            assert_eq!(
                given["recorded_by"], "Ansatt coordinator",
                "who recorded it"
            );
            assert!(given["recorded_at"].is_string(), "and when");
        }
        (council, team)
    }
}

fn field_of(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_acute_family_group_conference_recorded_after_the_fact_reaches_an_approved_plan() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "fjordvik", json!({"birth_year": 2017})).await;
    let caseworker = app.staff("fjordvik", "caseworker").await;
    s.assign(&app, &caseworker).await;
    let (council, team) = s.acute_council(&app, true).await;
    let good = json!({
        "starts_at": hours_ago(20), "duration_minutes": 150, "place": "Hjemme hos mormor",
        "reason": "Akutt familieråd samme kveld, avtalt på telefon",
        "attendees": [team[0], team[1]],
    });

    // Bad input: each refused at its field, nothing written.
    let mut without_reason = good.clone();
    without_reason["reason"] = json!("  ");
    let mut stranger = good.clone();
    stranger["attendees"] = json!([team[0], s.persons[0]]);
    let mut ahead = good.clone();
    ahead["starts_at"] = json!(local(2, 18));
    for (body, field) in [
        (without_reason, "reason"),
        (stranger, "attendees"),
        (ahead, "starts_at"),
    ] {
        let problem = expect_problem(
            s.post(&app, &council, "/past-meetings", body).await,
            422,
            "validation",
        )
        .await;
        assert_eq!(field_of(&problem), [field], "{problem}");
    }
    assert_eq!(count_meetings(&app, s.tenant), 0, "nothing written");
    assert_eq!(count_records(&app, s.tenant), 0);

    // The same on the staff page: the reason's sentence in Norwegian at its field, what was
    // typed kept, nothing written.
    let coordinator = app.sign_in(&s.staff).await;
    let base = format!("/cases/{}/councils/{council}", s.case);
    let (status, page) = app
        .form_answer(
            &format!("{base}/past-meeting"),
            &coordinator,
            &[
                ("starts_at", &hours_ago(20)),
                ("duration_minutes", "150"),
                ("place", "Hjemme hos mormor"),
                ("reason", ""),
                ("attendees", &team[0]),
            ],
        )
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains(r#"<p class="field-error" id="past-reason-error">Skriv hvorfor møtet registreres i etterkant.</p>"#),
        "the reason's error at its field: {page}"
    );
    assert!(
        page.contains(r#"value="Hjemme hos mormor""#),
        "the place typed is kept"
    );
    assert_eq!(count_meetings(&app, s.tenant), 0, "nothing written");

    // Recorded afterwards: held, and the council goes on to its plan.
    let view = s
        .post_expect(&app, &council, "/past-meetings", good, 201)
        .await;
    assert_eq!(view["state"], "plan_review", "{view}");
    let meeting = &view["meetings"][0];
    assert_eq!(
        meeting["recorded_afterwards_reason"],
        "Akutt familieråd samme kveld, avtalt på telefon"
    );
    assert!(meeting["confirmed_at"].is_string(), "it took place");
    let meeting = meeting["id"].as_str().unwrap().to_owned();
    let record_path = s.path(&council, &format!("/meetings/{meeting}/record"));
    let record = app.get_json(&record_path, &s.staff.key, 200).await;
    let came: Vec<&str> = record["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["came"] == true)
        .map(|a| a["participant_id"].as_str().unwrap())
        .collect();
    assert_eq!(came, [team[0].as_str(), team[1].as_str()]);
    assert!(
        audited(&app, s.tenant, "council.record_read").len() == 1,
        "reading the record is audited"
    );
    let afterwards = audited(&app, s.tenant, "council.meeting_afterwards");
    assert_eq!(afterwards.len(), 1);
    assert_eq!(afterwards[0]["attendees"], 2);
    assert!(
        !afterwards[0].to_string().contains("telefon"),
        "the reason stays out of the audit log"
    );

    // The record: corrected attendance (the school came too), decisions, notes for the team.
    let refused = expect_problem(
        app.put(&record_path, &s.staff.key)
            .json(&json!({"attendees": [team[0], "00000000-0000-0000-0000-000000000000"]}))
            .send()
            .await
            .unwrap(),
        422,
        "validation",
    )
    .await;
    assert_eq!(field_of(&refused), ["attendees"]);
    let record = app
        .put_json(
            &record_path,
            &s.staff.key,
            json!({"attendees": team, "decisions": ["Barnet bor hos mormor denne uken",
                    "Onkel kjører til skolen"],
                "notes": "Stemningen var god", "notes_shared_with": "team"}),
            200,
        )
        .await;
    assert_eq!(
        record["attendees"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["came"] == true)
            .count(),
        3
    );
    assert_eq!(record["decisions"].as_array().unwrap().len(), 2);
    assert_eq!(record["notes_shared_with"], "team");
    assert_eq!(record["recorded_by"], "Ansatt coordinator");
    assert_eq!(
        record["can_book_next"], false,
        "a conference's next meeting follows its plan"
    );
    expect_problem(
        s.post(
            &app,
            &council,
            &format!("/meetings/{meeting}/record/next-meeting"),
            json!({"starts_at": local(30, 18), "place": "Biblioteket"}),
        )
        .await,
        409,
        "next-meeting-from-plan",
    )
    .await;

    // On to an approved plan.
    s.draft_plan(
        &app,
        &council,
        ("Trygg hverdag hos mormor", "family"),
        &team[1],
        "Kjører til skolen",
        7,
    )
    .await;
    s.submit_plan(&app, &council).await;
    let plan = s.approve_plan_as(&app, &caseworker.key, &council).await;
    assert_eq!(plan["status"], "approved", "{plan}");
    let view = app.get_json(&s.path(&council, ""), &s.staff.key, 200).await;
    assert_eq!(view["state"], "follow_up");
}

#[tokio::test]
async fn an_acute_conference_invites_at_once_and_reminds_hours_before() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(&common::jobs::fast_jobs(&sink)).await;
    let s = setup(&app, "fjordvik", json!({"birth_year": 2017})).await;
    // It is the service's quiet hours now: an ordinary meeting's invitations would wait.
    let hour = i16::try_from(chrono::Timelike::hour(
        &chrono::Utc::now().with_timezone(&chrono_tz::Europe::Oslo),
    ))
    .unwrap();
    common::jobs::set_quiet_hours(&app, s.tenant, hour, (hour + 2) % 24);
    // Without a consent the short path refuses, and nothing is written.
    let (council, _) = s.acute_council(&app, false).await;
    s.post_expect(&app, &council, "/team", json!({}), 200).await;
    expect_problem(
        s.post(
            &app,
            &council,
            "/meetings",
            json!({"starts_at": local(2, 18), "place": "Biblioteket"}),
        )
        .await,
        409,
        "council-consents-missing",
    )
    .await;
    assert_eq!(count_meetings(&app, s.tenant), 0);
    s.post_expect(
        &app,
        &council,
        "/consents",
        json!({"given_by": "parent", "name": "Far", "scope": "Akutt familieråd", "oral": true}),
        201,
    )
    .await;
    s.post_expect(
        &app,
        &council,
        &format!("/participants/{}/waiver", {
            let view = app.get_json(&s.path(&council, ""), &s.staff.key, 200).await;
            view["participants"][2]["id"].as_str().unwrap().to_owned()
        }),
        json!({"scope": "Det skolen vet"}),
        200,
    )
    .await;
    let view = s
        .post_expect(
            &app,
            &council,
            "/meetings",
            json!({"starts_at": local(2, 18), "place": "Biblioteket"}),
            201,
        )
        .await;
    let meeting = &view["meetings"][0];
    assert!(meeting["confirmed_at"].is_string(), "sent at once: {view}");
    assert_eq!(
        view["state"], "planning",
        "the API keeps its explicit state step"
    );
    let starts: chrono::DateTime<chrono::Utc> =
        meeting["starts_at"].as_str().unwrap().parse().unwrap();
    let timed: Vec<(String, chrono::DateTime<chrono::Utc>, Value)> =
        in_tenant(&mut app.db.app_conn(), s.tenant, |c| {
            jobs::table
                .filter(jobs::kind.eq_any([
                    "meeting_reminder",
                    "answer_chase",
                    "preparation_missing",
                ]))
                .select((jobs::kind, jobs::due_at, jobs::payload))
                .load(c)
        })
        .unwrap();
    assert_eq!(
        timed.len(),
        1,
        "one reminder, no chases, no preparation check: {timed:?}"
    );
    assert_eq!(timed[0].0, "meeting_reminder");
    assert_eq!(
        timed[0].1,
        starts - chrono::Duration::hours(3),
        "hours, not days, before"
    );
    assert_eq!(timed[0].2["hours"], 3);
    let invitations: i64 = in_tenant(&mut app.db.app_conn(), s.tenant, |c| {
        jobs::table
            .filter(jobs::kind.eq("invitation"))
            .count()
            .get_result(c)
    })
    .unwrap();
    assert_eq!(invitations, 3, "everyone on the team is invited at once");
    // They go in the quiet hours, and the invitations page says they are on their way.
    let (status, page) = app
        .page_answer(
            &format!("/cases/{}/councils/{council}/tasks/invitations", s.case),
            &app.sign_in(&s.staff).await,
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(!page.contains("(stille timer)"), "{page}");
    let workers = common::jobs::Workers::start(&app);
    // The admin's setup link, and the three invitations.
    let mails = sink.wait_for(4, std::time::Duration::from_secs(30)).await;
    let invited: Vec<String> = mails
        .iter()
        .filter(|m| m.subject.starts_with("Invitasjon"))
        .map(|m| m.to())
        .collect();
    assert_eq!(invited.len(), 3, "sent in the quiet hours: {invited:?}");
    workers.stop().await;
}

#[tokio::test]
async fn a_responsibility_group_meeting_has_its_record_and_books_the_next_from_it() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "fjordvik", json!({"birth_year": 2014})).await;
    let (council, team) = s.ready_council(&app, "responsibility_group").await;
    let (_, meeting) = s
        .schedule(
            &app,
            &council,
            json!({"starts_at": local(5, 18), "place": "Skolen"}),
        )
        .await;
    s.invite(&app, &council, &meeting).await;
    for (who, response) in [(&team[0], "accept"), (&team[1], "decline")] {
        s.post_expect(
            &app,
            &council,
            &format!("/participants/{who}/answer"),
            json!({"response": response, "how": "phone"}),
            200,
        )
        .await;
    }
    let record_path = s.path(&council, &format!("/meetings/{meeting}/record"));
    // Not before the meeting.
    expect_problem(
        app.put(&record_path, &s.staff.key)
            .json(&json!({"decisions": ["Noe"]}))
            .send()
            .await
            .unwrap(),
        409,
        "council-meeting-not-held",
    )
    .await;
    assert_eq!(count_records(&app, s.tenant), 0);
    // The meeting took place.
    app.db.meeting_began(&meeting);
    for to in ["preparing", "held"] {
        s.post_expect(&app, &council, "/state", json!({"to": to}), 200)
            .await;
    }
    let proposed = app.get_json(&record_path, &s.staff.key, 200).await;
    assert!(proposed["recorded_at"].is_null(), "not saved yet");
    let came: Vec<&str> = proposed["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["came"] == true)
        .map(|a| a["participant_id"].as_str().unwrap())
        .collect();
    assert_eq!(came, [team[0].as_str()], "filled from the answers");
    let record = app
        .put_json(
            &record_path,
            &s.staff.key,
            json!({"decisions": ["Skolen følger opp leksene"], "notes": "Kun for de ansatte"}),
            200,
        )
        .await;
    assert_eq!(record["notes_shared_with"], "staff", "the default");
    assert_eq!(record["can_book_next"], true);
    let view = s
        .post_expect(
            &app,
            &council,
            &format!("/meetings/{meeting}/record/next-meeting"),
            json!({"starts_at": local(40, 18), "place": "Skolen"}),
            201,
        )
        .await;
    assert_eq!(view["meetings"].as_array().unwrap().len(), 2);
    assert_eq!(view["state"], "preparing", "the next meeting is prepared");
    let record = app.get_json(&record_path, &s.staff.key, 200).await;
    assert_eq!(record["next_meeting"]["place"], "Skolen");
    assert_eq!(record["decisions"][0], "Skolen følger opp leksene", "kept");
    expect_problem(
        s.post(
            &app,
            &council,
            &format!("/meetings/{meeting}/record/next-meeting"),
            json!({"starts_at": local(50, 18), "place": "Skolen"}),
        )
        .await,
        409,
        "next-meeting-booked",
    )
    .await;
    let saved = audited(&app, s.tenant, "council.record_save");
    assert_eq!(saved.len(), 1, "the save, audited once");
    assert!(
        !saved[0].to_string().contains("leksene"),
        "no text in the audit log"
    );
}

/// A record's notes reach only whom they are shared with: the staff's stay with the staff, the
/// family's reach the private side and the child, the team's everyone on it.
#[tokio::test]
async fn a_records_notes_reach_only_those_they_are_shared_with() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "fjordvik", json!({"birth_year": 2016})).await;
    let (council, team) = s.held_council(&app, "network_council").await;
    let view = app.get_json(&s.path(&council, ""), &s.staff.key, 200).await;
    let meeting = view["meetings"][0]["id"].as_str().unwrap().to_owned();
    s.draft_plan(
        &app,
        &council,
        ("Jeg vil ha det rolig hjemme", "child"),
        &team[0],
        "henter meg på fotball",
        9,
    )
    .await;
    let linked = s
        .post_expect(&app, &council, "/plan/child-links", json!({}), 201)
        .await;
    let child = linked["child_links"][0]["url"]
        .as_str()
        .and_then(|url| url.split_once("/c/"))
        .map(|(_, token)| format!("/c/{token}"))
        .unwrap();
    // Mormor Kari is on the private side, the teacher Lise on the public.
    let kari = format!("/i/{}", s.token(&app, &team[0]));
    let lise = format!("/i/{}", s.token(&app, &team[2]));
    let record = s.path(&council, &format!("/meetings/{meeting}/record"));
    for (sharing, notes, kari_reads, lise_reads, child_reads) in [
        ("staff", "Bare for de ansatte i saken", false, false, false),
        (
            "private_side",
            "Mormor henter på fredager",
            true,
            false,
            true,
        ),
        ("team", "Alle møtes igjen i mars", true, true, true),
    ] {
        app.put_json(
            &record,
            &s.staff.key,
            json!({"notes": notes, "notes_shared_with": sharing}),
            200,
        )
        .await;
        for (path, reads) in [
            (&kari, kari_reads),
            (&lise, lise_reads),
            (&child, child_reads),
        ] {
            let res = app.client.get(app.url(path)).send().await.unwrap();
            assert_eq!(res.status(), 200, "{path}");
            let page = res.text().await.unwrap();
            assert_eq!(
                page.contains(notes),
                reads,
                "{sharing} notes on {path}: {page}"
            );
            assert_eq!(page.contains("Fra møtene"), reads, "{path}");
        }
    }
}
