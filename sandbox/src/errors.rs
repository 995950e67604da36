//! API error type rendered in the platform's (FastAPI) error shapes.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// An error answered by a control-plane or gateway handler.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// 401 with the given detail.
    Unauthorized(&'static str),
    /// 403 with the given detail.
    Forbidden(String),
    /// 404 with the given detail.
    NotFound(String),
    /// 409 with the given detail.
    Conflict(String),
    /// 400 with the given detail.
    BadRequest(String),
    /// 422 with FastAPI validation items.
    Validation(Vec<Value>),
}

/// Result alias used by handlers.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// Builds a 404 saying `<what> not found`.
    pub fn not_found(what: &str) -> Self {
        ApiError::NotFound(format!("{what} not found"))
    }

    /// Builds a single-item 422 error.
    pub fn invalid(kind: &str, loc: Vec<Value>, msg: &str, input: Value) -> Self {
        ApiError::Validation(vec![item(kind, loc, msg, input)])
    }

    /// Builds a 422 for a missing required field.
    pub fn missing(loc: Vec<Value>, input: Value) -> Self {
        Self::invalid("missing", loc, "Field required", input)
    }

    /// Builds a single-item 422 error that does not echo its input.
    pub fn invalid_unechoed(kind: &str, loc: Vec<Value>, msg: &str) -> Self {
        ApiError::Validation(vec![json!({"type": kind, "loc": loc, "msg": msg})])
    }

    /// Drops the `input` of every validation item.
    ///
    /// FastAPI echoes what it rejected; for fields that carry secrets (secret values,
    /// credentials in headers or parameters) the echo would put the secret in client logs.
    pub fn without_input(self) -> Self {
        match self {
            ApiError::Validation(mut items) => {
                for item in &mut items {
                    if let Value::Object(m) = item {
                        m.remove("input");
                    }
                }
                ApiError::Validation(items)
            }
            other => other,
        }
    }
}

/// Builds a location list from string parts.
pub fn loc(parts: &[&str]) -> Vec<Value> {
    parts.iter().map(|p| Value::from(*p)).collect()
}

/// Builds one FastAPI validation item.
pub fn item(kind: &str, loc: Vec<Value>, msg: &str, input: Value) -> Value {
    json!({"type": kind, "loc": loc, "msg": msg, "input": input})
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            ApiError::Unauthorized(d) => (StatusCode::UNAUTHORIZED, json!({"detail": d})),
            ApiError::Forbidden(d) => (StatusCode::FORBIDDEN, json!({"detail": d})),
            ApiError::NotFound(d) => (StatusCode::NOT_FOUND, json!({"detail": d})),
            ApiError::Conflict(d) => (StatusCode::CONFLICT, json!({"detail": d})),
            ApiError::BadRequest(d) => (StatusCode::BAD_REQUEST, json!({"detail": d})),
            ApiError::Validation(items) => {
                (StatusCode::UNPROCESSABLE_ENTITY, json!({"detail": items}))
            }
        };
        let mut resp = (status, axum::Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut()
                .insert("www-authenticate", HeaderValue::from_static("Bearer"));
        }
        resp
    }
}
