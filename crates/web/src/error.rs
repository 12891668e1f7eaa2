//! Errors as the API reports them: `{"error": {"code", "message", "field"}}`
//! with 400 for a request that cannot be parsed, 422 for one that breaks a rule,
//! 404 for what does not exist or may not be seen, 409 for a conflict.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use cordon_store::StoreError;
use serde_json::json;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    /// Extra members of the body, such as the readiness problems.
    pub extra: Option<(&'static str, serde_json::Value)>,
    /// Seconds to wait before trying again (`Retry-After`), for 429 and 503.
    pub retry_after: Option<i64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), field: None, extra: None, retry_after: None }
    }

    pub fn field(mut self, field: &str) -> Self {
        self.field = Some(field.to_string());
        self
    }

    pub fn bad_request(field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message).field(field)
    }

    pub fn unprocessable(field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message).field(field)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on the server; it has been logged",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid { field, message } => ApiError::unprocessable(&field, message),
            StoreError::NotFound { field, message } => {
                let mut err = ApiError::not_found(message);
                err.field = field;
                err
            }
            StoreError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "conflict", m),
            StoreError::Stale(m) => ApiError::new(StatusCode::CONFLICT, "stale", m),
            StoreError::RulesNotMet { code, message, problems } => {
                let mut e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message);
                e.extra = Some(("problems", serde_json::to_value(problems).unwrap_or_default()));
                e
            }
            StoreError::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", m),
            StoreError::Throttled { retry_after } => {
                let mut e = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", e.to_string());
                e.retry_after = Some(retry_after);
                e
            }
            StoreError::Busy { retry_after } => {
                let mut e = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", e.to_string());
                e.retry_after = Some(retry_after);
                e
            }
            StoreError::Unreachable { .. } => {
                tracing::error!(error = %e, "database unreachable");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "the database cannot be reached")
            }
            other => {
                tracing::error!(error = %other, "store error");
                ApiError::internal()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({"error": {"code": self.code, "message": self.message, "field": self.field}});
        if let Some((k, v)) = self.extra {
            body[k] = v;
        }
        let mut res = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(axum::http::header::WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
        }
        if let Some(secs) = self.retry_after {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, secs.max(1).into());
        }
        res
    }
}
