//! API keys for case-system integrations: per tenant, with a role, shown once, stored hashed,
//! revocable. Managed by the tenant admin over `/api/v1/api-keys` or with `tillit apikey create`.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Bytea, Text};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Caller, Role};
use crate::audit::{self, AuditEntry};
use crate::db::schema::api_keys;
use crate::db::{Db, TenantId};
use crate::fields::required_text;
use crate::tokens;
use crate::web::AppState;
use crate::web::json::Json;
use crate::web::problem::{AppError, FieldError};

/// Every key starts with this, so a leaked key is recognisable.
pub const KEY_PREFIX: &str = "tlk_";

#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = api_keys)]
pub struct ApiKeyView {
    pub id: Uuid,
    pub name: String,
    #[schema(value_type = Role)]
    pub role: String,
    /// The key's first characters, to tell keys apart.
    pub key_prefix: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The staff member the key acts for; without one it sees no case data.
    pub user_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateApiKey {
    /// What the key is for, e.g. "Fagsystem-integrasjon".
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// One of tenant_admin, leader, caseworker, coordinator.
    #[schema(value_type = crate::access::Role)]
    pub role: String,
    /// A staff member the key acts for: it then sees what they see (the cases assigned to them).
    pub user_id: Option<Uuid>,
}

/// A new key. `key` is shown this once; only its hash is kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub view: ApiKeyView,
    pub key: String,
}

/// A parsed, valid request to create a key.
pub struct NewApiKey {
    pub name: String,
    pub role: Role,
    pub user_id: Option<Uuid>,
}

impl NewApiKey {
    pub fn parse(name: &str, role: &str) -> Result<Self, AppError> {
        let mut errors = Vec::new();
        let name = required_text(name, 100).map_err(|m| errors.push(FieldError::new("name", m)));
        let role = Role::parse(role).map_err(|m| errors.push(FieldError::new("role", m)));
        match (name, role) {
            (Ok(name), Ok(role)) => Ok(Self {
                name,
                role,
                user_id: None,
            }),
            _ => Err(AppError::Validation(errors)),
        }
    }

    /// The key acts for `user_id`.
    pub fn acting_for(mut self, user_id: Option<Uuid>) -> Self {
        self.user_id = user_id;
        self
    }
}

/// Creates a key in the current tenant transaction and audits it.
pub fn create(
    conn: &mut PgConnection,
    tenant: TenantId,
    new: &NewApiKey,
    audit_entry: AuditEntry,
) -> Result<CreatedApiKey, AppError> {
    if let Some(user_id) = new.user_id {
        let active: Option<bool> = crate::db::schema::users::table
            .find((tenant.0, user_id))
            .select(crate::db::schema::users::active)
            .first(conn)
            .optional()?;
        if active != Some(true) {
            return Err(AppError::field(
                "user_id",
                "no active staff member of this service has that id",
            ));
        }
    }
    let token = tokens::issue(KEY_PREFIX);
    let id = Uuid::now_v7();
    let view = diesel::insert_into(api_keys::table)
        .values((
            api_keys::tenant_id.eq(tenant.0),
            api_keys::id.eq(id),
            api_keys::name.eq(&new.name),
            api_keys::role.eq(new.role.as_str()),
            api_keys::key_hash.eq(&token.hash),
            api_keys::key_prefix.eq(&token.text[..KEY_PREFIX.len() + 6]),
            api_keys::user_id.eq(new.user_id),
        ))
        .returning(ApiKeyView::as_returning())
        .get_result(conn)?;
    audit::record(
        conn,
        tenant,
        audit_entry
            .object("api_key", id)
            .details(serde_json::json!({ "role": new.role })),
    )?;
    Ok(CreatedApiKey {
        view,
        key: token.text,
    })
}

/// A key that authenticated: its tenant, id and role.
pub struct Authenticated {
    pub tenant: TenantId,
    pub key_id: Uuid,
    pub role: Role,
    /// The staff member the key acts for, if any.
    pub user: Option<Uuid>,
}

/// Finds the tenant and role of a presented key, through the one cross-tenant lookup that exists
/// for it. Unknown and revoked keys both give `None`.
pub async fn authenticate(db: &Db, presented: &str) -> Result<Option<Authenticated>, AppError> {
    if !tokens::looks_like(presented, KEY_PREFIX) {
        return Ok(None);
    }
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        tenant_id: Uuid,
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        key_id: Uuid,
        #[diesel(sql_type = Text)]
        role: String,
        #[diesel(sql_type = Bool)]
        revoked: bool,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Uuid>)]
        user_id: Option<Uuid>,
    }
    let hash = tokens::hash(presented);
    let rows: Vec<Row> = db
        .unscoped(move |conn| {
            diesel::sql_query("SELECT * FROM platform_api_key_lookup($1)")
                .bind::<Bytea, _>(hash)
                .load(conn)
                .map_err(AppError::from)
        })
        .await?;
    let Some(row) = rows.into_iter().find(|r| !r.revoked) else {
        return Ok(None);
    };
    let role = Role::parse(&row.role).map_err(AppError::Internal)?;
    Ok(Some(Authenticated {
        tenant: TenantId(row.tenant_id),
        key_id: row.key_id,
        role,
        user: row.user_id,
    }))
}

/// Create an API key. The key is in the response this once.
#[utoipa::path(
    tag = "api-keys",
    request_body = CreateApiKey,
    responses(
        (status = 201, body = CreatedApiKey, headers(("Location" = String, description = "The address the created key is read at"))),
        (status = 422, description = "Invalid name or role", body = crate::web::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only a tenant admin manages keys", body = crate::web::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/api-keys")]
pub async fn create_key(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateApiKey>,
) -> Result<HttpResponse, AppError> {
    caller.require(&[Role::TenantAdmin])?;
    let new = NewApiKey::parse(&body.name, &body.role)?.acting_for(body.user_id);
    let entry = caller.audit("api_key.create");
    let tenant = caller.tenant;
    let created = state
        .db
        .tenant(tenant, move |conn| create(conn, tenant, &new, entry))
        .await?;
    Ok(crate::web::json::created(
        format!("/api/v1/api-keys/{}", created.view.id),
        created,
    ))
}

/// The service's API keys, newest first (never the keys themselves).
#[utoipa::path(
    tag = "api-keys",
    responses((status = 200, body = [ApiKeyView])),
    security(("api_key" = []))
)]
#[get("/api/v1/api-keys")]
pub async fn list_keys(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<Vec<ApiKeyView>>, AppError> {
    caller.require(&[Role::TenantAdmin])?;
    let keys = state
        .db
        .tenant(caller.tenant, |conn| {
            api_keys::table
                .select(ApiKeyView::as_select())
                .order(api_keys::created_at.desc())
                .load(conn)
                .map_err(AppError::from)
        })
        .await?;
    Ok(web::Json(keys))
}

/// One API key. Another service's key is simply not found.
#[utoipa::path(
    tag = "api-keys",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = ApiKeyView), (status = 404, body = crate::web::problem::Problem, content_type = "application/problem+json")),
    security(("api_key" = []))
)]
#[get("/api/v1/api-keys/{id}")]
pub async fn get_key(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<ApiKeyView>, AppError> {
    caller.require(&[Role::TenantAdmin])?;
    let id = id.into_inner();
    let key = state
        .db
        .tenant(caller.tenant, move |conn| {
            api_keys::table
                .find((caller.tenant.0, id))
                .select(ApiKeyView::as_select())
                .first(conn)
                .map_err(AppError::from)
        })
        .await?;
    Ok(web::Json(key))
}

/// Revoke an API key at once. Revoking a revoked key changes nothing.
#[utoipa::path(
    tag = "api-keys",
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = crate::web::problem::Problem, content_type = "application/problem+json")),
    security(("api_key" = []))
)]
#[delete("/api/v1/api-keys/{id}")]
pub async fn revoke_key(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    caller.require(&[Role::TenantAdmin])?;
    let id = id.into_inner();
    let tenant = caller.tenant;
    let entry = caller.audit("api_key.revoke").object("api_key", id);
    state
        .db
        .tenant(tenant, move |conn| {
            let key: ApiKeyView = api_keys::table
                .find((tenant.0, id))
                .select(ApiKeyView::as_select())
                .first(conn)?;
            if key.revoked_at.is_none() {
                diesel::update(api_keys::table.find((tenant.0, id)))
                    .set(api_keys::revoked_at.eq(Utc::now()))
                    .execute(conn)?;
                audit::record(conn, tenant, entry)?;
            }
            Ok::<_, AppError>(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Creates a key for the service named by `slug` (the operator's `tillit apikey create`).
pub async fn create_for_slug(
    db: &Db,
    slug: &crate::tenancy::Slug,
    mut new: NewApiKey,
    acting_for: Option<crate::fields::Email>,
    actor: crate::audit::Actor,
) -> Result<CreatedApiKey, AppError> {
    let tenant = crate::tenancy::tenant_by_slug(db, slug)
        .await?
        .ok_or_else(|| AppError::field("tenant", format!("no service has the slug {slug}")))?;
    db.tenant(tenant, move |conn| {
        if let Some(email) = acting_for {
            use crate::db::schema::users;
            let user: Option<Uuid> = users::table
                .filter(users::email.eq(email.as_str()))
                .filter(users::active.eq(true))
                .select(users::id)
                .first(conn)
                .optional()?;
            new.user_id = Some(user.ok_or_else(|| {
                AppError::field(
                    "acting_for",
                    format!("no active staff member of this service has the address {email}"),
                )
            })?);
        }
        create(
            conn,
            tenant,
            &new,
            AuditEntry::new(&actor, "api_key.create"),
        )
    })
    .await
}
