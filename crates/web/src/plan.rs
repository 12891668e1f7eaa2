//! The CT protective security plan: pages and API. The plan inherits its
//! event's marking and team; every path reads the event through the policy.

use crate::auth::{ApiUser, CurrentUser, PageUser};
use crate::error::ApiError;
use crate::json::JsonBody;
use crate::pages::{message_page, render, FormErrors, Layout};
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use cordon_domain::london::display_stored;
use cordon_domain::plan::*;
use cordon_store::events::EventRecord;
use cordon_store::plan::{PlanView, VersionSummary};
use cordon_store::StoreError;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

use crate::forms::{check_csrf as form_csrf, field, fields, Fields};

fn new_item_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Builds an item from a JSON body: the body is the item's fields; the section
/// comes from the path. Unknown sections are 404; malformed bodies 400.
fn item_from_json(section: &str, item_id: Option<&str>, mut body: Value) -> Result<PlanItem, ApiError> {
    if !SECTIONS.contains(&section) {
        return Err(ApiError::not_found(format!("no plan section {section:?}")).field("section"));
    }
    let obj = body.as_object_mut().ok_or_else(|| ApiError::bad_request("body", "send the item as a JSON object"))?;
    obj.insert("section".into(), json!(section));
    let key = if section == "risk_assessment" { "methodology" } else { "id" };
    match item_id {
        Some(id) => {
            obj.insert(key.into(), json!(id));
        }
        None if !obj.contains_key(key) && !["tasking", "intent", "no_recon_reason"].contains(&section) => {
            obj.insert(key.into(), json!(new_item_id()));
        }
        None => {}
    }
    serde_json::from_value::<PlanItem>(body).map_err(|e| {
        let msg = e.to_string();
        let field = msg.strip_prefix("missing field `").and_then(|s| s.split('`').next()).unwrap_or("body").to_string();
        ApiError::bad_request(&field, format!("the item could not be read: {msg}"))
    })
}

/// The plan as the API answers it.
#[derive(serde::Serialize)]
struct PlanJson<'a> {
    event_id: &'a str,
    marking: cordon_domain::Marking,
    plan: &'a Plan,
    risks: &'a [RiskRow],
    readiness: Readiness<'a>,
    coverage: &'a [CoverageRow],
}

#[derive(serde::Serialize)]
struct Readiness<'a> {
    ready: bool,
    problems: &'a [Problem],
}

/// A JSON rendering of the view, kept with it, and its gzip form for
/// clients that accept it (both made once per state of the plan).
fn kept_json(
    view: &PlanView,
    key: &str,
    headers: &HeaderMap,
    make: impl FnOnce(&PlanView) -> Result<Bytes, ApiError>,
) -> Result<Response, ApiError> {
    let plain: Arc<Bytes> = view.memo(key, make)?;
    let vary = (header::VARY, HeaderValue::from_static("accept-encoding"));
    let json = (header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if crate::gzip::accepted(headers) {
        let gz: Arc<Bytes> = view.memo(&format!("{key}.gz"), |_| Ok::<_, ApiError>(gzip_whole(&plain)))?;
        let enc = (header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        return Ok(([json, vary, enc], (*gz).clone()).into_response());
    }
    Ok(([json, vary], (*plain).clone()).into_response())
}

fn gzip_whole(bytes: &[u8]) -> Bytes {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 4), flate2::Compression::default());
    e.write_all(bytes).expect("writing to memory");
    Bytes::from(e.finish().expect("writing to memory"))
}

fn json_bytes<T: serde::Serialize>(value: &T) -> Result<Bytes, ApiError> {
    serde_json::to_vec(value).map(Bytes::from).map_err(|e| {
        tracing::error!(error = %e, "plan JSON could not be written");
        ApiError::internal()
    })
}

// ----- API -------------------------------------------------------------------

pub async fn api_get(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let view = state.store.plan().plan_view(&u.viewer, &id).await?;
    kept_json(&view, "json", &headers, |v| {
        json_bytes(&PlanJson {
            event_id: &v.event.id,
            marking: v.event.marking,
            plan: &v.plan,
            risks: &v.risks,
            readiness: Readiness { ready: v.problems.is_empty(), problems: &v.problems },
            coverage: &v.coverage,
        })
    })
}

pub async fn api_readiness(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let view = state.store.plan().plan_view(&u.viewer, &id).await?;
    kept_json(&view, "readiness", &headers, |v| {
        json_bytes(&Readiness { ready: v.problems.is_empty(), problems: &v.problems })
    })
}

pub async fn api_coverage(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let view = state.store.plan().plan_view(&u.viewer, &id).await?;
    let total = view.coverage.len();
    kept_json(&view, "coverage", &headers, |v| {
        json_bytes(&json!({"items": v.coverage, "total": total, "limit": total, "offset": 0}))
    })
}

pub async fn api_add_item(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, section)): Path<(String, String)>,
    JsonBody(body): JsonBody<Value>,
) -> Result<(StatusCode, Json<PlanItem>), ApiError> {
    let item = item_from_json(&section, None, body)?;
    Ok((StatusCode::CREATED, Json(state.store.plan().save_plan_item(&u.viewer, &id, item).await?)))
}

pub async fn api_put_singleton(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, section)): Path<(String, String)>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<PlanItem>, ApiError> {
    if !["tasking", "intent", "no_recon_reason"].contains(&section.as_str()) {
        return Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "PUT items at .../plan/{section}/{item_id}",
        ));
    }
    let item = item_from_json(&section, None, body)?;
    Ok(Json(state.store.plan().save_plan_item(&u.viewer, &id, item).await?))
}

pub async fn api_put_item(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, section, item_id)): Path<(String, String, String)>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<PlanItem>, ApiError> {
    let item = item_from_json(&section, Some(&item_id), body)?;
    Ok(Json(state.store.plan().save_plan_item(&u.viewer, &id, item).await?))
}

pub async fn api_delete_item(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, section, item_id)): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    state.store.plan().remove_plan_item(&u.viewer, &id, &section, &item_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct IssueBody {
    reason: String,
}

fn version_json(v: &VersionSummary) -> Value {
    json!({
        "number": v.number, "issued_at": v.issued_at, "issued_by": v.issued_by, "reason": v.reason,
        "hash": v.hash, "endorsement": v.endorsement,
    })
}

pub async fn api_issue(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<IssueBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let v = state.store.plan().issue_plan(&u.user, &u.viewer, &id, &b.reason).await?;
    Ok((StatusCode::CREATED, Json(version_json(&v))))
}

pub async fn api_versions(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let vs = state.store.plan().plan_versions(&u.viewer, &id).await?;
    let total = vs.len();
    Ok(Json(
        json!({"items": vs.iter().map(version_json).collect::<Vec<_>>(), "total": total, "limit": total, "offset": 0}),
    ))
}

fn parse_number(s: &str, field: &str) -> Result<i64, ApiError> {
    s.parse::<i64>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| ApiError::bad_request(field, format!("{field} must be a version number")))
}

/// `GET .../plan/versions/{n}`: exactly as issued, byte for byte.
pub async fn api_version(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, n)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let n = parse_number(&n, "number")?;
    let (body, hash) = state.store.plan().plan_version(&u.viewer, &id, n).await?;
    let mut res = body.into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res.headers_mut().insert("x-content-sha256", HeaderValue::from_str(&hash).map_err(|_| ApiError::internal())?);
    Ok(res)
}

/// Issued versions never change: any attempt is a conflict.
pub async fn api_version_immutable(ApiUser(_): ApiUser) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "conflict",
        "issued versions never change; change the draft and issue a new version",
    )
}

pub async fn api_diff(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, a, b)): Path<(String, String, String)>,
) -> Result<Json<Value>, ApiError> {
    let (a, b) = (parse_number(&a, "a")?, parse_number(&b, "b")?);
    let changes = state.store.plan().plan_diff(&u.viewer, &id, a, b).await?;
    Ok(Json(json!({"from": a, "to": b, "changes": changes, "total": changes.len()})))
}

#[derive(Deserialize)]
pub struct EndorseBody {
    #[serde(default)]
    conditions: String,
}

pub async fn api_endorse(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, n)): Path<(String, String)>,
    JsonBody(b): JsonBody<EndorseBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let n = parse_number(&n, "number")?;
    let v = state.store.plan().endorse_plan(&u.user, &u.viewer, &id, n, &b.conditions).await?;
    Ok((StatusCode::CREATED, Json(version_json(&v))))
}

#[derive(Deserialize)]
pub struct CommandersBody {
    gold_email: Option<String>,
    silver_email: Option<String>,
}

pub async fn api_commanders(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<CommandersBody>,
) -> Result<Json<Value>, ApiError> {
    let e =
        state.store.plan().set_commanders(&u.viewer, &id, b.gold_email.as_deref(), b.silver_email.as_deref()).await?;
    Ok(Json(json!({"id": e.id, "gold_user_id": e.gold_user_id, "silver_user_id": e.silver_user_id})))
}

#[derive(Deserialize)]
pub struct CopyBody {
    source_event_id: String,
}

pub async fn api_copy(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<CopyBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let n = state.store.plan().copy_plan_from(&u.viewer, &id, &b.source_event_id).await?;
    Ok((StatusCode::CREATED, Json(json!({"copied_items": n}))))
}

/// `POST .../attachments`: the raw file with its Content-Type.
pub async fn api_upload(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let (sha, size) = state.store.plan().upload_attachment(&u.viewer, &id, ct, &body).await?;
    Ok((StatusCode::CREATED, Json(json!({"sha256": sha, "size": size, "content_type": ct}))))
}

pub async fn api_attachment(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, sha)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (ct, data) = state.store.plan().attachment(&u.viewer, &id, &sha).await?;
    let mut res = data.into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_str(&ct).map_err(|_| ApiError::internal())?);
    res.headers_mut().insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment"));
    Ok(res)
}

// ----- pages -----------------------------------------------------------------

/// Builds an item from a page form.
pub(crate) fn item_from_form(section: &str, f: &Fields) -> Result<PlanItem, (String, String)> {
    let id = || Some(field(f, "id")).filter(|s| !s.is_empty()).unwrap_or_else(new_item_id);
    let num = |name: &str| -> Result<Option<u32>, (String, String)> {
        let v = field(f, name);
        if v.is_empty() {
            return Ok(None);
        }
        v.parse::<u32>()
            .map(Some)
            .map_err(|_| (name.to_string(), format!("{} must be a whole number", name.replace('_', " "))))
    };
    let bad = |field: &str, m: &str| (field.to_string(), m.to_string());
    Ok(match section {
        "tasking" => PlanItem::Tasking(Tasking {
            commissioned_by: field(f, "commissioned_by"),
            commissioned_on: field(f, "commissioned_on"),
            terms_of_reference: field(f, "terms_of_reference"),
        }),
        "intent" => PlanItem::Intent(Intent {
            intent: field(f, "intent"),
            objectives: field(f, "objectives")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect(),
        }),
        "threat_assessment" => PlanItem::ThreatAssessment(ThreatAssessment {
            id: id(),
            source: field(f, "source"),
            date: field(f, "date"),
            summary: field(f, "summary"),
            marking: field(f, "marking").parse().map_err(|_| bad("marking", "choose a marking"))?,
            national_threat_level: None,
            needs_review: false,
        }),
        "operational_factor" => {
            PlanItem::OperationalFactor(OperationalFactor { id: id(), description: field(f, "description") })
        }
        "recon_visit" => PlanItem::ReconVisit(ReconVisit {
            id: id(),
            date: field(f, "date"),
            attendees: field(f, "attendees"),
            areas: field(f, "areas"),
            findings: field(f, "findings"),
            attachments: vec![],
            needs_review: false,
        }),
        "no_recon_reason" => PlanItem::NoReconReason { reason: field(f, "reason") },
        "risk_assessment" => {
            let applicable = field(f, "applicable") != "no";
            PlanItem::RiskAssessment(RiskAssessment {
                methodology: field(f, "methodology"),
                applicable,
                not_applicable_reason: field(f, "not_applicable_reason"),
                likelihood: if applicable { num("likelihood")? } else { None },
                impact: if applicable { num("impact")? } else { None },
                residual_likelihood: if applicable { num("residual_likelihood")? } else { None },
                residual_impact: if applicable { num("residual_impact")? } else { None },
                no_measure_rationale: field(f, "no_measure_rationale"),
                needs_review: false,
            })
        }
        "vulnerability" => PlanItem::Vulnerability(Vulnerability {
            id: id(),
            location: field(f, "location"),
            description: field(f, "description"),
            methodologies: fields(f, "methodologies"),
            severity: num("severity")?.unwrap_or(0),
        }),
        "power" => PlanItem::Power(Power {
            id: id(),
            title: field(f, "title"),
            reference: field(f, "reference"),
            notes: field(f, "notes"),
        }),
        "measure" => {
            let status = match field(f, "status").as_str() {
                "accepted" => MeasureStatus::Accepted,
                "declined_resources" | "declined_other" => MeasureStatus::Declined,
                _ => MeasureStatus::Proposed,
            };
            PlanItem::Measure(Measure {
                id: id(),
                title: field(f, "title"),
                from_library: field(f, "from_library") == "yes",
                risks: fields(f, "risks"),
                vulnerabilities: fields(f, "vulnerabilities"),
                tactical_plan: Some(field(f, "tactical_plan")).filter(|s| !s.is_empty()),
                status,
                decline_reason: match field(f, "status").as_str() {
                    "declined_resources" => Some(DeclineReason::Resources),
                    "declined_other" => Some(DeclineReason::Other),
                    _ => None,
                },
                rationale: field(f, "rationale"),
            })
        }
        "contingency" => PlanItem::Contingency(Contingency {
            id: id(),
            risks: fields(f, "risks"),
            trigger: field(f, "trigger"),
            actions: field(f, "actions"),
            owner: field(f, "owner"),
        }),
        "recommendation" => PlanItem::Recommendation(Recommendation {
            id: id(),
            text: field(f, "text"),
            priority: match field(f, "priority").as_str() {
                "high" => Priority::High,
                "low" => Priority::Low,
                _ => Priority::Medium,
            },
            risks: fields(f, "risks"),
            proportionality_rationale: field(f, "proportionality_rationale"),
            status: match field(f, "status").as_str() {
                "accepted" => RecommendationStatus::Accepted,
                "declined_resources" => RecommendationStatus::DeclinedResources,
                "declined_other" => RecommendationStatus::DeclinedOther,
                _ => RecommendationStatus::Open,
            },
        }),
        "review" => {
            PlanItem::Review(Review { id: id(), date: field(f, "date"), by: field(f, "by"), notes: field(f, "notes") })
        }
        "tactical_plan" => PlanItem::TacticalPlan(TacticalPlan {
            id: id(),
            kind: serde_json::from_value(json!(field(f, "kind")))
                .map_err(|_| bad("kind", "choose the kind of plan"))?,
            owner: field(f, "owner"),
            version: field(f, "version"),
            received_on: field(f, "received_on"),
            reviewed_by: field(f, "reviewed_by"),
            notes: field(f, "notes"),
        }),
        "stakeholder" => PlanItem::Stakeholder(Stakeholder {
            id: id(),
            name: field(f, "name"),
            organisation: field(f, "organisation"),
            role: field(f, "role"),
        }),
        "liaison" => PlanItem::Liaison(Liaison {
            id: id(),
            date: field(f, "date"),
            with: field(f, "with"),
            summary: field(f, "summary"),
            agreed: field(f, "agreed"),
            actions: field(f, "actions"),
        }),
        "meeting" => {
            let mut actions = Vec::new();
            if !field(f, "action_text").is_empty() {
                actions.push(MeetingAction {
                    text: field(f, "action_text"),
                    owner: field(f, "action_owner"),
                    due: field(f, "action_due"),
                    status: "open".into(),
                });
            }
            PlanItem::Meeting(Meeting {
                id: id(),
                kind: field(f, "kind"),
                date: field(f, "date"),
                attendees: field(f, "attendees"),
                minutes: field(f, "minutes"),
                actions,
            })
        }
        _ => return Err(bad("section", "no such section")),
    })
}

pub struct RiskView {
    pub id: String,
    pub name: String,
    pub assessed: bool,
    pub applicable: bool,
    pub reason: String,
    pub likelihood: String,
    pub impact: String,
    pub residual_likelihood: String,
    pub residual_impact: String,
    pub inherent: String,
    pub residual: String,
    pub treated: String,
    pub no_measure_rationale: String,
    pub flagged: bool,
    pub declined: Vec<String>,
}

#[derive(Template)]
#[template(path = "plan_body.html")]
struct PlanBody<'a> {
    csrf: &'a str,
    event: &'a EventRecord,
    plan: &'a Plan,
    risks: Vec<RiskView>,
    problems: &'a [Problem],
    coverage: &'a [CoverageRow],
    versions: &'a [VersionSummary],
    likelihood: Vec<(usize, String)>,
    impact: Vec<(usize, String)>,
    tolerance: &'a str,
    gold_name: &'a str,
    silver_name: &'a str,
    errors: FormErrors,
    can_change: bool,
    can_issue: bool,
    copy_sources: Vec<(String, String)>,
}

/// A page around content rendered on its own.
#[derive(Template)]
#[template(path = "shell.html")]
struct Shell<'a> {
    layout: Layout,
    body: &'a str,
}

impl PlanBody<'_> {
    fn risk_name(&self, id: &str) -> String {
        self.risks.iter().find(|r| r.id == id).map(|r| r.name.clone()).unwrap_or_else(|| id.to_string())
    }
    fn tactical_name(&self, id: &Option<String>) -> String {
        id.as_ref()
            .and_then(|id| self.plan.tactical_plans.iter().find(|t| &t.id == id))
            .map(|t| format!("{} ({})", tactical_words(t.kind), t.owner))
            .unwrap_or_else(|| "None".into())
    }
    fn tactical_kind(&self, t: &TacticalPlan) -> &'static str {
        tactical_words(t.kind)
    }
    fn measure_status(&self, m: &Measure) -> &'static str {
        match (m.status, m.decline_reason) {
            (MeasureStatus::Accepted, _) => "Accepted",
            (MeasureStatus::Proposed, _) => "Proposed",
            (MeasureStatus::Declined, Some(DeclineReason::Resources)) => {
                "Declined for resources: risk remains as residual risk"
            }
            (MeasureStatus::Declined, _) => "Declined",
        }
    }
    fn recommendation_status(&self, r: &Recommendation) -> &'static str {
        match r.status {
            RecommendationStatus::Open => "Open",
            RecommendationStatus::Accepted => "Accepted",
            RecommendationStatus::DeclinedResources => "Declined for resources: risk remains as residual risk",
            RecommendationStatus::DeclinedOther => "Declined",
        }
    }
    fn priority(&self, r: &Recommendation) -> &'static str {
        match r.priority {
            Priority::High => "High",
            Priority::Medium => "Medium",
            Priority::Low => "Low",
        }
    }
    fn anchor(&self, path: &str) -> String {
        let section = path.trim_start_matches("/plan/").split('/').next().unwrap_or("");
        let singular = match section {
            "risk_assessments" => return format!("#assess-{}", path.rsplit('/').next().unwrap_or("")),
            "threat_assessments" => "threat-assessment",
            "recon_visits" => "recon-visit",
            "contingencies" => "contingency",
            "recommendations" => "recommendation",
            "tactical_plans" => "tactical-plan",
            "tasking" => "tasking",
            "intent" => "intent",
            _ => "readiness",
        };
        format!("#{singular}")
    }
}

fn rating_text(r: &Option<cordon_domain::risk::Rating>) -> String {
    r.as_ref().map(|r| format!("{} ({})", r.band, r.score)).unwrap_or_else(|| "Not rated".into())
}

fn risk_views(view: &PlanView) -> Vec<RiskView> {
    view.risks
        .iter()
        .map(|r| {
            let a = view.plan.assessment(&r.methodology);
            let n = |v: Option<u32>| v.map(|x| x.to_string()).unwrap_or_default();
            RiskView {
                id: r.methodology.clone(),
                name: r.name.clone(),
                assessed: a.is_some(),
                applicable: a.is_none_or(|a| a.applicable),
                reason: a.map(|a| a.not_applicable_reason.clone()).unwrap_or_default(),
                likelihood: n(a.and_then(|a| a.likelihood)),
                impact: n(a.and_then(|a| a.impact)),
                residual_likelihood: n(a.and_then(|a| a.residual_likelihood)),
                residual_impact: n(a.and_then(|a| a.residual_impact)),
                inherent: if r.applicable == Some(false) { "Not applicable".into() } else { rating_text(&r.inherent) },
                residual: if r.applicable == Some(false) { "Not applicable".into() } else { rating_text(&r.residual) },
                treated: format!("{} accepted", r.accepted_measures),
                no_measure_rationale: a.map(|a| a.no_measure_rationale.clone()).unwrap_or_default(),
                flagged: a.is_some_and(|a| a.needs_review),
                declined: r.declined_for_resources.clone(),
            }
        })
        .collect()
}

/// The plan's content for one viewer's permissions, with `csrf` in its forms.
fn plan_body(
    view: &PlanView,
    csrf: &str,
    can_change: bool,
    can_issue: bool,
    errors: FormErrors,
    copy_sources: Vec<(String, String)>,
) -> Result<String, askama::Error> {
    let numbered = |labels: &[String]| labels.iter().enumerate().map(|(i, l)| (i + 1, l.clone())).collect();
    PlanBody {
        csrf,
        event: &view.event,
        plan: &view.plan,
        risks: risk_views(view),
        problems: &view.problems,
        coverage: &view.coverage,
        versions: &view.versions,
        likelihood: numbered(&view.matrix.likelihood),
        impact: numbered(&view.matrix.impact),
        tolerance: &view.matrix.tolerance,
        gold_name: view.gold_label.as_deref().unwrap_or("Not set"),
        silver_name: view.silver_label.as_deref().unwrap_or("Not set"),
        errors,
        can_change,
        can_issue,
        copy_sources,
    }
    .render()
}

/// Markers cut into renderings kept between requests: where each form's CSRF
/// token goes, and where the page frame is cut to put the kept content in.
/// Random per process, so no text in a plan or an event's name can contain them.
struct Markers {
    csrf: String,
    content: String,
}

fn markers() -> &'static Markers {
    static M: std::sync::OnceLock<Markers> = std::sync::OnceLock::new();
    M.get_or_init(|| {
        let random = cordon_store::identity::random_token;
        Markers { csrf: format!("csrf-{}", random(16)), content: format!("content-{}", random(16)) }
    })
}

async fn plan_page(
    state: &AppState,
    u: &CurrentUser,
    id: &str,
    status: StatusCode,
    errors: FormErrors,
    gzip: bool,
) -> Response {
    let view = match state.store.plan().plan_view(&u.viewer, id).await {
        Ok(v) => v,
        Err(StoreError::NotFound { .. }) => return crate::pages::not_found_for(Some(u)),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let can_change = u.viewer.may(cordon_domain::access::Action::Change);
    let can_issue = u.viewer.may(cordon_domain::access::Action::Issue);
    let csrf = u.csrf();
    let layout = || Layout::for_user(format!("Plan: {}", view.event.name), view.event.marking, "/events", Some(u));
    let failed = |e: askama::Error| {
        tracing::error!(error = %e, "template failed to render");
        (StatusCode::INTERNAL_SERVER_ERROR, "the page could not be shown").into_response()
    };
    if !errors.is_empty() || view.item_count == 0 {
        // An empty plan offers to copy from another event the viewer may see.
        let copy_sources = if view.item_count == 0 {
            state
                .store
                .events()
                .events_visible(&u.viewer, &cordon_store::events::EventFilter { limit: 100, ..Default::default() })
                .await
                .map(|(es, _)| es.into_iter().filter(|e| e.id != view.event.id).map(|e| (e.id, e.name)).collect())
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        return match plan_body(&view, &csrf, can_change, can_issue, errors, copy_sources) {
            Ok(body) => render(status, &Shell { layout: layout(), body: &body }),
            Err(e) => failed(e),
        };
    }
    // The usual case: the content depends only on the view and the viewer's
    // permissions, so it is rendered (and compressed) once, with a
    // placeholder where each form's token goes, and the token filled in here.
    let key = format!("page:{can_change}:{can_issue}");
    let kept = match view
        .memo(&key, |v| plan_body(v, &markers().csrf, can_change, can_issue, FormErrors::default(), Vec::new()))
    {
        Ok(k) => k,
        Err(e) => return failed(e),
    };
    if !gzip {
        return render(status, &Shell { layout: layout(), body: &kept.replace(&markers().csrf, &csrf) });
    }
    let pieces = match view
        .memo(&format!("{key}.gz"), |_| Ok::<_, askama::Error>(crate::gzip::Pieces::new(&kept, &markers().csrf)))
    {
        Ok(p) => p,
        Err(e) => return failed(e),
    };
    let frame = match (Shell { layout: layout(), body: &markers().content }).render() {
        Ok(f) => f,
        Err(e) => return failed(e),
    };
    let Some((head, tail)) = frame.split_once(&markers().content) else {
        return failed(askama::Error::Custom("the page frame has no place for its content".into()));
    };
    let mut w = crate::gzip::GzipWriter::new(kept.len() / 4);
    w.stored(head.as_bytes());
    w.pieces(&pieces, &csrf);
    w.stored(tail.as_bytes());
    (
        status,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (header::CONTENT_ENCODING, HeaderValue::from_static("gzip")),
            (header::VARY, HeaderValue::from_static("accept-encoding")),
        ],
        w.finish(),
    )
        .into_response()
}

async fn after_change(
    state: &AppState,
    u: &CurrentUser,
    id: &str,
    anchor: &str,
    r: Result<(), StoreError>,
) -> Response {
    match r {
        Ok(()) => Redirect::to(&format!("/events/{id}/plan{anchor}")).into_response(),
        Err(StoreError::NotFound { field: None, .. }) => crate::pages::not_found_for(Some(u)),
        Err(StoreError::RulesNotMet { problems, .. }) => {
            let errors = FormErrors(problems.into_iter().map(|p| ("readiness".to_string(), p.message)).collect());
            plan_page(state, u, id, StatusCode::UNPROCESSABLE_ENTITY, errors, false).await
        }
        Err(e) => match FormErrors::from_store(e) {
            Ok(errors) => plan_page(state, u, id, StatusCode::UNPROCESSABLE_ENTITY, errors, false).await,
            Err(r) => r,
        },
    }
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    plan_page(&state, &u, &id, StatusCode::OK, FormErrors::default(), crate::gzip::accepted(&headers)).await
}

pub async fn page_save(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, section)): Path<(String, String)>,
    Form(f): Form<Fields>,
) -> Response {
    if let Err(r) = form_csrf(&u, &f) {
        return r;
    }
    let anchor = format!("#{}", section.replace('_', "-"));
    let result = match item_from_form(&section, &f) {
        Ok(mut item) => {
            crate::plan_item::merge(&mut item, None, &f, &u.user.name);
            state.store.plan().save_plan_item(&u.viewer, &id, item).await.map(|_| ())
        }
        Err((field, message)) => Err(StoreError::Invalid { field, message }),
    };
    match result {
        // A failed add shows the form again on its own page, as typed, with
        // each error next to its field.
        Err(e @ (StoreError::Invalid { .. } | StoreError::Conflict(_)))
            if crate::plan_item::has_form(&section) && field(&f, "id").is_empty() =>
        {
            crate::plan_item::add_again(&state, &u, &id, &section, &f, e).await
        }
        result => after_change(&state, &u, &id, &anchor, result).await,
    }
}

pub async fn page_remove(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, section, item_id)): Path<(String, String, String)>,
    Form(f): Form<Fields>,
) -> Response {
    if let Err(r) = form_csrf(&u, &f) {
        return r;
    }
    let result = state.store.plan().remove_plan_item(&u.viewer, &id, &section, &item_id).await;
    after_change(&state, &u, &id, &format!("#{}", section.replace('_', "-")), result).await
}

/// Attaches a photograph or site plan to a reconnaissance visit (multipart form).
pub async fn page_attach(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, visit_id)): Path<(String, String)>,
    mut multipart: axum::extract::Multipart,
) -> Response {
    let mut csrf = String::new();
    let mut file: Option<(String, String, Vec<u8>)> = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(part)) => {
                let name = part.name().unwrap_or("").to_string();
                if name == "csrf_token" {
                    csrf = part.text().await.unwrap_or_default();
                } else if name == "file" {
                    let filename = part.file_name().unwrap_or("attachment").to_string();
                    let ct = part.content_type().unwrap_or("application/octet-stream").to_string();
                    match part.bytes().await {
                        Ok(b) => file = Some((filename, ct, b.to_vec())),
                        Err(_) => {
                            return after_change(
                                &state,
                                &u,
                                &id,
                                "#recon-visit",
                                Err(StoreError::invalid("file", "the file is too large or did not arrive whole")),
                            )
                            .await
                        }
                    }
                }
            }
            Ok(None) => break,
            Err(_) => {
                return after_change(
                    &state,
                    &u,
                    &id,
                    "#recon-visit",
                    Err(StoreError::invalid("file", "the upload could not be read")),
                )
                .await
            }
        }
    }
    if let Err(r) = form_csrf(&u, &vec![("csrf_token".to_string(), csrf)]) {
        return r;
    }
    let Some((filename, ct, data)) = file.filter(|(_, _, d)| !d.is_empty()) else {
        return after_change(
            &state,
            &u,
            &id,
            "#recon-visit",
            Err(StoreError::invalid("file", "choose a file to attach")),
        )
        .await;
    };
    let result = async {
        let (sha, size) = state.store.plan().upload_attachment(&u.viewer, &id, &ct, &data).await?;
        let name: String = filename.chars().filter(|c| !c.is_control()).take(200).collect();
        let attachment =
            Attachment { id: new_item_id(), name, content_type: ct.clone(), size: size as u64, sha256: sha };
        // One store operation: two uploads at once both land.
        state.store.plan().attach_to_visit(&u.viewer, &id, &visit_id, attachment).await.map(|_| ())
    }
    .await;
    after_change(&state, &u, &id, "#recon-visit", result).await
}

pub async fn page_commanders(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    if let Err(r) = form_csrf(&u, &f) {
        return r;
    }
    let gold = field(&f, "gold_email");
    let silver = field(&f, "silver_email");
    let r = state.store.plan().set_commanders(&u.viewer, &id, Some(&gold), Some(&silver)).await.map(|_| ());
    after_change(&state, &u, &id, "#commanders", r).await
}

pub async fn page_issue(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    if let Err(r) = form_csrf(&u, &f) {
        return r;
    }
    match state.store.plan().issue_plan(&u.user, &u.viewer, &id, &field(&f, "reason")).await {
        Ok(v) => Redirect::to(&format!("/events/{id}/plan/versions/{}", v.number)).into_response(),
        Err(e) => after_change(&state, &u, &id, "", Err(e)).await,
    }
}

pub async fn page_copy(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    if let Err(r) = form_csrf(&u, &f) {
        return r;
    }
    let r = state.store.plan().copy_plan_from(&u.viewer, &id, &field(&f, "source_event_id")).await.map(|_| ());
    after_change(&state, &u, &id, "#readiness", r).await
}

#[derive(Template)]
#[template(path = "plan_version.html")]
struct VersionPage {
    layout: Layout,
    event: EventRecord,
    version: VersionSummary,
    pretty: String,
    is_gold: bool,
    issued_at: String,
}

pub async fn page_version(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, n)): Path<(String, i64)>,
) -> Response {
    // One policy-checked read: the view carries the event and its versions.
    let view = match state.store.plan().plan_view(&u.viewer, &id).await {
        Ok(v) => v,
        Err(StoreError::NotFound { .. }) => return crate::pages::not_found_for(Some(&u)),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let (body, _) = match state.store.plan().version_in(&view, n).await {
        Ok(x) => x,
        Err(StoreError::NotFound { .. }) => return crate::pages::not_found_for(Some(&u)),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let Some(version) = view.versions.iter().find(|v| v.number == n).cloned() else {
        return crate::pages::not_found_for(Some(&u));
    };
    let event = view.event.clone();
    let snapshot: Value = serde_json::from_str(&body).unwrap_or_default();
    let pretty = serde_json::to_string_pretty(&snapshot).unwrap_or_default();
    render(
        StatusCode::OK,
        &VersionPage {
            layout: Layout::for_user(format!("{}: version {n}", event.name), event.marking, "/events", Some(&u)),
            is_gold: event.gold_user_id.as_deref() == Some(u.user.id.as_str()),
            issued_at: display_stored(&version.issued_at),
            event,
            version,
            pretty,
        },
    )
}

pub async fn page_endorse(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, n)): Path<(String, i64)>,
    Form(f): Form<Fields>,
) -> Response {
    if let Err(r) = form_csrf(&u, &f) {
        return r;
    }
    match state.store.plan().endorse_plan(&u.user, &u.viewer, &id, n, &field(&f, "conditions")).await {
        Ok(_) => Redirect::to(&format!("/events/{id}/plan/versions/{n}")).into_response(),
        Err(e) => {
            let (status, msg) = match &e {
                StoreError::Forbidden(m) => (StatusCode::FORBIDDEN, m.clone()),
                StoreError::Conflict(m) => (StatusCode::CONFLICT, m.clone()),
                _ => return ApiError::from(e).into_response(),
            };
            message_page(status, "The version could not be endorsed", &msg, Some(&u))
        }
    }
}

#[derive(Deserialize)]
pub struct CompareQuery {
    a: Option<i64>,
    b: Option<i64>,
}

#[derive(Template)]
#[template(path = "plan_diff.html")]
struct DiffPage {
    layout: Layout,
    event: EventRecord,
    a: i64,
    b: i64,
    changes: Vec<Change>,
}

pub async fn page_compare(PageUser(u): PageUser, Path(id): Path<String>, Query(q): Query<CompareQuery>) -> Response {
    match (q.a, q.b) {
        (Some(a), Some(b)) => Redirect::to(&format!("/events/{id}/plan/versions/{a}/diff/{b}")).into_response(),
        _ => message_page(
            StatusCode::BAD_REQUEST,
            "Choose two versions",
            "Choose the two versions to compare.",
            Some(&u),
        ),
    }
}

pub async fn page_diff(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, a, b)): Path<(String, i64, i64)>,
) -> Response {
    let event = match state.store.events().event_for(&u.viewer, &id).await {
        Ok(e) => e,
        Err(_) => return crate::pages::not_found_for(Some(&u)),
    };
    match state.store.plan().plan_diff(&u.viewer, &id, a, b).await {
        Ok(changes) => render(
            StatusCode::OK,
            &DiffPage {
                layout: Layout::for_user(
                    format!("{}: version {a} and version {b}", event.name),
                    event.marking,
                    "/events",
                    Some(&u),
                ),
                event,
                a,
                b,
                changes,
            },
        ),
        Err(StoreError::NotFound { .. }) => crate::pages::not_found_for(Some(&u)),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// This capability's API operations.
pub fn api() -> crate::api::ApiRoutes {
    use axum::routing::get;
    crate::api::ApiRoutes::undocumented(
        utoipa_axum::router::OpenApiRouter::new()
            .route("/events/{id}/commanders", axum::routing::put(api_commanders))
            .route("/events/{id}/attachments", axum::routing::post(api_upload))
            .route("/events/{id}/attachments/{sha}", get(api_attachment))
            .route("/events/{id}/plan", get(api_get))
            .route("/events/{id}/plan/readiness", get(api_readiness))
            .route("/events/{id}/plan/coverage", get(api_coverage))
            .route("/events/{id}/plan/copy-from", axum::routing::post(api_copy))
            .route("/events/{id}/plan/versions", get(api_versions).post(api_issue))
            .route(
                "/events/{id}/plan/versions/{n}",
                get(api_version).put(api_version_immutable).patch(api_version_immutable).delete(api_version_immutable),
            )
            .route("/events/{id}/plan/versions/{n}/endorsement", axum::routing::post(api_endorse))
            .route("/events/{id}/plan/versions/{a}/diff/{b}", get(api_diff))
            .route("/events/{id}/plan/{section}", axum::routing::post(api_add_item).put(api_put_singleton))
            .route("/events/{id}/plan/{section}/{item_id}", axum::routing::put(api_put_item).delete(api_delete_item)),
    )
}
