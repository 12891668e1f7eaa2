//! The CT protective security plan: pages and API. The plan inherits its
//! event's marking and team; every path reads the event through the policy.

use crate::api::{
    ApiRoutes, BadRequest, Complete, Conflict, ErrorBody, Forbidden, NotFound, PayloadTooLarge, Unauthorised,
    Unprocessable, UnsupportedMediaType,
};
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
use axum::Json;
use cordon_domain::identity::EmailAddress;
use cordon_domain::ids::{EventId, UserId};
use cordon_domain::plan::*;
use cordon_domain::Marking;
use cordon_store::events::EventRecord;
use cordon_store::plan::{Endorsement, PlanView, VersionSummary};
use cordon_store::StoreError;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::Arc;
use utoipa::openapi::{schema::Schema, ObjectBuilder, RefOr, Type};
use utoipa::{IntoParams, PartialSchema, ToSchema};
use utoipa_axum::routes;

use crate::forms::{check_csrf as form_csrf, field, CheckedForm};
use crate::plan_form;

fn new_item_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The sections that hold one item each: written with PUT `.../plan/{section}`.
const SINGLETONS: &[&str] = &["tasking", "intent", "no_recon_reason"];

/// Builds an item from a JSON body: the body is the item's fields; the section
/// comes from the path. Unknown sections are 404; malformed bodies 400.
fn item_from_json(
    section: &str,
    item_id: Option<&str>,
    mut body: Value,
) -> Result<(PlanItem, Option<Marking>), ApiError> {
    if !SECTIONS.contains(&section) {
        return Err(ApiError::not_found(format!("no plan section {section:?}")).field("section"));
    }
    let obj = body.as_object_mut().ok_or_else(|| ApiError::bad_request("body", "send the item as a JSON object"))?;
    // The item's own marking (a threat assessment's is one of its fields).
    let marking = match if section == "threat_assessment" { obj.get("marking").cloned() } else { obj.remove("marking") }
    {
        None | Some(Value::Null) => None,
        Some(Value::String(m)) => Some(m.parse::<Marking>().map_err(|_| {
            ApiError::unprocessable("marking", "marking must be OFFICIAL, OFFICIAL-SENSITIVE or SECRET")
        })?),
        Some(_) => return Err(ApiError::bad_request("marking", "marking must be a string")),
    };
    obj.insert("section".into(), json!(section));
    let key = if section == "risk_assessment" { "methodology" } else { "id" };
    match item_id {
        Some(id) => {
            obj.insert(key.into(), json!(id));
        }
        None if !obj.contains_key(key) && !SINGLETONS.contains(&section) => {
            obj.insert(key.into(), json!(new_item_id()));
        }
        None => {}
    }
    let item = serde_json::from_value::<PlanItem>(body).map_err(|e| {
        let msg = e.to_string();
        let field = msg.strip_prefix("missing field `").and_then(|s| s.split('`').next()).unwrap_or("body").to_string();
        ApiError::bad_request(&field, format!("the item could not be read: {msg}"))
    })?;
    Ok((item, marking))
}

// ----- API: what it takes and answers ----------------------------------------

/// A section of the plan, as named in paths: every section of [`SECTIONS`].
pub struct Section;

impl PartialSchema for Section {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(SECTIONS.iter().copied()))
            .description(Some("A section of the plan"))
            .into()
    }
}

impl ToSchema for Section {}

/// A section that holds one item: tasking, intent, or why there was no
/// reconnaissance visit.
pub struct SingletonSection;

impl PartialSchema for SingletonSection {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(SINGLETONS.iter().copied()))
            .description(Some("A section of the plan that holds one item"))
            .into()
    }
}

impl ToSchema for SingletonSection {}

/// An event, by id.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct EventPath {
    /// The event's id.
    id: EventId,
}

/// A section of an event's plan (any section, for adding an item).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SectionPath {
    /// The event's id.
    id: EventId,
    /// The section the item belongs to; a section that does not exist is 404.
    #[param(value_type = Section, inline)]
    section: String,
}

/// A section of an event's plan that holds one item.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SingletonPath {
    /// The event's id.
    id: EventId,
    /// The section; only these sections are written at this address (others
    /// answer 405: write their items at `.../plan/{section}/{item_id}`).
    #[param(value_type = SingletonSection, inline)]
    section: String,
}

/// One item of an event's plan.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ItemPath {
    /// The event's id.
    id: EventId,
    /// The section the item belongs to.
    #[param(value_type = Section, inline)]
    section: String,
    /// The item's id: a risk assessment's is its methodology's id; an item of
    /// a section that holds one (tasking, intent, no_recon_reason) has the
    /// section's name as its id.
    item_id: String,
}

/// An issued version of an event's plan.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct VersionPath {
    /// The event's id.
    id: EventId,
    /// The version's number, from 1; anything else is 400.
    #[param(value_type = i64, minimum = 1)]
    n: String,
}

/// Two issued versions of an event's plan.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DiffPath {
    /// The event's id.
    id: EventId,
    /// The earlier version's number, from 1; anything else is 400.
    #[param(value_type = i64, minimum = 1)]
    a: String,
    /// The later version's number, from 1; anything else is 400.
    #[param(value_type = i64, minimum = 1)]
    b: String,
}

/// An attachment of an event's plan, by the SHA-256 hash of its bytes.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AttachmentPath {
    /// The event's id.
    id: EventId,
    /// The SHA-256 hash of the file, in lower-case hexadecimal, as the upload
    /// answered it; a file no visit of this plan cites is 404.
    #[param(value_type = String, pattern = "^[0-9a-f]{64}$")]
    sha: String,
}

/// An item's fields, as sent to `.../plan/{section}` and
/// `.../plan/{section}/{item_id}`: those of the path's section, without
/// `section` (the path gives it). The item's `id` (a risk assessment's
/// `methodology`) may be left out: adding an item makes one, and
/// `.../{item_id}` takes it from the path.
///
/// Only describes the document: the handlers read the body as the fields of
/// the path's section, never by trying each shape in turn.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum PlanItemFields {
    Tasking(Tasking),
    Intent(Intent),
    ThreatAssessment(ThreatAssessment),
    OperationalFactor(OperationalFactor),
    ReconVisit(ReconVisit),
    NoReconReason(NoReconReasonFields),
    RiskAssessment(RiskAssessment),
    Vulnerability(Vulnerability),
    Power(Power),
    Measure(Measure),
    Contingency(Contingency),
    Recommendation(Recommendation),
    Review(Review),
    TacticalPlan(TacticalPlan),
    Stakeholder(Stakeholder),
    Liaison(Liaison),
    Meeting(Meeting),
}

/// Why no reconnaissance visit is recorded (section `no_recon_reason`).
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct NoReconReasonFields {
    reason: String,
}

/// The plan as the API answers it: the draft, the ratings of every
/// methodology, readiness to issue and coverage.
#[derive(Serialize, ToSchema)]
pub struct PlanOverview<'a> {
    event_id: &'a str,
    /// The event's marking: every item's lowest (an item may be marked higher:
    /// `plan.markings`).
    marking: Marking,
    /// The highest marking of what this answer holds.
    marking_shown: Marking,
    /// How many items are withheld from the caller (marked above what they may read).
    withheld: usize,
    plan: &'a Plan,
    /// One row per methodology of the catalogue.
    risks: &'a [RiskRow],
    readiness: PlanReadiness<'a>,
    /// One row per applicable methodology.
    coverage: &'a [CoverageRow],
}

/// Whether the plan may be issued: `ready` when no rule is broken, otherwise
/// every rule not met with where to fix it.
#[derive(Serialize, ToSchema)]
pub struct PlanReadiness<'a> {
    ready: bool,
    problems: &'a [Problem],
}

/// An issued version, as listed.
#[derive(Serialize, ToSchema)]
pub struct PlanVersion {
    #[schema(minimum = 1)]
    number: i64,
    #[schema(format = DateTime)]
    issued_at: String,
    /// The name of who issued it.
    issued_by: String,
    reason: String,
    /// The SHA-256 hash of the version's body, in lower-case hexadecimal (as
    /// the `X-Content-SHA256` header of `GET .../plan/versions/{n}`).
    #[schema(pattern = "^[0-9a-f]{64}$")]
    hash: String,
    /// The strategic commander's endorsement; null until endorsed.
    endorsement: Option<PlanEndorsement>,
}

/// The endorsement of an issued version by the event's strategic commander (Gold).
#[derive(Serialize, ToSchema)]
pub struct PlanEndorsement {
    /// The name of who endorsed it.
    endorsed_by: String,
    #[schema(format = DateTime)]
    endorsed_at: String,
    /// Conditions attached to the endorsement; empty if none.
    conditions: String,
}

impl From<&Endorsement> for PlanEndorsement {
    fn from(e: &Endorsement) -> Self {
        PlanEndorsement {
            endorsed_by: e.endorsed_by.clone(),
            endorsed_at: e.endorsed_at.clone(),
            conditions: e.conditions.clone(),
        }
    }
}

impl From<&VersionSummary> for PlanVersion {
    fn from(v: &VersionSummary) -> Self {
        PlanVersion {
            number: v.number,
            issued_at: v.issued_at.clone(),
            issued_by: v.issued_by.clone(),
            reason: v.reason.clone(),
            hash: v.hash.clone(),
            endorsement: v.endorsement.as_ref().map(PlanEndorsement::from),
        }
    }
}

/// An issued version exactly as issued: canonical JSON (keys sorted, no
/// spaces) whose SHA-256 hash is the version's `hash`.
///
/// Only describes the document: the body served is the stored text, byte for byte.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct VersionSnapshot {
    /// The version's number.
    #[schema(minimum = 1)]
    version: i64,
    /// Why it was issued.
    reason: String,
    #[schema(inline)]
    issued_by: SnapshotIssuer,
    /// The event's marking when issued.
    marking: Marking,
    #[schema(inline)]
    event: SnapshotEvent,
    #[schema(inline)]
    risk_matrix: SnapshotMatrix,
    /// The draft as issued.
    plan: Plan,
    /// One row per methodology of the catalogue, as rated when issued.
    risks: Vec<RiskRow>,
}

/// Who issued a version.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct SnapshotIssuer {
    /// The user's id.
    id: String,
    name: String,
}

/// The event as it was when a version was issued.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct SnapshotEvent {
    id: String,
    name: String,
    /// The kind of event, such as `sporting` or `protest`.
    kind: String,
    #[schema(format = DateTime)]
    starts_at: String,
    #[schema(format = DateTime)]
    ends_at: String,
    #[schema(inline)]
    venues: Vec<SnapshotVenue>,
    expected_attendance: i64,
    /// The name of the organisation that owns the event.
    organisation: String,
    /// The strategic commander (Gold), a user id.
    gold_user_id: Option<UserId>,
    /// The tactical commander (Silver), a user id.
    silver_user_id: Option<UserId>,
}

/// A venue of the event.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct SnapshotVenue {
    name: String,
    address: String,
}

/// The risk matrix a version was rated against.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct SnapshotMatrix {
    name: String,
    /// The lowest band that needs treatment.
    tolerance: String,
}

/// The differences between two issued versions, field by field.
#[derive(Serialize, ToSchema)]
pub struct PlanDiff {
    /// The first version's number.
    #[schema(minimum = 1)]
    from: i64,
    /// The second version's number.
    #[schema(minimum = 1)]
    to: i64,
    changes: Vec<Change>,
    /// How many changes there are.
    total: usize,
}

/// Why a version is issued.
#[derive(Deserialize, ToSchema)]
pub struct IssueBody {
    /// Why this version is being issued (required).
    #[schema(min_length = 1)]
    reason: String,
}

/// The strategic commander's endorsement of an issued version.
#[derive(Deserialize, ToSchema)]
pub struct EndorseBody {
    /// Conditions attached to the endorsement (optional).
    #[serde(default)]
    conditions: String,
}

/// The event's strategic (Gold) and tactical (Silver) commanders, by e-mail
/// address; absent or empty clears the role.
#[derive(Deserialize, ToSchema)]
pub struct CommandersBody {
    /// Must be an active strategic commander.
    #[schema(format = Email)]
    gold_email: Option<String>,
    #[schema(format = Email)]
    silver_email: Option<String>,
}

/// The event's commanders as set.
#[derive(Serialize, ToSchema)]
pub struct CommandersSet {
    /// The event's id.
    id: EventId,
    /// The strategic commander (Gold), a user id.
    gold_user_id: Option<UserId>,
    /// The tactical commander (Silver), a user id.
    silver_user_id: Option<UserId>,
}

/// The event to copy the plan from.
#[derive(Deserialize, ToSchema)]
pub struct CopyBody {
    /// An event whose plan the caller may see.
    source_event_id: EventId,
}

/// The plan as copied.
#[derive(Serialize, ToSchema)]
pub struct PlanCopied {
    /// How many items were copied; assessments and ratings are marked for review.
    copied_items: usize,
}

/// An uploaded file, stored by its hash: cite it in a reconnaissance visit's
/// `attachments` to keep it.
#[derive(Serialize, ToSchema)]
pub struct AttachmentUploaded {
    /// The SHA-256 hash of the file, in lower-case hexadecimal.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    sha256: String,
    /// Its size in bytes.
    size: usize,
    /// The Content-Type it was sent with.
    content_type: String,
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
    let etag = (header::ETAG, HeaderValue::from_str(&etag(view.plan_seq)).expect("an ETag is ASCII"));
    if crate::gzip::accepted(headers) {
        let gz: Arc<Bytes> = view.memo(&format!("{key}.gz"), |_| Ok::<_, ApiError>(gzip_whole(&plain)))?;
        let enc = (header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        return Ok(([json, vary, enc, etag], (*gz).clone()).into_response());
    }
    Ok(([json, vary, etag], (*plain).clone()).into_response())
}

/// The plan's entity tag: the last journal entry of its stream. A change sent
/// with `If-Match` set to it is refused as stale (409) if anyone has changed
/// the plan since.
fn etag(plan_seq: i64) -> String {
    format!("\"plan-{plan_seq}\"")
}

/// `If-Match`: the plan's ETag as last read, so that a change cannot
/// overwrite one made meanwhile by someone else.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)] // describes the header in the document; `expected` reads it
pub struct IfMatch {
    /// The `ETag` of `GET /events/{id}/plan` (such as `"plan-42"`). Without it
    /// the change is made whatever has changed since.
    #[param(rename = "If-Match", value_type = String, required = false, pattern = r#"^(W/)?"plan-[0-9]+"$"#)]
    pub if_match: Option<String>,
}

/// The plan stream's sequence number a change expects, from `If-Match`.
fn expected(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else { return Ok(None) };
    let text = value.to_str().unwrap_or("").trim();
    let text = text.strip_prefix("W/").unwrap_or(text);
    text.strip_prefix("\"plan-")
        .and_then(|t| t.strip_suffix('"'))
        .and_then(|n| n.parse::<i64>().ok())
        .filter(|n| *n >= 0)
        .map(Some)
        // A tag that is not one of the plan's matches no state of it: the
        // precondition fails as for a stale one (RFC 9110 §13.1.1).
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::CONFLICT,
                "stale",
                "If-Match is not the plan's current ETag (such as \"plan-42\", from GET .../plan): read the plan again, then make the change",
            )
            .field("If-Match")
        })
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

/// The draft plan, with risk ratings, readiness and coverage.
#[utoipa::path(get, path = "/events/{id}/plan", tag = "plan",
    params(EventPath),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The plan (gzip-encoded when the client accepts it)", body = PlanOverview,
            headers(("ETag" = String, description = "The plan's state: send it back as If-Match with a change so that it cannot overwrite someone else's"))),
        BadRequest, Unauthorised, Forbidden, NotFound,
    ))]
pub async fn api_get(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<EventPath>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let view = state.store.plan().plan_view(&u.viewer, &p.id).await?;
    kept_json(&view, "json", &headers, |v| {
        json_bytes(&PlanOverview {
            event_id: &v.event.id,
            marking: v.event.marking,
            marking_shown: v.marking_shown,
            withheld: v.withheld,
            plan: &v.plan,
            risks: &v.risks,
            readiness: PlanReadiness { ready: v.problems.is_empty(), problems: &v.problems },
            coverage: &v.coverage,
        })
    })
}

/// Whether the plan may be issued, and every rule not met.
#[utoipa::path(get, path = "/events/{id}/plan/readiness", tag = "plan",
    params(EventPath),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "Readiness to issue", body = PlanReadiness),
        BadRequest, Unauthorised, Forbidden, NotFound,
    ))]
pub async fn api_readiness(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<EventPath>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let view = state.store.plan().plan_view(&u.viewer, &p.id).await?;
    kept_json(&view, "readiness", &headers, |v| {
        json_bytes(&PlanReadiness { ready: v.problems.is_empty(), problems: &v.problems })
    })
}

/// How each applicable risk is covered by accepted measures and tactical plans.
#[utoipa::path(get, path = "/events/{id}/plan/coverage", tag = "plan",
    params(EventPath),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "One row per applicable methodology (complete, never paginated)",
            body = Complete<CoverageRow>),
        BadRequest, Unauthorised, Forbidden, NotFound,
    ))]
pub async fn api_coverage(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<EventPath>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let view = state.store.plan().plan_view(&u.viewer, &p.id).await?;
    kept_json(&view, "coverage", &headers, |v| json_bytes(&Complete::new(v.coverage.clone())))
}

/// Add an item to a section of the draft (a section that holds one item: set it).
#[utoipa::path(post, path = "/events/{id}/plan/{section}", tag = "plan",
    params(SectionPath, IfMatch),
    request_body(content = PlanItemFields, description = "The item's fields, those of the path's section, and optionally its own `marking` (OFFICIAL, OFFICIAL-SENSITIVE or SECRET; at or above the event's, which is the default)"),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "The item as recorded, with its id and section", body = PlanItem),
        BadRequest, Unauthorised, Forbidden, NotFound, Conflict, UnsupportedMediaType, Unprocessable, PayloadTooLarge,
    ))]
pub async fn api_add_item(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<SectionPath>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> Result<(StatusCode, Json<PlanItem>), ApiError> {
    let expected = expected(&headers)?;
    let (item, marking) = item_from_json(&p.section, None, body)?;
    Ok((
        StatusCode::CREATED,
        Json(state.store.plan().save_plan_item_expecting(&u.viewer, &p.id, item, marking, expected).await?),
    ))
}

/// Set the tasking, the intent, or why there was no reconnaissance visit.
#[utoipa::path(put, path = "/events/{id}/plan/{section}", tag = "plan",
    params(SingletonPath, IfMatch),
    request_body(content = PlanItemFields, description = "The fields of the path's section: `Tasking`, `Intent` or `NoReconReasonFields`"),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The item as recorded", body = PlanItem),
        BadRequest, Unauthorised, Forbidden, NotFound,
        (status = 405, description = "The section holds many items: PUT them at `.../plan/{section}/{item_id}`", body = ErrorBody),
        Conflict, UnsupportedMediaType, Unprocessable, PayloadTooLarge,
    ))]
pub async fn api_put_singleton(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<SingletonPath>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<PlanItem>, ApiError> {
    let expected = expected(&headers)?;
    if !SINGLETONS.contains(&p.section.as_str()) {
        return Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "PUT items at .../plan/{section}/{item_id}",
        ));
    }
    let (item, marking) = item_from_json(&p.section, None, body)?;
    Ok(Json(state.store.plan().save_plan_item_expecting(&u.viewer, &p.id, item, marking, expected).await?))
}

/// Add or replace an item of the draft, by id.
#[utoipa::path(put, path = "/events/{id}/plan/{section}/{item_id}", tag = "plan",
    params(ItemPath, IfMatch),
    request_body(content = PlanItemFields, description = "The item's fields, those of the path's section (the id comes from the path), and optionally its own `marking` (at or above the event's; when absent, the item keeps the marking it has)"),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The item as recorded", body = PlanItem),
        BadRequest, Unauthorised, Forbidden, NotFound, Conflict, UnsupportedMediaType, Unprocessable, PayloadTooLarge,
    ))]
pub async fn api_put_item(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<ItemPath>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<PlanItem>, ApiError> {
    let expected = expected(&headers)?;
    let (item, marking) = item_from_json(&p.section, Some(&p.item_id), body)?;
    Ok(Json(state.store.plan().save_plan_item_expecting(&u.viewer, &p.id, item, marking, expected).await?))
}

/// Remove an item of the draft. Refused (409) while other items link to it
/// (a measure to a vulnerability, risk or tactical plan; a contingency to a
/// risk): unlink it first.
#[utoipa::path(delete, path = "/events/{id}/plan/{section}/{item_id}", tag = "plan",
    params(ItemPath, IfMatch),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 204, description = "Removed"),
        BadRequest, Unauthorised, Forbidden, NotFound, Conflict,
    ))]
pub async fn api_delete_item(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<ItemPath>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let expected = expected(&headers)?;
    state.store.plan().remove_plan_item_expecting(&u.viewer, &p.id, &p.section, &p.item_id, "", expected).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Issue the draft as the next numbered, hashed, immutable version. A plan
/// that is not ready is 422 with `code` `not_ready` and `problems` listing
/// every rule not met; a version issued by someone else at the same moment is 409.
#[utoipa::path(post, path = "/events/{id}/plan/versions", tag = "plan",
    params(EventPath),
    request_body = IssueBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "Issued", body = PlanVersion),
        BadRequest, Unauthorised, Forbidden, NotFound, Conflict, UnsupportedMediaType, Unprocessable, PayloadTooLarge,
    ))]
pub async fn api_issue(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<EventPath>,
    JsonBody(b): JsonBody<IssueBody>,
) -> Result<(StatusCode, Json<PlanVersion>), ApiError> {
    let v = state.store.plan().issue_plan(&u.user, &u.viewer, &p.id, &b.reason).await?;
    Ok((StatusCode::CREATED, Json(PlanVersion::from(&v))))
}

/// The issued versions, oldest first.
#[utoipa::path(get, path = "/events/{id}/plan/versions", tag = "plan",
    params(EventPath),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "Every issued version (complete, never paginated)", body = Complete<PlanVersion>),
        BadRequest, Unauthorised, Forbidden, NotFound,
    ))]
pub async fn api_versions(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<EventPath>,
) -> Result<Json<Complete<PlanVersion>>, ApiError> {
    let vs = state.store.plan().plan_versions(&u.viewer, &p.id).await?;
    Ok(Json(Complete::new(vs.iter().map(PlanVersion::from).collect())))
}

pub(crate) fn parse_number(s: &str, field: &str) -> Result<i64, ApiError> {
    s.parse::<i64>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| ApiError::bad_request(field, format!("{field} must be a version number")))
}

/// An issued version exactly as issued, byte for byte; or, for a caller who
/// may not read every item of it, redacted.
#[utoipa::path(get, path = "/events/{id}/plan/versions/{n}", tag = "plan",
    params(VersionPath),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The version's canonical JSON, exactly as stored when issued. For a caller who may not read every item: the items marked above what they may read removed, `\"redacted\": true`, `withheld` (how many), and no `X-Content-SHA256`", body = VersionSnapshot,
            headers(("X-Content-SHA256" = String, description = "The SHA-256 hash of the body, in lower-case hexadecimal: the version's `hash` (only when the body is whole)"))),
        BadRequest, Unauthorised, Forbidden, NotFound,
    ))]
pub async fn api_version(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<VersionPath>,
) -> Result<Response, ApiError> {
    let n = parse_number(&p.n, "number")?;
    let (body, hash) = state.store.plan().plan_version(&u.viewer, &p.id, n).await?;
    let mut res = body.into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Some(hash) = hash {
        res.headers_mut().insert("x-content-sha256", HeaderValue::from_str(&hash).map_err(|_| ApiError::internal())?);
    }
    Ok(res)
}

/// Issued versions never change: any attempt is a conflict.
/// A change to an issued version: 404 for a version the caller may not see or
/// that does not exist (as for any record), otherwise 409: issued versions never change.
async fn version_immutable(state: &AppState, u: &crate::auth::CurrentUser, p: &VersionPath) -> ApiError {
    let n = match parse_number(&p.n, "n") {
        Ok(n) => n,
        Err(e) => return e,
    };
    if let Err(e) = state.store.plan().plan_version(&u.viewer, &p.id, n).await {
        return e.into();
    }
    ApiError::new(
        StatusCode::CONFLICT,
        "conflict",
        "issued versions never change; change the draft and issue a new version",
    )
}

/// Replace an issued version: never allowed (issued versions never change).
#[utoipa::path(put, path = "/events/{id}/plan/versions/{n}", tag = "plan",
    params(VersionPath),
    security(("bearer" = []), ("session" = [])),
    responses(
        BadRequest, Unauthorised, Forbidden, NotFound, Conflict,
    ))]
pub async fn api_version_put(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<VersionPath>,
) -> ApiError {
    version_immutable(&state, &u, &p).await
}

/// Change an issued version: never allowed (issued versions never change).
#[utoipa::path(patch, path = "/events/{id}/plan/versions/{n}", tag = "plan",
    params(VersionPath),
    security(("bearer" = []), ("session" = [])),
    responses(
        BadRequest, Unauthorised, Forbidden, NotFound, Conflict,
    ))]
pub async fn api_version_patch(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<VersionPath>,
) -> ApiError {
    version_immutable(&state, &u, &p).await
}

/// Delete an issued version: never allowed (issued versions never change).
#[utoipa::path(delete, path = "/events/{id}/plan/versions/{n}", tag = "plan",
    params(VersionPath),
    security(("bearer" = []), ("session" = [])),
    responses(
        BadRequest, Unauthorised, Forbidden, NotFound, Conflict,
    ))]
pub async fn api_version_delete(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<VersionPath>,
) -> ApiError {
    version_immutable(&state, &u, &p).await
}

/// The differences between two issued versions, field by field.
#[utoipa::path(get, path = "/events/{id}/plan/versions/{a}/diff/{b}", tag = "plan",
    params(DiffPath),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "What changed from version `a` to version `b`", body = PlanDiff),
        BadRequest, Unauthorised, Forbidden, NotFound,
    ))]
pub async fn api_diff(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<DiffPath>,
) -> Result<Json<PlanDiff>, ApiError> {
    let (a, b) = (parse_number(&p.a, "a")?, parse_number(&p.b, "b")?);
    let changes = state.store.plan().plan_diff(&u.viewer, &p.id, a, b).await?.changes;
    let total = changes.len();
    Ok(Json(PlanDiff { from: a, to: b, changes, total }))
}

/// Endorse an issued version. Only the event's strategic commander (Gold)
/// may (403 for anyone else); a version is endorsed once (409 after).
#[utoipa::path(post, path = "/events/{id}/plan/versions/{n}/endorsement", tag = "plan",
    params(VersionPath),
    request_body = EndorseBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "Endorsed: the version with its endorsement", body = PlanVersion),
        BadRequest, Unauthorised, Forbidden, NotFound, Conflict, UnsupportedMediaType, Unprocessable, PayloadTooLarge,
    ))]
pub async fn api_endorse(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<VersionPath>,
    JsonBody(b): JsonBody<EndorseBody>,
) -> Result<(StatusCode, Json<PlanVersion>), ApiError> {
    let n = parse_number(&p.n, "number")?;
    let v = state.store.plan().endorse_plan(&u.user, &u.viewer, &p.id, n, &b.conditions).await?;
    Ok((StatusCode::CREATED, Json(PlanVersion::from(&v))))
}

/// Set the event's strategic (Gold) and tactical (Silver) commanders; both join its team.
#[utoipa::path(put, path = "/events/{id}/commanders", tag = "plan",
    params(EventPath),
    request_body = CommandersBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The commanders as set", body = CommandersSet),
        BadRequest, Unauthorised, Forbidden, NotFound, UnsupportedMediaType, Unprocessable, PayloadTooLarge,
    ))]
pub async fn api_commanders(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<EventPath>,
    JsonBody(b): JsonBody<CommandersBody>,
) -> Result<Json<CommandersSet>, ApiError> {
    let gold =
        EmailAddress::parse_optional(b.gold_email.as_deref()).map_err(|m| ApiError::unprocessable("gold_email", m))?;
    let silver = EmailAddress::parse_optional(b.silver_email.as_deref())
        .map_err(|m| ApiError::unprocessable("silver_email", m))?;
    let e = state.store.plan().set_commanders(&u.viewer, &p.id, gold.as_ref(), silver.as_ref()).await?;
    Ok(Json(CommandersSet { id: e.id, gold_user_id: e.gold_user_id, silver_user_id: e.silver_user_id }))
}

/// Start this event's plan from another event's that the caller may see;
/// assessments and ratings copied are marked for review. Only into an empty
/// plan (409 otherwise).
#[utoipa::path(post, path = "/events/{id}/plan/copy-from", tag = "plan",
    params(EventPath),
    request_body = CopyBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "Copied", body = PlanCopied),
        BadRequest, Unauthorised, Forbidden, NotFound, Conflict, UnsupportedMediaType, Unprocessable, PayloadTooLarge,
    ))]
pub async fn api_copy(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<EventPath>,
    JsonBody(b): JsonBody<CopyBody>,
) -> Result<(StatusCode, Json<PlanCopied>), ApiError> {
    let n = state.store.plan().copy_plan_from(&u.viewer, &p.id, &b.source_event_id).await?;
    Ok((StatusCode::CREATED, Json(PlanCopied { copied_items: n })))
}

/// Upload a photograph or site plan: the raw file, with its Content-Type. A
/// Content-Type other than `image/png`, `image/jpeg` or `application/pdf` is
/// 415; a file that is empty, over 10 MB, or whose bytes are not what its
/// Content-Type says is 422 naming `file`.
#[utoipa::path(post, path = "/events/{id}/attachments", tag = "plan",
    params(EventPath),
    request_body(description = "The file's bytes (up to 10 MB); they must be what the Content-Type says",
        content(("image/png"), ("image/jpeg"), ("application/pdf"))),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "Stored", body = AttachmentUploaded),
        BadRequest, Unauthorised, Forbidden, NotFound, PayloadTooLarge, UnsupportedMediaType, Unprocessable,
    ))]
pub async fn api_upload(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<EventPath>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<AttachmentUploaded>), ApiError> {
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let base = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if !cordon_store::plan::ATTACHMENT_TYPES.contains(&base.as_str()) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send a photograph or site plan with Content-Type image/jpeg, image/png or application/pdf",
        )
        .field("file"));
    }
    let (sha, size) = state.store.plan().upload_attachment(&u.viewer, &p.id, ct, &body).await?;
    Ok((StatusCode::CREATED, Json(AttachmentUploaded { sha256: sha, size, content_type: ct.to_string() })))
}

/// A file cited by a reconnaissance visit of the plan.
#[utoipa::path(get, path = "/events/{id}/attachments/{sha}", tag = "plan",
    params(AttachmentPath),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The file's bytes, as uploaded (Content-Disposition: attachment)",
            content(("image/png"), ("image/jpeg"), ("application/pdf"))),
        BadRequest, Unauthorised, Forbidden, NotFound,
    ))]
pub async fn api_attachment(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<AttachmentPath>,
) -> Result<Response, ApiError> {
    let (ct, data) = state.store.plan().attachment(&u.viewer, &p.id, &p.sha).await?;
    let mut res = data.into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_str(&ct).map_err(|_| ApiError::internal())?);
    res.headers_mut().insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment"));
    Ok(res)
}

// ----- pages -----------------------------------------------------------------

pub struct RiskView {
    pub id: String,
    pub name: String,
    pub assessed: bool,
    pub inherent: String,
    pub residual: String,
    pub treated: String,
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
    tolerance: &'a str,
    gold_name: &'a str,
    silver_name: &'a str,
    /// The appointed security coordinator (SECO), if one stands.
    seco_name: Option<&'a str>,
    /// What went wrong, one line each.
    errors: Vec<String>,
    can_change: bool,
    can_issue: bool,
    /// Whether the viewer may read the event's audit trail (the link to it).
    can_audit: bool,
    copy_sources: Vec<(String, String)>,
    /// How many items are marked above what the viewer may read.
    withheld: usize,
}

/// A page around content rendered on its own.
#[derive(Template)]
#[template(path = "shell.html")]
struct Shell<'a> {
    layout: Layout,
    /// What the viewer's last change did, in words ("Added a measure.").
    notice: Option<String>,
    body: &'a str,
}

/// What the plan page was sent back to after a change: `?added=`, `?changed=`
/// or `?removed=` naming the section.
#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    added: Option<String>,
    changed: Option<String>,
    removed: Option<String>,
}

impl DoneQuery {
    /// The notice in words; none for a section that does not exist, so the
    /// address cannot put words of its own on the page.
    fn notice(&self) -> Option<String> {
        let noun = |section: &str| plan_form::form(section).map(|f| f.noun);
        let bare = |n: &str| n.trim_start_matches("a ").trim_start_matches("an ").to_string();
        if let Some(n) = self.added.as_deref().and_then(noun) {
            return Some(match n.strip_prefix("the ") {
                Some(_) => format!("{} saved.", plan_form::capitalised(n)),
                None if n == "an assessment" => "The assessment was saved.".into(),
                None => format!("Added {n}."),
            });
        }
        if let Some(n) = self.changed.as_deref().and_then(noun) {
            return Some(format!("Your changes to the {} were saved.", bare(n)));
        }
        self.removed.as_deref().and_then(noun).map(|n| format!("The {} was removed from the draft.", bare(n)))
    }
}

impl PlanBody<'_> {
    /// An item's own marking, when it is above the event's; empty otherwise.
    fn tag(&self, section: &str, id: &str) -> String {
        match self.plan.markings.get(&Plan::marking_key(section, id)) {
            Some(m) if *m > self.event.marking => m.to_string(),
            _ => String::new(),
        }
    }

    /// A date of the plan (YYYY-MM-DD) as the UK writes it: "26 April 2027".
    fn uk_date(&self, d: &str) -> String {
        crate::plan_form::uk_date(d)
    }
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
        r.priority.words()
    }
    fn anchor(&self, path: &str) -> String {
        let section = path.trim_start_matches("/plan/").split('/').next().unwrap_or("");
        let singular = match section {
            "risk_assessments" => return format!("#risk-{}", path.rsplit('/').next().unwrap_or("")),
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
            RiskView {
                id: r.methodology.clone(),
                name: r.name.clone(),
                assessed: a.is_some(),
                inherent: if r.applicable == Some(false) { "Not applicable".into() } else { rating_text(&r.inherent) },
                residual: if r.applicable == Some(false) { "Not applicable".into() } else { rating_text(&r.residual) },
                treated: format!("{} accepted", r.accepted_measures),
                flagged: a.is_some_and(|a| a.needs_review),
                declined: r.declined_for_resources.clone(),
            }
        })
        .collect()
}

/// The plan's content for one viewer's permissions, with `csrf` in its
/// buttons, and the problems of a change the plan page refused.
#[allow(clippy::too_many_arguments)]
fn plan_body(
    view: &PlanView,
    csrf: &str,
    can_change: bool,
    can_issue: bool,
    can_audit: bool,
    errors: FormErrors,
    copy_sources: Vec<(String, String)>,
) -> Result<String, askama::Error> {
    let lines = errors.0.iter().map(|(f, m)| plan_form::summary_line(None, f, m)).collect();
    PlanBody {
        csrf,
        event: &view.event,
        plan: &view.plan,
        risks: risk_views(view),
        problems: &view.problems,
        coverage: &view.coverage,
        versions: &view.versions,
        tolerance: &view.matrix.tolerance,
        gold_name: view.gold_label.as_deref().unwrap_or("Not set"),
        silver_name: view.silver_label.as_deref().unwrap_or("Not set"),
        seco_name: view.seco_label.as_deref(),
        errors: lines,
        can_change,
        can_issue,
        can_audit,
        copy_sources,
        withheld: view.withheld,
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
    id: &EventId,
    status: StatusCode,
    errors: FormErrors,
    gzip: bool,
    notice: Option<String>,
) -> Response {
    let view = match state.store.plan().plan_view(&u.viewer, id).await {
        Ok(v) => v,
        Err(StoreError::NotFound { .. }) => return crate::pages::not_found_for(Some(u)),
        Err(e) => return ApiError::from(e).into_response(),
    };
    // A closed event's plan is read-only: no change links, no forms.
    let open = !view.event.status.is_closed();
    let can_change = open && u.viewer.may(cordon_domain::plan::CHANGE);
    let can_issue = open && u.viewer.may(cordon_domain::plan::ISSUE);
    let can_audit = state.store.audit().may_read_changes(&u.viewer, &view.event);
    let csrf = u.csrf();
    let layout = || Layout::for_user(format!("Plan: {}", view.event.name), view.marking_shown, "/events", Some(u));
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
                // Only sources whose marking this event can hold (finding 1).
                .map(|(es, _)| {
                    es.into_iter()
                        .filter(|e| e.id != view.event.id && e.marking <= view.event.marking)
                        .map(|e| (e.id.to_string(), e.name))
                        .collect()
                })
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        return match plan_body(&view, &csrf, can_change, can_issue, can_audit, errors, copy_sources) {
            Ok(body) => render(status, &Shell { layout: layout(), notice, body: &body }),
            Err(e) => failed(e),
        };
    }
    // The usual case: the content depends only on the view and the viewer's
    // permissions, so it is rendered (and compressed) once, with a
    // placeholder where each form's token goes, and the token filled in here.
    let key = format!("page:{can_change}:{can_issue}:{can_audit}");
    let kept = match view.memo(&key, |v| {
        plan_body(v, &markers().csrf, can_change, can_issue, can_audit, FormErrors::default(), Vec::new())
    }) {
        Ok(k) => k,
        Err(e) => return failed(e),
    };
    if !gzip {
        return render(status, &Shell { layout: layout(), notice, body: &kept.replace(&markers().csrf, &csrf) });
    }
    let pieces = match view
        .memo(&format!("{key}.gz"), |_| Ok::<_, askama::Error>(crate::gzip::Pieces::new(&kept, &markers().csrf)))
    {
        Ok(p) => p,
        Err(e) => return failed(e),
    };
    let frame = match (Shell { layout: layout(), notice, body: &markers().content }).render() {
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
    id: &EventId,
    anchor: &str,
    r: Result<(), StoreError>,
) -> Response {
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    match r {
        Ok(()) => Redirect::to(&format!("/events/{id}/plan{anchor}")).into_response(),
        Err(StoreError::NotFound { field: None, .. }) => crate::pages::not_found_for(Some(u)),
        Err(StoreError::RulesNotMet { problems, .. }) => {
            let errors = FormErrors(problems.into_iter().map(|p| ("readiness".to_string(), p.message)).collect());
            plan_page(state, u, id, unprocessable, errors, false, None).await
        }
        Err(e) => match FormErrors::from_store(e) {
            Ok(errors) => plan_page(state, u, id, unprocessable, errors, false, None).await,
            Err(r) => r,
        },
    }
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<EventId>,
    Query(done): Query<DoneQuery>,
    headers: HeaderMap,
) -> Response {
    let notice = done.notice();
    plan_page(&state, &u, &id, StatusCode::OK, FormErrors::default(), crate::gzip::accepted(&headers), notice).await
}

pub async fn page_save(
    State(state): State<AppState>,
    Path((id, section)): Path<(EventId, String)>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let anchor = match section.as_str() {
        "risk_assessment" => format!("#risk-{}", field(&f, "methodology")),
        _ => format!("#{}", section.replace('_', "-")),
    };
    let result = match plan_form::item_from_form(&section, &f, &u.user.name) {
        Ok(item) => match plan_form::posted_marking(&section, &f) {
            Ok(marking) => {
                state.store.plan().save_plan_item_expecting(&u.viewer, &id, item, marking, None).await.map(|_| ())
            }
            Err((field, message)) => Err(StoreError::Invalid { field, message }),
        },
        Err((field, message)) => Err(StoreError::Invalid { field, message }),
    };
    match result {
        // A refused save shows the section's page again, as typed, with each
        // error next to its field.
        Err(e @ (StoreError::Invalid { .. } | StoreError::Conflict(_))) if field(&f, "id").is_empty() => {
            crate::plan_item::add_again(&state, &u, &id, &section, &f, e).await
        }
        result => after_change(&state, &u, &id, &format!("?added={section}{anchor}"), result).await,
    }
}

pub async fn page_remove(
    State(state): State<AppState>,
    Path((id, section, item_id)): Path<(EventId, String, String)>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let reason = field(&f, "reason");
    if reason.trim().is_empty() {
        return crate::plan_item::remove_confirm(
            &state,
            &u,
            &id,
            &section,
            &item_id,
            Some("Enter why it is being removed"),
            &reason,
        )
        .await;
    }
    let result = state.store.plan().remove_plan_item(&u.viewer, &id, &section, &item_id, &reason).await;
    after_change(&state, &u, &id, &format!("?removed={section}#{}", section.replace('_', "-")), result).await
}

/// Attaches a photograph or site plan to a reconnaissance visit (multipart form).
pub async fn page_attach(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, visit_id)): Path<(EventId, String)>,
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
    if crate::text::holds_refused(&filename) {
        let message = "the file's name contains a character that cannot be accepted (an invisible control \
                       character, or one that changes the direction of text); rename the file and try again";
        return after_change(&state, &u, &id, "#recon-visit", Err(StoreError::invalid("file", message))).await;
    }
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
    Path(id): Path<EventId>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let r = async {
        let gold = EmailAddress::parse_optional(Some(&field(&f, "gold_email")))
            .map_err(|m| StoreError::invalid("gold_email", m))?;
        let silver = EmailAddress::parse_optional(Some(&field(&f, "silver_email")))
            .map_err(|m| StoreError::invalid("silver_email", m))?;
        state.store.plan().set_commanders(&u.viewer, &id, gold.as_ref(), silver.as_ref()).await.map(|_| ())
    }
    .await;
    after_change(&state, &u, &id, "#commanders", r).await
}

/// Asks before a version is issued: what issuing does, and the reason.
pub async fn page_issue_confirm(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<EventId>,
) -> Response {
    let view = match state.store.plan().plan_view(&u.viewer, &id).await {
        Ok(v) => v,
        Err(StoreError::NotFound { .. }) => return crate::pages::not_found_for(Some(&u)),
        Err(e) => return ApiError::from(e).into_response(),
    };
    if view.event.status.is_closed() || !u.viewer.may(cordon_domain::plan::ISSUE) {
        return crate::pages::not_found_for(Some(&u));
    }
    let n = view.versions.len() + 1;
    let (explanation, button) = if view.problems.is_empty() {
        (
            format!(
                "Version {n} is issued as the plan stands now: numbered, fingerprinted and never changed afterwards. Gold is told and asked to endorse it; until Gold endorses it the event is awaiting endorsement."
            ),
            format!("Issue version {n}"),
        )
    } else {
        (
            format!(
                "The plan is not ready to issue: {} {} to fix first. The list is under Readiness to issue on the plan.",
                view.problems.len(),
                if view.problems.len() == 1 { "thing" } else { "things" }
            ),
            String::new(),
        )
    };
    render(
        StatusCode::OK,
        &crate::events::ConfirmPage {
            layout: Layout::for_user(
                format!("Issue the plan: {}", view.event.name),
                view.marking_shown,
                "/events",
                Some(&u),
            ),
            heading: format!("Issue version {n} of the plan for {}?", view.event.name),
            explanation,
            action: format!("/events/{id}/plan/issue"),
            back: format!("/events/{id}/plan#readiness"),
            hidden: Vec::new(),
            warning: false,
            reason_label: if button.is_empty() { String::new() } else { "Reason for issuing this version".into() },
            reason_hint: "For example: first issue for Gold's endorsement, or what has changed since the last version."
                .into(),
            button,
            errors: FormErrors::default(),
            reason: String::new(),
        },
    )
}

pub async fn page_issue(
    State(state): State<AppState>,
    Path(id): Path<EventId>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    match state.store.plan().issue_plan(&u.user, &u.viewer, &id, &field(&f, "reason")).await {
        Ok(v) => Redirect::to(&format!("/events/{id}/plan/versions/{}", v.number)).into_response(),
        Err(e) => after_change(&state, &u, &id, "", Err(e)).await,
    }
}

pub async fn page_copy(
    State(state): State<AppState>,
    Path(id): Path<EventId>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let r = match EventId::parse(&field(&f, "source_event_id")) {
        Ok(source) => state.store.plan().copy_plan_from(&u.viewer, &id, &source).await.map(|_| ()),
        Err(_) => Err(StoreError::invalid("source_event_id", "Choose an event to copy from")),
    };
    after_change(&state, &u, &id, "#readiness", r).await
}

pub async fn page_endorse(
    State(state): State<AppState>,
    Path((id, n)): Path<(EventId, i64)>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
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

pub async fn page_compare(PageUser(u): PageUser, Path(id): Path<EventId>, Query(q): Query<CompareQuery>) -> Response {
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
    Path((id, a, b)): Path<(EventId, i64, i64)>,
) -> Response {
    match state.store.plan().plan_diff(&u.viewer, &id, a, b).await {
        // The banner shows the highest marking of the two versions as this viewer has them.
        Ok(d) => render(
            StatusCode::OK,
            &DiffPage {
                layout: Layout::for_user(
                    format!("{}: version {a} and version {b}", d.event.name),
                    d.marking_shown,
                    "/events",
                    Some(&u),
                ),
                event: d.event,
                a,
                b,
                changes: d.changes,
            },
        ),
        Err(StoreError::NotFound { .. }) => crate::pages::not_found_for(Some(&u)),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// This capability's API operations, one `routes!` per path.
pub fn api() -> ApiRoutes {
    ApiRoutes::new()
        .routes(routes!(api_get))
        .routes(routes!(api_readiness))
        .routes(routes!(api_coverage))
        .routes(routes!(api_copy))
        .routes(routes!(api_versions, api_issue))
        .routes(routes!(api_version, api_version_put, api_version_patch, api_version_delete))
        .routes(routes!(api_endorse))
        .routes(routes!(api_diff))
        .routes(routes!(api_add_item, api_put_singleton))
        .routes(routes!(api_put_item, api_delete_item))
        .routes(routes!(api_commanders))
        .routes(routes!(api_upload))
        .routes(routes!(api_attachment))
}

/// This capability's pages.
pub fn pages() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/events/{id}/commanders", get(crate::events::page_commanders_form).post(page_commanders))
        .route("/events/{id}/plan", get(page))
        .route("/events/{id}/plan/issue", get(page_issue_confirm).post(page_issue))
        .route("/events/{id}/plan/copy-from", post(page_copy))
        .route("/events/{id}/plan/compare", get(page_compare))
        .route("/events/{id}/plan/versions/{n}/endorse", post(page_endorse))
        .route("/events/{id}/plan/versions/{a}/diff/{b}", get(page_diff))
        .route("/events/{id}/plan/recon_visit/{visit}/attachments", post(page_attach))
        .route("/events/{id}/plan/{section}", post(page_save))
        .route("/events/{id}/plan/tactical_plan/{tp}/reviewed", post(crate::plan_item::mark_reviewed))
        .route("/events/{id}/plan/{section}/{item_id}", get(crate::plan_item::page).post(crate::plan_item::save))
        .route(
            "/events/{id}/plan/{section}/{item_id}/remove",
            get(crate::plan_item::page_remove_confirm).post(page_remove),
        )
}
