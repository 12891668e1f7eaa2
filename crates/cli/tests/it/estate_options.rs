//! The police estate's menu of options, what is in force or declined at each
//! site, the resource implications of a level, the move-to-critical plan with
//! its activations, and the estate policy's governance, over HTTP (issue 13
//! items 4 to 8).

use crate::common::TestApp;
use cordon_domain::identity::{Clearance, Role};
use reqwest::Method;
use serde_json::{json, Value};

struct F {
    app: TestApp,
    manager: String,
    staff: String,
    admin: String,
    /// An estates manager without a clearance for OFFICIAL-SENSITIVE.
    uncleared: String,
    outsider: String,
    commander: String,
}

async fn fixture() -> F {
    let app = TestApp::spawn().await;
    let manager = app.user("estates@force.example", "Force", &[Role::EstatesManager], Clearance::Bpss).await;
    let staff = app.user("pc@force.example", "Force", &[Role::Staff], Clearance::Bpss).await;
    let admin = app.user("admin@force.example", "Force", &[Role::Administrator], Clearance::Sc).await;
    app.second_factor(&admin).await;
    let uncleared = app.user("new@force.example", "Force", &[Role::EstatesManager], Clearance::None).await;
    let outsider = app.user("estates@other.example", "Other Force", &[Role::EstatesManager], Clearance::Bpss).await;
    let commander = app.user("gold@force.example", "Force", &[Role::StrategicCommander], Clearance::Sc).await;
    F {
        manager: app.token(&manager).await,
        staff: app.token(&staff).await,
        admin: app.token(&admin).await,
        uncleared: app.token(&uncleared).await,
        outsider: app.token(&outsider).await,
        commander: app.token(&commander).await,
        app,
    }
}

impl F {
    async fn site(&self, name: &str, division: &str) -> String {
        let body = json!({"name": name, "kind": "police_station", "address": "1 High Street", "division": division});
        let (status, v) = self.app.send_as(&self.manager, Method::POST, "/api/v1/sites", body).await;
        assert_eq!(status, 201, "{v}");
        v["id"].as_str().unwrap().to_string()
    }

    async fn decide(&self, site: &str, option: &str, decision: Value, reason: &str) -> (u16, Value) {
        self.app
            .send_as(
                &self.manager,
                Method::PUT,
                &format!("/api/v1/sites/{site}/options/{option}"),
                json!({"decision": decision, "reason": reason}),
            )
            .await
    }

    async fn national(&self, level: &str) {
        let today = cordon_domain::reference::format_date(self.app.store.today());
        let (status, v) = self
            .app
            .send_as(
                &self.admin,
                Method::POST,
                "/api/v1/threat-levels/national",
                json!({"level": level, "effective": today, "note": "Announced"}),
            )
            .await;
        assert_eq!(status, 201, "{v}");
    }

    async fn journal_count(&self) -> i64 {
        self.app.db.sql("SELECT COUNT(*) FROM journal").await.unwrap()[0].int(0)
    }
}

fn field(v: &Value) -> &str {
    v["error"]["field"].as_str().unwrap_or("")
}

fn option(id: &str) -> Value {
    json!({"id": id, "title": "Dog patrols of the yard", "levels": ["EXCEPTIONAL"], "hours_per_day": 6.5,
           "cost_per_day": 80, "training": "Dog handler", "instruction": "Keep the yard gate closed"})
}

#[tokio::test]
async fn the_menu_starts_as_the_shipped_one_and_only_cleared_managers_change_it() {
    let f = fixture().await;
    let (status, menu) = f.app.get_as(&f.manager, "/api/v1/estate/options").await;
    assert_eq!(status, 200, "{menu}");
    let shipped = cordon_domain::estate::options::shipped_menu();
    assert_eq!(menu["total"].as_u64(), Some(shipped.len() as u64));
    assert!(menu["items"].as_array().unwrap().iter().any(|o| o["id"] == "vehicle-checks"));
    // OFFICIAL-SENSITIVE: staff, an uncleared manager, and no one of another role read it.
    for who in [&f.staff, &f.uncleared] {
        assert_eq!(f.app.get_as(who, "/api/v1/estate/options").await.0, 403);
    }
    // Adding an option copies the whole menu to the organisation, then adds it.
    let (status, v) = f.app.send_as(&f.manager, Method::POST, "/api/v1/estate/options", option("dogs")).await;
    assert_eq!(status, 201, "{v}");
    let (_, menu) = f.app.get_as(&f.manager, "/api/v1/estate/options").await;
    assert_eq!(menu["total"].as_u64(), Some(shipped.len() as u64 + 1));
    // Another force's menu is its own.
    let (_, other) = f.app.get_as(&f.outsider, "/api/v1/estate/options").await;
    assert_eq!(other["total"].as_u64(), Some(shipped.len() as u64));
    // The same id again: 409; bad figures: 422 naming the field; nothing changed.
    let before = f.journal_count().await;
    assert_eq!(f.app.send_as(&f.manager, Method::POST, "/api/v1/estate/options", option("dogs")).await.0, 409);
    let mut bad = option("cats");
    bad["hours_per_day"] = json!(-2);
    let (status, v) = f.app.send_as(&f.manager, Method::POST, "/api/v1/estate/options", bad).await;
    assert_eq!((status, field(&v)), (422, "hours_per_day"), "{v}");
    let mut bad = option("cats");
    bad["levels"] = json!([]);
    let (status, v) = f.app.send_as(&f.manager, Method::POST, "/api/v1/estate/options", bad).await;
    assert_eq!((status, field(&v)), (422, "levels"), "{v}");
    let (status, _) = f.app.send_as(&f.staff, Method::POST, "/api/v1/estate/options", option("cats")).await;
    assert_eq!(status, 403);
    assert_eq!(f.journal_count().await, before);
    // Changing one: 200; the id must match; an unknown one is 404.
    let mut changed = option("dogs");
    changed["cost_per_day"] = json!(95);
    let (status, v) = f.app.send_as(&f.manager, Method::PUT, "/api/v1/estate/options/dogs", changed.clone()).await;
    assert_eq!((status, v["cost_per_day"].as_u64()), (200, Some(95)), "{v}");
    let (status, v) =
        f.app.send_as(&f.manager, Method::PUT, "/api/v1/estate/options/vehicle-checks", changed.clone()).await;
    assert_eq!((status, field(&v)), (422, "id"));
    assert_eq!(f.app.send_as(&f.manager, Method::PUT, "/api/v1/estate/options/nope", changed).await.0, 404);
    // The menu's entries are marked OFFICIAL-SENSITIVE in the journal.
    let rows = f.app.db.sql("SELECT marking FROM journal WHERE kind = 'estate_option_saved'").await.unwrap();
    assert!(!rows.is_empty() && rows.iter().all(|r| r.text(0) == "OFFICIAL-SENSITIVE"));
}

#[tokio::test]
async fn options_are_put_in_force_or_declined_at_a_site_and_staff_see_only_the_instructions() {
    let f = fixture().await;
    let site = f.site("Central Police Station", "City").await;
    f.app
        .send_as(&f.manager, Method::POST, &format!("/api/v1/sites/{site}/staff"), json!({"email": "pc@force.example"}))
        .await;
    let (status, v) = f.decide(&site, "id-checks", json!("in_force"), "").await;
    assert_eq!(status, 200, "{v}");
    let ids = v["items"].as_array().unwrap().iter().find(|o| o["option_id"] == "id-checks").unwrap();
    assert_eq!((ids["decision"].as_str(), ids["by_name"].is_string()), (Some("in_force"), true));
    // Declining needs a reason; a bad decision or an unknown option is refused; nothing changed.
    let before = f.journal_count().await;
    let (status, v) = f.decide(&site, "close-public-counter", json!("declined"), " ").await;
    assert_eq!((status, field(&v)), (422, "reason"));
    let (status, v) = f.decide(&site, "close-public-counter", json!("maybe"), "").await;
    assert_eq!((status, field(&v)), (422, "decision"));
    assert_eq!(f.decide(&site, "no-such-option", json!("in_force"), "").await.0, 404);
    let (status, _) = f
        .app
        .send_as(
            &f.outsider,
            Method::PUT,
            &format!("/api/v1/sites/{site}/options/id-checks"),
            json!({"decision": "in_force"}),
        )
        .await;
    assert_eq!(status, 404, "another force's site is no such site");
    let (status, _) = f
        .app
        .send_as(
            &f.staff,
            Method::PUT,
            &format!("/api/v1/sites/{site}/options/id-checks"),
            json!({"decision": "declined", "reason": "x"}),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(f.journal_count().await, before);
    let (status, _) = f.decide(&site, "close-public-counter", json!("declined"), "No public counter here").await;
    assert_eq!(status, 200);
    let (_, v) = f.app.get_as(&f.manager, &format!("/api/v1/sites/{site}/options")).await;
    let declined = v["items"].as_array().unwrap().iter().find(|o| o["option_id"] == "close-public-counter").unwrap();
    assert_eq!(
        (declined["decision"].as_str(), declined["reason"].as_str()),
        (Some("declined"), Some("No public counter here"))
    );
    assert_eq!(f.app.get_as(&f.staff, &format!("/api/v1/sites/{site}/options")).await.0, 403);

    // Staff see what to do, on their home page and the site's page, and nothing else of the options.
    let (_, b) = f.app.sign_in("pc@force.example", crate::common::PASSWORD, None).await;
    let instruction = "Show your warrant card or staff pass at every entrance";
    for path in ["/".to_string(), format!("/sites/{site}")] {
        let html = f.app.page(&b, &path).await.text().await.unwrap();
        assert!(html.contains(instruction), "{path}: {html}");
        assert!(
            !html.contains("No public counter here") && !html.contains("Controlled access and ID checks"),
            "{path}"
        );
    }
    // The manager sees the decisions on the site's page, marked OFFICIAL-SENSITIVE.
    let (_, m) = f.app.sign_in("estates@force.example", crate::common::PASSWORD, None).await;
    let html = f.app.page(&m, &format!("/sites/{site}")).await.text().await.unwrap();
    assert!(html.contains("Declined: No public counter here") && html.contains("OFFICIAL-SENSITIVE"), "{html}");
    // Withdrawing a decision removes it.
    let (status, v) = f.decide(&site, "id-checks", Value::Null, "").await;
    assert_eq!(status, 200);
    let ids = v["items"].as_array().unwrap().iter().find(|o| o["option_id"] == "id-checks").unwrap();
    assert!(ids["decision"].is_null());
    let html = f.app.page(&b, "/").await.text().await.unwrap();
    assert!(!html.contains(instruction));
}

#[tokio::test]
async fn the_resource_implications_sum_what_each_site_would_run_by_division() {
    let f = fixture().await;
    let central = f.site("Central Police Station", "City").await;
    f.site("Hillbrook Police Station", "County").await;
    f.decide(&central, "armed-presence", json!("declined"), "No firearms threat").await;
    f.decide(&central, "vehicle-checks", json!("in_force"), "").await;
    // The shipped menu at EXCEPTIONAL: 102 hours and £520 a site a day; at HEIGHTENED 14 hours, £0.
    let (status, v) = f.app.get_as(&f.manager, "/api/v1/estate/resource-implications?level=EXCEPTIONAL").await;
    assert_eq!(status, 200, "{v}");
    assert_eq!((v["level"].as_str(), v["sites"].as_i64()), (Some("EXCEPTIONAL"), Some(2)));
    // Central: 102 less armed presence (48 hours, £400); Hillbrook: everything.
    assert_eq!((v["hours_per_day"].as_f64(), v["cost_per_day"].as_u64()), (Some(156.0), Some(640)), "{v}");
    assert_eq!(v["training"].as_array().unwrap().len(), 3);
    let division =
        |name: &str| v["by_division"].as_array().unwrap().iter().find(|d| d["division"] == name).unwrap().clone();
    assert_eq!(
        (division("City")["hours_per_day"].as_f64(), division("City")["cost_per_day"].as_u64()),
        (Some(54.0), Some(120))
    );
    assert_eq!(division("County")["hours_per_day"].as_f64(), Some(102.0));
    // At HEIGHTENED, vehicle checks in force at Central still count.
    let (_, v) = f.app.get_as(&f.manager, "/api/v1/estate/resource-implications?level=HEIGHTENED").await;
    assert_eq!((v["hours_per_day"].as_f64(), v["cost_per_day"].as_u64()), (Some(44.0), Some(120)), "{v}");
    // A missing or unknown level is refused, naming it; staff may not see the costs.
    let (status, v) = f.app.get_as(&f.manager, "/api/v1/estate/resource-implications").await;
    assert_eq!((status, field(&v)), (400, "level"));
    let (status, v) = f.app.get_as(&f.manager, "/api/v1/estate/resource-implications?level=CRITICAL").await;
    assert_eq!((status, field(&v)), (422, "level"));
    assert_eq!(f.app.get_as(&f.staff, "/api/v1/estate/resource-implications?level=NORMAL").await.0, 403);
    // The page says the same.
    let (_, b) = f.app.sign_in("estates@force.example", crate::common::PASSWORD, None).await;
    let html = f.app.page(&b, "/estate/resource-implications?level=EXCEPTIONAL").await.text().await.unwrap();
    assert!(html.contains("£640") && html.contains("156") && html.contains("Hillbrook Police Station"), "{html}");
}

fn plan() -> Value {
    json!({"reference": "Contingency Plan 448", "title": "Op Quantity", "owner": "Op Quantity Lead", "version": "4.0",
           "review_date": "2030-01-31", "location": "The Commanders Portal",
           "checklist": [{"action": "Open the command suite", "owner_role": "Duty Chief Officer"},
                         {"action": "Tell every member of staff", "owner_role": "Estates manager"}]})
}

#[tokio::test]
async fn the_move_to_critical_plan_is_offered_at_critical_and_worked_through_to_stand_down() {
    let f = fixture().await;
    let (status, v) = f.app.get_as(&f.manager, "/api/v1/estate/critical-plan").await;
    assert_eq!((status, v["plan"].is_null(), v["offer_activation"].as_bool()), (200, true, Some(false)), "{v}");
    let (status, _) =
        f.app.send_as(&f.manager, Method::POST, "/api/v1/estate/activations", json!({"reason": "Now"})).await;
    assert_eq!(status, 409, "no plan yet");
    let mut bad = plan();
    bad["checklist"] = json!([]);
    let (status, v) = f.app.send_as(&f.manager, Method::PUT, "/api/v1/estate/critical-plan", bad).await;
    assert_eq!((status, field(&v)), (422, "checklist"));
    let mut bad = plan();
    bad["review_date"] = json!("2030-02-30");
    let (status, v) = f.app.send_as(&f.manager, Method::PUT, "/api/v1/estate/critical-plan", bad).await;
    assert_eq!((status, field(&v)), (422, "review_date"));
    assert_eq!(f.app.send_as(&f.staff, Method::PUT, "/api/v1/estate/critical-plan", plan()).await.0, 403);
    let (status, v) = f.app.send_as(&f.manager, Method::PUT, "/api/v1/estate/critical-plan", plan()).await;
    assert_eq!((status, v["plan"]["owner"].as_str()), (200, Some("Op Quantity Lead")), "{v}");
    // The national level goes to CRITICAL: activation is offered, and the
    // estates manager (not the member of staff) is told so.
    f.site("Central Police Station", "City").await;
    f.national("CRITICAL").await;
    let (_, v) = f.app.get_as(&f.manager, "/api/v1/estate/critical-plan").await;
    assert_eq!(v["offer_activation"], true, "{v}");
    let offered = |v: &Value| v["items"].as_array().unwrap().iter().any(|n| n["kind"] == "critical_plan_offered");
    let (_, n) = f.app.get_as(&f.manager, "/api/v1/me/notifications").await;
    assert!(offered(&n), "{n}");
    let (_, n) = f.app.get_as(&f.staff, "/api/v1/me/notifications").await;
    assert!(!offered(&n), "{n}");
    let (_, b) = f.app.sign_in("estates@force.example", crate::common::PASSWORD, None).await;
    let html = f.app.page(&b, "/sites").await.text().await.unwrap();
    assert!(html.contains("Activate the move-to-critical plan"), "{html}");
    // A reason is needed; then the activation copies the checklist.
    let (status, v) =
        f.app.send_as(&f.commander, Method::POST, "/api/v1/estate/activations", json!({"reason": ""})).await;
    assert_eq!((status, field(&v)), (422, "reason"));
    let (status, a) = f
        .app
        .send_as(&f.commander, Method::POST, "/api/v1/estate/activations", json!({"reason": "CRITICAL announced"}))
        .await;
    assert_eq!(status, 201, "{a}");
    assert_eq!((a["trigger"].as_str(), a["threat_level"].as_str()), (Some("threat_level_critical"), Some("CRITICAL")));
    assert_eq!((a["done"].as_i64(), a["total"].as_i64()), (Some(0), Some(2)));
    let id = a["id"].as_str().unwrap().to_string();
    assert_eq!(
        f.app.send_as(&f.manager, Method::POST, "/api/v1/estate/activations", json!({"reason": "Again"})).await.0,
        409
    );
    let (_, v) = f.app.get_as(&f.manager, "/api/v1/estate/critical-plan").await;
    assert_eq!((v["offer_activation"].as_bool(), v["open_activation"].as_str()), (Some(false), Some(id.as_str())));
    // Steps are done once each, with who and when.
    let step = |n: u32| format!("/api/v1/estate/activations/{id}/steps/{n}");
    let (status, v) = f.app.send_as(&f.manager, Method::POST, &step(1), json!({"note": "Notices sent"})).await;
    assert_eq!((status, v["done"].as_i64()), (201, Some(1)), "{v}");
    assert!(v["steps"][1]["done_at"].is_string() && v["steps"][1]["done_by_name"].is_string());
    assert_eq!(f.app.send_as(&f.manager, Method::POST, &step(1), json!({})).await.0, 200);
    assert_eq!(f.app.send_as(&f.manager, Method::POST, &step(9), json!({})).await.0, 404);
    assert_eq!(f.app.send_as(&f.staff, Method::POST, &step(0), json!({})).await.0, 403);
    assert_eq!(f.app.get_as(&f.outsider, &format!("/api/v1/estate/activations/{id}")).await.0, 404);
    // The page shows progress.
    let html = f.app.page(&b, &format!("/estate/activations/{id}")).await.text().await.unwrap();
    assert!(html.contains("1 of 2 actions done") && html.contains("Notices sent"), "{html}");
    // Standing down needs a reason, and happens once.
    let down = format!("/api/v1/estate/activations/{id}/stand-down");
    let (status, v) = f.app.send_as(&f.manager, Method::POST, &down, json!({"reason": " "})).await;
    assert_eq!((status, field(&v)), (422, "reason"));
    let (status, v) = f.app.send_as(&f.manager, Method::POST, &down, json!({"reason": "Level lowered"})).await;
    assert_eq!((status, v["stood_down_reason"].as_str()), (200, Some("Level lowered")), "{v}");
    assert_eq!(f.app.send_as(&f.manager, Method::POST, &down, json!({"reason": "Again"})).await.0, 409);
    assert_eq!(f.app.send_as(&f.manager, Method::POST, &step(0), json!({})).await.0, 409);
    // Still CRITICAL and none open: offered again.
    let (_, v) = f.app.get_as(&f.manager, "/api/v1/estate/critical-plan").await;
    assert_eq!(v["offer_activation"], true);
    let (_, list) = f.app.get_as(&f.manager, "/api/v1/estate/activations").await;
    assert_eq!(list["total"], 1);
}

#[tokio::test]
async fn the_plan_is_kept_and_activated_through_the_pages() {
    let f = fixture().await;
    let (_, b) = f.app.sign_in("estates@force.example", crate::common::PASSWORD, None).await;
    let csrf = f.app.csrf(&b).await;
    let post = |path: &str, form: Vec<(&'static str, String)>| {
        let (client, url, cookie) = (f.app.client.clone(), f.app.url(path), b.cookie());
        async move { client.post(url).header("cookie", cookie).form(&form).send().await.unwrap() }
    };
    let html = f.app.page(&b, "/estate/critical").await.text().await.unwrap();
    assert!(html.contains("No move-to-critical plan is recorded yet") && html.contains("OFFICIAL-SENSITIVE"));
    let mut form = vec![
        ("csrf_token", csrf.clone()),
        ("reference", "Contingency Plan 448".into()),
        ("title", "Op Quantity".into()),
        ("owner", "Op Quantity Lead".into()),
        ("version", "4".into()),
        ("location", "The Commanders Portal".into()),
        ("review_date-day", "31".into()),
        ("review_date-month", "1".into()),
        ("review_date-year", "2031".into()),
        ("checklist", "Open the command suite | Duty Chief Officer\nno owner".into()),
    ];
    let res = post("/estate/critical/change", form.clone()).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Line 2 of the checklist"));
    form.pop();
    form.push(("checklist", "Open the command suite | Duty Chief Officer\nBrief staff | Estates manager".into()));
    assert_eq!(post("/estate/critical/change", form).await.status(), 303);
    let html = f.app.page(&b, "/estate/critical").await.text().await.unwrap();
    assert!(html.contains("Brief staff") && html.contains("31 January 2031"), "{html}");
    // Activating asks first, then opens the activation.
    let html = f.app.page(&b, "/estate/critical/activate").await.text().await.unwrap();
    assert!(html.contains("Activate the move-to-critical plan?") && html.contains("2 actions"), "{html}");
    let res = post("/estate/critical/activate", vec![("csrf_token", csrf.clone()), ("reason", "".into())]).await;
    assert_eq!(res.status(), 422);
    let res =
        post("/estate/critical/activate", vec![("csrf_token", csrf.clone()), ("reason", "Exercise".into())]).await;
    assert_eq!(res.status(), 303);
    let at = res.headers()["location"].to_str().unwrap().to_string();
    let id = at.rsplit('/').next().unwrap().to_string();
    let res = post(&format!("/estate/activations/{id}/steps/0"), vec![("csrf_token", csrf.clone())]).await;
    assert_eq!(res.status(), 303);
    let html = f.app.page(&b, &at).await.text().await.unwrap();
    assert!(html.contains("1 of 2 actions done") && html.contains("Started by hand"), "{html}");
    let res = post(
        &format!("/estate/activations/{id}/stand-down"),
        vec![("csrf_token", csrf.clone()), ("reason", "Exercise over".into())],
    )
    .await;
    assert_eq!(res.status(), 303);
    let html = f.app.page(&b, &at).await.text().await.unwrap();
    assert!(html.contains("Exercise over") && !html.contains("Mark done"));
    // The menu's pages: add an option, then decide it at a site.
    let site = f.site("Central Police Station", "City").await;
    let res = post(
        "/estate/options/new",
        vec![
            ("csrf_token", csrf.clone()),
            ("id", "dogs".into()),
            ("title", "Dog patrols".into()),
            ("levels", "EXCEPTIONAL".into()),
            ("hours_per_day", "six".into()),
            ("cost_per_day", "80".into()),
            ("training", "".into()),
            ("instruction", "Keep the gate shut".into()),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Enter the hours per day as a number"));
    let res = post(
        "/estate/options/new",
        vec![
            ("csrf_token", csrf.clone()),
            ("id", "dogs".into()),
            ("title", "Dog patrols".into()),
            ("levels", "HEIGHTENED".into()),
            ("levels", "EXCEPTIONAL".into()),
            ("hours_per_day", "6".into()),
            ("cost_per_day", "£80".into()),
            ("training", "".into()),
            ("instruction", "Keep the gate shut".into()),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let html = f.app.page(&b, "/estate/options?done=dogs").await.text().await.unwrap();
    assert!(html.contains("Saved: Dog patrols") && html.contains("£80"), "{html}");
    let res = post(
        &format!("/sites/{site}/options/dogs"),
        vec![("csrf_token", csrf.clone()), ("decision", "declined".into()), ("reason", "".into())],
    )
    .await;
    assert_eq!(res.status(), 422);
    let res = post(
        &format!("/sites/{site}/options/dogs"),
        vec![("csrf_token", csrf.clone()), ("decision", "in_force".into()), ("reason", "".into())],
    )
    .await;
    assert_eq!(res.status(), 303);
    let html = f.app.page(&b, &format!("/sites/{site}")).await.text().await.unwrap();
    assert!(html.contains("Dog patrols") && html.contains("In force"), "{html}");
}

#[tokio::test]
async fn the_estate_policy_records_its_assessments_consultation_and_two_yearly_review() {
    let f = fixture().await;
    let body = json!({"reference": "POL/O27", "title": "Security levels for the police estate", "owner": "Op Quantity Lead",
        "contact": "Head of Tactical Operations", "start_date": "2022-01-10", "last_reviewed": "2024-03-01",
        "review_interval_months": 24, "next_review": "2026-03-01", "risk_assessment": "medium", "equality_impact": "medium",
        "procedure": "SOP/O27/1", "contingency_plan": "Contingency Plan 448",
        "consultation": [{"consultee": "Unison", "asked_on": "2024-01-15", "response": ""}]});
    let mut bad = body.clone();
    bad["risk_assessment"] = json!("grave");
    let (status, v) = f.app.send_as(&f.manager, Method::POST, "/api/v1/policies", bad).await;
    assert_eq!((status, field(&v)), (422, "risk_assessment"));
    let (status, p) = f.app.send_as(&f.manager, Method::POST, "/api/v1/policies", body).await;
    assert_eq!(status, 201, "{p}");
    assert_eq!((p["risk_assessment"].as_str(), p["review_overdue"].as_bool()), (Some("medium"), Some(true)));
    let id = p["id"].as_str().unwrap().to_string();
    let consult = format!("/api/v1/policies/{id}/consultation");
    let (status, v) =
        f.app.send_as(&f.manager, Method::POST, &consult, json!({"consultee": " ", "response": ""})).await;
    assert_eq!((status, field(&v)), (422, "consultee"));
    let (status, v) = f
        .app
        .send_as(&f.manager, Method::POST, &consult, json!({"consultee": "Finance", "asked_on": "2999-01-01"}))
        .await;
    assert_eq!((status, field(&v)), (422, "asked_on"));
    let (status, v) = f
        .app
        .send_as(
            &f.manager,
            Method::POST,
            &consult,
            json!({"consultee": "unison", "asked_on": "2024-01-15", "response": "No concerns"}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["consultation"].as_array().unwrap().len(), 1, "the same consultee is changed, not added twice");
    assert_eq!(v["consultation"][0]["response"], "No concerns");
    assert_eq!(f.app.send_as(&f.staff, Method::POST, &consult, json!({"consultee": "Legal"})).await.0, 403);
    // A review moves the next one on two years and clears the flag.
    let today = cordon_domain::reference::format_date(f.app.store.today());
    let (status, v) = f
        .app
        .send_as(&f.manager, Method::POST, &format!("/api/v1/policies/{id}/reviews"), json!({"reviewed_on": today}))
        .await;
    assert_eq!((status, v["review_overdue"].as_bool()), (201, Some(false)), "{v}");
    let due = cordon_domain::policy::add_months(f.app.store.today(), 24);
    assert_eq!(v["next_review"].as_str(), Some(cordon_domain::reference::format_date(due).as_str()));
    // The policy's page shows its governance and consultation.
    let (_, b) = f.app.sign_in("estates@force.example", crate::common::PASSWORD, None).await;
    let html = f.app.page(&b, &format!("/policies/{id}")).await.text().await.unwrap();
    assert!(
        html.contains("Medium risk") && html.contains("Impact assessed as Medium") && html.contains("No concerns"),
        "{html}"
    );
    assert!(html.contains("Contingency Plan 448") && html.contains("Every 24 months"));
    assert_eq!(f.app.get_as(&f.staff, "/api/v1/policies/no-such-policy").await.0, 404);
}

#[tokio::test]
async fn the_demo_holds_the_menu_decisions_plan_and_policy_with_its_consultation() {
    let app = TestApp::spawn().await;
    app.store.demo().seed_demo().await.unwrap();
    let manager = app.store.identity().user_by_email("estates@northshire.police.example").await.unwrap().unwrap();
    let token = app.token(&manager).await;
    let (_, v) = app.get_as(&token, "/api/v1/estate/critical-plan").await;
    assert!(v["plan"]["checklist"].as_array().unwrap().len() >= 5, "{v}");
    let (_, v) = app.get_as(&token, "/api/v1/estate/resource-implications?level=EXCEPTIONAL").await;
    assert_eq!(v["sites"], 6);
    assert!(v["cost_per_day"].as_u64().unwrap() > 0);
    let (_, p) = app.get_as(&token, "/api/v1/policies/estate-security-levels").await;
    assert_eq!(p["consultation"].as_array().unwrap().len(), 14, "the consultees of seed 002 §5.1");
    assert_eq!((p["risk_assessment"].as_str(), p["review_interval_months"].as_u64()), (Some("medium"), Some(24)));
}
