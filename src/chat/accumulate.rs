//! Assembling streamed chunks into a completion, and the chat stream that does it as it
//! goes.

use super::{ChatChunk, ChatCompletion, Choice, ToolCall};
use crate::error::{Error, ErrorKind, Result, UpstreamError};
use crate::streaming::StreamingResponse;
use futures::stream::{BoxStream, Stream, StreamExt};
use std::pin::Pin;
use std::task::{Context, Poll};

/// Assembles streamed [`ChatChunk`]s into the [`ChatCompletion`] they add up to, at any
/// point of the stream.
///
/// Content and refusal fragments are concatenated; tool calls are assembled from their
/// `index`, `id`, name and argument fragments, for parallel calls and several choices;
/// the finish reason, usage (from the usage-only final chunk), model, id and system
/// fingerprint are kept.
///
/// # Examples
///
/// ```
/// use unitysvc::chat::{ChatAccumulator, ChatChunk};
///
/// let mut acc = ChatAccumulator::new();
/// for data in [
///     r#"{"id":"c1","model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]}"#,
///     r#"{"id":"c1","model":"m","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}"#,
/// ] {
///     acc.push(&serde_json::from_str::<ChatChunk>(data).unwrap());
/// }
/// assert_eq!(acc.snapshot().text(), Some("Hello"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct ChatAccumulator {
    completion: ChatCompletion,
    /// For each choice of `completion`, the stream `index` of each of its tool calls.
    tool_indexes: Vec<Vec<u32>>,
}

impl ChatAccumulator {
    /// An accumulator that has seen nothing.
    pub fn new() -> ChatAccumulator {
        ChatAccumulator::default()
    }

    /// Adds one chunk.
    pub fn push(&mut self, chunk: &ChatChunk) {
        let c = &mut self.completion;
        keep(&mut c.id, &chunk.id);
        keep(&mut c.model, &chunk.model);
        if c.created == 0 {
            c.created = chunk.created;
        }
        if chunk.system_fingerprint.is_some() {
            c.system_fingerprint.clone_from(&chunk.system_fingerprint);
        }
        if chunk.usage.is_some() {
            c.usage.clone_from(&chunk.usage);
        }
        for (k, v) in &chunk.extra {
            c.extra.insert(k.clone(), v.clone());
        }
        for delta in &chunk.choices {
            let at = match c.choices.iter().position(|ch| ch.index == delta.index) {
                Some(at) => at,
                None => {
                    c.choices.push(Choice {
                        index: delta.index,
                        ..Choice::default()
                    });
                    self.tool_indexes.push(Vec::new());
                    c.choices.len() - 1
                }
            };
            let choice = &mut c.choices[at];
            let indexes = &mut self.tool_indexes[at];
            let d = &delta.delta;
            if let Some(role) = &d.role {
                choice.message.role = role.clone();
            }
            append(&mut choice.message.content, d.content.as_deref());
            append(&mut choice.message.refusal, d.refusal.as_deref());
            for (k, v) in &d.extra {
                choice.message.extra.insert(k.clone(), v.clone());
            }
            for (k, v) in &delta.extra {
                choice.extra.insert(k.clone(), v.clone());
            }
            for part in &d.tool_calls {
                let id = part.id.as_deref().filter(|id| !id.is_empty());
                // The last call with this index continues, unless the fragment names
                // another id: some providers reuse index 0 for every parallel call.
                let found = indexes.iter().rposition(|&i| i == part.index).filter(|&t| {
                    let current = &choice.message.tool_calls[t].id;
                    id.is_none_or(|id| current.is_empty() || current == id)
                });
                let t = match found {
                    Some(t) => t,
                    None => {
                        choice.message.tool_calls.push(ToolCall::default());
                        indexes.push(part.index);
                        choice.message.tool_calls.len() - 1
                    }
                };
                let call = &mut choice.message.tool_calls[t];
                if let Some(id) = id {
                    keep(&mut call.id, id);
                }
                if let Some(kind) = &part.kind {
                    keep(&mut call.kind, kind);
                }
                if let Some(f) = &part.function {
                    if let Some(name) = &f.name {
                        call.function.name.push_str(name);
                    }
                    if let Some(args) = &f.arguments {
                        call.function.arguments.push_str(args);
                    }
                }
            }
            if delta.finish_reason.is_some() {
                choice.finish_reason.clone_from(&delta.finish_reason);
            }
        }
    }

    /// The completion assembled so far (choices in index order; tool calls in the order
    /// they started, typed `function` when the stream did not say).
    pub fn snapshot(&self) -> ChatCompletion {
        let mut c = self.completion.clone();
        c.object = "chat.completion".to_owned();
        c.choices.sort_by_key(|ch| ch.index);
        for call in c
            .choices
            .iter_mut()
            .flat_map(|ch| &mut ch.message.tool_calls)
        {
            if call.kind.is_empty() {
                call.kind = "function".to_owned();
            }
        }
        c
    }
}

fn keep(field: &mut String, value: &str) {
    if field.is_empty() && !value.is_empty() {
        value.clone_into(field);
    }
}

fn append(field: &mut Option<String>, piece: Option<&str>) {
    if let Some(piece) = piece {
        field.get_or_insert_with(String::new).push_str(piece);
    }
}

/// A streamed chat completion: a `Stream` of [`ChatChunk`]s that assembles them as they
/// pass.
///
/// It ends at `[DONE]` or when the body ends; an error event from the upstream
/// (`{"error": {...}}`) is an `Err` item carrying [`Error::upstream_error`]. Like every
/// stream of the crate it is bounded: one event may hold at most the client's
/// `max_event_size`, and an idle stream times out.
///
/// # Examples
///
/// ```no_run
/// use futures::StreamExt;
/// use unitysvc::chat::{ChatRequest, Message};
/// use unitysvc::Wrappable;
///
/// # async fn run(client: unitysvc::Client) -> unitysvc::Result<()> {
/// let request = ChatRequest::new("gpt-4o-mini").message(Message::user("Tell me a story"));
/// let mut stream = client.alias("writer")?.chat(&request).stream().await?;
/// let mut text = stream.text();
/// while let Some(piece) = text.next().await {
///     print!("{}", piece?);
/// }
/// drop(text);
/// println!("\n{:?}", stream.snapshot().usage);
/// # Ok(())
/// # }
/// ```
pub struct ChatStream {
    chunks: BoxStream<'static, Result<ChatChunk>>,
    acc: ChatAccumulator,
    operation: String,
}

impl std::fmt::Debug for ChatStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatStream")
            .field("operation", &self.operation)
            .finish_non_exhaustive()
    }
}

impl ChatStream {
    pub(crate) fn new(
        chunks: BoxStream<'static, Result<ChatChunk>>,
        operation: String,
    ) -> ChatStream {
        ChatStream {
            chunks,
            acc: ChatAccumulator::new(),
            operation,
        }
    }

    /// Reads a streaming response obtained elsewhere (e.g. a dispatch's
    /// [`stream`](crate::DispatchRequest::stream), or
    /// [`StreamingResponse::from_parts`]) as a chat stream; its status is not checked.
    pub fn from_response(response: StreamingResponse) -> ChatStream {
        ChatStream::new(response.events_as::<ChatChunk>(), "chat".to_owned())
    }

    /// The completion assembled from the chunks seen so far; usable after an error, to
    /// log a partial answer.
    pub fn snapshot(&self) -> ChatCompletion {
        self.acc.snapshot()
    }

    /// The text deltas of the first choice only (tool-call and usage chunks are skipped);
    /// the chunks still go through the accumulator, so [`snapshot`](Self::snapshot) has
    /// them afterwards.
    pub fn text(&mut self) -> impl Stream<Item = Result<String>> + Send + '_ {
        self.filter_map(|chunk| {
            futures::future::ready(match chunk {
                Ok(chunk) => chunk.text().map(|t| Ok(t.to_owned())),
                Err(e) => Some(Err(e)),
            })
        })
    }

    /// Reads the rest of the stream and returns the whole completion.
    ///
    /// # Errors
    ///
    /// The first error of the stream.
    pub async fn into_completion(mut self) -> Result<ChatCompletion> {
        while let Some(chunk) = self.next().await {
            chunk?;
        }
        Ok(self.acc.snapshot())
    }
}

impl Stream for ChatStream {
    type Item = Result<ChatChunk>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        match this.chunks.poll_next_unpin(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                if chunk.choices.is_empty() && chunk.usage.is_none() {
                    if let Some(error) = chunk
                        .extra
                        .get("error")
                        .and_then(|e| serde_json::from_value::<UpstreamError>(e.clone()).ok())
                    {
                        return Poll::Ready(Some(Err(
                            mid_stream_error(error).in_call(&this.operation, None)
                        )));
                    }
                }
                this.acc.push(&chunk);
                Poll::Ready(Some(Ok(chunk)))
            }
            other => other,
        }
    }
}

fn mid_stream_error(error: UpstreamError) -> Error {
    Error::new(
        ErrorKind::Stream,
        format!("the upstream sent an error mid-stream: {}", error.message),
    )
    .with_upstream(error)
}
