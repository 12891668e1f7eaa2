//! Threat and response levels: the public page and the JSON API.

use crate::api::{
    ApiRoutes, BadRequest, Complete, Forbidden, NotFound, PayloadTooLarge, Unauthorised, Unprocessable,
    UnsupportedMediaType,
};
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::json::JsonBody;
use crate::pages::{render, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cordon_domain::identity::OrgKind;
use cordon_domain::london::display_date;
use cordon_domain::methodology::AttackMethodology;
use cordon_domain::reference::parse_date;
use cordon_domain::risk::RiskMatrix;
use cordon_domain::threat::{Confidence, LookupError, Series};
use cordon_domain::threat::{ResponseLevel, ThreatLevel};
use cordon_domain::Marking;
use cordon_store::threat::{LevelOn, LevelOnError};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

/// `?on=YYYY-MM-DD`: the day asked about (default today, in the UK).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OnQuery {
    /// A date written YYYY-MM-DD, within the series' published years.
    #[param(value_type = Option<String>, format = Date)]
    on: Option<String>,
}

/// A series of threat levels, as written in the path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SeriesPath {
    /// `national`, `ni-in-ni`, `ni-in-gb` or `police-sector` (the last only
    /// for signed-in users of police organisations; 404 for anyone else).
    #[param(value_type = Series)]
    series: String,
}

fn parse_on(on: &Option<String>) -> Result<Option<Date>, ApiError> {
    match on.as_deref().map(str::trim) {
        None => Ok(None),
        Some("") => Err(ApiError::bad_request("on", "on is empty: leave it out for today, or give a date YYYY-MM-DD")),
        Some(s) => parse_date(s)
            .map(Some)
            .map_err(|_| ApiError::bad_request("on", format!("on must be a date written YYYY-MM-DD; {s:?} is not"))),
    }
}

fn parse_series(s: &str) -> Result<Series, ApiError> {
    s.parse::<Series>().map_err(|m| ApiError::not_found(m).field("series"))
}

/// The kind of the signed-in caller's organisation (by session or token), if any.
pub async fn reader_kind(state: &AppState, headers: &HeaderMap) -> Option<OrgKind> {
    let u = crate::auth::identify(state, headers).await.ok().flatten()?;
    kind_of(state, &u).await
}

async fn kind_of(state: &AppState, u: &crate::auth::CurrentUser) -> Option<OrgKind> {
    if !u.viewer.active {
        return None;
    }
    state.store.identity().organisation(&u.viewer.organisation_id).await.ok().flatten().map(|o| o.kind)
}

/// A series the caller may read: the police sector level is answered as if
/// it did not exist unless the caller is a signed-in user of a police organisation.
fn readable_series(s: &str, kind: Option<OrgKind>) -> Result<Series, ApiError> {
    let series = parse_series(s)?;
    if !series.readable_by(kind) {
        return Err(ApiError::not_found("unknown series: use national, ni-in-ni or ni-in-gb").field("series"));
    }
    Ok(series)
}

fn lookup_error(e: LevelOnError) -> ApiError {
    match e {
        LevelOnError::Lookup(l) => ApiError::not_found(l.to_string()).field("on"),
        LevelOnError::Store(s) => s.into(),
    }
}

/// The threat level in force on a day, with the response level it implies.
#[derive(Serialize, ToSchema)]
pub struct LevelBody {
    series: Series,
    level: ThreatLevel,
    response_level: ResponseLevel,
    /// The day the level was announced.
    #[schema(format = Date)]
    since: String,
    /// The definition in the wording in force on the day asked about.
    definition: String,
    /// Which wording the definition is in (`legacy-2006`, `2019`).
    definition_wording: String,
    response_description: String,
    confidence: Confidence,
    note: String,
    source: String,
}

impl From<&LevelOn> for LevelBody {
    fn from(l: &LevelOn) -> Self {
        LevelBody {
            series: l.series,
            level: l.level,
            response_level: l.response_level,
            since: l.since.clone(),
            definition: l.definition.clone(),
            definition_wording: l.wording.clone(),
            response_description: l.response_description.clone(),
            confidence: l.confidence,
            note: l.note.clone(),
            source: l.source.clone(),
        }
    }
}

/// A series with its current level; a series no longer published has
/// `level` null, the day it `closed` and its `last_level`.
#[derive(Serialize, ToSchema)]
pub struct SeriesSummary {
    series: Series,
    title: String,
    /// Who sets the level.
    set_by: String,
    level: Option<ThreatLevel>,
    response_level: Option<ResponseLevel>,
    #[schema(format = Date)]
    since: Option<String>,
    definition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    definition_wording: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    confidence: Option<Confidence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Date)]
    closed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_level: Option<ThreatLevel>,
}

/// Every threat-level series with its current level.
#[utoipa::path(get, path = "/threat-levels", tag = "threat levels",
    responses((status = 200, description = "Every series (complete, never paginated)", body = Complete<SeriesSummary>)))]
pub async fn api_list(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Complete<SeriesSummary>>, ApiError> {
    let kind = reader_kind(&state, &headers).await;
    let mut items = Vec::new();
    for series in Series::ALL.into_iter().filter(|s| s.readable_by(kind)) {
        let (title, set_by) = (series.title().to_string(), series.set_by().to_string());
        let item = match state.store.threat().level_on(series, None).await {
            Ok(l) => SeriesSummary {
                series,
                title,
                set_by,
                level: Some(l.level),
                response_level: Some(l.response_level),
                since: Some(l.since),
                definition: Some(l.definition),
                definition_wording: Some(l.wording),
                response_description: Some(l.response_description),
                confidence: Some(l.confidence),
                note: Some(l.note),
                source: Some(l.source),
                closed: None,
                last_level: None,
            },
            Err(LevelOnError::Lookup(LookupError::AfterClose { closed, .. })) => {
                let history = state.store.threat().series_history(series).await?;
                SeriesSummary {
                    series,
                    title,
                    set_by,
                    level: None,
                    response_level: None,
                    since: None,
                    definition: None,
                    definition_wording: None,
                    response_description: None,
                    confidence: None,
                    note: None,
                    source: None,
                    closed: Some(cordon_domain::reference::format_date(closed)),
                    last_level: history.changes.last().map(|c| c.level),
                }
            }
            // The police sector level before any has been recorded: left out.
            Err(LevelOnError::Lookup(LookupError::Empty(_))) if !series.is_public() => continue,
            Err(e) => return Err(lookup_error(e)),
        };
        items.push(item);
    }
    Ok(Json(Complete::new(items)))
}

/// The level in force on a day (default today).
#[utoipa::path(get, path = "/threat-levels/{series}", tag = "threat levels",
    params(SeriesPath, OnQuery),
    responses(
        (status = 200, description = "The level in force on the day", body = LevelBody),
        BadRequest,
        NotFound,
    ))]
pub async fn api_series(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(p): Path<SeriesPath>,
    Query(q): Query<OnQuery>,
) -> Result<Json<LevelBody>, ApiError> {
    let series = readable_series(&p.series, reader_kind(&state, &headers).await)?;
    let on = parse_on(&q.on)?;
    let level = state.store.threat().level_on(series, on).await.map_err(lookup_error)?;
    Ok(Json(LevelBody::from(&level)))
}

/// A recorded change of level.
#[derive(Serialize, ToSchema)]
pub struct ChangeBody {
    #[schema(format = Date)]
    effective: String,
    level: ThreatLevel,
    note: String,
    source: String,
    confidence: Confidence,
}

/// Every recorded level of a series, oldest first (complete, never paginated).
#[derive(Serialize, ToSchema)]
pub struct HistoryBody {
    series: Series,
    /// The day the series stopped being published, if it has.
    #[schema(format = Date)]
    closed: Option<String>,
    items: Vec<ChangeBody>,
    total: i64,
    limit: i64,
    offset: i64,
}

/// Every recorded level of a series.
#[utoipa::path(get, path = "/threat-levels/{series}/history", tag = "threat levels",
    params(SeriesPath),
    responses((status = 200, description = "The series' history", body = HistoryBody), NotFound))]
pub async fn api_history(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(p): Path<SeriesPath>,
) -> Result<Json<HistoryBody>, ApiError> {
    let series = readable_series(&p.series, reader_kind(&state, &headers).await)?;
    let h = state.store.threat().series_history(series).await?;
    let items: Vec<ChangeBody> = h
        .changes
        .iter()
        .map(|c| ChangeBody {
            effective: cordon_domain::reference::format_date(c.effective),
            level: c.level,
            note: c.note.clone(),
            source: c.source.clone(),
            confidence: c.confidence,
        })
        .collect();
    let total = items.len() as i64;
    Ok(Json(HistoryBody {
        series,
        closed: h.closed.map(cordon_domain::reference::format_date),
        items,
        total,
        limit: total,
        offset: 0,
    }))
}

/// The attack methodology catalogue.
#[utoipa::path(get, path = "/reference/attack-methodologies", tag = "reference",
    responses((status = 200, description = "Every methodology (complete, never paginated)", body = Complete<AttackMethodology>)))]
pub async fn api_methodologies(State(state): State<AppState>) -> Result<Json<Complete<AttackMethodology>>, ApiError> {
    Ok(Json(Complete::new(state.store.reference().attack_methodologies().await?)))
}

/// The configured risk matrix and tolerance.
#[utoipa::path(get, path = "/reference/risk-matrix", tag = "reference",
    responses((status = 200, description = "The risk matrix", body = RiskMatrix)))]
pub async fn api_risk_matrix(State(state): State<AppState>) -> Result<Json<RiskMatrix>, ApiError> {
    Ok(Json(state.store.reference().risk_matrix().await?))
}

/// An announced change of level.
#[derive(Deserialize, ToSchema)]
pub struct ThreatChangeBody {
    #[schema(value_type = ThreatLevel)]
    level: String,
    /// The day it was announced, YYYY-MM-DD.
    #[schema(format = Date)]
    effective: String,
    note: String,
}

/// The change as recorded.
#[derive(Serialize, ToSchema)]
pub struct RecordedBody {
    series: Series,
    level: ThreatLevel,
    #[schema(format = Date)]
    effective: String,
    /// The journal entry that records it.
    journal_seq: i64,
}

/// Record an announced change of level (administrators).
#[utoipa::path(post, path = "/threat-levels/{series}", tag = "threat levels",
    params(SeriesPath),
    request_body = ThreatChangeBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "Recorded", body = RecordedBody),
        BadRequest, Unauthorised, Forbidden, NotFound, UnsupportedMediaType, Unprocessable, PayloadTooLarge,
    ))]
pub async fn api_record_threat_level(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<SeriesPath>,
    JsonBody(b): JsonBody<ThreatChangeBody>,
) -> Result<(StatusCode, Json<RecordedBody>), ApiError> {
    crate::identity::require(&state, &u, cordon_domain::threat::RECORD).await?;
    let series = parse_series(&p.series)?;
    let level: ThreatLevel = b.level.parse().map_err(|m: String| ApiError::unprocessable("level", m))?;
    let effective = parse_date(&b.effective).map_err(|m| ApiError::bad_request("effective", m))?;
    let journal_seq = state.store.threat().record_threat_level(u.caller(), series, level, effective, &b.note).await?;
    Ok((StatusCode::CREATED, Json(RecordedBody { series, level, effective: b.effective, journal_seq })))
}

/// This capability's API operations.
pub fn api() -> ApiRoutes {
    ApiRoutes::new()
        .routes(routes!(api_list))
        .routes(routes!(api_series, api_record_threat_level))
        .routes(routes!(api_history))
        .routes(routes!(api_methodologies))
        .routes(routes!(api_risk_matrix))
}

/// A threat level as the pages show it.
pub struct LevelBadge {
    pub level: String,
    pub class: String,
    pub definition: String,
    pub response_level: String,
    pub response_description: String,
    pub since: String,
    pub uncertain: bool,
    pub note: String,
}

impl From<LevelOn> for LevelBadge {
    fn from(l: LevelOn) -> Self {
        Self {
            level: l.level.to_string(),
            class: l.level.as_str().to_lowercase(),
            definition: l.definition,
            response_level: l.response_level.to_string(),
            response_description: l.response_description,
            since: parse_date(&l.since).map(display_date).unwrap_or(l.since),
            uncertain: l.confidence == Confidence::Uncertain,
            note: l.note,
        }
    }
}

pub struct ChangeRow {
    pub date: String,
    pub level: String,
    pub class: String,
    pub note: String,
    pub source: String,
    pub source_is_link: bool,
    pub confidence: String,
}

pub struct SeriesView {
    pub id: String,
    pub title: String,
    pub set_by: String,
    pub current: Option<LevelBadge>,
    pub closed: Option<String>,
    pub history: Vec<ChangeRow>,
}

pub struct OnRow {
    pub title: String,
    pub result: Result<LevelBadge, String>,
}

#[derive(Template)]
#[template(path = "threat_levels.html")]
struct ThreatPage {
    layout: Layout,
    series: Vec<SeriesView>,
    on_value: String,
    on_error: Option<String>,
    on_display: String,
    on_rows: Vec<OnRow>,
}

/// `GET /threat-levels`: each series, its level and meaning, and its history.
pub async fn page(
    State(state): State<AppState>,
    crate::auth::MaybeUser(user): crate::auth::MaybeUser,
    Query(q): Query<OnQuery>,
) -> Response {
    let kind = match user.as_ref() {
        Some(u) => kind_of(&state, u).await,
        None => None,
    };
    let readable: Vec<Series> = Series::ALL.into_iter().filter(|s| s.readable_by(kind)).collect();
    let mut series = Vec::new();
    for s in readable.iter().copied() {
        let history = match state.store.threat().series_history(s).await {
            Ok(h) => h,
            Err(e) => return ApiError::from(e).into_response(),
        };
        let current = state.store.threat().level_on(s, None).await.ok().map(LevelBadge::from);
        series.push(SeriesView {
            id: s.as_str().into(),
            title: s.title().into(),
            set_by: s.set_by().into(),
            current,
            closed: history.closed.map(display_date),
            history: history
                .changes
                .iter()
                .rev()
                .map(|c| ChangeRow {
                    date: display_date(c.effective),
                    level: c.level.to_string(),
                    class: c.level.as_str().to_lowercase(),
                    note: c.note.clone(),
                    source_is_link: c.source.starts_with("http://") || c.source.starts_with("https://"),
                    source: c.source.clone(),
                    confidence: match c.confidence {
                        Confidence::Official => "Official source",
                        Confidence::Secondary => "Secondary source",
                        Confidence::Uncertain => "Unconfirmed",
                    }
                    .into(),
                })
                .collect(),
        });
    }
    let on_value = q.on.clone().unwrap_or_default();
    let mut on_error = None;
    let mut on_rows = Vec::new();
    let mut on_display = String::new();
    let mut status = StatusCode::OK;
    // The page's form sends an empty date when none is typed: that is "today".
    let typed = q.on.clone().filter(|s| !s.trim().is_empty());
    match parse_on(&typed) {
        Err(_) => {
            on_error = Some("Enter a real date, for example 2017-05-24".to_string());
            status = StatusCode::BAD_REQUEST;
        }
        Ok(Some(day)) => {
            on_display = display_date(day);
            for s in readable.iter().copied() {
                let result = match state.store.threat().level_on(s, Some(day)).await {
                    Ok(l) => Ok(LevelBadge::from(l)),
                    Err(LevelOnError::Lookup(e)) => Err(match e {
                        LookupError::BeforeStart { began, .. } => {
                            format!("No level: this series was first published on {}", display_date(began))
                        }
                        LookupError::AfterClose { closed, .. } => {
                            format!("No level: this series closed on {}", display_date(closed))
                        }
                        LookupError::Empty(_) => "No level has been recorded".into(),
                    }),
                    Err(LevelOnError::Store(e)) => return ApiError::from(e).into_response(),
                };
                on_rows.push(OnRow { title: s.title().into(), result });
            }
        }
        Ok(None) => {}
    }
    render(
        status,
        &ThreatPage {
            layout: Layout::for_user(
                if on_error.is_some() { "Error: Threat levels" } else { "Threat levels" },
                Marking::Official,
                "/threat-levels",
                user.as_ref(),
            ),
            series,
            on_value,
            on_error,
            on_display,
            on_rows,
        },
    )
}

/// This capability's pages.
pub fn pages() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new().route("/threat-levels", get(page))
}
