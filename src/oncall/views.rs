//! What on-call access looks like to its readers: an opening, the acute list under it, and the
//! review list.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::cases::views::{AcuteList, CaseChoice};

/// One opening of a case's acute list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OpeningView {
    pub id: Uuid,
    pub case_id: Uuid,
    /// The service's reference of the case, if recorded (how a leader names the case).
    pub case_reference: Option<String>,
    pub user_id: Uuid,
    /// The opener's name (their address if they have none).
    pub opened_by: String,
    /// The opener's role when they opened it: on_call or caseworker.
    #[schema(value_type = crate::access::Role)]
    pub role: String,
    pub reason: String,
    pub call_reference: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Whether it is still open now.
    pub open: bool,
    /// When the service's quiet hours hold back the neutral notice to the case's staff: when it
    /// goes out, in the service's zone; absent once it has gone (or when it goes at once).
    pub notice_goes_out_at: Option<DateTime<chrono::FixedOffset>>,
}

/// The acute list as its opener reads it, with the opening it is read under.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OpenedAcuteList {
    pub opening: OpeningView,
    pub acute_list: AcuteList,
}

/// What a lookup found: at most [`crate::oncall::domain::LOOKUP_LIMIT`] cases, and whether there
/// were more.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LookupResult {
    pub cases: Vec<CaseChoice>,
    /// More cases matched than are shown: search more narrowly.
    pub more: bool,
}

/// One page of the review list, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OpeningPage {
    pub openings: Vec<OpeningView>,
    /// This page, from 1.
    pub page: u32,
    /// Whether an older page follows.
    pub more: bool,
}
