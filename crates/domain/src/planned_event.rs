//! Events and operations that a CT protective security plan is written for.
//! (Named `PlannedEvent` so it is never confused with a journal event.)

use crate::ids::{EventId, Instant, OrganisationId, UserId};
use crate::Marking;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What kind of event or operation it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Sporting,
    MusicOrFestival,
    Protest,
    CeremonialOrState,
    PoliticalOrConference,
    VipVisit,
    TransportHub,
    Other,
}

impl EventKind {
    pub const ALL: [EventKind; 8] = [
        EventKind::Sporting,
        EventKind::MusicOrFestival,
        EventKind::Protest,
        EventKind::CeremonialOrState,
        EventKind::PoliticalOrConference,
        EventKind::VipVisit,
        EventKind::TransportHub,
        EventKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Sporting => "sporting",
            EventKind::MusicOrFestival => "music_or_festival",
            EventKind::Protest => "protest",
            EventKind::CeremonialOrState => "ceremonial_or_state",
            EventKind::PoliticalOrConference => "political_or_conference",
            EventKind::VipVisit => "vip_visit",
            EventKind::TransportHub => "transport_hub",
            EventKind::Other => "other",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            EventKind::Sporting => "Sporting",
            EventKind::MusicOrFestival => "Music or festival",
            EventKind::Protest => "Protest",
            EventKind::CeremonialOrState => "Ceremonial or state",
            EventKind::PoliticalOrConference => "Political or conference",
            EventKind::VipVisit => "VIP visit",
            EventKind::TransportHub => "Transport hub",
            EventKind::Other => "Other",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s.trim()).ok_or_else(|| {
            let ids: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
            format!("unknown kind {s:?}: use one of {}", ids.join(", "))
        })
    }
}

/// Planning → awaiting endorsement → endorsed → live → debrief → closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    Planning,
    /// A version has been issued and Gold has not yet endorsed the latest one.
    AwaitingEndorsement,
    Endorsed,
    Live,
    Debrief,
    Closed,
}

impl EventStatus {
    pub const ALL: [EventStatus; 6] = [
        EventStatus::Planning,
        EventStatus::AwaitingEndorsement,
        EventStatus::Endorsed,
        EventStatus::Live,
        EventStatus::Debrief,
        EventStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Planning => "planning",
            EventStatus::AwaitingEndorsement => "awaiting_endorsement",
            EventStatus::Endorsed => "endorsed",
            EventStatus::Live => "live",
            EventStatus::Debrief => "debrief",
            EventStatus::Closed => "closed",
        }
    }

    /// The status as people read it.
    pub fn words(self) -> &'static str {
        match self {
            EventStatus::Planning => "Planning",
            EventStatus::AwaitingEndorsement => "Awaiting endorsement",
            EventStatus::Endorsed => "Endorsed",
            EventStatus::Live => "Live",
            EventStatus::Debrief => "Debrief",
            EventStatus::Closed => "Closed",
        }
    }

    /// The status an event moves on to by hand from this one, if any: an
    /// event becomes awaiting endorsement when a version is issued and
    /// endorsed when Gold endorses the latest one; a closed event stays closed.
    pub fn next(self) -> Option<EventStatus> {
        match self {
            EventStatus::Planning | EventStatus::AwaitingEndorsement | EventStatus::Closed => None,
            EventStatus::Endorsed => Some(EventStatus::Live),
            EventStatus::Live => Some(EventStatus::Debrief),
            EventStatus::Debrief => Some(EventStatus::Closed),
        }
    }

    /// Whether the event (and its plan) may still be changed.
    pub fn is_closed(self) -> bool {
        self == EventStatus::Closed
    }
}

/// What the lifecycle rules need to know of an event besides its status.
#[derive(Debug, Clone, Copy)]
pub struct Lifecycle {
    pub status: EventStatus,
    pub starts_at: Instant,
    /// Now.
    pub now: Instant,
}

/// Whether an event may move by hand to `to`, and if not the rule, in words.
/// `reason` is what the person gave; going live before the day before the
/// event starts needs one.
pub fn check_transition(l: Lifecycle, to: EventStatus, reason: &str) -> Result<(), String> {
    use EventStatus::*;
    let from = l.status;
    if from == Closed {
        return Err("The event is closed: its status can no longer change".into());
    }
    if from == to {
        return Err(format!("The event is already {}", to.words().to_lowercase()));
    }
    match to {
        Planning | AwaitingEndorsement => {
            return Err("An event is awaiting endorsement when a version of its plan is issued; it cannot be moved there by hand".into())
        }
        Endorsed => {
            return Err(
                "An event becomes endorsed when its strategic commander (Gold) endorses the latest issued version of its plan"
                    .into(),
            )
        }
        _ => {}
    }
    if from.next() != Some(to) {
        return Err(match from {
            Planning => "Issue the plan and have Gold endorse it before the event goes live".into(),
            AwaitingEndorsement => {
                "The latest issued version of the plan must be endorsed by Gold before the event goes live".into()
            }
            other => format!(
                "From {} the event moves on to {}",
                other.words().to_lowercase(),
                other.next().map(|n| n.words().to_lowercase()).unwrap_or_default()
            ),
        });
    }
    let (today, _) = crate::london::to_london(l.now.get());
    let (start_day, _) = crate::london::to_london(l.starts_at.get());
    let start_day = start_day.date();
    match to {
        Live => {
            let from_day = start_day.previous_day().unwrap_or(start_day);
            if today.date() < from_day && reason.trim().is_empty() {
                return Err(format!(
                    "The event starts on {}: it can go live from {}. To go live earlier, give a reason",
                    crate::london::display_date(start_day),
                    crate::london::display_date(from_day)
                ));
            }
        }
        Debrief if l.now < l.starts_at => {
            return Err(format!(
                "The event has not started yet: it can move to debrief once it has started ({})",
                crate::london::display_instant(l.starts_at)
            ));
        }
        _ => {}
    }
    Ok(())
}

impl FromStr for EventStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        EventStatus::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| format!("unknown status {s:?}: use planning, endorsed, live, debrief or closed"))
    }
}

/// A place the event uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Venue {
    pub name: String,
    pub address: String,
}

/// An event or operation, as created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedEvent {
    pub id: EventId,
    pub name: String,
    pub kind: EventKind,
    /// RFC 3339, UTC.
    pub starts_at: Instant,
    pub ends_at: Instant,
    pub venues: Vec<Venue>,
    pub expected_attendance: i64,
    pub marking: Marking,
    /// The lead organisation, which owns the record.
    pub organisation_id: OrganisationId,
}

/// A checked request to create an event. Each error names its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self { field: field.to_string(), message: message.into() }
    }
}

/// A field of an event as people read it.
pub fn field_label(field: &str) -> &str {
    match field {
        "name" => "Name",
        "kind" => "Kind of event",
        "starts_at" => "Start",
        "ends_at" => "End",
        "venues" => "Venues",
        "expected_attendance" => "Expected attendance",
        "marking" => "Protective marking",
        "organisation_id" => "Lead organisation",
        other => other,
    }
}

/// Parses an RFC 3339 time and returns it normalised to UTC as stored.
pub fn parse_instant(field: &str, s: &str) -> Result<Instant, FieldError> {
    Instant::parse(s).map_err(|_| {
        FieldError::new(
            field,
            format!("{} must be a real date and time, such as 2026-05-03T08:00:00Z", field_label(field)),
        )
    })
}

/// Checks the parts of an event that do not depend on stored data.
pub fn check_event(
    name: &str,
    starts_at: Instant,
    ends_at: Instant,
    venues: &[Venue],
    expected_attendance: i64,
) -> Result<(), FieldError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(FieldError::new("name", "Enter the event's name"));
    }
    if name.chars().count() > 200 {
        return Err(FieldError::new("name", "Name must be 200 characters or fewer"));
    }
    if ends_at <= starts_at {
        return Err(FieldError::new("ends_at", "End must be after the start"));
    }
    if ends_at.get() - starts_at.get() > time::Duration::days(366) {
        return Err(FieldError::new("ends_at", "An event may last at most a year: check the end"));
    }
    if expected_attendance < 0 {
        return Err(FieldError::new("expected_attendance", "Expected attendance cannot be negative"));
    }
    if expected_attendance > 10_000_000 {
        return Err(FieldError::new("expected_attendance", "Expected attendance must be 10,000,000 or fewer"));
    }
    if venues.is_empty() {
        return Err(FieldError::new("venues", "Add at least one venue"));
    }
    if venues.len() > 50 {
        return Err(FieldError::new("venues", "An event may have at most 50 venues"));
    }
    for (i, v) in venues.iter().enumerate() {
        if v.name.trim().is_empty() {
            return Err(FieldError::new(&format!("venues[{i}].name"), format!("Enter the name of venue {}", i + 1)));
        }
        if v.name.chars().count() > 200 || v.address.chars().count() > 500 {
            return Err(FieldError::new(
                &format!("venues[{i}]"),
                format!("Venue {}: the name must be 200 characters or fewer and the address 500 or fewer", i + 1),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn venue() -> Vec<Venue> {
        vec![Venue { name: "City Stadium".into(), address: "1 High Street".into() }]
    }

    #[test]
    fn each_rule_names_its_field() {
        let s = Instant::from(datetime!(2026-05-03 08:00 UTC));
        let e = Instant::from(datetime!(2026-05-03 18:00 UTC));
        assert!(check_event("Marathon", s, e, &venue(), 40_000).is_ok());
        assert_eq!(check_event(" ", s, e, &venue(), 1).unwrap_err().field, "name");
        assert_eq!(check_event("M", e, s, &venue(), 1).unwrap_err().field, "ends_at");
        assert_eq!(check_event("M", s, e, &venue(), -1).unwrap_err().field, "expected_attendance");
        assert_eq!(check_event("M", s, e, &[], 1).unwrap_err().field, "venues");
        assert_eq!(parse_instant("starts_at", "tomorrow").unwrap_err().field, "starts_at");
        assert!(parse_instant("starts_at", "2027-02-31T08:00:00Z").unwrap_err().message.starts_with("Start must be"));
        assert_eq!(check_event(" ", s, e, &venue(), 1).unwrap_err().message, "Enter the event's name");
        assert_eq!("music_or_festival".parse::<EventKind>().unwrap(), EventKind::MusicOrFestival);
        assert!("concert".parse::<EventKind>().is_err());
    }
}

/// The journal events of events and operations (the records a plan is written for).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum PlannedEventEvent {
    PlannedEventCreated {
        event: PlannedEvent,
        created_by: UserId,
    },
    PlannedEventStatusChanged {
        id: EventId,
        status: EventStatus,
        /// Why, as the person moving it said (recorded since the lifecycle's guard rails).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// The event's details changed: its whole new state, and why (a reason is
    /// required when its marking is lowered).
    PlannedEventChanged {
        event: PlannedEvent,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// The strategic (Gold) and tactical (Silver) commanders of an event. On the
    /// plan's stream, as it has always been recorded, so that a change of
    /// commanders is a change of the plan's view.
    CommandersSet {
        event_id: EventId,
        gold_user_id: Option<UserId>,
        silver_user_id: Option<UserId>,
    },
}

crate::capability_event!(PlannedEventEvent, |e| match e {
    PlannedEventEvent::PlannedEventCreated { event, .. } => format!("event/{}", event.id),
    PlannedEventEvent::PlannedEventStatusChanged { id, .. } => format!("event/{id}"),
    PlannedEventEvent::PlannedEventChanged { event, .. } => format!("event/{}", event.id),
    PlannedEventEvent::CommandersSet { event_id, .. } => format!("plan/{event_id}"),
});

#[cfg(test)]
mod transition_tests {
    use super::EventStatus::{self, *};
    use super::{check_transition, Lifecycle};
    use crate::ids::Instant;
    use time::macros::datetime;

    fn at(status: EventStatus, now: time::OffsetDateTime) -> Lifecycle {
        Lifecycle { status, starts_at: Instant::from(datetime!(2027-04-25 08:00 UTC)), now: Instant::from(now) }
    }

    #[test]
    fn an_event_moves_on_one_step_at_a_time_and_never_back() {
        let during = datetime!(2027-04-25 12:00 UTC);
        for from in EventStatus::ALL {
            for to in EventStatus::ALL {
                let allowed = matches!((from, to), (Endorsed, Live) | (Live, Debrief) | (Debrief, Closed));
                assert_eq!(check_transition(at(from, during), to, "").is_ok(), allowed, "{from:?} -> {to:?}");
            }
        }
        assert!(check_transition(at(Planning, during), Endorsed, "").unwrap_err().contains("endorses"));
        assert!(check_transition(at(Closed, during), Live, "").unwrap_err().contains("closed"));
        assert_eq!(
            check_transition(at(Live, during), Closed, "").unwrap_err(),
            "From live the event moves on to debrief"
        );
        assert!(check_transition(at(AwaitingEndorsement, during), Live, "").unwrap_err().contains("endorsed by Gold"));
    }

    #[test]
    fn live_from_the_day_before_the_start_and_earlier_only_with_a_reason() {
        // The day before (UK time) is allowed; two days before is not, without a reason.
        assert!(check_transition(at(Endorsed, datetime!(2027-04-24 00:30 UTC)), Live, "").is_ok());
        let early = at(Endorsed, datetime!(2027-04-23 12:00 UTC));
        let e = check_transition(early, Live, "").unwrap_err();
        assert!(e.contains("25 April 2027") && e.contains("24 April 2027") && e.contains("give a reason"), "{e}");
        assert!(check_transition(early, Live, "The route opens for the test run on Friday").is_ok());
    }

    #[test]
    fn debrief_only_after_the_start() {
        let before = at(Live, datetime!(2027-04-25 07:59 UTC));
        assert!(check_transition(before, Debrief, "any reason").unwrap_err().contains("has not started"));
        assert!(check_transition(at(Live, datetime!(2027-04-25 08:00 UTC)), Debrief, "").is_ok());
    }
}

/// Creating an event (the creator's organisation owns it; they join its team).
pub const CREATE: crate::access::Action = crate::access::Action {
    name: "events.create",
    what: "create an event or operation",
    roles: Some(crate::access::CHANGE_ROLES),
    needs_team: true,
};

/// Changing an event: its status and, for the team's owners, its team, shares and commanders.
pub const CHANGE: crate::access::Action = crate::access::Action {
    name: "events.change",
    what: "move an event's status on; as an owner of its team, change the team, shares and commanders",
    roles: Some(crate::access::CHANGE_ROLES),
    needs_team: true,
};

/// The events capability's actions.
pub const ACTIONS: &[crate::access::Action] = &[CREATE, CHANGE];
