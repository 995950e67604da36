//! Streaming gateway responses: status and headers first, then the body lazily as bytes,
//! lines or decoded events.
//!
//! Every stream here is a `Stream<Item = Result<…>>`: a transport failure or an idle timeout
//! mid-body is an `Err` item, never a silent end. Dropping a stream closes its connection.

pub mod decode;
mod lines;
mod sse;

pub use decode::{DecodeError, Event, Framing};
pub use sse::SseFrame;

use crate::error::{Error, ErrorKind, Result};
use bytes::Bytes;
use decode::Decoder;
use futures::stream::{self, BoxStream, Stream, StreamExt};
use reqwest::header::{HeaderMap, CONTENT_TYPE};
use reqwest::StatusCode;
use std::time::Duration;

/// A stream of body chunks.
pub type ByteStream = BoxStream<'static, Result<Bytes>>;

/// A gateway response whose body has not been read yet.
pub struct StreamingResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: ByteStream,
    max_event_size: usize,
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
        resp: reqwest::Response,
        idle: Option<Duration>,
        max_event_size: usize,
    ) -> StreamingResponse {
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = with_idle_timeout(resp.bytes_stream(), idle);
        StreamingResponse {
            status,
            headers,
            body,
            max_event_size,
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
        }
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
        decode_stream(self.body, Framing::Lines, self.max_event_size)
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
    pub fn events(self) -> BoxStream<'static, Result<Event>> {
        let framing = self.framing();
        decode_stream(self.body, framing, self.max_event_size)
    }

    /// Decodes each JSON event (SSE data or NDJSON line) into `T`; other events are skipped
    /// and the stream ends at `[DONE]`.
    pub fn events_as<T>(self) -> BoxStream<'static, Result<T>>
    where
        T: serde::de::DeserializeOwned + Send + 'static,
    {
        self.events()
            .filter_map(|item| async move {
                let value = match item {
                    Ok(Event::Sse { data, json, .. }) => match json {
                        Some(json) => json,
                        None => return Some(Err(not_json(&data))),
                    },
                    Ok(Event::Json(value)) => value,
                    Ok(_) => return None,
                    Err(e) => return Some(Err(e)),
                };
                Some(serde_json::from_value::<T>(value).map_err(|e| {
                    Error::new(
                        ErrorKind::Decode,
                        format!("a stream event does not have the expected shape: {e}"),
                    )
                }))
            })
            .boxed()
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
pub fn chat_delta(event: &Event) -> Option<&str> {
    let value = match event {
        Event::Sse { json: Some(v), .. } | Event::Json(v) => v,
        _ => return None,
    };
    value
        .get("choices")?
        .get(0)?
        .get("delta")?
        .get("content")?
        .as_str()
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

/// Applies the idle timeout: each chunk must arrive within `idle` of the previous one.
fn with_idle_timeout(
    body: impl Stream<Item = reqwest::Result<Bytes>> + Send + 'static,
    idle: Option<Duration>,
) -> ByteStream {
    let body = body.map(|chunk| chunk.map_err(Error::from_reqwest)).boxed();
    let Some(idle) = idle else { return body };
    stream::unfold(Some(body), move |state| async move {
        let mut body = state?;
        match tokio::time::timeout(idle, body.next()).await {
            Ok(Some(item)) => {
                let failed = item.is_err();
                Some((item, (!failed).then_some(body)))
            }
            Ok(None) => None,
            Err(_) => Some((
                Err(Error::new(
                    ErrorKind::Timeout,
                    format!("the stream sent no bytes for {idle:?}"),
                )),
                None,
            )),
        }
    })
    .boxed()
}

struct DecodeState {
    body: Option<ByteStream>,
    decoder: Decoder,
    /// Bytes pushed since the last event came out: bounds what the decoder can be holding.
    pending: usize,
    max_event_size: usize,
}

/// Runs the body through a decoder; ends after `[DONE]`, after the body ends, or after the
/// first transport error or oversized event (which is yielded).
fn decode_stream(
    body: ByteStream,
    framing: Framing,
    max_event_size: usize,
) -> BoxStream<'static, Result<Event>> {
    let state = DecodeState {
        body: Some(body),
        decoder: Decoder::new(framing),
        pending: 0,
        max_event_size,
    };
    stream::unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.decoder.next_event() {
                state.pending = 0;
                if matches!(item, Ok(Event::Done)) {
                    // Nothing after [DONE] matters; drop the connection now.
                    state.body = None;
                }
                return Some((item.map_err(decode_error), state));
            }
            if state.decoder.is_done() {
                return None;
            }
            let body = state.body.as_mut()?;
            match body.next().await {
                Some(Ok(chunk)) => {
                    state.pending = state.pending.saturating_add(chunk.len());
                    if state.pending > state.max_event_size
                        && state.decoder.framing() != Framing::Bytes
                    {
                        state.body = None;
                        let err = Error::new(
                            ErrorKind::Stream,
                            format!(
                                "the stream sent more than {} bytes without completing an event",
                                state.max_event_size
                            ),
                        );
                        return Some((Err(err), state));
                    }
                    state.decoder.push(chunk);
                }
                Some(Err(e)) => {
                    state.body = None;
                    return Some((Err(e), state));
                }
                None => {
                    // The next pass drains what finish() completed, then ends: body is gone.
                    state.body = None;
                    state.decoder.finish();
                }
            }
        }
    })
    .boxed()
}
