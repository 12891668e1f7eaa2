//! The records layer: who may see an access-controlled record beyond its
//! owning organisation and marking: its team (need to know) and the
//! organisations it is shared with.

use serde::{Deserialize, Serialize};

/// The journal events of teams and shares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum RecordEvent {
    /// A user joined a record's team (its need-to-know group).
    TeamMemberAdded {
        record_id: String,
        user_id: String,
    },
    TeamMemberRemoved {
        record_id: String,
        user_id: String,
    },
    RecordShared {
        record_id: String,
        organisation_id: String,
    },
}

crate::capability_event!(RecordEvent, |e| match e {
    RecordEvent::TeamMemberAdded { record_id, .. }
    | RecordEvent::TeamMemberRemoved { record_id, .. }
    | RecordEvent::RecordShared { record_id, .. } => format!("event/{record_id}"),
});
