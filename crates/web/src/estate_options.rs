//! The police estate's menu of options, what is in force or declined at each
//! site, the resource implications of a level, and the move-to-critical
//! contingency plan with its activations (issue 13 items 4 to 6): API and
//! pages. All of it is OFFICIAL-SENSITIVE, and its pages say so.

use crate::api::{
    ApiRoutes, BadRequest, Complete, Conflict, Forbidden, NotFound, PayloadTooLarge, Unauthorised, Unprocessable,
    UnsupportedMediaType,
};
use crate::auth::{ApiUser, CurrentUser, PageUser};
use crate::error::ApiError;
use crate::forms::{field, CheckedForm, Fields};
use crate::json::JsonBody;
use crate::pages::{render, FormErrors, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use cordon_domain::estate::critical::{self, ChecklistItem, CriticalPlan, Trigger};
use cordon_domain::estate::options::{Costs, Decision, EstateOption};
use cordon_domain::estate::{self, OPTIONS_MARKING};
use cordon_domain::ids::{ActivationId, SiteId};
use cordon_domain::threat::{ResponseLevel, ThreatLevel};
use cordon_store::estate::critical::{Activation, PlanRecord};
use cordon_store::estate::options::{Implications, SiteDecision};
use cordon_store::estate::Site;
use cordon_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

// ---- API bodies ----

/// Hours, pounds and training per day.
#[derive(Serialize, ToSchema)]
pub struct CostsBody {
    hours_per_day: f64,
    cost_per_day: u64,
    training: Vec<String>,
}

impl From<&Costs> for CostsBody {
    fn from(c: &Costs) -> Self {
        CostsBody {
            hours_per_day: c.hours_per_day,
            cost_per_day: c.cost_per_day,
            training: c.training.iter().cloned().collect(),
        }
    }
}

/// A division's share of the resource implications.
#[derive(Serialize, ToSchema)]
pub struct DivisionCostsBody {
    division: String,
    sites: i64,
    hours_per_day: f64,
    cost_per_day: u64,
    training: Vec<String>,
}

/// One site's share of the resource implications.
#[derive(Serialize, ToSchema)]
pub struct SiteCostsBody {
    site_id: String,
    name: String,
    division: String,
    /// The level it would run at (a site raised higher stays higher).
    level: ResponseLevel,
    /// The options counted there, by id.
    options: Vec<String>,
    hours_per_day: f64,
    cost_per_day: u64,
    training: Vec<String>,
}

/// What a response level would cost the force, before anyone commits.
#[derive(Serialize, ToSchema)]
pub struct ImplicationsBody {
    level: ResponseLevel,
    /// How many sites are counted.
    sites: i64,
    hours_per_day: f64,
    cost_per_day: u64,
    /// Every kind of training needed, once each.
    training: Vec<String>,
    by_division: Vec<DivisionCostsBody>,
    by_site: Vec<SiteCostsBody>,
}

impl From<Implications> for ImplicationsBody {
    fn from(i: Implications) -> Self {
        let total = CostsBody::from(&i.total);
        ImplicationsBody {
            level: i.level,
            sites: i.sites,
            hours_per_day: total.hours_per_day,
            cost_per_day: total.cost_per_day,
            training: total.training,
            by_division: i
                .by_division
                .iter()
                .map(|d| {
                    let c = CostsBody::from(&d.costs);
                    DivisionCostsBody {
                        division: d.division.clone(),
                        sites: d.sites,
                        hours_per_day: c.hours_per_day,
                        cost_per_day: c.cost_per_day,
                        training: c.training,
                    }
                })
                .collect(),
            by_site: i
                .by_site
                .iter()
                .map(|s| {
                    let c = CostsBody::from(&s.costs);
                    SiteCostsBody {
                        site_id: s.site_id.to_string(),
                        name: s.name.clone(),
                        division: s.division.clone(),
                        level: s.level,
                        options: s.options.clone(),
                        hours_per_day: c.hours_per_day,
                        cost_per_day: c.cost_per_day,
                        training: c.training,
                    }
                })
                .collect(),
        }
    }
}

/// An option as it stands at a site.
#[derive(Serialize, ToSchema)]
pub struct SiteOptionBody {
    option_id: String,
    title: String,
    /// Whether the menu holds it for the site's current response level.
    considered_at_level: bool,
    /// `in_force`, `declined`, or null while not decided.
    decision: Option<Decision>,
    reason: String,
    /// Who decided (a user id), their name and when.
    by: Option<String>,
    by_name: Option<String>,
    at: Option<String>,
    /// What staff are told to do while it is in force.
    instruction: String,
}

/// The options at a site: those its level holds and any decided.
#[derive(Serialize, ToSchema)]
pub struct SiteOptionsBody {
    site_id: String,
    response_level: ResponseLevel,
    items: Vec<SiteOptionBody>,
}

/// A decision about an option at a site.
#[derive(Deserialize, ToSchema)]
pub struct DecisionBody {
    /// `in_force`, `declined`, or null to withdraw the decision.
    #[schema(value_type = Option<Decision>)]
    decision: Option<String>,
    /// Why (needed when declined).
    #[serde(default)]
    reason: String,
}

/// The move-to-critical plan, whether activation is offered, and the open activation.
#[derive(Serialize, ToSchema)]
pub struct CriticalPlanBody {
    /// Null until the plan is recorded.
    plan: Option<CriticalPlan>,
    saved_by_name: Option<String>,
    saved_at: Option<String>,
    review_overdue: bool,
    /// True when the national or police sector level is CRITICAL and no activation is open.
    offer_activation: bool,
    /// The id of the open activation, if any.
    open_activation: Option<String>,
}

/// A step of an activation's checklist.
#[derive(Serialize, ToSchema)]
pub struct StepBody {
    step: u32,
    action: String,
    owner_role: String,
    done_by: Option<String>,
    done_by_name: Option<String>,
    done_at: Option<String>,
    note: Option<String>,
}

/// An activation of the move-to-critical plan.
#[derive(Serialize, ToSchema)]
pub struct ActivationBody {
    id: String,
    reason: String,
    trigger: Trigger,
    threat_level: Option<ThreatLevel>,
    started_by: String,
    started_by_name: String,
    started_at: String,
    stood_down_by_name: Option<String>,
    stood_down_at: Option<String>,
    stood_down_reason: Option<String>,
    /// Steps done, and in all.
    done: i64,
    total: i64,
    /// The checklist (on a single activation only).
    steps: Vec<StepBody>,
}

impl From<Activation> for ActivationBody {
    fn from(a: Activation) -> Self {
        ActivationBody {
            id: a.id.to_string(),
            reason: a.reason,
            trigger: a.trigger,
            threat_level: a.threat_level,
            started_by: a.started_by,
            started_by_name: a.started_by_name,
            started_at: a.started_at,
            stood_down_by_name: a.stood_down_by_name,
            stood_down_at: a.stood_down_at,
            stood_down_reason: a.stood_down_reason,
            done: a.done,
            total: a.total,
            steps: a
                .steps
                .into_iter()
                .map(|s| StepBody {
                    step: s.step,
                    action: s.action,
                    owner_role: s.owner_role,
                    done_by: s.done_by,
                    done_by_name: s.done_by_name,
                    done_at: s.done_at,
                    note: s.note,
                })
                .collect(),
        }
    }
}

/// A reason given.
#[derive(Deserialize, ToSchema)]
pub struct ReasonBody {
    #[serde(default)]
    reason: String,
}

/// A note on a step done (optional).
#[derive(Deserialize, ToSchema)]
pub struct NoteBody {
    #[serde(default)]
    note: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct OptionPath {
    /// The option's id.
    id: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SiteOptionPath {
    /// The site's id.
    id: SiteId,
    /// The option's id.
    option_id: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SitePath {
    /// The site's id.
    id: SiteId,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ActivationPath {
    /// The activation's id.
    id: ActivationId,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct StepPath {
    /// The activation's id.
    id: ActivationId,
    /// The step, counting from 0.
    step: u32,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LevelQuery {
    /// NORMAL, HEIGHTENED or EXCEPTIONAL.
    #[param(value_type = ResponseLevel)]
    level: Option<String>,
}

fn read_level(s: Option<&str>) -> Result<ResponseLevel, ApiError> {
    let s = s.map(str::trim).filter(|s| !s.is_empty()).ok_or_else(|| {
        ApiError::bad_request("level", "Give the response level to cost: NORMAL, HEIGHTENED or EXCEPTIONAL")
    })?;
    s.parse()
        .map_err(|_| ApiError::unprocessable("level", "Choose a response level: NORMAL, HEIGHTENED or EXCEPTIONAL"))
}

fn read_decision(s: Option<&str>) -> Result<Option<Decision>, ApiError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(d) => d.parse().map(Some).map_err(|_| {
            ApiError::unprocessable("decision", "Choose in_force, declined, or null to withdraw the decision")
        }),
    }
}

/// The options at a site: those its level holds and any decided, with the decision.
fn site_options(menu: &[EstateOption], site: &Site, decisions: &[SiteDecision]) -> Vec<SiteOptionBody> {
    menu.iter()
        .filter_map(|o| {
            let d = decisions.iter().find(|d| d.option_id == o.id);
            let considered = o.considered_at(site.response_level);
            (considered || d.is_some()).then(|| SiteOptionBody {
                option_id: o.id.clone(),
                title: o.title.clone(),
                considered_at_level: considered,
                decision: d.map(|d| d.decision),
                reason: d.map(|d| d.reason.clone()).unwrap_or_default(),
                by: d.map(|d| d.by.clone()),
                by_name: d.map(|d| d.by_name.clone()),
                at: d.map(|d| d.at.clone()),
                instruction: o.instruction.clone(),
            })
        })
        .collect()
}

// ---- API handlers ----

/// The menu of options of the caller's organisation (OFFICIAL-SENSITIVE).
#[utoipa::path(get, path = "/estate/options", tag = "estate",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The menu, retired options included", body = Complete<EstateOption>), Unauthorised, Forbidden))]
pub async fn api_menu(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<Complete<EstateOption>>, ApiError> {
    Ok(Json(Complete::new(state.store.estate().menu(&u.viewer).await?)))
}

/// Add an option to the menu (estates managers); 409 if its id is taken.
#[utoipa::path(post, path = "/estate/options", tag = "estate",
    request_body = EstateOption,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Added", body = EstateOption),
        BadRequest, Unauthorised, Forbidden, Conflict, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_add_option(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    JsonBody(o): JsonBody<EstateOption>,
) -> Result<(StatusCode, Json<EstateOption>), ApiError> {
    if state.store.estate().menu(&u.viewer).await?.iter().any(|x| x.id == o.id) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            "The menu already has an option with that id: change it instead",
        )
        .field("id"));
    }
    Ok((StatusCode::CREATED, Json(state.store.estate().save_option(&u.viewer, o).await?)))
}

/// Change an option of the menu (estates managers); the id in the body must match.
#[utoipa::path(put, path = "/estate/options/{id}", tag = "estate",
    params(OptionPath),
    request_body = EstateOption,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Changed", body = EstateOption),
        BadRequest, Unauthorised, Forbidden, NotFound, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_change_option(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<OptionPath>,
    JsonBody(o): JsonBody<EstateOption>,
) -> Result<Json<EstateOption>, ApiError> {
    state.store.estate().option(&u.viewer, &p.id).await?;
    if o.id != p.id {
        return Err(ApiError::unprocessable("id", "The id in the body must be the option's id in the address"));
    }
    Ok(Json(state.store.estate().save_option(&u.viewer, o).await?))
}

/// The options at a site: those its response level holds and any decided.
#[utoipa::path(get, path = "/sites/{id}/options", tag = "estate",
    params(SitePath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The site's options", body = SiteOptionsBody), Unauthorised, Forbidden, NotFound))]
pub async fn api_site_options(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<SitePath>,
) -> Result<Json<SiteOptionsBody>, ApiError> {
    let site = state.store.estate().get(&u.viewer, &p.id).await?;
    let decisions = state.store.estate().decisions(&u.viewer, &p.id).await?;
    let menu = state.store.estate().menu(&u.viewer).await?;
    Ok(Json(SiteOptionsBody {
        site_id: site.id.to_string(),
        response_level: site.response_level,
        items: site_options(&menu, &site, &decisions),
    }))
}

/// Record that an option is in force at a site, or declined (with the
/// reason), or withdraw the decision with `"decision": null` (estates managers).
#[utoipa::path(put, path = "/sites/{id}/options/{option_id}", tag = "estate",
    params(SiteOptionPath),
    request_body = DecisionBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The site's options after the change", body = SiteOptionsBody),
        BadRequest, Unauthorised, Forbidden, NotFound, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_decide(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<SiteOptionPath>,
    JsonBody(b): JsonBody<DecisionBody>,
) -> Result<Json<SiteOptionsBody>, ApiError> {
    let decision = read_decision(b.decision.as_deref())?;
    state.store.estate().get(&u.viewer, &p.id).await?;
    if state.store.estate().menu(&u.viewer).await?.iter().all(|o| o.id != p.option_id) {
        return Err(ApiError::not_found("no such option on the menu"));
    }
    state.store.estate().decide(&u.viewer, &p.id, &p.option_id, decision, &b.reason).await?;
    api_site_options(State(state), ApiUser(u), Path(SitePath { id: p.id })).await
}

/// What a response level would cost the force, by site and by division, before anyone commits.
#[utoipa::path(get, path = "/estate/resource-implications", tag = "estate",
    params(LevelQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The resource implications", body = ImplicationsBody),
        BadRequest, Unauthorised, Forbidden, Unprocessable))]
pub async fn api_implications(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<LevelQuery>,
) -> Result<Json<ImplicationsBody>, ApiError> {
    let level = read_level(q.level.as_deref())?;
    Ok(Json(state.store.estate().resource_implications(&u.viewer, level).await?.into()))
}

async fn plan_body(state: &AppState, u: &CurrentUser) -> Result<CriticalPlanBody, ApiError> {
    let record = state.store.estate().critical_plan(&u.viewer).await?;
    let open = state.store.estate().activations(&u.viewer).await?.into_iter().find(Activation::open);
    let offer = critical::offer_activation(state.store.estate().threat_level_now().await?, open.is_some());
    Ok(match record {
        Some(PlanRecord { plan, saved_by_name, saved_at, review_overdue }) => CriticalPlanBody {
            plan: Some(plan),
            saved_by_name: Some(saved_by_name),
            saved_at: Some(saved_at),
            review_overdue,
            offer_activation: offer,
            open_activation: open.map(|a| a.id.to_string()),
        },
        None => CriticalPlanBody {
            plan: None,
            saved_by_name: None,
            saved_at: None,
            review_overdue: false,
            offer_activation: offer,
            open_activation: open.map(|a| a.id.to_string()),
        },
    })
}

/// The move-to-critical contingency plan, and whether activating it is offered.
#[utoipa::path(get, path = "/estate/critical-plan", tag = "estate",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The plan (null until recorded)", body = CriticalPlanBody), Unauthorised, Forbidden))]
pub async fn api_plan(State(state): State<AppState>, ApiUser(u): ApiUser) -> Result<Json<CriticalPlanBody>, ApiError> {
    Ok(Json(plan_body(&state, &u).await?))
}

/// Record or change the move-to-critical plan (estates managers, strategic commanders).
#[utoipa::path(put, path = "/estate/critical-plan", tag = "estate",
    request_body = CriticalPlan,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Saved", body = CriticalPlanBody),
        BadRequest, Unauthorised, Forbidden, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_save_plan(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    JsonBody(p): JsonBody<CriticalPlan>,
) -> Result<Json<CriticalPlanBody>, ApiError> {
    state.store.estate().save_critical_plan(&u.viewer, p).await?;
    Ok(Json(plan_body(&state, &u).await?))
}

/// The activations of the plan, newest first.
#[utoipa::path(get, path = "/estate/activations", tag = "estate",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Every activation", body = Complete<ActivationBody>), Unauthorised, Forbidden))]
pub async fn api_activations(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<Complete<ActivationBody>>, ApiError> {
    let items = state.store.estate().activations(&u.viewer).await?;
    Ok(Json(Complete::new(items.into_iter().map(ActivationBody::from).collect())))
}

/// Activate the plan: its checklist becomes the activation's. 409 while
/// another is open or before a plan is recorded.
#[utoipa::path(post, path = "/estate/activations", tag = "estate",
    request_body = ReasonBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Activated", body = ActivationBody),
        BadRequest, Unauthorised, Forbidden, Conflict, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_activate(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    JsonBody(b): JsonBody<ReasonBody>,
) -> Result<(StatusCode, Json<ActivationBody>), ApiError> {
    let a = state.store.estate().activate(&u.viewer, &b.reason).await?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

/// One activation, with its checklist.
#[utoipa::path(get, path = "/estate/activations/{id}", tag = "estate",
    params(ActivationPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The activation", body = ActivationBody), Unauthorised, Forbidden, NotFound))]
pub async fn api_activation(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<ActivationPath>,
) -> Result<Json<ActivationBody>, ApiError> {
    Ok(Json(state.store.estate().activation(&u.viewer, &p.id).await?.into()))
}

/// Record a step of the checklist done: 201, or 200 when it already was.
#[utoipa::path(post, path = "/estate/activations/{id}/steps/{step}", tag = "estate",
    params(StepPath),
    request_body = NoteBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Done", body = ActivationBody),
        (status = 200, description = "Already done: nothing changed", body = ActivationBody),
        BadRequest, Unauthorised, Forbidden, NotFound, Conflict, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_step_done(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<StepPath>,
    JsonBody(b): JsonBody<NoteBody>,
) -> Result<(StatusCode, Json<ActivationBody>), ApiError> {
    let (now, a) = state.store.estate().step_done(&u.viewer, &p.id, p.step, &b.note).await?;
    Ok((if now { StatusCode::CREATED } else { StatusCode::OK }, Json(a.into())))
}

/// Stand an activation down, with the reason.
#[utoipa::path(post, path = "/estate/activations/{id}/stand-down", tag = "estate",
    params(ActivationPath),
    request_body = ReasonBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Stood down", body = ActivationBody),
        BadRequest, Unauthorised, Forbidden, NotFound, Conflict, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_stand_down(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<ActivationPath>,
    JsonBody(b): JsonBody<ReasonBody>,
) -> Result<Json<ActivationBody>, ApiError> {
    Ok(Json(state.store.estate().stand_down(&u.viewer, &p.id, &b.reason).await?.into()))
}

/// This capability's API operations.
pub fn api() -> ApiRoutes {
    ApiRoutes::new()
        .routes(routes!(api_menu, api_add_option))
        .routes(routes!(api_change_option))
        .routes(routes!(api_site_options))
        .routes(routes!(api_decide))
        .routes(routes!(api_implications))
        .routes(routes!(api_plan, api_save_plan))
        .routes(routes!(api_activations, api_activate))
        .routes(routes!(api_activation))
        .routes(routes!(api_step_done))
        .routes(routes!(api_stand_down))
}

// ---- Pages ----

fn page_error(e: StoreError, u: &CurrentUser) -> Response {
    match e {
        StoreError::NotFound { .. } => crate::pages::not_found_for(Some(u)),
        e => ApiError::from(e).into_response(),
    }
}

fn layout(title: impl Into<String>, u: &CurrentUser) -> Layout {
    Layout::for_user(title, OPTIONS_MARKING, "/sites", Some(u))
}

fn status_of(e: &StoreError) -> StatusCode {
    match e {
        StoreError::Forbidden(_) => StatusCode::FORBIDDEN,
        StoreError::Conflict(_) | StoreError::Stale(_) => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

use cordon_domain::martyns_law::pounds;

fn hours(h: f64) -> String {
    if h.fract() == 0.0 {
        format!("{h:.0}")
    } else {
        format!("{h:.1}")
    }
}

fn when(at: &str) -> String {
    cordon_domain::reference::parse_date(at.get(..10).unwrap_or(at))
        .map(cordon_domain::london::display_date)
        .unwrap_or_else(|_| at.to_string())
}

/// An option as the pages show it.
pub struct OptionView {
    id: String,
    title: String,
    levels: String,
    hours: String,
    cost: String,
    training: String,
    instruction: String,
    retired: bool,
}

impl From<&EstateOption> for OptionView {
    fn from(o: &EstateOption) -> Self {
        OptionView {
            id: o.id.clone(),
            title: o.title.clone(),
            levels: o.levels.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(", "),
            hours: hours(o.hours_per_day),
            cost: pounds(u64::from(o.cost_per_day)),
            training: if o.training.is_empty() { "None".into() } else { o.training.clone() },
            instruction: o.instruction.clone(),
            retired: o.retired,
        }
    }
}

#[derive(Template)]
#[template(path = "estate_options.html")]
struct MenuPage {
    layout: Layout,
    items: Vec<OptionView>,
    may_keep: bool,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// `GET /estate/options`: the menu of options.
pub async fn page_menu(State(state): State<AppState>, PageUser(u): PageUser, Query(d): Query<DoneQuery>) -> Response {
    let menu = match state.store.estate().menu(&u.viewer).await {
        Ok(m) => m,
        Err(e) => return page_error(e, &u),
    };
    let notice = d.done.map(|id| match menu.iter().find(|o| o.id == id) {
        Some(o) => format!("Saved: {}.", o.title),
        None => "Saved.".into(),
    });
    render(
        StatusCode::OK,
        &MenuPage {
            layout: layout("Menu of options", &u),
            items: menu.iter().map(OptionView::from).collect(),
            may_keep: u.viewer.may(estate::OPTIONS_KEEP),
            notice,
        },
    )
}

#[derive(Template)]
#[template(path = "estate_option_form.html")]
struct OptionForm {
    layout: Layout,
    errors: FormErrors,
    /// None when adding.
    existing: Option<String>,
    option_id: String,
    title: String,
    levels: Vec<(&'static str, bool)>,
    hours: String,
    cost: String,
    training: String,
    instruction: String,
    retired: bool,
}

fn option_form(
    u: &CurrentUser,
    status: StatusCode,
    errors: FormErrors,
    existing: Option<String>,
    f: &Fields,
) -> Response {
    let chosen: Vec<String> = f.iter().filter(|(k, _)| k == "levels").map(|(_, v)| v.clone()).collect();
    let heading = if existing.is_some() { "Change an option" } else { "Add an option to the menu" };
    let title = if errors.is_empty() { heading.to_string() } else { format!("Error: {heading}") };
    render(
        status,
        &OptionForm {
            layout: layout(title, u),
            errors,
            existing,
            option_id: field(f, "id"),
            title: field(f, "title"),
            levels: ResponseLevel::ALL.iter().map(|l| (l.as_str(), chosen.iter().any(|c| c == l.as_str()))).collect(),
            hours: field(f, "hours_per_day"),
            cost: field(f, "cost_per_day"),
            training: field(f, "training"),
            instruction: field(f, "instruction"),
            retired: field(f, "retired") == "yes",
        },
    )
}

fn option_fields(o: &EstateOption) -> Fields {
    let mut f: Fields = vec![
        ("id".into(), o.id.clone()),
        ("title".into(), o.title.clone()),
        ("hours_per_day".into(), hours(o.hours_per_day)),
        ("cost_per_day".into(), o.cost_per_day.to_string()),
        ("training".into(), o.training.clone()),
        ("instruction".into(), o.instruction.clone()),
    ];
    if o.retired {
        f.push(("retired".into(), "yes".into()));
    }
    f.extend(o.levels.iter().map(|l| ("levels".to_string(), l.as_str().to_string())));
    f
}

fn read_option(f: &Fields, id: String) -> Result<EstateOption, FormErrors> {
    let hours: f64 = field(f, "hours_per_day")
        .trim()
        .parse()
        .map_err(|_| FormErrors::one("hours_per_day", "Enter the hours per day as a number, such as 8 or 2.5"))?;
    let cost_text = field(f, "cost_per_day").trim().trim_start_matches('£').replace(',', "");
    let cost: u32 = cost_text
        .parse()
        .map_err(|_| FormErrors::one("cost_per_day", "Enter the cost per day in whole pounds, such as 120"))?;
    let levels = f
        .iter()
        .filter(|(k, _)| k == "levels")
        .map(|(_, v)| v.parse::<ResponseLevel>().map_err(|_| FormErrors::one("levels", "Choose a response level")))
        .collect::<Result<Vec<_>, _>>()?;
    let o = EstateOption {
        id,
        title: field(f, "title").trim().to_string(),
        levels,
        hours_per_day: hours,
        cost_per_day: cost,
        training: field(f, "training").trim().to_string(),
        instruction: field(f, "instruction").trim().to_string(),
        retired: field(f, "retired") == "yes",
    };
    o.check().map_err(|e| FormErrors::one(if e.field == "levels" { "levels" } else { e.field }, e.message))?;
    Ok(o)
}

fn may_keep_options(u: &CurrentUser) -> Option<Response> {
    (!u.viewer.may(estate::OPTIONS_KEEP)).then(|| {
        ApiError::from(StoreError::Forbidden("only an estates manager may change the menu of options".into()))
            .into_response()
    })
}

/// `GET /estate/options/new`.
pub async fn page_new_option(PageUser(u): PageUser) -> Response {
    if let Some(r) = may_keep_options(&u) {
        return r;
    }
    option_form(&u, StatusCode::OK, FormErrors::default(), None, &Vec::new())
}

/// `POST /estate/options/new`.
pub async fn page_add_option(
    State(state): State<AppState>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let id = field(&f, "id").trim().to_lowercase();
    let o = match read_option(&f, id) {
        Ok(o) => o,
        Err(errors) => return option_form(&u, StatusCode::UNPROCESSABLE_ENTITY, errors, None, &f),
    };
    match state.store.estate().menu(&u.viewer).await {
        Ok(menu) if menu.iter().any(|x| x.id == o.id) => {
            let errors = FormErrors::one("id", "The menu already has an option with that identifier: choose another");
            return option_form(&u, StatusCode::UNPROCESSABLE_ENTITY, errors, None, &f);
        }
        Ok(_) => {}
        Err(e) => return page_error(e, &u),
    }
    match state.store.estate().save_option(&u.viewer, o).await {
        Ok(o) => Redirect::to(&format!("/estate/options?done={}", o.id)).into_response(),
        Err(e) => {
            let status = status_of(&e);
            match FormErrors::from_store(e) {
                Ok(errors) => option_form(&u, status, errors, None, &f),
                Err(r) => r,
            }
        }
    }
}

/// `GET /estate/options/{id}/change`.
pub async fn page_change_option_form(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Response {
    let o = match state.store.estate().option(&u.viewer, &id).await {
        Ok(o) => o,
        Err(e) => return page_error(e, &u),
    };
    if let Some(r) = may_keep_options(&u) {
        return r;
    }
    option_form(&u, StatusCode::OK, FormErrors::default(), Some(o.id.clone()), &option_fields(&o))
}

/// `POST /estate/options/{id}/change`.
pub async fn page_change_option(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    if let Err(e) = state.store.estate().option(&u.viewer, &id).await {
        return page_error(e, &u);
    }
    let o = match read_option(&f, id.clone()) {
        Ok(o) => o,
        Err(errors) => return option_form(&u, StatusCode::UNPROCESSABLE_ENTITY, errors, Some(id), &f),
    };
    match state.store.estate().save_option(&u.viewer, o).await {
        Ok(o) => Redirect::to(&format!("/estate/options?done={}", o.id)).into_response(),
        Err(e) => {
            let status = status_of(&e);
            match FormErrors::from_store(e) {
                Ok(errors) => option_form(&u, status, errors, Some(id), &f),
                Err(r) => r,
            }
        }
    }
}

/// The options section of a site's page.
pub struct SiteOptionLine {
    pub option_id: String,
    pub title: String,
    pub status: String,
    pub by: String,
    pub considered: bool,
}

/// The options lines of a site for its page, or none when the viewer may not
/// read the options (they see the staff instructions instead).
pub async fn site_option_lines(
    state: &AppState,
    u: &CurrentUser,
    site: &Site,
) -> Result<Option<Vec<SiteOptionLine>>, StoreError> {
    if cordon_domain::access::permit_marked(&u.viewer, estate::OPTIONS_READ, OPTIONS_MARKING).is_err() {
        return Ok(None);
    }
    let menu = state.store.estate().menu(&u.viewer).await?;
    let decisions = state.store.estate().decisions(&u.viewer, &site.id).await?;
    Ok(Some(
        site_options(&menu, site, &decisions)
            .into_iter()
            .map(|o| SiteOptionLine {
                status: match o.decision {
                    Some(Decision::InForce) => "In force".into(),
                    Some(Decision::Declined) => format!("Declined: {}", o.reason),
                    None => "Not decided".into(),
                },
                by: match (&o.by_name, &o.at) {
                    (Some(n), Some(at)) => format!("{n}, {}", when(at)),
                    _ => String::new(),
                },
                option_id: o.option_id,
                title: o.title,
                considered: o.considered_at_level,
            })
            .collect(),
    ))
}

#[derive(Template)]
#[template(path = "site_option_form.html")]
struct DecisionForm {
    layout: Layout,
    errors: FormErrors,
    site_id: String,
    site_name: String,
    response_level: String,
    o: OptionView,
    decision: String,
    reason: String,
    decided: bool,
}

async fn decision_form(
    state: &AppState,
    u: &CurrentUser,
    site: &SiteId,
    option_id: &str,
    status: StatusCode,
    errors: FormErrors,
    typed: Option<(String, String)>,
) -> Response {
    let s = match state.store.estate().get(&u.viewer, site).await {
        Ok(s) => s,
        Err(e) => return page_error(e, u),
    };
    let o = match state.store.estate().option(&u.viewer, option_id).await {
        Ok(o) => o,
        Err(e) => return page_error(e, u),
    };
    let current = match state.store.estate().decisions(&u.viewer, site).await {
        Ok(d) => d.into_iter().find(|d| d.option_id == option_id),
        Err(e) => return page_error(e, u),
    };
    let (decision, reason) = typed.unwrap_or_else(|| match &current {
        Some(d) => (d.decision.as_str().to_string(), d.reason.clone()),
        None => (String::new(), String::new()),
    });
    let title =
        if errors.is_empty() { format!("{}: {}", s.name, o.title) } else { format!("Error: {}: {}", s.name, o.title) };
    render(
        status,
        &DecisionForm {
            layout: layout(title, u),
            errors,
            site_id: s.id.to_string(),
            site_name: s.name.clone(),
            response_level: s.response_level.to_string(),
            o: OptionView::from(&o),
            decision,
            reason,
            decided: current.is_some(),
        },
    )
}

/// `GET /sites/{id}/options/{option_id}`: record what is decided about an option at a site.
pub async fn page_decision_form(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, option_id)): Path<(SiteId, String)>,
) -> Response {
    if let Some(r) = may_keep_options(&u) {
        if state.store.estate().get(&u.viewer, &id).await.is_err() {
            return crate::pages::not_found_for(Some(&u));
        }
        return r;
    }
    decision_form(&state, &u, &id, &option_id, StatusCode::OK, FormErrors::default(), None).await
}

/// `POST /sites/{id}/options/{option_id}`.
pub async fn page_decide(
    State(state): State<AppState>,
    Path((id, option_id)): Path<(SiteId, String)>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let (d, reason) = (field(&f, "decision"), field(&f, "reason"));
    let decision = match d.as_str() {
        "withdraw" => None,
        other => match other.parse::<Decision>() {
            Ok(x) => Some(x),
            Err(_) => {
                let errors = FormErrors::one("decision", "Choose whether the option is in force or declined");
                return decision_form(
                    &state,
                    &u,
                    &id,
                    &option_id,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    errors,
                    Some((d, reason)),
                )
                .await;
            }
        },
    };
    match state.store.estate().decide(&u.viewer, &id, &option_id, decision, &reason).await {
        Ok(_) => Redirect::to(&format!("/sites/{id}?done=option")).into_response(),
        Err(StoreError::NotFound { .. }) => crate::pages::not_found_for(Some(&u)),
        Err(e) => {
            let status = status_of(&e);
            match FormErrors::from_store(e) {
                Ok(errors) => decision_form(&state, &u, &id, &option_id, status, errors, Some((d, reason))).await,
                Err(r) => r,
            }
        }
    }
}

/// A line of the resource implications tables.
pub struct CostLine {
    name: String,
    link: String,
    division: String,
    level: String,
    sites: i64,
    hours: String,
    cost: String,
    options: usize,
}

#[derive(Template)]
#[template(path = "estate_costs.html")]
struct CostsPage {
    layout: Layout,
    levels: Vec<(&'static str, bool)>,
    level: String,
    sites: i64,
    hours: String,
    cost: String,
    training: Vec<String>,
    divisions: Vec<CostLine>,
    site_lines: Vec<CostLine>,
}

/// `GET /estate/resource-implications?level=`: what a level would cost, before anyone commits.
pub async fn page_costs(State(state): State<AppState>, PageUser(u): PageUser, Query(q): Query<LevelQuery>) -> Response {
    let level = q.level.as_deref().and_then(|l| l.parse::<ResponseLevel>().ok()).unwrap_or(ResponseLevel::Exceptional);
    let i = match state.store.estate().resource_implications(&u.viewer, level).await {
        Ok(i) => i,
        Err(e) => return page_error(e, &u),
    };
    render(
        StatusCode::OK,
        &CostsPage {
            layout: layout(format!("Resource implications of {level}"), &u),
            levels: ResponseLevel::ALL.iter().map(|l| (l.as_str(), *l == level)).collect(),
            level: level.to_string(),
            sites: i.sites,
            hours: hours(i.total.hours_per_day),
            cost: pounds(i.total.cost_per_day),
            training: i.total.training.iter().cloned().collect(),
            divisions: i
                .by_division
                .iter()
                .map(|d| CostLine {
                    name: d.division.clone(),
                    link: String::new(),
                    division: d.division.clone(),
                    level: String::new(),
                    sites: d.sites,
                    hours: hours(d.costs.hours_per_day),
                    cost: pounds(d.costs.cost_per_day),
                    options: 0,
                })
                .collect(),
            site_lines: i
                .by_site
                .iter()
                .map(|s| CostLine {
                    name: s.name.clone(),
                    link: format!("/sites/{}", s.site_id),
                    division: s.division.clone(),
                    level: s.level.to_string(),
                    sites: 1,
                    hours: hours(s.costs.hours_per_day),
                    cost: pounds(s.costs.cost_per_day),
                    options: s.options.len(),
                })
                .collect(),
        },
    )
}

/// An activation as the pages list it.
pub struct ActivationLine {
    id: String,
    started: String,
    by: String,
    trigger: String,
    progress: String,
    state: String,
}

impl From<&Activation> for ActivationLine {
    fn from(a: &Activation) -> Self {
        ActivationLine {
            id: a.id.to_string(),
            started: when(&a.started_at),
            by: a.started_by_name.clone(),
            trigger: a.trigger.words().into(),
            progress: format!("{} of {} done", a.done, a.total),
            state: match &a.stood_down_at {
                Some(at) => format!("Stood down {}", when(at)),
                None => "Open".into(),
            },
        }
    }
}

#[derive(Template)]
#[template(path = "estate_critical.html")]
struct CriticalPage {
    layout: Layout,
    plan: Option<PlanRecord>,
    review: String,
    saved: String,
    offer: bool,
    open: Option<String>,
    threat_level: String,
    activations: Vec<ActivationLine>,
    may_act: bool,
    notice: Option<String>,
}

/// `GET /estate/critical`: the move-to-critical plan and its activations.
pub async fn page_critical(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(d): Query<DoneQuery>,
) -> Response {
    let plan = match state.store.estate().critical_plan(&u.viewer).await {
        Ok(p) => p,
        Err(e) => return page_error(e, &u),
    };
    let activations = match state.store.estate().activations(&u.viewer).await {
        Ok(a) => a,
        Err(e) => return page_error(e, &u),
    };
    let level = match state.store.estate().threat_level_now().await {
        Ok(l) => l,
        Err(e) => return page_error(e, &u),
    };
    let open = activations.iter().find(|a| a.open()).map(|a| a.id.to_string());
    render(
        StatusCode::OK,
        &CriticalPage {
            layout: layout("Move to critical", &u),
            review: plan.as_ref().map(|p| when(&p.plan.review_date)).unwrap_or_default(),
            saved: plan.as_ref().map(|p| format!("{}, {}", p.saved_by_name, when(&p.saved_at))).unwrap_or_default(),
            plan,
            offer: critical::offer_activation(level, open.is_some()),
            open,
            threat_level: level.map(|l| l.to_string()).unwrap_or_else(|| "none recorded".into()),
            activations: activations.iter().map(ActivationLine::from).collect(),
            may_act: u.viewer.may(estate::CRITICAL),
            notice: match d.done.as_deref() {
                Some("saved") => Some("The plan is saved.".into()),
                _ => None,
            },
        },
    )
}

#[derive(Template)]
#[template(path = "estate_critical_form.html")]
struct PlanForm {
    layout: Layout,
    errors: FormErrors,
    reference: String,
    title: String,
    owner: String,
    version: String,
    location: String,
    day: String,
    month: String,
    year: String,
    checklist: String,
}

fn plan_form(u: &CurrentUser, status: StatusCode, errors: FormErrors, f: &Fields) -> Response {
    let title = if errors.is_empty() { "The move-to-critical plan" } else { "Error: The move-to-critical plan" };
    render(
        status,
        &PlanForm {
            layout: layout(title, u),
            errors,
            reference: field(f, "reference"),
            title: field(f, "title"),
            owner: field(f, "owner"),
            version: field(f, "version"),
            location: field(f, "location"),
            day: field(f, "review_date-day"),
            month: field(f, "review_date-month"),
            year: field(f, "review_date-year"),
            checklist: field(f, "checklist"),
        },
    )
}

fn may_act(u: &CurrentUser) -> Option<Response> {
    (!u.viewer.may(estate::CRITICAL)).then(|| {
        ApiError::from(StoreError::Forbidden(
            "only an estates manager or a strategic commander may change or work the move-to-critical plan".into(),
        ))
        .into_response()
    })
}

/// `GET /estate/critical/change`.
pub async fn page_plan_form(State(state): State<AppState>, PageUser(u): PageUser) -> Response {
    if let Some(r) = may_act(&u) {
        return r;
    }
    let plan = match state.store.estate().critical_plan(&u.viewer).await {
        Ok(p) => p,
        Err(e) => return page_error(e, &u),
    };
    let f: Fields = match plan {
        Some(p) => {
            let d = cordon_domain::reference::parse_date(&p.plan.review_date).ok();
            vec![
                ("reference".into(), p.plan.reference.clone()),
                ("title".into(), p.plan.title.clone()),
                ("owner".into(), p.plan.owner.clone()),
                ("version".into(), p.plan.version.clone()),
                ("location".into(), p.plan.location.clone()),
                ("review_date-day".into(), d.map(|d| d.day().to_string()).unwrap_or_default()),
                ("review_date-month".into(), d.map(|d| (d.month() as u8).to_string()).unwrap_or_default()),
                ("review_date-year".into(), d.map(|d| d.year().to_string()).unwrap_or_default()),
                ("checklist".into(), critical::checklist_text(&p.plan.checklist)),
            ]
        }
        None => Vec::new(),
    };
    plan_form(&u, StatusCode::OK, FormErrors::default(), &f)
}

/// `POST /estate/critical/change`.
pub async fn page_save_plan(
    State(state): State<AppState>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let review = match crate::dates::read_date(&f, "review_date", "Review date") {
        Ok(d) => d,
        Err(p) => return plan_form(&u, StatusCode::UNPROCESSABLE_ENTITY, FormErrors::one(&p.field, p.message), &f),
    };
    let checklist: Vec<ChecklistItem> = match critical::parse_checklist(&field(&f, "checklist")) {
        Ok(c) => c,
        Err(e) => return plan_form(&u, StatusCode::UNPROCESSABLE_ENTITY, FormErrors::one(e.field, e.message), &f),
    };
    let plan = CriticalPlan {
        reference: field(&f, "reference").trim().to_string(),
        title: field(&f, "title").trim().to_string(),
        owner: field(&f, "owner").trim().to_string(),
        version: field(&f, "version").trim().to_string(),
        review_date: cordon_domain::reference::format_date(review),
        location: field(&f, "location").trim().to_string(),
        checklist,
    };
    match state.store.estate().save_critical_plan(&u.viewer, plan).await {
        Ok(_) => Redirect::to("/estate/critical?done=saved").into_response(),
        Err(e) => {
            let status = status_of(&e);
            match FormErrors::from_store(e) {
                Ok(errors) => {
                    let errors = match errors.0.first() {
                        Some((f, m)) if f == "review_date" => FormErrors::one("review_date-day", m.clone()),
                        _ => errors,
                    };
                    plan_form(&u, status, errors, &f)
                }
                Err(r) => r,
            }
        }
    }
}

#[derive(Template)]
#[template(path = "estate_activate.html")]
struct ActivatePage {
    layout: Layout,
    errors: FormErrors,
    plan: Option<PlanRecord>,
    open: Option<String>,
    threat_level: String,
    reason: String,
}

async fn activate_page(
    state: &AppState,
    u: &CurrentUser,
    status: StatusCode,
    errors: FormErrors,
    reason: String,
) -> Response {
    let plan = match state.store.estate().critical_plan(&u.viewer).await {
        Ok(p) => p,
        Err(e) => return page_error(e, u),
    };
    let open = match state.store.estate().activations(&u.viewer).await {
        Ok(a) => a.into_iter().find(Activation::open).map(|a| a.id.to_string()),
        Err(e) => return page_error(e, u),
    };
    let level = state.store.estate().threat_level_now().await.ok().flatten();
    let title = if errors.is_empty() {
        "Activate the move-to-critical plan?"
    } else {
        "Error: Activate the move-to-critical plan?"
    };
    render(
        status,
        &ActivatePage {
            layout: layout(title, u),
            errors,
            plan,
            open,
            threat_level: level.map(|l| l.to_string()).unwrap_or_else(|| "none recorded".into()),
            reason,
        },
    )
}

/// `GET /estate/critical/activate`: asks to confirm, with the reason.
pub async fn page_activate_form(State(state): State<AppState>, PageUser(u): PageUser) -> Response {
    if let Some(r) = may_act(&u) {
        return r;
    }
    let reason = match state.store.estate().threat_level_now().await {
        Ok(Some(ThreatLevel::Critical)) => "The threat level is CRITICAL".to_string(),
        _ => String::new(),
    };
    activate_page(&state, &u, StatusCode::OK, FormErrors::default(), reason).await
}

/// `POST /estate/critical/activate`.
pub async fn page_activate(State(state): State<AppState>, CheckedForm { user: u, fields: f }: CheckedForm) -> Response {
    let reason = field(&f, "reason");
    match state.store.estate().activate(&u.viewer, &reason).await {
        Ok(a) => Redirect::to(&format!("/estate/activations/{}", a.id)).into_response(),
        Err(e) => {
            let status = status_of(&e);
            match FormErrors::from_store(e) {
                Ok(errors) => activate_page(&state, &u, status, errors, reason).await,
                Err(r) => r,
            }
        }
    }
}

/// A step as the activation page shows it.
pub struct StepLine {
    step: u32,
    number: u32,
    action: String,
    owner_role: String,
    done: Option<String>,
    note: String,
}

#[derive(Template)]
#[template(path = "estate_activation.html")]
struct ActivationPage {
    layout: Layout,
    a: ActivationLine,
    reason: String,
    threat_level: String,
    open: bool,
    stood_down: String,
    done: i64,
    total: i64,
    percent: i64,
    steps: Vec<StepLine>,
    may_act: bool,
    errors: FormErrors,
}

fn activation_page(u: &CurrentUser, a: &Activation, status: StatusCode, errors: FormErrors) -> Response {
    render(
        status,
        &ActivationPage {
            layout: layout(format!("Activation of {}", when(&a.started_at)), u),
            a: ActivationLine::from(a),
            reason: a.reason.clone(),
            threat_level: a.threat_level.map(|l| l.to_string()).unwrap_or_else(|| "none recorded".into()),
            open: a.open(),
            stood_down: match (&a.stood_down_by_name, &a.stood_down_at, &a.stood_down_reason) {
                (Some(n), Some(at), Some(r)) => format!("Stood down by {n} on {}: {r}", when(at)),
                _ => String::new(),
            },
            done: a.done,
            total: a.total,
            percent: if a.total == 0 { 0 } else { a.done * 100 / a.total },
            steps: a
                .steps
                .iter()
                .map(|s| StepLine {
                    step: s.step,
                    number: s.step + 1,
                    action: s.action.clone(),
                    owner_role: s.owner_role.clone(),
                    done: match (&s.done_by_name, &s.done_at) {
                        (Some(n), Some(at)) => Some(format!("Done by {n} at {}", clock(at))),
                        (None, Some(at)) => Some(format!("Done at {}", clock(at))),
                        _ => None,
                    },
                    note: s.note.clone().unwrap_or_default(),
                })
                .collect(),
            may_act: u.viewer.may(estate::CRITICAL),
            errors,
        },
    )
}

/// A time in words: "14:05 on 3 December 2026" (London time).
fn clock(at: &str) -> String {
    match time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339) {
        Ok(t) => {
            let (local, _) = cordon_domain::london::to_london(t);
            format!(
                "{:02}:{:02} on {}",
                local.hour(),
                local.minute(),
                cordon_domain::london::display_date(local.date())
            )
        }
        Err(_) => at.to_string(),
    }
}

/// `GET /estate/activations/{id}`: an activation's progress through its checklist.
pub async fn page_activation(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<ActivationId>,
) -> Response {
    match state.store.estate().activation(&u.viewer, &id).await {
        Ok(a) => activation_page(&u, &a, StatusCode::OK, FormErrors::default()),
        Err(e) => page_error(e, &u),
    }
}

/// `POST /estate/activations/{id}/steps/{step}`: one click marks a step done.
pub async fn page_step_done(
    State(state): State<AppState>,
    Path((id, step)): Path<(ActivationId, u32)>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    match state.store.estate().step_done(&u.viewer, &id, step, &field(&f, "note")).await {
        Ok(_) => Redirect::to(&format!("/estate/activations/{id}#step-{step}")).into_response(),
        Err(StoreError::NotFound { .. }) => crate::pages::not_found_for(Some(&u)),
        Err(e) => {
            let status = status_of(&e);
            match (FormErrors::from_store(e), state.store.estate().activation(&u.viewer, &id).await) {
                (Ok(errors), Ok(a)) => activation_page(&u, &a, status, errors),
                (Err(r), _) => r,
                (_, Err(e)) => page_error(e, &u),
            }
        }
    }
}

#[derive(Template)]
#[template(path = "estate_stand_down.html")]
struct StandDownPage {
    layout: Layout,
    errors: FormErrors,
    a: ActivationLine,
    open: bool,
    left: i64,
    reason: String,
}

fn stand_down_page(
    u: &CurrentUser,
    a: &Activation,
    status: StatusCode,
    errors: FormErrors,
    reason: String,
) -> Response {
    let title = if errors.is_empty() { "Stand down the activation?" } else { "Error: Stand down the activation?" };
    render(
        status,
        &StandDownPage {
            layout: layout(title, u),
            errors,
            a: ActivationLine::from(a),
            open: a.open(),
            left: a.total - a.done,
            reason,
        },
    )
}

/// `GET /estate/activations/{id}/stand-down`: asks to confirm, with the reason.
pub async fn page_stand_down_form(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<ActivationId>,
) -> Response {
    let a = match state.store.estate().activation(&u.viewer, &id).await {
        Ok(a) => a,
        Err(e) => return page_error(e, &u),
    };
    if let Some(r) = may_act(&u) {
        return r;
    }
    stand_down_page(&u, &a, StatusCode::OK, FormErrors::default(), String::new())
}

/// `POST /estate/activations/{id}/stand-down`.
pub async fn page_stand_down(
    State(state): State<AppState>,
    Path(id): Path<ActivationId>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let reason = field(&f, "reason");
    match state.store.estate().stand_down(&u.viewer, &id, &reason).await {
        Ok(_) => Redirect::to(&format!("/estate/activations/{id}")).into_response(),
        Err(StoreError::NotFound { .. }) => crate::pages::not_found_for(Some(&u)),
        Err(e) => {
            let status = status_of(&e);
            match (FormErrors::from_store(e), state.store.estate().activation(&u.viewer, &id).await) {
                (Ok(errors), Ok(a)) => stand_down_page(&u, &a, status, errors, reason),
                (Err(r), _) => r,
                (_, Err(e)) => page_error(e, &u),
            }
        }
    }
}

/// This capability's pages.
pub fn pages() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/estate/options", get(page_menu))
        .route("/estate/options/new", get(page_new_option).post(page_add_option))
        .route("/estate/options/{id}/change", get(page_change_option_form).post(page_change_option))
        .route("/sites/{id}/options/{option_id}", get(page_decision_form).post(page_decide))
        .route("/estate/resource-implications", get(page_costs))
        .route("/estate/critical", get(page_critical))
        .route("/estate/critical/change", get(page_plan_form).post(page_save_plan))
        .route("/estate/critical/activate", get(page_activate_form).post(page_activate))
        .route("/estate/activations/{id}", get(page_activation))
        .route("/estate/activations/{id}/steps/{step}", post(page_step_done))
        .route("/estate/activations/{id}/stand-down", get(page_stand_down_form).post(page_stand_down))
}
