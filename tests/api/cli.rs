//! The `tillit` command's output contracts, run as a user would run it.

use crate::common;

use common::process::{terminate, tillit_command};
use common::services::free_port;
use common::{TestDb, admin_url};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

fn tillit(database_url: &str, args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = tillit_command()
        .args(args)
        .env("TILLIT_DATABASE_URL", database_url)
        .env("TILLIT_DATABASE_ADMIN_URL", admin_url())
        .env("TILLIT_BASE_URL", "https://tillit.example.no")
        .output()
        .expect("run tillit");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let json = serde_json::from_str(stdout.trim())
        .or_else(|_| serde_json::from_str(stderr.trim().lines().last().unwrap_or("")))
        .unwrap_or(serde_json::Value::Null);
    (out.status.code().unwrap_or(-1), json, stderr)
}

#[test]
fn migrate_creates_the_database_and_is_idempotent() {
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let url = format!("postgres://tillit_app@127.0.0.1:5432/{name}");
    let (code, first, stderr) = tillit(&url, &["migrate"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(first["created_database"], true);
    assert!(!first["applied"].as_array().unwrap().is_empty());
    let (code, second, stderr) = tillit(&url, &["migrate"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(second["created_database"], false);
    assert_eq!(second["applied"], serde_json::json!([]));

    #[derive(QueryableByName)]
    struct Owner {
        #[diesel(sql_type = Text)]
        owner: String,
        #[diesel(sql_type = Bool)]
        db_owned: bool,
    }
    let admin = tillit::db::bootstrap::admin_url_for(&admin_url(), &name).unwrap();
    let mut conn = PgConnection::establish(&tillit::db::local_without_tls(&admin)).unwrap();
    let owner: Owner = diesel::sql_query(
        "SELECT (SELECT tableowner FROM pg_tables WHERE tablename = '__diesel_schema_migrations') AS owner,
                (SELECT pg_get_userbyid(datdba) = 'tillit_owner' FROM pg_database WHERE datname = current_database()) AS db_owned",
    )
    .get_result(&mut conn)
    .unwrap();
    assert_eq!(owner.owner, "tillit_owner");
    assert!(owner.db_owned);
    drop(conn);
    let mut postgres =
        PgConnection::establish(&tillit::db::local_without_tls(&admin_url())).unwrap();
    postgres
        .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .unwrap();
}

#[test]
fn migrate_refuses_to_run_the_server_as_a_superuser() {
    let (code, problem, _) = tillit(
        "postgres://postgres@127.0.0.1:5432/tillit_never",
        &["migrate"],
    );
    assert_eq!(code, 1);
    assert!(
        problem["detail"].as_str().unwrap().contains("unprivileged"),
        "{problem}"
    );
}

#[test]
fn tenant_create_prints_the_contract_and_refuses_a_duplicate_slug() {
    let db = TestDb::new();
    let url = db.app_url();
    let args = [
        "tenant",
        "create",
        "--slug",
        "vestfjord",
        "--name",
        "Vestfjord barneverntjeneste",
        "--municipality",
        "4624",
        "--municipality",
        "4625",
        "--admin-email",
        "Leder@Vestfjord.example",
    ];
    let (code, created, stderr) = tillit(&url, &args);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(created["slug"], "vestfjord");
    assert!(uuid::Uuid::parse_str(created["tenant_id"].as_str().unwrap()).is_ok());
    let setup = created["setup_url"].as_str().unwrap();
    assert!(
        setup.starts_with("https://tillit.example.no/setup/tla_"),
        "{setup}"
    );
    assert!(
        !stderr.contains("leder@vestfjord.example"),
        "no personal data in logs: {stderr}"
    );

    let (code, problem, stderr) = tillit(&url, &args);
    assert_eq!(code, 2);
    assert_eq!(problem["type"], "urn:tillit:problem:slug-taken", "{stderr}");
    assert!(problem["detail"].as_str().unwrap().contains("vestfjord"));

    let (code, problem, _) = tillit(
        &url,
        &[
            "tenant",
            "create",
            "--slug",
            "ny",
            "--name",
            "Ny",
            "--municipality",
            "123",
            "--admin-email",
            "a@b.no",
        ],
    );
    assert_eq!(code, 2);
    assert_eq!(problem["errors"][0]["field"], "municipality");

    // Nothing of the refused attempts was written: one service, two municipalities.
    let mut conn = db.app_conn();
    let tenant = tillit::db::TenantId(created["tenant_id"].as_str().unwrap().parse().unwrap());
    let numbers =
        tillit::db::in_tenant(&mut conn, tenant, tillit::tenancy::load_municipalities).unwrap();
    assert_eq!(numbers.len(), 2);
}

#[test]
fn apikey_create_prints_a_working_key_once() {
    let db = TestDb::new();
    let url = db.app_url();
    let (code, _, stderr) = tillit(
        &url,
        &[
            "tenant",
            "create",
            "--slug",
            "ostdal",
            "--name",
            "Østdal",
            "--municipality",
            "3401",
            "--admin-email",
            "a@ostdal.example",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let (code, out, stderr) = tillit(
        &url,
        &[
            "apikey",
            "create",
            "--tenant",
            "ostdal",
            "--name",
            "Fagsystem",
            "--role",
            "caseworker",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let key = out["key"].as_str().unwrap();
    assert!(key.starts_with("tlk_"));
    assert_eq!(out.as_object().unwrap().len(), 1, "only the key: {out}");

    // A key acting for a staff member, named by their address; an address nobody has is
    // refused at its field.
    let acting = |email: &str| {
        tillit(
            &url,
            &[
                "apikey",
                "create",
                "--tenant",
                "ostdal",
                "--name",
                "Fagsystem for admin",
                "--role",
                "tenant_admin",
                "--acting-for",
                email,
            ],
        )
    };
    let (code, out, stderr) = acting("A@Ostdal.example");
    assert_eq!(code, 0, "{stderr}");
    let hash = tillit::tokens::hash(out["key"].as_str().unwrap());
    let acts_for: Option<uuid::Uuid> = diesel::sql_query(
        "SELECT k.user_id FROM api_keys k JOIN users u ON u.id = k.user_id \
         WHERE u.email = 'a@ostdal.example' AND k.key_hash = $1",
    )
    .bind::<diesel::sql_types::Bytea, _>(hash)
    .get_result::<ActsFor>(&mut db.admin_conn())
    .ok()
    .map(|row| row.user_id);
    assert!(acts_for.is_some(), "the key acts for the admin: {out}");
    let (code, problem, _) = acting("nobody@ostdal.example");
    assert_eq!(code, 2);
    assert_eq!(problem["errors"][0]["field"], "acting_for", "{problem}");

    let (code, problem, _) = tillit(
        &url,
        &[
            "apikey",
            "create",
            "--tenant",
            "nowhere",
            "--name",
            "x",
            "--role",
            "caseworker",
        ],
    );
    assert_eq!(code, 2);
    assert_eq!(problem["errors"][0]["field"], "tenant");
    let (code, problem, _) = tillit(
        &url,
        &[
            "apikey", "create", "--tenant", "ostdal", "--name", "x", "--role", "root",
        ],
    );
    assert_eq!(code, 2);
    assert_eq!(problem["errors"][0]["field"], "role");
}

/// Starts `tillit <args>` in the background with its output captured.
fn spawn_tillit(database_url: &str, args: &[&str], env: &[(&str, &str)]) -> std::process::Child {
    tillit_command()
        .args(args)
        .env("TILLIT_DATABASE_URL", database_url)
        .env("TILLIT_DATABASE_ADMIN_URL", admin_url())
        .env("TILLIT_REDIS_URL", common::redis_url())
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start tillit")
}

async fn wait_until_healthy(base: &str, child: &mut std::process::Child) {
    let client = reqwest::Client::new();
    for _ in 0..600 {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut stderr = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                use std::io::Read;
                let _ = pipe.read_to_string(&mut stderr);
            }
            panic!("tillit exited with {status:?} before serving: {stderr}");
        }
        if let Ok(res) = client.get(format!("{base}/healthz")).send().await
            && res.status() == 200
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("tillit did not become healthy at {base}");
}

/// Sends SIGTERM and returns the exit status, waiting at most 30 s.
fn stop(child: &mut std::process::Child) -> std::process::ExitStatus {
    terminate(child).expect("tillit stops within 30 s of SIGTERM")
}

#[tokio::test]
async fn serve_stops_cleanly_on_sigterm() {
    let db = TestDb::new();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = spawn_tillit(
        &db.app_url(),
        &["serve", "--bind", &format!("127.0.0.1:{port}")],
        &[("RUST_LOG", "info,tillit=debug")],
    );
    wait_until_healthy(&base, &mut child).await;
    let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert_eq!(ready.status(), 200);
    // A link token in a path must never reach the logs.
    let token = "tla_SecretTokenThatMustNotBeLoggedAnywhere1234567";
    let link = reqwest::get(format!("{base}/setup/{token}")).await.unwrap();
    assert_eq!(link.status(), 404);
    let status = stop(&mut child);
    assert!(status.success(), "exit after SIGTERM: {status:?}");
    let mut logs = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut logs).unwrap();
    assert!(
        logs.contains("/setup/{token}"),
        "requests are logged by route: {logs}"
    );
    assert!(
        !logs.contains("SecretToken"),
        "a token reached the logs: {logs}"
    );
}

#[tokio::test]
async fn demo_migrates_seeds_prints_a_working_key_and_serves() {
    use std::io::{BufRead, BufReader};
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let url = format!("postgres://tillit_app@127.0.0.1:5432/{name}");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = spawn_tillit(&url, &["demo", "--bind", &format!("127.0.0.1:{port}")], &[]);
    let stdout = child.stdout.take().unwrap();
    // Read the summary, then keep draining stdout so the server never writes into a closed pipe.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut sent = false;
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            seen.push(line);
            let curls = seen.iter().filter(|l| l.contains("try: curl")).count();
            if curls == 2 && !sent {
                let _ = tx.send(seen.clone());
                sent = true;
            }
        }
    });
    let lines = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the demo prints its summary");
    wait_until_healthy(&base, &mut child).await;
    let printed = lines.join("\n");
    assert!(
        printed.contains("koordinator@fjordvik.example")
            && printed.contains("fosterhjem@fjordvik.example"),
        "{printed}"
    );
    let password = tillit::demo::DEMO_PASSWORD;
    assert!(
        printed.contains(password),
        "the logins are printed: {printed}"
    );
    // The printed login works.
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = browser
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let signed_in = browser
        .post(format!("{base}/login"))
        .form(&[
            ("email", "koordinator@fjordvik.example"),
            ("password", password),
            ("csrf", &common::csrf_in(&login)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 303, "the demo password works");
    assert_eq!(signed_in.headers()["location"], "/login/factor");
    assert!(
        printed.contains(tillit::demo::DEMO_TOTP_SECRET),
        "the key is printed"
    );
    let factor_page = browser
        .get(format!("{base}/login/factor"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let signed_in = browser
        .post(format!("{base}/login/factor"))
        .form(&[
            (
                "code",
                common::totp_code(tillit::demo::DEMO_TOTP_SECRET, 0).as_str(),
            ),
            ("csrf", &common::csrf_in(&factor_page)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        signed_in.status(),
        303,
        "the demo login works with the printed key"
    );
    // The coordinator sees the invented cases, and one of them opens with its map.
    let my_cases = browser
        .get(format!("{base}/cases"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(my_cases.contains("Nora Eksempelsen"), "{my_cases}");
    assert!(my_cases.contains("Jonas Prøvesen") && my_cases.contains("Amina Diktersen"));
    let case_link = my_cases
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|href| href.starts_with("/cases/") && href.len() > "/cases/".len())
        .expect("a link to a case")
        .to_owned();
    let case_page = browser
        .get(format!("{base}{case_link}"))
        .send()
        .await
        .unwrap();
    assert_eq!(case_page.status(), 200);
    let case_page = case_page.text().await.unwrap();
    assert!(case_page.contains("<svg") && case_page.contains("class=\"persons\""));
    assert!(
        printed.contains("3 invented cases"),
        "the summary says so: {printed}"
    );
    let key = printed
        .split_whitespace()
        .find(|w| w.starts_with("tlk_"))
        .expect("an API key is printed")
        .to_owned();
    let tenant: serde_json::Value = reqwest::Client::new()
        .get(format!("{base}/api/v1/tenant"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tenant["slug"], "fjordvik");
    assert_eq!(tenant["municipalities"].as_array().unwrap().len(), 2);
    assert!(stop(&mut child).success());
    let mut postgres =
        PgConnection::establish(&tillit::db::local_without_tls(&admin_url())).unwrap();
    postgres
        .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .unwrap();
}

/// Running the demo again adds no second set of cases (nor staff): each service keeps its own
/// invented cases, with their maps, revisions and the child's words.
#[tokio::test]
async fn the_demo_seeds_its_cases_once() {
    let app = common::TestApp::spawn().await;
    let first = tillit::demo::seed(&app.state).await.expect("demo");
    let second = tillit::demo::seed(&app.state).await.expect("demo again");
    assert!(
        first.contains("3 invented cases") && first.contains("2 invented cases"),
        "{first}"
    );
    assert!(!second.contains("invented cases"), "{second}");
    // Each service shows a council worked through to its invitation, and one begun.
    // With three cases, the third has a recruitment decided yes.
    assert!(
        first.contains("8 councils: a network council with its invitation sent")
            && first.contains("7 councils: a network council with its invitation sent"),
        "{first}"
    );
    assert!(!second.contains("councils"), "{second}");
    for (slug, cases) in [("fjordvik", 3), ("nordlia", 2)] {
        let tenant = tillit::tenancy::tenant_by_slug(
            &app.state.db,
            &tillit::tenancy::Slug::parse(slug).unwrap(),
        )
        .await
        .unwrap()
        .expect("the demo service");
        #[derive(QueryableByName)]
        struct Counts {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            cases: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            staff: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            assigned: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            thin_maps: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            unrevised: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            words: i64,
        }
        let counts: Counts = tillit::db::in_tenant(&mut app.db.app_conn(), tenant, |c| {
            diesel::sql_query(
                "SELECT (SELECT count(*) FROM cases WHERE phase <> 'closed') AS cases,
                        (SELECT count(*) FROM users) AS staff,
                        (SELECT count(*) FROM case_assignments a JOIN users u
                           ON u.tenant_id = a.tenant_id AND u.id = a.user_id
                           JOIN cases c ON c.tenant_id = a.tenant_id AND c.id = a.case_id
                          WHERE u.role IN ('coordinator', 'caseworker')
                            AND c.phase <> 'closed') AS assigned,
                        (SELECT count(*) FROM cases c WHERE c.phase <> 'closed'
                            AND (SELECT count(*) FROM network_persons p
                           WHERE p.case_id = c.id) NOT BETWEEN 8 AND 15) AS thin_maps,
                        (SELECT count(*) FROM cases c WHERE NOT EXISTS
                           (SELECT FROM map_revisions r WHERE r.case_id = c.id)) AS unrevised,
                        (SELECT count(*) FROM child_words) AS words",
            )
            .get_result(c)
        })
        .expect("counts");
        assert_eq!(counts.cases, cases, "{slug}");
        assert_eq!(counts.staff, 6, "{slug}: one of each role, once");
        // The on-call service's opening of an acute list, still open, and the map's facts for it.
        #[derive(QueryableByName)]
        struct OnCall {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            open: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            reachable: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            takers: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            noted: i64,
        }
        let on_call: OnCall = tillit::db::in_tenant(&mut app.db.app_conn(), tenant, |c| {
            diesel::sql_query(
                "SELECT (SELECT count(*) FROM acute_openings o JOIN users u
                           ON u.tenant_id = o.tenant_id AND u.id = o.user_id
                          WHERE u.role = 'on_call' AND o.expires_at > now()) AS open,
                        (SELECT count(*) FROM network_persons WHERE reachable_when IS NOT NULL) AS reachable,
                        (SELECT count(*) FROM network_persons WHERE can_take_child) AS takers,
                        (SELECT count(*) FROM cases WHERE where_child_can_go IS NOT NULL) AS noted",
            )
            .get_result(c)
        })
        .expect("on-call");
        assert_eq!(on_call.open, 1, "{slug}: one opening");
        assert!(
            on_call.reachable > 0 && on_call.takers > 0 && on_call.noted > 0,
            "{slug}"
        );
        assert_eq!(
            counts.assigned,
            cases * 2 - 1,
            "{slug}: coordinator and caseworker on each but the newest, the coordinator's alone"
        );
        assert_eq!(counts.thin_maps, 0, "{slug}: 8–15 people on each map");
        assert_eq!(counts.unrevised, 0, "{slug}: a revision on each");
        assert!(counts.words >= cases, "{slug}: the child's words");
        // Two foster-home recruitments, each with two ranked homes: one at the family's plan,
        // each home sent its link; one decided yes for home 2 after home 1 said no, its form
        // submitted, interviewed and matched. The foster care officer is assigned to both cases.
        #[derive(QueryableByName)]
        struct Recruiting {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            recruitments: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            homes: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            at_plan: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            decided_yes: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            said_no: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            forms: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            officer_cases: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            network_homes: i64,
        }
        let recruiting: Recruiting = tillit::db::in_tenant(&mut app.db.app_conn(), tenant, |c| {
            diesel::sql_query(
                "SELECT (SELECT count(*) FROM recruitments) AS recruitments,
                        (SELECT count(*) FROM recruitment_candidates) AS homes,
                        (SELECT count(*) FROM recruitments WHERE state = 'family_plan') AS at_plan,
                        (SELECT count(*) FROM recruitment_candidates
                          WHERE decision = 'yes' AND rank = 2) AS decided_yes,
                        (SELECT count(*) FROM recruitment_candidates
                          WHERE answer = 'no' AND rank = 1) AS said_no,
                        (SELECT count(*) FROM recruitment_forms
                          WHERE submitted_at IS NOT NULL) AS forms,
                        (SELECT count(*) FROM case_assignments a JOIN users u
                           ON u.tenant_id = a.tenant_id AND u.id = a.user_id
                          WHERE u.role = 'foster_care') AS officer_cases,
                        (SELECT count(*) FROM costly_measures m
                           JOIN cases c ON c.tenant_id = m.tenant_id AND c.id = m.case_id
                          WHERE m.kind = 'network_foster_home' AND m.status = 'decided'
                            AND c.phase <> 'closed') AS network_homes",
            )
            .get_result(c)
        })
        .expect("recruitment");
        // The third case's recruitment, decided, where there is a third case.
        let decided = i64::from(cases >= 3);
        assert_eq!(recruiting.recruitments, 1 + decided, "{slug}");
        assert_eq!(recruiting.homes, 2 + 2 * decided, "{slug}");
        assert_eq!(
            recruiting.at_plan,
            1 + decided,
            "{slug}: the last step of the flow itself"
        );
        assert_eq!(recruiting.decided_yes, decided, "{slug}");
        assert_eq!(recruiting.said_no, decided, "{slug}");
        assert_eq!(recruiting.forms, decided, "{slug}");
        assert_eq!(recruiting.officer_cases, 1 + decided, "{slug}");
        assert_eq!(
            recruiting.network_homes,
            i64::from(slug == "fjordvik"),
            "{slug}: a network foster home decided"
        );
        // A follow-up council opened four weeks before its plan's evaluation, with the team and
        // the plan carried over and its meeting, proposed for the evaluation date, sent.
        #[derive(QueryableByName)]
        struct FollowedUp {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            carried: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            carried_goals: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            team: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            sent_on_the_date: i64,
        }
        let followed: FollowedUp = tillit::db::in_tenant(&mut app.db.app_conn(), tenant, |c| {
            diesel::sql_query(
                "SELECT (SELECT count(*) FROM plans WHERE follows_plan_id IS NOT NULL) AS carried,
                        (SELECT count(*) FROM plan_goals g JOIN plans p
                           ON p.tenant_id = g.tenant_id AND p.id = g.plan_id
                          WHERE p.follows_plan_id IS NOT NULL) AS carried_goals,
                        (SELECT count(*) FROM council_participants cp JOIN plan_follow_ups f
                           ON f.tenant_id = cp.tenant_id AND f.new_council_id = cp.council_id) AS team,
                        (SELECT count(*) FROM council_meetings m JOIN plan_follow_ups f
                           ON f.tenant_id = m.tenant_id AND f.meeting_id = m.id
                          WHERE m.confirmed_at IS NOT NULL
                            AND (m.starts_at AT TIME ZONE 'Europe/Oslo')::date = f.due_on) AS sent_on_the_date",
            )
            .get_result(c)
        })
        .expect("follow-up");
        assert_eq!(followed.carried, 1, "{slug}");
        assert_eq!(followed.carried_goals, 1, "{slug}");
        assert_eq!(followed.team, 3, "{slug}");
        assert_eq!(followed.sent_on_the_date, 1, "{slug}");
        // The invitee page names whom to call, and the sent meeting's calendar file has its
        // (public) place.
        #[derive(QueryableByName)]
        struct Reachable {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            phones: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            shared_places: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            phone_answers: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            letters: i64,
        }
        let reachable: Reachable = tillit::db::in_tenant(&mut app.db.app_conn(), tenant, |c| {
            diesel::sql_query(
                "SELECT (SELECT count(*) FROM users
                          WHERE role = 'coordinator' AND work_phone IS NOT NULL) AS phones,
                        (SELECT count(*) FROM council_meetings WHERE place_shared) AS shared_places,
                        (SELECT count(*) FROM council_answers
                          WHERE recorded_how = 'phone') AS phone_answers,
                        (SELECT count(*) FROM council_invitations i
                           JOIN council_participants p ON p.tenant_id = i.tenant_id AND p.id = i.participant_id
                           JOIN network_persons n ON n.tenant_id = p.tenant_id AND n.id = p.person_id
                          WHERE n.preferred_channel = 'letter' AND i.revoked_at IS NULL
                            AND i.letter_code_hash IS NOT NULL) AS letters",
            )
            .get_result(c)
        })
        .expect("contact");
        assert_eq!(reachable.phones, 1, "{slug}: the coordinator's work phone");
        assert_eq!(
            reachable.shared_places, 1,
            "{slug}: a meeting with its place shared"
        );
        assert_eq!(
            reachable.phone_answers, 1,
            "{slug}: an answer the coordinator recorded from a phone call"
        );
        assert_eq!(
            reachable.letters, 1,
            "{slug}: an invitation to print as a letter for the uncle reached by post"
        );
        // An acute family group conference recorded afterwards: its oral consent, who came and
        // its record; it stands where its plan is made.
        #[derive(QueryableByName)]
        struct Afterwards {
            #[diesel(sql_type = diesel::sql_types::Text)]
            state: String,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            oral: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            came: i64,
            #[diesel(sql_type = diesel::sql_types::Integer)]
            decisions: i32,
        }
        let afterwards: Afterwards = tillit::db::in_tenant(&mut app.db.app_conn(), tenant, |c| {
            diesel::sql_query(
                "SELECT k.state,
                        (SELECT count(*) FROM council_consents s
                          WHERE s.council_id = k.id AND s.oral AND s.recorded_by IS NOT NULL) AS oral,
                        (SELECT count(*) FROM council_meeting_attendees a
                          WHERE a.meeting_id = m.id) AS came,
                        jsonb_array_length(r.decisions) AS decisions
                   FROM councils k
                   JOIN council_meetings m ON m.tenant_id = k.tenant_id AND m.council_id = k.id
                   JOIN council_meeting_records r ON r.tenant_id = m.tenant_id AND r.meeting_id = m.id
                  WHERE k.acute AND m.recorded_afterwards_reason IS NOT NULL AND m.starts_at < now()",
            )
            .get_result(c)
        })
        .expect("an acute conference recorded afterwards");
        assert_eq!(afterwards.state, "plan_review", "{slug}: on to its plan");
        assert!(afterwards.oral >= 1, "{slug}: a consent given orally");
        assert_eq!(
            (afterwards.came, afterwards.decisions),
            (2, 2),
            "{slug}: two who came, two decisions"
        );
        // Each person's language: a nynorsk and an English reader on a council's team, and an
        // interpreter to book for the uncle.
        #[derive(QueryableByName)]
        struct Languages {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            nynorsk: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            english: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            interpreters: i64,
        }
        let languages: Languages = tillit::db::in_tenant(&mut app.db.app_conn(), tenant, |c| {
            diesel::sql_query(
                "SELECT count(*) FILTER (WHERE n.language = 'nn') AS nynorsk,
                        count(*) FILTER (WHERE n.language = 'en') AS english,
                        count(*) FILTER (WHERE n.interpreter IS NOT NULL) AS interpreters
                   FROM council_participants p
                   JOIN network_persons n ON n.tenant_id = p.tenant_id AND n.id = p.person_id
                  WHERE p.removed_at IS NULL",
            )
            .get_result(c)
        })
        .expect("languages");
        assert!(
            languages.nynorsk >= 1 && languages.english >= 1 && languages.interpreters >= 1,
            "{slug}: a nynorsk and an English reader and an interpreter need on a team"
        );
        // The earlier network council's plan awaits approval: one approval, one objection.
        #[derive(QueryableByName)]
        struct Approving {
            #[diesel(sql_type = diesel::sql_types::Text)]
            status: String,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            approved: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            objected: i64,
        }
        let approving: Approving = tillit::db::in_tenant(&mut app.db.app_conn(), tenant, |c| {
            diesel::sql_query(
                "SELECT (SELECT status FROM plans WHERE status <> 'closed' LIMIT 1) AS status,
                        (SELECT count(*) FROM plan_approvals WHERE kind = 'participant_confirmed') AS approved,
                        (SELECT count(*) FROM plan_approvals WHERE kind = 'participant_objected') AS objected",
            )
            .get_result(c)
        })
        .expect("plan");
        assert_eq!(approving.status, "awaiting_approval", "{slug}");
        assert_eq!((approving.approved, approving.objected), (1, 1), "{slug}");

        // Two years of closed cases behind the figures: no row of this year's or last year's
        // is empty or hidden, but the individual plans Tillit does not hold; each chart has bars.
        let per_year = tillit::demo::history::CASES_PER_YEAR;
        use tillit::db::schema::{cases, users};
        let closed: i64 = tillit::db::in_tenant(&mut app.db.app_conn(), tenant, |c| {
            cases::table
                .filter(cases::phase.eq("closed"))
                .count()
                .get_result(c)
        })
        .expect("closed cases");
        assert_eq!(closed, i64::from(per_year) * 2, "{slug}");
        let key = app.api_key(slug, "leader").await;
        let year = chrono::Datelike::year(&chrono::Utc::now());
        for year in [year - 1, year] {
            let figures = app
                .get_json(&format!("/api/v1/figures?year={year}"), &key, 200)
                .await;
            for row in figures["rows"].as_array().unwrap() {
                let code = row["code"].as_str().unwrap();
                if code.ends_with("individuell_plan") {
                    continue;
                }
                assert!(
                    row["total"].as_i64().is_some_and(|n| n >= 5),
                    "{slug} {year}: {row}"
                );
            }
            assert!(
                figures["months"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|m| m["councils"].as_i64().is_some_and(|n| n > 0)),
                "{slug} {year}: councils by month"
            );
        }
        // The coordinator's start page: someone not answered after the last chase, open
        // councils with their next step, and one case that is theirs alone.
        let coordinator: uuid::Uuid = tillit::db::in_tenant(&mut app.db.app_conn(), tenant, |c| {
            users::table
                .filter(users::role.eq("coordinator"))
                .select(users::id)
                .first(c)
        })
        .expect("the coordinator");
        let caller = tillit::access::Caller {
            tenant,
            role: tillit::access::Role::Coordinator,
            actor: tillit::audit::Actor::User(coordinator),
            user: Some(coordinator),
            request_id: None,
        };
        let (day, _) = tillit::overview::actions::start_page(&app.state.db, &caller)
            .await
            .expect("the start page");
        assert_eq!(day.unanswered.len(), 1, "{slug}: one to call");
        assert!(
            !day.councils.is_empty(),
            "{slug}: councils waiting on a step"
        );
        let sole = tillit::db::in_tenant(&mut app.db.app_conn(), tenant, |c| {
            tillit::cases::queries::sole_open_cases(c, tenant, coordinator)
        })
        .expect("sole cases");
        assert_eq!(sole.len(), 1, "{slug}: a case for the hand-over");
        // The held network council's registration is complete, the held network meeting
        // series' half filled in: the council page of the one prompts, the other's does not.
        #[derive(QueryableByName)]
        struct Registered {
            #[diesel(sql_type = diesel::sql_types::Uuid)]
            case_id: uuid::Uuid,
            #[diesel(sql_type = diesel::sql_types::Uuid)]
            council_id: uuid::Uuid,
            #[diesel(sql_type = diesel::sql_types::Text)]
            kind: String,
        }
        let registered: Vec<Registered> =
            tillit::db::in_tenant(&mut app.db.app_conn(), tenant, |c| {
                diesel::sql_query(
                    "SELECT r.case_id, r.council_id, k.kind FROM measure_registrations r
                   JOIN councils k ON k.tenant_id = r.tenant_id AND k.id = r.council_id
                  ORDER BY k.kind",
                )
                .load(c)
            })
            .expect("registrations");
        let kinds: Vec<&str> = registered.iter().map(|r| r.kind.as_str()).collect();
        assert_eq!(
            kinds,
            ["network_council", "network_meeting_series"],
            "{slug}"
        );
        for r in &registered {
            let status = tillit::db::in_tenant(&mut app.db.app_conn(), tenant, |c| {
                tillit::registration::actions::status(c, tenant, r.case_id, r.council_id)
            })
            .expect("status")
            .expect("a network measure");
            assert!(status.held, "{slug}: {} held", r.kind);
            assert_eq!(
                status.complete,
                r.kind == "network_council",
                "{slug}: {} complete or half filled in",
                r.kind
            );
        }
    }
}

#[derive(diesel::QueryableByName)]
struct ActsFor {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    user_id: uuid::Uuid,
}
