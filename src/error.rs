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
    /// A streaming-protocol failure, such as a malformed event line or an event larger
    /// than `max_event_size`.
    Stream,
    /// A buffered response body is larger than the client's `max_response_size`.
    TooLarge,
}

/// The `detail` of an API error response, as FastAPI writes it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
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
#[non_exhaustive]
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

/// The OpenAI-style error object an upstream answered with: `{"error": {"message", "type",
/// "param", "code"}}`; kept on the [`Error`] so callers need not dig in the body.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct UpstreamError {
    /// What went wrong, as the upstream says it.
    #[serde(default)]
    pub message: String,
    /// The error's type, e.g. `invalid_request_error`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// The request parameter it is about, when the upstream names one.
    #[serde(default)]
    pub param: Option<String>,
    /// The upstream's error code (a string or a number, depending on the provider).
    #[serde(default)]
    pub code: Option<serde_json::Value>,
    /// Provider-specific fields of the error object.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl UpstreamError {
    /// Reads `{"error": {...}}` from a response body, when the object carries a message.
    pub fn parse(body: &[u8]) -> Option<UpstreamError> {
        #[derive(serde::Deserialize)]
        struct Envelope {
            error: UpstreamError,
        }
        let envelope: Envelope = serde_json::from_slice(body).ok()?;
        Some(envelope.error)
    }
}

/// An error from the UnitySVC SDK.
///
/// It is cheap to move, `Send + Sync`, and never contains the API key or a secret value.
/// Its `Display` names the call (`services.get`, or `gateway <path>`), what happened and,
/// for transport failures, the host.
///
/// # Examples
///
/// ```no_run
/// use unitysvc::ErrorKind;
///
/// # async fn run(client: unitysvc::Client) -> unitysvc::Result<()> {
/// match client.secrets().get("OPENAI_API_KEY").await {
///     Ok(secret) => println!("found {}", *secret.name),
///     Err(e) if e.kind() == ErrorKind::NotFound => println!("no such secret"),
///     Err(e) if e.kind() == ErrorKind::RateLimit => {
///         println!("slow down for {:?}", e.retry_after());
///     }
///     Err(e) if e.is_retryable() => println!("try again later: {e}"),
///     Err(e) => return Err(e),
/// }
/// # Ok(())
/// # }
/// ```
#[derive(thiserror::Error)]
#[error("{}", .inner)]
pub struct Error {
    inner: Box<Inner>,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

#[derive(Clone)]
struct Inner {
    kind: ErrorKind,
    message: String,
    /// The SDK operation or gateway path the error belongs to, e.g. `services.get`.
    operation: Option<String>,
    /// `host:port` of the server, shown for transport failures.
    host: Option<String>,
    status: Option<reqwest::StatusCode>,
    detail: Option<ErrorDetail>,
    body: Option<bytes::Bytes>,
    request_id: Option<String>,
    retry_after: Option<std::time::Duration>,
    /// The argument an `InvalidInput` error is about, as the API names it.
    parameter: Option<&'static str>,
    /// The upstream's OpenAI-style error object, for gateway answers that carry one.
    upstream: Option<UpstreamError>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                operation: None,
                host: None,
                status: None,
                detail: None,
                body: None,
                request_id: None,
                retry_after: None,
                parameter: None,
                upstream: None,
            }),
            source: None,
        }
    }

    pub(crate) fn invalid_input(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidInput, message)
    }

    /// A copy without the source, for builders that keep an input error until `send()`
    /// and must stay `Clone`.
    pub(crate) fn duplicate(&self) -> Error {
        Error {
            inner: self.inner.clone(),
            source: None,
        }
    }

    /// Attaches an upstream's OpenAI-style error object.
    pub(crate) fn with_upstream(mut self, upstream: UpstreamError) -> Error {
        self.inner.upstream = Some(upstream);
        self
    }

    /// Names the argument an input error is about.
    pub(crate) fn with_parameter(mut self, parameter: &'static str) -> Error {
        self.inner.parameter = Some(parameter);
        self
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        self.source = Some(Box::new(source));
        self
    }

    /// Keeps `body` in the error, cut to `limit` bytes.
    pub(crate) fn with_body_limit(mut self, mut body: bytes::Bytes, limit: usize) -> Error {
        body.truncate(limit);
        self.inner.body = Some(body);
        self
    }

    /// Names the call the error belongs to and the server it talked to.
    pub(crate) fn in_call(mut self, operation: &str, host: Option<&str>) -> Error {
        if self.inner.operation.is_none() {
            self.inner.operation = Some(operation.to_owned());
        }
        if self.inner.host.is_none() {
            self.inner.host = host.map(str::to_owned);
        }
        self
    }

    /// Replaces every occurrence of `secret` (the client's own key, echoed back by a
    /// server) with `[redacted]`.
    pub(crate) fn redact(mut self, secret: &str) -> Error {
        if secret.is_empty() {
            return self;
        }
        let inner = &mut *self.inner;
        scrub(&mut inner.message, secret);
        if let Some(id) = &mut inner.request_id {
            scrub(id, secret);
        }
        if let Some(detail) = &mut inner.detail {
            detail.redact(secret);
        }
        if let Some(upstream) = &mut inner.upstream {
            scrub(&mut upstream.message, secret);
            if upstream
                .extra
                .values()
                .any(|v| v.to_string().contains(secret))
            {
                upstream.extra.clear();
            }
        }
        if let Some(body) = &inner.body {
            let needle = secret.as_bytes();
            if body.windows(needle.len()).any(|w| w == needle) {
                let text = String::from_utf8_lossy(body).replace(secret, REDACTED);
                inner.body = Some(bytes::Bytes::from(text));
            }
        }
        if self
            .source
            .as_ref()
            .is_some_and(|s| s.to_string().contains(secret))
        {
            self.source = None;
        }
        self
    }

    /// Builds the error for a non-success API response, keeping at most `body_limit`
    /// bytes of its body.
    pub(crate) fn from_status(
        status: u16,
        headers: &reqwest::header::HeaderMap,
        body: bytes::Bytes,
        body_limit: usize,
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
        let upstream = UpstreamError::parse(&body);
        let reason = reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("error");
        let message = match (&detail, &upstream) {
            (Some(d), _) => format!("HTTP {status} {reason}: {d}"),
            (None, Some(u)) if !u.message.is_empty() => {
                format!("HTTP {status} {reason}: {}", u.message)
            }
            _ => format!("HTTP {status} {reason}"),
        };
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let request_id = header("x-request-id").or_else(|| header("x-correlation-id"));
        let retry_after = retry_after_header(headers);
        let mut err = Error::new(kind, message).with_body_limit(body, body_limit);
        err.inner.status = reqwest::StatusCode::from_u16(status).ok();
        err.inner.detail = detail;
        err.inner.upstream = upstream;
        err.inner.request_id = request_id;
        err.inner.retry_after = retry_after;
        err
    }

    /// Classifies a transport error from reqwest by what happened, naming the root cause.
    ///
    /// Bytes lost in transit (a reset, a close before the announced length) are
    /// `Connection`; a deadline is `Timeout`; a body over the size cap is `TooLarge`.
    pub(crate) fn from_reqwest(e: reqwest::Error) -> Error {
        let e = e.without_url();
        let mut timeout = e.is_timeout();
        let mut too_large = None;
        let mut parse_error = false;
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        let mut root = String::new();
        while let Some(err) = source {
            if let Some(limit) = err.downcast_ref::<BodyTooLarge>() {
                too_large = Some(limit.0);
            }
            if let Some(inner) = err.downcast_ref::<reqwest::Error>() {
                timeout |= inner.is_timeout();
            }
            if let Some(io) = err.downcast_ref::<std::io::Error>() {
                timeout |= io.kind() == std::io::ErrorKind::TimedOut;
            }
            parse_error |= err.is::<serde_json::Error>();
            root = err.to_string();
            source = err.source();
        }
        let (kind, message) = if let Some(limit) = too_large {
            (ErrorKind::TooLarge, BodyTooLarge(limit).to_string())
        } else if timeout {
            (ErrorKind::Timeout, TIMED_OUT.to_owned())
        } else if e.is_builder() {
            (
                ErrorKind::InvalidInput,
                format!("invalid request: {}", plain(&root)),
            )
        } else if e.is_redirect() {
            (
                ErrorKind::Api,
                format!("redirect refused: {}", plain(&root)),
            )
        } else if e.is_decode() && parse_error {
            // reqwest also calls a body cut in transit a decode error; only bytes that all
            // arrived and do not parse are `Decode`.
            (ErrorKind::Decode, plain(&root))
        } else {
            (ErrorKind::Connection, plain(&root))
        };
        Error::new(kind, message).with_source(e)
    }

    /// Says how long the call had, on a timeout that does not say it yet.
    pub(crate) fn timed_out_after(mut self, limit: Option<std::time::Duration>) -> Error {
        if let (ErrorKind::Timeout, Some(limit)) = (self.inner.kind, limit) {
            if self.inner.message == TIMED_OUT {
                self.inner.message = format!("timed out after {limit:?}");
            }
        }
        self
    }

    /// A deadline that passed before the call could finish.
    pub(crate) fn deadline(limit: std::time::Duration) -> Error {
        Error::new(ErrorKind::Timeout, format!("timed out after {limit:?}"))
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<reqwest::StatusCode> {
        self.inner.status
    }

    /// What happened, without the operation, host or request id that `Display` adds.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The argument an [`ErrorKind::InvalidInput`] error rejected, as the API names it
    /// (`name`, `limit`, `body`), so a caller can point at its own input for it.
    pub fn parameter(&self) -> Option<&str> {
        self.inner.parameter
    }

    /// The SDK operation (such as `services.get`) or gateway path the error belongs to.
    pub fn operation(&self) -> Option<&str> {
        self.inner.operation.as_deref()
    }

    /// The parsed `detail` of an API error response.
    pub fn detail(&self) -> Option<&ErrorDetail> {
        self.inner.detail.as_ref()
    }

    /// The upstream's OpenAI-style error object (`{"error": {...}}`), when the answer
    /// carried one.
    pub fn upstream_error(&self) -> Option<&UpstreamError> {
        self.inner.upstream.as_ref()
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
        ) || self.status().is_some_and(|s| retryable_status(s.as_u16()))
    }
}

impl From<crate::wrappers::WrapperError> for Error {
    /// Wrapper input errors (a bad duration, an unsafe path) are [`ErrorKind::InvalidInput`].
    fn from(e: crate::wrappers::WrapperError) -> Error {
        Error::invalid_input(e.to_string()).with_source(e)
    }
}

/// An input error kept by a builder until `send()`; cloning drops its source.
#[derive(Debug)]
pub(crate) struct Kept(pub(crate) Error);

impl Clone for Kept {
    fn clone(&self) -> Kept {
        Kept(self.0.duplicate())
    }
}

/// How much of a response body an [`Error`] keeps unless configured otherwise (64 KiB).
pub const DEFAULT_MAX_ERROR_BODY: usize = 64 * 1024;

const REDACTED: &str = "[redacted]";

/// A transport timeout's message before the call's limit is known; `timed_out_after`
/// completes it.
const TIMED_OUT: &str = "timed out";

/// Replaces every occurrence of `secret` in `text` with [`REDACTED`].
fn scrub(text: &mut String, secret: &str) {
    if text.contains(secret) {
        *text = text.replace(secret, REDACTED);
    }
}

/// The body error raised when a buffered response passes the size cap.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyTooLarge(pub(crate) usize);

impl fmt::Display for BodyTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the response body is larger than the {} limit (max_response_size)",
            human_bytes(self.0)
        )
    }
}

impl std::error::Error for BodyTooLarge {}

/// Renders a byte count the way people write limits: `64 KiB`, `16 MiB`, `100 bytes`.
pub(crate) fn human_bytes(n: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= KIB && n.is_multiple_of(KIB) {
        format!("{} KiB", n / KIB)
    } else {
        format!("{n} bytes")
    }
}

/// A root cause in plain words: lowercase start, no OS error number.
fn plain(cause: &str) -> String {
    let cause = match cause.find(" (os error") {
        Some(i) => &cause[..i],
        None => cause,
    };
    let mut chars = cause.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "unknown transport failure".to_owned(),
    }
}

/// Statuses worth retrying: rate limiting and the gateway-type 5xx that are usually
/// transient.
pub(crate) fn retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// The delay a server asks for: `retry-after-ms`, else `Retry-After` as seconds or as an
/// HTTP-date (a date in the past means now).
pub(crate) fn retry_after_header(
    headers: &reqwest::header::HeaderMap,
) -> Option<std::time::Duration> {
    let text = |name| headers.get(name)?.to_str().ok().map(str::trim);
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        if ms.is_finite() && ms >= 0.0 {
            return Some(std::time::Duration::from_secs_f64(ms.min(1e12) / 1000.0));
        }
    }
    let value = text("retry-after")?;
    if let Ok(secs) = value.parse::<u64>() {
        return Some(std::time::Duration::from_secs(secs));
    }
    let now = chrono::Utc::now();
    let wait = http_date(value, now)? - now;
    Some(wait.to_std().unwrap_or_default())
}

/// An HTTP-date in any of the three forms RFC 9110 (section 5.6.7) tells recipients to
/// accept: IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, the obsolete RFC 850 form
/// `Sunday, 06-Nov-94 08:49:37 GMT` and asctime `Sun Nov  6 08:49:37 1994`.
fn http_date(
    value: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::{Datelike, NaiveDateTime};
    if let Ok(t) = chrono::DateTime::parse_from_rfc2822(value) {
        return Some(t.with_timezone(&chrono::Utc));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(value, "%A, %d-%b-%y %H:%M:%S GMT") {
        // A two-digit year more than 50 years ahead is the latest past year ending so.
        let yy = t.year().rem_euclid(100);
        let mut year = now.year() - now.year().rem_euclid(100) + yy;
        if year > now.year() + 50 {
            year -= 100;
        }
        return Some(t.with_year(year)?.and_utc());
    }
    NaiveDateTime::parse_from_str(value, "%a %b %e %H:%M:%S %Y")
        .ok()
        .map(|t| t.and_utc())
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.inner.kind)
            .field("message", &self.inner.message);
        if let Some(operation) = &self.inner.operation {
            d.field("operation", operation);
        }
        if let Some(host) = &self.inner.host {
            d.field("host", host);
        }
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
        if let Some(operation) = &self.operation {
            write!(f, "{operation}: ")?;
        }
        f.write_str(&self.message)?;
        let transport = matches!(self.kind, ErrorKind::Timeout | ErrorKind::Connection);
        if let (true, Some(host)) = (transport, &self.host) {
            write!(f, " ({host})")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// Turns a generated-client error into ours, reading the body of unexpected responses.
pub(crate) async fn from_generated<E>(e: progenitor_client::Error<E>, body_limit: usize) -> Error {
    use progenitor_client::Error as G;
    match e {
        G::InvalidRequest(m) => Error::invalid_input(m),
        G::CommunicationError(e) | G::InvalidUpgrade(e) | G::ResponseBodyError(e) => {
            Error::from_reqwest(e)
        }
        G::ErrorResponse(rv) => {
            let status = rv.status().as_u16();
            Error::from_status(status, rv.headers(), bytes::Bytes::new(), body_limit)
        }
        G::InvalidResponsePayload(body, e) => Error::new(
            ErrorKind::Decode,
            format!("the response does not match the API: {e}"),
        )
        .with_body_limit(body, body_limit)
        .with_source(e),
        G::UnexpectedResponse(resp) => from_response(resp, body_limit).await,
        G::Custom(m) => Error::new(ErrorKind::Api, m),
    }
}

/// Builds the error for a non-success response, keeping at most `limit` bytes of its body.
///
/// The status is known before the body, so the error keeps its kind and status whatever
/// the body does: the bytes past `limit` are dropped unread, and a body that breaks off
/// keeps what arrived.
pub(crate) async fn from_response(resp: reqwest::Response, limit: usize) -> Error {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    if resp.status().is_redirection() {
        let to = headers
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| reqwest::Url::parse(v).ok())
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| "elsewhere".to_owned());
        let mut err = Error::new(
            ErrorKind::Api,
            format!("HTTP {status}: refused to follow a redirect to another origin ({to})"),
        );
        err.inner.status = reqwest::StatusCode::from_u16(status).ok();
        return err;
    }
    let (body, _) = read_error_body(resp, limit).await;
    Error::from_status(status, &headers, body, limit)
}

/// Reads at most `limit` bytes of an error answer's body; the rest is dropped unread with
/// the connection. Answers the bytes and whether any were dropped; a body that breaks
/// off ends where it broke.
pub(crate) async fn read_error_body(
    mut resp: reqwest::Response,
    limit: usize,
) -> (bytes::Bytes, bool) {
    let announced = resp
        .headers()
        .get(reqwest::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let mut body = bytes::BytesMut::new();
    let mut cut = false;
    while let Ok(Some(chunk)) = resp.chunk().await {
        let room = limit.saturating_sub(body.len());
        body.extend_from_slice(chunk.get(..room).unwrap_or(&chunk));
        if chunk.len() > room {
            cut = true;
            break;
        }
        if body.len() >= limit {
            cut = match announced {
                Some(n) => n > limit as u64,
                // Only a body that ends exactly at the limit reads one chunk more.
                None => matches!(resp.chunk().await, Ok(Some(c)) if !c.is_empty()),
            };
            break;
        }
    }
    (body.freeze(), cut)
}

impl Error {
    /// A buffered body that passed the size cap.
    pub(crate) fn from_too_large(limit: usize) -> Error {
        Error::new(ErrorKind::TooLarge, BodyTooLarge(limit).to_string())
    }
}

impl ErrorDetail {
    fn redact(&mut self, secret: &str) {
        match self {
            ErrorDetail::Message(m) => scrub(m, secret),
            ErrorDetail::Fields(fields) => {
                for field in fields {
                    scrub(&mut field.location, secret);
                    scrub(&mut field.message, secret);
                }
            }
            ErrorDetail::Other(value) => {
                let mut text = value.to_string();
                if text.contains(secret) {
                    scrub(&mut text, secret);
                    *value = serde_json::from_str(&text)
                        .unwrap_or(serde_json::Value::String(REDACTED.to_owned()));
                }
            }
        }
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
        let err = Error::from_status(
            422,
            &Default::default(),
            bytes::Bytes::from_static(body),
            DEFAULT_MAX_ERROR_BODY,
        );
        assert_eq!(err.kind(), ErrorKind::Validation);
        assert_eq!(
            err.to_string(),
            "HTTP 422 Unprocessable Entity: body.name: String should match pattern"
        );
    }

    #[test]
    fn retry_after_takes_every_http_date_form() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-06T01:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let want = chrono::DateTime::parse_from_rfc3339("1994-11-06T08:49:37Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        for form in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(http_date(form, now), Some(want), "{form}");
        }
        // Two-digit years within 50 years ahead stay in this century.
        let soon = http_date("Monday, 06-Nov-34 08:49:37 GMT", now).unwrap();
        assert_eq!(chrono::Datelike::year(&soon), 2034);
        // A date ahead of the clock is a wait, in any form.
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("retry-after", "Fri Dec 31 23:59:59 9999".parse().unwrap());
        assert!(retry_after_header(&h).is_some_and(|d| d.as_secs() > 1_000_000));
        h.insert(
            "retry-after",
            "Friday, 31-Dec-99 23:59:59 GMT".parse().unwrap(),
        );
        assert!(retry_after_header(&h).is_some());
    }

    #[test]
    fn retry_after_is_read_from_headers() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("retry-after", "7".parse().unwrap());
        let err = Error::from_status(429, &headers, bytes::Bytes::new(), DEFAULT_MAX_ERROR_BODY);
        assert_eq!(err.retry_after(), Some(std::time::Duration::from_secs(7)));
        assert!(err.is_retryable());
    }
}
