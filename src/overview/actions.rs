//! The start page's one use case.

use chrono_tz::Tz;
use serde_json::json;

use super::rules;
use super::views::{CasePrompts, Overview};
use crate::access::Caller;
use crate::audit;
use crate::cases::access::case_user;
use crate::cases::actions::CASE_ROLES;
use crate::cases::queries::{TenantClock, all_cases, assigned_case_ids};
use crate::db::Db;
use crate::tenancy::settings::ServiceSettings;
use crate::web::problem::AppError;

/// The start page of the caller's staff member across every case assigned to them, in a fixed
/// number of queries whatever the number of cases, as two tenant transactions that run at once
/// on two connections: the cases with their prompts and the open councils with the facts their
/// next step depends on; and the meetings with their answers, the invitations unanswered after
/// the last chase, the overdue commitments and the evaluations. Each half reads the ids of the
/// assigned cases itself (one indexed query) rather than wait for the other, so a coordinator
/// waits for the longer half, not for both; the work is the same on a busy server. The two
/// halves read two snapshots a moment apart — the page is a view of the day, and every line
/// links to the page where the thing is acted on, which reads it afresh. The read is audited
/// once, with how many cases it covered. The service's time zone comes with it, to show the
/// meetings' times in.
pub async fn start_page(db: &Db, caller: &Caller) -> Result<(Overview, Tz), AppError> {
    caller.require(&CASE_ROLES)?;
    let now = chrono::Utc::now();
    let user = case_user(caller);
    let tenant = caller.tenant;
    let cases_and_councils = db.tenant(tenant, move |conn| {
        let clock = TenantClock::of(&ServiceSettings::load(conn)?, now);
        let cases = match user {
            Some(user) => all_cases(conn, tenant, user, &clock)?,
            None => Vec::new(),
        };
        let ids: Vec<_> = cases.iter().map(|c| c.id).collect();
        let councils = crate::councils::queries::waiting_councils(conn, tenant, &ids, now)?;
        Ok::<_, AppError>((cases, councils, clock.tz))
    });
    let audit_entry = caller.audit("overview.read");
    let meetings_and_plans = db.tenant(tenant, move |conn| {
        let settings = ServiceSettings::load(conn)?;
        let clock = TenantClock::of(&settings, now);
        let chasing = crate::councils::queries::CouncilSettings::of(settings, now);
        let ids = match user {
            Some(user) => assigned_case_ids(conn, tenant, user)?,
            None => Vec::new(),
        };
        let meetings = crate::councils::queries::upcoming_meetings(
            conn,
            &ids,
            now,
            rules::meetings_until(now),
        )?;
        let unanswered =
            crate::councils::queries::unanswered_after_chases(conn, tenant, &ids, now, &chasing)?;
        let overdue_commitments =
            crate::plans::queries::overdue_commitments(conn, &ids, clock.today)?;
        let evaluations = crate::plans::queries::evaluations_due(
            conn,
            &ids,
            rules::evaluations_until(clock.today),
        )?;
        audit::record(
            conn,
            tenant,
            audit_entry.details(json!({ "cases": ids.len() })),
        )?;
        Ok::<_, AppError>((meetings, unanswered, overdue_commitments, evaluations))
    });
    let ((cases, councils, tz), (meetings, unanswered, overdue_commitments, evaluations)) =
        tokio::try_join!(cases_and_councils, meetings_and_plans)?;
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
    Ok((overview, tz))
}
