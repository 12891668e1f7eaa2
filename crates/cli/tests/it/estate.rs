//! The police estate over HTTP (issue 13): sites, staff, the floor set by the
//! higher of the national and police sector threat levels, raising a site and
//! returning it to its floor, the recompute of every site in the transaction
//! of a threat level change, the police sector level kept from the public,
//! and the pages.

use crate::common::TestApp;
use cordon_domain::identity::{Clearance, OrgKind, Role};
use reqwest::Method;
use serde_json::{json, Value};

pub(crate) struct F {
    pub(crate) app: TestApp,
    /// The force's estates manager.
    pub(crate) manager: String,
    /// A member of staff of the force.
    pub(crate) staff: String,
    /// The force's administrator (records threat levels).
    pub(crate) admin: String,
    /// An estates manager of another force.
    pub(crate) outsider: String,
    /// A user of a local authority (not a police organisation).
    pub(crate) council: String,
}

pub(crate) async fn fixture() -> F {
    let app = TestApp::spawn().await;
    let manager = app.user("estates@force.example", "Force", &[Role::EstatesManager], Clearance::Bpss).await;
    let staff = app.user("pc@force.example", "Force", &[Role::Staff], Clearance::Bpss).await;
    let admin = app.user("admin@force.example", "Force", &[Role::Administrator], Clearance::Sc).await;
    app.second_factor(&admin).await;
    let outsider = app.user("estates@other.example", "Other Force", &[Role::EstatesManager], Clearance::Bpss).await;
    app.store
        .identity()
        .add_organisation(
            cordon_store::records::Caller::System(&cordon_store::Actor::system()),
            "Northshire Council",
            OrgKind::LocalAuthority,
        )
        .await
        .unwrap();
    let council = app.user("officer@council.example", "Northshire Council", &[Role::Staff], Clearance::Bpss).await;
    F {
        manager: app.token(&manager).await,
        staff: app.token(&staff).await,
        admin: app.token(&admin).await,
        outsider: app.token(&outsider).await,
        council: app.token(&council).await,
        app,
    }
}

impl F {
    pub(crate) async fn site(&self, name: &str, kind: &str, division: &str) -> String {
        let (status, v) = self
            .app
            .send_as(
                &self.manager,
                Method::POST,
                "/api/v1/sites",
                json!({"name": name, "kind": kind, "address": "1 High Street, Northshire", "division": division}),
            )
            .await;
        assert_eq!(status, 201, "{v}");
        v["id"].as_str().unwrap().to_string()
    }

    pub(crate) async fn get(&self, id: &str) -> Value {
        let (status, v) = self.app.get_as(&self.manager, &format!("/api/v1/sites/{id}")).await;
        assert_eq!(status, 200, "{v}");
        v
    }

    pub(crate) async fn threat(&self, series: &str, level: &str) -> (u16, Value) {
        let today = cordon_domain::reference::format_date(self.app.store.today());
        self.app
            .send_as(
                &self.admin,
                Method::POST,
                &format!("/api/v1/threat-levels/{series}"),
                json!({"level": level, "effective": today, "note": "Announced to forces"}),
            )
            .await
    }

    pub(crate) async fn journal_count(&self) -> i64 {
        self.app.db.sql("SELECT COUNT(*) FROM journal").await.unwrap()[0].int(0)
    }
}

pub(crate) fn field(v: &Value) -> &str {
    v["error"]["field"].as_str().unwrap_or("")
}

fn today_plus(app: &TestApp, days: i64) -> String {
    cordon_domain::reference::format_date(app.store.today() + time::Duration::days(days))
}

#[tokio::test]
async fn a_site_is_added_and_read_with_its_threat_level_floor_and_response_level() {
    let f = fixture().await;
    let id = f.site("Central Police Station", "police_station", "City").await;
    let v = f.get(&id).await;
    assert_eq!(v["name"], "Central Police Station");
    assert_eq!(v["kind"], "police_station");
    assert_eq!(v["division"], "City");
    // The national level in the reference data is SEVERE; no police sector level yet.
    assert_eq!(v["threat_level"], "SEVERE");
    assert_eq!(v["floor"], "HEIGHTENED");
    assert_eq!(v["response_level"], "HEIGHTENED");
    assert!(v["raised"].is_null());
    assert_eq!(v["staff"], json!([]));
    // Someone of another force, or of a council, finds nothing.
    let (status, _) = f.app.get_as(&f.outsider, &format!("/api/v1/sites/{id}")).await;
    assert_eq!(status, 404);
    let (_, list) = f.app.get_as(&f.outsider, "/api/v1/sites").await;
    assert_eq!(list["total"], 0);
    let (status, list) = f.app.get_as(&f.council, "/api/v1/sites").await;
    assert_eq!((status, list["total"].as_i64()), (200, Some(0)), "only their own organisation's sites");
    let (status, _) = f.app.get_as(&f.manager, "/api/v1/sites/no-such-site").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn bad_sites_are_refused_naming_the_field_and_nothing_is_added() {
    let f = fixture().await;
    let before = f.journal_count().await;
    for (body, expected) in [
        (json!({"name": "X", "kind": "castle", "address": "A", "division": "D"}), "kind"),
        (json!({"name": " ", "kind": "headquarters", "address": "A", "division": "D"}), "name"),
        (json!({"name": "X", "kind": "headquarters", "address": "", "division": "D"}), "address"),
        (json!({"name": "X", "kind": "headquarters", "address": "A", "division": ""}), "division"),
    ] {
        let (status, v) = f.app.send_as(&f.manager, Method::POST, "/api/v1/sites", body).await;
        assert_eq!(status, 422, "{v}");
        assert_eq!(field(&v), expected, "{v}");
    }
    let (status, v) = f
        .app
        .send_as(
            &f.manager,
            Method::POST,
            "/api/v1/sites",
            json!({"name": "X", "kind": "headquarters", "address": "A"}),
        )
        .await;
    assert_eq!((status, field(&v)), (400, "division"), "a missing field is a bad request naming it");
    // Only an estates manager adds sites.
    let (status, _) = f
        .app
        .send_as(
            &f.staff,
            Method::POST,
            "/api/v1/sites",
            json!({"name": "X", "kind": "headquarters", "address": "A", "division": "D"}),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(f.journal_count().await, before);
    let (_, list) = f.app.get_as(&f.manager, "/api/v1/sites").await;
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn the_list_is_paginated_and_filtered_by_kind_division_and_text() {
    let f = fixture().await;
    f.site("Headquarters", "headquarters", "Headquarters").await;
    f.site("Central Police Station", "police_station", "City").await;
    f.site("Riverside Police Station", "police_station", "City").await;
    f.site("Hillbrook Police Station", "police_station", "County").await;
    f.site("Eastgate Custody Suite", "custody_suite", "City").await;
    let (status, all) = f.app.get_as(&f.manager, "/api/v1/sites?limit=2").await;
    assert_eq!(status, 200);
    assert_eq!(all["total"], 5);
    assert_eq!(all["limit"], 2);
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    assert_eq!(all["items"][0]["name"], "Central Police Station");
    let (_, next) = f.app.get_as(&f.manager, "/api/v1/sites?limit=2&offset=4").await;
    assert_eq!(next["items"].as_array().unwrap().len(), 1);
    let (_, stations) = f.app.get_as(&f.manager, "/api/v1/sites?kind=police_station").await;
    assert_eq!(stations["total"], 3);
    let (_, city) = f.app.get_as(&f.manager, "/api/v1/sites?kind=police_station&division=city").await;
    assert_eq!(city["total"], 2);
    let (_, q) = f.app.get_as(&f.manager, "/api/v1/sites?q=custody").await;
    assert_eq!(q["total"], 1);
    assert_eq!(q["items"][0]["name"], "Eastgate Custody Suite");
    let (status, v) = f.app.get_as(&f.manager, "/api/v1/sites?kind=castle").await;
    assert_eq!((status, field(&v)), (400, "kind"));
    let (status, v) = f.app.get_as(&f.manager, "/api/v1/sites?limit=0").await;
    assert_eq!((status, field(&v)), (400, "limit"));
    // Staff read their organisation's register too.
    let (status, v) = f.app.get_as(&f.staff, "/api/v1/sites").await;
    assert_eq!((status, v["total"].as_i64()), (200, Some(5)));
}

#[tokio::test]
async fn staff_are_added_by_email_once_and_unknown_addresses_are_refused() {
    let f = fixture().await;
    let id = f.site("Central Police Station", "police_station", "City").await;
    let path = format!("/api/v1/sites/{id}/staff");
    let (status, v) = f.app.send_as(&f.manager, Method::POST, &path, json!({"email": "PC@force.example"})).await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["staff"][0]["email"], "pc@force.example");
    let (status, v) = f.app.send_as(&f.manager, Method::POST, &path, json!({"email": "pc@force.example"})).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["staff"].as_array().unwrap().len(), 1);
    let before = f.journal_count().await;
    for email in ["nobody@force.example", "estates@other.example", "not an address", ""] {
        let (status, v) = f.app.send_as(&f.manager, Method::POST, &path, json!({"email": email})).await;
        assert_eq!((status, field(&v)), (422, "email"), "{email}: {v}");
    }
    let (status, _) = f.app.send_as(&f.staff, Method::POST, &path, json!({"email": "admin@force.example"})).await;
    assert_eq!(status, 403);
    let (status, _) = f.app.send_as(&f.outsider, Method::POST, &path, json!({"email": "estates@other.example"})).await;
    assert_eq!(status, 404);
    assert_eq!(f.journal_count().await, before);
    assert_eq!(f.get(&id).await["staff_count"], 1);
}

#[tokio::test]
async fn a_raise_needs_a_level_not_below_the_floor_a_reason_and_no_past_until() {
    let f = fixture().await;
    let id = f.site("Eastgate Custody Suite", "custody_suite", "City").await;
    let path = format!("/api/v1/sites/{id}/response-level");
    let before = f.journal_count().await;
    for (body, expected) in [
        (json!({"level": "NORMAL", "reason": "Quiet"}), "level"),
        (json!({"level": "CRITICAL", "reason": "Not a response level"}), "level"),
        (json!({"level": "EXCEPTIONAL"}), "reason"),
        (json!({"level": "EXCEPTIONAL", "reason": "   "}), "reason"),
        (json!({"level": "EXCEPTIONAL", "reason": "Threat", "until": today_plus(&f.app, -1)}), "until"),
        (json!({"level": "EXCEPTIONAL", "reason": "Threat", "until": "2027-02-30"}), "until"),
    ] {
        let (status, v) = f.app.send_as(&f.manager, Method::POST, &path, body.clone()).await;
        assert_eq!(status, 422, "{body}: {v}");
        assert_eq!(field(&v), expected, "{body}: {v}");
    }
    let (status, _) =
        f.app.send_as(&f.staff, Method::POST, &path, json!({"level": "EXCEPTIONAL", "reason": "Threat"})).await;
    assert_eq!(status, 403);
    let (status, _) =
        f.app.send_as(&f.outsider, Method::POST, &path, json!({"level": "EXCEPTIONAL", "reason": "Threat"})).await;
    assert_eq!(status, 404);
    assert_eq!(f.journal_count().await, before, "nothing changed");
    assert!(f.get(&id).await["raised"].is_null());

    let until = today_plus(&f.app, 7);
    let (status, v) = f
        .app
        .send_as(
            &f.manager,
            Method::POST,
            &path,
            json!({"level": "EXCEPTIONAL", "reason": "Credible threat to custody suites", "until": until}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    let v = f.get(&id).await;
    assert_eq!(v["floor"], "HEIGHTENED");
    assert_eq!(v["response_level"], "EXCEPTIONAL");
    assert_eq!(v["raised"]["level"], "EXCEPTIONAL");
    assert_eq!(v["raised"]["reason"], "Credible threat to custody suites");
    assert_eq!(v["raised"]["until"], until.as_str());
    assert!(v["raised"]["by"].as_str().is_some_and(|s| !s.is_empty()));
    // Returning it to its floor.
    let (status, v) = f.app.send_as(&f.staff, Method::DELETE, &path, json!({})).await;
    assert_eq!(status, 403, "{v}");
    let (status, v) = f.app.send_as(&f.manager, Method::DELETE, &path, json!({})).await;
    assert_eq!(status, 200, "{v}");
    assert!(v["raised"].is_null());
    assert_eq!(v["response_level"], "HEIGHTENED");
    assert_eq!(f.get(&id).await["response_level"], "HEIGHTENED");
    // A raise to the floor itself is allowed (it is not below it).
    let (status, _) =
        f.app.send_as(&f.manager, Method::POST, &path, json!({"level": "HEIGHTENED", "reason": "Held"})).await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn a_threat_level_change_recomputes_every_site_in_its_own_transaction() {
    let f = fixture().await;
    let raised = f.site("Eastgate Custody Suite", "custody_suite", "City").await;
    let plain = f.site("Central Police Station", "police_station", "City").await;
    let (status, v) = f
        .app
        .send_as(
            &f.manager,
            Method::POST,
            &format!("/api/v1/sites/{raised}/response-level"),
            json!({"level": "EXCEPTIONAL", "reason": "Credible threat"}),
        )
        .await;
    assert_eq!(status, 201, "{v}");

    // The national level falls to LOW: the floor falls to NORMAL; the raise
    // is still above it and is kept.
    let (status, v) = f.threat("national", "LOW").await;
    assert_eq!(status, 201, "{v}");
    let seq = v["journal_seq"].as_i64().unwrap();
    let r = f.get(&raised).await;
    assert_eq!((r["threat_level"].as_str(), r["floor"].as_str()), (Some("LOW"), Some("NORMAL")));
    assert_eq!(r["response_level"], "EXCEPTIONAL");
    assert_eq!(r["raised"]["level"], "EXCEPTIONAL");
    let p = f.get(&plain).await;
    assert_eq!((p["floor"].as_str(), p["response_level"].as_str()), (Some("NORMAL"), Some("NORMAL")));
    // The recompute is journaled with the change, in the same append: the
    // entry straight after it names every site, at the same instant.
    let rows = f
        .app
        .db
        .sql(&format!("SELECT seq, kind, at, payload FROM journal WHERE seq >= {seq} ORDER BY seq"))
        .await
        .unwrap();
    let kinds: Vec<String> = rows.iter().map(|r| r.text(1)).collect();
    assert_eq!(kinds, ["threat_level_changed", "sites_recomputed"]);
    assert!(rows[1].text(3).contains(&raised) && rows[1].text(3).contains(&plain), "{}", rows[1].text(3));
    assert!(rows.iter().all(|r| r.text(2) == rows[0].text(2)), "one transaction, one instant");

    // The police sector level goes to CRITICAL: the site's threat level is
    // the higher of the two, so the floor is EXCEPTIONAL and the raise (no
    // longer above it) is dropped.
    let (status, v) = f.threat("police-sector", "CRITICAL").await;
    assert_eq!(status, 201, "{v}");
    let r = f.get(&raised).await;
    assert_eq!(r["threat_level"], "CRITICAL");
    assert_eq!(r["floor"], "EXCEPTIONAL");
    assert_eq!(r["response_level"], "EXCEPTIONAL");
    assert!(r["raised"].is_null(), "{r}");
    // A site added now takes today's levels.
    let late = f.site("Force Control Room", "control_room", "Headquarters").await;
    assert_eq!(f.get(&late).await["floor"], "EXCEPTIONAL");
    // A refused threat level change recomputes nothing.
    let before = f.journal_count().await;
    let (status, _) = f.threat("police-sector", "CRITICAL").await;
    assert_eq!(status, 422);
    assert_eq!(f.journal_count().await, before);
}

#[tokio::test]
async fn the_police_sector_level_is_read_only_by_signed_in_police_users() {
    let f = fixture().await;
    // Nothing recorded yet: no one finds it.
    let (status, _) = f.app.get_json("/api/v1/threat-levels/police-sector").await;
    assert_eq!(status, 404);
    let (status, v) = f.threat("police-sector", "SEVERE").await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["series"], "police-sector");
    // Signed out, or of a council: 404, on the level and on its history.
    for path in ["/api/v1/threat-levels/police-sector", "/api/v1/threat-levels/police-sector/history"] {
        let (status, _) = f.app.get_json(path).await;
        assert_eq!(status, 404, "{path}");
        let (status, _) = f.app.get_as(&f.council, path).await;
        assert_eq!(status, 404, "{path}");
        let (status, v) = f.app.get_as(&f.staff, path).await;
        assert_eq!(status, 200, "{path}: {v}");
    }
    let (_, v) = f.app.get_as(&f.staff, "/api/v1/threat-levels/police-sector").await;
    assert_eq!(v["level"], "SEVERE");
    assert_eq!(v["response_level"], "HEIGHTENED");
    // The list: the public series for anyone; the police sector for police users.
    let series = |v: &Value| -> Vec<String> {
        v["items"].as_array().unwrap().iter().map(|s| s["series"].as_str().unwrap().to_string()).collect()
    };
    let (_, public) = f.app.get_json("/api/v1/threat-levels").await;
    assert!(!series(&public).contains(&"police-sector".to_string()), "{public}");
    let (_, council) = f.app.get_as(&f.council, "/api/v1/threat-levels").await;
    assert!(!series(&council).contains(&"police-sector".to_string()));
    let (_, police) = f.app.get_as(&f.staff, "/api/v1/threat-levels").await;
    assert!(series(&police).contains(&"police-sector".to_string()), "{police}");
    // The public page does not show it to the signed-out; a police user sees it.
    let html = f.app.get("/threat-levels").await.text().await.unwrap();
    assert!(!html.contains("police sector"), "the signed-out page mentions the police sector");
    let (_, b) = f.app.sign_in("pc@force.example", crate::common::PASSWORD, None).await;
    let html = f.app.page(&b, "/threat-levels").await.text().await.unwrap();
    assert!(html.contains("Threat level to the police sector"));
    // Only administrators record it.
    let (status, _) = f
        .app
        .send_as(
            &f.manager,
            Method::POST,
            "/api/v1/threat-levels/police-sector",
            json!({"level": "LOW", "effective": today_plus(&f.app, 0), "note": "x"}),
        )
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn the_estates_manager_raises_and_returns_a_site_through_the_pages() {
    let f = fixture().await;
    let id = f.site("Eastgate Custody Suite", "custody_suite", "City").await;
    f.site("Central Police Station", "police_station", "City").await;
    let (_, b) = f.app.sign_in("estates@force.example", crate::common::PASSWORD, None).await;
    let csrf = f.app.csrf(&b).await;
    let post = |path: String, form: Vec<(&'static str, String)>| {
        let (client, url, cookie) = (f.app.client.clone(), f.app.url(&path), b.cookie());
        async move { client.post(url).header("cookie", cookie).form(&form).send().await.unwrap() }
    };
    let res = f.app.page(&b, "/sites?kind=custody_suite").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("Eastgate Custody Suite") && !html.contains("Central Police Station"));
    let html = f.app.page(&b, &format!("/sites/{id}")).await.text().await.unwrap();
    assert!(html.contains("HEIGHTENED") && html.contains("Raise the response level"));
    assert!(!html.contains("Return to its floor"));
    let html = f.app.page(&b, &format!("/sites/{id}/response-level")).await.text().await.unwrap();
    assert!(html.contains("name=\"until-day\""));
    assert!(!html.contains("value=\"NORMAL\""), "a level below the floor is not offered");

    // Errors in words, naming the field's label, what was typed kept.
    let path = format!("/sites/{id}/response-level");
    let res = post(
        path.clone(),
        vec![
            ("csrf_token", csrf.clone()),
            ("level", "EXCEPTIONAL".into()),
            ("reason", "".into()),
            ("until-day", "".into()),
            ("until-month", "".into()),
            ("until-year", "".into()),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("There is a problem") && html.contains("response level is being raised"), "{html}");
    let res = post(
        path.clone(),
        vec![
            ("csrf_token", csrf.clone()),
            ("level", "EXCEPTIONAL".into()),
            ("reason", "Threat".into()),
            ("until-day", "31".into()),
            ("until-month", "2".into()),
            ("until-year", "2030".into()),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Until date must be a real date"));

    // A good form asks to confirm first; nothing changes until it is confirmed.
    let before = f.journal_count().await;
    let form = vec![
        ("csrf_token", csrf.clone()),
        ("level", "EXCEPTIONAL".into()),
        ("reason", "Credible threat".into()),
        ("until-day", "".into()),
        ("until-month", "".into()),
        ("until-year", "".into()),
    ];
    let res = post(path.clone(), form.clone()).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("Raise the response level to EXCEPTIONAL?"), "{html}");
    assert_eq!(f.journal_count().await, before);
    let mut confirmed = form.clone();
    confirmed.push(("confirm", "yes".into()));
    let res = post(path.clone(), confirmed).await;
    assert_eq!(res.status(), 303);
    let html = f.app.page(&b, &format!("/sites/{id}?done=raised")).await.text().await.unwrap();
    assert!(html.contains("The response level is now EXCEPTIONAL") && html.contains("Credible threat"));
    assert_eq!(f.get(&id).await["response_level"], "EXCEPTIONAL");

    // Returning to the floor asks first too.
    let html = f.app.page(&b, &format!("/sites/{id}/response-level/return")).await.text().await.unwrap();
    assert!(html.contains("Return Eastgate Custody Suite to its floor?"));
    let res = post(format!("/sites/{id}/response-level/return"), vec![("csrf_token", csrf.clone())]).await;
    assert_eq!(res.status(), 303);
    assert!(f.get(&id).await["raised"].is_null());

    // Someone of another force finds no such page.
    let (_, o) = f.app.sign_in("estates@other.example", crate::common::PASSWORD, None).await;
    assert_eq!(f.app.page(&o, &format!("/sites/{id}")).await.status(), 404);
}

#[tokio::test]
async fn the_demo_holds_the_northshire_estate() {
    let app = TestApp::spawn().await;
    app.store.demo().seed_demo().await.unwrap();
    let manager = app.store.identity().user_by_email("estates@northshire.police.example").await.unwrap().unwrap();
    let token = app.token(&manager).await;
    let (status, v) = app.get_as(&token, "/api/v1/sites?limit=100").await;
    assert_eq!(status, 200, "{v}");
    let kinds: Vec<&str> = v["items"].as_array().unwrap().iter().map(|s| s["kind"].as_str().unwrap()).collect();
    for k in ["headquarters", "police_station", "custody_suite", "control_room"] {
        assert!(kinds.contains(&k), "{k}");
    }
    assert!(kinds.iter().filter(|k| **k == "police_station").count() >= 2);
    let custody = v["items"].as_array().unwrap().iter().find(|s| s["kind"] == "custody_suite").unwrap();
    assert_eq!(custody["response_level"], "EXCEPTIONAL");
    // Police sector SEVERE in the demo: HEIGHTENED floors.
    assert_eq!(custody["threat_level"], "SEVERE");
    assert_eq!(custody["floor"], "HEIGHTENED");
    assert!(v["items"].as_array().unwrap().iter().any(|s| s["staff_count"].as_i64().unwrap() > 0));
}

#[tokio::test]
async fn staff_are_told_of_each_change_and_acknowledge_it_once() {
    let f = fixture().await;
    let id = f.site("Eastgate Custody Suite", "custody_suite", "City").await;
    let (status, _) = f
        .app
        .send_as(&f.manager, Method::POST, &format!("/api/v1/sites/{id}/staff"), json!({"email": "pc@force.example"}))
        .await;
    assert_eq!(status, 201);
    let (_, none) = f.app.get_as(&f.staff, "/api/v1/me/notices").await;
    assert_eq!(none["total"], 0, "being added tells nobody of a change");
    let level = format!("/api/v1/sites/{id}/response-level");
    let (status, _) =
        f.app.send_as(&f.manager, Method::POST, &level, json!({"level": "EXCEPTIONAL", "reason": "Threat"})).await;
    assert_eq!(status, 201);
    let (status, v) = f.app.get_as(&f.staff, "/api/v1/me/notices").await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["total"], 1);
    let notice = &v["items"][0];
    assert_eq!(notice["site_id"], id.as_str());
    assert_eq!(notice["response_level"], "EXCEPTIONAL");
    assert!(notice["acknowledged_at"].is_null());
    let nid = notice["id"].as_str().unwrap().to_string();
    // The estates manager sees who has not acknowledged.
    let acks = format!("/api/v1/sites/{id}/acknowledgements");
    let (status, a) = f.app.get_as(&f.manager, &acks).await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(
        (a["response_level"].as_str(), a["acknowledged"].as_i64(), a["outstanding"].as_i64()),
        (Some("EXCEPTIONAL"), Some(0), Some(1))
    );
    assert_eq!(a["items"][0]["email"], "pc@force.example");
    assert!(a["items"][0]["acknowledged_at"].is_null());
    let (status, _) = f.app.get_as(&f.staff, &acks).await;
    assert_eq!(status, 403);
    let (status, _) = f.app.get_as(&f.outsider, &acks).await;
    assert_eq!(status, 404);
    // Someone else's notice is not found; the member of staff acknowledges once.
    let ack = format!("/api/v1/notices/{nid}/acknowledgement");
    for other in [&f.manager, &f.outsider] {
        let (status, _) = f.app.send_as(other, Method::POST, &ack, json!({})).await;
        assert_eq!(status, 404);
    }
    let (status, _) = f.app.send_as(&f.staff, Method::POST, "/api/v1/notices/no-such/acknowledgement", json!({})).await;
    assert_eq!(status, 404);
    let (status, first) = f.app.send_as(&f.staff, Method::POST, &ack, json!({})).await;
    assert_eq!(status, 201, "{first}");
    let (status, second) = f.app.send_as(&f.staff, Method::POST, &ack, json!({})).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(first["acknowledged_at"], second["acknowledged_at"], "a second acknowledgement changes nothing");
    let (_, v) = f.app.get_as(&f.staff, "/api/v1/me/notices").await;
    assert_eq!(v["items"][0]["acknowledged_at"], first["acknowledged_at"]);
    let (_, a) = f.app.get_as(&f.manager, &acks).await;
    assert_eq!((a["acknowledged"].as_i64(), a["outstanding"].as_i64()), (Some(1), Some(0)));

    // Returning to the floor is a change: a new notice, outstanding again.
    let (status, _) = f.app.send_as(&f.manager, Method::DELETE, &level, json!({})).await;
    assert_eq!(status, 200);
    let (_, v) = f.app.get_as(&f.staff, "/api/v1/me/notices").await;
    assert_eq!(v["total"], 2);
    assert_eq!(v["items"][0]["response_level"], "HEIGHTENED");
    let (_, a) = f.app.get_as(&f.manager, &acks).await;
    assert_eq!((a["acknowledged"].as_i64(), a["outstanding"].as_i64()), (Some(0), Some(1)));
    // A raise to the level it already runs at changes nothing and tells nobody.
    let (status, _) =
        f.app.send_as(&f.manager, Method::POST, &level, json!({"level": "HEIGHTENED", "reason": "Held"})).await;
    assert_eq!(status, 201);
    let (_, v) = f.app.get_as(&f.staff, "/api/v1/me/notices").await;
    assert_eq!(v["total"], 2);
    // Held at HEIGHTENED, it would stay raised above a lower floor: return it first
    // (it runs at its floor already, so nobody is told).
    let (status, _) = f.app.send_as(&f.manager, Method::DELETE, &level, json!({})).await;
    assert_eq!(status, 200);
    let (_, v) = f.app.get_as(&f.staff, "/api/v1/me/notices").await;
    assert_eq!(v["total"], 2);
    // A threat level change that moves the site tells its staff too, in the same transaction.
    let (status, _) = f.threat("national", "LOW").await;
    assert_eq!(status, 201);
    let (_, v) = f.app.get_as(&f.staff, "/api/v1/me/notices").await;
    assert_eq!(v["total"], 3, "{v}");
    assert_eq!(v["items"][0]["response_level"], "NORMAL");
}

#[tokio::test]
async fn staff_see_their_sites_level_on_the_home_page_and_acknowledge_in_one_click() {
    let f = fixture().await;
    let id = f.site("Eastgate Custody Suite", "custody_suite", "City").await;
    f.app
        .send_as(&f.manager, Method::POST, &format!("/api/v1/sites/{id}/staff"), json!({"email": "pc@force.example"}))
        .await;
    let (_, b) = f.app.sign_in("pc@force.example", crate::common::PASSWORD, None).await;
    let html = f.app.page(&b, "/").await.text().await.unwrap();
    assert!(html.contains("Eastgate Custody Suite: response level HEIGHTENED"), "{html}");
    assert!(html.contains("Additional and sustainable protective security measures"));
    assert!(!html.contains("I have read this"), "nothing to acknowledge yet");
    let (status, _) = f
        .app
        .send_as(
            &f.manager,
            Method::POST,
            &format!("/api/v1/sites/{id}/response-level"),
            json!({"level": "EXCEPTIONAL", "reason": "Threat"}),
        )
        .await;
    assert_eq!(status, 201);
    let html = f.app.page(&b, "/").await.text().await.unwrap();
    assert!(html.contains("response level EXCEPTIONAL") && html.contains("I have read this"));
    let (_, v) = f.app.get_as(&f.staff, "/api/v1/me/notices").await;
    let nid = v["items"][0]["id"].as_str().unwrap().to_string();
    let csrf = f.app.csrf(&b).await;
    let res = f
        .app
        .client
        .post(f.app.url(&format!("/notices/{nid}/acknowledgement")))
        .header("cookie", b.cookie())
        .form(&[("csrf_token", csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let html = f.app.page(&b, "/").await.text().await.unwrap();
    assert!(!html.contains("I have read this") && html.contains("You have acknowledged the latest change"));
    let (_, v) = f.app.get_as(&f.staff, "/api/v1/me/notices").await;
    assert!(v["items"][0]["acknowledged_at"].is_string());
}

#[tokio::test]
async fn the_estates_manager_adds_a_site_from_a_page_and_sees_who_has_acknowledged() {
    let f = fixture().await;
    let (_, b) = f.app.sign_in("estates@force.example", crate::common::PASSWORD, None).await;
    let csrf = f.app.csrf(&b).await;
    assert!(f.app.page(&b, "/sites").await.text().await.unwrap().contains("href=\"/sites/new\""));
    let post = |form: Vec<(&'static str, String)>| {
        let (client, url, cookie) = (f.app.client.clone(), f.app.url("/sites/new"), b.cookie());
        async move { client.post(url).header("cookie", cookie).form(&form).send().await.unwrap() }
    };
    let before = f.journal_count().await;
    let res = post(vec![
        ("csrf_token", csrf.clone()),
        ("name", "".into()),
        ("kind", "custody_suite".into()),
        ("address", "Eastgate".into()),
        ("division", "City".into()),
    ])
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("There is a problem") && html.contains("Enter the site"), "{html}");
    assert!(html.contains(">Eastgate</textarea>"), "what was typed is kept");
    let res = post(vec![
        ("csrf_token", csrf.clone()),
        ("name", "Eastgate".into()),
        ("kind", "".into()),
        ("address", "Eastgate".into()),
        ("division", "City".into()),
    ])
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Choose what kind of site it is"));
    assert_eq!(f.journal_count().await, before);
    let res = post(vec![
        ("csrf_token", csrf.clone()),
        ("name", "Eastgate Custody Suite".into()),
        ("kind", "custody_suite".into()),
        ("address", "Eastgate Industrial Estate".into()),
        ("division", "City".into()),
    ])
    .await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let id = location.trim_start_matches("/sites/").to_string();
    f.app
        .send_as(&f.manager, Method::POST, &format!("/api/v1/sites/{id}/staff"), json!({"email": "pc@force.example"}))
        .await;
    f.app
        .send_as(
            &f.manager,
            Method::POST,
            &format!("/api/v1/sites/{id}/response-level"),
            json!({"level": "EXCEPTIONAL", "reason": "Threat"}),
        )
        .await;
    let html = f.app.page(&b, &location).await.text().await.unwrap();
    assert!(html.contains("1 member of staff has not acknowledged the latest change"), "{html}");
    assert!(html.contains("Not yet acknowledged EXCEPTIONAL"));
    // Staff may not add sites.
    let (_, s) = f.app.sign_in("pc@force.example", crate::common::PASSWORD, None).await;
    assert_eq!(f.app.page(&s, "/sites/new").await.status(), 403);
    assert!(!f.app.page(&s, "/sites").await.text().await.unwrap().contains("href=\"/sites/new\""));
}

#[tokio::test]
async fn the_command_line_records_the_police_sector_level_and_recomputes_every_site() {
    let f = fixture().await;
    let id = f.site("Force Control Room", "control_room", "Headquarters").await;
    let today = cordon_domain::reference::format_date(cordon_store::today());
    let out = f.app.db.cordon(&[
        "threat-level",
        "set",
        "police-sector",
        "critical",
        "--effective",
        &today,
        "--note",
        "Notified to forces",
    ]);
    assert!(out.status.success(), "{}", crate::common::stderr(&out));
    assert!(crate::common::stdout(&out).contains("police-sector is CRITICAL"));
    let v = f.get(&id).await;
    assert_eq!((v["threat_level"].as_str(), v["floor"].as_str()), (Some("CRITICAL"), Some("EXCEPTIONAL")));
    let show = f.app.db.cordon(&["threat-level", "show"]);
    assert!(crate::common::stdout(&show).contains("police-sector: CRITICAL"), "{}", crate::common::stdout(&show));
}
