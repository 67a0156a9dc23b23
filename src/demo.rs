//! `tillit demo`: two invented child welfare services with invented data, so a newcomer can try
//! Tillit at once. Running it again keeps what exists and prints fresh credentials.
//!
//! Every name, address and number here is made up.

use std::fmt::Write;

use crate::access::api_keys::{self, NewApiKey};
use crate::app::AppState;
use crate::audit::Actor;
use crate::tenancy::{self, NewTenant, Slug};
use crate::web::problem::AppError;

struct DemoService {
    slug: &'static str,
    name: &'static str,
    municipalities: &'static [&'static str],
    admin_email: &'static str,
}

const SERVICES: [DemoService; 2] = [
    DemoService {
        slug: "fjordvik",
        name: "Fjordvik og Lia barneverntjeneste",
        municipalities: &["4698", "4699"],
        admin_email: "admin@fjordvik.example",
    },
    DemoService {
        slug: "nordlia",
        name: "Nordlia barneverntjeneste",
        municipalities: &["1899"],
        admin_email: "admin@nordlia.example",
    },
];

/// Creates the demo services if missing and returns what to print.
pub async fn seed(state: &AppState) -> Result<String, AppError> {
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
                .map(|m| (*m).to_owned())
                .collect();
            let new = NewTenant::parse(
                service.slug,
                service.name,
                &municipalities,
                service.admin_email,
            )?;
            let created =
                tenancy::create_tenant(&state.db, state.settings.clone(), new, Actor::System)
                    .await?;
            let _ = writeln!(
                out,
                "  admin {} sets a password at {}",
                service.admin_email,
                crate::access::account_links::link_url(&state.settings, &created.setup_token)
            );
        }
        let key = api_keys::create_for_slug(
            &state.db,
            &slug,
            NewApiKey::parse("Demo", "tenant_admin")?,
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
