//! `GET /api/v1/figures`: a year of the service's figures as JSON, counts under 5 as "<5".

use actix_web::{get, web};

use super::actions;
use super::domain::FiguresRequest;
use super::views::Figures;
use crate::access::Caller;
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
