//! Tenant isolation, enforced by PostgreSQL itself: row-level security on every tenant table,
//! a server role that cannot turn it off, and an HTTP API where another service's ids do not
//! exist.

use crate::common;

use common::{TestApp, TestDb, expect_problem, tenant_id};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};
use tillit::db::{TenantId, in_tenant};

#[derive(QueryableByName, Debug)]
struct TableName {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = Bool)]
    flag: bool,
}

/// Every table that holds tenant data: those with a `tenant_id` column, and `tenants` itself.
fn tenant_tables(conn: &mut PgConnection) -> Vec<String> {
    diesel::sql_query(
        "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
           AND (c.relname = 'tenants' OR EXISTS (
                 SELECT FROM pg_attribute a WHERE a.attrelid = c.oid
                   AND a.attname = 'tenant_id' AND NOT a.attisdropped))
         ORDER BY 1",
    )
    .load::<TableName>(conn)
    .expect("catalog")
    .into_iter()
    .map(|t| t.name)
    .collect()
}

/// Tables that hold tenant data but lack enabled RLS, forced RLS, or a policy.
fn unprotected_tables(conn: &mut PgConnection) -> Vec<String> {
    diesel::sql_query(
        "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
           AND (c.relname = 'tenants' OR EXISTS (
                 SELECT FROM pg_attribute a WHERE a.attrelid = c.oid
                   AND a.attname = 'tenant_id' AND NOT a.attisdropped))
           AND NOT (c.relrowsecurity AND c.relforcerowsecurity
                    AND EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = c.oid))
         ORDER BY 1",
    )
    .load::<TableName>(conn)
    .expect("catalog")
    .into_iter()
    .map(|t| t.name)
    .collect()
}

fn count(conn: &mut PgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql)
        .get_result::<Count>(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .n
}

#[test]
fn every_tenant_table_has_forced_rls_and_a_policy() {
    let db = TestDb::new();
    let mut conn = db.app_conn();
    let tables = tenant_tables(&mut conn);
    assert!(
        tables.len() >= 6,
        "the catalog query should find the tenant tables, found {tables:?}"
    );
    assert_eq!(unprotected_tables(&mut conn), Vec::<String>::new());
    // Each policy works the service's id out once per statement, as a sub-select: written bare,
    // app_tenant_id() is called again for every row a scan reads (bench/day.sh measured a scan
    // of a service's invitations three times slower). A new table copies the form.
    let bare: Vec<String> = diesel::sql_query(
        "SELECT tablename AS name FROM pg_policies
          WHERE schemaname = 'public' AND policyname = 'tenant_isolation'
            AND (qual NOT LIKE '%SELECT app_tenant_id()%'
                 OR with_check NOT LIKE '%SELECT app_tenant_id()%')
          ORDER BY 1",
    )
    .load::<TableName>(&mut conn)
    .expect("policies")
    .into_iter()
    .map(|t| t.name)
    .collect();
    assert_eq!(
        bare,
        Vec::<String>::new(),
        "policies with app_tenant_id() bare"
    );
}

#[test]
fn the_lint_catches_a_table_whose_policy_was_dropped() {
    let db = TestDb::new();
    let mut owner = db.admin_conn();
    owner
        .batch_execute(
            "SET ROLE tillit_owner; DROP POLICY tenant_isolation ON tenant_municipalities;",
        )
        .expect("drop one policy as the owner");
    assert_eq!(
        unprotected_tables(&mut db.app_conn()),
        vec!["tenant_municipalities".to_owned()]
    );
}

#[test]
fn the_lint_catches_a_new_table_without_rls() {
    let db = TestDb::new();
    db.admin_conn()
        .batch_execute(
            "SET ROLE tillit_owner;
             CREATE TABLE forgotten (tenant_id uuid NOT NULL, id uuid PRIMARY KEY);",
        )
        .expect("create a table the way a careless migration would");
    assert_eq!(
        unprotected_tables(&mut db.app_conn()),
        vec!["forgotten".to_owned()]
    );
}

/// Two services with a row in every tenant table.
async fn two_tenants(app: &TestApp) -> (TenantId, TenantId) {
    let a = app.create_tenant("alpha", &["4624"]).await;
    let b = app.create_tenant("beta", &["4625", "4626"]).await;
    let admins = [
        app.api_key("alpha", "tenant_admin").await,
        app.api_key("beta", "tenant_admin").await,
    ];
    let (a, b) = (tenant_id(&a), tenant_id(&b));
    // A session for each service's admin, as a login would leave it.
    let mut conn = app.db.app_conn();
    for tenant in [a, b] {
        in_tenant(&mut conn, tenant, |c| {
            c.batch_execute(
                "INSERT INTO sessions (tenant_id, id, user_id, token_hash, expires_at)
                 SELECT tenant_id, gen_random_uuid(), id, sha256(convert_to(gen_random_uuid()::text, 'UTF8')),
                        now() + interval '1 hour'
                 FROM users",
            )
        })
        .expect("a session");
    }
    // The figures, read once, are kept for the year; the cases written since leave their
    // changes to be counted.
    for key in &admins {
        app.get_json("/api/v1/figures", key, 200).await;
    }
    for slug in ["alpha", "beta"] {
        common::seed_case(&app.db, &app.staff(slug, "caseworker").await);
    }
    (a, b)
}

#[tokio::test]
async fn a_tenant_sees_only_its_own_rows_in_every_table() {
    let app = TestApp::spawn().await;
    let (a, b) = two_tenants(&app).await;
    let mut conn = app.db.app_conn();
    let tables = tenant_tables(&mut conn);
    for table in &tables {
        let key = if table == "tenants" {
            "id"
        } else {
            "tenant_id"
        };
        let (own_b, foreign_under_a, all_under_a) = in_tenant(&mut conn, a, |c| {
            let foreign = count(
                c,
                &format!("SELECT count(*) AS n FROM {table} WHERE {key} <> '{a}'"),
            );
            let all = count(c, &format!("SELECT count(*) AS n FROM {table}"));
            Ok::<_, diesel::result::Error>((0, foreign, all))
        })
        .map(|(_, f, all)| {
            let own_b = in_tenant(&mut conn, b, |c| {
                Ok::<_, diesel::result::Error>(count(
                    c,
                    &format!("SELECT count(*) AS n FROM {table}"),
                ))
            })
            .expect("count as b");
            (own_b, f, all)
        })
        .expect("count as a");
        assert!(own_b > 0, "{table}: tenant B should have rows to hide");
        assert!(all_under_a > 0, "{table}: tenant A should see its own rows");
        assert_eq!(foreign_under_a, 0, "{table}: A saw B's rows");
    }
}

#[tokio::test]
async fn writing_another_tenants_id_is_refused_and_updates_miss() {
    let app = TestApp::spawn().await;
    let (a, b) = two_tenants(&app).await;
    let mut conn = app.db.app_conn();
    let insert = in_tenant(&mut conn, a, |c| {
        c.batch_execute(&format!(
            "INSERT INTO tenant_municipalities (tenant_id, kommunenummer) VALUES ('{b}', '4627')"
        ))
    });
    let err = insert.expect_err("insert with B's id under A");
    assert!(
        err.to_string().contains("row-level security"),
        "unexpected error: {err}"
    );
    let moved = in_tenant(&mut conn, a, |c| {
        diesel::sql_query(format!(
            "UPDATE tenant_municipalities SET name = 'Overtatt' WHERE tenant_id = '{b}'"
        ))
        .execute(c)
    })
    .expect("update runs");
    assert_eq!(moved, 0, "an update under A must not reach B's rows");
    let hijack = in_tenant(&mut conn, a, |c| {
        c.batch_execute(&format!("UPDATE users SET tenant_id = '{b}'"))
    });
    assert!(hijack.is_err(), "moving A's rows to B must fail");
    let b_names = in_tenant(&mut conn, b, |c| {
        Ok::<_, diesel::result::Error>(count(
            c,
            "SELECT count(*) AS n FROM tenant_municipalities WHERE name = 'Overtatt'",
        ))
    })
    .expect("count");
    assert_eq!(b_names, 0, "B's rows are unchanged");
}

#[tokio::test]
async fn with_no_tenant_set_tenant_tables_are_empty() {
    let app = TestApp::spawn().await;
    two_tenants(&app).await;
    let mut conn = app.db.app_conn();
    // Leave the connection in the state a pooled one has after serving a tenant: '' not NULL.
    in_tenant(&mut conn, TenantId(uuid::Uuid::new_v4()), |_| {
        Ok::<_, diesel::result::Error>(())
    })
    .expect("scoped transaction");
    for table in tenant_tables(&mut conn) {
        assert_eq!(
            count(&mut conn, &format!("SELECT count(*) AS n FROM {table}")),
            0,
            "{table} must look empty without a tenant"
        );
    }
}

#[test]
fn the_server_role_cannot_switch_rls_off_or_bypass_it() {
    let db = TestDb::new();
    let mut conn = db.app_conn();
    let privileged: Flag = diesel::sql_query(
        "SELECT (rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb) AS flag
         FROM pg_roles WHERE rolname = current_user",
    )
    .get_result(&mut conn)
    .expect("role");
    assert!(
        !privileged.flag,
        "the server's role must have no special attributes"
    );
    let owns = count(
        &mut conn,
        "SELECT count(*) AS n FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
         WHERE pg_has_role(current_user, r.oid, 'USAGE') AND c.relnamespace = 'public'::regnamespace",
    );
    assert_eq!(owns, 0, "the server's role must own no table");
    for attempt in [
        "ALTER TABLE users DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE users NO FORCE ROW LEVEL SECURITY",
        "DROP POLICY tenant_isolation ON users",
        "CREATE POLICY open_door ON users USING (true)",
        "SET ROLE tillit_owner",
        "SET ROLE tillit_platform",
        "UPDATE audit_log SET action = 'rewritten'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "CREATE TABLE sneaky (id int)",
    ] {
        let result = conn.transaction(|c| c.batch_execute(attempt));
        assert!(result.is_err(), "the server role could run: {attempt}");
    }
    // row_security = off is accepted, but turns filtering into an error rather than a bypass.
    conn.batch_execute("SET row_security = off")
        .expect("accepted");
    let read = diesel::sql_query("SELECT count(*) AS n FROM users").get_result::<Count>(&mut conn);
    assert!(
        read.is_err(),
        "with row_security off a tenant table must not be readable"
    );
}

#[tokio::test]
async fn over_http_another_services_ids_are_not_found() {
    let app = TestApp::spawn().await;
    app.create_tenant("alpha", &["4624"]).await;
    app.create_tenant("beta", &["4625"]).await;
    let key_a = app.api_key("alpha", "tenant_admin").await;
    let key_b = app.api_key("beta", "tenant_admin").await;

    let keys_a: serde_json::Value = app
        .get("/api/v1/api-keys", &key_a)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id_a = keys_a[0]["id"].as_str().expect("A's key id").to_owned();

    let seen_by_a = app
        .get(&format!("/api/v1/api-keys/{id_a}"), &key_a)
        .send()
        .await
        .unwrap();
    assert_eq!(seen_by_a.status(), 200);
    let seen_by_b = app
        .get(&format!("/api/v1/api-keys/{id_a}"), &key_b)
        .send()
        .await
        .unwrap();
    expect_problem(seen_by_b, 404, "not-found").await;
    let revoked_by_b = app
        .delete(&format!("/api/v1/api-keys/{id_a}"), &key_b)
        .send()
        .await
        .unwrap();
    expect_problem(revoked_by_b, 404, "not-found").await;
    let removed_by_b = app
        .delete("/api/v1/tenant/municipalities/4624", &key_b)
        .send()
        .await
        .unwrap();
    expect_problem(removed_by_b, 404, "not-found").await;

    // A's key still works and A's municipality is still there.
    let tenant_a = app.get_json("/api/v1/tenant", &key_a, 200).await;
    assert_eq!(tenant_a["slug"], "alpha");
    assert_eq!(tenant_a["municipalities"][0]["kommunenummer"], "4624");
    let tenant_b = app.get_json("/api/v1/tenant", &key_b, 200).await;
    assert_eq!(tenant_b["slug"], "beta");
    assert_eq!(tenant_b["municipalities"].as_array().unwrap().len(), 1);
}

/// Every kind of emailed link is found across services by one SECURITY DEFINER function, owned by
/// the BYPASSRLS platform role, that only the server's role may call; the per-kind lookups it
/// replaced are gone, and a kind it does not know is an error, not an empty answer.
#[test]
fn one_cross_tenant_lookup_answers_for_every_kind_of_link() {
    let db = TestDb::new();
    let mut admin = db.admin_conn();
    let definer = count(
        &mut admin,
        "SELECT count(*) AS n FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner
         WHERE p.proname = 'platform_link_lookup' AND p.prosecdef AND r.rolname = 'tillit_platform'
           AND p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp']
           AND has_function_privilege('tillit_app', p.oid, 'EXECUTE')
           AND NOT EXISTS (SELECT FROM aclexplode(p.proacl) a WHERE a.grantee = 0)",
    );
    assert_eq!(
        definer, 1,
        "platform_link_lookup: definer, owner, search_path, grants"
    );
    let replaced = count(
        &mut admin,
        "SELECT count(*) AS n FROM pg_proc WHERE proname IN
           ('platform_account_token_lookup', 'platform_invitation_lookup', 'platform_child_link_lookup')",
    );
    assert_eq!(replaced, 0, "the per-kind lookups are gone");

    let mut app = db.app_conn();
    for kind in [
        "account",
        "invitation",
        "child_link",
        "recruitment_candidate",
    ] {
        let found = count(
            &mut app,
            &format!("SELECT count(*) AS n FROM platform_link_lookup('{kind}', '\\x00'::bytea)"),
        );
        assert_eq!(found, 0, "{kind}: an unknown hash finds nothing");
    }
    let unknown =
        diesel::sql_query("SELECT * FROM platform_link_lookup('session', '\\x00'::bytea)")
            .execute(&mut app);
    assert!(unknown.is_err(), "an unknown kind is refused");
}
