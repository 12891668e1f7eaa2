//! The audit trail of an event (its changes and its access log), its
//! disclosure bundle, the deployment's signing key, and the auditor's list of
//! records due for retention review. Every decision is the store's
//! (`store.audit()`, `store.disclosure()`); this module parses and renders.

use crate::api::{paging, ApiRoutes, BadRequest, Forbidden, NotFound, Page, Unauthorised};
use crate::auth::{ApiUser, CurrentUser, PageUser};
use crate::error::ApiError;
use crate::events::csv_field;
use crate::pages::{render, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cordon_domain::audit::{ACCESS_KINDS, CHANGE_KINDS};
use cordon_domain::documents::Document;
use cordon_domain::ids::EventId;
use cordon_domain::Marking;
use cordon_store::audit::{AccessLogEntry, AuditFilter, ChangeEntry, ReviewDue, Trail};
use cordon_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

/// The event in the path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AuditPath {
    /// The event's id.
    id: EventId,
}

/// Filters of a trail, as sent (the page's form sends empty fields for "any").
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrailQuery {
    /// Only this person's entries (a user id).
    person: Option<String>,
    /// Entries on or after this day, UK time (YYYY-MM-DD).
    #[param(format = Date)]
    from: Option<String>,
    /// Entries on or before this day, UK time (YYYY-MM-DD).
    #[param(format = Date)]
    to: Option<String>,
    /// Only this kind: a journal kind such as `plan_issued` for the changes; `read` or `denied` for the access log.
    kind: Option<String>,
    /// How many entries to return (1 to 100; default 25).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    /// How many entries to skip (default 0).
    #[param(value_type = Option<i64>, minimum = 0)]
    offset: Option<String>,
}

fn date(field: &str, label: &str, v: Option<&str>) -> Result<Option<time::Date>, ApiError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => cordon_domain::reference::parse_date(s).map(Some).map_err(|_| {
            ApiError::bad_request(
                field,
                format!("Enter the {label} date as a real date written YYYY-MM-DD, like 2027-04-26"),
            )
        }),
    }
}

impl TrailQuery {
    fn filter(&self, kinds: &[(&str, &str)]) -> Result<AuditFilter, ApiError> {
        let p = paging(self.limit.as_deref(), self.offset.as_deref())?;
        let from = date("from", "from", self.from.as_deref())?;
        let to = date("to", "to", self.to.as_deref())?;
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                return Err(ApiError::bad_request("to", "The to date must be the same as or after the from date"));
            }
        }
        let kind = self.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        if let Some(k) = &kind {
            if !kinds.iter().any(|(x, _)| x == k) {
                let all: Vec<&str> = kinds.iter().map(|(x, _)| *x).collect();
                return Err(ApiError::bad_request(
                    "kind",
                    format!("Choose a kind of entry: one of {}", all.join(", ")),
                ));
            }
        }
        Ok(AuditFilter {
            person: self.person.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string),
            from,
            to,
            kind,
            limit: p.limit,
            offset: p.offset,
        })
    }

    /// The query string of these filters, for links (without paging).
    fn link_query(&self) -> String {
        let enc = |v: &Option<String>| crate::auth::urlencode(v.as_deref().unwrap_or(""));
        format!("person={}&from={}&to={}&kind={}", enc(&self.person), enc(&self.from), enc(&self.to), enc(&self.kind))
    }
}

/// One change to an event, in words.
#[derive(Serialize, ToSchema)]
pub struct ChangeBody {
    /// The journal's sequence number.
    seq: i64,
    /// When, RFC 3339 UTC.
    at: String,
    /// Who made the change (a user id, or `system`).
    user_id: String,
    /// Who, by name.
    who: String,
    organisation: String,
    /// The kind of journal entry, such as `plan_issued`.
    kind: String,
    /// The kind in words.
    kind_words: String,
    marking: String,
    /// What changed, in words.
    what: String,
}

impl From<ChangeEntry> for ChangeBody {
    fn from(e: ChangeEntry) -> Self {
        ChangeBody {
            seq: e.seq,
            at: e.at,
            user_id: e.user_id,
            who: e.who,
            organisation: e.organisation,
            kind: e.kind,
            kind_words: e.kind_words,
            marking: e.marking,
            what: e.what,
        }
    }
}

/// One access to an event: a read or a refusal.
#[derive(Serialize, ToSchema)]
pub struct AccessBody {
    /// The access log's sequence number.
    seq: i64,
    at: String,
    user_id: String,
    who: String,
    organisation: String,
    /// `read` or `denied`.
    kind: String,
    kind_words: String,
    /// What happened, in words.
    what: String,
}

impl From<AccessLogEntry> for AccessBody {
    fn from(e: AccessLogEntry) -> Self {
        AccessBody {
            seq: e.seq,
            at: e.at,
            user_id: e.user_id,
            who: e.who,
            organisation: e.organisation,
            kind: e.kind,
            kind_words: e.kind_words,
            what: e.what,
        }
    }
}

/// The deployment's Ed25519 signing key, which signs disclosure bundles.
#[derive(Serialize, ToSchema)]
pub struct SigningKeyBody {
    /// Always `Ed25519`.
    algorithm: String,
    /// The 32-byte public key, hexadecimal.
    public_key_hex: String,
    /// The public key as SubjectPublicKeyInfo PEM, for `openssl pkeyutl -verify -pubin -inkey`.
    public_key_pem: String,
}

/// The changes to an event and its plan, newest first: who, when and what, in words.
#[utoipa::path(get, path = "/events/{id}/audit", tag = "audit",
    params(AuditPath, TrailQuery),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "A page of changes, newest first", body = Page<ChangeBody>,
            headers(("X-Withheld" = i64, description = "Entries marked above what the caller may read, left out"))),
        BadRequest, Unauthorised, Forbidden, NotFound,
    ))]
pub async fn api_changes(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<AuditPath>,
    Query(q): Query<TrailQuery>,
) -> Result<Response, ApiError> {
    let f = q.filter(CHANGE_KINDS)?;
    let t = state.store.audit().changes((&u.viewer).into(), &p.id, &f).await?;
    let withheld = t.withheld;
    let mut res = Json(Page {
        items: t.items.into_iter().map(ChangeBody::from).collect(),
        total: t.total,
        limit: t.limit,
        offset: t.offset,
    })
    .into_response();
    res.headers_mut().insert("x-withheld", HeaderValue::from(withheld));
    Ok(res)
}

/// Every access to an event, newest first: who read it and who was refused.
#[utoipa::path(get, path = "/events/{id}/access-log", tag = "audit",
    params(AuditPath, TrailQuery),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "A page of access-log entries, newest first", body = Page<AccessBody>),
        BadRequest, Unauthorised, Forbidden, NotFound,
    ))]
pub async fn api_access(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<AuditPath>,
    Query(q): Query<TrailQuery>,
) -> Result<Json<Page<AccessBody>>, ApiError> {
    let f = q.filter(ACCESS_KINDS)?;
    let t = state.store.audit().access_log((&u.viewer).into(), &p.id, &f).await?;
    Ok(Json(Page {
        items: t.items.into_iter().map(AccessBody::from).collect(),
        total: t.total,
        limit: t.limit,
        offset: t.offset,
    }))
}

/// As many rows as a CSV holds (the filters apply; paging does not).
const CSV_ROWS: i64 = 100_000;

fn csv_response(marking: Marking, name: &str, header_line: &str, rows: Vec<Vec<String>>) -> Response {
    let mut out = format!("# {marking}\r\n{header_line}\r\n");
    for row in rows {
        out.push_str(&row.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    let mut res = out.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert("x-protective-marking", HeaderValue::from_static(marking.as_str()));
    res
}

fn shown_marking(t: &Trail<ChangeEntry>) -> Marking {
    t.items
        .iter()
        .filter_map(|e| e.marking.parse::<Marking>().ok())
        .chain([t.event.marking])
        .max()
        .unwrap_or(t.event.marking)
}

/// The changes to an event as CSV (the filters apply; every matching entry).
#[utoipa::path(get, path = "/events/{id}/audit.csv", tag = "audit",
    params(AuditPath, TrailQuery),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "A `# MARKING` line, a header line, one line per change, newest first",
            content_type = "text/csv", body = String,
            headers(("X-Protective-Marking" = String, description = "The highest marking of the entries"))),
        BadRequest, Unauthorised, Forbidden, NotFound,
    ))]
pub async fn api_changes_csv(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<AuditPath>,
    Query(q): Query<TrailQuery>,
) -> Result<Response, ApiError> {
    let mut f = q.filter(CHANGE_KINDS)?;
    f.limit = CSV_ROWS;
    f.offset = 0;
    let t = state.store.audit().changes((&u.viewer).into(), &p.id, &f).await?;
    let marking = shown_marking(&t);
    let rows = t
        .items
        .into_iter()
        .map(|e| vec![e.seq.to_string(), e.at, e.who, e.organisation, e.kind_words, e.marking, e.what])
        .collect();
    Ok(csv_response(marking, "cordon-audit-trail.csv", "seq,at,who,organisation,kind,marking,what", rows))
}

/// The access log of an event as CSV (the filters apply; every matching entry).
#[utoipa::path(get, path = "/events/{id}/access-log.csv", tag = "audit",
    params(AuditPath, TrailQuery),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "A `# MARKING` line, a header line, one line per access, newest first",
            content_type = "text/csv", body = String,
            headers(("X-Protective-Marking" = String, description = "The event's marking"))),
        BadRequest, Unauthorised, Forbidden, NotFound,
    ))]
pub async fn api_access_csv(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<AuditPath>,
    Query(q): Query<TrailQuery>,
) -> Result<Response, ApiError> {
    let mut f = q.filter(ACCESS_KINDS)?;
    f.limit = CSV_ROWS;
    f.offset = 0;
    let t = state.store.audit().access_log((&u.viewer).into(), &p.id, &f).await?;
    let rows = t
        .items
        .into_iter()
        .map(|e| vec![e.seq.to_string(), e.at, e.who, e.organisation, e.kind_words, e.what])
        .collect();
    Ok(csv_response(t.event.marking, "cordon-access-log.csv", "seq,at,who,organisation,kind,what", rows))
}

/// The PDF renderer for bundles: the same as the plan's downloads.
fn render_pdf(doc: &Document) -> Result<Vec<u8>, String> {
    cordon_documents::pdf(doc).map_err(|e| e.to_string())
}

/// The event's disclosure bundle: a signed zip of every issued version, the
/// journal entries of the event and its plan, its access log and its attachments.
#[utoipa::path(get, path = "/events/{id}/disclosure", tag = "audit",
    params(AuditPath),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The bundle (`manifest.json`, `manifest.sig`, `index.html`, versions, journal, access log, attachments)",
            content_type = "application/zip", body = Vec<u8>),
        BadRequest, Unauthorised, Forbidden, NotFound,
    ))]
pub async fn api_disclosure(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<AuditPath>,
) -> Result<Response, ApiError> {
    let bundle = state.store.disclosure().export((&u.viewer).into(), &p.id, &render_pdf).await?;
    let mut res = bundle.bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", bundle.file_name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

/// The public key that signs this deployment's disclosure bundles.
#[utoipa::path(get, path = "/signing-key", tag = "audit",
    responses((status = 200, description = "The Ed25519 public key, hexadecimal and PEM", body = SigningKeyBody)))]
pub async fn api_signing_key(State(state): State<AppState>) -> Result<Json<SigningKeyBody>, ApiError> {
    let k = state.store.disclosure().public_key()?;
    Ok(Json(SigningKeyBody { algorithm: k.algorithm.into(), public_key_hex: k.hex, public_key_pem: k.pem }))
}

/// This capability's API operations.
pub fn api() -> ApiRoutes {
    ApiRoutes::new()
        .routes(routes!(api_changes))
        .routes(routes!(api_changes_csv))
        .routes(routes!(api_access))
        .routes(routes!(api_access_csv))
        .routes(routes!(api_disclosure))
        .routes(routes!(api_signing_key))
}

// ----- pages -----------------------------------------------------------------

/// A row of a trail as the page shows it.
pub struct TrailRow {
    pub at: String,
    pub who: String,
    pub organisation: String,
    pub marking: String,
    pub what: String,
    pub refused: bool,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct TrailPage {
    layout: Layout,
    event_id: String,
    event_name: String,
    /// `changes` or `access`.
    which: &'static str,
    rows: Vec<TrailRow>,
    total: i64,
    offset: i64,
    withheld: i64,
    people: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    person: String,
    from: String,
    to: String,
    kind: String,
    error: Option<(String, String)>,
    prev_link: Option<String>,
    next_link: Option<String>,
    csv_link: String,
    may_audit: bool,
    /// Whether the viewer may read the event itself (the link back to its plan).
    may_read: bool,
}

fn page_error(e: StoreError, u: &CurrentUser) -> Response {
    match e {
        StoreError::NotFound { .. } => crate::pages::not_found_for(Some(u)),
        StoreError::Forbidden(m) => {
            crate::pages::message_page(StatusCode::FORBIDDEN, "You cannot see this", &m, Some(u))
        }
        e => ApiError::from(e).into_response(),
    }
}

fn when(at: &str) -> String {
    cordon_domain::london::display_stored(at)
}

async fn trail_page(state: AppState, u: CurrentUser, id: EventId, q: TrailQuery, which: &'static str) -> Response {
    let kinds = if which == "changes" { CHANGE_KINDS } else { ACCESS_KINDS };
    let (f, error) = match q.filter(kinds) {
        Ok(f) => (f, None),
        Err(e) => {
            (AuditFilter { limit: 25, ..Default::default() }, Some((e.field.clone().unwrap_or_default(), e.message)))
        }
    };
    let audit = state.store.audit();
    let (event, rows, total, withheld, people, marking) = if which == "changes" {
        match audit.changes((&u.viewer).into(), &id, &f).await {
            Ok(t) => {
                let marking = shown_marking(&t);
                let rows = t
                    .items
                    .into_iter()
                    .map(|e| TrailRow {
                        at: when(&e.at),
                        who: e.who,
                        organisation: e.organisation,
                        marking: e.marking,
                        what: e.what,
                        refused: false,
                    })
                    .collect::<Vec<_>>();
                (t.event, rows, t.total, t.withheld, t.people, marking)
            }
            Err(e) => return page_error(e, &u),
        }
    } else {
        match audit.access_log((&u.viewer).into(), &id, &f).await {
            Ok(t) => {
                let rows = t
                    .items
                    .into_iter()
                    .map(|e| TrailRow {
                        at: when(&e.at),
                        who: e.who,
                        organisation: e.organisation,
                        refused: e.kind == "denied",
                        marking: String::new(),
                        what: e.what,
                    })
                    .collect::<Vec<_>>();
                let m = t.event.marking;
                (t.event, rows, t.total, t.withheld, t.people, m)
            }
            Err(e) => return page_error(e, &u),
        }
    };
    let base = if which == "changes" { "audit" } else { "access-log" };
    let link = |offset: i64| format!("/events/{}/{base}?{}&offset={offset}", event.id, q.link_query());
    let title = if which == "changes" { "Audit trail" } else { "Access log" };
    render(
        if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK },
        &TrailPage {
            layout: Layout::for_user(format!("{}: {title}", event.name), marking, "/events", Some(&u)),
            event_id: event.id.to_string(),
            event_name: event.name.clone(),
            which,
            total,
            offset: f.offset,
            withheld,
            people,
            kinds: kinds.to_vec(),
            person: q.person.clone().unwrap_or_default(),
            from: q.from.clone().unwrap_or_default(),
            to: q.to.clone().unwrap_or_default(),
            kind: q.kind.clone().unwrap_or_default(),
            error,
            prev_link: (f.offset > 0).then(|| link((f.offset - f.limit).max(0))),
            next_link: (f.offset + f.limit < total).then(|| link(f.offset + f.limit)),
            csv_link: format!("/api/v1/events/{}/{base}.csv?{}", event.id, q.link_query()),
            may_audit: audit.may_audit(&u.viewer, &event),
            may_read: cordon_domain::access::can(
                &u.viewer,
                cordon_domain::access::Action::READ,
                &event.access(),
                state.store.deployment(),
            )
            .is_ok(),
            rows,
        },
    )
}

/// `GET /events/{id}/audit`: every change, in words, filtered and paged.
pub async fn page_changes(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<EventId>,
    Query(q): Query<TrailQuery>,
) -> Response {
    trail_page(state, u, id, q, "changes").await
}

/// `GET /events/{id}/access-log`: every read and refusal.
pub async fn page_access(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<EventId>,
    Query(q): Query<TrailQuery>,
) -> Response {
    trail_page(state, u, id, q, "access").await
}

#[derive(Template)]
#[template(path = "retention.html")]
struct RetentionPage {
    layout: Layout,
    rows: Vec<ReviewDue>,
    class: String,
    years: i32,
    source: String,
    note: String,
    notice_days: i64,
}

impl RetentionPage {
    fn date(&self, d: &str) -> String {
        cordon_domain::reference::parse_date(d)
            .map(cordon_domain::london::display_date)
            .unwrap_or_else(|_| d.to_string())
    }
}

/// `GET /audit/retention`: the auditor's list of records due for review.
pub async fn page_retention(State(state): State<AppState>, PageUser(u): PageUser) -> Response {
    let audit = state.store.audit();
    let rows = match audit.due_for_review(&u.viewer).await {
        Ok(r) => r,
        Err(e) => return page_error(e, &u),
    };
    let schedule = match audit.retention_schedule() {
        Ok(s) => s,
        Err(e) => return page_error(e, &u),
    };
    let class = schedule.class_for(cordon_domain::records::RecordKind::Event).cloned();
    let marking = rows.iter().map(|r| r.marking).max().unwrap_or(Marking::Official);
    render(
        StatusCode::OK,
        &RetentionPage {
            layout: Layout::for_user("Records due for retention review", marking, "/audit/retention", Some(&u)),
            class: class.as_ref().map(|c| c.class.clone()).unwrap_or_default(),
            years: class.as_ref().map(|c| c.review_years).unwrap_or_default(),
            source: class.as_ref().map(|c| c.source.clone()).unwrap_or_default(),
            note: class.as_ref().map(|c| c.note.clone()).unwrap_or_default(),
            notice_days: cordon_domain::audit::REVIEW_NOTICE_DAYS,
            rows,
        },
    )
}

/// This capability's pages.
pub fn pages() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/events/{id}/audit", get(page_changes))
        .route("/events/{id}/access-log", get(page_access))
        .route("/audit/retention", get(page_retention))
}
