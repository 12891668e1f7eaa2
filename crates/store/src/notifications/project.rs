//! Notifications derived from journal entries, in the transaction that
//! appends them. They are operational rows, not a projection (no `TABLES`):
//! the projector adds these statements before each event's own, so that a
//! change can be compared with the state before it (Gold named anew, not
//! again). Ids are made from what the entry says, and every insert skips an
//! id already there, so a replay by `cordon rebuild` adds nothing twice and
//! keeps what has been read and sent.

use crate::projector::t;
use crate::sql::{Stmt, Val};
use cordon_domain::journal::Entry;
use cordon_domain::notifications::NotificationKind;
use cordon_domain::plan::{PlanEvent, PlanItem};
use cordon_domain::planned_event::PlannedEventEvent;
use cordon_domain::records::RecordEvent;
use cordon_domain::Event;

/// A short, stable fingerprint of an action's text, for its notification id.
pub(crate) fn action_key(text: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(text.trim().as_bytes())[..8])
}

/// What tells apart the items whose actions are noticed: a meeting by its id
/// (as before liaison had actions), a liaison entry as `liaison-{id}`.
pub(crate) fn action_owner_key(item: &PlanItem) -> String {
    match item {
        PlanItem::Liaison(l) => format!("liaison-{}", l.id),
        other => other.id(),
    }
}

/// One notification to one user, unless it is there already.
fn one(
    id: String,
    user: &str,
    kind: NotificationKind,
    event_id: Option<&str>,
    number: Option<i64>,
    link: String,
    entry: &Entry,
) -> Stmt {
    Stmt::new(
        "INSERT INTO notifications (id, user_id, kind, event_id, summary, link, marking, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
        vec![
            t(&id),
            t(user),
            t(kind.as_str()),
            Val::from(event_id.map(str::to_string)),
            t(&kind.summary(number)),
            t(&link),
            t(&entry.marking),
            t(&entry.at),
        ],
    )
}

/// The notifications an entry gives rise to (none for most).
pub fn derive(event: &Event, entry: &Entry) -> Vec<Stmt> {
    let seq = entry.seq;
    let actor = entry.actor.as_str();
    match event {
        Event::Records(RecordEvent::TeamMemberAdded { record_id, user_id }) if user_id.as_str() != actor => {
            // The record's kind decides where the link goes.
            let kind = NotificationKind::AddedToTeam;
            vec![Stmt::new(
                "INSERT INTO notifications (id, user_id, kind, event_id, summary, link, marking, created_at) \
                 SELECT $1, $2, $3, CASE WHEN r.kind = 'event' THEN r.id END, $4, \
                 CASE WHEN r.kind = 'advice' THEN '/advice/' || r.id ELSE '/events/' || r.id END, $5, $6 \
                 FROM records r WHERE r.id = $7 ON CONFLICT (id) DO NOTHING",
                vec![
                    t(&format!("{seq}:{}:{user_id}", kind.as_str())),
                    t(user_id),
                    t(kind.as_str()),
                    t(&kind.summary(None)),
                    t(&entry.marking),
                    t(&entry.at),
                    t(record_id),
                ],
            )]
        }
        Event::PlannedEvent(PlannedEventEvent::CommandersSet { event_id, gold_user_id, silver_user_id }) => {
            let mut out = Vec::new();
            for (who, kind, column) in [
                (gold_user_id, NotificationKind::NamedGold, "gold"),
                (silver_user_id, NotificationKind::NamedSilver, "silver"),
            ] {
                let Some(user) = who.as_ref().filter(|u| u.as_str() != actor) else { continue };
                // Only someone newly named: the event's row still holds the commanders before this entry.
                let sql = if column == "gold" {
                    "INSERT INTO notifications (id, user_id, kind, event_id, summary, link, marking, created_at) \
                     SELECT $1, $2, $3, e.id, $4, $5, $6, $7 FROM planned_events e \
                     WHERE e.id = $8 AND (e.gold_user_id IS NULL OR e.gold_user_id <> $2) ON CONFLICT (id) DO NOTHING"
                } else {
                    "INSERT INTO notifications (id, user_id, kind, event_id, summary, link, marking, created_at) \
                     SELECT $1, $2, $3, e.id, $4, $5, $6, $7 FROM planned_events e \
                     WHERE e.id = $8 AND (e.silver_user_id IS NULL OR e.silver_user_id <> $2) ON CONFLICT (id) DO NOTHING"
                };
                out.push(Stmt::new(
                    sql,
                    vec![
                        t(&format!("{seq}:{}:{user}", kind.as_str())),
                        t(user),
                        t(kind.as_str()),
                        t(&kind.summary(None)),
                        t(&format!("/events/{event_id}/plan")),
                        t(&entry.marking),
                        t(&entry.at),
                        t(event_id),
                    ],
                ));
            }
            out
        }
        Event::Plan(PlanEvent::PlanIssued { event_id, number, .. }) => {
            let kind = NotificationKind::VersionIssued;
            vec![Stmt::new(
                "INSERT INTO notifications (id, user_id, kind, event_id, summary, link, marking, created_at) \
                 SELECT $1 || e.gold_user_id, e.gold_user_id, $2, e.id, $3, $4, $5, $6 FROM planned_events e \
                 WHERE e.id = $7 AND e.gold_user_id IS NOT NULL AND e.gold_user_id <> $8 ON CONFLICT (id) DO NOTHING",
                vec![
                    t(&format!("{seq}:{}:", kind.as_str())),
                    t(kind.as_str()),
                    t(&kind.summary(Some(*number))),
                    t(&format!("/events/{event_id}/plan/versions/{number}")),
                    t(&entry.marking),
                    t(&entry.at),
                    t(event_id),
                    t(actor),
                ],
            )]
        }
        Event::Plan(PlanEvent::PlanEndorsed { event_id, number, .. }) => {
            let kind = NotificationKind::VersionEndorsed;
            vec![Stmt::new(
                "INSERT INTO notifications (id, user_id, kind, event_id, summary, link, marking, created_at) \
                 SELECT $1 || m.user_id, m.user_id, $2, m.record_id, $3, $4, $5, $6 FROM team_members m \
                 WHERE m.record_id = $7 AND m.user_id <> $8 ON CONFLICT (id) DO NOTHING",
                vec![
                    t(&format!("{seq}:{}:", kind.as_str())),
                    t(kind.as_str()),
                    t(&kind.summary(Some(*number))),
                    t(&format!("/events/{event_id}/plan/versions/{number}")),
                    t(&entry.marking),
                    t(&entry.at),
                    t(event_id),
                    t(actor),
                ],
            )]
        }
        Event::Plan(PlanEvent::PlanItemSaved {
            event_id,
            item: item @ (PlanItem::Meeting(_) | PlanItem::Liaison(_)),
            ..
        }) => {
            let item_id = item.id();
            let anchor = format!("{}-{item_id}", item.section());
            item.assigned_actions()
                .iter()
                .filter_map(|a| {
                    let user = a.owner_user_id.as_ref().filter(|u| u.as_str() != actor)?;
                    // Once per action and owner, however often the item is saved
                    // (a meeting's keys are as they were before liaison had actions).
                    let id = format!("assigned:{event_id}:{}:{}:{user}", action_owner_key(item), action_key(&a.text));
                    Some(one(
                        id,
                        user,
                        NotificationKind::ActionAssigned,
                        Some(event_id.as_str()),
                        None,
                        format!("/events/{event_id}/plan#{anchor}"),
                        entry,
                    ))
                })
                .collect()
        }
        Event::Estate(e) => crate::estate::project::derive(e, entry),
        // CRITICAL on a series that sets the estate's floor: every estates
        // manager of an organisation with sites and no open activation is
        // offered the move-to-critical plan.
        Event::Threat(cordon_domain::threat::ThreatEvent::ThreatLevelChanged {
            series: series @ (cordon_domain::threat::Series::National | cordon_domain::threat::Series::PoliceSector),
            level: cordon_domain::threat::ThreatLevel::Critical,
            ..
        }) => {
            let kind = NotificationKind::CriticalPlanOffered;
            vec![Stmt::new(
                "INSERT INTO notifications (id, user_id, kind, summary, link, marking, created_at) \
                 SELECT $1 || u.id, u.id, $2, $3, '/estate/critical', $4, $5 FROM users u \
                 WHERE u.active = 1 AND (',' || u.roles || ',') LIKE '%,estates_manager,%' \
                 AND EXISTS (SELECT 1 FROM sites s WHERE s.organisation_id = u.organisation_id) \
                 AND NOT EXISTS (SELECT 1 FROM estate_activations a \
                     WHERE a.organisation_id = u.organisation_id AND a.stood_down_at IS NULL) \
                 ON CONFLICT (id) DO NOTHING",
                vec![
                    t(&format!("{seq}:{}:{series}:", kind.as_str())),
                    t(kind.as_str()),
                    t(&kind.summary(None)),
                    t(&entry.marking),
                    t(&entry.at),
                ],
            )]
        }
        _ => Vec::new(),
    }
}
