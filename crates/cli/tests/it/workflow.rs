//! The planning workflow over HTTP: changing an event, the lifecycle's guard
//! rails (each refused move alone), a closed event read-only, a person's
//! tasks, notifications in the application and by e-mail through a real SMTP
//! server (aiosmtpd), and pickers.

use crate::plan::{fixture, Fixture};
use reqwest::Method;
use serde_json::{json, Value};

async fn gold_named(f: &Fixture) {
    f.ok(Method::PUT, "/commanders", json!({"gold_email": "gold@force.example"})).await;
}

async fn issue(f: &Fixture, reason: &str) -> Value {
    f.ok(Method::POST, "/plan/versions", json!({"reason": reason})).await
}

async fn patch(f: &Fixture, body: Value) -> (u16, Value) {
    f.send(Method::PATCH, "", body).await
}

async fn status(f: &Fixture, to: &str, reason: &str) -> (u16, Value) {
    f.send(Method::POST, "/status", json!({"status": to, "reason": reason})).await
}

#[tokio::test]
async fn the_lifecycle_refuses_each_move_its_rules_forbid_in_words() {
    let f = fixture().await;
    gold_named(&f).await;
    // Planning: nothing can be moved on by hand.
    let (s, b) = status(&f, "live", "").await;
    assert_eq!(s, 409, "{b}");
    assert!(b["error"]["message"].as_str().unwrap().contains("endorse"), "{b}");
    let (s, b) = status(&f, "endorsed", "").await;
    assert_eq!(s, 409, "{b}");
    let (s, b) = status(&f, "sideways", "").await;
    assert_eq!((s, b["error"]["field"].as_str()), (422, Some("status")), "{b}");

    // Issued: awaiting endorsement until Gold endorses the latest version.
    f.make_ready().await;
    issue(&f, "First issue").await;
    let (_, e) = f.get("").await;
    assert_eq!(e["status"], "awaiting_endorsement");
    let (s, b) = status(&f, "live", "").await;
    assert_eq!(s, 409);
    assert!(b["error"]["message"].as_str().unwrap().contains("endorsed by Gold"), "{b}");
    let (s, _) = f
        .app
        .send_as(&f.gold, Method::POST, &format!("/api/v1/events/{}/plan/versions/1/endorsement", f.event), json!({}))
        .await;
    assert_eq!(s, 201);
    let (_, e) = f.get("").await;
    assert_eq!(e["status"], "endorsed");

    // A later version makes the event await endorsement again; endorsing the
    // earlier one does not count.
    f.ok(
        Method::POST,
        "/plan/recon_visit",
        json!({"date": "2027-03-09", "attendees": "SecCo", "areas": "Finish", "findings": "Crowd pinch point"}),
    )
    .await;
    issue(&f, "After the second visit").await;
    let (_, e) = f.get("").await;
    assert_eq!(e["status"], "awaiting_endorsement", "a later version awaits endorsement");
    let (s, _) = status(&f, "endorsed", "By hand").await;
    assert_eq!(s, 409, "endorsed is Gold's endorsement of the latest version, not a move by hand");
    let (s, _) = f
        .app
        .send_as(&f.gold, Method::POST, &format!("/api/v1/events/{}/plan/versions/2/endorsement", f.event), json!({}))
        .await;
    assert_eq!(s, 201);

    // Live: the event starts on 26 April 2027; earlier than the day before needs a reason.
    let (s, b) = status(&f, "live", "").await;
    assert_eq!(s, 409, "{b}");
    let m = b["error"]["message"].as_str().unwrap();
    assert!(m.contains("26 April 2027") && m.contains("25 April 2027") && m.contains("give a reason"), "{m}");
    // Debrief before live, and closed before debrief: refused in words.
    let (s, b) = status(&f, "debrief", "").await;
    assert_eq!(s, 409);
    assert_eq!(b["error"]["message"], "From endorsed the event moves on to live");
    let (s, _) = status(&f, "closed", "").await;
    assert_eq!(s, 409);
    let (s, e) = status(&f, "live", "The route is opened for the test run on Friday").await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["status"], "live");
    // Debrief only once the event has started.
    let (s, b) = status(&f, "debrief", "").await;
    assert_eq!(s, 409);
    assert!(b["error"]["message"].as_str().unwrap().contains("has not started"), "{b}");
    // Nothing moved by the refusals: the journal holds one status change.
    let moves = f.app.db.sql("SELECT COUNT(*) FROM journal WHERE kind = 'planned_event_status_changed'").await.unwrap()
        [0]
    .int(0);
    assert_eq!(moves, 1);

    // The reason is recorded with who moved it, in the audit trail.
    let (_, trail) = f.get("/audit").await;
    let words: Vec<&str> = trail["items"].as_array().unwrap().iter().map(|i| i["what"].as_str().unwrap()).collect();
    assert!(words.contains(&"Moved the event to live: The route is opened for the test run on Friday"), "{words:?}");
}

#[tokio::test]
async fn a_closed_event_and_its_plan_are_read_only() {
    let f = fixture().await;
    gold_named(&f).await;
    f.make_ready().await;
    issue(&f, "First issue").await;
    f.app
        .send_as(&f.gold, Method::POST, &format!("/api/v1/events/{}/plan/versions/1/endorsement", f.event), json!({}))
        .await;
    assert_eq!(status(&f, "live", "Test").await.0, 200);
    // The marathon has started (the test's clock moves on a year); tokens
    // issued a year ago have expired, so the coordinator has a new one.
    f.app.db.clock.advance(time::Duration::days(366));
    let secco = f.app.store.identity().user_by_email("secco@force.example").await.unwrap().unwrap();
    let token = f.app.token(&secco).await;
    let f = Fixture { secco: token, ..f };
    assert_eq!(status(&f, "debrief", "").await.0, 200);
    assert_eq!(status(&f, "closed", "Debrief complete").await.0, 200);

    // Every kind of write answers 409 and changes nothing.
    let (_, plan) = f.get("/plan").await;
    let visit = plan["plan"]["recon_visits"][0]["id"].as_str().unwrap().to_string();
    let before = f.app.db.sql("SELECT COUNT(*) FROM journal").await.unwrap()[0].int(0);
    let writes = [
        (
            Method::POST,
            "/plan/recon_visit",
            json!({"date": "2027-05-01", "attendees": "A", "areas": "B", "findings": "C"}),
        ),
        (Method::PUT, "/plan/intent", json!({"intent": "Changed", "objectives": ["x"]})),
        (Method::POST, "/plan/versions", json!({"reason": "Late"})),
        (Method::PATCH, "", json!({"name": "Renamed"})),
        (Method::POST, "/team", json!({"email": "pc@force.example"})),
        (Method::PUT, "/commanders", json!({"gold_email": "gold@force.example"})),
        (Method::POST, "/status", json!({"status": "live"})),
    ];
    let visit_path = format!("/plan/recon_visit/{visit}");
    let more = [
        (Method::DELETE, visit_path.clone(), json!(null)),
        (Method::PUT, visit_path, json!({"date": "2027-05-01", "attendees": "A", "areas": "B", "findings": "C"})),
        (Method::DELETE, "/team/gold@force.example".to_string(), json!(null)),
    ];
    let writes = writes.into_iter().map(|(m, p, b)| (m, p.to_string(), b)).chain(more);
    for (method, path, body) in writes {
        let (s, b) = f.send(method.clone(), &path, body).await;
        assert_eq!(s, 409, "{method} {path}: {b}");
        assert!(b["error"]["message"].as_str().unwrap().contains("closed"), "{b}");
    }
    let after = f.app.db.sql("SELECT COUNT(*) FROM journal").await.unwrap()[0].int(0);
    assert_eq!(before, after, "nothing was recorded");

    // The pages show no change links.
    let (_, b) = f.app.sign_in("secco@force.example", crate::common::PASSWORD, None).await;
    let html = f.app.page(&b, &format!("/events/{}/plan", f.event)).await.text().await.unwrap();
    assert!(!html.contains(">Change<"), "no change links on a closed plan");
    let html = f.app.page(&b, &format!("/events/{}", f.event)).await.text().await.unwrap();
    assert!(html.contains("This event is closed"));
    assert!(!html.contains("/change\""), "no link to change the event");
}

#[tokio::test]
async fn an_event_is_changed_field_by_field_and_journaled() {
    let f = fixture().await;
    let (s, e) = patch(&f, json!({"name": "City Marathon 2027"})).await;
    assert_eq!((s, e["name"].as_str()), (200, Some("City Marathon 2027")), "{e}");
    let (s, e) = patch(&f, json!({"kind": "music_or_festival"})).await;
    assert_eq!((s, e["kind"].as_str()), (200, Some("music_or_festival")));
    let (s, e) = patch(&f, json!({"starts_at": "2027-04-26T06:30:00Z", "ends_at": "2027-04-26T17:00:00Z"})).await;
    assert_eq!(s, 200, "{e}");
    assert!(e["starts_at"].as_str().unwrap().starts_with("2027-04-26T06:30:00"), "{e}");
    let (s, e) = patch(
        &f,
        json!({"venues": [{"name": "Civic Square", "address": "NS1"}, {"name": "Riverside Park", "address": "NS4"}]}),
    )
    .await;
    assert_eq!((s, e["venues"].as_array().map(Vec::len)), (200, Some(2)), "a venue added");
    let (s, e) = patch(&f, json!({"venues": [{"name": "Riverside Park", "address": "NS4"}]})).await;
    assert_eq!((s, e["venues"][0]["name"].as_str()), (200, Some("Riverside Park")), "a venue removed");
    let (s, e) = patch(&f, json!({"expected_attendance": 90000})).await;
    assert_eq!((s, e["expected_attendance"].as_i64()), (200, Some(90000)));
    // Lowering needs a reason (and nothing marked above the new marking).
    let (s, b) = patch(&f, json!({"marking": "OFFICIAL"})).await;
    assert_eq!((s, b["error"]["field"].as_str()), (422, Some("reason")), "{b}");
    let (s, e) = patch(&f, json!({"marking": "OFFICIAL", "reason": "The route is published"})).await;
    assert_eq!((s, e["marking"].as_str()), (200, Some("OFFICIAL")), "{e}");
    // Raising it is always allowed; then an OFFICIAL-SENSITIVE assessment can be added.
    let (s, e) = patch(&f, json!({"marking": "OFFICIAL-SENSITIVE"})).await;
    assert_eq!((s, e["marking"].as_str()), (200, Some("OFFICIAL-SENSITIVE")), "{e}");
    f.ok(Method::POST, "/plan/threat_assessment", json!({"source": "CTP North", "date": "2027-01-24", "summary": "No specific threat", "marking": "OFFICIAL-SENSITIVE"})).await;
    let (s, b) = patch(&f, json!({"marking": "OFFICIAL", "reason": "The route is public"})).await;
    assert_eq!((s, b["error"]["field"].as_str()), (422, Some("marking")), "{b}");
    assert!(b["error"]["message"].as_str().unwrap().contains("1 item in the plan is marked higher"), "{b}");
    let (_, e) = f.get("").await;
    assert_eq!(e["marking"], "OFFICIAL-SENSITIVE", "nothing changed");
    // Bad input names the field and changes nothing.
    for (body, field) in [
        (json!({"name": " "}), "name"),
        (json!({"kind": "concert"}), "kind"),
        (json!({"starts_at": "2027-02-31T08:00:00Z"}), "starts_at"),
        (json!({"ends_at": "2020-01-01T08:00:00Z"}), "ends_at"),
        (json!({"venues": []}), "venues"),
        (json!({"expected_attendance": -1}), "expected_attendance"),
        (json!({"marking": "TOP SECRET"}), "marking"),
    ] {
        let (s, b) = patch(&f, body.clone()).await;
        assert_eq!((s, b["error"]["field"].as_str()), (422, Some(field)), "{body}: {b}");
        assert!(!b["error"]["message"].as_str().unwrap().contains('_'), "in words: {b}");
    }
    // A new lead organisation takes ownership; the old one keeps access through a share.
    let other = f.app.org("Northshire Council").await;
    let (s, e) = patch(&f, json!({"organisation_id": other.id})).await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["organisation"]["name"], "Northshire Council");
    assert_eq!(e["shared_with"].as_array().unwrap().len(), 1, "{e}");

    // Someone outside the team cannot.
    let (s, _) =
        f.app.send_as(&f.outsider, Method::PATCH, &format!("/api/v1/events/{}", f.event), json!({"name": "x"})).await;
    assert!(s == 403 || s == 404, "{s}");
    // Journaled: each change is in the audit trail.
    let n = f.app.db.sql("SELECT COUNT(*) FROM journal WHERE kind = 'planned_event_changed'").await.unwrap()[0].int(0);
    assert_eq!(n, 9);
}

#[tokio::test]
async fn tasks_gather_my_events_endorsements_and_actions_overdue_first() {
    let f = fixture().await;
    gold_named(&f).await;
    let (_, mine) = f.app.get_as(&f.secco, "/api/v1/me/tasks").await;
    assert_eq!(mine["my_events"][0]["name"], "City Marathon");
    assert_eq!(mine["may_create_events"], true);
    let (_, gold) = f.app.get_as(&f.gold, "/api/v1/me/tasks").await;
    assert_eq!(gold["awaiting_endorsement"], json!([]));
    f.make_ready().await;
    issue(&f, "For Gold").await;
    let (_, gold) = f.app.get_as(&f.gold, "/api/v1/me/tasks").await;
    assert_eq!(gold["awaiting_endorsement"][0]["number"], 1, "{gold}");
    assert_eq!(gold["awaiting_endorsement"][0]["event"]["name"], "City Marathon");

    // Actions assigned to Gold: one overdue, one later; overdue first.
    let gold_id = f.app.db.sql("SELECT id FROM users WHERE email = 'gold@force.example'").await.unwrap()[0].text(0);
    f.ok(
        Method::POST,
        "/plan/meeting",
        json!({"kind": "strategic_coordinating_group", "date": "2026-01-10", "attendees": "Gold, SecCo", "minutes": "Agreed the route",
               "actions": [
                   {"text": "Confirm barrier supplier", "owner": "Gold", "due": "2099-03-01", "status": "open", "owner_user_id": gold_id},
                   {"text": "Sign the road closure order", "owner": "Gold", "due": "2026-02-01", "status": "open", "owner_user_id": gold_id},
                   {"text": "Done already", "owner": "Gold", "due": "2026-02-01", "status": "done", "owner_user_id": gold_id}
               ]}),
    )
    .await;
    let (_, gold) = f.app.get_as(&f.gold, "/api/v1/me/tasks").await;
    let actions = gold["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 2, "{gold}");
    assert_eq!(actions[0]["text"], "Sign the road closure order");
    assert_eq!(actions[0]["overdue"], true);
    assert_eq!(actions[1]["overdue"], false);
    assert_eq!(actions[0]["source"], "meeting");
    // An action agreed in liaison, with an owner and a due date, is a task too.
    let liaison = f
        .ok(
            Method::POST,
            "/plan/liaison",
            json!({"date": "2026-01-12", "with": "Northshire Fire and Rescue", "summary": "Rendezvous points",
                   "assigned": [{"text": "Share the barrier layout", "owner": "Gold", "due": "2026-01-20", "status": "open", "owner_user_id": gold_id}]}),
        )
        .await;
    let (_, gold) = f.app.get_as(&f.gold, "/api/v1/me/tasks").await;
    let actions = gold["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 3, "{gold}");
    let from_liaison = actions.iter().find(|a| a["text"] == "Share the barrier layout").expect("the liaison action");
    assert_eq!((from_liaison["source"].as_str(), from_liaison["overdue"].as_bool()), (Some("liaison"), Some(true)));
    assert_eq!(from_liaison["meeting_id"], liaison["id"]);
    // Gold is told of it, with a link to the entry on the plan.
    let (_, notes) = f.app.get_as(&f.gold, "/api/v1/me/notifications").await;
    let link = format!("/events/{}/plan#liaison-{}", f.event, liaison["id"].as_str().unwrap());
    assert!(
        notes["items"].as_array().unwrap().iter().any(|n| n["kind"] == "action_assigned" && n["link"] == link),
        "{notes}"
    );
    // The overdue sweep tells Gold once of each overdue action (the meeting's
    // and the liaison's), however often it runs; the later one is not overdue.
    let added = f.app.store.notifications().sweep_overdue().await.unwrap();
    assert_eq!(added, 2, "two actions are overdue");
    assert_eq!(f.app.store.notifications().sweep_overdue().await.unwrap(), 0, "told once");
    let (_, notes) = f.app.get_as(&f.gold, "/api/v1/me/notifications").await;
    let overdue: Vec<&Value> =
        notes["items"].as_array().unwrap().iter().filter(|n| n["kind"] == "action_overdue").collect();
    assert_eq!(overdue.len(), 2, "{notes}");
    assert!(overdue.iter().any(|n| n["link"] == link), "the liaison's action links to its entry");
    // Someone with no events sees none, and is told why on their home page.
    let (_, pc) = f.app.get_as(&f.outsider, "/api/v1/me/tasks").await;
    assert_eq!((pc["my_events"].clone(), pc["may_create_events"].clone()), (json!([]), json!(false)), "{pc}");
    let (_, b) = f.app.sign_in("pc@force.example", crate::common::PASSWORD, None).await;
    let html = f.app.page(&b, "/").await.text().await.unwrap();
    assert!(html.contains("No event has been shared with your organisation yet"), "the empty state explains");
    assert!(!html.contains("Create an event"), "offered only to those who may");
}

#[tokio::test]
async fn notifications_are_listed_counted_and_marked_read() {
    let f = fixture().await;
    gold_named(&f).await;
    f.make_ready().await;
    issue(&f, "For Gold").await;
    let (_, list) = f.app.get_as(&f.gold, "/api/v1/me/notifications").await;
    let kinds: Vec<&str> = list["items"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap()).collect();
    for k in ["version_issued", "named_gold", "added_to_team"] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
    assert_eq!(list["items"][0]["event_name"], "City Marathon", "named where Gold may see the event");
    // Gold endorses: the team hears; Gold, who did it, does not.
    f.app
        .send_as(&f.gold, Method::POST, &format!("/api/v1/events/{}/plan/versions/1/endorsement", f.event), json!({}))
        .await;
    let (_, secco) = f.app.get_as(&f.secco, "/api/v1/me/notifications").await;
    assert_eq!(secco["items"][0]["kind"], "version_endorsed", "{secco}");
    let (_, gold) = f.app.get_as(&f.gold, "/api/v1/me/notifications?unread=true").await;
    assert!(gold["items"].as_array().unwrap().iter().all(|n| n["kind"] != "version_endorsed"));

    // Named Silver: told so, and of joining the team.
    f.ok(Method::PUT, "/commanders", json!({"gold_email": "gold@force.example", "silver_email": "pc@force.example"}))
        .await;
    let (_, pc) = f.app.get_as(&f.outsider, "/api/v1/me/notifications").await;
    let kinds: Vec<&str> = pc["items"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"named_silver"), "{pc}");

    // The header counts unread ones; marking read takes one off; someone else's is not found.
    let (_, b) = f.app.sign_in("gold@force.example", crate::common::PASSWORD, None).await;
    let html = f.app.page(&b, "/notifications").await.text().await.unwrap();
    let unread = gold["total"].as_i64().unwrap();
    assert!(html.contains(&format!("{unread}<span class=\"visually-hidden\"> unread")), "the header counts {unread}");
    let id = gold["items"][0]["id"].as_str().unwrap();
    let (s, _) = f.app.send_as(&f.secco, Method::POST, &format!("/api/v1/me/notifications/{id}/read"), json!({})).await;
    assert_eq!(s, 404, "another's notification is not found");
    let (s, _) = f.app.send_as(&f.gold, Method::POST, &format!("/api/v1/me/notifications/{id}/read"), json!({})).await;
    assert_eq!(s, 204);
    let (_, after) = f.app.get_as(&f.gold, "/api/v1/me/notifications?unread=true").await;
    assert_eq!(after["total"].as_i64().unwrap(), unread - 1);
}

/// A real SMTP server: aiosmtpd writing each message to a maildir.
struct SmtpServer {
    child: std::process::Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl SmtpServer {
    fn start() -> SmtpServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = tempfile::tempdir().unwrap();
        let maildir = dir.path().join("mail");
        let mut child = std::process::Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("aiosmtpd (Debian's python3-aiosmtpd) must be installed: .ci/run installs it");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return SmtpServer { child, port, dir };
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("aiosmtpd did not start");
    }

    /// Every message received so far, as text.
    fn messages(&self) -> Vec<String> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(entries) = std::fs::read_dir(self.dir.path().join("mail").join(sub)) {
                for e in entries.flatten() {
                    out.push(std::fs::read_to_string(e.path()).unwrap_or_default());
                }
            }
        }
        out
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn notices_are_emailed_marked_and_without_plan_text_and_wait_while_the_relay_is_down() {
    let f = fixture().await;
    // The relay is down: the change still succeeds; the notice waits in the outbox.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let settings = |port: u16| cordon_web::mail::MailSettings {
        smtp_url: format!("smtp://127.0.0.1:{port}"),
        from: "Cordon <cordon@force.example>".into(),
        public_url: "https://cordon.force.example".into(),
    };
    let down = cordon_web::mail::spawn(f.app.store.clone(), Some(settings(dead))).unwrap();
    gold_named(&f).await;
    let waited = async {
        loop {
            let o = f.app.store.notifications().outbox().await.unwrap();
            if o.failed > 0 {
                return o;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    };
    let outbox = tokio::time::timeout(std::time::Duration::from_secs(60), waited).await.expect("an attempt was made");
    assert!(outbox.last_error.is_some(), "{outbox:?}");
    down.abort();

    // The relay is up: what waited is sent, after its back-off.
    let smtp = SmtpServer::start();
    f.app.db.clock.advance(time::Duration::minutes(5));
    let up = cordon_web::mail::spawn(f.app.store.clone(), Some(settings(smtp.port))).unwrap();
    f.make_ready().await;
    issue(&f, "For Gold: the barrier plan is agreed").await;
    let arrived = async {
        loop {
            let m = smtp.messages();
            if m.iter().any(|m| m.contains("awaits your endorsement"))
                && m.iter().any(|m| m.contains("Gold) of an event"))
            {
                return m;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    };
    let messages = tokio::time::timeout(std::time::Duration::from_secs(60), arrived).await.expect("mail arrived");
    up.abort();
    // Header lines may be folded and the body quoted-printable: read them unfolded.
    let messages: Vec<String> = messages
        .iter()
        .map(|m| m.replace("\r\n ", " ").replace("\n ", " ").replace("=\r\n", "").replace("=\n", ""))
        .collect();
    let issued = messages.iter().find(|m| m.contains("awaits your endorsement")).unwrap();
    assert!(issued.contains("Subject: [OFFICIAL-SENSITIVE] Cordon: Version 1 of a plan was issued"), "{issued}");
    assert!(issued.contains("To: "), "{issued}");
    assert!(issued.contains("gold@force.example"));
    assert!(issued.contains(&format!("https://cordon.force.example/events/{}/plan/versions/1", f.event)), "{issued}");
    for secret in ["City Marathon", "barrier", "Civic Square", "Impact-tested", "85000", "85,000"] {
        for m in &messages {
            assert!(!m.contains(secret), "no plan text in an e-mail ({secret}): {m}");
        }
    }
    let o = f.app.store.notifications().outbox().await.unwrap();
    assert!(o.sent >= 2, "{o:?}");
}

#[tokio::test]
async fn people_are_picked_from_those_eligible_and_pages_confirm_first() {
    let f = fixture().await;
    let (_, b) = f.app.sign_in("secco@force.example", crate::common::PASSWORD, None).await;
    // The picker lists people of the event's organisation not yet in the team, searchable without script.
    let html = f.app.page(&b, &format!("/events/{}/team/add", f.event)).await.text().await.unwrap();
    assert!(html.contains("gold@force.example") && html.contains("pc@force.example"), "both can be added");
    let html = f.app.page(&b, &format!("/events/{}/team/add?q=gold", f.event)).await.text().await.unwrap();
    assert!(html.contains("gold@force.example") && !html.contains("pc@force.example"), "the search narrows");
    // Moving the status and removing someone ask first, on pages of their own.
    let res = f.app.page(&b, &format!("/events/{}/status?to=live", f.event)).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Move City Marathon to live?"));
    // A date that does not exist is named on the change page.
    let csrf = f.app.csrf(&b).await;
    let form = [
        ("csrf_token", csrf.as_str()),
        ("name", "City Marathon"),
        ("kind", "sporting"),
        ("starts-day", "31"),
        ("starts-month", "2"),
        ("starts-year", "2027"),
        ("starts-time", "08:00"),
        ("ends-day", "26"),
        ("ends-month", "4"),
        ("ends-year", "2027"),
        ("ends-time", "16:00"),
        ("venue-name-0", "Civic Square"),
        ("venue-address-0", "NS1"),
        ("expected_attendance", "85,000"),
        ("marking", "OFFICIAL-SENSITIVE"),
    ];
    let res = f
        .app
        .client
        .post(f.app.url(&format!("/events/{}/change", f.event)))
        .header("cookie", b.cookie())
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("href=\"#starts-day\">Start date must be a real date"), "the summary links to the box");
}

/// Each refused move from a fresh event on its own: the rule in words, 409,
/// and nothing recorded.
#[tokio::test]
async fn each_move_the_rules_refuse_is_refused_alone() {
    let cases: [(&str, &str, &str); 5] = [
        ("planning", "debrief", "Issue the plan and have Gold endorse it"),
        ("planning", "closed", "Issue the plan and have Gold endorse it"),
        ("planning", "planning", "already"),
        ("endorsed", "closed", "From endorsed"),
        ("live", "closed", "From live"),
    ];
    for (from, to, words) in cases {
        let f = fixture().await;
        gold_named(&f).await;
        if from != "planning" {
            f.make_ready().await;
            issue(&f, "First issue").await;
            let path = format!("/api/v1/events/{}/plan/versions/1/endorsement", f.event);
            assert_eq!(f.app.send_as(&f.gold, Method::POST, &path, json!({})).await.0, 201);
        }
        if from == "live" {
            assert_eq!(status(&f, "live", "Early for the test run").await.0, 200);
        }
        let before = f.app.db.sql("SELECT COUNT(*) FROM journal").await.unwrap()[0].int(0);
        let (s, b) = status(&f, to, "A reason").await;
        assert_eq!(s, 409, "{from} to {to}: {b}");
        let m = b["error"]["message"].as_str().unwrap();
        assert!(m.contains(words), "{from} to {to}: {m}");
        let after = f.app.db.sql("SELECT COUNT(*) FROM journal").await.unwrap()[0].int(0);
        assert_eq!(before, after, "{from} to {to}: nothing recorded");
    }
}

/// From the day before the event starts, going live needs no reason.
#[tokio::test]
async fn an_event_goes_live_from_the_day_before_it_starts_without_a_reason() {
    let f = fixture().await;
    gold_named(&f).await;
    f.make_ready().await;
    issue(&f, "First issue").await;
    let path = format!("/api/v1/events/{}/plan/versions/1/endorsement", f.event);
    assert_eq!(f.app.send_as(&f.gold, Method::POST, &path, json!({})).await.0, 201);
    let (_, e) = f.get("").await;
    let starts =
        time::OffsetDateTime::parse(e["starts_at"].as_str().unwrap(), &time::format_description::well_known::Rfc3339)
            .unwrap();
    // Move the test's clock to the morning of the day before.
    let now = f.app.db.clock.now();
    let target = (starts - time::Duration::days(1)).replace_time(time::macros::time!(09:00));
    f.app.db.clock.advance(target - now);
    let secco = f.app.store.identity().user_by_email("secco@force.example").await.unwrap().unwrap();
    let token = f.app.token(&secco).await;
    let f = crate::plan::Fixture { secco: token, ..f };
    let (s, b) = status(&f, "live", "").await;
    assert_eq!((s, b["status"].as_str()), (200, Some("live")), "{b}");
}

/// The events list is filtered by dates written the UK way, and a date that
/// does not exist is named by the filter's own label.
#[tokio::test]
async fn the_events_filter_reads_uk_dates_and_says_what_is_wrong_in_words() {
    let f = fixture().await;
    let (_, b) = f.app.sign_in("secco@force.example", crate::common::PASSWORD, None).await;
    let res = f.app.page(&b, "/events?from=26/4/2027").await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("City Marathon"), "the marathon ends on or after 26 April 2027");
    let res = f.app.page(&b, "/events?to=1/1/2027").await;
    assert!(!res.text().await.unwrap().contains("City Marathon</a>"), "it starts after 1 January 2027");
    let res = f.app.page(&b, "/events?from=31/2/2027").await;
    assert_eq!(res.status(), 400);
    let html = res.text().await.unwrap();
    assert!(html.contains("Ending on or after: Enter a real date, such as 26/4/2027"), "{html}");
    assert!(!html.contains("from:"), "never the field's name");
    let (s, body) = f.app.get_as(&f.secco, "/api/v1/events?from=26/04/2027").await;
    assert_eq!((s, body["total"].as_i64()), (200, Some(1)), "{body}");
}

/// Removing someone from the team from its page asks why, and the audit
/// trail keeps the reason with who and when.
#[tokio::test]
async fn a_removal_from_the_team_records_why() {
    let f = fixture().await;
    gold_named(&f).await;
    let (_, b) = f.app.sign_in("secco@force.example", crate::common::PASSWORD, None).await;
    let page = f.app.page(&b, &format!("/events/{}/team/remove?email=gold@force.example", f.event)).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Why are they being removed?"), "{html}");
    let csrf = crate::common::hidden(&html, "csrf_token");
    let remove = |reason: &'static str| {
        let form =
            [("csrf_token", csrf.as_str()), ("action", "remove"), ("email", "gold@force.example"), ("reason", reason)];
        f.app
            .client
            .post(f.app.url(&format!("/events/{}/team", f.event)))
            .header("cookie", b.cookie())
            .form(&form)
            .send()
    };
    let res = remove("").await.unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Enter why they are being removed"));
    let (_, e) = f.get("").await;
    assert!(e["team"].as_array().unwrap().iter().any(|m| m["email"] == "gold@force.example"), "still in the team");
    assert_eq!(remove("Briefed by the SecCo instead").await.unwrap().status(), 303);
    let (_, e) = f.get("").await;
    assert!(!e["team"].as_array().unwrap().iter().any(|m| m["email"] == "gold@force.example"), "{e}");
    let (_, trail) = f.get("/audit").await;
    let words: Vec<&str> = trail["items"].as_array().unwrap().iter().map(|i| i["what"].as_str().unwrap()).collect();
    assert!(words.iter().any(|w| w.ends_with("from the team: Briefed by the SecCo instead")), "{words:?}");
}
