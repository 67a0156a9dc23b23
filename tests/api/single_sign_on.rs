//! Single sign-on against a real, certified OpenID Connect provider (`oidc-provider`, its own
//! Node process on loopback): the admin sets it up, staff sign in through it to the account they
//! were invited to, and a stranger, a deactivated account, a forged state, an ID token with another
//! nonce, for another client or past its expiry (the provider's own tokens, changed and signed
//! again with its key through its test-only tamper switch) and a password where passwords are off
//! are refused with a clear Norwegian sentence and nothing written but the audit row.

use diesel::prelude::*;
use reqwest::StatusCode;
use tillit::db::schema::{audit_log, sessions, sso_identities, sso_providers, users};
use tillit::db::{TenantId, in_tenant};

use crate::access::{Browser, STRONG, audit_actions, onboarded};
use crate::common::oidc::{self, CLIENT_ID, CLIENT_SECRET, Provider};
use crate::common::{TestApp, main_of};

const SLUG: &str = "fjordvik";
const ADMIN: &str = "admin@fjordvik.example";

/// The admin sets the provider up through the admin page; `password_login` as the switch.
async fn set_up(admin: &mut Browser, provider: &Provider, password_login: bool) {
    let (status, page) = admin.get("/admin/sso").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let mut fields = vec![
        ("label", "Fjordvik kommune"),
        ("issuer", provider.issuer.as_str()),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
        ("group_roles", "barnevern-ledere = leader"),
    ];
    if password_login {
        fields.push(("password_login", "on"));
    }
    let (status, location) = admin.post("/admin/sso", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    assert_eq!(location, "/admin/sso?saved=1");
}

/// A service with an admin signed in and its provider set up (`password_login` as the switch).
async fn service_with_provider(password_login: bool) -> (TestApp, Provider, TenantId, Browser) {
    let app = TestApp::spawn().await;
    let provider = Provider::start(&app);
    let (tenant, mut admin) = onboarded(&app, SLUG).await;
    set_up(&mut admin, &provider, password_login).await;
    (app, provider, tenant, admin)
}

/// The email and the role of `user`.
fn account_of(app: &TestApp, tenant: TenantId, user: uuid::Uuid) -> (String, String) {
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        users::table
            .find((tenant.0, user))
            .select((users::email, users::role))
            .first(c)
    })
    .expect("the account")
}

/// The page's main content says `text`.
fn shows(page: &str, text: &str) {
    assert!(page.contains(text), "{text:?} not in {}", main_of(page));
}

fn count_users(app: &TestApp, tenant: TenantId) -> i64 {
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        users::table.count().get_result(c)
    })
    .expect("users")
}

fn count_sessions(app: &TestApp, tenant: TenantId) -> i64 {
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        sessions::table.count().get_result(c)
    })
    .expect("sessions")
}

fn last_audit_details(app: &TestApp, tenant: TenantId) -> serde_json::Value {
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        audit_log::table
            .select(audit_log::details)
            .order(audit_log::id.desc())
            .first::<serde_json::Value>(c)
    })
    .expect("audit")
}

#[tokio::test]
async fn an_invited_coordinator_signs_in_through_the_provider_without_a_second_code() {
    let (app, _provider, tenant, mut admin) = service_with_provider(true).await;

    // The secret is sealed, never shown again, and the page says where the login page is.
    let (_, page) = admin.get("/admin/sso").await;
    assert!(
        !page.contains(CLIENT_SECRET),
        "the secret is not shown again"
    );
    shows(&page, "/login?service=fjordvik");
    let sealed: Vec<u8> = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        sso_providers::table
            .select(sso_providers::client_secret_sealed)
            .first(c)
    })
    .expect("provider row");
    assert!(
        !sealed
            .windows(CLIENT_SECRET.len())
            .any(|w| w == CLIENT_SECRET.as_bytes()),
        "the secret is not stored in the clear"
    );

    let coordinator = app.staff(SLUG, "coordinator").await;
    let (email, _) = account_of(&app, tenant, coordinator.user_id);

    let mut browser = Browser::new(&app);
    let (status, page) = browser.get("/login?service=fjordvik").await;
    assert_eq!(status, StatusCode::OK);
    shows(&page, "Logg inn med Fjordvik kommune");
    assert!(
        page.contains("name=\"password\""),
        "passwords are still allowed"
    );

    let callback = oidc::through_provider(&app, &browser.client, SLUG, &email, "").await;
    let res = browser
        .client
        .get(&callback)
        .send()
        .await
        .expect("callback");
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap_or_default()
    );
    assert_eq!(
        res.headers()["location"],
        "/",
        "signed in, no second code asked"
    );
    let (status, page) = browser.get("/account").await;
    assert_eq!(status, StatusCode::OK, "{page}");

    let linked: i64 = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        sso_identities::table
            .filter(sso_identities::user_id.eq(coordinator.user_id))
            .count()
            .get_result(c)
    })
    .expect("identity");
    assert_eq!(
        linked, 1,
        "the provider's subject is linked to the invited account"
    );
    assert_eq!(last_audit_details(&app, tenant)["via"], "sso");

    // The same code again (a replay) is refused by the provider: no second session.
    let before = count_sessions(&app, tenant);
    let replay = browser.client.get(&callback).send().await.expect("replay");
    assert_ne!(replay.status(), StatusCode::SEE_OTHER);
    assert_eq!(count_sessions(&app, tenant), before);

    // A second login finds the account by its subject; a mapped group sets the role.
    let mut again = Browser::new(&app);
    let callback =
        oidc::through_provider(&app, &again.client, SLUG, &email, "barnevern-ledere").await;
    let res = again.client.get(&callback).send().await.expect("callback");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, role) = account_of(&app, tenant, coordinator.user_id);
    assert_eq!(role, "leader");
    let (status, _) = again.get("/account").await;
    assert_eq!(status, StatusCode::OK);
}

const DISCOVERY: &str = "/.well-known/openid-configuration";

/// One whole sign-on of `email` in a fresh browser; true if it ends signed in.
async fn signs_on(app: &TestApp, email: &str) -> bool {
    let mut browser = Browser::new(app);
    let callback = oidc::through_provider(app, &browser.client, SLUG, email, "").await;
    let res = browser
        .client
        .get(&callback)
        .send()
        .await
        .expect("callback");
    res.status() == StatusCode::SEE_OTHER && browser.get("/account").await.0 == StatusCode::OK
}

#[tokio::test]
async fn logins_reuse_the_providers_discovery_and_saving_fetches_it_again() {
    let (app, provider, tenant, mut admin) = service_with_provider(true).await;
    let coordinator = app.staff(SLUG, "coordinator").await;
    let (email, _) = account_of(&app, tenant, coordinator.user_id);
    assert_eq!(
        provider.requests(DISCOVERY).await,
        1,
        "saving discovered it"
    );
    let keys = provider.requests("/jwks").await;
    assert!(keys >= 1, "with its keys");

    assert!(signs_on(&app, &email).await);
    assert!(signs_on(&app, &email).await);
    assert_eq!(
        (
            provider.requests(DISCOVERY).await,
            provider.requests("/jwks").await
        ),
        (1, keys),
        "two logins fetched neither the discovery document nor the keys again"
    );

    // Saving the settings checks the provider as it answers now.
    set_up(&mut admin, &provider, true).await;
    assert_eq!(provider.requests(DISCOVERY).await, 2);

    // Keys that no longer sign the provider's tokens (as after a rotation) are fetched again,
    // once, and the login passes.
    let mut stale = app.state.discovery.get(&provider.issuer).expect("kept");
    stale = stale.set_jwks(openidconnect::JsonWebKeySet::new(Vec::new()));
    app.state.discovery.put(&provider.issuer, stale);
    assert!(
        signs_on(&app, &email).await,
        "a key unknown to the kept set"
    );
    assert_eq!(provider.requests(DISCOVERY).await, 3);
    assert!(signs_on(&app, &email).await);
    assert_eq!(provider.requests(DISCOVERY).await, 3, "kept again");
}

#[tokio::test]
async fn a_person_without_an_invitation_is_refused_and_no_account_is_made() {
    let (app, _provider, tenant, _admin) = service_with_provider(true).await;
    let users_before = count_users(&app, tenant);
    let sessions_before = count_sessions(&app, tenant);

    let browser = Browser::new(&app);
    let callback =
        oidc::through_provider(&app, &browser.client, SLUG, "ukjent@fjordvik.example", "").await;
    let res = browser
        .client
        .get(&callback)
        .send()
        .await
        .expect("callback");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let page = res.text().await.expect("page");
    shows(&page, "Du har ingen aktiv konto i denne tjenesten");
    assert!(
        page.contains("Logg inn med Fjordvik kommune"),
        "the way back in is offered"
    );
    assert_eq!(
        count_users(&app, tenant),
        users_before,
        "nobody is created by signing in"
    );
    assert_eq!(count_sessions(&app, tenant), sessions_before);
    assert_eq!(
        audit_actions(&app, tenant).last().cloned(),
        Some(("login".to_owned(), "failure".to_owned()))
    );
    assert_eq!(last_audit_details(&app, tenant)["reason"], "no_account");

    // An address the provider has not verified does not match the invited account either.
    let coordinator_email = "unverified.koordinator@fjordvik.example";
    diesel::update(users::table.filter(users::email.eq(ADMIN)))
        .set(users::email.eq(coordinator_email))
        .execute(&mut app.db.admin_conn())
        .expect("email changed");
    let browser = Browser::new(&app);
    let callback = oidc::through_provider(&app, &browser.client, SLUG, coordinator_email, "").await;
    let res = browser
        .client
        .get(&callback)
        .send()
        .await
        .expect("callback");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

fn count_links(app: &TestApp, tenant: TenantId) -> i64 {
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        sso_identities::table.count().get_result(c)
    })
    .expect("identities")
}

/// The callback's status and page when the provider's ID token for `email`'s sign-on carries
/// `change` (armed at the provider after its sign-in, used by Tillit's code exchange).
async fn signs_on_with(
    app: &TestApp,
    provider: &Provider,
    email: &str,
    change: serde_json::Value,
) -> (StatusCode, String) {
    let browser = Browser::new(app);
    let callback = oidc::through_provider(app, &browser.client, SLUG, email, "").await;
    provider.tamper(change).await;
    let res = browser
        .client
        .get(&callback)
        .send()
        .await
        .expect("callback");
    assert!(
        !provider.tamper_armed().await,
        "Tillit's code exchange got the changed token"
    );
    let status = res.status();
    (status, res.text().await.expect("page"))
}

/// An invited coordinator's sign-on whose ID token carries `change` is refused: the Norwegian
/// sentence on the login page with the way back in, no session, no link to the account, and a
/// failed login audited with the check the token failed.
async fn an_id_token_is_refused_for(change: serde_json::Value, check: &str) {
    let (app, provider, tenant, _admin) = service_with_provider(true).await;
    let coordinator = app.staff(SLUG, "coordinator").await;
    let (email, _) = account_of(&app, tenant, coordinator.user_id);
    let sessions_before = count_sessions(&app, tenant);

    let (status, page) = signs_on_with(&app, &provider, &email, change).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{}", main_of(&page));
    shows(
        &page,
        "Innloggingen ble avvist: svaret fra innloggingstjenesten gjaldt ikke denne innloggingen",
    );
    assert!(
        page.contains("Logg inn med Fjordvik kommune"),
        "the way back in is offered"
    );
    assert!(
        !page.contains("urn:tillit"),
        "no technical text on the page"
    );
    assert_eq!(count_sessions(&app, tenant), sessions_before, "no session");
    assert_eq!(count_links(&app, tenant), 0, "the subject is not linked");
    assert_eq!(
        audit_actions(&app, tenant).last().cloned(),
        Some(("login".to_owned(), "failure".to_owned()))
    );
    let details = last_audit_details(&app, tenant);
    assert_eq!(details["reason"], "token_invalid");
    assert_eq!(details["check"], check);

    // The same provider's token, signed again but unchanged, signs in: the claim was the cause.
    let (status, page) = signs_on_with(&app, &provider, &email, serde_json::json!({})).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", main_of(&page));
    assert_eq!(count_sessions(&app, tenant), sessions_before + 1);
}

#[tokio::test]
async fn an_id_token_with_another_nonce_is_refused() {
    an_id_token_is_refused_for(serde_json::json!({ "nonce": "another-nonce" }), "nonce").await;
}

#[tokio::test]
async fn an_id_token_for_another_client_is_refused() {
    an_id_token_is_refused_for(serde_json::json!({ "aud": "another-client" }), "audience").await;
}

#[tokio::test]
async fn an_id_token_past_its_expiry_is_refused() {
    an_id_token_is_refused_for(serde_json::json!({ "exp_seconds_ago": 600 }), "expired").await;
}

#[tokio::test]
async fn a_deactivated_account_is_refused_through_the_provider() {
    let (app, provider, tenant, mut admin) = service_with_provider(true).await;
    let coordinator = app.staff(SLUG, "coordinator").await;
    let (email, _) = account_of(&app, tenant, coordinator.user_id);
    assert!(signs_on(&app, &email).await, "signed on once: linked");

    // The admin deactivates the coordinator on the staff page.
    admin.get("/admin/staff").await;
    let (status, _) = admin
        .post(
            &format!("/admin/staff/{}/deactivate", coordinator.user_id),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let refused = |page: &str| {
        shows(page, "Kontoen din i denne tjenesten er deaktivert");
        assert!(
            !page.contains("urn:tillit"),
            "no technical text on the page"
        );
    };
    let sessions_before = count_sessions(&app, tenant);
    let (status, page) = signs_on_with(&app, &provider, &email, serde_json::json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{}", main_of(&page));
    refused(&page);
    assert_eq!(count_sessions(&app, tenant), sessions_before, "no session");
    assert_eq!(
        audit_actions(&app, tenant).last().cloned(),
        Some(("login".to_owned(), "failure".to_owned()))
    );
    assert_eq!(
        last_audit_details(&app, tenant)["reason"],
        "account_disabled"
    );

    // A deactivated colleague who never signed on (found by the verified email): the same.
    let caseworker = app.staff(SLUG, "caseworker").await;
    let (email, _) = account_of(&app, tenant, caseworker.user_id);
    diesel::update(users::table.filter(users::id.eq(caseworker.user_id)))
        .set(users::active.eq(false))
        .execute(&mut app.db.admin_conn())
        .expect("deactivated");
    let (status, page) = signs_on_with(&app, &provider, &email, serde_json::json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{}", main_of(&page));
    refused(&page);
    assert_eq!(count_sessions(&app, tenant), sessions_before);
    assert_eq!(
        last_audit_details(&app, tenant)["reason"],
        "account_disabled"
    );
    let linked: i64 = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        sso_identities::table
            .filter(sso_identities::user_id.eq(caseworker.user_id))
            .count()
            .get_result(c)
    })
    .expect("identities");
    assert_eq!(linked, 0, "nothing written for the deactivated account");
}

#[tokio::test]
async fn a_callback_with_another_state_is_refused() {
    let (app, provider, tenant, _admin) = service_with_provider(true).await;
    let sessions_before = count_sessions(&app, tenant);

    let mut browser = Browser::new(&app);
    let start = browser
        .client
        .get(app.url("/login/sso/fjordvik"))
        .send()
        .await
        .expect("start");
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    let to = start.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(to.starts_with(&provider.issuer), "{to}");
    for needed in [
        "code_challenge=",
        "code_challenge_method=S256",
        "state=",
        "nonce=",
    ] {
        assert!(to.contains(needed), "the request carries {needed}: {to}");
    }

    let (status, page) = browser
        .get("/login/sso/callback?code=forged&state=not-the-one-sent")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    shows(&page, "den ble ikke startet i denne nettleseren");
    assert_eq!(count_sessions(&app, tenant), sessions_before);
    assert_eq!(last_audit_details(&app, tenant)["reason"], "state");

    // Without any login started here, the same.
    let mut stranger = Browser::new(&app);
    let (status, _) = stranger.get("/login/sso/callback?code=x&state=y").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn with_password_login_off_a_password_is_refused_with_the_way_in() {
    let (app, _provider, tenant, _admin) = service_with_provider(false).await;

    let mut browser = Browser::new(&app);
    let (_, page) = browser.get("/login?service=fjordvik").await;
    assert!(page.contains("Logg inn med Fjordvik kommune"));
    assert!(
        !page.contains("name=\"password\""),
        "no password form on the service's page"
    );

    let sessions_before = count_sessions(&app, tenant);
    browser.get("/login").await;
    let (status, page) = browser
        .post("/login", &[("email", ADMIN), ("password", STRONG)])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    shows(
        &page,
        "Denne tjenesten logger inn med kommunens innlogging, ikke med passord",
    );
    assert!(
        page.contains("Logg inn med Fjordvik kommune"),
        "the button is offered"
    );
    assert_eq!(count_sessions(&app, tenant), sessions_before);
    assert_eq!(
        last_audit_details(&app, tenant)["reason"],
        "password_login_off"
    );
}

#[tokio::test]
async fn a_provider_that_does_not_answer_is_refused_at_its_field_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let (tenant, mut admin) = onboarded(&app, SLUG).await;
    admin.get("/admin/sso").await;
    let fields = [
        ("label", "Fjordvik kommune"),
        ("issuer", "http://127.0.0.1:9"),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
        ("group_roles", "ledere = sjef"),
    ];
    let (status, page) = admin.post("/admin/sso", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&page, "href=\"#group_roles\"");
    assert!(
        page.contains("value=\"Fjordvik kommune\""),
        "what was typed is kept"
    );
    assert!(!page.contains(CLIENT_SECRET), "the secret is not echoed");
    let (status, page) = admin.post("/admin/sso", &fields[..4]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&page, "svarer ikke som en OpenID Connect-tjeneste");
    let rows: i64 = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        sso_providers::table.count().get_result(c)
    })
    .expect("rows");
    assert_eq!(rows, 0, "nothing saved");
}

#[tokio::test]
async fn in_a_browser_a_coordinator_signs_in_through_the_provider() {
    let (app, _provider, tenant, _admin) = service_with_provider(false).await;
    let coordinator = app.staff(SLUG, "coordinator").await;
    let (email, _) = account_of(&app, tenant, coordinator.user_id);
    crate::browser::run_browser_script_with(
        &app,
        "single_sign_on",
        &[("TILLIT_EMAIL", &email), ("TILLIT_SERVICE", SLUG)],
    )
    .await;
    let signed_in: i64 = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        sessions::table
            .filter(sessions::user_id.eq(coordinator.user_id))
            .count()
            .get_result(c)
    })
    .expect("sessions");
    assert_eq!(signed_in, 1);
}
