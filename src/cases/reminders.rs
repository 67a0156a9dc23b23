//! The reminder that a map is due for review. Each saved revision replaces the case's pending
//! reminder with one due the service's `map_review_months` later, in the same transaction; closing
//! the case cancels it. When it is due, the staff then assigned to the case get a neutral email
//! ([`notify_assigned`], which the other reminders about a case share).

use chrono::{NaiveDate, NaiveTime};
use diesel::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use super::domain::Phase;
use super::queries::TenantClock;
use super::rules::review_due_on;
use crate::db::TenantId;
use crate::db::schema::{case_assignments, cases, users};
use crate::fields::Email;
use crate::jobs::worker::{JobContext, JobError, JobRow};
use crate::jobs::{self, Job, NewJob, Subject};
use crate::mail::OutgoingEmail;
use crate::mail::templates::Rendered;
use crate::tenancy::sender::{Signature, neutral_sender};
use crate::time::local_to_utc;
use crate::web::i18n::Lang;

/// Reminders are sent at this local time on their day (outside every service's quiet hours
/// unless a service sets them over the working day).
const SEND_AT_HOUR: u32 = 9;

/// `SEND_AT_HOUR` on `day` in `tz`, as UTC.
pub fn send_time(day: NaiveDate, tz: chrono_tz::Tz) -> chrono::DateTime<chrono::Utc> {
    local_to_utc(
        day,
        NaiveTime::from_hms_opt(SEND_AT_HOUR, 0, 0).unwrap_or_default(),
        tz,
    )
}

/// The subject of every reminder about a case: changes to the case replace or cancel them.
pub fn subject(case_id: Uuid) -> Subject {
    Subject {
        kind: SUBJECT_KIND,
        id: case_id,
    }
}

/// The kind of subject a case's jobs are about.
pub const SUBJECT_KIND: &str = "case";

/// Replaces the case's pending review reminder with one due `map_review_months` after
/// `revised_on`, in the caller's transaction.
pub fn schedule_review(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
    revised_on: NaiveDate,
    clock: &TenantClock,
) -> QueryResult<()> {
    let due_at = send_time(review_due_on(revised_on, clock.review_months), clock.tz);
    jobs::replace_for_subject(
        conn,
        tenant,
        subject(case_id),
        &[MapReview::KIND],
        &[NewJob::new(
            &MapReview { case_id },
            due_at,
            Some(subject(case_id)),
        )],
    )?;
    Ok(())
}

/// Cancels the case's pending review reminder (the case was closed).
pub fn cancel_review(conn: &mut PgConnection, tenant: TenantId, case_id: Uuid) -> QueryResult<()> {
    jobs::replace_for_subject(conn, tenant, subject(case_id), &[MapReview::KIND], &[])?;
    Ok(())
}

/// A case's network map is due for review: a neutral reminder to the staff assigned to it. One
/// pending row per case, replaced each time a revision is saved.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct MapReview {
    pub case_id: Uuid,
}

impl Job for MapReview {
    const KIND: &'static str = "map_review";
    const RESPECTS_QUIET_HOURS: bool = true;

    fn run(&self, ctx: &JobContext, conn: &mut PgConnection, row: &JobRow) -> Result<(), JobError> {
        notify_assigned(
            ctx,
            conn,
            row,
            self.case_id,
            crate::mail::templates::map_review,
        )
    }
}

/// Executes a reminder about case `case_id`: emails each active staff member
/// assigned to the case now the message `render` makes in their language, with a link to the
/// case. It is signed like a council's invitations ([`neutral_sender`]): a work inbox is read over
/// shoulders too, so not even the sender's name says child welfare. A case that is gone or closed
/// needs no reminder, and the job is done.
///
/// One row covers every recipient, so a retry after a partial failure sends again to those
/// already reached; their copy carries the same Message-ID, so mail systems can recognise it.
pub fn notify_assigned(
    ctx: &JobContext,
    conn: &mut PgConnection,
    row: &JobRow,
    case_id: Uuid,
    render: fn(Lang, &str, &str) -> Rendered,
) -> Result<(), JobError> {
    let phase: Option<String> = cases::table
        .filter(cases::tenant_id.eq(row.tenant_id))
        .filter(cases::id.eq(case_id))
        .select(cases::phase)
        .first(conn)
        .optional()?;
    match phase.as_deref().map(Phase::parse) {
        Some(Ok(phase)) if phase != Phase::Closed => {}
        _ => return Ok(()),
    }
    let recipients: Vec<(Uuid, String, String)> = case_assignments::table
        .inner_join(
            users::table.on(users::tenant_id
                .eq(case_assignments::tenant_id)
                .and(users::id.eq(case_assignments::user_id))),
        )
        .filter(case_assignments::tenant_id.eq(row.tenant_id))
        .filter(case_assignments::case_id.eq(case_id))
        .filter(users::active)
        .select((users::id, users::email, users::lang))
        .order(users::id)
        .load(conn)?;
    let Signature {
        sender, reply_to, ..
    } = neutral_sender(conn)?;
    let link = format!("{}/cases/{case_id}", ctx.settings.base_url());
    for (user_id, email, lang) in recipients {
        let Ok(to) = Email::parse(&email) else {
            continue;
        };
        let content = render(Lang::parse(&lang).unwrap_or_default(), &sender, &link);
        ctx.mailer.send(&OutgoingEmail {
            to,
            sender_name: sender.clone(),
            reply_to: reply_to.clone(),
            subject: content.subject,
            text: content.text,
            html: content.html,
            message_id: ctx
                .mailer
                .message_id_for(crate::mail::per_recipient(row.id, user_id)),
            calendar: None,
        })?;
    }
    Ok(())
}
