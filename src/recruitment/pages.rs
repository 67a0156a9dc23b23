//! HTML pages: the candidate home's own page behind their link (`/r/{token}`: the answer and the
//! self-information form) and the staff's task list of a recruitment. `GET` never writes; an
//! unknown link gets the same neutral page as the invitees'.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::actions::{self, LinkAction};
use super::domain::{Answer, FORM_FIELDS, SelfInformation, Step};
use super::views::{OwnView, RecruitmentView};
use crate::access::session::Staff;
use crate::web::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::i18n::Tr;
use crate::web::limits::client_address;
use crate::web::pages::{Shell, render};
use crate::web::problem::AppError;

#[derive(Template)]
#[template(path = "recruitment/candidate.html")]
struct CandidatePage {
    tr: Tr,
    shell: Shell,
    sender: String,
    token: String,
    answer: Option<Answer>,
    open: bool,
    answers: Vec<(&'static str, &'static str, bool)>,
    has_form: bool,
    submitted: bool,
    /// Each field: its id, label, value and inline error.
    fields: Vec<(&'static str, &'static str, String, Option<String>)>,
    saved: Option<&'static str>,
    error: Option<String>,
    errors: Vec<(String, String)>,
}

#[derive(Debug, Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

fn field_key(field: &str) -> &'static str {
    match field {
        "household" => "candidate.household",
        "housing" => "candidate.housing",
        "work" => "candidate.work",
        "health" => "candidate.health",
        "experience" => "candidate.experience",
        "motivation" => "candidate.motivation",
        "relation" => "candidate.relation",
        _ => "candidate.support",
    }
}

async fn sender(state: &AppState, token: &str) -> Result<String, AppError> {
    let Some((tenant, _)) = actions::lookup(state, token).await? else {
        return Ok(String::new());
    };
    state
        .db
        .tenant(tenant, |conn| {
            Ok::<_, AppError>(crate::tenancy::sender::neutral_sender(conn)?.sender)
        })
        .await
}

struct Shown {
    saved: Option<&'static str>,
    error: Option<String>,
    typed: Option<SelfInformation>,
    field_errors: Vec<(String, String)>,
}

async fn page(
    state: &AppState,
    tr: Tr,
    shell: Shell,
    token: String,
    own: OwnView,
    shown: Shown,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let sender = sender(state, &token).await?;
    let content = shown.typed.or(own.form.clone()).unwrap_or_default();
    let fields = content
        .values()
        .into_iter()
        .map(|(id, value)| {
            let error = shown
                .field_errors
                .iter()
                .find(|(f, _)| f == id)
                .map(|(_, m)| m.clone());
            (id, tr.t(field_key(id)), value.to_owned(), error)
        })
        .collect();
    let errors = shown
        .field_errors
        .iter()
        .map(|(f, m)| (f.clone(), format!("{}: {m}", tr.t(field_key(f)))))
        .collect();
    render(
        status,
        &CandidatePage {
            answers: Answer::ALL
                .iter()
                .map(|a| (a.as_str(), a.label(tr.lang()), own.answer == Some(*a)))
                .collect(),
            sender,
            token,
            answer: own.answer,
            open: own.open,
            has_form: own.form.is_some(),
            submitted: own.submitted,
            fields,
            saved: shown.saved,
            error: shown.error,
            errors,
            tr,
            shell,
        },
    )
}

fn unknown(tr: Tr, shell: Shell) -> Result<HttpResponse, AppError> {
    crate::councils::invitee::unknown(tr, shell)
}

#[get("/r/{token}")]
pub async fn candidate_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    token: web::Path<String>,
    query: web::Query<SavedQuery>,
) -> Result<HttpResponse, AppError> {
    state.limits.invitee(&client_address(&req))?;
    let token = token.into_inner();
    let Some(own) = actions::through_link(&state, &token, LinkAction::Read).await? else {
        return unknown(tr, shell);
    };
    let saved = match query.saved.as_deref() {
        Some("answer") => Some("candidate.answer_saved"),
        Some("draft") => Some("candidate.draft_saved"),
        Some("submitted") => Some("candidate.form_submitted"),
        _ => None,
    };
    let shown = Shown {
        saved,
        error: None,
        typed: None,
        field_errors: vec![],
    };
    page(&state, tr, shell, token, own, shown, StatusCode::OK).await
}

#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    answer: String,
}

fn refused(tr: &Tr, e: &AppError) -> Option<String> {
    match e {
        AppError::Refused { rule, .. } => Some(rule.title(tr.lang()).to_owned()),
        _ => None,
    }
}

#[post("/r/{token}")]
pub async fn answer(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    token: web::Path<String>,
    CsrfForm(form): CsrfForm<AnswerForm>,
) -> Result<HttpResponse, AppError> {
    state.limits.invitee(&client_address(&req))?;
    let token = token.into_inner();
    let mut shell = shell;
    shell.here = format!("/r/{token}");
    let parsed = Answer::parse(&form.answer);
    let (action, error) = match parsed {
        Ok(a) => (LinkAction::Answer(a), None),
        Err(_) => (LinkAction::Read, Some(tr.t("candidate.choose").to_owned())),
    };
    match actions::through_link(&state, &token, action).await {
        Ok(None) => unknown(tr, shell),
        Ok(Some(own)) if error.is_some() => {
            let shown = Shown {
                saved: None,
                error,
                typed: None,
                field_errors: vec![],
            };
            page(
                &state,
                tr,
                shell,
                token,
                own,
                shown,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Ok(Some(_)) => Ok(HttpResponse::SeeOther()
            .insert_header((LOCATION, format!("/r/{token}?saved=answer")))
            .finish()),
        Err(e) => match refused(&tr, &e) {
            Some(message) => {
                let Some(own) = actions::through_link(&state, &token, LinkAction::Read).await?
                else {
                    return unknown(tr, shell);
                };
                let shown = Shown {
                    saved: None,
                    error: Some(message),
                    typed: None,
                    field_errors: vec![],
                };
                page(&state, tr, shell, token, own, shown, StatusCode::CONFLICT).await
            }
            None => Err(e),
        },
    }
}

#[derive(Debug, Deserialize)]
pub struct FormPost {
    #[serde(flatten)]
    content: SelfInformation,
    #[serde(default)]
    action: String,
}

#[post("/r/{token}/form")]
pub async fn save_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    token: web::Path<String>,
    CsrfForm(form): CsrfForm<FormPost>,
) -> Result<HttpResponse, AppError> {
    state.limits.invitee(&client_address(&req))?;
    let token = token.into_inner();
    let mut shell = shell;
    shell.here = format!("/r/{token}");
    let submit = form.action == "submit";
    let typed = form.content.clone();
    let result = match form.content.parse() {
        Ok(content) if submit => {
            actions::through_link(&state, &token, LinkAction::Submit(content)).await
        }
        Ok(content) => actions::through_link(&state, &token, LinkAction::Save(content)).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(None) => unknown(tr, shell),
        Ok(Some(_)) => {
            let saved = if submit { "submitted" } else { "draft" };
            Ok(HttpResponse::SeeOther()
                .insert_header((LOCATION, format!("/r/{token}?saved={saved}#form")))
                .finish())
        }
        Err(e) => {
            let (status, error, field_errors) = match &e {
                AppError::Refused { rule, .. } => (
                    StatusCode::CONFLICT,
                    Some(rule.title(tr.lang()).to_owned()),
                    vec![],
                ),
                AppError::Validation(fields) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                    fields
                        .iter()
                        .filter(|f| FORM_FIELDS.contains(&f.field.as_str()))
                        .map(|f| {
                            let message = crate::web::form_errors::sentence(&tr, &f.message);
                            (f.field.clone(), message)
                        })
                        .collect(),
                ),
                _ => return Err(e),
            };
            let Some(own) = actions::through_link(&state, &token, LinkAction::Read).await? else {
                return unknown(tr, shell);
            };
            let typed = (!own.submitted).then_some(typed);
            let shown = Shown {
                saved: None,
                error,
                typed,
                field_errors,
            };
            page(&state, tr, shell, token, own, shown, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "recruitment/recruitment.html")]
struct RecruitmentPage {
    tr: Tr,
    shell: Shell,
    case_id: Uuid,
    r: RecruitmentView,
}

impl RecruitmentPage {
    fn step_label(&self, step: &Step) -> &'static str {
        step.label(self.tr.lang())
    }

    fn task_status(&self, status: &str) -> &'static str {
        match status {
            "done" => self.tr.t("recruitment.task.done"),
            "next" => self.tr.t("recruitment.task.next"),
            "waiting" => self.tr.t("recruitment.task.waiting"),
            _ => self.tr.t("recruitment.task.blocked"),
        }
    }

    fn form_key(&self, form: &str) -> &'static str {
        match form {
            "draft" => "recruitment.form_draft",
            "submitted" => "recruitment.form_submitted",
            _ => "recruitment.form_none",
        }
    }

    /// A step's day as the reader writes dates.
    fn day(&self, on: &chrono::NaiveDate) -> String {
        crate::time::date(*on, self.tr.lang())
    }

    fn blocker(&self, slug: &Option<&'static str>) -> &'static str {
        slug.and_then(|s| {
            crate::web::refusal::Refusal::ALL
                .iter()
                .find(|r| r.slug() == s)
        })
        .map(|r| r.title(self.tr.lang()))
        .unwrap_or("")
    }
}

/// The recruitment's flow as a task list: what is done (when), what is next, what blocks it.
#[get("/cases/{id}/recruitments/{recruitment_id}")]
pub async fn recruitment_page(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, AppError> {
    let (case_id, id) = path.into_inner();
    let r = actions::read(&state, &staff.caller(), case_id, id).await?;
    render(
        StatusCode::OK,
        &RecruitmentPage {
            tr,
            // The signed-in shell: the service's name and the navigation.
            shell: staff.shell,
            case_id,
            r,
        },
    )
}
