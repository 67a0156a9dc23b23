//! Each person's language: invitations by email and SMS and the answer page in the language of
//! the person they are for (bokmål, nynorsk or English), a nynorsk service's staff pages in
//! nynorsk, a staff member's emails in their own language, the interpreters to book on the
//! preparation checklist and the meeting page, and an unknown language refused at its field.

use crate::common;

use std::time::Duration;

use common::services::{LinkGateway, SmtpSink};
use common::{TestApp, answer, expect_problem};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tillit::db::in_tenant;
use tillit::db::schema::{tenants, users};
use tillit::tenancy::sender::reveals_child_welfare;

use common::councils::*;

async fn spawn(sink: &SmtpSink, gateway: &LinkGateway) -> TestApp {
    let mut settings = fast_jobs(sink);
    settings.extend([
        ("sms_transport", json!("http")),
        ("sms.base_url", json!(gateway.url())),
        ("sms_username", json!(LinkGateway::USER)),
        ("sms_password", json!(LinkGateway::PASSWORD)),
        ("sms_webhook_secret", json!("hook-secret-language")),
        ("sms.platform_partner_id", json!("4711")),
        ("sms.delivery_report_gate", json!("tillit-gate")),
    ]);
    TestApp::spawn_with(&settings).await
}

async fn add(app: &TestApp, s: &mut Setup, person: Value) -> Value {
    let added = app
        .post_json(
            &format!("/api/v1/cases/{}/persons", s.case),
            &s.staff.key,
            person,
            201,
        )
        .await;
    s.persons.push(added["id"].as_str().unwrap().to_owned());
    added
}

fn person(name: &str, extra: Value) -> Value {
    let mut p = json!({"name": name, "category": "near_family", "closeness": "close",
        "quality": "supportive"});
    if let (Value::Object(into), Value::Object(from)) = (&mut p, extra) {
        into.extend(from);
    }
    p
}

/// The answer link in a text.
fn link_in(text: &str) -> String {
    let at = text.find("/i/tli_").expect("an answer link");
    text[at..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn an_english_and_a_nynorsk_reader_get_their_invitation_and_answer_page_in_their_language() {
    let (sink, gateway) = (SmtpSink::start(), LinkGateway::start());
    let app = spawn(&sink, &gateway).await;
    let mut s = setup(&app, "fjordvik", json!({"birth_year": 2015})).await;
    let mary = add(
        &app,
        &mut s,
        person(
            "Aunt Mary",
            json!({"email": "mary@example.org", "phone": "912 34 501",
            "preferred_channel": "sms", "email_too": true, "language": "en"}),
        ),
    )
    .await;
    assert_eq!(mary["language"], "en");
    let ragnhild = add(
        &app,
        &mut s,
        person(
            "Tante Ragnhild",
            json!({"email": "ragnhild@example.no", "phone": "912 34 502",
            "preferred_channel": "sms", "email_too": true, "language": "nn"}),
        ),
    )
    .await;
    assert_eq!(ragnhild["language"], "nn");
    let (council, _) = s.ready_council(&app, "family_group_conference").await;
    let (_, meeting) = s
        .schedule(
            &app,
            &council,
            json!({"starts_at": local(10, 18), "place": "Biblioteket"}),
        )
        .await;
    s.invite(&app, &council, &meeting).await;
    let workers = Workers::start(&app);

    // Email: the three of the map in the service's bokmål, Mary in English, Ragnhild in nynorsk
    // (and the new service's setup email).
    let mails = sink.wait_for(6, Duration::from_secs(30)).await;
    let mail_to = |to: &str| {
        mails
            .iter()
            .find(|m| m.to().contains(to))
            .unwrap_or_else(|| panic!("no email to {to}"))
    };
    assert_eq!(
        mail_to("mary@example.org").subject,
        "Invitation to a meeting"
    );
    assert_eq!(
        mail_to("ragnhild@example.no").subject,
        "Invitasjon til eit møte"
    );
    assert_eq!(
        mail_to("mormor@example.no").subject,
        "Invitasjon til et møte"
    );
    let ragnhild_mail = mail_to("ragnhild@example.no");
    assert!(
        ragnhild_mail.text.contains("Du er invitert til eit møte"),
        "{}",
        ragnhild_mail.text
    );
    for m in [mail_to("mary@example.org"), ragnhild_mail] {
        assert!(!reveals_child_welfare(&m.everything()), "{}", m.text);
        assert!(!m.everything().contains(CHILD_FIRST));
    }

    // SMS: each in their own language too.
    let texts = gateway.wait_for(2, Duration::from_secs(30)).await;
    let sms_to = |number: &str| {
        texts
            .iter()
            .find(|t| t.body["destination"] == number)
            .unwrap_or_else(|| panic!("no SMS to {number}: {texts:?}"))
            .body["userData"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (english, nynorsk) = (sms_to("+4791234501"), sms_to("+4791234502"));
    assert!(
        english.contains("You are invited to a meeting"),
        "{english}"
    );
    assert!(
        nynorsk.contains("Du er invitert til eit møte. Sjå tid og stad"),
        "{nynorsk}"
    );
    for text in [&english, &nynorsk] {
        assert!(!reveals_child_welfare(text), "{text}");
        assert!(tillit::sms::segments(text) <= 2, "{text}");
    }
    workers.stop().await;

    // Their answer pages speak their language, whatever the browser says; the switch still wins.
    let page = |link: String, accept: &'static str| {
        let app = &app;
        async move {
            let res = app
                .client
                .get(app.url(&link))
                .header("accept", "text/html")
                .header("accept-language", accept)
                .send()
                .await
                .unwrap();
            answer(res).await
        }
    };
    let (status, html) = page(link_in(&english), "nb-NO").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains(r#"<html lang="en">"#), "{html}");
    assert!(html.contains("Yes, I will come"), "{html}");
    let (status, html) = page(link_in(&mail_to("ragnhild@example.no").text), "en").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains(r#"<html lang="nn">"#), "{html}");
    for nn in [
        "Kjem du?",
        "Ja, eg kjem",
        "Nei, eg kan ikkje",
        "Send svaret",
    ] {
        assert!(html.contains(nn), "{nn}: {html}");
    }
    // `TILLIT_SCREENSHOT_DIR=docs/screenshots` keeps pictures of the nynorsk page (headless
    // Chromium at 1280 and 390 px wide).
    if let Ok(dir) = std::env::var("TILLIT_SCREENSHOT_DIR") {
        let url = app.url(&link_in(&mail_to("ragnhild@example.no").text));
        for (width, height) in [(1280, 1700), (390, 2600)] {
            let file = format!("{dir}/invitee-nynorsk-{width}.png");
            let (shot, to) = (file.clone(), url.clone());
            // Off the test's runtime, which serves the page meanwhile.
            let status = tokio::task::spawn_blocking(move || {
                std::process::Command::new("/usr/bin/chromium")
                    .args([
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--hide-scrollbars",
                        &format!("--window-size={width},{height}"),
                        &format!("--screenshot={shot}"),
                        &to,
                    ])
                    .status()
            })
            .await
            .unwrap()
            .expect("chromium");
            assert!(status.success(), "{file}");
        }
    }
    let (_, bokmal) = page(link_in(&mail_to("mormor@example.no").text), "nb").await;
    assert!(bokmal.contains(r#"<html lang="nb">"#) && bokmal.contains("Ja, jeg kommer"));
    let chosen = app
        .client
        .get(app.url(&link_in(&nynorsk)))
        .header("accept", "text/html")
        .header("cookie", "lang=nb")
        .send()
        .await
        .unwrap();
    let (_, html) = answer(chosen).await;
    assert!(
        html.contains(r#"<html lang="nb">"#),
        "the switch wins: {html}"
    );
}

#[tokio::test]
async fn a_nynorsk_services_staff_read_nynorsk() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "fjordvik", json!({"birth_year": 2015})).await;
    in_tenant(&mut app.db.app_conn(), s.tenant, |c| {
        diesel::update(tenants::table)
            .set(tenants::locale.eq("nn"))
            .execute(c)
    })
    .unwrap();
    let who = app.sign_in(&s.staff).await;
    // The first page after signing in learns the service's standard and is asked for again.
    let res = app.page("/cases", &who).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/cases");
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("standard="))
        .expect("the standard cookie");
    assert!(cookie.starts_with("standard=nn;"), "{cookie}");
    let res = app
        .client
        .get(app.url("/cases"))
        .header("accept", "text/html")
        .header("accept-language", "nb-NO,nb;q=0.9")
        .header("cookie", format!("{}; standard=nn", who.cookie))
        .send()
        .await
        .unwrap();
    let (status, html) = answer(res).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains(r#"<html lang="nn">"#), "{html}");
    assert!(html.contains("Hopp til hovudinnhaldet"), "{html}");
    assert!(!html.contains("Hopp til hovedinnholdet"), "{html}");
    // A staff member who prefers English in the browser reads English; the switch chooses too.
    let res = app
        .client
        .get(app.url("/cases"))
        .header("accept", "text/html")
        .header("accept-language", "en")
        .header("cookie", format!("{}; standard=nn", who.cookie))
        .send()
        .await
        .unwrap();
    assert!(answer(res).await.1.contains(r#"<html lang="en">"#));

    // The case page's person form offers the languages a person can read.
    let case = s.case.clone();
    let res = app
        .client
        .get(app.url(&format!("/cases/{case}/persons/new")))
        .header("accept", "text/html")
        .header("cookie", format!("{}; standard=nn", who.cookie))
        .send()
        .await
        .unwrap();
    let (status, html) = answer(res).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    for shown in [
        "Språket personen les",
        "Målforma til tenesta",
        r#"<option value="nn">Nynorsk</option>"#,
        "Treng tolk (språk)",
    ] {
        assert!(html.contains(shown), "{shown}: {html}");
    }
}

#[tokio::test]
async fn a_staff_members_email_is_in_their_own_language() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(&fast_jobs(&sink)).await;
    let s = setup(&app, "fjordvik", json!({"birth_year": 2015})).await;
    let who = app.sign_in(&s.staff).await;
    // An unknown language is refused at its field, and nothing is written.
    let (status, html) = app
        .form_answer(
            "/account/contact",
            &who,
            &[("work_phone", "912 34 567"), ("lang", "klingon")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(
        html.contains(
            r#"<p class="field-error" id="mail-lang-error">Velg bokmål, nynorsk eller engelsk.</p>"#
        ),
        "{html}"
    );
    assert!(
        html.contains(r#"value="912 34 567""#),
        "what was typed is kept"
    );
    let stored = || {
        in_tenant(&mut app.db.app_conn(), s.tenant, |c| {
            users::table
                .filter(users::id.eq(s.staff.user_id))
                .select((users::lang, users::work_phone))
                .first::<(String, Option<String>)>(c)
        })
        .unwrap()
    };
    assert_eq!(stored(), ("nb".to_owned(), None));

    let location = app
        .submit(
            "/account/contact",
            &who,
            &[("work_phone", ""), ("lang", "nn")],
        )
        .await;
    assert!(location.starts_with("/account"), "{location}");
    assert_eq!(stored().0, "nn");
    let (_, account) = app.page_answer("/account", &who).await;
    assert!(
        account.contains(r#"<option value="nn" selected>"#),
        "{account}"
    );

    // A password reset goes to them in nynorsk, in a bokmål service.
    let email = format!("coordinator-{}@fjordvik.example", s.staff.user_id.simple());
    in_tenant(&mut app.db.app_conn(), s.tenant, |c| {
        diesel::update(users::table.filter(users::id.eq(s.staff.user_id)))
            .set(users::password_hash.eq("a password was set"))
            .execute(c)
    })
    .unwrap();
    let (status, _) = app
        .form_answer("/password/forgot", &who, &[("email", &email)])
        .await;
    assert_eq!(status, StatusCode::OK);
    let workers = Workers::start(&app);
    let mails = sink.wait_for(2, Duration::from_secs(30)).await;
    let reset = mails
        .iter()
        .find(|m| m.to().contains(&email))
        .expect("the reset email");
    assert_eq!(reset.subject, "Vel nytt passord i Tillit", "{}", reset.text);
    workers.stop().await;
}

#[tokio::test]
async fn interpreters_to_book_are_on_the_preparation_checklist_and_the_meeting_page() {
    let app = TestApp::spawn().await;
    let mut s = setup(&app, "fjordvik", json!({"birth_year": 2015})).await;
    add(
        &app,
        &mut s,
        person(
            "Bestefar Ali",
            json!({"email": "ali@example.no", "interpreter": "arabisk"}),
        ),
    )
    .await;
    let (council, _) = s.ready_council(&app, "family_group_conference").await;
    let view = app
        .get_json(
            &format!("/api/v1/cases/{}/councils/{council}", s.case),
            &s.staff.key,
            200,
        )
        .await;
    let ali = view["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Bestefar Ali")
        .expect("Ali on the team");
    assert_eq!(ali["interpreter"], "arabisk");
    assert!(view["participants"][0]["interpreter"].is_null());

    let who = app.sign_in(&s.staff).await;
    for task in ["preparation", "meeting"] {
        let path = format!("/cases/{}/councils/{council}/tasks/{task}", s.case);
        let (status, page) = app.page_answer(&path, &who).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page.contains("Tolker som må bestilles"), "{task}: {page}");
        assert!(
            page.contains("<li>Bestefar Ali: arabisk</li>"),
            "{task}: {page}"
        );
        assert!(!page.contains("<li>Mormor Kari:"), "{task}: {page}");
    }
}

#[tokio::test]
async fn an_unknown_language_is_refused_at_its_field() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "fjordvik", json!({"birth_year": 2015})).await;
    let path = format!("/api/v1/cases/{}/persons", s.case);
    let res = app
        .post(&path, &s.staff.key)
        .json(&person("Feil", json!({"language": "de"})))
        .send()
        .await
        .unwrap();
    let problem = expect_problem(res, 422, "validation").await;
    assert_eq!(problem["errors"][0]["field"], "language", "{problem}");
    let res = app
        .post(&path, &s.staff.key)
        .json(&person("Feil", json!({"interpreter": "a".repeat(61)})))
        .send()
        .await
        .unwrap();
    let problem = expect_problem(res, 422, "validation").await;
    assert_eq!(problem["errors"][0]["field"], "interpreter", "{problem}");

    // The page keeps what was typed and says it at the field.
    let who = app.sign_in(&s.staff).await;
    let (status, html) = app
        .form_answer(
            &format!("/cases/{}/persons", s.case),
            &who,
            &[
                ("name", "Farmor Eva"),
                ("category", "near_family"),
                ("lineage", "paternal"),
                ("closeness", "close"),
                ("quality", "supportive"),
                ("words_author", "child"),
                ("language", "se"),
                ("interpreter", "nordsamisk"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(
        html.contains(
            r#"<p class="field-error" id="language-error">Velg bokmål, nynorsk eller engelsk.</p>"#
        ),
        "{html}"
    );
    assert!(html.contains(r#"value="nordsamisk""#), "{html}");
    let listed = app.get_json(&path, &s.staff.key, 200).await;
    assert_eq!(listed.as_array().unwrap().len(), 3, "nothing was added");
}
