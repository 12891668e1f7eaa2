//! The demonstration data set created by `cordon demo`. Idempotent: it is
//! created once per database, marked by a `demo_seeded` journal event.

use crate::events::NewEvent;
use crate::identity::NewUser;
use crate::journal::Actor;
use crate::sql::Val;
use crate::{Store, StoreError};
use cordon_domain::event::Event;
use cordon_domain::identity::{Clearance, OrgKind, Role};
use cordon_domain::planned_event::Venue;
use cordon_domain::Marking;

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

impl Store {
    /// Whether the demo data set has been created in this database.
    pub async fn demo_seeded(&self) -> Result<bool, StoreError> {
        Ok(self.fetch_one("SELECT id FROM demo_seed WHERE id = 1", &[]).await?.is_some())
    }

    /// Creates the demo data set unless it exists. Returns whether it was created now.
    pub async fn seed_demo(&self) -> Result<bool, StoreError> {
        self.load_reference().await?;
        if self.demo_seeded().await? {
            return Ok(false);
        }
        let system = Actor::system();
        for (name, kind) in DEMO_ORGS {
            if self.organisation_by_name(name).await?.is_none() {
                self.add_organisation(&system, name, *kind).await?;
            }
        }
        for (email, name, org, roles, clearance) in DEMO_USERS {
            if self.user_by_email(email).await?.is_some() {
                continue;
            }
            let org = self
                .organisation_by_name(org)
                .await?
                .ok_or_else(|| StoreError::Integrity("demo organisation".into()))?;
            let new = NewUser {
                email: email.to_string(),
                name: name.to_string(),
                organisation_id: org.id,
                roles: roles.to_vec(),
                clearance: *clearance,
            };
            let user = self.add_user(&system, new, DEMO_PASSWORD).await?;
            if roles.contains(&Role::Administrator) {
                let (secret, _) = self.begin_totp(&user.id).await?;
                let code = Store::totp_code_for(&secret, time::OffsetDateTime::now_utc())
                    .ok_or_else(|| StoreError::Integrity("demo TOTP".into()))?;
                self.confirm_totp(&system, &user.id, &code).await?;
            }
        }
        self.seed_demo_events().await?;
        let events =
            vec![(Event::DemoSeeded { note: "Demonstration data: not for operational use".into() }, Marking::Official)];
        match self.append(&system, &events).await {
            Ok(_) => Ok(true),
            Err(StoreError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn seed_demo_events(&self) -> Result<(), StoreError> {
        let secco = self
            .user_by_email("secco@northshire.police.example")
            .await?
            .ok_or_else(|| StoreError::Integrity("demo coordinator".into()))?;
        let viewer = self.viewer(&secco).await?;
        let year = crate::today().year() + 1;
        let marathon = self
            .create_event(
                &secco,
                &viewer,
                NewEvent {
                    name: format!("Northshire City Marathon {year}"),
                    kind: "sporting".into(),
                    starts_at: format!("{year}-04-26T07:30:00Z"),
                    ends_at: format!("{year}-04-26T16:00:00Z"),
                    venues: vec![
                        Venue {
                            name: "Civic Square (start and finish)".into(),
                            address: "Civic Square, Northshire NS1 1AA".into(),
                        },
                        Venue {
                            name: "Riverside course, miles 8 to 14".into(),
                            address: "Riverside Walk, Northshire NS2".into(),
                        },
                    ],
                    expected_attendance: 85_000,
                    marking: "OFFICIAL-SENSITIVE".into(),
                },
            )
            .await?;
        for email in
            ["gold@northshire.police.example", "polsa@northshire.police.example", "auditor@northshire.police.example"]
        {
            let viewer = self.viewer(&secco).await?;
            self.add_team_member(&viewer, &marathon.id, email).await?;
        }
        let fire = self
            .organisation_by_name("Northshire Fire and Rescue")
            .await?
            .ok_or_else(|| StoreError::Integrity("demo fire service".into()))?;
        let viewer = self.viewer(&secco).await?;
        self.share_event(&viewer, &marathon.id, &fire.id).await?;
        self.create_event(
            &secco,
            &viewer,
            NewEvent {
                name: format!("Remembrance Sunday parade {year}"),
                kind: "ceremonial_or_state".into(),
                starts_at: format!("{year}-11-08T10:00:00Z"),
                ends_at: format!("{year}-11-08T13:00:00Z"),
                venues: vec![Venue {
                    name: "War Memorial, Market Street".into(),
                    address: "Market Street, Northshire NS1 2BB".into(),
                }],
                expected_attendance: 6_000,
                marking: "OFFICIAL".into(),
            },
        )
        .await?;
        Ok(())
    }

    /// Who to sign in as in a demo database.
    pub async fn demo_credentials(&self) -> Result<DemoCredentials, StoreError> {
        let mut users = Vec::new();
        let mut admin_totp_secret = None;
        for (email, _, _, roles, _) in DEMO_USERS {
            let label = roles.iter().map(|r| r.words()).collect::<Vec<_>>().join(", ");
            users.push((label, email.to_string()));
            if roles.contains(&Role::Administrator) {
                if let Some(u) = self.user_by_email(email).await? {
                    let row = self
                        .fetch_one("SELECT totp_secret FROM credentials WHERE user_id = $1", &[Val::Text(u.id)])
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
}
