//! The webhook LINK Mobility's delivery-report gate calls: `POST /hooks/sms/linkmobility/{secret}`.
//! The secret in the path is compared in constant time with `sms_webhook_secret`; a report is
//! taken only for a message we sent under the gateway id it names. Anything else is answered
//! without detail: 401 for a wrong secret (or none configured), 404 for an unknown message.

use actix_web::{HttpResponse, post, web};
use secrecy::ExposeSecret;

use super::linkmobility::{Report, reported};
use super::outbox;
use crate::db::DbError;
use crate::web::AppState;

/// A delivery report from LINK Mobility's gate.
#[utoipa::path(
    tag = "hooks",
    params(("secret" = String, Path, description = "the shared secret configured as the gate's URL")),
    request_body(content = String, description = "LINK Mobility's delivery report: {id, refId, resultCode, …}", content_type = "application/json"),
    responses(
        (status = 204, description = "The report is recorded"),
        (status = 400, description = "Not a delivery report (no body)"),
        (status = 401, description = "A wrong secret, or none configured (no body)"),
        (status = 404, description = "No message of ours has this reference (no body)"),
        (status = 503, description = "The database does not answer; the gate sends it again (no body)"),
    )
)]
#[post("/hooks/sms/linkmobility/{secret}")]
pub async fn linkmobility_report(
    state: web::Data<AppState>,
    secret: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let expected = state.settings.sms_webhook_secret.expose_secret();
    if expected.is_empty() || !crate::tokens::same(expected, &secret) {
        return HttpResponse::Unauthorized().finish();
    }
    let Ok(report) = serde_json::from_slice::<Report>(&body) else {
        return HttpResponse::BadRequest().finish();
    };
    let Some((tenant, id)) = outbox::parse_reference(&report.ref_id) else {
        return HttpResponse::NotFound().finish();
    };
    let found = state
        .db
        .tenant(tenant, move |conn| {
            outbox::report(
                conn,
                id,
                &report.id,
                report.result_code,
                reported(report.result_code),
            )
            .map_err(DbError::from)
        })
        .await;
    match found {
        Ok(true) => HttpResponse::NoContent().finish(),
        Ok(false) => HttpResponse::NotFound().finish(),
        Err(error) => {
            tracing::error!(%error, "a delivery report could not be recorded");
            HttpResponse::ServiceUnavailable().finish()
        }
    }
}
