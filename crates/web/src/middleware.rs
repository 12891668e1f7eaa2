//! Cross-cutting layers: security headers on every response, request metrics,
//! one error shape, safe request ids and the client's address.

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
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

/// The address of the client a request comes from, as worked out by
/// [`client_address`]: the one sign-in throttling, sessions and the logs use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The client's address. `X-Forwarded-For` is believed only when the TCP peer
/// is one of the trusted proxies; then the client is the right-most address in
/// it that is not itself a trusted proxy (each proxy appends the address it
/// saw, so entries further left may have been written by the client).
pub fn client_of<'a>(peer: IpAddr, forwarded_for: impl Iterator<Item = &'a str>, trusted: &[IpAddr]) -> IpAddr {
    let mut client = peer.to_canonical();
    if !trusted.contains(&client) {
        return client;
    }
    let entries: Vec<&str> = forwarded_for.flat_map(|v| v.split(',')).collect();
    for entry in entries.iter().rev() {
        let entry = entry.trim();
        let Some(ip) = entry.parse::<IpAddr>().ok().or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip())) else {
            // Not an address: a proxy we trust did not write it, so stop at
            // the last hop we know.
            return client;
        };
        client = ip.to_canonical();
        if !trusted.contains(&client) {
            return client;
        }
    }
    client
}

/// Works out the client's address once per request (see [`client_of`]) and
/// records it in the request for the handlers and the logs.
pub async fn client_address(State(trusted): State<Arc<[IpAddr]>>, mut req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    if let Some(peer) = peer {
        let forwarded = req.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
        let client = client_of(peer, forwarded, &trusted);
        req.extensions_mut().insert(ClientAddr(client));
    }
    next.run(req).await
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<ClientAddr>().copied().unwrap_or_else(|| {
            // Only a router served without connection information gets here.
            tracing::warn!("no client address for this request");
            ClientAddr(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
        }))
    }
}

#[cfg(test)]
mod client_tests {
    use super::client_of;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let proxy = [ip("10.0.0.1")];
        // Straight from a client: its header says nothing.
        assert_eq!(client_of(ip("198.51.100.9"), ["203.0.113.7"].into_iter(), &proxy), ip("198.51.100.9"));
        assert_eq!(client_of(ip("198.51.100.9"), ["203.0.113.7"].into_iter(), &[]), ip("198.51.100.9"));
        // Through the proxy: the address it appended, not what the client wrote before it.
        assert_eq!(client_of(ip("10.0.0.1"), ["203.0.113.7"].into_iter(), &proxy), ip("203.0.113.7"));
        assert_eq!(client_of(ip("10.0.0.1"), ["6.6.6.6, 203.0.113.7"].into_iter(), &proxy), ip("203.0.113.7"));
        assert_eq!(client_of(ip("10.0.0.1"), ["6.6.6.6", "203.0.113.7"].into_iter(), &proxy), ip("203.0.113.7"));
        // Through two trusted proxies; with a port; IPv4 in IPv6.
        let two = [ip("10.0.0.1"), ip("10.0.0.2")];
        assert_eq!(client_of(ip("10.0.0.1"), ["203.0.113.7, 10.0.0.2"].into_iter(), &two), ip("203.0.113.7"));
        assert_eq!(client_of(ip("10.0.0.1"), ["203.0.113.7:4711"].into_iter(), &proxy), ip("203.0.113.7"));
        assert_eq!(client_of(ip("::ffff:10.0.0.1"), ["[2001:db8::1]:80"].into_iter(), &proxy), ip("2001:db8::1"));
        // No header, or nothing but proxies or rubbish: the nearest hop known.
        assert_eq!(client_of(ip("10.0.0.1"), std::iter::empty(), &proxy), ip("10.0.0.1"));
        assert_eq!(client_of(ip("10.0.0.1"), ["10.0.0.2"].into_iter(), &two), ip("10.0.0.2"));
        assert_eq!(client_of(ip("10.0.0.1"), ["203.0.113.7, unknown"].into_iter(), &proxy), ip("10.0.0.1"));
    }
}
