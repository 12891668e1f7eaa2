//! The SECO capability's projector: the only code that writes its state tables.

use crate::projector::{t, Table};
use crate::sql::{Stmt, Val};
use cordon_domain::journal::Entry;
use cordon_domain::seco::SecoEvent;

/// This capability's state tables, parents before children.
pub const TABLES: &[Table] = &[
    Table { name: "seco_settings", order_by: "organisation_id" },
    Table { name: "secos", order_by: "id" },
    Table { name: "seco_notes", order_by: "seq" },
    Table { name: "seco_requests", order_by: "id" },
    Table { name: "seco_request_steps", order_by: "seq" },
    Table { name: "seco_vacancies", order_by: "id" },
];

/// A step of a request: who did what, when.
fn step(id: &str, entry: &Entry) -> Stmt {
    Stmt::new(
        "INSERT INTO seco_request_steps (seq, request_id, kind, actor, at) VALUES ($1, $2, $3, $4, $5)",
        vec![Val::Int(entry.seq), t(id), t(&entry.kind), t(&entry.actor), t(&entry.at)],
    )
}

fn decided(id: &str, status: &str, seco: Option<&str>, reason: Option<&str>, entry: &Entry) -> Vec<Stmt> {
    vec![
        Stmt::new(
            "UPDATE seco_requests SET status = $2, seco_id = COALESCE($3, seco_id), decision_reason = $4, \
             decided_by = $5, decided_at = $6, updated_at = $6, seq = $7 WHERE id = $1",
            vec![
                t(id),
                t(status),
                seco.map(t).unwrap_or(Val::NullText),
                reason.map(t).unwrap_or(Val::NullText),
                t(&entry.actor),
                t(&entry.at),
                Val::Int(entry.seq),
            ],
        ),
        step(id, entry),
    ]
}

/// The statements that apply `event` (recorded as `entry`) to this capability's tables.
pub fn project(event: &SecoEvent, entry: &Entry) -> Vec<Stmt> {
    let seq = Val::Int(entry.seq);
    match event {
        SecoEvent::SecoSaved { seco } => vec![Stmt::new(
            "INSERT INTO secos (id, organisation_id, name, rank, status, user_id, body, created_at, updated_at, seq) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
             rank = excluded.rank, status = excluded.status, user_id = excluded.user_id, body = excluded.body, \
             updated_at = excluded.updated_at, seq = excluded.seq",
            vec![
                t(&seco.id),
                t(&seco.organisation_id),
                t(&seco.name),
                t(seco.rank.as_str()),
                t(seco.status.as_str()),
                seco.user_id.as_ref().map(|u| t(u)).unwrap_or(Val::NullText),
                json(seco),
                t(&entry.at),
                seq,
            ],
        )],
        SecoEvent::SecoNoteAdded { seco_id, note } => vec![Stmt::new(
            "INSERT INTO seco_notes (seq, seco_id, kind, noted_on, until_on, body, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            vec![
                seq,
                t(seco_id),
                t(note.kind.as_str()),
                t(&note.on),
                note.until.as_deref().map(t).unwrap_or(Val::NullText),
                json(note),
                t(&note.by),
                t(&entry.at),
            ],
        )],
        SecoEvent::CapacitySet { organisation_id, capacity } => vec![Stmt::new(
            "INSERT INTO seco_settings (organisation_id, national_capacity, seq) VALUES ($1, $2, $3) \
             ON CONFLICT (organisation_id) DO UPDATE SET national_capacity = excluded.national_capacity, seq = excluded.seq",
            vec![t(organisation_id), Val::Int(*capacity), seq],
        )],
        SecoEvent::CtsuConfigured { organisation_id, ctsu_organisation_id } => vec![Stmt::new(
            "INSERT INTO seco_settings (organisation_id, ctsu_organisation_id, seq) VALUES ($1, $2, $3) \
             ON CONFLICT (organisation_id) DO UPDATE SET ctsu_organisation_id = excluded.ctsu_organisation_id, \
             seq = excluded.seq",
            vec![t(organisation_id), t(ctsu_organisation_id), seq],
        )],
        SecoEvent::DeploymentRequested { request: r } => vec![
            Stmt::new(
                "INSERT INTO seco_requests (id, event_id, organisation_id, ctsu_organisation_id, gold_user_id, status, \
                 starts_at, ends_at, body, created_at, updated_at, seq) \
                 VALUES ($1, $2, $3, $4, $5, 'submitted', $6, $7, $8, $9, $9, $10)",
                vec![
                    t(&r.id),
                    t(&r.event_id),
                    t(&r.organisation_id),
                    t(&r.ctsu_organisation_id),
                    t(&r.gold_user_id),
                    t(&r.starts_at.stored()),
                    t(&r.ends_at.stored()),
                    json(r),
                    t(&entry.at),
                    seq,
                ],
            ),
            step(&r.id, entry),
        ],
        SecoEvent::DeploymentDiscussed { id, discussion } => vec![
            Stmt::new(
                "UPDATE seco_requests SET status = 'under_discussion', discussion = $2, updated_at = $3, seq = $4 \
                 WHERE id = $1",
                vec![t(id), json(discussion), t(&entry.at), seq],
            ),
            step(id, entry),
        ],
        SecoEvent::SecoAppointed { id, seco_id, justification, joined_team, shared_with } => {
            let mut s = decided(id, "appointed", Some(seco_id), None, entry);
            s.push(Stmt::new(
                "UPDATE seco_requests SET justification = $2, team_user_id = $3, shared_organisation_id = $4 \
                 WHERE id = $1",
                vec![
                    t(id),
                    justification.as_deref().map(t).unwrap_or(Val::NullText),
                    joined_team.as_ref().map(|u| t(u)).unwrap_or(Val::NullText),
                    shared_with.as_ref().map(|o| t(o)).unwrap_or(Val::NullText),
                ],
            ));
            s
        }
        SecoEvent::DeploymentDeclined { id, reason } => decided(id, "declined", None, Some(reason), entry),
        SecoEvent::DeploymentWithdrawn { id, reason } => decided(id, "withdrawn", None, Some(reason), entry),
        SecoEvent::SecoStoodDown { id, reason } => decided(id, "stood_down", None, Some(reason), entry),
        SecoEvent::VacancySaved { vacancy } => vec![Stmt::new(
            "INSERT INTO seco_vacancies (id, organisation_id, body, created_at, updated_at, seq) \
             VALUES ($1, $2, $3, $4, $4, $5) ON CONFLICT (id) DO UPDATE SET body = excluded.body, \
             updated_at = excluded.updated_at, seq = excluded.seq",
            vec![t(&vacancy.id), t(&vacancy.organisation_id), json(vacancy), t(&entry.at), seq],
        )],
    }
}

/// A value for a JSON column.
fn json<T: serde::Serialize>(v: &T) -> Val {
    Val::Text(serde_json::to_string(v).expect("seco values serialise"))
}
