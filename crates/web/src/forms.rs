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

/// The first field holding a character that cannot be accepted (see
/// [`crate::text`]), if any.
pub fn refused_field(f: &Fields) -> Option<&str> {
    f.iter().find(|(_, v)| crate::text::holds_refused(v)).map(|(k, _)| k.as_str())
}

/// A field named in words: its label when it is a field of a plan section's
/// form (the section is in the address), otherwise its name as words
/// (`venue_address`: "Venue address").
pub fn field_words(path: &str, name: &str) -> String {
    let section = path.split('/').skip_while(|s| *s != "plan").nth(1);
    let label = section
        .and_then(crate::plan_form::form)
        .and_then(|form| form.fields.iter().find(|s| s.name == name).map(|s| s.label))
        .filter(|l| !l.is_empty());
    match label {
        Some(label) => label.to_string(),
        None => crate::plan_form::capitalised(&name.replace(['_', '-'], " ")),
    }
}

/// A form posted by a signed-in user, its CSRF token checked and its text
/// checked for characters that cannot be accepted: the one way a page handler
/// receives a form. Not signed in: to the sign-in page; a body that is not a
/// form: a 400 page; a missing or wrong token: a 403 page; a refused
/// character: a 422 page naming the field (nothing is changed).
pub struct CheckedForm {
    pub user: CurrentUser,
    pub fields: Fields,
}

impl axum::extract::FromRequest<crate::AppState> for CheckedForm {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &crate::AppState) -> Result<Self, Response> {
        use axum::extract::FromRequestParts;
        let (mut parts, body) = req.into_parts();
        let path = parts.uri.path().to_string();
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
        if let Some(name) = refused_field(&fields) {
            return Err(message_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "A character cannot be accepted",
                &format!(
                    "What you entered in “{}” contains a character that cannot be accepted: an invisible control \
                     character, or one that changes the direction of text. Nothing has been changed. Go back, remove \
                     the character and try again.",
                    field_words(&path, name)
                ),
                Some(&user),
            ));
        }
        Ok(CheckedForm { user, fields })
    }
}

/// Why an uploaded CSV file was not read: the status and the words to show.
pub enum UploadError {
    /// The form's CSRF token was wrong: answer with this page.
    Refused(Response),
    Problem(StatusCode, String),
}

/// Reads a CSV file uploaded from a page (multipart: `csrf_token`, `file`),
/// checking the form's token. `cli` is the command that takes a file too
/// large to upload.
pub async fn read_csv_upload(
    user: &CurrentUser,
    mut multipart: axum::extract::Multipart,
    cli: &str,
) -> Result<String, UploadError> {
    let mut csrf = String::new();
    let mut file: Option<Vec<u8>> = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(part)) => match part.name().unwrap_or("") {
                "csrf_token" => csrf = part.text().await.unwrap_or_default(),
                "file" => match part.bytes().await {
                    Ok(b) => file = Some(b.to_vec()),
                    Err(_) => {
                        return Err(UploadError::Problem(
                            StatusCode::PAYLOAD_TOO_LARGE,
                            format!("The file is too large or did not arrive whole: import it with {cli}"),
                        ))
                    }
                },
                _ => {}
            },
            Ok(None) => break,
            Err(_) => return Err(UploadError::Problem(StatusCode::BAD_REQUEST, "The upload could not be read".into())),
        }
    }
    check_csrf(user, &vec![("csrf_token".to_string(), csrf)]).map_err(UploadError::Refused)?;
    let Some(bytes) = file.filter(|b| !b.is_empty()) else {
        return Err(UploadError::Problem(StatusCode::UNPROCESSABLE_ENTITY, "Choose a CSV file to import".into()));
    };
    String::from_utf8(bytes).map_err(|_| {
        UploadError::Problem(StatusCode::UNPROCESSABLE_ENTITY, "The file must be CSV saved as UTF-8 text".into())
    })
}
