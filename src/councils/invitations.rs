//! Invitations: the links, the jobs that carry them, and the emails those jobs send.
//!
//! Sending a meeting's invitations confirms it. Each participant with an email address gets a
//! link of their own (an `council_invitations` row with a random v4 id; the token is derived from
//! it with the server's key and only its SHA-256 is kept), and the jobs are written in the same
//! transaction: the invitation (METHOD:REQUEST), a chase while unanswered, the reminders before the
//! meeting and the coordinator's check on preparation. A change re-sends the invitation with a
//! higher SEQUENCE and replaces the timed jobs; a cancellation replaces them with the CANCEL.
//!
//! Every email is neutral: the sender is the service's configured name unless it reveals child
//! welfare, no child's name, no place, no list of other invitees; the details are behind the link.

use chrono::{DateTime, Duration, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::calendar::{self, CalendarEntry, Method};
use super::domain::{MeetingStatus, MeetingTime};
use super::queries::{self, Council, CouncilSettings, MeetingRow};
use super::rules;
use super::texts::{self, MeetingSms, SmsPurpose};
use super::views::{CouncilView, TeamMember};
use crate::cases::domain::Channel;
use crate::config::Settings;
use crate::db::TenantId;
use crate::db::schema::{
    council_answers, council_invitations, council_meetings, council_participants, councils, users,
};
use crate::fields::Email;
use crate::jobs::worker::{JobContext, JobError, JobRow};
use crate::jobs::{self, Job, NewJob, Subject};
use crate::mail::templates::{self, MeetingMail};
use crate::mail::{CalendarFile, OutgoingEmail};
use crate::tenancy::sender::{Signature, neutral_sender};
use crate::time::days_before;
use crate::tokens::{InvitationLink, LetterCode, LinkToken};
use crate::web::i18n::Lang;
use crate::web::problem::AppError;

/// A link keeps working this long after the meeting (to read what was agreed about it).
const VALID_AFTER_MEETING_DAYS: i64 = 14;
/// A link to a meeting without a time yet works this long.
const VALID_WITHOUT_TIME_DAYS: i64 = 90;
/// An acute family group conference's one reminder goes this many hours before the meeting
/// (instead of the service's `reminder_days`): such a meeting is called at short notice.
pub const ACUTE_REMINDER_HOURS: u32 = 3;

pub(crate) fn subject(meeting_id: Uuid) -> Subject {
    Subject {
        kind: "meeting",
        id: meeting_id,
    }
}

/// Every kind of job a meeting has: what a change or a cancellation replaces.
const MEETING_JOBS: [&str; 5] = [
    Invitation::KIND,
    MeetingSms::KIND,
    AnswerChase::KIND,
    MeetingReminder::KIND,
    PreparationMissing::KIND,
];

/// The token of invitation row `id`.
pub fn token_for(settings: &Settings, id: Uuid) -> String {
    LinkToken::<InvitationLink>::derive(&settings.token_key(), id).to_string()
}

/// The invitee's page for `token`.
pub fn link_url(settings: &Settings, token: &str) -> String {
    format!("{}/i/{token}", settings.base_url())
}

fn expiry(meeting: &MeetingRow, now: DateTime<Utc>) -> DateTime<Utc> {
    match meeting.ends_at() {
        Some(end) => end + Duration::days(VALID_AFTER_MEETING_DAYS),
        None => now + Duration::days(VALID_WITHOUT_TIME_DAYS),
    }
}

/// Revokes the participant's live links to `meeting` and issues a new one; returns its row id.
pub(crate) fn issue(
    conn: &mut PgConnection,
    settings: &Settings,
    tenant: TenantId,
    meeting: &MeetingRow,
    participant: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<Uuid> {
    diesel::update(
        council_invitations::table
            .filter(council_invitations::meeting_id.eq(meeting.id))
            .filter(council_invitations::participant_id.eq(participant))
            .filter(council_invitations::revoked_at.is_null()),
    )
    .set(council_invitations::revoked_at.eq(now))
    .execute(conn)?;
    // Random (v4): the token is derived from it, so it must not be guessable.
    let id = Uuid::new_v4();
    let token = LinkToken::<InvitationLink>::derive(&settings.token_key(), id);
    diesel::insert_into(council_invitations::table)
        .values((
            council_invitations::tenant_id.eq(tenant.0),
            council_invitations::id.eq(id),
            council_invitations::council_id.eq(meeting.council_id),
            council_invitations::meeting_id.eq(meeting.id),
            council_invitations::participant_id.eq(participant),
            council_invitations::token_hash.eq(token.hash()),
            council_invitations::letter_code_hash
                .eq(LetterCode::derive(&settings.token_key(), id).hash()),
            council_invitations::expires_at.eq(expiry(meeting, now)),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The participant's live link (their latest, not revoked, not expired), if any.
pub fn live_link(conn: &mut PgConnection, participant: Uuid) -> QueryResult<Option<Uuid>> {
    council_invitations::table
        .filter(council_invitations::participant_id.eq(participant))
        .filter(council_invitations::revoked_at.is_null())
        .filter(council_invitations::expires_at.gt(Utc::now()))
        .order(council_invitations::created_at.desc())
        .select(council_invitations::id)
        .first(conn)
        .optional()
}

/// Makes sure `participant` of `council_id` has a live link until at least `until`: their live
/// link is extended, or — without one — a new link to the council's latest scheduled meeting is
/// issued and extended. Without such a meeting nothing changes.
pub fn extend_link(
    conn: &mut PgConnection,
    settings: &Settings,
    tenant: TenantId,
    council_id: Uuid,
    participant: Uuid,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    let id = match live_link(conn, participant)? {
        Some(id) => id,
        None => {
            let meeting: Option<MeetingRow> = council_meetings::table
                .filter(council_meetings::council_id.eq(council_id))
                .filter(council_meetings::status.eq("scheduled"))
                .order(council_meetings::created_at.desc())
                .select(MeetingRow::as_select())
                .first(conn)
                .optional()?;
            let Some(meeting) = meeting else {
                return Ok(());
            };
            issue(conn, settings, tenant, &meeting, participant, now)?
        }
    };
    diesel::update(
        council_invitations::table
            .filter(council_invitations::id.eq(id))
            .filter(council_invitations::expires_at.lt(until)),
    )
    .set(council_invitations::expires_at.eq(until))
    .execute(conn)?;
    Ok(())
}

/// The team members who can be emailed, sent an SMS or posted a letter (the coordinator prints
/// it from the council's invitations task).
fn reachable_team(conn: &mut PgConnection, council_id: Uuid) -> QueryResult<Vec<TeamMember>> {
    Ok(queries::team(conn, council_id)?
        .into_iter()
        .filter(|m| {
            m.email.is_some()
                || m.sms.is_some()
                || (m.channel == Some(Channel::Letter) && m.postal_address.is_some())
        })
        .collect())
}

/// The invitation (or change) to `member` by each way they are reached.
/// An acute meeting's go at once, in quiet hours too: it is hours away.
fn request_jobs(
    meeting: Uuid,
    member: &TeamMember,
    invitation: Uuid,
    acute: bool,
    now: DateTime<Utc>,
) -> Vec<NewJob> {
    let mut out = Vec::new();
    if member.email.is_some() {
        out.push(invitation_job(meeting, invitation, Method::Request, now).urgent(acute));
    }
    if member.sms.is_some() {
        out.push(
            texts::job(
                meeting,
                member.participant_id,
                Some(invitation),
                SmsPurpose::Request,
                now,
            )
            .urgent(acute),
        );
    }
    out
}

/// The timed jobs of a confirmed meeting: reminders `reminder_days` before, the coordinator's
/// preparation check; each only if its moment is still ahead. A meeting without a time has none.
/// An acute one has a single reminder [`ACUTE_REMINDER_HOURS`] before and no preparation check:
/// it is called at short notice.
fn timed_jobs(meeting: &MeetingRow, acute: bool, cs: &CouncilSettings) -> Vec<NewJob> {
    let Some(start) = meeting.starts_at else {
        return Vec::new();
    };
    if acute {
        let due = start - Duration::hours(i64::from(ACUTE_REMINDER_HOURS));
        return (due > cs.now)
            .then(|| {
                NewJob::new(
                    &MeetingReminder {
                        meeting_id: meeting.id,
                        days: 0,
                        hours: Some(ACUTE_REMINDER_HOURS),
                    },
                    due,
                    Some(subject(meeting.id)),
                )
            })
            .into_iter()
            .collect();
    }
    let mut out: Vec<NewJob> = cs
        .reminder_days
        .iter()
        .map(|&days| (days, days_before(start, days, cs.tz)))
        .filter(|(_, due)| *due > cs.now)
        .map(|(days, due)| {
            NewJob::new(
                &MeetingReminder {
                    meeting_id: meeting.id,
                    days,
                    hours: None,
                },
                due,
                Some(subject(meeting.id)),
            )
        })
        .collect();
    let check = days_before(start, cs.preparation_check_days, cs.tz);
    out.push(NewJob::new(
        &PreparationMissing {
            meeting_id: meeting.id,
        },
        check.max(cs.now),
        Some(subject(meeting.id)),
    ));
    out
}

fn invitation_job(meeting: Uuid, invitation: Uuid, method: Method, now: DateTime<Utc>) -> NewJob {
    NewJob::new(
        &Invitation {
            invitation_id: invitation,
            method,
        },
        now,
        Some(subject(meeting)),
    )
}

fn chase_job(meeting: Uuid, participant: Uuid, round: u32, cs: &CouncilSettings) -> Option<NewJob> {
    (round <= cs.chase_max).then(|| {
        NewJob::new(
            &AnswerChase {
                meeting_id: meeting,
                participant_id: participant,
                round,
            },
            cs.now + Duration::days(i64::from(cs.chase_after_days)),
            Some(subject(meeting)),
        )
    })
}

/// Issues a link to everyone reachable on the team and writes every job of the meeting anew:
/// invitations (REQUEST), chases, reminders, the preparation check. Returns how many were invited.
fn invite_all(
    conn: &mut PgConnection,
    settings: &Settings,
    tenant: TenantId,
    council: &Council,
    meeting: &MeetingRow,
    cs: &CouncilSettings,
) -> Result<usize, AppError> {
    let team = reachable_team(conn, council.id)?;
    let mut jobs_now = Vec::new();
    for member in &team {
        let participant = member.participant_id;
        let invitation = issue(conn, settings, tenant, meeting, participant, cs.now)?;
        jobs_now.extend(request_jobs(
            meeting.id,
            member,
            invitation,
            council.acute,
            cs.now,
        ));
        // A letter is not chased by a job: the start page lists who has not answered. Nor is
        // an acute meeting's invitation: it is hours away, not days.
        if !council.acute && (member.email.is_some() || member.sms.is_some()) {
            jobs_now.extend(chase_job(meeting.id, participant, 1, cs));
        }
    }
    jobs_now.extend(timed_jobs(meeting, council.acute, cs));
    jobs::replace_for_subject(conn, tenant, subject(meeting.id), &MEETING_JOBS, &jobs_now)?;
    Ok(team.len())
}

/// Sends a meeting's invitations, which confirms it. Refused until the consents its kind needs,
/// a waiver from every public participant and no open objection; never for a cancelled meeting
/// or one that has begun.
pub fn send(
    conn: &mut PgConnection,
    settings: &Settings,
    tenant: TenantId,
    council: &Council,
    meeting: &MeetingRow,
    cs: &CouncilSettings,
) -> Result<usize, AppError> {
    rules::invitable(
        meeting.cancelled(),
        meeting.starts_at.is_some_and(|s| s <= cs.now),
    )?;
    let facts = queries::current_facts(conn, council, cs.now)?;
    rules::require(rules::invitation_blockers(
        council.kind,
        council.state,
        &facts,
    ))?;
    let invited = invite_all(conn, settings, tenant, council, meeting, cs)?;
    rules::someone_invited(invited)?;
    if meeting.confirmed_at.is_none() {
        diesel::update(council_meetings::table.filter(council_meetings::id.eq(meeting.id)))
            .set((
                council_meetings::confirmed_at.eq(cs.now),
                council_meetings::updated_at.eq(cs.now),
            ))
            .execute(conn)?;
    }
    Ok(invited)
}

/// Schedules a meeting. No meeting before the team is chosen; none in the past, none that ends
/// before it starts, and none that double-books someone on the team.
pub fn schedule(
    conn: &mut PgConnection,
    tenant: TenantId,
    council: &Council,
    time: &MeetingTime,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Uuid, AppError> {
    let facts = queries::current_facts(conn, council, now)?;
    rules::require(rules::meeting_blockers(council.kind, council.state, &facts))?;
    if queries::double_booked(conn, council, time, None)? {
        return Err(double_booking());
    }
    queries::insert_meeting(conn, tenant, council, time, by)
}

fn double_booking() -> AppError {
    AppError::field(
        "starts_at",
        "someone on the team already has a meeting at that time",
    )
}

/// Moves a meeting. A confirmed one is sent again to everyone (REQUEST, SEQUENCE + 1, new links)
/// and its reminders are replaced.
pub fn reschedule(
    conn: &mut PgConnection,
    settings: &Settings,
    tenant: TenantId,
    council: &Council,
    meeting: &MeetingRow,
    time: &MeetingTime,
    cs: &CouncilSettings,
) -> Result<(), AppError> {
    if meeting.cancelled() {
        return Err(rules::meeting_cancelled());
    }
    if queries::double_booked(conn, council, time, Some(meeting.id))? {
        return Err(double_booking());
    }
    let confirmed = meeting.confirmed_at.is_some();
    diesel::update(council_meetings::table.filter(council_meetings::id.eq(meeting.id)))
        .set((
            council_meetings::starts_at.eq(time.starts_at),
            council_meetings::duration_minutes.eq(time.duration_minutes),
            council_meetings::place.eq(&time.place),
            council_meetings::place_shared.eq(time.place_shared),
            council_meetings::video_link.eq(&time.video_link),
            council_meetings::sequence.eq(meeting.sequence + i32::from(confirmed)),
            council_meetings::moved_at.eq(if confirmed {
                Some(cs.now)
            } else {
                meeting.moved_at
            }),
            council_meetings::updated_at.eq(cs.now),
        ))
        .execute(conn)?;
    if confirmed {
        let moved = queries::meeting(conn, council, meeting.id)?;
        invite_all(conn, settings, tenant, council, &moved, cs)?;
    }
    Ok(())
}

/// Cancels a meeting: every pending job of it is replaced by a CANCEL (SEQUENCE + 1) to each
/// participant who was invited; no reminder is left. An acute meeting's go at once, in quiet
/// hours too, as its invitations did.
pub fn cancel(
    conn: &mut PgConnection,
    tenant: TenantId,
    council: &Council,
    meeting: &MeetingRow,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if meeting.cancelled() {
        return Err(rules::meeting_cancelled());
    }
    let confirmed = meeting.confirmed_at.is_some();
    diesel::update(council_meetings::table.filter(council_meetings::id.eq(meeting.id)))
        .set((
            council_meetings::status.eq(MeetingStatus::Cancelled.as_str()),
            council_meetings::cancelled_at.eq(now),
            council_meetings::sequence.eq(meeting.sequence + i32::from(confirmed)),
            council_meetings::updated_at.eq(now),
        ))
        .execute(conn)?;
    let invited: Vec<(Uuid, Uuid)> = council_invitations::table
        .filter(council_invitations::meeting_id.eq(meeting.id))
        .filter(council_invitations::revoked_at.is_null())
        .select((council_invitations::id, council_invitations::participant_id))
        .load(conn)?;
    let by_sms: Vec<Uuid> = queries::team(conn, meeting.council_id)?
        .into_iter()
        .filter(|m| m.sms.is_some())
        .map(|m| m.participant_id)
        .collect();
    let mut cancels: Vec<NewJob> = Vec::new();
    for (id, participant) in invited {
        cancels.push(invitation_job(meeting.id, id, Method::Cancel, now).urgent(council.acute));
        if by_sms.contains(&participant) {
            cancels.push(
                texts::job(meeting.id, participant, None, SmsPurpose::Cancel, now)
                    .urgent(council.acute),
            );
        }
    }
    jobs::replace_for_subject(conn, tenant, subject(meeting.id), &MEETING_JOBS, &cancels)?;
    Ok(())
}

/// Sends one participant a new link to the current meeting; the old one stops working.
pub fn resend(
    conn: &mut PgConnection,
    settings: &Settings,
    tenant: TenantId,
    council: &Council,
    meeting: &MeetingRow,
    participant: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    queries::participant_exists(conn, council, participant)?;
    let member = reachable_team(conn, council.id)?
        .into_iter()
        .find(|m| m.participant_id == participant);
    rules::resendable(
        !meeting.cancelled() && meeting.confirmed_at.is_some(),
        member.is_some(),
    )?;
    let Some(member) = member else {
        return Ok(());
    };
    let invitation = issue(conn, settings, tenant, meeting, participant, now)?;
    for job in request_jobs(meeting.id, &member, invitation, council.acute, now) {
        jobs::schedule(conn, tenant, &job)?;
    }
    Ok(())
}

/// Who is told that an invitation was withdrawn: a participant about to be taken off the team,
/// or whose links are about to be revoked, after their invitations went out. For each meeting of
/// `council` still ahead (not cancelled) whose invitation reached them — by email, by SMS — their
/// copy is cancelled by the same way: an email with METHOD:CANCEL for the meeting's UID at a
/// SEQUENCE one higher (the meeting's own rises, so every later message outranks it), and a
/// neutral SMS. Call it before the links are revoked; the chases and reminders ask for a live
/// link, so none follows. Returns how many meetings were withdrawn.
pub fn withdraw(
    conn: &mut PgConnection,
    tenant: TenantId,
    council: &Council,
    participant: Uuid,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let live: Vec<(Uuid, Uuid)> = council_invitations::table
        .filter(council_invitations::council_id.eq(council.id))
        .filter(council_invitations::participant_id.eq(participant))
        .filter(council_invitations::revoked_at.is_null())
        .order(council_invitations::created_at.desc())
        .select((council_invitations::meeting_id, council_invitations::id))
        .load(conn)?;
    let mut withdrawn = 0;
    let mut seen: Vec<Uuid> = Vec::new();
    for (meeting_id, invitation) in live {
        if seen.contains(&meeting_id) {
            continue;
        }
        seen.push(meeting_id);
        let Some(meeting) = meeting_row(conn, meeting_id)? else {
            continue;
        };
        if meeting.cancelled()
            || meeting.confirmed_at.is_none()
            || meeting.starts_at.is_some_and(|s| s <= now)
        {
            continue;
        }
        let (by_email, by_sms) = reached(conn, meeting_id, participant)?;
        if !by_email && !by_sms {
            continue;
        }
        diesel::update(council_meetings::table.filter(council_meetings::id.eq(meeting_id)))
            .set((
                council_meetings::sequence.eq(meeting.sequence + 1),
                council_meetings::updated_at.eq(now),
            ))
            .execute(conn)?;
        // Its own subject: cancelling the whole meeting later replaces the meeting's pending
        // jobs, and this person, no longer invited, would hear nothing at all.
        let about = Some(withdrawal_subject(participant));
        if by_email {
            jobs::schedule(
                conn,
                tenant,
                &NewJob::new(
                    &Invitation {
                        invitation_id: invitation,
                        method: Method::Cancel,
                    },
                    now,
                    about,
                ),
            )?;
        }
        if by_sms {
            let mut sms = texts::job(meeting_id, participant, None, SmsPurpose::Withdrawn, now);
            sms.subject = about;
            jobs::schedule(conn, tenant, &sms)?;
        }
        withdrawn += 1;
    }
    Ok(withdrawn)
}

/// What a withdrawal's messages are about: the participant whose copy is cancelled.
fn withdrawal_subject(participant: Uuid) -> Subject {
    Subject {
        kind: "council_participant",
        id: participant,
    }
}

/// Whether an invitation to `meeting` went out to `participant` by email, and by SMS: a request
/// sent (or being sent) to one of their links. One still waiting for the morning will not go.
fn reached(
    conn: &mut PgConnection,
    meeting: Uuid,
    participant: Uuid,
) -> Result<(bool, bool), AppError> {
    let theirs: Vec<Uuid> = council_invitations::table
        .filter(council_invitations::meeting_id.eq(meeting))
        .filter(council_invitations::participant_id.eq(participant))
        .select(council_invitations::id)
        .load(conn)?;
    let gone = |status: &str| {
        matches!(
            jobs::JobStatus::parse(status),
            Ok(jobs::JobStatus::Done | jobs::JobStatus::Running)
        )
    };
    let by_email = jobs::about(conn, subject(meeting), Invitation::KIND)?
        .into_iter()
        .filter(|job| gone(&job.status))
        .filter_map(|job| serde_json::from_value::<Invitation>(job.payload).ok())
        .any(|i| i.method == Method::Request && theirs.contains(&i.invitation_id));
    let by_sms = jobs::about(conn, subject(meeting), MeetingSms::KIND)?
        .into_iter()
        .filter(|job| gone(&job.status))
        .filter_map(|job| serde_json::from_value::<MeetingSms>(job.payload).ok())
        .any(|m| m.purpose == SmsPurpose::Request && m.participant_id == participant);
    Ok((by_email, by_sms))
}

/// Whether `participant` holds a live link to `meeting` again (taken back onto the team and
/// invited anew): then a withdrawal still waiting has nothing left to say.
pub(crate) fn invited_again(
    conn: &mut PgConnection,
    meeting: Uuid,
    participant: Uuid,
) -> QueryResult<bool> {
    Ok(live_invitation(conn, meeting, participant)?.is_some())
}

/// Revokes a participant's links: the page answers as for an unknown link.
pub fn revoke(
    conn: &mut PgConnection,
    council: &Council,
    participant: Uuid,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    queries::participant_exists(conn, council, participant)?;
    Ok(diesel::update(
        council_invitations::table
            .filter(council_invitations::council_id.eq(council.id))
            .filter(council_invitations::participant_id.eq(participant))
            .filter(council_invitations::revoked_at.is_null()),
    )
    .set(council_invitations::revoked_at.eq(now))
    .execute(conn)?)
}

// ------------------------------------------------------------------------------------------
// The executors.

/// A participant's address, whoever they are.
/// Whether a message to `participant` about `meeting` tells of a change: only if they were
/// invited before it was last moved, and so hold the older time. The calendar SEQUENCE rises
/// also when someone else's invitation is withdrawn, so it cannot tell.
pub fn changed_for(
    conn: &mut PgConnection,
    meeting: &MeetingRow,
    participant: Uuid,
) -> QueryResult<bool> {
    let Some(moved_at) = meeting.moved_at else {
        return Ok(false);
    };
    diesel::select(diesel::dsl::exists(
        council_invitations::table
            .filter(council_invitations::meeting_id.eq(meeting.id))
            .filter(council_invitations::participant_id.eq(participant))
            .filter(council_invitations::created_at.lt(moved_at)),
    ))
    .get_result(conn)
}

fn meeting_row(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<MeetingRow>> {
    council_meetings::table
        .filter(council_meetings::id.eq(id))
        .select(MeetingRow::as_select())
        .first(conn)
        .optional()
}

struct Letter<'a> {
    ctx: &'a JobContext,
    to: &'a str,
    sender: &'a str,
    reply_to: Option<String>,
    content: templates::Rendered,
    message: Uuid,
    calendar: Option<CalendarFile>,
}

fn post(letter: Letter<'_>) -> Result<(), JobError> {
    let to = Email::parse(letter.to).map_err(|m| JobError::Permanent(m.into()))?;
    letter.ctx.mailer.send(&OutgoingEmail {
        to,
        sender_name: letter.sender.to_owned(),
        reply_to: letter.reply_to,
        subject: letter.content.subject,
        text: letter.content.text,
        html: letter.content.html,
        message_id: letter.ctx.mailer.message_id_for(letter.message),
        calendar: letter.calendar,
    })?;
    Ok(())
}

/// Where a participant's invitation to a meeting stands, told as it is: sent, waiting for the
/// morning, on its way, or failed — never "invited" for a message that has not gone out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Sent(DateTime<Utc>),
    /// Held back by the service's quiet hours until this time.
    Waiting(DateTime<Utc>),
    Sending,
    Failed,
    /// An SMS the gateway reported delivered, at this time.
    Delivered(DateTime<Utc>),
    /// An SMS the gateway reported it could not deliver.
    Undelivered,
}

/// A message not sent yet: waiting for its moment — or for the quiet hours to end, unless it
/// is urgent — or on its way.
pub(super) fn pending_delivery(
    due_at: DateTime<Utc>,
    urgent: bool,
    cs: &CouncilSettings,
) -> Delivery {
    let at = jobs::timing::leaves_at(due_at, urgent, cs.tz, cs.quiet_hours, cs.now);
    if at > cs.now + Duration::minutes(1) {
        Delivery::Waiting(at)
    } else {
        Delivery::Sending
    }
}

/// The delivery of each participant's invitation (the latest REQUEST) to `meeting`.
pub fn deliveries(
    conn: &mut PgConnection,
    meeting: Uuid,
    cs: &CouncilSettings,
) -> Result<std::collections::HashMap<Uuid, Delivery>, AppError> {
    let invitations: Vec<(Uuid, Uuid)> = council_invitations::table
        .filter(council_invitations::meeting_id.eq(meeting))
        .filter(council_invitations::revoked_at.is_null())
        .select((council_invitations::id, council_invitations::participant_id))
        .load(conn)?;
    let mut by_invitation = std::collections::HashMap::new();
    for job in jobs::about(conn, subject(meeting), Invitation::KIND)? {
        let Ok(payload) = serde_json::from_value::<Invitation>(job.payload) else {
            continue;
        };
        if payload.method != Method::Request {
            continue;
        }
        let delivery = match jobs::JobStatus::parse(&job.status) {
            Ok(jobs::JobStatus::Done) => Delivery::Sent(job.finished_at.unwrap_or(job.due_at)),
            Ok(jobs::JobStatus::Failed) => Delivery::Failed,
            _ => pending_delivery(job.due_at, job.urgent, cs),
        };
        // Oldest first, so the latest job of an invitation is the one that stays.
        by_invitation.insert(payload.invitation_id, delivery);
    }
    Ok(invitations
        .into_iter()
        .filter_map(|(id, participant)| by_invitation.get(&id).map(|d| (participant, *d)))
        .collect())
}

/// `view` with, for each participant whose invitation (email or SMS) to `meeting` the service's
/// quiet hours hold back, when it goes out, in the service's zone: what the answer to sending
/// tells, as the invitations page does.
pub fn with_times_held(
    conn: &mut PgConnection,
    mut view: CouncilView,
    meeting: Uuid,
) -> Result<CouncilView, AppError> {
    let cs = CouncilSettings::load(conn)?;
    let mut held: std::collections::HashMap<Uuid, DateTime<Utc>> = std::collections::HashMap::new();
    for (participant, delivery) in deliveries(conn, meeting, &cs)?
        .into_iter()
        .chain(super::texts::deliveries(conn, meeting, &cs)?)
    {
        if let Delivery::Waiting(at) = delivery {
            held.entry(participant)
                .and_modify(|first| *first = (*first).min(at))
                .or_insert(at);
        }
    }
    for participant in &mut view.participants {
        if let Some(invitation) = participant.invitation.as_mut()
            && invitation.meeting_id == meeting
        {
            invitation.goes_out_at = held
                .get(&participant.id)
                .map(|at| at.with_timezone(&cs.tz).fixed_offset());
        }
    }
    Ok(view)
}

/// A meeting's invitation, change (METHOD:REQUEST) or cancellation (METHOD:CANCEL) to one
/// participant.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Invitation {
    pub invitation_id: Uuid,
    pub method: Method,
}

impl Job for Invitation {
    const KIND: &'static str = "invitation";
    const RESPECTS_QUIET_HOURS: bool = true;

    /// The invitation or change (REQUEST) with the link, or the cancellation (CANCEL). A REQUEST
    /// whose link was replaced or whose meeting was cancelled meanwhile has nothing left to say,
    /// and is done.
    fn run(&self, ctx: &JobContext, conn: &mut PgConnection, row: &JobRow) -> Result<(), JobError> {
        send_invitation(ctx, conn, row, self)
    }
}

/// A participant has not answered: a reminder with their link, at most `chase_max` times.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnswerChase {
    pub meeting_id: Uuid,
    pub participant_id: Uuid,
    pub round: u32,
}

impl Job for AnswerChase {
    const KIND: &'static str = "answer_chase";
    const RESPECTS_QUIET_HOURS: bool = true;

    /// If the participant has not answered and the meeting is still ahead, a friendly nudge with
    /// their link, and the next chase (at most `chase_max`).
    fn run(&self, ctx: &JobContext, conn: &mut PgConnection, row: &JobRow) -> Result<(), JobError> {
        send_chase(ctx, conn, row, self)
    }
}

/// `reminder_days` before a meeting (an acute one: `hours` before), to everyone invited who has
/// not declined.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MeetingReminder {
    pub meeting_id: Uuid,
    pub days: u32,
    /// Hours before an acute meeting; none for a reminder days before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<u32>,
}

impl Job for MeetingReminder {
    const KIND: &'static str = "meeting_reminder";
    const RESPECTS_QUIET_HOURS: bool = true;

    /// Everyone with a live link who has not declined hears that the meeting is coming, with
    /// their link.
    fn run(&self, ctx: &JobContext, conn: &mut PgConnection, row: &JobRow) -> Result<(), JobError> {
        send_reminder(ctx, conn, row, self.meeting_id)
    }
}

/// `preparation_check_days` before a meeting: tells the coordinator if someone is not prepared
/// or a consent or waiver is missing.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PreparationMissing {
    pub meeting_id: Uuid,
}

impl Job for PreparationMissing {
    const KIND: &'static str = "preparation_missing";
    const RESPECTS_QUIET_HOURS: bool = true;

    /// If someone on the team is not prepared, or a consent or waiver is missing, the coordinator
    /// hears of it (neutrally, with a link to sign in).
    fn run(&self, ctx: &JobContext, conn: &mut PgConnection, row: &JobRow) -> Result<(), JobError> {
        send_preparation_check(ctx, conn, row, self.meeting_id)
    }
}

fn send_invitation(
    ctx: &JobContext,
    conn: &mut PgConnection,
    row: &JobRow,
    job: &Invitation,
) -> Result<(), JobError> {
    let (invitation_id, method) = (job.invitation_id, job.method);
    let found: Option<(Uuid, Uuid, Option<DateTime<Utc>>)> = council_invitations::table
        .filter(council_invitations::id.eq(invitation_id))
        .select((
            council_invitations::meeting_id,
            council_invitations::participant_id,
            council_invitations::revoked_at,
        ))
        .first(conn)
        .optional()?;
    let Some((meeting_id, participant, revoked)) = found else {
        return Ok(());
    };
    let Some(meeting) = meeting_row(conn, meeting_id)? else {
        return Ok(());
    };
    if method == Method::Request && (revoked.is_some() || meeting.cancelled()) {
        return Ok(());
    }
    // A CANCEL to a meeting that stands withdraws one person's copy (see [`withdraw`]); one who
    // was invited again meanwhile keeps it.
    let withdrawal = method == Method::Cancel && !meeting.cancelled();
    if withdrawal && invited_again(conn, meeting_id, participant)? {
        return Ok(());
    }
    let Some(member) = queries::team_member(conn, participant)? else {
        return Ok(());
    };
    let Some(address) = member.email.clone() else {
        return Ok(());
    };
    let Signature {
        sender,
        reply_to,
        lang,
        tz,
        ..
    } = neutral_sender(conn)?;
    // In the person's own language (the service's written standard if they have none).
    let lang = member.lang(lang);
    let link = (method == Method::Request)
        .then(|| link_url(&ctx.settings, &token_for(&ctx.settings, invitation_id)));
    let kind = match method {
        Method::Cancel if withdrawal => MeetingMail::Withdrawn,
        Method::Cancel => MeetingMail::Cancelled,
        Method::Request if changed_for(conn, &meeting, participant)? => MeetingMail::Changed,
        Method::Request => MeetingMail::Invitation,
    };
    let content = templates::meeting(lang, kind, &sender, meeting.starts_at, tz, link.as_deref());
    let calendar = match (meeting.starts_at, meeting.ends_at()) {
        (Some(start), Some(end)) => Some(CalendarFile {
            method: method.as_str(),
            content: calendar::render(&CalendarEntry {
                uid: meeting.calendar_uid,
                sequence: meeting.sequence,
                method: Some(method),
                starts_at: start,
                ends_at: end,
                summary: templates::meeting_title(lang),
                // A cancellation needs only the UID to find the event.
                location: (method == Method::Request)
                    .then(|| meeting.shared_place())
                    .flatten(),
                link: link.as_deref(),
                organizer_name: &sender,
                organizer_address: &ctx.mailer.from_address(),
                domain: ctx.mailer.id_domain(),
                stamp: Utc::now(),
            }),
        }),
        _ => None,
    };
    post(Letter {
        ctx,
        to: &address,
        sender: &sender,
        reply_to,
        content,
        message: row.id,
        calendar,
    })
}

/// The participant's live link to `meeting`, if any.
fn live_invitation(
    conn: &mut PgConnection,
    meeting: Uuid,
    participant: Uuid,
) -> QueryResult<Option<Uuid>> {
    council_invitations::table
        .filter(council_invitations::meeting_id.eq(meeting))
        .filter(council_invitations::participant_id.eq(participant))
        .filter(council_invitations::revoked_at.is_null())
        .filter(council_invitations::expires_at.gt(Utc::now()))
        .order(council_invitations::created_at.desc())
        .select(council_invitations::id)
        .first(conn)
        .optional()
}

fn answered(conn: &mut PgConnection, meeting: Uuid, participant: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        council_answers::table
            .filter(council_answers::meeting_id.eq(meeting))
            .filter(council_answers::participant_id.eq(participant)),
    ))
    .get_result(conn)
}

fn send_chase(
    ctx: &JobContext,
    conn: &mut PgConnection,
    row: &JobRow,
    job: &AnswerChase,
) -> Result<(), JobError> {
    let (meeting_id, participant, round) = (job.meeting_id, job.participant_id, job.round);
    let Some(meeting) = meeting_row(conn, meeting_id)? else {
        return Ok(());
    };
    let now = Utc::now();
    if meeting.cancelled()
        || meeting.starts_at.is_some_and(|s| s <= now)
        || answered(conn, meeting_id, participant)?
    {
        return Ok(());
    }
    let Some(invitation) = live_invitation(conn, meeting_id, participant)? else {
        return Ok(());
    };
    let Some(member) = queries::team_member(conn, participant)? else {
        return Ok(());
    };
    if member.sms.is_some() {
        let sms = texts::job(
            meeting_id,
            participant,
            Some(invitation),
            SmsPurpose::Chase,
            now,
        );
        jobs::schedule(conn, TenantId(row.tenant_id), &sms)?;
    }
    if let Some(address) = member.email.clone() {
        let Signature {
            sender,
            reply_to,
            lang,
            tz,
            ..
        } = neutral_sender(conn)?;
        let link = link_url(&ctx.settings, &token_for(&ctx.settings, invitation));
        let content = templates::meeting(
            member.lang(lang),
            MeetingMail::Chase,
            &sender,
            meeting.starts_at,
            tz,
            Some(&link),
        );
        post(Letter {
            ctx,
            to: &address,
            sender: &sender,
            reply_to,
            content,
            message: row.id,
            calendar: None,
        })?;
    }
    let cs = CouncilSettings::load(conn)?;
    if let Some(next) = chase_job(meeting_id, participant, round + 1, &cs) {
        jobs::schedule(conn, TenantId(row.tenant_id), &next)?;
    }
    Ok(())
}

fn send_reminder(
    ctx: &JobContext,
    conn: &mut PgConnection,
    row: &JobRow,
    meeting_id: Uuid,
) -> Result<(), JobError> {
    let Some(meeting) = meeting_row(conn, meeting_id)? else {
        return Ok(());
    };
    let now = Utc::now();
    if meeting.cancelled() || meeting.starts_at.is_none_or(|s| s <= now) {
        return Ok(());
    }
    let links: Vec<(Uuid, Uuid)> = council_invitations::table
        .inner_join(
            council_participants::table.on(council_participants::tenant_id
                .eq(council_invitations::tenant_id)
                .and(council_participants::id.eq(council_invitations::participant_id))),
        )
        .filter(council_invitations::meeting_id.eq(meeting_id))
        .filter(council_invitations::revoked_at.is_null())
        .filter(council_participants::removed_at.is_null())
        .order(council_invitations::participant_id)
        .select((council_invitations::participant_id, council_invitations::id))
        .load(conn)?;
    let declined: Vec<Uuid> = council_answers::table
        .filter(council_answers::meeting_id.eq(meeting_id))
        .filter(council_answers::response.eq("decline"))
        .select(council_answers::participant_id)
        .load(conn)?;
    let Signature {
        sender,
        reply_to,
        lang,
        tz,
        ..
    } = neutral_sender(conn)?;
    for (participant, invitation) in links {
        if declined.contains(&participant) {
            continue;
        }
        let Some(member) = queries::team_member(conn, participant)? else {
            continue;
        };
        if member.sms.is_some() {
            let sms = texts::job(
                meeting_id,
                participant,
                Some(invitation),
                SmsPurpose::Reminder,
                now,
            );
            jobs::schedule(conn, TenantId(row.tenant_id), &sms)?;
        }
        let Some(address) = member.email.clone() else {
            continue;
        };
        let link = link_url(&ctx.settings, &token_for(&ctx.settings, invitation));
        let content = templates::meeting(
            member.lang(lang),
            MeetingMail::Reminder,
            &sender,
            meeting.starts_at,
            tz,
            Some(&link),
        );
        post(Letter {
            ctx,
            to: &address,
            sender: &sender,
            reply_to: reply_to.clone(),
            content,
            message: crate::mail::per_recipient(row.id, participant),
            calendar: None,
        })?;
    }
    Ok(())
}

fn send_preparation_check(
    ctx: &JobContext,
    conn: &mut PgConnection,
    row: &JobRow,
    meeting_id: Uuid,
) -> Result<(), JobError> {
    let Some(meeting) = meeting_row(conn, meeting_id)? else {
        return Ok(());
    };
    if meeting.cancelled() || meeting.starts_at.is_none_or(|s| s <= Utc::now()) {
        return Ok(());
    }
    let (case_id, coordinator): (Uuid, Uuid) = councils::table
        .filter(councils::id.eq(meeting.council_id))
        .select((councils::case_id, councils::coordinator_id))
        .first(conn)?;
    let council = queries::council(
        conn,
        TenantId(row.tenant_id),
        case_id,
        meeting.council_id,
        false,
    )
    .map_err(|e| JobError::Retry(e.to_string()))?;
    let facts = queries::current_facts(conn, &council, Utc::now())
        .map_err(|e| JobError::Retry(e.to_string()))?;
    if facts.prepared >= facts.participants && facts.consents_complete() && facts.waivers_complete()
    {
        return Ok(());
    }
    let (email, active, user_lang): (String, bool, String) = users::table
        .filter(users::id.eq(coordinator))
        .select((users::email, users::active, users::lang))
        .first(conn)?;
    if !active {
        return Ok(());
    }
    let Signature {
        sender,
        reply_to,
        tz,
        ..
    } = neutral_sender(conn)?;
    let link = format!(
        "{}/cases/{case_id}/councils/{}",
        ctx.settings.base_url(),
        meeting.council_id
    );
    let content = templates::meeting(
        Lang::parse(&user_lang).unwrap_or_default(),
        MeetingMail::PreparationMissing,
        &sender,
        meeting.starts_at,
        tz,
        Some(&link),
    );
    post(Letter {
        ctx,
        to: &email,
        sender: &sender,
        reply_to,
        content,
        message: row.id,
        calendar: None,
    })
}
