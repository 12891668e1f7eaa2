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
use crate::ids::{OrganisationId, RecordId, UserId};
use crate::Marking;
use serde::Serialize;
use std::collections::BTreeSet;

/// Something a viewer may want to do. Reading is the one action every
/// capability shares ([`Action::READ`]); every other action is declared by the
/// capability it belongs to (`plan::ISSUE`, `identity::ADMINISTER`, ...) with
/// the roles that may do it, and listed in [`ACTIONS`]. ARCHITECTURE.md shows
/// the whole table, written from [`ACTIONS`] (a test keeps the two equal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Action {
    /// `capability.verb`, as written in the access log.
    pub name: &'static str,
    /// What it lets a user do, in words.
    pub what: &'static str,
    /// The roles that may do it; `None` for every role.
    pub roles: Option<&'static [Role]>,
    /// Whether it needs the record's team (need to know) as reading does.
    /// Only the auditor's right to an organisation's audit trails does not.
    pub needs_team: bool,
}

impl Action {
    /// Reading a record: open to every role; marking, organisation and team decide.
    pub const READ: Action = Action { name: "records.read", what: "read a record", roles: None, needs_team: true };

    /// Whether `role` may do this action.
    pub fn allows(self, role: Role) -> bool {
        self.roles.is_none_or(|roles| roles.contains(&role))
    }
}

impl Serialize for Action {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name)
    }
}

/// The roles that may create and change operational records.
pub const CHANGE_ROLES: &[Role] = &[
    Role::StrategicCommander,
    Role::SecurityCoordinator,
    Role::DeploymentAuthority,
    Role::SecurityAdviser,
    Role::TacticalAdviser,
    Role::EstatesManager,
    Role::Partner,
    Role::Administrator,
];

/// Reading the audit trail of a record owned by the viewer's organisation.
pub const AUDIT: Action = Action {
    name: "records.audit",
    what: "read the audit trail of a record of their own organisation (no team needed)",
    roles: Some(&[Role::Auditor]),
    needs_team: false,
};

/// The records layer's own actions.
pub const RECORD_ACTIONS: &[Action] = &[Action::READ, AUDIT];

/// Every capability's actions: one line per capability.
pub const ACTIONS: &[&[Action]] = &[
    RECORD_ACTIONS,
    crate::identity::ACTIONS,
    crate::threat::ACTIONS,
    crate::planned_event::ACTIONS,
    crate::plan::ACTIONS,
    crate::advice::ACTIONS,
    crate::seco::ACTIONS,
    crate::policy::ACTIONS,
    crate::places::ACTIONS,
    crate::audit::ACTIONS,
    crate::estate::ACTIONS,
];

/// Every action, in the order of [`ACTIONS`].
pub fn all_actions() -> impl Iterator<Item = &'static Action> {
    ACTIONS.iter().flat_map(|a| a.iter())
}

/// The role-to-action table as a Markdown table (ARCHITECTURE.md holds it).
pub fn action_table() -> String {
    let mut out = String::from("| action | what it allows | roles |\n|---|---|---|\n");
    for a in all_actions() {
        let roles = match a.roles {
            None => "every role".to_string(),
            Some(r) => r.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "),
        };
        out.push_str(&format!("| `{}` | {} | {} |\n", a.name, a.what, roles));
    }
    out
}

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: UserId,
    pub organisation_id: OrganisationId,
    pub roles: Vec<Role>,
    pub clearance: Clearance,
    pub active: bool,
    /// The records whose team (need-to-know group) the viewer belongs to.
    pub teams: BTreeSet<RecordId>,
}

impl Viewer {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn may(&self, action: Action) -> bool {
        self.active && self.roles.iter().any(|r| action.allows(*r))
    }
}

/// Whether the viewer owns a record's team, and so may change who is on it,
/// name its commanders or share it: on the team, in the owning organisation,
/// with a role that may `change` (the record kind's change action).
pub fn owns_team(viewer: &Viewer, record: &RecordAccess, change: Action) -> bool {
    viewer.teams.contains(&record.record_id)
        && viewer.organisation_id == record.owner_organisation_id
        && viewer.may(change)
}

/// Whether the viewer may do an action that is not about one record (such as
/// administering users), and if not, why.
pub fn permit(viewer: &Viewer, action: Action) -> Decision {
    if !viewer.active {
        return Err(Denial::Inactive);
    }
    if !viewer.may(action) {
        return Err(Denial::RoleDoesNotAllow);
    }
    Ok(())
}

/// Whether the viewer may do an action on material that is not one record
/// but carries a marking (the estate's menu of options, say): the role, and a
/// clearance for the marking.
pub fn permit_marked(viewer: &Viewer, action: Action, marking: Marking) -> Decision {
    permit(viewer, action)?;
    if viewer.clearance < clearance_for(marking) {
        return Err(Denial::ClearanceTooLow);
    }
    Ok(())
}

/// What the policy needs to know of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordAccess {
    pub record_id: RecordId,
    pub kind: crate::records::RecordKind,
    pub marking: Marking,
    pub owner_organisation_id: OrganisationId,
    pub shared_with: BTreeSet<OrganisationId>,
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
    NotTeamOwner,
    NotNamedCommander,
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
            Denial::NotNamedCommander => "only the commander named for the record may do this",
            Denial::NotTeamOwner => {
                "only an owner of the record's team (on the team, in the owning organisation) may do this"
            }
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
    if action.needs_team && record.marking != Marking::Official && !viewer.teams.contains(&record.record_id) {
        return Err(Denial::NotInTeam);
    }
    if action.needs_team && action.roles.is_none() {
        return Ok(());
    }
    if !action.needs_team && viewer.organisation_id != record.owner_organisation_id {
        return Err(Denial::OtherOrganisation);
    }
    if !viewer.may(action) {
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
            user_id: "u".parse().unwrap(),
            organisation_id: org.parse().unwrap(),
            roles: roles.to_vec(),
            clearance,
            active: true,
            teams: teams.iter().map(|s| s.parse().unwrap()).collect(),
        }
    }

    fn record(marking: Marking, owner: &str, shared: &[&str]) -> RecordAccess {
        RecordAccess {
            record_id: "r1".parse().unwrap(),
            kind: crate::records::RecordKind::Event,
            marking,
            owner_organisation_id: owner.parse().unwrap(),
            shared_with: shared.iter().map(|s| s.parse().unwrap()).collect(),
        }
    }

    const ACCREDITED: Deployment = Deployment { secret_accredited: true };

    #[test]
    fn official_is_open_to_the_organisations_it_belongs_to() {
        let r = record(Marking::Official, "a", &["b"]);
        assert_eq!(can(&viewer("a", Clearance::None, &[], &[Role::Staff]), Action::READ, &r, ACCREDITED), Ok(()));
        assert_eq!(can(&viewer("b", Clearance::None, &[], &[Role::Partner]), Action::READ, &r, ACCREDITED), Ok(()));
        assert_eq!(
            can(&viewer("c", Clearance::Dv, &["r1"], &[Role::Administrator]), Action::READ, &r, ACCREDITED),
            Err(Denial::OtherOrganisation)
        );
    }

    #[test]
    fn sensitive_needs_bpss_and_the_team() {
        let r = record(Marking::OfficialSensitive, "a", &[]);
        assert_eq!(
            can(&viewer("a", Clearance::None, &["r1"], &[Role::Staff]), Action::READ, &r, ACCREDITED),
            Err(Denial::ClearanceTooLow)
        );
        assert_eq!(
            can(&viewer("a", Clearance::Dv, &[], &[Role::Staff]), Action::READ, &r, ACCREDITED),
            Err(Denial::NotInTeam)
        );
        assert_eq!(can(&viewer("a", Clearance::Bpss, &["r1"], &[Role::Staff]), Action::READ, &r, ACCREDITED), Ok(()));
    }

    #[test]
    fn secret_needs_sc_and_accreditation() {
        let r = record(Marking::Secret, "a", &[]);
        let v = viewer("a", Clearance::Ctc, &["r1"], &[Role::SecurityCoordinator]);
        assert_eq!(can(&v, Action::READ, &r, ACCREDITED), Err(Denial::ClearanceTooLow));
        let v = viewer("a", Clearance::Sc, &["r1"], &[Role::SecurityCoordinator]);
        assert_eq!(can(&v, Action::READ, &r, ACCREDITED), Ok(()));
        assert_eq!(can(&v, Action::READ, &r, Deployment::default()), Err(Denial::NotAccreditedForSecret));
    }

    #[test]
    fn actions_need_a_role() {
        let r = record(Marking::Official, "a", &[]);
        let auditor = viewer("a", Clearance::Dv, &["r1"], &[Role::Auditor]);
        assert_eq!(can(&auditor, Action::READ, &r, ACCREDITED), Ok(()));
        for a in all_actions().filter(|a| a.roles.is_some() && !a.allows(Role::Auditor)) {
            assert_eq!(can(&auditor, *a, &r, ACCREDITED), Err(Denial::RoleDoesNotAllow), "{}", a.name);
        }
        let gold = viewer("a", Clearance::Sc, &["r1"], &[Role::StrategicCommander]);
        assert_eq!(can(&gold, crate::plan::ENDORSE, &r, ACCREDITED), Ok(()));
        assert_eq!(can(&gold, crate::plan::ISSUE, &r, ACCREDITED), Err(Denial::RoleDoesNotAllow));
    }

    #[test]
    fn an_auditor_reads_the_trail_of_their_own_organisation_without_the_team() {
        let r = record(Marking::OfficialSensitive, "a", &["b"]);
        let auditor = viewer("a", Clearance::Sc, &[], &[Role::Auditor]);
        assert_eq!(can(&auditor, Action::READ, &r, ACCREDITED), Err(Denial::NotInTeam));
        assert_eq!(can(&auditor, AUDIT, &r, ACCREDITED), Ok(()));
        let low = viewer("a", Clearance::None, &[], &[Role::Auditor]);
        assert_eq!(can(&low, AUDIT, &r, ACCREDITED), Err(Denial::ClearanceTooLow));
        let partner_auditor = viewer("b", Clearance::Sc, &[], &[Role::Auditor]);
        assert_eq!(can(&partner_auditor, AUDIT, &r, ACCREDITED), Err(Denial::OtherOrganisation));
        let staff = viewer("a", Clearance::Sc, &[], &[Role::Staff]);
        assert_eq!(can(&staff, AUDIT, &r, ACCREDITED), Err(Denial::RoleDoesNotAllow));
    }

    #[test]
    fn every_action_has_a_unique_name_and_architecture_shows_the_table() {
        let names: BTreeSet<&str> = all_actions().map(|a| a.name).collect();
        assert_eq!(names.len(), all_actions().count());
        let doc = include_str!("../../../ARCHITECTURE.md");
        assert!(doc.contains(&action_table()), "ARCHITECTURE.md must hold this table:\n{}", action_table());
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
            let allowed = can(&v, Action::READ, &r, d).is_ok();
            let more = viewer("a", Clearance::Dv, &["r1"], &[Role::Staff]);
            if allowed {
                prop_assert!(can(&more, Action::READ, &r, d).is_ok());
            }
            let mut off = v.clone();
            off.active = false;
            prop_assert_eq!(can(&off, Action::READ, &r, d), Err(Denial::Inactive));
            // The rule in words.
            let expected = same_org
                && (marking != Marking::Secret || accredited)
                && clearance >= clearance_for(marking)
                && (marking == Marking::Official || in_team);
            prop_assert_eq!(allowed, expected);
        }
    }
}
