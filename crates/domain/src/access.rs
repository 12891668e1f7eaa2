//! The access policy (DESIGN.md decision 4): one function, [`can`], decides
//! whether a viewer may act on a record, with the reason. The store applies it
//! on every read path, so no page, route, search or export can forget it.
//!
//! Reading:
//! - OFFICIAL: any active user of an organisation the record belongs to or is shared with.
//! - OFFICIAL-SENSITIVE: additionally BPSS or higher and membership of the record's team.
//! - SECRET: additionally SC or DV, and only where the deployment is accredited for SECRET.
//!
//! Acting beyond reading also needs a role that allows the action ([`role_allows`]).

use crate::identity::{Clearance, Role};
use crate::Marking;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// What a viewer wants to do with a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Read,
    Create,
    Change,
    Issue,
    Endorse,
    Administer,
}

impl Action {
    pub const ALL: [Action; 6] =
        [Action::Read, Action::Create, Action::Change, Action::Issue, Action::Endorse, Action::Administer];
}

/// The role-to-action table (also written in ARCHITECTURE.md). Reading is open
/// to every role; the record's marking and team decide the rest.
pub fn role_allows(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match action {
        Read => true,
        Create | Change => matches!(
            role,
            StrategicCommander
                | SecurityCoordinator
                | DeploymentAuthority
                | SecurityAdviser
                | TacticalAdviser
                | EstatesManager
                | Partner
                | Administrator
        ),
        Issue => matches!(role, SecurityCoordinator | SecurityAdviser),
        Endorse => matches!(role, StrategicCommander),
        Administer => matches!(role, Administrator),
    }
}

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: String,
    pub organisation_id: String,
    pub roles: Vec<Role>,
    pub clearance: Clearance,
    pub active: bool,
    /// The records whose team (need-to-know group) the viewer belongs to.
    pub teams: BTreeSet<String>,
}

impl Viewer {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn may(&self, action: Action) -> bool {
        self.active && self.roles.iter().any(|r| role_allows(*r, action))
    }
}

/// Whether the viewer owns a record's team, and so may change who is on it,
/// name its commanders or share it: on the team, in the owning organisation,
/// with a role that may change records.
pub fn owns_team(viewer: &Viewer, record: &RecordAccess) -> bool {
    viewer.teams.contains(&record.record_id)
        && viewer.organisation_id == record.owner_organisation_id
        && viewer.may(Action::Change)
}

/// What the policy needs to know of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordAccess {
    pub record_id: String,
    pub marking: Marking,
    pub owner_organisation_id: String,
    pub shared_with: BTreeSet<String>,
}

/// The deployment's accreditation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Deployment {
    pub secret_accredited: bool,
}

/// Why access was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Denial {
    Inactive,
    NotAccreditedForSecret,
    OtherOrganisation,
    ClearanceTooLow,
    NotInTeam,
    RoleDoesNotAllow,
}

impl Denial {
    pub fn reason(self) -> &'static str {
        match self {
            Denial::Inactive => "the account is disabled",
            Denial::NotAccreditedForSecret => "this deployment is not accredited for SECRET material",
            Denial::OtherOrganisation => "the record belongs to, and is shared with, other organisations only",
            Denial::ClearanceTooLow => "the viewer's vetting clearance is below what the marking requires",
            Denial::NotInTeam => "the viewer is not in the record's team (no need to know)",
            Denial::RoleDoesNotAllow => "none of the viewer's roles allows this action",
        }
    }
}

/// The decision, with its reason.
pub type Decision = Result<(), Denial>;

/// The lowest clearance a marking requires to be read.
pub fn clearance_for(marking: Marking) -> Clearance {
    match marking {
        Marking::Official => Clearance::None,
        Marking::OfficialSensitive => Clearance::Bpss,
        Marking::Secret => Clearance::Sc,
    }
}

/// Whether `viewer` may do `action` to `record`, and if not, why.
pub fn can(viewer: &Viewer, action: Action, record: &RecordAccess, deployment: Deployment) -> Decision {
    if !viewer.active {
        return Err(Denial::Inactive);
    }
    if record.marking == Marking::Secret && !deployment.secret_accredited {
        return Err(Denial::NotAccreditedForSecret);
    }
    if viewer.organisation_id != record.owner_organisation_id && !record.shared_with.contains(&viewer.organisation_id) {
        return Err(Denial::OtherOrganisation);
    }
    if viewer.clearance < clearance_for(record.marking) {
        return Err(Denial::ClearanceTooLow);
    }
    if record.marking != Marking::Official && !viewer.teams.contains(&record.record_id) {
        return Err(Denial::NotInTeam);
    }
    if action != Action::Read && !viewer.may(action) {
        return Err(Denial::RoleDoesNotAllow);
    }
    Ok(())
}

/// Whether a marking may be held at all on this deployment (TOP SECRET never is;
/// SECRET only where accredited).
pub fn marking_allowed(marking: Marking, deployment: Deployment) -> Result<(), &'static str> {
    if marking == Marking::Secret && !deployment.secret_accredited {
        return Err("this deployment is not accredited for SECRET material");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn viewer(org: &str, clearance: Clearance, teams: &[&str], roles: &[Role]) -> Viewer {
        Viewer {
            user_id: "u".into(),
            organisation_id: org.into(),
            roles: roles.to_vec(),
            clearance,
            active: true,
            teams: teams.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn record(marking: Marking, owner: &str, shared: &[&str]) -> RecordAccess {
        RecordAccess {
            record_id: "r1".into(),
            marking,
            owner_organisation_id: owner.into(),
            shared_with: shared.iter().map(|s| s.to_string()).collect(),
        }
    }

    const ACCREDITED: Deployment = Deployment { secret_accredited: true };

    #[test]
    fn official_is_open_to_the_organisations_it_belongs_to() {
        let r = record(Marking::Official, "a", &["b"]);
        assert_eq!(can(&viewer("a", Clearance::None, &[], &[Role::Staff]), Action::Read, &r, ACCREDITED), Ok(()));
        assert_eq!(can(&viewer("b", Clearance::None, &[], &[Role::Partner]), Action::Read, &r, ACCREDITED), Ok(()));
        assert_eq!(
            can(&viewer("c", Clearance::Dv, &["r1"], &[Role::Administrator]), Action::Read, &r, ACCREDITED),
            Err(Denial::OtherOrganisation)
        );
    }

    #[test]
    fn sensitive_needs_bpss_and_the_team() {
        let r = record(Marking::OfficialSensitive, "a", &[]);
        assert_eq!(
            can(&viewer("a", Clearance::None, &["r1"], &[Role::Staff]), Action::Read, &r, ACCREDITED),
            Err(Denial::ClearanceTooLow)
        );
        assert_eq!(
            can(&viewer("a", Clearance::Dv, &[], &[Role::Staff]), Action::Read, &r, ACCREDITED),
            Err(Denial::NotInTeam)
        );
        assert_eq!(can(&viewer("a", Clearance::Bpss, &["r1"], &[Role::Staff]), Action::Read, &r, ACCREDITED), Ok(()));
    }

    #[test]
    fn secret_needs_sc_and_accreditation() {
        let r = record(Marking::Secret, "a", &[]);
        let v = viewer("a", Clearance::Ctc, &["r1"], &[Role::SecurityCoordinator]);
        assert_eq!(can(&v, Action::Read, &r, ACCREDITED), Err(Denial::ClearanceTooLow));
        let v = viewer("a", Clearance::Sc, &["r1"], &[Role::SecurityCoordinator]);
        assert_eq!(can(&v, Action::Read, &r, ACCREDITED), Ok(()));
        assert_eq!(can(&v, Action::Read, &r, Deployment::default()), Err(Denial::NotAccreditedForSecret));
    }

    #[test]
    fn actions_need_a_role() {
        let r = record(Marking::Official, "a", &[]);
        let auditor = viewer("a", Clearance::Dv, &["r1"], &[Role::Auditor]);
        assert_eq!(can(&auditor, Action::Read, &r, ACCREDITED), Ok(()));
        for a in [Action::Create, Action::Change, Action::Issue, Action::Endorse, Action::Administer] {
            assert_eq!(can(&auditor, a, &r, ACCREDITED), Err(Denial::RoleDoesNotAllow));
        }
        let gold = viewer("a", Clearance::Sc, &["r1"], &[Role::StrategicCommander]);
        assert_eq!(can(&gold, Action::Endorse, &r, ACCREDITED), Ok(()));
        assert_eq!(can(&gold, Action::Issue, &r, ACCREDITED), Err(Denial::RoleDoesNotAllow));
    }

    fn any_marking() -> impl Strategy<Value = Marking> {
        prop_oneof![Just(Marking::Official), Just(Marking::OfficialSensitive), Just(Marking::Secret)]
    }

    fn any_clearance() -> impl Strategy<Value = Clearance> {
        proptest::sample::select(Clearance::ALL.to_vec())
    }

    proptest! {
        /// Raising a viewer's clearance, adding them to the team or the
        /// organisation never takes access away; a disabled user sees nothing.
        #[test]
        fn the_policy_is_monotonic(
            marking in any_marking(),
            clearance in any_clearance(),
            in_team in any::<bool>(),
            same_org in any::<bool>(),
            accredited in any::<bool>(),
        ) {
            let d = Deployment { secret_accredited: accredited };
            let r = record(marking, "a", &[]);
            let teams: &[&str] = if in_team { &["r1"] } else { &[] };
            let v = viewer(if same_org { "a" } else { "z" }, clearance, teams, &[Role::Staff]);
            let allowed = can(&v, Action::Read, &r, d).is_ok();
            let more = viewer("a", Clearance::Dv, &["r1"], &[Role::Staff]);
            if allowed {
                prop_assert!(can(&more, Action::Read, &r, d).is_ok());
            }
            let mut off = v.clone();
            off.active = false;
            prop_assert_eq!(can(&off, Action::Read, &r, d), Err(Denial::Inactive));
            // The rule in words.
            let expected = same_org
                && (marking != Marking::Secret || accredited)
                && clearance >= clearance_for(marking)
                && (marking == Marking::Official || in_team);
            prop_assert_eq!(allowed, expected);
        }
    }
}
