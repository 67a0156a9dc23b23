//! The leader's figures: a count of 3 is "<5" in the page, the CSV and the JSON, and a share
//! computed from it is withheld; the CSV is read back with the `csv` crate; a year out of range
//! is refused; case roles get no figures.

use crate::common;

use chrono::{Datelike, Utc};
use common::{TestApp, expect_problem, json_of};
use serde_json::{Value, json};

/// The leader's figures of `year` as JSON.
async fn figures_of(app: &TestApp, key: &str, year: i32) -> Value {
    app.get_json(&format!("/api/v1/figures?year={year}"), key, 200)
        .await
}

/// The row `code` of the figures.
fn row_of(figures: &Value, code: &str) -> Value {
    figures["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .unwrap_or_else(|| panic!("{code}: {figures}"))
        .clone()
}

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

    let figures = figures_of(&app, &leader.key, year).await;
    assert_eq!(figures["municipalities"], json!(["4640", "4641"]));
    let opened = row_of(&figures, "cases_opened");
    assert_eq!(opened["municipalities"], json!(["<5", 6]), "{figures}");
    assert_eq!(opened["total"], 9);
    let share = row_of(&figures, "mapped_early_share");
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
    app.db.as_admin(
        "INSERT INTO council_answers (tenant_id, meeting_id, participant_id, council_id, response) \
             SELECT tenant_id, meeting_id, participant_id, council_id, 'accept' \
             FROM council_invitations ORDER BY participant_id LIMIT 5",
    );
    let year = Utc::now().year();
    let figures = figures_of(&app, &leader.key, year).await;
    let total = |code: &str| row_of(&figures, code)["total"].clone();
    assert_eq!(total("invited"), 9);
    assert_eq!(total("invitations_answered"), 5);
    assert_eq!(total("answer_rate"), 56, "5 of 9");
    assert_eq!(total("participants_private"), 6, "the relatives");
    assert_eq!(total("participants_public"), "<5", "three teachers: hidden");
}

#[tokio::test]
async fn placements_within_the_childs_network_are_counted_with_their_share() {
    use common::councils::setup;
    let app = TestApp::spawn().await;
    let s = setup(&app, "sunnfjell", json!({"birth_year": 2015})).await;
    let leader = app.staff("sunnfjell", "leader").await;
    // Kinship and network foster homes are kinds of their own among the costly measures.
    let measure = app
        .post_json(
            &format!("/api/v1/cases/{}/measures", s.case),
            &s.staff.key,
            json!({"kind": "kinship_foster_home", "description": "Hos farmor"}),
            201,
        )
        .await;
    assert_eq!(measure["kind"], "kinship_foster_home", "{measure}");
    // Decided this year: two kinship and two network foster homes, another foster home and an
    // institution (placements), and another costly measure (no placement); the proposed one is
    // not decided. And a recruitment decided yes for a home of the child's network.
    let (tenant, case, user) = (s.tenant.0, &s.case, s.staff.user_id);
    let mut sql = String::new();
    for (kind, status) in [
        ("kinship_foster_home", "decided"),
        ("kinship_foster_home", "decided"),
        ("network_foster_home", "decided"),
        ("network_foster_home", "decided"),
        ("foster_home", "decided"),
        ("institution", "decided"),
        ("other", "decided"),
    ] {
        sql.push_str(&format!(
            "INSERT INTO costly_measures (tenant_id, id, case_id, kind, status, decided_at) \
             VALUES ('{tenant}', '{}', '{case}', '{kind}', '{status}', now());",
            uuid::Uuid::new_v4()
        ));
    }
    let (recruitment, candidate) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    sql.push_str(&format!(
        "INSERT INTO recruitments (tenant_id, id, case_id, reason, urgency, fgc_wished, service, created_by) \
         VALUES ('{tenant}', '{recruitment}', '{case}', 'Trenger et hjem', 'ordinary', true, 'municipal', '{user}');
         INSERT INTO recruitment_candidates (tenant_id, id, recruitment_id, case_id, rank, token_hash, answer, answered_at, decision, decision_reason) \
         VALUES ('{tenant}', '{candidate}', '{recruitment}', '{case}', 1, sha256('x'::bytea), 'yes', now(), 'yes', 'Kjenner barnet');
         INSERT INTO recruitment_steps (tenant_id, id, recruitment_id, step, candidate_id, done_on) \
         VALUES ('{tenant}', '{}', '{recruitment}', 'decision', '{candidate}', current_date);",
        uuid::Uuid::new_v4()
    ));
    app.db.as_admin(&sql);

    let year = Utc::now().year();
    let figures = figures_of(&app, &leader.key, year).await;
    let total = |code: &str| row_of(&figures, code)["total"].clone();
    assert_eq!(
        total("placements_decided"),
        7,
        "six measures and the recruitment"
    );
    assert_eq!(
        total("placements_in_network"),
        5,
        "four measures and the recruitment"
    );
    assert_eq!(total("placements_in_network_share"), 71, "5 of 7");

    // The page and the CSV name the rows in Norwegian.
    let who = app.sign_in(&leader).await;
    let html = app.page_text(&format!("/figures?year={year}"), &who).await;
    assert!(html.contains("Plasseringer i barnets familie og nettverk"));
    assert!(html.contains("71 %"));
    let csv = app
        .page_text(&format!("/figures.csv?year={year}"), &who)
        .await;
    assert!(
        csv.contains("Andel plasseringer i familie og nettverk"),
        "{csv}"
    );

    // One placement less in the network: four is hidden, and its share withheld with it.
    app.db.as_admin(
        "DELETE FROM costly_measures WHERE id = (SELECT id FROM costly_measures \
             WHERE kind = 'network_foster_home' LIMIT 1)",
    );
    let figures = figures_of(&app, &leader.key, year).await;
    let row = |code: &str| row_of(&figures, code)["total"].clone();
    assert_eq!(row("placements_in_network"), "<5");
    assert_eq!(row("placements_in_network_share"), "<5");
    assert_eq!(row("placements_decided"), 6);
}

/// Writes, for `staff`'s `case`, `n` councils of `kind` started in `year`, each with a meeting
/// held on 10 March (and one more cancelled, which is not counted), and a plan whose agreed
/// evaluation date is 1 June, `met` of them evaluated on 20 May.
fn held_history(
    app: &TestApp,
    staff: &common::Staff,
    case: &str,
    kind: &str,
    n: i32,
    met: i32,
    year: i32,
) {
    let (tenant, user) = (staff.tenant.0, staff.user_id);
    app.db.as_admin(&format!(
            "WITH k AS (
               INSERT INTO councils (tenant_id, id, case_id, kind, state, coordinator_id, created_by, created_at)
               SELECT '{tenant}', gen_random_uuid(), '{case}', '{kind}', 'follow_up', '{user}', '{user}',
                      '{year}-02-01 10:00+01'
                 FROM generate_series(1, {n}) RETURNING tenant_id, id, case_id),
             held AS (
               INSERT INTO council_meetings (tenant_id, id, council_id, starts_at, duration_minutes,
                                             agenda, calendar_uid, confirmed_at)
               SELECT tenant_id, gen_random_uuid(), id, '{year}-03-10 10:00+01', 90, '[]',
                      gen_random_uuid(), '{year}-03-01 10:00+01' FROM k),
             cancelled AS (
               INSERT INTO council_meetings (tenant_id, id, council_id, starts_at, duration_minutes,
                                             agenda, status, cancelled_at, calendar_uid)
               SELECT tenant_id, gen_random_uuid(), id, '{year}-03-03 10:00+01', 90, '[]',
                      'cancelled', '{year}-03-01 10:00+01', gen_random_uuid() FROM k),
             p AS (
               INSERT INTO plans (tenant_id, id, council_id, case_id, status, evaluation_on,
                                  evaluation_way, created_by)
               SELECT tenant_id, gen_random_uuid(), id, case_id, 'approved', '{year}-06-01',
                      'follow_up_meeting', '{user}'
                 FROM k RETURNING tenant_id, id),
             v AS (
               INSERT INTO plan_versions (tenant_id, plan_id, version, change, content)
               SELECT tenant_id, id, 1, 'evaluation_defined',
                      jsonb_build_object('evaluation_on', '{year}-06-01') FROM p)
             INSERT INTO plan_evaluations (tenant_id, id, plan_id, held_on, took_part, child_view,
                                           parents_view, decision, recorded_by)
             SELECT tenant_id, gen_random_uuid(), id, '{year}-05-20', 'Familien', 'Bra', 'Bra',
                    'end', '{user}'
               FROM p ORDER BY id LIMIT {met}"
        ));
}

#[tokio::test]
async fn meetings_held_and_evaluations_by_their_agreed_date_are_counted() {
    let app = TestApp::spawn().await;
    app.create_tenant("sunnfjell", &["4640", "4641"]).await;
    let worker = app.staff("sunnfjell", "coordinator").await;
    let leader = app.staff("sunnfjell", "leader").await;
    let mut cases = Vec::new();
    for municipality in ["4640", "4641"] {
        let case = app
            .post_json(
                "/api/v1/cases",
                &worker.key,
                json!({ "child": { "first_name": "Barn", "last_name": "Li", "birth_year": 2015 },
                    "municipality": municipality }),
                201,
            )
            .await;
        cases.push(case["id"].as_str().unwrap().to_owned());
    }
    let year = Utc::now().year() - 1;
    // Sogndal: six family group conferences held, five evaluated before the agreed date.
    held_history(
        &app,
        &worker,
        &cases[0],
        "family_group_conference",
        6,
        5,
        year,
    );
    // Luster: three network meeting series held, two evaluated in time.
    held_history(
        &app,
        &worker,
        &cases[1],
        "network_meeting_series",
        3,
        2,
        year,
    );
    // One more plan in Sogndal whose date moved: evaluated on 25 January before its first
    // date (1 February), then agreed again for 1 September and not evaluated since.
    diesel::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "WITH k AS (
               INSERT INTO councils (tenant_id, id, case_id, kind, state, coordinator_id, created_by, created_at)
               VALUES ('{t}', gen_random_uuid(), '{case}', 'network_council', 'follow_up', '{u}', '{u}',
                       '{year}-01-05 10:00+01') RETURNING tenant_id, id, case_id),
             p AS (
               INSERT INTO plans (tenant_id, id, council_id, case_id, status, evaluation_on,
                                  evaluation_way, created_by)
               SELECT tenant_id, gen_random_uuid(), id, case_id, 'approved', '{year}-09-01',
                      'follow_up_meeting', '{u}'
                 FROM k RETURNING tenant_id, id),
             v AS (
               INSERT INTO plan_versions (tenant_id, plan_id, version, change, content)
               SELECT tenant_id, id, n, 'evaluation_defined', jsonb_build_object('evaluation_on', d)
                 FROM p, (VALUES (1, '{year}-02-01'), (2, '{year}-09-01')) AS dates (n, d))
             INSERT INTO plan_evaluations (tenant_id, id, plan_id, held_on, took_part, child_view,
                                           parents_view, decision, next_evaluation_on, recorded_by)
             SELECT tenant_id, gen_random_uuid(), id, '{year}-01-25', 'Familien', 'Bra', 'Bra',
                    'continue', '{year}-09-01', '{u}' FROM p",
            t = worker.tenant.0,
            u = worker.user_id,
            case = cases[0],
        )),
        &mut app.db.admin_conn(),
    )
    .unwrap();

    let figures = figures_of(&app, &leader.key, year).await;
    let row = |code: &str| row_of(&figures, code);
    let cells = |code: &str| {
        let r = row(code);
        (r["municipalities"].clone(), r["total"].clone())
    };
    assert_eq!(
        cells("meetings_familierad"),
        (json!([6, 0]), json!(6)),
        "the cancelled meetings are not held"
    );
    assert_eq!(
        cells("meetings_nettverksmoter"),
        (json!([0, "<5"]), json!("<5"))
    );
    assert_eq!(cells("meetings_annet"), (json!([0, 0]), json!(0)));
    assert_eq!(
        cells("evaluations_agreed"),
        (json!([8, "<5"]), json!(11)),
        "the moved plan had two dates"
    );
    assert_eq!(cells("evaluations_on_time"), (json!([6, "<5"]), json!(8)));
    assert_eq!(
        cells("evaluations_on_time_share"),
        (json!([75, "<5"]), json!(73)),
        "the share of a hidden count is withheld"
    );
    // Nothing was held this year.
    let now = figures_of(&app, &leader.key, year + 1).await;
    let held_now = row_of(&now, "meetings_familierad")["total"].clone();
    assert_eq!(held_now, 0);

    let who = app.sign_in(&leader).await;
    let page = app.page_text(&format!("/figures?year={year}"), &who).await;
    let row_of = |label: &str| {
        page.split(&format!("{label}</th>"))
            .nth(1)
            .unwrap_or_else(|| panic!("{label}"))
            .split("</tr>")
            .next()
            .unwrap()
            .to_owned()
    };
    assert!(row_of("Møter holdt: familieråd").contains("<td>6</td>"));
    assert!(row_of("Møter holdt: nettverksmøter").contains("<td>&#60;5</td>"));
    let share = row_of("Andel evalueringer holdt innen avtalt dato");
    assert!(
        share.contains("<td>75 %</td>") && share.contains("<td>&#60;5</td>"),
        "{share}"
    );
    let csv = app
        .page_text(&format!("/figures.csv?year={year}"), &who)
        .await;
    assert!(
        csv.contains(&format!(
            "{year},Evalueringer holdt innen avtalt dato,4640,6"
        )),
        "{csv}"
    );
    assert!(csv.contains(&format!("{year},Møter holdt: nettverksmøter,4641,<5")));
}

#[tokio::test]
async fn the_figures_follow_each_change_and_each_meeting_that_begins() {
    let app = TestApp::spawn().await;
    app.create_tenant("sunnfjell", &["4640", "4641"]).await;
    let worker = app.staff("sunnfjell", "coordinator").await;
    let leader = app.staff("sunnfjell", "leader").await;
    let case = app
        .post_json(
            "/api/v1/cases",
            &worker.key,
            json!({ "child": { "first_name": "Barn", "last_name": "Li", "birth_year": 2015 },
                "municipality": "4640" }),
            201,
        )
        .await;
    let year = Utc::now().year();
    let held = || async {
        let figures = app
            .get_json(&format!("/api/v1/figures?year={year}"), &leader.key, 200)
            .await;
        figures["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == "meetings_familierad")
            .unwrap_or_else(|| panic!("{figures}"))["total"]
            .clone()
    };
    // Six family group conferences whose meetings begin in three seconds.
    diesel::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "WITH k AS (
               INSERT INTO councils (tenant_id, id, case_id, kind, state, coordinator_id, created_by)
               SELECT '{t}', gen_random_uuid(), '{case}', 'family_group_conference', 'preparation',
                      '{u}', '{u}'
                 FROM generate_series(1, 6) RETURNING tenant_id, id)
             INSERT INTO council_meetings (tenant_id, id, council_id, starts_at, duration_minutes,
                                           agenda, calendar_uid)
             SELECT tenant_id, gen_random_uuid(), id, now() + interval '3 seconds', 90, '[]',
                    gen_random_uuid() FROM k",
            t = worker.tenant.0,
            u = worker.user_id,
            case = case["id"].as_str().unwrap(),
        )),
        &mut app.db.admin_conn(),
    )
    .unwrap();
    assert_eq!(held().await, 0, "not begun yet");
    assert_eq!(held().await, 0, "read again");
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    assert_eq!(held().await, 6, "begun since the figures were read");
    diesel::RunQueryDsl::execute(
        diesel::sql_query(
            "UPDATE council_meetings SET status = 'cancelled', cancelled_at = now()
              WHERE id = (SELECT id FROM council_meetings LIMIT 1)",
        ),
        &mut app.db.admin_conn(),
    )
    .unwrap();
    assert_eq!(held().await, 5, "one cancelled since");
}
