//! Every staff form outside the council pages, sent with a mistake, answers in the reader's
//! language: the page names what is wrong in Norwegian, at the field, and shows no English API
//! message and no catalogue key that was never translated. (The council forms have their walk in
//! the browser, tests/browser/councils.mjs.) The plan's forms answer in the section they stand
//! in, with what was typed kept.

use std::collections::BTreeSet;

use crate::access::{SETTINGS, onboarded};
use crate::case_pages::open_case;
use crate::common;

use common::councils::{in_days, setup};
use common::{SignedIn, TestApp, main_of};
use reqwest::StatusCode;
use serde_json::json;

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
    app.form_answer(path, who, fields).await
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
    let (_, measures) = app.page_answer(&format!("{case}/measures"), &me).await;
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

    let night = app.sign_in(&app.staff("alpha", "on_call").await).await;
    let case_id = case.trim_start_matches("/cases/");
    let (status, page) = send(
        &app,
        &night,
        &format!("/on-call/cases/{case_id}"),
        &[("reason", " "), ("call_reference", "BV-1")],
    )
    .await;
    assert_in_norwegian(
        "opening an acute list",
        status,
        &page,
        "Skriv hvorfor du trenger akuttlisten nå.",
    );
    let (status, page) = app.page_answer("/on-call?q=x", &night).await;
    assert_in_norwegian(
        "finding a case",
        status,
        &page,
        "Skriv sakens referanse eller minst to bokstaver",
    );
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

    // A number Statistics Norway's register does not hold needs its name written out; one it
    // holds is named from the register.
    admin.get("/admin").await;
    let (status, page) = admin
        .post(
            "/admin/municipalities",
            &[("kommunenummer", "4699"), ("name", "")],
        )
        .await;
    assert_in_norwegian(
        "unknown municipality",
        status,
        &page,
        "Nummeret finnes ikke i Statistisk sentralbyrås kommuneliste.",
    );
    assert!(
        page.contains("id=\"municipality_name-error\""),
        "at the name"
    );
    assert!(page.contains("value=\"4699\""), "the number kept");
    admin.get("/admin").await;
    let (status, _) = admin
        .post(
            "/admin/municipalities",
            &[("kommunenummer", "4626"), ("name", "")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = admin.get("/admin").await;
    assert!(
        page.contains("<td>4626</td>\n      <td>Øygarden</td>"),
        "named from the register"
    );

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
    admin.get("/admin/staff").await;
    let (status, page) = admin
        .post(
            "/admin/staff",
            &[
                ("email", "x"),
                ("display_name", " "),
                ("role", "caseworker"),
            ],
        )
        .await;
    assert_in_norwegian(
        "staff invitation, two mistakes",
        status,
        &page,
        "E-postadressen",
    );
    assert!(
        page.contains("id=\"invite-email-error\"") && page.contains("id=\"invite-name-error\""),
        "every wrong field at once"
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
            // The service serves two municipalities since the one added above.
            "municipality": "4626",
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

/// The part of a plan page from section `id`'s heading to the next section.
fn section<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("<h2 id=\"{id}\""))
        .unwrap_or_else(|| panic!("the section {id}"));
    let rest = &page[start..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

#[tokio::test]
async fn every_plan_form_answers_a_mistake_in_norwegian_in_its_section_with_what_was_typed() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "alpha", json!({"birth_year": 2016})).await;
    let (council, team) = s.held_council(&app, "network_council").await;
    let me = app.sign_in(&s.staff).await;
    let plan = format!("/cases/{}/councils/{council}/plan", s.case);
    let saved = app.submit(&format!("{plan}/create"), &me, &[]).await;
    assert!(saved.ends_with("?done=create#plan"), "{saved}");

    let (status, page) = send(
        &app,
        &me,
        &format!("{plan}/goal"),
        &[("text", " "), ("author", "family")],
    )
    .await;
    assert_in_norwegian("goal", status, &page, "Fyll ut feltet.");
    let goals = section(&page, "goals");
    assert!(goals.contains("class=\"error-summary\""), "in its section");
    assert!(goals.contains("id=\"goal-text-error\""), "at the field");
    assert!(
        goals.contains("<option value=\"family\" selected>"),
        "the author kept"
    );
    let saved = app
        .submit(
            &format!("{plan}/goal"),
            &me,
            &[("text", "Trygg skolevei"), ("author", "child")],
        )
        .await;
    assert!(
        saved.ends_with("?done=goal#goals"),
        "back at its section: {saved}"
    );

    let who = format!("participant:{}", team[0]);
    for (due_on, every, expected) in [
        ("2020-01-01", "", "Fristen kan ikke være før i dag."),
        (
            in_days(10).as_str(),
            "400",
            "Skriv hvor mange dager det går mellom",
        ),
    ] {
        let (status, page) = send(
            &app,
            &me,
            &format!("{plan}/commitment"),
            &[
                ("who", who.as_str()),
                ("text", "Mormor henter på fredager"),
                ("due_on", due_on),
                ("every_days", every),
            ],
        )
        .await;
        assert_in_norwegian("commitment", status, &page, expected);
        let commitments = section(&page, "commitments");
        assert!(commitments.contains(expected), "in its section");
        assert!(
            commitments.contains(">Mormor henter på fredager</textarea>"),
            "the text kept"
        );
        assert!(
            commitments.contains(&format!("<option value=\"{who}\" selected>")),
            "who kept"
        );
        assert!(
            commitments.contains(&format!("value=\"{due_on}\"")),
            "the date kept"
        );
    }

    let (status, page) = send(
        &app,
        &me,
        &format!("{plan}/follow-up-owner"),
        &[("who", "")],
    )
    .await;
    assert_in_norwegian("follow-up owner", status, &page, "Velg hvem det gjelder.");
    assert!(section(&page, "follow-up-owner").contains("id=\"owner-who-error\""));

    app.submit(
        &format!("{plan}/commitment"),
        &me,
        &[
            ("who", who.as_str()),
            ("text", "Mormor henter på fredager"),
            ("due_on", in_days(10).as_str()),
        ],
    )
    .await;
    app.submit(&format!("{plan}/submit"), &me, &[]).await;
    let (status, page) = send(
        &app,
        &me,
        &format!("{plan}/close-approval"),
        &[("reason", "")],
    )
    .await;
    assert_in_norwegian("closing approval", status, &page, "Fyll ut feltet.");
    assert!(section(&page, "approval").contains("id=\"close-reason-error\""));
    app.submit(
        &format!("{plan}/close-approval"),
        &me,
        &[("reason", "Teamet ble enige i møtet")],
    )
    .await;

    let (status, page) = send(
        &app,
        &me,
        &format!("{plan}/evaluation-plan"),
        &[("evaluation_on", "2020-05-01"), ("way", "new_council")],
    )
    .await;
    assert_in_norwegian(
        "evaluation plan",
        status,
        &page,
        "Datoen må være etter i dag.",
    );
    let evaluation_plan = section(&page, "evaluation-plan");
    assert!(
        evaluation_plan.contains("value=\"2020-05-01\""),
        "the date kept"
    );
    assert!(
        evaluation_plan.contains("<option value=\"new_council\" selected>"),
        "the way kept"
    );

    let (status, page) = send(
        &app,
        &me,
        &format!("{plan}/evaluation"),
        &[
            ("held_on", "2099-01-01"),
            ("took_part", "Mormor, mor og barnet"),
            ("child_view", "Bra"),
            ("parents_view", "Bra"),
            ("decision", "continue"),
            ("next_evaluation_on", ""),
        ],
    )
    .await;
    assert_in_norwegian(
        "evaluation",
        status,
        &page,
        "Datoen kan ikke være fram i tid.",
    );
    let evaluations = section(&page, "evaluations");
    assert!(
        evaluations.contains("id=\"eval-held-error\""),
        "at the field"
    );
    assert!(
        evaluations.contains(">Mormor, mor og barnet</textarea>"),
        "who took part kept"
    );

    // Closing before any evaluation is refused by its rule, in its section, the reason kept.
    let (status, page) = send(
        &app,
        &me,
        &format!("{plan}/close"),
        &[("reason", "Familien flytter")],
    )
    .await;
    let refused = "En plan kan ikke avsluttes uten en evaluering";
    assert_in_norwegian("closing the plan", status, &page, refused);
    let evaluations = section(&page, "evaluations");
    assert!(evaluations.contains(refused), "in its section");
    assert!(
        evaluations.contains(">Familien flytter</textarea>"),
        "the reason kept"
    );
    let history = section(&page, "history");
    assert!(
        history.contains("Et mål ble lagt til") && !history.contains("goal_added"),
        "the history in words: {history}"
    );
}

#[tokio::test]
async fn the_caseworkers_approval_forms_answer_a_mistake_in_norwegian_at_the_field() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "alpha", json!({"birth_year": 2016})).await;
    let caseworker = app.staff("alpha", "caseworker").await;
    s.assign(&app, &caseworker).await;
    let (council, team) = s.held_council(&app, "family_group_conference").await;
    let coordinator = app.sign_in(&s.staff).await;
    let plan = format!("/cases/{}/councils/{council}/plan", s.case);
    app.submit(&format!("{plan}/create"), &coordinator, &[])
        .await;
    app.submit(
        &format!("{plan}/goal"),
        &coordinator,
        &[("text", "Trygg hverdag"), ("author", "family")],
    )
    .await;
    let who = format!("participant:{}", team[0]);
    app.submit(
        &format!("{plan}/commitment"),
        &coordinator,
        &[
            ("who", who.as_str()),
            ("text", "Har barnet annenhver helg"),
            ("due_on", in_days(14).as_str()),
        ],
    )
    .await;
    app.submit(&format!("{plan}/submit"), &coordinator, &[])
        .await;

    let me = app.sign_in(&caseworker).await;
    let (status, page) = send(
        &app,
        &me,
        &format!("{plan}/approve"),
        &[("note", "Godt arbeid av familien")],
    )
    .await;
    assert_in_norwegian(
        "approval",
        status,
        &page,
        "Planen godkjennes bare når barnets sikkerhet er ivaretatt.",
    );
    let approval = section(&page, "approval");
    assert!(approval.contains("id=\"safety-error\""), "at the box");
    assert!(
        approval.contains(">Godt arbeid av familien</textarea>"),
        "the note kept"
    );

    let (status, page) = send(&app, &me, &format!("{plan}/return"), &[("reason", "")]).await;
    assert_in_norwegian("returning the plan", status, &page, "Fyll ut feltet.");
    assert!(section(&page, "approval").contains("id=\"return-reason-error\""));
}
