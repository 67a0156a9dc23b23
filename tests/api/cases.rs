//! Cases and the network map through HTTP, with API keys that act for staff members: who may
//! open a case, the audit trail of every read and write, revisions and what changed between
//! them, the prompts, the gate before costly measures, bad input refused with nothing written,
//! the picture of a large map, the review reminder that each revision replaces, correcting the
//! child's details, and the reminder when the child turns 17½.

use crate::common;

use std::time::Duration;

use chrono::{Datelike, Months, NaiveDate, Utc};
use common::jobs::{Workers, fast_jobs, make_due, no_quiet_hours};
use common::mail::{Mail, message_ids, recipients};
use common::services::SmtpSink;
use common::{Staff, TestApp, expect_problem, json_of};
use diesel::prelude::*;
use serde_json::{Value, json};
use tillit::db::schema::{audit_log, jobs, tenants};
use tillit::db::{TenantId, in_tenant};

/// A new service with one caseworker.
async fn service(app: &TestApp, slug: &str) -> Staff {
    app.create_tenant(slug, &["4624"]).await;
    app.staff(slug, "caseworker").await
}

/// A caseworker of service "alpha" and the id of a case they opened.
async fn service_with_case(app: &TestApp) -> (Staff, String) {
    let staff = service(app, "alpha").await;
    let case = id(&new_case(app, &staff.key).await);
    (staff, case)
}

async fn new_case(app: &TestApp, key: &str) -> Value {
    let res = app
        .post("/api/v1/cases", key)
        .json(&json!({
            "child": {
                "first_name": "Emma",
                "last_name": "Nordmann",
                "birth_date": "2016-04-01",
                "gender": "girl",
                "language": "norsk",
            },
        }))
        .send()
        .await
        .unwrap();
    json_of(res, 201).await
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

fn person(name: &str, category: &str, lineage: &str, can_step_in: bool) -> Value {
    json!({
        "name": name,
        "category": category,
        "lineage": lineage,
        "closeness": "close",
        "quality": "supportive",
        "can_step_in": can_step_in,
    })
}

async fn add_person(app: &TestApp, key: &str, case: &str, person: Value) -> Value {
    let res = app
        .post(&format!("/api/v1/cases/{case}/persons"), key)
        .json(&person)
        .send()
        .await
        .unwrap();
    json_of(res, 201).await
}

async fn save_revision(app: &TestApp, key: &str, case: &str, request: Value) -> Value {
    let res = app
        .post(&format!("/api/v1/cases/{case}/revisions"), key)
        .json(&request)
        .send()
        .await
        .unwrap();
    json_of(res, 201).await
}

/// The case's prompts as its page has them; the case list, which works them out for many
/// cases at once, must say the same.
async fn prompt_codes(app: &TestApp, key: &str, case: &str) -> Vec<String> {
    let res = app
        .get(&format!("/api/v1/cases/{case}/prompts"), key)
        .send()
        .await
        .unwrap();
    let codes = |prompts: &Value| -> Vec<String> {
        prompts
            .as_array()
            .expect("a list")
            .iter()
            .map(|p| p["code"].as_str().expect("a code").to_owned())
            .collect()
    };
    let on_page = codes(&json_of(res, 200).await);
    let list = app.get_json("/api/v1/cases", key, 200).await;
    let listed = list
        .as_array()
        .expect("the case list")
        .iter()
        .find(|c| c["id"] == case)
        .expect("the case is listed");
    assert_eq!(
        codes(&listed["prompts"]),
        on_page,
        "the case list: {listed}"
    );
    on_page
}

fn count(app: &TestApp, tenant: TenantId, sql: &str) -> i64 {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        diesel::sql_query(sql).get_result::<Count>(c)
    })
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
    .n
}

/// The audit rows of `tenant` about cases, in order: (action, object kind, object id, details).
fn case_audit(
    app: &TestApp,
    tenant: TenantId,
) -> Vec<(String, Option<String>, Option<String>, Value)> {
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        audit_log::table
            .filter(
                audit_log::action
                    .like("case.%")
                    .or(audit_log::action.like("person.%"))
                    .or(audit_log::action.like("revision.%"))
                    .or(audit_log::action.like("measure.%")),
            )
            .order(audit_log::id)
            .select((
                audit_log::action,
                audit_log::object_kind,
                audit_log::object_id,
                audit_log::details,
            ))
            .load(c)
    })
    .expect("audit rows")
}

#[tokio::test]
async fn only_assigned_staff_open_a_case_and_others_get_not_found() {
    let app = TestApp::spawn().await;
    let owner = service(&app, "alpha").await;
    let colleague = app.staff("alpha", "coordinator").await;
    let admin = app.staff("alpha", "tenant_admin").await;
    let leader = app.staff("alpha", "leader").await;
    let nobody = app.api_key("alpha", "caseworker").await;
    let other = service(&app, "beta").await;

    let case = new_case(&app, &owner.key).await;
    let case_id = id(&case);
    assert_eq!(case["assigned"][0]["user_id"], json!(owner.user_id));
    assert_eq!(case["prompts"][0]["code"], "no_map");
    let path = format!("/api/v1/cases/{case_id}");

    let read = |key: String| {
        let app = &app;
        let path = path.clone();
        async move { app.get(&path, &key).send().await.unwrap() }
    };
    assert_eq!(read(owner.key.clone()).await.status(), 200);
    for key in [&colleague.key, &admin.key, &leader.key, &nobody, &other.key] {
        expect_problem(read(key.clone()).await, 404, "not-found").await;
    }
    // The same for everything under the case, reads and writes alike.
    for (method, sub) in [
        ("GET", "/persons"),
        ("POST", "/persons"),
        ("GET", "/revisions"),
        ("GET", "/prompts"),
        ("GET", "/map.svg"),
        ("GET", "/acute-list"),
        ("POST", "/measures"),
    ] {
        for key in [&colleague.key, &other.key] {
            let url = app.url(&format!("{path}{sub}"));
            let req = match method {
                "GET" => app.client.get(url),
                _ => app
                    .client
                    .post(url)
                    .json(&person("Mormor", "near_family", "maternal", true)),
            };
            let res = req.bearer_auth(key).send().await.unwrap();
            expect_problem(res, 404, "not-found").await;
        }
    }
    assert_eq!(
        count(
            &app,
            owner.tenant,
            "SELECT count(*) AS n FROM network_persons"
        ),
        0
    );

    // Lists: only one's own cases; a key acting for nobody has none; a leader sees no case data.
    let mine = app.get_json("/api/v1/cases", &owner.key, 200).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["child_first_name"], "Emma");
    for key in [&colleague.key, &admin.key, &nobody, &other.key] {
        let list = app.get_json("/api/v1/cases", key, 200).await;
        assert_eq!(list, json!([]));
    }
    expect_problem(
        app.get("/api/v1/cases", &leader.key).send().await.unwrap(),
        403,
        "forbidden",
    )
    .await;
    // A leader may not open a case; a key acting for nobody is told that it acts for nobody.
    for (key, problem) in [(&leader.key, "forbidden"), (&nobody, "acts-for-nobody")] {
        let res = app
            .post("/api/v1/cases", key)
            .json(&json!({"child": {"first_name": "A", "last_name": "B", "birth_year": 2015}}))
            .send()
            .await
            .unwrap();
        expect_problem(res, 403, problem).await;
    }

    // Assigning: only this service's active staff who may see cases.
    let assign = |key: String, user: Value| {
        let app = &app;
        let path = format!("{path}/assignments");
        async move {
            app.post(&path, &key)
                .json(&json!({ "user_id": user }))
                .send()
                .await
                .unwrap()
        }
    };
    let refused = expect_problem(
        assign(owner.key.clone(), json!(leader.user_id)).await,
        422,
        "validation",
    )
    .await;
    assert_eq!(refused["errors"][0]["field"], "user_id");
    let refused = expect_problem(
        assign(owner.key.clone(), json!(other.user_id)).await,
        422,
        "validation",
    )
    .await;
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no active staff member"),
        "{refused}"
    );
    expect_problem(
        assign(colleague.key.clone(), json!(colleague.user_id)).await,
        404,
        "not-found",
    )
    .await;
    let assigned = json_of(
        assign(owner.key.clone(), json!(colleague.user_id)).await,
        200,
    )
    .await;
    assert_eq!(assigned["assigned"].as_array().unwrap().len(), 2);
    assert_eq!(read(colleague.key.clone()).await.status(), 200);
    let theirs = app.get_json("/api/v1/cases", &colleague.key, 200).await;
    assert_eq!(theirs[0]["id"], json!(case_id));

    // Unassigning: the last assignment cannot end, and the one who left sees nothing.
    let unassigned = app
        .delete(
            &format!("{path}/assignments/{}", owner.user_id),
            &colleague.key,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(unassigned.status(), 204);
    expect_problem(read(owner.key.clone()).await, 404, "not-found").await;
    let last = app
        .delete(
            &format!("{path}/assignments/{}", colleague.user_id),
            &colleague.key,
        )
        .send()
        .await
        .unwrap();
    expect_problem(last, 409, "last-assignment").await;
    assert_eq!(read(colleague.key.clone()).await.status(), 200);
}

#[tokio::test]
async fn every_read_and_write_of_a_case_is_in_the_audit_log() {
    let app = TestApp::spawn().await;
    let staff = service(&app, "alpha").await;
    let case = id(&new_case(&app, &staff.key).await);
    let base = format!("/api/v1/cases/{case}");
    let mormor = id(&add_person(
        &app,
        &staff.key,
        &case,
        json!({
            "name": "Kari Nordmann",
            "category": "near_family",
            "lineage": "maternal",
            "closeness": "close",
            "quality": "supportive",
            "phone": "912 34 567",
            "child_words": {"text": "Mormor lager pannekaker", "author": "child"},
        }),
    )
    .await);
    let k = &staff.key;
    app.get_json(&base, k, 200).await;
    app.get_json(&format!("{base}/persons"), k, 200).await;
    app.get_json(&format!("{base}/persons/{mormor}"), k, 200)
        .await;
    let mut changed = person("Kari Nordmann", "near_family", "maternal", true);
    changed["closeness"] = json!("medium");
    app.put_json(&format!("{base}/persons/{mormor}"), k, changed, 200)
        .await;
    app.post_json(
        &format!("{base}/persons/{mormor}/words"),
        k,
        json!({"text": "Hun henter meg", "author": "coordinator_with_child"}),
        201,
    )
    .await;
    save_revision(
        &app,
        k,
        &case,
        json!({"child_participated": true, "participation": "Tegnet kartet sammen med koordinator"}),
    )
    .await;
    app.get_json(&format!("{base}/revisions"), k, 200).await;
    app.get_json(&format!("{base}/revisions/1"), k, 200).await;
    app.get_json(&format!("{base}/changes?from=1"), k, 200)
        .await;
    app.get_json(&format!("{base}/prompts"), k, 200).await;
    app.get_json(&format!("{base}/acute-list"), k, 200).await;
    assert_eq!(
        app.get(&format!("{base}/map.svg"), k)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    app.patch_json(
        &base,
        k,
        json!({"phase": "support_measures", "acute": true}),
        200,
    )
    .await;
    let measure = id(&app
        .post_json(
            &format!("{base}/measures"),
            k,
            json!({"kind": "institution"}),
            201,
        )
        .await);
    app.post_json(
        &format!("{base}/measures/{measure}/network-checks"),
        k,
        json!({"kind": "justification", "justification": "Ingen i nettverket kan nå"}),
        201,
    )
    .await;
    json_of(
        app.post(&format!("{base}/measures/{measure}/decision"), k)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    app.get_json(&format!("{base}/measures"), k, 200).await;
    let removed = app
        .delete(&format!("{base}/persons/{mormor}"), k)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 204);
    app.get_json("/api/v1/cases", k, 200).await;
    // A refused request leaves no row claiming it happened.
    let other = app.staff("alpha", "coordinator").await;
    assert_eq!(
        app.get(&base, &other.key).send().await.unwrap().status(),
        404
    );

    let rows = case_audit(&app, staff.tenant);
    let actions: Vec<&str> = rows.iter().map(|(a, ..)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "case.create",
            "person.add",
            "case.read",
            "person.list",
            "person.read",
            "person.update",
            "person.words_add",
            "revision.create",
            "revision.list",
            "revision.read",
            "revision.diff",
            "case.prompts",
            "case.acute_list",
            "case.map",
            "case.update",
            "measure.propose",
            "measure.justification",
            "measure.decide",
            "measure.list",
            "person.remove",
            "case.list",
        ]
    );
    for (action, kind, object, details) in &rows {
        match kind.as_deref() {
            Some("case") => assert_eq!(object.as_deref(), Some(case.as_str()), "{action}"),
            Some("person") => {
                assert_eq!(object.as_deref(), Some(mormor.as_str()), "{action}");
                assert_eq!(details["case_id"], json!(case), "{action}");
            }
            Some("measure") => assert_eq!(object.as_deref(), Some(measure.as_str()), "{action}"),
            None => assert_eq!(action, "case.list"),
            Some(other) => panic!("{action} on {other}"),
        }
        let text = details.to_string();
        for personal in [
            "Emma",
            "Nordmann",
            "Kari",
            "pannekaker",
            "91234567",
            "Tegnet",
            "nettverket",
        ] {
            assert!(
                !text.contains(personal),
                "{action} details carry {personal}: {text}"
            );
        }
    }
    let actors: Vec<(String, Option<String>)> =
        in_tenant(&mut app.db.app_conn(), staff.tenant, |c| {
            audit_log::table
                .filter(audit_log::action.eq("case.read"))
                .select((audit_log::actor_kind, audit_log::actor_id))
                .load(c)
        })
        .unwrap();
    assert_eq!(actors.len(), 1);
    assert_eq!(actors[0].0, "api_key");
    assert!(actors[0].1.is_some(), "the key that read is named");
}

#[tokio::test]
async fn revisions_keep_the_map_as_it_was_and_show_what_changed() {
    let app = TestApp::spawn().await;
    let (staff, case) = service_with_case(&app).await;
    let k = &staff.key;
    let base = format!("/api/v1/cases/{case}");
    let mormor = id(&add_person(
        &app,
        k,
        &case,
        person("Mormor", "near_family", "maternal", true),
    )
    .await);
    add_person(
        &app,
        k,
        &case,
        person("Farfar", "other_parent_family", "paternal", false),
    )
    .await;
    let laerer = id(&add_person(
        &app,
        k,
        &case,
        person("Lærer Lise", "school", "not_applicable", false),
    )
    .await);

    let first = save_revision(
        &app,
        k,
        &case,
        json!({
            "revised_on": "2026-01-15",
            "child_participated": true,
            "participation": "Barnet tegnet kartet selv",
        }),
    )
    .await;
    assert_eq!(first["number"], 1);
    assert_eq!(first["phase"], "investigation");
    assert_eq!(first["revised_on"], "2026-01-15");
    assert_eq!(first["child_participated"], true);
    assert_eq!(first["persons"].as_array().unwrap().len(), 3);
    assert_eq!(
        first["persons"][1]["side"], "public",
        "the school's default side"
    );

    // Change one, remove one, add one, move to the next phase, and save again.
    let mut moved = person("Mormor", "near_family", "maternal", true);
    moved["quality"] = json!("mixed");
    moved["phone"] = json!("+47 912 34 567");
    app.put_json(&format!("{base}/persons/{mormor}"), k, moved, 200)
        .await;
    assert_eq!(
        app.delete(&format!("{base}/persons/{laerer}"), k)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let nabo = id(&add_person(
        &app,
        k,
        &case,
        person("Nabo Nils", "neighbour", "not_applicable", true),
    )
    .await);
    let unsaved = app
        .get_json(&format!("{base}/changes?from=1"), k, 200)
        .await;
    assert_eq!(unsaved["to"], Value::Null);
    assert_eq!(unsaved["added"][0]["id"], json!(nabo));
    app.patch_json(&base, k, json!({"phase": "support_measures"}), 200)
        .await;
    let second = save_revision(&app, k, &case, json!({"child_participated": false})).await;
    assert_eq!(second["number"], 2);
    assert_eq!(second["phase"], "support_measures");
    assert_eq!(second["participation"], Value::Null);

    let list = app.get_json(&format!("{base}/revisions"), k, 200).await;
    let numbers: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["number"].clone())
        .collect();
    assert_eq!(numbers, [json!(1), json!(2)]);
    assert_eq!(list[0]["person_count"], 3);
    assert!(
        list[0].get("persons").is_none(),
        "the list leaves the persons out"
    );

    let d = app
        .get_json(&format!("{base}/changes?from=1&to=2"), k, 200)
        .await;
    let ids = |key: &str| -> Vec<String> { d[key].as_array().unwrap().iter().map(id).collect() };
    assert_eq!(ids("added"), std::slice::from_ref(&nabo));
    assert_eq!(ids("removed"), std::slice::from_ref(&laerer));
    assert_eq!(d["changed"].as_array().unwrap().len(), 1);
    assert_eq!(d["changed"][0]["id"], json!(mormor));
    assert_eq!(
        d["changed"][0]["changes"],
        json!([
            {"field": "quality", "from": "supportive", "to": "mixed"},
            {"field": "phone", "from": null, "to": "+4791234567"},
            // With a mobile and nothing chosen, she is reached by SMS instead of a call.
            {"field": "preferred_channel", "from": "call", "to": "sms"},
        ])
    );
    let none = app
        .get_json(&format!("{base}/changes?from=2"), k, 200)
        .await;
    assert_eq!(
        (
            none["added"].clone(),
            none["removed"].clone(),
            none["changed"].clone()
        ),
        (json!([]), json!([]), json!([]))
    );
    expect_problem(
        app.get(&format!("{base}/changes?from=1&to=3"), k)
            .send()
            .await
            .unwrap(),
        404,
        "not-found",
    )
    .await;

    // The first revision still has the teacher, in its data and in its picture.
    let old = app.get_json(&format!("{base}/revisions/1"), k, 200).await;
    assert!(
        old["persons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == json!(laerer))
    );
    let svg = app
        .get(&format!("{base}/map.svg?revision=1"), k)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(svg.contains(&format!("p-{laerer}")));
    assert!(
        svg.contains("15.01.2026"),
        "the revision's date is on the picture"
    );
    let current = app
        .get(&format!("{base}/map.svg"), k)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!current.contains(&format!("p-{laerer}")));
    assert!(current.contains(&format!("p-{nabo}")));
    assert!(
        current.contains("Revisjon 2"),
        "the current map is revision 2"
    );
}

#[tokio::test]
async fn the_prompts_follow_the_map() {
    let app = TestApp::spawn().await;
    let (staff, case) = service_with_case(&app).await;
    let k = &staff.key;
    assert_eq!(prompt_codes(&app, k, &case).await, ["no_map"]);

    add_person(
        &app,
        k,
        &case,
        person("Mormor", "near_family", "maternal", false),
    )
    .await;
    assert_eq!(
        prompt_codes(&app, k, &case).await,
        ["no_map", "missing_side", "no_acute"]
    );
    let prompts = app
        .get_json(&format!("/api/v1/cases/{case}/prompts"), k, 200)
        .await;
    assert_eq!(
        prompts[1]["sides"],
        json!(["paternal"]),
        "the father's side is missing"
    );

    let farmor = add_person(
        &app,
        k,
        &case,
        person("Farmor", "other_parent_family", "paternal", true),
    )
    .await;
    assert_eq!(prompt_codes(&app, k, &case).await, ["no_map"]);

    save_revision(&app, k, &case, json!({"child_participated": false})).await;
    assert_eq!(prompt_codes(&app, k, &case).await, Vec::<String>::new());

    let nabo = add_person(
        &app,
        k,
        &case,
        person("Nabo", "neighbour", "not_applicable", false),
    )
    .await;
    assert_eq!(prompt_codes(&app, k, &case).await, ["unsaved_changes"]);
    save_revision(&app, k, &case, json!({"child_participated": false})).await;
    assert_eq!(prompt_codes(&app, k, &case).await, Vec::<String>::new());
    // Someone taken off the map, and a change made and undone.
    let res = app
        .delete(&format!("/api/v1/cases/{case}/persons/{}", id(&nabo)), k)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(prompt_codes(&app, k, &case).await, ["unsaved_changes"]);
    save_revision(&app, k, &case, json!({"child_participated": false})).await;
    let farmor_path = format!("/api/v1/cases/{case}/persons/{}", id(&farmor));
    let mut changed = person("Farmor", "other_parent_family", "paternal", true);
    changed["name"] = json!("Farmor Kari");
    app.put_json(&farmor_path, k, changed, 200).await;
    assert_eq!(prompt_codes(&app, k, &case).await, ["unsaved_changes"]);
    app.put_json(
        &farmor_path,
        k,
        person("Farmor", "other_parent_family", "paternal", true),
        200,
    )
    .await;
    assert_eq!(
        prompt_codes(&app, k, &case).await,
        Vec::<String>::new(),
        "changed back: the map is as saved"
    );

    app.patch_json(
        &format!("/api/v1/cases/{case}"),
        k,
        json!({"phase": "care"}),
        200,
    )
    .await;
    assert_eq!(prompt_codes(&app, k, &case).await, ["phase_changed"]);
    save_revision(&app, k, &case, json!({"child_participated": false})).await;
    assert_eq!(prompt_codes(&app, k, &case).await, Vec::<String>::new());

    // Not revised for longer than the service's interval.
    in_tenant(&mut app.db.app_conn(), staff.tenant, |c| {
        diesel::update(tenants::table)
            .set(tenants::map_review_months.eq(1))
            .execute(c)
    })
    .unwrap();
    let today = Utc::now()
        .with_timezone(&chrono_tz::Europe::Oslo)
        .date_naive();
    let long_ago = today.checked_sub_months(Months::new(2)).unwrap();
    save_revision(
        &app,
        k,
        &case,
        json!({"child_participated": false, "revised_on": long_ago.to_string()}),
    )
    .await;
    let prompts = app
        .get_json(&format!("/api/v1/cases/{case}/prompts"), k, 200)
        .await;
    assert_eq!(prompts[0]["code"], "review_due", "{prompts}");
    assert_eq!(prompts[0]["revision"], 5);
    assert_eq!(
        prompts[0]["due_on"],
        json!(
            long_ago
                .checked_add_months(Months::new(1))
                .unwrap()
                .to_string()
        )
    );

    // The case page carries the same prompts.
    let view = app.get_json(&format!("/api/v1/cases/{case}"), k, 200).await;
    assert_eq!(view["prompts"], prompts);

    app.patch_json(
        &format!("/api/v1/cases/{case}"),
        k,
        json!({"phase": "closed"}),
        200,
    )
    .await;
    assert_eq!(prompt_codes(&app, k, &case).await, Vec::<String>::new());
}

#[tokio::test]
async fn a_costly_measure_is_decided_only_after_the_network_is_checked() {
    let app = TestApp::spawn().await;
    let (staff, case) = service_with_case(&app).await;
    let k = &staff.key;
    let base = format!("/api/v1/cases/{case}");
    let mormor = id(&add_person(
        &app,
        k,
        &case,
        person("Mormor", "near_family", "maternal", true),
    )
    .await);
    let elsewhere = id(&new_case(&app, k).await);
    let stranger = id(&add_person(
        &app,
        k,
        &elsewhere,
        person("Annen", "neighbour", "not_applicable", false),
    )
    .await);

    let measure = app
        .post_json(
            &format!("{base}/measures"),
            k,
            json!({"kind": "foster_home", "description": "Fosterhjem utenfor familien"}),
            201,
        )
        .await;
    assert_eq!(measure["status"], "proposed");
    assert_eq!(measure["may_decide"], false);
    let m = id(&measure);
    let decide = || app.post(&format!("{base}/measures/{m}/decision"), k).send();

    let refused = expect_problem(decide().await.unwrap(), 409, "network-not-checked").await;
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("network must be checked"),
        "{refused}"
    );

    // A check must name persons on this case's map, and say when and with what result.
    let checks = format!("{base}/measures/{m}/network-checks");
    for (request, field) in [
        (
            json!({"kind": "check", "checked_on": "2026-01-10", "considered": [stranger], "result": "Nei"}),
            "considered[0]",
        ),
        (
            json!({"kind": "check", "considered": [mormor], "result": "Nei"}),
            "checked_on",
        ),
        (
            json!({"kind": "check", "checked_on": "2026-01-10", "result": "Nei"}),
            "considered",
        ),
        (json!({"kind": "ask_around"}), "kind"),
        (json!({"kind": "justification"}), "justification"),
    ] {
        let res = app.post(&checks, k).json(&request).send().await.unwrap();
        let problem = expect_problem(res, 422, "validation").await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    assert_eq!(
        count(
            &app,
            staff.tenant,
            "SELECT count(*) AS n FROM network_checks"
        ),
        0
    );
    expect_problem(decide().await.unwrap(), 409, "network-not-checked").await;
    // Another case's measure is not found through this case.
    let other_measure = id(&app
        .post_json(
            &format!("/api/v1/cases/{elsewhere}/measures"),
            k,
            json!({"kind": "other"}),
            201,
        )
        .await);
    expect_problem(
        app.post(&format!("{base}/measures/{other_measure}/decision"), k)
            .send()
            .await
            .unwrap(),
        404,
        "not-found",
    )
    .await;

    let checked = app
        .post_json(
            &checks,
            k,
            json!({
                "kind": "check",
                "checked_on": "2026-01-10",
                "considered": [mormor],
                "result": "Mormor kan ta imot barnet i helgene",
            }),
            201,
        )
        .await;
    assert_eq!(checked["may_decide"], true);
    assert_eq!(
        checked["checks"][0]["considered"],
        json!([{"id": mormor, "name": "Mormor"}])
    );
    let decided = json_of(decide().await.unwrap(), 200).await;
    assert_eq!(decided["status"], "decided");
    assert_eq!(decided["decided_by"], json!(staff.user_id));
    expect_problem(decide().await.unwrap(), 409, "measure-not-proposed").await;
    let late = app
        .post(&checks, k)
        .json(&json!({"kind": "justification", "justification": "For sent"}))
        .send()
        .await
        .unwrap();
    expect_problem(late, 409, "measure-not-proposed").await;

    // A justification opens the gate too; a withdrawn measure is not decided.
    let second = id(&app
        .post_json(
            &format!("{base}/measures"),
            k,
            json!({"kind": "institution"}),
            201,
        )
        .await);
    app.post_json(&format!("{base}/measures/{second}/network-checks"), k, json!({"kind": "justification", "justification": "Akutt plassering om natten; nettverket sjekkes i morgen"}), 201).await;
    let withdrawn = json_of(
        app.post(&format!("{base}/measures/{second}/withdrawal"), k)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(withdrawn["status"], "withdrawn");
    expect_problem(
        app.post(&format!("{base}/measures/{second}/decision"), k)
            .send()
            .await
            .unwrap(),
        409,
        "measure-not-proposed",
    )
    .await;

    let actions: Vec<String> = case_audit(&app, staff.tenant)
        .into_iter()
        .map(|(a, ..)| a)
        .filter(|a| a.starts_with("measure."))
        .collect();
    assert_eq!(
        actions,
        [
            "measure.propose",
            "measure.propose",
            "measure.network_check",
            "measure.decide",
            "measure.propose",
            "measure.justification",
            "measure.withdraw",
        ]
    );
}

#[tokio::test]
async fn bad_input_is_refused_clearly_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let staff = service(&app, "alpha").await;
    let other = service(&app, "beta").await;
    let k = &staff.key;
    let case = id(&new_case(&app, k).await);
    let second = id(&new_case(&app, k).await);
    let theirs = id(&new_case(&app, &other.key).await);
    let mormor = id(&add_person(
        &app,
        k,
        &case,
        person("Mormor", "near_family", "maternal", true),
    )
    .await);
    let on_second = id(&add_person(
        &app,
        k,
        &second,
        person("Nabo", "neighbour", "not_applicable", false),
    )
    .await);
    let their_person = id(&add_person(
        &app,
        &other.key,
        &theirs,
        person("Tante", "near_family", "paternal", true),
    )
    .await);
    let before = |app: &TestApp| {
        (
            count(
                app,
                staff.tenant,
                "SELECT count(*) AS n FROM network_persons",
            ),
            count(app, staff.tenant, "SELECT count(*) AS n FROM child_words"),
            count(
                app,
                staff.tenant,
                "SELECT count(*) AS n FROM network_persons WHERE closeness = 'distant'",
            ),
        )
    };
    let counts = before(&app);

    for (change, field, hint) in [
        (
            json!({"category": "cousin"}),
            "category",
            "other_parent_family",
        ),
        (json!({"email": "kari@nowhere"}), "email", "valid email"),
        (json!({"phone": "12 34"}), "phone", "eight digits"),
        (json!({"phone": "+47 123 45 678"}), "phone", "Norwegian"),
        (json!({"lineage": "aunt"}), "lineage", "maternal"),
        (json!({"closeness": "very"}), "closeness", "distant"),
        (
            json!({"child_words": {"text": "Snill", "author": "teacher"}}),
            "child_words.author",
            "parent_helping",
        ),
        (json!({"name": ""}), "name", "required"),
    ] {
        let mut request = person("Kari", "near_family", "maternal", false);
        request["closeness"] = json!("distant");
        for (key, value) in change.as_object().unwrap() {
            request[key] = value.clone();
        }
        for res in [
            app.post(&format!("/api/v1/cases/{case}/persons"), k)
                .json(&request)
                .send()
                .await
                .unwrap(),
            app.put(&format!("/api/v1/cases/{case}/persons/{mormor}"), k)
                .json(&request)
                .send()
                .await
                .unwrap(),
        ] {
            let problem = expect_problem(res, 422, "validation").await;
            assert_eq!(problem["errors"][0]["field"], field, "{problem}");
            let message = problem["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains(hint), "{field}: {message}");
        }
    }

    // A person of another case or another service is not found through this case.
    let good = person("Kari", "near_family", "maternal", false);
    for person_id in [&on_second, &their_person] {
        let at = format!("/api/v1/cases/{case}/persons/{person_id}");
        expect_problem(app.get(&at, k).send().await.unwrap(), 404, "not-found").await;
        expect_problem(
            app.put(&at, k).json(&good).send().await.unwrap(),
            404,
            "not-found",
        )
        .await;
        expect_problem(app.delete(&at, k).send().await.unwrap(), 404, "not-found").await;
        let words = app
            .post(&format!("{at}/words"), k)
            .json(&json!({"text": "Hei", "author": "child"}))
            .send()
            .await
            .unwrap();
        expect_problem(words, 404, "not-found").await;
    }
    // Another service's case, and ids that are not ids.
    for path in [
        format!("/api/v1/cases/{theirs}"),
        format!("/api/v1/cases/{theirs}/persons/{their_person}"),
        "/api/v1/cases/not-an-id".to_owned(),
        format!("/api/v1/cases/{case}/persons/42"),
    ] {
        expect_problem(app.get(&path, k).send().await.unwrap(), 404, "not-found").await;
    }
    let res = app
        .post(&format!("/api/v1/cases/{theirs}/persons"), k)
        .json(&good)
        .send()
        .await
        .unwrap();
    expect_problem(res, 404, "not-found").await;
    // Not JSON (the whole body), or a value of the wrong kind (at its field).
    let res = app
        .post(&format!("/api/v1/cases/{case}/persons"), k)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    expect_problem(res, 400, "malformed-request").await;
    let res = app
        .post(&format!("/api/v1/cases/{case}/persons"), k)
        .json(&json!({"name": "Kari", "can_step_in": "yes"}))
        .send()
        .await
        .unwrap();
    let problem = expect_problem(res, 422, "validation").await;
    assert_eq!(problem["errors"][0]["field"], "can_step_in", "{problem}");
    // A case with everything wrong says so field by field.
    let res = app
        .post("/api/v1/cases", k)
        .json(&json!({"child": {"first_name": "", "birth_date": "2030-01-01", "gender": "x"}, "phase": "foster"}))
        .send()
        .await
        .unwrap();
    let problem = expect_problem(res, 422, "validation").await;
    let fields: Vec<_> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].clone())
        .collect();
    assert_eq!(
        fields,
        [
            json!("child.first_name"),
            json!("child.last_name"),
            json!("child.birth_date"),
            json!("child.gender"),
            json!("phase")
        ]
    );

    assert_eq!(before(&app), counts, "nothing was written");
    assert_eq!(
        count(&app, staff.tenant, "SELECT count(*) AS n FROM cases"),
        2
    );
    let theirs_now = app
        .get_json(
            &format!("/api/v1/cases/{theirs}/persons/{their_person}"),
            &other.key,
            200,
        )
        .await;
    assert_eq!(
        theirs_now["name"], "Tante",
        "the other service's person is untouched"
    );
}

#[tokio::test]
async fn the_picture_of_a_sixty_person_map_shows_everyone() {
    let app = TestApp::spawn().await;
    let (staff, case) = service_with_case(&app).await;
    let k = &staff.key;
    let categories = [
        "near_family",
        "distant_relative",
        "other_parent_family",
        "family_friend",
        "known_family",
        "neighbour",
        "school",
        "after_school",
        "leisure_activity",
        "gp",
        "camhs",
        "other_caring_adult",
    ];
    let mut people = Vec::new();
    for i in 0..60 {
        let mut p = person(
            &format!("Person {i} <Ødegård & Co>"),
            categories[i % categories.len()],
            ["maternal", "paternal", "not_applicable"][i % 3],
            i % 4 == 0,
        );
        p["closeness"] = json!(["close", "medium", "distant"][i % 3]);
        p["quality"] = json!(["supportive", "mixed", "strained"][(i / 3) % 3]);
        let added = add_person(&app, k, &case, p).await;
        people.push((id(&added), added["name"].as_str().unwrap().to_owned()));
    }
    let res = app
        .get(&format!("/api/v1/cases/{case}/map.svg"), k)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "image/svg+xml; charset=utf-8"
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    let svg = res.text().await.unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    for (person_id, name) in &people {
        let group = doc
            .descendants()
            .find(|n| n.attribute("id") == Some(format!("p-{person_id}").as_str()))
            .unwrap_or_else(|| panic!("{name} is on the picture"));
        let title = group
            .children()
            .find(|c| c.has_tag_name("title"))
            .and_then(|t| t.text())
            .unwrap();
        assert!(title.starts_with(name.as_str()), "{title}");
    }
    assert!(
        svg.contains("Emma"),
        "the child's first name is in the centre"
    );
    assert!(!svg.contains("Nordmann"), "and not the last name");

    let res = app
        .get(&format!("/api/v1/cases/{case}/map.svg?download=1"), k)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    // The service's day, in its time zone.
    let today = Utc::now()
        .with_timezone(&chrono_tz::Europe::Oslo)
        .date_naive();
    assert_eq!(
        disposition,
        format!("attachment; filename=\"network-map-{today}.svg\"")
    );
    let english = res.text().await.unwrap();
    assert!(
        english.contains("Network map for"),
        "in the reader's language"
    );
}

#[tokio::test]
async fn the_acute_list_has_who_can_step_in_with_their_numbers() {
    let app = TestApp::spawn().await;
    let (staff, case) = service_with_case(&app).await;
    let k = &staff.key;
    let mut farmor = person("Farmor", "other_parent_family", "paternal", true);
    farmor["closeness"] = json!("medium");
    farmor["phone"] = json!("98765432");
    farmor["step_in_how"] = json!("Kan hente på skolen og ha barnet noen netter");
    add_person(&app, k, &case, farmor).await;
    let mut mormor = person("Mormor", "near_family", "maternal", true);
    mormor["phone"] = json!("+46 70 123 45 67");
    add_person(&app, k, &case, mormor).await;
    add_person(
        &app,
        k,
        &case,
        person("Lærer", "school", "not_applicable", false),
    )
    .await;
    let list = app
        .get_json(&format!("/api/v1/cases/{case}/acute-list"), k, 200)
        .await;
    let names: Vec<_> = list["persons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].clone())
        .collect();
    assert_eq!(
        names,
        [json!("Mormor"), json!("Farmor")],
        "closest first, only those who can step in"
    );
    assert_eq!(list["persons"][1]["phone"], "+4798765432");
    assert_eq!(list["persons"][1]["phone_display"], "987 65 432");
    assert_eq!(list["persons"][0]["phone_display"], "+46701234567");
    assert_eq!(list["child_first_name"], "Emma");
}

/// Assigns `colleague` to `case` as `key`.
async fn assign(app: &TestApp, key: &str, case: &str, colleague: &Staff) {
    app.post_json(
        &format!("/api/v1/cases/{case}/assignments"),
        key,
        json!({ "user_id": colleague.user_id }),
        200,
    )
    .await;
}

/// Lets the pending jobs of `kind` fall due outside quiet hours and the workers run until
/// `total` messages have arrived, and `settle_ms` longer; returns the messages but the setup
/// email.
async fn deliver_due(
    app: &TestApp,
    sink: &SmtpSink,
    tenant: TenantId,
    kind: &str,
    total: usize,
    settle_ms: u64,
) -> Vec<Mail> {
    no_quiet_hours(app, tenant);
    make_due(app, kind);
    let workers = Workers::start(app);
    sink.wait_for(total, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_millis(settle_ms)).await;
    workers.stop().await;
    sink.messages_but_setup()
}

/// (status, due_at, payload) of the service's map review jobs, oldest first.
fn review_jobs(app: &TestApp, tenant: TenantId) -> Vec<(String, chrono::DateTime<Utc>, Value)> {
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        jobs::table
            .filter(jobs::kind.eq("map_review"))
            .order(jobs::created_at)
            .select((jobs::status, jobs::due_at, jobs::payload))
            .load(c)
    })
    .expect("jobs")
}

#[tokio::test]
async fn each_revision_replaces_the_review_reminder_which_reaches_the_assigned_staff() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(&fast_jobs(&sink)).await;
    let staff = service(&app, "alpha").await;
    let colleague = app.staff("alpha", "coordinator").await;
    let k = &staff.key;
    let case = id(&new_case(&app, k).await);
    let second_case = id(&new_case(&app, k).await);
    assert!(
        review_jobs(&app, staff.tenant).is_empty(),
        "no reminder before a map exists"
    );

    save_revision(
        &app,
        k,
        &case,
        json!({"child_participated": false, "revised_on": "2026-01-15"}),
    )
    .await;
    let jobs_now = review_jobs(&app, staff.tenant);
    assert_eq!(jobs_now.len(), 1);
    let (status, due_at, payload) = &jobs_now[0];
    assert_eq!(status, "pending");
    assert_eq!(payload, &json!({ "case_id": case }));
    // Six months (the default) after the revision, at 09:00 in Oslo (summer time, UTC+2).
    assert_eq!(due_at.to_rfc3339(), "2026-07-15T07:00:00+00:00");

    save_revision(
        &app,
        k,
        &case,
        json!({"child_participated": false, "revised_on": "2026-02-01"}),
    )
    .await;
    save_revision(&app, k, &second_case, json!({"child_participated": false})).await;
    let jobs_now = review_jobs(&app, staff.tenant);
    let statuses: Vec<_> = jobs_now.iter().map(|(s, ..)| s.as_str()).collect();
    assert_eq!(
        statuses,
        ["cancelled", "pending", "pending"],
        "one pending per case"
    );
    assert_eq!(jobs_now[1].1.to_rfc3339(), "2026-08-01T07:00:00+00:00");

    // When it falls due, each staff member assigned then gets a neutral email.
    assign(&app, k, &case, &colleague).await;
    let messages = deliver_due(&app, &sink, staff.tenant, "map_review", 4, 500).await;
    assert_eq!(messages.len(), 3, "two staff on one case, one on the other");
    let to = recipients(&messages);
    let mut ids = message_ids(&messages);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "each message has its own Message-ID");
    assert_eq!(
        to.iter().filter(|t| t.starts_with("caseworker-")).count(),
        2
    );
    assert_eq!(
        to.iter().filter(|t| t.starts_with("coordinator-")).count(),
        1
    );
    for message in &messages {
        assert_eq!(
            message.header("Subject").unwrap(),
            "=?utf-8?b?UMOlbWlubmVsc2U=?= fra Tillit",
            "«Påminnelse fra Tillit»"
        );
        assert!(
            message
                .text
                .contains("Det er tid for å gå gjennom et nettverkskart"),
            "{}",
            message.text
        );
        let everything = message.everything();
        for personal in ["Emma", "Nordmann"] {
            assert!(!everything.contains(personal), "{personal} in {everything}");
        }
    }
    assert!(
        messages
            .iter()
            .any(|m| m.text.contains(&format!("/cases/{case}\n")))
    );
    let statuses: Vec<_> = review_jobs(&app, staff.tenant)
        .into_iter()
        .map(|(s, ..)| s)
        .collect();
    assert_eq!(statuses, ["cancelled", "done", "done"]);

    // Closing a case cancels its reminder.
    save_revision(&app, k, &case, json!({"child_participated": false})).await;
    app.patch_json(
        &format!("/api/v1/cases/{case}"),
        k,
        json!({"phase": "closed"}),
        200,
    )
    .await;
    let last = review_jobs(&app, staff.tenant);
    assert_eq!(last.last().map(|(s, ..)| s.as_str()), Some("cancelled"));
}

/// A case whose child has the birth fields `birth` (`birth_date` and/or `birth_year`), opened with
/// `extra` (a phase, say).
async fn case_born(app: &TestApp, key: &str, birth: Value, extra: Value) -> String {
    let mut child = json!({ "first_name": "Emma", "last_name": "Nordmann", "gender": "girl" });
    if let (Some(into), Some(from)) = (child.as_object_mut(), birth.as_object()) {
        into.extend(from.clone());
    }
    let mut request = json!({ "child": child });
    if let (Some(into), Some(from)) = (request.as_object_mut(), extra.as_object()) {
        into.extend(from.clone());
    }
    let res = app
        .post("/api/v1/cases", key)
        .json(&request)
        .send()
        .await
        .unwrap();
    id(&json_of(res, 201).await)
}

/// (status, due_at, payload, subject id) of the service's 17½ reminders, oldest first.
fn transition_jobs(
    app: &TestApp,
    tenant: TenantId,
) -> Vec<(String, chrono::DateTime<Utc>, Value, Option<uuid::Uuid>)> {
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        jobs::table
            .filter(jobs::kind.eq("transition_meeting"))
            .order((jobs::created_at, jobs::id))
            .select((jobs::status, jobs::due_at, jobs::payload, jobs::subject_id))
            .load(c)
    })
    .expect("jobs")
}

/// The pending 17½ reminder of `case`, if any: its due time.
fn pending_transition(
    app: &TestApp,
    tenant: TenantId,
    case: &str,
) -> Option<chrono::DateTime<Utc>> {
    let mut pending: Vec<_> = transition_jobs(app, tenant)
        .into_iter()
        .filter(|(status, _, payload, _)| status == "pending" && payload["case_id"] == case)
        .map(|(_, due, ..)| due)
        .collect();
    assert!(
        pending.len() <= 1,
        "one pending reminder per case: {pending:?}"
    );
    pending.pop()
}

/// Today in Oslo, as the service counts days.
fn oslo_today() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Europe::Oslo)
        .date_naive()
}

/// The last Sunday of `month` in `year`: when Europe/Oslo changes to summer time (March) or back
/// (October).
fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let first_of_next = NaiveDate::from_ymd_opt(year, month, 1).unwrap() + Months::new(1);
    let last = first_of_next.pred_opt().unwrap();
    last - chrono::Days::new(u64::from(last.weekday().num_days_from_sunday()))
}

/// The next last Sunday of `month` after today that a birth date reaches exactly 17½ years
/// later, and that birth date. (The 31st has no such birth date: no month has a 31st half a year
/// earlier than October's or March's does in every year.)
fn next_change(month: u32) -> (NaiveDate, NaiveDate) {
    let today = oslo_today();
    (today.year()..today.year() + 10)
        .map(|year| last_sunday(year, month))
        .filter(|day| *day > today)
        .find_map(|day| {
            let born = day - Months::new(17 * 12 + 6);
            (born + Months::new(17 * 12 + 6) == day).then_some((born, day))
        })
        .expect("a change within ten years")
}

fn at_utc(day: NaiveDate, hour: u32) -> chrono::DateTime<Utc> {
    day.and_hms_opt(hour, 0, 0).unwrap().and_utc()
}

#[tokio::test]
async fn the_transition_reminder_is_due_at_nine_local_on_the_day_the_child_turns_seventeen_and_a_half()
 {
    let app = TestApp::spawn().await;
    let staff = service(&app, "alpha").await;
    let k = &staff.key;

    // On the morning of the spring change 09:00 in Oslo is 07:00 UTC; the day before, 08:00.
    // On the morning of the autumn change 09:00 is 08:00 UTC again; the day before, 07:00.
    for (month, on_the_day, the_day_before) in [(3, 7, 8), (10, 8, 7)] {
        let (born, change) = next_change(month);
        for (birth, due) in [
            (born, at_utc(change, on_the_day)),
            (
                born.pred_opt().unwrap(),
                at_utc(change.pred_opt().unwrap(), the_day_before),
            ),
        ] {
            let case = case_born(
                &app,
                k,
                json!({ "birth_date": birth.to_string() }),
                json!({}),
            )
            .await;
            assert_eq!(pending_transition(&app, staff.tenant, &case), Some(due));
        }
    }

    // Only the year known: counted from 1 July, so 17½ on 1 January, 09:00 (winter time).
    let year = oslo_today().year() - 17;
    let case = case_born(&app, k, json!({ "birth_year": year }), json!({})).await;
    let new_year = NaiveDate::from_ymd_opt(year + 18, 1, 1).unwrap();
    assert_eq!(
        pending_transition(&app, staff.tenant, &case),
        Some(at_utc(new_year, 8))
    );

    // The row is about the case, so a change to the case finds it.
    let (_, _, payload, subject) = transition_jobs(&app, staff.tenant).pop().unwrap();
    assert_eq!(payload, json!({ "case_id": case }));
    assert_eq!(subject.map(|s| s.to_string()), Some(case.clone()));

    // None for a youth already past 17½, nor for a case opened closed.
    let past = oslo_today() - Months::new(18 * 12);
    let adult = case_born(
        &app,
        k,
        json!({ "birth_date": past.to_string() }),
        json!({}),
    )
    .await;
    assert_eq!(pending_transition(&app, staff.tenant, &adult), None);
    let closed = case_born(
        &app,
        k,
        json!({ "birth_year": 2016 }),
        json!({ "phase": "closed" }),
    )
    .await;
    assert_eq!(pending_transition(&app, staff.tenant, &closed), None);
    assert_eq!(transition_jobs(&app, staff.tenant).len(), 5);
}

async fn put_child(app: &TestApp, key: &str, case: &str, child: Value, status: u16) -> Value {
    let res = app
        .put(&format!("/api/v1/cases/{case}/child"), key)
        .json(&child)
        .send()
        .await
        .unwrap();
    json_of(res, status).await
}

#[tokio::test]
async fn a_new_birth_date_replaces_the_reminder_and_closing_the_case_cancels_it() {
    let app = TestApp::spawn().await;
    let (staff, case) = service_with_case(&app).await;
    let k = &staff.key;
    let first = pending_transition(&app, staff.tenant, &case).expect("a reminder");
    assert_eq!(first.to_rfc3339(), "2033-10-01T07:00:00+00:00");
    let child = |first_name: &str, birth: Value| {
        let mut child = json!({
            "first_name": first_name,
            "last_name": "Nordmann",
            "gender": "girl",
            "language": "norsk",
        });
        if let (Some(into), Some(from)) = (child.as_object_mut(), birth.as_object()) {
            into.extend(from.clone());
        }
        child
    };

    // A new name leaves the reminder alone.
    let view = put_child(
        &app,
        k,
        &case,
        child("Emmy", json!({"birth_date": "2016-04-01"})),
        200,
    )
    .await;
    assert_eq!(view["child"]["first_name"], "Emmy");
    assert_eq!(transition_jobs(&app, staff.tenant).len(), 1);

    // A new birth date replaces it.
    let view = put_child(
        &app,
        k,
        &case,
        child("Emmy", json!({"birth_date": "2015-06-15"})),
        200,
    )
    .await;
    assert_eq!(view["child"]["birth_date"], "2015-06-15");
    let states: Vec<String> = transition_jobs(&app, staff.tenant)
        .into_iter()
        .map(|j| j.0)
        .collect();
    assert_eq!(states, ["cancelled", "pending"]);
    assert_eq!(
        pending_transition(&app, staff.tenant, &case).map(|d| d.to_rfc3339()),
        Some("2032-12-15T08:00:00+00:00".to_owned())
    );

    // Wrong details are refused by field, and nothing changes.
    let problem = expect_problem(
        app.put(&format!("/api/v1/cases/{case}/child"), k)
            .json(&child(
                " ",
                json!({"birth_date": "2015-06-15", "birth_year": 2014}),
            ))
            .send()
            .await
            .unwrap(),
        422,
        "validation",
    )
    .await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["first_name", "birth_date"]);
    assert_eq!(transition_jobs(&app, staff.tenant).len(), 2);

    // A birth date that makes the youth past 17½: no reminder at all.
    let past = oslo_today() - Months::new(17 * 12 + 7);
    put_child(
        &app,
        k,
        &case,
        child("Emmy", json!({"birth_date": past.to_string()})),
        200,
    )
    .await;
    assert_eq!(pending_transition(&app, staff.tenant, &case), None);
    let prompts = prompt_codes(&app, k, &case).await;
    assert_eq!(
        prompts.first().map(String::as_str),
        Some("transition_meeting")
    );

    // Back to the first date; then closing cancels it and reopening brings it back.
    put_child(
        &app,
        k,
        &case,
        child("Emmy", json!({"birth_date": "2016-04-01"})),
        200,
    )
    .await;
    assert_eq!(pending_transition(&app, staff.tenant, &case), Some(first));
    app.patch_json(
        &format!("/api/v1/cases/{case}"),
        k,
        json!({"phase": "closed"}),
        200,
    )
    .await;
    assert_eq!(pending_transition(&app, staff.tenant, &case), None);
    assert_eq!(
        transition_jobs(&app, staff.tenant)
            .last()
            .map(|j| j.0.as_str()),
        Some("cancelled")
    );
    app.patch_json(
        &format!("/api/v1/cases/{case}"),
        k,
        json!({"phase": "after_care"}),
        200,
    )
    .await;
    assert_eq!(pending_transition(&app, staff.tenant, &case), Some(first));

    // Each correction is audited with what changed, never the values; the refused one is not.
    let rows: Vec<Value> = case_audit(&app, staff.tenant)
        .into_iter()
        .filter(|(action, ..)| action == "case.child_update")
        .map(|(_, kind, _, details)| {
            assert_eq!(kind.as_deref(), Some("child"));
            details["changed"].clone()
        })
        .collect();
    assert_eq!(
        rows,
        [
            json!(["first_name"]),
            json!(["birth"]),
            json!(["birth"]),
            json!(["birth"])
        ]
    );
}

#[tokio::test]
async fn the_transition_reminder_reaches_the_assigned_staff_once() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(&fast_jobs(&sink)).await;
    let staff = service(&app, "alpha").await;
    let colleague = app.staff("alpha", "coordinator").await;
    let k = &staff.key;
    let case = id(&new_case(&app, k).await);
    assign(&app, k, &case, &colleague).await;
    // The day has come (as if it were 1 October 2033), outside quiet hours. The admin's setup
    // email and the two reminders; then longer than a lease, in case anything were to be sent
    // again.
    let messages = deliver_due(&app, &sink, staff.tenant, "transition_meeting", 3, 5000).await;
    assert_eq!(messages.len(), 2, "once to each of the two staff assigned");
    let to = recipients(&messages);
    assert!(
        to[0].starts_with("caseworker-") && to[1].starts_with("coordinator-"),
        "{to:?}"
    );
    let ids: std::collections::BTreeSet<String> = message_ids(&messages).into_iter().collect();
    assert_eq!(ids.len(), 2);
    for message in &messages {
        assert_eq!(message.subject, "Et møte å planlegge i Tillit");
        let text = &message.text;
        assert!(
            text.contains("Det er tid for å planlegge et møte om veien videre"),
            "{text}"
        );
        assert!(text.contains(&format!("/cases/{case}\n")), "{text}");
        // Nothing about the child, and not a word of child welfare: the service is called
        // "alpha barneverntjeneste", so the message is signed by Tillit.
        let everything = message.everything();
        for word in ["Emma", "Nordmann", "17½", "barnevern"] {
            assert!(!everything.contains(word), "{word} in {everything}");
        }
        assert!(text.contains("Hilsen Tillit"), "{text}");
    }
    let states: Vec<String> = transition_jobs(&app, staff.tenant)
        .into_iter()
        .map(|j| j.0)
        .collect();
    assert_eq!(states, ["done"]);
}

#[tokio::test]
async fn the_openapi_description_has_every_case_endpoint() {
    let app = TestApp::spawn().await;
    let doc = app.openapi().await;
    let paths = doc["paths"].as_object().expect("paths");
    for (path, methods) in [
        ("/api/v1/cases", &["get", "post"][..]),
        ("/api/v1/cases/{id}", &["get", "patch"]),
        ("/api/v1/cases/{id}/child", &["put"]),
        ("/api/v1/cases/{id}/assignments", &["post"]),
        ("/api/v1/cases/{id}/assignments/{user_id}", &["delete"]),
        ("/api/v1/cases/{id}/persons", &["get", "post"]),
        (
            "/api/v1/cases/{id}/persons/{person_id}",
            &["get", "put", "delete"],
        ),
        ("/api/v1/cases/{id}/persons/{person_id}/words", &["post"]),
        ("/api/v1/cases/{id}/revisions", &["get", "post"]),
        ("/api/v1/cases/{id}/revisions/{number}", &["get"]),
        ("/api/v1/cases/{id}/changes", &["get"]),
        ("/api/v1/cases/{id}/prompts", &["get"]),
        ("/api/v1/cases/{id}/measures", &["get", "post"]),
        (
            "/api/v1/cases/{id}/measures/{measure_id}/network-checks",
            &["post"],
        ),
        (
            "/api/v1/cases/{id}/measures/{measure_id}/decision",
            &["post"],
        ),
        (
            "/api/v1/cases/{id}/measures/{measure_id}/withdrawal",
            &["post"],
        ),
        ("/api/v1/cases/{id}/acute-list", &["get"]),
        ("/api/v1/cases/{id}/map.svg", &["get"]),
    ] {
        for method in methods {
            assert!(
                paths.get(path).and_then(|p| p.get(*method)).is_some(),
                "{method} {path} missing"
            );
        }
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for schema in [
        "CaseView",
        "PersonView",
        "Prompt",
        "MeasureView",
        "RelationCategory",
    ] {
        assert!(schemas.contains_key(schema), "{schema} missing");
    }
}
