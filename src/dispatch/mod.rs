//! Requests through the gateway: where they go, what they carry, and the buffered answer.
//!
//! Gateway calls return the upstream's answer as it is — a 404 or 500 from the upstream is a
//! [`Response`], not an [`Error`]. Errors are for what stopped the call itself: bad input,
//! no connection, a timeout.

pub(crate) mod interfaces;
mod response;
pub(crate) mod urls;

pub use response::Response;

use crate::client::Client;
use crate::error::{Error, Kept, Result};
use crate::http::SENSITIVE_HEADERS;
use crate::streaming::StreamingResponse;
use crate::wrappers::GatewayPath;
use bytes::Bytes;
use futures::future::{ready, BoxFuture, Either, Ready, TryFutureExt};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use response::read_capped;
use std::future::Future;
use std::time::Duration;
use tracing::Instrument;
use urls::{local_url, remote_url, resolve};
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

/// A request to send through the gateway; finish it with [`send`](Self::send) or
/// [`stream`](Self::stream).
///
/// The request only ever goes under its target: a sub-path with a `.` or `..` segment
/// (plain or percent-encoded), a backslash, `//` or `://` is refused with
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) before anything is sent.
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
    target: Result<Target, Kept>,
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
    /// The call's deadline: this request's timeout, else the client's.
    timeout: Option<Duration>,
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
            target: target.map_err(Kept),
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
            (Ok(_), Err(e)) => {
                self.target = Err(Kept(
                    e.with_parameter("enrollment")
                        .in_call("services.dispatch", None),
                ))
            }
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
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a path that could
    /// leave its target, and the errors of looking up a service's or group's interface.
    pub async fn url(&self) -> Result<String> {
        resolve(&self.client, &self.target, &self.path)
            .await
            .map(String::from)
            .map_err(|e| e.in_call(&self.refusal_label(), None))
    }

    /// The request ready to send: at once for a path on the gateway root, after looking
    /// the interface up for a service or group (a boxed future, so only those pay for it).
    ///
    /// A refusal names the call: the target's own label when the target was refused, else
    /// `gateway <target>`.
    fn prepare(self) -> Either<Ready<Result<Prepared>>, BoxFuture<'static, Result<Prepared>>> {
        match local_url(&self.client, &self.target, &self.path) {
            Some(url) => {
                let label = self.refusal_label();
                Either::Left(ready(
                    url.and_then(|url| self.finish(url))
                        .map_err(|e| e.in_call(&label, None)),
                ))
            }
            None => Either::Right(Box::pin(async move {
                let label = self.refusal_label();
                let url = remote_url(&self.client, &self.target, &self.path)
                    .await
                    .map_err(|e| e.in_call(&label, None))?;
                self.finish(url).map_err(|e| e.in_call(&label, None))
            })),
        }
    }

    /// `gateway <target>` for errors raised before the request is sent; query values are
    /// left out, since they may be private.
    fn refusal_label(&self) -> String {
        let (path, query) = match &self.target {
            Ok(Target::Raw(raw)) => raw
                .trim_start_matches('/')
                .split_once('?')
                .unwrap_or((raw.trim_start_matches('/'), "")),
            Ok(Target::Path(path)) => (path.path(), path.query()),
            Ok(Target::Service { id, .. }) => return format!("gateway p/{id}"),
            Ok(Target::Group(name)) => return format!("gateway g/{name}"),
            Err(e) => return e.0.operation().unwrap_or("gateway").to_owned(),
        };
        if query.is_empty() {
            format!("gateway {path}")
        } else {
            format!("gateway {path}?{}", query_names(query))
        }
    }

    /// The request for `url`, with our body, headers and timeout.
    fn finish(self, url: Url) -> Result<Prepared> {
        let DispatchRequest {
            client,
            target,
            method,
            path: _,
            body,
            headers,
            timeout,
        } = self;
        let (service, what) = match target {
            Ok(Target::Service { id, .. }) => (Some(id), "service's interface base_url"),
            Ok(Target::Group(_)) => (None, "group's interface base_url"),
            _ => (None, "gateway URL"),
        };
        let body = body.map_err(Error::invalid_input)?;
        let headers = headers.map_err(Error::invalid_input)?;
        let hooks = client.hooks();
        let (headers, body) = match body {
            Body::None => (hooks.headers_for(&url, what, false, headers)?, None),
            Body::Json(bytes) => (hooks.headers_for(&url, what, true, headers)?, Some(bytes)),
            Body::Raw(bytes) => (hooks.headers_for(&url, what, false, headers)?, Some(bytes)),
        };
        let mut request = reqwest::Request::new(method, url);
        *request.headers_mut() = headers;
        *request.body_mut() = body.map(Into::into);
        let timeout = timeout.or(client.config().timeout());
        Ok(Prepared {
            client,
            request,
            service,
            timeout,
        })
    }

    /// Builds the HTTP request without sending it, as [`send`](Self::send) would send it
    /// (URL, authentication, headers and body): to inspect it, or to send it another way.
    /// The timeout is not part of it: `send` applies it to the whole call.
    ///
    /// # Errors
    ///
    /// The errors of [`url`](Self::url), and a body or header that cannot be sent.
    pub fn build(self) -> impl Future<Output = Result<reqwest::Request>> + Send + 'static {
        match self.prepare() {
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
        self.client.require_key(&self.refusal_label())?;
        let prepared = self.prepare().await?;
        let (label, host) = prepared.names();
        let Prepared {
            client,
            request,
            service,
            timeout,
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
        let call = async {
            let resp = client
                .inner
                .http
                .execute(request)
                .await
                .map_err(Error::from_reqwest)?;
            span.record("status", resp.status().as_u16());
            answered(&client, service, resp.status());
            read_capped(resp, limits).await
        }
        .instrument(span.clone());
        // One deadline for the exchange and the body, as reqwest's own timeout would be.
        let outcome = match timeout {
            Some(limit) => tokio::time::timeout(limit, call)
                .await
                .unwrap_or_else(|_| Err(Error::deadline(limit))),
            None => call.await,
        };
        span.record("latency_ms", crate::http::millis(started.elapsed()));
        let (status, headers, body, truncated) = outcome.map_err(&fail)?;
        Ok(Response {
            status,
            headers,
            body,
            error_body_limit: limits.max_error_body,
            truncated,
            client: Some(client),
        })
    }

    /// Sends the request and returns as soon as the headers arrive; the body is read lazily.
    ///
    /// # Errors
    ///
    /// Bad input, a failed connection, or no response headers within the timeout.
    pub async fn stream(self) -> Result<StreamingResponse> {
        self.client.require_key(&self.refusal_label())?;
        let prepared = self.prepare().await?;
        let (label, host) = prepared.names();
        let Prepared {
            client,
            request,
            service,
            timeout: wait,
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
