//! What every API operation shares: the error responses it can document, the
//! list shapes, pagination, and the OpenAPI document assembled from each
//! capability's routes (`threat::api`, `identity::api`, `events::api`,
//! `plan::api`, `documents::api`). The document is generated from the handlers' annotations and
//! the request and response types; nothing in it is written by hand.

use crate::error::ApiError;
use crate::AppState;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;
use utoipa::openapi::{self, RefOr};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;

/// The body of every API error.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
    /// For `not_ready` and other rule failures: every rule not met.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems: Option<Vec<ProblemBody>>,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A short identifier, such as `not_found`, `invalid` or `conflict`.
    pub code: String,
    /// What went wrong and what to do, in words.
    pub message: String,
    /// The field at fault, when one is.
    pub field: Option<String>,
}

/// A rule that is not met, with where to fix it.
#[derive(Serialize, ToSchema)]
pub struct ProblemBody {
    pub rule: String,
    pub message: String,
    pub path: String,
}

macro_rules! error_responses {
    ($($(#[$doc:meta])* $name:ident = $status:literal, $description:literal $(, header $header:literal: $header_doc:literal)?;)+) => {
        $(
            $(#[$doc])*
            pub struct $name;

            impl utoipa::IntoResponses for $name {
                fn responses() -> BTreeMap<String, RefOr<openapi::response::Response>> {
                    #[allow(unused_mut)]
                    let mut response = openapi::ResponseBuilder::new().description($description).content(
                        "application/json",
                        openapi::ContentBuilder::new().schema(Some(openapi::Ref::from_schema_name("ErrorBody"))).build(),
                    );
                    $(
                        response = response.header(
                            $header,
                            openapi::HeaderBuilder::new()
                                .schema(Some(openapi::ObjectBuilder::new().schema_type(openapi::Type::String)))
                                .description(Some($header_doc))
                                .build(),
                        );
                    )?
                    BTreeMap::from([($status.to_string(), response.build().into())])
                }
            }
        )+
    };
}

error_responses! {
    BadRequest = "400", "The request cannot be parsed (a query parameter, the path or the body); `field` names it";
    Unauthorised = "401", "No valid credentials: sign in, or send an API token",
        header "WWW-Authenticate": "Always `Bearer`";
    Forbidden = "403", "The caller may see the record but no role of theirs allows this, the CSRF check failed, or a second factor must be set up first";
    NotFound = "404", "No such record, or the caller may not see it";
    Conflict = "409", "The record changed state in a way that forbids this (for example an issued version, or someone else changed it first)";
    PayloadTooLarge = "413", "The body is larger than the server accepts";
    UnsupportedMediaType = "415", "The body's Content-Type is not one this operation accepts";
    Unprocessable = "422", "The request breaks a rule; `field` names the field and `message` says what to do";
    TooManyRequests = "429", "Too many attempts: wait as long as Retry-After says",
        header "Retry-After": "Seconds to wait";
}

/// A page of a longer list.
#[derive(Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// How many items there are in all.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// A list that is complete by nature and never paginated: `total` items,
/// `limit` equal to `total`, `offset` 0.
#[derive(Serialize, ToSchema)]
pub struct Complete<T: ToSchema> {
    pub items: Vec<T>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

impl<T: ToSchema> Complete<T> {
    pub fn new(items: Vec<T>) -> Self {
        let total = items.len() as i64;
        Complete { items, total, limit: total, offset: 0 }
    }
}

/// `limit` and `offset` as sent; parsed by [`PageQuery::paging`] so that a
/// value that is not a whole number is a 400 naming it, on every list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// How many items to return (1 to 100; default 25).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// How many items to skip (default 0).
    #[param(value_type = Option<i64>, minimum = 0)]
    pub offset: Option<String>,
}

pub const DEFAULT_LIMIT: i64 = 25;
pub const MAX_LIMIT: i64 = 100;

/// A parsed page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub limit: i64,
    pub offset: i64,
}

impl PageQuery {
    pub fn paging(&self) -> Result<Paging, ApiError> {
        paging(self.limit.as_deref(), self.offset.as_deref())
    }
}

/// Parses `limit` and `offset`: a value that is not a whole number is a 400
/// naming the field; one out of range is a 400 too, saying the range.
pub fn paging(limit: Option<&str>, offset: Option<&str>) -> Result<Paging, ApiError> {
    let number = |field: &str, v: Option<&str>, default: i64, min: i64, max: i64| -> Result<i64, ApiError> {
        // Absent is the default; present but empty is not a number.
        match v.map(str::trim) {
            None => Ok(default),
            Some(s) => match s.parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                Ok(_) => Err(ApiError::bad_request(field, format!("{field} must be between {min} and {max}"))),
                Err(_) => Err(ApiError::bad_request(field, format!("{field} must be a whole number; {s:?} is not"))),
            },
        }
    };
    Ok(Paging {
        limit: number("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT)?,
        offset: number("offset", offset, 0, 0, i64::MAX)?,
    })
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Cordon API",
        description = "Counter-terrorism protective security planning. Errors are {\"error\": {\"code\", \"message\", \"field\"}}. Lists are {\"items\", \"total\", \"limit\", \"offset\"}. A record the caller may not see is 404. Browser sessions must send X-CSRF-Token on requests that change data.",
    ),
    servers((url = "/api/v1")),
    components(schemas(ErrorBody, ErrorDetail, ProblemBody)),
    modifiers(&Security),
)]
struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, doc: &mut openapi::OpenApi) {
        use openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token from `cordon token issue` or the account page"))
                    .build(),
            ),
        );
        components
            .add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("cordon_session"))));
    }
}

/// A capability's API operations. Operations can only be added with their
/// OpenAPI description (`utoipa_axum::routes!` over handlers annotated with
/// `#[utoipa::path]`), so no route can be served without being documented,
/// and the document can name no path the router does not serve.
pub struct ApiRoutes(OpenApiRouter<AppState>);

impl ApiRoutes {
    pub fn new() -> Self {
        ApiRoutes(OpenApiRouter::new())
    }

    /// Adds the operations of one path (one or more methods).
    pub fn routes(self, operations: utoipa_axum::router::UtoipaMethodRouter<AppState>) -> Self {
        ApiRoutes(self.0.routes(operations))
    }
}

impl Default for ApiRoutes {
    fn default() -> Self {
        Self::new()
    }
}

/// Every capability's API routes, with the OpenAPI document they make.
/// Adding a capability adds one line here.
pub fn routes() -> OpenApiRouter<AppState> {
    [
        crate::threat::api(),
        crate::identity::api(),
        crate::events::api(),
        crate::plan::api(),
        crate::advice::api(),
        crate::seco::api(),
        crate::policy::api(),
        crate::estate::api(),
        crate::estate_options::api(),
        crate::estate_register::api(),
        crate::audit::api(),
        crate::documents::api(),
        crate::notifications::api(),
        crate::tasks::api(),
        crate::martyns_law::api(),
        crate::places::api(),
    ]
    .into_iter()
    .fold(OpenApiRouter::with_openapi(ApiDoc::openapi()), |all, capability| all.merge(capability.0))
    .routes(utoipa_axum::routes!(openapi_json))
}

static DOCUMENT: OnceLock<String> = OnceLock::new();

/// The OpenAPI document, as served at `/api/v1/openapi.json`.
pub fn document() -> &'static str {
    DOCUMENT.get_or_init(|| {
        let mut doc = routes().into_openapi();
        every_body_required(&mut doc);
        doc.to_pretty_json().expect("the OpenAPI document serialises")
    })
}

/// Every operation that takes a body needs it (an upload without its file is
/// refused): the document says so, not only the typed JSON bodies.
fn every_body_required(doc: &mut utoipa::openapi::OpenApi) {
    for item in doc.paths.paths.values_mut() {
        for op in [&mut item.post, &mut item.put, &mut item.patch].into_iter().flatten() {
            if let Some(utoipa::openapi::RefOr::T(body)) = op.request_body.as_mut() {
                body.required = Some(utoipa::openapi::Required::True);
            }
        }
    }
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "api",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", content_type = "application/json", body = Object)))]
async fn openapi_json() -> axum::response::Response {
    use axum::response::IntoResponse;
    ([(axum::http::header::CONTENT_TYPE, "application/json")], document()).into_response()
}

/// The text of a CSV upload: `Content-Type: text/csv` (415 otherwise) and
/// UTF-8 (400 naming the first byte that is not). `what` names the rows.
pub fn csv_text<'a>(headers: &axum::http::HeaderMap, body: &'a [u8], what: &str) -> Result<&'a str, ApiError> {
    let ct = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !ct.trim().to_ascii_lowercase().starts_with("text/csv") {
        return Err(ApiError::new(
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("send the {what} as CSV with Content-Type: text/csv"),
        ));
    }
    std::str::from_utf8(body).map_err(|e| {
        ApiError::bad_request("body", format!("the CSV must be UTF-8 text; byte {} is not", e.valid_up_to()))
    })
}

/// A bad row of a CSV upload: 422 naming its line and column (also in `row`).
pub fn csv_row_error(p: cordon_domain::csv::CsvProblem) -> ApiError {
    let mut e = ApiError::unprocessable(&p.column, format!("line {}, column {}: {}", p.line, p.column, p.message));
    e.extra = Some(("row", serde_json::json!({"line": p.line, "column": p.column})));
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_refuses_what_is_not_a_whole_number_and_names_the_field() {
        assert_eq!(paging(None, None).unwrap(), Paging { limit: 25, offset: 0 });
        assert_eq!(paging(Some("10"), Some("20")).unwrap(), Paging { limit: 10, offset: 20 });
        for (l, o, field) in [(Some("abc"), None, "limit"), (None, Some("x"), "offset"), (Some("0"), None, "limit")] {
            let e = paging(l, o).unwrap_err();
            assert_eq!(e.status, axum::http::StatusCode::BAD_REQUEST);
            assert_eq!(e.field.as_deref(), Some(field));
        }
    }
}
