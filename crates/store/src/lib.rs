//! Cordon's storage layer.
//!
//! Every change is a typed [`Event`] appended to the journal in the same
//! transaction that the [`projector`] applies it to the state tables; nothing
//! else writes state. The same code runs on SQLite (the embedded default) and
//! PostgreSQL, chosen by the database URL.

pub mod advice;
pub mod audit;
pub mod clock;
pub mod demo;
pub mod disclosure;
pub mod documents;
pub mod estate;
pub mod events;
pub mod identity;
pub mod journal;
pub mod notifications;
pub mod places;
pub mod plan;
pub mod policy;
pub mod projector;
pub mod records;
pub mod reference;
pub mod seco;
mod sql;
pub mod tasks;
pub mod threat;
mod verify_sqlite;

pub use clock::{Clock, PasswordCost};
pub use journal::{AccessEntry, Actor, Expect, Ledger, RebuildReport, VerifyReport};
pub use sql::{Row, Stmt, Tx, Val};

use cordon_domain::journal::{ChainKey, KEY_LEN};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Everything that can go wrong in the store, each with a message a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Bad configuration: a URL, a key file, a path.
    #[error("{0}")]
    Config(String),
    #[error("cannot reach the database at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    /// Input that breaks a rule; names the field.
    #[error("{message}")]
    Invalid { field: String, message: String },
    #[error("{message}")]
    NotFound { field: Option<String>, message: String },
    #[error("{0}")]
    Conflict(String),
    /// A write based on a state that someone else has since changed
    /// (optimistic concurrency): nothing was written.
    #[error("{0}")]
    Stale(String),
    /// The viewer may see the record but no role of theirs allows the action.
    #[error("{0}")]
    Forbidden(String),
    /// The rules for an action are not all met: every problem, with where to fix it.
    #[error("{message}")]
    RulesNotMet {
        /// A short identifier for clients, such as `not_ready`.
        code: &'static str,
        message: String,
        problems: Vec<cordon_domain::rules::Problem>,
    },
    /// Too many wrong passwords for the account: nothing was checked. Try
    /// again after this many seconds.
    #[error("too many wrong passwords for this account; try again in {retry_after} seconds")]
    Throttled { retry_after: i64 },
    /// Every turn at checking passwords is taken: try again after this many seconds.
    #[error("the server is busy checking passwords; try again in {retry_after} seconds")]
    Busy { retry_after: i64 },
    #[error("the stored data is inconsistent: {0}")]
    Integrity(String),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        StoreError::Invalid { field: field.to_string(), message: message.into() }
    }

    pub fn not_found(field: Option<&str>, message: impl Into<String>) -> Self {
        StoreError::NotFound { field: field.map(str::to_string), message: message.into() }
    }
}

/// Which database a URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else {
            Err(StoreError::Config(format!(
                "unsupported database URL {:?}: use sqlite://PATH or postgres://USER@HOST/DATABASE",
                redact(url)
            )))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// A URL with any password removed, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// How to open a store.
#[derive(Debug, Clone)]
pub struct Options {
    pub url: String,
    /// The journal key file. Created (owner-only) on first start of an empty journal.
    pub key_path: PathBuf,
    /// Create the key when it is missing and the journal is empty. `verify` opens without.
    pub create_key: bool,
    pub max_connections: u32,
    /// Whether this deployment is accredited to hold SECRET material.
    pub secret_accredited: bool,
    /// The time the store works to (the system clock unless a test injects one).
    pub clock: Clock,
    /// How costly password hashes are (standard, unless the test kit says otherwise).
    pub password_cost: PasswordCost,
}

impl Options {
    /// Options for a database URL and journal key, with the defaults: the
    /// key created when the journal is empty, 16 connections, no SECRET,
    /// the system clock and standard password hashing.
    pub fn new(url: impl Into<String>, key_path: impl Into<PathBuf>) -> Self {
        Options {
            url: url.into(),
            key_path: key_path.into(),
            create_key: true,
            max_connections: 16,
            secret_accredited: false,
            clock: Clock::system(),
            password_cost: PasswordCost::Standard,
        }
    }
}

#[derive(Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

pub(crate) struct Inner {
    pool: Pool,
    key: Option<ChainKey>,
    /// The Ed25519 key that signs disclosure bundles (beside the journal key).
    pub(crate) signing: Option<ed25519_dalek::SigningKey>,
    key_path: PathBuf,
    url: String,
    /// The SQLite database file, for the fast verifier.
    sqlite_path: Option<PathBuf>,
    write_lock: tokio::sync::Mutex<()>,
    access_lock: tokio::sync::Mutex<()>,
    /// Parsed drafts by event, with the journal sequence they reflect.
    plan_cache: std::sync::Mutex<std::collections::HashMap<String, (i64, cordon_domain::plan::Plan)>>,
    /// Computed plan views by event, each for one state of the journal.
    plan_views: std::sync::Mutex<std::collections::HashMap<String, Arc<plan::PlanView>>>,
    /// The access log's group-commit writer, started on first use.
    access_writer: std::sync::OnceLock<tokio::sync::mpsc::Sender<journal::AccessJob>>,
    deployment: cordon_domain::access::Deployment,
    clock: Clock,
    pub(crate) password_cost: PasswordCost,
    /// Turns at hashing or checking a password (see [`Store::password_turn`]).
    password_turns: Arc<tokio::sync::Semaphore>,
}

/// A handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pub(crate) inner: Arc<Inner>,
}

impl Store {
    /// Connects, runs migrations and loads the journal key.
    pub async fn open(opts: &Options) -> Result<Store, StoreError> {
        let backend = Backend::of(&opts.url)?;
        let unreachable = |e: sqlx::Error| StoreError::Unreachable { url: redact(&opts.url), reason: e.to_string() };
        let mut sqlite_path = None;
        let pool = match backend {
            Backend::Sqlite => {
                let co = SqliteConnectOptions::from_str(&opts.url)
                    .map_err(|e| StoreError::Config(format!("bad SQLite URL {:?}: {e}", opts.url)))?;
                if let Some(parent) = co.get_filename().parent() {
                    if !parent.as_os_str().is_empty() && !parent.exists() {
                        std::fs::create_dir_all(parent).map_err(|e| {
                            StoreError::Config(format!("cannot create the data folder {}: {e}", parent.display()))
                        })?;
                    }
                }
                sqlite_path = Some(co.get_filename().to_path_buf());
                let co = co
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10));
                let pool = SqlitePoolOptions::new()
                    .max_connections(opts.max_connections.max(1))
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(co)
                    .await
                    .map_err(unreachable)?;
                sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
                Pool::Sqlite(pool)
            }
            Backend::Postgres => {
                let co = PgConnectOptions::from_str(&opts.url)
                    .map_err(|e| StoreError::Config(format!("bad PostgreSQL URL {:?}: {e}", redact(&opts.url))))?;
                let pool = PgPoolOptions::new()
                    .max_connections(opts.max_connections.max(1))
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(co)
                    .await
                    .map_err(unreachable)?;
                sqlx::migrate!("./migrations/postgres").run(&pool).await?;
                Pool::Postgres(pool)
            }
        };
        let mut store = Store {
            inner: Arc::new(Inner {
                pool,
                key: None,
                signing: None,
                key_path: opts.key_path.clone(),
                url: redact(&opts.url),
                sqlite_path,
                write_lock: tokio::sync::Mutex::new(()),
                access_lock: tokio::sync::Mutex::new(()),
                access_writer: std::sync::OnceLock::new(),
                plan_cache: std::sync::Mutex::new(std::collections::HashMap::new()),
                plan_views: std::sync::Mutex::new(std::collections::HashMap::new()),
                deployment: cordon_domain::access::Deployment { secret_accredited: opts.secret_accredited },
                clock: opts.clock.clone(),
                password_cost: opts.password_cost,
                password_turns: Arc::new(tokio::sync::Semaphore::new(
                    std::thread::available_parallelism().map_or(1, |n| n.get()),
                )),
            }),
        };
        let entries = store.journal_len().await?;
        let key = load_key(&opts.key_path, opts.create_key && entries == 0)?;
        if key.is_none() && opts.create_key {
            return Err(StoreError::Config(format!(
                "the journal holds {entries} entries but its key file {} is missing; restore the key from a backup \
                 (a new key would make the journal unverifiable)",
                opts.key_path.display()
            )));
        }
        let signing = disclosure::load_signing_key(&opts.key_path, opts.create_key)?;
        let inner = Arc::get_mut(&mut store.inner).expect("no other handle yet");
        inner.key = key;
        inner.signing = signing;
        Ok(store)
    }

    /// The current time, by the store's clock.
    pub fn now(&self) -> time::OffsetDateTime {
        self.inner.clock.now()
    }

    /// The current time as stored (RFC 3339, UTC, microseconds).
    pub fn now_text(&self) -> String {
        format_time(self.now())
    }

    /// A turn at hashing or checking a password. Each takes a core and, at the
    /// standard cost, 19 MiB, so no more run at once than there are cores; the
    /// rest wait up to `wait` (`None`: as long as it takes) and are otherwise
    /// told the server is busy, so a flood of sign-ins cannot exhaust memory.
    pub(crate) async fn password_turn(&self, wait: Option<Duration>) -> Option<tokio::sync::OwnedSemaphorePermit> {
        let turns = self.inner.password_turns.clone();
        match wait {
            Some(wait) => tokio::time::timeout(wait, turns.acquire_owned()).await.ok()?.ok(),
            None => turns.acquire_owned().await.ok(),
        }
    }

    /// Today's date in the UK, by the store's clock.
    pub fn today(&self) -> time::Date {
        self.inner.clock.today()
    }

    pub fn deployment(&self) -> cordon_domain::access::Deployment {
        self.inner.deployment
    }

    pub fn backend(&self) -> Backend {
        match self.inner.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// The database URL with any password removed.
    pub fn url(&self) -> &str {
        &self.inner.url
    }

    pub fn key_path(&self) -> &Path {
        &self.inner.key_path
    }

    pub(crate) fn key(&self) -> Result<&ChainKey, StoreError> {
        self.inner.key.as_ref().ok_or_else(|| {
            StoreError::Config(format!(
                "no journal key at {}: without it the journal can be neither verified nor extended",
                self.inner.key_path.display()
            ))
        })
    }

    /// Runs a query. Private to the store: every read from outside goes
    /// through a capability's handle, which applies the access policy.
    pub(crate) async fn fetch(&self, sql: &str, args: &[Val]) -> Result<Vec<Row>, StoreError> {
        Ok(match &self.inner.pool {
            Pool::Sqlite(p) => sql::sqlite_query(sql, args)
                .fetch_all(p)
                .await?
                .iter()
                .map(sql::from_sqlite)
                .collect::<Result<_, _>>()?,
            Pool::Postgres(p) => {
                sql::pg_query(sql, args).fetch_all(p).await?.iter().map(sql::from_pg).collect::<Result<_, _>>()?
            }
        })
    }

    pub(crate) async fn fetch_one(&self, sql: &str, args: &[Val]) -> Result<Option<Row>, StoreError> {
        Ok(self.fetch(sql, args).await?.into_iter().next())
    }

    pub(crate) async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match &self.inner.pool {
            Pool::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Checks the database answers.
    pub async fn health(&self) -> Result<(), StoreError> {
        self.fetch("SELECT 1", &[]).await.map(|_| ())
    }

    /// Number of journal entries.
    pub async fn journal_len(&self) -> Result<i64, StoreError> {
        Ok(self.fetch_one("SELECT COUNT(*) FROM journal", &[]).await?.map(|r| r.int(0)).unwrap_or(0))
    }

    /// A consistent online copy of a SQLite database.
    pub async fn backup(&self, to: &Path) -> Result<(), StoreError> {
        match &self.inner.pool {
            Pool::Sqlite(p) => {
                if to.exists() {
                    return Err(StoreError::Config(format!(
                        "{} already exists; choose a new file so no backup is overwritten",
                        to.display()
                    )));
                }
                let path = to
                    .to_str()
                    .ok_or_else(|| StoreError::Config("the backup path must be valid UTF-8".into()))?;
                sqlx::query("VACUUM INTO $1").bind(path).execute(p).await?;
                Ok(())
            }
            Pool::Postgres(_) => Err(StoreError::Config(
                "backup copies SQLite databases; for PostgreSQL use pg_dump (for example: pg_dump -Fc -f cordon.dump DATABASE)"
                    .into(),
            )),
        }
    }

    pub async fn close(&self) {
        match &self.inner.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }
}

/// Loads the journal key, creating it when allowed. Refuses a key file that
/// anyone but its owner can read or write.
fn load_key(path: &Path, create: bool) -> Result<Option<ChainKey>, StoreError> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};

    if !path.exists() {
        if !create {
            return Ok(None);
        }
        if let Some(parent) = path.parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| {
                    StoreError::Config(format!(
                        "cannot create the folder for the journal key {}: {e}",
                        parent.display()
                    ))
                })?;
            }
        }
        let mut key = [0u8; KEY_LEN];
        getrandom::fill(&mut key).map_err(|e| StoreError::Config(format!("no secure random source: {e}")))?;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        opts.mode(0o600);
        let mut f = opts
            .open(path)
            .map_err(|e| StoreError::Config(format!("cannot create the journal key {}: {e}", path.display())))?;
        f.write_all(format!("{}\n", hex::encode(key)).as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(|e| StoreError::Config(format!("cannot write the journal key {}: {e}", path.display())))?;
        tracing::info!(path = %path.display(), "created a new journal key; back it up apart from the database");
    }
    let meta = std::fs::metadata(path)
        .map_err(|e| StoreError::Config(format!("cannot read the journal key {}: {e}", path.display())))?;
    #[cfg(unix)]
    {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(StoreError::Config(format!(
                "the journal key {} has permissions {mode:04o}: it must be readable by its owner only (chmod 600 {})",
                path.display(),
                path.display()
            )));
        }
    }
    if !meta.is_file() {
        return Err(StoreError::Config(format!("the journal key {} is not a file", path.display())));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| StoreError::Config(format!("cannot read the journal key {}: {e}", path.display())))?;
    let bytes = hex::decode(text.trim())
        .map_err(|_| StoreError::Config(format!("the journal key {} is not a hexadecimal key", path.display())))?;
    let key = ChainKey::new(&bytes).map_err(|e| StoreError::Config(format!("journal key {}: {e}", path.display())))?;
    Ok(Some(key))
}

/// The current time as stored: RFC 3339, UTC, microseconds, so text order is time order.
pub fn now() -> String {
    format_time(time::OffsetDateTime::now_utc())
}

pub fn format_time(t: time::OffsetDateTime) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
    t.to_offset(time::UtcOffset::UTC).format(&fmt).expect("UTC times always format")
}

/// Today's date in the UK (Europe/London), the calendar people record levels in.
pub fn today() -> time::Date {
    cordon_domain::london::to_london(time::OffsetDateTime::now_utc()).0.date()
}
