//! SQL on the recruitment tables only; the map's persons are asked of `cases`, the councils of
//! `councils`.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use super::domain::{Answer, Decision, NewReferral, SelfInformation, Service, Step, Urgency};
use super::rules::{CandidateFacts, Facts};
use super::views::{CandidateView, FormView, PersonRef, RecruitmentView, StepView, TaskView};
use crate::db::TenantId;
use crate::db::schema::{
    recruitment_candidate_persons, recruitment_candidates, recruitment_form_versions,
    recruitment_forms, recruitment_steps, recruitments,
};
use crate::web::problem::AppError;

fn stored<T>(parse: fn(&str) -> Result<T, String>, value: &str) -> Result<T, AppError> {
    parse(value).map_err(AppError::Internal)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = recruitments)]
pub struct RecruitmentRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub reason: String,
    pub urgency: String,
    pub fgc_wished: bool,
    pub service: String,
    pub state: String,
    pub council_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = recruitment_candidates)]
pub struct CandidateRow {
    pub id: Uuid,
    pub recruitment_id: Uuid,
    pub case_id: Uuid,
    pub rank: i32,
    pub answer: Option<String>,
    pub decision: Option<String>,
    pub decision_reason: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = recruitment_steps)]
struct StepRow {
    step: String,
    candidate_id: Option<Uuid>,
    done_on: NaiveDate,
    done_by: Option<Uuid>,
    note: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = recruitment_forms)]
pub struct FormRow {
    pub candidate_id: Uuid,
    pub content: serde_json::Value,
    pub reminders_sent: i32,
    pub submitted_at: Option<DateTime<Utc>>,
}

pub fn insert_recruitment(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
    new: &NewReferral,
    by: Uuid,
) -> Result<Uuid, AppError> {
    let id = Uuid::new_v4();
    diesel::insert_into(recruitments::table)
        .values((
            recruitments::tenant_id.eq(tenant.0),
            recruitments::id.eq(id),
            recruitments::case_id.eq(case_id),
            recruitments::reason.eq(&new.reason),
            recruitments::urgency.eq(new.urgency.as_str()),
            recruitments::fgc_wished.eq(new.fgc_wished),
            recruitments::service.eq(new.service.as_str()),
            recruitments::created_by.eq(by),
        ))
        .execute(conn)?;
    Ok(id)
}

pub fn recruitments_of_case(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
) -> Result<Vec<RecruitmentRow>, AppError> {
    Ok(recruitments::table
        .filter(recruitments::tenant_id.eq(tenant.0))
        .filter(recruitments::case_id.eq(case_id))
        .order((recruitments::created_at, recruitments::id))
        .select(RecruitmentRow::as_select())
        .load(conn)?)
}

/// The recruitment `id` of the case; another case's is not found.
pub fn recruitment(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
    id: Uuid,
    lock: bool,
) -> Result<RecruitmentRow, AppError> {
    let query = recruitments::table
        .filter(recruitments::tenant_id.eq(tenant.0))
        .filter(recruitments::case_id.eq(case_id))
        .filter(recruitments::id.eq(id))
        .select(RecruitmentRow::as_select());
    let found = if lock {
        query.for_update().first(conn).optional()?
    } else {
        query.first(conn).optional()?
    };
    found.ok_or(AppError::NotFound)
}

pub fn set_state(
    conn: &mut PgConnection,
    id: Uuid,
    state: Step,
    council_id: Option<Uuid>,
) -> Result<(), AppError> {
    diesel::update(recruitments::table.filter(recruitments::id.eq(id)))
        .set((
            recruitments::state.eq(state.as_str()),
            recruitments::updated_at.eq(Utc::now()),
        ))
        .execute(conn)?;
    if let Some(council) = council_id {
        diesel::update(recruitments::table.filter(recruitments::id.eq(id)))
            .set(recruitments::council_id.eq(council))
            .execute(conn)?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub fn insert_step(
    conn: &mut PgConnection,
    tenant: TenantId,
    recruitment_id: Uuid,
    step: Step,
    candidate_id: Option<Uuid>,
    done_on: NaiveDate,
    done_by: Option<Uuid>,
    note: Option<&str>,
) -> Result<(), AppError> {
    diesel::insert_into(recruitment_steps::table)
        .values((
            recruitment_steps::tenant_id.eq(tenant.0),
            recruitment_steps::id.eq(Uuid::now_v7()),
            recruitment_steps::recruitment_id.eq(recruitment_id),
            recruitment_steps::step.eq(step.as_str()),
            recruitment_steps::candidate_id.eq(candidate_id),
            recruitment_steps::done_on.eq(done_on),
            recruitment_steps::done_by.eq(done_by),
            recruitment_steps::note.eq(note),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn candidates(
    conn: &mut PgConnection,
    recruitment_id: Uuid,
) -> Result<Vec<CandidateRow>, AppError> {
    Ok(recruitment_candidates::table
        .filter(recruitment_candidates::recruitment_id.eq(recruitment_id))
        .order(recruitment_candidates::rank)
        .select(CandidateRow::as_select())
        .load(conn)?)
}

/// A candidate by id (a link's row), with nothing of the other homes.
pub fn candidate(
    conn: &mut PgConnection,
    id: Uuid,
    lock: bool,
) -> Result<Option<CandidateRow>, AppError> {
    let query = recruitment_candidates::table
        .filter(recruitment_candidates::id.eq(id))
        .select(CandidateRow::as_select());
    Ok(if lock {
        query.for_update().first(conn).optional()?
    } else {
        query.first(conn).optional()?
    })
}

/// The persons already ranked in the recruitment's plan, with their home.
pub fn ranked_persons(
    conn: &mut PgConnection,
    recruitment_id: Uuid,
) -> Result<Vec<(Uuid, Uuid)>, AppError> {
    Ok(recruitment_candidate_persons::table
        .filter(recruitment_candidate_persons::recruitment_id.eq(recruitment_id))
        .select((
            recruitment_candidate_persons::candidate_id,
            recruitment_candidate_persons::person_id,
        ))
        .load(conn)?)
}

pub fn insert_candidate(
    conn: &mut PgConnection,
    tenant: TenantId,
    recruitment: &RecruitmentRow,
    id: Uuid,
    token_hash: &[u8],
    persons: &[Uuid],
) -> Result<i32, AppError> {
    let top: Option<i32> = recruitment_candidates::table
        .filter(recruitment_candidates::recruitment_id.eq(recruitment.id))
        .select(diesel::dsl::max(recruitment_candidates::rank))
        .first(conn)?;
    let rank = top.unwrap_or(0) + 1;
    diesel::insert_into(recruitment_candidates::table)
        .values((
            recruitment_candidates::tenant_id.eq(tenant.0),
            recruitment_candidates::id.eq(id),
            recruitment_candidates::recruitment_id.eq(recruitment.id),
            recruitment_candidates::case_id.eq(recruitment.case_id),
            recruitment_candidates::rank.eq(rank),
            recruitment_candidates::token_hash.eq(token_hash),
        ))
        .execute(conn)?;
    for person in persons {
        diesel::insert_into(recruitment_candidate_persons::table)
            .values((
                recruitment_candidate_persons::tenant_id.eq(tenant.0),
                recruitment_candidate_persons::candidate_id.eq(id),
                recruitment_candidate_persons::recruitment_id.eq(recruitment.id),
                recruitment_candidate_persons::case_id.eq(recruitment.case_id),
                recruitment_candidate_persons::person_id.eq(person),
            ))
            .execute(conn)?;
    }
    Ok(rank)
}

pub fn set_answer(
    conn: &mut PgConnection,
    candidate: Uuid,
    answer: Answer,
) -> Result<(), AppError> {
    diesel::update(recruitment_candidates::table.filter(recruitment_candidates::id.eq(candidate)))
        .set((
            recruitment_candidates::answer.eq(answer.as_str()),
            recruitment_candidates::answered_at.eq(Utc::now()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn set_decision(
    conn: &mut PgConnection,
    candidate: Uuid,
    decision: Decision,
    reason: &str,
) -> Result<(), AppError> {
    diesel::update(recruitment_candidates::table.filter(recruitment_candidates::id.eq(candidate)))
        .set((
            recruitment_candidates::decision.eq(decision.as_str()),
            recruitment_candidates::decision_reason.eq(reason),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn form(
    conn: &mut PgConnection,
    candidate: Uuid,
    lock: bool,
) -> Result<Option<FormRow>, AppError> {
    let query = recruitment_forms::table
        .filter(recruitment_forms::candidate_id.eq(candidate))
        .select(FormRow::as_select());
    Ok(if lock {
        query.for_update().first(conn).optional()?
    } else {
        query.first(conn).optional()?
    })
}

/// Opens the candidate's form (once): the link then shows it.
pub fn open_form(
    conn: &mut PgConnection,
    tenant: TenantId,
    recruitment_id: Uuid,
    candidate: Uuid,
) -> Result<bool, AppError> {
    let n = diesel::insert_into(recruitment_forms::table)
        .values((
            recruitment_forms::tenant_id.eq(tenant.0),
            recruitment_forms::candidate_id.eq(candidate),
            recruitment_forms::recruitment_id.eq(recruitment_id),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    Ok(n > 0)
}

pub fn save_form(
    conn: &mut PgConnection,
    candidate: Uuid,
    content: &SelfInformation,
) -> Result<(), AppError> {
    let json = serde_json::to_value(content).map_err(|e| AppError::Internal(e.to_string()))?;
    diesel::update(recruitment_forms::table.filter(recruitment_forms::candidate_id.eq(candidate)))
        .set((
            recruitment_forms::content.eq(json),
            recruitment_forms::updated_at.eq(Utc::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Submits the form: a new version, read-only from now on. Returns the version.
pub fn submit_form(
    conn: &mut PgConnection,
    tenant: TenantId,
    candidate: Uuid,
    content: &SelfInformation,
) -> Result<i32, AppError> {
    save_form(conn, candidate, content)?;
    let top: Option<i32> = recruitment_form_versions::table
        .filter(recruitment_form_versions::candidate_id.eq(candidate))
        .select(diesel::dsl::max(recruitment_form_versions::version))
        .first(conn)?;
    let version = top.unwrap_or(0) + 1;
    let json = serde_json::to_value(content).map_err(|e| AppError::Internal(e.to_string()))?;
    diesel::insert_into(recruitment_form_versions::table)
        .values((
            recruitment_form_versions::tenant_id.eq(tenant.0),
            recruitment_form_versions::candidate_id.eq(candidate),
            recruitment_form_versions::version.eq(version),
            recruitment_form_versions::content.eq(json),
        ))
        .execute(conn)?;
    diesel::update(recruitment_forms::table.filter(recruitment_forms::candidate_id.eq(candidate)))
        .set(recruitment_forms::submitted_at.eq(Utc::now()))
        .execute(conn)?;
    Ok(version)
}

pub fn count_reminder(conn: &mut PgConnection, candidate: Uuid) -> Result<(), AppError> {
    diesel::update(recruitment_forms::table.filter(recruitment_forms::candidate_id.eq(candidate)))
        .set(recruitment_forms::reminders_sent.eq(recruitment_forms::reminders_sent + 1))
        .execute(conn)?;
    Ok(())
}

pub fn content_of(row: &FormRow) -> SelfInformation {
    serde_json::from_value(row.content.clone()).unwrap_or_default()
}

pub fn form_view(conn: &mut PgConnection, row: &FormRow) -> Result<FormView, AppError> {
    let version: Option<i32> = recruitment_form_versions::table
        .filter(recruitment_form_versions::candidate_id.eq(row.candidate_id))
        .select(diesel::dsl::max(recruitment_form_versions::version))
        .first(conn)?;
    Ok(FormView {
        candidate_id: row.candidate_id,
        content: content_of(row),
        submitted_at: row.submitted_at,
        version: version.unwrap_or(0),
        reminders_sent: row.reminders_sent,
    })
}

fn steps(conn: &mut PgConnection, recruitment_id: Uuid) -> Result<Vec<StepView>, AppError> {
    let rows: Vec<StepRow> = recruitment_steps::table
        .filter(recruitment_steps::recruitment_id.eq(recruitment_id))
        .order((recruitment_steps::created_at, recruitment_steps::id))
        .select(StepRow::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|r| {
            Ok(StepView {
                step: stored(Step::parse, &r.step)?,
                candidate_id: r.candidate_id,
                done_on: r.done_on,
                done_by: r.done_by,
                note: r.note,
            })
        })
        .collect()
}

/// What the rules know of the recruitment, with the steps done.
pub fn facts(
    conn: &mut PgConnection,
    recruitment_id: Uuid,
) -> Result<(Facts, Vec<StepView>, Vec<CandidateRow>), AppError> {
    let steps = steps(conn, recruitment_id)?;
    let candidates = candidates(conn, recruitment_id)?;
    let submitted: Vec<Uuid> = recruitment_forms::table
        .filter(recruitment_forms::recruitment_id.eq(recruitment_id))
        .filter(recruitment_forms::submitted_at.is_not_null())
        .select(recruitment_forms::candidate_id)
        .load(conn)?;
    let of = |id: Uuid, step: Step| {
        steps
            .iter()
            .any(|s| s.step == step && s.candidate_id == Some(id))
    };
    let facts = Facts {
        done: steps
            .iter()
            .filter(|s| s.candidate_id.is_none())
            .map(|s| s.step)
            .collect(),
        candidates: candidates
            .iter()
            .map(|c| {
                Ok(CandidateFacts {
                    id: c.id,
                    rank: c.rank,
                    answer: c
                        .answer
                        .as_deref()
                        .map(|a| stored(Answer::parse, a))
                        .transpose()?,
                    form_submitted: submitted.contains(&c.id),
                    interviewed: of(c.id, Step::Interviews),
                    matched: of(c.id, Step::Matching),
                    decision: c
                        .decision
                        .as_deref()
                        .map(|d| stored(Decision::parse, d))
                        .transpose()?,
                })
            })
            .collect::<Result<_, AppError>>()?,
    };
    Ok((facts, steps, candidates))
}

/// The staff's view: the candidates with their persons' names (`names`: the map), the steps and
/// the task list.
pub fn view(
    conn: &mut PgConnection,
    row: &RecruitmentRow,
    names: &[(Uuid, String)],
) -> Result<RecruitmentView, AppError> {
    let (facts, steps, candidates) = facts(conn, row.id)?;
    let ranked = ranked_persons(conn, row.id)?;
    let forms: Vec<(Uuid, Option<DateTime<Utc>>)> = recruitment_forms::table
        .filter(recruitment_forms::recruitment_id.eq(row.id))
        .select((
            recruitment_forms::candidate_id,
            recruitment_forms::submitted_at,
        ))
        .load(conn)?;
    let candidates = candidates
        .into_iter()
        .map(|c| {
            let persons = ranked
                .iter()
                .filter(|(cand, _)| *cand == c.id)
                .map(|(_, p)| PersonRef {
                    id: *p,
                    name: names
                        .iter()
                        .find(|(id, _)| id == p)
                        .map(|(_, n)| n.clone())
                        .unwrap_or_default(),
                })
                .collect();
            let form = match forms.iter().find(|(id, _)| *id == c.id) {
                None => "none",
                Some((_, None)) => "draft",
                Some((_, Some(_))) => "submitted",
            };
            Ok(CandidateView {
                id: c.id,
                rank: c.rank,
                persons,
                answer: c
                    .answer
                    .as_deref()
                    .map(|a| stored(Answer::parse, a))
                    .transpose()?,
                form,
                decision: c
                    .decision
                    .as_deref()
                    .map(|d| stored(Decision::parse, d))
                    .transpose()?,
                decision_reason: c.decision_reason,
            })
        })
        .collect::<Result<_, AppError>>()?;
    let current = facts.current().map(|c| c.id);
    let tasks = tasks(&facts, &steps, current);
    Ok(RecruitmentView {
        id: row.id,
        case_id: row.case_id,
        reason: row.reason.clone(),
        urgency: stored(Urgency::parse, &row.urgency)?,
        fgc_wished: row.fgc_wished,
        service: stored(Service::parse, &row.service)?,
        state: stored(Step::parse, &row.state)?,
        council_id: row.council_id,
        created_at: row.created_at,
        current_candidate: current,
        candidates,
        steps,
        tasks,
    })
}

/// The whole flow as a task list: each step done (with its day), next, waiting on the candidate
/// homes, or blocked by its rule.
fn tasks(facts: &Facts, steps: &[StepView], current: Option<Uuid>) -> Vec<TaskView> {
    let waits = |step: Step| matches!(step, Step::Answer | Step::SelfInformation);
    Step::ALL
        .into_iter()
        .map(|step| {
            let done_on = steps
                .iter()
                .rev()
                .find(|s| {
                    s.step == step
                        && (s.candidate_id.is_none()
                            || s.candidate_id == current
                            || facts.decided_yes().map(|c| c.id) == s.candidate_id)
                })
                .map(|s| s.done_on);
            let candidate_step = !matches!(
                step,
                Step::Referral
                    | Step::Started
                    | Step::InfoMeeting
                    | Step::FgcMeeting
                    | Step::ClarificationMeeting
                    | Step::FamilyPlan
                    | Step::Intake
            );
            let done = if candidate_step {
                match facts.decided_yes().or(facts.current()) {
                    Some(c) => match step {
                        Step::Answer => c.answer.is_some(),
                        Step::SelfInformation => c.form_submitted,
                        Step::Interviews => c.interviewed,
                        Step::Matching => c.matched,
                        Step::Decision => c.decision == Some(Decision::Yes),
                        _ => false,
                    },
                    None => false,
                }
            } else {
                facts.is_done(step)
            };
            let (status, blocked_by) = if done {
                ("done", None)
            } else if waits(step) {
                ("waiting", None)
            } else {
                match facts.blocker(step) {
                    None => ("next", None),
                    Some(rule) => ("blocked", Some(rule.slug())),
                }
            };
            TaskView {
                step,
                status,
                blocked_by,
                done_on: if done { done_on } else { None },
            }
        })
        .collect()
}
