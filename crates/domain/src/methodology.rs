//! Attack methodologies and their typical mitigations (domain reference §3).
//! The catalogue is reference data loaded from `reference/attack-methodologies.toml`.

use serde::{Deserialize, Serialize};

/// One attack methodology in the reference catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AttackMethodology {
    /// A stable identifier such as `vehicle_as_a_weapon`.
    pub id: String,
    pub name: String,
    pub description: String,
    pub typical_mitigations: Vec<String>,
    pub sources: Vec<String>,
}

impl AttackMethodology {
    pub fn check(&self) -> Result<(), String> {
        if self.id.is_empty() || !self.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
            return Err(format!("methodology id {:?} must be lower-case letters, digits and _", self.id));
        }
        if self.name.trim().is_empty() {
            return Err(format!("methodology {} has no name", self.id));
        }
        if self.sources.is_empty() {
            return Err(format!("methodology {} has no source", self.id));
        }
        Ok(())
    }
}
