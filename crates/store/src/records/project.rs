//! The records capability's projector: the only code that writes its state tables.

use crate::projector::{t, Table};
use crate::sql::{Stmt, Val};
use cordon_domain::ids::RecordId;
use cordon_domain::journal::Entry;
use cordon_domain::records::{RecordEvent, RecordKind};
use cordon_domain::Marking;

/// The statement that registers a new record of any kind: capabilities'
/// projectors include it with the event that creates the record, so the
/// `records` table is written only here.
pub fn register(
    id: &RecordId,
    kind: RecordKind,
    marking: Marking,
    organisation_id: &str,
    parent: Option<&RecordId>,
    entry: &Entry,
) -> Stmt {
    Stmt::new(
        "INSERT INTO records (id, kind, marking, organisation_id, parent_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        vec![
            Val::from(id),
            t(kind.as_str()),
            t(marking.as_str()),
            t(organisation_id),
            Val::from(parent.cloned()),
            t(&entry.at),
        ],
    )
}

/// The statement that records a record's new marking and owning
/// organisation (an event's details changed).
pub fn reassign(id: &RecordId, marking: Marking, organisation_id: &str) -> Stmt {
    Stmt::new(
        "UPDATE records SET marking = $2, organisation_id = $3 WHERE id = $1",
        vec![Val::from(id), t(marking.as_str()), t(organisation_id)],
    )
}

/// This capability's state tables, parents before children.
pub const TABLES: &[Table] = &[
    Table { name: "records", order_by: "id" },
    Table { name: "team_members", order_by: "record_id, user_id" },
    Table { name: "record_shares", order_by: "record_id, organisation_id" },
];

/// The statements that apply `event` (recorded as `entry`) to this capability's tables.
pub fn project(event: &RecordEvent, entry: &Entry) -> Vec<Stmt> {
    let seq = Val::Int(entry.seq);
    match event {
        RecordEvent::TeamMemberAdded { record_id, user_id } => vec![Stmt::new(
            "INSERT INTO team_members (record_id, user_id, added_by, added_at, seq) VALUES ($1, $2, $3, $4, $5)",
            vec![t(record_id), t(user_id), t(&entry.actor), t(&entry.at), seq],
        )],
        RecordEvent::TeamMemberRemoved { record_id, user_id, .. } => vec![Stmt::new(
            "DELETE FROM team_members WHERE record_id = $1 AND user_id = $2",
            vec![t(record_id), t(user_id)],
        )],
        RecordEvent::RecordShared { record_id, organisation_id } => vec![Stmt::new(
            "INSERT INTO record_shares (record_id, organisation_id, seq) VALUES ($1, $2, $3)",
            vec![t(record_id), t(organisation_id), seq],
        )],
        RecordEvent::RecordUnshared { record_id, organisation_id } => vec![Stmt::new(
            "DELETE FROM record_shares WHERE record_id = $1 AND organisation_id = $2",
            vec![t(record_id), t(organisation_id)],
        )],
    }
}
