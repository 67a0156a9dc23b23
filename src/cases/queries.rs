//! The case tables, read and written inside the caller's tenant transaction. Nothing here checks
//! who is asking: handlers first open the case through [`super::access::open_case`], then call
//! these with the case they were given.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use diesel::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use super::categories::{Closeness, Lineage, NetworkSide, RelationCategory, RelationQuality};
use super::domain::{
    CaseFilter, CaseSort, CaseUpdate, Channel, CheckKind, ChildWords, Gender, MeasureKind,
    MeasureStatus, NewCase, NewCheck, NewChild, NewMeasure, NewRevision, PersonFields, Phase,
    WordsAuthor,
};
use super::rules::{self, LatestRevision, MapFacts};
use super::views::{
    AcuteList, AcutePerson, CaseChoice, CaseSummary, CaseView, CheckView, ChildView,
    ConsideredPerson, MapPerson, MeasureView, PersonView, RevisionSummary, RevisionView,
    StaffMember, StaffView, WordsView,
};
use crate::db::TenantId;
use crate::db::kept::{Bind, kept};
use crate::db::schema::{
    case_assignments, cases, child_words, children, costly_measures, map_revisions,
    network_check_persons, network_checks, network_persons, users,
};
use crate::fields::format_phone;
use crate::tenancy::domain::Kommunenummer;
use crate::tenancy::settings::ServiceSettings;
use crate::web::problem::AppError;
use crate::web::refusal::Refusal;

/// A stored code that is not in its vocabulary: the CHECK constraints make this a bug.
fn stored<T>(parse: fn(&str) -> Result<T, String>, code: &str) -> Result<T, AppError> {
    parse(code).map_err(|e| AppError::Internal(format!("a stored code is unknown: {e}")))
}

/// The service's clock and the setting the map's rules need.
#[derive(Debug, Clone, Copy)]
pub struct TenantClock {
    pub tz: Tz,
    pub review_months: u32,
    pub now: DateTime<Utc>,
    /// Today in the service's time zone.
    pub today: NaiveDate,
}

impl TenantClock {
    pub fn load(conn: &mut PgConnection) -> Result<Self, AppError> {
        Ok(Self::of(&ServiceSettings::load(conn)?, Utc::now()))
    }

    /// The clock of settings already read, at `now`.
    pub fn of(s: &ServiceSettings, now: DateTime<Utc>) -> Self {
        Self {
            tz: s.tz,
            review_months: s.map_review_months,
            now,
            today: s.today(now),
        }
    }

    /// The day `at` falls on in the service's time zone.
    pub fn local_day(&self, at: DateTime<Utc>) -> NaiveDate {
        crate::time::local_date(at, self.tz)
    }
}

/// A case as the access rule returns it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cases)]
pub struct CaseRow {
    pub id: Uuid,
    pub child_id: Uuid,
    pub phase: String,
    pub acute: bool,
    pub opened_at: DateTime<Utc>,
    pub phase_changed_at: DateTime<Utc>,
    pub reference: Option<String>,
    pub municipality: Option<String>,
    pub where_child_can_go: Option<String>,
}

impl CaseRow {
    pub fn phase(&self) -> Result<Phase, AppError> {
        stored(Phase::parse, &self.phase)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = children)]
struct ChildRow {
    first_name: String,
    last_name: String,
    birth_year: i16,
    birth_date: Option<NaiveDate>,
    gender: String,
    language: Option<String>,
    interpreter_needed: bool,
}

impl ChildRow {
    fn view(self) -> Result<ChildView, AppError> {
        Ok(ChildView {
            gender: stored(Gender::parse, &self.gender)?,
            first_name: self.first_name,
            last_name: self.last_name,
            birth_year: self.birth_year,
            birth_date: self.birth_date,
            language: self.language,
            interpreter_needed: self.interpreter_needed,
        })
    }
}

/// The child's home municipality for a case: `given` when the service serves it, the service's
/// only municipality when none is given. Anything else is a wrong `municipality` field.
pub fn home_municipality(
    conn: &mut PgConnection,
    given: Option<&Kommunenummer>,
) -> Result<String, AppError> {
    let served: Vec<String> = crate::tenancy::load_municipalities(conn)?
        .into_iter()
        .map(|m| m.kommunenummer)
        .collect();
    match given {
        Some(k) if served.iter().any(|s| s == k.as_str()) => Ok(k.as_str().to_owned()),
        Some(_) => Err(AppError::field(
            "municipality",
            "the service does not serve this municipality; choose one of its kommunenummer",
        )),
        None => match served.as_slice() {
            [only] => Ok(only.clone()),
            _ => Err(AppError::field(
                "municipality",
                "choose the child's home municipality among the service's",
            )),
        },
    }
}

/// The case with `reference`; an unknown one is a wrong `reference`.
pub fn case_by_reference(
    conn: &mut PgConnection,
    tenant: TenantId,
    reference: &str,
) -> Result<Uuid, AppError> {
    cases::table
        .filter(cases::tenant_id.eq(tenant.0))
        .filter(cases::reference.eq(reference))
        .select(cases::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::field("reference", "no case of the service has this reference"))
}

/// Refuses a reference another case of the service already has.
pub fn reference_free(
    conn: &mut PgConnection,
    tenant: TenantId,
    reference: &str,
    except: Option<Uuid>,
) -> Result<(), AppError> {
    let mut query = cases::table
        .filter(cases::tenant_id.eq(tenant.0))
        .filter(cases::reference.eq(reference))
        .select(cases::id)
        .into_boxed();
    if let Some(id) = except {
        query = query.filter(cases::id.ne(id));
    }
    match query.first::<Uuid>(conn).optional()? {
        Some(_) => Err(AppError::field(
            "reference",
            "another case of the service has this reference",
        )),
        None => Ok(()),
    }
}

/// Opens a case for `new`'s child and assigns its creator, who is thereby the first who may open
/// it.
pub fn create_case(
    conn: &mut PgConnection,
    tenant: TenantId,
    creator: Uuid,
    new: &NewCase,
) -> Result<Uuid, AppError> {
    let municipality = home_municipality(conn, new.municipality.as_ref())?;
    if let Some(reference) = &new.reference {
        reference_free(conn, tenant, reference, None)?;
    }
    let child_id = Uuid::now_v7();
    let case_id = Uuid::now_v7();
    let child = &new.child;
    diesel::insert_into(children::table)
        .values((
            children::tenant_id.eq(tenant.0),
            children::id.eq(child_id),
            children::first_name.eq(&child.first_name),
            children::last_name.eq(&child.last_name),
            children::birth_year.eq(child.birth.year),
            children::birth_date.eq(child.birth.date),
            children::gender.eq(child.gender.as_str()),
            children::language.eq(&child.language),
            children::interpreter_needed.eq(child.interpreter_needed),
        ))
        .execute(conn)?;
    diesel::insert_into(cases::table)
        .values((
            cases::tenant_id.eq(tenant.0),
            cases::id.eq(case_id),
            cases::child_id.eq(child_id),
            cases::phase.eq(new.phase.as_str()),
            cases::acute.eq(new.acute),
            cases::opened_at.eq(new.opened_at),
            cases::phase_changed_at.eq(new.opened_at),
            cases::created_by.eq(creator),
            cases::reference.eq(&new.reference),
            cases::municipality.eq(&municipality),
        ))
        .execute(conn)?;
    diesel::insert_into(case_assignments::table)
        .values((
            case_assignments::tenant_id.eq(tenant.0),
            case_assignments::case_id.eq(case_id),
            case_assignments::user_id.eq(creator),
            case_assignments::assigned_by.eq(creator),
        ))
        .execute(conn)?;
    Ok(case_id)
}

/// The case `id`, as stored. For the case just written in this transaction; a case a caller asks
/// for is opened through [`super::access::open_case`].
pub fn case_row(conn: &mut PgConnection, tenant: TenantId, id: Uuid) -> Result<CaseRow, AppError> {
    Ok(cases::table
        .find((tenant.0, id))
        .select(CaseRow::as_select())
        .first(conn)?)
}

diesel::define_sql_function! {
    /// PostgreSQL's `lower`, for comparing references without regard to case.
    fn lower(text: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// A pattern that finds `word` anywhere in a name, with LIKE's own characters taken literally.
fn contains(word: &str) -> String {
    let escaped = word
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

type SummaryRow = (CaseRow, String, String, i16, Option<NaiveDate>);

/// One page of the cases assigned to `user` that `filter` finds, and how many it finds in all.
/// The name, phase and acute flag are searched in SQL; a prompt is a rule of
/// [`rules::prompts`], so with a prompt filter the cases found are checked against the rules
/// first (in one batch, [`prompts_of`]) and paged after.
pub fn find_cases(
    conn: &mut PgConnection,
    tenant: TenantId,
    user: Uuid,
    filter: &CaseFilter,
    clock: &TenantClock,
) -> Result<(Vec<CaseSummary>, i64), AppError> {
    found(conn, tenant, user, filter, clock, true)
}

/// The service's reference of each of `ids` (none for a case without one), for lists that name
/// cases without showing them.
pub fn references(
    conn: &mut PgConnection,
    tenant: TenantId,
    ids: &[Uuid],
) -> QueryResult<HashMap<Uuid, Option<String>>> {
    let rows: Vec<(Uuid, Option<String>)> = cases::table
        .filter(cases::tenant_id.eq(tenant.0))
        .filter(cases::id.eq_any(ids))
        .select((cases::id, cases::reference))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// The case chosen by the on-call service, as it was offered in the lookup.
pub fn on_call_choice(
    conn: &mut PgConnection,
    tenant: TenantId,
    case: &CaseRow,
) -> Result<CaseChoice, AppError> {
    let child = child(conn, tenant, case.child_id)?;
    let municipality_name = match &case.municipality {
        Some(k) => crate::tenancy::load_municipalities(conn)?
            .into_iter()
            .find(|m| &m.kommunenummer == k)
            .and_then(|m| m.name),
        None => None,
    };
    Ok(CaseChoice {
        case_id: case.id,
        reference: case.reference.clone(),
        child_first_name: child.first_name,
        child_last_name: child.last_name,
        child_birth_date: child.birth_date,
        child_birth_year: child.birth_year,
        municipality: case.municipality.clone(),
        municipality_name,
    })
}

/// The cases of the service (assigned to anyone) whose reference is `text` (ignoring case) or
/// whose child's first or last name holds every word of it, for the on-call service to choose
/// from: at most `limit`, by the child's name. The caller audits the lookup.
pub fn on_call_choices(
    conn: &mut PgConnection,
    tenant: TenantId,
    text: &str,
    limit: i64,
) -> Result<Vec<CaseChoice>, AppError> {
    let text = text.trim();
    let query = || {
        cases::table
            .inner_join(
                children::table.on(children::tenant_id
                    .eq(cases::tenant_id)
                    .and(children::id.eq(cases::child_id))),
            )
            .filter(cases::tenant_id.eq(tenant.0))
            .select((
                cases::id,
                cases::reference,
                children::first_name,
                children::last_name,
                children::birth_date,
                children::birth_year,
                cases::municipality,
            ))
            .order((children::last_name, children::first_name, cases::id))
            .limit(limit)
            .into_boxed()
    };
    type ChoiceRow = (
        Uuid,
        Option<String>,
        String,
        String,
        Option<NaiveDate>,
        i16,
        Option<String>,
    );
    let mut rows: Vec<ChoiceRow> = query()
        .filter(lower(cases::reference).eq(text.to_lowercase()))
        .load(conn)?;
    let mut by_name = query();
    for word in text.split_whitespace() {
        let pattern = contains(word);
        by_name = by_name.filter(
            children::first_name
                .ilike(pattern.clone())
                .or(children::last_name.ilike(pattern)),
        );
    }
    for row in by_name.load::<ChoiceRow>(conn)? {
        if !rows.iter().any(|r| r.0 == row.0) && rows.len() < usize::try_from(limit).unwrap_or(0) {
            rows.push(row);
        }
    }
    let names: HashMap<String, Option<String>> = crate::tenancy::load_municipalities(conn)?
        .into_iter()
        .map(|m| (m.kommunenummer, m.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(
            |(case_id, reference, first, last, birth_date, birth_year, municipality)| CaseChoice {
                municipality_name: municipality
                    .as_ref()
                    .and_then(|k| names.get(k).cloned().flatten()),
                case_id,
                reference,
                child_first_name: first,
                child_last_name: last,
                child_birth_date: birth_date,
                child_birth_year: birth_year,
                municipality,
            },
        )
        .collect())
}

/// Every case assigned to `user`, acute first, with its prompts: for the start page, which shows
/// the prompts across all of them.
pub fn all_cases(
    conn: &mut PgConnection,
    tenant: TenantId,
    user: Uuid,
    clock: &TenantClock,
) -> Result<Vec<CaseSummary>, AppError> {
    let filter = CaseFilter {
        words: Vec::new(),
        phase: None,
        acute: None,
        prompt: None,
        sort: CaseSort::Acute,
        page: 1,
    };
    Ok(found(conn, tenant, user, &filter, clock, false)?.0)
}

/// The ids of every case assigned to `user`, as [`all_cases`] lists them: for reads that need
/// only which cases are the caller's (the start page's meetings and plans).
pub fn assigned_case_ids(
    conn: &mut PgConnection,
    tenant: TenantId,
    user: Uuid,
) -> QueryResult<Vec<Uuid>> {
    case_assignments::table
        .filter(case_assignments::tenant_id.eq(tenant.0))
        .filter(case_assignments::user_id.eq(user))
        .select(case_assignments::case_id)
        .load(conn)
}

fn found(
    conn: &mut PgConnection,
    tenant: TenantId,
    user: Uuid,
    filter: &CaseFilter,
    clock: &TenantClock,
    paged: bool,
) -> Result<(Vec<CaseSummary>, i64), AppError> {
    let query = || {
        let mut query = cases::table
            .inner_join(
                case_assignments::table.on(case_assignments::tenant_id
                    .eq(cases::tenant_id)
                    .and(case_assignments::case_id.eq(cases::id))),
            )
            .inner_join(
                children::table.on(children::tenant_id
                    .eq(cases::tenant_id)
                    .and(children::id.eq(cases::child_id))),
            )
            .filter(cases::tenant_id.eq(tenant.0))
            .filter(case_assignments::user_id.eq(user))
            .into_boxed();
        for word in &filter.words {
            let pattern = contains(word);
            query = query.filter(
                children::first_name
                    .ilike(pattern.clone())
                    .or(children::last_name.ilike(pattern)),
            );
        }
        if let Some(phase) = filter.phase {
            query = query.filter(cases::phase.eq(phase.as_str()));
        }
        if let Some(acute) = filter.acute {
            query = query.filter(cases::acute.eq(acute));
        }
        query
    };
    let ordered = || {
        let q = query().select((
            CaseRow::as_select(),
            children::first_name,
            children::last_name,
            children::birth_year,
            children::birth_date,
        ));
        match filter.sort {
            CaseSort::Acute => q.order((cases::acute.desc(), cases::opened_at.desc(), cases::id)),
            CaseSort::Name => q.order((children::last_name, children::first_name, cases::id)),
            CaseSort::Opened => q.order((cases::opened_at.desc(), cases::id)),
            CaseSort::OpenedAsc => q.order((cases::opened_at, cases::id)),
        }
    };
    let per_page = i64::from(CaseFilter::PER_PAGE);
    let (rows, total): (Vec<SummaryRow>, i64) = match filter.prompt {
        None if !paged => {
            let rows: Vec<SummaryRow> = ordered().load(conn)?;
            let total = rows.len() as i64;
            (rows, total)
        }
        None => {
            let total = query().count().get_result(conn)?;
            let rows = ordered()
                .limit(per_page)
                .offset(filter.offset())
                .load(conn)?;
            (rows, total)
        }
        Some(kind) => {
            let all: Vec<SummaryRow> = ordered().load(conn)?;
            let prompts = prompts_of(conn, tenant, &all, clock)?;
            let found: Vec<SummaryRow> = all
                .into_iter()
                .filter(|(case, ..)| {
                    prompts
                        .get(&case.id)
                        .is_some_and(|p| p.iter().any(|p| p.kind() == kind))
                })
                .collect();
            let total = found.len() as i64;
            let page = found
                .into_iter()
                .skip(usize::try_from(filter.offset()).unwrap_or(usize::MAX))
                .take(CaseFilter::PER_PAGE as usize)
                .collect();
            (page, total)
        }
    };
    Ok((summaries(conn, tenant, rows, clock)?, total))
}

/// The list's lines for `rows`, with each case's latest revision date and prompts.
fn summaries(
    conn: &mut PgConnection,
    tenant: TenantId,
    rows: Vec<SummaryRow>,
    clock: &TenantClock,
) -> Result<Vec<CaseSummary>, AppError> {
    let (mut prompts, revised) = prompts_and_revised(conn, tenant, &rows, clock)?;
    rows.into_iter()
        .map(|(case, first, last, year, _)| {
            Ok(CaseSummary {
                id: case.id,
                phase: case.phase()?,
                child_first_name: first,
                child_last_name: last,
                child_birth_year: year,
                acute: case.acute,
                opened_at: case.opened_at,
                last_revised_on: revised.get(&case.id).copied(),
                prompts: prompts.remove(&case.id).unwrap_or_default(),
                reference: case.reference,
                municipality: case.municipality,
            })
        })
        .collect()
}

/// Each case's latest revision and its map as the prompts need them, as
/// [`prompts_and_revised`] counts them in SQL.
#[derive(QueryableByName)]
struct MapStateRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    case_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
    number: Option<i32>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Date>)]
    revised_on: Option<NaiveDate>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    phase: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    created_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Date>)]
    last_revised_on: Option<NaiveDate>,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    mapped: bool,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    maternal: bool,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    paternal: bool,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    can_step_in: bool,
    /// A person was added, changed or removed shortly before the latest revision or after it.
    #[diesel(sql_type = diesel::sql_types::Bool)]
    changed_since: bool,
}

/// The snapshot of a case's latest revision, as JSON text read straight into the persons.
#[derive(QueryableByName)]
struct SnapshotRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    case_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    persons: String,
}

/// The prompts of many cases, as [`prompts_and_revised`] works them out.
fn prompts_of(
    conn: &mut PgConnection,
    tenant: TenantId,
    cases: &[SummaryRow],
    clock: &TenantClock,
) -> Result<HashMap<Uuid, Vec<rules::Prompt>>, AppError> {
    Ok(prompts_and_revised(conn, tenant, cases, clock)?.0)
}

/// The prompts of each case, and the latest day each case's map was revised on.
type PromptsAndRevised = (HashMap<Uuid, Vec<rules::Prompt>>, HashMap<Uuid, NaiveDate>);

/// The prompts of many cases in one query whatever their number, for the case list and the
/// start page, which show the prompts (and the list the revision day) of every case they list:
/// each case's latest revision with the latest day a revision was revised on, and its map as
/// [`rules::MapState`] counted in SQL. Only a case whose persons changed after its latest
/// revision was saved (or within a minute before, for a change committed while the revision was
/// being saved) has its persons and that revision's snapshot read and compared, as the case
/// page compares them; the others have no unsaved changes.
fn prompts_and_revised(
    conn: &mut PgConnection,
    tenant: TenantId,
    cases: &[SummaryRow],
    clock: &TenantClock,
) -> Result<PromptsAndRevised, AppError> {
    let ids: Vec<Uuid> = cases.iter().map(|(case, ..)| case.id).collect();
    let rows: Vec<MapStateRow> = kept(
        "SELECT c.id AS case_id, r.number, r.revised_on, r.phase, r.created_at,
                l.last_revised_on,
                coalesce(p.mapped, false) AS mapped,
                coalesce(p.maternal, false) AS maternal,
                coalesce(p.paternal, false) AS paternal,
                coalesce(p.can_step_in, false) AS can_step_in,
                coalesce(p.changed_at > r.created_at - interval '1 minute', false)
                  AS changed_since
           FROM unnest($2::uuid[]) AS c (id)
           LEFT JOIN (SELECT case_id, max(number) AS number,
                             max(revised_on) AS last_revised_on
                        FROM map_revisions
                       WHERE tenant_id = $1 AND case_id = ANY($2)
                       GROUP BY case_id) l ON l.case_id = c.id
           LEFT JOIN map_revisions r
             ON r.tenant_id = $1 AND r.case_id = l.case_id AND r.number = l.number
           LEFT JOIN (SELECT case_id,
                             bool_or(removed_at IS NULL) AS mapped,
                             bool_or(removed_at IS NULL AND lineage IN ('maternal', 'both'))
                               AS maternal,
                             bool_or(removed_at IS NULL AND lineage IN ('paternal', 'both'))
                               AS paternal,
                             bool_or(removed_at IS NULL AND can_step_in) AS can_step_in,
                             max(greatest(created_at, updated_at, removed_at)) AS changed_at
                        FROM network_persons
                       WHERE tenant_id = $1 AND case_id = ANY($2)
                       GROUP BY case_id) p ON p.case_id = c.id",
        vec![Bind::Id(tenant.0), Bind::Ids(ids)],
    )
    .load(conn)?;
    let changed: Vec<Uuid> = rows
        .iter()
        .filter(|r| r.changed_since)
        .map(|r| r.case_id)
        .collect();
    let unsaved = unsaved_changes(conn, tenant, &changed)?;
    let mut states: HashMap<Uuid, (Option<rules::RevisionFacts>, rules::MapState)> = HashMap::new();
    let mut revised = HashMap::new();
    for row in rows {
        let latest = match (row.number, row.revised_on, row.phase, row.created_at) {
            (Some(number), Some(revised_on), Some(phase), Some(created_at)) => {
                Some(rules::RevisionFacts {
                    number,
                    revised_on,
                    phase: stored(Phase::parse, &phase)?,
                    created_at,
                })
            }
            _ => None,
        };
        if let Some(day) = row.last_revised_on {
            revised.insert(row.case_id, day);
        }
        let map = rules::MapState {
            mapped: row.mapped,
            maternal: row.maternal,
            paternal: row.paternal,
            can_step_in: row.can_step_in,
            unsaved: unsaved.contains(&row.case_id),
        };
        states.insert(row.case_id, (latest, map));
    }
    let mut out = HashMap::new();
    for (case, _, _, birth_year, birth_date) in cases {
        let (latest, map) = states.get(&case.id).copied().unwrap_or_default();
        let prompts = rules::prompts_of(&rules::PromptFacts {
            phase: case.phase()?,
            opened_on: clock.local_day(case.opened_at),
            phase_changed_at: case.phase_changed_at,
            latest,
            map,
            review_months: clock.review_months,
            today: clock.today,
            birthday: rules::birthday(*birth_year, *birth_date),
        });
        out.insert(case.id, prompts);
    }
    Ok((out, revised))
}

/// Which of `case_ids` (each with a revision) have persons that differ from their latest
/// revision's snapshot, compared person by person as on the case page.
fn unsaved_changes(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_ids: &[Uuid],
) -> Result<std::collections::HashSet<Uuid>, AppError> {
    if case_ids.is_empty() {
        return Ok(Default::default());
    }
    let mut persons: HashMap<Uuid, Vec<MapPerson>> = HashMap::new();
    let rows: Vec<(Uuid, PersonRow)> = network_persons::table
        .filter(network_persons::tenant_id.eq(tenant.0))
        .filter(network_persons::case_id.eq_any(case_ids))
        .filter(network_persons::removed_at.is_null())
        .select((network_persons::case_id, PersonRow::as_select()))
        .order((network_persons::name, network_persons::id))
        .load(conn)?;
    for (case_id, row) in rows {
        persons.entry(case_id).or_default().push(row.person()?);
    }
    let snapshots: Vec<SnapshotRow> = kept(
        "SELECT r.case_id, r.persons::text AS persons
           FROM (SELECT case_id, max(number) AS number
                   FROM map_revisions
                  WHERE tenant_id = $1 AND case_id = ANY($2)
                  GROUP BY case_id) l
           JOIN map_revisions r
             ON r.tenant_id = $1 AND r.case_id = l.case_id AND r.number = l.number",
        vec![Bind::Id(tenant.0), Bind::Ids(case_ids.to_vec())],
    )
    .load(conn)?;
    let mut out = std::collections::HashSet::new();
    for row in snapshots {
        let snapshot: Vec<MapPerson> = serde_json::from_str(&row.persons)
            .map_err(|e| AppError::Internal(format!("a revision's snapshot is unreadable: {e}")))?;
        let now = persons.get(&row.case_id).map_or(&[][..], Vec::as_slice);
        if rules::MapState::of(now, Some(&snapshot)).unsaved {
            out.insert(row.case_id);
        }
    }
    Ok(out)
}

pub fn child(
    conn: &mut PgConnection,
    tenant: TenantId,
    child_id: Uuid,
) -> Result<ChildView, AppError> {
    children::table
        .find((tenant.0, child_id))
        .select(ChildRow::as_select())
        .first(conn)?
        .view()
}

/// The details of the child that [`update_child`] found changed, by name (for the audit row,
/// which never holds the values themselves).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChildChanges(pub Vec<&'static str>);

impl ChildChanges {
    /// Whether the birth date or year changed, so the child turns 17½ on another day.
    pub fn birth(&self) -> bool {
        self.0.contains(&"birth")
    }
}

/// Replaces the details of the case's child; returns which of them changed.
pub fn update_child(
    conn: &mut PgConnection,
    tenant: TenantId,
    child_id: Uuid,
    new: &NewChild,
) -> Result<ChildChanges, AppError> {
    let old = child(conn, tenant, child_id)?;
    let mut changed = Vec::new();
    for (field, differs) in [
        ("first_name", old.first_name != new.first_name),
        ("last_name", old.last_name != new.last_name),
        (
            "birth",
            old.birth_year != new.birth.year || old.birth_date != new.birth.date,
        ),
        ("gender", old.gender != new.gender),
        ("language", old.language != new.language),
        (
            "interpreter_needed",
            old.interpreter_needed != new.interpreter_needed,
        ),
    ] {
        if differs {
            changed.push(field);
        }
    }
    if changed.is_empty() {
        return Ok(ChildChanges::default());
    }
    let updated = diesel::update(children::table.find((tenant.0, child_id)))
        .set((
            children::first_name.eq(&new.first_name),
            children::last_name.eq(&new.last_name),
            children::birth_year.eq(new.birth.year),
            children::birth_date.eq(new.birth.date),
            children::gender.eq(new.gender.as_str()),
            children::language.eq(&new.language),
            children::interpreter_needed.eq(new.interpreter_needed),
            children::updated_at.eq(Utc::now()),
        ))
        .execute(conn)?;
    if updated == 0 {
        return Err(AppError::NotFound);
    }
    Ok(ChildChanges(changed))
}

/// The service's staff who may see cases (not leaders), active or not, by name.
pub fn case_staff(conn: &mut PgConnection, tenant: TenantId) -> Result<Vec<StaffMember>, AppError> {
    let rows: Vec<(Uuid, String, String, bool)> = users::table
        .filter(users::tenant_id.eq(tenant.0))
        .filter(users::role.ne(crate::access::Role::Leader.as_str()))
        .filter(users::role.ne(crate::access::Role::OnCall.as_str()))
        .select((users::id, users::display_name, users::role, users::active))
        .order((users::display_name, users::id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(user_id, display_name, role, active)| StaffMember {
            user_id,
            display_name,
            role,
            active,
        })
        .collect())
}

/// The case's child's birth: the year always, the date when it is known (one query).
pub fn child_birth(
    conn: &mut PgConnection,
    case_id: Uuid,
) -> QueryResult<(i16, Option<chrono::NaiveDate>)> {
    cases::table
        .inner_join(
            children::table.on(children::tenant_id
                .eq(cases::tenant_id)
                .and(children::id.eq(cases::child_id))),
        )
        .filter(cases::id.eq(case_id))
        .select((children::birth_year, children::birth_date))
        .first(conn)
}

/// The language the case's child speaks best, in words as recorded ("norsk", "engelsk").
pub fn child_language(conn: &mut PgConnection, case_id: Uuid) -> QueryResult<Option<String>> {
    cases::table
        .inner_join(
            children::table.on(children::tenant_id
                .eq(cases::tenant_id)
                .and(children::id.eq(cases::child_id))),
        )
        .filter(cases::id.eq(case_id))
        .select(children::language)
        .first(conn)
}

/// Whether `user` is an active staff member assigned to `case_id`.
pub fn works_on(conn: &mut PgConnection, case_id: Uuid, user: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        case_assignments::table
            .inner_join(
                users::table.on(users::tenant_id
                    .eq(case_assignments::tenant_id)
                    .and(users::id.eq(case_assignments::user_id))),
            )
            .filter(case_assignments::case_id.eq(case_id))
            .filter(case_assignments::user_id.eq(user))
            .filter(users::active),
    ))
    .get_result(conn)
}

pub fn assigned_staff(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
) -> Result<Vec<StaffView>, AppError> {
    let rows: Vec<(Uuid, String, String, DateTime<Utc>)> = case_assignments::table
        .inner_join(
            users::table.on(users::tenant_id
                .eq(case_assignments::tenant_id)
                .and(users::id.eq(case_assignments::user_id))),
        )
        .filter(case_assignments::tenant_id.eq(tenant.0))
        .filter(case_assignments::case_id.eq(case_id))
        .select((
            users::id,
            users::display_name,
            users::role,
            case_assignments::assigned_at,
        ))
        .order((case_assignments::assigned_at, users::id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(user_id, display_name, role, assigned_at)| StaffView {
            user_id,
            display_name,
            role,
            assigned_at,
        })
        .collect())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = network_persons)]
struct PersonRow {
    id: Uuid,
    name: String,
    relation: Option<String>,
    category: String,
    side: String,
    lineage: String,
    closeness: String,
    quality: String,
    can_strengthen: bool,
    can_step_in: bool,
    step_in_how: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    address: Option<String>,
    abroad_other_culture: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    preferred_channel: String,
    email_too: bool,
    reachable_when: Option<String>,
    can_take_child: bool,
    language: Option<String>,
    interpreter: Option<String>,
}

impl PersonRow {
    fn person(self) -> Result<MapPerson, AppError> {
        Ok(MapPerson {
            id: self.id,
            category: stored(RelationCategory::parse, &self.category)?,
            side: stored(NetworkSide::parse, &self.side)?,
            lineage: stored(Lineage::parse, &self.lineage)?,
            closeness: stored(Closeness::parse, &self.closeness)?,
            quality: stored(RelationQuality::parse, &self.quality)?,
            preferred_channel: stored(Channel::parse, &self.preferred_channel)?,
            email_too: self.email_too,
            name: self.name,
            relation: self.relation,
            can_strengthen: self.can_strengthen,
            can_step_in: self.can_step_in,
            step_in_how: self.step_in_how,
            reachable_when: self.reachable_when,
            can_take_child: self.can_take_child,
            email: self.email,
            phone: self.phone,
            address: self.address,
            abroad_other_culture: self.abroad_other_culture,
            language: self
                .language
                .as_deref()
                .map(|code| {
                    crate::web::i18n::Lang::parse(code)
                        .ok_or_else(|| AppError::Internal(format!("stored language {code:?}")))
                })
                .transpose()?,
            interpreter: self.interpreter,
        })
    }
}

fn person_rows(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
    only: Option<Uuid>,
) -> QueryResult<Vec<PersonRow>> {
    let mut query = network_persons::table
        .filter(network_persons::tenant_id.eq(tenant.0))
        .filter(network_persons::case_id.eq(case_id))
        .filter(network_persons::removed_at.is_null())
        .select(PersonRow::as_select())
        .order((network_persons::name, network_persons::id))
        .into_boxed();
    if let Some(id) = only {
        query = query.filter(network_persons::id.eq(id));
    }
    query.load(conn)
}

/// The persons on the case's current map, by name.
pub fn persons(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
) -> Result<Vec<MapPerson>, AppError> {
    person_rows(conn, tenant, case_id, None)?
        .into_iter()
        .map(PersonRow::person)
        .collect()
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = child_words)]
struct WordsRow {
    id: Uuid,
    person_id: Uuid,
    text: String,
    author: String,
    written_at: DateTime<Utc>,
    recorded_by: Option<Uuid>,
}

fn person_views_where(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
    only: Option<Uuid>,
) -> Result<Vec<PersonView>, AppError> {
    let rows = person_rows(conn, tenant, case_id, only)?;
    let mut words_query = child_words::table
        .filter(child_words::tenant_id.eq(tenant.0))
        .filter(child_words::case_id.eq(case_id))
        .select(WordsRow::as_select())
        .order((
            child_words::written_at,
            child_words::created_at,
            child_words::id,
        ))
        .into_boxed();
    if let Some(id) = only {
        words_query = words_query.filter(child_words::person_id.eq(id));
    }
    let words: Vec<WordsRow> = words_query.load(conn)?;
    rows.into_iter()
        .map(|row| {
            let (created_at, updated_at) = (row.created_at, row.updated_at);
            let person = row.person()?;
            let child_words = words
                .iter()
                .filter(|w| w.person_id == person.id)
                .map(|w| {
                    Ok(WordsView {
                        id: w.id,
                        text: w.text.clone(),
                        author: stored(WordsAuthor::parse, &w.author)?,
                        written_at: w.written_at,
                        recorded_by: w.recorded_by,
                    })
                })
                .collect::<Result<_, AppError>>()?;
            Ok(PersonView {
                person,
                child_words,
                created_at,
                updated_at,
            })
        })
        .collect()
}

/// The current map with the child's words about each person.
pub fn person_views(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
) -> Result<Vec<PersonView>, AppError> {
    person_views_where(conn, tenant, case_id, None)
}

/// One person on the case's current map; a removed person, or one of another case, is not found.
pub fn person_view(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
    person_id: Uuid,
) -> Result<PersonView, AppError> {
    person_views_where(conn, tenant, case_id, Some(person_id))?
        .pop()
        .ok_or(AppError::NotFound)
}

/// Adds a person to the case's map.
pub fn insert_person(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
    f: &PersonFields,
) -> Result<Uuid, AppError> {
    let id = Uuid::now_v7();
    diesel::insert_into(network_persons::table)
        .values((
            network_persons::tenant_id.eq(tenant.0),
            network_persons::id.eq(id),
            network_persons::case_id.eq(case_id),
            network_persons::name.eq(&f.name),
            network_persons::relation.eq(&f.relation),
            network_persons::category.eq(f.category.as_str()),
            network_persons::side.eq(f.side.as_str()),
            network_persons::lineage.eq(f.lineage.as_str()),
            network_persons::closeness.eq(f.closeness.as_str()),
            network_persons::quality.eq(f.quality.as_str()),
            network_persons::can_strengthen.eq(f.can_strengthen),
            network_persons::can_step_in.eq(f.can_step_in),
            network_persons::step_in_how.eq(&f.step_in_how),
            network_persons::reachable_when.eq(&f.reachable_when),
            network_persons::can_take_child.eq(f.can_take_child),
            network_persons::email.eq(f.email.as_ref().map(|e| e.as_str())),
            network_persons::phone.eq(f.phone.as_ref().map(|p| p.as_str())),
            network_persons::address.eq(&f.address),
            network_persons::preferred_channel.eq(f.preferred_channel.as_str()),
            network_persons::email_too.eq(f.email_too),
            network_persons::abroad_other_culture.eq(f.abroad_other_culture),
            network_persons::language.eq(f.language.map(|l| l.as_str())),
            network_persons::interpreter.eq(&f.interpreter),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The email address of each of `persons` (none for one without), in id order: what another
/// capability that writes to people on a map asks for, instead of reading the map itself.
pub fn emails_of(
    conn: &mut PgConnection,
    persons: &[Uuid],
) -> QueryResult<Vec<(Uuid, Option<String>)>> {
    network_persons::table
        .filter(network_persons::id.eq_any(persons))
        .select((network_persons::id, network_persons::email))
        .order(network_persons::id)
        .load(conn)
}

/// Sets the email address of person `person_id` on the case's map, and makes email the way
/// they are reached: the address is added where nothing recorded could reach them (the check
/// before sending invitations).
pub fn set_email(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
    person_id: Uuid,
    email: &crate::fields::Email,
) -> Result<(), AppError> {
    let updated = diesel::update(
        network_persons::table
            .filter(network_persons::tenant_id.eq(tenant.0))
            .filter(network_persons::case_id.eq(case_id))
            .filter(network_persons::id.eq(person_id))
            .filter(network_persons::removed_at.is_null()),
    )
    .set((
        network_persons::email.eq(email.as_str()),
        network_persons::preferred_channel.eq(crate::cases::domain::Channel::Email.as_str()),
        network_persons::updated_at.eq(diesel::dsl::now),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Replaces what is mapped about a person on the case's current map.
pub fn update_person(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
    person_id: Uuid,
    f: &PersonFields,
) -> Result<(), AppError> {
    let updated = diesel::update(
        network_persons::table
            .filter(network_persons::tenant_id.eq(tenant.0))
            .filter(network_persons::case_id.eq(case_id))
            .filter(network_persons::id.eq(person_id))
            .filter(network_persons::removed_at.is_null()),
    )
    .set((
        network_persons::name.eq(&f.name),
        network_persons::relation.eq(&f.relation),
        network_persons::category.eq(f.category.as_str()),
        network_persons::side.eq(f.side.as_str()),
        network_persons::lineage.eq(f.lineage.as_str()),
        network_persons::closeness.eq(f.closeness.as_str()),
        network_persons::quality.eq(f.quality.as_str()),
        network_persons::can_strengthen.eq(f.can_strengthen),
        network_persons::can_step_in.eq(f.can_step_in),
        network_persons::step_in_how.eq(&f.step_in_how),
        network_persons::reachable_when.eq(&f.reachable_when),
        network_persons::can_take_child.eq(f.can_take_child),
        network_persons::email.eq(f.email.as_ref().map(|e| e.as_str())),
        network_persons::phone.eq(f.phone.as_ref().map(|p| p.as_str())),
        network_persons::address.eq(&f.address),
        network_persons::preferred_channel.eq(f.preferred_channel.as_str()),
        network_persons::email_too.eq(f.email_too),
        network_persons::abroad_other_culture.eq(f.abroad_other_culture),
        network_persons::language.eq(f.language.map(|l| l.as_str())),
        network_persons::interpreter.eq(&f.interpreter),
        network_persons::updated_at.eq(Utc::now()),
    ))
    .execute(conn)?;
    // Under row-level security an update that misses says nothing: the count is the answer.
    if updated == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Takes a person off the current map. The row stays (marked removed) for the child's words and
/// for the revisions that show them.
pub fn remove_person(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
    person_id: Uuid,
) -> Result<(), AppError> {
    let now = Utc::now();
    let removed = diesel::update(
        network_persons::table
            .filter(network_persons::tenant_id.eq(tenant.0))
            .filter(network_persons::case_id.eq(case_id))
            .filter(network_persons::id.eq(person_id))
            .filter(network_persons::removed_at.is_null()),
    )
    .set((
        network_persons::removed_at.eq(now),
        network_persons::updated_at.eq(now),
    ))
    .execute(conn)?;
    if removed == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Records the child's words about a person on the case's current map.
pub fn add_words(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
    person_id: Uuid,
    words: &ChildWords,
    recorded_by: Option<Uuid>,
) -> Result<Uuid, AppError> {
    let on_map: i64 = network_persons::table
        .filter(network_persons::tenant_id.eq(tenant.0))
        .filter(network_persons::case_id.eq(case_id))
        .filter(network_persons::id.eq(person_id))
        .filter(network_persons::removed_at.is_null())
        .count()
        .get_result(conn)?;
    if on_map == 0 {
        return Err(AppError::NotFound);
    }
    let id = Uuid::now_v7();
    diesel::insert_into(child_words::table)
        .values((
            child_words::tenant_id.eq(tenant.0),
            child_words::id.eq(id),
            child_words::case_id.eq(case_id),
            child_words::person_id.eq(person_id),
            child_words::text.eq(&words.text),
            child_words::author.eq(words.author.as_str()),
            child_words::written_at.eq(words.written_at),
            child_words::recorded_by.eq(recorded_by),
        ))
        .execute(conn)?;
    Ok(id)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = map_revisions)]
struct RevisionRow {
    number: i32,
    revised_on: NaiveDate,
    phase: String,
    child_participated: bool,
    participation: Option<String>,
    persons: serde_json::Value,
    created_at: DateTime<Utc>,
    created_by: Option<Uuid>,
}

impl RevisionRow {
    fn view(self) -> Result<RevisionView, AppError> {
        let persons: Vec<MapPerson> = serde_json::from_value(self.persons)
            .map_err(|e| AppError::Internal(format!("a revision's snapshot is unreadable: {e}")))?;
        Ok(RevisionView {
            summary: RevisionSummary {
                number: self.number,
                revised_on: self.revised_on,
                phase: stored(Phase::parse, &self.phase)?,
                child_participated: self.child_participated,
                participation: self.participation,
                person_count: persons.len(),
                created_at: self.created_at,
                created_by: self.created_by,
            },
            persons,
        })
    }
}

/// Which revisions of a case to load.
enum Which {
    All,
    Number(i32),
    Latest,
}

fn revision_rows(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
    which: Which,
) -> QueryResult<Vec<RevisionRow>> {
    let query = map_revisions::table
        .filter(map_revisions::tenant_id.eq(tenant.0))
        .filter(map_revisions::case_id.eq(case_id))
        .select(RevisionRow::as_select())
        .into_boxed();
    match which {
        Which::All => query.order(map_revisions::number).load(conn),
        Which::Number(n) => query.filter(map_revisions::number.eq(n)).load(conn),
        Which::Latest => query
            .order(map_revisions::number.desc())
            .limit(1)
            .load(conn),
    }
}

/// Every revision of the case's map, oldest first.
pub fn revisions(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
) -> Result<Vec<RevisionView>, AppError> {
    revision_rows(conn, tenant, case_id, Which::All)?
        .into_iter()
        .map(RevisionRow::view)
        .collect()
}

/// Revision `number` of the case's map.
pub fn revision(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
    number: i32,
) -> Result<RevisionView, AppError> {
    revision_rows(conn, tenant, case_id, Which::Number(number))?
        .pop()
        .ok_or(AppError::NotFound)?
        .view()
}

pub fn latest_revision(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
) -> Result<Option<RevisionView>, AppError> {
    revision_rows(conn, tenant, case_id, Which::Latest)?
        .pop()
        .map(RevisionRow::view)
        .transpose()
}

/// Saves the current map as the next revision. The caller holds the case's lock
/// ([`super::access::Intent::Write`]), so the number cannot be taken twice.
pub fn insert_revision(
    conn: &mut PgConnection,
    tenant: TenantId,
    case: &CaseRow,
    new: &NewRevision,
    created_by: Option<Uuid>,
) -> Result<RevisionView, AppError> {
    let persons = persons(conn, tenant, case.id)?;
    let last: Option<i32> = map_revisions::table
        .filter(map_revisions::tenant_id.eq(tenant.0))
        .filter(map_revisions::case_id.eq(case.id))
        .select(diesel::dsl::max(map_revisions::number))
        .first(conn)?;
    let number = last.unwrap_or(0) + 1;
    let snapshot =
        serde_json::to_value(&persons).map_err(|e| AppError::Internal(format!("snapshot: {e}")))?;
    let created_at = Utc::now();
    diesel::insert_into(map_revisions::table)
        .values((
            map_revisions::tenant_id.eq(tenant.0),
            map_revisions::id.eq(Uuid::now_v7()),
            map_revisions::case_id.eq(case.id),
            map_revisions::number.eq(number),
            map_revisions::revised_on.eq(new.revised_on),
            map_revisions::phase.eq(&case.phase),
            map_revisions::child_participated.eq(new.child_participated),
            map_revisions::participation.eq(&new.participation),
            map_revisions::persons.eq(&snapshot),
            map_revisions::created_by.eq(created_by),
            map_revisions::created_at.eq(created_at),
        ))
        .execute(conn)?;
    Ok(RevisionView {
        summary: RevisionSummary {
            number,
            revised_on: new.revised_on,
            phase: case.phase()?,
            child_participated: new.child_participated,
            participation: new.participation.clone(),
            person_count: persons.len(),
            created_at,
            created_by,
        },
        persons,
    })
}

/// The prompts for the case as it stands.
pub fn prompts_for(
    case: &CaseRow,
    child: &ChildView,
    persons: &[MapPerson],
    latest: Option<&RevisionView>,
    clock: &TenantClock,
) -> Result<Vec<rules::Prompt>, AppError> {
    let latest = latest.map(|r| LatestRevision {
        number: r.summary.number,
        revised_on: r.summary.revised_on,
        phase: r.summary.phase,
        created_at: r.summary.created_at,
        persons: &r.persons,
    });
    Ok(rules::prompts(&MapFacts {
        phase: case.phase()?,
        opened_on: clock.local_day(case.opened_at),
        phase_changed_at: case.phase_changed_at,
        persons,
        latest,
        review_months: clock.review_months,
        today: clock.today,
        birthday: rules::birthday(child.birth_year, child.birth_date),
    }))
}

/// Everything the case page shows about the case and its current map.
pub fn case_view(
    conn: &mut PgConnection,
    tenant: TenantId,
    case: &CaseRow,
    clock: &TenantClock,
) -> Result<CaseView, AppError> {
    Ok(case_view_with_latest(conn, tenant, case, clock)?.0)
}

/// [`case_view`], and the latest revision with its persons (the case page draws the map from it
/// without loading it again).
pub fn case_view_with_latest(
    conn: &mut PgConnection,
    tenant: TenantId,
    case: &CaseRow,
    clock: &TenantClock,
) -> Result<(CaseView, Option<RevisionView>), AppError> {
    let persons = person_views(conn, tenant, case.id)?;
    let latest = latest_revision(conn, tenant, case.id)?;
    let map: Vec<MapPerson> = persons.iter().map(|p| p.person.clone()).collect();
    let child = child(conn, tenant, case.child_id)?;
    let prompts = prompts_for(case, &child, &map, latest.as_ref(), clock)?;
    let view = CaseView {
        id: case.id,
        child,
        phase: case.phase()?,
        acute: case.acute,
        opened_at: case.opened_at,
        phase_changed_at: case.phase_changed_at,
        reference: case.reference.clone(),
        municipality: case.municipality.clone(),
        where_child_can_go: case.where_child_can_go.clone(),
        assigned: assigned_staff(conn, tenant, case.id)?,
        persons,
        latest_revision: latest.as_ref().map(|r| r.summary.clone()),
        prompts,
    };
    Ok((view, latest))
}

/// Changes the phase and/or the acute flag; returns the case as it now stands. A phase "changed"
/// to the one it has is no change, so it does not make the map due.
pub fn update_case(
    conn: &mut PgConnection,
    tenant: TenantId,
    case: &CaseRow,
    update: &CaseUpdate,
) -> Result<CaseRow, AppError> {
    let now = Utc::now();
    let mut next = case.clone();
    if let Some(phase) = update.phase
        && phase.as_str() != case.phase
    {
        next.phase = phase.as_str().to_owned();
        next.phase_changed_at = now;
    }
    if let Some(acute) = update.acute {
        next.acute = acute;
    }
    if let Some(reference) = &update.reference {
        if let Some(r) = reference {
            reference_free(conn, tenant, r, Some(case.id))?;
        }
        next.reference = reference.clone();
    }
    if let Some(municipality) = &update.municipality {
        next.municipality = Some(home_municipality(conn, Some(municipality))?);
    }
    if let Some(note) = &update.where_child_can_go {
        next.where_child_can_go = note.clone();
    }
    diesel::update(cases::table.find((tenant.0, case.id)))
        .set((
            cases::phase.eq(&next.phase),
            cases::phase_changed_at.eq(next.phase_changed_at),
            cases::acute.eq(next.acute),
            cases::reference.eq(&next.reference),
            cases::municipality.eq(&next.municipality),
            cases::where_child_can_go.eq(&next.where_child_can_go),
            cases::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(next)
}

/// Assigns `user_id` to the case. Only an active staff member of the service who may see case
/// data can be assigned; assigning someone already assigned changes nothing. Returns whether a
/// new assignment was made.
pub fn assign(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
    user_id: Uuid,
    by: Option<Uuid>,
) -> Result<bool, AppError> {
    let found: Option<(bool, String)> = users::table
        .find((tenant.0, user_id))
        .select((users::active, users::role))
        .first(conn)
        .optional()?;
    match found {
        Some((true, role))
            if role != crate::access::Role::Leader.as_str()
                && role != crate::access::Role::OnCall.as_str() => {}
        Some((true, _)) => {
            return Err(AppError::field(
                "user_id",
                "leaders and the on-call service are not assigned to cases; assign a caseworker or coordinator",
            ));
        }
        _ => {
            return Err(AppError::field(
                "user_id",
                "no active staff member of this service has that id",
            ));
        }
    }
    let inserted = diesel::insert_into(case_assignments::table)
        .values((
            case_assignments::tenant_id.eq(tenant.0),
            case_assignments::case_id.eq(case_id),
            case_assignments::user_id.eq(user_id),
            case_assignments::assigned_by.eq(by),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    Ok(inserted > 0)
}

/// The open cases on which `user` is the only active staff member assigned: without them nobody
/// could open the case once `user` leaves. Each case's id and the service's reference, if any.
pub fn sole_open_cases(
    conn: &mut PgConnection,
    tenant: TenantId,
    user: Uuid,
) -> QueryResult<Vec<(Uuid, Option<String>)>> {
    let (others, colleagues) = diesel::alias!(case_assignments as others, users as colleagues);
    let someone_else = others
        .inner_join(
            colleagues.on(colleagues
                .field(users::tenant_id)
                .eq(others.field(case_assignments::tenant_id))
                .and(
                    colleagues
                        .field(users::id)
                        .eq(others.field(case_assignments::user_id)),
                )),
        )
        .filter(
            others
                .field(case_assignments::tenant_id)
                .eq(cases::tenant_id),
        )
        .filter(others.field(case_assignments::case_id).eq(cases::id))
        .filter(others.field(case_assignments::user_id).ne(user))
        .filter(colleagues.field(users::active).eq(true));
    cases::table
        .inner_join(
            case_assignments::table.on(case_assignments::tenant_id
                .eq(cases::tenant_id)
                .and(case_assignments::case_id.eq(cases::id))),
        )
        .filter(cases::tenant_id.eq(tenant.0))
        .filter(cases::phase.ne(Phase::Closed.as_str()))
        .filter(case_assignments::user_id.eq(user))
        .filter(diesel::dsl::not(diesel::dsl::exists(someone_else)))
        .select((cases::id, cases::reference))
        .order((cases::reference.asc(), cases::opened_at))
        .load(conn)
}

/// Ends `user_id`'s assignment. The last one cannot end: a case nobody may open is lost.
pub fn unassign(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
    user_id: Uuid,
) -> Result<(), AppError> {
    let of_case = case_assignments::table
        .filter(case_assignments::tenant_id.eq(tenant.0))
        .filter(case_assignments::case_id.eq(case_id));
    let assigned: Vec<Uuid> = of_case.select(case_assignments::user_id).load(conn)?;
    if !assigned.contains(&user_id) {
        return Err(AppError::NotFound);
    }
    if assigned.len() == 1 {
        return Err(Refusal::LastAssignment
            .because("this is the case's only assigned staff member; assign someone else first"));
    }
    diesel::delete(of_case.filter(case_assignments::user_id.eq(user_id))).execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = costly_measures)]
struct MeasureRow {
    id: Uuid,
    kind: String,
    description: Option<String>,
    status: String,
    proposed_at: DateTime<Utc>,
    proposed_by: Option<Uuid>,
    decided_at: Option<DateTime<Utc>>,
    decided_by: Option<Uuid>,
    withdrawn_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = network_checks)]
struct CheckRow {
    id: Uuid,
    measure_id: Uuid,
    kind: String,
    checked_on: Option<NaiveDate>,
    result: Option<String>,
    justification: Option<String>,
    recorded_at: DateTime<Utc>,
    recorded_by: Option<Uuid>,
}

fn measure_views(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
    only: Option<Uuid>,
) -> Result<Vec<MeasureView>, AppError> {
    let mut query = costly_measures::table
        .filter(costly_measures::tenant_id.eq(tenant.0))
        .filter(costly_measures::case_id.eq(case_id))
        .select(MeasureRow::as_select())
        .order((costly_measures::proposed_at, costly_measures::id))
        .into_boxed();
    if let Some(id) = only {
        query = query.filter(costly_measures::id.eq(id));
    }
    let measures: Vec<MeasureRow> = query.load(conn)?;
    let checks: Vec<CheckRow> = network_checks::table
        .filter(network_checks::tenant_id.eq(tenant.0))
        .filter(network_checks::case_id.eq(case_id))
        .select(CheckRow::as_select())
        .order((network_checks::recorded_at, network_checks::id))
        .load(conn)?;
    let considered: Vec<(Uuid, Uuid, String)> = network_check_persons::table
        .inner_join(
            network_persons::table.on(network_persons::tenant_id
                .eq(network_check_persons::tenant_id)
                .and(network_persons::id.eq(network_check_persons::person_id))),
        )
        .filter(network_check_persons::tenant_id.eq(tenant.0))
        .filter(network_check_persons::case_id.eq(case_id))
        .select((
            network_check_persons::check_id,
            network_persons::id,
            network_persons::name,
        ))
        .order((network_persons::name, network_persons::id))
        .load(conn)?;
    measures
        .into_iter()
        .map(|m| {
            let checks: Vec<CheckView> = checks
                .iter()
                .filter(|c| c.measure_id == m.id)
                .map(|c| {
                    Ok(CheckView {
                        id: c.id,
                        kind: stored(CheckKind::parse, &c.kind)?,
                        checked_on: c.checked_on,
                        considered: considered
                            .iter()
                            .filter(|(check, _, _)| *check == c.id)
                            .map(|(_, id, name)| ConsideredPerson {
                                id: *id,
                                name: name.clone(),
                            })
                            .collect(),
                        result: c.result.clone(),
                        justification: c.justification.clone(),
                        recorded_at: c.recorded_at,
                        recorded_by: c.recorded_by,
                    })
                })
                .collect::<Result<_, AppError>>()?;
            let status = stored(MeasureStatus::parse, &m.status)?;
            Ok(MeasureView {
                id: m.id,
                kind: stored(MeasureKind::parse, &m.kind)?,
                description: m.description,
                may_decide: rules::may_decide(status, checks.len()).is_ok(),
                status,
                proposed_at: m.proposed_at,
                proposed_by: m.proposed_by,
                decided_at: m.decided_at,
                decided_by: m.decided_by,
                withdrawn_at: m.withdrawn_at,
                checks,
            })
        })
        .collect()
}

/// The case's costly measures, oldest first, with their checks.
pub fn measures(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
) -> Result<Vec<MeasureView>, AppError> {
    measure_views(conn, tenant, case_id, None)
}

/// One costly measure of the case; another case's is not found.
pub fn measure(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
    measure_id: Uuid,
) -> Result<MeasureView, AppError> {
    measure_views(conn, tenant, case_id, Some(measure_id))?
        .pop()
        .ok_or(AppError::NotFound)
}

pub fn insert_measure(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
    new: &NewMeasure,
    by: Option<Uuid>,
) -> Result<Uuid, AppError> {
    let id = Uuid::now_v7();
    diesel::insert_into(costly_measures::table)
        .values((
            costly_measures::tenant_id.eq(tenant.0),
            costly_measures::id.eq(id),
            costly_measures::case_id.eq(case_id),
            costly_measures::kind.eq(new.kind.as_str()),
            costly_measures::description.eq(&new.description),
            costly_measures::proposed_by.eq(by),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Records a network check or a justification for a proposed measure. Everyone named as
/// considered must be on this case's map (a removed person may have been considered before they
/// were removed); anyone else is refused by field, and nothing is written.
pub fn insert_check(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
    measure: &MeasureView,
    check: &NewCheck,
    by: Option<Uuid>,
) -> Result<Uuid, AppError> {
    if measure.status != MeasureStatus::Proposed {
        return Err(Refusal::MeasureNotProposed.because(format!(
            "the network is checked before a measure is decided; this one is {}",
            measure.status
        )));
    }
    let id = Uuid::now_v7();
    let (checked_on, result, justification, considered) = match check {
        NewCheck::Check {
            checked_on,
            considered,
            result,
        } => (
            Some(*checked_on),
            Some(result.as_str()),
            None,
            considered.as_slice(),
        ),
        NewCheck::Justification { text } => (None, None, Some(text.as_str()), &[][..]),
    };
    if !considered.is_empty() {
        let known: Vec<Uuid> = network_persons::table
            .filter(network_persons::tenant_id.eq(tenant.0))
            .filter(network_persons::case_id.eq(case_id))
            .filter(network_persons::id.eq_any(considered))
            .select(network_persons::id)
            .load(conn)?;
        let unknown: Vec<_> = considered
            .iter()
            .enumerate()
            .filter(|(_, id)| !known.contains(id))
            .map(|(i, _)| {
                crate::web::problem::FieldError::new(
                    format!("considered[{i}]"),
                    "no person on this case's map has that id",
                )
            })
            .collect();
        if !unknown.is_empty() {
            return Err(AppError::Validation(unknown));
        }
    }
    diesel::insert_into(network_checks::table)
        .values((
            network_checks::tenant_id.eq(tenant.0),
            network_checks::id.eq(id),
            network_checks::case_id.eq(case_id),
            network_checks::measure_id.eq(measure.id),
            network_checks::kind.eq(check.kind().as_str()),
            network_checks::checked_on.eq(checked_on),
            network_checks::result.eq(result),
            network_checks::justification.eq(justification),
            network_checks::recorded_by.eq(by),
        ))
        .execute(conn)?;
    let rows: Vec<_> = considered
        .iter()
        .map(|person| {
            (
                network_check_persons::tenant_id.eq(tenant.0),
                network_check_persons::case_id.eq(case_id),
                network_check_persons::check_id.eq(id),
                network_check_persons::person_id.eq(*person),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(network_check_persons::table)
            .values(rows)
            .execute(conn)?;
    }
    Ok(id)
}

/// Marks a proposed measure decided, if the gate is open.
pub fn decide_measure(
    conn: &mut PgConnection,
    tenant: TenantId,
    measure: &MeasureView,
    by: Option<Uuid>,
) -> Result<(), AppError> {
    rules::may_decide(measure.status, measure.checks.len())
        .map_err(|refusal| refusal.rule().because(refusal.message()))?;
    diesel::update(costly_measures::table.find((tenant.0, measure.id)))
        .set((
            costly_measures::status.eq(MeasureStatus::Decided.as_str()),
            costly_measures::decided_at.eq(Utc::now()),
            costly_measures::decided_by.eq(by),
        ))
        .execute(conn)?;
    Ok(())
}

/// Withdraws a proposed measure.
pub fn withdraw_measure(
    conn: &mut PgConnection,
    tenant: TenantId,
    measure: &MeasureView,
) -> Result<(), AppError> {
    if measure.status != MeasureStatus::Proposed {
        return Err(Refusal::MeasureNotProposed.because(format!(
            "only a proposed measure can be withdrawn; this one is {}",
            measure.status
        )));
    }
    diesel::update(costly_measures::table.find((tenant.0, measure.id)))
        .set((
            costly_measures::status.eq(MeasureStatus::Withdrawn.as_str()),
            costly_measures::withdrawn_at.eq(Utc::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Who on the current map can step in at short notice: closest first, then by name.
pub fn acute_list(
    conn: &mut PgConnection,
    tenant: TenantId,
    case: &CaseRow,
) -> Result<AcuteList, AppError> {
    let child = child(conn, tenant, case.child_id)?;
    let mut persons: Vec<MapPerson> = persons(conn, tenant, case.id)?
        .into_iter()
        .filter(|p| p.can_step_in || p.can_take_child)
        .collect();
    persons.sort_by_key(|p| p.closeness);
    Ok(AcuteList {
        case_id: case.id,
        child_first_name: child.first_name,
        acute: case.acute,
        where_child_can_go: case.where_child_can_go.clone(),
        persons: persons
            .into_iter()
            .map(|p| AcutePerson {
                phone_display: p.phone.as_deref().map(format_phone),
                id: p.id,
                name: p.name,
                relation: p.relation,
                category: p.category,
                closeness: p.closeness,
                can_step_in: p.can_step_in,
                step_in_how: p.step_in_how,
                reachable_when: p.reachable_when,
                can_take_child: p.can_take_child,
                phone: p.phone,
                email: p.email,
                address: p.address,
            })
            .collect(),
    })
}
