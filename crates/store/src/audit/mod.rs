//! The audit trail of an event: every change, from the journal entries of its
//! streams (`event/{id}`: the record, status, team and shares; `plan/{id}`:
//! items, versions, endorsements and commanders), and every access, from the
//! access-log entries of `event/{id}`, each in words with names. Also the
//! records due for a retention review.
//!
//! Who may read it: an auditor of the owning organisation, by right of the
//! policy (`records.audit`: clearance for the marking, no team needed); the
//! change history (not the access log) also a security coordinator on the
//! event's team (`audit.history`). Every reading is itself logged, whatever
//! the marking. Someone who may read the event but not its trail is refused
//! (403); someone who may not see the event at all finds nothing (404).
//! Entries marked above what the reader may read are withheld and counted.

use crate::events::EventRecord;
use crate::journal::AccessEntry;
use crate::records::{stream_of, Caller};
use crate::sql::Val;
use crate::{Store, StoreError};
use cordon_domain::access::{can, clearance_for, Action, RecordAccess, Viewer, AUDIT};
use cordon_domain::audit::{self as a, Names, RetentionSchedule, HISTORY};
use cordon_domain::event::Event;
use cordon_domain::ids::{EventId, RecordId};
use cordon_domain::plan::{PlanEvent, PlanItem};
use cordon_domain::records::RecordKind;
use cordon_domain::Marking;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use time::{Date, Duration};

/// What to show of a trail: one person's entries, a date range (UK days,
/// inclusive), one kind; a page of them.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// A user id.
    pub person: Option<String>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// A journal kind (`plan_issued`) or an access kind (`read`, `denied`).
    pub kind: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// One change, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeEntry {
    /// The journal sequence number.
    pub seq: i64,
    /// When, RFC 3339 UTC.
    pub at: String,
    pub user_id: String,
    /// Who made it, by name.
    pub who: String,
    pub organisation: String,
    pub kind: String,
    pub kind_words: String,
    pub marking: String,
    /// What changed, in words.
    pub what: String,
}

/// One access to the event, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessLogEntry {
    /// The access log's sequence number.
    pub seq: i64,
    pub at: String,
    pub user_id: String,
    pub who: String,
    pub organisation: String,
    /// `read` or `denied`.
    pub kind: String,
    pub kind_words: String,
    /// What happened, in words ("Read the plan", "Refused: …").
    pub what: String,
}

/// A page of a trail, with what the filters can offer.
#[derive(Debug, Clone)]
pub struct Trail<T> {
    pub event: EventRecord,
    pub items: Vec<T>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
    /// Entries marked above what the reader may read, left out.
    pub withheld: i64,
    /// Everyone who appears in the trail, as (user id, name), by name.
    pub people: Vec<(String, String)>,
    /// The highest marking the reader may read here (the page's banner).
    pub ceiling: Marking,
}

/// A record due (or coming due) for its retention review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewDue {
    pub record_id: String,
    pub record_kind: String,
    pub name: String,
    pub marking: Marking,
    pub class: String,
    pub review_years: i32,
    /// The later of the event's end and its last change (YYYY-MM-DD).
    pub last_activity: String,
    /// When it is due for review (YYYY-MM-DD).
    pub review_due: String,
    /// Whether the date has passed.
    pub overdue: bool,
}

/// Which trail: the changes, or the access log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Which {
    Changes,
    Access,
    /// The disclosure bundle: as the access log, logged as an export.
    Disclosure,
}

/// The audit capability's operations, reached as `store.audit()`.
#[derive(Clone, Copy)]
pub struct AuditStore<'a> {
    pub(crate) store: &'a Store,
}

impl Store {
    pub fn audit(&self) -> AuditStore<'_> {
        AuditStore { store: self }
    }
}

fn t(s: &str) -> Val {
    Val::Text(s.to_string())
}

/// The first instant (UTC, as stored) of a UK day.
fn day_start(d: Date) -> String {
    let midnight = d.midnight().assume_utc();
    let t = if cordon_domain::london::is_bst(midnight) { midnight - Duration::hours(1) } else { midnight };
    crate::format_time(t)
}

/// The markings up to `ceiling`, as the ledgers store them.
fn markings_to(ceiling: Marking) -> Vec<Val> {
    [Marking::Official, Marking::OfficialSensitive, Marking::Secret]
        .into_iter()
        .filter(|m| *m <= ceiling)
        .map(|m| t(m.as_str()))
        .collect()
}

/// The highest marking `action` lets the viewer reach on this record.
fn ceiling_for(
    viewer: &Viewer,
    action: Action,
    access: &RecordAccess,
    d: cordon_domain::access::Deployment,
) -> Marking {
    let mut a = access.clone();
    [Marking::OfficialSensitive, Marking::Secret]
        .into_iter()
        .filter(|m| *m > access.marking)
        .take_while(|m| {
            a.marking = *m;
            can(viewer, action, &a, d).is_ok()
        })
        .last()
        .unwrap_or(access.marking)
}

struct Lookup {
    users: HashMap<String, String>,
    organisations: HashMap<String, String>,
    methodologies: HashMap<String, String>,
    items: HashMap<String, String>,
}

impl Names for Lookup {
    fn user(&self, id: &str) -> Option<String> {
        self.users.get(id).cloned()
    }
    fn organisation(&self, id: &str) -> Option<String> {
        self.organisations.get(id).cloned()
    }
    fn methodology(&self, id: &str) -> Option<String> {
        self.methodologies.get(id).cloned()
    }
    fn item(&self, key: &str) -> Option<String> {
        self.items.get(key).cloned()
    }
}

impl Lookup {
    fn who(&self, user: &str, organisation: &str) -> String {
        if user == "system" {
            return "Cordon (system)".into();
        }
        if organisation == "cordon" {
            return format!("{user}, at the command line");
        }
        self.users.get(user).cloned().unwrap_or_else(|| format!("unknown user ({user})"))
    }
    fn organisation_name(&self, org: &str) -> String {
        if org == "cordon" {
            return "Cordon".into();
        }
        self.organisations.get(org).cloned().unwrap_or_else(|| org.to_string())
    }
}

impl AuditStore<'_> {
    /// Admits the caller to an event's trail and answers the event's access
    /// facts and the highest marking they may read of it. Logs the reading.
    pub(crate) async fn admit(
        &self,
        caller: Caller<'_>,
        event_id: &EventId,
        which: Which,
    ) -> Result<(RecordAccess, Marking), StoreError> {
        let records = self.store.records();
        let access = records.access(&RecordId::from(event_id)).await?.filter(|a| a.kind == RecordKind::Event);
        let viewer = match caller {
            Caller::User(v) => v,
            Caller::System(actor) => {
                let access = access.ok_or_else(|| StoreError::not_found(None, "no such event"))?;
                let entry = AccessEntry {
                    stream: stream_of(&access),
                    kind: "read".into(),
                    marking: access.marking.as_str().into(),
                    payload: serde_json::json!({"via": "disclosure"}).to_string(),
                };
                self.store.log_access(actor, vec![entry]).await?;
                return Ok((access, Marking::Secret));
            }
        };
        let Some(access) = access else {
            records.log_unknown(viewer, RecordKind::Event, event_id.as_str(), AUDIT).await;
            return Err(StoreError::not_found(None, "no such event"));
        };
        let d = self.store.deployment();
        let audit = can(viewer, AUDIT, &access, d);
        let (via, ceiling) = match audit {
            Ok(()) => ("audit", ceiling_for(viewer, AUDIT, &access, d)),
            Err(_) if which == Which::Changes && can(viewer, HISTORY, &access, d).is_ok() => {
                ("history", ceiling_for(viewer, Action::READ, &access, d))
            }
            Err(denial) => {
                records.log_denial(viewer, &stream_of(&access), AUDIT, denial).await;
                if can(viewer, Action::READ, &access, d).is_ok() {
                    return Err(StoreError::Forbidden(
                        "only an auditor of the organisation that owns this event may read its audit trail \
                         (and a security coordinator on its team its change history)"
                            .into(),
                    ));
                }
                return Err(StoreError::not_found(None, "no such event"));
            }
        };
        let entry = AccessEntry {
            stream: stream_of(&access),
            kind: "read".into(),
            marking: access.marking.as_str().into(),
            payload: serde_json::json!({"via": match which {
                Which::Changes => via,
                Which::Access => "access_log",
                Which::Disclosure => "disclosure",
            }})
            .to_string(),
        };
        self.store.log_access(&caller.actor(), vec![entry]).await?;
        Ok((access, ceiling))
    }

    /// Whether the viewer may read the event's change history (for the plan
    /// page's link); decides only, logs nothing.
    pub fn may_read_changes(&self, viewer: &Viewer, event: &EventRecord) -> bool {
        let d = self.store.deployment();
        let access = event.access();
        can(viewer, AUDIT, &access, d).is_ok() || can(viewer, HISTORY, &access, d).is_ok()
    }

    /// Whether the viewer may read the event's access log and export its
    /// disclosure bundle (an auditor of the owning organisation).
    pub fn may_audit(&self, viewer: &Viewer, event: &EventRecord) -> bool {
        can(viewer, AUDIT, &event.access(), self.store.deployment()).is_ok()
    }

    async fn names(&self, users: impl IntoIterator<Item = String>) -> Result<Lookup, StoreError> {
        let ids: Vec<String> = {
            let mut v: Vec<String> = users.into_iter().filter(|u| u != "system").collect();
            v.sort();
            v.dedup();
            v
        };
        let mut lookup = Lookup {
            users: HashMap::new(),
            organisations: HashMap::new(),
            methodologies: HashMap::new(),
            items: HashMap::new(),
        };
        for chunk in ids.chunks(200) {
            let ph: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let args: Vec<Val> = chunk.iter().map(|s| t(s)).collect();
            for r in
                self.store.fetch(&format!("SELECT id, name FROM users WHERE id IN ({})", ph.join(", ")), &args).await?
            {
                lookup.users.insert(r.text(0), r.text(1));
            }
        }
        for r in self.store.fetch("SELECT id, name FROM organisations", &[]).await? {
            lookup.organisations.insert(r.text(0), r.text(1));
        }
        for m in self.store.reference().attack_methodologies().await? {
            lookup.methodologies.insert(m.id.clone(), m.name.clone());
        }
        Ok(lookup)
    }

    /// The filter's conditions after `base` (whose parameters are `args`).
    fn conditions(filter: &AuditFilter, args: &mut Vec<Val>) -> String {
        let mut sql = String::new();
        if let Some(p) = &filter.person {
            args.push(t(p));
            sql.push_str(&format!(" AND actor = ${}", args.len()));
        }
        if let Some(d) = filter.from {
            args.push(t(&day_start(d)));
            sql.push_str(&format!(" AND at >= ${}", args.len()));
        }
        if let Some(d) = filter.to {
            args.push(t(&day_start(d.next_day().unwrap_or(d))));
            sql.push_str(&format!(" AND at < ${}", args.len()));
        }
        if let Some(k) = &filter.kind {
            args.push(t(k));
            sql.push_str(&format!(" AND kind = ${}", args.len()));
        }
        sql
    }

    /// Every change to an event (newest first), as the caller may read it.
    pub async fn changes(
        &self,
        caller: Caller<'_>,
        event_id: &EventId,
        filter: &AuditFilter,
    ) -> Result<Trail<ChangeEntry>, StoreError> {
        let (_, ceiling) = self.admit(caller, event_id, Which::Changes).await?;
        let event = self.store.events().event_unchecked(event_id).await?;
        self.changes_of(event, ceiling, filter).await
    }

    pub(crate) async fn changes_of(
        &self,
        event: EventRecord,
        ceiling: Marking,
        filter: &AuditFilter,
    ) -> Result<Trail<ChangeEntry>, StoreError> {
        let event_id = &event.id;
        let plan_stream = format!("plan/{event_id}");
        let allowed = markings_to(ceiling);
        let mut args = vec![t(&format!("event/{event_id}")), t(&plan_stream)];
        let ph: Vec<String> = (0..allowed.len()).map(|i| format!("${}", 3 + i)).collect();
        args.extend(allowed.iter().cloned());
        let base = format!("FROM journal WHERE stream IN ($1, $2) AND marking IN ({})", ph.join(", "));
        let visible_args = args.clone();
        let cond = Self::conditions(filter, &mut args);
        let total =
            self.store.fetch_one(&format!("SELECT COUNT(*) {base}{cond}"), &args).await?.map(|r| r.int(0)).unwrap_or(0);
        let all = self
            .store
            .fetch_one("SELECT COUNT(*) FROM journal WHERE stream IN ($1, $2)", &visible_args[..2])
            .await?
            .map(|r| r.int(0))
            .unwrap_or(0);
        let visible = self
            .store
            .fetch_one(&format!("SELECT COUNT(*) {base}"), &visible_args)
            .await?
            .map(|r| r.int(0))
            .unwrap_or(0);
        let mut page_args = args.clone();
        page_args.push(Val::Int(filter.limit));
        page_args.push(Val::Int(filter.offset));
        let rows = self
            .store
            .fetch(
                &format!(
                    "SELECT seq, at, actor, organisation, kind, marking, payload {base}{cond} \
                     ORDER BY seq DESC LIMIT ${} OFFSET ${}",
                    page_args.len() - 1,
                    page_args.len()
                ),
                &page_args,
            )
            .await?;
        // Which saves added an item (its first save) and each item's last
        // name, from the saves the reader may read.
        let mut save_args = vec![t(&plan_stream)];
        save_args.extend(allowed.iter().cloned());
        let saves = self
            .store
            .fetch(
                &format!(
                    "SELECT seq, payload FROM journal WHERE stream = $1 AND kind = 'plan_item_saved' \
                     AND marking IN ({}) ORDER BY seq",
                    (0..allowed.len()).map(|i| format!("${}", 2 + i)).collect::<Vec<_>>().join(", ")
                ),
                &save_args,
            )
            .await?;
        let actors = self
            .store
            .fetch("SELECT DISTINCT actor, organisation FROM journal WHERE stream IN ($1, $2)", &visible_args[..2])
            .await?;
        let mut user_ids: Vec<String> = actors.iter().map(|r| r.text(0)).collect();
        let mut events = Vec::with_capacity(rows.len());
        for r in &rows {
            let e = Event::from_payload(&r.text(6))
                .map_err(|e| StoreError::Integrity(format!("journal entry {}: {e}", r.int(0))))?;
            user_ids.extend(mentioned_users(&e));
            events.push(e);
        }
        let mut lookup = self.names(user_ids.iter().cloned()).await?;
        let mut first_of: HashMap<String, i64> = HashMap::new();
        for s in &saves {
            if let Ok(Event::Plan(PlanEvent::PlanItemSaved { item, .. })) = Event::from_payload(&s.text(1)) {
                let key = cordon_domain::plan::Plan::marking_key(item.section(), &item.id());
                first_of.entry(key.clone()).or_insert(s.int(0));
                let name = a::item_name(&item, &lookup);
                lookup.items.insert(key, name);
            }
        }
        let items = rows
            .iter()
            .zip(events.iter())
            .map(|(r, e)| {
                let seq = r.int(0);
                let first = match e {
                    Event::Plan(PlanEvent::PlanItemSaved { item, .. }) => {
                        first_of.get(&item_key(item)).is_none_or(|f| *f == seq)
                    }
                    _ => false,
                };
                let kind = r.text(4);
                ChangeEntry {
                    seq,
                    at: r.text(1),
                    user_id: r.text(2),
                    who: lookup.who(&r.text(2), &r.text(3)),
                    organisation: lookup.organisation_name(&r.text(3)),
                    kind_words: a::change_kind_words(&kind),
                    kind,
                    marking: r.text(5),
                    what: a::describe(e, first, &lookup),
                }
            })
            .collect();
        let people = people_of(&actors.iter().map(|r| (r.text(0), r.text(1))).collect::<Vec<_>>(), &lookup);
        Ok(Trail {
            event,
            items,
            total,
            limit: filter.limit,
            offset: filter.offset,
            withheld: all - visible,
            people,
            ceiling,
        })
    }

    /// Every access to an event (newest first): reads and refusals. Only an
    /// auditor of the owning organisation may read it.
    pub async fn access_log(
        &self,
        caller: Caller<'_>,
        event_id: &EventId,
        filter: &AuditFilter,
    ) -> Result<Trail<AccessLogEntry>, StoreError> {
        let (_, ceiling) = self.admit(caller, event_id, Which::Access).await?;
        let event = self.store.events().event_unchecked(event_id).await?;
        self.access_of(event, ceiling, filter).await
    }

    pub(crate) async fn access_of(
        &self,
        event: EventRecord,
        ceiling: Marking,
        filter: &AuditFilter,
    ) -> Result<Trail<AccessLogEntry>, StoreError> {
        let mut args = vec![t(&format!("event/{}", event.id))];
        let cond = Self::conditions(filter, &mut args);
        let base = "FROM access_log WHERE stream = $1";
        let total =
            self.store.fetch_one(&format!("SELECT COUNT(*) {base}{cond}"), &args).await?.map(|r| r.int(0)).unwrap_or(0);
        let mut page_args = args.clone();
        page_args.push(Val::Int(filter.limit));
        page_args.push(Val::Int(filter.offset));
        let rows = self
            .store
            .fetch(
                &format!(
                    "SELECT seq, at, actor, organisation, kind, payload {base}{cond} \
                     ORDER BY seq DESC LIMIT ${} OFFSET ${}",
                    page_args.len() - 1,
                    page_args.len()
                ),
                &page_args,
            )
            .await?;
        let actors = self.store.fetch(&format!("SELECT DISTINCT actor, organisation {base}"), &args[..1]).await?;
        let actor_ids: Vec<(String, String)> = actors.iter().map(|r| (r.text(0), r.text(1))).collect();
        let lookup = self.names(actor_ids.iter().map(|(u, _)| u.clone())).await?;
        let items = rows
            .iter()
            .map(|r| {
                let kind = r.text(4);
                AccessLogEntry {
                    seq: r.int(0),
                    at: r.text(1),
                    user_id: r.text(2),
                    who: lookup.who(&r.text(2), &r.text(3)),
                    organisation: lookup.organisation_name(&r.text(3)),
                    kind_words: a::ACCESS_KINDS
                        .iter()
                        .find(|(k, _)| *k == kind)
                        .map(|(_, w)| w.to_string())
                        .unwrap_or_else(|| kind.replace('_', " ")),
                    what: a::describe_access(&kind, &r.text(5)),
                    kind,
                }
            })
            .collect();
        Ok(Trail {
            people: people_of(&actor_ids, &lookup),
            event,
            items,
            total,
            limit: filter.limit,
            offset: filter.offset,
            withheld: 0,
            ceiling,
        })
    }

    /// The retention schedule (as shipped in `reference/retention.toml`).
    pub fn retention_schedule(&self) -> Result<RetentionSchedule, StoreError> {
        RetentionSchedule::parse(cordon_domain::reference::RETENTION_TOML).map_err(StoreError::Config)
    }

    /// The records of the auditor's organisation that are due for their
    /// retention review, or will be within [`a::REVIEW_NOTICE_DAYS`], soonest
    /// first. Nothing is deleted: this is the list a person reviews.
    pub async fn due_for_review(&self, viewer: &Viewer) -> Result<Vec<ReviewDue>, StoreError> {
        self.store.records().permit(viewer.into(), AUDIT).await?;
        let schedule = self.retention_schedule()?;
        let today = self.store.today();
        let horizon = today + Duration::days(a::REVIEW_NOTICE_DAYS);
        let d = self.store.deployment();
        let mut out = Vec::new();
        let mut read = Vec::new();
        // Each kind of record: its id, name, marking and the times of its
        // activity (an event's end and the last entries of its streams).
        let kinds = [
            (
                RecordKind::Event,
                "SELECT e.id, e.name, e.marking, e.ends_at, \
                 (SELECT MAX(j.at) FROM journal j WHERE j.stream = 'event/' || e.id), \
                 (SELECT MAX(j.at) FROM journal j WHERE j.stream = 'plan/' || e.id) \
                 FROM planned_events e JOIN records r ON r.id = e.id WHERE r.organisation_id = $1",
            ),
            (
                RecordKind::Advice,
                "SELECT a.id, a.subject, a.marking, a.updated_at, \
                 (SELECT MAX(j.at) FROM journal j WHERE j.stream = 'advice/' || a.id), NULL \
                 FROM advice a JOIN records r ON r.id = a.id WHERE r.organisation_id = $1",
            ),
        ];
        for (kind, sql) in kinds {
            let class = schedule
                .class_for(kind)
                .ok_or_else(|| StoreError::Config(format!("no retention class for {}", kind.words())))?;
            let rows = self.store.fetch(sql, &[Val::from(&viewer.organisation_id)]).await?;
            for r in rows {
                let marking: Marking = r.text(2).parse().map_err(|e| StoreError::Integrity(format!("{e}")))?;
                let access = RecordAccess {
                    record_id: r.id(0)?,
                    kind,
                    marking,
                    owner_organisation_id: viewer.organisation_id.clone(),
                    shared_with: Default::default(),
                };
                if viewer.clearance < clearance_for(marking) || can(viewer, AUDIT, &access, d).is_err() {
                    continue;
                }
                let last = [r.opt_text(3), r.opt_text(4), r.opt_text(5)]
                    .into_iter()
                    .flatten()
                    .filter_map(|s| s.get(..10).and_then(|d| cordon_domain::reference::parse_date(d).ok()))
                    .max()
                    .unwrap_or(today);
                let due = a::review_due(last, class.review_years);
                if due > horizon {
                    continue;
                }
                read.push(access);
                out.push(ReviewDue {
                    record_id: r.text(0),
                    record_kind: kind.as_str().into(),
                    name: r.text(1),
                    marking,
                    class: class.class.clone(),
                    review_years: class.review_years,
                    last_activity: last.to_string(),
                    review_due: due.to_string(),
                    overdue: due <= today,
                });
            }
        }
        self.store.records().log_reads(viewer, &read, "retention").await?;
        out.sort_by(|x, y| x.review_due.cmp(&y.review_due).then_with(|| x.name.cmp(&y.name)));
        Ok(out)
    }
}

fn item_key(item: &PlanItem) -> String {
    cordon_domain::plan::Plan::marking_key(item.section(), &item.id())
}

/// The user ids an event names (team members, commanders).
fn mentioned_users(e: &Event) -> Vec<String> {
    use cordon_domain::planned_event::PlannedEventEvent as P;
    use cordon_domain::records::RecordEvent as R;
    match e {
        Event::Records(R::TeamMemberAdded { user_id, .. } | R::TeamMemberRemoved { user_id, .. }) => {
            vec![user_id.to_string()]
        }
        Event::PlannedEvent(P::CommandersSet { gold_user_id, silver_user_id, .. }) => {
            gold_user_id.iter().chain(silver_user_id.iter()).map(|u| u.to_string()).collect()
        }
        _ => Vec::new(),
    }
}

fn people_of(ids: &[(String, String)], lookup: &Lookup) -> Vec<(String, String)> {
    let mut people: BTreeMap<(String, String), ()> = BTreeMap::new();
    for (id, org) in ids {
        people.insert((lookup.who(id, org), id.clone()), ());
    }
    people.into_keys().map(|(name, id)| (id, name)).collect()
}
