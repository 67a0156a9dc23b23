//! `sms_messages`: what went out, and what the gateway later reported of it.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use super::linkmobility::Reported;
use crate::db::TenantId;
use crate::db::schema::sms_messages;
use crate::jobs::Subject;
use crate::vocabulary::vocabulary;

vocabulary! {
    /// Where a sent SMS stands (`sms_messages.status`).
    pub enum SmsStatus ("SMS status") {
        Sent => "sent";
        Delivered => "delivered";
        Failed => "failed";
    }
}

/// One message the gateway took.
pub struct SentSms<'a> {
    /// The id of the job row that sent it.
    pub id: Uuid,
    pub recipient: Uuid,
    pub subject: Subject,
    pub purpose: &'a str,
    pub gateway: &'a str,
    pub gateway_id: &'a str,
}

/// One SMS a job sends about `subject` to the participant `recipient`, at `to` (E.164).
pub struct JobSms<'a> {
    /// The id of the job row that sends it: kept as the message's id.
    pub id: Uuid,
    pub recipient: Uuid,
    pub to: String,
    /// The alphanumeric sender (at most 11 characters), see [`super::sender_id`].
    pub sender: String,
    pub text: String,
    pub subject: Subject,
    pub purpose: &'a str,
}

/// Sends `sms` through `gateway` and keeps what the gateway took, in the job's transaction: a
/// job that fails after the gateway took the message rolls its record back with it, and one
/// that fails before sends nothing.
pub fn send(
    conn: &mut PgConnection,
    gateway: &dyn super::SmsGateway,
    tenant: TenantId,
    sms: JobSms<'_>,
) -> Result<(), crate::jobs::worker::JobError> {
    let accepted = gateway.send(&super::OutgoingSms {
        to: sms.to,
        text: sms.text,
        sender: sms.sender,
        reference: reference(tenant, sms.id),
    })?;
    record(
        conn,
        tenant,
        &SentSms {
            id: sms.id,
            recipient: sms.recipient,
            subject: sms.subject,
            purpose: sms.purpose,
            gateway: gateway.name(),
            gateway_id: &accepted.gateway_id,
        },
    )?;
    Ok(())
}

/// Keeps `sms` in the caller's transaction (the job's).
pub fn record(conn: &mut PgConnection, tenant: TenantId, sms: &SentSms<'_>) -> QueryResult<()> {
    diesel::insert_into(sms_messages::table)
        .values((
            sms_messages::tenant_id.eq(tenant.0),
            sms_messages::id.eq(sms.id),
            sms_messages::recipient_id.eq(sms.recipient),
            sms_messages::subject_kind.eq(sms.subject.kind),
            sms_messages::subject_id.eq(sms.subject.id),
            sms_messages::purpose.eq(sms.purpose),
            sms_messages::gateway.eq(sms.gateway),
            sms_messages::gateway_id.eq(sms.gateway_id),
        ))
        .execute(conn)?;
    Ok(())
}

/// Where one SMS about a subject stands.
#[derive(Debug, Clone, Queryable)]
pub struct SmsState {
    pub id: Uuid,
    pub recipient: Uuid,
    pub status: String,
    pub sent_at: DateTime<Utc>,
    pub reported_at: Option<DateTime<Utc>>,
}

/// The SMS sent about `subject`, oldest first.
pub fn about(conn: &mut PgConnection, subject: Subject) -> QueryResult<Vec<SmsState>> {
    sms_messages::table
        .filter(sms_messages::subject_kind.eq(subject.kind))
        .filter(sms_messages::subject_id.eq(subject.id))
        .order((sms_messages::sent_at.asc(), sms_messages::id.asc()))
        .select((
            sms_messages::id,
            sms_messages::recipient_id,
            sms_messages::status,
            sms_messages::sent_at,
            sms_messages::reported_at,
        ))
        .load(conn)
}

/// Records a delivery report for message `id` of the gateway's `gateway_id`; false when no such
/// message exists (a report for another message, or a forged one).
pub fn report(
    conn: &mut PgConnection,
    id: Uuid,
    gateway_id: &str,
    result_code: i64,
    reported: Reported,
) -> QueryResult<bool> {
    let found = diesel::select(diesel::dsl::exists(
        sms_messages::table
            .filter(sms_messages::id.eq(id))
            .filter(sms_messages::gateway_id.eq(gateway_id)),
    ))
    .get_result::<bool>(conn)?;
    let status = match reported {
        Reported::Underway => return Ok(found),
        Reported::Delivered => SmsStatus::Delivered,
        Reported::Failed => SmsStatus::Failed,
    };
    diesel::update(
        sms_messages::table
            .filter(sms_messages::id.eq(id))
            .filter(sms_messages::gateway_id.eq(gateway_id)),
    )
    .set((
        sms_messages::status.eq(status.as_str()),
        sms_messages::result_code.eq(result_code),
        sms_messages::reported_at.eq(Utc::now()),
    ))
    .execute(conn)?;
    Ok(found)
}

/// The reference sent with a message and returned in its reports: `{tenant}:{message id}`.
pub fn reference(tenant: TenantId, id: Uuid) -> String {
    format!("{}:{id}", tenant.0)
}

/// The tenant and message a reference names.
pub fn parse_reference(reference: &str) -> Option<(TenantId, Uuid)> {
    let (tenant, id) = reference.split_once(':')?;
    Some((TenantId(tenant.parse().ok()?), id.parse().ok()?))
}
