//! Tenancy: a tenant is one child welfare service (barneverntjeneste), serving one or more
//! municipalities: its row, its municipalities, its settings and its sender. Low in the house:
//! it knows no caller. Who may create a service is `onboarding`'s; who may change one is
//! `access::service`'s.

pub mod domain;
pub mod register;
pub mod sender;
pub mod settings;

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::{tenant_municipalities, tenants};
use crate::db::{Db, TenantId};
use crate::web::problem::AppError;
pub use domain::{Kommunenummer, Slug};

#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = tenants)]
pub struct Tenant {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub time_zone: String,
    pub locale: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = tenant_municipalities)]
pub struct Municipality {
    pub kommunenummer: String,
    pub name: Option<String>,
}

/// The tenant of a slug, through the narrow cross-tenant lookup.
pub async fn tenant_by_slug(db: &Db, slug: &Slug) -> Result<Option<TenantId>, AppError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Uuid>)]
        id: Option<Uuid>,
    }
    let slug = slug.to_string();
    db.unscoped(move |conn| {
        let rows: Vec<Row> = diesel::sql_query("SELECT platform_tenant_by_slug($1) AS id")
            .bind::<diesel::sql_types::Text, _>(slug)
            .load(conn)?;
        Ok::<_, AppError>(rows.into_iter().next().and_then(|r| r.id).map(TenantId))
    })
    .await
}

/// The caller's own service. Row-level security means the unfiltered query sees exactly one row.
pub fn load_tenant(conn: &mut PgConnection) -> QueryResult<Tenant> {
    tenants::table.select(Tenant::as_select()).first(conn)
}

/// Gives a served municipality the name the service uses for it.
pub fn name_municipality(conn: &mut PgConnection, number: &str, name: &str) -> QueryResult<usize> {
    diesel::update(
        tenant_municipalities::table.filter(tenant_municipalities::kommunenummer.eq(number)),
    )
    .set(tenant_municipalities::name.eq(name))
    .execute(conn)
}

/// The service's municipalities, each named: by the name the admin gave it, else by Statistics
/// Norway's register (so a number served before names were filled in reads as a place too).
pub fn load_municipalities(conn: &mut PgConnection) -> QueryResult<Vec<Municipality>> {
    let served: Vec<Municipality> = tenant_municipalities::table
        .select(Municipality::as_select())
        .order(tenant_municipalities::kommunenummer)
        .load(conn)?;
    Ok(served
        .into_iter()
        .map(|m| Municipality {
            name: m.name.or_else(|| {
                Kommunenummer::parse(&m.kommunenummer)
                    .ok()
                    .and_then(|k| register::name_of(&k))
                    .map(str::to_owned)
            }),
            ..m
        })
        .collect())
}
