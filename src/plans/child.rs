//! `/c/{token}`: the child's own page, "my team" and "my plan", in plain words. The coordinator
//! creates the link and can revoke it; only its hash is kept. `GET` only: the page changes
//! nothing but the audit log. An unknown, expired or revoked link, and one to another service's
//! plan, get the same neutral page, and the page is rate-limited per address like the
//! invitees' pages.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;
use chrono::Utc;
use diesel::prelude::*;
use uuid::Uuid;

use super::domain::PlanStatus;
use super::queries;
use crate::audit::{self, Actor, AuditEntry};
use crate::db::TenantId;
use crate::db::schema::{plan_child_links, plans};
use crate::time::date;
use crate::tokens::{ChildLink, LinkToken};
use crate::web::AppState;
use crate::web::i18n::Tr;
use crate::web::limits::client_address;
use crate::web::pages::{Shell, render};
use crate::web::problem::AppError;
use crate::web::request_id;

/// Which service and link a child's token belongs to: the one cross-tenant question.
async fn lookup(state: &AppState, token: &str) -> Result<Option<(TenantId, Uuid)>, AppError> {
    let Some(token) = LinkToken::<ChildLink>::parse(token) else {
        return Ok(None);
    };
    Ok(token.lookup(&state.db).await?)
}

/// Someone on the child's team, as the child's page shows them.
pub struct TeamLine {
    pub name: String,
    pub chosen_by_child: bool,
}

/// A promise in the child's plan: who, what, by when.
pub struct PromiseLine {
    pub who: String,
    pub text: String,
    pub when: String,
    pub done: bool,
}

#[derive(Template)]
#[template(path = "plans/child.html")]
struct ChildPage {
    tr: Tr,
    shell: Shell,
    team: Vec<TeamLine>,
    goals: Vec<String>,
    promises: Vec<PromiseLine>,
    approved: bool,
    next_check: Option<String>,
}

#[derive(Template)]
#[template(path = "plans/child_unknown.html")]
struct UnknownPage {
    tr: Tr,
    shell: Shell,
}

#[get("/c/{token}")]
pub async fn child_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    state.limits.invitee(&client_address(&req))?;
    let unknown = |tr: Tr, shell: Shell| render(StatusCode::NOT_FOUND, &UnknownPage { tr, shell });
    let Some((tenant, link)) = lookup(&state, &token).await? else {
        return unknown(tr, shell);
    };
    let request = request_id(&req);
    let lang = tr.lang();
    let settings = state.settings.clone();
    let found = state
        .db
        .tenant(tenant, move |conn| {
            let live: Option<Uuid> = plan_child_links::table
                .filter(plan_child_links::id.eq(link))
                .filter(plan_child_links::revoked_at.is_null())
                .filter(plan_child_links::expires_at.gt(Utc::now()))
                .select(plan_child_links::plan_id)
                .first(conn)
                .optional()?;
            let Some(plan_id) = live else {
                return Ok::<_, AppError>(None);
            };
            let council_id: Uuid = plans::table
                .filter(plans::id.eq(plan_id))
                .select(plans::council_id)
                .first(conn)?;
            let plan = queries::plan_of(conn, council_id, false)?;
            let team = crate::councils::queries::team(conn, council_id)?;
            let ps = queries::PlanSettings::load(conn)?;
            let kind =
                crate::councils::queries::council(conn, tenant, plan.case_id, council_id, false)?
                    .kind;
            let view = queries::plan_view(conn, &settings, &plan, kind, &ps)?;
            audit::record(
                conn,
                tenant,
                AuditEntry::new(&Actor::ChildLink(link), "plan.child_view")
                    .object("plan", plan.id)
                    .request(request.as_deref()),
            )?;
            Ok(Some((plan.status, team, view)))
        })
        .await?;
    let Some((status, team, view)) = found else {
        return unknown(tr, shell);
    };
    render(
        StatusCode::OK,
        &ChildPage {
            team: team
                .into_iter()
                .map(|m| TeamLine {
                    name: m.name,
                    chosen_by_child: m.chosen_by_child,
                })
                .collect(),
            goals: view.goals.into_iter().map(|g| g.text).collect(),
            promises: view
                .commitments
                .into_iter()
                .map(|c| PromiseLine {
                    who: c.owner.name,
                    text: c.text,
                    when: date(c.due_on, lang),
                    done: c.status == super::domain::CommitmentStatus::Done,
                })
                .collect(),
            approved: matches!(status, PlanStatus::Approved | PlanStatus::Closed),
            next_check: view.evaluation_on.map(|d| date(d, lang)),
            tr,
            shell,
        },
    )
}
