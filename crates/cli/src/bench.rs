//! `cordon bench`: measurements for BENCHMARKS.md. Not tests: they print figures.
//! Each runs against a fresh temporary SQLite database unless --database-url
//! names one (use a fresh PostgreSQL database for PostgreSQL figures).

use anyhow::{bail, Result};
use clap::Subcommand;
use cordon_domain::event::Event;
use cordon_domain::journal::{ChainKey, GENESIS};
use cordon_domain::methodology::AttackMethodology;
use cordon_domain::reference::ReferenceEvent;
use cordon_domain::Marking;
use cordon_store::records::Caller;
use cordon_store::{Actor, Options, Store};
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Durable journal appends: one event per transaction, then in batches.
    Append {
        /// Events appended one per transaction.
        #[arg(long, default_value_t = 2_000)]
        single: u64,
        /// Events appended in batches.
        #[arg(long, default_value_t = 200_000)]
        batched: u64,
        /// Events per batch.
        #[arg(long, default_value_t = 1_000)]
        batch: u64,
        /// Print `ack SEQ` after every committed transaction (used by the crash test).
        #[arg(long)]
        acks: bool,
    },
    /// Builds a large plan (every methodology, 60 vulnerabilities, 150 measures,
    /// 40 recommendations, 20 tactical plans), times the readiness check, and
    /// prints the event id and an API token for the HTTP benchmark.
    Plan {
        /// Readiness checks to time.
        #[arg(long, default_value_t = 1_000)]
        iterations: u32,
    },
    /// The large plan of `bench plan` rendered to PDF and to Word, each timed
    /// over several runs (median), and LibreOffice converting the same Word
    /// file to PDF (`soffice --headless --convert-to pdf`), for the ratios.
    Documents {
        /// Renderings of each form to time.
        #[arg(long, default_value_t = 5)]
        runs: u32,
        /// LibreOffice conversions to time (0 to leave LibreOffice out).
        #[arg(long, default_value_t = 3)]
        soffice_runs: u32,
        /// Keep the PDF and the Word file in this folder.
        #[arg(long)]
        keep: Option<PathBuf>,
    },
    /// Imports N generated crowded places from a CSV file (`cordon places import`'s
    /// path: parse, check, journal, project), then inserts the same rows raw in
    /// batches into a second empty database, for the ratio.
    Places {
        /// Places in the file.
        #[arg(long, default_value_t = 650_000)]
        places: usize,
        /// Keep the CSV file here.
        #[arg(long)]
        keep: Option<PathBuf>,
    },
    /// Allocation: (a) a 20,000-place, 30-adviser instance solved by Cordon and,
    /// on the exported MPS model, by HiGHS (Python's highspy; `--python`); (b) the
    /// national scale, 650,000 places and 190 advisers: time, bound and gap.
    Allocation {
        /// The Python with highspy installed (empty to leave HiGHS out).
        #[arg(long, default_value = "bench/.venv/bin/python")]
        python: String,
        /// Places of the instance compared with HiGHS.
        #[arg(long, default_value_t = 20_000)]
        places: usize,
        /// Advisers of the instance compared with HiGHS.
        #[arg(long, default_value_t = 30)]
        advisers: usize,
        /// Places at national scale (0 to leave it out).
        #[arg(long, default_value_t = 650_000)]
        national_places: usize,
        /// Advisers at national scale.
        #[arg(long, default_value_t = 190)]
        national_advisers: usize,
        /// Seconds HiGHS may take.
        #[arg(long, default_value_t = 600.0)]
        highs_time_limit: f64,
    },
    /// The police estate at national scale: a change of the national threat
    /// level that recomputes every site and tells every member of staff, in
    /// one transaction, against a raw batched insert of the same rows; then
    /// acknowledgements, one small write each.
    Estate {
        /// Sites on the register.
        #[arg(long, default_value_t = 10_000)]
        sites: usize,
        /// Members of staff, shared among the sites.
        #[arg(long, default_value_t = 250_000)]
        staff: usize,
        /// Acknowledgements to time, one at a time.
        #[arg(long, default_value_t = 10_000)]
        acks: usize,
    },
    /// `verify` over N entries, as a ratio of raw HMAC-SHA-256 over the same bytes.
    Verify {
        /// Entries in the journal (appended first if the journal is shorter).
        #[arg(long, default_value_t = 1_000_000)]
        entries: u64,
    },
}

/// A realistic event: a revision of an attack methodology in the catalogue.
fn bench_event(i: u64) -> (Event, Marking) {
    (
        Event::Reference(ReferenceEvent::AttackMethodologyDefined {
            methodology: AttackMethodology {
                id: format!("bench_{}", i % 64),
                name: format!("Benchmark methodology revision {i}"),
                description: "A fast-moving violent attack in which attackers move through a location to kill or \
                              injure as many people as possible; most casualties occur in the first minutes."
                    .into(),
                typical_mitigations: vec![
                    "Run, Hide, Tell guidance for staff and public".into(),
                    "Dynamic lockdown procedures".into(),
                    "Invacuation to protected spaces".into(),
                ],
                sources: vec!["[OFFICIAL] https://www.protectuk.police.uk/".into()],
            },
        }),
        Marking::Official,
    )
}

async fn open_bench(url: Option<String>, key: PathBuf) -> Result<(Store, Option<tempfile::TempDir>)> {
    let (url, key, dir) = match url {
        Some(u) => (u, key, None),
        None => {
            let dir = tempfile::Builder::new().prefix("cordon-bench-").tempdir()?;
            let url = format!("sqlite://{}", dir.path().join("bench.db").display());
            let key = dir.path().join("journal.key");
            (url, key, Some(dir))
        }
    };
    let store = Store::open(&Options { max_connections: 4, ..Options::new(url, key) }).await?;
    Ok((store, dir))
}

pub async fn run(url: Option<String>, key: PathBuf, cmd: &BenchCommand) -> Result<()> {
    match cmd {
        BenchCommand::Append { single, batched, batch, acks } => {
            if *batch == 0 {
                bail!("--batch must be at least 1");
            }
            let (store, _dir) = open_bench(url, key).await?;
            let actor = Actor::new("bench", "cordon");
            let mut out = std::io::stdout().lock();
            let started = Instant::now();
            for i in 0..*single {
                let seqs = store.append(&actor, &[bench_event(i)]).await?;
                if *acks {
                    writeln!(out, "ack {}", seqs[0])?;
                    out.flush()?;
                }
            }
            let single_rate = *single as f64 / started.elapsed().as_secs_f64();
            let started = Instant::now();
            let mut done = 0;
            while done < *batched {
                let n = (*batched - done).min(*batch);
                let events: Vec<_> = (done..done + n).map(bench_event).collect();
                let seqs = store.append(&actor, &events).await?;
                if *acks {
                    writeln!(out, "ack {}", seqs.last().copied().unwrap_or(0))?;
                    out.flush()?;
                }
                done += n;
            }
            let batched_rate = *batched as f64 / started.elapsed().as_secs_f64();
            println!(
                "{}",
                serde_json::json!({
                    "bench": "journal_append",
                    "backend": store.backend().name(),
                    "single_events": single,
                    "single_events_per_second": single_rate.round(),
                    "batched_events": batched,
                    "batch_size": batch,
                    "batched_events_per_second": batched_rate.round(),
                })
            );
        }
        BenchCommand::Plan { iterations } => bench_plan(url, key, *iterations).await?,
        BenchCommand::Places { places, keep } => bench_places(url, key, *places, keep.clone()).await?,
        BenchCommand::Allocation { python, places, advisers, national_places, national_advisers, highs_time_limit } => {
            bench_allocation(python, *places, *advisers, *national_places, *national_advisers, *highs_time_limit)?
        }
        BenchCommand::Documents { runs, soffice_runs, keep } => {
            bench_documents(url, key, *runs, *soffice_runs, keep.clone()).await?
        }
        BenchCommand::Estate { sites, staff, acks } => bench_estate(url, key, *sites, *staff, *acks).await?,
        BenchCommand::Verify { entries } => {
            let (store, _dir) = open_bench(url, key.clone()).await?;
            let have = store.journal_len().await? as u64;
            let actor = Actor::new("bench", "cordon");
            let mut i = have;
            while i < *entries {
                let n = (*entries - i).min(2_000);
                let events: Vec<_> = (i..i + n).map(bench_event).collect();
                store.append(&actor, &events).await?;
                i += n;
                if i % 100_000 < n {
                    eprintln!("appended {i} of {entries}");
                }
            }
            // The same bytes the verifier hashes, read once into memory.
            let mut canon = Vec::new();
            let mut after = 0;
            loop {
                let page = store.journal_page(after, 10_000).await?;
                if page.is_empty() {
                    break;
                }
                after = page.last().map(|(e, _)| e.seq).unwrap_or(after);
                canon.extend(page.into_iter().map(|(e, _)| e.canonical()));
            }
            let bytes: usize = canon.iter().map(Vec::len).sum();
            let raw_key = std::fs::read_to_string(store.key_path())?;
            let chain_key = ChainKey::new(&hex::decode(raw_key.trim())?).map_err(anyhow::Error::msg)?;
            let started = Instant::now();
            let mut prev = GENESIS;
            for c in &canon {
                prev = chain_key.link_bytes(&prev, c);
            }
            let raw = started.elapsed().as_secs_f64();
            std::hint::black_box(prev);
            let started = Instant::now();
            let report = store.verify(&|_| {}).await?;
            let verify = started.elapsed().as_secs_f64();
            if let Some(f) = report.fault {
                bail!("the benchmark journal does not verify: {f}");
            }
            println!(
                "{}",
                serde_json::json!({
                    "bench": "journal_verify",
                    "backend": store.backend().name(),
                    "entries": report.checked,
                    "bytes": bytes,
                    "raw_hmac_seconds": raw,
                    "raw_hmac_entries_per_second": (canon.len() as f64 / raw).round(),
                    "verify_seconds": verify,
                    "verify_entries_per_second": (report.checked as f64 / verify).round(),
                    "ratio_verify_to_raw": raw / verify,
                })
            );
        }
    }
    Ok(())
}

/// The large plan both `bench plan` and `bench documents` measure: every
/// methodology assessed, 60 vulnerabilities, 150 measures, 40
/// recommendations and 20 tactical plans, written item by item.
struct LargePlan {
    email: String,
    user: cordon_store::identity::User,
    viewer: cordon_domain::access::Viewer,
    event: cordon_store::events::EventRecord,
    catalogue: Vec<AttackMethodology>,
    authoring_seconds: f64,
}

async fn large_plan(store: &Store) -> Result<LargePlan> {
    use cordon_domain::identity::{Clearance, OrgKind, Role};
    use cordon_domain::plan::*;
    store.reference().load_reference().await?;
    let system = Actor::system();
    let org = match store.identity().organisation_by_name("Bench Force").await? {
        Some(o) => o,
        None => store.identity().add_organisation(Caller::System(&system), "Bench Force", OrgKind::PoliceForce).await?,
    };
    let email = format!("bench-{}@bench.example", std::process::id());
    let user = store
        .identity()
        .add_user(
            Caller::System(&system),
            cordon_store::identity::NewUser {
                email: cordon_domain::identity::EmailAddress::parse(&email).map_err(anyhow::Error::msg)?,
                name: "Bench Coordinator".into(),
                organisation_id: org.id.clone(),
                roles: vec![Role::SecurityCoordinator],
                clearance: Clearance::Sc,
            },
            "bench tangerine kettle harbour",
        )
        .await?;
    let viewer = store.identity().viewer(&user).await?;
    let event = store
        .events()
        .create_event(
            &user,
            &viewer,
            cordon_store::events::NewEvent {
                name: "Benchmark festival".into(),
                kind: "music_or_festival".into(),
                starts_at: "2027-07-01T10:00:00Z".into(),
                ends_at: "2027-07-03T23:00:00Z".into(),
                venues: vec![cordon_domain::planned_event::Venue { name: "Park".into(), address: "Bench".into() }],
                expected_attendance: 90_000,
                marking: "OFFICIAL-SENSITIVE".into(),
            },
        )
        .await?;
    let viewer = store.identity().viewer(&user).await?;
    let catalogue = store.reference().attack_methodologies().await?;
    let ids: Vec<String> = catalogue.iter().map(|m| m.id.clone()).collect();
    let mut items = Vec::new();
    for (i, m) in ids.iter().enumerate() {
        items.push(PlanItem::RiskAssessment(RiskAssessment {
            methodology: m.clone(),
            applicable: true,
            not_applicable_reason: String::new(),
            likelihood: Some(1 + (i % 5) as u32),
            impact: Some(5 - (i % 3) as u32),
            residual_likelihood: Some(1),
            residual_impact: Some(2),
            no_measure_rationale: String::new(),
            needs_review: false,
        }));
    }
    for i in 0..20 {
        items.push(PlanItem::TacticalPlan(TacticalPlan {
            id: format!("tp{i}"),
            kind: TacticalPlanKind::Other,
            owner: format!("Owner {i}"),
            version: "1".into(),
            received_on: "2027-05-01".into(),
            reviewed_by: "SecCo".into(),
            notes: String::new(),
        }));
    }
    for i in 0..60 {
        items.push(PlanItem::Vulnerability(Vulnerability {
            id: format!("v{i}"),
            location: format!("Gate {i}"),
            description: "An approach with no stand-off from the crowd".into(),
            methodologies: vec![ids[i % ids.len()].clone()],
            severity: 1 + (i % 5) as u32,
        }));
    }
    for i in 0..150 {
        items.push(PlanItem::Measure(Measure {
            id: format!("m{i}"),
            title: format!("Measure {i}: search, screening and stand-off at the perimeter"),
            from_library: i % 2 == 0,
            risks: vec![ids[i % ids.len()].clone(), ids[(i + 1) % ids.len()].clone()],
            vulnerabilities: vec![format!("v{}", i % 60)],
            tactical_plan: Some(format!("tp{}", i % 20)),
            status: MeasureStatus::Accepted,
            decline_reason: None,
            rationale: "Proportionate to the assessed threat".into(),
        }));
    }
    for i in 0..40 {
        items.push(PlanItem::Recommendation(Recommendation {
            id: format!("r{i}"),
            text: format!("Recommendation {i}"),
            priority: Priority::Medium,
            risks: vec![ids[i % ids.len()].clone()],
            proportionality_rationale: "Crowd size and layout".into(),
            status: RecommendationStatus::Accepted,
        }));
    }
    let started = Instant::now();
    for item in items {
        store.plan().save_plan_item(&viewer, &event.id, item).await?;
    }
    let authoring_seconds = started.elapsed().as_secs_f64();
    Ok(LargePlan { email, user, viewer, event, catalogue, authoring_seconds })
}

async fn bench_plan(url: Option<String>, key: PathBuf, iterations: u32) -> Result<()> {
    use cordon_domain::plan::*;
    let keep = url.is_some();
    let (store, _dir) = open_bench(url, key).await?;
    let LargePlan { email, user, viewer, event, catalogue, authoring_seconds: authoring } = large_plan(&store).await?;
    let system = Actor::system();
    let (_, plan) = store.plan().plan(&viewer, &event.id).await?;
    let matrix = store.reference().risk_matrix().await?;
    let cx = Context { matrix: &matrix, catalogue: &catalogue, plan: &plan };
    let started = Instant::now();
    let mut problems = 0;
    for _ in 0..iterations {
        problems += std::hint::black_box(readiness(&plan, &cx)).len();
    }
    let per_check = started.elapsed().as_secs_f64() / f64::from(iterations.max(1));
    // The first view after a change is built from the database; later ones,
    // at the same state of the journal, come from the view cache (each still
    // reads the journal's stamp, checks the policy and logs the read).
    let started = Instant::now();
    std::hint::black_box(store.plan().plan_view(&viewer, &event.id).await?);
    let cold = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let n = 1000;
    for _ in 0..n {
        std::hint::black_box(store.plan().plan_view(&viewer, &event.id).await?);
    }
    let warm = started.elapsed().as_secs_f64() / f64::from(n);
    let token = if keep { Some(store.identity().issue_token(&system, &user.id, "bench", 1).await?.0) } else { None };
    println!(
        "{}",
        serde_json::json!({
            "bench": "plan",
            "backend": store.backend().name(),
            "event_id": event.id,
            "user": email,
            "password": "bench tangerine kettle harbour",
            "token": token,
            "items": plan.items().len(),
            "authoring_seconds": authoring,
            "readiness_ms": per_check * 1000.0,
            "readiness_problems": problems / iterations.max(1) as usize,
            "view_cold_ms": cold * 1000.0,
            "view_warm_ms": warm * 1000.0,
        })
    );
    Ok(())
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    match xs.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => xs[n / 2],
        n => (xs[n / 2 - 1] + xs[n / 2]) / 2.0,
    }
}

/// Times `render` over `runs` runs: the median in seconds, and the last output.
fn timed(runs: u32, render: impl Fn() -> Result<Vec<u8>>) -> Result<(f64, Vec<u8>)> {
    let mut times = Vec::new();
    let mut out = Vec::new();
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        out = render()?;
        times.push(started.elapsed().as_secs_f64());
    }
    Ok((median(times), out))
}

/// The number of pages of a PDF, by pdfinfo (poppler-utils), when it is installed.
fn pdf_pages(path: &std::path::Path) -> Option<u64> {
    let out = std::process::Command::new("pdfinfo").arg(path).output().ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
}

async fn bench_documents(
    url: Option<String>,
    key: PathBuf,
    runs: u32,
    soffice_runs: u32,
    keep: Option<PathBuf>,
) -> Result<()> {
    let (store, _dir) = open_bench(url, key).await?;
    let plan = large_plan(&store).await?;
    let view = store.plan().plan_view(&plan.viewer, &plan.event.id).await?;
    let doc = store.documents().draft(&view);
    // The first rendering parses the template and reads the fonts; it is not timed.
    cordon_documents::pdf(&doc)?;
    let (pdf_s, pdf) = timed(runs, || Ok(cordon_documents::pdf(&doc)?))?;
    let (docx_s, docx) = timed(runs, || Ok(cordon_documents::docx(&doc)?))?;
    let folder = tempfile::Builder::new().prefix("cordon-bench-documents-").tempdir()?;
    let out = keep.unwrap_or_else(|| folder.path().to_path_buf());
    std::fs::create_dir_all(&out)?;
    let pdf_path = out.join("plan.pdf");
    let docx_path = out.join("plan.docx");
    std::fs::write(&pdf_path, &pdf)?;
    std::fs::write(&docx_path, &docx)?;
    let mut soffice_s = None;
    let mut soffice_pages = None;
    if soffice_runs > 0 {
        let converted = folder.path().join("soffice");
        let mut times = Vec::new();
        for _ in 0..soffice_runs {
            // A fresh profile each time, as a server converting one file would have.
            let profile = tempfile::Builder::new().prefix("cordon-soffice-").tempdir()?;
            let started = Instant::now();
            let status = std::process::Command::new("soffice")
                .arg(format!("-env:UserInstallation=file://{}", profile.path().display()))
                .args(["--headless", "--convert-to", "pdf", "--outdir"])
                .arg(&converted)
                .arg(&docx_path)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status();
            match status {
                Ok(s) if s.success() => times.push(started.elapsed().as_secs_f64()),
                Ok(s) => bail!("soffice --convert-to pdf failed ({s})"),
                Err(e) => bail!("soffice could not be run ({e}): install LibreOffice (apt-get install -y libreoffice-writer), or pass --soffice-runs 0"),
            }
        }
        soffice_s = Some(median(times));
        soffice_pages = pdf_pages(&converted.join("plan.pdf"));
    }
    println!(
        "{}",
        serde_json::json!({
            "bench": "documents",
            "items": view.item_count,
            "sections": doc.sections.len(),
            "pdf_pages": pdf_pages(&pdf_path),
            "pdf_bytes": pdf.len(),
            "docx_bytes": docx.len(),
            "runs": runs,
            "pdf_ms": pdf_s * 1000.0,
            "docx_ms": docx_s * 1000.0,
            "soffice_runs": soffice_runs,
            "soffice_docx_to_pdf_ms": soffice_s.map(|s| s * 1000.0),
            "soffice_pdf_pages": soffice_pages,
            "ratio_soffice_to_pdf": soffice_s.map(|s| s / pdf_s),
            "ratio_soffice_to_docx": soffice_s.map(|s| s / docx_s),
            "ratio_soffice_to_pdf_and_docx": soffice_s.map(|s| s / (pdf_s + docx_s)),
        })
    );
    Ok(())
}

/// The resident set size of this process, in MB (Linux; 0 elsewhere).
pub fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(|l| l.to_string()))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|k| k.parse::<f64>().ok()))
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// A generated register of `n` places across Great Britain, as CSV.
pub fn places_csv(n: usize, out: &mut impl Write) -> std::io::Result<()> {
    use cordon_domain::places::Sector;
    writeln!(out, "reference,name,sector,use,capacity,latitude,longitude,address")?;
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let uses = [
        "shop",
        "food_and_drink",
        "museum",
        "sports_ground",
        "entertainment_venue",
        "hotel",
        "place_of_worship",
        "school",
        "health",
        "transport_hub",
        "office",
        "visitor_attraction",
    ];
    for i in 0..n {
        let r = next();
        let sector = Sector::ALL[(r % 12) as usize];
        let use_ = uses[((r >> 8) % uses.len() as u64) as usize];
        // Most places are small: capacities from 20 to 60,000, skewed low.
        let capacity = 20 + ((r >> 16) % 1000).pow(3) / 16_000;
        let lat = 50.2 + 8.3 * ((r >> 32) % 100_000) as f64 / 100_000.0;
        let lon = -5.5 + 7.2 * ((next() >> 20) % 100_000) as f64 / 100_000.0;
        writeln!(
            out,
            "GB-{i:07},Place {i},{},{use_},{capacity},{lat:.5},{lon:.5},\"{} High Street, Town {}\"",
            sector.as_str(),
            1 + i % 300,
            i % 5_000
        )?;
    }
    Ok(())
}

async fn bench_places(url: Option<String>, key: PathBuf, n: usize, keep: Option<PathBuf>) -> Result<()> {
    let dir = tempfile::Builder::new().prefix("cordon-bench-places-").tempdir()?;
    let file = keep.unwrap_or_else(|| dir.path().join("places.csv"));
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&file)?);
        places_csv(n, &mut w)?;
        w.flush()?;
    }
    let bytes = std::fs::metadata(&file)?.len();
    let (store, _d1) = open_bench(url.clone(), key.clone()).await?;
    let actor = Actor::new("bench", "cordon");
    let started = Instant::now();
    let text = std::fs::read_to_string(&file)?;
    let report = match store.places().import_csv(Caller::System(&actor), &actor, &text).await {
        Ok(r) => r,
        Err(e) => bail!("the import failed: {e}"),
    };
    let import = started.elapsed().as_secs_f64();
    let rss_after_import = rss_mb();
    drop(text);
    // The same rows, parsed (untimed), inserted raw in batches into an empty database.
    let rows = cordon_store::places::parse_csv(&std::fs::read_to_string(&file)?).map_err(|e| anyhow::anyhow!("{e}"))?;
    let _ = (url, key);
    let raw = store.places().raw_insert_for_bench(&rows).await?;
    println!(
        "{}",
        serde_json::json!({
            "bench": "places_import",
            "backend": store.backend().name(),
            "places": report.rows,
            "csv_bytes": bytes,
            "import_seconds": import,
            "import_places_per_second": (report.rows as f64 / import).round(),
            "raw_batched_insert_seconds": raw,
            "import_speed_over_raw_insert": raw / import,
            "rss_mb_after_import": rss_after_import,
        })
    );
    Ok(())
}

async fn bench_estate(url: Option<String>, key: PathBuf, sites: usize, staff: usize, acks: usize) -> Result<()> {
    use cordon_domain::identity::{Clearance, OrgKind, Role};
    use cordon_domain::threat::{Series, ThreatLevel};
    if sites == 0 {
        bail!("--sites must be at least 1");
    }
    let (store, _dir) = open_bench(url, key).await?;
    store.reference().load_reference().await?;
    let system = Actor::system();
    let org = match store.identity().organisation_by_name("Bench Force").await? {
        Some(o) => o,
        None => store.identity().add_organisation(Caller::System(&system), "Bench Force", OrgKind::PoliceForce).await?,
    };
    let started = Instant::now();
    store.estate().seed_for_bench(&system, &org.id, sites, staff).await?;
    eprintln!("seeded {sites} sites and {staff} staff in {:.1} s", started.elapsed().as_secs_f64());
    // A level that moves every site: to CRITICAL (EXCEPTIONAL), or down from it.
    let now = store.estate().threat_level_now().await?;
    let to = if now == Some(ThreatLevel::Critical) { ThreatLevel::Substantial } else { ThreatLevel::Critical };
    let before = store.journal_len().await?;
    let started = Instant::now();
    store
        .threat()
        .record_threat_level(Caller::System(&system), Series::National, to, store.today(), "Benchmark change")
        .await?;
    let change = started.elapsed().as_secs_f64();
    let (raw, rows) = store.estate().raw_insert_for_bench(before).await?;
    let notices = store.estate().notices_for_bench(acks as i64).await?;
    let started = Instant::now();
    for (id, user_id) in &notices {
        let viewer = cordon_domain::access::Viewer {
            user_id: user_id.clone(),
            organisation_id: org.id.clone(),
            roles: vec![Role::Staff],
            clearance: Clearance::Bpss,
            active: true,
            teams: Default::default(),
        };
        store.estate().acknowledge(&viewer, id).await?;
    }
    let ack_seconds = started.elapsed().as_secs_f64();
    let told = store.estate().notices_for_bench(i64::MAX).await?.len() + notices.len();
    println!(
        "{}",
        serde_json::json!({
            "bench": "estate_level_change",
            "backend": store.backend().name(),
            "sites": sites,
            "staff": staff,
            "level": to.as_str(),
            "staff_told": told,
            "rows_written": rows,
            "change_seconds": change,
            "raw_batched_insert_seconds": raw,
            "change_speed_over_raw_insert": raw / change,
            "acknowledgements": notices.len(),
            "acknowledgement_ms_each": if notices.is_empty() { 0.0 } else { ack_seconds * 1000.0 / notices.len() as f64 },
        })
    );
    Ok(())
}

fn bench_allocation(
    python: &str,
    places: usize,
    advisers: usize,
    national_places: usize,
    national_advisers: usize,
    highs_time_limit: f64,
) -> Result<()> {
    use cordon_domain::places::allocation::{check, random_instance, solve_with, write_mps};
    // (a) The comparison with HiGHS. Advisers travel 60 km and have 150 hours.
    let inst = random_instance(20_261_129, places, advisers, 60.0, 150.0);
    let started = Instant::now();
    let el = inst.eligibility();
    let sol = solve_with(&inst, &el, 4);
    let cordon_seconds = started.elapsed().as_secs_f64();
    check(&inst, &sol.adviser).map_err(anyhow::Error::msg)?;
    let dir = tempfile::Builder::new().prefix("cordon-bench-allocation-").tempdir()?;
    let mps = dir.path().join("instance.mps");
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&mps)?);
        write_mps(&inst, &el, &mut w)?;
        w.flush()?;
    }
    let mut highs = serde_json::Value::Null;
    if !python.is_empty() {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/highs_solve.py");
        let out = std::process::Command::new(python)
            .arg(script)
            .arg(&mps)
            .arg(highs_time_limit.to_string())
            .output()
            .map_err(|e| anyhow::anyhow!("cannot run {python}: {e} (see BENCHMARKS.md for the venv)"))?;
        if !out.status.success() {
            bail!("HiGHS failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        let optimum = -v["objective"].as_f64().unwrap_or(0.0);
        let highs_seconds = v["seconds"].as_f64().unwrap_or(0.0);
        highs = serde_json::json!({
            "status": v["status"],
            "objective": optimum,
            "mip_gap": v["mip_gap"],
            "seconds": highs_seconds,
            "cordon_over_highs": sol.objective / optimum,
            "cordon_within_percent_of_highs": 100.0 * (optimum - sol.objective) / optimum,
            "speedup": highs_seconds / cordon_seconds,
        });
    }
    println!(
        "{}",
        serde_json::json!({
            "bench": "allocation_compare",
            "places": places,
            "advisers": advisers,
            "eligible_pairs": el.list.len(),
            "cordon_seconds": cordon_seconds,
            "cordon_objective": sol.objective,
            "cordon_upper_bound": sol.upper_bound,
            "cordon_gap_percent": 100.0 * sol.gap(),
            "places_allocated": sol.allocated(),
            "highs": highs,
        })
    );
    if national_places > 0 {
        let before = rss_mb();
        let inst = random_instance(650_000, national_places, national_advisers, 60.0, 200.0);
        let started = Instant::now();
        let el = inst.eligibility();
        let eligibility_seconds = started.elapsed().as_secs_f64();
        let sol = solve_with(&inst, &el, 4);
        let seconds = started.elapsed().as_secs_f64();
        check(&inst, &sol.adviser).map_err(anyhow::Error::msg)?;
        println!(
            "{}",
            serde_json::json!({
                "bench": "allocation_national",
                "places": national_places,
                "advisers": national_advisers,
                "eligible_pairs": el.list.len(),
                "eligibility_seconds": eligibility_seconds,
                "seconds": seconds,
                "objective": sol.objective,
                "upper_bound": sol.upper_bound,
                "gap_percent": 100.0 * sol.gap(),
                "places_allocated": sol.allocated(),
                "rss_mb_added": rss_mb() - before,
            })
        );
    }
    Ok(())
}
