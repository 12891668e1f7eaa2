//! The advice capability's projector: the only code that writes its state tables.

use crate::projector::{t, Table};
use crate::sql::{Stmt, Val};
use cordon_domain::advice::AdviceEvent;
use cordon_domain::ids::RecordId;
use cordon_domain::journal::Entry;
use cordon_domain::records::RecordKind;

/// This capability's state tables, parents before children.
pub const TABLES: &[Table] = &[
    Table { name: "advice", order_by: "id" },
    Table { name: "advice_versions", order_by: "advice_id, number" },
    Table { name: "security_considerations", order_by: "id" },
];

/// The statements that apply `event` (recorded as `entry`) to this capability's tables.
pub fn project(event: &AdviceEvent, entry: &Entry) -> Vec<Stmt> {
    let seq = Val::Int(entry.seq);
    match event {
        AdviceEvent::AdviceRecorded { advice } => vec![
            Stmt::new(
                "INSERT INTO advice (id, kind, subject, event_id, content, marking, organisation_id, created_by, \
                 created_at, updated_at, seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)",
                vec![
                    t(&advice.id),
                    t(advice.kind.as_str()),
                    t(advice.content.subject.trim()),
                    Val::from(advice.content.event_id.as_ref().map(|e| e.to_string())),
                    json(&advice.content),
                    t(advice.marking.as_str()),
                    t(&advice.organisation_id),
                    t(&advice.created_by),
                    t(&entry.at),
                    seq,
                ],
            ),
            crate::records::project::register(
                &RecordId::from(&advice.id),
                RecordKind::Advice,
                advice.marking,
                &advice.organisation_id,
                None,
                entry,
            ),
        ],
        AdviceEvent::AdviceChanged { id, content } => vec![Stmt::new(
            "UPDATE advice SET content = $2, subject = $3, event_id = $4, updated_at = $5, seq = $6 WHERE id = $1",
            vec![
                t(id),
                json(content),
                t(content.subject.trim()),
                Val::from(content.event_id.as_ref().map(|e| e.to_string())),
                t(&entry.at),
                seq,
            ],
        )],
        AdviceEvent::AdviceIssued { id, number, body, hash } => vec![Stmt::new(
            "INSERT INTO advice_versions (advice_id, number, issued_at, issued_by, body, hash, seq) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            vec![t(id), Val::Int(*number), t(&entry.at), t(&entry.actor), t(body), t(hash), seq],
        )],
        AdviceEvent::ConsiderationSaved { consideration } => vec![Stmt::new(
            "INSERT INTO security_considerations (id, position, topic, body, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (id) DO UPDATE SET topic = excluded.topic, body = excluded.body, updated_at = excluded.updated_at",
            vec![t(&consideration.id), seq, t(&consideration.topic), json(consideration), t(&entry.at)],
        )],
    }
}

/// A value for a JSON column.
fn json<T: serde::Serialize>(v: &T) -> Val {
    Val::Text(serde_json::to_string(v).expect("advice values serialise"))
}
