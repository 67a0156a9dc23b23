//! The caller's own service as its admin reads and changes it: `/api/v1/tenant`, the
//! municipalities it serves and its settings (the JSON API and the admin page call the same
//! actions and checks).

use actix_web::{HttpResponse, delete, get, patch, post, web};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::admin::{SettingsForm, parse_settings, store_settings};
use super::{Caller, Role};
use crate::audit;
use crate::db::schema::tenant_municipalities;
use crate::db::{Db, is_unique_violation};
use crate::tenancy::settings::ServiceSettings;
use crate::tenancy::{Kommunenummer, Municipality, Tenant, load_municipalities, load_tenant};
use crate::web::AppState;
use crate::web::i18n::{Lang, Tr};
use crate::web::json::Json;
use crate::web::problem::AppError;
use crate::web::problem::FieldError;
use crate::web::refusal::Refusal;

/// The caller's service with the municipalities it serves.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantView {
    #[serde(flatten)]
    pub tenant: Tenant,
    pub municipalities: Vec<Municipality>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AddMunicipality {
    /// Four digits, e.g. "4624".
    #[schema(pattern = "^[0-9]{4}$")]
    pub kommunenummer: String,
    /// The municipality's name, e.g. "Bjørnafjorden".
    #[schema(max_length = 100)]
    pub name: Option<String>,
}

/// The caller's own service and its municipalities.
#[utoipa::path(
    tag = "tenant",
    responses(
        (status = 200, body = TenantView),
        (status = 401, body = crate::web::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/tenant")]
pub async fn get_tenant(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<TenantView>, AppError> {
    let view = state
        .db
        .tenant(caller.tenant, |conn| {
            Ok::<_, AppError>(TenantView {
                tenant: load_tenant(conn)?,
                municipalities: load_municipalities(conn)?,
            })
        })
        .await?;
    Ok(web::Json(view))
}

/// Add a municipality that the service serves.
#[utoipa::path(
    tag = "tenant",
    request_body = AddMunicipality,
    responses(
        (status = 201, body = Municipality),
        (status = 409, description = "Already served", body = crate::web::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a kommunenummer", body = crate::web::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[post("/api/v1/tenant/municipalities")]
pub async fn add_municipality(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<AddMunicipality>,
) -> Result<HttpResponse, AppError> {
    let added = serve_municipality(
        &state.db,
        &caller,
        &body.kommunenummer,
        body.name.as_deref(),
    )
    .await?;
    Ok(HttpResponse::Created().json(added))
}

/// Stop serving a municipality. A service always serves at least one.
#[utoipa::path(
    tag = "tenant",
    params(("kommunenummer" = String, Path)),
    responses(
        (status = 204),
        (status = 404, body = crate::web::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The last municipality", body = crate::web::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[delete("/api/v1/tenant/municipalities/{kommunenummer}")]
pub async fn remove_municipality(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    stop_serving_municipality(&state.db, &caller, &path).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Adds a municipality the service serves; audited. For the admin page and the JSON API alike.
pub async fn serve_municipality(
    db: &Db,
    caller: &Caller,
    kommunenummer: &str,
    name: Option<&str>,
) -> Result<Municipality, AppError> {
    caller.require(&[Role::TenantAdmin])?;
    let mut errors = Vec::new();
    let number = Kommunenummer::parse(kommunenummer)
        .map_err(|m| errors.push(FieldError::new("kommunenummer", m)));
    let name = match name.map(str::trim).filter(|n| !n.is_empty()) {
        None => Ok(None),
        Some(raw) => crate::fields::required_text(raw, 100)
            .map(Some)
            .map_err(|m| errors.push(FieldError::new("name", m))),
    };
    let (Ok(number), Ok(name)) = (number, name) else {
        return Err(AppError::Validation(errors));
    };
    // A number Statistics Norway's register does not hold is most often a typo; one it will
    // hold after a reform can still be served, with its name written out. (A number served
    // already is refused as such, first.)
    // Only a typed name is stored: the register's is filled in wherever the service's
    // municipalities are read (`tenancy::load_municipalities`), so a corrected register applies.
    let known = crate::tenancy::register::name_of(&number);
    let unnamed = name.is_none() && known.is_none();
    let tenant = caller.tenant;
    let entry = caller
        .audit("municipality.add")
        .object("municipality", &number);
    db.tenant(tenant, move |conn| {
        let inserted = diesel::insert_into(tenant_municipalities::table)
            .values((
                tenant_municipalities::tenant_id.eq(tenant.0),
                tenant_municipalities::kommunenummer.eq(number.as_str()),
                tenant_municipalities::name.eq(&name),
            ))
            .execute(conn);
        match inserted {
            Err(e) if is_unique_violation(&e) => {
                return Err(Refusal::MunicipalityServed
                    .because(format!("the service already serves municipality {number}")));
            }
            other => other?,
        };
        if unnamed {
            return Err(AppError::field(
                "name",
                "this number is not in Statistics Norway's register of municipalities; check the number, or write the municipality's name",
            ));
        }
        audit::record(conn, tenant, entry)?;
        Ok(Municipality {
            kommunenummer: number.to_string(),
            name: name.or_else(|| known.map(str::to_owned)),
        })
    })
    .await
}

/// Stops serving a municipality; a service always keeps at least one. Audited.
pub async fn stop_serving_municipality(
    db: &Db,
    caller: &Caller,
    kommunenummer: &str,
) -> Result<(), AppError> {
    caller.require(&[Role::TenantAdmin])?;
    let number = Kommunenummer::parse(kommunenummer).map_err(|_| AppError::NotFound)?;
    let tenant = caller.tenant;
    let entry = caller
        .audit("municipality.remove")
        .object("municipality", &number);
    db.tenant(tenant, move |conn| {
        let served: i64 = tenant_municipalities::table.count().get_result(conn)?;
        let removed =
            diesel::delete(tenant_municipalities::table.find((tenant.0, number.as_str())))
                .execute(conn)?;
        if removed == 0 {
            return Err(AppError::NotFound);
        }
        if served <= 1 {
            return Err(Refusal::LastMunicipality.because(
                "a service serves at least one municipality; add another before removing this one",
            ));
        }
        audit::record(conn, tenant, entry)?;
        Ok(())
    })
    .await
}

/// The service's settings, as the admin page `/admin` shows them.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsView {
    pub name: String,
    /// The name emails are signed with, when not the service's name.
    pub sender_name: Option<String>,
    /// Where replies to the service's emails go.
    pub reply_to: Option<String>,
    /// The sender SMS show (at most 11 letters or digits).
    pub sms_sender: Option<String>,
    /// An IANA time zone, e.g. `Europe/Oslo`: the zone of every local time.
    pub time_zone: String,
    /// The service's written standard.
    #[schema(pattern = "^(nb|nn)$")]
    pub written: String,
    /// No message goes out from this hour (local time)…
    #[schema(minimum = 0, maximum = 23)]
    pub quiet_start_hour: u32,
    /// …until this hour.
    #[schema(minimum = 0, maximum = 23)]
    pub quiet_end_hour: u32,
    /// A meeting's default length.
    #[schema(minimum = 15, maximum = 720)]
    pub meeting_minutes: u32,
    /// Meeting reminders go this many days before (at most five, each 1–60).
    pub reminder_days: Vec<u32>,
    #[schema(minimum = 1, maximum = 60)]
    pub chase_after_days: u32,
    #[schema(minimum = 0, maximum = 10)]
    pub chase_max: u32,
    #[schema(minimum = 1, maximum = 36)]
    pub map_review_months: u32,
    #[schema(minimum = 1, maximum = 60)]
    pub preparation_check_days: u32,
    #[schema(minimum = 1, maximum = 18)]
    pub evaluation_age_years: u32,
    #[schema(minimum = 1, maximum = 36)]
    pub evaluation_months_younger: u32,
    #[schema(minimum = 1, maximum = 36)]
    pub evaluation_months_older: u32,
    #[schema(minimum = 0, maximum = 60)]
    pub commitment_notice_days: u32,
    #[schema(minimum = 1, maximum = 120)]
    pub evaluation_undocumented_days: u32,
    #[schema(minimum = 0, maximum = 26)]
    pub follow_up_weeks_ahead: u32,
    #[schema(minimum = 1, maximum = 60)]
    pub interview_reminder_days: u32,
    #[schema(minimum = 1, maximum = 90)]
    pub decision_overdue_days: u32,
}

impl From<ServiceSettings> for SettingsView {
    fn from(s: ServiceSettings) -> Self {
        Self {
            name: s.name,
            sender_name: s.sender_name,
            reply_to: s.reply_to,
            sms_sender: s.sms_sender,
            time_zone: s.tz.name().to_owned(),
            written: s.lang.as_str().to_owned(),
            quiet_start_hour: s.quiet_hours.start_hour,
            quiet_end_hour: s.quiet_hours.end_hour,
            meeting_minutes: s.meeting_minutes,
            reminder_days: s.reminder_days,
            chase_after_days: s.chase_after_days,
            chase_max: s.chase_max,
            map_review_months: s.map_review_months,
            preparation_check_days: s.preparation_check_days,
            evaluation_age_years: s.evaluation_age_years,
            evaluation_months_younger: s.evaluation_months_younger,
            evaluation_months_older: s.evaluation_months_older,
            commitment_notice_days: s.commitment_notice_days,
            evaluation_undocumented_days: s.evaluation_undocumented_days,
            follow_up_weeks_ahead: s.follow_up_weeks_ahead,
            interview_reminder_days: s.interview_reminder_days,
            decision_overdue_days: s.decision_overdue_days,
        }
    }
}

/// A change to the service's settings: each field given is set, each left out stays as it is.
/// The texts `sender_name`, `reply_to` and `sms_sender` are cleared with `""`. Every field is
/// checked as on the admin page, and every wrong one named at once.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsChange {
    #[schema(max_length = 200)]
    pub name: Option<String>,
    #[schema(max_length = 100)]
    pub sender_name: Option<String>,
    #[schema(format = Email)]
    pub reply_to: Option<String>,
    pub sms_sender: Option<String>,
    pub time_zone: Option<String>,
    /// `nb` or `nn`.
    #[schema(pattern = "^(nb|nn)$")]
    pub written: Option<String>,
    #[serde(default, deserialize_with = "crate::fields::number")]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 23)]
    pub quiet_start_hour: Option<String>,
    #[serde(default, deserialize_with = "crate::fields::number")]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 23)]
    pub quiet_end_hour: Option<String>,
    #[serde(default, deserialize_with = "crate::fields::number")]
    #[schema(value_type = Option<i32>, minimum = 15, maximum = 720)]
    pub meeting_minutes: Option<String>,
    /// At most five different days, each 1–60.
    #[schema(value_type = Option<Vec<i32>>, max_items = 5)]
    pub reminder_days: Option<Vec<serde_json::Number>>,
    #[serde(default, deserialize_with = "crate::fields::number")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 60)]
    pub chase_after_days: Option<String>,
    #[serde(default, deserialize_with = "crate::fields::number")]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 10)]
    pub chase_max: Option<String>,
    #[serde(default, deserialize_with = "crate::fields::number")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 36)]
    pub map_review_months: Option<String>,
    #[serde(default, deserialize_with = "crate::fields::number")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 60)]
    pub preparation_check_days: Option<String>,
    #[serde(default, deserialize_with = "crate::fields::number")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 18)]
    pub evaluation_age_years: Option<String>,
    #[serde(default, deserialize_with = "crate::fields::number")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 36)]
    pub evaluation_months_younger: Option<String>,
    #[serde(default, deserialize_with = "crate::fields::number")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 36)]
    pub evaluation_months_older: Option<String>,
    #[serde(default, deserialize_with = "crate::fields::number")]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 60)]
    pub commitment_notice_days: Option<String>,
    #[serde(default, deserialize_with = "crate::fields::number")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 120)]
    pub evaluation_undocumented_days: Option<String>,
    #[serde(default, deserialize_with = "crate::fields::number")]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 26)]
    pub follow_up_weeks_ahead: Option<String>,
    #[serde(default, deserialize_with = "crate::fields::number")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 60)]
    pub interview_reminder_days: Option<String>,
    #[serde(default, deserialize_with = "crate::fields::number")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 90)]
    pub decision_overdue_days: Option<String>,
}

impl SettingsChange {
    /// `form` (the settings as stored) with this change's fields over it.
    fn over(self, mut form: SettingsForm) -> SettingsForm {
        let set = |into: &mut String, value: Option<String>| {
            if let Some(value) = value {
                *into = value;
            }
        };
        set(&mut form.name, self.name);
        set(&mut form.sender_name, self.sender_name);
        set(&mut form.reply_to, self.reply_to);
        set(&mut form.sms_sender, self.sms_sender);
        set(&mut form.time_zone, self.time_zone);
        set(&mut form.written, self.written);
        set(&mut form.quiet_start_hour, self.quiet_start_hour);
        set(&mut form.quiet_end_hour, self.quiet_end_hour);
        set(&mut form.meeting_minutes, self.meeting_minutes);
        set(
            &mut form.reminder_days,
            self.reminder_days.map(|days| {
                days.iter()
                    .map(|n| crate::fields::whole(n).map_or(n.to_string(), |w| w.to_string()))
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
        );
        set(&mut form.chase_after_days, self.chase_after_days);
        set(&mut form.chase_max, self.chase_max);
        set(&mut form.map_review_months, self.map_review_months);
        set(
            &mut form.preparation_check_days,
            self.preparation_check_days,
        );
        set(&mut form.evaluation_age_years, self.evaluation_age_years);
        set(
            &mut form.evaluation_months_younger,
            self.evaluation_months_younger,
        );
        set(
            &mut form.evaluation_months_older,
            self.evaluation_months_older,
        );
        set(
            &mut form.commitment_notice_days,
            self.commitment_notice_days,
        );
        set(
            &mut form.evaluation_undocumented_days,
            self.evaluation_undocumented_days,
        );
        set(&mut form.follow_up_weeks_ahead, self.follow_up_weeks_ahead);
        set(
            &mut form.interview_reminder_days,
            self.interview_reminder_days,
        );
        set(&mut form.decision_overdue_days, self.decision_overdue_days);
        form
    }
}

/// The settings as the one reader of them parses them.
async fn read_settings(db: &Db, caller: &Caller) -> Result<ServiceSettings, AppError> {
    db.tenant(caller.tenant, |conn| {
        Ok::<_, AppError>(ServiceSettings::load(conn)?)
    })
    .await
}

/// The service's settings: quiet hours, reminders, chases, the evaluation rule, the sender and
/// the written standard, as on the admin page. The service's admin only.
#[utoipa::path(
    tag = "tenant",
    responses(
        (status = 200, body = SettingsView),
        (status = 401, body = crate::web::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the service's admin (`forbidden`)", body = crate::web::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[get("/api/v1/tenant/settings")]
pub async fn get_settings(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<SettingsView>, AppError> {
    caller.require(&[Role::TenantAdmin])?;
    Ok(web::Json(read_settings(&state.db, &caller).await?.into()))
}

/// Changes the service's settings: the fields given, checked as on the admin page (every wrong
/// field named at once, nothing saved then), audited `tenant.settings` like the page. Answers
/// the settings as saved. The service's admin only.
#[utoipa::path(
    tag = "tenant",
    request_body = SettingsChange,
    responses(
        (status = 200, body = SettingsView),
        (status = 400, description = "Not JSON, or not a JSON object (`malformed-request`)", body = crate::web::problem::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::web::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the service's admin (`forbidden`)", body = crate::web::problem::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json (`unsupported-media-type`)", body = crate::web::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong fields, or fields the settings do not have, each named with what to fix (`validation`)", body = crate::web::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[patch("/api/v1/tenant/settings")]
pub async fn change_settings(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<SettingsChange>,
) -> Result<web::Json<SettingsView>, AppError> {
    caller.require(&[Role::TenantAdmin])?;
    let stored = read_settings(&state.db, &caller).await?;
    let form = body.into_inner().over(SettingsForm::from(&stored));
    let parsed = parse_settings(&form).map_err(|errors| {
        let en = Tr::new(Lang::En);
        AppError::Validation(
            errors
                .into_iter()
                .map(|(field, key)| FieldError::new(field, en.t(key)))
                .collect(),
        )
    })?;
    store_settings(&state.db, &caller, parsed).await?;
    Ok(web::Json(read_settings(&state.db, &caller).await?.into()))
}
