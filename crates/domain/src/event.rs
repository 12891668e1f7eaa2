//! The journal's event envelope. Every change of state is a typed event of one
//! capability (`threat::ThreatEvent`, `plan::PlanEvent`, ...), appended to the
//! journal and applied to the state tables in one transaction.
//!
//! The envelope adds nothing to the stored payload: an event is stored as its
//! capability's JSON, tagged by `type` (its kind), so payloads written before
//! the envelope existed read back unchanged. Adding a capability is one line
//! in the `envelope!` invocation below.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What every capability's event enum provides. Implement it with
/// [`capability_event!`](crate::capability_event): the kind is the variant's
/// name in snake_case, which is also the JSON tag.
pub trait CapabilityEvent: Serialize + DeserializeOwned + Clone + std::fmt::Debug + PartialEq {
    /// Every kind this capability records, as stored in the journal's `kind` column.
    const KINDS: &'static [&'static str];
    fn kind(&self) -> &'static str;
    /// The stream the event belongs to, such as `plan/<event id>`.
    fn stream(&self) -> String;
}

/// Implements [`CapabilityEvent`] for an enum tagged
/// `#[serde(tag = "type", rename_all = "snake_case")]` that derives
/// `strum::IntoStaticStr` and `strum::VariantNames` with
/// `#[strum(serialize_all = "snake_case")]`.
#[macro_export]
macro_rules! capability_event {
    ($ty:ty, |$e:ident| $stream:expr) => {
        impl $crate::event::CapabilityEvent for $ty {
            const KINDS: &'static [&'static str] = <$ty as strum::VariantNames>::VARIANTS;
            fn kind(&self) -> &'static str {
                self.into()
            }
            fn stream(&self) -> String {
                let $e = self;
                $stream
            }
        }
    };
}

macro_rules! envelope {
    ($( $(#[$doc:meta])* $variant:ident($ty:ty) ),+ $(,)?) => {
        /// One variant per capability.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Event {
            $( $(#[$doc])* $variant($ty), )+
        }

        $(
            impl From<$ty> for Event {
                fn from(e: $ty) -> Self {
                    Event::$variant(e)
                }
            }
        )+

        impl Event {
            /// Each capability with every kind it records.
            pub const CAPABILITIES: &'static [(&'static str, &'static [&'static str])] =
                &[ $( (stringify!($variant), <$ty as CapabilityEvent>::KINDS), )+ ];

            /// The event's kind, as stored in the journal's `kind` column.
            pub fn kind(&self) -> &'static str {
                match self { $( Event::$variant(e) => e.kind(), )+ }
            }

            /// The stream the event belongs to, such as `threat/national`.
            pub fn stream(&self) -> String {
                match self { $( Event::$variant(e) => e.stream(), )+ }
            }
        }

        impl Serialize for Event {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self { $( Event::$variant(e) => e.serialize(s), )+ }
            }
        }

        impl<'de> Deserialize<'de> for Event {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let value = serde_json::Value::deserialize(d)?;
                let kind = value
                    .get("type")
                    .and_then(|t| t.as_str())
                    .ok_or_else(|| D::Error::missing_field("type"))?;
                $(
                    if <$ty as CapabilityEvent>::KINDS.contains(&kind) {
                        return <$ty>::deserialize(value).map(Event::$variant).map_err(D::Error::custom);
                    }
                )+
                Err(D::Error::custom(format!("unknown event kind {kind:?}")))
            }
        }
    };
}

envelope! {
    /// Reference data loaded from `reference/*.toml`.
    Reference(crate::reference::ReferenceEvent),
    /// Threat levels and the threat-to-response mapping.
    Threat(crate::threat::ThreatEvent),
    /// Organisations, users, credentials and tokens.
    Identity(crate::identity::IdentityEvent),
    /// Teams and shares of access-controlled records.
    Records(crate::records::RecordEvent),
    /// Events and operations.
    PlannedEvent(crate::planned_event::PlannedEventEvent),
    /// The CT protective security plan.
    Plan(crate::plan::PlanEvent),
    /// Security advice and reviews, and the library of considerations.
    Advice(crate::advice::AdviceEvent),
    /// Security coordinators: the roster, deployment requests, vacancies.
    Seco(crate::seco::SecoEvent),
    /// Policy records and their reviews.
    Policy(crate::policy::PolicyEvent),
    /// The register of crowded places, advisers and allocation runs.
    Places(crate::places::PlacesEvent),
    /// The police estate: sites, their staff and their response levels.
    Estate(crate::estate::EstateEvent),
    /// The demonstration data set.
    Demo(crate::demo::DemoEvent),
}

impl Event {
    /// Every kind of every capability.
    pub fn all_kinds() -> impl Iterator<Item = &'static str> {
        Event::CAPABILITIES.iter().flat_map(|(_, kinds)| kinds.iter().copied())
    }

    /// The payload as stored: the capability's JSON, tagged with its kind.
    pub fn to_payload(&self) -> String {
        serde_json::to_string(self).expect("events always serialise")
    }

    pub fn from_payload(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::threat::{Confidence, Series, ThreatEvent, ThreatLevel};

    #[test]
    fn kind_matches_the_payload_tag() {
        let e: Event = ThreatEvent::ThreatLevelChanged {
            series: Series::National,
            level: ThreatLevel::Severe,
            effective: "2026-04-30".into(),
            note: "n".into(),
            source: "s".into(),
            confidence: Confidence::Official,
        }
        .into();
        let v: serde_json::Value = serde_json::from_str(&e.to_payload()).unwrap();
        assert_eq!(v["type"], e.kind());
        assert_eq!(v["level"], "SEVERE");
        assert_eq!(v["series"], "national");
        assert_eq!(Event::from_payload(&e.to_payload()).unwrap(), e);
        assert_eq!(e.stream(), "threat/national");
    }

    #[test]
    fn the_payload_is_the_capabilitys_json_byte_for_byte() {
        // As written before the envelope existed (the journal fixture holds more).
        let stored = r#"{"type":"plan_endorsed","event_id":"e1","number":2,"conditions":"none"}"#;
        let e = Event::from_payload(stored).unwrap();
        assert!(matches!(e, Event::Plan(crate::plan::PlanEvent::PlanEndorsed { .. })));
        assert_eq!(e.to_payload(), stored);
        assert_eq!(e.stream(), "plan/e1");
    }

    #[test]
    fn every_kind_belongs_to_one_capability() {
        let mut seen = std::collections::BTreeSet::new();
        for kind in Event::all_kinds() {
            assert!(seen.insert(kind), "{kind} is claimed by two capabilities");
        }
        assert!(seen.contains("threat_level_changed") && seen.contains("demo_seeded"));
    }

    #[test]
    fn an_unknown_or_untagged_payload_is_an_error() {
        assert!(Event::from_payload(r#"{"type":"no_such_kind"}"#).unwrap_err().to_string().contains("no_such_kind"));
        assert!(Event::from_payload(r#"{"note":"x"}"#).is_err());
        assert!(Event::from_payload(r#"{"type":"demo_seeded"}"#).is_err(), "a missing field is an error");
    }
}
