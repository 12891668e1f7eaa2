//! Times are stored in UTC and shown in Europe/London. The UK rule (Summer Time
//! Order 2002, following EU directive 2000/84/EC): British Summer Time runs from
//! 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

fn last_sunday(year: i32, month: Month) -> Date {
    let mut d = Date::from_calendar_date(year, month, month.length(year)).expect("valid last day");
    while d.weekday() != Weekday::Sunday {
        d = d.previous_day().expect("in range");
    }
    d
}

/// Whether British Summer Time is in force at an instant.
pub fn is_bst(t: OffsetDateTime) -> bool {
    let t = t.to_offset(UtcOffset::UTC);
    let year = t.year();
    let start =
        PrimitiveDateTime::new(last_sunday(year, Month::March), Time::from_hms(1, 0, 0).expect("valid")).assume_utc();
    let end =
        PrimitiveDateTime::new(last_sunday(year, Month::October), Time::from_hms(1, 0, 0).expect("valid")).assume_utc();
    t >= start && t < end
}

/// The instant in London local time, with "GMT" or "BST".
pub fn to_london(t: OffsetDateTime) -> (OffsetDateTime, &'static str) {
    if is_bst(t) {
        (t.to_offset(UtcOffset::from_hms(1, 0, 0).expect("valid")), "BST")
    } else {
        (t.to_offset(UtcOffset::UTC), "GMT")
    }
}

/// Formats an instant for people: `21 Nov 2026 16:05 GMT`.
pub fn display(t: OffsetDateTime) -> String {
    let (local, zone) = to_london(t);
    let fmt = time::macros::format_description!("[day padding:none] [month repr:short] [year] [hour]:[minute]");
    format!("{} {zone}", local.format(&fmt).expect("formats"))
}

/// Formats a stored RFC 3339 time for people, or returns it unchanged if it does not parse.
/// A stored instant as people in the UK read it.
pub fn display_instant(t: crate::ids::Instant) -> String {
    display(t.get())
}

pub fn display_stored(s: &str) -> String {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map(display)
        .unwrap_or_else(|_| s.to_string())
}

/// Formats a calendar date for people: `30 April 2026`.
pub fn display_date(d: Date) -> String {
    let fmt = time::macros::format_description!("[day padding:none] [month repr:long] [year]");
    d.format(&fmt).expect("formats")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn summer_time_boundaries() {
        // 2026: BST from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert!(!is_bst(datetime!(2026-03-29 00:59:59 UTC)));
        assert!(is_bst(datetime!(2026-03-29 01:00:00 UTC)));
        assert!(is_bst(datetime!(2026-10-25 00:59:59 UTC)));
        assert!(!is_bst(datetime!(2026-10-25 01:00:00 UTC)));
        assert_eq!(display(datetime!(2026-07-01 12:30 UTC)), "1 Jul 2026 13:30 BST");
        assert_eq!(display(datetime!(2026-11-21 16:05 UTC)), "21 Nov 2026 16:05 GMT");
        assert_eq!(display_date(time::macros::date!(2026 - 04 - 30)), "30 April 2026");
    }
}
