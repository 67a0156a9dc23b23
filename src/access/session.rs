//! Staff sessions: a random token in an HttpOnly cookie, its SHA-256 in `sessions`. A session
//! ends at logout, after `session.idle_minutes` without a request, after `session.absolute_hours`,
//! and at once when its person is deactivated (deactivation ends the rows; the lookup also checks
//! that the person is still active).

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, get, web};
use chrono::{Duration, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::Bytea;
use tracing_actix_web::RequestId;
use uuid::Uuid;

use super::{Caller, Role};
use crate::audit::Actor;
use crate::db::TenantId;
use crate::db::schema::{sessions, tenants, users};
use crate::tokens;
use crate::web::AppState;
use crate::web::i18n::{Lang, ServiceStandard};
use crate::web::pages::{NavLink, Shell};
use crate::web::problem::AppError;

/// Prefix of session tokens.
pub const TOKEN_PREFIX: &str = "tls_";
/// A session's `last_seen_at` is written at most this often, not on every request.
const TOUCH_INTERVAL_SECS: i64 = 60;

pub fn cookie_name(https: bool) -> &'static str {
    if https {
        "__Host-tillit-session"
    } else {
        "tillit_session"
    }
}

/// The session cookie for `token` (a session cookie in the browser's sense too: no Max-Age).
pub fn session_cookie(token: &str, https: bool) -> Cookie<'static> {
    Cookie::build(cookie_name(https), token.to_owned())
        .path("/")
        .http_only(true)
        .secure(https)
        .same_site(SameSite::Lax)
        .finish()
}

/// A cookie that removes the session cookie.
pub fn removal_cookie(https: bool) -> Cookie<'static> {
    let mut cookie = session_cookie("", https);
    cookie.make_removal();
    cookie
}

/// A signed-in staff member, for pages. Without a valid session the request fails with
/// `Unauthorized`, which a browser sees as a redirect to the login page.
#[derive(Debug, Clone)]
pub struct Staff {
    pub tenant: TenantId,
    pub session_id: Uuid,
    pub user: Uuid,
    pub role: Role,
    pub display_name: String,
    pub email: String,
    pub request_id: Option<String>,
    /// The layout's values: the service's name, the navigation and the form token.
    pub shell: Shell,
}

impl Staff {
    /// The same person as an API caller, so pages and the JSON API share one set of rules.
    pub fn caller(&self) -> Caller {
        Caller {
            tenant: self.tenant,
            role: self.role,
            actor: Actor::User(self.user),
            user: Some(self.user),
            request_id: self.request_id.clone(),
        }
    }

    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        self.caller().require(roles)
    }

    /// The form token of this page's forms.
    pub fn csrf(&self) -> &str {
        &self.shell.csrf
    }
}

/// The session row with its person, as the lookup needs it.
#[derive(Queryable)]
struct LiveSession {
    user_id: Uuid,
    last_seen_at: chrono::DateTime<Utc>,
    expires_at: chrono::DateTime<Utc>,
    ended_at: Option<chrono::DateTime<Utc>>,
    role: String,
    display_name: String,
    email: String,
    active: bool,
}

/// Finds the tenant and session of a presented session token.
pub async fn lookup(state: &AppState, token: &str) -> Result<Option<(TenantId, Uuid)>, AppError> {
    if !tokens::looks_like(token, TOKEN_PREFIX) {
        return Ok(None);
    }
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        tenant_id: Uuid,
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        session_id: Uuid,
    }
    let hash = tokens::hash(token);
    let rows: Vec<Row> = state
        .db
        .unscoped(move |conn| {
            diesel::sql_query("SELECT tenant_id, session_id FROM platform_session_lookup($1)")
                .bind::<Bytea, _>(hash)
                .load(conn)
                .map_err(AppError::from)
        })
        .await?;
    Ok(rows
        .into_iter()
        .next()
        .map(|r| (TenantId(r.tenant_id), r.session_id)))
}

/// A live session with its service's name and written standard.
type LiveWithService = (LiveSession, (String, Lang));

/// Loads a live session in its tenant's transaction, ending it if it ran out. Returns the person,
/// the service's name and its written standard.
fn load_live(
    conn: &mut PgConnection,
    tenant: TenantId,
    session_id: Uuid,
    idle: Duration,
) -> Result<Option<LiveWithService>, AppError> {
    let found: Option<LiveSession> = sessions::table
        .inner_join(
            users::table.on(users::tenant_id
                .eq(sessions::tenant_id)
                .and(users::id.eq(sessions::user_id))),
        )
        .filter(sessions::id.eq(session_id))
        .select((
            sessions::user_id,
            sessions::last_seen_at,
            sessions::expires_at,
            sessions::ended_at,
            users::role,
            users::display_name,
            users::email,
            users::active,
        ))
        .first(conn)
        .optional()?;
    let Some(live) = found else {
        return Ok(None);
    };
    let now = Utc::now();
    let target = sessions::table.find((tenant.0, session_id));
    if live.ended_at.is_some() {
        return Ok(None);
    }
    if !live.active || live.expires_at <= now || live.last_seen_at + idle <= now {
        diesel::update(target)
            .set(sessions::ended_at.eq(now))
            .execute(conn)?;
        return Ok(None);
    }
    if (now - live.last_seen_at).num_seconds() >= TOUCH_INTERVAL_SECS {
        diesel::update(target)
            .set(sessions::last_seen_at.eq(now))
            .execute(conn)?;
    }
    let (service, locale): (String, String) = tenants::table
        .select((tenants::name, tenants::locale))
        .first(conn)?;
    let standard = Lang::parse(&locale)
        .filter(|l| l.norwegian())
        .unwrap_or_default();
    Ok(Some((live, (service, standard))))
}

/// The navigation of a signed-in person with `role`, marking the link `path` is under.
pub fn navigation(role: Role, path: &str) -> Vec<NavLink> {
    let mut links = vec![("/", "nav.home")];
    if role != Role::Leader && role != Role::OnCall {
        links.push(("/cases", "nav.cases"));
    }
    if matches!(role, Role::OnCall | Role::Caseworker) {
        links.push(("/on-call", "nav.on_call"));
    }
    if matches!(role, Role::Leader | Role::TenantAdmin) {
        links.push(("/acute-openings", "nav.openings"));
    }
    if role == Role::TenantAdmin {
        links.extend([
            ("/admin", "nav.admin"),
            ("/admin/staff", "nav.staff"),
            ("/admin/audit", "nav.audit"),
            ("/admin/jobs", "nav.jobs"),
        ]);
    }
    links.push(("/account", "nav.account"));
    let under = |href: &str| {
        href == path
            || (href != "/"
                && path
                    .strip_prefix(href)
                    .is_some_and(|rest| rest.starts_with('/')))
    };
    let current = links
        .iter()
        .map(|(href, _)| *href)
        .filter(|href| under(href))
        .max_by_key(|href| href.len());
    links
        .into_iter()
        .map(|(href, label)| NavLink {
            href,
            label,
            current: Some(href) == current,
        })
        .collect()
}

impl FromRequest for Staff {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
        let mut shell = Shell::for_request(req);
        let path = req.path().to_owned();
        let token = state.as_ref().and_then(|s| {
            req.cookie(cookie_name(s.settings.https()))
                .map(|c| c.value().to_owned())
        });
        let req = req.clone();
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::Internal("no app state".into()))?;
            let token = token.ok_or(AppError::Unauthorized)?;
            let (tenant, session_id) = lookup(&state, &token)
                .await?
                .ok_or(AppError::Unauthorized)?;
            let idle = Duration::minutes(state.settings.session.idle_minutes);
            let (live, (service, standard)) = state
                .db
                .tenant(tenant, move |conn| {
                    load_live(conn, tenant, session_id, idle)
                })
                .await?
                .ok_or(AppError::Unauthorized)?;
            let role = Role::parse(&live.role).map_err(AppError::Internal)?;
            req.extensions_mut().insert(ServiceStandard(standard));
            shell.service = Some(service);
            shell.nav = navigation(role, &path);
            Ok(Staff {
                tenant,
                session_id,
                user: live.user_id,
                role,
                display_name: live.display_name,
                email: live.email,
                request_id,
                shell,
            })
        })
    }
}

/// Starts a session for `user` in the caller's transaction; returns the cookie's token.
pub fn start(
    conn: &mut PgConnection,
    state: &AppState,
    tenant: TenantId,
    user: Uuid,
) -> QueryResult<String> {
    start_in(conn, state, tenant, user, None)
}

/// Starts a session for `user`, remembering the browser it started in (so the person can tell
/// their sessions apart); returns the cookie's token.
pub fn start_in(
    conn: &mut PgConnection,
    state: &AppState,
    tenant: TenantId,
    user: Uuid,
    user_agent: Option<&str>,
) -> QueryResult<String> {
    let token = tokens::issue(TOKEN_PREFIX);
    let now = Utc::now();
    diesel::insert_into(sessions::table)
        .values((
            sessions::tenant_id.eq(tenant.0),
            sessions::id.eq(Uuid::now_v7()),
            sessions::user_id.eq(user),
            sessions::token_hash.eq(&token.hash),
            sessions::expires_at.eq(now + Duration::hours(state.settings.session.absolute_hours)),
            sessions::user_agent.eq(user_agent),
        ))
        .execute(conn)?;
    diesel::update(users::table.find((tenant.0, user)))
        .set(users::last_login_at.eq(now))
        .execute(conn)?;
    Ok(token.text)
}

/// Ends every open session of `user` (deactivation, password change).
pub fn end_all(conn: &mut PgConnection, tenant: TenantId, user: Uuid) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::tenant_id.eq(tenant.0))
            .filter(sessions::user_id.eq(user))
            .filter(sessions::ended_at.is_null()),
    )
    .set(sessions::ended_at.eq(Utc::now()))
    .execute(conn)
}

/// Ends one session.
pub fn end(conn: &mut PgConnection, tenant: TenantId, session: Uuid) -> QueryResult<usize> {
    diesel::update(sessions::table.find((tenant.0, session)))
        .set(sessions::ended_at.eq(Utc::now()))
        .execute(conn)
}

/// Ends one of `user`'s own sessions; 0 when it is not theirs or already ended.
pub fn end_own(
    conn: &mut PgConnection,
    tenant: TenantId,
    user: Uuid,
    session: Uuid,
) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .find((tenant.0, session))
            .filter(sessions::user_id.eq(user))
            .filter(sessions::ended_at.is_null()),
    )
    .set(sessions::ended_at.eq(Utc::now()))
    .execute(conn)
}

/// Ends every open session of `user` but `keep` (a password or factor change from one of them).
pub fn end_others(
    conn: &mut PgConnection,
    tenant: TenantId,
    user: Uuid,
    keep: Uuid,
) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::tenant_id.eq(tenant.0))
            .filter(sessions::user_id.eq(user))
            .filter(sessions::id.ne(keep))
            .filter(sessions::ended_at.is_null()),
    )
    .set(sessions::ended_at.eq(Utc::now()))
    .execute(conn)
}

/// One of a person's sessions as their account page lists it.
#[derive(Debug, Clone, Queryable)]
pub struct SessionRow {
    pub id: Uuid,
    pub created_at: chrono::DateTime<Utc>,
    pub last_seen_at: chrono::DateTime<Utc>,
    pub user_agent: Option<String>,
}

/// `user`'s sessions that are still live (not ended, not expired, not idle), newest first.
pub fn live_sessions(
    conn: &mut PgConnection,
    tenant: TenantId,
    user: Uuid,
    idle: Duration,
) -> QueryResult<Vec<SessionRow>> {
    let now = Utc::now();
    sessions::table
        .filter(sessions::tenant_id.eq(tenant.0))
        .filter(sessions::user_id.eq(user))
        .filter(sessions::ended_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .filter(sessions::last_seen_at.gt(now - idle))
        .order(sessions::created_at.desc())
        .select((
            sessions::id,
            sessions::created_at,
            sessions::last_seen_at,
            sessions::user_agent,
        ))
        .load(conn)
}

/// A signed-in tenant admin. Checked before anything else of the request is read, so a person
/// without the role learns nothing from how their form would have been judged.
pub struct AdminStaff(pub Staff);

impl FromRequest for AdminStaff {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let staff = Staff::from_request(req, payload);
        Box::pin(async move {
            let staff = staff.await?;
            staff.require(&[Role::TenantAdmin])?;
            Ok(AdminStaff(staff))
        })
    }
}

/// The form token a staff session's JSON call that changes something carries in `X-CSRF-Token`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FormToken {
    /// Send it as `X-CSRF-Token` with every POST, PUT, PATCH and DELETE of this session.
    pub form_token: String,
    /// The header to send it in: `X-CSRF-Token`.
    pub header: &'static str,
}

/// The form token of the caller's session, for JSON calls signed in with the session's cookie
/// rather than an API key (which needs none). It belongs to the browser's cookie and changes at
/// login.
#[utoipa::path(
    tag = "session",
    responses(
        (status = 200, body = FormToken),
        (status = 401, description = "No staff session (`unauthorized`)", body = crate::web::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/session/form-token")]
pub async fn form_token(_staff: Staff, req: HttpRequest) -> Result<web::Json<FormToken>, AppError> {
    let form_token = crate::web::csrf::token_for(&req);
    if form_token.is_empty() {
        return Err(AppError::Unauthorized);
    }
    Ok(web::Json(FormToken {
        form_token,
        header: "X-CSRF-Token",
    }))
}
