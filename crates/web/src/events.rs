//! Events and operations: pages and API. Every read goes through the store's
//! access policy; a record the viewer may not see is answered as not found.

use crate::auth::{ApiUser, CurrentUser, PageUser};
use crate::error::ApiError;
use crate::json::JsonBody;
use crate::pages::{marking_class, render, FormErrors, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use cordon_domain::access::Action;
use cordon_domain::london::display_stored;
use cordon_domain::planned_event::{EventKind, EventStatus, Venue};
use cordon_domain::Marking;
use cordon_store::events::{EventFilter, EventRecord, NewEvent, TeamMember};
use cordon_store::StoreError;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::forms::{check_csrf, field, Fields};

/// The highest marking among records shown, for the banner.
pub fn highest<'a>(markings: impl IntoIterator<Item = &'a Marking>) -> Marking {
    markings.into_iter().copied().max().unwrap_or(Marking::Official)
}

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
    kind: Option<String>,
    from: Option<String>,
    to: Option<String>,
    q: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
}

fn parse_filter(q: &ListQuery) -> Result<EventFilter, ApiError> {
    let nonempty = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let mut f = EventFilter { limit: 25, ..Default::default() };
    if let Some(s) = nonempty(&q.status) {
        f.status = Some(s.parse::<EventStatus>().map_err(|m| ApiError::bad_request("status", m))?);
    }
    if let Some(k) = nonempty(&q.kind) {
        f.kind = Some(k.parse::<EventKind>().map_err(|m| ApiError::bad_request("kind", m))?);
    }
    for (name, value, slot) in [("from", nonempty(&q.from), &mut f.from), ("to", nonempty(&q.to), &mut f.to)] {
        if let Some(v) = value {
            // A date means the start of that day (UTC); a full time is taken as given.
            let t = if v.len() == 10 { format!("{v}T00:00:00Z") } else { v.clone() };
            let parsed = cordon_domain::planned_event::parse_instant(name, &t).map_err(|_| {
                ApiError::bad_request(name, format!("{name} must be a date (YYYY-MM-DD) or an RFC 3339 time"))
            })?;
            *slot = Some(cordon_store::format_time(parsed));
        }
    }
    f.q = nonempty(&q.q);
    if let Some(l) = nonempty(&q.limit) {
        f.limit = l
            .parse::<i64>()
            .ok()
            .filter(|l| (1..=100).contains(l))
            .ok_or_else(|| ApiError::bad_request("limit", "limit must be 1 to 100"))?;
    }
    if let Some(o) = nonempty(&q.offset) {
        f.offset = o
            .parse::<i64>()
            .ok()
            .filter(|o| *o >= 0)
            .ok_or_else(|| ApiError::bad_request("offset", "offset must be 0 or more"))?;
    }
    Ok(f)
}

fn event_json(e: &EventRecord) -> Value {
    json!({
        "id": e.id,
        "name": e.name,
        "kind": e.kind,
        "starts_at": e.starts_at,
        "ends_at": e.ends_at,
        "venues": e.venues,
        "expected_attendance": e.expected_attendance,
        "marking": e.marking,
        "status": e.status,
        "organisation": {"id": e.organisation_id, "name": e.organisation_name},
        "shared_with": e.shared_with,
        "created_by": e.created_by,
        "created_at": e.created_at,
        "updated_at": e.updated_at,
    })
}

// ----- API -------------------------------------------------------------------

#[derive(Deserialize)]
pub struct NewEventBody {
    name: String,
    kind: String,
    starts_at: String,
    ends_at: String,
    venues: Vec<Venue>,
    expected_attendance: i64,
    marking: String,
}

pub async fn api_create(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    JsonBody(b): JsonBody<NewEventBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let new = NewEvent {
        name: b.name,
        kind: b.kind,
        starts_at: b.starts_at,
        ends_at: b.ends_at,
        venues: b.venues,
        expected_attendance: b.expected_attendance,
        marking: b.marking,
    };
    let e = state.store.events().create_event(&u.user, &u.viewer, new).await?;
    Ok((StatusCode::CREATED, Json(event_json(&e))))
}

pub async fn api_list(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let f = parse_filter(&q)?;
    let (items, total) = state.store.events().events_visible(&u.viewer, &f).await?;
    Ok(Json(json!({
        "items": items.iter().map(event_json).collect::<Vec<_>>(),
        "total": total, "limit": f.limit, "offset": f.offset,
    })))
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

/// `GET /api/v1/search?q=`: events whose name or venue matches, that the caller may see.
pub async fn api_search(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<SearchQuery>,
) -> Result<Json<Value>, ApiError> {
    let text = q.q.unwrap_or_default();
    if text.trim().is_empty() {
        return Err(ApiError::bad_request("q", "q is required: the words to search for"));
    }
    let f = EventFilter { q: Some(text), limit: 50, ..Default::default() };
    let (items, total) = state.store.events().events_visible(&u.viewer, &f).await?;
    Ok(Json(json!({
        "items": items.iter().map(|e| json!({"type": "event", "id": e.id, "name": e.name, "marking": e.marking, "starts_at": e.starts_at})).collect::<Vec<_>>(),
        "total": total, "limit": 50, "offset": 0,
    })))
}

pub async fn api_get(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (e, team) = state.store.events().event_with_team(&u.viewer, &id).await?;
    let mut body = event_json(&e);
    body["team"] = json!(team);
    Ok(Json(body))
}

#[derive(Deserialize)]
pub struct TeamBody {
    email: String,
}

pub async fn api_add_member(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<TeamBody>,
) -> Result<(StatusCode, Json<TeamMember>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.store.events().add_team_member(&u.viewer, &id, &b.email).await?)))
}

pub async fn api_remove_member(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, email)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state.store.events().remove_team_member(&u.viewer, &id, &email).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct StatusBody {
    status: String,
}

pub async fn api_status(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<StatusBody>,
) -> Result<Json<Value>, ApiError> {
    let status: EventStatus = b.status.parse().map_err(|m| ApiError::unprocessable("status", m))?;
    Ok(Json(event_json(&state.store.events().set_event_status(&u.viewer, &id, status).await?)))
}

fn csv_field(s: &str) -> String {
    // Quote every field; neutralise spreadsheet formulas.
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// `GET /api/v1/events/export`: every event the caller may see, as CSV, with
/// the highest marking in the first line.
pub async fn api_export(State(state): State<AppState>, ApiUser(u): ApiUser) -> Result<Response, ApiError> {
    let events = state.store.events().export_events(&u.viewer).await?;
    let marking = highest(events.iter().map(|e| &e.marking));
    let mut out = format!(
        "# {marking}\r\nid,name,kind,starts_at,ends_at,expected_attendance,marking,status,organisation,venues\r\n"
    );
    for e in &events {
        let venues: Vec<String> = e.venues.iter().map(|v| format!("{} ({})", v.name, v.address)).collect();
        let row = [
            e.id.clone(),
            e.name.clone(),
            e.kind.to_string(),
            e.starts_at.clone(),
            e.ends_at.clone(),
            e.expected_attendance.to_string(),
            e.marking.to_string(),
            e.status.as_str().to_string(),
            e.organisation_name.clone(),
            venues.join("; "),
        ];
        out.push_str(&row.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    let mut res = out.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"cordon-events.csv\""));
    h.insert("x-protective-marking", HeaderValue::from_str(marking.as_str()).expect("ASCII"));
    Ok(res)
}

// ----- pages -----------------------------------------------------------------

pub struct EventRow {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub starts: String,
    pub status: &'static str,
    pub marking: String,
    pub marking_class: &'static str,
    pub venues: String,
}

fn row(e: &EventRecord) -> EventRow {
    EventRow {
        id: e.id.clone(),
        name: e.name.clone(),
        kind: e.kind.words(),
        starts: display_stored(&e.starts_at),
        status: e.status.as_str(),
        marking: e.marking.to_string(),
        marking_class: marking_class(e.marking),
        venues: e.venues.iter().map(|v| v.name.clone()).collect::<Vec<_>>().join(", "),
    }
}

#[derive(Template)]
#[template(path = "events.html")]
struct EventsPage {
    layout: Layout,
    rows: Vec<EventRow>,
    total: i64,
    offset: i64,
    q: String,
    status: String,
    kind: String,
    from: String,
    to: String,
    statuses: Vec<&'static str>,
    kinds: Vec<(&'static str, &'static str)>,
    error: Option<(String, String)>,
    prev_link: Option<String>,
    next_link: Option<String>,
    can_create: bool,
}

pub async fn page_list(State(state): State<AppState>, PageUser(u): PageUser, Query(q): Query<ListQuery>) -> Response {
    let (f, error) = match parse_filter(&q) {
        Ok(f) => (f, None),
        Err(e) => {
            (EventFilter { limit: 25, ..Default::default() }, Some((e.field.clone().unwrap_or_default(), e.message)))
        }
    };
    let (items, total) = match state.store.events().events_visible(&u.viewer, &f).await {
        Ok(x) => x,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let link = |offset: i64| {
        format!(
            "/events?q={}&status={}&kind={}&from={}&to={}&offset={offset}",
            crate::auth::urlencode(q.q.as_deref().unwrap_or("")),
            crate::auth::urlencode(q.status.as_deref().unwrap_or("")),
            crate::auth::urlencode(q.kind.as_deref().unwrap_or("")),
            crate::auth::urlencode(q.from.as_deref().unwrap_or("")),
            crate::auth::urlencode(q.to.as_deref().unwrap_or(""))
        )
    };
    let marking = highest(items.iter().map(|e| &e.marking));
    render(
        if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK },
        &EventsPage {
            layout: Layout::for_user("Events and operations", marking, "/events", Some(&u)),
            rows: items.iter().map(row).collect(),
            total,
            offset: f.offset,
            q: q.q.clone().unwrap_or_default(),
            status: q.status.clone().unwrap_or_default(),
            kind: q.kind.clone().unwrap_or_default(),
            from: q.from.clone().unwrap_or_default(),
            to: q.to.clone().unwrap_or_default(),
            statuses: EventStatus::ALL.iter().map(|s| s.as_str()).collect(),
            kinds: EventKind::ALL.iter().map(|k| (k.as_str(), k.words())).collect(),
            error,
            prev_link: (f.offset > 0).then(|| link((f.offset - f.limit).max(0))),
            next_link: (f.offset + f.limit < total).then(|| link(f.offset + f.limit)),
            can_create: u.viewer.may(Action::Create),
        },
    )
}

#[derive(Template)]
#[template(path = "event_new.html")]
struct NewEventPage {
    layout: Layout,
    errors: FormErrors,
    form: Fields,
    kinds: Vec<(&'static str, &'static str)>,
    markings: Vec<&'static str>,
}

impl NewEventPage {
    fn value(&self, name: &str) -> String {
        field(&self.form, name)
    }
}

fn new_event_page(u: &CurrentUser, status: StatusCode, errors: FormErrors, form: Fields) -> Response {
    render(
        status,
        &NewEventPage {
            layout: Layout::for_user("New event", Marking::Official, "/events", Some(u)),
            errors,
            form,
            kinds: EventKind::ALL.iter().map(|k| (k.as_str(), k.words())).collect(),
            markings: Marking::ALL.iter().map(|m| m.as_str()).collect(),
        },
    )
}

pub async fn page_new(PageUser(u): PageUser) -> Response {
    new_event_page(&u, StatusCode::OK, FormErrors::default(), vec![("marking".into(), "OFFICIAL-SENSITIVE".into())])
}

/// `datetime-local` fields arrive without a zone: they are UK local times.
fn local_to_rfc3339(s: &str) -> String {
    let s = s.trim();
    if s.len() == 16 && s.as_bytes().get(10) == Some(&b'T') {
        let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
        if let Ok(p) = time::PrimitiveDateTime::parse(s, &fmt) {
            // Try GMT first, then BST: whichever reads back as the same London time.
            for offset in [0, 1] {
                let t = p.assume_offset(time::UtcOffset::from_hms(offset, 0, 0).expect("valid"));
                if cordon_domain::london::to_london(t).0.time() == p.time() {
                    return cordon_store::format_time(t);
                }
            }
        }
    }
    s.to_string()
}

pub async fn page_create(State(state): State<AppState>, PageUser(u): PageUser, Form(f): Form<Fields>) -> Response {
    if let Err(r) = check_csrf(&u, &f) {
        return r;
    }
    let attendance = field(&f, "expected_attendance");
    let attendance = match attendance.trim().replace(',', "").parse::<i64>() {
        Ok(n) => n,
        Err(_) => {
            let e = FormErrors::one("expected_attendance", "Enter the expected peak attendance as a whole number");
            return new_event_page(&u, StatusCode::UNPROCESSABLE_ENTITY, e, f);
        }
    };
    let venues = vec![Venue { name: field(&f, "venue_name"), address: field(&f, "venue_address") }];
    let new = NewEvent {
        name: field(&f, "name"),
        kind: field(&f, "kind"),
        starts_at: local_to_rfc3339(&field(&f, "starts_at")),
        ends_at: local_to_rfc3339(&field(&f, "ends_at")),
        venues,
        expected_attendance: attendance,
        marking: field(&f, "marking"),
    };
    match state.store.events().create_event(&u.user, &u.viewer, new).await {
        Ok(e) => Redirect::to(&format!("/events/{}", e.id)).into_response(),
        Err(e) => match FormErrors::from_store(e) {
            Ok(mut errors) => {
                for (field, _) in errors.0.iter_mut() {
                    if field.starts_with("venues") {
                        *field = "venue_name".into();
                    }
                }
                new_event_page(&u, StatusCode::UNPROCESSABLE_ENTITY, errors, f)
            }
            Err(r) => r,
        },
    }
}

#[derive(Template)]
#[template(path = "event.html")]
struct EventPage {
    layout: Layout,
    event: EventRecord,
    kind: &'static str,
    starts: String,
    ends: String,
    team: Vec<TeamMember>,
    can_manage: bool,
    next_status: Option<&'static str>,
    errors: FormErrors,
}

async fn event_page(state: &AppState, u: &CurrentUser, id: &str, status: StatusCode, errors: FormErrors) -> Response {
    let (event, team) = match state.store.events().event_with_team(&u.viewer, id).await {
        Ok(x) => x,
        Err(StoreError::NotFound { .. }) => return crate::pages::not_found_for(Some(u)),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let next_status = match event.status {
        EventStatus::Endorsed => Some("live"),
        EventStatus::Live => Some("debrief"),
        EventStatus::Debrief => Some("closed"),
        _ => None,
    };
    let can_manage = u.viewer.teams.contains(&event.id)
        && u.viewer.organisation_id == event.organisation_id
        && u.viewer.may(Action::Change);
    render(
        status,
        &EventPage {
            layout: Layout::for_user(event.name.clone(), event.marking, "/events", Some(u)),
            kind: event.kind.words(),
            starts: display_stored(&event.starts_at),
            ends: display_stored(&event.ends_at),
            event,
            team,
            can_manage,
            next_status,
            errors,
        },
    )
}

pub async fn page_show(State(state): State<AppState>, PageUser(u): PageUser, Path(id): Path<String>) -> Response {
    event_page(&state, &u, &id, StatusCode::OK, FormErrors::default()).await
}

pub async fn page_team(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    if let Err(r) = check_csrf(&u, &f) {
        return r;
    }
    let email = field(&f, "email");
    let result = if field(&f, "action") == "status" {
        match field(&f, "status").parse::<EventStatus>() {
            Ok(s) => state.store.events().set_event_status(&u.viewer, &id, s).await.map(|_| ()),
            Err(m) => Err(StoreError::invalid("status", m)),
        }
    } else if field(&f, "action") == "remove" {
        state.store.events().remove_team_member(&u.viewer, &id, &email).await
    } else {
        state.store.events().add_team_member(&u.viewer, &id, &email).await.map(|_| ())
    };
    match result {
        Ok(()) => Redirect::to(&format!("/events/{id}")).into_response(),
        Err(StoreError::NotFound { field: None, .. }) => crate::pages::not_found_for(Some(&u)),
        Err(e) => match FormErrors::from_store(e) {
            Ok(errors) => event_page(&state, &u, &id, StatusCode::UNPROCESSABLE_ENTITY, errors).await,
            Err(r) => r,
        },
    }
}

/// This capability's API operations.
pub fn api() -> crate::api::ApiRoutes {
    use axum::routing::get;
    crate::api::ApiRoutes::undocumented(
        utoipa_axum::router::OpenApiRouter::new()
            .route("/events", get(api_list).post(api_create))
            .route("/events/export", get(api_export))
            .route("/events/{id}", get(api_get))
            .route("/events/{id}/team", axum::routing::post(api_add_member))
            .route("/events/{id}/team/{email}", axum::routing::delete(api_remove_member))
            .route("/search", get(api_search))
            .route("/events/{id}/status", axum::routing::post(api_status)),
    )
}
