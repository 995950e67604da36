//! Requests through the gateway: where they go, what they carry, and the buffered answer.
//!
//! Gateway calls return the upstream's answer as it is — a 404 or 500 from the upstream is a
//! [`Response`], not an [`Error`]. Errors are for what stopped the call itself: bad input,
//! no connection, a timeout.

use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::streaming::StreamingResponse;
use crate::wrappers::GatewayPath;
use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use std::time::Duration;
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

/// A request to send through the gateway; finish it with [`send`](Self::send) or
/// [`stream`](Self::stream).
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
#[derive(Debug, Clone)]
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

    /// Appends a sub-path to the target, such as `chat/completions`.
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
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let Ok(headers) = &mut self.headers {
            match (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                (Ok(n), Ok(v)) => {
                    headers.insert(n, v);
                }
                _ => self.headers = Err(format!("invalid header {name:?}")),
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
    pub async fn url(&self) -> Result<String> {
        let target = self.target.clone().map_err(Error::invalid_input)?;
        let base = match target {
            Target::Path(path) => {
                let relative = path.with_subpath(&self.path);
                return Ok(format!("{}/{}", self.client.gateway_url(), relative));
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
        Ok(crate::wrappers::join_subpath(&base, &self.path))
    }

    async fn build(&self, buffered: bool) -> Result<reqwest::Request> {
        let url = self.url().await?;
        let body = self.body.clone().map_err(Error::invalid_input)?;
        let headers = self.headers.clone().map_err(Error::invalid_input)?;
        let mut builder = self.client.inner.http.request(self.method.clone(), &url);
        builder = match body {
            Body::None => builder,
            Body::Json(bytes) => builder.header(CONTENT_TYPE, "application/json").body(bytes),
            Body::Raw(bytes) => builder.body(bytes),
        };
        let mut request = builder
            .headers(headers)
            .build()
            .map_err(Error::from_reqwest)?;
        self.client.hooks().prepare(&mut request);
        *request.timeout_mut() = if buffered {
            self.timeout.or(self.client.config().timeout())
        } else {
            // A stream's whole life is not bounded: its headers are (in `stream`), and then
            // its idleness.
            None
        };
        Ok(request)
    }

    /// Sends the request and reads the whole answer.
    ///
    /// # Errors
    ///
    /// Bad input, a failed connection or a timeout; upstream error statuses are returned as
    /// a [`Response`].
    pub async fn send(self) -> Result<Response> {
        self.client.require_key("dispatching through the gateway")?;
        let request = self.build(true).await?;
        let started = std::time::Instant::now();
        let resp = self
            .client
            .inner
            .http
            .execute(request)
            .await
            .map_err(Error::from_reqwest)?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map_err(Error::from_reqwest)?;
        tracing::debug!(
            status = status.as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "unitysvc dispatch"
        );
        Ok(Response {
            status,
            headers,
            body,
        })
    }

    /// Sends the request and returns as soon as the headers arrive; the body is read lazily.
    pub async fn stream(self) -> Result<StreamingResponse> {
        self.client.require_key("streaming through the gateway")?;
        let request = self.build(false).await?;
        let wait = self.timeout.or(self.client.config().timeout());
        let send = self.client.inner.http.execute(request);
        let resp = match wait {
            Some(limit) => tokio::time::timeout(limit, send).await.map_err(|_| {
                Error::new(
                    ErrorKind::Timeout,
                    format!("no response headers within {limit:?}"),
                )
            })?,
            None => send.await,
        }
        .map_err(Error::from_reqwest)?;
        let config = self.client.config();
        Ok(StreamingResponse::new(
            resp,
            config.stream_idle_timeout,
            config.max_event_size,
        ))
    }
}

/// A buffered answer from the gateway, whatever its status.
#[derive(Debug, Clone)]
pub struct Response {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
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
    pub fn error_for_status(self) -> Result<Response> {
        if self.status.is_success() {
            Ok(self)
        } else {
            Err(Error::from_status(
                self.status.as_u16(),
                &self.headers,
                self.body,
            ))
        }
    }
}
