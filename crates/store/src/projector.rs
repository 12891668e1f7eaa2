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
    Table { name: "organisations", order_by: "id" },
    Table { name: "users", order_by: "id" },
    Table { name: "api_tokens", order_by: "id" },
    Table { name: "planned_events", order_by: "id" },
    Table { name: "event_venues", order_by: "event_id, position" },
    Table { name: "team_members", order_by: "record_id, user_id" },
    Table { name: "record_shares", order_by: "record_id, organisation_id" },
    Table { name: "plan_items", order_by: "event_id, section, item_id" },
    Table { name: "plan_versions", order_by: "event_id, number" },
    Table { name: "plan_endorsements", order_by: "event_id, number" },
];

fn roles_text(roles: &[cordon_domain::identity::Role]) -> Val {
    Val::Text(roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(","))
}

const BUMP: &str = "UPDATE users SET security_version = security_version + 1, seq = $2 WHERE id = $1";

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
        Event::RiskMatrixConfigured { matrix } => vec![Stmt::new(
            "INSERT INTO risk_matrix (id, body, seq) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO UPDATE SET body = excluded.body, seq = excluded.seq",
            vec![Val::Text(serde_json::to_string(matrix).expect("matrix serialises")), seq],
        )],
        Event::DemoSeeded { note } => {
            vec![Stmt::new("INSERT INTO demo_seed (id, note, seq) VALUES (1, $1, $2)", vec![t(note), seq])]
        }
        Event::OrganisationAdded { id, name, kind } => vec![Stmt::new(
            "INSERT INTO organisations (id, name, kind, created_at, seq) VALUES ($1, $2, $3, $4, $5)",
            vec![t(id), t(name), t(kind.as_str()), t(&entry.at), seq],
        )],
        Event::UserAdded { id, email, name, organisation_id, roles, clearance } => vec![Stmt::new(
            "INSERT INTO users (id, email, name, organisation_id, roles, clearance, active, totp_enabled, \
             security_version, created_at, seq) VALUES ($1, $2, $3, $4, $5, $6, 1, 0, 1, $7, $8)",
            vec![
                t(id),
                t(email),
                t(name),
                t(organisation_id),
                roles_text(roles),
                t(clearance.as_str()),
                t(&entry.at),
                seq,
            ],
        )],
        Event::UserChanged { id, name, organisation_id, roles, clearance } => vec![Stmt::new(
            "UPDATE users SET name = $2, organisation_id = $3, roles = $4, clearance = $5, \
             security_version = security_version + 1, seq = $6 WHERE id = $1",
            vec![t(id), t(name), t(organisation_id), roles_text(roles), t(clearance.as_str()), seq],
        )],
        Event::UserDisabled { id } => vec![Stmt::new(
            "UPDATE users SET active = 0, security_version = security_version + 1, seq = $2 WHERE id = $1",
            vec![t(id), seq],
        )],
        Event::UserEnabled { id } => vec![Stmt::new(
            "UPDATE users SET active = 1, security_version = security_version + 1, seq = $2 WHERE id = $1",
            vec![t(id), seq],
        )],
        Event::PasswordChanged { user_id } => vec![Stmt::new(BUMP, vec![t(user_id), seq])],
        Event::TotpEnabled { user_id } => {
            vec![Stmt::new("UPDATE users SET totp_enabled = 1, seq = $2 WHERE id = $1", vec![t(user_id), seq])]
        }
        Event::ApiTokenIssued { id, user_id, name, token_hash, expires_at } => vec![Stmt::new(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at, revoked_at, seq) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)",
            vec![t(id), t(user_id), t(name), t(token_hash), t(&entry.at), t(expires_at), seq],
        )],
        Event::ApiTokenRevoked { id } => vec![Stmt::new(
            "UPDATE api_tokens SET revoked_at = $2, seq = $3 WHERE id = $1 AND revoked_at IS NULL",
            vec![t(id), t(&entry.at), seq],
        )],
        Event::TeamMemberAdded { record_id, user_id } => vec![Stmt::new(
            "INSERT INTO team_members (record_id, user_id, added_by, added_at, seq) VALUES ($1, $2, $3, $4, $5)",
            vec![t(record_id), t(user_id), t(&entry.actor), t(&entry.at), seq],
        )],
        Event::TeamMemberRemoved { record_id, user_id } => vec![Stmt::new(
            "DELETE FROM team_members WHERE record_id = $1 AND user_id = $2",
            vec![t(record_id), t(user_id)],
        )],
        Event::RecordShared { record_id, organisation_id } => vec![Stmt::new(
            "INSERT INTO record_shares (record_id, organisation_id, seq) VALUES ($1, $2, $3)",
            vec![t(record_id), t(organisation_id), seq],
        )],
        Event::PlannedEventCreated { event: e, created_by } => {
            let mut v = vec![Stmt::new(
                "INSERT INTO planned_events (id, name, kind, starts_at, ends_at, expected_attendance, marking, \
                 organisation_id, status, created_by, created_at, updated_at, seq) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'planning', $9, $10, $10, $11)",
                vec![
                    t(&e.id),
                    t(&e.name),
                    t(e.kind.as_str()),
                    t(&e.starts_at),
                    t(&e.ends_at),
                    Val::Int(e.expected_attendance),
                    t(e.marking.as_str()),
                    t(&e.organisation_id),
                    t(created_by),
                    t(&entry.at),
                    seq,
                ],
            )];
            for (i, venue) in e.venues.iter().enumerate() {
                v.push(Stmt::new(
                    "INSERT INTO event_venues (event_id, position, name, address) VALUES ($1, $2, $3, $4)",
                    vec![t(&e.id), Val::Int(i as i64), t(&venue.name), t(&venue.address)],
                ));
            }
            v
        }
        Event::CommandersSet { event_id, gold_user_id, silver_user_id } => vec![Stmt::new(
            "UPDATE planned_events SET gold_user_id = $2, silver_user_id = $3, updated_at = $4, seq = $5 WHERE id = $1",
            vec![t(event_id), Val::from(gold_user_id.clone()), Val::from(silver_user_id.clone()), t(&entry.at), seq],
        )],
        Event::PlanItemSaved { event_id, item } => vec![Stmt::new(
            "INSERT INTO plan_items (event_id, section, item_id, position, body, updated_by, updated_at, seq) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $4) ON CONFLICT (event_id, section, item_id) DO UPDATE SET \
             body = excluded.body, updated_by = excluded.updated_by, updated_at = excluded.updated_at, seq = excluded.seq",
            vec![
                t(event_id),
                t(item.section()),
                Val::Text(item.id()),
                seq,
                Val::Text(serde_json::to_string(item).expect("plan items serialise")),
                t(&entry.actor),
                t(&entry.at),
            ],
        )],
        Event::PlanItemRemoved { event_id, section, item_id } => vec![Stmt::new(
            "DELETE FROM plan_items WHERE event_id = $1 AND section = $2 AND item_id = $3",
            vec![t(event_id), t(section), t(item_id)],
        )],
        Event::PlanIssued { event_id, number, reason, body, hash } => vec![Stmt::new(
            "INSERT INTO plan_versions (event_id, number, issued_at, issued_by, reason, body, hash, seq) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            vec![t(event_id), Val::Int(*number), t(&entry.at), t(&entry.actor), t(reason), t(body), t(hash), seq],
        )],
        Event::PlanEndorsed { event_id, number, conditions } => vec![
            Stmt::new(
                "INSERT INTO plan_endorsements (event_id, number, endorsed_by, endorsed_at, conditions, seq) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
                vec![t(event_id), Val::Int(*number), t(&entry.actor), t(&entry.at), t(conditions), seq.clone()],
            ),
            Stmt::new(
                "UPDATE planned_events SET status = 'endorsed', updated_at = $2, seq = $3 WHERE id = $1 AND status = 'planning'",
                vec![t(event_id), t(&entry.at), seq],
            ),
        ],
        Event::PlannedEventStatusChanged { id, status } => vec![Stmt::new(
            "UPDATE planned_events SET status = $2, updated_at = $3, seq = $4 WHERE id = $1",
            vec![t(id), t(status.as_str()), t(&entry.at), seq],
        )],
    }
}
