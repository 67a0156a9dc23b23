//! The on-call service's pages: finding a case at night (`/on-call`), opening its acute list with
//! a reason (`/on-call/cases/{id}`), the list under the opening (`/on-call/openings/{id}`, a
//! printable page; after 12 hours a page saying it has closed), and the leader's review of every
//! opening (`/acute-openings`). They call the same actions as the JSON API.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Deserialize;
use uuid::Uuid;

use super::actions::{self, Reading};
use super::domain::{LookupQuery, OpeningRequest};
use super::handlers::PageQuery;
use super::views::{LookupResult, OpenedAcuteList, OpeningView};
use crate::access::Caller;
use crate::access::session::Staff;
use crate::cases::views::{AcuteList, CaseChoice};
use crate::tenancy::settings::ServiceSettings;
use crate::web::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::i18n::{Lang, Tr};
use crate::web::pages::{Shell, render};
use crate::web::problem::AppError;

/// Moments and dates as the reader's language writes them, in the service's time zone.
struct Shown {
    tz: Tz,
    lang: Lang,
}

impl Shown {
    async fn load(state: &AppState, caller: &Caller, tr: &Tr) -> Result<Self, AppError> {
        let tz = state
            .db
            .tenant(caller.tenant, |conn| {
                Ok::<_, AppError>(ServiceSettings::load(conn)?.tz)
            })
            .await?;
        Ok(Self {
            tz,
            lang: tr.lang(),
        })
    }

    fn moment(&self, at: impl crate::councils::pages::Moment) -> String {
        crate::time::moment(at.utc(), self.tz, self.lang)
    }

    fn birth(&self, choice: &CaseChoice) -> String {
        match choice.child_birth_date {
            Some(day) => crate::time::date(day, self.lang),
            None => choice.child_birth_year.to_string(),
        }
    }

    fn day(&self, day: NaiveDate) -> String {
        crate::time::date(day, self.lang)
    }
}

/// The catalogue key of an opener's role.
pub fn role_name(tr: &Tr, role: &str) -> &'static str {
    tr.t(crate::access::admin::role_key(role))
}

#[derive(Template)]
#[template(path = "oncall/find.html")]
struct FindPage {
    tr: Tr,
    shell: Shell,
    shown: Shown,
    q: String,
    /// The message at the search field, if what was typed cannot be searched.
    error: Option<&'static str>,
    found: Option<LookupResult>,
    mine: Vec<OpeningView>,
}

/// Finding a case: by the service's reference or the child's name, each result with only what
/// tells the children apart; and the caller's openings still open.
#[get("/on-call")]
pub async fn find_page(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    query: web::Query<LookupQuery>,
) -> Result<HttpResponse, AppError> {
    let caller = staff.caller();
    let mine = actions::mine(&state, &caller).await?;
    let shown = Shown::load(&state, &caller, &tr).await?;
    let q = query.q.trim().to_owned();
    let (found, error, status) = if q.is_empty() {
        (None, None, StatusCode::OK)
    } else {
        match actions::lookup(&state, &caller, &q).await {
            Ok(found) => (Some(found), None, StatusCode::OK),
            Err(AppError::Validation(_)) => (
                None,
                Some(tr.t("oncall.error.q")),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            Err(other) => return Err(other),
        }
    };
    render(
        status,
        &FindPage {
            tr,
            shell: staff.shell,
            shown,
            q,
            error,
            found,
            mine,
        },
    )
}

/// The opening form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OpenForm {
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub call_reference: String,
}

#[derive(Template)]
#[template(path = "oncall/open.html")]
struct OpenPage {
    tr: Tr,
    shell: Shell,
    shown: Shown,
    choice: CaseChoice,
    form: OpenForm,
    /// (input id, message), in the order of the form.
    errors: Vec<(String, String)>,
}

impl OpenPage {
    fn error(&self, id: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, m)| m.as_str())
    }
}

/// The chosen case (name, birth date, municipality) and the form that opens its acute list.
#[get("/on-call/cases/{id}")]
pub async fn open_form(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let caller = staff.caller();
    let choice = actions::choice(&state, &caller, id.into_inner()).await?;
    let shown = Shown::load(&state, &caller, &tr).await?;
    render(
        StatusCode::OK,
        &OpenPage {
            tr,
            shell: staff.shell,
            shown,
            choice,
            form: OpenForm::default(),
            errors: Vec::new(),
        },
    )
}

/// Opens the acute list with the reason given and goes to it; without a reason the form comes
/// back with the message at the field and what was typed, and nothing is written but the
/// attempt's audit row.
#[post("/on-call/cases/{id}")]
pub async fn open(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    id: web::Path<Uuid>,
    CsrfForm(form): CsrfForm<OpenForm>,
) -> Result<HttpResponse, AppError> {
    let caller = staff.caller();
    let case_id = id.into_inner();
    let request = OpeningRequest {
        case_id: Some(case_id),
        reason: form.reason.clone(),
        call_reference: Some(form.call_reference.clone()),
    };
    match actions::open(&state, &caller, request).await {
        Ok(view) => Ok(HttpResponse::SeeOther()
            .insert_header((LOCATION, format!("/on-call/openings/{}", view.id)))
            .finish()),
        Err(AppError::Validation(fields)) => {
            let errors = fields
                .iter()
                .map(|f| {
                    let key = match f.field.as_str() {
                        "reason" if form.reason.trim().is_empty() => "oncall.error.reason_missing",
                        "reason" => "oncall.error.reason",
                        _ => "oncall.error.call_reference",
                    };
                    (f.field.clone(), tr.t(key).to_owned())
                })
                .collect();
            let choice = actions::choice(&state, &caller, case_id).await?;
            let shown = Shown::load(&state, &caller, &tr).await?;
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &OpenPage {
                    tr,
                    shell: staff.shell,
                    shown,
                    choice,
                    form,
                    errors,
                },
            )
        }
        Err(other) => Err(other),
    }
}

#[derive(Template)]
#[template(path = "oncall/opening.html")]
struct OpeningPage {
    tr: Tr,
    shell: Shell,
    shown: Shown,
    opening: OpeningView,
    list: AcuteList,
    today: String,
}

#[derive(Template)]
#[template(path = "oncall/closed.html")]
struct ClosedPage {
    tr: Tr,
    shell: Shell,
    shown: Shown,
    opening: OpeningView,
}

/// The acute list under the caller's own opening, printable; after 12 hours a page that says it
/// has closed and that a new opening needs a new reason (410).
#[get("/on-call/openings/{id}")]
pub async fn opening_page(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let caller = staff.caller();
    let reading = actions::read(&state, &caller, id.into_inner()).await?;
    let shown = Shown::load(&state, &caller, &tr).await?;
    match reading {
        Reading::Open(opened) => {
            let OpenedAcuteList {
                opening,
                acute_list,
            } = *opened;
            let today = shown.day(crate::time::local_date(state.clock.now(), shown.tz));
            render(
                StatusCode::OK,
                &OpeningPage {
                    tr,
                    shell: staff.shell,
                    shown,
                    opening,
                    list: acute_list,
                    today,
                },
            )
        }
        Reading::Closed(opening) => render(
            StatusCode::GONE,
            &ClosedPage {
                tr,
                shell: staff.shell,
                shown,
                opening: *opening,
            },
        ),
    }
}

#[derive(Template)]
#[template(path = "oncall/review.html")]
struct ReviewPage {
    tr: Tr,
    shell: Shell,
    shown: Shown,
    openings: Vec<OpeningView>,
    page: u32,
    newer: Option<String>,
    older: Option<String>,
}

/// Every opening, newest first, for the leader and the service's admin: the case by its
/// reference, who, when, why, until when, open or closed.
#[get("/acute-openings")]
pub async fn review_page(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let caller = staff.caller();
    let found = actions::review(&state, &caller, query.page).await?;
    let shown = Shown::load(&state, &caller, &tr).await?;
    let href = |page: u32| {
        if page == 1 {
            "/acute-openings".to_owned()
        } else {
            format!("/acute-openings?page={page}")
        }
    };
    render(
        StatusCode::OK,
        &ReviewPage {
            tr,
            shell: staff.shell,
            shown,
            newer: (found.page > 1).then(|| href(found.page - 1)),
            older: found.more.then(|| href(found.page + 1)),
            page: found.page,
            openings: found.openings,
        },
    )
}
