//! Cross-cutting layers: security headers on every response and request metrics.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

/// The Content-Security-Policy: our own scripts and styles only, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

const PERMISSIONS: &str = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), \
     microphone=(), payment=(), usb=(), interest-cohort=()";

/// Sets the security headers on every response; HSTS when Cordon is served over TLS.
pub async fn security_headers(State(tls): State<bool>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert("permissions-policy", HeaderValue::from_static(PERMISSIONS));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert("cross-origin-resource-policy", HeaderValue::from_static("same-origin"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if tls {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    res
}

/// Counts requests and their durations by route and status.
pub async fn metrics(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let path =
        req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    let labels = [("method", method), ("path", path), ("status", status)];
    metrics::counter!("cordon_http_requests_total", &labels).increment(1);
    metrics::histogram!("cordon_http_request_duration_seconds", &labels).record(started.elapsed().as_secs_f64());
    res
}

/// Errors in one shape. An API response (under `/api/`) that is an error but
/// not JSON (axum's 405, the body limit's 413, a timeout's 408) is given the
/// API's JSON error body, keeping its status and headers; a page that would
/// answer with JSON or plain text is given an HTML error page instead.
/// `/healthz`, `/metrics` and static files are left as they are.
pub async fn error_shape(req: Request, next: Next) -> Response {
    use axum::response::IntoResponse;
    let path = req.uri().path();
    let api = path.starts_with("/api/");
    // Health, metrics and static files answer machines and keep their own bodies.
    let machine = matches!(path, "/healthz" | "/metrics") || path.starts_with("/static/");
    let res = next.run(req).await;
    if machine {
        return res;
    }
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let content_type = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let json = content_type.starts_with("application/json");
    let html = content_type.starts_with("text/html");
    let replacement = if api && !json {
        let (code, message) = words_for(status);
        crate::error::ApiError::new(status, code, message).into_response()
    } else if !api && !html {
        let (_, message) = words_for(status);
        let mut sentence = message.to_string();
        sentence[..1].make_ascii_uppercase();
        crate::pages::message_page(status, status.canonical_reason().unwrap_or("Error"), &format!("{sentence}."), None)
    } else {
        return res;
    };
    let (mut parts, _) = res.into_parts();
    let (new_parts, body) = replacement.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        new_parts.headers.get(header::CONTENT_TYPE).cloned().unwrap_or(HeaderValue::from_static("text/plain")),
    );
    Response::from_parts(parts, body)
}

fn words_for(status: axum::http::StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => ("bad_request", "the request could not be read"),
        401 => ("unauthorised", "sign in, or send Authorization: Bearer TOKEN"),
        403 => ("forbidden", "you may not do that"),
        404 => ("not_found", "there is nothing at this address, or you may not see it"),
        405 => ("method_not_allowed", "this address does not accept that method"),
        408 => ("timeout", "the request took too long; try again"),
        413 => ("payload_too_large", "the request is larger than the server accepts (up to 10 MB for a file)"),
        415 => ("unsupported_media_type", "the body's Content-Type is not one this address accepts"),
        422 => ("invalid", "the request breaks a rule"),
        429 => ("too_many_requests", "too many attempts; wait and try again"),
        503 => ("unavailable", "the service is unavailable; try again shortly"),
        _ => ("error", "something went wrong; it has been logged"),
    }
}

/// A client's `x-request-id` is kept (echoed and logged) only when it is a
/// short token of safe characters; otherwise it is dropped and the server
/// makes its own, so nothing a client sends is written into logs unchecked.
pub async fn sanitise_request_id(mut req: Request, next: Next) -> Response {
    let safe = |v: &str| {
        !v.is_empty()
            && v.len() <= 64
            && v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    if let Some(v) = req.headers().get("x-request-id") {
        if !v.to_str().is_ok_and(safe) {
            req.headers_mut().remove("x-request-id");
        }
    }
    next.run(req).await
}
