//! Scale-out: two `cordon serve` instances on one PostgreSQL database, written
//! to at once. Nothing acknowledged is lost, nothing is applied twice, and the
//! journal verifies. Runs when `CORDON_TEST_DATABASE_URL` names a PostgreSQL
//! server (CI sets it); SQLite is one process by design.

use crate::common::{hidden, stderr, stdout, TestDb, PASSWORD};
use cordon_domain::identity::{Clearance, Role};
use cordon_store::records::Caller;
use cordon_store::Actor;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Instance {
    child: Child,
    base: String,
}

impl Instance {
    fn start(db: &TestDb) -> Instance {
        let mut child = Command::new(cordon_testkit::cordon_binary())
            .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &db.url, "--journal-key"])
            .arg(&db.key)
            .env_remove("CORDON_DATABASE_URL")
            .env("CORDON_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start cordon serve");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let base = loop {
            let line = lines.next().expect("cordon serve stopped before listening").expect("read stdout");
            if let Some(addr) = line.strip_prefix("Cordon is listening on ") {
                break addr.trim().to_string();
            }
        };
        // Keep draining stdout so the process never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Instance { child, base }
    }

    fn stop(mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }
}

async fn sign_in(client: &reqwest::Client, base: &str, email: &str) -> u16 {
    let page = client.get(format!("{base}/sign-in")).send().await.unwrap();
    let pre = crate::common::cookie(&page, "cordon_presession").expect("presession cookie");
    let csrf = hidden(&page.text().await.unwrap(), "csrf_token");
    let form = [("csrf_token", csrf.as_str()), ("next", "/account"), ("email", email), ("password", PASSWORD)];
    let res = client
        .post(format!("{base}/sign-in"))
        .header("cookie", format!("cordon_presession={pre}"))
        .form(&form)
        .send()
        .await
        .unwrap();
    res.status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_postgresql_database_lose_nothing_and_apply_nothing_twice() {
    let db = TestDb::new().await;
    if !db.is_postgres() {
        eprintln!("CORDON_TEST_DATABASE_URL is not set: scale-out needs PostgreSQL; skipped");
        return;
    }
    let store = db.store().await;
    store.reference().load_reference().await.unwrap();
    let org = store
        .identity()
        .add_organisation(Caller::System(&Actor::system()), "Force", cordon_domain::identity::OrgKind::PoliceForce)
        .await
        .unwrap();
    const WRITERS: usize = 24;
    // A user per writer, since the writers sign in at the same moment and
    // sign-in checks at most five attempts on one account at once (each is
    // counted before its password is checked).
    let mut tokens = Vec::new();
    for i in 0..WRITERS {
        let user = store
            .identity()
            .add_user(
                Caller::System(&Actor::system()),
                cordon_store::identity::NewUser {
                    email: cordon_domain::identity::EmailAddress::parse(&format!("secco{i}@force.example")).unwrap(),
                    name: format!("Coordinator {i}"),
                    organisation_id: org.id.clone(),
                    roles: vec![Role::SecurityCoordinator],
                    clearance: Clearance::Sc,
                },
                PASSWORD,
            )
            .await
            .unwrap();
        tokens.push(store.identity().issue_token(&Actor::system(), &user.id, "t", 5).await.unwrap().0);
    }
    let instances = [Instance::start(&db), Instance::start(&db)];
    let bases: Vec<String> = instances.iter().map(|i| i.base.clone()).collect();
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let (client, bases, token) = (client.clone(), bases.clone(), tokens[w % tokens.len()].clone());
        tasks.push(tokio::spawn(async move {
            let (here, there) = (&bases[w % 2], &bases[(w + 1) % 2]);
            // An event created on one instance...
            let res = client
                .post(format!("{here}/api/v1/events"))
                .bearer_auth(&token)
                .json(&json!({"name": format!("Event {w}"), "kind": "sporting", "starts_at": "2027-05-01T10:00:00Z",
                              "ends_at": "2027-05-01T18:00:00Z", "venues": [{"name": "Park", "address": "NS1"}],
                              "expected_attendance": 1000, "marking": "OFFICIAL"}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 201);
            let event: Value = res.json().await.unwrap();
            let id = event["id"].as_str().unwrap().to_string();
            // ...its plan written on the other, three items at once...
            let mut items = Vec::new();
            for k in 0..3 {
                let res = client
                    .post(format!("{there}/api/v1/events/{id}/plan/stakeholder"))
                    .bearer_auth(&token)
                    .json(&json!({"name": format!("Stakeholder {w}-{k}"), "organisation": "Council", "role": "SAG"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 201);
                let item: Value = res.json().await.unwrap();
                items.push(item["id"].as_str().unwrap().to_string());
            }
            // ...and a sign-in through each instance's pages.
            let email = format!("secco{w}@force.example");
            assert_eq!(sign_in(&client, here, &email).await, 303);
            assert_eq!(sign_in(&client, there, &email).await, 303);
            (id, items)
        }));
    }
    let mut acknowledged_events = BTreeSet::new();
    let mut acknowledged_items = BTreeSet::new();
    for t in tasks {
        let (id, items) = t.await.expect("a writer failed");
        acknowledged_events.insert(id);
        acknowledged_items.extend(items);
    }
    for i in instances {
        i.stop();
    }

    let out = db.cordon(&["verify"]);
    assert!(out.status.success(), "{} {}", stdout(&out), stderr(&out));
    let stored: BTreeSet<String> =
        db.sql("SELECT id FROM planned_events").await.unwrap().iter().map(|r| r.text(0)).collect();
    assert_eq!(stored, acknowledged_events, "every acknowledged event is stored, and nothing else");
    let created = db.sql("SELECT COUNT(*) FROM journal WHERE kind = 'planned_event_created'").await.unwrap();
    assert_eq!(created[0].int(0), WRITERS as i64, "each event recorded once");
    let items: BTreeSet<String> =
        db.sql("SELECT item_id FROM plan_items").await.unwrap().iter().map(|r| r.text(0)).collect();
    assert_eq!(items, acknowledged_items, "every acknowledged plan item is stored");
    let saved = db.sql("SELECT COUNT(*) FROM journal WHERE kind = 'plan_item_saved'").await.unwrap();
    assert_eq!(saved[0].int(0), 3 * WRITERS as i64, "each item recorded once");
    let sessions = db.sql("SELECT COUNT(*) FROM sessions").await.unwrap();
    assert_eq!(sessions[0].int(0), 2 * WRITERS as i64, "every sign-in made its session");
    let seqs = db.sql("SELECT COUNT(*), COUNT(DISTINCT seq), MAX(seq) FROM journal").await.unwrap();
    assert_eq!(seqs[0].int(0), seqs[0].int(1));
    assert_eq!(seqs[0].int(0), seqs[0].int(2), "no gap and no duplicate in the sequence");
    let out = db.cordon(&["rebuild", "--dry-run"]);
    assert!(out.status.success(), "{} {}", stdout(&out), stderr(&out));
}
