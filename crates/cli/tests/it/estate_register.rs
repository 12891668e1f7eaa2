//! The estate register in and out of CSV, acknowledgements by division and
//! site, reminders, and adding staff from a page (issue 13, items 1 and 7).

use crate::estate::{field, fixture, F};
use cordon_domain::identity::{Clearance, Role};
use reqwest::Method;
use serde_json::{json, Value};

async fn import(f: &F, token: &str, body: &str, content_type: &str) -> (u16, Value) {
    let res = f
        .app
        .client
        .post(f.app.url("/api/v1/sites/import"))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn export(f: &F, token: &str, query: &str) -> (u16, String) {
    let res = f
        .app
        .client
        .get(f.app.url(&format!("/api/v1/sites/export.csv{query}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    if status == 200 {
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    }
    (status, res.text().await.unwrap())
}

const FILE: &str = "name,kind,address,division,staff\r\n\
    Eastgate Custody Suite,custody_suite,\"Eastgate, Northshire\",City,pc@force.example\r\n\
    Northtown Police Station,Police station,1 High Street,North,\"pc@force.example; estates@force.example\"\r\n\
    Force Control Room,control_room,HQ,City,\r\n";

#[tokio::test]
async fn sites_are_imported_with_their_staff_exported_and_imported_again_unchanged() {
    let f = fixture().await;
    let (status, v) = import(&f, &f.manager, FILE, "text/csv").await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v, json!({"rows": 3, "added": 3, "changed": 0, "unchanged": 0, "staff_added": 3}));
    let (_, list) = f.app.get_as(&f.manager, "/api/v1/sites").await;
    assert_eq!(list["total"], 3);
    let northtown = list["items"].as_array().unwrap().iter().find(|s| s["name"] == "Northtown Police Station").unwrap();
    assert_eq!((northtown["kind"].as_str(), northtown["staff_count"].as_i64()), (Some("police_station"), Some(2)));
    // An imported site starts at the floor of the threat level, as one added by hand.
    assert_eq!(northtown["response_level"], northtown["floor"]);

    let (status, csv) = export(&f, &f.manager, "").await;
    assert_eq!(status, 200);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "name,kind,address,division,staff,threat_level,response_level");
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(
        lines[1].starts_with("Eastgate Custody Suite,custody_suite,\"Eastgate, Northshire\",City,pc@force.example,")
    );
    assert!(lines[3].contains(",North,estates@force.example; pc@force.example,"), "{}", lines[3]);
    let (_, city) = export(&f, &f.manager, "?division=city").await;
    assert_eq!(city.lines().count(), 3, "the export is filtered as the list is: {city}");

    // The exported file imports again as it is, changing nothing.
    let before = f.journal_count().await;
    let (status, v) = import(&f, &f.manager, &csv, "text/csv; charset=utf-8").await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v, json!({"rows": 3, "added": 0, "changed": 0, "unchanged": 3, "staff_added": 0}));
    assert_eq!(f.journal_count().await, before, "nothing to journal");
    // A site named again (in any case) is changed; staff are added, never removed.
    let (status, v) = import(
        &f,
        &f.manager,
        "name,kind,address,division,staff\nforce control room,control_room,Police HQ,City,pc@force.example\n",
        "text/csv",
    )
    .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!((v["changed"].as_i64(), v["added"].as_i64(), v["staff_added"].as_i64()), (Some(1), Some(0), Some(1)));
    let (_, list) = f.app.get_as(&f.manager, "/api/v1/sites?q=control").await;
    assert_eq!(
        (list["items"][0]["name"].as_str(), list["items"][0]["address"].as_str()),
        (Some("force control room"), Some("Police HQ"))
    );
    let (_, all) = f.app.get_as(&f.manager, "/api/v1/sites").await;
    assert_eq!(all["total"], 3);

    // Another force's export holds none of these.
    let (status, theirs) = export(&f, &f.outsider, "").await;
    assert_eq!(status, 200);
    assert_eq!(theirs.lines().count(), 1, "{theirs}");
}

#[tokio::test]
async fn a_bad_file_is_refused_naming_its_line_and_column_and_imports_nothing() {
    let f = fixture().await;
    let before = f.journal_count().await;
    let header = "name,kind,address,division,staff\n";
    for (body, line, column) in [
        (format!("{header}A,castle,1 Road,North,\n"), 2, "kind"),
        (format!("{header}A,other,1 Road,North,\nB,other,2 Road,,\n"), 3, "division"),
        (format!("{header}A,other,1 Road,North,nobody@force.example\n"), 2, "staff"),
        // Someone of another force is not staff of this one.
        (format!("{header}A,other,1 Road,North,estates@other.example\n"), 2, "staff"),
        (format!("{header}A,other,1 Road,North,not an address\n"), 2, "staff"),
        (format!("{header}A,other,1 Road,North,\na,other,2 Road,North,\n"), 3, "name"),
        ("name,kind,address\n".to_string(), 1, "division"),
    ] {
        let (status, v) = import(&f, &f.manager, &body, "text/csv").await;
        assert_eq!(status, 422, "{body}: {v}");
        assert_eq!((v["row"]["line"].as_i64(), field(&v)), (Some(line), column), "{body}: {v}");
    }
    let (status, _) = import(&f, &f.manager, FILE, "application/json").await;
    assert_eq!(status, 415);
    let (status, _) = import(&f, &f.staff, FILE, "text/csv").await;
    assert_eq!(status, 403, "staff may not import");
    assert_eq!(f.journal_count().await, before, "nothing was imported");
    let (_, list) = f.app.get_as(&f.manager, "/api/v1/sites").await;
    assert_eq!(list["total"], 0);
}

/// Two divisions, staff at three sites, every site raised so everyone is told.
async fn told(f: &F) -> (String, String, String) {
    let pc2 = f.app.user("pc2@force.example", "Force", &[Role::Staff], Clearance::Bpss).await;
    let pc3 = f.app.user("pc3@force.example", "Force", &[Role::Staff], Clearance::Bpss).await;
    let (status, v) = import(
        f,
        &f.manager,
        "name,kind,address,division,staff\n\
         Eastgate Custody Suite,custody_suite,Eastgate,City,pc@force.example;pc2@force.example\n\
         Westgate Police Station,police_station,Westgate,City,pc3@force.example\n\
         Northtown Police Station,police_station,Northtown,North,pc2@force.example\n\
         Quiet Depot,vehicle_depot,Farm Lane,North,\n",
        "text/csv",
    )
    .await;
    assert_eq!(status, 201, "{v}");
    let (_, list) = f.app.get_as(&f.manager, "/api/v1/sites").await;
    let id = |name: &str| {
        list["items"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    for site in ["Eastgate Custody Suite", "Westgate Police Station", "Northtown Police Station"] {
        let (status, v) = f
            .app
            .send_as(
                &f.manager,
                Method::POST,
                &format!("/api/v1/sites/{}/response-level", id(site)),
                json!({"level": "EXCEPTIONAL", "reason": "Specific threat"}),
            )
            .await;
        assert_eq!(status, 201, "{v}");
    }
    (id("Eastgate Custody Suite"), f.app.token(&pc2).await, f.app.token(&pc3).await)
}

fn division<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["divisions"].as_array().unwrap().iter().find(|d| d["division"] == name).unwrap()
}

#[tokio::test]
async fn the_estates_manager_sees_who_has_not_acknowledged_by_division_and_site_and_reminds_them() {
    let f = fixture().await;
    let (eastgate, pc2, pc3) = told(&f).await;
    // The notice says the level and what it means.
    let (_, mine) = f.app.get_as(&f.staff, "/api/v1/me/notices").await;
    let summary = mine["items"][0]["summary"].as_str().unwrap();
    assert!(summary.contains("EXCEPTIONAL") && summary.contains("Maximum protective security measures"), "{summary}");
    let nid = mine["items"][0]["id"].as_str().unwrap().to_string();

    let (status, v) = f.app.get_as(&f.manager, "/api/v1/estate/acknowledgements").await;
    assert_eq!(status, 200, "{v}");
    let city = division(&v, "City");
    assert_eq!(
        (city["sites"].as_i64(), city["staff"].as_i64(), city["notified"].as_i64(), city["outstanding"].as_i64()),
        (Some(2), Some(3), Some(3), Some(3))
    );
    let north = division(&v, "North");
    assert_eq!(
        (north["sites"].as_i64(), north["staff"].as_i64(), north["outstanding"].as_i64()),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(v["sites"]["total"], 3, "the quiet depot has no staff: {v}");
    assert_eq!(v["sites"]["items"][0]["name"], "Eastgate Custody Suite", "most outstanding first");
    let (_, only_north) = f.app.get_as(&f.manager, "/api/v1/estate/acknowledgements?division=north").await;
    assert_eq!(only_north["sites"]["total"], 1);
    let (_, paged) = f.app.get_as(&f.manager, "/api/v1/estate/acknowledgements?limit=1&offset=1").await;
    assert_eq!((paged["sites"]["items"].as_array().unwrap().len(), paged["sites"]["total"].as_i64()), (1, Some(3)));

    // One acknowledges; the rest are reminded, each once per reminder, on their notifications.
    let (status, _) =
        f.app.send_as(&f.staff, Method::POST, &format!("/api/v1/notices/{nid}/acknowledgement"), json!({})).await;
    assert_eq!(status, 201);
    let remind = format!("/api/v1/sites/{eastgate}/reminders");
    let (status, v) = f.app.send_as(&f.manager, Method::POST, &remind, json!({})).await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v, json!({"sites": 1, "people": 1}));
    let (_, n) = f.app.get_as(&pc2, "/api/v1/me/notifications").await;
    let reminders: Vec<&Value> =
        n["items"].as_array().unwrap().iter().filter(|i| i["kind"] == "acknowledgement_reminder").collect();
    assert_eq!(reminders.len(), 1, "{n}");
    let (_, n) = f.app.get_as(&f.staff, "/api/v1/me/notifications").await;
    assert!(
        !n["items"].as_array().unwrap().iter().any(|i| i["kind"] == "acknowledgement_reminder"),
        "who acknowledged is not reminded"
    );

    // A whole division; an unknown one changes nothing.
    let before = f.journal_count().await;
    let (status, v) =
        f.app.send_as(&f.manager, Method::POST, "/api/v1/estate/reminders", json!({"division": "Nowhere"})).await;
    assert_eq!((status, field(&v)), (422, "division"), "{v}");
    assert_eq!(f.journal_count().await, before);
    let (status, v) =
        f.app.send_as(&f.manager, Method::POST, "/api/v1/estate/reminders", json!({"division": "city"})).await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v, json!({"sites": 2, "people": 2}));
    let (status, v) = f.app.send_as(&f.manager, Method::POST, "/api/v1/estate/reminders", json!({})).await;
    assert_eq!((status, v["people"].as_i64()), (201, Some(3)), "the whole estate: {v}");

    // Once everyone has acknowledged, nothing is sent and nothing journaled.
    for token in [&pc2, &pc3] {
        let (_, mine) = f.app.get_as(token, "/api/v1/me/notices").await;
        for item in mine["items"].as_array().unwrap() {
            f.app
                .send_as(
                    token,
                    Method::POST,
                    &format!("/api/v1/notices/{}/acknowledgement", item["id"].as_str().unwrap()),
                    json!({}),
                )
                .await;
        }
    }
    let before = f.journal_count().await;
    let (status, v) = f.app.send_as(&f.manager, Method::POST, "/api/v1/estate/reminders", json!({})).await;
    assert_eq!((status, v["people"].as_i64()), (200, Some(0)), "{v}");
    assert_eq!(f.journal_count().await, before);
    let (_, v) = f.app.get_as(&f.manager, "/api/v1/estate/acknowledgements").await;
    assert_eq!(v["sites"]["total"], 0);
    assert_eq!(division(&v, "City")["acknowledged"], 3);

    // Staff may not see or send these; another force's site is not found.
    let (status, _) = f.app.get_as(&f.staff, "/api/v1/estate/acknowledgements").await;
    assert_eq!(status, 403);
    let (status, _) = f.app.send_as(&f.staff, Method::POST, &remind, json!({})).await;
    assert_eq!(status, 403);
    let (status, _) = f.app.send_as(&f.outsider, Method::POST, &remind, json!({})).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_pages_import_sites_add_staff_by_search_and_send_reminders_after_asking() {
    let f = fixture().await;
    f.app.user("pc2@force.example", "Force", &[Role::Staff], Clearance::Bpss).await;
    let (_, b) = f.app.sign_in("estates@force.example", crate::common::PASSWORD, None).await;
    let csrf = f.app.csrf(&b).await;
    let html = f.app.page(&b, "/sites").await.text().await.unwrap();
    assert!(html.contains("href=\"/sites/import\"") && html.contains("/api/v1/sites/export.csv"), "{html}");
    let upload = |text: &str| {
        let form = reqwest::multipart::Form::new().text("csrf_token", csrf.clone()).part(
            "file",
            reqwest::multipart::Part::bytes(text.as_bytes().to_vec())
                .file_name("sites.csv")
                .mime_str("text/csv")
                .unwrap(),
        );
        let (client, url, cookie) = (f.app.client.clone(), f.app.url("/sites/import"), b.cookie());
        async move { client.post(url).header("cookie", cookie).multipart(form).send().await.unwrap() }
    };
    let res = upload("name,kind,address,division,staff\nA,castle,1 Road,North,\n").await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Nothing was imported. Line 2, column kind:"), "{html}");
    let res = upload(FILE).await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let html = f.app.page(&b, &location).await.text().await.unwrap();
    assert!(
        html.contains("Imported 3 rows: 3 sites added, 0 sites changed, 3 people added to the staff of a site."),
        "{html}"
    );

    // The picker finds people of the force not yet on the staff, and adds one.
    let (_, list) = f.app.get_as(&f.manager, "/api/v1/sites?q=control").await;
    let id = list["items"][0]["id"].as_str().unwrap().to_string();
    let html = f.app.page(&b, &format!("/sites/{id}/staff/new?q=pc")).await.text().await.unwrap();
    assert!(html.contains("pc2@force.example") && html.contains("pc@force.example"), "{html}");
    assert!(!html.contains("estates@other.example"));
    let add = |email: &str| {
        let form = vec![("csrf_token", csrf.clone()), ("email", email.to_string()), ("q", "pc".into())];
        let (client, url, cookie) = (f.app.client.clone(), f.app.url(&format!("/sites/{id}/staff/new")), b.cookie());
        async move { client.post(url).header("cookie", cookie).form(&form).send().await.unwrap() }
    };
    let res = add("estates@other.example").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Enter the e-mail address of someone with an account"));
    let res = add("pc2@force.example").await;
    assert_eq!(res.status(), 303);
    let html = f.app.page(&b, res.headers()["location"].to_str().unwrap()).await.text().await.unwrap();
    assert!(html.contains("The member of staff is added."), "{html}");
    let html = f.app.page(&b, &format!("/sites/{id}/staff/new?q=pc")).await.text().await.unwrap();
    assert!(!html.contains("pc2@force.example"), "already staff: not offered again");

    // Raise the site; the page offers reminders, asks first, then sends them.
    f.app
        .send_as(
            &f.manager,
            Method::POST,
            &format!("/api/v1/sites/{id}/response-level"),
            json!({"level": "EXCEPTIONAL", "reason": "Threat"}),
        )
        .await;
    let html = f.app.page(&b, &format!("/sites/{id}")).await.text().await.unwrap();
    assert!(html.contains(&format!("href=\"/sites/{id}/reminders\"")), "{html}");
    let html = f.app.page(&b, &format!("/sites/{id}/reminders")).await.text().await.unwrap();
    assert!(html.contains("1 person has not acknowledged"), "{html}");
    let before = f.journal_count().await;
    let res = f
        .app
        .client
        .post(f.app.url(&format!("/sites/{id}/reminders")))
        .header("cookie", b.cookie())
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(f.journal_count().await, before + 1);
    let html = f.app.page(&b, res.headers()["location"].to_str().unwrap()).await.text().await.unwrap();
    assert!(html.contains("A reminder was sent to the 1 person who has not acknowledged."), "{html}");

    // The estate-wide page, and a division's reminder asked first.
    let html = f.app.page(&b, "/estate/acknowledgements").await.text().await.unwrap();
    assert!(html.contains("id=\"by-division\"") && html.contains("/estate/reminders?division=City"), "{html}");
    let html = f.app.page(&b, "/estate/reminders?division=City").await.text().await.unwrap();
    assert!(html.contains("Send reminders to everyone in City division?"), "{html}");
    assert_eq!(f.app.page(&b, "/estate/reminders?division=Nowhere").await.status(), 404);
    // Staff may not reach these pages.
    let (_, s) = f.app.sign_in("pc@force.example", crate::common::PASSWORD, None).await;
    assert_eq!(f.app.page(&s, "/estate/acknowledgements").await.status(), 403);
    assert_eq!(f.app.page(&s, "/sites/import").await.status(), 403);
    assert_eq!(f.app.page(&s, &format!("/sites/{id}/staff/new")).await.status(), 403);
}

#[tokio::test]
async fn a_member_of_staff_taken_off_a_site_is_told_of_its_changes_no_more() {
    let f = fixture().await;
    let (status, _) = import(&f, &f.manager, FILE, "text/csv").await;
    assert_eq!(status, 201);
    let (_, list) = f.app.get_as(&f.manager, "/api/v1/sites?q=eastgate").await;
    let id = list["items"][0]["id"].as_str().unwrap().to_string();
    let site = f.get(&id).await;
    let pc = site["staff"][0]["user_id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/sites/{id}/staff/{pc}");
    assert_eq!(f.app.send_as(&f.staff, Method::DELETE, &path, json!({})).await.0, 403);
    assert_eq!(f.app.send_as(&f.outsider, Method::DELETE, &path, json!({})).await.0, 404);
    // The confirmation page names them; the page's form takes them off.
    let (_, b) = f.app.sign_in("estates@force.example", crate::common::PASSWORD, None).await;
    let html = f.app.page(&b, &format!("/sites/{id}")).await.text().await.unwrap();
    assert!(html.contains(&format!("href=\"/sites/{id}/staff/{pc}/remove\"")), "{html}");
    let html = f.app.page(&b, &format!("/sites/{id}/staff/{pc}/remove")).await.text().await.unwrap();
    assert!(html.contains("off the staff of Eastgate Custody Suite?"), "{html}");
    let csrf = f.app.csrf(&b).await;
    let res = f
        .app
        .client
        .post(f.app.url(&format!("/sites/{id}/staff/{pc}/remove")))
        .header("cookie", b.cookie())
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], format!("/sites/{id}?done=staff-removed"));
    assert_eq!(f.get(&id).await["staff_count"], 0);
    assert_eq!(f.app.send_as(&f.manager, Method::DELETE, &path, json!({})).await.0, 404, "no longer staff");
    assert_eq!(f.app.page(&b, &format!("/sites/{id}/staff/{pc}/remove")).await.status(), 404);
    // A change at the site no longer reaches them.
    let (_, before) = f.app.get_as(&f.staff, "/api/v1/me/notices").await;
    let (status, _) = f
        .app
        .send_as(
            &f.manager,
            Method::POST,
            &format!("/api/v1/sites/{id}/response-level"),
            json!({"level": "EXCEPTIONAL", "reason": "Threat"}),
        )
        .await;
    assert_eq!(status, 201);
    let (_, after) = f.app.get_as(&f.staff, "/api/v1/me/notices").await;
    assert_eq!(after["total"], before["total"]);
    // Added again through the API, as before.
    let (status, _) = f
        .app
        .send_as(&f.manager, Method::POST, &format!("/api/v1/sites/{id}/staff"), json!({"email": "pc@force.example"}))
        .await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn a_raise_that_lands_below_a_new_floor_changes_nothing_and_tells_nobody() {
    // As when a threat level change lands between a raise's check and its write.
    let f = fixture().await;
    let id = f.site("Eastgate Custody Suite", "custody_suite", "City").await;
    f.app
        .send_as(&f.manager, Method::POST, &format!("/api/v1/sites/{id}/staff"), json!({"email": "pc@force.example"}))
        .await;
    let (status, _) = f.threat("police-sector", "CRITICAL").await;
    assert_eq!(status, 201);
    assert_eq!(f.get(&id).await["response_level"], "EXCEPTIONAL");
    let (_, before) = f.app.get_as(&f.staff, "/api/v1/me/notices").await;
    let stale = cordon_domain::estate::EstateEvent::SiteResponseLevelRaised {
        site_id: id.parse().unwrap(),
        level: cordon_domain::threat::ResponseLevel::Heightened,
        reason: "Checked before the change".into(),
        until: None,
    };
    f.app
        .store
        .append(
            &cordon_store::Actor::system(),
            &[(cordon_domain::event::Event::Estate(stale), cordon_domain::Marking::Official)],
        )
        .await
        .unwrap();
    let site = f.get(&id).await;
    assert_eq!((site["response_level"].as_str(), site["raised"].is_null()), (Some("EXCEPTIONAL"), true), "{site}");
    let (_, after) = f.app.get_as(&f.staff, "/api/v1/me/notices").await;
    assert_eq!(after["total"], before["total"]);
}
