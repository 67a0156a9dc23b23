//! Councils and invitations over HTTP against real PostgreSQL, Redis and SMTP: the gates of the
//! process, bad meeting times, invitations delivered with an `.ics` read back by a real iCalendar
//! parser (the `ical` crate), neutral emails, the invitee's page and its tokens, and the jobs a
//! change replaces.

use crate::common;

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::Utc;
use common::mail::Mail;
use common::services::SmtpSink;
use common::{TestApp, expect_problem, form_token, main_of};
use diesel::prelude::*;
use serde_json::{Value, json};
use tillit::councils::invitations;
use tillit::db::schema::{council_answers, council_meetings, jobs};
use tillit::db::{TenantId, in_tenant};

use common::councils::*;

/// The common case with a child born in `birth_year`.
async fn setup(app: &TestApp, slug: &str, birth_year: i32) -> Setup {
    common::councils::setup(app, slug, json!({ "birth_year": birth_year })).await
}

/// The messages to invitees: everything the sink got but the service admin's setup email.
async fn invitee_mail(sink: &SmtpSink, n: usize) -> Vec<Mail> {
    sink.wait_for(n + 1, Duration::from_secs(30))
        .await
        .into_iter()
        .filter(|m| !m.is_setup_email())
        .collect()
}

fn job_rows(app: &TestApp, tenant: TenantId) -> Vec<(String, String, chrono::DateTime<Utc>)> {
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        jobs::table
            .filter(jobs::subject_kind.eq("meeting"))
            .order(jobs::due_at)
            .select((jobs::kind, jobs::status, jobs::due_at))
            .load(c)
    })
    .unwrap()
}

fn pending(
    rows: &[(String, String, chrono::DateTime<Utc>)],
    kind: &str,
) -> Vec<chrono::DateTime<Utc>> {
    rows.iter()
        .filter(|(k, s, _)| k == kind && s == "pending")
        .map(|(_, _, d)| *d)
        .collect()
}

#[tokio::test]
async fn the_gates_refuse_steps_out_of_order() {
    let app = TestApp::spawn().await;
    // A child of 16: their own consent is needed too.
    let this_year = chrono::Datelike::year(&Utc::now());
    let s = setup(&app, "fjordvik", this_year - 16).await;
    let council = s.council(&app, "network_council").await;
    let path = format!("/api/v1/cases/{}/councils/{council}", s.case);

    // Skipping ahead, or into another kind's states, is refused.
    let refused = expect_problem(
        s.post(&app, &council, "/state", json!({"to": "preparation"}))
            .await,
        409,
        "council-step-not-allowed",
    )
    .await;
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("does not take that step"),
        "{refused}"
    );
    expect_problem(
        s.post(&app, &council, "/state", json!({"to": "planning"}))
            .await,
        409,
        "council-step-not-allowed",
    )
    .await;
    expect_problem(
        s.post(&app, &council, "/state", json!({"to": "nonsense"}))
            .await,
        422,
        "validation",
    )
    .await;
    // No team selection before the child's texts.
    s.post_expect(
        &app,
        &council,
        "/state",
        json!({"to": "description_drafting"}),
        200,
    )
    .await;
    let refused = expect_problem(
        s.post(&app, &council, "/state", json!({"to": "team_selection"}))
            .await,
        409,
        "council-description-incomplete",
    )
    .await;
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("3 to 5 questions"),
        "{refused}"
    );
    // No meeting before the team is chosen.
    let refused = expect_problem(
        s.post(
            &app,
            &council,
            "/meetings",
            json!({"starts_at": local(10, 18), "place": "Biblioteket"}),
        )
        .await,
        409,
        "council-team-not-chosen",
    )
    .await;
    assert!(
        refused["detail"].as_str().unwrap().contains("team"),
        "{refused}"
    );
    // Questions: at most five, each a text of the child's with its author.
    s.post_expect(&app, &council, "/texts", json!({"kind": "situation", "author": "child", "text": "Slik har jeg det.", "child_confirmed": true}), 201).await;
    let mut question_ids = Vec::new();
    for i in 0..5 {
        let view = s.post_expect(&app, &council, "/texts", json!({"kind": "question", "author": "parent_helping", "text": format!("Spørsmål {i}")}), 201).await;
        question_ids.push(
            view["texts"]
                .as_array()
                .unwrap()
                .iter()
                .rfind(|t| t["kind"] == "question")
                .unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    expect_problem(
        s.post(
            &app,
            &council,
            "/texts",
            json!({"kind": "question", "author": "child", "text": "En til"}),
        )
        .await,
        409,
        "question-limit",
    )
    .await;
    expect_problem(
        s.post(
            &app,
            &council,
            "/texts",
            json!({"kind": "question", "author": "grandma", "text": ""}),
        )
        .await,
        422,
        "validation",
    )
    .await;
    // Not confirmed by the child yet: still refused.
    expect_problem(
        s.post(&app, &council, "/state", json!({"to": "team_selection"}))
            .await,
        409,
        "council-description-incomplete",
    )
    .await;
    for id in &question_ids {
        s.post_expect(
            &app,
            &council,
            &format!("/texts/{id}/confirmation"),
            json!({}),
            200,
        )
        .await;
    }
    s.post_expect(
        &app,
        &council,
        "/state",
        json!({"to": "team_selection"}),
        200,
    )
    .await;
    // The team cannot be confirmed empty.
    expect_problem(
        s.post(&app, &council, "/team", json!({})).await,
        409,
        "council-without-team",
    )
    .await;
    // A new person joins the team and the map at once.
    let view = s.post_expect(&app, &council, "/participants", json!({"new_person": {"name": "Trener Tor", "category": "leisure_activity",
            "closeness": "medium", "quality": "supportive", "email": "tor@klubb.example"}, "chosen_by_child": true, "meeting_role": "support_person"}), 201).await;
    assert_eq!(view["participants"][0]["name"], "Trener Tor");
    let map = app
        .get_json(
            &format!("/api/v1/cases/{}/persons", s.case),
            &s.staff.key,
            200,
        )
        .await;
    assert!(
        map.as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "Trener Tor"),
        "joined the map"
    );
    // A public participant (the school) too; then the team.
    s.post_expect(
        &app,
        &council,
        "/participants",
        json!({"person_id": s.persons[2]}),
        201,
    )
    .await;
    expect_problem(
        s.post(
            &app,
            &council,
            "/participants",
            json!({"person_id": s.persons[2]}),
        )
        .await,
        409,
        "already-on-team",
    )
    .await;
    let view = s.post_expect(&app, &council, "/team", json!({}), 200).await;
    assert_eq!(view["state"], "preparation");
    // The meeting can be scheduled now, but not confirmed: no consent, no waiver, an objection.
    let (view, meeting) = s
        .schedule(
            &app,
            &council,
            json!({"starts_at": local(12, 17), "place": "Biblioteket"}),
        )
        .await;
    assert_eq!(
        view["meetings"][0]["duration_minutes"], 180,
        "the service's default length"
    );
    s.post_expect(
        &app,
        &council,
        "/objections",
        json!({"person_id": s.persons[2], "reason": "Hun forteller alt videre"}),
        201,
    )
    .await;
    let refused = expect_problem(
        s.post(
            &app,
            &council,
            &format!("/meetings/{meeting}/invitations"),
            json!({}),
        )
        .await,
        409,
        "council-consents-missing",
    )
    .await;
    let detail = refused["detail"].as_str().unwrap();
    assert!(
        detail.contains("consent") && detail.contains("waiver") && detail.contains("objects"),
        "{detail}"
    );
    // A parent's consent is not enough for a child of 16.
    s.post_expect(
        &app,
        &council,
        "/consents",
        json!({"given_by": "parent", "name": "Far", "scope": "Nettverksråd"}),
        201,
    )
    .await;
    let view = app.get_json(&path, &s.staff.key, 200).await;
    let consents = view["standing"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "consents")
        .unwrap()
        .clone();
    assert_eq!(
        consents["done"], false,
        "the child's own consent is missing"
    );
    // Nothing was sent: no invitation links, no jobs.
    assert!(job_rows(&app, s.tenant).is_empty());
    // The objection's reason is the coordinator's only: never in the audit log.
    let details: Vec<Value> = in_tenant(&mut app.db.app_conn(), s.tenant, |c| {
        tillit::db::schema::audit_log::table
            .select(tillit::db::schema::audit_log::details)
            .load(c)
    })
    .unwrap();
    assert!(details.iter().all(|d| !d.to_string().contains("forteller")));
    // Another staff member who is not assigned to the case sees none of it.
    let other = app.staff("fjordvik", "coordinator").await;
    expect_problem(
        app.get(&path, &other.key).send().await.unwrap(),
        404,
        "not-found",
    )
    .await;
    let leader = app.staff("fjordvik", "leader").await;
    expect_problem(
        app.get(&path, &leader.key).send().await.unwrap(),
        404,
        "not-found",
    )
    .await;
    // Assigned to the case, a colleague sees the council and the objection, but the child's
    // reason stays with the coordinator.
    let assigned = app
        .post(
            &format!("/api/v1/cases/{}/assignments", s.case),
            &s.staff.key,
        )
        .json(&json!({ "user_id": other.user_id }))
        .send()
        .await
        .unwrap();
    assert_eq!(assigned.status(), 200);
    let seen_by_colleague = app.get_json(&path, &other.key, 200).await;
    assert_eq!(seen_by_colleague["objections"].as_array().unwrap().len(), 1);
    assert!(seen_by_colleague["objections"][0]["reason"].is_null());
    let seen_by_coordinator = app.get_json(&path, &s.staff.key, 200).await;
    assert_eq!(
        seen_by_coordinator["objections"][0]["reason"],
        "Hun forteller alt videre"
    );
}

#[tokio::test]
async fn meetings_in_the_past_backwards_or_double_booked_are_refused_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "fjordvik", 2016).await;
    let (council, _) = s.ready_council(&app, "network_council").await;
    let count = |app: &TestApp| -> i64 {
        in_tenant(&mut app.db.app_conn(), s.tenant, |c| {
            council_meetings::table.count().get_result(c)
        })
        .unwrap()
    };
    let past = expect_problem(
        s.post(
            &app,
            &council,
            "/meetings",
            json!({"starts_at": "2020-01-01T18:00", "place": "Skolen"}),
        )
        .await,
        422,
        "validation",
    )
    .await;
    assert_eq!(past["errors"][0]["field"], "starts_at");
    assert!(
        past["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("past")
    );
    // Times the clock skips (spring) or repeats (autumn) in the service's zone say why; an
    // offset settles which of the repeated hours is meant.
    for (typed, why) in [
        ("2030-03-31T02:30", "does not exist"),
        ("2030-10-27T02:30", "occurs twice"),
    ] {
        let refused = expect_problem(
            s.post(
                &app,
                &council,
                "/meetings",
                json!({"starts_at": typed, "place": "Skolen"}),
            )
            .await,
            422,
            "validation",
        )
        .await;
        assert_eq!(refused["errors"][0]["field"], "starts_at");
        let message = refused["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(why), "{message}");
    }
    let backwards = expect_problem(
        s.post(
            &app,
            &council,
            "/meetings",
            json!({"starts_at": local(10, 18), "ends_at": local(10, 17), "place": "Skolen"}),
        )
        .await,
        422,
        "validation",
    )
    .await;
    assert!(
        backwards["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("ends before it starts"),
        "{backwards}"
    );
    expect_problem(
        s.post(
            &app,
            &council,
            "/meetings",
            json!({"starts_at": local(10, 18)}),
        )
        .await,
        422,
        "validation",
    )
    .await;
    expect_problem(
        s.post(&app, &council, "/meetings", json!({"starts_at": local(10, 18), "place": "x", "video_link": "http://insecure.example"})).await,
        422,
        "validation",
    )
    .await;
    assert_eq!(count(&app), 0, "nothing written");
    s.post_expect(
        &app,
        &council,
        "/meetings",
        json!({"starts_at": local(10, 18), "place": "Skolen"}),
        201,
    )
    .await;
    // A second council of the same case with the same grandmother, overlapping in time.
    let second = s.council(&app, "network_meeting_series").await;
    s.post_expect(
        &app,
        &second,
        "/participants",
        json!({"person_id": s.persons[0]}),
        201,
    )
    .await;
    s.post_expect(&app, &second, "/team", json!({}), 200).await;
    let clash = expect_problem(
        s.post(&app, &second, "/meetings", json!({"starts_at": local(10, 20), "duration_minutes": 60, "video_link": "https://video.example/rom"})).await,
        422,
        "validation",
    )
    .await;
    assert!(
        clash["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("already has a meeting"),
        "{clash}"
    );
    assert_eq!(count(&app), 1, "the clash was not written");
    // After the first one ends it is fine.
    s.post_expect(&app, &second, "/meetings", json!({"starts_at": local(10, 21), "duration_minutes": 60, "video_link": "https://video.example/rom"}), 201).await;
}

/// The `.ics` read by the `ical` crate: (METHOD, UID, SEQUENCE, DTSTART, property names of the
/// event).
fn read_ics(ics: &str) -> (String, String, String, String, BTreeSet<String>) {
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(ics.as_bytes()));
    let calendar = parser
        .next()
        .expect("one calendar")
        .expect("a calendar the parser reads");
    let method = calendar
        .properties
        .iter()
        .find(|p| p.name == "METHOD")
        .and_then(|p| p.value.clone())
        .expect("METHOD");
    assert_eq!(calendar.events.len(), 1, "one event");
    let event = &calendar.events[0];
    let get = |name: &str| {
        event
            .properties
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
            .unwrap_or_default()
    };
    let names = event.properties.iter().map(|p| p.name.clone()).collect();
    (method, get("UID"), get("SEQUENCE"), get("DTSTART"), names)
}

/// Nothing in `mail`, raw or decoded, names the child, the map's people, child welfare or the
/// place.
fn assert_neutral(mail: &Mail) {
    assert_neutral_text(&mail.everything(), false);
}

/// Nothing in `everything` names the child, the map's people or child welfare; nor the place,
/// unless the coordinator chose to share it (`place_shared`).
fn assert_neutral_text(everything: &str, place_shared: bool) {
    let lower = everything.to_lowercase();
    let place = (!place_shared).then_some("Biblioteket");
    for word in [
        CHILD_FIRST,
        CHILD_LAST,
        "barnevern",
        "child welfare",
        "Mormor Kari",
        "Lærer",
    ]
    .into_iter()
    .chain(place)
    {
        assert!(
            !lower.contains(&word.to_lowercase()),
            "{word:?} in a message:\n{everything}"
        );
    }
}

#[tokio::test]
async fn invitations_go_out_with_a_calendar_file_that_changes_and_cancels_in_step() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(&fast_jobs(&sink)).await;
    let s = setup(&app, "fjordvik", 2016).await;
    let (council, _) = s.ready_council(&app, "network_council").await;
    let (view, meeting) = s
        .schedule(
            &app,
            &council,
            json!({"starts_at": local(10, 18), "place": "Biblioteket"}),
        )
        .await;
    let uid = view["meetings"][0]["calendar_uid"]
        .as_str()
        .unwrap()
        .to_owned();
    s.invite(&app, &council, &meeting).await;
    let rows = job_rows(&app, s.tenant);
    assert_eq!(pending(&rows, "invitation").len(), 3);
    assert_eq!(pending(&rows, "answer_chase").len(), 3);
    let reminders_before = pending(&rows, "meeting_reminder");
    assert_eq!(reminders_before.len(), 2, "7 days and 1 day before");

    let workers = Workers::start(&app);
    let first = invitee_mail(&sink, 3).await;
    assert_eq!(first.len(), 3, "one invitation to each of the team");
    let recipients: BTreeSet<String> = first.iter().map(|m| m.header("To").unwrap()).collect();
    assert_eq!(
        recipients,
        ["lise@skole.example", "mormor@example.no", "per@example.no"]
            .into_iter()
            .map(String::from)
            .collect()
    );
    let mut links = Vec::new();
    for mail in &first {
        assert_neutral(mail);
        assert!(
            !mail
                .header("From")
                .unwrap()
                .to_lowercase()
                .contains("barnevern"),
            "a neutral sender"
        );
        assert!(
            mail.text.contains("Du er invitert til et møte"),
            "{}",
            mail.text
        );
        let ics = mail.calendar().expect("an .ics");
        let (method, event_uid, sequence, start, names) = read_ics(ics);
        assert_eq!(method, "REQUEST");
        assert!(
            event_uid.starts_with(&uid),
            "{event_uid} is the meeting's UID"
        );
        assert_eq!(sequence, "0");
        let expected =
            tillit::councils::domain::local_moment(&local(10, 18), chrono_tz::Europe::Oslo)
                .unwrap();
        assert_eq!(
            start,
            expected.format("%Y%m%dT%H%M%SZ").to_string(),
            "UTC start"
        );
        assert!(!names.contains("ATTENDEE"), "no attendee list: {names:?}");
        assert!(names.contains("ORGANIZER"));
        assert!(
            !names.contains("LOCATION"),
            "the place stays out of calendars unless the coordinator shares it"
        );
        let link = mail
            .text
            .split_whitespace()
            .find(|w| w.contains("/i/tli_"))
            .expect("the invitee's link")
            .to_owned();
        links.push(link);
    }

    // The invitee answers; the coordinator sees it at once.
    let link = links
        .iter()
        .find(|l| l.starts_with(&app.address))
        .unwrap()
        .clone();
    let path = link.trim_start_matches(&app.address).to_owned();
    let (cookie, csrf) = form_token(&app).await;
    let page = app.client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Hvem kan hente meg på fotball?"),
        "the child's shared questions"
    );
    assert!(
        html.contains("Biblioteket"),
        "the place is on the page, behind the link"
    );
    let answered = app
        .link_form(
            &path,
            &cookie,
            &csrf,
            &[
                ("response", "accept"),
                ("contribution", "Kan kjøre til fotball"),
            ],
        )
        .await;
    assert_eq!(answered.status(), 303);
    let view = app.get_json(&s.path(&council, ""), &s.staff.key, 200).await;
    let answers: Vec<&Value> = view["participants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["answer"].is_null())
        .collect();
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0]["answer"]["response"], "accept");
    assert_eq!(
        answers[0]["answer"]["contribution"],
        "Kan kjøre til fotball"
    );

    // Moving the meeting: the same UID, SEQUENCE 1, new reminders, new links.
    s.post_expect(
        &app,
        &council,
        &format!("/meetings/{meeting}/reschedule"),
        json!({"starts_at": local(14, 17), "place": "Biblioteket", "place_shared": true}),
        200,
    )
    .await;
    let rows = job_rows(&app, s.tenant);
    let reminders_after = pending(&rows, "meeting_reminder");
    assert_eq!(reminders_after.len(), 2);
    assert!(
        reminders_after
            .iter()
            .all(|r| !reminders_before.contains(r)),
        "the old reminders were replaced"
    );
    let moved = invitee_mail(&sink, 6).await;
    assert_eq!(moved.len(), 6);
    let with_sequence = |messages: &[Mail], seq: &str| -> Vec<Mail> {
        messages
            .iter()
            .filter(|mail| mail.calendar().is_some_and(|ics| read_ics(ics).2 == seq))
            .cloned()
            .collect()
    };
    let changes = with_sequence(&moved, "1");
    assert_eq!(changes.len(), 3, "each invitee hears of the change");
    for mail in &changes {
        assert_neutral_text(&mail.everything(), true);
        let (method, event_uid, _, start, names) = read_ics(mail.calendar().unwrap());
        assert_eq!(method, "REQUEST");
        assert!(event_uid.starts_with(&uid));
        let expected =
            tillit::councils::domain::local_moment(&local(14, 17), chrono_tz::Europe::Oslo)
                .unwrap();
        assert_eq!(start, expected.format("%Y%m%dT%H%M%SZ").to_string());
        assert!(
            names.contains("LOCATION"),
            "the coordinator shared the place"
        );
        assert!(mail.calendar().unwrap().contains("LOCATION:Biblioteket"));
    }
    // The invitee's page offers the meeting as a file for their own calendar: the same event
    // (UID, SEQUENCE), no scheduling METHOD, the place as shared, the link for the rest.
    let new_link = changes[0]
        .text
        .split_whitespace()
        .find(|w| w.contains("/i/tli_"))
        .expect("the new link")
        .trim_start_matches(&app.address)
        .to_owned();
    let html = app.text_of(&new_link).await;
    let href = format!("{new_link}/calendar.ics");
    assert!(
        html.contains(&format!("href=\"{href}\" download")),
        "the page links its calendar file"
    );
    let file = app.client.get(app.url(&href)).send().await.unwrap();
    assert_eq!(file.status(), 200);
    assert!(
        file.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    assert!(
        file.headers()[reqwest::header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let ics = file.text().await.unwrap();
    let calendar = ical::IcalParser::new(std::io::BufReader::new(ics.as_bytes()))
        .next()
        .expect("one calendar")
        .expect("a calendar the parser reads");
    assert!(
        calendar.properties.iter().all(|p| p.name != "METHOD"),
        "a download is no scheduling message"
    );
    let value = |name: &str| {
        calendar.events[0]
            .properties
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
    };
    assert!(value("UID").unwrap().starts_with(&uid), "the same event");
    assert_eq!(value("SEQUENCE").as_deref(), Some("1"));
    assert_eq!(value("LOCATION").as_deref(), Some("Biblioteket"));
    assert!(
        value("URL").unwrap().ends_with(&new_link),
        "the link for the details"
    );
    assert_neutral_text(&ics, true);
    // The old link's file is the neutral page, like the old link.
    let old_file = app
        .client
        .get(app.url(&format!("{path}/calendar.ics")))
        .send()
        .await
        .unwrap();
    assert_eq!(old_file.status(), 404);
    // The old link was rotated away: the neutral page.
    let old = app.client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(old.status(), 404);

    // Cancelling: CANCEL with SEQUENCE 2, and no reminder, chase or check is left.
    s.post_expect(
        &app,
        &council,
        &format!("/meetings/{meeting}/cancellation"),
        json!({}),
        200,
    )
    .await;
    let rows = job_rows(&app, s.tenant);
    for kind in ["meeting_reminder", "answer_chase", "preparation_missing"] {
        assert!(
            pending(&rows, kind).is_empty(),
            "no {kind} after the cancellation"
        );
    }
    let cancelled = invitee_mail(&sink, 9).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    workers.stop().await;
    assert_eq!(cancelled.len(), 9);
    let cancels = with_sequence(&cancelled, "2");
    assert_eq!(cancels.len(), 3, "each invitee hears of the cancellation");
    for mail in &cancels {
        assert_neutral(mail);
        let (method, event_uid, _, _, _) = read_ics(mail.calendar().unwrap());
        assert_eq!(method, "CANCEL");
        assert!(event_uid.starts_with(&uid));
    }
}

#[tokio::test]
async fn the_invitee_page_shows_only_on_get_and_refuses_other_tokens_alike() {
    let app = TestApp::spawn().await;
    let a = setup(&app, "alfa", 2016).await;
    let b = setup(&app, "beta", 2015).await;
    let mut tokens = Vec::new();
    for s in [&a, &b] {
        let (council, _) = s.ready_council(&app, "network_council").await;
        let (_, meeting) = s
            .schedule(
                &app,
                &council,
                json!({"starts_at": local(9, 18), "place": "Et sted"}),
            )
            .await;
        s.invite(&app, &council, &meeting).await;
        let ids: Vec<uuid::Uuid> = in_tenant(&mut app.db.app_conn(), s.tenant, |c| {
            tillit::db::schema::council_invitations::table
                .filter(tillit::db::schema::council_invitations::revoked_at.is_null())
                .select(tillit::db::schema::council_invitations::id)
                .load(c)
        })
        .unwrap();
        tokens.push((
            ids[0],
            invitations::token_for(&app.state.settings, ids[0]),
            council,
        ));
    }
    let (cookie, csrf) = form_token(&app).await;
    let get = |token: String| {
        let app = &app;
        async move {
            app.client
                .get(app.url(&format!("/i/{token}")))
                .send()
                .await
                .unwrap()
        }
    };
    // Looking changes nothing.
    for _ in 0..2 {
        assert_eq!(get(tokens[0].1.clone()).await.status(), 200);
    }
    // The page says who invites and where questions go: the council's coordinator.
    let page = get(tokens[0].1.clone()).await.text().await.unwrap();
    let coordinator_email: String = in_tenant(&mut app.db.app_conn(), a.tenant, |c| {
        tillit::db::schema::users::table
            .find((a.tenant.0, a.staff.user_id))
            .select(tillit::db::schema::users::email)
            .first(c)
    })
    .unwrap();
    assert!(
        page.contains("Du er invitert av <strong>Ansatt coordinator</strong>"),
        "the page names the coordinator"
    );
    assert!(
        page.contains(&format!("href=\"mailto:{coordinator_email}\"")),
        "the page gives the coordinator's address"
    );
    assert!(!page.contains("href=\"tel:"), "no work phone recorded yet");
    // The coordinator records a work phone on their account page: a wrong one comes back at the
    // field, in Norwegian, with what was typed; a right one is what invitees are told to call.
    let signed_in = app.sign_in(&a.staff).await;
    let refused = app
        .form("/account/contact", &signed_in, &[("work_phone", "12 34")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await.unwrap();
    assert!(
        refused.contains("Skriv et norsk telefonnummer med åtte siffer"),
        "the message in Norwegian"
    );
    assert!(refused.contains("id=\"work-phone-error\""), "at the field");
    assert!(
        refused.contains("value=\"12 34\""),
        "what was typed is kept"
    );
    assert_eq!(
        app.submit(
            "/account/contact",
            &signed_in,
            &[("work_phone", "912 34 567")]
        )
        .await,
        "/account?done=contact#contact-heading"
    );
    let account = app.page_text("/account?done=contact", &signed_in).await;
    let contact = &account[account.find("id=\"contact-heading\"").unwrap()..];
    let saved = contact
        .find("Telefonnummeret er lagret.")
        .expect("the confirmation");
    assert!(
        saved < contact.find("id=\"work-phone\"").unwrap(),
        "the confirmation stands in the section, above the field"
    );
    assert!(contact.contains("value=\"912 34 567\""));
    let page = get(tokens[0].1.clone()).await.text().await.unwrap();
    assert!(
        page.contains("som du kan ringe på <a href=\"tel:+4791234567\">912 34 567</a>"),
        "the page says whom to call, and at which number"
    );
    let answers = |t: TenantId| -> i64 {
        in_tenant(&mut app.db.app_conn(), t, |c| {
            council_answers::table.count().get_result(c)
        })
        .unwrap()
    };
    assert_eq!(answers(a.tenant), 0, "GET never answers");
    // A mail gateway or link checker tests the link with HEAD first: the same answer as GET,
    // headers only, and still no answer written.
    let full = get(tokens[0].1.clone()).await;
    let head = app
        .client
        .head(app.url(&format!("/i/{}", tokens[0].1)))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(
        head.headers()[reqwest::header::CONTENT_TYPE],
        full.headers()[reqwest::header::CONTENT_TYPE]
    );
    assert!(head.bytes().await.unwrap().is_empty(), "HEAD has no body");
    let unknown_head = app
        .client
        .head(app.url(&format!("/i/tli_{}", "A".repeat(43))))
        .send()
        .await
        .unwrap();
    let unknown_get = get(format!("tli_{}", "A".repeat(43))).await;
    assert_eq!(unknown_head.status(), unknown_get.status());
    assert_eq!(answers(a.tenant), 0, "HEAD never answers");
    // Unknown, malformed, another kind's token, a revoked one: the same neutral page.
    let unknown = main_of(
        &get(format!("tli_{}", "A".repeat(43)))
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(unknown.contains("Lenken virker ikke"));
    for other in [
        "garbage".to_owned(),
        format!("tla_{}", &tokens[0].1[4..]),
        tillit::tokens::issue("tli_").text,
    ] {
        let res = get(other).await;
        assert_eq!(res.status(), 404);
        assert_eq!(main_of(&res.text().await.unwrap()), unknown);
    }
    a.post_expect(
        &app,
        &tokens[0].2,
        &format!(
            "/participants/{}/invitation",
            participant_of(&app, a.tenant, tokens[0].0)
        ),
        json!({}),
        200,
    )
    .await;
    let revoked = get(tokens[0].1.clone()).await;
    assert_eq!(revoked.status(), 404, "re-sending rotated the link");
    assert_eq!(main_of(&revoked.text().await.unwrap()), unknown);
    // An expired link: the same page.
    let fresh: uuid::Uuid = in_tenant(&mut app.db.app_conn(), a.tenant, |c| {
        tillit::db::schema::council_invitations::table
            .filter(tillit::db::schema::council_invitations::revoked_at.is_null())
            .order(tillit::db::schema::council_invitations::created_at.desc())
            .select(tillit::db::schema::council_invitations::id)
            .first(c)
    })
    .unwrap();
    let fresh_token = invitations::token_for(&app.state.settings, fresh);
    assert_eq!(get(fresh_token.clone()).await.status(), 200);
    app.db.as_admin(&format!(
        "UPDATE council_invitations SET expires_at = now() - interval '1 minute' WHERE id = '{fresh}'"
    ));
    let expired = get(fresh_token).await;
    assert_eq!(expired.status(), 404, "an expired link");
    assert_eq!(main_of(&expired.text().await.unwrap()), unknown);
    // B's token answers B's meeting and nothing of A's.
    let res = app
        .link_form(
            &format!("/i/{}", tokens[1].1),
            &cookie,
            &csrf,
            &[
                ("response", "maybe"),
                ("comment", "Kommer om jeg rekker det"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!((answers(a.tenant), answers(b.tenant)), (0, 1));
    // Answers change until the meeting: one row, the latest answer.
    let res = app
        .link_form(
            &format!("/i/{}", tokens[1].1),
            &cookie,
            &csrf,
            &[("response", "decline")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let response: String = in_tenant(&mut app.db.app_conn(), b.tenant, |c| {
        council_answers::table
            .select(council_answers::response)
            .first(c)
    })
    .unwrap();
    assert_eq!(response, "decline");
    // Without the form token, or with no choice, nothing is saved.
    let res = app
        .client
        .post(app.url(&format!("/i/{}", tokens[1].1)))
        .form(&[("response", "accept")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = app
        .link_form(
            &format!("/i/{}", tokens[1].1),
            &cookie,
            &csrf,
            &[("response", ""), ("comment", "Jeg kan komme etter jobb")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let refused = res.text().await.unwrap();
    assert!(
        refused.contains("Velg om du kommer."),
        "what to do, in Norwegian"
    );
    assert!(
        refused.contains(">Jeg kan komme etter jobb</textarea>"),
        "the comment typed is kept"
    );
    let response: String = in_tenant(&mut app.db.app_conn(), b.tenant, |c| {
        council_answers::table
            .select(council_answers::response)
            .first(c)
    })
    .unwrap();
    assert_eq!(response, "decline");
}

fn participant_of(app: &TestApp, tenant: TenantId, invitation: uuid::Uuid) -> uuid::Uuid {
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        tillit::db::schema::council_invitations::table
            .filter(tillit::db::schema::council_invitations::id.eq(invitation))
            .select(tillit::db::schema::council_invitations::participant_id)
            .first(c)
    })
    .unwrap()
}

#[tokio::test]
async fn the_invitee_page_is_rate_limited() {
    let app = TestApp::spawn_with(&[("rate_limits.invitee_per_address", json!(3))]).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(
            app.client
                .get(app.url(&format!("/i/tli_{}", "B".repeat(43))))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses, [404, 404, 404, 429, 429]);
}

#[tokio::test]
async fn the_openapi_description_has_the_council_endpoints() {
    let app = TestApp::spawn().await;
    let doc = app.openapi().await;
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/v1/cases/{id}/councils",
        "/api/v1/cases/{id}/councils/{council_id}/meetings/{meeting_id}/invitations",
        "/api/v1/cases/{id}/councils/{council_id}/participants/{participant_id}/waiver",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} in the OpenAPI description"
        );
    }
}

#[tokio::test]
async fn chases_reminders_and_the_preparation_check_go_to_the_right_people() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(&fast_jobs(&sink)).await;
    let s = setup(&app, "fjordvik", 2016).await;
    let (council, _) = s.ready_council(&app, "network_council").await;
    let (_, meeting) = s
        .schedule(
            &app,
            &council,
            json!({"starts_at": local(10, 18), "video_link": "https://video.example/rom"}),
        )
        .await;
    s.invite(&app, &council, &meeting).await;
    let workers = Workers::start(&app);
    let invitations = invitee_mail(&sink, 3).await;
    assert_eq!(invitations.len(), 3);
    // The grandmother declines; the others do not answer.
    let link = invitations
        .iter()
        .find(|m| m.header("To").unwrap() == "mormor@example.no")
        .map(|m| m.text.clone())
        .and_then(|text| {
            text.split_whitespace()
                .find(|w| w.contains("/i/tli_"))
                .map(str::to_owned)
        })
        .unwrap();
    let (cookie, csrf) = form_token(&app).await;
    let res = app
        .client
        .post(&link)
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str()), ("response", "decline")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    // Everything timed is due now.
    app.db.as_admin(
        "UPDATE jobs SET due_at = now() WHERE status = 'pending' \
         AND kind IN ('answer_chase', 'meeting_reminder', 'preparation_missing')",
    );
    // 2 chases (not the grandmother, who answered), 2 reminders × 2 (not to who declined), 1 check.
    let all = invitee_mail(&sink, 3 + 2 + 4 + 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    workers.stop().await;
    assert_eq!(all.len(), 10, "no more, no fewer");
    let texts: Vec<(String, String)> = all.iter().map(|m| (m.to(), m.text.clone())).collect();
    let chases: Vec<&String> = texts
        .iter()
        .filter(|(_, t)| t.contains("ikke fått svar"))
        .map(|(to, _)| to)
        .collect();
    assert_eq!(chases.len(), 2);
    assert!(
        !chases.iter().any(|t| t.as_str() == "mormor@example.no"),
        "she answered"
    );
    let reminders: Vec<&String> = texts
        .iter()
        .filter(|(_, t)| t.contains("påminnelse om et møte"))
        .map(|(to, _)| to)
        .collect();
    assert_eq!(reminders.len(), 4);
    assert!(
        !reminders.iter().any(|t| t.as_str() == "mormor@example.no"),
        "she declined"
    );
    let checks: Vec<&(String, String)> = texts
        .iter()
        .filter(|(_, t)| t.contains("forberedelsen mangler"))
        .collect();
    assert_eq!(
        checks.len(),
        1,
        "nobody was prepared: the coordinator hears of it"
    );
    assert!(
        checks[0].0.starts_with("coordinator-"),
        "to the coordinator: {}",
        checks[0].0
    );
    for mail in &all {
        assert_neutral(mail);
    }
    // Each chase schedules the next, up to chase_max (2).
    let rows = job_rows(&app, s.tenant);
    assert_eq!(pending(&rows, "answer_chase").len(), 2, "the second round");
}

/// The council's pages over HTTP as a signed-in browser sees them: the task list tells what each
/// task waits for; a form with a mistake comes back with the reader's sentence at its field and
/// what was typed; and the invitations page tells the truth about sending — a message held back
/// by the service's quiet hours "goes out" at the hour they end, and is never called sent.
#[tokio::test]
async fn the_council_pages_say_what_waits_and_what_went_out() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "fjordvik", 2015).await;
    let who = app.sign_in(&s.staff).await;
    let (council, _) = s.ready_council(&app, "family_group_conference").await;
    let base = format!("/cases/{}/councils/{council}", s.case);

    // The task list: the invitations wait for a meeting; no "move on" button anywhere.
    let (status, list) = app.page_answer(&base, &who).await;
    assert_eq!(status, 200, "{list}");
    assert!(list.contains("Det er ikke avtalt noe møte ennå."), "{list}");
    assert!(!list.contains("Gå videre"), "{list}");

    // A meeting in the past: the Norwegian sentence at the field, the place kept, nothing English.
    let (status, page) = app
        .form_answer(
            &format!("{base}/meeting"),
            &who,
            &[("starts_at", "2020-01-01T18:00"), ("place", "Biblioteket")],
        )
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains(r##"<a href="#starts-at">Møtet kan ikke begynne før nå."##),
        "{page}"
    );
    assert!(page.contains(r#"id="starts-at-error""#), "{page}");
    assert!(
        page.contains(r#"value="Biblioteket""#),
        "the place typed is kept: {page}"
    );
    assert!(!page.contains("cannot start in the past"), "{page}");
    // The language switch on it goes back to the task's page, not to the form's POST address.
    assert!(
        page.contains(&format!(r#"name="next" value="{base}/tasks/meeting""#)),
        "{page}"
    );

    // Sent in the quiet hours (no worker runs here): the page says when it goes out.
    let (_, meeting) = s
        .schedule(
            &app,
            &council,
            json!({"starts_at": local(12, 17), "place": "Biblioteket"}),
        )
        .await;
    let hour = i16::try_from(chrono::Timelike::hour(
        &Utc::now().with_timezone(&chrono_tz::Europe::Oslo),
    ))
    .unwrap();
    let end = (hour + 2) % 24;
    common::jobs::set_quiet_hours(&app, s.tenant, hour, end);
    s.invite(&app, &council, &meeting).await;
    let invitations = format!("{base}/tasks/invitations");
    let (status, page) = app.page_answer(&invitations, &who).await;
    assert_eq!(status, 200, "{page}");
    let waiting = format!("kl. {end:02}:00 (stille timer)");
    assert_eq!(
        page.matches(&waiting).count(),
        3,
        "{waiting} for all three: {page}"
    );
    assert!(!page.contains(">Sendt "), "nothing is sent yet: {page}");

    // Outside the quiet hours the same messages are on their way.
    common::jobs::no_quiet_hours(&app, s.tenant);
    let (_, page) = app.page_answer(&invitations, &who).await;
    assert_eq!(page.matches("Sendes nå").count(), 3, "{page}");
}

#[tokio::test]
async fn a_new_team_member_named_like_someone_on_the_map_is_asked_about_before_being_added() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "fjordvik", 2015).await;
    let who = app.sign_in(&s.staff).await;
    let council = s.council(&app, "family_group_conference").await;
    let base = format!("/cases/{}/councils/{council}", s.case);
    let count = || {
        in_tenant(&mut app.db.app_conn(), s.tenant, |c| {
            tillit::db::schema::network_persons::table
                .count()
                .get_result::<i64>(c)
        })
        .unwrap()
    };
    let typed = [
        ("who", ""),
        ("new_name", "mormor  kari"),
        ("new_email", "kari.annen@example.no"),
        ("new_category", "near_family"),
        ("new_closeness", "close"),
        ("new_quality", "supportive"),
        ("meeting_role", "participant"),
    ];

    // The map has "Mormor Kari": the team page asks, names and links her, keeps what was typed.
    let (status, page) = app
        .form_answer(&format!("{base}/participant"), &who, &typed)
        .await;
    assert_eq!(status, 200, "{page}");
    for expected in [
        "Personen kan allerede stå på kartet",
        &format!(
            r#"<a href="/cases/{}/persons/{}">Mormor Kari</a>"#,
            s.case, s.persons[0]
        ),
        r#"name="confirm_duplicate""#,
        "Legg til likevel",
        r#"value="mormor  kari""#,
        r#"value="kari.annen@example.no""#,
    ] {
        assert!(
            page.contains(expected),
            "the team page lacks {expected:?}: {page}"
        );
    }
    assert_eq!(
        count(),
        3,
        "nothing is written before the coordinator confirms"
    );

    // "Legg til likevel" adds the new person to the map and the team.
    let mut confirmed = typed.to_vec();
    confirmed.push(("confirm_duplicate", "1"));
    let location = app
        .submit(&format!("{base}/participant"), &who, &confirmed)
        .await;
    assert!(
        location.starts_with(&format!("{base}/tasks/team")),
        "{location}"
    );
    assert_eq!(count(), 4);
}

/// An answer given by phone: the coordinator records it at the participant's line (a missing
/// choice comes back in Norwegian with what was typed, nothing written), it is saved as the
/// participant's answer marked "recorded by" and audited, and the person can still change it
/// through their own link, which makes it theirs.
#[tokio::test]
async fn an_answer_given_by_phone_is_recorded_by_the_coordinator_and_stays_the_persons_to_change() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "fjordvik", 2015).await;
    let who = app.sign_in(&s.staff).await;
    let (council, _) = s.ready_council(&app, "network_council").await;
    let (_, meeting) = s
        .schedule(
            &app,
            &council,
            json!({"starts_at": local(12, 17), "place": "Biblioteket"}),
        )
        .await;
    let view = s.invite(&app, &council, &meeting).await;
    let participant = view["participants"][0]["id"].as_str().unwrap().to_owned();
    let base = format!("/cases/{}/councils/{council}", s.case);
    let answers = || -> i64 {
        in_tenant(&mut app.db.app_conn(), s.tenant, |c| {
            council_answers::table.count().get_result(c)
        })
        .unwrap()
    };

    let (status, page) = app
        .form_answer(
            &format!("{base}/record-answer"),
            &who,
            &[
                ("participant_id", participant.as_str()),
                ("response", ""),
                ("how", "phone"),
                ("comment", "Ringte tirsdag"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{page}");
    let field = format!("answer-response-{participant}");
    assert!(
        page.contains(&format!(
            "<a href=\"#{field}\">Velg om personen kommer: ja, nei eller kanskje."
        )),
        "the summary links to the choice: {page}"
    );
    assert!(
        page.contains(">Ringte tirsdag</textarea>"),
        "what was typed is kept"
    );
    assert!(!page.contains("must be one of"), "no English: {page}");
    assert_eq!(answers(), 0, "nothing written");

    // Someone not on the team: not found, nothing written.
    let (status, _) = app
        .form_answer(
            &format!("{base}/record-answer"),
            &who,
            &[
                ("participant_id", uuid::Uuid::now_v7().to_string().as_str()),
                ("response", "accept"),
                ("how", "phone"),
            ],
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(answers(), 0);

    let location = app
        .submit(
            &format!("{base}/record-answer"),
            &who,
            &[
                ("participant_id", participant.as_str()),
                ("response", "accept"),
                ("how", "phone"),
                ("comment", "Ringte tirsdag"),
                ("contribution", "Kan kjøre"),
            ],
        )
        .await;
    assert!(
        location.starts_with(&format!("{base}/tasks/invitations")),
        "{location}"
    );
    let line = answer_line(&app, &s, &council, &participant).await;
    assert_eq!(line["answer"]["response"], "accept");
    assert_eq!(line["answer"]["comment"], "Ringte tirsdag");
    assert_eq!(line["answer"]["recorded"]["how"], "phone");
    assert_eq!(line["answer"]["recorded"]["by"], "Ansatt coordinator");
    let (_, page) = app
        .page_answer(&format!("{base}/tasks/invitations"), &who)
        .await;
    assert!(
        page.contains("Registrert av Ansatt coordinator, på telefon"),
        "the page says who recorded it and how: {page}"
    );
    let audited: Vec<serde_json::Value> = in_tenant(&mut app.db.app_conn(), s.tenant, |c| {
        tillit::db::schema::audit_log::table
            .filter(tillit::db::schema::audit_log::action.eq("council.answer_record"))
            .select(tillit::db::schema::audit_log::details)
            .load(c)
    })
    .unwrap();
    assert_eq!(audited.len(), 1, "audited once");
    assert_eq!(audited[0]["how"], "phone");

    // The same through the JSON API: a wrong way of answering is named at its field, and an
    // answer given in person is recorded as such.
    let api = format!(
        "/api/v1/cases/{}/councils/{council}/participants/{participant}/answer",
        s.case
    );
    let refused = app
        .post(&api, &s.staff.key)
        .json(&json!({"response": "maybe", "how": "letter"}))
        .send()
        .await
        .unwrap();
    let problem = expect_problem(refused, 422, "validation").await;
    assert_eq!(problem["errors"][0]["field"], "how", "{problem}");
    let view = app
        .post_json(
            &api,
            &s.staff.key,
            json!({"response": "maybe", "how": "in_person", "availability": "Etter kl. 16"}),
            200,
        )
        .await;
    let line = view["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == participant.as_str())
        .unwrap();
    assert_eq!(line["answer"]["response"], "maybe");
    assert_eq!(line["answer"]["recorded"]["how"], "in_person");
    assert!(app.openapi().await["paths"][
        "/api/v1/cases/{id}/councils/{council_id}/participants/{participant_id}/answer"
    ]["post"]
        .is_object());

    // The person answers through their own link after all: the answer is theirs now.
    let invitation: uuid::Uuid = in_tenant(&mut app.db.app_conn(), s.tenant, |c| {
        tillit::db::schema::council_invitations::table
            .filter(
                tillit::db::schema::council_invitations::participant_id
                    .eq(uuid::Uuid::parse_str(&participant).unwrap()),
            )
            .filter(tillit::db::schema::council_invitations::revoked_at.is_null())
            .select(tillit::db::schema::council_invitations::id)
            .first(c)
    })
    .unwrap();
    let token = invitations::token_for(&app.state.settings, invitation);
    let (cookie, csrf) = form_token(&app).await;
    let res = app
        .link_form(
            &format!("/i/{token}"),
            &cookie,
            &csrf,
            &[("response", "decline")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let line = answer_line(&app, &s, &council, &participant).await;
    assert_eq!(line["answer"]["response"], "decline");
    assert!(line["answer"]["recorded"].is_null(), "their own answer now");
}

/// The participant's line of the council as the JSON API shows it.
async fn answer_line(app: &TestApp, s: &Setup, council: &str, participant: &str) -> Value {
    let view = app.get_json(&s.path(council, ""), &s.staff.key, 200).await;
    view["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == participant)
        .unwrap()
        .clone()
}
