//! The caller's own service as its admin reads and changes it: `/api/v1/tenant` and the
//! municipalities it serves (the JSON API and the admin page call the same actions).

use actix_web::{HttpResponse, delete, get, post, web};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Caller, Role};
use crate::audit;
use crate::db::schema::tenant_municipalities;
use crate::db::{Db, is_unique_violation};
use crate::tenancy::{Kommunenummer, Municipality, Tenant, load_municipalities, load_tenant};
use crate::web::AppState;
use crate::web::json::Json;
use crate::web::problem::AppError;
use crate::web::problem::FieldError;
use crate::web::refusal::Refusal;

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
    body: Json<AddMunicipality>,
) -> Result<HttpResponse, AppError> {
    let added = serve_municipality(
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
    stop_serving_municipality(&state.db, &caller, &path).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Adds a municipality the service serves; audited. For the admin page and the JSON API alike.
pub async fn serve_municipality(
    db: &Db,
    caller: &Caller,
    kommunenummer: &str,
    name: Option<&str>,
) -> Result<Municipality, AppError> {
    caller.require(&[Role::TenantAdmin])?;
    let mut errors = Vec::new();
    let number = Kommunenummer::parse(kommunenummer)
        .map_err(|m| errors.push(FieldError::new("kommunenummer", m)));
    let name = match name.map(str::trim).filter(|n| !n.is_empty()) {
        None => Ok(None),
        Some(raw) => crate::fields::required_text(raw, 100)
            .map(Some)
            .map_err(|m| errors.push(FieldError::new("name", m))),
    };
    let (Ok(number), Ok(name)) = (number, name) else {
        return Err(AppError::Validation(errors));
    };
    // A number Statistics Norway's register does not hold is most often a typo; one it will
    // hold after a reform can still be served, with its name written out. (A number served
    // already is refused as such, first.)
    // Only a typed name is stored: the register's is filled in wherever the service's
    // municipalities are read (`tenancy::load_municipalities`), so a corrected register applies.
    let known = crate::tenancy::register::name_of(&number);
    let unnamed = name.is_none() && known.is_none();
    let tenant = caller.tenant;
    let entry = caller
        .audit("municipality.add")
        .object("municipality", &number);
    db.tenant(tenant, move |conn| {
        let inserted = diesel::insert_into(tenant_municipalities::table)
            .values((
                tenant_municipalities::tenant_id.eq(tenant.0),
                tenant_municipalities::kommunenummer.eq(number.as_str()),
                tenant_municipalities::name.eq(&name),
            ))
            .execute(conn);
        match inserted {
            Err(e) if is_unique_violation(&e) => {
                return Err(Refusal::MunicipalityServed
                    .because(format!("the service already serves municipality {number}")));
            }
            other => other?,
        };
        if unnamed {
            return Err(AppError::field(
                "name",
                "this number is not in Statistics Norway's register of municipalities; check the number, or write the municipality's name",
            ));
        }
        audit::record(conn, tenant, entry)?;
        Ok(Municipality {
            kommunenummer: number.to_string(),
            name: name.or_else(|| known.map(str::to_owned)),
        })
    })
    .await
}

/// Stops serving a municipality; a service always keeps at least one. Audited.
pub async fn stop_serving_municipality(
    db: &Db,
    caller: &Caller,
    kommunenummer: &str,
) -> Result<(), AppError> {
    caller.require(&[Role::TenantAdmin])?;
    let number = Kommunenummer::parse(kommunenummer).map_err(|_| AppError::NotFound)?;
    let tenant = caller.tenant;
    let entry = caller
        .audit("municipality.remove")
        .object("municipality", &number);
    db.tenant(tenant, move |conn| {
        let served: i64 = tenant_municipalities::table.count().get_result(conn)?;
        let removed =
            diesel::delete(tenant_municipalities::table.find((tenant.0, number.as_str())))
                .execute(conn)?;
        if removed == 0 {
            return Err(AppError::NotFound);
        }
        if served <= 1 {
            return Err(Refusal::LastMunicipality.because(
                "a service serves at least one municipality; add another before removing this one",
            ));
        }
        audit::record(conn, tenant, entry)?;
        Ok(())
    })
    .await
}
