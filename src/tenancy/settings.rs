//! The one reader of a service's settings (the settings columns of `tenants`): its time zone,
//! language, sender, quiet hours and the numbers that time meetings, reminders and evaluations.
//! Everything is parsed here once — the zone into a [`Tz`] — and a value that cannot be used is an
//! error naming it, never a quiet fall-back to Europe/Oslo or a default number.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use diesel::PgConnection;
use diesel::prelude::*;

use crate::db::schema::tenants;
use crate::jobs::timing::QuietHours;
use crate::jobs::worker::JobError;
use crate::web::i18n::Lang;
use crate::web::problem::AppError;

/// A service's settings, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceSettings {
    pub name: String,
    pub sender_name: Option<String>,
    pub reply_to: Option<String>,
    pub lang: Lang,
    pub tz: Tz,
    pub quiet_hours: QuietHours,
    /// The default length of a meeting.
    pub meeting_minutes: u32,
    /// Meeting reminders go this many days before.
    pub reminder_days: Vec<u32>,
    pub chase_after_days: u32,
    pub chase_max: u32,
    pub map_review_months: u32,
    pub preparation_check_days: u32,
    pub evaluation_age_years: u32,
    pub evaluation_months_younger: u32,
    pub evaluation_months_older: u32,
    pub commitment_notice_days: u32,
    pub evaluation_undocumented_days: u32,
    /// The agreed evaluation opens its follow-up this many weeks before its date.
    pub follow_up_weeks_ahead: u32,
    /// A recruitment's interviews not recorded this many days after the home's self-information
    /// form was submitted remind the foster care officer.
    pub interview_reminder_days: u32,
    /// A recruitment's decision not made this many days after matching is overdue (the
    /// caseworker is told).
    pub decision_overdue_days: u32,
    /// The sender SMS show, as set (whether it may be shown is [`super::sender`]'s to say).
    pub sms_sender: Option<String>,
}

/// Why a service's settings could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
    /// A stored value Tillit cannot work with (the CHECK constraints do not cover it).
    #[error("the service's settings are corrupt: {0}")]
    Corrupt(String),
}

impl From<SettingsError> for AppError {
    fn from(e: SettingsError) -> Self {
        match e {
            SettingsError::Db(e) => e.into(),
            corrupt => AppError::Internal(corrupt.to_string()),
        }
    }
}

impl From<SettingsError> for JobError {
    fn from(e: SettingsError) -> Self {
        match e {
            SettingsError::Db(e) => e.into(),
            // No attempt succeeds until someone fixes the settings: park it with the reason.
            corrupt => JobError::Permanent(corrupt.to_string()),
        }
    }
}

/// The settings columns of `tenants` as stored, before [`ServiceSettings::parse`]: selectable
/// with another statement's row (an invitee's page reads them with the invitation), so that a
/// page needing them costs no statement of its own.
#[derive(Queryable, Selectable)]
#[diesel(table_name = tenants, check_for_backend(diesel::pg::Pg))]
pub struct StoredSettings {
    name: String,
    sender_name: Option<String>,
    reply_to: Option<String>,
    locale: String,
    time_zone: String,
    quiet_start_hour: i16,
    quiet_end_hour: i16,
    meeting_minutes: i32,
    reminder_days: Vec<i32>,
    chase_after_days: i32,
    chase_max: i32,
    map_review_months: i32,
    preparation_check_days: i32,
    evaluation_age_years: i32,
    evaluation_months_younger: i32,
    evaluation_months_older: i32,
    commitment_notice_days: i32,
    evaluation_undocumented_days: i32,
    follow_up_weeks_ahead: i32,
    interview_reminder_days: i32,
    decision_overdue_days: i32,
    sms_sender: Option<String>,
}

impl ServiceSettings {
    /// The settings of the service whose transaction `conn` is in.
    pub fn load(conn: &mut PgConnection) -> Result<Self, SettingsError> {
        let stored = tenants::table
            .select(StoredSettings::as_select())
            .first(conn)?;
        Self::parse(stored)
    }

    /// The settings read as stored, checked and parsed.
    pub fn parse(stored: StoredSettings) -> Result<Self, SettingsError> {
        let StoredSettings {
            name,
            sender_name,
            reply_to,
            locale,
            time_zone: zone,
            quiet_start_hour: quiet_start,
            quiet_end_hour: quiet_end,
            meeting_minutes: minutes,
            reminder_days: reminders,
            chase_after_days: chase_after,
            chase_max,
            map_review_months: review,
            preparation_check_days: preparation,
            evaluation_age_years: age,
            evaluation_months_younger: younger,
            evaluation_months_older: older,
            commitment_notice_days: notice,
            evaluation_undocumented_days: undocumented,
            follow_up_weeks_ahead: weeks_ahead,
            interview_reminder_days: interviews,
            decision_overdue_days: decision,
            sms_sender,
        } = stored;
        Ok(Self {
            name,
            sender_name,
            reply_to,
            lang: Lang::parse(&locale)
                .ok_or_else(|| SettingsError::Corrupt(format!("locale {locale:?} is unknown")))?,
            tz: time_zone(&zone)?,
            quiet_hours: QuietHours {
                start_hour: within("quiet_start_hour", quiet_start.into(), 0, 23)?,
                end_hour: within("quiet_end_hour", quiet_end.into(), 0, 23)?,
            },
            meeting_minutes: within("meeting_minutes", minutes, 15, 720)?,
            reminder_days: reminders
                .into_iter()
                .map(|days| within("reminder_days", days, 0, 365))
                .collect::<Result<_, _>>()?,
            chase_after_days: within("chase_after_days", chase_after, 1, 60)?,
            chase_max: within("chase_max", chase_max, 0, 10)?,
            map_review_months: within("map_review_months", review, 1, 36)?,
            preparation_check_days: within("preparation_check_days", preparation, 1, 60)?,
            evaluation_age_years: within("evaluation_age_years", age, 1, 18)?,
            evaluation_months_younger: within("evaluation_months_younger", younger, 1, 36)?,
            evaluation_months_older: within("evaluation_months_older", older, 1, 36)?,
            commitment_notice_days: within("commitment_notice_days", notice, 0, 60)?,
            evaluation_undocumented_days: within(
                "evaluation_undocumented_days",
                undocumented,
                1,
                120,
            )?,
            follow_up_weeks_ahead: within("follow_up_weeks_ahead", weeks_ahead, 0, 26)?,
            interview_reminder_days: within("interview_reminder_days", interviews, 1, 60)?,
            decision_overdue_days: within("decision_overdue_days", decision, 1, 90)?,
            sms_sender,
        })
    }

    /// Today in the service's time zone, at `now`.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        crate::time::local_date(now, self.tz)
    }
}

/// The service's time zone alone (for pages that show times and need nothing else).
pub fn zone(conn: &mut PgConnection) -> Result<Tz, SettingsError> {
    let zone: String = tenants::table.select(tenants::time_zone).first(conn)?;
    time_zone(&zone)
}

/// The zone and quiet hours the job worker waits out.
pub fn quiet_hours(conn: &mut PgConnection) -> Result<(Tz, QuietHours), SettingsError> {
    let s = ServiceSettings::load(conn)?;
    Ok((s.tz, s.quiet_hours))
}

/// When a candidate's self-information form not yet submitted is reminded: after this many days,
/// at most this many times.
pub fn self_information_reminders(conn: &mut PgConnection) -> Result<(u32, u32), SettingsError> {
    let (days, max): (i32, i32) = tenants::table
        .select((
            tenants::self_information_reminder_days,
            tenants::self_information_reminder_max,
        ))
        .first(conn)?;
    Ok((
        within("self_information_reminder_days", days, 1, 60)?,
        within("self_information_reminder_max", max, 0, 10)?,
    ))
}

fn time_zone(zone: &str) -> Result<Tz, SettingsError> {
    zone.parse()
        .map_err(|_| SettingsError::Corrupt(format!("time zone {zone:?} is not an IANA zone")))
}

fn within(column: &str, value: i32, min: i32, max: i32) -> Result<u32, SettingsError> {
    if (min..=max).contains(&value) {
        u32::try_from(value).map_err(|_| out_of_range(column, value, min, max))
    } else {
        Err(out_of_range(column, value, min, max))
    }
}

fn out_of_range(column: &str, value: i32, min: i32, max: i32) -> SettingsError {
    SettingsError::Corrupt(format!("{column} is {value}, not between {min} and {max}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(zone: &str, reminders: Vec<i32>, undocumented: i32) -> StoredSettings {
        StoredSettings {
            name: "Fjordvik".into(),
            sender_name: None,
            reply_to: None,
            locale: "nb".into(),
            time_zone: zone.into(),
            quiet_start_hour: 21,
            quiet_end_hour: 7,
            meeting_minutes: 180,
            reminder_days: reminders,
            chase_after_days: 3,
            chase_max: 2,
            map_review_months: 6,
            preparation_check_days: 7,
            evaluation_age_years: 7,
            evaluation_months_younger: 6,
            evaluation_months_older: 12,
            commitment_notice_days: 3,
            evaluation_undocumented_days: undocumented,
            follow_up_weeks_ahead: 4,
            interview_reminder_days: 14,
            decision_overdue_days: 21,
            sms_sender: None,
        }
    }

    #[test]
    fn the_zone_is_parsed_once_with_the_numbers() {
        let s = ServiceSettings::parse(stored("Europe/Oslo", vec![7, 1], 14)).unwrap();
        assert_eq!(s.tz, chrono_tz::Europe::Oslo);
        assert_eq!(s.reminder_days, [7, 1]);
        assert_eq!(s.quiet_hours.start_hour, 21);
        assert_eq!(s.evaluation_undocumented_days, 14);
        assert_eq!(s.follow_up_weeks_ahead, 4);
    }

    #[test]
    fn a_corrupt_zone_is_an_error_that_names_it() {
        let err = ServiceSettings::parse(stored("Europe/Osloo", vec![7], 14)).unwrap_err();
        assert!(err.to_string().contains("\"Europe/Osloo\""), "{err}");
        assert!(matches!(
            JobError::from(err),
            JobError::Permanent(m) if m.contains("time zone")
        ));
    }

    #[test]
    fn a_negative_number_is_an_error_not_a_default() {
        let err = ServiceSettings::parse(stored("Europe/Oslo", vec![7, -1], 14)).unwrap_err();
        assert!(err.to_string().contains("reminder_days is -1"), "{err}");
        let err = ServiceSettings::parse(stored("Europe/Oslo", vec![7], 0)).unwrap_err();
        assert!(
            err.to_string().contains("evaluation_undocumented_days"),
            "{err}"
        );
    }
}
