//! Account links by email: the setup link for a new service's first admin, staff invitations and
//! password resets. The link's token is derived from its row id with the server's key, so the job
//! that sends it can re-create it while the database keeps only its hash.

use chrono::{Duration, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use crate::config::Settings;
use crate::db::TenantId;
use crate::db::schema::{account_tokens, users};
use crate::fields::Email;
use crate::jobs::worker::{JobContext, JobError, JobRow};
use crate::jobs::{self, Job, NewJob};
use crate::mail::OutgoingEmail;
use crate::mail::templates::AccountMail;
use crate::tenancy::settings::ServiceSettings;
use crate::tokens::{AccountLink, LinkToken};
use crate::web::i18n::Lang;

/// Why the link was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Setup,
    Invitation,
    PasswordReset,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Setup => "setup",
            Self::Invitation => "invitation",
            Self::PasswordReset => "password_reset",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Setup, Self::Invitation, Self::PasswordReset]
            .into_iter()
            .find(|p| p.as_str() == text)
    }

    /// The email that carries the link.
    pub fn mail(self) -> AccountMail {
        match self {
            Self::Setup => AccountMail::Setup,
            Self::Invitation => AccountMail::Invitation,
            Self::PasswordReset => AccountMail::PasswordReset,
        }
    }

    /// How long a link stays valid.
    pub fn validity(self) -> Duration {
        match self {
            Self::Setup | Self::Invitation => Duration::hours(72),
            Self::PasswordReset => Duration::hours(2),
        }
    }
}

/// A link just created: its token text (for the CLI to print; the email job derives it again).
pub struct IssuedLink {
    pub token_id: Uuid,
    pub token: String,
}

/// Creates a link for `user_id` and schedules its email, in the caller's transaction. Earlier
/// unused links of the same purpose for that user stop working: only the newest is valid.
pub fn issue(
    conn: &mut PgConnection,
    settings: &Settings,
    tenant: TenantId,
    user_id: Uuid,
    purpose: Purpose,
) -> QueryResult<IssuedLink> {
    diesel::update(
        account_tokens::table
            .filter(account_tokens::user_id.eq(user_id))
            .filter(account_tokens::purpose.eq(purpose.as_str()))
            .filter(account_tokens::used_at.is_null())
            .filter(account_tokens::revoked_at.is_null()),
    )
    .set(account_tokens::revoked_at.eq(Utc::now()))
    .execute(conn)?;
    // A random (v4) id: the token is derived from it, so it must not be guessable.
    let token_id = Uuid::new_v4();
    let token = LinkToken::<AccountLink>::derive(&settings.token_key(), token_id);
    diesel::insert_into(account_tokens::table)
        .values((
            account_tokens::tenant_id.eq(tenant.0),
            account_tokens::id.eq(token_id),
            account_tokens::user_id.eq(user_id),
            account_tokens::purpose.eq(purpose.as_str()),
            account_tokens::token_hash.eq(token.hash()),
            account_tokens::expires_at.eq(Utc::now() + purpose.validity()),
        ))
        .execute(conn)?;
    jobs::schedule(
        conn,
        tenant,
        &NewJob::new(
            &AccountEmail { token_id },
            Utc::now(),
            Some(jobs::Subject {
                kind: "user",
                id: user_id,
            }),
        ),
    )?;
    Ok(IssuedLink {
        token_id,
        token: token.to_string(),
    })
}

/// The page an account link opens.
pub fn link_url(settings: &Settings, token: &str) -> String {
    format!("{}/setup/{token}", settings.base_url())
}

/// A link whose email is due, with its recipient.
#[derive(Queryable)]
struct LinkToSend {
    purpose: String,
    used_at: Option<chrono::DateTime<Utc>>,
    revoked_at: Option<chrono::DateTime<Utc>>,
    expires_at: chrono::DateTime<Utc>,
    email: String,
    lang: String,
}

/// An account link by email: setup of a new service's admin, a staff invitation, a password
/// reset. It does not wait out quiet hours: someone has just asked for it and is waiting.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AccountEmail {
    pub token_id: Uuid,
}

impl Job for AccountEmail {
    const KIND: &'static str = "account_email";
    const RESPECTS_QUIET_HOURS: bool = false;

    /// Sends the link unless it was used, revoked or has expired meanwhile (then there is
    /// nothing to send, and the job is done).
    fn run(&self, ctx: &JobContext, conn: &mut PgConnection, row: &JobRow) -> Result<(), JobError> {
        send(ctx, conn, row, self.token_id)
    }
}

fn send(
    ctx: &JobContext,
    conn: &mut PgConnection,
    row: &JobRow,
    token_id: Uuid,
) -> Result<(), JobError> {
    let found: Option<LinkToSend> = account_tokens::table
        .inner_join(
            users::table.on(users::tenant_id
                .eq(account_tokens::tenant_id)
                .and(users::id.eq(account_tokens::user_id))),
        )
        .filter(account_tokens::id.eq(token_id))
        .select((
            account_tokens::purpose,
            account_tokens::used_at,
            account_tokens::revoked_at,
            account_tokens::expires_at,
            users::email,
            users::lang,
        ))
        .first(conn)
        .optional()?;
    let Some(found) = found else {
        return Ok(());
    };
    if found.used_at.is_some() || found.revoked_at.is_some() || found.expires_at <= Utc::now() {
        return Ok(());
    }
    let (expires, email) = (found.expires_at, found.email);
    // In the staff member's own language.
    let lang = Lang::parse(&found.lang).unwrap_or_default();
    let purpose = Purpose::parse(&found.purpose)
        .ok_or_else(|| JobError::Permanent(format!("unknown purpose {}", found.purpose)))?;
    let service = ServiceSettings::load(conn)?;
    let to = Email::parse(&email).map_err(|m| JobError::Permanent(m.into()))?;
    let token = LinkToken::<AccountLink>::derive(&ctx.settings.token_key(), token_id);
    let link = link_url(&ctx.settings, token.as_str());
    let content = crate::mail::templates::account_link(
        lang,
        service.tz,
        purpose.mail(),
        &service.name,
        &link,
        expires,
    );
    ctx.mailer.send(&OutgoingEmail {
        to,
        sender_name: service.sender_name.unwrap_or(service.name),
        reply_to: service.reply_to,
        subject: content.subject,
        text: content.text,
        html: content.html,
        message_id: ctx.mailer.message_id_for(row.id),
        calendar: None,
    })?;
    Ok(())
}
