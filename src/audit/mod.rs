//! The audit log: who did what to which object, when, and under which request. Append-only — the
//! server's database role may insert and read, never update or delete — and written in the same
//! transaction as the change it describes, so a change without its audit row cannot exist.
//!
//! Entries name objects by id and never carry personal data in `details`. A link holder's view of
//! a page, which changes nothing, is the one exception to the shared transaction: [`views`] writes
//! those in batches just after the page's transaction.

pub mod views;

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use serde_json::Value;

use crate::db::TenantId;
use crate::db::schema::audit_log;

/// Who acted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    User(uuid::Uuid),
    ApiKey(uuid::Uuid),
    /// The platform operator, through the CLI or the operator pages.
    Operator(String),
    /// Tillit itself (jobs, the demo data).
    System,
    /// Nobody identified yet, e.g. a failed login.
    Anonymous,
    /// Someone invited to a meeting, through their link: the participant's id.
    Invitee(uuid::Uuid),
    /// A child looking at their own plan through their link: the link's id.
    ChildLink(uuid::Uuid),
    /// A candidate home of a foster-home recruitment, through their link: the candidate's id.
    Candidate(uuid::Uuid),
}

impl Actor {
    fn kind_and_id(&self) -> (&'static str, Option<String>) {
        match self {
            Self::User(id) => ("user", Some(id.to_string())),
            Self::ApiKey(id) => ("api_key", Some(id.to_string())),
            Self::Operator(label) => ("operator", Some(label.clone())),
            Self::System => ("system", None),
            Self::Anonymous => ("anonymous", None),
            Self::Invitee(id) => ("invitee", Some(id.to_string())),
            Self::ChildLink(id) => ("child_link", Some(id.to_string())),
            Self::Candidate(id) => ("candidate", Some(id.to_string())),
        }
    }
}

/// One audit row, built fluently: `AuditEntry::new(&actor, "apikey.revoke").object("api_key", id)`.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    actor: Actor,
    action: &'static str,
    object_kind: Option<&'static str>,
    object_id: Option<String>,
    outcome: &'static str,
    request_id: Option<String>,
    details: Value,
}

impl AuditEntry {
    pub fn new(actor: &Actor, action: &'static str) -> Self {
        Self {
            actor: actor.clone(),
            action,
            object_kind: None,
            object_id: None,
            outcome: "success",
            request_id: None,
            details: Value::Object(Default::default()),
        }
    }

    pub fn object(mut self, kind: &'static str, id: impl ToString) -> Self {
        self.object_kind = Some(kind);
        self.object_id = Some(id.to_string());
        self
    }

    pub fn request(mut self, request_id: Option<&str>) -> Self {
        self.request_id = request_id.map(str::to_owned);
        self
    }

    pub fn failed(mut self) -> Self {
        self.outcome = "failure";
        self
    }

    pub fn denied(mut self) -> Self {
        self.outcome = "denied";
        self
    }

    pub fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }
}

/// Appends `entry` to `tenant`'s log on `conn`, inside the caller's transaction.
///
/// Uses `execute`, not `RETURNING`: the insert must not depend on reading the log back.
pub fn record(conn: &mut PgConnection, tenant: TenantId, entry: AuditEntry) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values(entry.row(tenant, None))
        .execute(conn)?;
    Ok(())
}

/// One row of the log as it is inserted.
#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    tenant_id: uuid::Uuid,
    /// `None`: the transaction's time (the column's default).
    at: Option<DateTime<Utc>>,
    actor_kind: &'static str,
    actor_id: Option<String>,
    action: &'static str,
    object_kind: Option<&'static str>,
    object_id: Option<String>,
    outcome: &'static str,
    request_id: Option<String>,
    details: Value,
}

impl AuditEntry {
    fn row(self, tenant: TenantId, at: Option<DateTime<Utc>>) -> AuditRow {
        let (actor_kind, actor_id) = self.actor.kind_and_id();
        AuditRow {
            tenant_id: tenant.0,
            at,
            actor_kind,
            actor_id,
            action: self.action,
            object_kind: self.object_kind,
            object_id: self.object_id,
            outcome: self.outcome,
            request_id: self.request_id,
            details: self.details,
        }
    }
}
