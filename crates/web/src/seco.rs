//! Security coordinators (SECO): the roster, deployment requests with the
//! three criteria, the deployment authority's discussion, Gold's appointment
//! or decline, suggestions, vacancies and the deployment authority's
//! dashboard. Pages and API.

use crate::api::{
    ApiRoutes, BadRequest, Complete, Conflict, Forbidden, NotFound, PayloadTooLarge, Unauthorised, Unprocessable,
    UnsupportedMediaType,
};
use crate::auth::{ApiUser, CurrentUser, PageUser};
use crate::error::ApiError;
use crate::forms::{field, fields, CheckedForm, Fields};
use crate::json::JsonBody;
use crate::pages::{render, FormErrors, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use cordon_domain::ids::{DeploymentRequestId, EventId, Instant, OrganisationId, SecoId, UserId, VacancyId};
use cordon_domain::planned_event::EventKind;
use cordon_domain::seco::{
    Candidate, Criteria, Criterion, Discussion, Done, Excluded, PriorRole, Rank, RequestStatus, SecoInput, SecoStatus,
    Suggested, Vacancy,
};
use cordon_domain::Marking;
use cordon_store::seco::{Dashboard, DiscussionInput, NoteEntry, RequestInput, RequestRecord, RosterEntry};
use cordon_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

// ---- API bodies ----

/// A coordinator as sent.
#[derive(Deserialize, ToSchema)]
pub struct NewSecoBody {
    name: String,
    /// Their account's e-mail address, if they have one.
    #[serde(default)]
    user_email: Option<String>,
    /// `superintendent`, `chief_inspector` or `inspector` (`sergeant` and `constable` are refused).
    rank: String,
    /// `YYYY-MM-DD`, or null before the SECO course is passed.
    #[serde(default)]
    course_passed_on: Option<String>,
    /// `polsa` and `polsc`.
    #[serde(default)]
    prior_roles: Vec<String>,
    /// Event planning and command roles, one each.
    #[serde(default)]
    experience: Vec<String>,
    #[serde(default)]
    home_unit: String,
    /// `candidate`, `in_training`, `qualified`, `suspended` or `left`.
    status: String,
}

impl From<NewSecoBody> for SecoInput {
    fn from(b: NewSecoBody) -> Self {
        SecoInput {
            name: b.name,
            user_email: b.user_email,
            rank: b.rank,
            course_passed_on: b.course_passed_on,
            prior_roles: b.prior_roles,
            experience: b.experience,
            home_unit: b.home_unit,
            status: b.status,
        }
    }
}

/// A coordinator as the API gives them.
#[derive(Serialize, ToSchema)]
pub struct SecoBody {
    id: SecoId,
    name: String,
    user_email: Option<String>,
    rank: Rank,
    course_passed_on: Option<String>,
    prior_roles: Vec<PriorRole>,
    experience: Vec<String>,
    home_unit: String,
    status: SecoStatus,
    /// When the next annual performance review is due (`YYYY-MM-DD`); null before qualifying.
    annual_review_due: Option<String>,
    review_overdue: bool,
    last_review_on: Option<String>,
    tas_updated: Option<Done>,
    command_and_control_updated: Option<Done>,
    /// The deployment requests they stand appointed to.
    appointed_to: Vec<DeploymentRequestId>,
}

impl From<&RosterEntry> for SecoBody {
    fn from(e: &RosterEntry) -> Self {
        let s = &e.seco;
        SecoBody {
            id: s.id.clone(),
            name: s.name.clone(),
            user_email: s.user_email.clone(),
            rank: s.rank,
            course_passed_on: s.course_passed_on.clone(),
            prior_roles: s.prior_roles.clone(),
            experience: s.experience.clone(),
            home_unit: s.home_unit.clone(),
            status: s.status,
            annual_review_due: e.annual_review_due.clone(),
            review_overdue: e.review_overdue,
            last_review_on: e.last_review_on.clone(),
            tas_updated: s.tas_updated.clone(),
            command_and_control_updated: s.command_and_control_updated.clone(),
            appointed_to: e.appointments.iter().map(|a| a.0.clone()).collect(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SecoPath {
    /// The coordinator's id.
    id: SecoId,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RequestPath {
    /// The deployment request's id.
    id: DeploymentRequestId,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct VacancyPath {
    /// The vacancy's id.
    id: VacancyId,
}

/// A note on a coordinator.
#[derive(Deserialize, ToSchema)]
pub struct NoteBody {
    /// `assessment`, `annual_review` or `leave`.
    kind: String,
    /// `YYYY-MM-DD`: the day of the note or review, or the first day of leave.
    on: String,
    /// The last day of leave.
    #[serde(default)]
    until: Option<String>,
    #[serde(default)]
    text: String,
}

/// A note as recorded.
#[derive(Serialize, ToSchema)]
pub struct NoteResponse {
    kind: String,
    on: String,
    until: Option<String>,
    text: String,
    recorded_by: String,
}

impl From<&NoteEntry> for NoteResponse {
    fn from(n: &NoteEntry) -> Self {
        NoteResponse {
            kind: n.note.kind.as_str().into(),
            on: n.note.on.clone(),
            until: n.note.until.clone(),
            text: n.note.text.clone(),
            recorded_by: n.by_name.clone(),
        }
    }
}

/// A checklist item once qualified (SOP 5.4.2).
#[derive(Deserialize, ToSchema)]
pub struct ChecklistBody {
    /// `tas` or `command_and_control`.
    item: String,
}

/// The roster's national capacity.
#[derive(Deserialize, Serialize, ToSchema)]
pub struct CapacityBody {
    national_capacity: i64,
}

/// The organisation that is the caller's force's CTSU.
#[derive(Deserialize, Serialize, ToSchema)]
pub struct CtsuBody {
    ctsu_organisation_id: OrganisationId,
}

/// A deployment request as sent.
#[derive(Deserialize, ToSchema)]
pub struct NewRequestBody {
    /// An event in Cordon; its type, date and duration come from it, and it must have a Gold.
    event_id: String,
    /// Why a SECO is required.
    #[serde(default)]
    reason: String,
    /// The three appointment criteria (SOP 4.1), each met or not, with a rationale.
    #[serde(default)]
    criteria: Criteria,
    /// Needed when no criterion is met.
    #[serde(default)]
    override_reason: Option<String>,
    /// The (Home Office) force with the Gold command, when it is another force: it appoints the SECO (SOP 2.1).
    /// Without it, a Gold of another organisation than the event's makes it that organisation.
    #[serde(default)]
    gold_force: Option<String>,
}

/// A step of a request.
#[derive(Serialize, ToSchema)]
pub struct StepBody {
    what: String,
    by: String,
    at: Instant,
}

/// A deployment request as the API gives it.
#[derive(Serialize, ToSchema)]
pub struct RequestBody {
    id: DeploymentRequestId,
    status: RequestStatus,
    event_id: EventId,
    event_name: String,
    event_kind: EventKind,
    starts_at: Instant,
    ends_at: Instant,
    organisation: String,
    /// The CTSU whose deployment authority it is addressed to.
    addressed_to: String,
    reason: String,
    criteria: Criteria,
    override_reason: Option<String>,
    /// The event's Gold as the event stands now (who decides).
    gold_user_id: UserId,
    gold_name: String,
    gold_force: Option<String>,
    /// Who appoints the SECO, in words.
    appointed_by: String,
    discussion: Option<Discussion>,
    seco_id: Option<SecoId>,
    seco_name: Option<String>,
    justification: Option<String>,
    decision_reason: Option<String>,
    decided_by: Option<String>,
    decided_at: Option<Instant>,
    created_at: Instant,
    steps: Vec<StepBody>,
}

fn appointed_by(r: &RequestRecord) -> String {
    match &r.gold_force {
        Some(f) => format!("{f} holds the Gold command and appoints the SECO; {} supports", r.ctsu_name),
        None => format!("The event's Gold, {}, appoints the SECO after discussion with {}", r.gold_name, r.ctsu_name),
    }
}

impl From<&RequestRecord> for RequestBody {
    fn from(r: &RequestRecord) -> Self {
        let q = &r.request;
        RequestBody {
            id: q.id.clone(),
            status: r.status,
            event_id: q.event_id.clone(),
            event_name: q.event_name.clone(),
            event_kind: q.event_kind,
            starts_at: q.starts_at,
            ends_at: q.ends_at,
            organisation: r.organisation_name.clone(),
            addressed_to: r.ctsu_name.clone(),
            reason: q.reason.clone(),
            criteria: q.criteria.clone(),
            override_reason: q.override_reason.clone(),
            gold_user_id: r.gold_user_id.clone().unwrap_or_else(|| q.gold_user_id.clone()),
            gold_name: r.gold_name.clone(),
            gold_force: r.gold_force.clone(),
            appointed_by: appointed_by(r),
            discussion: r.discussion.clone(),
            seco_id: r.seco_id.clone(),
            seco_name: r.seco_name.clone(),
            justification: r.justification.clone(),
            decision_reason: r.decision_reason.clone(),
            decided_by: r.decided_by.clone(),
            decided_at: r.decided_at,
            created_at: r.created_at,
            steps: r.steps.iter().map(|s| StepBody { what: s.kind.clone(), by: s.by.clone(), at: s.at }).collect(),
        }
    }
}

/// The deployment authority's discussion with Gold.
#[derive(Deserialize, ToSchema)]
pub struct DiscussionBody {
    /// `YYYY-MM-DD`, not in the future.
    held_on: String,
    #[serde(default)]
    notes: String,
    /// `appoint` or `do_not_appoint`.
    recommendation: String,
    #[serde(default)]
    proposed_seco_id: Option<String>,
}

/// Gold's appointment.
#[derive(Deserialize, ToSchema)]
pub struct AppointmentBody {
    seco_id: String,
    /// Needed to appoint an Inspector (in extremis, SOP 5.4.3).
    #[serde(default)]
    justification: Option<String>,
}

/// A reason: to decline, withdraw or stand down.
#[derive(Deserialize, ToSchema)]
pub struct ReasonBody {
    #[serde(default)]
    reason: String,
}

/// Who is available for a request, and who is left out, each with reasons.
#[derive(Serialize, ToSchema)]
pub struct SuggestionsBody {
    items: Vec<Suggested>,
    excluded: Vec<Excluded>,
}

// ---- API handlers ----

/// The caller's organisation's roster of coordinators, with their annual reviews.
#[utoipa::path(get, path = "/secos", tag = "seco",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Every coordinator on the roster", body = Complete<SecoBody>), Unauthorised))]
pub async fn api_roster(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<Complete<SecoBody>>, ApiError> {
    let roster = state.store.seco().roster(&u.viewer).await?;
    Ok(Json(Complete::new(roster.iter().map(SecoBody::from).collect())))
}

/// Add a coordinator to the caller's roster (deployment authority).
#[utoipa::path(post, path = "/secos", tag = "seco",
    request_body = NewSecoBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Added", body = SecoBody), BadRequest, Unauthorised, Forbidden, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_add(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    JsonBody(b): JsonBody<NewSecoBody>,
) -> Result<(StatusCode, Json<SecoBody>), ApiError> {
    let e = state.store.seco().add(&u.viewer, b.into()).await?;
    Ok((StatusCode::CREATED, Json(SecoBody::from(&e))))
}

/// One coordinator of the caller's roster.
#[utoipa::path(get, path = "/secos/{id}", tag = "seco",
    params(SecoPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The coordinator", body = SecoBody), BadRequest, Unauthorised, NotFound))]
pub async fn api_get(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<SecoPath>,
) -> Result<Json<SecoBody>, ApiError> {
    Ok(Json(SecoBody::from(&state.store.seco().entry(&u.viewer, &p.id).await?)))
}

/// Change a coordinator (their status included): the whole record is sent.
#[utoipa::path(put, path = "/secos/{id}", tag = "seco",
    params(SecoPath),
    request_body = NewSecoBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Changed", body = SecoBody),
        BadRequest, Unauthorised, Forbidden, NotFound, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_change(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<SecoPath>,
    JsonBody(b): JsonBody<NewSecoBody>,
) -> Result<Json<SecoBody>, ApiError> {
    Ok(Json(SecoBody::from(&state.store.seco().change(&u.viewer, &p.id, b.into()).await?)))
}

/// A coordinator's continual-assessment notes, annual reviews and leave, newest first.
#[utoipa::path(get, path = "/secos/{id}/notes", tag = "seco",
    params(SecoPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The notes", body = Complete<NoteResponse>), BadRequest, Unauthorised, NotFound))]
pub async fn api_notes(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<SecoPath>,
) -> Result<Json<Complete<NoteResponse>>, ApiError> {
    let notes = state.store.seco().notes(&u.viewer, &p.id).await?;
    Ok(Json(Complete::new(notes.iter().map(NoteResponse::from).collect())))
}

/// Record a continual-assessment note, an annual review or leave (deployment authority).
#[utoipa::path(post, path = "/secos/{id}/notes", tag = "seco",
    params(SecoPath),
    request_body = NoteBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Recorded", body = NoteResponse),
        BadRequest, Unauthorised, Forbidden, NotFound, Conflict, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_add_note(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<SecoPath>,
    JsonBody(b): JsonBody<NoteBody>,
) -> Result<(StatusCode, Json<NoteResponse>), ApiError> {
    let mut n = state.store.seco().add_note(&u.viewer, &p.id, &b.kind, &b.on, b.until.as_deref(), &b.text).await?;
    n.by_name = u.user.name.clone();
    Ok((StatusCode::CREATED, Json(NoteResponse::from(&n))))
}

/// Record that TAS or Command & Control was updated for a qualified coordinator (SOP 5.4.2).
#[utoipa::path(post, path = "/secos/{id}/checklist", tag = "seco",
    params(SecoPath),
    request_body = ChecklistBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Recorded", body = SecoBody),
        BadRequest, Unauthorised, Forbidden, NotFound, Conflict, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_checklist(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<SecoPath>,
    JsonBody(b): JsonBody<ChecklistBody>,
) -> Result<Json<SecoBody>, ApiError> {
    Ok(Json(SecoBody::from(&state.store.seco().tick(&u.user, &u.viewer, &p.id, &b.item).await?)))
}

/// Set the roster's national capacity (deployment authority; four by default).
#[utoipa::path(put, path = "/seco-settings/capacity", tag = "seco",
    request_body = CapacityBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Set", body = CapacityBody), BadRequest, Unauthorised, Forbidden, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_capacity(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    JsonBody(b): JsonBody<CapacityBody>,
) -> Result<Json<CapacityBody>, ApiError> {
    let national_capacity = state.store.seco().set_capacity(&u.viewer, b.national_capacity).await?;
    Ok(Json(CapacityBody { national_capacity }))
}

/// Configure which organisation is the caller's force's CTSU (administrator).
#[utoipa::path(put, path = "/seco-settings/ctsu", tag = "seco",
    request_body = CtsuBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Configured", body = CtsuBody), BadRequest, Unauthorised, Forbidden, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_ctsu(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    JsonBody(b): JsonBody<CtsuBody>,
) -> Result<Json<CtsuBody>, ApiError> {
    state.store.seco().configure_ctsu(&u.viewer, &b.ctsu_organisation_id).await?;
    Ok(Json(b))
}

/// The deployment requests the caller may read, newest first.
#[utoipa::path(get, path = "/deployment-requests", tag = "seco",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The requests", body = Complete<RequestBody>), Unauthorised))]
pub async fn api_requests(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<Complete<RequestBody>>, ApiError> {
    let list = state.store.seco().requests(&u.viewer).await?;
    Ok(Json(Complete::new(list.iter().map(RequestBody::from).collect())))
}

fn request_input(b: NewRequestBody) -> RequestInput {
    RequestInput {
        event_id: b.event_id,
        reason: b.reason,
        criteria: b.criteria,
        override_reason: b.override_reason,
        gold_force: b.gold_force,
    }
}

/// Ask the deployment authority of the force's CTSU for a SECO for an event (SOP 5.1).
#[utoipa::path(post, path = "/deployment-requests", tag = "seco",
    request_body = NewRequestBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Submitted", body = RequestBody), BadRequest, Unauthorised, Forbidden, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_submit(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    JsonBody(b): JsonBody<NewRequestBody>,
) -> Result<(StatusCode, Json<RequestBody>), ApiError> {
    let r = state.store.seco().submit(&u.user, &u.viewer, request_input(b)).await?;
    Ok((StatusCode::CREATED, Json(RequestBody::from(&r))))
}

/// One deployment request, with its criteria, discussion, decision and every step.
#[utoipa::path(get, path = "/deployment-requests/{id}", tag = "seco",
    params(RequestPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The request", body = RequestBody), BadRequest, Unauthorised, NotFound))]
pub async fn api_request(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<RequestPath>,
) -> Result<Json<RequestBody>, ApiError> {
    Ok(Json(RequestBody::from(&state.store.seco().request(&u.viewer, &p.id).await?)))
}

/// Record the discussion with Gold (the deployment authority the request is addressed to).
#[utoipa::path(post, path = "/deployment-requests/{id}/discussion", tag = "seco",
    params(RequestPath),
    request_body = DiscussionBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Recorded: the request is under discussion", body = RequestBody),
        BadRequest, Unauthorised, Forbidden, NotFound, Conflict, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_discuss(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<RequestPath>,
    JsonBody(b): JsonBody<DiscussionBody>,
) -> Result<(StatusCode, Json<RequestBody>), ApiError> {
    let input = DiscussionInput {
        held_on: b.held_on,
        notes: b.notes,
        recommendation: b.recommendation,
        proposed_seco_id: b.proposed_seco_id,
    };
    let r = state.store.seco().discuss(&u.viewer, &p.id, input).await?;
    Ok((StatusCode::CREATED, Json(RequestBody::from(&r))))
}

/// Appoint a SECO (the event's Gold, after discussion; one SECO per event).
#[utoipa::path(post, path = "/deployment-requests/{id}/appointment", tag = "seco",
    params(RequestPath),
    request_body = AppointmentBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Appointed", body = RequestBody),
        BadRequest, Unauthorised, Forbidden, NotFound, Conflict, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_appoint(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<RequestPath>,
    JsonBody(b): JsonBody<AppointmentBody>,
) -> Result<(StatusCode, Json<RequestBody>), ApiError> {
    let r = state.store.seco().appoint(&u.viewer, &p.id, &b.seco_id, b.justification.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(RequestBody::from(&r))))
}

/// Decline to appoint a SECO, with the reason (the event's Gold, after discussion).
#[utoipa::path(post, path = "/deployment-requests/{id}/decline", tag = "seco",
    params(RequestPath),
    request_body = ReasonBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Declined", body = RequestBody),
        BadRequest, Unauthorised, Forbidden, NotFound, Conflict, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_decline(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<RequestPath>,
    JsonBody(b): JsonBody<ReasonBody>,
) -> Result<Json<RequestBody>, ApiError> {
    Ok(Json(RequestBody::from(&state.store.seco().decline(&u.viewer, &p.id, &b.reason).await?)))
}

/// Withdraw an open request (whoever made it, or the event's Gold).
#[utoipa::path(post, path = "/deployment-requests/{id}/withdrawal", tag = "seco",
    params(RequestPath),
    request_body = ReasonBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Withdrawn", body = RequestBody),
        BadRequest, Unauthorised, Forbidden, NotFound, Conflict, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_withdraw(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<RequestPath>,
    JsonBody(b): JsonBody<ReasonBody>,
) -> Result<Json<RequestBody>, ApiError> {
    Ok(Json(RequestBody::from(&state.store.seco().withdraw(&u.viewer, &p.id, &b.reason).await?)))
}

/// Stand the appointed SECO down, with the reason (the event's Gold).
#[utoipa::path(post, path = "/deployment-requests/{id}/stand-down", tag = "seco",
    params(RequestPath),
    request_body = ReasonBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Stood down", body = RequestBody),
        BadRequest, Unauthorised, Forbidden, NotFound, Conflict, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_stand_down(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<RequestPath>,
    JsonBody(b): JsonBody<ReasonBody>,
) -> Result<Json<RequestBody>, ApiError> {
    Ok(Json(RequestBody::from(&state.store.seco().stand_down(&u.viewer, &p.id, &b.reason).await?)))
}

/// Who is available for the request, in order, and who is left out, each with reasons in words.
#[utoipa::path(get, path = "/deployment-requests/{id}/suggestions", tag = "seco",
    params(RequestPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Suggested and excluded coordinators", body = SuggestionsBody),
        BadRequest, Unauthorised, NotFound))]
pub async fn api_suggestions(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<RequestPath>,
) -> Result<Json<SuggestionsBody>, ApiError> {
    let (items, excluded) = state.store.seco().suggestions(&u.viewer, &p.id).await?;
    Ok(Json(SuggestionsBody { items, excluded }))
}

/// A vacancy as sent: its candidates with their assessments, and the selection.
#[derive(Deserialize, ToSchema)]
pub struct VacancyBody {
    title: String,
    /// `YYYY-MM-DD`.
    opened_on: String,
    #[serde(default)]
    candidates: Vec<Candidate>,
    /// The name of the candidate selected.
    #[serde(default)]
    selected: Option<String>,
    #[serde(default)]
    rationale: String,
    /// The course cost, which lies with the CTSU (SOP 5.4.4), in pence.
    #[serde(default)]
    course_cost_pence: Option<i64>,
}

fn vacancy_of(b: VacancyBody, id: VacancyId, u: &CurrentUser) -> Vacancy {
    Vacancy {
        id,
        organisation_id: u.viewer.organisation_id.clone(),
        title: b.title,
        opened_on: b.opened_on,
        candidates: b.candidates,
        selected: b.selected.filter(|s| !s.trim().is_empty()),
        rationale: b.rationale,
        course_cost_pence: b.course_cost_pence,
    }
}

/// The caller's organisation's vacancies, newest first.
#[utoipa::path(get, path = "/seco-vacancies", tag = "seco",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The vacancies", body = Complete<Vacancy>), Unauthorised))]
pub async fn api_vacancies(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<Complete<Vacancy>>, ApiError> {
    Ok(Json(Complete::new(state.store.seco().vacancies(&u.viewer).await?)))
}

/// Open a vacancy with its candidates (deployment authority).
#[utoipa::path(post, path = "/seco-vacancies", tag = "seco",
    request_body = VacancyBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Opened", body = Vacancy), BadRequest, Unauthorised, Forbidden, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_open_vacancy(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    JsonBody(b): JsonBody<VacancyBody>,
) -> Result<(StatusCode, Json<Vacancy>), ApiError> {
    let v = vacancy_of(b, VacancyId::generate(), &u);
    Ok((StatusCode::CREATED, Json(state.store.seco().save_vacancy(&u.viewer, v).await?)))
}

/// Change a vacancy: its candidates, assessments and selection (the selection, once made, stands).
#[utoipa::path(put, path = "/seco-vacancies/{id}", tag = "seco",
    params(VacancyPath),
    request_body = VacancyBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Changed", body = Vacancy),
        BadRequest, Unauthorised, Forbidden, NotFound, Conflict, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_change_vacancy(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<VacancyPath>,
    JsonBody(b): JsonBody<VacancyBody>,
) -> Result<Json<Vacancy>, ApiError> {
    state.store.seco().vacancy(&u.viewer, &p.id).await?;
    let v = vacancy_of(b, p.id, &u);
    Ok(Json(state.store.seco().save_vacancy(&u.viewer, v).await?))
}

/// This capability's API operations.
pub fn api() -> ApiRoutes {
    ApiRoutes::new()
        .routes(routes!(api_roster, api_add))
        .routes(routes!(api_get, api_change))
        .routes(routes!(api_notes, api_add_note))
        .routes(routes!(api_checklist))
        .routes(routes!(api_capacity))
        .routes(routes!(api_ctsu))
        .routes(routes!(api_requests, api_submit))
        .routes(routes!(api_request))
        .routes(routes!(api_discuss))
        .routes(routes!(api_appoint))
        .routes(routes!(api_decline))
        .routes(routes!(api_withdraw))
        .routes(routes!(api_stand_down))
        .routes(routes!(api_suggestions))
        .routes(routes!(api_vacancies, api_open_vacancy))
        .routes(routes!(api_change_vacancy))
}

// ---- Pages ----

fn read_error(e: StoreError, u: &CurrentUser) -> Response {
    match e {
        StoreError::NotFound { .. } => crate::pages::not_found_for(Some(u)),
        e => ApiError::from(e).into_response(),
    }
}

/// An instant, however many references a template puts around it.
trait Moment {
    fn instant(&self) -> Instant;
}

impl Moment for Instant {
    fn instant(&self) -> Instant {
        *self
    }
}

impl<T: Moment + ?Sized> Moment for &T {
    fn instant(&self) -> Instant {
        (**self).instant()
    }
}

fn when(t: Instant) -> String {
    cordon_domain::london::display_instant(t)
}

fn day(s: &str) -> String {
    cordon_domain::policy::date("d", "", s).map(cordon_domain::london::display_date).unwrap_or_else(|_| s.to_string())
}

#[derive(Template)]
#[template(path = "seco_dashboard.html")]
struct DashboardPage {
    layout: Layout,
    d: Dashboard,
    /// `YYYY-MM-DD`, for who is on leave now.
    today: String,
    is_authority: bool,
    may_settings: bool,
    policies: Vec<cordon_store::policy::PolicyRecord>,
}

impl DashboardPage {
    fn when(&self, t: impl Moment) -> String {
        when(t.instant())
    }
    fn day<S: AsRef<str>>(&self, s: S) -> String {
        day(s.as_ref())
    }
    fn availability(&self, e: &RosterEntry) -> String {
        availability(e, &self.today)
    }
}

/// A coordinator's availability in words, their recorded leave included.
fn availability(e: &RosterEntry, today: &str) -> String {
    if e.seco.status != SecoStatus::Qualified {
        return e.seco.status.words().to_string();
    }
    let mut out = match e.leave.iter().find(|(from, until)| from.as_str() <= today && today <= until.as_str()) {
        Some((_, until)) => format!("Qualified; on leave until {}", day(until)),
        None => "Qualified".to_string(),
    };
    if e.appointments.is_empty() {
        out.push_str("; not appointed to any event");
    } else {
        out.push_str(&format!(
            "; appointed to {}",
            e.appointments.iter().map(|a| format!("{} ({})", a.1, when(a.2))).collect::<Vec<_>>().join(", ")
        ));
    }
    for (from, until) in e.leave.iter().filter(|(from, _)| from.as_str() > today) {
        out.push_str(&format!("; leave from {} to {}", day(from), day(until)));
    }
    out
}

/// `GET /seco`: the deployment authority's dashboard (others see their requests).
pub async fn page_dashboard(State(state): State<AppState>, PageUser(u): PageUser) -> Response {
    let d = match state.store.seco().dashboard(&u.viewer).await {
        Ok(d) => d,
        Err(e) => return read_error(e, &u),
    };
    let policies = match state.store.policy().list().await {
        Ok(p) => p,
        Err(e) => return read_error(e, &u),
    };
    render(
        StatusCode::OK,
        &DashboardPage {
            layout: Layout::for_user("Security coordinators (SECO)", Marking::Official, "/seco", Some(&u)),
            is_authority: u.viewer.may(cordon_domain::seco::MANAGE),
            may_settings: u.viewer.may(cordon_domain::seco::MANAGE) || u.viewer.may(cordon_domain::seco::CONFIGURE),
            today: state.store.today().to_string(),
            d,
            policies,
        },
    )
}

#[derive(Template)]
#[template(path = "seco_request_form.html")]
struct RequestFormPage {
    layout: Layout,
    errors: FormErrors,
    form: Fields,
    events: Vec<(String, String)>,
}

impl RequestFormPage {
    fn value(&self, name: &str) -> String {
        field(&self.form, name)
    }
    fn criteria(&self) -> [(&'static str, &'static str); 3] {
        let c = Criteria::default();
        let each = c.each();
        [(each[0].0, each[0].1), (each[1].0, each[1].1), (each[2].0, each[2].1)]
    }
}

async fn request_form(
    state: &AppState,
    u: &CurrentUser,
    status: StatusCode,
    errors: FormErrors,
    form: Fields,
) -> Response {
    let filter = cordon_store::events::EventFilter { limit: 100, ..Default::default() };
    let events = match state.store.events().events_visible(&u.viewer, &filter).await {
        Ok((list, _)) => list.into_iter().map(|e| (e.id.to_string(), e.name)).collect(),
        Err(e) => return read_error(e, u),
    };
    render(
        status,
        &RequestFormPage {
            layout: Layout::for_user("Ask for a security coordinator (SECO)", Marking::Official, "/seco", Some(u)),
            errors,
            form,
            events,
        },
    )
}

#[derive(Deserialize)]
pub struct EventQuery {
    event: Option<String>,
}

/// `GET /seco/requests/new`.
pub async fn page_new_request(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<EventQuery>,
) -> Response {
    let form = q.event.map(|e| vec![("event_id".to_string(), e)]).unwrap_or_default();
    request_form(&state, &u, StatusCode::OK, FormErrors::default(), form).await
}

fn criterion(f: &Fields, name: &str) -> Criterion {
    Criterion { met: field(f, &format!("{name}.met")) == "yes", rationale: field(f, &format!("{name}.rationale")) }
}

/// `POST /seco/requests`.
pub async fn page_submit(State(state): State<AppState>, CheckedForm { user: u, fields: f }: CheckedForm) -> Response {
    let input = RequestInput {
        event_id: field(&f, "event_id"),
        reason: field(&f, "reason"),
        criteria: Criteria {
            scale_and_complexity: criterion(&f, "scale_and_complexity"),
            multi_agency_threat: criterion(&f, "multi_agency_threat"),
            protocol_or_national_interest: criterion(&f, "protocol_or_national_interest"),
        },
        override_reason: Some(field(&f, "override_reason")),
        gold_force: Some(field(&f, "gold_force")),
    };
    match state.store.seco().submit(&u.user, &u.viewer, input).await {
        Ok(r) => Redirect::to(&format!("/seco/requests/{}", r.request.id)).into_response(),
        Err(e) => match FormErrors::from_store(e) {
            Ok(errors) => request_form(&state, &u, StatusCode::UNPROCESSABLE_ENTITY, errors, f).await,
            Err(r) => r,
        },
    }
}

#[derive(Template)]
#[template(path = "seco_request.html")]
struct RequestPage {
    layout: Layout,
    r: RequestRecord,
    appointed_by: String,
    suggested: Vec<Suggested>,
    excluded: Vec<Excluded>,
    may_discuss: bool,
    may_decide: bool,
    may_stand_down: bool,
    may_withdraw: bool,
    errors: FormErrors,
    form: Fields,
    /// Which form the errors are about.
    which: String,
}

impl RequestPage {
    fn when(&self, t: impl Moment) -> String {
        when(t.instant())
    }
    fn day<S: AsRef<str>>(&self, s: S) -> String {
        day(s.as_ref())
    }
    fn value(&self, name: &str) -> String {
        field(&self.form, name)
    }
    fn criteria(&self) -> Vec<(&'static str, &'static str, Criterion)> {
        self.r.request.criteria.each().iter().map(|(f, w, c)| (*f, *w, (*c).clone())).collect()
    }
    fn proposed(&self) -> String {
        let Some(d) = &self.r.discussion else { return String::new() };
        let Some(id) = &d.proposed_seco_id else { return "None proposed".into() };
        self.suggested
            .iter()
            .map(|s| (&s.seco_id, &s.name))
            .chain(self.excluded.iter().map(|s| (&s.seco_id, &s.name)))
            .find(|(i, _)| *i == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| id.to_string())
    }
    fn gold_words(&self) -> String {
        match (&self.r.gold_user_id, &self.r.gold_organisation) {
            (None, _) => "None named now".into(),
            (Some(_), Some((_, org))) => format!("{} ({org})", self.r.gold_name),
            (Some(_), None) => self.r.gold_name.clone(),
        }
    }
    fn errors_for(&self, which: &str) -> FormErrors {
        if self.which == which {
            self.errors.clone()
        } else {
            FormErrors::default()
        }
    }
}

async fn request_page(
    state: &AppState,
    u: &CurrentUser,
    id: &DeploymentRequestId,
    status: StatusCode,
    errors: FormErrors,
    form: Fields,
    which: &str,
) -> Response {
    let r = match state.store.seco().request(&u.viewer, id).await {
        Ok(r) => r,
        Err(e) => return read_error(e, u),
    };
    let (suggested, excluded) = match state.store.seco().suggestions(&u.viewer, id).await {
        Ok(s) => s,
        Err(e) => return read_error(e, u),
    };
    let open = r.status.open();
    let is_gold = r.gold_user_id.as_ref() == Some(&u.viewer.user_id);
    render(
        status,
        &RequestPage {
            layout: Layout::for_user(
                format!("SECO request: {}", r.request.event_name),
                Marking::Official,
                "/seco",
                Some(u),
            ),
            appointed_by: appointed_by(&r),
            may_discuss: open
                && u.viewer.may(cordon_domain::seco::MANAGE)
                && u.viewer.organisation_id == r.request.ctsu_organisation_id,
            may_decide: open && is_gold && r.discussion.is_some(),
            may_stand_down: is_gold && r.status == RequestStatus::Appointed,
            may_withdraw: open && (is_gold || u.viewer.user_id == r.request.requested_by),
            r,
            suggested,
            excluded,
            errors,
            form,
            which: which.to_string(),
        },
    )
}

/// `GET /seco/requests/{id}`: the request, its criteria, discussion and decision.
pub async fn page_request(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<DeploymentRequestId>,
) -> Response {
    request_page(&state, &u, &id, StatusCode::OK, FormErrors::default(), Fields::new(), "").await
}

async fn after(
    state: &AppState,
    u: &CurrentUser,
    id: &DeploymentRequestId,
    f: Fields,
    which: &str,
    res: Result<RequestRecord, StoreError>,
) -> Response {
    match res {
        Ok(_) => Redirect::to(&format!("/seco/requests/{id}")).into_response(),
        Err(StoreError::NotFound { .. }) => crate::pages::not_found_for(Some(u)),
        Err(e) => {
            let status = match &e {
                StoreError::Forbidden(_) => StatusCode::FORBIDDEN,
                StoreError::Conflict(_) => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            match FormErrors::from_store(e) {
                Ok(errors) => request_page(state, u, id, status, errors, f, which).await,
                Err(r) => r,
            }
        }
    }
}

/// `POST /seco/requests/{id}/discussion`.
pub async fn page_discuss(
    State(state): State<AppState>,
    Path(id): Path<DeploymentRequestId>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let input = DiscussionInput {
        held_on: field(&f, "held_on"),
        notes: field(&f, "notes"),
        recommendation: field(&f, "recommendation"),
        proposed_seco_id: Some(field(&f, "proposed_seco_id")),
    };
    let res = state.store.seco().discuss(&u.viewer, &id, input).await;
    after(&state, &u, &id, f, "discussion", res).await
}

/// `POST /seco/requests/{id}/appointment`.
pub async fn page_appoint(
    State(state): State<AppState>,
    Path(id): Path<DeploymentRequestId>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let j = field(&f, "justification");
    let res = state.store.seco().appoint(&u.viewer, &id, &field(&f, "seco_id"), Some(&j)).await;
    after(&state, &u, &id, f, "appointment", res).await
}

/// A step on a request that ends it or undoes it, confirmed on a page of its
/// own that says what will happen and takes the reason.
pub struct RequestAction {
    /// The last segment of the page's path.
    path: &'static str,
    heading: &'static str,
    what_happens: &'static str,
    hint: &'static str,
    button: &'static str,
}

const DECLINE: RequestAction = RequestAction {
    path: "decline",
    heading: "Decline to appoint a SECO",
    what_happens: "The request is closed as declined: no SECO is appointed for this event. The requesting force and the deployment authority see your reason on the request. A new request is needed to ask again.",
    hint: "Why no SECO is appointed, for example which criteria are not met",
    button: "Decline the request",
};

const STAND_DOWN: RequestAction = RequestAction {
    path: "stand-down",
    heading: "Stand the SECO down",
    what_happens: "The SECO is stood down from this event and leaves its team, which the appointment put them on; if the event was shared with their organisation only for them, it is no longer shared. They become free for other events. The event then has no SECO until another request is appointed.",
    hint: "Why the SECO is stood down",
    button: "Stand the SECO down",
};

const WITHDRAW: RequestAction = RequestAction {
    path: "withdrawal",
    heading: "Withdraw the request",
    what_happens: "The request is closed as withdrawn: the deployment authority stops work on it and no SECO is appointed from it. A new request is needed to ask again.",
    hint: "Why the request is no longer needed",
    button: "Withdraw the request",
};

#[derive(Template)]
#[template(path = "seco_request_action.html")]
struct RequestActionPage {
    layout: Layout,
    r: RequestRecord,
    action: &'static RequestAction,
    errors: FormErrors,
    reason: String,
}

async fn action_page(
    state: &AppState,
    u: &CurrentUser,
    id: &DeploymentRequestId,
    action: &'static RequestAction,
    status: StatusCode,
    errors: FormErrors,
    reason: String,
) -> Response {
    let r = match state.store.seco().request(&u.viewer, id).await {
        Ok(r) => r,
        Err(e) => return read_error(e, u),
    };
    let title = format!("{}: {}", action.heading, r.request.event_name);
    render(
        status,
        &RequestActionPage {
            layout: Layout::for_user(title, Marking::Official, "/seco", Some(u)),
            r,
            action,
            errors,
            reason,
        },
    )
}

async fn do_action(
    state: &AppState,
    u: &CurrentUser,
    id: &DeploymentRequestId,
    action: &'static RequestAction,
    f: &Fields,
) -> Response {
    let reason = field(f, "reason");
    let seco = state.store.seco();
    let res = match action.path {
        "decline" => seco.decline(&u.viewer, id, &reason).await,
        "stand-down" => seco.stand_down(&u.viewer, id, &reason).await,
        _ => seco.withdraw(&u.viewer, id, &reason).await,
    };
    match res {
        Ok(_) => Redirect::to(&format!("/seco/requests/{id}")).into_response(),
        Err(StoreError::NotFound { .. }) => crate::pages::not_found_for(Some(u)),
        Err(e) => {
            let status = match &e {
                StoreError::Forbidden(_) => StatusCode::FORBIDDEN,
                StoreError::Conflict(_) => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            match FormErrors::from_store(e) {
                Ok(errors) => action_page(state, u, id, action, status, errors, reason).await,
                Err(r) => r,
            }
        }
    }
}

/// `GET /seco/requests/{id}/decline`: what declining does, and the reason.
pub async fn page_decline_confirm(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<DeploymentRequestId>,
) -> Response {
    action_page(&state, &u, &id, &DECLINE, StatusCode::OK, FormErrors::default(), String::new()).await
}

/// `POST /seco/requests/{id}/decline`.
pub async fn page_decline(
    State(state): State<AppState>,
    Path(id): Path<DeploymentRequestId>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    do_action(&state, &u, &id, &DECLINE, &f).await
}

/// `GET /seco/requests/{id}/stand-down`: what standing down does, and the reason.
pub async fn page_stand_down_confirm(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<DeploymentRequestId>,
) -> Response {
    action_page(&state, &u, &id, &STAND_DOWN, StatusCode::OK, FormErrors::default(), String::new()).await
}

/// `POST /seco/requests/{id}/stand-down`.
pub async fn page_stand_down(
    State(state): State<AppState>,
    Path(id): Path<DeploymentRequestId>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    do_action(&state, &u, &id, &STAND_DOWN, &f).await
}

/// `GET /seco/requests/{id}/withdrawal`: what withdrawing does, and the reason.
pub async fn page_withdraw_confirm(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<DeploymentRequestId>,
) -> Response {
    action_page(&state, &u, &id, &WITHDRAW, StatusCode::OK, FormErrors::default(), String::new()).await
}

/// `POST /seco/requests/{id}/withdrawal`.
pub async fn page_withdraw(
    State(state): State<AppState>,
    Path(id): Path<DeploymentRequestId>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    do_action(&state, &u, &id, &WITHDRAW, &f).await
}

#[derive(Template)]
#[template(path = "seco_roster.html")]
struct RosterPage {
    layout: Layout,
    roster: Vec<RosterEntry>,
    capacity: i64,
    qualified: usize,
    may_manage: bool,
}

impl RosterPage {
    fn day<S: AsRef<str>>(&self, s: S) -> String {
        day(s.as_ref())
    }
    fn roles(&self, e: &RosterEntry) -> String {
        if e.seco.prior_roles.is_empty() {
            "None".into()
        } else {
            e.seco.prior_roles.iter().map(|r| r.words()).collect::<Vec<_>>().join(", ")
        }
    }
}

/// `GET /seco/roster`.
pub async fn page_roster(State(state): State<AppState>, PageUser(u): PageUser) -> Response {
    let roster = match state.store.seco().roster(&u.viewer).await {
        Ok(r) => r,
        Err(e) => return read_error(e, &u),
    };
    let capacity = match state.store.seco().capacity(&u.viewer.organisation_id).await {
        Ok(c) => c,
        Err(e) => return read_error(e, &u),
    };
    render(
        StatusCode::OK,
        &RosterPage {
            layout: Layout::for_user("Roster of security coordinators", Marking::Official, "/seco", Some(&u)),
            qualified: roster.iter().filter(|e| e.seco.status == SecoStatus::Qualified).count(),
            roster,
            capacity,
            may_manage: u.viewer.may(cordon_domain::seco::MANAGE),
        },
    )
}

#[derive(Template)]
#[template(path = "seco_form.html")]
struct SecoFormPage {
    layout: Layout,
    errors: FormErrors,
    form: Fields,
    id: Option<SecoId>,
}

impl SecoFormPage {
    fn value(&self, name: &str) -> String {
        field(&self.form, name)
    }
    fn chosen(&self, name: &str, v: &str) -> bool {
        self.form.iter().any(|(k, x)| k == name && x == v)
    }
    fn ranks(&self) -> Vec<(&'static str, &'static str)> {
        Rank::ALL.iter().filter(|r| r.eligible().is_ok()).map(|r| (r.as_str(), r.words())).collect()
    }
    fn statuses(&self) -> Vec<(&'static str, &'static str)> {
        SecoStatus::ALL.iter().map(|r| (r.as_str(), r.words())).collect()
    }
    fn prior(&self) -> Vec<(&'static str, &'static str)> {
        PriorRole::ALL.iter().map(|r| (r.as_str(), r.words())).collect()
    }
}

fn seco_form(u: &CurrentUser, status: StatusCode, errors: FormErrors, form: Fields, id: Option<SecoId>) -> Response {
    let title = if id.is_some() { "Change a coordinator" } else { "Add a coordinator to the roster" };
    render(
        status,
        &SecoFormPage { layout: Layout::for_user(title, Marking::Official, "/seco", Some(u)), errors, form, id },
    )
}

/// `GET /seco/roster/new`.
pub async fn page_new_seco(PageUser(u): PageUser) -> Response {
    seco_form(&u, StatusCode::OK, FormErrors::default(), vec![("status".into(), "candidate".into())], None)
}

fn seco_input(f: &Fields) -> SecoInput {
    SecoInput {
        name: field(f, "name"),
        user_email: Some(field(f, "user_email")),
        rank: field(f, "rank"),
        course_passed_on: Some(field(f, "course_passed_on")),
        prior_roles: fields(f, "prior_roles"),
        experience: field(f, "experience").lines().map(str::to_string).collect(),
        home_unit: field(f, "home_unit"),
        status: field(f, "status"),
    }
}

/// `POST /seco/roster`.
pub async fn page_add_seco(State(state): State<AppState>, CheckedForm { user: u, fields: f }: CheckedForm) -> Response {
    match state.store.seco().add(&u.viewer, seco_input(&f)).await {
        Ok(e) => Redirect::to(&format!("/seco/roster/{}", e.seco.id)).into_response(),
        Err(e) => match FormErrors::from_store(e) {
            Ok(errors) => seco_form(&u, StatusCode::UNPROCESSABLE_ENTITY, errors, f, None),
            Err(r) => r,
        },
    }
}

/// `GET /seco/roster/{id}/change`.
pub async fn page_change_seco(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<SecoId>,
) -> Response {
    let e = match state.store.seco().entry(&u.viewer, &id).await {
        Ok(e) => e,
        Err(e) => return read_error(e, &u),
    };
    let s = &e.seco;
    let mut form: Fields = vec![
        ("name".into(), s.name.clone()),
        ("user_email".into(), s.user_email.clone().unwrap_or_default()),
        ("rank".into(), s.rank.as_str().into()),
        ("course_passed_on".into(), s.course_passed_on.clone().unwrap_or_default()),
        ("experience".into(), s.experience.join("\n")),
        ("home_unit".into(), s.home_unit.clone()),
        ("status".into(), s.status.as_str().into()),
    ];
    form.extend(s.prior_roles.iter().map(|r| ("prior_roles".to_string(), r.as_str().to_string())));
    seco_form(&u, StatusCode::OK, FormErrors::default(), form, Some(id))
}

/// `POST /seco/roster/{id}/change`.
pub async fn page_save_seco(
    State(state): State<AppState>,
    Path(id): Path<SecoId>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    match state.store.seco().change(&u.viewer, &id, seco_input(&f)).await {
        Ok(_) => Redirect::to(&format!("/seco/roster/{id}")).into_response(),
        Err(StoreError::NotFound { .. }) => crate::pages::not_found_for(Some(&u)),
        Err(e) => match FormErrors::from_store(e) {
            Ok(errors) => seco_form(&u, StatusCode::UNPROCESSABLE_ENTITY, errors, f, Some(id)),
            Err(r) => r,
        },
    }
}

#[derive(Template)]
#[template(path = "seco_coordinator.html")]
struct CoordinatorPage {
    layout: Layout,
    e: RosterEntry,
    notes: Vec<NoteEntry>,
    may_manage: bool,
    errors: FormErrors,
    form: Fields,
}

impl CoordinatorPage {
    fn day<S: AsRef<str>>(&self, s: S) -> String {
        day(s.as_ref())
    }
    fn when(&self, t: impl Moment) -> String {
        when(t.instant())
    }
    fn value(&self, name: &str) -> String {
        field(&self.form, name)
    }
}

async fn coordinator_page(
    state: &AppState,
    u: &CurrentUser,
    id: &SecoId,
    status: StatusCode,
    errors: FormErrors,
    form: Fields,
) -> Response {
    let e = match state.store.seco().entry(&u.viewer, id).await {
        Ok(e) => e,
        Err(e) => return read_error(e, u),
    };
    let notes = match state.store.seco().notes(&u.viewer, id).await {
        Ok(n) => n,
        Err(e) => return read_error(e, u),
    };
    render(
        status,
        &CoordinatorPage {
            layout: Layout::for_user(
                format!("{} {}", e.seco.rank.words(), e.seco.name),
                Marking::Official,
                "/seco",
                Some(u),
            ),
            e,
            notes,
            may_manage: u.viewer.may(cordon_domain::seco::MANAGE),
            errors,
            form,
        },
    )
}

/// `GET /seco/roster/{id}`: a coordinator's record.
pub async fn page_coordinator(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<SecoId>,
) -> Response {
    coordinator_page(&state, &u, &id, StatusCode::OK, FormErrors::default(), Fields::new()).await
}

/// `POST /seco/roster/{id}/notes`.
pub async fn page_add_note(
    State(state): State<AppState>,
    Path(id): Path<SecoId>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let until = field(&f, "until");
    let res = state
        .store
        .seco()
        .add_note(&u.viewer, &id, &field(&f, "kind"), &field(&f, "on"), Some(&until), &field(&f, "text"))
        .await;
    match res {
        Ok(_) => Redirect::to(&format!("/seco/roster/{id}#notes")).into_response(),
        Err(StoreError::NotFound { .. }) => crate::pages::not_found_for(Some(&u)),
        Err(e) => match FormErrors::from_store(e) {
            Ok(errors) => coordinator_page(&state, &u, &id, StatusCode::UNPROCESSABLE_ENTITY, errors, f).await,
            Err(r) => r,
        },
    }
}

/// `POST /seco/roster/{id}/checklist`.
pub async fn page_checklist(
    State(state): State<AppState>,
    Path(id): Path<SecoId>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    match state.store.seco().tick(&u.user, &u.viewer, &id, &field(&f, "item")).await {
        Ok(_) => Redirect::to(&format!("/seco/roster/{id}#checklist")).into_response(),
        Err(StoreError::NotFound { .. }) => crate::pages::not_found_for(Some(&u)),
        Err(e) => match FormErrors::from_store(e) {
            Ok(errors) => coordinator_page(&state, &u, &id, StatusCode::UNPROCESSABLE_ENTITY, errors, f).await,
            Err(r) => r,
        },
    }
}

#[derive(Template)]
#[template(path = "seco_vacancy.html")]
struct VacancyPage {
    layout: Layout,
    v: Vacancy,
    may_manage: bool,
    errors: FormErrors,
    form: Fields,
    notice: Option<String>,
}

impl VacancyPage {
    fn day<S: AsRef<str>>(&self, s: S) -> String {
        day(s.as_ref())
    }
    fn value(&self, name: &str) -> String {
        field(&self.form, name)
    }
    fn rank<S: AsRef<str>>(&self, r: S) -> String {
        let r = r.as_ref();
        r.parse::<Rank>().map(|r| r.words().to_string()).unwrap_or_else(|_| r.to_string())
    }
    fn cost(&self) -> String {
        match self.v.course_cost_pence {
            Some(p) => {
                format!("£{}.{:02}, charged to the CTSU", cordon_domain::documents::thousands(p / 100), p % 100)
            }
            None => "Not recorded".into(),
        }
    }
}

async fn vacancy_page(
    state: &AppState,
    u: &CurrentUser,
    id: &VacancyId,
    status: StatusCode,
    errors: FormErrors,
    form: Fields,
) -> Response {
    vacancy_page_with(state, u, id, status, errors, form, None).await
}

async fn vacancy_page_with(
    state: &AppState,
    u: &CurrentUser,
    id: &VacancyId,
    status: StatusCode,
    errors: FormErrors,
    form: Fields,
    notice: Option<String>,
) -> Response {
    let v = match state.store.seco().vacancy(&u.viewer, id).await {
        Ok(v) => v,
        Err(e) => return read_error(e, u),
    };
    render(
        status,
        &VacancyPage {
            layout: Layout::for_user(format!("Vacancy: {}", v.title), Marking::Official, "/seco", Some(u)),
            v,
            may_manage: u.viewer.may(cordon_domain::seco::MANAGE),
            errors,
            form,
            notice,
        },
    )
}

#[derive(Deserialize)]
pub struct AddedQuery {
    added: Option<String>,
}

/// `GET /seco/vacancies/{id}`: a vacancy, its candidates' assessments and the selection.
pub async fn page_vacancy(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<VacancyId>,
    Query(q): Query<AddedQuery>,
) -> Response {
    let notice = q.added.map(|_| "The candidate is added, with their assessment.".to_string());
    vacancy_page_with(&state, &u, &id, StatusCode::OK, FormErrors::default(), Fields::new(), notice).await
}

/// `POST /seco/vacancies/{id}/selection`.
pub async fn page_select(
    State(state): State<AppState>,
    Path(id): Path<VacancyId>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let mut v = match state.store.seco().vacancy(&u.viewer, &id).await {
        Ok(v) => v,
        Err(e) => return read_error(e, &u),
    };
    let selected = field(&f, "selected");
    if selected.is_empty() {
        let e = FormErrors::one("selected", "Choose the candidate selected");
        return vacancy_page(&state, &u, &id, StatusCode::UNPROCESSABLE_ENTITY, e, f).await;
    }
    v.selected = Some(selected);
    v.rationale = field(&f, "rationale");
    match state.store.seco().save_vacancy(&u.viewer, v).await {
        Ok(_) => Redirect::to(&format!("/seco/vacancies/{id}")).into_response(),
        Err(e) => match FormErrors::from_store(e) {
            Ok(errors) => vacancy_page(&state, &u, &id, StatusCode::UNPROCESSABLE_ENTITY, errors, f).await,
            Err(r) => r,
        },
    }
}

#[derive(Template)]
#[template(path = "seco_candidate_form.html")]
struct CandidateFormPage {
    layout: Layout,
    v: Vacancy,
    errors: FormErrors,
    form: Fields,
}

impl CandidateFormPage {
    fn value(&self, name: &str) -> String {
        field(&self.form, name)
    }
    fn ranks(&self) -> Vec<(&'static str, &'static str)> {
        Rank::ALL.iter().filter(|r| r.eligible().is_ok()).map(|r| (r.as_str(), r.words())).collect()
    }
    /// The assessment's fields: the SOP's considerations (5.4.1), each with its label and hint.
    fn assessments(&self) -> [(&'static str, &'static str, &'static str); 5] {
        [
            ("current_role", "Current role", "Their post and unit now"),
            ("previous_experience", "Previous experience", "Roles held before, and what they bring to the SECO role"),
            (
                "search_roles",
                "Police Search Adviser (PolSA) or Police Search Coordinator (PolSC)",
                "Whether they have been a PolSA or PolSC, and when: they are particularly well suited",
            ),
            (
                "event_planning_and_command",
                "Event planning and command experience",
                "Events they have planned, and command roles they have held",
            ),
            ("notes", "Notes", "Anything else the selection should weigh"),
        ]
    }
}

fn candidate_form(u: &CurrentUser, v: Vacancy, status: StatusCode, errors: FormErrors, form: Fields) -> Response {
    let layout = Layout::for_user(format!("Add a candidate: {}", v.title), Marking::Official, "/seco", Some(u));
    render(status, &CandidateFormPage { layout, v, errors, form })
}

fn may_not_add_candidates(u: &CurrentUser) -> Response {
    crate::pages::message_page(
        StatusCode::FORBIDDEN,
        "You cannot add a candidate",
        "Only a deployment authority adds candidates to a vacancy for a SECO.",
        Some(u),
    )
}

/// `GET /seco/vacancies/{id}/candidates/new`: a candidate and their assessment (the deployment authority).
pub async fn page_new_candidate(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<VacancyId>,
) -> Response {
    let v = match state.store.seco().vacancy(&u.viewer, &id).await {
        Ok(v) => v,
        Err(e) => return read_error(e, &u),
    };
    if !u.viewer.may(cordon_domain::seco::MANAGE) {
        return may_not_add_candidates(&u);
    }
    candidate_form(&u, v, StatusCode::OK, FormErrors::default(), Fields::new())
}

/// `POST /seco/vacancies/{id}/candidates`.
pub async fn page_add_candidate(
    State(state): State<AppState>,
    Path(id): Path<VacancyId>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let candidate = Candidate {
        name: field(&f, "name"),
        rank: field(&f, "rank"),
        current_role: field(&f, "current_role"),
        previous_experience: field(&f, "previous_experience"),
        search_roles: field(&f, "search_roles"),
        event_planning_and_command: field(&f, "event_planning_and_command"),
        notes: field(&f, "notes"),
    };
    let seco = state.store.seco();
    match seco.add_candidate(&u.viewer, &id, candidate).await {
        Ok(_) => Redirect::to(&format!("/seco/vacancies/{id}?added=1#candidates")).into_response(),
        Err(StoreError::NotFound { .. }) => crate::pages::not_found_for(Some(&u)),
        Err(StoreError::Forbidden(_)) => may_not_add_candidates(&u),
        Err(e) => {
            let status = if matches!(e, StoreError::Conflict(_)) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let v = match seco.vacancy(&u.viewer, &id).await {
                Ok(v) => v,
                Err(e) => return read_error(e, &u),
            };
            match FormErrors::from_store(e) {
                Ok(errors) => candidate_form(&u, v, status, errors, f),
                Err(r) => r,
            }
        }
    }
}

#[derive(Template)]
#[template(path = "seco_vacancy_form.html")]
struct VacancyFormPage {
    layout: Layout,
    errors: FormErrors,
    form: Fields,
}

impl VacancyFormPage {
    fn value(&self, name: &str) -> String {
        field(&self.form, name)
    }
}

fn vacancy_form(u: &CurrentUser, status: StatusCode, errors: FormErrors, form: Fields) -> Response {
    let layout = Layout::for_user("Open a vacancy for a SECO", Marking::Official, "/seco", Some(u));
    render(status, &VacancyFormPage { layout, errors, form })
}

/// A sum in pounds (`1250` or `1250.50`) as pence.
fn pence(s: &str) -> Result<Option<i64>, String> {
    let s = s.trim().trim_start_matches('£').replace(',', "");
    if s.is_empty() {
        return Ok(None);
    }
    let bad = || "The SECO course cost must be an amount in pounds, such as 1250 or 1250.50".to_string();
    let (pounds, p) = s.split_once('.').unwrap_or((&s, "00"));
    if pounds.is_empty() || p.len() != 2 || !pounds.chars().chain(p.chars()).all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let pounds: i64 = pounds.parse().map_err(|_| bad())?;
    let p: i64 = p.parse().map_err(|_| bad())?;
    pounds.checked_mul(100).and_then(|x| x.checked_add(p)).map(Some).ok_or_else(bad)
}

/// `GET /seco/vacancies/new` (the deployment authority).
pub async fn page_new_vacancy(State(state): State<AppState>, PageUser(u): PageUser) -> Response {
    if !u.viewer.may(cordon_domain::seco::MANAGE) {
        return crate::pages::message_page(
            StatusCode::FORBIDDEN,
            "You cannot open a vacancy",
            "Only a deployment authority opens vacancies for SECOs.",
            Some(&u),
        );
    }
    let form = vec![("opened_on".to_string(), state.store.today().to_string())];
    vacancy_form(&u, StatusCode::OK, FormErrors::default(), form)
}

/// `POST /seco/vacancies`.
pub async fn page_open_vacancy(
    State(state): State<AppState>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let course_cost_pence = match pence(&field(&f, "course_cost")) {
        Ok(p) => p,
        Err(m) => return vacancy_form(&u, StatusCode::UNPROCESSABLE_ENTITY, FormErrors::one("course_cost", m), f),
    };
    let v = Vacancy {
        id: VacancyId::generate(),
        organisation_id: u.viewer.organisation_id.clone(),
        title: field(&f, "title").trim().to_string(),
        opened_on: field(&f, "opened_on").trim().to_string(),
        candidates: Vec::new(),
        selected: None,
        rationale: String::new(),
        course_cost_pence,
    };
    match state.store.seco().save_vacancy(&u.viewer, v).await {
        Ok(v) => Redirect::to(&format!("/seco/vacancies/{}", v.id)).into_response(),
        Err(e) => {
            let status = if matches!(e, StoreError::Forbidden(_)) {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            match FormErrors::from_store(e) {
                Ok(errors) => vacancy_form(&u, status, errors, f),
                Err(r) => r,
            }
        }
    }
}

#[derive(Template)]
#[template(path = "seco_settings.html")]
struct SettingsPage {
    layout: Layout,
    errors: FormErrors,
    form: Fields,
    capacity: i64,
    ctsu_id: String,
    ctsu_name: String,
    organisations: Vec<(String, String)>,
    may_manage: bool,
    may_configure: bool,
}

impl SettingsPage {
    fn value(&self, name: &str) -> String {
        field(&self.form, name)
    }
}

async fn settings_page(
    state: &AppState,
    u: &CurrentUser,
    status: StatusCode,
    errors: FormErrors,
    mut form: Fields,
) -> Response {
    let (may_manage, may_configure) =
        (u.viewer.may(cordon_domain::seco::MANAGE), u.viewer.may(cordon_domain::seco::CONFIGURE));
    if !may_manage && !may_configure {
        return crate::pages::message_page(
            StatusCode::FORBIDDEN,
            "You cannot change the SECO settings",
            "Only a deployment authority sets the national capacity, and only an administrator names the force's CTSU.",
            Some(u),
        );
    }
    let org = &u.viewer.organisation_id;
    let (capacity, ctsu, organisations) = match (
        state.store.seco().capacity(org).await,
        state.store.seco().ctsu_for(org).await,
        state.store.identity().organisations().await,
    ) {
        (Ok(c), Ok(t), Ok(o)) => (c, t, o),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return read_error(e, u),
    };
    if field(&form, "national_capacity").is_empty() && errors.is_empty() {
        form.push(("national_capacity".into(), capacity.to_string()));
    }
    let ctsu_name = organisations.iter().find(|o| o.id == ctsu).map(|o| o.name.clone()).unwrap_or_default();
    render(
        status,
        &SettingsPage {
            layout: Layout::for_user("SECO settings", Marking::Official, "/seco", Some(u)),
            errors,
            form,
            capacity,
            ctsu_id: ctsu.to_string(),
            ctsu_name,
            organisations: organisations.into_iter().map(|o| (o.id.to_string(), o.name)).collect(),
            may_manage,
            may_configure,
        },
    )
}

async fn after_settings(state: &AppState, u: &CurrentUser, f: Fields, res: Result<(), StoreError>) -> Response {
    match res {
        Ok(()) => Redirect::to("/seco/settings").into_response(),
        Err(e) => {
            let status = if matches!(e, StoreError::Forbidden(_)) {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            match FormErrors::from_store(e) {
                Ok(errors) => settings_page(state, u, status, errors, f).await,
                Err(r) => r,
            }
        }
    }
}

/// `GET /seco/settings`: the national capacity and the force's CTSU, with the forms to change them.
pub async fn page_settings(State(state): State<AppState>, PageUser(u): PageUser) -> Response {
    settings_page(&state, &u, StatusCode::OK, FormErrors::default(), Fields::new()).await
}

/// `POST /seco/settings/capacity` (the deployment authority).
pub async fn page_capacity(State(state): State<AppState>, CheckedForm { user: u, fields: f }: CheckedForm) -> Response {
    let res = match field(&f, "national_capacity").trim().parse::<i64>() {
        Ok(n) => state.store.seco().set_capacity(&u.viewer, n).await.map(|_| ()),
        Err(_) => {
            Err(StoreError::invalid("national_capacity", "The national capacity must be a whole number, such as 4"))
        }
    };
    after_settings(&state, &u, f, res).await
}

/// `POST /seco/settings/ctsu` (an administrator).
pub async fn page_ctsu(State(state): State<AppState>, CheckedForm { user: u, fields: f }: CheckedForm) -> Response {
    let res = match OrganisationId::parse(field(&f, "ctsu_organisation_id").trim()) {
        _ if !u.viewer.may(cordon_domain::seco::CONFIGURE) => {
            Err(StoreError::Forbidden("only an administrator names the force's CTSU".into()))
        }
        Ok(id) => state.store.seco().configure_ctsu(&u.viewer, &id).await,
        Err(_) => Err(StoreError::invalid("ctsu_organisation_id", "Choose the organisation that is the force's CTSU")),
    };
    after_settings(&state, &u, f, res).await
}

/// This capability's pages.
pub fn pages() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/seco", get(page_dashboard))
        .route("/seco/requests", post(page_submit))
        .route("/seco/requests/new", get(page_new_request))
        .route("/seco/requests/{id}", get(page_request))
        .route("/seco/requests/{id}/discussion", post(page_discuss))
        .route("/seco/requests/{id}/appointment", post(page_appoint))
        .route("/seco/requests/{id}/decline", get(page_decline_confirm).post(page_decline))
        .route("/seco/requests/{id}/stand-down", get(page_stand_down_confirm).post(page_stand_down))
        .route("/seco/requests/{id}/withdrawal", get(page_withdraw_confirm).post(page_withdraw))
        .route("/seco/roster", get(page_roster).post(page_add_seco))
        .route("/seco/roster/new", get(page_new_seco))
        .route("/seco/roster/{id}", get(page_coordinator))
        .route("/seco/roster/{id}/change", get(page_change_seco).post(page_save_seco))
        .route("/seco/roster/{id}/notes", post(page_add_note))
        .route("/seco/roster/{id}/checklist", post(page_checklist))
        .route("/seco/settings", get(page_settings))
        .route("/seco/settings/capacity", post(page_capacity))
        .route("/seco/settings/ctsu", post(page_ctsu))
        .route("/seco/vacancies", post(page_open_vacancy))
        .route("/seco/vacancies/new", get(page_new_vacancy))
        .route("/seco/vacancies/{id}", get(page_vacancy))
        .route("/seco/vacancies/{id}/selection", post(page_select))
        .route("/seco/vacancies/{id}/candidates", post(page_add_candidate))
        .route("/seco/vacancies/{id}/candidates/new", get(page_new_candidate))
}
