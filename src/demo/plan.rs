//! The demo's plan: in the first case, an earlier network council whose meeting took place and
//! whose plan awaits the network's approval — the aunt approved, the next on the team has
//! objections, the third has not answered yet, and the child has a link of their own. Made through the same
//! actions and queries as the pages and the links (the rules, the audit rows and the jobs are
//! real); only the meeting's start is moved into the past, which the server itself never does.

use actix_web::web;
use diesel::prelude::*;
use uuid::Uuid;

use crate::access::Caller;
use crate::councils::actions;
use crate::councils::domain::{
    ConsentRequest, MeetingRequest, NewCouncilRequest, ParticipantRequest, StateRequest,
    WaiverRequest,
};
use crate::db::TenantId;
use crate::db::schema::council_meetings;
use crate::plans::domain::{CommitmentRequest, GoalRequest, RecordedApprovalRequest};
use crate::plans::queries::{self, PlanSettings, Scope};
use crate::web::AppState;
use crate::web::problem::AppError;

/// A network council of `case` whose meeting took place `days_ago` days ago at 18:00: the
/// child's texts, three on the team by the child's choice, the waivers and the parent's consent,
/// the invitations sent. Returns the council's id and its view.
async fn held_council(
    state: &web::Data<AppState>,
    caller: &Caller,
    tenant: TenantId,
    case: Uuid,
    days_ago: u64,
) -> Result<(Uuid, crate::councils::views::CouncilView), AppError> {
    let request = NewCouncilRequest {
        kind: "network_council".into(),
        acute: Some(false),
        coordinator_id: None,
    };
    let council = actions::create(state, caller, case, request).await?.id;
    let to = |s: &str| StateRequest { to: s.into() };
    actions::set_state(state, caller, case, council, to("description_drafting")).await?;
    super::councils::describe(state, caller, case, council).await?;
    actions::set_state(state, caller, case, council, to("team_selection")).await?;
    // The aunt, who can be reached by email, first: someone gets the invitation.
    let mut map = crate::cases::actions::persons(&state.db, caller, case).await?;
    map.sort_by_key(|p| p.person.email.is_none());
    for person in map.iter().take(3) {
        let request = ParticipantRequest {
            person_id: Some(person.person.id.to_string()),
            chosen_by_child: Some(true),
            meeting_role: Some("support_person".into()),
            ..ParticipantRequest::default()
        };
        actions::add_participant(state, caller, case, council, request).await?;
    }
    let view = actions::confirm_team(state, caller, case, council).await?;
    for p in view.participants.iter().filter(|p| p.needs_waiver()) {
        let waiver = WaiverRequest {
            scope: "Det som trengs for å hjelpe i nettverksrådet".into(),
            granted_at: None,
        };
        actions::set_waiver(state, caller, case, council, p.id, waiver).await?;
    }
    let consent = ConsentRequest {
        given_by: "parent".into(),
        name: "Mor".into(),
        scope: "Nettverksråd med teamet barnet har valgt".into(),
        informed_at: None,
        granted_at: None,
        oral: None,
    };
    actions::add_consent(state, caller, case, council, consent).await?;
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Oslo)
        .date_naive();
    let tomorrow = today + chrono::Duration::days(1);
    let held = crate::time::at_hour(
        today - chrono::Duration::days(i64::try_from(days_ago).unwrap_or(7)),
        18,
        chrono_tz::Europe::Oslo,
    );
    let meeting = MeetingRequest {
        starts_at: Some(format!("{}T18:00", tomorrow.format("%Y-%m-%d"))),
        place: Some("Biblioteket, møterom 2".into()),
        ..MeetingRequest::default()
    };
    let view = actions::schedule_meeting(state, caller, case, council, meeting).await?;
    let Some(meeting) = view.current_meeting().map(|m| m.id) else {
        return Err(AppError::Internal("the demo council has no meeting".into()));
    };
    actions::send_invitations(state, caller, case, council, meeting).await?;
    // The meeting took place.
    state
        .db
        .tenant(tenant, move |conn| {
            diesel::update(council_meetings::table.filter(council_meetings::id.eq(meeting)))
                .set(council_meetings::starts_at.eq(held))
                .execute(conn)
                .map_err(AppError::from)
        })
        .await?;
    actions::set_state(state, caller, case, council, to("meeting_held")).await?;
    Ok((council, view))
}

/// Writes the held network council and its plan awaiting approval into `case`.
pub async fn seed(
    state: &web::Data<AppState>,
    caller: &Caller,
    tenant: TenantId,
    case: Uuid,
) -> Result<(), AppError> {
    let (council, view) = held_council(state, caller, tenant, case, 7).await?;
    crate::plans::actions::create(state, caller, case, council).await?;
    let goal = GoalRequest {
        text: "Jeg vil ha noen å ringe når det er krangling hjemme".into(),
        author: "child".into(),
    };
    crate::plans::actions::add_goal(state, caller, case, council, goal).await?;
    let team: Vec<Uuid> = view.participants.iter().map(|p| p.id).collect();
    let due = (chrono::Utc::now() + chrono::Duration::days(21))
        .date_naive()
        .to_string();
    for (who, text) in team
        .iter()
        .zip(["Henter på fotball hver tirsdag", "Kan ringes hver kveld"])
    {
        let request = CommitmentRequest {
            participant_id: Some(who.to_string()),
            text: text.into(),
            due_on: due.clone(),
            ..CommitmentRequest::default()
        };
        crate::plans::actions::add_commitment(state, caller, case, council, request).await?;
    }
    crate::plans::actions::create_child_link(state, caller, case, council).await?;
    crate::plans::actions::submit(state, caller, case, council).await?;
    // The first approves through their link, the second has objections (by phone); the rest
    // have not answered.
    let settings = state.settings.clone();
    let case_id = case;
    let (first, second) = (team.first().copied(), team.get(1).copied());
    let version = state
        .db
        .tenant(tenant, move |conn| {
            let council = crate::councils::queries::council(conn, tenant, case_id, council, true)?;
            let plan = queries::plan_of(conn, council.id, true)?;
            let ps = PlanSettings::load(conn)?;
            let scope = Scope {
                settings: &settings,
                tenant,
                council: &council,
                ps: &ps,
            };
            if let Some(first) = first {
                queries::participant_confirms(conn, &scope, &plan, first, plan.version, None)?;
            }
            Ok::<_, AppError>(plan.version)
        })
        .await?;
    // The second told the coordinator on the phone; the coordinator wrote it down for them.
    if let Some(second) = second {
        let objection = RecordedApprovalRequest {
            answer: "object".into(),
            how: "phone".into(),
            comment: Some("Jeg kan ikke love hver kveld, men to kvelder i uka går fint.".into()),
            version: Some(version.to_string()),
        };
        crate::plans::actions::record_approval(state, caller, case, council, second, objection)
            .await?;
    }
    Ok(())
}

/// An earlier network council in `case` whose plan was approved (the coordinator closed approval
/// after everyone agreed in the meeting) with its evaluation four weeks ahead, and the follow-up
/// council opened from it as the follow-up job opens it: the team and the plan carried over, its
/// meeting proposed for the evaluation date and its invitations sent. The child has a link that
/// shows the next meeting.
pub async fn seed_followed_up(
    state: &web::Data<AppState>,
    caller: &Caller,
    tenant: TenantId,
    case: Uuid,
) -> Result<(), AppError> {
    let (council, view) = held_council(state, caller, tenant, case, 70).await?;
    crate::plans::actions::create(state, caller, case, council).await?;
    let goal = GoalRequest {
        text: "Jeg vil være trygg på veien til skolen".into(),
        author: "child".into(),
    };
    crate::plans::actions::add_goal(state, caller, case, council, goal).await?;
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Oslo)
        .date_naive();
    let due = (today + chrono::Duration::days(14)).to_string();
    if let Some(first) = view.participants.first() {
        let request = CommitmentRequest {
            participant_id: Some(first.id.to_string()),
            text: "Følger til skolen om morgenen".into(),
            due_on: due,
            every_days: Some("7".into()),
            ..CommitmentRequest::default()
        };
        crate::plans::actions::add_commitment(state, caller, case, council, request).await?;
    }
    crate::plans::actions::create_child_link(state, caller, case, council).await?;
    crate::plans::actions::submit(state, caller, case, council).await?;
    let closing = crate::plans::domain::ReasonRequest {
        reason: "Alle sa ja til planen i møtet".into(),
    };
    crate::plans::actions::close_approval(state, caller, case, council, closing).await?;
    let evaluation = crate::plans::domain::EvaluationPlanRequest {
        evaluation_on: (today + chrono::Duration::days(28)).to_string(),
        way: "new_council".into(),
        confirm_later_commitments: None,
    };
    crate::plans::actions::define_evaluation(state, caller, case, council, evaluation).await?;
    // Four weeks before the date the follow-up opens, as its job does it.
    let opened = state
        .db
        .tenant(tenant, move |conn| {
            let plan = queries::plan_of(conn, council, false)?;
            queries::open_follow_up(conn, tenant, &plan, chrono::Utc::now())
        })
        .await?;
    if let Some(queries::OpenedFollowUp {
        new_council: Some(new_council),
        meeting: Some(meeting),
        ..
    }) = opened
    {
        actions::send_invitations(state, caller, case, new_council, meeting).await?;
    }
    Ok(())
}
