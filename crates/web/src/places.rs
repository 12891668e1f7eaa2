//! The register of crowded places: pages under `/places`, API under
//! `/api/v1/places` (list, one place, CSV import, streaming CSV export).

use crate::api::{
    paging, ApiRoutes, BadRequest, Complete, Conflict, Forbidden, NotFound, Page, PageQuery, PayloadTooLarge,
    Unauthorised, Unprocessable, UnsupportedMediaType,
};
use crate::auth::{ApiUser, CurrentUser, PageUser};
use crate::error::ApiError;
use crate::forms::{field, CheckedForm, Fields};
use crate::json::JsonBody;
use crate::pages::FormErrors;
use crate::pages::{not_found_for, render, Layout};
use crate::AppState;
use askama::Template;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use cordon_domain::london::display_date;
use cordon_domain::martyns_law::{self as ml, thousands, Responsible, Tier};
use cordon_domain::places::score::{Breakdown, VisitOutcome};
use cordon_domain::places::{
    check_adviser, check_sector, csv_field, Adviser, AdviserKind, DutyStatus, Region, RunSummary, Sector, CSV_COLUMNS,
    MANAGE,
};
use cordon_domain::reference::parse_date;
use cordon_domain::Marking;
use cordon_store::places::allocation::{RunAdviser, Visit};
use cordon_store::places::duties::{DutyState, Flag};
use cordon_store::places::{ImportError, ImportReport, Place, PlaceFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

/// A place as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct PlaceBody {
    id: String,
    reference: String,
    name: String,
    sector: Sector,
    #[serde(rename = "use")]
    use_: String,
    capacity: u64,
    latitude: f64,
    longitude: f64,
    address: String,
    /// The Martyn's Law tier computed from use and capacity.
    tier: Tier,
    /// The duties that apply, given who is responsible.
    duties: Vec<String>,
    /// The person or organisation responsible for the place (empty until recorded).
    responsible_name: String,
    /// `individual` or `organisation` (an organisation until recorded): an
    /// organisation designates a senior individual at enhanced premises.
    responsible: Responsible,
    /// The region whose centre is nearest (an approximation).
    region: Region,
    /// The day of the last adviser visit (YYYY-MM-DD), if any.
    last_visit_on: Option<String>,
    last_visit_outcome: Option<VisitOutcome>,
    updated_at: String,
}

impl From<Place> for PlaceBody {
    fn from(p: Place) -> Self {
        let duties = duties_of(&p);
        PlaceBody {
            id: p.id,
            reference: p.reference,
            name: p.name,
            sector: p.sector,
            use_: p.use_,
            capacity: p.capacity,
            latitude: p.latitude,
            longitude: p.longitude,
            address: p.address,
            tier: p.tier,
            duties,
            responsible_name: p.responsible_name,
            responsible: p.responsible,
            region: p.region,
            last_visit_on: p.last_visit.as_ref().map(|v| v.0.clone()),
            last_visit_outcome: p.last_visit.as_ref().map(|v| v.1),
            updated_at: p.updated_at,
        }
    }
}

fn duties_of(p: &Place) -> Vec<String> {
    let rules = ml::rules();
    rules.use_rule(&p.use_).map(|u| rules.premises(u, p.capacity, p.responsible).duties).unwrap_or_default()
}

/// `GET /places` filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlacesQuery {
    /// One of the twelve sectors (`stadiums_and_arenas` … `events`).
    #[param(value_type = Option<String>)]
    sector: Option<String>,
    /// `out_of_scope`, `standard` or `enhanced`.
    #[param(value_type = Option<String>)]
    tier: Option<String>,
    /// A region (`north_east` … `northern_ireland`).
    #[param(value_type = Option<String>)]
    region: Option<String>,
    /// Part of the name or reference.
    #[param(value_type = Option<String>)]
    q: Option<String>,
    /// Only places that scored at least this (0 to 100) in the latest allocation run.
    #[param(value_type = Option<f64>, minimum = 0, maximum = 100)]
    min_score: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    #[param(value_type = Option<i64>, minimum = 0)]
    offset: Option<String>,
}

impl PlacesQuery {
    fn filter(&self) -> Result<PlaceFilter, ApiError> {
        let sector = match self.sector.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(Sector::parse(s).ok_or_else(|| {
                ApiError::bad_request("sector", format!("sector must be one of {}; {s:?} is not", Sector::list()))
            })?),
        };
        let tier = match self.tier.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(Tier::parse(s).ok_or_else(|| {
                ApiError::bad_request("tier", format!("tier must be out_of_scope, standard or enhanced; {s:?} is not"))
            })?),
        };
        let region = match self.region.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(Region::parse(s).ok_or_else(|| {
                ApiError::bad_request("region", format!("region must be one of {}; {s:?} is not", Region::list()))
            })?),
        };
        let min_score = match self.min_score.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(s.parse::<f64>().ok().filter(|x| (0.0..=100.0).contains(x)).ok_or_else(|| {
                ApiError::bad_request("min_score", format!("min_score must be a number from 0 to 100; {s:?} is not"))
            })?),
        };
        Ok(PlaceFilter { sector, tier, region, text: self.q.clone(), min_score })
    }
}

/// The register of crowded places, filtered and paginated, in reference order.
#[utoipa::path(get, path = "/places", tag = "places", params(PlacesQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "A page of places", body = Page<PlaceBody>), BadRequest, Unauthorised, Forbidden))]
pub async fn api_list(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<PlacesQuery>,
) -> Result<Json<Page<PlaceBody>>, ApiError> {
    let p = paging(q.limit.as_deref(), q.offset.as_deref())?;
    let filter = q.filter()?;
    let (items, total) = state.store.places().list(u.caller(), &filter, p.limit, p.offset).await?;
    Ok(Json(Page { items: items.into_iter().map(PlaceBody::from).collect(), total, limit: p.limit, offset: p.offset }))
}

/// `{id}` of a place.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PlacePath {
    id: String,
}

/// One place, with its tier and duties.
#[utoipa::path(get, path = "/places/{id}", tag = "places", params(PlacePath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The place", body = PlaceBody), Unauthorised, Forbidden, NotFound))]
pub async fn api_get(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<PlacePath>,
) -> Result<Json<PlaceBody>, ApiError> {
    Ok(Json(state.store.places().get(u.caller(), &p.id).await?.into()))
}

/// An adviser's visit to a place.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VisitBody {
    /// The day of the visit, YYYY-MM-DD (not in the future).
    #[schema(format = Date)]
    on: String,
    /// `good`, `actions_agreed` or `poor`.
    outcome: String,
}

fn visit_from(on: &str, outcome: &str) -> Result<(time::Date, VisitOutcome), ApiError> {
    let day = parse_date(on.trim())
        .map_err(|_| ApiError::unprocessable("on", format!("on must be a date YYYY-MM-DD; {on:?} is not")))?;
    let o = VisitOutcome::parse(outcome.trim()).ok_or_else(|| {
        ApiError::unprocessable("outcome", format!("outcome must be good, actions_agreed or poor; {outcome:?} is not"))
    })?;
    Ok((day, o))
}

/// Records an adviser's visit to a place: its day and outcome.
#[utoipa::path(post, path = "/places/{id}/visits", tag = "places", params(PlacePath), request_body = VisitBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "The place, with its last visit", body = PlaceBody),
        BadRequest, Unauthorised, Forbidden, NotFound, UnsupportedMediaType, Unprocessable, PayloadTooLarge))]
pub async fn api_visit(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<PlacePath>,
    JsonBody(b): JsonBody<VisitBody>,
) -> Result<(StatusCode, Json<PlaceBody>), ApiError> {
    state.store.places().may_manage(u.caller()).await?;
    let (day, o) = visit_from(&b.on, &b.outcome)?;
    let place = state.store.places().record_visit(u.caller(), &u.actor(), &p.id, day, o).await?;
    Ok((StatusCode::CREATED, Json(place.into())))
}

/// One duty of a place's Martyn's Law checklist.
#[derive(Serialize, ToSchema)]
pub struct DutyBody {
    /// `notify_sia`, `public_protection_procedures`, `public_protection_measures`,
    /// `security_document` or `designated_senior_individual`.
    duty: String,
    title: String,
    /// The Act's section.
    section: String,
    status: DutyStatus,
    /// Who recorded the status, if anyone has.
    recorded_by: Option<String>,
    /// When (RFC 3339 UTC).
    recorded_at: Option<String>,
}

impl From<DutyState> for DutyBody {
    fn from(d: DutyState) -> Self {
        DutyBody {
            duty: d.duty,
            title: d.title,
            section: d.section,
            status: d.status,
            recorded_by: d.recorded_by,
            recorded_at: d.recorded_at,
        }
    }
}

/// The place's Martyn's Law duty checklist: each duty of its tier (the
/// responsible person taken to be an organisation) with its status.
#[utoipa::path(get, path = "/places/{id}/duties", tag = "places", params(PlacePath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Every duty that applies (complete)", body = Complete<DutyBody>), Unauthorised, Forbidden, NotFound))]
pub async fn api_duties(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<PlacePath>,
) -> Result<Json<Complete<DutyBody>>, ApiError> {
    let (_, list) = state.store.places().duties(u.caller(), &p.id).await?;
    Ok(Json(Complete::new(list.into_iter().map(DutyBody::from).collect())))
}

/// `{id}` of a place and `{duty}` of one of its duties.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PlaceDutyPath {
    id: String,
    duty: String,
}

/// A duty's status.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DutyStatusBody {
    /// `not_started`, `in_progress` or `met`.
    status: String,
}

fn duty_status(s: &str) -> Result<DutyStatus, ApiError> {
    DutyStatus::parse(s.trim()).ok_or_else(|| {
        ApiError::unprocessable("status", format!("status must be not_started, in_progress or met; {s:?} is not"))
    })
}

/// Records the status of one of the place's duties (who and when are kept).
#[utoipa::path(put, path = "/places/{id}/duties/{duty}", tag = "places", params(PlaceDutyPath), request_body = DutyStatusBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The duty, as recorded", body = DutyBody),
        BadRequest, Unauthorised, Forbidden, NotFound, UnsupportedMediaType, Unprocessable, PayloadTooLarge))]
pub async fn api_record_duty(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<PlaceDutyPath>,
    JsonBody(b): JsonBody<DutyStatusBody>,
) -> Result<Json<DutyBody>, ApiError> {
    state.store.places().may_manage(u.caller()).await?;
    let status = duty_status(&b.status)?;
    let list = state.store.places().record_duties(u.caller(), &u.actor(), &p.id, &[(p.duty.clone(), status)]).await?;
    let d = list.into_iter().find(|d| d.duty == p.duty).ok_or_else(ApiError::internal)?;
    Ok(Json(d.into()))
}

/// A CTSA's flag on a place.
#[derive(Serialize, ToSchema)]
pub struct FlagBody {
    flagged: bool,
    reason: Option<String>,
    /// Who set the flag.
    flagged_by: Option<String>,
    /// When (RFC 3339 UTC).
    flagged_at: Option<String>,
}

impl From<Option<Flag>> for FlagBody {
    fn from(f: Option<Flag>) -> Self {
        match f {
            Some(f) => FlagBody {
                flagged: true,
                reason: Some(f.reason),
                flagged_by: Some(f.flagged_by),
                flagged_at: Some(f.flagged_at),
            },
            None => FlagBody { flagged: false, reason: None, flagged_by: None, flagged_at: None },
        }
    }
}

/// Whether a CTSA has flagged the place, why, by whom and when.
#[utoipa::path(get, path = "/places/{id}/flag", tag = "places", params(PlacePath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The place's flag", body = FlagBody), Unauthorised, Forbidden, NotFound))]
pub async fn api_flag(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<PlacePath>,
) -> Result<Json<FlagBody>, ApiError> {
    Ok(Json(state.store.places().flag(u.caller(), &p.id).await?.1.into()))
}

/// Why a place is flagged.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FlagReasonBody {
    /// Why (OFFICIAL text: no findings above OFFICIAL).
    reason: String,
}

/// Flags the place (or changes the flag's reason): the flag adds to the threat
/// part of the place's score in the next allocation run.
#[utoipa::path(put, path = "/places/{id}/flag", tag = "places", params(PlacePath), request_body = FlagReasonBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The flag, as recorded", body = FlagBody),
        BadRequest, Unauthorised, Forbidden, NotFound, UnsupportedMediaType, Unprocessable, PayloadTooLarge))]
pub async fn api_set_flag(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<PlacePath>,
    JsonBody(b): JsonBody<FlagReasonBody>,
) -> Result<Json<FlagBody>, ApiError> {
    state.store.places().may_manage(u.caller()).await?;
    let f = state.store.places().set_flag(u.caller(), &u.actor(), &p.id, &b.reason).await?;
    Ok(Json(Some(f).into()))
}

/// Who is responsible for a place.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResponsibleBody {
    /// The person or organisation in control of the premises.
    name: String,
    /// `individual` or `organisation`.
    #[schema(value_type = Responsible)]
    kind: String,
}

/// Records who is responsible for the place and whether that is an individual
/// (an organisation designates a senior individual at enhanced premises): the
/// place with its duties as they now apply. A bad `kind` or an empty `name` is
/// 422 naming it.
#[utoipa::path(put, path = "/places/{id}/responsible", tag = "places", params(PlacePath), request_body = ResponsibleBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The place, as recorded", body = PlaceBody),
        BadRequest, Unauthorised, Forbidden, NotFound, UnsupportedMediaType, Unprocessable, PayloadTooLarge))]
pub async fn api_set_responsible(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<PlacePath>,
    JsonBody(b): JsonBody<ResponsibleBody>,
) -> Result<Json<PlaceBody>, ApiError> {
    state.store.places().may_manage(u.caller()).await?;
    let kind = Responsible::parse(b.kind.trim())
        .ok_or_else(|| ApiError::unprocessable("kind", "Choose individual or organisation"))?;
    let place = state.store.places().set_responsible(u.caller(), &u.actor(), &p.id, &b.name, kind).await?;
    Ok(Json(place.into()))
}

/// Why a flag is cleared (optional).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClearFlagQuery {
    /// Why the flag is cleared.
    #[param(value_type = Option<String>)]
    reason: Option<String>,
}

/// Clears the place's flag (409 if it is not flagged).
#[utoipa::path(delete, path = "/places/{id}/flag", tag = "places", params(PlacePath, ClearFlagQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "Cleared"), Unauthorised, Forbidden, NotFound, Conflict, Unprocessable))]
pub async fn api_clear_flag(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<PlacePath>,
    Query(q): Query<ClearFlagQuery>,
) -> Result<StatusCode, ApiError> {
    state.store.places().may_manage(u.caller()).await?;
    state.store.places().clear_flag(u.caller(), &u.actor(), &p.id, q.reason.as_deref().unwrap_or("")).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What an import did.
#[derive(Serialize, ToSchema)]
pub struct ImportBody {
    import_id: String,
    rows: u64,
    added: u64,
    changed: u64,
}

impl From<ImportReport> for ImportBody {
    fn from(r: ImportReport) -> Self {
        ImportBody { import_id: r.import_id, rows: r.rows, added: r.added, changed: r.changed }
    }
}

/// Imports places from CSV (`text/csv`; columns exactly
/// `reference,name,sector,use,capacity,latitude,longitude,address`, optionally
/// followed by the export's `tier`, which is ignored). Every row is
/// checked first; a bad row is 422 naming its line and column (also in
/// `row`, beside `error`), and nothing is imported. A reference already registered is changed.
#[utoipa::path(post, path = "/places/import", tag = "places",
    security(("bearer" = []), ("session" = [])),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, description = "Imported", body = ImportBody),
        BadRequest, Unauthorised, Forbidden, UnsupportedMediaType, Unprocessable, PayloadTooLarge))]
pub async fn api_import(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<ImportBody>), ApiError> {
    let text = crate::api::csv_text(&headers, &body, "places")?;
    match state.store.places().import_csv(u.caller(), &u.actor(), text).await {
        Ok(r) => Ok((StatusCode::CREATED, Json(r.into()))),
        Err(ImportError::Row(p)) => Err(crate::api::csv_row_error(p)),
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

/// Rows per read of the streaming export.
const EXPORT_PAGE: i64 = 2_000;

fn csv_line(p: &Place) -> String {
    let mut s = [
        csv_field(&p.reference),
        csv_field(&p.name),
        p.sector.as_str().to_string(),
        p.use_.clone(),
        p.capacity.to_string(),
        format!("{:.6}", p.latitude),
        format!("{:.6}", p.longitude),
        csv_field(&p.address),
        p.tier.as_str().to_string(),
    ]
    .join(",");
    s.push_str("\r\n");
    s
}

/// The register as CSV, streamed page by page (the import's columns, then
/// `tier`), filtered as the list is. The file can be imported again as it is:
/// the import accepts the trailing `tier` column and ignores it.
#[utoipa::path(get, path = "/places/export.csv", tag = "places", params(PlacesQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "CSV", content_type = "text/csv", body = String), BadRequest, Unauthorised, Forbidden))]
pub async fn api_export(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<PlacesQuery>,
) -> Result<Response, ApiError> {
    let filter = q.filter()?;
    state.store.places().may_read(u.caller()).await?;
    let header_line = format!("{},tier\r\n", CSV_COLUMNS.join(","));
    let stream = futures_util::stream::unfold(
        (state, filter, Some(String::new()), Some(header_line)),
        |(state, filter, after, first)| async move {
            if let Some(h) = first {
                return Some((Ok::<_, std::io::Error>(Bytes::from(h)), (state, filter, after, None)));
            }
            let after = after?;
            match state.store.places().export_page(&filter, &after, EXPORT_PAGE).await {
                Ok(page) if page.is_empty() => None,
                Ok(page) => {
                    let next = (page.len() as i64 == EXPORT_PAGE).then(|| page[page.len() - 1].reference.clone());
                    let mut out = String::with_capacity(page.len() * 120);
                    for p in &page {
                        out.push_str(&csv_line(p));
                    }
                    Some((Ok(Bytes::from(out)), (state, filter, next, None)))
                }
                Err(e) => {
                    tracing::error!(error = %e, "the places export stopped");
                    Some((Err(std::io::Error::other("export failed")), (state, filter, None, None)))
                }
            }
        },
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"crowded-places.csv\""),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// This capability's API operations.
pub fn api() -> ApiRoutes {
    ApiRoutes::new()
        .routes(routes!(api_list))
        .routes(routes!(api_import))
        .routes(routes!(api_export))
        .routes(routes!(api_get))
        .routes(routes!(api_visit))
        .routes(routes!(api_duties))
        .routes(routes!(api_record_duty))
        .routes(routes!(api_flag, api_set_flag, api_clear_flag))
        .routes(routes!(api_set_responsible))
        .routes(routes!(api_coverage))
        .routes(routes!(api_coverage_json))
        .routes(routes!(api_add_adviser, api_advisers))
        .routes(routes!(api_run, api_runs))
        .routes(routes!(api_get_run))
        .routes(routes!(api_assignments))
        .routes(routes!(api_place_result))
        .routes(routes!(api_instance))
}

/// A row of the register page.
pub struct PlaceRowView {
    pub id: String,
    pub reference: String,
    pub name: String,
    pub sector: String,
    pub capacity: String,
    pub tier: String,
}

#[derive(Template)]
#[template(path = "places.html")]
struct ListPage {
    layout: Layout,
    items: Vec<PlaceRowView>,
    total: i64,
    shown_from: i64,
    shown_to: i64,
    limit: i64,
    offset: i64,
    sectors: Vec<(String, String, bool)>,
    tiers: Vec<(String, String, bool)>,
    regions: Vec<(String, String, bool)>,
    q: String,
    min_score: String,
    query: String,
    may_manage: bool,
    imported: Option<String>,
    error: Option<(String, String)>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListPageQuery {
    sector: Option<String>,
    tier: Option<String>,
    region: Option<String>,
    q: Option<String>,
    min_score: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
    imported: Option<String>,
}

/// `GET /places`: the register, filtered and paginated.
pub async fn page_list(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<ListPageQuery>,
) -> Response {
    let pq = PlacesQuery {
        sector: q.sector.clone(),
        tier: q.tier.clone(),
        region: q.region.clone(),
        q: q.q.clone(),
        min_score: q.min_score.clone(),
        limit: q.limit.clone(),
        offset: q.offset.clone(),
    };
    let (filter, error) = match pq.filter() {
        Ok(f) => (f, None),
        Err(e) => (
            PlaceFilter::default(),
            Some((
                e.field.clone().unwrap_or_default(),
                if e.field.as_deref() == Some("min_score") {
                    "Lowest score must be a number from 0 to 100".to_string()
                } else {
                    e.message
                },
            )),
        ),
    };
    let p = match paging(q.limit.as_deref(), q.offset.as_deref()) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let (items, total) = match state.store.places().list(u.caller(), &filter, p.limit, p.offset).await {
        Ok(x) => x,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let items_len = items.len() as i64;
    let mut query = String::new();
    for (k, v) in [
        ("sector", filter.sector.map(|s| s.as_str())),
        ("tier", filter.tier.map(|t| t.as_str())),
        ("region", filter.region.map(|r| r.as_str())),
    ] {
        if let Some(v) = v {
            query.push_str(&format!("&{k}={v}"));
        }
    }
    let text = filter.text.clone().unwrap_or_default();
    if !text.trim().is_empty() {
        query.push_str(&format!("&q={}", url_escape(text.trim())));
    }
    let min_score = filter.min_score.map(|m| m.to_string()).unwrap_or_default();
    if !min_score.is_empty() {
        query.push_str(&format!("&min_score={min_score}"));
    }
    render(
        if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK },
        &ListPage {
            layout: Layout::for_user("Crowded places", Marking::Official, "/places", Some(&u)),
            items: items
                .into_iter()
                .map(|p| PlaceRowView {
                    id: p.id,
                    reference: p.reference,
                    name: p.name,
                    sector: p.sector.info().name.clone(),
                    capacity: thousands(p.capacity),
                    tier: p.tier.words().into(),
                })
                .collect(),
            total,
            shown_from: p.offset + 1,
            shown_to: p.offset + items_len,
            limit: p.limit,
            offset: p.offset,
            sectors: Sector::ALL
                .iter()
                .map(|s| (s.as_str().into(), s.info().name.clone(), filter.sector == Some(*s)))
                .collect(),
            tiers: Tier::ALL.iter().map(|t| (t.as_str().into(), t.words().into(), filter.tier == Some(*t))).collect(),
            regions: Region::ALL
                .iter()
                .map(|r| (r.as_str().into(), r.name().into(), filter.region == Some(*r)))
                .collect(),
            q: text,
            min_score: if error.as_ref().is_some_and(|e| e.0 == "min_score") {
                q.min_score.clone().unwrap_or_default()
            } else {
                min_score
            },
            query,
            may_manage: u.viewer.may(MANAGE),
            imported: q.imported.filter(|n| n.chars().all(|c| c.is_ascii_digit())),
            error,
        },
    )
}

fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "place.html")]
struct PlacePage {
    layout: Layout,
    place: Place,
    sector: String,
    use_words: String,
    capacity: String,
    tier: String,
    reasons: Vec<String>,
    duties: Vec<DutyRowView>,
    notice: Option<String>,
    /// The advice pack for this place: its use, capacity and sector.
    pack: String,
    flag: Option<Flag>,
    flagged_when: String,
    penalty: String,
    /// The latest run's id and its result for this place.
    latest: Option<(String, cordon_store::places::allocation::PlaceResult)>,
    region: String,
    last_visit: Option<String>,
    may_manage: bool,
}

#[derive(Template)]
#[template(path = "place_visit.html")]
struct VisitPage {
    layout: Layout,
    place: Place,
    last_visit: Option<String>,
    outcomes: Vec<(String, String)>,
    errors: FormErrors,
    form: Fields,
}

impl VisitPage {
    fn value(&self, name: &str) -> String {
        field(&self.form, name)
    }
}

fn last_visit_words(place: &Place) -> Option<String> {
    place
        .last_visit
        .as_ref()
        .map(|(on, o)| format!("{}: {}", parse_date(on).map(display_date).unwrap_or_else(|_| on.clone()), o.words()))
}

async fn visit_page(
    state: &AppState,
    u: &CurrentUser,
    id: &str,
    status: StatusCode,
    errors: FormErrors,
    form: Fields,
) -> Response {
    if !u.viewer.may(MANAGE) {
        return ApiError::from(cordon_store::StoreError::Forbidden(
            "only security advisers and deployment authorities record visits".into(),
        ))
        .into_response();
    }
    let place = match state.store.places().get(u.caller(), id).await {
        Ok(p) => p,
        Err(cordon_store::StoreError::NotFound { .. }) => return not_found_for(Some(u)),
        Err(e) => return ApiError::from(e).into_response(),
    };
    render(
        status,
        &VisitPage {
            layout: Layout::for_user(
                if errors.is_empty() {
                    format!("Record a visit: {}", place.name)
                } else {
                    format!("Error: Record a visit: {}", place.name)
                },
                Marking::Official,
                "/places",
                Some(u),
            ),
            last_visit: last_visit_words(&place),
            outcomes: VisitOutcome::ALL
                .iter()
                .map(|o| (o.as_str().to_string(), crate::plan_form::capitalised(o.words())))
                .collect(),
            errors,
            form,
            place,
        },
    )
}

/// `GET /places/{id}/visits/new`: the page to record an adviser's visit.
pub async fn page_visit_form(State(state): State<AppState>, PageUser(u): PageUser, Path(id): Path<String>) -> Response {
    visit_page(&state, &u, &id, StatusCode::OK, FormErrors::default(), Vec::new()).await
}

/// A duty of the place page's checklist.
pub struct DutyRowView {
    pub title: String,
    pub section: String,
    pub words: String,
    pub status: String,
    /// Who recorded the status and when, in words.
    pub recorded: String,
}

fn when(at: &str) -> String {
    cordon_domain::london::display_stored(at)
}

fn duty_rows(list: &[DutyState]) -> Vec<DutyRowView> {
    let rules = ml::rules();
    list.iter()
        .map(|d| DutyRowView {
            title: d.title.clone(),
            section: d.section.clone(),
            words: rules.duty(&d.duty).map(|r| r.words.clone()).unwrap_or_default(),
            status: d.status.words().into(),
            recorded: match (&d.recorded_by, &d.recorded_at) {
                (Some(by), Some(at)) => format!("By {by}, {}", when(at)),
                _ => "Not recorded yet".into(),
            },
        })
        .collect()
}

/// What the place page was sent back with after a change.
#[derive(Debug, Default, Deserialize)]
pub struct PlacePageQuery {
    saved: Option<String>,
}

/// `GET /places/{id}`: one place, its Martyn's Law tier, duties and why.
pub async fn page_place(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    Query(q): Query<PlacePageQuery>,
) -> Response {
    let notice = match q.saved.as_deref() {
        Some("duties") => Some("The duty statuses were saved.".to_string()),
        Some("visit") => Some("The visit was recorded.".to_string()),
        Some("flag") => Some("The flag was recorded.".to_string()),
        Some("unflagged") => Some("The flag was cleared.".to_string()),
        Some("responsible") => Some("Who is responsible is recorded; the duties below follow from it.".to_string()),
        _ => None,
    };
    place_page(&state, &u, &id, notice).await
}

async fn place_page(state: &AppState, u: &CurrentUser, id: &str, notice: Option<String>) -> Response {
    let (place, checklist) = match state.store.places().duties(u.caller(), id).await {
        Ok(p) => p,
        Err(cordon_store::StoreError::NotFound { .. }) => return not_found_for(Some(u)),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let flag = match state.store.places().flag(u.caller(), id).await {
        Ok((_, f)) => f,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let rules = ml::rules();
    let Some(use_rule) = rules.use_rule(&place.use_) else {
        return ApiError::internal().into_response();
    };
    let a = rules.premises(use_rule, place.capacity, place.responsible);
    let mut latest = None;
    if let Ok((runs, _)) = state.store.places().runs(u.caller(), 1, 0).await {
        if let Some(r) = runs.first() {
            if let Ok(res) = state.store.places().place_result(u.caller(), &r.id, &place.id).await {
                latest = Some((r.id.clone(), res));
            }
        }
    }
    render(
        StatusCode::OK,
        &PlacePage {
            layout: Layout::for_user(place.name.clone(), Marking::Official, "/places", Some(u)),
            sector: place.sector.info().name.clone(),
            use_words: use_rule.words.clone(),
            capacity: thousands(place.capacity),
            tier: a.tier.words().into(),
            reasons: a.reasons,
            duties: duty_rows(&checklist),
            notice,
            pack: crate::martyns_law::pack_link(
                &place.use_,
                &place.capacity.to_string(),
                place.responsible.as_str(),
                Some(place.sector),
            ),
            flagged_when: flag.as_ref().map(|f| when(&f.flagged_at)).unwrap_or_default(),
            flag,
            penalty: match a.tier {
                Tier::OutOfScope => "None: no duties apply".into(),
                Tier::Standard => ml::pounds(a.max_penalty_gbp),
                Tier::Enhanced => format!(
                    "{} or 5% of qualifying worldwide revenue, whichever is greater",
                    ml::pounds(a.max_penalty_gbp)
                ),
            },
            latest,
            region: place.region.name().into(),
            last_visit: last_visit_words(&place),
            may_manage: u.viewer.may(MANAGE),
            place,
        },
    )
}

/// `POST /places/{id}/visits`: records a visit from the place page's form.
pub async fn page_visit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let outcome = match visit_from(&field(&f, "on"), &field(&f, "outcome")) {
        Ok((day, o)) => {
            state.store.places().record_visit(u.caller(), &u.actor(), &id, day, o).await.map_err(FormErrors::from_store)
        }
        Err(e) => Err(Ok(FormErrors::one(
            e.field.as_deref().unwrap_or("on"),
            if e.field.as_deref() == Some("outcome") {
                "Select the outcome of the visit"
            } else {
                "Enter the day of the visit as a date, for example 2026-10-14"
            },
        ))),
    };
    match outcome {
        Ok(_) => Redirect::to(&format!("/places/{id}?saved=visit")).into_response(),
        Err(Ok(errors)) => visit_page(&state, &u, &id, StatusCode::UNPROCESSABLE_ENTITY, errors, f).await,
        Err(Err(r)) => r,
    }
}

#[derive(Template)]
#[template(path = "place_duties.html")]
struct DutiesPage {
    layout: Layout,
    place: Place,
    tier: String,
    duties: Vec<DutyFormView>,
    statuses: Vec<(String, String)>,
    errors: FormErrors,
}

/// A duty on the duties' change page.
pub struct DutyFormView {
    /// The form field: `status-` and the duty's identifier.
    pub field: String,
    pub title: String,
    pub section: String,
    pub words: String,
    /// The status chosen (as typed, after an error) or recorded.
    pub chosen: String,
}

async fn duties_page(
    state: &AppState,
    u: &CurrentUser,
    id: &str,
    status: StatusCode,
    errors: FormErrors,
    form: &Fields,
) -> Response {
    if !u.viewer.may(MANAGE) {
        return crate::error::ApiError::from(cordon_store::StoreError::Forbidden(
            "only security advisers and deployment authorities record the duties' statuses".into(),
        ))
        .into_response();
    }
    let (place, list) = match state.store.places().duties(u.caller(), id).await {
        Ok(p) => p,
        Err(cordon_store::StoreError::NotFound { .. }) => return not_found_for(Some(u)),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let rules = ml::rules();
    render(
        status,
        &DutiesPage {
            layout: Layout::for_user(
                if errors.is_empty() {
                    format!("Martyn's Law duties: {}", place.name)
                } else {
                    format!("Error: Martyn's Law duties: {}", place.name)
                },
                Marking::Official,
                "/places",
                Some(u),
            ),
            tier: place.tier.words().into(),
            duties: list
                .iter()
                .map(|d| {
                    let name = format!("status-{}", d.duty);
                    let typed = field(form, &name);
                    DutyFormView {
                        chosen: if form.is_empty() { d.status.as_str().to_string() } else { typed },
                        field: name,
                        title: d.title.clone(),
                        section: d.section.clone(),
                        words: rules.duty(&d.duty).map(|r| r.words.clone()).unwrap_or_default(),
                    }
                })
                .collect(),
            statuses: DutyStatus::ALL.iter().map(|s| (s.as_str().to_string(), s.words().to_string())).collect(),
            errors,
            place,
        },
    )
}

/// `GET /places/{id}/duties`: the change page of the place's duty checklist.
pub async fn page_duties(State(state): State<AppState>, PageUser(u): PageUser, Path(id): Path<String>) -> Response {
    duties_page(&state, &u, &id, StatusCode::OK, FormErrors::default(), &Vec::new()).await
}

/// `POST /places/{id}/duties`: saves the statuses chosen, then back to the place.
pub async fn page_save_duties(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let list = match state.store.places().duties(u.caller(), &id).await {
        Ok((_, l)) => l,
        Err(cordon_store::StoreError::NotFound { .. }) => return not_found_for(Some(&u)),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let mut errors = Vec::new();
    let mut changes = Vec::new();
    for d in &list {
        let name = format!("status-{}", d.duty);
        match DutyStatus::parse(field(&f, &name).trim()) {
            Some(s) => changes.push((d.duty.clone(), s)),
            None => errors.push((name, format!("Choose a status for {}", d.title.to_lowercase()))),
        }
    }
    if errors.is_empty() {
        match state.store.places().record_duties(u.caller(), &u.actor(), &id, &changes).await {
            Ok(_) => return Redirect::to(&format!("/places/{id}?saved=duties")).into_response(),
            Err(e) => match FormErrors::from_store(e) {
                Ok(fe) => errors.extend(fe.0),
                Err(r) => return r,
            },
        }
    }
    duties_page(&state, &u, &id, StatusCode::UNPROCESSABLE_ENTITY, FormErrors(errors), &f).await
}

#[derive(Template)]
#[template(path = "place_flag.html")]
struct FlagPage {
    layout: Layout,
    place: Place,
    current: Option<Flag>,
    flagged_when: String,
    heading: String,
    what_happens: String,
    action: String,
    label: String,
    hint: String,
    button: String,
    clearing: bool,
    reason: String,
    errors: FormErrors,
}

async fn flag_page(
    state: &AppState,
    u: &CurrentUser,
    id: &str,
    clearing: bool,
    status: StatusCode,
    errors: FormErrors,
    typed: Option<String>,
) -> Response {
    if !u.viewer.may(MANAGE) {
        return ApiError::from(cordon_store::StoreError::Forbidden(
            "only security advisers and deployment authorities flag places".into(),
        ))
        .into_response();
    }
    let (place, current) = match state.store.places().flag(u.caller(), id).await {
        Ok(p) => p,
        Err(cordon_store::StoreError::NotFound { .. }) => return not_found_for(Some(u)),
        Err(e) => return ApiError::from(e).into_response(),
    };
    if clearing && current.is_none() {
        return Redirect::to(&format!("/places/{}", place.id)).into_response();
    }
    let heading = if clearing {
        format!("Clear the flag on {}", place.name)
    } else if current.is_some() {
        format!("Change the flag on {}", place.name)
    } else {
        format!("Flag {}", place.name)
    };
    render(
        status,
        &FlagPage {
            layout: Layout::for_user(
                if errors.is_empty() { heading.clone() } else { format!("Error: {heading}") },
                Marking::Official,
                "/places",
                Some(u),
            ),
            what_happens: if clearing {
                "Clearing the flag takes away what it adds to the threat part of the place's score from the next allocation run. The journal keeps the flag, who cleared it, when and why.".into()
            } else {
                "A flag adds to the threat part of the place's score from the next allocation run. Who set it and when are kept.".into()
            },
            action: if clearing { format!("/places/{}/flag/clear", place.id) } else { format!("/places/{}/flag", place.id) },
            label: if clearing { "Why the flag is cleared (optional)".into() } else { "Why the place is flagged".into() },
            hint: "Write nothing above OFFICIAL: findings that are OFFICIAL-SENSITIVE belong in a security advice record, not here.".into(),
            button: if clearing {
                "Clear the flag".into()
            } else if current.is_some() {
                "Save the reason".into()
            } else {
                "Flag the place".into()
            },
            reason: typed.unwrap_or_else(|| if clearing { String::new() } else { current.as_ref().map(|f| f.reason.clone()).unwrap_or_default() }),
            flagged_when: current.as_ref().map(|f| when(&f.flagged_at)).unwrap_or_default(),
            clearing,
            heading,
            current,
            errors,
            place,
        },
    )
}

/// `GET /places/{id}/flag`: flag the place, or change its flag's reason.
pub async fn page_flag(State(state): State<AppState>, PageUser(u): PageUser, Path(id): Path<String>) -> Response {
    flag_page(&state, &u, &id, false, StatusCode::OK, FormErrors::default(), None).await
}

/// `GET /places/{id}/flag/clear`: the confirmation page for clearing the flag.
pub async fn page_clear_flag_form(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Response {
    flag_page(&state, &u, &id, true, StatusCode::OK, FormErrors::default(), None).await
}

/// `POST /places/{id}/flag`.
pub async fn page_set_flag(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let reason = field(&f, "reason");
    match state.store.places().set_flag(u.caller(), &u.actor(), &id, &reason).await {
        Ok(_) => Redirect::to(&format!("/places/{id}?saved=flag")).into_response(),
        Err(cordon_store::StoreError::NotFound { .. }) => not_found_for(Some(&u)),
        Err(e) => match FormErrors::from_store(e) {
            Ok(errors) => {
                flag_page(&state, &u, &id, false, StatusCode::UNPROCESSABLE_ENTITY, errors, Some(reason)).await
            }
            Err(r) => r,
        },
    }
}

#[derive(Template)]
#[template(path = "place_responsible.html")]
struct ResponsiblePage {
    layout: Layout,
    place: Place,
    errors: FormErrors,
    name: String,
    kind: String,
}

async fn responsible_page(
    state: &AppState,
    u: &CurrentUser,
    id: &str,
    status: StatusCode,
    errors: FormErrors,
    typed: Option<(String, String)>,
) -> Response {
    if !u.viewer.may(MANAGE) {
        return ApiError::from(cordon_store::StoreError::Forbidden(
            "only security advisers and deployment authorities may record who is responsible for a place".into(),
        ))
        .into_response();
    }
    let place = match state.store.places().get(u.caller(), id).await {
        Ok(p) => p,
        Err(cordon_store::StoreError::NotFound { .. }) => return not_found_for(Some(u)),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let heading = format!("Who is responsible for {}", place.name);
    let (name, kind) =
        typed.unwrap_or_else(|| (place.responsible_name.clone(), place.responsible.as_str().to_string()));
    render(
        status,
        &ResponsiblePage {
            layout: Layout::for_user(
                if errors.is_empty() { heading } else { format!("Error: {heading}") },
                Marking::Official,
                "/places",
                Some(u),
            ),
            place,
            errors,
            name,
            kind,
        },
    )
}

/// `GET /places/{id}/responsible`: record who is responsible for the place.
pub async fn page_responsible_form(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Response {
    responsible_page(&state, &u, &id, StatusCode::OK, FormErrors::default(), None).await
}

/// `POST /places/{id}/responsible`.
pub async fn page_set_responsible(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let (name, kind) = (field(&f, "name"), field(&f, "kind"));
    let typed = Some((name.clone(), kind.clone()));
    let Some(responsible) = Responsible::parse(&kind) else {
        let errors = FormErrors::one("kind", "Choose whether an individual or an organisation is responsible");
        return responsible_page(&state, &u, &id, StatusCode::UNPROCESSABLE_ENTITY, errors, typed).await;
    };
    match state.store.places().set_responsible(u.caller(), &u.actor(), &id, &name, responsible).await {
        Ok(_) => Redirect::to(&format!("/places/{id}?saved=responsible")).into_response(),
        Err(cordon_store::StoreError::NotFound { .. }) => not_found_for(Some(&u)),
        Err(e) => match FormErrors::from_store(e) {
            Ok(errors) => responsible_page(&state, &u, &id, StatusCode::UNPROCESSABLE_ENTITY, errors, typed).await,
            Err(r) => r,
        },
    }
}

/// `POST /places/{id}/flag/clear`.
pub async fn page_clear_flag(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let reason = field(&f, "reason");
    match state.store.places().clear_flag(u.caller(), &u.actor(), &id, &reason).await {
        Ok(()) => Redirect::to(&format!("/places/{id}?saved=unflagged")).into_response(),
        Err(cordon_store::StoreError::NotFound { .. }) => not_found_for(Some(&u)),
        Err(e) => match FormErrors::from_store(e) {
            Ok(errors) => {
                flag_page(&state, &u, &id, true, StatusCode::UNPROCESSABLE_ENTITY, errors, Some(reason)).await
            }
            Err(r) => r,
        },
    }
}

#[derive(Template)]
#[template(path = "places_import.html")]
struct ImportPage {
    layout: Layout,
    error: Option<String>,
    /// Where the upload form posts.
    action: &'static str,
    columns: String,
}

fn import_page(u: &CurrentUser, status: StatusCode, error: Option<String>) -> Response {
    render(
        status,
        &ImportPage {
            layout: Layout::for_user(
                if error.is_some() { "Error: Import crowded places" } else { "Import crowded places" },
                Marking::Official,
                "/places",
                Some(u),
            ),
            error,
            action: "/places/import",
            columns: CSV_COLUMNS.join(","),
        },
    )
}

/// `GET /places/import`.
pub async fn page_import_form(PageUser(u): PageUser) -> Response {
    if !u.viewer.may(MANAGE) {
        return import_page(
            &u,
            StatusCode::FORBIDDEN,
            Some("Only security advisers and deployment authorities may import places".into()),
        );
    }
    import_page(&u, StatusCode::OK, None)
}

/// `POST /places/import` (multipart: `csrf_token`, `file`).
pub async fn page_import(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    multipart: axum::extract::Multipart,
) -> Response {
    let text = match crate::forms::read_csv_upload(&u, multipart, "cordon places import").await {
        Ok(t) => t,
        Err(crate::forms::UploadError::Refused(r)) => return r,
        Err(crate::forms::UploadError::Problem(status, words)) => return import_page(&u, status, Some(words)),
    };
    match state.store.places().import_csv(u.caller(), &u.actor(), &text).await {
        Ok(r) => Redirect::to(&format!("/places?imported={}", r.rows)).into_response(),
        Err(ImportError::Row(p)) => import_page(
            &u,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(format!(
                "Nothing was imported. Line {}, column {}: {}",
                p.line,
                p.column,
                crate::plan_form::capitalised(&p.message)
            )),
        ),
        Err(ImportError::Store(cordon_store::StoreError::Forbidden(m))) => {
            import_page(&u, StatusCode::FORBIDDEN, Some(crate::plan_form::capitalised(&m)))
        }
        Err(ImportError::Store(e)) => ApiError::from(e).into_response(),
    }
}

/// This capability's pages.
pub fn pages() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/places", get(page_list))
        .route("/places/import", get(page_import_form).post(page_import))
        .route("/places/coverage", get(page_coverage))
        .route("/places/{id}", get(page_place))
        .route("/places/{id}/visits", axum::routing::post(page_visit))
        .route("/places/{id}/visits/new", get(page_visit_form))
        .route("/places/{id}/duties", get(page_duties).post(page_save_duties))
        .route("/places/{id}/flag", get(page_flag).post(page_set_flag))
        .route("/places/{id}/responsible", get(page_responsible_form).post(page_set_responsible))
        .route("/places/{id}/flag/clear", get(page_clear_flag_form).post(page_clear_flag))
        .route("/advisers", get(page_advisers).post(page_add_adviser))
        .route("/allocation", get(page_runs).post(page_start_run))
        .route("/allocation/{id}", get(page_run))
        .route("/allocation/{id}/advisers/{adviser_id}", get(page_schedule))
        .route("/allocation/{id}/places/{place_id}", get(page_run_place))
}

// ---------------------------------------------------------------------------
// Advisers and allocation runs.

/// A new adviser.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewAdviserBody {
    name: String,
    /// `ctsa` or `ctaa`.
    kind: String,
    base_latitude: f64,
    base_longitude: f64,
    /// Hours available for visits in a period.
    hours: f64,
    /// How far they travel from their base, km.
    travel_km: f64,
    /// The sectors they cover.
    #[serde(default)]
    sectors: Vec<String>,
}

/// An adviser of the pool.
#[derive(Serialize, ToSchema)]
pub struct AdviserBody {
    id: String,
    name: String,
    kind: AdviserKind,
    base_latitude: f64,
    base_longitude: f64,
    hours: f64,
    travel_km: f64,
    sectors: Vec<Sector>,
}

impl From<Adviser> for AdviserBody {
    fn from(a: Adviser) -> Self {
        AdviserBody {
            id: a.id,
            name: a.name,
            kind: a.kind,
            base_latitude: a.base_latitude,
            base_longitude: a.base_longitude,
            hours: a.hours,
            travel_km: a.travel_km,
            sectors: a.sectors,
        }
    }
}

fn adviser_from(b: &NewAdviserBody) -> Result<Adviser, ApiError> {
    let kind = AdviserKind::parse(b.kind.trim())
        .ok_or_else(|| ApiError::unprocessable("kind", format!("kind must be ctsa or ctaa; {:?} is not", b.kind)))?;
    let mut sectors = Vec::new();
    for s in &b.sectors {
        sectors.push(check_sector(s).map_err(|p| ApiError::unprocessable("sectors", p.message))?);
    }
    let a = Adviser {
        id: String::new(),
        name: b.name.clone(),
        kind,
        base_latitude: b.base_latitude,
        base_longitude: b.base_longitude,
        hours: b.hours,
        travel_km: b.travel_km,
        sectors,
    };
    check_adviser(&a).map_err(|p| ApiError::unprocessable(p.field, p.message))?;
    Ok(a)
}

/// Adds an adviser (CTSA or CTAA) to the pool.
#[utoipa::path(post, path = "/advisers", tag = "places", request_body = NewAdviserBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Added", body = AdviserBody),
        BadRequest, Unauthorised, Forbidden, UnsupportedMediaType, Unprocessable, PayloadTooLarge))]
pub async fn api_add_adviser(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    JsonBody(b): JsonBody<NewAdviserBody>,
) -> Result<(StatusCode, Json<AdviserBody>), ApiError> {
    state.store.places().may_manage(u.caller()).await?;
    let a = adviser_from(&b)?;
    let a = state.store.places().add_adviser(u.caller(), &u.actor(), a).await?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

/// The pool of advisers, by name.
#[utoipa::path(get, path = "/advisers", tag = "places",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Every adviser (complete)", body = Complete<AdviserBody>), Unauthorised, Forbidden))]
pub async fn api_advisers(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<Complete<AdviserBody>>, ApiError> {
    let list = state.store.places().advisers(u.caller()).await?;
    Ok(Json(Complete::new(list.into_iter().map(AdviserBody::from).collect())))
}

/// A period to allocate visits for.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewRunBody {
    /// YYYY-MM-DD.
    #[schema(format = Date)]
    period_start: String,
    /// YYYY-MM-DD, on or after the start.
    #[schema(format = Date)]
    period_end: String,
}

/// An allocation run's figures.
#[derive(Serialize, ToSchema)]
pub struct RunBody {
    id: String,
    #[schema(format = Date)]
    period_start: String,
    #[schema(format = Date)]
    period_end: String,
    /// The sum of the scores of the places allocated.
    objective: f64,
    /// A proven upper bound on the best possible sum (Lagrangian / LP bound).
    upper_bound: f64,
    /// (upper_bound − objective) / upper_bound.
    gap: f64,
    places: u64,
    advisers: u64,
    places_allocated: u64,
    seconds: f64,
    national_level: String,
    /// SHA-256 of the instance as `/instance` serves it.
    instance_sha256: String,
}

impl From<RunSummary> for RunBody {
    fn from(r: RunSummary) -> Self {
        RunBody {
            id: r.id,
            period_start: r.period_start,
            period_end: r.period_end,
            objective: r.objective,
            upper_bound: r.upper_bound,
            gap: r.gap,
            places: r.places,
            advisers: r.advisers,
            places_allocated: r.places_allocated,
            seconds: r.seconds,
            national_level: r.national_level,
            instance_sha256: r.instance_sha256,
        }
    }
}

fn period(start: &str, end: &str) -> Result<(time::Date, time::Date), ApiError> {
    let s = parse_date(start.trim()).map_err(|_| {
        ApiError::unprocessable("period_start", format!("period_start must be a date YYYY-MM-DD; {start:?} is not"))
    })?;
    let e = parse_date(end.trim()).map_err(|_| {
        ApiError::unprocessable("period_end", format!("period_end must be a date YYYY-MM-DD; {end:?} is not"))
    })?;
    if e < s {
        return Err(ApiError::unprocessable("period_end", "The period must end on or after the day it starts"));
    }
    Ok((s, e))
}

/// Allocates adviser visits for a period: each place at most one adviser
/// within their travel distance, each adviser within their hours, maximising
/// the sum of scores; with a proven upper bound and the gap.
#[utoipa::path(post, path = "/allocation/runs", tag = "places", request_body = NewRunBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "The run", body = RunBody),
        BadRequest, Unauthorised, Forbidden, UnsupportedMediaType, Unprocessable, PayloadTooLarge))]
pub async fn api_run(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    JsonBody(b): JsonBody<NewRunBody>,
) -> Result<(StatusCode, Json<RunBody>), ApiError> {
    state.store.places().may_manage(u.caller()).await?;
    let (s, e) = period(&b.period_start, &b.period_end)?;
    let r = state.store.places().run_allocation(u.caller(), &u.actor(), s, e).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// The allocation runs, newest first.
#[utoipa::path(get, path = "/allocation/runs", tag = "places", params(PageQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "A page of runs", body = Page<RunBody>), BadRequest, Unauthorised, Forbidden))]
pub async fn api_runs(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<PageQuery>,
) -> Result<Json<Page<RunBody>>, ApiError> {
    let p = q.paging()?;
    let (items, total) = state.store.places().runs(u.caller(), p.limit, p.offset).await?;
    Ok(Json(Page { items: items.into_iter().map(RunBody::from).collect(), total, limit: p.limit, offset: p.offset }))
}

/// `{id}` of a run.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RunPath {
    id: String,
}

/// One run's figures.
#[utoipa::path(get, path = "/allocation/runs/{id}", tag = "places", params(RunPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The run", body = RunBody), Unauthorised, Forbidden, NotFound))]
pub async fn api_get_run(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<RunPath>,
) -> Result<Json<RunBody>, ApiError> {
    Ok(Json(state.store.places().run(u.caller(), &p.id).await?.into()))
}

/// A place given an adviser.
#[derive(Serialize, ToSchema)]
pub struct AssignmentBody {
    place_id: String,
    adviser_id: String,
}

/// A run's assignments, by rank, paginated.
#[utoipa::path(get, path = "/allocation/runs/{id}/assignments", tag = "places", params(RunPath, PageQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "A page of assignments", body = Page<AssignmentBody>), BadRequest, Unauthorised, Forbidden, NotFound))]
pub async fn api_assignments(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<RunPath>,
    Query(q): Query<PageQuery>,
) -> Result<Json<Page<AssignmentBody>>, ApiError> {
    let pg = q.paging()?;
    let (items, total) = state.store.places().assignments(u.caller(), &p.id, pg.limit, pg.offset).await?;
    Ok(Json(Page {
        items: items.into_iter().map(|(place_id, adviser_id)| AssignmentBody { place_id, adviser_id }).collect(),
        total,
        limit: pg.limit,
        offset: pg.offset,
    }))
}

/// `{id}` of a run and `{place_id}` of a place.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RunPlacePath {
    id: String,
    place_id: String,
}

/// Why a place was or was not allocated.
#[derive(Serialize, ToSchema)]
pub struct PlaceResultBody {
    score: f64,
    breakdown: Breakdown,
    allocated: bool,
    adviser_id: Option<String>,
    reason: String,
}

/// A place's score, its breakdown in words, and why it was or was not allocated.
#[utoipa::path(get, path = "/allocation/runs/{id}/places/{place_id}", tag = "places", params(RunPlacePath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The place's result", body = PlaceResultBody), Unauthorised, Forbidden, NotFound))]
pub async fn api_place_result(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<RunPlacePath>,
) -> Result<Json<PlaceResultBody>, ApiError> {
    let r = state.store.places().place_result(u.caller(), &p.id, &p.place_id).await?;
    Ok(Json(PlaceResultBody {
        score: r.score,
        breakdown: r.breakdown,
        allocated: r.allocated,
        adviser_id: r.adviser_id,
        reason: r.reason,
    }))
}

/// Places per piece of the streamed instance.
const INSTANCE_PAGE: i64 = 5_000;

/// The exact instance solved: `{"places": [{"id", "score", "hours", "latitude",
/// "longitude"}], "advisers": [{"id", "hours", "travel_km", "latitude",
/// "longitude"}]}`, streamed; its SHA-256 is the run's `instance_sha256`.
#[utoipa::path(get, path = "/allocation/runs/{id}/instance", tag = "places", params(RunPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The instance (JSON, streamed)", content_type = "application/json", body = String), Unauthorised, Forbidden, NotFound))]
pub async fn api_instance(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<RunPath>,
) -> Result<Response, ApiError> {
    let run = state.store.places().run(u.caller(), &p.id).await?;
    let id = run.id;
    // States: Some(after) while places remain (-2 before the first piece), None when done.
    let stream = futures_util::stream::unfold((state, id, Some(-2i64)), |(state, id, after)| async move {
        let after = after?;
        if after == -2 {
            return Some((Ok::<_, std::io::Error>(Bytes::from_static(br#"{"places":["#)), (state, id, Some(-1))));
        }
        let places = match state.store.places().instance_places(&id, after, INSTANCE_PAGE).await {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %e, "the instance stream stopped");
                return Some((Err(std::io::Error::other("instance failed")), (state, id, None)));
            }
        };
        if places.is_empty() {
            let advisers = match state.store.places().instance_advisers(&id).await {
                Ok(a) => a,
                Err(_) => return Some((Err(std::io::Error::other("instance failed")), (state, id, None))),
            };
            let tail = format!(r#"],"advisers":[{}]}}"#, advisers.join(","));
            return Some((Ok(Bytes::from(tail)), (state, id, None)));
        }
        let mut out = String::with_capacity(places.len() * 110);
        for (k, pl) in places.iter().enumerate() {
            if after >= 0 || k > 0 {
                out.push(',');
            }
            out.push_str(pl);
        }
        let next = after + places.len() as i64;
        Some((Ok(Bytes::from(out)), (state, id, Some(next))))
    });
    Ok(([(header::CONTENT_TYPE, "application/json")], Body::from_stream(stream)).into_response())
}

#[derive(Template)]
#[template(path = "advisers.html")]
struct AdvisersPage {
    layout: Layout,
    advisers: Vec<AdviserView>,
    may_manage: bool,
    errors: FormErrors,
    form: Fields,
    sectors: Vec<(String, String)>,
}

impl AdvisersPage {
    fn value(&self, name: &str) -> String {
        field(&self.form, name)
    }
    fn chosen(&self, sector: &str) -> bool {
        self.form.iter().any(|(k, v)| k == "sectors" && v == sector)
    }
}

pub struct AdviserView {
    pub name: String,
    pub kind: String,
    pub base: String,
    pub hours: String,
    pub travel_km: String,
    pub sectors: String,
}

async fn advisers_page(
    state: &AppState,
    u: &CurrentUser,
    status: StatusCode,
    errors: FormErrors,
    form: Fields,
) -> Response {
    let list = match state.store.places().advisers(u.caller()).await {
        Ok(l) => l,
        Err(e) => return ApiError::from(e).into_response(),
    };
    render(
        status,
        &AdvisersPage {
            layout: Layout::for_user(
                if errors.is_empty() { "Advisers" } else { "Error: Advisers" },
                Marking::Official,
                "/places",
                Some(u),
            ),
            advisers: list
                .into_iter()
                .map(|a| AdviserView {
                    name: a.name,
                    kind: a.kind.words().into(),
                    base: format!("{:.4}, {:.4}", a.base_latitude, a.base_longitude),
                    hours: format!("{}", a.hours),
                    travel_km: format!("{}", a.travel_km),
                    sectors: if a.sectors.is_empty() {
                        "All".into()
                    } else {
                        a.sectors.iter().map(|s| s.info().name.clone()).collect::<Vec<_>>().join(", ")
                    },
                })
                .collect(),
            may_manage: u.viewer.may(MANAGE),
            errors,
            form,
            sectors: Sector::ALL.iter().map(|s| (s.as_str().into(), s.info().name.clone())).collect(),
        },
    )
}

/// `GET /advisers`.
pub async fn page_advisers(State(state): State<AppState>, PageUser(u): PageUser) -> Response {
    advisers_page(&state, &u, StatusCode::OK, FormErrors::default(), Vec::new()).await
}

fn number(f: &Fields, name: &str, label: &str) -> Result<f64, (String, String)> {
    let v = field(f, name);
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| (name.to_string(), format!("{label} must be a number")))
}

/// `POST /advisers`: adds an adviser from the form.
pub async fn page_add_adviser(
    State(state): State<AppState>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let mut errors = Vec::new();
    let mut get = |name: &str, label: &str| number(&f, name, label).map_err(|e| errors.push(e)).unwrap_or(f64::NAN);
    let (lat, lon, hours, km) = (
        get("base_latitude", "Base latitude"),
        get("base_longitude", "Base longitude"),
        get("hours", "Hours available"),
        get("travel_km", "Travel distance"),
    );
    let body = NewAdviserBody {
        name: field(&f, "name"),
        kind: field(&f, "kind"),
        base_latitude: lat,
        base_longitude: lon,
        hours,
        travel_km: km,
        sectors: f.iter().filter(|(k, _)| k == "sectors").map(|(_, v)| v.clone()).collect(),
    };
    if errors.is_empty() {
        match adviser_from(&body) {
            Ok(a) => match state.store.places().add_adviser(u.caller(), &u.actor(), a).await {
                Ok(_) => return Redirect::to("/advisers").into_response(),
                Err(e) => match FormErrors::from_store(e) {
                    Ok(fe) => errors.extend(fe.0),
                    Err(r) => return r,
                },
            },
            Err(e) => errors.push((e.field.clone().unwrap_or_default(), crate::plan_form::capitalised(&e.message))),
        }
    }
    advisers_page(&state, &u, StatusCode::UNPROCESSABLE_ENTITY, FormErrors(errors), f).await
}

#[derive(Template)]
#[template(path = "allocation_runs.html")]
struct RunsPage {
    layout: Layout,
    runs: Vec<RunView>,
    total: i64,
    limit: i64,
    offset: i64,
    may_manage: bool,
    errors: FormErrors,
    form: Fields,
}

impl RunsPage {
    fn value(&self, name: &str) -> String {
        field(&self.form, name)
    }
}

pub struct RunView {
    pub id: String,
    pub period: String,
    pub objective: String,
    pub upper_bound: String,
    pub gap: String,
    pub allocated: String,
    pub seconds: String,
}

impl From<&RunSummary> for RunView {
    fn from(r: &RunSummary) -> Self {
        let day = |s: &str| parse_date(s).map(display_date).unwrap_or_else(|_| s.to_string());
        RunView {
            id: r.id.clone(),
            period: format!("{} to {}", day(&r.period_start), day(&r.period_end)),
            objective: format!("{:.1}", r.objective),
            upper_bound: format!("{:.1}", r.upper_bound),
            gap: format!("{:.2}%", r.gap * 100.0),
            allocated: format!("{} of {}", thousands(r.places_allocated), thousands(r.places)),
            seconds: format!("{:.2}", r.seconds),
        }
    }
}

async fn runs_page(
    state: &AppState,
    u: &CurrentUser,
    q: &PageQuery,
    status: StatusCode,
    errors: FormErrors,
    form: Fields,
) -> Response {
    let p = match q.paging() {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let (runs, total) = match state.store.places().runs(u.caller(), p.limit, p.offset).await {
        Ok(x) => x,
        Err(e) => return ApiError::from(e).into_response(),
    };
    render(
        status,
        &RunsPage {
            layout: Layout::for_user(
                if errors.is_empty() { "Adviser allocation runs" } else { "Error: Adviser allocation runs" },
                Marking::Official,
                "/places",
                Some(u),
            ),
            runs: runs.iter().map(RunView::from).collect(),
            total,
            limit: p.limit,
            offset: p.offset,
            may_manage: u.viewer.may(MANAGE),
            errors,
            form,
        },
    )
}

/// `GET /allocation`.
pub async fn page_runs(State(state): State<AppState>, PageUser(u): PageUser, Query(q): Query<PageQuery>) -> Response {
    runs_page(&state, &u, &q, StatusCode::OK, FormErrors::default(), Vec::new()).await
}

/// `POST /allocation`: starts a run from the form.
pub async fn page_start_run(
    State(state): State<AppState>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let result = match period(&field(&f, "period_start"), &field(&f, "period_end")) {
        Ok((s, e)) => state.store.places().run_allocation(u.caller(), &u.actor(), s, e).await.map_err(|e| {
            match FormErrors::from_store(e) {
                Ok(fe) => Ok(fe),
                Err(r) => Err(r),
            }
        }),
        Err(e) => Err(Ok(FormErrors::one(
            e.field.as_deref().unwrap_or("period_start"),
            if e.field.as_deref() == Some("period_end") && e.message.contains("on or after") {
                "The end of the period must be on or after its start".to_string()
            } else if e.field.as_deref() == Some("period_end") {
                "Enter the end of the period as a date, for example 2027-04-30".to_string()
            } else {
                "Enter the start of the period as a date, for example 2027-04-01".to_string()
            },
        ))),
    };
    match result {
        Ok(run) => Redirect::to(&format!("/allocation/{}", run.id)).into_response(),
        Err(Ok(errors)) => {
            runs_page(&state, &u, &PageQuery::default(), StatusCode::UNPROCESSABLE_ENTITY, errors, f).await
        }
        Err(Err(r)) => r,
    }
}

#[derive(Template)]
#[template(path = "allocation_run.html")]
struct RunPage {
    layout: Layout,
    run: RunView,
    summary: RunSummary,
    advisers: Vec<RunAdviser>,
}

/// `GET /allocation/{id}`: the run's figures and each adviser's part.
pub async fn page_run(State(state): State<AppState>, PageUser(u): PageUser, Path(id): Path<String>) -> Response {
    let summary = match state.store.places().run(u.caller(), &id).await {
        Ok(r) => r,
        Err(cordon_store::StoreError::NotFound { .. }) => return not_found_for(Some(&u)),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let advisers = match state.store.places().run_advisers(u.caller(), &id).await {
        Ok(a) => a,
        Err(e) => return ApiError::from(e).into_response(),
    };
    render(
        StatusCode::OK,
        &RunPage {
            layout: Layout::for_user("Adviser allocation run", Marking::Official, "/places", Some(&u)),
            run: RunView::from(&summary),
            summary,
            advisers,
        },
    )
}

#[derive(Template)]
#[template(path = "allocation_schedule.html")]
struct SchedulePage {
    layout: Layout,
    run_id: String,
    adviser_id: String,
    name: String,
    visits: Vec<Visit>,
    total: i64,
    limit: i64,
    offset: i64,
}

/// `GET /allocation/{id}/advisers/{adviser_id}`: an adviser's visits in the run.
pub async fn page_schedule(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, adviser_id)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
) -> Response {
    let p = match q.paging() {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let (visits, total) = match state.store.places().schedule(u.caller(), &id, &adviser_id, p.limit, p.offset).await {
        Ok(x) => x,
        Err(cordon_store::StoreError::NotFound { .. }) => return not_found_for(Some(&u)),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let name = state
        .store
        .places()
        .run_advisers(u.caller(), &id)
        .await
        .ok()
        .and_then(|l| l.into_iter().find(|a| a.adviser_id == adviser_id))
        .map(|a| a.name)
        .unwrap_or_default();
    render(
        StatusCode::OK,
        &SchedulePage {
            layout: Layout::for_user(format!("Visits for {name}"), Marking::Official, "/places", Some(&u)),
            run_id: id,
            adviser_id,
            name,
            visits,
            total,
            limit: p.limit,
            offset: p.offset,
        },
    )
}

#[derive(Template)]
#[template(path = "allocation_place.html")]
struct RunPlacePage {
    layout: Layout,
    run_id: String,
    place: Option<Place>,
    result: cordon_store::places::allocation::PlaceResult,
}

/// `GET /allocation/{id}/places/{place_id}`: why a place was or was not allocated.
pub async fn page_run_place(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, place_id)): Path<(String, String)>,
) -> Response {
    let result = match state.store.places().place_result(u.caller(), &id, &place_id).await {
        Ok(r) => r,
        Err(cordon_store::StoreError::NotFound { .. }) => return not_found_for(Some(&u)),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let place = state.store.places().get(u.caller(), &place_id).await.ok();
    render(
        StatusCode::OK,
        &RunPlacePage {
            layout: Layout::for_user(
                format!("Allocation of {}", place.as_ref().map(|p| p.name.as_str()).unwrap_or("a place")),
                Marking::Official,
                "/places",
                Some(&u),
            ),
            run_id: id,
            place,
            result,
        },
    )
}

#[derive(Template)]
#[template(path = "places_coverage.html")]
struct CoveragePage {
    layout: Layout,
    rows: Vec<CoverageView>,
    totals: CoverageView,
}

pub struct CoverageView {
    pub sector: String,
    pub region: String,
    pub places: i64,
    pub visited: i64,
    pub high_not_visited: i64,
    pub enhanced_unmet: i64,
}

/// `GET /places/coverage`: per sector and region, for the CT lead.
pub async fn page_coverage(State(state): State<AppState>, PageUser(u): PageUser) -> Response {
    let rows = match state.store.places().coverage(u.caller()).await {
        Ok(r) => r,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let mut totals = CoverageView {
        sector: "All sectors".into(),
        region: "All regions".into(),
        places: 0,
        visited: 0,
        high_not_visited: 0,
        enhanced_unmet: 0,
    };
    let rows: Vec<CoverageView> = rows
        .into_iter()
        .map(|r| {
            totals.places += r.places;
            totals.visited += r.visited_12_months;
            totals.high_not_visited += r.high_score_not_visited;
            totals.enhanced_unmet += r.enhanced_duties_unmet;
            CoverageView {
                sector: r.sector.info().name.clone(),
                region: r.region.name().into(),
                places: r.places,
                visited: r.visited_12_months,
                high_not_visited: r.high_score_not_visited,
                enhanced_unmet: r.enhanced_duties_unmet,
            }
        })
        .collect();
    render(
        StatusCode::OK,
        &CoveragePage { layout: Layout::for_user("Coverage", Marking::Official, "/places", Some(&u)), rows, totals },
    )
}

/// One line of coverage: a sector in a region.
#[derive(Serialize, ToSchema)]
pub struct CoverageBody {
    sector: Sector,
    region: Region,
    places: i64,
    /// Visited by an adviser in the twelve months to today.
    visited_12_months: i64,
    /// Scored 60 or more in the latest run and not visited in those twelve months.
    high_score_not_visited: i64,
    /// Enhanced-tier places with at least one duty not recorded as met.
    enhanced_duties_unmet: i64,
}

/// Coverage per sector and region (only the pairs that have places), for the CT lead.
#[utoipa::path(get, path = "/places/coverage", tag = "places",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Coverage (complete)", body = Complete<CoverageBody>), Unauthorised, Forbidden))]
pub async fn api_coverage_json(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<Complete<CoverageBody>>, ApiError> {
    let rows = state.store.places().coverage(u.caller()).await?;
    Ok(Json(Complete::new(
        rows.into_iter()
            .map(|r| CoverageBody {
                sector: r.sector,
                region: r.region,
                places: r.places,
                visited_12_months: r.visited_12_months,
                high_score_not_visited: r.high_score_not_visited,
                enhanced_duties_unmet: r.enhanced_duties_unmet,
            })
            .collect(),
    )))
}

/// Coverage per sector and region, as CSV.
#[utoipa::path(get, path = "/places/coverage.csv", tag = "places",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "CSV", content_type = "text/csv", body = String), Unauthorised, Forbidden))]
pub async fn api_coverage(State(state): State<AppState>, ApiUser(u): ApiUser) -> Result<Response, ApiError> {
    let rows = state.store.places().coverage(u.caller()).await?;
    let mut out =
        String::from("sector,region,places,visited_12_months,high_score_not_visited,enhanced_duties_unmet\r\n");
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{},{},{}\r\n",
            r.sector.as_str(),
            r.region.as_str(),
            r.places,
            r.visited_12_months,
            r.high_score_not_visited,
            r.enhanced_duties_unmet
        ));
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"coverage.csv\""),
        ],
        out,
    )
        .into_response())
}
