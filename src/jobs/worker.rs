//! The workers: take tickets from Redis and finish their rows. Each ticket is executed on the
//! blocking pool inside its tenant's transaction, with the row locked (`FOR UPDATE`) from the check
//! until it is marked done: a second delivery of the same ticket waits, then finds the row done.

use std::sync::Arc;
use std::time::Duration;

use apalis::prelude::*;
use apalis_redis::{Config as QueueConfig, RedisStorage};
use chrono::Utc;
use diesel::PgConnection;
use diesel::prelude::*;
use tokio::sync::watch;
use uuid::Uuid;

use super::dispatcher::{Dispatcher, Ticket};
use super::timing::next_send_time;
use super::{JobStatus, Registry};
use crate::config::Settings;
use crate::db::schema::jobs;
use crate::db::{Db, DbError, TenantId};
use crate::mail::{MailError, Mailer};

/// What a job's executor may use.
#[derive(Clone)]
pub struct JobContext {
    pub db: Db,
    pub mailer: Arc<Mailer>,
    pub sms: Arc<dyn crate::sms::SmsGateway>,
    pub settings: Arc<Settings>,
    /// The kinds of job this process runs.
    pub registry: Arc<Registry>,
}

/// The row being executed, as its executor sees it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = jobs)]
pub struct JobRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub kind: String,
    pub payload: serde_json::Value,
    pub status: String,
    pub attempts: i32,
    pub urgent: bool,
}

/// Why a job did not finish.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another attempt later (the mail server refused for now, the database hiccupped).
    #[error("{0}")]
    Retry(String),
    /// No attempt will ever succeed (malformed payload, an address the mail library refuses).
    #[error("{0}")]
    Permanent(String),
}

impl From<diesel::result::Error> for JobError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Retry(e.to_string())
    }
}

impl From<crate::sms::SmsError> for JobError {
    fn from(e: crate::sms::SmsError) -> Self {
        match e {
            crate::sms::SmsError::Refused(m) => Self::Permanent(m),
            crate::sms::SmsError::Unavailable(m) => Self::Retry(m),
        }
    }
}

impl From<MailError> for JobError {
    fn from(e: MailError) -> Self {
        match e {
            MailError::Build(m) => Self::Permanent(m),
            MailError::Send(m) => Self::Retry(m),
        }
    }
}

/// What became of one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Quiet hours: due again in the morning, attempt not counted.
    Deferred,
    /// Failed; due again after the backoff.
    Retrying,
    /// Failed for good, or too often: parked for the tenant admin.
    Parked,
    /// The row was finished, cancelled or re-claimed meanwhile: nothing to do.
    Stale,
}

/// Executes one ticket. Runs on a blocking thread.
pub fn execute(ctx: &JobContext, ticket: &Ticket) -> Result<Outcome, DbError> {
    let tenant = TenantId(ticket.tenant_id);
    ctx.db.tenant_blocking(tenant, |conn| {
        let row: Option<JobRow> = jobs::table
            .find((tenant.0, ticket.job_id))
            .select(JobRow::as_select())
            .for_update()
            .first(conn)
            .optional()?;
        let Some(row) = row else {
            return Ok(Outcome::Stale);
        };
        if row.status != JobStatus::Running.as_str() || row.attempts != ticket.attempt {
            return Ok(Outcome::Stale);
        }
        let Some(kind) = ctx.registry.get(&row.kind) else {
            return finish(
                conn,
                &row,
                Err(JobError::Permanent(format!("unknown kind {}", row.kind))),
                ctx,
            );
        };
        if kind.respects_quiet_hours && !row.urgent {
            // Settings that cannot be read (a corrupt time zone) park the job with the reason.
            let (tz, quiet) = match (ctx.registry.quiet_hours)(conn) {
                Ok(hours) => hours,
                Err(error) => return finish(conn, &row, Err(error), ctx),
            };
            let now = Utc::now();
            let allowed = next_send_time(now, tz, quiet);
            if allowed > now {
                diesel::update(jobs::table.find((tenant.0, row.id)))
                    .set((
                        jobs::status.eq(JobStatus::Pending.as_str()),
                        jobs::due_at.eq(allowed),
                        jobs::attempts.eq(row.attempts - 1),
                        jobs::lease_until.eq(None::<chrono::DateTime<Utc>>),
                    ))
                    .execute(conn)?;
                return Ok(Outcome::Deferred);
            }
        }
        // The executor's own writes are a savepoint: undone on failure, while the failure itself
        // is still recorded on the row.
        let result = conn.transaction(|conn| (kind.run)(ctx, conn, &row));
        finish(conn, &row, result, ctx)
    })
}

fn finish(
    conn: &mut PgConnection,
    row: &JobRow,
    result: Result<(), JobError>,
    ctx: &JobContext,
) -> Result<Outcome, DbError> {
    let target = jobs::table.find((row.tenant_id, row.id));
    let none = None::<chrono::DateTime<Utc>>;
    let outcome = match result {
        Ok(()) => {
            diesel::update(target)
                .set((
                    jobs::status.eq(JobStatus::Done.as_str()),
                    jobs::finished_at.eq(Utc::now()),
                    jobs::lease_until.eq(none),
                ))
                .execute(conn)?;
            Outcome::Done
        }
        Err(error) => {
            let permanent = matches!(error, JobError::Permanent(_));
            let message = redact_addresses(&error.to_string());
            if permanent || row.attempts >= ctx.settings.jobs.max_attempts {
                tracing::warn!(job = %row.id, kind = %row.kind, attempts = row.attempts, error = %message, "job parked as failed");
                diesel::update(target)
                    .set((
                        jobs::status.eq(JobStatus::Failed.as_str()),
                        jobs::last_error.eq(&message),
                        jobs::finished_at.eq(Utc::now()),
                        jobs::lease_until.eq(none),
                    ))
                    .execute(conn)?;
                Outcome::Parked
            } else {
                let delay = backoff(ctx.settings.jobs.backoff_base_secs, row.attempts);
                tracing::info!(job = %row.id, kind = %row.kind, attempts = row.attempts, retry_in_secs = delay.num_seconds(), error = %message, "job will be retried");
                diesel::update(target)
                    .set((
                        jobs::status.eq(JobStatus::Pending.as_str()),
                        jobs::due_at.eq(Utc::now() + delay),
                        jobs::last_error.eq(&message),
                        jobs::lease_until.eq(none),
                    ))
                    .execute(conn)?;
                Outcome::Retrying
            }
        }
    };
    Ok(outcome)
}

/// `base × 2^(attempt−1)`, capped at a day.
pub fn backoff(base_secs: i64, attempt: i32) -> chrono::Duration {
    let exponent = u32::try_from(attempt.saturating_sub(1))
        .unwrap_or(0)
        .min(20);
    let secs = base_secs.saturating_mul(1_i64 << exponent).min(86_400);
    chrono::Duration::seconds(secs.max(1))
}

/// Replaces anything that looks like an email address: mail server errors often quote the
/// recipient, and the tenant admin's job list and the logs must not show it.
pub fn redact_addresses(text: &str) -> String {
    text.split_inclusive(|c: char| {
        c.is_whitespace() || c == '<' || c == '>' || c == ',' || c == ';'
    })
    .map(|piece| {
        let word = piece.trim_end_matches(|c: char| {
            c.is_whitespace() || c == '<' || c == '>' || c == ',' || c == ';'
        });
        if word.contains('@') && word.len() > 2 {
            piece.replacen(word, "[address]", 1)
        } else {
            piece.to_owned()
        }
    })
    .collect()
}

/// The queue of tickets for this deployment's namespace.
pub async fn connect_queue(settings: &Settings) -> Result<RedisStorage<Ticket>, redis::RedisError> {
    use secrecy::ExposeSecret;
    let conn = apalis_redis::connect(settings.redis_url.expose_secret()).await?;
    // Fetch enough tickets per poll to keep every concurrent slot busy.
    let batch = settings.jobs.concurrency.max(1) * 4;
    Ok(RedisStorage::new(conn).with_config(
        QueueConfig::default()
            .queue(format!("{}:jobs", settings.redis_namespace))
            .batch_size(batch),
    ))
}

async fn handle_ticket(ticket: Ticket, ctx: Data<JobContext>) -> Result<(), BoxDynError> {
    let ctx = (*ctx).clone();
    let outcome = tokio::task::spawn_blocking(move || execute(&ctx, &ticket)).await??;
    tracing::debug!(?outcome, "ticket executed");
    Ok(())
}

/// Runs the dispatcher and the workers until `shutdown` turns true. Waits for Redis if it is not
/// there yet, so the HTTP server (and `/readyz`) can start without it.
pub async fn run(ctx: JobContext, mut shutdown: watch::Receiver<bool>) {
    let queue = loop {
        match connect_queue(&ctx.settings).await {
            Ok(queue) => break queue,
            Err(e) => {
                tracing::warn!(error = %e, "redis unreachable; jobs wait for it");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                    _ = shutdown.changed() => return,
                }
            }
        }
    };
    let redis = match redis::Client::open(secrecy::ExposeSecret::expose_secret(
        &ctx.settings.redis_url,
    )) {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "redis_url is not usable");
            return;
        }
    };
    let dispatcher = Dispatcher {
        db: ctx.db.clone(),
        queue: queue.clone(),
        redis,
        settings: ctx.settings.jobs.clone(),
    };
    let dispatcher_task = tokio::spawn(dispatcher.run(shutdown.clone()));

    let instance = Uuid::now_v7().simple().to_string();
    let concurrency = ctx.settings.jobs.concurrency;
    let monitor = Monitor::new()
        .shutdown_timeout(Duration::from_secs(ctx.settings.http.shutdown_timeout_secs))
        // One Redis error would end a worker for good: restart it, a little later each time.
        .should_restart(|worker, error| {
            tracing::warn!(%error, worker = %worker.name(), "job worker restarts");
            true
        })
        .register(move |restarts| {
            let delay = Duration::from_secs(u64::try_from(restarts).unwrap_or(0).min(10));
            WorkerBuilder::new(format!("tillit-{instance}-r{restarts}"))
                .backend(
                    queue
                        .clone()
                        .poll_with_interval(Duration::from_millis(200))
                        .before_start(move |_| async move {
                            tokio::time::sleep(delay).await;
                            Ok(())
                        }),
                )
                .data(ctx.clone())
                .concurrency(concurrency)
                .build(handle_ticket)
        });
    let mut stop = shutdown.clone();
    let result = monitor
        .run_with_signal(async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
            Ok(())
        })
        .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, "job workers stopped with an error");
    }
    let _ = shutdown.wait_for(|stopped| *stopped).await;
    let _ = dispatcher_task.await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(60, 1).num_seconds(), 60);
        assert_eq!(backoff(60, 2).num_seconds(), 120);
        assert_eq!(backoff(60, 5).num_seconds(), 960);
        assert_eq!(backoff(60, 40).num_seconds(), 86_400);
    }

    #[test]
    fn mail_errors_lose_their_addresses() {
        let raw =
            "permanent error (550): 5.1.1 <kari.nordmann@example.no>: Recipient address rejected";
        let clean = redact_addresses(raw);
        assert!(!clean.contains("kari"), "{clean}");
        assert!(clean.contains("Recipient address rejected"), "{clean}");
    }
}
