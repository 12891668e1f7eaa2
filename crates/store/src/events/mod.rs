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
    check_event, check_transition, parse_instant, EventKind, EventStatus, FieldError, Lifecycle, PlannedEvent, Venue,
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
    /// Only events whose team this user is in.
    pub member: Option<UserId>,
    /// Only events whose strategic commander (Gold) this user is.
    pub gold: Option<UserId>,
    /// Only events led by an organisation other than this one (shared with it).
    pub led_by_other_than: Option<OrganisationId>,
    /// Most recently changed first, instead of in start order.
    pub recent_first: bool,
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
    /// Whether they are on the team as the event's appointed security
    /// coordinator (SECO): the team has no roles of its own, so this is read
    /// from the standing appointment.
    pub security_coordinator: bool,
}

fn t(s: &str) -> Val {
    Val::Text(s.to_string())
}

/// Refuses a change to a closed event: it and its plan are read-only.
pub(crate) fn writable(record: &EventRecord) -> Result<(), StoreError> {
    if record.status.is_closed() {
        return Err(StoreError::Conflict(format!(
            "{} is closed: the event and its plan can no longer be changed",
            record.name
        )));
    }
    Ok(())
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
        let record = self.event_as(viewer.into(), id, action, "get").await?;
        if action != Action::READ {
            writable(&record)?;
        }
        Ok(record)
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
        if let Some(u) = &f.member {
            push(
                "EXISTS (SELECT 1 FROM team_members tm WHERE tm.record_id = e.id AND tm.user_id = {})",
                Val::from(u),
                &mut args,
            );
        }
        if let Some(u) = &f.gold {
            push("e.gold_user_id = {}", Val::from(u), &mut args);
        }
        if let Some(o) = &f.led_by_other_than {
            push("e.organisation_id <> {}", Val::from(o), &mut args);
        }
        let order = if f.recent_first { "e.updated_at DESC, e.id" } else { "e.starts_at, e.id" };
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
             JOIN organisations o ON o.id = e.organisation_id WHERE {where_sql} ORDER BY {order} LIMIT ${} OFFSET ${}",
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
                "SELECT u.id, u.email, u.name, o.name, m.added_at, \
                 EXISTS (SELECT 1 FROM seco_requests q JOIN secos s ON s.id = q.seco_id \
                 WHERE q.event_id = m.record_id AND q.status = 'appointed' AND s.user_id = m.user_id) \
                 FROM team_members m \
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
                    security_coordinator: r.int(5) != 0,
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
            return writable(record);
        }
        let stream = crate::records::stream_of(&record.access());
        self.store.records().log_denial(viewer, &stream, CHANGE, cordon_domain::access::Denial::NotTeamOwner).await;
        Err(StoreError::Forbidden(format!("only the event's owners can {what}")))
    }

    /// The people who may be picked for an event (team member, Gold, Silver,
    /// an action's owner): active users of its lead organisation and of the
    /// organisations it is shared with, with `role` if given, whose name,
    /// address or organisation holds `q`. Only the event's owners may list them.
    pub async fn candidates(
        &self,
        viewer: &Viewer,
        event_id: &EventId,
        role: Option<cordon_domain::identity::Role>,
        q: &str,
    ) -> Result<Vec<User>, StoreError> {
        let record = self.event_for(viewer, event_id).await?;
        if !self.owns_team(viewer, &record).await {
            return Err(StoreError::Forbidden("only the event's owners can choose people for it".into()));
        }
        let mut orgs = vec![record.organisation_id.clone()];
        orgs.extend(record.shared_with.iter().cloned());
        let users = crate::identity::users_of(self.store, &orgs, q, 200).await?;
        Ok(users.into_iter().filter(|u| role.is_none_or(|r| u.has_role(r))).take(50).collect())
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
        reason: &str,
    ) -> Result<(), StoreError> {
        if reason.chars().count() > 2_000 {
            return Err(StoreError::invalid("reason", "The reason must be 2,000 characters or fewer"));
        }
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
            reason: reason.trim().to_string(),
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

    /// Moves an event on by hand (endorsed → live → debrief → closed) under
    /// the lifecycle's rules; a refusal is a conflict with the rule in words.
    /// `awaiting endorsement` and `endorsed` follow the plan's versions.
    pub async fn set_event_status(
        &self,
        viewer: &Viewer,
        event_id: &EventId,
        status: EventStatus,
        reason: &str,
    ) -> Result<EventRecord, StoreError> {
        let record = self.event_as(viewer.into(), event_id, CHANGE, "get").await?;
        let lifecycle =
            Lifecycle { status: record.status, starts_at: record.starts_at, now: Instant::from(self.store.now()) };
        check_transition(lifecycle, status, reason).map_err(StoreError::Conflict)?;
        let reason = Some(reason.trim().to_string()).filter(|r| !r.is_empty());
        if reason.as_ref().is_some_and(|r| r.chars().count() > 2000) {
            return Err(StoreError::invalid("reason", "Reason must be 2,000 characters or fewer"));
        }
        let event =
            Event::PlannedEvent(PlannedEventEvent::PlannedEventStatusChanged { id: event_id.clone(), status, reason });
        self.store.append(&Actor::new(&viewer.user_id, &viewer.organisation_id), &[(event, record.marking)]).await?;
        self.event_for(viewer, event_id).await
    }

    /// Changes an event's details. Raising the marking is always allowed;
    /// lowering it needs a reason and is refused while anything in the event
    /// (a plan item) is marked above the new marking. A new lead organisation
    /// takes ownership; the previous one keeps access through a share.
    pub async fn change_event(
        &self,
        user: &User,
        viewer: &Viewer,
        event_id: &EventId,
        change: EventChange,
    ) -> Result<EventRecord, StoreError> {
        let record = self.event_for_action(viewer, event_id, CHANGE).await?;
        self.require_team_owner(viewer, &record, "change its details").await?;
        let mut next = PlannedEvent {
            id: record.id.clone(),
            name: record.name.clone(),
            kind: record.kind,
            starts_at: record.starts_at,
            ends_at: record.ends_at,
            venues: record.venues.clone(),
            expected_attendance: record.expected_attendance,
            marking: record.marking,
            organisation_id: record.organisation_id.clone(),
        };
        if let Some(name) = change.name {
            next.name = name.trim().to_string();
        }
        if let Some(kind) = change.kind {
            next.kind =
                kind.parse().map_err(|_| StoreError::invalid("kind", "Choose the kind of event from the list"))?;
        }
        if let Some(s) = change.starts_at {
            next.starts_at = parse_instant("starts_at", &s).map_err(invalid)?;
        }
        if let Some(s) = change.ends_at {
            next.ends_at = parse_instant("ends_at", &s).map_err(invalid)?;
        }
        if let Some(venues) = change.venues {
            next.venues = venues
                .iter()
                .map(|v| Venue { name: v.name.trim().to_string(), address: v.address.trim().to_string() })
                .collect();
        }
        if let Some(n) = change.expected_attendance {
            next.expected_attendance = n;
        }
        check_event(&next.name, next.starts_at, next.ends_at, &next.venues, next.expected_attendance)
            .map_err(invalid)?;
        if let Some(m) = change.marking {
            let m: Marking = m
                .parse()
                .map_err(|_| StoreError::invalid("marking", "Choose OFFICIAL, OFFICIAL-SENSITIVE or SECRET"))?;
            marking_allowed(m, self.store.deployment()).map_err(|msg| StoreError::invalid("marking", msg))?;
            if viewer.clearance < clearance_for(m) {
                return Err(StoreError::invalid(
                    "marking",
                    format!("Your clearance ({}) does not allow marking an event {m}", viewer.clearance),
                ));
            }
            if m < record.marking {
                if change.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                    return Err(StoreError::invalid(
                        "reason",
                        format!("Say why the marking can be lowered from {} to {m}", record.marking),
                    ));
                }
                let above = self.store.plan().items_marked_above(event_id, m).await?;
                if above > 0 {
                    return Err(StoreError::invalid(
                        "marking",
                        format!(
                            "The marking cannot be lowered to {m}: {above} {} in the plan {} marked higher. \
                             Lower or remove {} first",
                            if above == 1 { "item" } else { "items" },
                            if above == 1 { "is" } else { "are" },
                            if above == 1 { "it" } else { "them" }
                        ),
                    ));
                }
            }
            next.marking = m;
        }
        let mut previous_owner = None;
        if let Some(org) = change.organisation_id {
            if org != record.organisation_id {
                if self.store.identity().organisation(&org).await?.is_none() {
                    return Err(StoreError::invalid("organisation_id", "Choose a lead organisation from the list"));
                }
                previous_owner = Some(record.organisation_id.clone());
                next.organisation_id = org;
            }
        }
        let reason = change.reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
        if reason.as_ref().is_some_and(|r| r.chars().count() > 2000) {
            return Err(StoreError::invalid("reason", "Reason must be 2,000 characters or fewer"));
        }
        let unchanged = next.name == record.name
            && next.kind == record.kind
            && next.starts_at == record.starts_at
            && next.ends_at == record.ends_at
            && next.venues == record.venues
            && next.expected_attendance == record.expected_attendance
            && next.marking == record.marking
            && next.organisation_id == record.organisation_id;
        if unchanged {
            return Ok(record);
        }
        let marking = next.marking.max(record.marking);
        let mut events =
            vec![(Event::PlannedEvent(PlannedEventEvent::PlannedEventChanged { event: next, reason }), marking)];
        if let Some(org) = previous_owner {
            if !record.shared_with.contains(&org) {
                events.push((
                    Event::Records(RecordEvent::RecordShared { record_id: event_id.into(), organisation_id: org }),
                    marking,
                ));
            }
        }
        self.store.append(&Actor::new(&user.id, &user.organisation_id), &events).await?;
        self.event_for(viewer, event_id).await
    }
}

/// A change to an event's details: the fields given change, the others stay.
#[derive(Debug, Clone, Default)]
pub struct EventChange {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub venues: Option<Vec<Venue>>,
    pub expected_attendance: Option<i64>,
    pub marking: Option<String>,
    pub organisation_id: Option<OrganisationId>,
    /// Why; required when the marking is lowered.
    pub reason: Option<String>,
}
