//! SQL on the single sign-on tables (and the account lookups a sign-on needs).

use chrono::Utc;
use diesel::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use super::domain::GroupRoles;
use super::rules::Account;
use crate::access::Role;
use crate::db::TenantId;
use crate::db::schema::{sso_identities, sso_providers, tenants, users};

/// The service's provider as stored.
#[derive(Debug, Clone)]
pub struct ProviderRow {
    pub label: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret_sealed: Vec<u8>,
    pub group_roles: GroupRoles,
    pub password_login: bool,
}

/// The caller's service's provider, if it has one (row-level security leaves one row at most).
pub fn provider(conn: &mut PgConnection) -> QueryResult<Option<ProviderRow>> {
    let row: Option<(String, String, String, Vec<u8>, serde_json::Value, bool)> =
        sso_providers::table
            .select((
                sso_providers::label,
                sso_providers::issuer,
                sso_providers::client_id,
                sso_providers::client_secret_sealed,
                sso_providers::group_roles,
                sso_providers::password_login,
            ))
            .first(conn)
            .optional()?;
    Ok(row.map(
        |(label, issuer, client_id, client_secret_sealed, group_roles, password_login)| {
            ProviderRow {
                label,
                issuer,
                client_id,
                client_secret_sealed,
                group_roles: GroupRoles::from_json(&group_roles),
                password_login,
            }
        },
    ))
}

/// Whether the service lets its staff in with a password (yes without a provider).
pub fn password_login_open(conn: &mut PgConnection) -> QueryResult<bool> {
    let open: Option<bool> = sso_providers::table
        .select(sso_providers::password_login)
        .first(conn)
        .optional()?;
    Ok(open.unwrap_or(true))
}

/// The service's slug (for its login page's address).
pub fn slug(conn: &mut PgConnection, tenant: TenantId) -> QueryResult<String> {
    tenants::table
        .find(tenant.0)
        .select(tenants::slug)
        .first(conn)
}

/// Writes the service's provider (the one row of the service).
pub fn save(conn: &mut PgConnection, tenant: TenantId, row: &ProviderRow) -> QueryResult<()> {
    let values = (
        sso_providers::label.eq(&row.label),
        sso_providers::issuer.eq(&row.issuer),
        sso_providers::client_id.eq(&row.client_id),
        sso_providers::client_secret_sealed.eq(&row.client_secret_sealed),
        sso_providers::group_roles.eq(row.group_roles.to_json()),
        sso_providers::password_login.eq(row.password_login),
    );
    diesel::insert_into(sso_providers::table)
        .values((sso_providers::tenant_id.eq(tenant.0), values.clone()))
        .on_conflict(sso_providers::tenant_id)
        .do_update()
        .set((values, sso_providers::updated_at.eq(Utc::now())))
        .execute(conn)?;
    Ok(())
}

/// The account linked to the provider's `subject`.
pub fn account_by_subject(conn: &mut PgConnection, subject: &str) -> QueryResult<Option<Account>> {
    sso_identities::table
        .inner_join(
            users::table.on(users::tenant_id
                .eq(sso_identities::tenant_id)
                .and(users::id.eq(sso_identities::user_id))),
        )
        .filter(sso_identities::subject.eq(subject))
        .select((users::id, users::active))
        .first::<(Uuid, bool)>(conn)
        .optional()
        .map(|found| found.map(|(user, active)| Account { user, active }))
}

/// The account invited at `email` (stored lowercased).
pub fn account_by_email(conn: &mut PgConnection, email: &str) -> QueryResult<Option<Account>> {
    users::table
        .filter(users::email.eq(email))
        .select((users::id, users::active))
        .first::<(Uuid, bool)>(conn)
        .optional()
        .map(|found| found.map(|(user, active)| Account { user, active }))
}

/// Remembers that `subject` is `user` at the provider (once; the first link stays).
pub fn link(
    conn: &mut PgConnection,
    tenant: TenantId,
    subject: &str,
    user: Uuid,
) -> QueryResult<usize> {
    diesel::insert_into(sso_identities::table)
        .values((
            sso_identities::tenant_id.eq(tenant.0),
            sso_identities::subject.eq(subject),
            sso_identities::user_id.eq(user),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
}

/// `user`'s role now, and sets it to `role`; returns the role before.
pub fn set_role(
    conn: &mut PgConnection,
    tenant: TenantId,
    user: Uuid,
    role: Role,
) -> QueryResult<String> {
    let before: String = users::table
        .find((tenant.0, user))
        .select(users::role)
        .first(conn)?;
    if before != role.as_str() {
        diesel::update(users::table.find((tenant.0, user)))
            .set(users::role.eq(role.as_str()))
            .execute(conn)?;
    }
    Ok(before)
}
