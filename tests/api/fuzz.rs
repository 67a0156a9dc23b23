//! The OpenAPI description against the server it describes: schemathesis (from PyPI; `tests/run`
//! installs it) reads `/api/v1/openapi.json`, makes requests from its schemas — valid ones and
//! ones that break them — and checks each answer: never a server error, and every status,
//! content type, header and body as the description documents it. It runs once with a key of
//! each role of a service with cases, councils, plans and recruitments, the ids of which it puts
//! into the paths and bodies, and once with another service's key against the same ids, which
//! must change nothing of this service.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::Text;
use serde_json::json;

use crate::common::councils::setup;
use crate::common::{Staff, TestApp, seed_case};

/// Requests per operation in the fuzzing phase of each run: enough to reach past the checks of
/// every field, few enough that the seven runs take about two minutes on a small machine.
const MAX_EXAMPLES: u32 = 8;
const SEED: u32 = 17;

const HOW_TO_INSTALL: &str =
    "install it with `python3 -m pip install schemathesis==4.32.5` (`bash tests/run` does)";

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    value: String,
}

fn rows(app: &TestApp, sql: &str) -> Vec<String> {
    diesel::sql_query(sql)
        .load::<Row>(&mut app.db.admin_conn())
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .map(|r| r.value)
        .collect()
}

/// The ids of `tenant`'s rows of `table` that meet `only`, for schemathesis to put where the
/// description asks for one.
fn ids(app: &TestApp, tenant: uuid::Uuid, table: &str, only: &str) -> Vec<String> {
    rows(
        app,
        &format!(
            "SELECT id::text AS value FROM {table} WHERE tenant_id = '{tenant}' AND {only} ORDER BY 1"
        ),
    )
}

/// Everything `tenant` holds, table by table, as a digest of its rows: what another service's key
/// must leave as it was. The audit log counts only what succeeded (a refused request may be
/// logged as denied).
fn holdings(app: &TestApp, tenant: uuid::Uuid) -> Vec<String> {
    let tables = rows(
        app,
        "SELECT c.relname::text AS value FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
            AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid
                          AND a.attname = 'tenant_id' AND NOT a.attisdropped)
          ORDER BY 1",
    );
    tables
        .iter()
        .map(|table| {
            let only = if table == "audit_log" {
                " AND outcome = 'success'"
            } else {
                ""
            };
            let digest = rows(
                app,
                &format!(
                    "SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '')
                       AS value FROM {table} t WHERE tenant_id = '{tenant}'{only}"
                ),
            );
            format!("{table}: {}", digest.join(""))
        })
        .collect()
}

/// The schemathesis configuration: a dictionary of ids for each kind of id — the ids of one case
/// that has a row in every case table, so that the ids in a path belong together — and where in
/// the paths and bodies each goes (most of the time; otherwise a made-up one, which must name
/// nothing).
fn config(app: &TestApp, tenant: uuid::Uuid, case: &str) -> String {
    let of_case = format!("case_id = '{case}'");
    let of_councils = format!("council_id IN (SELECT id FROM councils WHERE case_id = '{case}')");
    let of_plans = format!("plan_id IN (SELECT id FROM plans WHERE case_id = '{case}')");
    let dictionaries = [
        ("cases", "cases", format!("id = '{case}'")),
        ("councils", "councils", of_case.clone()),
        ("meetings", "council_meetings", of_councils.clone()),
        ("participants", "council_participants", of_case.clone()),
        ("persons", "network_persons", of_case.clone()),
        ("consents", "council_consents", of_councils.clone()),
        ("objections", "council_objections", of_case.clone()),
        ("texts", "council_texts", of_councils),
        ("measures", "costly_measures", of_case.clone()),
        ("recruitments", "recruitments", of_case.clone()),
        ("candidates", "recruitment_candidates", of_case.clone()),
        ("goals", "plan_goals", of_plans.clone()),
        ("commitments", "plan_commitments", of_plans.clone()),
        ("follow_ups", "plan_follow_ups", of_case),
        ("links", "plan_child_links", of_plans),
        ("users", "users", "true".to_owned()),
        ("openings", "acute_openings", "true".to_owned()),
        ("jobs", "jobs", "true".to_owned()),
        ("keys", "api_keys", "true".to_owned()),
    ];
    let mut toml = String::from("[dictionaries]\n");
    for (name, table, only) in dictionaries {
        let mut values = ids(app, tenant, table, &only);
        // Every dictionary has an entry, so a kind with no row yet still gets ids that name
        // nothing.
        values.push(uuid::Uuid::now_v7().to_string());
        writeln!(toml, "{name} = {{ values = {} }}", json!(values)).unwrap();
    }
    writeln!(toml, "numbers = {{ values = [1, 2] }}").unwrap();
    writeln!(
        toml,
        "nobody = {{ values = [\"{}\"] }}",
        uuid::Uuid::now_v7()
    )
    .unwrap();
    writeln!(toml, "municipalities = {{ values = [\"4624\", \"0301\"] }}").unwrap();
    let bind = |key: &str, dictionary: &str| {
        format!("\"{key}\" = {{ dictionary = \"{dictionary}\", probability = 0.9 }}\n")
    };
    toml.push_str("\n[parameters]\n");
    for (key, dictionary) in [
        ("path.council_id", "councils"),
        ("path.meeting_id", "meetings"),
        ("path.participant_id", "participants"),
        ("path.person_id", "persons"),
        ("path.consent_id", "consents"),
        ("path.objection_id", "objections"),
        ("path.text_id", "texts"),
        ("path.measure_id", "measures"),
        ("path.recruitment_id", "recruitments"),
        ("path.candidate_id", "candidates"),
        ("path.goal_id", "goals"),
        ("path.commitment_id", "commitments"),
        ("path.follow_up_id", "follow_ups"),
        ("path.link_id", "links"),
        ("path.user_id", "users"),
        ("path.number", "numbers"),
        ("path.kommunenummer", "municipalities"),
        ("body.case_id", "cases"),
        ("body.council_id", "councils"),
        ("body.person_id", "persons"),
        ("body.participant_id", "participants"),
        ("body.user_id", "users"),
        ("body.successor_id", "users"),
        ("body.coordinator_id", "users"),
        ("body.goal_id", "goals"),
    ] {
        toml.push_str(&bind(key, dictionary));
    }
    // Someone else's assignment ended by one run would close the case to the others: the
    // assignment to end is one that names nobody.
    toml.push_str(
        "\n[[operations]]\ninclude-path-regex = \"/assignments/\"\n\
         parameters = { \"path.user_id\" = { dictionary = \"nobody\" } }\n",
    );
    for (regex, dictionary) in [
        ("^/api/v1/cases/", "cases"),
        ("^/api/v1/staff/", "users"),
        ("^/api/v1/on-call/openings/", "openings"),
        ("^/api/v1/jobs/", "jobs"),
        ("^/api/v1/api-keys/", "keys"),
    ] {
        write!(
            toml,
            "\n[[operations]]\ninclude-path-regex = \"{regex}\"\nparameters = {{ {}}}\n",
            bind("path.id", dictionary).trim_end()
        )
        .unwrap();
    }
    toml
}

struct Run {
    who: String,
    passed: bool,
    output: String,
    took: Duration,
}

/// Runs schemathesis against the app at `address` as `key` with the configuration in `dir`:
/// the coverage phase (each field's edges and wrong values) when `coverage`, then the fuzzing
/// phase.
async fn schemathesis(address: &str, dir: &Path, who: &str, key: &str, coverage: bool) -> Run {
    let (address, dir, who, key) = (
        address.to_owned(),
        dir.to_owned(),
        who.to_owned(),
        key.to_owned(),
    );
    tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let out = Command::new("python3")
            .args(["-m", "schemathesis.cli", "--config-file"])
            .arg(dir.join("schemathesis.toml"))
            .arg("--no-color")
            .arg("run")
            .arg(format!("{address}/api/v1/openapi.json"))
            .args(["--url", &address])
            .args(["-H", &format!("Authorization: Bearer {key}")])
            .args([
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,\
                 response_headers_conformance,response_schema_conformance",
            ])
            .args([
                "--phases",
                if coverage {
                    "coverage,fuzzing"
                } else {
                    "fuzzing"
                },
            ])
            .args(["--max-examples", &MAX_EXAMPLES.to_string()])
            .args(["--seed", &SEED.to_string()])
            .args(["--generation-database", "none"])
            .args(["--suppress-health-check", "all"])
            .args(["--request-timeout", "20"])
            .args(["--report", "junit"])
            .arg("--report-junit-path")
            .arg(dir.join(format!("{who}.xml")))
            .current_dir(&dir)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot start schemathesis: {e}; {HOW_TO_INSTALL}"));
        Run {
            who,
            passed: out.status.success(),
            output: format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
            took: started.elapsed(),
        }
    })
    .await
    .expect("schemathesis ran")
}

/// Fails (never skips) when schemathesis is missing, saying how to install it.
fn check_prerequisites() {
    let version = Command::new("python3")
        .args(["-m", "schemathesis.cli", "--version"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned());
    assert!(
        version.is_some_and(|v| v.ends_with(" 4.32.5")),
        "the fuzz test needs schemathesis 4.32.5 for python3; {HOW_TO_INSTALL}"
    );
}

fn work_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tillit-fuzz-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).expect("a folder for schemathesis");
    dir
}

/// The last `n` characters of `text`: schemathesis ends with its failures and their `curl`.
fn tail(text: &str, n: usize) -> &str {
    let start = text.len().saturating_sub(n);
    let start = (start..text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(text.len());
    &text[start..]
}

#[tokio::test]
async fn the_openapi_description_holds_for_every_role_and_for_another_services_key() {
    check_prerequisites();
    let app = TestApp::spawn().await;
    let alpha = setup(&app, "alpha", json!({"birth_year": 2014})).await;
    let tenant = alpha.tenant.0;
    seed_case(&app.db, &alpha.staff);
    let case = rows(
        &app,
        &format!(
            "SELECT id::text AS value FROM cases WHERE tenant_id = '{tenant}' AND id <> '{}'",
            alpha.case
        ),
    )
    .remove(0);
    let caseworker = app.staff("alpha", "caseworker").await;
    let on_call = app.staff("alpha", "on_call").await;
    app.post_json(
        "/api/v1/on-call/openings",
        &on_call.key,
        json!({"case_id": alpha.case, "reason": "Politiet ringte"}),
        201,
    )
    .await;
    let foster_care = app.staff("alpha", "foster_care").await;
    for colleague in [&caseworker, &foster_care] {
        alpha.assign(&app, colleague).await;
        app.post_json(
            &format!("/api/v1/cases/{case}/assignments"),
            &alpha.staff.key,
            json!({"user_id": colleague.user_id}),
            200,
        )
        .await;
    }
    let staff: Vec<(&str, Staff)> = vec![
        ("leader", app.staff("alpha", "leader").await),
        ("on_call", on_call),
        ("foster_care", foster_care),
        ("caseworker", caseworker),
        ("coordinator", alpha.staff),
    ];
    app.create_tenant("beta", &["0301"]).await;
    let foreign = app.staff("beta", "coordinator").await;
    let admin = app.staff("alpha", "tenant_admin").await;

    let dir = work_dir();
    std::fs::write(dir.join("schemathesis.toml"), config(&app, tenant, &case)).expect("config");
    let mut runs = Vec::new();
    // The roles side by side (schemathesis keeps one core busy, the server little); the
    // coordinator, who may change most of a case, also walks each field's edges.
    let started: Vec<_> = staff
        .iter()
        .map(|(who, staff)| {
            let (address, dir, who, key) = (
                app.address.clone(),
                dir.clone(),
                who.to_string(),
                staff.key.clone(),
            );
            tokio::spawn(async move {
                let coverage = who == "coordinator";
                schemathesis(&address, &dir, &who, &key, coverage).await
            })
        })
        .collect();
    for run in started {
        runs.push(run.await.expect("a run"));
    }
    let before = holdings(&app, tenant);
    runs.push(schemathesis(&app.address, &dir, "foreign", &foreign.key, false).await);
    let after = holdings(&app, tenant);
    runs.push(schemathesis(&app.address, &dir, "tenant_admin", &admin.key, true).await);
    let report: Vec<String> = runs
        .iter()
        .map(|run| format!("{}: {:.0?}", run.who, run.took))
        .collect();
    println!("schemathesis runs (seed {SEED}): {}", report.join(", "));
    let changed: Vec<_> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b != a)
        .map(|(b, a)| format!("{b} -> {a}"))
        .collect();
    assert!(
        changed.is_empty(),
        "another service's key changed this service's rows: {changed:#?}"
    );
    let failed: Vec<String> = runs
        .iter()
        .filter(|run| !run.passed)
        .map(|run| {
            format!(
                "== schemathesis as {} failed ==\n{}",
                run.who,
                tail(&run.output, 20_000)
            )
        })
        .collect();
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every `$ref` of the description names a component it has: a reference to nothing leaves
/// that part of an operation undescribed (and unfuzzed).
#[tokio::test]
async fn every_reference_in_the_openapi_description_resolves() {
    fn walk(value: &serde_json::Value, doc: &serde_json::Value, missing: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(fields) => {
                if let Some(serde_json::Value::String(target)) = fields.get("$ref") {
                    let pointer = target.trim_start_matches('#');
                    if doc.pointer(pointer).is_none() {
                        missing.push(target.clone());
                    }
                }
                fields.values().for_each(|v| walk(v, doc, missing));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, doc, missing)),
            _ => {}
        }
    }
    let app = TestApp::spawn().await;
    let doc = app.openapi().await;
    let mut missing = Vec::new();
    walk(&doc, &doc, &mut missing);
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "references to nothing: {missing:?}");
}
