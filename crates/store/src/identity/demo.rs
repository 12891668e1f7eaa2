//! Identity's part of the demonstration data: organisations and one account
//! per role, all sharing one password; the administrator with a second factor.

use crate::identity::NewUser;
use crate::journal::Actor;
use crate::sql::Val;
use crate::{Store, StoreError};
use cordon_domain::identity::{Clearance, EmailAddress, OrgKind, Role};

/// The password every demo account shares. Demo data only: never operational.
pub const DEMO_PASSWORD: &str = "demo-cordon-planning-2026";

/// The demo accounts: e-mail, name, organisation, roles, clearance.
pub const DEMO_USERS: &[(&str, &str, &str, &[Role], Clearance)] = &[
    (
        "gold@northshire.police.example",
        "Ch Supt Alex Morgan",
        "Northshire Police",
        &[Role::StrategicCommander],
        Clearance::Sc,
    ),
    (
        "secco@northshire.police.example",
        "Insp Sam Patel",
        "Northshire Police",
        &[Role::SecurityCoordinator],
        Clearance::Sc,
    ),
    (
        "ctsu@ctp-north.police.example",
        "Supt Jordan Reid",
        "Counter Terrorism Policing North",
        &[Role::DeploymentAuthority],
        Clearance::Sc,
    ),
    (
        "ctsa@ctp-north.police.example",
        "Casey Burns",
        "Counter Terrorism Policing North",
        &[Role::SecurityAdviser],
        Clearance::Ctc,
    ),
    (
        "polsa@northshire.police.example",
        "PS Riley Evans",
        "Northshire Police",
        &[Role::TacticalAdviser],
        Clearance::Ctc,
    ),
    (
        "estates@northshire.police.example",
        "Taylor Hughes",
        "Northshire Police",
        &[Role::EstatesManager],
        Clearance::Bpss,
    ),
    ("staff@northshire.police.example", "PC Jamie Clarke", "Northshire Police", &[Role::Staff], Clearance::Bpss),
    (
        "partner@northshire-fire.example",
        "Station Manager Chris Lowe",
        "Northshire Fire and Rescue",
        &[Role::Partner],
        Clearance::Bpss,
    ),
    ("auditor@northshire.police.example", "Robin Shaw", "Northshire Police", &[Role::Auditor], Clearance::Sc),
    ("admin@northshire.police.example", "Drew Fletcher", "Northshire Police", &[Role::Administrator], Clearance::Sc),
];

const DEMO_ORGS: &[(&str, OrgKind)] = &[
    ("Northshire Police", OrgKind::PoliceForce),
    ("Counter Terrorism Policing North", OrgKind::CtPolicing),
    ("Northshire Fire and Rescue", OrgKind::FireRescue),
    ("Northshire Ambulance Service", OrgKind::Ambulance),
    ("Northshire City Council", OrgKind::LocalAuthority),
    ("Northshire City Stadium Ltd", OrgKind::VenueOperator),
];

/// What `cordon demo` prints: who to sign in as.
#[derive(Debug, Clone)]
pub struct DemoCredentials {
    pub password: String,
    pub users: Vec<(String, String)>,
    /// The administrator's second-factor key (base32), for an authenticator app or `oathtool --totp -b`.
    pub admin_totp_secret: Option<String>,
}

/// Creates the demo organisations and accounts that do not exist yet.
pub(crate) async fn seed(store: &Store) -> Result<(), StoreError> {
    let system = Actor::system();
    for (name, kind) in DEMO_ORGS {
        if store.identity().organisation_by_name(name).await?.is_none() {
            store.identity().add_organisation(crate::records::Caller::System(&system), name, *kind).await?;
        }
    }
    for (email, name, org, roles, clearance) in DEMO_USERS {
        if store.identity().user_by_email(email).await?.is_some() {
            continue;
        }
        let org = store
            .identity()
            .organisation_by_name(org)
            .await?
            .ok_or_else(|| StoreError::Integrity("demo organisation".into()))?;
        let new = NewUser {
            email: EmailAddress::parse(email).map_err(StoreError::Integrity)?,
            name: name.to_string(),
            organisation_id: org.id,
            roles: roles.to_vec(),
            clearance: *clearance,
        };
        let user = store.identity().add_user(crate::records::Caller::System(&system), new, DEMO_PASSWORD).await?;
        if roles.contains(&Role::Administrator) {
            let (secret, _) = store.identity().begin_totp(&user.id).await?;
            let code = crate::identity::totp_code_for(&secret, store.now())
                .ok_or_else(|| StoreError::Integrity("demo TOTP".into()))?;
            store.identity().confirm_totp(&system, &user.id, &code).await?;
        }
    }
    Ok(())
}

/// Who to sign in as in a demo database.
pub(crate) async fn credentials(store: &Store) -> Result<DemoCredentials, StoreError> {
    let mut users = Vec::new();
    let mut admin_totp_secret = None;
    for (email, _, _, roles, _) in DEMO_USERS {
        let label = roles.iter().map(|r| r.words()).collect::<Vec<_>>().join(", ");
        users.push((label, email.to_string()));
        if roles.contains(&Role::Administrator) {
            if let Some(u) = store.identity().user_by_email(email).await? {
                let row = store
                    .fetch_one("SELECT totp_secret FROM credentials WHERE user_id = $1", &[Val::from(&u.id)])
                    .await?;
                admin_totp_secret = row
                    .and_then(|r| r.opt_text(0))
                    .and_then(|hex_secret| hex::decode(hex_secret).ok())
                    .and_then(|bytes| {
                        totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes, None, String::new()).ok()
                    })
                    .map(|t| t.get_secret_base32());
            }
        }
    }
    Ok(DemoCredentials { password: DEMO_PASSWORD.into(), users, admin_totp_secret })
}
