//! `cordon`: the one binary. Serves the application, runs the demo, and gives
//! operators the journal and administration commands.

mod admin;
mod bench;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use cordon_domain::reference::parse_date;
use cordon_domain::threat::{Series, ThreatLevel};
use cordon_store::records::Caller;
use cordon_store::{Actor, Options, Store};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

const DEFAULT_DB: &str = "sqlite://cordon-data/cordon.db";
const DEMO_DB: &str = "sqlite://cordon-data/demo.db";

#[derive(Parser)]
#[command(
    name = "cordon",
    version,
    about = "Counter-terrorism protective security planning and coordination",
    long_about = "Cordon: counter-terrorism protective security planning and coordination.\n\n\
        Every change is recorded in a tamper-evident journal. Without --database-url, Cordon keeps \
        an embedded SQLite database under ./cordon-data/.",
    after_help = "Exit status: 0 on success, 1 on error, 2 for bad arguments, 3 when `verify` or \
        `rebuild` finds the data inconsistent."
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Global {
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DATABASE.
    /// [default: sqlite://cordon-data/cordon.db; sqlite://cordon-data/demo.db for `demo`]
    #[arg(long, global = true, env = "CORDON_DATABASE_URL")]
    database_url: Option<String>,
    /// The journal key file (created, owner-only, on first start).
    #[arg(long, global = true, env = "CORDON_JOURNAL_KEY", default_value = "cordon-data/journal.key")]
    journal_key: PathBuf,
    /// This deployment is accredited to hold SECRET material (otherwise SECRET is refused).
    #[arg(long, global = true, env = "CORDON_SECRET_ACCREDITED")]
    secret_accredited: bool,
    /// Log format.
    #[arg(long, global = true, value_enum, env = "CORDON_LOG_FORMAT", default_value = "text")]
    log_format: LogFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Args, Clone)]
struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080", env = "CORDON_LISTEN")]
    listen: SocketAddr,
    /// The public address, such as https://cordon.example.police.uk. An https
    /// address turns on HSTS and Secure cookies (TLS ends at your proxy).
    #[arg(long, env = "CORDON_PUBLIC_URL")]
    public_url: Option<String>,
    /// A proxy in front of Cordon (such as the one that ends TLS) whose
    /// X-Forwarded-For header is believed; repeat for each. The client is then
    /// the right-most address in that header that is not a trusted proxy. From
    /// anyone else the header is ignored.
    #[arg(long = "trusted-proxy", value_name = "IP", env = "CORDON_TRUSTED_PROXY", value_delimiter = ',')]
    trusted_proxy: Vec<std::net::IpAddr>,
    /// The token /metrics asks for, as `Authorization: Bearer TOKEN` (for the
    /// operator's Prometheus scraper). Without one, /metrics is not served.
    #[arg(long, env = "CORDON_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
    /// Largest database connection pool.
    #[arg(long, default_value_t = 16)]
    max_connections: u32,
    /// An SMTP relay to e-mail notices through: smtp://host:port (add
    /// ?tls=required for STARTTLS) or smtps://host:port. Off by default; the
    /// notices are in the application either way.
    #[arg(long, env = "CORDON_SMTP_URL")]
    smtp_url: Option<String>,
    /// The sender of e-mailed notices.
    #[arg(long, env = "CORDON_SMTP_FROM", default_value = "Cordon <cordon@localhost>")]
    smtp_from: String,
}

#[derive(Subcommand)]
enum Command {
    /// Serve Cordon (runs migrations and loads reference data first).
    Serve(ServeArgs),
    /// Create (or reuse) a demo database with realistic data, and serve it.
    Demo(ServeArgs),
    /// Create or update the database schema and load reference data, then exit.
    Migrate,
    /// Check the journal: exit 0 when intact, 3 naming the first bad entry otherwise.
    Verify,
    /// Replay the journal into empty state tables and compare with the live state.
    Rebuild {
        /// Compare only; leave the live state as it is.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write a consistent online copy of a SQLite database to FILE.
    Backup {
        /// The new file to write (must not exist).
        file: PathBuf,
    },
    /// National and Northern Ireland-related threat levels.
    #[command(subcommand)]
    ThreatLevel(ThreatLevelCommand),
    /// Organisations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Users.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens for scripts.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Measure journal and server performance (see BENCHMARKS.md).
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// Disclosure bundles: export an event's signed bundle, or verify one.
    #[command(subcommand)]
    Disclosure(DisclosureCommand),
    /// The register of crowded places.
    #[command(subcommand)]
    Places(PlacesCommand),
    /// Adviser allocation runs.
    #[command(subcommand)]
    Allocation(AllocationCommand),
}

#[derive(Subcommand)]
enum AllocationCommand {
    /// Allocate adviser visits for a period over the whole register (as
    /// POST /api/v1/allocation/runs does, without a request timeout: a
    /// national run takes minutes) and record the run.
    Run {
        /// The period's first day, YYYY-MM-DD.
        #[arg(long)]
        period_start: String,
        /// The period's last day, YYYY-MM-DD (on or after the first).
        #[arg(long)]
        period_end: String,
        /// Who runs it (for the journal).
        #[arg(long, default_value = "operator", env = "USER")]
        actor: String,
    },
    /// Write a run's exact instance as an MPS model (binary x_i_j for each
    /// place i and adviser j within reach; rows p_i at most one adviser, a_j hours).
    Export {
        /// The run's id.
        #[arg(long)]
        run: String,
        /// The MPS file to write.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum PlacesCommand {
    /// Import places from a CSV file (columns exactly
    /// reference,name,sector,use,capacity,latitude,longitude,address). Every row is
    /// checked first; a bad row is reported by line and column and nothing is imported.
    Import {
        /// The CSV file.
        file: PathBuf,
        /// Who is importing (for the journal).
        #[arg(long, default_value = "operator", env = "USER")]
        actor: String,
    },
}

#[derive(Subcommand)]
enum DisclosureCommand {
    /// Write an event's disclosure bundle (a signed zip) to FILE.zip.
    Export {
        /// The event's id.
        #[arg(long)]
        event: String,
        /// The zip file to write (must not exist).
        #[arg(long)]
        out: PathBuf,
        /// Who is exporting (for the access log).
        #[arg(long, default_value = "operator", env = "USER")]
        actor: String,
    },
    /// Check a bundle: exit 0 when intact; 3 naming the first file whose hash
    /// does not match, or saying the signature fails; 1 when it is not a bundle.
    /// Needs no database and no journal key.
    Verify {
        /// The bundle.
        file: PathBuf,
        /// The deployment's public key (PEM, from GET /api/v1/signing-key), to
        /// be sure who signed it; without it, the key the bundle names is used.
        #[arg(long)]
        key: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Add an organisation.
    Add {
        #[arg(long)]
        name: String,
        /// police_force, ct_policing, fire_rescue, ambulance, local_authority, venue_operator or other.
        #[arg(long)]
        kind: String,
    },
    /// List organisations.
    List,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user. The password is read from standard input when it is not a
    /// terminal; otherwise one is generated and printed once.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// The organisation's name.
        #[arg(long)]
        org: String,
        /// One or more of strategic_commander, security_coordinator, deployment_authority,
        /// security_adviser, tactical_adviser, estates_manager, staff, partner, auditor,
        /// administrator (comma-separated).
        #[arg(long)]
        role: String,
        /// none, BPSS, CTC, SC or DV.
        #[arg(long)]
        clearance: String,
    },
    /// Disable a user: their sessions end and they cannot sign in; history is kept.
    Disable { email: String },
    /// List users.
    List,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Issue an API token for a user and print it (shown once).
    Issue {
        #[arg(long)]
        user: String,
        #[arg(long, default_value_t = 90)]
        expires_days: i64,
        /// What the token is for.
        #[arg(long, default_value = "issued from the command line")]
        name: String,
    },
}

#[derive(Subcommand)]
enum ThreatLevelCommand {
    /// Record an announced change of threat level.
    Set {
        /// national, ni-in-ni or ni-in-gb.
        series: String,
        /// LOW, MODERATE, SUBSTANTIAL, SEVERE or CRITICAL.
        level: String,
        /// The day it was announced, YYYY-MM-DD.
        #[arg(long)]
        effective: String,
        /// What was announced and by whom.
        #[arg(long)]
        note: String,
        /// Who is recording it (for the journal).
        #[arg(long, default_value = "administrator", env = "USER")]
        actor: String,
    },
    /// Show the current level of every series.
    Show,
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CORDON_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

async fn open(global: &Global, default_url: &str, create_key: bool, max_connections: u32) -> Result<Store> {
    let url = global.database_url.clone().unwrap_or_else(|| default_url.to_string());
    let store = Store::open(&Options {
        create_key,
        max_connections,
        secret_accredited: global.secret_accredited,
        ..Options::new(url, global.journal_key.clone())
    })
    .await?;
    Ok(store)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down: finishing requests in flight");
}

async fn serve(store: Store, args: &ServeArgs, demo: bool) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener.local_addr()?;
    let config = cordon_web::Config {
        public_url: args.public_url.clone(),
        trusted_proxies: args.trusted_proxy.clone(),
        metrics_token: args.metrics_token.clone().filter(|t| !t.trim().is_empty()),
        mail_enabled: args.smtp_url.as_ref().is_some_and(|u| !u.trim().is_empty()),
        ..Default::default()
    };
    println!("Cordon is listening on http://{addr}");
    if demo {
        println!("Demo data is loaded ({} database at {}).", store.backend().name(), store.url());
        let creds = store.demo().demo_credentials().await?;
        println!();
        println!("DEMO ACCOUNTS (demonstration only). Every account's password is: {}", creds.password);
        for (role, email) in &creds.users {
            println!("  {email:<40} {role}");
        }
        if let Some(secret) = &creds.admin_totp_secret {
            println!("The administrator also needs a two-step code: add this key to an authenticator app,");
            println!("or run `oathtool --totp -b {secret}`. Key: {secret}");
        }
        println!();
        println!("Open http://{addr}/sign-in first and sign in as secco@northshire.police.example (the security coordinator).");
        println!("http://{addr}/threat-levels shows the threat levels and their history without signing in.");
        println!("The JSON API starts at http://{addr}/api/v1/threat-levels.");
    }
    println!("Press Ctrl+C to stop.");
    tracing::info!(%addr, backend = store.backend().name(), "serving");
    let mail = args.smtp_url.as_ref().filter(|u| !u.trim().is_empty()).map(|url| cordon_web::mail::MailSettings {
        smtp_url: url.clone(),
        from: args.smtp_from.clone(),
        public_url: args.public_url.clone().unwrap_or_else(|| format!("http://{addr}")),
    });
    let background = cordon_web::mail::spawn(store.clone(), mail)?;
    let state = cordon_web::AppState::new(store.clone(), config);
    cordon_web::serve(listener, state, shutdown_signal()).await?;
    background.abort();
    store.close().await;
    Ok(())
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let g = &cli.global;
    match &cli.command {
        Command::Serve(args) => {
            let store = open(g, DEFAULT_DB, true, args.max_connections).await?;
            store.reference().load_reference().await?;
            serve(store, args, false).await?;
        }
        Command::Demo(args) => {
            let store = open(g, DEMO_DB, true, args.max_connections).await?;
            let created = store.demo().seed_demo().await?;
            println!(
                "{}",
                if created { "Created the demo data." } else { "Reusing the demo data already in this database." }
            );
            serve(store, args, true).await?;
        }
        Command::Migrate => {
            let store = open(g, DEFAULT_DB, true, 2).await?;
            for outcome in store.reference().load_reference().await? {
                println!("{outcome:?}");
            }
            println!("The {} database at {} is up to date.", store.backend().name(), store.url());
        }
        Command::Verify => {
            let store = open(g, DEFAULT_DB, false, 2).await?;
            for ledger in [cordon_store::Ledger::Journal, cordon_store::Ledger::AccessLog] {
                let started = std::time::Instant::now();
                let report = store.verify_ledger(ledger, &|_| {}).await?;
                match report.fault {
                    None => println!(
                        "The {} is intact: {} entries verified in {:.2} s.",
                        ledger.name(),
                        report.checked,
                        started.elapsed().as_secs_f64()
                    ),
                    Some(fault) => {
                        eprintln!("error: {} verification failed at entry {}: {fault}", ledger.name(), fault.seq());
                        return Ok(ExitCode::from(3));
                    }
                }
            }
        }
        Command::Rebuild { dry_run } => {
            let store = open(g, DEFAULT_DB, false, 2).await?;
            let v = store.verify(&|_| {}).await?;
            if let Some(fault) = v.fault {
                eprintln!(
                    "error: the journal fails verification at entry {} ({fault}); it will not be replayed",
                    fault.seq()
                );
                return Ok(ExitCode::from(3));
            }
            let report = store.rebuild(!dry_run).await?;
            if report.equal {
                println!(
                    "Replayed {} journal entries: the result equals the live state.{}",
                    report.entries,
                    if *dry_run { " (dry run: nothing changed)" } else { "" }
                );
            } else {
                println!("Replayed {} journal entries: the result DIFFERS from the live state:", report.entries);
                for d in &report.differences {
                    println!("  {d}");
                }
                println!(
                    "{}",
                    if report.applied {
                        "The live state has been replaced by the replayed state."
                    } else {
                        "Dry run: the live state was left as it was."
                    }
                );
                return Ok(ExitCode::from(3));
            }
        }
        Command::Backup { file } => {
            let store = open(g, DEFAULT_DB, false, 2).await?;
            store.backup(file).await?;
            println!("Wrote a consistent copy of {} to {}.", store.url(), file.display());
            println!("Keep the journal key ({}) safe too, apart from the backup.", store.key_path().display());
        }
        Command::ThreatLevel(cmd) => threat_level(g, cmd).await?,
        Command::Org(cmd) => admin::org(open(g, DEFAULT_DB, true, 2).await?, cmd).await?,
        Command::User(cmd) => admin::user(open(g, DEFAULT_DB, true, 2).await?, cmd).await?,
        Command::Token(cmd) => admin::token(open(g, DEFAULT_DB, true, 2).await?, cmd).await?,
        Command::Bench(cmd) => bench::run(g.database_url.clone(), g.journal_key.clone(), cmd).await?,
        Command::Disclosure(cmd) => return disclosure(g, cmd).await,
        Command::Places(cmd) => return places(g, cmd).await,
        Command::Allocation(AllocationCommand::Run { period_start, period_end, actor }) => {
            let start = parse_date(period_start.trim())
                .map_err(|_| anyhow!("--period-start: {period_start:?} is not a date YYYY-MM-DD"))?;
            let end = parse_date(period_end.trim())
                .map_err(|_| anyhow!("--period-end: {period_end:?} is not a date YYYY-MM-DD"))?;
            if end < start {
                bail!("--period-end: the period must end on or after the day it starts");
            }
            let store = open(g, DEFAULT_DB, true, 2).await?;
            store.reference().load_reference().await?;
            let actor = Actor::new(actor.clone(), "cordon");
            let run =
                store.places().run_allocation(Caller::System(&actor), &actor, start, end).await.map_err(
                    |e| match e {
                        cordon_store::StoreError::Invalid { field, message } => anyhow!("{field}: {message}"),
                        e => e.into(),
                    },
                )?;
            println!("Recorded allocation run {}.", run.id);
            println!("id: {}", run.id);
            println!("objective: {:.3}", run.objective);
            println!("upper bound: {:.3}", run.upper_bound);
            println!("gap: {:.4}%", run.gap * 100.0);
            println!("places allocated: {} of {}", run.places_allocated, run.places);
            println!("seconds: {:.2}", run.seconds);
        }
        Command::Allocation(AllocationCommand::Export { run, out }) => {
            let store = open(g, DEFAULT_DB, true, 2).await?;
            let actor = Actor::new("operator", "cordon");
            let inst = store.places().instance(Caller::System(&actor), run).await.map_err(|e| match e {
                cordon_store::StoreError::NotFound { .. } => anyhow!("--run: there is no allocation run {run}"),
                e => e.into(),
            })?;
            let el = inst.eligibility();
            let f = std::fs::File::create(out).with_context(|| format!("cannot create {}", out.display()))?;
            let mut w = std::io::BufWriter::new(f);
            cordon_domain::places::allocation::write_mps(&inst, &el, &mut w)
                .and_then(|_| std::io::Write::flush(&mut w))
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "Wrote run {run} to {} ({} places, {} advisers, {} place-adviser pairs within reach).",
                out.display(),
                inst.places(),
                inst.advisers(),
                el.list.len()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn threat_level(g: &Global, cmd: &ThreatLevelCommand) -> Result<()> {
    match cmd {
        ThreatLevelCommand::Set { series, level, effective, note, actor } => {
            let series: Series = series.parse().map_err(|e: String| anyhow!("series: {e}"))?;
            let level: ThreatLevel = level.parse().map_err(|e: String| anyhow!("level: {e}"))?;
            let effective = parse_date(effective).map_err(|e| anyhow!("--effective: {e}"))?;
            let store = open(g, DEFAULT_DB, true, 2).await?;
            store.reference().load_reference().await?;
            let seq = store
                .threat()
                .record_threat_level(
                    Caller::System(&Actor::new(actor.clone(), "cordon")),
                    series,
                    level,
                    effective,
                    note,
                )
                .await
                .map_err(|e| match e {
                    cordon_store::StoreError::Invalid { field, message } => anyhow!("{field}: {message}"),
                    e => e.into(),
                })?;
            println!("Recorded: {series} is {level} from {effective} (journal entry {seq}).");
        }
        ThreatLevelCommand::Show => {
            let store = open(g, DEFAULT_DB, true, 2).await?;
            store.reference().load_reference().await?;
            for s in Series::ALL {
                match store.threat().level_on(s, None).await {
                    Ok(l) => println!("{s}: {} (response {}) since {}", l.level, l.response_level, l.since),
                    Err(cordon_store::threat::LevelOnError::Lookup(e)) => println!("{s}: {e}"),
                    Err(cordon_store::threat::LevelOnError::Store(e)) => bail!(e),
                }
            }
        }
    }
    Ok(())
}

/// The PDF renderer for bundles made at the command line: the same as the
/// plan's downloads.
fn render_pdf(doc: &cordon_domain::documents::Document) -> Result<Vec<u8>, String> {
    cordon_documents::pdf(doc).map_err(|e| e.to_string())
}

async fn places(g: &Global, cmd: &PlacesCommand) -> Result<ExitCode> {
    match cmd {
        PlacesCommand::Import { file, actor } => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read {} as UTF-8 text", file.display()))?;
            let store = open(g, DEFAULT_DB, true, 2).await?;
            store.reference().load_reference().await?;
            let actor = Actor::new(actor.clone(), "cordon");
            let started = std::time::Instant::now();
            match store.places().import_csv(Caller::System(&actor), &actor, &text).await {
                Ok(r) => println!(
                    "Imported {} places from {} ({} added, {} changed) in {:.1} s.",
                    r.rows,
                    file.display(),
                    r.added,
                    r.changed,
                    started.elapsed().as_secs_f64()
                ),
                Err(cordon_store::places::ImportError::Row(p)) => {
                    eprintln!("{}: line {}, column {}: {}", file.display(), p.line, p.column, p.message);
                    eprintln!("Nothing was imported.");
                    return Ok(ExitCode::from(2));
                }
                Err(cordon_store::places::ImportError::Store(e)) => return Err(e.into()),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn disclosure(g: &Global, cmd: &DisclosureCommand) -> Result<ExitCode> {
    match cmd {
        DisclosureCommand::Export { event, out, actor } => {
            let id: cordon_domain::ids::EventId = event.parse().map_err(|e| anyhow!("--event: {e}"))?;
            if out.exists() {
                bail!("{} already exists; choose a new file name", out.display());
            }
            let store = open(g, DEFAULT_DB, true, 2).await?;
            let bundle = store
                .disclosure()
                .export(Caller::System(&Actor::new(actor.clone(), "cordon")), &id, &render_pdf)
                .await
                .map_err(|e| match e {
                    cordon_store::StoreError::NotFound { .. } => anyhow!("--event: there is no event {event}"),
                    e => e.into(),
                })?;
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(out)
                .with_context(|| format!("cannot create {}", out.display()))?;
            std::io::Write::write_all(&mut f, &bundle.bytes)
                .and_then(|_| f.sync_all())
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "Wrote the disclosure bundle to {} ({} files, {} bytes).",
                out.display(),
                bundle.files,
                bundle.bytes.len()
            );
            for note in &bundle.notes {
                println!("Note: {note}");
            }
            println!(
                "Signed with the key at GET /api/v1/signing-key; check it with `cordon disclosure verify {}`.",
                out.display()
            );
        }
        DisclosureCommand::Verify { file, key } => {
            let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            let key = match key {
                Some(path) => {
                    use ed25519_dalek::pkcs8::DecodePublicKey;
                    let pem =
                        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
                    Some(
                        ed25519_dalek::VerifyingKey::from_public_key_pem(&pem)
                            .map_err(|_| anyhow!("--key: {} is not an Ed25519 public key in PEM", path.display()))?,
                    )
                }
                None => None,
            };
            match cordon_store::disclosure::verify_bundle(&bytes, key.as_ref()) {
                Ok(v) => {
                    println!(
                        "The bundle is intact: {} files, the disclosure bundle of \"{}\" made {}.",
                        v.files, v.event_name, v.created_at
                    );
                    println!("Signed by Ed25519 key {}.", v.public_key_hex);
                    if key.is_none() {
                        println!(
                            "Compare that key with the deployment's (GET /api/v1/signing-key), or pass it with --key."
                        );
                    }
                    for note in &v.notes {
                        println!("Note: {note}");
                    }
                }
                Err(cordon_store::disclosure::BundleFault::Unreadable(m)) => {
                    eprintln!("error: {}: {m}", file.display());
                    return Ok(ExitCode::FAILURE);
                }
                Err(cordon_store::disclosure::BundleFault::Tampered(m)) => {
                    eprintln!("error: the bundle {} has been changed: {m}", file.display());
                    return Ok(ExitCode::from(3));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.global.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            eprintln!("error: {}", chain.join(": "));
            ExitCode::FAILURE
        }
    }
}
