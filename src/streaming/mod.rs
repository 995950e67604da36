//! Streaming gateway responses: status and headers first, then the body lazily as bytes,
//! lines or decoded events.
//!
//! Every stream here is a `Stream<Item = Result<…>>`: a transport failure or an idle timeout
//! mid-body is an `Err` item, never a silent end. Dropping a stream closes its connection.

mod body;
pub mod decode;
mod eol;
mod json;
mod lines;
mod sse;

pub use decode::{DecodeError, Event, Framing, SseEvent};
pub use sse::{SseFrame, SseFrameRef};

use crate::error::{Error, ErrorKind, Result};
use bytes::Bytes;
use decode::Decoder;
use futures::stream::{BoxStream, Stream, StreamExt};
use reqwest::header::{HeaderMap, CONTENT_TYPE};
use reqwest::StatusCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a streaming response's errors and span name: the gateway path and host.
pub(crate) struct Context {
    pub(crate) span: tracing::Span,
    pub(crate) operation: String,
    pub(crate) host: Option<String>,
}

/// Counts a stream's bytes and events and records them, with how it ended, on its span
/// when the stream is dropped, so the span lasts exactly as long as the stream.
struct Tally {
    span: tracing::Span,
    operation: String,
    host: Option<String>,
    bytes: AtomicU64,
    events: AtomicU64,
    end: Mutex<&'static str>,
}

impl Tally {
    fn end(&self, how: &'static str) {
        if let Ok(mut end) = self.end.lock() {
            if *end == "dropped" {
                *end = how;
            }
        }
    }

    fn fail(&self, e: Error) -> Error {
        self.end("error");
        self.span
            .record("error.kind", tracing::field::debug(e.kind()));
        e.in_call(&self.operation, self.host.as_deref())
    }
}

impl Drop for Tally {
    fn drop(&mut self) {
        let end = self.end.lock().map(|e| *e).unwrap_or("dropped");
        self.span
            .record("bytes", self.bytes.load(Ordering::Relaxed));
        self.span
            .record("events", self.events.load(Ordering::Relaxed));
        self.span.record("end", end);
        tracing::debug!(parent: &self.span, end, "unitysvc stream ended");
    }
}

/// A stream of body chunks.
pub type ByteStream = BoxStream<'static, Result<Bytes>>;

/// A gateway response whose body has not been read yet.
pub struct StreamingResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: ByteStream,
    max_event_size: usize,
    tally: Option<Arc<Tally>>,
}

impl std::fmt::Debug for StreamingResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamingResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

impl StreamingResponse {
    pub(crate) fn new(
        mut resp: reqwest::Response,
        idle: Option<Duration>,
        max_event_size: usize,
        context: Context,
    ) -> StreamingResponse {
        let status = resp.status();
        let mut headers = std::mem::take(resp.headers_mut());
        crate::http::mark_sensitive(&mut headers);
        let tally = Arc::new(Tally {
            span: context.span,
            operation: context.operation,
            host: context.host,
            bytes: AtomicU64::new(0),
            events: AtomicU64::new(0),
            end: Mutex::new("dropped"),
        });
        let body = body::IdleBody::new(resp.bytes_stream(), idle, tally.clone()).boxed();
        StreamingResponse {
            status,
            headers,
            body,
            max_event_size,
            tally: Some(tally),
        }
    }

    /// Builds a response from parts; useful to decode a body obtained elsewhere.
    pub fn from_parts(
        status: StatusCode,
        headers: HeaderMap,
        body: impl Stream<Item = Result<Bytes>> + Send + 'static,
    ) -> StreamingResponse {
        StreamingResponse {
            status,
            headers,
            body: body.boxed(),
            max_event_size: crate::config::DEFAULT_MAX_EVENT_SIZE,
            tally: None,
        }
    }

    /// Sets how many bytes may be held for one event being assembled; see
    /// [`ClientBuilder::max_event_size`](crate::ClientBuilder::max_event_size).
    pub fn with_max_event_size(mut self, bytes: usize) -> StreamingResponse {
        self.max_event_size = bytes;
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The `Content-Type` header, if present and readable.
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get(CONTENT_TYPE)?.to_str().ok()
    }

    /// How [`events`](Self::events) will decode this body, chosen by its `Content-Type`.
    pub fn framing(&self) -> Framing {
        Framing::from_content_type(self.content_type())
    }

    /// The body as raw chunks, as they arrive.
    pub fn bytes(self) -> ByteStream {
        self.body
    }

    /// The body as text lines (`\n` or `\r\n` ended), whatever the content type.
    pub fn lines(self) -> BoxStream<'static, Result<String>> {
        body::DecodeStream::new(
            self.body,
            Decoder::new(Framing::Lines),
            self.max_event_size,
            self.tally,
        )
        .filter_map(|item| async move {
            match item {
                Ok(Event::Line(line)) => Some(Ok(line)),
                Ok(_) => None,
                Err(e) => Some(Err(e)),
            }
        })
        .boxed()
    }

    /// The body as events, decoded by content type: SSE frames, NDJSON values, text lines
    /// or byte chunks. An SSE `[DONE]` yields [`Event::Done`] and ends the stream.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use futures::StreamExt;
    /// use unitysvc::Event;
    ///
    /// # async fn run(request: unitysvc::DispatchRequest) -> unitysvc::Result<()> {
    /// let mut events = request.stream().await?.events();
    /// while let Some(event) = events.next().await {
    ///     match event? {
    ///         Event::Sse(sse) => println!("{}", sse.data()),
    ///         Event::Done => break,
    ///         other => println!("{other:?}"),
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn events(self) -> BoxStream<'static, Result<Event>> {
        let framing = self.framing();
        body::DecodeStream::new(
            self.body,
            Decoder::new(framing),
            self.max_event_size,
            self.tally,
        )
        .boxed()
    }

    /// Decodes each JSON event (SSE data or NDJSON line) into `T`; other events are skipped
    /// and the stream ends at `[DONE]`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use futures::StreamExt;
    ///
    /// #[derive(serde::Deserialize)]
    /// struct Chunk {
    ///     choices: Vec<serde_json::Value>,
    /// }
    ///
    /// # async fn run(request: unitysvc::DispatchRequest) -> unitysvc::Result<()> {
    /// let mut chunks = request.stream().await?.events_as::<Chunk>();
    /// while let Some(chunk) = chunks.next().await {
    ///     println!("{} choices", chunk?.choices.len());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn events_as<T>(self) -> BoxStream<'static, Result<T>>
    where
        T: serde::de::DeserializeOwned + Send + 'static,
    {
        let decoder = Decoder::raw_json(self.framing());
        let events = body::DecodeStream::new(self.body, decoder, self.max_event_size, self.tally);
        body::Typed::<T>::new(events).boxed()
    }

    /// Collects the text of an OpenAI-style chat completion stream: the
    /// `choices[0].delta.content` of every chunk, concatenated.
    pub async fn collect_text(self) -> Result<String> {
        let mut text = String::new();
        let mut events = self.events();
        while let Some(event) = events.next().await {
            if let Some(delta) = chat_delta(&event?) {
                text.push_str(delta);
            }
        }
        Ok(text)
    }
}

/// The text delta of one OpenAI-style chat completion chunk, if the event carries one.
///
/// The common case (a delta without escape sequences) is read straight from the event's
/// data without building a JSON value.
pub fn chat_delta(event: &Event) -> Option<&str> {
    #[derive(serde::Deserialize)]
    struct Chunk<'a> {
        #[serde(borrow, default)]
        choices: Vec<Choice<'a>>,
    }
    #[derive(serde::Deserialize)]
    struct Choice<'a> {
        #[serde(borrow, default)]
        delta: Option<Delta<'a>>,
    }
    #[derive(serde::Deserialize)]
    struct Delta<'a> {
        #[serde(borrow, default)]
        content: Option<&'a str>,
    }
    let value = match event {
        Event::Sse(sse) => {
            // A borrowed `&str` fails on escaped text; the JSON value below handles that.
            if let Ok(chunk) = sse.parse::<Chunk<'_>>() {
                return chunk.choices.into_iter().next()?.delta?.content;
            }
            sse.json()?
        }
        Event::Json(v) => v,
        _ => return None,
    };
    value
        .get("choices")?
        .get(0)?
        .get("delta")?
        .get("content")?
        .as_str()
}

/// Deserializes one event's text, telling text that is not JSON from JSON of another shape.
fn typed<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str::<T>(text).map_err(|e| {
        if e.is_data() {
            Error::new(
                ErrorKind::Decode,
                format!("a stream event does not have the expected shape: {e}"),
            )
        } else {
            not_json(text)
        }
    })
}

fn not_json(data: &str) -> Error {
    let mut shown: String = data.chars().take(200).collect();
    if shown.len() < data.len() {
        shown.push('…');
    }
    Error::new(
        ErrorKind::Decode,
        format!("a stream event's data is not JSON: {shown:?}"),
    )
}

fn decode_error(e: DecodeError) -> Error {
    Error::new(ErrorKind::Stream, format!("{}: {:?}", e.message, e.line))
}
