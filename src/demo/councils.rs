//! The demo's councils, made through the same actions as the pages and the API (the rules, the
//! audit rows and the jobs are real): in the first case a network council with the child's
//! description and questions, a team the child chose (one of them reachable by email, one by a
//! printed letter, the two with only a mobile number by SMS — with `sms_transport = "file"` their messages land in
//! `var/sms` once a worker runs), a parent's consent, a meeting in ten days and its
//! invitation sent, and an earlier network council whose plan awaits the network's approval
//! ([`super::plan`]); in the second a family group conference just begun, its tasks ahead, and the
//! foster-home recruitment it serves ([`super::recruitment`]), an acute family group conference
//! held yesterday evening and recorded afterwards with its oral consent and its record, and a
//! network meeting series held two days ago; the two held councils' registrations, one complete and one half filled in
//! ([`super::registration`]); in the third another family group conference, whose recruitment
//! was decided yes.

use actix_web::web;
use uuid::Uuid;

use crate::access::{Caller, Role};
use crate::audit::Actor;
use crate::cases::domain::PersonRequest;
use crate::councils::actions;
use crate::councils::domain::{
    AnswerRequest, ConsentRequest, MeetingRecordRequest, MeetingRequest, NewCouncilRequest,
    ParticipantRequest, PastMeetingRequest, RecordedAnswerRequest, StateRequest, TextRequest,
    WaiverRequest,
};
use crate::db::TenantId;
use crate::web::AppState;
use crate::web::problem::AppError;

/// The child's own words for the network council (invented).
const TEXTS: [(&str, &str); 4] = [
    (
        "situation",
        "Jeg bor hos mamma. Det er mye krangling hjemme, og da vil jeg være et annet sted.",
    ),
    (
        "question",
        "Hvem kan hente meg på fotball når mamma ikke kan?",
    ),
    ("question", "Hvor kan jeg være når det er krangling?"),
    ("question", "Hvem kan jeg ringe når jeg er lei meg?"),
];

/// Writes the demo councils into the first three of `cases` (ids), acting as `coordinator`.
pub async fn seed(
    state: &web::Data<AppState>,
    tenant: TenantId,
    coordinator: Uuid,
    cases: &[Uuid],
) -> Result<usize, AppError> {
    let caller = Caller {
        tenant,
        role: Role::Coordinator,
        actor: Actor::User(coordinator),
        user: Some(coordinator),
        request_id: None,
    };
    let mut written = 0;
    if let Some(case) = cases.first().copied() {
        network_council(state, &caller, case).await?;
        super::plan::seed(state, &caller, tenant, case).await?;
        super::plan::seed_followed_up(state, &caller, tenant, case).await?;
        written += 4;
    }
    if let Some(case) = cases.get(1).copied() {
        let request = NewCouncilRequest {
            kind: "family_group_conference".into(),
            acute: Some(false),
            coordinator_id: None,
        };
        let conference = actions::create(state, &caller, case, request).await?.id;
        super::recruitment::seed(state, &caller, case, conference).await?;
        acute_afterwards(state, &caller, case).await?;
        written += 2;
    }
    // The held network council's registration complete, and a held network meeting series
    // (one council more) with its registration half filled in.
    if super::registration::seed(state, &caller, tenant, cases).await? == 2 {
        written += 1;
    }
    if let Some(case) = cases.get(2).copied() {
        let request = NewCouncilRequest {
            kind: "family_group_conference".into(),
            acute: Some(false),
            coordinator_id: None,
        };
        let conference = actions::create(state, &caller, case, request).await?.id;
        super::recruitment::seed_decided(state, &caller, case, conference).await?;
        written += 1;
    }
    Ok(written)
}

/// The child's description and questions on a network council, in the child's words.
pub(super) async fn describe(
    state: &web::Data<AppState>,
    caller: &Caller,
    case: Uuid,
    council: Uuid,
) -> Result<(), AppError> {
    for (kind, text) in TEXTS {
        let request = TextRequest {
            kind: kind.into(),
            text: text.into(),
            author: "child".into(),
            child_confirmed: Some(true),
            shared: Some(true),
        };
        actions::add_text(state, caller, case, council, request).await?;
    }
    Ok(())
}

async fn network_council(
    state: &web::Data<AppState>,
    caller: &Caller,
    case: Uuid,
) -> Result<(), AppError> {
    let request = NewCouncilRequest {
        kind: "network_council".into(),
        acute: Some(false),
        coordinator_id: None,
    };
    let council = actions::create(state, caller, case, request).await?.id;
    let to = |s: &str| StateRequest { to: s.into() };
    actions::set_state(state, caller, case, council, to("description_drafting")).await?;
    describe(state, caller, case, council).await?;
    let view = actions::set_state(state, caller, case, council, to("team_selection")).await?;
    let map = crate::cases::actions::persons(&state.db, caller, case).await?;
    for person in map.iter().take(2) {
        let request = ParticipantRequest {
            person_id: Some(person.person.id.to_string()),
            chosen_by_child: Some(true),
            meeting_role: Some("support_person".into()),
            ..ParticipantRequest::default()
        };
        actions::add_participant(state, caller, case, council, request).await?;
    }
    let aunt = ParticipantRequest {
        new_person: Some(PersonRequest {
            name: "Tante Ragnhild".into(),
            relation: Some("tante".into()),
            category: "near_family".into(),
            closeness: "close".into(),
            quality: "supportive".into(),
            email: Some("tante.ragnhild@example.no".into()),
            // She writes nynorsk: her invitation and her answer page are in nynorsk.
            language: Some("nn".into()),
            ..PersonRequest::default()
        }),
        chosen_by_child: Some(true),
        meeting_role: Some("support_person".into()),
        ..ParticipantRequest::default()
    };
    actions::add_participant(state, caller, case, council, aunt).await?;
    // Reached only by post: the coordinator prints his letter from the invitations task.
    let uncle = ParticipantRequest {
        new_person: Some(PersonRequest {
            name: "Onkel Tor".into(),
            relation: Some("onkel".into()),
            category: "near_family".into(),
            closeness: "close".into(),
            quality: "supportive".into(),
            address: Some("Fjellveien 3, 4698 Fjordvik".into()),
            // He is deaf: the checklist asks for a sign language interpreter to be booked.
            interpreter: Some("norsk tegnspråk".into()),
            ..PersonRequest::default()
        }),
        chosen_by_child: Some(true),
        meeting_role: Some("support_person".into()),
        ..ParticipantRequest::default()
    };
    actions::add_participant(state, caller, case, council, uncle).await?;
    // The mother's friend from her years in England reads English.
    let friend = ParticipantRequest {
        new_person: Some(PersonRequest {
            name: "Sarah Oppdiktet".into(),
            relation: Some("mors venninne".into()),
            category: "family_friend".into(),
            closeness: "medium".into(),
            quality: "supportive".into(),
            email: Some("sarah@example.org".into()),
            language: Some("en".into()),
            ..PersonRequest::default()
        }),
        chosen_by_child: Some(false),
        meeting_role: Some("support_person".into()),
        ..ParticipantRequest::default()
    };
    actions::add_participant(state, caller, case, council, friend).await?;
    drop(view);
    let view = actions::confirm_team(state, caller, case, council).await?;
    // A public participant (the school, say) comes with a confidentiality waiver.
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
    let starts = chrono::Utc::now() + chrono::Duration::days(10);
    let local = starts.with_timezone(&chrono_tz::Europe::Oslo).date_naive();
    let meeting_at = |time: &str| MeetingRequest {
        starts_at: Some(format!("{}T{time}", local.format("%Y-%m-%d"))),
        place: Some("Biblioteket, møterom 2".into()),
        // A public place: fine in the invitees' calendars.
        place_shared: Some(true),
        ..MeetingRequest::default()
    };
    let view = actions::schedule_meeting(state, caller, case, council, meeting_at("18:00")).await?;
    if let Some(meeting) = view.current_meeting().map(|m| m.id) {
        let sent = actions::send_invitations(state, caller, case, council, meeting).await?;
        // The library asked to start half an hour later: everyone is told by their channel, and
        // the uncle's changed letter stands on the invitations task's list of letters to print.
        actions::reschedule_meeting(state, caller, case, council, meeting, meeting_at("18:30"))
            .await?;
        // The first of the team, whom the email cannot reach, answered the coordinator's call.
        if let Some(p) = sent.participants.first() {
            let answer = RecordedAnswerRequest {
                answer: AnswerRequest {
                    response: "accept".into(),
                    comment: Some("Sa ja da koordinatoren ringte".into()),
                    contribution: Some("Kan hente på skolen på fredager".into()),
                    availability: None,
                },
                how: "phone".into(),
            };
            actions::record_answer(state, caller, case, council, p.id, answer).await?;
        }
        // The last of the team was invited weeks ago and has not answered the chases: the start
        // page lists them to be called.
        if let Some(p) = sent.participants.last() {
            chased_in_vain(state, caller.tenant, meeting, p.id).await?;
        }
    }
    Ok(())
}

/// An acute family group conference held yesterday evening, arranged by phone and recorded the
/// morning after: a parent's consent given orally, who came, and its record with the decisions
/// and notes the team may read. It stands where its plan is made.
async fn acute_afterwards(
    state: &web::Data<AppState>,
    caller: &Caller,
    case: Uuid,
) -> Result<(), AppError> {
    let request = NewCouncilRequest {
        kind: "family_group_conference".into(),
        acute: Some(true),
        coordinator_id: None,
    };
    let council = actions::create(state, caller, case, request).await?.id;
    let map = crate::cases::actions::persons(&state.db, caller, case).await?;
    let mut view = None;
    for person in map.iter().take(3) {
        let request = ParticipantRequest {
            person_id: Some(person.person.id.to_string()),
            ..ParticipantRequest::default()
        };
        view = Some(actions::add_participant(state, caller, case, council, request).await?);
    }
    let Some(view) = view else {
        return Ok(());
    };
    let consent = ConsentRequest {
        given_by: "parent".into(),
        name: "Far".into(),
        scope: "Akutt familieråd samme kveld".into(),
        informed_at: None,
        granted_at: None,
        oral: Some(true),
    };
    actions::add_consent(state, caller, case, council, consent).await?;
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1))
        .with_timezone(&chrono_tz::Europe::Oslo)
        .date_naive();
    let came: Vec<String> = view
        .participants
        .iter()
        .take(2)
        .map(|p| p.id.to_string())
        .collect();
    let past = || PastMeetingRequest {
        meeting: MeetingRequest {
            starts_at: Some(format!("{}T19:00", yesterday.format("%Y-%m-%d"))),
            duration_minutes: Some("150".into()),
            place: Some("Hjemme hos farmor".into()),
            ..MeetingRequest::default()
        },
        reason: Some("Akutt familieråd samme kveld, avtalt på telefon".into()),
        attendees: came.clone(),
    };
    let view = match actions::record_past_meeting(state, caller, case, council, past()).await {
        Ok(view) => view,
        // A youth of 15 or more consents too (here by phone, like the father).
        Err(AppError::Refused { .. }) => {
            let consent = ConsentRequest {
                given_by: "child".into(),
                name: "Barnet".into(),
                scope: "Akutt familieråd samme kveld".into(),
                informed_at: None,
                granted_at: None,
                oral: Some(true),
            };
            actions::add_consent(state, caller, case, council, consent).await?;
            actions::record_past_meeting(state, caller, case, council, past()).await?
        }
        Err(e) => return Err(e),
    };
    if let Some(meeting) = view.meetings.last() {
        let record = MeetingRecordRequest {
            attendees: None,
            decisions: Some(vec![
                "Barna bor hos farmor til fredag".into(),
                "Far ringer skolen i morgen tidlig".into(),
            ]),
            notes: Some("Familien ble enige raskt; farmor har plass til begge barna.".into()),
            notes_shared_with: Some("team".into()),
        };
        actions::save_record(state, caller, case, council, meeting.id, record).await?;
    }
    Ok(())
}

/// Gives `participant` a first invitation to `meeting` from before the service's last chase.
async fn chased_in_vain(
    state: &web::Data<AppState>,
    tenant: TenantId,
    meeting: Uuid,
    participant: Uuid,
) -> Result<(), AppError> {
    use diesel::prelude::*;
    use diesel::sql_types::{Bytea, Integer, Uuid as SqlUuid};
    // Random (v4), as every invitation's id: its link's token is derived from it.
    let id = Uuid::new_v4();
    let token = crate::tokens::LinkToken::<crate::tokens::InvitationLink>::derive(
        &state.settings.token_key(),
        id,
    );
    state
        .db
        .tenant(tenant, move |conn| {
            let cs = crate::councils::queries::CouncilSettings::load(conn)?;
            let days = i64::from(cs.chase_max) * i64::from(cs.chase_after_days) + 2;
            // Their first link, weeks ago; the one just sent is the link sent again.
            diesel::sql_query(
                "INSERT INTO council_invitations (tenant_id, id, council_id, meeting_id,
                                                  participant_id, token_hash, expires_at,
                                                  created_at)
                 SELECT tenant_id, $4, council_id, meeting_id, participant_id, $5, expires_at,
                        now() - make_interval(days => $1)
                   FROM council_invitations WHERE meeting_id = $2 AND participant_id = $3
                  LIMIT 1",
            )
            .bind::<Integer, _>(i32::try_from(days).unwrap_or(30))
            .bind::<SqlUuid, _>(meeting)
            .bind::<SqlUuid, _>(participant)
            .bind::<SqlUuid, _>(id)
            .bind::<Bytea, _>(token.hash())
            .execute(conn)?;
            Ok::<_, AppError>(())
        })
        .await
}
