//! The council tables, read and written inside the caller's tenant transaction. Nothing here checks
//! who is asking: handlers first open the case through [`crate::cases::access::with_case`] (a
//! council belongs to its case, so council access is case access), then load the council of that
//! case with [`council`].

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use diesel::PgConnection;
use diesel::dsl::exists;
use diesel::prelude::*;
use uuid::Uuid;

use super::domain::{
    AgendaPart, Answer, AnsweredHow, ConsentGiver, CouncilKind, CouncilState, MeetingRecord,
    MeetingRole, MeetingStatus, MeetingTime, NewConsent, NewCouncil, NewObjection, NewParticipant,
    NewPreparation, NewText, NewWaiver, NotesSharing, Response, TextKind, Who,
};
use super::rules::{self, Facts, MeetingFacts};
use super::views::{
    AnswerView, AttendeeView, ConsentView, CouncilSummary, CouncilView, CouncilWaiting,
    InvitationView, MeetingRecordView, MeetingView, NextMeetingView, ObjectionView,
    ParticipantView, PreparationView, RecordedAnswer, SharedNotes, TeamMember, TextView,
    WaiverView,
};
use crate::cases::categories::NetworkSide;
use crate::cases::domain::{Channel, WordsAuthor};
use crate::db::kept::{Bind, kept};
use crate::db::schema::{
    case_assignments, council_answers, council_consents, council_invitations,
    council_meeting_attendees, council_meeting_records, council_meetings, council_objections,
    council_participants, council_preparations, council_texts, council_waivers, councils,
    network_persons, users,
};
use crate::db::{TenantId, close_open_row};
use crate::tenancy::settings::{ServiceSettings, SettingsError};
use crate::web::i18n::Lang;
use crate::web::problem::AppError;

/// A stored code that is not in its vocabulary: the CHECK constraints make this a bug.
fn stored<T>(parse: fn(&str) -> Result<T, String>, code: &str) -> Result<T, AppError> {
    parse(code).map_err(|e| AppError::Internal(format!("a stored code is unknown: {e}")))
}

/// The service's settings a council needs: its zone, the default meeting length and the offsets
/// of the invitation jobs.
#[derive(Debug, Clone)]
pub struct CouncilSettings {
    pub tz: Tz,
    pub quiet_hours: crate::jobs::timing::QuietHours,
    pub meeting_minutes: i32,
    pub reminder_days: Vec<u32>,
    pub chase_after_days: u32,
    pub chase_max: u32,
    pub preparation_check_days: u32,
    pub now: DateTime<Utc>,
}

impl CouncilSettings {
    pub fn load(conn: &mut PgConnection) -> Result<Self, SettingsError> {
        Ok(Self::of(ServiceSettings::load(conn)?, Utc::now()))
    }

    /// The settings of `s`, already read, at `now`.
    pub fn of(s: ServiceSettings, now: DateTime<Utc>) -> Self {
        Self {
            tz: s.tz,
            quiet_hours: s.quiet_hours,
            // At most 720, so it fits.
            meeting_minutes: i32::try_from(s.meeting_minutes).unwrap_or(i32::MAX),
            reminder_days: s.reminder_days,
            chase_after_days: s.chase_after_days,
            chase_max: s.chase_max,
            preparation_check_days: s.preparation_check_days,
            now,
        }
    }
}

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = councils)]
struct CouncilRow {
    id: Uuid,
    case_id: Uuid,
    kind: String,
    acute: bool,
    state: String,
    coordinator_id: Uuid,
    team_chosen_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

/// A council, its codes parsed.
#[derive(Debug, Clone)]
pub struct Council {
    pub id: Uuid,
    pub case_id: Uuid,
    pub kind: CouncilKind,
    pub acute: bool,
    pub state: CouncilState,
    pub coordinator_id: Uuid,
    pub team_chosen_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl CouncilRow {
    fn parse(self) -> Result<Council, AppError> {
        Ok(Council {
            id: self.id,
            case_id: self.case_id,
            kind: stored(CouncilKind::parse, &self.kind)?,
            acute: self.acute,
            state: stored(CouncilState::parse, &self.state)?,
            coordinator_id: self.coordinator_id,
            team_chosen_at: self.team_chosen_at,
            created_at: self.created_at,
        })
    }
}

/// The council `id` of case `case_id`; 404 for any other. `lock` holds the row until the
/// transaction ends, so two changes to one council happen one after the other.
pub fn council(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
    id: Uuid,
    lock: bool,
) -> Result<Council, AppError> {
    let query = councils::table
        .filter(councils::tenant_id.eq(tenant.0))
        .filter(councils::case_id.eq(case_id))
        .filter(councils::id.eq(id))
        .select(CouncilRow::as_select());
    let row = if lock {
        query.for_update().first(conn)
    } else {
        query.first(conn)
    }
    .optional()?
    .ok_or(AppError::NotFound)?;
    row.parse()
}

pub fn councils_of_case(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
) -> Result<Vec<CouncilSummary>, AppError> {
    let rows: Vec<CouncilRow> = councils::table
        .filter(councils::tenant_id.eq(tenant.0))
        .filter(councils::case_id.eq(case_id))
        .order(councils::created_at)
        .select(CouncilRow::as_select())
        .load(conn)?;
    let next: Vec<(Uuid, Option<DateTime<Utc>>)> = council_meetings::table
        .inner_join(
            councils::table.on(councils::tenant_id
                .eq(council_meetings::tenant_id)
                .and(councils::id.eq(council_meetings::council_id))),
        )
        .filter(councils::case_id.eq(case_id))
        .filter(council_meetings::status.eq(MeetingStatus::Scheduled.as_str()))
        .filter(council_meetings::starts_at.gt(Utc::now()))
        .order(council_meetings::starts_at)
        .select((council_meetings::council_id, council_meetings::starts_at))
        .load(conn)?;
    rows.into_iter()
        .map(|row| {
            let c = row.parse()?;
            Ok(CouncilSummary {
                next_meeting_at: next
                    .iter()
                    .find(|(id, _)| *id == c.id)
                    .and_then(|(_, at)| *at),
                id: c.id,
                case_id: c.case_id,
                kind: c.kind,
                acute: c.acute,
                state: c.state,
                coordinator_id: c.coordinator_id,
                created_at: c.created_at,
            })
        })
        .collect()
}

/// The service's councils begun in `year` (counted in the time zone `zone`), oldest first: the
/// leader's export of the network measures' registrations reads them, never their contents.
pub fn councils_begun_in(
    conn: &mut PgConnection,
    year: i32,
    zone: &str,
) -> Result<Vec<Council>, AppError> {
    let rows: Vec<CouncilRow> = councils::table
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "extract(year FROM councils.created_at AT TIME ZONE ",
            )
            .bind::<diesel::sql_types::Text, _>(zone.to_owned())
            .sql(")::int = ")
            .bind::<diesel::sql_types::Integer, _>(year),
        )
        .order(councils::created_at)
        .select(CouncilRow::as_select())
        .load(conn)?;
    rows.into_iter().map(CouncilRow::parse).collect()
}

fn assigned(conn: &mut PgConnection, case_id: Uuid, user: Uuid) -> QueryResult<bool> {
    diesel::select(exists(
        case_assignments::table
            .filter(case_assignments::case_id.eq(case_id))
            .filter(case_assignments::user_id.eq(user)),
    ))
    .get_result(conn)
}

/// Starts a council of `new.kind` for the case. The coordinator must be assigned to the case:
/// they will need to open it.
pub fn create_council(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
    creator: Uuid,
    new: &NewCouncil,
) -> Result<Uuid, AppError> {
    let coordinator = new.coordinator.unwrap_or(creator);
    if !assigned(conn, case_id, coordinator)? {
        return Err(AppError::field(
            "coordinator_id",
            "the coordinator must be a staff member assigned to the case",
        ));
    }
    let starting = Starting {
        kind: new.kind,
        acute: new.acute,
        coordinator,
        creator,
    };
    Ok(insert_council(conn, tenant, case_id, &starting)?)
}

/// A council about to be written, in its kind's first state.
struct Starting {
    kind: CouncilKind,
    acute: bool,
    coordinator: Uuid,
    creator: Uuid,
}

fn insert_council(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
    council: &Starting,
) -> QueryResult<Uuid> {
    let id = Uuid::now_v7();
    diesel::insert_into(councils::table)
        .values((
            councils::tenant_id.eq(tenant.0),
            councils::id.eq(id),
            councils::case_id.eq(case_id),
            councils::kind.eq(council.kind.as_str()),
            councils::acute.eq(council.acute),
            councils::state.eq(council.kind.initial().as_str()),
            councils::coordinator_id.eq(council.coordinator),
            councils::created_by.eq(council.creator),
        ))
        .execute(conn)?;
    Ok(id)
}

/// What the rules look at, for `council` with its `view` parts: the child's age (for the child's
/// own consent from 15) comes from the case's child.
pub fn facts(
    conn: &mut PgConnection,
    council: &Council,
    view: &CouncilViewParts,
    now: DateTime<Utc>,
) -> Result<Facts, AppError> {
    let birth = crate::cases::queries::child_birth(conn, council.case_id)?;
    Ok(facts_from(council, view, birth, now))
}

/// Whether the child of `birth` (year, and date when known) is 15 or older `now`, so their own
/// consent is needed too. With only the year known, the child may already be 15: their consent
/// is asked for to be safe.
fn child_consent_needed(
    (birth_year, birth_date): (i16, Option<NaiveDate>),
    now: DateTime<Utc>,
) -> bool {
    let today = now.date_naive();
    let age = match birth_date {
        Some(d) => today.years_since(d).map_or(0, i64::from),
        None => i64::from(today.year()) - i64::from(birth_year),
    };
    age >= 15
}

/// The facts of `council` from its parts and its child's birth year and date.
fn facts_from(
    council: &Council,
    view: &CouncilViewParts,
    birth: (i16, Option<NaiveDate>),
    now: DateTime<Utc>,
) -> Facts {
    let active_consent = |giver: ConsentGiver| {
        view.consents
            .iter()
            .any(|c| c.given_by == giver && c.withdrawn_at.is_none())
    };
    let questions: Vec<&TextView> = view
        .texts
        .iter()
        .filter(|t| t.kind == TextKind::Question)
        .collect();
    let team: Vec<&ParticipantView> = view.participants.iter().collect();
    let on_team = |person: Uuid| team.iter().any(|p| p.person_id == Some(person));
    let meeting = view
        .meetings
        .iter()
        .rev()
        .find(|m| !m.cancelled())
        .map(|m| MeetingFacts {
            confirmed: m.confirmed_at.is_some(),
            started: m.starts_at.is_some_and(|s| s <= now),
        });
    Facts {
        acute: council.acute,
        team_chosen: council.team_chosen_at.is_some(),
        situation_confirmed: view
            .texts
            .iter()
            .any(|t| t.kind == TextKind::Situation && t.child_confirmed_at.is_some()),
        questions: questions.len(),
        questions_confirmed: questions
            .iter()
            .filter(|t| t.child_confirmed_at.is_some())
            .count(),
        participants: team.len(),
        chosen_by_child: team.iter().filter(|p| p.chosen_by_child).count(),
        parent_consent: active_consent(ConsentGiver::Parent),
        child_consent: active_consent(ConsentGiver::Child),
        child_consent_needed: child_consent_needed(birth, now),
        public_participants: team
            .iter()
            .filter(|p| p.side == NetworkSide::Public)
            .count(),
        public_with_waiver: team
            .iter()
            .filter(|p| p.side == NetworkSide::Public && !p.needs_waiver())
            .count(),
        prepared: team.iter().filter(|p| p.prepared()).count(),
        open_objections: view
            .objections
            .iter()
            .filter(|o| o.resolved_at.is_none() && on_team(o.person_id))
            .count(),
        meeting,
    }
}

/// An open council and its facts as [`open_councils_with_facts`] counts them in SQL.
#[derive(QueryableByName)]
struct FactsRow {
    #[diesel(embed)]
    council: CouncilRow,
    #[diesel(sql_type = diesel::sql_types::SmallInt)]
    birth_year: i16,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Date>)]
    birth_date: Option<NaiveDate>,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    situation_confirmed: bool,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    questions: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    questions_confirmed: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    participants: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    chosen_by_child: i64,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    parent_consent: bool,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    child_consent: bool,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    public_participants: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    public_with_waiver: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    prepared: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    open_objections: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Bool>)]
    meeting_confirmed: Option<bool>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Bool>)]
    meeting_started: Option<bool>,
}

/// The councils of `case_ids` that have not ended, oldest first, each with its facts, counted
/// together in one query whatever their number, for a page across many cases (the start page).
/// The facts are what [`facts_from`] finds in one council's parts, counted in SQL instead of
/// read row by row: the texts not removed (the situation confirmed by the child, the questions
/// and those confirmed), the team (not removed: chosen by the child, on the public side, on the
/// public side with a waiver that stands, prepared), the consents that stand, the open
/// objections against someone on the team, the latest meeting scheduled that is not cancelled,
/// and the child's birth.
pub fn open_councils_with_facts(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<Vec<(Council, Facts)>, AppError> {
    // The states that end a process, so the ended councils are left out in SQL before their
    // facts are counted.
    let mut ended: Vec<String> = CouncilKind::ALL
        .iter()
        .filter_map(|kind| kind.states().last())
        .map(|state| state.as_str().to_owned())
        .collect();
    ended.dedup();
    let rows: Vec<FactsRow> = kept(
        // The open councils are read first; each table of the facts is then read once for all
        // of them and grouped by council (one scan per table, whatever the number of
        // councils), not once per council.
        "WITH k AS MATERIALIZED (
           SELECT k.id, k.case_id, k.kind, k.acute, k.state, k.coordinator_id, k.team_chosen_at,
                  k.created_at, ch.birth_year, ch.birth_date
             FROM councils k
             JOIN cases c ON c.tenant_id = k.tenant_id AND c.id = k.case_id
             JOIN children ch ON ch.tenant_id = c.tenant_id AND ch.id = c.child_id
            WHERE k.tenant_id = $1 AND k.case_id = ANY($3) AND k.state <> ALL($4)),
         t AS (
           SELECT council_id,
                  bool_or(kind = 'situation' AND child_confirmed_at IS NOT NULL)
                    AS situation_confirmed,
                  count(*) FILTER (WHERE kind = 'question') AS questions,
                  count(*) FILTER (WHERE kind = 'question' AND child_confirmed_at IS NOT NULL)
                    AS questions_confirmed
             FROM council_texts
            WHERE tenant_id = $1 AND council_id IN (SELECT id FROM k) AND removed_at IS NULL
            GROUP BY council_id),
         w AS (
           SELECT participant_id FROM council_waivers
            WHERE tenant_id = $1 AND council_id IN (SELECT id FROM k) AND withdrawn_at IS NULL),
         r AS (
           SELECT DISTINCT participant_id FROM council_preparations
            WHERE tenant_id = $1 AND council_id IN (SELECT id FROM k)),
         p AS (
           SELECT e.council_id,
                  count(*) AS participants,
                  count(*) FILTER (WHERE e.chosen_by_child) AS chosen_by_child,
                  count(*) FILTER (WHERE e.side = 'public') AS public_participants,
                  count(*) FILTER (WHERE e.side = 'public' AND w.participant_id IS NOT NULL)
                    AS public_with_waiver,
                  count(*) FILTER (WHERE r.participant_id IS NOT NULL) AS prepared
             FROM council_participants e
             LEFT JOIN w ON w.participant_id = e.id
             LEFT JOIN r ON r.participant_id = e.id
            WHERE e.tenant_id = $1 AND e.council_id IN (SELECT id FROM k) AND e.removed_at IS NULL
            GROUP BY e.council_id),
         g AS (
           SELECT council_id,
                  bool_or(given_by = 'parent') AS parent_consent,
                  bool_or(given_by = 'child') AS child_consent
             FROM council_consents
            WHERE tenant_id = $1 AND council_id IN (SELECT id FROM k) AND withdrawn_at IS NULL
            GROUP BY council_id),
         o AS (
           SELECT o.council_id, count(*) AS open_objections
             FROM council_objections o
             JOIN network_persons n ON n.tenant_id = o.tenant_id AND n.id = o.person_id
            WHERE o.tenant_id = $1 AND o.council_id IN (SELECT id FROM k) AND o.resolved_at IS NULL
              AND EXISTS (SELECT 1 FROM council_participants e
                           WHERE e.tenant_id = o.tenant_id AND e.council_id = o.council_id
                             AND e.removed_at IS NULL AND e.person_id = o.person_id)
            GROUP BY o.council_id),
         m AS (
           SELECT DISTINCT ON (council_id) council_id,
                  confirmed_at IS NOT NULL AS confirmed,
                  coalesce(starts_at <= $2, false) AS started
             FROM council_meetings
            WHERE tenant_id = $1 AND council_id IN (SELECT id FROM k) AND status <> 'cancelled'
            ORDER BY council_id, created_at DESC)
         SELECT k.id, k.case_id, k.kind, k.acute, k.state, k.coordinator_id, k.team_chosen_at,
                k.created_at, k.birth_year, k.birth_date,
                coalesce(t.situation_confirmed, false) AS situation_confirmed,
                coalesce(t.questions, 0) AS questions,
                coalesce(t.questions_confirmed, 0) AS questions_confirmed,
                coalesce(p.participants, 0) AS participants,
                coalesce(p.chosen_by_child, 0) AS chosen_by_child,
                coalesce(p.public_participants, 0) AS public_participants,
                coalesce(p.public_with_waiver, 0) AS public_with_waiver,
                coalesce(p.prepared, 0) AS prepared,
                coalesce(g.parent_consent, false) AS parent_consent,
                coalesce(g.child_consent, false) AS child_consent,
                coalesce(o.open_objections, 0) AS open_objections,
                m.confirmed AS meeting_confirmed, m.started AS meeting_started
           FROM k
           LEFT JOIN t ON t.council_id = k.id
           LEFT JOIN p ON p.council_id = k.id
           LEFT JOIN g ON g.council_id = k.id
           LEFT JOIN o ON o.council_id = k.id
           LEFT JOIN m ON m.council_id = k.id
          ORDER BY k.created_at",
        vec![
            Bind::Id(tenant.0),
            Bind::Moment(now),
            Bind::Ids(case_ids.to_vec()),
            Bind::Texts(ended),
        ],
    )
    .load(conn)?;
    let count = |n: i64| usize::try_from(n).unwrap_or(0);
    let mut open = Vec::with_capacity(rows.len());
    for r in rows {
        let c = r.council.parse()?;
        if c.kind.is_final(c.state) {
            continue;
        }
        let facts = Facts {
            acute: c.acute,
            team_chosen: c.team_chosen_at.is_some(),
            situation_confirmed: r.situation_confirmed,
            questions: count(r.questions),
            questions_confirmed: count(r.questions_confirmed),
            participants: count(r.participants),
            chosen_by_child: count(r.chosen_by_child),
            parent_consent: r.parent_consent,
            child_consent: r.child_consent,
            child_consent_needed: child_consent_needed((r.birth_year, r.birth_date), now),
            public_participants: count(r.public_participants),
            public_with_waiver: count(r.public_with_waiver),
            prepared: count(r.prepared),
            open_objections: count(r.open_objections),
            meeting: r.meeting_confirmed.map(|confirmed| MeetingFacts {
                confirmed,
                started: r.meeting_started.unwrap_or(false),
            }),
        };
        open.push((c, facts));
    }
    Ok(open)
}

/// Every open council of `case_ids` with the next step its task list gives and what blocks
/// it — the council page's own rules ([`rules::standing`], [`rules::waiting`]) over the facts
/// read together by [`open_councils_with_facts`].
pub fn waiting_councils(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<Vec<CouncilWaiting>, AppError> {
    Ok(open_councils_with_facts(conn, tenant, case_ids, now)?
        .into_iter()
        .filter_map(|(c, f)| {
            let standing = rules::standing(c.kind, c.state, &f);
            let waiting = rules::waiting(c.kind, &standing)?;
            Some(CouncilWaiting {
                case_id: c.case_id,
                council_id: c.id,
                kind: c.kind,
                state: c.state,
                task: waiting.task,
                next_state: waiting.to,
                blockers: waiting.blockers,
            })
        })
        .collect())
}

/// The council's parts, before the checklist is worked out from them.
#[derive(Default)]
pub struct CouncilViewParts {
    pub texts: Vec<TextView>,
    pub participants: Vec<ParticipantView>,
    pub objections: Vec<ObjectionView>,
    pub consents: Vec<ConsentView>,
    pub meetings: Vec<MeetingView>,
}

/// The texts of `council_ids`, each with its council.
fn texts(conn: &mut PgConnection, council_ids: &[Uuid]) -> Result<Vec<(Uuid, TextView)>, AppError> {
    type Row = (
        Uuid,
        Uuid,
        String,
        i16,
        String,
        String,
        Option<DateTime<Utc>>,
        bool,
        DateTime<Utc>,
    );
    let rows: Vec<Row> = council_texts::table
        .filter(council_texts::council_id.eq_any(council_ids))
        .filter(council_texts::removed_at.is_null())
        .order((council_texts::kind.desc(), council_texts::position))
        .select((
            council_texts::council_id,
            council_texts::id,
            council_texts::kind,
            council_texts::position,
            council_texts::text,
            council_texts::author,
            council_texts::child_confirmed_at,
            council_texts::shared,
            council_texts::created_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(council, id, kind, position, text, author, confirmed, shared, created)| {
                Ok((
                    council,
                    TextView {
                        id,
                        kind: stored(TextKind::parse, &kind)?,
                        position,
                        text,
                        author: stored(WordsAuthor::parse, &author)?,
                        child_confirmed_at: confirmed,
                        shared,
                        created_at: created,
                    },
                ))
            },
        )
        .collect()
}

/// An answer as selected by `answer_columns!`, field by field in its order.
#[derive(Queryable)]
struct AnswerRow {
    meeting_id: Uuid,
    participant_id: Uuid,
    response: String,
    comment: Option<String>,
    contribution: Option<String>,
    availability: Option<String>,
    answered_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    recorded_how: Option<String>,
    /// The staff member who recorded it on the person's behalf.
    recorded_by: Option<String>,
}

/// A waiver: participant, scope, granted, withdrawn.
type WaiverRow = (Uuid, String, DateTime<Utc>, Option<DateTime<Utc>>);

/// A preparation: participant, id, held, notes, contribution.
type PreparationRow = (Uuid, Uuid, DateTime<Utc>, Option<String>, Option<String>);

fn answer_view(row: AnswerRow) -> Result<AnswerView, AppError> {
    let recorded = match row.recorded_how {
        Some(how) => Some(RecordedAnswer {
            how: stored(AnsweredHow::parse, &how)?,
            by: row.recorded_by.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(AnswerView {
        meeting_id: row.meeting_id,
        participant_id: row.participant_id,
        recorded,
        response: stored(Response::parse, &row.response)?,
        comment: row.comment,
        contribution: row.contribution,
        availability: row.availability,
        answered_at: row.answered_at,
        updated_at: row.updated_at,
    })
}

/// Saves `participant`'s answer to `meeting`, replacing any earlier one: given through their own
/// link (`recorded` is none), or recorded by a staff member on their behalf and how it was given.
#[allow(clippy::too_many_arguments)]
pub fn save_answer(
    conn: &mut PgConnection,
    tenant: TenantId,
    council: Uuid,
    meeting: Uuid,
    participant: Uuid,
    answer: &Answer,
    recorded: Option<(Uuid, AnsweredHow)>,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let (by, how) = (
        recorded.map(|(by, _)| by),
        recorded.map(|(_, how)| how.as_str()),
    );
    diesel::insert_into(council_answers::table)
        .values((
            council_answers::tenant_id.eq(tenant.0),
            council_answers::meeting_id.eq(meeting),
            council_answers::participant_id.eq(participant),
            council_answers::council_id.eq(council),
            council_answers::response.eq(answer.response.as_str()),
            council_answers::comment.eq(&answer.comment),
            council_answers::contribution.eq(&answer.contribution),
            council_answers::availability.eq(&answer.availability),
            council_answers::recorded_by.eq(by),
            council_answers::recorded_how.eq(how),
        ))
        .on_conflict((
            council_answers::tenant_id,
            council_answers::meeting_id,
            council_answers::participant_id,
        ))
        .do_update()
        .set((
            council_answers::response.eq(answer.response.as_str()),
            council_answers::comment.eq(&answer.comment),
            council_answers::contribution.eq(&answer.contribution),
            council_answers::availability.eq(&answer.availability),
            council_answers::recorded_by.eq(by),
            council_answers::recorded_how.eq(how),
            council_answers::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Whether `participant`'s own answer to `meeting` is `answer` already, word for word: an
/// answer sent twice (a double click, a second tab) is then a success with nothing to write.
/// One recorded for them by staff is not their own, so sending it themselves still counts.
pub fn own_answer_is(
    conn: &mut PgConnection,
    meeting: Uuid,
    participant: Uuid,
    answer: &Answer,
) -> QueryResult<bool> {
    type Row = (String, Option<String>, Option<String>, Option<String>);
    let saved: Option<Row> = council_answers::table
        .filter(council_answers::meeting_id.eq(meeting))
        .filter(council_answers::participant_id.eq(participant))
        .filter(council_answers::recorded_by.is_null())
        .select((
            council_answers::response,
            council_answers::comment,
            council_answers::contribution,
            council_answers::availability,
        ))
        .first(conn)
        .optional()?;
    Ok(
        saved.is_some_and(|(response, comment, contribution, availability)| {
            response == answer.response.as_str()
                && comment == answer.comment
                && contribution == answer.contribution
                && availability == answer.availability
        }),
    )
}

macro_rules! answer_columns {
    () => {
        (
            council_answers::meeting_id,
            council_answers::participant_id,
            council_answers::response,
            council_answers::comment,
            council_answers::contribution,
            council_answers::availability,
            council_answers::answered_at,
            council_answers::updated_at,
            council_answers::recorded_how,
            users::display_name.nullable(),
        )
    };
}

/// The meetings of `council_ids` with their answers, each with its council, in the order
/// they were scheduled.
fn meetings(
    conn: &mut PgConnection,
    council_ids: &[Uuid],
) -> Result<Vec<(Uuid, MeetingView)>, AppError> {
    type Row = (
        Uuid,
        Uuid,
        Option<DateTime<Utc>>,
        i32,
        Option<String>,
        Option<String>,
        serde_json::Value,
        String,
        Uuid,
        i32,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        bool,
        Option<String>,
    );
    let rows: Vec<Row> = council_meetings::table
        .filter(council_meetings::council_id.eq_any(council_ids))
        .order(council_meetings::created_at)
        .select((
            council_meetings::council_id,
            council_meetings::id,
            council_meetings::starts_at,
            council_meetings::duration_minutes,
            council_meetings::place,
            council_meetings::video_link,
            council_meetings::agenda,
            council_meetings::status,
            council_meetings::calendar_uid,
            council_meetings::sequence,
            council_meetings::confirmed_at,
            council_meetings::cancelled_at,
            council_meetings::place_shared,
            council_meetings::recorded_afterwards_reason,
        ))
        .load(conn)?;
    let answers: Vec<AnswerView> = council_answers::table
        .left_join(
            users::table.on(users::tenant_id
                .eq(council_answers::tenant_id)
                .and(users::id.nullable().eq(council_answers::recorded_by))),
        )
        .filter(council_answers::council_id.eq_any(council_ids))
        .order(council_answers::answered_at)
        .select(answer_columns!())
        .load(conn)?
        .into_iter()
        .map(answer_view)
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(
            |(
                council,
                id,
                starts,
                minutes,
                place,
                video,
                agenda,
                status,
                uid,
                seq,
                confirmed,
                cancelled,
                shared,
                afterwards,
            )| {
                let agenda: Vec<AgendaPart> = serde_json::from_value(agenda).map_err(|e| {
                    AppError::Internal(format!("a stored agenda is unreadable: {e}"))
                })?;
                let meeting = MeetingView {
                    id,
                    starts_at: starts,
                    ends_at: starts.map(|s| s + chrono::Duration::minutes(i64::from(minutes))),
                    duration_minutes: minutes,
                    place,
                    place_shared: shared,
                    video_link: video,
                    agenda,
                    status,
                    calendar_uid: uid,
                    sequence: seq,
                    confirmed_at: confirmed,
                    cancelled_at: cancelled,
                    recorded_afterwards_reason: afterwards,
                    answers: answers
                        .iter()
                        .filter(|a| a.meeting_id == id)
                        .cloned()
                        .collect(),
                };
                Ok((council, meeting))
            },
        )
        .collect()
}

/// The team of `council_id` in the order they joined, without those taken off it.
pub fn team(conn: &mut PgConnection, council_id: Uuid) -> QueryResult<Vec<TeamMember>> {
    team_rows(conn, TeamOf::Councils(vec![council_id]))
}

/// One participant, whether or not they are still on the team.
pub fn team_member(conn: &mut PgConnection, participant: Uuid) -> QueryResult<Option<TeamMember>> {
    Ok(team_rows(conn, TeamOf::Participant(participant))?.pop())
}

enum TeamOf {
    Councils(Vec<Uuid>),
    Participant(Uuid),
}

/// A participant's own language: their map person's (`network_persons.language`), or a staff
/// member's (`users.lang`) — the one rule for the team's rows and an invitee's page alike.
pub(crate) fn own_language(person: Option<&str>, staff: Option<&str>) -> Option<Lang> {
    person.or(staff).and_then(Lang::parse)
}

/// The one join of the team: participants with their map person and staff member.
fn team_rows(conn: &mut PgConnection, of: TeamOf) -> QueryResult<Vec<TeamMember>> {
    type Row = (
        Uuid,
        Uuid,
        Option<Uuid>,
        Option<Uuid>,
        bool,
        String,
        String,
        Option<DateTime<Utc>>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<bool>,
        Option<String>,
        (
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        ),
    );
    let query = council_participants::table
        .left_join(
            network_persons::table.on(network_persons::tenant_id
                .eq(council_participants::tenant_id)
                .and(
                    network_persons::id
                        .nullable()
                        .eq(council_participants::person_id),
                )),
        )
        .left_join(
            users::table.on(users::tenant_id
                .eq(council_participants::tenant_id)
                .and(users::id.nullable().eq(council_participants::user_id))),
        )
        .order(council_participants::created_at)
        .select((
            council_participants::council_id,
            council_participants::id,
            council_participants::person_id,
            council_participants::user_id,
            council_participants::chosen_by_child,
            council_participants::meeting_role,
            council_participants::side,
            council_participants::removed_at,
            network_persons::name.nullable(),
            network_persons::email.nullable(),
            users::display_name.nullable(),
            users::email.nullable(),
            network_persons::preferred_channel.nullable(),
            network_persons::email_too.nullable(),
            network_persons::phone.nullable(),
            (
                network_persons::address.nullable(),
                network_persons::language.nullable(),
                network_persons::interpreter.nullable(),
                users::lang.nullable(),
            ),
        ))
        .into_boxed();
    let query = match of {
        TeamOf::Councils(ids) => query
            .filter(council_participants::council_id.eq_any(ids))
            .filter(council_participants::removed_at.is_null()),
        TeamOf::Participant(id) => query.filter(council_participants::id.eq(id)),
    };
    let rows: Vec<Row> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let channel = r.12.as_deref().and_then(|c| Channel::parse(c).ok());
            // A map person is emailed only when email is their way, or wanted too.
            let emailed = channel.is_none_or(|c| c == Channel::Email) || r.13 == Some(true);
            (r, channel, emailed)
        })
        .map(|(r, channel, emailed)| TeamMember {
            council_id: r.0,
            channel,
            sms: r.14.filter(|_| channel == Some(Channel::Sms)),
            postal_address: r.15.0,
            language: own_language(r.15.1.as_deref(), r.15.3.as_deref()),
            interpreter: r.15.2,
            participant_id: r.1,
            person_id: r.2,
            user_id: r.3,
            chosen_by_child: r.4,
            meeting_role: r.5,
            side: r.6,
            removed: r.7.is_some(),
            name: r
                .8
                .or_else(|| r.10.filter(|n| !n.trim().is_empty()))
                .or_else(|| r.11.clone())
                .unwrap_or_default(),
            email: r.9.filter(|_| emailed).or(r.11),
        })
        .collect())
}

/// Everyone on the teams of `council_ids` (not removed), each with their council, name,
/// waiver, preparations, current link and their answer to their council's `current` meeting.
fn participants(
    conn: &mut PgConnection,
    council_ids: &[Uuid],
    current: &HashMap<Uuid, &MeetingView>,
) -> Result<Vec<(Uuid, ParticipantView)>, AppError> {
    let team = team_rows(conn, TeamOf::Councils(council_ids.to_vec()))?;
    let waivers: Vec<WaiverRow> = council_waivers::table
        .filter(council_waivers::council_id.eq_any(council_ids))
        .select((
            council_waivers::participant_id,
            council_waivers::scope,
            council_waivers::granted_at,
            council_waivers::withdrawn_at,
        ))
        .load(conn)?;
    let preparations: Vec<PreparationRow> = council_preparations::table
        .filter(council_preparations::council_id.eq_any(council_ids))
        .order(council_preparations::held_at)
        .select((
            council_preparations::participant_id,
            council_preparations::id,
            council_preparations::held_at,
            council_preparations::notes,
            council_preparations::contribution,
        ))
        .load(conn)?;
    let links: Vec<(Uuid, Uuid, DateTime<Utc>, DateTime<Utc>)> = council_invitations::table
        .filter(council_invitations::council_id.eq_any(council_ids))
        .filter(council_invitations::revoked_at.is_null())
        .order(council_invitations::created_at)
        .select((
            council_invitations::participant_id,
            council_invitations::meeting_id,
            council_invitations::created_at,
            council_invitations::expires_at,
        ))
        .load(conn)?;
    team.into_iter()
        .map(|m| {
            let id = m.participant_id;
            let council = m.council_id;
            let current_meeting = current.get(&council).copied();
            let view = ParticipantView {
                id,
                person_id: m.person_id,
                user_id: m.user_id,
                has_email: m.email.is_some(),
                chosen_by_child: m.chosen_by_child,
                meeting_role: stored(MeetingRole::parse, &m.meeting_role)?,
                side: stored(NetworkSide::parse, &m.side)?,
                language: m.language.filter(|_| m.person_id.is_some()),
                interpreter: m.interpreter,
                name: m.name,
                waiver: waivers.iter().find(|w| w.0 == id).map(|w| WaiverView {
                    scope: w.1.clone(),
                    granted_at: w.2,
                    withdrawn_at: w.3,
                }),
                preparations: preparations
                    .iter()
                    .filter(|p| p.0 == id)
                    .map(|p| PreparationView {
                        id: p.1,
                        held_at: p.2,
                        notes: p.3.clone(),
                        contribution: p.4.clone(),
                    })
                    .collect(),
                invitation: links
                    .iter()
                    .rev()
                    .find(|l| l.0 == id && current_meeting.is_some_and(|m| m.id == l.1))
                    .map(|l| InvitationView {
                        meeting_id: l.1,
                        sent_at: l.2,
                        expires_at: l.3,
                        goes_out_at: None,
                    }),
                answer: current_meeting
                    .and_then(|m| m.answers.iter().find(|a| a.participant_id == id))
                    .cloned(),
            };
            Ok((council, view))
        })
        .collect()
}

/// The child's objections in `council_ids`, each with its council.
fn objections(
    conn: &mut PgConnection,
    council_ids: &[Uuid],
) -> Result<Vec<(Uuid, ObjectionView)>, AppError> {
    type Row = (
        Uuid,
        Uuid,
        Uuid,
        String,
        String,
        Option<String>,
        Option<DateTime<Utc>>,
        DateTime<Utc>,
    );
    let rows: Vec<Row> = council_objections::table
        .inner_join(
            network_persons::table.on(network_persons::tenant_id
                .eq(council_objections::tenant_id)
                .and(network_persons::id.eq(council_objections::person_id))),
        )
        .filter(council_objections::council_id.eq_any(council_ids))
        .order(council_objections::created_at)
        .select((
            council_objections::council_id,
            council_objections::id,
            council_objections::person_id,
            network_persons::name,
            council_objections::reason,
            council_objections::resolution,
            council_objections::resolved_at,
            council_objections::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.0,
                ObjectionView {
                    id: r.1,
                    person_id: r.2,
                    person_name: r.3,
                    reason: Some(r.4),
                    resolution: r.5,
                    resolved_at: r.6,
                    created_at: r.7,
                },
            )
        })
        .collect())
}

/// The consents given for `council_ids`, each with its council.
fn consents(
    conn: &mut PgConnection,
    council_ids: &[Uuid],
) -> Result<Vec<(Uuid, ConsentView)>, AppError> {
    type Row = (
        Uuid,
        Uuid,
        String,
        String,
        String,
        DateTime<Utc>,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
        bool,
        Option<String>,
        DateTime<Utc>,
    );
    let rows: Vec<Row> = council_consents::table
        .left_join(
            users::table.on(users::tenant_id
                .eq(council_consents::tenant_id)
                .and(users::id.nullable().eq(council_consents::recorded_by))),
        )
        .filter(council_consents::council_id.eq_any(council_ids))
        .order(council_consents::created_at)
        .select((
            council_consents::council_id,
            council_consents::id,
            council_consents::given_by,
            council_consents::name,
            council_consents::scope,
            council_consents::informed_at,
            council_consents::granted_at,
            council_consents::withdrawn_at,
            council_consents::oral,
            users::display_name.nullable(),
            council_consents::created_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|r| {
            let consent = ConsentView {
                id: r.1,
                given_by: stored(ConsentGiver::parse, &r.2)?,
                name: r.3,
                scope: r.4,
                informed_at: r.5,
                granted_at: r.6,
                withdrawn_at: r.7,
                oral: r.8,
                recorded_by: r.9,
                recorded_at: r.10,
            };
            Ok((r.0, consent))
        })
        .collect()
}

pub fn parts(conn: &mut PgConnection, council_id: Uuid) -> Result<CouncilViewParts, AppError> {
    Ok(parts_of(conn, &[council_id])?
        .remove(&council_id)
        .unwrap_or_default())
}

/// The parts of each of `council_ids`, by council id, in the same queries whatever their
/// number: one council's page and a list across many read them alike.
pub fn parts_of(
    conn: &mut PgConnection,
    council_ids: &[Uuid],
) -> Result<HashMap<Uuid, CouncilViewParts>, AppError> {
    let meetings = meetings(conn, council_ids)?;
    let mut current: HashMap<Uuid, &MeetingView> = HashMap::new();
    for (council, meeting) in &meetings {
        if !meeting.cancelled() {
            // The latest not cancelled: meetings come in the order they were scheduled.
            current.insert(*council, meeting);
        }
    }
    let participants = participants(conn, council_ids, &current)?;
    let mut out: HashMap<Uuid, CouncilViewParts> = HashMap::new();
    for (council, text) in texts(conn, council_ids)? {
        out.entry(council).or_default().texts.push(text);
    }
    for (council, objection) in objections(conn, council_ids)? {
        out.entry(council).or_default().objections.push(objection);
    }
    for (council, consent) in consents(conn, council_ids)? {
        out.entry(council).or_default().consents.push(consent);
    }
    for (council, participant) in participants {
        out.entry(council)
            .or_default()
            .participants
            .push(participant);
    }
    for (council, meeting) in meetings {
        out.entry(council).or_default().meetings.push(meeting);
    }
    Ok(out)
}

/// The whole council as the coordinator sees it, with where it stands.
pub fn council_view(
    conn: &mut PgConnection,
    council: &Council,
    now: DateTime<Utc>,
) -> Result<CouncilView, AppError> {
    let parts = parts(conn, council.id)?;
    let facts = facts(conn, council, &parts, now)?;
    Ok(CouncilView {
        id: council.id,
        case_id: council.case_id,
        kind: council.kind,
        acute: council.acute,
        state: council.state,
        coordinator_id: council.coordinator_id,
        team_chosen_at: council.team_chosen_at,
        created_at: council.created_at,
        standing: rules::standing(council.kind, council.state, &facts),
        texts: parts.texts,
        participants: parts.participants,
        objections: parts.objections,
        consents: parts.consents,
        meetings: parts.meetings,
    })
}

/// The facts of `council` as they stand now.
pub fn current_facts(
    conn: &mut PgConnection,
    council: &Council,
    now: DateTime<Utc>,
) -> Result<Facts, AppError> {
    let parts = parts(conn, council.id)?;
    facts(conn, council, &parts, now)
}

fn touch(conn: &mut PgConnection, council: &Council) -> QueryResult<usize> {
    diesel::update(councils::table.filter(councils::id.eq(council.id)))
        .set(councils::updated_at.eq(Utc::now()))
        .execute(conn)
}

/// Moves council `council_id` to the state `next` gives for its current one, if any (a plan's
/// events move its council); returns the new state.
pub fn follow_state(
    conn: &mut PgConnection,
    council_id: Uuid,
    now: DateTime<Utc>,
    next: impl FnOnce(CouncilState) -> Option<CouncilState>,
) -> QueryResult<Option<CouncilState>> {
    let current: String = councils::table
        .filter(councils::id.eq(council_id))
        .select(councils::state)
        .first(conn)?;
    let Ok(current) = CouncilState::parse(&current) else {
        return Ok(None);
    };
    let Some(to) = next(current) else {
        return Ok(None);
    };
    diesel::update(councils::table.filter(councils::id.eq(council_id)))
        .set((
            councils::state.eq(to.as_str()),
            councils::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(Some(to))
}
/// What a caller that knows only a council's id (a link, a job) needs of it: its service, its
/// kind and its coordinator.
#[derive(Debug, Clone, Copy)]
pub struct CouncilOwner {
    pub tenant: TenantId,
    pub kind: CouncilKind,
    pub coordinator_id: Uuid,
}

/// The owner of council `id`, in the service whose transaction `conn` is in; 404 if none.
pub fn owner(conn: &mut PgConnection, id: Uuid) -> Result<CouncilOwner, AppError> {
    let (tenant, kind, coordinator): (Uuid, String, Uuid) = councils::table
        .filter(councils::id.eq(id))
        .select((
            councils::tenant_id,
            councils::kind,
            councils::coordinator_id,
        ))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    Ok(CouncilOwner {
        tenant: TenantId(tenant),
        kind: stored(CouncilKind::parse, &kind)?,
        coordinator_id: coordinator,
    })
}

/// A follow-up council opened from an earlier one: the new council, its proposed meeting, and
/// who on the new team was whom on the earlier one (earlier participant, new participant).
#[derive(Debug, Clone)]
pub struct FollowUpCouncil {
    pub council_id: Uuid,
    pub meeting_id: Uuid,
    pub team: Vec<(Uuid, Uuid)>,
}

/// Opens a new council of `earlier`'s kind for the same case, coordinated by the same
/// coordinator, with what the network already settled carried over: the team (chosen again, so
/// the coordinator can change it as on any council), the child's confirmed texts, the consents
/// and waivers still standing; a network council starts at its preparation. Its first meeting
/// is proposed at `proposed` (not confirmed until the invitations go out).
pub fn open_follow_up_council(
    conn: &mut PgConnection,
    tenant: TenantId,
    earlier: &Council,
    proposed: &MeetingTime,
    now: DateTime<Utc>,
) -> Result<FollowUpCouncil, AppError> {
    let starting = Starting {
        kind: earlier.kind,
        acute: false,
        coordinator: earlier.coordinator_id,
        creator: earlier.coordinator_id,
    };
    let id = insert_council(conn, tenant, earlier.case_id, &starting)?;
    let state = match earlier.kind {
        CouncilKind::NetworkCouncil => CouncilState::Preparation,
        other => other.initial(),
    };
    diesel::update(councils::table.filter(councils::id.eq(id)))
        .set((
            councils::state.eq(state.as_str()),
            councils::team_chosen_at.eq(now),
            councils::updated_at.eq(now),
        ))
        .execute(conn)?;
    type Member = (Uuid, Option<Uuid>, Option<Uuid>, bool, String, String);
    let members: Vec<Member> = council_participants::table
        .filter(council_participants::council_id.eq(earlier.id))
        .filter(council_participants::removed_at.is_null())
        .order(council_participants::created_at)
        .select((
            council_participants::id,
            council_participants::person_id,
            council_participants::user_id,
            council_participants::chosen_by_child,
            council_participants::meeting_role,
            council_participants::side,
        ))
        .load(conn)?;
    let mut team = Vec::with_capacity(members.len());
    for (old, person, user, chosen, role, side) in members {
        let new = Uuid::now_v7();
        diesel::insert_into(council_participants::table)
            .values((
                council_participants::tenant_id.eq(tenant.0),
                council_participants::id.eq(new),
                council_participants::council_id.eq(id),
                council_participants::case_id.eq(earlier.case_id),
                council_participants::person_id.eq(person),
                council_participants::user_id.eq(user),
                council_participants::chosen_by_child.eq(chosen),
                council_participants::meeting_role.eq(role),
                council_participants::side.eq(side),
            ))
            .execute(conn)?;
        team.push((old, new));
    }
    type Text = (String, i16, String, String, Option<DateTime<Utc>>, bool);
    let texts: Vec<Text> = council_texts::table
        .filter(council_texts::council_id.eq(earlier.id))
        .filter(council_texts::removed_at.is_null())
        .filter(council_texts::child_confirmed_at.is_not_null())
        .select((
            council_texts::kind,
            council_texts::position,
            council_texts::text,
            council_texts::author,
            council_texts::child_confirmed_at,
            council_texts::shared,
        ))
        .load(conn)?;
    for (kind, position, text, author, confirmed, shared) in texts {
        diesel::insert_into(council_texts::table)
            .values((
                council_texts::tenant_id.eq(tenant.0),
                council_texts::id.eq(Uuid::now_v7()),
                council_texts::council_id.eq(id),
                council_texts::kind.eq(kind),
                council_texts::position.eq(position),
                council_texts::text.eq(text),
                council_texts::author.eq(author),
                council_texts::child_confirmed_at.eq(confirmed),
                council_texts::shared.eq(shared),
            ))
            .execute(conn)?;
    }
    type Consent = (
        String,
        String,
        String,
        DateTime<Utc>,
        DateTime<Utc>,
        Option<Uuid>,
    );
    let consents: Vec<Consent> = council_consents::table
        .filter(council_consents::council_id.eq(earlier.id))
        .filter(council_consents::withdrawn_at.is_null())
        .select((
            council_consents::given_by,
            council_consents::name,
            council_consents::scope,
            council_consents::informed_at,
            council_consents::granted_at,
            council_consents::recorded_by,
        ))
        .load(conn)?;
    for (given_by, name, scope, informed, granted, by) in consents {
        diesel::insert_into(council_consents::table)
            .values((
                council_consents::tenant_id.eq(tenant.0),
                council_consents::id.eq(Uuid::now_v7()),
                council_consents::council_id.eq(id),
                council_consents::given_by.eq(given_by),
                council_consents::name.eq(name),
                council_consents::scope.eq(scope),
                council_consents::informed_at.eq(informed),
                council_consents::granted_at.eq(granted),
                council_consents::recorded_by.eq(by),
            ))
            .execute(conn)?;
    }
    type Waiver = (Uuid, String, DateTime<Utc>, Option<Uuid>);
    let waivers: Vec<Waiver> = council_waivers::table
        .filter(council_waivers::council_id.eq(earlier.id))
        .filter(council_waivers::withdrawn_at.is_null())
        .select((
            council_waivers::participant_id,
            council_waivers::scope,
            council_waivers::granted_at,
            council_waivers::recorded_by,
        ))
        .load(conn)?;
    for (participant, scope, granted, by) in waivers {
        let Some((_, new)) = team.iter().find(|(old, _)| *old == participant) else {
            continue;
        };
        diesel::insert_into(council_waivers::table)
            .values((
                council_waivers::tenant_id.eq(tenant.0),
                council_waivers::participant_id.eq(new),
                council_waivers::council_id.eq(id),
                council_waivers::scope.eq(scope),
                council_waivers::granted_at.eq(granted),
                council_waivers::recorded_by.eq(by),
            ))
            .execute(conn)?;
    }
    let council = council(conn, tenant, earlier.case_id, id, false)?;
    let meeting_id = insert_meeting(conn, tenant, &council, proposed, None)?;
    Ok(FollowUpCouncil {
        council_id: id,
        meeting_id,
        team,
    })
}

/// The time a follow-up meeting is proposed for: `day` at the local time of `council`'s latest
/// meeting, as long and in the same place (by default 17:00 for the service's usual length).
pub fn follow_up_time(
    conn: &mut PgConnection,
    council: &Council,
    day: chrono::NaiveDate,
    cs: &CouncilSettings,
) -> Result<MeetingTime, AppError> {
    let latest: Option<MeetingRow> = council_meetings::table
        .filter(council_meetings::council_id.eq(council.id))
        .filter(council_meetings::status.eq(MeetingStatus::Scheduled.as_str()))
        .filter(council_meetings::starts_at.is_not_null())
        .order(council_meetings::starts_at.desc())
        .select(MeetingRow::as_select())
        .first(conn)
        .optional()?;
    let hour = chrono::NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default();
    let at = latest
        .as_ref()
        .and_then(|m| m.starts_at)
        .map_or(hour, |s| s.with_timezone(&cs.tz).time());
    Ok(MeetingTime {
        starts_at: Some(crate::time::local_to_utc(day, at, cs.tz)),
        duration_minutes: latest
            .as_ref()
            .map_or(cs.meeting_minutes, |m| m.duration_minutes),
        place: latest.as_ref().and_then(|m| m.place.clone()),
        place_shared: latest.as_ref().is_some_and(|m| m.place_shared),
        video_link: latest.as_ref().and_then(|m| m.video_link.clone()),
    })
}

pub fn set_state(
    conn: &mut PgConnection,
    council: &Council,
    to: CouncilState,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let facts = current_facts(conn, council, now)?;
    rules::require(rules::transition_blockers(
        council.kind,
        council.state,
        to,
        &facts,
    ))?;
    diesel::update(councils::table.filter(councils::id.eq(council.id)))
        .set((
            councils::state.eq(to.as_str()),
            councils::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Adds a text of the child's. The situation description is one text: a new one replaces it
/// (the old one is kept, marked removed). Questions are numbered in the order they are added; at
/// most five.
pub fn add_text(
    conn: &mut PgConnection,
    tenant: TenantId,
    council: &Council,
    new: &NewText,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Uuid, AppError> {
    rules::open(council.kind, council.state)?;
    let active = council_texts::table
        .filter(council_texts::council_id.eq(council.id))
        .filter(council_texts::kind.eq(new.kind.as_str()))
        .filter(council_texts::removed_at.is_null());
    let position: i16 = match new.kind {
        TextKind::Situation => {
            diesel::update(active)
                .set(council_texts::removed_at.eq(now))
                .execute(conn)?;
            0
        }
        TextKind::Question => {
            let count: i64 = active.count().get_result(conn)?;
            rules::room_for_a_question(count)?;
            i16::try_from(count + 1).unwrap_or(i16::MAX)
        }
    };
    let id = Uuid::now_v7();
    diesel::insert_into(council_texts::table)
        .values((
            council_texts::tenant_id.eq(tenant.0),
            council_texts::id.eq(id),
            council_texts::council_id.eq(council.id),
            council_texts::kind.eq(new.kind.as_str()),
            council_texts::position.eq(position),
            council_texts::text.eq(&new.text),
            council_texts::author.eq(new.author.as_str()),
            council_texts::child_confirmed_at.eq(new.child_confirmed.then_some(now)),
            council_texts::shared.eq(new.shared),
            council_texts::recorded_by.eq(by),
        ))
        .execute(conn)?;
    touch(conn, council)?;
    Ok(id)
}

/// The child confirms a text says what they mean.
pub fn confirm_text(
    conn: &mut PgConnection,
    council: &Council,
    text_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    close_open_row!(conn, council_texts, council_id = council.id, text_id,
        while removed_at is null, set child_confirmed_at = now)?;
    touch(conn, council)?;
    Ok(())
}

/// Takes a question away (kept, marked removed).
pub fn remove_text(
    conn: &mut PgConnection,
    council: &Council,
    text_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    close_open_row!(conn, council_texts, council_id = council.id, text_id,
        while removed_at is null, set removed_at = now)?;
    Ok(())
}

/// Adds someone to the team: a person on the map, a staff member, or a new person who thereby
/// joins the map.
pub fn add_participant(
    conn: &mut PgConnection,
    tenant: TenantId,
    council: &Council,
    new: &NewParticipant,
) -> Result<Uuid, AppError> {
    rules::open(council.kind, council.state)?;
    let (person, user, map_side) = match &new.who {
        Who::Person(id) => {
            let side: Option<String> = network_persons::table
                .filter(network_persons::case_id.eq(council.case_id))
                .filter(network_persons::id.eq(id))
                .filter(network_persons::removed_at.is_null())
                .select(network_persons::side)
                .first(conn)
                .optional()?;
            let side = side
                .ok_or_else(|| AppError::field("person_id", "not a person on this case's map"))?;
            (Some(*id), None, stored(NetworkSide::parse, &side)?)
        }
        Who::Staff(id) => {
            let role: Option<(String, bool)> = users::table
                .filter(users::id.eq(id))
                .select((users::role, users::active))
                .first(conn)
                .optional()?;
            if !role.is_some_and(|(_, active)| active) {
                return Err(AppError::field(
                    "user_id",
                    "not an active staff member of the service",
                ));
            }
            (None, Some(*id), NetworkSide::Public)
        }
        Who::New(input) => {
            let id =
                crate::cases::queries::insert_person(conn, tenant, council.case_id, &input.fields)?;
            if let Some(words) = &input.words {
                crate::cases::queries::add_words(conn, tenant, council.case_id, id, words, None)?;
            }
            (Some(id), None, input.fields.side)
        }
    };
    let id = Uuid::now_v7();
    let inserted = diesel::insert_into(council_participants::table)
        .values((
            council_participants::tenant_id.eq(tenant.0),
            council_participants::id.eq(id),
            council_participants::council_id.eq(council.id),
            council_participants::case_id.eq(council.case_id),
            council_participants::person_id.eq(person),
            council_participants::user_id.eq(user),
            council_participants::chosen_by_child.eq(new.chosen_by_child),
            council_participants::meeting_role.eq(new.role.as_str()),
            council_participants::side.eq(new.side.unwrap_or(map_side).as_str()),
        ))
        .execute(conn);
    match inserted {
        Err(e) if crate::db::is_unique_violation(&e) => Err(rules::already_on_team()),
        other => {
            other?;
            touch(conn, council)?;
            Ok(id)
        }
    }
}

/// The team member `participant_id` of `council`, or 404.
/// The map person participant `participant_id` of `council` is (`None` for a staff member);
/// not found for someone not on the team.
pub fn participant_person(
    conn: &mut PgConnection,
    council: &Council,
    participant_id: Uuid,
) -> Result<Option<Uuid>, AppError> {
    Ok(council_participants::table
        .filter(council_participants::council_id.eq(council.id))
        .filter(council_participants::id.eq(participant_id))
        .filter(council_participants::removed_at.is_null())
        .select(council_participants::person_id)
        .first(conn)?)
}

pub fn participant_exists(
    conn: &mut PgConnection,
    council: &Council,
    participant_id: Uuid,
) -> Result<(), AppError> {
    let found: bool = diesel::select(exists(
        council_participants::table
            .filter(council_participants::council_id.eq(council.id))
            .filter(council_participants::id.eq(participant_id))
            .filter(council_participants::removed_at.is_null()),
    ))
    .get_result(conn)?;
    if found {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Takes someone off the team; their links stop working.
pub fn remove_participant(
    conn: &mut PgConnection,
    council: &Council,
    participant_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    participant_exists(conn, council, participant_id)?;
    diesel::update(
        council_participants::table
            .filter(council_participants::council_id.eq(council.id))
            .filter(council_participants::id.eq(participant_id)),
    )
    .set(council_participants::removed_at.eq(now))
    .execute(conn)?;
    diesel::update(
        council_invitations::table
            .filter(council_invitations::participant_id.eq(participant_id))
            .filter(council_invitations::revoked_at.is_null()),
    )
    .set(council_invitations::revoked_at.eq(now))
    .execute(conn)?;
    touch(conn, council)?;
    Ok(())
}

/// The coordinator confirms the team the child chose. A network council in team selection moves
/// on to preparation with it.
pub fn confirm_team(
    conn: &mut PgConnection,
    council: &Council,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let facts = current_facts(conn, council, now)?;
    rules::require(rules::team_blockers(council.kind, council.state, &facts))?;
    let state = if council.kind == CouncilKind::NetworkCouncil
        && council.state == CouncilState::TeamSelection
    {
        CouncilState::Preparation
    } else {
        council.state
    };
    diesel::update(councils::table.filter(councils::id.eq(council.id)))
        .set((
            councils::team_chosen_at.eq(now),
            councils::state.eq(state.as_str()),
            councils::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn add_objection(
    conn: &mut PgConnection,
    tenant: TenantId,
    council: &Council,
    new: &NewObjection,
    by: Option<Uuid>,
) -> Result<Uuid, AppError> {
    let on_map: bool = diesel::select(exists(
        network_persons::table
            .filter(network_persons::case_id.eq(council.case_id))
            .filter(network_persons::id.eq(new.person)),
    ))
    .get_result(conn)?;
    if !on_map {
        return Err(AppError::field(
            "person_id",
            "not a person on this case's map",
        ));
    }
    let id = Uuid::now_v7();
    diesel::insert_into(council_objections::table)
        .values((
            council_objections::tenant_id.eq(tenant.0),
            council_objections::id.eq(id),
            council_objections::council_id.eq(council.id),
            council_objections::case_id.eq(council.case_id),
            council_objections::person_id.eq(new.person),
            council_objections::reason.eq(&new.reason),
            council_objections::recorded_by.eq(by),
        ))
        .execute(conn)?;
    Ok(id)
}

pub fn resolve_objection(
    conn: &mut PgConnection,
    council: &Council,
    objection_id: Uuid,
    resolution: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let resolution = crate::cases::domain::long_text(resolution, 2000)
        .map_err(|m| AppError::field("resolution", m))?;
    let n = diesel::update(
        council_objections::table
            .filter(council_objections::council_id.eq(council.id))
            .filter(council_objections::id.eq(objection_id)),
    )
    .set((
        council_objections::resolution.eq(resolution),
        council_objections::resolved_at.eq(now),
    ))
    .execute(conn)?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

pub fn add_consent(
    conn: &mut PgConnection,
    tenant: TenantId,
    council: &Council,
    new: &NewConsent,
    by: Option<Uuid>,
) -> Result<Uuid, AppError> {
    let id = Uuid::now_v7();
    diesel::insert_into(council_consents::table)
        .values((
            council_consents::tenant_id.eq(tenant.0),
            council_consents::id.eq(id),
            council_consents::council_id.eq(council.id),
            council_consents::given_by.eq(new.given_by.as_str()),
            council_consents::name.eq(&new.name),
            council_consents::scope.eq(&new.scope),
            council_consents::informed_at.eq(new.informed_at),
            council_consents::granted_at.eq(new.granted_at),
            council_consents::oral.eq(new.oral),
            council_consents::recorded_by.eq(by),
        ))
        .execute(conn)?;
    Ok(id)
}

pub fn withdraw_consent(
    conn: &mut PgConnection,
    council: &Council,
    consent_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    close_open_row!(conn, council_consents, council_id = council.id, consent_id,
        while withdrawn_at is null, set withdrawn_at = now)?;
    Ok(())
}

/// Records (or renews) a participant's confidentiality waiver.
pub fn set_waiver(
    conn: &mut PgConnection,
    tenant: TenantId,
    council: &Council,
    participant_id: Uuid,
    new: &NewWaiver,
    by: Option<Uuid>,
) -> Result<(), AppError> {
    participant_exists(conn, council, participant_id)?;
    diesel::insert_into(council_waivers::table)
        .values((
            council_waivers::tenant_id.eq(tenant.0),
            council_waivers::participant_id.eq(participant_id),
            council_waivers::council_id.eq(council.id),
            council_waivers::scope.eq(&new.scope),
            council_waivers::granted_at.eq(new.granted_at),
            council_waivers::recorded_by.eq(by),
        ))
        .on_conflict((council_waivers::tenant_id, council_waivers::participant_id))
        .do_update()
        .set((
            council_waivers::scope.eq(&new.scope),
            council_waivers::granted_at.eq(new.granted_at),
            council_waivers::withdrawn_at.eq(None::<DateTime<Utc>>),
            council_waivers::recorded_by.eq(by),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn add_preparation(
    conn: &mut PgConnection,
    tenant: TenantId,
    council: &Council,
    participant_id: Uuid,
    new: &NewPreparation,
    by: Option<Uuid>,
) -> Result<Uuid, AppError> {
    participant_exists(conn, council, participant_id)?;
    let id = Uuid::now_v7();
    diesel::insert_into(council_preparations::table)
        .values((
            council_preparations::tenant_id.eq(tenant.0),
            council_preparations::id.eq(id),
            council_preparations::council_id.eq(council.id),
            council_preparations::participant_id.eq(participant_id),
            council_preparations::held_at.eq(new.held_at),
            council_preparations::notes.eq(&new.notes),
            council_preparations::contribution.eq(&new.contribution),
            council_preparations::recorded_by.eq(by),
        ))
        .execute(conn)?;
    Ok(id)
}

/// A meeting of another council (or this one) that overlaps `time` and shares someone with this
/// council's team: the same person on the map or the same staff member.
pub fn double_booked(
    conn: &mut PgConnection,
    council: &Council,
    time: &MeetingTime,
    except: Option<Uuid>,
) -> Result<bool, AppError> {
    let (Some(start), Some(end)) = (time.starts_at, time.ends_at()) else {
        return Ok(false);
    };
    let team: Vec<(Option<Uuid>, Option<Uuid>)> = council_participants::table
        .filter(council_participants::council_id.eq(council.id))
        .filter(council_participants::removed_at.is_null())
        .select((
            council_participants::person_id,
            council_participants::user_id,
        ))
        .load(conn)?;
    let persons: Vec<Uuid> = team.iter().filter_map(|t| t.0).collect();
    let staff: Vec<Uuid> = team.iter().filter_map(|t| t.1).collect();
    type Other = (Uuid, Option<DateTime<Utc>>, i32, Option<Uuid>, Option<Uuid>);
    let others: Vec<Other> = council_meetings::table
        .inner_join(
            council_participants::table.on(council_participants::tenant_id
                .eq(council_meetings::tenant_id)
                .and(council_participants::council_id.eq(council_meetings::council_id))),
        )
        .filter(council_meetings::status.eq(MeetingStatus::Scheduled.as_str()))
        .filter(council_meetings::starts_at.lt(end))
        .filter(council_participants::removed_at.is_null())
        .filter(
            council_participants::person_id
                .eq_any(&persons)
                .or(council_participants::user_id.eq_any(&staff)),
        )
        .select((
            council_meetings::id,
            council_meetings::starts_at,
            council_meetings::duration_minutes,
            council_participants::person_id,
            council_participants::user_id,
        ))
        .load(conn)?;
    Ok(others.iter().any(|(id, s, minutes, _, _)| {
        Some(*id) != except
            && s.is_some_and(|s| s + chrono::Duration::minutes(i64::from(*minutes)) > start)
    }))
}

/// Adds a meeting with the kind's agenda; its calendar UID is fixed here for good.
pub fn insert_meeting(
    conn: &mut PgConnection,
    tenant: TenantId,
    council: &Council,
    time: &MeetingTime,
    by: Option<Uuid>,
) -> Result<Uuid, AppError> {
    let id = Uuid::now_v7();
    let agenda = serde_json::to_value(council.kind.agenda())
        .map_err(|e| AppError::Internal(e.to_string()))?;
    diesel::insert_into(council_meetings::table)
        .values((
            council_meetings::tenant_id.eq(tenant.0),
            council_meetings::id.eq(id),
            council_meetings::council_id.eq(council.id),
            council_meetings::starts_at.eq(time.starts_at),
            council_meetings::duration_minutes.eq(time.duration_minutes),
            council_meetings::place.eq(&time.place),
            council_meetings::place_shared.eq(time.place_shared),
            council_meetings::video_link.eq(&time.video_link),
            council_meetings::agenda.eq(agenda),
            council_meetings::calendar_uid.eq(Uuid::new_v4()),
            council_meetings::created_by.eq(by),
        ))
        .execute(conn)?;
    touch(conn, council)?;
    Ok(id)
}

/// A meeting as the invitation machinery needs it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = council_meetings)]
pub struct MeetingRow {
    pub id: Uuid,
    pub council_id: Uuid,
    pub starts_at: Option<DateTime<Utc>>,
    pub duration_minutes: i32,
    pub place: Option<String>,
    pub place_shared: bool,
    pub video_link: Option<String>,
    pub status: String,
    pub calendar_uid: Uuid,
    pub sequence: i32,
    pub confirmed_at: Option<DateTime<Utc>>,
    /// When the confirmed meeting was last moved (and sent again).
    pub moved_at: Option<DateTime<Utc>>,
}

impl MeetingRow {
    pub fn ends_at(&self) -> Option<DateTime<Utc>> {
        self.starts_at
            .map(|s| s + chrono::Duration::minutes(i64::from(self.duration_minutes)))
    }

    pub fn cancelled(&self) -> bool {
        self.status == MeetingStatus::Cancelled.as_str()
    }

    /// The place, when the coordinator chose to share it in calendar files.
    pub fn shared_place(&self) -> Option<&str> {
        self.place.as_deref().filter(|_| self.place_shared)
    }
}

/// The meeting `id` of `council` (locked), or 404.
pub fn meeting(
    conn: &mut PgConnection,
    council: &Council,
    id: Uuid,
) -> Result<MeetingRow, AppError> {
    council_meetings::table
        .filter(council_meetings::council_id.eq(council.id))
        .filter(council_meetings::id.eq(id))
        .select(MeetingRow::as_select())
        .for_update()
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The next confirmed meeting ahead of `now` among `council_ids` (a plan's council and the
/// follow-up councils it opened), soonest first.
pub fn next_meeting(
    conn: &mut PgConnection,
    council_ids: &[Uuid],
    now: DateTime<Utc>,
) -> QueryResult<Option<MeetingRow>> {
    council_meetings::table
        .filter(council_meetings::council_id.eq_any(council_ids))
        .filter(council_meetings::status.eq(MeetingStatus::Scheduled.as_str()))
        .filter(council_meetings::confirmed_at.is_not_null())
        .filter(council_meetings::starts_at.gt(now))
        .order(council_meetings::starts_at)
        .select(MeetingRow::as_select())
        .first(conn)
        .optional()
}

/// What the child said for the council, as the child confirmed it: the situation description
/// first, then the questions in their order.
pub fn child_texts(conn: &mut PgConnection, council_id: Uuid) -> QueryResult<Vec<String>> {
    let texts: Vec<(String, i16, String)> = council_texts::table
        .filter(council_texts::council_id.eq(council_id))
        .filter(council_texts::removed_at.is_null())
        .filter(council_texts::child_confirmed_at.is_not_null())
        .select((
            council_texts::kind,
            council_texts::position,
            council_texts::text,
        ))
        .order(council_texts::position)
        .load(conn)?;
    Ok(texts.into_iter().map(|(_, _, text)| text).collect())
}

/// A meeting coming up in one of a staff member's cases, with the answers so far.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct UpcomingMeeting {
    pub case_id: Uuid,
    pub council_id: Uuid,
    pub meeting_id: Uuid,
    pub kind: CouncilKind,
    pub starts_at: DateTime<Utc>,
    /// Participants invited (with a link that stands).
    pub invited: i64,
    pub accepted: i64,
    pub declined: i64,
    pub maybe: i64,
}

/// Someone invited to a meeting still ahead who has not answered though the last chase went out:
/// the coordinator's turn to call them, or to record the answer they give by phone.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct UnansweredInvitation {
    pub case_id: Uuid,
    pub council_id: Uuid,
    pub meeting_id: Uuid,
    pub participant_id: Uuid,
    /// The person's name as the team shows it.
    pub name: String,
    pub kind: CouncilKind,
    pub starts_at: DateTime<Utc>,
    /// When the invitation (its link that stands) went out.
    pub invited_at: DateTime<Utc>,
}

/// An invitation nobody answered, as [`unanswered_after_chases`] reads it.
#[derive(QueryableByName)]
struct UnansweredRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    case_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    council_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    meeting_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    participant_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    kind: String,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    starts_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    invited_at: DateTime<Utc>,
}

/// The invitations of `case_ids` to meetings after `now` that nobody answered, though the last
/// chase is due by now (`chase_max` chases, `chase_after_days` apart, after the invitation),
/// the meeting soonest first: one query whatever the number of cases, with each person's name
/// as the team shows it ([`team_rows`]: the map person's, else the staff member's name, else
/// their email). A link sent again is a new row: each person is listed once per meeting, by
/// their first link; those taken off the team are not listed.
pub fn unanswered_after_chases(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_ids: &[Uuid],
    now: DateTime<Utc>,
    cs: &CouncilSettings,
) -> Result<Vec<UnansweredInvitation>, AppError> {
    let chased_until =
        now - chrono::Duration::days(i64::from(cs.chase_max) * i64::from(cs.chase_after_days));
    let rows: Vec<UnansweredRow> = kept(
        "SELECT * FROM (
           SELECT DISTINCT ON (m.id, i.participant_id)
                  k.case_id, k.id AS council_id, m.id AS meeting_id, i.participant_id,
                  coalesce(n.name, CASE WHEN btrim(u.display_name) <> '' THEN u.display_name END,
                           u.email, '') AS name,
                  k.kind, m.starts_at, i.created_at AS invited_at
             FROM council_meetings m
             JOIN councils k ON k.tenant_id = m.tenant_id AND k.id = m.council_id
             JOIN council_invitations i ON i.tenant_id = m.tenant_id AND i.meeting_id = m.id
             JOIN council_participants e ON e.tenant_id = i.tenant_id AND e.id = i.participant_id
             LEFT JOIN network_persons n ON n.tenant_id = e.tenant_id AND n.id = e.person_id
             LEFT JOIN users u ON u.tenant_id = e.tenant_id AND u.id = e.user_id
            WHERE m.tenant_id = $1 AND k.case_id = ANY($2)
              AND m.status = 'scheduled' AND m.starts_at > $3
              AND i.revoked_at IS NULL AND i.created_at <= $4 AND e.removed_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM council_answers a
                               WHERE a.tenant_id = i.tenant_id AND a.meeting_id = i.meeting_id
                                 AND a.participant_id = i.participant_id)
            ORDER BY m.id, i.participant_id, i.created_at) first_links
         ORDER BY starts_at, invited_at, meeting_id, participant_id",
        vec![
            Bind::Id(tenant.0),
            Bind::Ids(case_ids.to_vec()),
            Bind::Moment(now),
            Bind::Moment(chased_until),
        ],
    )
    .load(conn)?;
    rows.into_iter()
        .map(|r| {
            Ok(UnansweredInvitation {
                case_id: r.case_id,
                council_id: r.council_id,
                meeting_id: r.meeting_id,
                participant_id: r.participant_id,
                name: r.name,
                kind: stored(CouncilKind::parse, &r.kind)?,
                starts_at: r.starts_at,
                invited_at: r.invited_at,
            })
        })
        .collect()
}

/// A meeting ahead with its answers counted, as [`upcoming_meetings`] reads it.
#[derive(QueryableByName)]
struct UpcomingRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    case_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    council_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    meeting_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    kind: String,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    starts_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    invited: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    accepted: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    declined: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    maybe: i64,
}

/// The meetings of `case_ids` that start between `from` and `to` and are not cancelled, soonest
/// first, with their answers counted: one query whatever the number of cases. The invited are
/// the participants with a link that stands (a link re-sent is a new row for the same
/// participant, counted once) and those who answered, by link or otherwise (a call, an SMS), so
/// the answers never outnumber the invited.
pub fn upcoming_meetings(
    conn: &mut PgConnection,
    case_ids: &[Uuid],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<UpcomingMeeting>, AppError> {
    let rows: Vec<UpcomingRow> = kept(
        "SELECT k.case_id, k.id AS council_id, m.id AS meeting_id, k.kind, m.starts_at,
                (SELECT count(*) FROM (SELECT i.participant_id FROM council_invitations i
                                        WHERE i.tenant_id = m.tenant_id AND i.meeting_id = m.id
                                          AND i.revoked_at IS NULL
                                       UNION
                                       SELECT a.participant_id FROM council_answers a
                                        WHERE a.tenant_id = m.tenant_id
                                          AND a.meeting_id = m.id) p) AS invited,
                a.accepted, a.declined, a.maybe
           FROM council_meetings m
           JOIN councils k ON k.tenant_id = m.tenant_id AND k.id = m.council_id,
                LATERAL (SELECT count(*) FILTER (WHERE r.response = 'accept') AS accepted,
                                count(*) FILTER (WHERE r.response = 'decline') AS declined,
                                count(*) FILTER (WHERE r.response = 'maybe') AS maybe
                           FROM council_answers r
                          WHERE r.tenant_id = m.tenant_id AND r.meeting_id = m.id) a
          WHERE k.case_id = ANY($1)
            AND m.status = 'scheduled'
            AND m.starts_at >= $2
            AND m.starts_at < $3
          ORDER BY m.starts_at, m.id",
        vec![
            Bind::Ids(case_ids.to_vec()),
            Bind::Moment(from),
            Bind::Moment(to),
        ],
    )
    .load(conn)?;
    rows.into_iter()
        .map(|r| {
            Ok(UpcomingMeeting {
                case_id: r.case_id,
                council_id: r.council_id,
                meeting_id: r.meeting_id,
                kind: stored(CouncilKind::parse, &r.kind)?,
                starts_at: r.starts_at,
                invited: r.invited,
                accepted: r.accepted,
                declined: r.declined,
                maybe: r.maybe,
            })
        })
        .collect()
}

/// Adds a meeting that took place without invitations through Tillit: confirmed now (it was
/// held, so the process goes on to the plan), with why it is recorded afterwards.
pub fn insert_meeting_afterwards(
    conn: &mut PgConnection,
    tenant: TenantId,
    council: &Council,
    time: &MeetingTime,
    reason: &str,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Uuid, AppError> {
    let id = insert_meeting(conn, tenant, council, time, by)?;
    diesel::update(council_meetings::table.filter(council_meetings::id.eq(id)))
        .set((
            council_meetings::confirmed_at.eq(now),
            council_meetings::recorded_afterwards_reason.eq(reason),
            council_meetings::updated_at.eq(now),
        ))
        .execute(conn)?;
    // Who came is the team: a council without a confirmed team has one now.
    diesel::update(
        councils::table
            .filter(councils::id.eq(council.id))
            .filter(councils::team_chosen_at.is_null()),
    )
    .set(councils::team_chosen_at.eq(now))
    .execute(conn)?;
    Ok(id)
}

/// Which of `ids` are not on `council`'s team now.
pub fn not_on_team(
    conn: &mut PgConnection,
    council: &Council,
    ids: &[Uuid],
) -> QueryResult<Vec<Uuid>> {
    let on: Vec<Uuid> = council_participants::table
        .filter(council_participants::council_id.eq(council.id))
        .filter(council_participants::removed_at.is_null())
        .filter(council_participants::id.eq_any(ids))
        .select(council_participants::id)
        .load(conn)?;
    Ok(ids.iter().copied().filter(|i| !on.contains(i)).collect())
}

/// A record's row: decisions, notes, sharing, next meeting, who saved it and when.
type RecordRow = (
    serde_json::Value,
    Option<String>,
    String,
    Option<Uuid>,
    Option<String>,
    DateTime<Utc>,
);

/// Saves the record of `meeting` (replacing an earlier one, its attendance as a whole); with
/// no attendees given, those who answered yes came. Returns how many came.
pub fn save_record(
    conn: &mut PgConnection,
    tenant: TenantId,
    council: &Council,
    meeting: Uuid,
    record: &MeetingRecord,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let attendees = match &record.attendees {
        Some(ids) => ids.clone(),
        None => match recorded_attendees(conn, meeting)? {
            Some(ids) => ids,
            None => accepted(conn, meeting)?,
        },
    };
    if !not_on_team(conn, council, &attendees)?.is_empty() {
        return Err(AppError::field(
            "attendees",
            "someone who came is not on the council's team",
        ));
    }
    let decisions =
        serde_json::to_value(&record.decisions).map_err(|e| AppError::Internal(e.to_string()))?;
    diesel::insert_into(council_meeting_records::table)
        .values((
            council_meeting_records::tenant_id.eq(tenant.0),
            council_meeting_records::meeting_id.eq(meeting),
            council_meeting_records::council_id.eq(council.id),
            council_meeting_records::decisions.eq(&decisions),
            council_meeting_records::notes.eq(&record.notes),
            council_meeting_records::notes_shared_with.eq(record.notes_shared_with.as_str()),
            council_meeting_records::recorded_by.eq(by),
        ))
        .on_conflict((
            council_meeting_records::tenant_id,
            council_meeting_records::meeting_id,
        ))
        .do_update()
        .set((
            council_meeting_records::decisions.eq(&decisions),
            council_meeting_records::notes.eq(&record.notes),
            council_meeting_records::notes_shared_with.eq(record.notes_shared_with.as_str()),
            council_meeting_records::recorded_by.eq(by),
            council_meeting_records::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::delete(
        council_meeting_attendees::table.filter(council_meeting_attendees::meeting_id.eq(meeting)),
    )
    .execute(conn)?;
    let rows: Vec<_> = attendees
        .iter()
        .map(|p| {
            (
                council_meeting_attendees::tenant_id.eq(tenant.0),
                council_meeting_attendees::meeting_id.eq(meeting),
                council_meeting_attendees::participant_id.eq(*p),
                council_meeting_attendees::council_id.eq(council.id),
            )
        })
        .collect();
    diesel::insert_into(council_meeting_attendees::table)
        .values(&rows)
        .execute(conn)?;
    touch(conn, council)?;
    Ok(attendees.len())
}

/// Who came to `meeting` by its saved record; none while it has no record.
fn recorded_attendees(conn: &mut PgConnection, meeting: Uuid) -> QueryResult<Option<Vec<Uuid>>> {
    let recorded: bool = diesel::select(exists(
        council_meeting_records::table.filter(council_meeting_records::meeting_id.eq(meeting)),
    ))
    .get_result(conn)?;
    if !recorded {
        return Ok(None);
    }
    council_meeting_attendees::table
        .filter(council_meeting_attendees::meeting_id.eq(meeting))
        .select(council_meeting_attendees::participant_id)
        .load(conn)
        .map(Some)
}

/// Those on the team who answered yes to `meeting`.
fn accepted(conn: &mut PgConnection, meeting: Uuid) -> QueryResult<Vec<Uuid>> {
    council_answers::table
        .inner_join(
            council_participants::table.on(council_participants::tenant_id
                .eq(council_answers::tenant_id)
                .and(council_participants::id.eq(council_answers::participant_id))),
        )
        .filter(council_answers::meeting_id.eq(meeting))
        .filter(council_answers::response.eq(Response::Accept.as_str()))
        .filter(council_participants::removed_at.is_null())
        .select(council_answers::participant_id)
        .load(conn)
}

/// Notes the next meeting `next` as booked from `meeting`'s record (saving an empty record
/// first, its attendance from the answers, when there is none).
pub fn set_next_meeting(
    conn: &mut PgConnection,
    tenant: TenantId,
    council: &Council,
    meeting: Uuid,
    next: Uuid,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if recorded_attendees(conn, meeting)?.is_none() {
        let empty = MeetingRecord {
            attendees: None,
            decisions: Vec::new(),
            notes: None,
            notes_shared_with: NotesSharing::Staff,
        };
        save_record(conn, tenant, council, meeting, &empty, by, now)?;
    }
    diesel::update(
        council_meeting_records::table.filter(council_meeting_records::meeting_id.eq(meeting)),
    )
    .set((
        council_meeting_records::next_meeting_id.eq(next),
        council_meeting_records::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(())
}

/// The record of `council`'s meeting `meeting` as it stands, or as it would be proposed: those
/// who answered yes, for a meeting not recorded yet. 404 for another council's meeting.
pub fn record_view(
    conn: &mut PgConnection,
    council: &Council,
    meeting: Uuid,
) -> Result<MeetingRecordView, AppError> {
    let (starts_at, place, afterwards): (Option<DateTime<Utc>>, Option<String>, Option<String>) =
        council_meetings::table
            .filter(council_meetings::council_id.eq(council.id))
            .filter(council_meetings::id.eq(meeting))
            .select((
                council_meetings::starts_at,
                council_meetings::place,
                council_meetings::recorded_afterwards_reason,
            ))
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
    let row: Option<RecordRow> = council_meeting_records::table
        .inner_join(
            users::table.on(users::tenant_id
                .eq(council_meeting_records::tenant_id)
                .and(users::id.eq(council_meeting_records::recorded_by))),
        )
        .filter(council_meeting_records::meeting_id.eq(meeting))
        .select((
            council_meeting_records::decisions,
            council_meeting_records::notes,
            council_meeting_records::notes_shared_with,
            council_meeting_records::next_meeting_id,
            users::display_name.nullable(),
            council_meeting_records::updated_at,
        ))
        .first(conn)
        .optional()?;
    let came = match recorded_attendees(conn, meeting)? {
        Some(ids) => ids,
        None => accepted(conn, meeting)?,
    };
    let attendees = team(conn, council.id)?
        .into_iter()
        .map(|m| AttendeeView {
            came: came.contains(&m.participant_id),
            participant_id: m.participant_id,
            name: m.name,
        })
        .collect();
    let (decisions, notes, sharing, next, by, at) = match row {
        Some((d, n, s, next, by, at)) => (
            serde_json::from_value::<Vec<String>>(d)
                .map_err(|e| AppError::Internal(format!("a stored record is unreadable: {e}")))?,
            n,
            stored(NotesSharing::parse, &s)?,
            next,
            by,
            Some(at),
        ),
        None => (Vec::new(), None, NotesSharing::Staff, None, None, None),
    };
    let next_meeting = match next {
        Some(id) => council_meetings::table
            .filter(council_meetings::id.eq(id))
            .select((council_meetings::starts_at, council_meetings::place))
            .first::<(Option<DateTime<Utc>>, Option<String>)>(conn)
            .optional()?
            .map(|(starts_at, place)| NextMeetingView {
                id,
                starts_at,
                place,
            }),
        None => None,
    };
    Ok(MeetingRecordView {
        meeting_id: meeting,
        council_id: council.id,
        starts_at,
        place,
        recorded_afterwards_reason: afterwards,
        attendees,
        decisions,
        notes,
        notes_shared_with: sharing,
        can_book_next: council.kind.meets_in_series()
            && next_meeting.is_none()
            && !council.kind.is_final(council.state),
        next_meeting,
        recorded_by: by,
        recorded_at: at,
    })
}

/// The notes of `council`'s meeting records that someone outside the staff may read, newest
/// meeting first: everyone on the team reads those shared with the team; the family and the
/// private network (`private_side`: a participant on the private side, the child) also those
/// shared with the private side. Notes kept for the staff, and a cancelled meeting's, stay out.
pub fn shared_notes(
    conn: &mut PgConnection,
    council: Uuid,
    private_side: bool,
) -> QueryResult<Vec<SharedNotes>> {
    let mut audiences = vec![NotesSharing::Team.as_str()];
    if private_side {
        audiences.push(NotesSharing::PrivateSide.as_str());
    }
    council_meeting_records::table
        .inner_join(
            council_meetings::table.on(council_meetings::tenant_id
                .eq(council_meeting_records::tenant_id)
                .and(council_meetings::id.eq(council_meeting_records::meeting_id))),
        )
        .filter(council_meeting_records::council_id.eq(council))
        .filter(council_meeting_records::notes_shared_with.eq_any(audiences))
        .filter(council_meetings::status.eq(MeetingStatus::Scheduled.as_str()))
        .order(council_meetings::starts_at.desc())
        .select((
            council_meetings::starts_at,
            council_meeting_records::notes.assume_not_null(),
        ))
        .filter(council_meeting_records::notes.is_not_null())
        .load(conn)
}

/// The records of `council`'s meetings that have begun and were not cancelled, newest first.
pub fn records(
    conn: &mut PgConnection,
    council: &Council,
    now: DateTime<Utc>,
) -> Result<Vec<MeetingRecordView>, AppError> {
    let held: Vec<Uuid> = council_meetings::table
        .filter(council_meetings::council_id.eq(council.id))
        .filter(council_meetings::status.eq(MeetingStatus::Scheduled.as_str()))
        .filter(council_meetings::starts_at.le(now))
        .order(council_meetings::starts_at.desc())
        .select(council_meetings::id)
        .load(conn)?;
    held.into_iter()
        .map(|id| record_view(conn, council, id))
        .collect()
}
