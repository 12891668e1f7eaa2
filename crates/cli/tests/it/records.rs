//! The records layer and the access findings it fixes (1, 4, 9 and the
//! administrator checks), each over HTTP.

use crate::common::TestApp;
use cordon_domain::identity::{Clearance, Role};
use reqwest::Method;
use serde_json::{json, Value};

async fn create_event(app: &TestApp, token: &str, name: &str, marking: &str) -> String {
    let (status, e) = app
        .send_as(
            token,
            Method::POST,
            "/api/v1/events",
            json!({"name": name, "kind": "protest", "starts_at": "2027-06-01T10:00:00Z", "ends_at": "2027-06-01T12:00:00Z",
                   "venues": [{"name": "Park", "address": ""}], "expected_attendance": 500, "marking": marking}),
        )
        .await;
    assert_eq!(status, 201, "{e}");
    e["id"].as_str().unwrap().to_string()
}

fn png(n: u8) -> Vec<u8> {
    [&[0x89u8, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..], &[n; 64][..]].concat()
}

async fn upload(app: &TestApp, token: &str, event: &str, body: Vec<u8>) -> String {
    let res = app
        .client
        .post(app.url(&format!("/api/v1/events/{event}/attachments")))
        .bearer_auth(token)
        .header("content-type", "image/png")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let v: Value = res.json().await.unwrap();
    v["sha256"].as_str().unwrap().to_string()
}

fn visit(sha: &str) -> Value {
    json!({"date": "2027-02-20", "attendees": "SecCo", "areas": "Square", "findings": "Open approach",
           "attachments": [{"id": "a1", "name": "photo.png", "sha256": sha, "content_type": "image/png", "size": 72}]})
}

#[tokio::test]
async fn every_event_has_one_row_in_the_records_table() {
    let app = TestApp::spawn().await;
    let secco = app.user("secco@police.example", "Force", &[Role::SecurityCoordinator], Clearance::Sc).await;
    let token = app.token(&secco).await;
    let id = create_event(&app, &token, "Parade", "OFFICIAL-SENSITIVE").await;
    let rows =
        app.db.sql(&format!("SELECT kind, marking, organisation_id FROM records WHERE id = '{id}'")).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].text(0), "event");
    assert_eq!(rows[0].text(1), "OFFICIAL-SENSITIVE");
    assert_eq!(rows[0].text(2), secco.organisation_id.as_str());
}

#[tokio::test]
async fn a_plan_is_never_copied_into_an_event_marked_lower() {
    let app = TestApp::spawn().await;
    let secco = app.user("secco@police.example", "Force", &[Role::SecurityCoordinator], Clearance::Sc).await;
    let token = app.token(&secco).await;
    let sensitive = create_event(&app, &token, "Sensitive source", "OFFICIAL-SENSITIVE").await;
    let (status, _) = app
        .send_as(
            &token,
            Method::POST,
            &format!("/api/v1/events/{sensitive}/plan/stakeholder"),
            json!({"name": "Council", "organisation": "Council", "role": "Licensing"}),
        )
        .await;
    assert!(status == 200 || status == 201, "{status}");
    let official = create_event(&app, &token, "Official target", "OFFICIAL").await;
    let before = app.store.journal_len().await.unwrap();
    let (status, body) = app
        .send_as(
            &token,
            Method::POST,
            &format!("/api/v1/events/{official}/plan/copy-from"),
            json!({"source_event_id": sensitive}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["field"], "source_event_id");
    assert_eq!(app.store.journal_len().await.unwrap(), before, "nothing changed");
    // The empty plan's page offers only sources this event can hold.
    let (_, b) = app.sign_in("secco@police.example", crate::common::PASSWORD, None).await;
    let page = app.page(&b, &format!("/events/{official}/plan")).await.text().await.unwrap();
    assert!(!page.contains("Sensitive source"), "a higher-marked plan is not offered as a source");
}

#[tokio::test]
async fn an_attachment_belongs_to_the_event_it_was_uploaded_to() {
    let app = TestApp::spawn().await;
    let secco = app.user("secco@police.example", "Force", &[Role::SecurityCoordinator], Clearance::Sc).await;
    let other = app.user("ctsa@other.example", "Other Force", &[Role::SecurityAdviser], Clearance::Sc).await;
    let (t1, t2) = (app.token(&secco).await, app.token(&other).await);
    let marathon = create_event(&app, &t1, "Marathon", "OFFICIAL-SENSITIVE").await;
    let theirs = create_event(&app, &t2, "Their event", "OFFICIAL-SENSITIVE").await;
    let sha = upload(&app, &t1, &marathon, png(7)).await;
    let (status, _) =
        app.send_as(&t1, Method::POST, &format!("/api/v1/events/{marathon}/plan/recon_visit"), visit(&sha)).await;
    assert!(status == 200 || status == 201, "{status}");

    // Another force's adviser cites the hash in their own event: refused, in
    // the same words as for a hash that was never uploaded anywhere.
    let before = app.store.journal_len().await.unwrap();
    let (status, cited) =
        app.send_as(&t2, Method::POST, &format!("/api/v1/events/{theirs}/plan/recon_visit"), visit(&sha)).await;
    assert_eq!(status, 422, "{cited}");
    let unknown = "0".repeat(64);
    let (status, never) =
        app.send_as(&t2, Method::POST, &format!("/api/v1/events/{theirs}/plan/recon_visit"), visit(&unknown)).await;
    assert_eq!(status, 422);
    assert_eq!(cited["error"]["message"], never["error"]["message"], "no existence oracle");
    assert_eq!(app.store.journal_len().await.unwrap(), before);

    // Nor can they fetch it through their own event.
    let res = app
        .client
        .get(app.url(&format!("/api/v1/events/{theirs}/attachments/{sha}")))
        .bearer_auth(&t2)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // The owner can.
    let res = app
        .client
        .get(app.url(&format!("/api/v1/events/{marathon}/attachments/{sha}")))
        .bearer_auth(&t1)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_removed_team_member_loses_the_attachments_too() {
    let app = TestApp::spawn().await;
    let secco = app.user("secco@police.example", "Force", &[Role::SecurityCoordinator], Clearance::Sc).await;
    app.user("polsa@police.example", "Force", &[Role::TacticalAdviser], Clearance::Sc).await;
    let polsa = app.store.identity().user_by_email("polsa@police.example").await.unwrap().unwrap();
    let (t1, t2) = (app.token(&secco).await, app.token(&polsa).await);
    let event = create_event(&app, &t1, "Marathon", "OFFICIAL-SENSITIVE").await;
    let (status, _) = app
        .send_as(&t1, Method::POST, &format!("/api/v1/events/{event}/team"), json!({"email": "polsa@police.example"}))
        .await;
    assert!(status == 200 || status == 201, "{status}");
    let sha = upload(&app, &t1, &event, png(9)).await;
    app.send_as(&t1, Method::POST, &format!("/api/v1/events/{event}/plan/recon_visit"), visit(&sha)).await;
    let url = app.url(&format!("/api/v1/events/{event}/attachments/{sha}"));
    assert_eq!(app.client.get(&url).bearer_auth(&t2).send().await.unwrap().status(), 200);
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/events/{event}/team/polsa@police.example")))
        .bearer_auth(&t1)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    assert_eq!(app.client.get(&url).bearer_auth(&t2).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn an_unknown_id_is_answered_and_logged_as_a_hidden_record_is() {
    let app = TestApp::spawn().await;
    let secco = app.user("secco@police.example", "Force", &[Role::SecurityCoordinator], Clearance::Sc).await;
    let outsider = app.user("staff@police.example", "Force", &[Role::Staff], Clearance::None).await;
    let (t1, t2) = (app.token(&secco).await, app.token(&outsider).await);
    let hidden = create_event(&app, &t1, "Hidden", "OFFICIAL-SENSITIVE").await;
    let unknown = cordon_domain::ids::EventId::generate();
    let count = || async {
        app.db
            .sql(&format!("SELECT COUNT(*) FROM access_log WHERE kind = 'denied' AND actor = '{}'", outsider.id))
            .await
            .unwrap()[0]
            .int(0)
    };
    let (s1, b1) = app.get_as(&t2, &format!("/api/v1/events/{hidden}")).await;
    assert_eq!(count().await, 1);
    let (s2, b2) = app.get_as(&t2, &format!("/api/v1/events/{unknown}")).await;
    assert_eq!(count().await, 2, "the same work for an id that does not exist");
    assert_eq!((s1, s2), (404, 404));
    assert_eq!(b1, b2, "the same answer");
}

#[tokio::test]
async fn administration_is_checked_in_the_store_and_refusals_are_logged() {
    let app = TestApp::spawn().await;
    let staff = app.user("staff@police.example", "Force", &[Role::Staff], Clearance::Sc).await;
    let viewer = app.store.identity().viewer(&staff).await.unwrap();
    let caller = cordon_store::records::Caller::User(&viewer);
    let err = app.store.identity().users(caller, 10, 0).await.unwrap_err();
    assert!(matches!(err, cordon_store::StoreError::Forbidden(_)), "{err:?}");
    let err = app
        .store
        .identity()
        .add_organisation(caller, "Rogue", cordon_domain::identity::OrgKind::PoliceForce)
        .await
        .unwrap_err();
    assert!(matches!(err, cordon_store::StoreError::Forbidden(_)), "{err:?}");
    let log = app
        .db
        .sql(&format!("SELECT stream FROM access_log WHERE kind = 'denied' AND actor = '{}'", staff.id))
        .await
        .unwrap();
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|r| r.text(0) == "identity.administer"));
    // And over HTTP the answer is a 403 in the error shape.
    let token = app.token(&staff).await;
    let (status, body) = app.get_as(&token, "/api/v1/users").await;
    assert_eq!(status, 403, "{body}");
}
