//! The CT protective security plan over HTTP: authoring, readiness, issue,
//! immutable versions, diffs, endorsement, copying and bad input.

use crate::common::TestApp;
use cordon_domain::identity::{Clearance, Role};
use cordon_store::records::Caller;
use reqwest::Method;
use serde_json::{json, Value};

pub(crate) struct Fixture {
    pub(crate) app: TestApp,
    pub(crate) secco: String,
    pub(crate) gold: String,
    pub(crate) outsider: String,
    pub(crate) event: String,
}

impl Fixture {
    fn event_id(&self) -> cordon_domain::ids::EventId {
        self.event.parse().unwrap()
    }
}

pub(crate) async fn fixture() -> Fixture {
    let app = TestApp::spawn().await;
    let secco = app.user("secco@force.example", "Force", &[Role::SecurityCoordinator], Clearance::Sc).await;
    let gold = app.user("gold@force.example", "Force", &[Role::StrategicCommander], Clearance::Sc).await;
    let outsider = app.user("pc@force.example", "Force", &[Role::Staff], Clearance::Sc).await;
    let (secco, gold, outsider) = (app.token(&secco).await, app.token(&gold).await, app.token(&outsider).await);
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
    Fixture { app, secco, gold, outsider, event }
}

impl Fixture {
    pub(crate) async fn send(&self, method: Method, path: &str, body: Value) -> (u16, Value) {
        self.app.send_as(&self.secco, method, &format!("/api/v1/events/{}{path}", self.event), body).await
    }

    pub(crate) async fn get(&self, path: &str) -> (u16, Value) {
        self.app.get_as(&self.secco, &format!("/api/v1/events/{}{path}", self.event)).await
    }

    pub(crate) async fn ok(&self, method: Method, path: &str, body: Value) -> Value {
        let (status, v) = self.send(method, path, body).await;
        assert!(status == 200 || status == 201 || status == 204, "{path}: {status} {v}");
        v
    }

    /// Fills the plan so that every readiness rule passes.
    pub(crate) async fn make_ready(&self) {
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
        let ta = self
            .ok(Method::POST, "/plan/threat_assessment", json!({"source": "CTP North", "date": "2017-05-24", "summary": "No specific threat", "marking": "OFFICIAL-SENSITIVE"}))
            .await;
        assert_eq!(ta["national_threat_level"], "CRITICAL", "filled in from the reference data");
        self.ok(
            Method::POST,
            "/plan/recon_visit",
            json!({"date": "2027-03-05", "attendees": "SecCo", "areas": "Start", "findings": "Open approach"}),
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
            json!({"id": "hvm", "title": "Impact-tested barriers", "risks": ["vehicle_as_a_weapon"], "tactical_plan": tp["id"], "status": "accepted", "decline_reason": null}),
        )
        .await;
        self.ok(Method::POST, "/plan/recommendation", json!({"text": "HVM at entry points", "priority": "high", "risks": ["vehicle_as_a_weapon"], "proportionality_rationale": "Crowd of 85,000 on an open approach", "status": "accepted"})).await;
    }
}

#[tokio::test]
async fn a_plan_is_built_issued_compared_and_endorsed() {
    let f = fixture().await;
    // Not ready: the problems are named with rule, message and path.
    let (status, r) = f.get("/plan/readiness").await;
    assert_eq!(status, 200);
    assert_eq!(r["ready"], false);
    let rules: Vec<&str> = r["problems"].as_array().unwrap().iter().map(|p| p["rule"].as_str().unwrap()).collect();
    for rule in ["tasking", "intent", "threat_assessment", "methodology_assessed", "reconnaissance"] {
        assert!(rules.contains(&rule), "{rule} in {rules:?}");
    }
    assert!(r["problems"][0]["path"].as_str().unwrap().starts_with("/plan/"));
    let (status, body) = f.send(Method::POST, "/plan/versions", json!({"reason": "First issue"})).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "not_ready");
    assert!(!body["problems"].as_array().unwrap().is_empty());

    f.make_ready().await;
    let (_, r) = f.get("/plan/readiness").await;
    assert_eq!(r, json!({"ready": true, "problems": []}), "{r}");
    let (status, v1) = f.send(Method::POST, "/plan/versions", json!({"reason": "First issue to Gold"})).await;
    assert_eq!(status, 201, "{v1}");
    assert_eq!(v1["number"], 1);

    // Exactly as issued, with its hash.
    let res = f
        .app
        .client
        .get(f.app.url(&format!("/api/v1/events/{}/plan/versions/1", f.event)))
        .bearer_auth(&f.secco)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let header_hash = res.headers()["x-content-sha256"].to_str().unwrap().to_string();
    let bytes = res.bytes().await.unwrap();
    let hash = cordon_domain::plan::sha256_hex(std::str::from_utf8(&bytes).unwrap());
    assert_eq!(hash, v1["hash"].as_str().unwrap());
    assert_eq!(header_hash, hash);
    let snapshot: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(snapshot["plan"]["measures"][0]["title"], "Impact-tested barriers");
    assert_eq!(cordon_domain::plan::canonical_json(&snapshot).as_bytes(), &bytes[..]);

    // Nothing changes an issued version.
    for m in [Method::PUT, Method::PATCH, Method::DELETE] {
        let (status, body) = f.send(m.clone(), "/plan/versions/1", json!({"reason": "x"})).await;
        assert_eq!(status, 409, "{m}: {body}");
    }
    assert!(f.app.db.sql("UPDATE plan_versions SET reason = 'x'").await.is_err(), "the database refuses too");

    // Drafting continues; a second version differs field by field.
    f.ok(Method::PUT, "/plan/measure/hvm", json!({"title": "Impact-tested barriers", "risks": ["vehicle_as_a_weapon"], "status": "declined", "decline_reason": "resources", "rationale": "No barriers available", "tactical_plan": null})).await;
    let (_, r) = f.get("/plan/readiness").await;
    let rules: Vec<&str> = r["problems"].as_array().unwrap().iter().map(|p| p["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, vec!["risk_treated", "residual_contingency"], "declined for resources: still a residual risk");
    let (_, plan) = f.get("/plan").await;
    let vaw = plan["risks"].as_array().unwrap().iter().find(|r| r["methodology"] == "vehicle_as_a_weapon").unwrap();
    assert_eq!(vaw["declined_for_resources"][0], "Measure: Impact-tested barriers");
    f.ok(Method::PUT, "/plan/risk_assessment/vehicle_as_a_weapon", json!({"applicable": true, "likelihood": 4, "impact": 4, "residual_likelihood": 4, "residual_impact": 4, "no_measure_rationale": "Road closure by order instead"})).await;
    f.ok(Method::POST, "/plan/contingency", json!({"risks": ["vehicle_as_a_weapon"], "trigger": "Vehicle breach", "actions": "Invacuate", "owner": "Silver"})).await;
    let (status, v2) = f.send(Method::POST, "/plan/versions", json!({"reason": "Barriers unavailable"})).await;
    assert_eq!(status, 201, "{v2}");
    assert_ne!(v1["hash"], v2["hash"]);
    let (status, d) = f.get("/plan/versions/1/diff/2").await;
    assert_eq!(status, 200);
    let changes = d["changes"].as_array().unwrap();
    let status_change = changes.iter().find(|c| c["path"] == "plan/measures/hvm/status").expect("status change");
    assert_eq!(
        (status_change["before"].as_str(), status_change["after"].as_str()),
        (Some("Accepted"), Some("Declined"))
    );
    assert!(changes.iter().any(|c| c["path"].as_str().unwrap().starts_with("plan/contingencies/")));
    let (_, list) = f.get("/plan/versions").await;
    assert_eq!(list["total"], 2);
    assert_eq!(f.get("/plan/versions/3").await.0, 404);
    assert_eq!(f.get("/plan/versions/1/diff/9").await.0, 404);

    // Endorsement: only the event's Gold.
    assert_eq!(f.send(Method::POST, "/plan/versions/2/endorsement", json!({})).await.0, 403);
    f.ok(Method::PUT, "/commanders", json!({"gold_email": "gold@force.example"})).await;
    let path = format!("/api/v1/events/{}/plan/versions/2/endorsement", f.event);
    let (status, e) =
        f.app.send_as(&f.gold, Method::POST, &path, json!({"conditions": "Review if the threat level rises"})).await;
    assert_eq!(status, 201, "{e}");
    assert_eq!(e["endorsement"]["conditions"], "Review if the threat level rises");
    assert_eq!(f.app.send_as(&f.gold, Method::POST, &path, json!({})).await.0, 409);
    let (_, ev) = f.app.get_as(&f.gold, &format!("/api/v1/events/{}", f.event)).await;
    assert_eq!(ev["status"], "endorsed");
    // Then live, debrief, closed, in that order only (the lifecycle's rules are
    // tested one by one in `workflow`).
    let status_path = format!("/api/v1/events/{}/status", f.event);
    let (status, body) = f.app.send_as(&f.secco, Method::POST, &status_path, json!({"status": "closed"})).await;
    assert_eq!(status, 409, "{body}");
    let early = json!({"status": "live", "reason": "Rehearsal on the course the week before"});
    let (status, body) = f.app.send_as(&f.secco, Method::POST, &status_path, early).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("live")), "{body}");
    assert_eq!(f.app.store.recent_entries(20).await.unwrap().iter().filter(|e| e.kind == "plan_endorsed").count(), 1);

    // Without need to know: nothing of the plan is visible.
    for p in
        ["/plan", "/plan/readiness", "/plan/versions", "/plan/versions/1", "/plan/versions/1/diff/2", "/plan/coverage"]
    {
        let (status, _) = f.app.get_as(&f.outsider, &format!("/api/v1/events/{}{p}", f.event)).await;
        assert_eq!(status, 404, "{p}");
    }
    let (status, _) = f
        .app
        .send_as(
            &f.outsider,
            Method::PUT,
            &format!("/api/v1/events/{}/plan/tasking", f.event),
            json!({"commissioned_by": "x", "commissioned_on": "2027-01-01", "terms_of_reference": "y"}),
        )
        .await;
    assert_eq!(status, 404);

    // The pages show the same: readiness, side-by-side diff, banner.
    let (_, b) = f.app.sign_in("secco@force.example", crate::common::PASSWORD, None).await;
    let html = f.app.page(&b, &format!("/events/{}/plan", f.event)).await.text().await.unwrap();
    assert!(html.contains("Ready to issue"));
    assert_eq!(html.matches("marking marking-official-sensitive").count(), 2);
    let html = f.app.page(&b, &format!("/events/{}/plan/versions/1/diff/2", f.event)).await.text().await.unwrap();
    assert!(html.contains("Version 1") && html.contains("declined"));
}

#[tokio::test]
async fn bad_plan_input_names_the_field_and_changes_nothing() {
    let f = fixture().await;
    let other = fixture_event(&f).await;
    f.ok(Method::POST, "/plan/vulnerability", json!({"id": "v1", "location": "Gate A", "description": "Open", "methodologies": ["vehicle_as_a_weapon"], "severity": 3})).await;
    f.ok(
        Method::PUT,
        "/plan/risk_assessment/vehicle_as_a_weapon",
        json!({"applicable": true, "likelihood": 3, "impact": 3}),
    )
    .await;
    // A vulnerability in the other event.
    let path = format!("/api/v1/events/{other}/plan/vulnerability");
    assert_eq!(
        f.app
            .send_as(
                &f.secco,
                Method::POST,
                &path,
                json!({"id": "v-other", "location": "x", "description": "y", "methodologies": [], "severity": 1})
            )
            .await
            .0,
        201
    );
    let before = f.app.store.journal_len().await.unwrap();
    let cases = [
        (
            "/plan/risk_assessment/vehicle_as_a_weapon",
            Method::PUT,
            json!({"applicable": true, "likelihood": 6, "impact": 3}),
            422,
            "likelihood",
        ),
        (
            "/plan/risk_assessment/vehicle_as_a_weapon",
            Method::PUT,
            json!({"applicable": true, "likelihood": 3, "impact": 0}),
            422,
            "impact",
        ),
        (
            "/plan/risk_assessment/alien_invasion",
            Method::PUT,
            json!({"applicable": true, "likelihood": 3, "impact": 3}),
            422,
            "methodology",
        ),
        ("/plan/risk_assessment/drone", Method::PUT, json!({"applicable": false}), 422, "not_applicable_reason"),
        (
            "/plan/measure",
            Method::POST,
            json!({"title": "x", "risks": ["vehicle_as_a_weapon"], "vulnerabilities": ["v-other"], "status": "proposed", "tactical_plan": null, "decline_reason": null}),
            422,
            "vulnerabilities",
        ),
        (
            "/plan/measure",
            Method::POST,
            json!({"title": "x", "risks": ["drone"], "status": "proposed", "tactical_plan": null, "decline_reason": null}),
            422,
            "risks",
        ),
        (
            "/plan/threat_assessment",
            Method::POST,
            json!({"source": "x", "date": "2027-02-30", "summary": "y", "marking": "OFFICIAL"}),
            422,
            "date",
        ),
        (
            "/plan/threat_assessment",
            Method::POST,
            // Below the event's marking (an item may be marked higher, never lower).
            json!({"source": "x", "date": "2027-02-03", "summary": "y", "marking": "OFFICIAL"}),
            422,
            "marking",
        ),
        ("/plan/threat_assessment", Method::POST, json!({"date": "2027-02-03"}), 400, "source"),
        ("/plan/no_such_section", Method::POST, json!({}), 404, "section"),
    ];
    for (path, method, body, want, field) in cases {
        let (status, resp) = f.send(method, path, body).await;
        assert_eq!(status, want, "{path}: {resp}");
        assert_eq!(resp["error"]["field"], field, "{path}: {resp}");
    }
    // Removing something that is linked is refused.
    let (status, _) = f.send(Method::DELETE, "/plan/vulnerability/nope", json!({})).await;
    assert_eq!(status, 404);
    assert_eq!(f.app.store.journal_len().await.unwrap(), before, "nothing changed");
}

async fn fixture_event(f: &Fixture) -> String {
    let (status, e) = f
        .app
        .send_as(
            &f.secco,
            Method::POST,
            "/api/v1/events",
            json!({"name": "Other event", "kind": "protest", "starts_at": "2027-06-01T10:00:00Z", "ends_at": "2027-06-01T12:00:00Z",
                   "venues": [{"name": "Park", "address": ""}], "expected_attendance": 500, "marking": "OFFICIAL-SENSITIVE"}),
        )
        .await;
    assert_eq!(status, 201);
    e["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn attachments_are_checked_and_stored_by_hash() {
    let f = fixture().await;
    let url = f.app.url(&format!("/api/v1/events/{}/attachments", f.event));
    let png = [&[0x89u8, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..], &[0u8; 64][..]].concat();
    let res = f
        .app
        .client
        .post(&url)
        .bearer_auth(&f.secco)
        .header("content-type", "image/png")
        .body(png.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let up: Value = res.json().await.unwrap();
    let res = f
        .app
        .client
        .post(&url)
        .bearer_auth(&f.secco)
        .header("content-type", "application/x-msdownload")
        .body(vec![b'M', b'Z', 0, 0])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415, "a type that is not accepted is 415, as the document says");
    let body = res.json::<Value>().await.unwrap();
    assert_eq!(body["error"]["code"], "unsupported_media_type");
    assert_eq!(body["error"]["field"], "file");
    let res = f
        .app
        .client
        .post(&url)
        .bearer_auth(&f.secco)
        .header("content-type", "image/png")
        .body(vec![1, 2, 3])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422, "the bytes must be what the type claims");
    let big = [&png[..], &vec![0u8; 11 * 1024 * 1024][..]].concat();
    let res = f
        .app
        .client
        .post(&url)
        .bearer_auth(&f.secco)
        .header("content-type", "image/png")
        .body(big)
        .send()
        .await
        .unwrap();
    assert!(res.status() == 413 || res.status() == 422, "{}", res.status());
    let visit = json!({"date": "2027-03-05", "attendees": "SecCo", "areas": "Start", "findings": "See photo",
        "attachments": [{"id": "a1", "name": "gate.png", "content_type": "image/png", "size": up["size"], "sha256": up["sha256"]}]});
    f.ok(Method::POST, "/plan/recon_visit", visit).await;
    let res = f
        .app
        .client
        .get(format!("{url}/{}", up["sha256"].as_str().unwrap()))
        .bearer_auth(&f.secco)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().to_vec(), png);
    let res = f
        .app
        .client
        .get(format!("{url}/{}", up["sha256"].as_str().unwrap()))
        .bearer_auth(&f.outsider)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn a_plan_can_start_from_an_earlier_one_marked_for_review() {
    let f = fixture().await;
    f.make_ready().await;
    let other = fixture_event(&f).await;
    let path = format!("/api/v1/events/{other}/plan/copy-from");
    let (status, body) = f.app.send_as(&f.secco, Method::POST, &path, json!({"source_event_id": f.event})).await;
    assert_eq!(status, 201, "{body}");
    assert!(body["copied_items"].as_i64().unwrap() > 10);
    let (_, r) = f.app.get_as(&f.secco, &format!("/api/v1/events/{other}/plan/readiness")).await;
    let rules: Vec<&str> = r["problems"].as_array().unwrap().iter().map(|p| p["rule"].as_str().unwrap()).collect();
    assert!(rules.contains(&"copied_for_review"), "{rules:?}");
    assert!(rules.contains(&"tasking") && rules.contains(&"reconnaissance"));
    // Only into an empty plan; never from a plan you may not see.
    assert_eq!(f.app.send_as(&f.secco, Method::POST, &path, json!({"source_event_id": f.event})).await.0, 409);
    let (status, body) = f
        .app
        .send_as(&f.secco, Method::POST, &path, json!({"source_event_id": "0190aaaa-0000-7000-8000-000000000000"}))
        .await;
    assert_eq!((status, body["error"]["field"].as_str()), (422, Some("source_event_id")), "{body}");
}

#[tokio::test]
async fn the_plan_page_changes_and_removes_items() {
    let f = fixture().await;
    f.make_ready().await;
    let (_, b) = f.app.sign_in("secco@force.example", crate::common::PASSWORD, None).await;
    let page = f.app.page(&b, &format!("/events/{}/plan", f.event)).await.text().await.unwrap();
    let csrf = crate::common::hidden(&page, "csrf_token");
    // Change a measure's status from the page: the risk is then untreated.
    let form = vec![
        ("csrf_token", csrf.clone()),
        ("id", "hvm".to_string()),
        ("title", "Impact-tested barriers".to_string()),
        ("risks", "vehicle_as_a_weapon".to_string()),
        ("status", "proposed".to_string()),
    ];
    let res = f
        .app
        .client
        .post(f.app.url(&format!("/events/{}/plan/measure", f.event)))
        .header("cookie", b.cookie())
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, r) = f.get("/plan/readiness").await;
    assert_eq!(r["ready"], false);
    // Remove an item nothing links to, and see it gone; a linked one is refused.
    let (_, plan) = f.get("/plan").await;
    let rec = plan["plan"]["recommendations"][0]["id"].as_str().unwrap().to_string();
    // Without a reason the page asks for one, and nothing is removed.
    let remove = |path: String, reason: &'static str| {
        f.app
            .client
            .post(f.app.url(&path))
            .header("cookie", b.cookie())
            .form(&[("csrf_token", csrf.as_str()), ("reason", reason)])
            .send()
    };
    let res = remove(format!("/events/{}/plan/recommendation/{rec}/remove", f.event), "  ").await.unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Enter why it is being removed"));
    let (_, plan) = f.get("/plan").await;
    assert_eq!(plan["plan"]["recommendations"].as_array().unwrap().len(), 1);
    let res = remove(format!("/events/{}/plan/recommendation/{rec}/remove", f.event), "Met by the barrier plan")
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, plan) = f.get("/plan").await;
    assert!(plan["plan"]["recommendations"].as_array().unwrap().is_empty());
    let res = f
        .app
        .client
        .post(f.app.url(&format!("/events/{}/plan/risk_assessment/vehicle_as_a_weapon/remove", f.event)))
        .header("cookie", b.cookie())
        .form(&[("csrf_token", csrf.as_str()), ("reason", "Not needed")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("cannot be removed while other items of the plan refer to it"));
    // Without the token: refused.
    let res = f
        .app
        .client
        .post(f.app.url(&format!("/events/{}/plan/tasking", f.event)))
        .header("cookie", b.cookie())
        .form(&[("commissioned_by", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn a_photograph_is_attached_to_a_visit_from_the_page() {
    let f = fixture().await;
    let visit = f
        .ok(
            Method::POST,
            "/plan/recon_visit",
            json!({"date": "2027-03-05", "attendees": "SecCo", "areas": "Start", "findings": "Gate"}),
        )
        .await;
    let (_, b) = f.app.sign_in("secco@force.example", crate::common::PASSWORD, None).await;
    let page = f.app.page(&b, &format!("/events/{}/plan", f.event)).await.text().await.unwrap();
    let csrf = crate::common::hidden(&page, "csrf_token");
    let url = f.app.url(&format!("/events/{}/plan/recon_visit/{}/attachments", f.event, visit["id"].as_str().unwrap()));
    let jpeg = [&[0xFFu8, 0xD8, 0xFF, 0xE0][..], &vec![7u8; 3 * 1024 * 1024][..]].concat();
    let form = reqwest::multipart::Form::new().text("csrf_token", csrf.clone()).part(
        "file",
        reqwest::multipart::Part::bytes(jpeg.clone()).file_name("gate.jpg").mime_str("image/jpeg").unwrap(),
    );
    let res = f.app.client.post(&url).header("cookie", b.cookie()).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap_or_default());
    let (_, plan) = f.get("/plan").await;
    let a = &plan["plan"]["recon_visits"][0]["attachments"][0];
    assert_eq!(a["name"], "gate.jpg");
    assert_eq!(a["size"], jpeg.len());
    // A file that is not what it claims is refused with the field named.
    let form = reqwest::multipart::Form::new().text("csrf_token", csrf).part(
        "file",
        reqwest::multipart::Part::bytes(b"MZ not a photo".to_vec()).file_name("x.jpg").mime_str("image/jpeg").unwrap(),
    );
    let res = f.app.client.post(&url).header("cookie", b.cookie()).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), 422);
    // Changing the visit on its own page keeps its attachments.
    let path = format!("/events/{}/plan/recon_visit/{}", f.event, visit["id"].as_str().unwrap());
    let token = f.app.csrf(&b).await;
    let res = f
        .app
        .client
        .post(f.app.url(&path))
        .header("cookie", b.cookie())
        .form(&[
            ("csrf_token", token.as_str()),
            ("date", "2027-03-06"),
            ("attendees", "SecCo, venue manager"),
            ("areas", "Start"),
            ("findings", "Gate"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, plan) = f.get("/plan").await;
    let v = &plan["plan"]["recon_visits"][0];
    assert_eq!(v["attendees"], "SecCo, venue manager");
    assert_eq!(v["attachments"][0]["name"], "gate.jpg");
}

/// Read entries the access log holds for an event.
async fn logged_reads(f: &Fixture) -> i64 {
    let rows = f
        .app
        .db
        .sql(&format!("SELECT COUNT(*) FROM access_log WHERE stream = 'event/{}' AND kind = 'read'", f.event))
        .await
        .unwrap();
    rows[0].int(0)
}

#[tokio::test]
async fn an_item_is_changed_on_its_own_page() {
    let f = fixture().await;
    f.make_ready().await;
    let (_, b) = f.app.sign_in("secco@force.example", crate::common::PASSWORD, None).await;
    let plan_path = format!("/events/{}/plan", f.event);
    let page = f.app.page(&b, &plan_path).await.text().await.unwrap();
    let item_path = format!("{plan_path}/measure/hvm");
    assert!(page.contains(&format!("href=\"{item_path}\"")), "each measure links to its own page");

    let res = f.app.page(&b, &item_path).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("value=\"Impact-tested barriers\""), "the form is filled in");
    assert!(html.contains("<option value=\"accepted\" selected>"), "the status is chosen");
    assert!(html.contains("value=\"vehicle_as_a_weapon\" checked"), "the treated risk is ticked");
    let csrf = crate::common::hidden(&html, "csrf_token");
    let post = |form: Vec<(&'static str, String)>| {
        f.app.client.post(f.app.url(&item_path)).header("cookie", b.cookie()).form(&form).send()
    };

    // Bad input: named next to the field, the typed value kept, nothing changed.
    let (_, before) = f.get("/plan").await;
    let res = post(vec![
        ("csrf_token", csrf.clone()),
        ("title", "Barriers, changed".into()),
        ("risks", "vehicle_as_a_weapon".into()),
        ("tactical_plan", "no-such-plan".into()),
        ("status", "accepted".into()),
    ])
    .await
    .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"tactical_plan-error\""), "the error is next to its field");
    assert!(html.contains("value=\"Barriers, changed\""), "what was typed is kept");
    let (_, after) = f.get("/plan").await;
    assert_eq!(before["plan"], after["plan"], "nothing changed");

    // Declined for resources, with an id in the form that is ignored: the item
    // in the address changes, nothing is added, and the plan is no longer ready.
    let res = post(vec![
        ("csrf_token", csrf.clone()),
        ("id", "something-else".into()),
        ("title", "Impact-tested barriers at every entry".into()),
        ("risks", "vehicle_as_a_weapon".into()),
        ("status", "declined_resources".into()),
        ("rationale", "No barriers available that weekend".into()),
    ])
    .await
    .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("{plan_path}?changed=measure#measure"));
    // Back on the plan, the page says what was done; a made-up section says nothing.
    let html = f.app.page(&b, &format!("{plan_path}?changed=measure")).await.text().await.unwrap();
    assert!(html.contains("Your changes to the measure were saved."), "the plan says what changed");
    let html = f.app.page(&b, &format!("{plan_path}?added=%3Cscript%3E")).await.text().await.unwrap();
    assert!(!html.contains("saved-notice"), "only known sections are named");
    let (_, plan) = f.get("/plan").await;
    let measures = plan["plan"]["measures"].as_array().unwrap();
    assert_eq!(measures.len(), 1);
    assert_eq!(measures[0]["id"], "hvm");
    assert_eq!(measures[0]["title"], "Impact-tested barriers at every entry");
    assert_eq!(measures[0]["status"], "declined");
    assert_eq!(measures[0]["decline_reason"], "resources");
    assert_eq!(plan["readiness"]["ready"], false);
    // The plan page shows the change at once (its cached rendering is of the old state).
    let page = f.app.page(&b, &plan_path).await.text().await.unwrap();
    assert!(page.contains("Declined for resources: risk remains as residual risk"));

    // "I have reviewed it" records the signed-in user as the reviewer.
    let tp = plan["plan"]["tactical_plans"][0]["id"].as_str().unwrap().to_string();
    let res = f
        .app
        .client
        .post(f.app.url(&format!("{plan_path}/tactical_plan/{tp}")))
        .header("cookie", b.cookie())
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("kind", "traffic"),
            ("owner", "Roads Policing"),
            ("version", "2"),
            ("received_on", "2027-03-02"),
            ("reviewed_by", ""),
            ("mark_reviewed", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, plan) = f.get("/plan").await;
    assert_eq!(plan["plan"]["tactical_plans"][0]["version"], "2");
    let (_, me) = f.app.get_as(&f.secco, "/api/v1/me").await;
    assert_eq!(plan["plan"]["tactical_plans"][0]["reviewed_by"], me["name"]);

    // A failed add from the plan page shows the form again on its own page,
    // as typed, with the error next to its field; nothing is added.
    let res = f
        .app
        .client
        .post(f.app.url(&format!("{plan_path}/measure")))
        .header("cookie", b.cookie())
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("title", "Search dogs at the start"),
            ("risks", "no_such_methodology"),
            ("status", "proposed"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("<h1>Add a measure</h1>"), "{html}");
    assert!(html.contains("id=\"risks-error\""));
    assert!(html.contains("value=\"Search dogs at the start\""));
    assert!(html.contains(&format!("action=\"{plan_path}/measure\"")));
    let (_, now) = f.get("/plan").await;
    assert_eq!(now["plan"]["measures"], plan["plan"]["measures"]);

    // Unknown items, sections edited elsewhere, other people's plans: not found.
    assert_eq!(f.app.page(&b, &format!("{plan_path}/measure/nope")).await.status(), 404);
    assert_eq!(f.app.page(&b, &format!("{plan_path}/tasking/tasking")).await.status(), 404);
    let (_, outsider) = f.app.sign_in("pc@force.example", crate::common::PASSWORD, None).await;
    assert_eq!(f.app.page(&outsider, &item_path).await.status(), 404);
    // Without the token: refused, unchanged.
    let res = f
        .app
        .client
        .post(f.app.url(&item_path))
        .header("cookie", b.cookie())
        .form(&[("title", "x"), ("status", "accepted")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let (_, again) = f.get("/plan").await;
    assert_eq!(again["plan"]["measures"], plan["plan"]["measures"]);
}

#[tokio::test]
async fn shared_plan_renderings_still_apply_the_policy_and_each_viewers_token() {
    let f = fixture().await;
    f.make_ready().await;
    let plan_path = format!("/events/{}/plan", f.event);
    // Gold joins the team; both read the plan page, which is rendered once.
    f.ok(Method::POST, "/team", json!({"email": "gold@force.example"})).await;
    let (_, secco) = f.app.sign_in("secco@force.example", crate::common::PASSWORD, None).await;
    let (_, gold) = f.app.sign_in("gold@force.example", crate::common::PASSWORD, None).await;
    for b in [&secco, &gold, &secco] {
        let page = f.app.page(b, &plan_path).await.text().await.unwrap();
        let own = f.app.csrf(b).await;
        let tokens: std::collections::BTreeSet<String> = page
            .split("name=\"csrf_token\" value=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().to_string())
            .collect();
        assert_eq!(tokens.into_iter().collect::<Vec<_>>(), vec![own], "every form carries the viewer's own token");
    }
    // Asked for gzip, as browsers ask, the page and the JSON are the same
    // bytes once decompressed, with the viewer's own token in the page.
    for path in [plan_path.clone(), format!("/api/v1/events/{}/plan", f.event)] {
        let plain = f.app.page(&gold, &path).await.bytes().await.unwrap();
        let res = f
            .app
            .client
            .get(f.app.url(&path))
            .header("cookie", gold.cookie())
            .header("accept-encoding", "gzip, deflate, br")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-encoding"], "gzip", "{path}");
        assert_eq!(res.headers()["vary"], "accept-encoding");
        let zipped = res.bytes().await.unwrap();
        assert!(zipped.len() * 2 < plain.len(), "{path}: {} of {}", zipped.len(), plain.len());
        let mut unzipped = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&zipped[..]), &mut unzipped).unwrap();
        assert_eq!(unzipped, plain.to_vec(), "{path}");
    }

    // Every read is logged, cached or not.
    let before = logged_reads(&f).await;
    for _ in 0..3 {
        let (status, _) = f.app.get_as(&f.gold, &format!("/api/v1/events/{}/plan", f.event)).await;
        assert_eq!(status, 200);
    }
    assert_eq!(logged_reads(&f).await, before + 3);
    // Removed from the team, Gold no longer sees the plan, though nothing in it changed.
    let (status, _) = f.send(Method::DELETE, "/team/gold@force.example", Value::Null).await;
    assert_eq!(status, 204);
    let (status, _) = f.app.get_as(&f.gold, &format!("/api/v1/events/{}/plan", f.event)).await;
    assert_eq!(status, 404);
    assert_eq!(f.app.page(&gold, &plan_path).await.status(), 404);
    // The outsider never did.
    let (status, _) = f.app.get_as(&f.outsider, &format!("/api/v1/events/{}/plan", f.event)).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_tactical_plan_is_marked_reviewed_from_the_plan_page() {
    let f = fixture().await;
    let tp = f
        .ok(
            Method::POST,
            "/plan/tactical_plan",
            json!({"kind": "search", "owner": "PolSA", "version": "1", "received_on": "2027-03-01"}),
        )
        .await;
    let tp = tp["id"].as_str().unwrap().to_string();
    let (_, b) = f.app.sign_in("secco@force.example", crate::common::PASSWORD, None).await;
    let plan_path = format!("/events/{}/plan", f.event);
    let page = f.app.page(&b, &plan_path).await.text().await.unwrap();
    let action = format!("{plan_path}/tactical_plan/{tp}/reviewed");
    assert!(page.contains(&format!("action=\"{action}\"")), "an unreviewed plan offers the button");
    let csrf = crate::common::hidden(&page, "csrf_token");
    // Without the token: refused, unchanged.
    let res = f.app.client.post(f.app.url(&action)).header("cookie", b.cookie()).form(&[("x", "y")]).send().await;
    assert_eq!(res.unwrap().status(), 403);
    let res = f
        .app
        .client
        .post(f.app.url(&action))
        .header("cookie", b.cookie())
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, plan) = f.get("/plan").await;
    let (_, me) = f.app.get_as(&f.secco, "/api/v1/me").await;
    let t = &plan["plan"]["tactical_plans"][0];
    assert_eq!(t["reviewed_by"], me["name"]);
    assert_eq!((t["owner"].as_str(), t["version"].as_str()), (Some("PolSA"), Some("1")), "nothing else changed");
    let page = f.app.page(&b, &plan_path).await.text().await.unwrap();
    assert!(!page.contains(&action), "a reviewed plan no longer offers it");
    // Someone outside the team cannot, and learns nothing.
    let (_, outsider) = f.app.sign_in("pc@force.example", crate::common::PASSWORD, None).await;
    let csrf = f.app.csrf(&outsider).await;
    let res = f
        .app
        .client
        .post(f.app.url(&format!("{plan_path}/tactical_plan/nope/reviewed")))
        .header("cookie", outsider.cookie())
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn two_photographs_uploaded_at_once_to_one_visit_both_land() {
    let f = fixture().await;
    let visit = f
        .ok(
            Method::POST,
            "/plan/recon_visit",
            json!({"date": "2027-03-05", "attendees": "SecCo", "areas": "Start", "findings": "Open approach"}),
        )
        .await;
    let (_, b) = f.app.sign_in("secco@force.example", crate::common::PASSWORD, None).await;
    let page = f.app.page(&b, &format!("/events/{}/plan", f.event)).await.text().await.unwrap();
    let csrf = crate::common::hidden(&page, "csrf_token");
    let url = f.app.url(&format!("/events/{}/plan/recon_visit/{}/attachments", f.event, visit["id"].as_str().unwrap()));
    let upload = |n: u8| {
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
        jpeg.extend(std::iter::repeat_n(n, 64));
        let form = reqwest::multipart::Form::new().text("csrf_token", csrf.clone()).part(
            "file",
            reqwest::multipart::Part::bytes(jpeg).file_name(format!("gate-{n}.jpg")).mime_str("image/jpeg").unwrap(),
        );
        f.app.client.post(&url).header("cookie", b.cookie()).multipart(form).send()
    };
    let results = futures_join(vec![upload(1), upload(2), upload(3), upload(4)]).await;
    for r in results {
        assert_eq!(r.unwrap().status(), 303);
    }
    let (_, plan) = f.get("/plan").await;
    let names: Vec<&str> = plan["plan"]["recon_visits"][0]["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 4, "no upload lost: {names:?}");
}

/// Runs the futures at once and waits for all of them.
async fn futures_join<F: std::future::Future + Send + 'static>(futures: Vec<F>) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn a_change_based_on_an_old_state_of_the_plan_is_refused_as_stale() {
    let f = fixture().await;
    let store = &f.app.store;
    let secco = store.identity().user_by_email("secco@force.example").await.unwrap().unwrap();
    let viewer = store.identity().viewer(&secco).await.unwrap();
    let plan = store.plan();
    let before = plan.plan_view(&viewer, &f.event_id()).await.unwrap().plan_seq;
    let stakeholder = |name: &str| {
        serde_json::from_value::<cordon_domain::plan::PlanItem>(
            json!({"section": "stakeholder", "id": "s1", "name": name, "organisation": "Council", "role": "Licensing"}),
        )
        .unwrap()
    };
    plan.save_plan_item_expecting(&viewer, &f.event_id(), stakeholder("First"), None, Some(before)).await.unwrap();
    // A second change prepared from the same state is refused and changes nothing.
    let err = plan
        .save_plan_item_expecting(&viewer, &f.event_id(), stakeholder("Second"), None, Some(before))
        .await
        .unwrap_err();
    assert!(matches!(err, cordon_store::StoreError::Stale(_)), "{err:?}");
    let view = plan.plan_view(&viewer, &f.event_id()).await.unwrap();
    assert_eq!(view.plan.stakeholders[0].name, "First");
    // Prepared from the current state, it goes through.
    plan.save_plan_item_expecting(&viewer, &f.event_id(), stakeholder("Second"), None, Some(view.plan_seq))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_write_to_another_capabilitys_stream_keeps_the_plans_cached_view() {
    let f = fixture().await;
    let store = &f.app.store;
    let secco = store.identity().user_by_email("secco@force.example").await.unwrap().unwrap();
    let viewer = store.identity().viewer(&secco).await.unwrap();
    let first = store.plan().plan_view(&viewer, &f.event_id()).await.unwrap();
    // Other streams: an organisation, a user, a threat level.
    f.app.org("Another Force").await;
    f.app.user("someone@another.example", "Another Force", &[Role::Staff], Clearance::Bpss).await;
    store
        .threat()
        .record_threat_level(
            Caller::System(&cordon_store::Actor::system()),
            cordon_domain::threat::Series::National,
            cordon_domain::threat::ThreatLevel::Substantial,
            cordon_store::today(),
            "x",
        )
        .await
        .unwrap();
    let again = store.plan().plan_view(&viewer, &f.event_id()).await.unwrap();
    assert!(std::sync::Arc::ptr_eq(&first, &again), "the view was rebuilt for a write that cannot change it");
    // The plan's own stream and the event's stream do change it.
    f.ok(Method::POST, "/plan/stakeholder", json!({"name": "Council", "organisation": "Council", "role": "SAG"})).await;
    let after_plan = store.plan().plan_view(&viewer, &f.event_id()).await.unwrap();
    assert!(!std::sync::Arc::ptr_eq(&first, &after_plan));
    assert_eq!(after_plan.plan.stakeholders.len(), 1);
    f.app.user("pc2@force.example", "Force", &[Role::Staff], Clearance::Sc).await;
    let (status, _) = f.send(Method::POST, "/team", json!({"email": "pc2@force.example"})).await;
    assert_eq!(status, 201);
    let after_team = store.plan().plan_view(&viewer, &f.event_id()).await.unwrap();
    assert!(!std::sync::Arc::ptr_eq(&after_plan, &after_team), "a change of the event's stream is a new view");
}

#[tokio::test]
async fn the_openapi_document_describes_versions_and_attachments() {
    let app = TestApp::spawn().await;
    let (status, doc) = app.get_json("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    let paths = &doc["paths"];

    // An issued version: its hash in a header, its number from 1.
    let get = &paths["/events/{id}/plan/versions/{n}"]["get"];
    let ok = &get["responses"]["200"];
    assert!(ok["headers"]["X-Content-SHA256"]["schema"].is_object(), "{ok}");
    assert!(ok["content"]["application/json"]["schema"].is_object(), "{ok}");
    let params = get["parameters"].as_array().unwrap();
    let n = params.iter().find(|p| p["name"] == "n").expect("n is a parameter");
    assert_eq!(n["in"], "path");
    assert_eq!(n["schema"]["type"], "integer", "{n}");
    assert_eq!(n["schema"]["minimum"], 1, "{n}");

    // An upload: the raw file, in exactly three media types.
    let post = &paths["/events/{id}/attachments"]["post"];
    let mut types: Vec<&str> = post["requestBody"]["content"].as_object().unwrap().keys().map(String::as_str).collect();
    types.sort();
    assert_eq!(types, ["application/pdf", "image/jpeg", "image/png"]);
    for status in ["201", "401", "413", "422"] {
        assert!(post["responses"][status].is_object(), "the upload documents {status}");
    }
}

#[tokio::test]
async fn a_change_sent_with_an_old_etag_is_409_stale_and_changes_nothing() {
    let f = fixture().await;
    let url = f.app.url(&format!("/api/v1/events/{}/plan", f.event));
    let res = f.app.client.get(&url).bearer_auth(&f.secco).send().await.unwrap();
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    assert!(etag.starts_with("\"plan-"), "{etag}");
    let add = |name: &str, tag: Option<&str>| {
        let mut req = f
            .app
            .client
            .post(format!("{url}/stakeholder"))
            .bearer_auth(&f.secco)
            .json(&json!({"name": name, "organisation": "Council", "role": "SAG"}));
        if let Some(tag) = tag {
            req = req.header("if-match", tag);
        }
        req.send()
    };
    // Someone else changes the plan after we read it...
    assert_eq!(add("Theirs", None).await.unwrap().status(), 201);
    // ...so our change, based on what we read, is refused and nothing is written.
    let res = add("Ours", Some(&etag)).await.unwrap();
    assert_eq!(res.status(), 409);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "stale");
    assert!(body["error"]["message"].as_str().unwrap().contains("someone else changed"));
    let (_, plan) = f.get("/plan").await;
    assert_eq!(plan["plan"]["stakeholders"].as_array().unwrap().len(), 1);
    // With the current ETag it goes through; one that is not the plan's at all
    // matches no state of it: 409 naming If-Match, nothing written.
    let res = f.app.client.get(&url).bearer_auth(&f.secco).send().await.unwrap();
    let current = res.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(current, etag);
    assert_eq!(add("Ours", Some(&current)).await.unwrap().status(), 201);
    let res = add("Ours", Some("yesterday")).await.unwrap();
    assert_eq!(res.status(), 409);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["field"], "If-Match");
    let (_, plan) = f.get("/plan").await;
    assert_eq!(plan["plan"]["stakeholders"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_page_saved_after_someone_else_changed_the_plan_shows_both_and_changes_nothing() {
    let f = fixture().await;
    let s = f
        .ok(Method::POST, "/plan/stakeholder", json!({"name": "Licensing", "organisation": "Council", "role": "SAG"}))
        .await;
    let (_, b) = f.app.sign_in("secco@force.example", crate::common::PASSWORD, None).await;
    let item_path = format!("/events/{}/plan/stakeholder/{}", f.event, s["id"].as_str().unwrap());
    let html = f.app.page(&b, &item_path).await.text().await.unwrap();
    let csrf = crate::common::hidden(&html, "csrf_token");
    let expected = crate::common::hidden(&html, "expected_seq");
    // Meanwhile someone else renames the stakeholder through the API.
    f.ok(
        Method::PUT,
        &format!("/plan/stakeholder/{}", s["id"].as_str().unwrap()),
        json!({"name": "Licensing team", "organisation": "City Council", "role": "SAG"}),
    )
    .await;
    let form = [
        ("csrf_token", csrf.as_str()),
        ("expected_seq", expected.as_str()),
        ("name", "Licensing officer"),
        ("organisation", "Council"),
        ("role", "SAG"),
    ];
    let res = f.app.client.post(f.app.url(&item_path)).header("cookie", b.cookie()).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 409);
    let html = res.text().await.unwrap();
    assert!(html.contains("Someone else changed this record"), "the page says why, as a sentence");
    assert!(html.contains("value=\"Licensing officer\""), "what was typed is kept");
    assert!(html.contains("What the plan holds now") && html.contains("City Council"), "the current state is shown");
    let (_, plan) = f.get("/plan").await;
    assert_eq!(plan["plan"]["stakeholders"][0]["name"], "Licensing team", "nothing was overwritten");
    // Saving again from that page (it now expects the current state) goes through.
    let again = crate::common::hidden(&html, "expected_seq");
    assert_ne!(again, expected);
    let form = [
        ("csrf_token", csrf.as_str()),
        ("expected_seq", again.as_str()),
        ("name", "Licensing officer"),
        ("organisation", "Council"),
        ("role", "SAG"),
    ];
    let res = f.app.client.post(f.app.url(&item_path)).header("cookie", b.cookie()).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let (_, plan) = f.get("/plan").await;
    assert_eq!(plan["plan"]["stakeholders"][0]["name"], "Licensing officer");
}

/// A plan item may carry a marking above its event's: a team member whose
/// clearance is below it gets the plan, readiness, versions and diffs
/// without it, told how many items are withheld, and never its text.
#[tokio::test]
async fn an_item_marked_above_a_viewers_clearance_is_withheld_on_every_read_path() {
    let f = fixture().await;
    f.make_ready().await;
    let polsa = f.app.user("polsa@force.example", "Force", &[Role::TacticalAdviser], Clearance::Bpss).await;
    let polsa = f.app.token(&polsa).await;
    f.ok(Method::POST, "/team", json!({"email": "polsa@force.example"})).await;
    let secret = "Covert armed response at the finish line";
    let rec = f
        .ok(
            Method::POST,
            "/plan/recommendation",
            json!({"text": secret, "priority": "high", "risks": ["vehicle_as_a_weapon"], "proportionality_rationale": "",
                   "status": "accepted", "marking": "SECRET"}),
        )
        .await;
    let get = |path: &str| {
        let url = format!("/api/v1/events/{}{path}", f.event);
        let (app, token) = (&f.app, polsa.clone());
        async move { app.get_as(&token, &url).await }
    };

    // The draft and its readiness.
    let (status, plan) = get("/plan").await;
    assert_eq!(status, 200);
    assert_eq!(plan["withheld"], 1);
    assert_eq!(plan["marking_shown"], "OFFICIAL-SENSITIVE");
    assert!(!plan.to_string().contains(secret));
    let (_, mine) = f.get("/plan").await;
    assert_eq!(mine["withheld"], 0);
    assert_eq!(mine["marking_shown"], "SECRET");
    assert_eq!(mine["plan"]["markings"][format!("recommendation/{}", rec["id"].as_str().unwrap())], "SECRET");
    let (_, readiness) = get("/plan/readiness").await;
    assert_eq!(readiness["ready"], false, "readiness is found on the whole plan");
    assert!(!readiness.to_string().contains(secret), "a problem never quotes a withheld item: {readiness}");
    let (_, coverage) = get("/plan/coverage").await;
    assert!(!coverage.to_string().contains(secret));

    // The page: not the text, a line saying what is withheld, the banner of what is shown.
    let (_, b) = f.app.sign_in("polsa@force.example", crate::common::PASSWORD, None).await;
    let page = f.app.page(&b, &format!("/events/{}/plan", f.event)).await.text().await.unwrap();
    assert!(!page.contains(secret));
    assert!(page.contains("1 item is withheld from you"));
    assert!(!page.contains(">SECRET<"), "the banner shows what this viewer is shown");

    // They cannot overwrite or remove what they cannot see.
    let rec_path = format!("/api/v1/events/{}/plan/recommendation/{}", f.event, rec["id"].as_str().unwrap());
    let before = f.app.store.journal_len().await.unwrap();
    let (status, _) = f.app.send_as(&polsa, Method::PUT, &rec_path, json!({"text": "x", "priority": "low", "risks": [], "proportionality_rationale": "x", "status": "accepted"})).await;
    assert_eq!(status, 404);
    let (status, _) = f.app.send_as(&polsa, Method::DELETE, &rec_path, Value::Null).await;
    assert_eq!(status, 404);
    assert_eq!(f.app.store.journal_len().await.unwrap(), before);

    // Whoever issues a version answers for all of it: an adviser who may not
    // read the SECRET item cannot issue the draft.
    f.app.user("ctsa@force.example", "Force", &[Role::SecurityAdviser], Clearance::Bpss).await;
    let ctsa = f.app.store.identity().user_by_email("ctsa@force.example").await.unwrap().unwrap();
    let ctsa = f.app.token(&ctsa).await;
    f.ok(Method::POST, "/team", json!({"email": "ctsa@force.example"})).await;
    let (status, body) = f
        .app
        .send_as(&ctsa, Method::POST, &format!("/api/v1/events/{}/plan/versions", f.event), json!({"reason": "Issue"}))
        .await;
    assert_eq!(status, 403, "{body}");

    // An item is never marked below its event.
    let (status, body) = f
        .send(
            Method::POST,
            "/plan/stakeholder",
            json!({"name": "Council", "organisation": "Council", "role": "SAG", "marking": "OFFICIAL"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["field"], "marking");

    // Issued versions stay whole and hashed; the team member gets them redacted.
    f.ok(Method::PUT, &format!("/plan/recommendation/{}", rec["id"].as_str().unwrap()), json!({"text": secret, "priority": "high", "risks": ["vehicle_as_a_weapon"], "proportionality_rationale": "Intelligence-led", "status": "accepted"})).await;
    let (status, v) = f.send(Method::POST, "/plan/versions", json!({"reason": "First issue"})).await;
    assert_eq!(status, 201, "{v}");
    let url = f.app.url(&format!("/api/v1/events/{}/plan/versions/1", f.event));
    let whole = f.app.client.get(&url).bearer_auth(&f.secco).send().await.unwrap();
    assert!(whole.headers().contains_key("x-content-sha256"));
    assert!(whole.text().await.unwrap().contains(secret), "the marking is kept when the item is saved without one");
    let redacted = f.app.client.get(&url).bearer_auth(&polsa).send().await.unwrap();
    assert_eq!(redacted.status(), 200);
    assert!(
        !redacted.headers().contains_key("x-content-sha256"),
        "the byte-exact form is for those who may see all of it"
    );
    let body: Value = redacted.json().await.unwrap();
    assert_eq!(body["redacted"], true);
    assert_eq!(body["withheld"], 1);
    assert!(!body.to_string().contains(secret));
    let (_, diff) = get("/plan/versions/1/diff/1").await;
    assert!(!diff.to_string().contains(secret));

    // Once the SECRET item is gone from the draft, nothing of the draft is
    // withheld; the issued version still holds it and stays redacted, on the
    // version's page as in the API.
    f.ok(Method::DELETE, &format!("/plan/recommendation/{}", rec["id"].as_str().unwrap()), Value::Null).await;
    let (_, plan) = get("/plan").await;
    assert_eq!(plan["withheld"], 0);
    let page = f.app.page(&b, &format!("/events/{}/plan/versions/1", f.event)).await.text().await.unwrap();
    assert!(page.contains("redacted"), "the page shows the redacted version");
    assert!(!page.contains(secret), "the version page never shows a withheld item");
    let redacted = f.app.client.get(&url).bearer_auth(&polsa).send().await.unwrap();
    assert!(!redacted.headers().contains_key("x-content-sha256"));
}

/// The words of a page without its markup: what a reader sees.
fn page_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ").replace("&#x27;", "'").replace("&#39;", "'")
}

#[tokio::test]
async fn a_version_reads_as_the_document_gold_signs() {
    let f = fixture().await;
    f.make_ready().await;
    f.ok(Method::PUT, "/commanders", json!({"gold_email": "gold@force.example"})).await;
    f.ok(Method::POST, "/plan/versions", json!({"reason": "First issue"})).await;
    f.ok(
        Method::PUT,
        "/plan/intent",
        json!({"intent": "A safe marathon for runners and spectators alike", "objectives": ["Protect the public"]}),
    )
    .await;
    f.ok(Method::POST, "/plan/versions", json!({"reason": "Intent widened"})).await;
    let path = format!("/api/v1/events/{}/plan/versions/2/endorsement", f.event);
    let (status, _) =
        f.app.send_as(&f.gold, Method::POST, &path, json!({"conditions": "Review if the threat level rises"})).await;
    assert_eq!(status, 201);

    let (_, b) = f.app.sign_in("gold@force.example", crate::common::PASSWORD, None).await;
    let page = f.app.page(&b, &format!("/events/{}/plan/versions/2", f.event)).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let text = page_text(&html);
    // The title block, the sections in National Decision Model order, names and UK dates.
    for words in [
        "Protective security plan",
        "City Marathon",
        "Version 2",
        "Expected attendance 85,000",
        "26 Apr 2027 08:30 BST",
        "Strategic commander (Gold) Test gold@force.example, Force",
        "1. Tasking and intent",
        "2. Information and intelligence",
        "3. Threat and risk",
        "4. Powers and policy",
        "5. Options and contingencies",
        "6. Action and review",
        "7. Stakeholders and liaison",
        "8. Meetings",
        "9. Endorsement",
        "Commissioned on 10 January 2027",
        "Measures and the risks they treat",
        "Traffic plan (Roads Policing)",
        "Endorsed by Test gold@force.example, strategic commander (Gold)",
        "Conditions Review if the threat level rises",
    ] {
        assert!(text.contains(words), "the version page should say {words:?}:\n{text}");
    }
    // Ratings in words as well as colour.
    assert!(html.contains("tone tone-") && text.contains("likelihood 4 × impact 4"), "{text}");
    let sections: Vec<usize> = ["Tasking and intent", "Information and intelligence", "Threat and risk", "Endorsement"]
        .iter()
        .map(|h| text.find(&format!(". {h}")).unwrap())
        .collect();
    assert!(sections.windows(2).all(|w| w[0] < w[1]), "sections in order");
    // No raw JSON, no ids.
    assert!(!html.contains("gold_user_id") && !html.contains("\"plan\":"), "no JSON on the version page");
    assert!(!text.contains(&f.event), "no internal ids on the version page");
    // Gold has endorsed: no form; the draft's document is watermarked as a draft.
    assert!(!html.contains("/endorse\""), "no endorsement form once endorsed");
    let draft = f.app.page(&b, &format!("/events/{}/plan/document", f.event)).await;
    assert_eq!(draft.status(), 200);
    let draft = page_text(&draft.text().await.unwrap());
    assert!(draft.contains("Draft. Not issued") && draft.contains("A safe marathon for runners"), "{draft}");

    // The comparison reads in words: labels and the words added.
    let diff = f.app.page(&b, &format!("/events/{}/plan/versions/1/diff/2", f.event)).await.text().await.unwrap();
    let text = page_text(&diff);
    assert!(text.contains("Plan › Commander's intent › Intent"), "{text}");
    assert!(diff.contains("<ins><span class=\"visually-hidden\">[added: </span>"), "{diff}");
    assert!(!text.contains("intent/intent"), "no paths on the page");

    // A version that does not exist, or an event the reader may not see: not found.
    assert_eq!(f.app.page(&b, &format!("/events/{}/plan/versions/9", f.event)).await.status(), 404);
    let (_, outsider) = f.app.sign_in("pc@force.example", crate::common::PASSWORD, None).await;
    assert_eq!(f.app.page(&outsider, &format!("/events/{}/plan/versions/1", f.event)).await.status(), 404);
    assert_eq!(f.app.page(&outsider, &format!("/events/{}/plan/document", f.event)).await.status(), 404);
}

#[tokio::test]
async fn the_plan_page_reads_and_each_section_is_changed_on_a_page_of_its_own() {
    let f = fixture().await;
    f.make_ready().await;
    let (_, b) = f.app.sign_in("secco@force.example", crate::common::PASSWORD, None).await;
    let plan_path = format!("/events/{}/plan", f.event);
    let page = f.app.page(&b, &plan_path).await.text().await.unwrap();
    // The plan page holds no section's form: "Add" and "Change" lead away.
    assert!(!page.contains("name=\"title\""), "no measure form on the plan page");
    assert!(!page.contains("name=\"likelihood\""), "no assessment form on the plan page");
    assert!(!page.contains("YYYY-MM-DD"), "dates are not typed as YYYY-MM-DD");
    for link in [
        format!("{plan_path}/measure/new"),
        format!("{plan_path}/threat_assessment/new"),
        format!("{plan_path}/tasking/change"),
        format!("{plan_path}/risk_assessment/vehicle_as_a_weapon"),
        format!("{plan_path}/issue"),
    ] {
        assert!(page.contains(&format!("href=\"{link}\"")), "the plan page links to {link}");
        let res = f.app.page(&b, &link).await;
        assert_eq!(res.status(), 200, "{link}");
    }
    let add = f.app.page(&b, &format!("{plan_path}/measure/new")).await.text().await.unwrap();
    assert!(add.contains("<h1>Add a measure</h1>"), "{add}");
    let tasking = f.app.page(&b, &format!("{plan_path}/tasking/change")).await.text().await.unwrap();
    assert!(tasking.contains("<h1>Tasking</h1>"));
    // The tasking is filled in, its date in the three boxes of the date input.
    assert!(tasking.contains("name=\"commissioned_on-day\""), "a GOV.UK date input");
    let risk = f.app.page(&b, &format!("{plan_path}/risk_assessment/vehicle_as_a_weapon")).await.text().await.unwrap();
    assert!(risk.contains("<h1>Risk assessment: Vehicle as a weapon (VAW)</h1>"), "{risk}");
    assert_eq!(f.app.page(&b, &format!("{plan_path}/risk_assessment/no_such_thing")).await.status(), 404);
    assert_eq!(f.app.page(&b, &format!("{plan_path}/no_such_section/new")).await.status(), 404);
    let issue = f.app.page(&b, &format!("{plan_path}/issue")).await.text().await.unwrap();
    assert!(issue.contains("Issue version 1 of the plan"), "issuing asks first");

    let csrf = crate::common::hidden(&add, "csrf_token");
    let post = |section: &'static str, form: Vec<(&'static str, &'static str)>| {
        let mut form: Vec<(&str, &str)> = form;
        form.push(("csrf_token", csrf.as_str()));
        f.app.client.post(f.app.url(&format!("{plan_path}/{section}"))).header("cookie", b.cookie()).form(&form).send()
    };
    // A date that does not exist is named against its field, and nothing is added.
    let (_, before) = f.get("/plan").await;
    let res = post(
        "threat_assessment",
        vec![
            ("source", "CTIU"),
            ("date-day", "31"),
            ("date-month", "2"),
            ("date-year", "2027"),
            ("summary", "General threat"),
            ("marking", "OFFICIAL-SENSITIVE"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Date of the assessment must be a real date"), "{html}");
    assert!(html.contains("<h1>Add a threat assessment</h1>"), "the add page again, not the plan");
    assert!(html.contains("value=\"31\""), "what was typed is kept");
    let (_, after) = f.get("/plan").await;
    assert_eq!(before["plan"]["threat_assessments"], after["plan"]["threat_assessments"]);
    // Sent as day, month and year, the date is held as the domain writes it.
    let res = post(
        "threat_assessment",
        vec![
            ("source", "CTIU, second"),
            ("date-day", "3"),
            ("date-month", "4"),
            ("date-year", "2027"),
            ("summary", "General threat"),
            ("marking", "OFFICIAL-SENSITIVE"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("{plan_path}?added=threat_assessment#threat-assessment"));
    let html = f.app.page(&b, &format!("{plan_path}?added=threat_assessment")).await.text().await.unwrap();
    assert!(html.contains("Added a threat assessment."));
    let (_, plan) = f.get("/plan").await;
    let added =
        plan["plan"]["threat_assessments"].as_array().unwrap().iter().find(|t| t["source"] == "CTIU, second").cloned();
    assert_eq!(added.expect("added")["date"], "2027-04-03");
    let page = f.app.page(&b, &plan_path).await.text().await.unwrap();
    assert!(page.contains("3 April 2027"), "dates read in UK form on the plan");
    // A refused assessment shows its methodology's page again, in words.
    let res =
        post("risk_assessment", vec![("methodology", "vehicle_as_a_weapon"), ("applicable", "yes")]).await.unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("<h1>Risk assessment: Vehicle as a weapon (VAW)</h1>"), "{html}");
    assert!(html.contains("Choose the likelihood"), "{html}");
}
