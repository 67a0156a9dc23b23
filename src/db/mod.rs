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
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool, PooledConnection};
use diesel::sql_types::Text;
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
            // Each connection answers `SELECT 1` before it is handed out: one that PostgreSQL
            // closed (a restart, a failover) is dropped and replaced, never given to a request.
            // One that broke during a request (its transaction in error) is dropped when returned.
            .test_on_check_out(true)
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
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(DbError::from)?;
            in_tenant(&mut conn, tenant, f)
        })
        .await
        .map_err(DbError::from)?
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
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(DbError::from)?;
            conn.transaction(|conn| {
                let Some((tenant, key)) = find(conn)? else {
                    return Ok(None);
                };
                f(conn, tenant, key)
            })
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
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(DbError::from)?;
            let conn: &mut PgConnection = &mut conn;
            conn.transaction(f)
        })
        .await
        .map_err(DbError::from)?
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

/// Opens a transaction on `conn`, sets the tenant for it alone, and runs `f` inside.
///
/// Never nest two of these for different tenants: the inner one becomes a savepoint, and its
/// setting would outlive it for the rest of the outer transaction.
pub fn in_tenant<T, E, F>(conn: &mut PgConnection, tenant: TenantId, f: F) -> Result<T, E>
where
    E: From<diesel::result::Error>,
    F: FnOnce(&mut PgConnection) -> Result<T, E>,
{
    conn.transaction(|conn| {
        set_tenant(conn, tenant)?;
        f(conn)
    })
}

/// Scopes the rest of the transaction to `tenant` (`app.tenant_id`, which row-level security
/// reads); it ends with the transaction.
fn set_tenant(conn: &mut PgConnection, tenant: TenantId) -> QueryResult<usize> {
    diesel::sql_query("SELECT set_config('app.tenant_id', $1, true)")
        .bind::<Text, _>(tenant.0.to_string())
        .execute(conn)
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
