//! Advisers and allocation runs. A run reads the register page by page into
//! compact arrays (`domain::places::allocation::Instance`: `f32`s, one 36-byte
//! id per place), scores every place, solves, writes the per-place results in
//! chunks, and records the run's figures as a journal event.

use super::PlacesStore;
use crate::journal::Actor;
use crate::records::Caller;
use crate::sql::{Row, Val};
use crate::StoreError;
use cordon_domain::event::Event;
use cordon_domain::martyns_law::{thousands, Tier};
use cordon_domain::places::allocation::{self as alloc, Instance, Solution, NONE};
use cordon_domain::places::score::{self, Breakdown, ScoreInputs, VisitOutcome};
use cordon_domain::places::{
    check_adviser, distance_km, duties_unmet, Adviser, PlacesEvent, RunSummary, Sector, MANAGE, READ,
};
use cordon_domain::threat::{Series, ThreatLevel};
use cordon_domain::Marking;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Places read per query while building a run's instance.
const READ_PAGE: i64 = 5_000;
/// Result rows per INSERT.
const WRITE_CHUNK: usize = 400;

const ADVISER_COLUMNS: &str = "id, name, kind, base_latitude, base_longitude, hours, travel_km, sectors";

fn adviser(r: &Row) -> Result<Adviser, StoreError> {
    Ok(Adviser {
        id: r.text(0),
        name: r.text(1),
        kind: cordon_domain::places::AdviserKind::parse(&r.text(2))
            .ok_or_else(|| StoreError::Integrity(format!("adviser kind {}", r.text(2))))?,
        base_latitude: r.float(3),
        base_longitude: r.float(4),
        hours: r.float(5),
        travel_km: r.float(6),
        sectors: r.text(7).split(',').filter_map(Sector::parse).collect(),
    })
}

const RUN_COLUMNS: &str = "id, period_start, period_end, objective, upper_bound, gap, places, advisers, \
     places_allocated, seconds, national_level, instance_sha256, scored_on";

fn run(r: &Row) -> RunSummary {
    RunSummary {
        id: r.text(0),
        period_start: r.text(1),
        period_end: r.text(2),
        objective: r.float(3),
        upper_bound: r.float(4),
        gap: r.float(5),
        places: r.int(6) as u64,
        advisers: r.int(7) as u64,
        places_allocated: r.int(8) as u64,
        seconds: r.float(9),
        national_level: r.text(10),
        instance_sha256: r.text(11),
        scored_on: r.text(12),
    }
}

/// Visit hours for a place, from its sector and tier (reference data).
pub fn visit_hours(sector: Sector, tier: Tier) -> f32 {
    sector.info().visit_hours(tier) as f32
}

/// What the register holds of a place that its score is made from.
#[derive(Debug, Clone, Copy)]
pub struct PlaceFacts<'a> {
    pub sector: Sector,
    pub tier: Tier,
    pub capacity: u64,
    /// The last visit's day (YYYY-MM-DD) and outcome.
    pub last_visit: Option<(&'a str, &'a str)>,
    /// A CTSA has flagged the place.
    pub flagged: bool,
    /// The duties recorded as met ([`cordon_domain::places::duty_bit`]s).
    pub duties_met: u32,
    /// Who is responsible: an organisation also designates a senior individual.
    pub responsible: cordon_domain::martyns_law::Responsible,
}

/// The responsible person's kind as the register holds it (`responsible_kind`).
pub(crate) fn responsible_of(s: &str) -> cordon_domain::martyns_law::Responsible {
    cordon_domain::martyns_law::Responsible::parse(s).unwrap_or(cordon_domain::martyns_law::Responsible::Organisation)
}

/// The score inputs of a place as the register holds it, on `today`.
pub fn inputs(p: &PlaceFacts<'_>, national_level: &'static str, today: time::Date) -> ScoreInputs {
    let last_visit = p.last_visit.and_then(|(on, o)| {
        let day = cordon_domain::reference::parse_date(on).ok()?;
        Some(((today - day).whole_days(), VisitOutcome::parse(o)?))
    });
    let (duties_unmet, duties_applicable) = duties_unmet(p.tier, p.responsible, p.duties_met);
    ScoreInputs {
        sector: p.sector,
        tier: p.tier,
        capacity: p.capacity,
        national_level,
        flagged: p.flagged,
        last_visit,
        duties_unmet,
        duties_applicable,
    }
}

fn level_str(s: &str) -> &'static str {
    ThreatLevel::ALL.iter().map(|l| l.as_str()).find(|l| *l == s).unwrap_or("SUBSTANTIAL")
}

/// One line of `/instance`'s places, written exactly as it is hashed.
fn instance_place(id: &str, score: f32, hours: f32, lat: f32, lon: f32) -> String {
    format!(r#"{{"id":"{id}","score":{score},"hours":{hours},"latitude":{lat},"longitude":{lon}}}"#)
}

fn instance_adviser(id: &str, hours: f32, km: f32, lat: f32, lon: f32) -> String {
    format!(r#"{{"id":"{id}","hours":{hours},"travel_km":{km},"latitude":{lat},"longitude":{lon}}}"#)
}

/// The id of place `i` in the run's packed ids (36 bytes each).
fn id_at(ids: &[u8], i: usize) -> &str {
    std::str::from_utf8(&ids[i * 36..(i + 1) * 36]).unwrap_or("")
}

/// A run's result for one place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceResult {
    pub place_id: String,
    pub score: f64,
    pub breakdown: Breakdown,
    pub allocated: bool,
    pub adviser_id: Option<String>,
    pub reason: String,
}

/// One visit of an adviser's schedule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Visit {
    pub place_id: String,
    pub reference: String,
    pub name: String,
    pub score: f64,
    pub hours: f64,
    pub rank: i64,
}

/// An adviser's part in a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunAdviser {
    pub adviser_id: String,
    pub name: String,
    pub hours: f64,
    pub used: f64,
    pub visits: i64,
}

impl PlacesStore<'_> {
    /// Adds an adviser to the pool.
    pub async fn add_adviser(&self, caller: Caller<'_>, actor: &Actor, mut a: Adviser) -> Result<Adviser, StoreError> {
        self.store.records().permit(caller, MANAGE).await?;
        check_adviser(&a).map_err(|p| StoreError::invalid(p.field, p.message))?;
        a.id = uuid::Uuid::now_v7().to_string();
        a.name = a.name.trim().to_string();
        a.sectors.sort();
        a.sectors.dedup();
        let n = self.store.fetch_one("SELECT COUNT(*) FROM advisers", &[]).await?.map(|r| r.int(0)).unwrap_or(0);
        if n >= i64::from(u16::MAX - 1) {
            return Err(StoreError::Conflict("the pool is full: at most 65,534 advisers".into()));
        }
        self.store
            .append(actor, &[(Event::Places(PlacesEvent::AdviserAdded { adviser: a.clone() }), Marking::Official)])
            .await?;
        Ok(a)
    }

    /// Every adviser, by name.
    pub async fn advisers(&self, caller: Caller<'_>) -> Result<Vec<Adviser>, StoreError> {
        self.store.records().permit(caller, READ).await?;
        let rows = self.store.fetch(&format!("SELECT {ADVISER_COLUMNS} FROM advisers ORDER BY name, id"), &[]).await?;
        rows.iter().map(adviser).collect()
    }

    /// Runs an allocation for a period and records it.
    pub async fn run_allocation(
        &self,
        caller: Caller<'_>,
        actor: &Actor,
        period_start: time::Date,
        period_end: time::Date,
    ) -> Result<RunSummary, StoreError> {
        self.store.records().permit(caller, MANAGE).await?;
        if period_end < period_start {
            return Err(StoreError::invalid("period_end", "The period must end on or after the day it starts"));
        }
        let started = std::time::Instant::now();
        let today = self.store.today();
        let national = match self.store.threat().level_on(Series::National, None).await {
            Ok(l) => l.level.as_str(),
            Err(crate::threat::LevelOnError::Store(e)) => return Err(e),
            Err(_) => "SUBSTANTIAL",
        };
        let advisers = {
            let rows = self.store.fetch(&format!("SELECT {ADVISER_COLUMNS} FROM advisers ORDER BY id"), &[]).await?;
            rows.iter().map(adviser).collect::<Result<Vec<_>, _>>()?
        };
        if advisers.is_empty() {
            return Err(StoreError::invalid("advisers", "Add at least one adviser before running an allocation"));
        }
        let mut inst = Instance::default();
        for a in &advisers {
            inst.push_adviser(a.hours as f32, a.travel_km as f32, a.base_latitude as f32, a.base_longitude as f32);
        }
        // The places, page by page in id order; their ids kept as 36 bytes each.
        let mut ids: Vec<u8> = Vec::new();
        let mut after = String::new();
        loop {
            let rows = self
                .store
                .fetch(
                    &format!(
                        "SELECT p.id, p.sector, p.tier, p.capacity, p.latitude, p.longitude, p.last_visit_on, \
                         p.last_visit_outcome, {}, {}, p.responsible_kind FROM places p WHERE p.id > $1 ORDER BY p.id LIMIT $2",
                        super::duties::met_bits_sql(),
                        super::duties::FLAGGED_SQL
                    ),
                    &[Val::Text(after.clone()), Val::Int(READ_PAGE)],
                )
                .await?;
            for r in &rows {
                let id = r.text(0);
                if id.len() != 36 {
                    return Err(StoreError::Integrity(format!("place id {id} is not a UUID")));
                }
                let sector = Sector::parse(&r.text(1)).ok_or_else(|| StoreError::Integrity("sector".into()))?;
                let tier = Tier::parse(&r.text(2)).ok_or_else(|| StoreError::Integrity("tier".into()))?;
                let visit = r.opt_text(6).zip(r.opt_text(7));
                let visit = visit.as_ref().map(|(a, b)| (a.as_str(), b.as_str()));
                let facts = PlaceFacts {
                    sector,
                    tier,
                    capacity: r.int(3).max(0) as u64,
                    last_visit: visit,
                    flagged: r.int(9) > 0,
                    duties_met: u32::try_from(r.int(8)).unwrap_or(0),
                    responsible: responsible_of(&r.text(10)),
                };
                let b = score::score(&inputs(&facts, national, today), score::weights());
                inst.push_place(b.score as f32, visit_hours(sector, tier), r.float(4) as f32, r.float(5) as f32);
                ids.extend_from_slice(id.as_bytes());
            }
            match rows.last() {
                Some(r) if rows.len() as i64 == READ_PAGE => after = r.text(0),
                _ => break,
            }
        }
        // The solver is CPU work: off the async threads.
        let (inst, sol) = tokio::task::spawn_blocking(move || {
            let sol = alloc::solve(&inst);
            (inst, sol)
        })
        .await
        .map_err(|e| StoreError::Integrity(format!("the solver stopped: {e}")))?;
        let n = inst.places();
        let mut rank = vec![0u32; n];
        for (r, &i) in alloc::density_order(&inst).iter().enumerate() {
            rank[i as usize] = r as u32 + 1;
        }
        let mut last_rank = vec![0u32; inst.advisers()];
        for (i, &a) in sol.adviser.iter().enumerate() {
            if a != NONE {
                last_rank[a as usize] = last_rank[a as usize].max(rank[i]);
            }
        }
        // The instance's hash, over exactly the bytes `/instance` serves.
        let mut hash = Sha256::new();
        hash.update(br#"{"places":["#);
        for i in 0..n {
            if i > 0 {
                hash.update(b",");
            }
            hash.update(
                instance_place(id_at(&ids, i), inst.score[i], inst.hours[i], inst.lat[i], inst.lon[i]).as_bytes(),
            );
        }
        hash.update(br#"],"advisers":["#);
        for (j, a) in advisers.iter().enumerate() {
            if j > 0 {
                hash.update(b",");
            }
            hash.update(
                instance_adviser(
                    &a.id,
                    inst.adviser_hours[j],
                    inst.adviser_km[j],
                    inst.adviser_lat[j],
                    inst.adviser_lon[j],
                )
                .as_bytes(),
            );
        }
        hash.update(b"]}");
        let run_id = uuid::Uuid::now_v7().to_string();
        self.write_results(&run_id, &inst, &sol, &advisers, &rank, &last_rank, &ids).await?;
        let summary = RunSummary {
            id: run_id.clone(),
            period_start: cordon_domain::reference::format_date(period_start),
            period_end: cordon_domain::reference::format_date(period_end),
            objective: sol.objective,
            upper_bound: sol.upper_bound,
            gap: sol.gap(),
            places: n as u64,
            advisers: advisers.len() as u64,
            places_allocated: sol.allocated() as u64,
            seconds: started.elapsed().as_secs_f64(),
            national_level: national.to_string(),
            scored_on: cordon_domain::reference::format_date(today),
            instance_sha256: hex::encode(hash.finalize()),
        };
        let appended = self
            .store
            .append(
                actor,
                &[(Event::Places(PlacesEvent::AllocationRunRecorded { run: summary.clone() }), Marking::Official)],
            )
            .await;
        if let Err(e) = appended {
            // The results of a run that was not recorded are removed.
            let mut tx = self.store.begin().await?;
            for t in ["allocation_results", "allocation_run_advisers"] {
                tx.exec(&format!("DELETE FROM {t} WHERE run_id = $1"), &[Val::Text(run_id.clone())]).await?;
            }
            tx.commit().await?;
            return Err(e);
        }
        Ok(summary)
    }

    #[allow(clippy::too_many_arguments)]
    async fn write_results(
        &self,
        run_id: &str,
        inst: &Instance,
        sol: &Solution,
        advisers: &[Adviser],
        rank: &[u32],
        last_rank: &[u32],
        ids: &[u8],
    ) -> Result<(), StoreError> {
        let mut tx = self.store.begin().await?;
        for (j, a) in advisers.iter().enumerate() {
            tx.exec(
                "INSERT INTO allocation_run_advisers (run_id, idx, adviser_id, hours, travel_km, latitude, longitude, \
                 used, last_rank) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[
                    Val::Text(run_id.into()),
                    Val::Int(j as i64),
                    Val::Text(a.id.clone()),
                    Val::Float(f64::from(inst.adviser_hours[j])),
                    Val::Float(f64::from(inst.adviser_km[j])),
                    Val::Float(f64::from(inst.adviser_lat[j])),
                    Val::Float(f64::from(inst.adviser_lon[j])),
                    Val::Float(sol.used[j]),
                    Val::Int(i64::from(last_rank[j])),
                ],
            )
            .await?;
        }
        let n = inst.places();
        let mut i = 0;
        let mut sql = String::new();
        let mut args = Vec::with_capacity(WRITE_CHUNK * 9);
        while i < n {
            let end = (i + WRITE_CHUNK).min(n);
            sql.clear();
            args.clear();
            sql.push_str(
                "INSERT INTO allocation_results (run_id, idx, place_id, score, hours, latitude, longitude, place_rank, \
                 adviser_idx) VALUES ",
            );
            for (k, p) in (i..end).enumerate() {
                let b = k * 8 + 1;
                if k > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!(
                    "($1, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7,
                    b + 8
                ));
                if k == 0 {
                    args.push(Val::Text(run_id.into()));
                }
                let a = sol.adviser[p];
                args.extend([
                    Val::Int(p as i64),
                    Val::Text(id_at(ids, p).into()),
                    Val::Float(f64::from(inst.score[p])),
                    Val::Float(f64::from(inst.hours[p])),
                    Val::Float(f64::from(inst.lat[p])),
                    Val::Float(f64::from(inst.lon[p])),
                    Val::Int(i64::from(rank[p])),
                    Val::Int(if a == NONE { -1 } else { i64::from(a) }),
                ]);
            }
            tx.exec(&sql, &args).await?;
            i = end;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The runs, newest first.
    pub async fn runs(
        &self,
        caller: Caller<'_>,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<RunSummary>, i64), StoreError> {
        self.store.records().permit(caller, READ).await?;
        let total =
            self.store.fetch_one("SELECT COUNT(*) FROM allocation_runs", &[]).await?.map(|r| r.int(0)).unwrap_or(0);
        let rows = self
            .store
            .fetch(
                &format!("SELECT {RUN_COLUMNS} FROM allocation_runs ORDER BY id DESC LIMIT $1 OFFSET $2"),
                &[Val::Int(limit), Val::Int(offset)],
            )
            .await?;
        Ok((rows.iter().map(run).collect(), total))
    }

    /// One run.
    pub async fn run(&self, caller: Caller<'_>, id: &str) -> Result<RunSummary, StoreError> {
        self.store.records().permit(caller, READ).await?;
        let row = self
            .store
            .fetch_one(&format!("SELECT {RUN_COLUMNS} FROM allocation_runs WHERE id = $1"), &[Val::Text(id.into())])
            .await?
            .ok_or_else(|| StoreError::NotFound { field: None, message: "there is no such allocation run".into() })?;
        Ok(run(&row))
    }

    /// A page of a run's assignments `(place_id, adviser_id)`, by rank, and how many.
    pub async fn assignments(
        &self,
        caller: Caller<'_>,
        id: &str,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<(String, String)>, i64), StoreError> {
        let r = self.run(caller, id).await?;
        let rows = self
            .store
            .fetch(
                "SELECT r.place_id, a.adviser_id FROM allocation_results r JOIN allocation_run_advisers a \
                 ON a.run_id = r.run_id AND a.idx = r.adviser_idx WHERE r.run_id = $1 AND r.adviser_idx >= 0 \
                 ORDER BY r.place_rank LIMIT $2 OFFSET $3",
                &[Val::Text(id.into()), Val::Int(limit), Val::Int(offset)],
            )
            .await?;
        Ok((rows.iter().map(|r| (r.text(0), r.text(1))).collect(), r.places_allocated as i64))
    }

    /// The advisers of a run, with their hours used and visits.
    pub async fn run_advisers(&self, caller: Caller<'_>, id: &str) -> Result<Vec<RunAdviser>, StoreError> {
        self.run(caller, id).await?;
        let rows = self
            .store
            .fetch(
                "SELECT a.adviser_id, COALESCE(d.name, a.adviser_id), a.hours, a.used, \
                 (SELECT COUNT(*) FROM allocation_results r WHERE r.run_id = a.run_id AND r.adviser_idx = a.idx) \
                 FROM allocation_run_advisers a LEFT JOIN advisers d ON d.id = a.adviser_id \
                 WHERE a.run_id = $1 ORDER BY 2, a.idx",
                &[Val::Text(id.into())],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| RunAdviser {
                adviser_id: r.text(0),
                name: r.text(1),
                hours: r.float(2),
                used: r.float(3),
                visits: r.int(4),
            })
            .collect())
    }

    /// An adviser's schedule in a run (visits by rank), paginated.
    pub async fn schedule(
        &self,
        caller: Caller<'_>,
        id: &str,
        adviser_id: &str,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Visit>, i64), StoreError> {
        self.run(caller, id).await?;
        let idx = self
            .store
            .fetch_one(
                "SELECT idx FROM allocation_run_advisers WHERE run_id = $1 AND adviser_id = $2",
                &[Val::Text(id.into()), Val::Text(adviser_id.into())],
            )
            .await?
            .ok_or_else(|| StoreError::NotFound { field: None, message: "that adviser is not in this run".into() })?
            .int(0);
        let args = [Val::Text(id.into()), Val::Int(idx)];
        let total = self
            .store
            .fetch_one("SELECT COUNT(*) FROM allocation_results WHERE run_id = $1 AND adviser_idx = $2", &args)
            .await?
            .map(|r| r.int(0))
            .unwrap_or(0);
        let rows = self
            .store
            .fetch(
                "SELECT r.place_id, COALESCE(p.reference, ''), COALESCE(p.name, 'A place since removed'), r.score, \
                 r.hours, r.place_rank FROM allocation_results r LEFT JOIN places p ON p.id = r.place_id \
                 WHERE r.run_id = $1 AND r.adviser_idx = $2 ORDER BY r.place_rank LIMIT $3 OFFSET $4",
                &[args[0].clone(), args[1].clone(), Val::Int(limit), Val::Int(offset)],
            )
            .await?;
        Ok((
            rows.iter()
                .map(|r| Visit {
                    place_id: r.text(0),
                    reference: r.text(1),
                    name: r.text(2),
                    score: r.float(3),
                    hours: r.float(4),
                    rank: r.int(5),
                })
                .collect(),
            total,
        ))
    }

    /// Why a place was or was not allocated in a run, in words.
    pub async fn place_result(&self, caller: Caller<'_>, id: &str, place_id: &str) -> Result<PlaceResult, StoreError> {
        let run = self.run(caller, id).await?;
        let row = self
            .store
            .fetch_one(
                "SELECT score, hours, latitude, longitude, place_rank, adviser_idx FROM allocation_results \
                 WHERE run_id = $1 AND place_id = $2",
                &[Val::Text(id.into()), Val::Text(place_id.into())],
            )
            .await?
            .ok_or_else(|| StoreError::NotFound { field: None, message: "that place was not in this run".into() })?;
        let (score_v, hours, lat, lon, rank, adviser_idx) =
            (row.float(0), row.float(1), row.float(2), row.float(3), row.int(4), row.int(5));
        let advisers = self
            .store
            .fetch(
                "SELECT a.idx, a.adviser_id, COALESCE(d.name, a.adviser_id), a.hours, a.travel_km, a.latitude, \
                 a.longitude, a.used, a.last_rank FROM allocation_run_advisers a LEFT JOIN advisers d \
                 ON d.id = a.adviser_id WHERE a.run_id = $1 ORDER BY a.idx",
                &[Val::Text(id.into())],
            )
            .await?;
        let place = self
            .store
            .fetch_one(
                &format!(
                    "SELECT p.sector, p.tier, p.capacity, p.last_visit_on, p.last_visit_outcome, {}, {}, \
                     p.responsible_kind FROM places p WHERE p.id = $1",
                    super::duties::met_bits_sql(),
                    super::duties::FLAGGED_SQL
                ),
                &[Val::Text(place_id.into())],
            )
            .await?;
        let run_day = cordon_domain::reference::parse_date(&run.scored_on).unwrap_or_else(|_| self.store.today());
        let breakdown = match place.as_ref().and_then(|p| {
            Some((
                Sector::parse(&p.text(0))?,
                Tier::parse(&p.text(1))?,
                p.int(2),
                p.opt_text(3).zip(p.opt_text(4)),
                u32::try_from(p.int(5)).unwrap_or(0),
                p.int(6) > 0,
                responsible_of(&p.text(7)),
            ))
        }) {
            Some((sector, tier, cap, visit, met, flagged, responsible)) => {
                let visit = visit.as_ref().map(|(a, b)| (a.as_str(), b.as_str()));
                let facts = PlaceFacts {
                    sector,
                    tier,
                    capacity: cap.max(0) as u64,
                    last_visit: visit,
                    flagged,
                    duties_met: met,
                    responsible,
                };
                let mut b = score::score(&inputs(&facts, level_str(&run.national_level), run_day), score::weights());
                if (b.score as f32 - score_v as f32).abs() > 0.01 {
                    b.words.push(format!(
                        "The place has changed since this run: it scored {score_v:.1} then and scores {:.1} now.",
                        b.score
                    ));
                }
                b
            }
            None => Breakdown {
                score: score_v,
                threat: 0.0,
                vulnerability: 0.0,
                consequence: 0.0,
                words: vec!["The place has been removed from the register since this run.".into()],
            },
        };
        let ranked = format!(
            "Ranked {} of {} by score per visit hour ({:.1} points for a {}-hour visit)",
            thousands(rank.max(0) as u64),
            thousands(run.places),
            score_v,
            hours
        );
        let within: Vec<&Row> =
            advisers.iter().filter(|a| distance_km(lat, lon, a.float(5), a.float(6)) <= a.float(4) + 1e-6).collect();
        let (allocated, adviser_id, reason) = if adviser_idx >= 0 {
            let a = advisers.iter().find(|a| a.int(0) == adviser_idx);
            let (aid, name, km) =
                a.map(|a| (a.text(1), a.text(2), distance_km(lat, lon, a.float(5), a.float(6)))).unwrap_or_default();
            (true, Some(aid), format!("{ranked}; allocated to {name}, whose base is {km:.0} km away."))
        } else if within.is_empty() {
            let nearest = advisers
                .iter()
                .map(|a| (distance_km(lat, lon, a.float(5), a.float(6)), a.text(2), a.float(4)))
                .min_by(|x, y| x.0.total_cmp(&y.0));
            let near = nearest
                .map(|(d, n, r)| format!(" The nearest, {n}, is based {d:.0} km away and travels {r:.0} km."))
                .unwrap_or_default();
            (false, None, format!("{ranked}; not allocated: no adviser's base is within their travel distance.{near}"))
        } else {
            // The facts of each adviser in reach in the run's final solution:
            // hours left, visits ranked below this place, and the longest visit
            // that scores less than it.
            let mut facts = Vec::with_capacity(within.len());
            for a in &within {
                let r = self
                    .store
                    .fetch_one(
                        "SELECT COALESCE(SUM(CASE WHEN place_rank > $3 THEN 1 ELSE 0 END), 0), \
                         MAX(CASE WHEN score < $4 THEN hours END) FROM allocation_results \
                         WHERE run_id = $1 AND adviser_idx = $2",
                        &[Val::Text(id.into()), Val::Int(a.int(0)), Val::Int(rank), Val::Float(score_v)],
                    )
                    .await?;
                facts.push(alloc::InReach {
                    name: a.text(2),
                    km: distance_km(lat, lon, a.float(5), a.float(6)),
                    travel_km: a.float(4),
                    hours: a.float(3),
                    used: a.float(7),
                    last_rank: u32::try_from(a.int(8)).unwrap_or(0),
                    ranked_below: r.as_ref().map(|r| u32::try_from(r.int(0)).unwrap_or(0)).unwrap_or(0),
                    hours_scoring_less: r.as_ref().and_then(|r| r.opt_float(1)),
                });
            }
            let why = alloc::left_out_reason(hours, score_v, u32::try_from(rank).unwrap_or(0), &facts);
            (false, None, format!("{ranked}; {why}"))
        };
        Ok(PlaceResult { place_id: place_id.into(), score: score_v, breakdown, allocated, adviser_id, reason })
    }

    /// The exact instance of a run, as JSON text, in pieces (places `after`
    /// index, `limit` at a time); the first piece opens the document and the
    /// last (an empty page) closes it with the advisers. Callers stream it.
    pub async fn instance_places(&self, id: &str, after: i64, limit: i64) -> Result<Vec<String>, StoreError> {
        let rows = self
            .store
            .fetch(
                "SELECT place_id, score, hours, latitude, longitude, idx FROM allocation_results WHERE run_id = $1 \
                 AND idx > $2 ORDER BY idx LIMIT $3",
                &[Val::Text(id.into()), Val::Int(after), Val::Int(limit)],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| {
                instance_place(&r.text(0), r.float(1) as f32, r.float(2) as f32, r.float(3) as f32, r.float(4) as f32)
            })
            .collect())
    }

    /// The advisers' part of the instance.
    pub async fn instance_advisers(&self, id: &str) -> Result<Vec<String>, StoreError> {
        let rows = self
            .store
            .fetch(
                "SELECT adviser_id, hours, travel_km, latitude, longitude FROM allocation_run_advisers \
                 WHERE run_id = $1 ORDER BY idx",
                &[Val::Text(id.into())],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| {
                instance_adviser(&r.text(0), r.float(1) as f32, r.float(2) as f32, r.float(3) as f32, r.float(4) as f32)
            })
            .collect())
    }

    /// A run's instance as arrays, for the MPS export and checks.
    pub async fn instance(&self, caller: Caller<'_>, id: &str) -> Result<Instance, StoreError> {
        self.run(caller, id).await?;
        let mut inst = Instance::default();
        for r in self
            .store
            .fetch(
                "SELECT hours, travel_km, latitude, longitude FROM allocation_run_advisers WHERE run_id = $1 ORDER BY idx",
                &[Val::Text(id.into())],
            )
            .await?
        {
            inst.push_adviser(r.float(0) as f32, r.float(1) as f32, r.float(2) as f32, r.float(3) as f32);
        }
        let mut after = -1i64;
        loop {
            let rows = self
                .store
                .fetch(
                    "SELECT idx, score, hours, latitude, longitude FROM allocation_results WHERE run_id = $1 AND idx > $2 \
                     ORDER BY idx LIMIT $3",
                    &[Val::Text(id.into()), Val::Int(after), Val::Int(READ_PAGE)],
                )
                .await?;
            for r in &rows {
                inst.push_place(r.float(1) as f32, r.float(2) as f32, r.float(3) as f32, r.float(4) as f32);
            }
            match rows.last() {
                Some(r) if rows.len() as i64 == READ_PAGE => after = r.int(0),
                _ => break,
            }
        }
        Ok(inst)
    }

    /// Whether the caller may read runs (logged when refused).
    pub async fn may_read_run(&self, caller: Caller<'_>, id: &str) -> Result<RunSummary, StoreError> {
        self.run(caller, id).await
    }
}
