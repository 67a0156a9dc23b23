//! `/api/v1/cases…`: cases, their network map, its revisions and picture, the prompts, costly
//! measures and the acute list. Every endpoint that names a case opens it through
//! [`with_case`], which applies the assignment rule and writes the audit row.

use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::access::{Audited, Intent, case_user, with_case};
use super::domain::{
    CaseUpdate, CaseUpdateRequest, ChildRequest, ChildWords, MeasureRequest, NetworkCheckRequest,
    NewCase, NewCaseRequest, NewCheck, NewMeasure, NewRevision, PersonInput, PersonRequest, Phase,
    RevisionRequest, WordsRequest,
};
use super::history::diff;
use super::picture::{self, Which};
use super::queries::{self, TenantClock};
use super::rules::Prompt;
use super::views::{
    AcuteList, CaseSummary, CaseView, DiffView, MeasureView, PersonView, RevisionSummary,
    RevisionView,
};
use super::{lifecycle, reminders};
use crate::access::{Caller, Role};
use crate::audit;
use crate::web::AppState;
use crate::web::i18n::Tr;
use crate::web::problem::{AppError, Problem};

/// The roles that work on cases. Leaders see aggregate figures only.
const CASE_ROLES: [Role; 3] = [Role::TenantAdmin, Role::Caseworker, Role::Coordinator];

/// The cases assigned to the caller's staff member, acute first. A key that acts for nobody has
/// none.
#[utoipa::path(
    tag = "cases",
    responses(
        (status = 200, body = [CaseSummary]),
        (status = 403, description = "Leaders see no case data", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/cases")]
pub async fn list_cases(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<Vec<CaseSummary>>, AppError> {
    caller.require(&CASE_ROLES)?;
    let cases = state
        .db
        .tenant(caller.tenant, move |conn| {
            let cases = match case_user(&caller) {
                Some(user) => queries::assigned_cases(conn, caller.tenant, user)?,
                None => Vec::new(),
            };
            audit::record(
                conn,
                caller.tenant,
                caller
                    .audit("case.list")
                    .details(json!({ "count": cases.len() })),
            )?;
            Ok::<_, AppError>(cases)
        })
        .await?;
    Ok(web::Json(cases))
}

/// Open a case for a child. The caller's staff member is assigned to it, and is so far the only
/// one who may open it.
#[utoipa::path(
    tag = "cases",
    request_body = NewCaseRequest,
    responses(
        (status = 201, body = CaseView),
        (status = 403, description = "A leader, or a key that acts for no staff member", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases")]
pub async fn create_case(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewCaseRequest>,
) -> Result<HttpResponse, AppError> {
    caller.require(&CASE_ROLES)?;
    let creator = case_user(&caller).ok_or(AppError::Forbidden)?;
    let view = state
        .db
        .tenant(caller.tenant, move |conn| {
            let clock = TenantClock::load(conn)?;
            let new = NewCase::parse(&body, clock.now, clock.today)?;
            let id = lifecycle::open_case(conn, caller.tenant, creator, &new, &clock)?.id;
            let case = super::access::open_case(conn, &caller, id, Intent::Read)?;
            let view = queries::case_view(conn, caller.tenant, &case, &clock)?;
            audit::record(
                conn,
                caller.tenant,
                caller.audit("case.create").object("case", id),
            )?;
            Ok::<_, AppError>(view)
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// The case with its current map, the child's words, the latest revision and the prompts.
#[utoipa::path(
    tag = "cases",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = CaseView),
        (status = 404, description = "No such case, or not assigned to the caller", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/cases/{id}")]
pub async fn get_case(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<CaseView>, AppError> {
    let id = id.into_inner();
    let view = with_case(
        &state.db,
        &caller,
        id,
        Intent::Read,
        "case.read",
        |conn, c| {
            let view = queries::case_view(conn, c.tenant, &c.case, &c.clock)?;
            Ok((view, Audited::case(c.case.id)))
        },
    )
    .await?;
    Ok(web::Json(view))
}

/// Change the phase or the acute flag. A new phase makes the map due for revision; closing the
/// case cancels its reminders, and reopening it writes the 17½ reminder again.
#[utoipa::path(
    tag = "cases",
    params(("id" = Uuid, Path)),
    request_body = CaseUpdateRequest,
    responses(
        (status = 200, body = CaseView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[patch("/api/v1/cases/{id}")]
pub async fn update_case(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<CaseUpdateRequest>,
) -> Result<web::Json<CaseView>, AppError> {
    let view = with_case(
        &state.db,
        &caller,
        id.into_inner(),
        Intent::Write,
        "case.update",
        move |conn, c| {
            let update = CaseUpdate::parse(&body)?;
            let (case, audited) = lifecycle::update_case(conn, c, update)?;
            let view = queries::case_view(conn, c.tenant, &case, &c.clock)?;
            Ok((view, audited))
        },
    )
    .await?;
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
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[put("/api/v1/cases/{id}/child")]
pub async fn update_child(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<ChildRequest>,
) -> Result<web::Json<CaseView>, AppError> {
    let view = with_case(
        &state.db,
        &caller,
        id.into_inner(),
        Intent::Write,
        "case.child_update",
        move |conn, c| {
            let audited = lifecycle::update_child(conn, c, &body)?;
            let view = queries::case_view(conn, c.tenant, &c.case, &c.clock)?;
            Ok((view, audited))
        },
    )
    .await?;
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
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not an active staff member who may see cases", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/assignments")]
pub async fn assign_staff(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<AssignRequest>,
) -> Result<web::Json<CaseView>, AppError> {
    let user_id = body.user_id;
    let view = with_case(
        &state.db,
        &caller,
        id.into_inner(),
        Intent::Write,
        "case.assign",
        move |conn, c| {
            let added = queries::assign(conn, c.tenant, c.case.id, user_id, c.user)?;
            let view = queries::case_view(conn, c.tenant, &c.case, &c.clock)?;
            let audited =
                Audited::case(c.case.id).with(json!({ "user_id": user_id, "added": added }));
            Ok((view, audited))
        },
    )
    .await?;
    Ok(web::Json(view))
}

/// End a staff member's assignment. The last assignment cannot end.
#[utoipa::path(
    tag = "cases",
    params(("id" = Uuid, Path), ("user_id" = Uuid, Path)),
    responses(
        (status = 204),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The only assigned staff member", body = Problem, content_type = "application/problem+json"),
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
    with_case(
        &state.db,
        &caller,
        id,
        Intent::Write,
        "case.unassign",
        move |conn, c| {
            queries::unassign(conn, c.tenant, c.case.id, user_id)?;
            Ok((
                (),
                Audited::case(c.case.id).with(json!({ "user_id": user_id })),
            ))
        },
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The persons on the current map, with the child's words about each.
#[utoipa::path(
    tag = "network map",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = [PersonView]),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/cases/{id}/persons")]
pub async fn list_persons(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<PersonView>>, AppError> {
    let persons = with_case(
        &state.db,
        &caller,
        id.into_inner(),
        Intent::Read,
        "person.list",
        |conn, c| {
            let persons = queries::person_views(conn, c.tenant, c.case.id)?;
            let audited = Audited::case(c.case.id).with(json!({ "count": persons.len() }));
            Ok((persons, audited))
        },
    )
    .await?;
    Ok(web::Json(persons))
}

/// Add a person to the map, with the child's words about them if given.
#[utoipa::path(
    tag = "network map",
    params(("id" = Uuid, Path)),
    request_body = PersonRequest,
    responses(
        (status = 201, body = PersonView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown category, an invalid email or phone number, …", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/persons")]
pub async fn add_person(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<PersonRequest>,
) -> Result<HttpResponse, AppError> {
    let view = with_case(
        &state.db,
        &caller,
        id.into_inner(),
        Intent::Write,
        "person.add",
        move |conn, c| {
            let input = PersonInput::parse(&body, c.clock.now)?;
            let person = queries::insert_person(conn, c.tenant, c.case.id, &input.fields)?;
            if let Some(words) = &input.words {
                queries::add_words(conn, c.tenant, c.case.id, person, words, c.user)?;
            }
            let view = queries::person_view(conn, c.tenant, c.case.id, person)?;
            let audited = Audited::within("person", person, c.case.id)
                .with(json!({ "with_child_words": input.words.is_some() }));
            Ok((view, audited))
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(view))
}

/// One person on the map.
#[utoipa::path(
    tag = "network map",
    params(("id" = Uuid, Path), ("person_id" = Uuid, Path)),
    responses(
        (status = 200, body = PersonView),
        (status = 404, description = "Not on this case's map", body = Problem, content_type = "application/problem+json"),
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
    let view = with_case(
        &state.db,
        &caller,
        id,
        Intent::Read,
        "person.read",
        move |conn, c| {
            let view = queries::person_view(conn, c.tenant, c.case.id, person)?;
            Ok((view, Audited::within("person", person, c.case.id)))
        },
    )
    .await?;
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
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[put("/api/v1/cases/{id}/persons/{person_id}")]
pub async fn update_person(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<PersonRequest>,
) -> Result<web::Json<PersonView>, AppError> {
    let (id, person) = path.into_inner();
    let view = with_case(
        &state.db,
        &caller,
        id,
        Intent::Write,
        "person.update",
        move |conn, c| {
            let input = PersonInput::parse(&body, c.clock.now)?;
            queries::update_person(conn, c.tenant, c.case.id, person, &input.fields)?;
            if let Some(words) = &input.words {
                queries::add_words(conn, c.tenant, c.case.id, person, words, c.user)?;
            }
            let view = queries::person_view(conn, c.tenant, c.case.id, person)?;
            let audited = Audited::within("person", person, c.case.id)
                .with(json!({ "with_child_words": input.words.is_some() }));
            Ok((view, audited))
        },
    )
    .await?;
    Ok(web::Json(view))
}

/// Take a person off the map. Earlier revisions still show them.
#[utoipa::path(
    tag = "network map",
    params(("id" = Uuid, Path), ("person_id" = Uuid, Path)),
    responses(
        (status = 204),
        (status = 404, body = Problem, content_type = "application/problem+json"),
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
    with_case(
        &state.db,
        &caller,
        id,
        Intent::Write,
        "person.remove",
        move |conn, c| {
            queries::remove_person(conn, c.tenant, c.case.id, person)?;
            Ok(((), Audited::within("person", person, c.case.id)))
        },
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Record the child's words about a person, verbatim, with who wrote them down.
#[utoipa::path(
    tag = "network map",
    params(("id" = Uuid, Path), ("person_id" = Uuid, Path)),
    request_body = WordsRequest,
    responses(
        (status = 201, body = PersonView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/persons/{person_id}/words")]
pub async fn add_words(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<WordsRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, person) = path.into_inner();
    let view = with_case(
        &state.db,
        &caller,
        id,
        Intent::Write,
        "person.words_add",
        move |conn, c| {
            let words = ChildWords::parse(&body, c.clock.now)?;
            let words_id = queries::add_words(conn, c.tenant, c.case.id, person, &words, c.user)?;
            let view = queries::person_view(conn, c.tenant, c.case.id, person)?;
            let audited = Audited::within("person", person, c.case.id)
                .with(json!({ "words_id": words_id, "author": words.author }));
            Ok((view, audited))
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(view))
}

/// The map's revisions, oldest first, without their persons.
#[utoipa::path(
    tag = "network map",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = [RevisionSummary]),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/cases/{id}/revisions")]
pub async fn list_revisions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<RevisionSummary>>, AppError> {
    let list = with_case(
        &state.db,
        &caller,
        id.into_inner(),
        Intent::Read,
        "revision.list",
        |conn, c| {
            let list: Vec<RevisionSummary> = queries::revisions(conn, c.tenant, c.case.id)?
                .into_iter()
                .map(|r| r.summary)
                .collect();
            let audited = Audited::case(c.case.id).with(json!({ "count": list.len() }));
            Ok((list, audited))
        },
    )
    .await?;
    Ok(web::Json(list))
}

/// Save the current map as a new revision, with the date, the phase and whether and how the child
/// took part. Replaces the case's pending review reminder with one due the service's
/// `map_review_months` after the revision's date.
#[utoipa::path(
    tag = "network map",
    params(("id" = Uuid, Path)),
    request_body = RevisionRequest,
    responses(
        (status = 201, body = RevisionView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/revisions")]
pub async fn create_revision(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<RevisionRequest>,
) -> Result<HttpResponse, AppError> {
    let view = with_case(
        &state.db,
        &caller,
        id.into_inner(),
        Intent::Write,
        "revision.create",
        move |conn, c| {
            let new = NewRevision::parse(&body, c.clock.today)?;
            let revision = queries::insert_revision(conn, c.tenant, &c.case, &new, c.user)?;
            if revision.summary.phase != Phase::Closed {
                reminders::schedule_review(
                    conn,
                    c.tenant,
                    c.case.id,
                    revision.summary.revised_on,
                    &c.clock,
                )?;
            }
            let audited = Audited::case(c.case.id).with(json!({
                "revision": revision.summary.number,
                "child_participated": revision.summary.child_participated,
            }));
            Ok((revision, audited))
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(view))
}

/// One revision with the map as it stood then.
#[utoipa::path(
    tag = "network map",
    params(("id" = Uuid, Path), ("number" = i32, Path)),
    responses(
        (status = 200, body = RevisionView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
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
    let view = with_case(
        &state.db,
        &caller,
        id,
        Intent::Read,
        "revision.read",
        move |conn, c| {
            let view = queries::revision(conn, c.tenant, c.case.id, number)?;
            Ok((
                view,
                Audited::case(c.case.id).with(json!({ "revision": number })),
            ))
        },
    )
    .await?;
    Ok(web::Json(view))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ChangesQuery {
    /// The earlier revision.
    pub from: i32,
    /// The later revision; without it, the current map (changes not yet saved as a revision).
    pub to: Option<i32>,
}

/// Who was added, removed or changed between two revisions, or since a revision.
#[utoipa::path(
    tag = "network map",
    params(("id" = Uuid, Path), ChangesQuery),
    responses(
        (status = 200, body = DiffView),
        (status = 404, description = "No such case or revision", body = Problem, content_type = "application/problem+json"),
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
    let view = with_case(
        &state.db,
        &caller,
        id.into_inner(),
        Intent::Read,
        "revision.diff",
        move |conn, c| {
            let earlier = queries::revision(conn, c.tenant, c.case.id, from)?;
            let later = match to {
                Some(n) => queries::revision(conn, c.tenant, c.case.id, n)?.persons,
                None => queries::persons(conn, c.tenant, c.case.id)?,
            };
            let view = DiffView {
                from,
                to,
                diff: diff(&earlier.persons, &later),
            };
            let audited = Audited::case(c.case.id).with(json!({ "from": from, "to": to }));
            Ok((view, audited))
        },
    )
    .await?;
    Ok(web::Json(view))
}

/// What the map needs now: the same prompts the case page shows.
#[utoipa::path(
    tag = "network map",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = [Prompt]),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/cases/{id}/prompts")]
pub async fn prompts(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<Prompt>>, AppError> {
    let prompts = with_case(
        &state.db,
        &caller,
        id.into_inner(),
        Intent::Read,
        "case.prompts",
        |conn, c| {
            let child = queries::child(conn, c.tenant, c.case.child_id)?;
            let persons = queries::persons(conn, c.tenant, c.case.id)?;
            let latest = queries::latest_revision(conn, c.tenant, c.case.id)?;
            let prompts =
                queries::prompts_for(&c.case, &child, &persons, latest.as_ref(), &c.clock)?;
            Ok((prompts, Audited::case(c.case.id)))
        },
    )
    .await?;
    Ok(web::Json(prompts))
}

/// The case's costly measures and the network checks made before them.
#[utoipa::path(
    tag = "costly measures",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = [MeasureView]),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/cases/{id}/measures")]
pub async fn list_measures(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<MeasureView>>, AppError> {
    let list = with_case(
        &state.db,
        &caller,
        id.into_inner(),
        Intent::Read,
        "measure.list",
        |conn, c| {
            let list = queries::measures(conn, c.tenant, c.case.id)?;
            let audited = Audited::case(c.case.id).with(json!({ "count": list.len() }));
            Ok((list, audited))
        },
    )
    .await?;
    Ok(web::Json(list))
}

/// Propose a costly measure (foster home, institution, other). It can be decided only after the
/// network is checked or a written justification is given.
#[utoipa::path(
    tag = "costly measures",
    params(("id" = Uuid, Path)),
    request_body = MeasureRequest,
    responses(
        (status = 201, body = MeasureView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/measures")]
pub async fn propose_measure(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<MeasureRequest>,
) -> Result<HttpResponse, AppError> {
    let view = with_case(
        &state.db,
        &caller,
        id.into_inner(),
        Intent::Write,
        "measure.propose",
        move |conn, c| {
            let new = NewMeasure::parse(&body)?;
            let measure = queries::insert_measure(conn, c.tenant, c.case.id, &new, c.user)?;
            let view = queries::measure(conn, c.tenant, c.case.id, measure)?;
            let audited =
                Audited::within("measure", measure, c.case.id).with(json!({ "kind": new.kind }));
            Ok((view, audited))
        },
    )
    .await?;
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
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The measure is no longer proposed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing fields, or a person not on this case's map", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/measures/{measure_id}/network-checks")]
pub async fn record_check(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<NetworkCheckRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, measure_id) = path.into_inner();
    let action = match super::domain::CheckKind::parse(&body.kind) {
        Ok(super::domain::CheckKind::Justification) => "measure.justification",
        _ => "measure.network_check",
    };
    let view = with_case(
        &state.db,
        &caller,
        id,
        Intent::Write,
        action,
        move |conn, c| {
            let measure = queries::measure(conn, c.tenant, c.case.id, measure_id)?;
            let check = NewCheck::parse(&body, c.clock.today)?;
            let check_id =
                queries::insert_check(conn, c.tenant, c.case.id, &measure, &check, c.user)?;
            let view = queries::measure(conn, c.tenant, c.case.id, measure_id)?;
            let audited = Audited::within("measure", measure_id, c.case.id)
                .with(json!({ "check_id": check_id, "kind": check.kind() }));
            Ok((view, audited))
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(view))
}

/// Mark a proposed measure decided. Refused (409) until the network has been checked or a written
/// justification given.
#[utoipa::path(
    tag = "costly measures",
    params(("id" = Uuid, Path), ("measure_id" = Uuid, Path)),
    responses(
        (status = 200, body = MeasureView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The network is not checked, or the measure is not proposed", body = Problem, content_type = "application/problem+json"),
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
    let view = with_case(
        &state.db,
        &caller,
        id,
        Intent::Write,
        "measure.decide",
        move |conn, c| {
            let measure = queries::measure(conn, c.tenant, c.case.id, measure_id)?;
            queries::decide_measure(conn, c.tenant, &measure, c.user)?;
            let view = queries::measure(conn, c.tenant, c.case.id, measure_id)?;
            Ok((view, Audited::within("measure", measure_id, c.case.id)))
        },
    )
    .await?;
    Ok(web::Json(view))
}

/// Withdraw a proposed measure.
#[utoipa::path(
    tag = "costly measures",
    params(("id" = Uuid, Path), ("measure_id" = Uuid, Path)),
    responses(
        (status = 200, body = MeasureView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not proposed", body = Problem, content_type = "application/problem+json"),
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
    let view = with_case(
        &state.db,
        &caller,
        id,
        Intent::Write,
        "measure.withdraw",
        move |conn, c| {
            let measure = queries::measure(conn, c.tenant, c.case.id, measure_id)?;
            queries::withdraw_measure(conn, c.tenant, &measure)?;
            let view = queries::measure(conn, c.tenant, c.case.id, measure_id)?;
            Ok((view, Audited::within("measure", measure_id, c.case.id)))
        },
    )
    .await?;
    Ok(web::Json(view))
}

/// Who on the map can step in at short notice, closest first, with phone numbers.
#[utoipa::path(
    tag = "network map",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = AcuteList),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/cases/{id}/acute-list")]
pub async fn acute_list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<AcuteList>, AppError> {
    let list = with_case(
        &state.db,
        &caller,
        id.into_inner(),
        Intent::Read,
        "case.acute_list",
        |conn, c| {
            let list = queries::acute_list(conn, c.tenant, &c.case)?;
            let audited = Audited::case(c.case.id).with(json!({ "count": list.persons.len() }));
            Ok((list, audited))
        },
    )
    .await?;
    Ok(web::Json(list))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct MapQuery {
    /// A revision's number; without it, the current map.
    pub revision: Option<i32>,
    /// `1` to save the picture as a file rather than show it.
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
        (status = 404, body = Problem, content_type = "application/problem+json"),
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
    let (which, download, revision) = (query.which(), query.download(), query.revision);
    let picture = with_case(
        &state.db,
        &caller,
        id.into_inner(),
        Intent::Read,
        "case.map",
        move |conn, c| {
            let picture = picture::draw(conn, c.tenant, &c.case, which, &c.clock, &tr)?;
            let audited = Audited::case(c.case.id)
                .with(json!({ "revision": revision, "download": download }));
            Ok((picture, audited))
        },
    )
    .await?;
    Ok(picture::svg_response(picture, download))
}
