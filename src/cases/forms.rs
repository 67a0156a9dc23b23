//! The case page's forms beyond the map: correcting the child's details, assigning and
//! unassigning staff, and the costly measures with the network check before them. Like every
//! case page they open the case through [`with_case`] (the assignment rule and the audit row) and
//! change it through the same functions as the JSON API, so the rules live in one place; a form
//! with wrong fields, or a change the rules refuse, comes back with the reasons in the reader's
//! language and nothing written.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::actions;
use super::domain::{CheckKind, ChildRequest, MeasureRequest, MeasureStatus, NetworkCheckRequest};
use super::pages::{CaseTab, FormErrors, PageState, Shown, case_page_response, see_other};
use super::views::{CasePageSections, ChildView, MapPerson, MeasureView};
use crate::access::session::Staff;
use crate::web::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::i18n::Tr;
use crate::web::pages::{Shell, render};
use crate::web::problem::AppError;

/// The child's details as typed (the interpreter checkbox is present when ticked).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ChildForm {
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub birth_year: String,
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub language: String,
    pub interpreter_needed: Option<String>,
}

impl ChildForm {
    /// The request the form stands for. A birth year that is not a number is refused here, under
    /// `prefix` and `birth_date` (where the form shows birth errors), since the request holds a
    /// number.
    pub fn request(&self, prefix: &str) -> Result<ChildRequest, AppError> {
        let year = self.birth_year.trim();
        let birth_year = if year.is_empty() {
            None
        } else {
            Some(
                year.parse()
                    .map_err(|_| AppError::field(&format!("{prefix}birth_date"), "not a year"))?,
            )
        };
        Ok(ChildRequest {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            birth_date: Some(self.birth_date.clone()),
            birth_year,
            gender: Some(self.gender.clone()),
            language: Some(self.language.clone()),
            interpreter_needed: Some(self.interpreter_needed.is_some()),
        })
    }

    /// The form filled with the child's details as recorded. A known date is shown as the date
    /// alone; the year field is for when only the year is known.
    fn of(child: &ChildView) -> Self {
        Self {
            first_name: child.first_name.clone(),
            last_name: child.last_name.clone(),
            birth_date: child
                .birth_date
                .map(crate::time::date_field_value)
                .unwrap_or_default(),
            birth_year: if child.birth_date.is_some() {
                String::new()
            } else {
                child.birth_year.to_string()
            },
            gender: child.gender.as_str().to_owned(),
            language: child.language.clone().unwrap_or_default(),
            interpreter_needed: child.interpreter_needed.then(|| "on".to_owned()),
        }
    }
}

/// Where a wrong field of the child's details is shown, and why; `None` for a field that is not
/// the child's.
pub fn child_field(tr: &Tr, field: &str) -> Option<(&'static str, &'static str)> {
    Some(match field {
        "first_name" => ("first_name", tr.t("cases.error.first_name")),
        "last_name" => ("last_name", tr.t("cases.error.last_name")),
        "birth_date" => ("birth_date", tr.t("cases.error.birth")),
        "gender" => ("gender", tr.t("cases.error.choose")),
        "language" => ("language", tr.t("cases.error.language")),
        _ => return None,
    })
}

#[derive(Template)]
#[template(path = "cases/child.html")]
struct ChildPage {
    tr: Tr,
    shell: Shell,
    case_id: Uuid,
    /// The child's first name as recorded (the form may hold a corrected one).
    child_first_name: String,
    form: ChildForm,
    errors: FormErrors,
}

impl ChildPage {
    fn error(&self, id: &str) -> Option<&'static str> {
        self.errors.get(id)
    }
}

/// The child as recorded, read for the form and audited as a read of the case.
async fn recorded_child(
    state: &AppState,
    staff: &Staff,
    case_id: Uuid,
) -> Result<ChildView, AppError> {
    actions::child(&state.db, &staff.caller(), case_id).await
}

/// The form that corrects the child's details.
#[get("/cases/{id}/child")]
pub async fn child_page(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let case_id = id.into_inner();
    let child = recorded_child(&state, &staff, case_id).await?;
    render(
        StatusCode::OK,
        &ChildPage {
            tr,
            shell: staff.shell,
            case_id,
            child_first_name: child.first_name.clone(),
            form: ChildForm::of(&child),
            errors: FormErrors::default(),
        },
    )
}

/// Saves the child's details, as `PUT /api/v1/cases/{id}/child` does; a new birth date moves the
/// 17½ reminder.
#[post("/cases/{id}/child")]
pub async fn save_child(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    id: web::Path<Uuid>,
    CsrfForm(form): CsrfForm<ChildForm>,
) -> Result<HttpResponse, AppError> {
    let case_id = id.into_inner();
    let saved = match form.request("") {
        Ok(request) => actions::update_child(&state.db, &staff.caller(), case_id, request)
            .await
            .map(drop),
        Err(err) => Err(err),
    };
    match saved {
        Ok(()) => Ok(see_other(format!("/cases/{case_id}?done=child"))),
        Err(err) => {
            let errors = FormErrors::from_error(err, |f| {
                child_field(&tr, f).unwrap_or(("first_name", tr.t("cases.error.general")))
            })?;
            let child = recorded_child(&state, &staff, case_id).await?;
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ChildPage {
                    tr,
                    shell: staff.shell,
                    case_id,
                    child_first_name: child.first_name,
                    form,
                    errors,
                },
            )
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    pub user_id: String,
}

/// Assigns a staff member chosen on the case page, as `POST /api/v1/cases/{id}/assignments` does.
#[post("/cases/{id}/assignments")]
pub async fn assign(
    state: web::Data<AppState>,
    sections: web::Data<CasePageSections>,
    staff: Staff,
    tr: Tr,
    id: web::Path<Uuid>,
    CsrfForm(form): CsrfForm<AssignForm>,
) -> Result<HttpResponse, AppError> {
    let case_id = id.into_inner();
    let saved = match form.user_id.trim().parse::<Uuid>() {
        Ok(user_id) => actions::assign(&state.db, &staff.caller(), case_id, user_id)
            .await
            .map(drop),
        Err(_) => Err(AppError::field("user_id", "choose a staff member")),
    };
    match saved {
        Ok(()) => Ok(see_other(format!("/cases/{case_id}/staff?done=assigned"))),
        Err(err) => {
            let assign_errors =
                FormErrors::from_error(err, |_| ("assign_user", tr.t("cases.error.assign_user")))?;
            case_page_response(
                &state,
                **sections,
                staff,
                tr,
                case_id,
                PageState {
                    tab: CaseTab::Staff,
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    assign_errors,
                    ..PageState::default()
                },
            )
            .await
        }
    }
}

/// Ends a staff member's assignment, as `DELETE /api/v1/cases/{id}/assignments/{user_id}` does.
/// The last one cannot end: the page says why. Whoever unassigns themselves can no longer open
/// the case and goes back to their list.
#[post("/cases/{id}/assignments/{user_id}/remove")]
pub async fn unassign(
    state: web::Data<AppState>,
    sections: web::Data<CasePageSections>,
    staff: Staff,
    tr: Tr,
    path: web::Path<(Uuid, Uuid)>,
    CsrfForm(_): CsrfForm<crate::access::login::Empty>,
) -> Result<HttpResponse, AppError> {
    let (case_id, user_id) = path.into_inner();
    let removed = actions::unassign(&state.db, &staff.caller(), case_id, user_id).await;
    match removed {
        Ok(()) if user_id == staff.user => Ok(see_other("/cases".to_owned())),
        Ok(()) => Ok(see_other(format!("/cases/{case_id}/staff?done=unassigned"))),
        Err(AppError::Refused { .. }) => {
            case_page_response(
                &state,
                **sections,
                staff,
                tr,
                case_id,
                PageState {
                    tab: CaseTab::Staff,
                    status: StatusCode::CONFLICT,
                    staff_refusal: Some(tr.t("cases.staff.last_one")),
                    ..PageState::default()
                },
            )
            .await
        }
        Err(other) => Err(other),
    }
}

/// The form that proposes a costly measure, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MeasureForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub description: String,
}

/// Proposes a costly measure from the case page, as `POST /api/v1/cases/{id}/measures` does.
#[post("/cases/{id}/measures")]
pub async fn propose_measure(
    state: web::Data<AppState>,
    sections: web::Data<CasePageSections>,
    staff: Staff,
    tr: Tr,
    id: web::Path<Uuid>,
    CsrfForm(form): CsrfForm<MeasureForm>,
) -> Result<HttpResponse, AppError> {
    let case_id = id.into_inner();
    let request = MeasureRequest {
        kind: form.kind.clone(),
        description: Some(form.description.clone()),
    };
    let saved = actions::propose_measure(&state.db, &staff.caller(), case_id, request)
        .await
        .map(drop);
    match saved {
        Ok(()) => Ok(see_other(format!("/cases/{case_id}/measures?done=measure"))),
        Err(err) => {
            let measure_errors = FormErrors::from_error(err, |f| match f {
                "kind" => ("measure_kind", tr.t("cases.error.measure_kind")),
                _ => ("measure_description", tr.t("cases.error.description")),
            })?;
            case_page_response(
                &state,
                **sections,
                staff,
                tr,
                case_id,
                PageState {
                    tab: CaseTab::Measures,
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    measure_form: form,
                    measure_errors,
                    ..PageState::default()
                },
            )
            .await
        }
    }
}

/// What became of a decision or a withdrawal: done, or refused by the rules (the case page then
/// says why at the measure).
async fn measure_outcome(
    state: &AppState,
    sections: CasePageSections,
    staff: Staff,
    tr: Tr,
    (case_id, measure_id): (Uuid, Uuid),
    result: Result<(), AppError>,
    done: &str,
) -> Result<HttpResponse, AppError> {
    match result {
        Ok(()) => Ok(see_other(format!(
            "/cases/{case_id}/measures?done={done}#measure-{measure_id}"
        ))),
        Err(AppError::Refused { .. }) => {
            case_page_response(
                state,
                sections,
                staff,
                tr,
                case_id,
                PageState {
                    tab: CaseTab::Measures,
                    status: StatusCode::CONFLICT,
                    refused_measure: Some(measure_id),
                    ..PageState::default()
                },
            )
            .await
        }
        Err(other) => Err(other),
    }
}

/// Marks a proposed measure decided, as `POST …/measures/{measure_id}/decision` does: refused,
/// with the reason on the page, until the network is checked or a justification is written.
#[post("/cases/{id}/measures/{measure_id}/decision")]
pub async fn decide_measure(
    state: web::Data<AppState>,
    sections: web::Data<CasePageSections>,
    staff: Staff,
    tr: Tr,
    path: web::Path<(Uuid, Uuid)>,
    CsrfForm(_): CsrfForm<crate::access::login::Empty>,
) -> Result<HttpResponse, AppError> {
    let (case_id, measure_id) = path.into_inner();
    let result = actions::decide_measure(&state.db, &staff.caller(), case_id, measure_id)
        .await
        .map(drop);
    measure_outcome(
        &state,
        **sections,
        staff,
        tr,
        (case_id, measure_id),
        result,
        "decided",
    )
    .await
}

/// Withdraws a proposed measure, as `POST …/measures/{measure_id}/withdrawal` does.
#[post("/cases/{id}/measures/{measure_id}/withdrawal")]
pub async fn withdraw_measure(
    state: web::Data<AppState>,
    sections: web::Data<CasePageSections>,
    staff: Staff,
    tr: Tr,
    path: web::Path<(Uuid, Uuid)>,
    CsrfForm(_): CsrfForm<crate::access::login::Empty>,
) -> Result<HttpResponse, AppError> {
    let (case_id, measure_id) = path.into_inner();
    let result = actions::withdraw_measure(&state.db, &staff.caller(), case_id, measure_id)
        .await
        .map(drop);
    measure_outcome(
        &state,
        **sections,
        staff,
        tr,
        (case_id, measure_id),
        result,
        "withdrawn",
    )
    .await
}

/// The network check form as typed. Several persons may be ticked, so it is read from the form's
/// pairs rather than into a struct.
#[derive(Debug, Clone, Default)]
pub struct CheckForm {
    pub kind: String,
    pub checked_on: String,
    /// The ids of the persons ticked as considered.
    pub considered: Vec<String>,
    pub result: String,
    pub justification: String,
}

impl CheckForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut form = Self::default();
        for (key, value) in pairs {
            match key.as_str() {
                "kind" => form.kind = value,
                "checked_on" => form.checked_on = value,
                "considered" => form.considered.push(value),
                "result" => form.result = value,
                "justification" => form.justification = value,
                _ => {}
            }
        }
        form
    }

    fn request(&self) -> NetworkCheckRequest {
        NetworkCheckRequest {
            kind: self.kind.clone(),
            checked_on: Some(self.checked_on.clone()),
            considered: self.considered.clone(),
            result: Some(self.result.clone()),
            justification: Some(self.justification.clone()),
        }
    }

    /// Whether `person` is ticked.
    fn considers(&self, person: &Uuid) -> bool {
        let id = person.to_string();
        self.considered.contains(&id)
    }

    /// Where a wrong field is shown, and why. A field filled in for the other kind of record (a
    /// result with a justification) is explained at that field.
    fn place(&self, tr: &Tr, field: &str) -> (&'static str, &'static str) {
        let justifying = self.kind == CheckKind::Justification.as_str();
        match field {
            "kind" => ("kind", tr.t("cases.error.check_kind")),
            "checked_on" | "result" | "considered" if justifying => {
                (placed_id(field), tr.t("cases.error.check_mixed"))
            }
            "justification" if !justifying => ("justification", tr.t("cases.error.check_mixed")),
            "checked_on" => ("checked_on", tr.t("cases.error.checked_on")),
            "result" => ("result", tr.t("cases.error.result")),
            "justification" => ("justification", tr.t("cases.error.justification")),
            _ => ("considered", tr.t("cases.error.considered")),
        }
    }
}

/// The id of the input that shows a field's error.
fn placed_id(field: &str) -> &'static str {
    match field {
        "checked_on" => "checked_on",
        "result" => "result",
        _ => "considered",
    }
}

#[derive(Template)]
#[template(path = "cases/check.html")]
struct CheckPage {
    tr: Tr,
    shell: Shell,
    case_id: Uuid,
    child_first_name: String,
    measure: MeasureView,
    /// The persons on the current map, who can be ticked as considered.
    persons: Vec<MapPerson>,
    form: CheckForm,
    errors: FormErrors,
    /// Why the check could not be recorded at all (the measure is no longer proposed).
    refusal: Option<&'static str>,
}

impl CheckPage {
    fn error(&self, id: &str) -> Option<&'static str> {
        self.errors.get(id)
    }

    fn is_proposed(&self) -> bool {
        self.measure.status == MeasureStatus::Proposed
    }
}

/// What the check page shows about the case, read and audited as a read of the measure.
async fn check_page_data(
    state: &AppState,
    staff: &Staff,
    case_id: Uuid,
    measure_id: Uuid,
) -> Result<(String, MeasureView, Vec<MapPerson>), AppError> {
    actions::check_form(&state.db, &staff.caller(), case_id, measure_id).await
}

/// The form that records a network check (who on the map was considered, when, with what
/// result) or a written justification before a costly measure.
#[get("/cases/{id}/measures/{measure_id}/check")]
pub async fn check_page(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, AppError> {
    let (case_id, measure_id) = path.into_inner();
    let (child_first_name, measure, persons) =
        check_page_data(&state, &staff, case_id, measure_id).await?;
    render(
        StatusCode::OK,
        &CheckPage {
            tr,
            shell: staff.shell,
            case_id,
            child_first_name,
            measure,
            persons,
            form: CheckForm::default(),
            errors: FormErrors::default(),
            refusal: None,
        },
    )
}

/// Records the check or the justification, as `POST …/measures/{measure_id}/network-checks`
/// does, and goes back to the case page.
#[post("/cases/{id}/measures/{measure_id}/check")]
pub async fn record_check(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    path: web::Path<(Uuid, Uuid)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (case_id, measure_id) = path.into_inner();
    let form = CheckForm::from_pairs(pairs);
    let saved = actions::record_check(
        &state.db,
        &staff.caller(),
        case_id,
        measure_id,
        form.request(),
    )
    .await
    .map(drop);
    let (status, errors, refusal) = match saved {
        Ok(()) => {
            return Ok(see_other(format!(
                "/cases/{case_id}/measures?done=check#measure-{measure_id}"
            )));
        }
        Err(AppError::Refused { .. }) => (
            StatusCode::CONFLICT,
            FormErrors::default(),
            Some(tr.t("cases.measure.refused_not_proposed")),
        ),
        Err(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormErrors::from_error(err, |f| form.place(&tr, f))?,
            None,
        ),
    };
    let (child_first_name, measure, persons) =
        check_page_data(&state, &staff, case_id, measure_id).await?;
    render(
        status,
        &CheckPage {
            tr,
            shell: staff.shell,
            case_id,
            child_first_name,
            measure,
            persons,
            form,
            errors,
            refusal,
        },
    )
}

/// The routes of these forms.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(child_page)
        .service(save_child)
        .service(assign)
        .service(unassign)
        .service(propose_measure)
        .service(decide_measure)
        .service(withdraw_measure)
        .service(check_page)
        .service(record_check);
}
