//! The audit of what link holders *read* — an invitee's meeting page and calendar file, a child's
//! plan — written in batches off the request path.
//!
//! A view changes nothing, so its audit row need not share the reading's transaction the way a
//! change's must (see the module above). The page's transaction only keeps a place in a bounded
//! queue; once it has committed, the row joins the queue, and one writer task inserts whatever has
//! gathered, one multi-row INSERT per service, while the next pages are served. Under light load
//! that is each view a moment after its page; under heavy load many views share a commit, and the
//! page no longer waits for a synchronous commit of its own.
//!
//! What this costs, stated in the README: a view whose row is still queued when the process dies
//! without shutting down (killed, crashed, power lost) is not in the log. That is at most the views
//! of the last write's duration, a few milliseconds in normal operation; while PostgreSQL is away it
//! is the views read just before it went, which the writer keeps trying to write. A graceful stop
//! ([`ViewLog::flush`], called by `tillit serve` after the last request) writes everything queued.
//! When the queue is full, or no writer runs, the view is written in the page's own transaction as
//! before, so a view is never audited less than that. Answers, confirmations and every other change
//! are still audited in their own transaction.

use std::time::Duration;

use chrono::Utc;
use diesel::PgConnection;
use diesel::prelude::*;
use tokio::sync::{mpsc, oneshot};

use super::{AuditEntry, AuditRow};
use crate::db::schema::audit_log;
use crate::db::{Db, DbError, TenantId};

/// Views queued at most; a view beyond it is written in its page's transaction.
const QUEUE: usize = 8192;
/// Rows in one INSERT at most.
const BATCH: usize = 1000;
/// The first wait before trying again when a write failed; it doubles up to [`RETRY_MAX`].
const RETRY_FIRST: Duration = Duration::from_millis(50);
const RETRY_MAX: Duration = Duration::from_secs(2);

/// The queue of views to audit. Cheap to clone; every clone feeds the same writer.
#[derive(Clone)]
pub struct ViewLog {
    queue: Option<mpsc::Sender<Queued>>,
}

enum Queued {
    View(TenantId, Box<AuditRow>),
    /// Answered once everything queued before it is written.
    Flush(oneshot::Sender<()>),
}

/// A view's place in the queue, kept while its page's transaction runs. [`PendingView::commit`]
/// after the transaction committed queues the row; dropped instead (the page failed), nothing is
/// written.
#[must_use = "a view is audited only when its pending row is committed"]
pub struct PendingView(Pending);

enum Pending {
    Queued(mpsc::OwnedPermit<Queued>, TenantId, Box<AuditRow>),
    /// Written already, in the page's transaction.
    Written,
}

impl PendingView {
    pub fn commit(self) {
        if let Pending::Queued(permit, tenant, row) = self.0 {
            permit.send(Queued::View(tenant, row));
        }
    }
}

impl ViewLog {
    /// Starts the writer on the current Tokio runtime. Outside one (a plain CLI command) there
    /// is no writer, and every view is written in its page's transaction.
    pub fn start(db: &Db) -> Self {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return Self { queue: None };
        };
        let (sender, receiver) = mpsc::channel(QUEUE);
        runtime.spawn(write_views(db.clone(), receiver));
        Self {
            queue: Some(sender),
        }
    }

    /// The queue the app gave the server (`app::serve`, as app data), or, in a server built
    /// without one, none: every view is then written in its page's transaction.
    pub fn of(req: &actix_web::HttpRequest) -> Self {
        req.app_data::<actix_web::web::Data<Self>>()
            .map(|views| Self::clone(views))
            .unwrap_or(Self { queue: None })
    }

    /// Keeps a place for `entry`, read by `tenant`'s link holder in the transaction on `conn`; or,
    /// when the queue is full, writes it in that transaction.
    pub fn reserve(
        &self,
        conn: &mut PgConnection,
        tenant: TenantId,
        entry: AuditEntry,
    ) -> QueryResult<PendingView> {
        let permit = self
            .queue
            .as_ref()
            .and_then(|queue| queue.clone().try_reserve_owned().ok());
        match permit {
            Some(permit) => Ok(PendingView(Pending::Queued(
                permit,
                tenant,
                Box::new(entry.row(tenant, Some(Utc::now()))),
            ))),
            None => {
                super::record(conn, tenant, entry)?;
                Ok(PendingView(Pending::Written))
            }
        }
    }

    /// Waits until every view queued so far is written, for at most `limit`; false when the time
    /// ran out first (PostgreSQL away), and the views still queued are then lost with the process.
    pub async fn flush(&self, limit: Duration) -> bool {
        let Some(queue) = &self.queue else {
            return true;
        };
        let (done, written) = oneshot::channel();
        if queue.send(Queued::Flush(done)).await.is_err() {
            return true;
        }
        matches!(tokio::time::timeout(limit, written).await, Ok(Ok(())))
    }
}

/// The writer: takes what has gathered, writes it per service, answers the flushes behind it;
/// keeps trying while a write fails, so a view read before PostgreSQL went away is written once it
/// is back.
async fn write_views(db: Db, mut queue: mpsc::Receiver<Queued>) {
    let mut rows: Vec<(TenantId, Box<AuditRow>)> = Vec::new();
    let mut flushes: Vec<oneshot::Sender<()>> = Vec::new();
    while let Some(first) = queue.recv().await {
        let mut next = Some(first);
        while let Some(queued) = next.take() {
            match queued {
                Queued::View(tenant, row) => rows.push((tenant, row)),
                Queued::Flush(done) => flushes.push(done),
            }
            if rows.len() < BATCH {
                next = queue.try_recv().ok();
            }
        }
        let mut wait = RETRY_FIRST;
        while !rows.is_empty() {
            let batch = std::mem::take(&mut rows);
            let count = batch.len();
            let (left, result) = write_batch(&db, batch).await;
            rows = left;
            if let Err(error) = result {
                tracing::warn!(
                    views = count,
                    unwritten = rows.len(),
                    %error,
                    "the audit of link views could not be written; trying again"
                );
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(RETRY_MAX);
            }
        }
        for done in flushes.drain(..) {
            let _ = done.send(());
        }
    }
}

/// Writes `rows`, one transaction per service; gives back the rows not written when one failed.
async fn write_batch(
    db: &Db,
    mut rows: Vec<(TenantId, Box<AuditRow>)>,
) -> (Vec<(TenantId, Box<AuditRow>)>, Result<(), DbError>) {
    let db = db.clone();
    let written = tokio::task::spawn_blocking(move || {
        let result = (|| {
            rows.sort_by_key(|(tenant, _)| tenant.0);
            while let Some((tenant, _)) = rows.first() {
                let tenant = *tenant;
                let same = rows.iter().take_while(|(t, _)| *t == tenant).count();
                let chunk: Vec<&AuditRow> = rows[..same].iter().map(|(_, row)| &**row).collect();
                db.tenant_blocking(tenant, |conn| {
                    diesel::insert_into(audit_log::table)
                        .values(chunk)
                        .execute(conn)
                        .map_err(DbError::from)
                })?;
                rows.drain(..same);
            }
            Ok::<_, DbError>(())
        })();
        (rows, result)
    })
    .await;
    match written {
        Ok(done) => done,
        // The task panicked: its rows are gone with it; say so rather than loop.
        Err(error) => (Vec::new(), Err(DbError::from(error))),
    }
}
