//! The registration form's questions and their closed lists, and the answers as they are kept:
//! one code (or a few, for a question with boxes to tick) per question, parsed once here. The
//! questions are those of the research registration form in seed 003 (appendix 3); free-text
//! questions there ("describe …") are asked here as choices, so no answer can name a person.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::cases::domain::Errors;
use crate::vocabulary::vocabulary;
use crate::web::i18n::Lang;
use crate::web::problem::AppError;

vocabulary! {
    /// A yes-or-no question.
    pub enum YesNo ("answer") {
        Yes => "yes", "Ja", "Yes";
        No => "no", "Nei", "No";
    }
}

vocabulary! {
    /// A question answered yes, partly or no (the seed's "ønsket virkning").
    pub enum YesPartlyNo ("answer") {
        Yes => "yes", "Ja", "Yes";
        Partly => "partly", "Delvis", "Partly";
        No => "no", "Nei", "No";
    }
}

vocabulary! {
    /// Whom the child lives with day to day.
    pub enum LivesWith ("household") {
        BothParents => "both_parents", "Begge foreldrene", "Both parents";
        Mother => "mother", "Mor", "Mother";
        Father => "father", "Far", "Father";
        Shared => "shared", "Delt bosted", "Shared residence";
        Relatives => "relatives", "Slekt eller nettverk", "Relatives or network";
        FosterHome => "foster_home", "Fosterhjem", "Foster home";
        Institution => "institution", "Institusjon", "Institution";
        Other => "other", "Andre", "Others";
    }
}

vocabulary! {
    /// Where the child was born.
    pub enum BornIn ("birthplace") {
        Norway => "norway", "I Norge", "In Norway";
        Abroad => "abroad", "I utlandet", "Abroad";
    }
}

vocabulary! {
    /// How the work with the interpreter went.
    pub enum InterpreterWorked ("answer") {
        Well => "well", "Godt", "Well";
        Partly => "partly", "Delvis godt", "Partly well";
        Poorly => "poorly", "Dårlig", "Poorly";
    }
}

vocabulary! {
    /// What was decided. A plan approved in Tillit is one of the first three; the others are the
    /// service's own decisions (vedtak) under the Child Welfare Act.
    pub enum DecisionKind ("decision") {
        NetworkPlan => "network_plan", "Plan godkjent av nettverket", "Plan approved by the network";
        ServicePlan => "service_plan", "Plan godkjent av barneverntjenesten", "Plan approved by the service";
        MeetingPlan => "meeting_plan", "Plan avtalt i nettverksmøtet", "Plan agreed in the network meeting";
        VoluntarySupport => "voluntary_support", "Vedtak om frivillig hjelpetiltak", "Decision on a voluntary support measure";
        OrderedSupport => "ordered_support", "Vedtak om pålagt hjelpetiltak", "Decision on an ordered support measure";
        CareMeasure => "care_measure", "Vedtak om omsorgstiltak", "Decision on a care measure";
    }
}

vocabulary! {
    /// The support measures of the case besides this one (the seed's list).
    pub enum Measure ("measure") {
        CosP => "cos_p", "COS-P (Trygghetssirkelen)", "COS-P (Circle of Security)";
        VisitingHome => "visiting_home", "Besøkshjem eller ressurshjem", "Visiting home or resource home";
        SupportContact => "support_contact", "Støttekontakt, fritidskontakt eller ressursperson", "Support contact, leisure contact or resource person";
        FamilyCounselling => "family_counselling", "Råd og veiledning", "Advice and guidance";
        ParentProgramme => "parent_programme", "Foreldreprogram (MST, PMTO, FFT, ICDP, Marte Meo)", "Parenting programme (MST, PMTO, FFT, ICDP, Marte Meo)";
        HomeWorker => "home_worker", "Miljøarbeider i hjemmet", "Family worker at home";
        FamilyCentre => "family_centre", "Senter for foreldre og barn", "Centre for parents and children";
        Kindergarten => "kindergarten", "Barnehage eller SFO", "Kindergarten or after-school care";
        Financial => "financial", "Økonomisk støtte", "Financial support";
        Supervision => "supervision", "Tilsyn og kontroll", "Supervision";
        IndividualPlan => "individual_plan", "Individuell plan", "Individual plan";
        OwnHome => "own_home", "Oppfølging i egen bolig", "Support in one's own home";
        Other => "other", "Andre tiltak", "Other measures";
        None => "none", "Ingen andre tiltak", "No other measures";
    }
}

vocabulary! {
    /// Who evaluated the measure.
    pub enum EvaluatedBy ("evaluator") {
        Service => "service", "Barneverntjenesten", "The service";
        ServiceAndFamily => "service_and_family", "Barneverntjenesten med familien", "The service with the family";
        Network => "network", "Familien og nettverket", "The family and the network";
        WithServices => "with_services", "Sammen med andre tjenester", "Together with other services";
    }
}

vocabulary! {
    /// Why the measure goes on, or a new one comes (the seed's "begrunnelse for videreføring").
    pub enum ContinueReason ("reason") {
        GoalsNotReached => "goals_not_reached", "Målene er ikke nådd ennå", "The goals are not reached yet";
        NeedRemains => "need_remains", "Behovet er der fortsatt", "The need remains";
        FamilyWish => "family_wish", "Familien ønsker å fortsette", "The family wants to go on";
        NewNeeds => "new_needs", "Nye behov er kommet til", "New needs have come up";
        Ended => "ended", "Tiltaket er avsluttet", "The measure has ended";
    }
}

/// (code, label) of each term of a list, in `lang`.
pub type Options = Vec<(&'static str, &'static str)>;

macro_rules! options_of {
    ($vocab:ty) => {
        |lang: Lang| -> Options {
            <$vocab>::ALL
                .iter()
                .map(|t| (t.as_str(), t.label(lang)))
                .collect()
        }
    };
}

/// How a question is answered.
#[derive(Debug, Clone, Copy)]
pub enum Input {
    /// One of the list.
    One(fn(Lang) -> Options),
    /// One or more of the list (boxes to tick).
    Many(fn(Lang) -> Options),
    /// A whole number from `min` to `max`.
    Number { min: i64, max: i64 },
    /// A day, no later than today.
    Date,
}

/// The part of the form a question stands in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Child,
    Decision,
    Measures,
    Participation,
    Cooperation,
    Outcome,
}

impl Section {
    pub const ALL: [Section; 6] = [
        Self::Child,
        Self::Decision,
        Self::Measures,
        Self::Participation,
        Self::Cooperation,
        Self::Outcome,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Child => "child",
            Self::Decision => "decision",
            Self::Measures => "measures",
            Self::Participation => "participation",
            Self::Cooperation => "cooperation",
            Self::Outcome => "outcome",
        }
    }
}

/// One question of the form: its code (the form field, the export's column, the key in the
/// stored answers), where it stands, how it is answered, and — for a follow-up question — the
/// answer to another question that makes it asked.
#[derive(Debug, Clone, Copy)]
pub struct Question {
    pub code: &'static str,
    pub section: Section,
    pub input: Input,
    pub asked_when: Option<(&'static str, &'static str)>,
}

const fn q(code: &'static str, section: Section, input: Input) -> Question {
    Question {
        code,
        section,
        input,
        asked_when: None,
    }
}

const fn follow_up(
    code: &'static str,
    section: Section,
    input: Input,
    when: (&'static str, &'static str),
) -> Question {
    Question {
        code,
        section,
        input,
        asked_when: Some(when),
    }
}

const YES_NO: Input = Input::One(options_of!(YesNo));
const YES_PARTLY_NO: Input = Input::One(options_of!(YesPartlyNo));

/// Every question, in the order of the form and of the export's columns.
pub const QUESTIONS: [Question; 28] = [
    q(
        "lives_with",
        Section::Child,
        Input::One(options_of!(LivesWith)),
    ),
    q(
        "children_in_household",
        Section::Child,
        Input::Number { min: 1, max: 20 },
    ),
    q("born_in", Section::Child, Input::One(options_of!(BornIn))),
    q(
        "years_known",
        Section::Child,
        Input::Number { min: 0, max: 25 },
    ),
    q("interpreter_used", Section::Child, YES_NO),
    follow_up(
        "interpreter_worked",
        Section::Child,
        Input::One(options_of!(InterpreterWorked)),
        ("interpreter_used", "yes"),
    ),
    q("decision_on", Section::Decision, Input::Date),
    q(
        "decision_kind",
        Section::Decision,
        Input::One(options_of!(DecisionKind)),
    ),
    q("ground_child", Section::Decision, YES_NO),
    q("ground_care", Section::Decision, YES_NO),
    q("ground_surroundings", Section::Decision, YES_NO),
    q(
        "measures",
        Section::Measures,
        Input::Many(options_of!(Measure)),
    ),
    q("measure_plan", Section::Measures, YES_NO),
    q("mother_involved", Section::Participation, YES_NO),
    q("mother_consented", Section::Participation, YES_NO),
    q("father_involved", Section::Participation, YES_NO),
    q("father_consented", Section::Participation, YES_NO),
    q("child_involved", Section::Participation, YES_NO),
    q("child_consented", Section::Participation, YES_NO),
    q("other_services", Section::Cooperation, YES_NO),
    q("responsibility_group", Section::Cooperation, YES_NO),
    q("goal_set", Section::Outcome, YES_NO),
    q("delivered", Section::Outcome, YES_PARTLY_NO),
    q("evaluation_documented", Section::Outcome, YES_NO),
    follow_up(
        "evaluation_in_meeting",
        Section::Outcome,
        YES_NO,
        ("evaluation_documented", "yes"),
    ),
    follow_up(
        "evaluated_by",
        Section::Outcome,
        Input::One(options_of!(EvaluatedBy)),
        ("evaluation_documented", "yes"),
    ),
    q("desired_effect", Section::Outcome, YES_PARTLY_NO),
    q(
        "continue_reasons",
        Section::Outcome,
        Input::Many(options_of!(ContinueReason)),
    ),
];

/// Every question in order.
pub fn questions() -> impl Iterator<Item = Question> {
    QUESTIONS.into_iter()
}

/// The question `code`, if there is one.
pub fn question(code: &str) -> Option<Question> {
    questions().find(|q| q.code == code)
}

/// The answers kept for one measure: by question, the code (or codes) chosen. A question not
/// answered has no entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers(pub BTreeMap<String, Vec<String>>);

impl Answers {
    /// The codes answered to `code`; empty when it is not answered.
    pub fn get(&self, code: &str) -> &[String] {
        self.0.get(code).map_or(&[], Vec::as_slice)
    }

    /// The one code answered to `code`.
    pub fn one(&self, code: &str) -> Option<&str> {
        self.get(code).first().map(String::as_str)
    }
}

/// The answers a form posted, checked question by question: for each question the form asks
/// (`asked`), a blank answer is no answer, a wrong one is an error at its field. Every wrong
/// field is named at once; nothing is kept when one is wrong.
pub fn parse_answers(
    posted: &[(String, String)],
    asked: &[&'static str],
    today: NaiveDate,
) -> Result<Answers, AppError> {
    let mut errors = Errors::default();
    let mut wrong = false;
    let mut answers = BTreeMap::new();
    for code in asked {
        let Some(question) = question(code) else {
            continue;
        };
        let given: Vec<&str> = posted
            .iter()
            .filter(|(k, _)| k == code)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect();
        if given.is_empty() {
            continue;
        }
        let parsed = parse_one(question.input, &given, today);
        match parsed {
            Ok(codes) => {
                answers.insert((*code).to_owned(), codes);
            }
            Err(message) => {
                wrong = true;
                errors.push(code, message);
            }
        }
    }
    if wrong {
        return Err(errors.into_error());
    }
    Ok(Answers(answers))
}

fn parse_one(input: Input, given: &[&str], today: NaiveDate) -> Result<Vec<String>, String> {
    let known = |options: fn(Lang) -> Options, value: &str| {
        options(Lang::En)
            .iter()
            .find(|(code, _)| *code == value)
            .map(|(code, _)| (*code).to_owned())
            .ok_or_else(|| {
                let codes: Vec<&str> = options(Lang::En).iter().map(|(c, _)| *c).collect();
                format!("the answer must be one of {}", codes.join(", "))
            })
    };
    match input {
        Input::One(options) => {
            if given.len() > 1 {
                return Err("choose one answer: the answer must be one of the list".into());
            }
            Ok(vec![known(options, given[0])?])
        }
        Input::Many(options) => {
            let mut codes = Vec::new();
            for value in given {
                let code = known(options, value)?;
                if !codes.contains(&code) {
                    codes.push(code);
                }
            }
            Ok(codes)
        }
        Input::Number { min, max } => {
            let text = given[0];
            text.parse::<i64>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .map(|n| vec![n.to_string()])
                .ok_or_else(|| format!("a whole number between {min} and {max}"))
        }
        Input::Date => {
            let day = crate::plans::domain::parse_date(given[0])?;
            if day > today {
                return Err("the date cannot be in the future".into());
            }
            Ok(vec![day.to_string()])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn every_question_has_its_own_code() {
        let mut codes: Vec<&str> = questions().map(|q| q.code).collect();
        let all = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all);
        for q in questions() {
            if let Some((on, _)) = q.asked_when {
                assert!(question(on).is_some(), "{} follows {on}", q.code);
            }
        }
    }

    #[test]
    fn blank_is_unanswered_and_every_wrong_answer_is_named() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        let asked = [
            "lives_with",
            "children_in_household",
            "decision_on",
            "measures",
        ];
        let fine = parse_answers(
            &posted(&[
                ("lives_with", "mother"),
                ("children_in_household", " 3 "),
                ("decision_on", ""),
                ("measures", "cos_p"),
                ("measures", "financial"),
                ("not_asked", "yes"),
            ]),
            &asked,
            today,
        )
        .unwrap();
        assert_eq!(fine.one("lives_with"), Some("mother"));
        assert_eq!(fine.one("children_in_household"), Some("3"));
        assert!(fine.get("decision_on").is_empty());
        assert_eq!(fine.get("measures").len(), 2);
        assert!(fine.get("not_asked").is_empty());
        let AppError::Validation(wrong) = parse_answers(
            &posted(&[
                ("lives_with", "grandmother"),
                ("children_in_household", "tre"),
                ("decision_on", "2027-01-01"),
            ]),
            &asked,
            today,
        )
        .unwrap_err() else {
            panic!("a validation error");
        };
        let fields: Vec<&str> = wrong.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["lives_with", "children_in_household", "decision_on"]
        );
    }
}
