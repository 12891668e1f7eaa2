//! The journal loses nothing and hides nothing: tamper detection by `cordon
//! verify`, replay by `cordon rebuild`, durability across `kill -9`.

use crate::common::{stderr, stdout, TestDb};
use cordon_domain::event::Event;
use cordon_domain::ids::{EventId, UserId};
use cordon_domain::plan::PlanEvent;
use cordon_domain::planned_event::{EventStatus, PlannedEventEvent};
use cordon_domain::records::RecordEvent;
use cordon_domain::reference::ReferenceEvent;
use cordon_domain::threat::{Series, ThreatLevel};
use cordon_domain::Marking;
use cordon_store::records::Caller;
use cordon_store::{Actor, Store, StoreError};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

async fn drop_guards(db: &TestDb) {
    if db.is_postgres() {
        db.sql("DROP TRIGGER journal_no_change ON journal").await.unwrap();
    } else {
        db.sql("DROP TRIGGER journal_no_update").await.unwrap();
        db.sql("DROP TRIGGER journal_no_delete").await.unwrap();
    }
}

/// A database whose journal holds the reference data (about 60 entries).
async fn populated() -> (TestDb, Store, i64) {
    let db = TestDb::new().await;
    let store = db.store().await;
    store.reference().load_reference().await.unwrap();
    let n = store.journal_len().await.unwrap();
    assert!(n > 40, "{n}");
    (db, store, n)
}

fn assert_verify_names(db: &TestDb, seq: i64) {
    let out = db.cordon(&["verify"]);
    assert_eq!(out.status.code(), Some(3), "stdout {} stderr {}", stdout(&out), stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&format!("entry {seq}")), "expected entry {seq} named: {err}");
}

#[tokio::test]
async fn an_intact_journal_verifies() {
    let (db, _store, n) = populated().await;
    let out = db.cordon(&["verify"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(&format!("{n} entries verified")), "{}", stdout(&out));
}

#[tokio::test]
async fn the_journal_refuses_sql_updates_and_deletes() {
    let (db, _store, _) = populated().await;
    assert!(db.sql("UPDATE journal SET actor = 'x' WHERE seq = 1").await.is_err());
    assert!(db.sql("DELETE FROM journal WHERE seq = 1").await.is_err());
}

#[tokio::test]
async fn an_altered_entry_is_named() {
    let (db, _store, _) = populated().await;
    drop_guards(&db).await;
    db.sql("UPDATE journal SET payload = replace(payload, 'SEVERE', 'LOW') WHERE seq = 12").await.unwrap();
    assert_verify_names(&db, 12);
}

#[tokio::test]
async fn an_altered_actor_or_time_is_named() {
    let (db, _store, _) = populated().await;
    drop_guards(&db).await;
    db.sql("UPDATE journal SET actor = 'someone-else' WHERE seq = 7").await.unwrap();
    assert_verify_names(&db, 7);
}

#[tokio::test]
async fn a_deleted_entry_is_named() {
    let (db, _store, _) = populated().await;
    drop_guards(&db).await;
    db.sql("DELETE FROM journal WHERE seq = 20").await.unwrap();
    assert_verify_names(&db, 20);
}

#[tokio::test]
async fn reordered_entries_are_named() {
    let (db, _store, _) = populated().await;
    drop_guards(&db).await;
    // Swap the sequence numbers of entries 30 and 31.
    db.sql("UPDATE journal SET seq = -1 WHERE seq = 30").await.unwrap();
    db.sql("UPDATE journal SET seq = 30 WHERE seq = 31").await.unwrap();
    db.sql("UPDATE journal SET seq = 31 WHERE seq = -1").await.unwrap();
    assert_verify_names(&db, 30);
}

#[tokio::test]
async fn a_removed_last_entry_is_named() {
    let (db, _store, n) = populated().await;
    drop_guards(&db).await;
    db.sql(&format!("DELETE FROM journal WHERE seq = {n}")).await.unwrap();
    assert_verify_names(&db, n);
}

#[tokio::test]
async fn verification_without_the_key_says_so() {
    let (db, _store, _) = populated().await;
    std::fs::remove_file(&db.key).unwrap();
    let out = db.cordon(&["verify"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("no journal key"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one clear line: {err}");
    // Serving without the key refuses rather than starting a new, unverifiable chain.
    match Store::open(&db.options()).await {
        Err(StoreError::Config(m)) => assert!(m.contains("missing"), "{m}"),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("opened a journal without its key"),
    }
}

#[cfg(unix)]
#[tokio::test]
async fn a_key_readable_by_others_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let (db, _store, n) = populated().await;
    std::fs::set_permissions(&db.key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = db.cordon(&["verify"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("chmod 600"), "{}", stderr(&out));
    // Nothing changed.
    std::fs::set_permissions(&db.key, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(db.store().await.journal_len().await.unwrap(), n);
}

#[tokio::test]
async fn a_key_file_is_created_owner_only() {
    let db = TestDb::new().await;
    let _store = db.store().await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&db.key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

fn random_events(seed: u64, n: usize) -> Vec<Vec<(Event, Marking)>> {
    // A small deterministic generator: batches of methodology revisions and
    // risk-matrix reconfigurations, in random sizes.
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let matrix = cordon_domain::reference::default_risk_matrix().unwrap();
    let mut out = Vec::new();
    let mut made = 0;
    while made < n {
        let size = (next() % 5 + 1) as usize;
        let mut batch = Vec::new();
        for _ in 0..size {
            let r = next();
            let event = if r % 4 == 0 {
                let mut m = matrix.clone();
                m.name = format!("Matrix {r}");
                Event::Reference(ReferenceEvent::RiskMatrixConfigured { matrix: m })
            } else {
                Event::Reference(ReferenceEvent::AttackMethodologyDefined {
                    methodology: cordon_domain::methodology::AttackMethodology {
                        id: format!("m_{}", r % 7),
                        name: format!("Methodology {r}"),
                        description: "d".into(),
                        typical_mitigations: vec![format!("mitigation {}", r % 3)],
                        sources: vec!["test".into()],
                    },
                })
            };
            batch.push((event, if r % 3 == 0 { Marking::OfficialSensitive } else { Marking::Official }));
        }
        made += size;
        out.push(batch);
    }
    out
}

#[tokio::test]
async fn replaying_the_journal_reproduces_the_live_state() {
    for seed in [1u64, 7, 42] {
        let (db, store, _) = populated().await;
        store
            .threat()
            .record_threat_level(
                Caller::System(&Actor::new("admin", "cordon")),
                Series::National,
                ThreatLevel::Critical,
                cordon_store::today(),
                "Replay test",
            )
            .await
            .unwrap();
        for batch in random_events(seed, 40) {
            store.append(&Actor::new("tester", "cordon"), &batch).await.unwrap();
        }
        let before = store.dump_state().await.unwrap();
        let out = db.cordon(&["rebuild", "--dry-run"]);
        assert!(out.status.success(), "{} {}", stdout(&out), stderr(&out));
        assert!(stdout(&out).contains("equals the live state"), "{}", stdout(&out));
        let report = store.rebuild(true).await.unwrap();
        assert!(report.equal, "{:?}", report.differences);
        assert_eq!(store.dump_state().await.unwrap(), before);
    }
}

#[tokio::test]
async fn rebuild_finds_and_repairs_a_state_table_changed_behind_the_journal() {
    let (db, _store, _) = populated().await;
    db.sql("UPDATE threat_level_changes SET level = 'LOW' WHERE series = 'national'").await.unwrap();
    let out = db.cordon(&["rebuild", "--dry-run"]);
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    assert!(stdout(&out).contains("threat_level_changes"), "{}", stdout(&out));
    // Still tampered after a dry run.
    let low = db.sql("SELECT COUNT(*) FROM threat_level_changes WHERE level = 'LOW'").await.unwrap();
    assert!(low[0].int(0) > 0);
    let out = db.cordon(&["rebuild"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stdout(&out).contains("replaced"), "{}", stdout(&out));
    let out = db.cordon(&["rebuild", "--dry-run"]);
    assert!(out.status.success(), "{}", stdout(&out));
}

#[tokio::test]
async fn rebuild_refuses_a_tampered_journal() {
    let (db, _store, _) = populated().await;
    drop_guards(&db).await;
    db.sql("UPDATE journal SET marking = 'SECRET' WHERE seq = 3").await.unwrap();
    let out = db.cordon(&["rebuild"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("entry 3"), "{}", stderr(&out));
}

#[tokio::test]
async fn acknowledged_writes_survive_kill_9() {
    let db = TestDb::new().await;
    drop(db.store().await); // migrate and create the key
    let mut child = Command::new(env!("CARGO_BIN_EXE_cordon"))
        .args(["bench", "append", "--single", "1000000", "--batched", "0", "--acks"])
        .arg("--database-url")
        .arg(&db.url)
        .arg("--journal-key")
        .arg(&db.key)
        .env("CORDON_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut acked = 0i64;
    while acked < 300 {
        let line = lines.next().expect("writer ended early").unwrap();
        acked = line.strip_prefix("ack ").expect("ack line").parse().unwrap();
    }
    // SIGKILL: no chance to flush or clean up.
    child.kill().unwrap();
    child.wait().unwrap();
    // Whatever the writer acknowledged before it died.
    for line in lines.map_while(Result::ok) {
        if let Some(n) = line.strip_prefix("ack ") {
            acked = n.parse().unwrap();
        }
    }
    let store = db.store().await;
    let len = store.journal_len().await.unwrap();
    assert!(len >= acked, "acknowledged {acked} but only {len} survived");
    let report = store.verify(&|_| {}).await.unwrap();
    assert_eq!(report.fault, None);
    assert_eq!(report.checked, len);
}

#[tokio::test]
async fn a_tampered_access_log_is_named() {
    let (db, store, _) = populated().await;
    for i in 0..5 {
        let entry = cordon_store::AccessEntry {
            stream: format!("event/{i}"),
            kind: "read".into(),
            marking: "OFFICIAL-SENSITIVE".into(),
            payload: "{}".into(),
        };
        store.log_access(&Actor::new("u", "o"), vec![entry]).await.unwrap();
    }
    let out = db.cordon(&["verify"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("access log is intact: 5 entries"), "{}", stdout(&out));
    if db.is_postgres() {
        db.sql("DROP TRIGGER access_log_no_change ON access_log").await.unwrap();
    } else {
        db.sql("DROP TRIGGER access_log_no_update").await.unwrap();
    }
    db.sql("UPDATE access_log SET kind = 'nothing' WHERE seq = 4").await.unwrap();
    let out = db.cordon(&["verify"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("access log verification failed at entry 4"), "{}", stderr(&out));
}

/// Every kind of event, recorded through the capabilities' own operations
/// where one exists and appended directly otherwise, on top of the demo.
async fn every_kind_of_event(db: &TestDb, store: &Store) {
    // The demo covers organisations, users, TOTP, teams, shares, events, plan
    // items, an issued and endorsed version, and a later draft.
    store.demo().seed_demo().await.unwrap();
    let sys = Actor::system();
    let identity = store.identity();
    let admin = identity.user_by_email("admin@northshire.police.example").await.unwrap().unwrap();
    let (_, token) = identity.issue_token(&sys, &admin.id, "t", 5).await.unwrap();
    identity.revoke_token(&sys, &admin.id, &token.id).await.unwrap();
    let staff: UserId =
        db.sql("SELECT id FROM users WHERE email LIKE 'staff%'").await.unwrap()[0].text(0).parse().unwrap();
    identity.set_user_active(Caller::System(&sys), &staff, false).await.unwrap();
    identity.set_user_active(Caller::System(&sys), &staff, true).await.unwrap();
    identity.change_password(&sys, &staff, None, "a long replay passphrase 2026").await.unwrap();
    let u = identity.user(&staff).await.unwrap().unwrap();
    identity
        .change_user(Caller::System(&sys), &staff, "Renamed", &u.organisation_id, u.roles.clone(), u.clearance)
        .await
        .unwrap();
    store
        .threat()
        .record_threat_level(
            Caller::System(&sys),
            Series::National,
            ThreatLevel::Substantial,
            cordon_store::today(),
            "Replay",
        )
        .await
        .unwrap();
    // The estate: the demo adds sites and staff and raises one; return it to
    // its floor, then a police sector change recomputes every site.
    let estates = identity.user_by_email("estates@northshire.police.example").await.unwrap().unwrap();
    let estates = identity.viewer(&estates).await.unwrap();
    let raised: cordon_domain::ids::SiteId =
        db.sql("SELECT id FROM sites WHERE raised_level IS NOT NULL").await.unwrap()[0].text(0).parse().unwrap();
    store.estate().return_to_floor(&estates, &raised).await.unwrap();
    store
        .threat()
        .record_threat_level(
            Caller::System(&sys),
            Series::PoliceSector,
            ThreatLevel::Critical,
            cordon_store::today(),
            "Replay: police sector",
        )
        .await
        .unwrap();
    // The menu changed (copying the shipped one first), an option withdrawn at
    // a site, and the move-to-critical plan activated, worked and stood down.
    let mut dogs = cordon_domain::estate::options::shipped_menu().remove(0);
    dogs.id = "dog-patrols".into();
    store.estate().save_option(&estates, dogs).await.unwrap();
    let decided: cordon_domain::ids::SiteId =
        db.sql("SELECT site_id FROM site_options ORDER BY site_id").await.unwrap()[0].text(0).parse().unwrap();
    let option =
        db.sql(&format!("SELECT option_id FROM site_options WHERE site_id = '{decided}'")).await.unwrap()[0].text(0);
    store.estate().decide(&estates, &decided, &option, None, "").await.unwrap();
    let activation = store.estate().activate(&estates, "Replay: CRITICAL").await.unwrap();
    store.estate().step_done(&estates, &activation.id, 0, "Done").await.unwrap();
    store.estate().stand_down(&estates, &activation.id, "Replay over").await.unwrap();
    // An import that changes a site and adds one with staff; reminders to
    // everyone who has not acknowledged the police sector change.
    let report = store
        .estate()
        .import_csv(
            &estates,
            "name,kind,address,division,staff\n\
             Riverside Police Station,police_station,41 Quay Road,City,\n\
             Replay Depot,vehicle_depot,Farm Lane,County,staff@northshire.police.example\n",
        )
        .await
        .unwrap();
    assert_eq!((report.added, report.changed, report.staff_added), (1, 1, 1));
    let reminded = store.estate().remind_division(&estates, None).await.unwrap();
    assert!(reminded.people > 0, "{reminded:?}");
    let (sites, _) = store.estate().list(&estates, &Default::default(), 100, 0).await.unwrap();
    let depot = sites.iter().find(|s| s.name == "Replay Depot").unwrap();
    let member = store.estate().staff(&estates, &depot.id).await.unwrap().remove(0);
    store.estate().remove_staff(&estates, &depot.id, &member.user_id).await.unwrap();
    // The per-site recompute that earlier releases wrote, as an older journal holds it.
    let old = cordon_domain::estate::EstateEvent::SiteResponseLevelRecomputed {
        site_id: depot.id.clone(),
        threat_level: Some(ThreatLevel::Critical),
        floor: cordon_domain::threat::ResponseLevel::Exceptional,
    };
    store.append(&sys, &[(Event::Estate(old), Marking::Official)]).await.unwrap();
    let member = &db.sql("SELECT record_id, user_id FROM team_members ORDER BY record_id, user_id").await.unwrap()[0];
    let event: EventId = member.text(0).parse().unwrap();
    let item = &db.sql("SELECT event_id, section, item_id FROM plan_items ORDER BY item_id").await.unwrap()[0];
    let other: cordon_domain::ids::OrganisationId = db
        .sql(&format!(
            "SELECT id FROM organisations WHERE id NOT IN (SELECT organisation_id FROM planned_events WHERE id = '{event}') \
             AND id NOT IN (SELECT organisation_id FROM record_shares WHERE record_id = '{event}') ORDER BY id"
        ))
        .await
        .unwrap()[0]
        .text(0)
        .parse()
        .unwrap();
    let row = &db
        .sql(&format!(
            "SELECT name, kind, starts_at, ends_at, expected_attendance, marking, organisation_id FROM planned_events \
             WHERE id = '{event}'"
        ))
        .await
        .unwrap()[0];
    let changed = cordon_domain::planned_event::PlannedEvent {
        id: event.clone(),
        name: format!("{} (renamed)", row.text(0)),
        kind: row.text(1).parse().unwrap(),
        starts_at: row.text(2).parse().unwrap(),
        ends_at: row.text(3).parse().unwrap(),
        venues: vec![cordon_domain::planned_event::Venue {
            name: "Replay Hall".into(),
            address: "1 Replay Road".into(),
        }],
        expected_attendance: row.int(4) + 1,
        marking: row.text(5).parse().unwrap(),
        organisation_id: row.text(6).parse().unwrap(),
    };
    let events = vec![
        (
            PlannedEventEvent::PlannedEventChanged { event: changed, reason: Some("Replay".into()) }.into(),
            Marking::OfficialSensitive,
        ),
        (
            RecordEvent::TeamMemberRemoved {
                record_id: (&event).into(),
                user_id: member.text(1).parse().unwrap(),
                reason: "Left the planning team".into(),
            }
            .into(),
            Marking::Official,
        ),
        (
            RecordEvent::RecordShared { record_id: (&event).into(), organisation_id: other.clone() }.into(),
            Marking::Official,
        ),
        (RecordEvent::RecordUnshared { record_id: (&event).into(), organisation_id: other }.into(), Marking::Official),
        (
            PlannedEventEvent::PlannedEventStatusChanged { id: event.clone(), status: EventStatus::Live, reason: None }
                .into(),
            Marking::Official,
        ),
        (
            PlanEvent::PlanItemRemoved {
                event_id: item.text(0).parse().unwrap(),
                section: item.text(1),
                item_id: item.text(2),
                reason: "No longer needed".into(),
            }
            .into(),
            Marking::OfficialSensitive,
        ),
    ];
    store.append(&Actor::new(&admin.id, &admin.organisation_id), &events).await.unwrap();
    // The SECO kinds the demo does not record: a capacity, a stand-down, a withdrawal.
    let requests = db.sql("SELECT id, ctsu_organisation_id FROM seco_requests ORDER BY id").await.unwrap();
    let seco = |e: cordon_domain::seco::SecoEvent| (Event::Seco(e), Marking::Official);
    let events = vec![
        seco(cordon_domain::seco::SecoEvent::CapacitySet {
            organisation_id: requests[0].text(1).parse().unwrap(),
            capacity: 5,
        }),
        seco(cordon_domain::seco::SecoEvent::SecoStoodDown {
            id: requests[0].text(0).parse().unwrap(),
            reason: "Replay".into(),
        }),
        seco(cordon_domain::seco::SecoEvent::DeploymentWithdrawn {
            id: requests[1].text(0).parse().unwrap(),
            reason: "Replay".into(),
        }),
    ];
    store.append(&Actor::new(&admin.id, &admin.organisation_id), &events).await.unwrap();
    // The places kinds the demo does not record: a duty's status, a flag set and cleared.
    let place = db.sql("SELECT id FROM places WHERE tier = 'enhanced' ORDER BY id").await.unwrap()[0].text(0);
    let places = store.places();
    let who = Actor::new(&admin.id, &admin.organisation_id);
    places
        .record_duties(
            Caller::System(&sys),
            &who,
            &place,
            &[("notify_sia".into(), cordon_domain::places::DutyStatus::Met)],
        )
        .await
        .unwrap();
    places.set_flag(Caller::System(&sys), &who, &place, "Replay").await.unwrap();
    places.clear_flag(Caller::System(&sys), &who, &place, "Replay").await.unwrap();
    places.set_flag(Caller::System(&sys), &who, &place, "Replayed again").await.unwrap();
    places
        .set_responsible(
            Caller::System(&sys),
            &who,
            &place,
            "Replay Owner",
            cordon_domain::martyns_law::Responsible::Individual,
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn replaying_every_kind_of_event_reproduces_the_live_state() {
    let db = TestDb::new().await;
    let store = db.store().await;
    every_kind_of_event(&db, &store).await;
    // The replay covers every kind: a new kind must be added above.
    let recorded: std::collections::BTreeSet<String> =
        db.sql("SELECT DISTINCT kind FROM journal").await.unwrap().iter().map(|r| r.text(0)).collect();
    let missing: Vec<&str> = Event::all_kinds().filter(|k| !recorded.contains(*k)).collect();
    assert!(missing.is_empty(), "the replay test records no {missing:?}: add them to every_kind_of_event");
    let before = store.dump_state().await.unwrap();
    let report = store.rebuild(true).await.unwrap();
    assert!(report.equal, "{:?}", report.differences);
    assert_eq!(store.dump_state().await.unwrap(), before);
    let out = db.cordon(&["verify"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[tokio::test]
async fn a_journal_written_by_the_previous_release_verifies_reads_back_and_rebuilds() {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/journal-2026-11");
    let dir = tempfile::tempdir().unwrap();
    let (file, key) = (dir.path().join("cordon.db"), dir.path().join("journal.key"));
    std::fs::copy(fixture.join("cordon.db"), &file).unwrap();
    std::fs::copy(fixture.join("journal.key"), &key).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let url = format!("sqlite://{}", file.display());
    let run = |args: &[&str]| {
        Command::new(cordon_testkit::cordon_binary())
            .args(args)
            .args(["--database-url", &url, "--journal-key"])
            .arg(&key)
            .env_remove("CORDON_DATABASE_URL")
            .env("CORDON_LOG", "warn")
            .output()
            .unwrap()
    };
    let out = run(&["verify"]);
    assert!(out.status.success(), "{} {}", stdout(&out), stderr(&out));
    // Every stored payload reads back as a typed event and writes out to the same bytes.
    let rows = cordon_testkit::raw_sql(&url, "SELECT kind, payload FROM journal ORDER BY seq").await.unwrap();
    let mut kinds = std::collections::BTreeSet::new();
    for r in &rows {
        let event = Event::from_payload(&r.text(1)).unwrap_or_else(|e| panic!("{}: {e}", r.text(1)));
        assert_eq!(event.kind(), r.text(0));
        assert_eq!(event.to_payload(), r.text(1), "payloads stay byte-identical");
        kinds.insert(r.text(0));
    }
    assert_eq!(kinds.len(), 27, "the fixture holds every kind of its release");
    let out = run(&["rebuild", "--dry-run"]);
    assert!(out.status.success(), "{} {}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("equals the live state"), "{}", stdout(&out));
}
