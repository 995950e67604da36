//! The crate's one error type.
//!
//! Every failure — a status from the API, a transport problem, a body that does not decode,
//! input rejected before sending — is an [`Error`] whose [`ErrorKind`] callers match on.
//! Generated-client errors are converted here and nowhere else.

use std::fmt;

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, coarsely; match on it to decide what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// 401: the API key is missing, invalid or expired, or the call needs one and the
    /// client has none.
    Authentication,
    /// 403: the key is valid but may not do this.
    Permission,
    /// 404: no such resource for this customer.
    NotFound,
    /// 400 or 422: the server rejected the request's content.
    Validation,
    /// 409: the request conflicts with existing state, such as a duplicate name.
    Conflict,
    /// 429: too many requests; see [`Error::retry_after`].
    RateLimit,
    /// 5xx: the server failed.
    Server,
    /// Another non-success status.
    Api,
    /// The request or the stream ran out of time.
    Timeout,
    /// The connection could not be made or broke.
    Connection,
    /// The response body is not what the API promises.
    Decode,
    /// The input was rejected before anything was sent.
    InvalidInput,
    /// A streaming-protocol failure, such as a malformed event line.
    Stream,
}

/// The `detail` of an API error response, as FastAPI writes it.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorDetail {
    /// A plain message.
    Message(String),
    /// One entry per invalid field.
    Fields(Vec<FieldError>),
    /// Any other JSON shape.
    Other(serde_json::Value),
}

/// One invalid field from a 422 response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Where the field is, e.g. `body.name` or `query.limit`.
    pub location: String,
    /// What is wrong with it.
    pub message: String,
    /// FastAPI's error type, e.g. `string_pattern_mismatch`.
    pub kind: String,
}

impl fmt::Display for ErrorDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorDetail::Message(m) => f.write_str(m),
            ErrorDetail::Fields(fields) => {
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{}: {}", field.location, field.message)?;
                }
                Ok(())
            }
            ErrorDetail::Other(v) => write!(f, "{v}"),
        }
    }
}

impl ErrorDetail {
    /// Reads FastAPI's `{"detail": …}` from an error response body, when it is there.
    ///
    /// Useful on a gateway [`Response`](crate::Response) whose upstream speaks FastAPI too.
    pub fn parse(body: &[u8]) -> Option<ErrorDetail> {
        let value: serde_json::Value = serde_json::from_slice(body).ok()?;
        let detail = value.get("detail")?;
        Some(match detail {
            serde_json::Value::String(s) => ErrorDetail::Message(s.clone()),
            serde_json::Value::Array(items) => {
                let fields: Option<Vec<FieldError>> = items.iter().map(field_error).collect();
                match fields {
                    Some(fields) => ErrorDetail::Fields(fields),
                    None => ErrorDetail::Other(detail.clone()),
                }
            }
            other => ErrorDetail::Other(other.clone()),
        })
    }
}

fn field_error(v: &serde_json::Value) -> Option<FieldError> {
    let loc = v.get("loc")?.as_array()?;
    let location = loc
        .iter()
        .map(|p| match p {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".");
    Some(FieldError {
        location,
        message: v.get("msg")?.as_str()?.to_owned(),
        kind: v
            .get("type")
            .and_then(|t| t.as_str())
            .unwrap_or_default()
            .to_owned(),
    })
}

/// An error from the UnitySVC SDK.
///
/// It is cheap to move, `Send + Sync`, and never contains the API key or a secret value.
#[derive(thiserror::Error)]
#[error("{}", .inner)]
pub struct Error {
    inner: Box<Inner>,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

struct Inner {
    kind: ErrorKind,
    message: String,
    status: Option<u16>,
    detail: Option<ErrorDetail>,
    body: Option<bytes::Bytes>,
    request_id: Option<String>,
    retry_after: Option<std::time::Duration>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                status: None,
                detail: None,
                body: None,
                request_id: None,
                retry_after: None,
            }),
            source: None,
        }
    }

    pub(crate) fn invalid_input(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidInput, message)
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        self.source = Some(Box::new(source));
        self
    }

    pub(crate) fn with_body(mut self, body: bytes::Bytes) -> Error {
        self.inner.body = Some(body);
        self
    }

    /// Builds the error for a non-success API response.
    pub(crate) fn from_status(
        status: u16,
        headers: &reqwest::header::HeaderMap,
        body: bytes::Bytes,
    ) -> Error {
        let kind = match status {
            401 => ErrorKind::Authentication,
            403 => ErrorKind::Permission,
            404 => ErrorKind::NotFound,
            400 | 422 => ErrorKind::Validation,
            409 => ErrorKind::Conflict,
            429 => ErrorKind::RateLimit,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::Api,
        };
        let detail = ErrorDetail::parse(&body);
        let reason = reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("error");
        let message = match &detail {
            Some(d) => format!("HTTP {status} {reason}: {d}"),
            None => format!("HTTP {status} {reason}"),
        };
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let request_id = header("x-request-id").or_else(|| header("x-correlation-id"));
        let retry_after = retry_after_header(headers);
        let mut err = Error::new(kind, message).with_body(body);
        err.inner.status = Some(status);
        err.inner.detail = detail;
        err.inner.request_id = request_id;
        err.inner.retry_after = retry_after;
        err
    }

    /// Classifies a transport error from reqwest.
    pub(crate) fn from_reqwest(e: reqwest::Error) -> Error {
        let kind = if e.is_timeout() {
            ErrorKind::Timeout
        } else if e.is_decode() {
            ErrorKind::Decode
        } else if e.is_builder() {
            ErrorKind::InvalidInput
        } else {
            ErrorKind::Connection
        };
        // reqwest's Display includes the URL; strip it of any query, where a token might sit.
        let e = e.without_url();
        Error::new(kind, e.to_string()).with_source(e)
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// The parsed `detail` of an API error response.
    pub fn detail(&self) -> Option<&ErrorDetail> {
        self.inner.detail.as_ref()
    }

    /// The raw response body, for API errors and undecodable responses.
    pub fn body(&self) -> Option<&[u8]> {
        self.inner.body.as_deref()
    }

    /// The platform's request id, when the response carried one; quote it to support.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// How long the server asked the caller to wait (`Retry-After`), if it did.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        self.inner.retry_after
    }

    /// Whether this is a 401 or a missing API key.
    pub fn is_authentication(&self) -> bool {
        self.kind() == ErrorKind::Authentication
    }

    /// Whether this is a 404.
    pub fn is_not_found(&self) -> bool {
        self.kind() == ErrorKind::NotFound
    }

    /// Whether this is a 400 or 422.
    pub fn is_validation(&self) -> bool {
        self.kind() == ErrorKind::Validation
    }

    /// Whether this is a 409.
    pub fn is_conflict(&self) -> bool {
        self.kind() == ErrorKind::Conflict
    }

    /// Whether the request or stream timed out.
    pub fn is_timeout(&self) -> bool {
        self.kind() == ErrorKind::Timeout
    }

    /// Whether the input was rejected before sending.
    pub fn is_invalid_input(&self) -> bool {
        self.kind() == ErrorKind::InvalidInput
    }

    /// Whether retrying the same request may succeed: 429, 502–504, timeouts, connection
    /// failures.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::RateLimit | ErrorKind::Timeout | ErrorKind::Connection
        ) || self.status().is_some_and(retryable_status)
    }
}

/// Statuses worth retrying: rate limiting and the gateway-type 5xx that are usually
/// transient.
pub(crate) fn retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// The delay a `Retry-After` header asks for, in its delta-seconds form.
pub(crate) fn retry_after_header(
    headers: &reqwest::header::HeaderMap,
) -> Option<std::time::Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(std::time::Duration::from_secs)
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.inner.kind)
            .field("message", &self.inner.message);
        if let Some(status) = self.inner.status {
            d.field("status", &status);
        }
        if let Some(id) = &self.inner.request_id {
            d.field("request_id", id);
        }
        if let Some(source) = &self.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl fmt::Display for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// Turns a generated-client error into ours, reading the body of unexpected responses.
pub(crate) async fn from_generated<E>(e: progenitor_client::Error<E>) -> Error {
    use progenitor_client::Error as G;
    match e {
        G::InvalidRequest(m) => Error::invalid_input(m),
        G::CommunicationError(e) | G::InvalidUpgrade(e) | G::ResponseBodyError(e) => {
            Error::from_reqwest(e)
        }
        G::ErrorResponse(rv) => {
            let status = rv.status().as_u16();
            Error::from_status(status, rv.headers(), bytes::Bytes::new())
        }
        G::InvalidResponsePayload(body, e) => Error::new(
            ErrorKind::Decode,
            format!("the response does not match the API: {e}"),
        )
        .with_body(body)
        .with_source(e),
        G::UnexpectedResponse(resp) => from_response(resp).await,
        G::Custom(m) => Error::new(ErrorKind::Api, m),
    }
}

/// Builds the error for a non-success response, reading its body.
pub(crate) async fn from_response(resp: reqwest::Response) -> Error {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    match resp.bytes().await {
        Ok(body) => Error::from_status(status, &headers, body),
        Err(e) => Error::from_reqwest(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_send_sync_and_static() {
        fn assert<T: Send + Sync + 'static>() {}
        assert::<Error>();
    }

    #[test]
    fn field_errors_render_with_their_location() {
        let body = br#"{"detail":[{"loc":["body","name"],"msg":"String should match pattern","type":"string_pattern_mismatch"}]}"#;
        let err = Error::from_status(422, &Default::default(), bytes::Bytes::from_static(body));
        assert_eq!(err.kind(), ErrorKind::Validation);
        assert_eq!(
            err.to_string(),
            "HTTP 422 Unprocessable Entity: body.name: String should match pattern"
        );
    }

    #[test]
    fn retry_after_is_read_from_headers() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("retry-after", "7".parse().unwrap());
        let err = Error::from_status(429, &headers, bytes::Bytes::new());
        assert_eq!(err.retry_after(), Some(std::time::Duration::from_secs(7)));
        assert!(err.is_retryable());
    }
}
