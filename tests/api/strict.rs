//! Input read strictly and alike, and what integrators do without the pages: a JSON value of
//! the wrong kind refused at its field (while the pages' forms still send text), the service's
//! settings read and changed by JSON, the form token for a session's JSON call, an API key that
//! acts for nobody told so, and messages held by quiet hours saying when they go out.

use crate::common;

use common::{TestApp, expect_problem};
use diesel::prelude::*;
use serde_json::{Value, json};
use tillit::db::in_tenant;
use tillit::db::schema::council_meetings;

use common::councils::*;

/// Each field error of `problem`, as (field, message).
fn errors(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or_default().to_owned(),
                        e["message"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A JSON body with a value of the wrong kind — a yes/no field given "maybe" or the text
/// "true", a number given as text, text where a list goes, a list where an object goes — is
/// refused with a 422 validation problem naming the field (its path inside the body), in the
/// API's words and never the server's types, and nothing is written. The page's form for the
/// same request still sends text and is read.
#[tokio::test]
async fn a_json_value_of_the_wrong_kind_is_refused_at_its_field_and_forms_still_send_text() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "fjordvik", json!({ "birth_year": 2016 })).await;
    let (council, _) = s.ready_council(&app, "family_group_conference").await;
    let meetings = || -> i64 {
        in_tenant(&mut app.db.app_conn(), s.tenant, |c| {
            council_meetings::table.count().get_result(c)
        })
        .unwrap()
    };
    let meeting = json!({"starts_at": local(10, 18), "duration_minutes": 120, "place": "Skolen"});
    let with = |field: &str, value: Value| {
        let mut body = meeting.clone();
        body[field] = value;
        body
    };
    for (path, body, field, says) in [
        (
            "/meetings",
            with("duration_minutes", json!("120")),
            "duration_minutes",
            "a number",
        ),
        (
            "/meetings",
            with("place_shared", json!("maybe")),
            "place_shared",
            "true or false",
        ),
        (
            "/meetings",
            with("place_shared", json!("true")),
            "place_shared",
            "true or false",
        ),
        ("/meetings", with("place", json!(7)), "place", "text"),
        (
            "/past-meetings",
            with("duration_minutes", json!("90")),
            "duration_minutes",
            "a number",
        ),
        (
            "/past-meetings",
            with("attendees", json!("alle")),
            "attendees",
            "a list",
        ),
    ] {
        let res = s.post(&app, &council, path, body.clone()).await;
        if res.status() != 422 {
            panic!("{body}: {}", res.text().await.unwrap());
        }
        let problem = expect_problem(res, 422, "validation").await;
        let errors = errors(&problem);
        assert_eq!(errors.len(), 1, "{body}: {problem}");
        assert_eq!(errors[0].0, field, "{body}: {problem}");
        assert!(errors[0].1.contains(says), "{body}: {problem}");
        let text = problem.to_string();
        for internal in [
            "struct", "enum", "Request", "Raw", "i32", "u32", "Option", "Number",
        ] {
            assert!(!text.contains(internal), "{internal} in {text}");
        }
    }
    // A nested field is named by its path; a person's yes/no is read as strictly.
    let person = app
        .post(&format!("/api/v1/cases/{}/persons", s.case), &s.staff.key)
        .json(
            &json!({"name": "Tante Eva", "category": "near_family", "closeness": "close",
                      "quality": "supportive", "can_step_in": "yes",
                      "child_words": {"text": "Hun er snill"}}),
        )
        .send()
        .await
        .unwrap();
    let problem = expect_problem(person, 422, "validation").await;
    assert_eq!(errors(&problem)[0].0, "can_step_in", "{problem}");
    let nested = app
        .post("/api/v1/cases", &s.staff.key)
        .json(&json!({"child": {"first_name": "Ola", "last_name": "N", "birth_year": "2016"}}))
        .send()
        .await
        .unwrap();
    let problem = expect_problem(nested, 422, "validation").await;
    assert_eq!(errors(&problem)[0].0, "child.birth_year", "{problem}");
    assert_eq!(meetings(), 0, "nothing was written");

    // The council page's meeting form sends its length as text, and is read.
    let who = app.sign_in(&s.staff).await;
    let (status, page) = common::answer(
        app.form(
            &format!("/cases/{}/councils/{council}/meeting", s.case),
            &who,
            &[
                ("starts_at", local(10, 18).as_str()),
                ("duration_minutes", "90"),
                ("place", "Biblioteket"),
                ("place_shared", "on"),
            ],
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 303, "{page}");
    assert_eq!(meetings(), 1);
    let view = app.get_json(&s.path(&council, ""), &s.staff.key, 200).await;
    assert_eq!(view["meetings"][0]["duration_minutes"], 90, "{view}");
}

/// An API key whose role would do but that acts for no staff member is told exactly that, with
/// a problem type of its own; a key whose role does not allow the operation is still told so.
#[tokio::test]
async fn a_key_that_acts_for_nobody_is_told_so_not_that_its_role_is_wrong() {
    let app = TestApp::spawn().await;
    app.create_tenant("alpha", &["4624"]).await;
    let nobody = app.api_key("alpha", "caseworker").await;
    let child =
        json!({"child": {"first_name": "Ola", "last_name": "Nordmann", "birth_year": 2016}});
    let res = app
        .post("/api/v1/cases", &nobody)
        .json(&child)
        .send()
        .await
        .unwrap();
    let problem = expect_problem(res, 403, "acts-for-nobody").await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("acts for no staff member"), "{detail}");
    assert!(!detail.contains("role"), "{detail}");
    let leader = app.api_key("alpha", "leader").await;
    let res = app
        .post("/api/v1/cases", &leader)
        .json(&child)
        .send()
        .await
        .unwrap();
    expect_problem(res, 403, "forbidden").await;
    // A key acting for a caseworker opens the case.
    let staff = app.staff("alpha", "caseworker").await;
    app.post_json("/api/v1/cases", &staff.key, child, 201).await;
    let doc = app.openapi().await;
    let description = doc["info"]["description"].as_str().unwrap();
    assert!(description.contains("acts-for-nobody"), "{description}");
}

/// The service's admin reads and changes the settings of `/admin` through the JSON API: the
/// fields given are set and the rest kept, every wrong field is named at once with the page's
/// own check (and nothing saved), a number is a JSON number, each change is audited like the
/// page's, and nobody but the admin may do it.
#[tokio::test]
async fn the_services_settings_are_read_and_changed_by_json_as_on_the_admin_page() {
    let app = TestApp::spawn().await;
    let created = app.create_tenant("alpha", &["4624"]).await;
    let tenant = common::tenant_id(&created);
    let admin = app.api_key("alpha", "tenant_admin").await;
    let path = "/api/v1/tenant/settings";
    let before = app.get_json(path, &admin, 200).await;
    assert_eq!(before["time_zone"], "Europe/Oslo", "{before}");
    assert!(before["quiet_start_hour"].is_u64(), "{before}");

    let changed = app
        .patch_json(
            path,
            &admin,
            json!({"quiet_start_hour": 22, "quiet_end_hour": 6.0, "reminder_days": [1, 7],
                   "sender_name": "Barneverntjenesten i Alpha"}),
            200,
        )
        .await;
    assert_eq!(changed["quiet_start_hour"], 22, "{changed}");
    assert_eq!(changed["quiet_end_hour"], 6, "{changed}");
    assert_eq!(changed["reminder_days"], json!([7, 1]), "{changed}");
    assert_eq!(changed["sender_name"], "Barneverntjenesten i Alpha");
    assert_eq!(
        changed["meeting_minutes"], before["meeting_minutes"],
        "kept"
    );
    assert_eq!(app.get_json(path, &admin, 200).await, changed);

    // Every wrong field at once, in the page's words; nothing saved.
    let res = app
        .patch(path, &admin)
        .json(
            &json!({"quiet_start_hour": 24, "reminder_days": [0], "time_zone": "Europe/Osloo",
                      "meeting_minutes": 120.5}),
        )
        .send()
        .await
        .unwrap();
    let problem = expect_problem(res, 422, "validation").await;
    let mut fields: Vec<String> = errors(&problem).into_iter().map(|(f, _)| f).collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "meeting_minutes",
            "quiet_start_hour",
            "reminder_days",
            "time_zone"
        ],
        "{problem}"
    );
    assert!(
        errors(&problem).contains(&(
            "quiet_start_hour".into(),
            "Choose whole hours between 0 and 23.".into()
        )),
        "{problem}"
    );
    let res = app
        .patch(path, &admin)
        .json(&json!({"quiet_start_hour": "23"}))
        .send()
        .await
        .unwrap();
    let problem = expect_problem(res, 422, "validation").await;
    assert_eq!(errors(&problem)[0].0, "quiet_start_hour", "{problem}");
    let res = app
        .patch(path, &admin)
        .json(&json!({"quiet_hours": [22, 7]}))
        .send()
        .await
        .unwrap();
    let problem = expect_problem(res, 422, "validation").await;
    assert_eq!(errors(&problem)[0].0, "quiet_hours", "{problem}");
    assert!(errors(&problem)[0].1.contains("unknown field"), "{problem}");
    assert_eq!(
        app.get_json(path, &admin, 200).await,
        changed,
        "nothing saved"
    );

    let saved = crate::access::audit_actions(&app, tenant)
        .iter()
        .filter(|(action, _)| action == "tenant.settings")
        .count();
    assert_eq!(saved, 1, "audited like the page");
    for role in ["leader", "caseworker", "coordinator"] {
        let key = app.api_key("alpha", role).await;
        expect_problem(app.get(path, &key).send().await.unwrap(), 403, "forbidden").await;
        let res = app
            .patch(path, &key)
            .json(&json!({"quiet_start_hour": 20}))
            .send()
            .await
            .unwrap();
        expect_problem(res, 403, "forbidden").await;
    }
    let doc = app.openapi().await;
    let operation = &doc["paths"]["/api/v1/tenant/settings"]["patch"];
    for status in ["200", "400", "401", "403", "415", "422"] {
        assert!(
            operation["responses"].get(status).is_some(),
            "{status}: {operation}"
        );
    }
    assert!(operation["requestBody"].is_object(), "{operation}");
}

/// A staff member signed in with a session (no API key) gets the form token for their JSON
/// calls from a JSON endpoint, and a change carrying it in `X-CSRF-Token` is made; without it
/// the change is refused.
#[tokio::test]
async fn a_session_gets_its_form_token_from_json_for_the_calls_that_change_something() {
    let app = TestApp::spawn().await;
    app.create_tenant("alpha", &["4624"]).await;
    let admin = app.staff("alpha", "tenant_admin").await;
    let who = app.sign_in(&admin).await;
    let res = app
        .client
        .get(app.url("/api/v1/session/form-token"))
        .header("cookie", &who.cookie)
        .send()
        .await
        .unwrap();
    let token = common::json_of(res, 200).await;
    let form_token = token["form_token"].as_str().unwrap().to_owned();
    assert_eq!(form_token, who.csrf, "{token}");
    assert_eq!(token["header"], "X-CSRF-Token");
    let change = |csrf: Option<&str>| {
        let mut req = app
            .client
            .patch(app.url("/api/v1/tenant/settings"))
            .header("cookie", &who.cookie)
            .json(&json!({"chase_max": 3}));
        if let Some(csrf) = csrf {
            req = req.header("x-csrf-token", csrf);
        }
        req.send()
    };
    expect_problem(change(None).await.unwrap(), 403, "csrf").await;
    let saved = common::json_of(change(Some(&form_token)).await.unwrap(), 200).await;
    assert_eq!(saved["chase_max"], 3, "{saved}");
    // Without a session there is no token to give.
    let res = app
        .client
        .get(app.url("/api/v1/session/form-token"))
        .send()
        .await
        .unwrap();
    expect_problem(res, 401, "unauthorized").await;
}

/// Invitations sent during the service's quiet hours are held back, and the answer to sending
/// says when each goes out, in the service's zone (the invitations page says it in words, see
/// `councils::`); sent outside them, nothing is held.
#[tokio::test]
async fn invitations_held_by_quiet_hours_say_when_they_go_out() {
    use chrono::{Offset, TimeZone, Timelike};
    let app = TestApp::spawn().await;
    let s = setup(&app, "fjordvik", json!({ "birth_year": 2015 })).await;
    let (council, _) = s.ready_council(&app, "family_group_conference").await;
    let (_, meeting) = s
        .schedule(
            &app,
            &council,
            json!({"starts_at": local(12, 17), "place": "Biblioteket"}),
        )
        .await;
    let now = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Oslo);
    let hour = i16::try_from(now.hour()).unwrap();
    let end = (hour + 2) % 24;
    common::jobs::set_quiet_hours(&app, s.tenant, hour, end);
    let view = s.invite(&app, &council, &meeting).await;
    let held: Vec<&Value> = view["participants"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["invitation"].as_object().map(|_| &p["invitation"]))
        .collect();
    assert_eq!(held.len(), 3, "{view}");
    for invitation in held {
        let at = chrono::DateTime::parse_from_rfc3339(invitation["goes_out_at"].as_str().unwrap())
            .unwrap();
        assert_eq!(at.hour(), u32::try_from(end).unwrap(), "{invitation}");
        assert_eq!(at.minute(), 0, "{invitation}");
        let oslo = chrono_tz::Europe::Oslo
            .from_utc_datetime(&at.naive_utc())
            .offset()
            .fix();
        assert_eq!(*at.offset(), oslo, "the service's offset: {invitation}");
        assert!(at > chrono::Utc::now(), "{invitation}");
    }
    // Outside the quiet hours an invitation sent again goes out at once.
    common::jobs::no_quiet_hours(&app, s.tenant);
    let participant = view["participants"][0]["id"].as_str().unwrap().to_owned();
    let again = s
        .post_expect(
            &app,
            &council,
            &format!("/participants/{participant}/invitation"),
            json!({}),
            200,
        )
        .await;
    let resent = again["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == participant.as_str())
        .unwrap();
    assert!(resent["invitation"]["goes_out_at"].is_null(), "{resent}");
    let doc = app.openapi().await;
    assert!(
        doc["components"]["schemas"]["InvitationView"]["properties"]
            .get("goes_out_at")
            .is_some()
    );
}

/// A create that makes something with an address of its own answers 201 with the created object
/// and its address in `Location`, which reads the same object back; the document names the
/// header.
#[tokio::test]
async fn a_create_answers_201_with_the_object_and_its_location() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "fjordvik", json!({ "birth_year": 2015 })).await;
    let created = |res: reqwest::Response| async move {
        assert_eq!(res.status(), 201);
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        (location, res.json::<Value>().await.unwrap())
    };
    let key = &s.staff.key;
    let (location, case) = created(
        app.post("/api/v1/cases", key)
            .json(&json!({"child": {"first_name": "Ola", "last_name": "N", "birth_year": 2016}}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        location,
        format!("/api/v1/cases/{}", case["id"].as_str().unwrap())
    );
    assert_eq!(app.get_json(&location, key, 200).await["id"], case["id"]);
    let case_id = case["id"].as_str().unwrap();
    let (location, person) = created(
        app.post(&format!("/api/v1/cases/{case_id}/persons"), key)
            .json(
                &json!({"name": "Mormor", "category": "near_family", "closeness": "close",
                          "quality": "supportive"}),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(app.get_json(&location, key, 200).await["id"], person["id"]);
    let (location, council) = created(
        app.post(&format!("/api/v1/cases/{case_id}/councils"), key)
            .json(&json!({"kind": "network_council"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(app.get_json(&location, key, 200).await["id"], council["id"]);
    let admin = app.api_key("fjordvik", "tenant_admin").await;
    let (location, made) = created(
        app.post("/api/v1/api-keys", &admin)
            .json(&json!({"name": "integrasjon", "role": "leader"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(app.get_json(&location, &admin, 200).await["id"], made["id"]);
    let doc = app.openapi().await;
    for path in [
        "/api/v1/cases",
        "/api/v1/cases/{id}/councils",
        "/api/v1/api-keys",
    ] {
        let created = &doc["paths"][path]["post"]["responses"]["201"];
        assert!(
            created["headers"].get("Location").is_some(),
            "{path}: {created}"
        );
    }
}

/// The service's admin lists, reads, invites, gives another role and deactivates staff through
/// the JSON API, with the staff page's own checks: an address taken is 409 `staff-exists`, a
/// wrong address or name is named at its field, the last active admin keeps the role
/// (`last-admin`), nobody deactivates themselves (`deactivating-self`), and the open cases
/// someone alone holds must go to a successor who can hold cases first (`cases-to-hand-over`,
/// then a field error for a leader). Each step is audited like the page's; nobody else may.
#[tokio::test]
async fn staff_are_invited_given_a_role_and_deactivated_by_json_as_on_the_staff_page() {
    let app = TestApp::spawn().await;
    let created = app.create_tenant("alpha", &["4624"]).await;
    let tenant = common::tenant_id(&created);
    let admin = app.staff("alpha", "tenant_admin").await;
    let audited_before = crate::access::audit_actions(&app, tenant).len();

    let invited = app
        .post_json(
            "/api/v1/staff",
            &admin.key,
            json!({"email": "Kari.Koordinator@alpha.example", "display_name": "Kari Koordinator",
                   "role": "coordinator"}),
            201,
        )
        .await;
    assert_eq!(
        invited["email"], "kari.koordinator@alpha.example",
        "{invited}"
    );
    assert_eq!(invited["role"], "coordinator");
    assert_eq!(invited["active"], true);
    assert_eq!(invited["has_password"], false, "not yet taken up");
    let kari = invited["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get_json(&format!("/api/v1/staff/{kari}"), &admin.key, 200)
            .await,
        invited
    );
    // The emailed link lets her choose a password, as an invitation from the page does.
    let link = crate::access::invitation_link(&app, tenant, "kari.koordinator@alpha.example");
    let page = reqwest::get(format!("{}{link}", app.address))
        .await
        .unwrap();
    assert_eq!(page.status(), 200, "{link}");

    let res = app
        .post("/api/v1/staff", &admin.key)
        .json(
            &json!({"email": "kari.koordinator@alpha.example", "display_name": "Kari",
                      "role": "caseworker"}),
        )
        .send()
        .await
        .unwrap();
    expect_problem(res, 409, "staff-exists").await;
    let res = app
        .post("/api/v1/staff", &admin.key)
        .json(&json!({"email": "ikke en adresse", "display_name": " ", "role": "coordinator"}))
        .send()
        .await
        .unwrap();
    let problem = expect_problem(res, 422, "validation").await;
    let mut fields: Vec<String> = errors(&problem).into_iter().map(|(f, _)| f).collect();
    fields.sort();
    assert_eq!(fields, ["display_name", "email"], "{problem}");
    let res = app
        .post("/api/v1/staff", &admin.key)
        .json(&json!({"email": "ny@alpha.example", "display_name": "Ny", "role": "boss"}))
        .send()
        .await
        .unwrap();
    let problem = expect_problem(res, 422, "validation").await;
    assert_eq!(errors(&problem)[0].0, "role", "{problem}");

    let changed = app
        .put_json(
            &format!("/api/v1/staff/{kari}/role"),
            &admin.key,
            json!({"role": "caseworker"}),
            200,
        )
        .await;
    assert_eq!(changed["role"], "caseworker", "{changed}");
    // The service's first admin, who got the setup email, becomes a leader; then the one
    // admin left keeps the role.
    let staff = app.get_json("/api/v1/staff", &admin.key, 200).await;
    let first = staff
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["email"] == "admin@alpha.example")
        .expect("the setup admin")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.put_json(
        &format!("/api/v1/staff/{first}/role"),
        &admin.key,
        json!({"role": "leader"}),
        200,
    )
    .await;
    let res = app
        .put(&format!("/api/v1/staff/{}/role", admin.user_id), &admin.key)
        .json(&json!({"role": "leader"}))
        .send()
        .await
        .unwrap();
    expect_problem(res, 409, "last-admin").await;
    let res = app
        .post(
            &format!("/api/v1/staff/{}/deactivate", admin.user_id),
            &admin.key,
        )
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    expect_problem(res, 409, "deactivating-self").await;

    // A caseworker alone on an open case is deactivated only once someone takes it over.
    let leaving = app.staff("alpha", "caseworker").await;
    let case = app
        .post_json(
            "/api/v1/cases",
            &leaving.key,
            json!({"child": {"first_name": "Ola", "last_name": "Nordmann", "birth_year": 2016}}),
            201,
        )
        .await;
    let case = case["id"].as_str().unwrap().to_owned();
    let deactivate = format!("/api/v1/staff/{}/deactivate", leaving.user_id);
    let res = app
        .post(&deactivate, &admin.key)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let problem = expect_problem(res, 409, "cases-to-hand-over").await;
    assert!(
        problem["detail"].as_str().unwrap().contains("1 open case"),
        "{problem}"
    );
    let leader = app.staff("alpha", "leader").await;
    let res = app
        .post(&deactivate, &admin.key)
        .json(&json!({"successor_id": leader.user_id}))
        .send()
        .await
        .unwrap();
    let problem = expect_problem(res, 422, "validation").await;
    assert_eq!(errors(&problem)[0].0, "successor_id", "{problem}");
    let gone = app
        .post_json(&deactivate, &admin.key, json!({"successor_id": kari}), 200)
        .await;
    assert_eq!(gone["active"], false, "{gone}");
    let kari_key = app
        .key_acting_for("alpha", "caseworker", kari.parse().unwrap())
        .await;
    // The case is hers now; the leaving caseworker's key opens nothing any more.
    app.get_json(&format!("/api/v1/cases/{case}"), &kari_key, 200)
        .await;
    let res = app
        .get(&format!("/api/v1/cases/{case}"), &leaving.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "a deactivated person's key");
    let listed = app.get_json("/api/v1/staff", &admin.key, 200).await;
    let listed: Vec<(&str, bool)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["role"].as_str().unwrap(), s["active"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        listed.iter().filter(|(_, active)| !active).count(),
        1,
        "{listed:?}"
    );
    assert!(!listed.last().unwrap().1, "the active first: {listed:?}");

    let actions: Vec<String> = crate::access::audit_actions(&app, tenant)
        .into_iter()
        .skip(audited_before)
        .filter(|(action, outcome)| action.starts_with("user.") && outcome == "success")
        .map(|(action, _)| action)
        .collect();
    assert_eq!(
        actions,
        ["user.invite", "user.role", "user.role", "user.deactivate"],
        "audited like the page"
    );
    for role in ["leader", "caseworker", "coordinator"] {
        let key = app.api_key("alpha", role).await;
        expect_problem(
            app.get("/api/v1/staff", &key).send().await.unwrap(),
            403,
            "forbidden",
        )
        .await;
    }
}
