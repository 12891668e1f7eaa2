//! Reading posted forms: fields by name, and the session's CSRF token.

use crate::auth::{constant_eq, CurrentUser};
use crate::pages::message_page;
use axum::http::StatusCode;
use axum::response::Response;

/// A posted form, fields in order (a name may repeat, as checkboxes do).
pub type Fields = Vec<(String, String)>;

/// The first value of a field, trimmed; empty when absent.
pub fn field(f: &Fields, name: &str) -> String {
    f.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).unwrap_or_default()
}

/// Every non-empty value of a repeated field.
pub fn fields(f: &Fields, name: &str) -> Vec<String> {
    f.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).filter(|v| !v.is_empty()).collect()
}

/// A form posted by a signed-in user must carry their session's token.
pub fn check_csrf(user: &CurrentUser, f: &Fields) -> Result<(), Response> {
    if constant_eq(&field(f, "csrf_token"), &user.csrf()) {
        Ok(())
    } else {
        Err(message_page(
            StatusCode::FORBIDDEN,
            "The form has expired",
            "Go back, reload the page and try again.",
            Some(user),
        ))
    }
}

/// A form posted by a signed-in user, its CSRF token checked: the one way a
/// page handler receives a form. Not signed in: to the sign-in page; a body
/// that is not a form: a 400 page; a missing or wrong token: a 403 page.
pub struct CheckedForm {
    pub user: CurrentUser,
    pub fields: Fields,
}

impl axum::extract::FromRequest<crate::AppState> for CheckedForm {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &crate::AppState) -> Result<Self, Response> {
        use axum::extract::FromRequestParts;
        let (mut parts, body) = req.into_parts();
        let crate::auth::PageUser(user) = crate::auth::PageUser::from_request_parts(&mut parts, state).await?;
        let req = axum::extract::Request::from_parts(parts, body);
        let axum::Form(fields) = axum::Form::<Fields>::from_request(req, state).await.map_err(|_| {
            message_page(
                StatusCode::BAD_REQUEST,
                "The form could not be read",
                "Go back, reload the page and try again.",
                Some(&user),
            )
        })?;
        check_csrf(&user, &fields)?;
        Ok(CheckedForm { user, fields })
    }
}
