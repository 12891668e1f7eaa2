//! Security coordinators (SECO) over HTTP: the roster's rank rules and
//! national capacity, deployment requests with the three criteria, the
//! deployment authority's discussion, Gold's appointment or decline with
//! every refusal, one SECO per event, suggestions, pages and the policy record.

use crate::common::TestApp;
use cordon_domain::identity::{Clearance, Role};
use reqwest::Method;
use serde_json::{json, Value};

struct F {
    app: TestApp,
    /// The force's security coordinator (makes events and requests).
    secco: String,
    gold: String,
    /// The deployment authority of the CTSU (another organisation).
    da: String,
    /// Someone of another organisation with no part in it.
    outsider: String,
    /// The account of a coordinator on the CTSU's roster (a member of the CTSU's staff).
    whitfield: String,
    /// Another strategic commander of the force, who may become the event's Gold.
    gold2: String,
}

async fn fixture() -> F {
    let app = TestApp::spawn().await;
    let secco = app.user("secco@force.example", "Force", &[Role::SecurityCoordinator], Clearance::Sc).await;
    let gold = app.user("gold@force.example", "Force", &[Role::StrategicCommander], Clearance::Sc).await;
    let gold2 = app.user("gold2@force.example", "Force", &[Role::StrategicCommander], Clearance::Sc).await;
    let admin = app.user("admin@force.example", "Force", &[Role::Administrator], Clearance::Sc).await;
    app.second_factor(&admin).await;
    let da = app.user("supt@ctsu.example", "CTSU", &[Role::DeploymentAuthority], Clearance::Sc).await;
    let whitfield = app.user("whitfield@ctsu.example", "CTSU", &[Role::Staff], Clearance::Sc).await;
    let outsider = app.user("pc@elsewhere.example", "Elsewhere", &[Role::StrategicCommander], Clearance::Sc).await;
    let admin = app.token(&admin).await;
    let (status, v) = app
        .send_as(&admin, Method::PUT, "/api/v1/seco-settings/ctsu", json!({"ctsu_organisation_id": da.organisation_id}))
        .await;
    assert_eq!(status, 200, "{v}");
    F {
        secco: app.token(&secco).await,
        gold: app.token(&gold).await,
        da: app.token(&da).await,
        outsider: app.token(&outsider).await,
        whitfield: app.token(&whitfield).await,
        gold2: app.token(&gold2).await,
        app,
    }
}

impl F {
    async fn event(&self, name: &str, starts: &str, ends: &str, with_gold: bool) -> String {
        let (status, e) = self
            .app
            .send_as(
                &self.secco,
                Method::POST,
                "/api/v1/events",
                json!({"name": name, "kind": "sporting", "starts_at": starts, "ends_at": ends,
                       "venues": [{"name": "Civic Square", "address": "NS1"}], "expected_attendance": 40000,
                       "marking": "OFFICIAL"}),
            )
            .await;
        assert_eq!(status, 201, "{e}");
        let id = e["id"].as_str().unwrap().to_string();
        if with_gold {
            let (status, v) = self
                .app
                .send_as(
                    &self.secco,
                    Method::PUT,
                    &format!("/api/v1/events/{id}/commanders"),
                    json!({"gold_email": "gold@force.example"}),
                )
                .await;
            assert_eq!(status, 200, "{v}");
        }
        id
    }

    async fn seco(&self, name: &str, rank: &str, passed: Option<&str>, roles: Value, status: &str) -> (u16, Value) {
        self.app
            .send_as(
                &self.da,
                Method::POST,
                "/api/v1/secos",
                json!({"name": name, "rank": rank, "course_passed_on": passed, "prior_roles": roles, "status": status}),
            )
            .await
    }

    async fn id_of(&self, name: &str, rank: &str, passed: Option<&str>, roles: Value, status: &str) -> String {
        let (s, v) = self.seco(name, rank, passed, roles, status).await;
        assert_eq!(s, 201, "{v}");
        v["id"].as_str().unwrap().to_string()
    }

    async fn request(&self, event: &str) -> String {
        let (status, r) =
            self.app.send_as(&self.secco, Method::POST, "/api/v1/deployment-requests", request(event)).await;
        assert_eq!(status, 201, "{r}");
        assert_eq!(r["status"], "submitted");
        r["id"].as_str().unwrap().to_string()
    }

    async fn discuss(&self, id: &str) {
        let (status, v) = self
            .app
            .send_as(
                &self.da,
                Method::POST,
                &format!("/api/v1/deployment-requests/{id}/discussion"),
                json!({"held_on": yesterday(), "notes": "Talked it through with Gold", "recommendation": "appoint"}),
            )
            .await;
        assert_eq!(status, 201, "{v}");
    }

    async fn appoint(&self, token: &str, id: &str, body: Value) -> (u16, Value) {
        self.app.send_as(token, Method::POST, &format!("/api/v1/deployment-requests/{id}/appointment"), body).await
    }

    async fn roster_len(&self) -> usize {
        self.app.get_as(&self.da, "/api/v1/secos").await.1["items"].as_array().unwrap().len()
    }
}

fn yesterday() -> String {
    (cordon_store::today() - time::Duration::days(1)).to_string()
}

fn request(event: &str) -> Value {
    json!({"event_id": event, "reason": "40,000 people across the city centre",
           "criteria": {
               "scale_and_complexity": {"met": true, "rationale": "Two venues and a closed route"},
               "multi_agency_threat": {"met": false, "rationale": "No specific threat"},
               "protocol_or_national_interest": {"met": false, "rationale": "No protected persons"}}})
}

#[tokio::test]
async fn the_roster_keeps_the_rank_rules_and_the_national_capacity() {
    let f = fixture().await;
    let (status, v) =
        f.seco("Dana Whitfield", "superintendent", Some("2020-01-15"), json!(["polsc"]), "qualified").await;
    assert_eq!(status, 201, "{v}");
    assert!(v["id"].is_string());
    // Ranks below Inspector, and ranks outside the list, are refused naming `rank`; nothing is added.
    for rank in ["sergeant", "constable", "commander"] {
        let (status, v) = f.seco("PS Low", rank, None, json!([]), "candidate").await;
        assert_eq!(status, 422, "{rank}: {v}");
        assert_eq!(v["error"]["field"], "rank");
    }
    let (status, v) = f.seco("Someone", "inspector", None, json!([]), "retired").await;
    assert_eq!((status, v["error"]["field"].as_str()), (422, Some("status")), "{v}");
    let (status, v) = f.seco("Someone", "inspector", None, json!(["firearms"]), "candidate").await;
    assert_eq!((status, v["error"]["field"].as_str()), (422, Some("prior_roles")), "{v}");
    assert_eq!(f.roster_len().await, 1, "nothing changed by refusals");

    // Four qualified is the default capacity; a fifth is refused naming `status`, with the reason.
    let recent = (cordon_store::today() - time::Duration::days(30)).to_string();
    for name in ["B", "C", "D"] {
        f.id_of(name, "chief_inspector", Some(&recent), json!([]), "qualified").await;
    }
    let (status, v) = f.seco("E", "chief_inspector", Some(&recent), json!([]), "qualified").await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["error"]["field"], "status");
    assert!(v["error"]["message"].as_str().unwrap().contains("national capacity is 4"), "{v}");
    // A candidate is not counted; making them qualified is refused the same way.
    let e = f.id_of("E", "chief_inspector", None, json!([]), "candidate").await;
    let (app, da) = (&f.app, &f.da);
    let qualify = || {
        let body = json!({"name": "E", "rank": "chief_inspector", "course_passed_on": recent, "status": "qualified"});
        let path = format!("/api/v1/secos/{e}");
        async move { app.send_as(da, Method::PUT, &path, body).await }
    };
    let (status, v) = qualify().await;
    assert_eq!((status, v["error"]["field"].as_str()), (422, Some("status")), "{v}");
    // The capacity is configurable.
    let (status, _) =
        f.app.send_as(&f.da, Method::PUT, "/api/v1/seco-settings/capacity", json!({"national_capacity": 5})).await;
    assert_eq!(status, 200);
    let (status, v) = qualify().await;
    assert_eq!(status, 200, "{v}");

    // The list gives each annual review's due date and whether it is overdue.
    let (_, list) = f.app.get_as(&f.da, "/api/v1/secos").await;
    let whitfield = list["items"].as_array().unwrap().iter().find(|s| s["name"] == "Dana Whitfield").unwrap();
    assert_eq!(whitfield["annual_review_due"], "2021-01-15");
    assert_eq!(whitfield["review_overdue"], true);
    let b = list["items"].as_array().unwrap().iter().find(|s| s["name"] == "B").unwrap();
    assert_eq!(b["review_overdue"], false);
    // A review puts the next one a year on.
    let id = whitfield["id"].as_str().unwrap();
    let (status, v) = f
        .app
        .send_as(
            &f.da,
            Method::POST,
            &format!("/api/v1/secos/{id}/notes"),
            json!({"kind": "annual_review", "on": yesterday(), "text": "Competent"}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    let (_, one) = f.app.get_as(&f.da, &format!("/api/v1/secos/{id}")).await;
    assert_eq!(one["review_overdue"], false);
    assert!(one["annual_review_due"].as_str().unwrap() > cordon_store::today().to_string().as_str());

    // Only a deployment authority keeps the roster.
    let (status, _) = f
        .app
        .send_as(
            &f.secco,
            Method::POST,
            "/api/v1/secos",
            json!({"name": "X", "rank": "inspector", "status": "candidate"}),
        )
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_request_is_discussed_then_gold_appoints_one_seco_per_event() {
    let f = fixture().await;
    let supt = f.id_of("Dana Whitfield", "superintendent", Some("2024-01-15"), json!(["polsc"]), "qualified").await;
    // Give the Superintendent an account, so that appointment puts them on the event's team.
    let (status, v) = f
        .app
        .send_as(
            &f.da,
            Method::PUT,
            &format!("/api/v1/secos/{supt}"),
            json!({"name": "Dana Whitfield", "user_email": "whitfield@ctsu.example", "rank": "superintendent",
                   "course_passed_on": "2024-01-15", "prior_roles": ["polsc"], "status": "qualified"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let ci = f.id_of("Morgan Lee", "chief_inspector", Some("2024-02-01"), json!(["polsa"]), "qualified").await;
    let insp = f.id_of("Sam Patel", "inspector", Some("2024-03-01"), json!([]), "qualified").await;
    let trainee = f.id_of("Alex Okafor", "chief_inspector", None, json!([]), "in_training").await;

    // A request for an event without a Gold is refused naming `event_id`.
    let no_gold = f.event("Fun run", "2030-05-01T08:00:00Z", "2030-05-01T12:00:00Z", false).await;
    let (status, v) = f.app.send_as(&f.secco, Method::POST, "/api/v1/deployment-requests", request(&no_gold)).await;
    assert_eq!((status, v["error"]["field"].as_str()), (422, Some("event_id")), "{v}");
    let (status, v) = f.app.send_as(&f.secco, Method::POST, "/api/v1/deployment-requests", request("nope")).await;
    assert_eq!((status, v["error"]["field"].as_str()), (422, Some("event_id")), "{v}");

    let marathon = f.event("City Marathon", "2030-04-26T07:30:00Z", "2030-04-26T16:00:00Z", true).await;
    // Criteria without a rationale; none met without an override.
    let mut bad = request(&marathon);
    bad["criteria"]["multi_agency_threat"] = json!({"met": false});
    let (status, v) = f.app.send_as(&f.secco, Method::POST, "/api/v1/deployment-requests", bad).await;
    assert_eq!((status, v["error"]["field"].as_str()), (422, Some("criteria.multi_agency_threat.rationale")), "{v}");
    let mut none = request(&marathon);
    none["criteria"]["scale_and_complexity"]["met"] = json!(false);
    let (status, v) = f.app.send_as(&f.secco, Method::POST, "/api/v1/deployment-requests", none.clone()).await;
    assert_eq!((status, v["error"]["field"].as_str()), (422, Some("override_reason")), "{v}");
    let (_, list) = f.app.get_as(&f.da, "/api/v1/deployment-requests").await;
    assert_eq!(list["total"], 0, "nothing recorded by refusals");

    let id = f.request(&marathon).await;
    let (_, r) = f.app.get_as(&f.da, &format!("/api/v1/deployment-requests/{id}")).await;
    assert_eq!(r["event_name"], "City Marathon");
    assert_eq!(r["addressed_to"], "CTSU", "addressed to the force's configured CTSU");
    assert_eq!(r["gold_name"], "Test gold@force.example");
    assert_eq!(r["criteria"]["scale_and_complexity"]["rationale"], "Two venues and a closed route");
    // Someone with no part in it is told it does not exist.
    assert_eq!(f.app.get_as(&f.outsider, &format!("/api/v1/deployment-requests/{id}")).await.0, 404);

    // Gold cannot appoint before a discussion is recorded.
    let (status, v) = f.appoint(&f.gold, &id, json!({"seco_id": supt})).await;
    assert_eq!(status, 409, "{v}");
    // Only the deployment authority records the discussion.
    let path = format!("/api/v1/deployment-requests/{id}/discussion");
    let talk =
        json!({"held_on": yesterday(), "notes": "Agreed", "recommendation": "appoint", "proposed_seco_id": supt});
    assert_eq!(f.app.send_as(&f.gold, Method::POST, &path, talk.clone()).await.0, 403);
    let tomorrow = (cordon_store::today() + time::Duration::days(1)).to_string();
    for (body, field) in [
        (json!({"held_on": tomorrow, "notes": "x", "recommendation": "appoint"}), "held_on"),
        (json!({"held_on": yesterday(), "notes": "x", "recommendation": "maybe"}), "recommendation"),
        (
            json!({"held_on": yesterday(), "notes": "x", "recommendation": "appoint", "proposed_seco_id": "nobody"}),
            "proposed_seco_id",
        ),
    ] {
        let (status, v) = f.app.send_as(&f.da, Method::POST, &path, body).await;
        assert_eq!((status, v["error"]["field"].as_str()), (422, Some(field)), "{v}");
    }
    let (_, r) = f.app.get_as(&f.da, &format!("/api/v1/deployment-requests/{id}")).await;
    assert_eq!(r["status"], "submitted", "nothing changed by refusals");
    let (status, r) = f.app.send_as(&f.da, Method::POST, &path, talk).await;
    assert_eq!(status, 201, "{r}");
    assert_eq!(r["status"], "under_discussion");

    // Suggestions: in rank order, each with reasons; the trainee left out with why.
    let (status, s) = f.app.get_as(&f.gold, &format!("/api/v1/deployment-requests/{id}/suggestions")).await;
    assert_eq!(status, 200, "{s}");
    let names: Vec<&str> = s["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Dana Whitfield", "Morgan Lee", "Sam Patel"]);
    assert_eq!(s["items"][0]["seco_id"], supt.as_str());
    assert_eq!(s["items"][2]["rank"], "inspector");
    assert!(s["items"][2]["reasons"].to_string().contains("in extremis"), "{s}");
    assert_eq!(s["excluded"][0]["seco_id"], trainee.as_str());
    assert!(s["excluded"][0]["reasons"][0].as_str().unwrap().contains("in training"), "{s}");

    // Only the event's Gold appoints; bad ids, Inspectors without justification, trainees are refused.
    assert_eq!(f.appoint(&f.da, &id, json!({"seco_id": supt})).await.0, 403);
    assert_eq!(f.appoint(&f.secco, &id, json!({"seco_id": supt})).await.0, 403);
    let (status, v) = f.appoint(&f.gold, &id, json!({"seco_id": "nobody"})).await;
    assert_eq!((status, v["error"]["field"].as_str()), (422, Some("seco_id")), "{v}");
    let (status, v) = f.appoint(&f.gold, &id, json!({"seco_id": insp})).await;
    assert_eq!((status, v["error"]["field"].as_str()), (422, Some("justification")), "{v}");
    let (status, v) = f.appoint(&f.gold, &id, json!({"seco_id": trainee})).await;
    assert_eq!(status, 409, "{v}");
    let (status, r) = f.appoint(&f.gold, &id, json!({"seco_id": supt})).await;
    assert_eq!(status, 201, "{r}");
    assert_eq!(r["status"], "appointed");
    assert_eq!(r["seco_name"], "Dana Whitfield");
    let steps: Vec<&str> = r["steps"].as_array().unwrap().iter().map(|s| s["what"].as_str().unwrap()).collect();
    assert_eq!(steps, ["Request submitted", "Discussion recorded", "SECO appointed"]);

    // The SECO joins the event's team, and the plan shows who the SECO is.
    let (_, e) = f.app.get_as(&f.secco, &format!("/api/v1/events/{marathon}")).await;
    assert!(e.to_string().contains("whitfield@ctsu.example"), "the SECO is on the team: {e}");
    let (_, b) = f.app.sign_in("secco@force.example", crate::common::PASSWORD, None).await;
    let html = f.app.page(&b, &format!("/events/{marathon}/plan")).await.text().await.unwrap();
    assert!(html.contains("Security coordinator (SECO): Superintendent Dana Whitfield"), "the plan names the SECO");

    // One SECO per event: a second request for the marathon cannot appoint another while the first stands.
    let second = f.request(&marathon).await;
    f.discuss(&second).await;
    let (status, v) = f.appoint(&f.gold, &second, json!({"seco_id": ci})).await;
    assert_eq!(status, 409, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("only one SECO"), "{v}");

    // An overlapping event cannot have the same SECO; another coordinator is fine.
    let carnival = f.event("Carnival", "2030-04-26T12:00:00Z", "2030-04-27T01:00:00Z", true).await;
    let third = f.request(&carnival).await;
    f.discuss(&third).await;
    let (status, v) = f.appoint(&f.gold, &third, json!({"seco_id": supt})).await;
    assert_eq!(status, 409, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("City Marathon"), "{v}");
    let (_, s) = f.app.get_as(&f.gold, &format!("/api/v1/deployment-requests/{third}/suggestions")).await;
    let busy = s["excluded"].as_array().unwrap().iter().find(|e| e["seco_id"] == supt.as_str()).unwrap();
    assert!(busy["reasons"][0].as_str().unwrap().contains("City Marathon"), "{s}");
    let (status, v) =
        f.appoint(&f.gold, &third, json!({"seco_id": insp, "justification": "No Chief Inspector is free"})).await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["justification"], "No Chief Inspector is free");

    // Standing down needs a reason; then the marathon's second request may appoint.
    let down = format!("/api/v1/deployment-requests/{id}/stand-down");
    let (status, v) = f.app.send_as(&f.gold, Method::POST, &down, json!({"reason": " "})).await;
    assert_eq!((status, v["error"]["field"].as_str()), (422, Some("reason")), "{v}");
    let (status, v) = f.app.send_as(&f.gold, Method::POST, &down, json!({"reason": "Off sick"})).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["status"], "stood_down");
    let (status, v) = f.appoint(&f.gold, &second, json!({"seco_id": ci})).await;
    assert_eq!(status, 201, "{v}");
}

#[tokio::test]
async fn gold_declines_with_reasons_and_a_home_office_force_appoints_its_own() {
    let f = fixture().await;
    let parade = f.event("Parade", "2030-11-10T10:00:00Z", "2030-11-10T13:00:00Z", true).await;
    let mut body = request(&parade);
    body["criteria"]["scale_and_complexity"]["met"] = json!(false);
    body["override_reason"] = json!("The organisers asked");
    body["gold_force"] = json!("Metropolitan Police Service");
    let (status, r) = f.app.send_as(&f.secco, Method::POST, "/api/v1/deployment-requests", body).await;
    assert_eq!(status, 201, "{r}");
    assert!(r["appointed_by"].as_str().unwrap().starts_with("Metropolitan Police Service holds the Gold command"));
    let id = r["id"].as_str().unwrap().to_string();
    let decline = format!("/api/v1/deployment-requests/{id}/decline");
    // Not before a discussion; Gold only; a reason is needed.
    assert_eq!(f.app.send_as(&f.gold, Method::POST, &decline, json!({"reason": "Small"})).await.0, 409);
    f.discuss(&id).await;
    assert_eq!(f.app.send_as(&f.da, Method::POST, &decline, json!({"reason": "Small"})).await.0, 403);
    assert_eq!(f.app.send_as(&f.outsider, Method::POST, &decline, json!({"reason": "Small"})).await.0, 404);
    let (status, v) = f.app.send_as(&f.gold, Method::POST, &decline, json!({})).await;
    assert_eq!((status, v["error"]["field"].as_str()), (422, Some("reason")), "{v}");
    let (status, r) = f.app.send_as(&f.gold, Method::POST, &decline, json!({"reason": "No criterion is met"})).await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["status"], "declined");
    assert_eq!(r["decision_reason"], "No criterion is met");
    assert_eq!(r["decided_by"], "Test gold@force.example");
    // Decided: no more discussion or decision.
    let (status, _) = f
        .app
        .send_as(
            &f.da,
            Method::POST,
            &format!("/api/v1/deployment-requests/{id}/discussion"),
            json!({"held_on": yesterday(), "notes": "x", "recommendation": "appoint"}),
        )
        .await;
    assert_eq!(status, 409);

    // Whoever made a request, or Gold, may withdraw it while it is open, with a reason.
    let again = f.request(&parade).await;
    let withdraw = format!("/api/v1/deployment-requests/{again}/withdrawal");
    assert_eq!(f.app.send_as(&f.outsider, Method::POST, &withdraw, json!({"reason": "x"})).await.0, 404);
    assert_eq!(f.app.send_as(&f.da, Method::POST, &withdraw, json!({"reason": "x"})).await.0, 403);
    let (status, r) = f.app.send_as(&f.secco, Method::POST, &withdraw, json!({"reason": "Asked twice"})).await;
    assert_eq!((status, r["status"].as_str()), (200, Some("withdrawn")), "{r}");
    assert_eq!(f.app.send_as(&f.gold, Method::POST, &withdraw, json!({"reason": "x"})).await.0, 409);

    // The pages: the deployment authority's dashboard and the request's decision page in words.
    let (_, b) = f.app.sign_in("supt@ctsu.example", crate::common::PASSWORD, None).await;
    let html = f.app.page(&b, "/seco").await.text().await.unwrap();
    assert!(html.contains("Parade") && html.contains("0 of 4 qualified SECOs"), "{html}");
    let page = f.app.page(&b, &format!("/seco/requests/{id}")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for words in ["No protected persons", "Not met", "No criterion is met", "The organisers asked", "Declined"] {
        assert!(html.contains(words), "the decision page should say {words:?}");
    }
    assert_eq!(f.app.page(&b, "/seco/requests/nope").await.status(), 404);
}

#[tokio::test]
async fn the_deployment_authority_works_through_the_pages() {
    let f = fixture().await;
    let (_, b) = f.app.sign_in("supt@ctsu.example", crate::common::PASSWORD, None).await;
    let csrf = f.app.csrf(&b).await;
    let post = |path: String, form: Vec<(&'static str, String)>| {
        let (client, url, cookie) = (f.app.client.clone(), f.app.url(&path), b.cookie());
        async move { client.post(url).header("cookie", cookie).form(&form).send().await.unwrap() }
    };
    // Adding a Sergeant is refused with the message beside the field.
    let res = post(
        "/seco/roster".into(),
        vec![
            ("csrf_token", csrf.clone()),
            ("name", "PS Low".into()),
            ("rank", "sergeant".into()),
            ("status", "candidate".into()),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("not eligible"));
    let res = post(
        "/seco/roster".into(),
        vec![
            ("csrf_token", csrf.clone()),
            ("name", "Dana Whitfield".into()),
            ("rank", "superintendent".into()),
            ("status", "qualified".into()),
            ("course_passed_on", "2024-01-15".into()),
            ("prior_roles", "polsc".into()),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let roster = f.app.page(&b, "/seco/roster").await.text().await.unwrap();
    assert!(roster.contains("Dana Whitfield") && roster.contains("1 of 4 qualified"), "{roster}");

    // A request from the force; the discussion through its page, a future date refused.
    let event = f.event("City Marathon", "2030-04-26T07:30:00Z", "2030-04-26T16:00:00Z", true).await;
    let id = f.request(&event).await;
    let tomorrow = (cordon_store::today() + time::Duration::days(1)).to_string();
    let form = |held: String| {
        vec![
            ("csrf_token", csrf.clone()),
            ("held_on", held),
            ("notes", "Agreed with Gold".to_string()),
            ("recommendation", "appoint".to_string()),
        ]
    };
    let res = post(format!("/seco/requests/{id}/discussion"), form(tomorrow)).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("cannot be in the future"));
    let res = post(format!("/seco/requests/{id}/discussion"), form(yesterday())).await;
    assert_eq!(res.status(), 303);
    let html = f.app.page(&b, &format!("/seco/requests/{id}")).await.text().await.unwrap();
    assert!(html.contains("Agreed with Gold") && html.contains("Under discussion"), "{html}");
}

#[tokio::test]
async fn the_sop_is_a_policy_record_whose_overdue_review_is_flagged() {
    let f = fixture().await;
    let body = json!({"reference": "SOP/228/10", "title": "SECO SOP", "owner": "ACC Protective Services",
                      "start_date": "2010-08-10", "review_interval_months": 12, "next_review": "2011-08-31"});
    let (status, p) = f.app.send_as(&f.da, Method::POST, "/api/v1/policies", body.clone()).await;
    assert_eq!(status, 201, "{p}");
    assert_eq!(p["review_overdue"], true);
    let mut bad = body.clone();
    bad["start_date"] = json!("2010-02-30");
    let (status, v) = f.app.send_as(&f.da, Method::POST, "/api/v1/policies", bad).await;
    assert_eq!((status, v["error"]["field"].as_str()), (422, Some("start_date")), "{v}");
    assert_eq!(f.app.send_as(&f.secco, Method::POST, "/api/v1/policies", body).await.0, 403);
    let id = p["id"].as_str().unwrap();
    let (status, p) = f
        .app
        .send_as(&f.da, Method::POST, &format!("/api/v1/policies/{id}/reviews"), json!({"reviewed_on": yesterday()}))
        .await;
    assert_eq!(status, 201, "{p}");
    assert_eq!(p["review_overdue"], false);
    assert_eq!(p["last_reviewed"], yesterday());
    let (_, list) = f.app.get_as(&f.secco, "/api/v1/policies").await;
    assert_eq!(list["total"], 1);
}

#[tokio::test]
async fn the_demo_has_the_marathon_appointed_and_the_parade_declined() {
    let app = TestApp::spawn().await;
    app.store.demo().seed_demo().await.unwrap();
    let (_, b) = app.sign_in("ctsu@ctp-north.police.example", cordon_store::demo::DEMO_PASSWORD, None).await;
    let html = app.page(&b, "/seco").await.text().await.unwrap();
    for words in [
        "Northshire City Marathon",
        "SECO appointed",
        "Remembrance Sunday parade",
        "Declined",
        "4 of 4",
        "Overdue",
        "SOP/228/10",
        "Review overdue",
        "SECO, London East area",
    ] {
        assert!(html.contains(words), "the demo dashboard should say {words:?}");
    }
    let (_, g) = app.sign_in("gold@northshire.police.example", cordon_store::demo::DEMO_PASSWORD, None).await;
    let html = app.page(&g, "/seco").await.text().await.unwrap();
    assert!(html.contains("Northshire City Marathon"), "Gold sees the requests for their events");
}

/// Posts a form to a page as the signed-in browser `b`.
async fn post_form(app: &TestApp, b: &crate::common::Browser, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    app.client.post(app.url(path)).header("cookie", b.cookie()).form(form).send().await.unwrap()
}

#[tokio::test]
async fn decline_stand_down_and_withdrawal_each_confirm_on_a_page_of_their_own() {
    let f = fixture().await;
    let supt = f.id_of("Dana Whitfield", "superintendent", Some("2024-01-15"), json!([]), "qualified").await;
    let event = f.event("Parade", "2030-11-10T10:00:00Z", "2030-11-10T13:00:00Z", true).await;
    let declined = f.request(&event).await;
    f.discuss(&declined).await;
    let (_, g) = f.app.sign_in("gold@force.example", crate::common::PASSWORD, None).await;
    let csrf = f.app.csrf(&g).await;
    let status_of = |id: String| {
        let (app, gold) = (&f.app, f.gold.clone());
        async move { app.get_as(&gold, &format!("/api/v1/deployment-requests/{id}")).await.1["status"].clone() }
    };

    // The request page links to the decline page, which says what will happen.
    let html = f.app.page(&g, &format!("/seco/requests/{declined}")).await.text().await.unwrap();
    assert!(html.contains(&format!("/seco/requests/{declined}/decline")) && html.contains("withdrawal"), "{html}");
    let page = f.app.page(&g, &format!("/seco/requests/{declined}/decline")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("no SECO is appointed for this event") && html.contains("Decline the request"), "{html}");
    // No reason: the page again, naming the field, and nothing changed.
    let path = format!("/seco/requests/{declined}/decline");
    let res = post_form(&f.app, &g, &path, &[("csrf_token", &csrf), ("reason", " ")]).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("href=\"#reason\"") && html.contains("Enter the reason a SECO is not appointed"), "{html}");
    assert_eq!(status_of(declined.clone()).await, "under_discussion");
    let res = post_form(&f.app, &g, &path, &[("csrf_token", &csrf), ("reason", "Too small")]).await;
    assert_eq!(res.status(), 303);
    let (_, r) = f.app.get_as(&f.gold, &format!("/api/v1/deployment-requests/{declined}")).await;
    assert_eq!((r["status"].as_str(), r["decision_reason"].as_str()), (Some("declined"), Some("Too small")), "{r}");

    // Stand-down: appointed over the API, stood down through its page.
    let appointed = f.request(&event).await;
    f.discuss(&appointed).await;
    assert_eq!(f.appoint(&f.gold, &appointed, json!({"seco_id": supt})).await.0, 201);
    let html = f.app.page(&g, &format!("/seco/requests/{appointed}")).await.text().await.unwrap();
    assert!(html.contains(&format!("/seco/requests/{appointed}/stand-down")), "{html}");
    let path = format!("/seco/requests/{appointed}/stand-down");
    let html = f.app.page(&g, &path).await.text().await.unwrap();
    assert!(html.contains("free for other events"), "{html}");
    let res = post_form(&f.app, &g, &path, &[("csrf_token", &csrf), ("reason", "")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Enter the reason the SECO is stood down"));
    assert_eq!(status_of(appointed.clone()).await, "appointed");
    let res = post_form(&f.app, &g, &path, &[("csrf_token", &csrf), ("reason", "Off sick")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(status_of(appointed.clone()).await, "stood_down");

    // Withdrawal by whoever made the request.
    let withdrawn = f.request(&event).await;
    let (_, s) = f.app.sign_in("secco@force.example", crate::common::PASSWORD, None).await;
    let csrf = f.app.csrf(&s).await;
    let html = f.app.page(&s, &format!("/seco/requests/{withdrawn}")).await.text().await.unwrap();
    assert!(html.contains(&format!("/seco/requests/{withdrawn}/withdrawal")), "{html}");
    let path = format!("/seco/requests/{withdrawn}/withdrawal");
    assert_eq!(f.app.page(&s, &path).await.status(), 200);
    let res = post_form(&f.app, &s, &path, &[("csrf_token", &csrf)]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Enter the reason the request is withdrawn"));
    assert_eq!(status_of(withdrawn.clone()).await, "submitted");
    let res = post_form(&f.app, &s, &path, &[("csrf_token", &csrf), ("reason", "Asked twice")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(status_of(withdrawn).await, "withdrawn");
}

#[tokio::test]
async fn a_policy_review_is_recorded_on_its_own_page() {
    let f = fixture().await;
    let body = json!({"reference": "SOP/228/10", "title": "SECO SOP", "owner": "ACC Protective Services",
                      "start_date": "2010-08-10", "review_interval_months": 12, "next_review": "2011-08-31"});
    let (status, p) = f.app.send_as(&f.da, Method::POST, "/api/v1/policies", body).await;
    assert_eq!(status, 201, "{p}");
    let id = p["id"].as_str().unwrap();
    let (_, b) = f.app.sign_in("supt@ctsu.example", crate::common::PASSWORD, None).await;
    let csrf = f.app.csrf(&b).await;
    let list = f.app.page(&b, "/policies").await.text().await.unwrap();
    let path = format!("/policies/{id}/review");
    assert!(list.contains(&path), "{list}");
    let page = f.app.page(&b, &path).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Every 12 months"));
    // No date: the page again, naming the field, and nothing changed.
    let res = post_form(&f.app, &b, &path, &[("csrf_token", &csrf), ("last_reviewed", "")]).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("href=\"#last_reviewed\"") && html.contains("The date of the review must be"), "{html}");
    let (_, list) = f.app.get_as(&f.da, "/api/v1/policies").await;
    assert_eq!(list["items"][0]["review_overdue"], true, "{list}");
    let res = post_form(&f.app, &b, &path, &[("csrf_token", &csrf), ("last_reviewed", &yesterday())]).await;
    assert_eq!(res.status(), 303);
    let (_, list) = f.app.get_as(&f.da, "/api/v1/policies").await;
    assert_eq!(
        (list["items"][0]["review_overdue"].clone(), list["items"][0]["last_reviewed"].clone()),
        (json!(false), json!(yesterday()))
    );
    // Someone who does not keep policy records sees no link and cannot record one.
    let (_, s) = f.app.sign_in("secco@force.example", crate::common::PASSWORD, None).await;
    assert!(!f.app.page(&s, "/policies").await.text().await.unwrap().contains(&path));
    let csrf = f.app.csrf(&s).await;
    let res = post_form(&f.app, &s, &path, &[("csrf_token", &csrf), ("last_reviewed", &yesterday())]).await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn the_deployment_authority_opens_a_vacancy_on_its_page() {
    let f = fixture().await;
    let (_, b) = f.app.sign_in("supt@ctsu.example", crate::common::PASSWORD, None).await;
    let csrf = f.app.csrf(&b).await;
    assert!(f.app.page(&b, "/seco").await.text().await.unwrap().contains("/seco/vacancies/new"));
    assert_eq!(f.app.page(&b, "/seco/vacancies/new").await.status(), 200);
    let vacancies = || async { f.app.get_as(&f.da, "/api/v1/seco-vacancies").await.1["total"].clone() };
    // No title, or a cost that is not an amount: the page again, naming the field, and nothing opened.
    let day = yesterday();
    let post = |title: &'static str, cost: &'static str| {
        let form = [("csrf_token", csrf.as_str()), ("title", title), ("opened_on", &day), ("course_cost", cost)];
        let (app, b) = (&f.app, &b);
        async move { post_form(app, b, "/seco/vacancies", &form).await }
    };
    let res = post("", "").await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("href=\"#title\"") && html.contains("Enter the vacancy&#39;s title"), "{html}");
    let res = post("SECO, North", "lots").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("href=\"#course_cost\""));
    assert_eq!(vacancies().await, 0);
    let res = post("SECO, North", "1250.50").await;
    assert_eq!(res.status(), 303);
    let at = res.headers()["location"].to_str().unwrap().to_string();
    let html = f.app.page(&b, &at).await.text().await.unwrap();
    assert!(html.contains("SECO, North") && html.contains("£1,250.50"), "{html}");
    assert_eq!(vacancies().await, 1);
    // Gold is no deployment authority.
    let (_, g) = f.app.sign_in("gold@force.example", crate::common::PASSWORD, None).await;
    assert_eq!(f.app.page(&g, "/seco/vacancies/new").await.status(), 403);
}

#[tokio::test]
async fn the_deployment_authority_sets_the_national_capacity_on_the_settings_page() {
    let f = fixture().await;
    let (_, b) = f.app.sign_in("supt@ctsu.example", crate::common::PASSWORD, None).await;
    let csrf = f.app.csrf(&b).await;
    assert!(f.app.page(&b, "/seco").await.text().await.unwrap().contains("href=\"/seco/settings\""));
    let html = f.app.page(&b, "/seco/settings").await.text().await.unwrap();
    assert!(html.contains("4 qualified SECOs") && !html.contains("ctsu-form"), "{html}");
    // No number: the page again, naming the field, and nothing changed.
    let res =
        post_form(&f.app, &b, "/seco/settings/capacity", &[("csrf_token", &csrf), ("national_capacity", "")]).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("href=\"#national_capacity\"") && html.contains("The national capacity must be"), "{html}");
    let res =
        post_form(&f.app, &b, "/seco/settings/capacity", &[("csrf_token", &csrf), ("national_capacity", "0")]).await;
    assert_eq!(res.status(), 422);
    assert!(f.app.page(&b, "/seco").await.text().await.unwrap().contains("0 of 4 qualified"));
    let res =
        post_form(&f.app, &b, "/seco/settings/capacity", &[("csrf_token", &csrf), ("national_capacity", "5")]).await;
    assert_eq!(res.status(), 303);
    assert!(f.app.page(&b, "/seco").await.text().await.unwrap().contains("0 of 5 qualified"));
    // The deployment authority does not name the CTSU; the requesting force's Gold has no settings.
    let res =
        post_form(&f.app, &b, "/seco/settings/ctsu", &[("csrf_token", &csrf), ("ctsu_organisation_id", "")]).await;
    assert_eq!(res.status(), 403);
    let (_, g) = f.app.sign_in("gold@force.example", crate::common::PASSWORD, None).await;
    assert_eq!(f.app.page(&g, "/seco/settings").await.status(), 403);
}

/// A coordinator with an account on the CTSU's roster: Dana Whitfield, Superintendent.
async fn whitfield_on_the_roster(f: &F) -> String {
    let (status, v) = f
        .app
        .send_as(
            &f.da,
            Method::POST,
            "/api/v1/secos",
            json!({"name": "Dana Whitfield", "user_email": "whitfield@ctsu.example", "rank": "superintendent",
                   "course_passed_on": "2024-01-15", "prior_roles": ["polsc"], "status": "qualified"}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    v["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_appointed_seco_reads_the_event_and_its_plan() {
    let f = fixture().await;
    let supt = whitfield_on_the_roster(&f).await;
    let event = f.event("City Marathon", "2030-04-26T07:30:00Z", "2030-04-26T16:00:00Z", true).await;
    let id = f.request(&event).await;
    f.discuss(&id).await;
    // Before the appointment the SECO, of the CTSU, cannot see the force's event at all.
    let plan = format!("/api/v1/events/{event}/plan");
    assert_eq!(f.app.get_as(&f.whitfield, &plan).await.0, 404);
    let (_, b) = f.app.sign_in("whitfield@ctsu.example", crate::common::PASSWORD, None).await;
    assert_eq!(f.app.page(&b, &format!("/events/{event}/plan")).await.status(), 404);

    let (status, r) = f.appoint(&f.gold, &id, json!({"seco_id": supt})).await;
    assert_eq!(status, 201, "{r}");
    // The appointment shares the event with the SECO's organisation and puts them on its team.
    let (status, e) = f.app.get_as(&f.whitfield, &format!("/api/v1/events/{event}")).await;
    assert_eq!(status, 200, "{e}");
    let (status, p) = f.app.get_as(&f.whitfield, &plan).await;
    assert_eq!(status, 200, "{p}");
    let page = f.app.page(&b, &format!("/events/{event}/plan")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Security coordinator (SECO): Superintendent Dana Whitfield"), "{html}");
    // The team lists them, marked as the event's security coordinator.
    let (_, e) = f.app.get_as(&f.secco, &format!("/api/v1/events/{event}")).await;
    assert!(e.to_string().contains("whitfield@ctsu.example"), "the SECO is on the team: {e}");
    let (_, s) = f.app.sign_in("secco@force.example", crate::common::PASSWORD, None).await;
    let html = f.app.page(&s, &format!("/events/{event}")).await.text().await.unwrap();
    let row = html.split("<tr>").find(|r| r.contains("whitfield@ctsu.example")).expect("a row for the SECO");
    assert!(row.contains("Security coordinator (SECO)"), "{row}");
    assert_eq!(html.matches("Security coordinator (SECO)</strong>").count(), 1, "only the SECO is marked");
}

#[tokio::test]
async fn standing_the_seco_down_takes_them_off_the_team_and_undoes_the_share() {
    let f = fixture().await;
    let supt = whitfield_on_the_roster(&f).await;
    let event = f.event("City Marathon", "2030-04-26T07:30:00Z", "2030-04-26T16:00:00Z", true).await;
    let id = f.request(&event).await;
    f.discuss(&id).await;
    assert_eq!(f.appoint(&f.gold, &id, json!({"seco_id": supt})).await.0, 201);
    assert_eq!(f.app.get_as(&f.whitfield, &format!("/api/v1/events/{event}")).await.0, 200);

    // Gold stands the SECO down through the confirmation page, which says they leave the team.
    let (_, g) = f.app.sign_in("gold@force.example", crate::common::PASSWORD, None).await;
    let csrf = f.app.csrf(&g).await;
    let path = format!("/seco/requests/{id}/stand-down");
    let html = f.app.page(&g, &path).await.text().await.unwrap();
    assert!(html.contains("leaves its team") && html.contains("no longer shared"), "{html}");
    let res = post_form(&f.app, &g, &path, &[("csrf_token", &csrf), ("reason", "Off sick")]).await;
    assert_eq!(res.status(), 303);

    // Off the team, and the share made only for them is taken back: the event is hidden again.
    let (_, e) = f.app.get_as(&f.secco, &format!("/api/v1/events/{event}")).await;
    assert!(!e.to_string().contains("whitfield@ctsu.example"), "the SECO has left the team: {e}");
    let (_, s) = f.app.sign_in("secco@force.example", crate::common::PASSWORD, None).await;
    let html = f.app.page(&s, &format!("/events/{event}")).await.text().await.unwrap();
    assert!(!html.contains("Security coordinator (SECO)</strong>"), "{html}");
    assert_eq!(f.app.get_as(&f.whitfield, &format!("/api/v1/events/{event}")).await.0, 404);
    assert_eq!(f.app.get_as(&f.whitfield, &format!("/api/v1/events/{event}/plan")).await.0, 404);
    let (_, r) = f.app.get_as(&f.gold, &format!("/api/v1/deployment-requests/{id}")).await;
    assert_eq!(r["status"], "stood_down");

    // A share the event had before the appointment stays after the stand-down.
    let share = cordon_domain::records::RecordEvent::RecordShared {
        record_id: (&cordon_domain::ids::EventId::parse(&event).unwrap()).into(),
        organisation_id: f.app.org("CTSU").await.id,
    };
    let share = (cordon_domain::event::Event::Records(share), cordon_domain::Marking::Official);
    f.app.store.append(&cordon_store::Actor::system(), &[share]).await.unwrap();
    let again = f.request(&event).await;
    f.discuss(&again).await;
    assert_eq!(f.appoint(&f.gold, &again, json!({"seco_id": supt})).await.0, 201);
    let down = format!("/api/v1/deployment-requests/{again}/stand-down");
    assert_eq!(f.app.send_as(&f.gold, Method::POST, &down, json!({"reason": "Not needed"})).await.0, 200);
    let (_, e) = f.app.get_as(&f.secco, &format!("/api/v1/events/{event}")).await;
    assert!(!e.to_string().contains("whitfield@ctsu.example"), "{e}");
    assert_eq!(f.app.get_as(&f.whitfield, &format!("/api/v1/events/{event}")).await.0, 200, "still shared");
}

#[tokio::test]
async fn a_candidate_is_added_to_a_vacancy_on_a_page_of_their_own() {
    let f = fixture().await;
    let (status, v) = f
        .app
        .send_as(
            &f.da,
            Method::POST,
            "/api/v1/seco-vacancies",
            json!({"title": "SECO, North", "opened_on": yesterday()}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    let (_, b) = f.app.sign_in("supt@ctsu.example", crate::common::PASSWORD, None).await;
    let csrf = f.app.csrf(&b).await;
    // The vacancy page links to the page for adding a candidate.
    let html = f.app.page(&b, &format!("/seco/vacancies/{id}")).await.text().await.unwrap();
    let new = format!("/seco/vacancies/{id}/candidates/new");
    assert!(html.contains(&new) && html.contains("Add a candidate"), "{html}");
    let page = f.app.page(&b, &new).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for label in [
        "Candidate&#39;s name",
        "Rank",
        "Current role",
        "Previous experience",
        "(PolSA)",
        "(PolSC)",
        "Event planning and command experience",
        "Notes",
        "SECO, North",
    ] {
        assert!(html.contains(label), "the page should say {label:?}: {html}");
    }
    let candidates =
        || async { f.app.get_as(&f.da, "/api/v1/seco-vacancies").await.1["items"][0]["candidates"].clone() };
    let path = format!("/seco/vacancies/{id}/candidates");
    // No name, no rank, a rank below Inspector: the page again, the message naming the field's label, nothing added.
    for (name, rank, field, words) in [
        ("", "chief_inspector", "name", "Enter the candidate&#39;s name"),
        ("Morgan Lee", "", "rank", "Choose the candidate&#39;s rank"),
        ("PS Low", "sergeant", "rank", "Sergeant is not eligible"),
    ] {
        let res = post_form(
            &f.app,
            &b,
            &path,
            &[("csrf_token", &csrf), ("name", name), ("rank", rank), ("current_role", "Duty officer")],
        )
        .await;
        assert_eq!(res.status(), 422, "{field}");
        let html = res.text().await.unwrap();
        assert!(html.contains(&format!("href=\"#{field}\"")) && html.contains(words), "{words}: {html}");
        assert!(html.contains("Duty officer"), "what was typed is kept");
    }
    assert_eq!(candidates().await, json!([]));
    // Without the form's token nothing is added.
    let res = post_form(&f.app, &b, &path, &[("name", "Morgan Lee"), ("rank", "chief_inspector")]).await;
    assert!(res.status() == 403 || res.status() == 400, "{}", res.status());
    let res = post_form(
        &f.app,
        &b,
        &path,
        &[
            ("csrf_token", &csrf),
            ("name", "Morgan Lee"),
            ("rank", "chief_inspector"),
            ("current_role", "Duty officer, London North"),
            ("previous_experience", "Public order commander"),
            ("search_roles", "PolSA 2019 to 2022"),
            ("event_planning_and_command", "Silver for the carnival"),
            ("notes", "Strong candidate"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let back = res.headers()["location"].to_str().unwrap().to_string();
    assert!(back.starts_with(&format!("/seco/vacancies/{id}")), "{back}");
    let html = f.app.page(&b, &back).await.text().await.unwrap();
    assert!(html.contains("The candidate is added") && html.contains("PolSA 2019 to 2022"), "{html}");
    let c = candidates().await;
    assert_eq!(c[0]["name"], "Morgan Lee");
    assert_eq!(c[0]["rank"], "chief_inspector");
    assert_eq!(c[0]["event_planning_and_command"], "Silver for the carnival");
    // The same name twice is refused naming the name.
    let res =
        post_form(&f.app, &b, &path, &[("csrf_token", &csrf), ("name", "Morgan Lee"), ("rank", "inspector")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("already a candidate"));
    // Gold is no deployment authority: the vacancy is not theirs to see, and they cannot add to it.
    let (_, g) = f.app.sign_in("gold@force.example", crate::common::PASSWORD, None).await;
    assert_eq!(f.app.page(&g, &new).await.status(), 404);
    let gcsrf = f.app.csrf(&g).await;
    let res = post_form(&f.app, &g, &path, &[("csrf_token", &gcsrf), ("name", "X"), ("rank", "inspector")]).await;
    assert_eq!(res.status(), 404);
    assert_eq!(candidates().await.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_decision_is_gold_s_as_the_event_stands_now() {
    let f = fixture().await;
    let supt = whitfield_on_the_roster(&f).await;
    let event = f.event("City Marathon", "2030-04-26T07:30:00Z", "2030-04-26T16:00:00Z", true).await;
    let id = f.request(&event).await;
    f.discuss(&id).await;
    // The event's Gold changes after the request is made (the commanders are changed on their own route).
    let (status, v) = f
        .app
        .send_as(
            &f.secco,
            Method::PUT,
            &format!("/api/v1/events/{event}/commanders"),
            json!({"gold_email": "gold2@force.example"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let (_, r) = f.app.get_as(&f.da, &format!("/api/v1/deployment-requests/{id}")).await;
    assert_eq!(r["gold_name"], "Test gold2@force.example", "{r}");
    // The old Gold may still read the request, but no longer decides it.
    let (status, v) = f.appoint(&f.gold, &id, json!({"seco_id": supt})).await;
    assert_eq!(status, 403, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("gold2@force.example"), "{v}");
    let decline = format!("/api/v1/deployment-requests/{id}/decline");
    assert_eq!(f.app.send_as(&f.gold, Method::POST, &decline, json!({"reason": "x"})).await.0, 403);
    // The new Gold appoints, and stands down.
    let (status, v) = f.appoint(&f.gold2, &id, json!({"seco_id": supt})).await;
    assert_eq!(status, 201, "{v}");
    let down = format!("/api/v1/deployment-requests/{id}/stand-down");
    assert_eq!(f.app.send_as(&f.gold, Method::POST, &down, json!({"reason": "x"})).await.0, 403);
    assert_eq!(f.app.send_as(&f.gold2, Method::POST, &down, json!({"reason": "Not needed"})).await.0, 200);
    // The request page offers the decision to the Gold of now only.
    let again = f.request(&event).await;
    f.discuss(&again).await;
    let (_, b) = f.app.sign_in("gold2@force.example", crate::common::PASSWORD, None).await;
    let html = f.app.page(&b, &format!("/seco/requests/{again}")).await.text().await.unwrap();
    assert!(html.contains(&format!("/seco/requests/{again}/decline")), "{html}");
    let (_, old) = f.app.sign_in("gold@force.example", crate::common::PASSWORD, None).await;
    let html = f.app.page(&old, &format!("/seco/requests/{again}")).await.text().await.unwrap();
    assert!(!html.contains(&format!("/seco/requests/{again}/decline")), "{html}");
}

#[tokio::test]
async fn a_gold_of_another_force_makes_that_force_appoint_the_seco_and_the_ctsu_support() {
    let f = fixture().await;
    let met =
        f.app.user("gold@met.example", "Metropolitan Police Service", &[Role::StrategicCommander], Clearance::Sc).await;
    let met = f.app.token(&met).await;
    let event = f.event("New Year's Eve", "2030-12-31T18:00:00Z", "2031-01-01T03:00:00Z", true).await;
    // A same-force Gold: the force's own Gold appoints.
    let (_, r) = f.app.send_as(&f.secco, Method::POST, "/api/v1/deployment-requests", request(&event)).await;
    assert_eq!(r["gold_force"], Value::Null, "{r}");
    assert!(r["appointed_by"].as_str().unwrap().starts_with("The event's Gold"), "{r}");
    let before = r["id"].as_str().unwrap().to_string();
    // The event is shared with the Met and its Gold is the Met's: the Gold command sits with the Met.
    let share = cordon_domain::records::RecordEvent::RecordShared {
        record_id: (&cordon_domain::ids::EventId::parse(&event).unwrap()).into(),
        organisation_id: f.app.org("Metropolitan Police Service").await.id,
    };
    let share = (cordon_domain::event::Event::Records(share), cordon_domain::Marking::Official);
    f.app.store.append(&cordon_store::Actor::system(), &[share]).await.unwrap();
    let (status, v) = f
        .app
        .send_as(
            &f.secco,
            Method::PUT,
            &format!("/api/v1/events/{event}/commanders"),
            json!({"gold_email": "gold@met.example"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    // The request made before the change now has the Met's Gold, who lists it among their requests.
    let (_, list) = f.app.get_as(&met, "/api/v1/deployment-requests").await;
    let listed = list["items"].as_array().unwrap().iter().find(|i| i["id"] == before.as_str()).expect("listed");
    assert_eq!(listed["gold_force"], "Metropolitan Police Service", "{listed}");
    let (status, r) = f.app.send_as(&f.secco, Method::POST, "/api/v1/deployment-requests", request(&event)).await;
    assert_eq!(status, 201, "{r}");
    assert_eq!(r["gold_force"], "Metropolitan Police Service", "{r}");
    let by = r["appointed_by"].as_str().unwrap();
    assert!(
        by.starts_with("Metropolitan Police Service holds the Gold command and appoints the SECO; CTSU supports"),
        "{by}"
    );
    let id = r["id"].as_str().unwrap().to_string();
    // The request page says so, to the deployment authority and to the Met's Gold, who decides.
    let (_, b) = f.app.sign_in("supt@ctsu.example", crate::common::PASSWORD, None).await;
    let html = f.app.page(&b, &format!("/seco/requests/{id}")).await.text().await.unwrap();
    assert!(
        html.contains(
            "With Metropolitan Police Service, another force (SOP 2.1): it appoints the SECO, and CTSU supports"
        ),
        "{html}"
    );
    assert!(html.contains("(Metropolitan Police Service)"), "{html}");
    f.discuss(&id).await;
    let supt = f.id_of("Dana Whitfield", "superintendent", Some("2024-01-15"), json!([]), "qualified").await;
    assert_eq!(f.appoint(&f.gold, &id, json!({"seco_id": supt})).await.0, 403);
    let (status, v) = f.appoint(&met, &id, json!({"seco_id": supt})).await;
    assert_eq!(status, 201, "{v}");
    // A force named on the request still stands (the explicit field keeps working).
    let mut named = request(&event);
    named["gold_force"] = json!("City of London Police");
    let (_, r) = f.app.send_as(&f.secco, Method::POST, "/api/v1/deployment-requests", named).await;
    assert_eq!(r["gold_force"], "City of London Police", "{r}");
}

#[tokio::test]
async fn the_dashboard_shows_who_is_on_leave() {
    let f = fixture().await;
    let away = f.id_of("Dana Whitfield", "superintendent", Some("2024-01-15"), json!([]), "qualified").await;
    let later = f.id_of("Morgan Lee", "chief_inspector", Some("2024-02-01"), json!([]), "qualified").await;
    f.id_of("Sam Patel", "chief_inspector", Some("2024-03-01"), json!([]), "qualified").await;
    let today = cordon_store::today();
    let leave = |id: &str, from: time::Date, until: time::Date| {
        let (app, da, path) = (&f.app, f.da.clone(), format!("/api/v1/secos/{id}/notes"));
        let body = json!({"kind": "leave", "on": from.to_string(), "until": until.to_string()});
        async move { app.send_as(&da, Method::POST, &path, body).await }
    };
    let (status, v) = leave(&away, today - time::Duration::days(1), today + time::Duration::days(10)).await;
    assert_eq!(status, 201, "{v}");
    let (status, v) = leave(&later, today + time::Duration::days(20), today + time::Duration::days(25)).await;
    assert_eq!(status, 201, "{v}");
    // Leave that has ended says nothing.
    let (status, v) = leave(&later, today - time::Duration::days(30), today - time::Duration::days(25)).await;
    assert_eq!(status, 201, "{v}");
    let (_, b) = f.app.sign_in("supt@ctsu.example", crate::common::PASSWORD, None).await;
    let html = f.app.page(&b, "/seco").await.text().await.unwrap();
    let words = |d: time::Date| cordon_domain::london::display_date(d);
    let row = |name: &str| {
        let at = html.find(&format!("{name}</a>")).unwrap_or_else(|| panic!("{name} is listed: {html}"));
        html[at..].split("</tr>").next().unwrap().to_string()
    };
    let whitfield = row("Dana Whitfield");
    assert!(whitfield.contains(&format!("on leave until {}", words(today + time::Duration::days(10)))), "{whitfield}");
    let lee = row("Morgan Lee");
    assert!(lee.contains("Qualified; not appointed to any event"), "{lee}");
    assert!(
        lee.contains(&format!(
            "leave from {} to {}",
            words(today + time::Duration::days(20)),
            words(today + time::Duration::days(25))
        )),
        "{lee}"
    );
    assert!(!lee.contains(&words(today - time::Duration::days(30))), "ended leave is not shown: {lee}");
    let patel = row("Sam Patel");
    assert!(patel.contains("Qualified; not appointed to any event") && !patel.contains("leave"), "{patel}");
}

#[tokio::test]
async fn the_vacancy_api_refuses_an_ineligible_candidate_and_keeps_a_selection_once_made() {
    let f = fixture().await;
    let body = |candidates: Value, selected: Value| {
        json!({"title": "SECO, London East", "opened_on": yesterday(), "candidates": candidates,
               "selected": selected, "rationale": "Former PolSC with event command experience",
               "course_cost_pence": 125000})
    };
    let lee = json!({"name": "Morgan Lee", "rank": "chief_inspector", "current_role": "Duty officer",
                     "previous_experience": "Public order", "search_roles": "PolSC", "event_planning_and_command": "Silver",
                     "notes": ""});
    let low = json!({"name": "PS Low", "rank": "sergeant", "current_role": "", "previous_experience": "",
                     "search_roles": "", "event_planning_and_command": "", "notes": ""});
    // A candidate of an ineligible rank is refused naming the candidate's field; nothing is opened.
    let (status, v) =
        f.app.send_as(&f.da, Method::POST, "/api/v1/seco-vacancies", body(json!([lee, low]), Value::Null)).await;
    assert_eq!((status, v["error"]["field"].as_str()), (422, Some("candidates[1].rank")), "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("Sergeant is not eligible"), "{v}");
    assert_eq!(f.app.get_as(&f.da, "/api/v1/seco-vacancies").await.1["total"], 0);
    // Only a deployment authority opens one.
    assert_eq!(
        f.app.send_as(&f.gold, Method::POST, "/api/v1/seco-vacancies", body(json!([lee]), Value::Null)).await.0,
        403
    );
    let (status, v) =
        f.app.send_as(&f.da, Method::POST, "/api/v1/seco-vacancies", body(json!([lee]), Value::Null)).await;
    assert_eq!(status, 201, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/seco-vacancies/{id}");
    // Adding an ineligible candidate by PUT is refused the same way, and a selection of no candidate names `selected`.
    let (status, v) = f.app.send_as(&f.da, Method::PUT, &path, body(json!([lee, low]), Value::Null)).await;
    assert_eq!((status, v["error"]["field"].as_str()), (422, Some("candidates[1].rank")), "{v}");
    let (status, v) = f.app.send_as(&f.da, Method::PUT, &path, body(json!([lee]), json!("Nobody"))).await;
    assert_eq!((status, v["error"]["field"].as_str()), (422, Some("selected")), "{v}");
    // Another organisation's vacancy does not exist for the caller.
    assert_eq!(f.app.send_as(&f.gold, Method::PUT, &path, body(json!([lee]), Value::Null)).await.0, 404);
    // The selection is made; then it stands: 409 to changing it.
    let (status, v) = f.app.send_as(&f.da, Method::PUT, &path, body(json!([lee]), json!("Morgan Lee"))).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["selected"], "Morgan Lee");
    let other = json!({"name": "Sam Patel", "rank": "inspector", "current_role": "", "previous_experience": "",
                       "search_roles": "", "event_planning_and_command": "", "notes": ""});
    let (status, v) = f.app.send_as(&f.da, Method::PUT, &path, body(json!([lee, other]), json!("Sam Patel"))).await;
    assert_eq!(status, 409, "{v}");
    let (status, v) = f.app.send_as(&f.da, Method::PUT, &path, body(json!([lee]), Value::Null)).await;
    assert_eq!(status, 409, "{v}");
    let (_, list) = f.app.get_as(&f.da, "/api/v1/seco-vacancies").await;
    assert_eq!(list["items"][0]["selected"], "Morgan Lee");
    assert_eq!(list["items"][0]["course_cost_pence"], 125000);
}

#[tokio::test]
async fn the_checklist_records_tas_and_command_and_control_once_qualified() {
    let f = fixture().await;
    let q = f.id_of("Dana Whitfield", "superintendent", Some("2024-01-15"), json!([]), "qualified").await;
    let c = f.id_of("Alex Okafor", "chief_inspector", None, json!([]), "in_training").await;
    let tick = |id: &str, item: &str, token: &str| {
        let (app, token, path) = (&f.app, token.to_string(), format!("/api/v1/secos/{id}/checklist"));
        let body = json!({"item": item});
        async move { app.send_as(&token, Method::POST, &path, body).await }
    };
    let (status, v) = tick(&q, "tas", &f.da).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["tas_updated"]["by_name"], "Test supt@ctsu.example");
    assert_eq!(v["tas_updated"]["on"], cordon_store::today().to_string());
    assert_eq!(v["command_and_control_updated"], Value::Null);
    let (status, v) = tick(&q, "command_and_control", &f.da).await;
    assert_eq!(status, 200, "{v}");
    assert!(v["tas_updated"].is_object() && v["command_and_control_updated"].is_object(), "{v}");
    // An item outside the list names `item`; not yet qualified is a conflict; others may not; unknown ids are not found.
    let (status, v) = tick(&q, "firearms", &f.da).await;
    assert_eq!((status, v["error"]["field"].as_str()), (422, Some("item")), "{v}");
    assert_eq!(tick(&c, "tas", &f.da).await.0, 409);
    assert_eq!(tick(&q, "tas", &f.gold).await.0, 403);
    assert_eq!(tick("0190aaaa-0000-7000-8000-000000000000", "tas", &f.da).await.0, 404);
    let (_, one) = f.app.get_as(&f.da, &format!("/api/v1/secos/{c}")).await;
    assert_eq!(one["tas_updated"], Value::Null, "nothing changed by refusals");
}

#[tokio::test]
async fn leave_is_recorded_as_a_note_and_a_coordinator_on_leave_is_left_out_of_suggestions() {
    let f = fixture().await;
    let away = f.id_of("Dana Whitfield", "superintendent", Some("2024-01-15"), json!([]), "qualified").await;
    let free = f.id_of("Morgan Lee", "chief_inspector", Some("2024-02-01"), json!([]), "qualified").await;
    let notes = format!("/api/v1/secos/{away}/notes");
    // Leave needs its last day, not before the first; the kind must be one of the list.
    for (body, field) in [
        (json!({"kind": "leave", "on": "2030-04-20"}), "until"),
        (json!({"kind": "leave", "on": "2030-04-20", "until": "2030-04-19"}), "until"),
        (json!({"kind": "leave", "on": "2030-02-30", "until": "2030-04-19"}), "on"),
        (json!({"kind": "holiday", "on": "2030-04-20", "until": "2030-04-30"}), "kind"),
    ] {
        let (status, v) = f.app.send_as(&f.da, Method::POST, &notes, body).await;
        assert_eq!((status, v["error"]["field"].as_str()), (422, Some(field)), "{v}");
    }
    assert_eq!(f.app.get_as(&f.da, &notes).await.1["total"], 0, "nothing recorded by refusals");
    assert_eq!(
        f.app
            .send_as(&f.gold, Method::POST, &notes, json!({"kind": "leave", "on": "2030-04-20", "until": "2030-04-30"}))
            .await
            .0,
        403
    );
    // Leave may be in the future, and is listed with the notes.
    let (status, v) = f
        .app
        .send_as(&f.da, Method::POST, &notes, json!({"kind": "leave", "on": "2030-04-20", "until": "2030-04-30"}))
        .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!((v["kind"].as_str(), v["until"].as_str()), (Some("leave"), Some("2030-04-30")), "{v}");
    let (_, list) = f.app.get_as(&f.da, &notes).await;
    assert_eq!(list["items"][0]["on"], "2030-04-20", "{list}");
    // A continual-assessment note cannot be dated in the future.
    let (status, v) = f
        .app
        .send_as(&f.da, Method::POST, &notes, json!({"kind": "assessment", "on": "2030-04-20", "text": "x"}))
        .await;
    assert_eq!((status, v["error"]["field"].as_str()), (422, Some("on")), "{v}");

    // The marathon falls in that leave: the coordinator is in `excluded`, with the reason in words.
    let event = f.event("City Marathon", "2030-04-26T07:30:00Z", "2030-04-26T16:00:00Z", true).await;
    let id = f.request(&event).await;
    let (status, s) = f.app.get_as(&f.gold, &format!("/api/v1/deployment-requests/{id}/suggestions")).await;
    assert_eq!(status, 200, "{s}");
    let items: Vec<&str> = s["items"].as_array().unwrap().iter().map(|i| i["seco_id"].as_str().unwrap()).collect();
    assert_eq!(items, [free.as_str()]);
    let out = s["excluded"].as_array().unwrap().iter().find(|e| e["seco_id"] == away.as_str()).expect("excluded");
    assert_eq!(out["name"], "Dana Whitfield");
    assert_eq!(out["reasons"], json!(["On leave from 20 April 2030 to 30 April 2030"]), "{s}");
    // Outsiders are told the request does not exist.
    assert_eq!(f.app.get_as(&f.outsider, &format!("/api/v1/deployment-requests/{id}/suggestions")).await.0, 404);
}
