//! PostgreSQL access: the connection pool, and the one way handlers reach it — a transaction scoped
//! to one tenant, run on the blocking pool.
//!
//! Row-level security does the isolation: every tenant table's policy compares `tenant_id` with
//! the transaction-local setting `app.tenant_id`. [`Db::tenant`] sets it with
//! `set_config(…, true)`, so it ends with the transaction and never leaks to the next user of a
//! pooled connection. [`Db::unscoped`] runs without a tenant: every tenant table then looks empty,
//! and only the narrow `platform_*` SECURITY DEFINER functions can see across tenants.

pub mod bootstrap;
pub mod kept;
pub mod schema;

use std::time::Duration;

use diesel::PgConnection;
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool, PooledConnection};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub type PgPool = Pool<ConnectionManager<PgConnection>>;
pub type PgPooled = PooledConnection<ConnectionManager<PgConnection>>;

/// Closes one row in place: sets `$set` to `$value` on row `$id` of `$table` that belongs to
/// `$owner = $owner_id` and whose `$open` column is still null (not yet removed, withdrawn or
/// revoked). Evaluates to `Err(diesel::result::Error::NotFound)` when no such row is left, so
/// `?` answers 404 for a row that is not there or was closed before.
macro_rules! close_open_row {
    ($conn:expr, $table:ident, $owner:ident = $owner_id:expr, $id:expr,
     while $open:ident is null, set $set:ident = $value:expr) => {{
        use diesel::prelude::*;
        let changed = diesel::update(
            $table::table
                .filter($table::$owner.eq($owner_id))
                .filter($table::id.eq($id))
                .filter($table::$open.is_null()),
        )
        .set($table::$set.eq($value))
        .execute($conn)?;
        if changed == 0 {
            Err(diesel::result::Error::NotFound)
        } else {
            Ok(())
        }
    }};
}
pub(crate) use close_open_row;

/// A tenant's id. Kept distinct from other uuids so a case id can never be passed as a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TenantId(pub Uuid);

impl std::fmt::Display for TenantId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("no database connection available: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("database task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("{0}")]
    Setup(String),
}

/// The server's handle on PostgreSQL. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: PgPool,
}

impl Db {
    /// Builds the pool without connecting, so the server can start (and report not-ready on
    /// `/readyz`) while the database is still coming up.
    pub fn connect_lazy(url: &str, max_size: u32, timeout: Duration) -> Self {
        let manager = ConnectionManager::<PgConnection>::new(local_without_tls(url));
        let pool = Pool::builder()
            .max_size(max_size)
            // Open connections as requests need them rather than max_size at once at start.
            .min_idle(Some(1))
            // A request waits this long for a connection, then answers 503. While PostgreSQL is
            // away, the pool tries to connect again every `timeout / 2` at the longest, so it is
            // back within that of the database coming back, with no restart.
            .connection_timeout(timeout)
            // No `SELECT 1` on checkout: that was a round trip before every transaction. A
            // connection PostgreSQL closed meanwhile (a restart, a failover) fails its `BEGIN`
            // instead; `Db::begun` then drops it and takes the next (see there). One that broke
            // during a request (its transaction in error) is dropped when returned.
            .test_on_check_out(false)
            .build_unchecked(manager);
        Self { pool }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Runs `f` in a transaction scoped to `tenant`, on the blocking pool. Everything `f` reads or
    /// writes is filtered by row-level security to that tenant; an error rolls it all back.
    pub async fn tenant<T, E, F>(&self, tenant: TenantId, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + From<diesel::result::Error> + Send + 'static,
        F: FnOnce(&mut PgConnection) -> Result<T, E> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.tenant_blocking(tenant, f))
            .await
            .map_err(DbError::from)?
    }

    /// [`Db::tenant`] on the calling thread, for code that already runs on a blocking thread
    /// (the job worker, the audit writer).
    pub fn tenant_blocking<T, E, F>(&self, tenant: TenantId, f: F) -> Result<T, E>
    where
        E: From<DbError> + From<diesel::result::Error>,
        F: FnOnce(&mut PgConnection) -> Result<T, E>,
    {
        let mut conn = self.begun(&tenant_begin(tenant))?;
        let result = f(&mut conn);
        finish(&mut conn, result)
    }

    /// Finds a tenant with `find` and, when it finds one, runs `f` scoped to that tenant — in one
    /// transaction on one connection, so a link's page costs one BEGIN and one COMMIT rather
    /// than a transaction for the lookup and another for the page.
    ///
    /// `find` runs with no tenant set (tenant tables look empty to it) and must itself scope the
    /// transaction to the tenant it returns, in the lookup's own statement, saving a round trip:
    /// `LinkToken::scope_in` does. Row-level security holds as in [`Db::tenant`]: `f` sees only
    /// the tenant found, and a `find` that did not scope leaves `f` seeing no tenant's rows at all.
    pub async fn found_tenant<K, T, E, L, F>(&self, find: L, f: F) -> Result<Option<T>, E>
    where
        K: Send + 'static,
        T: Send + 'static,
        E: From<DbError> + From<diesel::result::Error> + Send + 'static,
        L: FnOnce(&mut PgConnection) -> Result<Option<(TenantId, K)>, E> + Send + 'static,
        F: FnOnce(&mut PgConnection, TenantId, K) -> Result<Option<T>, E> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = db.begun("BEGIN")?;
            let result = find(&mut conn).and_then(|found| match found {
                Some((tenant, key)) => f(&mut conn, tenant, key),
                None => Ok(None),
            });
            finish(&mut conn, result)
        })
        .await
        .map_err(DbError::from)?
    }

    /// Runs `f` with no tenant set. Tenant tables look empty here; this exists for the
    /// `platform_*` lookups that find which tenant an API key or link token belongs to.
    pub async fn unscoped<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + From<diesel::result::Error> + Send + 'static,
        F: FnOnce(&mut PgConnection) -> Result<T, E> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = db.begun("BEGIN")?;
            let result = f(&mut conn);
            finish(&mut conn, result)
        })
        .await
        .map_err(DbError::from)?
    }

    /// Checks out a connection and opens a transaction on it with `begin`, one round trip.
    ///
    /// The pool does not ping a connection before handing it out, so one that PostgreSQL closed
    /// while it sat idle (a restart, a failover) is found out here: its `BEGIN` fails before
    /// anything of the request was sent. It is marked broken, so the pool drops it, and the next
    /// is tried, up to one more than the pool holds: after a restart every idle connection is
    /// stale, and the last try opens a fresh one. Nothing is retried once `BEGIN` has gone
    /// through: what failed after it is the request's error.
    fn begun(&self, begin: &str) -> Result<PgPooled, DbError> {
        let mut tries = self.pool.max_size() + 1;
        loop {
            let mut conn = self.pool.get()?;
            match AnsiTransactionManager::begin_transaction_sql(&mut *conn, begin) {
                Ok(()) => return Ok(conn),
                Err(error) => {
                    // Whatever failed, the connection's state is unknown: never reuse it.
                    AnsiTransactionManager::transaction_manager_status_mut(&mut *conn)
                        .set_in_error();
                    tries -= 1;
                    if !is_lost_connection(&error) || tries == 0 {
                        return Err(error.into());
                    }
                }
            }
        }
    }

    /// `SELECT 1` within the pool's timeout: for `/readyz`.
    pub async fn ping(&self) -> Result<(), DbError> {
        self.unscoped(|conn| {
            diesel::sql_query("SELECT 1").execute(conn)?;
            Ok::<_, DbError>(())
        })
        .await
    }
}

/// Opens a transaction on `conn` scoped to `tenant` alone, and runs `f` inside.
///
/// Refuses (`AlreadyInTransaction`) to start inside another transaction: a tenant's scope
/// opened as a savepoint would outlive it for the rest of the outer transaction.
pub fn in_tenant<T, E, F>(conn: &mut PgConnection, tenant: TenantId, f: F) -> Result<T, E>
where
    E: From<diesel::result::Error>,
    F: FnOnce(&mut PgConnection) -> Result<T, E>,
{
    AnsiTransactionManager::begin_transaction_sql(conn, &tenant_begin(tenant))?;
    let result = f(conn);
    finish(conn, result)
}

/// `BEGIN` and the tenant's scope (`app.tenant_id`, which row-level security reads, local to
/// the transaction) in one round trip. A simple query cannot bind parameters; the id is a
/// uuid's hyphenated hex, nothing a quote could come from.
fn tenant_begin(tenant: TenantId) -> String {
    format!(
        "BEGIN; SELECT set_config('app.tenant_id', '{}', true)",
        tenant.0.hyphenated()
    )
}

/// Ends the transaction `begun` or `in_tenant` opened: commits after `f` succeeded, rolls back
/// after it failed — as diesel's own `transaction` does, whose `BEGIN` cannot carry the
/// tenant's scope.
fn finish<T, E>(conn: &mut PgConnection, result: Result<T, E>) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    match result {
        Ok(value) => {
            AnsiTransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => match AnsiTransactionManager::rollback_transaction(conn) {
            // A broken connection's rollback says nothing the request's own error does not.
            Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(error),
            Err(rollback) => Err(rollback.into()),
        },
    }
}

/// For a database on this machine, turns TLS and GSSAPI encryption off unless the URL asks for
/// them. libpq's TLS and Kerberos state on r2d2's threads can race the library cleanup at process
/// exit (aborts seen on these machines: OpenSSL, and krb5's `krb5int_getspecific` assertion), and
/// loopback traffic gains nothing from encryption. Remote URLs are left alone.
pub fn local_without_tls(url: &str) -> String {
    let Ok(parsed) = url::Url::parse(url) else {
        return url.to_owned();
    };
    let local = matches!(
        parsed.host_str(),
        Some("127.0.0.1" | "localhost" | "[::1]" | "::1")
    );
    if !local {
        return url.to_owned();
    }
    let mut out = parsed.clone();
    for key in ["sslmode", "gssencmode"] {
        if !parsed.query_pairs().any(|(k, _)| k == key) {
            out.query_pairs_mut().append_pair(key, "disable");
        }
    }
    out.to_string()
}

/// True when `err` says the connection to PostgreSQL was lost (the server restarted, stopped or
/// went away mid-request): the database is unavailable, not the request wrong. Nothing of the
/// transaction it was in is kept unless its commit had gone through; the pool drops such a
/// connection and checks every other before handing it out.
pub fn is_lost_connection(err: &diesel::result::Error) -> bool {
    matches!(
        err,
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::ClosedConnection,
            _
        )
    )
}

/// True when `err` is a unique-constraint violation (PostgreSQL 23505).
pub fn is_unique_violation(err: &diesel::result::Error) -> bool {
    matches!(
        err,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

#[cfg(test)]
mod tests {
    use super::local_without_tls;

    #[test]
    fn loopback_urls_skip_tls_and_remote_ones_keep_it() {
        assert_eq!(
            local_without_tls("postgres://tillit_app@127.0.0.1:5432/tillit"),
            "postgres://tillit_app@127.0.0.1:5432/tillit?sslmode=disable&gssencmode=disable"
        );
        assert_eq!(
            local_without_tls("postgres://a@db.example.no/tillit"),
            "postgres://a@db.example.no/tillit"
        );
        assert_eq!(
            local_without_tls("postgres://a@localhost/t?sslmode=require"),
            "postgres://a@localhost/t?sslmode=require&gssencmode=disable"
        );
    }
}
