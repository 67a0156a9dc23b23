//! SMTP over connections kept open from one message to the next.
//!
//! lettre opens the connections (implicit TLS, STARTTLS, authentication) and speaks every
//! command; only the message's content is written here. lettre's own transport writes a message's
//! end (`\r\n.\r\n`) in a second write after the body, on a socket with Nagle's algorithm on: those
//! five bytes wait for the server's delayed acknowledgement of the body, up to 40 ms on Linux, for
//! every message (fixed upstream in lettre/lettre#1159, not yet released). Here the body and its
//! end leave in one write, so a message costs its round trips and nothing more.
//!
//! A connection used less than [`TRUSTED_IDLE`] ago is sent on without a NOOP first. If it turns out
//! to be closed (a network error, not a reply or a timeout, before the content is written), the
//! message has not gone, and it is sent once more on a new connection.

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{SmtpConnection, Tls, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::transport::smtp::{SMTP_PORT, SUBMISSION_PORT, SUBMISSIONS_PORT};

/// An idle connection older than this is checked with NOOP before use, and one idle past
/// [`MAX_IDLE`] is closed: servers drop idle clients after a few minutes.
const TRUSTED_IDLE: Duration = Duration::from_secs(5);
const MAX_IDLE: Duration = Duration::from_secs(60);

/// Where and how to connect: what `smtp://` and `smtps://` URLs say, read as lettre reads them
/// (`?tls=required|opportunistic` for STARTTLS, user and password for authentication, a path for
/// the EHLO name).
pub struct SmtpServer {
    host: String,
    port: u16,
    tls: Tls,
    hello: ClientId,
    credentials: Option<Credentials>,
    timeout: Option<Duration>,
    /// Connections to reuse, most recently used last, with when each was last used.
    idle: Mutex<Vec<(SmtpConnection, Instant)>>,
    max_idle: usize,
}

/// What went wrong.
#[derive(Debug)]
pub struct SendError {
    pub message: String,
    /// The connection was found closed before the message's content was written: nothing went,
    /// and a new connection may take it.
    stale: bool,
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl SmtpServer {
    pub fn from_url(url: &str, timeout: Option<Duration>, max_idle: usize) -> Result<Self, String> {
        let parsed = url::Url::parse(url).map_err(|e| e.to_string())?;
        let host = parsed
            .host_str()
            .ok_or("smtp host undefined")?
            .trim_matches(|c| c == '[' || c == ']')
            .to_owned();
        let tls_query = parsed
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.to_string());
        let params = || TlsParameters::new(host.clone()).map_err(|e| e.to_string());
        let (port, tls) = match (parsed.scheme(), tls_query.as_deref()) {
            ("smtp", None) => (SMTP_PORT, Tls::None),
            ("smtp", Some("required")) => (SUBMISSION_PORT, Tls::Required(params()?)),
            ("smtp", Some("opportunistic")) => (SUBMISSION_PORT, Tls::Opportunistic(params()?)),
            ("smtps", _) => (SUBMISSIONS_PORT, Tls::Wrapper(params()?)),
            (scheme, tls) => return Err(format!("unknown scheme {scheme} or tls {tls:?}")),
        };
        let hello = match parsed.path().trim_matches('/') {
            "" => ClientId::default(),
            name => ClientId::Domain(name.to_owned()),
        };
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        let credentials = parsed
            .password()
            .map(|password| Credentials::new(decode(parsed.username()), decode(password)));
        Ok(Self {
            port: parsed.port().unwrap_or(port),
            host,
            tls,
            hello,
            credentials,
            timeout,
            idle: Mutex::new(Vec::new()),
            max_idle: max_idle.max(1),
        })
    }

    fn connect(&self) -> Result<SmtpConnection, lettre::transport::smtp::Error> {
        let wrapper = match &self.tls {
            Tls::Wrapper(params) => Some(params),
            _ => None,
        };
        let mut conn = SmtpConnection::connect(
            (self.host.as_str(), self.port),
            self.timeout,
            &self.hello,
            wrapper,
            None,
        )?;
        match &self.tls {
            Tls::Required(params) => conn.starttls(params, &self.hello)?,
            Tls::Opportunistic(params) if conn.can_starttls() => {
                conn.starttls(params, &self.hello)?
            }
            _ => {}
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(DEFAULT_MECHANISMS, credentials)?;
        }
        Ok(conn)
    }

    /// An idle connection, checked with NOOP if it waited long; None if there is none fit to use.
    fn take_idle(&self) -> Option<SmtpConnection> {
        loop {
            let (mut conn, used) = self.idle.lock().ok()?.pop()?;
            let idle = used.elapsed();
            if idle > MAX_IDLE || (idle > TRUSTED_IDLE && !conn.test_connected()) {
                conn.abort();
                continue;
            }
            return Some(conn);
        }
    }

    fn put_idle(&self, mut conn: SmtpConnection) {
        if conn.has_broken() {
            conn.abort();
            return;
        }
        match self.idle.lock() {
            Ok(mut idle) if idle.len() < self.max_idle => idle.push((conn, Instant::now())),
            _ => conn.abort(),
        }
    }

    /// Sends one message (`email` is its formatted content) on a kept connection, or a new one.
    pub fn send(&self, envelope: &Envelope, email: &str) -> Result<(), SendError> {
        if let Some(mut conn) = self.take_idle() {
            match transaction(&mut conn, envelope, email) {
                Ok(()) => {
                    self.put_idle(conn);
                    return Ok(());
                }
                Err(error) => {
                    conn.abort();
                    // Found closed: the message did not go, so it goes now on a new connection.
                    // A refusal or a timeout would only repeat, and after the content was
                    // written the message may have gone.
                    if !error.stale {
                        return Err(error);
                    }
                }
            }
        }
        let mut conn = self.connect().map_err(|e| SendError {
            message: e.to_string(),
            stale: false,
        })?;
        match transaction(&mut conn, envelope, email) {
            Ok(()) => {
                self.put_idle(conn);
                Ok(())
            }
            Err(error) => {
                conn.abort();
                Err(error)
            }
        }
    }

    /// Whether the server answers a new connection's NOOP, for `/readyz`.
    pub fn reachable(&self) -> bool {
        match self.connect() {
            Ok(mut conn) => {
                let ok = conn.test_connected();
                self.put_idle(conn);
                ok
            }
            Err(_) => false,
        }
    }
}

/// MAIL, RCPT and DATA as lettre's transport sends them, then the content and its end at once.
fn transaction(
    conn: &mut SmtpConnection,
    envelope: &Envelope,
    email: &str,
) -> Result<(), SendError> {
    let before = |e: lettre::transport::smtp::Error| SendError {
        stale: !(e.is_response() || e.is_timeout() || e.is_client() || e.is_tls()),
        message: e.to_string(),
    };
    let info = conn.server_info();
    let mut options = vec![];
    let addresses = envelope.to().iter().chain(envelope.from());
    if addresses.map(AsRef::<str>::as_ref).any(|a| !a.is_ascii()) {
        if !info.supports_feature(Extension::SmtpUtfEight) {
            return Err(SendError {
                message: "the address needs SMTPUTF8, which the server does not offer".into(),
                stale: false,
            });
        }
        options.push(MailParameter::SmtpUtfEight);
    }
    if !email.is_ascii() {
        if !info.supports_feature(Extension::EightBitMime) {
            return Err(SendError {
                message: "the message needs 8BITMIME, which the server does not offer".into(),
                stale: false,
            });
        }
        options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    conn.command(Mail::new(envelope.from().cloned(), options))
        .map_err(before)?;
    for to in envelope.to() {
        conn.command(Rcpt::new(to.clone(), vec![]))
            .map_err(before)?;
    }
    conn.command(Data).map_err(before)?;
    conn.command(Content(email)).map_err(|e| SendError {
        message: e.to_string(),
        stale: false,
    })?;
    Ok(())
}

/// A message's content with its lines that begin with a dot doubled (RFC 5321 §4.5.2), and the
/// line with a single dot that ends it.
struct Content<'a>(&'a str);

impl fmt::Display for Content<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.starts_with('.') {
            f.write_str(".")?;
        }
        f.write_str(&self.0.replace("\r\n.", "\r\n.."))?;
        f.write_str("\r\n.\r\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_doubles_leading_dots_and_ends_with_a_dot_line() {
        let text = Content(".a\r\nb\r\n..c\r\nd.e").to_string();
        assert_eq!(text, "..a\r\nb\r\n...c\r\nd.e\r\n.\r\n");
    }

    #[test]
    fn urls_are_read_as_lettre_reads_them() {
        let plain = SmtpServer::from_url("smtp://127.0.0.1:2525", None, 4).unwrap();
        assert_eq!((plain.host.as_str(), plain.port), ("127.0.0.1", 2525));
        assert!(matches!(plain.tls, Tls::None) && plain.credentials.is_none());
        let wrapped =
            SmtpServer::from_url("smtps://user%40example.no:pa%3Fss@smtp.example.no", None, 4)
                .unwrap();
        assert_eq!(wrapped.port, 465);
        assert!(matches!(wrapped.tls, Tls::Wrapper(_)));
        assert_eq!(
            wrapped.credentials,
            Some(Credentials::new("user@example.no".into(), "pa?ss".into()))
        );
        let starttls =
            SmtpServer::from_url("smtp://smtp.example.no?tls=required", None, 4).unwrap();
        assert!(matches!(starttls.tls, Tls::Required(_)) && starttls.port == 587);
        assert!(SmtpServer::from_url("http://smtp.example.no", None, 4).is_err());
    }
}
