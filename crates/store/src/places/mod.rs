//! The register of crowded places (issue 16). Places are reference-like register
//! data, readable by every police user (`places.read`) and imported or changed by
//! security advisers and deployment authorities (`places.manage`); they are not
//! marked records (ARCHITECTURE.md, "Crowded places"). Imports are journal events,
//! appended in one transaction, so an import lands whole or not at all.

pub mod allocation;
pub mod demo;
pub mod duties;
pub mod project;

use crate::journal::Actor;
use crate::records::Caller;
use crate::sql::{Row, Val};
use crate::{Store, StoreError};
use cordon_domain::event::Event;
use cordon_domain::martyns_law::Tier;
use cordon_domain::places::score::VisitOutcome;
use cordon_domain::places::{
    check_header, check_row, CsvProblem, CsvRecords, ImportedPlace, PlaceRow, PlacesEvent, Region, Sector, CSV_COLUMNS,
    MANAGE, READ,
};
use cordon_domain::Marking;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Places per journal event (and per INSERT statement) of an import.
pub const CHUNK: usize = 500;

/// A place as the register shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    pub id: String,
    pub reference: String,
    pub name: String,
    pub sector: Sector,
    #[serde(rename = "use")]
    pub use_: String,
    pub capacity: u64,
    pub latitude: f64,
    pub longitude: f64,
    pub address: String,
    pub tier: Tier,
    pub updated_at: String,
    pub region: Region,
    /// The last adviser visit: its day (YYYY-MM-DD) and outcome.
    pub last_visit: Option<(String, VisitOutcome)>,
    /// The person or organisation responsible (empty until recorded).
    pub responsible_name: String,
    /// Whether that is an individual or an organisation (an organisation until recorded).
    pub responsible: cordon_domain::martyns_law::Responsible,
}

const PLACE_COLUMNS: &str = "id, reference, name, sector, use_kind, capacity, latitude, longitude, address, tier, \
     updated_at, region, last_visit_on, last_visit_outcome, responsible_name, responsible_kind";

fn place(r: &Row) -> Result<Place, StoreError> {
    let sector = Sector::parse(&r.text(3)).ok_or_else(|| StoreError::Integrity(format!("sector {}", r.text(3))))?;
    let tier = Tier::parse(&r.text(9)).ok_or_else(|| StoreError::Integrity(format!("tier {}", r.text(9))))?;
    Ok(Place {
        id: r.text(0),
        reference: r.text(1),
        name: r.text(2),
        sector,
        use_: r.text(4),
        capacity: u64::try_from(r.int(5)).unwrap_or(0),
        latitude: r.float(6),
        longitude: r.float(7),
        address: r.text(8),
        tier,
        updated_at: r.text(10),
        region: Region::parse(&r.text(11)).ok_or_else(|| StoreError::Integrity(format!("region {}", r.text(11))))?,
        last_visit: match (r.opt_text(12), r.opt_text(13).as_deref().and_then(VisitOutcome::parse)) {
            (Some(on), Some(o)) => Some((on, o)),
            _ => None,
        },
        responsible_name: r.text(14),
        responsible: allocation::responsible_of(&r.text(15)),
    })
}

/// What the register's lists are filtered by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlaceFilter {
    pub sector: Option<Sector>,
    pub tier: Option<Tier>,
    pub region: Option<Region>,
    /// Part of the name or reference, any case.
    pub text: Option<String>,
    /// Places that scored at least this in the latest allocation run (none
    /// match before the first run).
    pub min_score: Option<f64>,
}

impl PlaceFilter {
    fn clause(&self) -> (String, Vec<Val>) {
        let mut parts = vec!["1 = 1".to_string()];
        let mut args = Vec::new();
        if let Some(s) = self.sector {
            args.push(Val::Text(s.as_str().into()));
            parts.push(format!("sector = ${}", args.len()));
        }
        if let Some(t) = self.tier {
            args.push(Val::Text(t.as_str().into()));
            parts.push(format!("tier = ${}", args.len()));
        }
        if let Some(r) = self.region {
            args.push(Val::Text(r.as_str().into()));
            parts.push(format!("region = ${}", args.len()));
        }
        if let Some(q) = self.text.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let escaped = q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            args.push(Val::Text(format!("%{escaped}%")));
            parts.push(format!(
                "(LOWER(name) LIKE ${n} ESCAPE '\\' OR LOWER(reference) LIKE ${n} ESCAPE '\\')",
                n = args.len()
            ));
        }
        if let Some(m) = self.min_score {
            args.push(Val::Float(m));
            parts.push(format!(
                "id IN (SELECT r.place_id FROM allocation_results r WHERE r.run_id = \
                 (SELECT MAX(id) FROM allocation_runs) AND r.score >= ${})",
                args.len()
            ));
        }
        (parts.join(" AND "), args)
    }
}

/// One line of the coverage table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageRow {
    pub sector: Sector,
    pub region: Region,
    pub places: i64,
    pub visited_12_months: i64,
    pub high_score_not_visited: i64,
    /// Enhanced-tier places with at least one duty not recorded as met.
    pub enhanced_duties_unmet: i64,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub import_id: String,
    /// Rows read (not counting the header).
    pub rows: u64,
    pub added: u64,
    pub changed: u64,
}

/// Why an import was refused: a bad row (nothing was imported) or the store.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Row(CsvProblem),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The places capability's operations, reached as `store.places()`.
#[derive(Clone, Copy)]
pub struct PlacesStore<'a> {
    pub(crate) store: &'a Store,
}

impl Store {
    pub fn places(&self) -> PlacesStore<'_> {
        PlacesStore { store: self }
    }
}

/// Checks every row of a CSV text: the places, or the first bad row (by line
/// and column). A reference given twice is refused at its second line.
pub fn parse_csv(text: &str) -> Result<Vec<PlaceRow>, CsvProblem> {
    let mut records = CsvRecords::new(text, &CSV_COLUMNS);
    let with_tier = match records.next() {
        None => {
            return Err(CsvProblem {
                line: 1,
                column: "header".into(),
                message: "the file is empty: it needs the header row reference,name,sector,use,capacity,latitude,longitude,address".into(),
            })
        }
        Some(h) => check_header(&h?.1)?,
    };
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    for rec in records {
        let (line, mut fields) = rec?;
        if with_tier {
            // The export's `tier` (computed from use and capacity, so ignored).
            if fields.len() != CSV_COLUMNS.len() + 1 {
                return Err(CsvProblem {
                    line,
                    column: "tier".into(),
                    message: format!(
                        "the row has {} fields; with the tier column it must have {}",
                        fields.len(),
                        CSV_COLUMNS.len() + 1
                    ),
                });
            }
            fields.pop();
        }
        let row = check_row(line, &fields)?;
        if !seen.insert(row.reference.clone()) {
            return Err(CsvProblem {
                line,
                column: "reference".into(),
                message: format!("the reference {} is given twice in this file", row.reference),
            });
        }
        rows.push(row);
    }
    Ok(rows)
}

impl PlacesStore<'_> {
    /// Imports a CSV text (columns exactly `reference,name,sector,use,capacity,
    /// latitude,longitude,address`): every row is checked first, and the places
    /// are added, or changed where their reference is registered, in one
    /// transaction. A bad row imports nothing.
    pub async fn import_csv(&self, caller: Caller<'_>, actor: &Actor, text: &str) -> Result<ImportReport, ImportError> {
        self.store.records().permit(caller, MANAGE).await?;
        let rows = parse_csv(text).map_err(ImportError::Row)?;
        Ok(self.import_rows(actor, rows).await?)
    }

    /// Records checked rows (the import's second half; also the demo's and the bench's way in).
    pub async fn import_rows(&self, actor: &Actor, rows: Vec<PlaceRow>) -> Result<ImportReport, StoreError> {
        let import_id = uuid::Uuid::now_v7().to_string();
        let n = rows.len() as u64;
        let mut events = Vec::with_capacity(rows.len().div_ceil(CHUNK));
        let mut changed = 0u64;
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<PlaceRow> = rows.by_ref().take(CHUNK).collect();
            let existing = self.ids_of(&chunk).await?;
            changed += existing.len() as u64;
            let places = chunk
                .into_iter()
                .map(|row| ImportedPlace {
                    id: existing.get(&row.reference).cloned().unwrap_or_else(|| uuid::Uuid::now_v7().to_string()),
                    row,
                })
                .collect();
            events.push((
                Event::Places(PlacesEvent::PlacesImported { import_id: import_id.clone(), places }),
                Marking::Official,
            ));
        }
        self.store.append(actor, &events).await?;
        Ok(ImportReport { import_id, rows: n, added: n - changed, changed })
    }

    /// The ids of the chunk's references that are already registered.
    async fn ids_of(&self, chunk: &[PlaceRow]) -> Result<HashMap<String, String>, StoreError> {
        if self.store.fetch_one("SELECT 1 FROM places LIMIT 1", &[]).await?.is_none() {
            return Ok(HashMap::new());
        }
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let args: Vec<Val> = chunk.iter().map(|r| Val::Text(r.reference.clone())).collect();
        let rows = self
            .store
            .fetch(&format!("SELECT reference, id FROM places WHERE reference IN ({})", marks.join(", ")), &args)
            .await?;
        Ok(rows.into_iter().map(|r| (r.text(0), r.text(1))).collect())
    }

    /// A page of the register, filtered, in reference order, and the number that match.
    pub async fn list(
        &self,
        caller: Caller<'_>,
        filter: &PlaceFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Place>, i64), StoreError> {
        self.store.records().permit(caller, READ).await?;
        let (clause, mut args) = filter.clause();
        let total = self
            .store
            .fetch_one(&format!("SELECT COUNT(*) FROM places WHERE {clause}"), &args)
            .await?
            .map(|r| r.int(0))
            .unwrap_or(0);
        args.push(Val::Int(limit));
        args.push(Val::Int(offset));
        let n = args.len();
        let rows = self
            .store
            .fetch(
                &format!(
                    "SELECT {PLACE_COLUMNS} FROM places WHERE {clause} ORDER BY reference LIMIT ${} OFFSET ${}",
                    n - 1,
                    n
                ),
                &args,
            )
            .await?;
        let places = rows.iter().map(place).collect::<Result<_, _>>()?;
        Ok((places, total))
    }

    /// One place, by id.
    pub async fn get(&self, caller: Caller<'_>, id: &str) -> Result<Place, StoreError> {
        self.store.records().permit(caller, READ).await?;
        let row = self
            .store
            .fetch_one(&format!("SELECT {PLACE_COLUMNS} FROM places WHERE id = $1"), &[Val::Text(id.into())])
            .await?
            .ok_or_else(|| StoreError::NotFound { field: None, message: "there is no such place".into() })?;
        place(&row)
    }

    /// The places after `after` (a reference) in reference order, `limit` at a
    /// time: the export reads the register this way, so it never holds it all.
    /// The caller must have been permitted by [`PlacesStore::may_read`].
    pub async fn export_page(&self, filter: &PlaceFilter, after: &str, limit: i64) -> Result<Vec<Place>, StoreError> {
        let (clause, mut args) = filter.clause();
        args.push(Val::Text(after.into()));
        args.push(Val::Int(limit));
        let n = args.len();
        let rows = self
            .store
            .fetch(
                &format!(
                    "SELECT {PLACE_COLUMNS} FROM places WHERE {clause} AND reference > ${} ORDER BY reference LIMIT ${}",
                    n - 1,
                    n
                ),
                &args,
            )
            .await?;
        rows.iter().map(place).collect()
    }

    /// Records an adviser's visit to a place (its day and outcome).
    pub async fn record_visit(
        &self,
        caller: Caller<'_>,
        actor: &Actor,
        place_id: &str,
        on: time::Date,
        outcome: VisitOutcome,
    ) -> Result<Place, StoreError> {
        self.store.records().permit(caller, MANAGE).await?;
        let place = self.get(caller, place_id).await?;
        if on > self.store.today() {
            return Err(StoreError::invalid("on", "The visit cannot be in the future"));
        }
        let on = cordon_domain::reference::format_date(on);
        self.store
            .append(
                actor,
                &[(
                    Event::Places(PlacesEvent::PlaceVisitRecorded { place_id: place.id.clone(), on, outcome }),
                    Marking::Official,
                )],
            )
            .await?;
        self.get(caller, place_id).await
    }

    /// Whether the caller may manage the register, advisers and runs (logged when refused).
    pub async fn may_manage(&self, caller: Caller<'_>) -> Result<(), StoreError> {
        self.store.records().permit(caller, MANAGE).await
    }

    /// Whether the caller may read the register (logged when refused).
    pub async fn may_read(&self, caller: Caller<'_>) -> Result<(), StoreError> {
        self.store.records().permit(caller, READ).await
    }

    /// The benchmark's yardstick: the same rows inserted raw, in batches of
    /// [`CHUNK`], in one transaction, into an empty temporary copy of the table
    /// (with its unique reference index), then rolled back. Returns the seconds
    /// the inserts and commit-equivalent took. Not used outside `cordon bench places`.
    #[doc(hidden)]
    pub async fn raw_insert_for_bench(&self, rows: &[PlaceRow]) -> Result<f64, StoreError> {
        let mut tx = self.store.begin().await?;
        tx.exec("CREATE TEMPORARY TABLE bench_places AS SELECT * FROM places WHERE 1 = 0", &[]).await?;
        tx.exec("CREATE UNIQUE INDEX bench_places_reference ON bench_places (reference)", &[]).await?;
        let started = std::time::Instant::now();
        let mut sql = String::new();
        let mut args = Vec::new();
        for chunk in rows.chunks(project::ROWS_PER_STATEMENT) {
            sql.clear();
            args.clear();
            sql.push_str(
                "INSERT INTO bench_places (id, reference, name, sector, use_kind, capacity, latitude, longitude, \
                 address, tier, import_id, created_at, updated_at, seq) VALUES ",
            );
            for (k, r) in chunk.iter().enumerate() {
                let b = k * 10;
                if k > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, 'raw', 'now', 'now', 0)",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7,
                    b + 8,
                    b + 9,
                    b + 10
                ));
                args.extend([
                    Val::Text(uuid::Uuid::now_v7().to_string()),
                    Val::Text(r.reference.clone()),
                    Val::Text(r.name.clone()),
                    Val::Text(r.sector.as_str().into()),
                    Val::Text(r.use_.clone()),
                    Val::Int(r.capacity as i64),
                    Val::Float(r.latitude),
                    Val::Float(r.longitude),
                    Val::Text(r.address.clone()),
                    Val::Text(r.tier().as_str().into()),
                ]);
            }
            tx.exec(&sql, &args).await?;
        }
        let seconds = started.elapsed().as_secs_f64();
        tx.rollback().await?;
        Ok(seconds)
    }

    /// Coverage for the CT lead, per sector and region: places, visited in the
    /// twelve months to `today`, high-score places (60 or more in the latest
    /// run) not visited in that time, and enhanced-tier places with at least
    /// one of their duties not recorded as met on their checklist.
    pub async fn coverage(&self, caller: Caller<'_>) -> Result<Vec<CoverageRow>, StoreError> {
        self.store.records().permit(caller, READ).await?;
        let since = cordon_domain::reference::format_date(self.store.today() - time::Duration::days(365));
        let latest = self
            .store
            .fetch_one("SELECT id FROM allocation_runs ORDER BY id DESC LIMIT 1", &[])
            .await?
            .map(|r| r.text(0))
            .unwrap_or_default();
        // An organisation's duties at enhanced premises; an individual has all but the designation.
        use cordon_domain::martyns_law::Responsible;
        let enhanced = cordon_domain::places::place_duties(Tier::Enhanced, Responsible::Organisation);
        let by_individual = cordon_domain::places::place_duties(Tier::Enhanced, Responsible::Individual).len();
        let ids: Vec<String> = enhanced.iter().map(|d| format!("'{}'", d.id)).collect();
        let rows = self
            .store
            .fetch(
                &format!(
                    "SELECT p.sector, p.region, COUNT(*), \
                     SUM(CASE WHEN p.last_visit_on >= $1 THEN 1 ELSE 0 END), \
                     SUM(CASE WHEN r.score >= 60 AND (p.last_visit_on IS NULL OR p.last_visit_on < $1) THEN 1 ELSE 0 END), \
                     SUM(CASE WHEN p.tier = 'enhanced' AND (SELECT COUNT(*) FROM place_duties d WHERE d.place_id = p.id \
                     AND d.status = 'met' AND d.duty IN ({})) < CASE WHEN p.responsible_kind = 'individual' \
                     THEN $4 ELSE $3 END THEN 1 ELSE 0 END) \
                     FROM places p LEFT JOIN allocation_results r ON r.run_id = $2 AND r.place_id = p.id \
                     GROUP BY p.sector, p.region ORDER BY p.sector, p.region",
                    ids.join(", ")
                ),
                &[Val::Text(since), Val::Text(latest), Val::Int(enhanced.len() as i64), Val::Int(by_individual as i64)],
            )
            .await?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                Some(CoverageRow {
                    sector: Sector::parse(&r.text(0))?,
                    region: Region::parse(&r.text(1))?,
                    places: r.int(2),
                    visited_12_months: r.int(3),
                    high_score_not_visited: r.int(4),
                    enhanced_duties_unmet: r.int(5),
                })
            })
            .collect())
    }

    /// Places per sector and tier (the register page's summary and coverage).
    pub async fn counts(&self, caller: Caller<'_>) -> Result<Vec<(Sector, Tier, i64)>, StoreError> {
        self.store.records().permit(caller, READ).await?;
        let rows = self.store.fetch("SELECT sector, tier, COUNT(*) FROM places GROUP BY sector, tier", &[]).await?;
        Ok(rows.iter().filter_map(|r| Some((Sector::parse(&r.text(0))?, Tier::parse(&r.text(1))?, r.int(2)))).collect())
    }
}
