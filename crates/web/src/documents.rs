//! Documents: the plan laid out as the document a commander reads, for the
//! draft and for every issued version. The read view here, the PDF and the
//! Word document render the same [`Document`], made by the store from a view
//! the policy let the viewer see, as that viewer may read it.

use crate::api::{ApiRoutes, BadRequest, Forbidden, NotFound, Unauthorised};
use crate::auth::{ApiUser, PageUser};
use crate::error::ApiError;
use crate::pages::{render, Layout};
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cordon_domain::documents::{Block, Document, Tone};
use cordon_domain::ids::EventId;
use cordon_store::events::EventRecord;
use cordon_store::plan::VersionSummary;
use cordon_store::StoreError;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::routes;

/// The class that colours a rating cell; the cell's words always say the same.
pub fn tone_class(t: Tone) -> &'static str {
    match t {
        Tone::Low => "low",
        Tone::Medium => "medium",
        Tone::High => "high",
        Tone::VeryHigh => "very-high",
    }
}

/// A document rendered for a page, to be placed in a page of its own.
#[derive(Template)]
#[template(path = "document_body.html")]
pub struct DocumentBody<'a> {
    pub doc: &'a Document,
}

/// The draft plan, read as a document.
#[derive(Template)]
#[template(path = "plan_document.html")]
struct DraftPage<'a> {
    layout: Layout,
    event: &'a EventRecord,
    body: String,
}

/// What a page answers for a store error on a read: a record the viewer may
/// not see, or a version that does not exist, is the same "not found".
fn read_error(e: StoreError, u: &crate::auth::CurrentUser) -> Response {
    match e {
        StoreError::NotFound { .. } => crate::pages::not_found_for(Some(u)),
        e => ApiError::from(e).into_response(),
    }
}

fn body_of(doc: &Document) -> String {
    DocumentBody { doc }.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "document did not render");
        "<p>The document could not be shown.</p>".into()
    })
}

/// `GET /events/{id}/plan/document`: the draft as the document it would be if issued.
pub async fn page_draft(State(state): State<AppState>, PageUser(u): PageUser, Path(id): Path<EventId>) -> Response {
    let view = match state.store.plan().plan_view(&u.viewer, &id).await {
        Ok(v) => v,
        Err(e) => return read_error(e, &u),
    };
    let body = view
        .memo("document-html:draft", |v| Ok::<_, std::convert::Infallible>(body_of(&state.store.documents().draft(v))))
        .unwrap_or_else(|never| match never {});
    render(
        StatusCode::OK,
        &DraftPage {
            layout: Layout::for_user(
                format!("{}: draft plan", view.event.name),
                view.marking_shown,
                "/events",
                Some(&u),
            ),
            event: &view.event,
            body: body.to_string(),
        },
    )
}

/// The version page: the version as the document Gold signs, with its endorsement.
#[derive(Template)]
#[template(path = "plan_version.html")]
struct VersionPage {
    layout: Layout,
    event: EventRecord,
    version: VersionSummary,
    body: String,
    is_gold: bool,
    /// Whether the viewer may read the whole version (only then can they endorse it).
    whole: bool,
    issued_at: String,
    endorsed_at: String,
    newer: Option<i64>,
}

/// `GET /events/{id}/plan/versions/{n}`.
pub async fn page_version(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, n)): Path<(EventId, i64)>,
) -> Response {
    // One policy-checked read: the view carries the event and its versions.
    let view = match state.store.plan().plan_view(&u.viewer, &id).await {
        Ok(v) => v,
        Err(e) => return read_error(e, &u),
    };
    let (doc, version) = match state.store.documents().version(&view, n).await {
        Ok(x) => x,
        Err(e) => return read_error(e, &u),
    };
    let event = view.event.clone();
    let newer = view.versions.iter().map(|v| v.number).max().filter(|m| *m > n);
    render(
        StatusCode::OK,
        &VersionPage {
            layout: Layout::for_user(format!("{}: version {n}", event.name), doc.marking, "/events", Some(&u)),
            is_gold: event.gold_user_id.as_deref() == Some(u.user.id.as_str()),
            whole: doc.redaction.is_none(),
            issued_at: cordon_domain::london::display_stored(&version.issued_at),
            endorsed_at: version
                .endorsement
                .as_ref()
                .map(|e| cordon_domain::london::display_stored(&e.endorsed_at))
                .unwrap_or_default(),
            body: body_of(&doc),
            event,
            version,
            newer,
        },
    )
}

// ----- API: the document as PDF and Word ----------------------------------------

/// The form of a downloaded document.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Format {
    Pdf,
    Docx,
}

impl Format {
    pub(crate) fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Docx => "docx",
        }
    }

    fn media_type(self) -> &'static str {
        match self {
            Format::Pdf => cordon_documents::PDF_TYPE,
            Format::Docx => cordon_documents::DOCX_TYPE,
        }
    }

    pub(crate) fn render(self, doc: &Document) -> Result<Vec<u8>, cordon_documents::RenderError> {
        match self {
            Format::Pdf => cordon_documents::pdf(doc),
            Format::Docx => cordon_documents::docx(doc),
        }
    }
}

/// A rendered document, kept with the view it was made from.
struct Rendered {
    body: Bytes,
    sha256: String,
}

/// An event's draft plan.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DraftDocumentPath {
    /// The event's id.
    id: EventId,
}

/// An issued version of an event's plan.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct VersionDocumentPath {
    /// The event's id.
    id: EventId,
    /// The version's number, from 1; anything else is 400.
    #[param(value_type = i64, minimum = 1)]
    n: String,
}

/// The event's name as a file name: lower-case letters and digits, words
/// joined by hyphens ("city-marathon"); "plan" when nothing is left.
pub(crate) fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    let out: String = out.chars().take(60).collect();
    if out.is_empty() {
        "plan".into()
    } else {
        out.trim_end_matches('-').to_string()
    }
}

/// The draft (no number) or version `n` as a PDF or Word file, as the caller
/// may read it. Rendered off the async threads, once per state of the plan,
/// version, format and ceiling (the view is the caller's ceiling's).
async fn download(
    state: AppState,
    u: crate::auth::CurrentUser,
    id: EventId,
    n: Option<i64>,
    format: Format,
) -> Result<Response, ApiError> {
    let view = state.store.plan().plan_view(&u.viewer, &id).await?;
    let (doc, which) = match n {
        None => (state.store.documents().draft(&view), "draft".to_string()),
        Some(n) => (state.store.documents().version(&view, n).await?.0, format!("version-{n}")),
    };
    let key = format!("document-{}:{which}:{}", format.extension(), view.ceiling);
    let filename = format!("{}-{which}.{}", slug(&view.event.name), format.extension());
    let marking = doc.marking;
    let kept = view.clone();
    let rendered = tokio::task::spawn_blocking(move || {
        kept.memo(&key, |_| {
            let body = format.render(&doc)?;
            let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&body));
            Ok::<_, cordon_documents::RenderError>(Rendered { body: Bytes::from(body), sha256 })
        })
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "document rendering did not finish");
        ApiError::internal()
    })?
    .map_err(|e| {
        tracing::error!(error = %e, event = %id, "document did not render");
        ApiError::internal()
    })?;
    file_response(rendered.body.clone(), &rendered.sha256, format, &filename, marking)
}

/// A rendered document as a download: its type, file name, hash and marking.
pub(crate) fn file_response(
    body: Bytes,
    sha256: &str,
    format: Format,
    filename: &str,
    marking: cordon_domain::Marking,
) -> Result<Response, ApiError> {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.media_type()));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")).map_err(|_| ApiError::internal())?,
    );
    h.insert("x-content-sha256", HeaderValue::from_str(sha256).map_err(|_| ApiError::internal())?);
    h.insert("x-protective-marking", HeaderValue::from_static(marking.as_str()));
    Ok(res)
}

/// The draft plan as a PDF, watermarked DRAFT on every page.
#[utoipa::path(get, path = "/events/{id}/plan/document.pdf", tag = "plan",
    params(DraftDocumentPath),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The draft laid out as the plan document (title page, contents, sections), as the caller may read it, watermarked DRAFT; the protective marking at the top and bottom of every page (Content-Disposition: attachment)",
            content(("application/pdf")),
            headers(
                ("X-Content-SHA256" = String, description = "The SHA-256 hash of the body, in lower-case hexadecimal"),
                ("X-Protective-Marking" = String, description = "The highest marking of what the document shows"))),
        BadRequest, Unauthorised, Forbidden, NotFound,
    ))]
pub async fn api_draft_pdf(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<DraftDocumentPath>,
) -> Result<Response, ApiError> {
    download(state, u, p.id, None, Format::Pdf).await
}

/// The draft plan as a Word document, marked DRAFT in the header of every page.
#[utoipa::path(get, path = "/events/{id}/plan/document.docx", tag = "plan",
    params(DraftDocumentPath),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The draft laid out as the plan document, as the caller may read it, marked DRAFT; the protective marking in the header and footer of every page (Content-Disposition: attachment)",
            content(("application/vnd.openxmlformats-officedocument.wordprocessingml.document")),
            headers(
                ("X-Content-SHA256" = String, description = "The SHA-256 hash of the body, in lower-case hexadecimal"),
                ("X-Protective-Marking" = String, description = "The highest marking of what the document shows"))),
        BadRequest, Unauthorised, Forbidden, NotFound,
    ))]
pub async fn api_draft_docx(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<DraftDocumentPath>,
) -> Result<Response, ApiError> {
    download(state, u, p.id, None, Format::Docx).await
}

/// An issued version as a PDF: the document Gold signs.
#[utoipa::path(get, path = "/events/{id}/plan/versions/{n}/document.pdf", tag = "plan",
    params(VersionDocumentPath),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The version laid out as the plan document, as the caller may read it (redacted, and saying so on its title page, for a caller who may not read every item); the protective marking at the top and bottom of every page (Content-Disposition: attachment)",
            content(("application/pdf")),
            headers(
                ("X-Content-SHA256" = String, description = "The SHA-256 hash of the body, in lower-case hexadecimal (of this file, not the version's JSON)"),
                ("X-Protective-Marking" = String, description = "The highest marking of what the document shows"))),
        BadRequest, Unauthorised, Forbidden, NotFound,
    ))]
pub async fn api_version_pdf(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<VersionDocumentPath>,
) -> Result<Response, ApiError> {
    let n = crate::plan::parse_number(&p.n, "n")?;
    download(state, u, p.id, Some(n), Format::Pdf).await
}

/// An issued version as a Word document.
#[utoipa::path(get, path = "/events/{id}/plan/versions/{n}/document.docx", tag = "plan",
    params(VersionDocumentPath),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The version laid out as the plan document, as the caller may read it (redacted, and saying so on its title page, for a caller who may not read every item); the protective marking in the header and footer of every page (Content-Disposition: attachment)",
            content(("application/vnd.openxmlformats-officedocument.wordprocessingml.document")),
            headers(
                ("X-Content-SHA256" = String, description = "The SHA-256 hash of the body, in lower-case hexadecimal (of this file, not the version's JSON)"),
                ("X-Protective-Marking" = String, description = "The highest marking of what the document shows"))),
        BadRequest, Unauthorised, Forbidden, NotFound,
    ))]
pub async fn api_version_docx(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<VersionDocumentPath>,
) -> Result<Response, ApiError> {
    let n = crate::plan::parse_number(&p.n, "n")?;
    download(state, u, p.id, Some(n), Format::Docx).await
}

/// This capability's API: the plan document as PDF and Word, for the draft
/// and for each issued version.
pub fn api() -> ApiRoutes {
    ApiRoutes::new()
        .routes(routes!(api_draft_pdf))
        .routes(routes!(api_draft_docx))
        .routes(routes!(api_version_pdf))
        .routes(routes!(api_version_docx))
}

/// This capability's pages.
pub fn pages() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/events/{id}/plan/document", get(page_draft))
        .route("/events/{id}/plan/versions/{n}", get(page_version))
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn a_file_is_named_after_its_event() {
        assert_eq!(slug("City Marathon"), "city-marathon");
        assert_eq!(slug("  Remembrance Sunday: parade & service! "), "remembrance-sunday-parade-service");
        assert_eq!(slug("Ümlaut fête"), "mlaut-f-te");
        assert_eq!(slug("!!!"), "plan");
    }
}
