//! Background jobs that never forget. PostgreSQL is the record: every notification and timed
//! trigger is a row in `jobs`, written with [`schedule`] in the same transaction as the change that
//! causes it. The [`dispatcher`] claims due rows across tenants with a lease and hands them to the
//! [`worker`]s through Redis (apalis); a worker finishes the row in its tenant's transaction.
//! Redis may lose everything: a lease that runs out makes the row due again.

pub mod dispatcher;
pub mod handlers;
pub mod timing;
pub mod worker;

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::{Caller, Role};
use crate::db::TenantId;
use crate::db::schema::jobs;
use crate::web::problem::AppError;

/// What a job does. Each kind has its executor in the capability it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// An account link by email: setup of a new service's admin, a staff invitation, a password
    /// reset. Payload: `{"token_id": uuid}`.
    AccountEmail,
    /// A case's network map is due for review: a neutral reminder to the staff assigned to it.
    /// One pending row per case, replaced each time a revision is saved. Payload:
    /// `{"case_id": uuid}`.
    MapReview,
    /// The child of a case turns 17½: a neutral reminder to the staff assigned to the case that
    /// it is time for the transition meeting. One pending row per case, replaced when the birth
    /// date changes. Payload: `{"case_id": uuid}`.
    TransitionMeeting,
    /// A meeting's invitation, change (METHOD:REQUEST) or cancellation (METHOD:CANCEL) to one
    /// participant. Payload: `{"invitation_id": uuid, "method": "REQUEST" | "CANCEL"}`.
    Invitation,
    /// A participant has not answered: a reminder with their link, at most `chase_max` times.
    /// Payload: `{"meeting_id", "participant_id", "round"}`.
    AnswerChase,
    /// `reminder_days` before a meeting, to everyone invited who has not declined. Payload:
    /// `{"meeting_id", "days"}`.
    MeetingReminder,
    /// `preparation_check_days` before a meeting: tells the coordinator if someone is not
    /// prepared or a consent or waiver is missing. Payload: `{"meeting_id"}`.
    PreparationMissing,
    /// A network council's plan awaits a participant's confirmation: an email with their link.
    /// Payload: `{"plan_id", "participant_id", "version"}`.
    PlanConfirmation,
    /// `commitment_notice_days` before a commitment's due date, to the person who committed.
    /// Payload: `{"commitment_id", "due_on"}`.
    CommitmentDue,
    /// The day after a commitment's due date, if it is not done. Payload as for `CommitmentDue`.
    CommitmentOverdue,
    /// At a plan's evaluation date: opens the follow-up the network chose and tells the
    /// coordinator. Payload: `{"plan_id", "evaluation_on"}`.
    EvaluationDue,
    /// `evaluation_undocumented_days` after a follow-up took place with no evaluation recorded,
    /// to the coordinator. Payload: `{"plan_id", "follow_up_id"}`.
    EvaluationUndocumented,
}

impl JobKind {
    pub const ALL: [JobKind; 12] = [
        JobKind::AccountEmail,
        JobKind::MapReview,
        JobKind::TransitionMeeting,
        JobKind::Invitation,
        JobKind::AnswerChase,
        JobKind::MeetingReminder,
        JobKind::PreparationMissing,
        JobKind::PlanConfirmation,
        JobKind::CommitmentDue,
        JobKind::CommitmentOverdue,
        JobKind::EvaluationDue,
        JobKind::EvaluationUndocumented,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccountEmail => "account_email",
            Self::MapReview => "map_review",
            Self::TransitionMeeting => "transition_meeting",
            Self::Invitation => "invitation",
            Self::AnswerChase => "answer_chase",
            Self::MeetingReminder => "meeting_reminder",
            Self::PreparationMissing => "preparation_missing",
            Self::PlanConfirmation => "plan_confirmation",
            Self::CommitmentDue => "commitment_due",
            Self::CommitmentOverdue => "commitment_overdue",
            Self::EvaluationDue => "evaluation_due",
            Self::EvaluationUndocumented => "evaluation_undocumented",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Whether the job waits out the tenant's quiet hours. Reminders and meeting invitations
    /// do (they go to people's private inboxes); an account link does not, because someone has
    /// just asked for it (a reset, an invitation) and is waiting.
    pub fn respects_quiet_hours(self) -> bool {
        match self {
            Self::AccountEmail => false,
            Self::MapReview
            | Self::TransitionMeeting
            | Self::Invitation
            | Self::AnswerChase
            | Self::MeetingReminder
            | Self::PreparationMissing
            | Self::PlanConfirmation
            | Self::CommitmentDue
            | Self::CommitmentOverdue
            | Self::EvaluationDue
            | Self::EvaluationUndocumented => true,
        }
    }
}

/// What a job is about, so a change to it can replace its pending jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject {
    pub kind: &'static str,
    pub id: Uuid,
}

/// A job to schedule.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: JobKind,
    pub payload: serde_json::Value,
    pub due_at: DateTime<Utc>,
    pub subject: Option<Subject>,
}

/// Writes `job` for `tenant` in the caller's transaction; returns its id.
pub fn schedule(conn: &mut PgConnection, tenant: TenantId, job: &NewJob) -> QueryResult<Uuid> {
    let id = Uuid::now_v7();
    diesel::insert_into(jobs::table)
        .values((
            jobs::tenant_id.eq(tenant.0),
            jobs::id.eq(id),
            jobs::kind.eq(job.kind.as_str()),
            jobs::payload.eq(&job.payload),
            jobs::subject_kind.eq(job.subject.map(|s| s.kind)),
            jobs::subject_id.eq(job.subject.map(|s| s.id)),
            jobs::due_at.eq(job.due_at),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Cancels the pending jobs of `kinds` about `subject` and schedules `replacements` instead, in
/// the caller's transaction: a cancelled meeting keeps no reminder, a moved one gets new ones.
pub fn replace_for_subject(
    conn: &mut PgConnection,
    tenant: TenantId,
    subject: Subject,
    kinds: &[JobKind],
    replacements: &[NewJob],
) -> QueryResult<usize> {
    let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    let cancelled = diesel::update(
        jobs::table
            .filter(jobs::tenant_id.eq(tenant.0))
            .filter(jobs::status.eq("pending"))
            .filter(jobs::subject_kind.eq(subject.kind))
            .filter(jobs::subject_id.eq(subject.id))
            .filter(jobs::kind.eq_any(kinds)),
    )
    .set((
        jobs::status.eq("cancelled"),
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

/// Makes a failed job due again now, its attempts counted from zero. Audited.
pub async fn retry(db: &crate::db::Db, caller: &Caller, id: Uuid) -> Result<(), AppError> {
    caller.require(&[Role::TenantAdmin])?;
    let tenant = caller.tenant;
    let entry = caller.audit("job.retry").object("job", id);
    db.tenant(tenant, move |conn| {
        let status: String = jobs::table
            .find((tenant.0, id))
            .select(jobs::status)
            .for_update()
            .first(conn)?;
        if status != "failed" {
            return Err(AppError::Conflict(format!(
                "only a failed job can be retried; this one is {status}"
            )));
        }
        diesel::update(jobs::table.find((tenant.0, id)))
            .set((
                jobs::status.eq("pending"),
                jobs::attempts.eq(0),
                jobs::due_at.eq(Utc::now()),
                jobs::finished_at.eq(None::<DateTime<Utc>>),
            ))
            .execute(conn)?;
        crate::audit::record(conn, tenant, entry)?;
        Ok(())
    })
    .await
}
