//! Time in a service's zone. Moments are stored as UTC and reasoned about in the service's time
//! zone: a local date and wall-clock time becomes UTC here (correct across daylight-saving
//! changes), and a moment or a date is shown here as people reading it in their language write it.

use chrono::{
    DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike,
    Utc,
};
use chrono_tz::Tz;

use crate::web::i18n::Lang;

/// The service's notion of now. In production it is the system clock; a test moves it forward
/// ([`Clock::advance`]) to see what happens when a time limit passes (an on-call opening after its
/// 12 hours), without touching the rows. Clones share the same offset.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_secs: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl Clock {
    /// Now, moved by whatever a test has advanced the clock by.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now()
            + chrono::Duration::seconds(self.offset_secs.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Moves this clock (and every clone of it) forward by `by`.
    pub fn advance(&self, by: chrono::Duration) {
        self.offset_secs
            .fetch_add(by.num_seconds(), std::sync::atomic::Ordering::Relaxed);
    }
}

/// `time` on `date` in `tz`, as UTC. A time that does not exist (skipped by the spring change) is
/// moved forward past the gap; an ambiguous one (repeated in autumn) takes the first occurrence.
pub fn local_to_utc(date: NaiveDate, time: NaiveTime, tz: Tz) -> DateTime<Utc> {
    let naive = date.and_time(time);
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => {
            // Gaps are at most an hour or two; step forward by minutes until one exists.
            (1..=180)
                .find_map(|m| {
                    tz.from_local_datetime(&(naive + chrono::Duration::minutes(m)))
                        .earliest()
                })
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|| Utc.from_utc_datetime(&naive))
        }
    }
}

/// `hour`:00 on `date` in `tz`, as UTC: when a message meant for that day leaves.
pub fn at_hour(date: NaiveDate, hour: u32, tz: Tz) -> DateTime<Utc> {
    local_to_utc(
        date,
        NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or_default(),
        tz,
    )
}

/// The date in `tz` at the moment `at`.
pub fn local_date(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// The moment `days` calendar days before `at`, at the same local wall-clock time in `tz`. Across
/// a daylight-saving change this is 24 h ± 1 h per day away, as people expect of "a week before".
pub fn days_before(at: DateTime<Utc>, days: u32, tz: Tz) -> DateTime<Utc> {
    let local = at.with_timezone(&tz);
    let date = local
        .date_naive()
        .checked_sub_days(Days::new(u64::from(days)))
        .unwrap_or(local.date_naive());
    local_to_utc(date, local.time(), tz)
}

/// A moment given in the service's time zone: `2026-12-03T18:00` (as a date-time field sends
/// it), `2026-12-03 18:00`, or RFC 3339 with an explicit offset.
pub fn local_moment(text: &str, tz: Tz) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .ok_or_else(|| "write the time as 2026-12-03T18:00 (the service's local time)".to_owned())
        .and_then(|naive| exact_local(naive, tz))
}

/// A wall-clock time someone typed, as UTC — only when it names exactly one moment. Unlike
/// [`local_to_utc`] (for times Tillit picks itself), a person's time is never moved: a meeting
/// set in the hour the spring change skips, or in the hour the autumn change repeats, would
/// otherwise land an hour away from what the invitations say.
fn exact_local(naive: NaiveDateTime, tz: Tz) -> Result<DateTime<Utc>, String> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::None => Err(
            "this time does not exist: the clocks go forward an hour that night; choose a time \
             outside the skipped hour"
                .to_owned(),
        ),
        LocalResult::Ambiguous(first, second) => Err(format!(
            "this time occurs twice: the clocks go back an hour that night; choose a time \
             outside the repeated hour, or give it with its offset ({} for the first, {} for \
             the second)",
            first.to_rfc3339(),
            second.to_rfc3339()
        )),
    }
}

/// A calendar date as the reader writes it: `24.11.2026` or `2026-11-24`.
///
/// Written out field by field rather than through `format`, whose pattern is parsed again on
/// every call: a start page shows a couple of hundred dates and moments.
pub fn date(day: NaiveDate, lang: Lang) -> String {
    let (y, m, d) = (day.year(), day.month(), day.day());
    match lang {
        Lang::Nb | Lang::Nn => format!("{d:02}.{m:02}.{y:04}"),
        Lang::En => format!("{y:04}-{m:02}-{d:02}"),
    }
}

/// A moment as people in `tz` read it: `24.11.2026 kl. 09:15` or `2026-11-24 09:15`.
/// Written out field by field, as [`date`].
pub fn moment(at: DateTime<Utc>, tz: Tz, lang: Lang) -> String {
    let local = at.with_timezone(&tz);
    let (y, m, d) = (local.year(), local.month(), local.day());
    let (h, min) = (local.hour(), local.minute());
    match lang {
        Lang::Nb | Lang::Nn => format!("{d:02}.{m:02}.{y:04} kl. {h:02}:{min:02}"),
        Lang::En => format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}"),
    }
}

/// The wall-clock time of `at` in `tz`: `18:30`.
pub fn clock(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%H:%M").to_string()
}

/// The value a `datetime-local` field shows for `at` in `tz`: `2026-12-03T18:00`.
pub fn field_value(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string()
}

/// The value a `date` field shows: `2026-12-03`.
pub fn date_field_value(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

const WEEKDAYS_NB: [&str; 7] = [
    "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag",
];
const WEEKDAYS_NN: [&str; 7] = [
    "måndag", "tysdag", "onsdag", "torsdag", "fredag", "laurdag", "søndag",
];
const MONTHS_NB: [&str; 12] = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
];

/// A moment in plain words, as a sentence says it to someone who does not read dates in
/// numbers (the child's page): `torsdag 14. januar 2027 kl. 18.00` or
/// `Thursday 14 January 2027 at 18:00`.
pub fn spoken_moment(at: DateTime<Utc>, tz: Tz, lang: Lang) -> String {
    use chrono::{Datelike, Timelike};
    let local = at.with_timezone(&tz);
    let weekday = local.weekday().num_days_from_monday() as usize;
    let month = local.month0() as usize;
    match lang {
        Lang::Nb | Lang::Nn => format!(
            "{} {}. {} {} kl. {:02}.{:02}",
            if lang == Lang::Nn {
                WEEKDAYS_NN[weekday]
            } else {
                WEEKDAYS_NB[weekday]
            },
            local.day(),
            MONTHS_NB[month],
            local.year(),
            local.hour(),
            local.minute()
        ),
        Lang::En => local.format("%A %-d %B %Y at %H:%M").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Oslo;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_time_in_the_spring_gap_moves_past_it() {
        let t = at_hour(day(2027, 3, 28), 2, Oslo);
        assert_eq!(t, Utc.with_ymd_and_hms(2027, 3, 28, 1, 0, 0).unwrap());
    }

    #[test]
    fn a_repeated_autumn_time_takes_the_first_occurrence() {
        let t = local_to_utc(
            day(2026, 10, 25),
            NaiveTime::from_hms_opt(2, 30, 0).unwrap(),
            Oslo,
        );
        assert_eq!(t, Utc.with_ymd_and_hms(2026, 10, 25, 0, 30, 0).unwrap());
    }

    #[test]
    fn moments_and_dates_read_as_each_language_writes_them() {
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 8, 15, 0).unwrap();
        assert_eq!(moment(at, Oslo, Lang::Nb), "24.11.2026 kl. 09:15");
        assert_eq!(moment(at, Oslo, Lang::En), "2026-11-24 09:15");
        assert_eq!(date(day(2026, 11, 24), Lang::Nb), "24.11.2026");
        assert_eq!(date(day(2026, 11, 24), Lang::En), "2026-11-24");
        assert_eq!(clock(at, Oslo), "09:15");
        assert_eq!(field_value(at, Oslo), "2026-11-24T09:15");
        assert_eq!(local_date(at, Oslo), day(2026, 11, 24));
    }

    #[test]
    fn a_moment_in_plain_words_names_the_day_and_month_in_each_language() {
        let winter = Utc.with_ymd_and_hms(2027, 1, 14, 17, 0, 0).unwrap();
        assert_eq!(
            spoken_moment(winter, Oslo, Lang::Nb),
            "torsdag 14. januar 2027 kl. 18.00"
        );
        assert_eq!(
            spoken_moment(winter, Oslo, Lang::En),
            "Thursday 14 January 2027 at 18:00"
        );
        assert_eq!(
            spoken_moment(winter + chrono::Duration::days(2), Oslo, Lang::Nn),
            "laurdag 16. januar 2027 kl. 18.00"
        );
        let summer = Utc.with_ymd_and_hms(2027, 6, 5, 7, 30, 0).unwrap();
        assert_eq!(
            spoken_moment(summer, Oslo, Lang::Nb),
            "lørdag 5. juni 2027 kl. 09.30"
        );
    }

    #[test]
    fn local_input_is_read_in_the_service_zone() {
        let summer = local_moment("2027-06-01T18:00", Oslo).unwrap();
        assert_eq!(summer, Utc.with_ymd_and_hms(2027, 6, 1, 16, 0, 0).unwrap());
        let offset = local_moment("2027-06-01T18:00:00+00:00", Oslo).unwrap();
        assert_eq!(offset, Utc.with_ymd_and_hms(2027, 6, 1, 18, 0, 0).unwrap());
        assert!(local_moment("tomorrow", Oslo).is_err());
    }

    #[test]
    fn a_typed_time_in_the_spring_gap_is_refused_with_why() {
        let err = local_moment("2027-03-28T02:30", Oslo).unwrap_err();
        assert!(err.starts_with("this time does not exist"), "{err}");
        // The minutes either side of the gap are real.
        assert_eq!(
            local_moment("2027-03-28T01:59", Oslo).unwrap(),
            Utc.with_ymd_and_hms(2027, 3, 28, 0, 59, 0).unwrap()
        );
        assert_eq!(
            local_moment("2027-03-28T03:00", Oslo).unwrap(),
            Utc.with_ymd_and_hms(2027, 3, 28, 1, 0, 0).unwrap()
        );
    }

    #[test]
    fn a_typed_autumn_time_that_occurs_twice_names_both_and_an_offset_settles_it() {
        let err = local_moment("2026-10-25T02:30", Oslo).unwrap_err();
        assert!(err.starts_with("this time occurs twice"), "{err}");
        assert!(err.contains("2026-10-25T02:30:00+02:00"), "{err}");
        assert!(err.contains("2026-10-25T02:30:00+01:00"), "{err}");
        assert_eq!(
            local_moment("2026-10-25T02:30:00+01:00", Oslo).unwrap(),
            Utc.with_ymd_and_hms(2026, 10, 25, 1, 30, 0).unwrap()
        );
    }
}
