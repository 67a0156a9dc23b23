//! The registration as the page shows it, as the council page's prompt shows it, and as the
//! leader's export holds it: one row per measure, without names.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::domain::Input;
use super::rules::Standing;
use crate::councils::domain::CouncilKind;
use crate::web::i18n::Lang;

/// One measure's registration for the staff's page.
#[derive(Debug, Clone)]
pub struct RegistrationView {
    pub case_id: Uuid,
    pub council_id: Uuid,
    pub kind: CouncilKind,
    pub held: bool,
    pub standings: Vec<Standing>,
    pub complete: bool,
    /// Questions asked and still open.
    pub open: usize,
    pub updated_at: Option<DateTime<Utc>>,
    /// The day it was last saved, in the service's zone.
    pub updated_on: Option<chrono::NaiveDate>,
}

/// One measure in the export: a row number of this export only (never an id), the child's home
/// municipality, the kind, whether the registration is complete, and each question's answer as
/// codes (Tillit's where it knows, the answer given otherwise; empty when open). A decision's
/// day is given as its month (`2026-11`), as the seed asks.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportRow {
    pub number: u32,
    /// The kommunenummer; "" when the case has none recorded.
    pub municipality: String,
    pub kind: CouncilKind,
    pub complete: bool,
    /// By question code (see [`RegistrationExport::questions`]).
    pub answers: BTreeMap<String, Vec<String>>,
}

/// The registrations of the network measures begun in a year, one row per measure.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegistrationExport {
    pub year: i32,
    /// The question codes, in the order of the form.
    pub questions: Vec<String>,
    pub rows: Vec<ExportRow>,
}

/// The catalogue key of a question's label.
pub fn label_key(code: &str) -> &'static str {
    match code {
        "lives_with" => "registration.q.lives_with",
        "children_in_household" => "registration.q.children_in_household",
        "born_in" => "registration.q.born_in",
        "years_known" => "registration.q.years_known",
        "interpreter_used" => "registration.q.interpreter_used",
        "interpreter_worked" => "registration.q.interpreter_worked",
        "decision_on" => "registration.q.decision_on",
        "decision_kind" => "registration.q.decision_kind",
        "ground_child" => "registration.q.ground_child",
        "ground_care" => "registration.q.ground_care",
        "ground_surroundings" => "registration.q.ground_surroundings",
        "measures" => "registration.q.measures",
        "measure_plan" => "registration.q.measure_plan",
        "mother_involved" => "registration.q.mother_involved",
        "mother_consented" => "registration.q.mother_consented",
        "father_involved" => "registration.q.father_involved",
        "father_consented" => "registration.q.father_consented",
        "child_involved" => "registration.q.child_involved",
        "child_consented" => "registration.q.child_consented",
        "other_services" => "registration.q.other_services",
        "responsibility_group" => "registration.q.responsibility_group",
        "goal_set" => "registration.q.goal_set",
        "delivered" => "registration.q.delivered",
        "evaluation_documented" => "registration.q.evaluation_documented",
        "evaluation_in_meeting" => "registration.q.evaluation_in_meeting",
        "evaluated_by" => "registration.q.evaluated_by",
        "desired_effect" => "registration.q.desired_effect",
        _ => "registration.q.continue_reasons",
    }
}

/// The answer `codes` of `input` in words.
pub fn in_words(input: Input, codes: &[String], lang: Lang) -> String {
    let words: Vec<String> = match input {
        Input::One(options) | Input::Many(options) => codes
            .iter()
            .map(|c| {
                options(lang)
                    .into_iter()
                    .find(|(code, _)| code == c)
                    .map_or_else(|| c.clone(), |(_, label)| label.to_owned())
            })
            .collect(),
        Input::Date => codes
            .iter()
            .map(|c| {
                c.parse()
                    .map_or_else(|_| c.clone(), |d| crate::time::date(d, lang))
            })
            .collect(),
        Input::Number { .. } => codes.to_vec(),
    };
    words.join(", ")
}
