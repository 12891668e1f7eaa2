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
    };
    store.policy().save(&viewer, sop).await?;
    Ok(())
}
