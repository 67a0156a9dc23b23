//! Foster-home recruitment over HTTP against real PostgreSQL, Redis and SMTP: a referral through
//! the family group conference to the family's plan of three ranked homes, home 1 answering no
//! and home 2 yes through the links from the outbox, its self-information form saved, reminded
//! and submitted, interviews, matching and a yes decision; the foster care officer who sees only
//! the recruitment of a case assigned to them; every bad input of the issue refused with nothing
//! written; and a candidate who never sees another home.

use crate::common;

use std::time::Duration;

use common::councils::*;
use common::mail::Mail;
use common::services::SmtpSink;
use common::{TestApp, expect_problem, form_token};
use serde_json::{Value, json};

fn path(s: &Setup, rest: &str) -> String {
    format!("/api/v1/cases/{}/recruitments{rest}", s.case)
}

async fn step(app: &TestApp, s: &Setup, key: &str, id: &str, body: Value) -> reqwest::Response {
    app.post(&path(s, &format!("/{id}/steps")), key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// Takes a step of the recruitment `id`, which must succeed.
async fn step_ok(app: &TestApp, s: &Setup, key: &str, id: &str, body: Value) {
    assert_eq!(step(app, s, key, id, body).await.status(), 200);
}

fn link_in(app: &TestApp, mail: &Mail) -> String {
    let at = mail.text.find("/r/tlr_").expect("the candidate's link");
    let rest = &mail.text[at..];
    let end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
    let link = rest[..end].to_owned();
    assert!(!link.contains(&app.address), "a path");
    link
}

fn assert_neutral(mail: &Mail) {
    let all = format!("{}\n{}", mail.subject, mail.text);
    for word in [
        CHILD_FIRST,
        CHILD_LAST,
        "barnevern",
        "fosterhjem",
        "Mormor",
        "Onkel",
        "Lise",
    ] {
        assert!(
            !all.to_lowercase().contains(&word.to_lowercase()),
            "{word} in {all}"
        );
    }
}

async fn post_form(app: &TestApp, link: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let (cookie, csrf) = form_token(app).await;
    let res = app.link_form(link, &cookie, &csrf, fields).await;
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

async fn page(app: &TestApp, link: &str) -> (u16, String) {
    let res = app.client.get(app.url(link)).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

const FORM: [(&str, &str); 8] = [
    ("household", "Vi er to voksne"),
    ("housing", "Enebolig med eget rom"),
    ("work", "Sykepleier"),
    ("health", "God"),
    ("experience", "Egne barn"),
    ("motivation", "Vi kjenner henne godt"),
    ("relation", "Onkel"),
    ("support", "Avlastning"),
];

#[tokio::test]
async fn a_referral_goes_through_the_family_group_conference_to_a_yes_decision() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(&fast_jobs(&sink)).await;
    let s = setup(&app, "fjordvik", json!({"birth_year": 2016})).await;
    let key = s.staff.key.clone();

    // The foster care officer, not yet assigned: the case's recruitment is not found.
    let officer = app.staff("fjordvik", "foster_care").await;
    let res = app.get(&path(&s, ""), &officer.key).send().await.unwrap();
    assert_eq!(res.status(), 404);

    // The referral; a second one while it is open is refused.
    let r = app
        .post_json(
            &path(&s, ""),
            &key,
            json!({"reason": "Mor klarer ikke omsorgen nå", "urgency": "urgent",
                   "fgc_wished": true, "service": "municipal"}),
            201,
        )
        .await;
    let id = r["id"].as_str().unwrap().to_owned();
    assert_eq!(r["state"], "referral");
    assert_eq!(r["tasks"][1]["status"], "next");
    expect_problem(
        app.post(&path(&s, ""), &key)
            .json(&json!({"reason": "Igjen"}))
            .send()
            .await
            .unwrap(),
        409,
        "recruitment-open",
    )
    .await;
    // A referral without a reason is refused at its field.
    let res = app
        .post(&path(&s, ""), &key)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);

    // Assigned to the case, the officer sees the recruitment, and nothing else of the case.
    app.post_json(
        &format!("/api/v1/cases/{}/assignments", s.case),
        &key,
        json!({"user_id": officer.user_id}),
        200,
    )
    .await;
    app.get_json(&path(&s, &format!("/{id}")), &officer.key, 200)
        .await;
    for other in [
        format!("/api/v1/cases/{}", s.case),
        format!("/api/v1/cases/{}/persons", s.case),
    ] {
        let res = app.get(&other, &officer.key).send().await.unwrap();
        assert_eq!(res.status(), 404, "{other}");
    }
    // The officer does not refer.
    let res = app
        .post(&path(&s, ""), &officer.key)
        .json(&json!({"reason": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    // Out of order: the conference before the information meeting.
    let fgc = s.council(&app, "family_group_conference").await;
    expect_problem(
        step(
            &app,
            &s,
            &key,
            &id,
            json!({"step": "fgc_meeting", "council_id": fgc}),
        )
        .await,
        409,
        "recruitment-step-out-of-order",
    )
    .await;
    for body in [
        json!({"step": "started"}),
        json!({"step": "info_meeting", "note": "Familien informert"}),
    ] {
        step_ok(&app, &s, &key, &id, body).await;
    }
    // The conference must be a family group conference of this case.
    let network = s.council(&app, "network_council").await;
    expect_problem(
        step(
            &app,
            &s,
            &key,
            &id,
            json!({"step": "fgc_meeting", "council_id": network}),
        )
        .await,
        409,
        "not-family-group-conference",
    )
    .await;
    step_ok(
        &app,
        &s,
        &key,
        &id,
        json!({"step": "fgc_meeting", "council_id": fgc}),
    )
    .await;
    // Candidates only after the clarification meeting.
    let add = |persons: Value| {
        let app = &app;
        let url = path(&s, &format!("/{id}/candidates"));
        let key = key.clone();
        async move {
            app.post(&url, &key)
                .json(&json!({"person_ids": persons}))
                .send()
                .await
                .unwrap()
        }
    };
    expect_problem(
        add(json!([s.persons[0]])).await,
        409,
        "recruitment-step-out-of-order",
    )
    .await;
    let r: Value = common::json_of(
        step(
            &app,
            &s,
            &officer.key,
            &id,
            json!({"step": "clarification_meeting"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(r["state"], "clarification_meeting");
    assert_eq!(r["council_id"], fgc.as_str());
    let done_by: Vec<&Value> = r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["done_by"])
        .collect();
    assert_eq!(
        done_by.last().unwrap().as_str(),
        Some(officer.user_id.to_string().as_str()),
        "who did it"
    );

    // The family's plan: three homes ranked 1, 2, 3; a person ranked twice is refused.
    for p in &s.persons {
        assert_eq!(add(json!([p])).await.status(), 201);
    }
    expect_problem(
        add(json!([s.persons[1]])).await,
        409,
        "person-already-ranked",
    )
    .await;
    assert_eq!(add(json!([s.persons[0], s.persons[0]])).await.status(), 422);
    let r = app.get_json(&path(&s, &format!("/{id}")), &key, 200).await;
    let ranks: Vec<i64> = r["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["rank"].as_i64().unwrap())
        .collect();
    assert_eq!(ranks, vec![1, 2, 3]);
    let candidates: Vec<String> = r["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    // A decision before anyone answered is refused, nothing written.
    expect_problem(
        step(
            &app,
            &s,
            &key,
            &id,
            json!({"step": "decision", "decision": "yes", "note": "Bra"}),
        )
        .await,
        409,
        "recruitment-step-out-of-order",
    )
    .await;
    step_ok(&app, &s, &key, &id, json!({"step": "family_plan"})).await;

    // Each home gets its own neutral link.
    let workers = Workers::start(&app);
    let mails = sink.wait_for(1 + 3, Duration::from_secs(30)).await;
    let to = |addr: &str| {
        mails
            .iter()
            .find(|m| m.to() == addr)
            .unwrap_or_else(|| panic!("mail to {addr}"))
    };
    let (m1, m2, m3) = (
        to("mormor@example.no"),
        to("per@example.no"),
        to("lise@skole.example"),
    );
    for m in [m1, m2, m3] {
        assert_neutral(m);
    }
    let (l1, l2, l3) = (link_in(&app, m1), link_in(&app, m2), link_in(&app, m3));
    assert!(l1 != l2 && l2 != l3);

    // Home 1 says no, home 2 yes.
    assert_eq!(post_form(&app, &l1, &[("answer", "no")]).await.0, 303);
    let (status, html) = post_form(&app, &l2, &[("answer", "bogus")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("Velg ja, nei eller tja."));
    assert_eq!(post_form(&app, &l2, &[("answer", "yes")]).await.0, 303);

    // Candidate 2 sees their own answer and form, never another home, the ranking or the child.
    let (status, html) = page(&app, &l2).await;
    assert_eq!(status, 200);
    assert!(html.contains("Egeninformasjon"), "the form");
    for hidden in [
        "Mormor",
        "Lise",
        "Onkel Per",
        CHILD_FIRST,
        "Rangering",
        "rank",
    ] {
        assert!(!html.contains(hidden), "candidate 2 sees {hidden}");
    }
    // The form's link came by email, neutral.
    let mails = sink.wait_for(1 + 3 + 1, Duration::from_secs(30)).await;
    let form_mail = mails
        .iter()
        .filter(|m| m.to() == "per@example.no")
        .nth(1)
        .expect("the form's link");
    assert_neutral(form_mail);
    assert_eq!(link_in(&app, form_mail), l2);

    // Interviews before the form is submitted, a decision before matching: refused.
    expect_problem(
        step(&app, &s, &officer.key, &id, json!({"step": "interviews"})).await,
        409,
        "recruitment-step-out-of-order",
    )
    .await;

    // The draft is saved by each POST; GET never writes; the form is reminded once.
    let form_link = format!("{l2}/form");
    let (status, _) = post_form(
        &app,
        &form_link,
        &[("action", "save"), ("housing", "Enebolig")],
    )
    .await;
    assert_eq!(status, 303);
    let (_, html) = page(&app, &l2).await;
    assert!(html.contains("Enebolig"), "the draft");
    let r = app.get_json(&path(&s, &format!("/{id}")), &key, 200).await;
    assert_eq!(r["candidates"][1]["form"], "draft");
    make_due(&app, "self_information_reminder");
    let mails = sink.wait_for(1 + 3 + 1 + 1, Duration::from_secs(30)).await;
    let reminder = mails
        .iter()
        .filter(|m| m.to() == "per@example.no")
        .nth(2)
        .expect("the reminder");
    assert_neutral(reminder);
    assert!(reminder.subject.contains("Påminnelse"));

    // Submitting with empty fields is refused at the fields, what was typed kept.
    let (status, html) = post_form(
        &app,
        &form_link,
        &[("action", "submit"), ("housing", "Enebolig med hage")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("Fyll ut feltet."));
    assert!(html.contains("Enebolig med hage"));
    let mut fields: Vec<(&str, &str)> = vec![("action", "submit")];
    fields.extend_from_slice(&FORM);
    assert_eq!(post_form(&app, &form_link, &fields).await.0, 303);
    // After submission: read-only, and a new POST refused.
    let (status, html) = post_form(
        &app,
        &form_link,
        &[("action", "save"), ("housing", "Leilighet")],
    )
    .await;
    assert_eq!(status, 409);
    assert!(html.contains("Skjemaet er sendt inn og kan ikke endres."));
    let c2 = &candidates[1];
    let form = app
        .get_json(
            &path(&s, &format!("/{id}/candidates/{c2}/form")),
            &officer.key,
            200,
        )
        .await;
    assert_eq!(form["content"]["housing"], "Enebolig med eget rom");
    assert_eq!(form["version"], 1);
    assert_eq!(form["reminders_sent"], 1);
    assert!(
        crate::access::audit_actions(&app, s.tenant)
            .iter()
            .any(|(a, _)| a == "recruitment.form.read"),
        "the read is audited"
    );

    // Interviews, then a decision before matching is refused, then matching and the decision.
    step_ok(
        &app,
        &s,
        &officer.key,
        &id,
        json!({"step": "interviews", "note": "Tilknytningssamtale og hjemmebesøk"}),
    )
    .await;
    expect_problem(
        step(
            &app,
            &s,
            &key,
            &id,
            json!({"step": "decision", "decision": "yes", "note": "Godt egnet"}),
        )
        .await,
        409,
        "decision-before-matching",
    )
    .await;
    step_ok(
        &app,
        &s,
        &officer.key,
        &id,
        json!({"step": "matching", "note": "Drøftet mot barnets behov"}),
    )
    .await;
    // The officer does not decide; a decision without its reason is refused.
    assert_eq!(
        step(
            &app,
            &s,
            &officer.key,
            &id,
            json!({"step": "decision", "decision": "yes", "note": "x"})
        )
        .await
        .status(),
        403
    );
    assert_eq!(
        step(
            &app,
            &s,
            &key,
            &id,
            json!({"step": "decision", "decision": "yes"})
        )
        .await
        .status(),
        422
    );
    let r: Value = common::json_of(
        step(
            &app,
            &s,
            &key,
            &id,
            json!({"step": "decision", "decision": "yes", "note": "Godt egnet, kjenner barnet"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(r["candidates"][1]["decision"], "yes");
    let r: Value = common::json_of(
        step(&app, &s, &key, &id, json!({"step": "intake"})).await,
        200,
    )
    .await;
    assert_eq!(r["state"], "intake");
    assert!(
        r["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["status"] == "done"
                || t["step"] == "answer"
                || t["step"] == "self_information"),
        "{}",
        r["tasks"]
    );

    // Home 3 never answered; its page still shows nothing of the others.
    let (status, html) = page(&app, &l3).await;
    assert_eq!(status, 200);
    for hidden in ["Mormor", "Onkel", CHILD_FIRST] {
        assert!(!html.contains(hidden), "candidate 3 sees {hidden}");
    }
    // A link that is not one gets the neutral page.
    let (status, _) = page(&app, "/r/tlr_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!(status, 404);

    // The staff page shows the flow as a task list.
    let signed = app.sign_in(&s.staff).await;
    let res = app
        .page(&format!("/cases/{}/recruitments/{id}", s.case), &signed)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("Familiens plan") && html.contains("Fullført"));
    workers.stop().await;
}

#[tokio::test]
async fn an_officer_of_another_case_or_service_finds_nothing_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "fjordvik", json!({"birth_year": 2016})).await;
    let r = app
        .post_json(
            &path(&s, ""),
            &s.staff.key,
            json!({"reason": "Trenger et hjem"}),
            201,
        )
        .await;
    let id = r["id"].as_str().unwrap();
    let officer = app.staff("fjordvik", "foster_care").await;
    let res = app
        .get(&path(&s, &format!("/{id}")), &officer.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = step(&app, &s, &officer.key, id, json!({"step": "started"})).await;
    assert_eq!(res.status(), 404);
    let other = setup(&app, "havbu", json!({"birth_year": 2015})).await;
    let res = app
        .get(&path(&s, &format!("/{id}")), &other.staff.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let r = app
        .get_json(&path(&s, &format!("/{id}")), &s.staff.key, 200)
        .await;
    assert_eq!(r["state"], "referral", "nothing written");
    assert_eq!(r["steps"].as_array().unwrap().len(), 1);
}

/// The candidate's own link, as the job that emails it derives it.
fn candidate_link(app: &TestApp, candidate: &str) -> String {
    let id: uuid::Uuid = candidate.parse().unwrap();
    let token = tillit::tokens::LinkToken::<tillit::tokens::CandidateLink>::derive(
        &app.state.settings.token_key(),
        id,
    );
    format!("/r/{}", token.as_str())
}

/// A page of `who`'s and its HTML.
async fn staff_page(app: &TestApp, path: &str, who: &common::SignedIn) -> (u16, String) {
    let res = app.page(path, who).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

/// A form of a staff page posted: the status and the redirect's target or the page.
async fn staff_post(
    app: &TestApp,
    path: &str,
    who: &common::SignedIn,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let (status, body) = app.form_answer(path, who, fields).await;
    (status.as_u16(), body)
}

#[tokio::test]
async fn the_staff_page_records_every_step_with_each_mistake_at_its_field() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "fjordvik", json!({"birth_year": 2016})).await;
    let coordinator = app.sign_in(&s.staff).await;
    let case = s.case.clone();

    // The case page leads to the recruitments, where the referral starts.
    let (_, html) = staff_page(&app, &format!("/cases/{case}"), &coordinator).await;
    assert!(html.contains(&format!("/cases/{case}/recruitments\"")));
    let list = format!("/cases/{case}/recruitments");
    let (status, html) = staff_page(&app, &list, &coordinator).await;
    assert_eq!(status, 200);
    assert!(html.contains("Henvis til fosterhjemstjenesten"));

    // A referral without its reason: at the field, in Norwegian, the choices kept.
    let (status, html) = staff_post(
        &app,
        &list,
        &coordinator,
        &[
            ("reason", " "),
            ("urgency", "urgent"),
            ("fgc_wished", "yes"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("id=\"referral-reason-error\">Fyll ut feltet."),
        "{html}"
    );
    assert!(html.contains("<option value=\"urgent\" selected>"));
    assert!(html.contains("name=\"fgc_wished\" type=\"checkbox\" value=\"yes\" checked"));
    let (status, to) = staff_post(
        &app,
        &list,
        &coordinator,
        &[
            ("reason", "Mor klarer ikke omsorgen nå"),
            ("urgency", "urgent"),
            ("service", "municipal"),
            ("fgc_wished", "yes"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{to}");
    let id = to
        .strip_prefix(&format!("/cases/{case}/recruitments/"))
        .and_then(|rest| rest.split('?').next())
        .expect("the recruitment's page")
        .to_owned();
    let base = format!("/cases/{case}/recruitments/{id}");
    let (_, html) = staff_page(&app, &list, &coordinator).await;
    assert!(html.contains(&base), "listed");
    assert!(
        !html.contains("Henvis til fosterhjemstjenesten"),
        "one open at a time"
    );

    // Each step's form saves and returns to its section.
    let (status, to) = staff_post(&app, &format!("{base}/started"), &coordinator, &[]).await;
    assert_eq!(
        (status, to.as_str()),
        (303, format!("{base}?done=started#task-started").as_str())
    );
    let (_, html) = staff_page(&app, &to, &coordinator).await;
    assert!(html.contains("Lagret."));
    // A day that is no date: at its field, the note kept; nothing written.
    let (status, html) = staff_post(
        &app,
        &format!("{base}/info_meeting"),
        &coordinator,
        &[("done_on", "i går"), ("note", "Familien informert")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("id=\"info_meeting-done-on-error\">Velg en dato."),
        "{html}"
    );
    assert!(html.contains(">Familien informert</textarea>"));
    let r = app
        .get_json(&path(&s, &format!("/{id}")), &s.staff.key, 200)
        .await;
    assert_eq!(r["state"], "started", "nothing written");
    let (status, _) = staff_post(
        &app,
        &format!("{base}/info_meeting"),
        &coordinator,
        &[("done_on", "2026-11-30"), ("note", "Familien informert")],
    )
    .await;
    assert_eq!(status, 303);

    // The conference: chosen from the case's family group conferences; none chosen is named at
    // the field, another kind of council is refused with the rule's sentence.
    let fgc = s.council(&app, "family_group_conference").await;
    let network = s.council(&app, "network_council").await;
    let conference = format!("{base}/fgc_meeting");
    let (status, html) = staff_page(&app, &base, &coordinator).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("<option value=\"{fgc}\"")));
    assert!(!html.contains(&format!("<option value=\"{network}\"")));
    let (status, html) = staff_post(
        &app,
        &conference,
        &coordinator,
        &[("note", "Hvor kan barnet bo?")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("id=\"fgc_meeting-council-error\">Fyll ut feltet."),
        "{html}"
    );
    assert!(html.contains(">Hvor kan barnet bo?</textarea>"));
    let (status, html) = staff_post(
        &app,
        &conference,
        &coordinator,
        &[("council_id", network.as_str())],
    )
    .await;
    assert_eq!(status, 409);
    assert!(html.contains("class=\"error-summary\""), "{html}");
    let (status, _) = staff_post(
        &app,
        &conference,
        &coordinator,
        &[("council_id", fgc.as_str())],
    )
    .await;
    assert_eq!(status, 303);
    let (_, html) = staff_page(&app, &base, &coordinator).await;
    assert!(
        html.contains(&format!("/cases/{case}/councils/{fgc}")),
        "the conference linked"
    );
    let (status, _) = staff_post(
        &app,
        &format!("{base}/clarification_meeting"),
        &coordinator,
        &[],
    )
    .await;
    assert_eq!(status, 303);

    // The family's plan: a home from the map, a person ranked twice refused, a new person who
    // joins the map with a mistake first.
    let add = format!("{base}/candidate");
    let (status, to) = staff_post(
        &app,
        &add,
        &coordinator,
        &[("person_1", s.persons[1].as_str())],
    )
    .await;
    assert_eq!(
        (status, to.as_str()),
        (303, format!("{base}?done=candidate#plan").as_str())
    );
    let (status, html) = staff_post(
        &app,
        &add,
        &coordinator,
        &[
            ("person_1", s.persons[0].as_str()),
            ("person_2", s.persons[1].as_str()),
        ],
    )
    .await;
    assert_eq!(status, 409);
    assert!(
        html.contains("Denne personen er allerede med i familiens plan."),
        "{html}"
    );
    let (status, html) = staff_post(&app, &add, &coordinator, &[("person_1", "")]).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("id=\"candidate-person-1-error\""));
    let new = format!("{base}/new_person");
    let (status, html) = staff_post(
        &app,
        &new,
        &coordinator,
        &[
            ("name", ""),
            ("relation", "tante"),
            ("category", "near_family"),
            ("closeness", "close"),
            ("quality", "supportive"),
            ("email", "eva@example"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("id=\"new-name-error\">Fyll ut feltet."),
        "{html}"
    );
    assert!(html.contains("id=\"new-email-error\""), "{html}");
    assert!(html.contains("value=\"tante\""), "what was typed is kept");
    let persons = app
        .get_json(&format!("/api/v1/cases/{case}/persons"), &s.staff.key, 200)
        .await;
    assert_eq!(persons.as_array().unwrap().len(), 3, "nothing written");
    let (status, to) = staff_post(
        &app,
        &new,
        &coordinator,
        &[
            ("name", "Tante Eva"),
            ("relation", "tante"),
            ("category", "other_parent_family"),
            ("closeness", "close"),
            ("quality", "supportive"),
            ("email", "eva@example.no"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{to}");
    let persons = app
        .get_json(&format!("/api/v1/cases/{case}/persons"), &s.staff.key, 200)
        .await;
    assert_eq!(persons.as_array().unwrap().len(), 4, "she joins the map");
    let r = app
        .get_json(&path(&s, &format!("/{id}")), &s.staff.key, 200)
        .await;
    assert_eq!(r["candidates"][1]["persons"][0]["name"], "Tante Eva");
    assert_eq!(r["candidates"][1]["rank"], 2);
    let (status, _) = staff_post(&app, &format!("{base}/family_plan"), &coordinator, &[]).await;
    assert_eq!(status, 303);

    // Home 1 says no, home 2 yes and submits its form through its link.
    let c1 = r["candidates"][0]["id"].as_str().unwrap().to_owned();
    let c2 = r["candidates"][1]["id"].as_str().unwrap().to_owned();
    let (l1, l2) = (candidate_link(&app, &c1), candidate_link(&app, &c2));
    assert_eq!(post_form(&app, &l1, &[("answer", "no")]).await.0, 303);
    assert_eq!(post_form(&app, &l2, &[("answer", "yes")]).await.0, 303);
    let mut fields: Vec<(&str, &str)> = vec![("action", "submit")];
    fields.extend_from_slice(&FORM);
    assert_eq!(post_form(&app, &format!("{l2}/form"), &fields).await.0, 303);

    // The foster care officer records the interviews and the matching; the decision is not theirs.
    let officer = app.staff("fjordvik", "foster_care").await;
    app.post_json(
        &format!("/api/v1/cases/{case}/assignments"),
        &s.staff.key,
        json!({"user_id": officer.user_id}),
        200,
    )
    .await;
    let signed_officer = app.sign_in(&officer).await;
    let (status, html) = staff_page(&app, &base, &signed_officer).await;
    assert_eq!(status, 200);
    // The officer's list of the case's recruitments leads nowhere else in the case.
    let (status, list_html) = staff_page(&app, &list, &signed_officer).await;
    assert_eq!(status, 200);
    assert!(list_html.contains(&base));
    assert!(!list_html.contains(&format!("href=\"/cases/{case}\"")));
    assert!(!list_html.contains("Henvis til fosterhjemstjenesten"));
    // The officer reads the submitted form before the interviews; the read is audited.
    let form_page = format!("{base}/candidates/{c2}/form");
    assert!(html.contains(&format!("href=\"{form_page}\"")), "{html}");
    let (status, form_html) = staff_page(&app, &form_page, &signed_officer).await;
    assert_eq!(status, 200);
    assert!(form_html.contains("Enebolig med eget rom") && form_html.contains("versjon 1"));
    assert!(
        crate::access::audit_actions(&app, s.tenant)
            .iter()
            .any(|(a, _)| a == "recruitment.form.read")
    );
    assert!(
        html.contains("Gjelder hjem nr. <strong>2. Tante Eva</strong>"),
        "{html}"
    );
    for step in ["interviews", "matching"] {
        let (status, to) = staff_post(
            &app,
            &format!("{base}/{step}"),
            &signed_officer,
            &[("note", "Gjennomført")],
        )
        .await;
        assert_eq!(status, 303, "{step}: {to}");
    }
    let (_, html) = staff_page(&app, &base, &signed_officer).await;
    assert!(
        !html.contains(&format!("action=\"{base}/decision\"")),
        "not the officer's"
    );

    // The decision: without its choice and reason, each named at its field; then yes.
    let decide = format!("{base}/decision");
    let (_, html) = staff_page(&app, &base, &coordinator).await;
    assert!(html.contains(&format!("action=\"{decide}\"")));
    let (status, html) = staff_post(&app, &decide, &coordinator, &[]).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("id=\"decision-decision-error\">Fyll ut feltet."),
        "{html}"
    );
    assert!(
        html.contains("id=\"decision-note-error\">Fyll ut feltet."),
        "{html}"
    );
    let (status, html) = staff_post(
        &app,
        &decide,
        &coordinator,
        &[("decision", "yes"), ("note", "")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("value=\"yes\" checked"), "the choice is kept");
    let (status, to) = staff_post(
        &app,
        &decide,
        &coordinator,
        &[("decision", "yes"), ("note", "Kjenner barnet godt")],
    )
    .await;
    assert_eq!(
        (status, to.as_str()),
        (303, format!("{base}?done=decision#task-decision").as_str())
    );
    let (status, _) = staff_post(&app, &format!("{base}/intake"), &coordinator, &[]).await;
    assert_eq!(status, 303);
    let r = app
        .get_json(&path(&s, &format!("/{id}")), &s.staff.key, 200)
        .await;
    assert_eq!(r["state"], "intake");
    assert_eq!(r["candidates"][1]["decision"], "yes");
    assert_eq!(r["candidates"][1]["decision_reason"], "Kjenner barnet godt");
    // Every step went through the same audited action as the JSON API.
    let actions = crate::access::audit_actions(&app, s.tenant);
    assert!(
        actions
            .iter()
            .filter(|(a, _)| a == "recruitment.step")
            .count()
            >= 9
    );
    assert!(
        actions
            .iter()
            .any(|(a, _)| a == "recruitment.candidate.add")
    );
}

#[tokio::test]
async fn the_officer_is_reminded_of_the_interviews_and_the_caseworker_of_an_overdue_decision() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(&fast_jobs(&sink)).await;
    let s = setup(&app, "fjordvik", json!({"birth_year": 2016})).await;
    let key = s.staff.key.clone();
    let officer = app.staff("fjordvik", "foster_care").await;
    let caseworker = app.staff("fjordvik", "caseworker").await;
    let officer_email = format!("foster_care-{}@fjordvik.example", officer.user_id.simple());
    let caseworker_email = format!(
        "caseworker-{}@fjordvik.example",
        caseworker.user_id.simple()
    );
    for who in [&officer, &caseworker] {
        app.post_json(
            &format!("/api/v1/cases/{}/assignments", s.case),
            &key,
            json!({"user_id": who.user_id}),
            200,
        )
        .await;
    }
    let id = app
        .post_json(
            &path(&s, ""),
            &key,
            json!({"reason": "Trenger et hjem"}),
            201,
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let fgc = s.council(&app, "family_group_conference").await;
    for body in [
        json!({"step": "started"}),
        json!({"step": "info_meeting"}),
        json!({"step": "fgc_meeting", "council_id": fgc}),
        json!({"step": "clarification_meeting"}),
    ] {
        step_ok(&app, &s, &key, &id, body).await;
    }
    let r = app
        .post_json(
            &path(&s, &format!("/{id}/candidates")),
            &key,
            json!({"person_ids": [s.persons[1]]}),
            201,
        )
        .await;
    let candidate = r["candidates"][0]["id"].as_str().unwrap().to_owned();
    step_ok(&app, &s, &key, &id, json!({"step": "family_plan"})).await;
    let link = candidate_link(&app, &candidate);
    assert_eq!(post_form(&app, &link, &[("answer", "yes")]).await.0, 303);
    let mut fields: Vec<(&str, &str)> = vec![("action", "submit")];
    fields.extend_from_slice(&FORM);
    assert_eq!(
        post_form(&app, &format!("{link}/form"), &fields).await.0,
        303
    );

    // Interviews not recorded when the reminder falls due: the officer is told, neutrally.
    let workers = Workers::start(&app);
    // The admin's account link, then the home's link and its form's link.
    sink.wait_for(3, Duration::from_secs(30)).await;
    make_due(&app, "recruitment_interview_reminder");
    let mails = sink.wait_for(4, Duration::from_secs(30)).await;
    let reminder = mails
        .iter()
        .find(|m| m.to() == officer_email)
        .unwrap_or_else(|| {
            let to: Vec<String> = mails.iter().map(|m| m.to().to_owned()).collect();
            panic!("the officer's reminder: {to:?}")
        });
    assert_neutral(reminder);
    assert!(
        reminder
            .text
            .contains(&format!("/cases/{}/recruitments/{id}", s.case))
    );
    assert!(
        !mails.iter().any(|m| m.to() == caseworker_email),
        "not the caseworker's"
    );

    // Interviews and matching; the decision not made when it falls due: the caseworker is told.
    for body in [json!({"step": "interviews"}), json!({"step": "matching"})] {
        step_ok(&app, &s, &officer.key, &id, body).await;
    }
    make_due(&app, "recruitment_decision_overdue");
    let mails = sink.wait_for(5, Duration::from_secs(30)).await;
    let overdue = mails
        .iter()
        .find(|m| m.to() == caseworker_email)
        .expect("the caseworker's notice");
    assert_neutral(overdue);
    assert!(
        overdue.subject.contains("beslutning"),
        "{}",
        overdue.subject
    );
    assert_eq!(mails.iter().filter(|m| m.to() == officer_email).count(), 1);
    workers.stop().await;
}
