//! Security advice and reviews: pages and API. A request is recorded with
//! its draft, changed, and issued as numbered, hashed versions; each is read
//! as a document and downloaded as PDF and Word. Every path goes through the
//! store's records layer: an advice record the viewer may not see is 404.

use crate::api::{
    ApiRoutes, BadRequest, Complete, Conflict, Forbidden, NotFound, Page, PageQuery, PayloadTooLarge, Unauthorised,
    Unprocessable, UnsupportedMediaType,
};
use crate::auth::{ApiUser, CurrentUser, PageUser};
use crate::error::ApiError;
use crate::forms::{field, CheckedForm, Fields};
use crate::json::JsonBody;
use crate::pages::{render, FormErrors, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use cordon_domain::advice::{AdviceContent, AdviceKind, Consideration};
use cordon_domain::ids::{AdviceId, EventId, Instant};
use cordon_domain::planned_event::EventKind;
use cordon_domain::Marking;
use cordon_store::advice::{AdviceRecord, AdviceVersion, NewRequest};
use cordon_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

/// An advice record or review as the API gives it.
#[derive(Serialize, ToSchema)]
pub struct AdviceBody {
    id: AdviceId,
    kind: AdviceKind,
    #[serde(flatten)]
    content: AdviceContent,
    marking: Marking,
    organisation: String,
    created_at: Instant,
    updated_at: Instant,
    versions: Vec<VersionBody>,
}

/// An issued version, as listed.
#[derive(Serialize, ToSchema)]
pub struct VersionBody {
    number: i64,
    issued_at: Instant,
    /// Who issued it, by name.
    issued_by: String,
    /// SHA-256 of the version's canonical JSON.
    hash: String,
}

impl From<&AdviceVersion> for VersionBody {
    fn from(v: &AdviceVersion) -> Self {
        VersionBody { number: v.number, issued_at: v.issued_at, issued_by: v.issued_by.clone(), hash: v.hash.clone() }
    }
}

impl From<&AdviceRecord> for AdviceBody {
    fn from(r: &AdviceRecord) -> Self {
        AdviceBody {
            id: r.id.clone(),
            kind: r.kind,
            content: r.content.clone(),
            marking: r.marking,
            organisation: r.organisation_name.clone(),
            created_at: r.created_at,
            updated_at: r.updated_at,
            versions: r.versions.iter().map(VersionBody::from).collect(),
        }
    }
}

/// A new request for advice or a review, with its first draft.
#[derive(Deserialize, ToSchema)]
pub struct NewAdviceBody {
    kind: AdviceKind,
    /// No higher than the caller's clearance allows (default OFFICIAL-SENSITIVE).
    #[serde(default)]
    #[schema(value_type = Option<Marking>)]
    marking: Option<String>,
    #[serde(flatten)]
    content: AdviceContent,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AdvicePath {
    /// The advice record's id.
    id: AdviceId,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AdviceVersionPath {
    /// The advice record's id.
    id: AdviceId,
    /// The version number, from 1.
    #[param(minimum = 1)]
    n: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ConsiderationPath {
    /// The consideration's identifier: lower-case letters, digits and hyphens.
    consideration_id: String,
}

fn marking_of(m: Option<&str>) -> Result<Marking, ApiError> {
    match m.map(str::trim).filter(|m| !m.is_empty()) {
        None => Ok(Marking::OfficialSensitive),
        Some(m) => {
            m.parse().map_err(|_| ApiError::unprocessable("marking", "Choose OFFICIAL, OFFICIAL-SENSITIVE or SECRET"))
        }
    }
}

/// The advice and reviews the caller may see, newest first, a page at a time.
#[utoipa::path(get, path = "/advice", tag = "advice",
    params(PageQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "A page of advice records and reviews", body = Page<AdviceBody>),
        BadRequest, Unauthorised))]
pub async fn api_list(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<PageQuery>,
) -> Result<Json<Page<AdviceBody>>, ApiError> {
    let p = q.paging()?;
    let (items, total) = state.store.advice().list(&u.viewer, p.limit, p.offset).await?;
    Ok(Json(Page { items: items.iter().map(AdviceBody::from).collect(), total, limit: p.limit, offset: p.offset }))
}

/// Record a request for security advice or a review, with its first draft;
/// the caller's organisation holds it and the caller joins its team.
#[utoipa::path(post, path = "/advice", tag = "advice",
    request_body = NewAdviceBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Recorded", body = AdviceBody),
        BadRequest, Unauthorised, Forbidden, UnsupportedMediaType, Unprocessable, PayloadTooLarge))]
pub async fn api_create(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    JsonBody(b): JsonBody<NewAdviceBody>,
) -> Result<(StatusCode, Json<AdviceBody>), ApiError> {
    let new = NewRequest { kind: b.kind, content: b.content, marking: marking_of(b.marking.as_deref())? };
    let r = state.store.advice().record(&u.user, &u.viewer, new).await?;
    Ok((StatusCode::CREATED, Json(AdviceBody::from(&r))))
}

/// One advice record or review.
#[utoipa::path(get, path = "/advice/{id}", tag = "advice",
    params(AdvicePath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The record and its versions", body = AdviceBody),
        BadRequest, Unauthorised, NotFound))]
pub async fn api_get(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<AdvicePath>,
) -> Result<Json<AdviceBody>, ApiError> {
    Ok(Json(AdviceBody::from(&state.store.advice().get(&u.viewer, &p.id).await?)))
}

/// Change the draft: the whole content is sent.
#[utoipa::path(put, path = "/advice/{id}", tag = "advice",
    params(AdvicePath),
    request_body = AdviceContent,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The record as changed", body = AdviceBody),
        BadRequest, Unauthorised, Forbidden, NotFound, UnsupportedMediaType, Unprocessable, PayloadTooLarge))]
pub async fn api_change(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<AdvicePath>,
    JsonBody(content): JsonBody<AdviceContent>,
) -> Result<Json<AdviceBody>, ApiError> {
    Ok(Json(AdviceBody::from(&state.store.advice().change(&u.viewer, &p.id, content).await?)))
}

/// Issue the draft as the next numbered, hashed, immutable version.
#[utoipa::path(post, path = "/advice/{id}/versions", tag = "advice",
    params(AdvicePath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "The version issued", body = VersionBody),
        BadRequest, Unauthorised, Forbidden, NotFound, Conflict, Unprocessable))]
pub async fn api_issue(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<AdvicePath>,
) -> Result<(StatusCode, Json<VersionBody>), ApiError> {
    let v = state.store.advice().issue(&u.user, &u.viewer, &p.id).await?;
    Ok((StatusCode::CREATED, Json(VersionBody::from(&v))))
}

/// One issued version exactly as issued (canonical JSON), with its hash.
#[utoipa::path(get, path = "/advice/{id}/versions/{n}", tag = "advice",
    params(AdviceVersionPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The version's canonical JSON", content_type = "application/json",
            headers(("X-Content-SHA256" = String, description = "SHA-256 of the body, as recorded at issue"))),
        BadRequest, Unauthorised, NotFound))]
pub async fn api_version(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<AdviceVersionPath>,
) -> Result<Response, ApiError> {
    let (body, hash) = state.store.advice().version(&u.viewer, &p.id, p.n).await?;
    let mut res = (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    res.headers_mut().insert("x-content-sha256", HeaderValue::from_str(&hash).expect("hex is a header value"));
    Ok(res)
}

/// The library of general security considerations (complete, never paginated).
#[utoipa::path(get, path = "/advice/considerations", tag = "advice",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Every consideration, in library order", body = Complete<Consideration>),
        Unauthorised))]
pub async fn api_considerations(
    State(state): State<AppState>,
    ApiUser(_u): ApiUser,
) -> Result<Json<Complete<Consideration>>, ApiError> {
    Ok(Json(Complete::new(state.store.advice().considerations().await?)))
}

/// Add or change a consideration of the library (administrators).
#[utoipa::path(put, path = "/advice/considerations/{consideration_id}", tag = "advice",
    params(ConsiderationPath),
    request_body = Consideration,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The consideration as saved", body = Consideration),
        BadRequest, Unauthorised, Forbidden, UnsupportedMediaType, Unprocessable, PayloadTooLarge))]
pub async fn api_save_consideration(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<ConsiderationPath>,
    JsonBody(mut c): JsonBody<Consideration>,
) -> Result<Json<Consideration>, ApiError> {
    c.id = p.consideration_id;
    Ok(Json(state.store.advice().save_consideration(&u.viewer, c).await?))
}

/// The draft (no number) or version `n` as a PDF or Word file.
async fn download(
    state: AppState,
    u: CurrentUser,
    id: AdviceId,
    n: Option<i64>,
    format: crate::documents::Format,
) -> Result<Response, ApiError> {
    let (doc, record) = state.store.advice().document(&u.viewer, &id, n).await?;
    let which = n.map(|n| format!("version-{n}")).unwrap_or_else(|| "draft".into());
    let filename = format!("{}-{which}.{}", crate::documents::slug(&record.content.subject), format.extension());
    let marking = doc.marking;
    let body = tokio::task::spawn_blocking(move || format.render(&doc))
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(|e| {
            tracing::error!(error = %e, advice = %id, "advice document did not render");
            ApiError::internal()
        })?;
    let sha256 = cordon_domain::plan::sha256_hex_bytes(&body);
    crate::documents::file_response(body.into(), &sha256, format, &filename, marking)
}

/// The draft as a PDF, watermarked DRAFT on every page.
#[utoipa::path(get, path = "/advice/{id}/document.pdf", tag = "advice",
    params(AdvicePath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The draft as a document, marked at the top and bottom of every page",
            content(("application/pdf")),
            headers(("X-Content-SHA256" = String, description = "SHA-256 of the body"),
                ("X-Protective-Marking" = String, description = "The document's marking"))),
        BadRequest, Unauthorised, NotFound))]
pub async fn api_draft_pdf(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<AdvicePath>,
) -> Result<Response, ApiError> {
    download(state, u, p.id, None, crate::documents::Format::Pdf).await
}

/// The draft as a Word document, DRAFT in every header.
#[utoipa::path(get, path = "/advice/{id}/document.docx", tag = "advice",
    params(AdvicePath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The draft as a Word document, marked in every header and footer",
            content(("application/vnd.openxmlformats-officedocument.wordprocessingml.document")),
            headers(("X-Content-SHA256" = String, description = "SHA-256 of the body"),
                ("X-Protective-Marking" = String, description = "The document's marking"))),
        BadRequest, Unauthorised, NotFound))]
pub async fn api_draft_docx(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<AdvicePath>,
) -> Result<Response, ApiError> {
    download(state, u, p.id, None, crate::documents::Format::Docx).await
}

/// An issued version as a PDF.
#[utoipa::path(get, path = "/advice/{id}/versions/{n}/document.pdf", tag = "advice",
    params(AdviceVersionPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The version as a document, marked at the top and bottom of every page",
            content(("application/pdf")),
            headers(("X-Content-SHA256" = String, description = "SHA-256 of the body"),
                ("X-Protective-Marking" = String, description = "The document's marking"))),
        BadRequest, Unauthorised, NotFound))]
pub async fn api_version_pdf(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<AdviceVersionPath>,
) -> Result<Response, ApiError> {
    download(state, u, p.id, Some(p.n), crate::documents::Format::Pdf).await
}

/// An issued version as a Word document.
#[utoipa::path(get, path = "/advice/{id}/versions/{n}/document.docx", tag = "advice",
    params(AdviceVersionPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The version as a Word document, marked in every header and footer",
            content(("application/vnd.openxmlformats-officedocument.wordprocessingml.document")),
            headers(("X-Content-SHA256" = String, description = "SHA-256 of the body"),
                ("X-Protective-Marking" = String, description = "The document's marking"))),
        BadRequest, Unauthorised, NotFound))]
pub async fn api_version_docx(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<AdviceVersionPath>,
) -> Result<Response, ApiError> {
    download(state, u, p.id, Some(p.n), crate::documents::Format::Docx).await
}

/// This capability's API operations.
pub fn api() -> ApiRoutes {
    ApiRoutes::new()
        .routes(routes!(api_list, api_create))
        .routes(routes!(api_considerations))
        .routes(routes!(api_save_consideration))
        .routes(routes!(api_get, api_change))
        .routes(routes!(api_issue))
        .routes(routes!(api_version))
        .routes(routes!(api_draft_pdf))
        .routes(routes!(api_draft_docx))
        .routes(routes!(api_version_pdf))
        .routes(routes!(api_version_docx))
}

// ---- Pages ----

fn read_error(e: StoreError, u: &CurrentUser) -> Response {
    match e {
        StoreError::NotFound { .. } => crate::pages::not_found_for(Some(u)),
        e => ApiError::from(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "advice_list.html")]
struct ListPage {
    layout: Layout,
    items: Vec<AdviceRecord>,
    total: i64,
    offset: i64,
    limit: i64,
    may_write: bool,
}

impl ListPage {
    fn updated(&self, r: &AdviceRecord) -> String {
        cordon_domain::london::display_instant(r.updated_at)
    }
    fn state(&self, r: &AdviceRecord) -> String {
        match r.versions.last() {
            Some(v) => format!("Version {} issued", v.number),
            None => "Draft".into(),
        }
    }
}

/// `GET /advice`.
pub async fn page_list(State(state): State<AppState>, PageUser(u): PageUser, Query(q): Query<PageQuery>) -> Response {
    let p = match q.paging() {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let (items, total) = match state.store.advice().list(&u.viewer, p.limit, p.offset).await {
        Ok(x) => x,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let marking = items.iter().map(|r| r.marking).max().unwrap_or(Marking::Official);
    render(
        StatusCode::OK,
        &ListPage {
            layout: Layout::for_user("Security advice and reviews", marking, "/advice", Some(&u)),
            items,
            total,
            offset: p.offset,
            limit: p.limit,
            may_write: u.viewer.may(cordon_domain::advice::WRITE),
        },
    )
}

#[derive(Template)]
#[template(path = "advice_form.html")]
struct FormPage<'a> {
    layout: Layout,
    errors: FormErrors,
    form: Fields,
    kind: AdviceKind,
    /// The record being changed; none for a new request.
    id: Option<&'a AdviceId>,
    library: Vec<(String, Vec<Consideration>)>,
    kinds: Vec<(&'static str, &'static str)>,
    markings: Vec<&'static str>,
}

impl FormPage<'_> {
    fn value(&self, name: &str) -> String {
        field(&self.form, name)
    }
    fn chosen(&self, id: &str) -> bool {
        self.form.iter().any(|(k, v)| k == "considerations" && v == id)
    }
    fn is_review(&self) -> bool {
        self.kind == AdviceKind::SecurityReview
    }
    fn subject_label(&self) -> &'static str {
        if self.is_review() {
            "Event or site"
        } else {
            "Event"
        }
    }
    fn requested_hint(&self) -> &'static str {
        if self.is_review() {
            "The strategic commander who asked: name and role"
        } else {
            "The local commander who asked: name and role"
        }
    }
}

fn grouped(library: Vec<Consideration>) -> Vec<(String, Vec<Consideration>)> {
    let mut out: Vec<(String, Vec<Consideration>)> = Vec::new();
    for c in library {
        match out.iter_mut().find(|(t, _)| *t == c.topic) {
            Some((_, list)) => list.push(c),
            None => out.push((c.topic.clone(), vec![c])),
        }
    }
    out
}

async fn form_page(
    state: &AppState,
    u: &CurrentUser,
    status: StatusCode,
    errors: FormErrors,
    form: Fields,
    kind: AdviceKind,
    id: Option<&AdviceId>,
) -> Response {
    let library = match state.store.advice().considerations().await {
        Ok(l) => l,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let title = match (id, kind) {
        (Some(_), _) => format!("Change the {}", kind.words().to_lowercase()),
        (None, AdviceKind::SecurityAdvice) => "Record a request for security advice".into(),
        (None, AdviceKind::SecurityReview) => "Record a request for a security review".into(),
    };
    render(
        status,
        &FormPage {
            layout: Layout::for_user(title, Marking::Official, "/advice", Some(u)),
            errors,
            form,
            kind,
            id,
            library: grouped(library),
            kinds: EventKind::ALL.iter().map(|k| (k.as_str(), k.words())).collect(),
            markings: Marking::ALL.iter().map(|m| m.as_str()).collect(),
        },
    )
}

#[derive(Deserialize)]
pub struct KindQuery {
    kind: Option<String>,
    event: Option<String>,
}

/// `GET /advice/new?kind=security_advice|security_review`.
pub async fn page_new(State(state): State<AppState>, PageUser(u): PageUser, Query(q): Query<KindQuery>) -> Response {
    let kind = q.kind.as_deref().and_then(|k| k.parse().ok()).unwrap_or(AdviceKind::SecurityAdvice);
    let mut form: Fields = vec![("marking".into(), "OFFICIAL-SENSITIVE".into())];
    if let Some(e) = q.event.filter(|e| !e.is_empty()) {
        form.push(("event_id".into(), e));
    }
    form_page(&state, &u, StatusCode::OK, FormErrors::default(), form, kind, None).await
}

/// The content a form sends.
fn content_from(f: &Fields) -> Result<AdviceContent, FormErrors> {
    let event_id = match field(f, "event_id").trim() {
        "" => None,
        s => Some(s.parse::<EventId>().map_err(|_| FormErrors::one("event_id", "That is not an event Cordon knows"))?),
    };
    let event_kind = match field(f, "event_kind").trim() {
        "" => None,
        s => Some(s.parse::<EventKind>().map_err(|_| FormErrors::one("event_kind", "Choose the kind of event"))?),
    };
    Ok(AdviceContent {
        subject: field(f, "subject"),
        event_id,
        event_kind,
        details: field(f, "details"),
        requested_by: field(f, "requested_by"),
        requested_on: field(f, "requested_on"),
        due_on: field(f, "due_on"),
        scope: field(f, "scope"),
        considerations: f.iter().filter(|(k, _)| k == "considerations").map(|(_, v)| v.clone()).collect(),
        specific: field(f, "specific"),
        recommendations: field(f, "recommendations")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
    })
}

/// `POST /advice`.
pub async fn page_create(State(state): State<AppState>, CheckedForm { user: u, fields: f }: CheckedForm) -> Response {
    let kind = field(&f, "kind").parse().unwrap_or(AdviceKind::SecurityAdvice);
    let content = match content_from(&f) {
        Ok(c) => c,
        Err(e) => return form_page(&state, &u, StatusCode::UNPROCESSABLE_ENTITY, e, f, kind, None).await,
    };
    let marking = match field(&f, "marking").parse() {
        Ok(m) => m,
        Err(_) => {
            let e = FormErrors::one("marking", "Choose the protective marking");
            return form_page(&state, &u, StatusCode::UNPROCESSABLE_ENTITY, e, f, kind, None).await;
        }
    };
    match state.store.advice().record(&u.user, &u.viewer, NewRequest { kind, content, marking }).await {
        Ok(r) => Redirect::to(&format!("/advice/{}", r.id)).into_response(),
        Err(e) => match FormErrors::from_store(e) {
            Ok(errors) => form_page(&state, &u, StatusCode::UNPROCESSABLE_ENTITY, errors, f, kind, None).await,
            Err(r) => r,
        },
    }
}

fn fields_of(r: &AdviceRecord) -> Fields {
    let c = &r.content;
    let mut f: Fields = vec![
        ("subject".into(), c.subject.clone()),
        ("event_id".into(), c.event_id.as_ref().map(|e| e.to_string()).unwrap_or_default()),
        ("event_kind".into(), c.event_kind.map(|k| k.as_str().to_string()).unwrap_or_default()),
        ("details".into(), c.details.clone()),
        ("requested_by".into(), c.requested_by.clone()),
        ("requested_on".into(), c.requested_on.clone()),
        ("due_on".into(), c.due_on.clone()),
        ("scope".into(), c.scope.clone()),
        ("specific".into(), c.specific.clone()),
        ("recommendations".into(), c.recommendations.join("\n")),
        ("marking".into(), r.marking.to_string()),
    ];
    f.extend(c.considerations.iter().map(|id| ("considerations".to_string(), id.clone())));
    f
}

/// `GET /advice/{id}/change`.
pub async fn page_change(State(state): State<AppState>, PageUser(u): PageUser, Path(id): Path<AdviceId>) -> Response {
    match state.store.advice().get(&u.viewer, &id).await {
        Ok(r) => form_page(&state, &u, StatusCode::OK, FormErrors::default(), fields_of(&r), r.kind, Some(&id)).await,
        Err(e) => read_error(e, &u),
    }
}

/// `POST /advice/{id}/change`.
pub async fn page_save(
    State(state): State<AppState>,
    Path(id): Path<AdviceId>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let record = match state.store.advice().get(&u.viewer, &id).await {
        Ok(r) => r,
        Err(e) => return read_error(e, &u),
    };
    let content = match content_from(&f) {
        Ok(c) => c,
        Err(e) => return form_page(&state, &u, StatusCode::UNPROCESSABLE_ENTITY, e, f, record.kind, Some(&id)).await,
    };
    match state.store.advice().change(&u.viewer, &id, content).await {
        Ok(_) => Redirect::to(&format!("/advice/{id}")).into_response(),
        Err(e) => match FormErrors::from_store(e) {
            Ok(errors) => {
                form_page(&state, &u, StatusCode::UNPROCESSABLE_ENTITY, errors, f, record.kind, Some(&id)).await
            }
            Err(r) => r,
        },
    }
}

#[derive(Template)]
#[template(path = "advice.html")]
struct RecordPage {
    layout: Layout,
    record: AdviceRecord,
    /// The version shown; none for the draft.
    number: Option<i64>,
    body: String,
    may_write: bool,
    may_issue: bool,
    error: String,
}

impl RecordPage {
    fn issued(&self, v: &AdviceVersion) -> String {
        cordon_domain::london::display_instant(v.issued_at)
    }
}

async fn record_page(
    state: &AppState,
    u: &CurrentUser,
    id: &AdviceId,
    number: Option<i64>,
    status: StatusCode,
    error: String,
) -> Response {
    let (doc, record) = match state.store.advice().document(&u.viewer, id, number).await {
        Ok(x) => x,
        Err(e) => return read_error(e, u),
    };
    let body = crate::documents::DocumentBody { doc: &doc }.render().unwrap_or_default();
    let title = match number {
        Some(n) => format!("{}: {} version {n}", record.content.subject, record.kind.words().to_lowercase()),
        None => format!("{}: {}", record.content.subject, record.kind.words().to_lowercase()),
    };
    render(
        status,
        &RecordPage {
            layout: Layout::for_user(title, record.marking, "/advice", Some(u)),
            may_write: u.viewer.may(cordon_domain::advice::WRITE) && number.is_none(),
            may_issue: u.viewer.may(cordon_domain::advice::ISSUE) && number.is_none(),
            record,
            number,
            body,
            error,
        },
    )
}

/// `GET /advice/{id}`: the draft read as its document, with its versions.
pub async fn page_record(State(state): State<AppState>, PageUser(u): PageUser, Path(id): Path<AdviceId>) -> Response {
    record_page(&state, &u, &id, None, StatusCode::OK, String::new()).await
}

/// `GET /advice/{id}/versions/{n}`.
pub async fn page_version(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, n)): Path<(AdviceId, i64)>,
) -> Response {
    record_page(&state, &u, &id, Some(n), StatusCode::OK, String::new()).await
}

/// `POST /advice/{id}/issue`.
pub async fn page_issue(
    State(state): State<AppState>,
    Path(id): Path<AdviceId>,
    CheckedForm { user: u, .. }: CheckedForm,
) -> Response {
    match state.store.advice().issue(&u.user, &u.viewer, &id).await {
        Ok(v) => Redirect::to(&format!("/advice/{id}/versions/{}", v.number)).into_response(),
        Err(StoreError::NotFound { .. }) => crate::pages::not_found_for(Some(&u)),
        Err(StoreError::Invalid { message, .. }) => {
            record_page(
                &state,
                &u,
                &id,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("It cannot be issued yet: {message}"),
            )
            .await
        }
        Err(StoreError::Forbidden(m)) => record_page(&state, &u, &id, None, StatusCode::FORBIDDEN, m).await,
        Err(e) => ApiError::from(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "considerations.html")]
struct LibraryPage {
    layout: Layout,
    library: Vec<(String, Vec<Consideration>)>,
    may_curate: bool,
    errors: FormErrors,
    form: Fields,
    /// The consideration being changed, if any.
    editing: Option<String>,
}

impl LibraryPage {
    fn value(&self, name: &str) -> String {
        field(&self.form, name)
    }
    fn kinds(&self, c: &Consideration) -> String {
        if c.event_kinds.is_empty() {
            "Every kind of event".into()
        } else {
            c.event_kinds.iter().map(|k| k.words()).collect::<Vec<_>>().join(", ")
        }
    }
}

async fn library_page(
    state: &AppState,
    u: &CurrentUser,
    status: StatusCode,
    errors: FormErrors,
    form: Fields,
    editing: Option<String>,
) -> Response {
    let library = match state.store.advice().considerations().await {
        Ok(l) => l,
        Err(e) => return ApiError::from(e).into_response(),
    };
    render(
        status,
        &LibraryPage {
            layout: Layout::for_user("Security considerations", Marking::Official, "/advice", Some(u)),
            library: grouped(library),
            may_curate: u.viewer.may(cordon_domain::advice::CURATE),
            errors,
            form,
            editing,
        },
    )
}

#[derive(Deserialize)]
pub struct EditQuery {
    change: Option<String>,
}

/// `GET /advice/considerations` (`?change=ID` opens one for an administrator to change).
pub async fn page_library(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<EditQuery>,
) -> Response {
    let mut form = Fields::new();
    if let Some(id) = &q.change {
        if let Ok(library) = state.store.advice().considerations().await {
            if let Some(c) = library.iter().find(|c| &c.id == id) {
                form = vec![
                    ("id".into(), c.id.clone()),
                    ("topic".into(), c.topic.clone()),
                    ("title".into(), c.title.clone()),
                    ("text".into(), c.text.clone()),
                ];
            }
        }
    }
    library_page(&state, &u, StatusCode::OK, FormErrors::default(), form, q.change).await
}

/// `POST /advice/considerations`: an administrator adds or changes one.
pub async fn page_save_consideration(
    State(state): State<AppState>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let id = field(&f, "id").trim().to_string();
    let existing = state.store.advice().considerations().await.ok().and_then(|l| l.into_iter().find(|c| c.id == id));
    let c = Consideration {
        id: id.clone(),
        topic: field(&f, "topic").trim().to_string(),
        title: field(&f, "title").trim().to_string(),
        text: field(&f, "text").trim().to_string(),
        event_kinds: existing.as_ref().map(|c| c.event_kinds.clone()).unwrap_or_default(),
        methodologies: existing.as_ref().map(|c| c.methodologies.clone()).unwrap_or_default(),
        sources: existing.map(|c| c.sources).unwrap_or_default(),
    };
    match state.store.advice().save_consideration(&u.viewer, c).await {
        Ok(_) => Redirect::to(&format!("/advice/considerations#c-{id}")).into_response(),
        Err(e) => match FormErrors::from_store(e) {
            Ok(errors) => library_page(&state, &u, StatusCode::UNPROCESSABLE_ENTITY, errors, f, None).await,
            Err(r) => r,
        },
    }
}

/// This capability's pages.
pub fn pages() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/advice", get(page_list).post(page_create))
        .route("/advice/new", get(page_new))
        .route("/advice/considerations", get(page_library).post(page_save_consideration))
        .route("/advice/{id}", get(page_record))
        .route("/advice/{id}/change", get(page_change).post(page_save))
        .route("/advice/{id}/issue", post(page_issue))
        .route("/advice/{id}/versions/{n}", get(page_version))
}
