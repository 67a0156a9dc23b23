//! The demo's registrations of network measures, saved through the registration's own action
//! (the rules and the audit rows are real): the earlier network council of the first case, held
//! a week ago, registered completely; and in the second case a network meeting series held two
//! days ago, its registration half filled in — its council page prompts for the rest.

use actix_web::web;
use diesel::prelude::*;
use uuid::Uuid;

use crate::access::Caller;
use crate::cases::domain::PersonRequest;
use crate::councils::actions;
use crate::councils::domain::{
    ConsentRequest, MeetingRequest, NewCouncilRequest, ParticipantRequest, PreparationRequest,
    StateRequest, WaiverRequest,
};
use crate::db::TenantId;
use crate::db::schema::council_meetings;
use crate::registration::domain::Input;
use crate::web::AppState;
use crate::web::posted::Fields;
use crate::web::problem::AppError;

fn fields(pairs: &[(&str, &str)]) -> Fields {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The answers of the complete registration (invented).
const COMPLETE: &[(&str, &str)] = &[
    ("lives_with", "mother"),
    ("children_in_household", "2"),
    ("born_in", "norway"),
    ("interpreter_used", "no"),
    ("decision_kind", "voluntary_support"),
    ("ground_child", "yes"),
    ("ground_care", "yes"),
    ("ground_surroundings", "yes"),
    ("measures", "support_contact"),
    ("measures", "family_counselling"),
    ("measure_plan", "yes"),
    ("mother_involved", "yes"),
    ("mother_consented", "yes"),
    ("father_involved", "no"),
    ("father_consented", "no"),
    ("child_involved", "yes"),
    ("child_consented", "no"),
    ("other_services", "yes"),
    ("responsibility_group", "no"),
    ("delivered", "partly"),
    ("evaluation_documented", "no"),
    ("desired_effect", "partly"),
    ("continue_reasons", "goals_not_reached"),
    ("continue_reasons", "family_wish"),
];

/// The answers of the half-filled registration: the child and the interpreter only.
const HALF: &[(&str, &str)] = &[
    ("lives_with", "father"),
    ("children_in_household", "3"),
    ("born_in", "abroad"),
    ("interpreter_used", "yes"),
    ("interpreter_worked", "partly"),
];

/// The first council of `case` whose meeting has taken place, if any.
async fn held(
    state: &web::Data<AppState>,
    tenant: TenantId,
    case: Uuid,
) -> Result<Option<Uuid>, AppError> {
    state
        .db
        .tenant(tenant, move |conn| {
            for c in crate::councils::queries::councils_of_case(conn, tenant, case)? {
                let status = crate::registration::actions::status(conn, tenant, case, c.id)?;
                if status.is_some_and(|s| s.held) {
                    return Ok(Some(c.id));
                }
            }
            Ok::<_, AppError>(None)
        })
        .await
}

/// A network meeting series in `case` whose first meeting took place two days ago.
async fn held_series(
    state: &web::Data<AppState>,
    caller: &Caller,
    tenant: TenantId,
    case: Uuid,
) -> Result<Uuid, AppError> {
    let request = NewCouncilRequest {
        kind: "network_meeting_series".into(),
        acute: Some(false),
        coordinator_id: None,
    };
    let council = actions::create(state, caller, case, request).await?.id;
    let consent = ConsentRequest {
        given_by: "parent".into(),
        name: "Far".into(),
        scope: "Nettverksmøter med familien og skolen".into(),
        informed_at: None,
        granted_at: None,
        oral: None,
    };
    actions::add_consent(state, caller, case, council, consent).await?;
    // The child is old enough to give their own consent.
    let own = ConsentRequest {
        given_by: "child".into(),
        name: "Barnet selv".into(),
        scope: "Nettverksmøter med familien og skolen".into(),
        informed_at: None,
        granted_at: None,
        oral: None,
    };
    actions::add_consent(state, caller, case, council, own).await?;
    let map = crate::cases::actions::persons(&state.db, caller, case).await?;
    if let Some(person) = map.first() {
        let request = ParticipantRequest {
            person_id: Some(person.person.id.to_string()),
            ..ParticipantRequest::default()
        };
        actions::add_participant(state, caller, case, council, request).await?;
    }
    let uncle = ParticipantRequest {
        new_person: Some(PersonRequest {
            name: "Onkel Petter".into(),
            relation: Some("onkel".into()),
            category: "near_family".into(),
            closeness: "close".into(),
            quality: "supportive".into(),
            email: Some("onkel.petter@example.no".into()),
            ..PersonRequest::default()
        }),
        ..ParticipantRequest::default()
    };
    actions::add_participant(state, caller, case, council, uncle).await?;
    let view = actions::confirm_team(state, caller, case, council).await?;
    // The school's teacher has a confidentiality waiver; everyone had a preparatory talk.
    for p in &view.participants {
        if p.needs_waiver() {
            let waiver = WaiverRequest {
                scope: "Det som trengs for å hjelpe i nettverksmøtene".into(),
                granted_at: None,
            };
            actions::set_waiver(state, caller, case, council, p.id, waiver).await?;
        }
        let talk = PreparationRequest {
            held_at: None,
            notes: None,
            contribution: Some("Vil være med og høre hva familien trenger".into()),
        };
        actions::add_preparation(state, caller, case, council, p.id, talk).await?;
    }
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .with_timezone(&chrono_tz::Europe::Oslo)
        .date_naive();
    let meeting = MeetingRequest {
        starts_at: Some(format!("{}T17:00", tomorrow.format("%Y-%m-%d"))),
        place: Some("Familiens hjem".into()),
        ..MeetingRequest::default()
    };
    let view = actions::schedule_meeting(state, caller, case, council, meeting).await?;
    let view = actions::follow_tasks(state, caller, case, view).await?;
    if let Some(meeting) = view.current_meeting().map(|m| m.id) {
        actions::send_invitations(state, caller, case, council, meeting).await?;
        // The meeting took place two days ago.
        state
            .db
            .tenant(tenant, move |conn| {
                diesel::update(council_meetings::table.filter(council_meetings::id.eq(meeting)))
                    .set(
                        council_meetings::starts_at
                            .eq(chrono::Utc::now() - chrono::Duration::days(2)),
                    )
                    .execute(conn)
                    .map_err(AppError::from)
            })
            .await?;
        let held = StateRequest { to: "held".into() };
        actions::set_state(state, caller, case, council, held).await?;
    }
    Ok(council)
}

/// Writes the two registrations; returns how many were written.
pub async fn seed(
    state: &web::Data<AppState>,
    caller: &Caller,
    tenant: TenantId,
    cases: &[Uuid],
) -> Result<usize, AppError> {
    let mut written = 0;
    if let Some(case) = cases.first().copied()
        && let Some(council) = held(state, tenant, case).await?
    {
        let day = (chrono::Utc::now() - chrono::Duration::days(5))
            .date_naive()
            .to_string();
        let mut answers = fields(COMPLETE);
        answers.push(("decision_on".into(), day));
        let view =
            crate::registration::actions::save(&state.db, caller, case, council, answers.clone())
                .await?;
        // Anything the list above does not answer gets the first choice, so it is complete.
        if !view.complete {
            for s in view.standings.iter().filter(|s| s.open()) {
                let first = match s.question.input {
                    Input::One(o) | Input::Many(o) => o(crate::web::i18n::Lang::Nb)
                        .first()
                        .map(|(code, _)| (*code).to_owned()),
                    Input::Number { min, .. } => Some(min.to_string()),
                    Input::Date => None,
                };
                if let Some(first) = first {
                    answers.push((s.question.code.to_owned(), first));
                }
            }
            crate::registration::actions::save(&state.db, caller, case, council, answers).await?;
        }
        written += 1;
    }
    if let Some(case) = cases.get(1).copied() {
        let council = held_series(state, caller, tenant, case).await?;
        crate::registration::actions::save(&state.db, caller, case, council, fields(HALF)).await?;
        written += 1;
    }
    Ok(written)
}
