//! Documents: the plan laid out as the document a commander reads, for the
//! draft and for every issued version. The read view here, the PDF and the
//! Word document render the same [`Document`], made by the store from a view
//! the policy let the viewer see, as that viewer may read it.

use crate::auth::PageUser;
use crate::error::ApiError;
use crate::pages::{render, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cordon_domain::documents::{Block, Document, Tone};
use cordon_domain::ids::EventId;
use cordon_store::events::EventRecord;
use cordon_store::plan::VersionSummary;
use cordon_store::StoreError;

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

/// This capability's pages.
pub fn pages() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/events/{id}/plan/document", get(page_draft))
        .route("/events/{id}/plan/versions/{n}", get(page_version))
}
