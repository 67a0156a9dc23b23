//! The tenant admin's pages: the service's settings and municipalities, its staff, the audit log
//! and the outgoing messages. Tenant admins manage the service; they see no case data here.

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;
use serde::Deserialize;
use uuid::Uuid;

use super::Role;
use super::account_links::{self, Purpose};
use super::factor::{self, FactorStore};
use super::session::{self, AdminStaff, Staff};
use crate::audit;
use crate::db::schema::{account_tokens, audit_log, jobs, tenants, user_factors, users};
use crate::db::{TenantId, is_unique_violation};
use crate::fields::{Email, required_text};
use crate::jobs::JobStatus;
use crate::tenancy::{self, Municipality};
use crate::web::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::form_errors::FormFailure;
use crate::web::i18n::{Lang, Tr};
use crate::web::pages::{Shell, render};
use crate::web::problem::AppError;
use crate::web::refusal::Refusal;

fn back_to(path: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, path.to_owned()))
        .finish()
}

/// The service's settings as the form shows them.
#[derive(Debug, Clone, Queryable)]
pub struct ServiceSettings {
    pub name: String,
    pub sender_name: Option<String>,
    pub reply_to: Option<String>,
    pub time_zone: String,
    pub quiet_start_hour: i16,
    pub quiet_end_hour: i16,
    pub meeting_minutes: i32,
    pub reminder_days: Vec<i32>,
    pub chase_after_days: i32,
    pub chase_max: i32,
    pub map_review_months: i32,
    pub preparation_check_days: i32,
    /// The evaluation-date rule: a child under `evaluation_age_years` is evaluated within
    /// `evaluation_months_younger`, an older child within `evaluation_months_older`.
    pub evaluation_age_years: i32,
    pub evaluation_months_younger: i32,
    pub evaluation_months_older: i32,
    pub commitment_notice_days: i32,
    pub evaluation_undocumented_days: i32,
    /// The agreed evaluation opens its follow-up this many weeks before its date.
    pub follow_up_weeks_ahead: i32,
    /// A recruitment's interviews not recorded this many days after the form: the foster care
    /// officer is reminded.
    pub interview_reminder_days: i32,
    /// A recruitment's decision not made this many days after matching: the caseworker is told.
    pub decision_overdue_days: i32,
    /// The sender SMS show (at most 11 letters or digits); derived from the sender name if none.
    pub sms_sender: Option<String>,
    /// The service's written standard, `nb` or `nn` (empty in a posted form: unchanged).
    pub written: String,
}

impl ServiceSettings {
    pub fn reminder_days_text(&self) -> String {
        self.reminder_days
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn load_settings(conn: &mut PgConnection) -> QueryResult<ServiceSettings> {
    tenants::table
        .select((
            tenants::name,
            tenants::sender_name,
            tenants::reply_to,
            tenants::time_zone,
            tenants::quiet_start_hour,
            tenants::quiet_end_hour,
            tenants::meeting_minutes,
            tenants::reminder_days,
            tenants::chase_after_days,
            tenants::chase_max,
            tenants::map_review_months,
            tenants::preparation_check_days,
            tenants::evaluation_age_years,
            tenants::evaluation_months_younger,
            tenants::evaluation_months_older,
            tenants::commitment_notice_days,
            tenants::evaluation_undocumented_days,
            tenants::follow_up_weeks_ahead,
            tenants::interview_reminder_days,
            tenants::decision_overdue_days,
            tenants::sms_sender,
            tenants::locale,
        ))
        .first(conn)
}

#[derive(Template)]
#[template(path = "access/admin_settings.html")]
struct SettingsPage {
    tr: Tr,
    shell: Shell,
    /// The settings as stored, or as typed after a failed save.
    form: SettingsForm,
    /// Each wrong field's message at its input, after a failed save.
    failure: FormFailure,
    municipalities: Vec<Municipality>,
    saved: bool,
    hours: Vec<i16>,
    second_factor_required: bool,
    /// The form that adds a municipality: as typed, and what was wrong, after a failed attempt.
    municipality: MunicipalityAttempt,
}

/// A failed change to the municipalities, shown at its form: what was typed, each wrong field's
/// message at its input, and a refusal's sentence above the table.
#[derive(Debug, Default)]
pub struct MunicipalityAttempt {
    pub kommunenummer: String,
    pub name: String,
    pub failure: FormFailure,
}

/// The zones a Norwegian service is likely to want, offered first.
const COMMON_ZONES: [&str; 6] = [
    "Europe/Oslo",
    "Arctic/Longyearbyen",
    "Europe/Stockholm",
    "Europe/Copenhagen",
    "Europe/Helsinki",
    "UTC",
];

impl SettingsPage {
    /// The written standards the service can choose.
    fn standards(&self) -> [Lang; 2] {
        Lang::STANDARDS
    }

    /// The time-zone picker's first group.
    fn common_zones(&self) -> [&'static str; 6] {
        COMMON_ZONES
    }

    /// Every other zone of the IANA database the service can be in, by name.
    fn other_zones(&self) -> Vec<&'static str> {
        let mut zones: Vec<&'static str> = chrono_tz::TZ_VARIANTS
            .iter()
            .map(|z| z.name())
            .filter(|z| !COMMON_ZONES.contains(z))
            .collect();
        zones.sort_unstable();
        zones
    }
}

#[derive(Debug, Deserialize)]
pub struct SavedQuery {
    pub saved: Option<String>,
}

#[get("/admin")]
pub async fn settings_page(
    state: web::Data<AppState>,
    AdminStaff(staff): AdminStaff,
    tr: Tr,
    query: web::Query<SavedQuery>,
) -> Result<HttpResponse, AppError> {
    settings_response(
        &state,
        staff,
        tr,
        StatusCode::OK,
        query.saved.is_some(),
        MunicipalityAttempt::default(),
    )
    .await
}

/// The settings page as stored, with `municipality` at its form.
async fn settings_response(
    state: &AppState,
    staff: Staff,
    tr: Tr,
    status: StatusCode,
    saved: bool,
    municipality: MunicipalityAttempt,
) -> Result<HttpResponse, AppError> {
    let (settings, municipalities, second_factor_required) = state
        .db
        .tenant(staff.tenant, |conn| {
            Ok::<_, AppError>((
                load_settings(conn)?,
                tenancy::load_municipalities(conn)?,
                tenants::table
                    .select(tenants::second_factor_required)
                    .first(conn)?,
            ))
        })
        .await?;
    render(
        status,
        &SettingsPage {
            tr,
            shell: staff.shell,
            form: SettingsForm::from(&settings),
            failure: FormFailure::default(),
            municipalities,
            saved,
            hours: (0..24).collect(),
            second_factor_required,
            municipality,
        },
    )
}

/// Missing fields read as empty, so they are judged (after the role) like empty ones.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    pub name: String,
    pub sender_name: String,
    pub reply_to: String,
    pub time_zone: String,
    pub quiet_start_hour: String,
    pub quiet_end_hour: String,
    pub meeting_minutes: String,
    pub reminder_days: String,
    pub chase_after_days: String,
    pub chase_max: String,
    pub map_review_months: String,
    pub preparation_check_days: String,
    pub evaluation_age_years: String,
    pub evaluation_months_younger: String,
    pub evaluation_months_older: String,
    pub commitment_notice_days: String,
    pub evaluation_undocumented_days: String,
    pub follow_up_weeks_ahead: String,
    pub interview_reminder_days: String,
    pub decision_overdue_days: String,
    pub sms_sender: String,
    /// `nb` or `nn`; empty leaves the written standard as it is.
    pub written: String,
}

fn number_in<T: std::str::FromStr + PartialOrd>(text: &str, low: T, high: T) -> Option<T> {
    text.trim()
        .parse::<T>()
        .ok()
        .filter(|n| *n >= low && *n <= high)
}

/// The service's settings as stored, in the form's words: what the page shows before a change.
impl From<&ServiceSettings> for SettingsForm {
    fn from(s: &ServiceSettings) -> Self {
        Self {
            name: s.name.clone(),
            sender_name: s.sender_name.clone().unwrap_or_default(),
            reply_to: s.reply_to.clone().unwrap_or_default(),
            time_zone: s.time_zone.clone(),
            quiet_start_hour: s.quiet_start_hour.to_string(),
            quiet_end_hour: s.quiet_end_hour.to_string(),
            meeting_minutes: s.meeting_minutes.to_string(),
            reminder_days: s.reminder_days_text(),
            chase_after_days: s.chase_after_days.to_string(),
            chase_max: s.chase_max.to_string(),
            map_review_months: s.map_review_months.to_string(),
            preparation_check_days: s.preparation_check_days.to_string(),
            evaluation_age_years: s.evaluation_age_years.to_string(),
            evaluation_months_younger: s.evaluation_months_younger.to_string(),
            evaluation_months_older: s.evaluation_months_older.to_string(),
            commitment_notice_days: s.commitment_notice_days.to_string(),
            evaluation_undocumented_days: s.evaluation_undocumented_days.to_string(),
            follow_up_weeks_ahead: s.follow_up_weeks_ahead.to_string(),
            interview_reminder_days: s.interview_reminder_days.to_string(),
            decision_overdue_days: s.decision_overdue_days.to_string(),
            sms_sender: s.sms_sender.clone().unwrap_or_default(),
            written: s.written.clone(),
        }
    }
}

/// The service's settings as the one reader parsed them, in the form's words: what a change
/// through the JSON API starts from.
impl From<&tenancy::settings::ServiceSettings> for SettingsForm {
    fn from(s: &tenancy::settings::ServiceSettings) -> Self {
        Self {
            name: s.name.clone(),
            sender_name: s.sender_name.clone().unwrap_or_default(),
            reply_to: s.reply_to.clone().unwrap_or_default(),
            time_zone: s.tz.name().to_owned(),
            quiet_start_hour: s.quiet_hours.start_hour.to_string(),
            quiet_end_hour: s.quiet_hours.end_hour.to_string(),
            meeting_minutes: s.meeting_minutes.to_string(),
            reminder_days: s
                .reminder_days
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            chase_after_days: s.chase_after_days.to_string(),
            chase_max: s.chase_max.to_string(),
            map_review_months: s.map_review_months.to_string(),
            preparation_check_days: s.preparation_check_days.to_string(),
            evaluation_age_years: s.evaluation_age_years.to_string(),
            evaluation_months_younger: s.evaluation_months_younger.to_string(),
            evaluation_months_older: s.evaluation_months_older.to_string(),
            commitment_notice_days: s.commitment_notice_days.to_string(),
            evaluation_undocumented_days: s.evaluation_undocumented_days.to_string(),
            follow_up_weeks_ahead: s.follow_up_weeks_ahead.to_string(),
            interview_reminder_days: s.interview_reminder_days.to_string(),
            decision_overdue_days: s.decision_overdue_days.to_string(),
            sms_sender: s.sms_sender.clone().unwrap_or_default(),
            written: s.lang.as_str().to_owned(),
        }
    }
}

/// A wrong field of the settings form: its input id and the catalogue key of its message.
pub(super) type SettingsError = (&'static str, &'static str);

/// Parses the form, naming every wrong field by its input id and its message's catalogue key
/// (a rule over two or three fields names each of them that is wrong).
pub(super) fn parse_settings(form: &SettingsForm) -> Result<ServiceSettings, Vec<SettingsError>> {
    let mut errors: Vec<SettingsError> = Vec::new();
    // A whole number of `field` within `low..=high`, or its message at the field.
    fn whole(
        errors: &mut Vec<SettingsError>,
        field: &'static str,
        text: &str,
        low: i32,
        high: i32,
        key: &'static str,
    ) -> i32 {
        let n = number_in(text, low, high);
        if n.is_none() {
            errors.push((field, key));
        }
        n.unwrap_or(low)
    }
    let name = required_text(&form.name, 200)
        .map_err(|_| errors.push(("name", "admin.error.name")))
        .unwrap_or_default();
    let optional = |text: &str| {
        Some(text.trim())
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    let sender_name = optional(&form.sender_name).and_then(|text| {
        required_text(&text, 100)
            .map_err(|_| errors.push(("sender_name", "admin.error.sender_name")))
            .ok()
    });
    let sms_sender = match optional(&form.sms_sender) {
        Some(text)
            if crate::sms::valid_sender(&text)
                && !tenancy::sender::reveals_child_welfare(&text) =>
        {
            Some(text)
        }
        Some(_) => {
            errors.push(("sms_sender", "admin.error.sms_sender"));
            None
        }
        None => None,
    };
    let reply_to = optional(&form.reply_to).and_then(|text| {
        Email::parse(&text)
            .map(|e| e.to_string())
            .map_err(|_| errors.push(("reply_to", "admin.error.reply_to")))
            .ok()
    });
    let written = match form.written.trim() {
        "" => String::new(),
        code => match Lang::parse(code).filter(|l| Lang::STANDARDS.contains(l)) {
            Some(lang) => lang.as_str().to_owned(),
            None => {
                errors.push(("written", "person_language.error.written"));
                String::new()
            }
        },
    };
    let time_zone = tenancy::domain::parse_time_zone(&form.time_zone)
        .map(|tz| tz.name().to_owned())
        .map_err(|_| errors.push(("time_zone", "admin.error.time_zone")))
        .unwrap_or_default();
    let hours = "admin.error.quiet_hours";
    let quiet_start_hour = whole(
        &mut errors,
        "quiet_start_hour",
        &form.quiet_start_hour,
        0,
        23,
        hours,
    );
    let quiet_end_hour = whole(
        &mut errors,
        "quiet_end_hour",
        &form.quiet_end_hour,
        0,
        23,
        hours,
    );
    let meeting_minutes = whole(
        &mut errors,
        "meeting_minutes",
        &form.meeting_minutes,
        15,
        720,
        "admin.error.meeting_minutes",
    );
    let mut reminder_days: Vec<i32> = Vec::new();
    let mut days_ok = true;
    for part in form
        .reminder_days
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match number_in(part, 1, 60) {
            Some(d) if !reminder_days.contains(&d) => reminder_days.push(d),
            _ => days_ok = false,
        }
    }
    if !days_ok || reminder_days.len() > 5 {
        errors.push(("reminder_days", "admin.error.reminder_days"));
    }
    reminder_days.sort_unstable_by(|a, b| b.cmp(a));
    let chase = "admin.error.chase";
    let chase_after_days = whole(
        &mut errors,
        "chase_after_days",
        &form.chase_after_days,
        1,
        60,
        chase,
    );
    let chase_max = whole(&mut errors, "chase_max", &form.chase_max, 0, 10, chase);
    let preparation_check_days = whole(
        &mut errors,
        "preparation_check_days",
        &form.preparation_check_days,
        1,
        60,
        "admin.error.preparation_check_days",
    );
    let map_review_months = whole(
        &mut errors,
        "map_review_months",
        &form.map_review_months,
        1,
        36,
        "admin.error.map_review_months",
    );
    let rule = "admin.error.evaluation_rule";
    let evaluation_age_years = whole(
        &mut errors,
        "evaluation_age_years",
        &form.evaluation_age_years,
        1,
        18,
        rule,
    );
    let evaluation_months_younger = whole(
        &mut errors,
        "evaluation_months_younger",
        &form.evaluation_months_younger,
        1,
        36,
        rule,
    );
    let evaluation_months_older = whole(
        &mut errors,
        "evaluation_months_older",
        &form.evaluation_months_older,
        1,
        36,
        rule,
    );
    let plans = "admin.error.plan_reminders";
    let commitment_notice_days = whole(
        &mut errors,
        "commitment_notice_days",
        &form.commitment_notice_days,
        0,
        60,
        plans,
    );
    let evaluation_undocumented_days = whole(
        &mut errors,
        "evaluation_undocumented_days",
        &form.evaluation_undocumented_days,
        1,
        120,
        plans,
    );
    let follow_up_weeks_ahead = whole(
        &mut errors,
        "follow_up_weeks_ahead",
        &form.follow_up_weeks_ahead,
        0,
        26,
        "admin.follow_up.error",
    );
    let recruitment = "admin.recruitment.error";
    let interview_reminder_days = whole(
        &mut errors,
        "interview_reminder_days",
        &form.interview_reminder_days,
        1,
        60,
        recruitment,
    );
    let decision_overdue_days = whole(
        &mut errors,
        "decision_overdue_days",
        &form.decision_overdue_days,
        1,
        90,
        recruitment,
    );
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ServiceSettings {
        name,
        sender_name,
        reply_to,
        time_zone,
        // In 0..=23: checked above.
        quiet_start_hour: quiet_start_hour as i16,
        quiet_end_hour: quiet_end_hour as i16,
        meeting_minutes,
        reminder_days,
        chase_after_days,
        chase_max,
        map_review_months,
        preparation_check_days,
        evaluation_age_years,
        evaluation_months_younger,
        evaluation_months_older,
        commitment_notice_days,
        evaluation_undocumented_days,
        follow_up_weeks_ahead,
        interview_reminder_days,
        decision_overdue_days,
        sms_sender,
        written,
    })
}

#[post("/admin")]
pub async fn save_settings(
    state: web::Data<AppState>,
    AdminStaff(staff): AdminStaff,
    tr: Tr,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    let tenant = staff.tenant;
    let parsed = match parse_settings(&form) {
        Ok(parsed) => parsed,
        Err(errors) => {
            let (municipalities, second_factor_required) = state
                .db
                .tenant(tenant, |conn| {
                    Ok::<_, AppError>((
                        tenancy::load_municipalities(conn)?,
                        tenants::table
                            .select(tenants::second_factor_required)
                            .first(conn)?,
                    ))
                })
                .await?;
            let failure = FormFailure {
                fields: errors
                    .iter()
                    .map(|(id, key)| ((*id).to_owned(), tr.t(key).to_owned()))
                    .collect(),
                problem: None,
            };
            return render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &SettingsPage {
                    tr,
                    shell: staff.shell,
                    form,
                    failure,
                    municipalities,
                    saved: false,
                    hours: (0..24).collect(),
                    second_factor_required,
                    municipality: MunicipalityAttempt::default(),
                },
            );
        }
    };
    store_settings(&state.db, &staff.caller(), parsed).await?;
    Ok(back_to("/admin?saved=1"))
}

/// Saves `parsed` as the service's settings, audited `tenant.settings`: for the admin page and
/// the JSON API alike.
pub(super) async fn store_settings(
    db: &crate::db::Db,
    caller: &super::Caller,
    parsed: ServiceSettings,
) -> Result<(), AppError> {
    let tenant = caller.tenant;
    let entry = caller.audit("tenant.settings").object("tenant", tenant);
    db.tenant(tenant, move |conn| {
        diesel::update(tenants::table.find(tenant.0))
            .set((
                tenants::name.eq(&parsed.name),
                tenants::sender_name.eq(&parsed.sender_name),
                tenants::sms_sender.eq(&parsed.sms_sender),
                tenants::reply_to.eq(&parsed.reply_to),
                tenants::time_zone.eq(&parsed.time_zone),
                tenants::quiet_start_hour.eq(parsed.quiet_start_hour),
                tenants::quiet_end_hour.eq(parsed.quiet_end_hour),
                tenants::meeting_minutes.eq(parsed.meeting_minutes),
                tenants::reminder_days.eq(&parsed.reminder_days),
                tenants::chase_after_days.eq(parsed.chase_after_days),
                tenants::chase_max.eq(parsed.chase_max),
                tenants::map_review_months.eq(parsed.map_review_months),
                tenants::preparation_check_days.eq(parsed.preparation_check_days),
                tenants::evaluation_age_years.eq(parsed.evaluation_age_years),
                tenants::evaluation_months_younger.eq(parsed.evaluation_months_younger),
                tenants::evaluation_months_older.eq(parsed.evaluation_months_older),
                tenants::commitment_notice_days.eq(parsed.commitment_notice_days),
                tenants::evaluation_undocumented_days.eq(parsed.evaluation_undocumented_days),
                tenants::follow_up_weeks_ahead.eq(parsed.follow_up_weeks_ahead),
                tenants::interview_reminder_days.eq(parsed.interview_reminder_days),
                tenants::decision_overdue_days.eq(parsed.decision_overdue_days),
            ))
            .execute(conn)?;
        if !parsed.written.is_empty() {
            diesel::update(tenants::table.find(tenant.0))
                .set(tenants::locale.eq(&parsed.written))
                .execute(conn)?;
        }
        audit::record(conn, tenant, entry)?;
        Ok::<_, AppError>(())
    })
    .await
}

/// Missing fields read as empty, so they are judged (after the role) like empty ones.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MunicipalityForm {
    pub kommunenummer: String,
    pub name: Option<String>,
}

/// Adds a municipality from the settings page. Bad input comes back at the form, with what was
/// typed and the reason.
#[post("/admin/municipalities")]
pub async fn add_municipality(
    state: web::Data<AppState>,
    AdminStaff(staff): AdminStaff,
    tr: Tr,
    CsrfForm(form): CsrfForm<MunicipalityForm>,
) -> Result<HttpResponse, AppError> {
    let result = super::service::serve_municipality(
        &state.db,
        &staff.caller(),
        &form.kommunenummer,
        form.name.as_deref(),
    )
    .await;
    let failure = match result {
        Ok(_) => return Ok(back_to("/admin?saved=1#municipalities")),
        Err(e) => match FormFailure::of(&e, &tr, |field| match field {
            "name" => "municipality_name".to_owned(),
            other => other.to_owned(),
        }) {
            Some(failure) => failure,
            None => return Err(e),
        },
    };
    let attempt = MunicipalityAttempt {
        kommunenummer: form.kommunenummer,
        name: form.name.unwrap_or_default(),
        failure,
    };
    settings_response(
        &state,
        staff,
        tr,
        StatusCode::UNPROCESSABLE_ENTITY,
        false,
        attempt,
    )
    .await
}

/// Stops serving a municipality; the last one stays, and the page says why.
#[post("/admin/municipalities/{kommunenummer}/remove")]
pub async fn remove_municipality(
    state: web::Data<AppState>,
    AdminStaff(staff): AdminStaff,
    tr: Tr,
    path: web::Path<String>,
    CsrfForm(_): CsrfForm<super::login::Empty>,
) -> Result<HttpResponse, AppError> {
    match super::service::stop_serving_municipality(&state.db, &staff.caller(), &path).await {
        Ok(()) => Ok(back_to("/admin?saved=1#municipalities")),
        Err(e @ AppError::Refused { .. }) => {
            let failure = FormFailure::of(&e, &tr, str::to_owned).unwrap_or_default();
            settings_response(
                &state,
                staff,
                tr,
                StatusCode::CONFLICT,
                false,
                MunicipalityAttempt {
                    failure,
                    ..MunicipalityAttempt::default()
                },
            )
            .await
        }
        Err(other) => Err(other),
    }
}

/// A staff member as the admin sees them.
#[derive(Debug, Clone, Queryable)]
pub struct StaffRow {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub active: bool,
    pub has_password: bool,
    pub last_login_at: Option<DateTime<Utc>>,
}

#[derive(Template)]
#[template(path = "access/admin_staff.html")]
struct StaffPage {
    tr: Tr,
    shell: Shell,
    /// Each person, and whether it is the admin looking (who cannot deactivate themselves).
    staff: Vec<(StaffRow, bool)>,
    /// Who has a second factor set up.
    factors: std::collections::HashSet<Uuid>,
    roles: Vec<&'static str>,
    error: Option<&'static str>,
    notice: Option<&'static str>,
    /// The invitation form: as typed, and what was wrong, after a failed attempt.
    invite: InviteForm,
    /// The invitation's wrong fields, each at its input.
    invite_failure: FormFailure,
}

#[derive(Debug, Deserialize)]
pub struct StaffQuery {
    pub problem: Option<String>,
    pub done: Option<String>,
}

fn staff_message(query: &StaffQuery) -> (Option<&'static str>, Option<&'static str>) {
    let error = match query.problem.as_deref() {
        Some("email") => Some("staff.error.email"),
        Some("name") => Some("staff.error.name"),
        Some("role") => Some("staff.error.role"),
        Some("exists") => Some("staff.error.exists"),
        Some("self") => Some("staff.error.self"),
        Some("last_admin") => Some("staff.error.last_admin"),
        Some(_) => Some("staff.error.general"),
        None => None,
    };
    let notice = match query.done.as_deref() {
        Some("invited") => Some("staff.done.invited"),
        Some("changed") => Some("staff.done.changed"),
        Some("factor_reset") => Some("staff.done.factor_reset"),
        Some("sessions_ended") => Some("staff.done.sessions_ended"),
        Some(_) => Some("staff.done.general"),
        None => None,
    };
    (error, notice)
}

#[get("/admin/staff")]
pub async fn staff_page(
    state: web::Data<AppState>,
    AdminStaff(staff): AdminStaff,
    tr: Tr,
    query: web::Query<StaffQuery>,
) -> Result<HttpResponse, AppError> {
    let (error, notice) = staff_message(&query);
    let shown = StaffShown {
        error,
        notice,
        ..StaffShown::default()
    };
    staff_response(&state, staff, tr, StatusCode::OK, shown).await
}

/// What the staff page says besides the list: a message, and a failed invitation as typed.
#[derive(Default)]
struct StaffShown {
    error: Option<&'static str>,
    notice: Option<&'static str>,
    invite: InviteForm,
    invite_failure: FormFailure,
}

async fn staff_response(
    state: &AppState,
    staff: Staff,
    tr: Tr,
    status: StatusCode,
    shown: StaffShown,
) -> Result<HttpResponse, AppError> {
    let (rows, factors) = state
        .db
        .tenant(staff.tenant, |conn| {
            let rows = users::table
                .select((
                    users::id,
                    users::email,
                    users::display_name,
                    users::role,
                    users::active,
                    users::password_hash.is_not_null(),
                    users::last_login_at,
                ))
                .order((users::active.desc(), users::email))
                .load::<StaffRow>(conn)?;
            let factors: Vec<Uuid> = user_factors::table
                .select(user_factors::user_id)
                .load(conn)?;
            Ok::<_, AppError>((rows, factors.into_iter().collect()))
        })
        .await?;
    render(
        status,
        &StaffPage {
            tr,
            staff: rows
                .into_iter()
                .map(|row| {
                    let me = row.id == staff.user;
                    (row, me)
                })
                .collect(),
            shell: staff.shell,
            factors,
            roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
            error: shown.error,
            notice: shown.notice,
            invite: shown.invite,
            invite_failure: shown.invite_failure,
        },
    )
}

/// Missing fields read as empty, so they are judged (after the role) like empty ones.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    pub email: String,
    pub display_name: String,
    pub role: String,
}

/// Invites a staff member: their account, and an email with a link to choose a password.
#[post("/admin/staff")]
pub async fn invite(
    state: web::Data<AppState>,
    AdminStaff(staff): AdminStaff,
    tr: Tr,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> Result<HttpResponse, AppError> {
    let (email, name, role) = (
        Email::parse(&form.email),
        required_text(&form.display_name, 100),
        Role::parse(&form.role),
    );
    // Every wrong field at once, each at its input.
    let wrong: Vec<(String, String)> = [
        ("invite-email", "staff.error.email", email.is_err()),
        ("invite-name", "staff.error.name", name.is_err()),
        ("invite-role", "staff.error.role", role.is_err()),
    ]
    .into_iter()
    .filter(|(.., wrong)| *wrong)
    .map(|(id, key, _)| (id.to_owned(), tr.t(key).to_owned()))
    .collect();
    let (Ok(email), Ok(name), Ok(role)) = (email, name, role) else {
        let shown = StaffShown {
            invite: form,
            invite_failure: FormFailure {
                fields: wrong,
                problem: None,
            },
            ..StaffShown::default()
        };
        return staff_response(&state, staff, tr, StatusCode::UNPROCESSABLE_ENTITY, shown).await;
    };
    let typed = form.clone();
    let tenant = staff.tenant;
    let settings = state.settings.clone();
    let caller = staff.caller();
    let invited = state
        .db
        .tenant(tenant, move |conn| {
            invite_staff(conn, &settings, &caller, &email, &name, role).map(|id| id.is_some())
        })
        .await?;
    if invited {
        return Ok(back_to("/admin/staff?done=invited"));
    }
    let shown = StaffShown {
        invite: typed,
        invite_failure: FormFailure {
            fields: vec![(
                "invite-email".to_owned(),
                tr.t("staff.error.exists").to_owned(),
            )],
            problem: None,
        },
        ..StaffShown::default()
    };
    staff_response(&state, staff, tr, StatusCode::CONFLICT, shown).await
}

/// Invites a staff member in the current tenant transaction: their account and the emailed link
/// to choose a password, audited; `None` when the service has someone with the address already.
/// For the staff page and the JSON API alike.
pub(super) fn invite_staff(
    conn: &mut PgConnection,
    settings: &crate::config::Settings,
    caller: &super::Caller,
    email: &Email,
    name: &str,
    role: Role,
) -> Result<Option<Uuid>, AppError> {
    let tenant = caller.tenant;
    let id = Uuid::now_v7();
    let inserted = diesel::insert_into(users::table)
        .values((
            users::tenant_id.eq(tenant.0),
            users::id.eq(id),
            users::email.eq(email.as_str()),
            users::display_name.eq(&name),
            users::role.eq(role.as_str()),
        ))
        .execute(conn);
    match inserted {
        Err(e) if is_unique_violation(&e) => return Ok(None),
        other => other?,
    };
    account_links::issue(conn, settings, tenant, id, Purpose::Invitation)?;
    audit::record(
        conn,
        tenant,
        caller
            .audit("user.invite")
            .object("user", id)
            .details(serde_json::json!({ "role": role })),
    )?;
    Ok(Some(id))
}

/// Missing fields read as empty, so they are judged (after the role) like empty ones.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RoleForm {
    pub role: String,
}

/// Whether removing `user`'s admin rights (or deactivating them) would leave the service without
/// an active admin.
fn last_admin(conn: &mut PgConnection, tenant: TenantId, user: Uuid) -> QueryResult<bool> {
    let others: i64 = users::table
        .filter(users::tenant_id.eq(tenant.0))
        .filter(users::role.eq(Role::TenantAdmin.as_str()))
        .filter(users::active.eq(true))
        .filter(users::id.ne(user))
        .count()
        .get_result(conn)?;
    Ok(others == 0)
}

#[post("/admin/staff/{id}/role")]
pub async fn change_role(
    state: web::Data<AppState>,
    AdminStaff(staff): AdminStaff,
    id: web::Path<Uuid>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> Result<HttpResponse, AppError> {
    let Ok(role) = Role::parse(&form.role) else {
        return Ok(back_to("/admin/staff?problem=role"));
    };
    let (tenant, user) = (staff.tenant, id.into_inner());
    let caller = staff.caller();
    let outcome = state
        .db
        .tenant(tenant, move |conn| set_role(conn, &caller, user, role))
        .await;
    Ok(back_to(&match outcome {
        Ok(()) => "/admin/staff?done=changed".to_owned(),
        Err(AppError::Refused {
            rule: Refusal::LastAdmin,
            ..
        }) => "/admin/staff?problem=last_admin".to_owned(),
        Err(e) => return Err(e),
    }))
}

/// Gives `user` `role` in the current tenant transaction, unless that would leave the service
/// without an active admin; their sessions end (new rights apply from the next login); audited.
/// For the staff page and the JSON API alike.
pub(super) fn set_role(
    conn: &mut PgConnection,
    caller: &super::Caller,
    user: Uuid,
    role: Role,
) -> Result<(), AppError> {
    let tenant = caller.tenant;
    let current: String = users::table
        .find((tenant.0, user))
        .select(users::role)
        .for_update()
        .first(conn)?;
    if current == role.as_str() {
        return Ok(());
    }
    if role != Role::TenantAdmin
        && current == Role::TenantAdmin.as_str()
        && last_admin(conn, tenant, user)?
    {
        return Err(Refusal::LastAdmin
            .because("this is the service's last active admin; make someone else admin first"));
    }
    diesel::update(users::table.find((tenant.0, user)))
        .set(users::role.eq(role.as_str()))
        .execute(conn)?;
    // New rights apply from the next login.
    session::end_all(conn, tenant, user)?;
    audit::record(
        conn,
        tenant,
        caller
            .audit("user.role")
            .object("user", user)
            .details(serde_json::json!({ "from": current, "to": role })),
    )?;
    Ok(())
}

/// The references of some cases, `None` for a case without one.
pub type CaseReferences = Vec<Option<String>>;

use super::staff::CaseHolder as Colleague;

/// What cases supplies for deactivating staff (registered as app data in `cases::routes`), so
/// access asks the owner of the assignments and imports none of its code.
#[derive(Clone, Copy)]
pub struct StaffCases {
    /// The references of the open cases a person alone is assigned to (`None`: no reference).
    pub sole: fn(&mut PgConnection, TenantId, Uuid) -> Result<CaseReferences, AppError>,
    /// Hands those cases over from the first person to the second, audited per case; a wrong
    /// second person is a wrong `user_id`.
    pub hand_over: fn(&mut PgConnection, &super::Caller, Uuid, Uuid) -> Result<usize, AppError>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeactivateForm {
    /// Who takes over the cases only the person leaving is assigned to; absent on the staff
    /// list's button.
    pub successor: Option<String>,
}

/// The page that asks who takes over a leaving person's cases before they are deactivated.
#[derive(Template)]
#[template(path = "access/admin_handover.html")]
struct HandoverPage {
    tr: Tr,
    shell: Shell,
    person: Uuid,
    name: String,
    /// "… is the only one on 3 open cases: 2024-117, 2024-118 and 1 without a reference."
    message: String,
    /// Active colleagues with a case role.
    colleagues: Vec<Colleague>,
    /// As chosen, after a wrong choice.
    chosen: String,
    error: Option<&'static str>,
}

impl HandoverPage {
    fn error_text(&self) -> Option<&'static str> {
        self.error.map(|key| self.tr.t(key))
    }

    fn errors(&self) -> Vec<(&'static str, &'static str)> {
        self.error
            .map(|key| ("successor", self.tr.t(key)))
            .into_iter()
            .collect()
    }
}

/// The sentence that names the cases to hand over by reference, never by the child.
fn handover_message(tr: &Tr, name: &str, references: &[Option<String>]) -> String {
    let named: Vec<&str> = references.iter().flatten().map(String::as_str).collect();
    let unnamed = references.len() - named.len();
    let mut list = named.join(", ");
    if unnamed > 0 {
        let rest = tr
            .t("staff.handover.without_reference")
            .replace("{count}", &unnamed.to_string());
        list = if list.is_empty() {
            rest
        } else {
            format!("{list} {} {rest}", tr.t("staff.handover.and"))
        };
    }
    tr.t("staff.handover.message")
        .replace("{name}", name)
        .replace("{count}", &references.len().to_string())
        .replace("{cases}", &list)
}

/// What a deactivation came to.
pub(super) enum Deactivation {
    Done,
    /// The person alone holds open cases: who takes them over? (their name, the references,
    /// the colleagues to choose from).
    Handover(String, CaseReferences, Vec<Colleague>),
}

#[post("/admin/staff/{id}/deactivate")]
pub async fn deactivate(
    state: web::Data<AppState>,
    cases: web::Data<StaffCases>,
    AdminStaff(staff): AdminStaff,
    tr: Tr,
    id: web::Path<Uuid>,
    CsrfForm(form): CsrfForm<DeactivateForm>,
) -> Result<HttpResponse, AppError> {
    let (tenant, user) = (staff.tenant, id.into_inner());
    if user == staff.user {
        return Ok(back_to("/admin/staff?problem=self"));
    }
    let caller = staff.caller();
    let cases = **cases;
    let chosen = form.successor.clone().unwrap_or_default();
    // Absent: the staff list's button; present but no colleague's id: a wrong choice.
    let successor = form
        .successor
        .as_deref()
        .map(|text| text.trim().parse::<Uuid>().ok());
    let outcome = state
        .db
        .tenant(tenant, move |conn| {
            deactivate_staff(conn, cases, &caller, user, successor)
        })
        .await;
    let (status, error, (name, sole, colleagues)) = match outcome {
        Ok(Deactivation::Done) => return Ok(back_to("/admin/staff?done=changed")),
        Ok(Deactivation::Handover(name, sole, colleagues)) => {
            (StatusCode::CONFLICT, None, (name, sole, colleagues))
        }
        // A wrong choice: nothing was written; the page again, with the message at the field.
        Err(AppError::Validation(_)) => {
            let found = state
                .db
                .tenant(tenant, move |conn| {
                    let sole = (cases.sole)(conn, tenant, user)?;
                    let (name, colleagues) = handover_choices(conn, tenant, user)?;
                    Ok::<_, AppError>((name, sole, colleagues))
                })
                .await?;
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("staff.handover.error"),
                found,
            )
        }
        Err(e) => return Err(e),
    };
    render(
        status,
        &HandoverPage {
            message: handover_message(&tr, &name, &sole),
            tr,
            shell: staff.shell,
            person: user,
            name,
            colleagues,
            chosen,
            error,
        },
    )
}

/// Deactivates `user` in the current tenant transaction, for the staff page and the JSON API
/// alike: the open cases they alone hold go to `successor` first (absent: not chosen yet, so
/// the choices are returned instead; `Some(None)`: a choice that is no colleague's id); their
/// sessions end and their unused account links stop working; audited `user.deactivate`.
pub(super) fn deactivate_staff(
    conn: &mut PgConnection,
    cases: StaffCases,
    caller: &super::Caller,
    user: Uuid,
    successor: Option<Option<Uuid>>,
) -> Result<Deactivation, AppError> {
    let tenant = caller.tenant;
    colleague_exists(conn, tenant, user)?;
    let sole = (cases.sole)(conn, tenant, user)?;
    let mut handed_over = 0;
    if !sole.is_empty() {
        match successor {
            None => {
                let (name, colleagues) = handover_choices(conn, tenant, user)?;
                return Ok(Deactivation::Handover(name, sole, colleagues));
            }
            Some(None) => {
                return Err(AppError::field("user_id", "choose who takes the cases"));
            }
            Some(Some(to)) => handed_over = (cases.hand_over)(conn, caller, user, to)?,
        }
    }
    diesel::update(users::table.find((tenant.0, user)))
        .set(users::active.eq(false))
        .execute(conn)?;
    // Their sessions end now, and links not yet used stop working.
    session::end_all(conn, tenant, user)?;
    diesel::update(
        account_tokens::table
            .filter(account_tokens::user_id.eq(user))
            .filter(account_tokens::used_at.is_null())
            .filter(account_tokens::revoked_at.is_null()),
    )
    .set(account_tokens::revoked_at.eq(Utc::now()))
    .execute(conn)?;
    audit::record(
        conn,
        tenant,
        caller
            .audit("user.deactivate")
            .object("user", user)
            .details(serde_json::json!({ "cases_handed_over": handed_over })),
    )?;
    Ok(Deactivation::Done)
}

/// The name of the person leaving and the active colleagues with a case role who may take over.
fn handover_choices(
    conn: &mut PgConnection,
    tenant: TenantId,
    leaving: Uuid,
) -> QueryResult<(String, Vec<Colleague>)> {
    let name: String = users::table
        .find((tenant.0, leaving))
        .select(users::display_name)
        .first(conn)?;
    let mut colleagues = super::staff::case_holders(conn)?;
    colleagues.retain(|(id, _, _)| *id != leaving);
    Ok((name, colleagues))
}

#[post("/admin/staff/{id}/reactivate")]
pub async fn reactivate(
    state: web::Data<AppState>,
    AdminStaff(staff): AdminStaff,
    id: web::Path<Uuid>,
    CsrfForm(_): CsrfForm<super::login::Empty>,
) -> Result<HttpResponse, AppError> {
    let (tenant, user) = (staff.tenant, id.into_inner());
    let caller = staff.caller();
    state
        .db
        .tenant(tenant, move |conn| {
            let updated = diesel::update(users::table.find((tenant.0, user)))
                .set(users::active.eq(true))
                .execute(conn)?;
            if updated == 0 {
                return Err(AppError::NotFound);
            }
            audit::record(
                conn,
                tenant,
                caller.audit("user.reactivate").object("user", user),
            )?;
            Ok(())
        })
        .await?;
    Ok(back_to("/admin/staff?done=changed"))
}

/// A colleague of this service, or 404.
fn colleague_exists(conn: &mut PgConnection, tenant: TenantId, user: Uuid) -> Result<(), AppError> {
    let exists: bool = diesel::select(diesel::dsl::exists(users::table.find((tenant.0, user))))
        .get_result(conn)?;
    if exists {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Removes a colleague's second factor and recovery codes and ends their sessions: for someone
/// who lost their phone. Their next password login sets up a new factor.
#[post("/admin/staff/{id}/factor/reset")]
pub async fn reset_factor(
    state: web::Data<AppState>,
    AdminStaff(staff): AdminStaff,
    id: web::Path<Uuid>,
    CsrfForm(_): CsrfForm<super::login::Empty>,
) -> Result<HttpResponse, AppError> {
    let (tenant, user) = (staff.tenant, id.into_inner());
    let caller = staff.caller();
    state
        .db
        .tenant(tenant, move |conn| {
            colleague_exists(conn, tenant, user)?;
            factor::StaffFactor::new(tenant, user).remove(conn)?;
            let ended = session::end_all(conn, tenant, user)?;
            audit::record(
                conn,
                tenant,
                caller
                    .audit("user.factor_reset")
                    .object("user", user)
                    .details(serde_json::json!({ "sessions_ended": ended })),
            )?;
            Ok::<_, AppError>(())
        })
        .await?;
    Ok(back_to("/admin/staff?done=factor_reset"))
}

/// Ends every session of a colleague (a lost laptop, a shared computer).
#[post("/admin/staff/{id}/sessions/end")]
pub async fn end_sessions(
    state: web::Data<AppState>,
    AdminStaff(staff): AdminStaff,
    id: web::Path<Uuid>,
    CsrfForm(_): CsrfForm<super::login::Empty>,
) -> Result<HttpResponse, AppError> {
    let (tenant, user) = (staff.tenant, id.into_inner());
    let caller = staff.caller();
    state
        .db
        .tenant(tenant, move |conn| {
            colleague_exists(conn, tenant, user)?;
            let ended = session::end_all(conn, tenant, user)?;
            audit::record(
                conn,
                tenant,
                caller
                    .audit("user.sessions_end")
                    .object("user", user)
                    .details(serde_json::json!({ "sessions_ended": ended })),
            )?;
            Ok::<_, AppError>(())
        })
        .await?;
    Ok(back_to("/admin/staff?done=sessions_ended"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignInForm {
    pub second_factor_required: Option<String>,
}

/// The service's login choices: whether a password login needs a second factor.
#[post("/admin/sign-in")]
pub async fn save_sign_in(
    state: web::Data<AppState>,
    AdminStaff(staff): AdminStaff,
    CsrfForm(form): CsrfForm<SignInForm>,
) -> Result<HttpResponse, AppError> {
    let tenant = staff.tenant;
    let required = form.second_factor_required.is_some();
    let caller = staff.caller();
    state
        .db
        .tenant(tenant, move |conn| {
            diesel::update(tenants::table.find(tenant.0))
                .set(tenants::second_factor_required.eq(required))
                .execute(conn)?;
            audit::record(
                conn,
                tenant,
                caller
                    .audit("tenant.sign_in")
                    .details(serde_json::json!({ "second_factor_required": required })),
            )?;
            Ok::<_, AppError>(())
        })
        .await?;
    Ok(back_to("/admin?saved=1"))
}

/// Sends a new invitation link (the old one stops working).
#[post("/admin/staff/{id}/resend")]
pub async fn resend(
    state: web::Data<AppState>,
    AdminStaff(staff): AdminStaff,
    id: web::Path<Uuid>,
    CsrfForm(_): CsrfForm<super::login::Empty>,
) -> Result<HttpResponse, AppError> {
    let (tenant, user) = (staff.tenant, id.into_inner());
    let caller = staff.caller();
    let settings = state.settings.clone();
    state
        .db
        .tenant(tenant, move |conn| {
            let active: bool = users::table
                .find((tenant.0, user))
                .select(users::active)
                .first(conn)?;
            if !active {
                return Err(AppError::NotFound);
            }
            account_links::issue(conn, &settings, tenant, user, Purpose::Invitation)?;
            audit::record(
                conn,
                tenant,
                caller.audit("user.invite_resend").object("user", user),
            )?;
            Ok(())
        })
        .await?;
    Ok(back_to("/admin/staff?done=invited"))
}

/// One audit row as the admin page and the CSV show it.
#[derive(Debug, Clone, Queryable)]
pub struct AuditRow {
    pub at: DateTime<Utc>,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub object_kind: Option<String>,
    pub object_id: Option<String>,
    pub outcome: String,
    pub request_id: Option<String>,
    pub actor_email: Option<String>,
}

impl AuditRow {
    /// Who acted, readably: a staff member's email, else the kind of actor and its id.
    pub fn actor(&self) -> String {
        match (&self.actor_email, &self.actor_id) {
            (Some(email), _) => email.clone(),
            (None, Some(id)) => format!("{} {id}", self.actor_kind),
            (None, None) => self.actor_kind.clone(),
        }
    }

    pub fn object(&self) -> String {
        match (&self.object_kind, &self.object_id) {
            (Some(kind), Some(id)) => format!("{kind} {id}"),
            (Some(kind), None) => kind.clone(),
            _ => String::new(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuditFilter {
    /// One action chosen from the list (`user.invite`), or the start of the actions wanted
    /// (`user.`).
    pub action: Option<String>,
    /// A staff member's name or email (part of it).
    pub actor: Option<String>,
    pub outcome: Option<String>,
    /// Dates (YYYY-MM-DD) in the service's time zone, inclusive.
    pub from: Option<String>,
    pub to: Option<String>,
    /// Which page of the rows, from 1 (newest first); the CSV ignores it.
    pub page: Option<u32>,
}

impl AuditFilter {
    fn text(value: &Option<String>) -> Option<String> {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    fn date(value: &Option<String>) -> Option<NaiveDate> {
        Self::text(value).and_then(|v| NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok())
    }

    /// The same filter as a query string, for the CSV link.
    pub fn query(&self) -> String {
        let pairs: Vec<(&str, String)> = [
            ("action", &self.action),
            ("actor", &self.actor),
            ("outcome", &self.outcome),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .filter_map(|(k, v)| Self::text(v).map(|v| (k, v)))
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }

    pub fn value(&self, field: &str) -> String {
        let value = match field {
            "action" => &self.action,
            "actor" => &self.actor,
            "outcome" => &self.outcome,
            "from" => &self.from,
            _ => &self.to,
        };
        Self::text(value).unwrap_or_default()
    }
}

/// `text` as a LIKE pattern (with `\` as the escape character) that matches it literally: an
/// action such as `council.meeting_cancel` or an address with `_` or `%` in it means those
/// characters, not wildcards.
fn like_literal(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern
}

/// The log rows matching `filter`, newest first, at most `limit`, after skipping `offset`.
fn load_audit(
    conn: &mut PgConnection,
    filter: &AuditFilter,
    tz: Tz,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<AuditRow>> {
    let mut query = audit_log::table
        .left_join(
            users::table.on(users::tenant_id
                .eq(audit_log::tenant_id)
                .and(audit_log::actor_kind.eq("user"))
                .and(
                    audit_log::actor_id.eq(users::id.cast::<diesel::sql_types::Text>().nullable()),
                )),
        )
        .select((
            audit_log::at,
            audit_log::actor_kind,
            audit_log::actor_id,
            audit_log::action,
            audit_log::object_kind,
            audit_log::object_id,
            audit_log::outcome,
            audit_log::request_id,
            users::email.nullable(),
        ))
        .order(audit_log::id.desc())
        .limit(limit)
        .offset(offset)
        .into_boxed();
    if let Some(action) = AuditFilter::text(&filter.action) {
        // A whole action code is that action alone (`user.invite` is not also
        // `user.invite_resend`); a capability's part ending in its dot (`user.`), or a bare word,
        // is the start of the actions wanted.
        if action.contains('.') && !action.ends_with('.') {
            query = query.filter(audit_log::action.eq(action));
        } else {
            let pattern = format!("{}%", like_literal(&action));
            query = query.filter(audit_log::action.like(pattern).escape('\\'));
        }
    }
    if let Some(actor) = AuditFilter::text(&filter.actor) {
        // A colleague by a part of their name or their address.
        let pattern = format!("%{}%", like_literal(&actor.to_lowercase()));
        query = query.filter(
            users::email
                .like(pattern.clone())
                .escape('\\')
                .or(users::display_name.ilike(pattern).escape('\\')),
        );
    }
    if let Some(outcome) = AuditFilter::text(&filter.outcome) {
        query = query.filter(audit_log::outcome.eq(outcome));
    }
    let start_of = |date: NaiveDate| crate::time::local_to_utc(date, chrono::NaiveTime::MIN, tz);
    if let Some(from) = AuditFilter::date(&filter.from) {
        query = query.filter(audit_log::at.ge(start_of(from)));
    }
    if let Some(to) = AuditFilter::date(&filter.to).and_then(|d| d.succ_opt()) {
        query = query.filter(audit_log::at.lt(start_of(to)));
    }
    query.load(conn)
}

/// What a log row concerns, as the admin reads it: the kind in words and, where the admin may
/// see it, the thing's name — a colleague by name and address, an API key by its name, a
/// municipality by its name. A case and what belongs to it are never named here (a row of a
/// case keeps its id, to look up where the reader may).
pub struct ShownObject {
    pub words: String,
    /// The stored id, shown beside the words.
    pub id: Option<String>,
}

/// The names of the colleagues, keys and municipalities `rows` concern, by (kind, id): two
/// lookups for a whole page, not one per row.
fn object_names(
    conn: &mut PgConnection,
    rows: &[AuditRow],
) -> QueryResult<std::collections::HashMap<(&'static str, String), String>> {
    let ids_of = |kind: &str| -> Vec<Uuid> {
        rows.iter()
            .filter(|r| r.object_kind.as_deref() == Some(kind))
            .filter_map(|r| r.object_id.as_deref()?.parse().ok())
            .collect()
    };
    let mut names = std::collections::HashMap::new();
    let colleagues: Vec<(Uuid, String, String)> = users::table
        .filter(users::id.eq_any(ids_of("user")))
        .select((users::id, users::display_name, users::email))
        .load(conn)?;
    for (id, name, email) in colleagues {
        let shown = if name.trim().is_empty() {
            email
        } else {
            format!("{name} ({email})")
        };
        names.insert(("user", id.to_string()), shown);
    }
    let keys: Vec<(Uuid, String)> = crate::db::schema::api_keys::table
        .filter(crate::db::schema::api_keys::id.eq_any(ids_of("api_key")))
        .select((
            crate::db::schema::api_keys::id,
            crate::db::schema::api_keys::name,
        ))
        .load(conn)?;
    for (id, name) in keys {
        names.insert(("api_key", id.to_string()), format!("«{name}»"));
    }
    if rows
        .iter()
        .any(|r| r.object_kind.as_deref() == Some("municipality"))
    {
        for m in tenancy::load_municipalities(conn)? {
            let label = tenancy::register::label(&m.kommunenummer, m.name.as_deref());
            names.insert(("municipality", m.kommunenummer), label);
        }
    }
    Ok(names)
}

impl AuditRow {
    /// The row's object as the page shows it, with `names` from [`object_names`].
    fn shown(
        &self,
        names: &std::collections::HashMap<(&'static str, String), String>,
        tr: &Tr,
    ) -> ShownObject {
        let Some(kind) = self.object_kind.as_deref() else {
            return ShownObject {
                words: String::new(),
                id: None,
            };
        };
        let word = tr.word("audit.objects", kind);
        let named = self.object_id.as_ref().and_then(|id| {
            ["user", "api_key", "municipality"]
                .into_iter()
                .find(|k| *k == kind)
                .and_then(|k| names.get(&(k, id.clone())))
        });
        match (named, kind) {
            (Some(name), "municipality") => ShownObject {
                words: format!("{word} {name}"),
                id: None,
            },
            (Some(name), _) => ShownObject {
                words: format!("{word} {name}"),
                id: self.object_id.clone(),
            },
            (None, "tenant") => ShownObject {
                words: word,
                id: None,
            },
            (None, _) => ShownObject {
                words: word,
                id: self.object_id.clone(),
            },
        }
    }
}

fn tenant_zone(conn: &mut PgConnection) -> Result<Tz, AppError> {
    Ok(crate::tenancy::settings::zone(conn)?)
}

#[derive(Template)]
#[template(path = "access/admin_audit.html")]
struct AuditPage {
    tr: Tr,
    shell: Shell,
    rows: Vec<(String, AuditRow, ShownObject)>,
    /// The actions to filter by, in words.
    actions: Vec<(&'static str, &'static str)>,
    /// The filter is the start of actions (typed into the address), not one of the list.
    chosen_prefix: bool,
    filter: AuditFilter,
    csv_query: String,
    paging: Paging,
}

/// A long list in pages of [`PAGE_LIMIT`] rows, newest first: which page this is, and the
/// addresses of the newer and the older page when there are such.
pub struct Paging {
    pub page: u32,
    pub newer: Option<String>,
    pub older: Option<String>,
}

impl Paging {
    /// The page `requested` (1 when absent or 0) of a list at `base` (its filters as a query,
    /// possibly empty); `more` says whether rows lie beyond it.
    fn new(base: &str, requested: Option<u32>, more: bool) -> Self {
        let page = requested.unwrap_or(1).max(1);
        let href = |page: u32| {
            let sep = if base.contains('?') { '&' } else { '?' };
            if page == 1 {
                base.to_owned()
            } else {
                format!("{base}{sep}page={page}")
            }
        };
        Self {
            page,
            newer: (page > 1).then(|| href(page - 1)),
            older: more.then(|| href(page + 1)),
        }
    }

    /// How many rows come before this page.
    fn offset(requested: Option<u32>) -> i64 {
        i64::from(requested.unwrap_or(1).max(1) - 1) * PAGE_LIMIT
    }
}

/// The rows of one page of the log or the jobs; the CSV has up to [`CSV_LIMIT`].
const PAGE_LIMIT: i64 = 100;
const CSV_LIMIT: i64 = 50_000;

#[get("/admin/audit")]
pub async fn audit_page(
    state: web::Data<AppState>,
    AdminStaff(staff): AdminStaff,
    tr: Tr,
    filter: web::Query<AuditFilter>,
) -> Result<HttpResponse, AppError> {
    let filter = filter.into_inner();
    let lang = tr.lang();
    let query_filter = filter.clone();
    let rows = state
        .db
        .tenant(staff.tenant, move |conn| {
            let tz = tenant_zone(conn)?;
            // One row more than a page says whether there is an older page.
            let offset = Paging::offset(query_filter.page);
            let rows = load_audit(conn, &query_filter, tz, PAGE_LIMIT + 1, offset)?;
            let names = object_names(conn, &rows)?;
            Ok::<_, AppError>(
                rows.into_iter()
                    .map(|r| {
                        let shown = r.shown(&names, &tr);
                        (crate::time::moment(r.at, tz, lang), r, shown)
                    })
                    .collect::<Vec<_>>(),
            )
        })
        .await?;
    let mut rows = rows;
    let more = rows.len() > PAGE_LIMIT as usize;
    rows.truncate(PAGE_LIMIT as usize);
    let csv_query = filter.query();
    let base = if csv_query.is_empty() {
        "/admin/audit".to_owned()
    } else {
        format!("/admin/audit?{csv_query}")
    };
    let paging = Paging::new(&base, filter.page, more);
    let actions = tr.words("audit.actions");
    let chosen = filter.value("action");
    let chosen_prefix = !chosen.is_empty() && !actions.iter().any(|(code, _)| *code == chosen);
    render(
        StatusCode::OK,
        &AuditPage {
            tr,
            shell: staff.shell,
            rows,
            actions,
            chosen_prefix,
            filter,
            csv_query,
            paging,
        },
    )
}

/// A CSV field, quoted when needed. A leading `=`, `+`, `-` or `@` is defused, so a spreadsheet
/// never runs a field as a formula.
fn csv_field(value: &str) -> String {
    let defused = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

#[get("/admin/audit.csv")]
pub async fn audit_csv(
    state: web::Data<AppState>,
    AdminStaff(staff): AdminStaff,
    filter: web::Query<AuditFilter>,
) -> Result<HttpResponse, AppError> {
    let filter = filter.into_inner();
    let tenant = staff.tenant;
    let entry = staff.caller().audit("audit.export");
    let rows = state
        .db
        .tenant(tenant, move |conn| {
            let tz = tenant_zone(conn)?;
            let rows = load_audit(conn, &filter, tz, CSV_LIMIT, 0)?;
            audit::record(conn, tenant, entry)?;
            Ok::<_, AppError>(rows)
        })
        .await?;
    let mut out = String::from("time_utc,actor,action,object,outcome,request_id\r\n");
    for row in &rows {
        let fields = [
            row.at.to_rfc3339(),
            row.actor(),
            row.action.clone(),
            row.object(),
            row.outcome.clone(),
            row.request_id.clone().unwrap_or_default(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            CONTENT_DISPOSITION,
            "attachment; filename=\"tillit-audit.csv\"",
        ))
        .body(out))
}

/// A job as the admin page shows it.
#[derive(Debug, Clone, Queryable)]
pub struct JobRow {
    pub id: Uuid,
    pub kind: String,
    pub subject_kind: Option<String>,
    pub due_at: DateTime<Utc>,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
}

#[derive(Template)]
#[template(path = "access/admin_jobs.html")]
struct JobsPage {
    tr: Tr,
    shell: Shell,
    rows: Vec<(String, JobRow)>,
    status: String,
    paging: Paging,
}

#[derive(Debug, Deserialize)]
pub struct JobsQuery {
    pub status: Option<String>,
    /// Which page of the jobs, from 1 (latest due first).
    pub page: Option<u32>,
}

#[get("/admin/jobs")]
pub async fn jobs_page(
    state: web::Data<AppState>,
    AdminStaff(staff): AdminStaff,
    tr: Tr,
    query: web::Query<JobsQuery>,
) -> Result<HttpResponse, AppError> {
    let status = query
        .status
        .clone()
        .and_then(|s| JobStatus::parse(&s).ok())
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default();
    let lang: Lang = tr.lang();
    let wanted = status.clone();
    let offset = Paging::offset(query.page);
    let rows = state
        .db
        .tenant(staff.tenant, move |conn| {
            let tz = tenant_zone(conn)?;
            let mut query = jobs::table
                .select((
                    jobs::id,
                    jobs::kind,
                    jobs::subject_kind,
                    jobs::due_at,
                    jobs::status,
                    jobs::attempts,
                    jobs::last_error,
                ))
                .order((jobs::due_at.desc(), jobs::id.desc()))
                .limit(PAGE_LIMIT + 1)
                .offset(offset)
                .into_boxed();
            if !wanted.is_empty() {
                query = query.filter(jobs::status.eq(wanted));
            }
            let rows: Vec<JobRow> = query.load(conn)?;
            Ok::<_, AppError>(
                rows.into_iter()
                    .map(|r| (crate::time::moment(r.due_at, tz, lang), r))
                    .collect::<Vec<_>>(),
            )
        })
        .await?;
    let mut rows = rows;
    let more = rows.len() > PAGE_LIMIT as usize;
    rows.truncate(PAGE_LIMIT as usize);
    let base = if status.is_empty() {
        "/admin/jobs".to_owned()
    } else {
        format!("/admin/jobs?status={status}")
    };
    let paging = Paging::new(&base, query.page, more);
    render(
        StatusCode::OK,
        &JobsPage {
            tr,
            shell: staff.shell,
            rows,
            status,
            paging,
        },
    )
}

#[post("/admin/jobs/{id}/retry")]
pub async fn retry_job(
    state: web::Data<AppState>,
    AdminStaff(staff): AdminStaff,
    id: web::Path<Uuid>,
    CsrfForm(_): CsrfForm<super::login::Empty>,
) -> Result<HttpResponse, AppError> {
    match super::jobs::retry(&state.db, &staff.caller(), id.into_inner()).await {
        Ok(())
        | Err(AppError::Refused {
            rule: Refusal::JobNotFailed,
            ..
        }) => Ok(back_to("/admin/jobs")),
        Err(other) => Err(other),
    }
}

/// The catalogue key of a role's name.
pub fn role_key(role: &str) -> &'static str {
    match role {
        "tenant_admin" => "role.tenant_admin",
        "leader" => "role.leader",
        "caseworker" => "role.caseworker",
        "foster_care" => "role.foster_care",
        "on_call" => "role.on_call",
        _ => "role.coordinator",
    }
}

/// The catalogue key of a job status.
pub fn job_status_key(status: &str) -> &'static str {
    match JobStatus::parse(status) {
        Ok(JobStatus::Pending) => "jobs.state.pending",
        Ok(JobStatus::Running) => "jobs.state.running",
        Ok(JobStatus::Done) => "jobs.state.done",
        Ok(JobStatus::Failed) => "jobs.state.failed",
        Ok(JobStatus::Cancelled) | Err(_) => "jobs.state.cancelled",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("login"), "login");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-1"), "'-1");
    }

    fn form() -> SettingsForm {
        SettingsForm {
            name: "Fjordvik barneverntjeneste".into(),
            sender_name: "".into(),
            reply_to: "post@fjordvik.example".into(),
            time_zone: "Europe/Oslo".into(),
            quiet_start_hour: "21".into(),
            quiet_end_hour: "7".into(),
            meeting_minutes: "180".into(),
            reminder_days: "1, 7".into(),
            chase_after_days: "3".into(),
            chase_max: "2".into(),
            map_review_months: "6".into(),
            preparation_check_days: "7".into(),
            evaluation_age_years: "7".into(),
            evaluation_months_younger: "6".into(),
            evaluation_months_older: "12".into(),
            commitment_notice_days: "3".into(),
            evaluation_undocumented_days: "14".into(),
            follow_up_weeks_ahead: "4".into(),
            interview_reminder_days: "14".into(),
            decision_overdue_days: "21".into(),
            sms_sender: "".into(),
            written: "nn".into(),
        }
    }

    #[test]
    fn settings_parse_and_name_every_wrong_field() {
        let parsed = parse_settings(&form()).expect("valid");
        assert_eq!(parsed.reminder_days, vec![7, 1]);
        assert_eq!(parsed.sender_name, None);
        let mut bad = form();
        bad.time_zone = "Mars/Olympus".into();
        bad.reminder_days = "7, 7, x".into();
        bad.meeting_minutes = "5".into();
        bad.reply_to = "post".into();
        bad.sms_sender = "Fjordvik kommune".into();
        bad.follow_up_weeks_ahead = "27".into();
        bad.chase_max = "11".into();
        let errors = parse_settings(&bad).expect_err("invalid");
        assert_eq!(
            errors,
            [
                ("sms_sender", "admin.error.sms_sender"),
                ("reply_to", "admin.error.reply_to"),
                ("time_zone", "admin.error.time_zone"),
                ("meeting_minutes", "admin.error.meeting_minutes"),
                ("reminder_days", "admin.error.reminder_days"),
                ("chase_max", "admin.error.chase"),
                ("follow_up_weeks_ahead", "admin.follow_up.error"),
            ],
            "each wrong field by its input, in the form's order, and no other"
        );
    }
}
