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
use cordon_store::events::{EventChange, EventFilter, EventRecord, NewEvent, TeamMember};
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

/// A date written the UK way, day first ("26/4/2027", "26 4 2027",
/// "26.04.2027"), as YYYY-MM-DD; `None` for anything else.
fn uk_date_as_iso(v: &str) -> Option<String> {
    let parts: Vec<&str> = v.split(['/', ' ', '.', '-']).filter(|p| !p.is_empty()).collect();
    let [d, m, y] = parts.as_slice() else { return None };
    if y.len() != 4 || d.len() > 2 || m.len() > 2 {
        return None;
    }
    let (d, m, y) = (d.parse::<u8>().ok()?, m.parse::<u8>().ok()?, y.parse::<i32>().ok()?);
    let date = time::Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()?;
    Some(date.to_string())
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
            let v = uk_date_as_iso(&v).unwrap_or(v);
            let t = if v.len() == 10 { format!("{v}T00:00:00Z") } else { v.clone() };
            let parsed = cordon_domain::planned_event::parse_instant(name, &t).map_err(|_| {
                ApiError::bad_request(
                    name,
                    format!("{name} must be a real date, such as 26/4/2027 (or 2027-04-26), or an RFC 3339 time"),
                )
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
    state.store.events().remove_team_member(&u.viewer, &p.id, &email, "").await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The next status, and why.
#[derive(Deserialize, ToSchema)]
pub struct StatusBody {
    /// `live` after `endorsed`, `debrief` after `live`, `closed` after `debrief`.
    #[schema(value_type = EventStatus)]
    status: String,
    /// Why; needed to go live before the day before the event starts.
    #[serde(default)]
    reason: Option<String>,
}

/// Move an event to its next status under the lifecycle's rules: live from
/// an endorsed plan, from the day before the event starts (earlier with a
/// reason); debrief once it has started; closed after debrief (then it and
/// its plan are read-only). A refused move is 409 with the rule in words.
#[utoipa::path(post, path = "/events/{id}/status", tag = "events",
    params(EventPath),
    request_body = StatusBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The event in its new status", body = EventBody),
        BadRequest, Unauthorised, Forbidden, NotFound, Conflict, UnsupportedMediaType, Unprocessable, PayloadTooLarge,
    ))]
pub async fn api_status(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<EventPath>,
    JsonBody(b): JsonBody<StatusBody>,
) -> Result<Json<EventBody>, ApiError> {
    let status: EventStatus = b.status.parse().map_err(|_| {
        ApiError::unprocessable("status", "status must be one of: live, debrief, closed (in that order)")
    })?;
    let reason = b.reason.unwrap_or_default();
    Ok(Json(EventBody::from(&state.store.events().set_event_status(&u.viewer, &p.id, status, &reason).await?)))
}

/// Changes to an event's details: each field given changes; the others stay.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventPatchBody {
    #[schema(min_length = 1)]
    name: Option<String>,
    #[schema(value_type = Option<EventKind>)]
    kind: Option<String>,
    /// RFC 3339.
    #[schema(format = DateTime)]
    starts_at: Option<String>,
    /// RFC 3339, after `starts_at`.
    #[schema(format = DateTime)]
    ends_at: Option<String>,
    /// The whole list of venues (at least one): to add, change or remove one, send the list as it should be.
    venues: Option<Vec<Venue>>,
    expected_attendance: Option<i64>,
    /// The lead organisation's id; the previous lead organisation keeps access through a share.
    organisation_id: Option<OrganisationId>,
    /// Raising is always allowed; lowering needs a `reason` and nothing in the plan marked higher.
    #[schema(value_type = Option<Marking>)]
    marking: Option<String>,
    /// Why; recorded in the audit trail, required when lowering the marking.
    reason: Option<String>,
}

/// Change an event's details (its owners). Journaled and shown in the audit trail.
#[utoipa::path(patch, path = "/events/{id}", tag = "events",
    params(EventPath),
    request_body = EventPatchBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The event as changed", body = EventBody),
        BadRequest, Unauthorised, Forbidden, NotFound, Conflict, UnsupportedMediaType, Unprocessable, PayloadTooLarge,
    ))]
pub async fn api_patch(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<EventPath>,
    JsonBody(b): JsonBody<EventPatchBody>,
) -> Result<Json<EventBody>, ApiError> {
    let change = EventChange {
        name: b.name,
        kind: b.kind,
        starts_at: b.starts_at,
        ends_at: b.ends_at,
        venues: b.venues,
        expected_attendance: b.expected_attendance,
        marking: b.marking,
        organisation_id: b.organisation_id,
        reason: b.reason,
    };
    let e = state.store.events().change_event(&u.user, &u.viewer, &p.id, change).await?;
    Ok(Json(EventBody::from(&e)))
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
        status: e.status.words(),
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
    statuses: Vec<(&'static str, &'static str)>,
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
            // In the words of the filter's own boxes.
            let (label, message) = match e.field.as_deref() {
                Some("from") => ("Ending on or after", "Enter a real date, such as 26/4/2027".to_string()),
                Some("to") => ("Starting before", "Enter a real date, such as 26/4/2027".to_string()),
                Some("status") => ("Status", "Choose a status from the list".to_string()),
                Some("kind") => ("Kind", "Choose a kind from the list".to_string()),
                _ => ("Filter", e.message),
            };
            (EventFilter { limit: 25, ..Default::default() }, Some((label.to_string(), message)))
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
            statuses: EventStatus::ALL.iter().map(|s| (s.as_str(), s.words())).collect(),
            kinds: EventKind::ALL.iter().map(|k| (k.as_str(), k.words())).collect(),
            error,
            prev_link: (f.offset > 0).then(|| link((f.offset - f.limit).max(0))),
            next_link: (f.offset + f.limit < total).then(|| link(f.offset + f.limit)),
            can_create: u.viewer.may(cordon_domain::planned_event::CREATE),
        },
    )
}

/// The event's form, for a new event and for changing one.
#[derive(Template)]
#[template(path = "event_form.html")]
struct EventFormPage {
    layout: Layout,
    heading: String,
    action: String,
    back: String,
    submit: &'static str,
    changing: bool,
    errors: FormErrors,
    form: Fields,
    venue_rows: Vec<VenueRow>,
    kinds: Vec<(&'static str, &'static str)>,
    markings: Vec<&'static str>,
    organisations: Vec<(String, String)>,
}

impl EventFormPage {
    fn value(&self, name: impl std::fmt::Display) -> String {
        field(&self.form, &name.to_string())
    }
}

/// The boxes of one venue row: ids, labels, values and errors.
struct VenueRow {
    n: usize,
    name_id: String,
    address_id: String,
    remove_id: String,
    name: String,
    address: String,
    removed: bool,
    name_error: Option<String>,
    last: bool,
}

/// How many venue rows a form shows: those it holds, and one blank to add.
fn venue_rows(form: &Fields) -> usize {
    let held = (0..=50).rev().find(|i| !field(form, &format!("venue-name-{i}")).is_empty()).map(|i| i + 1).unwrap_or(0);
    held + 1
}

fn event_form_page(
    u: &CurrentUser,
    status: StatusCode,
    existing: Option<&EventRecord>,
    organisations: Vec<(String, String)>,
    errors: FormErrors,
    form: Fields,
) -> Response {
    let (heading, action, back, submit, marking) = match existing {
        Some(e) => (
            format!("Change {}", e.name),
            format!("/events/{}/change", e.id),
            format!("/events/{}", e.id),
            "Save changes",
            e.marking,
        ),
        None => (
            "Create an event".to_string(),
            "/events".to_string(),
            "/events".to_string(),
            "Create event",
            Marking::Official,
        ),
    };
    let n = if existing.is_some() { venue_rows(&form) } else { 1 };
    let rows = (0..n)
        .map(|i| VenueRow {
            n: i + 1,
            name_id: format!("venue-name-{i}"),
            address_id: format!("venue-address-{i}"),
            remove_id: format!("venue-remove-{i}"),
            name: field(&form, &format!("venue-name-{i}")),
            address: field(&form, &format!("venue-address-{i}")),
            removed: field(&form, &format!("venue-remove-{i}")) == "1",
            name_error: errors.get(format!("venue-name-{i}")).map(str::to_string),
            last: i + 1 == n,
        })
        .collect();
    render(
        status,
        &EventFormPage {
            layout: Layout::for_user(heading.clone(), marking, "/events", Some(u)),
            heading,
            action,
            back,
            submit,
            changing: existing.is_some(),
            errors,
            venue_rows: rows,
            form,
            kinds: EventKind::ALL.iter().map(|k| (k.as_str(), k.words())).collect(),
            markings: Marking::ALL.iter().map(|m| m.as_str()).collect(),
            organisations,
        },
    )
}

pub async fn page_new(PageUser(u): PageUser) -> Response {
    if !u.viewer.may(cordon_domain::planned_event::CREATE) {
        return crate::pages::message_page(
            StatusCode::FORBIDDEN,
            "You cannot create events",
            "Events are created by police planners and commanders. Ask the lead organisation's security coordinator to share an event with your organisation.",
            Some(&u),
        );
    }
    event_form_page(
        &u,
        StatusCode::OK,
        None,
        Vec::new(),
        FormErrors::default(),
        vec![("marking".into(), "OFFICIAL-SENSITIVE".into())],
    )
}

/// The event's details read from its form: what the store is asked to make
/// or change. A problem with a box the store never sees (a date that does
/// not exist, attendance that is not a number) is named here.
struct ReadForm {
    name: String,
    kind: String,
    starts_at: String,
    ends_at: String,
    venues: Vec<Venue>,
    expected_attendance: i64,
    marking: String,
}

fn read_event_form(f: &Fields) -> Result<ReadForm, FormErrors> {
    let mut errors = FormErrors::default();
    let starts = crate::dates::read_instant(f, "starts", "Start");
    let ends = crate::dates::read_instant(f, "ends", "End");
    for p in [&starts, &ends].into_iter().filter_map(|r| r.as_ref().err()) {
        errors.0.push((p.field.clone(), p.message.clone()));
    }
    let attendance = field(f, "expected_attendance");
    let attendance = match attendance.replace([',', ' '], "").parse::<i64>() {
        Ok(n) => n,
        Err(_) => {
            let message = if attendance.is_empty() {
                "Enter the expected peak attendance"
            } else {
                "Expected peak attendance must be a whole number, such as 38,000"
            };
            errors.0.push(("expected_attendance".into(), message.into()));
            0
        }
    };
    let mut venues = Vec::new();
    for i in 0..=50 {
        let name = field(f, &format!("venue-name-{i}"));
        let address = field(f, &format!("venue-address-{i}"));
        if field(f, &format!("venue-remove-{i}")) == "1" || (name.is_empty() && address.is_empty()) {
            continue;
        }
        if name.is_empty() {
            errors.0.push((format!("venue-name-{i}"), format!("Enter the name of venue {}", i + 1)));
        }
        venues.push(Venue { name, address });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ReadForm {
        name: field(f, "name"),
        kind: field(f, "kind"),
        starts_at: starts.map(|t| t.stored()).unwrap_or_default(),
        ends_at: ends.map(|t| t.stored()).unwrap_or_default(),
        venues,
        expected_attendance: attendance,
        marking: field(f, "marking"),
    })
}

/// The store's field names as the form's boxes.
fn form_errors(e: StoreError) -> Result<FormErrors, Response> {
    let mut errors = FormErrors::from_store(e)?;
    for (field, _) in errors.0.iter_mut() {
        let mapped = match field.as_str() {
            "starts_at" => Some("starts-day".to_string()),
            "ends_at" => Some("ends-day".to_string()),
            "venues" => Some("venue-name-0".to_string()),
            f if f.starts_with("venues[") => {
                let i: String = f.trim_start_matches("venues[").chars().take_while(char::is_ascii_digit).collect();
                Some(format!("venue-name-{i}"))
            }
            _ => None,
        };
        if let Some(m) = mapped {
            *field = m;
        }
    }
    Ok(errors)
}

pub async fn page_create(State(state): State<AppState>, CheckedForm { user: u, fields: f }: CheckedForm) -> Response {
    let read = match read_event_form(&f) {
        Ok(r) => r,
        Err(errors) => return event_form_page(&u, StatusCode::UNPROCESSABLE_ENTITY, None, Vec::new(), errors, f),
    };
    let new = NewEvent {
        name: read.name,
        kind: read.kind,
        starts_at: read.starts_at,
        ends_at: read.ends_at,
        venues: read.venues,
        expected_attendance: read.expected_attendance,
        marking: read.marking,
    };
    match state.store.events().create_event(&u.user, &u.viewer, new).await {
        Ok(e) => Redirect::to(&format!("/events/{}", e.id)).into_response(),
        Err(e) => match form_errors(e) {
            Ok(errors) => event_form_page(&u, StatusCode::UNPROCESSABLE_ENTITY, None, Vec::new(), errors, f),
            Err(r) => r,
        },
    }
}

async fn organisation_choices(state: &AppState) -> Vec<(String, String)> {
    state
        .store
        .identity()
        .organisations()
        .await
        .map(|orgs| orgs.into_iter().map(|o| (o.id.to_string(), o.name)).collect())
        .unwrap_or_default()
}

/// An event's current details as its form's values.
fn event_values(e: &EventRecord) -> Fields {
    let mut f: Fields = vec![
        ("name".into(), e.name.clone()),
        ("kind".into(), e.kind.as_str().into()),
        ("expected_attendance".into(), cordon_domain::documents::thousands(e.expected_attendance)),
        ("organisation_id".into(), e.organisation_id.to_string()),
        ("marking".into(), e.marking.as_str().into()),
    ];
    crate::dates::fill(&mut f, "starts", e.starts_at);
    crate::dates::fill(&mut f, "ends", e.ends_at);
    for (i, v) in e.venues.iter().enumerate() {
        f.push((format!("venue-name-{i}"), v.name.clone()));
        f.push((format!("venue-address-{i}"), v.address.clone()));
    }
    f
}

/// An event the viewer may change (its owners), or the page to show instead.
async fn event_to_change(state: &AppState, u: &CurrentUser, id: &EventId) -> Result<EventRecord, Response> {
    let event = match state.store.events().event_for(&u.viewer, id).await {
        Ok(e) => e,
        Err(StoreError::NotFound { .. }) => return Err(crate::pages::not_found_for(Some(u))),
        Err(e) => return Err(ApiError::from(e).into_response()),
    };
    if !can_manage(u, &event) {
        return Err(crate::pages::message_page(
            StatusCode::FORBIDDEN,
            "You cannot change this event",
            "Only the event's owners (its team, in its lead organisation, with a planning role) can change it.",
            Some(u),
        ));
    }
    if event.status.is_closed() {
        return Err(crate::pages::message_page(
            StatusCode::CONFLICT,
            "This event is closed",
            "A closed event and its plan can no longer be changed.",
            Some(u),
        ));
    }
    Ok(event)
}

fn can_manage(u: &CurrentUser, event: &EventRecord) -> bool {
    u.viewer.teams.contains(event.id.as_str())
        && u.viewer.organisation_id == event.organisation_id
        && u.viewer.may(cordon_domain::planned_event::CHANGE)
}

pub async fn page_change(State(state): State<AppState>, PageUser(u): PageUser, Path(id): Path<EventId>) -> Response {
    let event = match event_to_change(&state, &u, &id).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    let orgs = organisation_choices(&state).await;
    event_form_page(&u, StatusCode::OK, Some(&event), orgs, FormErrors::default(), event_values(&event))
}

pub async fn page_save_change(
    State(state): State<AppState>,
    Path(id): Path<EventId>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let event = match event_to_change(&state, &u, &id).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    let orgs = organisation_choices(&state).await;
    let read = match read_event_form(&f) {
        Ok(r) => r,
        Err(errors) => return event_form_page(&u, StatusCode::UNPROCESSABLE_ENTITY, Some(&event), orgs, errors, f),
    };
    let organisation_id = match field(&f, "organisation_id") {
        s if s.is_empty() => None,
        s => match s.parse::<OrganisationId>() {
            Ok(o) => Some(o),
            Err(_) => {
                let errors = FormErrors::one("organisation_id", "Choose a lead organisation from the list");
                return event_form_page(&u, StatusCode::UNPROCESSABLE_ENTITY, Some(&event), orgs, errors, f);
            }
        },
    };
    let change = EventChange {
        name: Some(read.name),
        kind: Some(read.kind),
        starts_at: Some(read.starts_at),
        ends_at: Some(read.ends_at),
        venues: Some(read.venues),
        expected_attendance: Some(read.expected_attendance),
        marking: Some(read.marking),
        organisation_id,
        reason: Some(field(&f, "reason")),
    };
    match state.store.events().change_event(&u.user, &u.viewer, &id, change).await {
        Ok(_) => Redirect::to(&format!("/events/{id}?changed=1")).into_response(),
        Err(e) => match form_errors(e) {
            Ok(errors) => event_form_page(&u, StatusCode::UNPROCESSABLE_ENTITY, Some(&event), orgs, errors, f),
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
    attendance: String,
    team: Vec<TeamMember>,
    can_manage: bool,
    next_status: Option<(&'static str, String)>,
    changed: bool,
}

#[derive(Debug, Deserialize, Default)]
pub struct EventPageQuery {
    #[serde(default)]
    changed: Option<String>,
}

pub async fn page_show(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<EventId>,
    Query(q): Query<EventPageQuery>,
) -> Response {
    let (event, team) = match state.store.events().event_with_team(&u.viewer, &id).await {
        Ok(x) => x,
        Err(StoreError::NotFound { .. }) => return crate::pages::not_found_for(Some(&u)),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let manage = can_manage(&u, &event);
    let next_status = event.status.next().map(|n| (n.as_str(), n.words().to_lowercase()));
    render(
        StatusCode::OK,
        &EventPage {
            layout: Layout::for_user(event.name.clone(), event.marking, "/events", Some(&u)),
            kind: event.kind.words(),
            starts: display_instant(event.starts_at),
            ends: display_instant(event.ends_at),
            attendance: cordon_domain::documents::thousands(event.expected_attendance),
            can_manage: manage && !event.status.is_closed(),
            event,
            team,
            next_status,
            changed: q.changed.is_some(),
        },
    )
}

/// A page that asks before a status change or a removal, and takes a reason.
#[derive(Template)]
#[template(path = "event_confirm.html")]
pub(crate) struct ConfirmPage {
    pub layout: Layout,
    pub heading: String,
    pub explanation: String,
    pub action: String,
    pub back: String,
    pub hidden: Vec<(String, String)>,
    pub button: String,
    pub warning: bool,
    pub reason_label: String,
    pub reason_hint: String,
    pub errors: FormErrors,
    pub reason: String,
}

#[derive(Debug, Deserialize)]
pub struct StatusQuery {
    to: Option<String>,
}

fn status_confirm(
    u: &CurrentUser,
    event: &EventRecord,
    to: EventStatus,
    status: StatusCode,
    errors: FormErrors,
    reason: String,
) -> Response {
    let explanation = match to {
        EventStatus::Live => format!(
            "The event starts {}. Going live means the plan is in use. You can go live from the day before the event starts; earlier, give a reason.",
            display_instant(event.starts_at)
        ),
        EventStatus::Debrief => "The event has finished with. Debrief is when the team records what happened and the lessons to learn.".to_string(),
        EventStatus::Closed => "Closing the event makes it and its plan read-only for good: nothing can be changed afterwards.".to_string(),
        _ => String::new(),
    };
    render(
        status,
        &ConfirmPage {
            layout: Layout::for_user(
                format!("Move {} to {}", event.name, to.words().to_lowercase()),
                event.marking,
                "/events",
                Some(u),
            ),
            heading: format!("Move {} to {}?", event.name, to.words().to_lowercase()),
            explanation,
            action: format!("/events/{}/status", event.id),
            back: format!("/events/{}", event.id),
            hidden: vec![("status".into(), to.as_str().into())],
            button: format!("Move to {}", to.words().to_lowercase()),
            warning: to == EventStatus::Closed,
            reason_label: "Reason".into(),
            reason_hint: "Recorded with the change, with your name and the time.".into(),
            errors,
            reason,
        },
    )
}

pub async fn page_status_confirm(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<EventId>,
    Query(q): Query<StatusQuery>,
) -> Response {
    let event = match event_to_change(&state, &u, &id).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    let to = q.to.as_deref().and_then(|t| t.parse::<EventStatus>().ok()).or(event.status.next());
    match to {
        Some(to) => status_confirm(&u, &event, to, StatusCode::OK, FormErrors::default(), String::new()),
        None => crate::pages::message_page(
            StatusCode::CONFLICT,
            "The status cannot be changed by hand",
            "An event is awaiting endorsement once a version of its plan is issued, and endorsed once Gold endorses the latest version.",
            Some(&u),
        ),
    }
}

pub async fn page_status(
    State(state): State<AppState>,
    Path(id): Path<EventId>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let event = match event_to_change(&state, &u, &id).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    let Ok(to) = field(&f, "status").parse::<EventStatus>() else {
        return crate::pages::message_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Choose a status",
            "Go back and try again.",
            Some(&u),
        );
    };
    let reason = field(&f, "reason");
    // On the page every change of status says why; it is recorded with it.
    if reason.trim().is_empty() {
        let errors = FormErrors::one("reason", "Enter the reason for the change".to_string());
        return status_confirm(&u, &event, to, StatusCode::UNPROCESSABLE_ENTITY, errors, reason);
    }
    match state.store.events().set_event_status(&u.viewer, &id, to, &reason).await {
        Ok(_) => Redirect::to(&format!("/events/{id}")).into_response(),
        Err(StoreError::Conflict(m)) => {
            status_confirm(&u, &event, to, StatusCode::CONFLICT, FormErrors::one("reason", m), reason)
        }
        Err(e) => match FormErrors::from_store(e) {
            Ok(errors) => status_confirm(&u, &event, to, StatusCode::UNPROCESSABLE_ENTITY, errors, reason),
            Err(r) => r,
        },
    }
}

#[derive(Debug, Deserialize)]
pub struct MemberQuery {
    email: Option<String>,
}

/// Asks before removing someone from the team, and why.
pub async fn page_remove_member_confirm(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<EventId>,
    Query(q): Query<MemberQuery>,
) -> Response {
    remove_member_confirm(&state, &u, &id, &q.email.unwrap_or_default(), None, "").await
}

/// The page that asks before `email` is removed from the team: what will
/// happen and the reason (with `error` when it was sent without one).
async fn remove_member_confirm(
    state: &AppState,
    u: &CurrentUser,
    id: &EventId,
    email: &str,
    error: Option<&str>,
    reason: &str,
) -> Response {
    let event = match event_to_change(state, u, id).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    let team = state.store.events().team(&u.viewer, id).await.unwrap_or_default();
    let Some(member) = team.into_iter().find(|m| m.email == email) else {
        return crate::pages::not_found_for(Some(u));
    };
    let heading = format!("Remove {} from the team?", member.name);
    render(
        if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK },
        &ConfirmPage {
            layout: Layout::for_user(heading.trim_end_matches('?').to_string(), event.marking, "/events", Some(u)),
            heading,
            explanation: format!(
                "{} ({}) will no longer see {} unless their organisation's access allows it. You can add them again later.",
                member.name, member.organisation_name, event.name
            ),
            action: format!("/events/{}/team", event.id),
            back: format!("/events/{}", event.id),
            hidden: vec![("action".into(), "remove".into()), ("email".into(), member.email)],
            button: "Remove from the team".into(),
            warning: true,
            reason_label: "Why are they being removed?".into(),
            reason_hint: "Recorded in the event's history with your name and the time.".into(),
            errors: error.map(|e| FormErrors::one("reason", e)).unwrap_or_default(),
            reason: reason.to_string(),
        },
    )
}

#[derive(Template)]
#[template(path = "event_team_add.html")]
struct TeamAddPage {
    layout: Layout,
    event: EventRecord,
    q: String,
    people: Vec<cordon_store::identity::User>,
    errors: FormErrors,
}

#[derive(Debug, Deserialize)]
pub struct PickerQuery {
    q: Option<String>,
}

/// The team's picker: people eligible for the event, searched by name,
/// address or organisation, without JavaScript.
pub async fn page_team_add(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<EventId>,
    Query(q): Query<PickerQuery>,
) -> Response {
    let event = match event_to_change(&state, &u, &id).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    team_add_page(&state, &u, event, q.q.unwrap_or_default(), StatusCode::OK, FormErrors::default()).await
}

async fn team_add_page(
    state: &AppState,
    u: &CurrentUser,
    event: EventRecord,
    q: String,
    status: StatusCode,
    errors: FormErrors,
) -> Response {
    let team = state.store.events().team(&u.viewer, &event.id).await.unwrap_or_default();
    let people = match state.store.events().candidates(&u.viewer, &event.id, None, &q).await {
        Ok(p) => p.into_iter().filter(|p| !team.iter().any(|m| m.user_id == p.id)).collect(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    render(
        status,
        &TeamAddPage {
            layout: Layout::for_user(format!("Add to the team of {}", event.name), event.marking, "/events", Some(u)),
            event,
            q,
            people,
            errors,
        },
    )
}

pub async fn page_team(
    State(state): State<AppState>,
    Path(id): Path<EventId>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let email = field(&f, "email");
    let removing = field(&f, "action") == "remove";
    let reason = field(&f, "reason");
    if removing && reason.trim().is_empty() {
        return remove_member_confirm(&state, &u, &id, &email, Some("Enter why they are being removed"), &reason).await;
    }
    let result = match EmailAddress::parse(&email) {
        Err(_) => Err(StoreError::invalid("email", "Choose someone to add")),
        Ok(email) if removing => state.store.events().remove_team_member(&u.viewer, &id, &email, &reason).await,
        Ok(email) => state.store.events().add_team_member(&u.viewer, &id, &email).await.map(|_| ()),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/events/{id}#team")).into_response(),
        Err(StoreError::NotFound { field: None, .. }) => crate::pages::not_found_for(Some(&u)),
        Err(e) => {
            let errors = match FormErrors::from_store(e) {
                Ok(errors) => errors,
                Err(r) => return r,
            };
            if removing {
                return crate::pages::message_page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "They could not be removed",
                    errors.0.first().map(|(_, m)| m.as_str()).unwrap_or(""),
                    Some(&u),
                );
            }
            match event_to_change(&state, &u, &id).await {
                Ok(event) => {
                    team_add_page(&state, &u, event, String::new(), StatusCode::UNPROCESSABLE_ENTITY, errors).await
                }
                Err(r) => r,
            }
        }
    }
}

#[derive(Template)]
#[template(path = "event_commanders.html")]
struct CommandersPage {
    layout: Layout,
    event: EventRecord,
    q: String,
    golds: Vec<cordon_store::identity::User>,
    silvers: Vec<cordon_store::identity::User>,
    gold_email: String,
    silver_email: String,
}

/// Choosing the event's commanders: Gold from the strategic commanders who
/// may see the event, Silver from anyone who may; searched without script.
pub async fn page_commanders_form(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<EventId>,
    Query(q): Query<PickerQuery>,
) -> Response {
    let event = match event_to_change(&state, &u, &id).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    let q = q.q.unwrap_or_default();
    let events = state.store.events();
    let golds = events.candidates(&u.viewer, &id, Some(cordon_domain::identity::Role::StrategicCommander), &q).await;
    let silvers = events.candidates(&u.viewer, &id, None, &q).await;
    let (mut golds, mut silvers) = match (golds, silvers) {
        (Ok(g), Ok(s)) => (g, s),
        (Err(e), _) | (_, Err(e)) => return ApiError::from(e).into_response(),
    };
    // Whoever holds a role now stays chosen, whatever the search finds, so
    // saving after a search for the other role does not clear this one.
    let mut emails = Vec::new();
    for (who, list) in [(&event.gold_user_id, &mut golds), (&event.silver_user_id, &mut silvers)] {
        let current = match who {
            Some(id) => state.store.identity().user(id).await.ok().flatten(),
            None => None,
        };
        let email = current.as_ref().map(|c| c.email.clone()).unwrap_or_default();
        if let Some(c) = current {
            if !list.iter().any(|p| p.email == c.email) {
                list.insert(0, c);
            }
        }
        emails.push(email);
    }
    let silver_email = emails.pop().unwrap_or_default();
    let gold_email = emails.pop().unwrap_or_default();
    render(
        StatusCode::OK,
        &CommandersPage {
            layout: Layout::for_user(format!("Commanders of {}", event.name), event.marking, "/events", Some(&u)),
            event,
            q,
            golds,
            silvers,
            gold_email,
            silver_email,
        },
    )
}

/// This capability's API operations.
pub fn api() -> ApiRoutes {
    ApiRoutes::new()
        .routes(routes!(api_list, api_create))
        .routes(routes!(api_export))
        .routes(routes!(api_get, api_patch))
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
        .route("/events/{id}/change", get(page_change).post(page_save_change))
        .route("/events/{id}/status", get(page_status_confirm).post(page_status))
        .route("/events/{id}/team", post(page_team))
        .route("/events/{id}/team/add", get(page_team_add))
        .route("/events/{id}/team/remove", get(page_remove_member_confirm))
}
