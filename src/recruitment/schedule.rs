//! The jobs that keep a recruitment moving for its staff: the foster care officer is reminded
//! when a home's interviews are not recorded `interview_reminder_days` after its
//! self-information form was submitted, and the caseworker is told when the decision is not made
//! `decision_overdue_days` after matching. Each is scheduled in the transaction of the step it
//! waits on and checks again when due, so a step recorded in time sends nothing. The emails are
//! neutral; the page behind the sign-in says which case and home.

use chrono::{Duration, Utc};
use diesel::PgConnection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::links::subject;
use super::queries;
use super::rules::CandidateFacts;
use crate::access::Role;
use crate::db::TenantId;
use crate::fields::Email;
use crate::jobs::worker::{JobContext, JobError, JobRow};
use crate::jobs::{self, Job, NewJob};
use crate::mail::OutgoingEmail;
use crate::mail::templates::{RecruitmentStaffMail, recruitment_staff};
use crate::tenancy::sender::{Signature, neutral_sender};
use crate::tenancy::settings::ServiceSettings;
use crate::web::problem::AppError;

/// Schedules the interview reminder of `candidate`, whose form was just submitted.
pub fn after_submission(
    conn: &mut PgConnection,
    tenant: TenantId,
    candidate: Uuid,
) -> Result<(), AppError> {
    let days = ServiceSettings::load(conn)?.interview_reminder_days;
    jobs::replace_for_subject(
        conn,
        tenant,
        subject(candidate),
        &[InterviewReminder::KIND],
        &[NewJob::new(
            &InterviewReminder { candidate },
            Utc::now() + Duration::days(i64::from(days)),
            Some(subject(candidate)),
        )],
    )?;
    Ok(())
}

/// Schedules the decision's deadline for `candidate`, just matched.
pub fn after_matching(
    conn: &mut PgConnection,
    tenant: TenantId,
    candidate: Uuid,
) -> Result<(), AppError> {
    let days = ServiceSettings::load(conn)?.decision_overdue_days;
    jobs::replace_for_subject(
        conn,
        tenant,
        subject(candidate),
        &[DecisionOverdue::KIND],
        &[NewJob::new(
            &DecisionOverdue { candidate },
            Utc::now() + Duration::days(i64::from(days)),
            Some(subject(candidate)),
        )],
    )?;
    Ok(())
}

/// The interviews of a home that submitted its form are not recorded: to the foster care
/// officers assigned to the case.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InterviewReminder {
    pub candidate: Uuid,
}

impl Job for InterviewReminder {
    const KIND: &'static str = "recruitment_interview_reminder";
    const RESPECTS_QUIET_HOURS: bool = true;

    fn run(&self, ctx: &JobContext, conn: &mut PgConnection, row: &JobRow) -> Result<(), JobError> {
        let Some((case, recruitment, me)) = home(conn, self.candidate)? else {
            return Ok(());
        };
        if me.interviewed || me.decision.is_some() {
            return Ok(());
        }
        let to = [Role::FosterCare];
        send(
            ctx,
            conn,
            row,
            (case, recruitment),
            &to,
            RecruitmentStaffMail::InterviewsDue,
        )
    }
}

/// A matched home has no decision: to the caseworkers assigned to the case.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DecisionOverdue {
    pub candidate: Uuid,
}

impl Job for DecisionOverdue {
    const KIND: &'static str = "recruitment_decision_overdue";
    const RESPECTS_QUIET_HOURS: bool = true;

    fn run(&self, ctx: &JobContext, conn: &mut PgConnection, row: &JobRow) -> Result<(), JobError> {
        let Some((case, recruitment, me)) = home(conn, self.candidate)? else {
            return Ok(());
        };
        if me.decision.is_some() {
            return Ok(());
        }
        let to = [Role::Caseworker];
        send(
            ctx,
            conn,
            row,
            (case, recruitment),
            &to,
            RecruitmentStaffMail::DecisionOverdue,
        )
    }
}

fn job_error(e: AppError) -> JobError {
    match e {
        AppError::Internal(e) => JobError::Retry(e),
        other => JobError::Permanent(other.to_string()),
    }
}

/// The case, the recruitment and what the rules know of the home; none when it is gone or the
/// recruitment is over.
fn home(
    conn: &mut PgConnection,
    candidate: Uuid,
) -> Result<Option<(Uuid, Uuid, CandidateFacts)>, JobError> {
    let Some(row) = queries::candidate(conn, candidate, false).map_err(job_error)? else {
        return Ok(None);
    };
    let (facts, _, _) = queries::facts(conn, row.recruitment_id).map_err(job_error)?;
    if facts.is_done(super::domain::Step::Intake) {
        return Ok(None);
    }
    Ok(facts
        .candidates
        .into_iter()
        .find(|c| c.id == candidate)
        .map(|me| (row.case_id, row.recruitment_id, me)))
}

fn send(
    ctx: &JobContext,
    conn: &mut PgConnection,
    row: &JobRow,
    (case, recruitment): (Uuid, Uuid),
    roles: &[Role],
    which: RecruitmentStaffMail,
) -> Result<(), JobError> {
    let tenant = TenantId(row.tenant_id);
    let staff = crate::cases::queries::assigned_staff(conn, tenant, case).map_err(job_error)?;
    let Signature {
        sender, reply_to, ..
    } = neutral_sender(conn)?;
    let link = format!(
        "{}/cases/{case}/recruitments/{recruitment}",
        ctx.settings.base_url()
    );
    for member in staff
        .iter()
        .filter(|s| roles.iter().any(|r| r.as_str() == s.role))
    {
        let Some(contact) = crate::access::staff::contact(conn, member.user_id)? else {
            continue;
        };
        if !contact.active {
            continue;
        }
        let Ok(to) = Email::parse(&contact.email) else {
            continue;
        };
        let content = recruitment_staff(contact.lang, which, &sender, &link);
        ctx.mailer.send(&OutgoingEmail {
            to,
            sender_name: sender.clone(),
            reply_to: reply_to.clone(),
            subject: content.subject,
            text: content.text,
            html: content.html,
            message_id: ctx
                .mailer
                .message_id_for(crate::mail::per_recipient(row.id, member.user_id)),
            calendar: None,
        })?;
    }
    Ok(())
}
