//! `tillit migrate`: creates the roles and the database if missing and applies the migrations.
//! Idempotent, and safe when several processes run it at once (an advisory lock serialises them).
//!
//! Roles:
//! - `tillit_owner` (NOLOGIN) owns every table. Migrations run as the admin connection after
//!   `SET ROLE tillit_owner`, so the objects, and diesel's own bookkeeping table, belong to it.
//! - `tillit_app` holds the server's privileges: no superuser, no BYPASSRLS, owns nothing. The
//!   login named in `TILLIT_DATABASE_URL` is `tillit_app` itself or a member of it.
//! - `tillit_platform` (NOLOGIN, BYPASSRLS) owns the few cross-tenant `platform_*` functions.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::{DbError, local_without_tls};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

pub const OWNER_ROLE: &str = "tillit_owner";
pub const APP_ROLE: &str = "tillit_app";
pub const PLATFORM_ROLE: &str = "tillit_platform";

/// What `migrate` did, for the CLI to report.
#[derive(Debug, serde::Serialize)]
pub struct MigrateReport {
    pub database: String,
    pub created_database: bool,
    pub applied: Vec<String>,
}

/// Where the server connects: its login, optional password and database name, read from
/// `TILLIT_DATABASE_URL`.
struct AppTarget {
    login: String,
    password: Option<String>,
    database: String,
}

fn app_target(app_url: &str) -> Result<AppTarget, DbError> {
    let url = url::Url::parse(app_url)
        .map_err(|_| DbError::Setup("database_url is not a valid URL".into()))?;
    let login = url.username().to_owned();
    let database = url.path().trim_start_matches('/').to_owned();
    let plain = |s: &str| {
        !s.is_empty()
            && s.len() <= 63
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    if !plain(&login) || !plain(&database) {
        return Err(DbError::Setup(
            "database_url must name a login and a database of lowercase letters, digits and _"
                .into(),
        ));
    }
    let password = url.password().map(percent_decode);
    Ok(AppTarget {
        login,
        password,
        database,
    })
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("p={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// The same server and credentials as `admin_url`, but connected to `database`.
pub fn admin_url_for(admin_url: &str, database: &str) -> Result<String, DbError> {
    let mut url = url::Url::parse(admin_url)
        .map_err(|_| DbError::Setup("database_admin_url is not a valid URL".into()))?;
    url.set_path(&format!("/{database}"));
    Ok(url.to_string())
}

/// Creates roles and the database if missing, then applies pending migrations.
pub fn migrate(admin_url: &str, app_url: &str) -> Result<MigrateReport, DbError> {
    let target = app_target(app_url)?;
    let mut admin = PgConnection::establish(&local_without_tls(admin_url))?;
    // Serialise concurrent `migrate` runs (several replicas starting at once).
    admin.batch_execute("SELECT pg_advisory_lock(7431926001)")?;
    let result = (|| {
        ensure_roles(&mut admin, &target)?;
        let created_database = ensure_database(&mut admin, &target.database)?;
        let applied = apply_migrations(admin_url, &target.database)?;
        Ok(MigrateReport {
            database: target.database.clone(),
            created_database,
            applied,
        })
    })();
    let _ = admin.batch_execute("SELECT pg_advisory_unlock(7431926001)");
    result
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = Bool)]
    flag: bool,
}

fn role_is_privileged(conn: &mut PgConnection, role: &str) -> Result<bool, DbError> {
    let rows: Vec<Flag> = diesel::sql_query(
        "SELECT (rolsuper OR rolbypassrls) AS flag FROM pg_roles WHERE rolname = $1",
    )
    .bind::<Text, _>(role)
    .load(conn)?;
    Ok(rows.first().is_some_and(|r| r.flag))
}

fn ensure_roles(admin: &mut PgConnection, target: &AppTarget) -> Result<(), DbError> {
    // Never demote an existing superuser by pointing TILLIT_DATABASE_URL at it.
    if role_is_privileged(admin, &target.login)? {
        return Err(DbError::Setup(format!(
            "the server's login {:?} is a superuser or bypasses row-level security; \
             TILLIT_DATABASE_URL must name an unprivileged login such as tillit_app",
            target.login
        )));
    }
    admin.batch_execute(&format!(
        "DO $$ BEGIN
           IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{OWNER_ROLE}') THEN CREATE ROLE {OWNER_ROLE}; END IF;
           IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN CREATE ROLE {APP_ROLE}; END IF;
           IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{PLATFORM_ROLE}') THEN CREATE ROLE {PLATFORM_ROLE}; END IF;
         END $$;"
    ))?;
    // Re-assert the attributes every time, so an existing role cannot keep stale rights.
    admin.batch_execute(&format!(
        "ALTER ROLE {OWNER_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB;
         ALTER ROLE {APP_ROLE} NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB;
         ALTER ROLE {PLATFORM_ROLE} NOLOGIN NOSUPERUSER BYPASSRLS NOCREATEROLE NOCREATEDB;"
    ))?;
    // The owner must be a member of the platform role to hand it the platform functions.
    // Role attributes (BYPASSRLS) are never inherited through membership.
    grant_membership(admin, PLATFORM_ROLE, OWNER_ROLE)?;
    if target.login == APP_ROLE {
        admin.batch_execute(&format!("ALTER ROLE {APP_ROLE} LOGIN"))?;
    } else {
        let login = &target.login;
        admin.batch_execute(&format!(
            "DO $$ BEGIN
               IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{login}') THEN CREATE ROLE {login}; END IF;
             END $$;
             ALTER ROLE {login} LOGIN INHERIT NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB;"
        ))?;
        grant_membership(admin, APP_ROLE, login)?;
    }
    if let Some(password) = &target.password {
        // Passwords cannot be bound as parameters in DDL; quote as a literal.
        let literal = password.replace('\'', "''");
        admin.batch_execute(&format!("ALTER ROLE {} PASSWORD '{literal}'", target.login))?;
    }
    Ok(())
}

fn grant_membership(admin: &mut PgConnection, role: &str, member: &str) -> Result<(), DbError> {
    let rows: Vec<Flag> = diesel::sql_query("SELECT pg_has_role($1, $2, 'MEMBER') AS flag")
        .bind::<Text, _>(member)
        .bind::<Text, _>(role)
        .load(admin)?;
    if !rows.first().is_some_and(|r| r.flag) {
        admin.batch_execute(&format!("GRANT {role} TO {member}"))?;
    }
    Ok(())
}

fn ensure_database(admin: &mut PgConnection, database: &str) -> Result<bool, DbError> {
    let rows: Vec<Flag> =
        diesel::sql_query("SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1) AS flag")
            .bind::<Text, _>(database)
            .load(admin)?;
    if rows.first().is_some_and(|r| r.flag) {
        return Ok(false);
    }
    admin.batch_execute(&format!("CREATE DATABASE {database} OWNER {OWNER_ROLE}"))?;
    Ok(true)
}

/// Applies the embedded migrations to `database` as the owner role.
pub fn apply_migrations(admin_url: &str, database: &str) -> Result<Vec<String>, DbError> {
    let mut conn =
        PgConnection::establish(&local_without_tls(&admin_url_for(admin_url, database)?))?;
    conn.batch_execute(&format!("SET ROLE {OWNER_ROLE}"))?;
    let applied = conn
        .run_pending_migrations(MIGRATIONS)
        .map_err(|e| DbError::Migration(e.to_string()))?;
    Ok(applied.iter().map(|v| v.to_string()).collect())
}
