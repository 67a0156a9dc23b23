//! The emails a test receives, read with the `mail-parser` crate (MIME structure, quoted-printable
//! and base64 bodies, RFC 2047 subjects) as a mail client would read them.

use mail_parser::{MessageParser, MimeHeaders, PartType};

/// One message as its reader sees it, and as it was sent.
#[derive(Debug, Clone)]
pub struct Mail {
    /// The message as the SMTP server received it.
    pub raw: String,
    /// The subject, decoded.
    pub subject: String,
    /// The plain-text part, decoded, with `\n` line ends.
    pub text: String,
    /// The HTML part, decoded, with `\n` line ends.
    pub html: String,
    /// Every other part (the invitations' `.ics`).
    pub attachments: Vec<Attachment>,
    /// The top-level headers as sent: name and value, folded lines joined.
    pub headers: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct Attachment {
    /// `type/subtype`, lower case.
    pub content_type: String,
    pub name: Option<String>,
    /// The decoded content, as text.
    pub content: String,
}

impl Mail {
    pub fn parse(raw: String) -> Self {
        let message = MessageParser::default()
            .parse(raw.as_bytes())
            .expect("a message mail-parser reads");
        let lines = |s: &str| s.replace("\r\n", "\n");
        let text = message
            .text_bodies()
            .filter(|p| p.is_content_type("text", "plain"))
            .filter_map(|p| p.text_contents())
            .map(lines)
            .collect();
        let html = message
            .html_bodies()
            .filter(|p| p.is_content_type("text", "html"))
            .filter_map(|p| p.text_contents())
            .map(lines)
            .collect();
        let attachments = message
            .parts
            .iter()
            .filter(|part| !matches!(part.body, PartType::Multipart(_) | PartType::Message(_)))
            .filter(|part| {
                !part.is_content_type("text", "plain") && !part.is_content_type("text", "html")
            })
            .map(|part| Attachment {
                content_type: part
                    .content_type()
                    .map(|t| {
                        format!("{}/{}", t.ctype(), t.subtype().unwrap_or_default())
                            .to_ascii_lowercase()
                    })
                    .unwrap_or_default(),
                name: part.attachment_name().map(str::to_owned),
                content: String::from_utf8_lossy(part.contents()).into_owned(),
            })
            .collect();
        let headers = message
            .headers_raw()
            .map(|(name, value)| {
                let unfolded: Vec<&str> = value.lines().map(str::trim).collect();
                (name.to_owned(), unfolded.join(" ").trim().to_owned())
            })
            .collect();
        Self {
            subject: message.subject().unwrap_or_default().to_owned(),
            text,
            html,
            attachments,
            headers,
            raw,
        }
    }

    /// The value of header `name` as sent (the first one, folded lines joined).
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }

    /// The recipient, as sent.
    pub fn to(&self) -> String {
        self.header("To").expect("a To header")
    }

    /// Whether this is the service admin's setup email, which every new service sends.
    pub fn is_setup_email(&self) -> bool {
        self.header("To").unwrap_or_default().starts_with("admin@")
    }

    /// The `.ics` attached to an invitation, if any.
    pub fn calendar(&self) -> Option<&str> {
        self.attachments
            .iter()
            .find(|a| {
                a.content_type == "text/calendar"
                    || a.name.as_deref().is_some_and(|n| n.ends_with(".ics"))
            })
            .map(|a| a.content.as_str())
    }

    /// Everything in the message, raw and decoded: for checking what must never be in it.
    pub fn everything(&self) -> String {
        let mut all = format!(
            "{}\n{}\n{}\n{}",
            self.raw, self.subject, self.text, self.html
        );
        for attachment in &self.attachments {
            all.push('\n');
            all.push_str(&attachment.content);
        }
        all
    }
}

/// The recipients of `mails`, sorted.
pub fn recipients(mails: &[Mail]) -> Vec<String> {
    let mut to: Vec<String> = mails.iter().map(Mail::to).collect();
    to.sort();
    to
}

/// The Message-ID of each of `mails`, in their order.
pub fn message_ids(mails: &[Mail]) -> Vec<String> {
    mails
        .iter()
        .map(|m| {
            m.header("Message-ID")
                .expect("every message has a Message-ID")
        })
        .collect()
}
