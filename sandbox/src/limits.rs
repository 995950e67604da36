//! Size and shape limits on what clients send, and the body-size guard that enforces them.

use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use serde_json::{json, Value};
use std::time::Duration;

/// Largest file the fake object store accepts, and what upload tickets advertise.
pub const MAX_UPLOAD: u64 = 64 * 1024 * 1024;

/// Bytes of an oversize body read and thrown away before answering 413.
///
/// Answering while the client is still sending makes the kernel reset the connection, and the
/// client then sees a transport error instead of the 413; draining a bounded amount costs time
/// but no memory. The cap sits well above the platform's largest uploads (a 120 MB body must
/// still get its 413); a client sending more than this gets the reset.
pub const DRAIN_CAP: u64 = 256 * 1024 * 1024;

/// How long draining an oversize body may take before the connection is given up.
pub const DRAIN_TIME: Duration = Duration::from_secs(30);

/// Size and shape limits a sandbox enforces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest control-plane request body (`/v1/...`), in bytes.
    pub control_body: usize,
    /// Largest body sent to the fake object store behind upload URLs, in bytes.
    pub upload_body: usize,
    /// Largest gateway request body, in bytes.
    pub gateway_body: usize,
    /// Largest enrollment `parameters` object, serialized as compact JSON, in bytes.
    pub parameters_bytes: usize,
    /// Deepest nesting allowed in enrollment `parameters` (the object itself is level 1).
    pub parameters_depth: usize,
    /// Most object keys allowed in enrollment `parameters`, counted at every level.
    pub parameters_keys: usize,
    /// Most request-log rows kept; the oldest are dropped first.
    pub log_rows: usize,
    /// Most memoized gateway answers kept; expired ones go first, then the soonest to expire.
    pub memo_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            control_body: 1024 * 1024,
            // Multipart framing around the largest file needs a little room.
            upload_body: MAX_UPLOAD as usize + 1024 * 1024,
            gateway_body: 32 * 1024 * 1024,
            parameters_bytes: 64 * 1024,
            parameters_depth: 32,
            parameters_keys: 1024,
            log_rows: 10_000,
            memo_entries: 1_000,
        }
    }
}

impl Limits {
    /// The body limit for a request path.
    pub fn body_limit(&self, path: &str) -> usize {
        if path == "/v1" || path.starts_with("/v1/") {
            self.control_body
        } else if path.starts_with("/_sandbox/files/") {
            self.upload_body
        } else {
            self.gateway_body
        }
    }
}

/// Why a body could not be taken in.
enum Refused {
    TooLarge,
    Unreadable,
}

fn detail(status: StatusCode, msg: &str) -> Response {
    (status, axum::Json(json!({"detail": msg}))).into_response()
}

/// Middleware buffering every request body up to the limit for its path.
///
/// Handlers read the buffered copy, so none of them can meet a body larger than the limit,
/// and an oversize one is answered here with FastAPI's JSON shape instead of the plain-text
/// rejection axum's extractors produce.
pub async fn bounded_body(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let limit = st.limits.body_limit(req.uri().path());
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let (parts, body) = req.into_parts();
    match read_bounded(body, limit, declared).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(Refused::TooLarge) => {
            let msg = format!("Request body too large (limit {limit} bytes)");
            let mut resp = detail(StatusCode::PAYLOAD_TOO_LARGE, &msg);
            // Whatever was not drained is still in flight; the connection cannot be reused.
            resp.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            resp
        }
        Err(Refused::Unreadable) => {
            detail(StatusCode::BAD_REQUEST, "Request body could not be read")
        }
    }
}

async fn read_bounded(body: Body, limit: usize, declared: Option<u64>) -> Result<Bytes, Refused> {
    let mut stream = body.into_data_stream();
    let limit_u64 = u64::try_from(limit).unwrap_or(u64::MAX);
    if declared.is_some_and(|n| n > limit_u64) {
        drain(stream, declared).await;
        return Err(Refused::TooLarge);
    }
    let capacity = declared.map_or(0, |n| usize::try_from(n).unwrap_or(0));
    let mut buf = BytesMut::with_capacity(capacity);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| Refused::Unreadable)?;
        if buf.len() + chunk.len() > limit {
            drain(stream, None).await;
            return Err(Refused::TooLarge);
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

/// Reads and discards the rest of a body, within [`DRAIN_CAP`] and [`DRAIN_TIME`].
async fn drain(mut stream: axum::body::BodyDataStream, declared: Option<u64>) {
    if declared.is_some_and(|n| n > DRAIN_CAP) {
        return;
    }
    let discard = async {
        let mut seen = 0u64;
        while let Some(Ok(chunk)) = stream.next().await {
            seen += chunk.len() as u64;
            if seen > DRAIN_CAP {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_TIME, discard).await;
}

/// What makes a free-form JSON object too big.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// Serialized size above the limit.
    Bytes(usize),
    /// Nesting deeper than the limit.
    Depth(usize),
    /// More object keys than the limit.
    Keys(usize),
}

impl Shape {
    /// The pydantic-style message for this violation.
    pub fn message(&self, field: &str) -> String {
        match self {
            Shape::Bytes(n) => format!("Value error, {field} must serialize to at most {n} bytes"),
            Shape::Depth(n) => format!("Value error, {field} must be at most {n} levels deep"),
            Shape::Keys(n) => format!("Value error, {field} must have at most {n} keys in total"),
        }
    }
}

/// Checks a free-form JSON value against enrollment-parameter limits.
pub fn check_parameters(v: &Value, limits: &Limits) -> Result<(), Shape> {
    let mut keys = 0usize;
    walk(v, 1, limits, &mut keys)?;
    let mut counter = Counter {
        n: 0,
        max: limits.parameters_bytes,
    };
    if serde_json::to_writer(&mut counter, v).is_err() {
        return Err(Shape::Bytes(limits.parameters_bytes));
    }
    Ok(())
}

/// Depth-first walk; the recursion is bounded by the depth limit (and serde_json's own
/// nesting limit on whatever it parsed).
fn walk(v: &Value, depth: usize, limits: &Limits, keys: &mut usize) -> Result<(), Shape> {
    let children: Box<dyn Iterator<Item = &Value>> = match v {
        Value::Object(m) => {
            *keys += m.len();
            if *keys > limits.parameters_keys {
                return Err(Shape::Keys(limits.parameters_keys));
            }
            Box::new(m.values())
        }
        Value::Array(a) => Box::new(a.iter()),
        _ => return Ok(()),
    };
    if depth > limits.parameters_depth {
        return Err(Shape::Depth(limits.parameters_depth));
    }
    for child in children {
        walk(child, depth + 1, limits, keys)?;
    }
    Ok(())
}

/// A writer that only counts, failing once past `max` so serialization stops early.
struct Counter {
    n: usize,
    max: usize,
}

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.n += buf.len();
        if self.n > self.max {
            return Err(std::io::Error::other("over limit"));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(levels: usize) -> Value {
        let mut v = json!(1);
        for _ in 0..levels {
            v = json!({ "k": v });
        }
        v
    }

    #[test]
    fn depth_counts_the_outer_object_as_level_one() {
        let l = Limits::default();
        assert_eq!(check_parameters(&nested(32), &l), Ok(()));
        assert_eq!(check_parameters(&nested(33), &l), Err(Shape::Depth(32)));
    }

    #[test]
    fn arrays_count_as_levels() {
        let l = Limits {
            parameters_depth: 2,
            ..Limits::default()
        };
        assert_eq!(check_parameters(&json!({"a": [1]}), &l), Ok(()));
        assert_eq!(
            check_parameters(&json!({"a": [[1]]}), &l),
            Err(Shape::Depth(2))
        );
    }

    #[test]
    fn keys_are_counted_at_every_level() {
        let l = Limits {
            parameters_keys: 3,
            ..Limits::default()
        };
        assert_eq!(
            check_parameters(&json!({"a": {"b": 1, "c": 2}}), &l),
            Ok(())
        );
        assert_eq!(
            check_parameters(&json!({"a": {"b": 1, "c": 2, "d": 3}}), &l),
            Err(Shape::Keys(3))
        );
    }

    #[test]
    fn serialized_size_is_bounded() {
        let l = Limits {
            parameters_bytes: 16,
            ..Limits::default()
        };
        // {"a":"123456789"} is 17 bytes.
        assert_eq!(check_parameters(&json!({"a": "12345678"}), &l), Ok(()));
        assert_eq!(
            check_parameters(&json!({"a": "123456789"}), &l),
            Err(Shape::Bytes(16))
        );
    }

    #[test]
    fn body_limit_is_chosen_by_path() {
        let l = Limits::default();
        assert_eq!(l.body_limit("/v1/secrets/X"), l.control_body);
        assert_eq!(l.body_limit("/_sandbox/files/abc"), l.upload_body);
        assert_eq!(l.body_limit("/p/abc/v1/chat/completions"), l.gateway_body);
        assert_eq!(l.body_limit("/v1x"), l.gateway_body);
    }
}
