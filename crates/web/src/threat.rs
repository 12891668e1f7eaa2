//! Threat and response levels: the public page and the JSON API.

use crate::error::ApiError;
use crate::pages::{render, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use cordon_domain::london::display_date;
use cordon_domain::reference::parse_date;
use cordon_domain::threat::{Confidence, LookupError, Series};
use cordon_domain::Marking;
use cordon_store::threat::{LevelOn, LevelOnError};
use serde::Deserialize;
use serde_json::{json, Value};
use time::Date;

#[derive(Debug, Deserialize)]
pub struct OnQuery {
    on: Option<String>,
}

fn parse_on(on: &Option<String>) -> Result<Option<Date>, ApiError> {
    match on.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => parse_date(s)
            .map(Some)
            .map_err(|_| ApiError::bad_request("on", format!("on must be a date written YYYY-MM-DD; {s:?} is not"))),
    }
}

fn parse_series(s: &str) -> Result<Series, ApiError> {
    s.parse::<Series>().map_err(|m| ApiError::not_found(m).field("series"))
}

fn lookup_error(e: LevelOnError) -> ApiError {
    match e {
        LevelOnError::Lookup(l) => ApiError::not_found(l.to_string()).field("on"),
        LevelOnError::Store(s) => s.into(),
    }
}

fn level_json(l: &LevelOn) -> Value {
    json!({
        "series": l.series,
        "level": l.level,
        "response_level": l.response_level,
        "since": l.since,
        "definition": l.definition,
        "definition_wording": l.wording,
        "response_description": l.response_description,
        "confidence": l.confidence,
        "note": l.note,
        "source": l.source,
    })
}

/// `GET /api/v1/threat-levels`: every series with its current level.
pub async fn api_list(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let mut items = Vec::new();
    for series in Series::ALL {
        let mut item = match state.store.threat().level_on(series, None).await {
            Ok(l) => level_json(&l),
            Err(LevelOnError::Lookup(LookupError::AfterClose { closed, .. })) => {
                let history = state.store.threat().series_history(series).await?;
                let last = history.changes.last();
                json!({
                    "series": series,
                    "level": null,
                    "response_level": null,
                    "since": null,
                    "definition": null,
                    "closed": cordon_domain::reference::format_date(closed),
                    "last_level": last.map(|c| c.level),
                })
            }
            Err(e) => return Err(lookup_error(e)),
        };
        item["title"] = json!(series.title());
        item["set_by"] = json!(series.set_by());
        items.push(item);
    }
    let total = items.len();
    Ok(Json(json!({"items": items, "total": total, "limit": total, "offset": 0})))
}

/// `GET /api/v1/threat-levels/{series}?on=YYYY-MM-DD`: the level in force on a day.
pub async fn api_series(
    State(state): State<AppState>,
    Path(series): Path<String>,
    Query(q): Query<OnQuery>,
) -> Result<Json<Value>, ApiError> {
    let series = parse_series(&series)?;
    let on = parse_on(&q.on)?;
    let level = state.store.threat().level_on(series, on).await.map_err(lookup_error)?;
    Ok(Json(level_json(&level)))
}

/// `GET /api/v1/threat-levels/{series}/history`: every recorded change.
pub async fn api_history(State(state): State<AppState>, Path(series): Path<String>) -> Result<Json<Value>, ApiError> {
    let series = parse_series(&series)?;
    let h = state.store.threat().series_history(series).await?;
    let items: Vec<Value> = h
        .changes
        .iter()
        .map(|c| {
            json!({
                "effective": cordon_domain::reference::format_date(c.effective),
                "level": c.level,
                "note": c.note,
                "source": c.source,
                "confidence": c.confidence,
            })
        })
        .collect();
    let total = items.len();
    Ok(Json(json!({
        "series": series,
        "closed": h.closed.map(cordon_domain::reference::format_date),
        "items": items, "total": total, "limit": total, "offset": 0,
    })))
}

pub async fn api_methodologies(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let items = state.store.reference().attack_methodologies().await?;
    let total = items.len();
    Ok(Json(json!({"items": items, "total": total, "limit": total, "offset": 0})))
}

pub async fn api_risk_matrix(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(serde_json::to_value(state.store.reference().risk_matrix().await?).map_err(|_| ApiError::internal())?))
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
    let mut series = Vec::new();
    for s in Series::ALL {
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
    match parse_on(&q.on) {
        Err(_) => {
            on_error = Some("Enter a real date, for example 2017-05-24".to_string());
            status = StatusCode::BAD_REQUEST;
        }
        Ok(Some(day)) => {
            on_display = display_date(day);
            for s in Series::ALL {
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
