//! The policy capability's projector: the only code that writes its state table.

use crate::projector::{t, Table};
use crate::sql::{Stmt, Val};
use cordon_domain::journal::Entry;
use cordon_domain::policy::PolicyEvent;

/// This capability's state tables.
pub const TABLES: &[Table] = &[Table { name: "policies", order_by: "id" }];

/// The statements that apply `event` (recorded as `entry`) to this capability's tables.
pub fn project(event: &PolicyEvent, entry: &Entry) -> Vec<Stmt> {
    match event {
        PolicyEvent::PolicySaved { policy } => vec![Stmt::new(
            "INSERT INTO policies (id, organisation_id, reference, body, updated_at, seq) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (id) DO UPDATE SET reference = excluded.reference, body = excluded.body, \
             updated_at = excluded.updated_at, seq = excluded.seq",
            vec![
                t(&policy.id),
                t(&policy.organisation_id),
                t(&policy.reference),
                Val::Text(serde_json::to_string(policy).expect("policies serialise")),
                t(&entry.at),
                Val::Int(entry.seq),
            ],
        )],
    }
}
