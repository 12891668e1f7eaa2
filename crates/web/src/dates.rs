//! The GOV.UK date input (day, month and year in three boxes) with a time
//! box, read as UK time (GMT or BST) and turned into an instant; each problem
//! is named in words against the box to correct.

use crate::forms::{field, Fields};
use cordon_domain::ids::Instant;
use time::{Date, Month, PrimitiveDateTime, Time, UtcOffset};

/// A problem with a date: the box to correct (its id) and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateProblem {
    pub field: String,
    pub message: String,
}

fn problem(field: String, message: String) -> DateProblem {
    DateProblem { field, message }
}

/// Reads `{prefix}-day`, `{prefix}-month` and `{prefix}-year` as a date.
/// `label` names the date in messages ("Start").
pub fn read_date(f: &Fields, prefix: &str, label: &str) -> Result<Date, DateProblem> {
    let part = |p: &str| field(f, &format!("{prefix}-{p}"));
    let (d, m, y) = (part("day"), part("month"), part("year"));
    if d.is_empty() && m.is_empty() && y.is_empty() {
        return Err(problem(format!("{prefix}-day"), format!("Enter the {} date", label.to_lowercase())));
    }
    for (value, name) in [(&d, "day"), (&m, "month"), (&y, "year")] {
        if value.is_empty() {
            return Err(problem(format!("{prefix}-{name}"), format!("{label} date must include a {name}")));
        }
    }
    let num = |s: &str| s.parse::<i32>().ok();
    let (Some(dn), Some(mn), Some(yn)) = (num(&d), num(&m), num(&y)) else {
        return Err(problem(format!("{prefix}-day"), format!("{label} date must be a real date, in numbers")));
    };
    if !(1000..=9999).contains(&yn) {
        return Err(problem(format!("{prefix}-year"), format!("{label} year must include 4 numbers")));
    }
    let month = u8::try_from(mn).ok().and_then(|m| Month::try_from(m).ok());
    let date = month.and_then(|mo| u8::try_from(dn).ok().and_then(|day| Date::from_calendar_date(yn, mo, day).ok()));
    date.ok_or_else(|| problem(format!("{prefix}-day"), format!("{label} date must be a real date")))
}

/// Reads `{prefix}-time` (24-hour, such as 14:30 or 9.15).
pub fn read_time(f: &Fields, prefix: &str, label: &str) -> Result<Time, DateProblem> {
    let raw = field(f, &format!("{prefix}-time"));
    let id = format!("{prefix}-time");
    if raw.is_empty() {
        return Err(problem(id, format!("Enter the {} time, such as 14:30", label.to_lowercase())));
    }
    let cleaned = raw.replace('.', ":");
    let mut parts = cleaned.splitn(2, ':');
    let h = parts.next().and_then(|h| h.trim().parse::<u8>().ok());
    let m = parts.next().map(|m| m.trim().parse::<u8>().ok()).unwrap_or(Some(0));
    match (h, m) {
        (Some(h), Some(m)) => {
            Time::from_hms(h, m, 0).map_err(|_| problem(id, format!("{label} time must be a real time, such as 14:30")))
        }
        _ => Err(problem(id, format!("{label} time must be a real time, such as 14:30"))),
    }
}

/// A UK local date and time as an instant: GMT or BST, whichever applies
/// (in the hour that repeats when the clocks go back, the first).
pub fn london_instant(date: Date, t: Time) -> Instant {
    let p = PrimitiveDateTime::new(date, t);
    for hours in [1, 0] {
        let candidate = p.assume_offset(UtcOffset::from_hms(hours, 0, 0).expect("valid"));
        if cordon_domain::london::to_london(candidate).0.time() == t {
            return Instant::from(candidate.to_offset(UtcOffset::UTC));
        }
    }
    // The hour skipped when the clocks go forward: read as GMT.
    Instant::from(p.assume_utc())
}

/// Reads the date and time boxes of `prefix` as a UK time.
pub fn read_instant(f: &Fields, prefix: &str, label: &str) -> Result<Instant, DateProblem> {
    let d = read_date(f, prefix, label)?;
    let t = read_time(f, prefix, label)?;
    Ok(london_instant(d, t))
}

/// The boxes of `prefix` filled in from an instant (UK time), for a form.
pub fn fill(fields: &mut Fields, prefix: &str, at: Instant) {
    let (local, _) = cordon_domain::london::to_london(at.get());
    fields.push((format!("{prefix}-day"), local.day().to_string()));
    fields.push((format!("{prefix}-month"), u8::from(local.month()).to_string()));
    fields.push((format!("{prefix}-year"), local.year().to_string()));
    fields.push((format!("{prefix}-time"), format!("{:02}:{:02}", local.hour(), local.minute())));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Fields {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_date_that_does_not_exist_is_named() {
        let f = form(&[("starts-day", "31"), ("starts-month", "2"), ("starts-year", "2027"), ("starts-time", "09:00")]);
        let e = read_instant(&f, "starts", "Start").unwrap_err();
        assert_eq!(e.field, "starts-day");
        assert_eq!(e.message, "Start date must be a real date");
        let f = form(&[("starts-day", "3"), ("starts-month", ""), ("starts-year", "2027")]);
        assert_eq!(read_date(&f, "starts", "Start").unwrap_err().message, "Start date must include a month");
        assert_eq!(read_date(&form(&[]), "starts", "Start").unwrap_err().message, "Enter the start date");
        let f = form(&[("starts-time", "25:00")]);
        assert_eq!(read_time(&f, "starts", "Start").unwrap_err().field, "starts-time");
    }

    #[test]
    fn uk_time_is_gmt_in_winter_and_bst_in_summer() {
        let f = form(&[("s-day", "25"), ("s-month", "4"), ("s-year", "2027"), ("s-time", "9.30")]);
        assert_eq!(read_instant(&f, "s", "Start").unwrap().stored(), "2027-04-25T08:30:00.000000Z");
        let f = form(&[("s-day", "1"), ("s-month", "12"), ("s-year", "2026"), ("s-time", "09:30")]);
        let at = read_instant(&f, "s", "Start").unwrap();
        assert_eq!(at.stored(), "2026-12-01T09:30:00.000000Z");
        let mut back = Vec::new();
        fill(&mut back, "s", at);
        assert_eq!(field(&back, "s-time"), "09:30");
        assert_eq!(field(&back, "s-month"), "12");
    }
}
