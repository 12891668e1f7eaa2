//! The threat-level API and page (issue: platform foundation, item 4).

use crate::common::TestApp;
use cordon_domain::threat::{Series, ThreatLevel};
use cordon_store::records::Caller;
use cordon_store::Actor;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};

#[tokio::test]
async fn health_is_ok_and_every_response_has_security_headers() {
    let app = TestApp::spawn().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 200);
    let h = res.headers().clone();
    assert_eq!(res.json::<serde_json::Value>().await.unwrap(), serde_json::json!({"status": "ok"}));
    for path in ["/healthz", "/threat-levels", "/api/v1/threat-levels/nowhere", "/no-such-page"] {
        let res = app.get(path).await;
        let h = res.headers();
        let csp = h.get("content-security-policy").expect("CSP").to_str().unwrap();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff", "{path}");
        assert!(h.get("referrer-policy").is_some(), "{path}");
        assert!(h.get("permissions-policy").is_some(), "{path}");
        assert!(h.get("x-request-id").is_some(), "{path}");
        // Not served over TLS here, so no HSTS.
        assert!(h.get("strict-transport-security").is_none(), "{path}");
    }
    assert!(h.get("x-request-id").is_some());
}

/// Review finding 12: /metrics (which shows sign-in failures per route) is
/// only for the operator's scraper, with the configured token.
#[tokio::test]
async fn metrics_are_only_for_the_configured_token() {
    let open = TestApp::spawn().await;
    assert_eq!(open.get("/metrics").await.status(), 404, "no token configured: not served");
    let config = cordon_web::Config { metrics_token: Some("scrape-me-0123456789".into()), ..Default::default() };
    let app = TestApp::spawn_with(config).await;
    app.get("/api/v1/threat-levels").await;
    assert_eq!(app.get("/metrics").await.status(), 404, "no token sent");
    let wrong = app.client.get(app.url("/metrics")).bearer_auth("guess").send().await.unwrap();
    assert_eq!(wrong.status(), 404);
    let res = app.client.get(app.url("/metrics")).bearer_auth("scrape-me-0123456789").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(body.contains("cordon_http_requests_total"), "{body}");
}

/// Review finding 12: a connection that never finishes its request's
/// headers is closed once the header read timeout has passed.
#[tokio::test]
async fn a_connection_that_never_finishes_its_headers_is_closed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let config =
        cordon_web::Config { header_read_timeout: std::time::Duration::from_millis(300), ..Default::default() };
    let app = TestApp::spawn_with(config).await;
    let addr = app.url("").trim_start_matches("http://").trim_end_matches('/').to_string();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: cordon\r\nX-Slow: ").await.unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the server closed the connection instead of waiting for ever");
}

#[tokio::test]
async fn list_gives_every_series_with_its_current_level() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get_json("/api/v1/threat-levels").await;
    assert_eq!(status, 200);
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    let by = |s: &str| items.iter().find(|i| i["series"] == s).unwrap().clone();
    let national = by("national");
    assert!(["LOW", "MODERATE", "SUBSTANTIAL", "SEVERE", "CRITICAL"].contains(&national["level"].as_str().unwrap()));
    assert!(national["response_level"].is_string());
    assert!(national["definition"].is_string());
    assert_eq!(by("ni-in-ni")["level"], "SUBSTANTIAL");
    let gb = by("ni-in-gb");
    assert!(gb["level"].is_null());
    assert_eq!(gb["closed"], "2019-07-23");
    assert_eq!(gb["last_level"], "MODERATE");
}

#[tokio::test]
async fn level_on_a_day_has_the_contract_fields_and_wording_of_the_day() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get_json("/api/v1/threat-levels/national?on=2017-05-24").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["series"], "national");
    assert_eq!(body["level"], "CRITICAL");
    assert_eq!(body["response_level"], "EXCEPTIONAL");
    assert_eq!(body["since"], "2017-05-23");
    assert_eq!(body["definition"], "An attack is expected imminently");

    let (_, body) = app.get_json("/api/v1/threat-levels/national?on=2015-06-01").await;
    assert_eq!(body["level"], "SEVERE");
    assert_eq!(body["since"], "2014-08-29");
    assert_eq!(body["response_level"], "HEIGHTENED");

    // The same SUBSTANTIAL level reads in the wording in force on the day.
    let (_, old) = app.get_json("/api/v1/threat-levels/national?on=2010-01-01").await;
    assert_eq!(old["level"], "SUBSTANTIAL");
    assert_eq!(old["definition"], "An attack is a strong possibility");
    let (_, new) = app.get_json("/api/v1/threat-levels/national?on=2020-06-01").await;
    assert_eq!(new["level"], "SUBSTANTIAL");
    assert_eq!(new["definition"], "An attack is likely");

    let (_, ni) = app.get_json("/api/v1/threat-levels/ni-in-ni?on=2015-01-01").await;
    assert_eq!(ni["level"], "SEVERE");
    let (_, gb) = app.get_json("/api/v1/threat-levels/ni-in-gb?on=2017-01-01").await;
    assert_eq!(gb["level"], "SUBSTANTIAL");
    assert_eq!(gb["since"], "2016-05-11");
    let (_, gb) = app.get_json("/api/v1/threat-levels/ni-in-gb?on=2019-01-01").await;
    assert_eq!(gb["level"], "MODERATE");
    assert_eq!(gb["response_level"], "NORMAL");

    // Without `on`: the current level, with the same shape.
    let (status, cur) = app.get_json("/api/v1/threat-levels/ni-in-ni").await;
    assert_eq!(status, 200);
    assert_eq!(cur["level"], "SUBSTANTIAL");
    assert_eq!(cur["since"], "2024-03-06");
    for f in ["series", "level", "response_level", "since", "definition"] {
        assert!(!cur[f].is_null(), "{f} missing: {cur}");
    }
}

#[tokio::test]
async fn days_outside_a_series_are_404_naming_on() {
    let app = TestApp::spawn().await;
    for path in [
        "/api/v1/threat-levels/national?on=2006-07-31",
        "/api/v1/threat-levels/ni-in-ni?on=2009-01-01",
        "/api/v1/threat-levels/ni-in-gb?on=2010-09-23",
        "/api/v1/threat-levels/ni-in-gb?on=2019-07-24",
        "/api/v1/threat-levels/ni-in-gb?on=2025-01-01",
        "/api/v1/threat-levels/ni-in-gb",
    ] {
        let (status, body) = app.get_json(path).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert_eq!(body["error"]["field"], "on", "{path}: {body}");
        assert_eq!(body["error"]["code"], "not_found");
        assert!(body["error"]["message"].as_str().unwrap().len() > 10);
    }
}

#[tokio::test]
async fn malformed_dates_are_400_naming_on_and_unknown_series_404() {
    let app = TestApp::spawn().await;
    for on in ["2020-13-01", "2020-02-30", "yesterday", "01/02/2020", "2020-1-1", "20200101"] {
        let (status, body) = app.get_json(&format!("/api/v1/threat-levels/national?on={on}")).await;
        assert_eq!(status, 400, "{on}: {body}");
        assert_eq!(body["error"]["field"], "on", "{on}");
        assert_eq!(body["error"]["code"], "bad_request");
    }
    let (status, body) = app.get_json("/api/v1/threat-levels/scotland").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["field"], "series");
    let (status, body) = app.get_json("/api/v1/no-such-thing").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn a_recorded_change_is_served_and_history_grows() {
    let app = TestApp::spawn().await;
    let today = cordon_store::today();
    app.store
        .threat()
        .record_threat_level(
            Caller::System(&Actor::new("admin", "cordon")),
            Series::NiInNi,
            ThreatLevel::Moderate,
            today,
            "Test change",
        )
        .await
        .unwrap();
    let (_, body) = app.get_json("/api/v1/threat-levels/ni-in-ni").await;
    assert_eq!(body["level"], "MODERATE");
    assert_eq!(body["response_level"], "NORMAL");
    assert_eq!(body["since"], cordon_domain::reference::format_date(today));
    let (_, hist) = app.get_json("/api/v1/threat-levels/ni-in-ni/history").await;
    assert_eq!(hist["items"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn the_store_answers_exactly_as_the_domain_rule_for_any_day() {
    let app = TestApp::spawn().await;
    let mut histories = Vec::new();
    for s in Series::ALL {
        histories.push(app.store.threat().series_history(s).await.unwrap());
    }
    let mut runner = TestRunner::new(Config { cases: 120, ..Config::default() });
    let days = (0i64..(365 * 22)).prop_map(|n| time::macros::date!(2005 - 01 - 01) + time::Duration::days(n));
    let strategy = (days, 0..3usize);
    let cases: Vec<_> = (0..120).map(|_| strategy.new_tree(&mut runner).unwrap().current()).collect();
    for (day, i) in cases {
        let h = &histories[i];
        let expected = h.level_on(day).map(|c| (c.level, c.effective));
        let got = app.store.threat().level_on(h.series, Some(day)).await;
        match (expected, got) {
            (Ok((level, since)), Ok(l)) => {
                assert_eq!(l.level, level, "{} on {day}", h.series);
                assert_eq!(l.since, cordon_domain::reference::format_date(since));
            }
            (Err(e), Err(cordon_store::threat::LevelOnError::Lookup(g))) => assert_eq!(e, g),
            (e, g) => panic!("{} on {day}: domain {e:?}, store {g:?}", h.series),
        }
    }
}

#[tokio::test]
async fn the_public_page_shows_each_series_and_the_banner() {
    let app = TestApp::spawn().await;
    let res = app.get("/threat-levels").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert_eq!(html.matches("class=\"marking marking-official\"").count(), 2, "banner top and bottom");
    assert!(html.contains("Skip to main content"));
    for s in Series::PUBLIC {
        assert!(html.contains(s.title()), "{}", s.title());
    }
    // The police sector level is not public.
    assert!(!html.contains(Series::PoliceSector.title()));
    assert!(html.contains("HEIGHTENED"));
    let res = app.get("/threat-levels?on=2017-05-24").await;
    let html = res.text().await.unwrap();
    assert!(html.contains("Levels in force on 24 May 2017"));
    assert!(html.contains("CRITICAL"));
    let res = app.get("/threat-levels?on=2017-02-30").await;
    assert_eq!(res.status(), 400);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"on-error\""));
    assert!(html.contains("aria-describedby=\"on-hint on-error\""));
}

/// A concrete path for a documented template: path parameters become `x`
/// (or a valid value where the router itself needs one).
fn concrete(path: &str) -> String {
    path.replace("{series}", "national")
        .split('/')
        .map(|s| if s.starts_with('{') { "x" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn the_openapi_document_and_the_router_agree() {
    let app = TestApp::spawn().await;
    let (status, doc) = app.get_json("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() > 30, "{} paths", paths.len());
    for (path, ops) in paths {
        let documented: Vec<String> = ops.as_object().unwrap().keys().map(|m| m.to_uppercase()).collect();
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let res = app
                .client
                .request(m, app.url(&format!("/api/v1{}", concrete(path))))
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let body: Value = res.json().await.unwrap_or_default();
            if documented.iter().any(|d| d == method) {
                assert_ne!(status, 405, "{method} {path} is documented but not served");
                assert_ne!(
                    body["error"]["message"], "no such API route",
                    "{method} {path} is documented but not routed"
                );
            } else {
                assert_eq!(status, 405, "{method} {path} is served but not documented (answered {status})");
                assert_eq!(body["error"]["code"], "method_not_allowed", "{method} {path}: {body}");
            }
        }
    }
    let (status, body) = app.get_json("/api/v1/no-such-thing").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn the_openapi_document_describes_real_schemas_and_every_status() {
    let app = TestApp::spawn().await;
    let (_, doc) = app.get_json("/api/v1/openapi.json").await;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            // Every operation can succeed, except those that exist only to
            // refuse (changing an issued version is always 409).
            let only_refuses = responses.keys().all(|s| s.starts_with('4')) && responses.contains_key("409");
            assert!(
                responses.keys().any(|s| s.starts_with('2')) || only_refuses,
                "{method} {path} has no success response"
            );
            for (status, r) in responses {
                if status == "204" {
                    assert!(r.get("content").is_none(), "{method} {path}: a 204 has no body");
                }
                if status.starts_with('4') {
                    let schema = &r["content"]["application/json"]["schema"]["$ref"];
                    assert_eq!(schema, "#/components/schemas/ErrorBody", "{method} {path} {status}");
                }
            }
            if let Some(body) = op.get("requestBody") {
                assert!(responses.contains_key("413"), "{method} {path} takes a body but documents no 413");
                if body["content"].get("application/json").is_some() {
                    assert!(responses.contains_key("415"), "{method} {path} takes JSON but documents no 415");
                    // Text with a character that cannot be accepted is refused, naming the field.
                    assert!(responses.contains_key("422"), "{method} {path} takes JSON but documents no 422");
                }
            }
            let secured = op.get("security").is_some();
            if secured {
                assert!(responses.contains_key("401"), "{method} {path} needs credentials but documents no 401");
            }
            for p in op["parameters"].as_array().into_iter().flatten() {
                assert!(p["schema"].is_object(), "{method} {path}: parameter {} has no schema", p["name"]);
            }
        }
    }
    // No bare objects: every component schema says what it holds.
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        let described =
            ["properties", "enum", "oneOf", "allOf", "anyOf", "items", "$ref"].iter().any(|k| schema.get(*k).is_some())
                || schema["type"] != "object";
        assert!(described, "schema {name} is a bare object: {schema}");
    }
    assert!(doc.to_string().contains("\"WWW-Authenticate\""), "401 responses document WWW-Authenticate");
}
