//! `tillit demo`: two invented child welfare services with invented data, so a newcomer can try
//! Tillit at once: one staff member of each role, and a few cases with their network maps
//! ([`cases`]). Running it again keeps what exists and prints fresh credentials.
//!
//! Every name, address and number here is made up.

pub mod cases;
pub mod councils;
pub mod history;
pub mod plan;
pub mod recruitment;
pub mod registration;

use std::fmt::Write;

use diesel::prelude::*;

use crate::access::api_keys::{self, NewApiKey};
use crate::access::totp::Secret;
use crate::access::{Role, factor, passwords, staff};
use crate::audit::Actor;
use crate::db::TenantId;
use crate::db::schema::users;
use crate::fields::Phone;
use crate::onboarding::{self, NewTenant};
use crate::tenancy::{self, Slug};
use crate::web::AppState;
use crate::web::problem::AppError;

struct DemoService {
    slug: &'static str,
    name: &'static str,
    /// Invented numbers outside Statistics Norway's register, with invented names.
    municipalities: &'static [(&'static str, &'static str)],
    admin_email: &'static str,
    cases: &'static [cases::DemoCase],
}

const SERVICES: [DemoService; 2] = [
    DemoService {
        slug: "fjordvik",
        name: "Fjordvik og Lia barneverntjeneste",
        municipalities: &[("4698", "Fjordvik"), ("4699", "Lia")],
        admin_email: "admin@fjordvik.example",
        cases: cases::FJORDVIK,
    },
    DemoService {
        slug: "nordlia",
        name: "Nordlia barneverntjeneste",
        municipalities: &[("1899", "Nordlia")],
        admin_email: "admin@nordlia.example",
        cases: cases::NORDLIA,
    },
];

/// The demo staff's shared password. Invented, printed, and only ever in demo services.
pub const DEMO_PASSWORD: &str = "tillit-demo-passord";

/// The demo staff's shared second-factor key (base32), printed with the logins: the demo services
/// require a second factor like any other, so enter this key in an authenticator app (or run
/// `oathtool --totp -b KEY`) for the code. Invented, and only ever in demo services.
pub const DEMO_TOTP_SECRET: &str = "KRUWY3DJOQWWIZLNN4WXIYLMNRSW4ZDF";

/// One of each role, by the local part of their email (the service's domain follows).
const STAFF: [(Role, &str); 6] = [
    (Role::TenantAdmin, "admin"),
    (Role::Leader, "leder"),
    (Role::Caseworker, "saksbehandler"),
    (Role::Coordinator, "koordinator"),
    (Role::OnCall, "barnevernvakt"),
    (Role::FosterCare, "fosterhjem"),
];

const NAMES: [&str; 6] = [
    "Astrid Administrator",
    "Leif Leder",
    "Siri Saksbehandler",
    "Kåre Koordinator",
    "Vera Vakt",
    "Frida Fosterhjem",
];

/// Gives the new service's admin the demo password and adds one staff member of each other role.
async fn seed_staff(
    state: &AppState,
    tenant: TenantId,
    service: &DemoService,
) -> Result<(), AppError> {
    let hash = passwords::hash(DEMO_PASSWORD).map_err(AppError::Internal)?;
    let secret = Secret::from_base32(DEMO_TOTP_SECRET)
        .ok_or_else(|| AppError::Internal("the demo key is not base32".into()))?;
    let key = state.settings.token_key();
    let domain = service
        .admin_email
        .split('@')
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    state
        .db
        .tenant(tenant, move |conn| {
            for ((role, local), name) in STAFF.into_iter().zip(NAMES) {
                let email = format!("{local}@{domain}");
                let existing: Option<uuid::Uuid> = users::table
                    .filter(users::email.eq(&email))
                    .select(users::id)
                    .first(conn)
                    .optional()?;
                let user = existing.unwrap_or_else(uuid::Uuid::now_v7);
                match existing {
                    Some(id) => {
                        diesel::update(users::table.find((tenant.0, id)))
                            .set((users::password_hash.eq(&hash), users::display_name.eq(name)))
                            .execute(conn)?;
                    }
                    None => {
                        diesel::insert_into(users::table)
                            .values((
                                users::tenant_id.eq(tenant.0),
                                users::id.eq(user),
                                users::email.eq(&email),
                                users::display_name.eq(name),
                                users::role.eq(role.as_str()),
                                users::password_hash.eq(&hash),
                            ))
                            .execute(conn)?;
                    }
                }
                factor::enrol(
                    conn,
                    &key,
                    &factor::StaffFactor::new(tenant, user),
                    &secret,
                    0,
                )?;
                if role == Role::Coordinator {
                    // Invitees' pages name the coordinator and the number to call.
                    let phone =
                        Phone::parse("22 33 44 55").map_err(|e| AppError::Internal(e.into()))?;
                    staff::set_work_phone(conn, user, Some(&phone))?;
                }
            }
            Ok::<_, AppError>(())
        })
        .await
}

/// Writes the service's invented cases unless it has some; returns how many were written.
async fn seed_cases(
    state: &AppState,
    slug: &Slug,
    service: &DemoService,
) -> Result<usize, AppError> {
    let Some(tenant) = tenancy::tenant_by_slug(&state.db, slug).await? else {
        return Ok(0);
    };
    let domain = service.admin_email.split('@').nth(1).unwrap_or_default();
    let coordinator = format!("koordinator@{domain}");
    let caseworker = format!("saksbehandler@{domain}");
    let demo = service.cases;
    state
        .db
        .tenant(tenant, move |conn| {
            cases::write_cases(conn, tenant, &coordinator, &caseworker, demo)
        })
        .await
}

/// The on-call service opened the acute list of the service's oldest case three hours ago, in
/// the night, with its reason: the case page shows it to the case's staff, and the leader's
/// review lists it (still open for nine hours after `demo` starts).
async fn seed_opening(
    state: &AppState,
    slug: &Slug,
    service: &DemoService,
) -> Result<(), AppError> {
    let Some(tenant) = tenancy::tenant_by_slug(&state.db, slug).await? else {
        return Ok(());
    };
    let domain = service.admin_email.split('@').nth(1).unwrap_or_default();
    let email = format!("barnevernvakt@{domain}");
    let now = state.clock.now();
    state
        .db
        .tenant(tenant, move |conn| {
            let on_call: uuid::Uuid = users::table
                .filter(users::email.eq(&email))
                .select(users::id)
                .first(conn)?;
            let case: uuid::Uuid = crate::db::schema::cases::table
                .order(crate::db::schema::cases::opened_at.asc())
                .select(crate::db::schema::cases::id)
                .first(conn)?;
            let id = uuid::Uuid::now_v7();
            let opened_at = now - chrono::Duration::hours(3);
            let new = crate::oncall::domain::NewOpening {
                reason: "Politiet ringte kl. 01.40: mor er kjørt til legevakten, barnet er alene                          hjemme og må hentes i natt."
                    .to_owned(),
                call_reference: Some("BV-2026-0311".to_owned()),
            };
            crate::oncall::queries::insert(
                conn,
                tenant,
                id,
                case,
                on_call,
                Role::OnCall.as_str(),
                &new,
                opened_at,
                opened_at + chrono::Duration::hours(crate::oncall::domain::OPEN_HOURS),
            )?;
            crate::audit::record(
                conn,
                tenant,
                crate::audit::AuditEntry::new(&Actor::System, "acute.open")
                    .object("acute_opening", id)
                    .details(serde_json::json!({ "demo": true, "case_id": case })),
            )?;
            Ok::<_, AppError>(())
        })
        .await
}

/// Writes the demo councils into the service's first cases (newest first, as the list shows
/// them), as its coordinator; returns how many.
async fn seed_councils(
    state: &actix_web::web::Data<AppState>,
    slug: &Slug,
    service: &DemoService,
) -> Result<usize, AppError> {
    let Some(tenant) = tenancy::tenant_by_slug(&state.db, slug).await? else {
        return Ok(0);
    };
    let domain = service.admin_email.split('@').nth(1).unwrap_or_default();
    let email = format!("koordinator@{domain}");
    let (coordinator, cases) = state
        .db
        .tenant(tenant, move |conn| {
            let coordinator: uuid::Uuid = users::table
                .filter(users::email.eq(&email))
                .select(users::id)
                .first(conn)?;
            let cases: Vec<uuid::Uuid> = crate::db::schema::cases::table
                .order(crate::db::schema::cases::opened_at.desc())
                .select(crate::db::schema::cases::id)
                .limit(3)
                .load(conn)?;
            Ok::<_, AppError>((coordinator, cases))
        })
        .await?;
    councils::seed(state, tenant, coordinator, &cases).await
}

/// Two years of closed cases behind the service's figures ([`history`]), and the newest open
/// case left to its coordinator alone, so the admin sees the hand-over asked for when
/// deactivating them. Returns how many closed cases were written.
async fn seed_history(
    state: &AppState,
    slug: &Slug,
    service: &DemoService,
) -> Result<usize, AppError> {
    let Some(tenant) = tenancy::tenant_by_slug(&state.db, slug).await? else {
        return Ok(0);
    };
    let domain = service.admin_email.split('@').nth(1).unwrap_or_default();
    let caseworker = format!("saksbehandler@{domain}");
    let municipalities: Vec<String> = service
        .municipalities
        .iter()
        .map(|(number, _)| (*number).to_owned())
        .collect();
    let now = state.clock.now();
    state
        .db
        .tenant(tenant, move |conn| {
            use crate::db::schema::{case_assignments, cases};
            let caseworker: uuid::Uuid = users::table
                .filter(users::email.eq(&caseworker))
                .select(users::id)
                .first(conn)?;
            let newest: uuid::Uuid = cases::table
                .filter(cases::phase.ne("closed"))
                .order(cases::opened_at.desc())
                .select(cases::id)
                .first(conn)?;
            diesel::delete(
                case_assignments::table
                    .filter(case_assignments::case_id.eq(newest))
                    .filter(case_assignments::user_id.eq(caseworker)),
            )
            .execute(conn)?;
            let today = tenancy::settings::ServiceSettings::load(conn)?.today(now);
            history::write(conn, tenant, caseworker, &municipalities, today)
        })
        .await
}

/// Creates the demo services if missing and returns what to print.
pub async fn seed(state: &actix_web::web::Data<AppState>) -> Result<String, AppError> {
    let base = state.settings.base_url();
    let mut out = String::new();
    let _ = writeln!(out, "Tillit demo at {base}");
    let _ = writeln!(out, "  API description: {base}/api/v1/openapi.json");
    for service in SERVICES {
        let slug = Slug::parse(service.slug).map_err(|m| AppError::Internal(m.into()))?;
        let _ = writeln!(out, "\n{} ({})", service.name, service.slug);
        if tenancy::tenant_by_slug(&state.db, &slug).await?.is_none() {
            let municipalities: Vec<String> = service
                .municipalities
                .iter()
                .map(|(number, _)| (*number).to_owned())
                .collect();
            let new = NewTenant::parse(
                service.slug,
                service.name,
                &municipalities,
                service.admin_email,
            )?;
            let created =
                onboarding::create_tenant(&state.db, state.settings.clone(), new, Actor::System)
                    .await?;
            let tenant = TenantId(created.tenant_id);
            state
                .db
                .tenant(tenant, move |conn| {
                    for (number, name) in service.municipalities {
                        tenancy::name_municipality(conn, number, name)?;
                    }
                    Ok::<_, AppError>(())
                })
                .await?;
            seed_staff(state, tenant, &service).await?;
        }
        let written = seed_cases(state, &slug, &service).await?;
        if written > 0 {
            let _ = writeln!(
                out,
                "  {written} invented cases with network maps, for the coordinator and the caseworker"
            );
            let councils = seed_councils(state, &slug, &service).await?;
            seed_opening(state, &slug, &service).await?;
            let history = seed_history(state, &slug, &service).await?;
            let _ = writeln!(
                out,
                "  {councils} councils: a network council with its invitation sent and its meeting \
                 moved half an hour since (the uncle reached by post has his changed letter to print \
                 on its invitations task), a family group conference begun \
                 with a foster-home recruitment at the family's plan of two ranked homes, another whose \
                 recruitment was decided yes (the foster care officer, fosterhjem, is assigned to both), an acute \
                 family group conference held yesterday evening and recorded afterwards (an oral consent, who came, \
                 its record of decisions and notes), an earlier \
                 network council whose plan awaits the network's approval (one approval, one objection) \
                 and whose registration for the figures is complete, a network meeting series held \
                 two days ago whose registration is half filled in, and an approved plan whose follow-up \
                 council opened four weeks before its evaluation with the team and the plan carried over"
            );
            let _ = writeln!(
                out,
                "  {history} closed cases of the last two years behind the leader's figures at {base}/figures; \
                 the newest case is held by the coordinator alone (deactivating them asks for a new assignee first)"
            );
            let _ = writeln!(
                out,
                "  the on-call service (barnevernvakt) opened the oldest case's acute list three hours ago, \
                 with its reason: its staff see it on the case page, the leader at {base}/acute-openings"
            );
        }
        let _ = writeln!(
            out,
            "  log in at {base}/login with password {DEMO_PASSWORD} and the code of an \
             authenticator app given the key {DEMO_TOTP_SECRET} (or `oathtool --totp -b {DEMO_TOTP_SECRET}`) as:"
        );
        for (role, local) in STAFF {
            let domain = service.admin_email.split('@').nth(1).unwrap_or_default();
            let _ = writeln!(out, "    {:<13} {local}@{domain}", role.as_str());
        }
        if let Some(first) = service.cases.first() {
            let _ = writeln!(
                out,
                "  the on-call login ({}) finds a case at {base}/on-call by its reference (e.g. {}-{}) \
                 or the child's name and opens its acute list for 12 hours with a reason",
                Role::OnCall.as_str(),
                first.last_name,
                first.opened_days_ago
            );
        }
        let _ = writeln!(
            out,
            "  single sign-on: the admin connects the municipality's OpenID Connect provider at \
             {base}/admin/sso; the service's login page is then {base}/login?service={}",
            service.slug
        );
        let key = api_keys::create_for_slug(
            &state.db,
            &slug,
            NewApiKey::parse("Demo", "tenant_admin")?,
            None,
            Actor::System,
        )
        .await?;
        let _ = writeln!(
            out,
            "  API key (tenant admin): {}\n  try: curl -H 'Authorization: Bearer {}' {base}/api/v1/tenant",
            key.key, key.key
        );
    }
    Ok(out)
}
