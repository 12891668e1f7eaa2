//! Notifications: the list page, marking as read, and the API. The count in
//! the header comes with every page (`auth::PageUser`). E-mail goes through
//! the outbox (`crate::mail`).

use crate::api::{ApiRoutes, BadRequest, NotFound, Page, PageQuery, Paging, Unauthorised};
use crate::auth::{ApiUser, PageUser};
use crate::error::ApiError;
use crate::forms::{field, CheckedForm};
use crate::pages::{render, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use cordon_domain::london::display_stored;
use cordon_domain::notifications::NotificationKind;
use cordon_domain::Marking;
use cordon_store::notifications::Notification;
use cordon_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

/// A notification.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct NotificationBody {
    id: String,
    kind: NotificationKind,
    /// What happened, in words.
    summary: String,
    /// Where in Cordon to read about it (a path).
    link: String,
    /// The marking of the record it concerns.
    marking: String,
    #[schema(format = DateTime)]
    created_at: String,
    /// When it was marked read; null while unread.
    #[schema(format = DateTime)]
    read_at: Option<String>,
    /// The event's name, when the caller may still see the event.
    event_name: Option<String>,
}

impl From<Notification> for NotificationBody {
    fn from(n: Notification) -> Self {
        NotificationBody {
            id: n.id,
            kind: n.kind,
            summary: n.summary,
            link: n.link,
            marking: n.marking,
            created_at: n.created_at,
            read_at: n.read_at,
            event_name: n.event_name,
        }
    }
}

/// `?unread=true`: only unread notifications.
#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only those not yet read.
    unread: Option<bool>,
}

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/me/notifications", tag = "notifications",
    params(ListQuery, PageQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "A page of notifications", body = Page<NotificationBody>), BadRequest, Unauthorised))]
pub async fn api_list(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<ListQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Json<Page<NotificationBody>>, ApiError> {
    let Paging { limit, offset } = page.paging()?;
    let (items, total) = state.store.notifications().list(&u.viewer, q.unread.unwrap_or(false), limit, offset).await?;
    Ok(Json(Page { items: items.into_iter().map(Into::into).collect(), total, limit, offset }))
}

/// A notification, by id.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct NotificationPath {
    /// The notification's id.
    id: String,
}

/// Mark one of the caller's notifications read (someone else's is not found).
#[utoipa::path(post, path = "/me/notifications/{id}/read", tag = "notifications",
    params(NotificationPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "Marked read"), Unauthorised, NotFound))]
pub async fn api_read(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<NotificationPath>,
) -> Result<StatusCode, ApiError> {
    state.store.notifications().mark_read(&u.viewer, &p.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This capability's API operations.
pub fn api() -> ApiRoutes {
    ApiRoutes::new().routes(routes!(api_list)).routes(routes!(api_read))
}

struct Row {
    id: String,
    summary: String,
    event_name: Option<String>,
    link: String,
    when: String,
    unread: bool,
    marking: String,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    layout: Layout,
    rows: Vec<Row>,
    total: i64,
    unread_only: bool,
    prev_link: Option<String>,
    next_link: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
pub struct PageParams {
    unread: Option<String>,
    offset: Option<i64>,
}

const PER_PAGE: i64 = 25;

pub async fn page_list(State(state): State<AppState>, PageUser(u): PageUser, Query(q): Query<PageParams>) -> Response {
    let unread_only = q.unread.as_deref() == Some("1");
    let offset = q.offset.unwrap_or(0).max(0);
    let (items, total) = match state.store.notifications().list(&u.viewer, unread_only, PER_PAGE, offset).await {
        Ok(x) => x,
        Err(e) => return ApiError::from(e).into_response(),
    };
    // The list shows no protected content: only what happened, and event
    // names the reader may see. Its marking is the highest of those named.
    let marking = items
        .iter()
        .filter(|n| n.event_name.is_some())
        .filter_map(|n| n.marking.parse::<Marking>().ok())
        .max()
        .unwrap_or(Marking::Official);
    let link = |o: i64| format!("/notifications?unread={}&offset={o}", if unread_only { "1" } else { "" });
    let rows = items
        .into_iter()
        .map(|n| Row {
            unread: n.read_at.is_none(),
            when: display_stored(&n.created_at),
            id: n.id,
            summary: n.summary,
            event_name: n.event_name,
            link: n.link,
            marking: n.marking,
        })
        .collect();
    render(
        StatusCode::OK,
        &NotificationsPage {
            layout: Layout::for_user("Notifications", marking, "/notifications", Some(&u)),
            rows,
            total,
            unread_only,
            prev_link: (offset > 0).then(|| link((offset - PER_PAGE).max(0))),
            next_link: (offset + PER_PAGE < total).then(|| link(offset + PER_PAGE)),
        },
    )
}

/// Marks one notification read (and opens it, when asked), or all of them.
pub async fn page_read(State(state): State<AppState>, CheckedForm { user: u, fields: f }: CheckedForm) -> Response {
    let id = field(&f, "id");
    let result = if id.is_empty() {
        state.store.notifications().mark_all_read(&u.viewer).await.map(|_| ())
    } else {
        state.store.notifications().mark_read(&u.viewer, &id).await
    };
    match result {
        Ok(()) => {
            let open = field(&f, "open");
            // Only a path within Cordon.
            if open.starts_with('/') && !open.starts_with("//") {
                Redirect::to(&open).into_response()
            } else {
                Redirect::to("/notifications").into_response()
            }
        }
        Err(StoreError::NotFound { .. }) => crate::pages::not_found_for(Some(&u)),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// This capability's pages.
pub fn pages() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new().route("/notifications", get(page_list)).route("/notifications/read", post(page_read))
}
