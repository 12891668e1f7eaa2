//! Policy records: a policy or SOP with its reference, owner, start date and
//! review cycle; an overdue review is flagged. Policy records are OFFICIAL and
//! read by everyone signed in; administrators and deployment authorities keep them.

pub mod demo;
pub mod project;

use crate::journal::Actor;
use crate::sql::Val;
use crate::{Store, StoreError};
use cordon_domain::access::Viewer;
use cordon_domain::event::Event;
use cordon_domain::ids::PolicyId;
use cordon_domain::policy::{date, Policy, PolicyEvent, KEEP};
use cordon_domain::Marking;
use serde::Serialize;

/// A policy record with its review flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyRecord {
    #[serde(flatten)]
    pub policy: Policy,
    pub review_overdue: bool,
}

/// The policy capability's operations, reached as `store.policy()`.
#[derive(Clone, Copy)]
pub struct PolicyStore<'a> {
    pub(crate) store: &'a Store,
}

impl Store {
    pub fn policy(&self) -> PolicyStore<'_> {
        PolicyStore { store: self }
    }
}

impl PolicyStore<'_> {
    /// Adds or changes a policy record of the keeper's organisation.
    pub async fn save(&self, viewer: &Viewer, mut policy: Policy) -> Result<PolicyRecord, StoreError> {
        self.store.records().permit(viewer.into(), KEEP).await?;
        if let Some(existing) = self.get(&policy.id).await? {
            if existing.policy.organisation_id != viewer.organisation_id {
                return Err(StoreError::not_found(None, "no such policy"));
            }
        }
        policy.organisation_id = viewer.organisation_id.clone();
        policy.check().map_err(|e| StoreError::invalid(e.field, e.message))?;
        let id = policy.id.clone();
        let ev = Event::Policy(PolicyEvent::PolicySaved { policy });
        self.store.append(&Actor::new(&viewer.user_id, &viewer.organisation_id), &[(ev, Marking::Official)]).await?;
        self.get(&id).await?.ok_or_else(|| StoreError::Integrity("policy vanished".into()))
    }

    /// Records a review held on `reviewed_on`: the next is due one interval later.
    pub async fn reviewed(
        &self,
        viewer: &Viewer,
        id: &PolicyId,
        reviewed_on: &str,
    ) -> Result<PolicyRecord, StoreError> {
        let mut p = self.get(id).await?.ok_or_else(|| StoreError::not_found(None, "no such policy"))?.policy;
        let d = date("last_reviewed", "The date of the review", reviewed_on)
            .map_err(|e| StoreError::invalid(e.field, e.message))?;
        if d > self.store.today() {
            return Err(StoreError::invalid("last_reviewed", "The review cannot be dated in the future"));
        }
        p.last_reviewed = Some(d.to_string());
        p.next_review = p.next_after(d).to_string();
        self.save(viewer, p).await
    }

    /// Adds a consultee to a policy's consultation, or changes their entry
    /// (who was asked, when, and their response).
    pub async fn consult(
        &self,
        viewer: &Viewer,
        id: &PolicyId,
        entry: cordon_domain::policy::Consultation,
    ) -> Result<PolicyRecord, StoreError> {
        let mut p = self.get(id).await?.ok_or_else(|| StoreError::not_found(None, "no such policy"))?.policy;
        entry.check().map_err(|e| StoreError::invalid(e.field, e.message))?;
        if let Some(a) = &entry.asked_on {
            if date("asked_on", "", a).map(|d| d > self.store.today()).unwrap_or(false) {
                return Err(StoreError::invalid("asked_on", "The date they were asked cannot be in the future"));
            }
        }
        let entry = cordon_domain::policy::Consultation {
            consultee: entry.consultee.trim().to_string(),
            asked_on: entry.asked_on.map(|a| a.trim().to_string()).filter(|a| !a.is_empty()),
            response: entry.response.trim().to_string(),
        };
        cordon_domain::policy::upsert_consultation(&mut p.consultation, entry);
        self.save(viewer, p).await
    }

    /// One policy record.
    pub async fn get(&self, id: &PolicyId) -> Result<Option<PolicyRecord>, StoreError> {
        let row = self.store.fetch_one("SELECT body FROM policies WHERE id = $1", &[Val::from(id.to_string())]).await?;
        row.map(|r| self.record(&r.text(0))).transpose()
    }

    /// One policy record by its reference, such as `SOP/228/10`.
    pub async fn by_reference(&self, reference: &str) -> Result<Option<PolicyRecord>, StoreError> {
        let row =
            self.store.fetch_one("SELECT body FROM policies WHERE reference = $1", &[Val::from(reference)]).await?;
        row.map(|r| self.record(&r.text(0))).transpose()
    }

    /// Every policy record, by reference.
    pub async fn list(&self) -> Result<Vec<PolicyRecord>, StoreError> {
        let rows = self.store.fetch("SELECT body FROM policies ORDER BY reference, id", &[]).await?;
        rows.iter().map(|r| self.record(&r.text(0))).collect()
    }

    fn record(&self, body: &str) -> Result<PolicyRecord, StoreError> {
        let policy: Policy = serde_json::from_str(body).map_err(|e| StoreError::Integrity(e.to_string()))?;
        Ok(PolicyRecord { review_overdue: policy.overdue(self.store.today()), policy })
    }
}
