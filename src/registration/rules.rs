//! What Tillit already knows of a measure, question by question, and what is left to ask: a
//! question Tillit can answer from the council, its plan and the case is shown "fra Tillit" and
//! not asked; the rest is asked once. Only a fact Tillit holds answers a question — that
//! something is *not* recorded in Tillit answers nothing, so the question is asked.

use chrono::{Datelike, NaiveDate};

use super::domain::{Answers, DecisionKind, EvaluatedBy, Question, YesNo, YesPartlyNo, questions};
use crate::cases::categories::RelationCategory;
use crate::councils::domain::CouncilKind;
use crate::plans::domain::{EvaluationWay, GoalResult};
use crate::plans::rules::{Approver, approver};

/// The kinds of council that are network measures: a responsibility group is the traditional
/// professionals' forum, registered elsewhere.
pub fn is_network_measure(kind: CouncilKind) -> bool {
    !matches!(kind, CouncilKind::ResponsibilityGroup)
}

/// The plan's latest evaluation, as far as the registration asks about it.
#[derive(Debug, Clone)]
pub struct EvaluationFacts {
    pub held_on: NaiveDate,
    /// Who took part, as the evaluation recorded it (free text: shown on the page only).
    pub took_part: String,
    pub way: Option<EvaluationWay>,
    pub results: Vec<GoalResult>,
}

/// What Tillit holds about one measure, gathered from the capabilities that own it.
#[derive(Debug, Clone)]
pub struct Facts {
    pub kind: CouncilKind,
    /// The day the case was opened and the day the council began, in the service's zone.
    pub case_opened_on: NaiveDate,
    pub began_on: NaiveDate,
    /// A meeting of the council has taken place (not cancelled, its start passed).
    pub held: bool,
    pub interpreter_on_team: bool,
    /// The child wrote in the council or chose who came.
    pub child_took_part: bool,
    /// The child's own consent is recorded and not withdrawn.
    pub child_consented: bool,
    /// The categories of the team's members from other services (not the service's staff).
    pub other_services: Vec<RelationCategory>,
    /// The case has a responsibility group in Tillit.
    pub responsibility_group: bool,
    /// The day the plan was approved.
    pub approved_on: Option<NaiveDate>,
    /// The plan's goals, in the words written.
    pub goals: Vec<String>,
    pub evaluation: Option<EvaluationFacts>,
}

/// Why Tillit knows an answer: a catalogue key and the values it is filled with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    CaseOpened(NaiveDate),
    InterpreterOnTeam,
    PlanApproved(NaiveDate),
    ChildTookPart,
    ChildConsented,
    OtherServices(Vec<RelationCategory>),
    ResponsibilityGroup,
    Goals(Vec<String>),
    Evaluated(NaiveDate),
    EvaluatedHow(Option<EvaluationWay>, String),
}

/// An answer Tillit knows, with where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    pub codes: Vec<String>,
    pub source: Source,
}

fn known(code: &str, source: Source) -> Option<Known> {
    Some(Known {
        codes: vec![code.to_owned()],
        source,
    })
}

/// Whole years from `from` to `to`.
fn years_between(from: NaiveDate, to: NaiveDate) -> i64 {
    let mut years = i64::from(to.year() - from.year());
    if (to.month(), to.day()) < (from.month(), from.day()) {
        years -= 1;
    }
    years.max(0)
}

/// What Tillit knows for question `code`, if anything.
pub fn known_answer(code: &str, facts: &Facts) -> Option<Known> {
    let eval = facts.evaluation.as_ref();
    match code {
        "years_known" => Some(Known {
            codes: vec![years_between(facts.case_opened_on, facts.began_on).to_string()],
            source: Source::CaseOpened(facts.case_opened_on),
        }),
        "interpreter_used" if facts.interpreter_on_team => {
            known(YesNo::Yes.as_str(), Source::InterpreterOnTeam)
        }
        "decision_on" => facts
            .approved_on
            .and_then(|on| known(&on.to_string(), Source::PlanApproved(on))),
        "decision_kind" => facts.approved_on.and_then(|on| {
            let kind = match approver(facts.kind) {
                Approver::Network => DecisionKind::NetworkPlan,
                Approver::Caseworker => DecisionKind::ServicePlan,
                Approver::Coordinator => DecisionKind::MeetingPlan,
            };
            known(kind.as_str(), Source::PlanApproved(on))
        }),
        "child_involved" if facts.child_took_part => {
            known(YesNo::Yes.as_str(), Source::ChildTookPart)
        }
        "child_consented" if facts.child_consented => {
            known(YesNo::Yes.as_str(), Source::ChildConsented)
        }
        "other_services" if !facts.other_services.is_empty() => known(
            YesNo::Yes.as_str(),
            Source::OtherServices(facts.other_services.clone()),
        ),
        "responsibility_group" if facts.responsibility_group => {
            known(YesNo::Yes.as_str(), Source::ResponsibilityGroup)
        }
        "goal_set" if !facts.goals.is_empty() => {
            known(YesNo::Yes.as_str(), Source::Goals(facts.goals.clone()))
        }
        "delivered" => eval.filter(|e| !e.results.is_empty()).and_then(|e| {
            let all = |r: GoalResult| e.results.iter().all(|x| *x == r);
            let answer = if all(GoalResult::Met) {
                YesPartlyNo::Yes
            } else if all(GoalResult::NotMet) {
                YesPartlyNo::No
            } else {
                YesPartlyNo::Partly
            };
            known(answer.as_str(), Source::Evaluated(e.held_on))
        }),
        "evaluation_documented" => {
            eval.and_then(|e| known(YesNo::Yes.as_str(), Source::Evaluated(e.held_on)))
        }
        "evaluation_in_meeting" => eval.and_then(|e| {
            let in_meeting = match e.way? {
                EvaluationWay::NewCouncil | EvaluationWay::FollowUpMeeting => YesNo::Yes,
                EvaluationWay::CaseworkerReview => YesNo::No,
            };
            known(
                in_meeting.as_str(),
                Source::EvaluatedHow(e.way, e.took_part.clone()),
            )
        }),
        "evaluated_by" => eval.and_then(|e| {
            let by = match e.way? {
                EvaluationWay::NewCouncil => EvaluatedBy::Network,
                EvaluationWay::FollowUpMeeting => EvaluatedBy::ServiceAndFamily,
                EvaluationWay::CaseworkerReview => EvaluatedBy::Service,
            };
            known(
                by.as_str(),
                Source::EvaluatedHow(e.way, e.took_part.clone()),
            )
        }),
        _ => None,
    }
}

/// One question as it stands for a measure: what Tillit knows, what was answered, and whether
/// it is asked at all (a follow-up question only after its answer).
#[derive(Debug, Clone)]
pub struct Standing {
    pub question: Question,
    pub known: Option<Known>,
    pub answer: Vec<String>,
    pub asked: bool,
}

impl Standing {
    /// The codes that count: Tillit's when it knows, else the answer given.
    pub fn codes(&self) -> &[String] {
        match &self.known {
            Some(k) => &k.codes,
            None => &self.answer,
        }
    }

    /// Asked of the person and not answered yet.
    pub fn open(&self) -> bool {
        self.asked && self.known.is_none() && self.answer.is_empty()
    }
}

/// Every question of the form for a measure with `facts` and the `answers` kept.
pub fn standings(facts: &Facts, answers: &Answers) -> Vec<Standing> {
    let mut out: Vec<Standing> = Vec::new();
    for question in questions() {
        let known = known_answer(question.code, facts);
        let asked = match question.asked_when {
            None => true,
            Some((on, value)) => out
                .iter()
                .find(|s| s.question.code == on)
                .is_some_and(|s| s.codes().iter().any(|c| c == value)),
        };
        let answer = if asked {
            answers.get(question.code).to_vec()
        } else {
            Vec::new()
        };
        out.push(Standing {
            question,
            known,
            answer,
            asked,
        });
    }
    out
}

/// The questions the form asks now (shown as inputs): the asked ones Tillit does not know. A
/// follow-up question whose condition is answered in the same form is asked too, so both can be
/// answered at once.
pub fn asked_codes(standings: &[Standing]) -> Vec<&'static str> {
    standings
        .iter()
        .filter(|s| s.known.is_none())
        .filter(|s| s.asked || s.question.asked_when.is_some())
        .map(|s| s.question.code)
        .collect()
}

/// The registration is complete when no question asked is left open.
pub fn complete(standings: &[Standing]) -> bool {
    !standings.iter().any(Standing::open)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            kind: CouncilKind::NetworkCouncil,
            case_opened_on: NaiveDate::from_ymd_opt(2023, 5, 10).unwrap(),
            began_on: NaiveDate::from_ymd_opt(2026, 5, 9).unwrap(),
            held: true,
            interpreter_on_team: false,
            child_took_part: true,
            child_consented: false,
            other_services: vec![RelationCategory::School],
            responsibility_group: false,
            approved_on: Some(NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()),
            goals: vec!["Rolig hjemme".into()],
            evaluation: Some(EvaluationFacts {
                held_on: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
                took_part: "Alle".into(),
                way: Some(EvaluationWay::NewCouncil),
                results: vec![GoalResult::Met, GoalResult::Partly],
            }),
        }
    }

    #[test]
    fn what_tillit_knows_is_not_asked_and_what_it_lacks_is() {
        let f = facts();
        let s = standings(&f, &Answers::default());
        let codes = |code: &str| {
            s.iter()
                .find(|x| x.question.code == code)
                .map(|x| x.codes().to_vec())
                .unwrap()
        };
        assert_eq!(codes("years_known"), ["2"], "a day short of three years");
        assert_eq!(codes("decision_on"), ["2026-06-01"]);
        assert_eq!(codes("decision_kind"), ["network_plan"]);
        assert_eq!(codes("child_involved"), ["yes"]);
        assert_eq!(codes("other_services"), ["yes"]);
        assert_eq!(codes("delivered"), ["partly"]);
        assert_eq!(codes("evaluated_by"), ["network"]);
        let asked = asked_codes(&s);
        for tillit in ["years_known", "decision_on", "child_involved", "goal_set"] {
            assert!(!asked.contains(&tillit), "{tillit}");
        }
        for person in [
            "lives_with",
            "child_consented",
            "interpreter_used",
            "desired_effect",
        ] {
            assert!(asked.contains(&person), "{person}");
        }
        assert!(!complete(&s));
        // The interpreter's follow-up is asked only once an interpreter was used.
        let open: Vec<&str> = s
            .iter()
            .filter(|x| x.open())
            .map(|x| x.question.code)
            .collect();
        assert!(!open.contains(&"interpreter_worked"));
    }

    #[test]
    fn every_question_answered_completes_it() {
        let f = facts();
        let empty = standings(&f, &Answers::default());
        let mut answers = Answers::default();
        for s in empty.iter().filter(|s| s.open()) {
            answers
                .0
                .insert(s.question.code.to_owned(), vec!["no".to_owned()]);
        }
        assert!(complete(&standings(&f, &answers)));
        answers
            .0
            .insert("interpreter_used".to_owned(), vec!["yes".to_owned()]);
        let s = standings(&f, &answers);
        assert!(!complete(&s), "the interpreter's follow-up is now asked");
    }
}
