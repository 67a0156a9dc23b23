//! The figures' one use case.

use serde_json::json;

use super::domain::FiguresRequest;
use super::queries;
use super::views::Figures;
use crate::access::{Caller, Role};
use crate::audit;
use crate::db::Db;
use crate::registration::views::RegistrationExport;
use crate::tenancy::settings::ServiceSettings;
use crate::web::problem::AppError;

/// Who sees the figures: leaders, and the admin who runs the service. They hold no case data.
pub const FIGURE_ROLES: [Role; 2] = [Role::Leader, Role::TenantAdmin];

/// A year of the service's figures, suppressed, in one transaction: the year's counts as kept
/// ([`queries::summary`]) or worked out again when something they count has changed; the read is
/// audited. A year out of range is a wrong field, refused before anything is read.
pub async fn figures(
    db: &Db,
    caller: &Caller,
    request: FiguresRequest,
) -> Result<Figures, AppError> {
    caller.require(&FIGURE_ROLES)?;
    let caller = caller.clone();
    db.tenant(caller.tenant, move |conn| {
        let settings = ServiceSettings::load(conn)?;
        let today = settings.today(chrono::Utc::now());
        let year = request.year(chrono::Datelike::year(&today))?;
        let span = queries::YearSpan::new(year, settings.tz, today)
            .ok_or_else(|| AppError::Internal(format!("the year {year} has no bounds")))?;
        let (counts, monthly) = queries::summary(conn, caller.tenant, &span)?;
        let served = crate::tenancy::load_municipalities(conn)?;
        let names = served
            .iter()
            .filter_map(|m| Some((m.kommunenummer.clone(), m.name.clone()?)))
            .collect();
        let served = served.into_iter().map(|m| m.kommunenummer).collect();
        audit::record(
            conn,
            caller.tenant,
            caller
                .audit("figures.read")
                .details(json!({ "year": year })),
        )?;
        Ok::<_, AppError>(Figures {
            names,
            ..Figures::build(year, served, &counts, &monthly)
        })
    })
    .await
}

/// The registrations of the network measures begun in a year, one row per measure, for the
/// leader: no name, no id, no free text (see [`crate::registration::actions::export`]). The
/// read is audited with the year and the number of rows.
pub async fn registrations(
    db: &Db,
    caller: &Caller,
    request: FiguresRequest,
) -> Result<RegistrationExport, AppError> {
    caller.require(&FIGURE_ROLES)?;
    let caller = caller.clone();
    db.tenant(caller.tenant, move |conn| {
        let settings = ServiceSettings::load(conn)?;
        let this_year = chrono::Datelike::year(&settings.today(chrono::Utc::now()));
        let year = request.year(this_year)?;
        let export = crate::registration::actions::export(conn, caller.tenant, year, settings.tz)?;
        audit::record(
            conn,
            caller.tenant,
            caller
                .audit("registration.export")
                .details(json!({ "year": year, "rows": export.rows.len() })),
        )?;
        Ok::<_, AppError>(export)
    })
    .await
}
