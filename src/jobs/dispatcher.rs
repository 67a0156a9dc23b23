//! The dispatcher: claims due rows across tenants and pushes a ticket for each to Redis. It runs in
//! every worker process; `FOR UPDATE SKIP LOCKED` in the claim keeps several dispatchers from
//! taking the same row.

use std::time::Duration;

use apalis::prelude::TaskSink;
use apalis_redis::RedisStorage;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text, Uuid as SqlUuid};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use uuid::Uuid;

use super::JobStatus;
use crate::config::JobSettings;
use crate::db::schema::jobs;
use crate::db::{Db, DbError, TenantId};

/// What travels through Redis: which row, and which claim of it. A worker acts only if the row is
/// still running under this same attempt, so a stale or duplicated ticket does nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, QueryableByName)]
pub struct Ticket {
    #[diesel(sql_type = SqlUuid)]
    pub tenant_id: Uuid,
    #[diesel(sql_type = SqlUuid, column_name = id)]
    pub job_id: Uuid,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Integer, column_name = attempts)]
    pub attempt: i32,
}

pub struct Dispatcher {
    pub db: Db,
    pub queue: RedisStorage<Ticket>,
    pub redis: redis::Client,
    pub settings: JobSettings,
}

impl Dispatcher {
    /// Claims and pushes until `shutdown` turns true.
    pub async fn run(mut self, mut shutdown: watch::Receiver<bool>) {
        let interval = Duration::from_millis(self.settings.dispatch_interval_ms);
        loop {
            if *shutdown.borrow() {
                return;
            }
            let full_batch = match self.dispatch_once().await {
                Ok(n) => n >= self.settings.dispatch_batch as usize,
                Err(e) => {
                    tracing::warn!(error = %e, "dispatch failed; the rows stay due");
                    false
                }
            };
            if !full_batch {
                tokio::select! {
                    _ = tokio::time::sleep(interval) => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
    }

    /// One round: claim due rows and push their tickets. Returns how many were pushed.
    pub async fn dispatch_once(&mut self) -> Result<usize, DispatchError> {
        // Claim nothing while Redis is away: the rows would only wait out their lease.
        let mut conn = tokio::time::timeout(
            Duration::from_secs(2),
            self.redis.get_multiplexed_async_connection(),
        )
        .await
        .map_err(|_| DispatchError::Redis("timed out".into()))?
        .map_err(|e| DispatchError::Redis(e.to_string()))?;
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .map_err(|e| DispatchError::Redis(e.to_string()))?;

        let (limit, lease) = (self.settings.dispatch_batch, self.settings.lease_secs);
        let claimed: Vec<Ticket> = self
            .db
            .unscoped(move |conn| {
                diesel::sql_query(
                    "SELECT tenant_id, id, kind, attempts FROM platform_claim_due_jobs($1, $2)",
                )
                .bind::<Integer, _>(limit)
                .bind::<Integer, _>(lease)
                .load(conn)
                .map_err(DbError::from)
            })
            .await?;
        // One round trip for the whole batch. If it fails, some tickets may have reached Redis
        // all the same; releasing their rows too is safe, as a second ticket for a row finds it
        // locked or done.
        if !claimed.is_empty()
            && let Err(e) = self.queue.push_bulk(claimed.clone()).await
        {
            release(&self.db, &claimed).await;
            return Err(DispatchError::Redis(e.to_string()));
        }
        if !claimed.is_empty() {
            tracing::debug!(count = claimed.len(), "dispatched");
        }
        Ok(claimed.len())
    }
}

/// Hands claimed rows back at once (their tickets did not all reach Redis), instead of letting
/// them wait out the lease.
async fn release(db: &Db, tickets: &[Ticket]) {
    for ticket in tickets.iter().cloned() {
        let tenant = TenantId(ticket.tenant_id);
        let released = db
            .tenant(tenant, move |conn| {
                diesel::update(
                    jobs::table
                        .find((tenant.0, ticket.job_id))
                        .filter(jobs::status.eq(JobStatus::Running.as_str()))
                        .filter(jobs::attempts.eq(ticket.attempt)),
                )
                .set((
                    jobs::status.eq(JobStatus::Pending.as_str()),
                    jobs::attempts.eq(ticket.attempt - 1),
                    jobs::lease_until.eq(None::<chrono::DateTime<chrono::Utc>>),
                ))
                .execute(conn)
                .map_err(DbError::from)
            })
            .await;
        if let Err(e) = released {
            tracing::warn!(error = %e, "could not release a claim; its lease will expire");
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    #[error("redis: {0}")]
    Redis(String),
    #[error(transparent)]
    Db(#[from] DbError),
}
