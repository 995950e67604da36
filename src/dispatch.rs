//! Requests through the gateway: where they go, what they carry, and the buffered answer.
//!
//! Gateway calls return the upstream's answer as it is — a 404 or 500 from the upstream is a
//! [`Response`], not an [`Error`]. Errors are for what stopped the call itself: bad input,
//! no connection, a timeout.

use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::streaming::StreamingResponse;
use crate::wrappers::{check_path, GatewayPath};
use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use std::time::Duration;
use tracing::Instrument;
use uuid::Uuid;

/// Where a gateway request goes before its sub-path is appended.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// A gateway-relative path, possibly wrapped, sent to the gateway root.
    Path(GatewayPath),
    /// A service whose interface is picked when the request is sent.
    Service {
        id: Uuid,
        interface: Option<String>,
        enrollment: Option<Uuid>,
    },
    /// A group whose one interface is looked up when the request is sent.
    Group(String),
}

#[derive(Debug, Clone)]
enum Body {
    None,
    Json(Bytes),
    Raw(Bytes),
}

/// Headers whose values are secrets: masked in every `Debug`, and marked sensitive so
/// hyper and reqwest leave them out too.
const SENSITIVE_HEADERS: [&str; 6] = [
    "authorization",
    "proxy-authorization",
    "x-api-key",
    "api-key",
    "cookie",
    "set-cookie",
];

/// Marks the values of well-known secret-carrying headers sensitive.
pub(crate) fn mark_sensitive(headers: &mut HeaderMap) {
    for name in SENSITIVE_HEADERS {
        if let reqwest::header::Entry::Occupied(mut entry) = headers.entry(name) {
            for value in entry.iter_mut() {
                value.set_sensitive(true);
            }
        }
    }
}

/// A request to send through the gateway; finish it with [`send`](Self::send) or
/// [`stream`](Self::stream).
///
/// The request only ever goes under its target: a sub-path with a `.` or `..` segment
/// (plain or percent-encoded), a backslash, `//` or `://` is refused with
/// [`ErrorKind::InvalidInput`] before anything is sent.
///
/// # Examples
///
/// ```no_run
/// # async fn run(client: unitysvc::Client, id: uuid::Uuid) -> unitysvc::Result<()> {
/// let response = client
///     .services()
///     .dispatch(id)
///     .path("chat/completions")
///     .json(&serde_json::json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]}))
///     .send()
///     .await?;
/// println!("{} {}", response.status(), response.text());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
#[must_use = "a dispatch request does nothing until it is sent"]
pub struct DispatchRequest {
    client: Client,
    target: Result<Target, String>,
    method: Method,
    path: String,
    body: Result<Body, String>,
    headers: Result<HeaderMap, String>,
    timeout: Option<Duration>,
}

impl std::fmt::Debug for DispatchRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let body = match &self.body {
            Ok(Body::None) => "none".to_owned(),
            Ok(Body::Json(b)) => format!("{} bytes of JSON", b.len()),
            Ok(Body::Raw(b)) => format!("{} bytes", b.len()),
            Err(e) => format!("invalid: {e}"),
        };
        f.debug_struct("DispatchRequest")
            .field("target", &self.target)
            .field("method", &self.method)
            .field("path", &self.path)
            // Header values marked sensitive print as `Sensitive`.
            .field("headers", &self.headers)
            .field("body", &body)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// A request ready to go, with what errors and spans need to name it.
struct Prepared {
    request: reqwest::Request,
    /// The gateway path without query values, e.g. `l/p/<id>/chat/completions`.
    label: String,
    host: Option<String>,
}

impl DispatchRequest {
    pub(crate) fn new(client: Client, target: Result<Target>) -> DispatchRequest {
        DispatchRequest {
            client,
            target: target.map_err(|e| e.to_string()),
            method: Method::POST,
            path: String::new(),
            body: Ok(Body::None),
            headers: Ok(HeaderMap::new()),
            timeout: None,
        }
    }

    /// Chooses the interface by name or id (services only).
    pub fn interface(mut self, name_or_id: impl Into<String>) -> Self {
        if let Ok(Target::Service { interface, .. }) = &mut self.target {
            *interface = Some(name_or_id.into());
        }
        self
    }

    /// Picks the interface bound to this enrollment (services only).
    pub fn enrollment(mut self, enrollment: impl crate::Id) -> Self {
        let parsed = enrollment.to_uuid();
        match (&mut self.target, parsed) {
            (Ok(Target::Service { enrollment, .. }), Ok(id)) => *enrollment = Some(id),
            (Ok(_), Err(e)) => self.target = Err(e.to_string()),
            _ => {}
        }
        self
    }

    /// Sets the HTTP method; `POST` by default.
    pub fn method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }

    /// Appends a sub-path to the target, such as `chat/completions`; it may carry a query.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// Sends `body` as JSON.
    pub fn json<T: serde::Serialize + ?Sized>(mut self, body: &T) -> Self {
        self.body = serde_json::to_vec(body)
            .map(|v| Body::Json(v.into()))
            .map_err(|e| format!("the JSON body cannot be serialized: {e}"));
        self
    }

    /// Sends raw bytes as the body.
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = Ok(Body::Raw(body.into()));
        self
    }

    /// Adds a header; it wins over the client's own, the `Authorization` header included.
    ///
    /// Values of `Authorization`, `Proxy-Authorization`, `X-Api-Key`, `Api-Key` and
    /// `Cookie` are marked sensitive and never printed.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let Ok(headers) = &mut self.headers {
            match (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                (Ok(n), Ok(mut v)) => {
                    if SENSITIVE_HEADERS.contains(&n.as_str()) {
                        v.set_sensitive(true);
                    }
                    headers.insert(n, v);
                }
                // The value may be a secret, so only the name goes into the error.
                _ => self.headers = Err(format!("invalid header {name:?} or its value")),
            }
        }
        self
    }

    /// Sets this call's timeout, replacing the client's.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Resolves the target to the full URL the request goes to.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for a path that could leave its target, and the errors
    /// of looking up a service's or group's interface.
    pub async fn url(&self) -> Result<String> {
        let target = self.target.clone().map_err(Error::invalid_input)?;
        self.resolve(target).await.map(|(url, _)| url)
    }

    /// The URL to send to and the prefix it must stay under.
    async fn resolve(&self, target: Target) -> Result<(String, String)> {
        check_subpath(&self.path)?;
        let base = match target {
            Target::Path(path) => {
                check_target(path.path())?;
                let relative = path.with_subpath(&self.path);
                let relative_path = relative.split_once('?').map_or(&*relative, |(p, _)| p);
                check_path(relative_path).map_err(Error::from)?;
                let root = self.client.gateway_url();
                return Ok((
                    format!("{root}/{relative}"),
                    format!("{root}/{}", path.path()),
                ));
            }
            Target::Service {
                id,
                interface,
                enrollment,
            } => {
                crate::services::resolve_interface(
                    &self.client,
                    id,
                    interface.as_deref(),
                    enrollment,
                )
                .await?
                .base_url
            }
            Target::Group(name) => {
                let group = self.client.groups().get(&name).await?;
                let interface = group.interface.as_ref().ok_or_else(|| {
                    Error::invalid_input(format!(
                        "group {name:?} has no group-level interface to dispatch to"
                    ))
                })?;
                crate::services::interface_url(interface)?
            }
        };
        let prefix = base.split_once('?').map_or(&*base, |(p, _)| p).to_owned();
        Ok((crate::wrappers::join_subpath(&base, &self.path), prefix))
    }

    async fn prepare(self, buffered: bool) -> Result<Prepared> {
        let target = self.target.clone().map_err(Error::invalid_input)?;
        let (url, prefix) = self.resolve(target).await?;
        let body = self.body.map_err(Error::invalid_input)?;
        let headers = self.headers.map_err(Error::invalid_input)?;
        let http = &self.client.inner.http;
        let mut builder = http.request(self.method, &url);
        builder = match body {
            Body::None => builder,
            Body::Json(bytes) => builder.header(CONTENT_TYPE, "application/json").body(bytes),
            Body::Raw(bytes) => builder.body(bytes),
        };
        let mut request = builder
            .headers(headers)
            .build()
            .map_err(Error::from_reqwest)?;
        ensure_under(request.url(), &prefix)?;
        self.client.hooks().prepare(&mut request);
        *request.timeout_mut() = if buffered {
            self.timeout.or(self.client.config().timeout())
        } else {
            // A stream's whole life is not bounded: its headers are (in `stream`), and then
            // its idleness.
            None
        };
        let relative = request
            .url()
            .path()
            .strip_prefix(gateway_path_root(&self.client))
            .unwrap_or(request.url().path())
            .trim_start_matches('/');
        let label = match request.url().query() {
            Some(query) => format!("{relative}?{}", query_names(query)),
            None => relative.to_owned(),
        };
        let host = crate::http::host_of(request.url());
        Ok(Prepared {
            request,
            label,
            host,
        })
    }

    /// Sends the request and reads the whole answer, up to the client's
    /// `max_response_size`.
    ///
    /// # Errors
    ///
    /// Bad input, a failed connection, a timeout, or a body over the size cap; upstream
    /// error statuses are returned as a [`Response`].
    pub async fn send(self) -> Result<Response> {
        self.client.require_key("dispatching through the gateway")?;
        let client = self.client.clone();
        let prepared = self.prepare(true).await?;
        let limit = prepared.request.timeout().copied();
        let span = dispatch_span(&prepared);
        let fail = |e: Error| {
            span.record("error.kind", tracing::field::debug(e.kind()));
            e.timed_out_after(limit).in_call(
                &format!("gateway {}", prepared.label),
                prepared.host.as_deref(),
            )
        };
        let started = std::time::Instant::now();
        let limits = client.hooks().limits();
        let outcome = async {
            let resp = client
                .inner
                .http
                .execute(prepared.request)
                .await
                .map_err(Error::from_reqwest)?;
            span.record("status", resp.status().as_u16());
            read_capped(resp, limits.max_response_size).await
        }
        .instrument(span.clone())
        .await;
        span.record("latency_ms", crate::http::millis(started.elapsed()));
        let (status, headers, body) = outcome.map_err(&fail)?;
        Ok(Response {
            status,
            headers,
            body,
            error_body_limit: limits.max_error_body,
            client: Some(client),
        })
    }

    /// Sends the request and returns as soon as the headers arrive; the body is read lazily.
    ///
    /// # Errors
    ///
    /// Bad input, a failed connection, or no response headers within the timeout.
    pub async fn stream(self) -> Result<StreamingResponse> {
        self.client.require_key("streaming through the gateway")?;
        let client = self.client.clone();
        let wait = self.timeout.or(client.config().timeout());
        let prepared = self.prepare(false).await?;
        let span = dispatch_span(&prepared);
        let operation = format!("gateway {}", prepared.label);
        let host = prepared.host.clone();
        let fail = |e: Error| {
            span.record("error.kind", tracing::field::debug(e.kind()));
            e.in_call(&operation, host.as_deref())
        };
        let started = std::time::Instant::now();
        let send = client.inner.http.execute(prepared.request);
        let resp = match wait {
            Some(limit) => tokio::time::timeout(limit, send.instrument(span.clone()))
                .await
                .map_err(|_| fail(Error::deadline(limit)))?,
            None => send.instrument(span.clone()).await,
        }
        .map_err(|e| fail(Error::from_reqwest(e)))?;
        span.record("status", resp.status().as_u16());
        span.record("latency_ms", crate::http::millis(started.elapsed()));
        let config = client.config();
        Ok(StreamingResponse::new(
            resp,
            config.stream_idle_timeout,
            config.max_event_size,
            crate::streaming::Context {
                span,
                operation,
                host,
            },
        ))
    }
}

/// The path of the gateway root, which labels leave out.
fn gateway_path_root(client: &Client) -> &str {
    let root = client.gateway_url();
    let after_scheme = root.split_once("://").map_or(root, |(_, rest)| rest);
    after_scheme.find('/').map_or("", |i| &after_scheme[i..])
}

/// `a=1&b=2` → `a&b`: parameter names say which wrappers ran, values may be private.
fn query_names(query: &str) -> String {
    query
        .split('&')
        .map(|pair| pair.split_once('=').map_or(pair, |(name, _)| name))
        .collect::<Vec<_>>()
        .join("&")
}

fn dispatch_span(prepared: &Prepared) -> tracing::Span {
    tracing::debug_span!(
        "unitysvc.dispatch",
        otel.name = "unitysvc.dispatch",
        method = %prepared.request.method(),
        host = prepared.host.as_deref().unwrap_or(""),
        path = %prepared.label,
        status = tracing::field::Empty,
        attempts = 1u32,
        latency_ms = tracing::field::Empty,
        error.kind = tracing::field::Empty,
        events = tracing::field::Empty,
        bytes = tracing::field::Empty,
        end = tracing::field::Empty,
    )
}

/// Refuses a target path that could address something else once a sub-path is joined:
/// it must pass [`check_path`] and have no empty segment, a trailing one included.
fn check_target(path: &str) -> Result<()> {
    check_path(path)?;
    if path.is_empty() || path.split('/').any(str::is_empty) {
        return Err(crate::wrappers::WrapperError::UnsafePath {
            path: path.to_owned(),
            reason: "its target has an empty name",
        }
        .into());
    }
    Ok(())
}

/// Refuses a sub-path that could climb out of its target.
fn check_subpath(sub: &str) -> Result<()> {
    let path = sub.split_once('?').map_or(sub, |(p, _)| p);
    check_path(path).map_err(Error::from)
}

/// The last line of defence: whatever the checks above missed, the URL reqwest will
/// request must share the target's origin and sit under its path.
fn ensure_under(url: &reqwest::Url, prefix: &str) -> Result<()> {
    let refused = || {
        Error::invalid_input(format!(
            "the request to {} would leave its target {prefix}",
            url.path()
        ))
    };
    let base = reqwest::Url::parse(prefix).map_err(|_| refused())?;
    let base_path = base.path().trim_end_matches('/');
    let path = url.path();
    let under = path == base_path
        || path
            .strip_prefix(base_path)
            .is_some_and(|rest| rest.starts_with('/'));
    if base.origin() == url.origin() && under {
        Ok(())
    } else {
        Err(refused())
    }
}

/// Reads a whole body, failing with [`ErrorKind::TooLarge`] past `limit` bytes (at once
/// when `Content-Length` announces more).
async fn read_capped(
    mut resp: reqwest::Response,
    limit: usize,
) -> Result<(StatusCode, HeaderMap, Bytes)> {
    let too_large = || Error::from_too_large(limit);
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let status = resp.status();
    let mut headers = std::mem::take(resp.headers_mut());
    mark_sensitive(&mut headers);
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = resp.chunk().await.map_err(Error::from_reqwest)? {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok((status, headers, body.freeze()))
}

/// A buffered answer from the gateway, whatever its status.
#[derive(Clone)]
pub struct Response {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    error_body_limit: usize,
    /// Lets `error_for_status` scrub the client's key from an echoed error.
    client: Option<Client>,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &format_args!("{} bytes", self.body.len()))
            .finish()
    }
}

impl Response {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The raw body.
    pub fn bytes(&self) -> &Bytes {
        &self.body
    }

    /// The body as text, with invalid UTF-8 replaced.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Decodes the body as JSON into `T`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Decode`] with the raw body when it is not JSON of that shape.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| {
            Error::new(
                ErrorKind::Decode,
                format!("the gateway response is not the expected JSON: {e}"),
            )
            .with_body(self.body.clone())
        })
    }

    /// Turns a non-2xx response into an [`Error`] of the matching kind.
    ///
    /// # Errors
    ///
    /// The error for the status, with the parsed `detail` and at most the client's
    /// `max_error_body_size` bytes of body.
    pub fn error_for_status(self) -> Result<Response> {
        if self.status.is_success() {
            return Ok(self);
        }
        let err = Error::from_status(self.status.as_u16(), &self.headers, self.body)
            .limit_body(self.error_body_limit);
        Err(match &self.client {
            Some(client) => client.hooks().scrub(err),
            None => err,
        })
    }
}
