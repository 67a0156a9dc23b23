//! The registrations' one table, read and written inside the caller's tenant transaction.
//! Nothing here checks who asks: the actions open the case first.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use super::domain::Answers;
use crate::db::TenantId;
use crate::db::schema::measure_registrations;
use crate::web::problem::AppError;

/// What is kept of a measure's registration.
#[derive(Debug, Clone)]
pub struct Kept {
    pub answers: Answers,
    pub updated_at: DateTime<Utc>,
}

/// The answers kept for `council_id`, if any were saved.
pub fn registration(conn: &mut PgConnection, council_id: Uuid) -> Result<Option<Kept>, AppError> {
    let row: Option<(serde_json::Value, DateTime<Utc>)> = measure_registrations::table
        .filter(measure_registrations::council_id.eq(council_id))
        .select((
            measure_registrations::answers,
            measure_registrations::updated_at,
        ))
        .first(conn)
        .optional()?;
    row.map(|(answers, updated_at)| {
        let answers = serde_json::from_value(answers)
            .map_err(|e| AppError::Internal(format!("stored answers are unreadable: {e}")))?;
        Ok(Kept {
            answers,
            updated_at,
        })
    })
    .transpose()
}

/// The answers kept for each of `councils`, by council.
pub fn registrations(
    conn: &mut PgConnection,
    councils: &[Uuid],
) -> Result<Vec<(Uuid, Answers)>, AppError> {
    let rows: Vec<(Uuid, serde_json::Value)> = measure_registrations::table
        .filter(measure_registrations::council_id.eq_any(councils))
        .select((
            measure_registrations::council_id,
            measure_registrations::answers,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, answers)| {
            let answers = serde_json::from_value(answers)
                .map_err(|e| AppError::Internal(format!("stored answers are unreadable: {e}")))?;
            Ok((id, answers))
        })
        .collect()
}

/// Keeps `answers` as the registration of `council_id`, replacing what was kept.
pub fn save(
    conn: &mut PgConnection,
    tenant: TenantId,
    case_id: Uuid,
    council_id: Uuid,
    answers: &Answers,
    by: Uuid,
) -> Result<(), AppError> {
    let value = serde_json::to_value(answers)
        .map_err(|e| AppError::Internal(format!("the answers could not be kept: {e}")))?;
    let now = Utc::now();
    diesel::insert_into(measure_registrations::table)
        .values((
            measure_registrations::tenant_id.eq(tenant.0),
            measure_registrations::council_id.eq(council_id),
            measure_registrations::case_id.eq(case_id),
            measure_registrations::answers.eq(&value),
            measure_registrations::updated_by.eq(by),
        ))
        .on_conflict((
            measure_registrations::tenant_id,
            measure_registrations::council_id,
        ))
        .do_update()
        .set((
            measure_registrations::answers.eq(&value),
            measure_registrations::updated_by.eq(by),
            measure_registrations::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}
