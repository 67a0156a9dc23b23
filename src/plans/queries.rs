//! The plan tables, read and written inside the caller's tenant transaction. Nothing here checks
//! who is asking: the actions first open the case through
//! [`crate::cases::access::with_case`] and load the council of that case; the participant's and
//! the child's pages first find their link. Every function that refuses does so before it writes,
//! and the whole transaction is rolled back on any error, so a refusal leaves nothing partial.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use diesel::PgConnection;
use diesel::dsl::exists;
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use super::domain::{
    ApprovalKind, CommitmentStatus, Decision, EvaluationPlan, EvaluationWay, GoalAuthor,
    GoalResult, NewCommitment, NewEvaluation, NewGoal, Owner, PlanStatus,
};
use super::rules::{self, Approver, Birth, EvaluationRule, PlanEvent};
use super::schedule;
use super::views::{
    ApprovalView, ChildAnswerView, ChildLinkView, CommitmentView, EvaluationView, FollowUpView,
    GoalResultView, GoalView, OwnerView, PendingConfirmation, PlanView, VersionView,
};
use crate::config::Settings;
use crate::councils::domain::{AnsweredHow, CouncilKind, CouncilState};
use crate::councils::queries::{Council, team};
use crate::councils::views::{RecordedAnswer, TeamMember};
use crate::db::schema::{
    plan_approvals, plan_child_links, plan_commitments, plan_evaluation_goals, plan_evaluations,
    plan_follow_ups, plan_goals, plan_versions, plans,
};
use crate::db::{TenantId, close_open_row};
use crate::tenancy::settings::{ServiceSettings, SettingsError};
use crate::tokens::{ChildLink, LinkToken};
use crate::web::problem::AppError;

/// A stored code that is not in its vocabulary: the CHECK constraints make this a bug.
fn stored<T>(parse: fn(&str) -> Result<T, String>, code: &str) -> Result<T, AppError> {
    parse(code).map_err(|e| AppError::Internal(format!("a stored code is unknown: {e}")))
}

/// The service's settings a plan needs: its zone, the evaluation-date rule and the offsets of
/// the plan's jobs.
#[derive(Debug, Clone)]
pub struct PlanSettings {
    pub tz: Tz,
    pub rule: EvaluationRule,
    pub notice_days: u32,
    pub undocumented_days: u32,
    /// The follow-up opens this many weeks before the evaluation date.
    pub weeks_ahead: u32,
    /// The plan's messages wait for these to end.
    pub quiet_hours: crate::jobs::timing::QuietHours,
    pub now: DateTime<Utc>,
    /// Today in the service's time zone.
    pub today: NaiveDate,
}

impl PlanSettings {
    pub fn load(conn: &mut PgConnection) -> Result<Self, SettingsError> {
        let s = ServiceSettings::load(conn)?;
        let now = Utc::now();
        Ok(Self {
            tz: s.tz,
            rule: EvaluationRule {
                age_years: s.evaluation_age_years,
                months_younger: s.evaluation_months_younger,
                months_older: s.evaluation_months_older,
            },
            notice_days: s.commitment_notice_days,
            undocumented_days: s.evaluation_undocumented_days,
            weeks_ahead: s.follow_up_weeks_ahead,
            quiet_hours: s.quiet_hours,
            now,
            today: s.today(now),
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = plans)]
struct PlanRow {
    id: Uuid,
    council_id: Uuid,
    case_id: Uuid,
    status: String,
    version: i32,
    follow_up_participant_id: Option<Uuid>,
    follow_up_user_id: Option<Uuid>,
    submitted_at: Option<DateTime<Utc>>,
    approved_at: Option<DateTime<Utc>>,
    approved_version: Option<i32>,
    evaluation_on: Option<NaiveDate>,
    evaluation_way: Option<String>,
    closed_at: Option<DateTime<Utc>>,
    closed_reason: Option<String>,
    created_at: DateTime<Utc>,
    follows_plan_id: Option<Uuid>,
}

/// A plan, its codes parsed.
#[derive(Debug, Clone)]
pub struct Plan {
    pub id: Uuid,
    pub council_id: Uuid,
    pub case_id: Uuid,
    pub status: PlanStatus,
    pub version: i32,
    pub follow_up: Option<Owner>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub approved_at: Option<DateTime<Utc>>,
    pub approved_version: Option<i32>,
    pub evaluation_on: Option<NaiveDate>,
    pub evaluation_way: Option<EvaluationWay>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The earlier plan this one was carried over from (a follow-up council's plan).
    pub follows_plan_id: Option<Uuid>,
}

impl PlanRow {
    fn parse(self) -> Result<Plan, AppError> {
        Ok(Plan {
            id: self.id,
            council_id: self.council_id,
            case_id: self.case_id,
            status: stored(PlanStatus::parse, &self.status)?,
            version: self.version,
            follow_up: match (self.follow_up_participant_id, self.follow_up_user_id) {
                (Some(p), _) => Some(Owner::Participant(p)),
                (None, Some(u)) => Some(Owner::Staff(u)),
                (None, None) => None,
            },
            submitted_at: self.submitted_at,
            approved_at: self.approved_at,
            approved_version: self.approved_version,
            evaluation_on: self.evaluation_on,
            evaluation_way: self
                .evaluation_way
                .as_deref()
                .map(|w| stored(EvaluationWay::parse, w))
                .transpose()?,
            closed_at: self.closed_at,
            closed_reason: self.closed_reason,
            created_at: self.created_at,
            follows_plan_id: self.follows_plan_id,
        })
    }
}

/// The plan of `council`; 404 when it has none. `lock` holds the row until the transaction
/// ends, so two changes to one plan (two participants confirming at once) happen in turn.
pub fn plan_of(conn: &mut PgConnection, council_id: Uuid, lock: bool) -> Result<Plan, AppError> {
    find_plan(conn, council_id, lock)?.ok_or(AppError::NotFound)
}

pub fn find_plan(
    conn: &mut PgConnection,
    council_id: Uuid,
    lock: bool,
) -> Result<Option<Plan>, AppError> {
    let query = plans::table
        .filter(plans::council_id.eq(council_id))
        .select(PlanRow::as_select());
    let row = if lock {
        query.for_update().first(conn).optional()?
    } else {
        query.first(conn).optional()?
    };
    row.map(PlanRow::parse).transpose()
}

/// The plan `id`, wherever it is (for the jobs, which know only the plan).
pub fn plan_by_id(conn: &mut PgConnection, id: Uuid) -> Result<Option<Plan>, AppError> {
    plans::table
        .filter(plans::id.eq(id))
        .select(PlanRow::as_select())
        .for_update()
        .first(conn)
        .optional()?
        .map(PlanRow::parse)
        .transpose()
}

fn owner_view(
    conn: &mut PgConnection,
    team: &[TeamMember],
    owner: Owner,
) -> Result<OwnerView, AppError> {
    Ok(match owner {
        Owner::Participant(p) => OwnerView {
            participant_id: Some(p),
            user_id: None,
            name: team
                .iter()
                .find(|m| m.participant_id == p)
                .map(|m| m.name.clone())
                .unwrap_or_default(),
        },
        Owner::Staff(u) => OwnerView {
            participant_id: None,
            user_id: Some(u),
            name: crate::access::staff::contact(conn, u)?
                .map(|c| c.name)
                .unwrap_or_default(),
        },
    })
}

/// The child's birth, for the evaluation-date rule.
pub fn birth(conn: &mut PgConnection, case_id: Uuid) -> QueryResult<Birth> {
    let (year, date) = crate::cases::queries::child_birth(conn, case_id)?;
    Ok(Birth {
        year: i32::from(year),
        date,
    })
}

pub fn goals(conn: &mut PgConnection, plan_id: Uuid) -> Result<Vec<GoalView>, AppError> {
    let rows: Vec<(Uuid, i16, String, String, DateTime<Utc>)> = plan_goals::table
        .filter(plan_goals::plan_id.eq(plan_id))
        .filter(plan_goals::removed_at.is_null())
        .order(plan_goals::position)
        .select((
            plan_goals::id,
            plan_goals::position,
            plan_goals::text,
            plan_goals::author,
            plan_goals::created_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, position, text, author, created_at)| {
            Ok(GoalView {
                id,
                position,
                text,
                author: stored(GoalAuthor::parse, &author)?,
                created_at,
            })
        })
        .collect()
}

type CommitmentRow = (
    Uuid,
    Option<Uuid>,
    Option<Uuid>,
    String,
    NaiveDate,
    Option<i32>,
    bool,
    String,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<String>,
    i32,
    bool,
);

pub fn commitments(
    conn: &mut PgConnection,
    plan_id: Uuid,
    team: &[TeamMember],
) -> Result<Vec<CommitmentView>, AppError> {
    let rows: Vec<CommitmentRow> = plan_commitments::table
        .filter(plan_commitments::plan_id.eq(plan_id))
        .filter(plan_commitments::removed_at.is_null())
        .order((plan_commitments::due_on, plan_commitments::created_at))
        .select((
            plan_commitments::id,
            plan_commitments::participant_id,
            plan_commitments::user_id,
            plan_commitments::text,
            plan_commitments::due_on,
            plan_commitments::every_days,
            plan_commitments::beyond_evaluation,
            plan_commitments::status,
            plan_commitments::confirmed_at,
            plan_commitments::done_at,
            plan_commitments::done_comment,
            plan_commitments::times_done,
            plan_commitments::unconfirmed_at_closing,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|r| {
            let owner = match (r.1, r.2) {
                (Some(p), _) => Owner::Participant(p),
                (None, Some(u)) => Owner::Staff(u),
                (None, None) => {
                    return Err(AppError::Internal("a commitment without an owner".into()));
                }
            };
            Ok(CommitmentView {
                id: r.0,
                owner: owner_view(conn, team, owner)?,
                text: r.3,
                due_on: r.4,
                every_days: r.5,
                beyond_evaluation: r.6,
                status: stored(CommitmentStatus::parse, &r.7)?,
                confirmed_at: r.8,
                done_at: r.9,
                done_comment: r.10,
                times_done: r.11,
                unconfirmed_at_closing: r.12,
                next_reminder_at: None,
            })
        })
        .collect()
}

fn approvals(conn: &mut PgConnection, plan_id: Uuid) -> Result<Vec<ApprovalView>, AppError> {
    type Row = (
        Uuid,
        i32,
        String,
        Option<Uuid>,
        Option<Uuid>,
        Option<String>,
        Option<bool>,
        DateTime<Utc>,
        Option<Uuid>,
        Option<String>,
    );
    let rows: Vec<Row> = plan_approvals::table
        .filter(plan_approvals::plan_id.eq(plan_id))
        .order(plan_approvals::created_at)
        .select((
            plan_approvals::id,
            plan_approvals::version,
            plan_approvals::kind,
            plan_approvals::participant_id,
            plan_approvals::user_id,
            plan_approvals::reason,
            plan_approvals::safety_ensured,
            plan_approvals::created_at,
            plan_approvals::child_link_id,
            plan_approvals::recorded_how,
        ))
        .load(conn)?;
    // The staff who recorded answers on someone's behalf, by name.
    let recorders: Vec<Uuid> = rows
        .iter()
        .filter(|r| r.9.is_some())
        .filter_map(|r| r.4)
        .collect();
    let names = crate::access::staff::names(conn, &recorders)?;
    rows.into_iter()
        .map(|r| {
            let recorded = match (r.9.as_deref(), r.4) {
                (Some(how), Some(by)) => Some(RecordedAnswer {
                    how: stored(AnsweredHow::parse, how)?,
                    by: names.get(&by).cloned().unwrap_or_default(),
                }),
                _ => None,
            };
            Ok(ApprovalView {
                id: r.0,
                version: r.1,
                kind: stored(ApprovalKind::parse, &r.2)?,
                participant_id: r.3,
                user_id: r.4,
                reason: r.5,
                safety_ensured: r.6,
                created_at: r.7,
                child_link_id: r.8,
                recorded,
            })
        })
        .collect()
}

/// The plan's follow-ups, by due date (the registration of the measure reads how it was
/// evaluated here).
pub fn follow_ups(conn: &mut PgConnection, plan_id: Uuid) -> Result<Vec<FollowUpView>, AppError> {
    type Row = (
        Uuid,
        String,
        NaiveDate,
        Option<Uuid>,
        Option<NaiveDate>,
        Option<DateTime<Utc>>,
        Option<Uuid>,
    );
    let rows: Vec<Row> = plan_follow_ups::table
        .filter(plan_follow_ups::plan_id.eq(plan_id))
        .order(plan_follow_ups::due_on)
        .select((
            plan_follow_ups::id,
            plan_follow_ups::way,
            plan_follow_ups::due_on,
            plan_follow_ups::new_council_id,
            plan_follow_ups::held_on,
            plan_follow_ups::documented_at,
            plan_follow_ups::meeting_id,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|r| {
            Ok(FollowUpView {
                id: r.0,
                way: stored(EvaluationWay::parse, &r.1)?,
                due_on: r.2,
                new_council_id: r.3,
                held_on: r.4,
                documented_at: r.5,
                meeting_id: r.6,
            })
        })
        .collect()
}

/// The plan's evaluations, oldest first, each with its goals' results.
pub fn evaluations(
    conn: &mut PgConnection,
    plan_id: Uuid,
) -> Result<Vec<EvaluationView>, AppError> {
    type Row = (
        Uuid,
        Option<Uuid>,
        NaiveDate,
        String,
        String,
        String,
        String,
        Option<NaiveDate>,
        DateTime<Utc>,
    );
    let rows: Vec<Row> = plan_evaluations::table
        .filter(plan_evaluations::plan_id.eq(plan_id))
        .order(plan_evaluations::created_at)
        .select((
            plan_evaluations::id,
            plan_evaluations::follow_up_id,
            plan_evaluations::held_on,
            plan_evaluations::took_part,
            plan_evaluations::child_view,
            plan_evaluations::parents_view,
            plan_evaluations::decision,
            plan_evaluations::next_evaluation_on,
            plan_evaluations::created_at,
        ))
        .load(conn)?;
    let results: Vec<(Uuid, Uuid, String, Option<String>)> = plan_evaluation_goals::table
        .filter(plan_evaluation_goals::plan_id.eq(plan_id))
        .select((
            plan_evaluation_goals::evaluation_id,
            plan_evaluation_goals::goal_id,
            plan_evaluation_goals::result,
            plan_evaluation_goals::note,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|r| {
            let goals = results
                .iter()
                .filter(|g| g.0 == r.0)
                .map(|g| {
                    Ok(GoalResultView {
                        goal_id: g.1,
                        result: stored(GoalResult::parse, &g.2)?,
                        note: g.3.clone(),
                    })
                })
                .collect::<Result<Vec<_>, AppError>>()?;
            Ok(EvaluationView {
                id: r.0,
                follow_up_id: r.1,
                held_on: r.2,
                took_part: r.3,
                goals,
                child_view: r.4,
                parents_view: r.5,
                decision: stored(Decision::parse, &r.6)?,
                next_evaluation_on: r.7,
                created_at: r.8,
            })
        })
        .collect()
}

/// Which participants approved `version`.
fn confirmed_by(conn: &mut PgConnection, plan_id: Uuid, version: i32) -> QueryResult<Vec<Uuid>> {
    let rows: Vec<Option<Uuid>> = plan_approvals::table
        .filter(plan_approvals::plan_id.eq(plan_id))
        .filter(plan_approvals::version.eq(version))
        .filter(plan_approvals::kind.eq(ApprovalKind::ParticipantConfirmed.as_str()))
        .select(plan_approvals::participant_id)
        .load(conn)?;
    Ok(rows.into_iter().flatten().collect())
}

/// The objections to `version` that no later approval withdrew, by participant, with their
/// comment.
pub fn objections(
    conn: &mut PgConnection,
    plan_id: Uuid,
    version: i32,
) -> QueryResult<Vec<(Uuid, String)>> {
    let approved = confirmed_by(conn, plan_id, version)?;
    let rows: Vec<(Option<Uuid>, Option<String>)> = plan_approvals::table
        .filter(plan_approvals::plan_id.eq(plan_id))
        .filter(plan_approvals::version.eq(version))
        .filter(plan_approvals::kind.eq(ApprovalKind::ParticipantObjected.as_str()))
        .order((plan_approvals::created_at.desc(), plan_approvals::id.desc()))
        .select((plan_approvals::participant_id, plan_approvals::reason))
        .load(conn)?;
    let mut latest: Vec<(Uuid, String)> = Vec::new();
    for (participant, reason) in rows {
        if let (Some(p), Some(r)) = (participant, reason)
            && !approved.contains(&p)
            && !latest.iter().any(|(q, _)| *q == p)
        {
            latest.push((p, r));
        }
    }
    Ok(latest)
}

/// Whether the plan has a live link for the child (then the child is asked).
fn child_asked(conn: &mut PgConnection, plan_id: Uuid, now: DateTime<Utc>) -> QueryResult<bool> {
    diesel::select(exists(
        plan_child_links::table
            .filter(plan_child_links::plan_id.eq(plan_id))
            .filter(plan_child_links::revoked_at.is_null())
            .filter(plan_child_links::expires_at.gt(now)),
    ))
    .get_result(conn)
}

/// The child's latest answer to `version`, with the child's own words, if any.
pub fn child_answer(
    conn: &mut PgConnection,
    plan_id: Uuid,
    version: i32,
    now: DateTime<Utc>,
) -> QueryResult<(rules::ChildAnswer, Option<String>)> {
    let latest: Option<(String, Option<String>)> = plan_approvals::table
        .filter(plan_approvals::plan_id.eq(plan_id))
        .filter(plan_approvals::version.eq(version))
        .filter(plan_approvals::child_link_id.is_not_null())
        .order((plan_approvals::created_at.desc(), plan_approvals::id.desc()))
        .select((plan_approvals::kind, plan_approvals::reason))
        .first(conn)
        .optional()?;
    Ok(match latest {
        Some((kind, words)) if kind == ApprovalKind::ChildAgreed.as_str() => {
            (rules::ChildAnswer::Agreed, words)
        }
        Some((_, words)) => (rules::ChildAnswer::WantsToTalk, words),
        None if child_asked(conn, plan_id, now)? => (rules::ChildAnswer::Waiting, None),
        None => (rules::ChildAnswer::NotAsked, None),
    })
}

/// Everything the child said about the plan, oldest first: the words with each of their answers
/// (whatever version they answered) and their view as each evaluation recorded it.
pub fn child_said(conn: &mut PgConnection, plan_id: Uuid) -> QueryResult<Vec<String>> {
    let answers: Vec<Option<String>> = plan_approvals::table
        .filter(plan_approvals::plan_id.eq(plan_id))
        .filter(plan_approvals::child_link_id.is_not_null())
        .order((plan_approvals::created_at, plan_approvals::id))
        .select(plan_approvals::reason)
        .load(conn)?;
    let views: Vec<String> = plan_evaluations::table
        .filter(plan_evaluations::plan_id.eq(plan_id))
        .order(plan_evaluations::created_at)
        .select(plan_evaluations::child_view)
        .load(conn)?;
    let mut said: Vec<String> = Vec::new();
    for words in answers.into_iter().flatten().chain(views) {
        let words = words.trim().to_owned();
        if !words.is_empty() && !said.contains(&words) {
            said.push(words);
        }
    }
    Ok(said)
}

/// Who approves a network council's plan: everyone of the child's network on the team who can be
/// reached (they get a link), and everyone with commitments in it. A staff member on the team is
/// the service, not the network: not asked (their commitments bind with the plan).
pub fn asked_to_approve(
    conn: &mut PgConnection,
    plan_id: Uuid,
    team: &[TeamMember],
) -> QueryResult<Vec<Uuid>> {
    let mut asked: Vec<Uuid> = team
        .iter()
        .filter(|m| !m.removed && m.email.is_some() && m.person_id.is_some())
        .map(|m| m.participant_id)
        .collect();
    for p in participants_with_commitments(conn, plan_id)? {
        if !asked.contains(&p) {
            asked.push(p);
        }
    }
    Ok(asked)
}

/// The participants (not staff outside the team) with live commitments in the plan.
pub fn participants_with_commitments(
    conn: &mut PgConnection,
    plan_id: Uuid,
) -> QueryResult<Vec<Uuid>> {
    let rows: Vec<Option<Uuid>> = plan_commitments::table
        .filter(plan_commitments::plan_id.eq(plan_id))
        .filter(plan_commitments::removed_at.is_null())
        .filter(plan_commitments::participant_id.is_not_null())
        .select(plan_commitments::participant_id)
        .distinct()
        .load(conn)?;
    Ok(rows.into_iter().flatten().collect())
}

/// `commitments` with when each one's next reminder goes out: what the plan shows, not what its
/// versions keep.
fn with_next_reminders(
    conn: &mut PgConnection,
    mut commitments: Vec<CommitmentView>,
    ps: &PlanSettings,
) -> Result<Vec<CommitmentView>, AppError> {
    let ids: Vec<Uuid> = commitments.iter().map(|c| c.id).collect();
    let next = super::schedule::next_reminders(conn, &ids, ps)?;
    for c in &mut commitments {
        c.next_reminder_at = next
            .get(&c.id)
            .map(|at| at.with_timezone(&ps.tz).fixed_offset());
    }
    Ok(commitments)
}

pub fn plan_view(
    conn: &mut PgConnection,
    settings: &Settings,
    plan: &Plan,
    kind: CouncilKind,
    ps: &PlanSettings,
) -> Result<PlanView, AppError> {
    let team = team(conn, plan.council_id)?;
    let needed = if rules::approver(kind) == Approver::Network {
        asked_to_approve(conn, plan.id, &team)?
    } else {
        participants_with_commitments(conn, plan.id)?
    };
    let confirmed = confirmed_by(conn, plan.id, plan.version)?;
    let objected = objections(conn, plan.id, plan.version)?;
    let approvals = approvals(conn, plan.id)?;
    let held = super::schedule::requests_held(conn, plan.id, plan.version, ps)?;
    let commitments = commitments(conn, plan.id, &team)?;
    let commitments = with_next_reminders(conn, commitments, ps)?;
    let confirmations = team
        .iter()
        .filter(|m| needed.contains(&m.participant_id))
        .map(|m| PendingConfirmation {
            participant_id: m.participant_id,
            name: m.name.clone(),
            goes_out_at: held
                .get(&m.participant_id)
                .map(|at| at.with_timezone(&ps.tz).fixed_offset()),
            confirmed: confirmed.contains(&m.participant_id),
            objection: objected
                .iter()
                .find(|(p, _)| *p == m.participant_id)
                .map(|(_, r)| r.clone()),
            // Their latest answer to this version, if staff recorded it for them.
            recorded: approvals
                .iter()
                .rev()
                .find(|a| a.version == plan.version && a.participant_id == Some(m.participant_id))
                .and_then(|a| a.recorded.clone()),
        })
        .collect();
    let (child, child_words) = child_answer(conn, plan.id, plan.version, ps.now)?;
    let versions: Vec<(i32, String, DateTime<Utc>)> = plan_versions::table
        .filter(plan_versions::plan_id.eq(plan.id))
        .order(plan_versions::version)
        .select((
            plan_versions::version,
            plan_versions::change,
            plan_versions::created_at,
        ))
        .load(conn)?;
    type LinkRow = (Uuid, DateTime<Utc>, Option<DateTime<Utc>>, DateTime<Utc>);
    let links: Vec<LinkRow> = plan_child_links::table
        .filter(plan_child_links::plan_id.eq(plan.id))
        .order(plan_child_links::created_at)
        .select((
            plan_child_links::id,
            plan_child_links::expires_at,
            plan_child_links::revoked_at,
            plan_child_links::created_at,
        ))
        .load(conn)?;
    let birth = birth(conn, plan.case_id)?;
    Ok(PlanView {
        id: plan.id,
        council_id: plan.council_id,
        case_id: plan.case_id,
        council_kind: kind,
        status: plan.status,
        version: plan.version,
        follow_up_owner: plan
            .follow_up
            .map(|o| owner_view(conn, &team, o))
            .transpose()?,
        goals: goals(conn, plan.id)?,
        commitments,
        submitted_at: plan.submitted_at,
        approved_at: plan.approved_at,
        approved_version: plan.approved_version,
        confirmations,
        child_answer: match child {
            rules::ChildAnswer::NotAsked => None,
            rules::ChildAnswer::Waiting => Some(ChildAnswerView::Waiting),
            rules::ChildAnswer::Agreed => Some(ChildAnswerView::Agreed),
            rules::ChildAnswer::WantsToTalk => Some(ChildAnswerView::WantsToTalk),
        },
        child_words,
        approvals,
        proposed_evaluation_on: rules::proposed_evaluation_date(ps.rule, birth, ps.today),
        evaluation_on: plan.evaluation_on,
        evaluation_way: plan.evaluation_way,
        follow_ups: follow_ups(conn, plan.id)?,
        evaluations: evaluations(conn, plan.id)?,
        child_links: links
            .into_iter()
            .map(|(id, expires_at, revoked_at, created_at)| ChildLinkView {
                id,
                url: (revoked_at.is_none() && expires_at > ps.now)
                    .then(|| child_url(settings, &child_token(settings, id))),
                expires_at,
                revoked_at,
                created_at,
            })
            .collect(),
        versions: versions
            .into_iter()
            .map(|(version, change, created_at)| VersionView {
                version,
                change,
                created_at,
            })
            .collect(),
        closed_at: plan.closed_at,
        closed_reason: plan.closed_reason.clone(),
        created_at: plan.created_at,
        follows_plan_id: plan.follows_plan_id,
    })
}

/// Version `number` of the plan's content; 404 if there is none.
pub fn version(
    conn: &mut PgConnection,
    plan_id: Uuid,
    number: i32,
) -> Result<serde_json::Value, AppError> {
    plan_versions::table
        .filter(plan_versions::plan_id.eq(plan_id))
        .filter(plan_versions::version.eq(number))
        .select(plan_versions::content)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The plan's content as it stands, for its history.
fn content(conn: &mut PgConnection, plan_id: Uuid) -> Result<serde_json::Value, AppError> {
    let plan = plans::table
        .filter(plans::id.eq(plan_id))
        .select(PlanRow::as_select())
        .first(conn)?
        .parse()?;
    let team = team(conn, plan.council_id)?;
    Ok(json!({
        "status": plan.status,
        "goals": goals(conn, plan_id)?,
        "commitments": commitments(conn, plan_id, &team)?,
        "follow_up_owner": plan.follow_up.map(|o| match o {
            Owner::Participant(p) => json!({ "participant_id": p }),
            Owner::Staff(u) => json!({ "user_id": u }),
        }),
        "evaluation_on": plan.evaluation_on,
        "evaluation_way": plan.evaluation_way,
    }))
}

/// Records a new version of the plan after `change`: the version number rises and the content
/// is kept as it now is.
fn new_version(
    conn: &mut PgConnection,
    tenant: TenantId,
    plan_id: Uuid,
    change: &str,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    let version: i32 = diesel::update(plans::table.filter(plans::id.eq(plan_id)))
        .set((
            plans::version.eq(plans::version + 1),
            plans::updated_at.eq(now),
        ))
        .returning(plans::version)
        .get_result(conn)?;
    write_version(conn, tenant, plan_id, version, change, by)?;
    Ok(version)
}

fn write_version(
    conn: &mut PgConnection,
    tenant: TenantId,
    plan_id: Uuid,
    version: i32,
    change: &str,
    by: Option<Uuid>,
) -> Result<(), AppError> {
    let content = content(conn, plan_id)?;
    diesel::insert_into(plan_versions::table)
        .values((
            plan_versions::tenant_id.eq(tenant.0),
            plan_versions::plan_id.eq(plan_id),
            plan_versions::version.eq(version),
            plan_versions::change.eq(change),
            plan_versions::content.eq(content),
            plan_versions::changed_by.eq(by),
        ))
        .execute(conn)?;
    Ok(())
}

/// What an approval step works in: the server's settings (for the links), the tenant, the
/// council and the service's plan settings.
pub struct Scope<'a> {
    pub settings: &'a Settings,
    pub tenant: TenantId,
    pub council: &'a Council,
    pub ps: &'a PlanSettings,
}

/// One approval record: its kind, who (participant, staff member), the reason and whether the
/// child's safety was recorded as ensured.
struct Approval<'a> {
    kind: ApprovalKind,
    participant: Option<Uuid>,
    user: Option<Uuid>,
    reason: Option<&'a str>,
    safety_ensured: Option<bool>,
    child_link: Option<Uuid>,
    /// How a participant's answer recorded on their behalf (by `user`) was given.
    recorded_how: Option<AnsweredHow>,
}

/// Moves the council with its plan (see [`rules::council_state_after`]).
fn move_council(
    conn: &mut PgConnection,
    council: &Council,
    event: PlanEvent,
    now: DateTime<Utc>,
) -> QueryResult<Option<CouncilState>> {
    crate::councils::queries::follow_state(conn, council.id, now, |current| {
        rules::council_state_after(council.kind, current, event)
    })
}

/// Starts the council's plan. Only after its meeting took place (the network makes the plan in
/// the meeting), and one plan per council.
pub fn create(
    conn: &mut PgConnection,
    tenant: TenantId,
    council: &Council,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<Uuid, AppError> {
    let facts = crate::councils::queries::current_facts(conn, council, now)?;
    rules::may_create(
        council.kind.is_final(council.state),
        facts.meeting.is_some_and(|m| m.confirmed && m.started),
        find_plan(conn, council.id, false)?.is_some(),
    )?;
    let id = Uuid::now_v7();
    diesel::insert_into(plans::table)
        .values((
            plans::tenant_id.eq(tenant.0),
            plans::id.eq(id),
            plans::council_id.eq(council.id),
            plans::case_id.eq(council.case_id),
            plans::created_by.eq(by),
        ))
        .execute(conn)?;
    write_version(conn, tenant, id, 1, "created", Some(by))?;
    move_council(conn, council, PlanEvent::Drafting, now)?;
    Ok(id)
}

pub fn add_goal(
    conn: &mut PgConnection,
    tenant: TenantId,
    plan: &Plan,
    goal: &NewGoal,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Uuid, AppError> {
    rules::editable(plan.status)?;
    let last: Option<i16> = plan_goals::table
        .filter(plan_goals::plan_id.eq(plan.id))
        .select(diesel::dsl::max(plan_goals::position))
        .first(conn)?;
    let position = last.unwrap_or(0) + 1;
    rules::goal_position(position)?;
    let id = Uuid::now_v7();
    diesel::insert_into(plan_goals::table)
        .values((
            plan_goals::tenant_id.eq(tenant.0),
            plan_goals::id.eq(id),
            plan_goals::plan_id.eq(plan.id),
            plan_goals::position.eq(position),
            plan_goals::text.eq(&goal.text),
            plan_goals::author.eq(goal.author.as_str()),
        ))
        .execute(conn)?;
    new_version(conn, tenant, plan.id, "goal_added", by, now)?;
    Ok(id)
}

pub fn remove_goal(
    conn: &mut PgConnection,
    tenant: TenantId,
    plan: &Plan,
    goal: Uuid,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    rules::editable(plan.status)?;
    close_open_row!(conn, plan_goals, plan_id = plan.id, goal,
        while removed_at is null, set removed_at = now)?;
    new_version(conn, tenant, plan.id, "goal_removed", by, now)?;
    Ok(())
}

/// Checks that `owner` may carry a commitment or the follow-up: someone on this council's team,
/// or an active staff member assigned to the case. Anyone else is refused by name.
fn check_owner(conn: &mut PgConnection, council: &Council, owner: Owner) -> Result<(), AppError> {
    match owner {
        Owner::Participant(p) => {
            let on_team = team(conn, council.id)?
                .iter()
                .any(|m| m.participant_id == p);
            if !on_team {
                return Err(AppError::field(
                    "participant_id",
                    "this person is not on the council's team; a commitment is made by someone in the council or by a staff member",
                ));
            }
        }
        Owner::Staff(u) => {
            if !crate::cases::queries::works_on(conn, council.case_id, u)? {
                return Err(AppError::field(
                    "user_id",
                    "not an active staff member assigned to the case",
                ));
            }
        }
    }
    Ok(())
}

pub fn add_commitment(
    conn: &mut PgConnection,
    tenant: TenantId,
    council: &Council,
    plan: &Plan,
    new: &NewCommitment,
    by: Option<Uuid>,
    ps: &PlanSettings,
) -> Result<Uuid, AppError> {
    rules::editable(plan.status)?;
    check_owner(conn, council, new.owner)?;
    rules::due_date_allowed(new.due_on, plan.evaluation_on, new.beyond_evaluation)?;
    let (participant, user) = match new.owner {
        Owner::Participant(p) => (Some(p), None),
        Owner::Staff(u) => (None, Some(u)),
    };
    // In an approved plan a staff member's commitment is the service's own and binding at once;
    // a participant confirms theirs through their link.
    let confirmed = plan.status == PlanStatus::Approved && user.is_some();
    let id = Uuid::now_v7();
    diesel::insert_into(plan_commitments::table)
        .values((
            plan_commitments::tenant_id.eq(tenant.0),
            plan_commitments::id.eq(id),
            plan_commitments::plan_id.eq(plan.id),
            plan_commitments::council_id.eq(council.id),
            plan_commitments::participant_id.eq(participant),
            plan_commitments::user_id.eq(user),
            plan_commitments::text.eq(&new.text),
            plan_commitments::due_on.eq(new.due_on),
            plan_commitments::every_days.eq(new.every_days),
            plan_commitments::beyond_evaluation
                .eq(new.beyond_evaluation && plan.evaluation_on.is_some_and(|e| new.due_on > e)),
            plan_commitments::status.eq(if confirmed {
                CommitmentStatus::Confirmed.as_str()
            } else {
                CommitmentStatus::Open.as_str()
            }),
            plan_commitments::confirmed_at.eq(confirmed.then_some(ps.now)),
        ))
        .execute(conn)?;
    new_version(conn, tenant, plan.id, "commitment_added", by, ps.now)?;
    if plan.status == PlanStatus::Approved {
        schedule::commitment(conn, tenant, id, new.due_on, ps)?;
    }
    Ok(id)
}

pub fn remove_commitment(
    conn: &mut PgConnection,
    tenant: TenantId,
    plan: &Plan,
    commitment: Uuid,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    rules::editable(plan.status)?;
    close_open_row!(conn, plan_commitments, plan_id = plan.id, commitment,
        while removed_at is null, set removed_at = now)?;
    schedule::cancel_commitment(conn, tenant, commitment)?;
    new_version(conn, tenant, plan.id, "commitment_removed", by, now)?;
    Ok(())
}

pub fn set_follow_up_owner(
    conn: &mut PgConnection,
    tenant: TenantId,
    council: &Council,
    plan: &Plan,
    owner: Owner,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    rules::not_closed(plan.status)?;
    check_owner(conn, council, owner)?;
    let (participant, user) = match owner {
        Owner::Participant(p) => (Some(p), None),
        Owner::Staff(u) => (None, Some(u)),
    };
    diesel::update(plans::table.filter(plans::id.eq(plan.id)))
        .set((
            plans::follow_up_participant_id.eq(participant),
            plans::follow_up_user_id.eq(user),
        ))
        .execute(conn)?;
    new_version(conn, tenant, plan.id, "follow_up_owner", by, now)?;
    Ok(())
}

/// How long the participants' links must keep working for this plan: until a month after its
/// evaluation date, or after its last due date while no evaluation date is set.
fn links_needed_until(
    conn: &mut PgConnection,
    plan_id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<DateTime<Utc>> {
    let (evaluation, last_due): (Option<NaiveDate>, Option<NaiveDate>) = plans::table
        .filter(plans::id.eq(plan_id))
        .select((
            plans::evaluation_on,
            plan_commitments::table
                .filter(plan_commitments::plan_id.eq(plan_id))
                .filter(plan_commitments::removed_at.is_null())
                .select(diesel::dsl::max(plan_commitments::due_on))
                .single_value(),
        ))
        .first(conn)?;
    let day = [evaluation, last_due].into_iter().flatten().max();
    Ok(day
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .map(|t| t.and_utc() + chrono::Duration::days(30))
        .unwrap_or(now)
        .max(now + chrono::Duration::days(90)))
}

/// Makes sure every participant with commitments (and the participant who follows up) has a
/// live link that lasts as long as the plan needs it: a live invitation link is extended, and
/// someone without one gets a new link to the council's latest meeting. This is the same link
/// their invitation carried; the plan adds to its page.
pub fn extend_links(
    conn: &mut PgConnection,
    settings: &Settings,
    tenant: TenantId,
    plan: &Plan,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let until = links_needed_until(conn, plan.id, now)?;
    let team = team(conn, plan.council_id)?;
    let mut who = if plan.status == PlanStatus::AwaitingApproval {
        asked_to_approve(conn, plan.id, &team)?
    } else {
        participants_with_commitments(conn, plan.id)?
    };
    if let Some(Owner::Participant(p)) = plan.follow_up
        && !who.contains(&p)
    {
        who.push(p);
    }
    for participant in who {
        if !team
            .iter()
            .any(|m| m.participant_id == participant && m.email.is_some())
        {
            continue;
        }
        crate::councils::invitations::extend_link(
            conn,
            settings,
            tenant,
            plan.council_id,
            participant,
            until,
            now,
        )?;
    }
    Ok(())
}

/// Sends the plan for approval. For a network council everyone reachable on the team gets an
/// email with their link to approve (and to confirm their own commitments), and the child is
/// asked through the child's link when it is live; a family group conference's plan goes to the
/// caseworker.
pub fn submit(
    conn: &mut PgConnection,
    settings: &Settings,
    tenant: TenantId,
    council: &Council,
    plan: &Plan,
    by: Option<Uuid>,
    ps: &PlanSettings,
) -> Result<usize, AppError> {
    let team = team(conn, plan.council_id)?;
    rules::may_submit(
        plan.status,
        goals(conn, plan.id)?.len(),
        commitments(conn, plan.id, &team)?.len(),
    )?;
    diesel::update(plans::table.filter(plans::id.eq(plan.id)))
        .set((
            plans::status.eq(PlanStatus::AwaitingApproval.as_str()),
            plans::submitted_at.eq(ps.now),
        ))
        .execute(conn)?;
    let version = new_version(conn, tenant, plan.id, "submitted", by, ps.now)?;
    let mut asked = 0;
    if rules::approver(council.kind) == Approver::Network {
        let submitted = plan_of(conn, plan.council_id, false)?;
        extend_links(conn, settings, tenant, &submitted, ps.now)?;
        for participant in asked_to_approve(conn, plan.id, &team)? {
            schedule::confirmation_request(conn, tenant, plan.id, participant, version, ps.now)?;
            asked += 1;
        }
    }
    Ok(asked)
}

fn insert_approval(
    conn: &mut PgConnection,
    tenant: TenantId,
    plan: &Plan,
    a: Approval<'_>,
) -> Result<(), AppError> {
    let inserted = diesel::insert_into(plan_approvals::table)
        .values((
            plan_approvals::tenant_id.eq(tenant.0),
            plan_approvals::id.eq(Uuid::now_v7()),
            plan_approvals::plan_id.eq(plan.id),
            plan_approvals::council_id.eq(plan.council_id),
            plan_approvals::version.eq(plan.version),
            plan_approvals::kind.eq(a.kind.as_str()),
            plan_approvals::participant_id.eq(a.participant),
            plan_approvals::user_id.eq(a.user),
            plan_approvals::reason.eq(a.reason),
            plan_approvals::safety_ensured.eq(a.safety_ensured),
            plan_approvals::child_link_id.eq(a.child_link),
            plan_approvals::recorded_how.eq(a.recorded_how.map(|h| h.as_str())),
        ))
        .execute(conn);
    match inserted {
        Err(e) if crate::db::is_unique_violation(&e) => Err(rules::approved_already()),
        other => {
            other?;
            Ok(())
        }
    }
}

/// The plan becomes binding: its commitments get their reminders, the links last as long as the
/// plan, and the council moves on.
fn approve(
    conn: &mut PgConnection,
    settings: &Settings,
    tenant: TenantId,
    council: &Council,
    plan: &Plan,
    by: Option<Uuid>,
    ps: &PlanSettings,
) -> Result<(), AppError> {
    diesel::update(plans::table.filter(plans::id.eq(plan.id)))
        .set((
            plans::status.eq(PlanStatus::Approved.as_str()),
            plans::approved_at.eq(ps.now),
            plans::approved_version.eq(plan.version),
        ))
        .execute(conn)?;
    // Staff commitments are the service's own: binding with the plan.
    diesel::update(
        plan_commitments::table
            .filter(plan_commitments::plan_id.eq(plan.id))
            .filter(plan_commitments::user_id.is_not_null())
            .filter(plan_commitments::status.eq(CommitmentStatus::Open.as_str())),
    )
    .set((
        plan_commitments::status.eq(CommitmentStatus::Confirmed.as_str()),
        plan_commitments::confirmed_at.eq(ps.now),
    ))
    .execute(conn)?;
    let due: Vec<(Uuid, NaiveDate)> = plan_commitments::table
        .filter(plan_commitments::plan_id.eq(plan.id))
        .filter(plan_commitments::removed_at.is_null())
        .filter(plan_commitments::status.ne(CommitmentStatus::Done.as_str()))
        .select((plan_commitments::id, plan_commitments::due_on))
        .load(conn)?;
    for (id, due_on) in due {
        schedule::commitment(conn, tenant, id, due_on, ps)?;
    }
    new_version(conn, tenant, plan.id, "approved", by, ps.now)?;
    let approved = plan_of(conn, plan.council_id, false)?;
    extend_links(conn, settings, tenant, &approved, ps.now)?;
    move_council(conn, council, PlanEvent::Approved, ps.now)?;
    Ok(())
}

/// Whether everyone asked has approved this version of a network council's plan (and the child,
/// when asked, agrees); if so, it is approved. Returns whether it was.
fn approve_if_all(
    conn: &mut PgConnection,
    scope: &Scope<'_>,
    plan: &Plan,
) -> Result<bool, AppError> {
    let team = team(conn, plan.council_id)?;
    let needed = asked_to_approve(conn, plan.id, &team)?;
    let confirmed = confirmed_by(conn, plan.id, plan.version)?;
    let (child, _) = child_answer(conn, plan.id, plan.version, scope.ps.now)?;
    if rules::network_approved(&needed, &confirmed, child) {
        approve(
            conn,
            scope.settings,
            scope.tenant,
            scope.council,
            plan,
            None,
            scope.ps,
        )?;
        return Ok(true);
    }
    Ok(false)
}

/// A participant approves the plan, confirming their own commitments ("I commit to …"): through
/// their link, or by phone or in person with the staff member who recorded it (`recorded`). An
/// objection they made to this version is withdrawn by it. `shown` is the version their page
/// showed (or that was read to them). When everyone asked has approved (and the child agrees),
/// the network council's plan is approved. Returns whether it was.
pub fn participant_confirms(
    conn: &mut PgConnection,
    scope: &Scope<'_>,
    plan: &Plan,
    participant: Uuid,
    shown: i32,
    recorded: Option<(Uuid, AnsweredHow)>,
) -> Result<Answered, AppError> {
    if rules::approver(scope.council.kind) != Approver::Network {
        return Err(rules::approved_by_service());
    }
    rules::same_version(shown, plan.version)?;
    // Approving twice (a double click, a second tab) is done already — even when the first
    // approval was the last one needed and the plan is approved now.
    if confirmed_by(conn, plan.id, plan.version)?.contains(&participant) {
        return Ok(Answered::Already);
    }
    rules::awaiting(plan.status)?;
    let team = team(conn, plan.council_id)?;
    let needed = asked_to_approve(conn, plan.id, &team)?;
    rules::may_confirm(
        scope.council.kind,
        needed.contains(&participant),
        confirmed_by(conn, plan.id, plan.version)?.contains(&participant),
    )?;
    insert_approval(
        conn,
        scope.tenant,
        plan,
        Approval {
            kind: ApprovalKind::ParticipantConfirmed,
            participant: Some(participant),
            user: recorded.map(|(by, _)| by),
            reason: None,
            safety_ensured: None,
            child_link: None,
            recorded_how: recorded.map(|(_, how)| how),
        },
    )?;
    diesel::update(
        plan_commitments::table
            .filter(plan_commitments::plan_id.eq(plan.id))
            .filter(plan_commitments::participant_id.eq(participant))
            .filter(plan_commitments::removed_at.is_null())
            .filter(plan_commitments::status.eq(CommitmentStatus::Open.as_str())),
    )
    .set((
        plan_commitments::status.eq(CommitmentStatus::Confirmed.as_str()),
        plan_commitments::confirmed_at.eq(scope.ps.now),
    ))
    .execute(conn)?;
    Ok(Answered::Recorded {
        plan_approved: approve_if_all(conn, scope, plan)?,
    })
}

/// What an answer through a link came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    /// Written now; `plan_approved` when it was the last approval the plan needed.
    Recorded { plan_approved: bool },
    /// The same answer to the same version was given before: nothing to write, and a success.
    Already,
}

/// A participant says "I have objections" to the version `shown`, with a comment: through their
/// link, or by phone or in person (`recorded`, as for [`participant_confirms`]). The plan stays
/// awaiting approval; the objection shows on the plan until they approve or approval is closed.
pub fn participant_objects(
    conn: &mut PgConnection,
    scope: &Scope<'_>,
    plan: &Plan,
    participant: Uuid,
    shown: i32,
    comment: &str,
    recorded: Option<(Uuid, AnsweredHow)>,
) -> Result<(), AppError> {
    if rules::approver(scope.council.kind) != Approver::Network {
        return Err(rules::approved_by_service());
    }
    rules::same_version(shown, plan.version)?;
    rules::awaiting(plan.status)?;
    let team = team(conn, plan.council_id)?;
    let needed = asked_to_approve(conn, plan.id, &team)?;
    rules::may_confirm(
        scope.council.kind,
        needed.contains(&participant),
        confirmed_by(conn, plan.id, plan.version)?.contains(&participant),
    )?;
    insert_approval(
        conn,
        scope.tenant,
        plan,
        Approval {
            kind: ApprovalKind::ParticipantObjected,
            participant: Some(participant),
            user: recorded.map(|(by, _)| by),
            reason: Some(comment),
            safety_ensured: None,
            child_link: None,
            recorded_how: recorded.map(|(_, how)| how),
        },
    )
}

/// The child answers through the child's link to the version `shown`: "I agree" or "I want to
/// talk about it", with the child's own words if any. Only while a network council's plan
/// awaits approval; agreeing may complete the approval. Returns whether the plan was approved.
pub fn child_answers(
    conn: &mut PgConnection,
    scope: &Scope<'_>,
    plan: &Plan,
    link: Uuid,
    shown: i32,
    agreed: bool,
    words: Option<&str>,
) -> Result<Answered, AppError> {
    if rules::approver(scope.council.kind) != Approver::Network {
        return Err(rules::approved_by_service());
    }
    rules::same_version(shown, plan.version)?;
    // The same answer again (a double click, a second tab), with no new words: done already,
    // even when the first was the agreement that approved the plan.
    let (latest, said) = child_answer(conn, plan.id, plan.version, scope.ps.now)?;
    let same = matches!(
        (latest, agreed),
        (rules::ChildAnswer::Agreed, true) | (rules::ChildAnswer::WantsToTalk, false)
    );
    if same && words.is_none_or(|w| said.as_deref() == Some(w)) {
        return Ok(Answered::Already);
    }
    rules::awaiting(plan.status)?;
    insert_approval(
        conn,
        scope.tenant,
        plan,
        Approval {
            kind: if agreed {
                ApprovalKind::ChildAgreed
            } else {
                ApprovalKind::ChildWantsToTalk
            },
            participant: None,
            user: None,
            reason: words,
            safety_ensured: None,
            child_link: Some(link),
            recorded_how: None,
        },
    )?;
    Ok(Answered::Recorded {
        plan_approved: agreed && approve_if_all(conn, scope, plan)?,
    })
}

/// The coordinator takes a plan awaiting approval back to draft to change it. The approvals so
/// far belong to the version that was sent and no longer count (the plan has a new version);
/// those who had approved are told, neutrally, that the plan changed. Returns how many.
pub fn take_back(
    conn: &mut PgConnection,
    scope: &Scope<'_>,
    plan: &Plan,
    user: Option<Uuid>,
) -> Result<usize, AppError> {
    rules::may_take_back(plan.status, user == Some(scope.council.coordinator_id))?;
    let approved = confirmed_by(conn, plan.id, plan.version)?;
    diesel::update(plans::table.filter(plans::id.eq(plan.id)))
        .set(plans::status.eq(PlanStatus::Draft.as_str()))
        .execute(conn)?;
    let version = new_version(
        conn,
        scope.tenant,
        plan.id,
        "taken_back",
        user,
        scope.ps.now,
    )?;
    for participant in &approved {
        schedule::plan_changed(
            conn,
            scope.tenant,
            plan.id,
            *participant,
            version,
            scope.ps.now,
        )?;
    }
    Ok(approved.len())
}

/// The coordinator closes a network council's approval with a reason (someone cannot be reached,
/// or the network agreed in the meeting): the plan is approved as it stands.
pub fn coordinator_closes(
    conn: &mut PgConnection,
    scope: &Scope<'_>,
    plan: &Plan,
    user: Option<Uuid>,
    reason: &str,
) -> Result<usize, AppError> {
    let (settings, tenant, council, ps) = (scope.settings, scope.tenant, scope.council, scope.ps);
    rules::awaiting(plan.status)?;
    rules::coordinator_may_close(council.kind)?;
    if user != Some(council.coordinator_id) {
        return Err(AppError::Forbidden);
    }
    insert_approval(
        conn,
        tenant,
        plan,
        Approval {
            kind: ApprovalKind::CoordinatorClosed,
            participant: None,
            user,
            reason: Some(reason),
            safety_ensured: None,
            child_link: None,
            recorded_how: None,
        },
    )?;
    // What nobody confirmed is marked so; its reminders go to the coordinator.
    let unconfirmed = diesel::update(
        plan_commitments::table
            .filter(plan_commitments::plan_id.eq(plan.id))
            .filter(plan_commitments::participant_id.is_not_null())
            .filter(plan_commitments::removed_at.is_null())
            .filter(plan_commitments::status.eq(CommitmentStatus::Open.as_str())),
    )
    .set(plan_commitments::unconfirmed_at_closing.eq(true))
    .execute(conn)?;
    approve(conn, settings, tenant, council, plan, user, ps)?;
    Ok(unconfirmed)
}

/// The caseworker approves a family group conference's plan, recording that the child's safety
/// is ensured.
pub fn caseworker_approves(
    conn: &mut PgConnection,
    scope: &Scope<'_>,
    plan: &Plan,
    user: Option<Uuid>,
    note: Option<&str>,
) -> Result<(), AppError> {
    let (settings, tenant, council, ps) = (scope.settings, scope.tenant, scope.council, scope.ps);
    rules::awaiting(plan.status)?;
    rules::caseworker_may_approve(council.kind)?;
    insert_approval(
        conn,
        tenant,
        plan,
        Approval {
            kind: ApprovalKind::CaseworkerApproved,
            participant: None,
            user,
            reason: note,
            safety_ensured: Some(true),
            child_link: None,
            recorded_how: None,
        },
    )?;
    approve(conn, settings, tenant, council, plan, user, ps)
}

/// The caseworker returns a family group conference's plan with a reason: it is a draft again.
pub fn caseworker_returns(
    conn: &mut PgConnection,
    tenant: TenantId,
    council: &Council,
    plan: &Plan,
    user: Option<Uuid>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    rules::awaiting(plan.status)?;
    rules::caseworker_may_return(council.kind)?;
    insert_approval(
        conn,
        tenant,
        plan,
        Approval {
            kind: ApprovalKind::CaseworkerReturned,
            participant: None,
            user,
            reason: Some(reason),
            safety_ensured: None,
            child_link: None,
            recorded_how: None,
        },
    )?;
    diesel::update(plans::table.filter(plans::id.eq(plan.id)))
        .set(plans::status.eq(PlanStatus::Draft.as_str()))
        .execute(conn)?;
    new_version(conn, tenant, plan.id, "returned", user, now)?;
    Ok(())
}

/// Records when and how the plan is evaluated. Commitments due after the date are refused unless
/// confirmed (they are then marked as such); the evaluation-due job is (re)scheduled.
pub fn define_evaluation(
    conn: &mut PgConnection,
    scope: &Scope<'_>,
    plan: &Plan,
    evaluation: &EvaluationPlan,
    by: Option<Uuid>,
) -> Result<(), AppError> {
    let (settings, tenant, council, ps) = (scope.settings, scope.tenant, scope.council, scope.ps);
    rules::evaluation_definable(plan.status)?;
    let later: Vec<Uuid> = plan_commitments::table
        .filter(plan_commitments::plan_id.eq(plan.id))
        .filter(plan_commitments::removed_at.is_null())
        .filter(plan_commitments::status.ne(CommitmentStatus::Done.as_str()))
        .filter(plan_commitments::due_on.gt(evaluation.on))
        .filter(plan_commitments::beyond_evaluation.eq(false))
        .select(plan_commitments::id)
        .load(conn)?;
    if !later.is_empty() && !evaluation.confirm_later_commitments {
        return Err(AppError::field(
            "evaluation_on",
            format!(
                "{} commitment(s) are due after this date; choose a later date or confirm them with confirm_later_commitments",
                later.len()
            ),
        ));
    }
    diesel::update(plan_commitments::table.filter(plan_commitments::id.eq_any(&later)))
        .set(plan_commitments::beyond_evaluation.eq(true))
        .execute(conn)?;
    diesel::update(plans::table.filter(plans::id.eq(plan.id)))
        .set((
            plans::evaluation_on.eq(evaluation.on),
            plans::evaluation_way.eq(evaluation.way.as_str()),
            plans::evaluation_defined_at.eq(ps.now),
        ))
        .execute(conn)?;
    new_version(conn, tenant, plan.id, "evaluation_defined", by, ps.now)?;
    schedule::evaluation_due(conn, tenant, plan.id, evaluation.on, ps)?;
    let updated = plan_of(conn, plan.council_id, false)?;
    extend_links(conn, settings, tenant, &updated, ps.now)?;
    move_council(conn, council, PlanEvent::EvaluationDefined, ps.now)?;
    Ok(())
}

/// Marks a commitment done with a comment. A recurring one is done for this time: its next due
/// date follows, until the evaluation; the last time (or a one-off) is done for good. `by` is the
/// staff member marking it (none through a participant's link): staff may mark done a commitment
/// nobody confirmed before approval was closed, since the coordinator follows it up; it is kept
/// as marked by them.
pub fn mark_done(
    conn: &mut PgConnection,
    tenant: TenantId,
    plan: &Plan,
    commitment: Uuid,
    comment: Option<&str>,
    by: Option<Uuid>,
    ps: &PlanSettings,
) -> Result<(), AppError> {
    rules::may_mark_done(plan.status, CommitmentStatus::Confirmed)?;
    let row: Option<(String, NaiveDate, Option<i32>, bool)> = plan_commitments::table
        .filter(plan_commitments::plan_id.eq(plan.id))
        .filter(plan_commitments::id.eq(commitment))
        .filter(plan_commitments::removed_at.is_null())
        .select((
            plan_commitments::status,
            plan_commitments::due_on,
            plan_commitments::every_days,
            plan_commitments::unconfirmed_at_closing,
        ))
        .for_update()
        .first(conn)
        .optional()?;
    let (status, due_on, every, unconfirmed) = row.ok_or(AppError::NotFound)?;
    let status = stored(CommitmentStatus::parse, &status)?;
    let followed_by_staff = unconfirmed && status == CommitmentStatus::Open && by.is_some();
    if !followed_by_staff {
        rules::may_mark_done(plan.status, status)?;
    }
    if followed_by_staff {
        // Done is past confirmed: it counts as confirmed from when staff marked it.
        diesel::update(plan_commitments::table.filter(plan_commitments::id.eq(commitment)))
            .set((
                plan_commitments::status.eq(CommitmentStatus::Confirmed.as_str()),
                plan_commitments::confirmed_at.eq(ps.now),
            ))
            .execute(conn)?;
    }
    let next = every
        .and_then(|n| due_on.checked_add_days(chrono::Days::new(u64::try_from(n).unwrap_or(1))))
        .map(|d| d.max(ps.today))
        .filter(|d| plan.evaluation_on.is_none_or(|e| *d <= e));
    diesel::update(plan_commitments::table.filter(plan_commitments::id.eq(commitment)))
        .set((
            plan_commitments::status.eq(if next.is_some() {
                CommitmentStatus::Confirmed.as_str()
            } else {
                CommitmentStatus::Done.as_str()
            }),
            plan_commitments::done_at.eq(ps.now),
            plan_commitments::done_comment.eq(comment),
            plan_commitments::times_done.eq(plan_commitments::times_done + 1),
            plan_commitments::due_on.eq(next.unwrap_or(due_on)),
            plan_commitments::done_by.eq(by),
        ))
        .execute(conn)?;

    match next {
        Some(next) => schedule::commitment(conn, tenant, commitment, next, ps)?,
        None => schedule::cancel_commitment(conn, tenant, commitment)?,
    };
    Ok(())
}

/// A follow-up the plan's jobs opened: its row, the new council (if the network chose one) and
/// the meeting proposed for the evaluation date (in the new council, or the council's own).
#[derive(Debug, Clone, Copy)]
pub struct OpenedFollowUp {
    pub id: Uuid,
    pub new_council: Option<Uuid>,
    pub meeting: Option<Uuid>,
}

/// What the follow-up jobs open for the agreed evaluation: a new council of the same kind for the
/// same case with the team carried over and the plan carried into it as a draft (asked of
/// councils), a follow-up meeting of the council, or the caseworker's review as a record to
/// hold; the meeting is proposed for the evaluation date. Returns `None` when a follow-up for
/// that date is open already (the job ran twice, or the opening job ran before the due one).
pub fn open_follow_up(
    conn: &mut PgConnection,
    tenant: TenantId,
    plan: &Plan,
    now: DateTime<Utc>,
) -> Result<Option<OpenedFollowUp>, AppError> {
    let (Some(due_on), Some(way)) = (plan.evaluation_on, plan.evaluation_way) else {
        return Ok(None);
    };
    let already: bool = diesel::select(exists(
        plan_follow_ups::table
            .filter(plan_follow_ups::plan_id.eq(plan.id))
            .filter(plan_follow_ups::due_on.eq(due_on)),
    ))
    .get_result(conn)?;
    if already {
        return Ok(None);
    }
    let (new_council, meeting) = match way {
        EvaluationWay::NewCouncil => {
            let opened = crate::councils::actions::open_follow_up_council(
                conn,
                tenant,
                plan.case_id,
                plan.council_id,
                due_on,
            )?;
            carry_over(conn, tenant, plan, &opened)?;
            (Some(opened.council_id), Some(opened.meeting_id))
        }
        EvaluationWay::FollowUpMeeting => (
            None,
            Some(crate::councils::actions::propose_follow_up_meeting(
                conn,
                tenant,
                plan.case_id,
                plan.council_id,
                due_on,
            )?),
        ),
        EvaluationWay::CaseworkerReview => (None, None),
    };
    let id = Uuid::now_v7();
    diesel::insert_into(plan_follow_ups::table)
        .values((
            plan_follow_ups::tenant_id.eq(tenant.0),
            plan_follow_ups::id.eq(id),
            plan_follow_ups::plan_id.eq(plan.id),
            plan_follow_ups::case_id.eq(plan.case_id),
            plan_follow_ups::way.eq(way.as_str()),
            plan_follow_ups::due_on.eq(due_on),
            plan_follow_ups::new_council_id.eq(new_council),
            plan_follow_ups::meeting_id.eq(meeting),
        ))
        .execute(conn)?;
    let council =
        crate::councils::queries::council(conn, tenant, plan.case_id, plan.council_id, false)?;
    move_council(conn, &council, PlanEvent::EvaluationDue, now)?;
    Ok(Some(OpenedFollowUp {
        id,
        new_council,
        meeting,
    }))
}

/// The plan carried into the follow-up council as a draft that follows it: its goals as they
/// stand, the commitments not done (each with the same person on the new team, open again for
/// them to confirm) and who follows up.
fn carry_over(
    conn: &mut PgConnection,
    tenant: TenantId,
    plan: &Plan,
    opened: &crate::councils::queries::FollowUpCouncil,
) -> Result<Uuid, AppError> {
    let on_new_team = |p: Uuid| {
        opened
            .team
            .iter()
            .find(|(old, _)| *old == p)
            .map(|(_, new)| *new)
    };
    let coordinator = crate::councils::queries::owner(conn, plan.council_id)?.coordinator_id;
    let (follow_participant, follow_user) = match plan.follow_up {
        Some(Owner::Participant(p)) => (on_new_team(p), None),
        Some(Owner::Staff(u)) => (None, Some(u)),
        None => (None, None),
    };
    let id = Uuid::now_v7();
    diesel::insert_into(plans::table)
        .values((
            plans::tenant_id.eq(tenant.0),
            plans::id.eq(id),
            plans::council_id.eq(opened.council_id),
            plans::case_id.eq(plan.case_id),
            plans::created_by.eq(coordinator),
            plans::follows_plan_id.eq(plan.id),
            plans::follow_up_participant_id.eq(follow_participant),
            plans::follow_up_user_id.eq(follow_user),
        ))
        .execute(conn)?;
    let goals: Vec<(i16, String, String)> = plan_goals::table
        .filter(plan_goals::plan_id.eq(plan.id))
        .filter(plan_goals::removed_at.is_null())
        .order(plan_goals::position)
        .select((plan_goals::position, plan_goals::text, plan_goals::author))
        .load(conn)?;
    for (position, text, author) in goals {
        diesel::insert_into(plan_goals::table)
            .values((
                plan_goals::tenant_id.eq(tenant.0),
                plan_goals::id.eq(Uuid::now_v7()),
                plan_goals::plan_id.eq(id),
                plan_goals::position.eq(position),
                plan_goals::text.eq(text),
                plan_goals::author.eq(author),
            ))
            .execute(conn)?;
    }
    type Open = (Option<Uuid>, Option<Uuid>, String, NaiveDate, Option<i32>);
    let open: Vec<Open> = plan_commitments::table
        .filter(plan_commitments::plan_id.eq(plan.id))
        .filter(plan_commitments::removed_at.is_null())
        .filter(plan_commitments::status.ne(CommitmentStatus::Done.as_str()))
        .order(plan_commitments::created_at)
        .select((
            plan_commitments::participant_id,
            plan_commitments::user_id,
            plan_commitments::text,
            plan_commitments::due_on,
            plan_commitments::every_days,
        ))
        .load(conn)?;
    for (participant, user, text, due_on, every) in open {
        let participant = match participant {
            Some(p) => match on_new_team(p) {
                Some(new) => Some(new),
                None => continue,
            },
            None => None,
        };
        diesel::insert_into(plan_commitments::table)
            .values((
                plan_commitments::tenant_id.eq(tenant.0),
                plan_commitments::id.eq(Uuid::now_v7()),
                plan_commitments::plan_id.eq(id),
                plan_commitments::council_id.eq(opened.council_id),
                plan_commitments::participant_id.eq(participant),
                plan_commitments::user_id.eq(user),
                plan_commitments::text.eq(text),
                plan_commitments::due_on.eq(due_on),
                plan_commitments::every_days.eq(every),
                plan_commitments::status.eq(CommitmentStatus::Open.as_str()),
            ))
            .execute(conn)?;
    }
    write_version(conn, tenant, id, 1, "carried_over", None)?;
    Ok(id)
}

/// The follow-up took place: if no evaluation is recorded within the service's days, the
/// coordinator hears of it.
pub fn follow_up_held(
    conn: &mut PgConnection,
    tenant: TenantId,
    plan: &Plan,
    follow_up: Uuid,
    held_on: NaiveDate,
    ps: &PlanSettings,
) -> Result<(), AppError> {
    rules::not_closed(plan.status)?;
    let documented: Option<Option<DateTime<Utc>>> = plan_follow_ups::table
        .filter(plan_follow_ups::plan_id.eq(plan.id))
        .filter(plan_follow_ups::id.eq(follow_up))
        .select(plan_follow_ups::documented_at)
        .first(conn)
        .optional()?;
    rules::follow_up_undocumented(documented.ok_or(AppError::NotFound)?.is_some())?;
    diesel::update(plan_follow_ups::table.filter(plan_follow_ups::id.eq(follow_up)))
        .set(plan_follow_ups::held_on.eq(held_on))
        .execute(conn)?;
    schedule::undocumented(conn, tenant, plan.id, follow_up, held_on, ps)?;
    Ok(())
}

/// Records an evaluation. Every goal of the plan gets its result; the open follow-up is
/// documented (its chase cancelled); with a next date the plan goes on and its evaluation-due job
/// moves there.
pub fn record_evaluation(
    conn: &mut PgConnection,
    scope: &Scope<'_>,
    plan: &Plan,
    new: &NewEvaluation,
    by: Uuid,
) -> Result<Uuid, AppError> {
    let (settings, tenant, council, ps) = (scope.settings, scope.tenant, scope.council, scope.ps);
    rules::evaluable(plan.status)?;
    let live: Vec<Uuid> = goals(conn, plan.id)?.into_iter().map(|g| g.id).collect();
    for (i, (goal, _, _)) in new.goals.iter().enumerate() {
        if !live.contains(goal) {
            return Err(AppError::field(
                &format!("goals[{i}].goal_id"),
                "not a goal of this plan",
            ));
        }
    }
    if let Some(missing) = live
        .iter()
        .find(|g| !new.goals.iter().any(|(id, _, _)| id == *g))
    {
        return Err(AppError::field(
            "goals",
            format!("every goal of the plan is evaluated; goal {missing} has no result"),
        ));
    }
    let follow_up: Option<Uuid> = plan_follow_ups::table
        .filter(plan_follow_ups::plan_id.eq(plan.id))
        .filter(plan_follow_ups::documented_at.is_null())
        .order(plan_follow_ups::due_on.desc())
        .select(plan_follow_ups::id)
        .first(conn)
        .optional()?;
    let id = Uuid::now_v7();
    diesel::insert_into(plan_evaluations::table)
        .values((
            plan_evaluations::tenant_id.eq(tenant.0),
            plan_evaluations::id.eq(id),
            plan_evaluations::plan_id.eq(plan.id),
            plan_evaluations::follow_up_id.eq(follow_up),
            plan_evaluations::held_on.eq(new.held_on),
            plan_evaluations::took_part.eq(&new.took_part),
            plan_evaluations::child_view.eq(&new.child_view),
            plan_evaluations::parents_view.eq(&new.parents_view),
            plan_evaluations::decision.eq(new.decision.as_str()),
            plan_evaluations::next_evaluation_on.eq(new.next_evaluation_on),
            plan_evaluations::recorded_by.eq(by),
        ))
        .execute(conn)?;
    for (goal, result, note) in &new.goals {
        diesel::insert_into(plan_evaluation_goals::table)
            .values((
                plan_evaluation_goals::tenant_id.eq(tenant.0),
                plan_evaluation_goals::evaluation_id.eq(id),
                plan_evaluation_goals::plan_id.eq(plan.id),
                plan_evaluation_goals::goal_id.eq(goal),
                plan_evaluation_goals::result.eq(result.as_str()),
                plan_evaluation_goals::note.eq(note),
            ))
            .execute(conn)?;
    }
    if let Some(f) = follow_up {
        let held: Option<NaiveDate> = plan_follow_ups::table
            .filter(plan_follow_ups::id.eq(f))
            .select(plan_follow_ups::held_on)
            .first(conn)?;
        diesel::update(plan_follow_ups::table.filter(plan_follow_ups::id.eq(f)))
            .set((
                plan_follow_ups::documented_at.eq(ps.now),
                plan_follow_ups::held_on.eq(held.unwrap_or(new.held_on)),
            ))
            .execute(conn)?;
        schedule::cancel_undocumented(conn, tenant, f)?;
    }
    match new.next_evaluation_on {
        Some(next) => {
            diesel::update(plans::table.filter(plans::id.eq(plan.id)))
                .set(plans::evaluation_on.eq(next))
                .execute(conn)?;
            if plan.evaluation_way.is_none() {
                diesel::update(plans::table.filter(plans::id.eq(plan.id)))
                    .set(plans::evaluation_way.eq(EvaluationWay::FollowUpMeeting.as_str()))
                    .execute(conn)?;
            }
            schedule::evaluation_due(conn, tenant, plan.id, next, ps)?;
        }
        None => {
            schedule::cancel_evaluation_due(conn, tenant, plan.id)?;
        }
    }
    new_version(conn, tenant, plan.id, "evaluated", Some(by), ps.now)?;
    let updated = plan_of(conn, plan.council_id, false)?;
    extend_links(conn, settings, tenant, &updated, ps.now)?;
    move_council(conn, council, PlanEvent::Evaluated(new.decision), ps.now)?;
    Ok(id)
}

/// Closes the plan; refused without an evaluation. Nothing of it is sent afterwards.
pub fn close(
    conn: &mut PgConnection,
    tenant: TenantId,
    council: &Council,
    plan: &Plan,
    reason: Option<&str>,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let count: i64 = plan_evaluations::table
        .filter(plan_evaluations::plan_id.eq(plan.id))
        .count()
        .get_result(conn)?;
    rules::may_close(plan.status, usize::try_from(count).unwrap_or(0))?;
    diesel::update(plans::table.filter(plans::id.eq(plan.id)))
        .set((
            plans::status.eq(PlanStatus::Closed.as_str()),
            plans::closed_at.eq(now),
            plans::closed_reason.eq(reason),
        ))
        .execute(conn)?;
    schedule::cancel_all(conn, tenant, plan.id)?;
    new_version(conn, tenant, plan.id, "closed", by, now)?;
    move_council(conn, council, PlanEvent::Closed, now)?;
    Ok(())
}

/// The token of child link `id`.
pub fn child_token(settings: &Settings, id: Uuid) -> String {
    LinkToken::<ChildLink>::derive(&settings.token_key(), id).to_string()
}

/// The child's page for `token`.
pub fn child_url(settings: &Settings, token: &str) -> String {
    format!("{}/c/{token}", settings.base_url())
}

/// Creates a link for the child: random id, token derived from it, only its hash kept; it
/// works until a month after the evaluation date (or for half a year).
pub fn create_child_link(
    conn: &mut PgConnection,
    settings: &Settings,
    tenant: TenantId,
    plan: &Plan,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<Uuid, AppError> {
    rules::not_closed(plan.status)?;
    let id = Uuid::new_v4();
    let token = LinkToken::<ChildLink>::derive(&settings.token_key(), id);
    let expires_at = plan
        .evaluation_on
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .map(|t| t.and_utc() + chrono::Duration::days(30))
        .unwrap_or(now + chrono::Duration::days(182))
        .max(now + chrono::Duration::days(30));
    diesel::insert_into(plan_child_links::table)
        .values((
            plan_child_links::tenant_id.eq(tenant.0),
            plan_child_links::id.eq(id),
            plan_child_links::plan_id.eq(plan.id),
            plan_child_links::token_hash.eq(token.hash()),
            plan_child_links::expires_at.eq(expires_at),
            plan_child_links::created_by.eq(by),
        ))
        .execute(conn)?;
    Ok(id)
}

pub fn revoke_child_link(
    conn: &mut PgConnection,
    plan: &Plan,
    link: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    close_open_row!(conn, plan_child_links, plan_id = plan.id, link,
        while revoked_at is null, set revoked_at = now)?;
    Ok(())
}

/// A commitment past its date and not done, in one of a staff member's cases.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OverdueCommitment {
    pub case_id: Uuid,
    pub council_id: Uuid,
    pub commitment_id: Uuid,
    pub text: String,
    pub due_on: NaiveDate,
}

/// The commitments of the plans of `case_ids` in force (approved, not closed) that were due
/// before `today` and are not done, oldest first: one query.
pub fn overdue_commitments(
    conn: &mut PgConnection,
    case_ids: &[Uuid],
    today: NaiveDate,
) -> Result<Vec<OverdueCommitment>, AppError> {
    let rows: Vec<(Uuid, Uuid, Uuid, String, NaiveDate)> = plan_commitments::table
        .inner_join(
            plans::table.on(plans::tenant_id
                .eq(plan_commitments::tenant_id)
                .and(plans::id.eq(plan_commitments::plan_id))),
        )
        .filter(plans::case_id.eq_any(case_ids))
        .filter(plans::status.eq(PlanStatus::Approved.as_str()))
        .filter(plan_commitments::removed_at.is_null())
        .filter(plan_commitments::status.ne(CommitmentStatus::Done.as_str()))
        .filter(plan_commitments::due_on.lt(today))
        .order((plan_commitments::due_on, plan_commitments::id))
        .select((
            plans::case_id,
            plans::council_id,
            plan_commitments::id,
            plan_commitments::text,
            plan_commitments::due_on,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(case_id, council_id, commitment_id, text, due_on)| OverdueCommitment {
                case_id,
                council_id,
                commitment_id,
                text,
                due_on,
            },
        )
        .collect())
}

/// A plan whose agreed evaluation falls due soon (or is past), in one of a staff member's cases.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct EvaluationComing {
    pub case_id: Uuid,
    pub council_id: Uuid,
    pub evaluation_on: NaiveDate,
}

/// The plans of `case_ids` not closed whose evaluation date is on or before `until`, soonest
/// first: one query.
pub fn evaluations_due(
    conn: &mut PgConnection,
    case_ids: &[Uuid],
    until: NaiveDate,
) -> Result<Vec<EvaluationComing>, AppError> {
    let rows: Vec<(Uuid, Uuid, Option<NaiveDate>)> = plans::table
        .filter(plans::case_id.eq_any(case_ids))
        .filter(plans::status.ne(PlanStatus::Closed.as_str()))
        .filter(plans::evaluation_on.le(until))
        .order((plans::evaluation_on, plans::id))
        .select((plans::case_id, plans::council_id, plans::evaluation_on))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(case_id, council_id, on)| {
            on.map(|evaluation_on| EvaluationComing {
                case_id,
                council_id,
                evaluation_on,
            })
        })
        .collect())
}
