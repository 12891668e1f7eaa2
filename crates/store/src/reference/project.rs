//! The reference capability's projector: the only code that writes its state tables.

use crate::projector::{t, Table};
use crate::sql::{Stmt, Val};
use cordon_domain::journal::Entry;
use cordon_domain::reference::ReferenceEvent;

/// This capability's state tables, parents before children.
pub const TABLES: &[Table] = &[
    Table { name: "reference_loads", order_by: "name" },
    Table { name: "attack_methodologies", order_by: "id" },
    Table { name: "risk_matrix", order_by: "id" },
];

/// The statements that apply `event` (recorded as `entry`) to this capability's tables.
pub fn project(event: &ReferenceEvent, entry: &Entry) -> Vec<Stmt> {
    let seq = Val::Int(entry.seq);
    match event {
        ReferenceEvent::ReferenceLoaded { name, digest } => vec![Stmt::new(
            "INSERT INTO reference_loads (name, digest, seq) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET digest = excluded.digest, seq = excluded.seq",
            vec![t(name), t(digest), seq],
        )],
        ReferenceEvent::AttackMethodologyDefined { methodology: m } => vec![Stmt::new(
            "INSERT INTO attack_methodologies (id, position, name, description, typical_mitigations, sources, seq) \
             VALUES ($1, $6, $2, $3, $4, $5, $6) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, \
             typical_mitigations = excluded.typical_mitigations, sources = excluded.sources, seq = excluded.seq",
            vec![
                t(&m.id),
                t(&m.name),
                t(&m.description),
                Val::Text(serde_json::to_string(&m.typical_mitigations).expect("strings serialise")),
                Val::Text(serde_json::to_string(&m.sources).expect("strings serialise")),
                seq,
            ],
        )],
        ReferenceEvent::RiskMatrixConfigured { matrix } => vec![Stmt::new(
            "INSERT INTO risk_matrix (id, body, seq) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO UPDATE SET body = excluded.body, seq = excluded.seq",
            vec![Val::Text(serde_json::to_string(matrix).expect("matrix serialises")), seq],
        )],
    }
}
