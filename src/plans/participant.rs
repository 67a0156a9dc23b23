//! The participant's side of the plan, on the page of their own invitation link (`/i/{token}`):
//! the plan's goals and their own commitments; while a network council's plan awaits approval
//! everyone asked approves it — confirming their own commitments ("I commit to …") — or says they
//! have objections with a comment (approving later withdraws it), and once it is approved they
//! mark each commitment done with a comment. Answers carry the version the page showed: an answer
//! to a plan that changed since is refused with the reason, and nothing is written. There is no
//! second kind of participant link: the invitation link is extended to last as long as the plan.
//!
//! `GET` only shows; the changes are `POST`s under the same token, rate-limited like the page,
//! audited as the invitee, and an unknown, expired or revoked token gets the same neutral page.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{NaiveDate, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::domain::{ApprovalKind, CommitmentStatus, DoneRequest, PlanStatus};
use super::queries::{self, PlanSettings};
use crate::audit::{self, Actor, AuditEntry};
use crate::councils::invitee::{self, Shown};
use crate::councils::queries::council;
use crate::councils::views::{MyCommitment, PlanSection};
use crate::db::schema::{plan_approvals, plan_commitments};
use crate::web::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::i18n::Tr;
use crate::web::limits::client_address;
use crate::web::pages::{Shell, render};
use crate::web::problem::AppError;
use crate::web::refusal::Refusal;
use crate::web::request_id;

/// The plan section of the invitee page, when the council has a plan past its draft. Its dates
/// are shown in the page's language, like the rest of it.
pub fn section(
    conn: &mut PgConnection,
    council_id: Uuid,
    participant: Uuid,
) -> Result<Option<PlanSection>, AppError> {
    let Some(plan) = queries::find_plan(conn, council_id, false)? else {
        return Ok(None);
    };
    if plan.status == PlanStatus::Draft {
        return Ok(None);
    }
    type Row = (
        Uuid,
        String,
        NaiveDate,
        Option<i32>,
        String,
        Option<String>,
        i32,
    );
    let mine: Vec<Row> = plan_commitments::table
        .filter(plan_commitments::plan_id.eq(plan.id))
        .filter(plan_commitments::participant_id.eq(participant))
        .filter(plan_commitments::removed_at.is_null())
        .order(plan_commitments::due_on)
        .select((
            plan_commitments::id,
            plan_commitments::text,
            plan_commitments::due_on,
            plan_commitments::every_days,
            plan_commitments::status,
            plan_commitments::done_comment,
            plan_commitments::times_done,
        ))
        .load(conn)?;
    let confirmed: bool = diesel::select(diesel::dsl::exists(
        plan_approvals::table
            .filter(plan_approvals::plan_id.eq(plan.id))
            .filter(plan_approvals::version.eq(plan.version))
            .filter(plan_approvals::kind.eq(ApprovalKind::ParticipantConfirmed.as_str()))
            .filter(plan_approvals::participant_id.eq(participant)),
    ))
    .get_result(conn)?;
    let by_network = crate::councils::queries::owner(conn, council_id)?.kind
        == crate::councils::domain::CouncilKind::NetworkCouncil;
    let team = crate::councils::queries::team(conn, council_id)?;
    let asked = queries::asked_to_approve(conn, plan.id, &team)?.contains(&participant);
    let objection = queries::objections(conn, plan.id, plan.version)?
        .into_iter()
        .find(|(p, _)| *p == participant)
        .map(|(_, r)| r);
    Ok(Some(PlanSection {
        goals: queries::goals(conn, plan.id)?
            .into_iter()
            .map(|g| g.text)
            .collect(),
        can_confirm: by_network
            && plan.status == PlanStatus::AwaitingApproval
            && asked
            && !confirmed,
        version: plan.version,
        objection,
        approved: plan.status == PlanStatus::Approved,
        evaluation_on: plan.evaluation_on,
        commitments: mine
            .into_iter()
            .map(|r| MyCommitment {
                id: r.0,
                text: r.1,
                due_on: r.2,
                every_days: r.3,
                done: r.4 == CommitmentStatus::Done.as_str(),
                confirmed: r.4 != CommitmentStatus::Open.as_str(),
                done_comment: r.5,
                times_done: r.6,
            })
            .collect(),
    }))
}

/// An approval: the version the page showed.
#[derive(Debug, Default, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    pub version: Option<String>,
}

/// An objection: the version the page showed and what the objections are.
#[derive(Debug, Default, Deserialize)]
pub struct ObjectionForm {
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// The version a form carried; a page without one is treated as one of a changed plan.
fn shown_version(version: Option<&str>) -> i32 {
    version.and_then(|v| v.trim().parse().ok()).unwrap_or(0)
}

/// The participant's council, its plan (locked) and the plan settings, for an answer.
fn answering(
    conn: &mut PgConnection,
    found: &invitee::Live,
) -> Result<
    (
        crate::db::TenantId,
        crate::councils::queries::Council,
        queries::Plan,
        PlanSettings,
    ),
    AppError,
> {
    let plan = queries::plan_of(conn, found.council, true)
        .map_err(|_| Refusal::LinkWithoutPlan.because("the link has no plan"))?;
    let tenant = crate::councils::queries::owner(conn, found.council)?.tenant;
    let council = council(conn, tenant, plan.case_id, found.council, true)?;
    let ps = PlanSettings::load(conn)?;
    Ok((tenant, council, plan, ps))
}

/// What a participant's change came to.
enum Outcome {
    Unknown,
    Saved(&'static str),
    Refused(Box<invitee::Live>, Box<invitee::Values>, StatusCode, String),
}

/// Runs `change` for the participant of `token`'s live link, in its tenant, and answers with the
/// page: back to it with a note on success, the page with the reason on refusal.
async fn on_link<F>(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    token: String,
    action: &'static str,
    change: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(
            &mut PgConnection,
            &invitee::Live,
            &Tr,
        ) -> Result<(&'static str, Uuid, serde_json::Value), AppError>
        + Send
        + 'static,
{
    state.limits.invitee(&client_address(req)).await?;
    let Some((tenant, invitation)) = invitee::lookup(state, &token).await? else {
        return invitee::unknown(tr, shell);
    };
    let request = request_id(req);
    let outcome = state
        .db
        .tenant(tenant, move |conn| {
            let Some(found) = invitee::live(conn, invitation)? else {
                return Ok::<_, AppError>(Outcome::Unknown);
            };
            // The change is a savepoint: a refusal undoes whatever it began, and the page is
            // shown again with the reason.
            let result = conn.transaction(|conn| change(conn, &found, &tr));
            match result {
                Ok((note, plan_id, details)) => {
                    audit::record(
                        conn,
                        tenant,
                        AuditEntry::new(&Actor::Invitee(found.participant), action)
                            .object("plan", plan_id)
                            .request(request.as_deref())
                            .details(details),
                    )?;
                    Ok(Outcome::Saved(note))
                }
                // The page says which rule refused: an old page, approving twice, nothing to
                // approve.
                Err(AppError::Refused { rule, .. }) => {
                    let values = invitee::page_values(conn, &found, section)?;
                    Ok(Outcome::Refused(
                        Box::new(found),
                        Box::new(values),
                        StatusCode::CONFLICT,
                        rule.title(tr.lang()).to_owned(),
                    ))
                }
                Err(AppError::Validation(fields)) => {
                    let values = invitee::page_values(conn, &found, section)?;
                    let message = fields
                        .into_iter()
                        .map(|f| f.message)
                        .collect::<Vec<_>>()
                        .join("; ");
                    Ok(Outcome::Refused(
                        Box::new(found),
                        Box::new(values),
                        StatusCode::UNPROCESSABLE_ENTITY,
                        message,
                    ))
                }
                Err(AppError::NotFound) => Ok(Outcome::Unknown),
                Err(other) => Err(other),
            }
        })
        .await?;
    match outcome {
        Outcome::Unknown => invitee::unknown(tr, shell),
        Outcome::Saved(note) => Ok(HttpResponse::SeeOther()
            .insert_header((LOCATION, format!("/i/{token}?plan={note}")))
            .finish()),
        Outcome::Refused(found, values, status, message) => {
            let shown = Shown {
                token,
                saved: None,
                plan_saved: None,
                error: Some(message),
            };
            let tr = values.tr(crate::web::i18n::Reader::of(req));
            render(status, &invitee::page(tr, shell, &found, *values, shown))
        }
    }
}

/// The participant confirms their commitments in the plan ("I commit to …"). Confirming twice (a
/// double click, a second tab) says it was confirmed already; when everyone has confirmed, a
/// network council's plan is approved.
#[post("/i/{token}/plan/confirmation")]
pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    token: web::Path<String>,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    let settings = state.settings.clone();
    on_link(
        &req,
        &state,
        tr,
        shell,
        token.into_inner(),
        "plan.participant_confirm",
        move |conn, found, _| {
            let (tenant, council, plan, ps) = answering(conn, found)?;
            let scope = queries::Scope {
                settings: &settings,
                tenant,
                council: &council,
                ps: &ps,
            };
            let shown = shown_version(form.version.as_deref());
            match queries::participant_confirms(
                conn,
                &scope,
                &plan,
                found.participant,
                shown,
                None,
            )? {
                queries::Answered::Recorded { plan_approved } => Ok((
                    "confirmed",
                    plan.id,
                    json!({ "version": plan.version, "plan_approved": plan_approved }),
                )),
                queries::Answered::Already => Ok((
                    "confirmed_again",
                    plan.id,
                    json!({ "version": plan.version, "already": true }),
                )),
            }
        },
    )
    .await
}

/// The participant says "I have objections" to the plan, with a comment. The comment is needed;
/// without it the page says so at the field and nothing is written.
#[post("/i/{token}/plan/objection")]
pub async fn object_to_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    token: web::Path<String>,
    CsrfForm(form): CsrfForm<ObjectionForm>,
) -> Result<HttpResponse, AppError> {
    let settings = state.settings.clone();
    on_link(
        &req,
        &state,
        tr,
        shell,
        token.into_inner(),
        "plan.participant_object",
        move |conn, found, tr| {
            let comment = form.comment.as_deref().map(str::trim).unwrap_or_default();
            if comment.is_empty() {
                return Err(AppError::field(
                    "comment",
                    tr.t("participant.objection_missing"),
                ));
            }
            if comment.chars().count() > 2000 {
                return Err(AppError::field(
                    "comment",
                    tr.t("participant.objection_too_long"),
                ));
            }
            let (tenant, council, plan, ps) = answering(conn, found)?;
            let scope = queries::Scope {
                settings: &settings,
                tenant,
                council: &council,
                ps: &ps,
            };
            let shown = shown_version(form.version.as_deref());
            queries::participant_objects(
                conn,
                &scope,
                &plan,
                found.participant,
                shown,
                comment,
                None,
            )?;
            Ok(("objected", plan.id, json!({ "version": plan.version })))
        },
    )
    .await
}

/// The participant marks one of their commitments done, with a comment.
#[post("/i/{token}/plan/commitments/{commitment_id}/done")]
pub async fn done(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    path: web::Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<DoneRequest>,
) -> Result<HttpResponse, AppError> {
    let (token, commitment) = path.into_inner();
    on_link(
        &req,
        &state,
        tr,
        shell,
        token,
        "plan.participant_done",
        move |conn, found, tr| {
            let comment = form
                .parse()
                .map_err(|_| AppError::field("comment", tr.t("invitee.too_long")))?;
            let plan = queries::plan_of(conn, found.council, true)
                .map_err(|_| Refusal::LinkWithoutPlan.because("the link has no plan"))?;
            let mine: bool = diesel::select(diesel::dsl::exists(
                plan_commitments::table
                    .filter(plan_commitments::plan_id.eq(plan.id))
                    .filter(plan_commitments::id.eq(commitment))
                    .filter(plan_commitments::participant_id.eq(found.participant)),
            ))
            .get_result(conn)?;
            if !mine {
                return Err(AppError::NotFound);
            }
            let tenant = crate::councils::queries::owner(conn, found.council)?.tenant;
            let ps = PlanSettings::load(conn)?;
            let marked = queries::mark_done(
                conn,
                tenant,
                &plan,
                commitment,
                comment.as_deref(),
                None,
                &ps,
            );
            match marked {
                Ok(_) => Ok((
                    "done",
                    plan.id,
                    json!({ "commitment_id": commitment, "at": Utc::now() }),
                )),
                // Marked done twice (a double click, a second tab): done already.
                Err(AppError::Refused {
                    rule: Refusal::CommitmentDone,
                    ..
                }) => Ok((
                    "done_again",
                    plan.id,
                    json!({ "commitment_id": commitment, "already": true }),
                )),
                Err(AppError::Refused { .. }) => {
                    Err(Refusal::CommitmentNotOpen.because("the commitment is not open"))
                }
                Err(other) => Err(other),
            }
        },
    )
    .await
}
