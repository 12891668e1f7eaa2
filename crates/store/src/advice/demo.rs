//! Demonstration advice: security advice for a village fete below the
//! coordinator threshold (issued), and a review a strategic commander asked
//! for (in draft).

use crate::advice::NewRequest;
use crate::{Store, StoreError};
use cordon_domain::advice::{AdviceContent, AdviceKind};
use cordon_domain::planned_event::EventKind;
use cordon_domain::Marking;

pub(crate) async fn seed(store: &Store) -> Result<(), StoreError> {
    let ctsa = store
        .identity()
        .user_by_email("ctsa@ctp-north.police.example")
        .await?
        .ok_or_else(|| StoreError::Integrity("demo adviser".into()))?;
    let viewer = store.identity().viewer(&ctsa).await?;
    let year = store.today().year() + 1;
    let fete = AdviceContent {
        subject: format!("Northtown summer fete {year}"),
        event_kind: Some(EventKind::MusicOrFestival),
        details: format!("Saturday 19 June {year}, Northtown recreation ground; about 3,000 people over the day."),
        requested_by: "Insp. Sam Patel, Northtown neighbourhood inspector".into(),
        requested_on: format!("{}-11-02", year - 1),
        considerations: ["hostile-vehicle", "housekeeping", "hot-protocol", "run-hide-tell"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        specific: "The recreation ground borders the high street on its north side. Close the service road during \
                   opening hours and put the queue for the main gate inside the ground, not on the pavement."
            .into(),
        recommendations: vec![
            "Brief all stewards on HOT and the 4Cs before opening".into(),
            "Keep the service road closed to vehicles from 09:00 to 18:00".into(),
        ],
        ..Default::default()
    };
    let advice = store
        .advice()
        .record(
            &ctsa,
            &viewer,
            NewRequest { kind: AdviceKind::SecurityAdvice, content: fete, marking: Marking::Official },
        )
        .await?;
    store.advice().issue(&ctsa, &viewer, &advice.id).await?;
    let review = AdviceContent {
        subject: "Northshire Police headquarters, public reception".into(),
        details: "Force headquarters, Northtown. Public reception and the vehicle gate on Station Road.".into(),
        requested_by: "Ch Supt Alex Morgan, strategic commander (Gold)".into(),
        requested_on: format!("{}-11-20", year - 1),
        due_on: format!("{year}-01-31"),
        scope: "The protective security of the public reception and the vehicle gate, in the light of the national \
                threat level."
            .into(),
        ..Default::default()
    };
    let review = NewRequest { kind: AdviceKind::SecurityReview, content: review, marking: Marking::OfficialSensitive };
    let review = store.advice().record(&ctsa, &viewer, review).await?;
    // The adviser is now on the review's team.
    let viewer = store.identity().viewer(&ctsa).await?;
    let mut content = review.content.clone();
    content.specific = "The vehicle gate stands open during shift changes.".into();
    store.advice().change(&viewer, &review.id, content).await?;
    Ok(())
}
