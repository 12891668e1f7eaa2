use cordon_store::{Options, Store};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

/// A fresh database for one test: a temporary SQLite file, or a new PostgreSQL
/// database on the server named by `CORDON_TEST_DATABASE_URL`, dropped afterwards.
pub struct TestDb {
    pub url: String,
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
                TestDb { url: format!("{base}/{name}"), key, dir, pg: Some((admin, name)) }
            }
            None => {
                let url = format!("sqlite://{}", dir.path().join("cordon.db").display());
                TestDb { url, key, dir, pg: None }
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    pub fn options(&self) -> Options {
        Options { url: self.url.clone(), key_path: self.key.clone(), create_key: true, max_connections: 4 }
    }

    pub async fn store(&self) -> Store {
        Store::open(&self.options()).await.expect("open store")
    }

    /// Runs the real `cordon` binary against this database.
    pub fn cordon(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_cordon"))
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
    /// Kept so the database lives as long as the app.
    _db: TestDb,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        let db = TestDb::new().await;
        let store = db.store().await;
        store.load_reference().await.expect("reference data");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let state = cordon_web::AppState::new(store.clone(), cordon_web::Config::default());
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
        TestApp { base, store, client, _db: db, shutdown: Some(tx) }
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
