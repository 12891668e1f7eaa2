//! Regression tests for findings 5, 6, 11 and 12 of the security review (the
//! hardening of sign-in, the client's address and submitted text), each over
//! HTTP. No test sleeps: they move the test's clock.

use crate::common::{cookie, hidden, TestApp, PASSWORD};
use cordon_domain::identity::{Clearance, Role};
use reqwest::Method;
use serde_json::json;
use std::collections::BTreeMap;
use time::Duration;

/// The sign-in form's CSRF pair: the presession cookie and the token in the
/// page. One pair serves any number of attempts, as a script would use it.
async fn sign_in_form(app: &TestApp) -> (String, String) {
    let page = app.get("/sign-in").await;
    let pre = cookie(&page, "cordon_presession").expect("presession cookie");
    (pre, hidden(&page.text().await.unwrap(), "csrf_token"))
}

/// One sign-in attempt through the page, optionally through a proxy's header.
async fn attempt(
    app: &TestApp,
    pair: &(String, String),
    email: &str,
    password: &str,
    totp: Option<&str>,
    forwarded_for: Option<&str>,
) -> reqwest::Response {
    post_sign_in(&app.client, &app.base, pair, email, password, totp, forwarded_for).await
}

async fn post_sign_in(
    client: &reqwest::Client,
    base: &str,
    (pre, csrf): &(String, String),
    email: &str,
    password: &str,
    totp: Option<&str>,
    forwarded_for: Option<&str>,
) -> reqwest::Response {
    let mut form = vec![("csrf_token", csrf.as_str()), ("next", "/account"), ("email", email), ("password", password)];
    if let Some(code) = totp {
        form.push(("totp", code));
    }
    let mut req = client.post(format!("{base}/sign-in")).header("cookie", format!("cordon_presession={pre}"));
    if let Some(xff) = forwarded_for {
        req = req.header("x-forwarded-for", xff);
    }
    req.form(&form).send().await.unwrap()
}

/// Sends `n` sign-in attempts at once and counts them by status; checks that
/// every refusal says when to try again.
async fn at_once(app: &TestApp, n: usize, email: &str, password: &str, totp: Option<&str>) -> BTreeMap<u16, usize> {
    let pair = sign_in_form(app).await;
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(n));
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (client, base, pair, start) = (app.client.clone(), app.base.clone(), pair.clone(), start.clone());
            let (email, password, totp) = (email.to_string(), password.to_string(), totp.map(str::to_string));
            tokio::spawn(async move {
                start.wait().await;
                let res = post_sign_in(&client, &base, &pair, &email, &password, totp.as_deref(), None).await;
                let retry_after = res.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
                (res.status().as_u16(), retry_after)
            })
        })
        .collect();
    let mut statuses = BTreeMap::new();
    for task in tasks {
        let (status, retry_after) = task.await.unwrap();
        if status == 429 {
            let wait: i64 = retry_after.expect("Retry-After").parse().unwrap();
            assert!(wait >= 1, "Retry-After {wait}");
        }
        *statuses.entry(status).or_default() += 1;
    }
    statuses
}

/// The failures counted for a throttling key, read straight from the table.
async fn counted(app: &TestApp, key: &str) -> i64 {
    let rows = app.db.sql(&format!("SELECT failures FROM login_throttle WHERE key = '{key}'")).await.unwrap();
    rows.first().map(|r| r.int(0)).unwrap_or(0)
}

/// Access-log entries of a kind.
async fn logged(app: &TestApp, kind: &str) -> usize {
    app.db.sql(&format!("SELECT seq FROM access_log WHERE kind = '{kind}'")).await.unwrap().len()
}

/// The free attempts an account has before it must wait (`throttle::ACCOUNT`).
const FREE: usize = 5;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wrong_passwords_sent_at_once_are_each_counted_and_the_excess_refused() {
    let app = TestApp::spawn().await;
    app.user("jo@police.example", "Force", &[Role::Staff], Clearance::Bpss).await;
    let mut checked_total = 0;
    // A known account, and one that does not exist (once a flood of argon2 checks).
    for email in ["jo@police.example", "nobody@police.example"] {
        let statuses = at_once(&app, 40, email, "not the password at all", None).await;
        let checked = statuses.get(&401).copied().unwrap_or(0);
        let refused = statuses.get(&429).copied().unwrap_or(0);
        assert_eq!(checked + refused, 40, "{email}: every attempt was checked or refused: {statuses:?}");
        // Five free attempts, then a wait of a second that doubles: a sixth
        // or seventh gets in only if the burst outlasts those waits.
        assert!((FREE..=FREE + 2).contains(&checked), "{email}: only the free attempts are checked: {statuses:?}");
        assert_eq!(counted(&app, &format!("account:{email}")).await, checked as i64, "{email}: no count is lost");
        checked_total += checked;
    }
    assert_eq!(logged(&app, "sign_in_failed").await, checked_total);
    assert_eq!(logged(&app, "sign_in_throttled").await, 80 - checked_total);
    assert_eq!(counted(&app, "ip:127.0.0.1").await, checked_total as i64, "the address counted every failure");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wrong_second_factor_codes_sent_at_once_are_each_counted_and_the_excess_refused() {
    let app = TestApp::spawn().await;
    let admin = app.user("admin@police.example", "Force", &[Role::Administrator], Clearance::Sc).await;
    let identity = app.store.identity();
    let (secret, _) = identity.begin_totp(&admin.id).await.unwrap();
    // Confirm with the previous step's code, so the current one stays unused.
    let now = app.db.clock.now();
    let earlier = cordon_store::identity::totp_code_for(&secret, now - Duration::seconds(30)).unwrap();
    identity.confirm_totp(&cordon_store::Actor::system(), &admin.id, &earlier).await.unwrap();
    let near: Vec<String> = (-2..=2)
        .map(|k| cordon_store::identity::totp_code_for(&secret, now + Duration::seconds(30 * k)).unwrap())
        .collect();
    let wrong = (0..1_000_000).map(|n| format!("{n:06}")).find(|c| !near.contains(c)).unwrap();

    let statuses = at_once(&app, 40, "admin@police.example", PASSWORD, Some(&wrong)).await;
    let checked = statuses.get(&401).copied().unwrap_or(0);
    let refused = statuses.get(&429).copied().unwrap_or(0);
    assert_eq!(checked + refused, 40, "{statuses:?}");
    assert!((FREE..=FREE + 2).contains(&checked), "only the free attempts are checked: {statuses:?}");
    assert_eq!(counted(&app, "account:admin@police.example").await, checked as i64, "no count is lost");

    // The account now waits, even with the right code; later the right code signs in.
    let pair = sign_in_form(&app).await;
    let code = cordon_store::identity::totp_code_for(&secret, app.db.clock.now()).unwrap();
    let res = attempt(&app, &pair, "admin@police.example", PASSWORD, Some(&code), None).await;
    assert_eq!(res.status(), 429);
    app.db.clock.advance(Duration::minutes(16));
    let code = cordon_store::identity::totp_code_for(&secret, app.db.clock.now()).unwrap();
    let res = attempt(&app, &pair, "admin@police.example", PASSWORD, Some(&code), None).await;
    assert_eq!(res.status(), 303);
    assert_eq!(counted(&app, "account:admin@police.example").await, 0, "a success clears the account's count");
}

#[tokio::test]
async fn failures_are_forgotten_after_a_quiet_quarter_of_an_hour() {
    let app = TestApp::spawn().await;
    app.user("jo@police.example", "Force", &[Role::Staff], Clearance::Bpss).await;
    let pair = sign_in_form(&app).await;
    let wrong = |app| attempt(app, &pair, "jo@police.example", "not the password at all", None, None);
    for _ in 0..FREE {
        assert_eq!(wrong(&app).await.status(), 401);
    }
    let res = wrong(&app).await;
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()["retry-after"], "1");
    let page = res.text().await.unwrap();
    assert!(page.contains("too many wrong attempts to sign in to this account. Wait 1 second before"), "{page}");
    // A wait that doubles.
    app.db.clock.advance(Duration::seconds(1));
    assert_eq!(wrong(&app).await.status(), 401);
    let res = wrong(&app).await;
    assert_eq!((res.status().as_u16(), res.headers()["retry-after"].to_str().unwrap()), (429, "2"));

    // After fifteen quiet minutes the count starts again: five free attempts.
    app.db.clock.advance(Duration::minutes(15) + Duration::seconds(1));
    for _ in 0..FREE {
        assert_eq!(wrong(&app).await.status(), 401, "the old failures no longer count");
    }
    assert_eq!(wrong(&app).await.status(), 429);
}

#[tokio::test]
async fn failures_at_an_address_never_refuse_another_account_its_right_password() {
    let app = TestApp::spawn().await;
    app.user("jo@police.example", "Force", &[Role::Staff], Clearance::Bpss).await;
    app.user("sam@police.example", "Force", &[Role::Staff], Clearance::Bpss).await;
    let pair = sign_in_form(&app).await;
    // Someone at this address (an office, or a proxy everyone shares) guesses
    // at jo's account and then at many others.
    for _ in 0..FREE {
        assert_eq!(attempt(&app, &pair, "jo@police.example", "guess", None, None).await.status(), 401);
    }
    let mut slowed = 0;
    for i in 0..30 {
        let res = attempt(&app, &pair, &format!("user{i}@police.example"), "guess", None, None).await;
        if res.status() == 429 {
            assert!(res.headers().contains_key("retry-after"));
            let page = res.text().await.unwrap();
            assert!(page.contains("Many sign-ins from your network have failed recently"), "{page}");
            slowed += 1;
        } else {
            assert_eq!(res.status(), 401);
        }
    }
    assert!(slowed >= 10, "the address is told to slow down once it passes its allowance ({slowed})");
    // Sam, at the same address, still signs in with the right password.
    let res = attempt(&app, &pair, "sam@police.example", PASSWORD, None, None).await;
    assert_eq!(res.status(), 303, "a right password is never refused for the address's failures");
    // Jo's own account waits; a mistyped password from the address is slowed, not ignored.
    assert_eq!(attempt(&app, &pair, "jo@police.example", PASSWORD, None, None).await.status(), 429);
    assert_eq!(attempt(&app, &pair, "sam@police.example", "typo", None, None).await.status(), 429);

    // Fifteen quiet minutes later the address's failures are forgotten too.
    app.db.clock.advance(Duration::minutes(15) + Duration::seconds(1));
    for i in 0..3 {
        let res = attempt(&app, &pair, &format!("later{i}@police.example"), "guess", None, None).await;
        assert_eq!(res.status(), 401, "not slowed any more");
    }
    assert_eq!(attempt(&app, &pair, "jo@police.example", PASSWORD, None, None).await.status(), 303);
}

/// The address the account page lists for the current session.
async fn session_address(app: &TestApp, res: reqwest::Response) -> String {
    assert_eq!(res.status(), 303);
    let session = cookie(&res, "cordon_session").expect("signed in");
    let page = app.client.get(app.url("/account")).header("cookie", format!("cordon_session={session}"));
    let html = page.send().await.unwrap().text().await.unwrap();
    let row = html.split("<tr").find(|r| r.contains("(this device)")).expect("the current session");
    ["127.0.0.1", "203.0.113.7", "6.6.6.6"].into_iter().find(|ip| row.contains(ip)).unwrap_or("none").to_string()
}

/// The address recorded in the access log for the last successful sign-in.
async fn logged_address(app: &TestApp) -> String {
    let rows = app.db.sql("SELECT payload FROM access_log WHERE kind = 'sign_in' ORDER BY seq DESC").await.unwrap();
    let payload: serde_json::Value = serde_json::from_str(&rows[0].text(0)).unwrap();
    payload["ip"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn x_forwarded_for_is_ignored_unless_it_comes_from_a_trusted_proxy() {
    // No trusted proxy: the header is the client's own say-so, and ignored.
    let app = TestApp::spawn().await;
    app.user("jo@police.example", "Force", &[Role::Staff], Clearance::Bpss).await;
    let pair = sign_in_form(&app).await;
    let res = attempt(&app, &pair, "jo@police.example", PASSWORD, None, Some("203.0.113.7")).await;
    assert_eq!(session_address(&app, res).await, "127.0.0.1");
    assert_eq!(logged_address(&app).await, "127.0.0.1");
    attempt(&app, &pair, "jo@police.example", "guess", None, Some("203.0.113.7")).await;
    assert_eq!(counted(&app, "ip:127.0.0.1").await, 1);
    assert_eq!(counted(&app, "ip:203.0.113.7").await, 0);

    // Behind a trusted proxy (here, the test's own address): the right-most
    // address it forwards that is not itself a trusted proxy.
    let config = cordon_web::Config { trusted_proxies: vec!["127.0.0.1".parse().unwrap()], ..Default::default() };
    let app = TestApp::spawn_with(config).await;
    app.user("jo@police.example", "Force", &[Role::Staff], Clearance::Bpss).await;
    let pair = sign_in_form(&app).await;
    let res = attempt(&app, &pair, "jo@police.example", PASSWORD, None, Some("6.6.6.6, 203.0.113.7")).await;
    assert_eq!(session_address(&app, res).await, "203.0.113.7", "not what the client wrote before the proxy");
    assert_eq!(logged_address(&app).await, "203.0.113.7", "the access log has the same address");
    // Each client behind the proxy is throttled on its own.
    for i in 0..25 {
        let email = format!("user{i}@police.example");
        attempt(&app, &pair, &email, "guess", None, Some("198.51.100.1")).await;
    }
    assert_eq!(counted(&app, "ip:198.51.100.1").await, 25);
    assert_eq!(counted(&app, "ip:127.0.0.1").await, 0, "the proxy's own address is not the client");
    let res = attempt(&app, &pair, "other@police.example", "guess", None, Some("203.0.113.7")).await;
    assert_eq!(res.status(), 401, "another client behind the same proxy is not slowed");
}

#[tokio::test]
async fn cordon_serve_takes_its_trusted_proxies_from_the_environment() {
    use std::io::{BufRead, BufReader};
    let app = TestApp::spawn().await;
    app.user("jo@police.example", "Force", &[Role::Staff], Clearance::Bpss).await;
    let mut child = std::process::Command::new(cordon_testkit::cordon_binary())
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &app.db.url, "--journal-key"])
        .arg(&app.db.key)
        .env_remove("CORDON_DATABASE_URL")
        .env("CORDON_LOG", "warn")
        .env("CORDON_TRUSTED_PROXY", "192.0.2.1,127.0.0.1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start cordon serve");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("cordon serve stopped before listening").unwrap();
        if let Some(addr) = line.strip_prefix("Cordon is listening on ") {
            break addr.trim().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let page = app.client.get(format!("{base}/sign-in")).send().await.unwrap();
    let pre = cookie(&page, "cordon_presession").unwrap();
    let csrf = hidden(&page.text().await.unwrap(), "csrf_token");
    let form = [("csrf_token", csrf.as_str()), ("next", "/"), ("email", "jo@police.example"), ("password", PASSWORD)];
    let res = app
        .client
        .post(format!("{base}/sign-in"))
        .header("cookie", format!("cordon_presession={pre}"))
        .header("x-forwarded-for", "203.0.113.7")
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let _ = std::process::Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let _ = child.wait();
    assert_eq!(status, 303);
    assert_eq!(logged_address(&app).await, "203.0.113.7");

    let out = app.db.cordon(&["serve", "--trusted-proxy", "proxy.example", "--listen", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(2), "an address that is not an IP address is refused");
    assert!(crate::common::stderr(&out).contains("--trusted-proxy"), "{}", crate::common::stderr(&out));
}

#[tokio::test]
async fn guesses_of_the_current_password_are_throttled_like_sign_in() {
    let app = TestApp::spawn().await;
    let jo = app.user("jo@police.example", "Force", &[Role::Staff], Clearance::Bpss).await;
    let (_, b) = app.sign_in("jo@police.example", PASSWORD, None).await;
    let csrf = app.csrf(&b).await;
    let hash = || async {
        app.db.sql(&format!("SELECT password_hash FROM credentials WHERE user_id = '{}'", jo.id)).await.unwrap()[0]
            .text(0)
    };
    let before = hash().await;
    let change = |current: &'static str| {
        let form = [
            ("csrf_token", csrf.clone()),
            ("current_password", current.to_string()),
            ("new_password", "a brand new passphrase here".to_string()),
            ("confirm_password", "a brand new passphrase here".to_string()),
        ];
        app.client.post(app.url("/account/password")).header("cookie", b.cookie()).form(&form).send()
    };
    for _ in 0..FREE {
        let res = change("not my password").await.unwrap();
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("the current password is not right"));
    }
    // The allowance is spent: even the right password waits, and nothing changes.
    let res = change(PASSWORD).await.unwrap();
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()["retry-after"], "1");
    let page = res.text().await.unwrap();
    assert!(page.contains("too many wrong passwords for your account. Wait 1 second before trying again"), "{page}");
    assert_eq!(hash().await, before, "the password is unchanged");
    // The same allowance as signing in: the account's sign-in waits too.
    let (res, _) = app.sign_in("jo@police.example", PASSWORD, None).await;
    assert_eq!(res.status(), 429);

    app.db.clock.advance(Duration::seconds(2));
    let res = change(PASSWORD).await.unwrap();
    assert_eq!(res.status(), 303, "after the wait the right password changes it");
    assert_ne!(hash().await, before);
}

#[tokio::test]
async fn control_and_direction_characters_are_refused_in_json_naming_the_field() {
    let app = TestApp::spawn().await;
    let jo = app.user("jo@police.example", "Force", &[Role::SecurityCoordinator], Clearance::Sc).await;
    let token = app.token(&jo).await;
    let event = |name: &str, venue: &str| {
        json!({"name": name, "kind": "other", "starts_at": "2027-05-01T10:00:00Z", "ends_at": "2027-05-01T12:00:00Z",
               "venues": [{"name": "Park", "address": "NS1"}, {"name": venue, "address": "NS2"}],
               "expected_attendance": 100, "marking": "OFFICIAL"})
    };
    let journal = app.store.journal_len().await.unwrap();
    for (body, field) in [
        (event("Parade\u{0}", "Hall"), "name"),
        (event("Parade", "Hall\u{202e}llaH"), "venues[1].name"),
        (event("Parade", "Hall\u{2066}"), "venues[1].name"),
        (event("Parade\u{1b}[31m", "Hall"), "name"),
    ] {
        let (status, body) = app.send_as(&token, Method::POST, "/api/v1/events", body).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["error"]["code"], "invalid");
        assert_eq!(body["error"]["field"], field);
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(&format!("{field} contains a character that cannot be accepted")), "{message}");
    }
    assert_eq!(app.store.journal_len().await.unwrap(), journal, "nothing was changed");
    // Line breaks and tabs are text like any other.
    let (status, e) = app.send_as(&token, Method::POST, "/api/v1/events", event("Parade", "Hall")).await;
    assert_eq!(status, 201, "{e}");
    let id = e["id"].as_str().unwrap();
    let ta = json!({"source": "CTP North", "date": "2017-05-24", "summary": "Line one\r\nLine two\tand a tab",
                    "marking": "OFFICIAL"});
    let (status, body) =
        app.send_as(&token, Method::POST, &format!("/api/v1/events/{id}/plan/threat_assessment"), ta).await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn control_and_direction_characters_are_refused_in_forms_naming_the_field() {
    let app = TestApp::spawn().await;
    let jo = app.user("jo@police.example", "Force", &[Role::SecurityCoordinator], Clearance::Sc).await;
    let token = app.token(&jo).await;
    let (status, e) = app
        .send_as(
            &token,
            Method::POST,
            "/api/v1/events",
            json!({"name": "Parade", "kind": "other", "starts_at": "2027-05-01T10:00:00Z", "ends_at": "2027-05-01T12:00:00Z",
                   "venues": [{"name": "Park", "address": "NS1"}], "expected_attendance": 100, "marking": "OFFICIAL"}),
        )
        .await;
    assert_eq!(status, 201, "{e}");
    let id = e["id"].as_str().unwrap().to_string();
    let (_, b) = app.sign_in("jo@police.example", PASSWORD, None).await;
    let csrf = app.csrf(&b).await;
    let journal = app.store.journal_len().await.unwrap();
    let post = |path: String, fields: Vec<(&'static str, &'static str)>| {
        let mut form = vec![("csrf_token", csrf.as_str())];
        form.extend(fields);
        app.client.post(app.url(&path)).header("cookie", b.cookie()).form(&form).send()
    };
    for (path, fields, words) in [
        (
            "/events".to_string(),
            vec![
                ("name", "Parade\u{0}"),
                ("kind", "other"),
                ("starts_at", "2027-05-01T10:00"),
                ("ends_at", "2027-05-01T12:00"),
                ("venue_name", "Park"),
                ("venue_address", "NS1"),
                ("expected_attendance", "100"),
                ("marking", "OFFICIAL"),
            ],
            "“Name”",
        ),
        (
            format!("/events/{id}/plan/threat_assessment"),
            vec![("source", "CTP"), ("date", "2017-05-24"), ("summary", "exe.\u{202e}gpj"), ("marking", "OFFICIAL")],
            "“Summary”",
        ),
        ("/account/tokens".to_string(), vec![("name", "nightly\u{2067}export"), ("expires_days", "30")], "“Name”"),
    ] {
        let res = post(path.clone(), fields).await.unwrap();
        assert_eq!(res.status(), 422, "{path}");
        let page = res.text().await.unwrap();
        assert!(
            page.contains(&format!("What you entered in {words} contains a character that cannot be accepted")),
            "{path}: {page}"
        );
        assert!(
            page.contains(
                "an invisible control character, or one that changes the direction of text. Nothing has been changed."
            ),
            "{path}"
        );
    }
    assert_eq!(app.store.journal_len().await.unwrap(), journal, "nothing was changed");
    assert_eq!(app.store.identity().tokens_of(&jo.id).await.unwrap().len(), 1, "no token was made");
    // The sign-in form too, naming the field.
    let pair = sign_in_form(&app).await;
    let res = attempt(&app, &pair, "jo@police.example\u{202e}", PASSWORD, None, None).await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("The e-mail address contains a character that cannot be accepted"), "{page}");
}
