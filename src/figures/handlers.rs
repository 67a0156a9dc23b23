//! `GET /api/v1/figures`: a year of the service's figures as JSON, counts under 5 as "<5".

use actix_web::{get, web};

use super::actions;
use super::domain::FiguresRequest;
use super::views::Figures;
use crate::access::Caller;
use crate::registration::views::RegistrationExport;
use crate::web::AppState;
use crate::web::problem::{AppError, Problem};

/// A year of the service's figures per municipality: cases opened, children mapped within 30
/// days, councils by Statistics Norway's categories and by month, costly measures after a
/// network check or by justification. Every count from 1 to 4 is "<5", and a share from such a
/// count is "<5" too. For leaders and the service's admin.
#[utoipa::path(
    tag = "figures",
    params(FiguresRequest),
    responses(
        (status = 200, body = Figures),
        (status = 403, description = "Only leaders and the service's admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A year out of range", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/figures")]
pub async fn get_figures(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<FiguresRequest>,
) -> Result<web::Json<Figures>, AppError> {
    Ok(web::Json(
        actions::figures(&state.db, &caller, query.into_inner()).await?,
    ))
}

/// The registrations of the network measures (network councils, family group conferences,
/// network meeting series) begun in a year, one row per measure with seed 003's registration
/// questions: a row number of this answer only, the child's home municipality, the kind,
/// whether the registration is complete, and each question's answer as codes — what Tillit
/// knows, else what the staff answered, empty while open. No name, no id, no free text; a
/// decision's day is its month. For leaders and the service's admin.
#[utoipa::path(
    tag = "figures",
    params(FiguresRequest),
    responses(
        (status = 200, body = RegistrationExport),
        (status = 403, description = "Only leaders and the service's admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A year out of range", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/figures/registrations")]
pub async fn get_registrations(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<FiguresRequest>,
) -> Result<web::Json<RegistrationExport>, AppError> {
    Ok(web::Json(
        actions::registrations(&state.db, &caller, query.into_inner()).await?,
    ))
}
