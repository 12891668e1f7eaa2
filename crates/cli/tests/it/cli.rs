//! The command line: bad input gets one clear line and changes nothing.

use crate::common::{stderr, stdout, TestDb};

#[tokio::test]
async fn threat_level_set_records_a_change() {
    let db = TestDb::new().await;
    let today = cordon_domain::reference::format_date(cordon_store::today());
    let out = db.cordon(&[
        "threat-level",
        "set",
        "ni-in-ni",
        "moderate",
        "--effective",
        &today,
        "--note",
        "Announced by MI5",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("ni-in-ni is MODERATE"), "{}", stdout(&out));
    let store = db.store().await;
    let l = store.threat().level_on(cordon_domain::threat::Series::NiInNi, None).await.unwrap();
    assert_eq!(l.level, cordon_domain::threat::ThreatLevel::Moderate);
    assert_eq!(l.since, today);
    // The change is a journal event like any other.
    let e = store.recent_entries(1).await.unwrap();
    assert_eq!(e[0].kind, "threat_level_changed");
    assert_eq!(e[0].stream, "threat/ni-in-ni");
}

#[tokio::test]
async fn bad_threat_level_input_is_refused_and_changes_nothing() {
    let db = TestDb::new().await;
    let store = db.store().await;
    store.reference().load_reference().await.unwrap();
    let before = store.journal_len().await.unwrap();
    let today = cordon_domain::reference::format_date(cordon_store::today());
    let cases: &[(&[&str], &str)] = &[
        (&["threat-level", "set", "scotland", "LOW", "--effective", "2026-01-01", "--note", "n"], "series"),
        (&["threat-level", "set", "national", "PURPLE", "--effective", "2026-01-01", "--note", "n"], "level"),
        (&["threat-level", "set", "national", "LOW", "--effective", "2026-02-30", "--note", "n"], "--effective"),
        (&["threat-level", "set", "national", "LOW", "--effective", "2999-01-01", "--note", "n"], "future"),
        (&["threat-level", "set", "national", "LOW", "--effective", "2020-01-01", "--note", "n"], "append-only"),
        (&["threat-level", "set", "ni-in-gb", "LOW", "--effective", "2026-01-01", "--note", "n"], "closed"),
        (&["threat-level", "set", "national", "LOW", "--effective", &today, "--note", "  "], "note"),
    ];
    for (args, needle) in cases {
        let out = db.cordon(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?} should mention {needle}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    }
    assert_eq!(store.journal_len().await.unwrap(), before);
}

#[tokio::test]
async fn unreachable_and_unsupported_databases_get_one_clear_line() {
    let db = TestDb::new().await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cordon"))
        .args(["migrate", "--database-url", "postgres://nobody:secret@127.0.0.1:1/cordon"])
        .arg("--journal-key")
        .arg(db.dir.path().join("k"))
        .env("CORDON_LOG", "off")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("cannot reach the database"), "{err}");
    assert!(!err.contains("secret"), "the password must not be shown: {err}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cordon"))
        .args(["migrate", "--database-url", "mysql://localhost/cordon"])
        .env("CORDON_LOG", "off")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("unsupported database URL"), "{}", stderr(&out));
}

#[tokio::test]
async fn help_lists_every_command() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cordon")).arg("--help").output().unwrap();
    let text = stdout(&out);
    for cmd in ["serve", "demo", "migrate", "verify", "rebuild", "backup", "threat-level", "--database-url"] {
        assert!(text.contains(cmd), "--help lacks {cmd}: {text}");
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cordon")).args(["serve", "--help"]).output().unwrap();
    assert!(stdout(&out).contains("--listen"));
    assert!(stdout(&out).contains("--database-url"));
}

#[tokio::test]
async fn backup_copies_sqlite_and_points_postgres_to_pg_dump() {
    let db = TestDb::new().await;
    let store = db.store().await;
    store.reference().load_reference().await.unwrap();
    let target = db.dir.path().join("backup.db");
    let out = db.cordon(&["backup", target.to_str().unwrap()]);
    if db.is_postgres() {
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("pg_dump"), "{}", stderr(&out));
        return;
    }
    assert!(out.status.success(), "{}", stderr(&out));
    // The copy is a working database whose journal verifies with the same key.
    let copy = cordon_store::Store::open(&cordon_store::Options {
        create_key: false,
        max_connections: 1,
        ..cordon_store::Options::new(format!("sqlite://{}", target.display()), db.key.clone())
    })
    .await
    .unwrap();
    assert_eq!(copy.journal_len().await.unwrap(), store.journal_len().await.unwrap());
    assert_eq!(copy.verify(&|_| {}).await.unwrap().fault, None);
    // It will not overwrite.
    let out = db.cordon(&["backup", target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("already exists"));
}

#[tokio::test]
async fn demo_data_is_created_once() {
    let db = TestDb::new().await;
    let store = db.store().await;
    assert!(store.demo().seed_demo().await.unwrap());
    let n = store.journal_len().await.unwrap();
    assert!(!store.demo().seed_demo().await.unwrap());
    assert_eq!(store.journal_len().await.unwrap(), n);
    // The marathon has a full plan, issued and endorsed, and a later draft.
    let secco = store.identity().user_by_email("secco@northshire.police.example").await.unwrap().unwrap();
    let viewer = store.identity().viewer(&secco).await.unwrap();
    let (events, _) = store
        .events()
        .events_visible(&viewer, &cordon_store::events::EventFilter { limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(events.len(), 2);
    let marathon = events.iter().find(|e| e.name.contains("Marathon")).unwrap();
    let versions = store.plan().plan_versions(&viewer, &marathon.id).await.unwrap();
    assert_eq!(versions.len(), 1);
    assert!(versions[0].endorsement.is_some());
    let view = store.plan().plan_view(&viewer, &marathon.id).await.unwrap();
    assert!(view.problems.is_empty(), "{:?}", view.problems);
    assert!(view.plan.operational_factors.len() > 1, "a later draft");
    let parade = events.iter().find(|e| e.name.contains("Remembrance")).unwrap();
    assert_eq!(parade.status, cordon_domain::planned_event::EventStatus::Planning);
    // Staff outside the marathon's team do not see it.
    let staff = store.identity().user_by_email("staff@northshire.police.example").await.unwrap().unwrap();
    let sv = store.identity().viewer(&staff).await.unwrap();
    assert!(store.events().event_for(&sv, &marathon.id).await.is_err());
}

#[tokio::test]
async fn the_demo_command_serves_and_is_idempotent() {
    let db = TestDb::new().await;
    let mut lens = Vec::new();
    for _ in 0..2 {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cordon"))
            .args(["demo", "--listen", "127.0.0.1:0", "--database-url", &db.url])
            .arg("--journal-key")
            .arg(&db.key)
            .env("CORDON_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufRead::lines(std::io::BufReader::new(child.stdout.take().unwrap()));
        let addr = loop {
            let line = lines.next().expect("demo printed its address").unwrap();
            if let Some(rest) = line.strip_prefix("Cordon is listening on ") {
                break rest.to_string();
            }
        };
        let body = reqwest::get(format!("{addr}/healthz")).await.unwrap().text().await.unwrap();
        assert!(body.contains("ok"));
        child.kill().unwrap();
        child.wait().unwrap();
        lens.push(db.store().await.journal_len().await.unwrap());
    }
    assert_eq!(lens[0], lens[1]);
}
