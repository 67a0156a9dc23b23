//! The SMS the plan sends to those on the team reached by SMS: the request to approve, the plan
//! taken back, and the reminders before and after a commitment's date — each with the person's
//! own link. Each is a [`PlanSms`] job of its own, scheduled by the email's job as it runs
//! ([`super::schedule`]), so it retries, parks and shows on the admin's jobs page as the
//! meeting's SMS do; what the gateway took is kept in `sms_messages` with its delivery state.
//!
//! The texts are as neutral as the emails: the service's sender, no child's name, nothing that
//! says child welfare, the details behind the link.

use diesel::PgConnection;
use serde::{Deserialize, Serialize};

use super::schedule::PlanMessage;
use crate::db::TenantId;
use crate::jobs::Job;
use crate::jobs::worker::{JobContext, JobError, JobRow};
use crate::mail::templates::PlanMail;
use crate::sms::outbox::{self, JobSms};
use crate::tenancy::sender::neutral_sender;
use crate::web::i18n::{Lang, Tr};

/// The text of a plan's SMS; `day` is the commitment's date, for its reminders.
pub fn text(
    lang: Lang,
    kind: PlanMail,
    sender: &str,
    day: Option<chrono::NaiveDate>,
    link: &str,
) -> String {
    let tr = Tr::new(lang);
    let template = match kind {
        PlanMail::ConfirmationRequest => tr.t("sms.plan.confirmation"),
        PlanMail::PlanChanged => tr.t("sms.plan.changed"),
        PlanMail::CommitmentDue => tr.t("sms.plan.due"),
        // The coordinator's three (evaluation due, undocumented, follow-up opened) go to staff,
        // by email only, and never reach here.
        PlanMail::CommitmentOverdue
        | PlanMail::EvaluationDue
        | PlanMail::EvaluationUndocumented
        | PlanMail::FollowUpOpened => tr.t("sms.plan.overdue"),
    };
    let date = day.map(|d| crate::time::date(d, lang)).unwrap_or_default();
    template
        .replace("{sender}", sender)
        .replace("{date}", &date)
        .replace("{link}", link)
}

/// One SMS of the plan to one participant.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlanSms {
    pub message: PlanMessage,
}

impl Job for PlanSms {
    const KIND: &'static str = "plan_sms";
    const RESPECTS_QUIET_HOURS: bool = true;

    /// Sends the SMS, unless what it says has been overtaken meanwhile (the plan approved, the
    /// commitment done, the person off the team): the same question the email's job asked.
    fn run(&self, ctx: &JobContext, conn: &mut PgConnection, row: &JobRow) -> Result<(), JobError> {
        let Some(recipient) = self.message.recipient(ctx, conn)? else {
            return Ok(());
        };
        let Some((participant, to)) = recipient.sms else {
            return Ok(());
        };
        let signature = neutral_sender(conn)?;
        let sender = signature.sms_sender_id();
        let lang = recipient.lang.unwrap_or(signature.lang);
        outbox::send(
            conn,
            ctx.sms.as_ref(),
            TenantId(row.tenant_id),
            JobSms {
                id: row.id,
                recipient: participant,
                to,
                text: text(
                    lang,
                    recipient.kind,
                    &sender,
                    recipient.day,
                    &recipient.link,
                ),
                sender,
                subject: self.message.subject(),
                purpose: self.message.kind(),
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sms::segments;
    use crate::tenancy::sender::reveals_child_welfare;

    #[test]
    fn every_text_is_neutral_carries_the_link_and_fits_two_segments() {
        let key = crate::tokens::TokenKey::from_base64(
            "dGVzdC1vbmx5LWtleS1mb3ItdGlsbGl0LXN1aXRlLW5vdC1hLXNlY3JldCE=",
        )
        .unwrap();
        let token = crate::tokens::LinkToken::<crate::tokens::InvitationLink>::derive(
            &key,
            uuid::Uuid::new_v4(),
        );
        let link = format!("https://tillit.nordre-follo-og-omegn.kommune.no/i/{token}");
        let day = chrono::NaiveDate::from_ymd_opt(2027, 1, 15);
        for lang in Lang::ALL {
            for kind in [
                PlanMail::ConfirmationRequest,
                PlanMail::PlanChanged,
                PlanMail::CommitmentDue,
                PlanMail::CommitmentOverdue,
            ] {
                let sms = text(lang, kind, "Fjordvikkom", day, &link);
                assert!(!reveals_child_welfare(&sms), "{sms}");
                assert!(!sms.contains('{'), "{sms}");
                assert!(sms.contains(&link), "{sms}");
                assert!(segments(&sms) <= 2, "{} segments: {sms}", segments(&sms));
                if matches!(kind, PlanMail::CommitmentDue | PlanMail::CommitmentOverdue) {
                    assert!(sms.contains("15"), "the date: {sms}");
                }
            }
        }
    }
}
