//! The demonstration estate: Northshire Police's headquarters, stations,
//! custody suite and control room, with staff from the demo accounts, the
//! police sector level recorded at SEVERE, and the custody suite raised to
//! EXCEPTIONAL by the estates manager.

use crate::{Store, StoreError};
use cordon_domain::estate::SiteKind;
use cordon_domain::threat::{ResponseLevel, Series, ThreatLevel};

/// The Northshire estate: name, kind, address, division.
const SITES: &[(&str, SiteKind, &str, &str)] = &[
    ("Northshire Police Headquarters", SiteKind::Headquarters, "1 Castle Way, Northshire NS1 1AA", "Headquarters"),
    ("Northshire Central Police Station", SiteKind::PoliceStation, "12 Market Street, Northshire NS1 2BB", "City"),
    ("Riverside Police Station", SiteKind::PoliceStation, "40 Quay Road, Northshire NS2 4CC", "City"),
    ("Hillbrook Police Station", SiteKind::PoliceStation, "3 Moor Lane, Hillbrook NS7 3DD", "County"),
    ("Eastgate Custody Suite", SiteKind::CustodySuite, "Eastgate Industrial Estate, Northshire NS4 5EE", "City"),
    ("Force Control Room", SiteKind::ControlRoom, "Unit 9, Castle Way, Northshire NS1 1AB", "Headquarters"),
];

pub(crate) async fn seed(store: &Store) -> Result<(), StoreError> {
    let manager = store
        .identity()
        .user_by_email("estates@northshire.police.example")
        .await?
        .ok_or_else(|| StoreError::Integrity("demo estates manager".into()))?;
    let viewer = store.identity().viewer(&manager).await?;
    // The police sector level, as an administrator would record it.
    let today = store.today();
    let history = store.threat().series_history(Series::PoliceSector).await?;
    if history.changes.is_empty() {
        store
            .threat()
            .record_threat_level(
                crate::records::Caller::System(&crate::Actor::system()),
                Series::PoliceSector,
                ThreatLevel::Severe,
                today - time::Duration::days(30),
                "Demonstration: the police sector level notified to forces",
            )
            .await?;
    }
    let mut ids = Vec::new();
    for (name, kind, address, division) in SITES {
        ids.push(store.estate().add_site(&viewer, name, *kind, address, division).await?.id);
    }
    for (site, email) in [
        (0, "gold@northshire.police.example"),
        (0, "admin@northshire.police.example"),
        (0, "estates@northshire.police.example"),
        (1, "staff@northshire.police.example"),
        (1, "polsa@northshire.police.example"),
        (4, "staff@northshire.police.example"),
        (5, "secco@northshire.police.example"),
    ] {
        store.estate().add_staff(&viewer, &ids[site], email).await?;
    }
    store
        .estate()
        .raise(
            &viewer,
            &ids[4],
            ResponseLevel::Exceptional,
            "Demonstration: a credible threat to custody suites in the region reported by the CTSA",
            Some(today + time::Duration::days(14)),
        )
        .await?;
    Ok(())
}
