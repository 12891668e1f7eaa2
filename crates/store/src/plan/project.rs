//! The plan capability's projector: the only code that writes its state tables.

use crate::projector::{t, Table};
use crate::sql::{Stmt, Val};
use cordon_domain::journal::Entry;
use cordon_domain::plan::PlanEvent;

/// This capability's state tables, parents before children.
pub const TABLES: &[Table] = &[
    Table { name: "plan_items", order_by: "event_id, section, item_id" },
    Table { name: "plan_versions", order_by: "event_id, number" },
    Table { name: "plan_endorsements", order_by: "event_id, number" },
];

/// The statements that apply `event` (recorded as `entry`) to this capability's tables.
pub fn project(event: &PlanEvent, entry: &Entry) -> Vec<Stmt> {
    let seq = Val::Int(entry.seq);
    match event {
        PlanEvent::PlanItemSaved { event_id, item, marking } => vec![Stmt::new(
            "INSERT INTO plan_items (event_id, section, item_id, position, body, updated_by, updated_at, seq, marking) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $4, $8) ON CONFLICT (event_id, section, item_id) DO UPDATE SET \
             body = excluded.body, updated_by = excluded.updated_by, updated_at = excluded.updated_at, \
             seq = excluded.seq, marking = excluded.marking",
            vec![
                t(event_id),
                t(item.section()),
                Val::Text(item.id()),
                seq,
                Val::Text(serde_json::to_string(item).expect("plan items serialise")),
                t(&entry.actor),
                t(&entry.at),
                Val::from(marking.map(|m| m.as_str().to_string())),
            ],
        )],
        PlanEvent::PlanItemRemoved { event_id, section, item_id, .. } => vec![Stmt::new(
            "DELETE FROM plan_items WHERE event_id = $1 AND section = $2 AND item_id = $3",
            vec![t(event_id), t(section), t(item_id)],
        )],
        PlanEvent::PlanIssued { event_id, number, reason, body, hash } => vec![
            Stmt::new(
                "INSERT INTO plan_versions (event_id, number, issued_at, issued_by, reason, body, hash, seq) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                vec![t(event_id), Val::Int(*number), t(&entry.at), t(&entry.actor), t(reason), t(body), t(hash), seq],
            ),
            crate::events::project::plan_issued(event_id, entry),
        ],
        PlanEvent::PlanEndorsed { event_id, number, conditions } => vec![
            Stmt::new(
                "INSERT INTO plan_endorsements (event_id, number, endorsed_by, endorsed_at, conditions, seq) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
                vec![t(event_id), Val::Int(*number), t(&entry.actor), t(&entry.at), t(conditions), seq.clone()],
            ),
            // The event's status is the events capability's to write.
            crate::events::project::plan_endorsed(event_id, *number, entry),
        ],
    }
}
