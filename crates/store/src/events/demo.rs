//! The events of the demonstration data: the City Marathon (OFFICIAL-SENSITIVE,
//! with its team and shared with the fire service) and a Remembrance parade.

use crate::events::NewEvent;
use crate::{Store, StoreError};
use cordon_domain::planned_event::Venue;

/// The demo marathon's name for a year.
pub(crate) fn marathon_name(year: i32) -> String {
    format!("Northshire City Marathon {year}")
}

/// Creates the demo events.
pub(crate) async fn seed(store: &Store) -> Result<(), StoreError> {
    let secco = store
        .identity()
        .user_by_email("secco@northshire.police.example")
        .await?
        .ok_or_else(|| StoreError::Integrity("demo coordinator".into()))?;
    let viewer = store.identity().viewer(&secco).await?;
    let year = store.today().year() + 1;
    let marathon = store
        .events()
        .create_event(
            &secco,
            &viewer,
            NewEvent {
                name: marathon_name(year),
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
        let viewer = store.identity().viewer(&secco).await?;
        let email = cordon_domain::identity::EmailAddress::parse(email).map_err(StoreError::Integrity)?;
        store.events().add_team_member(&viewer, &marathon.id, &email).await?;
    }
    let fire = store
        .identity()
        .organisation_by_name("Northshire Fire and Rescue")
        .await?
        .ok_or_else(|| StoreError::Integrity("demo fire service".into()))?;
    let viewer = store.identity().viewer(&secco).await?;
    store.events().share_event(&viewer, &marathon.id, &fire.id).await?;
    store
        .events()
        .create_event(
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
