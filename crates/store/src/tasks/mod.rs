//! A person's work, gathered for their home page and `GET /api/v1/me/tasks`:
//! the events whose team they are in, versions awaiting their endorsement,
//! the actions assigned to them (overdue first), recent changes to their
//! events, and, for partners and advisers, the events shared with their
//! organisation. Every part is read through the events' access policy.

use crate::audit::{AuditFilter, ChangeEntry};
use crate::events::{EventFilter, EventRecord};
use crate::{Store, StoreError};
use cordon_domain::access::Viewer;
use cordon_domain::ids::EventId;
use cordon_domain::plan::PlanItem;
use cordon_domain::planned_event::EventStatus;
use serde::Serialize;
use std::collections::BTreeMap;

/// A version waiting for the viewer, as Gold, to endorse it.
#[derive(Debug, Clone, Serialize)]
pub struct AwaitingEndorsement {
    pub event: EventRecord,
    pub number: i64,
    pub issued_at: String,
    pub issued_by: String,
}

/// An action from a meeting assigned to the viewer.
#[derive(Debug, Clone, Serialize)]
pub struct AssignedAction {
    pub event_id: EventId,
    pub event_name: String,
    /// The meeting's or liaison entry's id and date (`source` says which).
    pub meeting_id: String,
    pub meeting_date: String,
    /// "meeting" or "liaison".
    pub source: &'static str,
    pub text: String,
    /// YYYY-MM-DD, or empty.
    pub due: String,
    pub status: String,
    pub overdue: bool,
}

/// A change to one of the viewer's events.
#[derive(Debug, Clone, Serialize)]
pub struct RecentChange {
    pub event_id: EventId,
    pub event_name: String,
    #[serde(flatten)]
    pub change: ChangeEntry,
}

/// Everything on a person's home page.
#[derive(Debug, Clone, Serialize)]
pub struct Tasks {
    pub my_events: Vec<EventRecord>,
    pub my_events_total: i64,
    pub awaiting_endorsement: Vec<AwaitingEndorsement>,
    pub actions: Vec<AssignedAction>,
    pub recent_changes: Vec<RecentChange>,
    pub shared_events: Vec<EventRecord>,
    pub shared_events_total: i64,
}

/// The tasks capability's reads, reached as `store.tasks()`.
#[derive(Clone, Copy)]
pub struct TaskStore<'a> {
    pub(crate) store: &'a Store,
}

impl Store {
    pub fn tasks(&self) -> TaskStore<'_> {
        TaskStore { store: self }
    }
}

const SHOWN: i64 = 10;

impl TaskStore<'_> {
    /// The viewer's tasks.
    pub async fn for_viewer(&self, viewer: &Viewer) -> Result<Tasks, StoreError> {
        let events = self.store.events();
        let (my_events, my_events_total) = events
            .events_visible(
                viewer,
                &EventFilter { member: Some(viewer.user_id.clone()), limit: SHOWN, ..Default::default() },
            )
            .await?;
        let (mine_as_gold, _) = events
            .events_visible(
                viewer,
                &EventFilter {
                    gold: Some(viewer.user_id.clone()),
                    status: Some(EventStatus::AwaitingEndorsement),
                    limit: 50,
                    ..Default::default()
                },
            )
            .await?;
        let mut awaiting_endorsement = Vec::new();
        for event in mine_as_gold {
            let latest = self.store.plan().versions_of(&event.id).await?.into_iter().last();
            if let Some(v) = latest.filter(|v| v.endorsement.is_none()) {
                awaiting_endorsement.push(AwaitingEndorsement {
                    number: v.number,
                    issued_at: v.issued_at,
                    issued_by: v.issued_by,
                    event,
                });
            }
        }
        let actions = self.actions(viewer).await?;
        let recent_changes = self.recent_changes(viewer).await?;
        let (shared_events, shared_events_total) = events
            .events_visible(
                viewer,
                &EventFilter {
                    led_by_other_than: Some(viewer.organisation_id.clone()),
                    limit: SHOWN,
                    ..Default::default()
                },
            )
            .await?;
        Ok(Tasks {
            my_events,
            my_events_total,
            awaiting_endorsement,
            actions,
            recent_changes,
            shared_events,
            shared_events_total,
        })
    }

    /// The open actions assigned to the viewer in events they may see and
    /// items they may read, overdue first, then by due date.
    async fn actions(&self, viewer: &Viewer) -> Result<Vec<AssignedAction>, StoreError> {
        let today = self.store.today();
        let mut by_event: BTreeMap<String, Vec<(String, PlanItem)>> = BTreeMap::new();
        for (event_id, marking, item) in
            self.store.notifications().assigned_actions(Some(viewer.user_id.as_str())).await?
        {
            by_event.entry(event_id).or_default().push((marking, item));
        }
        let mut out = Vec::new();
        for (event_id, items) in by_event {
            let Ok(id) = event_id.parse::<EventId>() else { continue };
            let event = match self.store.events().event_for(viewer, &id).await {
                Ok(e) => e,
                Err(StoreError::NotFound { .. }) => continue,
                Err(e) => return Err(e),
            };
            let ceiling = self.store.plan().ceiling(viewer, &event);
            for (marking, item) in items {
                if marking.parse::<cordon_domain::Marking>().map_or(true, |m| m > ceiling) {
                    continue;
                }
                let (source, date) = match &item {
                    PlanItem::Meeting(m) => ("meeting", m.date.clone()),
                    PlanItem::Liaison(l) => ("liaison", l.date.clone()),
                    _ => continue,
                };
                for a in item.assigned_actions().iter().filter(|a| a.owner_user_id.as_ref() == Some(&viewer.user_id)) {
                    let done =
                        matches!(a.status.trim().to_lowercase().as_str(), "done" | "complete" | "completed" | "closed");
                    if done {
                        continue;
                    }
                    out.push(AssignedAction {
                        event_id: event.id.clone(),
                        event_name: event.name.clone(),
                        meeting_id: item.id(),
                        meeting_date: date.clone(),
                        source,
                        text: a.text.clone(),
                        due: a.due.clone(),
                        status: a.status.clone(),
                        overdue: crate::notifications::action_overdue(&a.due, &a.status, today),
                    });
                }
            }
        }
        // Overdue first; then by due date (none last).
        out.sort_by(|a, b| {
            b.overdue
                .cmp(&a.overdue)
                .then_with(|| a.due.is_empty().cmp(&b.due.is_empty()))
                .then_with(|| a.due.cmp(&b.due))
                .then_with(|| a.event_name.cmp(&b.event_name))
        });
        Ok(out)
    }

    /// The latest changes to the viewer's most recently changed events whose
    /// history they may read.
    async fn recent_changes(&self, viewer: &Viewer) -> Result<Vec<RecentChange>, StoreError> {
        let (events, _) = self
            .store
            .events()
            .events_visible(
                viewer,
                &EventFilter {
                    member: Some(viewer.user_id.clone()),
                    recent_first: true,
                    limit: 5,
                    ..Default::default()
                },
            )
            .await?;
        let mut out = Vec::new();
        for event in events {
            if !self.store.audit().may_read_changes(viewer, &event) {
                continue;
            }
            let trail = self
                .store
                .audit()
                .changes(viewer.into(), &event.id, &AuditFilter { limit: 3, ..Default::default() })
                .await?;
            for change in trail.items {
                out.push(RecentChange { event_id: event.id.clone(), event_name: event.name.clone(), change });
            }
        }
        out.sort_by(|a, b| b.change.at.cmp(&a.change.at).then_with(|| b.change.seq.cmp(&a.change.seq)));
        out.truncate(SHOWN as usize);
        Ok(out)
    }
}
