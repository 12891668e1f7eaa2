//! The records layer: who may see an access-controlled record beyond its
//! owning organisation and marking: its team (need to know) and the
//! organisations it is shared with.

use crate::ids::{OrganisationId, RecordId, UserId};
use serde::{Deserialize, Serialize};

/// The kinds of access-controlled record. Each capability that holds marked
/// records adds its kind here (one line), and its records get a row in the
/// store's `records` table when they are created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// An event or operation (its plan is part of it).
    Event,
    /// A request for security advice or a review, with its versions.
    Advice,
}

impl RecordKind {
    pub const ALL: &'static [RecordKind] = &[RecordKind::Event, RecordKind::Advice];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Event => "event",
            RecordKind::Advice => "advice",
        }
    }

    /// The record kind in words, as messages say it.
    pub fn words(self) -> &'static str {
        match self {
            RecordKind::Event => "event",
            RecordKind::Advice => "security advice or review",
        }
    }
}

impl std::str::FromStr for RecordKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        RecordKind::ALL.iter().copied().find(|k| k.as_str() == s).ok_or_else(|| format!("unknown record kind {s:?}"))
    }
}

/// The journal events of teams and shares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum RecordEvent {
    /// A user joined a record's team (its need-to-know group).
    TeamMemberAdded {
        record_id: RecordId,
        user_id: UserId,
    },
    TeamMemberRemoved {
        record_id: RecordId,
        user_id: UserId,
        /// Why, as the person removing them said.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        reason: String,
    },
    RecordShared {
        record_id: RecordId,
        organisation_id: OrganisationId,
    },
    /// A share was taken back: the organisation no longer sees the record
    /// (a SECO's organisation, once the SECO is stood down).
    RecordUnshared {
        record_id: RecordId,
        organisation_id: OrganisationId,
    },
}

crate::capability_event!(RecordEvent, |e| match e {
    RecordEvent::TeamMemberAdded { record_id, .. }
    | RecordEvent::TeamMemberRemoved { record_id, .. }
    | RecordEvent::RecordShared { record_id, .. }
    | RecordEvent::RecordUnshared { record_id, .. } => format!("event/{record_id}"),
});
