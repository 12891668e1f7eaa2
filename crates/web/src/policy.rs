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
use cordon_domain::policy::{Assessment, Consultation, Policy};
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
    /// `low`, `medium` or `high`.
    #[serde(default)]
    #[schema(value_type = Option<Assessment>)]
    risk_assessment: Option<String>,
    /// `low`, `medium` or `high`.
    #[serde(default)]
    #[schema(value_type = Option<Assessment>)]
    equality_impact: Option<String>,
    /// Who was asked to consult, when, and their response.
    #[serde(default)]
    consultation: Vec<Consultation>,
    /// The linked standard operating procedure.
    #[serde(default)]
    procedure: String,
    /// The linked contingency plan.
    #[serde(default)]
    contingency_plan: String,
}

fn assessment(field: &'static str, s: Option<String>) -> Result<Option<Assessment>, ApiError> {
    match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(a) => Assessment::parse(field, a).map(Some).map_err(|e| ApiError::unprocessable(e.field, e.message)),
    }
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
        risk_assessment: assessment("risk_assessment", b.risk_assessment)?,
        equality_impact: assessment("equality_impact", b.equality_impact)?,
        consultation: b.consultation,
        procedure: b.procedure.trim().to_string(),
        contingency_plan: b.contingency_plan.trim().to_string(),
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

/// One policy record.
#[utoipa::path(get, path = "/policies/{id}", tag = "policy",
    params(PolicyPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The policy record", body = PolicyBody), Unauthorised, NotFound))]
pub async fn api_get(
    State(state): State<AppState>,
    ApiUser(_u): ApiUser,
    Path(p): Path<PolicyPath>,
) -> Result<Json<PolicyBody>, ApiError> {
    match state.store.policy().get(&p.id).await? {
        Some(r) => Ok(Json(r.into())),
        None => Err(ApiError::not_found("no such policy")),
    }
}

/// Add a consultee to a policy's consultation, or change their entry
/// (matched by name): who was asked, when, and their response.
#[utoipa::path(post, path = "/policies/{id}/consultation", tag = "policy",
    params(PolicyPath),
    request_body = Consultation,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Recorded", body = PolicyBody),
        BadRequest, Unauthorised, Forbidden, NotFound, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_consult(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<PolicyPath>,
    JsonBody(b): JsonBody<Consultation>,
) -> Result<(StatusCode, Json<PolicyBody>), ApiError> {
    let r = state.store.policy().consult(&u.viewer, &p.id, b).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// This capability's API operations.
pub fn api() -> ApiRoutes {
    ApiRoutes::new()
        .routes(routes!(api_list, api_add))
        .routes(routes!(api_get))
        .routes(routes!(api_review))
        .routes(routes!(api_consult))
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
        Ok(_) => Redirect::to(&format!("/policies/{id}?done=reviewed")).into_response(),
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

#[derive(Template)]
#[template(path = "policy.html")]
struct PolicyPage {
    layout: Layout,
    p: PolicyRecord,
    may_keep: bool,
    notice: Option<String>,
}

impl PolicyPage {
    fn day<S: AsRef<str>>(&self, s: S) -> String {
        day(s.as_ref())
    }
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// `GET /policies/{id}`: a policy record with its governance and consultation.
pub async fn page_policy(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<PolicyId>,
    axum::extract::Query(d): axum::extract::Query<DoneQuery>,
) -> Response {
    match state.store.policy().get(&id).await {
        Ok(Some(p)) => render(
            StatusCode::OK,
            &PolicyPage {
                layout: Layout::for_user(p.policy.reference.clone(), Marking::Official, "/seco", Some(&u)),
                may_keep: u.viewer.may(cordon_domain::policy::KEEP)
                    && u.viewer.organisation_id == p.policy.organisation_id,
                notice: match d.done.as_deref() {
                    Some("consulted") => Some("The consultation is updated.".into()),
                    Some("reviewed") => {
                        Some(format!("The review is recorded: the next is due on {}.", day(&p.policy.next_review)))
                    }
                    _ => None,
                },
                p,
            },
        ),
        Ok(None) => crate::pages::not_found_for(Some(&u)),
        Err(e) => ApiError::from(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "policy_consult.html")]
struct ConsultPage {
    layout: Layout,
    p: PolicyRecord,
    errors: FormErrors,
    consultee: String,
    day: String,
    month: String,
    year: String,
    response: String,
}

async fn consult_page(
    state: &AppState,
    u: &CurrentUser,
    id: &PolicyId,
    status: StatusCode,
    errors: FormErrors,
    f: &crate::forms::Fields,
) -> Response {
    let p = match state.store.policy().get(id).await {
        Ok(Some(p)) => p,
        Ok(None) => return crate::pages::not_found_for(Some(u)),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let heading = format!("Record a consultee of {}", p.policy.reference);
    let title = if errors.is_empty() { heading } else { format!("Error: {heading}") };
    render(
        status,
        &ConsultPage {
            layout: Layout::for_user(title, Marking::Official, "/seco", Some(u)),
            p,
            errors,
            consultee: field(f, "consultee"),
            day: field(f, "asked_on-day"),
            month: field(f, "asked_on-month"),
            year: field(f, "asked_on-year"),
            response: field(f, "response"),
        },
    )
}

/// `GET /policies/{id}/consultation/new`; `?consultee=` fills in an existing entry.
pub async fn page_consult_form(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<PolicyId>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let mut f: crate::forms::Fields = Vec::new();
    if let (Some(who), Ok(Some(p))) = (q.get("consultee"), state.store.policy().get(&id).await) {
        if let Some(c) = p.policy.consultation.iter().find(|c| c.consultee.eq_ignore_ascii_case(who.trim())) {
            f.push(("consultee".into(), c.consultee.clone()));
            f.push(("response".into(), c.response.clone()));
            if let Some(d) = c.asked_on.as_deref().and_then(|a| cordon_domain::reference::parse_date(a).ok()) {
                f.push(("asked_on-day".into(), d.day().to_string()));
                f.push(("asked_on-month".into(), (d.month() as u8).to_string()));
                f.push(("asked_on-year".into(), d.year().to_string()));
            }
        }
    }
    consult_page(&state, &u, &id, StatusCode::OK, FormErrors::default(), &f).await
}

/// `POST /policies/{id}/consultation/new`.
pub async fn page_consult(
    State(state): State<AppState>,
    Path(id): Path<PolicyId>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let asked_on = match (field(&f, "asked_on-day"), field(&f, "asked_on-month"), field(&f, "asked_on-year")) {
        (d, m, y) if d.is_empty() && m.is_empty() && y.is_empty() => None,
        _ => match crate::dates::read_date(&f, "asked_on", "Date asked") {
            Ok(d) => Some(cordon_domain::reference::format_date(d)),
            Err(p) => {
                let errors = FormErrors::one(&p.field, p.message);
                return consult_page(&state, &u, &id, StatusCode::UNPROCESSABLE_ENTITY, errors, &f).await;
            }
        },
    };
    let entry = Consultation { consultee: field(&f, "consultee"), asked_on, response: field(&f, "response") };
    match state.store.policy().consult(&u.viewer, &id, entry).await {
        Ok(_) => Redirect::to(&format!("/policies/{id}?done=consulted#consultation")).into_response(),
        Err(cordon_store::StoreError::NotFound { .. }) => crate::pages::not_found_for(Some(&u)),
        Err(e) => {
            let status = match &e {
                cordon_store::StoreError::Forbidden(_) => StatusCode::FORBIDDEN,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            match FormErrors::from_store(e) {
                Ok(errors) => {
                    let errors = match errors.0.first() {
                        Some((f, m)) if f == "asked_on" => FormErrors::one("asked_on-day", m.clone()),
                        _ => errors,
                    };
                    consult_page(&state, &u, &id, status, errors, &f).await
                }
                Err(r) => r,
            }
        }
    }
}

/// This capability's pages.
pub fn pages() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/policies", axum::routing::get(page_list))
        .route("/policies/{id}", axum::routing::get(page_policy))
        .route("/policies/{id}/review", axum::routing::get(page_review_form).post(page_review))
        .route("/policies/{id}/consultation/new", axum::routing::get(page_consult_form).post(page_consult))
}
