//! A JSON body extractor whose rejections use the API's error shape, naming
//! the field where the parser can tell. Text holding a character that cannot
//! be accepted (see [`crate::text`]) is refused with 422, naming its path.

use crate::error::ApiError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let mut value = match axum::Json::<Value>::from_request(req, state).await {
            Ok(axum::Json(v)) => v,
            Err(rejection) => return Err(rejection_error(rejection)),
        };
        if let Some(field) = crate::text::refused_in_json(&value) {
            return Err(ApiError::unprocessable(&field, crate::text::api_message(&field)));
        }
        integral_numbers(&mut value);
        serde_path_to_error::deserialize::<_, T>(value).map(JsonBody).map_err(|e| {
            let path = e.path().to_string();
            let detail = e.into_inner().to_string();
            let mut err = ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                format!(
                    "the body could not be read: {}{detail}",
                    if path == "." { String::new() } else { format!("{path}: ") }
                ),
            );
            if let Some(field) = detail.strip_prefix("missing field `").and_then(|s| s.split('`').next()) {
                err.field = Some(if path == "." { field.to_string() } else { format!("{path}.{field}") });
            } else if path != "." {
                err.field = Some(path);
            }
            err
        })
    }
}

/// JSON does not tell 3 from 3.0: a number with no fractional part is read as
/// a whole number wherever one is expected.
fn integral_numbers(v: &mut Value) {
    match v {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64() {
                if f.fract() == 0.0 && f >= i64::MIN as f64 && f <= i64::MAX as f64 {
                    *v = Value::from(f as i64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        Value::Object(map) => map.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

fn rejection_error(r: JsonRejection) -> ApiError {
    match r {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as JSON with Content-Type: application/json",
        ),
        JsonRejection::BytesRejection(_) => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "the body is larger than the server accepts",
        ),
        other => ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("the body is not JSON: {}", other.body_text().rsplit(": ").next().unwrap_or("")),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_floats_become_whole_numbers_and_others_stay() {
        let mut v = serde_json::json!({"a": 346.0, "b": [1.5, -2.0], "c": {"d": 1e3}});
        integral_numbers(&mut v);
        assert_eq!(v, serde_json::json!({"a": 346, "b": [1.5, -2], "c": {"d": 1000}}));
    }
}
