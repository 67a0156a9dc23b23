//! Outgoing email through lettre: one `.eml` file per message in development (`mail_transport =
//! "file"`), SMTP over connections kept open between messages otherwise ([`smtp`]).
//!
//! Sending is synchronous on purpose: a job holds its row lock while the message is handed over,
//! so the row is marked done in the same transaction that sent it. Callers run it on the blocking
//! pool. The Message-ID comes from the job row, so a retry after an unknown outcome carries the
//! same id and the receiving side can recognise it.

pub mod smtp;
pub mod templates;

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::{Address, FileTransport, Message, Transport};
use secrecy::ExposeSecret;

use crate::config::{MailTransport, Settings};
use crate::fields::Email;

/// A calendar file to attach (an invitation's `.ics`).
#[derive(Debug, Clone)]
pub struct CalendarFile {
    /// `REQUEST` or `CANCEL`, as in the file.
    pub method: &'static str,
    pub content: String,
}

/// One message, ready to send.
#[derive(Debug, Clone)]
pub struct OutgoingEmail {
    pub to: Email,
    /// The display name it comes from: the service's configured sender name.
    pub sender_name: String,
    pub reply_to: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Without angle brackets, e.g. `job-…@tillit.example.no`.
    pub message_id: String,
    pub calendar: Option<CalendarFile>,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the message could not be built: {0}")]
    Build(String),
    #[error("the mail server did not take the message: {0}")]
    Send(String),
}

enum Sender {
    File(FileTransport),
    Smtp(smtp::SmtpServer),
}

pub struct Mailer {
    sender: Sender,
    from: Address,
    /// The domain used in Message-IDs.
    id_domain: String,
}

impl Mailer {
    pub fn from_settings(settings: &Settings) -> Result<Self, MailError> {
        let from: Address = settings
            .mail
            .from_address
            .parse()
            .map_err(|e| MailError::Build(format!("mail.from_address: {e}")))?;
        let sender = match settings.mail_transport {
            MailTransport::File => {
                std::fs::create_dir_all(&settings.mail_dir).map_err(|e| {
                    MailError::Build(format!(
                        "cannot create {}: {e}",
                        settings.mail_dir.display()
                    ))
                })?;
                Sender::File(FileTransport::new(PathBuf::from(&settings.mail_dir)))
            }
            MailTransport::Smtp => {
                // Every job running at once keeps a connection of its own: fewer would be opened
                // and closed again for the messages in between.
                let kept = (settings.mail.smtp_pool_size as usize).max(settings.jobs.concurrency);
                let server = smtp::SmtpServer::from_url(
                    settings.smtp_url.expose_secret(),
                    Some(Duration::from_secs(settings.mail.smtp_timeout_secs)),
                    kept,
                )
                .map_err(|e| MailError::Build(format!("smtp_url: {e}")))?;
                Sender::Smtp(server)
            }
        };
        let id_domain = url::Url::parse(&settings.base_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| "tillit.invalid".into());
        Ok(Self {
            sender,
            from,
            id_domain,
        })
    }

    /// A Message-ID for the job row `id`: the same for every attempt at that row. A job that
    /// mails several people names each message with [`per_recipient`].
    pub fn message_id_for(&self, id: uuid::Uuid) -> String {
        format!("{id}@{}", self.id_domain)
    }

    /// The address every message comes from (also the organizer of calendar files).
    pub fn from_address(&self) -> String {
        self.from.to_string()
    }

    /// The service's host name, as used in Message-IDs and calendar UIDs.
    pub fn id_domain(&self) -> &str {
        &self.id_domain
    }

    pub fn send(&self, email: &OutgoingEmail) -> Result<(), MailError> {
        let message = self.build(email)?;
        match &self.sender {
            Sender::File(t) => t
                .send(&message)
                .map(|_| ())
                .map_err(|e| MailError::Send(e.to_string())),
            Sender::Smtp(server) => {
                // lettre builds the message from Strings and encodes what is not ASCII: the
                // content is text.
                let content = String::from_utf8(message.formatted())
                    .map_err(|e| MailError::Build(e.to_string()))?;
                server
                    .send(message.envelope(), &content)
                    .map_err(|e| MailError::Send(e.to_string()))
            }
        }
    }

    /// Whether the SMTP server answers (always true for the file transport), for `/readyz`.
    pub fn reachable(&self) -> bool {
        match &self.sender {
            Sender::File(_) => true,
            Sender::Smtp(server) => server.reachable(),
        }
    }

    fn build(&self, email: &OutgoingEmail) -> Result<Message, MailError> {
        let to: Address = email
            .to
            .as_str()
            .parse()
            .map_err(|e| MailError::Build(format!("recipient: {e}")))?;
        let mut builder = Message::builder()
            .from(Mailbox::new(
                Some(email.sender_name.clone()),
                self.from.clone(),
            ))
            .to(Mailbox::new(None, to))
            .subject(&email.subject)
            .message_id(Some(format!("<{}>", email.message_id)));
        if let Some(reply_to) = &email.reply_to {
            let address: Address = reply_to
                .parse()
                .map_err(|e| MailError::Build(format!("reply-to: {e}")))?;
            builder = builder.reply_to(Mailbox::new(Some(email.sender_name.clone()), address));
        }
        let body = MultiPart::alternative_plain_html(email.text.clone(), email.html.clone());
        let message = match &email.calendar {
            None => builder.multipart(body),
            Some(calendar) => {
                let content_type = ContentType::parse(&format!(
                    "text/calendar; charset=utf-8; method={}",
                    calendar.method
                ))
                .map_err(|e| MailError::Build(e.to_string()))?;
                builder.multipart(
                    MultiPart::mixed().multipart(body).singlepart(
                        Attachment::new("invitation.ics".into())
                            .body(calendar.content.clone(), content_type),
                    ),
                )
            }
        };
        message.map_err(|e| MailError::Build(e.to_string()))
    }
}

/// The id of the message from job row `job` to `recipient`, for [`Mailer::message_id_for`]: the
/// same on every attempt, different for each recipient, so a retried job that mails several
/// people never sends two messages under one Message-ID.
pub fn per_recipient(job: uuid::Uuid, recipient: uuid::Uuid) -> uuid::Uuid {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(job.as_bytes())
        .chain_update(recipient.as_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Uuid::from_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_recipient_has_a_stable_message_id_of_their_own() {
        let job = uuid::Uuid::from_u128(1);
        let (a, b) = (uuid::Uuid::from_u128(2), uuid::Uuid::from_u128(3));
        assert_eq!(per_recipient(job, a), per_recipient(job, a));
        assert_ne!(per_recipient(job, a), per_recipient(job, b));
        assert_ne!(
            per_recipient(job, a),
            per_recipient(uuid::Uuid::from_u128(4), a)
        );
    }
}
