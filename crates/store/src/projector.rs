//! The projector: the only code that writes state tables. It turns each journal
//! event into SQL statements, applied live in the append transaction and again
//! by `rebuild` when the journal is replayed into empty tables.

use crate::sql::{Stmt, Val};
use cordon_domain::journal::Entry;
use cordon_domain::Event;

/// A state table and the key order used to compare states.
pub struct Table {
    pub name: &'static str,
    pub order_by: &'static str,
}

/// Every state table, parents before children.
pub const TABLES: &[Table] = &[
    Table { name: "reference_loads", order_by: "name" },
    Table { name: "threat_wordings", order_by: "id" },
    Table { name: "threat_definitions", order_by: "wording, level" },
    Table { name: "response_mapping", order_by: "threat_level" },
    Table { name: "threat_series_closures", order_by: "series" },
    Table { name: "threat_level_changes", order_by: "series, effective" },
    Table { name: "attack_methodologies", order_by: "id" },
    Table { name: "risk_matrix", order_by: "id" },
    Table { name: "demo_seed", order_by: "id" },
];

fn t(s: &str) -> Val {
    Val::Text(s.to_string())
}

/// The statements that apply `event` (recorded as `entry`) to the state tables.
pub fn apply(event: &Event, entry: &Entry) -> Vec<Stmt> {
    let seq = Val::Int(entry.seq);
    match event {
        Event::ReferenceLoaded { name, digest } => vec![Stmt::new(
            "INSERT INTO reference_loads (name, digest, seq) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET digest = excluded.digest, seq = excluded.seq",
            vec![t(name), t(digest), seq],
        )],
        Event::ThreatWordingDefined { wording } => {
            let mut v = vec![Stmt::new(
                "INSERT INTO threat_wordings (id, in_force_from, source) VALUES ($1, $2, $3) \
                 ON CONFLICT (id) DO UPDATE SET in_force_from = excluded.in_force_from, source = excluded.source",
                vec![
                    t(&wording.id),
                    t(&cordon_domain::reference::format_date(wording.in_force_from)),
                    t(&wording.source),
                ],
            )];
            for (level, def) in &wording.definitions {
                v.push(Stmt::new(
                    "INSERT INTO threat_definitions (wording, level, definition) VALUES ($1, $2, $3) \
                     ON CONFLICT (wording, level) DO UPDATE SET definition = excluded.definition",
                    vec![t(&wording.id), t(level.as_str()), t(def)],
                ));
            }
            v
        }
        Event::ResponseMappingDefined { mapping } => mapping
            .rows
            .iter()
            .map(|r| {
                Stmt::new(
                    "INSERT INTO response_mapping (threat_level, response_level, description, source) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (threat_level) DO UPDATE SET \
                     response_level = excluded.response_level, description = excluded.description, \
                     source = excluded.source",
                    vec![
                        t(r.threat_level.as_str()),
                        t(r.response_level.as_str()),
                        t(&r.description),
                        t(&mapping.source),
                    ],
                )
            })
            .collect(),
        Event::ThreatLevelChanged { series, level, effective, note, source, confidence } => vec![Stmt::new(
            "INSERT INTO threat_level_changes \
             (series, effective, level, note, source, confidence, recorded_by, recorded_at, seq) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            vec![
                t(series.as_str()),
                t(effective),
                t(level.as_str()),
                t(note),
                t(source),
                t(confidence.as_str()),
                t(&entry.actor),
                t(&entry.at),
                seq,
            ],
        )],
        Event::ThreatSeriesClosed { series, effective, note, source } => vec![Stmt::new(
            "INSERT INTO threat_series_closures (series, effective, note, source, seq) VALUES ($1, $2, $3, $4, $5)",
            vec![t(series.as_str()), t(effective), t(note), t(source), seq],
        )],
        Event::AttackMethodologyDefined { methodology: m } => vec![Stmt::new(
            "INSERT INTO attack_methodologies (id, position, name, description, typical_mitigations, sources, seq) \
             VALUES ($1, (SELECT COUNT(*) FROM attack_methodologies) + 1, $2, $3, $4, $5, $6) \
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
        Event::RiskMatrixConfigured { matrix } => vec![Stmt::new(
            "INSERT INTO risk_matrix (id, body, seq) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO UPDATE SET body = excluded.body, seq = excluded.seq",
            vec![Val::Text(serde_json::to_string(matrix).expect("matrix serialises")), seq],
        )],
        Event::DemoSeeded { note } => {
            vec![Stmt::new("INSERT INTO demo_seed (id, note, seq) VALUES (1, $1, $2)", vec![t(note), seq])]
        }
    }
}
