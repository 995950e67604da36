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
use futures::future::{ready, BoxFuture, Either, Ready, TryFutureExt};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use std::borrow::Cow;
use std::collections::HashMap;
use std::future::Future;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use tracing::Instrument;
use uuid::Uuid;

/// Where a gateway request goes before its sub-path is appended.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// A gateway-relative path as the caller wrote it, with its query; read and checked
    /// as [`GatewayPath::raw`] does.
    Raw(String),
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

/// A request ready to go, with the client to send it and what the answer may invalidate.
struct Prepared {
    client: Client,
    request: reqwest::Request,
    /// The service whose interface the request goes through: a 404 or 410 from the
    /// gateway drops the service from the client's interface cache.
    service: Option<Uuid>,
}

impl Prepared {
    /// The gateway path without query values, e.g. `l/p/<id>/chat/completions`, and the
    /// host, for spans and errors.
    fn names(&self) -> (String, Option<String>) {
        let url = self.request.url();
        let root = self.client.inner.gateway.path().trim_end_matches('/');
        let relative = url
            .path()
            .strip_prefix(root)
            .unwrap_or(url.path())
            .trim_start_matches('/');
        let label = match url.query() {
            Some(query) => format!("{relative}?{}", query_names(query)),
            None => relative.to_owned(),
        };
        (label, crate::http::host_of(url))
    }
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
        // Most request bodies fit, so serializing seldom has to grow the buffer.
        let mut buf = Vec::with_capacity(1024);
        self.body = serde_json::to_writer(&mut buf, body)
            .map(|()| Body::Json(buf.into()))
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
        resolve(&self.client, &self.target, &self.path)
            .await
            .map(String::from)
    }

    /// The request ready to send: at once for a path on the gateway root, after looking
    /// the interface up for a service or group (a boxed future, so only those pay for it).
    fn prepare(
        self,
        buffered: bool,
    ) -> Either<Ready<Result<Prepared>>, BoxFuture<'static, Result<Prepared>>> {
        match local_url(&self.client, &self.target, &self.path) {
            Some(url) => Either::Left(ready(url.and_then(|url| self.finish(url, buffered)))),
            None => Either::Right(Box::pin(async move {
                let url = remote_url(&self.client, &self.target, &self.path).await?;
                self.finish(url, buffered)
            })),
        }
    }

    /// The request for `url`, with our body, headers and timeout.
    fn finish(self, url: Url, buffered: bool) -> Result<Prepared> {
        let DispatchRequest {
            client,
            target,
            method,
            path: _,
            body,
            headers,
            timeout,
        } = self;
        let service = match target {
            Ok(Target::Service { id, .. }) => Some(id),
            _ => None,
        };
        let body = body.map_err(Error::invalid_input)?;
        let headers = headers.map_err(Error::invalid_input)?;
        let mut request = reqwest::Request::new(method, url);
        let hooks = client.hooks();
        *request.headers_mut() = match body {
            Body::None => hooks.headers(false, headers),
            Body::Json(bytes) => {
                *request.body_mut() = Some(bytes.into());
                hooks.headers(true, headers)
            }
            Body::Raw(bytes) => {
                *request.body_mut() = Some(bytes.into());
                hooks.headers(false, headers)
            }
        };
        // A stream's whole life is not bounded: its headers are (in `stream`), and then its
        // idleness.
        if buffered {
            if let Some(limit) = timeout.or(client.config().timeout()) {
                *request.timeout_mut() = Some(limit);
            }
        }
        Ok(Prepared {
            client,
            request,
            service,
        })
    }

    /// Builds the HTTP request without sending it, as [`send`](Self::send) would send it
    /// (authentication and timeout included): to inspect it, or to send it another way.
    ///
    /// # Errors
    ///
    /// The errors of [`url`](Self::url), and a body or header that cannot be sent.
    pub fn build(self) -> impl Future<Output = Result<reqwest::Request>> + Send + 'static {
        match self.prepare(true) {
            Either::Left(ready_now) => {
                Either::Left(ready(ready_now.into_inner().map(|p| p.request)))
            }
            Either::Right(later) => Either::Right(later.map_ok(|p| p.request)),
        }
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
        let prepared = self.prepare(true).await?;
        let (label, host) = prepared.names();
        let Prepared {
            client,
            request,
            service,
        } = prepared;
        let limit = request.timeout().copied();
        let span = dispatch_span(request.method(), &label, host.as_deref());
        let fail = |e: Error| {
            span.record("error.kind", tracing::field::debug(e.kind()));
            e.timed_out_after(limit)
                .in_call(&format!("gateway {label}"), host.as_deref())
        };
        let started = std::time::Instant::now();
        let limits = client.hooks().limits();
        let outcome = async {
            let resp = client
                .inner
                .http
                .execute(request)
                .await
                .map_err(Error::from_reqwest)?;
            span.record("status", resp.status().as_u16());
            answered(&client, service, resp.status());
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
        let wait = self.timeout.or(self.client.config().timeout());
        let prepared = self.prepare(false).await?;
        let (label, host) = prepared.names();
        let Prepared {
            client,
            request,
            service,
        } = prepared;
        let span = dispatch_span(request.method(), &label, host.as_deref());
        let operation = format!("gateway {label}");
        let fail = |e: Error| {
            span.record("error.kind", tracing::field::debug(e.kind()));
            e.in_call(&operation, host.as_deref())
        };
        let started = std::time::Instant::now();
        let send = client.inner.http.execute(request);
        let resp = match wait {
            Some(limit) => tokio::time::timeout(limit, send.instrument(span.clone()))
                .await
                .map_err(|_| fail(Error::deadline(limit)))?,
            None => send.instrument(span.clone()).await,
        }
        .map_err(|e| fail(Error::from_reqwest(e)))?;
        span.record("status", resp.status().as_u16());
        span.record("latency_ms", crate::http::millis(started.elapsed()));
        answered(&client, service, resp.status());
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

/// Drops a service's interfaces from the client's cache when the gateway answers that
/// the interface is gone (404 or 410).
fn answered(client: &Client, service: Option<Uuid>, status: StatusCode) {
    if let Some(service) = service {
        if status == StatusCode::NOT_FOUND || status == StatusCode::GONE {
            client.inner.interfaces.invalidate(service);
        }
    }
}

/// The URL a request to `target` with sub-path `sub` goes to, checked to stay under the
/// target.
async fn resolve(client: &Client, target: &Result<Target, String>, sub: &str) -> Result<Url> {
    match local_url(client, target, sub) {
        Some(url) => url,
        None => Box::pin(remote_url(client, target, sub)).await,
    }
}

/// The URL of a target on the gateway root, known without asking the platform; `None`
/// for a service or group, whose interface must be looked up.
fn local_url(client: &Client, target: &Result<Target, String>, sub: &str) -> Option<Result<Url>> {
    let urls = &client.inner.urls;
    let root = &client.inner.gateway;
    Some(match target {
        Err(e) => Err(Error::invalid_input(e.clone())),
        Ok(Target::Raw(raw)) => urls.get_or_build(raw, sub, || {
            let path = GatewayPath::raw(raw).map_err(Error::from)?;
            gateway_url(root, &path, sub)
        }),
        Ok(Target::Path(path)) => {
            urls.get_or_build(&path.to_string(), sub, || gateway_url(root, path, sub))
        }
        Ok(Target::Service { .. } | Target::Group(_)) => return None,
    })
}

/// The URL of a service's or group's interface.
async fn remote_url(client: &Client, target: &Result<Target, String>, sub: &str) -> Result<Url> {
    check_subpath(sub)?;
    match target {
        Ok(Target::Service {
            id,
            interface,
            enrollment,
        }) => {
            let picked =
                crate::services::resolve_interface(client, *id, interface.as_deref(), *enrollment)
                    .await?;
            join_under(picked.url()?, sub)
        }
        Ok(Target::Group(name)) => {
            let group = client.groups().get(name).await?;
            let interface = group.interface.as_ref().ok_or_else(|| {
                Error::invalid_input(format!(
                    "group {name:?} has no group-level interface to dispatch to"
                ))
            })?;
            let base =
                crate::interface_cache::parse_base(interface).map_err(Error::invalid_input)?;
            join_under(&base, sub)
        }
        _ => local_url(client, target, sub)
            .unwrap_or_else(|| Err(Error::invalid_input("the request has no target"))),
    }
}

/// `root` + `/` + the target path + `/` + the sub-path, with both queries; built on the
/// parsed root, so only the path and query are parsed again.
fn gateway_url(root: &Url, target: &GatewayPath, sub: &str) -> Result<Url> {
    check_subpath(sub)?;
    let target_path = target.path();
    check_target(target_path)?;
    let sub = sub.trim_start_matches('/');
    let (sub_path, sub_query) = sub.split_once('?').unwrap_or((sub, ""));
    // Separately checked halves can only combine into something unsafe through
    // percent-decoding (`a%3A` + `%2Fb`), so the whole is checked again when either has
    // an escape.
    if target_path.contains('%') || sub_path.contains('%') {
        let mut whole = String::with_capacity(target_path.len() + 1 + sub_path.len());
        whole.push_str(target_path);
        whole.push('/');
        whole.push_str(sub_path);
        check_path(&whole).map_err(Error::from)?;
    }
    let root_path = root.path().trim_end_matches('/');
    let mut path = String::with_capacity(root_path.len() + target_path.len() + sub_path.len() + 2);
    path.push_str(root_path);
    path.push('/');
    path.push_str(target_path);
    let prefix_len = path.len();
    if !sub_path.is_empty() {
        path.push('/');
        path.push_str(sub_path);
    }
    let mut url = root.clone();
    url.set_path(&path);
    match (target.query(), sub_query) {
        ("", "") => {}
        (q, "") | ("", q) => url.set_query(Some(q)),
        (a, b) => url.set_query(Some(&format!("{a}&{b}"))),
    }
    let prefix = &path[..prefix_len];
    // The URL parser leaves a path made of these bytes as it is, so the prefix can be
    // compared as written; anything else is compared after the parser's encoding.
    let plain = prefix
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/%".contains(&b));
    let under = if plain {
        is_under(url.path(), prefix)
    } else {
        let mut base = root.clone();
        base.set_path(prefix);
        is_under(url.path(), base.path())
    };
    if under {
        Ok(url)
    } else {
        Err(refused(&url, prefix))
    }
}

/// `base` with the sub-path appended to its path and the sub-query to its query.
fn join_under(base: &Url, sub: &str) -> Result<Url> {
    let sub = sub.trim_start_matches('/');
    if sub.is_empty() {
        return Ok(base.clone());
    }
    let (sub_path, sub_query) = sub.split_once('?').unwrap_or((sub, ""));
    let base_path = base.path().trim_end_matches('/');
    let mut url = base.clone();
    let mut path = String::with_capacity(base_path.len() + 1 + sub_path.len());
    path.push_str(base_path);
    if !sub_path.is_empty() {
        path.push('/');
        path.push_str(sub_path);
    }
    url.set_path(&path);
    if !sub_query.is_empty() {
        match base.query().filter(|q| !q.is_empty()) {
            Some(q) => url.set_query(Some(&format!("{q}&{sub_query}"))),
            None => url.set_query(Some(sub_query)),
        }
    }
    // The last line of defence: the base is already in the parser's form, which parsing
    // again leaves as it is, so whatever the checks missed shows as a different prefix.
    if is_under(url.path(), base_path) {
        Ok(url)
    } else {
        Err(refused(&url, base_path))
    }
}

/// Gateway URLs already built and checked, by target and sub-path, so a path used again
/// is neither checked nor parsed again.
#[derive(Debug, Default)]
pub(crate) struct UrlMemo(Mutex<HashMap<Box<str>, Url, BuildHasherDefault<PathHasher>>>);

/// A word-at-a-time multiplicative hash (the Fx hash): the keys are the application's own
/// paths and the map is small and bounded, so speed matters more than flood resistance.
#[derive(Default)]
struct PathHasher(u64);

impl Hasher for PathHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut add = |word: u64| {
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        };
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut buf = [0u8; 8];
            buf.copy_from_slice(word);
            add(u64::from_le_bytes(buf));
        }
        let mut buf = [0u8; 8];
        let tail = words.remainder();
        buf[..tail.len()].copy_from_slice(tail);
        add(u64::from_le_bytes(buf) ^ (tail.len() as u64) << 56);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// How many URLs a client remembers; past that it starts over.
const URL_MEMO_CAPACITY: usize = 256;

impl UrlMemo {
    /// The URL for `target` and `sub`, built by `build` the first time.
    fn get_or_build(
        &self,
        target: &str,
        sub: &str,
        build: impl FnOnce() -> Result<Url>,
    ) -> Result<Url> {
        // A NUL cannot appear in a path that passes the checks, so the key is unambiguous.
        let key: Cow<'_, str> = if sub.is_empty() {
            Cow::Borrowed(target)
        } else {
            Cow::Owned(format!("{target}\0{sub}"))
        };
        if let Some(url) = self.lock().get(&*key) {
            return Ok(url.clone());
        }
        let url = build()?;
        let mut urls = self.lock();
        if urls.len() >= URL_MEMO_CAPACITY {
            urls.clear();
        }
        urls.insert(key.into(), url.clone());
        Ok(url)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Box<str>, Url, BuildHasherDefault<PathHasher>>> {
        // Every update is one insert or clear, so a poisoned map is still consistent.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Whether `path` is `prefix` or lies below it.
fn is_under(path: &str, prefix: &str) -> bool {
    let prefix = prefix.trim_end_matches('/');
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

fn refused(url: &Url, prefix: &str) -> Error {
    Error::invalid_input(format!(
        "the request to {} would leave its target {prefix}",
        url.path()
    ))
}

/// `a=1&b=2` → `a&b`: parameter names say which wrappers ran, values may be private.
fn query_names(query: &str) -> String {
    query
        .split('&')
        .map(|pair| pair.split_once('=').map_or(pair, |(name, _)| name))
        .collect::<Vec<_>>()
        .join("&")
}

fn dispatch_span(method: &Method, label: &str, host: Option<&str>) -> tracing::Span {
    tracing::debug_span!(
        "unitysvc.dispatch",
        otel.name = "unitysvc.dispatch",
        method = %method,
        host = host.unwrap_or(""),
        path = %label,
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
