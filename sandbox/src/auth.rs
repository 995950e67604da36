//! Bearer-key authentication of callers.

use crate::errors::{ApiError, ApiResult};
use crate::state::{Customer, Shared};
use axum::http::HeaderMap;

/// Extracts the bearer token, if any.
pub fn bearer(headers: &HeaderMap) -> Option<String> {
    let raw = headers.get("authorization")?.to_str().ok()?.trim();
    let (scheme, token) = raw.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = token.trim();
    (!token.is_empty()).then(|| token.to_string())
}

/// Requires a valid key and answers its customer.
pub fn require(state: &Shared, headers: &HeaderMap) -> ApiResult<Customer> {
    optional(state, headers)?.ok_or(ApiError::Unauthorized("Not authenticated"))
}

/// Accepts an anonymous caller but still rejects an invalid key.
pub fn optional(state: &Shared, headers: &HeaderMap) -> ApiResult<Option<Customer>> {
    let Some(token) = bearer(headers) else {
        return Ok(None);
    };
    state
        .db()
        .customer_by_key(&token)
        .map(Some)
        .ok_or(ApiError::Unauthorized("Invalid API key"))
}
