//! Events and operations: pages and API. Every read goes through the store's
//! access policy; a record the viewer may not see is answered as not found.

use crate::api::{
    ApiRoutes, BadRequest, Conflict, Forbidden, NotFound, Page, PageQuery, Paging, PayloadTooLarge, Unauthorised,
    Unprocessable, UnsupportedMediaType,
};
use crate::auth::{ApiUser, CurrentUser, PageUser};
use crate::error::ApiError;
use crate::identity::OrganisationRef;
use crate::json::JsonBody;
use crate::pages::{marking_class, render, FormErrors, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;

use cordon_domain::identity::EmailAddress;
use cordon_domain::ids::{EventId, Instant, OrganisationId, UserId};
use cordon_domain::london::display_instant;
use cordon_domain::planned_event::{EventKind, EventStatus, Venue};
use cordon_domain::Marking;
use cordon_store::events::{EventFilter, EventRecord, NewEvent, TeamMember};
use cordon_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::forms::{field, CheckedForm, Fields};

/// The highest marking among records shown, for the banner.
pub fn highest<'a>(markings: impl IntoIterator<Item = &'a Marking>) -> Marking {
    markings.into_iter().copied().max().unwrap_or(Marking::Official)
}

/// Filters for the events list. `limit` and `offset` are read here too, so
/// that the page and the API share one parser, and are documented by
/// [`PageQuery`].
#[derive(Debug, Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only events with this status.
    #[param(value_type = Option<EventStatus>)]
    status: Option<String>,
    /// Only events of this kind.
    #[param(value_type = Option<EventKind>)]
    kind: Option<String>,
    /// Only events ending on or after this time: RFC 3339, or a date (YYYY-MM-DD, the start of that day, UTC).
    #[param(value_type = Option<String>, format = DateTime)]
    from: Option<String>,
    /// Only events starting before this time: RFC 3339, or a date (YYYY-MM-DD, the start of that day, UTC).
    #[param(value_type = Option<String>, format = DateTime)]
    to: Option<String>,
    /// Words in the name, or a venue's name or address.
    q: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    page: PageQuery,
}

fn parse_filter(q: &ListQuery) -> Result<EventFilter, ApiError> {
    let nonempty = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let mut f = EventFilter::default();
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
            *slot = Some(parsed.stored());
        }
    }
    f.q = nonempty(&q.q);
    let Paging { limit, offset } = q.page.paging()?;
    f.limit = limit;
    f.offset = offset;
    Ok(f)
}

// ----- API -------------------------------------------------------------------

/// An event or operation.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct EventBody {
    id: EventId,
    name: String,
    kind: EventKind,
    starts_at: Instant,
    ends_at: Instant,
    venues: Vec<Venue>,
    expected_attendance: i64,
    marking: Marking,
    status: EventStatus,
    /// The lead organisation, which owns the record.
    organisation: OrganisationRef,
    /// The ids of the other organisations it is shared with.
    shared_with: Vec<OrganisationId>,
    /// The id of the user who created it.
    created_by: UserId,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

impl From<&EventRecord> for EventBody {
    fn from(e: &EventRecord) -> Self {
        EventBody {
            id: e.id.clone(),
            name: e.name.clone(),
            kind: e.kind,
            starts_at: e.starts_at,
            ends_at: e.ends_at,
            venues: e.venues.clone(),
            expected_attendance: e.expected_attendance,
            marking: e.marking,
            status: e.status,
            organisation: OrganisationRef { id: e.organisation_id.clone(), name: e.organisation_name.clone() },
            shared_with: e.shared_with.clone(),
            created_by: e.created_by.clone(),
            created_at: e.created_at.clone(),
            updated_at: e.updated_at.clone(),
        }
    }
}

/// A member of an event's team.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct TeamMemberBody {
    user_id: UserId,
    #[schema(format = Email)]
    email: String,
    name: String,
    organisation_name: String,
    #[schema(format = DateTime)]
    added_at: String,
}

impl From<TeamMember> for TeamMemberBody {
    fn from(m: TeamMember) -> Self {
        TeamMemberBody {
            user_id: m.user_id,
            email: m.email,
            name: m.name,
            organisation_name: m.organisation_name,
            added_at: m.added_at,
        }
    }
}

/// An event with its team.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct EventWithTeamBody {
    #[serde(flatten)]
    event: EventBody,
    team: Vec<TeamMemberBody>,
}

/// An event, by id.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct EventPath {
    /// The event's id.
    id: EventId,
}

/// A member of an event's team, by e-mail address.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct MemberPath {
    /// The event's id.
    id: EventId,
    /// The member's e-mail address.
    #[param(format = Email)]
    email: String,
}

/// A new event or operation.
#[derive(Deserialize, ToSchema)]
pub struct NewEventBody {
    #[schema(min_length = 1)]
    name: String,
    #[schema(value_type = EventKind)]
    kind: String,
    /// RFC 3339.
    #[schema(format = DateTime)]
    starts_at: String,
    /// RFC 3339, after `starts_at`.
    #[schema(format = DateTime)]
    ends_at: String,
    /// At least one.
    venues: Vec<Venue>,
    /// The expected peak attendance.
    expected_attendance: i64,
    /// No higher than the caller's clearance allows.
    #[schema(value_type = Marking)]
    marking: String,
}

/// Create an event; the caller's organisation owns it and the caller joins its team.
#[utoipa::path(post, path = "/events", tag = "events",
    request_body = NewEventBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "Created", body = EventBody),
        BadRequest, Unauthorised, Forbidden, UnsupportedMediaType, Unprocessable, PayloadTooLarge,
    ))]
pub async fn api_create(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    JsonBody(b): JsonBody<NewEventBody>,
) -> Result<(StatusCode, Json<EventBody>), ApiError> {
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
    Ok((StatusCode::CREATED, Json(EventBody::from(&e))))
}

/// The events the caller may see, in start order, filtered, a page at a time.
#[utoipa::path(get, path = "/events", tag = "events",
    params(ListQuery, PageQuery),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "A page of events", body = Page<EventBody>),
        BadRequest, Unauthorised, Forbidden,
    ))]
pub async fn api_list(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<EventBody>>, ApiError> {
    // The page's filter form sends empty fields; a script that sends one has
    // made a mistake, and the document says each is a value when present.
    for (name, value) in [("status", &q.status), ("kind", &q.kind), ("from", &q.from), ("to", &q.to)] {
        if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
            return Err(ApiError::bad_request(name, format!("{name} is empty: leave it out, or give a value")));
        }
    }
    let f = parse_filter(&q)?;
    let (items, total) = state.store.events().events_visible(&u.viewer, &f).await?;
    Ok(Json(Page { items: items.iter().map(EventBody::from).collect(), total, limit: f.limit, offset: f.offset }))
}

/// `?q=`: the words to search for.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words in an event's name, or a venue's name or address (required).
    #[param(required = true, min_length = 1)]
    q: Option<String>,
}

/// What a search hit is.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HitType {
    Event,
}

/// A record that matches a search.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct SearchHit {
    #[serde(rename = "type")]
    hit_type: HitType,
    id: EventId,
    name: String,
    marking: Marking,
    starts_at: Instant,
}

/// Events whose name or venue matches, that the caller may see.
#[utoipa::path(get, path = "/search", tag = "events",
    params(SearchQuery, PageQuery),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "A page of matches", body = Page<SearchHit>),
        BadRequest, Unauthorised, Forbidden,
    ))]
pub async fn api_search(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<SearchQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Json<Page<SearchHit>>, ApiError> {
    let Paging { limit, offset } = page.paging()?;
    let text = q.q.unwrap_or_default();
    if text.trim().is_empty() {
        return Err(ApiError::bad_request("q", "q is required: the words to search for"));
    }
    let f = EventFilter { q: Some(text), limit, offset, ..Default::default() };
    let (items, total) = state.store.events().events_visible(&u.viewer, &f).await?;
    let items = items
        .into_iter()
        .map(|e| SearchHit {
            hit_type: HitType::Event,
            id: e.id,
            name: e.name,
            marking: e.marking,
            starts_at: e.starts_at,
        })
        .collect();
    Ok(Json(Page { items, total, limit, offset }))
}

/// One event, with its team.
#[utoipa::path(get, path = "/events/{id}", tag = "events",
    params(EventPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The event", body = EventWithTeamBody), BadRequest, Unauthorised, Forbidden, NotFound))]
pub async fn api_get(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<EventPath>,
) -> Result<Json<EventWithTeamBody>, ApiError> {
    let (e, team) = state.store.events().event_with_team(&u.viewer, &p.id).await?;
    Ok(Json(EventWithTeamBody { event: EventBody::from(&e), team: team.into_iter().map(Into::into).collect() }))
}

/// Who to add to a team.
#[derive(Deserialize, ToSchema)]
pub struct TeamBody {
    /// The e-mail address of an active user whose organisation has access to the event.
    #[schema(format = Email)]
    email: String,
}

/// Add a user to an event's team (the event's owners).
#[utoipa::path(post, path = "/events/{id}/team", tag = "events",
    params(EventPath),
    request_body = TeamBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "Added", body = TeamMemberBody),
        BadRequest, Unauthorised, Forbidden, NotFound, Conflict, UnsupportedMediaType, Unprocessable, PayloadTooLarge,
    ))]
pub async fn api_add_member(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<EventPath>,
    JsonBody(b): JsonBody<TeamBody>,
) -> Result<(StatusCode, Json<TeamMemberBody>), ApiError> {
    let email = EmailAddress::parse(&b.email).map_err(|m| ApiError::unprocessable("email", m))?;
    let member = state.store.events().add_team_member(&u.viewer, &p.id, &email).await?;
    Ok((StatusCode::CREATED, Json(member.into())))
}

/// Remove a user from an event's team (the event's owners); the last member stays.
#[utoipa::path(delete, path = "/events/{id}/team/{email}", tag = "events",
    params(MemberPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "Removed"), BadRequest, Unauthorised, Forbidden, NotFound, Unprocessable))]
pub async fn api_remove_member(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<MemberPath>,
) -> Result<StatusCode, ApiError> {
    let email = EmailAddress::parse(&p.email)
        .map_err(|_| ApiError::not_found(format!("{} is not in the team", p.email)).field("email"))?;
    state.store.events().remove_team_member(&u.viewer, &p.id, &email).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The next status.
#[derive(Deserialize, ToSchema)]
pub struct StatusBody {
    /// `live` after `endorsed`, `debrief` after `live`, `closed` after `debrief`.
    #[schema(value_type = EventStatus)]
    status: String,
}

/// Move an event to its next status (endorsed is reached by endorsing its plan).
#[utoipa::path(post, path = "/events/{id}/status", tag = "events",
    params(EventPath),
    request_body = StatusBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The event in its new status", body = EventBody),
        BadRequest, Unauthorised, Forbidden, NotFound, UnsupportedMediaType, Unprocessable, PayloadTooLarge,
    ))]
pub async fn api_status(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<EventPath>,
    JsonBody(b): JsonBody<StatusBody>,
) -> Result<Json<EventBody>, ApiError> {
    let status: EventStatus = b.status.parse().map_err(|m| ApiError::unprocessable("status", m))?;
    Ok(Json(EventBody::from(&state.store.events().set_event_status(&u.viewer, &p.id, status).await?)))
}

pub(crate) fn csv_field(s: &str) -> String {
    // Quote every field; neutralise spreadsheet formulas.
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Every event the caller may see, as CSV, with the highest marking in the
/// first line (and in `X-Protective-Marking`).
#[utoipa::path(get, path = "/events/export", tag = "events",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The events as CSV: a `# MARKING` line, a header line, one line per event",
            content_type = "text/csv", body = String,
            headers(("X-Protective-Marking" = String, description = "The highest marking among the events"))),
        Unauthorised, Forbidden,
    ))]
pub async fn api_export(State(state): State<AppState>, ApiUser(u): ApiUser) -> Result<Response, ApiError> {
    let events = state.store.events().export_events(&u.viewer).await?;
    let marking = highest(events.iter().map(|e| &e.marking));
    let mut out = format!(
        "# {marking}\r\nid,name,kind,starts_at,ends_at,expected_attendance,marking,status,organisation,venues\r\n"
    );
    for e in &events {
        let venues: Vec<String> = e.venues.iter().map(|v| format!("{} ({})", v.name, v.address)).collect();
        let row = [
            e.id.to_string(),
            e.name.clone(),
            e.kind.to_string(),
            e.starts_at.to_string(),
            e.ends_at.to_string(),
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
        id: e.id.to_string(),
        name: e.name.clone(),
        kind: e.kind.words(),
        starts: display_instant(e.starts_at),
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
            can_create: u.viewer.may(cordon_domain::planned_event::CREATE),
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

pub async fn page_create(State(state): State<AppState>, CheckedForm { user: u, fields: f }: CheckedForm) -> Response {
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

async fn event_page(
    state: &AppState,
    u: &CurrentUser,
    id: &EventId,
    status: StatusCode,
    errors: FormErrors,
) -> Response {
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
    let can_manage = u.viewer.teams.contains(event.id.as_str())
        && u.viewer.organisation_id == event.organisation_id
        && u.viewer.may(cordon_domain::planned_event::CHANGE);
    render(
        status,
        &EventPage {
            layout: Layout::for_user(event.name.clone(), event.marking, "/events", Some(u)),
            kind: event.kind.words(),
            starts: display_instant(event.starts_at),
            ends: display_instant(event.ends_at),
            event,
            team,
            can_manage,
            next_status,
            errors,
        },
    )
}

pub async fn page_show(State(state): State<AppState>, PageUser(u): PageUser, Path(id): Path<EventId>) -> Response {
    event_page(&state, &u, &id, StatusCode::OK, FormErrors::default()).await
}

pub async fn page_team(
    State(state): State<AppState>,
    Path(id): Path<EventId>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let email = field(&f, "email");
    let result = if field(&f, "action") == "status" {
        match field(&f, "status").parse::<EventStatus>() {
            Ok(s) => state.store.events().set_event_status(&u.viewer, &id, s).await.map(|_| ()),
            Err(m) => Err(StoreError::invalid("status", m)),
        }
    } else {
        match EmailAddress::parse(&email) {
            Err(m) => Err(StoreError::invalid("email", m)),
            Ok(email) if field(&f, "action") == "remove" => {
                state.store.events().remove_team_member(&u.viewer, &id, &email).await
            }
            Ok(email) => state.store.events().add_team_member(&u.viewer, &id, &email).await.map(|_| ()),
        }
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
pub fn api() -> ApiRoutes {
    ApiRoutes::new()
        .routes(routes!(api_list, api_create))
        .routes(routes!(api_export))
        .routes(routes!(api_get))
        .routes(routes!(api_add_member))
        .routes(routes!(api_remove_member))
        .routes(routes!(api_status))
        .routes(routes!(api_search))
}

/// This capability's pages.
pub fn pages() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/events", get(page_list).post(page_create))
        .route("/events/new", get(page_new))
        .route("/events/{id}", get(page_show))
        .route("/events/{id}/team", post(page_team))
}
