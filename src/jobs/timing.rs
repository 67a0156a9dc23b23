//! When a message may leave: times are kept in UTC and reasoned about in the tenant's zone, so a
//! reminder "7 days before at the meeting's local time" stays right across daylight-saving changes,
//! and nothing is sent in the tenant's quiet hours (it waits for the morning).

use chrono::{DateTime, Days, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;

use crate::time::local_to_utc;

/// A tenant's quiet hours: no email between `start_hour` and `end_hour` local time. `start_hour`
/// after `end_hour` spans midnight (21–7); equal hours mean no quiet hours at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start_hour: u32,
    pub end_hour: u32,
}

impl QuietHours {
    fn contains(&self, hour: u32) -> bool {
        match self.start_hour.cmp(&self.end_hour) {
            std::cmp::Ordering::Equal => false,
            std::cmp::Ordering::Less => hour >= self.start_hour && hour < self.end_hour,
            std::cmp::Ordering::Greater => hour >= self.start_hour || hour < self.end_hour,
        }
    }
}

/// The first moment at or after `at` that is outside the quiet hours in `tz`.
pub fn next_send_time(at: DateTime<Utc>, tz: Tz, quiet: QuietHours) -> DateTime<Utc> {
    let local = at.with_timezone(&tz);
    if !quiet.contains(local.hour()) {
        return at;
    }
    // Quiet: move to end_hour:00 local, today if that is still ahead, else tomorrow.
    let today = local.date_naive();
    let date = if local.hour() < quiet.end_hour {
        today
    } else {
        today.checked_add_days(Days::new(1)).unwrap_or(today)
    };
    local_to_utc(
        date,
        NaiveTime::from_hms_opt(quiet.end_hour, 0, 0).unwrap_or_default(),
        tz,
    )
}

/// When a message due at `due_at` and not sent yet leaves, seen at `now`: at once if it is due
/// and urgent, else at its moment or — inside the quiet hours — when they end.
pub fn leaves_at(
    due_at: DateTime<Utc>,
    urgent: bool,
    tz: Tz,
    quiet: QuietHours,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let due = due_at.max(now);
    if urgent {
        due
    } else {
        next_send_time(due, tz, quiet)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::days_before;
    use chrono::{NaiveDate, TimeZone};
    use chrono_tz::Europe::Oslo;

    const QUIET: QuietHours = QuietHours {
        start_hour: 21,
        end_hour: 7,
    };

    fn oslo(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        local_to_utc(
            NaiveDate::from_ymd_opt(y, m, d).unwrap(),
            NaiveTime::from_hms_opt(h, min, 0).unwrap(),
            Oslo,
        )
    }

    #[test]
    fn daytime_messages_leave_at_once() {
        let noon = oslo(2026, 11, 23, 12, 0);
        assert_eq!(next_send_time(noon, Oslo, QUIET), noon);
    }

    #[test]
    fn evening_and_night_messages_wait_for_the_morning() {
        assert_eq!(
            next_send_time(oslo(2026, 11, 23, 22, 30), Oslo, QUIET),
            oslo(2026, 11, 24, 7, 0)
        );
        assert_eq!(
            next_send_time(oslo(2026, 11, 24, 3, 0), Oslo, QUIET),
            oslo(2026, 11, 24, 7, 0)
        );
        assert_eq!(
            next_send_time(oslo(2026, 11, 24, 7, 0), Oslo, QUIET),
            oslo(2026, 11, 24, 7, 0)
        );
    }

    #[test]
    fn the_morning_after_the_spring_change_is_still_seven_local() {
        // Last Sunday of March 2027: 02:00 → 03:00 in Oslo. 23:00 Saturday waits until 07:00
        // Sunday local, which is 05:00 UTC (CEST), not 06:00.
        let sent = next_send_time(oslo(2027, 3, 27, 23, 0), Oslo, QUIET);
        assert_eq!(sent, Utc.with_ymd_and_hms(2027, 3, 28, 5, 0, 0).unwrap());
    }

    #[test]
    fn the_morning_after_the_autumn_change_is_still_seven_local() {
        // Last Sunday of October 2026: 03:00 → 02:00. 07:00 local is 06:00 UTC (CET).
        let sent = next_send_time(oslo(2026, 10, 24, 23, 0), Oslo, QUIET);
        assert_eq!(sent, Utc.with_ymd_and_hms(2026, 10, 25, 6, 0, 0).unwrap());
    }

    #[test]
    fn a_week_before_keeps_the_wall_clock_across_both_changes() {
        // Meeting Tuesday 31 March 2027 at 18:00 (summer time); 7 days before is 24 March 18:00
        // (winter time): 7 × 24 h + 1 h apart.
        let meeting = oslo(2027, 3, 31, 18, 0);
        let reminder = days_before(meeting, 7, Oslo);
        assert_eq!(reminder, oslo(2027, 3, 24, 18, 0));
        assert_eq!((meeting - reminder).num_hours(), 7 * 24 - 1);
        // Autumn: meeting 27 October 2026 at 10:00 (winter), reminder 20 October 10:00 (summer).
        let meeting = oslo(2026, 10, 27, 10, 0);
        assert_eq!(
            (meeting - days_before(meeting, 7, Oslo)).num_hours(),
            7 * 24 + 1
        );
    }

    #[test]
    fn a_time_in_the_spring_gap_moves_past_it() {
        let t = oslo(2027, 3, 28, 2, 30);
        assert_eq!(
            t,
            Utc.with_ymd_and_hms(2027, 3, 28, 1, 0, 0).unwrap(),
            "03:00 CEST"
        );
    }

    #[test]
    fn quiet_hours_within_one_day_and_none_at_all() {
        let day = QuietHours {
            start_hour: 12,
            end_hour: 13,
        };
        assert_eq!(
            next_send_time(oslo(2026, 11, 23, 12, 15), Oslo, day),
            oslo(2026, 11, 23, 13, 0)
        );
        let none = QuietHours {
            start_hour: 0,
            end_hour: 0,
        };
        let night = oslo(2026, 11, 23, 3, 0);
        assert_eq!(next_send_time(night, Oslo, none), night);
    }
}
