//! The HTTP foundation: health, readiness, metrics, the OpenAPI description, security headers,
//! authentication, and bad input answered with problem+json while nothing is written.

use crate::common;

use common::{TestApp, expect_problem};
use serde_json::json;

#[tokio::test]
async fn health_readiness_and_request_ids() {
    let app = TestApp::spawn().await;
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let request_id = health
        .headers()
        .get("x-request-id")
        .expect("every response names its request")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(uuid::Uuid::parse_str(&request_id).is_ok(), "{request_id}");

    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(
        body,
        json!({"status": "ready", "postgres": "ok", "redis": "ok", "smtp": "not_used"})
    );
}

#[tokio::test]
async fn readiness_names_the_part_that_is_down() {
    // A Redis port where nothing listens (loopback only).
    let app = TestApp::spawn_with(&[("redis_url", json!("redis://127.0.0.1:1/0"))]).await;
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["redis"], "unreachable");
    assert_eq!(body["postgres"], "ok");
    // The process itself is still alive.
    assert_eq!(
        app.client
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    for path in ["/healthz", "/api/v1/tenant", "/no/such/page"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        let h = res.headers();
        let csp = h
            .get("content-security-policy")
            .expect("CSP")
            .to_str()
            .unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(
            h.get("x-content-type-options").unwrap(),
            "nosniff",
            "{path}"
        );
        assert_eq!(h.get("referrer-policy").unwrap(), "no-referrer", "{path}");
        assert_eq!(h.get("x-frame-options").unwrap(), "DENY", "{path}");
    }
}

#[tokio::test]
async fn unknown_routes_are_problem_json() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .get(app.url("/api/v1/nothing-here"))
        .send()
        .await
        .unwrap();
    // A typo in an address is told apart from an id that names nothing.
    let typo = expect_problem(res, 404, "no-such-route").await;
    assert!(
        typo["detail"].as_str().unwrap().contains("openapi.json"),
        "{typo}"
    );
    app.create_tenant("alpha", &["4624"]).await;
    let key = app.api_key("alpha", "caseworker").await;
    let unknown_id = app
        .get(&format!("/api/v1/cases/{}", uuid::Uuid::nil()), &key)
        .send()
        .await
        .unwrap();
    expect_problem(unknown_id, 404, "not-found").await;
}

#[tokio::test]
async fn a_method_an_address_does_not_take_answers_405_with_what_it_takes() {
    let app = TestApp::spawn().await;
    app.create_tenant("alpha", &["4624"]).await;
    let key = app.api_key("alpha", "caseworker").await;
    let res = app.delete("/api/v1/cases", &key).send().await.unwrap();
    let allow = res.headers()["allow"].to_str().unwrap().to_owned();
    let problem = expect_problem(res, 405, "method-not-allowed").await;
    let mut methods: Vec<&str> = allow.split(", ").collect();
    methods.sort_unstable();
    assert_eq!(methods, ["GET", "HEAD", "POST"], "{allow}");
    assert!(
        problem["detail"].as_str().unwrap().contains("DELETE"),
        "{problem}"
    );
    // The answer is the same for an address with an id in it, and the document agrees.
    let doc = app.openapi().await;
    let item = &doc["paths"]["/api/v1/cases/{id}"];
    assert!(item.get("put").is_none(), "the document must not list PUT");
    let res = app
        .put(&format!("/api/v1/cases/{}", uuid::Uuid::nil()), &key)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    let allow = res.headers()["allow"].to_str().unwrap().to_owned();
    expect_problem(res, 405, "method-not-allowed").await;
    assert!(allow.contains("GET"), "{allow}");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_show_the_pool() {
    let app = TestApp::spawn().await;
    app.create_tenant("alpha", &["4624"]).await;
    let key = app.api_key("alpha", "tenant_admin").await;
    for _ in 0..3 {
        app.get("/api/v1/tenant", &key).send().await.unwrap();
    }
    let text = app.text_of("/metrics").await;
    assert!(
        text.contains(
            r#"tillit_http_requests_total{method="GET",route="/api/v1/tenant",status="200"} 3"#
        ),
        "{text}"
    );
    assert!(
        text.contains("tillit_http_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(
        text.contains(r#"tillit_db_pool_connections{state="max"} 4"#),
        "{text}"
    );
}

#[tokio::test]
async fn the_openapi_description_lists_every_json_endpoint() {
    let app = TestApp::spawn().await;
    let doc = app.openapi().await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().expect("paths");
    for (path, method) in [
        ("/api/v1/tenant", "get"),
        ("/api/v1/tenant/municipalities", "post"),
        ("/api/v1/tenant/municipalities/{kommunenummer}", "delete"),
        ("/api/v1/api-keys", "get"),
        ("/api/v1/api-keys", "post"),
        ("/api/v1/api-keys/{id}", "get"),
        ("/api/v1/api-keys/{id}", "delete"),
        ("/healthz", "get"),
        ("/readyz", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing"
        );
    }
    assert!(doc["components"]["securitySchemes"]["api_key"].is_object());
}

#[tokio::test]
async fn the_tenant_endpoint_shows_the_callers_service() {
    let app = TestApp::spawn().await;
    let created = app.create_tenant("sunnfjord", &["4647", "4645"]).await;
    let key = app.api_key("sunnfjord", "caseworker").await;
    let body: serde_json::Value = app
        .get("/api/v1/tenant", &key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["id"], created.tenant_id.to_string());
    assert_eq!(body["slug"], "sunnfjord");
    assert_eq!(body["time_zone"], "Europe/Oslo");
    assert_eq!(body["locale"], "nb");
    let numbers: Vec<&str> = body["municipalities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kommunenummer"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["4645", "4647"]);
}

async fn municipalities(app: &TestApp, key: &str) -> Vec<String> {
    let body: serde_json::Value = app
        .get("/api/v1/tenant", key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["municipalities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kommunenummer"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn municipalities_are_added_and_removed_and_audited() {
    let app = TestApp::spawn().await;
    let created = app.create_tenant("alpha", &["4624"]).await;
    let key = app.api_key("alpha", "tenant_admin").await;
    let added = app
        .post("/api/v1/tenant/municipalities", &key)
        .json(&json!({"kommunenummer": "4625", "name": "Austevoll"}))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 201);
    assert_eq!(municipalities(&app, &key).await, ["4624", "4625"]);
    let removed = app
        .delete("/api/v1/tenant/municipalities/4624", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 204);
    assert_eq!(municipalities(&app, &key).await, ["4625"]);
    // The last one cannot go: a service serves at least one municipality.
    let last = app
        .delete("/api/v1/tenant/municipalities/4625", &key)
        .send()
        .await
        .unwrap();
    expect_problem(last, 409, "last-municipality").await;
    assert_eq!(municipalities(&app, &key).await, ["4625"]);

    let actions = audit_actions(&app, common::tenant_id(&created));
    for action in [
        "tenant.create",
        "api_key.create",
        "municipality.add",
        "municipality.remove",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} not audited: {actions:?}"
        );
    }
}

fn audit_actions(app: &TestApp, tenant: tillit::db::TenantId) -> Vec<String> {
    use diesel::prelude::*;
    use tillit::db::schema::audit_log;
    tillit::db::in_tenant(&mut app.db.app_conn(), tenant, |c| {
        audit_log::table
            .select(audit_log::action)
            .order(audit_log::id)
            .load::<String>(c)
    })
    .expect("audit rows")
}

#[tokio::test]
async fn bad_input_is_a_clear_problem_and_writes_nothing() {
    let app = TestApp::spawn().await;
    app.create_tenant("alpha", &["4624"]).await;
    let key = app.api_key("alpha", "tenant_admin").await;

    let malformed = app
        .post("/api/v1/tenant/municipalities", &key)
        .header("content-type", "application/json")
        .body("{\"kommunenummer\": ")
        .send()
        .await
        .unwrap();
    expect_problem(malformed, 400, "malformed-request").await;

    let wrong_shape = app
        .post("/api/v1/tenant/municipalities", &key)
        .json(&json!({"number": 4625}))
        .send()
        .await
        .unwrap();
    let problem = expect_problem(wrong_shape, 422, "validation").await;
    assert_eq!(problem["errors"][0]["field"], "kommunenummer", "{problem}");
    assert_eq!(problem["errors"][0]["message"], "this field is required");

    // What was wrong is said in the API's words, never by the server's own type names.
    let not_an_object = app
        .post("/api/v1/tenant/municipalities", &key)
        .json(&json!(3))
        .send()
        .await
        .unwrap();
    let problem = expect_problem(not_an_object, 400, "malformed-request").await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("expected a JSON object"), "{detail}");
    assert!(
        !detail.contains("struct") && !detail.contains("Request"),
        "{detail}"
    );

    let invalid = app
        .post("/api/v1/tenant/municipalities", &key)
        .json(&json!({"kommunenummer": "46251"}))
        .send()
        .await
        .unwrap();
    let body = expect_problem(invalid, 422, "validation").await;
    assert_eq!(body["errors"][0]["field"], "kommunenummer");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("four digits")
    );

    let oversized = app
        .post("/api/v1/tenant/municipalities", &key)
        .json(&json!({"kommunenummer": "4625", "name": "x".repeat(100_000)}))
        .send()
        .await
        .unwrap();
    expect_problem(oversized, 413, "payload-too-large").await;

    let not_json = app
        .post("/api/v1/tenant/municipalities", &key)
        .header("content-type", "text/plain")
        .body("4625")
        .send()
        .await
        .unwrap();
    expect_problem(not_json, 415, "unsupported-media-type").await;

    let duplicate = app
        .post("/api/v1/tenant/municipalities", &key)
        .json(&json!({"kommunenummer": "4624"}))
        .send()
        .await
        .unwrap();
    expect_problem(duplicate, 409, "municipality-served").await;

    let bad_key = app
        .post("/api/v1/api-keys", &key)
        .json(&json!({"name": "  ", "role": "superuser"}))
        .send()
        .await
        .unwrap();
    let body = expect_problem(bad_key, 422, "validation").await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "role"]);

    assert_eq!(
        municipalities(&app, &key).await,
        ["4624"],
        "nothing was added"
    );
    let keys: serde_json::Value = app
        .get("/api/v1/api-keys", &key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(keys.as_array().unwrap().len(), 1, "no key was created");
}

#[tokio::test]
async fn wrong_missing_and_revoked_keys_are_refused() {
    let app = TestApp::spawn().await;
    app.create_tenant("alpha", &["4624"]).await;
    let admin = app.api_key("alpha", "tenant_admin").await;

    let none = app
        .client
        .get(app.url("/api/v1/tenant"))
        .send()
        .await
        .unwrap();
    assert_eq!(none.headers().get("www-authenticate").unwrap(), "Bearer");
    expect_problem(none, 401, "unauthorized").await;
    for wrong in [
        "nonsense",
        "tlk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        &format!("{admin}x"),
    ] {
        let res = app.get("/api/v1/tenant", wrong).send().await.unwrap();
        expect_problem(res, 401, "unauthorized").await;
    }

    let created: serde_json::Value = app
        .post("/api/v1/api-keys", &admin)
        .json(&json!({"name": "Fagsystem", "role": "caseworker"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = created["key"].as_str().unwrap().to_owned();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get("/api/v1/tenant", &key)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // A caseworker's key may not manage keys.
    let forbidden = app
        .post("/api/v1/api-keys", &key)
        .json(&json!({"name": "more", "role": "tenant_admin"}))
        .send()
        .await
        .unwrap();
    expect_problem(forbidden, 403, "forbidden").await;

    assert_eq!(
        app.delete(&format!("/api/v1/api-keys/{id}"), &admin)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let revoked = app.get("/api/v1/tenant", &key).send().await.unwrap();
    expect_problem(revoked, 401, "unauthorized").await;
    let listed: serde_json::Value = app
        .get(&format!("/api/v1/api-keys/{id}"), &admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(listed["revoked_at"].is_string());
    assert!(
        listed.get("key").is_none() && listed.get("key_hash").is_none(),
        "{listed}"
    );
    let malformed_id = app
        .get("/api/v1/api-keys/not-a-uuid", &admin)
        .send()
        .await
        .unwrap();
    expect_problem(malformed_id, 404, "not-found").await;
}

#[tokio::test]
async fn keys_are_stored_only_as_hashes() {
    use diesel::prelude::*;
    use tillit::db::schema::api_keys;
    let app = TestApp::spawn().await;
    let created = app.create_tenant("alpha", &["4624"]).await;
    let key = app.api_key("alpha", "tenant_admin").await;
    let stored: Vec<(Vec<u8>, String)> =
        tillit::db::in_tenant(&mut app.db.app_conn(), common::tenant_id(&created), |c| {
            api_keys::table
                .select((api_keys::key_hash, api_keys::key_prefix))
                .load(c)
        })
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].0, tillit::tokens::hash(&key));
    assert!(key.starts_with(&stored[0].1) && stored[0].1.len() < 12);
}
