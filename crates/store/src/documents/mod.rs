//! Documents: the plan (draft or issued version) laid out for reading,
//! printing and handing over. Made only from a [`PlanView`], which the store
//! hands out after the read check, and always as the view's viewer may read
//! it: withheld items are not in the document, and its cover says so.

use crate::plan::{PlanView, VersionSummary};
use crate::StoreError;
use cordon_domain::documents::{
    plan_document, Document, EndorsementLine, PlanMeta, Snapshot, SnapshotEvent, SnapshotMatrix,
};
use cordon_domain::ids::Instant;

/// The documents capability's operations, reached as `store.documents()`.
#[derive(Clone, Copy)]
pub struct DocumentStore<'a> {
    pub(crate) store: &'a crate::Store,
}

impl crate::Store {
    pub fn documents(&self) -> DocumentStore<'_> {
        DocumentStore { store: self }
    }
}

impl PlanView {
    /// The draft laid out as a version would record it (with no number).
    pub fn draft_snapshot(&self) -> Snapshot {
        let e = &self.event;
        Snapshot {
            version: None,
            reason: String::new(),
            issued_by: None,
            marking: e.marking,
            event: SnapshotEvent {
                id: e.id.to_string(),
                name: e.name.clone(),
                kind: e.kind,
                starts_at: e.starts_at.stored(),
                ends_at: e.ends_at.stored(),
                venues: e.venues.clone(),
                expected_attendance: e.expected_attendance,
                organisation: e.organisation_name.clone(),
                gold_user_id: e.gold_user_id.as_ref().map(|u| u.to_string()),
                silver_user_id: e.silver_user_id.as_ref().map(|u| u.to_string()),
            },
            risk_matrix: SnapshotMatrix {
                name: self.matrix.name.clone(),
                tolerance: self.matrix.tolerance.clone(),
                bands: self.matrix.bands.iter().map(|b| b.label.clone()).collect(),
            },
            plan: self.plan.clone(),
            risks: self.risks.clone(),
            people: self.people.clone(),
            redacted: self.withheld > 0,
            withheld: self.withheld,
        }
    }
}

impl DocumentStore<'_> {
    /// The draft plan as a document, watermarked as a draft. Its fingerprint
    /// is the SHA-256 of the draft's canonical JSON, and its date the time the
    /// draft last changed, so the same draft always gives the same document.
    pub fn draft(&self, view: &PlanView) -> Document {
        let snapshot = view.draft_snapshot();
        let body = cordon_domain::plan::canonical_json(&serde_json::to_value(&snapshot).unwrap_or_default());
        let meta = PlanMeta {
            hash: cordon_domain::plan::sha256_hex(&body),
            at: view.changed_at,
            status: view.event.status.words().to_string(),
            endorsement: None,
        };
        plan_document(&snapshot, &meta)
    }

    /// An issued version as a document, as the view's viewer may read it:
    /// the version, its summary (issue and endorsement) and the document.
    pub async fn version(&self, view: &PlanView, number: i64) -> Result<(Document, VersionSummary), StoreError> {
        let summary = view
            .versions
            .iter()
            .find(|v| v.number == number)
            .cloned()
            .ok_or_else(|| StoreError::not_found(Some("number"), format!("there is no version {number}")))?;
        let (body, _) = self.store.plan().version_in(view, number).await?;
        let mut snapshot: Snapshot =
            serde_json::from_str(&body).map_err(|e| StoreError::Integrity(format!("version {number}: {e}")))?;
        // Versions issued before names were recorded in them: the names now.
        for id in [&snapshot.event.gold_user_id, &snapshot.event.silver_user_id].into_iter().flatten() {
            if !snapshot.people.contains_key(id) {
                if let Ok(uid) = cordon_domain::ids::UserId::parse(id) {
                    if let Some(u) = self.store.identity().user(&uid).await? {
                        snapshot.people.insert(id.clone(), format!("{}, {}", u.name, u.organisation_name));
                    }
                }
            }
        }
        let instant = |s: &str| Instant::parse(s).map_err(|e| StoreError::Integrity(format!("version {number}: {e}")));
        let meta = PlanMeta {
            hash: summary.hash.clone(),
            at: Some(instant(&summary.issued_at)?),
            status: String::new(),
            endorsement: match &summary.endorsement {
                Some(e) => Some(EndorsementLine {
                    by: e.endorsed_by.clone(),
                    at: instant(&e.endorsed_at)?,
                    conditions: e.conditions.clone(),
                }),
                None => None,
            },
        };
        Ok((plan_document(&snapshot, &meta), summary))
    }
}
