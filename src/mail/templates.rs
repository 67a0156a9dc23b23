//! Email content: subject, plain text and HTML from one set of values, with every text from the
//! message catalogue (`templates/i18n/<lang>.toml`, keys under `email.`). Templates live in
//! `templates/email/<name>/{subject.txt,body.txt,body.html}`.

use askama::Template;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::time::{date, moment};
use crate::web::i18n::{Lang, Tr};

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Replaces `{name}` placeholders in a catalogue text, in one pass: a value is put in as it is,
/// so a name or a comment that holds `{…}` is never read as a placeholder itself. A placeholder
/// with no value given stays as written.
pub fn fill(text: &str, values: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(text.len() + values.iter().map(|(_, v)| v.len()).sum::<usize>());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v, close))
        });
        match value {
            Some((v, close)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[derive(Template)]
#[template(path = "email/account_link/subject.txt")]
struct AccountLinkSubject<'a> {
    subject: &'a str,
}

#[derive(Template)]
#[template(path = "email/account_link/body.txt")]
struct AccountLinkText<'a> {
    tr: &'a Tr,
    intro: &'a str,
    action: &'a str,
    link: &'a str,
    expiry: &'a str,
    sender: &'a str,
}

#[derive(Template)]
#[template(path = "email/account_link/body.html")]
struct AccountLinkHtml<'a> {
    tr: &'a Tr,
    lang: &'a str,
    subject: &'a str,
    intro: &'a str,
    action: &'a str,
    link: &'a str,
    expiry: &'a str,
    sender: &'a str,
}

/// The email with an account link (setup, invitation or password reset) for a staff member of
/// `service`.
/// Which account link an email carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountMail {
    Setup,
    Invitation,
    PasswordReset,
}

pub fn account_link(
    lang: Lang,
    tz: Tz,
    purpose: AccountMail,
    service: &str,
    link: &str,
    expires: DateTime<Utc>,
) -> Rendered {
    let tr = Tr::new(lang);
    let (subject_key, intro_key, action_key) = match purpose {
        AccountMail::Setup => (
            "email.account.setup.subject",
            "email.account.setup.intro",
            "email.account.setup.action",
        ),
        AccountMail::Invitation => (
            "email.account.invitation.subject",
            "email.account.invitation.intro",
            "email.account.invitation.action",
        ),
        AccountMail::PasswordReset => (
            "email.account.reset.subject",
            "email.account.reset.intro",
            "email.account.reset.action",
        ),
    };
    let subject = tr.t(subject_key);
    let intro = fill(tr.t(intro_key), &[("service", service)]);
    let action = tr.t(action_key);
    let expiry = fill(
        tr.t("email.account.expiry"),
        &[("time", &moment(expires, tz, lang))],
    );
    let sender = fill(tr.t("email.signature"), &[("service", service)]);
    Rendered {
        subject: render(&AccountLinkSubject { subject }).trim().to_owned(),
        text: render(&AccountLinkText {
            tr: &tr,
            intro: &intro,
            action,
            link,
            expiry: &expiry,
            sender: &sender,
        }),
        html: render(&AccountLinkHtml {
            tr: &tr,
            lang: lang.as_str(),
            subject,
            intro: &intro,
            action,
            link,
            expiry: &expiry,
            sender: &sender,
        }),
    }
}

#[derive(Template)]
#[template(path = "email/reminder/subject.txt")]
struct ReminderSubject<'a> {
    subject: &'a str,
}

#[derive(Template)]
#[template(path = "email/reminder/body.txt")]
struct ReminderText<'a> {
    tr: &'a Tr,
    intro: &'a str,
    action: &'a str,
    link: &'a str,
    why: &'a str,
    sender: &'a str,
}

#[derive(Template)]
#[template(path = "email/reminder/body.html")]
struct ReminderHtml<'a> {
    tr: &'a Tr,
    lang: &'a str,
    subject: &'a str,
    intro: &'a str,
    action: &'a str,
    link: &'a str,
    why: &'a str,
    sender: &'a str,
}

/// The texts of one kind of reminder, from the catalogue.
struct ReminderTexts {
    subject: &'static str,
    intro: &'static str,
    action: &'static str,
    why: &'static str,
}

/// A reminder to staff with a link into Tillit, from `service`.
fn reminder(tr: &Tr, texts: ReminderTexts, service: &str, link: &str) -> Rendered {
    let sender = fill(tr.t("email.signature"), &[("service", service)]);
    Rendered {
        subject: render(&ReminderSubject {
            subject: texts.subject,
        })
        .trim()
        .to_owned(),
        text: render(&ReminderText {
            tr,
            intro: texts.intro,
            action: texts.action,
            link,
            why: texts.why,
            sender: &sender,
        }),
        html: render(&ReminderHtml {
            tr,
            lang: tr.lang().as_str(),
            subject: texts.subject,
            intro: texts.intro,
            action: texts.action,
            link,
            why: texts.why,
            sender: &sender,
        }),
    }
}

/// Which message a candidate home of a foster-home recruitment gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CandidateMail {
    /// The link to answer.
    Ask,
    /// The link to the self-information form.
    Form,
    /// The form is not submitted yet.
    Reminder,
}

/// A candidate home's email with their own link. Neutral: it names neither the child nor the
/// case nor anything that reveals child welfare; the page behind the link says the rest.
pub fn candidate(lang: Lang, which: CandidateMail, service: &str, link: &str) -> Rendered {
    let tr = Tr::new(lang);
    let (subject, intro) = match which {
        CandidateMail::Ask => ("email.candidate.ask_subject", "email.candidate.ask_intro"),
        CandidateMail::Form => ("email.candidate.form_subject", "email.candidate.form_intro"),
        CandidateMail::Reminder => (
            "email.candidate.reminder_subject",
            "email.candidate.reminder_intro",
        ),
    };
    let texts = ReminderTexts {
        subject: tr.t(subject),
        intro: tr.t(intro),
        action: tr.t("email.candidate.action"),
        why: tr.t("email.candidate.why"),
    };
    reminder(&tr, texts, service, link)
}

/// Which reminder the staff of a foster-home recruitment get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecruitmentStaffMail {
    /// To the foster care officer: a home's interviews are not recorded.
    InterviewsDue,
    /// To the caseworker: the decision after matching is overdue.
    DecisionOverdue,
}

/// A recruitment's reminder to its staff, as neutral as the other reminders: no child, no case,
/// no home; the page behind the sign-in says which.
pub fn recruitment_staff(
    lang: Lang,
    which: RecruitmentStaffMail,
    service: &str,
    link: &str,
) -> Rendered {
    let tr = Tr::new(lang);
    let (subject, intro) = match which {
        RecruitmentStaffMail::InterviewsDue => (
            "email.recruitment_staff.interviews_subject",
            "email.recruitment_staff.interviews_intro",
        ),
        RecruitmentStaffMail::DecisionOverdue => (
            "email.recruitment_staff.decision_subject",
            "email.recruitment_staff.decision_intro",
        ),
    };
    let texts = ReminderTexts {
        subject: tr.t(subject),
        intro: tr.t(intro),
        action: tr.t("email.recruitment_staff.action"),
        why: tr.t("email.recruitment_staff.why"),
    };
    reminder(&tr, texts, service, link)
}

/// The reminder that a network map is due for review. Neutral on purpose: it names neither the
/// child nor the case, nor says what kind of service sends it beyond the sender's name; the link
/// leads to a page that asks the reader to sign in.
pub fn map_review(lang: Lang, service: &str, link: &str) -> Rendered {
    let tr = Tr::new(lang);
    let texts = ReminderTexts {
        subject: tr.t("email.map_review.subject"),
        intro: tr.t("email.map_review.intro"),
        action: tr.t("email.map_review.action"),
        why: tr.t("email.map_review.why"),
    };
    reminder(&tr, texts, service, link)
}

/// The notice that a case's acute list was opened by someone not assigned to the case (the
/// on-call service). As neutral as the reminders: no child, no case, no opener; the case page
/// says it to whoever signs in.
pub fn acute_opened(lang: Lang, service: &str, link: &str) -> Rendered {
    let tr = Tr::new(lang);
    let texts = ReminderTexts {
        subject: tr.t("email.acute_opened.subject"),
        intro: tr.t("email.acute_opened.intro"),
        action: tr.t("email.acute_opened.action"),
        why: tr.t("email.acute_opened.why"),
    };
    reminder(&tr, texts, service, link)
}

/// The reminder that a child of a case is turning 17½ and the transition meeting is due. As
/// neutral as the map reminder: no name, no age, nothing that says what the meeting is about; the
/// case page says it to whoever signs in.
pub fn transition_meeting(lang: Lang, service: &str, link: &str) -> Rendered {
    let tr = Tr::new(lang);
    let texts = ReminderTexts {
        subject: tr.t("email.transition_meeting.subject"),
        intro: tr.t("email.transition_meeting.intro"),
        action: tr.t("email.transition_meeting.action"),
        why: tr.t("email.transition_meeting.why"),
    };
    reminder(&tr, texts, service, link)
}

#[derive(Template)]
#[template(path = "email/meeting/subject.txt")]
struct MeetingSubject<'a> {
    subject: &'a str,
}

#[derive(Template)]
#[template(path = "email/meeting/body.txt")]
struct MeetingText<'a> {
    tr: &'a Tr,
    intro: &'a str,
    when: Option<&'a str>,
    action: &'a str,
    link: Option<&'a str>,
    why: &'a str,
    sender: &'a str,
}

#[derive(Template)]
#[template(path = "email/meeting/body.html")]
struct MeetingHtml<'a> {
    tr: &'a Tr,
    lang: &'a str,
    subject: &'a str,
    intro: &'a str,
    when: Option<&'a str>,
    action: &'a str,
    link: Option<&'a str>,
    why: &'a str,
    sender: &'a str,
}

/// Which message about a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingMail {
    Invitation,
    Changed,
    Cancelled,
    /// The person's own copy of a meeting that stands is cancelled: they were taken off the
    /// team, or their link was revoked.
    Withdrawn,
    Chase,
    Reminder,
    /// To the coordinator: preparation, a consent or a waiver is missing.
    PreparationMissing,
}

/// The neutral title of a meeting in a calendar.
pub fn meeting_title(lang: Lang) -> &'static str {
    Tr::new(lang).t("email.meeting.title")
}

/// A message about a meeting. Neutral on purpose, whoever reads it over the recipient's shoulder:
/// it says there is a meeting and when, and that the details are behind the link — never what
/// the meeting is about, where, who else comes, or whose it is. `sender` must already be neutral
/// (see `tenancy::sender::neutral_sender`).
pub fn meeting(
    lang: Lang,
    kind: MeetingMail,
    sender: &str,
    starts_at: Option<DateTime<Utc>>,
    tz: Tz,
    link: Option<&str>,
) -> Rendered {
    let tr = Tr::new(lang);
    let (subject, intro) = match kind {
        MeetingMail::Invitation => (
            tr.t("email.meeting.invitation.subject"),
            tr.t("email.meeting.invitation.intro"),
        ),
        MeetingMail::Changed => (
            tr.t("email.meeting.changed.subject"),
            tr.t("email.meeting.changed.intro"),
        ),
        MeetingMail::Cancelled => (
            tr.t("email.meeting.cancelled.subject"),
            tr.t("email.meeting.cancelled.intro"),
        ),
        MeetingMail::Withdrawn => (
            tr.t("email.meeting_withdrawn.subject"),
            tr.t("email.meeting_withdrawn.intro"),
        ),
        MeetingMail::Chase => (
            tr.t("email.meeting.chase.subject"),
            tr.t("email.meeting.chase.intro"),
        ),
        MeetingMail::Reminder => (
            tr.t("email.meeting.reminder.subject"),
            tr.t("email.meeting.reminder.intro"),
        ),
        MeetingMail::PreparationMissing => (
            tr.t("email.meeting.preparation.subject"),
            tr.t("email.meeting.preparation.intro"),
        ),
    };
    let (action, why) = match kind {
        MeetingMail::PreparationMissing => (
            tr.t("email.meeting.preparation.action"),
            tr.t("email.meeting.preparation.why"),
        ),
        _ => (tr.t("email.meeting.action"), tr.t("email.meeting.why")),
    };
    let when = match (kind, starts_at) {
        (_, Some(at)) => fill(
            tr.t("email.meeting.when"),
            &[("time", &moment(at, tz, lang))],
        ),
        (
            MeetingMail::Cancelled | MeetingMail::Withdrawn | MeetingMail::PreparationMissing,
            None,
        ) => String::new(),
        (_, None) => tr.t("email.meeting.no_time").to_owned(),
    };
    let when = (!when.is_empty()).then_some(when.as_str());
    let sender = fill(tr.t("email.signature"), &[("service", sender)]);
    Rendered {
        subject: render(&MeetingSubject { subject }).trim().to_owned(),
        text: render(&MeetingText {
            tr: &tr,
            intro,
            when,
            action,
            link,
            why,
            sender: &sender,
        }),
        html: render(&MeetingHtml {
            tr: &tr,
            lang: lang.as_str(),
            subject,
            intro,
            when,
            action,
            link,
            why,
            sender: &sender,
        }),
    }
}

#[derive(Template)]
#[template(path = "email/plan/subject.txt")]
struct PlanSubject<'a> {
    subject: &'a str,
}

#[derive(Template)]
#[template(path = "email/plan/body.txt")]
struct PlanText<'a> {
    tr: &'a Tr,
    intro: &'a str,
    when: Option<&'a str>,
    action: &'a str,
    link: Option<&'a str>,
    why: &'a str,
    sender: &'a str,
}

#[derive(Template)]
#[template(path = "email/plan/body.html")]
struct PlanHtml<'a> {
    tr: &'a Tr,
    lang: &'a str,
    subject: &'a str,
    intro: &'a str,
    when: Option<&'a str>,
    action: &'a str,
    link: Option<&'a str>,
    why: &'a str,
    sender: &'a str,
}

/// Which message about a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanMail {
    /// To a participant: the plan awaits their approval.
    ConfirmationRequest,
    /// To a participant who had approved: the plan was taken back to be changed.
    PlanChanged,
    /// To the person who committed: the due date is near.
    CommitmentDue,
    /// To the person who committed: the due date has passed.
    CommitmentOverdue,
    /// To the coordinator: the evaluation is due and its follow-up is opened.
    EvaluationDue,
    /// To the coordinator: a follow-up took place and no evaluation is recorded.
    EvaluationUndocumented,
    /// To the coordinator: the follow-up of an evaluation opened ahead of its date.
    FollowUpOpened,
}

/// A message about a plan. Neutral on purpose, like the meeting messages: it says there is
/// something to confirm, do or follow up and when, and that the details are behind the link —
/// never what, for whom, or who else is involved. `sender` must already be neutral.
pub fn plan(
    lang: Lang,
    kind: PlanMail,
    sender: &str,
    day: Option<chrono::NaiveDate>,
    link: &str,
) -> Rendered {
    let tr = Tr::new(lang);
    let (subject, intro, action, why) = match kind {
        PlanMail::ConfirmationRequest => (
            "email.plan.confirmation.subject",
            "email.plan.confirmation.intro",
            "email.plan.confirmation.action",
            "email.plan.confirmation.why",
        ),
        PlanMail::PlanChanged => (
            "email.plan.changed.subject",
            "email.plan.changed.intro",
            "email.plan.changed.action",
            "email.plan.changed.why",
        ),
        PlanMail::CommitmentDue => (
            "email.plan.due.subject",
            "email.plan.due.intro",
            "email.plan.due.action",
            "email.plan.due.why",
        ),
        PlanMail::CommitmentOverdue => (
            "email.plan.overdue.subject",
            "email.plan.overdue.intro",
            "email.plan.overdue.action",
            "email.plan.overdue.why",
        ),
        PlanMail::EvaluationDue => (
            "email.plan.evaluation_due.subject",
            "email.plan.evaluation_due.intro",
            "email.plan.evaluation_due.action",
            "email.plan.evaluation_due.why",
        ),
        PlanMail::EvaluationUndocumented => (
            "email.plan.undocumented.subject",
            "email.plan.undocumented.intro",
            "email.plan.undocumented.action",
            "email.plan.undocumented.why",
        ),
        PlanMail::FollowUpOpened => (
            "email.plan.follow_up_opened.subject",
            "email.plan.follow_up_opened.intro",
            "email.plan.follow_up_opened.action",
            "email.plan.follow_up_opened.why",
        ),
    };
    let (subject, intro, action, why) = (tr.t(subject), tr.t(intro), tr.t(action), tr.t(why));
    let when = day.map(|d| fill(tr.t("email.plan.date"), &[("date", &date(d, lang))]));
    let sender = fill(tr.t("email.signature"), &[("service", sender)]);
    Rendered {
        subject: render(&PlanSubject { subject }).trim().to_owned(),
        text: render(&PlanText {
            tr: &tr,
            intro,
            when: when.as_deref(),
            action,
            link: Some(link),
            why,
            sender: &sender,
        }),
        html: render(&PlanHtml {
            tr: &tr,
            lang: lang.as_str(),
            subject,
            intro,
            when: when.as_deref(),
            action,
            link: Some(link),
            why,
            sender: &sender,
        }),
    }
}

/// Templates are checked at compile time; rendering fails only on a formatter error, which a
/// `String` never raises.
fn render(template: &impl Template) -> String {
    template
        .render()
        .expect("rendering into a String does not fail")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn fill_puts_each_value_in_once_and_leaves_unknown_placeholders() {
        assert_eq!(
            fill(
                "{name} kommer {day}, {unknown} {",
                &[("name", "Ola {day}"), ("day", "mandag")]
            ),
            "Ola {day} kommer mandag, {unknown} {"
        );
        assert_eq!(
            fill("ingen plassholdere", &[("x", "y")]),
            "ingen plassholdere"
        );
    }

    fn example(lang: Lang, purpose: AccountMail) -> Rendered {
        account_link(
            lang,
            chrono_tz::Europe::Oslo,
            purpose,
            "Fjordvik & Lia barneverntjeneste",
            "https://tillit.example.no/setup/tla_abc",
            Utc.with_ymd_and_hms(2026, 11, 25, 8, 15, 0).unwrap(),
        )
    }

    /// Snapshot: the whole Norwegian setup email, so a change to its wording is a visible diff.
    #[test]
    fn setup_email_in_bokmal() {
        let mail = example(Lang::Nb, AccountMail::Setup);
        assert_eq!(mail.subject, "Sett opp kontoen din i Tillit");
        assert_eq!(
            mail.text,
            "Hei!\n\n\
             Du er lagt inn som administrator for Fjordvik & Lia barneverntjeneste i Tillit. \
             Velg et passord og fullfør oppsettet av tjenesten.\n\n\
             Sett opp kontoen:\nhttps://tillit.example.no/setup/tla_abc\n\n\
             Lenken kan brukes én gang og virker til 25.11.2026 kl. 09:15.\n\n\
             Hvis du ikke ventet denne e-posten, kan du se bort fra den.\n\n\
             Hilsen Fjordvik & Lia barneverntjeneste"
        );
        assert!(mail.html.contains("<html lang=\"nb\">"));
        assert!(
            mail.html.contains("Fjordvik &#38; Lia") && !mail.html.contains("Fjordvik & Lia"),
            "HTML is escaped: {}",
            mail.html
        );
        assert!(
            mail.html
                .contains("href=\"https://tillit.example.no/setup/tla_abc\"")
        );
    }

    /// Snapshot of the map reminder: nothing in it about the child, the case or child welfare.
    #[test]
    fn the_map_reminder_is_neutral() {
        let mail = map_review(
            Lang::Nb,
            "Fjordvik kommune",
            "https://tillit.example.no/cases/0190a4c2-0000-7000-8000-000000000001",
        );
        assert_eq!(mail.subject, "Påminnelse fra Tillit");
        assert_eq!(
            mail.text,
            "Hei!\n\n\
             Det er tid for å gå gjennom et nettverkskart du er ansvarlig for i Tillit. \
             Logg inn for å se hvilket.\n\n\
             Åpne i Tillit:\nhttps://tillit.example.no/cases/0190a4c2-0000-7000-8000-000000000001\n\n\
             Du får denne påminnelsen fordi du er satt opp som ansvarlig i Tillit.\n\n\
             Hilsen Fjordvik kommune"
        );
        for lang in Lang::ALL {
            let mail = map_review(lang, "Fjordvik kommune", "https://x.example/cases/1");
            for text in [&mail.subject, &mail.text, &mail.html] {
                let lower = text.to_lowercase();
                for word in [
                    "barnevern",
                    "child welfare",
                    "barn ",
                    "child ",
                    "sak ",
                    "case ",
                ] {
                    assert!(!lower.contains(word), "{word:?} in {text}");
                }
            }
            assert!(mail.html.contains("href=\"https://x.example/cases/1\""));
        }
    }

    /// Snapshot of the 17½ reminder, and the same neutrality as the map reminder: not a word
    /// about a child, a case, an age or child welfare, in either language.
    #[test]
    fn the_transition_reminder_is_neutral() {
        let mail = transition_meeting(
            Lang::Nb,
            "Fjordvik kommune",
            "https://tillit.example.no/cases/0190a4c2-0000-7000-8000-000000000001",
        );
        assert_eq!(mail.subject, "Et møte å planlegge i Tillit");
        assert_eq!(
            mail.text,
            "Hei!\n\n\
             Det er tid for å planlegge et møte om veien videre for en du er ansvarlig for i \
             Tillit. Logg inn for å se hvem det gjelder.\n\n\
             Åpne i Tillit:\nhttps://tillit.example.no/cases/0190a4c2-0000-7000-8000-000000000001\n\n\
             Du får denne påminnelsen fordi du er satt opp som ansvarlig i Tillit.\n\n\
             Hilsen Fjordvik kommune"
        );
        let english = transition_meeting(Lang::En, "Fjordvik kommune", "https://x.example/cases/1");
        assert_eq!(english.subject, "A meeting to plan in Tillit");
        assert!(
            english
                .text
                .contains("It is time to plan a meeting about the way ahead for someone"),
            "{}",
            english.text
        );
        for lang in Lang::ALL {
            let mail = transition_meeting(lang, "Fjordvik kommune", "https://x.example/cases/1");
            assert_ne!(
                mail.subject,
                map_review(lang, "Fjordvik kommune", "https://x.example/cases/1").subject,
                "a reader can tell the two reminders apart"
            );
            for text in [&mail.subject, &mail.text, &mail.html] {
                let lower = text.to_lowercase();
                for word in [
                    "barnevern",
                    "child welfare",
                    "barn",
                    "child",
                    "ungdom",
                    "youth",
                    "17",
                    "18",
                    "sak ",
                    "case ",
                    "ettervern",
                    "after-care",
                ] {
                    assert!(!lower.contains(word), "{word:?} in {text}");
                }
            }
            assert!(mail.html.contains("href=\"https://x.example/cases/1\""));
            assert!(
                mail.html
                    .contains(&format!("<html lang=\"{}\">", lang.as_str()))
            );
        }
    }

    /// Snapshot of the invitation, and every meeting message in both languages is neutral.
    #[test]
    fn meeting_messages_are_neutral_and_carry_the_link() {
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 17, 0, 0).unwrap();
        let link = "https://tillit.example.no/i/tli_abc";
        let mail = meeting(
            Lang::Nb,
            MeetingMail::Invitation,
            "Fjordvik kommune",
            Some(at),
            chrono_tz::Europe::Oslo,
            Some(link),
        );
        assert_eq!(mail.subject, "Invitasjon til et møte");
        assert_eq!(
            mail.text,
            "Hei!\n\n\
             Du er invitert til et møte. Alt om møtet står på siden bak lenken, der du også kan \
             svare om du kommer.\n\n\
             Tid: 03.12.2026 kl. 18:00\n\n\
             Se møtet og svar:\nhttps://tillit.example.no/i/tli_abc\n\n\
             Lenken er personlig. Ikke del den med andre.\n\n\
             Hilsen Fjordvik kommune"
        );
        let english = meeting(
            Lang::En,
            MeetingMail::Changed,
            "Fjordvik kommune",
            Some(at),
            chrono_tz::Europe::Oslo,
            Some(link),
        );
        assert_eq!(english.subject, "A meeting has changed");
        assert!(
            english.text.contains("When: 2026-12-03 18:00"),
            "{}",
            english.text
        );
        for lang in Lang::ALL {
            for kind in [
                MeetingMail::Invitation,
                MeetingMail::Changed,
                MeetingMail::Cancelled,
                MeetingMail::Withdrawn,
                MeetingMail::Chase,
                MeetingMail::Reminder,
                MeetingMail::PreparationMissing,
            ] {
                for start in [Some(at), None] {
                    let mail = meeting(
                        lang,
                        kind,
                        "Fjordvik kommune",
                        start,
                        chrono_tz::Europe::Oslo,
                        Some(link),
                    );
                    for text in [&mail.subject, &mail.text, &mail.html] {
                        let lower = text.to_lowercase();
                        for word in [
                            "barnevern",
                            "child welfare",
                            "barn ",
                            "child ",
                            "sak ",
                            "case ",
                        ] {
                            assert!(!lower.contains(word), "{word:?} in {text}");
                        }
                        assert!(!text.contains('{'), "unfilled placeholder in {text}");
                    }
                    assert!(mail.html.contains(&format!("href=\"{link}\"")));
                }
            }
        }
    }

    #[test]
    fn every_purpose_in_both_languages_has_its_own_subject_and_the_link() {
        for lang in Lang::ALL {
            // In one language each purpose has a subject of its own (bokmål and nynorsk may
            // well say the same).
            let mut subjects = std::collections::HashSet::new();
            for purpose in [
                AccountMail::Setup,
                AccountMail::Invitation,
                AccountMail::PasswordReset,
            ] {
                let mail = example(lang, purpose);
                assert!(subjects.insert(mail.subject.clone()), "{}", mail.subject);
                assert!(
                    mail.text
                        .contains("https://tillit.example.no/setup/tla_abc")
                );
                assert!(!mail.text.contains('{') && !mail.html.contains("{service}"));
            }
        }
        assert!(
            example(Lang::En, AccountMail::PasswordReset)
                .text
                .contains("2026-11-25 09:15")
        );
    }

    /// Snapshot of the commitment reminder, and every plan message in both languages is neutral
    /// and carries the link.
    #[test]
    fn plan_messages_are_neutral_and_carry_the_link() {
        let link = "https://tillit.example.no/i/tli_abc";
        let day = chrono::NaiveDate::from_ymd_opt(2027, 1, 15).unwrap();
        let mail = plan(
            Lang::Nb,
            PlanMail::CommitmentDue,
            "Fjordvik kommune",
            Some(day),
            link,
        );
        assert_eq!(mail.subject, "Påminnelse om noe du har sagt ja til");
        assert_eq!(
            mail.text,
            "Hei!\n\n\
             Snart er det tid for noe du har sagt ja til å gjøre. Se hva på siden bak lenken, \
             og merk det som gjort når det er gjort.\n\n\
             Innen: 15.01.2027\n\n\
             Se og merk som gjort:\nhttps://tillit.example.no/i/tli_abc\n\n\
             Lenken er personlig. Ikke del den med andre.\n\n\
             Hilsen Fjordvik kommune"
        );
        let english = plan(
            Lang::En,
            PlanMail::CommitmentOverdue,
            "Fjordvik kommune",
            Some(day),
            link,
        );
        assert!(english.text.contains("By: 2027-01-15"), "{}", english.text);
        let mut subjects = std::collections::HashSet::new();
        for lang in Lang::ALL {
            for kind in [
                PlanMail::ConfirmationRequest,
                PlanMail::PlanChanged,
                PlanMail::CommitmentDue,
                PlanMail::CommitmentOverdue,
                PlanMail::EvaluationDue,
                PlanMail::EvaluationUndocumented,
                PlanMail::FollowUpOpened,
            ] {
                for d in [Some(day), None] {
                    let mail = plan(lang, kind, "Fjordvik kommune", d, link);
                    for text in [&mail.subject, &mail.text, &mail.html] {
                        let lower = text.to_lowercase();
                        for word in [
                            "barnevern",
                            "child welfare",
                            "barn ",
                            "barnet",
                            "child ",
                            "sak ",
                            "case ",
                        ] {
                            assert!(!lower.contains(word), "{word:?} in {text}");
                        }
                        assert!(!text.contains('{'), "unfilled placeholder in {text}");
                    }
                    assert!(mail.html.contains(&format!("href=\"{link}\"")));
                    assert!(mail.text.contains(link));
                }
                assert!(subjects.insert(format!(
                    "{}:{}",
                    lang.as_str(),
                    plan(lang, kind, "x", None, link).subject
                )));
            }
        }
    }
}
