//! One function per use case of a measure's registration. The staff's read and save open the
//! case through [`crate::cases::access::with_case`] (only staff assigned to the case), so each is
//! checked and audited in one transaction. What Tillit knows is asked of its owners — the
//! council and its team of `councils`, the plan and its evaluation of `plans`, the case and its
//! map of `cases` — never read from their tables here.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use diesel::PgConnection;
use serde_json::json;
use uuid::Uuid;

use super::domain::{Answers, parse_answers, questions};
use super::queries;
use super::rules::{self, EvaluationFacts, Facts};
use super::views::{ExportRow, RegistrationExport, RegistrationView};
use crate::access::Caller;
use crate::cases::access::{Audited, Intent, with_case};
use crate::cases::categories::NetworkSide;
use crate::cases::domain::WordsAuthor;
use crate::cases::queries::CaseRow;
use crate::councils::domain::{ConsentGiver, CouncilKind, MeetingRole};
use crate::councils::queries::Council;
use crate::councils::views::RegistrationPrompt;
use crate::db::{Db, TenantId};
use crate::tenancy::settings::ServiceSettings;
use crate::web::posted::Fields;
use crate::web::problem::AppError;

/// What Tillit holds about the measure `council` of `case`, asked of its owners.
fn facts(
    conn: &mut PgConnection,
    tenant: TenantId,
    case: &CaseRow,
    council: &Council,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<Facts, AppError> {
    let parts = crate::councils::queries::parts(conn, council.id)?;
    let map = crate::cases::queries::persons(conn, tenant, case.id)?;
    let mut other_services = Vec::new();
    for p in &parts.participants {
        // The service's own staff are not "other services".
        if p.side != NetworkSide::Public || p.user_id.is_some() {
            continue;
        }
        if let Some(person) = p.person_id.and_then(|id| map.iter().find(|m| m.id == id))
            && !other_services.contains(&person.category)
        {
            other_services.push(person.category);
        }
    }
    let responsibility_group = crate::councils::queries::councils_of_case(conn, tenant, case.id)?
        .iter()
        .any(|c| c.kind == CouncilKind::ResponsibilityGroup);
    let plan = crate::plans::queries::find_plan(conn, council.id, false)?;
    let (approved_on, goals, evaluation) = match &plan {
        None => (None, Vec::new(), None),
        Some(plan) => {
            let goals = crate::plans::queries::goals(conn, plan.id)?
                .into_iter()
                .map(|g| g.text)
                .collect();
            let follow_ups = crate::plans::queries::follow_ups(conn, plan.id)?;
            let evaluation = crate::plans::queries::evaluations(conn, plan.id)?
                .pop()
                .map(|e| EvaluationFacts {
                    held_on: e.held_on,
                    took_part: e.took_part,
                    way: e
                        .follow_up_id
                        .and_then(|f| follow_ups.iter().find(|x| x.id == f))
                        .map(|f| f.way)
                        .or(plan.evaluation_way),
                    results: e.goals.iter().map(|g| g.result).collect(),
                });
            let approved = plan.approved_at.map(|at| crate::time::local_date(at, tz));
            (approved, goals, evaluation)
        }
    };
    Ok(Facts {
        kind: council.kind,
        case_opened_on: crate::time::local_date(case.opened_at, tz),
        began_on: crate::time::local_date(council.created_at, tz),
        held: parts
            .meetings
            .iter()
            .any(|m| !m.cancelled() && m.starts_at.is_some_and(|s| s <= now)),
        interpreter_on_team: parts
            .participants
            .iter()
            .any(|p| p.meeting_role == MeetingRole::Interpreter),
        child_took_part: parts.participants.iter().any(|p| p.chosen_by_child)
            || parts.texts.iter().any(|t| t.author == WordsAuthor::Child),
        child_consented: parts
            .consents
            .iter()
            .any(|c| c.given_by == ConsentGiver::Child && c.withdrawn_at.is_none()),
        other_services,
        responsibility_group,
        approved_on,
        goals,
        evaluation,
    })
}

/// The registration of `council`, as it stands.
fn view(
    conn: &mut PgConnection,
    tenant: TenantId,
    case: &CaseRow,
    council: &Council,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<RegistrationView, AppError> {
    let facts = facts(conn, tenant, case, council, tz, now)?;
    let kept = queries::registration(conn, council.id)?;
    let answers = kept.as_ref().map(|k| k.answers.clone()).unwrap_or_default();
    let standings = rules::standings(&facts, &answers);
    Ok(RegistrationView {
        case_id: case.id,
        council_id: council.id,
        kind: council.kind,
        held: facts.held,
        complete: rules::complete(&standings),
        open: standings.iter().filter(|s| s.open()).count(),
        standings,
        updated_on: kept
            .as_ref()
            .map(|k| crate::time::local_date(k.updated_at, tz)),
        updated_at: kept.map(|k| k.updated_at),
    })
}

/// The council of the case, if it is a network measure; 404 for any other.
fn measure(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
    council_id: Uuid,
    lock: bool,
) -> Result<Council, AppError> {
    let council = crate::councils::queries::council(conn, tenant, case_id, council_id, lock)?;
    if !rules::is_network_measure(council.kind) {
        return Err(AppError::NotFound);
    }
    Ok(council)
}

/// The registration of a measure for the staff assigned to its case.
pub async fn read(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
) -> Result<RegistrationView, AppError> {
    with_case(
        db,
        caller,
        case_id,
        Intent::Read,
        "registration.read",
        move |conn, c| {
            let council = measure(conn, c.tenant, c.case.id, council_id, false)?;
            let view = view(conn, c.tenant, &c.case, &council, c.clock.tz, c.clock.now)?;
            Ok((view, Audited::within("council", council_id, c.case.id)))
        },
    )
    .await
}

/// Saves the answers `posted` to the questions the form asks (a blank one clears its answer);
/// every wrong answer is named at its field and nothing is kept.
pub async fn save(
    db: &Db,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    posted: Fields,
) -> Result<RegistrationView, AppError> {
    with_case(
        db,
        caller,
        case_id,
        Intent::Write,
        "registration.save",
        move |conn, c| {
            let by = c.user.ok_or(AppError::ActsForNobody)?;
            let council = measure(conn, c.tenant, c.case.id, council_id, true)?;
            let facts = facts(conn, c.tenant, &c.case, &council, c.clock.tz, c.clock.now)?;
            let kept = queries::registration(conn, council.id)?
                .map(|k| k.answers)
                .unwrap_or_default();
            let asked = rules::asked_codes(&rules::standings(&facts, &kept));
            let given = parse_answers(&posted, &asked, c.clock.today)?;
            let mut merged = kept;
            merged.0.retain(|code, _| !asked.contains(&code.as_str()));
            merged.0.extend(given.0);
            // Only answers to questions still asked are kept.
            let standings = rules::standings(&facts, &merged);
            merged.0.retain(|code, _| {
                standings
                    .iter()
                    .any(|s| s.question.code == code && s.asked && s.known.is_none())
            });
            queries::save(conn, c.tenant, c.case.id, council.id, &merged, by)?;
            let view = view(conn, c.tenant, &c.case, &council, c.clock.tz, c.clock.now)?;
            let audited = Audited::within("council", council_id, c.case.id)
                .with(json!({ "answered": merged.0.len(), "complete": view.complete }));
            Ok((view, audited))
        },
    )
    .await
}

/// Where the registration of council `council_id` stands, for the council page (read within
/// that page's own audited opening of the case); `None` for a council that is no network
/// measure.
pub fn status(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
    council_id: Uuid,
) -> Result<Option<RegistrationPrompt>, AppError> {
    let council = crate::councils::queries::council(conn, tenant, case_id, council_id, false)?;
    if !rules::is_network_measure(council.kind) {
        return Ok(None);
    }
    let case = crate::cases::queries::case_row(conn, tenant, case_id)?;
    let tz = ServiceSettings::load(conn)?.tz;
    let v = view(conn, tenant, &case, &council, tz, Utc::now())?;
    Ok(Some(RegistrationPrompt {
        held: v.held,
        complete: v.complete,
        open: v.open,
    }))
}

/// A code as the export gives it: a decision's day as its month.
fn exported(code: &str, values: &[String]) -> Vec<String> {
    match code {
        "decision_on" => values
            .iter()
            .map(|d| d.get(..7).unwrap_or(d).to_owned())
            .collect(),
        _ => values.to_vec(),
    }
}

/// The registrations of the network measures begun in `year`, one row per measure with a row
/// number of its own: no name, no id, no free text (the goals' words and who took part in the
/// evaluation stay on the case's page). For the leader's figures, inside their audited read.
pub fn export(
    conn: &mut PgConnection,
    tenant: TenantId,
    year: i32,
    tz: Tz,
) -> Result<RegistrationExport, AppError> {
    let now = Utc::now();
    let councils: Vec<Council> =
        crate::councils::queries::councils_begun_in(conn, year, tz.name())?
            .into_iter()
            .filter(|c| rules::is_network_measure(c.kind))
            .collect();
    let ids: Vec<Uuid> = councils.iter().map(|c| c.id).collect();
    let kept = queries::registrations(conn, &ids)?;
    let mut rows = Vec::with_capacity(councils.len());
    for (number, council) in (1..).zip(&councils) {
        let case = crate::cases::queries::case_row(conn, tenant, council.case_id)?;
        let facts = facts(conn, tenant, &case, council, tz, now)?;
        let answers = kept
            .iter()
            .find(|(id, _)| *id == council.id)
            .map(|(_, a)| a.clone())
            .unwrap_or_else(Answers::default);
        let standings = rules::standings(&facts, &answers);
        rows.push(ExportRow {
            number,
            municipality: case.municipality.clone().unwrap_or_default(),
            kind: council.kind,
            complete: rules::complete(&standings),
            answers: standings
                .iter()
                .map(|s| {
                    let code = s.question.code;
                    let values = if s.asked { s.codes() } else { &[] };
                    (code.to_owned(), exported(code, values))
                })
                .collect(),
        });
    }
    Ok(RegistrationExport {
        year,
        questions: questions().map(|q| q.code.to_owned()).collect(),
        rows,
    })
}
