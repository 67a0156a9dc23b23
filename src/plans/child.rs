//! `/c/{token}`: the child's own page, "my team" and "my plan", in plain words. The coordinator
//! creates the link and can revoke it; only its hash is kept. `GET` changes nothing but the audit
//! log; while a network council's plan awaits approval the child answers on it — "Jeg er enig"
//! or "Jeg vil snakke om det", with their own words if they like — by a `POST` carrying the
//! version the page showed. An unknown, expired or revoked link, and one to another service's
//! plan, get the same neutral page, and the page is rate-limited per address like the
//! invitees' pages.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use chrono::Utc;
use diesel::PgConnection;
use diesel::prelude::*;
use serde::Deserialize;
use uuid::Uuid;

use super::domain::PlanStatus;
use super::views::ChildAnswerView;
use super::{queries, rules};
use crate::audit::views::ViewLog;
use crate::audit::{self, Actor, AuditEntry};
use crate::config::Settings;
use crate::db::TenantId;
use crate::db::schema::{plan_child_links, plans};
use crate::time::date;
use crate::tokens::{ChildLink, LinkToken};
use crate::web::AppState;
use crate::web::csrf::CsrfForm;
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
    token: String,
    team: Vec<TeamLine>,
    goals: Vec<String>,
    promises: Vec<PromiseLine>,
    approved: bool,
    next_check: Option<String>,
    /// The next meeting ahead, in plain words, and where it is.
    next_meeting: Option<NextMeeting>,
    /// What the child said: their texts for the council, and their words with their answer.
    said: Vec<String>,
    /// The meeting records' notes shared with the family: the meeting's day and the notes.
    notes: Vec<(String, String)>,
    /// The plan awaits the network's approval and the child may answer (version shown).
    ask: Option<i32>,
    /// What the child answered to this version: agreed (true) or wants to talk (false).
    answered: Option<bool>,
    saved: Option<&'static str>,
    error: Option<String>,
    words: String,
}

#[derive(Template)]
#[template(path = "plans/child_unknown.html")]
struct UnknownPage {
    tr: Tr,
    shell: Shell,
}

fn unknown(tr: Tr, shell: Shell) -> Result<HttpResponse, AppError> {
    render(StatusCode::NOT_FOUND, &UnknownPage { tr, shell })
}

/// The next meeting as the child's page says it: when, in words, and where.
pub struct NextMeeting {
    pub when: String,
    pub place: Option<String>,
    pub video: bool,
}

/// What the child's page shows, read inside the tenant.
struct Loaded {
    status: PlanStatus,
    version: i32,
    by_network: bool,
    team: Vec<crate::councils::views::TeamMember>,
    view: super::views::PlanView,
    /// The next confirmed meeting of the plan's council or its follow-up council.
    meeting: Option<crate::councils::queries::MeetingRow>,
    tz: chrono_tz::Tz,
    /// What the child said: their texts for the council as confirmed, then their words about
    /// the plan.
    texts: Vec<String>,
    /// The meeting records' notes shared with the team or the family, which the child is.
    notes: Vec<crate::councils::views::SharedNotes>,
    /// The child's own language, when it is one Tillit speaks.
    child_lang: Option<crate::web::i18n::Lang>,
    /// The service's written standard, for a child whose language Tillit does not speak.
    standard: crate::web::i18n::Lang,
}

/// The live link's plan, or `None` for a revoked or expired link.
fn live_plan(conn: &mut PgConnection, link: Uuid) -> Result<Option<queries::Plan>, AppError> {
    let live: Option<Uuid> = plan_child_links::table
        .filter(plan_child_links::id.eq(link))
        .filter(plan_child_links::revoked_at.is_null())
        .filter(plan_child_links::expires_at.gt(Utc::now()))
        .select(plan_child_links::plan_id)
        .first(conn)
        .optional()?;
    let Some(plan_id) = live else {
        return Ok(None);
    };
    let council_id: Uuid = plans::table
        .filter(plans::id.eq(plan_id))
        .select(plans::council_id)
        .first(conn)?;
    Ok(Some(queries::plan_of(conn, council_id, false)?))
}

fn load(
    conn: &mut PgConnection,
    settings: &Settings,
    tenant: TenantId,
    plan: &queries::Plan,
) -> Result<Loaded, AppError> {
    let team = crate::councils::queries::team(conn, plan.council_id)?;
    let ps = queries::PlanSettings::load(conn)?;
    let kind =
        crate::councils::queries::council(conn, tenant, plan.case_id, plan.council_id, false)?.kind;
    let view = queries::plan_view(conn, settings, plan, kind, &ps)?;
    let mut councils = vec![plan.council_id];
    councils.extend(view.follow_ups.iter().filter_map(|f| f.new_council_id));
    let meeting = crate::councils::queries::next_meeting(conn, &councils, ps.now)?;
    let mut texts = crate::councils::queries::child_texts(conn, plan.council_id)?;
    texts.extend(queries::child_said(conn, plan.id)?);
    let notes = crate::councils::queries::shared_notes(conn, plan.council_id, true)?;
    let standard = crate::tenancy::settings::ServiceSettings::load(conn)?.lang;
    let child_lang = crate::cases::queries::child_language(conn, plan.case_id)?
        .as_deref()
        .and_then(|words| crate::web::i18n::Lang::from_words_or(words, standard));
    Ok(Loaded {
        status: plan.status,
        version: plan.version,
        by_network: rules::approver(kind) == rules::Approver::Network,
        team,
        view,
        meeting,
        tz: ps.tz,
        texts,
        notes,
        child_lang,
        standard,
    })
}

/// What the page says besides the plan.
struct Notes {
    /// What just happened to the answer (its catalogue key): saved, or given already.
    saved: Option<&'static str>,
    error: Option<String>,
    words: String,
}

fn page(tr: Tr, shell: Shell, token: String, found: Loaded, notes: Notes) -> ChildPage {
    let lang = tr.lang();
    let asking = found.by_network && found.status == PlanStatus::AwaitingApproval;
    ChildPage {
        token,
        team: found
            .team
            .into_iter()
            .filter(|m| !m.removed)
            .map(|m| TeamLine {
                name: m.name,
                chosen_by_child: m.chosen_by_child,
            })
            .collect(),
        goals: found.view.goals.into_iter().map(|g| g.text).collect(),
        promises: found
            .view
            .commitments
            .into_iter()
            .map(|c| PromiseLine {
                who: c.owner.name,
                text: c.text,
                when: date(c.due_on, lang),
                done: c.status == super::domain::CommitmentStatus::Done,
            })
            .collect(),
        approved: matches!(found.status, PlanStatus::Approved | PlanStatus::Closed),
        next_check: found.view.evaluation_on.map(|d| date(d, lang)),
        next_meeting: found.meeting.as_ref().and_then(|m| {
            Some(NextMeeting {
                when: crate::time::spoken_moment(m.starts_at?, found.tz, lang),
                place: m.place.clone(),
                video: m.video_link.is_some(),
            })
        }),
        said: found.texts.clone(),
        notes: found
            .notes
            .iter()
            .map(|n| (n.day(found.tz, lang).unwrap_or_default(), n.notes.clone()))
            .collect(),
        ask: asking.then_some(found.version),
        answered: match found.view.child_answer {
            Some(ChildAnswerView::Agreed) => Some(true),
            Some(ChildAnswerView::WantsToTalk) => Some(false),
            _ => None,
        },
        saved: notes.saved,
        error: notes.error,
        words: notes.words,
        tr,
        shell,
    }
}

/// The page speaks the child's own language when it is one Tillit speaks (plain "norsk" is the
/// service's written standard), unless the reader chose a language with the switch; otherwise
/// English for a browser that prefers it, else the service's standard.
fn in_childs_language(req: &HttpRequest, _tr: Tr, found: &Loaded) -> Tr {
    Tr::new(crate::web::i18n::Lang::for_reader(
        req,
        found.child_lang,
        found.standard,
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    answered: Option<String>,
}

#[get("/c/{token}")]
pub async fn child_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    token: web::Path<String>,
    query: web::Query<SavedQuery>,
) -> Result<HttpResponse, AppError> {
    state.limits.invitee(&client_address(&req)).await?;
    let Some(link_token) = LinkToken::<ChildLink>::parse(&token) else {
        return unknown(tr, shell);
    };
    let request = request_id(&req);
    let settings = state.settings.clone();
    let views = ViewLog::of(&req);
    // The link's lookup and the plan's reads in one transaction; the view's audit row is written
    // just after it (`audit::views`).
    let found = state
        .db
        .found_tenant(
            move |conn| Ok::<_, AppError>(link_token.scope_in(conn)?),
            move |conn, tenant, link| {
                let Some(plan) = live_plan(conn, link)? else {
                    return Ok(None);
                };
                let loaded = load(conn, &settings, tenant, &plan)?;
                let view = views.reserve(
                    conn,
                    tenant,
                    AuditEntry::new(&Actor::ChildLink(link), "plan.child_view")
                        .object("plan", plan.id)
                        .request(request.as_deref()),
                )?;
                Ok(Some((loaded, view)))
            },
        )
        .await?;
    let Some((found, view)) = found else {
        return unknown(tr, shell);
    };
    view.commit();
    let tr = in_childs_language(&req, tr, &found);
    let notes = Notes {
        saved: match query.answered.as_deref() {
            Some("again") => Some("again.child_answer"),
            Some(_) => Some("child.thanks"),
            None => None,
        },
        error: None,
        words: String::new(),
    };
    render(
        StatusCode::OK,
        &page(tr, shell, token.into_inner(), found, notes),
    )
}

/// The child's answer: "Jeg er enig" (`answer=agree`) or "Jeg vil snakke om det"
/// (`answer=talk`), with what the child wants to say, and the version the page showed.
#[derive(Debug, Default, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    answer: Option<String>,
    #[serde(default)]
    words: Option<String>,
    #[serde(default)]
    version: Option<String>,
}

enum Answered {
    Unknown,
    Saved,
    /// The same answer was given before: a double click or a second tab.
    Again,
    Refused(Box<Loaded>, StatusCode, String),
}

/// The child answers the plan awaiting approval through the child's own link; recorded as the
/// child's own words. A revoked link gets the neutral page; an old page (the plan changed) is
/// refused with the reason and nothing is written.
#[post("/c/{token}/answer")]
pub async fn child_answer(
    req: HttpRequest,
    state: web::Data<AppState>,
    tr: Tr,
    shell: Shell,
    token: web::Path<String>,
    CsrfForm(form): CsrfForm<AnswerForm>,
) -> Result<HttpResponse, AppError> {
    state.limits.invitee(&client_address(&req)).await?;
    let Some((tenant, link)) = lookup(&state, &token).await? else {
        return unknown(tr, shell);
    };
    let request = request_id(&req);
    let settings = state.settings.clone();
    let lang = tr.lang();
    let words = form
        .words
        .as_deref()
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    let typed = words.clone();
    let outcome = state
        .db
        .tenant(tenant, move |conn| {
            let Some(plan) = live_plan(conn, link)? else {
                return Ok::<_, AppError>(Answered::Unknown);
            };
            let tr = Tr::new(lang);
            let result = conn.transaction(|conn| {
                let agreed = match form.answer.as_deref() {
                    Some("agree") => true,
                    Some("talk") => false,
                    _ => return Err(AppError::field("answer", tr.t("child.answer_missing"))),
                };
                if words.chars().count() > 2000 {
                    return Err(AppError::field("words", tr.t("child.words_too_long")));
                }
                let plan = queries::plan_of(conn, plan.council_id, true)?;
                let council = crate::councils::queries::council(
                    conn,
                    tenant,
                    plan.case_id,
                    plan.council_id,
                    true,
                )?;
                let ps = queries::PlanSettings::load(conn)?;
                let scope = queries::Scope {
                    settings: &settings,
                    tenant,
                    council: &council,
                    ps: &ps,
                };
                let shown = form
                    .version
                    .as_deref()
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                let answered = queries::child_answers(
                    conn,
                    &scope,
                    &plan,
                    link,
                    shown,
                    agreed,
                    (!words.is_empty()).then_some(words.as_str()),
                )?;
                Ok((plan.id, plan.version, agreed, answered))
            });
            match result {
                Ok((_, _, _, queries::Answered::Already)) => Ok(Answered::Again),
                Ok((plan_id, version, agreed, queries::Answered::Recorded { plan_approved })) => {
                    audit::record(
                        conn,
                        tenant,
                        AuditEntry::new(&Actor::ChildLink(link), "plan.child_answer")
                            .object("plan", plan_id)
                            .request(request.as_deref())
                            .details(serde_json::json!({
                                "version": version,
                                "agreed": agreed,
                                "plan_approved": plan_approved,
                            })),
                    )?;
                    Ok(Answered::Saved)
                }
                Err(AppError::Refused { rule, .. }) => {
                    let plan = queries::plan_of(conn, plan.council_id, false)?;
                    Ok(Answered::Refused(
                        Box::new(load(conn, &settings, tenant, &plan)?),
                        StatusCode::CONFLICT,
                        rule.title(lang).to_owned(),
                    ))
                }
                Err(AppError::Validation(fields)) => {
                    let plan = queries::plan_of(conn, plan.council_id, false)?;
                    Ok(Answered::Refused(
                        Box::new(load(conn, &settings, tenant, &plan)?),
                        StatusCode::UNPROCESSABLE_ENTITY,
                        fields
                            .into_iter()
                            .map(|f| f.message)
                            .collect::<Vec<_>>()
                            .join("; "),
                    ))
                }
                Err(AppError::NotFound) => Ok(Answered::Unknown),
                Err(other) => Err(other),
            }
        })
        .await?;
    let token = token.into_inner();
    match outcome {
        Answered::Unknown => unknown(tr, shell),
        Answered::Saved => Ok(HttpResponse::SeeOther()
            .insert_header((LOCATION, format!("/c/{token}?answered=1")))
            .finish()),
        Answered::Again => Ok(HttpResponse::SeeOther()
            .insert_header((LOCATION, format!("/c/{token}?answered=again")))
            .finish()),
        Answered::Refused(found, status, message) => {
            let tr = in_childs_language(&req, tr, &found);
            let notes = Notes {
                saved: None,
                error: Some(message),
                words: typed,
            };
            render(status, &page(tr, shell, token, *found, notes))
        }
    }
}
