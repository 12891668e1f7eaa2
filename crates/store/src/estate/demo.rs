//! The demonstration estate: Northshire Police's headquarters, stations,
//! custody suite and control room, with staff from the demo accounts, the
//! police sector level recorded at SEVERE, and the custody suite raised to
//! EXCEPTIONAL by the estates manager; options in force and declined at
//! three sites, the move-to-critical plan, and the estate's policy record
//! with its consultation.

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
    // What the estates manager has decided from the menu of options.
    use cordon_domain::estate::options::Decision::{Declined, InForce};
    for (site, option, decision, reason) in [
        (0, "id-checks", InForce, ""),
        (0, "visitor-restrictions", InForce, ""),
        (0, "perimeter-checks", InForce, ""),
        (0, "staff-briefing", InForce, ""),
        (1, "id-checks", InForce, ""),
        (1, "staff-briefing", InForce, ""),
        (1, "perimeter-checks", Declined, "The station shares its perimeter with the council offices, who patrol it"),
        (4, "id-checks", InForce, ""),
        (4, "vehicle-checks", InForce, "Prisoner transport vehicles are checked at the gate"),
        (4, "search-and-patrol", InForce, ""),
        (4, "close-public-counter", Declined, "A custody suite has no public counter"),
        (4, "armed-presence", Declined, "No firearms threat to the suite assessed by the CTSA"),
    ] {
        store.estate().decide(&viewer, &ids[site], option, Some(decision), reason).await?;
    }
    store.estate().save_critical_plan(&viewer, critical_plan(today)).await?;
    crate::policy::demo::seed_estate(store).await?;
    Ok(())
}

/// Northshire's move-to-critical plan (seed 002: "Op Quantity").
fn critical_plan(today: time::Date) -> cordon_domain::estate::critical::CriticalPlan {
    use cordon_domain::estate::critical::{ChecklistItem, CriticalPlan};
    let steps = [
        ("Open the force command suite and appoint a Gold commander", "Duty Chief Officer"),
        ("Tell every member of staff of the change of response level", "Estates manager"),
        ("Put the EXCEPTIONAL options of the menu into force at every site", "Divisional commanders"),
        ("Close public enquiry counters, or open by appointment only", "Station commanders"),
        ("Brief armed response vehicles on the protection of police premises", "Firearms Tactical Advisor"),
        ("Confirm mutual aid requirements with the regional CT network", "Head of Tactical Operations"),
        ("Review the resource implications each day and report to Gold", "Finance business partner"),
    ];
    CriticalPlan {
        reference: "Contingency Plan 448".into(),
        title: "Op Quantity: move to critical".into(),
        owner: "Op Quantity Lead".into(),
        version: "4.0".into(),
        review_date: (today + time::Duration::days(120)).to_string(),
        location: "The Commanders Portal, under Contingency Plans".into(),
        checklist: steps.iter().map(|(a, o)| ChecklistItem { action: (*a).into(), owner_role: (*o).into() }).collect(),
    }
}
