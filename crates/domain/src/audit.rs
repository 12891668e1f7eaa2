//! The audit trail in words: every change to an event and its plan, read from
//! the journal entries of the event's streams (`event/{id}` and `plan/{id}`),
//! described as a person would say it ("Added measure “Hostile vehicle
//! barriers”", "Issued version 2: for Gold"), with names, never ids. Also the
//! retention classes of records (reference data) and when a record is due for
//! review. Nothing here reads or deletes anything: the store does the reading,
//! and nothing is ever deleted automatically.

use crate::access::Action;
use crate::event::Event;
use crate::identity::Role;
use crate::plan::{PlanEvent, PlanItem};
use crate::planned_event::PlannedEventEvent;
use crate::records::RecordEvent;
use serde::{Deserialize, Serialize};
use time::Date;

/// Reading the change history of an event as a security coordinator on its
/// team (the person who answers for the plan). The access log stays with
/// auditors (`records.audit`).
pub const HISTORY: Action = Action {
    name: "audit.history",
    what: "read the change history of an event whose team they are on",
    roles: Some(&[Role::SecurityCoordinator]),
    needs_team: true,
};

/// The audit capability's actions.
pub const ACTIONS: &[Action] = &[HISTORY];

/// How names are found for the ids a journal entry holds.
pub trait Names {
    /// A user's name, by user id.
    fn user(&self, id: &str) -> Option<String>;
    /// An organisation's name, by id.
    fn organisation(&self, id: &str) -> Option<String>;
    /// An attack methodology's name, by id.
    fn methodology(&self, id: &str) -> Option<String>;
    /// The name a plan item last had (`section/id`), for a removal.
    fn item(&self, key: &str) -> Option<String>;
}

/// A plan section in words, as a sentence uses it ("measure", "risk assessment").
pub fn section_words(section: &str) -> &'static str {
    match section {
        "tasking" => "tasking",
        "intent" => "intent",
        "threat_assessment" => "threat assessment",
        "operational_factor" => "operational factor",
        "recon_visit" => "reconnaissance visit",
        "no_recon_reason" => "reason for no reconnaissance",
        "risk_assessment" => "risk assessment",
        "vulnerability" => "vulnerability",
        "power" => "power or policy",
        "measure" => "measure",
        "contingency" => "contingency",
        "recommendation" => "recommendation",
        "review" => "review",
        "tactical_plan" => "tactical plan",
        "stakeholder" => "stakeholder",
        "liaison" => "liaison entry",
        "meeting" => "planning meeting",
        _ => "item",
    }
}

/// The kinds of change the audit trail holds, with their words (for filters).
pub const CHANGE_KINDS: &[(&str, &str)] = &[
    ("planned_event_created", "Event created"),
    ("planned_event_status_changed", "Status moved on"),
    ("planned_event_changed", "Event's details changed"),
    ("team_member_added", "Added to the team"),
    ("team_member_removed", "Removed from the team"),
    ("record_shared", "Shared with an organisation"),
    ("commanders_set", "Commanders named"),
    ("plan_item_saved", "Plan item added or changed"),
    ("plan_item_removed", "Plan item removed"),
    ("plan_issued", "Version issued"),
    ("plan_endorsed", "Version endorsed"),
];

/// The kinds of access-log entry for a record, with their words (for filters).
pub const ACCESS_KINDS: &[(&str, &str)] = &[("read", "Read"), ("denied", "Refused")];

/// A kind of change in words; the kind itself when it is not one of [`CHANGE_KINDS`].
pub fn change_kind_words(kind: &str) -> String {
    CHANGE_KINDS.iter().find(|(k, _)| *k == kind).map(|(_, w)| w.to_string()).unwrap_or_else(|| kind.replace('_', " "))
}

/// A plan item as a sentence names it: `the vulnerability “Market square”`.
pub fn section_item_name(item: &PlanItem) -> String {
    struct NoNames;
    impl Names for NoNames {
        fn user(&self, _: &str) -> Option<String> {
            None
        }
        fn organisation(&self, _: &str) -> Option<String> {
            None
        }
        fn methodology(&self, _: &str) -> Option<String> {
            None
        }
        fn item(&self, _: &str) -> Option<String> {
            None
        }
    }
    format!("The {} “{}”", section_words(item.section()), item_name(item, &NoNames))
}

/// The name of a plan item, as its section's pages call it.
pub fn item_name(item: &PlanItem, names: &dyn Names) -> String {
    if let PlanItem::RiskAssessment(r) = item {
        return names.methodology(&r.methodology).unwrap_or_else(|| r.methodology.clone());
    }
    if let PlanItem::NoReconReason { reason } = item {
        return shorten(reason);
    }
    let value = serde_json::to_value(item).unwrap_or_default();
    let inner = value.as_object().and_then(|o| o.values().find(|v| v.is_object()).cloned()).unwrap_or(value);
    crate::plan::item_name(&inner).map(|n| shorten(&n)).unwrap_or_else(|| section_words(item.section()).to_string())
}

fn shorten(s: &str) -> String {
    let s = s.trim();
    let first: String = s.chars().take(80).collect();
    if first.len() < s.len() {
        format!("{}…", first.trim_end())
    } else {
        first
    }
}

fn person(names: &dyn Names, id: &str) -> String {
    names.user(id).unwrap_or_else(|| "a user no longer recorded".into())
}

/// What a journal entry of an event's streams changed, in words. `first_save`
/// says whether a saved plan item was new (added) or already there (changed).
pub fn describe(event: &Event, first_save: bool, names: &dyn Names) -> String {
    match event {
        Event::PlannedEvent(PlannedEventEvent::PlannedEventCreated { event, .. }) => {
            format!("Created the event “{}”, marked {}", event.name, event.marking)
        }
        Event::PlannedEvent(PlannedEventEvent::PlannedEventStatusChanged { status, reason, .. }) => match reason {
            Some(r) => format!("Moved the event to {}: {}", status.words().to_lowercase(), shorten(r)),
            None => format!("Moved the event to {}", status.words().to_lowercase()),
        },
        Event::PlannedEvent(PlannedEventEvent::PlannedEventChanged { event, reason }) => {
            let what = format!("Changed the event's details (“{}”, marked {})", event.name, event.marking);
            match reason {
                Some(r) => format!("{what}: {}", shorten(r)),
                None => what,
            }
        }
        Event::PlannedEvent(PlannedEventEvent::CommandersSet { gold_user_id, silver_user_id, .. }) => {
            let who = |id: &Option<crate::ids::UserId>| match id {
                Some(id) => person(names, id.as_str()),
                None => "nobody".into(),
            };
            format!("Named Gold: {}; Silver: {}", who(gold_user_id), who(silver_user_id))
        }
        Event::Records(RecordEvent::TeamMemberAdded { user_id, .. }) => {
            format!("Added {} to the team", person(names, user_id.as_str()))
        }
        Event::Records(RecordEvent::TeamMemberRemoved { user_id, reason, .. }) => {
            let what = format!("Removed {} from the team", person(names, user_id.as_str()));
            if reason.trim().is_empty() {
                what
            } else {
                format!("{what}: {}", reason.trim())
            }
        }
        Event::Records(RecordEvent::RecordShared { organisation_id, .. }) => format!(
            "Shared the event with {}",
            names.organisation(organisation_id.as_str()).unwrap_or_else(|| "an organisation".into())
        ),
        Event::Records(RecordEvent::RecordUnshared { organisation_id, .. }) => format!(
            "Stopped sharing the event with {}",
            names.organisation(organisation_id.as_str()).unwrap_or_else(|| "an organisation".into())
        ),
        Event::Plan(PlanEvent::PlanItemSaved { item, marking, .. }) => {
            let verb = if first_save { "Added" } else { "Changed" };
            let marked = marking.map(|m| format!(", marked {m}")).unwrap_or_default();
            format!("{verb} {} “{}”{marked}", section_words(item.section()), item_name(item, names))
        }
        Event::Plan(PlanEvent::PlanItemRemoved { section, item_id, reason, .. }) => {
            let key = crate::plan::Plan::marking_key(section, item_id);
            let what = match names.item(&key) {
                Some(name) => format!("Removed {} “{name}”", section_words(section)),
                None => format!("Removed a {}", section_words(section)),
            };
            if reason.trim().is_empty() {
                what
            } else {
                format!("{what}: {}", reason.trim())
            }
        }
        Event::Plan(PlanEvent::PlanIssued { number, reason, .. }) => {
            if reason.trim().is_empty() {
                format!("Issued version {number}")
            } else {
                format!("Issued version {number}: {}", shorten(reason))
            }
        }
        Event::Plan(PlanEvent::PlanEndorsed { number, conditions, .. }) => {
            if conditions.trim().is_empty() {
                format!("Endorsed version {number}")
            } else {
                format!("Endorsed version {number}, with conditions: {}", shorten(conditions))
            }
        }
        other => format!("Recorded {}", change_kind_words(other.kind())),
    }
}

/// An access-log entry of a record in words: "Read the plan", "Refused: …".
pub fn describe_access(kind: &str, payload: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(payload).unwrap_or_default();
    let text = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
    match kind {
        "read" => match text("via").as_str() {
            "plan" => "Read the plan".into(),
            "get" => "Read the event".into(),
            "list" => "Saw the event in a list".into(),
            "search" => "Found the event in a search".into(),
            "export" => "Exported the event".into(),
            "attachment" => "Downloaded an attachment".into(),
            "audit" => "Read the audit trail".into(),
            "access_log" => "Read the access log".into(),
            "retention" => "Listed for retention review".into(),
            "history" => "Read the change history".into(),
            "disclosure" => "Exported the disclosure bundle".into(),
            "" => "Read".into(),
            other => format!("Read ({})", other.replace('_', " ")),
        },
        "denied" => {
            let reason = text("reason");
            let action = text("action");
            let what = match action.as_str() {
                "records.read" | "" => String::new(),
                a => format!(" ({a})"),
            };
            format!("Refused{what}: {reason}")
        }
        other => other.replace('_', " "),
    }
}

/// A retention class of records (reference data, `reference/retention.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RetentionClass {
    /// The record kind it applies to, such as `event`.
    pub record_kind: String,
    /// The class's name, such as "Operational planning record".
    pub class: String,
    /// Years after the record's last activity when it is due for review.
    pub review_years: i32,
    /// Where the period comes from.
    pub source: String,
    /// What the review decides, in words.
    pub note: String,
}

/// The retention schedule: one class per record kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionSchedule {
    pub classes: Vec<RetentionClass>,
}

impl RetentionSchedule {
    /// Parses and checks `reference/retention.toml`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let s: RetentionSchedule = toml::from_str(text).map_err(|e| format!("retention schedule: {e}"))?;
        for c in &s.classes {
            if c.review_years < 1 || c.review_years > 100 {
                return Err(format!("retention class {:?}: review_years must be between 1 and 100", c.class));
            }
            c.record_kind.parse::<crate::records::RecordKind>()?;
        }
        for k in crate::records::RecordKind::ALL {
            if !s.classes.iter().any(|c| c.record_kind == k.as_str()) {
                return Err(format!("retention schedule: no class for {} records", k.words()));
            }
        }
        Ok(s)
    }

    pub fn class_for(&self, kind: crate::records::RecordKind) -> Option<&RetentionClass> {
        self.classes.iter().find(|c| c.record_kind == kind.as_str())
    }
}

/// When a record whose last activity was on `last` is due for review.
pub fn review_due(last: Date, years: i32) -> Date {
    let year = last.year() + years;
    // 29 February moves to 28 February in a year that has none.
    Date::from_calendar_date(year, last.month(), last.day())
        .or_else(|_| Date::from_calendar_date(year, last.month(), last.day() - 1))
        .unwrap_or(last)
}

/// How many days before its review date a record is listed as coming up.
pub const REVIEW_NOTICE_DAYS: i64 = 90;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Measure, PlanItem};
    use std::collections::HashMap;

    struct Map(HashMap<String, String>);
    impl Names for Map {
        fn user(&self, id: &str) -> Option<String> {
            self.0.get(id).cloned()
        }
        fn organisation(&self, id: &str) -> Option<String> {
            self.0.get(id).cloned()
        }
        fn methodology(&self, id: &str) -> Option<String> {
            self.0.get(id).cloned()
        }
        fn item(&self, key: &str) -> Option<String> {
            self.0.get(key).cloned()
        }
    }

    fn names() -> Map {
        Map(HashMap::from([
            ("u1".to_string(), "Jo Bloggs".to_string()),
            ("o1".to_string(), "Northshire Fire and Rescue".to_string()),
            ("measure/m1".to_string(), "Hostile vehicle barriers".to_string()),
        ]))
    }

    #[test]
    fn changes_read_in_words_with_names_not_ids() {
        let n = names();
        let e: Event =
            RecordEvent::TeamMemberAdded { record_id: "e1".parse().unwrap(), user_id: "u1".parse().unwrap() }.into();
        assert_eq!(describe(&e, false, &n), "Added Jo Bloggs to the team");
        let e: Event =
            RecordEvent::RecordShared { record_id: "e1".parse().unwrap(), organisation_id: "o1".parse().unwrap() }
                .into();
        assert_eq!(describe(&e, false, &n), "Shared the event with Northshire Fire and Rescue");
        let e: Event = PlanEvent::PlanIssued {
            event_id: "e1".parse().unwrap(),
            number: 2,
            reason: "For Gold".into(),
            body: "{}".into(),
            hash: "h".into(),
        }
        .into();
        assert_eq!(describe(&e, false, &n), "Issued version 2: For Gold");
        let e: Event =
            PlanEvent::PlanEndorsed { event_id: "e1".parse().unwrap(), number: 2, conditions: String::new() }.into();
        assert_eq!(describe(&e, false, &n), "Endorsed version 2");
        let e: Event = PlannedEventEvent::CommandersSet {
            event_id: "e1".parse().unwrap(),
            gold_user_id: Some("u1".parse().unwrap()),
            silver_user_id: None,
        }
        .into();
        assert_eq!(describe(&e, false, &n), "Named Gold: Jo Bloggs; Silver: nobody");
        let e: Event = PlannedEventEvent::PlannedEventStatusChanged {
            id: "e1".parse().unwrap(),
            status: crate::planned_event::EventStatus::Live,
            reason: None,
        }
        .into();
        assert_eq!(describe(&e, false, &n), "Moved the event to live");
        let e: Event = PlannedEventEvent::PlannedEventStatusChanged {
            id: "e1".parse().unwrap(),
            status: crate::planned_event::EventStatus::Live,
            reason: Some("The route opens early".into()),
        }
        .into();
        assert_eq!(describe(&e, false, &n), "Moved the event to live: The route opens early");
        let e: Event = PlanEvent::PlanItemRemoved {
            event_id: "e1".parse().unwrap(),
            section: "measure".into(),
            item_id: "m1".into(),
            reason: String::new(),
        }
        .into();
        assert_eq!(describe(&e, false, &n), "Removed measure “Hostile vehicle barriers”");
        let e: Event = PlanEvent::PlanItemRemoved {
            event_id: "e1".parse().unwrap(),
            section: "measure".into(),
            item_id: "m1".into(),
            reason: "Replaced by the barrier plan".into(),
        }
        .into();
        assert_eq!(describe(&e, false, &n), "Removed measure “Hostile vehicle barriers”: Replaced by the barrier plan");
    }

    #[test]
    fn a_saved_item_is_added_the_first_time_and_changed_after() {
        let n = names();
        let measure: Measure = serde_json::from_value(serde_json::json!({
            "id": "m1", "title": "Hostile vehicle barriers", "risks": [], "tactical_plan": null,
            "status": "proposed", "decline_reason": null
        }))
        .unwrap_or_else(|e| panic!("a measure: {e}"));
        let e: Event = PlanEvent::PlanItemSaved {
            event_id: "e1".parse().unwrap(),
            item: PlanItem::Measure(measure),
            marking: None,
        }
        .into();
        assert_eq!(describe(&e, true, &n), "Added measure “Hostile vehicle barriers”");
        assert_eq!(describe(&e, false, &n), "Changed measure “Hostile vehicle barriers”");
    }

    #[test]
    fn access_entries_read_in_words() {
        assert_eq!(describe_access("read", r#"{"via":"plan"}"#), "Read the plan");
        assert_eq!(
            describe_access("denied", r#"{"action":"records.read","reason":"no such record"}"#),
            "Refused: no such record"
        );
        assert_eq!(
            describe_access("denied", r#"{"action":"records.audit","reason":"x"}"#),
            "Refused (records.audit): x"
        );
    }

    #[test]
    fn review_dates_follow_the_period() {
        let d = time::macros::date!(2024 - 02 - 29);
        assert_eq!(review_due(d, 6), time::macros::date!(2030 - 02 - 28));
        assert_eq!(review_due(time::macros::date!(2026 - 05 - 03), 6), time::macros::date!(2032 - 05 - 03));
    }

    #[test]
    fn the_shipped_retention_schedule_parses_and_covers_every_record_kind() {
        let s = RetentionSchedule::parse(crate::reference::RETENTION_TOML).unwrap();
        assert!(s.class_for(crate::records::RecordKind::Event).is_some());
        assert!(RetentionSchedule::parse("classes = []").is_err());
    }
}
