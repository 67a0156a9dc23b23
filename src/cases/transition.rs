//! The reminder that a child is turning 17½: time for the meeting about what happens after 18 (the
//! "17½-års møte", which the youth may lead), while child welfare can still prepare the way into
//! after-care or out of it.
//!
//! One pending row per case, due at 09:00 in the service's time zone on the day the child turns
//! 17½. It is written when the case opens and replaced whenever the child's birth date or year
//! changes, in the same transaction; closing the case cancels it and reopening writes it again.
//! A child who is already past 17½ gets none. When it is due, the staff then assigned to the case
//! get a neutral email, like the map review reminder.

use diesel::PgConnection;
use uuid::Uuid;

use super::domain::Phase;
use super::queries::{self, CaseRow, TenantClock};
use super::reminders::{self, send_time, subject};
use super::rules::{birthday, turns_seventeen_and_a_half};
use crate::db::TenantId;
use crate::jobs::worker::{JobContext, JobError, JobRow};
use crate::jobs::{self, Job, NewJob};
use crate::web::problem::AppError;

/// The reminder `case` needs now, if any: none for a closed case or a child already past 17½. A
/// child who turns 17½ today still gets it (at once if nine o'clock has passed).
pub fn reminder_for(
    case: &CaseRow,
    birth_year: i16,
    birth_date: Option<chrono::NaiveDate>,
    clock: &TenantClock,
) -> Result<Option<NewJob>, AppError> {
    if case.phase()? == Phase::Closed {
        return Ok(None);
    }
    let day = turns_seventeen_and_a_half(birthday(birth_year, birth_date));
    if day < clock.today {
        return Ok(None);
    }
    Ok(Some(NewJob::new(
        &TransitionMeeting { case_id: case.id },
        send_time(day, clock.tz),
        Some(subject(case.id)),
    )))
}

/// Replaces the case's pending 17½ reminder with the one it needs now (perhaps none), in the
/// caller's transaction.
pub fn schedule(
    conn: &mut PgConnection,
    tenant: TenantId,
    case: &CaseRow,
    clock: &TenantClock,
) -> Result<(), AppError> {
    let child = queries::child(conn, tenant, case.child_id)?;
    let replacement: Vec<NewJob> = reminder_for(case, child.birth_year, child.birth_date, clock)?
        .into_iter()
        .collect();
    jobs::replace_for_subject(
        conn,
        tenant,
        subject(case.id),
        &[TransitionMeeting::KIND],
        &replacement,
    )?;
    Ok(())
}

/// Cancels the case's pending 17½ reminder (the case was closed).
pub fn cancel(conn: &mut PgConnection, tenant: TenantId, case_id: Uuid) -> Result<(), AppError> {
    jobs::replace_for_subject(
        conn,
        tenant,
        subject(case_id),
        &[TransitionMeeting::KIND],
        &[],
    )?;
    Ok(())
}

/// The child of a case turns 17½: a neutral reminder to the staff assigned to the case that it
/// is time for the transition meeting. One pending row per case, replaced when the birth date
/// changes.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TransitionMeeting {
    pub case_id: Uuid,
}

impl Job for TransitionMeeting {
    const KIND: &'static str = "transition_meeting";
    const RESPECTS_QUIET_HOURS: bool = true;

    fn run(&self, ctx: &JobContext, conn: &mut PgConnection, row: &JobRow) -> Result<(), JobError> {
        reminders::notify_assigned(
            ctx,
            conn,
            row,
            self.case_id,
            crate::mail::templates::transition_meeting,
        )
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, NaiveDate, TimeZone, Utc};
    use chrono_tz::Europe::Oslo;

    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn case(phase: Phase) -> CaseRow {
        let opened = Utc.with_ymd_and_hms(2026, 1, 10, 9, 0, 0).unwrap();
        CaseRow {
            id: Uuid::from_u128(1),
            child_id: Uuid::from_u128(2),
            phase: phase.as_str().to_owned(),
            acute: false,
            opened_at: opened,
            phase_changed_at: opened,
            reference: None,
            municipality: None,
            where_child_can_go: None,
        }
    }

    fn clock(today: NaiveDate) -> TenantClock {
        TenantClock {
            tz: Oslo,
            review_months: 6,
            now: today.and_hms_opt(12, 0, 0).unwrap().and_utc(),
            today,
        }
    }

    fn due(birth_date: NaiveDate, today: NaiveDate) -> Option<DateTime<Utc>> {
        reminder_for(
            &case(Phase::Investigation),
            i16::try_from(chrono::Datelike::year(&birth_date)).unwrap(),
            Some(birth_date),
            &clock(today),
        )
        .unwrap()
        .map(|job| job.due_at)
    }

    fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    #[test]
    fn due_at_nine_local_on_the_day_across_both_daylight_saving_changes() {
        let today = day(2026, 11, 22);
        // 17½ on Sunday 28 March 2027, the spring change: 09:00 CEST is 07:00 UTC.
        assert_eq!(due(day(2009, 9, 28), today), Some(utc(2027, 3, 28, 7)));
        // The day before, still winter time: 09:00 CET is 08:00 UTC.
        assert_eq!(due(day(2009, 9, 27), today), Some(utc(2027, 3, 27, 8)));
        // Sunday 25 October 2026 had the autumn change; 17½ on Saturday 30 October 2027 (summer
        // time) and on Monday 1 November 2027 (winter time).
        assert_eq!(due(day(2010, 4, 30), today), Some(utc(2027, 10, 30, 7)));
        assert_eq!(due(day(2010, 5, 1), today), Some(utc(2027, 11, 1, 8)));
    }

    #[test]
    fn only_the_year_known_counts_from_the_first_of_july() {
        let job = reminder_for(
            &case(Phase::SupportMeasures),
            2010,
            None,
            &clock(day(2026, 11, 22)),
        )
        .unwrap()
        .expect("a reminder");
        assert_eq!(job.due_at, utc(2028, 1, 1, 8));
        assert_eq!(job.kind, TransitionMeeting::KIND);
        assert_eq!(
            job.payload,
            serde_json::json!({ "case_id": Uuid::from_u128(1) })
        );
        assert_eq!(job.subject, Some(subject(Uuid::from_u128(1))));
    }

    #[test]
    fn none_for_a_closed_case_or_a_child_already_past_seventeen_and_a_half() {
        let today = day(2026, 11, 22);
        assert_eq!(due(day(2009, 5, 21), today), None, "17½ yesterday");
        assert_eq!(
            due(day(2009, 5, 22), today),
            Some(utc(2026, 11, 22, 8)),
            "17½ today: still reminded"
        );
        let closed = reminder_for(&case(Phase::Closed), 2012, None, &clock(today)).unwrap();
        assert!(closed.is_none());
    }
}
