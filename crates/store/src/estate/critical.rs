//! The move-to-critical contingency plan and its activations (issue 13 item
//! 5). The plan is one per organisation; an activation copies its checklist as
//! it stands and is worked through step by step, then stood down. Both are
//! OFFICIAL-SENSITIVE: read with `estate.options.read`, changed with
//! `estate.critical`, each with a clearance for the marking.

use super::{actor, integrity, invalid, EstateStore};
use crate::journal::Expect;
use crate::sql::{Row, Val};
use crate::StoreError;
use cordon_domain::access::Viewer;
use cordon_domain::estate::critical::{self, CriticalPlan, Trigger};
use cordon_domain::estate::{self, EstateEvent, OPTIONS_MARKING};
use cordon_domain::event::Event;
use cordon_domain::ids::ActivationId;
use cordon_domain::threat::ThreatLevel;
use serde::Serialize;

/// The plan as it stands, with who last saved it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanRecord {
    #[serde(flatten)]
    pub plan: CriticalPlan,
    pub saved_by_name: String,
    pub saved_at: String,
    pub review_overdue: bool,
}

/// One step of an activation's checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub step: u32,
    pub action: String,
    pub owner_role: String,
    pub done_by: Option<String>,
    pub done_by_name: Option<String>,
    pub done_at: Option<String>,
    pub note: Option<String>,
}

/// An activation of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Activation {
    pub id: ActivationId,
    pub reason: String,
    pub trigger: Trigger,
    /// The site threat level when it was activated.
    pub threat_level: Option<ThreatLevel>,
    pub started_by: String,
    pub started_by_name: String,
    pub started_at: String,
    pub stood_down_by_name: Option<String>,
    pub stood_down_at: Option<String>,
    pub stood_down_reason: Option<String>,
    pub done: i64,
    pub total: i64,
    /// On a single activation only.
    pub steps: Vec<Step>,
}

impl Activation {
    pub fn open(&self) -> bool {
        self.stood_down_at.is_none()
    }
}

const ACTIVATION_COLUMNS: &str = "a.id, a.reason, a.trigger_kind, a.threat_level, a.started_by, COALESCE(su.name, ''), \
     a.started_at, du.name, a.stood_down_at, a.stood_down_reason, \
     (SELECT COUNT(*) FROM estate_activation_steps x WHERE x.activation_id = a.id AND x.done_at IS NOT NULL), \
     (SELECT COUNT(*) FROM estate_activation_steps x WHERE x.activation_id = a.id) \
     FROM estate_activations a LEFT JOIN users su ON su.id = a.started_by LEFT JOIN users du ON du.id = a.stood_down_by";

fn activation_of(r: &Row) -> Result<Activation, StoreError> {
    Ok(Activation {
        id: ActivationId::parse(&r.text(0)).map_err(integrity)?,
        reason: r.text(1),
        trigger: Trigger::parse(&r.text(2)).ok_or_else(|| StoreError::Integrity("activation trigger".into()))?,
        threat_level: r.opt_text(3).map(|l| l.parse()).transpose().map_err(integrity)?,
        started_by: r.text(4),
        started_by_name: r.text(5),
        started_at: r.text(6),
        stood_down_by_name: r.opt_text(7),
        stood_down_at: r.opt_text(8),
        stood_down_reason: r.opt_text(9),
        done: r.int(10),
        total: r.int(11),
        steps: Vec::new(),
    })
}

impl EstateStore<'_> {
    async fn read_options(&self, viewer: &Viewer) -> Result<(), StoreError> {
        self.store.records().permit_marked(viewer.into(), estate::OPTIONS_READ, OPTIONS_MARKING).await
    }

    async fn keep_critical(&self, viewer: &Viewer) -> Result<(), StoreError> {
        self.store.records().permit_marked(viewer.into(), estate::CRITICAL, OPTIONS_MARKING).await
    }

    /// The viewer's organisation's move-to-critical plan, if recorded.
    pub async fn critical_plan(&self, viewer: &Viewer) -> Result<Option<PlanRecord>, StoreError> {
        self.read_options(viewer).await?;
        let row = self
            .store
            .fetch_one(
                "SELECT p.body, COALESCE(u.name, ''), p.saved_at FROM estate_critical_plans p \
                 LEFT JOIN users u ON u.id = p.saved_by WHERE p.organisation_id = $1",
                &[Val::from(viewer.organisation_id.to_string())],
            )
            .await?;
        row.map(|r| {
            let plan: CriticalPlan = serde_json::from_str(&r.text(0)).map_err(integrity)?;
            Ok(PlanRecord {
                review_overdue: plan.review_overdue(self.store.today()),
                plan,
                saved_by_name: r.text(1),
                saved_at: r.text(2),
            })
        })
        .transpose()
    }

    /// Records or changes the organisation's move-to-critical plan.
    pub async fn save_critical_plan(&self, viewer: &Viewer, plan: CriticalPlan) -> Result<PlanRecord, StoreError> {
        self.keep_critical(viewer).await?;
        plan.check().map_err(invalid)?;
        let ev =
            Event::Estate(EstateEvent::CriticalPlanSaved { organisation_id: viewer.organisation_id.clone(), plan });
        self.store.append(&actor(viewer), &[(ev, OPTIONS_MARKING)]).await?;
        self.critical_plan(viewer).await?.ok_or_else(|| StoreError::Integrity("plan vanished".into()))
    }

    /// The organisation's activations, newest first (without their steps).
    pub async fn activations(&self, viewer: &Viewer) -> Result<Vec<Activation>, StoreError> {
        self.read_options(viewer).await?;
        let rows = self
            .store
            .fetch(
                &format!(
                    "SELECT {ACTIVATION_COLUMNS} WHERE a.organisation_id = $1 ORDER BY a.started_at DESC, a.id DESC"
                ),
                &[Val::from(viewer.organisation_id.to_string())],
            )
            .await?;
        rows.iter().map(activation_of).collect()
    }

    /// One activation of the viewer's organisation, with its checklist.
    pub async fn activation(&self, viewer: &Viewer, id: &ActivationId) -> Result<Activation, StoreError> {
        self.read_options(viewer).await?;
        let row = self
            .store
            .fetch_one(
                &format!("SELECT {ACTIVATION_COLUMNS} WHERE a.id = $1 AND a.organisation_id = $2"),
                &[Val::from(id.to_string()), Val::from(viewer.organisation_id.to_string())],
            )
            .await?
            .ok_or_else(|| StoreError::not_found(None, "no such activation"))?;
        let mut a = activation_of(&row)?;
        let steps = self
            .store
            .fetch(
                "SELECT s.step, s.action, s.owner_role, s.done_by, u.name, s.done_at, s.note \
                 FROM estate_activation_steps s LEFT JOIN users u ON u.id = s.done_by \
                 WHERE s.activation_id = $1 ORDER BY s.step",
                &[Val::from(id.to_string())],
            )
            .await?;
        a.steps = steps
            .iter()
            .map(|r| Step {
                step: u32::try_from(r.int(0)).unwrap_or(0),
                action: r.text(1),
                owner_role: r.text(2),
                done_by: r.opt_text(3),
                done_by_name: r.opt_text(4),
                done_at: r.opt_text(5),
                note: r.opt_text(6),
            })
            .collect();
        Ok(a)
    }

    /// Whether activation is to be offered: the site threat level is CRITICAL
    /// and no activation is open.
    pub async fn offer_activation(&self, viewer: &Viewer) -> Result<bool, StoreError> {
        let open = self.activations(viewer).await?.iter().any(Activation::open);
        Ok(critical::offer_activation(self.threat_level_now().await?, open))
    }

    /// Activates the plan: its checklist as it stands becomes the activation's.
    /// Refused while another activation is open, or before a plan is recorded.
    pub async fn activate(&self, viewer: &Viewer, reason: &str) -> Result<Activation, StoreError> {
        self.keep_critical(viewer).await?;
        critical::check_reason(reason, "activated").map_err(invalid)?;
        let stream = format!("critical-plan/{}", viewer.organisation_id);
        let seen = self.store.stream_seq(&stream).await?;
        let plan = self.critical_plan(viewer).await?.ok_or_else(|| {
            StoreError::Conflict("record the move-to-critical plan and its checklist before activating it".into())
        })?;
        if self.activations(viewer).await?.iter().any(Activation::open) {
            return Err(StoreError::Conflict(
                "the plan is already activated: work through that activation, or stand it down first".into(),
            ));
        }
        let level = self.threat_level_now().await?;
        let id = ActivationId::generate();
        let ev = Event::Estate(EstateEvent::CriticalPlanActivated {
            id: id.clone(),
            organisation_id: viewer.organisation_id.clone(),
            reason: reason.trim().to_string(),
            trigger: Trigger::at(level),
            threat_level: level,
            checklist: plan.plan.checklist,
        });
        self.store
            .append_expecting(&actor(viewer), &[(ev, OPTIONS_MARKING)], Some(&Expect::stream(stream, seen)))
            .await?;
        self.activation(viewer, &id).await
    }

    /// Records a step of an open activation done. Returns whether it was done
    /// now (false when it already was).
    pub async fn step_done(
        &self,
        viewer: &Viewer,
        id: &ActivationId,
        step: u32,
        note: &str,
    ) -> Result<(bool, Activation), StoreError> {
        let a = self.activation(viewer, id).await?;
        self.keep_critical(viewer).await?;
        let Some(s) = a.steps.iter().find(|s| s.step == step) else {
            return Err(StoreError::not_found(None, "no such step in this activation's checklist"));
        };
        if s.done_at.is_some() {
            return Ok((false, a));
        }
        if !a.open() {
            return Err(StoreError::Conflict("this activation has been stood down".into()));
        }
        if note.chars().count() > 2000 {
            return Err(StoreError::invalid("note", "The note must be 2,000 characters or fewer"));
        }
        let ev = Event::Estate(EstateEvent::ActivationStepDone {
            activation_id: id.clone(),
            step,
            note: note.trim().to_string(),
        });
        let stream = format!("activation/{id}");
        let seen = self.store.stream_seq(&stream).await?;
        self.store
            .append_expecting(&actor(viewer), &[(ev, OPTIONS_MARKING)], Some(&Expect::stream(stream, seen)))
            .await?;
        Ok((true, self.activation(viewer, id).await?))
    }

    /// Stands an open activation down, with the reason.
    pub async fn stand_down(&self, viewer: &Viewer, id: &ActivationId, reason: &str) -> Result<Activation, StoreError> {
        let a = self.activation(viewer, id).await?;
        self.keep_critical(viewer).await?;
        if !a.open() {
            return Err(StoreError::Conflict("this activation has already been stood down".into()));
        }
        critical::check_reason(reason, "stood down").map_err(invalid)?;
        let ev = Event::Estate(EstateEvent::ActivationStoodDown {
            activation_id: id.clone(),
            reason: reason.trim().to_string(),
        });
        let stream = format!("activation/{id}");
        let seen = self.store.stream_seq(&stream).await?;
        self.store
            .append_expecting(&actor(viewer), &[(ev, OPTIONS_MARKING)], Some(&Expect::stream(stream, seen)))
            .await?;
        self.activation(viewer, id).await
    }
}
