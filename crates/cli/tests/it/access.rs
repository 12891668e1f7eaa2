//! The access policy on every read path: list, get, search and export return
//! exactly what `domain::access::can` allows, no more and no less.

use crate::common::TestApp;
use cordon_domain::access::{can, Action};
use cordon_domain::event::Event;
use cordon_domain::identity::{Clearance, Role};
use cordon_domain::planned_event::PlannedEventEvent;
use cordon_domain::records::RecordEvent;
use cordon_domain::Marking;
use cordon_store::events::{EventFilter, NewEvent};
use cordon_store::records::Caller;
use cordon_store::Actor;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use reqwest::Method;
use serde_json::json;
use std::collections::BTreeSet;

fn event_body(marking: &str) -> serde_json::Value {
    json!({
        "name": "City Marathon",
        "kind": "sporting",
        "starts_at": "2027-04-26T07:30:00Z",
        "ends_at": "2027-04-26T16:00:00+01:00",
        "venues": [{"name": "Civic Square", "address": "Civic Square, Northshire"}],
        "expected_attendance": 85000,
        "marking": marking,
    })
}

#[tokio::test]
async fn events_are_created_and_hidden_from_those_without_need_to_know() {
    let app = TestApp::spawn().await;
    let secco = app.user("secco@force.example", "Force", &[Role::SecurityCoordinator], Clearance::Sc).await;
    let colleague = app.user("pc@force.example", "Force", &[Role::Staff], Clearance::Sc).await;
    let outsider = app.user("fire@fire.example", "Fire", &[Role::Partner], Clearance::Sc).await;
    let (ts, tc, to) = (app.token(&secco).await, app.token(&colleague).await, app.token(&outsider).await);

    let (status, created) = app.send_as(&ts, Method::POST, "/api/v1/events", event_body("OFFICIAL-SENSITIVE")).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["marking"], "OFFICIAL-SENSITIVE");
    assert_eq!(created["kind"], "sporting");
    assert_eq!(created["ends_at"], "2027-04-26T15:00:00.000000Z", "times are stored in UTC");
    let (status, got) = app.get_as(&ts, &format!("/api/v1/events/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(got["team"][0]["email"], "secco@force.example", "the creator is on the team");

    // Same organisation, cleared, but not in the team: not found, not forbidden.
    let (status, body) = app.get_as(&tc, &format!("/api/v1/events/{id}")).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(app.get_as(&tc, "/api/v1/events").await.1["total"], 0);
    // Another organisation: not found either.
    assert_eq!(app.get_as(&to, &format!("/api/v1/events/{id}")).await.0, 404);
    // A record that does not exist answers the same.
    assert_eq!(app.get_as(&tc, "/api/v1/events/0190aaaa-0000-7000-8000-000000000000").await.0, 404);

    // Add the colleague to the team: now they see it. Adding is a journal event.
    let (status, member) = app
        .send_as(&ts, Method::POST, &format!("/api/v1/events/{id}/team"), json!({"email": "pc@force.example"}))
        .await;
    assert_eq!(status, 201, "{member}");
    assert_eq!(app.store.recent_entries(1).await.unwrap()[0].kind, "team_member_added");
    assert_eq!(app.get_as(&tc, &format!("/api/v1/events/{id}")).await.0, 200);
    // Only owners manage the team.
    let (status, _) = app
        .send_as(&tc, Method::POST, &format!("/api/v1/events/{id}/team"), json!({"email": "secco@force.example"}))
        .await;
    assert_eq!(status, 403);
    // A user from an organisation the event is not shared with cannot be added.
    let (status, body) = app
        .send_as(&ts, Method::POST, &format!("/api/v1/events/{id}/team"), json!({"email": "fire@fire.example"}))
        .await;
    assert_eq!((status, body["error"]["field"].as_str()), (422, Some("email")));
    // Remove: hidden again.
    let (status, _) =
        app.send_as(&ts, Method::DELETE, &format!("/api/v1/events/{id}/team/pc@force.example"), json!({})).await;
    assert_eq!(status, 204);
    assert_eq!(app.get_as(&tc, &format!("/api/v1/events/{id}")).await.0, 404);

    // Denials and sensitive reads are in the access log, which verifies.
    let log = app.store.ledger_page(cordon_store::Ledger::AccessLog, 0, 10_000).await.unwrap();
    assert!(log.iter().any(|(e, _)| e.kind == "denied" && e.actor == colleague.id.as_str()));
    assert!(log
        .iter()
        .any(|(e, _)| e.kind == "read" && e.actor == secco.id.as_str() && e.marking == "OFFICIAL-SENSITIVE"));
    assert_eq!(app.store.verify_ledger(cordon_store::Ledger::AccessLog, &|_| {}).await.unwrap().fault, None);

    // The page shows the marking in the banner.
    let (_, b) = app.sign_in("secco@force.example", crate::common::PASSWORD, None).await;
    let html = app.page(&b, &format!("/events/{id}")).await.text().await.unwrap();
    assert_eq!(html.matches("marking marking-official-sensitive").count(), 2);
    let html = app.page(&b, "/events").await.text().await.unwrap();
    assert!(html.contains("marking marking-official-sensitive"));
    let (_, bc) = app.sign_in("pc@force.example", crate::common::PASSWORD, None).await;
    assert_eq!(app.page(&bc, &format!("/events/{id}")).await.status(), 404);
}

#[tokio::test]
async fn bad_event_input_names_the_field_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let secco = app.user("secco@force.example", "Force", &[Role::SecurityCoordinator], Clearance::Ctc).await;
    let staff = app.user("pc@force.example", "Force", &[Role::Staff], Clearance::Sc).await;
    let t = app.token(&secco).await;
    let staff_token = app.token(&staff).await;
    let before = app.store.journal_len().await.unwrap();
    let cases = [
        ("ends_at", json!({"ends_at": "2027-04-26T06:00:00Z"})),
        ("expected_attendance", json!({"expected_attendance": -5})),
        ("kind", json!({"kind": "concert"})),
        ("marking", json!({"marking": "TOP SECRET"})),
        ("marking", json!({"marking": "RESTRICTED"})),
        ("marking", json!({"marking": "SECRET"})), // CTC cannot create SECRET
        ("starts_at", json!({"starts_at": "next Tuesday"})),
        ("name", json!({"name": "  "})),
        ("venues", json!({"venues": []})),
    ];
    for (field, patch) in cases {
        let mut body = event_body("OFFICIAL");
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, resp) = app.send_as(&t, Method::POST, "/api/v1/events", body).await;
        assert_eq!(status, 422, "{field}: {resp}");
        assert_eq!(resp["error"]["field"], field, "{resp}");
    }
    let (status, resp) = app.send_as(&t, Method::POST, "/api/v1/events", json!({"name": "x"})).await;
    assert_eq!(status, 400, "{resp}");
    let (status, resp) = app.send_as(&t, Method::POST, "/api/v1/events", json!({"name": 5})).await;
    assert_eq!(status, 400, "{resp}");
    // Staff may read but not create.
    let (status, _) = app.send_as(&staff_token, Method::POST, "/api/v1/events", event_body("OFFICIAL")).await;
    assert_eq!(status, 403);
    assert_eq!(app.store.journal_len().await.unwrap(), before, "nothing changed");
}

#[tokio::test]
async fn secret_is_refused_where_the_deployment_is_not_accredited() {
    let db = crate::common::TestDb::new().await;
    let mut opts = db.options();
    opts.secret_accredited = false;
    let store = cordon_store::Store::open(&opts).await.unwrap();
    let org = store
        .identity()
        .add_organisation(Caller::System(&Actor::system()), "Force", cordon_domain::identity::OrgKind::PoliceForce)
        .await
        .unwrap();
    let user = store
        .identity()
        .add_user(
            Caller::System(&Actor::system()),
            cordon_store::identity::NewUser {
                email: cordon_domain::identity::EmailAddress::parse("dv@force.example").unwrap(),
                name: "DV Holder".into(),
                organisation_id: org.id,
                roles: vec![Role::SecurityCoordinator],
                clearance: Clearance::Dv,
            },
            crate::common::PASSWORD,
        )
        .await
        .unwrap();
    let viewer = store.identity().viewer(&user).await.unwrap();
    let new = NewEvent {
        name: "x".into(),
        kind: "other".into(),
        starts_at: "2027-01-01T10:00:00Z".into(),
        ends_at: "2027-01-01T11:00:00Z".into(),
        venues: vec![cordon_domain::planned_event::Venue { name: "v".into(), address: String::new() }],
        expected_attendance: 10,
        marking: "SECRET".into(),
    };
    match store.events().create_event(&user, &viewer, new).await {
        Err(cordon_store::StoreError::Invalid { field, message }) => {
            assert_eq!(field, "marking");
            assert!(message.contains("accredited"), "{message}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn lists_filter_and_paginate() {
    let app = TestApp::spawn().await;
    let secco = app.user("secco@force.example", "Force", &[Role::SecurityCoordinator], Clearance::Sc).await;
    let t = app.token(&secco).await;
    for i in 0..7 {
        let mut body = event_body("OFFICIAL");
        body["name"] = json!(format!("Event {i}"));
        body["kind"] = json!(if i % 2 == 0 { "sporting" } else { "protest" });
        body["starts_at"] = json!(format!("2027-05-0{}T10:00:00Z", i + 1));
        body["ends_at"] = json!(format!("2027-05-0{}T12:00:00Z", i + 1));
        assert_eq!(app.send_as(&t, Method::POST, "/api/v1/events", body).await.0, 201);
    }
    let (_, page) = app.get_as(&t, "/api/v1/events?limit=3&offset=3").await;
    assert_eq!(page["total"], 7);
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
    assert_eq!(page["items"][0]["name"], "Event 3");
    let (_, p) = app.get_as(&t, "/api/v1/events?kind=protest").await;
    assert_eq!(p["total"], 3);
    let (_, p) = app.get_as(&t, "/api/v1/events?status=planning&from=2027-05-05&to=2027-05-07").await;
    assert_eq!(p["total"], 2, "{p}");
    let (_, p) = app.get_as(&t, "/api/v1/search?q=event%205").await;
    assert_eq!(p["total"], 1);
    for bad in ["kind=concert", "status=done", "from=tomorrow", "limit=0", "limit=1000", "offset=-1"] {
        let (status, body) = app.get_as(&t, &format!("/api/v1/events?{bad}")).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(body["error"]["field"], bad.split('=').next().unwrap());
    }
}

/// A generated world: organisations, users with roles, clearances and teams,
/// and marked records, some shared, each with plan items of their own
/// markings (never below the record's).
#[derive(Debug, Clone)]
struct World {
    users: Vec<(usize, Clearance, bool)>,
    records: Vec<GeneratedRecord>,
}

/// A record: its organisation, marking, the organisations it is shared
/// with, its team (users by index) and the markings of its plan items.
type GeneratedRecord = (usize, Marking, Vec<usize>, Vec<usize>, Vec<Marking>);

fn world() -> impl Strategy<Value = World> {
    let clearance = proptest::sample::select(Clearance::ALL.to_vec());
    let marking = || proptest::sample::select(Marking::ALL.to_vec());
    (
        proptest::collection::vec((0..3usize, clearance, proptest::bool::weighted(0.85)), 2..6),
        proptest::collection::vec(
            (
                0..3usize,
                marking(),
                proptest::collection::vec(0..3usize, 0..2),
                proptest::collection::vec(0..6usize, 0..3),
                proptest::collection::vec(marking(), 0..3),
            ),
            1..7,
        ),
    )
        .prop_map(|(users, records)| World { users, records })
}

/// Many worlds, shrunk to the smallest that fails: every record kind (the
/// records layer's `RecordKind::ALL`) and every item marking, over the store
/// and over HTTP, on whichever database the test run uses.
#[test]
fn what_each_user_gets_is_exactly_what_the_policy_allows() {
    assert_eq!(
        cordon_domain::records::RecordKind::ALL,
        &[cordon_domain::records::RecordKind::Event, cordon_domain::records::RecordKind::Advice],
        "a new record kind needs its read paths here"
    );
    let cases = std::env::var("CORDON_ACCESS_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(8);
    let mut runner = TestRunner::new(Config { cases, max_shrink_iters: 64, ..Config::default() });
    let rt = tokio::runtime::Runtime::new().unwrap();
    let result =
        runner.run(&world(), |w| rt.block_on(check_world(w)).map_err(proptest::test_runner::TestCaseError::fail));
    if let Err(e) = result {
        panic!("{e}");
    }
}

async fn check_world(w: World) -> Result<(), String> {
    {
        let app = TestApp::spawn().await;
        let orgs = [app.org("Org A").await, app.org("Org B").await, app.org("Org C").await];
        let mut users = Vec::new();
        for (i, (org, clearance, _)) in w.users.iter().enumerate() {
            users.push(
                app.user(&format!("u{i}@example.org"), &orgs[*org].name, &[Role::SecurityCoordinator], *clearance)
                    .await,
            );
        }
        // Records are written straight to the journal so every combination occurs.
        let mut ids = Vec::new();
        let mut advice_ids = Vec::new();
        let mut item_markings = Vec::new();
        for (i, (org, marking, shares, team, items)) in w.records.iter().enumerate() {
            let id = cordon_domain::ids::EventId::generate();
            let mut events = vec![(
                Event::PlannedEvent(PlannedEventEvent::PlannedEventCreated {
                    event: cordon_domain::planned_event::PlannedEvent {
                        id: id.clone(),
                        name: format!("Record {i} searchable"),
                        kind: cordon_domain::planned_event::EventKind::Other,
                        starts_at: format!("2027-01-{:02}T10:00:00Z", i + 1).parse().unwrap(),
                        ends_at: format!("2027-01-{:02}T12:00:00Z", i + 1).parse().unwrap(),
                        venues: vec![],
                        expected_attendance: 1,
                        marking: *marking,
                        organisation_id: orgs[*org].id.clone(),
                    },
                    created_by: "test".parse().unwrap(),
                }),
                *marking,
            )];
            for s in shares.iter().collect::<BTreeSet<_>>() {
                if *s != *org {
                    events.push((
                        Event::Records(RecordEvent::RecordShared {
                            record_id: (&id).into(),
                            organisation_id: orgs[*s].id.clone(),
                        }),
                        *marking,
                    ));
                }
            }
            for m in team.iter().collect::<BTreeSet<_>>() {
                if let Some(u) = users.get(*m) {
                    events.push((
                        Event::Records(RecordEvent::TeamMemberAdded { record_id: (&id).into(), user_id: u.id.clone() }),
                        *marking,
                    ));
                }
            }
            // Plan items, each of its own marking (never below the record's).
            let mut names = Vec::new();
            for (j, m) in items.iter().enumerate() {
                let m = (*m).max(*marking);
                let name = format!("Item {i}-{j} {m}");
                let item = cordon_domain::plan::PlanItem::Stakeholder(cordon_domain::plan::Stakeholder {
                    id: format!("s{j}"),
                    name: name.clone(),
                    organisation: "Council".into(),
                    role: String::new(),
                });
                events.push((
                    Event::Plan(cordon_domain::plan::PlanEvent::PlanItemSaved {
                        event_id: id.clone(),
                        item,
                        marking: Some(m).filter(|m| m > marking),
                    }),
                    m,
                ));
                names.push((name, m));
            }
            // An advice record held the same way: same organisation, marking, shares and team.
            let advice_id = cordon_domain::ids::AdviceId::generate();
            events.push((
                Event::Advice(cordon_domain::advice::AdviceEvent::AdviceRecorded {
                    advice: cordon_domain::advice::NewAdvice {
                        id: advice_id.clone(),
                        kind: cordon_domain::advice::AdviceKind::SecurityAdvice,
                        content: cordon_domain::advice::AdviceContent {
                            subject: format!("Advice {i}"),
                            ..Default::default()
                        },
                        marking: *marking,
                        organisation_id: orgs[*org].id.clone(),
                        created_by: "test".parse().unwrap(),
                    },
                }),
                *marking,
            ));
            let advice_record: cordon_domain::ids::RecordId = (&advice_id).into();
            for s in shares.iter().collect::<BTreeSet<_>>() {
                if *s != *org {
                    events.push((
                        Event::Records(RecordEvent::RecordShared {
                            record_id: advice_record.clone(),
                            organisation_id: orgs[*s].id.clone(),
                        }),
                        *marking,
                    ));
                }
            }
            for m in team.iter().collect::<BTreeSet<_>>() {
                if let Some(u) = users.get(*m) {
                    events.push((
                        Event::Records(RecordEvent::TeamMemberAdded {
                            record_id: advice_record.clone(),
                            user_id: u.id.clone(),
                        }),
                        *marking,
                    ));
                }
            }
            app.store.append(&Actor::system(), &events).await.unwrap();
            item_markings.push(names);
            ids.push(id);
            advice_ids.push(advice_id);
        }
        // Some users are disabled.
        for (i, (_, _, active)) in w.users.iter().enumerate() {
            if !active {
                app.store
                    .identity()
                    .set_user_active(Caller::System(&Actor::system()), &users[i].id, false)
                    .await
                    .unwrap();
            }
        }
        let access = crate::common::record_access(&app.db).await;
        let deployment = app.store.deployment();
        for u in &users {
            let u = app.store.identity().user(&u.id).await.unwrap().unwrap();
            let viewer = app.store.identity().viewer(&u).await.unwrap();
            let allowed_of = |kind| -> BTreeSet<String> {
                access
                    .iter()
                    .filter(|r| r.kind == kind && can(&viewer, Action::READ, r, deployment).is_ok())
                    .map(|r| r.record_id.to_string())
                    .collect()
            };
            let allowed = allowed_of(cordon_domain::records::RecordKind::Event);
            // Advice and reviews: the list and each record, exactly as the policy allows.
            let allowed_advice = allowed_of(cordon_domain::records::RecordKind::Advice);
            let (advice, advice_total) = app.store.advice().list(&viewer, 100, 0).await.unwrap();
            let advice: BTreeSet<String> = advice.into_iter().map(|a| a.id.to_string()).collect();
            assert_eq!(advice, allowed_advice, "advice list for {}: {w:?}", u.email);
            assert_eq!(advice_total as usize, allowed_advice.len());
            for id in &advice_ids {
                let got = app.store.advice().get(&viewer, id).await.is_ok();
                assert_eq!(got, allowed_advice.contains(id.as_str()), "get advice {id} for {}", u.email);
            }
            let (listed, total) = app
                .store
                .events()
                .events_visible(&viewer, &EventFilter { limit: 100, ..Default::default() })
                .await
                .unwrap();
            let listed: BTreeSet<String> = listed.into_iter().map(|e| e.id.to_string()).collect();
            assert_eq!(listed, allowed, "list for {}: {w:?}", u.email);
            assert_eq!(total as usize, allowed.len());
            let searched: BTreeSet<String> = app
                .store
                .events()
                .events_visible(
                    &viewer,
                    &EventFilter { q: Some("searchable".into()), limit: 100, ..Default::default() },
                )
                .await
                .unwrap()
                .0
                .into_iter()
                .map(|e| e.id.to_string())
                .collect();
            assert_eq!(searched, allowed, "search for {}", u.email);
            let exported: BTreeSet<String> = app
                .store
                .events()
                .export_events(&viewer)
                .await
                .unwrap()
                .into_iter()
                .map(|e| e.id.to_string())
                .collect();
            assert_eq!(exported, allowed, "export for {}", u.email);
            for id in &ids {
                let got = app.store.events().event_for(&viewer, id).await.is_ok();
                assert_eq!(got, allowed.contains(id.as_str()), "get {id} for {}", u.email);
            }
            // Item by item: the plan holds exactly the items `can` allows at their own markings.
            for (id, items) in ids.iter().zip(&item_markings) {
                if !allowed.contains(id.as_str()) {
                    continue;
                }
                let record = access.iter().find(|r| r.record_id.as_str() == id.as_str()).unwrap();
                let expected: BTreeSet<String> = items
                    .iter()
                    .filter(|(_, m)| {
                        let mut a = record.clone();
                        a.marking = *m;
                        can(&viewer, Action::READ, &a, deployment).is_ok()
                    })
                    .map(|(n, _)| n.clone())
                    .collect();
                let view = app.store.plan().plan_view(&viewer, id).await.unwrap();
                let got: BTreeSet<String> = view.plan.stakeholders.iter().map(|s| s.name.clone()).collect();
                assert_eq!(got, expected, "items of {id} for {}: {w:?}", u.email);
                assert_eq!(view.withheld, items.len() - expected.len());
            }
            // And over HTTP, for active users: the API says the same.
            if u.active {
                let token = app.token(&u).await;
                let (_, list) = app.get_as(&token, "/api/v1/events?limit=100").await;
                let api: BTreeSet<String> =
                    list["items"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_string()).collect();
                assert_eq!(api, allowed, "API list for {}", u.email);
                let csv = app
                    .client
                    .get(app.url("/api/v1/events/export"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                for id in &ids {
                    assert_eq!(
                        csv.contains(id.as_str()),
                        allowed.contains(id.as_str()),
                        "export of {id} for {}",
                        u.email
                    );
                }
                for (id, items) in ids.iter().zip(&item_markings) {
                    let (status, _) = app.get_as(&token, &format!("/api/v1/events/{id}")).await;
                    assert_eq!(status == 200, allowed.contains(id.as_str()));
                    assert!(status == 200 || status == 404, "never 403 on read: {status}");
                    let (status, plan) = app.get_as(&token, &format!("/api/v1/events/{id}/plan")).await;
                    assert_eq!(status == 200, allowed.contains(id.as_str()));
                    if status == 200 {
                        let record = access.iter().find(|r| r.record_id.as_str() == id.as_str()).unwrap();
                        for (name, m) in items {
                            let mut a = record.clone();
                            a.marking = *m;
                            let may = can(&viewer, Action::READ, &a, deployment).is_ok();
                            assert_eq!(
                                plan.to_string().contains(name.as_str()),
                                may,
                                "API plan item {name} for {}",
                                u.email
                            );
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

#[tokio::test]
async fn every_list_paginates_the_same_way_and_names_a_bad_limit_or_offset() {
    let app = TestApp::spawn().await;
    let admin = app.user("admin@force.example", "Force", &[Role::Administrator], Clearance::Sc).await;
    app.second_factor(&admin).await;
    let secco = app.user("secco@force.example", "Force", &[Role::SecurityCoordinator], Clearance::Sc).await;
    let (admin, secco) = (app.token(&admin).await, app.token(&secco).await);
    assert_eq!(app.send_as(&secco, Method::POST, "/api/v1/events", event_body("OFFICIAL")).await.0, 201);
    let bad = [
        (&secco, "/api/v1/search?q=x&limit=abc", "limit"),
        (&secco, "/api/v1/search?q=x&offset=-1", "offset"),
        (&secco, "/api/v1/search?q=x&limit=101", "limit"),
        (&admin, "/api/v1/users?limit=abc", "limit"),
        (&admin, "/api/v1/users?offset=x", "offset"),
        (&admin, "/api/v1/users?limit=0", "limit"),
        (&secco, "/api/v1/events?offset=-1", "offset"),
        (&secco, "/api/v1/events?limit=abc", "limit"),
    ];
    for (token, path, field) in bad {
        let (status, body) = app.get_as(token, path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["error"]["code"], "bad_request", "{path}: {body}");
        assert_eq!(body["error"]["field"], field, "{path}: {body}");
    }
    // The same defaults everywhere: 25 from the start; a page is honoured.
    for (token, path, total) in
        [(&secco, "/api/v1/search?q=marathon", 1), (&admin, "/api/v1/users", 2), (&secco, "/api/v1/events", 1)]
    {
        let (status, body) = app.get_as(token, path).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!((body["limit"].as_i64(), body["offset"].as_i64()), (Some(25), Some(0)), "{path}: {body}");
        assert_eq!(body["total"], total, "{path}: {body}");
    }
    let (_, body) = app.get_as(&admin, "/api/v1/users?limit=1&offset=1").await;
    assert_eq!((body["limit"].as_i64(), body["offset"].as_i64()), (Some(1), Some(1)), "{body}");
    assert_eq!(body["items"].as_array().unwrap().len(), 1, "{body}");
    let (_, body) = app.get_as(&secco, "/api/v1/search?q=marathon&offset=1").await;
    assert_eq!((body["total"].as_i64(), body["items"].as_array().map(Vec::len)), (Some(1), Some(0)), "{body}");
}
