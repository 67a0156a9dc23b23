//! Onboarding and staff access over HTTP, as a browser does it (cookies, form tokens, redirects):
//! setup links, passwords, login and logout, invitations, roles, deactivation, the audit log, and
//! a walk over every route with every role.

use crate::common;

use std::collections::BTreeSet;

use common::{
    TestApp, answer, csrf_in, main_of, recovery_codes_in, tenant_id, totp_code, totp_secret_in,
};
use diesel::prelude::*;
use reqwest::StatusCode;
use tillit::access::account_links;
use tillit::db::schema::{account_tokens, audit_log, jobs, sessions, users};
use tillit::db::{TenantId, in_tenant};
use tillit::tokens::{AccountLink, LinkToken};

/// A browser: a cookie jar, no automatic redirects, and the form token of the last page seen.
pub(crate) struct Browser {
    pub(crate) client: reqwest::Client,
    base: String,
    csrf: String,
}

impl Browser {
    pub(crate) fn new(app: &TestApp) -> Self {
        Self::at(&app.address)
    }

    /// A browser of its own at `base` (another server than the test app, e.g. a replica).
    pub(crate) fn at(base: &str) -> Self {
        Self {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: base.to_owned(),
            csrf: String::new(),
        }
    }

    /// The same browser (its cookies) turning to the server at `base`, as a load balancer sends
    /// one browser's requests to any replica.
    pub(crate) fn same_at(&self, base: &str) -> Self {
        Self {
            client: self.client.clone(),
            base: base.to_owned(),
            csrf: String::new(),
        }
    }

    /// The status and the Location (for a redirect) or the body of `res`; remembers the page's
    /// form token.
    async fn read(&mut self, res: reqwest::Response) -> (StatusCode, String) {
        let (status, body) = answer(res).await;
        if body.contains("name=\"csrf\"") {
            self.csrf = csrf_in(&body);
        }
        (status, body)
    }

    /// GETs a page as a browser does (asking for HTML); remembers its form token.
    pub(crate) async fn get(&mut self, path: &str) -> (StatusCode, String) {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .header("accept", "text/html")
            .send()
            .await
            .expect("GET");
        self.read(res).await
    }

    /// POSTs a form with the current form token; returns the status and the Location (for a
    /// redirect) or the body.
    pub(crate) async fn post(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String) {
        if self.csrf.is_empty() {
            self.get("/").await;
        }
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        let token = self.csrf.clone();
        form.push(("csrf", &token));
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .header("accept", "text/html")
            .form(&form)
            .send()
            .await
            .expect("POST");
        self.read(res).await
    }
}

/// The settings form filled in as an admin would, each field valid.
pub(crate) const SETTINGS: [(&str, &str); 20] = [
    ("name", "Fjordvik og Lia barneverntjeneste"),
    ("sender_name", "Barneverntjenesten i Fjordvik"),
    ("reply_to", "post@fjordvik.example"),
    ("time_zone", "Europe/Oslo"),
    ("quiet_start_hour", "20"),
    ("quiet_end_hour", "8"),
    ("meeting_minutes", "180"),
    ("reminder_days", "7, 2"),
    ("chase_after_days", "4"),
    ("chase_max", "2"),
    ("map_review_months", "6"),
    ("preparation_check_days", "5"),
    ("evaluation_age_years", "7"),
    ("evaluation_months_younger", "6"),
    ("evaluation_months_older", "12"),
    ("commitment_notice_days", "3"),
    ("evaluation_undocumented_days", "14"),
    ("follow_up_weeks_ahead", "4"),
    ("interview_reminder_days", "10"),
    ("decision_overdue_days", "21"),
];

pub(crate) const STRONG: &str = "tre blå hester på fjellet";

pub(crate) fn audit_actions(app: &TestApp, tenant: TenantId) -> Vec<(String, String)> {
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        audit_log::table
            .select((audit_log::action, audit_log::outcome))
            .order(audit_log::id)
            .load(c)
    })
    .expect("audit")
}

/// The invitation link of `email`, derived the way the email job derives it.
pub(crate) fn invitation_link(app: &TestApp, tenant: TenantId, email: &str) -> String {
    let token_id: uuid::Uuid = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        account_tokens::table
            .inner_join(
                users::table.on(users::tenant_id
                    .eq(account_tokens::tenant_id)
                    .and(users::id.eq(account_tokens::user_id))),
            )
            .filter(users::email.eq(email))
            .filter(account_tokens::revoked_at.is_null())
            .select(account_tokens::id)
            .order(account_tokens::created_at.desc())
            .first(c)
    })
    .expect("invitation token");
    let token = LinkToken::<AccountLink>::derive(&app.state.settings.token_key(), token_id);
    format!("/setup/{token}")
}

/// A service whose admin has set a password, and a browser logged in as that admin.
pub(crate) async fn onboarded(app: &TestApp, slug: &str) -> (TenantId, Browser) {
    let created = app.create_tenant(slug, &["4624"]).await;
    let mut admin = Browser::new(app);
    let (status, _) = admin.get(&format!("/setup/{}", created.setup_token)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, location) = admin
        .post(
            &format!("/setup/{}", created.setup_token),
            &[
                ("display_name", "Åse Admin"),
                ("password", STRONG),
                ("password_repeat", STRONG),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    assert_eq!(location, "/admin");
    (tenant_id(&created), admin)
}

#[tokio::test]
async fn the_whole_onboarding_leaves_its_audit_trail() {
    let app = TestApp::spawn().await;
    let created = app.create_tenant("fjordvik", &["4624"]).await;
    let tenant = tenant_id(&created);
    let setup = format!("/setup/{}", created.setup_token);
    let mut admin = Browser::new(&app);

    let (status, page) = admin.get(&setup).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("admin@fjordvik.example"),
        "the page names the account"
    );

    // A weak password is refused with the reason, and nothing is written.
    let (status, page) = admin
        .post(
            &setup,
            &[
                ("display_name", "Åse"),
                ("password", "sommer2024"),
                ("password_repeat", "sommer2024"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("minst 12 tegn"), "{page}");
    let (status, page) = admin
        .post(
            &setup,
            &[
                ("display_name", "Åse"),
                ("password", "Passord12345"),
                ("password_repeat", "Passord12345"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("mest brukte"), "{page}");
    let hash: Option<String> = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        users::table.select(users::password_hash).first(c)
    })
    .unwrap();
    assert!(
        hash.is_none(),
        "no password was stored for refused attempts"
    );

    let (status, location) = admin
        .post(
            &setup,
            &[
                ("display_name", "Åse Admin"),
                ("password", STRONG),
                ("password_repeat", STRONG),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/admin")
    );

    // The link is single-use: now it shows the same neutral page as an unknown or broken one.
    let (used_status, used) = admin.get(&setup).await;
    let (unknown_status, unknown) = admin
        .get("/setup/tla_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .await;
    let (_, garbage) = admin.get("/setup/garbage").await;
    assert_eq!(used_status, StatusCode::NOT_FOUND);
    assert_eq!(unknown_status, StatusCode::NOT_FOUND);
    let heading = |page: &str| {
        page.split("<h1>")
            .nth(1)
            .and_then(|p| p.split("</h1>").next())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(heading(&used), heading(&unknown));
    assert_eq!(heading(&used), heading(&garbage));

    // Settings. The time zone is picked from the zones there are, the service's own chosen.
    let (status, page) = admin.get("/admin").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<select id=\"time_zone\" name=\"time_zone\">"));
    assert!(page.contains("<option value=\"Europe/Oslo\" selected>Europe/Oslo</option>"));
    assert!(page.contains("<option value=\"America/Sao_Paulo\">"));
    let (status, location) = admin.post("/admin", &SETTINGS).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/admin?saved=1")
    );
    let mut bad = SETTINGS;
    bad[3] = ("time_zone", "Mars/Olympus");
    let (status, page) = admin.post("/admin", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("IANA"), "the reason is on the page: {page}");
    // When the follow-up opens ahead of the evaluation: 0–26 weeks, a mistake at its field in
    // Norwegian with what was typed kept, nothing written.
    let mut bad = SETTINGS;
    bad[17] = ("follow_up_weeks_ahead", "27");
    let (status, page) = admin.post("/admin", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("id=\"follow_up_weeks_ahead-error\""),
        "at the field"
    );
    assert!(
        page.contains("Skriv et helt antall uker fra 0 til 26"),
        "{page}"
    );
    assert!(
        page.contains(
            "aria-invalid=\"true\" aria-describedby=\"follow_up_weeks_ahead-hint \
             follow_up_weeks_ahead-error\" value=\"27\""
        ),
        "what was typed is kept: {page}"
    );
    // Several mistakes at once: each at its own field and in the summary, linked to it; every
    // number as typed, the right ones too — none replaced by a default.
    let mut bad = SETTINGS;
    bad[8] = ("chase_after_days", "0");
    bad[9] = ("chase_max", "elleve");
    bad[11] = ("preparation_check_days", "9");
    let (status, page) = admin.post("/admin", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["chase_after_days", "chase_max"] {
        assert!(
            page.contains(&format!("id=\"{field}-error\"")),
            "{field}: {page}"
        );
        assert!(
            page.contains(&format!("<a href=\"#{field}\">")),
            "{field} in the summary"
        );
    }
    assert!(!page.contains("id=\"preparation_check_days-error\""));
    assert!(page.contains("aria-describedby=\"chase_after_days-error\" value=\"0\""));
    assert!(page.contains("aria-describedby=\"chase_max-error\" value=\"elleve\""));
    assert!(page.contains("name=\"preparation_check_days\" type=\"number\" min=\"1\" max=\"60\" inputmode=\"numeric\" value=\"9\""));
    let mut weeks = SETTINGS;
    weeks[17] = ("follow_up_weeks_ahead", "6");
    let (status, _) = admin.post("/admin", &weeks).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = admin.get("/admin").await;
    assert!(page.contains("Oppfølgingen åpnes så mange uker før evalueringsdatoen"));
    assert!(page.contains("name=\"follow_up_weeks_ahead\" type=\"number\" min=\"0\" max=\"26\""));
    assert!(
        page.contains("follow_up_weeks_ahead-hint\" value=\"6\""),
        "saved"
    );
    let (status, location) = admin
        .post(
            "/admin/municipalities",
            &[("kommunenummer", "4625"), ("name", "Austevoll")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let (_, page) = admin.get("/admin").await;
    assert!(page.contains("4625") && page.contains("Barneverntjenesten i Fjordvik"));
    // The recruitment's days are the service's, shown where they are set.
    assert!(
        page.contains("name=\"interview_reminder_days\" type=\"number\" min=\"1\" max=\"60\" inputmode=\"numeric\" value=\"10\"")
            && page.contains("name=\"decision_overdue_days\" type=\"number\" min=\"1\" max=\"90\" inputmode=\"numeric\" value=\"21\""),
        "{page}"
    );

    // Invite a coordinator, who sets a password through the link and logs in.
    let (status, location) = admin
        .post(
            "/admin/staff",
            &[
                ("email", "Kari.Koordinator@Fjordvik.example"),
                ("display_name", "Kari Koordinator"),
                ("role", "coordinator"),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/admin/staff?done=invited")
    );
    let (status, page) = admin
        .post(
            "/admin/staff",
            &[
                ("email", "kari.koordinator@fjordvik.example"),
                ("display_name", "Kari"),
                ("role", "coordinator"),
            ],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "no second account for the same email"
    );
    assert!(
        page.contains("Det finnes allerede en konto med denne e-postadressen"),
        "the reason, at the address: {page}"
    );
    assert!(page.contains("value=\"Kari\""), "what was typed is kept");
    let invitation_jobs: i64 = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        jobs::table
            .filter(jobs::kind.eq("account_email"))
            .count()
            .get_result(c)
    })
    .unwrap();
    assert_eq!(invitation_jobs, 2, "the setup email and the invitation");

    let mut kari = Browser::new(&app);
    let link = invitation_link(&app, tenant, "kari.koordinator@fjordvik.example");
    let (status, _) = kari.get(&link).await;
    assert_eq!(status, StatusCode::OK);
    let (status, location) = kari
        .post(
            &link,
            &[
                ("display_name", "Kari Koordinator"),
                ("password", "mitt lange passord for tillit"),
                ("password_repeat", "mitt lange passord for tillit"),
            ],
        )
        .await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/"));
    let (status, page) = kari.get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Kari Koordinator") && page.contains("Koordinator"),
        "{page}"
    );
    let (status, _) = kari.get("/admin").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a coordinator does not manage the service"
    );

    // Logging out and in again.
    let (status, location) = kari.post("/logout", &[]).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/login")
    );
    let (status, location) = kari.get("/").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the public front page again: {location}"
    );
    kari.get("/login").await;
    let (status, page) = kari
        .post(
            "/login",
            &[
                ("email", "kari.koordinator@fjordvik.example"),
                ("password", "wrong password here"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("feil"), "{page}");
    let (status, location) = kari
        .post(
            "/login",
            &[
                ("email", "kari.koordinator@fjordvik.example"),
                ("password", "mitt lange passord for tillit"),
                ("next", "/"),
            ],
        )
        .await;
    // The service requires a second factor, so the first password login sets it up.
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/login/enrol")
    );
    let (status, page) = kari.get("/login/enrol").await;
    assert_eq!(status, StatusCode::OK);
    let code = totp_code(&totp_secret_in(&page), 0);
    let (status, page) = kari.post("/login/enrol", &[("code", &code)]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(recovery_codes_in(&page).len(), 10);
    assert!(
        page.contains(r#"href="/""#),
        "on to where the login was going"
    );
    let (_, page) = kari.get("/").await;
    assert!(page.contains("Kari Koordinator"), "signed in");

    // The admin deactivates Kari: her session ends at once.
    let kari_id: uuid::Uuid = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        users::table
            .filter(users::email.eq("kari.koordinator@fjordvik.example"))
            .select(users::id)
            .first(c)
    })
    .unwrap();
    let (status, _) = admin
        .post(&format!("/admin/staff/{kari_id}/deactivate"), &[])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, location) = kari.get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !location.contains("Kari Koordinator"),
        "signed out: the public page"
    );
    let (status, location) = kari.get("/admin/staff").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with("/login?next="), "{location}");
    let (status, _) = kari
        .post(
            "/login",
            &[
                ("email", "kari.koordinator@fjordvik.example"),
                ("password", "mitt lange passord for tillit"),
            ],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a deactivated account cannot log in"
    );

    // The log names what a row concerns: the colleague and the municipality, in words.
    let (status, log) = admin.get("/admin/audit").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        log.contains("Ansatt Kari Koordinator (kari.koordinator@fjordvik.example)"),
        "the colleague named: {log}"
    );
    assert!(
        log.contains("Kommune 4625 Austevoll"),
        "the municipality named"
    );

    // Audit CSV.
    let res = admin
        .client
        .get(format!("{}/admin/audit.csv?action=user.", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with("time_utc,actor,action,object,outcome,request_id"));
    assert!(
        csv.contains("user.invite") && csv.contains("user.deactivate"),
        "{csv}"
    );
    assert!(!csv.contains(",login,"), "filtered by action");

    let actions = audit_actions(&app, tenant);
    for expected in [
        ("tenant.create", "success"),
        ("user.password_set", "success"),
        ("tenant.settings", "success"),
        ("municipality.add", "success"),
        ("user.invite", "success"),
        ("login", "success"),
        ("logout", "success"),
        ("login", "failure"),
        ("factor.enrol", "success"),
        ("user.deactivate", "success"),
        ("audit.export", "success"),
    ] {
        assert!(
            actions
                .iter()
                .any(|(a, o)| a == expected.0 && o == expected.1),
            "{expected:?} missing from {actions:?}"
        );
    }
}

#[tokio::test]
async fn a_form_without_its_token_changes_nothing() {
    let app = TestApp::spawn().await;
    let (tenant, admin) = onboarded(&app, "fjordvik").await;
    let res = admin
        .client
        .post(format!("{}/admin/staff", app.address))
        .header("accept", "text/html")
        .form(&[
            ("email", "x@fjordvik.example"),
            ("display_name", "X"),
            ("role", "leader"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let staff: i64 = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        users::table.count().get_result(c)
    })
    .unwrap();
    assert_eq!(staff, 1, "nobody was invited");
}

#[tokio::test]
async fn logins_are_rate_limited_per_account_with_a_clear_message() {
    let app = TestApp::spawn_with(&[("rate_limits.login_per_account", serde_json::json!(3))]).await;
    onboarded(&app, "fjordvik").await;
    let mut guesser = Browser::new(&app);
    guesser.get("/login").await;
    for _ in 0..3 {
        let (status, _) = guesser
            .post(
                "/login",
                &[
                    ("email", "admin@fjordvik.example"),
                    ("password", "guess guess guess"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, page) = guesser
        .post(
            "/login",
            &[("email", "admin@fjordvik.example"), ("password", STRONG)],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(page.contains("For mange forsøk"), "{page}");
}

#[tokio::test]
async fn an_idle_session_ends() {
    let app = TestApp::spawn().await;
    let (tenant, mut admin) = onboarded(&app, "fjordvik").await;
    assert_eq!(admin.get("/admin").await.0, StatusCode::OK);
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        diesel::update(sessions::table)
            .set(sessions::last_seen_at.eq(chrono::Utc::now() - chrono::Duration::minutes(31)))
            .execute(c)
    })
    .unwrap();
    let (status, location) = admin.get("/admin").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/login?next=%2Fadmin");
}

#[tokio::test]
async fn password_reset_never_reveals_whether_an_account_exists() {
    let app = TestApp::spawn().await;
    let (tenant, _) = onboarded(&app, "fjordvik").await;
    let mut visitor = Browser::new(&app);
    visitor.get("/password/forgot").await;
    let (known_status, known) = visitor
        .post("/password/forgot", &[("email", "admin@fjordvik.example")])
        .await;
    visitor.get("/password/forgot").await;
    let (unknown_status, unknown) = visitor
        .post("/password/forgot", &[("email", "nobody@fjordvik.example")])
        .await;
    assert_eq!(known_status, unknown_status);
    assert_eq!(
        main_of(&known),
        main_of(&unknown),
        "the same page either way"
    );
    let resets: i64 = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        account_tokens::table
            .filter(account_tokens::purpose.eq("password_reset"))
            .count()
            .get_result(c)
    })
    .unwrap();
    assert_eq!(resets, 1, "only the real account got a link");
}

const CASE_ROLES: &[&str] = &["tenant_admin", "caseworker", "coordinator"];
/// A case's foster-home recruitment: its staff and the foster care officers assigned to it.
const RECRUITMENT_ROLES: &[&str] = &["tenant_admin", "caseworker", "coordinator", "foster_care"];

/// Every route of the service with who may use it. `walk_covers_every_route` keeps this list
/// complete: a new route without a line here fails the test.
/// Every staff role: what a person does with their own account.
const STAFF_ROLES: &[&str] = &[
    "tenant_admin",
    "leader",
    "caseworker",
    "coordinator",
    "on_call",
    "foster_care",
];
/// On-call access: the on-call service and caseworkers look cases up and open acute lists.
const OPENER_ROLES: &[&str] = &["caseworker", "on_call"];
/// Every opening of an acute list is reviewed by the leader and the service's admin.
const REVIEWER_ROLES: &[&str] = &["tenant_admin", "leader"];

const PAGES: &[(&str, &str, &[&str])] = &[
    ("GET", "/admin", &["tenant_admin"]),
    ("GET", "/admin/staff", &["tenant_admin"]),
    ("GET", "/admin/audit", &["tenant_admin"]),
    ("GET", "/admin/audit.csv", &["tenant_admin"]),
    ("GET", "/admin/jobs", &["tenant_admin"]),
    ("POST", "/admin", &["tenant_admin"]),
    ("POST", "/admin/municipalities", &["tenant_admin"]),
    (
        "POST",
        "/admin/municipalities/{kommunenummer}/remove",
        &["tenant_admin"],
    ),
    ("POST", "/admin/staff", &["tenant_admin"]),
    ("POST", "/admin/staff/{id}/role", &["tenant_admin"]),
    ("POST", "/admin/staff/{id}/deactivate", &["tenant_admin"]),
    ("POST", "/admin/staff/{id}/reactivate", &["tenant_admin"]),
    ("POST", "/admin/staff/{id}/resend", &["tenant_admin"]),
    ("POST", "/admin/staff/{id}/factor/reset", &["tenant_admin"]),
    ("POST", "/admin/staff/{id}/sessions/end", &["tenant_admin"]),
    ("POST", "/admin/sign-in", &["tenant_admin"]),
    ("GET", "/admin/sso", &["tenant_admin"]),
    ("POST", "/admin/sso", &["tenant_admin"]),
    ("GET", "/account", STAFF_ROLES),
    ("POST", "/account/contact", STAFF_ROLES),
    ("GET", "/account/factor", STAFF_ROLES),
    ("POST", "/account/factor", STAFF_ROLES),
    ("POST", "/account/recovery-codes", STAFF_ROLES),
    ("POST", "/account/sessions/{id}/end", STAFF_ROLES),
    ("POST", "/account/sessions/end-others", STAFF_ROLES),
    ("POST", "/admin/jobs/{id}/retry", &["tenant_admin"]),
    ("GET", "/api/v1/tenant", STAFF_ROLES),
    // On-call access (tests/api/on_call.rs): no case, only the acute list of an opening.
    ("GET", "/on-call", OPENER_ROLES),
    ("GET", "/on-call/cases/{id}", OPENER_ROLES),
    ("POST", "/on-call/cases/{id}", OPENER_ROLES),
    ("GET", "/on-call/openings/{id}", OPENER_ROLES),
    ("GET", "/api/v1/on-call/cases", OPENER_ROLES),
    ("POST", "/api/v1/on-call/openings", OPENER_ROLES),
    ("GET", "/api/v1/on-call/openings", OPENER_ROLES),
    (
        "GET",
        "/api/v1/on-call/openings/{id}/acute-list",
        OPENER_ROLES,
    ),
    ("GET", "/acute-openings", REVIEWER_ROLES),
    ("GET", "/api/v1/acute-openings", REVIEWER_ROLES),
    ("GET", "/api/v1/cases/{id}/acute-openings", CASE_ROLES),
    ("POST", "/api/v1/tenant/municipalities", &["tenant_admin"]),
    ("GET", "/api/v1/tenant/settings", &["tenant_admin"]),
    ("PATCH", "/api/v1/tenant/settings", &["tenant_admin"]),
    ("GET", "/api/v1/session/form-token", STAFF_ROLES),
    ("GET", "/api/v1/staff", &["tenant_admin"]),
    ("POST", "/api/v1/staff", &["tenant_admin"]),
    ("GET", "/api/v1/staff/{id}", &["tenant_admin"]),
    ("PUT", "/api/v1/staff/{id}/role", &["tenant_admin"]),
    ("POST", "/api/v1/staff/{id}/deactivate", &["tenant_admin"]),
    (
        "DELETE",
        "/api/v1/tenant/municipalities/{kommunenummer}",
        &["tenant_admin"],
    ),
    ("GET", "/api/v1/api-keys", &["tenant_admin"]),
    ("POST", "/api/v1/api-keys", &["tenant_admin"]),
    ("GET", "/api/v1/api-keys/{id}", &["tenant_admin"]),
    ("DELETE", "/api/v1/api-keys/{id}", &["tenant_admin"]),
    ("GET", "/api/v1/jobs", &["tenant_admin"]),
    ("POST", "/api/v1/jobs/{id}/retry", &["tenant_admin"]),
    // Case data: only the staff assigned to a case (any other id is simply not found); never a
    // leader, who sees aggregate figures only.
    (
        "DELETE",
        "/api/v1/cases/{id}/assignments/{user_id}",
        CASE_ROLES,
    ),
    (
        "DELETE",
        "/api/v1/cases/{id}/persons/{person_id}",
        CASE_ROLES,
    ),
    ("GET", "/api/v1/cases", CASE_ROLES),
    ("GET", "/api/v1/overview", CASE_ROLES),
    ("GET", "/overview", CASE_ROLES),
    ("GET", "/api/v1/figures", &["leader", "tenant_admin"]),
    ("POST", "/api/v1/case-assignments", &["leader"]),
    ("GET", "/case-assignments", &["leader"]),
    ("POST", "/case-assignments", &["leader"]),
    ("GET", "/figures", &["leader", "tenant_admin"]),
    ("GET", "/figures.csv", &["leader", "tenant_admin"]),
    (
        "GET",
        "/api/v1/figures/registrations",
        &["leader", "tenant_admin"],
    ),
    (
        "GET",
        "/figures/registrations.csv",
        &["leader", "tenant_admin"],
    ),
    ("GET", "/api/v1/cases/{id}", CASE_ROLES),
    ("GET", "/api/v1/cases/{id}/acute-list", CASE_ROLES),
    ("GET", "/api/v1/cases/{id}/changes", CASE_ROLES),
    ("GET", "/api/v1/cases/{id}/map.svg", CASE_ROLES),
    ("GET", "/api/v1/cases/{id}/measures", CASE_ROLES),
    ("GET", "/api/v1/cases/{id}/persons", CASE_ROLES),
    ("GET", "/api/v1/cases/{id}/persons/{person_id}", CASE_ROLES),
    ("GET", "/api/v1/cases/{id}/prompts", CASE_ROLES),
    ("GET", "/api/v1/cases/{id}/revisions", CASE_ROLES),
    ("GET", "/api/v1/cases/{id}/revisions/{number}", CASE_ROLES),
    ("POST", "/api/v1/cases", CASE_ROLES),
    ("POST", "/api/v1/cases/{id}/assignments", CASE_ROLES),
    ("POST", "/api/v1/cases/{id}/measures", CASE_ROLES),
    (
        "POST",
        "/api/v1/cases/{id}/measures/{measure_id}/decision",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/measures/{measure_id}/network-checks",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/measures/{measure_id}/withdrawal",
        CASE_ROLES,
    ),
    ("POST", "/api/v1/cases/{id}/persons", CASE_ROLES),
    (
        "POST",
        "/api/v1/cases/{id}/persons/{person_id}/words",
        CASE_ROLES,
    ),
    ("POST", "/api/v1/cases/{id}/revisions", CASE_ROLES),
    ("PATCH", "/api/v1/cases/{id}", CASE_ROLES),
    ("PUT", "/api/v1/cases/{id}/child", CASE_ROLES),
    ("PUT", "/api/v1/cases/{id}/persons/{person_id}", CASE_ROLES),
    // Councils: council access is case access.
    ("GET", "/api/v1/cases/{id}/councils", CASE_ROLES),
    ("POST", "/api/v1/cases/{id}/councils", CASE_ROLES),
    (
        "GET",
        "/api/v1/cases/{id}/councils/{council_id}",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/state",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/texts",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/texts/{text_id}/confirmation",
        CASE_ROLES,
    ),
    (
        "DELETE",
        "/api/v1/cases/{id}/councils/{council_id}/texts/{text_id}",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/participants",
        CASE_ROLES,
    ),
    (
        "DELETE",
        "/api/v1/cases/{id}/councils/{council_id}/participants/{participant_id}",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/team",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/objections",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/objections/{objection_id}/resolution",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/consents",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/consents/{consent_id}/withdrawal",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/participants/{participant_id}/waiver",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/participants/{participant_id}/preparations",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/meetings",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/meetings/{meeting_id}/reschedule",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/meetings/{meeting_id}/cancellation",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/meetings/{meeting_id}/invitations",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/participants/{participant_id}/invitation",
        CASE_ROLES,
    ),
    (
        "DELETE",
        "/api/v1/cases/{id}/councils/{council_id}/participants/{participant_id}/invitation",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/participants/{participant_id}/answer",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/past-meetings",
        CASE_ROLES,
    ),
    (
        "GET",
        "/api/v1/cases/{id}/councils/{council_id}/meetings/{meeting_id}/record",
        CASE_ROLES,
    ),
    (
        "PUT",
        "/api/v1/cases/{id}/councils/{council_id}/meetings/{meeting_id}/record",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/meetings/{meeting_id}/record/next-meeting",
        CASE_ROLES,
    ),
    ("GET", "/cases/{id}/councils", CASE_ROLES),
    ("POST", "/cases/{id}/councils", CASE_ROLES),
    ("GET", "/cases/{id}/councils/{council_id}", CASE_ROLES),
    (
        "GET",
        "/cases/{id}/councils/{council_id}/tasks/{task}",
        CASE_ROLES,
    ),
    (
        "GET",
        "/cases/{id}/councils/{council_id}/letters/{participant_id}",
        CASE_ROLES,
    ),
    (
        "POST",
        "/cases/{id}/councils/{council_id}/{step}",
        CASE_ROLES,
    ),
    ("GET", "/cases", CASE_ROLES),
    // Recruitment: case access widened to the foster care officers assigned to the case.
    ("GET", "/api/v1/cases/{id}/recruitments", RECRUITMENT_ROLES),
    ("POST", "/api/v1/cases/{id}/recruitments", CASE_ROLES),
    (
        "GET",
        "/api/v1/cases/{id}/recruitments/{recruitment_id}",
        RECRUITMENT_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/recruitments/{recruitment_id}/steps",
        RECRUITMENT_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/recruitments/{recruitment_id}/candidates",
        RECRUITMENT_ROLES,
    ),
    (
        "GET",
        "/api/v1/cases/{id}/recruitments/{recruitment_id}/candidates/{candidate_id}/form",
        RECRUITMENT_ROLES,
    ),
    (
        "GET",
        "/cases/{id}/recruitments/{recruitment_id}",
        RECRUITMENT_ROLES,
    ),
    (
        "POST",
        "/cases/{id}/recruitments/{recruitment_id}/{form}",
        RECRUITMENT_ROLES,
    ),
    ("GET", "/cases/{id}/recruitments", RECRUITMENT_ROLES),
    (
        "GET",
        "/cases/{id}/recruitments/{recruitment_id}/candidates/{candidate_id}/form",
        RECRUITMENT_ROLES,
    ),
    ("POST", "/cases/{id}/recruitments", CASE_ROLES),
    ("POST", "/cases", CASE_ROLES),
    ("GET", "/cases/{id}", CASE_ROLES),
    ("GET", "/cases/{id}/revision", CASE_ROLES),
    ("GET", "/cases/{id}/staff", CASE_ROLES),
    ("GET", "/cases/{id}/measures", CASE_ROLES),
    ("POST", "/cases/{id}/status", CASE_ROLES),
    ("GET", "/cases/{id}/revisions", CASE_ROLES),
    ("POST", "/cases/{id}/revisions", CASE_ROLES),
    ("GET", "/cases/{id}/persons/new", CASE_ROLES),
    ("POST", "/cases/{id}/persons", CASE_ROLES),
    ("GET", "/cases/{id}/persons/{person_id}", CASE_ROLES),
    ("POST", "/cases/{id}/persons/{person_id}", CASE_ROLES),
    ("POST", "/cases/{id}/persons/{person_id}/remove", CASE_ROLES),
    ("GET", "/cases/{id}/acute", CASE_ROLES),
    ("GET", "/cases/{id}/map", CASE_ROLES),
    ("GET", "/cases/{id}/map.svg", CASE_ROLES),
    ("GET", "/cases/{id}/child", CASE_ROLES),
    ("POST", "/cases/{id}/child", CASE_ROLES),
    ("POST", "/cases/{id}/assignments", CASE_ROLES),
    (
        "POST",
        "/cases/{id}/assignments/{user_id}/remove",
        CASE_ROLES,
    ),
    ("POST", "/cases/{id}/measures", CASE_ROLES),
    ("GET", "/cases/{id}/measures/{measure_id}/check", CASE_ROLES),
    (
        "POST",
        "/cases/{id}/measures/{measure_id}/check",
        CASE_ROLES,
    ),
    (
        "POST",
        "/cases/{id}/measures/{measure_id}/decision",
        CASE_ROLES,
    ),
    (
        "POST",
        "/cases/{id}/measures/{measure_id}/withdrawal",
        CASE_ROLES,
    ),
    // Plans: plan access is case access; a family group conference's plan is approved or
    // returned by a caseworker only.
    (
        "GET",
        "/api/v1/cases/{id}/councils/{council_id}/plan",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/plan",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/plan/goals",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/plan/goals/{goal_id}/removal",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/plan/commitments",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/plan/commitments/{commitment_id}/removal",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/plan/commitments/{commitment_id}/done",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/plan/follow-up-owner",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/plan/submission",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/plan/approval-closure",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/plan/participants/{participant_id}/approval",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/plan/take-back",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/plan/evaluation-plan",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/plan/follow-ups/{follow_up_id}/held",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/plan/evaluations",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/plan/closure",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/plan/child-links",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/plan/child-links/{link_id}/revocation",
        CASE_ROLES,
    ),
    (
        "GET",
        "/api/v1/cases/{id}/councils/{council_id}/plan/versions/{number}",
        CASE_ROLES,
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/plan/approval",
        &["caseworker"],
    ),
    (
        "POST",
        "/api/v1/cases/{id}/councils/{council_id}/plan/return",
        &["caseworker"],
    ),
    ("GET", "/cases/{id}/councils/{council_id}/plan", CASE_ROLES),
    (
        "GET",
        "/cases/{id}/councils/{council_id}/registration",
        CASE_ROLES,
    ),
    (
        "POST",
        "/cases/{id}/councils/{council_id}/registration",
        CASE_ROLES,
    ),
    (
        "GET",
        "/cases/{id}/councils/{council_id}/plan/print",
        CASE_ROLES,
    ),
    (
        "POST",
        "/cases/{id}/councils/{council_id}/plan/{step}",
        CASE_ROLES,
    ),
    // Last: it ends the session the walk uses.
    ("POST", "/logout", STAFF_ROLES),
];

/// Routes anyone may use (the public pages, the doors in, health, the description).
const PUBLIC: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/login"),
    ("POST", "/login"),
    // The second step of a password login: only with the pending login's signed cookie.
    ("GET", "/login/factor"),
    ("POST", "/login/factor"),
    ("GET", "/login/enrol"),
    ("POST", "/login/enrol"),
    // Single sign-on: the start sends to the service's provider; the callback needs the
    // browser's sealed pending login and the state it carries (tests/api/single_sign_on.rs).
    ("GET", "/login/sso/{slug}"),
    ("GET", "/login/sso/callback"),
    ("GET", "/setup/{token}"),
    ("POST", "/setup/{token}"),
    // An invitee's meeting page: the link's token is the only key (tests/api/councils.rs).
    ("GET", "/i/{token}"),
    ("POST", "/i/{token}"),
    ("GET", "/i/{token}/calendar.ics"),
    // The short code on a printed letter leads to the same page (tests/api/reach.rs).
    ("GET", "/b/{code}"),
    // The participant's commitments, on the same link's page (tests/api/plans.rs).
    ("POST", "/i/{token}/plan/confirmation"),
    ("POST", "/i/{token}/plan/objection"),
    ("POST", "/i/{token}/plan/commitments/{commitment_id}/done"),
    // The child's own page: the link's token is the only key (tests/api/plans.rs).
    ("GET", "/c/{token}"),
    // The child's answer while the plan awaits the network's approval (tests/api/plans.rs).
    ("POST", "/c/{token}/answer"),
    // A candidate home's own page: the link's token is the only key (tests/api/recruitment.rs).
    ("GET", "/r/{token}"),
    ("POST", "/r/{token}"),
    ("POST", "/r/{token}/form"),
    ("GET", "/password/forgot"),
    ("POST", "/password/forgot"),
    ("POST", "/lang"),
    ("GET", "/static/tillit.css"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/api/v1/openapi.json"),
    // LINK Mobility's delivery reports: the shared secret in the path is the key (tests/api/sms.rs).
    ("POST", "/hooks/sms/linkmobility/{secret}"),
    ("GET", "/operator/login"),
    ("POST", "/operator/login"),
    // The operator's second factor: its pending login's signed cookie is the key
    // (tests/api/second_factor.rs).
    ("GET", "/operator/login/factor"),
    ("POST", "/operator/login/factor"),
    ("GET", "/operator/login/enrol"),
    ("POST", "/operator/login/enrol"),
    // The operator's own pages need an operator session (tests/api/access.rs, operator test).
    ("GET", "/operator"),
    ("POST", "/operator/tenants"),
    ("POST", "/operator/logout"),
    ("POST", "/operator/setup-links"),
];

/// Every `#[get("…")]`, `#[post("…")]`, `#[put("…")]`, `#[patch("…")]`, `#[delete("…")]` and
/// `#[route("…")]` in src/.
fn declared_routes() -> BTreeSet<(String, String)> {
    fn walk(dir: &std::path::Path, out: &mut BTreeSet<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for line in text.lines().map(str::trim) {
                    for (attr, method) in [
                        ("#[get(\"", "GET"),
                        ("#[post(\"", "POST"),
                        ("#[put(\"", "PUT"),
                        ("#[patch(\"", "PATCH"),
                        ("#[delete(\"", "DELETE"),
                        ("#[route(\"", "GET"),
                    ] {
                        if let Some(rest) = line.strip_prefix(attr) {
                            let route = rest.split('"').next().unwrap().to_owned();
                            out.insert((method.to_owned(), route));
                        }
                    }
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
        &mut out,
    );
    out
}

#[test]
fn the_walk_covers_every_route() {
    let listed: BTreeSet<(String, String)> = PAGES
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .chain(PUBLIC.iter().map(|(m, p)| (m.to_string(), p.to_string())))
        .collect();
    let missing: Vec<_> = declared_routes().difference(&listed).cloned().collect();
    assert!(
        missing.is_empty(),
        "routes without an access rule in tests/api/access.rs: {missing:?}"
    );
}

#[tokio::test]
async fn every_route_refuses_every_role_it_is_not_for() {
    let app = TestApp::spawn().await;
    let (tenant, _admin) = onboarded(&app, "fjordvik").await;
    let mut browsers = Vec::new();
    for role in [
        "leader",
        "caseworker",
        "coordinator",
        "on_call",
        "foster_care",
    ] {
        let email = format!("{role}@fjordvik.example");
        let settings = app.state.settings.clone();
        in_tenant(&mut app.db.app_conn(), tenant, |c| {
            let id = uuid::Uuid::now_v7();
            diesel::insert_into(users::table)
                .values((
                    users::tenant_id.eq(tenant.0),
                    users::id.eq(id),
                    users::email.eq(&email),
                    users::role.eq(role),
                ))
                .execute(c)?;
            account_links::issue(c, &settings, tenant, id, account_links::Purpose::Invitation)
        })
        .unwrap();
        let mut browser = Browser::new(&app);
        let link = invitation_link(&app, tenant, &email);
        browser.get(&link).await;
        let (status, _) = browser
            .post(
                &link,
                &[
                    ("display_name", role),
                    ("password", STRONG),
                    ("password_repeat", STRONG),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        browsers.push((role, browser));
    }
    let mut anonymous = Browser::new(&app);
    anonymous.get("/").await;
    let some_id = uuid::Uuid::new_v4().to_string();
    for (method, route, allowed) in PAGES {
        let path = route
            .replace("{id}", &some_id)
            .replace("{user_id}", &some_id)
            .replace("{person_id}", &some_id)
            .replace("{measure_id}", &some_id)
            .replace("{council_id}", &some_id)
            .replace("{text_id}", &some_id)
            .replace("{participant_id}", &some_id)
            .replace("{objection_id}", &some_id)
            .replace("{consent_id}", &some_id)
            .replace("{meeting_id}", &some_id)
            .replace("{goal_id}", &some_id)
            .replace("{commitment_id}", &some_id)
            .replace("{follow_up_id}", &some_id)
            .replace("{link_id}", &some_id)
            .replace("{recruitment_id}", &some_id)
            .replace("{candidate_id}", &some_id)
            .replace("{step}", "team")
            .replace("{form}", "started")
            .replace("{number}", "1")
            .replace("{kommunenummer}", "4624")
            + if route.ends_with("/changes") {
                "?from=1"
            } else {
                ""
            };
        for (role, browser) in browsers.iter_mut() {
            let status = request(browser, &app, method, &path).await;
            if allowed.contains(role) {
                assert_ne!(status, StatusCode::FORBIDDEN, "{role} may {method} {route}");
            } else {
                // A JSON body the handler cannot read is refused before the role is looked at;
                // either way the handler never ran.
                let unread_body = ["POST", "PUT", "PATCH"].contains(method)
                    && route.starts_with("/api/")
                    && (status == StatusCode::BAD_REQUEST
                        || status == StatusCode::UNPROCESSABLE_ENTITY);
                assert!(
                    status == StatusCode::FORBIDDEN
                        || status == StatusCode::NOT_FOUND
                        || unread_body,
                    "{role} must not {method} {route}: got {status}"
                );
            }
        }
        // Without a session: pages send the browser to the login page; the API says 401.
        let status = request(&mut anonymous, &app, method, &path).await;
        assert!(
            status == StatusCode::SEE_OTHER || status == StatusCode::UNAUTHORIZED,
            "no session must not {method} {route}: got {status}"
        );
    }
}

/// A well-formed request to `path`: a form for pages, JSON with the session's form token in
/// X-CSRF-Token for the API. Well-formed, so that only the role can stand in the way.
async fn request(browser: &mut Browser, app: &TestApp, method: &str, path: &str) -> StatusCode {
    if !path.starts_with("/api/") {
        return match method {
            "GET" => browser.get(path).await.0,
            _ => browser.post(path, &[]).await.0,
        };
    }
    let body = match path {
        "/api/v1/tenant/municipalities" => serde_json::json!({"kommunenummer": "4626"}),
        "/api/v1/api-keys" => serde_json::json!({"name": "walk", "role": "leader"}),
        _ => serde_json::json!({}),
    };
    let url = format!("{}{path}", app.address);
    let builder = match method {
        "GET" => browser.client.get(url),
        "POST" => browser.client.post(url).json(&body),
        "PUT" => browser.client.put(url).json(&body),
        "PATCH" => browser.client.patch(url).json(&body),
        _ => browser.client.delete(url),
    };
    builder
        .header("x-csrf-token", browser.csrf.clone())
        .send()
        .await
        .expect("API request")
        .status()
}

#[tokio::test]
async fn the_operator_onboards_a_service_whose_admin_gets_the_setup_email() {
    let app = TestApp::spawn().await;
    let password = crate::second_factor::operator(&app).await;
    let mut operator = Browser::new(&app);
    let (status, location) = operator.get("/operator").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    operator.get("/operator/login").await;
    let (status, _) = operator
        .post(
            "/operator/login",
            &[
                ("email", "drift@tillit.example"),
                ("password", "not it at all"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    crate::second_factor::operator_enrols(&mut operator, &password).await;
    operator.get("/operator").await;
    let (status, page) = operator
        .post(
            "/operator/tenants",
            &[
                ("slug", "Ugyldig slug"),
                ("name", ""),
                ("municipalities", "12"),
                ("admin_email", "nei"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Each mistake in Norwegian at its field, what was typed kept.
    for (field, sentence) in [
        ("slug", "Bruk 1–63 små bokstaver"),
        ("name", "Fyll ut feltet."),
        ("municipality", "Skriv kommunenummeret med fire sifre"),
        ("admin_email", "Skriv en gyldig e-postadresse"),
    ] {
        let at = page
            .find(&format!("id=\"{field}-error\""))
            .unwrap_or_else(|| panic!("{field}: no message at the field: {page}"));
        assert!(page[at..].contains(sentence), "{field}: {sentence}");
    }
    assert!(
        page.contains("value=\"Ugyldig slug\""),
        "what was typed is kept"
    );
    assert!(!page.contains("lowercase"), "no English: {page}");
    let (status, location) = operator
        .post(
            "/operator/tenants",
            &[
                ("slug", "sunnfjord"),
                ("name", "Sunnfjord barnevern"),
                ("municipalities", "4647, 4645"),
                ("admin_email", "leder@sunnfjord.example"),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/operator?created=sunnfjord")
    );
    let tenant = tillit::tenancy::tenant_by_slug(
        &app.state.db,
        &tillit::tenancy::Slug::parse("sunnfjord").unwrap(),
    )
    .await
    .unwrap()
    .expect("created");
    let queued: Vec<String> = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        jobs::table.select(jobs::kind).load(c)
    })
    .unwrap();
    assert_eq!(
        queued,
        ["account_email"],
        "the admin's setup email is on its way"
    );
    let (status, _) = operator
        .post(
            "/operator/tenants",
            &[
                ("slug", "sunnfjord"),
                ("name", "Igjen"),
                ("municipalities", "4647"),
                ("admin_email", "a@b.no"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "a duplicate slug is refused");

    // The admin's link expired (the server itself may not move expiry, so the owner does it
    // here): the operator sends a new one, and only the new one works.
    let mut owner = app.db.admin_conn();
    diesel::connection::SimpleConnection::batch_execute(&mut owner, "SET ROLE tillit_owner")
        .unwrap();
    in_tenant(&mut owner, tenant, |c| {
        diesel::update(account_tokens::table)
            .set(account_tokens::expires_at.eq(chrono::Utc::now() - chrono::Duration::hours(1)))
            .execute(c)
    })
    .unwrap();
    let expired = invitation_link(&app, tenant, "leder@sunnfjord.example");
    let (status, page) = operator.get(&expired).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "an expired link shows the neutral page"
    );
    assert!(page.contains("Lenken virker ikke"), "{page}");
    let (status, location) = operator
        .post("/operator/setup-links", &[("slug", "sunnfjord")])
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/operator?resent=1")
    );
    let fresh = invitation_link(&app, tenant, "leder@sunnfjord.example");
    assert_ne!(fresh, expired);
    assert_eq!(operator.get(&fresh).await.0, StatusCode::OK);
}

/// The audit log's action and actor filters take `_` and `%` literally: an action such as
/// `user.password_set` and an address with `_` in it are found, and `%` matches only itself.
#[tokio::test]
async fn the_audit_filters_take_underscore_and_percent_literally() {
    let app = TestApp::spawn().await;
    let created = tillit::onboarding::create_tenant(
        &app.state.db,
        app.state.settings.clone(),
        tillit::onboarding::NewTenant::parse(
            "filtre",
            "Filtre barneverntjeneste",
            &["4624".to_owned()],
            "ada_admin@filtre.example",
        )
        .expect("valid tenant"),
        tillit::audit::Actor::Operator("test".into()),
    )
    .await
    .expect("tenant created");
    let tenant = tenant_id(&created);
    let mut admin = Browser::new(&app);
    admin.get(&format!("/setup/{}", created.setup_token)).await;
    let (status, _) = admin
        .post(
            &format!("/setup/{}", created.setup_token),
            &[
                ("display_name", "Ada Admin"),
                ("password", STRONG),
                ("password_repeat", STRONG),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // A second person whose address differs from the admin's only where the admin's has `_`.
    admin.get("/admin/staff").await;
    let (status, _) = admin
        .post(
            "/admin/staff",
            &[
                ("email", "adaxadmin@filtre.example"),
                ("display_name", "Ada X"),
                ("role", "caseworker"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let mut other = Browser::new(&app);
    let link = invitation_link(&app, tenant, "adaxadmin@filtre.example");
    other.get(&link).await;
    let (status, _) = other
        .post(
            &link,
            &[
                ("display_name", "Ada X"),
                ("password", "mitt lange passord for tillit"),
                ("password_repeat", "mitt lange passord for tillit"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // (actor, action) of each CSV row the filter finds, less the export rows the CSV writes.
    let filtered = async |query: &str| -> Vec<(String, String)> {
        let csv = admin
            .client
            .get(format!("{}/admin/audit.csv?{query}", app.address))
            .send()
            .await
            .expect("CSV")
            .text()
            .await
            .expect("body");
        csv.lines()
            .skip(1)
            .map(|line| {
                let fields: Vec<&str> = line.split(',').collect();
                (fields[1].to_owned(), fields[2].to_owned())
            })
            .filter(|(_, action)| action != "audit.export")
            .collect()
    };

    let rows = filtered("action=user.password_set").await;
    assert_eq!(rows.len(), 2, "both people set a password: {rows:?}");
    assert!(
        rows.iter().all(|(_, a)| a == "user.password_set"),
        "{rows:?}"
    );
    assert!(
        filtered("action=user.password%25set").await.is_empty(),
        "% typed is not a wildcard"
    );
    assert!(filtered("action=%25").await.is_empty());

    let rows = filtered("actor=ada_admin").await;
    assert!(!rows.is_empty(), "the admin's rows are found");
    assert!(
        rows.iter()
            .all(|(actor, _)| actor == "ada_admin@filtre.example"),
        "`_` is not a wildcard: {rows:?}"
    );
    let rows = filtered("actor=adaxadmin").await;
    assert!(
        !rows.is_empty()
            && rows
                .iter()
                .all(|(actor, _)| actor == "adaxadmin@filtre.example"),
        "{rows:?}"
    );
    assert!(filtered("actor=%25").await.is_empty(), "% typed is literal");
    assert!(filtered("actor=ada%25admin").await.is_empty());

    // By readable names: a colleague by a part of their name, an action chosen from the list in
    // words, and that action alone (not the actions whose codes begin with it).
    let rows = filtered("actor=Ada%20X").await;
    assert!(
        !rows.is_empty()
            && rows
                .iter()
                .all(|(actor, _)| actor == "adaxadmin@filtre.example"),
        "found by name: {rows:?}"
    );
    let log_page = async |query: &str| -> String {
        let url = format!("{}/admin/audit?{query}", app.address);
        let res = admin.client.get(url).send().await.expect("the log");
        res.text().await.expect("body")
    };
    let page = log_page("").await;
    assert!(
        page.contains("<option value=\"user.invite\">Ansatt invitert</option>"),
        "the actions offered in words: {page}"
    );
    let rows = filtered("action=user.invite").await;
    assert!(
        !rows.is_empty() && rows.iter().all(|(_, a)| a == "user.invite"),
        "{rows:?}"
    );
    let page = log_page("action=user.").await;
    assert!(
        page.contains("<option value=\"user.\" selected>Som begynner med «user.»</option>"),
        "a start typed into the address is kept"
    );

    // A long log comes in pages of 100, newest first, the filter kept from page to page; each
    // action and outcome in words, the stored action beside it.
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        for _ in 0..120 {
            tillit::audit::record(
                c,
                tenant,
                tillit::audit::AuditEntry::new(
                    &tillit::audit::Actor::Operator("paging".into()),
                    "case.read",
                ),
            )?;
        }
        Ok::<_, diesel::result::Error>(())
    })
    .unwrap();
    let (status, first) = admin.get("/admin/audit?action=case.read").await;
    assert_eq!(status, StatusCode::OK);
    let rows = |page: &str| {
        page.matches("Sak lest <code class=\"muted\">case.read</code>")
            .count()
    };
    assert_eq!(rows(&first), 100, "a page of 100");
    assert!(first.contains("<td>Utført</td>"), "the outcome in words");
    let next = first
        .split("rel=\"next\" href=\"")
        .nth(1)
        .unwrap_or_default();
    assert!(
        next.starts_with("/admin/audit?action=case.read&#38;page=2\""),
        "{next:.80}"
    );
    assert!(
        !first.contains("rel=\"prev\""),
        "nothing newer than the first page"
    );
    let (_, second) = admin.get("/admin/audit?action=case.read&page=2").await;
    assert_eq!(rows(&second), 20, "the rest");
    assert!(second.contains("rel=\"prev\" href=\"/admin/audit?action=case.read\""));
    assert!(!second.contains("rel=\"next\""), "nothing older");
}

/// On the setup page each mistake is listed under a heading that fits any of them, links to its
/// own field and is shown at that field; the name typed is kept.
#[tokio::test]
async fn the_setup_page_places_each_error_at_its_field() {
    let app = TestApp::spawn().await;
    let created = app.create_tenant("oppsett", &["4624"]).await;
    let mut admin = Browser::new(&app);
    let path = format!("/setup/{}", created.setup_token);
    admin.get(&path).await;

    let (status, page) = admin
        .post(
            &path,
            &[
                ("display_name", " "),
                ("password", STRONG),
                ("password_repeat", STRONG),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("<h2>Noe må rettes</h2>"), "{page}");
    assert!(!page.contains("Passordet kan ikke brukes"), "{page}");
    assert!(
        page.contains(r##"<a href="#display_name">Skriv navnet ditt (høyst 100 tegn).</a>"##),
        "{page}"
    );
    assert!(page.contains(r#"id="display_name-error""#), "{page}");
    assert!(!page.contains(r#"id="password-error""#), "{page}");
    assert!(!page.contains(r##"href="#password""##), "{page}");

    let (status, page) = admin
        .post(
            &path,
            &[
                ("display_name", "Åse Admin"),
                ("password", "kort"),
                ("password_repeat", "kort"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains(r##"<a href="#password">Passordet må ha minst 12 tegn.</a>"##),
        "{page}"
    );
    assert!(page.contains(r#"id="password-error""#), "{page}");
    assert!(!page.contains(r#"id="display_name-error""#), "{page}");
    assert!(
        page.contains(r#"value="Åse Admin""#),
        "the name typed is kept"
    );

    let (status, page) = admin
        .post(
            &path,
            &[
                ("display_name", ""),
                ("password", "kort"),
                ("password_repeat", "kort"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains(r##"href="#display_name""##) && page.contains(r##"href="#password""##),
        "both mistakes are listed: {page}"
    );
}
