//! A JSON body extractor whose rejections use the API's error shape, naming
//! the field where the parser can tell.

use crate::error::ApiError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(JsonBody(v)),
            Err(rejection) => Err(rejection_error(rejection)),
        }
    }
}

fn rejection_error(r: JsonRejection) -> ApiError {
    let text = r.body_text();
    match r {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as JSON with Content-Type: application/json",
        ),
        _ => {
            // "Failed to deserialize the JSON body into the target type: name: invalid type: ..."
            let detail = text.split_once("target type: ").map(|(_, d)| d.to_string()).unwrap_or(text.clone());
            let mut err =
                ApiError::new(StatusCode::BAD_REQUEST, "bad_request", format!("the body could not be read: {detail}"));
            if let Some(field) = detail.strip_prefix("missing field `").and_then(|s| s.split('`').next()) {
                err.field = Some(field.to_string());
            } else if let Some((path, _)) = detail.split_once(": ") {
                if !path.contains(' ') && !path.is_empty() {
                    err.field = Some(path.to_string());
                }
            }
            err
        }
    }
}
