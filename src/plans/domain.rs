//! A plan's vocabulary and its input, parsed once at the edge: past the handler a goal has its
//! author, a commitment names exactly one person (someone on the team or a staff member), a date
//! is a date, an evaluation has a result for each goal it mentions, and every text is trimmed and
//! bounded.
//!
//! Request structs take strings (and `flag` fields that accept both JSON values and form text),
//! so the JSON API and the HTML forms share them and their parsing.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::cases::domain::{Errors, long_text};
use crate::councils::domain::{blank_to_none, flag, number};
use crate::vocabulary::vocabulary;
use crate::web::problem::AppError;

vocabulary! {
    /// Where a plan stands. It is drafted, sent for approval, approved (and then followed up and
    /// evaluated), and closed once an evaluation says so.
    pub enum PlanStatus ("plan status") {
        Draft => "draft", "Utkast", "Draft";
        AwaitingApproval => "awaiting_approval", "Venter på godkjenning", "Awaiting approval";
        Approved => "approved", "Godkjent", "Approved";
        Closed => "closed", "Avsluttet", "Closed";
    }
}

vocabulary! {
    /// Who wrote a goal. The child's own words come first (S4: the child owns the process).
    pub enum GoalAuthor ("author") {
        Child => "child", "Barnet selv", "The child";
        CoordinatorWithChild => "coordinator_with_child", "Koordinator sammen med barnet", "The coordinator with the child";
        ParentHelping => "parent_helping", "Forelder som hjelper barnet", "A parent helping the child";
        Family => "family", "Familien", "The family";
        Network => "network", "Nettverket", "The network";
        Caseworker => "caseworker", "Saksbehandler", "The caseworker";
    }
}

vocabulary! {
    /// Where a commitment stands: agreed in the plan, confirmed by the person, done.
    pub enum CommitmentStatus ("commitment status") {
        Open => "open", "Ikke bekreftet", "Not confirmed";
        Confirmed => "confirmed", "Bekreftet", "Confirmed";
        Done => "done", "Gjort", "Done";
    }
}

vocabulary! {
    /// How a plan was approved or returned.
    pub enum ApprovalKind ("approval") {
        ParticipantConfirmed => "participant_confirmed", "Godkjent av deltaker", "Approved by a participant";
        ParticipantObjected => "participant_objected", "Innvendinger fra deltaker", "Objections from a participant";
        ChildAgreed => "child_agreed", "Barnet er enig", "The child agrees";
        ChildWantsToTalk => "child_wants_to_talk", "Barnet vil snakke om det", "The child wants to talk about it";
        CoordinatorClosed => "coordinator_closed", "Godkjenning avsluttet av koordinator", "Approval closed by the coordinator";
        CaseworkerApproved => "caseworker_approved", "Godkjent av saksbehandler", "Approved by the caseworker";
        CaseworkerReturned => "caseworker_returned", "Sendt tilbake av saksbehandler", "Returned by the caseworker";
    }
}

vocabulary! {
    /// How the plan is evaluated (S4: "når og hvordan planen skal evalueres").
    pub enum EvaluationWay ("evaluation way") {
        NewCouncil => "new_council", "Et nytt råd", "A new council";
        FollowUpMeeting => "follow_up_meeting", "Et oppfølgingsmøte", "A follow-up meeting";
        CaseworkerReview => "caseworker_review", "Gjennomgang ved saksbehandler", "A review by the caseworker";
    }
}

vocabulary! {
    /// How far a goal was reached.
    pub enum GoalResult ("result") {
        Met => "met", "Nådd", "Met";
        Partly => "partly", "Delvis nådd", "Partly met";
        NotMet => "not_met", "Ikke nådd", "Not met";
    }
}

vocabulary! {
    /// What the evaluation decided.
    pub enum Decision ("decision") {
        Continue => "continue", "Fortsette planen", "Continue the plan";
        Adjust => "adjust", "Justere planen", "Adjust the plan";
        End => "end", "Avslutte planen", "End the plan";
        NewMeasure => "new_measure", "Nytt tiltak", "A new measure";
    }
}

fn parse_uuid(input: &str) -> Result<Uuid, String> {
    input
        .trim()
        .parse()
        .map_err(|_| "not a valid id".to_owned())
}

/// A calendar date, `2027-05-14`.
pub fn parse_date(input: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(input.trim(), "%Y-%m-%d")
        .map_err(|_| "a date is written YYYY-MM-DD, e.g. 2027-05-14".to_owned())
}

fn optional_long(input: Option<&str>, max: usize) -> Result<Option<String>, String> {
    blank_to_none(input).map(|t| long_text(t, max)).transpose()
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct GoalRequest {
    /// In the child's words where possible.
    #[serde(default)]
    #[schema(required, min_length = 1, max_length = 2000)]
    pub text: String,
    /// child, coordinator_with_child, parent_helping, family, network or caseworker.
    #[serde(default)]
    #[schema(required, value_type = GoalAuthor)]
    pub author: String,
}

#[derive(Debug, Clone)]
pub struct NewGoal {
    pub text: String,
    pub author: GoalAuthor,
}

impl NewGoal {
    pub fn parse(req: &GoalRequest) -> Result<Self, AppError> {
        let mut e = Errors::default();
        let text = e.take("text", long_text(&req.text, 2000));
        let author = e.take("author", GoalAuthor::parse(&req.author));
        let (Some(text), Some(author)) = (text, author) else {
            return Err(e.into_error());
        };
        Ok(Self { text, author })
    }
}

/// Who a commitment or the follow-up belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// Someone on the council's team.
    Participant(Uuid),
    /// A staff member of the service.
    Staff(Uuid),
}

fn owner(participant: Option<&str>, user: Option<&str>) -> Result<Owner, AppError> {
    match (blank_to_none(participant), blank_to_none(user)) {
        (Some(p), None) => parse_uuid(p)
            .map(Owner::Participant)
            .map_err(|m| AppError::field("participant_id", m)),
        (None, Some(u)) => parse_uuid(u)
            .map(Owner::Staff)
            .map_err(|m| AppError::field("user_id", m)),
        _ => Err(AppError::field(
            "participant_id",
            "give exactly one of participant_id (someone on the team) or user_id (a staff member)",
        )),
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CommitmentRequest {
    /// Someone on the council's team.
    #[schema(format = Uuid)]
    pub participant_id: Option<String>,
    /// Or a staff member of the service, assigned to the case.
    #[schema(format = Uuid)]
    pub user_id: Option<String>,
    /// What they will do.
    #[serde(default)]
    #[schema(required, min_length = 1, max_length = 2000)]
    pub text: String,
    /// By when (YYYY-MM-DD); for a recurring commitment, the first time.
    #[serde(default)]
    #[schema(required, format = Date)]
    pub due_on: String,
    /// Recurring every so many days; absent or blank: once.
    #[serde(default, deserialize_with = "number")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 365)]
    pub every_days: Option<String>,
    /// Confirms a due date after the plan's evaluation date, which is refused otherwise.
    #[serde(default, deserialize_with = "flag")]
    #[schema(value_type = Option<bool>)]
    pub beyond_evaluation: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct NewCommitment {
    pub owner: Owner,
    pub text: String,
    pub due_on: NaiveDate,
    pub every_days: Option<i32>,
    pub beyond_evaluation: bool,
}

impl NewCommitment {
    pub fn parse(req: &CommitmentRequest, today: NaiveDate) -> Result<Self, AppError> {
        let mut e = Errors::default();
        let who = owner(req.participant_id.as_deref(), req.user_id.as_deref());
        let owner = match who {
            Ok(o) => Some(o),
            Err(AppError::Validation(fields)) => {
                for f in fields {
                    e.push(&f.field, f.message);
                }
                None
            }
            Err(other) => return Err(other),
        };
        let text = e.take("text", long_text(&req.text, 2000));
        let due_on = e.take(
            "due_on",
            parse_date(&req.due_on).and_then(|d| {
                if d < today {
                    Err("the due date cannot be in the past".to_owned())
                } else {
                    Ok(d)
                }
            }),
        );
        let every_days = e.take(
            "every_days",
            blank_to_none(req.every_days.as_deref())
                .map(|t| match t.trim().parse::<i32>() {
                    Ok(n) if (1..=365).contains(&n) => Ok(n),
                    _ => Err("a recurring commitment repeats every 1 to 365 days".to_owned()),
                })
                .transpose(),
        );
        let (Some(owner), Some(text), Some(due_on), Some(every_days)) =
            (owner, text, due_on, every_days)
        else {
            return Err(e.into_error());
        };
        Ok(Self {
            owner,
            text,
            due_on,
            every_days,
            beyond_evaluation: req.beyond_evaluation.unwrap_or(false),
        })
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct FollowUpOwnerRequest {
    /// Someone on the council's team.
    #[schema(format = Uuid)]
    pub participant_id: Option<String>,
    /// Or a staff member of the service, assigned to the case.
    #[schema(format = Uuid)]
    pub user_id: Option<String>,
}

impl FollowUpOwnerRequest {
    pub fn parse(&self) -> Result<Owner, AppError> {
        owner(self.participant_id.as_deref(), self.user_id.as_deref())
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DoneRequest {
    /// How it went, in the person's words.
    #[schema(max_length = 2000)]
    pub comment: Option<String>,
}

impl DoneRequest {
    pub fn parse(&self) -> Result<Option<String>, AppError> {
        optional_long(self.comment.as_deref(), 2000).map_err(|m| AppError::field("comment", m))
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReasonRequest {
    /// Why; required.
    #[serde(default)]
    #[schema(required, min_length = 1, max_length = 2000)]
    pub reason: String,
}

impl ReasonRequest {
    pub fn parse(&self) -> Result<String, AppError> {
        long_text(&self.reason, 2000).map_err(|m| AppError::field("reason", m))
    }
}

vocabulary! {
    /// What a participant answered to the plan by phone or in person.
    #[schema(as = RecordedPlanAnswer)]
    pub enum RecordedAnswer ("answer to the plan") {
        Confirm => "confirm", "Godkjenner planen og det de skal gjøre", "Approves the plan and what they will do";
        Object => "object", "Har innvendinger", "Has objections";
    }
}

/// A participant's answer to the plan given by phone or in person, recorded on their behalf by
/// the coordinator: they approve it (confirming their commitments) or object, with what they said.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RecordedApprovalRequest {
    /// `confirm` or `object`.
    #[serde(default)]
    #[schema(required, value_type = RecordedAnswer)]
    pub answer: String,
    /// `phone` or `in_person`.
    #[serde(default)]
    #[schema(required, value_type = crate::councils::domain::AnsweredHow)]
    pub how: String,
    /// What they object to; required with `object`.
    #[schema(max_length = 2000)]
    pub comment: Option<String>,
    /// The version of the plan read to them; refused when the plan has changed since.
    #[serde(default, deserialize_with = "number")]
    #[schema(value_type = i32, required, minimum = 1)]
    pub version: Option<String>,
}

/// A recorded answer to the plan, read once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedApproval {
    pub answer: RecordedAnswer,
    pub how: crate::councils::domain::AnsweredHow,
    pub comment: Option<String>,
    pub version: i32,
}

impl RecordedApprovalRequest {
    /// The answer, every wrong field named.
    pub fn parse(&self) -> Result<RecordedApproval, AppError> {
        let mut e = Errors::default();
        let answer = e.take("answer", RecordedAnswer::parse(&self.answer));
        let how = e.take(
            "how",
            crate::councils::domain::AnsweredHow::parse(&self.how),
        );
        let comment = match (answer, blank_to_none(self.comment.as_deref())) {
            (Some(RecordedAnswer::Object), None) => {
                e.push("comment", "required with an objection");
                None
            }
            (Some(RecordedAnswer::Object), Some(text)) => {
                e.take("comment", long_text(text, 2000).map(Some)).flatten()
            }
            _ => None,
        };
        let version = match blank_to_none(self.version.as_deref()) {
            None => {
                e.push("version", "this field is required");
                None
            }
            Some(v) => e.take(
                "version",
                v.trim()
                    .parse::<i32>()
                    .ok()
                    .filter(|v| *v >= 1)
                    .ok_or("a version is a whole number from 1"),
            ),
        };
        match (answer, how, version) {
            (Some(answer), Some(how), Some(version)) if e.is_empty() => Ok(RecordedApproval {
                answer,
                how,
                comment,
                version,
            }),
            _ => Err(e.into_error()),
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CaseworkerApprovalRequest {
    /// The caseworker records that the child's safety is ensured by the plan; required.
    #[serde(default, deserialize_with = "flag")]
    #[schema(value_type = Option<bool>)]
    pub safety_ensured: Option<bool>,
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

impl CaseworkerApprovalRequest {
    pub fn parse(&self) -> Result<Option<String>, AppError> {
        let mut e = Errors::default();
        if self.safety_ensured != Some(true) {
            e.push(
                "safety_ensured",
                "a family group conference's plan is approved only when the child's safety is ensured; confirm it, or return the plan with a reason",
            );
        }
        let note = e.take("note", optional_long(self.note.as_deref(), 2000));
        match note {
            Some(note) if self.safety_ensured == Some(true) => Ok(note),
            _ => Err(e.into_error()),
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct EvaluationPlanRequest {
    /// When the plan is evaluated (YYYY-MM-DD). The proposal follows the service's rule.
    #[serde(default)]
    #[schema(required, format = Date)]
    pub evaluation_on: String,
    /// new_council, follow_up_meeting or caseworker_review.
    #[serde(default)]
    #[schema(required, value_type = EvaluationWay)]
    pub way: String,
    /// Confirms that commitments due after this date stay as they are.
    #[serde(default, deserialize_with = "flag")]
    #[schema(value_type = Option<bool>)]
    pub confirm_later_commitments: Option<bool>,
}

#[derive(Debug, Clone, Copy)]
pub struct EvaluationPlan {
    pub on: NaiveDate,
    pub way: EvaluationWay,
    pub confirm_later_commitments: bool,
}

impl EvaluationPlan {
    pub fn parse(req: &EvaluationPlanRequest, today: NaiveDate) -> Result<Self, AppError> {
        let mut e = Errors::default();
        let on = e.take(
            "evaluation_on",
            parse_date(&req.evaluation_on).and_then(|d| {
                if d <= today {
                    Err("the evaluation date lies ahead".to_owned())
                } else {
                    Ok(d)
                }
            }),
        );
        let way = e.take("way", EvaluationWay::parse(&req.way));
        let (Some(on), Some(way)) = (on, way) else {
            return Err(e.into_error());
        };
        Ok(Self {
            on,
            way,
            confirm_later_commitments: req.confirm_later_commitments.unwrap_or(false),
        })
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct HeldRequest {
    /// When the follow-up took place (YYYY-MM-DD); today if absent.
    #[schema(format = Date)]
    pub held_on: Option<String>,
}

impl HeldRequest {
    pub fn parse(&self, today: NaiveDate) -> Result<NaiveDate, AppError> {
        match blank_to_none(self.held_on.as_deref()) {
            None => Ok(today),
            Some(t) => match parse_date(t) {
                Ok(d) if d <= today => Ok(d),
                Ok(_) => Err(AppError::field(
                    "held_on",
                    "the date cannot be in the future",
                )),
                Err(m) => Err(AppError::field("held_on", m)),
            },
        }
    }
}

/// One goal's result in an evaluation.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct GoalResultRequest {
    #[serde(default)]
    #[schema(required, format = Uuid)]
    pub goal_id: String,
    /// met, partly or not_met.
    #[serde(default)]
    #[schema(required, value_type = GoalResult)]
    pub result: String,
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct EvaluationRequest {
    /// When it took place (YYYY-MM-DD).
    #[serde(default)]
    #[schema(required, format = Date)]
    pub held_on: String,
    /// Who took part.
    #[serde(default)]
    #[schema(required, min_length = 1, max_length = 2000)]
    pub took_part: String,
    /// Each goal of the plan: met, partly or not met.
    #[serde(default)]
    pub goals: Vec<GoalResultRequest>,
    /// The child's view, in the child's words.
    #[serde(default)]
    #[schema(required, min_length = 1, max_length = 4000)]
    pub child_view: String,
    /// The parents' view.
    #[serde(default)]
    #[schema(required, min_length = 1, max_length = 4000)]
    pub parents_view: String,
    /// continue, adjust, end or new_measure.
    #[serde(default)]
    #[schema(required, value_type = Decision)]
    pub decision: String,
    /// The next evaluation (YYYY-MM-DD); required unless the plan ends.
    #[schema(format = Date)]
    pub next_evaluation_on: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewEvaluation {
    pub held_on: NaiveDate,
    pub took_part: String,
    pub goals: Vec<(Uuid, GoalResult, Option<String>)>,
    pub child_view: String,
    pub parents_view: String,
    pub decision: Decision,
    pub next_evaluation_on: Option<NaiveDate>,
}

impl NewEvaluation {
    pub fn parse(req: &EvaluationRequest, today: NaiveDate) -> Result<Self, AppError> {
        let mut e = Errors::default();
        let held_on = e.take(
            "held_on",
            parse_date(&req.held_on).and_then(|d| {
                if d > today {
                    Err("the evaluation cannot be in the future".to_owned())
                } else {
                    Ok(d)
                }
            }),
        );
        let took_part = e.take("took_part", long_text(&req.took_part, 2000));
        let child_view = e.take("child_view", long_text(&req.child_view, 4000));
        let parents_view = e.take("parents_view", long_text(&req.parents_view, 4000));
        let decision = e.take("decision", Decision::parse(&req.decision));
        let next = e.take(
            "next_evaluation_on",
            blank_to_none(req.next_evaluation_on.as_deref())
                .map(|t| {
                    parse_date(t).and_then(|d| {
                        if d <= today {
                            Err("the next evaluation lies ahead".to_owned())
                        } else {
                            Ok(d)
                        }
                    })
                })
                .transpose(),
        );
        let mut goals = Vec::new();
        for (i, g) in req.goals.iter().enumerate() {
            let id = e.take(&format!("goals[{i}].goal_id"), parse_uuid(&g.goal_id));
            let result = e.take(&format!("goals[{i}].result"), GoalResult::parse(&g.result));
            let note = e.take(
                &format!("goals[{i}].note"),
                optional_long(g.note.as_deref(), 2000),
            );
            if let (Some(id), Some(result), Some(note)) = (id, result, note) {
                if goals.iter().any(|(g, _, _)| *g == id) {
                    e.push(
                        &format!("goals[{i}].goal_id"),
                        "each goal is evaluated once",
                    );
                }
                goals.push((id, result, note));
            }
        }
        if let (Some(d), Some(None)) = (decision, next)
            && d != Decision::End
        {
            e.push(
                "next_evaluation_on",
                "give the next evaluation date unless the plan ends",
            );
        }
        let (
            Some(held_on),
            Some(took_part),
            Some(child_view),
            Some(parents_view),
            Some(decision),
            Some(next),
        ) = (held_on, took_part, child_view, parents_view, decision, next)
        else {
            return Err(e.into_error());
        };
        if decision != Decision::End && next.is_none() {
            return Err(e.into_error());
        }
        let expected = req.goals.len();
        if goals.len() != expected {
            return Err(e.into_error());
        }
        Ok(Self {
            held_on,
            took_part,
            goals,
            child_view,
            parents_view,
            decision,
            next_evaluation_on: next,
        })
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CloseRequest {
    /// Why the plan ends (the latest evaluation's decision is recorded with it).
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

impl CloseRequest {
    pub fn parse(&self) -> Result<Option<String>, AppError> {
        optional_long(self.reason.as_deref(), 2000).map_err(|m| AppError::field("reason", m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn a_commitment_names_exactly_one_person_and_a_date_ahead() {
        let ok = NewCommitment::parse(
            &CommitmentRequest {
                participant_id: Some(Uuid::from_u128(1).to_string()),
                text: "Henter på fotball hver tirsdag".into(),
                due_on: "2026-12-01".into(),
                every_days: Some("7".into()),
                ..CommitmentRequest::default()
            },
            today(),
        )
        .unwrap();
        assert_eq!(ok.owner, Owner::Participant(Uuid::from_u128(1)));
        assert_eq!(ok.every_days, Some(7));
        let both = NewCommitment::parse(
            &CommitmentRequest {
                participant_id: Some(Uuid::from_u128(1).to_string()),
                user_id: Some(Uuid::from_u128(2).to_string()),
                text: "x".into(),
                due_on: "2026-12-01".into(),
                ..CommitmentRequest::default()
            },
            today(),
        )
        .unwrap_err();
        assert!(format!("{both:?}").contains("exactly one"));
        let past = NewCommitment::parse(
            &CommitmentRequest {
                user_id: Some(Uuid::from_u128(2).to_string()),
                text: "x".into(),
                due_on: "2026-11-01".into(),
                every_days: Some("0".into()),
                ..CommitmentRequest::default()
            },
            today(),
        )
        .unwrap_err();
        let text = format!("{past:?}");
        assert!(
            text.contains("past") && text.contains("every_days"),
            "{text}"
        );
    }

    #[test]
    fn an_evaluation_needs_its_views_and_a_next_date_unless_it_ends() {
        let base = || EvaluationRequest {
            held_on: "2026-11-20".into(),
            took_part: "Barnet, mormor, koordinator".into(),
            goals: vec![GoalResultRequest {
                goal_id: Uuid::from_u128(9).to_string(),
                result: "partly".into(),
                note: None,
            }],
            child_view: "Det er bedre nå".into(),
            parents_view: "Vi er fornøyde".into(),
            decision: "continue".into(),
            next_evaluation_on: None,
        };
        let missing = NewEvaluation::parse(&base(), today()).unwrap_err();
        assert!(format!("{missing:?}").contains("next_evaluation_on"));
        let mut ends = base();
        ends.decision = "end".into();
        assert!(NewEvaluation::parse(&ends, today()).is_ok());
        let mut bad = base();
        bad.goals[0].result = "great".into();
        bad.child_view = " ".into();
        bad.next_evaluation_on = Some("2027-05-01".into());
        let text = format!("{:?}", NewEvaluation::parse(&bad, today()).unwrap_err());
        assert!(
            text.contains("goals[0].result") && text.contains("child_view"),
            "{text}"
        );
    }

    #[test]
    fn the_caseworker_approves_only_with_the_childs_safety_ensured() {
        assert!(CaseworkerApprovalRequest::default().parse().is_err());
        assert!(
            CaseworkerApprovalRequest {
                safety_ensured: Some(true),
                note: None
            }
            .parse()
            .is_ok()
        );
    }

    /// The code lists in the migration's CHECK constraints are the vocabularies' codes.
    #[test]
    fn the_database_accepts_exactly_the_vocabularies_codes() {
        let sql = include_str!("../../migrations/2026-11-22-000007_plans/up.sql");
        let listed = |column: &str| -> Vec<String> {
            let needle = format!("CHECK ({column} IN (");
            let at = sql.find(&needle).expect(column) + needle.len();
            let end = sql[at..].find("))").expect("closed list");
            sql[at..at + end]
                .split(',')
                .map(|code| code.trim().trim_matches('\'').to_owned())
                .collect()
        };
        let codes = |all: &[&str]| all.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert_eq!(
            listed("status"),
            codes(&PlanStatus::ALL.map(|k| k.as_str()))
        );
        assert_eq!(
            listed("author"),
            codes(&GoalAuthor::ALL.map(|k| k.as_str()))
        );
        // The approval kinds as the network's own approval widened them.
        let later = include_str!("../../migrations/2026-12-04-000201_network_approval/up.sql");
        let at = later.find("CHECK (kind IN (").expect("kind") + "CHECK (kind IN (".len();
        let end = later[at..].find("))").expect("closed list");
        let kinds: Vec<String> = later[at..at + end]
            .split(',')
            .map(|code| code.trim().trim_matches('\'').to_owned())
            .collect();
        assert_eq!(kinds, codes(&ApprovalKind::ALL.map(|k| k.as_str())));
        assert_eq!(
            listed("way"),
            codes(&EvaluationWay::ALL.map(|k| k.as_str()))
        );
        assert_eq!(
            listed("result"),
            codes(&GoalResult::ALL.map(|k| k.as_str()))
        );
        assert_eq!(
            listed("decision"),
            codes(&Decision::ALL.map(|k| k.as_str()))
        );
        assert!(sql.contains("CHECK (status IN ('open', 'confirmed', 'done'))"));
        assert_eq!(
            CommitmentStatus::ALL.map(|s| s.as_str()),
            ["open", "confirmed", "done"]
        );
    }
}
