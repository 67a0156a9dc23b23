//! The second factor of password logins and the sessions a person controls, over HTTP as a
//! browser does it: enrolment with the QR page's secret, codes that count once, recovery codes
//! used once, wrong codes rate limited and audited, an admin's reset, and sessions listed and
//! ended.

use diesel::prelude::*;
use reqwest::StatusCode;
use tillit::db::schema::{audit_log, recovery_codes, sessions, tenants, user_factors, users};
use tillit::db::{TenantId, in_tenant};

use crate::access::{Browser, STRONG, audit_actions, onboarded};
use crate::common::{TestApp, recovery_codes_in, totp_code, totp_secret_in};

const ADMIN: &str = "admin@fjordvik.example";

/// Logs in with the password and sets up the factor; returns the secret and the recovery codes.
/// The secret, the recovery codes and the code the enrolment was confirmed with (used once).
async fn enrol(browser: &mut Browser) -> (String, Vec<String>, String) {
    browser.get("/login").await;
    let (status, location) = browser
        .post("/login", &[("email", ADMIN), ("password", STRONG)])
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/login/enrol")
    );
    let done = enrolment(browser, "/login/enrol").await;
    (done.secret, done.codes, done.code)
}

/// What an enrolment showed: its page, the secret, and the page of recovery codes with them.
pub(crate) struct Enrolled {
    page: String,
    secret: String,
    codes_page: String,
    codes: Vec<String>,
    /// The app's code that confirmed it.
    code: String,
}

/// A first login's enrolment at `path`, as a person does it: the QR page, a wrong first code,
/// then the app's code.
async fn enrolment(browser: &mut Browser, path: &str) -> Enrolled {
    let (status, shown) = browser.get(path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(shown.contains("<svg"), "the QR code");
    let secret = totp_secret_in(&shown);
    let (status, page) = browser.post(path, &[("code", "000000")]).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a wrong first code"
    );
    assert!(page.contains("Koden er feil"), "{page}");
    let code = totp_code(&secret, 0);
    let (status, page) = browser.post(path, &[("code", &code)]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    Enrolled {
        code,
        codes: recovery_codes_in(&page),
        page: shown,
        secret,
        codes_page: page,
    }
}

/// Logs out and in with the password, up to the code page.
async fn password_again(browser: &mut Browser) {
    browser.get("/account").await;
    browser.post("/logout", &[]).await;
    assert!(!signed_in(browser).await, "logged out");
    browser.get("/login").await;
    let (status, location) = browser
        .post("/login", &[("email", ADMIN), ("password", STRONG)])
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/login/factor")
    );
    browser.get("/login/factor").await;
}

async fn signed_in(browser: &mut Browser) -> bool {
    browser.get("/account").await.0 == StatusCode::OK
}

#[tokio::test]
async fn a_code_and_a_recovery_code_each_count_once() {
    // More attempts than the rate limits let through in a minute (every attempt counts).
    let app = TestApp::spawn_with(&[
        ("rate_limits.login_per_account", serde_json::json!(50)),
        ("rate_limits.login_per_address", serde_json::json!(50)),
    ])
    .await;
    let (tenant, _) = onboarded(&app, "fjordvik").await;
    let mut browser = Browser::new(&app);
    let (secret, codes, used) = enrol(&mut browser).await;
    assert_eq!(codes.len(), 10);
    assert!(signed_in(&mut browser).await);

    // The secret is stored sealed, the recovery codes as hashes.
    let (sealed, hashes): (Vec<u8>, Vec<Vec<u8>>) =
        in_tenant(&mut app.db.app_conn(), tenant, |c| {
            Ok::<_, diesel::result::Error>((
                user_factors::table
                    .select(user_factors::secret_sealed)
                    .first(c)?,
                recovery_codes::table
                    .select(recovery_codes::code_hash)
                    .load(c)?,
            ))
        })
        .unwrap();
    let raw = tillit::access::totp::Secret::from_base32(&secret).unwrap();
    let opened =
        tillit::access::totp::Secret::open(&app.state.settings.token_key(), &sealed).unwrap();
    assert_eq!(opened.code_at(1_000_000), raw.code_at(1_000_000));
    assert_eq!(sealed.len(), 24 + 20 + 16, "nonce, sealed secret, tag");
    assert!(hashes.iter().all(|h| h.len() == 32));

    // The code used at enrolment cannot be used again (even when the clock has moved on to the
    // next code since); the next one can.
    password_again(&mut browser).await;
    let (status, page) = browser.post("/login/factor", &[("code", &used)]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a replayed code: {page}");
    assert!(!signed_in(&mut browser).await);
    browser.get("/login/factor").await;
    let (status, location) = browser
        .post("/login/factor", &[("code", &totp_code(&secret, 1))])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    assert!(signed_in(&mut browser).await);

    // A recovery code instead of the app's code: good once.
    password_again(&mut browser).await;
    let typed = codes[3].to_uppercase();
    let (status, _) = browser.post("/login/factor", &[("code", &typed)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(signed_in(&mut browser).await);
    password_again(&mut browser).await;
    let (status, _) = browser.post("/login/factor", &[("code", &codes[3])]).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a recovery code is used once"
    );
    let (_, page) = browser.get("/account").await;
    assert!(!page.contains("Ubrukte gjenopprettingskoder: 9"));

    // Without the password first there is no code page to post to.
    let mut stranger = Browser::new(&app);
    stranger.get("/login").await;
    let (status, location) = stranger
        .post("/login/factor", &[("code", &totp_code(&secret, 1))])
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/login")
    );

    let actions = audit_actions(&app, tenant);
    for expected in [
        ("factor.enrol", "failure"),
        ("factor.enrol", "success"),
        ("login", "failure"),
        ("login", "success"),
    ] {
        assert!(
            actions
                .iter()
                .any(|(a, o)| a == expected.0 && o == expected.1),
            "{expected:?} missing from {actions:?}"
        );
    }
    let via: Vec<serde_json::Value> = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        audit_log::table
            .filter(audit_log::action.eq("login"))
            .filter(audit_log::outcome.eq("success"))
            .select(audit_log::details)
            .load(c)
    })
    .unwrap();
    assert!(
        via.iter().any(|d| d["second_factor"] == "recovery_code")
            && via.iter().any(|d| d["second_factor"] == "totp"),
        "{via:?}"
    );
}

#[tokio::test]
async fn wrong_codes_are_rate_limited_like_passwords() {
    let app = TestApp::spawn_with(&[("rate_limits.login_per_account", serde_json::json!(5))]).await;
    onboarded(&app, "fjordvik").await;
    let mut browser = Browser::new(&app);
    // The enrolment's two attempts count too: three more wrong codes empty the bucket.
    let (secret, _, _) = enrol(&mut browser).await;
    password_again(&mut browser).await;
    for _ in 0..3 {
        let (status, _) = browser.post("/login/factor", &[("code", "123456")]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, page) = browser
        .post("/login/factor", &[("code", &totp_code(&secret, 1))])
        .await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right code waits"
    );
    assert!(page.contains("For mange forsøk"), "{page}");
    assert!(!signed_in(&mut browser).await);
}

#[tokio::test]
async fn a_service_may_let_passwords_alone_in() {
    let app = TestApp::spawn().await;
    let (tenant, mut admin) = onboarded(&app, "fjordvik").await;
    let (_, page) = admin.get("/admin").await;
    assert!(page.contains(r#"id="second_factor_required""#) && page.contains("checked"));
    let (status, _) = admin.post("/admin/sign-in", &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let required: bool = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        tenants::table
            .select(tenants::second_factor_required)
            .first(c)
    })
    .unwrap();
    assert!(!required);
    let mut browser = Browser::new(&app);
    browser.get("/login").await;
    let (status, location) = browser
        .post("/login", &[("email", ADMIN), ("password", STRONG)])
        .await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/"));
    let actions = audit_actions(&app, tenant);
    assert!(actions.iter().any(|(a, _)| a == "tenant.sign_in"));
}

/// A colleague of the admin, invited and set up, with a session of their own.
async fn colleague(app: &TestApp, tenant: TenantId, admin: &mut Browser) -> (uuid::Uuid, Browser) {
    admin.get("/admin/staff").await;
    admin
        .post(
            "/admin/staff",
            &[
                ("email", "kari@fjordvik.example"),
                ("display_name", "Kari"),
                ("role", "coordinator"),
            ],
        )
        .await;
    let kari: uuid::Uuid = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        users::table
            .filter(users::email.eq("kari@fjordvik.example"))
            .select(users::id)
            .first(c)
    })
    .unwrap();
    let secret = tillit::access::totp::Secret::generate();
    let key = app.state.settings.token_key();
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        tillit::access::factor::enrol(
            c,
            &key,
            &tillit::access::factor::StaffFactor::new(tenant, kari),
            &secret,
            0,
        )
    })
    .unwrap();
    let (_, browser) = colleague_session(app, tenant, kari);
    (kari, browser)
}

#[tokio::test]
async fn an_admin_resets_a_colleagues_factor_and_ends_their_sessions() {
    let app = TestApp::spawn().await;
    let (tenant, mut admin) = onboarded(&app, "fjordvik").await;
    let (kari, mut kari_browser) = colleague(&app, tenant, &mut admin).await;
    assert!(signed_in(&mut kari_browser).await);
    let (_, page) = admin.get("/admin/staff").await;
    assert!(page.contains(&format!("/admin/staff/{kari}/factor/reset")));

    let (status, location) = admin
        .post(&format!("/admin/staff/{kari}/factor/reset"), &[])
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/admin/staff?done=factor_reset")
    );
    assert!(!signed_in(&mut kari_browser).await, "her sessions ended");
    let left: i64 = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        user_factors::table
            .filter(user_factors::user_id.eq(kari))
            .count()
            .get_result(c)
    })
    .unwrap();
    assert_eq!(left, 0);

    // Another session of hers; the admin ends all of them.
    let (_, mut again) = colleague_session(&app, tenant, kari);
    assert!(signed_in(&mut again).await);
    let (status, _) = admin
        .post(&format!("/admin/staff/{kari}/sessions/end"), &[])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(!signed_in(&mut again).await);

    let actions = audit_actions(&app, tenant);
    assert!(actions.iter().any(|(a, _)| a == "user.factor_reset"));
    assert!(actions.iter().any(|(a, _)| a == "user.sessions_end"));
}

/// A fresh session for `user`, in a browser of its own.
fn colleague_session(app: &TestApp, tenant: TenantId, user: uuid::Uuid) -> (String, Browser) {
    let token = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        tillit::access::session::start(c, &app.state, tenant, user)
    })
    .unwrap();
    let mut browser = Browser::new(app);
    let jar = reqwest::cookie::Jar::default();
    jar.add_cookie_str(
        &format!("{}={token}", tillit::access::session::cookie_name(false)),
        &app.address.parse().unwrap(),
    );
    browser.client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_provider(std::sync::Arc::new(jar))
        .build()
        .unwrap();
    (token, browser)
}

#[tokio::test]
async fn a_person_sees_their_sessions_and_ends_them_and_a_new_factor_ends_the_others() {
    let app = TestApp::spawn().await;
    let (tenant, mut admin) = onboarded(&app, "fjordvik").await;
    let admin_id: uuid::Uuid = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        users::table
            .filter(users::email.eq(ADMIN))
            .select(users::id)
            .first(c)
    })
    .unwrap();
    let (_, mut laptop) = colleague_session(&app, tenant, admin_id);
    let (_, mut phone) = colleague_session(&app, tenant, admin_id);
    let (status, page) = admin.get("/account").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        page.matches("/account/sessions/").count() - 1,
        3,
        "three sessions and end-others"
    );
    assert!(page.contains("(denne)"), "this session is marked");

    // Ending the laptop's session from the account page.
    let laptop_session: uuid::Uuid = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        sessions::table
            .filter(sessions::ended_at.is_null())
            .order(sessions::created_at.desc())
            .select(sessions::id)
            .offset(1)
            .first(c)
    })
    .unwrap();
    let (status, location) = admin
        .post(&format!("/account/sessions/{laptop_session}/end"), &[])
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/account?done=ended")
    );
    assert!(!signed_in(&mut laptop).await);
    assert!(signed_in(&mut phone).await);

    // Another person's session is not found.
    let (kari, _) = colleague(&app, tenant, &mut admin).await;
    let (_, mut karis) = colleague_session(&app, tenant, kari);
    let karis_session: uuid::Uuid = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        sessions::table
            .filter(sessions::user_id.eq(kari))
            .select(sessions::id)
            .order(sessions::created_at.desc())
            .first(c)
    })
    .unwrap();
    let (status, _) = admin
        .post(&format!("/account/sessions/{karis_session}/end"), &[])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(signed_in(&mut karis).await);

    // A new factor set up from the account page ends the phone's session, not this one.
    let (status, page) = admin.get("/account/factor").await;
    assert_eq!(status, StatusCode::OK);
    let secret = totp_secret_in(&page);
    let nonce = page
        .split(r#"name="nonce" value=""#)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();
    let (status, page) = admin
        .post(
            "/account/factor",
            &[("nonce", &nonce), ("code", &totp_code(&secret, 0))],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(recovery_codes_in(&page).len(), 10);
    assert!(!signed_in(&mut phone).await, "the other session ended");
    assert!(signed_in(&mut admin).await, "this one goes on");
    let (_, page) = admin.get("/account").await;
    assert!(page.contains("Totrinnsinnlogging er satt opp."), "{page}");

    // End all the others.
    let (_, mut tablet) = colleague_session(&app, tenant, admin_id);
    let (status, _) = admin.post("/account/sessions/end-others", &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(!signed_in(&mut tablet).await);
    assert!(signed_in(&mut admin).await);

    let actions = audit_actions(&app, tenant);
    for action in ["session.end", "session.end_others", "factor.enrol"] {
        assert!(actions.iter().any(|(a, _)| a == action), "{action}");
    }
}

const OPERATOR: &str = "drift@tillit.example";

/// A platform operator made as `tillit operator create` makes one; returns their password.
pub(crate) async fn operator(app: &TestApp) -> String {
    let (_, password) = tillit::onboarding::operator::create_or_reset(
        &app.state,
        &tillit::fields::Email::parse(OPERATOR).unwrap(),
    )
    .await
    .unwrap();
    password
}

/// Logs the operator in with `password`, up to the factor step; returns where it leads.
async fn operator_password(browser: &mut Browser, password: &str) -> String {
    browser.get("/operator/login").await;
    let (status, location) = browser
        .post(
            "/operator/login",
            &[("email", OPERATOR), ("password", password)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    browser.get(&location).await;
    location
}

/// The operator's first login: the password, then the factor set up with the page's key.
/// Returns the secret and the recovery codes.
pub(crate) async fn operator_enrols(browser: &mut Browser, password: &str) -> Enrolled {
    let to = operator_password(browser, password).await;
    assert_eq!(
        to, "/operator/login/enrol",
        "a first login sets up the factor"
    );
    let done = enrolment(browser, "/operator/login/enrol").await;
    assert!(done.page.contains("Driftsoperatører"), "{}", done.page);
    assert!(
        done.codes_page.contains(r#"href="/operator""#),
        "{}",
        done.codes_page
    );
    done
}

async fn operator_signed_in(browser: &mut Browser) -> bool {
    browser.get("/operator").await.0 == StatusCode::OK
}

async fn operator_logs_out(browser: &mut Browser) {
    browser.get("/operator").await;
    browser.post("/operator/logout", &[]).await;
    assert!(!operator_signed_in(browser).await, "logged out");
}

/// The rows of the operators' log, oldest first: (action, outcome).
fn operator_log(app: &TestApp) -> Vec<(String, String)> {
    use tillit::db::schema::operator_audit;
    operator_audit::table
        .select((operator_audit::action, operator_audit::outcome))
        .order(operator_audit::id)
        .load(&mut app.db.admin_conn())
        .unwrap()
}

#[tokio::test]
async fn an_operator_enrols_at_first_login_and_each_code_counts_once() {
    use tillit::db::schema::{operator_factors, operator_recovery_codes};
    let app = TestApp::spawn_with(&[
        ("rate_limits.login_per_account", serde_json::json!(50)),
        ("rate_limits.login_per_address", serde_json::json!(50)),
    ])
    .await;
    let password = operator(&app).await;
    let mut browser = Browser::new(&app);
    // The password alone leads to the factor, not to the operator's page.
    operator_password(&mut browser, &password).await;
    assert!(!operator_signed_in(&mut browser).await);
    let mut browser = Browser::new(&app);
    let Enrolled {
        secret,
        codes,
        code: enrolled_with,
        ..
    } = operator_enrols(&mut browser, &password).await;
    assert_eq!(codes.len(), 10);
    assert!(operator_signed_in(&mut browser).await);

    // Stored sealed, the recovery codes as hashes.
    let mut conn = app.db.app_conn();
    let sealed: Vec<u8> = operator_factors::table
        .select(operator_factors::secret_sealed)
        .first(&mut conn)
        .unwrap();
    let opened =
        tillit::access::totp::Secret::open(&app.state.settings.token_key(), &sealed).unwrap();
    let raw = tillit::access::totp::Secret::from_base32(&secret).unwrap();
    assert_eq!(opened.code_at(1_000_000), raw.code_at(1_000_000));
    let hashes: Vec<Vec<u8>> = operator_recovery_codes::table
        .select(operator_recovery_codes::code_hash)
        .load(&mut conn)
        .unwrap();
    assert_eq!(hashes.len(), 10);
    assert!(hashes.iter().all(|h| h.len() == 32));

    // The enrolment's code cannot be used again; the next one can.
    operator_logs_out(&mut browser).await;
    let to = operator_password(&mut browser, &password).await;
    assert_eq!(to, "/operator/login/factor");
    let (status, page) = browser
        .post("/operator/login/factor", &[("code", &enrolled_with)])
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a replayed code: {page}");
    assert!(page.contains("Koden er feil") && page.contains("tillit operator create"));
    assert!(!operator_signed_in(&mut browser).await);
    browser.get("/operator/login/factor").await;
    let (status, location) = browser
        .post(
            "/operator/login/factor",
            &[("code", &totp_code(&secret, 1))],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/operator")
    );
    assert!(operator_signed_in(&mut browser).await);

    // A recovery code: good once.
    operator_logs_out(&mut browser).await;
    operator_password(&mut browser, &password).await;
    let (status, _) = browser
        .post("/operator/login/factor", &[("code", &codes[2])])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(operator_signed_in(&mut browser).await);
    operator_logs_out(&mut browser).await;
    operator_password(&mut browser, &password).await;
    let (status, _) = browser
        .post("/operator/login/factor", &[("code", &codes[2])])
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a recovery code counts once"
    );
    assert!(!operator_signed_in(&mut browser).await);

    // Without the password first there is no code page to post to.
    let mut stranger = Browser::new(&app);
    stranger.get("/operator/login").await;
    let (status, location) = stranger
        .post(
            "/operator/login/factor",
            &[("code", &totp_code(&secret, 2))],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/operator/login")
    );
    // An operator's pending login is no staff member's.
    let (status, location) = browser
        .post("/login/factor", &[("code", &totp_code(&secret, 2))])
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/login")
    );

    let log = operator_log(&app);
    for expected in [
        ("factor.enrol", "failure"),
        ("factor.enrol", "success"),
        ("login", "failure"),
        ("login", "success"),
    ] {
        assert!(
            log.iter().any(|(a, o)| a == expected.0 && o == expected.1),
            "{expected:?} missing from {log:?}"
        );
    }

    // `tillit operator create` again: a new password, and the factor set up anew.
    let password = operator(&app).await;
    assert!(!operator_signed_in(&mut browser).await);
    let mut browser = Browser::new(&app);
    let fresh = operator_enrols(&mut browser, &password).await.codes;
    assert!(!fresh.contains(&codes[0]));
}

#[tokio::test]
async fn an_operators_wrong_codes_are_rate_limited_like_passwords() {
    let app = TestApp::spawn_with(&[("rate_limits.login_per_account", serde_json::json!(5))]).await;
    let password = operator(&app).await;
    let mut browser = Browser::new(&app);
    // The enrolment's two attempts count too: three more wrong codes empty the bucket.
    let secret = operator_enrols(&mut browser, &password).await.secret;
    operator_logs_out(&mut browser).await;
    operator_password(&mut browser, &password).await;
    for _ in 0..3 {
        let (status, _) = browser
            .post("/operator/login/factor", &[("code", "123456")])
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, page) = browser
        .post(
            "/operator/login/factor",
            &[("code", &totp_code(&secret, 1))],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right code waits"
    );
    assert!(page.contains("For mange forsøk"), "{page}");
    assert!(!operator_signed_in(&mut browser).await);
    let failures = operator_log(&app)
        .into_iter()
        .filter(|(a, o)| a == "login" && o == "failure")
        .count();
    assert_eq!(failures, 4, "each wrong and each refused code is audited");
}
