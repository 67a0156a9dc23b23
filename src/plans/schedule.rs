//! The plan's jobs: written in the same transaction as the change that causes them, replaced when
//! a date moves, cancelled when the plan closes — and the executors that send them.
//!
//! - `plan_confirmation`: a network council's plan awaits someone's approval (their link).
//! - `plan_changed`: the coordinator took the plan back to draft; someone who had approved it
//!   hears that it changed (their link).
//! - `commitment_due` / `commitment_overdue`: before and after a commitment's due date, to the
//!   person (a participant through their link, a staff member to sign in) — to the coordinator
//!   instead when the commitment was still unconfirmed when approval was closed.
//! - `follow_up_opens`: `follow_up_weeks_ahead` weeks before the evaluation date, opens the
//!   follow-up the network chose — a new council of the same kind with the team and the plan
//!   carried over, or a follow-up meeting of the council, either proposed for the evaluation date
//!   — and tells the coordinator.
//! - `evaluation_due`: at the evaluation date, opens the follow-up if it is not open yet (the
//!   caseworker's review opens then) and tells the coordinator.
//! - `evaluation_undocumented`: some days after a follow-up took place without an evaluation
//!   record, to the coordinator.
//!
//! Someone on the team reached by SMS gets each of their messages by SMS too ([`super::texts`]):
//! the email's job schedules it as it runs.
//!
//! Every email is neutral: no child's name, no word revealing child welfare, the details behind
//! the link.

use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::domain::{CommitmentStatus, EvaluationWay, PlanStatus};
use super::queries::{self, PlanSettings};
use crate::councils::invitations::{link_url, token_for};
use crate::db::TenantId;
use crate::db::schema::{plan_approvals, plan_commitments, plan_follow_ups};
use crate::fields::Email;
use crate::jobs::worker::{JobContext, JobError, JobRow};
use crate::jobs::{self, Job, NewJob, Subject};
use crate::mail::OutgoingEmail;
use crate::mail::templates::{self, PlanMail};
use crate::tenancy::sender::{Signature, neutral_sender};
use crate::time::local_to_utc;
use crate::web::i18n::Lang;
use crate::web::problem::AppError;

/// Plan messages leave at this local time on their day.
const SEND_AT_HOUR: u32 = 9;

fn plan_subject(id: Uuid) -> Subject {
    Subject { kind: "plan", id }
}

const COMMITMENT: &str = "commitment";

fn commitment_subject(id: Uuid) -> Subject {
    Subject {
        kind: COMMITMENT,
        id,
    }
}

fn follow_up_subject(id: Uuid) -> Subject {
    Subject {
        kind: "follow_up",
        id,
    }
}

/// `day` at the sending hour in the service's zone, as UTC; now if that has passed.
fn on_day(day: NaiveDate, ps: &PlanSettings) -> DateTime<Utc> {
    local_to_utc(
        day,
        NaiveTime::from_hms_opt(SEND_AT_HOUR, 0, 0).unwrap_or_default(),
        ps.tz,
    )
    .max(ps.now)
}

/// Asks a participant to confirm their commitments in `version` of the plan.
pub fn confirmation_request(
    conn: &mut PgConnection,
    tenant: TenantId,
    plan: Uuid,
    participant: Uuid,
    version: i32,
    now: DateTime<Utc>,
) -> QueryResult<Uuid> {
    jobs::schedule(
        conn,
        tenant,
        &NewJob::new(
            &PlanConfirmation {
                plan_id: plan,
                participant_id: participant,
                version,
            },
            now,
            Some(plan_subject(plan)),
        ),
    )
}

/// Tells a participant who had approved `version - 1` that the plan was taken back to change it.
pub fn plan_changed(
    conn: &mut PgConnection,
    tenant: TenantId,
    plan: Uuid,
    participant: Uuid,
    version: i32,
    now: DateTime<Utc>,
) -> QueryResult<Uuid> {
    jobs::schedule(
        conn,
        tenant,
        &NewJob::new(
            &PlanChanged {
                plan_id: plan,
                participant_id: participant,
                version,
            },
            now,
            Some(plan_subject(plan)),
        ),
    )
}

/// The participants whose request to approve `version` of `plan` the quiet hours hold back,
/// with when it goes out.
pub(super) fn requests_held(
    conn: &mut PgConnection,
    plan: Uuid,
    version: i32,
    ps: &PlanSettings,
) -> QueryResult<HashMap<Uuid, DateTime<Utc>>> {
    let subject = plan_subject(plan);
    let waiting = jobs::waiting(
        conn,
        (subject.kind, &[subject.id]),
        &[PlanConfirmation::KIND],
        (ps.tz, ps.quiet_hours),
        ps.now,
    )?;
    Ok(waiting
        .into_iter()
        .filter(|(_, w)| w.held)
        .filter_map(|(_, w)| {
            let request: PlanConfirmation = serde_json::from_value(w.payload).ok()?;
            (request.version == version).then_some((request.participant_id, w.leaves_at))
        })
        .collect())
}

/// When the next reminder of each of `commitments` goes out (the quiet hours applied): the
/// first of its waiting reminders, as [`jobs::waiting`] gives them oldest due first and the
/// quiet hours never put a later one before an earlier.
pub(super) fn next_reminders(
    conn: &mut PgConnection,
    commitments: &[Uuid],
    ps: &PlanSettings,
) -> QueryResult<HashMap<Uuid, DateTime<Utc>>> {
    let mut next = HashMap::new();
    for (commitment, w) in jobs::waiting(
        conn,
        (COMMITMENT, commitments),
        &[CommitmentDue::KIND, CommitmentOverdue::KIND],
        (ps.tz, ps.quiet_hours),
        ps.now,
    )? {
        next.entry(commitment).or_insert(w.leaves_at);
    }
    Ok(next)
}

/// Replaces a commitment's reminders: `commitment_notice_days` before `due_on` (if still ahead)
/// and the day after it.
pub fn commitment(
    conn: &mut PgConnection,
    tenant: TenantId,
    commitment: Uuid,
    due_on: NaiveDate,
    ps: &PlanSettings,
) -> QueryResult<usize> {
    let mut jobs_now = Vec::new();
    let notice_day = due_on
        .checked_sub_days(Days::new(u64::from(ps.notice_days)))
        .unwrap_or(due_on);
    if due_on >= ps.today {
        jobs_now.push(NewJob::new(
            &CommitmentDue {
                commitment_id: commitment,
                due_on,
            },
            on_day(notice_day, ps),
            Some(commitment_subject(commitment)),
        ));
    }
    let overdue_day = due_on.checked_add_days(Days::new(1)).unwrap_or(due_on);
    jobs_now.push(NewJob::new(
        &CommitmentOverdue {
            commitment_id: commitment,
            due_on,
        },
        on_day(overdue_day, ps),
        Some(commitment_subject(commitment)),
    ));
    jobs::replace_for_subject(
        conn,
        tenant,
        commitment_subject(commitment),
        &[CommitmentDue::KIND, CommitmentOverdue::KIND],
        &jobs_now,
    )
}

pub fn cancel_commitment(
    conn: &mut PgConnection,
    tenant: TenantId,
    commitment: Uuid,
) -> QueryResult<usize> {
    jobs::replace_for_subject(
        conn,
        tenant,
        commitment_subject(commitment),
        &[
            CommitmentDue::KIND,
            CommitmentOverdue::KIND,
            super::texts::PlanSms::KIND,
        ],
        &[],
    )
}

/// The day the follow-up of an evaluation on `on` opens: `weeks_ahead` weeks before.
pub fn opening_day(on: NaiveDate, weeks_ahead: u32) -> NaiveDate {
    on.checked_sub_days(Days::new(7 * u64::from(weeks_ahead)))
        .unwrap_or(on)
}

/// Replaces the plan's evaluation jobs with those of an evaluation on `on`: the follow-up opens
/// `weeks_ahead` weeks before (now, if that day has passed), the evaluation falls due on the day.
pub fn evaluation_due(
    conn: &mut PgConnection,
    tenant: TenantId,
    plan: Uuid,
    on: NaiveDate,
    ps: &PlanSettings,
) -> QueryResult<usize> {
    jobs::replace_for_subject(
        conn,
        tenant,
        plan_subject(plan),
        &[EvaluationDue::KIND, FollowUpOpens::KIND],
        &[
            NewJob::new(
                &FollowUpOpens {
                    plan_id: plan,
                    evaluation_on: on,
                },
                on_day(opening_day(on, ps.weeks_ahead), ps),
                Some(plan_subject(plan)),
            ),
            NewJob::new(
                &EvaluationDue {
                    plan_id: plan,
                    evaluation_on: on,
                },
                on_day(on, ps),
                Some(plan_subject(plan)),
            ),
        ],
    )
}

pub fn cancel_evaluation_due(
    conn: &mut PgConnection,
    tenant: TenantId,
    plan: Uuid,
) -> QueryResult<usize> {
    jobs::replace_for_subject(
        conn,
        tenant,
        plan_subject(plan),
        &[EvaluationDue::KIND, FollowUpOpens::KIND],
        &[],
    )
}

/// Replaces the follow-up's chase: `evaluation_undocumented_days` after it was held.
pub fn undocumented(
    conn: &mut PgConnection,
    tenant: TenantId,
    plan: Uuid,
    follow_up: Uuid,
    held_on: NaiveDate,
    ps: &PlanSettings,
) -> QueryResult<usize> {
    let day = held_on
        .checked_add_days(Days::new(u64::from(ps.undocumented_days)))
        .unwrap_or(held_on);
    jobs::replace_for_subject(
        conn,
        tenant,
        follow_up_subject(follow_up),
        &[EvaluationUndocumented::KIND],
        &[NewJob::new(
            &EvaluationUndocumented {
                plan_id: plan,
                follow_up_id: follow_up,
            },
            on_day(day, ps),
            Some(follow_up_subject(follow_up)),
        )],
    )
}

pub fn cancel_undocumented(
    conn: &mut PgConnection,
    tenant: TenantId,
    follow_up: Uuid,
) -> QueryResult<usize> {
    jobs::replace_for_subject(
        conn,
        tenant,
        follow_up_subject(follow_up),
        &[EvaluationUndocumented::KIND],
        &[],
    )
}

/// Cancels every pending job of a closed plan: its confirmations, its evaluation, its
/// commitments' reminders and its follow-ups' chases.
pub fn cancel_all(conn: &mut PgConnection, tenant: TenantId, plan: Uuid) -> QueryResult<()> {
    jobs::replace_for_subject(
        conn,
        tenant,
        plan_subject(plan),
        &[
            PlanConfirmation::KIND,
            EvaluationDue::KIND,
            FollowUpOpens::KIND,
            super::texts::PlanSms::KIND,
        ],
        &[],
    )?;
    let commitments: Vec<Uuid> = plan_commitments::table
        .filter(plan_commitments::plan_id.eq(plan))
        .select(plan_commitments::id)
        .load(conn)?;
    for c in commitments {
        cancel_commitment(conn, tenant, c)?;
    }
    let follow_ups: Vec<Uuid> = plan_follow_ups::table
        .filter(plan_follow_ups::plan_id.eq(plan))
        .select(plan_follow_ups::id)
        .load(conn)?;
    for f in follow_ups {
        cancel_undocumented(conn, tenant, f)?;
    }
    Ok(())
}

// ------------------------------------------------------------------------------------------
// The executors.

/// A network council's plan awaits a participant's confirmation: an email with their link.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlanConfirmation {
    pub plan_id: Uuid,
    pub participant_id: Uuid,
    pub version: i32,
}

impl Job for PlanConfirmation {
    const KIND: &'static str = "plan_confirmation";
    const RESPECTS_QUIET_HOURS: bool = true;

    /// The participant hears that the plan awaits their confirmation, with their link — unless
    /// the plan moved on or they confirmed meanwhile.
    fn run(&self, ctx: &JobContext, conn: &mut PgConnection, row: &JobRow) -> Result<(), JobError> {
        deliver(ctx, conn, row, PlanMessage::Confirmation(self.clone()))
    }
}

/// The plan someone approved was taken back to draft: an email with their link, saying only
/// that it changed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlanChanged {
    pub plan_id: Uuid,
    pub participant_id: Uuid,
    pub version: i32,
}

impl Job for PlanChanged {
    const KIND: &'static str = "plan_changed";
    const RESPECTS_QUIET_HOURS: bool = true;

    fn run(&self, ctx: &JobContext, conn: &mut PgConnection, row: &JobRow) -> Result<(), JobError> {
        deliver(ctx, conn, row, PlanMessage::Changed(self.clone()))
    }
}

/// `commitment_notice_days` before a commitment's due date, to the person who committed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommitmentDue {
    pub commitment_id: Uuid,
    pub due_on: NaiveDate,
}

impl Job for CommitmentDue {
    const KIND: &'static str = "commitment_due";
    const RESPECTS_QUIET_HOURS: bool = true;

    fn run(&self, ctx: &JobContext, conn: &mut PgConnection, row: &JobRow) -> Result<(), JobError> {
        deliver(ctx, conn, row, PlanMessage::CommitmentDue(self.clone()))
    }
}

/// The day after a commitment's due date, if it is not done.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommitmentOverdue {
    pub commitment_id: Uuid,
    pub due_on: NaiveDate,
}

impl Job for CommitmentOverdue {
    const KIND: &'static str = "commitment_overdue";
    const RESPECTS_QUIET_HOURS: bool = true;

    fn run(&self, ctx: &JobContext, conn: &mut PgConnection, row: &JobRow) -> Result<(), JobError> {
        deliver(ctx, conn, row, PlanMessage::CommitmentOverdue(self.clone()))
    }
}

/// At a plan's evaluation date: opens the follow-up the network chose and tells the coordinator.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvaluationDue {
    pub plan_id: Uuid,
    pub evaluation_on: NaiveDate,
}

impl Job for EvaluationDue {
    const KIND: &'static str = "evaluation_due";
    const RESPECTS_QUIET_HOURS: bool = true;

    /// Opens the follow-up the network chose as a draft and tells the coordinator. A plan whose
    /// evaluation date moved, or that is closed, waits for its own job.
    fn run(&self, ctx: &JobContext, conn: &mut PgConnection, row: &JobRow) -> Result<(), JobError> {
        send_evaluation_due(ctx, conn, row, self.plan_id, self.evaluation_on)
    }
}

/// `follow_up_weeks_ahead` weeks before a plan's evaluation date: opens the follow-up the network
/// chose, its meeting proposed for the evaluation date, and tells the coordinator.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FollowUpOpens {
    pub plan_id: Uuid,
    pub evaluation_on: NaiveDate,
}

impl Job for FollowUpOpens {
    const KIND: &'static str = "follow_up_opens";
    const RESPECTS_QUIET_HOURS: bool = true;

    /// Opens the follow-up ahead (a new council with the team and the plan, or a follow-up
    /// meeting) and tells the coordinator; a caseworker's review waits for the date itself. A
    /// plan whose evaluation date moved, or that is closed, waits for its own job.
    fn run(&self, ctx: &JobContext, conn: &mut PgConnection, row: &JobRow) -> Result<(), JobError> {
        send_follow_up_opened(ctx, conn, row, self.plan_id, self.evaluation_on)
    }
}

/// `evaluation_undocumented_days` after a follow-up took place with no evaluation recorded, to
/// the coordinator.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvaluationUndocumented {
    pub plan_id: Uuid,
    pub follow_up_id: Uuid,
}

impl Job for EvaluationUndocumented {
    const KIND: &'static str = "evaluation_undocumented";
    const RESPECTS_QUIET_HOURS: bool = true;

    fn run(&self, ctx: &JobContext, conn: &mut PgConnection, row: &JobRow) -> Result<(), JobError> {
        send_undocumented(ctx, conn, row, self.plan_id, self.follow_up_id)
    }
}

fn app_error(e: AppError) -> JobError {
    JobError::Retry(e.to_string())
}

/// The open plan `id`: none when it is gone or closed (then nothing is sent).
fn open_plan(conn: &mut PgConnection, id: Uuid) -> Result<Option<queries::Plan>, JobError> {
    Ok(queries::plan_by_id(conn, id)
        .map_err(app_error)?
        .filter(|p| p.status != PlanStatus::Closed))
}

struct Mail<'a> {
    ctx: &'a JobContext,
    to: &'a str,
    /// The reader's own language (a staff member's, a participant's); `None` for the service's
    /// written standard.
    lang: Option<Lang>,
    kind: PlanMail,
    day: Option<NaiveDate>,
    link: &'a str,
    message: Uuid,
}

fn send(conn: &mut PgConnection, mail: Mail<'_>) -> Result<(), JobError> {
    let Signature {
        sender,
        reply_to,
        lang,
        ..
    } = neutral_sender(conn)?;
    let to = Email::parse(mail.to).map_err(|m| JobError::Permanent(m.into()))?;
    let lang = mail.lang.unwrap_or(lang);
    let content = templates::plan(lang, mail.kind, &sender, mail.day, mail.link);
    mail.ctx.mailer.send(&OutgoingEmail {
        to,
        sender_name: sender,
        reply_to,
        subject: content.subject,
        text: content.text,
        html: content.html,
        message_id: mail.ctx.mailer.message_id_for(mail.message),
        calendar: None,
    })?;
    Ok(())
}

/// A message of the plan to someone on the team or a staff member, as the job that sends it by
/// email (and starts its SMS) carries it; an SMS job ([`super::texts::PlanSms`]) carries the same
/// and asks the same question before it sends: is there still something to say, and to whom?
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "message", rename_all = "snake_case")]
pub enum PlanMessage {
    Confirmation(PlanConfirmation),
    Changed(PlanChanged),
    CommitmentDue(CommitmentDue),
    CommitmentOverdue(CommitmentOverdue),
}

/// Who hears of a plan message, by which ways, with what link.
pub(super) struct Recipient {
    /// Their address, when email is how they are reached (or wanted too).
    pub email: Option<String>,
    /// The participant and their number, when SMS is how they are reached.
    pub sms: Option<(Uuid, String)>,
    /// Their own answer page, or the plan's page for a staff member.
    pub link: String,
    /// Their own language; `None` for the service's written standard.
    pub lang: Option<Lang>,
    pub kind: PlanMail,
    /// The due date a commitment's reminder names.
    pub day: Option<NaiveDate>,
}

impl PlanMessage {
    /// Who is to hear of it now — none when it has nothing left to say (the plan moved on, the
    /// commitment is done, the person confirmed, was taken off the team or has no live link).
    pub(super) fn recipient(
        &self,
        ctx: &JobContext,
        conn: &mut PgConnection,
    ) -> Result<Option<Recipient>, JobError> {
        match self {
            Self::Confirmation(job) => confirmation_recipient(ctx, conn, job),
            Self::Changed(job) => changed_recipient(ctx, conn, job),
            Self::CommitmentDue(job) => {
                commitment_recipient(ctx, conn, job.commitment_id, job.due_on, false)
            }
            Self::CommitmentOverdue(job) => {
                commitment_recipient(ctx, conn, job.commitment_id, job.due_on, true)
            }
        }
    }

    /// The kind of the job that sends it by email, kept with its SMS.
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Self::Confirmation(_) => PlanConfirmation::KIND,
            Self::Changed(_) => PlanChanged::KIND,
            Self::CommitmentDue(_) => CommitmentDue::KIND,
            Self::CommitmentOverdue(_) => CommitmentOverdue::KIND,
        }
    }

    /// What it is about: its plan, or its commitment.
    pub(super) fn subject(&self) -> Subject {
        match self {
            Self::Confirmation(job) => plan_subject(job.plan_id),
            Self::Changed(job) => plan_subject(job.plan_id),
            Self::CommitmentDue(job) => commitment_subject(job.commitment_id),
            Self::CommitmentOverdue(job) => commitment_subject(job.commitment_id),
        }
    }
}

/// Runs a plan message's job: its SMS is scheduled, in this job's transaction, for someone
/// reached by SMS — a job of its own, so a gateway that fails retries the SMS without sending
/// the email again — and the email goes to someone reached by email.
fn deliver(
    ctx: &JobContext,
    conn: &mut PgConnection,
    row: &JobRow,
    message: PlanMessage,
) -> Result<(), JobError> {
    let Some(recipient) = message.recipient(ctx, conn)? else {
        return Ok(());
    };
    if recipient.sms.is_some() {
        let subject = message.subject();
        jobs::schedule(
            conn,
            TenantId(row.tenant_id),
            &NewJob::new(
                &super::texts::PlanSms { message },
                chrono::Utc::now(),
                Some(subject),
            ),
        )?;
    }
    let Some(to) = recipient.email else {
        return Ok(());
    };
    send(
        conn,
        Mail {
            ctx,
            to: &to,
            lang: recipient.lang,
            kind: recipient.kind,
            day: recipient.day,
            link: &recipient.link,
            message: row.id,
        },
    )
}

/// How a participant is reached by the plan's messages to them: their live link, and the ways
/// they are reached — none when they have no live link or neither an address nor a number.
fn participant_reach(
    ctx: &JobContext,
    conn: &mut PgConnection,
    participant: Uuid,
    kind: PlanMail,
    day: Option<NaiveDate>,
) -> Result<Option<Recipient>, JobError> {
    let member = crate::councils::queries::team_member(conn, participant)?;
    let Some(member) = member.filter(|m| !m.removed) else {
        return Ok(None);
    };
    if member.email.is_none() && member.sms.is_none() {
        return Ok(None);
    }
    let Some(invitation) = crate::councils::invitations::live_link(conn, participant)? else {
        return Ok(None);
    };
    Ok(Some(Recipient {
        email: member.email,
        sms: member.sms.map(|number| (participant, number)),
        link: link_url(&ctx.settings, &token_for(&ctx.settings, invitation)),
        lang: member.language,
        kind,
        day,
    }))
}

/// A staff member hears of it by email, on the plan's page.
fn staff_recipient(
    to: String,
    lang: Lang,
    link: String,
    kind: PlanMail,
    day: Option<NaiveDate>,
) -> Recipient {
    Recipient {
        email: Some(to),
        sms: None,
        link,
        lang: Some(lang),
        kind,
        day,
    }
}

/// An active staff member's address and language.
fn staff_address(conn: &mut PgConnection, user: Uuid) -> QueryResult<Option<(String, Lang)>> {
    Ok(crate::access::staff::contact(conn, user)?
        .filter(|c| c.active)
        .map(|c| (c.email, c.lang)))
}

fn plan_page(ctx: &JobContext, plan: &queries::Plan) -> String {
    format!(
        "{}/cases/{}/councils/{}/plan",
        ctx.settings.base_url(),
        plan.case_id,
        plan.council_id
    )
}

/// Who is asked to confirm, unless the plan moved on or they confirmed meanwhile.
fn confirmation_recipient(
    ctx: &JobContext,
    conn: &mut PgConnection,
    job: &PlanConfirmation,
) -> Result<Option<Recipient>, JobError> {
    let (plan_id, participant, version) = (job.plan_id, job.participant_id, job.version);
    let Some(plan) = open_plan(conn, plan_id)? else {
        return Ok(None);
    };
    if plan.status != PlanStatus::AwaitingApproval || plan.version != version {
        return Ok(None);
    }
    let confirmed: bool = diesel::select(diesel::dsl::exists(
        plan_approvals::table
            .filter(plan_approvals::plan_id.eq(plan_id))
            .filter(plan_approvals::version.eq(version))
            .filter(plan_approvals::participant_id.eq(participant)),
    ))
    .get_result(conn)?;
    if confirmed {
        return Ok(None);
    }
    participant_reach(ctx, conn, participant, PlanMail::ConfirmationRequest, None)
}

/// Who hears that the plan they approved was taken back, while it is open.
fn changed_recipient(
    ctx: &JobContext,
    conn: &mut PgConnection,
    job: &PlanChanged,
) -> Result<Option<Recipient>, JobError> {
    if open_plan(conn, job.plan_id)?.is_none() {
        return Ok(None);
    }
    participant_reach(ctx, conn, job.participant_id, PlanMail::PlanChanged, None)
}

/// Who hears of [`CommitmentDue`] and [`CommitmentOverdue`]: the person who committed, unless
/// the commitment is done, removed or moved meanwhile, or the plan is closed.
fn commitment_recipient(
    ctx: &JobContext,
    conn: &mut PgConnection,
    commitment: Uuid,
    due_on: NaiveDate,
    overdue: bool,
) -> Result<Option<Recipient>, JobError> {
    type Row = (
        Uuid,
        Option<Uuid>,
        Option<Uuid>,
        NaiveDate,
        String,
        Option<DateTime<Utc>>,
        bool,
    );
    let found: Option<Row> = plan_commitments::table
        .filter(plan_commitments::id.eq(commitment))
        .select((
            plan_commitments::plan_id,
            plan_commitments::participant_id,
            plan_commitments::user_id,
            plan_commitments::due_on,
            plan_commitments::status,
            plan_commitments::removed_at,
            plan_commitments::unconfirmed_at_closing,
        ))
        .first(conn)
        .optional()?;
    let Some((plan_id, participant, user, current_due, status, None, unconfirmed)) = found else {
        return Ok(None);
    };
    if current_due != due_on || status == CommitmentStatus::Done.as_str() {
        return Ok(None);
    }
    let Some(plan) = open_plan(conn, plan_id)? else {
        return Ok(None);
    };
    if plan.status != PlanStatus::Approved {
        return Ok(None);
    }
    let kind = if overdue {
        PlanMail::CommitmentOverdue
    } else {
        PlanMail::CommitmentDue
    };
    let day = Some(due_on);
    Ok(match (participant, user) {
        // Nobody agreed to it: the coordinator follows it up, not the person named.
        (Some(_), _) if unconfirmed => coordinator_of(conn, &plan)?
            .map(|(to, lang)| staff_recipient(to, lang, plan_page(ctx, &plan), kind, day)),
        (Some(p), _) => participant_reach(ctx, conn, p, kind, day)?,
        (None, Some(u)) => staff_address(conn, u)?
            .map(|(to, lang)| staff_recipient(to, lang, plan_page(ctx, &plan), kind, day)),
        (None, None) => None,
    })
}

/// The active coordinator's address and language, asked of councils.
fn coordinator_of(
    conn: &mut PgConnection,
    plan: &queries::Plan,
) -> Result<Option<(String, Lang)>, JobError> {
    let owner = crate::councils::queries::owner(conn, plan.council_id).map_err(app_error)?;
    Ok(staff_address(conn, owner.coordinator_id)?)
}

fn send_evaluation_due(
    ctx: &JobContext,
    conn: &mut PgConnection,
    row: &JobRow,
    plan_id: Uuid,
    on: NaiveDate,
) -> Result<(), JobError> {
    let Some(plan) = open_plan(conn, plan_id)? else {
        return Ok(());
    };
    if plan.status != PlanStatus::Approved || plan.evaluation_on != Some(on) {
        return Ok(());
    }
    queries::open_follow_up(conn, TenantId(row.tenant_id), &plan, Utc::now()).map_err(app_error)?;
    let Some((to, lang)) = coordinator_of(conn, &plan)? else {
        return Ok(());
    };
    let link = plan_page(ctx, &plan);
    send(
        conn,
        Mail {
            ctx,
            to: &to,
            lang: Some(lang),
            kind: PlanMail::EvaluationDue,
            day: Some(on),
            link: &link,
            message: row.id,
        },
    )
}

/// Executes [`FollowUpOpens`]: the follow-up opens ahead and the coordinator hears of it, with a
/// link to the new council (or the council with its proposed follow-up meeting).
fn send_follow_up_opened(
    ctx: &JobContext,
    conn: &mut PgConnection,
    row: &JobRow,
    plan_id: Uuid,
    on: NaiveDate,
) -> Result<(), JobError> {
    let Some(plan) = open_plan(conn, plan_id)? else {
        return Ok(());
    };
    if plan.status != PlanStatus::Approved
        || plan.evaluation_on != Some(on)
        || plan.evaluation_way == Some(EvaluationWay::CaseworkerReview)
    {
        return Ok(());
    }
    let Some(opened) = queries::open_follow_up(conn, TenantId(row.tenant_id), &plan, Utc::now())
        .map_err(app_error)?
    else {
        return Ok(());
    };
    let Some((to, lang)) = coordinator_of(conn, &plan)? else {
        return Ok(());
    };
    let link = format!(
        "{}/cases/{}/councils/{}",
        ctx.settings.base_url(),
        plan.case_id,
        opened.new_council.unwrap_or(plan.council_id)
    );
    send(
        conn,
        Mail {
            ctx,
            to: &to,
            lang: Some(lang),
            kind: PlanMail::FollowUpOpened,
            day: Some(on),
            link: &link,
            message: row.id,
        },
    )
}

/// The follow-up took place days ago and no evaluation is recorded; the coordinator hears of it.
fn send_undocumented(
    ctx: &JobContext,
    conn: &mut PgConnection,
    row: &JobRow,
    plan_id: Uuid,
    follow_up: Uuid,
) -> Result<(), JobError> {
    let Some(plan) = open_plan(conn, plan_id)? else {
        return Ok(());
    };
    let documented: Option<Option<DateTime<Utc>>> = plan_follow_ups::table
        .filter(plan_follow_ups::id.eq(follow_up))
        .select(plan_follow_ups::documented_at)
        .first(conn)
        .optional()?;
    if !matches!(documented, Some(None)) {
        return Ok(());
    }
    let Some((to, lang)) = coordinator_of(conn, &plan)? else {
        return Ok(());
    };
    let link = plan_page(ctx, &plan);
    send(
        conn,
        Mail {
            ctx,
            to: &to,
            lang: Some(lang),
            kind: PlanMail::EvaluationUndocumented,
            day: None,
            link: &link,
            message: row.id,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Europe::Oslo;

    #[test]
    fn plan_messages_leave_at_nine_local_or_now_when_that_has_passed() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
        let ps = PlanSettings {
            tz: Oslo,
            rule: super::super::rules::EvaluationRule::default(),
            notice_days: 3,
            undocumented_days: 14,
            weeks_ahead: 4,
            quiet_hours: crate::jobs::timing::QuietHours {
                start_hour: 21,
                end_hour: 7,
            },
            now,
            today: now.date_naive(),
        };
        let later = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(
            on_day(later, &ps),
            Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap(),
            "09:00 in Oslo in winter"
        );
        assert_eq!(on_day(ps.today, &ps), now, "09:00 today has passed");
    }

    #[test]
    fn the_follow_up_opens_whole_weeks_before_the_evaluation() {
        let on = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
        assert_eq!(
            opening_day(on, 4),
            NaiveDate::from_ymd_opt(2027, 2, 1).unwrap()
        );
        assert_eq!(opening_day(on, 0), on, "none ahead: on the date itself");
    }
}
