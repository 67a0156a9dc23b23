//! Finding a case: the case's own reference and the child's home municipality, and the case
//! list's search by the child's name among the caller's cases only, its filters (phase, acute,
//! prompt), its orders and its pages; an unknown filter value is refused at its field with
//! everything typed kept.

use crate::common;

use common::{Staff, TestApp, expect_problem, json_of};
use serde_json::{Value, json};

fn child(first: &str, last: &str) -> Value {
    json!({
        "first_name": first,
        "last_name": last,
        "birth_year": 2014,
        "gender": "unspecified",
    })
}

async fn open(app: &TestApp, who: &Staff, body: Value) -> Value {
    json_of(
        app.post("/api/v1/cases", &who.key)
            .json(&body)
            .send()
            .await
            .unwrap(),
        201,
    )
    .await
}

async fn list(app: &TestApp, who: &Staff, query: &str) -> (Vec<Value>, i64) {
    let res = app
        .get(&format!("/api/v1/cases{query}"), &who.key)
        .send()
        .await
        .unwrap();
    let total: i64 = res
        .headers()
        .get("x-total-count")
        .expect("a total")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let body = json_of(res, 200).await;
    (body.as_array().expect("a list").clone(), total)
}

/// Asserts a 422 that names `field` first.
async fn invalid(res: reqwest::Response, field: &str) {
    let body = expect_problem(res, 422, "validation").await;
    assert_eq!(body["errors"][0]["field"], field, "{body}");
}

fn names(cases: &[Value]) -> Vec<String> {
    cases
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                c["child_first_name"].as_str().unwrap(),
                c["child_last_name"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test]
async fn a_case_has_its_reference_and_one_of_the_services_municipalities() {
    let app = TestApp::spawn().await;
    app.create_tenant("sunnfjell", &["4640", "4641"]).await;
    let worker = app.staff("sunnfjell", "caseworker").await;

    // A service of two municipalities must be told which is the child's.
    let res = app
        .post("/api/v1/cases", &worker.key)
        .json(&json!({ "child": child("Ada", "Li") }))
        .send()
        .await
        .unwrap();
    invalid(res, "municipality").await;
    let res = app
        .post("/api/v1/cases", &worker.key)
        .json(&json!({ "child": child("Ada", "Li"), "municipality": "4601" }))
        .send()
        .await
        .unwrap();
    invalid(res, "municipality").await;
    let (none, _) = list(&app, &worker, "").await;
    assert!(none.is_empty(), "a refused case writes nothing");

    let case = open(
        &app,
        &worker,
        json!({ "child": child("Ada", "Li"), "municipality": "4641", "reference": "2026/117" }),
    )
    .await;
    assert_eq!(case["municipality"], "4641");
    assert_eq!(case["reference"], "2026/117");

    // The reference is the service's own number: no two cases share it.
    let res = app
        .post("/api/v1/cases", &worker.key)
        .json(
            &json!({ "child": child("Bo", "Li"), "municipality": "4640", "reference": "2026/117" }),
        )
        .send()
        .await
        .unwrap();
    invalid(res, "reference").await;

    // Changed later, and checked the same way.
    let id = case["id"].as_str().unwrap();
    let res = app
        .patch(&format!("/api/v1/cases/{id}"), &worker.key)
        .json(&json!({ "municipality": "0301" }))
        .send()
        .await
        .unwrap();
    invalid(res, "municipality").await;
    let changed = app
        .patch_json(
            &format!("/api/v1/cases/{id}"),
            &worker.key,
            json!({ "municipality": "4640", "reference": "" }),
            200,
        )
        .await;
    assert_eq!(changed["municipality"], "4640");
    assert_eq!(changed["reference"], Value::Null);
}

#[tokio::test]
async fn the_list_searches_filters_sorts_and_pages_only_the_callers_cases() {
    let app = TestApp::spawn().await;
    app.create_tenant("fjordvik", &["4624"]).await;
    let worker = app.staff("fjordvik", "caseworker").await;
    let colleague = app.staff("fjordvik", "caseworker").await;

    for n in 0..55 {
        let mut body = json!({ "child": child(&format!("Barn{n:02}"), "Hansen") });
        if n % 5 == 0 {
            body["acute"] = json!(true);
        }
        if n % 11 == 0 {
            body["phase"] = json!("care");
        }
        open(&app, &worker, body).await;
    }
    open(&app, &worker, json!({ "child": child("Åse", "Fjellheim") })).await;
    // A colleague's case with the same name: never found by the worker.
    open(
        &app,
        &colleague,
        json!({ "child": child("Åse", "Fjellheim") }),
    )
    .await;

    // Pages of 50, with the total.
    let (first, total) = list(&app, &worker, "").await;
    assert_eq!((first.len(), total), (50, 56));
    let (second, _) = list(&app, &worker, "?page=2").await;
    assert_eq!(second.len(), 6);
    assert!(
        first[..11].iter().all(|c| c["acute"] == true) && first[11]["acute"] == false,
        "acute cases first by default"
    );

    // The child's name, any word, any case.
    let (found, total) = list(&app, &worker, "?q=fjellh").await;
    assert_eq!(
        (names(&found), total),
        (vec!["Åse Fjellheim".to_owned()], 1)
    );
    let (found, _) = list(&app, &worker, "?q=%C3%A5se%20FJELLHEIM").await;
    assert_eq!(found.len(), 1, "every word, whatever its case");
    let (found, _) = list(&app, &worker, "?q=barn0%25").await;
    assert!(found.is_empty(), "LIKE's wildcards are taken literally");

    // Filters combine.
    let (care, total) = list(&app, &worker, "?phase=care").await;
    assert_eq!(total, 5);
    assert!(care.iter().all(|c| c["phase"] == "care"));
    let (acute_care, total) = list(&app, &worker, "?phase=care&acute=yes").await;
    assert_eq!(total, 1, "{acute_care:?}");
    let (_, not_acute) = list(&app, &worker, "?acute=no").await;
    assert_eq!(not_acute, 56 - 11);

    // Prompts: nobody is mapped yet, so every case lacks a map and none lacks a side.
    let (no_map, total) = list(&app, &worker, "?prompt=no_map&page=2").await;
    assert_eq!((no_map.len(), total), (6, 56));
    assert!(no_map.iter().all(|c| c["prompts"][0]["code"] == "no_map"));
    let (_, total) = list(&app, &worker, "?prompt=missing_side").await;
    assert_eq!(total, 0);

    // Orders.
    let (by_name, _) = list(&app, &worker, "?sort=name").await;
    assert_eq!(names(&by_name)[0], "Åse Fjellheim");
    let (oldest, _) = list(&app, &worker, "?sort=opened_asc").await;
    assert_eq!(names(&oldest)[0], "Barn00 Hansen");
}

#[tokio::test]
async fn an_unknown_filter_value_is_refused_at_its_field_with_the_search_kept() {
    let app = TestApp::spawn().await;
    app.create_tenant("fjordvik", &["4624"]).await;
    let worker = app.staff("fjordvik", "caseworker").await;
    open(&app, &worker, json!({ "child": child("Ada", "Li") })).await;

    for (query, field) in [
        ("?phase=sleeping", "phase"),
        ("?acute=maybe", "acute"),
        ("?prompt=lonely", "prompt"),
        ("?sort=random", "sort"),
        ("?page=0", "page"),
    ] {
        let res = app
            .get(&format!("/api/v1/cases{query}"), &worker.key)
            .send()
            .await
            .unwrap();
        invalid(res, field).await;
    }

    let who = app.sign_in(&worker).await;
    let res = app
        .page("/cases?q=Ada&phase=sleeping", &who)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Velg en av fasene i lista."),
        "the reason in Norwegian"
    );
    assert!(
        page.contains(r##"href="#search-phase""##),
        "the summary links to the field"
    );
    assert!(page.contains(r#"value="Ada""#), "the name typed is kept");
    assert!(
        page.contains(r#"<option value="sleeping" selected>"#),
        "the wrong value is shown where it was chosen"
    );

    let res = app
        .page("/cases?q=ada&acute=no", &who)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(page.contains("1 saker funnet."), "{page}");
    assert!(page.contains("Ada Li"));
}

#[tokio::test]
async fn a_leader_reassigns_a_case_by_its_reference_without_seeing_it() {
    let app = TestApp::spawn().await;
    app.create_tenant("fjordvik", &["4624"]).await;
    app.create_tenant("havby", &["4625"]).await;
    let leaving = app.staff("fjordvik", "coordinator").await;
    let taking = app.staff("fjordvik", "caseworker").await;
    let leader = app.staff("fjordvik", "leader").await;
    let other_leader = app.staff("fjordvik", "leader").await;
    let outsider = app.staff("havby", "caseworker").await;
    let case = open(
        &app,
        &leaving,
        json!({ "child": child("Ada", "Li"), "reference": "2026/7" }),
    )
    .await;
    let reassign = |body: Value| {
        app.post("/api/v1/case-assignments", &leader.key)
            .json(&body)
            .send()
    };

    // Someone of another service, a leader (no case role), an unknown reference: refused.
    let res = reassign(json!({ "reference": "2026/7", "user_id": outsider.user_id }))
        .await
        .unwrap();
    invalid(res, "user_id").await;
    let res = reassign(json!({ "reference": "2026/7", "user_id": other_leader.user_id }))
        .await
        .unwrap();
    invalid(res, "user_id").await;
    let res = reassign(json!({ "reference": "2026/8", "user_id": taking.user_id }))
        .await
        .unwrap();
    invalid(res, "reference").await;
    // A case role cannot use it.
    let res = app
        .post("/api/v1/case-assignments", &taking.key)
        .json(&json!({ "reference": "2026/7", "user_id": taking.user_id }))
        .send()
        .await
        .unwrap();
    expect_problem(res, 403, "forbidden").await;
    let (still, _) = list(&app, &taking, "").await;
    assert!(still.is_empty(), "nothing was written");

    let done = json_of(
        reassign(json!({ "reference": "2026/7", "user_id": taking.user_id,
            "instead_of": leaving.user_id }))
        .await
        .unwrap(),
        200,
    )
    .await;
    assert_eq!(done["case_id"], case["id"]);
    assert_eq!(done["assigned"], json!([taking.user_id]));
    assert!(done.get("child").is_none(), "ids only, no case data");
    let (theirs, _) = list(&app, &taking, "").await;
    assert_eq!(names(&theirs), vec!["Ada Li".to_owned()]);
    let (gone, _) = list(&app, &leaving, "").await;
    assert!(gone.is_empty());
    // The leader still cannot open it: to a leader no case exists.
    let res = app
        .get(
            &format!("/api/v1/cases/{}", case["id"].as_str().unwrap()),
            &leader.key,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn deactivating_the_last_staff_member_on_a_case_asks_for_a_new_assignee_first() {
    use diesel::prelude::*;
    use tillit::db::schema::{audit_log, users};
    let app = TestApp::spawn().await;
    let (tenant, mut admin) = crate::access::onboarded(&app, "fjordvik").await;
    let leaving = app.staff("fjordvik", "coordinator").await;
    let taking = app.staff("fjordvik", "caseworker").await;
    let leader = app.staff("fjordvik", "leader").await;
    let shared_with = app.staff("fjordvik", "caseworker").await;
    open(
        &app,
        &leaving,
        json!({ "child": child("Ada", "Li"), "reference": "2026/7" }),
    )
    .await;
    open(&app, &leaving, json!({ "child": child("Bo", "Li") })).await;
    // A case someone else active also holds is not orphaned.
    let shared = open(&app, &leaving, json!({ "child": child("Cy", "Li") })).await;
    let res = app
        .post(
            &format!(
                "/api/v1/cases/{}/assignments",
                shared["id"].as_str().unwrap()
            ),
            &leaving.key,
        )
        .json(&json!({ "user_id": shared_with.user_id }))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let deactivate = format!("/admin/staff/{}/deactivate", leaving.user_id);
    let active = |app: &TestApp| -> bool {
        tillit::db::in_tenant(&mut app.db.app_conn(), tenant, |c| {
            users::table
                .find((tenant.0, leaving.user_id))
                .select(users::active)
                .first(c)
        })
        .unwrap()
    };

    // The staff list's button: not yet, first who takes the two cases only she holds.
    admin.get("/admin/staff").await;
    let (status, page) = admin.post(&deactivate, &[]).await;
    assert_eq!(status, reqwest::StatusCode::CONFLICT, "{page}");
    assert!(
        page.contains("på 2 åpne saker: 2026/7 og 1 uten referanse"),
        "{page}"
    );
    assert!(
        !page.contains("Ada") && !page.contains("Bo Li"),
        "no child's name"
    );
    assert!(
        page.contains(&taking.user_id.to_string()),
        "a colleague to choose"
    );
    assert!(
        !page.contains(&format!(r#"value="{}""#, leader.user_id)),
        "a leader holds no cases"
    );
    assert!(active(&app));

    // A wrong choice (a leader): the message at the field, the choice kept, nothing written.
    let (status, page) = admin
        .post(&deactivate, &[("successor", &leader.user_id.to_string())])
        .await;
    assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains(r##"href="#successor""##), "{page}");
    assert!(page.contains("Velg en aktiv ansatt i tjenesten som kan ha saker"));
    let (status, _) = admin.post(&deactivate, &[("successor", "")]).await;
    assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    assert!(active(&app));
    let (theirs, _) = list(&app, &taking, "").await;
    assert!(theirs.is_empty(), "nothing was handed over");

    // The right choice: both cases handed over, then the account deactivated, in one step.
    let (status, location) = admin
        .post(&deactivate, &[("successor", &taking.user_id.to_string())])
        .await;
    assert_eq!(
        (status, location.as_str()),
        (reqwest::StatusCode::SEE_OTHER, "/admin/staff?done=changed")
    );
    assert!(!active(&app));
    let (theirs, _) = list(&app, &taking, "").await;
    let mut got = names(&theirs);
    got.sort();
    assert_eq!(got, vec!["Ada Li".to_owned(), "Bo Li".to_owned()]);
    let actions: Vec<(String, serde_json::Value)> =
        tillit::db::in_tenant(&mut app.db.app_conn(), tenant, |c| {
            audit_log::table
                .filter(audit_log::action.eq_any(["case.reassign", "user.deactivate"]))
                .select((audit_log::action, audit_log::details))
                .order(audit_log::id)
                .load(c)
        })
        .unwrap();
    let reassigned = actions.iter().filter(|(a, _)| a == "case.reassign").count();
    assert_eq!(reassigned, 2, "{actions:?}");
    assert_eq!(
        actions
            .last()
            .map(|(a, d)| (a.as_str(), d["cases_handed_over"].clone())),
        Some(("user.deactivate", json!(2)))
    );
}

#[tokio::test]
async fn a_leader_reassigns_a_case_by_its_reference_on_a_page() {
    let app = TestApp::spawn().await;
    app.create_tenant("fjordvik", &["4624"]).await;
    let leaving = app.staff("fjordvik", "coordinator").await;
    let taking = app.staff("fjordvik", "caseworker").await;
    let leader = app.staff("fjordvik", "leader").await;
    open(
        &app,
        &leaving,
        json!({ "child": child("Ada", "Li"), "reference": "2026/7" }),
    )
    .await;
    let who = app.sign_in(&leader).await;
    let page = app.page_answer("/case-assignments", &who).await;
    assert_eq!(page.0, 200);
    assert!(
        page.1.contains("Tildel en sak etter referanse"),
        "{}",
        page.1
    );
    let taking_id = taking.user_id.to_string();
    let leaving_id = leaving.user_id.to_string();

    // An unknown reference: the message at the field, in Norwegian, what was typed kept.
    let fields = [
        ("reference", "2026/8"),
        ("user_id", taking_id.as_str()),
        ("instead_of", leaving_id.as_str()),
    ];
    let (status, page) = app.form_answer("/case-assignments", &who, &fields).await;
    assert_eq!(status, 422);
    assert!(
        page.contains("Ingen sak i tjenesten har denne referansen"),
        "{page}"
    );
    assert!(page.contains(r##"href="#reference""##) && page.contains(r#"id="reference-error""#));
    assert!(
        page.contains(r#"value="2026/8""#),
        "the reference typed is kept"
    );
    assert!(
        page.contains(&format!(r#"value="{taking_id}" selected"#)),
        "the choice kept"
    );
    let (theirs, _) = list(&app, &taking, "").await;
    assert!(theirs.is_empty(), "nothing was written");

    // Nobody chosen: at the field.
    let (status, page) = app
        .form_answer(
            "/case-assignments",
            &who,
            &[("reference", "2026/7"), ("user_id", "")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains(r#"id="user_id-error""#), "{page}");

    let (status, page) = app
        .form_answer(
            "/case-assignments",
            &who,
            &[
                ("reference", "2026/7"),
                ("user_id", &taking_id),
                ("instead_of", &leaving_id),
            ],
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Saken 2026/7 har nå 1 ansvarlige."), "{page}");
    assert!(!page.contains("Ada"), "no case contents");
    let (theirs, _) = list(&app, &taking, "").await;
    assert_eq!(names(&theirs), vec!["Ada Li".to_owned()]);
    let (gone, _) = list(&app, &leaving, "").await;
    assert!(gone.is_empty());
}
