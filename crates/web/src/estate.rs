//! The police estate (issue 13): the sites list, a site's page, raising a
//! site's response level and returning it to its floor (each with a
//! confirmation page), and the API under `/api/v1/sites`.

use crate::api::{
    ApiRoutes, BadRequest, Forbidden, NotFound, Page, PageQuery, PayloadTooLarge, Unauthorised, Unprocessable,
    UnsupportedMediaType,
};
use crate::auth::{ApiUser, CurrentUser, PageUser};
use crate::error::ApiError;
use crate::forms::{field, CheckedForm, Fields};
use crate::json::JsonBody;
use crate::pages::{render, FormErrors, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use cordon_domain::estate::{self, SiteKind};
use cordon_domain::ids::{SiteId, UserId};
use cordon_domain::london::display_date;
use cordon_domain::reference::parse_date;
use cordon_domain::threat::{ResponseLevel, ThreatLevel};
use cordon_domain::Marking;
use cordon_store::estate::{Notice, Site, SiteFilter, StaffMember};
use cordon_store::StoreError;
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

/// A raise of a site's response level above its floor.
#[derive(Serialize, ToSchema)]
pub struct RaisedBody {
    level: ResponseLevel,
    reason: String,
    /// Who raised it (a user id).
    by: String,
    /// Their name.
    by_name: String,
    /// When it was raised (RFC 3339, UTC).
    at: String,
    /// The last day it applies, YYYY-MM-DD; null until returned to the floor.
    #[schema(format = Date)]
    until: Option<String>,
}

/// A member of staff at a site.
#[derive(Serialize, ToSchema)]
pub struct StaffBody {
    user_id: String,
    name: String,
    email: String,
    added_at: String,
}

impl From<StaffMember> for StaffBody {
    fn from(s: StaffMember) -> Self {
        StaffBody { user_id: s.user_id.to_string(), name: s.name, email: s.email, added_at: s.added_at }
    }
}

/// A site of the police estate with its threat level, floor and response level.
#[derive(Serialize, ToSchema)]
pub struct SiteBody {
    id: String,
    organisation_id: String,
    name: String,
    kind: SiteKind,
    address: String,
    division: String,
    /// The higher of the national and the police sector threat level.
    threat_level: Option<ThreatLevel>,
    /// The response level the threat level sets (the official mapping).
    floor: ResponseLevel,
    /// The floor, or higher while the site is raised.
    response_level: ResponseLevel,
    /// Null, or who raised the site, why and until when.
    raised: Option<RaisedBody>,
    staff_count: i64,
    /// The site's staff (on a single site only).
    #[serde(skip_serializing_if = "Option::is_none")]
    staff: Option<Vec<StaffBody>>,
}

impl From<Site> for SiteBody {
    fn from(s: Site) -> Self {
        SiteBody {
            id: s.id.to_string(),
            organisation_id: s.organisation_id.to_string(),
            name: s.name,
            kind: s.kind,
            address: s.address,
            division: s.division,
            threat_level: s.threat_level,
            floor: s.floor,
            response_level: s.response_level,
            raised: s.raised.map(|r| RaisedBody {
                level: r.level,
                reason: r.reason,
                by: r.by,
                by_name: r.by_name,
                at: r.at,
                until: r.until,
            }),
            staff_count: s.staff_count,
            staff: None,
        }
    }
}

/// A new site.
#[derive(Deserialize, ToSchema)]
pub struct NewSiteBody {
    name: String,
    #[schema(value_type = SiteKind)]
    kind: String,
    address: String,
    division: String,
}

/// A member of staff to add, by the e-mail address of their account.
#[derive(Deserialize, ToSchema)]
pub struct StaffAddBody {
    email: String,
}

/// A raise of a site's response level.
#[derive(Deserialize, ToSchema)]
pub struct RaiseBody {
    /// NORMAL, HEIGHTENED or EXCEPTIONAL: not below the site's floor.
    #[schema(value_type = ResponseLevel)]
    level: String,
    /// Why it is raised.
    #[serde(default)]
    reason: String,
    /// The last day it applies, YYYY-MM-DD, not in the past; leave out for "until returned to the floor".
    #[serde(default)]
    #[schema(format = Date)]
    until: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SitePath {
    /// The site's id.
    pub(crate) id: SiteId,
}

/// `GET /sites` filters and page.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SitesQuery {
    /// What kind of site (`headquarters`, `police_station`, …).
    #[param(value_type = Option<SiteKind>)]
    kind: Option<String>,
    /// A division, as written on its sites.
    division: Option<String>,
    /// Part of the name, address or division.
    q: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    #[param(value_type = Option<i64>, minimum = 0)]
    offset: Option<String>,
    /// After an import from the page (not an API filter): rows read, added, changed, staff added.
    #[serde(default)]
    #[param(ignore)]
    imported: Option<u64>,
    #[serde(default)]
    #[param(ignore)]
    added: Option<u64>,
    #[serde(default)]
    #[param(ignore)]
    changed: Option<u64>,
    #[serde(default)]
    #[param(ignore)]
    staff_added: Option<u64>,
}

impl SitesQuery {
    /// What an import from the page did, in words.
    fn imported_words(&self) -> Option<String> {
        let rows = self.imported?;
        let n = |k: Option<u64>, one: &str, many: &str| match k.unwrap_or(0) {
            1 => format!("1 {one}"),
            k => format!("{k} {many}"),
        };
        Some(format!(
            "Imported {}: {} added, {} changed, {} added to the staff of a site.",
            n(Some(rows), "row", "rows"),
            n(self.added, "site", "sites"),
            n(self.changed, "site", "sites"),
            n(self.staff_added, "person", "people"),
        ))
    }

    pub(crate) fn filter(&self) -> Result<SiteFilter, ApiError> {
        let kind = match self.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(k) => Some(k.parse::<SiteKind>().map_err(|m| ApiError::bad_request("kind", m))?),
        };
        Ok(SiteFilter { kind, division: self.division.clone(), text: self.q.clone() })
    }
}

fn parse_level(s: &str) -> Result<ResponseLevel, ApiError> {
    s.parse::<ResponseLevel>()
        .map_err(|_| ApiError::unprocessable("level", "Choose a response level: NORMAL, HEIGHTENED or EXCEPTIONAL"))
}

fn parse_until(s: Option<&str>) -> Result<Option<Date>, ApiError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => parse_date(s).map(Some).map_err(|_| {
            ApiError::unprocessable("until", "The date it applies until must be a real date written YYYY-MM-DD")
        }),
    }
}

/// Add a site to the estate register of the caller's organisation (estates managers).
#[utoipa::path(post, path = "/sites", tag = "estate",
    request_body = NewSiteBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Added", body = SiteBody),
        BadRequest, Unauthorised, Forbidden, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_add(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    JsonBody(b): JsonBody<NewSiteBody>,
) -> Result<(StatusCode, Json<SiteBody>), ApiError> {
    crate::identity::require(&state, &u, estate::MANAGE).await?;
    let kind: SiteKind = b.kind.parse().map_err(|m: String| ApiError::unprocessable("kind", m))?;
    let site = state.store.estate().add_site(&u.viewer, &b.name, kind, &b.address, &b.division).await?;
    Ok((StatusCode::CREATED, Json(site.into())))
}

/// The sites of the caller's organisation, by name, filtered and paginated.
#[utoipa::path(get, path = "/sites", tag = "estate",
    params(SitesQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "A page of sites", body = Page<SiteBody>), BadRequest, Unauthorised, Forbidden))]
pub async fn api_list(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<SitesQuery>,
) -> Result<Json<Page<SiteBody>>, ApiError> {
    let paging = crate::api::paging(q.limit.as_deref(), q.offset.as_deref())?;
    let filter = q.filter()?;
    let (sites, total) = state.store.estate().list(&u.viewer, &filter, paging.limit, paging.offset).await?;
    Ok(Json(Page {
        items: sites.into_iter().map(SiteBody::from).collect(),
        total,
        limit: paging.limit,
        offset: paging.offset,
    }))
}

async fn site_with_staff(state: &AppState, u: &CurrentUser, id: &SiteId) -> Result<SiteBody, ApiError> {
    let site = state.store.estate().get(&u.viewer, id).await?;
    let staff = state.store.estate().staff(&u.viewer, id).await?;
    let mut body = SiteBody::from(site);
    body.staff = Some(staff.into_iter().map(StaffBody::from).collect());
    Ok(body)
}

/// One site, with its threat level, floor, response level, raise and staff.
#[utoipa::path(get, path = "/sites/{id}", tag = "estate",
    params(SitePath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The site", body = SiteBody), Unauthorised, Forbidden, NotFound))]
pub async fn api_get(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<SitePath>,
) -> Result<Json<SiteBody>, ApiError> {
    Ok(Json(site_with_staff(&state, &u, &p.id).await?))
}

/// Add a member of staff to a site (estates managers): 201 when added, 200 when they already were.
#[utoipa::path(post, path = "/sites/{id}/staff", tag = "estate",
    params(SitePath),
    request_body = StaffAddBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Added", body = SiteBody),
        (status = 200, description = "Already a member of staff there: nothing changed", body = SiteBody),
        BadRequest, Unauthorised, Forbidden, NotFound, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_add_staff(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<SitePath>,
    JsonBody(b): JsonBody<StaffAddBody>,
) -> Result<(StatusCode, Json<SiteBody>), ApiError> {
    let added = state.store.estate().add_staff(&u.viewer, &p.id, &b.email).await?;
    let status = if added { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(site_with_staff(&state, &u, &p.id).await?)))
}

/// Raise a site's response level (estates managers): not below its floor,
/// with a reason, and until a day not in the past.
#[utoipa::path(post, path = "/sites/{id}/response-level", tag = "estate",
    params(SitePath),
    request_body = RaiseBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Raised", body = SiteBody),
        BadRequest, Unauthorised, Forbidden, NotFound, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_raise(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<SitePath>,
    JsonBody(b): JsonBody<RaiseBody>,
) -> Result<(StatusCode, Json<SiteBody>), ApiError> {
    let level = parse_level(&b.level)?;
    let until = parse_until(b.until.as_deref())?;
    let site = state.store.estate().raise(&u.viewer, &p.id, level, &b.reason, until).await?;
    Ok((StatusCode::CREATED, Json(site.into())))
}

/// Return a site to its floor (estates managers).
#[utoipa::path(delete, path = "/sites/{id}/response-level", tag = "estate",
    params(SitePath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The site at its floor", body = SiteBody), Unauthorised, Forbidden, NotFound))]
pub async fn api_return(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<SitePath>,
) -> Result<Json<SiteBody>, ApiError> {
    Ok(Json(state.store.estate().return_to_floor(&u.viewer, &p.id).await?.into()))
}

/// A notice to a member of staff that their site's response level changed.
#[derive(Serialize, ToSchema)]
pub struct NoticeBody {
    id: String,
    site_id: String,
    site_name: String,
    /// The level the site moved to.
    response_level: ResponseLevel,
    summary: String,
    created_at: String,
    /// Null until acknowledged.
    acknowledged_at: Option<String>,
}

impl From<Notice> for NoticeBody {
    fn from(n: Notice) -> Self {
        NoticeBody {
            id: n.id,
            site_id: n.site_id.to_string(),
            site_name: n.site_name,
            response_level: n.response_level,
            summary: n.summary,
            created_at: n.created_at,
            acknowledged_at: n.acknowledged_at,
        }
    }
}

/// The caller's notices of response level changes, newest first.
#[utoipa::path(get, path = "/me/notices", tag = "estate",
    params(PageQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "A page of notices", body = Page<NoticeBody>), BadRequest, Unauthorised))]
pub async fn api_my_notices(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<PageQuery>,
) -> Result<Json<Page<NoticeBody>>, ApiError> {
    let paging = q.paging()?;
    let (items, total) = state.store.estate().my_notices(&u.viewer, paging.limit, paging.offset).await?;
    Ok(Json(Page {
        items: items.into_iter().map(NoticeBody::from).collect(),
        total,
        limit: paging.limit,
        offset: paging.offset,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct NoticePath {
    /// The notice's id.
    id: String,
}

/// A notice acknowledged.
#[derive(Serialize, ToSchema)]
pub struct AcknowledgedBody {
    id: String,
    acknowledged_at: String,
}

/// Acknowledge one of the caller's notices: 201, or 200 when it already was
/// (nothing changes); someone else's notice is 404.
#[utoipa::path(post, path = "/notices/{id}/acknowledgement", tag = "estate",
    params(NoticePath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Acknowledged", body = AcknowledgedBody),
        (status = 200, description = "Already acknowledged: nothing changed", body = AcknowledgedBody),
        Unauthorised, Forbidden, NotFound))]
pub async fn api_acknowledge(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<NoticePath>,
) -> Result<(StatusCode, Json<AcknowledgedBody>), ApiError> {
    let (now, acknowledged_at) = state.store.estate().acknowledge(&u.viewer, &p.id).await?;
    let status = if now { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(AcknowledgedBody { id: p.id, acknowledged_at })))
}

/// One member of staff at a site and their latest notice from it.
#[derive(Serialize, ToSchema)]
pub struct AcknowledgementBody {
    user_id: String,
    name: String,
    email: String,
    /// Null when they have had no notice from this site.
    notice_id: Option<String>,
    notice_level: Option<ResponseLevel>,
    notified_at: Option<String>,
    /// Null until acknowledged.
    acknowledged_at: Option<String>,
}

/// Who at a site has acknowledged their latest notice and who has not.
#[derive(Serialize, ToSchema)]
pub struct AcknowledgementsBody {
    /// The site's response level now.
    response_level: ResponseLevel,
    /// Staff whose latest notice is acknowledged.
    acknowledged: i64,
    /// Staff whose latest notice is not.
    outstanding: i64,
    items: Vec<AcknowledgementBody>,
    total: i64,
    limit: i64,
    offset: i64,
}

/// Who at a site has acknowledged its latest change of response level (estates managers).
#[utoipa::path(get, path = "/sites/{id}/acknowledgements", tag = "estate",
    params(SitePath, PageQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The site's staff, by name", body = AcknowledgementsBody),
        BadRequest, Unauthorised, Forbidden, NotFound))]
pub async fn api_acknowledgements(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<SitePath>,
    Query(q): Query<PageQuery>,
) -> Result<Json<AcknowledgementsBody>, ApiError> {
    let paging = q.paging()?;
    let a = state.store.estate().acknowledgements(&u.viewer, &p.id, paging.limit, paging.offset).await?;
    Ok(Json(AcknowledgementsBody {
        response_level: a.response_level,
        acknowledged: a.acknowledged,
        outstanding: a.outstanding,
        items: a
            .items
            .into_iter()
            .map(|i| AcknowledgementBody {
                user_id: i.user_id.to_string(),
                name: i.name,
                email: i.email,
                notice_id: i.notice_id,
                notice_level: i.notice_level,
                notified_at: i.notified_at,
                acknowledged_at: i.acknowledged_at,
            })
            .collect(),
        total: a.total,
        limit: paging.limit,
        offset: paging.offset,
    }))
}

/// This capability's API operations.
pub fn api() -> ApiRoutes {
    ApiRoutes::new()
        .routes(routes!(api_list, api_add))
        .routes(routes!(api_get))
        .routes(routes!(api_add_staff))
        .routes(routes!(api_raise, api_return))
        .routes(routes!(api_my_notices))
        .routes(routes!(api_acknowledge))
        .routes(routes!(api_acknowledgements))
}

// ---- Pages ----

/// A site as the pages show it: everything in words.
pub struct SiteView {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub address: String,
    pub division: String,
    pub threat_level: String,
    pub floor: String,
    pub response_level: String,
    pub raised: bool,
    /// Why the site runs at its response level, in words.
    pub why: String,
    pub staff_count: i64,
}

fn day(s: &str) -> String {
    parse_date(s).map(display_date).unwrap_or_else(|_| s.to_string())
}

impl From<&Site> for SiteView {
    fn from(s: &Site) -> Self {
        let threat = s.threat_level.map(|l| l.to_string()).unwrap_or_else(|| "None recorded".into());
        let why = match &s.raised {
            Some(r) => format!(
                "Raised above its floor by {} on {}: {}{}",
                r.by_name,
                r.at.get(..10).map(day).unwrap_or_default(),
                r.reason,
                match &r.until {
                    Some(u) => format!(" (until the end of {})", day(u)),
                    None => " (until returned to its floor)".into(),
                }
            ),
            None => format!(
                "Its floor: the response level that the threat level {threat} sets (the higher of the national and the police sector level)"
            ),
        };
        SiteView {
            id: s.id.to_string(),
            name: s.name.clone(),
            kind: s.kind.words().into(),
            address: s.address.clone(),
            division: s.division.clone(),
            threat_level: threat,
            floor: s.floor.to_string(),
            response_level: s.response_level.to_string(),
            raised: s.raised.is_some(),
            why,
            staff_count: s.staff_count,
        }
    }
}

#[derive(Template)]
#[template(path = "sites.html")]
struct ListPage {
    layout: Layout,
    /// After an import: what it did, in words.
    notice: Option<String>,
    may_manage: bool,
    /// Whether to show the links to the menu, the costs and the plan.
    may_read_options: bool,
    /// The threat level is CRITICAL and the move-to-critical plan is not activated.
    offer_activation: bool,
    items: Vec<SiteView>,
    kinds: Vec<(&'static str, &'static str, bool)>,
    divisions: Vec<(String, bool)>,
    q: String,
    query: String,
    total: i64,
    limit: i64,
    offset: i64,
    shown_from: i64,
    shown_to: i64,
    filtered: bool,
}

pub(crate) fn store_page_error(e: StoreError, u: &CurrentUser) -> Response {
    match e {
        StoreError::NotFound { .. } => crate::pages::not_found_for(Some(u)),
        e => ApiError::from(e).into_response(),
    }
}

/// `GET /sites`: the estate register, filtered and paginated.
pub async fn page_list(State(state): State<AppState>, PageUser(u): PageUser, Query(q): Query<SitesQuery>) -> Response {
    let paging = match crate::api::paging(q.limit.as_deref(), q.offset.as_deref()) {
        Ok(p) => p,
        Err(_) => crate::api::Paging { limit: crate::api::DEFAULT_LIMIT, offset: 0 },
    };
    let filter = q.filter().unwrap_or_default();
    let (sites, total) = match state.store.estate().list(&u.viewer, &filter, paging.limit, paging.offset).await {
        Ok(x) => x,
        Err(e) => return store_page_error(e, &u),
    };
    let divisions = match state.store.estate().divisions(&u.viewer).await {
        Ok(d) => d,
        Err(e) => return store_page_error(e, &u),
    };
    let division = filter.division.clone().unwrap_or_default();
    let mut query = String::new();
    if let Some(k) = filter.kind {
        query.push_str(&format!("&kind={}", k.as_str()));
    }
    if !division.trim().is_empty() {
        query.push_str(&format!("&division={}", crate::auth::urlencode(division.trim())));
    }
    let text = filter.text.clone().unwrap_or_default();
    if !text.trim().is_empty() {
        query.push_str(&format!("&q={}", crate::auth::urlencode(text.trim())));
    }
    let shown = sites.len() as i64;
    let may_read_options =
        cordon_domain::access::permit_marked(&u.viewer, estate::OPTIONS_READ, estate::OPTIONS_MARKING).is_ok();
    // At CRITICAL, activating the move-to-critical plan is offered here too.
    let offer_activation = may_read_options && state.store.estate().offer_activation(&u.viewer).await.unwrap_or(false);
    render(
        StatusCode::OK,
        &ListPage {
            layout: Layout::for_user("Police estate", Marking::Official, "/sites", Some(&u)),
            notice: q.imported_words(),
            may_manage: u.viewer.may(estate::MANAGE),
            may_read_options,
            offer_activation,
            items: sites.iter().map(SiteView::from).collect(),
            kinds: SiteKind::ALL.iter().map(|k| (k.as_str(), k.words(), filter.kind == Some(*k))).collect(),
            divisions: divisions
                .into_iter()
                .map(|d| {
                    let sel = d.eq_ignore_ascii_case(division.trim());
                    (d, sel)
                })
                .collect(),
            filtered: !query.is_empty(),
            q: text,
            query,
            total,
            limit: paging.limit,
            offset: paging.offset,
            shown_from: if shown == 0 { 0 } else { paging.offset + 1 },
            shown_to: paging.offset + shown,
        },
    )
}

#[derive(Template)]
#[template(path = "site.html")]
struct SitePage {
    layout: Layout,
    s: SiteView,
    staff: Vec<StaffMember>,
    may_set_level: bool,
    may_manage: bool,
    notice: Option<String>,
    /// For the estates manager: each member of staff's acknowledgement, in words, by user id.
    acks: std::collections::HashMap<String, String>,
    outstanding: i64,
    /// The options at the site, for those cleared to read them.
    options: Option<Vec<crate::estate_options::SiteOptionLine>>,
    may_keep_options: bool,
    /// What staff at the site are told to do (the instructions of the options in force).
    instructions: Vec<String>,
}

impl SitePage {
    fn ack(&self, user_id: &UserId) -> &str {
        self.acks.get(user_id.as_str()).map(String::as_str).unwrap_or("No change to acknowledge")
    }
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    done: Option<String>,
    /// After reminders: how many people were reminded.
    people: Option<i64>,
}

/// `GET /sites/{id}`: a site's levels and why, and its staff.
pub async fn page_site(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<SiteId>,
    Query(n): Query<NoticeQuery>,
) -> Response {
    let site = match state.store.estate().get(&u.viewer, &id).await {
        Ok(s) => s,
        Err(e) => return store_page_error(e, &u),
    };
    let staff = match state.store.estate().staff(&u.viewer, &id).await {
        Ok(s) => s,
        Err(e) => return store_page_error(e, &u),
    };
    let may_manage = u.viewer.may(estate::MANAGE);
    let mut acks = std::collections::HashMap::new();
    let mut outstanding = 0;
    if may_manage {
        match state.store.estate().acknowledgements(&u.viewer, &id, crate::api::MAX_LIMIT, 0).await {
            Ok(a) => {
                outstanding = a.outstanding;
                for i in a.items {
                    let words = match (&i.notice_level, &i.acknowledged_at) {
                        (Some(l), Some(at)) => {
                            format!("Acknowledged {l} on {}", at.get(..10).map(day).unwrap_or_default())
                        }
                        (Some(l), None) => format!("Not yet acknowledged {l}"),
                        _ => "No change to acknowledge".to_string(),
                    };
                    acks.insert(i.user_id.to_string(), words);
                }
            }
            Err(e) => return store_page_error(e, &u),
        }
    }
    let notice = match n.done.as_deref() {
        Some("raised") => Some(format!("The response level is now {}.", site.response_level)),
        Some("returned") => Some(format!("The site is back at its floor, {}.", site.floor)),
        Some("option") => Some("The decision about the option is saved.".into()),
        Some("staff") => Some(
            "The member of staff is added. They will be told of every change of this site's response level.".into(),
        ),
        Some("already-staff") => Some("They are already on the staff here: nothing changed.".into()),
        Some("staff-removed") => {
            Some("They are no longer on the staff here and will not be told of its changes.".into())
        }
        Some("reminded") => Some(match n.people.unwrap_or(0) {
            0 => "Everyone told of the latest change has acknowledged it: no reminder was sent.".to_string(),
            1 => "A reminder was sent to the 1 person who has not acknowledged.".to_string(),
            k => format!("A reminder was sent to the {k} people who have not acknowledged."),
        }),
        _ => None,
    };
    let options = match crate::estate_options::site_option_lines(&state, &u, &site).await {
        Ok(o) => o,
        Err(e) => return store_page_error(e, &u),
    };
    let instructions = match state.store.estate().instructions(&u.viewer, &site).await {
        Ok(i) => i,
        Err(e) => return store_page_error(e, &u),
    };
    // The options make the page OFFICIAL-SENSITIVE; without them it is OFFICIAL.
    let marking = if options.is_some() { estate::OPTIONS_MARKING } else { Marking::Official };
    render(
        StatusCode::OK,
        &SitePage {
            layout: Layout::for_user(site.name.clone(), marking, "/sites", Some(&u)),
            may_keep_options: u.viewer.may(estate::OPTIONS_KEEP),
            options,
            instructions,
            s: SiteView::from(&site),
            staff,
            may_set_level: u.viewer.may(estate::SET_LEVEL),
            may_manage,
            notice,
            acks,
            outstanding,
        },
    )
}

#[derive(Template)]
#[template(path = "site_raise.html")]
struct RaisePage {
    layout: Layout,
    s: SiteView,
    errors: FormErrors,
    levels: Vec<(&'static str, bool)>,
    reason: String,
    day: String,
    month: String,
    year: String,
    /// Set when the form is filled in well: ask to confirm.
    confirm: Option<String>,
    until_words: String,
}

struct Typed {
    level: String,
    reason: String,
    day: String,
    month: String,
    year: String,
}

impl Typed {
    fn of(f: &Fields) -> Typed {
        Typed {
            level: field(f, "level"),
            reason: field(f, "reason"),
            day: field(f, "until-day"),
            month: field(f, "until-month"),
            year: field(f, "until-year"),
        }
    }
}

fn raise_page(
    u: &CurrentUser,
    site: &Site,
    status: StatusCode,
    errors: FormErrors,
    t: Typed,
    confirm: bool,
) -> Response {
    let levels = ResponseLevel::ALL
        .into_iter()
        .filter(|l| *l >= site.floor)
        .map(|l| (l.as_str(), l.as_str() == t.level))
        .collect();
    let until_words = match (t.day.is_empty(), t.month.is_empty(), t.year.is_empty()) {
        (true, true, true) => "until it is returned to its floor".to_string(),
        _ => format!("until the end of {}/{}/{}", t.day, t.month, t.year),
    };
    let title = if errors.is_empty() {
        format!("Raise the response level of {}", site.name)
    } else {
        format!("Error: Raise the response level of {}", site.name)
    };
    render(
        status,
        &RaisePage {
            layout: Layout::for_user(title, Marking::Official, "/sites", Some(u)),
            s: SiteView::from(site),
            errors,
            levels,
            confirm: confirm.then(|| t.level.clone()),
            reason: t.reason,
            day: t.day,
            month: t.month,
            year: t.year,
            until_words,
        },
    )
}

/// `GET /sites/{id}/response-level`: the form to raise a site's response level.
pub async fn page_raise_form(State(state): State<AppState>, PageUser(u): PageUser, Path(id): Path<SiteId>) -> Response {
    let site = match state.store.estate().get(&u.viewer, &id).await {
        Ok(s) => s,
        Err(e) => return store_page_error(e, &u),
    };
    if !u.viewer.may(estate::SET_LEVEL) {
        return ApiError::from(StoreError::Forbidden(
            "only an estates manager may raise a site's response level".into(),
        ))
        .into_response();
    }
    let t = Typed {
        level: String::new(),
        reason: String::new(),
        day: String::new(),
        month: String::new(),
        year: String::new(),
    };
    raise_page(&u, &site, StatusCode::OK, FormErrors::default(), t, false)
}

/// Reads the raise form: the level, the reason and the optional until date.
fn read_raise(t: &Typed, floor: ResponseLevel, today: Date) -> Result<(ResponseLevel, Option<Date>), FormErrors> {
    let level = t.level.parse::<ResponseLevel>().map_err(|_| FormErrors::one("level", "Choose a response level"))?;
    let until = if t.day.is_empty() && t.month.is_empty() && t.year.is_empty() {
        None
    } else {
        let f: Fields = vec![
            ("until-day".into(), t.day.clone()),
            ("until-month".into(), t.month.clone()),
            ("until-year".into(), t.year.clone()),
        ];
        Some(crate::dates::read_date(&f, "until", "Until").map_err(|p| FormErrors::one(&p.field, p.message))?)
    };
    estate::check_raise(level, &t.reason, until, floor, today).map_err(|e| {
        let field = if e.field == "until" { "until-day" } else { e.field };
        FormErrors::one(field, e.message)
    })?;
    Ok((level, until))
}

/// `POST /sites/{id}/response-level`: checks the form and asks to confirm;
/// with `confirm=yes`, raises the level and goes back to the site.
pub async fn page_raise(
    State(state): State<AppState>,
    Path(id): Path<SiteId>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let site = match state.store.estate().get(&u.viewer, &id).await {
        Ok(s) => s,
        Err(e) => return store_page_error(e, &u),
    };
    let t = Typed::of(&f);
    let (level, until) = match read_raise(&t, site.floor, state.store.today()) {
        Ok(x) => x,
        Err(errors) => return raise_page(&u, &site, StatusCode::UNPROCESSABLE_ENTITY, errors, t, false),
    };
    if field(&f, "confirm") != "yes" {
        return raise_page(&u, &site, StatusCode::OK, FormErrors::default(), t, true);
    }
    match state.store.estate().raise(&u.viewer, &id, level, &t.reason, until).await {
        Ok(_) => Redirect::to(&format!("/sites/{id}?done=raised")).into_response(),
        Err(StoreError::NotFound { .. }) => crate::pages::not_found_for(Some(&u)),
        Err(e) => {
            let status = match &e {
                StoreError::Forbidden(_) => StatusCode::FORBIDDEN,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            match FormErrors::from_store(e) {
                Ok(errors) => raise_page(&u, &site, status, errors, t, false),
                Err(r) => r,
            }
        }
    }
}

#[derive(Template)]
#[template(path = "site_return.html")]
struct ReturnPage {
    layout: Layout,
    s: SiteView,
    errors: FormErrors,
}

/// `GET /sites/{id}/response-level/return`: asks to confirm returning the site to its floor.
pub async fn page_return_form(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<SiteId>,
) -> Response {
    let site = match state.store.estate().get(&u.viewer, &id).await {
        Ok(s) => s,
        Err(e) => return store_page_error(e, &u),
    };
    render(
        StatusCode::OK,
        &ReturnPage {
            layout: Layout::for_user(
                format!("Return {} to its floor", site.name),
                Marking::Official,
                "/sites",
                Some(&u),
            ),
            s: SiteView::from(&site),
            errors: FormErrors::default(),
        },
    )
}

/// `POST /sites/{id}/response-level/return`.
pub async fn page_return(
    State(state): State<AppState>,
    Path(id): Path<SiteId>,
    CheckedForm { user: u, fields: _ }: CheckedForm,
) -> Response {
    match state.store.estate().return_to_floor(&u.viewer, &id).await {
        Ok(_) => Redirect::to(&format!("/sites/{id}?done=returned")).into_response(),
        Err(e) => store_page_error(e, &u),
    }
}

#[derive(Template)]
#[template(path = "site_form.html")]
struct SiteForm {
    layout: Layout,
    errors: FormErrors,
    name: String,
    kinds: Vec<(&'static str, &'static str, bool)>,
    address: String,
    division: String,
}

fn site_form(u: &CurrentUser, status: StatusCode, errors: FormErrors, f: &Fields) -> Response {
    let kind = field(f, "kind");
    let title = if errors.is_empty() { "Add a site" } else { "Error: Add a site" };
    render(
        status,
        &SiteForm {
            layout: Layout::for_user(title, Marking::Official, "/sites", Some(u)),
            errors,
            name: field(f, "name"),
            kinds: SiteKind::ALL.iter().map(|k| (k.as_str(), k.words(), k.as_str() == kind)).collect(),
            address: field(f, "address"),
            division: field(f, "division"),
        },
    )
}

/// `GET /sites/new`: the form to add a site (estates managers).
pub async fn page_new_site(PageUser(u): PageUser) -> Response {
    if !u.viewer.may(estate::MANAGE) {
        return ApiError::from(StoreError::Forbidden("only an estates manager may add sites".into())).into_response();
    }
    site_form(&u, StatusCode::OK, FormErrors::default(), &Vec::new())
}

/// `POST /sites/new`.
pub async fn page_add_site(State(state): State<AppState>, CheckedForm { user: u, fields: f }: CheckedForm) -> Response {
    let Ok(kind) = field(&f, "kind").parse::<SiteKind>() else {
        return site_form(
            &u,
            StatusCode::UNPROCESSABLE_ENTITY,
            FormErrors::one("kind", "Choose what kind of site it is"),
            &f,
        );
    };
    match state
        .store
        .estate()
        .add_site(&u.viewer, &field(&f, "name"), kind, &field(&f, "address"), &field(&f, "division"))
        .await
    {
        Ok(site) => Redirect::to(&format!("/sites/{}", site.id)).into_response(),
        Err(e) => {
            let status = match &e {
                StoreError::Forbidden(_) => StatusCode::FORBIDDEN,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            match FormErrors::from_store(e) {
                Ok(errors) => site_form(&u, status, errors, &f),
                Err(r) => r,
            }
        }
    }
}

/// `POST /notices/{id}/acknowledgement`: the one-click acknowledgement on the home page.
pub async fn page_acknowledge(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CheckedForm { user: u, fields: _ }: CheckedForm,
) -> Response {
    match state.store.estate().acknowledge(&u.viewer, &id).await {
        Ok(_) => Redirect::to("/").into_response(),
        Err(e) => store_page_error(e, &u),
    }
}

/// This capability's pages.
pub fn pages() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/notices/{id}/acknowledgement", post(page_acknowledge))
        .route("/sites", get(page_list))
        .route("/sites/new", get(page_new_site).post(page_add_site))
        .route("/sites/{id}", get(page_site))
        .route("/sites/{id}/response-level", get(page_raise_form).post(page_raise))
        .route("/sites/{id}/response-level/return", get(page_return_form).post(page_return))
}
