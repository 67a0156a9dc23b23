//! Onboarding: the platform operator creates a child welfare service with its municipalities and
//! its first admin, who gets a single-use setup link (`tillit tenant create`, the operator pages,
//! the demo). Above both `tenancy` (the service's row) and `access` (the admin's account and link).

pub mod operator;

use std::sync::Arc;

use diesel::PgConnection;
use diesel::prelude::*;
use serde::Serialize;
use uuid::Uuid;

use crate::access::Role;
use crate::access::account_links::{self, Purpose};
use crate::audit::{self, Actor, AuditEntry};
use crate::config::Settings;
use crate::db::schema::{tenant_municipalities, tenants, users};
use crate::db::{Db, TenantId, is_unique_violation};
use crate::fields::Email;
use crate::tenancy::{Kommunenummer, Slug};
use crate::web::problem::{AppError, FieldError};
use crate::web::refusal::Refusal;

/// What the operator gives to create a service.
#[derive(Debug, Clone)]
pub struct NewTenant {
    pub slug: Slug,
    pub name: String,
    pub municipalities: Vec<Kommunenummer>,
    pub admin_email: Email,
}

impl NewTenant {
    /// Parses raw operator input, collecting every problem at once.
    pub fn parse(
        slug: &str,
        name: &str,
        municipalities: &[String],
        admin_email: &str,
    ) -> Result<Self, AppError> {
        let mut errors = Vec::new();
        let slug = Slug::parse(slug).map_err(|m| errors.push(FieldError::new("slug", m)));
        let name = crate::fields::required_text(name, 200)
            .map_err(|m| errors.push(FieldError::new("name", m)));
        let mut numbers = Vec::new();
        if municipalities.is_empty() {
            errors.push(FieldError::new(
                "municipality",
                "a service serves at least one municipality",
            ));
        }
        for raw in municipalities {
            match Kommunenummer::parse(raw) {
                Ok(k) if numbers.contains(&k) => errors.push(FieldError::new(
                    "municipality",
                    format!("a municipality is listed twice: {k}"),
                )),
                Ok(k) => numbers.push(k),
                Err(m) => errors.push(FieldError::new("municipality", format!("{m} ({raw:?})"))),
            }
        }
        let admin_email =
            Email::parse(admin_email).map_err(|m| errors.push(FieldError::new("admin_email", m)));
        match (slug, name, admin_email) {
            (Ok(slug), Ok(name), Ok(admin_email)) if errors.is_empty() => Ok(Self {
                slug,
                name,
                municipalities: numbers,
                admin_email,
            }),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

/// The result of creating a service: its id and the single-use link for its first admin.
#[derive(Debug, Serialize)]
pub struct CreatedTenant {
    pub tenant_id: Uuid,
    pub slug: String,
    /// The setup token in clear text. It exists only here; the database keeps its hash.
    #[serde(skip)]
    pub setup_token: String,
    pub admin_user_id: Uuid,
}

/// Creates the service, its municipalities, its first admin (without a password yet) and a setup
/// link for that admin, in one transaction scoped to the new tenant: row-level security admits
/// the insert because the new row's id is the tenant of the transaction. The setup email is
/// scheduled in the same transaction.
pub async fn create_tenant(
    db: &Db,
    settings: Arc<Settings>,
    new: NewTenant,
    actor: Actor,
) -> Result<CreatedTenant, AppError> {
    let tenant = TenantId(Uuid::now_v7());
    db.tenant(tenant, move |conn| {
        insert_tenant(conn, &settings, tenant, &new, &actor)
    })
    .await
}

fn insert_tenant(
    conn: &mut PgConnection,
    settings: &Settings,
    tenant: TenantId,
    new: &NewTenant,
    actor: &Actor,
) -> Result<CreatedTenant, AppError> {
    let inserted = diesel::insert_into(tenants::table)
        .values((
            tenants::id.eq(tenant.0),
            tenants::slug.eq(new.slug.as_str()),
            tenants::name.eq(&new.name),
        ))
        .execute(conn);
    match inserted {
        Err(e) if is_unique_violation(&e) => {
            return Err(Refusal::SlugTaken.because(format!(
                "a service with the slug {} exists already; choose another slug",
                new.slug
            )));
        }
        other => other?,
    };
    for number in &new.municipalities {
        diesel::insert_into(tenant_municipalities::table)
            .values((
                tenant_municipalities::tenant_id.eq(tenant.0),
                tenant_municipalities::kommunenummer.eq(number.as_str()),
            ))
            .execute(conn)?;
    }
    let admin_user_id = Uuid::now_v7();
    diesel::insert_into(users::table)
        .values((
            users::tenant_id.eq(tenant.0),
            users::id.eq(admin_user_id),
            users::email.eq(new.admin_email.as_str()),
            users::role.eq(Role::TenantAdmin.as_str()),
        ))
        .execute(conn)?;
    let link = account_links::issue(conn, settings, tenant, admin_user_id, Purpose::Setup)?;
    audit::record(
        conn,
        tenant,
        AuditEntry::new(actor, "tenant.create")
            .object("tenant", tenant.0)
            .details(serde_json::json!({
                "slug": new.slug.as_str(),
                "municipalities": new.municipalities,
            })),
    )?;
    audit::record(
        conn,
        tenant,
        AuditEntry::new(actor, "user.invite")
            .object("user", admin_user_id)
            .details(serde_json::json!({ "role": "tenant_admin" })),
    )?;
    Ok(CreatedTenant {
        tenant_id: tenant.0,
        slug: new.slug.to_string(),
        setup_token: link.token,
        admin_user_id,
    })
}
