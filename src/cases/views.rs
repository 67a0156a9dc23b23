//! What a case looks like to its reader: the views the API returns and the pages show. Each is
//! assembled from the rows in [`super::queries`]; the map's person ([`MapPerson`]) is also what a
//! revision's snapshot stores, so a revision and the current map are compared field by field.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::categories::{Closeness, Lineage, NetworkSide, RelationCategory, RelationQuality};
use super::domain::{Channel, CheckKind, Gender, MeasureKind, MeasureStatus, Phase, WordsAuthor};
use super::history::MapDiff;
use super::rules::Prompt;

/// One person on the map: everything mapped about them. Stored as is in each revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MapPerson {
    pub id: Uuid,
    pub name: String,
    pub relation: Option<String>,
    pub category: RelationCategory,
    pub side: NetworkSide,
    pub lineage: Lineage,
    pub closeness: Closeness,
    pub quality: RelationQuality,
    pub can_strengthen: bool,
    pub can_step_in: bool,
    pub step_in_how: Option<String>,
    /// When they can be reached, in everyday words ("hverdager etter 16, helg hele døgnet").
    #[serde(default)]
    pub reachable_when: Option<String>,
    /// Whether they can take the child in at short notice (a place the child can go).
    #[serde(default)]
    pub can_take_child: bool,
    pub email: Option<String>,
    /// E.164, e.g. +4791234567.
    pub phone: Option<String>,
    pub address: Option<String>,
    /// How they prefer to be reached (revisions from before this was asked read as email).
    #[serde(default = "Channel::fallback")]
    pub preferred_channel: Channel,
    /// An email goes too when another way is preferred.
    #[serde(default)]
    pub email_too: bool,
    pub abroad_other_culture: bool,
    /// nb, nn or en; `null` for the service's written standard.
    #[serde(default)]
    pub language: Option<crate::web::i18n::Lang>,
    /// The language an interpreter is to be booked for, when the person needs one.
    #[serde(default)]
    pub interpreter: Option<String>,
}

/// The child's words about a person, verbatim, with who wrote them down and when.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WordsView {
    pub id: Uuid,
    pub text: String,
    pub author: WordsAuthor,
    pub written_at: DateTime<Utc>,
    /// The staff member who recorded them.
    pub recorded_by: Option<Uuid>,
}

/// A person on the current map, with the child's words about them (oldest first).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonView {
    #[serde(flatten)]
    pub person: MapPerson,
    pub child_words: Vec<WordsView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChildView {
    pub first_name: String,
    pub last_name: String,
    pub birth_year: i16,
    pub birth_date: Option<NaiveDate>,
    pub gender: Gender,
    pub language: Option<String>,
    pub interpreter_needed: bool,
}

/// A staff member assigned to the case.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = AssignedStaff)]
pub struct StaffView {
    pub user_id: Uuid,
    pub display_name: String,
    #[schema(value_type = crate::access::Role)]
    pub role: String,
    pub assigned_at: DateTime<Utc>,
}

/// A staff member of the service who may see cases (everyone but leaders), as the case page names
/// them and offers them for assignment.
#[derive(Debug, Clone)]
pub struct StaffMember {
    pub user_id: Uuid,
    pub display_name: String,
    pub role: String,
    pub active: bool,
}

/// One line of "my cases".
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseSummary {
    pub id: Uuid,
    pub child_first_name: String,
    pub child_last_name: String,
    pub child_birth_year: i16,
    pub phase: Phase,
    pub acute: bool,
    pub opened_at: DateTime<Utc>,
    /// The date of the latest revision of the map; none before the first.
    pub last_revised_on: Option<NaiveDate>,
    /// What the map needs now, as on the case page.
    pub prompts: Vec<Prompt>,
    /// The service's own reference, if recorded.
    pub reference: Option<String>,
    /// The child's home municipality (kommunenummer), if recorded.
    pub municipality: Option<String>,
}

/// One page of the case list, with how many cases the search found in all.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseList {
    pub cases: Vec<CaseSummary>,
    pub total: i64,
    /// This page, from 1.
    pub page: u32,
    /// How many pages the search found (at least 1).
    pub pages: u32,
}

/// A revision without its persons.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevisionSummary {
    pub number: i32,
    pub revised_on: NaiveDate,
    /// The case's phase when the map was revised.
    pub phase: Phase,
    pub child_participated: bool,
    pub participation: Option<String>,
    pub person_count: usize,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
}

/// A revision with the map as it stood then.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevisionView {
    #[serde(flatten)]
    pub summary: RevisionSummary,
    pub persons: Vec<MapPerson>,
}

/// The case with its map: what the case page shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseView {
    pub id: Uuid,
    pub child: ChildView,
    pub phase: Phase,
    pub acute: bool,
    pub opened_at: DateTime<Utc>,
    pub phase_changed_at: DateTime<Utc>,
    /// The service's own reference (its case-management system's number), if recorded.
    pub reference: Option<String>,
    /// The child's home municipality (kommunenummer), if recorded.
    pub municipality: Option<String>,
    /// Where the child can go at short notice, as the acute list shows it.
    pub where_child_can_go: Option<String>,
    pub assigned: Vec<StaffView>,
    /// The current map, by name.
    pub persons: Vec<PersonView>,
    pub latest_revision: Option<RevisionSummary>,
    /// What the map needs now (no map yet, due for revision, a side missing, …).
    pub prompts: Vec<Prompt>,
}

/// What changed on the map between two revisions, or since a revision (`to` is then absent: the
/// current, unsaved map).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DiffView {
    pub from: i32,
    pub to: Option<i32>,
    #[serde(flatten)]
    pub diff: MapDiff,
}

/// A person considered in a network check.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsideredPerson {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckView {
    pub id: Uuid,
    pub kind: CheckKind,
    pub checked_on: Option<NaiveDate>,
    pub considered: Vec<ConsideredPerson>,
    pub result: Option<String>,
    pub justification: Option<String>,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: Option<Uuid>,
}

/// A costly measure and what was done to check the network before it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeasureView {
    pub id: Uuid,
    pub kind: MeasureKind,
    pub description: Option<String>,
    pub status: MeasureStatus,
    pub proposed_at: DateTime<Utc>,
    pub proposed_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<Uuid>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub checks: Vec<CheckView>,
    /// Whether it may be marked decided now: proposed, and the network checked or the
    /// omission justified.
    pub may_decide: bool,
}

/// Someone who can step in at short notice, with how to reach them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AcutePerson {
    pub id: Uuid,
    pub name: String,
    pub relation: Option<String>,
    pub category: RelationCategory,
    pub closeness: Closeness,
    pub can_step_in: bool,
    pub step_in_how: Option<String>,
    /// When they can be reached, in everyday words.
    pub reachable_when: Option<String>,
    /// Whether they can take the child in at short notice.
    pub can_take_child: bool,
    /// E.164.
    pub phone: Option<String>,
    /// As people read it, e.g. "912 34 567".
    pub phone_display: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

impl AcuteList {
    /// Those who can take the child in at short notice.
    pub fn takers(&self) -> Vec<&AcutePerson> {
        self.persons.iter().filter(|p| p.can_take_child).collect()
    }
}

/// A case as the on-call service chooses it: only what tells one child from another (name, birth
/// date, home municipality) and the service's reference — nothing of the case itself.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseChoice {
    pub case_id: Uuid,
    pub reference: Option<String>,
    pub child_first_name: String,
    pub child_last_name: String,
    pub child_birth_date: Option<NaiveDate>,
    pub child_birth_year: i16,
    /// The child's home municipality (kommunenummer), if recorded.
    pub municipality: Option<String>,
    /// Its name, when the service has named it.
    pub municipality_name: Option<String>,
}

/// The acute list: who can step in now or take the child in, closest first, when each can be
/// reached, and where the child can go.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AcuteList {
    pub case_id: Uuid,
    pub child_first_name: String,
    pub acute: bool,
    /// The case's note on where the child can go at short notice (places and people).
    pub where_child_can_go: Option<String>,
    pub persons: Vec<AcutePerson>,
}

/// A council of the case as the case page lists it, labelled in the reader's language by the
/// capability that owns councils.
#[derive(Debug, Clone)]
pub struct CaseCouncil {
    pub id: Uuid,
    pub kind: &'static str,
    pub acute: bool,
    pub state: &'static str,
}

/// Reads the councils of a case (`case_id`) for the case page, labelled in the reader's language.
pub type CouncilLister = fn(
    &mut diesel::PgConnection,
    crate::db::TenantId,
    Uuid,
    crate::web::i18n::Lang,
) -> Result<Vec<CaseCouncil>, crate::web::problem::AppError>;

/// An opening of the case's acute list by someone not assigned to it (the on-call service, or a
/// caseworker with a stated reason), as the case's staff see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseOpening {
    pub id: Uuid,
    pub user_id: Uuid,
    /// The opener's name (their address if they have none).
    pub opened_by: String,
    /// The opener's role when they opened it: on_call or caseworker.
    #[schema(value_type = crate::access::Role)]
    pub role: String,
    pub reason: String,
    /// The on-call log's reference of the call, if given.
    pub call_reference: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Reads the openings of a case's acute list (`case_id`), newest first.
pub type OpeningLister = fn(
    &mut diesel::PgConnection,
    crate::db::TenantId,
    Uuid,
) -> Result<Vec<CaseOpening>, crate::web::problem::AppError>;

/// What the capabilities built on cases add to the case page, supplied where the app is built
/// (registered as app data, `app::case_page_sections`), so that cases imports none of them.
#[derive(Clone, Copy)]
pub struct CasePageSections {
    /// The case's councils, in the order they were opened.
    pub councils: CouncilLister,
    /// The openings of the case's acute list by the on-call service, newest first.
    pub openings: OpeningLister,
}

/// What the case page shows, read in one transaction and audited as `case.read`.
pub struct CasePageView {
    pub case: CaseView,
    /// The eco-map of the current map.
    pub svg: String,
    /// The case's councils, each linking to its page.
    pub councils: Vec<CaseCouncil>,
    pub measures: Vec<MeasureView>,
    pub staff: Vec<StaffMember>,
    /// Who opened the acute list without being assigned, newest first.
    pub openings: Vec<CaseOpening>,
    /// The service's time zone, for showing moments.
    pub tz: chrono_tz::Tz,
}
