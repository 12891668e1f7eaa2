//! The threat capability's projector: the only code that writes its state tables.

use crate::projector::{t, Table};
use crate::sql::{Stmt, Val};
use cordon_domain::journal::Entry;
use cordon_domain::threat::ThreatEvent;

/// This capability's state tables, parents before children.
pub const TABLES: &[Table] = &[
    Table { name: "threat_wordings", order_by: "id" },
    Table { name: "threat_definitions", order_by: "wording, level" },
    Table { name: "response_mapping", order_by: "threat_level" },
    Table { name: "threat_series_closures", order_by: "series" },
    Table { name: "threat_level_changes", order_by: "series, effective" },
];

/// The statements that apply `event` (recorded as `entry`) to this capability's tables.
pub fn project(event: &ThreatEvent, entry: &Entry) -> Vec<Stmt> {
    let seq = Val::Int(entry.seq);
    match event {
        ThreatEvent::ThreatWordingDefined { wording } => {
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
        ThreatEvent::ResponseMappingDefined { mapping } => mapping
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
        ThreatEvent::ThreatLevelChanged { series, level, effective, note, source, confidence } => vec![Stmt::new(
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
        ThreatEvent::ThreatSeriesClosed { series, effective, note, source } => vec![Stmt::new(
            "INSERT INTO threat_series_closures (series, effective, note, source, seq) VALUES ($1, $2, $3, $4, $5)",
            vec![t(series.as_str()), t(effective), t(note), t(source), seq],
        )],
    }
}
