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
