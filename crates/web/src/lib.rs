//! Cordon's web layer: server-rendered pages, the JSON API under `/api/v1`,
//! and the middleware every response passes through. Handlers are thin: they
//! parse, call the store, and render.

// Handlers return `Result<_, Response>` so an early exit is a ready page; boxing
// every response to please this lint would only add noise.
#![allow(clippy::result_large_err)]

mod advice;
pub mod api;
mod audit;
pub mod auth;
mod dates;
mod documents;
pub mod error;
mod estate;
mod estate_options;
mod estate_register;
mod events;
mod forms;
mod gzip;
mod identity;
mod json;
pub mod mail;
mod martyns_law;
pub mod middleware;
mod notifications;
mod pages;
mod places;
mod plan;
mod plan_form;
mod plan_item;
mod policy;
mod seco;
mod tasks;
mod text;
mod threat;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use cordon_store::Store;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub use error::ApiError;

/// How the web layer is configured.
#[derive(Debug, Clone)]
pub struct Config {
    /// The address people use, such as `https://cordon.example.police.uk`.
    /// An `https` URL turns on HSTS and Secure cookies (TLS ends at a proxy).
    pub public_url: Option<String>,
    /// Largest request body accepted, in bytes (attachments are up to 10 MiB).
    pub body_limit: usize,
    /// Longest a request may take (but see `run_timeout`).
    pub request_timeout: Duration,
    /// Longest starting an allocation run may take (`POST /api/v1/allocation/runs`
    /// and its form, `POST /allocation`): a national run of 650,000 places
    /// takes minutes, and answers 201 with its results when it is done.
    pub run_timeout: Duration,
    /// A session ends after this long without use.
    pub session_idle: time::Duration,
    /// A session ends this long after sign-in, however used.
    pub session_absolute: time::Duration,
    /// Proxies whose `X-Forwarded-For` is believed (see
    /// [`middleware::client_of`]); from anyone else it is ignored.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Longest a client may take to send a request's headers; a connection
    /// that has not sent them by then is closed.
    pub header_read_timeout: Duration,
    /// The token `/metrics` asks for (`Authorization: Bearer …`). Without
    /// one, `/metrics` is not served (404): the figures tell an attacker
    /// which sign-ins fail, so they are for the operator's scraper only.
    pub metrics_token: Option<String>,
    /// Whether notices are e-mailed (`--smtp-url`), for the administrator's page.
    pub mail_enabled: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            public_url: None,
            body_limit: 11 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            run_timeout: Duration::from_secs(2 * 60 * 60),
            session_idle: time::Duration::minutes(30),
            session_absolute: time::Duration::hours(12),
            trusted_proxies: Vec::new(),
            header_read_timeout: Duration::from_secs(10),
            metrics_token: None,
            mail_enabled: false,
        }
    }
}

impl Config {
    pub fn tls(&self) -> bool {
        self.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
    }
}

/// Shared state for every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    metrics: PrometheusHandle,
}

fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // In tests several servers share a process; only the first installs.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

impl AppState {
    pub fn new(store: Store, config: Config) -> Self {
        Self { store, config: Arc::new(config), metrics: metrics_handle() }
    }
}

/// The whole application: pages, API, health and metrics, with every layer.
pub fn router(state: AppState) -> Router {
    let tls = state.config.tls();
    let (api, _) = api::routes().split_for_parts();
    let api = api.fallback(api_not_found).method_not_allowed_fallback(api_method_not_allowed);

    let request_id = axum::http::HeaderName::from_static("x-request-id");
    let timeouts = (state.config.request_timeout, state.config.run_timeout);
    let body_limit = state.config.body_limit;
    let trusted: Arc<[std::net::IpAddr]> = state.config.trusted_proxies.iter().map(|ip| ip.to_canonical()).collect();
    Router::new()
        .route("/", get(tasks::home))
        .merge(threat::pages())
        .merge(identity::pages())
        .merge(events::pages())
        .merge(plan::pages())
        .merge(documents::pages())
        .merge(advice::pages())
        .merge(seco::pages())
        .merge(policy::pages())
        .merge(estate::pages())
        .merge(estate_options::pages())
        .merge(estate_register::pages())
        .merge(audit::pages())
        .merge(notifications::pages())
        .merge(martyns_law::pages())
        .merge(places::pages())
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/static/cordon.css", get(stylesheet))
        .nest("/api/v1", api)
        .fallback(pages::not_found)
        .route_layer(axum::middleware::from_fn(middleware::metrics))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::cross_site_guard))
        .with_state(state)
        // Layers run outermost last: request id, client address, trace, security headers, timeout, body limit.
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(axum::middleware::from_fn_with_state(timeouts, timeout))
        .layer(axum::middleware::from_fn(middleware::error_shape))
        .layer(axum::middleware::from_fn_with_state(tls, middleware::security_headers))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<Body>| {
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                    let client = req.extensions().get::<middleware::ClientAddr>().map(|c| c.0.to_string());
                    let client = client.as_deref().unwrap_or("-");
                    tracing::info_span!("request", method = %req.method(), uri = %req.uri().path(), request_id = %id, client = %client)
                })
                .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(axum::middleware::from_fn_with_state(trusted, middleware::client_address))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(axum::middleware::from_fn(middleware::sanitise_request_id))
}

/// Whether a request starts an allocation run, which may take minutes (so it
/// has `Config::run_timeout`, not `Config::request_timeout`).
pub fn starts_a_run(method: &axum::http::Method, path: &str) -> bool {
    method == axum::http::Method::POST && matches!(path, "/api/v1/allocation/runs" | "/allocation")
}

/// The request timeout: `Config::request_timeout` for every request but one
/// starting an allocation run, which has `Config::run_timeout`. A request
/// that takes longer is answered 408 (turned into the error body by
/// `middleware::error_shape`).
async fn timeout(
    State((short, long)): State<(Duration, Duration)>,
    req: Request<Body>,
    next: axum::middleware::Next,
) -> Response {
    let limit = if starts_a_run(req.method(), req.uri().path()) { long } else { short };
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.health().await {
        Ok(()) => Json(serde_json::json!({"status": "ok"})).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "unavailable", "error": {"code": "unavailable", "message": "the database does not answer", "field": null}})),
            )
                .into_response()
        }
    }
}

/// The request metrics, for the operator's scraper only: with the configured
/// token as a bearer token; otherwise (or with no token configured) not found.
async fn metrics(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    match &state.config.metrics_token {
        Some(token) if !token.is_empty() && auth::constant_eq(sent, token) => {
            ([(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4"))], state.metrics.render())
                .into_response()
        }
        _ => (StatusCode::NOT_FOUND, "Not found").into_response(),
    }
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        include_str!("../static/cordon.css"),
    )
        .into_response()
}

async fn api_not_found() -> ApiError {
    ApiError::not_found("no such API route")
}

async fn api_method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "this operation does not accept that method")
}

/// Serves the application on a bound listener until `shutdown` completes,
/// then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::service::TowerToHyperService;
    use tower::Service;
    let header_read_timeout = state.config.header_read_timeout;
    let mut make = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    // hyper directly, for what `axum::serve` does not set: a connection that
    // has not sent its request's headers within the timeout is closed.
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(header_read_timeout);
    builder.http2().timer(TokioTimer::new());
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors and the like: wait, then go on.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // As axum::serve does: small responses go out at once, not after Nagle's delay.
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
        let service = match make.call(peer).await {
            Ok(s) => s,
            Err(never) => match never {},
        };
        let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service));
        let conn = graceful.watch(conn.into_owned());
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    // Requests in flight finish; a connection left idle is closed.
    if tokio::time::timeout(Duration::from_secs(30), graceful.shutdown()).await.is_err() {
        tracing::warn!("some connections were still open 30 s after shutdown began");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    /// The web crate acts only for signed-in users: no page or route reaches
    /// the store as the system, which would skip the access policy.
    #[test]
    fn no_handler_calls_the_store_as_the_system() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        for entry in std::fs::read_dir(dir).expect("the source folder") {
            let path = entry.expect("a source file").path();
            let text = std::fs::read_to_string(&path).expect("a readable source file");
            let needle = ["Caller::", "System"].concat();
            assert!(!text.contains(&needle), "{} acts as the system", path.display());
        }
    }
}
