//! Police estate security response levels (issue 13, seed 002): the sites of
//! the estate, the floor each site's threat level sets (domain reference §1.2),
//! raising a site above its floor with who, why and until when, and the rule
//! that recomputes every site when a threat level changes.
//!
//! A site's threat level is the higher of the national level and the police
//! sector level. The official mapping from that threat level is the site's
//! floor: a site may run higher, never lower.

pub mod critical;
pub mod options;
pub mod register;

use crate::access::Action;
use crate::identity::Role;
use crate::ids::{ActivationId, OrganisationId, SiteId, UserId};
use crate::threat::{ResponseLevel, ThreatLevel};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use time::Date;

pub use crate::advice::FieldError;

/// What a site of the police estate is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SiteKind {
    Headquarters,
    PoliceStation,
    CustodySuite,
    ControlRoom,
    TrainingCentre,
    FirearmsRange,
    VehicleDepot,
    Other,
}

impl SiteKind {
    pub const ALL: [SiteKind; 8] = [
        SiteKind::Headquarters,
        SiteKind::PoliceStation,
        SiteKind::CustodySuite,
        SiteKind::ControlRoom,
        SiteKind::TrainingCentre,
        SiteKind::FirearmsRange,
        SiteKind::VehicleDepot,
        SiteKind::Other,
    ];

    /// The identifier the API and the forms use.
    pub fn as_str(self) -> &'static str {
        match self {
            SiteKind::Headquarters => "headquarters",
            SiteKind::PoliceStation => "police_station",
            SiteKind::CustodySuite => "custody_suite",
            SiteKind::ControlRoom => "control_room",
            SiteKind::TrainingCentre => "training_centre",
            SiteKind::FirearmsRange => "firearms_range",
            SiteKind::VehicleDepot => "vehicle_depot",
            SiteKind::Other => "other",
        }
    }

    /// The words the pages show.
    pub fn words(self) -> &'static str {
        match self {
            SiteKind::Headquarters => "Headquarters",
            SiteKind::PoliceStation => "Police station",
            SiteKind::CustodySuite => "Custody suite",
            SiteKind::ControlRoom => "Control room",
            SiteKind::TrainingCentre => "Training centre",
            SiteKind::FirearmsRange => "Firearms range",
            SiteKind::VehicleDepot => "Vehicle depot",
            SiteKind::Other => "Other",
        }
    }
}

impl fmt::Display for SiteKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SiteKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        SiteKind::ALL.into_iter().find(|k| k.as_str() == s.trim()).ok_or_else(|| {
            let ids: Vec<&str> = SiteKind::ALL.iter().map(|k| k.as_str()).collect();
            format!("Choose what kind of site it is: one of {}", ids.join(", "))
        })
    }
}

/// The floor a threat level sets: the official threat-to-response mapping
/// (domain reference §1.2). LOW and MODERATE are NORMAL, SUBSTANTIAL and
/// SEVERE are HEIGHTENED, CRITICAL is EXCEPTIONAL.
pub fn floor(level: ThreatLevel) -> ResponseLevel {
    match level {
        ThreatLevel::Low | ThreatLevel::Moderate => ResponseLevel::Normal,
        ThreatLevel::Substantial | ThreatLevel::Severe => ResponseLevel::Heightened,
        ThreatLevel::Critical => ResponseLevel::Exceptional,
    }
}

/// A site's threat level: the higher of the national level and the police
/// sector level (either may not have been recorded).
pub fn site_threat_level(national: Option<ThreatLevel>, police_sector: Option<ThreatLevel>) -> Option<ThreatLevel> {
    national.max(police_sector)
}

/// The floor of a site whose threat level is `level`; NORMAL when no level
/// has been recorded at all.
pub fn floor_of(level: Option<ThreatLevel>) -> ResponseLevel {
    level.map(floor).unwrap_or(ResponseLevel::Normal)
}

/// 1 (NORMAL) to 3 (EXCEPTIONAL), as the store compares them.
pub fn rank(level: ResponseLevel) -> i64 {
    level as i64 + 1
}

/// A site running above its floor: who decided, why and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Raise {
    pub level: ResponseLevel,
    pub reason: String,
    /// Who raised it (a user id).
    pub by: UserId,
    /// The last day it applies, `YYYY-MM-DD`; none until returned to the floor.
    #[schema(format = Date)]
    pub until: Option<String>,
}

/// Checks a raise of a site's response level: a reason, a level not below the
/// floor, and an `until` that is not in the past. Each error names its field.
pub fn check_raise(
    level: ResponseLevel,
    reason: &str,
    until: Option<Date>,
    floor: ResponseLevel,
    today: Date,
) -> Result<(), FieldError> {
    if level < floor {
        return Err(FieldError::new(
            "level",
            format!(
                "The response level cannot be below this site's floor, {floor}, which its threat level sets; choose {floor} or higher"
            ),
        ));
    }
    if reason.trim().is_empty() {
        return Err(FieldError::new("reason", "Enter why the site's response level is being raised"));
    }
    if reason.chars().count() > 2000 {
        return Err(FieldError::new("reason", "The reason must be 2,000 characters or fewer"));
    }
    if let Some(u) = until {
        if u < today {
            return Err(FieldError::new("until", "The date it applies until must be today or in the future"));
        }
    }
    Ok(())
}

/// Whether a raise is still in force on `today` (it lapses after its `until` day).
pub fn in_force(raise: &Raise, today: Date) -> bool {
    match raise.until.as_deref().map(|u| crate::policy::date("until", "", u)) {
        Some(Ok(u)) => u >= today,
        Some(Err(_)) | None => true,
    }
}

/// The recompute rule when the floor changes: a site raised above the new
/// floor stays raised; otherwise the raise is dropped and the site returns to
/// its floor. Returns the response level and whether the raise is kept.
pub fn recompute(raised: Option<ResponseLevel>, new_floor: ResponseLevel) -> (ResponseLevel, bool) {
    match raised {
        Some(r) if r > new_floor => (r, true),
        _ => (new_floor, false),
    }
}

/// The response level a site runs at: its raise while in force, else its floor.
pub fn response_level(floor: ResponseLevel, raised: Option<&Raise>, today: Date) -> ResponseLevel {
    match raised {
        Some(r) if in_force(r, today) => r.level.max(floor),
        _ => floor,
    }
}

/// What a response level means for the people at a site (domain reference §1.2).
pub fn meaning(level: ResponseLevel) -> &'static str {
    match level {
        ResponseLevel::Normal => "Routine protective security measures appropriate to the site",
        ResponseLevel::Heightened => {
            "Additional and sustainable protective security measures reflecting the broad nature of the threat"
        }
        ResponseLevel::Exceptional => {
            "Maximum protective security measures to meet specific threats and to minimise vulnerability and risk"
        }
    }
}

/// Checks a new site's details.
pub fn check_site(name: &str, address: &str, division: &str) -> Result<(), FieldError> {
    for (field, value, label) in [
        ("name", name, "the site's name"),
        ("address", address, "the site's address"),
        ("division", division, "the division"),
    ] {
        if value.trim().is_empty() {
            return Err(FieldError::new(field, format!("Enter {label}")));
        }
        if value.chars().count() > 500 {
            return Err(FieldError::new(field, format!("Enter {label} in 500 characters or fewer")));
        }
    }
    Ok(())
}

/// Sites per [`EstateEvent::SitesRecomputed`]: a change of threat level
/// writes one entry per this many sites, each applied by set-based statements.
pub const RECOMPUTE_BATCH: usize = 1_000;

/// The journal events of the police estate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum EstateEvent {
    /// A site was added to the estate register, with the threat level and
    /// floor in force when it was added.
    SiteAdded {
        id: SiteId,
        organisation_id: OrganisationId,
        name: String,
        kind: SiteKind,
        address: String,
        division: String,
        threat_level: Option<ThreatLevel>,
        floor: ResponseLevel,
    },
    /// A member of staff was added to a site.
    SiteStaffAdded { site_id: SiteId, user_id: UserId },
    /// A member of staff no longer works at a site (they are told of its changes no more).
    SiteStaffRemoved { site_id: SiteId, user_id: UserId },
    /// A site's response level was raised above (or to) its floor; who did it
    /// is the journal entry's actor.
    SiteResponseLevelRaised {
        site_id: SiteId,
        level: ResponseLevel,
        reason: String,
        /// `YYYY-MM-DD`.
        until: Option<String>,
    },
    /// A site's response level was returned to its floor by hand.
    SiteReturnedToFloor { site_id: SiteId },
    /// A threat level changed and so did this site's threat level: the
    /// floor follows it, and a raise is kept only if still above the new floor
    /// ([`recompute`]). Written by earlier releases, one per site; now
    /// [`EstateEvent::SitesRecomputed`]. Still read from older journals.
    SiteResponseLevelRecomputed { site_id: SiteId, threat_level: Option<ThreatLevel>, floor: ResponseLevel },
    /// A threat level changed and so did these sites' threat level (up to
    /// [`RECOMPUTE_BATCH`] of them): as [`EstateEvent::SiteResponseLevelRecomputed`]
    /// for each. Appended in the same transaction as the change.
    SitesRecomputed { site_ids: Vec<SiteId>, threat_level: Option<ThreatLevel>, floor: ResponseLevel },
    /// An option of an organisation's menu of options was added or changed
    /// (the menu starts as the shipped one when the first site is added).
    EstateOptionSaved { organisation_id: OrganisationId, option: options::EstateOption },
    /// What was decided about an option at a site; none withdraws the decision.
    SiteOptionDecided { site_id: SiteId, option_id: String, decision: Option<options::Decision>, reason: String },
    /// An organisation's move-to-critical contingency plan was saved.
    CriticalPlanSaved { organisation_id: OrganisationId, plan: critical::CriticalPlan },
    /// The move-to-critical plan was activated: its checklist as it stood.
    CriticalPlanActivated {
        id: ActivationId,
        organisation_id: OrganisationId,
        reason: String,
        trigger: critical::Trigger,
        threat_level: Option<ThreatLevel>,
        checklist: Vec<critical::ChecklistItem>,
    },
    /// A step of an activation's checklist was done (step counts from 0).
    ActivationStepDone { activation_id: ActivationId, step: u32, note: String },
    /// An activation was stood down.
    ActivationStoodDown { activation_id: ActivationId, reason: String },
    /// A site's details were changed (by an import that named it again).
    SiteChanged { site_id: SiteId, name: String, kind: SiteKind, address: String, division: String },
    /// The estates manager reminded everyone at the site who has not
    /// acknowledged its latest change of response level.
    AcknowledgementsReminded { site_id: SiteId },
}

crate::capability_event!(EstateEvent, |e| match e {
    EstateEvent::SiteAdded { id, .. } => format!("site/{id}"),
    EstateEvent::SiteStaffAdded { site_id, .. }
    | EstateEvent::SiteStaffRemoved { site_id, .. }
    | EstateEvent::SiteResponseLevelRaised { site_id, .. }
    | EstateEvent::SiteReturnedToFloor { site_id }
    | EstateEvent::SiteResponseLevelRecomputed { site_id, .. }
    | EstateEvent::SiteOptionDecided { site_id, .. }
    | EstateEvent::SiteChanged { site_id, .. }
    | EstateEvent::AcknowledgementsReminded { site_id } => format!("site/{site_id}"),
    EstateEvent::SitesRecomputed { .. } => "estate-recompute".to_string(),
    EstateEvent::EstateOptionSaved { organisation_id, .. } => format!("estate-menu/{organisation_id}"),
    // Activating is on the plan's stream, so that of two activations at once
    // only one is written (the second finds the stream moved on).
    EstateEvent::CriticalPlanSaved { organisation_id, .. }
    | EstateEvent::CriticalPlanActivated { organisation_id, .. } => format!("critical-plan/{organisation_id}"),
    EstateEvent::ActivationStepDone { activation_id, .. } | EstateEvent::ActivationStoodDown { activation_id, .. } => {
        format!("activation/{activation_id}")
    }
});

/// The roles of a police organisation's people who read its estate register.
const READERS: &[Role] = &[
    Role::StrategicCommander,
    Role::SecurityCoordinator,
    Role::DeploymentAuthority,
    Role::SecurityAdviser,
    Role::TacticalAdviser,
    Role::EstatesManager,
    Role::Staff,
    Role::Auditor,
    Role::Administrator,
];

/// Reading the estate register of one's own organisation.
pub const READ: Action = Action {
    name: "estate.read",
    what: "read their organisation's police estate register: sites, their threat and response levels, their staff",
    roles: Some(READERS),
    needs_team: false,
};

/// Keeping the estate register.
pub const MANAGE: Action = Action {
    name: "estate.manage",
    what: "add sites to their organisation's police estate register and add staff to them",
    roles: Some(&[Role::EstatesManager]),
    needs_team: false,
};

/// Raising a site's response level, or returning it to its floor.
pub const SET_LEVEL: Action = Action {
    name: "estate.set_level",
    what: "raise a site's response level above its floor, or return it to its floor",
    roles: Some(&[Role::EstatesManager]),
    needs_team: false,
};

/// Reading the menu of options, what is in force or declined at each site,
/// the resource implications, and the move-to-critical plan and its
/// activations: OFFICIAL-SENSITIVE, so the viewer must also be cleared for it.
pub const OPTIONS_READ: Action = Action {
    name: "estate.options.read",
    what: "read the menu of options, the options in force at each site, their resource implications and the move-to-critical plan (OFFICIAL-SENSITIVE)",
    roles: Some(&[
        Role::StrategicCommander,
        Role::SecurityCoordinator,
        Role::SecurityAdviser,
        Role::EstatesManager,
        Role::Auditor,
        Role::Administrator,
    ]),
    needs_team: false,
};

/// Keeping the menu of options and deciding which are in force at each site.
pub const OPTIONS_KEEP: Action = Action {
    name: "estate.options.keep",
    what: "change the menu of options and decide which options are in force or declined at each site",
    roles: Some(&[Role::EstatesManager]),
    needs_team: false,
};

/// Keeping the move-to-critical plan, activating it, working through its
/// checklist and standing it down.
pub const CRITICAL: Action = Action {
    name: "estate.critical",
    what: "keep the move-to-critical contingency plan, activate it, record its checklist done and stand it down",
    roles: Some(&[Role::EstatesManager, Role::StrategicCommander]),
    needs_team: false,
};

/// The marking of the menu of options, their deployment and the contingency plan.
pub const OPTIONS_MARKING: crate::Marking = crate::Marking::OfficialSensitive;

/// The estate capability's actions.
pub const ACTIONS: &[Action] = &[READ, MANAGE, SET_LEVEL, OPTIONS_READ, OPTIONS_KEEP, CRITICAL];

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_floor_follows_the_official_mapping_at_every_threat_level() {
        use ResponseLevel::*;
        use ThreatLevel::*;
        let expected = [
            (Low, Normal),
            (Moderate, Normal),
            (Substantial, Heightened),
            (Severe, Heightened),
            (Critical, Exceptional),
        ];
        for (t, r) in expected {
            assert_eq!(floor(t), r, "{t}");
        }
        assert_eq!(expected.len(), ThreatLevel::ALL.len());
        assert_eq!(floor_of(None), Normal);
    }

    #[test]
    fn the_floor_agrees_with_the_shipped_reference_mapping() {
        let r = crate::reference::threat_reference(crate::reference::THREAT_LEVELS_TOML).unwrap();
        for l in ThreatLevel::ALL {
            assert_eq!(r.mapping.response_for(l).unwrap().response_level, floor(l), "{l}");
        }
    }

    #[test]
    fn a_sites_threat_level_is_the_higher_of_national_and_police_sector() {
        use ThreatLevel::*;
        assert_eq!(site_threat_level(Some(Substantial), Some(Severe)), Some(Severe));
        assert_eq!(site_threat_level(Some(Critical), Some(Moderate)), Some(Critical));
        assert_eq!(site_threat_level(Some(Substantial), None), Some(Substantial));
        assert_eq!(site_threat_level(None, Some(Low)), Some(Low));
        assert_eq!(site_threat_level(None, None), None);
        // National SUBSTANTIAL (HEIGHTENED) and police sector CRITICAL: EXCEPTIONAL.
        assert_eq!(floor_of(site_threat_level(Some(Substantial), Some(Critical))), ResponseLevel::Exceptional);
        // National LOW and police sector SEVERE: the police sector decides.
        assert_eq!(floor_of(site_threat_level(Some(Low), Some(Severe))), ResponseLevel::Heightened);
    }

    #[test]
    fn a_raise_needs_a_reason_a_level_not_below_the_floor_and_no_past_until() {
        use ResponseLevel::*;
        let today = date!(2026 - 12 - 03);
        assert_eq!(check_raise(Normal, "why", None, Heightened, today).unwrap_err().field, "level");
        assert_eq!(check_raise(Exceptional, "  ", None, Heightened, today).unwrap_err().field, "reason");
        assert_eq!(
            check_raise(Exceptional, "why", Some(date!(2026 - 12 - 02)), Heightened, today).unwrap_err().field,
            "until"
        );
        assert!(check_raise(Exceptional, "why", Some(today), Heightened, today).is_ok());
        assert!(check_raise(Heightened, "why", None, Heightened, today).is_ok());
    }

    #[test]
    fn a_raised_site_is_kept_if_still_above_the_new_floor_and_dropped_otherwise() {
        use ResponseLevel::*;
        // Raised to EXCEPTIONAL under a HEIGHTENED floor; the floor falls to NORMAL: kept.
        assert_eq!(recompute(Some(Exceptional), Normal), (Exceptional, true));
        // Raised to HEIGHTENED under NORMAL; the floor rises to HEIGHTENED: dropped, at the floor.
        assert_eq!(recompute(Some(Heightened), Heightened), (Heightened, false));
        // Raised to HEIGHTENED; the floor rises to EXCEPTIONAL: dropped.
        assert_eq!(recompute(Some(Heightened), Exceptional), (Exceptional, false));
        // Not raised: the floor.
        assert_eq!(recompute(None, Heightened), (Heightened, false));
        assert!(rank(Normal) < rank(Heightened) && rank(Heightened) < rank(Exceptional));
    }

    #[test]
    fn a_raise_lapses_after_its_until_day() {
        let r = Raise {
            level: ResponseLevel::Exceptional,
            reason: "r".into(),
            by: UserId::parse("u").unwrap(),
            until: Some("2026-12-03".into()),
        };
        assert_eq!(response_level(ResponseLevel::Normal, Some(&r), date!(2026 - 12 - 03)), ResponseLevel::Exceptional);
        assert_eq!(response_level(ResponseLevel::Normal, Some(&r), date!(2026 - 12 - 04)), ResponseLevel::Normal);
        assert_eq!(response_level(ResponseLevel::Heightened, None, date!(2026 - 12 - 04)), ResponseLevel::Heightened);
    }

    #[test]
    fn kinds_round_trip_and_sites_need_their_details() {
        for k in SiteKind::ALL {
            assert_eq!(k.as_str().parse::<SiteKind>().unwrap(), k);
            assert_eq!(serde_json::to_value(k).unwrap(), serde_json::json!(k.as_str()));
        }
        assert!("castle".parse::<SiteKind>().is_err());
        assert_eq!(check_site("", "a", "d").unwrap_err().field, "name");
        assert_eq!(check_site("n", " ", "d").unwrap_err().field, "address");
        assert_eq!(check_site("n", "a", "").unwrap_err().field, "division");
        assert!(check_site("n", "a", "d").is_ok());
    }
}
