//! The [`Caller`] extractor: authenticates a request and tells its tenant, role and actor.

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures::future::LocalBoxFuture;
use tracing_actix_web::RequestId;
use uuid::Uuid;

use super::Role;
use super::api_keys;
use super::session::Staff;
use crate::audit::{Actor, AuditEntry};
use crate::db::TenantId;
use crate::web::AppState;
use crate::web::problem::AppError;

/// An authenticated caller of the JSON API: an API key (`Authorization: Bearer`) or a staff
/// session (the browser's cookie).
#[derive(Debug, Clone)]
pub struct Caller {
    pub tenant: TenantId,
    pub role: Role,
    pub actor: Actor,
    /// The staff member behind the request: the session's person, or the person an API key acts
    /// for. Case data is visible only through a person assigned to the case.
    pub user: Option<Uuid>,
    pub request_id: Option<String>,
}

impl Caller {
    /// Refuses with 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The staff member behind the request, for what needs a person; an API key that acts for
    /// nobody is told so ([`AppError::ActsForNobody`]), not that its role does not allow it.
    pub fn person(&self) -> Result<Uuid, AppError> {
        self.user.ok_or(AppError::ActsForNobody)
    }

    /// An audit entry for this caller and request.
    pub fn audit(&self, action: &'static str) -> AuditEntry {
        AuditEntry::new(&self.actor, action).request(self.request_id.as_deref())
    }
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
        let bearer = req
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|v| v.trim().to_owned());
        if bearer.is_none() && req.headers().get(AUTHORIZATION).is_none() {
            // A staff session from the browser. A request that changes something must also
            // carry the page's form token in X-CSRF-Token, so another site cannot send it.
            let safe = req.method().is_safe();
            let presented = req
                .headers()
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let expected = crate::web::csrf::token_for(req);
            let staff = Staff::from_request(req, payload);
            return Box::pin(async move {
                let staff = staff.await?;
                if !safe && (expected.is_empty() || !crate::tokens::same(&presented, &expected)) {
                    return Err(AppError::CsrfRejected);
                }
                Ok(staff.caller())
            });
        }
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::Internal("no app state".into()))?;
            let key = bearer.ok_or(AppError::Unauthorized)?;
            let found = api_keys::authenticate(&state.db, &key)
                .await?
                .ok_or(AppError::Unauthorized)?;
            Ok(Caller {
                tenant: found.tenant,
                role: found.role,
                actor: Actor::ApiKey(found.key_id),
                user: found.user,
                request_id,
            })
        })
    }
}
