//! Background jobs that never forget. PostgreSQL is the record: every notification and timed
//! trigger is a row in `jobs`, written with [`schedule`] in the same transaction as the change that
//! causes it. The [`dispatcher`] claims due rows across tenants with a lease and hands them to the
//! [`worker`]s through Redis (apalis); a worker finishes the row in its tenant's transaction.
//! Redis may lose everything: a lease that runs out makes the row due again.
//!
//! This module is plumbing and knows no capability: each kind of job is a type implementing
//! [`Job`] — its serde payload and its `run` — in the capability that owns it, and the kinds are
//! put into a [`Registry`] where the app is built (`app::jobs`).

pub mod dispatcher;
pub mod timing;
pub mod worker;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use diesel::PgConnection;
use diesel::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::TenantId;
use crate::db::schema::jobs;
use crate::vocabulary::vocabulary;
use crate::web::problem::AppError;
use timing::QuietHours;
use worker::{JobContext, JobError, JobRow};

vocabulary! {
    /// Where a job row stands (`jobs.status`).
    pub enum JobStatus ("job status") {
        Pending => "pending";
        Running => "running";
        Done => "done";
        Failed => "failed";
        Cancelled => "cancelled";
    }
}

/// One kind of job: its payload is the type itself (stored as JSON in `jobs.payload`), `KIND` is
/// the code stored in `jobs.kind`, and `run` does the work inside the row's tenant transaction.
pub trait Job: Serialize + DeserializeOwned {
    /// The stored kind; never change one that rows may hold.
    const KIND: &'static str;
    /// Whether the job waits out the service's quiet hours. Reminders and invitations do (they
    /// go to people's private inboxes); an account link does not, because someone is waiting.
    const RESPECTS_QUIET_HOURS: bool;

    /// Does the work. `row` is the job row (its id keys the email's Message-ID).
    fn run(&self, ctx: &JobContext, conn: &mut PgConnection, row: &JobRow) -> Result<(), JobError>;
}

type RunFn = fn(&JobContext, &mut PgConnection, &JobRow) -> Result<(), JobError>;

/// How the worker finds a service's quiet hours: the service's settings are its owner's to read.
pub type QuietHoursOf = fn(&mut PgConnection) -> Result<(Tz, QuietHours), JobError>;

#[derive(Clone, Copy)]
pub(crate) struct Registered {
    pub(crate) respects_quiet_hours: bool,
    pub(crate) run: RunFn,
}

/// The kinds of job this process knows, by their stored kind.
pub struct Registry {
    kinds: BTreeMap<&'static str, Registered>,
    pub(crate) quiet_hours: QuietHoursOf,
}

impl Registry {
    pub fn new(quiet_hours: QuietHoursOf) -> Self {
        Self {
            kinds: BTreeMap::new(),
            quiet_hours,
        }
    }

    /// Adds job kind `J`. Two types with the same `KIND` are a programming error.
    pub fn register<J: Job>(mut self) -> Self {
        let earlier = self.kinds.insert(
            J::KIND,
            Registered {
                respects_quiet_hours: J::RESPECTS_QUIET_HOURS,
                run: run_typed::<J>,
            },
        );
        assert!(earlier.is_none(), "job kind {} registered twice", J::KIND);
        self
    }

    /// Every registered kind, in code order.
    pub fn kinds(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.kinds.keys().copied()
    }

    pub(crate) fn get(&self, kind: &str) -> Option<Registered> {
        self.kinds.get(kind).copied()
    }
}

/// Reads the row's payload as `J` and runs it; a payload that does not parse never will.
fn run_typed<J: Job>(
    ctx: &JobContext,
    conn: &mut PgConnection,
    row: &JobRow,
) -> Result<(), JobError> {
    let job = J::deserialize(&row.payload)
        .map_err(|e| JobError::Permanent(format!("the {} payload is malformed: {e}", J::KIND)))?;
    job.run(ctx, conn, row)
}

/// What a job is about, so a change to it can replace its pending jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject {
    pub kind: &'static str,
    pub id: Uuid,
}

/// A job to schedule: a typed payload made into its row.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: &'static str,
    pub payload: serde_json::Value,
    pub due_at: DateTime<Utc>,
    pub subject: Option<Subject>,
    /// Goes when due even in the service's quiet hours, though its kind waits them out.
    pub urgent: bool,
}

impl NewJob {
    pub fn new<J: Job>(job: &J, due_at: DateTime<Utc>, subject: Option<Subject>) -> Self {
        Self {
            kind: J::KIND,
            // A payload is a plain struct of ids, dates and numbers: it always serialises.
            payload: serde_json::to_value(job).unwrap_or_default(),
            due_at,
            subject,
            urgent: false,
        }
    }

    /// This one goes when due, in quiet hours too: someone is waiting for it within hours (an
    /// acute meeting's invitation).
    pub fn urgent(mut self, urgent: bool) -> Self {
        self.urgent = urgent;
        self
    }
}

/// Writes `job` for `tenant` in the caller's transaction; returns its id.
pub fn schedule(conn: &mut PgConnection, tenant: TenantId, job: &NewJob) -> QueryResult<Uuid> {
    let id = Uuid::now_v7();
    diesel::insert_into(jobs::table)
        .values((
            jobs::tenant_id.eq(tenant.0),
            jobs::id.eq(id),
            jobs::kind.eq(job.kind),
            jobs::payload.eq(&job.payload),
            jobs::subject_kind.eq(job.subject.map(|s| s.kind)),
            jobs::subject_id.eq(job.subject.map(|s| s.id)),
            jobs::due_at.eq(job.due_at),
            jobs::urgent.eq(job.urgent),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Cancels the pending jobs of `kinds` (their `Job::KIND`s) about `subject` and schedules
/// `replacements` instead, in the caller's transaction: a cancelled meeting keeps no reminder, a
/// moved one gets new ones.
pub fn replace_for_subject(
    conn: &mut PgConnection,
    tenant: TenantId,
    subject: Subject,
    kinds: &[&'static str],
    replacements: &[NewJob],
) -> QueryResult<usize> {
    let cancelled = diesel::update(
        jobs::table
            .filter(jobs::tenant_id.eq(tenant.0))
            .filter(jobs::status.eq(JobStatus::Pending.as_str()))
            .filter(jobs::subject_kind.eq(subject.kind))
            .filter(jobs::subject_id.eq(subject.id))
            .filter(jobs::kind.eq_any(kinds)),
    )
    .set((
        jobs::status.eq(JobStatus::Cancelled.as_str()),
        jobs::finished_at.eq(Utc::now()),
    ))
    .execute(conn)?;
    for job in replacements {
        schedule(conn, tenant, job)?;
    }
    Ok(cancelled)
}

/// A job as the tenant admin sees it: kind, state and timing, never the message content.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = jobs)]
pub struct JobView {
    pub id: Uuid,
    pub kind: String,
    pub subject_kind: Option<String>,
    pub due_at: DateTime<Utc>,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// Where one job about a subject stands, for the page that tells what went out and when.
#[derive(Debug, Clone, Queryable)]
pub struct SubjectJob {
    pub id: Uuid,
    pub payload: serde_json::Value,
    pub status: String,
    pub due_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Goes in quiet hours too ([`NewJob::urgent`]).
    pub urgent: bool,
}

/// The jobs of `kind` about `subject`, oldest due first, in the caller's transaction.
pub fn about(
    conn: &mut PgConnection,
    subject: Subject,
    kind: &'static str,
) -> QueryResult<Vec<SubjectJob>> {
    jobs::table
        .filter(jobs::subject_kind.eq(subject.kind))
        .filter(jobs::subject_id.eq(subject.id))
        .filter(jobs::kind.eq(kind))
        .filter(jobs::status.ne(JobStatus::Cancelled.as_str()))
        .order((jobs::due_at.asc(), jobs::id.asc()))
        .select((
            jobs::id,
            jobs::payload,
            jobs::status,
            jobs::due_at,
            jobs::finished_at,
            jobs::urgent,
        ))
        .load(conn)
}

/// A job that waits to run, and when it leaves.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub payload: serde_json::Value,
    pub due_at: DateTime<Utc>,
    /// Its moment, or the end of the quiet hours ([`timing::leaves_at`]).
    pub leaves_at: DateTime<Utc>,
    /// The quiet hours hold it back past its moment (more than a minute): what a page and an
    /// answer say ("goes out at 07:00").
    pub held: bool,
}

/// The jobs of `kinds` about the subjects of `subject_kind` with `ids` that wait to run, each
/// with its subject's id, oldest due first, seen at `now` in the service's zone and quiet hours,
/// in the caller's transaction: one query whatever the number of subjects.
pub fn waiting(
    conn: &mut PgConnection,
    (subject_kind, ids): (&'static str, &[Uuid]),
    kinds: &[&'static str],
    (tz, quiet): (Tz, QuietHours),
    now: DateTime<Utc>,
) -> QueryResult<Vec<(Uuid, Waiting)>> {
    let rows: Vec<(Option<Uuid>, serde_json::Value, DateTime<Utc>, bool)> = jobs::table
        .filter(jobs::subject_kind.eq(subject_kind))
        .filter(jobs::subject_id.eq_any(ids))
        .filter(jobs::kind.eq_any(kinds))
        .filter(jobs::status.eq(JobStatus::Pending.as_str()))
        .order((jobs::due_at.asc(), jobs::id.asc()))
        .select((jobs::subject_id, jobs::payload, jobs::due_at, jobs::urgent))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(subject, payload, due_at, urgent)| {
            let leaves_at = timing::leaves_at(due_at, urgent, tz, quiet, now);
            Some((
                subject?,
                Waiting {
                    payload,
                    due_at,
                    leaves_at,
                    held: leaves_at > due_at.max(now) + chrono::Duration::minutes(1),
                },
            ))
        })
        .collect())
}

/// The tenant's jobs in the caller's transaction, newest due first, of `status` if given.
pub fn list(
    conn: &mut PgConnection,
    status: Option<JobStatus>,
    limit: i64,
) -> QueryResult<Vec<JobView>> {
    let mut query = jobs::table
        .select(JobView::as_select())
        .order(jobs::due_at.desc())
        .limit(limit)
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(jobs::status.eq(status.as_str()));
    }
    query.load(conn)
}

/// Makes failed job `id` due again now, its attempts counted from zero, in the caller's
/// transaction. Refused for a job that has not failed.
pub fn retry_failed(conn: &mut PgConnection, tenant: TenantId, id: Uuid) -> Result<(), AppError> {
    let status: String = jobs::table
        .find((tenant.0, id))
        .select(jobs::status)
        .for_update()
        .first(conn)?;
    if status != JobStatus::Failed.as_str() {
        return Err(crate::web::refusal::Refusal::JobNotFailed.because(format!(
            "only a failed job can be retried; this one is {status}"
        )));
    }
    diesel::update(jobs::table.find((tenant.0, id)))
        .set((
            jobs::status.eq(JobStatus::Pending.as_str()),
            jobs::attempts.eq(0),
            jobs::due_at.eq(Utc::now()),
            jobs::finished_at.eq(None::<DateTime<Utc>>),
        ))
        .execute(conn)?;
    Ok(())
}
