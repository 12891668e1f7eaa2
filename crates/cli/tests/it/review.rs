//! Regression tests for findings of the security review (the access issue),
//! each over HTTP.

use crate::common::{TestApp, PASSWORD};
use cordon_domain::identity::{Clearance, Role};
use cordon_store::records::Caller;
use cordon_store::Actor;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn sign_in_sends_people_only_to_paths_on_this_site() {
    let app = TestApp::spawn().await;
    app.user("jo@police.example", "Force", &[Role::Staff], Clearance::Bpss).await;
    let (_, b) = app.sign_in("jo@police.example", PASSWORD, None).await;
    for next in
        ["/%09/evil.example/x", "/%0A/evil.example", "//evil.example", "/%5Cevil.example", "https://evil.example"]
    {
        let res = app
            .client
            .get(app.url(&format!("/sign-in?next={next}")))
            .header("cookie", b.cookie())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "{next}: never a 500");
        assert_eq!(res.headers()["location"], "/", "{next}");
    }
    let res = app.client.get(app.url("/sign-in?next=/events")).header("cookie", b.cookie()).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/events");
}

#[tokio::test]
async fn an_administrator_cannot_raise_their_own_access() {
    let app = TestApp::spawn().await;
    let admin = app.user("admin@police.example", "Force", &[Role::Administrator], Clearance::Sc).await;
    let other = app.user("admin2@police.example", "Force", &[Role::Administrator], Clearance::Sc).await;
    let store = app.store.identity();
    let err = store
        .change_user(
            Caller::System(&Actor::new(&admin.id, &admin.organisation_id)),
            &admin.id,
            "Admin",
            &admin.organisation_id,
            vec![Role::Administrator],
            Clearance::Dv,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, cordon_store::StoreError::Forbidden(_)), "{err:?}");
    assert_eq!(store.user(&admin.id).await.unwrap().unwrap().clearance, Clearance::Sc, "nothing changed");
    // Renaming oneself is fine; another administrator may raise the clearance.
    store
        .change_user(
            Caller::System(&Actor::new(&admin.id, &admin.organisation_id)),
            &admin.id,
            "Renamed",
            &admin.organisation_id,
            vec![Role::Administrator],
            Clearance::Sc,
        )
        .await
        .unwrap();
    store
        .change_user(
            Caller::System(&Actor::new(&other.id, &other.organisation_id)),
            &admin.id,
            "Renamed",
            &admin.organisation_id,
            vec![Role::Administrator],
            Clearance::Dv,
        )
        .await
        .unwrap();
    assert_eq!(store.user(&admin.id).await.unwrap().unwrap().clearance, Clearance::Dv);
    let err = store
        .set_user_active(Caller::System(&Actor::new(&admin.id, &admin.organisation_id)), &admin.id, false)
        .await
        .unwrap_err();
    assert!(matches!(err, cordon_store::StoreError::Forbidden(_)), "nobody disables their own account");
}

#[tokio::test]
async fn api_tokens_end_with_a_password_change_and_with_a_disabled_account() {
    let app = TestApp::spawn().await;
    let jo = app.user("jo@police.example", "Force", &[Role::SecurityCoordinator], Clearance::Sc).await;
    let token = app.token(&jo).await;
    assert_eq!(app.get_as(&token, "/api/v1/me").await.0, 200);
    app.store.identity().change_password(&Actor::system(), &jo.id, None, "a brand new passphrase here").await.unwrap();
    assert_eq!(app.get_as(&token, "/api/v1/me").await.0, 401, "the password change revoked the token");

    let token = app.token(&jo).await;
    assert_eq!(app.get_as(&token, "/api/v1/me").await.0, 200);
    app.store.identity().set_user_active(Caller::System(&Actor::system()), &jo.id, false).await.unwrap();
    app.store.identity().set_user_active(Caller::System(&Actor::system()), &jo.id, true).await.unwrap();
    assert_eq!(
        app.get_as(&token, "/api/v1/me").await.0,
        401,
        "disabling revoked it, and enabling does not bring it back"
    );
    // The journal says so: a replay gives the same state.
    let report = app.store.rebuild(false).await.unwrap();
    assert!(report.equal, "{:?}", report.differences);
}

#[tokio::test]
async fn changing_a_version_of_an_event_that_does_not_exist_is_404() {
    let app = TestApp::spawn().await;
    let jo = app.user("jo@police.example", "Force", &[Role::SecurityCoordinator], Clearance::Sc).await;
    let token = app.token(&jo).await;
    for method in [Method::PATCH, Method::DELETE, Method::PUT] {
        let (status, body) =
            app.send_as(&token, method.clone(), "/api/v1/events/no-such-event/plan/versions/1", json!({})).await;
        assert_eq!(status, 404, "{method}: {body}");
    }
}

#[tokio::test]
async fn a_request_id_is_echoed_only_when_it_is_a_short_safe_token() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/healthz")).header("x-request-id", "abc-123_X.9").send().await.unwrap();
    assert_eq!(res.headers()["x-request-id"], "abc-123_X.9");
    for bad in ["a b", "<script>", &"x".repeat(65), "id\u{202e}"] {
        let res = app.client.get(app.url("/healthz")).header("x-request-id", bad).send().await;
        let Ok(res) = res else { continue }; // a header the client itself cannot send
        let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
        assert_ne!(id, bad);
        assert_eq!(id.len(), 36, "the server made its own: {id}");
    }
}

#[tokio::test]
async fn the_public_threat_levels_never_show_an_internal_user_id() {
    let app = TestApp::spawn().await;
    let admin = app.user("admin@police.example", "Force", &[Role::Administrator], Clearance::Sc).await;
    app.store
        .threat()
        .record_threat_level(
            Caller::System(&Actor::new(&admin.id, &admin.organisation_id)),
            cordon_domain::threat::Series::National,
            cordon_domain::threat::ThreatLevel::Substantial,
            cordon_store::today(),
            "Lowered",
        )
        .await
        .unwrap();
    let page = app.get("/threat-levels").await.text().await.unwrap();
    assert!(!page.contains(admin.id.as_str()), "the page names no internal id");
    assert!(page.contains("Recorded in Cordon by an administrator"));
    let (_, api) = app.get_json("/api/v1/threat-levels/national/history").await;
    assert!(!api.to_string().contains(admin.id.as_str()));
}

#[tokio::test]
async fn only_the_team_owners_name_commanders_and_no_form_tells_who_exists() {
    let app = TestApp::spawn().await;
    let secco = app.user("secco@force.example", "Force", &[Role::SecurityCoordinator], Clearance::Sc).await;
    app.user("gold@force.example", "Force", &[Role::StrategicCommander], Clearance::Sc).await;
    app.user("gold2@force.example", "Force", &[Role::StrategicCommander], Clearance::Sc).await;
    let estates = app.user("estates@force.example", "Force", &[Role::EstatesManager], Clearance::Sc).await;
    let polsa = app.user("polsa@force.example", "Force", &[Role::TacticalAdviser], Clearance::Sc).await;
    let gone = app.user("gone@force.example", "Force", &[Role::StrategicCommander], Clearance::Sc).await;
    app.store.identity().set_user_active(Caller::System(&Actor::system()), &gone.id, false).await.unwrap();
    app.user("other@elsewhere.example", "Elsewhere", &[Role::StrategicCommander], Clearance::Sc).await;
    let (secco_t, estates_t, polsa_t) = (app.token(&secco).await, app.token(&estates).await, app.token(&polsa).await);
    let (status, e) = app
        .send_as(
            &secco_t,
            Method::POST,
            "/api/v1/events",
            json!({"name": "Parade", "kind": "other", "starts_at": "2027-05-01T10:00:00Z", "ends_at": "2027-05-01T12:00:00Z",
                   "venues": [{"name": "Park", "address": "NS1"}], "expected_attendance": 100, "marking": "OFFICIAL"}),
        )
        .await;
    assert_eq!(status, 201, "{e}");
    let id = e["id"].as_str().unwrap();
    let commanders = format!("/api/v1/events/{id}/commanders");
    // Neither an estates manager nor a tactical adviser is on the team: neither may name commanders.
    let (status, _) =
        app.send_as(&estates_t, Method::PUT, &commanders, json!({"silver_email": "estates@force.example"})).await;
    assert_eq!(status, 403, "an estates manager not on the team cannot name themselves Silver");
    let (status, _) =
        app.send_as(&polsa_t, Method::PUT, &commanders, json!({"gold_email": "gold2@force.example"})).await;
    assert_eq!(status, 403);
    let (_, ev) = app.get_as(&secco_t, &format!("/api/v1/events/{id}")).await;
    assert_eq!(ev["team"].as_array().unwrap().len(), 1, "nobody was added to the team");
    // The owner may; and every address that cannot be named gets the same message.
    let (status, _) =
        app.send_as(&secco_t, Method::PUT, &commanders, json!({"gold_email": "gold@force.example"})).await;
    assert_eq!(status, 200);
    let mut messages = std::collections::BTreeSet::new();
    for who in ["nobody@force.example", "gone@force.example", "other@elsewhere.example", "estates@force.example"] {
        let (status, body) = app.send_as(&secco_t, Method::PUT, &commanders, json!({"gold_email": who})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("gold_email")), "{who}: {body}");
        messages.insert(body["error"]["message"].as_str().unwrap().replace(who, "ADDRESS"));
    }
    assert_eq!(messages.len(), 1, "one message for any address: {messages:?}");
    let mut messages = std::collections::BTreeSet::new();
    for who in ["nobody@force.example", "gone@force.example", "other@elsewhere.example"] {
        let (status, body) =
            app.send_as(&secco_t, Method::POST, &format!("/api/v1/events/{id}/team"), json!({"email": who})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("email")), "{who}: {body}");
        messages.insert(body["error"]["message"].as_str().unwrap().replace(who, "ADDRESS"));
    }
    assert_eq!(messages.len(), 1, "one message for any address: {messages:?}");
}

#[tokio::test]
async fn an_administrator_without_a_second_factor_administers_nothing_through_a_token() {
    let app = TestApp::spawn().await;
    let admin = app.user("admin@police.example", "Force", &[Role::Administrator], Clearance::Sc).await;
    // A token made for them outside the pages (as `cordon token issue` would).
    let token = app.token(&admin).await;
    let (status, body) = app.get_as(&token, "/api/v1/users").await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("second_factor_required")), "{body}");
    let (status, _) =
        app.send_as(&token, Method::PATCH, &format!("/api/v1/users/{}", admin.id), json!({"clearance": "DV"})).await;
    assert_eq!(status, 403);
    assert_eq!(app.store.identity().user(&admin.id).await.unwrap().unwrap().clearance, Clearance::Sc);
    let (status, _) = app.send_as(&token, Method::POST, "/api/v1/tokens", json!({"name": "more"})).await;
    assert_eq!(status, 403, "no token issues another");
    // From the account page they cannot make a token either.
    let (_, b) = app.sign_in("admin@police.example", PASSWORD, None).await;
    let html = app.page(&b, "/account").await.text().await.unwrap();
    let csrf = crate::common::hidden(&html, "csrf_token");
    let res = app
        .client
        .post(app.url("/account/tokens"))
        .header("cookie", b.cookie())
        .form(&[("csrf_token", csrf.as_str()), ("name", "script"), ("expires_days", "30")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("Set up two-step verification"));
    assert_eq!(app.store.identity().tokens_of(&admin.id).await.unwrap().len(), 1, "only the one made outside");
    // With a second factor, the same token works.
    app.second_factor(&admin).await;
    assert_eq!(app.get_as(&token, "/api/v1/users").await.0, 200);
}

#[tokio::test]
async fn one_second_factor_code_signs_in_once_even_when_sent_six_times_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.user("admin@police.example", "Force", &[Role::Administrator], Clearance::Sc).await;
    let identity = app.store.identity();
    let (secret, _) = identity.begin_totp(&admin.id).await.unwrap();
    // Confirm with the previous step's code, so the current one is unused.
    let earlier =
        cordon_store::identity::totp_code_for(&secret, app.db.clock.now() - time::Duration::seconds(30)).unwrap();
    identity.confirm_totp(&Actor::system(), &admin.id, &earlier).await.unwrap();
    let code = cordon_store::identity::totp_code_for(&secret, app.db.clock.now()).unwrap();
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let store = app.store.clone();
        let code = code.clone();
        tasks.push(tokio::spawn(async move {
            store.identity().sign_in("admin@police.example", PASSWORD, Some(&code), "127.0.0.1").await.is_ok()
        }));
    }
    let mut signed_in = 0;
    for t in tasks {
        signed_in += t.await.unwrap() as usize;
    }
    assert_eq!(signed_in, 1, "the code was used once");
}
