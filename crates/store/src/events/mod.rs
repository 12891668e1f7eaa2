//! Events and operations: the first marked records. Every read goes through the
//! access policy here, in the store, so no page, route, search or export can
//! forget it: the SQL filter narrows by organisation, marking, clearance and
//! team, and `domain::access::can` is applied again to what comes back.

pub mod demo;
pub mod project;

use crate::identity::User;
use crate::journal::Actor;
use crate::records::Caller;
use crate::sql::{Row, Val};
use crate::{Store, StoreError};
use cordon_domain::access::{clearance_for, marking_allowed, Action, RecordAccess, Viewer};
use cordon_domain::event::Event;
use cordon_domain::identity::EmailAddress;
use cordon_domain::ids::{EventId, Instant, OrganisationId, RecordId, UserId};
use cordon_domain::planned_event::PlannedEventEvent;
use cordon_domain::planned_event::{
    check_event, parse_instant, EventKind, EventStatus, FieldError, PlannedEvent, Venue,
};
use cordon_domain::planned_event::{CHANGE, CREATE};
use cordon_domain::records::{RecordEvent, RecordKind};
use cordon_domain::Marking;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventRecord {
    pub id: EventId,
    pub name: String,
    pub kind: EventKind,
    pub starts_at: Instant,
    pub ends_at: Instant,
    pub venues: Vec<Venue>,
    pub expected_attendance: i64,
    pub marking: Marking,
    pub organisation_id: OrganisationId,
    pub organisation_name: String,
    pub status: EventStatus,
    pub created_by: UserId,
    pub created_at: String,
    pub updated_at: String,
    pub shared_with: Vec<OrganisationId>,
    /// The strategic commander (Gold), a user id.
    pub gold_user_id: Option<UserId>,
    /// The tactical commander (Silver), a user id.
    pub silver_user_id: Option<UserId>,
}

impl EventRecord {
    pub fn access(&self) -> RecordAccess {
        RecordAccess {
            record_id: RecordId::from(&self.id),
            kind: RecordKind::Event,
            marking: self.marking,
            owner_organisation_id: self.organisation_id.clone(),
            shared_with: self.shared_with.iter().cloned().collect(),
        }
    }
}

/// A request to create an event, as received.
#[derive(Debug, Clone, Default)]
pub struct NewEvent {
    pub name: String,
    pub kind: String,
    pub starts_at: String,
    pub ends_at: String,
    pub venues: Vec<Venue>,
    pub expected_attendance: i64,
    pub marking: String,
}

/// Filters for the list of events.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub status: Option<EventStatus>,
    pub kind: Option<EventKind>,
    /// Events ending on or after this instant (RFC 3339).
    pub from: Option<String>,
    /// Events starting before this instant (RFC 3339).
    pub to: Option<String>,
    /// Words in the name or a venue's name or address.
    pub q: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamMember {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub organisation_name: String,
    pub added_at: String,
}

fn t(s: &str) -> Val {
    Val::Text(s.to_string())
}

fn invalid(e: FieldError) -> StoreError {
    StoreError::Invalid { field: e.field, message: e.message }
}

const EVENT_COLUMNS: &str = "e.id, e.name, e.kind, e.starts_at, e.ends_at, e.expected_attendance, e.marking, \
     e.organisation_id, o.name, e.status, e.created_by, e.created_at, e.updated_at, e.gold_user_id, e.silver_user_id";

/// The events capability's operations, reached as `store.events()`.
#[derive(Clone, Copy)]
pub struct EventStore<'a> {
    pub(crate) store: &'a Store,
}

impl Store {
    pub fn events(&self) -> EventStore<'_> {
        EventStore { store: self }
    }
}

impl EventStore<'_> {
    pub(crate) async fn hydrate(&self, rows: Vec<Row>) -> Result<Vec<EventRecord>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = rows.iter().map(|r| r.text(0)).collect();
        // One query each for venues and shares: no N+1.
        let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let args: Vec<Val> = ids.iter().map(|i| t(i)).collect();
        let venue_rows = self
            .store.fetch(
                &format!(
                    "SELECT event_id, name, address FROM event_venues WHERE event_id IN ({}) ORDER BY event_id, position",
                    placeholders.join(", ")
                ),
                &args,
            )
            .await?;
        let share_rows = self
            .store
            .fetch(
                &format!(
                    "SELECT record_id, organisation_id FROM record_shares WHERE record_id IN ({})",
                    placeholders.join(", ")
                ),
                &args,
            )
            .await?;
        let mut venues: BTreeMap<String, Vec<Venue>> = BTreeMap::new();
        for v in venue_rows {
            venues.entry(v.text(0)).or_default().push(Venue { name: v.text(1), address: v.text(2) });
        }
        let mut shares: BTreeMap<String, Vec<OrganisationId>> = BTreeMap::new();
        for s in share_rows {
            shares.entry(s.text(0)).or_default().push(s.id(1)?);
        }
        rows.iter()
            .map(|r| {
                let id = r.text(0);
                Ok(EventRecord {
                    venues: venues.remove(&id).unwrap_or_default(),
                    shared_with: shares.remove(&id).unwrap_or_default(),
                    id: r.id(0)?,
                    name: r.text(1),
                    kind: r.text(2).parse().map_err(StoreError::Integrity)?,
                    starts_at: r.text(3).parse().map_err(|e| StoreError::Integrity(format!("{e}")))?,
                    ends_at: r.text(4).parse().map_err(|e| StoreError::Integrity(format!("{e}")))?,
                    expected_attendance: r.int(5),
                    marking: r.text(6).parse().map_err(|e| StoreError::Integrity(format!("{e}")))?,
                    organisation_id: r.id(7)?,
                    organisation_name: r.text(8),
                    status: r.text(9).parse().map_err(StoreError::Integrity)?,
                    created_by: r.id(10)?,
                    created_at: r.text(11),
                    updated_at: r.text(12),
                    gold_user_id: r.opt_id(13)?,
                    silver_user_id: r.opt_id(14)?,
                })
            })
            .collect()
    }

    /// Applies `can` to what the SQL filter let through (a second check that
    /// the filter and the policy agree), and logs the sensitive reads.
    pub(crate) async fn checked(
        &self,
        viewer: &Viewer,
        records: Vec<EventRecord>,
        how: &str,
    ) -> Result<Vec<EventRecord>, StoreError> {
        let d = self.store.deployment();
        let mut out = Vec::with_capacity(records.len());
        for r in records {
            if cordon_domain::access::can(viewer, Action::READ, &r.access(), d).is_ok() {
                out.push(r);
            } else {
                tracing::error!(record = %r.id, "the SQL access filter let through a record the policy refuses");
            }
        }
        let access: Vec<RecordAccess> = out.iter().map(EventRecord::access).collect();
        self.store.records().log_reads(viewer, &access, how).await?;
        Ok(out)
    }

    /// Creates an event owned by the creator's organisation; the creator joins its team.
    pub async fn create_event(&self, user: &User, viewer: &Viewer, new: NewEvent) -> Result<EventRecord, StoreError> {
        self.store.records().permit(viewer.into(), CREATE).await?;
        let kind: EventKind = new.kind.parse().map_err(|m| StoreError::invalid("kind", m))?;
        let marking: Marking = new.marking.parse().map_err(|e| StoreError::invalid("marking", format!("{e}")))?;
        marking_allowed(marking, self.store.deployment()).map_err(|m| StoreError::invalid("marking", m))?;
        if viewer.clearance < clearance_for(marking) {
            return Err(StoreError::invalid(
                "marking",
                format!("your clearance ({}) does not allow creating {marking} records", viewer.clearance),
            ));
        }
        let starts = parse_instant("starts_at", &new.starts_at).map_err(invalid)?;
        let ends = parse_instant("ends_at", &new.ends_at).map_err(invalid)?;
        let venues: Vec<Venue> = new
            .venues
            .iter()
            .map(|v| Venue { name: v.name.trim().to_string(), address: v.address.trim().to_string() })
            .collect();
        check_event(&new.name, starts, ends, &venues, new.expected_attendance).map_err(invalid)?;
        let event = PlannedEvent {
            id: EventId::generate(),
            name: new.name.trim().to_string(),
            kind,
            starts_at: starts,
            ends_at: ends,
            venues,
            expected_attendance: new.expected_attendance,
            marking,
            organisation_id: user.organisation_id.clone(),
        };
        let id = event.id.clone();
        let events = [
            (
                Event::PlannedEvent(PlannedEventEvent::PlannedEventCreated { event, created_by: user.id.clone() }),
                marking,
            ),
            (
                Event::Records(RecordEvent::TeamMemberAdded {
                    record_id: RecordId::from(&id),
                    user_id: user.id.clone(),
                }),
                marking,
            ),
        ];
        self.store.append(&Actor::new(&user.id, &user.organisation_id), &events).await?;
        let mut viewer = viewer.clone();
        viewer.teams.insert(RecordId::from(&id));
        self.event_for(&viewer, &id).await
    }

    /// One event, if the viewer may see it; otherwise not found (never forbidden),
    /// so its existence does not leak. Denials are recorded.
    pub async fn event_for(&self, viewer: &Viewer, id: &EventId) -> Result<EventRecord, StoreError> {
        self.event_as(viewer.into(), id, Action::READ, "get").await
    }

    /// One event, admitted for `action` through the records layer: not found
    /// if the caller may not read it, forbidden if they may read it but not
    /// do `action`. Admission is decided on the `records` row alone, before
    /// anything of the event is read, and an id of nothing is logged as a
    /// denial is: hidden and absent take the same work and time to answer.
    pub(crate) async fn event_as(
        &self,
        caller: Caller<'_>,
        id: &EventId,
        action: Action,
        how: &str,
    ) -> Result<EventRecord, StoreError> {
        let records = self.store.records();
        let access = records.access(&id.into()).await?.filter(|a| a.kind == RecordKind::Event);
        let Some(access) = access else {
            if let Caller::User(viewer) = caller {
                records.log_unknown(viewer, RecordKind::Event, id, action).await;
            }
            return Err(StoreError::not_found(None, "no such event"));
        };
        if action != Action::READ {
            records.admit(caller, Action::READ, &access, how).await?;
        }
        records.admit(caller, action, &access, how).await?;
        self.event_unchecked(id).await
    }

    /// An event by id with no policy check. Only for [`EventStore::event_as`]
    /// and the projector-side reads of the store itself.
    pub(crate) async fn event_unchecked(&self, id: &EventId) -> Result<EventRecord, StoreError> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM planned_events e JOIN organisations o ON o.id = e.organisation_id WHERE e.id = $1"
        );
        let rows = self.store.fetch(&sql, &[Val::from(id)]).await?;
        self.hydrate(rows).await?.pop().ok_or_else(|| StoreError::not_found(None, "no such event"))
    }

    /// Checks the viewer may act on an event; a record they cannot see is not found.
    pub async fn event_for_action(
        &self,
        viewer: &Viewer,
        id: &EventId,
        action: Action,
    ) -> Result<EventRecord, StoreError> {
        self.event_as(viewer.into(), id, action, "get").await
    }

    /// The events the viewer may see, filtered and paginated, with the total.
    pub async fn events_visible(
        &self,
        viewer: &Viewer,
        f: &EventFilter,
    ) -> Result<(Vec<EventRecord>, i64), StoreError> {
        let (visible, mut args) = self.store.records().visible(viewer, 1);
        let mut clauses = vec![visible];
        // Each filter adds one parameter; `{}` in its clause stands for it.
        let mut push = |clause: &str, v: Val, args: &mut Vec<Val>| {
            args.push(v);
            clauses.push(clause.replace("{}", &format!("${}", args.len())));
        };
        if let Some(s) = f.status {
            push("e.status = {}", t(s.as_str()), &mut args);
        }
        if let Some(k) = f.kind {
            push("e.kind = {}", t(k.as_str()), &mut args);
        }
        if let Some(from) = &f.from {
            push("e.ends_at >= {}", t(from), &mut args);
        }
        if let Some(to) = &f.to {
            push("e.starts_at < {}", t(to), &mut args);
        }
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let like = format!("%{}%", q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
            push(
                "(lower(e.name) LIKE {} ESCAPE '\\' OR EXISTS (SELECT 1 FROM event_venues v WHERE v.event_id = e.id \
                 AND (lower(v.name) LIKE {} ESCAPE '\\' OR lower(v.address) LIKE {} ESCAPE '\\')))",
                Val::Text(like),
                &mut args,
            );
        }
        let where_sql = clauses.join(" AND ");
        let total = self
            .store
            .fetch_one(
                &format!("SELECT COUNT(*) FROM planned_events e JOIN records r ON r.id = e.id WHERE {where_sql}"),
                &args,
            )
            .await?
            .map(|r| r.int(0))
            .unwrap_or(0);
        let limit = f.limit.clamp(1, 500);
        let offset = f.offset.max(0);
        let mut page_args = args.clone();
        page_args.push(Val::Int(limit));
        page_args.push(Val::Int(offset));
        let n = args.len();
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM planned_events e JOIN records r ON r.id = e.id \
             JOIN organisations o ON o.id = e.organisation_id WHERE {where_sql} ORDER BY e.starts_at, e.id LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let rows = self.store.fetch(&sql, &page_args).await?;
        let records = self.hydrate(rows).await?;
        Ok((self.checked(viewer, records, "list").await?, total))
    }

    /// Every event the viewer may see, for export.
    pub async fn export_events(&self, viewer: &Viewer) -> Result<Vec<EventRecord>, StoreError> {
        let mut out = Vec::new();
        let mut offset = 0;
        loop {
            let (page, total) =
                self.events_visible(viewer, &EventFilter { limit: 500, offset, ..Default::default() }).await?;
            let n = page.len() as i64;
            out.extend(page);
            offset += n;
            if n == 0 || offset >= total {
                break;
            }
        }
        Ok(out)
    }

    /// The members of an event's team (the viewer must be able to see the event).
    pub async fn team(&self, viewer: &Viewer, event_id: &EventId) -> Result<Vec<TeamMember>, StoreError> {
        self.event_for(viewer, event_id).await?;
        self.members_of(event_id).await
    }

    /// An event the viewer may see, with its team: one policy check, one read logged.
    pub async fn event_with_team(
        &self,
        viewer: &Viewer,
        event_id: &EventId,
    ) -> Result<(EventRecord, Vec<TeamMember>), StoreError> {
        let event = self.event_for(viewer, event_id).await?;
        let team = self.members_of(event_id).await?;
        Ok((event, team))
    }

    /// The team of an event the caller has already read through the policy.
    pub(crate) async fn members_of(&self, event_id: &EventId) -> Result<Vec<TeamMember>, StoreError> {
        self.store
            .fetch(
                "SELECT u.id, u.email, u.name, o.name, m.added_at FROM team_members m \
                 JOIN users u ON u.id = m.user_id JOIN organisations o ON o.id = u.organisation_id \
                 WHERE m.record_id = $1 ORDER BY u.name",
                &[t(event_id)],
            )
            .await?
            .into_iter()
            .map(|r| -> Result<TeamMember, StoreError> {
                Ok(TeamMember {
                    user_id: r.id(0)?,
                    email: r.text(1),
                    name: r.text(2),
                    organisation_name: r.text(3),
                    added_at: r.text(4),
                })
            })
            .collect()
    }

    /// Whether the viewer owns the record's team: in the team, in the owning
    /// organisation, with a role that may change records.
    pub(crate) async fn owns_team(&self, viewer: &Viewer, record: &EventRecord) -> bool {
        cordon_domain::access::owns_team(viewer, &record.access(), CHANGE)
    }

    /// Refuses, and logs, a change by someone who does not own the event's team.
    pub(crate) async fn require_team_owner(
        &self,
        viewer: &Viewer,
        record: &EventRecord,
        what: &str,
    ) -> Result<(), StoreError> {
        if self.owns_team(viewer, record).await {
            return Ok(());
        }
        let stream = crate::records::stream_of(&record.access());
        self.store.records().log_denial(viewer, &stream, CHANGE, cordon_domain::access::Denial::NotTeamOwner).await;
        Err(StoreError::Forbidden(format!("only the event's owners can {what}")))
    }

    /// Adds a user, by e-mail address, to an event's team.
    pub async fn add_team_member(
        &self,
        viewer: &Viewer,
        event_id: &EventId,
        email: &EmailAddress,
    ) -> Result<TeamMember, StoreError> {
        let record = self.event_for(viewer, event_id).await?;
        self.require_team_owner(viewer, &record, "change its team").await?;
        let email = email.as_str();
        // One message whatever the reason, so the form tells nobody who
        // exists, who is disabled or who works for which organisation.
        let cannot = || {
            StoreError::invalid(
                "email",
                format!(
                    "{email} cannot be added to this team: check the address; someone from another organisation \
                     can be added once the event is shared with it"
                ),
            )
        };
        let user = self
            .store
            .identity()
            .user_by_email(email)
            .await?
            .filter(|u| {
                u.active
                    && (u.organisation_id == record.organisation_id || record.shared_with.contains(&u.organisation_id))
            })
            .ok_or_else(cannot)?;
        let members = self.members_of(event_id).await?;
        if members.iter().any(|m| m.user_id == user.id) {
            return Err(StoreError::Conflict(format!("{email} is already in the team")));
        }
        let event =
            Event::Records(RecordEvent::TeamMemberAdded { record_id: event_id.into(), user_id: user.id.clone() });
        self.store.append(&Actor::new(&viewer.user_id, &viewer.organisation_id), &[(event, record.marking)]).await?;
        self.members_of(event_id)
            .await?
            .into_iter()
            .find(|m| m.user_id == user.id)
            .ok_or_else(|| StoreError::Integrity("team member vanished".into()))
    }

    /// Removes a user from an event's team. The last member cannot be removed.
    pub async fn remove_team_member(
        &self,
        viewer: &Viewer,
        event_id: &EventId,
        email: &EmailAddress,
    ) -> Result<(), StoreError> {
        let record = self.event_for(viewer, event_id).await?;
        self.require_team_owner(viewer, &record, "change its team").await?;
        let members = self.members_of(event_id).await?;
        let email = email.as_str();
        let member = members
            .iter()
            .find(|m| m.email == email)
            .ok_or_else(|| StoreError::not_found(Some("email"), format!("{email} is not in the team")))?;
        if members.len() == 1 {
            return Err(StoreError::invalid("email", "the last member of a team cannot be removed"));
        }
        let event = Event::Records(RecordEvent::TeamMemberRemoved {
            record_id: event_id.into(),
            user_id: member.user_id.clone(),
        });
        self.store.append(&Actor::new(&viewer.user_id, &viewer.organisation_id), &[(event, record.marking)]).await?;
        Ok(())
    }

    /// Shares an event with another organisation (its OFFICIAL content becomes
    /// visible to that organisation; sensitive content still needs the team).
    pub async fn share_event(
        &self,
        viewer: &Viewer,
        event_id: &EventId,
        organisation_id: &OrganisationId,
    ) -> Result<(), StoreError> {
        let record = self.event_for(viewer, event_id).await?;
        self.require_team_owner(viewer, &record, "share it").await?;
        if self.store.identity().organisation(organisation_id).await?.is_none() {
            return Err(StoreError::invalid("organisation", "no such organisation"));
        }
        if record.organisation_id == *organisation_id || record.shared_with.contains(organisation_id) {
            return Ok(());
        }
        let event = Event::Records(RecordEvent::RecordShared {
            record_id: event_id.into(),
            organisation_id: organisation_id.clone(),
        });
        self.store.append(&Actor::new(&viewer.user_id, &viewer.organisation_id), &[(event, record.marking)]).await?;
        Ok(())
    }

    /// Moves an event along planning → endorsed → live → debrief → closed.
    /// `endorsed` is reached only by Gold endorsing the plan.
    pub async fn set_event_status(
        &self,
        viewer: &Viewer,
        event_id: &EventId,
        status: EventStatus,
    ) -> Result<EventRecord, StoreError> {
        let record = self.event_for_action(viewer, event_id, CHANGE).await?;
        record.status.check_transition(status).map_err(|message| StoreError::invalid("status", message))?;
        let event = Event::PlannedEvent(PlannedEventEvent::PlannedEventStatusChanged { id: event_id.clone(), status });
        self.store.append(&Actor::new(&viewer.user_id, &viewer.organisation_id), &[(event, record.marking)]).await?;
        self.event_for(viewer, event_id).await
    }
}
