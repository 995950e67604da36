//! The request journal: what callers sent to the gateway, so a user's test can assert on
//! it. Credentials are masked when a request is recorded, never later.

use axum::http::{HeaderMap, Method};
use bytes::Bytes;
use serde_json::Value;

/// How many requests the journal keeps; older ones are dropped first.
pub const JOURNAL_CAPACITY: usize = 10_000;

/// What a masked header's value reads as.
pub const MASKED: &str = "***";

/// One request as the gateway received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The method, e.g. `POST`.
    pub method: String,
    /// The path and query, e.g. `/p/<id>/chat/completions?x=1`.
    pub path: String,
    /// Header names (lower case) and values, with credentials replaced by [`MASKED`].
    pub headers: Vec<(String, String)>,
    /// The body as sent.
    pub body: Bytes,
}

impl RecordedRequest {
    /// Records a request, masking credentials on the way in.
    pub fn new(method: &Method, path: &str, headers: &HeaderMap, body: &Bytes) -> Self {
        let headers = headers
            .iter()
            .map(|(name, value)| {
                let name = name.as_str().to_ascii_lowercase();
                let value = if is_secret(&name) {
                    MASKED.to_owned()
                } else {
                    String::from_utf8_lossy(value.as_bytes()).into_owned()
                };
                (name, value)
            })
            .collect();
        RecordedRequest {
            method: method.as_str().to_owned(),
            path: path.to_owned(),
            headers,
            body: body.clone(),
        }
    }

    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON, when it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// Headers that carry credentials: the API key, cookies, and anything named like a key,
/// token or secret.
fn is_secret(name: &str) -> bool {
    matches!(name, "authorization" | "proxy-authorization" | "cookie")
        || ["key", "token", "secret", "password"]
            .iter()
            .any(|word| name.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_masked_and_other_headers_kept() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", "Bearer svcpass_x".parse().unwrap());
        headers.insert("x-api-key", "k".parse().unwrap());
        headers.insert("x-trace", "7".parse().unwrap());
        let r = RecordedRequest::new(&Method::POST, "/p/x", &headers, &Bytes::from("{}"));
        assert_eq!(r.header("Authorization"), Some(MASKED));
        assert_eq!(r.header("x-api-key"), Some(MASKED));
        assert_eq!(r.header("x-trace"), Some("7"));
        assert_eq!(r.json(), Some(serde_json::json!({})));
    }
}
