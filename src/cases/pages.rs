//! The coordinator's pages: my cases, the case page (prompts, the eco-map with its table, the
//! phase and the revision form), the person form, the revision history, and the printable acute
//! list and map. They share the JSON API's rules: each page opens its case through
//! [`with_case`], so the assignment rule and the audit trail are the same, and forms are parsed
//! by the same types, with the reasons shown beside the fields in the reader's language.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::actions::{self, CASE_ROLES};
use super::categories::{Closeness, Lineage, NetworkSide, RelationCategory, RelationQuality};
use super::domain::{
    CaseListRequest, CaseUpdateRequest, Channel, Gender, MeasureKind, NewCaseRequest,
    PersonRequest, Phase, RevisionRequest, WordsAuthor, WordsRequest,
};
use super::forms::{self, ChildForm, MeasureForm};
use super::handlers::MapQuery;
use super::history::{FieldChange, MapDiff, diff};
use super::picture;
use super::rules::{self, GateRefusal, Prompt};
use super::views::{
    AcuteList, CaseCouncil, CaseList, CasePageSections, CaseSummary, CaseView, MeasureView,
    PersonView, RevisionView, StaffMember,
};
use crate::access::session::Staff;
use crate::fields::format_phone;
use crate::mail::templates::fill;
use crate::tenancy::Municipality;
use crate::web::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::form_errors::FormFailure;
use crate::web::i18n::Tr;
use crate::web::pages::{Shell, render};
use crate::web::problem::AppError;

pub(super) fn see_other(path: String) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, path))
        .finish()
}

/// A form's wrong fields: the id of the input and the reason, in the reader's language.
#[derive(Debug, Clone, Default)]
pub struct FormErrors(Vec<(&'static str, &'static str)>);

impl FormErrors {
    /// The field errors of `err` (a validation error), each placed by `place` on an input and
    /// given its text; any other error is passed on.
    pub(super) fn from_error(
        err: AppError,
        place: impl Fn(&str) -> (&'static str, &'static str),
    ) -> Result<Self, AppError> {
        match err {
            AppError::Validation(fields) => {
                let mut out: Vec<(&'static str, &'static str)> = Vec::new();
                for field in fields {
                    let placed = place(&field.field);
                    if !out.iter().any(|(id, _)| *id == placed.0) {
                        out.push(placed);
                    }
                }
                Ok(Self(out))
            }
            other => Err(other),
        }
    }

    pub fn get(&self, id: &str) -> Option<&'static str> {
        self.0.iter().find(|(i, _)| *i == id).map(|(_, m)| *m)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn all(&self) -> &[(&'static str, &'static str)] {
        &self.0
    }
}

/// A date as the reader writes it.
pub fn date(day: NaiveDate, tr: &Tr) -> String {
    crate::time::date(day, tr.lang())
}

/// [`date`] as a method, so templates can write `{{ day.shown(tr) }}` whatever the references.
pub trait Shown {
    fn shown(&self, tr: &Tr) -> String;
}

impl Shown for NaiveDate {
    fn shown(&self, tr: &Tr) -> String {
        date(*self, tr)
    }
}

/// A prompt as a sentence.
pub fn prompt_text(prompt: &Prompt, tr: &Tr) -> String {
    let lang = tr.lang();
    match prompt {
        Prompt::TransitionMeeting { on } => fill(
            tr.t("cases.prompt.transition_meeting"),
            &[("date", &date(*on, tr))],
        ),
        Prompt::NoMap { due_on } => {
            fill(tr.t("cases.prompt.no_map"), &[("date", &date(*due_on, tr))])
        }
        Prompt::PhaseChanged {
            revision,
            revision_phase,
            phase,
        } => fill(
            tr.t("cases.prompt.phase_changed"),
            &[
                ("number", &revision.to_string()),
                ("then", revision_phase.label(lang)),
                ("now", phase.label(lang)),
            ],
        ),
        Prompt::ReviewDue {
            revision,
            revised_on,
            due_on,
        } => fill(
            tr.t("cases.prompt.review_due"),
            &[
                ("number", &revision.to_string()),
                ("revised", &date(*revised_on, tr)),
                ("due", &date(*due_on, tr)),
            ],
        ),
        Prompt::UnsavedChanges { revision } => fill(
            tr.t("cases.prompt.unsaved_changes"),
            &[("number", &revision.to_string())],
        ),
        Prompt::MissingSide { sides } => match sides.as_slice() {
            [Lineage::Paternal] => tr.t("cases.prompt.missing_paternal").to_owned(),
            [Lineage::Maternal] => tr.t("cases.prompt.missing_maternal").to_owned(),
            _ => tr.t("cases.prompt.missing_both").to_owned(),
        },
        Prompt::NoAcute => tr.t("cases.prompt.no_acute").to_owned(),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewCaseForm {
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
    #[serde(default)]
    pub phase: String,
    pub acute: Option<String>,
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub municipality: String,
}

#[derive(Template)]
#[template(path = "cases/list.html")]
struct ListPage {
    tr: Tr,
    shell: Shell,
    /// The search as typed, kept whatever is wrong with it.
    search: CaseListRequest,
    /// The page of cases found; none when the search has a wrong field.
    list: Option<CaseList>,
    search_errors: FormErrors,
    /// The municipalities the service serves, for the new case's home municipality.
    municipalities: Vec<Municipality>,
    form: NewCaseForm,
    errors: FormErrors,
}

impl ListPage {
    fn error(&self, id: &str) -> Option<&'static str> {
        self.errors.get(id)
    }

    fn search_error(&self, id: &str) -> Option<&'static str> {
        self.search_errors.get(id)
    }

    /// The list's address with the same search on page `page`.
    fn page_href(&self, page: u32) -> String {
        let search = [
            ("q", self.search.q.as_str()),
            ("phase", self.search.phase.as_str()),
            ("acute", self.search.acute.as_str()),
            ("prompt", self.search.prompt.as_str()),
            ("sort", self.search.sort.as_str()),
        ];
        let page = page.to_string();
        let pairs: Vec<(&str, &str)> = search
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .chain([("page", page.as_str())])
            .collect();
        format!(
            "/cases?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    }

    fn found_text(&self, list: &CaseList) -> String {
        fill(
            self.tr.t("cases.list.found"),
            &[("count", &list.total.to_string())],
        )
    }

    fn page_of_text(&self, list: &CaseList) -> String {
        fill(
            self.tr.t("cases.list.page_of"),
            &[
                ("page", &list.page.to_string()),
                ("pages", &list.pages.to_string()),
            ],
        )
    }

    /// The short text of each of a case's prompts.
    fn prompt_labels(&self, case: &CaseSummary) -> String {
        case.prompts
            .iter()
            .map(|p| p.kind().label(self.tr.lang()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Where a wrong value of the search is shown, and why.
fn search_field(tr: &Tr, field: &str) -> (&'static str, &'static str) {
    match field {
        "q" => ("q", tr.t("cases.list.error.q")),
        "phase" => ("search-phase", tr.t("cases.list.error.phase")),
        "acute" => ("search-acute", tr.t("cases.list.error.acute")),
        "prompt" => ("search-prompt", tr.t("cases.list.error.prompt")),
        "sort" => ("search-sort", tr.t("cases.list.error.sort")),
        _ => ("search-page", tr.t("cases.list.error.page")),
    }
}

/// My cases: the cases assigned to the signed-in person that the search finds, a page at a
/// time, and a form to open a new one. A search with an unknown value shows what to fix at its
/// field, with everything typed kept.
#[get("/cases")]
pub async fn list_page(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    search: web::Query<CaseListRequest>,
) -> Result<HttpResponse, AppError> {
    let search = search.into_inner();
    let form = NewCaseForm {
        phase: Phase::Investigation.as_str().to_owned(),
        gender: Gender::Unspecified.as_str().to_owned(),
        ..NewCaseForm::default()
    };
    list_response(&state, staff, tr, search, form, FormErrors::default()).await
}

async fn list_response(
    state: &AppState,
    staff: Staff,
    tr: Tr,
    search: CaseListRequest,
    form: NewCaseForm,
    errors: FormErrors,
) -> Result<HttpResponse, AppError> {
    let municipalities = actions::municipalities(&state.db, &staff.caller()).await?;
    let (list, search_errors) =
        match actions::list_cases(&state.db, &staff.caller(), search.clone()).await {
            Ok(list) => (Some(list), FormErrors::default()),
            Err(err) => (None, FormErrors::from_error(err, |f| search_field(&tr, f))?),
        };
    let status = if !errors.is_empty() || !search_errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        status,
        &ListPage {
            tr,
            shell: staff.shell,
            search,
            list,
            search_errors,
            municipalities,
            form,
            errors,
        },
    )
}

fn new_case_field(tr: &Tr, field: &str) -> (&'static str, &'static str) {
    if let Some(placed) = field
        .strip_prefix("child.")
        .and_then(|f| forms::child_field(tr, f))
    {
        return placed;
    }
    match field {
        "phase" => ("phase", tr.t("cases.error.choose")),
        "reference" => ("reference", tr.t("cases.error.reference")),
        "municipality" => ("municipality", tr.t("cases.error.municipality")),
        _ => ("opened_at", tr.t("cases.error.general")),
    }
}

impl NewCaseForm {
    /// The child's part of the form.
    fn child(&self) -> ChildForm {
        ChildForm {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            birth_date: self.birth_date.clone(),
            birth_year: self.birth_year.clone(),
            gender: self.gender.clone(),
            language: self.language.clone(),
            interpreter_needed: self.interpreter_needed.clone(),
        }
    }
}

/// Opens a case from the form on "my cases"; the person who opens it is assigned to it.
#[post("/cases")]
pub async fn create_from_form(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    CsrfForm(form): CsrfForm<NewCaseForm>,
) -> Result<HttpResponse, AppError> {
    staff.require(&CASE_ROLES)?;
    let created = match form.child().request("child.") {
        Ok(child) => {
            let request = NewCaseRequest {
                child,
                phase: Some(form.phase.clone()),
                acute: Some(form.acute.is_some()),
                opened_at: None,
                reference: Some(form.reference.clone()),
                municipality: Some(form.municipality.clone()),
            };
            actions::create_case(&state.db, &staff.caller(), request)
                .await
                .map(|view| view.id)
        }
        Err(err) => Err(err),
    };
    match created {
        Ok(id) => Ok(see_other(format!("/cases/{id}"))),
        Err(err) => {
            let errors = FormErrors::from_error(err, |f| new_case_field(&tr, f))?;
            list_response(&state, staff, tr, CaseListRequest::default(), form, errors).await
        }
    }
}

/// The revision form's values, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RevisionForm {
    #[serde(default)]
    pub revised_on: String,
    #[serde(default)]
    pub child_participated: String,
    #[serde(default)]
    pub participation: String,
}

#[derive(Template)]
#[template(path = "cases/case.html")]
struct CasePage {
    tr: Tr,
    shell: Shell,
    case: CaseView,
    /// The case's councils, each linking to its page.
    councils: Vec<CaseCouncil>,
    prompts: Vec<String>,
    svg: String,
    /// The case's costly measures, oldest first.
    measures: Vec<MeasureView>,
    /// The service's staff who may see cases, for names and the assignment form.
    staff: Vec<StaffMember>,
    /// Who opened the acute list without being assigned, newest first.
    openings: Vec<OpeningLine>,
    page: PageState,
}

/// An opening of the acute list as the case page tells it: who, in which role, when, why and
/// until when.
struct OpeningLine {
    who: String,
    role: &'static str,
    opened: String,
    until: String,
    open: bool,
    reason: String,
    call_reference: Option<String>,
}

impl CasePage {
    /// Whether this is the case's page `tab`.
    fn on(&self, tab: CaseTab) -> bool {
        self.page.tab == tab
    }

    /// The tabs: each one's address, name and whether it is this page.
    fn tabs(&self) -> Vec<(String, &'static str, bool)> {
        CaseTab::ALL
            .iter()
            .map(|t| (t.href(self.case.id), self.tr.t(t.label_key()), self.on(*t)))
            .collect()
    }

    /// A wrong field of the revision form.
    fn error(&self, id: &str) -> Option<&'static str> {
        self.page.errors.get(id)
    }

    fn measure_error(&self, id: &str) -> Option<&'static str> {
        self.page.measure_errors.get(id)
    }

    fn assign_error(&self, id: &str) -> Option<&'static str> {
        self.page.assign_errors.get(id)
    }

    /// Active staff who may see cases and are not assigned yet.
    fn assignable(&self) -> Vec<&StaffMember> {
        self.staff
            .iter()
            .filter(|s| s.active && !self.case.assigned.iter().any(|a| a.user_id == s.user_id))
            .collect()
    }

    /// A staff member's name, for "proposed by" and the like; a dash for nobody or someone gone.
    fn staff_name(&self, user: &Option<Uuid>) -> String {
        user.and_then(|id| self.staff.iter().find(|s| s.user_id == id))
            .map_or_else(|| "–".to_owned(), |s| s.display_name.clone())
    }

    /// Why the last attempt to decide or withdraw `measure` was refused, if it was this one: the
    /// gate's own answer for the measure as it now stands.
    fn refusal(&self, measure: &MeasureView) -> Option<&'static str> {
        if self.page.refused_measure != Some(measure.id) {
            return None;
        }
        match rules::may_decide(measure.status, measure.checks.len()) {
            Err(GateRefusal::NetworkNotChecked) => {
                Some(self.tr.t("cases.measure.refused_unchecked"))
            }
            Err(GateRefusal::NotProposed(_)) => {
                Some(self.tr.t("cases.measure.refused_not_proposed"))
            }
            // Checked meanwhile by someone else: nothing stands in the way any more.
            Ok(()) => None,
        }
    }

    fn measure_kinds(&self) -> [MeasureKind; 5] {
        MeasureKind::ALL
    }
}

#[derive(Debug, Deserialize)]
pub struct NoticeQuery {
    pub done: Option<String>,
}

fn notice(query: &NoticeQuery) -> Option<&'static str> {
    match query.done.as_deref() {
        Some("revision") => Some("cases.done.revision"),
        Some("status") => Some("cases.done.status"),
        Some("person") => Some("cases.done.person"),
        Some("removed") => Some("cases.done.removed"),
        Some("child") => Some("cases.done.child"),
        Some("assigned") => Some("cases.done.assigned"),
        Some("unassigned") => Some("cases.done.unassigned"),
        Some("measure") => Some("cases.done.measure"),
        Some("check") => Some("cases.done.check"),
        Some("decided") => Some("cases.done.decided"),
        Some("withdrawn") => Some("cases.done.withdrawn"),
        _ => None,
    }
}

/// The case's pages: the map and its people first, then one page for each kind of work, so a
/// form comes back on a page of its own length with its message where the person looks (the
/// one case page had grown to eight sections and seven forms). Each shows the child and the tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaseTab {
    /// The prompts, the eco-map, the people on it and the councils.
    #[default]
    Map,
    /// Saving the map as a revision.
    Revision,
    /// The phase, the acute flag and who is responsible.
    Staff,
    /// Costly measures and the network check before them.
    Measures,
}

impl CaseTab {
    pub const ALL: [CaseTab; 4] = [Self::Map, Self::Revision, Self::Staff, Self::Measures];

    /// The tab's page for `case`.
    pub fn href(self, case: Uuid) -> String {
        match self {
            Self::Map => format!("/cases/{case}"),
            Self::Revision => format!("/cases/{case}/revision"),
            Self::Staff => format!("/cases/{case}/staff"),
            Self::Measures => format!("/cases/{case}/measures"),
        }
    }

    /// The catalogue key of the tab's name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Map => "cases.tabs.map",
            Self::Revision => "cases.tabs.revision",
            Self::Staff => "cases.tabs.staff",
            Self::Measures => "cases.tabs.measures",
        }
    }
}

/// What the case page shows besides the case: which of its pages, the forms as typed with their
/// errors, a refusal and where it belongs, a notice.
#[derive(Default)]
pub(super) struct PageState {
    pub tab: CaseTab,
    pub status: StatusCode,
    pub revision_form: RevisionForm,
    /// The revision form's wrong fields.
    pub errors: FormErrors,
    pub measure_form: MeasureForm,
    pub measure_errors: FormErrors,
    pub assign_errors: FormErrors,
    /// Why the last change to the assignments was refused.
    pub staff_refusal: Option<&'static str>,
    /// The measure whose decision or withdrawal was just refused.
    pub refused_measure: Option<Uuid>,
    pub notice: Option<&'static str>,
}

pub(super) async fn case_page_response(
    state: &AppState,
    sections: CasePageSections,
    staff: Staff,
    tr: Tr,
    case_id: Uuid,
    page: PageState,
) -> Result<HttpResponse, AppError> {
    let data = actions::case_page(&state.db, &staff.caller(), case_id, sections, tr).await?;
    let prompts = data
        .case
        .prompts
        .iter()
        .map(|p| prompt_text(p, &tr))
        .collect();
    let now = state.clock.now();
    let openings = data
        .openings
        .into_iter()
        .map(|o| OpeningLine {
            who: o.opened_by,
            role: tr.t(crate::access::admin::role_key(&o.role)),
            opened: crate::time::moment(o.opened_at, data.tz, tr.lang()),
            until: crate::time::moment(o.expires_at, data.tz, tr.lang()),
            open: now < o.expires_at,
            reason: o.reason,
            call_reference: o.call_reference,
        })
        .collect();
    render(
        page.status,
        &CasePage {
            tr,
            shell: staff.shell,
            case: data.case,
            councils: data.councils,
            prompts,
            svg: data.svg,
            measures: data.measures,
            staff: data.staff,
            openings,
            page,
        },
    )
}

/// One of the case's pages, as opened from its tab or after a form that worked.
async fn tab_page(
    state: &AppState,
    sections: CasePageSections,
    staff: Staff,
    tr: Tr,
    case_id: Uuid,
    query: &NoticeQuery,
    tab: CaseTab,
) -> Result<HttpResponse, AppError> {
    case_page_response(
        state,
        sections,
        staff,
        tr,
        case_id,
        PageState {
            tab,
            status: StatusCode::OK,
            notice: notice(query),
            ..PageState::default()
        },
    )
    .await
}

/// The case's first page: the child, the prompts, the eco-map and its table, and the councils.
#[get("/cases/{id}")]
pub async fn case_page(
    state: web::Data<AppState>,
    sections: web::Data<CasePageSections>,
    staff: Staff,
    tr: Tr,
    id: web::Path<Uuid>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    tab_page(&state, **sections, staff, tr, id, &query, CaseTab::Map).await
}

/// The form that saves the map as a revision, with the latest one and a link to the history.
#[get("/cases/{id}/revision")]
pub async fn revision_page(
    state: web::Data<AppState>,
    sections: web::Data<CasePageSections>,
    staff: Staff,
    tr: Tr,
    id: web::Path<Uuid>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    tab_page(&state, **sections, staff, tr, id, &query, CaseTab::Revision).await
}

/// The case's phase and acute flag, and the staff responsible for it.
#[get("/cases/{id}/staff")]
pub async fn staff_page(
    state: web::Data<AppState>,
    sections: web::Data<CasePageSections>,
    staff: Staff,
    tr: Tr,
    id: web::Path<Uuid>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    tab_page(&state, **sections, staff, tr, id, &query, CaseTab::Staff).await
}

/// The costly measures, each with its network check, and the form that proposes one.
#[get("/cases/{id}/measures")]
pub async fn measures_page(
    state: web::Data<AppState>,
    sections: web::Data<CasePageSections>,
    staff: Staff,
    tr: Tr,
    id: web::Path<Uuid>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    tab_page(&state, **sections, staff, tr, id, &query, CaseTab::Measures).await
}

#[derive(Debug, Clone, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    pub phase: String,
    pub acute: Option<String>,
    #[serde(default)]
    pub where_child_can_go: String,
}

/// Changes the phase and the acute flag from the case page.
#[post("/cases/{id}/status")]
pub async fn change_status(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Result<HttpResponse, AppError> {
    let case_id = id.into_inner();
    let request = CaseUpdateRequest {
        phase: Some(form.phase),
        acute: Some(form.acute.is_some()),
        reference: None,
        municipality: None,
        where_child_can_go: Some(form.where_child_can_go),
    };
    actions::update_case(&state.db, &staff.caller(), case_id, request).await?;
    Ok(see_other(format!("/cases/{case_id}/staff?done=status")))
}

fn revision_field(tr: &Tr, field: &str) -> (&'static str, &'static str) {
    match field {
        "revised_on" => ("revised_on", tr.t("cases.error.date")),
        "child_participated" => ("child_participated", tr.t("cases.error.participated")),
        _ => ("participation", tr.t("cases.error.participation")),
    }
}

/// Saves the current map as a revision from the case page.
#[post("/cases/{id}/revisions")]
pub async fn save_revision(
    state: web::Data<AppState>,
    sections: web::Data<CasePageSections>,
    staff: Staff,
    tr: Tr,
    id: web::Path<Uuid>,
    CsrfForm(form): CsrfForm<RevisionForm>,
) -> Result<HttpResponse, AppError> {
    let case_id = id.into_inner();
    let request = RevisionRequest {
        revised_on: Some(form.revised_on.clone()),
        child_participated: match form.child_participated.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        },
        participation: Some(form.participation.clone()),
    };
    let saved = actions::create_revision(&state.db, &staff.caller(), case_id, request)
        .await
        .map(drop);
    match saved {
        Ok(()) => Ok(see_other(format!(
            "/cases/{case_id}/revision?done=revision"
        ))),
        Err(err) => {
            let errors = FormErrors::from_error(err, |f| revision_field(&tr, f))?;
            case_page_response(
                &state,
                **sections,
                staff,
                tr,
                case_id,
                PageState {
                    tab: CaseTab::Revision,
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    revision_form: form,
                    errors,
                    ..PageState::default()
                },
            )
            .await
        }
    }
}

/// The person form's values, as typed (checkboxes are present when ticked).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PersonForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub relation: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub side: String,
    #[serde(default)]
    pub lineage: String,
    #[serde(default)]
    pub closeness: String,
    #[serde(default)]
    pub quality: String,
    pub can_strengthen: Option<String>,
    pub can_step_in: Option<String>,
    #[serde(default)]
    pub step_in_how: String,
    #[serde(default)]
    pub reachable_when: String,
    pub can_take_child: Option<String>,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub preferred_channel: String,
    pub email_too: Option<String>,
    pub abroad_other_culture: Option<String>,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub interpreter: String,
    #[serde(default)]
    pub words_text: String,
    #[serde(default)]
    pub words_author: String,
    #[serde(default)]
    pub words_date: String,
    /// Set by "Legg til likevel": the coordinator has seen that someone with the same name is
    /// already on the map and adds this person all the same.
    pub confirm_duplicate: Option<String>,
}

impl PersonForm {
    fn request(&self) -> PersonRequest {
        let words = (!self.words_text.trim().is_empty()).then(|| WordsRequest {
            text: self.words_text.clone(),
            author: self.words_author.clone(),
            written_at: Some(self.words_date.clone()),
        });
        PersonRequest {
            name: self.name.clone(),
            relation: Some(self.relation.clone()),
            category: self.category.clone(),
            side: Some(self.side.clone()),
            lineage: Some(self.lineage.clone()),
            closeness: self.closeness.clone(),
            quality: self.quality.clone(),
            can_strengthen: Some(self.can_strengthen.is_some()),
            can_step_in: Some(self.can_step_in.is_some()),
            step_in_how: Some(self.step_in_how.clone()),
            reachable_when: Some(self.reachable_when.clone()),
            can_take_child: Some(self.can_take_child.is_some()),
            email: Some(self.email.clone()),
            phone: Some(self.phone.clone()),
            address: Some(self.address.clone()),
            preferred_channel: Some(self.preferred_channel.clone()),
            email_too: Some(self.email_too.is_some()),
            abroad_other_culture: Some(self.abroad_other_culture.is_some()),
            language: Some(self.language.clone()),
            interpreter: Some(self.interpreter.clone()),
            child_words: words,
        }
    }

    fn of(view: &PersonView) -> Self {
        let p = &view.person;
        let on = |b: bool| b.then(|| "on".to_owned());
        Self {
            name: p.name.clone(),
            relation: p.relation.clone().unwrap_or_default(),
            category: p.category.as_str().to_owned(),
            side: p.side.as_str().to_owned(),
            lineage: p.lineage.as_str().to_owned(),
            closeness: p.closeness.as_str().to_owned(),
            quality: p.quality.as_str().to_owned(),
            can_strengthen: on(p.can_strengthen),
            can_step_in: on(p.can_step_in),
            step_in_how: p.step_in_how.clone().unwrap_or_default(),
            reachable_when: p.reachable_when.clone().unwrap_or_default(),
            can_take_child: on(p.can_take_child),
            email: p.email.clone().unwrap_or_default(),
            phone: p.phone.as_deref().map(format_phone).unwrap_or_default(),
            address: p.address.clone().unwrap_or_default(),
            // A way that what is recorded cannot serve (the call assumed for someone with no
            // details at all) is left unchosen, so saving other changes is not refused for it.
            preferred_channel: p
                .preferred_channel
                .missing(
                    p.email.is_some(),
                    p.phone
                        .as_deref()
                        .and_then(|t| crate::fields::Phone::parse(t).ok())
                        .as_ref(),
                    p.address.is_some(),
                )
                .map_or_else(
                    || p.preferred_channel.as_str().to_owned(),
                    |_| String::new(),
                ),
            email_too: on(p.email_too),
            abroad_other_culture: on(p.abroad_other_culture),
            language: p
                .language
                .map(|l| l.as_str().to_owned())
                .unwrap_or_default(),
            interpreter: p.interpreter.clone().unwrap_or_default(),
            words_author: WordsAuthor::Child.as_str().to_owned(),
            ..Self::default()
        }
    }
}

fn person_field(tr: &Tr, field: &str) -> (&'static str, &'static str) {
    match field {
        "name" => ("name", tr.t("cases.error.name")),
        "relation" => ("relation", tr.t("cases.error.relation")),
        "category" => ("category", tr.t("cases.error.choose")),
        "side" => ("side", tr.t("cases.error.choose")),
        "lineage" => ("lineage", tr.t("cases.error.choose")),
        "closeness" => ("closeness", tr.t("cases.error.choose")),
        "quality" => ("quality", tr.t("cases.error.choose")),
        "step_in_how" => ("step_in_how", tr.t("cases.error.step_in_how")),
        "reachable_when" => ("reachable_when", tr.t("cases.error.reachable_when")),
        "email" => ("email", tr.t("cases.error.email")),
        "phone" => ("phone", tr.t("cases.error.phone")),
        "address" => ("address", tr.t("cases.error.address")),
        "preferred_channel" => ("preferred_channel", tr.t("cases.error.preferred_channel")),
        "email_too" => ("email_too", tr.t("cases.error.email_too")),
        "language" => ("language", tr.t("person_language.error.language")),
        "interpreter" => ("interpreter", tr.t("person_language.error.interpreter")),
        "child_words.text" => ("words_text", tr.t("cases.error.words_text")),
        "child_words.author" => ("words_author", tr.t("cases.error.choose")),
        "child_words.written_at" => ("words_date", tr.t("cases.error.date")),
        _ => ("name", tr.t("cases.error.general")),
    }
}

#[derive(Template)]
#[template(path = "cases/person.html")]
struct PersonPage {
    tr: Tr,
    shell: Shell,
    case_id: Uuid,
    child_first_name: String,
    /// `None` for a new person.
    person: Option<PersonView>,
    form: PersonForm,
    errors: FormErrors,
    /// Someone already on the map with the name typed for a new person (id, name): the page asks
    /// before adding them.
    duplicate: Option<(Uuid, String)>,
}

impl PersonPage {
    fn error(&self, id: &str) -> Option<&'static str> {
        self.errors.get(id)
    }

    fn categories(&self) -> [RelationCategory; 19] {
        RelationCategory::ALL
    }

    fn sides(&self) -> [NetworkSide; 2] {
        NetworkSide::ALL
    }

    fn lineages(&self) -> [Lineage; 4] {
        Lineage::ALL
    }

    fn closenesses(&self) -> [Closeness; 3] {
        Closeness::ALL
    }

    fn qualities(&self) -> [RelationQuality; 3] {
        RelationQuality::ALL
    }

    fn authors(&self) -> [WordsAuthor; 3] {
        WordsAuthor::ALL
    }

    fn channels(&self) -> [Channel; 4] {
        Channel::ALL
    }

    /// The languages a person can be written to in (the service's standard is the empty choice).
    fn languages(&self) -> [crate::web::i18n::Lang; 3] {
        crate::web::i18n::Lang::ALL
    }

    fn action(&self) -> String {
        match &self.person {
            Some(p) => format!("/cases/{}/persons/{}", self.case_id, p.person.id),
            None => format!("/cases/{}/persons", self.case_id),
        }
    }
}

/// The form for a new person on the map.
#[get("/cases/{id}/persons/new")]
pub async fn new_person_page(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let case_id = id.into_inner();
    let child_first_name = actions::child(&state.db, &staff.caller(), case_id)
        .await?
        .first_name;
    render(
        StatusCode::OK,
        &PersonPage {
            tr,
            shell: staff.shell,
            case_id,
            child_first_name,
            person: None,
            form: PersonForm {
                closeness: Closeness::Close.as_str().to_owned(),
                quality: RelationQuality::Supportive.as_str().to_owned(),
                lineage: Lineage::NotApplicable.as_str().to_owned(),
                words_author: WordsAuthor::Child.as_str().to_owned(),
                ..PersonForm::default()
            },
            errors: FormErrors::default(),
            duplicate: None,
        },
    )
}

/// The form for a person already on the map, with the child's words recorded so far.
#[get("/cases/{id}/persons/{person_id}")]
pub async fn edit_person_page(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, AppError> {
    let (case_id, person_id) = path.into_inner();
    let (child_first_name, person) =
        actions::person(&state.db, &staff.caller(), case_id, person_id).await?;
    render(
        StatusCode::OK,
        &PersonPage {
            tr,
            shell: staff.shell,
            case_id,
            child_first_name,
            form: PersonForm::of(&person),
            person: Some(person),
            errors: FormErrors::default(),
            duplicate: None,
        },
    )
}

/// Adds a person (`person_id` is `None`) or saves one, then goes back to the case page; a form
/// with wrong fields comes back with the reasons, and nothing is written.
async fn save_person(
    state: &AppState,
    staff: Staff,
    tr: Tr,
    case_id: Uuid,
    person_id: Option<Uuid>,
    form: PersonForm,
) -> Result<HttpResponse, AppError> {
    if person_id.is_none() && form.confirm_duplicate.is_none() {
        let duplicate =
            actions::likely_duplicate(&state.db, &staff.caller(), case_id, &form.name).await?;
        if duplicate.is_some() {
            let child = actions::child(&state.db, &staff.caller(), case_id).await?;
            return render(
                StatusCode::OK,
                &PersonPage {
                    tr,
                    shell: staff.shell,
                    case_id,
                    child_first_name: child.first_name,
                    person: None,
                    form,
                    errors: FormErrors::default(),
                    duplicate,
                },
            );
        }
    }
    let saved = actions::save_person(
        &state.db,
        &staff.caller(),
        case_id,
        person_id,
        form.request(),
    )
    .await
    .map(drop);
    match saved {
        Ok(()) => Ok(see_other(format!("/cases/{case_id}?done=person#persons"))),
        Err(err) => {
            let errors = FormErrors::from_error(err, |f| person_field(&tr, f))?;
            let (child_first_name, person) = match person_id {
                Some(id) => {
                    let (name, person) =
                        actions::person(&state.db, &staff.caller(), case_id, id).await?;
                    (name, Some(person))
                }
                None => {
                    let child = actions::child(&state.db, &staff.caller(), case_id).await?;
                    (child.first_name, None)
                }
            };
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &PersonPage {
                    tr,
                    shell: staff.shell,
                    case_id,
                    child_first_name,
                    person,
                    form,
                    errors,
                    duplicate: None,
                },
            )
        }
    }
}

#[post("/cases/{id}/persons")]
pub async fn add_person(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    id: web::Path<Uuid>,
    CsrfForm(form): CsrfForm<PersonForm>,
) -> Result<HttpResponse, AppError> {
    save_person(&state, staff, tr, id.into_inner(), None, form).await
}

#[post("/cases/{id}/persons/{person_id}")]
pub async fn update_person(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    path: web::Path<(Uuid, Uuid)>,
    CsrfForm(form): CsrfForm<PersonForm>,
) -> Result<HttpResponse, AppError> {
    let (case_id, person_id) = path.into_inner();
    save_person(&state, staff, tr, case_id, Some(person_id), form).await
}

/// Takes a person off the map (earlier revisions keep them).
#[post("/cases/{id}/persons/{person_id}/remove")]
pub async fn remove_person(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<(Uuid, Uuid)>,
    CsrfForm(_): CsrfForm<crate::access::login::Empty>,
) -> Result<HttpResponse, AppError> {
    let (case_id, person_id) = path.into_inner();
    actions::remove_person(&state.db, &staff.caller(), case_id, person_id).await?;
    Ok(see_other(format!("/cases/{case_id}?done=removed#persons")))
}

/// One change on the map, as the history tells it.
pub struct ChangeLine {
    pub name: String,
    /// "added", "removed" or "changed".
    pub kind: &'static str,
    /// For a change: each field, from and to, in words.
    pub fields: Vec<(String, String, String)>,
}

/// A revision and what changed since the one before (none for the first).
pub struct HistoryEntry {
    pub revision: RevisionView,
    pub changes: Option<Vec<ChangeLine>>,
}

fn value_text(field: &str, value: &Value, tr: &Tr) -> String {
    let lang = tr.lang();
    let code = value.as_str().unwrap_or_default();
    let label = match field {
        "category" => RelationCategory::parse(code).ok().map(|c| c.label(lang)),
        "side" => NetworkSide::parse(code).ok().map(|c| c.label(lang)),
        "lineage" => Lineage::parse(code).ok().map(|c| c.label(lang)),
        "closeness" => Closeness::parse(code).ok().map(|c| c.label(lang)),
        "quality" => RelationQuality::parse(code).ok().map(|c| c.label(lang)),
        _ => None,
    };
    match (label, value) {
        (Some(label), _) => label.to_owned(),
        (None, Value::Bool(true)) => tr.t("cases.yes").to_owned(),
        (None, Value::Bool(false)) => tr.t("cases.no").to_owned(),
        (None, Value::Null) => "–".to_owned(),
        (None, Value::String(text)) if field == "phone" => format_phone(text),
        (None, Value::String(text)) => text.clone(),
        (None, other) => other.to_string(),
    }
}

fn field_label(field: &str, tr: &Tr) -> &'static str {
    match field {
        "name" => tr.t("cases.person.name"),
        "relation" => tr.t("cases.person.relation"),
        "category" => tr.t("cases.person.category"),
        "side" => tr.t("cases.person.side"),
        "lineage" => tr.t("cases.person.lineage"),
        "closeness" => tr.t("cases.person.closeness"),
        "quality" => tr.t("cases.person.quality"),
        "can_strengthen" => tr.t("cases.person.can_strengthen"),
        "can_step_in" => tr.t("cases.person.can_step_in"),
        "step_in_how" => tr.t("cases.person.step_in_how"),
        "reachable_when" => tr.t("cases.person.reachable_when"),
        "can_take_child" => tr.t("cases.person.can_take_child"),
        "email" => tr.t("cases.person.email"),
        "phone" => tr.t("cases.person.phone"),
        "address" => tr.t("cases.person.address"),
        "language" => tr.t("person_language.language"),
        "interpreter" => tr.t("person_language.interpreter"),
        _ => tr.t("cases.person.abroad_other_culture"),
    }
}

fn change_lines(d: &MapDiff, tr: &Tr) -> Vec<ChangeLine> {
    let line = |name: &str, kind| ChangeLine {
        name: name.to_owned(),
        kind,
        fields: Vec::new(),
    };
    let describe = |c: &FieldChange| {
        (
            field_label(c.field, tr).to_owned(),
            value_text(c.field, &c.from, tr),
            value_text(c.field, &c.to, tr),
        )
    };
    d.added
        .iter()
        .map(|p| line(&p.name, "added"))
        .chain(d.removed.iter().map(|p| line(&p.name, "removed")))
        .chain(d.changed.iter().map(|c| ChangeLine {
            name: c.name.clone(),
            kind: "changed",
            fields: c.changes.iter().map(describe).collect(),
        }))
        .collect()
}

#[derive(Template)]
#[template(path = "cases/history.html")]
struct HistoryPage {
    tr: Tr,
    shell: Shell,
    case_id: Uuid,
    child_first_name: String,
    /// Newest first.
    entries: Vec<HistoryEntry>,
    /// Changes on the current map since the latest revision.
    unsaved: Vec<ChangeLine>,
}

/// The revision history: each revision with its date, phase and the child's part, and who was
/// added, removed or changed since the revision before.
#[get("/cases/{id}/revisions")]
pub async fn history_page(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let case_id = id.into_inner();
    let (child_first_name, revisions, current) =
        actions::history(&state.db, &staff.caller(), case_id).await?;
    let unsaved = revisions
        .last()
        .map(|latest| change_lines(&diff(&latest.persons, &current), &tr))
        .unwrap_or_default();
    let mut entries: Vec<HistoryEntry> = Vec::with_capacity(revisions.len());
    let mut before: Option<&RevisionView> = None;
    for revision in &revisions {
        entries.push(HistoryEntry {
            revision: revision.clone(),
            changes: before.map(|b| change_lines(&diff(&b.persons, &revision.persons), &tr)),
        });
        before = Some(revision);
    }
    entries.reverse();
    render(
        StatusCode::OK,
        &HistoryPage {
            tr,
            shell: staff.shell,
            case_id,
            child_first_name,
            entries,
            unsaved,
        },
    )
}

#[derive(Template)]
#[template(path = "cases/acute.html")]
struct AcutePage {
    tr: Tr,
    shell: Shell,
    list: AcuteList,
    today: String,
}

/// The printable acute list: who can step in now, with their phone numbers.
#[get("/cases/{id}/acute")]
pub async fn acute_page(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let (list, today) = actions::acute_list(&state.db, &staff.caller(), id.into_inner()).await?;
    let today = date(today, &tr);
    render(
        StatusCode::OK,
        &AcutePage {
            tr,
            shell: staff.shell,
            list,
            today,
        },
    )
}

#[derive(Template)]
#[template(path = "cases/print_map.html")]
struct PrintMapPage {
    tr: Tr,
    shell: Shell,
    case: CaseView,
    svg: String,
}

/// The printable map: the picture on its own page, then the table of the same content.
#[get("/cases/{id}/map")]
pub async fn print_map_page(
    state: web::Data<AppState>,
    sections: web::Data<CasePageSections>,
    staff: Staff,
    tr: Tr,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let data =
        actions::case_page(&state.db, &staff.caller(), id.into_inner(), **sections, tr).await?;
    render(
        StatusCode::OK,
        &PrintMapPage {
            tr,
            shell: staff.shell,
            case: data.case,
            svg: data.svg,
        },
    )
}

/// The eco-map for a signed-in person: the page's "download" link and the history's pictures.
#[get("/cases/{id}/map.svg")]
pub async fn map_svg(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    id: web::Path<Uuid>,
    query: web::Query<MapQuery>,
) -> Result<HttpResponse, AppError> {
    let download = query.download();
    let picture = actions::map_picture(
        &state.db,
        &staff.caller(),
        id.into_inner(),
        query.which(),
        download,
        tr,
    )
    .await?;
    Ok(picture::svg_response(picture, download))
}

/// The pages of this capability.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list_page)
        .service(create_from_form)
        .service(case_page)
        .service(revision_page)
        .service(staff_page)
        .service(measures_page)
        .service(change_status)
        .service(save_revision)
        .service(history_page)
        // `new` before `{person_id}`, which would otherwise take it.
        .service(new_person_page)
        .service(edit_person_page)
        .service(add_person)
        .service(update_person)
        .service(remove_person)
        .service(acute_page)
        .service(print_map_page)
        .service(map_svg)
        .service(reassign_page)
        .service(reassign);
}

/// The leader's form for assigning a case by its reference, as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReassignForm {
    pub reference: String,
    pub user_id: String,
    pub instead_of: String,
}

#[derive(Template)]
#[template(path = "cases/reassign.html")]
struct ReassignPage {
    tr: Tr,
    shell: Shell,
    /// Who may take a case.
    holders: Vec<crate::access::staff::CaseHolder>,
    /// Whose assignment may end: every active staff member with a case role.
    everyone: Vec<crate::access::staff::CaseHolder>,
    typed: ReassignForm,
    failure: FormFailure,
    done: Option<String>,
}

async fn reassign_response(
    state: &AppState,
    staff: Staff,
    tr: Tr,
    status: StatusCode,
    typed: ReassignForm,
    failure: FormFailure,
    done: Option<String>,
) -> Result<HttpResponse, AppError> {
    staff.caller().require(&[crate::access::Role::Leader])?;
    let holders = state
        .db
        .tenant(staff.tenant, |conn| {
            crate::access::staff::case_holders(conn).map_err(AppError::from)
        })
        .await?;
    render(
        status,
        &ReassignPage {
            everyone: holders.clone(),
            holders,
            tr,
            shell: staff.shell,
            typed,
            failure,
            done,
        },
    )
}

/// The leader's page for assigning and reassigning cases by reference, without their contents.
#[get("/case-assignments")]
pub async fn reassign_page(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
) -> Result<HttpResponse, AppError> {
    let typed = ReassignForm::default();
    reassign_response(
        &state,
        staff,
        tr,
        StatusCode::OK,
        typed,
        FormFailure::default(),
        None,
    )
    .await
}

/// The same action as `POST /api/v1/case-assignments`; a mistake comes back at its field, with
/// what was typed.
#[post("/case-assignments")]
pub async fn reassign(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    CsrfForm(form): CsrfForm<ReassignForm>,
) -> Result<HttpResponse, AppError> {
    let id = |text: &str| text.trim().parse::<Uuid>().ok();
    let request = actions::ReassignRequest {
        reference: form.reference.clone(),
        user_id: id(&form.user_id),
        instead_of: id(&form.instead_of),
    };
    match actions::reassign(&state.db, &staff.caller(), request).await {
        Ok(done) => {
            let said = fill(
                tr.t("cases.reassign.done"),
                &[
                    ("reference", &done.reference),
                    ("count", &done.assigned.len().to_string()),
                ],
            );
            let typed = ReassignForm::default();
            let failure = FormFailure::default();
            reassign_response(
                &state,
                staff,
                tr,
                StatusCode::OK,
                typed,
                failure,
                Some(said),
            )
            .await
        }
        Err(e) => {
            let Some(failure) = FormFailure::of(&e, &tr, str::to_owned) else {
                return Err(e);
            };
            let status = actix_web::ResponseError::status_code(&e);
            reassign_response(&state, staff, tr, status, form, failure, None).await
        }
    }
}
