//! The register of crowded places: sectors (with their self-service guidance and
//! the allocation's figures, from `reference/crowded-place-sectors.toml`), the
//! CSV the register is imported from and exported to, and the checks on a row.
//! Pure: no I/O.

pub use crate::csv::{csv_field, CsvProblem, CsvRecords};

pub mod allocation;
pub mod score;

use crate::access::Action;
use crate::identity::Role;
use crate::martyns_law::{self, Tier};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;
use utoipa::ToSchema;

pub const SECTORS_TOML: &str = include_str!("../../../../reference/crowded-place-sectors.toml");

/// Add to, import into and change the register of crowded places and the advisers,
/// and run allocations.
pub const MANAGE: Action = Action {
    name: "places.manage",
    what: "import and change the register of crowded places and the advisers, and run allocations",
    roles: Some(&[Role::SecurityAdviser, Role::DeploymentAuthority]),
    needs_team: false,
};

/// Reading the register, the advisers and the allocation runs: every police
/// role (not partner agencies' users or venues' estates managers).
pub const READ: Action = Action {
    name: "places.read",
    what: "read the register of crowded places, the advisers, the allocation runs and coverage",
    roles: Some(&[
        Role::StrategicCommander,
        Role::SecurityCoordinator,
        Role::DeploymentAuthority,
        Role::SecurityAdviser,
        Role::TacticalAdviser,
        Role::Staff,
        Role::Auditor,
        Role::Administrator,
    ]),
    needs_team: false,
};

pub const ACTIONS: &[Action] = &[READ, MANAGE];

/// A place as recorded: its id (kept when a later import changes it) and its row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportedPlace {
    pub id: String,
    #[serde(flatten)]
    pub row: PlaceRow,
}

/// The journal events of the register of crowded places.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum PlacesEvent {
    /// A chunk of an import: each place is added, or changed where its reference
    /// is already registered (it keeps its id). An import's chunks are appended
    /// in one transaction, so an import lands whole or not at all.
    PlacesImported { import_id: String, places: Vec<ImportedPlace> },
    /// An adviser joined the pool.
    AdviserAdded { adviser: Adviser },
    /// An adviser visited a place (the outcome in one of three words: findings
    /// themselves are not held here, see ARCHITECTURE.md).
    PlaceVisitRecorded { place_id: String, on: String, outcome: score::VisitOutcome },
    /// An allocation run for a period: its figures and the SHA-256 of the exact
    /// instance solved. Its per-place results are kept beside it (ARCHITECTURE.md).
    AllocationRunRecorded { run: RunSummary },
    /// The status of one of a place's Martyn's Law duties (who and when are the
    /// journal entry's).
    PlaceDutyRecorded { place_id: String, duty: String, status: DutyStatus },
    /// A CTSA flagged a place, or changed the flag's reason (it adds to the
    /// threat part of the place's score).
    PlaceFlagged { place_id: String, reason: String },
    /// A place's flag was cleared.
    PlaceFlagCleared {
        place_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Who is responsible for the place (the person or organisation in
    /// control of the premises), and whether that is an individual: an
    /// organisation must designate a senior individual (s.10).
    PlaceResponsibleSet { place_id: String, name: String, kind: martyns_law::Responsible },
}

/// Checks the name of the responsible person or organisation: the text, trimmed.
pub fn check_responsible_name(s: &str) -> Result<String, FieldProblem> {
    check_text("name", "name of the person or organisation responsible", s, 200)
}

/// Checks the reason for a flag (or for clearing one): the text, trimmed.
pub fn check_flag_reason(s: &str, required: bool) -> Result<Option<String>, FieldProblem> {
    let t = s.trim();
    if t.is_empty() {
        return if required { Err(problem("reason", "Enter why the place is flagged")) } else { Ok(None) };
    }
    if t.chars().count() > 1_000 {
        return Err(problem("reason", "The reason must be 1,000 characters or fewer"));
    }
    Ok(Some(t.to_string()))
}

crate::capability_event!(PlacesEvent, |e| match e {
    PlacesEvent::PlacesImported { .. } => "places".to_string(),
    PlacesEvent::AdviserAdded { adviser } => format!("adviser/{}", adviser.id),
    PlacesEvent::PlaceVisitRecorded { place_id, .. } => format!("place/{place_id}"),
    PlacesEvent::AllocationRunRecorded { run } => format!("allocation/{}", run.id),
    PlacesEvent::PlaceDutyRecorded { place_id, .. }
    | PlacesEvent::PlaceFlagged { place_id, .. }
    | PlacesEvent::PlaceFlagCleared { place_id, .. }
    | PlacesEvent::PlaceResponsibleSet { place_id, .. } => format!("place/{place_id}"),
});

/// How far a place has got with one of its Martyn's Law duties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DutyStatus {
    NotStarted,
    InProgress,
    Met,
}

impl DutyStatus {
    pub const ALL: [DutyStatus; 3] = [DutyStatus::NotStarted, DutyStatus::InProgress, DutyStatus::Met];

    pub fn as_str(self) -> &'static str {
        match self {
            DutyStatus::NotStarted => "not_started",
            DutyStatus::InProgress => "in_progress",
            DutyStatus::Met => "met",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            DutyStatus::NotStarted => "Not started",
            DutyStatus::InProgress => "In progress",
            DutyStatus::Met => "Met",
        }
    }

    pub fn parse(s: &str) -> Option<DutyStatus> {
        DutyStatus::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// The Martyn's Law duties of a registered place of this tier whose
/// responsible person is `responsible`: an organisation (the register's
/// default, as most are) must also designate a senior individual at enhanced
/// premises; an individual need not (s.10).
pub fn place_duties(tier: Tier, responsible: martyns_law::Responsible) -> Vec<&'static martyns_law::DutyRule> {
    martyns_law::rules()
        .duties
        .iter()
        .filter(|d| match tier {
            Tier::OutOfScope => false,
            Tier::Standard => d.standard,
            Tier::Enhanced => d.enhanced,
        })
        .filter(|d| !(d.organisation_only && responsible == martyns_law::Responsible::Individual))
        .collect()
}

/// The bit of a duty in a set of duties (its place in `reference/martyns-law.toml`).
pub fn duty_bit(id: &str) -> Option<u32> {
    martyns_law::rules().duties.iter().position(|d| d.id == id).map(|i| 1u32 << i)
}

/// How many of a place's duties (of this tier and responsible person) are not
/// in `met` (a set of [`duty_bit`]s), and how many apply.
pub fn duties_unmet(tier: Tier, responsible: martyns_law::Responsible, met: u32) -> (u32, u32) {
    let all = place_duties(tier, responsible);
    let unmet = all.iter().filter(|d| duty_bit(&d.id).is_none_or(|b| met & b == 0)).count();
    (unmet as u32, all.len() as u32)
}

/// The kind of adviser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AdviserKind {
    /// Counter-terrorism security adviser.
    Ctsa,
    /// Counter-terrorism awareness adviser.
    Ctaa,
}

impl AdviserKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AdviserKind::Ctsa => "ctsa",
            AdviserKind::Ctaa => "ctaa",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            AdviserKind::Ctsa => "Counter-terrorism security adviser (CTSA)",
            AdviserKind::Ctaa => "Counter-terrorism awareness adviser (CTAA)",
        }
    }

    pub fn parse(s: &str) -> Option<AdviserKind> {
        match s {
            "ctsa" => Some(AdviserKind::Ctsa),
            "ctaa" => Some(AdviserKind::Ctaa),
            _ => None,
        }
    }
}

/// An adviser of the pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adviser {
    pub id: String,
    pub name: String,
    pub kind: AdviserKind,
    pub base_latitude: f64,
    pub base_longitude: f64,
    /// Hours available for visits in a period.
    pub hours: f64,
    /// How far they travel from their base, km.
    pub travel_km: f64,
    pub sectors: Vec<Sector>,
}

/// Checks an adviser's fields (all but the id).
pub fn check_adviser(a: &Adviser) -> Result<(), FieldProblem> {
    if a.name.trim().is_empty() {
        return Err(problem("name", "Enter the adviser's name"));
    }
    if a.name.chars().count() > 200 {
        return Err(problem("name", "The name must be 200 characters or fewer"));
    }
    check_coordinate("base_latitude", &a.base_latitude.to_string())?;
    check_coordinate("base_longitude", &a.base_longitude.to_string())?;
    if !a.hours.is_finite() || a.hours <= 0.0 || a.hours > 2_000.0 {
        return Err(problem("hours", "Hours must be more than 0 and at most 2,000 in a period"));
    }
    if !a.travel_km.is_finite() || a.travel_km <= 0.0 || a.travel_km > 1_000.0 {
        return Err(problem("travel_km", "Travel distance must be more than 0 and at most 1,000 km"));
    }
    Ok(())
}

/// An allocation run's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub id: String,
    pub period_start: String,
    pub period_end: String,
    pub objective: f64,
    pub upper_bound: f64,
    pub gap: f64,
    pub places: u64,
    pub advisers: u64,
    pub places_allocated: u64,
    pub seconds: f64,
    /// The national threat level the scores were made with.
    pub national_level: String,
    /// The day the scores were made (time since a visit counts to it).
    pub scored_on: String,
    /// SHA-256 of the instance as `/instance` serves it.
    pub instance_sha256: String,
}

/// A sector of crowded places (the contract's snake_case names).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema, strum::VariantNames,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Sector {
    StadiumsAndArenas,
    NightTimeEconomy,
    Retail,
    VisitorAttractions,
    PlacesOfWorship,
    Education,
    Health,
    Hotels,
    TransportHubs,
    CommercialCentres,
    PublicSpaces,
    Events,
}

impl Sector {
    pub const ALL: [Sector; 12] = [
        Sector::StadiumsAndArenas,
        Sector::NightTimeEconomy,
        Sector::Retail,
        Sector::VisitorAttractions,
        Sector::PlacesOfWorship,
        Sector::Education,
        Sector::Health,
        Sector::Hotels,
        Sector::TransportHubs,
        Sector::CommercialCentres,
        Sector::PublicSpaces,
        Sector::Events,
    ];

    pub fn as_str(self) -> &'static str {
        <Sector as strum::VariantNames>::VARIANTS[self as usize]
    }

    pub fn parse(s: &str) -> Option<Sector> {
        Sector::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn info(self) -> &'static SectorInfo {
        &sectors()[self as usize]
    }

    pub fn list() -> String {
        Sector::ALL.map(Sector::as_str).join(", ")
    }
}

/// A sector's guidance and allocation figures.
#[derive(Debug, Clone, Deserialize)]
pub struct SectorInfo {
    pub id: String,
    pub name: String,
    pub consequence: f64,
    pub visit_hours_standard: f64,
    pub visit_hours_enhanced: f64,
    pub typical_uses: Vec<String>,
    pub guidance: Vec<String>,
}

impl SectorInfo {
    /// Hours an adviser's visit takes, by tier (out-of-scope places take the standard time).
    pub fn visit_hours(&self, tier: Tier) -> f64 {
        match tier {
            Tier::Enhanced => self.visit_hours_enhanced,
            _ => self.visit_hours_standard,
        }
    }
}

#[derive(Deserialize)]
struct SectorsFile {
    sectors: Vec<SectorInfo>,
}

/// Parses the sectors file; it must list every sector once, in the enum's order.
pub fn parse_sectors(text: &str) -> Result<Vec<SectorInfo>, String> {
    let f: SectorsFile = toml::from_str(text).map_err(|e| format!("crowded-place-sectors.toml: {e}"))?;
    let ids: Vec<&str> = f.sectors.iter().map(|s| s.id.as_str()).collect();
    let want: Vec<&str> = Sector::ALL.iter().map(|s| s.as_str()).collect();
    if ids != want {
        return Err(format!("crowded-place-sectors.toml: sectors must be {want:?} in that order, not {ids:?}"));
    }
    for s in &f.sectors {
        if !(0.0..=1.0).contains(&s.consequence) || s.visit_hours_standard <= 0.0 || s.visit_hours_enhanced <= 0.0 {
            return Err(format!(
                "crowded-place-sectors.toml: {}: consequence is 0 to 1 and visit hours positive",
                s.id
            ));
        }
        for u in &s.typical_uses {
            if martyns_law::rules().use_rule(u).is_none() {
                return Err(format!("crowded-place-sectors.toml: {}: unknown use {u}", s.id));
            }
        }
    }
    Ok(f.sectors)
}

pub fn sectors() -> &'static [SectorInfo] {
    static S: OnceLock<Vec<SectorInfo>> = OnceLock::new();
    S.get_or_init(|| parse_sectors(SECTORS_TOML).expect("reference/crowded-place-sectors.toml parses"))
}

/// A region of the United Kingdom (the counter-terrorism policing regions'
/// footprint, approximately). A place's region is the one whose centre is
/// nearest its location: an approximation for filtering and coverage, not a
/// boundary lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    NorthEast,
    NorthWest,
    YorkshireAndTheHumber,
    EastMidlands,
    WestMidlands,
    EastOfEngland,
    London,
    SouthEast,
    SouthWest,
    Wales,
    Scotland,
    NorthernIreland,
}

impl Region {
    pub const ALL: [Region; 12] = [
        Region::NorthEast,
        Region::NorthWest,
        Region::YorkshireAndTheHumber,
        Region::EastMidlands,
        Region::WestMidlands,
        Region::EastOfEngland,
        Region::London,
        Region::SouthEast,
        Region::SouthWest,
        Region::Wales,
        Region::Scotland,
        Region::NorthernIreland,
    ];

    /// (identifier, name, centre latitude, centre longitude).
    fn data(self) -> (&'static str, &'static str, f64, f64) {
        match self {
            Region::NorthEast => ("north_east", "North East", 54.97, -1.61),
            Region::NorthWest => ("north_west", "North West", 53.80, -2.60),
            Region::YorkshireAndTheHumber => ("yorkshire_and_the_humber", "Yorkshire and the Humber", 53.80, -1.25),
            Region::EastMidlands => ("east_midlands", "East Midlands", 52.95, -0.95),
            Region::WestMidlands => ("west_midlands", "West Midlands", 52.48, -2.20),
            Region::EastOfEngland => ("east_of_england", "East of England", 52.24, 0.60),
            Region::London => ("london", "London", 51.51, -0.12),
            Region::SouthEast => ("south_east", "South East", 51.25, -0.60),
            Region::SouthWest => ("south_west", "South West", 50.90, -3.40),
            Region::Wales => ("wales", "Wales", 52.30, -3.70),
            Region::Scotland => ("scotland", "Scotland", 56.50, -4.20),
            Region::NorthernIreland => ("northern_ireland", "Northern Ireland", 54.60, -6.70),
        }
    }

    pub fn as_str(self) -> &'static str {
        self.data().0
    }

    pub fn name(self) -> &'static str {
        self.data().1
    }

    pub fn parse(s: &str) -> Option<Region> {
        Region::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn list() -> String {
        Region::ALL.map(Region::as_str).join(", ")
    }

    /// The region whose centre is nearest.
    pub fn of(lat: f64, lon: f64) -> Region {
        Region::ALL
            .into_iter()
            .min_by(|a, b| {
                let (_, _, la, lo) = a.data();
                let (_, _, lb, lob) = b.data();
                distance_km(lat, lon, la, lo).total_cmp(&distance_km(lat, lon, lb, lob))
            })
            .unwrap_or(Region::London)
    }
}

/// The CSV columns, exactly.
pub const CSV_COLUMNS: [&str; 8] =
    ["reference", "name", "sector", "use", "capacity", "latitude", "longitude", "address"];

/// One place as imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceRow {
    pub reference: String,
    pub name: String,
    pub sector: Sector,
    #[serde(rename = "use")]
    pub use_: String,
    pub capacity: u64,
    pub latitude: f64,
    pub longitude: f64,
    pub address: String,
}

impl PlaceRow {
    pub fn tier(&self) -> Tier {
        let rules = martyns_law::rules();
        rules.use_rule(&self.use_).map(|u| rules.tier(u, self.capacity)).unwrap_or(Tier::OutOfScope)
    }
}

/// What is wrong with a place's field (the API's field name and a message in words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: &'static str,
    pub message: String,
}

fn problem(field: &'static str, message: impl Into<String>) -> FieldProblem {
    FieldProblem { field, message: message.into() }
}

pub fn check_capacity(s: &str) -> Result<u64, FieldProblem> {
    let t = s.trim();
    if t.starts_with('-') {
        return Err(problem("capacity", format!("Capacity cannot be negative; {t:?} is")));
    }
    t.parse::<u64>()
        .map_err(|_| problem("capacity", format!("Capacity must be a whole number of people; {t:?} is not")))
}

pub fn check_use(s: &str) -> Result<String, FieldProblem> {
    let t = s.trim();
    match martyns_law::rules().use_rule(t) {
        Some(u) => Ok(u.id.clone()),
        None => Err(problem("use", format!("Use must be one of {}; {t:?} is not", martyns_law::rules().use_list()))),
    }
}

pub fn check_sector(s: &str) -> Result<Sector, FieldProblem> {
    let t = s.trim();
    Sector::parse(t).ok_or_else(|| problem("sector", format!("Sector must be one of {}; {t:?} is not", Sector::list())))
}

pub fn check_coordinate(field: &'static str, s: &str) -> Result<f64, FieldProblem> {
    let t = s.trim();
    let limit = if field.contains("lat") { 90.0 } else { 180.0 };
    let words = if field.contains("lat") { "Latitude" } else { "Longitude" };
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && (-limit..=limit).contains(&v) => Ok(v),
        Ok(_) => Err(problem(field, format!("{words} must be between -{limit} and {limit} degrees; {t} is not"))),
        Err(_) => Err(problem(field, format!("{words} must be a number of degrees; {t:?} is not"))),
    }
}

fn check_text(field: &'static str, words: &str, s: &str, max: usize) -> Result<String, FieldProblem> {
    let t = s.trim();
    if t.is_empty() {
        return Err(problem(field, format!("Enter the {words}")));
    }
    if t.chars().count() > max {
        return Err(problem(field, format!("The {words} must be {max} characters or fewer")));
    }
    Ok(t.to_string())
}

/// Checks the header row: the columns exactly, in order, optionally followed by
/// `tier`, the column the export adds (the tier is computed from use and
/// capacity, so an export can be imported again as it is and its `tier` is
/// ignored). Returns whether that trailing `tier` column is there.
pub fn check_header(fields: &[String]) -> Result<bool, CsvProblem> {
    let mut got: Vec<&str> = fields.iter().map(|f| f.trim()).collect();
    let tier = got.len() == CSV_COLUMNS.len() + 1 && got.last() == Some(&"tier");
    if tier {
        got.pop();
    }
    if got != CSV_COLUMNS {
        return Err(crate::csv::header_problem(&got, &CSV_COLUMNS));
    }
    Ok(tier)
}

/// Checks one data row.
pub fn check_row(line: u64, fields: &[String]) -> Result<PlaceRow, CsvProblem> {
    if fields.len() != CSV_COLUMNS.len() {
        return Err(CsvProblem {
            line,
            column: CSV_COLUMNS.get(fields.len().min(CSV_COLUMNS.len() - 1)).copied().unwrap_or("address").into(),
            message: format!("the row has {} fields; it must have {}", fields.len(), CSV_COLUMNS.len()),
        });
    }
    let at = |p: FieldProblem| CsvProblem { line, column: p.field.into(), message: p.message };
    Ok(PlaceRow {
        reference: check_text("reference", "reference", &fields[0], 64).map_err(at)?,
        name: check_text("name", "name", &fields[1], 200).map_err(at)?,
        sector: check_sector(&fields[2]).map_err(at)?,
        use_: check_use(&fields[3]).map_err(at)?,
        capacity: check_capacity(&fields[4]).map_err(at)?,
        latitude: check_coordinate("latitude", &fields[5]).map_err(at)?,
        longitude: check_coordinate("longitude", &fields[6]).map_err(at)?,
        address: check_text("address", "address", &fields[7], 400).map_err(at)?,
    })
}

/// Great-circle distance in kilometres (haversine, mean Earth radius 6,371 km).
pub fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * a.sqrt().min(1.0).asin()
}

/// A self-service advice pack for premises no adviser has visited: the tier,
/// duties, maximum penalty and next steps (from the Martyn's Law rules) and the
/// sector's guidance, as a document for the PDF renderer. OFFICIAL: it holds
/// nothing but public guidance and what the reader typed.
pub fn advice_pack(
    use_rule: &martyns_law::UseRule,
    capacity: u64,
    responsible: martyns_law::Responsible,
    sector: Option<Sector>,
    date: String,
) -> crate::documents::Document {
    use crate::documents::{Block, Document, Field, Section};
    let rules = martyns_law::rules();
    let a = rules.premises(use_rule, capacity, responsible);
    let who = match responsible {
        martyns_law::Responsible::Individual => "An individual",
        martyns_law::Responsible::Organisation => "An organisation",
    };
    let mut sections = vec![Section {
        id: "tier".into(),
        heading: format!("Your premises: {}", a.tier.words()),
        blocks: vec![
            Block::Fields {
                fields: vec![
                    Field::new("Use", use_rule.words.clone()),
                    Field::new("People at the same time, staff included", martyns_law::thousands(capacity)),
                    Field::new("Responsible person", who),
                    Field::new(
                        "Maximum penalty",
                        match a.tier {
                            Tier::OutOfScope => "None: no duties apply".to_string(),
                            Tier::Standard => martyns_law::pounds(a.max_penalty_gbp),
                            Tier::Enhanced => format!(
                                "{} or {}% of qualifying worldwide revenue, whichever is greater",
                                martyns_law::pounds(a.max_penalty_gbp),
                                rules.penalties.revenue_percent
                            ),
                        },
                    ),
                ],
            },
            Block::Heading { text: "Why".into() },
            Block::Paragraph { text: a.reasons.join("\n") },
        ],
    }];
    let duties: Vec<Block> = a
        .duties
        .iter()
        .filter_map(|id| rules.duty(id))
        .flat_map(|d| {
            [
                Block::Heading { text: format!("{} ({})", d.title, d.section) },
                Block::Paragraph { text: d.words.clone() },
            ]
        })
        .collect();
    sections.push(Section {
        id: "duties".into(),
        heading: "Your duties".into(),
        blocks: if duties.is_empty() {
            vec![Block::Empty { text: "No duties under the Act apply to these premises.".into() }]
        } else {
            duties
        },
    });
    if let Some(s) = sector {
        sections.push(Section {
            id: "guidance".into(),
            heading: format!("Guidance for {}", s.info().name.to_lowercase()),
            blocks: vec![Block::Paragraph { text: s.info().guidance.join("\n") }],
        });
    }
    sections.push(Section {
        id: "about".into(),
        heading: "About this pack".into(),
        blocks: vec![Block::Paragraph {
            text: format!(
                "Made by Cordon's Martyn's Law self-check from the answers above and the {}. It is guidance for \
                 planning, not legal advice; most of the Act is not yet in force. Source: {}.",
                rules.act, rules.source
            ),
        }],
    });
    let digest = crate::plan::sha256_hex(&format!("{}|{capacity}|{who}|{sector:?}", use_rule.id));
    Document {
        kind: "Martyn's Law advice pack".into(),
        title: format!("{}: {}", use_rule.words, a.tier.words()),
        marking: crate::Marking::Official,
        reference: "Self-service".into(),
        fingerprint: digest[..12].to_string(),
        draft: false,
        date,
        title_block: vec![Field::new("Tier", a.tier.words())],
        redaction: None,
        sections,
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn an_individual_responsible_for_enhanced_premises_designates_no_senior_individual() {
        use martyns_law::Responsible::{Individual, Organisation};
        let ids = |r| place_duties(Tier::Enhanced, r).iter().map(|d| d.id.as_str()).collect::<Vec<_>>();
        assert!(ids(Organisation).contains(&"designated_senior_individual"));
        assert!(!ids(Individual).contains(&"designated_senior_individual"));
        assert_eq!(ids(Organisation).len(), ids(Individual).len() + 1);
        assert_eq!(place_duties(Tier::Standard, Individual).len(), place_duties(Tier::Standard, Organisation).len());
        assert!(place_duties(Tier::OutOfScope, Organisation).is_empty());
        // Everything met but the designation: nothing unmet for an individual.
        let met = ids(Individual).iter().filter_map(|d| duty_bit(d)).fold(0, |a, b| a | b);
        assert_eq!(duties_unmet(Tier::Enhanced, Individual, met), (0, ids(Individual).len() as u32));
        assert_eq!(duties_unmet(Tier::Enhanced, Organisation, met), (1, ids(Organisation).len() as u32));
        assert!(check_responsible_name("  ").is_err());
        assert_eq!(check_responsible_name(" Northtown Arena Ltd ").unwrap(), "Northtown Arena Ltd");
    }
    use super::*;

    #[test]
    fn the_sectors_file_parses_in_the_contract_order() {
        let s = sectors();
        assert_eq!(s.len(), 12);
        assert_eq!(Sector::Events.as_str(), "events");
        assert_eq!(Sector::StadiumsAndArenas.info().name, "Stadiums and arenas");
        assert_eq!(Sector::parse("night_time_economy"), Some(Sector::NightTimeEconomy));
        assert_eq!(Sector::parse("nightclubs"), None);
        let swapped = SECTORS_TOML.replacen("id = \"retail\"", "id = \"shops\"", 1);
        assert!(parse_sectors(&swapped).is_err());
    }

    fn rec(text: &str) -> Vec<(u64, Vec<String>)> {
        CsvRecords::new(text, &CSV_COLUMNS).collect::<Result<Vec<_>, _>>().unwrap()
    }

    #[test]
    fn csv_records_handle_quotes_crlf_and_line_numbers() {
        let r = rec("a,b\r\n\"x, \"\"y\"\"\",z\n\n\"multi\nline\",é\nlast,1");
        assert_eq!(r[0], (1, vec!["a".into(), "b".into()]));
        assert_eq!(r[1], (2, vec!["x, \"y\"".into(), "z".into()]));
        assert_eq!(r[2], (4, vec!["multi\nline".into(), "é".into()]));
        assert_eq!(r[3], (6, vec!["last".into(), "1".into()]));
        let bad: Vec<_> = CsvRecords::new("a\n\"open", &CSV_COLUMNS).collect();
        assert!(bad[1].is_err());
    }

    fn row(cap: &str, lat: &str) -> Vec<String> {
        ["R1", "Hall", "retail", "shop", cap, lat, "-1.5", "1 High St"].map(String::from).to_vec()
    }

    #[test]
    fn rows_are_checked_field_by_field() {
        let ok = check_row(2, &row("850", "54.9")).unwrap();
        assert_eq!(ok.tier(), Tier::Enhanced);
        let e = check_row(3, &row("-5", "54.9")).unwrap_err();
        assert_eq!((e.line, e.column.as_str()), (3, "capacity"));
        assert!(e.message.contains("negative"));
        assert_eq!(check_row(4, &row("lots", "54.9")).unwrap_err().column, "capacity");
        assert_eq!(check_row(5, &row("10", "91")).unwrap_err().column, "latitude");
        let mut r = row("10", "50");
        r[6] = "-180.5".into();
        assert_eq!(check_row(6, &r).unwrap_err().column, "longitude");
        r = row("10", "50");
        r[3] = "castle".into();
        assert_eq!(check_row(7, &r).unwrap_err().column, "use");
        r = row("10", "50");
        r[2] = "pubs".into();
        assert_eq!(check_row(8, &r).unwrap_err().column, "sector");
        assert_eq!(check_row(9, &row("10", "50")[..7]).unwrap_err().column, "address");
    }

    #[test]
    fn the_header_must_name_every_column() {
        let mut h: Vec<String> = CSV_COLUMNS.map(String::from).to_vec();
        assert_eq!(check_header(&h), Ok(false));
        h.push("tier".into());
        assert_eq!(check_header(&h), Ok(true), "the export's trailing tier column is accepted");
        h.push("notes".into());
        assert!(check_header(&h).is_err());
        h.truncate(CSV_COLUMNS.len());
        let e = check_header(&h[..7]).unwrap_err();
        assert_eq!((e.line, e.column.as_str()), (1, "address"));
    }

    #[test]
    fn csv_fields_are_quoted_and_formulae_neutralised() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("=cmd()"), "'=cmd()");
        assert_eq!(csv_field("-1.5"), "-1.5");
    }

    #[test]
    fn regions_are_the_nearest_centre() {
        assert_eq!(Region::of(54.97, -1.6), Region::NorthEast);
        assert_eq!(Region::of(51.5, -0.1), Region::London);
        assert_eq!(Region::of(55.95, -3.19), Region::Scotland);
        assert_eq!(Region::of(54.6, -5.93), Region::NorthernIreland);
        assert_eq!(Region::parse("wales"), Some(Region::Wales));
    }

    #[test]
    fn distances_are_great_circle() {
        // London to Manchester is about 262 km.
        let d = distance_km(51.5074, -0.1278, 53.4808, -2.2426);
        assert!((d - 262.0).abs() < 3.0, "{d}");
        assert_eq!(distance_km(54.0, -1.0, 54.0, -1.0), 0.0);
    }
}
