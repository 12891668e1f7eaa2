//! The two backends' schemas and migration trees stay in step.

use crate::common::{raw_sql, TestDb};
use std::collections::{BTreeMap, BTreeSet};

fn migration_names(backend: &str) -> BTreeSet<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../store/migrations").join(backend);
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn both_backends_have_the_same_migrations_named_by_timestamp_and_capability() {
    let (sqlite, postgres) = (migration_names("sqlite"), migration_names("postgres"));
    assert_eq!(sqlite, postgres, "every migration exists, with the same name, for both backends");
    // The first three predate the rule and keep their numbers (databases in
    // service have them applied). Every later one is
    // YYYYMMDDHHMMSS_<capability>_<what>.sql, so capabilities never collide.
    const BEFORE_THE_RULE: [&str; 3] =
        ["0001_journal_and_reference.sql", "0002_identity_access_events.sql", "0003_plan.sql"];
    for name in sqlite.iter().filter(|n| !BEFORE_THE_RULE.contains(&n.as_str())) {
        let (stamp, rest) = name.split_once('_').unwrap_or_else(|| panic!("{name}: no capability"));
        assert!(stamp.len() == 14 && stamp.bytes().all(|b| b.is_ascii_digit()), "{name}: not a timestamp");
        assert!(rest.ends_with(".sql") && rest.contains('_'), "{name}: name it <capability>_<what>.sql");
    }
}

async fn columns(url: &str) -> BTreeMap<String, BTreeSet<String>> {
    let sql = if url.starts_with("postgres") {
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' \
         AND table_name <> '_sqlx_migrations'"
    } else {
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'"
    };
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in raw_sql(url, sql).await.unwrap() {
        out.entry(r.text(0)).or_default().insert(r.text(1));
    }
    out
}

#[tokio::test]
async fn sqlite_and_postgresql_have_the_same_tables_and_columns() {
    let Some(admin) = std::env::var("CORDON_TEST_DATABASE_URL").ok().filter(|s| !s.is_empty()) else {
        eprintln!("CORDON_TEST_DATABASE_URL is not set: comparing with PostgreSQL needs a server; skipped");
        return;
    };
    // A PostgreSQL database (this run's) and a SQLite file, both migrated.
    let pg = TestDb::new().await;
    pg.store().await;
    let dir = tempfile::tempdir().unwrap();
    let sqlite_url = format!("sqlite://{}", dir.path().join("s.db").display());
    cordon_store::Store::open(&cordon_store::Options::new(sqlite_url.clone(), dir.path().join("k"))).await.unwrap();
    assert!(admin.starts_with("postgres"));
    let (a, b) = (columns(&sqlite_url).await, columns(&pg.url).await);
    assert!(a.len() > 20, "{} tables", a.len());
    let tables: BTreeSet<_> = a.keys().chain(b.keys()).collect();
    for t in tables {
        assert_eq!(a.get(t), b.get(t), "table {t}: SQLite has {:?}, PostgreSQL {:?}", a.get(t), b.get(t));
    }
}
