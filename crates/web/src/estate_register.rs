//! The estate register in and out of CSV, acknowledgements across the estate
//! by division and site, reminders to staff who have not acknowledged, and
//! the picker that adds staff to a site (issue 13, items 1 and 7).

use crate::api::{
    ApiRoutes, BadRequest, Forbidden, NotFound, Page, PayloadTooLarge, Unauthorised, Unprocessable,
    UnsupportedMediaType,
};
use crate::auth::{ApiUser, CurrentUser, PageUser};
use crate::error::ApiError;
use crate::estate::{store_page_error, SitePath, SiteView, SitesQuery};
use crate::forms::{field, CheckedForm, UploadError};
use crate::json::JsonBody;
use crate::pages::{render, FormErrors, Layout};
use crate::plan_form::capitalised;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use cordon_domain::csv::csv_field;
use cordon_domain::estate::register::{CSV_COLUMNS, EXPORT_COLUMNS};
use cordon_domain::estate::{self, SiteKind};
use cordon_domain::ids::{SiteId, UserId};
use cordon_domain::threat::ResponseLevel;
use cordon_domain::Marking;
use cordon_store::estate::register::{
    AckCount, DivisionAcks, ExportRow, Reminded, SiteAcks, SitesImport, SitesImportError,
};
use cordon_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

/// What an import did.
#[derive(Serialize, ToSchema)]
pub struct SitesImportBody {
    /// Rows read (not counting the header).
    rows: u64,
    /// Sites added to the register.
    added: u64,
    /// Sites already registered (matched by name, in any case) whose details changed.
    changed: u64,
    /// Sites already registered and given as they are.
    unchanged: u64,
    /// People added to the staff of a site.
    staff_added: u64,
}

impl From<SitesImport> for SitesImportBody {
    fn from(r: SitesImport) -> Self {
        SitesImportBody {
            rows: r.rows,
            added: r.added,
            changed: r.changed,
            unchanged: r.unchanged,
            staff_added: r.staff_added,
        }
    }
}

/// Imports sites from CSV (`text/csv`; columns exactly
/// `name,kind,address,division,staff`, optionally followed by the export's
/// `threat_level,response_level`, which are ignored). `staff` holds e-mail
/// addresses separated by `;`. Every row is checked first; a bad row is 422
/// naming its line and column (also in `row`), and nothing is imported. A site
/// whose name is already registered is changed; staff are added, never removed.
#[utoipa::path(post, path = "/sites/import", tag = "estate",
    security(("bearer" = []), ("session" = [])),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, description = "Imported", body = SitesImportBody),
        BadRequest, Unauthorised, Forbidden, UnsupportedMediaType, Unprocessable, PayloadTooLarge))]
pub async fn api_import(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<SitesImportBody>), ApiError> {
    let text = crate::api::csv_text(&headers, &body, "sites")?;
    match state.store.estate().import_csv(&u.viewer, text).await {
        Ok(r) => Ok((StatusCode::CREATED, Json(r.into()))),
        Err(SitesImportError::Row(p)) => Err(crate::api::csv_row_error(p)),
        Err(SitesImportError::Store(e)) => Err(e.into()),
    }
}

/// Sites per read of the export.
const EXPORT_PAGE: i64 = 500;

fn csv_line(r: &ExportRow) -> String {
    let mut s = [
        csv_field(&r.site.name),
        r.site.kind.as_str().to_string(),
        csv_field(&r.site.address),
        csv_field(&r.site.division),
        csv_field(&r.staff.join("; ")),
        r.site.threat_level.map(|l| l.as_str().to_string()).unwrap_or_default(),
        r.site.response_level.as_str().to_string(),
    ]
    .join(",");
    s.push_str("\r\n");
    s
}

/// The register as CSV, filtered as the list is: the import's columns (staff
/// as addresses separated by `;`), then `threat_level,response_level`. The
/// file imports again as it is.
#[utoipa::path(get, path = "/sites/export.csv", tag = "estate", params(SitesQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "CSV", content_type = "text/csv", body = String),
        BadRequest, Unauthorised, Forbidden))]
pub async fn api_export(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<SitesQuery>,
) -> Result<Response, ApiError> {
    let filter = q.filter()?;
    let mut out = format!("{},{}\r\n", CSV_COLUMNS.join(","), EXPORT_COLUMNS.join(","));
    let mut offset = 0;
    loop {
        let page = state.store.estate().export_page(&u.viewer, &filter, EXPORT_PAGE, offset).await?;
        for r in &page {
            out.push_str(&csv_line(r));
        }
        if (page.len() as i64) < EXPORT_PAGE {
            break;
        }
        offset += EXPORT_PAGE;
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"police-estate.csv\""),
        ],
        out,
    )
        .into_response())
}

/// Acknowledgements across a division.
#[derive(Serialize, ToSchema)]
pub struct DivisionAcksBody {
    division: String,
    sites: i64,
    /// Members of staff at its sites.
    staff: i64,
    /// Of them, told of a change of response level.
    notified: i64,
    acknowledged: i64,
    /// Told and not yet acknowledged.
    outstanding: i64,
}

impl From<DivisionAcks> for DivisionAcksBody {
    fn from(d: DivisionAcks) -> Self {
        let AckCount { staff, notified, acknowledged, outstanding } = d.count;
        DivisionAcksBody { division: d.division, sites: d.sites, staff, notified, acknowledged, outstanding }
    }
}

/// A site with someone who has not acknowledged.
#[derive(Serialize, ToSchema)]
pub struct SiteAcksBody {
    site_id: String,
    name: String,
    division: String,
    response_level: ResponseLevel,
    staff: i64,
    notified: i64,
    acknowledged: i64,
    outstanding: i64,
}

impl From<SiteAcks> for SiteAcksBody {
    fn from(s: SiteAcks) -> Self {
        let AckCount { staff, notified, acknowledged, outstanding } = s.count;
        SiteAcksBody {
            site_id: s.site_id.to_string(),
            name: s.name,
            division: s.division,
            response_level: s.response_level,
            staff,
            notified,
            acknowledged,
            outstanding,
        }
    }
}

/// Acknowledgements across the estate: by division, and the sites where someone has not acknowledged.
#[derive(Serialize, ToSchema)]
pub struct EstateAcksBody {
    /// Every division, by name.
    divisions: Vec<DivisionAcksBody>,
    /// The sites with someone who has not acknowledged, most outstanding first (paginated).
    sites: Page<SiteAcksBody>,
}

/// `GET /estate/acknowledgements` filter and page.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AcksQuery {
    /// Only the sites of this division.
    division: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    #[param(value_type = Option<i64>, minimum = 0)]
    offset: Option<String>,
}

/// Who across the estate has not acknowledged the latest change of response
/// level at their site: by division, and the sites where someone has not (estates managers).
#[utoipa::path(get, path = "/estate/acknowledgements", tag = "estate", params(AcksQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "By division and by site", body = EstateAcksBody),
        BadRequest, Unauthorised, Forbidden))]
pub async fn api_estate_acks(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<AcksQuery>,
) -> Result<Json<EstateAcksBody>, ApiError> {
    let paging = crate::api::paging(q.limit.as_deref(), q.offset.as_deref())?;
    let divisions = state.store.estate().acknowledgements_by_division(&u.viewer).await?;
    let (sites, total) =
        state.store.estate().sites_outstanding(&u.viewer, q.division.as_deref(), paging.limit, paging.offset).await?;
    Ok(Json(EstateAcksBody {
        divisions: divisions.into_iter().map(DivisionAcksBody::from).collect(),
        sites: Page {
            items: sites.into_iter().map(SiteAcksBody::from).collect(),
            total,
            limit: paging.limit,
            offset: paging.offset,
        },
    }))
}

/// What a reminder did.
#[derive(Serialize, ToSchema)]
pub struct RemindedBody {
    /// Sites with someone to remind.
    sites: i64,
    /// People reminded.
    people: i64,
}

impl From<Reminded> for RemindedBody {
    fn from(r: Reminded) -> Self {
        RemindedBody { sites: r.sites, people: r.people }
    }
}

fn reminded(r: Reminded) -> (StatusCode, Json<RemindedBody>) {
    let status = if r.people > 0 { StatusCode::CREATED } else { StatusCode::OK };
    (status, Json(r.into()))
}

/// Remind everyone at a site who has not acknowledged its latest change of
/// response level (estates managers): 201 when someone was reminded, 200 when
/// everyone had acknowledged and nothing was sent.
#[utoipa::path(post, path = "/sites/{id}/reminders", tag = "estate", params(SitePath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Reminded", body = RemindedBody),
        (status = 200, description = "No one to remind: nothing sent", body = RemindedBody),
        Unauthorised, Forbidden, NotFound))]
pub async fn api_remind_site(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<SitePath>,
) -> Result<(StatusCode, Json<RemindedBody>), ApiError> {
    Ok(reminded(state.store.estate().remind_site(&u.viewer, &p.id).await?))
}

/// Which sites to remind.
#[derive(Deserialize, ToSchema)]
pub struct RemindBody {
    /// A division of the estate; leave out for every site.
    #[serde(default)]
    division: Option<String>,
}

/// Remind everyone who has not acknowledged, at every site of a division (or
/// of the estate): 201 when someone was reminded, 200 when no one was due; an
/// unknown division is 422 naming `division`.
#[utoipa::path(post, path = "/estate/reminders", tag = "estate", request_body = RemindBody,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Reminded", body = RemindedBody),
        (status = 200, description = "No one to remind: nothing sent", body = RemindedBody),
        BadRequest, Unauthorised, Forbidden, Unprocessable, UnsupportedMediaType, PayloadTooLarge))]
pub async fn api_remind_division(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    JsonBody(b): JsonBody<RemindBody>,
) -> Result<(StatusCode, Json<RemindedBody>), ApiError> {
    Ok(reminded(state.store.estate().remind_division(&u.viewer, b.division.as_deref()).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct StaffPath {
    /// The site's id.
    id: SiteId,
    /// The member of staff's user id.
    user_id: UserId,
}

/// Take a member of staff off a site (estates managers): they are told of its
/// changes no more. Someone not on its staff is 404.
#[utoipa::path(delete, path = "/sites/{id}/staff/{user_id}", tag = "estate", params(StaffPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "Removed"), Unauthorised, Forbidden, NotFound))]
pub async fn api_remove_staff(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<StaffPath>,
) -> Result<StatusCode, ApiError> {
    state.store.estate().remove_staff(&u.viewer, &p.id, &p.user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This part's API operations.
pub fn api() -> ApiRoutes {
    ApiRoutes::new()
        .routes(routes!(api_import))
        .routes(routes!(api_export))
        .routes(routes!(api_estate_acks))
        .routes(routes!(api_remind_site))
        .routes(routes!(api_remind_division))
        .routes(routes!(api_remove_staff))
}

// ---- Pages ----

fn forbidden(words: &str) -> Response {
    ApiError::from(StoreError::Forbidden(words.into())).into_response()
}

#[derive(Template)]
#[template(path = "sites_import.html")]
struct ImportPage {
    layout: Layout,
    error: Option<String>,
    /// Where the upload form posts.
    action: &'static str,
    columns: String,
    kinds: String,
}

fn import_page(u: &CurrentUser, status: StatusCode, error: Option<String>) -> Response {
    render(
        status,
        &ImportPage {
            layout: Layout::for_user(
                if error.is_some() { "Error: Import sites" } else { "Import sites" },
                Marking::Official,
                "/sites",
                Some(u),
            ),
            error,
            action: "/sites/import",
            columns: CSV_COLUMNS.join(","),
            kinds: SiteKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", "),
        },
    )
}

/// `GET /sites/import`.
pub async fn page_import_form(PageUser(u): PageUser) -> Response {
    if !u.viewer.may(estate::MANAGE) {
        return forbidden("only an estates manager may import sites");
    }
    import_page(&u, StatusCode::OK, None)
}

/// `POST /sites/import` (multipart: `csrf_token`, `file`).
pub async fn page_import(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    multipart: axum::extract::Multipart,
) -> Response {
    let text = match crate::forms::read_csv_upload(&u, multipart, "the API, POST /api/v1/sites/import").await {
        Ok(t) => t,
        Err(UploadError::Refused(r)) => return r,
        Err(UploadError::Problem(status, words)) => return import_page(&u, status, Some(words)),
    };
    match state.store.estate().import_csv(&u.viewer, &text).await {
        Ok(r) => Redirect::to(&format!(
            "/sites?imported={}&added={}&changed={}&staff_added={}",
            r.rows, r.added, r.changed, r.staff_added
        ))
        .into_response(),
        Err(SitesImportError::Row(p)) => import_page(
            &u,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(format!("Nothing was imported. Line {}, column {}: {}", p.line, p.column, capitalised(&p.message))),
        ),
        Err(SitesImportError::Store(StoreError::Forbidden(m))) => {
            import_page(&u, StatusCode::FORBIDDEN, Some(capitalised(&m)))
        }
        Err(SitesImportError::Store(e)) => ApiError::from(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "estate_acknowledgements.html")]
struct AcksPage {
    layout: Layout,
    notice: Option<String>,
    divisions: Vec<DivisionAcks>,
    sites: Vec<SiteAcks>,
    division: String,
    query: String,
    total: i64,
    limit: i64,
    offset: i64,
    shown_from: i64,
    shown_to: i64,
}

#[derive(Deserialize)]
pub struct AcksPageQuery {
    division: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
    reminded: Option<String>,
}

fn reminded_words(people: &str) -> Option<String> {
    match people.parse::<i64>() {
        Ok(0) => Some("Everyone told of a change has acknowledged it: no reminder was sent.".into()),
        Ok(1) => Some("A reminder was sent to the 1 person who has not acknowledged.".into()),
        Ok(n) => Some(format!("A reminder was sent to the {n} people who have not acknowledged.")),
        Err(_) => None,
    }
}

/// `GET /estate/acknowledgements`: by division, then the sites where someone has not acknowledged.
pub async fn page_acks(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<AcksPageQuery>,
) -> Response {
    let paging = crate::api::paging(q.limit.as_deref(), q.offset.as_deref())
        .unwrap_or(crate::api::Paging { limit: crate::api::DEFAULT_LIMIT, offset: 0 });
    let divisions = match state.store.estate().acknowledgements_by_division(&u.viewer).await {
        Ok(d) => d,
        Err(e) => return store_page_error(e, &u),
    };
    let division = q.division.clone().unwrap_or_default().trim().to_string();
    let (sites, total) =
        match state.store.estate().sites_outstanding(&u.viewer, Some(&division), paging.limit, paging.offset).await {
            Ok(x) => x,
            Err(e) => return store_page_error(e, &u),
        };
    let shown = sites.len() as i64;
    render(
        StatusCode::OK,
        &AcksPage {
            layout: Layout::for_user("Who has acknowledged across the estate", Marking::Official, "/sites", Some(&u)),
            notice: q.reminded.as_deref().and_then(reminded_words),
            divisions,
            sites,
            query: if division.is_empty() {
                String::new()
            } else {
                format!("&division={}", crate::auth::urlencode(&division))
            },
            division,
            total,
            limit: paging.limit,
            offset: paging.offset,
            shown_from: if shown == 0 { 0 } else { paging.offset + 1 },
            shown_to: paging.offset + shown,
        },
    )
}

#[derive(Template)]
#[template(path = "estate_remind.html")]
struct RemindPage {
    layout: Layout,
    /// Where the form posts and where "cancel" goes.
    action: String,
    back: String,
    back_words: String,
    /// Whom the reminder goes to, in words.
    whom: String,
    outstanding: i64,
    division: String,
}

#[derive(Deserialize)]
pub struct DivisionQuery {
    division: Option<String>,
}

/// `GET /estate/reminders?division=`: asks to confirm reminding a division (or the estate).
pub async fn page_remind_division_form(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<DivisionQuery>,
) -> Response {
    let divisions = match state.store.estate().acknowledgements_by_division(&u.viewer).await {
        Ok(d) => d,
        Err(e) => return store_page_error(e, &u),
    };
    let division = q.division.unwrap_or_default().trim().to_string();
    let outstanding = divisions
        .iter()
        .filter(|d| division.is_empty() || d.division.eq_ignore_ascii_case(&division))
        .map(|d| d.count.outstanding)
        .sum();
    if !division.is_empty() && !divisions.iter().any(|d| d.division.eq_ignore_ascii_case(&division)) {
        return crate::pages::not_found_for(Some(&u));
    }
    let whom = if division.is_empty() {
        "everyone across the estate".to_string()
    } else {
        format!("everyone in {division} division")
    };
    render(
        StatusCode::OK,
        &RemindPage {
            layout: Layout::for_user("Send reminders", Marking::Official, "/sites", Some(&u)),
            action: "/estate/reminders".into(),
            back: "/estate/acknowledgements".into(),
            back_words: "acknowledgements across the estate".into(),
            whom,
            outstanding,
            division,
        },
    )
}

/// `POST /estate/reminders`.
pub async fn page_remind_division(
    State(state): State<AppState>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let division = field(&f, "division");
    match state.store.estate().remind_division(&u.viewer, Some(&division)).await {
        Ok(r) => Redirect::to(&format!("/estate/acknowledgements?reminded={}", r.people)).into_response(),
        Err(e) => store_page_error(e, &u),
    }
}

/// `GET /sites/{id}/reminders`: asks to confirm reminding a site's staff.
pub async fn page_remind_site_form(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<SiteId>,
) -> Response {
    let site = match state.store.estate().get(&u.viewer, &id).await {
        Ok(s) => s,
        Err(e) => return store_page_error(e, &u),
    };
    let acks = match state.store.estate().acknowledgements(&u.viewer, &id, 1, 0).await {
        Ok(a) => a,
        Err(e) => return store_page_error(e, &u),
    };
    render(
        StatusCode::OK,
        &RemindPage {
            layout: Layout::for_user("Send reminders", Marking::Official, "/sites", Some(&u)),
            action: format!("/sites/{id}/reminders"),
            back: format!("/sites/{id}"),
            back_words: site.name.clone(),
            whom: format!("the staff at {}", site.name),
            outstanding: acks.outstanding,
            division: String::new(),
        },
    )
}

/// `POST /sites/{id}/reminders`.
pub async fn page_remind_site(
    State(state): State<AppState>,
    Path(id): Path<SiteId>,
    CheckedForm { user: u, fields: _ }: CheckedForm,
) -> Response {
    match state.store.estate().remind_site(&u.viewer, &id).await {
        Ok(r) => Redirect::to(&format!("/sites/{id}?done=reminded&people={}", r.people)).into_response(),
        Err(e) => store_page_error(e, &u),
    }
}

#[derive(Template)]
#[template(path = "site_staff_add.html")]
struct StaffPage {
    layout: Layout,
    s: SiteView,
    errors: FormErrors,
    q: String,
    searched: bool,
    people: Vec<cordon_store::identity::User>,
    email: String,
}

#[derive(Deserialize)]
pub struct StaffQuery {
    q: Option<String>,
}

async fn staff_page(
    state: &AppState,
    u: &CurrentUser,
    id: &SiteId,
    status: StatusCode,
    errors: FormErrors,
    q: &str,
    email: &str,
) -> Response {
    let site = match state.store.estate().get(&u.viewer, id).await {
        Ok(s) => s,
        Err(e) => return store_page_error(e, u),
    };
    if !u.viewer.may(estate::MANAGE) {
        return forbidden("only an estates manager may add staff to a site");
    }
    let q = q.trim();
    let people = if q.is_empty() {
        Vec::new()
    } else {
        match state.store.estate().staff_candidates(&u.viewer, id, q).await {
            Ok(p) => p,
            Err(e) => return store_page_error(e, u),
        }
    };
    let title = format!("{}Add staff to {}", if errors.is_empty() { "" } else { "Error: " }, site.name);
    render(
        status,
        &StaffPage {
            layout: Layout::for_user(title, Marking::Official, "/sites", Some(u)),
            s: SiteView::from(&site),
            errors,
            searched: !q.is_empty(),
            q: q.to_string(),
            people,
            email: email.to_string(),
        },
    )
}

/// `GET /sites/{id}/staff/new?q=`: find people of the organisation by name or address, and add them.
pub async fn page_staff_form(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<SiteId>,
    Query(q): Query<StaffQuery>,
) -> Response {
    staff_page(&state, &u, &id, StatusCode::OK, FormErrors::default(), q.q.as_deref().unwrap_or(""), "").await
}

/// `POST /sites/{id}/staff/new`: adds the person (by e-mail address) and goes back to the site.
pub async fn page_add_staff(
    State(state): State<AppState>,
    Path(id): Path<SiteId>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let email = field(&f, "email");
    match state.store.estate().add_staff(&u.viewer, &id, &email).await {
        Ok(added) => {
            Redirect::to(&format!("/sites/{id}?done={}", if added { "staff" } else { "already-staff" })).into_response()
        }
        Err(StoreError::NotFound { .. }) => crate::pages::not_found_for(Some(&u)),
        Err(e) => {
            let status = match &e {
                StoreError::Forbidden(_) => StatusCode::FORBIDDEN,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            match FormErrors::from_store(e) {
                Ok(errors) => staff_page(&state, &u, &id, status, errors, &field(&f, "q"), &email).await,
                Err(r) => r,
            }
        }
    }
}

#[derive(Template)]
#[template(path = "site_staff_remove.html")]
struct RemoveStaffPage {
    layout: Layout,
    s: SiteView,
    member: cordon_store::estate::StaffMember,
}

/// `GET /sites/{id}/staff/{user_id}/remove`: asks to confirm taking someone off the site.
pub async fn page_remove_staff_form(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, user_id)): Path<(SiteId, UserId)>,
) -> Response {
    let site = match state.store.estate().get(&u.viewer, &id).await {
        Ok(s) => s,
        Err(e) => return store_page_error(e, &u),
    };
    if !u.viewer.may(estate::MANAGE) {
        return forbidden("only an estates manager may change a site's staff");
    }
    let staff = match state.store.estate().staff(&u.viewer, &id).await {
        Ok(s) => s,
        Err(e) => return store_page_error(e, &u),
    };
    let Some(member) = staff.into_iter().find(|m| m.user_id == user_id) else {
        return crate::pages::not_found_for(Some(&u));
    };
    render(
        StatusCode::OK,
        &RemoveStaffPage {
            layout: Layout::for_user(
                format!("Take {} off the staff", member.name),
                Marking::Official,
                "/sites",
                Some(&u),
            ),
            s: SiteView::from(&site),
            member,
        },
    )
}

/// `POST /sites/{id}/staff/{user_id}/remove`.
pub async fn page_remove_staff(
    State(state): State<AppState>,
    Path((id, user_id)): Path<(SiteId, UserId)>,
    CheckedForm { user: u, fields: _ }: CheckedForm,
) -> Response {
    match state.store.estate().remove_staff(&u.viewer, &id, &user_id).await {
        Ok(()) => Redirect::to(&format!("/sites/{id}?done=staff-removed")).into_response(),
        Err(e) => store_page_error(e, &u),
    }
}

/// This part's pages.
pub fn pages() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/sites/import", get(page_import_form).post(page_import))
        .route("/estate/acknowledgements", get(page_acks))
        .route("/estate/reminders", get(page_remind_division_form).post(page_remind_division))
        .route("/sites/{id}/reminders", get(page_remind_site_form).post(page_remind_site))
        .route("/sites/{id}/staff/new", get(page_staff_form).post(page_add_staff))
        .route("/sites/{id}/staff/{user_id}/remove", get(page_remove_staff_form).post(page_remove_staff))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reminder_notice_counts_people_in_words() {
        assert_eq!(
            reminded_words("0").as_deref(),
            Some("Everyone told of a change has acknowledged it: no reminder was sent.")
        );
        assert!(reminded_words("1").unwrap().contains("the 1 person "));
        assert!(reminded_words("12").unwrap().contains("the 12 people "));
        assert_eq!(reminded_words("x"), None);
    }

    #[test]
    fn an_exported_line_quotes_what_it_must_and_neutralises_formulas() {
        let site = cordon_store::estate::Site {
            id: SiteId::generate(),
            organisation_id: cordon_domain::ids::OrganisationId::generate(),
            name: "=HYPERLINK(\"x\")".into(),
            kind: SiteKind::CustodySuite,
            address: "1 High Street, Town".into(),
            division: "North".into(),
            threat_level: Some(cordon_domain::threat::ThreatLevel::Substantial),
            floor: ResponseLevel::Heightened,
            response_level: ResponseLevel::Heightened,
            raised: None,
            staff_count: 2,
        };
        let line = csv_line(&ExportRow { site, staff: vec!["a@x.police.uk".into(), "b@x.police.uk".into()] });
        assert_eq!(
            line,
            "\"'=HYPERLINK(\"\"x\"\")\",custody_suite,\"1 High Street, Town\",North,a@x.police.uk; b@x.police.uk,SUBSTANTIAL,HEIGHTENED\r\n"
        );
    }
}
