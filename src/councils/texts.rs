//! The SMS a meeting sends to those reached by SMS: the invitation or change with their link, the
//! cancellation, the chase and the reminder. Each is a [`MeetingSms`] job of its own, scheduled
//! beside the emails (by `invitations`, or by the chase and reminder jobs as they run), so it
//! retries, parks and shows on the admin's jobs page just as an email does. What the gateway took
//! is kept in `sms_messages` with its delivery state.
//!
//! The texts are as neutral as the emails: the service's sender (at most 11 characters), no
//! child's name, no place, nothing that says child welfare; the details are behind the link.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::invitations::{Delivery, link_url, subject, token_for};
use super::queries::{self, CouncilSettings};
use crate::db::TenantId;
use crate::db::schema::{council_invitations, council_meetings};
use crate::jobs::worker::{JobContext, JobError, JobRow};
use crate::jobs::{self, Job, NewJob};
use crate::sms::outbox::{self, JobSms, SmsStatus};
use crate::tenancy::sender::neutral_sender;
use crate::web::i18n::{Lang, Tr};

/// What an SMS about a meeting is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsPurpose {
    /// The invitation, or — once the meeting has been moved — the change.
    Request,
    Cancel,
    /// The person's own copy cancelled: taken off the team, or their link revoked, while the
    /// meeting stands.
    Withdrawn,
    Chase,
    Reminder,
}

/// The text of an SMS; `link` for every purpose but the cancellation and the withdrawal.
pub fn text(lang: Lang, purpose: SmsPurpose, changed: bool, sender: &str, link: &str) -> String {
    let tr = Tr::new(lang);
    let template = match (purpose, changed) {
        (SmsPurpose::Request, false) => tr.t("sms.meeting.invitation"),
        (SmsPurpose::Request, true) => tr.t("sms.meeting.changed"),
        (SmsPurpose::Cancel, _) => tr.t("sms.meeting.cancelled"),
        (SmsPurpose::Withdrawn, _) => tr.t("sms.meeting_withdrawn.text"),
        (SmsPurpose::Chase, _) => tr.t("sms.meeting.chase"),
        (SmsPurpose::Reminder, _) => tr.t("sms.meeting.reminder"),
    };
    template.replace("{sender}", sender).replace("{link}", link)
}

/// The SMS job to `participant` about `meeting`, due `at`.
pub fn job(
    meeting: Uuid,
    participant: Uuid,
    invitation: Option<Uuid>,
    purpose: SmsPurpose,
    at: DateTime<Utc>,
) -> NewJob {
    NewJob::new(
        &MeetingSms {
            meeting_id: meeting,
            participant_id: participant,
            invitation_id: invitation,
            purpose,
        },
        at,
        Some(subject(meeting)),
    )
}

/// One SMS about a meeting to one participant.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MeetingSms {
    pub meeting_id: Uuid,
    pub participant_id: Uuid,
    /// The link it carries (none for a cancellation).
    pub invitation_id: Option<Uuid>,
    pub purpose: SmsPurpose,
}

impl Job for MeetingSms {
    const KIND: &'static str = "meeting_sms";
    const RESPECTS_QUIET_HOURS: bool = true;

    /// Sends the SMS through the gateway and keeps what it took. A request whose link was
    /// replaced, or whose meeting was cancelled meanwhile, has nothing left to say and is done; a
    /// gateway that refuses parks the job, one that does not answer is tried again.
    fn run(&self, ctx: &JobContext, conn: &mut PgConnection, row: &JobRow) -> Result<(), JobError> {
        let meeting: Option<super::queries::MeetingRow> = council_meetings::table
            .filter(council_meetings::id.eq(self.meeting_id))
            .select(super::queries::MeetingRow::as_select())
            .first(conn)
            .optional()?;
        let Some(meeting) = meeting else {
            return Ok(());
        };
        if !matches!(self.purpose, SmsPurpose::Cancel | SmsPurpose::Withdrawn)
            && meeting.cancelled()
        {
            return Ok(());
        }
        if self.purpose == SmsPurpose::Withdrawn
            && super::invitations::invited_again(conn, self.meeting_id, self.participant_id)?
        {
            return Ok(());
        }
        let link = match (self.purpose, self.invitation_id) {
            (SmsPurpose::Cancel | SmsPurpose::Withdrawn, _) => String::new(),
            (_, Some(invitation)) => {
                let revoked: Option<Option<DateTime<Utc>>> = council_invitations::table
                    .filter(council_invitations::id.eq(invitation))
                    .select(council_invitations::revoked_at)
                    .first(conn)
                    .optional()?;
                if !matches!(revoked, Some(None)) {
                    return Ok(());
                }
                link_url(&ctx.settings, &token_for(&ctx.settings, invitation))
            }
            (_, None) => return Ok(()),
        };
        let Some(member) = queries::team_member(conn, self.participant_id)? else {
            return Ok(());
        };
        let Some(to) = member.sms.clone() else {
            return Ok(());
        };
        let signature = neutral_sender(conn)?;
        let sender = signature.sms_sender_id();
        let changed = super::invitations::changed_for(conn, &meeting, self.participant_id)?;
        outbox::send(
            conn,
            ctx.sms.as_ref(),
            TenantId(row.tenant_id),
            JobSms {
                id: row.id,
                recipient: self.participant_id,
                to,
                text: text(
                    member.lang(signature.lang),
                    self.purpose,
                    changed,
                    &sender,
                    &link,
                ),
                sender,
                subject: subject(self.meeting_id),
                purpose: match self.purpose {
                    SmsPurpose::Request => "request",
                    SmsPurpose::Cancel | SmsPurpose::Withdrawn => "cancel",
                    SmsPurpose::Chase => "chase",
                    SmsPurpose::Reminder => "reminder",
                },
            },
        )
    }
}

/// Where each participant's SMS invitation (the latest request) to `meeting` stands: waiting,
/// on its way, sent, delivered, or failed (the gateway refused it, or reported it undelivered).
pub fn deliveries(
    conn: &mut PgConnection,
    meeting: Uuid,
    cs: &CouncilSettings,
) -> QueryResult<std::collections::HashMap<Uuid, Delivery>> {
    let sent: std::collections::HashMap<Uuid, outbox::SmsState> =
        outbox::about(conn, subject(meeting))?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
    let mut out = std::collections::HashMap::new();
    for job in jobs::about(conn, subject(meeting), MeetingSms::KIND)? {
        let Ok(payload) = serde_json::from_value::<MeetingSms>(job.payload) else {
            continue;
        };
        if payload.purpose != SmsPurpose::Request {
            continue;
        }
        let delivery = match (jobs::JobStatus::parse(&job.status), sent.get(&job.id)) {
            (_, Some(s)) => match SmsStatus::parse(&s.status) {
                Ok(SmsStatus::Delivered) => Delivery::Delivered(s.reported_at.unwrap_or(s.sent_at)),
                Ok(SmsStatus::Failed) => Delivery::Undelivered,
                _ => Delivery::Sent(s.sent_at),
            },
            (Ok(jobs::JobStatus::Failed), None) => Delivery::Failed,
            (Ok(jobs::JobStatus::Done), None) => continue,
            _ => super::invitations::pending_delivery(job.due_at, job.urgent, cs),
        };
        // Oldest first, so the latest job is the one that stays.
        out.insert(payload.participant_id, delivery);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sms::segments;
    use crate::tenancy::sender::reveals_child_welfare;

    /// The longest link a deployment plausibly has: a long host and a full token.
    fn long_link() -> String {
        format!(
            "https://tillit.nordre-follo-og-omegn.kommune.no/i/{}",
            token_for_test()
        )
    }

    fn token_for_test() -> String {
        let key = crate::tokens::TokenKey::from_base64(
            "dGVzdC1vbmx5LWtleS1mb3ItdGlsbGl0LXN1aXRlLW5vdC1hLXNlY3JldCE=",
        )
        .unwrap();
        crate::tokens::LinkToken::<crate::tokens::InvitationLink>::derive(&key, Uuid::new_v4())
            .to_string()
    }

    #[test]
    fn every_text_is_neutral_carries_the_link_and_fits_two_segments() {
        let link = long_link();
        for lang in Lang::ALL {
            for (purpose, changed) in [
                (SmsPurpose::Request, false),
                (SmsPurpose::Request, true),
                (SmsPurpose::Cancel, false),
                (SmsPurpose::Withdrawn, false),
                (SmsPurpose::Chase, false),
                (SmsPurpose::Reminder, false),
            ] {
                let sms = text(lang, purpose, changed, "Fjordvikkom", &link);
                assert!(!reveals_child_welfare(&sms), "{sms}");
                assert!(!sms.contains('{'), "{sms}");
                assert!(segments(&sms) <= 2, "{} segments: {sms}", segments(&sms));
                if !matches!(purpose, SmsPurpose::Cancel | SmsPurpose::Withdrawn) {
                    assert!(sms.contains(&link), "{sms}");
                }
            }
        }
    }
}
