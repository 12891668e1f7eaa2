//! Demonstration policy records: the SECO SOP (seed 001), whose review fell
//! due in August 2011 and so is overdue.

use crate::{Store, StoreError};
use cordon_domain::ids::PolicyId;
use cordon_domain::policy::Policy;

pub(crate) async fn seed(store: &Store) -> Result<(), StoreError> {
    let ctsu = store
        .identity()
        .user_by_email("ctsu@ctp-north.police.example")
        .await?
        .ok_or_else(|| StoreError::Integrity("demo deployment authority".into()))?;
    let viewer = store.identity().viewer(&ctsu).await?;
    let sop = Policy {
        id: PolicyId::parse("sop-228-10").map_err(|e| StoreError::Integrity(e.to_string()))?,
        organisation_id: ctsu.organisation_id.clone(),
        reference: "SOP/228/10".into(),
        title: "Security coordinator (SECO) standard operating procedure".into(),
        owner: "ACC Protective Services".into(),
        contact: "Superintendent CTSU".into(),
        start_date: "2010-08-10".into(),
        last_reviewed: None,
        review_interval_months: 12,
        next_review: "2011-08-31".into(),
        risk_assessment: None,
        equality_impact: None,
        consultation: Vec::new(),
        procedure: String::new(),
        contingency_plan: String::new(),
    };
    store.policy().save(&viewer, sop).await?;
    Ok(())
}

/// The consultees of seed 002 §5.1, with the demonstration's responses.
const CONSULTEES: &[(&str, &str)] = &[
    ("Finance", "Content: the resource implications are set out in the menu of options"),
    ("Information Security", "No concerns"),
    ("Estates", "Agreed; perimeter checks to be built into the facilities contract"),
    ("Human Resources", "No concerns"),
    ("Health and Safety", "Agreed, subject to search and patrol risk assessments"),
    ("Legal", "No concerns"),
    ("Professional Standards Department", "No concerns"),
    ("Freedom of Information", "The menu of options is exempt from publication (OFFICIAL-SENSITIVE)"),
    ("Data Protection", "No concerns"),
    ("Diversity and Inclusion Academy", ""),
    ("Divisional Commanders", "Agreed"),
    ("Supts Association", ""),
    ("Unison", "Asked that staff be told of every change of level: now built in"),
    ("Federation", "No concerns"),
];

/// The police estate's security levels policy (seed 002), kept by the
/// Northshire estates manager: medium risk, medium equality impact, reviewed
/// every two years, with its consultation.
pub(crate) async fn seed_estate(store: &Store) -> Result<(), StoreError> {
    let manager = store
        .identity()
        .user_by_email("estates@northshire.police.example")
        .await?
        .ok_or_else(|| StoreError::Integrity("demo estates manager".into()))?;
    let viewer = store.identity().viewer(&manager).await?;
    let today = store.today();
    let reviewed = today - time::Duration::days(700);
    let asked = (reviewed - time::Duration::days(60)).to_string();
    let policy = Policy {
        id: PolicyId::parse("estate-security-levels").map_err(|e| StoreError::Integrity(e.to_string()))?,
        organisation_id: manager.organisation_id.clone(),
        reference: "POL/O27".into(),
        title: "Security levels for the police estate".into(),
        owner: "Op Quantity Lead".into(),
        contact: "Head of Tactical Operations".into(),
        start_date: (reviewed - time::Duration::days(730)).to_string(),
        last_reviewed: Some(reviewed.to_string()),
        review_interval_months: 24,
        next_review: cordon_domain::policy::add_months(reviewed, 24).to_string(),
        risk_assessment: Some(cordon_domain::policy::Assessment::Medium),
        equality_impact: Some(cordon_domain::policy::Assessment::Medium),
        consultation: CONSULTEES
            .iter()
            .map(|(who, response)| cordon_domain::policy::Consultation {
                consultee: (*who).into(),
                asked_on: Some(asked.clone()),
                response: (*response).into(),
            })
            .collect(),
        procedure: "SOP/O27/1 Security response levels procedure".into(),
        contingency_plan: "Contingency Plan 448 (Op Quantity: move to critical)".into(),
    };
    store.policy().save(&viewer, policy).await?;
    Ok(())
}
