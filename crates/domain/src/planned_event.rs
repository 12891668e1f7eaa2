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

/// Planning → endorsed → live → debrief → closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    Planning,
    Endorsed,
    Live,
    Debrief,
    Closed,
}

impl EventStatus {
    pub const ALL: [EventStatus; 5] =
        [EventStatus::Planning, EventStatus::Endorsed, EventStatus::Live, EventStatus::Debrief, EventStatus::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Planning => "planning",
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
            EventStatus::Endorsed => "Endorsed",
            EventStatus::Live => "Live",
            EventStatus::Debrief => "Debrief",
            EventStatus::Closed => "Closed",
        }
    }
}

impl EventStatus {
    /// The status an event moves on to by hand from this one, if any: an
    /// event becomes endorsed only when its plan is endorsed, and a closed
    /// event stays closed.
    pub fn next(self) -> Option<EventStatus> {
        match self {
            EventStatus::Planning | EventStatus::Closed => None,
            EventStatus::Endorsed => Some(EventStatus::Live),
            EventStatus::Live => Some(EventStatus::Debrief),
            EventStatus::Debrief => Some(EventStatus::Closed),
        }
    }

    /// Whether an event may move from this status to `to`, and if not, why, in words.
    pub fn check_transition(self, to: EventStatus) -> Result<(), String> {
        if self.next() == Some(to) {
            return Ok(());
        }
        Err(match (self, self.next()) {
            (EventStatus::Planning, _) => {
                "an event becomes endorsed when its strategic commander endorses an issued plan".to_string()
            }
            (EventStatus::Closed, _) => "the event is closed".to_string(),
            (from, Some(next)) => format!("from {} the next status is {}", from.as_str(), next.as_str()),
            (from, None) => format!("an event cannot move on from {}", from.as_str()),
        })
    }
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

/// Parses an RFC 3339 time and returns it normalised to UTC as stored.
pub fn parse_instant(field: &str, s: &str) -> Result<Instant, FieldError> {
    Instant::parse(s).map_err(|_| {
        FieldError::new(field, format!("{field} must be a time in RFC 3339 form, such as 2026-05-03T08:00:00Z"))
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
        return Err(FieldError::new("name", "name is required"));
    }
    if name.chars().count() > 200 {
        return Err(FieldError::new("name", "name is longer than 200 characters"));
    }
    if ends_at <= starts_at {
        return Err(FieldError::new("ends_at", "ends_at must be after starts_at"));
    }
    if ends_at.get() - starts_at.get() > time::Duration::days(366) {
        return Err(FieldError::new("ends_at", "an event may last at most a year"));
    }
    if expected_attendance < 0 {
        return Err(FieldError::new("expected_attendance", "expected_attendance cannot be negative"));
    }
    if expected_attendance > 10_000_000 {
        return Err(FieldError::new("expected_attendance", "expected_attendance is implausibly large"));
    }
    if venues.is_empty() {
        return Err(FieldError::new("venues", "at least one venue is required"));
    }
    if venues.len() > 50 {
        return Err(FieldError::new("venues", "at most 50 venues"));
    }
    for (i, v) in venues.iter().enumerate() {
        if v.name.trim().is_empty() {
            return Err(FieldError::new(&format!("venues[{i}].name"), "each venue needs a name"));
        }
        if v.name.chars().count() > 200 || v.address.chars().count() > 500 {
            return Err(FieldError::new(&format!("venues[{i}]"), "venue name or address is too long"));
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
    PlannedEventEvent::CommandersSet { event_id, .. } => format!("plan/{event_id}"),
});

#[cfg(test)]
mod transition_tests {
    use super::EventStatus::{self, *};

    #[test]
    fn an_event_moves_on_one_step_at_a_time_and_never_back() {
        for from in EventStatus::ALL {
            for to in EventStatus::ALL {
                let allowed = matches!((from, to), (Endorsed, Live) | (Live, Debrief) | (Debrief, Closed));
                assert_eq!(from.check_transition(to).is_ok(), allowed, "{from:?} -> {to:?}");
            }
        }
        assert!(Planning.check_transition(Endorsed).unwrap_err().contains("endorses"));
        assert_eq!(Closed.check_transition(Live).unwrap_err(), "the event is closed");
        assert_eq!(Live.check_transition(Closed).unwrap_err(), "from live the next status is debrief");
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
