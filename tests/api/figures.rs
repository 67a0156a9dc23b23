//! The leader's figures: a count of 3 is "<5" in the page, the CSV and the JSON, and a share
//! computed from it is withheld; the CSV is read back with the `csv` crate; a year out of range
//! is refused; case roles get no figures.

use crate::common;

use chrono::{Datelike, Utc};
use common::{TestApp, expect_problem, json_of};
use serde_json::json;

#[tokio::test]
async fn a_figure_of_three_is_shown_as_under_five_everywhere() {
    let app = TestApp::spawn().await;
    app.create_tenant("sunnfjell", &["4640", "4641"]).await;
    let worker = app.staff("sunnfjell", "caseworker").await;
    let leader = app.staff("sunnfjell", "leader").await;
    for (municipality, n) in [("4640", 3), ("4641", 6)] {
        for i in 0..n {
            app.post_json(
                "/api/v1/cases",
                &worker.key,
                json!({ "child": { "first_name": format!("Barn{i}"), "last_name": "Li",
                    "birth_year": 2015 }, "municipality": municipality }),
                201,
            )
            .await;
        }
    }
    let year = Utc::now().year();

    let figures = app
        .get_json(&format!("/api/v1/figures?year={year}"), &leader.key, 200)
        .await;
    assert_eq!(figures["municipalities"], json!(["4640", "4641"]));
    let opened = figures["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "cases_opened")
        .unwrap();
    assert_eq!(opened["municipalities"], json!(["<5", 6]), "{figures}");
    assert_eq!(opened["total"], 9);
    let share = figures["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "mapped_early_share")
        .unwrap();
    assert_eq!(
        share["municipalities"][0], "<5",
        "a share of a hidden count is withheld"
    );
    assert!(!figures.to_string().contains("Barn"), "no names");

    let who = app.sign_in(&leader).await;
    let res = app
        .page(&format!("/figures.csv?year={year}"), &who)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let cell = |municipality: &str| {
        rows.iter()
            .find(|r| r[1] == "Saker opprettet" && r[2] == municipality)
            .map(|r| r[3].clone())
    };
    assert_eq!(cell("4640").as_deref(), Some("<5"), "{text}");
    assert_eq!(cell("4641").as_deref(), Some("6"));
    assert!(!text.contains(",3\n"), "the hidden count is nowhere");

    let res = app
        .page(&format!("/figures?year={year}"), &who)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(page.contains("<td>&#60;5</td>"), "{page}");
    assert!(page.contains("<svg"), "the charts are drawn on the server");
    assert!(
        page.contains("<th scope=\"col\">4640 Sogndal</th>"),
        "a column is named by its municipality"
    );
    let row = page.split("Saker opprettet</th>").nth(1).unwrap();
    let row = row.split("</tr>").next().unwrap();
    assert!(
        row.contains("<td>&#60;5</td>") && !row.contains(">3<"),
        "{row}"
    );
}

#[tokio::test]
async fn a_year_out_of_range_is_refused_and_case_roles_get_no_figures() {
    let app = TestApp::spawn().await;
    app.create_tenant("fjordvik", &["4624"]).await;
    let leader = app.staff("fjordvik", "leader").await;
    let worker = app.staff("fjordvik", "caseworker").await;
    for year in ["1999", "3000", "i fjor"] {
        let res = app
            .get(&format!("/api/v1/figures?year={year}"), &leader.key)
            .send()
            .await
            .unwrap();
        let body = expect_problem(res, 422, "validation").await;
        assert_eq!(body["errors"][0]["field"], "year");
    }
    let who = app.sign_in(&leader).await;
    let res = app.page("/figures?year=1999", &who).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("Skriv et år fra 2000 til i år"));
    assert!(page.contains(r#"value="1999""#), "the year typed is kept");

    let res = app
        .get("/api/v1/figures", &worker.key)
        .send()
        .await
        .unwrap();
    expect_problem(res, 403, "forbidden").await;
    json_of(
        app.get("/api/v1/figures", &leader.key)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
}

#[tokio::test]
async fn invitation_answer_rates_and_the_private_and_public_participants_are_counted() {
    use common::councils::{local, setup};
    let app = TestApp::spawn().await;
    let s = setup(&app, "sunnfjell", json!({"birth_year": 2015})).await;
    let leader = app.staff("sunnfjell", "leader").await;
    // Three councils, each with the whole map on its team (two relatives, one teacher), invited
    // to a meeting.
    for (kind, day) in [
        ("network_council", 5),
        ("family_group_conference", 6),
        ("network_meeting_series", 7),
    ] {
        let (council, _) = s.ready_council(&app, kind).await;
        let (_, meeting) = s
            .schedule(
                &app,
                &council,
                json!({"starts_at": local(day, 18), "place": "Biblioteket"}),
            )
            .await;
        s.invite(&app, &council, &meeting).await;
    }
    // Five of the nine answer.
    diesel::RunQueryDsl::execute(
        diesel::sql_query(
            "INSERT INTO council_answers (tenant_id, meeting_id, participant_id, council_id, response) \
             SELECT tenant_id, meeting_id, participant_id, council_id, 'accept' \
             FROM council_invitations ORDER BY participant_id LIMIT 5",
        ),
        &mut app.db.admin_conn(),
    )
    .unwrap();
    let year = Utc::now().year();
    let figures = app
        .get_json(&format!("/api/v1/figures?year={year}"), &leader.key, 200)
        .await;
    let total = |code: &str| {
        figures["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == code)
            .unwrap_or_else(|| panic!("{code}: {figures}"))["total"]
            .clone()
    };
    assert_eq!(total("invited"), 9);
    assert_eq!(total("invitations_answered"), 5);
    assert_eq!(total("answer_rate"), 56, "5 of 9");
    assert_eq!(total("participants_private"), 6, "the relatives");
    assert_eq!(total("participants_public"), "<5", "three teachers: hidden");
}
