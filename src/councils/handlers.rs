//! `/api/v1/cases/{id}/councils…`: councils as JSON. Every endpoint opens the case through
//! [`crate::cases::access::with_case`] (in [`super::actions`]), so only the staff assigned to the
//! case reach its councils, and every read and write leaves an audit row.

use actix_web::{HttpResponse, delete, get, post, put, web};
use uuid::Uuid;

use super::actions;
use super::domain::{
    ConsentRequest, MeetingRecordRequest, MeetingRequest, NewCouncilRequest, ObjectionRequest,
    ParticipantRequest, PastMeetingRequest, PreparationRequest, RecordedAnswerRequest,
    ResolutionRequest, StateRequest, TextRequest, WaiverRequest,
};
use super::views::{CouncilSummary, CouncilView, MeetingRecordView};
use crate::access::Caller;
use crate::web::AppState;
use crate::web::json::{Json, created};
use crate::web::problem::AppError;

/// The case's councils, oldest first, with their next meeting.
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = [CouncilSummary]),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/cases/{id}/councils")]
pub async fn list_councils(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<CouncilSummary>>, AppError> {
    let id = id.into_inner();
    Ok(web::Json(actions::list(&state, &caller, id).await?))
}

/// Start a council for the case. It begins in its kind's first state; the caller coordinates unless another assigned staff member is named.
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path)),
    request_body = NewCouncilRequest,
    responses(
        (status = 201, body = CouncilView, headers(("Location" = String, description = "The address the created council is read at"))),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils")]
pub async fn create_council(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<NewCouncilRequest>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let view = actions::create(&state, &caller, id, body.into_inner()).await?;
    Ok(created(
        format!("/api/v1/cases/{id}/councils/{}", view.id),
        view,
    ))
}

/// The council: the child's texts, the team, objections, consents, waivers, preparation, meetings with the answers, and where the process stands.
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path)),
    responses(
        (status = 200, body = CouncilView),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/cases/{id}/councils/{council_id}")]
pub async fn get_council(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<CouncilView>, AppError> {
    let (id, council_id) = path.into_inner();
    Ok(web::Json(
        actions::read(&state, &caller, id, council_id).await?,
    ))
}

/// Move the council to another state of its kind. Refused (409, with the reasons) when a gate is not met.
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path)),
    request_body = StateRequest,
    responses(
        (status = 200, body = CouncilView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/state")]
pub async fn change_state(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<StateRequest>,
) -> Result<web::Json<CouncilView>, AppError> {
    let (id, council_id) = path.into_inner();
    Ok(web::Json(
        actions::set_state(&state, &caller, id, council_id, body.into_inner()).await?,
    ))
}

/// Record the situation description (replacing the earlier one) or a question (at most five), verbatim, with its author.
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path)),
    request_body = TextRequest,
    responses(
        (status = 201, body = CouncilView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/texts")]
pub async fn add_text(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<TextRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, council_id) = path.into_inner();
    Ok(HttpResponse::Created()
        .json(actions::add_text(&state, &caller, id, council_id, body.into_inner()).await?))
}

/// The child confirms a text says what they mean.
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path), ("text_id" = Uuid, Path)),
    responses(
        (status = 200, body = CouncilView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/texts/{text_id}/confirmation")]
pub async fn confirm_text(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, Uuid)>,
) -> Result<web::Json<CouncilView>, AppError> {
    let (id, council_id, text_id) = path.into_inner();
    Ok(web::Json(
        actions::confirm_text(&state, &caller, id, council_id, text_id).await?,
    ))
}

/// Take a question or description away (kept, marked removed).
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path), ("text_id" = Uuid, Path)),
    responses(
        (status = 200, body = CouncilView),
    ),
    security(("api_key" = []))
)]
#[delete("/api/v1/cases/{id}/councils/{council_id}/texts/{text_id}")]
pub async fn remove_text(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, Uuid)>,
) -> Result<web::Json<CouncilView>, AppError> {
    let (id, council_id, text_id) = path.into_inner();
    Ok(web::Json(
        actions::remove_text(&state, &caller, id, council_id, text_id).await?,
    ))
}

/// Add someone to the team: a person on the map, a staff member, or a new person, who joins the map.
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path)),
    request_body = ParticipantRequest,
    responses(
        (status = 201, body = CouncilView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/participants")]
pub async fn add_participant(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<ParticipantRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, council_id) = path.into_inner();
    Ok(HttpResponse::Created()
        .json(actions::add_participant(&state, &caller, id, council_id, body.into_inner()).await?))
}

/// Take someone off the team; their links stop working.
///
/// One whose invitation to a meeting still ahead went out gets their copy cancelled (an email
/// with METHOD:CANCEL, an SMS), and no chase or reminder after it.
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path), ("participant_id" = Uuid, Path)),
    responses(
        (status = 200, body = CouncilView),
    ),
    security(("api_key" = []))
)]
#[delete("/api/v1/cases/{id}/councils/{council_id}/participants/{participant_id}")]
pub async fn remove_participant(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, Uuid)>,
) -> Result<web::Json<CouncilView>, AppError> {
    let (id, council_id, participant_id) = path.into_inner();
    Ok(web::Json(
        actions::remove_participant(&state, &caller, id, council_id, participant_id).await?,
    ))
}

/// Confirm the team the child chose. Needs someone on it and, for a network council or family group conference, the description and 3–5 questions confirmed by the child.
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path)),
    responses(
        (status = 200, body = CouncilView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/team")]
pub async fn confirm_team(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<CouncilView>, AppError> {
    let (id, council_id) = path.into_inner();
    Ok(web::Json(
        actions::confirm_team(&state, &caller, id, council_id).await?,
    ))
}

/// The child objects to inviting someone. The reason is for the coordinator only.
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path)),
    request_body = ObjectionRequest,
    responses(
        (status = 201, body = CouncilView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/objections")]
pub async fn add_objection(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<ObjectionRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, council_id) = path.into_inner();
    Ok(HttpResponse::Created()
        .json(actions::add_objection(&state, &caller, id, council_id, body.into_inner()).await?))
}

/// Record how an objection was resolved.
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path), ("objection_id" = Uuid, Path)),
    request_body = ResolutionRequest,
    responses(
        (status = 200, body = CouncilView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/objections/{objection_id}/resolution")]
pub async fn resolve_objection(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, Uuid)>,
    body: Json<ResolutionRequest>,
) -> Result<web::Json<CouncilView>, AppError> {
    let (id, council_id, objection_id) = path.into_inner();
    Ok(web::Json(
        actions::resolve_objection(
            &state,
            &caller,
            id,
            council_id,
            objection_id,
            body.into_inner(),
        )
        .await?,
    ))
}

/// Record an informed consent: who, to what, when informed and when given.
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path)),
    request_body = ConsentRequest,
    responses(
        (status = 201, body = CouncilView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/consents")]
pub async fn add_consent(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<ConsentRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, council_id) = path.into_inner();
    Ok(HttpResponse::Created()
        .json(actions::add_consent(&state, &caller, id, council_id, body.into_inner()).await?))
}

/// A consent is withdrawn.
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path), ("consent_id" = Uuid, Path)),
    responses(
        (status = 200, body = CouncilView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/consents/{consent_id}/withdrawal")]
pub async fn withdraw_consent(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, Uuid)>,
) -> Result<web::Json<CouncilView>, AppError> {
    let (id, council_id, consent_id) = path.into_inner();
    Ok(web::Json(
        actions::withdraw_consent(&state, &caller, id, council_id, consent_id).await?,
    ))
}

/// Record a participant's confidentiality waiver for the meeting.
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path), ("participant_id" = Uuid, Path)),
    request_body = WaiverRequest,
    responses(
        (status = 200, body = CouncilView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/participants/{participant_id}/waiver")]
pub async fn set_waiver(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, Uuid)>,
    body: Json<WaiverRequest>,
) -> Result<web::Json<CouncilView>, AppError> {
    let (id, council_id, participant_id) = path.into_inner();
    Ok(web::Json(
        actions::set_waiver(
            &state,
            &caller,
            id,
            council_id,
            participant_id,
            body.into_inner(),
        )
        .await?,
    ))
}

/// Record a preparation conversation with a participant.
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path), ("participant_id" = Uuid, Path)),
    request_body = PreparationRequest,
    responses(
        (status = 201, body = CouncilView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/participants/{participant_id}/preparations")]
pub async fn add_preparation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, Uuid)>,
    body: Json<PreparationRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, council_id, participant_id) = path.into_inner();
    Ok(HttpResponse::Created().json(
        actions::add_preparation(
            &state,
            &caller,
            id,
            council_id,
            participant_id,
            body.into_inner(),
        )
        .await?,
    ))
}

/// Schedule a meeting (local time of the service). Not before the team is chosen; not in the past, not ending before it starts, not double-booking anyone on the team.
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path)),
    request_body = MeetingRequest,
    responses(
        (status = 201, body = CouncilView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/meetings")]
pub async fn schedule_meeting(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<MeetingRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, council_id) = path.into_inner();
    Ok(HttpResponse::Created()
        .json(actions::schedule_meeting(&state, &caller, id, council_id, body.into_inner()).await?))
}

/// Move a meeting. A confirmed one is sent again (METHOD:REQUEST, SEQUENCE + 1, new links) and its reminders are replaced.
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path), ("meeting_id" = Uuid, Path)),
    request_body = MeetingRequest,
    responses(
        (status = 200, body = CouncilView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/meetings/{meeting_id}/reschedule")]
pub async fn reschedule_meeting(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, Uuid)>,
    body: Json<MeetingRequest>,
) -> Result<web::Json<CouncilView>, AppError> {
    let (id, council_id, meeting_id) = path.into_inner();
    Ok(web::Json(
        actions::reschedule_meeting(
            &state,
            &caller,
            id,
            council_id,
            meeting_id,
            body.into_inner(),
        )
        .await?,
    ))
}

/// Cancel a meeting: the invitees get METHOD:CANCEL, and no reminder is left.
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path), ("meeting_id" = Uuid, Path)),
    responses(
        (status = 200, body = CouncilView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/meetings/{meeting_id}/cancellation")]
pub async fn cancel_meeting(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, Uuid)>,
) -> Result<web::Json<CouncilView>, AppError> {
    let (id, council_id, meeting_id) = path.into_inner();
    Ok(web::Json(
        actions::cancel_meeting(&state, &caller, id, council_id, meeting_id).await?,
    ))
}

/// Send the meeting's invitations, which confirms it. Refused (409) without the consents its kind needs, a waiver from every public participant, or with an objection open. Messages held back by the service's quiet hours say when they go out (`participants[].invitation.goes_out_at`, in the service's zone).
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path), ("meeting_id" = Uuid, Path)),
    responses(
        (status = 200, body = CouncilView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/meetings/{meeting_id}/invitations")]
pub async fn send_invitations(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, Uuid)>,
) -> Result<web::Json<CouncilView>, AppError> {
    let (id, council_id, meeting_id) = path.into_inner();
    Ok(web::Json(
        actions::send_invitations(&state, &caller, id, council_id, meeting_id).await?,
    ))
}

/// Record the answer a participant gave by phone or in person to the current meeting: the
/// invitee's own fields and `how` (`phone` or `in_person`). Shown as recorded by the caller; the
/// participant can still change it through their link. Refused for a meeting cancelled or begun.
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path), ("participant_id" = Uuid, Path)),
    request_body = RecordedAnswerRequest,
    responses(
        (status = 200, body = CouncilView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/participants/{participant_id}/answer")]
pub async fn record_answer(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, Uuid)>,
    body: Json<RecordedAnswerRequest>,
) -> Result<web::Json<CouncilView>, AppError> {
    let (id, council_id, participant_id) = path.into_inner();
    Ok(web::Json(
        actions::record_answer(
            &state,
            &caller,
            id,
            council_id,
            participant_id,
            body.into_inner(),
        )
        .await?,
    ))
}

/// Send one participant a new link to the current meeting; the old link stops working.
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path), ("participant_id" = Uuid, Path)),
    responses(
        (status = 200, body = CouncilView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/participants/{participant_id}/invitation")]
pub async fn resend_invitation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, Uuid)>,
) -> Result<web::Json<CouncilView>, AppError> {
    let (id, council_id, participant_id) = path.into_inner();
    Ok(web::Json(
        actions::resend_invitation(&state, &caller, id, council_id, participant_id).await?,
    ))
}

/// Revoke a participant's links.
///
/// One whose invitation to a meeting still ahead went out gets their copy cancelled (an email
/// with METHOD:CANCEL, an SMS), and no chase or reminder after it.
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path), ("participant_id" = Uuid, Path)),
    responses(
        (status = 200, body = CouncilView),
    ),
    security(("api_key" = []))
)]
#[delete("/api/v1/cases/{id}/councils/{council_id}/participants/{participant_id}/invitation")]
pub async fn revoke_invitation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, Uuid)>,
) -> Result<web::Json<CouncilView>, AppError> {
    let (id, council_id, participant_id) = path.into_inner();
    Ok(web::Json(
        actions::revoke_invitation(&state, &caller, id, council_id, participant_id).await?,
    ))
}

/// Record a meeting that took place without invitations through Tillit (an acute family group
/// conference, a meeting arranged by phone): its time (in the service's local time, not ahead),
/// place or video link, `reason` (why it is recorded afterwards; required) and `attendees` (ids
/// of the council's team who came; at least one). The meeting counts as held, and the council
/// moves on to its plan. Refused (409) before the consents its kind needs — oral ones count — and,
/// in a network council, before the child's description and questions. Nothing is written on
/// any refusal.
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path)),
    request_body = PastMeetingRequest,
    responses(
        (status = 201, body = CouncilView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/past-meetings")]
pub async fn record_past_meeting(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<PastMeetingRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, council_id) = path.into_inner();
    Ok(HttpResponse::Created().json(
        actions::record_past_meeting(&state, &caller, id, council_id, body.into_inner()).await?,
    ))
}

/// A meeting's record: who came (until it is saved, those who answered yes, or those named when
/// the meeting was recorded afterwards), the decisions, the notes and with whom they may be
/// shared, and the next meeting. Audited as a read of case data.
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path), ("meeting_id" = Uuid, Path)),
    responses(
        (status = 200, body = MeetingRecordView),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/cases/{id}/councils/{council_id}/meetings/{meeting_id}/record")]
pub async fn get_record(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, Uuid)>,
) -> Result<web::Json<MeetingRecordView>, AppError> {
    let (id, council_id, meeting_id) = path.into_inner();
    Ok(web::Json(
        actions::read_record(&state, &caller, id, council_id, meeting_id).await?,
    ))
}

/// Save the record of a meeting that has begun (replacing an earlier one): `attendees` (ids of
/// the team; absent means those who answered yes), `decisions` (a list), `notes` and
/// `notes_shared_with` (`staff`, the default, `team` or `private_side`). Someone not on the team
/// is refused at `attendees`; a meeting not begun or cancelled is refused (409).
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path), ("meeting_id" = Uuid, Path)),
    request_body = MeetingRecordRequest,
    responses(
        (status = 200, body = MeetingRecordView),
    ),
    security(("api_key" = []))
)]
#[put("/api/v1/cases/{id}/councils/{council_id}/meetings/{meeting_id}/record")]
pub async fn save_record(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, Uuid)>,
    body: Json<MeetingRecordRequest>,
) -> Result<web::Json<MeetingRecordView>, AppError> {
    let (id, council_id, meeting_id) = path.into_inner();
    Ok(web::Json(
        actions::save_record(
            &state,
            &caller,
            id,
            council_id,
            meeting_id,
            body.into_inner(),
        )
        .await?,
    ))
}

/// Book the next meeting of a network meeting series or a responsibility group from a held
/// meeting's record (the same fields as scheduling a meeting). Once per record; refused (409,
/// `next-meeting-from-plan`) for the kinds whose next meeting follows the plan's evaluation.
#[utoipa::path(
    tag = "councils",
    params(("id" = Uuid, Path), ("council_id" = Uuid, Path), ("meeting_id" = Uuid, Path)),
    request_body = MeetingRequest,
    responses(
        (status = 201, body = CouncilView),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/cases/{id}/councils/{council_id}/meetings/{meeting_id}/record/next-meeting")]
pub async fn book_next_meeting(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, Uuid)>,
    body: Json<MeetingRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, council_id, meeting_id) = path.into_inner();
    Ok(HttpResponse::Created().json(
        actions::book_next_meeting(
            &state,
            &caller,
            id,
            council_id,
            meeting_id,
            body.into_inner(),
        )
        .await?,
    ))
}
