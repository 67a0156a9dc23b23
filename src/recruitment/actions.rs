//! One function per use case of foster-home recruitment. Staff actions open the case through
//! [`crate::cases::access::with_recruitment_case`] (the case's staff and the foster care officers
//! assigned to it), so every read and write is checked and audited in one transaction; the
//! candidate's actions run in the tenant their link belongs to, audited as the candidate.

use diesel::PgConnection;
use serde_json::json;
use uuid::Uuid;

use super::domain::{
    Answer, CandidateRequest, Decision, NewCandidate, ReferralRequest, SelfInformation, Step,
    StepRequest,
};
use super::links::{self, Which};
use super::queries::{self, RecruitmentRow};
use super::rules::{self, may_answer};
use super::views::{FormView, OwnView, RecruitmentView};
use crate::access::{Caller, Role};
use crate::audit::{self, Actor, AuditEntry};
use crate::cases::access::{Audited, CaseCtx, Intent, with_recruitment_case};
use crate::cases::domain::PersonInput;
use crate::db::TenantId;
use crate::tokens::{CandidateLink, LinkToken};
use crate::web::AppState;
use crate::web::problem::AppError;
use crate::web::problem::FieldError;
use crate::web::refusal::Refusal;

/// Who refers and decides: the child welfare service's own staff.
const SERVICE_ROLES: [Role; 3] = [Role::TenantAdmin, Role::Caseworker, Role::Coordinator];

fn names(conn: &mut PgConnection, c: &CaseCtx) -> Result<Vec<(Uuid, String)>, AppError> {
    Ok(crate::cases::queries::persons(conn, c.tenant, c.case.id)?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect())
}

fn view_of(
    conn: &mut PgConnection,
    c: &CaseCtx,
    row: &RecruitmentRow,
) -> Result<RecruitmentView, AppError> {
    let names = names(conn, c)?;
    queries::view(conn, row, &names)
}

/// The caseworker refers the case to the foster care service.
pub async fn refer(
    state: &AppState,
    caller: &Caller,
    case_id: Uuid,
    req: ReferralRequest,
) -> Result<RecruitmentView, AppError> {
    caller.require(&SERVICE_ROLES)?;
    let new = req.parse()?;
    with_recruitment_case(
        &state.db,
        caller,
        case_id,
        Intent::Write,
        "recruitment.refer",
        move |conn, c| {
            for row in queries::recruitments_of_case(conn, c.tenant, c.case.id)? {
                if row.state != Step::Intake.as_str() {
                    return Err(
                        Refusal::RecruitmentOpen.because("the case has an open recruitment")
                    );
                }
            }
            let by = c.user.ok_or(AppError::ActsForNobody)?;
            let id = queries::insert_recruitment(conn, c.tenant, c.case.id, &new, by)?;
            queries::insert_step(
                conn,
                c.tenant,
                id,
                Step::Referral,
                None,
                c.clock.today,
                Some(by),
                None,
            )?;
            let row = queries::recruitment(conn, c.tenant, c.case.id, id, false)?;
            let view = view_of(conn, c, &row)?;
            Ok((view, Audited::within("recruitment", id, c.case.id)))
        },
    )
    .await
}

pub async fn list(
    state: &AppState,
    caller: &Caller,
    case_id: Uuid,
) -> Result<Vec<RecruitmentView>, AppError> {
    with_recruitment_case(
        &state.db,
        caller,
        case_id,
        Intent::Read,
        "recruitment.list",
        |conn, c| {
            let rows = queries::recruitments_of_case(conn, c.tenant, c.case.id)?;
            let names = names(conn, c)?;
            let views = rows
                .iter()
                .map(|r| queries::view(conn, r, &names))
                .collect::<Result<Vec<_>, _>>()?;
            let audited = Audited::case(c.case.id).with(json!({ "count": views.len() }));
            Ok((views, audited))
        },
    )
    .await
}

pub async fn read(
    state: &AppState,
    caller: &Caller,
    case_id: Uuid,
    id: Uuid,
) -> Result<RecruitmentView, AppError> {
    with_recruitment_case(
        &state.db,
        caller,
        case_id,
        Intent::Read,
        "recruitment.read",
        move |conn, c| {
            let row = queries::recruitment(conn, c.tenant, c.case.id, id, false)?;
            let view = view_of(conn, c, &row)?;
            Ok((view, Audited::within("recruitment", id, c.case.id)))
        },
    )
    .await
}

/// What the staff's page of a recruitment shows: the recruitment, the persons of the map who
/// may be ranked, and the case's family group conferences the conference step links to.
pub struct PageData {
    pub view: RecruitmentView,
    /// (id, name) of every person on the case's map.
    pub persons: Vec<(Uuid, String)>,
    pub conferences: Vec<crate::councils::views::CouncilSummary>,
}

/// The recruitment as its staff page shows it, audited as a read of the recruitment.
pub async fn read_page(
    state: &AppState,
    caller: &Caller,
    case_id: Uuid,
    id: Uuid,
) -> Result<PageData, AppError> {
    with_recruitment_case(
        &state.db,
        caller,
        case_id,
        Intent::Read,
        "recruitment.read",
        move |conn, c| {
            let row = queries::recruitment(conn, c.tenant, c.case.id, id, false)?;
            let persons = names(conn, c)?;
            let view = queries::view(conn, &row, &persons)?;
            let conferences =
                crate::councils::queries::councils_of_case(conn, c.tenant, c.case.id)?
                    .into_iter()
                    .filter(|k| {
                        k.kind == crate::councils::domain::CouncilKind::FamilyGroupConference
                    })
                    .collect();
            let audited =
                Audited::within("recruitment", id, c.case.id).with(json!({ "page": true }));
            Ok((
                PageData {
                    view,
                    persons,
                    conferences,
                },
                audited,
            ))
        },
    )
    .await
}

/// Whether the caller is of the service that refers and decides (not the foster care service).
pub fn decides(caller: &Caller) -> bool {
    SERVICE_ROLES.contains(&caller.role)
}

/// Records a step of the flow done, with its day and who did it.
pub async fn record_step(
    state: &AppState,
    caller: &Caller,
    case_id: Uuid,
    id: Uuid,
    req: StepRequest,
) -> Result<RecruitmentView, AppError> {
    let new = req.parse()?;
    if new.step == Step::Decision {
        caller.require(&SERVICE_ROLES)?;
    }
    let tenant = caller.tenant;
    with_recruitment_case(
        &state.db,
        caller,
        case_id,
        Intent::Write,
        "recruitment.step",
        move |conn, c| {
            let row = queries::recruitment(conn, c.tenant, c.case.id, id, true)?;
            let (facts, _, candidates) = queries::facts(conn, row.id)?;
            facts.require(new.step)?;
            let on = new.done_on.unwrap_or(c.clock.today);
            let mut candidate = None;
            match new.step {
                Step::FgcMeeting => {
                    let council = new.council_id.unwrap_or_default();
                    let fgc =
                        crate::councils::queries::councils_of_case(conn, c.tenant, c.case.id)?
                            .into_iter()
                            .any(|k| {
                                k.id == council
                            && k.kind == crate::councils::domain::CouncilKind::FamilyGroupConference
                            });
                    if !fgc {
                        return Err(Refusal::NotFamilyGroupConference
                            .because("the council is not a family group conference of this case"));
                    }
                }
                Step::Interviews | Step::Matching | Step::Decision => {
                    let current = facts.current().map(|c| c.id);
                    candidate = current;
                    if let (Step::Decision, Some(cand), Some(decision)) =
                        (new.step, current, new.decision)
                    {
                        queries::set_decision(
                            conn,
                            cand,
                            decision,
                            new.note.as_deref().unwrap_or_default(),
                        )?;
                    }
                }
                _ => {}
            }
            queries::insert_step(
                conn,
                c.tenant,
                row.id,
                new.step,
                candidate,
                on,
                c.user,
                new.note.as_deref(),
            )?;
            if let (Step::Matching, Some(cand)) = (new.step, candidate) {
                super::schedule::after_matching(conn, c.tenant, cand)?;
            }
            if candidate.is_none() {
                let council = (new.step == Step::FgcMeeting)
                    .then_some(new.council_id)
                    .flatten();
                queries::set_state(conn, row.id, new.step, council)?;
            }
            if new.step == Step::FamilyPlan {
                for cand in &candidates {
                    links::send_now(conn, tenant, cand.id, Which::Ask)?;
                }
            }
            let after = queries::recruitment(conn, c.tenant, c.case.id, id, false)?;
            let view = view_of(conn, c, &after)?;
            let details = json!({ "step": new.step.as_str(), "candidate_id": candidate,
            "decision": new.decision.map(Decision::as_str) });
            Ok((
                view,
                Audited::within("recruitment", id, c.case.id).with(details),
            ))
        },
    )
    .await
}

/// Adds a candidate home to the family's plan at the next rank: one or two persons of the map.
pub async fn add_candidate(
    state: &AppState,
    caller: &Caller,
    case_id: Uuid,
    id: Uuid,
    req: CandidateRequest,
) -> Result<RecruitmentView, AppError> {
    let NewCandidate {
        person_ids,
        new_person,
    } = req.parse()?;
    let key = state.settings.token_key();
    with_recruitment_case(
        &state.db,
        caller,
        case_id,
        Intent::Write,
        "recruitment.candidate.add",
        move |conn, c| {
            let row = queries::recruitment(conn, c.tenant, c.case.id, id, true)?;
            let on_map = crate::cases::queries::persons(conn, c.tenant, c.case.id)?;
            if person_ids
                .iter()
                .any(|p| !on_map.iter().any(|m| m.id == *p))
            {
                return Err(AppError::field(
                    "person_ids",
                    "no person of this case's map has that id",
                ));
            }
            let (facts, _, _) = queries::facts(conn, row.id)?;
            let ranked: Vec<Uuid> = queries::ranked_persons(conn, row.id)?
                .into_iter()
                .map(|(_, p)| p)
                .collect();
            facts.may_add_candidate(&person_ids, &ranked)?;
            let mut persons = person_ids;
            // A person new to the map joins it, and the home, in the same transaction.
            let joined = match &new_person {
                None => None,
                Some(req) => {
                    let input = PersonInput::parse(req, c.clock.now).map_err(|e| match e {
                        AppError::Validation(fields) => AppError::Validation(
                            fields
                                .into_iter()
                                .map(|f| {
                                    FieldError::new(format!("new_person.{}", f.field), f.message)
                                })
                                .collect(),
                        ),
                        other => other,
                    })?;
                    let person = crate::cases::queries::insert_person(
                        conn,
                        c.tenant,
                        c.case.id,
                        &input.fields,
                    )?;
                    persons.push(person);
                    Some(person)
                }
            };
            let candidate = Uuid::new_v4();
            let token = LinkToken::<CandidateLink>::derive(&key, candidate);
            let rank = queries::insert_candidate(
                conn,
                c.tenant,
                &row,
                candidate,
                &token.hash(),
                &persons,
            )?;
            if facts.is_done(Step::FamilyPlan) {
                links::send_now(conn, c.tenant, candidate, Which::Ask)?;
            }
            let view = view_of(conn, c, &row)?;
            Ok((
                view,
                Audited::within("recruitment", id, c.case.id).with(
                    json!({ "candidate_id": candidate, "rank": rank, "new_person_id": joined }),
                ),
            ))
        },
    )
    .await
}

/// A candidate's self-information form, read by the case's staff or the assigned foster care
/// officer; every read is audited.
pub async fn read_form(
    state: &AppState,
    caller: &Caller,
    case_id: Uuid,
    id: Uuid,
    candidate: Uuid,
) -> Result<FormView, AppError> {
    with_recruitment_case(
        &state.db,
        caller,
        case_id,
        Intent::Read,
        "recruitment.form.read",
        move |conn, c| {
            let row = queries::recruitment(conn, c.tenant, c.case.id, id, false)?;
            let cand = queries::candidate(conn, candidate, false)?
                .filter(|k| k.recruitment_id == row.id)
                .ok_or(AppError::NotFound)?;
            let form = queries::form(conn, cand.id, false)?.ok_or(AppError::NotFound)?;
            let view = queries::form_view(conn, &form)?;
            Ok((
                view,
                Audited::within("recruitment_candidate", cand.id, c.case.id),
            ))
        },
    )
    .await
}

/// Which candidate a link belongs to, across services.
pub async fn lookup(state: &AppState, token: &str) -> Result<Option<(TenantId, Uuid)>, AppError> {
    let Some(token) = LinkToken::<CandidateLink>::parse(token) else {
        return Ok(None);
    };
    Ok(token.lookup(&state.db).await?)
}

/// What the candidate does through their link.
pub enum LinkAction {
    Read,
    Answer(Answer),
    Save(SelfInformation),
    Submit(SelfInformation),
}

/// The candidate's own view through their link: reads and writes in the link's tenant, audited
/// as the candidate. `None`: the link is unknown (the neutral page).
pub async fn through_link(
    state: &AppState,
    token: &str,
    action: LinkAction,
) -> Result<Option<OwnView>, AppError> {
    let Some((tenant, candidate)) = lookup(state, token).await? else {
        return Ok(None);
    };
    state
        .db
        .tenant(tenant, move |conn| {
            let write = !matches!(action, LinkAction::Read);
            let Some(cand) = queries::candidate(conn, candidate, write)? else {
                return Ok(None);
            };
            let (facts, _, _) = queries::facts(conn, cand.recruitment_id)?;
            let Some(me) = facts.candidates.iter().find(|k| k.id == cand.id).cloned() else {
                return Ok(None);
            };
            let audit_action = match &action {
                LinkAction::Read => "recruitment.link.read",
                LinkAction::Answer(_) => "recruitment.link.answer",
                LinkAction::Save(_) => "recruitment.link.form_save",
                LinkAction::Submit(_) => "recruitment.link.form_submit",
            };
            let today = crate::cases::queries::TenantClock::load(conn)?.today;
            // Sending the same answer or the form again (a double click, a second tab) is done
            // already: nothing is written, and the home hears so.
            let mut already = false;
            match action {
                LinkAction::Read => {}
                LinkAction::Answer(answer) if me.answer == Some(answer) => {
                    may_answer(&me)?;
                    already = true;
                }
                LinkAction::Answer(answer) => {
                    may_answer(&me)?;
                    queries::set_answer(conn, cand.id, answer)?;
                    queries::insert_step(
                        conn,
                        tenant,
                        cand.recruitment_id,
                        Step::Answer,
                        Some(cand.id),
                        today,
                        None,
                        Some(answer.as_str()),
                    )?;
                    if matches!(answer, Answer::Yes | Answer::Maybe)
                        && queries::open_form(conn, tenant, cand.recruitment_id, cand.id)?
                    {
                        let (days, _) = crate::tenancy::settings::self_information_reminders(conn)?;
                        links::send_now(conn, tenant, cand.id, Which::Form)?;
                        links::schedule_reminder(conn, tenant, cand.id, days)?;
                    }
                }
                LinkAction::Save(content) => {
                    let form = queries::form(conn, cand.id, true)?.ok_or(AppError::NotFound)?;
                    rules::may_change_form(form.submitted_at.is_some())?;
                    queries::save_form(conn, cand.id, &content)?;
                }
                LinkAction::Submit(_)
                    if queries::form(conn, cand.id, true)?
                        .is_some_and(|f| f.submitted_at.is_some()) =>
                {
                    already = true;
                }
                LinkAction::Submit(content) => {
                    let form = queries::form(conn, cand.id, true)?.ok_or(AppError::NotFound)?;
                    rules::may_change_form(form.submitted_at.is_some())?;
                    rules::may_submit(&content.missing())?;
                    queries::submit_form(conn, tenant, cand.id, &content)?;
                    queries::insert_step(
                        conn,
                        tenant,
                        cand.recruitment_id,
                        Step::SelfInformation,
                        Some(cand.id),
                        today,
                        None,
                        None,
                    )?;
                    links::cancel_reminders(conn, tenant, cand.id)?;
                    super::schedule::after_submission(conn, tenant, cand.id)?;
                }
            }
            let after = queries::candidate(conn, cand.id, false)?.ok_or(AppError::NotFound)?;
            let form = queries::form(conn, cand.id, false)?;
            audit::record(
                conn,
                tenant,
                AuditEntry::new(&Actor::Candidate(cand.id), audit_action)
                    .object("recruitment_candidate", cand.id),
            )?;
            Ok(Some(OwnView {
                already,
                candidate_id: cand.id,
                answer: after
                    .answer
                    .as_deref()
                    .map(Answer::parse)
                    .transpose()
                    .map_err(AppError::Internal)?,
                open: after.decision.is_none(),
                submitted: form.as_ref().is_some_and(|f| f.submitted_at.is_some()),
                form: form.as_ref().map(queries::content_of),
            }))
        })
        .await
}
