//! Martyn's Law (public API and pages) and the register of crowded places over
//! HTTP and the command line: tiers at their thresholds, penalties, CSV import
//! with bad rows (all or nothing), the streaming export, who may do what.

use crate::common::{stderr, stdout, TestApp, TestDb};
use cordon_domain::identity::{Clearance, Role};
use serde_json::{json, Value};

async fn public(app: &TestApp, path: &str) -> (u16, Value) {
    app.get_json(path).await
}

#[tokio::test]
async fn martyns_law_premises_tiers_at_and_around_every_threshold_without_sign_in() {
    let app = TestApp::spawn().await;
    for (use_, cap, tier) in [
        ("shop", 199, "out_of_scope"),
        ("shop", 200, "standard"),
        ("shop", 799, "standard"),
        ("shop", 800, "enhanced"),
        ("higher_education", 800, "enhanced"),
        ("place_of_worship", 800, "standard"),
        ("childcare", 5000, "standard"),
        ("school", 800, "standard"),
        ("further_education", 799, "standard"),
        ("school", 199, "out_of_scope"),
        ("office", 5000, "out_of_scope"),
        ("warehouse", 800, "out_of_scope"),
        ("residential", 200, "out_of_scope"),
    ] {
        let (status, b) =
            public(&app, &format!("/api/v1/martyns-law/premises?use={use_}&capacity={cap}&responsible=organisation"))
                .await;
        assert_eq!(status, 200, "{b}");
        assert_eq!(b["tier"], tier, "{use_} at {cap}: {b}");
        assert!(!b["reasons"].as_array().unwrap().is_empty());
    }
    let (_, enhanced) =
        public(&app, "/api/v1/martyns-law/premises?use=museum&capacity=800&responsible=organisation").await;
    assert_eq!(
        enhanced["duties"],
        json!([
            "notify_sia",
            "public_protection_procedures",
            "public_protection_measures",
            "security_document",
            "designated_senior_individual"
        ])
    );
    assert_eq!(enhanced["max_penalty_gbp"], 18_000_000);
    let (_, person) = public(&app, "/api/v1/martyns-law/premises?use=museum&capacity=800&responsible=individual").await;
    assert_eq!(
        person["duties"],
        json!(["notify_sia", "public_protection_procedures", "public_protection_measures", "security_document"])
    );
    let (_, standard) =
        public(&app, "/api/v1/martyns-law/premises?use=museum&capacity=799&responsible=organisation").await;
    assert_eq!(standard["duties"], json!(["notify_sia", "public_protection_procedures"]));
    assert_eq!(standard["max_penalty_gbp"], 10_000);
    let (_, out) = public(&app, "/api/v1/martyns-law/premises?use=museum&capacity=199&responsible=organisation").await;
    assert_eq!((out["duties"].clone(), out["max_penalty_gbp"].clone()), (json!([]), json!(0)));
}

#[tokio::test]
async fn martyns_law_bad_input_names_the_field() {
    let app = TestApp::spawn().await;
    for (query, status, field) in [
        ("use=shop&capacity=-1&responsible=organisation", 422, "capacity"),
        ("use=shop&capacity=lots&responsible=organisation", 400, "capacity"),
        ("use=castle&capacity=300&responsible=organisation", 422, "use"),
        ("capacity=300&responsible=organisation", 400, "use"),
        ("use=shop&capacity=300&responsible=company", 422, "responsible"),
        ("use=shop&capacity=300", 400, "responsible"),
    ] {
        let (s, b) = public(&app, &format!("/api/v1/martyns-law/premises?{query}")).await;
        assert_eq!(s, status, "{query}: {b}");
        assert_eq!(b["error"]["field"], field, "{query}: {b}");
    }
    let (s, b) =
        public(&app, "/api/v1/martyns-law/event?attendance=900&ticketed=maybe&public=true&in_enhanced_premises=false")
            .await;
    assert_eq!((s, b["error"]["field"].as_str()), (400, Some("ticketed")));
    let (s, b) = public(&app, "/api/v1/martyns-law/penalty?case=huge").await;
    assert_eq!((s, b["error"]["field"].as_str()), (422, Some("case")));
    let (s, b) = public(&app, "/api/v1/martyns-law/penalty?case=enhanced&first_period_ended=true&revenue_gbp=5").await;
    assert_eq!((s, b["error"]["field"].as_str()), (400, Some("period_months")));
    let (s, b) =
        public(&app, "/api/v1/martyns-law/penalty?case=enhanced&first_period_ended=true&revenue_gbp=5&period_months=0")
            .await;
    assert_eq!((s, b["error"]["field"].as_str()), (422, Some("period_months")));
}

#[tokio::test]
async fn martyns_law_events_and_penalties() {
    let app = TestApp::spawn().await;
    let ev = |a: u32, t: bool, p: bool, e: bool| {
        format!("/api/v1/martyns-law/event?attendance={a}&ticketed={t}&public={p}&in_enhanced_premises={e}")
    };
    assert_eq!(public(&app, &ev(799, true, true, false)).await.1["qualifying"], false);
    let (_, q) = public(&app, &ev(800, true, true, false)).await;
    assert_eq!(q["qualifying"], true);
    assert_eq!(q["max_penalty_gbp"], 18_000_000);
    assert_eq!(q["duties"].as_array().unwrap().len(), 5);
    assert_eq!(public(&app, &ev(800, false, true, false)).await.1["qualifying"], false);
    assert_eq!(public(&app, &ev(800, true, false, false)).await.1["qualifying"], false);
    let (_, inside) = public(&app, &ev(20_000, true, true, true)).await;
    assert_eq!((inside["qualifying"].clone(), inside["duties"].clone()), (json!(false), json!([])));

    let pen = |q: &str| format!("/api/v1/martyns-law/penalty?{q}");
    for (q, max) in [
        ("case=standard", 10_000u64),
        ("case=information_notice", 5_000),
        ("case=enhanced&first_period_ended=false", 18_000_000),
        ("case=event&first_period_ended=true&revenue_gbp=100000000&period_months=12", 18_000_000),
        ("case=enhanced&first_period_ended=true&revenue_gbp=360000000&period_months=12", 18_000_000),
        ("case=enhanced&first_period_ended=true&revenue_gbp=1000000000&period_months=12", 50_000_000),
        // Pro-rated: £500m over 6 months is £1bn a year; £1bn over 24 months is £500m a year.
        ("case=enhanced&first_period_ended=true&revenue_gbp=500000000&period_months=6", 50_000_000),
        ("case=event&first_period_ended=true&revenue_gbp=1000000000&period_months=24", 25_000_000),
        ("case=enhanced&first_period_ended=true&revenue_gbp=200000000&period_months=6", 20_000_000),
    ] {
        let (s, b) = public(&app, &pen(q)).await;
        assert_eq!(s, 200, "{q}: {b}");
        assert_eq!(b["max_penalty_gbp"], max, "{q}: {b}");
    }
}

#[tokio::test]
async fn the_self_check_and_sector_pages_are_public() {
    let app = TestApp::spawn().await;
    let page = app.get("/martyns-law").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Martyn&#x27;s Law self-check") || html.contains("Martyn's Law self-check"), "{html}");
    assert!(html.contains("/martyns-law/sectors/night_time_economy"));
    let res = app.get("/martyns-law?use=sports_ground&capacity=800&responsible=organisation").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    for words in ["Enhanced duty premises", "Designated senior individual", "£18,000,000", "security document"] {
        assert!(html.contains(words), "the answer should say {words:?}");
    }
    let res = app.get("/martyns-law?use=place_of_worship&capacity=1200&responsible=individual").await;
    let html = res.text().await.unwrap();
    assert!(html.contains("Standard duty premises") && html.contains("always standard"), "{html}");
    assert!(!html.contains("Designated senior individual"));
    let bad = app.get("/martyns-law?use=&capacity=-4&responsible=").await;
    assert_eq!(bad.status(), 400);
    let html = bad.text().await.unwrap();
    assert!(html.contains("There is a problem") && html.contains("cannot be negative"), "{html}");
    assert!(html.contains("Select who is responsible"));
    for s in cordon_domain::places::Sector::ALL {
        let res = app.get(&format!("/martyns-law/sectors/{}", s.as_str())).await;
        assert_eq!(res.status(), 200, "{}", s.as_str());
        let html = res.text().await.unwrap().replace("&#39;", "'").replace("&#x27;", "'").replace("&quot;", "\"");
        assert!(html.contains(&s.info().guidance[0]), "{}: {html}", s.as_str());
    }
    assert_eq!(app.get("/martyns-law/sectors/casinos").await.status(), 404);

    // The advice pack: a PDF marked on every page, with the tier, the duties and the guidance.
    let res = app
        .get("/martyns-law/advice-pack.pdf?use=food_and_drink&capacity=850&responsible=organisation&sector=night_time_economy")
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = crate::check::check_pdf(&res.bytes().await.unwrap(), "OFFICIAL", "Self-service");
    for words in ["Enhanced duty premises", "Designated senior individual", "Door staff see who comes and goes"] {
        assert!(pdf.text.contains(words), "the pack should say {words:?}: {}", pdf.text);
    }
    assert_eq!(
        app.get("/martyns-law/advice-pack.pdf?use=castle&capacity=1&responsible=individual").await.status(),
        422
    );
}

const HEADER: &str = "reference,name,sector,use,capacity,latitude,longitude,address\n";

fn csv(rows: &[&str]) -> String {
    let mut s = HEADER.to_string();
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s
}

async fn import(app: &TestApp, token: &str, body: String) -> (u16, Value) {
    let res = app
        .client
        .post(app.url("/api/v1/places/import"))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn places_are_imported_all_or_nothing_with_bad_rows_named_by_line_and_column() {
    let app = TestApp::spawn().await;
    let ctsa = app.user("ctsa@force.example", "Force", &[Role::SecurityAdviser], Clearance::Sc).await;
    let staff = app.user("pc@force.example", "Force", &[Role::Staff], Clearance::Sc).await;
    let partner = app.user("council@force.example", "Force", &[Role::Partner], Clearance::Sc).await;
    let (ctsa, staff, partner) = (app.token(&ctsa).await, app.token(&staff).await, app.token(&partner).await);

    let good = [
        "A1,Northtown Arena,stadiums_and_arenas,sports_ground,12000,54.97,-1.61,\"1 Arena Way, Northtown\"",
        "A2,The Crown,night_time_economy,food_and_drink,199,54.96,-1.60,2 High Street",
        "A3,St Mary's,places_of_worship,place_of_worship,900,54.95,-1.62,Church Lane",
    ];
    for (bad, line, column) in [
        ("B1,Bad,retail,shop,-3,54.9,-1.6,Somewhere", 6, "capacity"),
        ("B1,Bad,retail,shop,many,54.9,-1.6,Somewhere", 6, "capacity"),
        ("B1,Bad,retail,castle,30,54.9,-1.6,Somewhere", 6, "use"),
        ("B1,Bad,casinos,shop,30,54.9,-1.6,Somewhere", 6, "sector"),
        ("B1,Bad,retail,shop,30,95,-1.6,Somewhere", 6, "latitude"),
        ("B1,Bad,retail,shop,30,54.9,181,Somewhere", 6, "longitude"),
        ("A1,Again,retail,shop,30,54.9,-1.6,Somewhere", 6, "reference"),
    ] {
        let mut rows = good.to_vec();
        rows.push("A4,Market,retail,shop,300,54.9,-1.6,Market Place");
        rows.push(bad);
        let (status, b) = import(&app, &ctsa, csv(&rows)).await;
        assert_eq!(status, 422, "{bad}: {b}");
        assert_eq!(b["row"], json!({"line": line, "column": column}), "{bad}: {b}");
        assert_eq!(b["error"]["field"], column);
        assert!(b["error"]["message"].as_str().unwrap().starts_with(&format!("line {line}, column {column}")));
        let (_, list) = app.get_as(&ctsa, "/api/v1/places").await;
        assert_eq!(list["total"], 0, "nothing was imported: {list}");
    }
    let (status, b) =
        import(&app, &ctsa, "reference,name,sector,use,capacity,latitude,longitude\nA,b,retail,shop,1,1,1\n".into())
            .await;
    assert_eq!(
        (status, b["row"]["column"].as_str(), b["row"]["line"].as_i64()),
        (422, Some("address"), Some(1)),
        "{b}"
    );
    let res =
        app.client.post(app.url("/api/v1/places/import")).bearer_auth(&ctsa).json(&json!({})).send().await.unwrap();
    assert_eq!(res.status(), 415);

    // Only security advisers and deployment authorities import.
    assert_eq!(import(&app, &staff, csv(&good)).await.0, 403);
    let (status, r) = import(&app, &ctsa, csv(&good)).await;
    assert_eq!(status, 201, "{r}");
    assert_eq!((r["rows"].clone(), r["added"].clone(), r["changed"].clone()), (json!(3), json!(3), json!(0)));

    // Every police user reads; a partner agency's user does not.
    let (status, list) = app.get_as(&staff, "/api/v1/places?limit=2").await;
    assert_eq!(status, 200);
    assert_eq!((list["total"].clone(), list["items"].as_array().unwrap().len()), (json!(3), 2));
    assert_eq!(app.get_as(&partner, "/api/v1/places").await.0, 403);
    assert_eq!(app.get("/api/v1/places").await.status(), 401);

    let (_, enhanced) = app.get_as(&staff, "/api/v1/places?tier=enhanced").await;
    assert_eq!(enhanced["total"], 1);
    let arena = &enhanced["items"][0];
    assert_eq!((arena["reference"].as_str(), arena["address"].as_str()), (Some("A1"), Some("1 Arena Way, Northtown")));
    assert_eq!(arena["duties"].as_array().unwrap().len(), 5);
    let (_, worship) = app.get_as(&staff, "/api/v1/places?sector=places_of_worship").await;
    assert_eq!(worship["items"][0]["tier"], "standard", "always standard at 900");
    let (_, out) = app.get_as(&staff, "/api/v1/places?tier=out_of_scope").await;
    assert_eq!(out["items"][0]["reference"], "A2");
    assert_eq!(app.get_as(&staff, "/api/v1/places?sector=pubs").await.0, 400);
    let id = arena["id"].as_str().unwrap();
    let (status, one) = app.get_as(&staff, &format!("/api/v1/places/{id}")).await;
    assert_eq!((status, one["name"].as_str()), (200, Some("Northtown Arena")));
    assert_eq!(app.get_as(&staff, "/api/v1/places/no-such").await.0, 404);

    // Importing the same reference again changes the place and keeps its id.
    let (_, r) =
        import(&app, &ctsa, csv(&["A1,Northtown Arena,stadiums_and_arenas,sports_ground,700,54.97,-1.61,1 Arena Way"]))
            .await;
    assert_eq!((r["added"].clone(), r["changed"].clone()), (json!(0), json!(1)));
    let (_, one) = app.get_as(&staff, &format!("/api/v1/places/{id}")).await;
    assert_eq!((one["capacity"].clone(), one["tier"].clone()), (json!(700), json!("standard")));

    // The export streams every place, quoted where needed, re-importable.
    let res = app.client.get(app.url("/api/v1/places/export.csv")).bearer_auth(&staff).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = res.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "reference,name,sector,use,capacity,latitude,longitude,address,tier");
    assert_eq!(lines.len(), 4);
    assert!(lines[1].starts_with("A1,Northtown Arena,stadiums_and_arenas,sports_ground,700,"), "{}", lines[1]);
    assert!(lines[3].contains("St Mary's") && lines[3].ends_with(",standard"), "{}", lines[3]);
    let filtered = app
        .client
        .get(app.url("/api/v1/places/export.csv?sector=night_time_economy"))
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap();
    assert_eq!(filtered.text().await.unwrap().lines().count(), 2);
    // The export is imported again as it is: its trailing tier column is ignored.
    let (status, r) = import(&app, &ctsa, text.clone()).await;
    assert_eq!(status, 201, "{r}");
    assert_eq!((r["added"].clone(), r["changed"].clone()), (json!(0), json!(3)));
    let (_, one) = app.get_as(&staff, &format!("/api/v1/places/{id}")).await;
    assert_eq!((one["capacity"].clone(), one["tier"].clone()), (json!(700), json!("standard")));
    let short =
        "reference,name,sector,use,capacity,latitude,longitude,address,tier\nA9,Hall,retail,shop,300,54.9,-1.6,Road\n";
    let (status, b) = import(&app, &ctsa, short.into()).await;
    assert_eq!((status, b["row"]["column"].as_str(), b["row"]["line"].as_i64()), (422, Some("tier"), Some(2)), "{b}");
    assert_eq!(
        app.client.get(app.url("/api/v1/places/export.csv")).bearer_auth(&partner).send().await.unwrap().status(),
        403
    );
}

#[tokio::test]
async fn the_register_pages_filter_paginate_and_import() {
    let app = TestApp::spawn().await;
    app.user("ctsa@force.example", "Force", &[Role::SecurityAdviser], Clearance::Sc).await;
    app.user("pc@force.example", "Force", &[Role::Staff], Clearance::Sc).await;
    let rows: Vec<String> = (0..30)
        .map(|i| {
            format!("P{i:02},Place {i},retail,shop,{},54.9,-1.6,{i} Market Street", if i % 2 == 0 { 900 } else { 250 })
        })
        .collect();
    let (_, b) = app.sign_in("ctsa@force.example", crate::common::PASSWORD, None).await;
    let csrf = app.csrf(&b).await;
    let form = reqwest::multipart::Form::new().text("csrf_token", csrf.clone()).part(
        "file",
        reqwest::multipart::Part::bytes(csv(&rows.iter().map(String::as_str).collect::<Vec<_>>()).into_bytes())
            .file_name("places.csv")
            .mime_str("text/csv")
            .unwrap(),
    );
    let res =
        app.client.post(app.url("/places/import")).header("cookie", b.cookie()).multipart(form).send().await.unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(res.headers()["location"], "/places?imported=30");

    let bad = reqwest::multipart::Form::new().text("csrf_token", csrf).part(
        "file",
        reqwest::multipart::Part::bytes(csv(&["Z1,Bad,retail,shop,-1,54.9,-1.6,Street"]).into_bytes())
            .file_name("bad.csv"),
    );
    let res =
        app.client.post(app.url("/places/import")).header("cookie", b.cookie()).multipart(bad).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Nothing was imported. Line 2, column capacity"), "{html}");

    let (_, pc) = app.sign_in("pc@force.example", crate::common::PASSWORD, None).await;
    let html = app.page(&pc, "/places?tier=enhanced").await.text().await.unwrap();
    assert!(html.contains("Places 1 to 15 of 15"), "{html}");
    assert!(!html.contains("Import places from CSV"), "staff do not import");
    let html = app.page(&pc, "/places?limit=10&offset=10").await.text().await.unwrap();
    assert!(html.contains("Places 11 to 20 of 30") && html.contains("Next page") && html.contains("Previous page"));
    let html = app.page(&pc, "/places?q=place%2029").await.text().await.unwrap();
    assert!(html.contains("Places 1 to 1 of 1"), "{html}");
    let id =
        html.split("data-label=\"Name\"><a href=\"/places/").nth(1).unwrap().split('"').next().unwrap().to_string();
    let html = app.page(&pc, &format!("/places/{id}")).await.text().await.unwrap();
    assert!(html.contains("Standard duty premises") && html.contains("Public protection procedures"), "{html}");
    assert_eq!(app.page(&pc, "/places/import").await.status(), 403);
}

#[test]
fn the_command_line_imports_and_reports_a_bad_row() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(TestDb::new());
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, csv(&["C1,Hall,retail,shop,300,54.9,-1.6,Street", "C2,Hall,retail,shop,300,54.9,-1.6"]))
        .unwrap();
    let out = db.cordon(&["places", "import", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("line 3, column address"), "{}", stderr(&out));
    let good = dir.path().join("good.csv");
    std::fs::write(&good, csv(&["C1,Hall,retail,shop,300,54.9,-1.6,Street", "C2,Hall,retail,shop,900,54.9,-1.6,Road"]))
        .unwrap();
    let out = db.cordon(&["places", "import", good.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Imported 2 places"), "{}", stdout(&out));
    let rows = rt.block_on(db.sql("SELECT reference, tier FROM places ORDER BY reference")).unwrap();
    assert_eq!(
        rows.iter().map(|r| (r.text(0), r.text(1))).collect::<Vec<_>>(),
        [("C1".into(), "standard".into()), ("C2".into(), "enhanced".into())]
    );
}

#[tokio::test]
async fn advisers_and_allocation_runs_explain_every_place() {
    use cordon_domain::places::allocation::{check, Instance, NONE};
    use reqwest::Method;
    let app = TestApp::spawn().await;
    let ctsa = app.user("ctsa@force.example", "Force", &[Role::SecurityAdviser], Clearance::Sc).await;
    let da = app.user("supt@force.example", "Force", &[Role::DeploymentAuthority], Clearance::Sc).await;
    let staff = app.user("pc@force.example", "Force", &[Role::Staff], Clearance::Sc).await;
    let (ctsa, da, staff) = (app.token(&ctsa).await, app.token(&da).await, app.token(&staff).await);

    // Twelve places around Northtown, and one 300 km away that nobody reaches.
    let mut rows: Vec<String> = (0..12)
        .map(|i| {
            format!(
                "N{i:02},Venue {i},night_time_economy,food_and_drink,{},{},{},{i} Quay Street",
                300 + i * 100,
                54.97 + 0.01 * f64::from(i),
                -1.61 + 0.01 * f64::from(i)
            )
        })
        .collect();
    rows.push("FAR,Far Hall,retail,shop,5000,57.6,-3.9,Far Away".into());
    let (status, _) = import(&app, &ctsa, csv(&rows.iter().map(String::as_str).collect::<Vec<_>>())).await;
    assert_eq!(status, 201);

    let adviser = json!({"name": "Alex CTSA", "kind": "ctsa", "base_latitude": 54.98, "base_longitude": -1.6,
                         "hours": 10, "travel_km": 40, "sectors": ["night_time_economy", "retail"]});
    assert_eq!(app.send_as(&staff, Method::POST, "/api/v1/advisers", adviser.clone()).await.0, 403);
    for (field, value, status) in [
        ("kind", json!("ctxa"), 422),
        ("base_latitude", json!(91), 422),
        ("base_longitude", json!(-200), 422),
        ("hours", json!(-1), 422),
        ("travel_km", json!(0), 422),
        ("sectors", json!(["pubs"]), 422),
        ("hours", json!("ten"), 400),
    ] {
        let mut bad = adviser.clone();
        bad[field] = value;
        let (s, b) = app.send_as(&ctsa, Method::POST, "/api/v1/advisers", bad).await;
        assert_eq!(s, status, "{field}: {b}");
        if s == 422 {
            assert_eq!(b["error"]["field"], field, "{b}");
        }
    }
    let (s, a) = app.send_as(&da, Method::POST, "/api/v1/advisers", adviser).await;
    assert_eq!(s, 201, "{a}");
    let alex = a["id"].as_str().unwrap().to_string();
    let (_, list) = app.get_as(&staff, "/api/v1/advisers").await;
    assert_eq!(list["total"], 1);

    let (s, b) = app
        .send_as(
            &ctsa,
            Method::POST,
            "/api/v1/allocation/runs",
            json!({"period_start": "2027-06-30", "period_end": "2027-04-01"}),
        )
        .await;
    assert_eq!((s, b["error"]["field"].as_str()), (422, Some("period_end")), "{b}");
    let (s, b) = app
        .send_as(
            &ctsa,
            Method::POST,
            "/api/v1/allocation/runs",
            json!({"period_start": "first of April", "period_end": "2027-04-01"}),
        )
        .await;
    assert_eq!((s, b["error"]["field"].as_str()), (422, Some("period_start")), "{b}");
    assert_eq!(
        app.send_as(
            &staff,
            Method::POST,
            "/api/v1/allocation/runs",
            json!({"period_start": "2027-04-01", "period_end": "2027-06-30"})
        )
        .await
        .0,
        403
    );
    let (s, run) = app
        .send_as(
            &ctsa,
            Method::POST,
            "/api/v1/allocation/runs",
            json!({"period_start": "2027-04-01", "period_end": "2027-06-30"}),
        )
        .await;
    assert_eq!(s, 201, "{run}");
    for k in ["id", "objective", "upper_bound", "gap", "places_allocated", "seconds"] {
        assert!(run.get(k).is_some(), "{k} in {run}");
    }
    let id = run["id"].as_str().unwrap();
    let (objective, bound) = (run["objective"].as_f64().unwrap(), run["upper_bound"].as_f64().unwrap());
    assert!(objective > 0.0 && bound + 1e-6 >= objective, "{run}");
    // 10 hours and 3-hour visits (night-time economy, standard): three places.
    assert_eq!(run["places_allocated"], 3, "{run}");

    // The instance is exactly what was solved: its hash is the run's, and the
    // assignments keep every rule on it.
    let res = app
        .client
        .get(app.url(&format!("/api/v1/allocation/runs/{id}/instance")))
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap();
    let bytes = res.bytes().await.unwrap();
    assert_eq!(
        cordon_domain::plan::sha256_hex(std::str::from_utf8(&bytes).unwrap()),
        run["instance_sha256"].as_str().unwrap()
    );
    let instance: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(instance["places"].as_array().unwrap().len(), 13);
    let mut inst = Instance::default();
    let mut place_index = std::collections::HashMap::new();
    for (k, p) in instance["places"].as_array().unwrap().iter().enumerate() {
        place_index.insert(p["id"].as_str().unwrap().to_string(), k);
        let f = |n: &str| p[n].as_f64().unwrap() as f32;
        inst.push_place(f("score"), f("hours"), f("latitude"), f("longitude"));
    }
    let mut adviser_index = std::collections::HashMap::new();
    for (k, a) in instance["advisers"].as_array().unwrap().iter().enumerate() {
        adviser_index.insert(a["id"].as_str().unwrap().to_string(), k as u16);
        let f = |n: &str| a[n].as_f64().unwrap() as f32;
        inst.push_adviser(f("hours"), f("travel_km"), f("latitude"), f("longitude"));
    }
    let (_, page1) = app.get_as(&staff, &format!("/api/v1/allocation/runs/{id}/assignments?limit=2")).await;
    let (_, page2) = app.get_as(&staff, &format!("/api/v1/allocation/runs/{id}/assignments?limit=2&offset=2")).await;
    assert_eq!((page1["total"].clone(), page1["items"].as_array().unwrap().len()), (json!(3), 2));
    let mut chosen = vec![NONE; inst.places()];
    for a in page1["items"].as_array().unwrap().iter().chain(page2["items"].as_array().unwrap()) {
        chosen[place_index[a["place_id"].as_str().unwrap()]] = adviser_index[a["adviser_id"].as_str().unwrap()];
    }
    let checked = check(&inst, &chosen).unwrap();
    assert!((checked - objective).abs() < 1e-3, "{checked} vs {objective}");

    // Each place says why, in words.
    let (_, places) = app.get_as(&staff, "/api/v1/places?limit=100").await;
    let by_ref = |r: &str| {
        places["items"].as_array().unwrap().iter().find(|p| p["reference"] == r).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let far = by_ref("FAR");
    let (s, r) = app.get_as(&staff, &format!("/api/v1/allocation/runs/{id}/places/{far}")).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["allocated"], false);
    assert!(r["reason"].as_str().unwrap().contains("no adviser's base is within their travel distance"), "{r}");
    assert!(r["breakdown"]["words"].as_array().unwrap().len() >= 3, "{r}");
    let mut left_out = 0;
    for i in 0..12 {
        let pid = by_ref(&format!("N{i:02}"));
        let (_, r) = app.get_as(&staff, &format!("/api/v1/allocation/runs/{id}/places/{pid}")).await;
        let reason = r["reason"].as_str().unwrap();
        assert!(reason.starts_with("Ranked "), "{reason}");
        if r["allocated"] == true {
            assert_eq!(r["adviser_id"], alex.as_str());
            assert!(reason.contains("allocated to Alex CTSA"), "{reason}");
        } else {
            left_out += 1;
            assert!(reason.contains("every adviser within 40 km had used their hours by rank"), "{reason}");
            assert!(reason.contains("Alex CTSA"), "{reason}");
        }
    }
    assert_eq!(left_out, 9);
    assert_eq!(app.get_as(&staff, &format!("/api/v1/allocation/runs/{id}/places/nope")).await.0, 404);
    assert_eq!(app.get_as(&staff, "/api/v1/allocation/runs/nope/assignments").await.0, 404);

    // The pages: the run, the adviser's schedule, a place's reason.
    let (_, b) = app.sign_in("pc@force.example", crate::common::PASSWORD, None).await;
    let html = app.page(&b, &format!("/allocation/{id}")).await.text().await.unwrap();
    assert!(html.contains("Proven upper bound") && html.contains("Alex CTSA"), "{html}");
    let html = app.page(&b, &format!("/allocation/{id}/advisers/{alex}")).await.text().await.unwrap();
    assert!(html.contains("3 of 3 shown"), "{html}");
    let html = app.page(&b, &format!("/places/{far}")).await.text().await.unwrap();
    assert!(html.contains("Not allocated in the latest run"), "{html}");
}

#[test]
fn the_command_line_exports_a_run_as_mps() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(TestDb::new());
    let store = rt.block_on(db.store());
    let actor = cordon_store::Actor::system();
    let sys = cordon_store::records::Caller::System(&actor);
    rt.block_on(store.places().import_rows(&actor, cordon_store::places::demo::demo_rows())).unwrap();
    rt.block_on(store.places().add_adviser(
        sys,
        &actor,
        cordon_domain::places::Adviser {
            id: String::new(),
            name: "Sam".into(),
            kind: cordon_domain::places::AdviserKind::Ctaa,
            base_latitude: 54.9,
            base_longitude: -1.6,
            hours: 60.0,
            travel_km: 30.0,
            sectors: vec![],
        },
    ))
    .unwrap();
    let day = cordon_domain::reference::parse_date("2027-04-01").unwrap();
    let run = rt.block_on(store.places().run_allocation(sys, &actor, day, day)).unwrap();
    assert!(run.places_allocated > 0 && run.upper_bound >= run.objective);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run.mps");
    let o = db.cordon(&["allocation", "export", "--run", &run.id, "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mps = std::fs::read_to_string(&out).unwrap();
    assert!(mps.starts_with("NAME cordon_allocation") && mps.trim_end().ends_with("ENDATA"));
    assert!(mps.contains(" L a0") && mps.contains("rhs a0 60"), "{}", &mps[..400.min(mps.len())]);
    let o = db.cordon(&["allocation", "export", "--run", "nope", "--out", out.to_str().unwrap()]);
    assert!(!o.status.success() && stderr(&o).contains("no allocation run"), "{}", stderr(&o));
}

/// A register of four known places, a CTSA (token and signed-in browser) and
/// a member of staff (token): the ids by reference.
struct Register {
    app: TestApp,
    ctsa: String,
    staff: String,
    ids: std::collections::HashMap<String, String>,
}

async fn register() -> Register {
    let app = TestApp::spawn().await;
    let ctsa = app.user("ctsa@force.example", "Force", &[Role::SecurityAdviser], Clearance::Sc).await;
    let staff = app.user("pc@force.example", "Force", &[Role::Staff], Clearance::Sc).await;
    let (ctsa, staff) = (app.token(&ctsa).await, app.token(&staff).await);
    let rows = [
        "R1,Northtown Arena,stadiums_and_arenas,sports_ground,12000,54.97,-1.61,1 Arena Way",
        "R2,Northtown Ground,stadiums_and_arenas,sports_ground,900,54.98,-1.60,2 Ground Road",
        "R3,Market Hall,retail,shop,300,54.96,-1.62,3 Market Place",
        "R4,Corner Shop,retail,shop,100,51.50,-0.12,4 Strand",
    ];
    let (status, b) = import(&app, &ctsa, csv(&rows)).await;
    assert_eq!(status, 201, "{b}");
    let (_, list) = app.get_as(&staff, "/api/v1/places?limit=100").await;
    let ids = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["reference"].as_str().unwrap().to_string(), p["id"].as_str().unwrap().to_string()))
        .collect();
    Register { app, ctsa, staff, ids }
}

async fn form_post(app: &TestApp, b: &crate::common::Browser, path: &str, pairs: &[(&str, &str)]) -> reqwest::Response {
    let csrf = app.csrf(b).await;
    let mut form: Vec<(String, String)> = vec![("csrf_token".into(), csrf)];
    form.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    app.client.post(app.url(path)).header("cookie", b.cookie()).form(&form).send().await.unwrap()
}

async fn run(app: &TestApp, token: &str) -> Value {
    let (s, run) = app
        .send_as(
            token,
            reqwest::Method::POST,
            "/api/v1/allocation/runs",
            json!({"period_start": "2027-04-01", "period_end": "2027-06-30"}),
        )
        .await;
    assert_eq!(s, 201, "{run}");
    run
}

async fn add_adviser(app: &TestApp, token: &str, name: &str, lat: f64, lon: f64, hours: f64, km: f64) -> String {
    let (s, a) = app
        .send_as(
            token,
            reqwest::Method::POST,
            "/api/v1/advisers",
            json!({"name": name, "kind": "ctsa", "base_latitude": lat, "base_longitude": lon,
                   "hours": hours, "travel_km": km, "sectors": []}),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    a["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn each_place_has_a_duty_checklist_with_who_and_when_and_it_feeds_the_score() {
    use reqwest::Method;
    let Register { app, ctsa, staff, ids } = register().await;
    let (arena, hall) = (&ids["R1"], &ids["R3"]);
    let (s, list) = app.get_as(&staff, &format!("/api/v1/places/{arena}/duties")).await;
    assert_eq!(s, 200, "{list}");
    let duties: Vec<&str> = list["items"].as_array().unwrap().iter().map(|d| d["duty"].as_str().unwrap()).collect();
    assert_eq!(
        duties,
        [
            "notify_sia",
            "public_protection_procedures",
            "public_protection_measures",
            "security_document",
            "designated_senior_individual"
        ]
    );
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["status"] == "not_started" && d["recorded_by"].is_null()));
    let (_, standard) = app.get_as(&staff, &format!("/api/v1/places/{hall}/duties")).await;
    assert_eq!(standard["total"], 2, "{standard}");
    let (_, out) = app.get_as(&staff, &format!("/api/v1/places/{}/duties", ids["R4"])).await;
    assert_eq!(out["total"], 0, "out of scope: no duties");

    add_adviser(&app, &ctsa, "Alex CTSA", 54.97, -1.6, 100.0, 40.0).await;
    let before = run(&app, &ctsa).await;
    let (_, r0) =
        app.get_as(&staff, &format!("/api/v1/allocation/runs/{}/places/{arena}", before["id"].as_str().unwrap())).await;
    let words = r0["breakdown"]["words"][1].as_str().unwrap();
    assert!(words.contains("5 of its 5 Martyn's Law duties are not recorded as met"), "{r0}");

    // Recording a status: only managers, only a duty of the place's tier, only a known status.
    let put = |place: &str, duty: &str| format!("/api/v1/places/{place}/duties/{duty}");
    assert_eq!(app.send_as(&staff, Method::PUT, &put(arena, "notify_sia"), json!({"status": "met"})).await.0, 403);
    let (s, b) = app.send_as(&ctsa, Method::PUT, &put(arena, "notify_sia"), json!({"status": "done"})).await;
    assert_eq!((s, b["error"]["field"].as_str()), (422, Some("status")), "{b}");
    let (s, b) = app.send_as(&ctsa, Method::PUT, &put(hall, "security_document"), json!({"status": "met"})).await;
    assert_eq!((s, b["error"]["field"].as_str()), (422, Some("duty")), "{b}");
    assert!(b["error"]["message"].as_str().unwrap().contains("does not apply to Market Hall"), "{b}");
    assert_eq!(app.send_as(&ctsa, Method::PUT, &put("no-such", "notify_sia"), json!({"status": "met"})).await.0, 404);
    for duty in ["notify_sia", "public_protection_procedures", "security_document"] {
        let (s, d) = app.send_as(&ctsa, Method::PUT, &put(arena, duty), json!({"status": "met"})).await;
        assert_eq!((s, d["status"].as_str()), (200, Some("met")), "{d}");
        assert_eq!(d["recorded_by"], "Test ctsa@force.example");
        assert!(d["recorded_at"].as_str().is_some_and(|t| t.contains('T')), "{d}");
    }
    let (_, d) = app
        .send_as(&ctsa, Method::PUT, &put(arena, "public_protection_measures"), json!({"status": "in_progress"}))
        .await;
    assert_eq!(d["status"], "in_progress");
    let journal = app.db.sql("SELECT COUNT(*) FROM journal WHERE kind = 'place_duty_recorded'").await.unwrap();
    assert_eq!(journal[0].int(0), 4);
    // The same status again records nothing new.
    app.send_as(&ctsa, Method::PUT, &put(arena, "notify_sia"), json!({"status": "met"})).await;
    let journal = app.db.sql("SELECT COUNT(*) FROM journal WHERE kind = 'place_duty_recorded'").await.unwrap();
    assert_eq!(journal[0].int(0), 4);

    // The score counts the duties not met: two of five now, and lower than before.
    let after = run(&app, &ctsa).await;
    let (_, r1) =
        app.get_as(&staff, &format!("/api/v1/allocation/runs/{}/places/{arena}", after["id"].as_str().unwrap())).await;
    assert!(
        r1["breakdown"]["words"][1]
            .as_str()
            .unwrap()
            .contains("2 of its 5 Martyn's Law duties are not recorded as met"),
        "{r1}"
    );
    assert!(r1["score"].as_f64().unwrap() < r0["score"].as_f64().unwrap(), "{r0} {r1}");
    assert!(r1["breakdown"]["vulnerability"].as_f64().unwrap() < r0["breakdown"]["vulnerability"].as_f64().unwrap());

    // The pages: the place shows its checklist with who and when; the change page saves them.
    let (_, b) = app.sign_in("ctsa@force.example", crate::common::PASSWORD, None).await;
    let html = app.page(&b, &format!("/places/{arena}")).await.text().await.unwrap();
    assert!(html.contains("Duty checklist") && html.contains("By Test ctsa@force.example"), "{html}");
    assert!(html.contains(&format!("href=\"/places/{arena}/duties\"")), "{html}");
    let page = app.page(&b, &format!("/places/{hall}/duties")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("name=\"status-notify_sia\"") && !html.contains("status-security_document"), "{html}");
    let res = form_post(&app, &b, &format!("/places/{hall}/duties"), &[("status-notify_sia", "met")]).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("There is a problem") && html.contains("Choose a status for public protection procedures"),
        "{html}"
    );
    assert!(html.contains("value=\"met\" checked"), "what was chosen is kept: {html}");
    let res = form_post(
        &app,
        &b,
        &format!("/places/{hall}/duties"),
        &[("status-notify_sia", "met"), ("status-public_protection_procedures", "in_progress")],
    )
    .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(res.headers()["location"], format!("/places/{hall}?saved=duties"));
    let html = app.page(&b, &format!("/places/{hall}?saved=duties")).await.text().await.unwrap();
    assert!(html.contains("The duty statuses were saved.") && html.contains("In progress"), "{html}");
    let (_, pc) = app.sign_in("pc@force.example", crate::common::PASSWORD, None).await;
    assert_eq!(app.page(&pc, &format!("/places/{hall}/duties")).await.status(), 403);
    let html = app.page(&pc, &format!("/places/{hall}")).await.text().await.unwrap();
    assert!(!html.contains("Change the duty statuses"), "staff are not offered the change");
}

#[tokio::test]
async fn a_ctsa_flags_a_place_with_a_reason_and_the_flag_raises_its_threat() {
    use reqwest::Method;
    let Register { app, ctsa, staff, ids } = register().await;
    let hall = &ids["R3"];
    let flag = format!("/api/v1/places/{hall}/flag");
    let (s, f) = app.get_as(&staff, &flag).await;
    assert_eq!((s, f["flagged"].clone()), (200, json!(false)), "{f}");
    add_adviser(&app, &ctsa, "Alex CTSA", 54.97, -1.6, 100.0, 40.0).await;
    let before = run(&app, &ctsa).await;
    let result = |run: &Value| format!("/api/v1/allocation/runs/{}/places/{hall}", run["id"].as_str().unwrap());
    let (_, r0) = app.get_as(&staff, &result(&before)).await;

    assert_eq!(app.send_as(&staff, Method::PUT, &flag, json!({"reason": "Reconnaissance"})).await.0, 403);
    let (s, b) = app.send_as(&ctsa, Method::PUT, &flag, json!({"reason": "  "})).await;
    assert_eq!((s, b["error"]["field"].as_str()), (422, Some("reason")), "{b}");
    let (s, f) = app.send_as(&ctsa, Method::PUT, &flag, json!({"reason": "Hostile reconnaissance reported"})).await;
    assert_eq!(s, 200, "{f}");
    assert_eq!((f["flagged"].clone(), f["reason"].clone()), (json!(true), json!("Hostile reconnaissance reported")));
    assert_eq!(f["flagged_by"], "Test ctsa@force.example");
    let after = run(&app, &ctsa).await;
    let (_, r1) = app.get_as(&staff, &result(&after)).await;
    assert!(r1["breakdown"]["words"][0].as_str().unwrap().contains("a CTSA has flagged this place"), "{r1}");
    assert!(r1["breakdown"]["threat"].as_f64().unwrap() > r0["breakdown"]["threat"].as_f64().unwrap(), "{r0} {r1}");
    assert!(r1["score"].as_f64().unwrap() > r0["score"].as_f64().unwrap());

    let res = app.client.delete(app.url(&format!("{flag}?reason=Resolved"))).bearer_auth(&ctsa).send().await.unwrap();
    assert_eq!(res.status(), 204);
    let res = app.client.delete(app.url(&flag)).bearer_auth(&ctsa).send().await.unwrap();
    assert_eq!(res.status(), 409, "not flagged any more");
    assert_eq!(app.get_as(&staff, &flag).await.1["flagged"], false);
    let kinds = app.db.sql("SELECT kind FROM journal WHERE stream LIKE 'place/%' ORDER BY seq").await.unwrap();
    assert_eq!(kinds.iter().map(|r| r.text(0)).collect::<Vec<_>>(), ["place_flagged", "place_flag_cleared"]);

    // The pages: flag from the place page, see it there, clear it on a confirmation page.
    let (_, b) = app.sign_in("ctsa@force.example", crate::common::PASSWORD, None).await;
    let html = app.page(&b, &format!("/places/{hall}")).await.text().await.unwrap();
    assert!(html.contains("Not flagged") && html.contains(&format!("href=\"/places/{hall}/flag\"")), "{html}");
    let res = form_post(&app, &b, &format!("/places/{hall}/flag"), &[("reason", "")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Enter why the place is flagged"));
    let res =
        form_post(&app, &b, &format!("/places/{hall}/flag"), &[("reason", "Suspicious behaviour at the doors")]).await;
    assert_eq!(res.headers()["location"], format!("/places/{hall}?saved=flag"));
    let html = app.page(&b, &format!("/places/{hall}?saved=flag")).await.text().await.unwrap();
    assert!(html.contains("The flag was recorded.") && html.contains("Suspicious behaviour at the doors"), "{html}");
    assert!(html.contains("Change or clear the flag"), "{html}");
    let html = app.page(&b, &format!("/places/{hall}/flag/clear")).await.text().await.unwrap();
    assert!(html.contains("Clear the flag on Market Hall") && html.contains("Suspicious behaviour"), "{html}");
    let res = form_post(&app, &b, &format!("/places/{hall}/flag/clear"), &[("reason", "Spoke to the manager")]).await;
    assert_eq!(res.headers()["location"], format!("/places/{hall}?saved=unflagged"));
    let html = app.page(&b, &format!("/places/{hall}")).await.text().await.unwrap();
    assert!(html.contains("Not flagged"), "{html}");
    let (_, pc) = app.sign_in("pc@force.example", crate::common::PASSWORD, None).await;
    assert_eq!(app.page(&pc, &format!("/places/{hall}/flag")).await.status(), 403);

    // A visit is recorded on a page of its own, reached from the place page.
    assert!(
        html.contains(&format!("href=\"/places/{hall}/visits/new\"")) && !html.contains("Record the visit"),
        "{html}"
    );
    let page = app.page(&b, &format!("/places/{hall}/visits/new")).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Significant vulnerabilities remain"));
    let res = form_post(&app, &b, &format!("/places/{hall}/visits"), &[("on", "yesterday"), ("outcome", "good")]).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("There is a problem") && html.contains("Enter the day of the visit as a date"), "{html}");
    assert!(html.contains("value=\"good\" checked"), "what was chosen is kept: {html}");
    let on = cordon_domain::reference::format_date(app.store.today());
    let res =
        form_post(&app, &b, &format!("/places/{hall}/visits"), &[("on", &on), ("outcome", "actions_agreed")]).await;
    assert_eq!(res.headers()["location"], format!("/places/{hall}?saved=visit"));
    let html = app.page(&b, &format!("/places/{hall}?saved=visit")).await.text().await.unwrap();
    assert!(html.contains("The visit was recorded.") && html.contains("improvements agreed"), "{html}");
    assert_eq!(app.page(&pc, &format!("/places/{hall}/visits/new")).await.status(), 403);
}

#[tokio::test]
async fn the_place_page_links_its_advice_pack_and_the_self_check_keeps_the_sector() {
    let Register { app, ids, .. } = register().await;
    let arena = &ids["R1"];
    let (_, b) = app.sign_in("pc@force.example", crate::common::PASSWORD, None).await;
    let html = app.page(&b, &format!("/places/{arena}")).await.text().await.unwrap();
    let link = "/martyns-law/advice-pack.pdf?use=sports_ground&capacity=12000&responsible=organisation&sector=stadiums_and_arenas";
    assert!(html.contains(&link.replace('&', "&#38;")), "{html}");
    let res = app.get(link).await;
    assert_eq!(res.status(), 200);
    let pdf = crate::check::check_pdf(&res.bytes().await.unwrap(), "OFFICIAL", "Self-service");
    assert!(pdf.text.contains("Guidance for stadiums and arenas"), "{}", pdf.text);

    let html = app
        .get("/martyns-law?use=food_and_drink&capacity=850&responsible=organisation&sector=night_time_economy")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("advice-pack.pdf?use=food_and_drink&#38;capacity=850&#38;responsible=organisation&#38;sector=night_time_economy"),
        "{html}"
    );
    assert!(html.contains("<option value=\"night_time_economy\" selected>"), "{html}");
    let html = app.get("/martyns-law?use=shop&capacity=850&responsible=organisation").await.text().await.unwrap();
    assert!(html.contains("responsible=organisation\""), "no sector, no sector in the link: {html}");
    let bad = app.get("/martyns-law?use=shop&capacity=850&responsible=organisation&sector=casinos").await;
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("Select the sector from the list"));
}

async fn coverage(app: &TestApp, token: &str) -> Vec<(String, [i64; 4])> {
    let (s, c) = app.get_as(token, "/api/v1/places/coverage").await;
    assert_eq!(s, 200, "{c}");
    c["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                format!("{}/{}", r["sector"].as_str().unwrap(), r["region"].as_str().unwrap()),
                [
                    r["places"].as_i64().unwrap(),
                    r["visited_12_months"].as_i64().unwrap(),
                    r["high_score_not_visited"].as_i64().unwrap(),
                    r["enhanced_duties_unmet"].as_i64().unwrap(),
                ],
            )
        })
        .collect()
}

#[tokio::test]
async fn coverage_counts_a_small_known_register_in_json_csv_and_on_the_page() {
    use reqwest::Method;
    let Register { app, ctsa, staff, ids } = register().await;
    let today = app.store.today();
    let day = |days: i64| cordon_domain::reference::format_date(today - time::Duration::days(days));
    // The arena visited a month ago; the hall over a year ago.
    for (r, d, o) in [("R1", 30, "good"), ("R3", 400, "poor")] {
        let (s, b) = app
            .send_as(
                &ctsa,
                Method::POST,
                &format!("/api/v1/places/{}/visits", ids[r]),
                json!({"on": day(d), "outcome": o}),
            )
            .await;
        assert_eq!(s, 201, "{b}");
    }
    let mut got = coverage(&app, &staff).await;
    got.sort();
    assert_eq!(
        got,
        [
            ("retail/london".to_string(), [1, 0, 0, 0]),
            ("retail/north_east".to_string(), [1, 0, 0, 0]),
            ("stadiums_and_arenas/north_east".to_string(), [2, 1, 0, 2]),
        ]
    );
    // Every duty of the ground met; an allocation run gives the scores.
    for d in [
        "notify_sia",
        "public_protection_procedures",
        "public_protection_measures",
        "security_document",
        "designated_senior_individual",
    ] {
        let (s, _) = app
            .send_as(&ctsa, Method::PUT, &format!("/api/v1/places/{}/duties/{d}", ids["R2"]), json!({"status": "met"}))
            .await;
        assert_eq!(s, 200);
    }
    add_adviser(&app, &ctsa, "Alex CTSA", 54.97, -1.6, 100.0, 40.0).await;
    let r = run(&app, &ctsa).await;
    let mut high = std::collections::HashMap::new();
    let mut scores = [("R1", 0.0), ("R2", 0.0), ("R3", 0.0), ("R4", 0.0)];
    for (k, (reference, visited)) in [("R1", true), ("R2", false), ("R3", false), ("R4", false)].into_iter().enumerate()
    {
        let (_, p) = app
            .get_as(&staff, &format!("/api/v1/allocation/runs/{}/places/{}", r["id"].as_str().unwrap(), ids[reference]))
            .await;
        let score = p["score"].as_f64().unwrap();
        scores[k].1 = score;
        high.insert(reference, i64::from(!visited && score >= 60.0));
    }
    let want = vec![
        ("retail/london".to_string(), [1, 0, high["R4"], 0]),
        ("retail/north_east".to_string(), [1, 0, high["R3"], 0]),
        ("stadiums_and_arenas/north_east".to_string(), [2, 1, high["R2"], 1]),
    ];
    let mut got = coverage(&app, &staff).await;
    got.sort();
    assert_eq!(got, want);
    assert_eq!(high["R2"], 1, "a never-visited 900-person ground scores highly: {high:?}");

    // The register filters by the latest run's score.
    let (_, all) = app.get_as(&staff, "/api/v1/places?min_score=0").await;
    assert_eq!(all["total"], 4);
    let (_, sixty) = app.get_as(&staff, "/api/v1/places?min_score=60").await;
    let scores = std::collections::HashMap::from(scores);
    let want_60: Vec<&str> = {
        let mut v: Vec<&str> = scores.iter().filter(|(_, s)| **s >= 60.0).map(|(r, _)| *r).collect();
        v.sort();
        v
    };
    let got_60: Vec<&str> =
        sixty["items"].as_array().unwrap().iter().map(|p| p["reference"].as_str().unwrap()).collect();
    assert_eq!(got_60, want_60, "{sixty}");
    for bad in ["101", "lots", "-1"] {
        let (s, b) = app.get_as(&staff, &format!("/api/v1/places?min_score={bad}")).await;
        assert_eq!((s, b["error"]["field"].as_str()), (400, Some("min_score")), "{bad}: {b}");
    }

    // The CSV says the same.
    let res = app.client.get(app.url("/api/v1/places/coverage.csv")).bearer_auth(&staff).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = res.text().await.unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.remove(0), "sector,region,places,visited_12_months,high_score_not_visited,enhanced_duties_unmet");
    lines.sort();
    let mut want_csv: Vec<String> =
        want.iter().map(|(k, v)| format!("{},{},{},{},{}", k.replace('/', ","), v[0], v[1], v[2], v[3])).collect();
    want_csv.sort();
    assert_eq!(lines, want_csv);

    // The page, with its totals row.
    let (_, b) = app.sign_in("pc@force.example", crate::common::PASSWORD, None).await;
    let html = app.page(&b, "/places/coverage").await.text().await.unwrap();
    let total_high = high["R2"] + high["R3"] + high["R4"];
    let totals = html.split("All sectors").nth(1).unwrap();
    for (label, n) in [
        ("Places", 4),
        ("Visited in 12 months", 1),
        ("High score, not visited", total_high),
        ("Enhanced, duties not met", 1),
    ] {
        assert!(totals.contains(&format!("data-label=\"{label}\">{n}</td>")), "{label} {n}: {totals}");
    }
    assert!(html.contains("Stadiums and arenas") && html.contains("North East"), "{html}");
    let res = app.page(&b, "/places?min_score=lots").await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("Lowest score must be a number from 0 to 100"));
    let html = app.page(&b, "/places?min_score=60").await.text().await.unwrap();
    assert!(html.contains(&format!("Places 1 to {} of {}", want_60.len(), want_60.len())), "{html}");
    assert!(html.contains("min_score=60"), "the CSV download keeps the filter: {html}");
    assert_eq!(app.get_as(&staff, "/api/v1/places/coverage").await.0, 200);
    assert_eq!(app.get("/api/v1/places/coverage").await.status(), 401);
}

/// The demo's register and one adviser (a run over them takes tens of milliseconds).
async fn demo_register(app: &TestApp) {
    let actor = cordon_store::Actor::system();
    let sys = cordon_store::records::Caller::System(&actor);
    app.store.places().import_rows(&actor, cordon_store::places::demo::demo_rows()).await.unwrap();
    app.store
        .places()
        .add_adviser(
            sys,
            &actor,
            cordon_domain::places::Adviser {
                id: String::new(),
                name: "Sam".into(),
                kind: cordon_domain::places::AdviserKind::Ctaa,
                base_latitude: 54.9,
                base_longitude: -1.6,
                hours: 60.0,
                travel_km: 30.0,
                sectors: vec![],
            },
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn starting_a_run_has_its_own_timeout_so_a_national_run_can_finish() {
    // Every other request has a 1 ns limit; starting a run still answers 201.
    let config = cordon_web::Config { request_timeout: std::time::Duration::from_nanos(1), ..Default::default() };
    let app = TestApp::spawn_with(config).await;
    let ctsa = app.user("ctsa@force.example", "Force", &[Role::SecurityAdviser], Clearance::Sc).await;
    demo_register(&app).await;
    let token = app.token(&ctsa).await;
    let r = run(&app, &token).await;
    for k in ["id", "objective", "upper_bound", "gap", "places_allocated", "seconds"] {
        assert!(r.get(k).is_some(), "{k} in {r}");
    }

    // And the run's own limit applies to it.
    let config = cordon_web::Config { run_timeout: std::time::Duration::from_nanos(1), ..Default::default() };
    let app = TestApp::spawn_with(config).await;
    let ctsa = app.user("ctsa@force.example", "Force", &[Role::SecurityAdviser], Clearance::Sc).await;
    demo_register(&app).await;
    let token = app.token(&ctsa).await;
    let (s, _) = app
        .send_as(
            &token,
            reqwest::Method::POST,
            "/api/v1/allocation/runs",
            json!({"period_start": "2027-04-01", "period_end": "2027-06-30"}),
        )
        .await;
    assert_eq!(s, 408);
    assert_eq!(app.get_as(&token, "/api/v1/places").await.0, 200);

    // Which requests have the run's timeout: starting a run (API or form), nothing else.
    // (A 1 ns limit on other requests is not tested by timing: tokio's timer
    // rounds up to a millisecond, within which a quick request can finish.)
    use reqwest::Method;
    assert!(cordon_web::starts_a_run(&Method::POST, "/api/v1/allocation/runs"));
    assert!(cordon_web::starts_a_run(&Method::POST, "/allocation"));
    for (m, path) in [
        (Method::GET, "/api/v1/allocation/runs"),
        (Method::GET, "/allocation"),
        (Method::POST, "/api/v1/places/import"),
        (Method::POST, "/api/v1/allocation/runs/x"),
        (Method::GET, "/api/v1/places"),
    ] {
        assert!(!cordon_web::starts_a_run(&m, path), "{m} {path}");
    }
}

#[test]
fn the_command_line_runs_an_allocation_and_prints_its_figures() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(TestDb::new());
    let store = rt.block_on(db.store());
    let actor = cordon_store::Actor::system();
    let sys = cordon_store::records::Caller::System(&actor);
    rt.block_on(store.places().import_rows(&actor, cordon_store::places::demo::demo_rows())).unwrap();
    let out = db.cordon(&["allocation", "run", "--period-start", "2027-04-01", "--period-end", "2027-06-30"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("Add at least one adviser"), "{}", stderr(&out));
    rt.block_on(store.places().add_adviser(
        sys,
        &actor,
        cordon_domain::places::Adviser {
            id: String::new(),
            name: "Sam".into(),
            kind: cordon_domain::places::AdviserKind::Ctaa,
            base_latitude: 54.9,
            base_longitude: -1.6,
            hours: 60.0,
            travel_km: 30.0,
            sectors: vec![],
        },
    ))
    .unwrap();
    let out = db.cordon(&["allocation", "run", "--period-start", "2027-06-30", "--period-end", "2027-04-01"]);
    assert!(!out.status.success() && stderr(&out).contains("--period-end"), "{}", stderr(&out));
    let out = db.cordon(&["allocation", "run", "--period-start", "1 April", "--period-end", "2027-04-01"]);
    assert!(!out.status.success() && stderr(&out).contains("--period-start"), "{}", stderr(&out));
    let out = db.cordon(&["allocation", "run", "--period-start", "2027-04-01", "--period-end", "2027-06-30"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let value = |label: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{label}: ")))
            .unwrap_or_else(|| panic!("{label} in {text}"))
            .to_string()
    };
    let id = value("id");
    let rows = rt
        .block_on(
            db.sql(&format!("SELECT objective, upper_bound, places_allocated FROM allocation_runs WHERE id = '{id}'")),
        )
        .unwrap();
    assert_eq!(rows.len(), 1, "the run is recorded: {text}");
    let objective: f64 = value("objective").parse().unwrap();
    let bound: f64 = value("upper bound").parse().unwrap();
    assert!(objective > 0.0 && bound + 1e-3 >= objective, "{text}");
    assert!(value("gap").ends_with('%'), "{text}");
    let allocated: u64 = value("places allocated").split(' ').next().unwrap().parse().unwrap();
    assert_eq!(allocated as i64, rows[0].int(2), "{text}");
    assert!(value("seconds").parse::<f64>().unwrap() >= 0.0);
}

#[tokio::test]
async fn on_the_heuristic_path_every_left_out_place_s_reason_is_true_of_the_solution() {
    use cordon_domain::places::allocation::{density_order, Instance, NONE};
    let app = TestApp::spawn().await;
    let ctsa = app.user("ctsa@force.example", "Force", &[Role::SecurityAdviser], Clearance::Sc).await;
    let ctsa = app.token(&ctsa).await;
    // Sixty places within reach (more than the exact search's 40), of
    // sectors and tiers whose visits take different hours.
    let kinds = [
        ("night_time_economy", "food_and_drink"),
        ("retail", "shop"),
        ("visitor_attractions", "museum"),
        ("hotels", "hotel"),
        ("stadiums_and_arenas", "sports_ground"),
    ];
    let mut state = 7u64;
    let mut next = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 33) % 1000) as f64 / 1000.0
    };
    let rows: Vec<String> = (0..60)
        .map(|i| {
            let (sector, use_) = kinds[i % kinds.len()];
            let cap = 200 + (next() * 3000.0) as u64;
            format!(
                "H{i:02},Place {i},{sector},{use_},{cap},{:.4},{:.4},{i} Road",
                54.9 + 0.15 * next(),
                -1.7 + 0.2 * next()
            )
        })
        .collect();
    let (s, b) = import(&app, &ctsa, csv(&rows.iter().map(String::as_str).collect::<Vec<_>>())).await;
    assert_eq!(s, 201, "{b}");
    add_adviser(&app, &ctsa, "Alex CTSA", 54.95, -1.62, 21.0, 40.0).await;
    add_adviser(&app, &ctsa, "Bo CTAA", 55.0, -1.58, 13.0, 30.0).await;
    let r = run(&app, &ctsa).await;
    let id = r["id"].as_str().unwrap();

    // The instance and the solution, rebuilt from the API.
    let bytes = app
        .client
        .get(app.url(&format!("/api/v1/allocation/runs/{id}/instance")))
        .bearer_auth(&ctsa)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let instance: Value = serde_json::from_slice(&bytes).unwrap();
    let mut inst = Instance::default();
    let mut place_ids = Vec::new();
    for p in instance["places"].as_array().unwrap() {
        let f = |n: &str| p[n].as_f64().unwrap() as f32;
        inst.push_place(f("score"), f("hours"), f("latitude"), f("longitude"));
        place_ids.push(p["id"].as_str().unwrap().to_string());
    }
    let mut adviser_ids = Vec::new();
    for a in instance["advisers"].as_array().unwrap() {
        let f = |n: &str| a[n].as_f64().unwrap() as f32;
        inst.push_adviser(f("hours"), f("travel_km"), f("latitude"), f("longitude"));
        adviser_ids.push(a["id"].as_str().unwrap().to_string());
    }
    let el = inst.eligibility();
    let reachable = (0..inst.places()).filter(|&i| !el.of(i).is_empty()).count();
    assert!(reachable > cordon_domain::places::allocation::EXACT_PLACES, "{reachable} places within reach");
    let (_, all) = app.get_as(&ctsa, &format!("/api/v1/allocation/runs/{id}/assignments?limit=100")).await;
    let mut adviser = vec![NONE; inst.places()];
    for a in all["items"].as_array().unwrap() {
        let i = place_ids.iter().position(|p| p == a["place_id"].as_str().unwrap()).unwrap();
        adviser[i] = adviser_ids.iter().position(|x| x == a["adviser_id"].as_str().unwrap()).unwrap() as u16;
    }
    cordon_domain::places::allocation::check(&inst, &adviser).unwrap();
    let mut rank = vec![0u32; inst.places()];
    for (k, &i) in density_order(&inst).iter().enumerate() {
        rank[i as usize] = k as u32 + 1;
    }
    let names = ["Alex CTSA", "Bo CTAA"];
    let mut left_out = 0;
    for i in 0..inst.places() {
        if adviser[i] != NONE {
            continue;
        }
        left_out += 1;
        let (_, res) = app.get_as(&ctsa, &format!("/api/v1/allocation/runs/{id}/places/{}", place_ids[i])).await;
        let reason = res["reason"].as_str().unwrap();
        assert_eq!(res["allocated"], false);
        let h = f64::from(inst.hours[i]);
        for &j in el.of(i) {
            let j = j as usize;
            let used: f64 =
                (0..inst.places()).filter(|&k| adviser[k] as usize == j).map(|k| f64::from(inst.hours[k])).sum();
            assert!(used + h > f64::from(inst.adviser_hours[j]) + 1e-6, "an adviser in reach had the hours: {reason}");
            assert!(reason.contains(names[j]), "{reason}");
        }
        if let Some(rest) = reason.split("had used their hours by rank ").nth(1) {
            let by: u32 = rest.split(", leaving").next().unwrap().replace(',', "").parse().unwrap();
            assert!(by < rank[i], "{reason}");
            for &j in el.of(i) {
                for k in (0..inst.places()).filter(|&k| adviser[k] == j) {
                    assert!(rank[k] <= by, "a visit of rank {} after {by}: {reason}", rank[k]);
                }
            }
        } else if !el.of(i).is_empty() {
            assert!(reason.contains("has less than the"), "{reason}");
        } else {
            assert!(reason.contains("no adviser's base is within their travel distance"), "{reason}");
        }
    }
    assert!(left_out > 0, "the hours are tight enough to leave places out");
}

#[tokio::test]
async fn an_individual_responsible_for_enhanced_premises_has_no_senior_individual_to_designate() {
    use reqwest::Method;
    let Register { app, ctsa, staff, ids } = register().await;
    let arena = &ids["R1"];
    let responsible = format!("/api/v1/places/{arena}/responsible");
    let duty_ids =
        |v: &Value| v["duties"].as_array().unwrap().iter().map(|d| d.as_str().unwrap().to_string()).collect::<Vec<_>>();
    let (_, before) = app.get_as(&staff, &format!("/api/v1/places/{arena}")).await;
    assert_eq!((before["responsible"].as_str(), before["responsible_name"].as_str()), (Some("organisation"), Some("")));
    assert!(duty_ids(&before).contains(&"designated_senior_individual".to_string()));
    let unmet = |c: Vec<(String, [i64; 4])>| c.iter().map(|(_, v)| v[3]).sum::<i64>();
    let base = unmet(coverage(&app, &staff).await);
    assert_eq!(base, 2, "the arena and the ground are enhanced, with nothing met");

    // Bad input names the field and changes nothing; staff may not record it.
    let journal = || async { app.db.sql("SELECT COUNT(*) FROM journal").await.unwrap()[0].int(0) };
    let start = journal().await;
    let (s, b) = app.send_as(&ctsa, Method::PUT, &responsible, json!({"name": "Sam Owner", "kind": "person"})).await;
    assert_eq!((s, b["error"]["field"].as_str()), (422, Some("kind")), "{b}");
    let (s, b) = app.send_as(&ctsa, Method::PUT, &responsible, json!({"name": "  ", "kind": "individual"})).await;
    assert_eq!((s, b["error"]["field"].as_str()), (422, Some("name")), "{b}");
    assert_eq!(
        app.send_as(&staff, Method::PUT, &responsible, json!({"name": "Sam", "kind": "individual"})).await.0,
        403
    );
    assert_eq!(
        app.send_as(
            &ctsa,
            Method::PUT,
            "/api/v1/places/no-such/responsible",
            json!({"name": "Sam", "kind": "individual"})
        )
        .await
        .0,
        404
    );
    assert_eq!(journal().await, start);

    // An individual: four duties, not five; the checklist and the coverage follow.
    let (s, p) =
        app.send_as(&ctsa, Method::PUT, &responsible, json!({"name": "Sam Owner", "kind": "individual"})).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!((p["responsible"].as_str(), p["responsible_name"].as_str()), (Some("individual"), Some("Sam Owner")));
    assert!(!duty_ids(&p).contains(&"designated_senior_individual".to_string()), "{p}");
    assert_eq!(duty_ids(&p).len(), 4);
    let (_, list) = app.get_as(&staff, &format!("/api/v1/places/{arena}/duties")).await;
    assert_eq!(list["total"], 4, "{list}");
    for duty in ["notify_sia", "public_protection_procedures", "public_protection_measures", "security_document"] {
        let (s, _) = app
            .send_as(&ctsa, Method::PUT, &format!("/api/v1/places/{arena}/duties/{duty}"), json!({"status": "met"}))
            .await;
        assert_eq!(s, 200);
    }
    assert_eq!(unmet(coverage(&app, &staff).await), base - 1, "every duty of an individual is met");
    // The same again records nothing; an organisation owes the designation again.
    let now = journal().await;
    app.send_as(&ctsa, Method::PUT, &responsible, json!({"name": "Sam Owner", "kind": "individual"})).await;
    assert_eq!(journal().await, now);
    let (_, p) = app
        .send_as(&ctsa, Method::PUT, &responsible, json!({"name": "Arena Holdings Ltd", "kind": "organisation"}))
        .await;
    assert!(duty_ids(&p).contains(&"designated_senior_individual".to_string()));
    assert_eq!(unmet(coverage(&app, &staff).await), base);

    // The page: the place says who, the form asks and keeps what was typed.
    let (_, b) = app.sign_in("ctsa@force.example", crate::common::PASSWORD, None).await;
    let html = app.page(&b, &format!("/places/{arena}")).await.text().await.unwrap();
    assert!(
        html.contains("Arena Holdings Ltd (an organisation)")
            && html.contains(&format!("href=\"/places/{arena}/responsible\"")),
        "{html}"
    );
    let res = form_post(&app, &b, &format!("/places/{arena}/responsible"), &[("name", "Sam Owner")]).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Choose whether an individual or an organisation is responsible")
            && html.contains("value=\"Sam Owner\""),
        "{html}"
    );
    let res =
        form_post(&app, &b, &format!("/places/{arena}/responsible"), &[("name", "Sam Owner"), ("kind", "individual")])
            .await;
    assert_eq!(res.headers()["location"], format!("/places/{arena}?saved=responsible"));
    let html = app.page(&b, &format!("/places/{arena}?saved=responsible")).await.text().await.unwrap();
    assert!(html.contains("Sam Owner (an individual)") && !html.contains("Designated senior individual"), "{html}");
    let (_, pc) = app.sign_in("pc@force.example", crate::common::PASSWORD, None).await;
    assert_eq!(app.page(&pc, &format!("/places/{arena}/responsible")).await.status(), 403);
}
