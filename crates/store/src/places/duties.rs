//! The Martyn's Law duty checklist of each registered place (each duty that
//! applies to the place's tier, with its status: not started, in progress,
//! met; who recorded it and when), and the flags CTSAs set on places. Each
//! change is a journal event (`place_duty_recorded`, `place_flagged`,
//! `place_flag_cleared`); `place_duties` and `place_flags` are their projections.

use super::{Place, PlacesStore};
use crate::journal::Actor;
use crate::records::Caller;
use crate::sql::Val;
use crate::StoreError;
use cordon_domain::event::Event;
use cordon_domain::places::{place_duties, DutyStatus, PlacesEvent, MANAGE};
use cordon_domain::Marking;
use serde::Serialize;
use std::sync::OnceLock;

/// One duty of a place's checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DutyState {
    /// The duty's identifier (`notify_sia`, …).
    pub duty: String,
    pub title: String,
    /// The Act's section.
    pub section: String,
    pub status: DutyStatus,
    /// Who recorded the status (their name), if anyone has.
    pub recorded_by: Option<String>,
    /// When (RFC 3339 UTC).
    pub recorded_at: Option<String>,
}

/// An SQL expression over a place `p`: the set of its duties recorded as met,
/// as bits ([`cordon_domain::places::duty_bit`]).
pub fn met_bits_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let mut cases = String::new();
        for (i, d) in cordon_domain::martyns_law::rules().duties.iter().enumerate() {
            // The ids are compiled-in reference data of lower-case letters and underscores.
            debug_assert!(d.id.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            cases.push_str(&format!(" WHEN '{}' THEN {}", d.id, 1u32 << i));
        }
        format!(
            "(SELECT COALESCE(SUM(CASE d.duty{cases} ELSE 0 END), 0) FROM place_duties d \
             WHERE d.place_id = p.id AND d.status = 'met')"
        )
    })
}

impl PlacesStore<'_> {
    /// A place and its duty checklist (the duties of its tier, in the Act's order).
    pub async fn duties(&self, caller: Caller<'_>, place_id: &str) -> Result<(Place, Vec<DutyState>), StoreError> {
        let place = self.get(caller, place_id).await?;
        let rows = self
            .store
            .fetch(
                "SELECT d.duty, d.status, COALESCE(u.name, d.recorded_by), d.recorded_at FROM place_duties d \
                 LEFT JOIN users u ON u.id = d.recorded_by WHERE d.place_id = $1",
                &[Val::Text(place.id.clone())],
            )
            .await?;
        let list = place_duties(place.tier, place.responsible)
            .into_iter()
            .map(|d| {
                let row = rows.iter().find(|r| r.text(0) == d.id);
                DutyState {
                    duty: d.id.clone(),
                    title: d.title.clone(),
                    section: d.section.clone(),
                    status: row.and_then(|r| DutyStatus::parse(&r.text(1))).unwrap_or(DutyStatus::NotStarted),
                    recorded_by: row.map(|r| r.text(2)),
                    recorded_at: row.map(|r| r.text(3)),
                }
            })
            .collect();
        Ok((place, list))
    }

    /// Records the status of some of a place's duties, in one append; a status
    /// that is already the duty's is not recorded again. A duty that does not
    /// apply to the place's tier is refused (`duty`), and nothing is recorded.
    pub async fn record_duties(
        &self,
        caller: Caller<'_>,
        actor: &Actor,
        place_id: &str,
        changes: &[(String, DutyStatus)],
    ) -> Result<Vec<DutyState>, StoreError> {
        self.store.records().permit(caller, MANAGE).await?;
        let (place, current) = self.duties(caller, place_id).await?;
        let mut events = Vec::new();
        for (duty, status) in changes {
            let Some(now) = current.iter().find(|d| &d.duty == duty) else {
                return Err(StoreError::invalid(
                    "duty",
                    if cordon_domain::martyns_law::rules().duty(duty).is_some() {
                        format!(
                            "That duty does not apply to {}: it is {}",
                            place.name,
                            place.tier.words().to_lowercase()
                        )
                    } else {
                        format!("There is no Martyn's Law duty {duty:?}")
                    },
                ));
            };
            if now.status == *status && (now.recorded_at.is_some() || *status == DutyStatus::NotStarted) {
                continue;
            }
            events.push((
                Event::Places(PlacesEvent::PlaceDutyRecorded {
                    place_id: place.id.clone(),
                    duty: duty.clone(),
                    status: *status,
                }),
                Marking::Official,
            ));
        }
        if !events.is_empty() {
            self.store.append(actor, &events).await?;
        }
        Ok(self.duties(caller, place_id).await?.1)
    }
}

/// A CTSA's flag on a place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flag {
    pub reason: String,
    /// Who set it (their name).
    pub flagged_by: String,
    /// When (RFC 3339 UTC).
    pub flagged_at: String,
}

/// An SQL expression over a place `p`: 1 when it is flagged, else 0.
pub const FLAGGED_SQL: &str = "(SELECT COUNT(*) FROM place_flags f WHERE f.place_id = p.id)";

impl PlacesStore<'_> {
    /// The place's flag, if it is flagged.
    pub async fn flag(&self, caller: Caller<'_>, place_id: &str) -> Result<(Place, Option<Flag>), StoreError> {
        let place = self.get(caller, place_id).await?;
        let row = self
            .store
            .fetch_one(
                "SELECT f.reason, COALESCE(u.name, f.flagged_by), f.flagged_at FROM place_flags f \
                 LEFT JOIN users u ON u.id = f.flagged_by WHERE f.place_id = $1",
                &[Val::Text(place.id.clone())],
            )
            .await?;
        Ok((place, row.map(|r| Flag { reason: r.text(0), flagged_by: r.text(1), flagged_at: r.text(2) })))
    }

    /// Flags a place with a reason (or changes the reason of its flag).
    pub async fn set_flag(
        &self,
        caller: Caller<'_>,
        actor: &Actor,
        place_id: &str,
        reason: &str,
    ) -> Result<Flag, StoreError> {
        self.store.records().permit(caller, MANAGE).await?;
        let reason = cordon_domain::places::check_flag_reason(reason, true)
            .map_err(|p| StoreError::invalid(p.field, p.message))?
            .unwrap_or_default();
        let (place, _) = self.flag(caller, place_id).await?;
        self.store
            .append(
                actor,
                &[(Event::Places(PlacesEvent::PlaceFlagged { place_id: place.id.clone(), reason }), Marking::Official)],
            )
            .await?;
        self.flag(caller, place_id).await?.1.ok_or_else(|| StoreError::Integrity("the flag was not recorded".into()))
    }

    /// Clears a place's flag (a reason is optional). A place not flagged is 409.
    pub async fn clear_flag(
        &self,
        caller: Caller<'_>,
        actor: &Actor,
        place_id: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.store.records().permit(caller, MANAGE).await?;
        let reason = cordon_domain::places::check_flag_reason(reason, false)
            .map_err(|p| StoreError::invalid(p.field, p.message))?;
        let (place, flag) = self.flag(caller, place_id).await?;
        if flag.is_none() {
            return Err(StoreError::Conflict(format!("{} is not flagged", place.name)));
        }
        self.store
            .append(
                actor,
                &[(
                    Event::Places(PlacesEvent::PlaceFlagCleared { place_id: place.id.clone(), reason }),
                    Marking::Official,
                )],
            )
            .await?;
        Ok(())
    }
}

impl PlacesStore<'_> {
    /// Records who is responsible for a place and whether that is an
    /// individual (which changes the duties at enhanced premises, s.10).
    pub async fn set_responsible(
        &self,
        caller: Caller<'_>,
        actor: &Actor,
        place_id: &str,
        name: &str,
        kind: cordon_domain::martyns_law::Responsible,
    ) -> Result<Place, StoreError> {
        self.store.records().permit(caller, MANAGE).await?;
        let name =
            cordon_domain::places::check_responsible_name(name).map_err(|p| StoreError::invalid(p.field, p.message))?;
        let place = self.get(caller, place_id).await?;
        if place.responsible_name != name || place.responsible != kind {
            let ev = PlacesEvent::PlaceResponsibleSet { place_id: place.id.clone(), name, kind };
            self.store.append(actor, &[(Event::Places(ev), Marking::Official)]).await?;
        }
        self.get(caller, place_id).await
    }
}
