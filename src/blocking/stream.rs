//! Blocking gateway dispatch and streaming responses.

use super::{Iter, Rt};
use crate::error::Result;
use crate::streaming::{Event, Framing};
use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use std::time::Duration;

/// A blocking gateway request; see [`crate::DispatchRequest`].
#[derive(Debug, Clone)]
#[must_use = "a dispatch request does nothing until it is sent"]
pub struct DispatchRequest {
    inner: crate::DispatchRequest,
    rt: Rt,
}

impl DispatchRequest {
    pub(crate) fn new(rt: &Rt, inner: crate::DispatchRequest) -> DispatchRequest {
        DispatchRequest {
            inner,
            rt: rt.clone(),
        }
    }

    fn with(self, f: impl FnOnce(crate::DispatchRequest) -> crate::DispatchRequest) -> Self {
        DispatchRequest {
            inner: f(self.inner),
            rt: self.rt,
        }
    }

    /// Chooses the interface by name or id (services only).
    pub fn interface(self, name_or_id: impl Into<String>) -> Self {
        self.with(|r| r.interface(name_or_id))
    }

    /// Picks the interface bound to this enrollment (services only).
    pub fn enrollment(self, enrollment: impl crate::Id) -> Self {
        self.with(|r| r.enrollment(enrollment))
    }

    /// Sets the HTTP method; `POST` by default.
    pub fn method(self, method: Method) -> Self {
        self.with(|r| r.method(method))
    }

    /// Appends a sub-path to the target.
    pub fn path(self, path: impl Into<String>) -> Self {
        self.with(|r| r.path(path))
    }

    /// Sends `body` as JSON.
    pub fn json<T: serde::Serialize + ?Sized>(self, body: &T) -> Self {
        self.with(|r| r.json(body))
    }

    /// Sends raw bytes as the body.
    pub fn body(self, body: impl Into<Bytes>) -> Self {
        self.with(|r| r.body(body))
    }

    /// Adds a header.
    pub fn header(self, name: &str, value: &str) -> Self {
        self.with(|r| r.header(name, value))
    }

    /// Sets this call's timeout.
    pub fn timeout(self, timeout: Duration) -> Self {
        self.with(|r| r.timeout(timeout))
    }

    /// Sends the request and reads the whole answer, whatever its status.
    pub fn send(self) -> Result<crate::Response> {
        self.rt.block_on(self.inner.send())
    }

    /// Sends the request and returns once the headers arrive; the body is read lazily.
    pub fn stream(self) -> Result<StreamingResponse> {
        let inner = self.rt.block_on(self.inner.stream())?;
        Ok(StreamingResponse { inner, rt: self.rt })
    }
}

/// A blocking streaming response; the body is read as it is iterated.
#[derive(Debug)]
pub struct StreamingResponse {
    inner: crate::StreamingResponse,
    rt: Rt,
}

impl StreamingResponse {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.inner.status()
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        self.inner.headers()
    }

    /// How [`events`](Self::events) decodes this body.
    pub fn framing(&self) -> Framing {
        self.inner.framing()
    }

    /// The body as raw chunks.
    pub fn bytes(self) -> Iter<Bytes> {
        self.rt.iter(self.inner.bytes())
    }

    /// The body as text lines.
    pub fn lines(self) -> Iter<String> {
        self.rt.iter(self.inner.lines())
    }

    /// The body as decoded events; see [`crate::StreamingResponse::events`].
    pub fn events(self) -> Iter<Event> {
        self.rt.iter(self.inner.events())
    }

    /// Each JSON event decoded into `T`.
    pub fn events_as<T: serde::de::DeserializeOwned + Send + 'static>(self) -> Iter<T> {
        self.rt.iter(self.inner.events_as())
    }

    /// The text of an OpenAI-style chat completion stream.
    pub fn collect_text(self) -> Result<String> {
        self.rt.block_on(self.inner.collect_text())
    }
}
