//! Organisations, users, roles and vetting clearances.

use crate::ids::{OrganisationId, UserId};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! identifiers {
    ($(#[$m:meta])* $name:ident, $what:literal { $($variant:ident => $id:tt, $words:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $(#[serde(rename = $id)] $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The identifier the command line and the API accept.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $id,)+ }
            }

            /// The words the pages show.
            pub fn words(self) -> &'static str {
                match self { $($name::$variant => $words,)+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                let t = s.trim();
                $name::ALL.iter().copied().find(|v| v.as_str() == t).ok_or_else(|| {
                    let ids: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                    format!("unknown {} {:?}: use one of {}", $what, s, ids.join(", "))
                })
            }
        }
    };
}

identifiers!(
    /// The kind of an organisation.
    OrgKind, "organisation kind" {
        PoliceForce => "police_force", "Police force";
        CtPolicing => "ct_policing", "Counter-terrorism policing";
        FireRescue => "fire_rescue", "Fire and rescue service";
        Ambulance => "ambulance", "Ambulance service";
        LocalAuthority => "local_authority", "Local authority";
        VenueOperator => "venue_operator", "Venue operator";
        Other => "other", "Other";
    }
);

identifiers!(
    /// What a user does in Cordon (PRODUCT.md, who uses it).
    Role, "role" {
        StrategicCommander => "strategic_commander", "Strategic commander (Gold)";
        SecurityCoordinator => "security_coordinator", "CT security coordinator (SecCo)";
        DeploymentAuthority => "deployment_authority", "Superintendent CTSU (deployment authority)";
        SecurityAdviser => "security_adviser", "CT security adviser (CTSA / CTAA)";
        TacticalAdviser => "tactical_adviser", "Tactical adviser";
        EstatesManager => "estates_manager", "Estates / security manager";
        Staff => "staff", "Member of staff";
        Partner => "partner", "Partner agency user";
        Auditor => "auditor", "Auditor / disclosure officer";
        Administrator => "administrator", "Administrator";
    }
);

identifiers!(
    /// National security vetting level, lowest first.
    Clearance, "clearance" {
        None => "none", "None";
        Bpss => "BPSS", "Baseline Personnel Security Standard (BPSS)";
        Ctc => "CTC", "Counter-Terrorist Check (CTC)";
        Sc => "SC", "Security Check (SC)";
        Dv => "DV", "Developed Vetting (DV)";
    }
);

/// Parses a comma-separated list of roles, refusing an empty list and unknown roles.
pub fn parse_roles(s: &str) -> Result<Vec<Role>, String> {
    let mut roles = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let r: Role = part.parse()?;
        if !roles.contains(&r) {
            roles.push(r);
        }
    }
    if roles.is_empty() {
        return Err("at least one role is required".into());
    }
    roles.sort();
    Ok(roles)
}

/// An e-mail address as Cordon keeps it: trimmed, in lower case, with one `@`
/// and a dotted domain. Made only by [`EmailAddress::parse`], at the edge
/// (forms, API bodies, the command line), so the store is never handed an
/// address it has not seen checked.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(s: &str) -> Result<EmailAddress, String> {
        parse_email(s).map(EmailAddress)
    }

    /// Parses an optional address: empty or absent is `None`.
    pub fn parse_optional(s: Option<&str>) -> Result<Option<EmailAddress>, String> {
        match s.map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => EmailAddress::parse(s).map(Some),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        EmailAddress::parse(&s)
    }
}

impl From<EmailAddress> for String {
    fn from(e: EmailAddress) -> String {
        e.0
    }
}

impl utoipa::PartialSchema for EmailAddress {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Email)))
            .into()
    }
}

impl utoipa::ToSchema for EmailAddress {}

/// Normalises and checks an e-mail address: one `@`, a dotted domain, no spaces.
pub fn parse_email(s: &str) -> Result<String, String> {
    let e = s.trim().to_lowercase();
    let ok = e.len() <= 254
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok {
        Ok(e)
    } else {
        Err(format!("{s:?} is not an e-mail address"))
    }
}

/// Checks a display name: 1 to 200 characters, no control characters.
pub fn check_name(field: &str, s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(format!("{field} is required"));
    }
    if t.chars().count() > 200 {
        return Err(format!("{field} is longer than 200 characters"));
    }
    if t.chars().any(char::is_control) {
        return Err(format!("{field} contains control characters"));
    }
    Ok(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_parse_and_refuse() {
        assert_eq!("police_force".parse::<OrgKind>().unwrap(), OrgKind::PoliceForce);
        assert!("police".parse::<OrgKind>().unwrap_err().contains("police_force"));
        assert_eq!("SC".parse::<Clearance>().unwrap(), Clearance::Sc);
        assert!("TS".parse::<Clearance>().is_err());
        assert!(Clearance::None < Clearance::Bpss && Clearance::Ctc < Clearance::Sc && Clearance::Sc < Clearance::Dv);
        assert_eq!(parse_roles("staff, auditor,staff").unwrap(), vec![Role::Staff, Role::Auditor]);
        assert!(parse_roles("gold").is_err());
        assert!(parse_roles(" , ").is_err());
    }

    /// The OpenAPI schemas list exactly the identifiers the API accepts and writes.
    #[test]
    fn schemas_list_the_identifiers() {
        fn values<T: utoipa::PartialSchema>() -> serde_json::Value {
            serde_json::to_value(T::schema()).unwrap()["enum"].clone()
        }
        assert_eq!(values::<OrgKind>(), serde_json::json!(OrgKind::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>()));
        assert_eq!(values::<Role>(), serde_json::json!(Role::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>()));
        assert_eq!(
            values::<Clearance>(),
            serde_json::json!(Clearance::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>())
        );
        assert_eq!(serde_json::to_value(Clearance::Bpss).unwrap(), "BPSS");
    }

    #[test]
    fn emails() {
        assert_eq!(parse_email(" Jo.Bloggs@Police.UK ").unwrap(), "jo.bloggs@police.uk");
        for bad in ["", "jo", "jo@", "@x.uk", "jo@x", "jo @x.uk", "a@b@c.uk", "jo@.uk"] {
            assert!(parse_email(bad).is_err(), "{bad}");
            assert!(serde_json::from_value::<EmailAddress>(serde_json::json!(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_email_address_is_made_only_by_parsing() {
        let e = EmailAddress::parse(" Jo.Bloggs@Police.UK ").unwrap();
        assert_eq!(e.as_str(), "jo.bloggs@police.uk");
        assert_eq!(serde_json::to_string(&e).unwrap(), "\"jo.bloggs@police.uk\"");
        let back: EmailAddress = serde_json::from_str("\"JO.BLOGGS@police.uk\"").unwrap();
        assert_eq!(back, e);
        assert_eq!(EmailAddress::parse_optional(Some("  ")).unwrap(), None);
        assert!(EmailAddress::parse_optional(Some("x")).is_err());
    }
}

/// The journal events of organisations, users, credentials and tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum IdentityEvent {
    OrganisationAdded {
        id: OrganisationId,
        name: String,
        kind: OrgKind,
    },
    UserAdded {
        id: UserId,
        email: String,
        name: String,
        organisation_id: OrganisationId,
        roles: Vec<Role>,
        clearance: Clearance,
    },
    /// Roles, clearance or organisation changed: every session of the user ends.
    UserChanged {
        id: UserId,
        name: String,
        organisation_id: OrganisationId,
        roles: Vec<Role>,
        clearance: Clearance,
    },
    UserDisabled {
        id: UserId,
    },
    UserEnabled {
        id: UserId,
    },
    /// The password changed. The hash itself is kept apart from the journal.
    PasswordChanged {
        user_id: UserId,
    },
    TotpEnabled {
        user_id: UserId,
    },
    ApiTokenIssued {
        id: String,
        user_id: UserId,
        name: String,
        token_hash: String,
        expires_at: String,
    },
    ApiTokenRevoked {
        id: String,
    },
}

crate::capability_event!(IdentityEvent, |e| match e {
    IdentityEvent::OrganisationAdded { id, .. } => format!("organisation/{id}"),
    IdentityEvent::UserAdded { id, .. }
    | IdentityEvent::UserChanged { id, .. }
    | IdentityEvent::UserDisabled { id }
    | IdentityEvent::UserEnabled { id } => format!("user/{id}"),
    IdentityEvent::PasswordChanged { user_id }
    | IdentityEvent::TotpEnabled { user_id }
    | IdentityEvent::ApiTokenIssued { user_id, .. } => format!("user/{user_id}"),
    IdentityEvent::ApiTokenRevoked { id } => format!("token/{id}"),
});

/// Administering users and organisations: adding, changing, disabling.
pub const ADMINISTER: crate::access::Action = crate::access::Action {
    name: "identity.administer",
    what: "add and change users and organisations, disable accounts",
    roles: Some(&[Role::Administrator]),
    needs_team: false,
};

/// The identity capability's actions.
pub const ACTIONS: &[crate::access::Action] = &[ADMINISTER];
