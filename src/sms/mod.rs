//! Outgoing SMS through a gateway behind [`SmsGateway`]: one file per message in development
//! (`sms_transport = "file"`), LINK Mobility's Common Platform REST API otherwise
//! ([`linkmobility`]). A second gateway is one more file implementing the trait.
//!
//! Like the mail, sending is synchronous: a job holds its row lock while the gateway takes the
//! message. What went out is kept in `sms_messages` ([`outbox`]), with the gateway's delivery state
//! as its reports arrive on the webhook ([`hooks`]).

pub mod file;
pub mod hooks;
pub mod linkmobility;
pub mod outbox;

use crate::config::{Settings, SmsTransport};

/// One message, ready to send.
#[derive(Debug, Clone)]
pub struct OutgoingSms {
    /// E.164, e.g. `+4791234568`.
    pub to: String,
    /// The alphanumeric sender (at most 11 characters), see [`sender_id`].
    pub sender: String,
    pub text: String,
    /// Ours, sent along and returned in the delivery report: `{tenant}:{message id}`.
    pub reference: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    /// The gateway refused the message; sending it again will not help.
    #[error("the SMS gateway refused the message: {0}")]
    Refused(String),
    /// The gateway did not answer, or answered that it cannot take it now.
    #[error("the SMS gateway is unavailable: {0}")]
    Unavailable(String),
}

/// What a gateway answers when it has taken a message.
#[derive(Debug, Clone)]
pub struct Accepted {
    /// The gateway's id of the message, which its delivery reports name.
    pub gateway_id: String,
}

/// A way of sending SMS.
pub trait SmsGateway: Send + Sync {
    /// The gateway's name as stored with each message (`file`, `linkmobility`).
    fn name(&self) -> &'static str;
    fn send(&self, sms: &OutgoingSms) -> Result<Accepted, SmsError>;
}

/// The configured gateway.
pub fn from_settings(settings: &Settings) -> Result<Box<dyn SmsGateway>, SmsError> {
    Ok(match settings.sms_transport {
        SmsTransport::File => Box::new(file::FileGateway::new(&settings.sms_dir)?),
        SmsTransport::Http => Box::new(linkmobility::LinkMobility::from_settings(settings)?),
    })
}

/// The sender an SMS shows: the service's sender name with what a gateway does not take left
/// out, at most 11 letters or digits (GSM's limit for an alphanumeric sender); Tillit's own if
/// nothing is left.
pub fn sender_id(name: &str) -> String {
    let kept: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, 'æ' | 'ø' | 'å' | 'Æ' | 'Ø' | 'Å'))
        .take(11)
        .collect();
    if kept.is_empty() {
        "Tillit".to_owned()
    } else {
        kept
    }
}

/// Whether `name` can be an SMS sender as the admin sets it: 1–11 ASCII letters or digits.
pub fn valid_sender(name: &str) -> bool {
    (1..=11).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric())
}

/// GSM 03.38's basic character set; a text of only these goes 160 characters to a segment.
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// Characters of the extension table: each takes two places.
const GSM7_EXTENDED: &str = "^{}\\[~]|€\u{c}";

/// How many SMS segments `text` takes: GSM-7 160 in one, 153 each when split; UCS-2 70 / 67.
pub fn segments(text: &str) -> usize {
    let septets: Option<usize> = text
        .chars()
        .map(|c| {
            if GSM7_BASIC.contains(c) {
                Some(1)
            } else if GSM7_EXTENDED.contains(c) {
                Some(2)
            } else {
                None
            }
        })
        .sum();
    let (length, single, each) = match septets {
        Some(n) => (n, 160, 153),
        None => (text.encode_utf16().count(), 70, 67),
    };
    if length <= single {
        1
    } else {
        length.div_ceil(each)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_count_gsm7_and_ucs2() {
        assert_eq!(segments(&"a".repeat(160)), 1);
        assert_eq!(segments(&"a".repeat(161)), 2);
        assert_eq!(segments(&"å".repeat(306)), 2, "æøå are GSM-7");
        assert_eq!(segments(&"€".repeat(80)), 1);
        assert_eq!(segments(&"€".repeat(81)), 2);
        assert_eq!(segments(&"ł".repeat(71)), 2, "outside GSM-7: UCS-2");
    }

    #[test]
    fn the_sender_is_at_most_eleven_letters_or_digits() {
        assert_eq!(sender_id("Fjordvik kommune"), "Fjordvikkom");
        assert_eq!(sender_id("Lia"), "Lia");
        assert_eq!(sender_id("–"), "Tillit");
        assert!(sender_id("Øvre Årdal familiesenter").chars().count() <= 11);
        assert!(valid_sender("Fjordvik") && valid_sender("Kommune2026"));
        assert!(!valid_sender("Fjordvik kommune") && !valid_sender("Lia k") && !valid_sender(""));
        assert!(!valid_sender("Øvre"));
    }
}
