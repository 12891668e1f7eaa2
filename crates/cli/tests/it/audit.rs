//! The audit trail, the access log, the disclosure bundle and retention, over
//! HTTP and through the real `cordon` binary.

use crate::common::{stderr, stdout, TestApp, PASSWORD};
use cordon_domain::identity::{Clearance, Role};
use reqwest::Method;
use serde_json::{json, Value};
use std::io::{Read, Write};

struct Fixture {
    app: TestApp,
    secco: String,
    secco_id: String,
    gold: String,
    auditor: String,
    partner_auditor: String,
    staff: String,
    event: String,
}

async fn fixture() -> Fixture {
    let app = TestApp::spawn().await;
    let secco_user = app.user("secco@force.example", "Force", &[Role::SecurityCoordinator], Clearance::Sc).await;
    let gold = app.user("gold@force.example", "Force", &[Role::StrategicCommander], Clearance::Sc).await;
    let auditor = app.user("auditor@force.example", "Force", &[Role::Auditor], Clearance::Sc).await;
    let partner_auditor = app.user("auditor@fire.example", "Fire", &[Role::Auditor], Clearance::Sc).await;
    let staff = app.user("pc@force.example", "Force", &[Role::Staff], Clearance::Sc).await;
    let secco = app.token(&secco_user).await;
    let (status, e) = app
        .send_as(
            &secco,
            Method::POST,
            "/api/v1/events",
            json!({"name": "City Marathon", "kind": "sporting", "starts_at": "2027-04-26T07:30:00Z",
                   "ends_at": "2027-04-26T16:00:00Z", "venues": [{"name": "Civic Square", "address": "NS1"}],
                   "expected_attendance": 85000, "marking": "OFFICIAL-SENSITIVE"}),
        )
        .await;
    assert_eq!(status, 201, "{e}");
    let event = e["id"].as_str().unwrap().to_string();
    // Share it with Fire, so that Fire's auditor is refused for the right reason.
    let fire = app.org("Fire").await;
    let viewer = app.store.identity().viewer(&secco_user).await.unwrap();
    app.store.events().share_event(&viewer, &event.parse().unwrap(), &fire.id).await.unwrap();
    Fixture {
        secco,
        secco_id: secco_user.id.to_string(),
        gold: app.token(&gold).await,
        auditor: app.token(&auditor).await,
        partner_auditor: app.token(&partner_auditor).await,
        staff: app.token(&staff).await,
        event,
        app,
    }
}

impl Fixture {
    async fn ok(&self, method: Method, path: &str, body: Value) -> Value {
        let (status, v) =
            self.app.send_as(&self.secco, method, &format!("/api/v1/events/{}{path}", self.event), body).await;
        assert!(status == 200 || status == 201 || status == 204, "{path}: {status} {v}");
        v
    }

    async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        self.app.get_as(token, &format!("/api/v1/events/{}{path}", self.event)).await
    }

    /// Fills the plan so that it may be issued, with a photograph on its visit.
    async fn make_ready(&self) -> Vec<u8> {
        self.ok(
            Method::PUT,
            "/plan/tasking",
            json!({"commissioned_by": "Gold", "commissioned_on": "2027-01-10", "terms_of_reference": "CT plan"}),
        )
        .await;
        self.ok(
            Method::PUT,
            "/plan/intent",
            json!({"intent": "A safe marathon", "objectives": ["Protect the public"]}),
        )
        .await;
        self.ok(
            Method::POST,
            "/plan/threat_assessment",
            json!({"source": "CTP North", "date": "2017-05-24", "summary": "No specific threat", "marking": "OFFICIAL-SENSITIVE"}),
        )
        .await;
        let png = [&[0x89u8, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..], &[7u8; 64][..]].concat();
        let res = self
            .app
            .client
            .post(self.app.url(&format!("/api/v1/events/{}/attachments", self.event)))
            .bearer_auth(&self.secco)
            .header("content-type", "image/png")
            .body(png.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let up: Value = res.json().await.unwrap();
        self.ok(
            Method::POST,
            "/plan/recon_visit",
            json!({"date": "2027-03-05", "attendees": "SecCo", "areas": "Start", "findings": "Open approach",
                   "attachments": [{"id": "a1", "name": "gate photo.png", "content_type": "image/png", "size": up["size"], "sha256": up["sha256"]}]}),
        )
        .await;
        let (_, methodologies) = self.app.get_as(&self.secco, "/api/v1/reference/attack-methodologies").await;
        for m in methodologies["items"].as_array().unwrap() {
            let id = m["id"].as_str().unwrap();
            let (l, i) = if id == "vehicle_as_a_weapon" { (4, 4) } else { (2, 2) };
            self.ok(Method::PUT, &format!("/plan/risk_assessment/{id}"), json!({"applicable": true, "likelihood": l, "impact": i, "residual_likelihood": if id == "vehicle_as_a_weapon" { 2 } else { l }, "residual_impact": i})).await;
        }
        let tp = self.ok(Method::POST, "/plan/tactical_plan", json!({"kind": "traffic", "owner": "Roads Policing", "version": "1", "received_on": "2027-03-01", "reviewed_by": "SecCo"})).await;
        self.ok(
            Method::POST,
            "/plan/measure",
            json!({"id": "hvm", "title": "Hostile vehicle barriers", "risks": ["vehicle_as_a_weapon"], "tactical_plan": tp["id"], "status": "accepted", "decline_reason": null}),
        )
        .await;
        self.ok(Method::POST, "/plan/recommendation", json!({"text": "HVM at entry points", "priority": "high", "risks": ["vehicle_as_a_weapon"], "proportionality_rationale": "Crowd of 85,000 on an open approach", "status": "accepted"})).await;
        png
    }
}

fn whats(v: &Value) -> Vec<String> {
    v["items"].as_array().unwrap().iter().map(|i| i["what"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn an_auditor_reads_every_change_in_words_without_being_on_the_team_and_the_reading_is_logged() {
    let f = fixture().await;
    f.ok(
        Method::PUT,
        "/plan/risk_assessment/vehicle_as_a_weapon",
        json!({"applicable": true, "likelihood": 4, "impact": 4, "residual_likelihood": 2, "residual_impact": 4}),
    )
    .await;
    f.ok(
        Method::POST,
        "/plan/measure",
        json!({"id": "hvm", "title": "Hostile vehicle barriers", "risks": ["vehicle_as_a_weapon"], "status": "proposed", "decline_reason": null}),
    )
    .await;
    f.ok(
        Method::PUT,
        "/plan/measure/hvm",
        json!({"id": "hvm", "title": "Hostile vehicle barriers", "risks": ["vehicle_as_a_weapon"], "status": "proposed", "decline_reason": null, "rationale": "Open approach"}),
    )
    .await;
    let (status, t) = f.get(&f.auditor, "/audit").await;
    assert_eq!(status, 200, "{t}");
    let w = whats(&t);
    assert_eq!(w[0], "Changed measure “Hostile vehicle barriers”", "newest first: {w:?}");
    assert_eq!(w[1], "Added measure “Hostile vehicle barriers”");
    assert!(w.iter().any(|s| s == "Shared the event with Fire"), "{w:?}");
    assert!(w.iter().any(|s| s == "Created the event “City Marathon”, marked OFFICIAL-SENSITIVE"), "{w:?}");
    assert!(w.iter().any(|s| s == "Added Test secco@force.example to the team"), "{w:?}");
    assert_eq!(t["items"][0]["who"], "Test secco@force.example");
    assert_eq!(t["items"][0]["organisation"], "Force");
    assert_eq!(t["total"], w.len() as i64);
    let seqs: Vec<i64> = t["items"].as_array().unwrap().iter().map(|i| i["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|p| p[0] > p[1]), "newest first: {seqs:?}");

    // The reading is in the access log, which the auditor reads too.
    let (status, log) = f.get(&f.auditor, "/access-log").await;
    assert_eq!(status, 200, "{log}");
    assert!(whats(&log).iter().any(|s| s == "Read the audit trail"), "{log}");
    assert_eq!(log["items"][0]["what"], "Read the access log", "its own reading first: {log}");

    // Filters: person, kind, dates; paging.
    let (_, by) = f.get(&f.auditor, &format!("/audit?person={}", f.secco_id)).await;
    assert!(by["items"].as_array().unwrap().iter().all(|i| i["user_id"] == f.secco_id.as_str()));
    assert!(by["total"].as_i64().unwrap() >= 3);
    let (_, saved) = f.get(&f.auditor, "/audit?kind=plan_item_saved").await;
    assert_eq!(saved["total"], 3, "{saved}");
    assert_eq!(whats(&saved)[2], "Added risk assessment “Vehicle as a weapon (VAW)”");
    let (_, future) = f.get(&f.auditor, "/audit?from=2099-01-01").await;
    assert_eq!(future["total"], 0);
    let today = f.app.store.today().to_string();
    let (_, today_only) = f.get(&f.auditor, &format!("/audit?from={today}&to={today}")).await;
    assert_eq!(today_only["total"], t["total"], "every change was made today");
    let (status, bad) = f.get(&f.auditor, "/audit?from=26/04/2027").await;
    assert_eq!(status, 400);
    assert_eq!(bad["error"]["field"], "from");
    let (status, bad) = f.get(&f.auditor, "/audit?kind=nonsense").await;
    assert_eq!(status, 400);
    assert_eq!(bad["error"]["field"], "kind");
    let (_, page) = f.get(&f.auditor, "/audit?limit=1&offset=1").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["seq"], t["items"][1]["seq"]);
    assert_eq!(page["total"], t["total"]);
    let (status, _) = f.get(&f.auditor, "/audit?limit=101").await;
    assert_eq!(status, 400);

    // CSV: the marking first, a header, one line per change.
    let res = f
        .app
        .client
        .get(f.app.url(&format!("/api/v1/events/{}/audit.csv?kind=plan_item_saved", f.event)))
        .bearer_auth(&f.auditor)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "# OFFICIAL-SENSITIVE");
    assert_eq!(lines[1], "seq,at,who,organisation,kind,marking,what");
    assert_eq!(lines.len(), 5, "{csv}");
    assert!(lines[3].contains("Added measure “Hostile vehicle barriers”"), "{csv}");
}

#[tokio::test]
async fn who_may_read_the_trail_follows_the_policy_and_refusals_show_in_the_access_log() {
    let f = fixture().await;
    // Another organisation's auditor, though the event is shared with them: not found.
    let (status, _) = f.get(&f.partner_auditor, "/audit").await;
    assert_eq!(status, 404);
    // Staff of the owning organisation, not on the team of an OFFICIAL-SENSITIVE event: not found.
    let (status, _) = f.get(&f.staff, "/audit").await;
    assert_eq!(status, 404);
    // Gold on the team may read the event, not its trail: refused.
    f.ok(Method::PUT, "/commanders", json!({"gold_email": "gold@force.example", "silver_email": null})).await;
    let (status, body) = f.get(&f.gold, "/audit").await;
    assert_eq!(status, 403, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("auditor"));
    // The security coordinator on the team reads the change history, not the access log.
    let (status, t) = f.get(&f.secco, "/audit").await;
    assert_eq!(status, 200);
    assert!(whats(&t).iter().any(|w| w == "Named Gold: Test gold@force.example; Silver: nobody"), "{t}");
    let (status, _) = f.get(&f.secco, "/access-log").await;
    assert_eq!(status, 403);
    // An event that does not exist is not found, and so is its bundle.
    let (status, _) = f.app.get_as(&f.auditor, "/api/v1/events/no-such-event/audit").await;
    assert_eq!(status, 404);
    let (status, _) = f.get(&f.partner_auditor, "/disclosure").await;
    assert_eq!(status, 404);

    // The auditor sees each refusal in the access log, and can pick them out.
    let (status, log) = f.get(&f.auditor, "/access-log?kind=denied").await;
    assert_eq!(status, 200, "{log}");
    let items = log["items"].as_array().unwrap();
    assert!(items.iter().all(|i| i["kind"] == "denied"));
    assert!(
        items.iter().any(|i| i["who"] == "Test pc@force.example"
            && i["what"].as_str().unwrap().starts_with("Refused (records.audit): ")),
        "{log}"
    );
    assert!(items.iter().any(|i| i["who"] == "Test gold@force.example"), "{log}");
    assert!(items.iter().any(|i| i["organisation"] == "Fire"), "{log}");
    let res = f
        .app
        .client
        .get(f.app.url(&format!("/api/v1/events/{}/access-log.csv", f.event)))
        .bearer_auth(&f.auditor)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Refused"));
}

#[tokio::test]
async fn the_pages_link_filter_and_list_records_due_for_review() {
    let f = fixture().await;
    let (_, secco) = f.app.sign_in("secco@force.example", PASSWORD, None).await;
    let plan = f.app.page(&secco, &format!("/events/{}/plan", f.event)).await.text().await.unwrap();
    assert!(plan.contains("id=\"audit-trail-link\""), "the coordinator is offered the trail");
    f.ok(Method::PUT, "/commanders", json!({"gold_email": "gold@force.example", "silver_email": null})).await;
    let (_, gold) = f.app.sign_in("gold@force.example", PASSWORD, None).await;
    let plan = f.app.page(&gold, &format!("/events/{}/plan", f.event)).await.text().await.unwrap();
    assert!(plan.contains("CT protective security plan"));
    assert!(!plan.contains("id=\"audit-trail-link\""), "Gold may not read it, so is not offered it");

    let (_, auditor) = f.app.sign_in("auditor@force.example", PASSWORD, None).await;
    let res = f.app.page(&auditor, &format!("/events/{}/audit?kind=commanders_set", f.event)).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("Audit trail: City Marathon"));
    assert!(html.contains("Named Gold: Test gold@force.example; Silver: nobody"));
    assert!(!html.contains("Created the event"), "filtered to one kind");
    assert!(html.contains("Download as CSV") && html.contains("Download the disclosure bundle"));
    assert!(html.matches("OFFICIAL-SENSITIVE").count() >= 2, "marked at top and bottom");
    let res = f.app.page(&auditor, &format!("/events/{}/audit?from=tomorrow", f.event)).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("Enter the from date as a real date"));
    let res = f.app.page(&auditor, &format!("/events/{}/access-log", f.event)).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Read the audit trail"));

    // Retention: nothing is due until six years after the event.
    let res = f.app.page(&auditor, "/audit/retention").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"none-due\""), "{html}");
    assert!(html.contains("MoPI"));
    f.app.db.clock.advance(time::Duration::days(365 * 7));
    // Sessions have long ended: sign in again.
    let (_, auditor) = f.app.sign_in("auditor@force.example", PASSWORD, None).await;
    let html = f.app.page(&auditor, "/audit/retention").await.text().await.unwrap();
    assert!(html.contains("City Marathon") && html.contains("(overdue)"), "{html}");
    // Nothing was deleted.
    let res = f.app.page(&auditor, &format!("/events/{}/audit", f.event)).await;
    assert_eq!(res.status(), 200);
    // Only auditors have the list.
    let (_, secco) = f.app.sign_in("secco@force.example", PASSWORD, None).await;
    let res = f.app.page(&secco, "/audit/retention").await;
    assert_eq!(res.status(), 403);
}

fn read_zip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut out = Vec::new();
            f.read_to_end(&mut out).unwrap();
            (f.name().unwrap().to_string(), out)
        })
        .collect()
}

fn write_zip(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in files {
        w.start_file(name.as_str(), opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn verify(app: &TestApp, bytes: &[u8], name: &str) -> std::process::Output {
    let path = app.db.dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    // No database and no journal key: only the file.
    std::process::Command::new(crate::common::cordon_binary())
        .args(["disclosure", "verify"])
        .arg(&path)
        .env("CORDON_LOG", "warn")
        .output()
        .unwrap()
}

#[tokio::test]
async fn a_disclosure_bundle_is_complete_signed_and_any_change_to_it_is_named() {
    let f = fixture().await;
    let png = f.make_ready().await;
    let (status, v) = f
        .app
        .send_as(
            &f.secco,
            Method::POST,
            &format!("/api/v1/events/{}/plan/versions", f.event),
            json!({"reason": "First issue to Gold"}),
        )
        .await;
    assert_eq!(status, 201, "{v}");

    // The signing key: created beside the journal key, owner-only, published.
    let (status, key) = f.app.get_json("/api/v1/signing-key").await;
    assert_eq!(status, 200);
    assert_eq!(key["algorithm"], "Ed25519");
    assert_eq!(key["public_key_hex"].as_str().unwrap().len(), 64);
    assert!(key["public_key_pem"].as_str().unwrap().starts_with("-----BEGIN PUBLIC KEY-----"));
    let key_file = cordon_store::disclosure::signing_key_path(&f.app.db.key);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600);
    }

    // Through the command line, as the operator.
    let out_path = f.app.db.dir.path().join("bundle.zip");
    let out = f.app.db.cordon(&["disclosure", "export", "--event", &f.event, "--out", out_path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Wrote the disclosure bundle"), "{}", stdout(&out));
    let again = f.app.db.cordon(&["disclosure", "export", "--event", &f.event, "--out", out_path.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1), "never overwrites");
    let cli_bundle = std::fs::read(&out_path).unwrap();
    let out = verify(&f.app, &cli_bundle, "cli.zip");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("The bundle is intact"), "{}", stdout(&out));
    assert!(stdout(&out).contains(key["public_key_hex"].as_str().unwrap()));
    let unknown = f.app.db.cordon(&["disclosure", "export", "--event", "no-such-event", "--out", "/tmp/never.zip"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("--event"), "{}", stderr(&unknown));

    // Through the web, as the organisation's auditor (the button).
    let res = f
        .app
        .client
        .get(f.app.url(&format!("/api/v1/events/{}/disclosure", f.event)))
        .bearer_auth(&f.auditor)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/zip");
    let bundle = res.bytes().await.unwrap().to_vec();
    let files = read_zip(&bundle);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "manifest.json",
        "manifest.sig",
        "signing-key.pem",
        "index.html",
        "SHA256SUMS",
        "versions/1.json",
        "journal.jsonl",
        "access-log.jsonl",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    let attachment = names.iter().find(|n| n.starts_with("attachments/")).expect("the photograph");
    assert!(attachment.ends_with("-gate_photo.png"), "{attachment}");
    let get = |n: &str| files.iter().find(|(x, _)| x == n).unwrap().1.clone();
    assert_eq!(get(attachment), png);
    // The version exactly as issued (its hash is the one recorded when issued).
    assert_eq!(
        cordon_domain::plan::sha256_hex(std::str::from_utf8(&get("versions/1.json")).unwrap()),
        v["hash"].as_str().unwrap()
    );
    // The version's PDF, as the plan's download gives it.
    let pdf = get("versions/1.pdf");
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let manifest: Value = serde_json::from_slice(&get("manifest.json")).unwrap();
    assert!(manifest["notes"].as_array().is_none_or(|n| n.is_empty()), "{manifest}");
    assert_eq!(manifest["event"]["name"], "City Marathon");
    assert_eq!(manifest["signing_key"]["public_key_hex"], key["public_key_hex"]);
    // The journal entries with sequence numbers and chain values; the access log with the export itself.
    let journal = String::from_utf8(get("journal.jsonl")).unwrap();
    let first: Value = serde_json::from_str(journal.lines().next().unwrap()).unwrap();
    assert!(first["seq"].as_i64().unwrap() > 0 && first["chain"].as_str().unwrap().len() == 64, "{first}");
    assert!(journal.lines().any(|l| l.contains("plan_issued")));
    let access = String::from_utf8(get("access-log.jsonl")).unwrap();
    assert!(access.contains("disclosure"), "the export is logged before the log is read");
    let index = String::from_utf8(get("index.html")).unwrap();
    assert!(
        index.contains("City Marathon")
            && index.contains("First issue to Gold")
            && index.contains("OFFICIAL-SENSITIVE")
    );

    let out = verify(&f.app, &bundle, "web.zip");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Pinned to the published key.
    let pem = f.app.db.dir.path().join("key.pem");
    std::fs::write(&pem, key["public_key_pem"].as_str().unwrap()).unwrap();
    let web = f.app.db.dir.path().join("web.zip");
    let out = std::process::Command::new(crate::common::cordon_binary())
        .args(["disclosure", "verify", web.to_str().unwrap(), "--key", pem.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // One changed byte in any file is found and named (the manifest and its
    // signature by the signature failing).
    for (i, (name, data)) in files.iter().enumerate() {
        let mut changed = files.clone();
        let mut d = data.clone();
        let at = d.len() / 2;
        d[at] ^= 0x01;
        changed[i] = (name.clone(), d);
        let fault = cordon_store::disclosure::verify_bundle(&write_zip(&changed), None).unwrap_err();
        let cordon_store::disclosure::BundleFault::Tampered(m) = &fault else { panic!("{name}: {fault}") };
        if name.starts_with("manifest") {
            assert!(m.contains("signature fails"), "{name}: {m}");
        } else {
            assert!(m.starts_with(&format!("{name}: ")), "{name}: {m}");
        }
    }
    // And through the binary: exit 3, naming the file.
    let mut changed = files.clone();
    let i = changed.iter().position(|(n, _)| n == "journal.jsonl").unwrap();
    changed[i].1[10] ^= 0x20;
    let out = verify(&f.app, &write_zip(&changed), "changed.zip");
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("journal.jsonl: its SHA-256 does not match the manifest"), "{}", stderr(&out));
    // A removed file.
    let removed: Vec<_> = files.iter().filter(|(n, _)| !n.starts_with("attachments/")).cloned().collect();
    let out = verify(&f.app, &write_zip(&removed), "removed.zip");
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains(&format!("{attachment}: missing from the bundle")), "{}", stderr(&out));
    // An added file.
    let mut added = files.clone();
    added.push(("extra.txt".into(), b"planted".to_vec()));
    let out = verify(&f.app, &write_zip(&added), "added.zip");
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("extra.txt"), "{}", stderr(&out));
    // An edited manifest (its hash of a file changed to match a changed file).
    let mut edited = files.clone();
    let m = edited.iter().position(|(n, _)| n == "manifest.json").unwrap();
    let text = String::from_utf8(edited[m].1.clone()).unwrap().replace("City Marathon", "City Marathom");
    edited[m].1 = text.into_bytes();
    let out = verify(&f.app, &write_zip(&edited), "edited.zip");
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("signature fails"), "{}", stderr(&out));

    // Not a bundle: a clear error, exit 1.
    let out = verify(&f.app, b"this is not a zip file", "not.zip");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not a zip file"), "{}", stderr(&out));
    let no_manifest: Vec<_> = files.iter().filter(|(n, _)| n != "manifest.json").cloned().collect();
    let out = verify(&f.app, &write_zip(&no_manifest), "no-manifest.zip");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no manifest.json"), "{}", stderr(&out));

    // Only an auditor of the owning organisation exports it.
    let (status, _) = f.get(&f.secco, "/disclosure").await;
    assert_eq!(status, 403);
}
