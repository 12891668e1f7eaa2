//! Demonstration places: a few hundred generated crowded places around the
//! fictional Northshire, across every sector and tier. Generated from a fixed
//! seed, so every demo database holds the same register.

use crate::journal::Actor;
use crate::records::Caller;
use crate::{Store, StoreError};
use cordon_domain::places::score::VisitOutcome;
use cordon_domain::places::{Adviser, AdviserKind, PlaceRow, Sector};

/// How many places the demo register holds.
pub const DEMO_PLACES: usize = 360;

/// Towns of Northshire (fictional) and where they are.
const TOWNS: [(&str, f64, f64); 6] = [
    ("Northtown", 54.97, -1.61),
    ("Southby", 54.78, -1.57),
    ("Eastwick", 54.90, -1.38),
    ("Westmoor", 54.92, -1.95),
    ("Highcastle", 55.12, -1.70),
    ("Lowbridge", 54.69, -1.80),
];

/// The uses and capacities drawn for each sector.
fn uses(sector: Sector) -> (&'static [&'static str], &'static [u64]) {
    match sector {
        Sector::StadiumsAndArenas => (&["sports_ground", "entertainment_venue"], &[1_500, 8_000, 32_000]),
        Sector::NightTimeEconomy => (&["food_and_drink", "entertainment_venue"], &[120, 250, 450, 900]),
        Sector::Retail => (&["shop"], &[80, 220, 600, 1_200, 3_000]),
        Sector::VisitorAttractions => (&["visitor_attraction", "museum", "gallery"], &[150, 400, 950]),
        Sector::PlacesOfWorship => (&["place_of_worship"], &[90, 300, 1_100]),
        Sector::Education => (&["school", "further_education", "higher_education", "childcare"], &[60, 450, 1_400]),
        Sector::Health => (&["health"], &[180, 700, 2_500]),
        Sector::Hotels => (&["hotel"], &[100, 350, 850]),
        Sector::TransportHubs => (&["transport_hub"], &[300, 1_800, 6_000]),
        Sector::CommercialCentres => (&["office", "shop"], &[400, 1_500]),
        Sector::PublicSpaces => (&["visitor_attraction"], &[500, 2_000]),
        Sector::Events => (&["sports_ground", "entertainment_venue"], &[850, 5_000]),
    }
}

/// A small, fixed pseudo-random sequence (so the demo is the same every time).
pub(crate) struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    pub fn unit(&mut self) -> f64 {
        (self.next() % 1_000_000) as f64 / 1_000_000.0
    }
}

/// The demo register's rows.
pub fn demo_rows() -> Vec<PlaceRow> {
    let mut rng = Lcg(2026);
    let names = ["Market", "Central", "Riverside", "Victoria", "Abbey", "Station", "Park", "Castle", "Quay", "Mill"];
    (0..DEMO_PLACES)
        .map(|i| {
            let sector = Sector::ALL[i % Sector::ALL.len()];
            let (town, lat, lon) = TOWNS[(rng.next() % TOWNS.len() as u64) as usize];
            let (us, caps) = uses(sector);
            let use_ = us[(rng.next() % us.len() as u64) as usize];
            let capacity = caps[(rng.next() % caps.len() as u64) as usize];
            let name = names[(rng.next() % names.len() as u64) as usize];
            PlaceRow {
                reference: format!("NS-{:05}", i + 1),
                name: format!("{town} {name} {}", sector.info().name.trim_end_matches('s')),
                sector,
                use_: use_.into(),
                capacity,
                latitude: lat + (rng.unit() - 0.5) * 0.12,
                longitude: lon + (rng.unit() - 0.5) * 0.2,
                address: format!("{} {name} Street, {town}, Northshire", 1 + rng.next() % 200),
            }
        })
        .collect()
}

/// Six advisers based in Northshire's towns: (name, kind, town, hours, km).
const ADVISERS: [(&str, AdviserKind, usize, f64, f64); 6] = [
    ("Casey Burns", AdviserKind::Ctsa, 0, 120.0, 40.0),
    ("Jordan Hale", AdviserKind::Ctsa, 1, 100.0, 35.0),
    ("Priya Nair", AdviserKind::Ctsa, 4, 90.0, 45.0),
    ("Owen Price", AdviserKind::Ctaa, 2, 60.0, 25.0),
    ("Beth Lowe", AdviserKind::Ctaa, 3, 60.0, 30.0),
    ("Tom Ashby", AdviserKind::Ctaa, 5, 50.0, 20.0),
];

pub(crate) async fn seed(store: &Store) -> Result<(), StoreError> {
    let actor = Actor::system();
    let sys = Caller::System(&actor);
    store.places().import_rows(&actor, demo_rows()).await?;
    for (name, kind, town, hours, km) in ADVISERS {
        let (_, lat, lon) = TOWNS[town];
        store
            .places()
            .add_adviser(
                sys,
                &actor,
                Adviser {
                    id: String::new(),
                    name: name.into(),
                    kind,
                    base_latitude: lat,
                    base_longitude: lon,
                    hours,
                    travel_km: km,
                    sectors: Vec::new(),
                },
            )
            .await?;
    }
    // Some places were visited over the last two years, with each outcome.
    let (places, _) = store.places().list(sys, &crate::places::PlaceFilter::default(), 100, 0).await?;
    let outcomes = [VisitOutcome::Good, VisitOutcome::ActionsAgreed, VisitOutcome::Poor];
    for (k, p) in places.iter().enumerate().filter(|(k, _)| k % 3 == 0) {
        let on = store.today() - time::Duration::days(20 + (k as i64 * 23) % 700);
        store.places().record_visit(sys, &actor, &p.id, on, outcomes[k % 3]).await?;
    }
    // Some places in scope of Martyn's Law have a duty checklist under way, and
    // a CTSA has flagged two.
    use cordon_domain::places::DutyStatus;
    let mut flagged = 0;
    for (k, p) in places.iter().enumerate().filter(|(_, p)| p.tier != cordon_domain::martyns_law::Tier::OutOfScope) {
        let duties = cordon_domain::places::place_duties(p.tier, p.responsible);
        if k % 4 == 0 {
            let statuses = [DutyStatus::Met, DutyStatus::InProgress, DutyStatus::Met, DutyStatus::NotStarted];
            let changes: Vec<(String, DutyStatus)> =
                duties.iter().zip(statuses.iter().cycle().skip(k % 3)).map(|(d, s)| (d.id.clone(), *s)).collect();
            store.places().record_duties(sys, &actor, &p.id, &changes).await?;
        }
        if k % 7 == 1 && flagged < 2 {
            store
                .places()
                .set_flag(
                    sys,
                    &actor,
                    &p.id,
                    "Staff report people filming the entrances and asking about opening times",
                )
                .await?;
            flagged += 1;
        }
    }
    let start = store.today();
    store.places().run_allocation(sys, &actor, start, start + time::Duration::days(90)).await?;
    Ok(())
}
