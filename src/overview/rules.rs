//! How far ahead the start page looks. The seeds give no fixed interval (domain brief §4), so
//! these are the product's defaults: two weeks for meetings, six for evaluations.

use chrono::{DateTime, Days, Duration, NaiveDate, Utc};

/// Meetings starting within this many days are listed.
pub const MEETINGS_AHEAD_DAYS: i64 = 14;

/// Evaluations due within this many days (or already past) are listed.
pub const EVALUATIONS_AHEAD_DAYS: u64 = 42;

/// The moment up to which meetings are listed.
pub fn meetings_until(now: DateTime<Utc>) -> DateTime<Utc> {
    now + Duration::days(MEETINGS_AHEAD_DAYS)
}

/// The last day on which an evaluation is listed.
pub fn evaluations_until(today: NaiveDate) -> NaiveDate {
    today
        .checked_add_days(Days::new(EVALUATIONS_AHEAD_DAYS))
        .unwrap_or(today)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_windows_reach_two_and_six_weeks_ahead() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(
            evaluations_until(today),
            NaiveDate::from_ymd_opt(2027, 1, 13).unwrap()
        );
        let now = today.and_hms_opt(8, 0, 0).unwrap().and_utc();
        assert_eq!((meetings_until(now) - now).num_days(), 14);
    }
}
