//! Cordon's test kit, used by every crate's integration tests: a fresh
//! database per test (a temporary SQLite file, or a new PostgreSQL database on
//! the server named by `CORDON_TEST_DATABASE_URL`), the real application on an
//! ephemeral port, organisations, users and tokens, a signed-in browser, and
//! raw SQL for tests that tamper with the database behind the store's back.

use cordon_store::{Options, Store};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

/// A fresh database for one test: a temporary SQLite file, or a new PostgreSQL
/// database on the server named by `CORDON_TEST_DATABASE_URL`, dropped afterwards.
pub struct TestDb {
    pub url: String,
    /// The clock of every store opened on this database by the test: move it
    /// forward instead of sleeping.
    pub clock: cordon_store::Clock,
    pub key: PathBuf,
    pub dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

impl TestDb {
    pub async fn new() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let key = dir.path().join("journal.key");
        match std::env::var("CORDON_TEST_DATABASE_URL").ok().filter(|s| !s.is_empty()) {
            Some(admin) => {
                let name = format!("cordon_t_{}", uuid::Uuid::now_v7().simple());
                let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
                    .await
                    .expect("connect to CORDON_TEST_DATABASE_URL");
                sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create database");
                let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).expect("URL with a database");
                TestDb { url: format!("{base}/{name}"), clock: Default::default(), key, dir, pg: Some((admin, name)) }
            }
            None => {
                let url = format!("sqlite://{}", dir.path().join("cordon.db").display());
                TestDb { url, clock: Default::default(), key, dir, pg: None }
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    /// The store's options: this test's clock, cheap password hashing.
    pub fn options(&self) -> Options {
        Options {
            max_connections: 4,
            secret_accredited: true,
            clock: self.clock.clone(),
            password_cost: cordon_store::PasswordCost::Cheap,
            ..Options::new(self.url.clone(), self.key.clone())
        }
    }

    pub async fn store(&self) -> Store {
        Store::open(&self.options()).await.expect("open store")
    }

    /// Runs the real `cordon` binary against this database.
    pub fn cordon(&self, args: &[&str]) -> Output {
        Command::new(cordon_binary())
            .args(args)
            .arg("--database-url")
            .arg(&self.url)
            .arg("--journal-key")
            .arg(&self.key)
            .env_remove("CORDON_DATABASE_URL")
            .env("CORDON_LOG", "warn")
            .output()
            .expect("run cordon")
    }
}

/// The `cordon` binary that cargo built beside the running test.
pub fn cordon_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("CORDON_BIN") {
        return bin.into();
    }
    let exe = std::env::current_exe().expect("the test's own path");
    // target/<profile>/deps/<test> -> target/<profile>/cordon
    let dir = exe.parent().and_then(|d| d.parent()).expect("a target folder");
    let bin = dir.join(format!("cordon{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.exists(), "{} is not built: run the tests of the `cordon` package, or set CORDON_BIN", bin.display());
    bin
}

/// A row read by [`TestDb::sql`]: each column as an integer, text, bytes or null.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
    Null,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RawRow(pub Vec<Cell>);

impl RawRow {
    pub fn int(&self, i: usize) -> i64 {
        match &self.0[i] {
            Cell::Int(n) => *n,
            Cell::Text(t) => t.parse().unwrap_or_else(|_| panic!("column {i} is not a number: {t}")),
            other => panic!("column {i} is not a number: {other:?}"),
        }
    }

    pub fn text(&self, i: usize) -> String {
        match &self.0[i] {
            Cell::Text(t) => t.clone(),
            Cell::Int(n) => n.to_string(),
            other => panic!("column {i} is not text: {other:?}"),
        }
    }
}

impl TestDb {
    /// Runs SQL straight against the database, outside the store and its
    /// access policy: for tests that tamper with tables or read them as an oracle.
    pub async fn sql(&self, sql: &str) -> Result<Vec<RawRow>, sqlx::Error> {
        raw_sql(&self.url, sql).await
    }
}

/// Runs SQL straight against the database at `url` (see [`TestDb::sql`]).
pub async fn raw_sql(url: &str, sql: &str) -> Result<Vec<RawRow>, sqlx::Error> {
    use sqlx::{Column, Connection, Row, TypeInfo};
    fn cells<R: Row>(row: &R) -> Vec<Cell>
    where
        usize: sqlx::ColumnIndex<R>,
        i64: sqlx::Type<R::Database> + for<'r> sqlx::Decode<'r, R::Database>,
        String: sqlx::Type<R::Database> + for<'r> sqlx::Decode<'r, R::Database>,
        Vec<u8>: sqlx::Type<R::Database> + for<'r> sqlx::Decode<'r, R::Database>,
    {
        (0..row.columns().len())
            .map(|i| {
                let ty = row.columns()[i].type_info().name().to_uppercase();
                if ty.contains("INT") {
                    row.try_get::<Option<i64>, _>(i).ok().flatten().map(Cell::Int).unwrap_or(Cell::Null)
                } else if ty.contains("BLOB") || ty.contains("BYTEA") {
                    row.try_get::<Option<Vec<u8>>, _>(i).ok().flatten().map(Cell::Bytes).unwrap_or(Cell::Null)
                } else if let Ok(v) = row.try_get::<Option<String>, _>(i) {
                    v.map(Cell::Text).unwrap_or(Cell::Null)
                } else if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
                    v.map(Cell::Int).unwrap_or(Cell::Null)
                } else {
                    Cell::Null
                }
            })
            .collect()
    }
    if url.starts_with("postgres") {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        let rows = sqlx::raw_sql(sql).fetch_all(&mut conn).await?;
        Ok(rows.iter().map(|r| RawRow(cells(r))).collect())
    } else {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        let rows = sqlx::raw_sql(sql).fetch_all(&mut conn).await?;
        Ok(rows.iter().map(|r| RawRow(cells(r))).collect())
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg.take() {
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                rt.block_on(async {
                    if let Ok(mut conn) = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await {
                        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .execute(&mut conn)
                            .await;
                    }
                })
            })
            .join();
        }
    }
}

/// The real application on an ephemeral port.
pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub client: reqwest::Client,
    /// The app's database (for raw SQL in tests).
    pub db: TestDb,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(cordon_web::Config::default()).await
    }

    pub async fn spawn_with(config: cordon_web::Config) -> TestApp {
        let db = TestDb::new().await;
        let store = db.store().await;
        store.reference().load_reference().await.expect("reference data");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let state = cordon_web::AppState::new(store.clone(), config);
        tokio::spawn(async move {
            cordon_web::serve(listener, state, async {
                let _ = rx.await;
            })
            .await
            .expect("serve");
        });
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        TestApp { base, store, client, db, shutdown: Some(tx) }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request")
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let res = self.get(path).await;
        let status = res.status().as_u16();
        (status, res.json().await.expect("JSON body"))
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every record's access facts, read straight from the tables (test oracle:
/// deliberately outside the store's policy-checked read paths).
pub async fn record_access(db: &TestDb) -> Vec<cordon_domain::access::RecordAccess> {
    let rows = db.sql("SELECT id, marking, organisation_id, kind FROM records ORDER BY id").await.unwrap();
    let shares = db.sql("SELECT record_id, organisation_id FROM record_shares").await.unwrap();
    rows.into_iter()
        .map(|r| cordon_domain::access::RecordAccess {
            shared_with: shares.iter().filter(|s| s.text(0) == r.text(0)).map(|s| s.text(1).parse().unwrap()).collect(),
            record_id: r.text(0).parse().unwrap(),
            kind: r.text(3).parse().unwrap(),
            marking: r.text(1).parse().unwrap(),
            owner_organisation_id: r.text(2).parse().unwrap(),
        })
        .collect()
}

pub const PASSWORD: &str = "tangerine kettle harbour";

impl TestApp {
    /// An organisation by name, created if needed.
    pub async fn org(&self, name: &str) -> cordon_store::identity::Organisation {
        match self.store.identity().organisation_by_name(name).await.unwrap() {
            Some(o) => o,
            None => self
                .store
                .identity()
                .add_organisation(
                    cordon_store::records::Caller::System(&cordon_store::Actor::system()),
                    name,
                    cordon_domain::identity::OrgKind::PoliceForce,
                )
                .await
                .unwrap(),
        }
    }

    /// A user with the test password.
    pub async fn user(
        &self,
        email: &str,
        org: &str,
        roles: &[cordon_domain::identity::Role],
        clearance: cordon_domain::identity::Clearance,
    ) -> cordon_store::identity::User {
        let org = self.org(org).await;
        self.store
            .identity()
            .add_user(
                cordon_store::records::Caller::System(&cordon_store::Actor::system()),
                cordon_store::identity::NewUser {
                    email: cordon_domain::identity::EmailAddress::parse(email).expect("a test e-mail address"),
                    name: format!("Test {email}"),
                    organisation_id: org.id,
                    roles: roles.to_vec(),
                    clearance,
                },
                PASSWORD,
            )
            .await
            .unwrap()
    }

    /// Sets up a user's second factor (as an administrator must before using the API).
    pub async fn second_factor(&self, user: &cordon_store::identity::User) {
        let identity = self.store.identity();
        let (secret, _) = identity.begin_totp(&user.id).await.expect("begin TOTP");
        let code = cordon_store::identity::totp_code_for(&secret, self.db.clock.now()).expect("a TOTP code");
        identity.confirm_totp(&cordon_store::Actor::system(), &user.id, &code).await.expect("confirm TOTP");
    }

    /// A bearer token for a user.
    pub async fn token(&self, user: &cordon_store::identity::User) -> String {
        self.store.identity().issue_token(&cordon_store::Actor::system(), &user.id, "test", 30).await.unwrap().0
    }

    pub async fn get_as(&self, token: &str, path: &str) -> (u16, serde_json::Value) {
        let res = self.client.get(self.url(path)).bearer_auth(token).send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn send_as(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let res = self.client.request(method, self.url(path)).bearer_auth(token).json(&body).send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// Signs in through the sign-in page like a browser; returns the cookies.
    pub async fn sign_in(&self, email: &str, password: &str, totp: Option<&str>) -> (reqwest::Response, Browser) {
        let page = self.get("/sign-in").await;
        let pre = cookie(&page, "cordon_presession").expect("presession cookie");
        let html = page.text().await.unwrap();
        let csrf = hidden(&html, "csrf_token");
        let mut form = vec![
            ("csrf_token", csrf),
            ("next", "/account".to_string()),
            ("email", email.into()),
            ("password", password.into()),
        ];
        if let Some(t) = totp {
            form.push(("totp", t.to_string()));
        }
        let res = self
            .client
            .post(self.url("/sign-in"))
            .header("cookie", format!("cordon_presession={pre}"))
            .form(&form)
            .send()
            .await
            .unwrap();
        let session = cookie(&res, "cordon_session").unwrap_or_default();
        (res, Browser { session })
    }

    /// Fetches a page as a signed-in browser.
    pub async fn page(&self, b: &Browser, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).header("cookie", b.cookie()).send().await.unwrap()
    }

    /// The CSRF token from a signed-in page.
    pub async fn csrf(&self, b: &Browser) -> String {
        let html = self.page(b, "/account").await.text().await.unwrap();
        hidden(&html, "csrf_token")
    }
}

/// A signed-in browser's cookie.
#[derive(Clone, Debug)]
pub struct Browser {
    pub session: String,
}

impl Browser {
    pub fn cookie(&self) -> String {
        format!("cordon_session={}", self.session)
    }
}

/// The value of a cookie set by a response.
pub fn cookie(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")).map(|rest| rest.split(';').next().unwrap_or("").to_string()))
        .filter(|v| !v.is_empty())
}

/// The whole `Set-Cookie` header for a cookie.
pub fn set_cookie_header(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

/// The value of the first hidden input with this name.
pub fn hidden(html: &str, name: &str) -> String {
    let needle = format!("name=\"{name}\" value=\"");
    let start = html.find(&needle).map(|i| i + needle.len()).unwrap_or_else(|| panic!("no {name} in page"));
    html[start..].split('"').next().unwrap().to_string()
}
