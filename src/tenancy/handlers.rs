//! `/api/v1/tenant`: the caller's service and the municipalities it serves.

use actix_web::{HttpResponse, delete, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Municipality, Tenant, load_municipalities, load_tenant};
use crate::access::Caller;
use crate::web::AppState;
use crate::web::problem::AppError;

/// The caller's service with the municipalities it serves.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantView {
    #[serde(flatten)]
    pub tenant: Tenant,
    pub municipalities: Vec<Municipality>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AddMunicipality {
    /// Four digits, e.g. "4624".
    pub kommunenummer: String,
    /// The municipality's name, e.g. "Bjørnafjorden".
    pub name: Option<String>,
}

/// The caller's own service and its municipalities.
#[utoipa::path(
    tag = "tenant",
    responses(
        (status = 200, body = TenantView),
        (status = 401, body = crate::web::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/tenant")]
pub async fn get_tenant(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<TenantView>, AppError> {
    let view = state
        .db
        .tenant(caller.tenant, |conn| {
            Ok::<_, AppError>(TenantView {
                tenant: load_tenant(conn)?,
                municipalities: load_municipalities(conn)?,
            })
        })
        .await?;
    Ok(web::Json(view))
}

/// Add a municipality that the service serves.
#[utoipa::path(
    tag = "tenant",
    request_body = AddMunicipality,
    responses(
        (status = 201, body = Municipality),
        (status = 409, description = "Already served", body = crate::web::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a kommunenummer", body = crate::web::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/tenant/municipalities")]
pub async fn add_municipality(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<AddMunicipality>,
) -> Result<HttpResponse, AppError> {
    let added = super::add_municipality(
        &state.db,
        &caller,
        &body.kommunenummer,
        body.name.as_deref(),
    )
    .await?;
    Ok(HttpResponse::Created().json(added))
}

/// Stop serving a municipality. A service always serves at least one.
#[utoipa::path(
    tag = "tenant",
    params(("kommunenummer" = String, Path)),
    responses(
        (status = 204),
        (status = 404, body = crate::web::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The last municipality", body = crate::web::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[delete("/api/v1/tenant/municipalities/{kommunenummer}")]
pub async fn remove_municipality(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    super::remove_municipality(&state.db, &caller, &path).await?;
    Ok(HttpResponse::NoContent().finish())
}
