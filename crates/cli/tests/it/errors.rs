//! Errors in one shape: the API always answers JSON errors, pages always HTML.

use crate::common::TestApp;
use cordon_domain::identity::{Clearance, Role};
use reqwest::Method;
use serde_json::{json, Value};

async fn body(res: reqwest::Response) -> (u16, String, String) {
    let status = res.status().as_u16();
    let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (status, ct, res.text().await.unwrap())
}

#[tokio::test]
async fn every_api_error_is_json_and_every_page_error_is_html() {
    let config = cordon_web::Config { body_limit: 64 * 1024, ..Default::default() };
    let app = TestApp::spawn_with(config).await;
    let user = app.user("secco@force.example", "Force", &[Role::SecurityCoordinator], Clearance::Sc).await;
    let token = app.token(&user).await;

    // 401 names the scheme.
    let res = app.client.get(app.url("/api/v1/events")).send().await.unwrap();
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    let (status, ct, text) = body(res).await;
    assert_eq!((status, ct.as_str()), (401, "application/json"));
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap()["error"]["code"], "unauthorised");

    // 405 on the API is JSON, with Allow kept.
    let res = app.client.patch(app.url("/api/v1/threat-levels")).send().await.unwrap();
    assert!(res.headers().contains_key("allow"));
    let (status, ct, text) = body(res).await;
    assert_eq!((status, ct.as_str()), (405, "application/json"), "{text}");
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap()["error"]["code"], "method_not_allowed");

    // 413 on the API is JSON.
    let big = json!({"name": "x".repeat(100 * 1024)});
    let res = app.client.post(app.url("/api/v1/tokens")).bearer_auth(&token).json(&big).send().await.unwrap();
    let (status, ct, text) = body(res).await;
    assert_eq!((status, ct.as_str()), (413, "application/json"), "{text}");
    assert!(serde_json::from_str::<Value>(&text).unwrap()["error"]["message"].is_string());

    // 415 on the API is JSON.
    let res = app.client.post(app.url("/api/v1/tokens")).bearer_auth(&token).body("name=x").send().await.unwrap();
    let (status, ct, _) = body(res).await;
    assert_eq!((status, ct.as_str()), (415, "application/json"));

    // A page never receives JSON: 405 on a page is an HTML page.
    let res = app.client.delete(app.url("/threat-levels")).send().await.unwrap();
    let (status, ct, text) = body(res).await;
    assert_eq!(status, 405);
    assert!(ct.starts_with("text/html"), "{ct}");
    assert!(text.contains("<html") && text.contains("does not accept that method"), "{text}");
}

#[tokio::test]
async fn whole_numbers_written_as_decimals_are_whole_numbers_and_empty_filters_are_400() {
    let app = TestApp::spawn().await;
    let user = app.user("secco@force.example", "Force", &[Role::SecurityCoordinator], Clearance::Sc).await;
    let token = app.token(&user).await;
    let (status, e) = app
        .send_as(
            &token,
            Method::POST,
            "/api/v1/events",
            json!({"name": "Parade", "kind": "other", "starts_at": "2027-05-01T10:00:00Z", "ends_at": "2027-05-01T12:00:00Z",
                   "venues": [{"name": "Park", "address": "NS1"}], "expected_attendance": 1500.0, "marking": "OFFICIAL"}),
        )
        .await;
    assert_eq!(status, 201, "{e}");
    assert_eq!(e["expected_attendance"], 1500);
    let (status, e) = app
        .send_as(
            &token,
            Method::POST,
            "/api/v1/events",
            json!({"name": "Parade", "kind": "other", "starts_at": "2027-05-01T10:00:00Z", "ends_at": "2027-05-01T12:00:00Z",
                   "venues": [], "expected_attendance": 1500.5, "marking": "OFFICIAL"}),
        )
        .await;
    assert_eq!(status, 400, "{e}");
    assert_eq!(e["error"]["field"], "expected_attendance");
    for (query, field) in [("to=", "to"), ("from=", "from"), ("status=", "status")] {
        let (status, e) = app.get_as(&token, &format!("/api/v1/events?{query}")).await;
        assert_eq!(status, 400, "{query}: {e}");
        assert_eq!(e["error"]["field"], field);
    }
    let (status, e) = app.get_json("/api/v1/threat-levels/national?on=").await;
    assert_eq!(status, 400);
    assert_eq!(e["error"]["field"], "on");
    // The page's own form sends an empty date, which means today.
    assert_eq!(app.get("/threat-levels?on=").await.status(), 200);
}

#[tokio::test]
async fn every_form_a_signed_in_user_posts_needs_the_session_token() {
    let app = TestApp::spawn().await;
    app.user("secco@force.example", "Force", &[Role::SecurityCoordinator], Clearance::Sc).await;
    let (_, b) = app.sign_in("secco@force.example", crate::common::PASSWORD, None).await;
    let paths = [
        "/account/password",
        "/account/two-step",
        "/account/sessions/x/revoke",
        "/account/tokens",
        "/account/tokens/x/revoke",
        "/admin/organisations",
        "/admin/users",
        "/admin/users/x",
        "/admin/threat-levels",
        "/events",
        "/events/x/team",
        "/events/x/commanders",
        "/events/x/plan/issue",
        "/events/x/plan/copy-from",
        "/events/x/plan/versions/1/endorse",
        "/events/x/plan/stakeholder",
        "/events/x/plan/tactical_plan/x/reviewed",
        "/events/x/plan/stakeholder/x",
        "/events/x/plan/stakeholder/x/remove",
    ];
    for path in paths {
        for token in ["", "not-the-token"] {
            let res = app
                .client
                .post(app.url(path))
                .header("cookie", b.cookie())
                .header("sec-fetch-site", "same-origin")
                .form(&[("csrf_token", token), ("name", "x")])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 403, "{path} with token {token:?}");
            assert!(res.text().await.unwrap().contains("The form has expired"), "{path}");
        }
    }
}

/// Identifiers are parsed where they come in: one that cannot be an id is a
/// 400 naming it, in the error shape, on a path and in a body; a well-formed
/// id of nothing is a 404.
#[tokio::test]
async fn an_identifier_that_cannot_be_one_is_400_and_an_unknown_one_404() {
    let app = TestApp::spawn().await;
    let user = app.user("secco@force.example", "Force", &[Role::SecurityCoordinator], Clearance::Sc).await;
    let token = app.token(&user).await;
    let (status, body) = app.get_as(&token, "/api/v1/events/not%20an%20id").await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["message"].is_string());
    let (status, _) = app.get_as(&token, &format!("/api/v1/events/{}", "a".repeat(65))).await;
    assert_eq!(status, 400);
    let (status, _) = app.get_as(&token, "/api/v1/events/0190f0e2-8b7c-7b1e-9a3c-2f1d4e5a6b7c").await;
    assert_eq!(status, 404);
    let (status, e) = app
        .send_as(
            &token,
            Method::POST,
            "/api/v1/events",
            json!({"name": "Fair", "kind": "other", "starts_at": "2027-06-01T10:00:00Z", "ends_at": "2027-06-01T12:00:00Z",
                   "venues": [{"name": "Park", "address": ""}], "expected_attendance": 5, "marking": "OFFICIAL"}),
        )
        .await;
    assert_eq!(status, 201);
    let id = e["id"].as_str().unwrap();
    let (status, body) = app
        .send_as(
            &token,
            Method::POST,
            &format!("/api/v1/events/{id}/plan/copy-from"),
            json!({"source_event_id": "../x"}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["field"], "source_event_id");
}
