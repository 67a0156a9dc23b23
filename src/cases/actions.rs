//! One function per use case of a case, called alike by the JSON API ([`super::handlers`]) and
//! the pages ([`super::pages`], [`super::forms`]): each opens the case through [`with_case`] (the
//! assignment rule, the tenant transaction and the audit row), parses its request, applies the
//! rules, writes the rows and the jobs, and returns the read model the caller shows. A handler or
//! a page only turns its request into the arguments and the result into a response.

use serde_json::json;
use uuid::Uuid;

use super::access::{self, Audited, Intent, case_user, read_list, with_case};
use super::domain::{
    CaseFilter, CaseListRequest, CaseUpdate, CaseUpdateRequest, CheckKind, ChildRequest,
    ChildWords, MeasureRequest, NetworkCheckRequest, NewCase, NewCaseRequest, NewCheck, NewMeasure,
    NewRevision, PersonInput, PersonRequest, Phase, RevisionRequest, WordsRequest,
};
use super::history::diff;
use super::picture::{self, Picture, Which};
use super::queries::{self, TenantClock};
use super::rules::Prompt;
use super::views::{
    AcuteList, CaseList, CasePageSections, CasePageView, CaseView, ChildView, DiffView, MapPerson,
    MeasureView, PersonView, RevisionSummary, RevisionView,
};
use super::{lifecycle, reminders};
use crate::access::{Caller, Role};
use crate::audit;
use crate::db::Db;
use crate::web::i18n::Tr;
use crate::web::problem::AppError;

/// The roles that work on cases. Leaders see aggregate figures only.
pub const CASE_ROLES: [Role; 3] = [Role::TenantAdmin, Role::Caseworker, Role::Coordinator];

/// The cases assigned to the caller's staff member that the search finds, one page of them
/// (acute first unless another order is asked for). A key that acts for nobody has none. A search
/// with an unknown value is refused field by field, before anything is read.
pub async fn list_cases(
    db: &Db,
    caller: &Caller,
    request: CaseListRequest,
) -> Result<CaseList, AppError> {
    caller.require(&CASE_ROLES)?;
    let filter = CaseFilter::parse(&request)?;
    let caller = caller.clone();
    db.tenant(caller.tenant, move |conn| {
        let clock = TenantClock::load(conn)?;
        let (cases, total) = match case_user(&caller) {
            Some(user) => queries::find_cases(conn, caller.tenant, user, &filter, &clock)?,
            None => (Vec::new(), 0),
        };
        audit::record(
            conn,
            caller.tenant,
            caller
                .audit("case.list")
                .details(json!({ "count": cases.len(), "total": total })),
        )?;
        let per_page = i64::from(CaseFilter::PER_PAGE);
        let pages = u32::try_from(((total + per_page - 1) / per_page).max(1)).unwrap_or(u32::MAX);
        Ok::<_, AppError>(CaseList {
            cases,
            total,
            page: filter.page,
            pages,
        })
    })
    .await
}

/// The municipalities the service serves, for choosing a child's home municipality.
pub async fn municipalities(
    db: &Db,
    caller: &Caller,
) -> Result<Vec<crate::tenancy::Municipality>, AppError> {
    caller.require(&CASE_ROLES)?;
    db.tenant(caller.tenant, |conn| {
        Ok::<_, AppError>(crate::tenancy::load_municipalities(conn)?)
    })
    .await
}

/// Opens a case for a child, with the caller's staff member assigned to it and the 17½ reminder
/// written.
pub async fn create_case(
    db: &Db,
    caller: &Caller,
    request: NewCaseRequest,
) -> Result<CaseView, AppError> {
    caller.require(&CASE_ROLES)?;
    let creator = case_user(caller).ok_or(AppError::ActsForNobody)?;
    let caller = caller.clone();
    db.tenant(caller.tenant, move |conn| {
        let clock = TenantClock::load(conn)?;
        let new = NewCase::parse(&request, clock.now, clock.today)?;
        let id = lifecycle::open_case(conn, caller.tenant, creator, &new, &clock)?.id;
        let case = access::open_case(conn, &caller, id, Intent::Read)?;
        let view = queries::case_view(conn, caller.tenant, &case, &clock)?;
        audit::record(
            conn,
            caller.tenant,
            caller.audit("case.create").object("case", id),
        )?;
        Ok::<_, AppError>(view)
    })
    .await
}

/// The case with its current map, the child's words, the latest revision and the prompts.
pub async fn case_view(db: &Db, caller: &Caller, case_id: Uuid) -> Result<CaseView, AppError> {
    with_case(db, caller, case_id, Intent::Read, "case.read", |conn, c| {
        let view = queries::case_view(conn, c.tenant, &c.case, &c.clock)?;
        Ok((view, Audited::case(c.case.id)))
    })
    .await
}

/// The child as recorded, read as a read of the case.
pub async fn child(db: &Db, caller: &Caller, case_id: Uuid) -> Result<ChildView, AppError> {
    with_case(db, caller, case_id, Intent::Read, "case.read", |conn, c| {
        let child = queries::child(conn, c.tenant, c.case.child_id)?;
        Ok((child, Audited::case(c.case.id)))
    })
    .await
}

/// Changes the phase or the acute flag; closing cancels the reminders, reopening writes the 17½
/// reminder again.
pub async fn update_case(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
    request: CaseUpdateRequest,
) -> Result<CaseView, AppError> {
    with_case(
        db,
        caller,
        case_id,
        Intent::Write,
        "case.update",
        move |conn, c| {
            let update = CaseUpdate::parse(&request)?;
            let (case, audited) = lifecycle::update_case(conn, c, update)?;
            let view = queries::case_view(conn, c.tenant, &case, &c.clock)?;
            Ok((view, audited))
        },
    )
    .await
}

/// Replaces the child's details; a new birth date or year moves the 17½ reminder.
pub async fn update_child(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
    request: ChildRequest,
) -> Result<CaseView, AppError> {
    with_case(
        db,
        caller,
        case_id,
        Intent::Write,
        "case.child_update",
        move |conn, c| {
            let audited = lifecycle::update_child(conn, c, &request)?;
            let view = queries::case_view(conn, c.tenant, &c.case, &c.clock)?;
            Ok((view, audited))
        },
    )
    .await
}

/// Assigns a staff member to the case; assigning someone already assigned changes nothing.
pub async fn assign(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
    user_id: Uuid,
) -> Result<CaseView, AppError> {
    with_case(
        db,
        caller,
        case_id,
        Intent::Write,
        "case.assign",
        move |conn, c| {
            let added = queries::assign(conn, c.tenant, c.case.id, user_id, c.user)?;
            let view = queries::case_view(conn, c.tenant, &c.case, &c.clock)?;
            let audited =
                Audited::case(c.case.id).with(json!({ "user_id": user_id, "added": added }));
            Ok((view, audited))
        },
    )
    .await
}

/// What a leader sends to assign a case by its reference, optionally in place of someone.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ReassignRequest {
    /// The case's reference (the service's own number).
    #[serde(default)]
    #[schema(required, min_length = 1, max_length = 60)]
    pub reference: String,
    /// The staff member who takes the case: active, of the service, with a case role.
    pub user_id: Option<Uuid>,
    /// The staff member whose assignment ends, if any.
    pub instead_of: Option<Uuid>,
}

/// Who is assigned to a case after a leader's reassignment: ids only, no case data.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Reassigned {
    pub case_id: Uuid,
    pub reference: String,
    pub assigned: Vec<Uuid>,
}

/// A leader assigns a case, found by its reference, to a staff member, and may end someone
/// else's assignment in the same step, without opening the case. Someone outside the service,
/// inactive, or without a case role is a wrong `user_id`; an unknown reference a wrong
/// `reference`; nothing is written then. Audited as `case.reassign`.
pub async fn reassign(
    db: &Db,
    caller: &Caller,
    request: ReassignRequest,
) -> Result<Reassigned, AppError> {
    caller.require(&[Role::Leader])?;
    let reference = request.reference.trim().to_owned();
    let user_id = request
        .user_id
        .ok_or_else(|| AppError::field("user_id", "choose the staff member who takes the case"))?;
    let caller = caller.clone();
    db.tenant(caller.tenant, move |conn| {
        let case_id = queries::case_by_reference(conn, caller.tenant, &reference)?;
        reassign_in(conn, &caller, case_id, user_id, request.instead_of)?;
        let assigned = queries::assigned_staff(conn, caller.tenant, case_id)?
            .into_iter()
            .map(|s| s.user_id)
            .collect();
        Ok::<_, AppError>(Reassigned {
            case_id,
            reference,
            assigned,
        })
    })
    .await
}

/// The references of the open cases `user` alone is assigned to (`None` for a case without
/// one), for the admin who deactivates them: what must be handed over first. No case data.
pub fn sole_cases(
    conn: &mut diesel::PgConnection,
    tenant: crate::db::TenantId,
    user: Uuid,
) -> Result<Vec<Option<String>>, AppError> {
    Ok(queries::sole_open_cases(conn, tenant, user)?
        .into_iter()
        .map(|(_, reference)| reference)
        .collect())
}

/// Assigns every open case `from` alone is assigned to to `to` in place of `from`, in the
/// caller's transaction (a deactivation's), each audited as `case.reassign`. `to` must be active,
/// of the service and have a case role (else a wrong `user_id`). Returns how many cases moved.
pub fn hand_over(
    conn: &mut diesel::PgConnection,
    caller: &Caller,
    from: Uuid,
    to: Uuid,
) -> Result<usize, AppError> {
    if from == to {
        return Err(AppError::field(
            "user_id",
            "choose someone other than the person who leaves",
        ));
    }
    let cases = queries::sole_open_cases(conn, caller.tenant, from)?;
    for (case_id, _) in &cases {
        reassign_in(conn, caller, *case_id, to, Some(from))?;
    }
    Ok(cases.len())
}

/// Assigns `case_id` to `user_id`, ending `instead_of`'s assignment if given, in the caller's
/// transaction; audited as `case.reassign`.
fn reassign_in(
    conn: &mut diesel::PgConnection,
    caller: &Caller,
    case_id: Uuid,
    user_id: Uuid,
    instead_of: Option<Uuid>,
) -> Result<(), AppError> {
    let added = queries::assign(conn, caller.tenant, case_id, user_id, caller.user)?;
    if let Some(old) = instead_of.filter(|old| *old != user_id) {
        queries::unassign(conn, caller.tenant, case_id, old)?;
    }
    audit::record(
        conn,
        caller.tenant,
        caller
            .audit("case.reassign")
            .object("case", case_id)
            .details(json!({
                "user_id": user_id,
                "added": added,
                "instead_of": instead_of,
            })),
    )?;
    Ok(())
}

/// Ends a staff member's assignment; the last one cannot end.
pub async fn unassign(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
    user_id: Uuid,
) -> Result<(), AppError> {
    with_case(
        db,
        caller,
        case_id,
        Intent::Write,
        "case.unassign",
        move |conn, c| {
            queries::unassign(conn, c.tenant, c.case.id, user_id)?;
            Ok((
                (),
                Audited::case(c.case.id).with(json!({ "user_id": user_id })),
            ))
        },
    )
    .await
}

/// The persons on the current map, with the child's words about each.
pub async fn persons(db: &Db, caller: &Caller, case_id: Uuid) -> Result<Vec<PersonView>, AppError> {
    read_list(db, caller, case_id, "person.list", |conn, c| {
        queries::person_views(conn, c.tenant, c.case.id)
    })
    .await
}

/// Someone already on the child's map with `name` as a coordinator reads it
/// ([`rules::same_name`]): their id and name, so a form adding a new person can ask first. Read
/// and audited as the map is.
pub async fn likely_duplicate(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
    name: &str,
) -> Result<Option<(Uuid, String)>, AppError> {
    let same = persons(db, caller, case_id)
        .await?
        .into_iter()
        .find(|p| super::rules::same_name(&p.person.name, name));
    Ok(same.map(|p| (p.person.id, p.person.name)))
}

/// One person on the map, with the child's first name for the page that shows them.
pub async fn person(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
    person_id: Uuid,
) -> Result<(String, PersonView), AppError> {
    with_case(
        db,
        caller,
        case_id,
        Intent::Read,
        "person.read",
        move |conn, c| {
            let child = queries::child(conn, c.tenant, c.case.child_id)?;
            let person = queries::person_view(conn, c.tenant, c.case.id, person_id)?;
            Ok((
                (child.first_name, person),
                Audited::within("person", person_id, c.case.id),
            ))
        },
    )
    .await
}

/// Adds a person to the map (`person_id` is `None`) or replaces what is mapped about one, with
/// the child's words about them if given (added to those recorded, never replacing them).
pub async fn save_person(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
    person_id: Option<Uuid>,
    request: PersonRequest,
) -> Result<PersonView, AppError> {
    let action = if person_id.is_some() {
        "person.update"
    } else {
        "person.add"
    };
    with_case(
        db,
        caller,
        case_id,
        Intent::Write,
        action,
        move |conn, c| {
            let input = PersonInput::parse(&request, c.clock.now)?;
            let id = match person_id {
                Some(id) => {
                    queries::update_person(conn, c.tenant, c.case.id, id, &input.fields)?;
                    id
                }
                None => queries::insert_person(conn, c.tenant, c.case.id, &input.fields)?,
            };
            if let Some(words) = &input.words {
                queries::add_words(conn, c.tenant, c.case.id, id, words, c.user)?;
            }
            let view = queries::person_view(conn, c.tenant, c.case.id, id)?;
            let audited = Audited::within("person", id, c.case.id)
                .with(json!({ "with_child_words": input.words.is_some() }));
            Ok((view, audited))
        },
    )
    .await
}

/// Takes a person off the map; earlier revisions still show them.
pub async fn remove_person(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
    person_id: Uuid,
) -> Result<(), AppError> {
    with_case(
        db,
        caller,
        case_id,
        Intent::Write,
        "person.remove",
        move |conn, c| {
            queries::remove_person(conn, c.tenant, c.case.id, person_id)?;
            Ok(((), Audited::within("person", person_id, c.case.id)))
        },
    )
    .await
}

/// Records the child's words about a person, verbatim, with who wrote them down.
pub async fn add_words(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
    person_id: Uuid,
    request: WordsRequest,
) -> Result<PersonView, AppError> {
    with_case(
        db,
        caller,
        case_id,
        Intent::Write,
        "person.words_add",
        move |conn, c| {
            let words = ChildWords::parse(&request, c.clock.now)?;
            let words_id =
                queries::add_words(conn, c.tenant, c.case.id, person_id, &words, c.user)?;
            let view = queries::person_view(conn, c.tenant, c.case.id, person_id)?;
            let audited = Audited::within("person", person_id, c.case.id)
                .with(json!({ "words_id": words_id, "author": words.author }));
            Ok((view, audited))
        },
    )
    .await
}

/// The map's revisions, oldest first, without their persons.
pub async fn revision_list(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
) -> Result<Vec<RevisionSummary>, AppError> {
    read_list(db, caller, case_id, "revision.list", |conn, c| {
        let revisions = queries::revisions(conn, c.tenant, c.case.id)?;
        Ok(revisions.into_iter().map(|r| r.summary).collect())
    })
    .await
}

/// The history of the map: the child's first name, every revision with its persons, and the
/// current map.
pub async fn history(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
) -> Result<(String, Vec<RevisionView>, Vec<MapPerson>), AppError> {
    with_case(
        db,
        caller,
        case_id,
        Intent::Read,
        "revision.list",
        |conn, c| {
            let child = queries::child(conn, c.tenant, c.case.child_id)?;
            let revisions = queries::revisions(conn, c.tenant, c.case.id)?;
            let current = queries::persons(conn, c.tenant, c.case.id)?;
            let audited = Audited::case(c.case.id).with(json!({ "count": revisions.len() }));
            Ok(((child.first_name, revisions, current), audited))
        },
    )
    .await
}

/// Saves the current map as a new revision and replaces the case's review reminder with one due
/// the service's `map_review_months` after the revision's date.
pub async fn create_revision(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
    request: RevisionRequest,
) -> Result<RevisionView, AppError> {
    with_case(
        db,
        caller,
        case_id,
        Intent::Write,
        "revision.create",
        move |conn, c| {
            let new = NewRevision::parse(&request, c.clock.today)?;
            let revision = queries::insert_revision(conn, c.tenant, &c.case, &new, c.user)?;
            if revision.summary.phase != Phase::Closed {
                reminders::schedule_review(
                    conn,
                    c.tenant,
                    c.case.id,
                    revision.summary.revised_on,
                    &c.clock,
                )?;
            }
            let audited = Audited::case(c.case.id).with(json!({
                "revision": revision.summary.number,
                "child_participated": revision.summary.child_participated,
            }));
            Ok((revision, audited))
        },
    )
    .await
}

/// One revision with the map as it stood then.
pub async fn revision(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
    number: i32,
) -> Result<RevisionView, AppError> {
    with_case(
        db,
        caller,
        case_id,
        Intent::Read,
        "revision.read",
        move |conn, c| {
            let view = queries::revision(conn, c.tenant, c.case.id, number)?;
            Ok((
                view,
                Audited::case(c.case.id).with(json!({ "revision": number })),
            ))
        },
    )
    .await
}

/// Who was added, removed or changed between revision `from` and `to`, or since `from`.
pub async fn changes(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
    from: i32,
    to: Option<i32>,
) -> Result<DiffView, AppError> {
    with_case(
        db,
        caller,
        case_id,
        Intent::Read,
        "revision.diff",
        move |conn, c| {
            let earlier = queries::revision(conn, c.tenant, c.case.id, from)?;
            let later = match to {
                Some(n) => queries::revision(conn, c.tenant, c.case.id, n)?.persons,
                None => queries::persons(conn, c.tenant, c.case.id)?,
            };
            let view = DiffView {
                from,
                to,
                diff: diff(&earlier.persons, &later),
            };
            let audited = Audited::case(c.case.id).with(json!({ "from": from, "to": to }));
            Ok((view, audited))
        },
    )
    .await
}

/// What the map needs now: the prompts the case page shows.
pub async fn prompts(db: &Db, caller: &Caller, case_id: Uuid) -> Result<Vec<Prompt>, AppError> {
    with_case(
        db,
        caller,
        case_id,
        Intent::Read,
        "case.prompts",
        |conn, c| {
            let child = queries::child(conn, c.tenant, c.case.child_id)?;
            let persons = queries::persons(conn, c.tenant, c.case.id)?;
            let latest = queries::latest_revision(conn, c.tenant, c.case.id)?;
            let prompts =
                queries::prompts_for(&c.case, &child, &persons, latest.as_ref(), &c.clock)?;
            Ok((prompts, Audited::case(c.case.id)))
        },
    )
    .await
}

/// The case's costly measures and the network checks made before them.
pub async fn measures(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
) -> Result<Vec<MeasureView>, AppError> {
    read_list(db, caller, case_id, "measure.list", |conn, c| {
        queries::measures(conn, c.tenant, c.case.id)
    })
    .await
}

/// What the network check form shows: the child's first name, the measure and the map.
pub async fn check_form(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
    measure_id: Uuid,
) -> Result<(String, MeasureView, Vec<MapPerson>), AppError> {
    with_case(
        db,
        caller,
        case_id,
        Intent::Read,
        "measure.read",
        move |conn, c| {
            let child = queries::child(conn, c.tenant, c.case.child_id)?;
            let measure = queries::measure(conn, c.tenant, c.case.id, measure_id)?;
            let persons = queries::persons(conn, c.tenant, c.case.id)?;
            Ok((
                (child.first_name, measure, persons),
                Audited::within("measure", measure_id, c.case.id),
            ))
        },
    )
    .await
}

/// Proposes a costly measure; it can be decided only after the network check.
pub async fn propose_measure(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
    request: MeasureRequest,
) -> Result<MeasureView, AppError> {
    with_case(
        db,
        caller,
        case_id,
        Intent::Write,
        "measure.propose",
        move |conn, c| {
            let new = NewMeasure::parse(&request)?;
            let measure = queries::insert_measure(conn, c.tenant, c.case.id, &new, c.user)?;
            let view = queries::measure(conn, c.tenant, c.case.id, measure)?;
            let audited =
                Audited::within("measure", measure, c.case.id).with(json!({ "kind": new.kind }));
            Ok((view, audited))
        },
    )
    .await
}

/// Records a network check or a written justification for a proposed measure.
pub async fn record_check(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
    measure_id: Uuid,
    request: NetworkCheckRequest,
) -> Result<MeasureView, AppError> {
    let action = match CheckKind::parse(&request.kind) {
        Ok(CheckKind::Justification) => "measure.justification",
        _ => "measure.network_check",
    };
    with_case(
        db,
        caller,
        case_id,
        Intent::Write,
        action,
        move |conn, c| {
            let measure = queries::measure(conn, c.tenant, c.case.id, measure_id)?;
            let check = NewCheck::parse(&request, c.clock.today)?;
            let check_id =
                queries::insert_check(conn, c.tenant, c.case.id, &measure, &check, c.user)?;
            let view = queries::measure(conn, c.tenant, c.case.id, measure_id)?;
            let audited = Audited::within("measure", measure_id, c.case.id)
                .with(json!({ "check_id": check_id, "kind": check.kind() }));
            Ok((view, audited))
        },
    )
    .await
}

/// Marks a proposed measure decided: refused until the network is checked or a justification is
/// written.
pub async fn decide_measure(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
    measure_id: Uuid,
) -> Result<MeasureView, AppError> {
    with_case(
        db,
        caller,
        case_id,
        Intent::Write,
        "measure.decide",
        move |conn, c| {
            let measure = queries::measure(conn, c.tenant, c.case.id, measure_id)?;
            queries::decide_measure(conn, c.tenant, &measure, c.user)?;
            let view = queries::measure(conn, c.tenant, c.case.id, measure_id)?;
            Ok((view, Audited::within("measure", measure_id, c.case.id)))
        },
    )
    .await
}

/// Withdraws a proposed measure.
pub async fn withdraw_measure(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
    measure_id: Uuid,
) -> Result<MeasureView, AppError> {
    with_case(
        db,
        caller,
        case_id,
        Intent::Write,
        "measure.withdraw",
        move |conn, c| {
            let measure = queries::measure(conn, c.tenant, c.case.id, measure_id)?;
            queries::withdraw_measure(conn, c.tenant, &measure)?;
            let view = queries::measure(conn, c.tenant, c.case.id, measure_id)?;
            Ok((view, Audited::within("measure", measure_id, c.case.id)))
        },
    )
    .await
}

/// Who on the map can step in at short notice, closest first, with the service's today.
pub async fn acute_list(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
) -> Result<(AcuteList, chrono::NaiveDate), AppError> {
    with_case(
        db,
        caller,
        case_id,
        Intent::Read,
        "case.acute_list",
        |conn, c| {
            let list = queries::acute_list(conn, c.tenant, &c.case)?;
            let audited = Audited::case(c.case.id).with(json!({ "count": list.persons.len() }));
            Ok(((list, c.clock.today), audited))
        },
    )
    .await
}

/// The eco-map of the current map or of a revision, in the reader's language.
pub async fn map_picture(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
    which: Which,
    download: bool,
    tr: Tr,
) -> Result<Picture, AppError> {
    let revision = match which {
        Which::Current => None,
        Which::Revision(n) => Some(n),
    };
    with_case(
        db,
        caller,
        case_id,
        Intent::Read,
        "case.map",
        move |conn, c| {
            let picture = picture::draw(conn, c.tenant, &c.case, which, &c.clock, &tr)?;
            let audited = Audited::case(c.case.id)
                .with(json!({ "revision": revision, "download": download }));
            Ok((picture, audited))
        },
    )
    .await
}

/// What the case page shows: the case, its eco-map, its councils (from `sections`), its costly
/// measures and the service's staff, audited as a read of the case.
pub async fn case_page(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
    sections: CasePageSections,
    tr: Tr,
) -> Result<CasePageView, AppError> {
    with_case(
        db,
        caller,
        case_id,
        Intent::Read,
        "case.read",
        move |conn, c| {
            let (view, latest) = queries::case_view_with_latest(conn, c.tenant, &c.case, &c.clock)?;
            let persons: Vec<_> = view.persons.iter().map(|p| p.person.clone()).collect();
            let svg = picture::current(
                &view.child.first_name,
                &persons,
                latest.as_ref(),
                &c.clock,
                &tr,
            )
            .svg;
            let data = CasePageView {
                case: view,
                svg,
                councils: (sections.councils)(conn, c.tenant, c.case.id, tr.lang())?,
                measures: queries::measures(conn, c.tenant, c.case.id)?,
                staff: queries::case_staff(conn, c.tenant)?,
                openings: (sections.openings)(conn, c.tenant, c.case.id)?,
                tz: c.clock.tz,
            };
            Ok((data, Audited::case(c.case.id)))
        },
    )
    .await
}
