//! Every staff form outside the council pages, sent with a mistake, answers in the reader's
//! language: the page names what is wrong in Norwegian, at the field, and shows no English API
//! message and no catalogue key that was never translated. (The council forms have their walk in
//! the browser, tests/browser/councils.mjs.)

use std::collections::BTreeSet;

use crate::access::{SETTINGS, onboarded};
use crate::case_pages::open_case;
use crate::common;

use common::{SignedIn, TestApp, answer, main_of};
use reqwest::StatusCode;

/// The words of a page's `<main>`, without its markup and without the options of its lists
/// (the time zones are IANA names, not words).
fn words_of(html: &str) -> String {
    let mut main = main_of(html);
    while let Some(start) = main.find("<select") {
        let end = main[start..]
            .find("</select>")
            .map_or(main.len(), |e| start + e + "</select>".len());
        main.replace_range(start..end, " ");
    }
    let mut text = String::new();
    let mut in_tag = false;
    for c in main.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The sections of the catalogue (`cases`, `field_error`, …): a word of the page that starts with
/// one of them and a dot is a key shown instead of its text.
fn sections() -> BTreeSet<String> {
    let source = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/i18n/nb.toml"),
    )
    .expect("the catalogue");
    let table: toml::Table = toml::from_str(&source).expect("the catalogue parses");
    table.keys().cloned().collect()
}

/// English the API says in its field messages, which a Norwegian page must never show.
const ENGLISH: &[&str] = &[
    "this field is required",
    "must be one of",
    "at most",
    "characters",
    "is not a valid",
    "enter a",
    "give a",
    "cannot",
    "a phone number",
    "an email address",
    "should",
];

/// The answer to a form sent with a mistake: refused (4xx), as a page, every word of it in
/// bokmål, and the message `expected` on it.
fn assert_in_norwegian(form: &str, status: StatusCode, page: &str, expected: &str) {
    assert!(
        status.is_client_error(),
        "{form}: a mistake is refused, not {status}"
    );
    assert!(page.contains("<main"), "{form}: answered with a page");
    let words = words_of(page);
    let lower = words.to_lowercase();
    for english in ENGLISH {
        assert!(
            !lower.contains(english),
            "{form}: English {english:?} on a Norwegian page: {words}"
        );
    }
    let sections = sections();
    for word in words.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ',' | ':')) {
        let word = word.trim_end_matches('.');
        if let Some((first, rest)) = word.split_once('.')
            && !rest.is_empty()
            && word
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
        {
            assert!(
                !sections.contains(first),
                "{form}: the untranslated key {word:?} on the page: {words}"
            );
        }
    }
    assert!(
        words.contains(expected),
        "{form}: {expected:?} is not on the page: {words}"
    );
    assert!(
        page.contains("class=\"error-summary\""),
        "{form}: the error summary"
    );
}

async fn send(
    app: &TestApp,
    who: &SignedIn,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    answer(app.form(path, who, fields).send().await.unwrap()).await
}

#[tokio::test]
async fn every_case_and_account_form_answers_a_mistake_in_norwegian() {
    let app = TestApp::spawn().await;
    app.create_tenant("alpha", &["4624"]).await;
    let staff = app.staff("alpha", "coordinator").await;
    let me = app.sign_in(&staff).await;

    let (status, page) = send(
        &app,
        &me,
        "/cases",
        &[("first_name", ""), ("last_name", "")],
    )
    .await;
    assert_in_norwegian("new case", status, &page, "Skriv barnets fornavn");

    let case = open_case(&app, &me).await;

    let (status, page) = send(
        &app,
        &me,
        &format!("{case}/persons"),
        &[
            ("name", "Mormor"),
            ("category", "near_family"),
            ("lineage", "maternal"),
            ("closeness", "close"),
            ("quality", "supportive"),
            ("phone", "12"),
            ("email", "mormor-på-nett"),
        ],
    )
    .await;
    assert_in_norwegian("person", status, &page, "Skriv et norsk telefonnummer");
    assert!(
        page.contains("value=\"mormor-på-nett\""),
        "what was typed is kept"
    );

    let (status, page) = send(
        &app,
        &me,
        &format!("{case}/revisions"),
        &[("revised_on", "")],
    )
    .await;
    assert_in_norwegian("revision", status, &page, "Svar på om barnet deltok.");

    let (status, page) = send(
        &app,
        &me,
        &format!("{case}/child"),
        &[
            ("first_name", ""),
            ("last_name", "Nordmann"),
            ("gender", "girl"),
        ],
    )
    .await;
    assert_in_norwegian(
        "the child's details",
        status,
        &page,
        "Skriv barnets fornavn",
    );

    let (status, page) = send(
        &app,
        &me,
        &format!("{case}/assignments"),
        &[("user_id", "")],
    )
    .await;
    assert_in_norwegian("assignment", status, &page, "Velg");

    let (status, page) = send(
        &app,
        &me,
        &format!("{case}/measures"),
        &[("kind", ""), ("description", "Mor er innlagt")],
    )
    .await;
    assert_in_norwegian(
        "measure",
        status,
        &page,
        "Velg hvilket tiltak som foreslås.",
    );

    app.submit(
        &format!("{case}/measures"),
        &me,
        &[("kind", "foster_home"), ("description", "")],
    )
    .await;
    let (_, measures) = answer(
        app.page(&format!("{case}/measures"), &me)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let measure = measures
        .split(&format!("{}/measures/", case))
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("the measure's link to its check")
        .to_owned();
    let (status, page) = send(
        &app,
        &me,
        &format!("{case}/measures/{measure}/check"),
        &[("kind", "check"), ("checked_on", ""), ("result", "")],
    )
    .await;
    assert_in_norwegian(
        "network check",
        status,
        &page,
        "Kryss av for minst én person",
    );

    let (status, page) = send(&app, &me, "/account/contact", &[("work_phone", "0")]).await;
    assert_in_norwegian("work phone", status, &page, "Skriv et norsk telefonnummer");
}

#[tokio::test]
async fn every_admin_form_answers_a_mistake_in_norwegian() {
    let app = TestApp::spawn().await;
    let (_, mut admin) = onboarded(&app, "alpha").await;

    admin.get("/admin").await;
    let mut bad = SETTINGS;
    bad[0] = ("name", "");
    bad[3] = ("time_zone", "Mars/Olympus");
    bad[6] = ("meeting_minutes", "lenge");
    let (status, page) = admin.post("/admin", &bad).await;
    assert_in_norwegian("settings", status, &page, "IANA");

    admin.get("/admin").await;
    let (status, page) = admin
        .post(
            "/admin/municipalities",
            &[("kommunenummer", "12"), ("name", "Et sted")],
        )
        .await;
    assert_in_norwegian(
        "municipality",
        status,
        &page,
        "Skriv kommunenummeret med fire sifre",
    );
    assert!(page.contains("value=\"Et sted\""), "what was typed is kept");
    assert!(page.contains("id=\"kommunenummer-error\""), "at the field");

    admin.get("/admin/staff").await;
    let (status, page) = admin
        .post(
            "/admin/staff",
            &[
                ("email", "ikke-en-adresse"),
                ("display_name", "Per"),
                ("role", "caseworker"),
            ],
        )
        .await;
    assert_in_norwegian(
        "staff invitation",
        status,
        &page,
        "E-postadressen er ikke gyldig.",
    );
    assert!(page.contains("id=\"invite-email-error\""), "at the field");
    assert!(
        page.contains("value=\"ikke-en-adresse\""),
        "what was typed is kept"
    );
    assert!(
        page.contains("<option value=\"caseworker\" selected>"),
        "the role kept"
    );

    admin.get("/admin/sso").await;
    let (status, page) = admin
        .post(
            "/admin/sso",
            &[
                ("label", ""),
                ("issuer", "ikke en adresse"),
                ("client_id", ""),
                ("client_secret", ""),
                ("group_roles", ""),
            ],
        )
        .await;
    assert_in_norwegian("single sign-on", status, &page, "Skriv");

    // Deactivating the only staff member on a case asks who takes it over first.
    let leaving = app.staff("alpha", "coordinator").await;
    let res = app
        .post("/api/v1/cases", &leaving.key)
        .json(&serde_json::json!({
            "child": { "first_name": "Emma", "last_name": "Nordmann", "birth_date": "2016-04-01",
                       "gender": "girl", "language": "norsk" },
            "reference": "2026/1",
        }))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    admin.get("/admin/staff").await;
    let deactivate = format!("/admin/staff/{}/deactivate", leaving.user_id);
    let (status, page) = admin.post(&deactivate, &[]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("2026/1"), "{page}");
    let (status, page) = admin.post(&deactivate, &[("successor", "")]).await;
    assert_in_norwegian(
        "hand-over before deactivation",
        status,
        &page,
        "Velg en aktiv ansatt i tjenesten som kan ha saker",
    );
    assert!(page.contains("id=\"successor-error\""), "at the field");

    // The leader's assignment by reference.
    let leader = app.sign_in(&app.staff("alpha", "leader").await).await;
    let (status, page) = send(
        &app,
        &leader,
        "/case-assignments",
        &[("reference", "finnes ikke"), ("user_id", "")],
    )
    .await;
    assert_in_norwegian(
        "case assignment by reference",
        status,
        &page,
        "Velg en aktiv ansatt i tjenesten som skal ha saken.",
    );
    assert!(
        page.contains("value=\"finnes ikke\""),
        "what was typed is kept"
    );
}
