//! The CT protective security plan: the draft (one row per item), issued
//! versions (immutable snapshots), endorsement, readiness and copying.
//! Every path reads the event through the access policy first.

pub mod demo;
pub mod project;

use crate::events::EventRecord;
use crate::identity::User;
use crate::journal::{Actor, Expect};
use crate::sql::Val;
use crate::{Store, StoreError};
use cordon_domain::access::{marking_allowed, Action, Viewer};
use cordon_domain::event::Event;
use cordon_domain::identity::{EmailAddress, Role};
use cordon_domain::ids::{EventId, UserId};
use cordon_domain::plan::PlanEvent;
use cordon_domain::plan::{
    check_item, copy_for_new_event, coverage, readiness, risk_rows, Context, CoverageRow, Plan, PlanItem, Problem,
    RiskRow,
};
use cordon_domain::planned_event::PlannedEventEvent;
use cordon_domain::records::RecordEvent;
use cordon_domain::risk::RiskMatrix;
use cordon_domain::threat::Series;
use cordon_domain::Marking;
use serde::Serialize;
use serde_json::Value;
use std::any::Any;
use std::sync::Arc;

/// An issued version, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionSummary {
    pub number: i64,
    pub issued_at: String,
    pub issued_by: String,
    pub reason: String,
    pub hash: String,
    pub endorsement: Option<Endorsement>,
}

/// What changed between two issued versions, as the viewer may read them.
pub struct VersionDiff {
    pub event: EventRecord,
    pub changes: Vec<cordon_domain::plan::Change>,
    /// The highest marking of the two versions as the viewer has them.
    pub marking_shown: Marking,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endorsement {
    pub endorsed_by: String,
    pub endorsed_at: String,
    pub conditions: String,
}

/// The plan as its pages and API show it, for one state of the journal
/// (`stamp`). Immutable once built; renderings of it are kept in `memo`.
/// Only the store can make one (`memo` is private), and it hands them out
/// only after the read check, so holding a view shows the policy let you see it.
pub struct PlanView {
    /// The last journal entry of the streams the view is made from.
    pub stamp: i64,
    /// The last journal entry of the plan's own stream: what a change must
    /// expect (`Expect`) so that it cannot overwrite someone else's.
    pub plan_seq: i64,
    pub event: EventRecord,
    pub plan: Plan,
    pub matrix: RiskMatrix,
    pub risks: Vec<RiskRow>,
    pub problems: Vec<Problem>,
    pub coverage: Vec<CoverageRow>,
    pub versions: Vec<VersionSummary>,
    /// How many items the draft holds.
    pub item_count: usize,
    /// "Name (e-mail)" of the strategic and tactical commanders, when set.
    pub gold_label: Option<String>,
    pub silver_label: Option<String>,
    /// The appointed security coordinator (SECO), rank and name, when one stands.
    pub seco_label: Option<String>,
    /// The commanders' names by user id, as a version records them.
    pub people: std::collections::BTreeMap<String, String>,
    /// The event's team as (user id, "Name, Organisation"), by name: who an
    /// action can be assigned to.
    pub team: Vec<(UserId, String)>,
    /// When the draft last changed (the last entry of the plan's or event's stream).
    pub changed_at: Option<cordon_domain::ids::Instant>,
    /// How many items are withheld from this view (marked above what its
    /// viewer may read), and the highest marking of what it shows.
    pub withheld: usize,
    pub marking_shown: Marking,
    /// The highest marking the view was made for (SECRET for the whole plan).
    pub ceiling: Marking,
    catalogue: Vec<cordon_domain::methodology::AttackMethodology>,
    memo: std::sync::Mutex<std::collections::HashMap<String, Arc<dyn Any + Send + Sync>>>,
}

impl PlanView {
    /// The view as a viewer who may read items marked up to `ceiling` sees
    /// it: withheld items removed; readiness and coverage found on the whole
    /// plan, but never quoting a withheld item. Made once per ceiling.
    ///
    /// The view handed out always carries the viewer's ceiling, even when
    /// nothing of the draft is withheld: issued versions are redacted by it,
    /// and the forms offer markings up to it.
    pub fn for_ceiling(self: &Arc<Self>, ceiling: Marking) -> Arc<PlanView> {
        if ceiling == self.ceiling {
            return self.clone();
        }
        let key = format!("view-for:{ceiling}");
        self.memo(&key, |full| -> Result<PlanView, std::convert::Infallible> {
            let (plan, withheld) = full.plan.visible_to(full.event.marking, ceiling);
            let (risks, problems, coverage) = if withheld == 0 {
                (full.risks.clone(), full.problems.clone(), full.coverage.clone())
            } else {
                let cx = Context { matrix: &full.matrix, catalogue: &full.catalogue, plan: &plan };
                (
                    risk_rows(&plan, &cx),
                    cordon_domain::plan::problems_for(full.problems.clone(), &full.plan, &plan),
                    cordon_domain::plan::coverage_for(full.coverage.clone(), &full.plan, &plan),
                )
            };
            Ok(PlanView {
                stamp: full.stamp,
                plan_seq: full.plan_seq,
                event: full.event.clone(),
                matrix: full.matrix.clone(),
                risks,
                problems,
                coverage,
                versions: full.versions.clone(),
                item_count: plan.items().len(),
                gold_label: full.gold_label.clone(),
                silver_label: full.silver_label.clone(),
                seco_label: full.seco_label.clone(),
                people: full.people.clone(),
                team: full.team.clone(),
                changed_at: full.changed_at,
                withheld,
                marking_shown: plan.highest_marking(full.event.marking),
                ceiling,
                catalogue: full.catalogue.clone(),
                plan,
                memo: std::sync::Mutex::new(std::collections::HashMap::new()),
            })
        })
        .unwrap_or_else(|never| match never {})
    }

    fn commander_ids(&self) -> Vec<UserId> {
        self.event.gold_user_id.iter().chain(self.event.silver_user_id.iter()).cloned().collect()
    }

    /// A rendering of this view (a JSON body, a page, their compressed
    /// forms), made once and shared: the view never changes, so neither does
    /// anything rendered from it. Renderings must not depend on who asks beyond
    /// what `key` says. A failed rendering is not kept.
    pub fn memo<T: Any + Send + Sync, E>(
        &self,
        key: &str,
        render: impl FnOnce(&PlanView) -> Result<T, E>,
    ) -> Result<Arc<T>, E> {
        if let Some(kept) = self.memo.lock().expect("memo lock").get(key).cloned() {
            if let Ok(t) = kept.downcast::<T>() {
                return Ok(t);
            }
        }
        let made = Arc::new(render(self)?);
        self.memo.lock().expect("memo lock").insert(key.to_string(), made.clone());
        Ok(made)
    }
}

/// The largest attachment accepted, and the types allowed.
pub const MAX_ATTACHMENT: usize = 10 * 1024 * 1024;
pub const ATTACHMENT_TYPES: &[&str] = &["image/jpeg", "image/png", "application/pdf"];

fn t(s: &str) -> Val {
    Val::Text(s.to_string())
}

fn actor(v: &Viewer) -> Actor {
    Actor::new(&v.user_id, &v.organisation_id)
}

/// The plan capability's operations, reached as `store.plan()`.
#[derive(Clone, Copy)]
pub struct PlanStore<'a> {
    pub(crate) store: &'a Store,
}

impl Store {
    pub fn plan(&self) -> PlanStore<'_> {
        PlanStore { store: self }
    }
}

impl PlanStore<'_> {
    pub(crate) async fn context_parts(
        &self,
    ) -> Result<(cordon_domain::risk::RiskMatrix, Vec<cordon_domain::methodology::AttackMethodology>), StoreError> {
        Ok((self.store.reference().risk_matrix().await?, self.store.reference().attack_methodologies().await?))
    }

    /// The draft plan of an event the viewer may see, without the items
    /// marked above what they may read.
    pub async fn plan(&self, viewer: &Viewer, event_id: &EventId) -> Result<(EventRecord, Plan), StoreError> {
        let event = self.store.events().event_for(viewer, event_id).await?;
        let (plan, _) = self.draft(event_id).await?.visible_to(event.marking, self.ceiling(viewer, &event));
        Ok((event, plan))
    }

    /// The draft, from a cache keyed by the last journal entry of the plan's
    /// stream: any change to the plan appends to that stream, so a stale copy
    /// is never served, by this instance or after another instance's write.
    pub(crate) async fn draft(&self, event_id: &EventId) -> Result<Plan, StoreError> {
        let version = self
            .store
            .fetch_one("SELECT MAX(seq) FROM journal WHERE stream = $1", &[Val::Text(format!("plan/{event_id}"))])
            .await?
            .and_then(|r| r.opt_int(0))
            .unwrap_or(0);
        if let Some((v, plan)) = self.store.inner.plan_cache.lock().expect("cache lock").get(event_id.as_str()) {
            if *v == version {
                return Ok(plan.clone());
            }
        }
        let plan = self.load_draft(event_id).await?;
        let mut cache = self.store.inner.plan_cache.lock().expect("cache lock");
        if cache.len() > 256 {
            cache.clear();
        }
        cache.insert(event_id.to_string(), (version, plan.clone()));
        Ok(plan)
    }

    pub(crate) async fn load_draft(&self, event_id: &EventId) -> Result<Plan, StoreError> {
        let rows = self
            .store
            .fetch(
                "SELECT body, section, item_id, marking FROM plan_items WHERE event_id = $1 \
                 ORDER BY section, position, item_id",
                &[t(event_id)],
            )
            .await?;
        let items = rows
            .iter()
            .map(|r| serde_json::from_str::<PlanItem>(&r.text(0)).map_err(|e| StoreError::Integrity(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        let mut plan = Plan::from_items(items);
        for r in &rows {
            if let Some(m) = r.opt_text(3) {
                let m: Marking = m.parse().map_err(|e| StoreError::Integrity(format!("{e}")))?;
                plan.markings.insert(Plan::marking_key(&r.text(1), &r.text(2)), m);
            }
        }
        Ok(plan)
    }

    /// Everything the plan's pages and API show for an event the viewer may
    /// see: the event, the draft, risk ratings, readiness, coverage and issued
    /// versions. Computed once per state of the streams it is made from and
    /// shared between requests; the access policy and the access log apply to
    /// every call exactly as to a fresh read.
    pub async fn plan_view(&self, viewer: &Viewer, event_id: &EventId) -> Result<Arc<PlanView>, StoreError> {
        let view = self.view_at(event_id, Some(viewer)).await?;
        let ceiling = self.ceiling(viewer, &view.event);
        Ok(view.for_ceiling(ceiling))
    }

    /// The highest marking of an item of `event` that `viewer` may read:
    /// the event's own at least (they have been admitted to it), higher where
    /// their clearance, the team and the deployment allow.
    pub(crate) fn ceiling(&self, viewer: &Viewer, event: &EventRecord) -> Marking {
        self.ceiling_of(viewer, event.access())
    }

    /// As [`PlanStore::ceiling`], from the record's access facts.
    pub(crate) fn ceiling_of(&self, viewer: &Viewer, mut access: cordon_domain::access::RecordAccess) -> Marking {
        let d = self.store.deployment();
        let base = access.marking;
        [Marking::OfficialSensitive, Marking::Secret]
            .into_iter()
            .filter(|m| *m > base)
            .take_while(|m| {
                access.marking = *m;
                cordon_domain::access::can(viewer, Action::READ, &access, d).is_ok()
            })
            .last()
            .unwrap_or(base)
    }

    /// The view at the current state of its streams. With `gate`, the event
    /// passes the viewer's read check (refusal and logging) before anything is
    /// computed or returned; without, the caller has already checked it.
    pub(crate) async fn view_at(&self, event_id: &EventId, gate: Option<&Viewer>) -> Result<Arc<PlanView>, StoreError> {
        let cached = self.store.inner.plan_views.lock().expect("cache lock").get(event_id.as_str()).cloned();
        // Read the stamp before the state, so a view is never older than its
        // stamp. The commanders come from the cached view (or none): if they
        // have changed, the plan's stream has moved on and the view is rebuilt.
        let users = cached.as_ref().map(|v| v.commander_ids()).unwrap_or_default();
        let stamp = self.stamp(event_id, &users).await?;
        if let Some(view) = cached.filter(|v| v.stamp == stamp) {
            if let Some(viewer) = gate {
                self.store.records().admit(viewer.into(), Action::READ, &view.event.access(), "plan").await?;
            }
            return Ok(view);
        }
        let event = match gate {
            Some(viewer) => self.store.events().event_as(viewer.into(), event_id, Action::READ, "plan").await?,
            None => self.store.events().event_unchecked(event_id).await?,
        };
        let mut view = self.load_plan_view(event, stamp).await?;
        if view.commander_ids() != users {
            // The stamp did not cover these commanders' names: never reuse it.
            view.stamp = -1;
        }
        let view = Arc::new(view);
        let mut views = self.store.inner.plan_views.lock().expect("cache lock");
        // Bounded: the oldest entries go first.
        if views.len() >= 64 {
            let oldest: Vec<String> = {
                let mut all: Vec<(&String, i64)> = views.iter().map(|(k, v)| (k, v.stamp)).collect();
                all.sort_by_key(|(_, s)| *s);
                all.into_iter().take(16).map(|(k, _)| k.clone()).collect()
            };
            for k in oldest {
                views.remove(&k);
            }
        }
        views.insert(event_id.to_string(), view.clone());
        Ok(view)
    }

    /// The last journal entry of every stream a plan's view is made from: the
    /// plan (items, versions, endorsements, commanders), the event (record,
    /// team, shares, status), the commanders' own records (their names) and
    /// the reference data (methodologies, risk matrix) and the event's SECO
    /// deployment requests (who its SECO is). A write to any other
    /// stream leaves a cached view current.
    async fn stamp(&self, event_id: &EventId, users: &[UserId]) -> Result<i64, StoreError> {
        let mut parts = vec![
            "SELECT MAX(seq) AS s FROM journal WHERE stream = $1".to_string(),
            "SELECT MAX(seq) FROM journal WHERE stream = $2".to_string(),
            "SELECT MAX(seq) FROM journal WHERE stream >= 'methodology/' AND stream < 'methodology0'".to_string(),
            "SELECT MAX(seq) FROM journal WHERE stream >= 'reference/' AND stream < 'reference0'".to_string(),
        ];
        // The event's SECO requests (who the appointed SECO is).
        parts.push("SELECT MAX(seq) FROM seco_requests WHERE event_id = $3".to_string());
        let mut args = vec![t(&format!("plan/{event_id}")), t(&format!("event/{event_id}")), t(event_id)];
        for u in users {
            args.push(t(&format!("user/{u}")));
            parts.push(format!("SELECT MAX(seq) FROM journal WHERE stream = ${}", args.len()));
        }
        let sql = format!("SELECT MAX(s) FROM ({}) streams", parts.join(" UNION ALL "));
        Ok(self.store.fetch_one(&sql, &args).await?.and_then(|r| r.opt_int(0)).unwrap_or(0))
    }

    pub(crate) async fn load_plan_view(&self, event: EventRecord, stamp: i64) -> Result<PlanView, StoreError> {
        let plan_seq = self.store.stream_seq(&format!("plan/{}", event.id)).await?;
        let plan = self.draft(&event.id).await?;
        let (matrix, catalogue) = self.context_parts().await?;
        let cx = Context { matrix: &matrix, catalogue: &catalogue, plan: &plan };
        let risks = risk_rows(&plan, &cx);
        let problems = readiness(&plan, &cx);
        let coverage = coverage(&plan, &cx);
        let versions = self.versions_of(&event.id).await?;
        let ids: Vec<&UserId> = event.gold_user_id.iter().chain(event.silver_user_id.iter()).collect();
        let mut names = std::collections::HashMap::new();
        let mut people = std::collections::BTreeMap::new();
        for id in ids {
            if let Some(u) = self.store.identity().user(id).await? {
                names.insert(id.clone(), format!("{} ({})", u.name, u.email));
                people.insert(id.to_string(), format!("{}, {}", u.name, u.organisation_name));
            }
        }
        let label = |id: &Option<UserId>| id.as_ref().and_then(|id| names.get(id).cloned());
        let changed_at = self
            .store
            .fetch_one(
                "SELECT MAX(at) FROM journal WHERE stream = $1 OR stream = $2",
                &[t(&format!("plan/{}", event.id)), t(&format!("event/{}", event.id))],
            )
            .await?
            .and_then(|r| r.opt_text(0))
            .and_then(|at| cordon_domain::ids::Instant::parse(&at).ok());
        let team = self
            .store
            .events()
            .members_of(&event.id)
            .await?
            .into_iter()
            .map(|m| (m.user_id, format!("{}, {}", m.name, m.organisation_name)))
            .collect();
        Ok(PlanView {
            people,
            team,
            changed_at,
            stamp,
            plan_seq,
            item_count: plan.items().len(),
            withheld: 0,
            marking_shown: plan.highest_marking(event.marking),
            ceiling: Marking::Secret,
            catalogue,
            gold_label: label(&event.gold_user_id),
            silver_label: label(&event.silver_user_id),
            seco_label: self.store.seco().appointed_for_event(&event.id).await?,
            event,
            plan,
            matrix,
            risks,
            problems,
            coverage,
            versions,
            memo: std::sync::Mutex::new(std::collections::HashMap::new()),
        })
    }

    /// How many items of the draft carry a marking of their own above `m`
    /// (items without one take the event's marking, whatever it becomes).
    pub(crate) async fn items_marked_above(&self, event_id: &EventId, m: Marking) -> Result<usize, StoreError> {
        let plan = self.draft(event_id).await?;
        Ok(plan.items().iter().filter(|i| plan.marking_of(i, Marking::Official) > m).count())
    }

    pub(crate) async fn event_for_change(
        &self,
        viewer: &Viewer,
        event_id: &EventId,
    ) -> Result<EventRecord, StoreError> {
        self.store.events().event_for_action(viewer, event_id, cordon_domain::plan::CHANGE).await
    }

    /// Adds or changes an item of the draft, after checking it against the
    /// matrix, the catalogue and the plan's own items.
    pub async fn save_plan_item(
        &self,
        viewer: &Viewer,
        event_id: &EventId,
        item: PlanItem,
    ) -> Result<PlanItem, StoreError> {
        self.save_plan_item_expecting(viewer, event_id, item, None, None).await
    }

    /// As [`PlanStore::save_plan_item`], refused as stale unless the plan's
    /// stream is still at `expected` (its last sequence number when the
    /// change was prepared).
    pub async fn save_plan_item_expecting(
        &self,
        viewer: &Viewer,
        event_id: &EventId,
        mut item: PlanItem,
        marking: Option<Marking>,
        expected: Option<i64>,
    ) -> Result<PlanItem, StoreError> {
        let event = self.event_for_change(viewer, event_id).await?;
        let plan = self.draft(event_id).await?;
        let ceiling = self.ceiling(viewer, &event);
        // An item the viewer may not read is not there for them: never
        // overwritten, never confirmed.
        let existing = plan.items().into_iter().find(|i| i.section() == item.section() && i.id() == item.id());
        if let Some(e) = &existing {
            if plan.marking_of(e, event.marking) > ceiling {
                return Err(StoreError::not_found(Some("item"), format!("no {} {} in this plan", e.section(), e.id())));
            }
        }
        let (matrix, catalogue) = self.context_parts().await?;
        if let PlanItem::ThreatAssessment(ta) = &mut item {
            // The national threat level on the assessment date, from the reference data.
            if let Ok(d) = cordon_domain::reference::parse_date(&ta.date) {
                ta.national_threat_level =
                    self.store.threat().level_on(Series::National, Some(d)).await.ok().map(|l| l.level.to_string());
            }
            // An assessment's own marking is its item's marking.
            if let Some(m) = marking {
                ta.marking = ta.marking.max(m);
            }
        }
        if let PlanItem::ReconVisit(rv) = &item {
            // A visit cites only its own event's uploads; the message is the
            // same whether or not the bytes were uploaded somewhere else.
            for a in &rv.attachments {
                if self
                    .store
                    .fetch_one(
                        "SELECT 1 FROM attachment_owners WHERE record_id = $1 AND sha256 = $2",
                        &[Val::from(event_id), t(&a.sha256)],
                    )
                    .await?
                    .is_none()
                {
                    return Err(StoreError::invalid(
                        "attachments",
                        format!("attachment {} has not been uploaded to this event", a.name),
                    ));
                }
            }
        }
        check_item(&item, &Context { matrix: &matrix, catalogue: &catalogue, plan: &plan })
            .map_err(|e| StoreError::Invalid { field: e.field, message: e.message })?;
        // The item's marking: as asked; when not asked, what it had; at least the event's.
        let own = match &item {
            PlanItem::ThreatAssessment(ta) => Some(ta.marking),
            _ => marking.or_else(|| existing.as_ref().map(|e| plan.marking_of(e, event.marking))),
        };
        let item_marking = own.unwrap_or(event.marking);
        if item_marking < event.marking {
            return Err(StoreError::invalid(
                "marking",
                format!(
                    "an item cannot be marked below its event ({}); choose {} or higher",
                    event.marking, event.marking
                ),
            ));
        }
        marking_allowed(item_marking, self.store.deployment()).map_err(|m| StoreError::invalid("marking", m))?;
        if item_marking > ceiling {
            return Err(StoreError::invalid(
                "marking",
                format!("you may not mark an item {item_marking}: you could not read it yourself"),
            ));
        }
        let ev = Event::Plan(PlanEvent::PlanItemSaved {
            event_id: event_id.clone(),
            item: item.clone(),
            marking: Some(item_marking).filter(|m| *m > event.marking),
        });
        let expect = expected.map(|seq| Expect::stream(format!("plan/{event_id}"), seq));
        self.store.append_expecting(&actor(viewer), &[(ev, item_marking)], expect.as_ref()).await?;
        Ok(item)
    }

    /// Removes an item, refusing while other items link to it.
    pub async fn remove_plan_item(
        &self,
        viewer: &Viewer,
        event_id: &EventId,
        section: &str,
        item_id: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.remove_plan_item_expecting(viewer, event_id, section, item_id, reason, None).await
    }

    /// As [`PlanStore::remove_plan_item`], refused as stale unless the plan's
    /// stream is still at `expected`.
    pub async fn remove_plan_item_expecting(
        &self,
        viewer: &Viewer,
        event_id: &EventId,
        section: &str,
        item_id: &str,
        reason: &str,
        expected: Option<i64>,
    ) -> Result<(), StoreError> {
        if reason.chars().count() > 2_000 {
            return Err(StoreError::invalid("reason", "The reason must be 2,000 characters or fewer"));
        }
        let event = self.event_for_change(viewer, event_id).await?;
        let plan = self.draft(event_id).await?;
        let ceiling = self.ceiling(viewer, &event);
        let exists = plan
            .items()
            .iter()
            .any(|i| i.section() == section && i.id() == item_id && plan.marking_of(i, event.marking) <= ceiling);
        if !exists {
            return Err(StoreError::not_found(Some("item"), format!("no {section} {item_id} in this plan")));
        }
        let linked = plan.is_linked(section, item_id);
        if linked {
            let name = plan
                .items()
                .into_iter()
                .find(|i| i.section() == section && i.id() == item_id)
                .map(|i| cordon_domain::audit::section_item_name(&i))
                .unwrap_or_else(|| "This item".into());
            return Err(StoreError::Conflict(format!(
                "{name} cannot be removed while other items of the plan refer to it: change those items first"
            )));
        }
        let ev = Event::Plan(PlanEvent::PlanItemRemoved {
            event_id: event_id.clone(),
            section: section.into(),
            item_id: item_id.into(),
            reason: reason.trim().into(),
        });
        let expect = expected.map(|seq| Expect::stream(format!("plan/{event_id}"), seq));
        self.store.append_expecting(&actor(viewer), &[(ev, event.marking)], expect.as_ref()).await?;
        Ok(())
    }

    /// Changes one item as a single operation that cannot lose a concurrent
    /// change: the item is read, changed and saved expecting the plan's stream
    /// not to have moved; if it has, the whole step runs again on the new state.
    async fn update_item(
        &self,
        viewer: &Viewer,
        event_id: &EventId,
        section: &str,
        item_id: &str,
        change: impl Fn(&mut PlanItem) -> Result<(), StoreError>,
    ) -> Result<PlanItem, StoreError> {
        const ATTEMPTS: usize = 8;
        for _ in 0..ATTEMPTS {
            self.store.events().event_for_action(viewer, event_id, cordon_domain::plan::CHANGE).await?;
            let seq = self.store.stream_seq(&format!("plan/{event_id}")).await?;
            let plan = self.load_draft(event_id).await?;
            let mut item =
                plan.items().into_iter().find(|i| i.section() == section && i.id() == item_id).ok_or_else(|| {
                    StoreError::not_found(Some("item"), format!("no {section} {item_id} in this plan"))
                })?;
            change(&mut item)?;
            match self.save_plan_item_expecting(viewer, event_id, item, None, Some(seq)).await {
                Err(StoreError::Stale(_)) => continue,
                other => return other,
            }
        }
        Err(StoreError::Stale(crate::journal::STALE.into()))
    }

    /// Adds an uploaded attachment to a reconnaissance visit, keeping every
    /// attachment added at the same moment by anyone else.
    pub async fn attach_to_visit(
        &self,
        viewer: &Viewer,
        event_id: &EventId,
        visit_id: &str,
        attachment: cordon_domain::plan::Attachment,
    ) -> Result<PlanItem, StoreError> {
        self.update_item(viewer, event_id, "recon_visit", visit_id, |item| match item {
            PlanItem::ReconVisit(v) => {
                if !v.attachments.iter().any(|a| a.sha256 == attachment.sha256) {
                    v.attachments.push(attachment.clone());
                }
                Ok(())
            }
            _ => Err(StoreError::not_found(Some("item"), "no such visit")),
        })
        .await
    }

    /// Records who reviewed a tactical plan, changing nothing else of it.
    pub async fn mark_tactical_plan_reviewed(
        &self,
        viewer: &Viewer,
        event_id: &EventId,
        tactical_plan_id: &str,
        reviewer: &str,
    ) -> Result<PlanItem, StoreError> {
        self.update_item(viewer, event_id, "tactical_plan", tactical_plan_id, |item| match item {
            PlanItem::TacticalPlan(t) => {
                t.reviewed_by = reviewer.to_string();
                Ok(())
            }
            _ => Err(StoreError::not_found(Some("item"), "no such tactical plan")),
        })
        .await
    }

    /// Stores an attachment's bytes (content-addressed) after checking its type
    /// and size; returns its hash. The journal records it when a visit cites it.
    pub async fn upload_attachment(
        &self,
        viewer: &Viewer,
        event_id: &EventId,
        content_type: &str,
        data: &[u8],
    ) -> Result<(String, usize), StoreError> {
        self.event_for_change(viewer, event_id).await?;
        if data.is_empty() {
            return Err(StoreError::invalid("file", "the file is empty"));
        }
        if data.len() > MAX_ATTACHMENT {
            return Err(StoreError::invalid(
                "file",
                format!("the file is larger than {} MB", MAX_ATTACHMENT / 1024 / 1024),
            ));
        }
        let ct = content_type.split(';').next().unwrap_or("").trim().to_lowercase();
        let sniffed = match data {
            [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
            [0x89, b'P', b'N', b'G', ..] => "image/png",
            [b'%', b'P', b'D', b'F', ..] => "application/pdf",
            _ => "",
        };
        if !ATTACHMENT_TYPES.contains(&ct.as_str()) || sniffed != ct {
            return Err(StoreError::invalid("file", "attach a photograph (JPEG or PNG) or a PDF site plan"));
        }
        let hash = {
            use sha2::{Digest, Sha256};
            hex::encode(Sha256::digest(data))
        };
        self.store.fetch(
            "INSERT INTO attachments (sha256, content_type, size, data) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING",
            &[t(&hash), t(&ct), Val::Int(data.len() as i64), Val::Bytes(data.to_vec())],
        )
        .await?;
        // The upload belongs to this event's record.
        self.store
            .fetch(
                "INSERT INTO attachment_owners (record_id, sha256, uploaded_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (record_id, sha256) DO NOTHING",
                &[Val::from(event_id), t(&hash), t(&self.store.now_text())],
            )
            .await?;
        Ok((hash, data.len()))
    }

    /// An attachment uploaded to, and cited by, a plan the viewer may see:
    /// the record it belongs to is admitted through the records layer.
    pub async fn attachment(
        &self,
        viewer: &Viewer,
        event_id: &EventId,
        sha256: &str,
    ) -> Result<(String, Vec<u8>), StoreError> {
        let record = self
            .store
            .records()
            .access(&event_id.into())
            .await?
            .ok_or_else(|| StoreError::not_found(None, "no such attachment"))?;
        self.store.records().admit(viewer.into(), Action::READ, &record, "attachment").await?;
        let ceiling = self.ceiling_of(viewer, record.clone());
        let owned = self
            .store
            .fetch_one(
                "SELECT 1 FROM attachment_owners WHERE record_id = $1 AND sha256 = $2",
                &[Val::from(event_id), t(sha256)],
            )
            .await?
            .is_some();
        if !owned {
            return Err(StoreError::not_found(None, "no such attachment"));
        }
        // Cited by a visit the viewer may read.
        let (plan, _) = self.draft(event_id).await?.visible_to(record.marking, ceiling);
        let cited = plan.recon_visits.iter().flat_map(|v| v.attachments.iter()).any(|a| a.sha256 == sha256);
        if !cited {
            return Err(StoreError::not_found(None, "no such attachment"));
        }
        let r = self
            .store
            .fetch_one("SELECT content_type, data FROM attachments WHERE sha256 = $1", &[t(sha256)])
            .await?
            .ok_or_else(|| StoreError::not_found(None, "no such attachment"))?;
        Ok((r.text(0), r.bytes(1)))
    }

    /// Sets the event's strategic and tactical commanders (by e-mail). Gold must
    /// be a strategic commander; both join the event's team.
    pub async fn set_commanders(
        &self,
        viewer: &Viewer,
        event_id: &EventId,
        gold_email: Option<&EmailAddress>,
        silver_email: Option<&EmailAddress>,
    ) -> Result<EventRecord, StoreError> {
        let event = self.event_for_change(viewer, event_id).await?;
        // Naming commanders puts them on the team: only the team's owners may.
        self.store.events().require_team_owner(viewer, &event, "name its commanders").await?;
        // One message whatever the reason an address cannot be named, so the
        // form tells nobody who exists, who is disabled or who works where.
        let eligible = |u: &User, gold: bool| {
            u.active
                && (u.organisation_id == event.organisation_id || event.shared_with.contains(&u.organisation_id))
                && (!gold || u.has_role(Role::StrategicCommander))
        };
        let gold = match gold_email {
            None => None,
            Some(e) => Some(
                self.store.identity().user_by_email(e.as_str()).await?.filter(|u| eligible(u, true)).ok_or_else(|| {
                    StoreError::invalid(
                        "gold_email",
                        format!("Choose a strategic commander: {e} cannot be named Gold for this event (choose an active strategic commander whose organisation can see it)"),
                    )
                })?,
            ),
        };
        let silver = match silver_email {
            None => None,
            Some(e) => Some(
                self.store.identity().user_by_email(e.as_str()).await?.filter(|u| eligible(u, false)).ok_or_else(|| {
                    StoreError::invalid(
                        "silver_email",
                        format!("Choose a tactical commander: {e} cannot be named Silver for this event (choose an active user whose organisation can see it)"),
                    )
                })?,
            ),
        };
        let team = self.store.events().members_of(event_id).await?;
        let mut events = vec![(
            Event::PlannedEvent(PlannedEventEvent::CommandersSet {
                event_id: event_id.clone(),
                gold_user_id: gold.as_ref().map(|u| u.id.clone()),
                silver_user_id: silver.as_ref().map(|u| u.id.clone()),
            }),
            event.marking,
        )];
        for u in [&gold, &silver].into_iter().flatten() {
            if !team.iter().any(|m| m.user_id == u.id)
                && !events.iter().any(|(e, _)| matches!(e, Event::Records(RecordEvent::TeamMemberAdded { user_id, .. }) if user_id == &u.id))
            {
                events.push((
                    Event::Records(RecordEvent::TeamMemberAdded { record_id: event_id.into(), user_id: u.id.clone() }),
                    event.marking,
                ));
            }
        }
        self.store.append(&actor(viewer), &events).await?;
        self.store.events().event_for(viewer, event_id).await
    }

    /// Issues the draft as the next numbered, hashed, immutable version.
    pub async fn issue_plan(
        &self,
        user: &User,
        viewer: &Viewer,
        event_id: &EventId,
        reason: &str,
    ) -> Result<VersionSummary, StoreError> {
        let event = self.store.events().event_for_action(viewer, event_id, cordon_domain::plan::ISSUE).await?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::invalid("reason", "say why this version is being issued"));
        }
        let view = self.view_at(event_id, None).await?;
        // Whoever issues a version answers for all of it.
        if view.marking_shown > self.ceiling(viewer, &event) {
            return Err(StoreError::Forbidden(format!(
                "the draft holds items marked {} that you may not read: someone who may read all of it must issue it",
                view.marking_shown
            )));
        }
        if !view.problems.is_empty() {
            return Err(StoreError::RulesNotMet {
                code: "not_ready",
                message: format!("the plan is not ready to issue: {} problems to fix", view.problems.len()),
                problems: view.problems.clone(),
            });
        }
        let (plan, rows) = (&view.plan, &view.risks);
        let number = self
            .store
            .fetch_one("SELECT COALESCE(MAX(number), 0) FROM plan_versions WHERE event_id = $1", &[t(event_id)])
            .await?
            .map(|r| r.int(0))
            .unwrap_or(0)
            + 1;
        let (body, hash) = cordon_domain::plan::version_snapshot(
            number,
            reason,
            (&user.id, &user.name),
            event.marking,
            &cordon_domain::plan::SnapshotEvent {
                id: &event.id,
                name: &event.name,
                kind: event.kind,
                starts_at: &event.starts_at.stored(),
                ends_at: &event.ends_at.stored(),
                venues: &event.venues,
                expected_attendance: event.expected_attendance,
                organisation: &event.organisation_name,
                gold_user_id: event.gold_user_id.as_deref(),
                silver_user_id: event.silver_user_id.as_deref(),
            },
            &view.matrix,
            plan,
            rows,
            &view.people,
        );
        let ev = Event::Plan(PlanEvent::PlanIssued {
            event_id: event_id.clone(),
            number,
            reason: reason.into(),
            body,
            hash,
        });
        self.store.append(&actor(viewer), &[(ev, event.marking)]).await.map_err(|e| match e {
            StoreError::Conflict(_) => {
                StoreError::Conflict("another version was issued at the same moment; try again".into())
            }
            e => e,
        })?;
        self.versions_of(event_id)
            .await?
            .into_iter()
            .find(|v| v.number == number)
            .ok_or_else(|| StoreError::Integrity("issued version vanished".into()))
    }

    pub async fn plan_versions(&self, viewer: &Viewer, event_id: &EventId) -> Result<Vec<VersionSummary>, StoreError> {
        self.store.events().event_for(viewer, event_id).await?;
        self.versions_of(event_id).await
    }

    /// The issued versions of an event the caller has already read through the policy.
    pub(crate) async fn versions_of(&self, event_id: &EventId) -> Result<Vec<VersionSummary>, StoreError> {
        let rows = self
            .store
            .fetch(
                "SELECT v.number, v.issued_at, COALESCE(u.name, v.issued_by), v.reason, v.hash, \
                 COALESCE(eu.name, e.endorsed_by), e.endorsed_at, e.conditions \
                 FROM plan_versions v LEFT JOIN users u ON u.id = v.issued_by \
                 LEFT JOIN plan_endorsements e ON e.event_id = v.event_id AND e.number = v.number \
                 LEFT JOIN users eu ON eu.id = e.endorsed_by \
                 WHERE v.event_id = $1 ORDER BY v.number",
                &[t(event_id)],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| VersionSummary {
                number: r.int(0),
                issued_at: r.text(1),
                issued_by: r.text(2),
                reason: r.text(3),
                hash: r.text(4),
                endorsement: r.opt_text(6).map(|at| Endorsement {
                    endorsed_by: r.text(5),
                    endorsed_at: at,
                    conditions: r.text(7),
                }),
            })
            .collect())
    }

    /// One issued version exactly as issued: the canonical JSON text and its hash.
    pub async fn plan_version(
        &self,
        viewer: &Viewer,
        event_id: &EventId,
        number: i64,
    ) -> Result<(String, Option<String>), StoreError> {
        let event = self.store.events().event_for(viewer, event_id).await?;
        let (body, hash) = self.version_of(event_id, number).await?;
        redact_version(body, hash, self.ceiling(viewer, &event))
    }

    /// One issued version of the event of a view (which the policy let the
    /// caller see: views are only handed out after the read check), as the
    /// view's viewer may read it.
    pub async fn version_in(&self, view: &PlanView, number: i64) -> Result<(String, Option<String>), StoreError> {
        let (body, hash) = self.version_of(&view.event.id, number).await?;
        redact_version(body, hash, view.ceiling)
    }

    /// One issued version of an event the caller has already read through the policy.
    pub(crate) async fn version_of(&self, event_id: &EventId, number: i64) -> Result<(String, String), StoreError> {
        let r = self
            .store
            .fetch_one(
                "SELECT body, hash FROM plan_versions WHERE event_id = $1 AND number = $2",
                &[t(event_id), Val::Int(number)],
            )
            .await?
            .ok_or_else(|| StoreError::not_found(Some("number"), format!("there is no version {number}")))?;
        Ok((r.text(0), r.text(1)))
    }

    /// Field-by-field differences between two issued versions.
    pub async fn plan_diff(
        &self,
        viewer: &Viewer,
        event_id: &EventId,
        a: i64,
        b: i64,
    ) -> Result<VersionDiff, StoreError> {
        let event = self.store.events().event_for(viewer, event_id).await?;
        let ceiling = self.ceiling(viewer, &event);
        let (va, ha) = self.version_of(event_id, a).await?;
        let (vb, hb) = self.version_of(event_id, b).await?;
        let (va, _) = redact_version(va, ha, ceiling)?;
        let (vb, _) = redact_version(vb, hb, ceiling)?;
        let parse = |s: &str| serde_json::from_str::<Value>(s).map_err(|e| StoreError::Integrity(e.to_string()));
        let (mut va, mut vb) = (parse(&va)?, parse(&vb)?);
        let marking_shown = cordon_domain::plan::snapshot_marking(&va).max(cordon_domain::plan::snapshot_marking(&vb));
        // The version number, reason and issuer always differ; compare the content.
        for v in [&mut va, &mut vb] {
            if let Some(o) = v.as_object_mut() {
                for k in ["version", "reason", "issued_by"] {
                    o.remove(k);
                }
            }
        }
        Ok(VersionDiff { changes: cordon_domain::plan::diff(&va, &vb), marking_shown, event })
    }

    /// The event's strategic commander endorses an issued version.
    pub async fn endorse_plan(
        &self,
        user: &User,
        viewer: &Viewer,
        event_id: &EventId,
        number: i64,
        conditions: &str,
    ) -> Result<VersionSummary, StoreError> {
        let endorse = cordon_domain::plan::ENDORSE;
        let event = self.store.events().event_for_action(viewer, event_id, endorse).await.map_err(|e| match e {
            StoreError::Forbidden(_) => {
                StoreError::Forbidden("only the event's strategic commander (Gold) can endorse its plan".into())
            }
            e => e,
        })?;
        if event.gold_user_id.as_ref() != Some(&user.id) {
            let stream = crate::records::stream_of(&event.access());
            let denial = cordon_domain::access::Denial::NotNamedCommander;
            self.store.records().log_denial(viewer, &stream, endorse, denial).await;
            return Err(StoreError::Forbidden(
                "only the event's strategic commander (Gold) can endorse its plan".into(),
            ));
        }
        let versions = self.versions_of(event_id).await?;
        let v = versions
            .iter()
            .find(|v| v.number == number)
            .ok_or_else(|| StoreError::not_found(Some("number"), format!("there is no version {number}")))?;
        // Gold endorses what they have read: a version with parts withheld from them cannot be.
        let (body, hash) = self.version_of(event_id, number).await?;
        if redact_version(body, hash, self.ceiling(viewer, &event))?.1.is_none() {
            return Err(StoreError::Forbidden(
                "this version holds items marked above what you may read, so you cannot endorse it".into(),
            ));
        }
        if v.endorsement.is_some() {
            return Err(StoreError::Conflict(format!("version {number} is already endorsed")));
        }
        let ev = Event::Plan(PlanEvent::PlanEndorsed {
            event_id: event_id.clone(),
            number,
            conditions: conditions.trim().into(),
        });
        self.store.append(&actor(viewer), &[(ev, event.marking)]).await?;
        self.versions_of(event_id)
            .await?
            .into_iter()
            .find(|v| v.number == number)
            .ok_or_else(|| StoreError::Integrity("endorsed version vanished".into()))
    }

    /// Starts this event's plan from an earlier one the viewer may see. The
    /// target draft must be empty. Assessments and ratings are marked for review.
    pub async fn copy_plan_from(
        &self,
        viewer: &Viewer,
        event_id: &EventId,
        source_id: &EventId,
    ) -> Result<usize, StoreError> {
        let event = self.event_for_change(viewer, event_id).await?;
        if event_id == source_id {
            return Err(StoreError::invalid("source_event_id", "choose a different event to copy from"));
        }
        let (source_event, source) = self.plan(viewer, source_id).await.map_err(|e| match e {
            StoreError::NotFound { .. } => {
                StoreError::invalid("source_event_id", "no such event, or you may not see it")
            }
            e => e,
        })?;
        // Marked content never moves down (finding 1): the copy would be held
        // under this event's marking, readable by people the source excludes.
        if source_event.marking > event.marking {
            return Err(StoreError::invalid(
                "source_event_id",
                format!(
                    "{} is marked {}, above this event ({}); copy only from a plan marked {} or lower",
                    source_event.name, source_event.marking, event.marking, event.marking
                ),
            ));
        }
        if !self.draft(event_id).await?.items().is_empty() {
            return Err(StoreError::Conflict(
                "this event's plan already has content; copy only into an empty plan".into(),
            ));
        }
        // Only what the copier may read, in the source and in the target; each
        // item keeps its own marking (never below the target's).
        let ceiling = self.ceiling(viewer, &source_event).min(self.ceiling(viewer, &event));
        let (source, _) = source.visible_to(source_event.marking, ceiling);
        let copy = copy_for_new_event(&source);
        let items = copy.items();
        let n = items.len();
        let events: Vec<_> = items
            .into_iter()
            .map(|item| {
                let m = copy.marking_of(&item, source_event.marking).max(event.marking);
                let own = Some(m).filter(|m| *m > event.marking);
                (Event::Plan(PlanEvent::PlanItemSaved { event_id: event_id.clone(), item, marking: own }), m)
            })
            .collect();
        self.store.append(&actor(viewer), &events).await?;
        Ok(n)
    }
}

/// An issued version as a viewer who may read items up to `ceiling` may
/// have it: whole and byte-exact, with its hash, when they may read every
/// item; otherwise with the withheld items (and their risk rows) removed,
/// `"redacted": true`, the count of what was withheld, and no hash.
fn redact_version(body: String, hash: String, ceiling: Marking) -> Result<(String, Option<String>), StoreError> {
    // A marking above the ceiling can only be there if its name is: most
    // reads of a version need no parsing at all.
    let higher = Marking::ALL.iter().filter(|m| **m > ceiling).any(|m| body.contains(&format!("\"{m}\"")));
    if !higher {
        return Ok((body, Some(hash)));
    }
    let integrity = |e: serde_json::Error| StoreError::Integrity(e.to_string());
    let mut v: Value = serde_json::from_str(&body).map_err(integrity)?;
    let marking: Marking =
        v["marking"].as_str().unwrap_or("OFFICIAL").parse().map_err(|e| StoreError::Integrity(format!("{e}")))?;
    let plan: Plan = serde_json::from_value(v["plan"].clone()).map_err(integrity)?;
    if plan.highest_marking(marking) <= ceiling {
        return Ok((body, Some(hash)));
    }
    let (shown, withheld) = plan.visible_to(marking, ceiling);
    v["plan"] = serde_json::to_value(&shown).map_err(integrity)?;
    if let Some(rows) = v["risks"].as_array_mut() {
        rows.retain(|r| {
            let m = r["methodology"].as_str().unwrap_or_default();
            plan.assessment(m).is_none() || shown.assessment(m).is_some()
        });
        let visible: Vec<String> = shown
            .measures
            .iter()
            .map(|m| m.title.clone())
            .chain(shown.recommendations.iter().map(|r| r.text.clone()))
            .collect();
        for r in rows.iter_mut() {
            if let Some(list) = r["declined_for_resources"].as_array_mut() {
                list.retain(|x| x.as_str().is_some_and(|x| visible.iter().any(|v| v == x)));
            }
        }
    }
    v["redacted"] = Value::Bool(true);
    v["withheld"] = Value::from(withheld as u64);
    Ok((cordon_domain::plan::canonical_json(&v), None))
}
