//! HTML pages: the candidate home's own page behind their link (`/r/{token}`: the answer and the
//! self-information form) and the staff's task list of a recruitment. `GET` never writes; an
//! unknown link gets the same neutral page as the invitees'.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, ResponseError, get, post, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::actions::{self, LinkAction};
use super::domain::{
    Answer, CandidateRequest, FORM_FIELDS, ReferralRequest, SelfInformation, Service, Step,
    StepRequest, Urgency,
};
use super::views::{OwnView, RecruitmentView};
use crate::access::session::Staff;
use crate::cases::categories::{Closeness, RelationCategory, RelationQuality};
use crate::cases::domain::PersonRequest;
use crate::web::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::form_errors::FormFailure;
use crate::web::i18n::Tr;
use crate::web::limits::client_address;
use crate::web::pages::{Shell, render};
use crate::web::posted::{Fields, Typed, field};
use crate::web::problem::{AppError, FieldError};

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
    state.limits.invitee(&client_address(&req)).await?;
    let token = token.into_inner();
    let Some(own) = actions::through_link(&state, &token, LinkAction::Read).await? else {
        return unknown(tr, shell);
    };
    let saved = match query.saved.as_deref() {
        Some("answer") => Some("candidate.answer_saved"),
        Some("draft") => Some("candidate.draft_saved"),
        Some("submitted") => Some("candidate.form_submitted"),
        Some("answer_again") => Some("again.candidate_answer"),
        Some("submitted_again") => Some("again.candidate_form"),
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
    state.limits.invitee(&client_address(&req)).await?;
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
        Ok(Some(own)) => {
            let saved = if own.already {
                "answer_again"
            } else {
                "answer"
            };
            Ok(HttpResponse::SeeOther()
                .insert_header((LOCATION, format!("/r/{token}?saved={saved}")))
                .finish())
        }
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
    state.limits.invitee(&client_address(&req)).await?;
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
        Ok(Some(own)) => {
            let saved = match (submit, own.already) {
                (true, true) => "submitted_again",
                (true, false) => "submitted",
                (false, _) => "draft",
            };
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

/// The forms of the staff's recruitment page: each recorded step (by its code), a home of
/// persons from the map, and a home with a person who joins the map.
const FORMS: [&str; 11] = [
    "started",
    "info_meeting",
    "fgc_meeting",
    "clarification_meeting",
    "family_plan",
    "interviews",
    "matching",
    "decision",
    "intake",
    "candidate",
    "new_person",
];

/// The section of the page a form stands in (its element's id), where its outcome is shown.
fn section_of(form: &str) -> String {
    match form {
        "candidate" | "new_person" => "plan".to_owned(),
        step => format!("task-{step}"),
    }
}

/// The input a form's field is shown at (the ids in `recruitment/recruitment.html`).
fn input_id(form: &str, field: &str) -> String {
    match (form, field) {
        ("candidate", "person_ids") => "candidate-person-1".to_owned(),
        ("candidate", _) => "candidate-person-1".to_owned(),
        ("new_person", "person_ids") => "new-partner".to_owned(),
        ("new_person", f) => {
            let f = f.strip_prefix("new_person.").unwrap_or(f);
            let known = [
                "name",
                "relation",
                "category",
                "closeness",
                "quality",
                "email",
                "phone",
            ];
            let f = if known.contains(&f) { f } else { "name" };
            format!("new-{f}")
        }
        (step, "council_id") => format!("{step}-council"),
        (step, "decision") => format!("{step}-decision"),
        (step, "done_on") => format!("{step}-done-on"),
        (step, _) => format!("{step}-note"),
    }
}

/// A step's form as the JSON API's request: the day (blank: today) and the conference's id are
/// read here, so a wrong one is named at its field.
fn step_request(step: &str, fields: &Fields) -> Result<StepRequest, AppError> {
    let mut errors = Vec::new();
    let done_on = match field(fields, "done_on") {
        None => None,
        Some(d) => match chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new("done_on", "a date is written YYYY-MM-DD"));
                None
            }
        },
    };
    let council_id = match field(fields, "council_id") {
        None => None,
        Some(id) => match id.trim().parse::<Uuid>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldError::new("council_id", "not a valid id"));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(StepRequest {
        step: step.to_owned(),
        done_on,
        note: field(fields, "note").map(str::to_owned),
        council_id,
        decision: field(fields, "decision").map(str::to_owned),
    })
}

/// The ids chosen in `names` (blank choices left out); one that is no id is a wrong choice.
fn chosen(fields: &Fields, names: &[&str]) -> Result<Vec<Uuid>, AppError> {
    names
        .iter()
        .filter_map(|n| field(fields, n))
        .map(|v| {
            v.trim()
                .parse()
                .map_err(|_| AppError::field("person_ids", "not a person id"))
        })
        .collect()
}

/// The home of a new person: who they are, and perhaps one person of the map beside them.
fn new_person_request(fields: &Fields) -> Result<CandidateRequest, AppError> {
    let text = |name: &str| field(fields, name).map(str::to_owned);
    let person = PersonRequest {
        name: text("name").unwrap_or_default(),
        relation: text("relation"),
        category: text("category").unwrap_or_default(),
        closeness: text("closeness").unwrap_or_default(),
        quality: text("quality").unwrap_or_default(),
        email: text("email"),
        phone: text("phone"),
        ..PersonRequest::default()
    };
    Ok(CandidateRequest {
        person_ids: chosen(fields, &["partner_id"])?,
        new_person: Some(person),
    })
}

#[derive(Template)]
#[template(path = "recruitment/recruitment.html")]
struct RecruitmentPage {
    tr: Tr,
    shell: Shell,
    case_id: Uuid,
    r: RecruitmentView,
    /// The persons of the map not yet ranked, who may be.
    unranked: Vec<(Uuid, String)>,
    conferences: Vec<(Uuid, String)>,
    /// The caller decides (the service's staff, not the foster care service).
    decides: bool,
    /// The section the last form belongs to, where its outcome is shown.
    section: Option<String>,
    saved: bool,
    failure: FormFailure,
    typed: Typed,
    categories: &'static [RelationCategory],
    closeness: [Closeness; 3],
    qualities: [RelationQuality; 3],
    today: String,
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

    /// The last form's outcome belongs in section `id`.
    fn here(&self, id: &str) -> bool {
        self.section.as_deref() == Some(id)
    }

    /// Whether step `step` has a form now: it is next, and the caller may record it.
    fn has_form(&self, step: &Step, status: &str) -> bool {
        status == "next"
            && super::domain::RECORDED.contains(step)
            && (*step != Step::Decision || self.decides)
    }

    /// The note's label: a decision's note is its reason.
    fn note_label(&self, step: &Step) -> &'static str {
        if *step == Step::Decision {
            self.tr.t("recruitment.page.reason")
        } else {
            self.tr.t("recruitment.page.note")
        }
    }

    /// The home up now, as its rank and persons' names.
    fn current_home(&self) -> String {
        self.r
            .candidates
            .iter()
            .find(|c| Some(c.id) == self.r.current_candidate)
            .map(|c| {
                let names: Vec<&str> = c.persons.iter().map(|p| p.name.as_str()).collect();
                format!("{}. {}", c.rank, names.join(", "))
            })
            .unwrap_or_default()
    }

    /// Homes may still be ranked: the clarification meeting was held and no home was decided
    /// for.
    fn may_rank(&self) -> bool {
        self.r
            .tasks
            .iter()
            .any(|t| t.step == Step::ClarificationMeeting && t.status == "done")
            && self.r.state != Step::Intake
            && !self
                .r
                .candidates
                .iter()
                .any(|c| c.decision == Some(super::domain::Decision::Yes))
    }
}

/// What the last form did: saved (after the redirect) or failed (with what was typed).
enum Outcome {
    None,
    Saved(&'static str),
    Failed {
        form: String,
        status: StatusCode,
        failure: FormFailure,
        typed: Typed,
    },
}

async fn recruitment_page_with(
    state: &AppState,
    staff: Staff,
    tr: Tr,
    case_id: Uuid,
    id: Uuid,
    outcome: Outcome,
) -> Result<HttpResponse, AppError> {
    let caller = staff.caller();
    let data = actions::read_page(state, &caller, case_id, id).await?;
    let (status, section, saved, failure, typed) = match outcome {
        Outcome::None => (
            StatusCode::OK,
            None,
            false,
            FormFailure::default(),
            Typed::default(),
        ),
        Outcome::Saved(form) => (
            StatusCode::OK,
            Some(section_of(form)),
            true,
            FormFailure::default(),
            Typed::default(),
        ),
        Outcome::Failed {
            form,
            status,
            failure,
            typed,
        } => (status, Some(section_of(&form)), false, failure, typed),
    };
    let ranked: Vec<Uuid> = data
        .view
        .candidates
        .iter()
        .flat_map(|c| c.persons.iter().map(|p| p.id))
        .collect();
    let lang = tr.lang();
    let conferences = data
        .conferences
        .iter()
        .map(|k| {
            let on = crate::time::date(k.created_at.date_naive(), lang);
            (k.id, format!("{} ({on})", k.kind.label(lang)))
        })
        .collect();
    render(
        status,
        &RecruitmentPage {
            decides: actions::decides(&caller),
            unranked: data
                .persons
                .into_iter()
                .filter(|(p, _)| !ranked.contains(p))
                .collect(),
            conferences,
            tr,
            // The signed-in shell: the service's name and the navigation.
            shell: staff.shell,
            case_id,
            r: data.view,
            section,
            saved,
            failure,
            typed,
            categories: &RelationCategory::ALL,
            closeness: Closeness::ALL,
            qualities: RelationQuality::ALL,
            today: crate::time::date_field_value(chrono::Utc::now().date_naive()),
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// The recruitment's flow as a task list: what is done (when), what is next with its form, what
/// blocks it; the family's plan with the forms that rank homes.
#[get("/cases/{id}/recruitments/{recruitment_id}")]
pub async fn recruitment_page(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    path: web::Path<(Uuid, Uuid)>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let (case_id, id) = path.into_inner();
    let outcome = query
        .into_inner()
        .done
        .and_then(|d| FORMS.iter().chain(&["referral"]).find(|f| **f == d))
        .map_or(Outcome::None, |f| Outcome::Saved(f));
    recruitment_page_with(&state, staff, tr, case_id, id, outcome).await
}

/// Every form of the recruitment page posts here and goes through the same
/// [`super::actions`] as the JSON API; a saved form returns to its section, a failed one shows
/// the page again with each mistake at its field and what was typed kept.
#[post("/cases/{id}/recruitments/{recruitment_id}/{form}")]
pub async fn recruitment_form(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    path: web::Path<(Uuid, Uuid, String)>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<HttpResponse, AppError> {
    let (case_id, id, form) = path.into_inner();
    let Some(form) = FORMS.iter().copied().find(|f| *f == form) else {
        return Err(AppError::NotFound);
    };
    let caller = staff.caller();
    let result = match form {
        "candidate" => {
            async {
                let req = CandidateRequest {
                    person_ids: chosen(&fields, &["person_1", "person_2"])?,
                    new_person: None,
                };
                actions::add_candidate(&state, &caller, case_id, id, req).await
            }
            .await
        }
        "new_person" => {
            async {
                let req = new_person_request(&fields)?;
                actions::add_candidate(&state, &caller, case_id, id, req).await
            }
            .await
        }
        step => {
            async {
                let req = step_request(step, &fields)?;
                actions::record_step(&state, &caller, case_id, id, req).await
            }
            .await
        }
    };
    let failed = match result {
        Ok(_) => {
            let section = section_of(form);
            return Ok(HttpResponse::SeeOther()
                .insert_header((
                    LOCATION,
                    format!("/cases/{case_id}/recruitments/{id}?done={form}#{section}"),
                ))
                .finish());
        }
        Err(e) => e,
    };
    let Some(failure) = FormFailure::of(&failed, &tr, |f| input_id(form, f)) else {
        return Err(failed);
    };
    let outcome = Outcome::Failed {
        form: form.to_owned(),
        status: failed.status_code(),
        failure,
        typed: Typed::new(form, None, fields),
    };
    recruitment_page_with(&state, staff, tr, case_id, id, outcome).await
}

#[derive(Template)]
#[template(path = "recruitment/list.html")]
struct ListPage {
    tr: Tr,
    shell: Shell,
    case_id: Uuid,
    recruitments: Vec<RecruitmentView>,
    /// The caller is of the service's staff, who see the case (the foster care service does not).
    sees_case: bool,
    /// The caller refers (the service's staff) and the case has no open recruitment.
    may_refer: bool,
    failure: FormFailure,
    typed: Typed,
    urgencies: [Urgency; 3],
    services: [Service; 2],
}

impl ListPage {
    fn day(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        crate::time::date(at.date_naive(), self.tr.lang())
    }
}

async fn list_page_with(
    state: &AppState,
    staff: Staff,
    tr: Tr,
    case_id: Uuid,
    failed: Option<(StatusCode, FormFailure, Typed)>,
) -> Result<HttpResponse, AppError> {
    let caller = staff.caller();
    let recruitments = actions::list(state, &caller, case_id).await?;
    let (status, failure, typed) =
        failed.unwrap_or((StatusCode::OK, FormFailure::default(), Typed::default()));
    render(
        status,
        &ListPage {
            sees_case: actions::decides(&caller),
            may_refer: actions::decides(&caller)
                && recruitments.iter().all(|r| r.state == Step::Intake),
            tr,
            shell: staff.shell,
            case_id,
            recruitments,
            failure,
            typed,
            urgencies: Urgency::ALL,
            services: Service::ALL,
        },
    )
}

/// The case's foster-home recruitments, and the form that refers the case to the foster care
/// service ("Henvis til fosterhjemstjenesten").
#[get("/cases/{id}/recruitments")]
pub async fn recruitments_page(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    list_page_with(&state, staff, tr, path.into_inner(), None).await
}

/// The referral form: the same action as the JSON API's; a saved referral opens its page.
#[post("/cases/{id}/recruitments")]
pub async fn refer_form(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    path: web::Path<Uuid>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<HttpResponse, AppError> {
    let case_id = path.into_inner();
    let req = ReferralRequest {
        reason: field(&fields, "reason").map(str::to_owned),
        urgency: field(&fields, "urgency").map(str::to_owned),
        fgc_wished: field(&fields, "fgc_wished").is_some(),
        service: field(&fields, "service").map(str::to_owned),
    };
    let failed = match actions::refer(&state, &staff.caller(), case_id, req).await {
        Ok(r) => {
            return Ok(HttpResponse::SeeOther()
                .insert_header((
                    LOCATION,
                    format!(
                        "/cases/{case_id}/recruitments/{}?done=referral#task-referral",
                        r.id
                    ),
                ))
                .finish());
        }
        Err(e) => e,
    };
    let Some(failure) = FormFailure::of(&failed, &tr, |f| format!("referral-{f}")) else {
        return Err(failed);
    };
    let status = failed.status_code();
    let typed = Typed::new("referral", None, fields);
    list_page_with(&state, staff, tr, case_id, Some((status, failure, typed))).await
}

#[derive(Template)]
#[template(path = "recruitment/form.html")]
struct FormPage {
    tr: Tr,
    shell: Shell,
    case_id: Uuid,
    recruitment_id: Uuid,
    form: super::views::FormView,
    /// Each field: its label and what the home wrote.
    fields: Vec<(&'static str, String)>,
}

impl FormPage {
    fn submitted_on(&self) -> Option<String> {
        self.form
            .submitted_at
            .map(|at| crate::time::date(at.date_naive(), self.tr.lang()))
    }
}

/// A home's self-information form as the case's staff and the assigned foster care officer read
/// it before the interviews; every read is audited.
#[get("/cases/{id}/recruitments/{recruitment_id}/candidates/{candidate_id}/form")]
pub async fn form_page(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    path: web::Path<(Uuid, Uuid, Uuid)>,
) -> Result<HttpResponse, AppError> {
    let (case_id, recruitment_id, candidate) = path.into_inner();
    let form =
        actions::read_form(&state, &staff.caller(), case_id, recruitment_id, candidate).await?;
    let fields = form
        .content
        .values()
        .into_iter()
        .map(|(id, value)| (tr.t(field_key(id)), value.to_owned()))
        .collect();
    render(
        StatusCode::OK,
        &FormPage {
            tr,
            shell: staff.shell,
            case_id,
            recruitment_id,
            form,
            fields,
        },
    )
}
