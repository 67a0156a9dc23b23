//! Every change to a council, once: the JSON API ([`super::handlers`]) and the coordinator's
//! forms ([`super::pages`]) both call these. Each opens the case through
//! [`crate::cases::access::with_case`] (a council belongs to its case, so council access is case
//! access), locks the council, makes the change, and leaves its audit row in the same
//! transaction; it returns the council as it now stands.

use actix_web::web;
use diesel::PgConnection;
use serde_json::{Value, json};
use uuid::Uuid;

use super::domain::{
    Answer, ConsentRequest, CouncilState, MeetingRecord, MeetingRecordRequest, MeetingRequest,
    MeetingTime, NewConsent, NewCouncil, NewCouncilRequest, NewObjection, NewParticipant,
    NewPreparation, NewText, NewWaiver, ObjectionRequest, ParticipantRequest, PastMeeting,
    PastMeetingRequest, PreparationRequest, RecordedAnswerRequest, ResolutionRequest, StateRequest,
    TextRequest, WaiverRequest,
};
use super::invitations;
use super::queries::{self, Council, CouncilSettings};
use super::rules;
use super::views::{CouncilSummary, CouncilView, MeetingRecordView};
use crate::access::Caller;
use crate::cases::access::{Audited, CaseCtx, Intent, case_user, read_list, with_case};
use crate::config::Settings;
use crate::web::AppState;
use crate::web::problem::AppError;

/// Opens the case and locks its council, runs `f`, and audits `action` with the details `f`
/// returns beside its answer.
async fn in_council<T, F>(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    action: &'static str,
    f: F,
) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(
            &mut PgConnection,
            &CaseCtx,
            &Council,
            &CouncilSettings,
            &Settings,
        ) -> Result<(T, Value), AppError>
        + Send
        + 'static,
{
    let settings = state.settings.clone();
    with_case(
        &state.db,
        caller,
        case_id,
        Intent::Write,
        action,
        move |conn, c| {
            let council = queries::council(conn, c.tenant, c.case.id, council_id, true)?;
            let cs = CouncilSettings::load(conn)?;
            let (answer, details) = f(conn, c, &council, &cs, &settings)?;
            Ok((
                answer,
                Audited::within("council", council_id, c.case.id).with(details),
            ))
        },
    )
    .await
}

/// [`in_council`] for a change whose answer is the council as it stands afterwards.
async fn change<F>(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    action: &'static str,
    f: F,
) -> Result<CouncilView, AppError>
where
    F: FnOnce(
            &mut PgConnection,
            &CaseCtx,
            &Council,
            &CouncilSettings,
            &Settings,
        ) -> Result<Value, AppError>
        + Send
        + 'static,
{
    let viewer = caller.user;
    in_council(
        state,
        caller,
        case_id,
        council_id,
        action,
        move |conn, c, council, cs, settings| {
            let details = f(conn, c, council, cs, settings)?;
            let after = queries::council(conn, c.tenant, c.case.id, council_id, false)?;
            let view = queries::council_view(conn, &after, cs.now)?.for_viewer(viewer);
            Ok((view, details))
        },
    )
    .await
}

pub async fn list(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
) -> Result<Vec<CouncilSummary>, AppError> {
    read_list(&state.db, caller, case_id, "council.list", |conn, c| {
        queries::councils_of_case(conn, c.tenant, c.case.id)
    })
    .await
}

pub async fn read(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
) -> Result<CouncilView, AppError> {
    let viewer = caller.user;
    with_case(
        &state.db,
        caller,
        case_id,
        Intent::Read,
        "council.read",
        move |conn, c| {
            let council = queries::council(conn, c.tenant, c.case.id, council_id, false)?;
            let view =
                queries::council_view(conn, &council, chrono::Utc::now())?.for_viewer(viewer);
            Ok((view, Audited::within("council", council_id, c.case.id)))
        },
    )
    .await
}

pub async fn create(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    req: NewCouncilRequest,
) -> Result<CouncilView, AppError> {
    let creator = case_user(caller).ok_or(AppError::NotFound)?;
    with_case(
        &state.db,
        caller,
        case_id,
        Intent::Write,
        "council.create",
        move |conn, c| {
            let new = NewCouncil::parse(&req)?;
            let id = queries::create_council(conn, c.tenant, c.case.id, creator, &new)?;
            let council = queries::council(conn, c.tenant, c.case.id, id, false)?;
            let view = queries::council_view(conn, &council, chrono::Utc::now())?
                .for_viewer(Some(creator));
            let audited = Audited::within("council", id, c.case.id)
                .with(json!({ "kind": new.kind, "acute": new.acute }));
            Ok((view, audited))
        },
    )
    .await
}

pub async fn set_state(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    req: StateRequest,
) -> Result<CouncilView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "council.state",
        move |conn, _, council, cs, _| {
            let to = CouncilState::parse(&req.to).map_err(|m| AppError::field("to", m))?;
            queries::set_state(conn, council, to, cs.now)?;
            Ok(json!({ "from": council.state, "to": to }))
        },
    )
    .await
}

/// Moves the council on as far as the tasks done allow (the page's way: states follow from the
/// tasks, not from clicks). Each step re-checks its gates in the transaction; nothing is written
/// when the council stands where its tasks put it.
pub async fn follow_tasks(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    view: CouncilView,
) -> Result<CouncilView, AppError> {
    let mut view = view;
    // At most as many moves as the process has states; each one is one transaction.
    for _ in 0..view.kind.states().len() {
        let Some(to) = rules::next_by_tasks(&view.standing, view.kind) else {
            break;
        };
        let request = StateRequest {
            to: to.as_str().to_owned(),
        };
        view = set_state(state, caller, case_id, view.id, request).await?;
    }
    Ok(view)
}

/// Adds the email address a participant from the map lacks, on the map itself (the map is the
/// one place a person's addresses are kept), so the invitation can reach them.
pub async fn add_address(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    participant_id: Uuid,
    email: String,
) -> Result<CouncilView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "council.participant_address",
        move |conn, c, council, _, _| {
            let email =
                crate::fields::Email::parse(&email).map_err(|m| AppError::field("email", m))?;
            let person = queries::participant_person(conn, council, participant_id)?
                .ok_or(AppError::NotFound)?;
            crate::cases::queries::set_email(conn, c.tenant, c.case.id, person, &email)?;
            Ok(json!({ "participant_id": participant_id, "person_id": person }))
        },
    )
    .await
}

pub async fn add_text(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    req: TextRequest,
) -> Result<CouncilView, AppError> {
    change(state, caller, case_id, council_id, "council.text_add", move |conn, c, council, cs, _| {
        let new = NewText::parse(&req)?;
        let id = queries::add_text(conn, c.tenant, council, &new, c.user, cs.now)?;
        Ok(json!({ "text_id": id, "kind": new.kind, "author": new.author, "shared": new.shared }))
    })
    .await
}

pub async fn confirm_text(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    text_id: Uuid,
) -> Result<CouncilView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "council.text_confirm",
        move |conn, _, council, cs, _| {
            queries::confirm_text(conn, council, text_id, cs.now)?;
            Ok(json!({ "text_id": text_id }))
        },
    )
    .await
}

pub async fn remove_text(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    text_id: Uuid,
) -> Result<CouncilView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "council.text_remove",
        move |conn, _, council, cs, _| {
            queries::remove_text(conn, council, text_id, cs.now)?;
            Ok(json!({ "text_id": text_id }))
        },
    )
    .await
}

pub async fn add_participant(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    req: ParticipantRequest,
) -> Result<CouncilView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "council.participant_add",
        move |conn, c, council, cs, _| {
            let new = NewParticipant::parse(&req, cs.now)?;
            let joins_map = matches!(new.who, super::domain::Who::New(_));
            let id = queries::add_participant(conn, c.tenant, council, &new)?;
            Ok(json!({
                "participant_id": id,
                "chosen_by_child": new.chosen_by_child,
                "meeting_role": new.role,
                "joined_the_map": joins_map,
            }))
        },
    )
    .await
}

pub async fn remove_participant(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    participant_id: Uuid,
) -> Result<CouncilView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "council.participant_remove",
        move |conn, c, council, cs, _| {
            queries::participant_exists(conn, council, participant_id)?;
            let withdrawn = invitations::withdraw(conn, c.tenant, council, participant_id, cs.now)?;
            queries::remove_participant(conn, council, participant_id, cs.now)?;
            Ok(json!({ "participant_id": participant_id, "meetings_withdrawn": withdrawn }))
        },
    )
    .await
}

pub async fn confirm_team(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
) -> Result<CouncilView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "council.team_confirm",
        move |conn, _, council, cs, _| {
            queries::confirm_team(conn, council, cs.now)?;
            Ok(json!({}))
        },
    )
    .await
}

pub async fn add_objection(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    req: ObjectionRequest,
) -> Result<CouncilView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "council.objection_add",
        move |conn, c, council, _, _| {
            let new = NewObjection::parse(&req)?;
            let id = queries::add_objection(conn, c.tenant, council, &new, c.user)?;
            // The reason stays out of the audit log: it is the child's, for the coordinator only.
            Ok(json!({ "objection_id": id, "person_id": new.person }))
        },
    )
    .await
}

pub async fn resolve_objection(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    objection_id: Uuid,
    req: ResolutionRequest,
) -> Result<CouncilView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "council.objection_resolve",
        move |conn, _, council, cs, _| {
            queries::resolve_objection(conn, council, objection_id, &req.resolution, cs.now)?;
            Ok(json!({ "objection_id": objection_id }))
        },
    )
    .await
}

pub async fn add_consent(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    req: ConsentRequest,
) -> Result<CouncilView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "council.consent_add",
        move |conn, c, council, cs, _| {
            let new = NewConsent::parse(&req, cs.tz, cs.now)?;
            let id = queries::add_consent(conn, c.tenant, council, &new, c.user)?;
            Ok(json!({ "consent_id": id, "given_by": new.given_by, "oral": new.oral }))
        },
    )
    .await
}

pub async fn withdraw_consent(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    consent_id: Uuid,
) -> Result<CouncilView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "council.consent_withdraw",
        move |conn, _, council, cs, _| {
            queries::withdraw_consent(conn, council, consent_id, cs.now)?;
            Ok(json!({ "consent_id": consent_id }))
        },
    )
    .await
}

pub async fn set_waiver(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    participant_id: Uuid,
    req: WaiverRequest,
) -> Result<CouncilView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "council.waiver",
        move |conn, c, council, cs, _| {
            let new = NewWaiver::parse(&req, cs.tz, cs.now)?;
            queries::set_waiver(conn, c.tenant, council, participant_id, &new, c.user)?;
            Ok(json!({ "participant_id": participant_id }))
        },
    )
    .await
}

pub async fn add_preparation(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    participant_id: Uuid,
    req: PreparationRequest,
) -> Result<CouncilView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "council.preparation",
        move |conn, c, council, cs, _| {
            let new = NewPreparation::parse(&req, cs.tz, cs.now)?;
            let id =
                queries::add_preparation(conn, c.tenant, council, participant_id, &new, c.user)?;
            Ok(json!({ "participant_id": participant_id, "preparation_id": id }))
        },
    )
    .await
}

pub async fn schedule_meeting(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    req: MeetingRequest,
) -> Result<CouncilView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "council.meeting_schedule",
        move |conn, c, council, cs, settings| {
            let time = MeetingTime::parse(&req, cs.tz, cs.now, cs.meeting_minutes)?;
            let id = invitations::schedule(conn, c.tenant, council, &time, c.user, cs.now)?;
            // An acute family group conference's short path: its invitations go at once (or,
            // refused by their gates, nothing is written).
            let invited = if council.acute {
                let meeting = queries::meeting(conn, council, id)?;
                Some(invitations::send(
                    conn, settings, c.tenant, council, &meeting, cs,
                )?)
            } else {
                None
            };
            Ok(json!({
                "meeting_id": id,
                "has_time": time.starts_at.is_some(),
                "invited": invited,
            }))
        },
    )
    .await
}

pub async fn reschedule_meeting(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    meeting_id: Uuid,
    req: MeetingRequest,
) -> Result<CouncilView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "council.meeting_reschedule",
        move |conn, c, council, cs, settings| {
            let meeting = queries::meeting(conn, council, meeting_id)?;
            let time = MeetingTime::parse(&req, cs.tz, cs.now, cs.meeting_minutes)?;
            invitations::reschedule(conn, settings, c.tenant, council, &meeting, &time, cs)?;
            Ok(json!({ "meeting_id": meeting_id }))
        },
    )
    .await
}

pub async fn cancel_meeting(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    meeting_id: Uuid,
) -> Result<CouncilView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "council.meeting_cancel",
        move |conn, c, council, cs, _| {
            let meeting = queries::meeting(conn, council, meeting_id)?;
            invitations::cancel(conn, c.tenant, council, &meeting, cs.now)?;
            Ok(json!({ "meeting_id": meeting_id }))
        },
    )
    .await
}

pub async fn send_invitations(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    meeting_id: Uuid,
) -> Result<CouncilView, AppError> {
    let view = change(
        state,
        caller,
        case_id,
        council_id,
        "council.invitations_send",
        move |conn, c, council, cs, settings| {
            let meeting = queries::meeting(conn, council, meeting_id)?;
            let invited = invitations::send(conn, settings, c.tenant, council, &meeting, cs)?;
            Ok(json!({ "meeting_id": meeting_id, "invited": invited }))
        },
    )
    .await?;
    told_when_held(state, caller, view, meeting_id).await
}

/// `view` telling when the invitations to `meeting` that quiet hours hold back go out.
async fn told_when_held(
    state: &web::Data<AppState>,
    caller: &Caller,
    view: CouncilView,
    meeting: Uuid,
) -> Result<CouncilView, AppError> {
    state
        .db
        .tenant(caller.tenant, move |conn| {
            invitations::with_times_held(conn, view, meeting)
        })
        .await
}

/// The meeting the council works towards now: its invitations are the ones re-sent or revoked.
fn current_meeting(view: &CouncilView) -> Result<Uuid, AppError> {
    view.current_meeting()
        .map(|m| m.id)
        .ok_or_else(rules::no_meeting)
}

pub async fn resend_invitation(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    participant_id: Uuid,
) -> Result<CouncilView, AppError> {
    let view = change(
        state,
        caller,
        case_id,
        council_id,
        "council.invitation_resend",
        move |conn, c, council, cs, settings| {
            let before = queries::council_view(conn, council, cs.now)?;
            let meeting = queries::meeting(conn, council, current_meeting(&before)?)?;
            invitations::resend(
                conn,
                settings,
                c.tenant,
                council,
                &meeting,
                participant_id,
                cs.now,
            )?;
            Ok(json!({ "participant_id": participant_id, "meeting_id": meeting.id }))
        },
    )
    .await?;
    let meeting = current_meeting(&view)?;
    told_when_held(state, caller, view, meeting).await
}

/// Records the answer `participant_id` gave by phone or in person to the council's current
/// meeting, as the invitee's own form would save it, marked with who recorded it and how. The
/// participant can still change it through their link; the meeting must be neither cancelled
/// nor begun.
pub async fn record_answer(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    participant_id: Uuid,
    req: RecordedAnswerRequest,
) -> Result<CouncilView, AppError> {
    let by = caller.person()?;
    change(
        state,
        caller,
        case_id,
        council_id,
        "council.answer_record",
        move |conn, c, council, cs, _| {
            let (answer, how) = Answer::parse_recorded(&req)?;
            queries::participant_exists(conn, council, participant_id)?;
            let before = queries::council_view(conn, council, cs.now)?;
            let meeting = queries::meeting(conn, council, current_meeting(&before)?)?;
            rules::invitable(
                meeting.cancelled(),
                meeting.starts_at.is_some_and(|s| s <= cs.now),
            )?;
            queries::save_answer(
                conn,
                c.tenant,
                council.id,
                meeting.id,
                participant_id,
                &answer,
                Some((by, how)),
                cs.now,
            )?;
            Ok(json!({
                "participant_id": participant_id,
                "meeting_id": meeting.id,
                "response": answer.response,
                "how": how,
            }))
        },
    )
    .await
}

/// Records a meeting that took place without invitations through Tillit (an acute family group
/// conference, a meeting arranged by phone): its past time, why it is recorded afterwards and who
/// came. It counts as held, so the council moves on to where its plan is made. Refused before
/// the consents its kind needs (oral ones count); nothing is written on any refusal.
pub async fn record_past_meeting(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    req: PastMeetingRequest,
) -> Result<CouncilView, AppError> {
    let by = caller.person()?;
    change(
        state,
        caller,
        case_id,
        council_id,
        "council.meeting_afterwards",
        move |conn, c, council, cs, _| {
            let past = PastMeeting::parse(&req, cs.tz, cs.now, cs.meeting_minutes)?;
            if !queries::not_on_team(conn, council, &past.attendees)?.is_empty() {
                return Err(AppError::field(
                    "attendees",
                    "someone who came is not on the council's team",
                ));
            }
            let facts = queries::current_facts(conn, council, cs.now)?;
            rules::require(rules::afterwards_blockers(
                council.kind,
                council.state,
                &facts,
            ))?;
            let id = queries::insert_meeting_afterwards(
                conn,
                c.tenant,
                council,
                &past.time,
                &past.reason,
                Some(by),
                cs.now,
            )?;
            let record = MeetingRecord {
                attendees: Some(past.attendees.clone()),
                decisions: Vec::new(),
                notes: None,
                notes_shared_with: super::domain::NotesSharing::Staff,
            };
            let came = queries::save_record(conn, c.tenant, council, id, &record, by, cs.now)?;
            let held = council.kind.held();
            let to = queries::follow_state(conn, council.id, cs.now, |current| {
                let states = council.kind.states();
                let at = |s| states.iter().position(|x| *x == s);
                (at(held) > at(current) && !council.kind.is_final(current)).then_some(held)
            })?;
            // The reason and the names stay out of the audit log; the row names the meeting.
            Ok(json!({ "meeting_id": id, "attendees": came, "to": to }))
        },
    )
    .await
}

/// The record of one of the council's meetings: who came (until saved, those who answered yes),
/// the decisions, the notes and with whom they may be shared, and the next meeting. Reading it
/// is a read of case data, audited.
pub async fn read_record(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    meeting_id: Uuid,
) -> Result<MeetingRecordView, AppError> {
    with_case(
        &state.db,
        caller,
        case_id,
        Intent::Read,
        "council.record_read",
        move |conn, c| {
            let council = queries::council(conn, c.tenant, c.case.id, council_id, false)?;
            let view = queries::record_view(conn, &council, meeting_id)?;
            Ok((
                view,
                Audited::within("council", council_id, c.case.id)
                    .with(json!({ "meeting_id": meeting_id })),
            ))
        },
    )
    .await
}

/// Saves the record of a meeting that has begun: who came (corrected from the answers), the
/// decisions, the notes and with whom they may be shared.
pub async fn save_record(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    meeting_id: Uuid,
    req: MeetingRecordRequest,
) -> Result<MeetingRecordView, AppError> {
    let by = caller.person()?;
    in_council(
        state,
        caller,
        case_id,
        council_id,
        "council.record_save",
        move |conn, c, council, cs, _| {
            let record = MeetingRecord::parse(&req)?;
            rules::open(council.kind, council.state)?;
            let meeting = recordable_meeting(conn, council, meeting_id, cs)?;
            let came =
                queries::save_record(conn, c.tenant, council, meeting.id, &record, by, cs.now)?;
            let view = queries::record_view(conn, council, meeting.id)?;
            // What was said stays out of the audit log: only how much was written down.
            let details = json!({
                "meeting_id": meeting.id,
                "attendees": came,
                "decisions": record.decisions.len(),
                "notes": record.notes.is_some(),
                "notes_shared_with": record.notes_shared_with,
            });
            Ok((view, details))
        },
    )
    .await
}

/// The council's meeting, refused unless it has begun and is not cancelled.
fn recordable_meeting(
    conn: &mut PgConnection,
    council: &Council,
    meeting_id: Uuid,
    cs: &CouncilSettings,
) -> Result<queries::MeetingRow, AppError> {
    let meeting = queries::meeting(conn, council, meeting_id)?;
    rules::recordable(
        meeting.cancelled(),
        meeting.starts_at.is_some_and(|s| s <= cs.now),
    )?;
    Ok(meeting)
}

/// Books the next meeting of a network meeting series or a responsibility group from a held
/// meeting's record: a meeting like any other (no double-booking, invitations sent from the
/// invitations task), and the council prepares it.
pub async fn book_next_meeting(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    meeting_id: Uuid,
    req: MeetingRequest,
) -> Result<CouncilView, AppError> {
    let by = caller.person()?;
    change(
        state,
        caller,
        case_id,
        council_id,
        "council.record_next_meeting",
        move |conn, c, council, cs, _| {
            let meeting = recordable_meeting(conn, council, meeting_id, cs)?;
            let record = queries::record_view(conn, council, meeting.id)?;
            rules::next_bookable(council.kind, record.next_meeting.is_some())?;
            let time = MeetingTime::parse(&req, cs.tz, cs.now, cs.meeting_minutes)?;
            let next = invitations::schedule(conn, c.tenant, council, &time, Some(by), cs.now)?;
            queries::set_next_meeting(conn, c.tenant, council, meeting.id, next, by, cs.now)?;
            queries::follow_state(conn, council.id, cs.now, |current| {
                matches!(current, CouncilState::Held | CouncilState::FollowUp)
                    .then_some(CouncilState::Preparing)
            })?;
            Ok(json!({ "meeting_id": meeting.id, "next_meeting_id": next }))
        },
    )
    .await
}

pub async fn revoke_invitation(
    state: &web::Data<AppState>,
    caller: &Caller,
    case_id: Uuid,
    council_id: Uuid,
    participant_id: Uuid,
) -> Result<CouncilView, AppError> {
    change(
        state,
        caller,
        case_id,
        council_id,
        "council.invitation_revoke",
        move |conn, c, council, cs, _| {
            queries::participant_exists(conn, council, participant_id)?;
            let withdrawn = invitations::withdraw(conn, c.tenant, council, participant_id, cs.now)?;
            let revoked = invitations::revoke(conn, council, participant_id, cs.now)?;
            Ok(json!({
                "participant_id": participant_id,
                "revoked": revoked,
                "meetings_withdrawn": withdrawn,
            }))
        },
    )
    .await
}

/// The follow-up council a plan's agreed evaluation asks for, opened ahead of its date by the
/// plans' job (inside the job's transaction): a new council of the same kind for the same case
/// with the team and what the network settled carried over, its meeting proposed for `day` at
/// the earlier meeting's time and place.
pub fn open_follow_up_council(
    conn: &mut PgConnection,
    tenant: crate::db::TenantId,
    case_id: Uuid,
    council_id: Uuid,
    day: chrono::NaiveDate,
) -> Result<queries::FollowUpCouncil, AppError> {
    let earlier = queries::council(conn, tenant, case_id, council_id, true)?;
    let cs = CouncilSettings::load(conn)?;
    let time = queries::follow_up_time(conn, &earlier, day, &cs)?;
    queries::open_follow_up_council(conn, tenant, &earlier, &time, cs.now)
}

/// A follow-up meeting of the council itself, proposed for `day` (at its latest meeting's time
/// and place): a meeting like any other, whose invitations, answers, chases and reminders the
/// coordinator sends from the council's page.
pub fn propose_follow_up_meeting(
    conn: &mut PgConnection,
    tenant: crate::db::TenantId,
    case_id: Uuid,
    council_id: Uuid,
    day: chrono::NaiveDate,
) -> Result<Uuid, AppError> {
    let council = queries::council(conn, tenant, case_id, council_id, true)?;
    rules::open(council.kind, council.state)?;
    let cs = CouncilSettings::load(conn)?;
    let time = queries::follow_up_time(conn, &council, day, &cs)?;
    queries::insert_meeting(conn, tenant, &council, &time, None)
}
