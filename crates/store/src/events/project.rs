//! The events capability's projector: the only code that writes its state tables.

use crate::projector::{t, Table};
use crate::sql::{Stmt, Val};
use cordon_domain::journal::Entry;
use cordon_domain::planned_event::PlannedEventEvent;

/// This capability's state tables, parents before children.
pub const TABLES: &[Table] =
    &[Table { name: "planned_events", order_by: "id" }, Table { name: "event_venues", order_by: "event_id, position" }];

/// The statements that apply `event` (recorded as `entry`) to this capability's tables.
pub fn project(event: &PlannedEventEvent, entry: &Entry) -> Vec<Stmt> {
    let seq = Val::Int(entry.seq);
    match event {
        PlannedEventEvent::PlannedEventCreated { event: e, created_by } => {
            let mut v = vec![Stmt::new(
                "INSERT INTO planned_events (id, name, kind, starts_at, ends_at, expected_attendance, marking, \
                 organisation_id, status, created_by, created_at, updated_at, seq) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'planning', $9, $10, $10, $11)",
                vec![
                    t(&e.id),
                    t(&e.name),
                    t(e.kind.as_str()),
                    t(&e.starts_at.stored()),
                    t(&e.ends_at.stored()),
                    Val::Int(e.expected_attendance),
                    t(e.marking.as_str()),
                    t(&e.organisation_id),
                    t(created_by),
                    t(&entry.at),
                    seq,
                ],
            )];
            v.push(crate::records::project::register(
                &(&e.id).into(),
                cordon_domain::records::RecordKind::Event,
                e.marking,
                &e.organisation_id,
                None,
                entry,
            ));
            for (i, venue) in e.venues.iter().enumerate() {
                v.push(Stmt::new(
                    "INSERT INTO event_venues (event_id, position, name, address) VALUES ($1, $2, $3, $4)",
                    vec![t(&e.id), Val::Int(i as i64), t(&venue.name), t(&venue.address)],
                ));
            }
            v
        }
        PlannedEventEvent::PlannedEventChanged { event: e, .. } => {
            let mut v = vec![
                Stmt::new(
                    "UPDATE planned_events SET name = $2, kind = $3, starts_at = $4, ends_at = $5, \
                     expected_attendance = $6, marking = $7, organisation_id = $8, updated_at = $9, seq = $10 \
                     WHERE id = $1",
                    vec![
                        t(&e.id),
                        t(&e.name),
                        t(e.kind.as_str()),
                        t(&e.starts_at.stored()),
                        t(&e.ends_at.stored()),
                        Val::Int(e.expected_attendance),
                        t(e.marking.as_str()),
                        t(&e.organisation_id),
                        t(&entry.at),
                        seq,
                    ],
                ),
                crate::records::project::reassign(&(&e.id).into(), e.marking, e.organisation_id.as_str()),
                Stmt::new("DELETE FROM event_venues WHERE event_id = $1", vec![t(&e.id)]),
            ];
            for (i, venue) in e.venues.iter().enumerate() {
                v.push(Stmt::new(
                    "INSERT INTO event_venues (event_id, position, name, address) VALUES ($1, $2, $3, $4)",
                    vec![t(&e.id), Val::Int(i as i64), t(&venue.name), t(&venue.address)],
                ));
            }
            v
        }
        PlannedEventEvent::PlannedEventStatusChanged { id, status, .. } => vec![Stmt::new(
            "UPDATE planned_events SET status = $2, updated_at = $3, seq = $4 WHERE id = $1",
            vec![t(id), t(status.as_str()), t(&entry.at), seq],
        )],
        PlannedEventEvent::CommandersSet { event_id, gold_user_id, silver_user_id } => vec![Stmt::new(
            "UPDATE planned_events SET gold_user_id = $2, silver_user_id = $3, updated_at = $4, seq = $5 WHERE id = $1",
            vec![t(event_id), Val::from(gold_user_id.clone()), Val::from(silver_user_id.clone()), t(&entry.at), seq],
        )],
    }
}

/// Endorsing the latest issued version moves an event that is planning or
/// awaiting endorsement to "endorsed" (applied by the plan's projector when it
/// records an endorsement, after the endorsement's own row). An endorsement of
/// an older version leaves the event awaiting endorsement of the latest.
pub(crate) fn plan_endorsed(event_id: &str, number: i64, entry: &Entry) -> Stmt {
    Stmt::new(
        "UPDATE planned_events SET status = 'endorsed', updated_at = $2, seq = $3 WHERE id = $1 \
         AND status IN ('planning', 'awaiting_endorsement') \
         AND $4 = (SELECT MAX(number) FROM plan_versions WHERE event_id = $1)",
        vec![t(event_id), t(&entry.at), Val::Int(entry.seq), Val::Int(number)],
    )
}

/// Issuing a version of the plan leaves an event that is planning or
/// endorsed awaiting endorsement (of the new version); a live event, in
/// debrief or closed keeps its status.
pub(crate) fn plan_issued(event_id: &str, entry: &Entry) -> Stmt {
    Stmt::new(
        "UPDATE planned_events SET status = 'awaiting_endorsement', updated_at = $2, seq = $3 WHERE id = $1 \
         AND status IN ('planning', 'endorsed')",
        vec![t(event_id), t(&entry.at), Val::Int(entry.seq)],
    )
}
