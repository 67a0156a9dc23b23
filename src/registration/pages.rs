//! The staff's page of a measure's registration: what Tillit already knows, shown "fra Tillit",
//! and a form with the rest (`GET` shows, `POST` saves). A wrong answer comes back at its field
//! in the reader's language, with everything typed kept.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, ResponseError, get, post, web};
use askama::Template;
use uuid::Uuid;

use super::actions;
use super::domain::{Input, Section};
use super::rules::{Source, Standing};
use super::views::{RegistrationView, in_words, label_key};
use crate::access::session::Staff;
use crate::web::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::form_errors::FormFailure;
use crate::web::i18n::Tr;
use crate::web::pages::{Shell, render};
use crate::web::posted::{Fields, Typed};
use crate::web::problem::AppError;

/// The form's name in [`Typed`].
const FORM: &str = "registration";

/// The catalogue key of a question's hint, for the questions that have one.
fn hint_key(code: &str) -> Option<&'static str> {
    Some(match code {
        "children_in_household" => "registration.hint.children_in_household",
        "interpreter_worked" => "registration.hint.interpreter_worked",
        "decision_on" => "registration.hint.decision_on",
        "measures" => "registration.hint.measures",
        "evaluation_in_meeting" | "evaluated_by" => "registration.hint.evaluation_follow_up",
        "continue_reasons" => "registration.hint.many",
        _ => return None,
    })
}

fn section_key(section: Section) -> &'static str {
    match section {
        Section::Child => "registration.section.child",
        Section::Decision => "registration.section.decision",
        Section::Measures => "registration.section.measures",
        Section::Participation => "registration.section.participation",
        Section::Cooperation => "registration.section.cooperation",
        Section::Outcome => "registration.section.outcome",
    }
}

/// A choice of a question as the form shows it.
struct Choice {
    code: &'static str,
    label: &'static str,
    checked: bool,
}

/// One question as the page shows it: known "fra Tillit" (with why), or an input.
struct Shown {
    code: &'static str,
    label: &'static str,
    hint: &'static str,
    /// one, many, number or date.
    input: &'static str,
    choices: Vec<Choice>,
    /// A number's or a date's text.
    value: String,
    /// What Tillit knows: the answer in words and where it comes from.
    known: Option<(String, String)>,
    error: Option<String>,
}

struct SectionShown {
    id: &'static str,
    heading: &'static str,
    questions: Vec<Shown>,
}

/// Where Tillit's answer comes from, as a sentence.
fn source_words(tr: &Tr, source: &Source) -> String {
    let fill = crate::mail::templates::fill;
    let day = |d: &chrono::NaiveDate| crate::time::date(*d, tr.lang());
    match source {
        Source::CaseOpened(on) => fill(tr.t("registration.from.case_opened"), &[("day", &day(on))]),
        Source::InterpreterOnTeam => tr.t("registration.from.interpreter").to_owned(),
        Source::PlanApproved(on) => fill(
            tr.t("registration.from.plan_approved"),
            &[("day", &day(on))],
        ),
        Source::ChildTookPart => tr.t("registration.from.child_took_part").to_owned(),
        Source::ChildConsented => tr.t("registration.from.child_consented").to_owned(),
        Source::OtherServices(categories) => {
            let names: Vec<&str> = categories.iter().map(|c| c.label(tr.lang())).collect();
            fill(
                tr.t("registration.from.other_services"),
                &[("services", &names.join(", "))],
            )
        }
        Source::ResponsibilityGroup => tr.t("registration.from.responsibility_group").to_owned(),
        Source::Goals(goals) => {
            let quoted: Vec<String> = goals.iter().map(|g| format!("«{g}»")).collect();
            fill(
                tr.t("registration.from.goals"),
                &[("goals", &quoted.join(", "))],
            )
        }
        Source::Evaluated(on) => fill(tr.t("registration.from.evaluated"), &[("day", &day(on))]),
        Source::EvaluatedHow(way, took_part) => {
            let way = way.map_or("", |w| w.label(tr.lang()));
            fill(
                tr.t("registration.from.evaluated_how"),
                &[("way", way), ("took_part", took_part)],
            )
        }
    }
}

fn shown(tr: &Tr, s: &Standing, typed: &Typed, failure: &FormFailure) -> Shown {
    let code = s.question.code;
    let lang = tr.lang();
    let failed = typed.is(FORM);
    let answered = |value: &str| {
        if failed {
            typed.chose_among(FORM, code, value)
        } else {
            s.answer.iter().any(|a| a == value)
        }
    };
    let (input, choices) = match s.question.input {
        Input::One(options) => ("one", options(lang)),
        Input::Many(options) => ("many", options(lang)),
        Input::Number { .. } => ("number", Vec::new()),
        Input::Date => ("date", Vec::new()),
    };
    let value = if failed {
        typed.value(FORM, "", code).to_owned()
    } else {
        s.answer.first().cloned().unwrap_or_default()
    };
    Shown {
        code,
        label: tr.t(label_key(code)),
        hint: hint_key(code).map_or("", |k| tr.t(k)),
        input,
        choices: choices
            .into_iter()
            .map(|(code, label)| Choice {
                code,
                label,
                checked: answered(code),
            })
            .collect(),
        value,
        known: s.known.as_ref().map(|k| {
            (
                in_words(s.question.input, &k.codes, lang),
                source_words(tr, &k.source),
            )
        }),
        error: failure.at(code).map(str::to_owned),
    }
}

#[derive(Template)]
#[template(path = "registration/registration.html")]
struct RegistrationPage {
    tr: Tr,
    shell: Shell,
    r: RegistrationView,
    sections: Vec<SectionShown>,
    saved: bool,
    failure: FormFailure,
}

impl RegistrationPage {
    fn updated(&self) -> Option<String> {
        self.r
            .updated_on
            .map(|day| crate::time::date(day, self.tr.lang()))
    }

    fn open_count(&self) -> String {
        crate::mail::templates::fill(
            self.tr.t("registration.open_count"),
            &[("open", &self.r.open.to_string())],
        )
    }
}

fn page(
    tr: Tr,
    mut shell: Shell,
    r: RegistrationView,
    saved: bool,
    failure: FormFailure,
    typed: Typed,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    shell.here = format!(
        "/cases/{}/councils/{}/registration",
        r.case_id, r.council_id
    );
    let sections = Section::ALL
        .into_iter()
        .map(|section| SectionShown {
            id: section.code(),
            heading: tr.t(section_key(section)),
            questions: r
                .standings
                .iter()
                .filter(|s| s.question.section == section)
                .filter(|s| s.known.is_some() || s.asked || s.question.asked_when.is_some())
                .map(|s| shown(&tr, s, &typed, &failure))
                .collect(),
        })
        .collect();
    render(
        status,
        &RegistrationPage {
            tr,
            shell,
            r,
            sections,
            saved,
            failure,
        },
    )
}

#[derive(Debug, serde::Deserialize)]
pub struct SavedQuery {
    pub saved: Option<String>,
}

/// The registration of a network measure: Tillit's answers and the form for the rest.
#[get("/cases/{id}/councils/{council_id}/registration")]
pub async fn registration_page(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    path: web::Path<(Uuid, Uuid)>,
    query: web::Query<SavedQuery>,
) -> Result<HttpResponse, AppError> {
    let (case_id, council_id) = path.into_inner();
    let r = actions::read(&state.db, &staff.caller(), case_id, council_id).await?;
    let saved = query.saved.is_some();
    page(
        tr,
        staff.shell,
        r,
        saved,
        FormFailure::default(),
        Typed::default(),
        StatusCode::OK,
    )
}

/// Saves the form; back to the page with its confirmation, or the page again with each wrong
/// answer at its field and everything typed kept.
#[post("/cases/{id}/councils/{council_id}/registration")]
pub async fn save_registration(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    path: web::Path<(Uuid, Uuid)>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<HttpResponse, AppError> {
    let (case_id, council_id) = path.into_inner();
    let caller = staff.caller();
    let posted: Fields = fields
        .iter()
        .filter(|(k, _)| k != "csrf")
        .cloned()
        .collect();
    match actions::save(&state.db, &caller, case_id, council_id, posted.clone()).await {
        Ok(_) => Ok(HttpResponse::SeeOther()
            .insert_header((
                LOCATION,
                format!("/cases/{case_id}/councils/{council_id}/registration?saved=1"),
            ))
            .finish()),
        Err(e) => {
            let Some(failure) = FormFailure::of(&e, &tr, str::to_owned) else {
                return Err(e);
            };
            let r = actions::read(&state.db, &caller, case_id, council_id).await?;
            page(
                tr,
                staff.shell,
                r,
                false,
                failure,
                Typed::new(FORM, None, posted),
                e.status_code(),
            )
        }
    }
}
