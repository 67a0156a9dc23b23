//! Test support: a fresh PostgreSQL database per test, cloned from a template migrated once per
//! run, and the whole HTTP app spawned on a random port against it and the real Redis.

pub mod councils;
pub mod jobs;
pub mod mail;
pub mod oidc;
pub mod process;
pub mod services;

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use actix_web::web;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::json;
use sha2::{Digest, Sha256};
use tillit::access::api_keys::{self, NewApiKey};
use tillit::app;
use tillit::audit::Actor;
use tillit::config::Settings;
use tillit::db::{TenantId, bootstrap, in_tenant, local_without_tls};
use tillit::onboarding::{self, CreatedTenant, NewTenant};
use tillit::tenancy::{self, Slug};
use tillit::web::AppState;

/// The superuser connection that creates and drops test databases. On these machines PostgreSQL
/// trusts local connections; elsewhere set TILLIT_TEST_ADMIN_URL.
pub fn admin_url() -> String {
    std::env::var("TILLIT_TEST_ADMIN_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub fn redis_url() -> String {
    std::env::var("TILLIT_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/0".into())
}

/// The unprivileged application role's connection to `database` on the server of `admin_url`.
fn app_url_on(admin_url: &str, database: &str) -> String {
    let server = url::Url::parse(admin_url).expect("the admin URL");
    format!(
        "postgres://{}@{}:{}/{database}",
        bootstrap::APP_ROLE,
        server.host_str().unwrap_or("127.0.0.1"),
        server.port().unwrap_or(5432)
    )
}

/// The template's name carries a hash of the migrations, so an edited migration gets a new
/// template instead of a stale one.
fn template_name() -> String {
    let mut hasher = Sha256::new();
    let mut entries: Vec<_> = walk(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/migrations"
    )));
    entries.sort();
    for path in entries {
        hasher.update(path.to_string_lossy().as_bytes());
        hasher.update(std::fs::read(&path).expect("read migration"));
    }
    let digest = hasher.finalize();
    format!("tillit_tpl_{}", hex(&digest[..6]))
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("migrations folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn admin_conn(server: &str, database: &str) -> PgConnection {
    let url = bootstrap::admin_url_for(server, database).expect("admin url");
    PgConnection::establish(&local_without_tls(&url)).expect("connect as admin")
}

/// Creates (once per run and server, under a lock shared by parallel test processes) the
/// migrated template on the server of `server` (its superuser's URL); returns its name.
fn ensure_template(server: &str) -> String {
    type Templates = Mutex<HashMap<String, Arc<OnceLock<String>>>>;
    static TEMPLATES: OnceLock<Templates> = OnceLock::new();
    // The map is held only to find the server's cell: one server's migration waits for no other.
    let cell = TEMPLATES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .entry(server.to_owned())
        .or_default()
        .clone();
    cell.get_or_init(|| migrated_template(server)).clone()
}

fn migrated_template(server: &str) -> String {
    let name = template_name();
    let mut admin = admin_conn(server, "postgres");
    admin
        .batch_execute("SELECT pg_advisory_lock(7431926002)")
        .expect("lock");
    #[derive(QueryableByName)]
    struct Exists {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        exists: bool,
    }
    let exists =
        diesel::sql_query("SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1) AS exists")
            .bind::<diesel::sql_types::Text, _>(&name)
            .get_result::<Exists>(&mut admin)
            .expect("query")
            .exists;
    if !exists {
        bootstrap::migrate(server, &app_url_on(server, &name)).expect("migrate template");
        admin
            .batch_execute(&format!(
                "ALTER DATABASE {name} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"
            ))
            .expect("mark template");
    }
    admin
        .batch_execute("SELECT pg_advisory_unlock(7431926002)")
        .expect("unlock");
    name
}

/// A database of its own for one test, dropped when the test ends.
pub struct TestDb {
    pub name: String,
    /// The superuser's URL of the server it is on.
    server: String,
}

impl TestDb {
    /// On the machine's PostgreSQL (or `TILLIT_TEST_ADMIN_URL`'s).
    pub fn new() -> Self {
        Self::on(&admin_url())
    }

    /// On the PostgreSQL server whose superuser connects with `server` (a URL to any of its
    /// databases): the roles, the migrated template and the database as on the shared one.
    pub fn on(server: &str) -> Self {
        let template = ensure_template(server);
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        admin_conn(server, "postgres")
            .batch_execute(&format!(
                "CREATE DATABASE {name} TEMPLATE {template} OWNER {}",
                bootstrap::OWNER_ROLE
            ))
            .expect("create test database");
        Self {
            name,
            server: server.to_owned(),
        }
    }

    /// How the server connects: as the unprivileged application role.
    pub fn app_url(&self) -> String {
        app_url_on(&self.server, &self.name)
    }

    pub fn app_conn(&self) -> PgConnection {
        PgConnection::establish(&local_without_tls(&self.app_url())).expect("connect as app")
    }

    /// A superuser connection to this database, for setting up what a test needs to break.
    pub fn admin_conn(&self) -> PgConnection {
        admin_conn(&self.server, &self.name)
    }

    /// Runs `sql` as the superuser, past row-level security: what a test sets up that no request
    /// writes (history, a clock moved on).
    pub fn as_admin(&self, sql: &str) {
        self.admin_conn()
            .batch_execute(sql)
            .unwrap_or_else(|e| panic!("{e}: {sql}"));
    }

    /// The meeting took place: its start moves three hours into the past (the server never does
    /// that).
    pub fn meeting_began(&self, meeting: &str) {
        self.as_admin(&format!(
            "UPDATE council_meetings SET starts_at = now() - interval '3 hours' WHERE id = '{meeting}'"
        ));
    }

    pub fn settings(&self, overrides: &[(&str, serde_json::Value)]) -> Settings {
        let mut all = vec![
            ("database_url", json!(self.app_url())),
            ("database_admin_url", json!(self.server)),
            ("redis_url", json!(redis_url())),
            // Each test's jobs go through queues of its own, so no test's worker takes another's.
            ("redis_namespace", json!(format!("tillit-{}", self.name))),
            ("database.pool_size", json!(4)),
        ];
        all.extend(overrides.iter().cloned());
        Settings::for_environment(
            Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/config")),
            "test",
            &all,
        )
        .expect("test settings")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Ok(mut admin) = PgConnection::establish(&local_without_tls(
            &bootstrap::admin_url_for(&self.server, "postgres").expect("admin url"),
        )) else {
            // The test's own server, gone with the test.
            return;
        };
        let _ = admin.batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ));
    }
}

/// The running app, its state and an HTTP client.
pub struct TestApp {
    pub address: String,
    pub state: web::Data<AppState>,
    /// The queue of link views the server's pages audit (`audit::views`).
    pub views: tillit::audit::views::ViewLog,
    pub client: reqwest::Client,
    pub db: TestDb,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    pub async fn spawn_with(overrides: &[(&str, serde_json::Value)]) -> Self {
        Self::spawn_on(TestDb::new(), overrides).await
    }

    /// The app against `db` (on a server of the test's own, say) with `overrides`.
    pub async fn spawn_on(db: TestDb, overrides: &[(&str, serde_json::Value)]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let address = format!("http://127.0.0.1:{port}");
        let mut all = vec![("base_url", json!(address))];
        all.extend(overrides.iter().cloned());
        let state = web::Data::new(app::state(db.settings(&all)).expect("state"));
        let (server, views) = app::serve(state.clone(), listener).expect("serve");
        tokio::spawn(server);
        Self {
            address,
            state,
            views,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            db,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// The OpenAPI description the app serves.
    pub async fn openapi(&self) -> serde_json::Value {
        let res = self
            .client
            .get(self.url("/api/v1/openapi.json"))
            .send()
            .await
            .expect("the OpenAPI description");
        json_of(res, 200).await
    }

    /// Creates a service through the same function the CLI uses.
    pub async fn create_tenant(&self, slug: &str, municipalities: &[&str]) -> CreatedTenant {
        let municipalities: Vec<String> = municipalities.iter().map(|m| m.to_string()).collect();
        let new = NewTenant::parse(
            slug,
            &format!("{slug} barneverntjeneste"),
            &municipalities,
            &format!("admin@{slug}.example"),
        )
        .expect("valid tenant");
        onboarding::create_tenant(
            &self.state.db,
            self.state.settings.clone(),
            new,
            Actor::Operator("test".into()),
        )
        .await
        .expect("tenant created")
    }

    /// An API key for `slug` with `role`, as the operator would make it.
    pub async fn api_key(&self, slug: &str, role: &str) -> String {
        api_keys::create_for_slug(
            &self.state.db,
            &Slug::parse(slug).expect("slug"),
            NewApiKey::parse("test", role).expect("valid key"),
            None,
            Actor::Operator("test".into()),
        )
        .await
        .expect("key created")
        .key
    }

    /// A staff member of `slug` with `role`, made the way the admin pages will make one, and an
    /// API key that acts for them: through it the test sees what that person sees.
    pub async fn staff(&self, slug: &str, role: &str) -> Staff {
        let tenant = tenancy::tenant_by_slug(&self.state.db, &Slug::parse(slug).expect("slug"))
            .await
            .expect("lookup")
            .expect("the service exists");
        let user_id = uuid::Uuid::now_v7();
        in_tenant(&mut self.db.app_conn(), tenant, |c| {
            diesel::insert_into(tillit::db::schema::users::table)
                .values((
                    tillit::db::schema::users::tenant_id.eq(tenant.0),
                    tillit::db::schema::users::id.eq(user_id),
                    tillit::db::schema::users::email
                        .eq(format!("{role}-{}@{slug}.example", user_id.simple())),
                    tillit::db::schema::users::display_name.eq(format!("Ansatt {role}")),
                    tillit::db::schema::users::role.eq(role),
                ))
                .execute(c)
        })
        .expect("staff member");
        let key = self.key_acting_for(slug, role, user_id).await;
        Staff {
            tenant,
            user_id,
            key,
        }
    }

    /// An API key of `slug` with `role` that acts for the staff member `user_id`.
    pub async fn key_acting_for(&self, slug: &str, role: &str, user_id: uuid::Uuid) -> String {
        api_keys::create_for_slug(
            &self.state.db,
            &Slug::parse(slug).expect("slug"),
            NewApiKey::parse("test", role)
                .expect("valid key")
                .acting_for(Some(user_id)),
            None,
            Actor::Operator("test".into()),
        )
        .await
        .expect("key created")
        .key
    }

    /// GETs `path` as `key`; asserts `status` and returns the JSON body.
    pub async fn get_json(&self, path: &str, key: &str, status: u16) -> serde_json::Value {
        json_of(self.get(path, key).send().await.expect("GET"), status).await
    }

    /// POSTs `body` to `path` as `key`; asserts `status` and returns the JSON body.
    pub async fn post_json(
        &self,
        path: &str,
        key: &str,
        body: impl serde::Serialize,
        status: u16,
    ) -> serde_json::Value {
        send_json(self.post(path, key), body, status).await
    }

    /// PUTs `body` to `path` as `key`; asserts `status` and returns the JSON body.
    pub async fn put_json(
        &self,
        path: &str,
        key: &str,
        body: impl serde::Serialize,
        status: u16,
    ) -> serde_json::Value {
        send_json(self.put(path, key), body, status).await
    }

    /// PATCHes `path` with `body` as `key`; asserts `status` and returns the JSON body.
    pub async fn patch_json(
        &self,
        path: &str,
        key: &str,
        body: impl serde::Serialize,
        status: u16,
    ) -> serde_json::Value {
        send_json(self.patch(path, key), body, status).await
    }

    pub fn get(&self, path: &str, key: &str) -> reqwest::RequestBuilder {
        self.client.get(self.url(path)).bearer_auth(key)
    }

    pub fn post(&self, path: &str, key: &str) -> reqwest::RequestBuilder {
        self.client.post(self.url(path)).bearer_auth(key)
    }

    pub fn delete(&self, path: &str, key: &str) -> reqwest::RequestBuilder {
        self.client.delete(self.url(path)).bearer_auth(key)
    }

    pub fn put(&self, path: &str, key: &str) -> reqwest::RequestBuilder {
        self.client.put(self.url(path)).bearer_auth(key)
    }

    pub fn patch(&self, path: &str, key: &str) -> reqwest::RequestBuilder {
        self.client.patch(self.url(path)).bearer_auth(key)
    }
}

/// A staff member signed in as a browser would be, without a cookie jar: the `Cookie` header
/// (session and form-token seed) and the form token that goes with it.
pub struct SignedIn {
    pub cookie: String,
    pub csrf: String,
}

impl TestApp {
    /// Starts a session for `staff`, as a login would.
    pub async fn sign_in(&self, staff: &Staff) -> SignedIn {
        let state = self.state.clone();
        let token = in_tenant(&mut self.db.app_conn(), staff.tenant, |c| {
            tillit::access::session::start(c, &state, staff.tenant, staff.user_id)
        })
        .expect("a session");
        let (seed, csrf) = form_token(self).await;
        SignedIn {
            cookie: format!(
                "{}={token}; {seed}",
                tillit::access::session::cookie_name(false)
            ),
            csrf,
        }
    }

    /// A form posted from a page that answers with a redirect (303): returns where it leads.
    pub async fn submit(&self, path: &str, who: &SignedIn, fields: &[(&str, &str)]) -> String {
        let (status, location) = self.form_answer(path, who, fields).await;
        assert_eq!(status, reqwest::StatusCode::SEE_OTHER, "{location}");
        location
    }

    /// A page as the signed-in browser asks for it.
    pub fn page(&self, path: &str, who: &SignedIn) -> reqwest::RequestBuilder {
        self.client
            .get(self.url(path))
            .header("accept", "text/html")
            .header("cookie", &who.cookie)
    }

    /// The text of the page at `path` as the signed-in browser gets it, whatever its status.
    pub async fn page_text(&self, path: &str, who: &SignedIn) -> String {
        let res = self.page(path, who).send().await.expect("GET");
        res.text().await.expect("a body")
    }

    /// The text of `path`'s answer to a client without a session (a link's page), whatever its
    /// status.
    pub async fn text_of(&self, path: &str) -> String {
        let res = self.client.get(self.url(path)).send().await.expect("GET");
        res.text().await.expect("a body")
    }

    /// A form posted from a page, and its [`answer`]: the status, and where it leads or the page.
    pub async fn form_answer(
        &self,
        path: &str,
        who: &SignedIn,
        fields: &[(&str, &str)],
    ) -> (reqwest::StatusCode, String) {
        answer(self.form(path, who, fields).send().await.expect("POST")).await
    }

    /// A page as the signed-in browser asks for it, and its [`answer`].
    pub async fn page_answer(&self, path: &str, who: &SignedIn) -> (reqwest::StatusCode, String) {
        answer(self.page(path, who).send().await.expect("GET")).await
    }

    /// A form posted on a link's page (an invitee's answer) by a browser without a session: its
    /// `cookie` holds the seed of the form token `csrf`.
    pub async fn link_form(
        &self,
        path: &str,
        cookie: &str,
        csrf: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut all: Vec<(&str, &str)> = vec![("csrf", csrf)];
        all.extend_from_slice(fields);
        self.client
            .post(self.url(path))
            .header("cookie", cookie)
            .form(&all)
            .send()
            .await
            .expect("POST")
    }

    /// A form posted from a page, with its form token.
    pub fn form(
        &self,
        path: &str,
        who: &SignedIn,
        fields: &[(&str, &str)],
    ) -> reqwest::RequestBuilder {
        let mut all: Vec<(&str, &str)> = vec![("csrf", &who.csrf)];
        all.extend_from_slice(fields);
        self.client
            .post(self.url(path))
            .header("accept", "text/html")
            .header("cookie", &who.cookie)
            .form(&all)
    }
}

/// A staff member and an API key acting for them.
pub struct Staff {
    pub tenant: TenantId,
    pub user_id: uuid::Uuid,
    pub key: String,
}

/// A case with a row in every case table (a person with the child's words, a revision, a costly
/// measure with a network check) and in every council table (a council with a question, the
/// person on its team with an objection, consent, waiver, preparation, a meeting, an invitation
/// and an answer), written straight into the database for `staff`'s service.
pub fn seed_case(db: &TestDb, staff: &Staff) {
    let tenant = staff.tenant.0;
    let user = staff.user_id;
    let (child, case, person, check, measure) = (
        uuid::Uuid::now_v7(),
        uuid::Uuid::now_v7(),
        uuid::Uuid::now_v7(),
        uuid::Uuid::now_v7(),
        uuid::Uuid::now_v7(),
    );
    let (council, participant, meeting) = (
        uuid::Uuid::now_v7(),
        uuid::Uuid::now_v7(),
        uuid::Uuid::now_v7(),
    );
    let (plan, goal, evaluation, follow_up) = (
        uuid::Uuid::now_v7(),
        uuid::Uuid::now_v7(),
        uuid::Uuid::now_v7(),
        uuid::Uuid::now_v7(),
    );
    let (recruitment, candidate) = (uuid::Uuid::now_v7(), uuid::Uuid::new_v4());
    in_tenant(&mut db.app_conn(), staff.tenant, |c| {
        c.batch_execute(&format!(
            "INSERT INTO children (tenant_id, id, first_name, last_name, birth_year, gender)
               VALUES ('{tenant}', '{child}', 'Emma', 'Testesen', 2016, 'girl');
             INSERT INTO cases (tenant_id, id, child_id, phase, opened_at, phase_changed_at, created_by)
               VALUES ('{tenant}', '{case}', '{child}', 'investigation', now(), now(), '{user}');
             INSERT INTO case_assignments (tenant_id, case_id, user_id) VALUES ('{tenant}', '{case}', '{user}');
             INSERT INTO user_factors (tenant_id, user_id, secret_sealed) VALUES ('{tenant}', '{user}', '\\x00');
             INSERT INTO recovery_codes (tenant_id, id, user_id, code_hash)
               VALUES ('{tenant}', gen_random_uuid(), '{user}', sha256('code'::bytea));
             INSERT INTO sso_providers (tenant_id, label, issuer, client_id, client_secret_sealed)
               VALUES ('{tenant}', 'Kommunen', 'https://idp.example', 'tillit', '\\x00')
               ON CONFLICT DO NOTHING;
             INSERT INTO sso_identities (tenant_id, subject, user_id) VALUES ('{tenant}', 'sub-{user}', '{user}');
             INSERT INTO network_persons (tenant_id, id, case_id, name, category, side, lineage, closeness, quality)
               VALUES ('{tenant}', '{person}', '{case}', 'Mormor', 'near_family', 'private', 'maternal', 'close', 'supportive');
             INSERT INTO child_words (tenant_id, id, case_id, person_id, text, author, written_at)
               VALUES ('{tenant}', gen_random_uuid(), '{case}', '{person}', 'Hun er snill', 'child', now());
             INSERT INTO map_revisions (tenant_id, id, case_id, number, revised_on, phase, child_participated, persons)
               VALUES ('{tenant}', gen_random_uuid(), '{case}', 1, current_date, 'investigation', false, '[]');
             INSERT INTO costly_measures (tenant_id, id, case_id, kind) VALUES ('{tenant}', '{measure}', '{case}', 'foster_home');
             INSERT INTO network_checks (tenant_id, id, case_id, measure_id, kind, checked_on, result)
               VALUES ('{tenant}', '{check}', '{case}', '{measure}', 'check', current_date, 'Spurt');
             INSERT INTO network_check_persons (tenant_id, case_id, check_id, person_id)
               VALUES ('{tenant}', '{case}', '{check}', '{person}');
             INSERT INTO councils (tenant_id, id, case_id, kind, state, coordinator_id, created_by)
               VALUES ('{tenant}', '{council}', '{case}', 'network_council', 'preparation', '{user}', '{user}');
             INSERT INTO council_texts (tenant_id, id, council_id, kind, position, text, author)
               VALUES ('{tenant}', gen_random_uuid(), '{council}', 'question', 1, 'Hvem kan hjelpe?', 'child');
             INSERT INTO council_participants (tenant_id, id, council_id, case_id, person_id, meeting_role, side)
               VALUES ('{tenant}', '{participant}', '{council}', '{case}', '{person}', 'participant', 'private');
             INSERT INTO council_objections (tenant_id, id, council_id, case_id, person_id, reason)
               VALUES ('{tenant}', gen_random_uuid(), '{council}', '{case}', '{person}', 'En grunn');
             INSERT INTO council_consents (tenant_id, id, council_id, given_by, name, scope, informed_at, granted_at)
               VALUES ('{tenant}', gen_random_uuid(), '{council}', 'parent', 'Mor', 'Møtet', now(), now());
             INSERT INTO council_waivers (tenant_id, participant_id, council_id, scope, granted_at)
               VALUES ('{tenant}', '{participant}', '{council}', 'Møtet', now());
             INSERT INTO council_preparations (tenant_id, id, council_id, participant_id, held_at)
               VALUES ('{tenant}', gen_random_uuid(), '{council}', '{participant}', now());
             INSERT INTO council_meetings (tenant_id, id, council_id, starts_at, duration_minutes, place, agenda, calendar_uid)
               VALUES ('{tenant}', '{meeting}', '{council}', now() + interval '7 days', 180, 'Skolen', '[]', gen_random_uuid());
             INSERT INTO council_invitations (tenant_id, id, council_id, meeting_id, participant_id, token_hash, expires_at)
               VALUES ('{tenant}', gen_random_uuid(), '{council}', '{meeting}', '{participant}',
                       sha256(convert_to(gen_random_uuid()::text, 'UTF8')), now() + interval '30 days');
             INSERT INTO council_answers (tenant_id, meeting_id, participant_id, council_id, response)
               VALUES ('{tenant}', '{meeting}', '{participant}', '{council}', 'accept');
             INSERT INTO council_meeting_records (tenant_id, meeting_id, council_id, decisions, recorded_by)
               VALUES ('{tenant}', '{meeting}', '{council}', '[\"Mormor henter\"]', '{user}');
             INSERT INTO council_meeting_attendees (tenant_id, meeting_id, participant_id, council_id)
               VALUES ('{tenant}', '{meeting}', '{participant}', '{council}');
             INSERT INTO plans (tenant_id, id, council_id, case_id, status, evaluation_on, evaluation_way, created_by)
               VALUES ('{tenant}', '{plan}', '{council}', '{case}', 'approved', current_date + 180, 'new_council', '{user}');
             INSERT INTO plan_versions (tenant_id, plan_id, version, change, content)
               VALUES ('{tenant}', '{plan}', 1, 'created', '{{}}');
             INSERT INTO plan_goals (tenant_id, id, plan_id, position, text, author)
               VALUES ('{tenant}', '{goal}', '{plan}', 1, 'Rolig hjemme', 'child');
             INSERT INTO plan_commitments (tenant_id, id, plan_id, council_id, participant_id, text, due_on)
               VALUES ('{tenant}', gen_random_uuid(), '{plan}', '{council}', '{participant}', 'Henter', current_date + 7);
             INSERT INTO plan_approvals (tenant_id, id, plan_id, council_id, version, kind, participant_id)
               VALUES ('{tenant}', gen_random_uuid(), '{plan}', '{council}', 1, 'participant_confirmed', '{participant}');
             INSERT INTO plan_follow_ups (tenant_id, id, plan_id, case_id, way, due_on, new_council_id)
               VALUES ('{tenant}', '{follow_up}', '{plan}', '{case}', 'new_council', current_date, '{council}');
             INSERT INTO plan_evaluations (tenant_id, id, plan_id, follow_up_id, held_on, took_part, child_view,
                                           parents_view, decision, recorded_by)
               VALUES ('{tenant}', '{evaluation}', '{plan}', '{follow_up}', current_date, 'Alle', 'Bra', 'Bra', 'end', '{user}');
             INSERT INTO plan_evaluation_goals (tenant_id, evaluation_id, plan_id, goal_id, result)
               VALUES ('{tenant}', '{evaluation}', '{plan}', '{goal}', 'met');
             INSERT INTO plan_child_links (tenant_id, id, plan_id, token_hash, expires_at, created_by)
               VALUES ('{tenant}', gen_random_uuid(), '{plan}', sha256(convert_to(gen_random_uuid()::text, 'UTF8')),
                       now() + interval '30 days', '{user}');
             INSERT INTO recruitments (tenant_id, id, case_id, reason, urgency, fgc_wished, service, state, created_by)
               VALUES ('{tenant}', '{recruitment}', '{case}', 'Trenger et hjem', 'urgent', true, 'municipal', 'family_plan', '{user}');
             INSERT INTO recruitment_steps (tenant_id, id, recruitment_id, step, done_on, done_by)
               VALUES ('{tenant}', gen_random_uuid(), '{recruitment}', 'referral', current_date, '{user}');
             INSERT INTO recruitment_candidates (tenant_id, id, recruitment_id, case_id, rank, token_hash, answer, answered_at)
               VALUES ('{tenant}', '{candidate}', '{recruitment}', '{case}', 1,
                       sha256(convert_to(gen_random_uuid()::text, 'UTF8')), 'yes', now());
             INSERT INTO recruitment_candidate_persons (tenant_id, candidate_id, recruitment_id, case_id, person_id)
               VALUES ('{tenant}', '{candidate}', '{recruitment}', '{case}', '{person}');
             INSERT INTO recruitment_forms (tenant_id, candidate_id, recruitment_id, content, submitted_at)
               VALUES ('{tenant}', '{candidate}', '{recruitment}', '{{\"housing\": \"Hus\"}}', now());
             INSERT INTO recruitment_form_versions (tenant_id, candidate_id, version, content)
               VALUES ('{tenant}', '{candidate}', 1, '{{\"housing\": \"Hus\"}}');
             INSERT INTO measure_registrations (tenant_id, council_id, case_id, answers, updated_by)
               VALUES ('{tenant}', '{council}', '{case}', '{{\"lives_with\": [\"mother\"]}}', '{user}');
             INSERT INTO sms_messages (tenant_id, id, recipient_id, subject_kind, subject_id, purpose, gateway, gateway_id)
               VALUES ('{tenant}', gen_random_uuid(), '{participant}', 'meeting', '{meeting}', 'request', 'file', 'seeded');
             INSERT INTO acute_openings (tenant_id, id, case_id, user_id, role, reason, opened_at, expires_at)
               VALUES ('{tenant}', gen_random_uuid(), '{case}', '{user}', 'caseworker', 'Politiet ringte', now(),
                       now() + interval '12 hours');"
        ))
    })
    .expect("seed a case");
}

/// Asserts that `response` is problem+json with `status` and the stable type `kind`; returns it.
pub async fn expect_problem(
    response: reqwest::Response,
    status: u16,
    kind: &str,
) -> serde_json::Value {
    assert_eq!(response.status().as_u16(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: serde_json::Value = response.json().await.expect("json body");
    assert_eq!(body["type"], format!("urn:tillit:problem:{kind}"), "{body}");
    assert_eq!(body["status"], status);
    body
}

/// The JSON body of `res`, after checking its status (the body is shown if it is not the one
/// expected); `null` for an empty body.
pub async fn json_of(res: reqwest::Response, status: u16) -> serde_json::Value {
    let got = res.status().as_u16();
    let text = res.text().await.expect("body");
    assert_eq!(got, status, "{text}");
    if text.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    }
}

async fn send_json(
    request: reqwest::RequestBuilder,
    body: impl serde::Serialize,
    status: u16,
) -> serde_json::Value {
    json_of(request.json(&body).send().await.expect("request"), status).await
}

/// The status and the body of `res` (or, for a redirect, where it leads).
pub async fn answer(res: reqwest::Response) -> (reqwest::StatusCode, String) {
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = res.text().await.expect("body");
    (status, location.unwrap_or(body))
}

pub fn tenant_id(created: &CreatedTenant) -> TenantId {
    TenantId(created.tenant_id)
}

/// What stands inside a page's `<main>`: the page without its layout.
pub fn main_of(html: &str) -> String {
    html.split("<main")
        .nth(1)
        .unwrap_or_default()
        .split("</main>")
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The form token in a page's HTML (`name="csrf" value="…"`).
pub fn csrf_in(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("the page has a form token") + marker.len();
    html[start..]
        .split('"')
        .next()
        .expect("a closed attribute")
        .to_owned()
}

/// A browser's form credentials without a cookie jar: the `Cookie` header to send and the
/// form token that goes with it, from a first visit to `/`.
pub async fn form_token(app: &TestApp) -> (String, String) {
    let res = app
        .client
        .get(app.url("/"))
        .send()
        .await
        .expect("front page");
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.contains("csrf"))
        .and_then(|v| v.split(';').next())
        .expect("a form-token cookie")
        .to_owned();
    let html = res.text().await.expect("html");
    (cookie, csrf_in(&html))
}

/// The authenticator app's secret an enrolment page shows (`<code id="totp-secret">`).
pub fn totp_secret_in(html: &str) -> String {
    html.split(r#"<code id="totp-secret">"#)
        .nth(1)
        .and_then(|rest| rest.split("</code>").next())
        .expect("the page shows the secret")
        .to_owned()
}

/// The code an authenticator app with `secret` shows `offset_steps` steps from now.
pub fn totp_code(secret: &str, offset_steps: i64) -> String {
    let secret = tillit::access::totp::Secret::from_base32(secret).expect("a base32 secret");
    let at = chrono::Utc::now().timestamp() + offset_steps * 30;
    secret.code_at(u64::try_from(at).expect("after 1970"))
}

/// The recovery codes a page shows once.
pub fn recovery_codes_in(html: &str) -> Vec<String> {
    html.split(r#"<ul id="recovery-codes""#)
        .nth(1)
        .and_then(|rest| rest.split("</ul>").next())
        .expect("the page lists the recovery codes")
        .split("<code>")
        .skip(1)
        .filter_map(|part| part.split("</code>").next())
        .map(str::to_owned)
        .collect()
}
