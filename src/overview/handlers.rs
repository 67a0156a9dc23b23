//! `GET /api/v1/overview`: the start page as JSON.

use actix_web::{get, web};

use super::actions;
use super::views::Overview;
use crate::access::Caller;
use crate::web::AppState;
use crate::web::problem::{AppError, Problem};

/// Today's work across the caller's cases: meetings in the next 14 days with the answers so far,
/// each open council's next step and what blocks it, the people not answering after the last
/// chase, overdue commitments, evaluations due within six weeks, and the cases whose map needs
/// something. A key that acts for nobody sees an empty overview.
#[utoipa::path(
    tag = "overview",
    responses(
        (status = 200, body = Overview),
        (status = 403, description = "Leaders see no case data", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/overview")]
pub async fn get_overview(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<Overview>, AppError> {
    Ok(web::Json(actions::start_page(&state.db, &caller).await?.0))
}
