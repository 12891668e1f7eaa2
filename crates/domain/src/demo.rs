//! The demonstration data set.

use serde::{Deserialize, Serialize};

/// The journal event that marks a database as holding demonstration data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum DemoEvent {
    /// The demonstration data set was created.
    DemoSeeded { note: String },
}

crate::capability_event!(DemoEvent, |_e| "demo".into());
