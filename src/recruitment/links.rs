//! The candidate homes' own links (`/r/{token}`) and the jobs that send them: the link to
//! answer, the link to the self-information form, and the form's reminders. Every message is
//! neutral (no child's name, nothing that reveals child welfare); the link page says the rest.

use chrono::{Duration, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::queries;
use super::rules;
use crate::db::TenantId;
use crate::db::schema::recruitment_candidate_persons;
use crate::fields::Email;
use crate::jobs::worker::{JobContext, JobError, JobRow};
use crate::jobs::{self, Job, NewJob, Subject};
use crate::mail::OutgoingEmail;
use crate::mail::templates::CandidateMail;
use crate::tenancy::sender::{Signature, neutral_sender};
use crate::tokens::{CandidateLink, LinkToken};
use crate::web::problem::AppError;

/// What a candidate's jobs are about.
pub fn subject(candidate: Uuid) -> Subject {
    Subject {
        kind: "recruitment_candidate",
        id: candidate,
    }
}

/// Sends a candidate home one of its messages, now.
pub fn send_now(
    conn: &mut PgConnection,
    tenant: TenantId,
    candidate: Uuid,
    which: Which,
) -> Result<(), AppError> {
    jobs::schedule(
        conn,
        tenant,
        &NewJob::new(
            &CandidateMessage { candidate, which },
            Utc::now(),
            Some(subject(candidate)),
        ),
    )?;
    Ok(())
}

/// Schedules the form's next reminder, `days` from now.
pub fn schedule_reminder(
    conn: &mut PgConnection,
    tenant: TenantId,
    candidate: Uuid,
    days: u32,
) -> Result<(), AppError> {
    jobs::replace_for_subject(
        conn,
        tenant,
        subject(candidate),
        &[SelfInformationReminder::KIND],
        &[NewJob::new(
            &SelfInformationReminder { candidate },
            Utc::now() + Duration::days(i64::from(days)),
            Some(subject(candidate)),
        )],
    )?;
    Ok(())
}

/// Cancels the form's pending reminders (it was submitted).
pub fn cancel_reminders(
    conn: &mut PgConnection,
    tenant: TenantId,
    candidate: Uuid,
) -> Result<(), AppError> {
    jobs::replace_for_subject(
        conn,
        tenant,
        subject(candidate),
        &[SelfInformationReminder::KIND],
        &[],
    )?;
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Which {
    Ask,
    Form,
}

/// The link to answer, or to the form, to each person of the home with an address.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CandidateMessage {
    pub candidate: Uuid,
    pub which: Which,
}

impl Job for CandidateMessage {
    const KIND: &'static str = "recruitment_candidate_message";
    const RESPECTS_QUIET_HOURS: bool = true;

    fn run(&self, ctx: &JobContext, conn: &mut PgConnection, row: &JobRow) -> Result<(), JobError> {
        let which = match self.which {
            Which::Ask => CandidateMail::Ask,
            Which::Form => CandidateMail::Form,
        };
        send(ctx, conn, row, self.candidate, which)
    }
}

/// The self-information form is not submitted: a reminder, then the next one, at most as often as
/// the service's setting says.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SelfInformationReminder {
    pub candidate: Uuid,
}

impl Job for SelfInformationReminder {
    const KIND: &'static str = "self_information_reminder";
    const RESPECTS_QUIET_HOURS: bool = true;

    fn run(&self, ctx: &JobContext, conn: &mut PgConnection, row: &JobRow) -> Result<(), JobError> {
        let Some(form) = queries::form(conn, self.candidate, true).map_err(job_error)? else {
            return Ok(());
        };
        let (days, max) = crate::tenancy::settings::self_information_reminders(conn)?;
        let sent = u32::try_from(form.reminders_sent).unwrap_or(u32::MAX);
        if !rules::reminder_due(form.submitted_at.is_some(), sent, max) {
            return Ok(());
        }
        send(ctx, conn, row, self.candidate, CandidateMail::Reminder)?;
        queries::count_reminder(conn, self.candidate).map_err(job_error)?;
        if rules::reminder_due(false, sent + 1, max) {
            jobs::schedule(
                conn,
                TenantId(row.tenant_id),
                &NewJob::new(
                    self,
                    Utc::now() + Duration::days(i64::from(days)),
                    Some(subject(self.candidate)),
                ),
            )?;
        }
        Ok(())
    }
}

fn job_error(e: AppError) -> JobError {
    match e {
        AppError::Internal(e) => JobError::Retry(e),
        other => JobError::Permanent(other.to_string()),
    }
}

fn send(
    ctx: &JobContext,
    conn: &mut PgConnection,
    row: &JobRow,
    candidate: Uuid,
    which: CandidateMail,
) -> Result<(), JobError> {
    let persons: Vec<Uuid> = recruitment_candidate_persons::table
        .filter(recruitment_candidate_persons::candidate_id.eq(candidate))
        .select(recruitment_candidate_persons::person_id)
        .load(conn)?;
    let recipients = crate::cases::queries::emails_of(conn, &persons)?;
    let Signature {
        sender,
        reply_to,
        lang,
        ..
    } = neutral_sender(conn)?;
    let token = LinkToken::<CandidateLink>::derive(&ctx.settings.token_key(), candidate);
    let link = format!("{}/r/{}", ctx.settings.base_url(), token.as_str());
    let content = crate::mail::templates::candidate(lang, which, &sender, &link);
    for (person, email) in recipients {
        let Some(Ok(to)) = email.as_deref().map(Email::parse) else {
            continue;
        };
        ctx.mailer.send(&OutgoingEmail {
            to,
            sender_name: sender.clone(),
            reply_to: reply_to.clone(),
            subject: content.subject.clone(),
            text: content.text.clone(),
            html: content.html.clone(),
            message_id: ctx
                .mailer
                .message_id_for(crate::mail::per_recipient(row.id, person)),
            calendar: None,
        })?;
    }
    Ok(())
}
