//! `/api/v1/cases…`: cases, their network map, its revisions and picture, the prompts, costly
//! measures and the acute list. Every endpoint that names a case opens it through
//! [`with_case`], which applies the assignment rule and writes the audit row.

use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::actions;
use super::domain::{
    CaseListRequest, CaseUpdateRequest, ChildRequest, MeasureRequest, NetworkCheckRequest,
    NewCaseRequest, PersonRequest, RevisionRequest, WordsRequest,
};
use super::picture::{self, Which};
use super::rules::Prompt;
use super::views::{
    AcuteList, CaseSummary, CaseView, DiffView, MeasureView, PersonView, RevisionSummary,
    RevisionView,
};
use crate::access::Caller;
use crate::web::AppState;
use crate::web::i18n::Tr;
use crate::web::json::{Json, created};
use crate::web::problem::{AppError, Problem};

/// The cases assigned to the caller's staff member that the search finds, one page of 50 (acute
/// first unless `sort` says otherwise). `X-Total-Count` says how many the search found in all.
/// A key that acts for nobody has none; an unknown filter value is a 422 naming the field.
#[utoipa::path(
    tag = "cases",
    params(CaseListRequest),
    responses(
        (status = 200, body = [CaseSummary], headers(("X-Total-Count" = i64, description = "Cases the search found in all"))),
        (status = 403, description = "Leaders see no case data", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/cases")]
pub async fn list_cases(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<CaseListRequest>,
) -> Result<HttpResponse, AppError> {
    let list = actions::list_cases(&state.db, &caller, query.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("X-Total-Count", list.total.to_string()))
        .json(list.cases))
}

/// A leader assigns a case, found by its reference, to a staff member (and may end someone
/// else's assignment in the same step) without seeing the case's contents. The answer holds ids
/// only.
#[utoipa::path(
    tag = "cases",
    request_body = actions::ReassignRequest,
    responses(
        (status = 200, body = actions::Reassigned),
        (status = 403, description = "Only leaders", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/case-assignments")]
pub async fn reassign(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<actions::ReassignRequest>,
) -> Result<web::Json<actions::Reassigned>, AppError> {
    Ok(web::Json(
        actions::reassign(&state.db, &caller, body.into_inner()).await?,
    ))
}

/// Open a case for a child. The caller's staff member is assigned to it, and is so far the only
/// one who may open it.
#[utoipa::path(
    tag = "cases",
    request_body = NewCaseRequest,
    responses(
        (status = 201, body = CaseView, headers(("Location" = String, description = "The address the created case is read at"))),
        (status = 403, description = "A leader, or a key that acts for no staff member", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases")]
pub async fn create_case(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewCaseRequest>,
) -> Result<HttpResponse, AppError> {
    let view = actions::create_case(&state.db, &caller, body.into_inner()).await?;
    Ok(created(format!("/api/v1/cases/{}", view.id), view))
}

/// The case with its current map, the child's words, the latest revision and the prompts.
#[utoipa::path(
    tag = "cases",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = CaseView),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/cases/{id}")]
pub async fn get_case(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<CaseView>, AppError> {
    Ok(web::Json(
        actions::case_view(&state.db, &caller, id.into_inner()).await?,
    ))
}

/// Change the phase or the acute flag. A new phase makes the map due for revision; closing the
/// case cancels its reminders, and reopening it writes the 17½ reminder again.
#[utoipa::path(
    tag = "cases",
    params(("id" = Uuid, Path)),
    request_body = CaseUpdateRequest,
    responses(
        (status = 200, body = CaseView),
    ),
    security(("api_key" = []))
)]
#[patch("/api/v1/cases/{id}")]
pub async fn update_case(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<CaseUpdateRequest>,
) -> Result<web::Json<CaseView>, AppError> {
    let view = actions::update_case(&state.db, &caller, id.into_inner(), body.into_inner()).await?;
    Ok(web::Json(view))
}

/// Correct the child's details (name, birth date or year, gender, language, interpreter). All of
/// them are sent, as when the case was opened. A new birth date or year moves the reminder for
/// when the child turns 17½.
#[utoipa::path(
    tag = "cases",
    params(("id" = Uuid, Path)),
    request_body = ChildRequest,
    responses(
        (status = 200, body = CaseView),
    ),
    security(("api_key" = []))
)]
#[put("/api/v1/cases/{id}/child")]
pub async fn update_child(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<ChildRequest>,
) -> Result<web::Json<CaseView>, AppError> {
    let view =
        actions::update_child(&state.db, &caller, id.into_inner(), body.into_inner()).await?;
    Ok(web::Json(view))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignRequest {
    /// An active staff member of the service (not a leader).
    pub user_id: Uuid,
}

/// Assign a staff member to the case, so they may open it. Assigning someone already assigned
/// changes nothing.
#[utoipa::path(
    tag = "cases",
    params(("id" = Uuid, Path)),
    request_body = AssignRequest,
    responses(
        (status = 200, body = CaseView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/assignments")]
pub async fn assign_staff(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<AssignRequest>,
) -> Result<web::Json<CaseView>, AppError> {
    let view = actions::assign(&state.db, &caller, id.into_inner(), body.user_id).await?;
    Ok(web::Json(view))
}

/// End a staff member's assignment. The last assignment cannot end.
#[utoipa::path(
    tag = "cases",
    params(("id" = Uuid, Path), ("user_id" = Uuid, Path)),
    responses(
        (status = 204),
    ),
    security(("api_key" = []))
)]
#[delete("/api/v1/cases/{id}/assignments/{user_id}")]
pub async fn unassign_staff(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, AppError> {
    let (id, user_id) = path.into_inner();
    actions::unassign(&state.db, &caller, id, user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The persons on the current map, with the child's words about each.
#[utoipa::path(
    tag = "network map",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = [PersonView]),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/cases/{id}/persons")]
pub async fn list_persons(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<PersonView>>, AppError> {
    Ok(web::Json(
        actions::persons(&state.db, &caller, id.into_inner()).await?,
    ))
}

/// Add a person to the map, with the child's words about them if given.
#[utoipa::path(
    tag = "network map",
    params(("id" = Uuid, Path)),
    request_body = PersonRequest,
    responses(
        (status = 201, body = PersonView, headers(("Location" = String, description = "The address the created person is read at"))),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/persons")]
pub async fn add_person(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<PersonRequest>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let view = actions::save_person(&state.db, &caller, id, None, body.into_inner()).await?;
    Ok(created(
        format!("/api/v1/cases/{id}/persons/{}", view.person.id),
        view,
    ))
}

/// One person on the map.
#[utoipa::path(
    tag = "network map",
    params(("id" = Uuid, Path), ("person_id" = Uuid, Path)),
    responses(
        (status = 200, body = PersonView),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/cases/{id}/persons/{person_id}")]
pub async fn get_person(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<PersonView>, AppError> {
    let (id, person) = path.into_inner();
    let (_, view) = actions::person(&state.db, &caller, id, person).await?;
    Ok(web::Json(view))
}

/// Replace what is mapped about a person. Sent `child_words` are added to those recorded, never
/// replacing them.
#[utoipa::path(
    tag = "network map",
    params(("id" = Uuid, Path), ("person_id" = Uuid, Path)),
    request_body = PersonRequest,
    responses(
        (status = 200, body = PersonView),
    ),
    security(("api_key" = []))
)]
#[put("/api/v1/cases/{id}/persons/{person_id}")]
pub async fn update_person(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<PersonRequest>,
) -> Result<web::Json<PersonView>, AppError> {
    let (id, person) = path.into_inner();
    let view =
        actions::save_person(&state.db, &caller, id, Some(person), body.into_inner()).await?;
    Ok(web::Json(view))
}

/// Take a person off the map. Earlier revisions still show them.
#[utoipa::path(
    tag = "network map",
    params(("id" = Uuid, Path), ("person_id" = Uuid, Path)),
    responses(
        (status = 204),
    ),
    security(("api_key" = []))
)]
#[delete("/api/v1/cases/{id}/persons/{person_id}")]
pub async fn remove_person(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, AppError> {
    let (id, person) = path.into_inner();
    actions::remove_person(&state.db, &caller, id, person).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Record the child's words about a person, verbatim, with who wrote them down.
#[utoipa::path(
    tag = "network map",
    params(("id" = Uuid, Path), ("person_id" = Uuid, Path)),
    request_body = WordsRequest,
    responses(
        (status = 201, body = PersonView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/persons/{person_id}/words")]
pub async fn add_words(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<WordsRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, person) = path.into_inner();
    let view = actions::add_words(&state.db, &caller, id, person, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(view))
}

/// The map's revisions, oldest first, without their persons.
#[utoipa::path(
    tag = "network map",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = [RevisionSummary]),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/cases/{id}/revisions")]
pub async fn list_revisions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<RevisionSummary>>, AppError> {
    Ok(web::Json(
        actions::revision_list(&state.db, &caller, id.into_inner()).await?,
    ))
}

/// Save the current map as a new revision, with the date, the phase and whether and how the child
/// took part. Replaces the case's pending review reminder with one due the service's
/// `map_review_months` after the revision's date.
#[utoipa::path(
    tag = "network map",
    params(("id" = Uuid, Path)),
    request_body = RevisionRequest,
    responses(
        (status = 201, body = RevisionView, headers(("Location" = String, description = "The address the created revision is read at"))),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/revisions")]
pub async fn create_revision(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<RevisionRequest>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let view = actions::create_revision(&state.db, &caller, id, body.into_inner()).await?;
    Ok(created(
        format!("/api/v1/cases/{id}/revisions/{}", view.summary.number),
        view,
    ))
}

/// One revision with the map as it stood then.
#[utoipa::path(
    tag = "network map",
    params(("id" = Uuid, Path), ("number" = i32, Path)),
    responses(
        (status = 200, body = RevisionView),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/cases/{id}/revisions/{number}")]
pub async fn get_revision(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, i32)>,
) -> Result<web::Json<RevisionView>, AppError> {
    let (id, number) = path.into_inner();
    Ok(web::Json(
        actions::revision(&state.db, &caller, id, number).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ChangesQuery {
    /// The earlier revision.
    #[param(minimum = 1)]
    pub from: i32,
    /// The later revision; without it, the current map (changes not yet saved as a revision).
    #[param(minimum = 1)]
    pub to: Option<i32>,
}

/// Who was added, removed or changed between two revisions, or since a revision.
#[utoipa::path(
    tag = "network map",
    params(("id" = Uuid, Path), ChangesQuery),
    responses(
        (status = 200, body = DiffView),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/cases/{id}/changes")]
pub async fn changes(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<ChangesQuery>,
) -> Result<web::Json<DiffView>, AppError> {
    let ChangesQuery { from, to } = query.into_inner();
    Ok(web::Json(
        actions::changes(&state.db, &caller, id.into_inner(), from, to).await?,
    ))
}

/// What the map needs now: the same prompts the case page shows.
#[utoipa::path(
    tag = "network map",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = [Prompt]),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/cases/{id}/prompts")]
pub async fn prompts(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<Prompt>>, AppError> {
    Ok(web::Json(
        actions::prompts(&state.db, &caller, id.into_inner()).await?,
    ))
}

/// The case's costly measures and the network checks made before them.
#[utoipa::path(
    tag = "costly measures",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = [MeasureView]),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/cases/{id}/measures")]
pub async fn list_measures(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<MeasureView>>, AppError> {
    Ok(web::Json(
        actions::measures(&state.db, &caller, id.into_inner()).await?,
    ))
}

/// Propose a costly measure (foster home, institution, other). It can be decided only after the
/// network is checked or a written justification is given.
#[utoipa::path(
    tag = "costly measures",
    params(("id" = Uuid, Path)),
    request_body = MeasureRequest,
    responses(
        (status = 201, body = MeasureView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/measures")]
pub async fn propose_measure(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<MeasureRequest>,
) -> Result<HttpResponse, AppError> {
    let view =
        actions::propose_measure(&state.db, &caller, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Record a network check (who on the map was considered, when, with what result) or a written
/// justification for a proposed measure.
#[utoipa::path(
    tag = "costly measures",
    params(("id" = Uuid, Path), ("measure_id" = Uuid, Path)),
    request_body = NetworkCheckRequest,
    responses(
        (status = 201, body = MeasureView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/measures/{measure_id}/network-checks")]
pub async fn record_check(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<NetworkCheckRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, measure_id) = path.into_inner();
    let view = actions::record_check(&state.db, &caller, id, measure_id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Mark a proposed measure decided. Refused (409) until the network has been checked or a written
/// justification given.
#[utoipa::path(
    tag = "costly measures",
    params(("id" = Uuid, Path), ("measure_id" = Uuid, Path)),
    responses(
        (status = 200, body = MeasureView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/measures/{measure_id}/decision")]
pub async fn decide_measure(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<MeasureView>, AppError> {
    let (id, measure_id) = path.into_inner();
    Ok(web::Json(
        actions::decide_measure(&state.db, &caller, id, measure_id).await?,
    ))
}

/// Withdraw a proposed measure.
#[utoipa::path(
    tag = "costly measures",
    params(("id" = Uuid, Path), ("measure_id" = Uuid, Path)),
    responses(
        (status = 200, body = MeasureView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/measures/{measure_id}/withdrawal")]
pub async fn withdraw_measure(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<MeasureView>, AppError> {
    let (id, measure_id) = path.into_inner();
    Ok(web::Json(
        actions::withdraw_measure(&state.db, &caller, id, measure_id).await?,
    ))
}

/// Who on the map can step in at short notice, closest first, with phone numbers.
#[utoipa::path(
    tag = "network map",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = AcuteList),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/cases/{id}/acute-list")]
pub async fn acute_list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<AcuteList>, AppError> {
    let (list, _) = actions::acute_list(&state.db, &caller, id.into_inner()).await?;
    Ok(web::Json(list))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct MapQuery {
    /// A revision's number; without it, the current map.
    #[param(minimum = 1)]
    pub revision: Option<i32>,
    /// `1` to save the picture as a file rather than show it.
    #[param(pattern = "^1$")]
    pub download: Option<String>,
}

impl MapQuery {
    pub fn download(&self) -> bool {
        matches!(self.download.as_deref(), Some("1" | "true" | "yes"))
    }

    pub fn which(&self) -> Which {
        self.revision.map_or(Which::Current, Which::Revision)
    }
}

/// The eco-map as SVG, in the reader's language: the child in the centre, sectors and closeness
/// rings, line style by relation quality, a mark on those who can step in, a key and the
/// revision's date.
#[utoipa::path(
    tag = "network map",
    params(("id" = Uuid, Path), MapQuery),
    responses(
        (status = 200, content_type = "image/svg+xml", body = String),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/cases/{id}/map.svg")]
pub async fn map_svg(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<MapQuery>,
    tr: Tr,
) -> Result<HttpResponse, AppError> {
    let download = query.download();
    let picture = actions::map_picture(
        &state.db,
        &caller,
        id.into_inner(),
        query.which(),
        download,
        tr,
    )
    .await?;
    Ok(picture::svg_response(picture, download))
}
