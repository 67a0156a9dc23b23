//! The coordinator's case pages over HTTP, as a signed-in browser uses them: opening a case, the
//! case page with its prompts, the eco-map inline and the table, the person form with the child's
//! words and its reasons when a field is wrong, the revision history, the printable acute list
//! and map, and the same assignment rule and audit trail as the JSON API.

mod common;

use common::{SignedIn, TestApp};
use diesel::prelude::*;
use reqwest::StatusCode;
use tillit::db::in_tenant;
use tillit::db::schema::audit_log;

/// The status and the body (or, for a redirect, where it leads).
async fn answer(res: reqwest::Response) -> (StatusCode, String) {
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = res.text().await.expect("body");
    (status, location.unwrap_or(body))
}

async fn page(app: &TestApp, who: &SignedIn, path: &str) -> String {
    let (status, body) = answer(app.page(path, who).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    body
}

/// Opens a case through the form on "my cases"; returns its path.
async fn open_case(app: &TestApp, who: &SignedIn) -> String {
    let (status, location) = answer(
        app.form(
            "/cases",
            who,
            &[
                ("first_name", "Emma"),
                ("last_name", "Nordmann"),
                ("birth_date", "2016-04-01"),
                ("gender", "girl"),
                ("language", "norsk"),
                ("phase", "investigation"),
            ],
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    assert!(location.starts_with("/cases/"), "{location}");
    location
}

fn person<'a>(name: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("name", name),
        ("category", "near_family"),
        ("lineage", "maternal"),
        ("closeness", "close"),
        ("quality", "supportive"),
        ("words_author", "child"),
    ];
    for (key, value) in extra {
        fields.retain(|(k, _)| k != key);
        fields.push((key, value));
    }
    fields
}

async fn add_person(app: &TestApp, who: &SignedIn, case: &str, fields: &[(&str, &str)]) {
    let (status, location) = answer(
        app.form(&format!("{case}/persons"), who, fields)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    assert_eq!(location, format!("{case}?done=person#persons"));
}

#[tokio::test]
async fn a_coordinator_maps_the_network_and_sees_the_picture_the_table_and_the_prompts() {
    let app = TestApp::spawn().await;
    app.create_tenant("alpha", &["4624"]).await;
    let staff = app.staff("alpha", "coordinator").await;
    let me = app.sign_in(&staff).await;

    let empty = page(&app, &me, "/cases").await;
    assert!(
        empty.contains("Du er ikke satt opp som ansvarlig"),
        "{empty}"
    );
    let case = open_case(&app, &me).await;
    let list = page(&app, &me, "/cases").await;
    assert!(list.contains(&format!("<a href=\"{case}\">Emma Nordmann</a>")));

    let fresh = page(&app, &me, &case).await;
    assert!(fresh.contains("Barnet har ikke noe nettverkskart ennå"));
    assert!(fresh.contains("<svg"), "the picture is inline");
    assert!(fresh.contains("Ingen personer er kartlagt ennå"));

    add_person(
        &app,
        &me,
        &case,
        &person(
            "Mormor Kari",
            &[
                ("relation", "mormor"),
                ("phone", "912 34 567"),
                ("can_step_in", "on"),
                ("step_in_how", "Kan hente på skolen"),
                ("words_text", "Mormor lager pannekaker <3"),
            ],
        ),
    )
    .await;
    add_person(
        &app,
        &me,
        &case,
        &person(
            "Lærer Lise",
            &[("category", "school"), ("lineage", "not_applicable")],
        ),
    )
    .await;

    let mapped = page(&app, &me, &format!("{case}?done=person")).await;
    for expected in [
        "Personen er lagret.",
        // The table: the same content as the picture, with the child's words.
        "<caption>Personer i barnets nettverk (2)</caption>",
        "Mormor Kari</a>",
        "Kan hente på skolen",
        "<a href=\"tel:+4791234567\">912 34 567</a>",
        "«Mormor lager pannekaker &#60;3»",
        "Barnet selv",
        // The prompts: the father's side is missing; there is no revision yet.
        "Ingen er kartlagt på fars side. Fars familie blir ofte glemt.",
        "Barnet har ikke noe nettverkskart ennå",
        // The ways out: download, print, acute list, history.
        "/map.svg?download=1",
        "Utskriftsvennlig kart",
        "Akuttliste (for utskrift)",
    ] {
        assert!(
            mapped.contains(expected),
            "the case page lacks {expected:?}"
        );
    }
    assert!(!mapped.contains("<3»"), "the child's words are escaped");
    let inline = &mapped[mapped.find("<svg").unwrap()..mapped.find("</svg>").unwrap() + 6];
    let doc = roxmltree::Document::parse(inline).expect("the inline picture is well-formed");
    let people = doc
        .descendants()
        .filter(|n| {
            n.attribute("class")
                .is_some_and(|c| c.split(' ').any(|c| c == "person"))
        })
        .count();
    assert_eq!(people, 2);

    // Save a revision, change someone, save again: the history says what changed.
    let (status, location) = answer(
        app.form(
            &format!("{case}/revisions"),
            &me,
            &[
                ("revised_on", "2026-01-15"),
                ("child_participated", "yes"),
                ("participation", "Tegnet kartet med koordinator"),
            ],
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let revised = page(&app, &me, &location).await;
    assert!(revised.contains("Revisjonen er lagret."));
    assert!(!revised.contains("Barnet har ikke noe nettverkskart"));
    assert!(revised.contains("Revisjon 1"), "the picture is labelled");

    let edit_link = format!("{case}/persons/");
    let start = revised.find(&format!("href=\"{edit_link}")).unwrap() + 6;
    let lise = revised[start..].split('"').next().unwrap().to_owned();
    let form = page(&app, &me, &lise).await;
    assert!(
        form.contains("value=\"Lærer Lise\""),
        "the form shows the person"
    );
    let (status, _) = answer(
        app.form(
            &lise,
            &me,
            &person(
                "Lærer Lise",
                &[
                    ("category", "school"),
                    ("lineage", "not_applicable"),
                    ("closeness", "medium"),
                ],
            ),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let unsaved = page(&app, &me, &case).await;
    assert!(unsaved.contains("Kartet er endret siden revisjon 1"));
    let (status, _) = answer(
        app.form(
            &format!("{case}/revisions"),
            &me,
            &[("child_participated", "no")],
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let history = page(&app, &me, &format!("{case}/revisions")).await;
    for expected in [
        "Revisjon 2",
        "Revisjon 1 – 15.01.2026",
        "Tegnet kartet med koordinator",
        "Endret:</strong> Lærer Lise",
        "Nærhet: Nær → Middels",
        "map.svg?revision=1",
    ] {
        assert!(history.contains(expected), "the history lacks {expected:?}");
    }

    let acute = page(&app, &me, &format!("{case}/acute")).await;
    assert!(acute.contains("Akuttliste for Emma"));
    assert!(acute.contains("<a href=\"tel:+4791234567\">912 34 567</a>"));
    assert!(!acute.contains("Lærer Lise"), "only those who can step in");
    let printable = page(&app, &me, &format!("{case}/map")).await;
    assert!(printable.contains("<svg") && printable.contains("Mormor Kari"));
    assert!(
        !printable.contains(&format!("href=\"{edit_link}")),
        "no edit links on paper"
    );

    let res = app
        .page(&format!("{case}/map.svg?download=1"), &me)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-type"],
        "image/svg+xml; charset=utf-8"
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"nettverkskart-2-")
    );

    // Every page read is in the audit log, by the person, as the API's reads are.
    let reads: Vec<(String, Option<String>)> =
        in_tenant(&mut app.db.app_conn(), staff.tenant, |c| {
            audit_log::table
                .filter(audit_log::action.eq("case.read"))
                .select((audit_log::actor_kind, audit_log::actor_id))
                .load(c)
        })
        .unwrap();
    assert!(reads.len() >= 4, "{reads:?}");
    assert!(
        reads
            .iter()
            .all(|(kind, id)| kind == "user" && id.as_deref() == Some(&staff.user_id.to_string()))
    );
}

#[tokio::test]
async fn a_wrong_person_form_comes_back_with_the_reasons_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    app.create_tenant("alpha", &["4624"]).await;
    let staff = app.staff("alpha", "caseworker").await;
    let me = app.sign_in(&staff).await;
    let case = open_case(&app, &me).await;
    let (status, body) = answer(
        app.form(
            &format!("{case}/persons"),
            &me,
            &person(
                "Kari",
                &[
                    ("category", "cousin"),
                    ("phone", "12 34"),
                    ("email", "kari@"),
                    ("words_text", "Hun er snill"),
                ],
            ),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for expected in [
        "Noe må rettes",
        "<a href=\"#category\">Velg et av alternativene.</a>",
        "<a href=\"#phone\">Skriv et norsk telefonnummer med åtte siffer",
        "<a href=\"#email\">Skriv en gyldig e-postadresse",
        "aria-invalid=\"true\"",
        // What was typed is kept.
        "value=\"12 34\"",
        ">Hun er snill</textarea>",
    ] {
        assert!(body.contains(expected), "the form lacks {expected:?}");
    }
    let persons: i64 = in_tenant(&mut app.db.app_conn(), staff.tenant, |c| {
        tillit::db::schema::network_persons::table
            .count()
            .get_result(c)
    })
    .unwrap();
    assert_eq!(persons, 0);

    let (status, body) = answer(
        app.form(&format!("{case}/revisions"), &me, &[("revised_on", "")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Svar på om barnet deltok."), "{body}");
}

#[tokio::test]
async fn a_case_page_is_not_found_for_staff_not_assigned_and_for_leaders() {
    let app = TestApp::spawn().await;
    app.create_tenant("alpha", &["4624"]).await;
    app.create_tenant("beta", &["4625"]).await;
    let owner = app.staff("alpha", "caseworker").await;
    let owner_in = app.sign_in(&owner).await;
    let case = open_case(&app, &owner_in).await;
    let colleague = app.sign_in(&app.staff("alpha", "coordinator").await).await;
    let admin = app.sign_in(&app.staff("alpha", "tenant_admin").await).await;
    let other = app.sign_in(&app.staff("beta", "caseworker").await).await;
    let leader = app.sign_in(&app.staff("alpha", "leader").await).await;
    for who in [&colleague, &admin, &other, &leader] {
        for path in [
            case.clone(),
            format!("{case}/acute"),
            format!("{case}/map"),
            format!("{case}/map.svg"),
            format!("{case}/revisions"),
            format!("{case}/persons/new"),
        ] {
            let (status, body) = answer(app.page(&path, who).send().await.unwrap()).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert!(body.contains("Fant ikke siden"), "a page, not JSON: {body}");
        }
        let (status, _) = answer(
            app.form(&format!("{case}/persons"), who, &person("Mormor", &[]))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (status, _) = answer(app.page("/cases", &leader).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "leaders see no case list");
    let nav = page(&app, &colleague, "/cases").await;
    assert!(nav.contains("<a href=\"/cases\" aria-current=\"page\">Mine saker</a>"));
    assert!(!nav.contains("Emma"));
    // A form without its token changes nothing.
    let res = app
        .client
        .post(app.url(&format!("{case}/persons")))
        .header("cookie", &owner_in.cookie)
        .form(&person("Mormor", &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(!page(&app, &owner_in, &case).await.contains("Mormor"));
}
