//! Loads the reference files shipped in `reference/` into the journal, once.
//! After that the database copy is authoritative: an administrator's changes
//! are journal events like any other.

pub mod project;

use crate::journal::Actor;
use crate::sql::Val;
use crate::{Store, StoreError};
use cordon_domain::event::Event;
use cordon_domain::methodology::AttackMethodology;
use cordon_domain::reference::ReferenceEvent;
use cordon_domain::reference::{self as r, format_date};
use cordon_domain::risk::RiskMatrix;
use cordon_domain::threat::ThreatEvent;
use cordon_domain::Marking;

/// What loading found for each file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadOutcome {
    Loaded {
        name: &'static str,
        events: usize,
    },
    AlreadyLoaded {
        name: &'static str,
    },
    /// The shipped file differs from the one loaded; the database copy is kept.
    Changed {
        name: &'static str,
    },
}

/// The reference capability's operations, reached as `store.reference()`.
#[derive(Clone, Copy)]
pub struct ReferenceStore<'a> {
    pub(crate) store: &'a Store,
}

impl Store {
    pub fn reference(&self) -> ReferenceStore<'_> {
        ReferenceStore { store: self }
    }
}

impl ReferenceStore<'_> {
    /// Loads every reference file not loaded before. Idempotent.
    pub async fn load_reference(&self) -> Result<Vec<LoadOutcome>, StoreError> {
        let mut out = Vec::new();
        let files: [(&'static str, &'static str); 4] = [
            ("threat-levels", r::THREAT_LEVELS_TOML),
            ("attack-methodologies", r::ATTACK_METHODOLOGIES_TOML),
            ("risk-matrix", r::RISK_MATRIX_TOML),
            ("security-considerations", cordon_domain::advice::CONSIDERATIONS_TOML),
        ];
        for (name, text) in files {
            let digest = r::digest(text);
            let loaded = self
                .store
                .fetch_one("SELECT digest FROM reference_loads WHERE name = $1", &[Val::Text(name.into())])
                .await?;
            match loaded {
                Some(row) if row.text(0) == digest => {
                    out.push(LoadOutcome::AlreadyLoaded { name });
                    continue;
                }
                Some(_) => {
                    tracing::warn!(
                        file = name,
                        "the shipped reference file differs from the loaded one; keeping the database copy"
                    );
                    out.push(LoadOutcome::Changed { name });
                    continue;
                }
                None => {}
            }
            let mut events = events_for(name, text).map_err(StoreError::Config)?;
            events.push(Event::Reference(ReferenceEvent::ReferenceLoaded { name: name.into(), digest }));
            let n = events.len();
            let batch: Vec<_> = events.into_iter().map(|e| (e, Marking::Official)).collect();
            match self.store.append(&Actor::system(), &batch).await {
                Ok(_) => out.push(LoadOutcome::Loaded { name, events: n }),
                // Another instance loaded it at the same moment.
                Err(StoreError::Conflict(_)) => out.push(LoadOutcome::AlreadyLoaded { name }),
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// The attack methodology catalogue, in catalogue order.
    pub async fn attack_methodologies(&self) -> Result<Vec<AttackMethodology>, StoreError> {
        let rows = self
            .store.fetch(
                "SELECT id, name, description, typical_mitigations, sources FROM attack_methodologies ORDER BY position",
                &[],
            )
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok(AttackMethodology {
                    id: r.text(0),
                    name: r.text(1),
                    description: r.text(2),
                    typical_mitigations: serde_json::from_str(&r.text(3))
                        .map_err(|e| StoreError::Integrity(e.to_string()))?,
                    sources: serde_json::from_str(&r.text(4)).map_err(|e| StoreError::Integrity(e.to_string()))?,
                })
            })
            .collect()
    }

    /// The configured risk matrix.
    pub async fn risk_matrix(&self) -> Result<RiskMatrix, StoreError> {
        let row = self
            .store
            .fetch_one("SELECT body FROM risk_matrix WHERE id = 1", &[])
            .await?
            .ok_or_else(|| StoreError::Integrity("no risk matrix is configured".into()))?;
        serde_json::from_str(&row.text(0)).map_err(|e| StoreError::Integrity(e.to_string()))
    }
}

fn events_for(name: &str, text: &str) -> Result<Vec<Event>, String> {
    Ok(match name {
        "threat-levels" => {
            let t = r::threat_reference(text)?;
            let mut v: Vec<Event> = t
                .wordings
                .into_iter()
                .map(|w| Event::Threat(ThreatEvent::ThreatWordingDefined { wording: w }))
                .collect();
            v.push(Event::Threat(ThreatEvent::ResponseMappingDefined { mapping: t.mapping }));
            for s in t.series {
                for c in s.changes {
                    v.push(Event::Threat(ThreatEvent::ThreatLevelChanged {
                        series: c.series,
                        level: c.level,
                        effective: format_date(c.effective),
                        note: c.note,
                        source: c.source,
                        confidence: c.confidence,
                    }));
                }
                if let Some((date, note, source)) = s.closed {
                    v.push(Event::Threat(ThreatEvent::ThreatSeriesClosed {
                        series: s.series,
                        effective: format_date(date),
                        note,
                        source,
                    }));
                }
            }
            v
        }
        "attack-methodologies" => r::attack_methodologies(text)?
            .into_iter()
            .map(|m| Event::Reference(ReferenceEvent::AttackMethodologyDefined { methodology: m }))
            .collect(),
        "risk-matrix" => vec![Event::Reference(ReferenceEvent::RiskMatrixConfigured { matrix: r::risk_matrix(text)? })],
        // The advice capability's library, shipped beside the other reference files.
        "security-considerations" => cordon_domain::advice::considerations_from_toml(text)?
            .into_iter()
            .map(|c| Event::Advice(cordon_domain::advice::AdviceEvent::ConsiderationSaved { consideration: c }))
            .collect(),
        _ => return Err(format!("unknown reference file {name}")),
    })
}
