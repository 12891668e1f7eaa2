//! The places capability's projector: the only code that writes its state tables.

use crate::projector::{t, Table};
use crate::sql::{Stmt, Val};
use cordon_domain::journal::Entry;
use cordon_domain::places::{PlacesEvent, Region};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// This capability's state tables, parents before children.
pub const TABLES: &[Table] = &[
    Table { name: "places", order_by: "id" },
    Table { name: "advisers", order_by: "id" },
    Table { name: "allocation_runs", order_by: "id" },
    Table { name: "place_duties", order_by: "place_id, duty" },
    Table { name: "place_flags", order_by: "place_id" },
];

/// Columns bound per place in the import statement.
const COLUMNS: usize = 14;

/// Places per upsert statement. SQLite (through sqlx) looks up each bound
/// parameter's name by a linear scan, so a statement's binding costs the
/// square of its parameters: 40 rows (560 parameters) keeps that small while
/// still writing many rows a statement. The raw insert of the benchmark uses the same.
pub const ROWS_PER_STATEMENT: usize = 16;

/// The multi-row upsert for `n` places. Statements are `&'static str`, so each
/// size is made once and kept (at most [`ROWS_PER_STATEMENT`] of them).
fn upsert_sql(n: usize) -> &'static str {
    static CACHE: OnceLock<Mutex<HashMap<usize, &'static str>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
    cache.entry(n).or_insert_with(|| {
        let mut sql = String::from(
            "INSERT INTO places (id, reference, name, sector, use_kind, capacity, latitude, longitude, address, tier, \
             region, import_id, created_at, updated_at, seq) VALUES ",
        );
        for i in 0..n {
            if i > 0 {
                sql.push_str(", ");
            }
            let b = i * COLUMNS;
            sql.push('(');
            for c in 1..=13 {
                sql.push_str(&format!("${}, ", b + c));
            }
            // created_at and updated_at are the same value.
            sql.push_str(&format!("${}, ${})", b + 13, b + 14));
        }
        sql.push_str(
            " ON CONFLICT (reference) DO UPDATE SET name = excluded.name, sector = excluded.sector, \
             use_kind = excluded.use_kind, capacity = excluded.capacity, latitude = excluded.latitude, \
             longitude = excluded.longitude, address = excluded.address, tier = excluded.tier, region = excluded.region, \
             import_id = excluded.import_id, updated_at = excluded.updated_at, seq = excluded.seq",
        );
        Box::leak(sql.into_boxed_str())
    })
}

/// The statements that apply `event` (recorded as `entry`) to this capability's tables.
pub fn project(event: &PlacesEvent, entry: &Entry) -> Vec<Stmt> {
    match event {
        PlacesEvent::PlacesImported { import_id, places } => places
            .chunks(ROWS_PER_STATEMENT)
            .map(|chunk| {
                let mut args = Vec::with_capacity(chunk.len() * COLUMNS);
                for p in chunk {
                    let r = &p.row;
                    args.extend([
                        t(&p.id),
                        t(&r.reference),
                        t(&r.name),
                        t(r.sector.as_str()),
                        t(&r.use_),
                        Val::Int(i64::try_from(r.capacity).unwrap_or(i64::MAX)),
                        Val::Float(r.latitude),
                        Val::Float(r.longitude),
                        t(&r.address),
                        t(r.tier().as_str()),
                        t(Region::of(r.latitude, r.longitude).as_str()),
                        t(import_id),
                        t(&entry.at),
                        Val::Int(entry.seq),
                    ]);
                }
                Stmt::new(upsert_sql(chunk.len()), args)
            })
            .collect(),
        PlacesEvent::PlaceVisitRecorded { place_id, on, outcome } => vec![Stmt::new(
            "UPDATE places SET last_visit_on = $2, last_visit_outcome = $3, updated_at = $4, seq = $5 WHERE id = $1",
            vec![t(place_id), t(on), t(outcome.as_str()), t(&entry.at), Val::Int(entry.seq)],
        )],
        PlacesEvent::AdviserAdded { adviser: a } => vec![Stmt::new(
            "INSERT INTO advisers (id, name, kind, base_latitude, base_longitude, hours, travel_km, sectors, \
             created_at, seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            vec![
                t(&a.id),
                t(&a.name),
                t(a.kind.as_str()),
                Val::Float(a.base_latitude),
                Val::Float(a.base_longitude),
                Val::Float(a.hours),
                Val::Float(a.travel_km),
                t(&a.sectors.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")),
                t(&entry.at),
                Val::Int(entry.seq),
            ],
        )],
        PlacesEvent::PlaceDutyRecorded { place_id, duty, status } => vec![Stmt::new(
            "INSERT INTO place_duties (place_id, duty, status, recorded_by, recorded_at, seq) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (place_id, duty) DO UPDATE SET status = excluded.status, \
             recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at, seq = excluded.seq",
            vec![t(place_id), t(duty), t(status.as_str()), t(&entry.actor), t(&entry.at), Val::Int(entry.seq)],
        )],
        PlacesEvent::PlaceFlagged { place_id, reason } => vec![Stmt::new(
            "INSERT INTO place_flags (place_id, reason, flagged_by, flagged_at, seq) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (place_id) DO UPDATE SET reason = excluded.reason, flagged_by = excluded.flagged_by, \
             flagged_at = excluded.flagged_at, seq = excluded.seq",
            vec![t(place_id), t(reason), t(&entry.actor), t(&entry.at), Val::Int(entry.seq)],
        )],
        PlacesEvent::PlaceResponsibleSet { place_id, name, kind } => vec![Stmt::new(
            "UPDATE places SET responsible_name = $2, responsible_kind = $3, updated_at = $4, seq = $5 WHERE id = $1",
            vec![t(place_id), t(name), t(kind.as_str()), t(&entry.at), Val::Int(entry.seq)],
        )],
        PlacesEvent::PlaceFlagCleared { place_id, .. } => {
            vec![Stmt::new("DELETE FROM place_flags WHERE place_id = $1", vec![t(place_id)])]
        }
        PlacesEvent::AllocationRunRecorded { run: r } => vec![Stmt::new(
            "INSERT INTO allocation_runs (id, period_start, period_end, objective, upper_bound, gap, places, advisers, \
             places_allocated, seconds, national_level, instance_sha256, scored_on, created_by, created_at, seq) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            vec![
                t(&r.id),
                t(&r.period_start),
                t(&r.period_end),
                Val::Float(r.objective),
                Val::Float(r.upper_bound),
                Val::Float(r.gap),
                Val::Int(r.places as i64),
                Val::Int(r.advisers as i64),
                Val::Int(r.places_allocated as i64),
                Val::Float(r.seconds),
                t(&r.national_level),
                t(&r.instance_sha256),
                t(&r.scored_on),
                t(&entry.actor),
                t(&entry.at),
                Val::Int(entry.seq),
            ],
        )],
    }
}
