//! Security advice and reviews over HTTP: the request, the library, issue as
//! hashed versions, the read view, access through the records layer, and bad input.

use crate::check;

use crate::common::TestApp;
use cordon_domain::identity::{Clearance, Role};
use reqwest::Method;
use serde_json::{json, Value};

async fn app() -> (TestApp, String, String, String, String) {
    let app = TestApp::spawn().await;
    let ctsa = app.user("ctsa@force.example", "Force", &[Role::SecurityAdviser], Clearance::Sc).await;
    let other = app.user("ctsa2@force.example", "Force", &[Role::SecurityAdviser], Clearance::Sc).await;
    let staff = app.user("pc@force.example", "Force", &[Role::Staff], Clearance::Sc).await;
    let admin = app.user("admin@force.example", "Force", &[Role::Administrator], Clearance::Sc).await;
    app.second_factor(&admin).await;
    let t = (app.token(&ctsa).await, app.token(&other).await, app.token(&staff).await, app.token(&admin).await);
    (app, t.0, t.1, t.2, t.3)
}

fn fete() -> Value {
    json!({"kind": "security_advice", "marking": "OFFICIAL-SENSITIVE", "subject": "Village fete",
           "event_kind": "music_or_festival", "details": "Saturday, the green, 2,000 people",
           "requested_by": "Insp. Ann Local, neighbourhood inspector", "requested_on": "2027-05-01",
           "considerations": ["hot-protocol", "hostile-vehicle"],
           "specific": "Close the lane beside the green during opening hours.",
           "recommendations": ["Brief stewards on HOT"]})
}

#[tokio::test]
async fn advice_is_requested_written_issued_and_read_as_a_document() {
    let (app, ctsa, other, staff, _) = app().await;
    let (_, library) = app.get_as(&ctsa, "/api/v1/advice/considerations").await;
    assert!(library["total"].as_i64().unwrap() >= 10, "the library is loaded from reference data: {library}");

    let (status, a) = app.send_as(&ctsa, Method::POST, "/api/v1/advice", fete()).await;
    assert_eq!(status, 201, "{a}");
    let id = a["id"].as_str().unwrap().to_string();
    assert_eq!(a["versions"], json!([]));

    // Issue: numbered, hashed, exactly as issued; a second issue is version 2.
    let (status, v1) = app.send_as(&ctsa, Method::POST, &format!("/api/v1/advice/{id}/versions"), json!({})).await;
    assert_eq!(status, 201, "{v1}");
    assert_eq!(v1["number"], 1);
    let res =
        app.client.get(app.url(&format!("/api/v1/advice/{id}/versions/1"))).bearer_auth(&ctsa).send().await.unwrap();
    let hash = res.headers()["x-content-sha256"].to_str().unwrap().to_string();
    let body = res.text().await.unwrap();
    assert_eq!(hash, v1["hash"]);
    assert_eq!(cordon_domain::plan::sha256_hex(&body), hash, "the body is what was hashed");
    assert!(body.contains("Judge unattended items with HOT"), "chosen considerations are written out in full");

    // Changing the draft leaves version 1 as it was.
    let mut changed = fete();
    changed["considerations"] = json!(["hot-protocol"]);
    let (status, _) = app.send_as(&ctsa, Method::PUT, &format!("/api/v1/advice/{id}"), changed).await;
    assert_eq!(status, 200);
    let again =
        app.client.get(app.url(&format!("/api/v1/advice/{id}/versions/1"))).bearer_auth(&ctsa).send().await.unwrap();
    assert_eq!(again.text().await.unwrap(), body);

    // The read view: a document in words, with the marking.
    let (_, b) = app.sign_in("ctsa@force.example", crate::common::PASSWORD, None).await;
    let page = app.page(&b, &format!("/advice/{id}/versions/1")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for words in [
        "Security advice",
        "Village fete",
        "Version 1",
        "1 May 2027",
        "Suspicious items",
        "Vehicles",
        "Close the lane beside the green",
        "OFFICIAL-SENSITIVE",
    ] {
        assert!(html.contains(words), "the version page should say {words:?}");
    }
    // Handed over as PDF and Word, marked on every page; the same bytes each time.
    let get = |path: String| {
        let (client, url, token) = (app.client.clone(), app.url(&path), ctsa.clone());
        async move { client.get(url).bearer_auth(token).send().await.unwrap() }
    };
    let pdf = get(format!("/api/v1/advice/{id}/versions/1/document.pdf")).await;
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let sha = pdf.headers()["x-content-sha256"].to_str().unwrap().to_string();
    let pdf = pdf.bytes().await.unwrap().to_vec();
    assert_eq!(cordon_domain::plan::sha256_hex_bytes(&pdf), sha);
    let read = check::check_pdf(&pdf, "OFFICIAL-SENSITIVE", "Version 1");
    assert!(read.text.contains("Judge unattended items with HOT"), "{}", read.text);
    let again = get(format!("/api/v1/advice/{id}/versions/1/document.pdf")).await.bytes().await.unwrap().to_vec();
    assert_eq!(again, pdf, "the same version gives the same document");
    let docx = get(format!("/api/v1/advice/{id}/versions/1/document.docx")).await;
    assert_eq!(docx.status(), 200);
    check::check_docx(&docx.bytes().await.unwrap(), "OFFICIAL-SENSITIVE");
    let draft = get(format!("/api/v1/advice/{id}/document.pdf")).await;
    assert_eq!(draft.status(), 200);
    check::check_pdf(&draft.bytes().await.unwrap(), "OFFICIAL-SENSITIVE", "Draft");
    assert_eq!(app.get_as(&other, &format!("/api/v1/advice/{id}/versions/1/document.pdf")).await.0, 404);

    let list = app.page(&b, "/advice").await.text().await.unwrap();
    assert!(list.contains("Village fete") && list.contains("Version 1 issued"));

    // OFFICIAL-SENSITIVE: only its team. Another adviser of the same force and
    // a member of staff are told it does not exist.
    for token in [&other, &staff] {
        assert_eq!(app.get_as(token, &format!("/api/v1/advice/{id}")).await.0, 404);
        assert_eq!(app.get_as(token, &format!("/api/v1/advice/{id}/versions/1")).await.0, 404);
        let (_, list) = app.get_as(token, "/api/v1/advice").await;
        assert_eq!(list["total"], 0);
    }
    let (_, list) = app.get_as(&ctsa, "/api/v1/advice").await;
    assert_eq!(list["total"], 1);
    // Staff may not record advice at all.
    assert_eq!(app.send_as(&staff, Method::POST, "/api/v1/advice", fete()).await.0, 403);

    // Retention: the force's auditor sees it come due for review, six years on.
    app.user("auditor@force.example", "Force", &[Role::Auditor], Clearance::Sc).await;
    let (_, auditor) = app.sign_in("auditor@force.example", crate::common::PASSWORD, None).await;
    let html = app.page(&auditor, "/audit/retention").await.text().await.unwrap();
    assert!(!html.contains("Village fete"), "not due yet");
    app.db.clock.advance(time::Duration::days(365 * 7));
    let (_, auditor) = app.sign_in("auditor@force.example", crate::common::PASSWORD, None).await;
    let html = app.page(&auditor, "/audit/retention").await.text().await.unwrap();
    assert!(html.contains("Village fete (security advice or review)"), "{html}");
}

#[tokio::test]
async fn bad_advice_is_refused_naming_the_field_and_changes_nothing() {
    let (app, ctsa, _, _, admin) = app().await;
    let before = app.store.journal_len().await.unwrap();
    let cases: Vec<(Value, &str)> = vec![
        (json!({"considerations": []}), "considerations"),
        (json!({"considerations": ["no-such-thing"]}), "considerations"),
        (json!({"subject": " "}), "subject"),
        (json!({"requested_on": "2027-02-31"}), "requested_on"),
        (json!({"kind": "security_review", "considerations": []}), "scope"),
        (json!({"kind": "security_review", "scope": "Gate", "due_on": "soon"}), "due_on"),
        (json!({"marking": "TOP SECRET"}), "marking"),
    ];
    for (patch, field) in cases {
        let mut body = fete();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, e) = app.send_as(&ctsa, Method::POST, "/api/v1/advice", body).await;
        assert_eq!((status, e["error"]["field"].as_str()), (422, Some(field)), "{e}");
    }
    assert_eq!(app.store.journal_len().await.unwrap(), before, "nothing was recorded");
    assert_eq!(app.get_as(&ctsa, "/api/v1/advice/not-an-id").await.0, 404);
    assert_eq!(app.get_as(&ctsa, "/api/v1/advice/0190aaaa-0000-7000-8000-000000000001").await.0, 404);

    // The library: administrators change it; advisers may not.
    let c = json!({"id": "ignored", "topic": "Crowds", "title": "Crowd density", "text": "Plan the space per person."});
    assert_eq!(app.send_as(&ctsa, Method::PUT, "/api/v1/advice/considerations/crowd-density", c.clone()).await.0, 403);
    let (status, saved) = app.send_as(&admin, Method::PUT, "/api/v1/advice/considerations/crowd-density", c).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["id"], "crowd-density");
    let (status, e) = app
        .send_as(
            &admin,
            Method::PUT,
            "/api/v1/advice/considerations/Bad%20Id",
            json!({"id": "x", "topic": "T", "title": "T", "text": "T"}),
        )
        .await;
    assert_eq!((status, e["error"]["field"].as_str()), (422, Some("id")));
    let mut body = fete();
    body["considerations"] = json!(["crowd-density"]);
    assert_eq!(app.send_as(&ctsa, Method::POST, "/api/v1/advice", body).await.0, 201);
}

#[tokio::test]
async fn a_review_a_commander_asked_for_is_written_through_the_pages() {
    let (app, _, _, _, _) = app().await;
    let (_, b) = app.sign_in("ctsa@force.example", crate::common::PASSWORD, None).await;
    let csrf = app.csrf(&b).await;
    let form = |pairs: &[(&str, &str)]| {
        let mut v: Vec<(String, String)> = vec![("csrf_token".into(), csrf.clone())];
        v.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        v
    };
    let post = |path: String, pairs: Vec<(String, String)>| {
        let (client, cookie, url) = (app.client.clone(), b.cookie(), app.url(&path));
        async move { client.post(url).header("cookie", cookie).form(&pairs).send().await.unwrap() }
    };
    // A review with no scope: the form comes back with the message by the field.
    let res = post(
        "/advice".into(),
        form(&[
            ("kind", "security_review"),
            ("subject", "Headquarters reception"),
            ("requested_by", "ACC Gold"),
            ("requested_on", "2027-01-10"),
            ("due_on", "2027-02-01"),
            ("marking", "OFFICIAL"),
        ]),
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Enter what the review covers") && html.contains("href=\"#scope\""), "{html}");
    let res = post(
        "/advice".into(),
        form(&[
            ("kind", "security_review"),
            ("subject", "Headquarters reception"),
            ("requested_by", "ACC Gold"),
            ("requested_on", "2027-01-10"),
            ("due_on", "2027-02-01"),
            ("scope", "The public reception"),
            ("specific", "The door is propped open."),
            ("recommendations", "Fit a closer\nBrief the staff"),
            ("marking", "OFFICIAL"),
        ]),
    )
    .await;
    assert_eq!(res.status(), 303);
    let url = res.headers()["location"].to_str().unwrap().to_string();
    let html = app.page(&b, &url).await.text().await.unwrap();
    assert!(
        html.contains("Security review") && html.contains("The door is propped open.") && html.contains("Fit a closer")
    );
    let res = post(format!("{url}/issue"), form(&[])).await;
    assert_eq!(res.status(), 303);
    let version = res.headers()["location"].to_str().unwrap().to_string();
    assert!(version.ends_with("/versions/1"), "{version}");
    let html = app.page(&b, &version).await.text().await.unwrap();
    assert!(html.contains("<dt>Due</dt><dd>1 February 2027</dd>"), "{html}");
}
