//! Sign-in, sessions, CSRF, throttling, second factor and API tokens.

use crate::common::{cookie, set_cookie_header, TestApp, PASSWORD};
use cordon_domain::identity::{Clearance, Role};
use cordon_store::records::Caller;
use cordon_store::Actor;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn the_api_needs_credentials() {
    let app = TestApp::spawn().await;
    for path in ["/api/v1/events", "/api/v1/me", "/api/v1/users", "/api/v1/search?q=x", "/api/v1/events/export"] {
        let (status, body) = app.get_json(path).await;
        assert_eq!(status, 401, "{path}");
        assert_eq!(body["error"]["code"], "unauthorised", "{path}");
    }
    let res = app.client.get(app.url("/api/v1/me")).bearer_auth("cordon_not-a-token").send().await.unwrap();
    assert_eq!(res.status(), 401);
    let res = app.client.get(app.url("/api/v1/me")).header("authorization", "Basic eDp5").send().await.unwrap();
    assert_eq!(res.status(), 401);
    // Public: the threat levels.
    assert_eq!(app.get("/api/v1/threat-levels").await.status(), 200);
    // Pages redirect to sign-in.
    let res = app.get("/events").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/sign-in?next=/events");
}

#[tokio::test]
async fn sign_in_sets_a_strict_http_only_cookie_and_a_new_session_each_time() {
    let app = TestApp::spawn().await;
    app.user("jo@police.example", "Force", &[Role::SecurityCoordinator], Clearance::Sc).await;
    let (res, b1) = app.sign_in("jo@police.example", PASSWORD, None).await;
    assert_eq!(res.status(), 303);
    let header = set_cookie_header(&res, "cordon_session").unwrap();
    assert!(header.contains("HttpOnly"), "{header}");
    assert!(header.contains("SameSite=Strict"), "{header}");
    assert!(!header.contains("Secure"), "not over plain HTTP: {header}");
    assert_eq!(app.page(&b1, "/account").await.status(), 200);
    // Signing in again from the same browser gives a new id and ends the old session.
    let page = app.page(&b1, "/sign-in").await;
    assert_eq!(page.status(), 303, "already signed in");
    let (_, b2) = app.sign_in("jo@police.example", PASSWORD, None).await;
    assert_ne!(b1.session, b2.session);
    assert_eq!(app.page(&b2, "/account").await.status(), 200);
    // Sign out ends the session.
    let csrf = app.csrf(&b2).await;
    let res = app
        .client
        .post(app.url("/sign-out"))
        .header("cookie", b2.cookie())
        .form(&[("csrf_token", csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(app.page(&b2, "/account").await.status(), 303);
}

#[tokio::test]
async fn over_tls_cookies_are_secure_and_hsts_is_sent() {
    let config =
        cordon_web::Config { public_url: Some("https://cordon.example.police.uk".into()), ..Default::default() };
    let app = TestApp::spawn_with(config).await;
    app.user("jo@police.example", "Force", &[Role::Staff], Clearance::Bpss).await;
    let (res, _) = app.sign_in("jo@police.example", PASSWORD, None).await;
    assert!(set_cookie_header(&res, "cordon_session").unwrap().contains("Secure"));
    let res = app.get("/healthz").await;
    assert!(res.headers()["strict-transport-security"].to_str().unwrap().contains("max-age="));
}

#[tokio::test]
async fn wrong_passwords_are_throttled_and_audited() {
    let app = TestApp::spawn().await;
    app.user("jo@police.example", "Force", &[Role::Staff], Clearance::Bpss).await;
    let before = app.store.ledger_page(cordon_store::Ledger::AccessLog, 0, 1000).await.unwrap().len();
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let (res, _) = app.sign_in("jo@police.example", "wrong password here", None).await;
        statuses.push(res.status().as_u16());
        if res.status() == 429 {
            assert!(res.headers().get("retry-after").is_some());
        }
    }
    assert_eq!(&statuses[..5], &[401, 401, 401, 401, 401]);
    assert_eq!(statuses[5], 429, "{statuses:?}");
    // Even the right password waits while throttled.
    let (res, _) = app.sign_in("jo@police.example", PASSWORD, None).await;
    assert_eq!(res.status(), 429);
    let log = app.store.ledger_page(cordon_store::Ledger::AccessLog, 0, 1000).await.unwrap();
    let failures = log[before..].iter().filter(|(e, _)| e.kind == "sign_in_failed").count();
    assert_eq!(failures, 5);
    // An unknown account gets the same answer as a wrong password.
    let (res, _) = app.sign_in("nobody@police.example", PASSWORD, None).await;
    assert!(res.status() == 401 || res.status() == 429);
    let report = app.store.verify_ledger(cordon_store::Ledger::AccessLog, &|_| {}).await.unwrap();
    assert_eq!(report.fault, None);
}

#[tokio::test]
async fn sessions_end_when_clearance_roles_or_status_change() {
    let app = TestApp::spawn().await;
    let jo = app.user("jo@police.example", "Force", &[Role::Staff], Clearance::Bpss).await;
    let (_, b) = app.sign_in("jo@police.example", PASSWORD, None).await;
    assert_eq!(app.page(&b, "/account").await.status(), 200);
    app.store
        .identity()
        .change_user(
            Caller::System(&Actor::system()),
            &jo.id,
            &jo.name,
            &jo.organisation_id,
            jo.roles.clone(),
            Clearance::Sc,
        )
        .await
        .unwrap();
    assert_eq!(app.page(&b, "/account").await.status(), 303, "clearance change ends the session");
    let (_, b) = app.sign_in("jo@police.example", PASSWORD, None).await;
    assert_eq!(app.page(&b, "/account").await.status(), 200);
    app.store.identity().set_user_active(Caller::System(&Actor::system()), &jo.id, false).await.unwrap();
    assert_eq!(app.page(&b, "/account").await.status(), 303, "disabling ends the session");
    let (res, _) = app.sign_in("jo@police.example", PASSWORD, None).await;
    assert_eq!(res.status(), 401, "a disabled account cannot sign in");
    // History is kept.
    assert!(app.store.identity().user(&jo.id).await.unwrap().is_some());
}

#[tokio::test]
async fn idle_sessions_expire() {
    let config = cordon_web::Config { session_idle: time::Duration::seconds(1), ..Default::default() };
    let app = TestApp::spawn_with(config).await;
    app.user("jo@police.example", "Force", &[Role::Staff], Clearance::Bpss).await;
    let (_, b) = app.sign_in("jo@police.example", PASSWORD, None).await;
    assert_eq!(app.page(&b, "/account").await.status(), 200);
    app.db.clock.advance(time::Duration::seconds(2));
    assert_eq!(app.page(&b, "/account").await.status(), 303);
}

#[tokio::test]
async fn cross_site_and_tokenless_requests_are_refused() {
    let app = TestApp::spawn().await;
    app.user("jo@police.example", "Force", &[Role::SecurityCoordinator], Clearance::Sc).await;
    let (_, b) = app.sign_in("jo@police.example", PASSWORD, None).await;
    let csrf = app.csrf(&b).await;
    let body = json!({"name": "x", "kind": "sporting", "starts_at": "2027-01-01T10:00:00Z", "ends_at": "2027-01-01T12:00:00Z",
        "venues": [{"name": "v", "address": "a"}], "expected_attendance": 1, "marking": "OFFICIAL"});
    // Cross-site by Fetch Metadata.
    let res = app
        .client
        .post(app.url("/api/v1/events"))
        .header("cookie", b.cookie())
        .header("x-csrf-token", &csrf)
        .header("sec-fetch-site", "cross-site")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // Another origin.
    let res = app
        .client
        .post(app.url("/api/v1/events"))
        .header("cookie", b.cookie())
        .header("x-csrf-token", &csrf)
        .header("origin", "https://evil.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // Cookie-authenticated API call without the token.
    let res = app.client.post(app.url("/api/v1/events")).header("cookie", b.cookie()).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["error"]["code"], "csrf");
    // A form without the token.
    let res = app
        .client
        .post(app.url("/account/tokens"))
        .header("cookie", b.cookie())
        .form(&[("name", "x"), ("expires_days", "5")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // The sign-in form needs its own token too.
    let res = app
        .client
        .post(app.url("/sign-in"))
        .form(&[("email", "jo@police.example"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // With the token, from the same origin: accepted.
    let res = app
        .client
        .post(app.url("/api/v1/events"))
        .header("cookie", b.cookie())
        .header("x-csrf-token", &csrf)
        .header("sec-fetch-site", "same-origin")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    // Nothing was created by the refused requests.
    assert_eq!(crate::common::record_access(&app.db).await.len(), 1);
}

#[tokio::test]
async fn administrators_need_a_second_factor() {
    let app = TestApp::spawn().await;
    let admin = app.user("admin@police.example", "Force", &[Role::Administrator], Clearance::Sc).await;
    let (res, b) = app.sign_in("admin@police.example", PASSWORD, None).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/account/two-step");
    let res = app.page(&b, "/admin").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/account/two-step");
    // Set it up through the page.
    let html = app.page(&b, "/account/two-step").await.text().await.unwrap();
    let start = html.find("id=\"totp-secret\">").unwrap() + "id=\"totp-secret\">".len();
    let secret = html[start..].split('<').next().unwrap().to_string();
    let csrf = crate::common::hidden(&html, "csrf_token");
    let res = app
        .client
        .post(app.url("/account/two-step"))
        .header("cookie", b.cookie())
        .form(&[("csrf_token", csrf.as_str()), ("code", "000000")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422, "a wrong code is refused");
    let code = cordon_store::identity::totp_code_for(&secret, app.db.clock.now()).unwrap();
    let res = app
        .client
        .post(app.url("/account/two-step"))
        .header("cookie", b.cookie())
        .form(&[("csrf_token", csrf.as_str()), ("code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(app.store.identity().user(&admin.id).await.unwrap().unwrap().totp_enabled);
    // From now on a code is required to sign in.
    let (res, _) = app.sign_in("admin@police.example", PASSWORD, None).await;
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("6-digit code"));
    // An expired code is refused.
    let old = cordon_store::identity::totp_code_for(&secret, app.db.clock.now() - time::Duration::minutes(10)).unwrap();
    let (res, _) = app.sign_in("admin@police.example", PASSWORD, Some(&old)).await;
    assert_eq!(res.status(), 401);
    // The code already used to confirm cannot be replayed.
    let (res, _) = app.sign_in("admin@police.example", PASSWORD, Some(&code)).await;
    assert_eq!(res.status(), 401, "a code cannot be used twice");
    // The next time step's code signs in.
    app.db.clock.advance(time::Duration::seconds(30));
    let code = cordon_store::identity::totp_code_for(&secret, app.db.clock.now()).unwrap();
    let (res, b) = app.sign_in("admin@police.example", PASSWORD, Some(&code)).await;
    assert_eq!(res.status(), 303, "a fresh code signs in");
    assert_eq!(app.page(&b, "/admin").await.status(), 200);
}

#[tokio::test]
async fn expired_and_revoked_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let jo = app.user("jo@police.example", "Force", &[Role::Staff], Clearance::Bpss).await;
    let token = app.token(&jo).await;
    let (status, me) = app.get_as(&token, "/api/v1/me").await;
    assert_eq!(status, 200);
    assert_eq!(me["email"], "jo@police.example");
    let tokens = app.store.identity().tokens_of(&jo.id).await.unwrap();
    let (status, _) = app.send_as(&token, Method::DELETE, &format!("/api/v1/tokens/{}", tokens[0].id), json!({})).await;
    assert_eq!(status, 204);
    assert_eq!(app.get_as(&token, "/api/v1/me").await.0, 401);
    // Expiry: a token whose time has passed.
    let token = app.token(&jo).await;
    app.db
        .sql("UPDATE api_tokens SET expires_at = '2000-01-01T00:00:00.000000Z' WHERE revoked_at IS NULL")
        .await
        .unwrap();
    assert_eq!(app.get_as(&token, "/api/v1/me").await.0, 401);
    // Tokens are stored only as hashes.
    let rows = app.db.sql("SELECT token_hash FROM api_tokens").await.unwrap();
    assert!(rows.iter().all(|r| r.text(0) != token && r.text(0).len() == 64));
    // A disabled user's tokens stop working.
    let token = app.store.identity().issue_token(&Actor::system(), &jo.id, "x", 5).await.unwrap().0;
    app.store.identity().set_user_active(Caller::System(&Actor::system()), &jo.id, false).await.unwrap();
    assert_eq!(app.get_as(&token, "/api/v1/me").await.0, 401);
}

#[tokio::test]
async fn bad_identity_input_names_the_field_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.user("admin@police.example", "Force", &[Role::Administrator], Clearance::Sc).await;
    app.second_factor(&admin).await;
    app.user("jo@police.example", "Force", &[Role::Staff], Clearance::Bpss).await;
    let token = app.token(&admin).await;
    let before = app.store.journal_len().await.unwrap();
    let good = json!({"email": "new@police.example", "name": "New Person", "organisation": "Force", "roles": ["staff"], "clearance": "BPSS", "password": "tangerine kettle harbour"});
    let cases = [
        ("organisation", json!({"organisation": "No Such Force"})),
        ("roles", json!({"roles": ["gold"]})),
        ("clearance", json!({"clearance": "TS"})),
        ("password", json!({"password": "password1234"})),
        ("password", json!({"password": "short"})),
        ("email", json!({"email": "jo@police.example"})),
        ("email", json!({"email": "not-an-address"})),
    ];
    for (field, patch) in cases {
        let mut body = good.clone();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, resp) = app.send_as(&token, Method::POST, "/api/v1/users", body).await;
        assert_eq!(status, 422, "{field}: {resp}");
        assert_eq!(resp["error"]["field"], field, "{resp}");
    }
    let (status, resp) =
        app.send_as(&token, Method::POST, "/api/v1/organisations", json!({"name": "X", "kind": "army"})).await;
    assert_eq!((status, resp["error"]["field"].as_str()), (422, Some("kind")));
    let (status, resp) = app.send_as(&token, Method::POST, "/api/v1/users", json!({"email": "x@y.uk"})).await;
    assert_eq!(status, 400, "{resp}");
    assert_eq!(app.store.journal_len().await.unwrap(), before, "nothing changed");
    // And the good one works, by API, by an administrator only.
    let (status, created) = app.send_as(&token, Method::POST, "/api/v1/users", good.clone()).await;
    assert_eq!(status, 201, "{created}");
    let staff_token = app.token(&app.store.identity().user_by_email("jo@police.example").await.unwrap().unwrap()).await;
    let (status, _) = app.send_as(&staff_token, Method::POST, "/api/v1/users", good).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn an_administrator_records_a_threat_level_change_from_the_page() {
    let app = TestApp::spawn().await;
    let admin = app.user("admin@police.example", "Force", &[Role::Administrator], Clearance::Sc).await;
    // Enrol the second factor directly, then sign in with a code.
    let (secret, _) = app.store.identity().begin_totp(&admin.id).await.unwrap();
    let code =
        cordon_store::identity::totp_code_for(&secret, app.db.clock.now() - time::Duration::seconds(30)).unwrap();
    app.store.identity().confirm_totp(&Actor::system(), &admin.id, &code).await.unwrap();
    let code = cordon_store::identity::totp_code_for(&secret, app.db.clock.now()).unwrap();
    let (res, b) = app.sign_in("admin@police.example", PASSWORD, Some(&code)).await;
    assert_eq!(res.status(), 303);
    let html = app.page(&b, "/admin").await.text().await.unwrap();
    let csrf = crate::common::hidden(&html, "csrf_token");
    let today = cordon_domain::reference::format_date(cordon_store::today());
    let post = |form: Vec<(&'static str, String)>| {
        let b = b.clone();
        let app = &app;
        async move {
            app.client
                .post(app.url("/admin/threat-levels"))
                .header("cookie", b.cookie())
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    let res = post(vec![
        ("csrf_token", csrf.clone()),
        ("series", "ni-in-ni".into()),
        ("level", "SEVERE".into()),
        ("effective", "not a date".into()),
        ("note", "n".into()),
    ])
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("id=\"effective-error\""));
    let res = post(vec![
        ("csrf_token", csrf),
        ("series", "ni-in-ni".into()),
        ("level", "SEVERE".into()),
        ("effective", today.clone()),
        ("note", "Announced by the Secretary of State".into()),
    ])
    .await;
    assert_eq!(res.status(), 200);
    let (_, body) = app.get_json("/api/v1/threat-levels/ni-in-ni").await;
    assert_eq!(body["level"], "SEVERE");
    assert_eq!(body["since"], today);
    let _ = cookie;
}
