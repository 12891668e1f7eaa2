//! Identifiers and instants as types of their own, parsed at the edge.
//!
//! An identifier is 1 to 64 letters, digits, hyphens or underscores (a UUID
//! for records Cordon creates; a short readable slug for demo and reference
//! records). Each kind has its own type, so an organisation's id cannot be
//! passed where an event's is wanted. They serialise as plain strings, so the
//! journal's payloads are the bytes they always were.
//!
//! An [`Instant`] is a moment in UTC, kept as Cordon has always written it
//! (`2026-05-03T08:00:00.000000Z`); parsing accepts any RFC 3339 time and
//! normalises it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why text is not an identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an identifier (1 to 64 letters, digits, hyphens or underscores)")]
pub struct BadId(pub String);

/// Whether `s` has the shape of an identifier.
pub fn is_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Parses text from outside (a path, a body, a form, a row).
            pub fn parse(s: &str) -> Result<Self, BadId> {
                if is_id(s) {
                    Ok(Self(s.to_string()))
                } else {
                    Err(BadId(s.to_string()))
                }
            }

            /// A new identifier (a time-ordered UUID).
            pub fn generate() -> Self {
                Self(uuid::Uuid::now_v7().to_string())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = BadId;
            fn from_str(s: &str) -> Result<Self, BadId> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = BadId;
            fn try_from(s: String) -> Result<Self, BadId> {
                if is_id(&s) {
                    Ok(Self(s))
                } else {
                    Err(BadId(s))
                }
            }
        }

        impl TryFrom<&str> for $name {
            type Error = BadId;
            fn try_from(s: &str) -> Result<Self, BadId> {
                Self::parse(s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl From<&$name> for String {
            fn from(id: &$name) -> String {
                id.0.clone()
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::Type::String)
                    .min_length(Some(1))
                    .max_length(Some(64))
                    .pattern(Some("^[A-Za-z0-9_-]{1,64}$"))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

id_type!(
    /// An event or operation (the record a plan is written for).
    EventId
);
id_type!(
    /// A user account.
    UserId
);
id_type!(
    /// An organisation (a force, agency or partner).
    OrganisationId
);
id_type!(
    /// Any access-controlled record, of whatever kind (see `records`).
    RecordId
);

id_type!(
    /// A request for security advice or a review, with its drafts and versions.
    AdviceId
);

impl From<&AdviceId> for RecordId {
    fn from(id: &AdviceId) -> RecordId {
        RecordId(id.0.clone())
    }
}

impl From<EventId> for RecordId {
    fn from(id: EventId) -> RecordId {
        RecordId(id.0)
    }
}

impl From<&EventId> for RecordId {
    fn from(id: &EventId) -> RecordId {
        RecordId(id.0.clone())
    }
}

/// A moment in time, in UTC, written as Cordon writes times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Instant(time::OffsetDateTime);

/// Why text is not a time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a time in RFC 3339 form, such as 2026-05-03T08:00:00Z")]
pub struct BadInstant(pub String);

impl Instant {
    /// Parses any RFC 3339 time (any offset); keeps it as UTC.
    pub fn parse(s: &str) -> Result<Instant, BadInstant> {
        time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339)
            .map(Instant::from)
            .map_err(|_| BadInstant(s.to_string()))
    }

    pub fn get(self) -> time::OffsetDateTime {
        self.0
    }

    /// As stored: microseconds, `Z`.
    pub fn stored(self) -> String {
        let fmt =
            time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
        self.0.format(&fmt).expect("UTC times always format")
    }
}

impl From<time::OffsetDateTime> for Instant {
    fn from(t: time::OffsetDateTime) -> Instant {
        Instant(t.to_offset(time::UtcOffset::UTC))
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.stored())
    }
}

impl std::str::FromStr for Instant {
    type Err = BadInstant;
    fn from_str(s: &str) -> Result<Instant, BadInstant> {
        Instant::parse(s)
    }
}

impl TryFrom<String> for Instant {
    type Error = BadInstant;
    fn try_from(s: String) -> Result<Instant, BadInstant> {
        Instant::parse(&s)
    }
}

impl From<Instant> for String {
    fn from(t: Instant) -> String {
        t.stored()
    }
}

impl utoipa::PartialSchema for Instant {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::DateTime)))
            .into()
    }
}

impl utoipa::ToSchema for Instant {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_checked_where_they_come_in() {
        assert!(EventId::parse("0190f0e2-8b7c-7b1e-9a3c-2f1d4e5a6b7c").is_ok());
        assert!(EventId::parse("vu-market").is_ok());
        for bad in ["", "a/b", "a b", "x\u{202e}", "../etc", &"a".repeat(65)] {
            assert!(EventId::parse(bad).is_err(), "{bad:?}");
        }
        let id = UserId::generate();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
        assert_eq!(serde_json::from_str::<UserId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<UserId>("\"a/b\"").is_err());
    }

    #[test]
    fn instants_read_any_offset_and_write_as_stored() {
        let t = Instant::parse("2026-05-03T09:00:00+01:00").unwrap();
        assert_eq!(t.stored(), "2026-05-03T08:00:00.000000Z");
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"2026-05-03T08:00:00.000000Z\"");
        let back: Instant = serde_json::from_str("\"2026-05-03T08:00:00.000000Z\"").unwrap();
        assert_eq!(back, t);
        assert!(Instant::parse("tomorrow").is_err());
    }
}

id_type!(
    /// A security coordinator (SECO) on a roster.
    SecoId
);
id_type!(
    /// A request for the deployment of a SECO to an event.
    DeploymentRequestId
);
id_type!(
    /// A vacancy for a SECO and its selection.
    VacancyId
);
id_type!(
    /// A policy or standard operating procedure under review.
    PolicyId
);

id_type!(
    /// A site of the police estate (a headquarters, a station, a custody suite...).
    SiteId
);

id_type!(
    /// An activation of a force's move-to-critical contingency plan.
    ActivationId
);
