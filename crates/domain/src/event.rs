//! Typed domain events: the only way state changes. Each is appended to the
//! journal and applied to the state tables in one transaction.

use crate::identity::{Clearance, OrgKind, Role};
use crate::methodology::AttackMethodology;
use crate::plan::PlanItem;
use crate::planned_event::{EventStatus, PlannedEvent};
use crate::risk::RiskMatrix;
use crate::threat::{Confidence, ResponseMapping, Series, ThreatLevel, Wording};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A reference file was loaded (its digest is recorded so it loads once).
    ReferenceLoaded {
        name: String,
        digest: String,
    },
    /// The wording of the threat level definitions in force from a date.
    ThreatWordingDefined {
        wording: Wording,
    },
    /// The official threat-to-response mapping.
    ResponseMappingDefined {
        mapping: ResponseMapping,
    },
    /// A new threat level was announced for a series.
    ThreatLevelChanged {
        series: Series,
        level: ThreatLevel,
        /// `YYYY-MM-DD`, the day it was announced.
        effective: String,
        note: String,
        source: String,
        confidence: Confidence,
    },
    /// A series stopped being published.
    ThreatSeriesClosed {
        series: Series,
        effective: String,
        note: String,
        source: String,
    },
    /// An attack methodology in the reference catalogue was defined or revised.
    AttackMethodologyDefined {
        methodology: AttackMethodology,
    },
    /// The risk matrix was configured.
    RiskMatrixConfigured {
        matrix: RiskMatrix,
    },
    /// The demonstration data set was created.
    DemoSeeded {
        note: String,
    },
    OrganisationAdded {
        id: String,
        name: String,
        kind: OrgKind,
    },
    UserAdded {
        id: String,
        email: String,
        name: String,
        organisation_id: String,
        roles: Vec<Role>,
        clearance: Clearance,
    },
    /// Roles, clearance or organisation changed: every session of the user ends.
    UserChanged {
        id: String,
        name: String,
        organisation_id: String,
        roles: Vec<Role>,
        clearance: Clearance,
    },
    UserDisabled {
        id: String,
    },
    UserEnabled {
        id: String,
    },
    /// The password changed. The hash itself is kept apart from the journal.
    PasswordChanged {
        user_id: String,
    },
    TotpEnabled {
        user_id: String,
    },
    ApiTokenIssued {
        id: String,
        user_id: String,
        name: String,
        token_hash: String,
        expires_at: String,
    },
    ApiTokenRevoked {
        id: String,
    },
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
    PlannedEventCreated {
        event: PlannedEvent,
        created_by: String,
    },
    PlannedEventStatusChanged {
        id: String,
        status: EventStatus,
    },
    /// The strategic (Gold) and tactical (Silver) commanders of an event.
    CommandersSet {
        event_id: String,
        gold_user_id: Option<String>,
        silver_user_id: Option<String>,
    },
    /// An item of the draft plan was added or changed.
    PlanItemSaved {
        event_id: String,
        item: PlanItem,
    },
    PlanItemRemoved {
        event_id: String,
        section: String,
        item_id: String,
    },
    /// The draft was issued as an immutable, numbered, hashed snapshot.
    PlanIssued {
        event_id: String,
        number: i64,
        reason: String,
        body: String,
        hash: String,
    },
    /// The strategic commander endorsed an issued version.
    PlanEndorsed {
        event_id: String,
        number: i64,
        conditions: String,
    },
}

impl Event {
    /// The event's kind, as stored in the journal's `kind` column.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::ReferenceLoaded { .. } => "reference_loaded",
            Event::ThreatWordingDefined { .. } => "threat_wording_defined",
            Event::ResponseMappingDefined { .. } => "response_mapping_defined",
            Event::ThreatLevelChanged { .. } => "threat_level_changed",
            Event::ThreatSeriesClosed { .. } => "threat_series_closed",
            Event::AttackMethodologyDefined { .. } => "attack_methodology_defined",
            Event::RiskMatrixConfigured { .. } => "risk_matrix_configured",
            Event::DemoSeeded { .. } => "demo_seeded",
            Event::OrganisationAdded { .. } => "organisation_added",
            Event::UserAdded { .. } => "user_added",
            Event::UserChanged { .. } => "user_changed",
            Event::UserDisabled { .. } => "user_disabled",
            Event::UserEnabled { .. } => "user_enabled",
            Event::PasswordChanged { .. } => "password_changed",
            Event::TotpEnabled { .. } => "totp_enabled",
            Event::ApiTokenIssued { .. } => "api_token_issued",
            Event::ApiTokenRevoked { .. } => "api_token_revoked",
            Event::TeamMemberAdded { .. } => "team_member_added",
            Event::TeamMemberRemoved { .. } => "team_member_removed",
            Event::RecordShared { .. } => "record_shared",
            Event::PlannedEventCreated { .. } => "planned_event_created",
            Event::PlannedEventStatusChanged { .. } => "planned_event_status_changed",
            Event::CommandersSet { .. } => "commanders_set",
            Event::PlanItemSaved { .. } => "plan_item_saved",
            Event::PlanItemRemoved { .. } => "plan_item_removed",
            Event::PlanIssued { .. } => "plan_issued",
            Event::PlanEndorsed { .. } => "plan_endorsed",
        }
    }

    /// The stream the event belongs to, such as `threat/national`.
    pub fn stream(&self) -> String {
        match self {
            Event::ReferenceLoaded { name, .. } => format!("reference/{name}"),
            Event::ThreatWordingDefined { .. } | Event::ResponseMappingDefined { .. } => "reference/threat".into(),
            Event::ThreatLevelChanged { series, .. } | Event::ThreatSeriesClosed { series, .. } => {
                format!("threat/{series}")
            }
            Event::AttackMethodologyDefined { methodology } => format!("methodology/{}", methodology.id),
            Event::RiskMatrixConfigured { .. } => "reference/risk-matrix".into(),
            Event::DemoSeeded { .. } => "demo".into(),
            Event::OrganisationAdded { id, .. } => format!("organisation/{id}"),
            Event::UserAdded { id, .. }
            | Event::UserChanged { id, .. }
            | Event::UserDisabled { id }
            | Event::UserEnabled { id } => format!("user/{id}"),
            Event::PasswordChanged { user_id } | Event::TotpEnabled { user_id } => format!("user/{user_id}"),
            Event::ApiTokenIssued { user_id, .. } => format!("user/{user_id}"),
            Event::ApiTokenRevoked { id } => format!("token/{id}"),
            Event::TeamMemberAdded { record_id, .. }
            | Event::TeamMemberRemoved { record_id, .. }
            | Event::RecordShared { record_id, .. } => format!("event/{record_id}"),
            Event::PlannedEventCreated { event, .. } => format!("event/{}", event.id),
            Event::PlannedEventStatusChanged { id, .. } => format!("event/{id}"),
            Event::CommandersSet { event_id, .. }
            | Event::PlanItemSaved { event_id, .. }
            | Event::PlanItemRemoved { event_id, .. }
            | Event::PlanIssued { event_id, .. }
            | Event::PlanEndorsed { event_id, .. } => format!("plan/{event_id}"),
        }
    }

    /// The payload as stored: JSON with the kind tag.
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

    #[test]
    fn kind_matches_the_payload_tag() {
        let e = Event::ThreatLevelChanged {
            series: Series::National,
            level: ThreatLevel::Severe,
            effective: "2026-04-30".into(),
            note: "n".into(),
            source: "s".into(),
            confidence: Confidence::Official,
        };
        let v: serde_json::Value = serde_json::from_str(&e.to_payload()).unwrap();
        assert_eq!(v["type"], e.kind());
        assert_eq!(v["level"], "SEVERE");
        assert_eq!(v["series"], "national");
        assert_eq!(Event::from_payload(&e.to_payload()).unwrap(), e);
        assert_eq!(e.stream(), "threat/national");
    }
}
