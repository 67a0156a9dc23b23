//! The `.ics` attached to invitations, built with the `icalendar` crate.
//!
//! Confidential by default: the file says only that there is a meeting, when, and where to read
//! more (the invitee's link). No names and no attendee list — an `.ics` with all attendees leaks
//! every address to every invitee — and the place only when the coordinator chose to share it
//! for that meeting (calendars are often seen by others). The UID is the meeting's own and never changes, SEQUENCE
//! rises with each change, METHOD is REQUEST for an invitation or a change and CANCEL for a
//! cancellation, and times are UTC (`…Z`), which every client reads without a VTIMEZONE block.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use uuid::Uuid;

/// What the calendar file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Request,
    Cancel,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Request => "REQUEST",
            Self::Cancel => "CANCEL",
        }
    }
}

/// One meeting's calendar entry.
pub struct CalendarEntry<'a> {
    pub uid: Uuid,
    pub sequence: i32,
    /// The scheduling message an emailed file is (REQUEST, CANCEL); `None` for the file an
    /// invitee downloads from their page, which is just the event (RFC 5545 §3.7.2).
    pub method: Option<Method>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// A neutral title ("Møte").
    pub summary: &'a str,
    /// The place, only when shared.
    pub location: Option<&'a str>,
    /// The invitee's link, where the details are.
    pub link: Option<&'a str>,
    /// The service's neutral sender name, as the organizer's name.
    pub organizer_name: &'a str,
    pub organizer_address: &'a str,
    /// The domain of the UID (the service's host name).
    pub domain: &'a str,
    pub stamp: DateTime<Utc>,
}

/// Renders `entry` as an iCalendar file (CRLF line endings, folded lines).
pub fn render(entry: &CalendarEntry<'_>) -> String {
    let mut event = Event::new();
    event
        .uid(&format!("{}@{}", entry.uid, entry.domain))
        .timestamp(entry.stamp)
        .starts(entry.starts_at)
        .ends(entry.ends_at)
        .summary(entry.summary)
        .sequence(u32::try_from(entry.sequence).unwrap_or(0))
        .append_property(
            icalendar::Property::new("ORGANIZER", format!("mailto:{}", entry.organizer_address))
                .add_parameter("CN", entry.organizer_name)
                .done(),
        )
        .status(match entry.method {
            Some(Method::Request) | None => EventStatus::Confirmed,
            Some(Method::Cancel) => EventStatus::Cancelled,
        });
    if let Some(place) = entry.location {
        event.location(place);
    }
    if let Some(link) = entry.link {
        event.description(link).url(link);
    }
    let mut calendar = Calendar::new();
    if let Some(method) = entry.method {
        calendar.append_property(icalendar::Property::new("METHOD", method.as_str()).done());
    }
    calendar.push(event.done());
    calendar.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_file_has_uid_sequence_method_utc_times_and_no_attendees() {
        let ics = render(&CalendarEntry {
            uid: Uuid::from_u128(42),
            sequence: 2,
            method: Some(Method::Request),
            starts_at: Utc.with_ymd_and_hms(2026, 12, 3, 17, 0, 0).unwrap(),
            ends_at: Utc.with_ymd_and_hms(2026, 12, 3, 20, 0, 0).unwrap(),
            summary: "Møte",
            location: None,
            link: Some("https://tillit.example/i/tli_abc"),
            organizer_name: "Fjordvik kommune",
            organizer_address: "noreply@tillit.example",
            domain: "tillit.example",
            stamp: Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap(),
        });
        for line in [
            "METHOD:REQUEST",
            "UID:00000000-0000-0000-0000-00000000002a@tillit.example",
            "SEQUENCE:2",
            "DTSTART:20261203T170000Z",
            "DTEND:20261203T200000Z",
            "STATUS:CONFIRMED",
        ] {
            assert!(ics.contains(line), "{line} in {ics}");
        }
        assert!(ics.contains("ORGANIZER;CN=Fjordvik kommune:mailto:noreply@tillit.example"));
        assert!(!ics.contains("ATTENDEE"));
        assert!(!ics.contains("LOCATION"), "no place unless shared");
        assert!(ics.contains("\r\n"));
    }

    #[test]
    fn a_download_has_no_method_and_a_shared_place() {
        let ics = render(&CalendarEntry {
            uid: Uuid::from_u128(42),
            sequence: 0,
            method: None,
            starts_at: Utc.with_ymd_and_hms(2026, 12, 3, 17, 0, 0).unwrap(),
            ends_at: Utc.with_ymd_and_hms(2026, 12, 3, 20, 0, 0).unwrap(),
            summary: "Møte",
            location: Some("Biblioteket, 2. etasje"),
            link: None,
            organizer_name: "Fjordvik kommune",
            organizer_address: "noreply@tillit.example",
            domain: "tillit.example",
            stamp: Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap(),
        });
        assert!(!ics.contains("METHOD"), "{ics}");
        assert!(ics.contains("LOCATION:Biblioteket\\, 2. etasje"), "{ics}");
    }
}
