//! How a service signs the emails it sends: a name that never reveals child welfare. Every
//! capability that mails someone (case reminders, council invitations, plan reminders) signs
//! through here.

use chrono_tz::Tz;
use diesel::PgConnection;

use super::settings::{ServiceSettings, SettingsError};
use crate::web::i18n::Lang;

/// Words that would tell a reader of an email that child welfare is involved. Emails and
/// calendar files must contain none of them, not even in the sender's name.
const REVEALING: [&str; 3] = ["barnevern", "child welfare", "child protection"];

/// Whether `text` names child welfare.
pub fn reveals_child_welfare(text: &str) -> bool {
    let lower = text.to_lowercase();
    REVEALING.iter().any(|w| lower.contains(w))
}

/// How the service signs a message, read with the service's settings in one query.
pub struct Signature {
    /// The configured sender name, else the service's name, unless that reveals child
    /// welfare — then Tillit's own.
    pub sender: String,
    pub reply_to: Option<String>,
    /// The sender the admin set for SMS (at most 11 letters or digits), if any.
    pub sms_sender: Option<String>,
    /// The service's language, for the message's text.
    pub lang: Lang,
    /// The service's time zone, for the times the message names.
    pub tz: Tz,
}

impl Signature {
    /// How a service with `settings` signs: its sender name or else its name, whichever does
    /// not reveal child welfare, or else "Tillit".
    pub fn of(settings: ServiceSettings) -> Self {
        let ServiceSettings {
            name,
            sender_name,
            reply_to,
            lang,
            tz,
            sms_sender,
            ..
        } = settings;
        let sender = [sender_name, Some(name)]
            .into_iter()
            .flatten()
            .find(|n| !reveals_child_welfare(n))
            .unwrap_or_else(|| "Tillit".to_owned());
        Self {
            sender,
            reply_to,
            sms_sender: sms_sender.filter(|s| !reveals_child_welfare(s)),
            lang,
            tz,
        }
    }

    /// The sender an SMS shows: the one the admin set, else the sender name cut to what a
    /// gateway takes.
    pub fn sms_sender_id(&self) -> String {
        self.sms_sender
            .clone()
            .unwrap_or_else(|| crate::sms::sender_id(&self.sender))
    }
}

/// The service as it signs its emails, with the language and zone the message is written in.
pub fn neutral_sender(conn: &mut PgConnection) -> Result<Signature, SettingsError> {
    Ok(Signature::of(ServiceSettings::load(conn)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revealing_words_are_found_in_any_case() {
        assert!(reveals_child_welfare("Vestfjord BARNEVERNTJENESTE"));
        assert!(reveals_child_welfare("Barnevernet i Lia"));
        assert!(reveals_child_welfare("Child Welfare Services"));
        assert!(!reveals_child_welfare("Fjordvik kommune"));
    }
}
