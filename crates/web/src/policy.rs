//! Policy records: a policy or SOP with its reference, owner, start date and
//! review cycle, the overdue review flagged. Pages and API.

use crate::api::{
    ApiRoutes, BadRequest, Complete, Forbidden, NotFound, PayloadTooLarge, Unauthorised, Unprocessable,
    UnsupportedMediaType,
};
use crate::auth::{ApiUser, CurrentUser, PageUser};
use crate::error::ApiError;
use crate::forms::{field, CheckedForm};
use crate::json::JsonBody;
use crate::pages::{render, FormErrors, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use cordon_domain::ids::PolicyId;
use cordon_domain::policy::Policy;
use cordon_domain::Marking;
use cordon_store::policy::PolicyRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

/// A policy record as the API gives it.
#[derive(Serialize, ToSchema)]
pub struct PolicyBody {
    #[serde(flatten)]
    policy: Policy,
    /// Whether its next review date has passed.
    review_overdue: bool,
}

impl From<PolicyRecord> for PolicyBody {
    fn from(r: PolicyRecord) -> Self {
        PolicyBody { policy: r.policy, review_overdue: r.review_overdue }
    }
}

/// A policy record as sent.
#[derive(Deserialize, ToSchema)]
pub struct NewPolicyBody {
    reference: String,
    title: String,
    owner: String,
    #[serde(default)]
    contact: String,
    /// `YYYY-MM-DD`.
    start_date: String,
    #[serde(default)]
    last_reviewed: Option<String>,
    review_interval_months: u32,
    /// `YYYY-MM-DD`.
    next_review: String,
}

/// A review held.
#[derive(Deserialize, ToSchema)]
pub struct ReviewBody {
    /// `YYYY-MM-DD`, not in the future.
    reviewed_on: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PolicyPath {
    /// The policy record's id.
    id: PolicyId,
}

/// Every policy record, with its review flag.
#[utoipa::path(get, path = "/policies", tag = "policy",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Every policy record", body = Complete<PolicyBody>), Unauthorised))]
pub async fn api_list(
    State(state): State<AppState>,
    ApiUser(_u): ApiUser,
) -> Result<Json<Complete<PolicyBody>>, ApiError> {
    Ok(Json(Complete::new(state.store.policy().list().await?.into_iter().map(PolicyBody::from).collect())))
}

/// Add a policy record (administrators and deployment authorities).
#[utoipa::path(post, path = "/policies", tag = "policy",
    request_body = NewPolicyBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Added", body = PolicyBody), BadRequest, Unauthorised, Forbidden, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_add(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    JsonBody(b): JsonBody<NewPolicyBody>,
) -> Result<(StatusCode, Json<PolicyBody>), ApiError> {
    let p = Policy {
        id: PolicyId::generate(),
        organisation_id: u.viewer.organisation_id.clone(),
        reference: b.reference.trim().to_string(),
        title: b.title.trim().to_string(),
        owner: b.owner.trim().to_string(),
        contact: b.contact.trim().to_string(),
        start_date: b.start_date.trim().to_string(),
        last_reviewed: b.last_reviewed.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
        review_interval_months: b.review_interval_months,
        next_review: b.next_review.trim().to_string(),
    };
    let r = state.store.policy().save(&u.viewer, p).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// Record a review: the next falls due one review interval later.
#[utoipa::path(post, path = "/policies/{id}/reviews", tag = "policy",
    params(PolicyPath),
    request_body = ReviewBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Recorded", body = PolicyBody),
        BadRequest, Unauthorised, Forbidden, NotFound, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_review(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<PolicyPath>,
    JsonBody(b): JsonBody<ReviewBody>,
) -> Result<(StatusCode, Json<PolicyBody>), ApiError> {
    let r = state.store.policy().reviewed(&u.viewer, &p.id, &b.reviewed_on).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// This capability's API operations.
pub fn api() -> ApiRoutes {
    ApiRoutes::new().routes(routes!(api_list, api_add)).routes(routes!(api_review))
}

#[derive(Template)]
#[template(path = "policies.html")]
struct ListPage {
    layout: Layout,
    items: Vec<PolicyRecord>,
    may_keep: bool,
}

fn day(s: &str) -> String {
    cordon_domain::policy::date("d", "", s).map(cordon_domain::london::display_date).unwrap_or_else(|_| s.to_string())
}

impl ListPage {
    fn day<S: AsRef<str>>(&self, s: S) -> String {
        day(s.as_ref())
    }
}

/// `GET /policies`.
pub async fn page_list(State(state): State<AppState>, PageUser(u): PageUser) -> Response {
    match state.store.policy().list().await {
        Ok(items) => render(
            StatusCode::OK,
            &ListPage {
                layout: Layout::for_user("Policy records", Marking::Official, "/seco", Some(&u)),
                may_keep: u.viewer.may(cordon_domain::policy::KEEP),
                items,
            },
        ),
        Err(e) => ApiError::from(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "policy_review.html")]
struct ReviewPage {
    layout: Layout,
    p: PolicyRecord,
    errors: FormErrors,
    reviewed_on: String,
}

impl ReviewPage {
    fn day<S: AsRef<str>>(&self, s: S) -> String {
        day(s.as_ref())
    }
}

async fn review_page(
    state: &AppState,
    u: &CurrentUser,
    id: &PolicyId,
    status: StatusCode,
    errors: FormErrors,
    reviewed_on: String,
) -> Response {
    let p = match state.store.policy().get(id).await {
        Ok(Some(p)) => p,
        Ok(None) => return crate::pages::not_found_for(Some(u)),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let title = format!("Record a review of {}", p.policy.reference);
    render(
        status,
        &ReviewPage { layout: Layout::for_user(title, Marking::Official, "/seco", Some(u)), p, errors, reviewed_on },
    )
}

/// `GET /policies/{id}/review`: the policy record and the form to record a review.
pub async fn page_review_form(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<PolicyId>,
) -> Response {
    let today = state.store.today().to_string();
    review_page(&state, &u, &id, StatusCode::OK, FormErrors::default(), today).await
}

/// `POST /policies/{id}/review`.
pub async fn page_review(
    State(state): State<AppState>,
    Path(id): Path<PolicyId>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let reviewed_on = field(&f, "last_reviewed");
    match state.store.policy().reviewed(&u.viewer, &id, &reviewed_on).await {
        Ok(_) => Redirect::to("/policies").into_response(),
        Err(cordon_store::StoreError::NotFound { .. }) => crate::pages::not_found_for(Some(&u)),
        Err(e) => {
            let status = match &e {
                cordon_store::StoreError::Forbidden(_) => StatusCode::FORBIDDEN,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            match FormErrors::from_store(e) {
                Ok(errors) => review_page(&state, &u, &id, status, errors, reviewed_on).await,
                Err(r) => r,
            }
        }
    }
}

/// This capability's pages.
pub fn pages() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/policies", axum::routing::get(page_list))
        .route("/policies/{id}/review", axum::routing::get(page_review_form).post(page_review))
}
