//! On-call access to a case's acute list, over HTTP against the real database: the on-call
//! service sees no case, looks one up, opens its acute list with a reason (refused and audited
//! without one), reads it for 12 hours by the app's clock, then it is closed; the assigned staff
//! see the opening, the leader reviews every opening by the case's reference only, and another
//! service's case is not found.

use crate::common;

use chrono::Duration;
use common::{Staff, TestApp, answer, expect_problem, json_of};
use diesel::prelude::*;
use serde_json::{Value, json};
use tillit::db::in_tenant;
use tillit::db::schema::{acute_openings, audit_log};

/// A service with a coordinator's case of Nora Berg (reference 2026/0042): her mother's sister,
/// who can step in and take her in and can be reached after four, and her teacher, who cannot;
/// and a note on where she can go.
pub(crate) async fn service_with_case(app: &TestApp, slug: &str) -> (Staff, String) {
    app.create_tenant(slug, &["4624"]).await;
    let coordinator = app.staff(slug, "coordinator").await;
    let k = &coordinator.key;
    let case = app
        .post_json(
            "/api/v1/cases",
            k,
            json!({
                "child": {
                    "first_name": "Nora",
                    "last_name": "Berg",
                    "birth_date": "2015-03-09",
                    "gender": "girl",
                },
                "reference": "2026/0042",
            }),
            201,
        )
        .await;
    let case = case["id"].as_str().expect("the case").to_owned();
    for person in [
        json!({
            "name": "Tante Hilde", "relation": "mors søster", "category": "near_family",
            "lineage": "maternal", "closeness": "close", "quality": "supportive",
            "can_step_in": true, "step_in_how": "Kan hente og ha Nora noen netter",
            "can_take_child": true, "reachable_when": "Hverdager etter 16, helg hele døgnet",
            "phone": "91234567",
        }),
        json!({
            "name": "Lærer Lise", "category": "school", "closeness": "medium",
            "quality": "supportive", "phone": "99887766",
        }),
    ] {
        app.post_json(&format!("/api/v1/cases/{case}/persons"), k, person, 201)
            .await;
    }
    let updated = app
        .patch_json(
            &format!("/api/v1/cases/{case}"),
            k,
            json!({ "where_child_can_go": "Hos tante Hilde i Fjordvik; ellers beredskapshjem." }),
            200,
        )
        .await;
    assert_eq!(
        updated["where_child_can_go"],
        "Hos tante Hilde i Fjordvik; ellers beredskapshjem."
    );
    (coordinator, case)
}

/// The audit rows of `action`: (outcome, object id, details).
fn audited(app: &TestApp, staff: &Staff, action: &str) -> Vec<(String, Option<String>, Value)> {
    in_tenant(&mut app.db.app_conn(), staff.tenant, |c| {
        audit_log::table
            .filter(audit_log::action.eq(action))
            .select((audit_log::outcome, audit_log::object_id, audit_log::details))
            .order(audit_log::id)
            .load(c)
    })
    .expect("audit")
}

fn openings(app: &TestApp, staff: &Staff) -> i64 {
    in_tenant(&mut app.db.app_conn(), staff.tenant, |c| {
        acute_openings::table.count().get_result(c)
    })
    .expect("openings")
}

#[tokio::test]
async fn an_on_call_opening_with_a_reason_shows_the_acute_list_for_twelve_hours() {
    let app = TestApp::spawn().await;
    let (coordinator, case) = service_with_case(&app, "fjordvik").await;
    let on_call = app.staff("fjordvik", "on_call").await;
    let k = &on_call.key;

    // Like other unassigned staff: no case list, no case, no acute list of the case itself.
    app.get_json("/api/v1/cases", k, 403).await;
    app.get_json(&format!("/api/v1/cases/{case}"), k, 404).await;
    app.get_json(&format!("/api/v1/cases/{case}/acute-list"), k, 404)
        .await;
    app.get_json(&format!("/api/v1/cases/{case}/councils"), k, 404)
        .await;

    // Found by the reference or by the name, with only what tells children apart.
    let found = app
        .get_json("/api/v1/on-call/cases?q=2026%2F0042", k, 200)
        .await;
    assert_eq!(found["cases"].as_array().unwrap().len(), 1, "{found}");
    let choice = &found["cases"][0];
    assert_eq!(choice["case_id"], case.as_str());
    assert_eq!(choice["child_birth_date"], "2015-03-09");
    assert!(choice.get("persons").is_none() && choice.get("phase").is_none());
    let by_name = app
        .get_json("/api/v1/on-call/cases?q=nora%20berg", k, 200)
        .await;
    assert_eq!(by_name["cases"][0]["case_id"], case.as_str());
    let none = app.get_json("/api/v1/on-call/cases?q=Ingen", k, 200).await;
    assert_eq!(none["cases"], json!([]));
    assert_eq!(audited(&app, &on_call, "acute.lookup").len(), 3);

    // Without a reason: refused at the field, nothing written, the attempt audited.
    let refused = app
        .post_json(
            "/api/v1/on-call/openings",
            k,
            json!({ "case_id": case, "reason": "   " }),
            422,
        )
        .await;
    assert_eq!(refused["errors"][0]["field"], "reason", "{refused}");
    assert_eq!(openings(&app, &on_call), 0, "nothing written");
    let attempts = audited(&app, &on_call, "acute.open");
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].0, "denied");
    assert_eq!(attempts[0].1.as_deref(), Some(case.as_str()));
    assert_eq!(attempts[0].2["refused"], "no_reason");

    // With a reason: open for 12 hours, the acute list readable and every read audited.
    let opening = app
        .post_json(
            "/api/v1/on-call/openings",
            k,
            json!({
                "case_id": case,
                "reason": "Politiet ringte kl. 02.10: mor er innlagt, Nora må hentes.",
                "call_reference": "BV-311",
            }),
            201,
        )
        .await;
    assert_eq!(opening["open"], true);
    assert_eq!(opening["role"], "on_call");
    assert_eq!(opening["case_reference"], "2026/0042");
    let opened =
        chrono::DateTime::parse_from_rfc3339(opening["opened_at"].as_str().unwrap()).unwrap();
    let expires =
        chrono::DateTime::parse_from_rfc3339(opening["expires_at"].as_str().unwrap()).unwrap();
    assert_eq!(expires - opened, Duration::hours(12));
    let opening_id = opening["id"].as_str().unwrap().to_owned();
    assert_eq!(
        audited(&app, &on_call, "acute.open").last().unwrap().0,
        "success"
    );

    let read = app
        .get_json(
            &format!("/api/v1/on-call/openings/{opening_id}/acute-list"),
            k,
            200,
        )
        .await;
    let list = &read["acute_list"];
    let persons = list["persons"].as_array().unwrap();
    assert_eq!(persons.len(), 1, "only who can step in: {list}");
    assert_eq!(persons[0]["name"], "Tante Hilde");
    assert_eq!(persons[0]["phone"], "+4791234567");
    assert_eq!(
        persons[0]["reachable_when"],
        "Hverdager etter 16, helg hele døgnet"
    );
    assert_eq!(persons[0]["can_take_child"], true);
    assert_eq!(
        list["where_child_can_go"],
        "Hos tante Hilde i Fjordvik; ellers beredskapshjem."
    );
    let reads = audited(&app, &on_call, "acute.read");
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0].0, "success");
    assert_eq!(reads[0].1.as_deref(), Some(case.as_str()));
    // Still nothing else of the case.
    app.get_json(&format!("/api/v1/cases/{case}"), k, 404).await;

    // The assigned coordinator sees who opened it, when, why and until when.
    let seen = app
        .get_json(
            &format!("/api/v1/cases/{case}/acute-openings"),
            &coordinator.key,
            200,
        )
        .await;
    assert_eq!(seen.as_array().unwrap().len(), 1);
    assert_eq!(seen[0]["user_id"], on_call.user_id.to_string());
    assert_eq!(seen[0]["opened_by"], "Ansatt on_call");
    assert!(
        seen[0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("Politiet ringte")
    );
    let me = app.sign_in(&coordinator).await;
    let (_, page) = app.page_answer(&format!("/cases/{case}"), &me).await;
    assert!(page.contains("Akuttlisten er åpnet av noen som ikke er tildelt saken"));
    assert!(
        page.contains("Ansatt on_call</strong> (Barnevernvakt)"),
        "who and their role"
    );
    assert!(page.contains("Politiet ringte kl. 02.10"));
    // The on-call staff member cannot see the openings list of the case either.
    app.get_json(&format!("/api/v1/cases/{case}/acute-openings"), k, 404)
        .await;

    // The leader reviews it by the case's reference, without the child's name.
    let leader = app.staff("fjordvik", "leader").await;
    let review = app
        .get_json("/api/v1/acute-openings", &leader.key, 200)
        .await;
    assert_eq!(review["openings"].as_array().unwrap().len(), 1);
    assert_eq!(review["openings"][0]["case_reference"], "2026/0042");
    assert_eq!(review["openings"][0]["open"], true);
    // The case by its reference: no child's name from the case (the reason is the opener's own words).
    assert!(
        !review.to_string().contains("Berg"),
        "no child's name: {review}"
    );
    assert!(review["openings"][0].get("child_first_name").is_none());
    app.get_json("/api/v1/acute-openings", k, 403).await;
    app.get_json("/api/v1/acute-openings", &coordinator.key, 403)
        .await;

    // Twelve hours later by the app's clock it is closed: refused, and the attempt audited.
    app.state.clock.advance(Duration::hours(12));
    let closed = app
        .get(
            &format!("/api/v1/on-call/openings/{opening_id}/acute-list"),
            k,
        )
        .send()
        .await
        .unwrap();
    expect_problem(closed, 409, "acute-opening-closed").await;
    let reads = audited(&app, &on_call, "acute.read");
    assert_eq!(reads.last().unwrap().0, "denied");
    let review = app
        .get_json("/api/v1/acute-openings", &leader.key, 200)
        .await;
    assert_eq!(review["openings"][0]["open"], false);
    let mine = app.get_json("/api/v1/on-call/openings", k, 200).await;
    assert_eq!(mine, json!([]), "no longer among the open ones");
    let night = app.sign_in(&on_call).await;
    let (status, page) = app
        .page_answer(&format!("/on-call/openings/{opening_id}"), &night)
        .await;
    assert_eq!(status.as_u16(), 410);
    assert!(page.contains("Akuttlisten er lukket"), "{page}");
    assert!(page.contains("ny begrunnelse"));
}

#[tokio::test]
async fn a_caseworker_not_assigned_opens_with_a_reason_and_nobody_reads_under_anothers_opening() {
    let app = TestApp::spawn().await;
    let (_, case) = service_with_case(&app, "fjordvik").await;
    let caseworker = app.staff("fjordvik", "caseworker").await;
    app.get_json(&format!("/api/v1/cases/{case}"), &caseworker.key, 404)
        .await;
    let opening = app
        .post_json(
            "/api/v1/on-call/openings",
            &caseworker.key,
            json!({ "case_id": case, "reason": "Skolen ringte etter stengetid." }),
            201,
        )
        .await;
    assert_eq!(opening["role"], "caseworker");
    let path = format!(
        "/api/v1/on-call/openings/{}/acute-list",
        opening["id"].as_str().unwrap()
    );
    app.get_json(&path, &caseworker.key, 200).await;
    let other = app.staff("fjordvik", "on_call").await;
    app.get_json(&path, &other.key, 404).await;
    // Coordinators and leaders do not open acute lists of cases they are not assigned.
    for role in ["coordinator", "leader"] {
        let someone = app.staff("fjordvik", role).await;
        let res = app
            .post("/api/v1/on-call/openings", &someone.key)
            .json(&json!({ "case_id": case, "reason": "Trenger listen" }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 403, "{role}");
    }
}

#[tokio::test]
async fn another_services_case_is_not_found() {
    let app = TestApp::spawn().await;
    let (_, case) = service_with_case(&app, "alpha").await;
    app.create_tenant("beta", &["4625"]).await;
    let on_call = app.staff("beta", "on_call").await;
    let found = app
        .get_json("/api/v1/on-call/cases?q=2026%2F0042", &on_call.key, 200)
        .await;
    assert_eq!(found["cases"], json!([]));
    let res = app
        .post("/api/v1/on-call/openings", &on_call.key)
        .json(&json!({ "case_id": case, "reason": "Politiet ringte" }))
        .send()
        .await
        .unwrap();
    expect_problem(res, 404, "not-found").await;
    assert_eq!(openings(&app, &on_call), 0);
    let attempts = audited(&app, &on_call, "acute.open");
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].0, "denied");
}

#[tokio::test]
async fn the_pages_find_a_case_refuse_a_missing_reason_and_show_the_list() {
    let app = TestApp::spawn().await;
    let (_, case) = service_with_case(&app, "fjordvik").await;
    let on_call = app.staff("fjordvik", "on_call").await;
    let me = app.sign_in(&on_call).await;
    let get = |path: String| {
        let request = app.page(&path, &me);
        async move { answer(request.send().await.unwrap()).await }
    };
    let (status, home) = get("/".into()).await;
    assert_eq!(status.as_u16(), 200);
    assert!(home.contains("href=\"/on-call\""));
    assert!(
        !home.contains("href=\"/cases\""),
        "no case list in the navigation"
    );
    let (status, _) = get("/cases".into()).await;
    assert_eq!(status.as_u16(), 403);

    let (_, found) = get("/on-call?q=Nora+Berg".into()).await;
    assert!(found.contains("Nora Berg"));
    assert!(found.contains("09.03.2015"));
    assert!(found.contains(&format!("/on-call/cases/{case}")));
    let (status, short) = get("/on-call?q=N".into()).await;
    assert_eq!(status.as_u16(), 422);
    assert!(short.contains("Skriv sakens referanse eller minst to bokstaver"));

    let (status, page) = app
        .form_answer(
            &format!("/on-call/cases/{case}"),
            &me,
            &[("reason", ""), ("call_reference", "BV-312")],
        )
        .await;
    assert_eq!(status.as_u16(), 422);
    assert!(page.contains("Skriv hvorfor du trenger akuttlisten nå."));
    assert!(page.contains("value=\"BV-312\""), "what was typed is kept");
    assert_eq!(openings(&app, &on_call), 0);

    let location = app
        .submit(
            &format!("/on-call/cases/{case}"),
            &me,
            &[("reason", "Mor er innlagt i natt."), ("call_reference", "")],
        )
        .await;
    assert!(location.starts_with("/on-call/openings/"), "{location}");
    let (status, list) = get(location).await;
    assert_eq!(status.as_u16(), 200);
    assert!(list.contains("Akuttliste for Nora"));
    assert!(list.contains("<a href=\"tel:+4791234567\">912 34 567</a>"));
    assert!(list.contains("Hverdager etter 16, helg hele døgnet"));
    assert!(list.contains("ellers beredskapshjem"));
    assert!(!list.contains("Lærer Lise"), "only who can step in");
    let (_, again) = get("/on-call".into()).await;
    assert!(again.contains("Dine åpne akuttlister") && again.contains("2026/0042"));
}

#[tokio::test]
async fn the_review_list_pages_newest_first() {
    let app = TestApp::spawn().await;
    let (_, case) = service_with_case(&app, "fjordvik").await;
    let on_call = app.staff("fjordvik", "on_call").await;
    for n in 0..51 {
        app.post_json(
            "/api/v1/on-call/openings",
            &on_call.key,
            json!({ "case_id": case, "reason": format!("Henvendelse {n}") }),
            201,
        )
        .await;
    }
    let admin = app.staff("fjordvik", "tenant_admin").await;
    let first = app
        .get_json("/api/v1/acute-openings", &admin.key, 200)
        .await;
    assert_eq!(first["openings"].as_array().unwrap().len(), 50);
    assert_eq!(first["more"], true);
    assert_eq!(
        first["openings"][0]["reason"], "Henvendelse 50",
        "newest first"
    );
    let second = json_of(
        app.get("/api/v1/acute-openings?page=2", &admin.key)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(second["openings"][0]["reason"], "Henvendelse 0");
    assert_eq!(second["more"], false);
    let me = app.sign_in(&admin).await;
    let (status, page) = app.page_answer("/acute-openings", &me).await;
    assert_eq!(status.as_u16(), 200);
    assert!(page.contains("Åpninger av akuttlister") && page.contains("2026/0042"));
    assert!(page.contains("rel=\"next\" href=\"/acute-openings?page=2\""));
    assert!(!page.contains("Nora"), "the case by its reference only");
}

#[tokio::test]
async fn the_openapi_document_describes_on_call_access_and_its_refusal() {
    let app = TestApp::spawn().await;
    let doc = json_of(
        app.client
            .get(format!("{}/api/v1/openapi.json", app.address))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/on-call/cases", "get"),
        ("/api/v1/on-call/openings", "post"),
        ("/api/v1/on-call/openings", "get"),
        ("/api/v1/on-call/openings/{id}/acute-list", "get"),
        ("/api/v1/acute-openings", "get"),
        ("/api/v1/cases/{id}/acute-openings", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing"
        );
    }
    let description = doc["info"]["description"].as_str().unwrap();
    assert!(description.contains("urn:tillit:problem:acute-opening-closed"));
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for schema in [
        "OpeningRequest",
        "OpeningView",
        "OpenedAcuteList",
        "CaseChoice",
    ] {
        assert!(schemas.contains_key(schema), "{schema} missing");
    }
}

#[tokio::test]
async fn when_a_person_can_be_reached_and_where_the_child_can_go_are_kept_in_the_history_and_the_forms()
 {
    let app = TestApp::spawn().await;
    let (coordinator, case) = service_with_case(&app, "fjordvik").await;
    let k = &coordinator.key;
    let base = format!("/api/v1/cases/{case}");
    app.post_json(
        &format!("{base}/revisions"),
        k,
        json!({ "child_participated": false }),
        201,
    )
    .await;
    let persons = app.get_json(&format!("{base}/persons"), k, 200).await;
    let hilde = persons
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Tante Hilde")
        .expect("Hilde")
        .clone();
    let changed = json!({
        "name": "Tante Hilde", "relation": "mors søster", "category": "near_family",
        "lineage": "maternal", "closeness": "close", "quality": "supportive",
        "can_step_in": true, "step_in_how": "Kan hente og ha Nora noen netter",
        "can_take_child": false, "reachable_when": "Bare etter kl. 18",
        "phone": "91234567",
    });
    app.put_json(
        &format!("{base}/persons/{}", hilde["id"].as_str().unwrap()),
        k,
        changed,
        200,
    )
    .await;
    let diff = app
        .get_json(&format!("{base}/changes?from=1"), k, 200)
        .await;
    let fields: Vec<&str> = diff["changed"][0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["reachable_when", "can_take_child"], "{diff}");
    assert_eq!(
        diff["changed"][0]["changes"][0]["from"],
        "Hverdager etter 16, helg hele døgnet"
    );

    // The case page's forms: the person form shows what is recorded, and the status form keeps
    // the note on where the child can go.
    let me = app.sign_in(&coordinator).await;
    let (_, form) = app
        .page_answer(
            &format!("/cases/{case}/persons/{}", hilde["id"].as_str().unwrap()),
            &me,
        )
        .await;
    assert!(form.contains("Når personen kan nås") && form.contains("value=\"Bare etter kl. 18\""));
    assert!(form.contains("Kan ta imot barnet på kort varsel"));
    app.submit(
        &format!("/cases/{case}/status"),
        &me,
        &[
            ("phase", "investigation"),
            ("where_child_can_go", "Hos mormor i Lia."),
        ],
    )
    .await;
    let view = app.get_json(&base, k, 200).await;
    assert_eq!(view["where_child_can_go"], "Hos mormor i Lia.");
    let (_, acute) = app.page_answer(&format!("/cases/{case}/acute"), &me).await;
    assert!(acute.contains("Hos mormor i Lia.") && acute.contains("Bare etter kl. 18"));
}

#[tokio::test]
async fn the_assigned_staff_get_a_neutral_email_that_the_acute_list_was_opened() {
    use common::jobs::{Workers, fast_jobs, no_quiet_hours};
    use common::services::SmtpSink;
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(&fast_jobs(&sink)).await;
    let (coordinator, case) = service_with_case(&app, "fjordvik").await;
    let on_call = app.staff("fjordvik", "on_call").await;
    no_quiet_hours(&app, coordinator.tenant);
    app.post_json(
        "/api/v1/on-call/openings",
        &on_call.key,
        json!({ "case_id": case, "reason": "Politiet ringte om Nora Berg." }),
        201,
    )
    .await;
    let workers = Workers::start(&app);
    sink.wait_for(1, std::time::Duration::from_secs(30)).await;
    workers.stop().await;
    let messages = sink.messages_but_setup();
    assert_eq!(messages.len(), 1, "the one staff member assigned");
    let message = &messages[0];
    assert!(message.to().starts_with("coordinator-"), "{}", message.to());
    let everything = message.everything();
    assert!(
        everything.contains(&format!("/cases/{case}")),
        "a link to the case"
    );
    for secret in [
        "Nora",
        "Berg",
        "2026/0042",
        "Politiet",
        "Ansatt on_call",
        "akutt",
    ] {
        assert!(
            !everything.contains(secret),
            "neutral: {secret} in {everything}"
        );
    }
}

/// An opening in the service's quiet hours (the night, as on-call work is): the neutral notice
/// to the case's staff waits for them to end, and the answer and the page say when it goes out;
/// outside them nothing is said, for it goes at once.
#[tokio::test]
async fn the_opening_says_when_the_notice_held_by_quiet_hours_goes_out() {
    let app = TestApp::spawn().await;
    let (coordinator, case) = service_with_case(&app, "fjordvik").await;
    let on_call = app.staff("fjordvik", "on_call").await;
    let hour = i16::try_from(chrono::Timelike::hour(
        &chrono::Utc::now().with_timezone(&chrono_tz::Europe::Oslo),
    ))
    .unwrap();
    let end = (hour + 2) % 24;
    common::jobs::set_quiet_hours(&app, coordinator.tenant, hour, end);
    let opening = app
        .post_json(
            "/api/v1/on-call/openings",
            &on_call.key,
            json!({ "case_id": case, "reason": "Politiet ringte i natt." }),
            201,
        )
        .await;
    let goes_out = chrono::DateTime::parse_from_rfc3339(
        opening["notice_goes_out_at"]
            .as_str()
            .unwrap_or_else(|| panic!("held: {opening}")),
    )
    .unwrap();
    let local = goes_out.with_timezone(&chrono_tz::Europe::Oslo);
    assert_eq!(
        (
            chrono::Timelike::hour(&local),
            chrono::Timelike::minute(&local)
        ),
        (u32::try_from(end).unwrap(), 0),
        "when the quiet hours end: {opening}"
    );
    assert!(goes_out > chrono::Utc::now(), "ahead: {opening}");

    let me = app.sign_in(&on_call).await;
    let page_path = format!("/on-call/openings/{}", opening["id"].as_str().unwrap());
    let (status, page) = app.page_answer(&page_path, &me).await;
    assert_eq!(status, 200, "{page}");
    let said = format!(
        "Stille timer: varselet til dem som har saken, sendes {}.",
        local.format("%d.%m.%Y kl. %H:%M")
    );
    assert!(page.contains(&said), "{said} in {page}");

    // Outside the quiet hours the notice is on its way: nothing to say.
    common::jobs::no_quiet_hours(&app, coordinator.tenant);
    let mine = app
        .get_json("/api/v1/on-call/openings", &on_call.key, 200)
        .await;
    assert_eq!(mine[0]["notice_goes_out_at"], Value::Null, "{mine}");
    let (_, page) = app.page_answer(&page_path, &me).await;
    assert!(!page.contains("Stille timer"), "{page}");
}
