//! Who is asking: sessions (cookie) for pages, bearer tokens for scripts, and
//! the CSRF defences for state-changing requests.

use crate::error::ApiError;
use crate::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use cordon_domain::access::Viewer;
use cordon_domain::identity::Role;
use cordon_store::identity::{Session, SessionPolicy, User};
use cordon_store::Actor;

pub const SESSION_COOKIE: &str = "cordon_session";
pub const PRESESSION_COOKIE: &str = "cordon_presession";

/// A signed-in user, by session or by API token.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub viewer: Viewer,
    /// The session, when signed in through the pages (None for API tokens).
    pub session: Option<Session>,
    /// How many notifications they have not read (read for pages only).
    pub unread: i64,
}

impl CurrentUser {
    pub fn actor(&self) -> Actor {
        Actor::new(&self.user.id, &self.user.organisation_id)
    }

    /// The caller the store checks: always a user, never the system.
    pub fn caller(&self) -> cordon_store::records::Caller<'_> {
        cordon_store::records::Caller::User(&self.viewer)
    }

    pub fn csrf(&self) -> String {
        self.session.as_ref().map(|s| s.csrf_token.clone()).unwrap_or_default()
    }

    pub fn is_admin(&self) -> bool {
        self.user.has_role(Role::Administrator)
    }

    /// An administrator who has not set up two-step verification: confined to
    /// setting it up (pages), refused everything else (API, by session or token).
    pub fn needs_second_factor(&self) -> bool {
        self.is_admin() && !self.user.totp_enabled
    }
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty() && v.len() <= 200)
}

/// A `Set-Cookie` value with Cordon's flags: HttpOnly, SameSite=Strict, Path=/,
/// and Secure when served over TLS.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, tls: bool) -> HeaderValue {
    let secure = if tls { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}"))
        .expect("cookie values are ASCII")
}

pub fn policy(state: &AppState) -> SessionPolicy {
    SessionPolicy { idle: state.config.session_idle, absolute: state.config.session_absolute }
}

/// Finds the user behind a request: a bearer token first, then the session cookie.
pub async fn identify(state: &AppState, headers: &HeaderMap) -> Result<Option<CurrentUser>, ApiError> {
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        let value = auth.to_str().unwrap_or("");
        let token = value.strip_prefix("Bearer ").ok_or_else(|| {
            ApiError::new(StatusCode::UNAUTHORIZED, "unauthorised", "use Authorization: Bearer TOKEN")
        })?;
        let user = state.store.identity().token_user(token).await?.ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorised",
                "the token is not valid, has expired or was revoked",
            )
        })?;
        let viewer = state.store.identity().viewer(&user).await?;
        return Ok(Some(CurrentUser { user, viewer, session: None, unread: 0 }));
    }
    let Some(token) = cookie_value(headers, SESSION_COOKIE) else { return Ok(None) };
    match state.store.identity().session(&token, policy(state)).await? {
        Some((user, session, viewer)) => Ok(Some(CurrentUser { user, viewer, session: Some(session), unread: 0 })),
        None => Ok(None),
    }
}

/// For the API: a signed-in user, or 401. A cookie-authenticated request that
/// changes state must carry the session's CSRF token in `X-CSRF-Token`.
pub struct ApiUser(pub CurrentUser);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = identify(state, &parts.headers).await?.ok_or_else(|| {
            ApiError::new(StatusCode::UNAUTHORIZED, "unauthorised", "sign in, or send Authorization: Bearer TOKEN")
        })?;
        if let Some(session) = &user.session {
            if !is_safe(&parts.method) {
                let sent = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
                if !constant_eq(sent, &session.csrf_token) {
                    return Err(ApiError::new(
                        StatusCode::FORBIDDEN,
                        "csrf",
                        "a request from the browser that changes data needs the X-CSRF-Token header",
                    ));
                }
            }
        }
        // Whether by session or by token: an administrator without a second
        // factor administers nothing (and a token cannot get round it).
        if user.needs_second_factor() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "second_factor_required",
                "administrators must set up a second factor first (Account, Two-step verification)",
            ));
        }
        Ok(ApiUser(user))
    }
}

/// For pages: a signed-in user, or a redirect to the sign-in page.
pub struct PageUser(pub CurrentUser);

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let path = parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
        match identify(state, &parts.headers).await {
            Ok(Some(mut u)) if u.session.is_some() => {
                if u.needs_second_factor() && !path.starts_with("/account") && !path.starts_with("/sign-out") {
                    return Err(Redirect::to("/account/two-step").into_response());
                }
                u.unread = state.store.notifications().unread(&u.viewer).await.unwrap_or(0);
                Ok(PageUser(u))
            }
            Ok(_) => {
                let next = if path.starts_with('/') && !path.starts_with("//") { path } else { "/".into() };
                Err(Redirect::to(&format!("/sign-in?next={}", urlencode(&next))).into_response())
            }
            Err(e) => Err(e.into_response()),
        }
    }
}

/// For public pages: the user if signed in.
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match identify(state, &parts.headers).await {
            Ok(u) => {
                let mut u = u.filter(|u| u.session.is_some());
                if let Some(u) = u.as_mut() {
                    u.unread = state.store.notifications().unread(&u.viewer).await.unwrap_or(0);
                }
                Ok(MaybeUser(u))
            }
            Err(_) => Ok(MaybeUser(None)),
        }
    }
}

pub fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Compares two secrets without an early exit.
pub fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && !b.is_empty() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Refuses state-changing requests that a browser says come from another site,
/// or whose Origin is not this server (OWASP: verify origin with standard headers).
pub async fn cross_site_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !is_safe(req.method()) {
        let h = req.headers();
        // Fetch Metadata first (every current browser sends it); the Origin
        // header only for clients that do not (Go's CrossOriginProtection).
        if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
            if site != "same-origin" && site != "none" {
                return ApiError::new(
                    StatusCode::FORBIDDEN,
                    "csrf",
                    "cross-site requests that change data are refused",
                )
                .into_response();
            }
        } else if let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
            let host = h.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
            let allowed = [format!("http://{host}"), format!("https://{host}")];
            let public = state.config.public_url.as_deref().map(|u| u.trim_end_matches('/').to_string());
            if !allowed.iter().any(|a| a == origin) && public.as_deref() != Some(origin) {
                return ApiError::new(
                    StatusCode::FORBIDDEN,
                    "csrf",
                    "requests from another origin that change data are refused",
                )
                .into_response();
            }
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_parse_and_compare() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; cordon_session=abc; b=2"));
        assert_eq!(cookie_value(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie_value(&h, "c"), None);
        assert!(constant_eq("abc", "abc"));
        assert!(!constant_eq("abc", "abd"));
        assert!(!constant_eq("", ""));
        let c = set_cookie("x", "y", 60, true);
        let c = c.to_str().unwrap();
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.contains("Secure"));
        assert_eq!(urlencode("/events?x=1&y"), "/events%3Fx%3D1%26y");
    }
}
