//! The registration of a network measure over HTTP against real PostgreSQL: what Tillit knows
//! (the case's opening, the plan's approval and goals, the evaluation, the child's part, the
//! school on the team) is shown "fra Tillit" and not asked; the rest is saved from the form and
//! completes the registration, and the council page's prompt goes away; wrong answers come back
//! at their fields with what was typed and nothing kept; a caseworker of another case and a
//! leader cannot open it; and the leader's export, as JSON and CSV, holds no name, no id and no
//! free text.

use crate::common;

use chrono::{Datelike, Utc};
use common::{SignedIn, Staff, TestApp, expect_problem};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use tillit::db::in_tenant;

/// The seeded case's one council (a network council): its meeting held two days ago, its plan
/// approved yesterday, a teacher from the school on its team. Returns (case id, council id).
fn held_council(app: &TestApp, staff: &Staff, approved: bool) -> (String, String) {
    common::seed_case(&app.db, staff);
    // The seed's registration (for the isolation tests) is not this test's.
    app.db
        .admin_conn()
        .batch_execute("DELETE FROM measure_registrations")
        .expect("no registration yet");
    #[derive(QueryableByName)]
    struct Ids {
        #[diesel(sql_type = diesel::sql_types::Text)]
        case_id: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        council_id: String,
    }
    let tenant = staff.tenant.0;
    in_tenant(&mut app.db.app_conn(), staff.tenant, |c| {
        let ids: Ids = diesel::sql_query(
            "SELECT case_id::text AS case_id, id::text AS council_id FROM councils LIMIT 1",
        )
        .get_result(c)?;
        let approved_at = if approved { "now() - interval '1 day'" } else { "NULL" };
        c.batch_execute(&format!(
            "UPDATE council_meetings SET starts_at = now() - interval '2 days';
             UPDATE plans SET approved_at = {approved_at};
             INSERT INTO network_persons (tenant_id, id, case_id, name, category, side, lineage, closeness, quality)
               VALUES ('{tenant}', gen_random_uuid(), '{case}', 'Lærer Lund', 'school', 'public', 'not_applicable', 'medium', 'supportive');
             INSERT INTO council_participants (tenant_id, id, council_id, case_id, person_id, meeting_role, side)
               SELECT '{tenant}', gen_random_uuid(), '{council}', '{case}', id, 'participant', 'public'
                 FROM network_persons WHERE name = 'Lærer Lund';",
            case = ids.case_id,
            council = ids.council_id,
        ))?;
        Ok::<_, diesel::result::Error>((ids.case_id, ids.council_id))
    })
    .expect("a held council")
}

async fn page(app: &TestApp, path: &str, who: &SignedIn) -> (u16, String) {
    let res = app.page(path, who).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

fn kept(app: &TestApp, staff: &Staff) -> i64 {
    in_tenant(&mut app.db.app_conn(), staff.tenant, |c| {
        tillit::db::schema::measure_registrations::table
            .count()
            .get_result(c)
    })
    .expect("count")
}

/// Every question the form still asks, answered "yes" where it can be and otherwise with the
/// list's first choice.
const ANSWERS: &[(&str, &str)] = &[
    ("lives_with", "mother"),
    ("children_in_household", "2"),
    ("born_in", "norway"),
    ("interpreter_used", "no"),
    ("ground_child", "yes"),
    ("ground_care", "yes"),
    ("ground_surroundings", "no"),
    ("measures", "support_contact"),
    ("measures", "financial"),
    ("measure_plan", "yes"),
    ("mother_involved", "yes"),
    ("mother_consented", "yes"),
    ("father_involved", "no"),
    ("father_consented", "no"),
    ("child_consented", "no"),
    ("responsibility_group", "no"),
    ("desired_effect", "partly"),
    ("continue_reasons", "need_remains"),
];

#[tokio::test]
async fn what_tillit_knows_is_filled_in_and_the_rest_is_asked_once() {
    let app = TestApp::spawn().await;
    app.create_tenant("fjordvik", &["4624"]).await;
    let worker = app.staff("fjordvik", "caseworker").await;
    let (case, council) = held_council(&app, &worker, true);
    let who = app.sign_in(&worker).await;
    let path = format!("/cases/{case}/councils/{council}/registration");

    // The council page links to it and, the meeting held, prompts for it.
    let (status, overview) = page(&app, &format!("/cases/{case}/councils/{council}"), &who).await;
    assert_eq!(status, 200);
    assert!(overview.contains(&format!("href=\"{path}\"")), "{overview}");
    assert!(
        overview.contains("id=\"registration-prompt\""),
        "{overview}"
    );

    let (status, form) = page(&app, &path, &who).await;
    assert_eq!(status, 200);
    // The plan was approved a day ago; the page gives the day on the service's clock (Oslo),
    // which around midnight UTC is not the day in UTC.
    let approved_on = (Utc::now() - chrono::Duration::days(1))
        .with_timezone(&chrono_tz::Europe::Oslo)
        .date_naive();
    for (known, words) in [
        ("years_known", "Saken ble opprettet".to_owned()),
        (
            "decision_on",
            format!("Planen ble godkjent {}", approved_on.format("%d.%m.%Y")),
        ),
        ("decision_kind", "Plan godkjent av nettverket".to_owned()),
        ("child_involved", "Barnet har skrevet selv".to_owned()),
        (
            "other_services",
            "I teamet fra andre tjenester: Skole".to_owned(),
        ),
        ("goal_set", "«Rolig hjemme»".to_owned()),
        ("delivered", "Fra evalueringen".to_owned()),
        ("evaluation_documented", "Fra evalueringen".to_owned()),
        ("evaluation_in_meeting", "Med: Alle".to_owned()),
        ("evaluated_by", "Familien og nettverket".to_owned()),
    ] {
        let block = form
            .split(&format!("<div class=\"known\" id=\"{known}\">"))
            .nth(1)
            .unwrap_or_else(|| panic!("{known} is shown from Tillit: {form}"));
        let block = block.split("</div>").next().unwrap();
        assert!(block.contains("fra Tillit"), "{known}: {block}");
        assert!(block.contains(&words), "{known}: {block}");
        assert!(
            !form.contains(&format!("name=\"{known}\"")),
            "{known} is not asked"
        );
    }
    for asked in [
        "lives_with",
        "children_in_household",
        "born_in",
        "child_consented",
    ] {
        assert!(
            form.contains(&format!("name=\"{asked}\"")),
            "{asked} is asked"
        );
    }
    assert!(form.contains("Ikke fullført"));

    // Half the answers first: saved, still not complete.
    let res = app.form(&path, &who, &ANSWERS[..4]).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let (_, half) = page(&app, &format!("{path}?saved=1"), &who).await;
    assert!(half.contains("Svarene er lagret."));
    assert!(half.contains("Ikke fullført"), "{half}");
    assert!(
        half.contains(
            r#"id="lives_with-mother" name="lives_with" type="radio" value="mother" checked"#
        ),
        "the answer given is kept"
    );
    // Then the whole form, as the browser posts it with the answers given before.
    let res = app.form(&path, &who, ANSWERS).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let (_, done) = page(&app, &path, &who).await;
    assert!(done.contains("Registreringen er fullført"), "{done}");
    let (_, overview) = page(&app, &format!("/cases/{case}/councils/{council}"), &who).await;
    assert!(
        !overview.contains("id=\"registration-prompt\""),
        "no prompt once complete"
    );

    let actions = crate::access::audit_actions(&app, worker.tenant);
    for action in ["registration.read", "registration.save"] {
        assert!(
            actions.iter().any(|(a, o)| a == action && o == "success"),
            "{action}: {actions:?}"
        );
    }
}

#[tokio::test]
async fn wrong_answers_come_back_at_their_fields_with_what_was_typed() {
    let app = TestApp::spawn().await;
    app.create_tenant("fjordvik", &["4624"]).await;
    let worker = app.staff("fjordvik", "caseworker").await;
    let (case, council) = held_council(&app, &worker, false);
    let who = app.sign_in(&worker).await;
    let path = format!("/cases/{case}/councils/{council}/registration");
    let next_year = format!("{}-01-15", Utc::now().year() + 1);
    let res = app
        .form(
            &path,
            &who,
            &[
                ("lives_with", "grandmother"),
                ("children_in_household", "tre"),
                ("decision_on", &next_year),
                ("born_in", "abroad"),
                ("measures", "financial"),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("Noen svar må rettes"));
    for (field, message) in [
        ("lives_with", "Velg et av alternativene i listen."),
        (
            "children_in_household",
            "Skriv et helt tall, for eksempel 2.",
        ),
        ("decision_on", "Datoen kan ikke være"),
    ] {
        assert!(
            page.contains(&format!("<a href=\"#{field}\">{message}")),
            "{field} in the summary: {page}"
        );
        let at = page
            .split(&format!("id=\"{field}-error\">"))
            .nth(1)
            .unwrap_or_else(|| panic!("{field}'s message at the field: {page}"));
        assert!(at.starts_with(message), "{field}: {at}");
    }
    assert!(page.contains(r#"value="tre""#), "what was typed is kept");
    assert!(page.contains(&format!(r#"value="{next_year}""#)));
    assert!(
        page.contains(r#"id="born_in-abroad" name="born_in" type="radio" value="abroad" checked"#),
        "a right answer in the same form is kept too"
    );
    assert!(page.contains(r#"value="financial" checked"#));
    assert_eq!(kept(&app, &worker), 0, "nothing is kept");
}

#[tokio::test]
async fn only_the_cases_staff_open_it() {
    let app = TestApp::spawn().await;
    app.create_tenant("fjordvik", &["4624"]).await;
    let worker = app.staff("fjordvik", "caseworker").await;
    let (case, council) = held_council(&app, &worker, true);
    let path = format!("/cases/{case}/councils/{council}/registration");
    for role in ["caseworker", "coordinator", "leader"] {
        let other = app.staff("fjordvik", role).await;
        let who = app.sign_in(&other).await;
        let (status, _) = page(&app, &path, &who).await;
        assert_eq!(status, 404, "{role} of another case");
        let res = app
            .form(&path, &who, &[("lives_with", "mother")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 404, "{role} cannot save");
    }
    assert_eq!(kept(&app, &worker), 0, "nothing written");
}

#[tokio::test]
async fn the_leaders_export_holds_no_name_id_or_free_text() {
    let app = TestApp::spawn().await;
    app.create_tenant("fjordvik", &["4624"]).await;
    let worker = app.staff("fjordvik", "caseworker").await;
    let leader = app.staff("fjordvik", "leader").await;
    let (case, council) = held_council(&app, &worker, true);
    let who = app.sign_in(&worker).await;
    let path = format!("/cases/{case}/councils/{council}/registration");
    let res = app.form(&path, &who, ANSWERS).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let year = Utc::now().year();

    let export = app
        .get_json(
            &format!("/api/v1/figures/registrations?year={year}"),
            &leader.key,
            200,
        )
        .await;
    let rows = export["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{export}");
    let row = &rows[0];
    assert_eq!(row["number"], 1);
    assert_eq!(row["kind"], "network_council");
    assert_eq!(row["complete"], true, "{row}");
    assert_eq!(row["answers"]["lives_with"], serde_json::json!(["mother"]));
    assert_eq!(row["answers"]["other_services"], serde_json::json!(["yes"]));
    let month = (Utc::now().date_naive() - chrono::Duration::days(1))
        .format("%Y-%m")
        .to_string();
    assert_eq!(row["answers"]["decision_on"], serde_json::json!([month]));

    let who_leads = app.sign_in(&leader).await;
    let res = app
        .page(
            &format!("/figures/registrations.csv?year={year}"),
            &who_leads,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let csv_text = res.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let heading: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(heading[0], "Nr.");
    assert!(
        heading
            .iter()
            .any(|h| h == "Hvem bor barnet hos i det daglige?")
    );
    let records: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(records.len(), 1);
    assert!(records[0].iter().any(|c| c == "Mor"), "{csv_text}");

    for text in [export.to_string(), csv_text] {
        for secret in [
            "Emma",
            "Testesen",
            "Mormor",
            "Lærer Lund",
            "Rolig hjemme",
            "Alle",
            case.as_str(),
            council.as_str(),
        ] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
    }

    // Case roles get no export.
    let res = app
        .get(
            &format!("/api/v1/figures/registrations?year={year}"),
            &worker.key,
        )
        .send()
        .await
        .unwrap();
    expect_problem(res, 403, "forbidden").await;
}
