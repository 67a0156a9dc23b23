//! The start page's one use case.

use chrono_tz::Tz;
use serde_json::json;

use super::rules;
use super::views::{CasePrompts, Overview};
use crate::access::Caller;
use crate::audit;
use crate::cases::access::case_user;
use crate::cases::actions::CASE_ROLES;
use crate::cases::queries::{TenantClock, all_cases};
use crate::db::Db;
use crate::tenancy::settings::ServiceSettings;
use crate::web::problem::AppError;

/// The start page of the caller's staff member across every case assigned to them, in one
/// tenant transaction and a fixed number of queries (the cases with their prompts, the open
/// councils with the facts their next step depends on, the meetings with their answers, the
/// invitations unanswered after the last chase, the overdue commitments, the evaluations),
/// whatever the number of cases. The read is audited once, with how many cases it covered.
/// The service's time zone comes with it, to show the meetings' times in.
pub async fn start_page(db: &Db, caller: &Caller) -> Result<(Overview, Tz), AppError> {
    caller.require(&CASE_ROLES)?;
    let caller = caller.clone();
    db.tenant(caller.tenant, move |conn| {
        let settings = ServiceSettings::load(conn)?;
        let clock = TenantClock::of(&settings, chrono::Utc::now());
        let chasing = crate::councils::queries::CouncilSettings::of(settings, clock.now);
        let cases = match case_user(&caller) {
            Some(user) => all_cases(conn, caller.tenant, user, &clock)?,
            None => Vec::new(),
        };
        let ids: Vec<_> = cases.iter().map(|c| c.id).collect();
        let meetings = crate::councils::queries::upcoming_meetings(
            conn,
            &ids,
            clock.now,
            rules::meetings_until(clock.now),
        )?;
        let councils =
            crate::councils::queries::waiting_councils(conn, caller.tenant, &ids, clock.now)?;
        let unanswered = crate::councils::queries::unanswered_after_chases(
            conn,
            caller.tenant,
            &ids,
            clock.now,
            &chasing,
        )?;
        let overdue_commitments =
            crate::plans::queries::overdue_commitments(conn, &ids, clock.today)?;
        let evaluations = crate::plans::queries::evaluations_due(
            conn,
            &ids,
            rules::evaluations_until(clock.today),
        )?;
        audit::record(
            conn,
            caller.tenant,
            caller
                .audit("overview.read")
                .details(json!({ "cases": ids.len() })),
        )?;
        let children = cases
            .iter()
            .map(|c| {
                (
                    c.id,
                    format!("{} {}", c.child_first_name, c.child_last_name),
                )
            })
            .collect();
        let prompts = cases
            .into_iter()
            .filter(|c| !c.prompts.is_empty())
            .map(|c| CasePrompts {
                case_id: c.id,
                prompts: c.prompts,
            })
            .collect();
        let overview = Overview {
            children,
            meetings,
            councils,
            unanswered,
            overdue_commitments,
            evaluations,
            prompts,
        };
        Ok::<_, AppError>((overview, clock.tz))
    })
    .await
}
