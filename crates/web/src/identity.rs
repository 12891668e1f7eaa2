//! Sign-in, sign-out, the account page, administration of organisations and
//! users, and the identity API.

use crate::api::{
    ApiRoutes, BadRequest, Complete, Forbidden, NotFound, Page, PayloadTooLarge, Unauthorised, Unprocessable,
    UnsupportedMediaType,
};
use crate::auth::{
    constant_eq, cookie_value, policy, set_cookie, ApiUser, CurrentUser, MaybeUser, PageUser, PRESESSION_COOKIE,
    SESSION_COOKIE,
};
use crate::error::ApiError;
use crate::json::JsonBody;
use crate::middleware::ClientAddr;
use crate::pages::{message_page, render, wait_words, FormErrors, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use cordon_domain::identity::{Clearance, OrgKind, Role};
use cordon_domain::ids::{OrganisationId, UserId};
use cordon_domain::london::display_stored;
use cordon_domain::reference::parse_date;
use cordon_domain::threat::{Series, ThreatLevel};
use cordon_domain::Marking;
use cordon_store::identity::{ApiToken, NewUser, Organisation, Session, SignInError, User};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::forms::{field, fields, CheckedForm, Fields};

fn user_agent(h: &HeaderMap) -> String {
    h.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
}

/// Where to go after signing in: a path on this site, or home. Browsers drop
/// tabs and newlines from a URL and read `\\` as `/`, so `/\t/evil.example`
/// would leave the site: any control character, backslash or a second slash
/// at the start sends the user home instead.
fn safe_next(next: &str) -> String {
    let same_site = next.starts_with('/')
        && !next.starts_with("//")
        && !next.chars().any(|c| c.is_control() || c == '\\')
        && !next.starts_with("/sign-")
        && next.len() <= 2048;
    if same_site {
        next.to_string()
    } else {
        "/".to_string()
    }
}

#[cfg(test)]
mod next_tests {
    use super::safe_next;

    #[test]
    fn only_paths_on_this_site_are_followed() {
        for ok in ["/", "/events", "/events/x/plan?tab=1#risks"] {
            assert_eq!(safe_next(ok), ok);
        }
        for bad in [
            "//evil.example",
            "/\t/evil.example/x",
            "/\n/evil.example",
            "/\\evil.example",
            "/\\/evil.example",
            "https://evil.example",
            "evil.example",
            "/sign-out",
            "",
            "/\u{0}",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }
}

// ----- sign in / sign out ---------------------------------------------------

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    layout: Layout,
    errors: FormErrors,
    email: String,
    next: String,
    csrf: String,
    ask_totp: bool,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

fn sign_in_page(
    status: StatusCode,
    errors: FormErrors,
    email: String,
    next: String,
    ask_totp: bool,
    state: &AppState,
) -> Response {
    let csrf = cordon_store::identity::random_token(32);
    let mut res = render(
        status,
        &SignInPage {
            layout: Layout::new("Sign in", Marking::Official, "/sign-in"),
            errors,
            email,
            next,
            csrf: csrf.clone(),
            ask_totp,
        },
    );
    res.headers_mut().append(header::SET_COOKIE, set_cookie(PRESESSION_COOKIE, &csrf, 3600, state.config.tls()));
    res
}

pub async fn sign_in_form(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(q): Query<NextQuery>,
) -> Response {
    let next = safe_next(q.next.as_deref().unwrap_or("/"));
    if user.is_some() {
        return Redirect::to(&next).into_response();
    }
    sign_in_page(StatusCode::OK, FormErrors::default(), String::new(), next, false, &state)
}

pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Response {
    let email = field(&f, "email").trim().to_string();
    let next = safe_next(&field(&f, "next"));
    let presession = cookie_value(&headers, PRESESSION_COOKIE).unwrap_or_default();
    if !constant_eq(&field(&f, "csrf_token"), &presession) {
        let e = FormErrors::one("email", "The sign-in form had expired. Try again.");
        return sign_in_page(StatusCode::FORBIDDEN, e, email, next, false, &state);
    }
    if let Some(name) = crate::forms::refused_field(&f) {
        let (id, words) = match name {
            "password" => ("password", "The password"),
            "totp" => ("totp", "The code"),
            _ => ("email", "The e-mail address"),
        };
        let message = format!(
            "{words} contains a character that cannot be accepted: an invisible control character, or one that \
             changes the direction of text. Remove it and try again"
        );
        let ask_totp = id == "totp";
        return sign_in_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            FormErrors::one(id, message),
            email,
            next,
            ask_totp,
            &state,
        );
    }
    let mut errors = Vec::new();
    if email.is_empty() {
        errors.push(("email".to_string(), "Enter your e-mail address".to_string()));
    }
    let password = field(&f, "password");
    if password.is_empty() {
        errors.push(("password".to_string(), "Enter your password".to_string()));
    }
    if !errors.is_empty() {
        return sign_in_page(StatusCode::UNPROCESSABLE_ENTITY, FormErrors(errors), email, next, false, &state);
    }
    let totp = field(&f, "totp");
    let ip = client.to_string();
    match state.store.identity().sign_in(&email, &password, Some(totp.as_str()).filter(|s| !s.is_empty()), &ip).await {
        Ok(user) => {
            // Any session this browser had ends; the new one gets a new id.
            if let Some(old) = cookie_value(&headers, SESSION_COOKIE) {
                let _ = state.store.identity().end_session(&old).await;
            }
            match state.store.identity().create_session(&user, &ip, &user_agent(&headers), policy(&state)).await {
                Ok((token, _)) => {
                    let target = if user.has_role(Role::Administrator) && !user.totp_enabled {
                        "/account/two-step".to_string()
                    } else {
                        next
                    };
                    let mut res = Redirect::to(&target).into_response();
                    let max_age = state.config.session_absolute.whole_seconds();
                    let h = res.headers_mut();
                    h.append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &token, max_age, state.config.tls()));
                    h.append(header::SET_COOKIE, set_cookie(PRESESSION_COOKIE, "", 0, state.config.tls()));
                    res
                }
                Err(e) => ApiError::from(e).into_response(),
            }
        }
        Err(SignInError::TotpRequired) => sign_in_page(
            StatusCode::UNAUTHORIZED,
            FormErrors::one("totp", "Enter the 6-digit code from your authenticator app"),
            email,
            next,
            true,
            &state,
        ),
        Err(SignInError::TotpInvalid) => sign_in_page(
            StatusCode::UNAUTHORIZED,
            FormErrors::one("totp", "The code is not right or has expired. Enter the current 6-digit code"),
            email,
            next,
            true,
            &state,
        ),
        Err(SignInError::BadCredentials) => sign_in_page(
            StatusCode::UNAUTHORIZED,
            FormErrors::one("email", "The e-mail address or password is not right"),
            email,
            next,
            false,
            &state,
        ),
        Err(SignInError::Throttled { retry_after }) => {
            let message = format!(
                "There have been too many wrong attempts to sign in to this account. Wait {} before trying again",
                wait_words(retry_after)
            );
            let mut res = sign_in_page(
                StatusCode::TOO_MANY_REQUESTS,
                FormErrors::one("email", message),
                email,
                next,
                false,
                &state,
            );
            res.headers_mut().insert(header::RETRY_AFTER, retry_after.into());
            res
        }
        Err(SignInError::SlowDown { retry_after, second_factor }) => {
            let (field, wrong) = if second_factor {
                ("totp", "The code is not right or has expired")
            } else {
                ("email", "The e-mail address or password is not right")
            };
            let message = format!(
                "{wrong}. Many sign-ins from your network have failed recently: wait {} before trying again",
                wait_words(retry_after)
            );
            let mut res = sign_in_page(
                StatusCode::TOO_MANY_REQUESTS,
                FormErrors::one(field, message),
                email,
                next,
                second_factor,
                &state,
            );
            res.headers_mut().insert(header::RETRY_AFTER, retry_after.into());
            res
        }
        Err(SignInError::Busy { retry_after }) => {
            let message = format!("Cordon is busy checking other sign-ins. Try again in {}", wait_words(retry_after));
            let mut res = sign_in_page(
                StatusCode::SERVICE_UNAVAILABLE,
                FormErrors::one("email", message),
                email,
                next,
                false,
                &state,
            );
            res.headers_mut().insert(header::RETRY_AFTER, retry_after.into());
            res
        }
        Err(SignInError::Store(m)) => {
            tracing::error!(error = %m, "sign-in failed");
            ApiError::internal().into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "sign_out.html")]
struct SignOutPage {
    layout: Layout,
}

pub async fn sign_out_form(MaybeUser(user): MaybeUser) -> Response {
    match user {
        Some(u) => render(
            StatusCode::OK,
            &SignOutPage { layout: Layout::for_user("Sign out", Marking::Official, "", Some(&u)) },
        ),
        None => Redirect::to("/").into_response(),
    }
}

pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<Fields>) -> Response {
    if let Some(token) = cookie_value(&headers, SESSION_COOKIE) {
        if let Ok(Some((user, session, _))) = state.store.identity().session(&token, policy(&state)).await {
            if !constant_eq(&field(&f, "csrf_token"), &session.csrf_token) {
                return message_page(
                    StatusCode::FORBIDDEN,
                    "The form has expired",
                    "Reload the page and try again.",
                    None,
                );
            }
            let _ = state.store.identity().end_session(&token).await;
            let entry = cordon_store::AccessEntry {
                stream: format!("sign-in/{}", user.email),
                kind: "sign_out".into(),
                marking: "OFFICIAL".into(),
                payload: "{}".into(),
            };
            let _ =
                state.store.log_access(&cordon_store::Actor::new(&user.id, &user.organisation_id), vec![entry]).await;
        }
    }
    let mut res = Redirect::to("/sign-in?signed_out=1").into_response();
    res.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", 0, state.config.tls()));
    res
}

// ----- account ---------------------------------------------------------------

pub struct SessionRow {
    pub id: String,
    pub started: String,
    pub last_seen: String,
    pub ip: String,
    pub user_agent: String,
    pub current: bool,
}

pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub created: String,
    pub expires: String,
    pub revoked: Option<String>,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    user: User,
    roles: Vec<&'static str>,
    clearance: &'static str,
    sessions: Vec<SessionRow>,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
    notice: Option<String>,
    errors: FormErrors,
}

fn session_rows(sessions: Vec<Session>, current: &str) -> Vec<SessionRow> {
    sessions
        .into_iter()
        .map(|s| SessionRow {
            current: s.id == current,
            started: display_stored(&s.created_at),
            last_seen: display_stored(&s.last_seen_at),
            ip: s.ip,
            user_agent: s.user_agent,
            id: s.id,
        })
        .collect()
}

fn token_rows(tokens: Vec<ApiToken>) -> Vec<TokenRow> {
    tokens
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            created: display_stored(&t.created_at),
            expires: display_stored(&t.expires_at),
            revoked: t.revoked_at.map(|r| display_stored(&r)),
        })
        .collect()
}

async fn account_page(
    state: &AppState,
    u: &CurrentUser,
    status: StatusCode,
    new_token: Option<String>,
    notice: Option<String>,
    errors: FormErrors,
) -> Response {
    let sessions = match state.store.identity().sessions_of(&u.user.id).await {
        Ok(s) => s,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let tokens = match state.store.identity().tokens_of(&u.user.id).await {
        Ok(t) => t,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let current = u.session.as_ref().map(|s| s.id.clone()).unwrap_or_default();
    render(
        status,
        &AccountPage {
            layout: Layout::for_user("Your account", Marking::Official, "/account", Some(u)),
            roles: u.user.roles.iter().map(|r| r.words()).collect(),
            clearance: u.user.clearance.words(),
            user: u.user.clone(),
            sessions: session_rows(sessions, &current),
            tokens: token_rows(tokens),
            new_token,
            notice,
            errors,
        },
    )
}

pub async fn account(State(state): State<AppState>, PageUser(u): PageUser) -> Response {
    account_page(&state, &u, StatusCode::OK, None, None, FormErrors::default()).await
}

pub async fn change_password(
    State(state): State<AppState>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    let new = field(&f, "new_password");
    if new != field(&f, "confirm_password") {
        let e = FormErrors::one("confirm_password", "The new passwords do not match");
        return account_page(&state, &u, StatusCode::UNPROCESSABLE_ENTITY, None, None, e).await;
    }
    match state
        .store
        .identity()
        .change_password(&u.actor(), &u.user.id, Some(&field(&f, "current_password")), &new)
        .await
    {
        // Every session ended, this one too: sign in again with the new password.
        Ok(()) => Redirect::to("/sign-in?next=/account").into_response(),
        Err(cordon_store::StoreError::Throttled { retry_after }) => {
            let e = FormErrors::one(
                "current_password",
                format!(
                    "There have been too many wrong passwords for your account. Wait {} before trying again",
                    wait_words(retry_after)
                ),
            );
            let mut res = account_page(&state, &u, StatusCode::TOO_MANY_REQUESTS, None, None, e).await;
            res.headers_mut().insert(header::RETRY_AFTER, retry_after.into());
            res
        }
        Err(cordon_store::StoreError::Busy { retry_after }) => {
            let e = FormErrors::one(
                "current_password",
                format!("Cordon is busy checking other passwords. Try again in {}", wait_words(retry_after)),
            );
            let mut res = account_page(&state, &u, StatusCode::SERVICE_UNAVAILABLE, None, None, e).await;
            res.headers_mut().insert(header::RETRY_AFTER, retry_after.into());
            res
        }
        Err(e) => match FormErrors::from_store(e) {
            Ok(errors) => account_page(&state, &u, StatusCode::UNPROCESSABLE_ENTITY, None, None, errors).await,
            Err(r) => r,
        },
    }
}

pub async fn revoke_session(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CheckedForm { user: u, .. }: CheckedForm,
) -> Response {
    match state.store.identity().revoke_session(&u.user.id, &id).await {
        Ok(_) => Redirect::to("/account").into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

pub async fn issue_token_page(
    State(state): State<AppState>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    if u.needs_second_factor() {
        let e = FormErrors::one("name", "Set up two-step verification before you create an API token");
        return account_page(&state, &u, StatusCode::FORBIDDEN, None, None, e).await;
    }
    let days = field(&f, "expires_days").trim().parse::<i64>().unwrap_or(-1);
    match state.store.identity().issue_token(&u.actor(), &u.user.id, &field(&f, "name"), days).await {
        Ok((secret, _)) => {
            account_page(&state, &u, StatusCode::CREATED, Some(secret), None, FormErrors::default()).await
        }
        Err(e) => match FormErrors::from_store(e) {
            Ok(errors) => account_page(&state, &u, StatusCode::UNPROCESSABLE_ENTITY, None, None, errors).await,
            Err(r) => r,
        },
    }
}

pub async fn revoke_token_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CheckedForm { user: u, .. }: CheckedForm,
) -> Response {
    match state.store.identity().revoke_token(&u.actor(), &u.user.id, &id).await {
        Ok(()) => Redirect::to("/account").into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "two_step.html")]
struct TwoStepPage {
    layout: Layout,
    enabled: bool,
    required: bool,
    secret: String,
    url: String,
    errors: FormErrors,
}

pub async fn two_step(State(state): State<AppState>, PageUser(u): PageUser) -> Response {
    two_step_page(&state, &u, StatusCode::OK, FormErrors::default()).await
}

async fn two_step_page(state: &AppState, u: &CurrentUser, status: StatusCode, errors: FormErrors) -> Response {
    let (secret, url) = if u.user.totp_enabled {
        (String::new(), String::new())
    } else {
        let pending = match state.store.identity().pending_totp(&u.user.id).await {
            Ok(p) => p,
            Err(e) => return ApiError::from(e).into_response(),
        };
        match pending {
            Some(p) => p,
            None => match state.store.identity().begin_totp(&u.user.id).await {
                Ok(p) => p,
                Err(e) => return ApiError::from(e).into_response(),
            },
        }
    };
    render(
        status,
        &TwoStepPage {
            layout: Layout::for_user("Two-step verification", Marking::Official, "/account", Some(u)),
            enabled: u.user.totp_enabled,
            required: u.needs_second_factor(),
            secret,
            url,
            errors,
        },
    )
}

pub async fn confirm_two_step(
    State(state): State<AppState>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    match state.store.identity().confirm_totp(&u.actor(), &u.user.id, &field(&f, "code")).await {
        Ok(()) => Redirect::to("/account").into_response(),
        Err(e) => match FormErrors::from_store(e) {
            Ok(mut errors) => {
                for (field, _) in errors.0.iter_mut() {
                    if field == "totp" {
                        *field = "code".into();
                    }
                }
                two_step_page(&state, &u, StatusCode::UNPROCESSABLE_ENTITY, errors).await
            }
            Err(r) => r,
        },
    }
}

// ----- administration --------------------------------------------------------

/// Administration pages: the store decides (`identity.administer`) and logs a refusal.
async fn require_admin_page(state: &AppState, u: &CurrentUser) -> Result<(), Response> {
    match state.store.records().permit(u.caller(), cordon_domain::identity::ADMINISTER).await {
        Ok(()) => Ok(()),
        Err(_) => {
            Err(message_page(StatusCode::FORBIDDEN, "Administrators only", "This page is for administrators.", Some(u)))
        }
    }
}

pub struct UserRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub roles: String,
    pub clearance: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    layout: Layout,
    organisations: Vec<Organisation>,
    org_kinds: Vec<(&'static str, &'static str)>,
    users: Vec<UserRow>,
    total: i64,
    page: i64,
    pages: i64,
    roles: Vec<(&'static str, &'static str)>,
    clearances: Vec<(&'static str, &'static str)>,
    series: Vec<(&'static str, &'static str)>,
    levels: Vec<&'static str>,
    errors: FormErrors,
    notice: Option<String>,
    form: Fields,
    outbox: cordon_store::notifications::OutboxSummary,
    mail_enabled: bool,
}

impl AdminPage {
    fn value(&self, name: &str) -> String {
        field(&self.form, name)
    }

    fn checked(&self, name: &str, value: &str) -> bool {
        fields(&self.form, name).iter().any(|v| v == value)
    }
}

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
}

const PAGE_SIZE: i64 = 25;

async fn admin_page(
    state: &AppState,
    u: &CurrentUser,
    status: StatusCode,
    page: i64,
    errors: FormErrors,
    notice: Option<String>,
    form: Fields,
) -> Response {
    let organisations = match state.store.identity().organisations().await {
        Ok(o) => o,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let page = page.max(1);
    let mut outbox = state.store.notifications().outbox().await.unwrap_or_default();
    // Shown in UK time, like every time on a page.
    outbox.oldest_waiting = outbox.oldest_waiting.map(|t| cordon_domain::london::display_stored(&t));
    let (users, total) = match state.store.identity().users(u.caller(), PAGE_SIZE, (page - 1) * PAGE_SIZE).await {
        Ok(x) => x,
        Err(e) => return ApiError::from(e).into_response(),
    };
    render(
        status,
        &AdminPage {
            layout: Layout::for_user("Administration", Marking::Official, "/admin", Some(u)),
            organisations,
            org_kinds: OrgKind::ALL.iter().map(|k| (k.as_str(), k.words())).collect(),
            users: users
                .into_iter()
                .map(|x| UserRow {
                    roles: x.roles.iter().map(|r| r.words()).collect::<Vec<_>>().join(", "),
                    clearance: x.clearance.as_str().into(),
                    id: x.id.to_string(),
                    name: x.name,
                    email: x.email,
                    organisation: x.organisation_name,
                    active: x.active,
                })
                .collect(),
            total,
            page,
            pages: ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
            roles: Role::ALL.iter().map(|r| (r.as_str(), r.words())).collect(),
            clearances: Clearance::ALL.iter().map(|c| (c.as_str(), c.words())).collect(),
            series: [Series::National, Series::PoliceSector, Series::NiInNi]
                .iter()
                .map(|s| (s.as_str(), s.title()))
                .collect(),
            levels: ThreatLevel::ALL.iter().map(|l| l.as_str()).collect(),
            errors,
            notice,
            form,
            outbox,
            mail_enabled: state.config.mail_enabled,
        },
    )
}

pub async fn admin(State(state): State<AppState>, PageUser(u): PageUser, Query(q): Query<PageQuery>) -> Response {
    if let Err(r) = require_admin_page(&state, &u).await {
        return r;
    }
    admin_page(&state, &u, StatusCode::OK, q.page.unwrap_or(1), FormErrors::default(), None, Vec::new()).await
}

async fn admin_result(
    state: &AppState,
    u: &CurrentUser,
    f: Fields,
    result: Result<String, cordon_store::StoreError>,
) -> Response {
    match result {
        Ok(notice) => admin_page(state, u, StatusCode::OK, 1, FormErrors::default(), Some(notice), Vec::new()).await,
        Err(e) => match FormErrors::from_store(e) {
            Ok(errors) => admin_page(state, u, StatusCode::UNPROCESSABLE_ENTITY, 1, errors, None, f).await,
            Err(r) => r,
        },
    }
}

pub async fn admin_add_org(State(state): State<AppState>, CheckedForm { user: u, fields: f }: CheckedForm) -> Response {
    if let Err(r) = require_admin_page(&state, &u).await {
        return r;
    }
    let result = match field(&f, "org_kind").parse::<OrgKind>() {
        Err(m) => Err(cordon_store::StoreError::invalid("org_kind", m)),
        Ok(kind) => state
            .store
            .identity()
            .add_organisation(u.caller(), &field(&f, "org_name"), kind)
            .await
            .map(|o| format!("Added the organisation {}.", o.name))
            .map_err(|e| match e {
                cordon_store::StoreError::Invalid { field, message } if field == "name" => {
                    cordon_store::StoreError::invalid("org_name", message)
                }
                e => e,
            }),
    };
    admin_result(&state, &u, f, result).await
}

/// Builds a new user from form or API fields, naming the field at fault.
async fn new_user_from(
    state: &AppState,
    email: &str,
    name: &str,
    organisation: &str,
    roles: &[String],
    clearance: &str,
) -> Result<NewUser, cordon_store::StoreError> {
    let by_id = match OrganisationId::parse(organisation) {
        Ok(id) => state.store.identity().organisation(&id).await?,
        Err(_) => None,
    };
    let org = match by_id {
        Some(o) => o,
        None => state.store.identity().organisation_by_name(organisation).await?.ok_or_else(|| {
            cordon_store::StoreError::invalid("organisation", format!("no organisation {organisation:?}"))
        })?,
    };
    let mut parsed = Vec::new();
    for r in roles {
        parsed.extend(
            cordon_domain::identity::parse_roles(r).map_err(|m| cordon_store::StoreError::invalid("roles", m))?,
        );
    }
    if parsed.is_empty() {
        return Err(cordon_store::StoreError::invalid("roles", "choose at least one role"));
    }
    let clearance: Clearance = clearance.parse().map_err(|m| cordon_store::StoreError::invalid("clearance", m))?;
    let email = cordon_domain::identity::EmailAddress::parse(email)
        .map_err(|m| cordon_store::StoreError::invalid("email", m))?;
    Ok(NewUser { email, name: name.into(), organisation_id: org.id, roles: parsed, clearance })
}

pub async fn admin_add_user(
    State(state): State<AppState>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    if let Err(r) = require_admin_page(&state, &u).await {
        return r;
    }
    let result = async {
        let new = new_user_from(
            &state,
            &field(&f, "email"),
            &field(&f, "name"),
            &field(&f, "organisation"),
            &fields(&f, "roles"),
            &field(&f, "clearance"),
        )
        .await?;
        let mut password = field(&f, "password");
        let generated = password.is_empty();
        if generated {
            password = cordon_store::identity::generate_password();
        }
        let user = state.store.identity().add_user(u.caller(), new, &password).await?;
        Ok(if generated {
            format!("Added {} <{}>. Their password, shown only now: {password}", user.name, user.email)
        } else {
            format!("Added {} <{}>.", user.name, user.email)
        })
    }
    .await;
    admin_result(&state, &u, f, result).await
}

pub async fn admin_threat_level(
    State(state): State<AppState>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    if let Err(r) = require_admin_page(&state, &u).await {
        return r;
    }
    let result = async {
        let series: Series = field(&f, "series").parse().map_err(|m| cordon_store::StoreError::invalid("series", m))?;
        let level: ThreatLevel =
            field(&f, "level").parse().map_err(|m| cordon_store::StoreError::invalid("level", m))?;
        let effective = parse_date(&field(&f, "effective")).map_err(|_| {
            cordon_store::StoreError::invalid("effective", "enter the date it was announced, written YYYY-MM-DD")
        })?;
        state.store.threat().record_threat_level(u.caller(), series, level, effective, &field(&f, "note")).await?;
        Ok(format!("Recorded: {} is {level} from {}.", series.title(), cordon_domain::london::display_date(effective)))
    }
    .await;
    admin_result(&state, &u, f, result).await
}

#[derive(Template)]
#[template(path = "admin_user.html")]
struct AdminUserPage {
    layout: Layout,
    subject: User,
    organisations: Vec<Organisation>,
    roles: Vec<(&'static str, &'static str, bool)>,
    clearances: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    notice: Option<String>,
}

async fn admin_user_page(
    state: &AppState,
    u: &CurrentUser,
    id: &UserId,
    status: StatusCode,
    errors: FormErrors,
    notice: Option<String>,
) -> Response {
    let subject = match state.store.identity().user(id).await {
        Ok(Some(s)) => s,
        Ok(None) => return crate::pages::not_found_for(Some(u)),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let organisations = match state.store.identity().organisations().await {
        Ok(o) => o,
        Err(e) => return ApiError::from(e).into_response(),
    };
    render(
        status,
        &AdminUserPage {
            layout: Layout::for_user(format!("User: {}", subject.name), Marking::Official, "/admin", Some(u)),
            roles: Role::ALL.iter().map(|r| (r.as_str(), r.words(), subject.has_role(*r))).collect(),
            clearances: Clearance::ALL.iter().map(|c| (c.as_str(), c.words())).collect(),
            organisations,
            subject,
            errors,
            notice,
        },
    )
}

pub async fn admin_user(State(state): State<AppState>, PageUser(u): PageUser, Path(id): Path<UserId>) -> Response {
    if let Err(r) = require_admin_page(&state, &u).await {
        return r;
    }
    admin_user_page(&state, &u, &id, StatusCode::OK, FormErrors::default(), None).await
}

pub async fn admin_change_user(
    State(state): State<AppState>,
    Path(id): Path<UserId>,
    CheckedForm { user: u, fields: f }: CheckedForm,
) -> Response {
    if let Err(r) = require_admin_page(&state, &u).await {
        return r;
    }
    let result = async {
        let action = field(&f, "action");
        if action == "disable" || action == "enable" {
            state.store.identity().set_user_active(u.caller(), &id, action == "enable").await?;
            return Ok(if action == "disable" {
                "Disabled the account; its sessions have ended and its API tokens are revoked."
            } else {
                "Enabled the account."
            }
            .to_string());
        }
        let mut roles = Vec::new();
        for r in fields(&f, "roles") {
            roles.push(r.parse::<Role>().map_err(|m| cordon_store::StoreError::invalid("roles", m))?);
        }
        let clearance: Clearance =
            field(&f, "clearance").parse().map_err(|m| cordon_store::StoreError::invalid("clearance", m))?;
        let organisation: OrganisationId = field(&f, "organisation")
            .parse()
            .map_err(|_| cordon_store::StoreError::invalid("organisation", "choose an organisation from the list"))?;
        state
            .store
            .identity()
            .change_user(u.caller(), &id, &field(&f, "name"), &organisation, roles, clearance)
            .await?;
        Ok("Saved. Any change to roles, clearance or organisation has ended the user's sessions.".to_string())
    }
    .await;
    match result {
        Ok(notice) => admin_user_page(&state, &u, &id, StatusCode::OK, FormErrors::default(), Some(notice)).await,
        Err(e) => match FormErrors::from_store(e) {
            Ok(errors) => admin_user_page(&state, &u, &id, StatusCode::UNPROCESSABLE_ENTITY, errors, None).await,
            Err(r) => r,
        },
    }
}

// ----- API -------------------------------------------------------------------

/// The administration API: the store decides `action` and logs a refusal.
pub(crate) async fn require(
    state: &AppState,
    u: &CurrentUser,
    action: cordon_domain::access::Action,
) -> Result<(), ApiError> {
    state
        .store
        .records()
        .permit(u.caller(), action)
        .await
        .map_err(|_| ApiError::new(StatusCode::FORBIDDEN, "forbidden", "administrators only"))
}

/// An organisation, as named in another record.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct OrganisationRef {
    pub id: OrganisationId,
    pub name: String,
}

/// A user account.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct UserBody {
    id: UserId,
    #[schema(format = Email)]
    email: String,
    #[schema(min_length = 1)]
    name: String,
    organisation: OrganisationRef,
    roles: Vec<Role>,
    clearance: Clearance,
    /// False once the account is disabled.
    active: bool,
    /// Whether a second factor (TOTP) is set up.
    totp_enabled: bool,
    #[schema(format = DateTime)]
    created_at: String,
}

impl From<&User> for UserBody {
    fn from(u: &User) -> Self {
        UserBody {
            id: u.id.clone(),
            email: u.email.clone(),
            name: u.name.clone(),
            organisation: OrganisationRef { id: u.organisation_id.clone(), name: u.organisation_name.clone() },
            roles: u.roles.clone(),
            clearance: u.clearance,
            active: u.active,
            totp_enabled: u.totp_enabled,
            created_at: u.created_at.clone(),
        }
    }
}

/// A user just added; `password` only when it was generated.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct AddedUserBody {
    #[serde(flatten)]
    user: UserBody,
    /// The generated password, shown only now; absent when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    password: Option<String>,
}

/// An organisation.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct OrganisationBody {
    id: OrganisationId,
    name: String,
    kind: OrgKind,
    #[schema(format = DateTime)]
    created_at: String,
}

impl From<Organisation> for OrganisationBody {
    fn from(o: Organisation) -> Self {
        OrganisationBody { id: o.id, name: o.name, kind: o.kind, created_at: o.created_at }
    }
}

/// An API token (never its secret, which is shown only when it is issued).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct TokenBody {
    id: String,
    user_id: UserId,
    name: String,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    expires_at: String,
    /// When it was revoked; null while it has not been.
    #[schema(format = DateTime, required = true)]
    revoked_at: Option<String>,
}

impl From<ApiToken> for TokenBody {
    fn from(t: ApiToken) -> Self {
        TokenBody {
            id: t.id,
            user_id: t.user_id,
            name: t.name,
            created_at: t.created_at,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// A token just issued, with its secret.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct IssuedTokenBody {
    #[serde(flatten)]
    issued: TokenBody,
    /// The secret to send as `Authorization: Bearer`, shown only now.
    token: String,
}

/// A user, by id.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct UserPath {
    /// The user's id.
    id: UserId,
}

/// One of the caller's API tokens, by id.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TokenPath {
    /// The token's id.
    id: String,
}

/// The caller's own account.
#[utoipa::path(get, path = "/me", tag = "identity",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The signed-in user", body = UserBody), Unauthorised, Forbidden))]
pub async fn api_me(ApiUser(u): ApiUser) -> Json<UserBody> {
    Json(UserBody::from(&u.user))
}

/// Every organisation (administrators).
#[utoipa::path(get, path = "/organisations", tag = "identity",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "Every organisation (complete, never paginated)", body = Complete<OrganisationBody>),
        Unauthorised, Forbidden,
    ))]
pub async fn api_organisations(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<Complete<OrganisationBody>>, ApiError> {
    require(&state, &u, cordon_domain::identity::ADMINISTER).await?;
    let items = state.store.identity().organisations().await?;
    Ok(Json(Complete::new(items.into_iter().map(OrganisationBody::from).collect())))
}

/// A new organisation.
#[derive(Deserialize, ToSchema)]
pub struct NewOrganisationBody {
    #[schema(min_length = 1)]
    name: String,
    #[schema(value_type = OrgKind)]
    kind: String,
}

/// Add an organisation (administrators).
#[utoipa::path(post, path = "/organisations", tag = "identity",
    request_body = NewOrganisationBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "Added", body = OrganisationBody),
        BadRequest, Unauthorised, Forbidden, UnsupportedMediaType, Unprocessable, PayloadTooLarge,
    ))]
pub async fn api_add_organisation(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    JsonBody(b): JsonBody<NewOrganisationBody>,
) -> Result<(StatusCode, Json<OrganisationBody>), ApiError> {
    require(&state, &u, cordon_domain::identity::ADMINISTER).await?;
    let kind: OrgKind = b.kind.parse().map_err(|m: String| ApiError::unprocessable("kind", m))?;
    let org = state.store.identity().add_organisation(u.caller(), &b.name, kind).await?;
    Ok((StatusCode::CREATED, Json(org.into())))
}

/// Users in name order, a page at a time (administrators).
#[utoipa::path(get, path = "/users", tag = "identity",
    params(crate::api::PageQuery),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "A page of users", body = Page<UserBody>),
        BadRequest, Unauthorised, Forbidden,
    ))]
pub async fn api_users(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<crate::api::PageQuery>,
) -> Result<Json<Page<UserBody>>, ApiError> {
    require(&state, &u, cordon_domain::identity::ADMINISTER).await?;
    let p = q.paging()?;
    let (users, total) = state.store.identity().users(u.caller(), p.limit, p.offset).await?;
    Ok(Json(Page { items: users.iter().map(UserBody::from).collect(), total, limit: p.limit, offset: p.offset }))
}

/// A new user.
#[derive(Deserialize, ToSchema)]
pub struct NewUserBody {
    #[schema(format = Email)]
    email: String,
    #[schema(min_length = 1)]
    name: String,
    /// The organisation's id or name.
    organisation: String,
    /// At least one role.
    #[schema(value_type = Vec<Role>)]
    roles: Vec<String>,
    #[schema(value_type = Clearance)]
    clearance: String,
    /// The first password; without it one is generated and returned once.
    password: Option<String>,
}

/// Add a user (administrators).
#[utoipa::path(post, path = "/users", tag = "identity",
    request_body = NewUserBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "Added", body = AddedUserBody),
        BadRequest, Unauthorised, Forbidden, UnsupportedMediaType, Unprocessable, PayloadTooLarge,
    ))]
pub async fn api_add_user(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    JsonBody(b): JsonBody<NewUserBody>,
) -> Result<(StatusCode, Json<AddedUserBody>), ApiError> {
    require(&state, &u, cordon_domain::identity::ADMINISTER).await?;
    let new = new_user_from(&state, &b.email, &b.name, &b.organisation, &b.roles, &b.clearance).await?;
    let (password, generated) = match b.password {
        Some(p) => (p, false),
        None => (cordon_store::identity::generate_password(), true),
    };
    let user = state.store.identity().add_user(u.caller(), new, &password).await?;
    let body = AddedUserBody { user: UserBody::from(&user), password: generated.then_some(password) };
    Ok((StatusCode::CREATED, Json(body)))
}

/// One user (administrators).
#[utoipa::path(get, path = "/users/{id}", tag = "identity",
    params(UserPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The user", body = UserBody), BadRequest, Unauthorised, Forbidden, NotFound))]
pub async fn api_user(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<UserPath>,
) -> Result<Json<UserBody>, ApiError> {
    require(&state, &u, cordon_domain::identity::ADMINISTER).await?;
    let user = state.store.identity().user(&p.id).await?.ok_or_else(|| ApiError::not_found("no such user"))?;
    Ok(Json(UserBody::from(&user)))
}

/// Changes to a user; what is left out stays as it is.
#[derive(Deserialize, ToSchema)]
pub struct ChangeUserBody {
    name: Option<String>,
    /// The organisation's id or name.
    organisation: Option<String>,
    #[schema(value_type = Option<Vec<Role>>)]
    roles: Option<Vec<String>>,
    #[schema(value_type = Option<Clearance>)]
    clearance: Option<String>,
    /// False disables the account (its sessions end); true enables it again.
    active: Option<bool>,
}

/// Change a user (administrators). Any change to roles, clearance or
/// organisation ends the user's sessions.
#[utoipa::path(patch, path = "/users/{id}", tag = "identity",
    params(UserPath),
    request_body = ChangeUserBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The user as changed", body = UserBody),
        BadRequest, Unauthorised, Forbidden, NotFound, UnsupportedMediaType, Unprocessable, PayloadTooLarge,
    ))]
pub async fn api_change_user(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<UserPath>,
    JsonBody(b): JsonBody<ChangeUserBody>,
) -> Result<Json<UserBody>, ApiError> {
    require(&state, &u, cordon_domain::identity::ADMINISTER).await?;
    let id = p.id;
    let current = state.store.identity().user(&id).await?.ok_or_else(|| ApiError::not_found("no such user"))?;
    let roles = match b.roles {
        Some(rs) => rs
            .iter()
            .map(|r| r.parse::<Role>().map_err(|m| ApiError::unprocessable("roles", m)))
            .collect::<Result<Vec<_>, _>>()?,
        None => current.roles.clone(),
    };
    let clearance = match b.clearance {
        Some(c) => c.parse::<Clearance>().map_err(|m| ApiError::unprocessable("clearance", m))?,
        None => current.clearance,
    };
    let organisation_id = match b.organisation {
        Some(o) => match match OrganisationId::parse(&o) {
            Ok(id) => state.store.identity().organisation(&id).await?,
            Err(_) => None,
        } {
            Some(org) => org.id,
            None => {
                state
                    .store
                    .identity()
                    .organisation_by_name(&o)
                    .await?
                    .ok_or_else(|| ApiError::unprocessable("organisation", format!("no organisation {o:?}")))?
                    .id
            }
        },
        None => current.organisation_id.clone(),
    };
    let name = b.name.unwrap_or(current.name.clone());
    let mut user = current.clone();
    if roles != current.roles
        || clearance != current.clearance
        || organisation_id != current.organisation_id
        || name != current.name
    {
        user = state.store.identity().change_user(u.caller(), &id, &name, &organisation_id, roles, clearance).await?;
    }
    if let Some(active) = b.active {
        user = state.store.identity().set_user_active(u.caller(), &id, active).await?;
    }
    Ok(Json(UserBody::from(&user)))
}

/// The caller's API tokens, newest first.
#[utoipa::path(get, path = "/tokens", tag = "identity",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "Every token of the caller (complete, never paginated)", body = Complete<TokenBody>),
        Unauthorised, Forbidden,
    ))]
pub async fn api_tokens(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<Complete<TokenBody>>, ApiError> {
    let items = state.store.identity().tokens_of(&u.user.id).await?;
    Ok(Json(Complete::new(items.into_iter().map(TokenBody::from).collect())))
}

/// A token to issue.
#[derive(Deserialize, ToSchema)]
pub struct NewTokenBody {
    #[schema(min_length = 1)]
    name: String,
    /// Days until it expires (1 to 366; default 90).
    #[schema(minimum = 1, maximum = 366)]
    expires_days: Option<i64>,
}

/// Issue an API token for the caller; its secret is shown only in this answer.
#[utoipa::path(post, path = "/tokens", tag = "identity",
    request_body = NewTokenBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "Issued", body = IssuedTokenBody),
        BadRequest, Unauthorised, Forbidden, UnsupportedMediaType, Unprocessable, PayloadTooLarge,
    ))]
pub async fn api_issue_token(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    JsonBody(b): JsonBody<NewTokenBody>,
) -> Result<(StatusCode, Json<IssuedTokenBody>), ApiError> {
    let (secret, token) =
        state.store.identity().issue_token(&u.actor(), &u.user.id, &b.name, b.expires_days.unwrap_or(90)).await?;
    Ok((StatusCode::CREATED, Json(IssuedTokenBody { issued: token.into(), token: secret })))
}

/// Revoke one of the caller's API tokens (revoking it again changes nothing).
#[utoipa::path(delete, path = "/tokens/{id}", tag = "identity",
    params(TokenPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "Revoked"), Unauthorised, Forbidden, NotFound))]
pub async fn api_revoke_token(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(p): Path<TokenPath>,
) -> Result<StatusCode, ApiError> {
    state.store.identity().revoke_token(&u.actor(), &u.user.id, &p.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This capability's API operations.
pub fn api() -> ApiRoutes {
    ApiRoutes::new()
        .routes(routes!(api_me))
        .routes(routes!(api_organisations, api_add_organisation))
        .routes(routes!(api_users, api_add_user))
        .routes(routes!(api_user, api_change_user))
        .routes(routes!(api_tokens, api_issue_token))
        .routes(routes!(api_revoke_token))
}

/// This capability's pages.
pub fn pages() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/sign-in", get(sign_in_form).post(sign_in))
        .route("/sign-out", get(sign_out_form).post(sign_out))
        .route("/account", get(account))
        .route("/account/password", post(change_password))
        .route("/account/two-step", get(two_step).post(confirm_two_step))
        .route("/account/sessions/{id}/revoke", post(revoke_session))
        .route("/account/tokens", post(issue_token_page))
        .route("/account/tokens/{id}/revoke", post(revoke_token_page))
        .route("/admin", get(admin))
        .route("/admin/organisations", post(admin_add_org))
        .route("/admin/users", post(admin_add_user))
        .route("/admin/users/{id}", get(admin_user).post(admin_change_user))
        .route("/admin/threat-levels", post(admin_threat_level))
}
