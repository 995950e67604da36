//! SSE decoding on an OpenAI-style chat completion stream (~4 MiB, ~16k chunks) at 1, 16
//! and 256 KiB network chunks, each of our paths against `eventsource-stream` 0.2 doing the
//! same work, as ratios (above 1: ours is faster).
//!
//! Both sides are driven as `futures` streams by the same executor from the same zero-copy
//! chunks, and stop at `[DONE]`:
//! - framing: `eventsource-stream` events vs our `SseParser` frames (data length summed);
//! - framing against the floor: our `SseParser` vs a bare `memchr` line split, on the chat
//!   stream and on a stream of 64 KiB single-line events;
//! - data only: the consumer needs each event's text or the `[DONE]` sentinel;
//! - untyped JSON: every event's data parsed to a `serde_json::Value`;
//! - typed: every event deserialized into an OpenAI `ChatCompletionChunk` struct.
//!
//! `cargo bench --bench stream_decode -- --quick`

mod support;

use std::convert::Infallible;

use bytes::Bytes;
use eventsource_stream::Eventsource;
use futures::executor::block_on;
use futures::{Stream, StreamExt};
use serde::Deserialize;
use serde_json::Value;
use support::{compare, Case, Settings};
use unitysvc::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use unitysvc::streaming::decode::SseParser;
use unitysvc::{Event, StatusCode, StreamingResponse};

const TARGET_LEN: usize = 4 << 20;
const CHUNK_SIZES: [usize; 3] = [1 << 10, 16 << 10, 256 << 10];

/// One chunk of an OpenAI chat completion stream, as a typed consumer declares it.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct ChatChunk {
    id: String,
    object: String,
    created: u64,
    model: String,
    #[serde(default)]
    system_fingerprint: Option<String>,
    choices: Vec<Choice>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Choice {
    index: u32,
    delta: Delta,
    #[serde(default)]
    logprobs: Option<Value>,
    finish_reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Delta {
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    content: Option<String>,
}

/// An OpenAI-shaped stream: a role chunk, content chunks with the odd escaped newline or
/// quote, a finish chunk, then `[DONE]`. Returns the body and its chunk count.
fn openai_stream() -> (Bytes, u64) {
    const WORDS: [&str; 12] = [
        "The",
        " quick",
        " brown",
        " fox",
        " jumps",
        " over",
        " the",
        " lazy",
        " dog",
        ".",
        "\\n\\n",
        " \\\"Indeed,\\\" she said",
    ];
    let head = |n: u64| {
        format!(
            "data: {{\"id\":\"chatcmpl-9x{n:020}\",\"object\":\"chat.completion.chunk\",\
             \"created\":1735689600,\"model\":\"gpt-4o-mini-2024-07-18\",\
             \"system_fingerprint\":\"fp_0ba0d124f1\",\"choices\":[{{\"index\":0,"
        )
    };
    let mut body = String::with_capacity(TARGET_LEN + 512);
    body.push_str(&head(0));
    body.push_str(
        "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n",
    );
    let mut n = 1;
    while body.len() < TARGET_LEN {
        body.push_str(&head(n));
        body.push_str("\"delta\":{\"content\":\"");
        body.push_str(WORDS[n as usize % WORDS.len()]);
        body.push_str("\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n");
        n += 1;
    }
    body.push_str(&head(n));
    body.push_str("\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n");
    body.push_str("data: [DONE]\n\n");
    (Bytes::from(body), n + 1)
}

/// A stream of large single-line events: 64 KiB of JSON text per `data:` line (a long
/// completion or an embedding sent whole), about 4 MiB in all.
fn large_frames() -> Bytes {
    let mut body = String::with_capacity(TARGET_LEN + (128 << 10));
    let mut n = 0u64;
    while body.len() < TARGET_LEN {
        body.push_str("data: {\"index\":");
        body.push_str(&n.to_string());
        body.push_str(",\"text\":\"");
        while body.len() % (64 << 10) < (64 << 10) - 64 {
            body.push_str("lorem ipsum dolor sit amet, consectetur adipiscing elit ");
        }
        body.push_str("\"}\n\n");
        n += 1;
    }
    body.push_str("data: [DONE]\n\n");
    Bytes::from(body)
}

/// Cuts `body` into zero-copy chunks of `size` bytes.
fn chunked(body: &Bytes, size: usize) -> Vec<Bytes> {
    (0..body.len())
        .step_by(size)
        .map(|start| body.slice(start..(start + size).min(body.len())))
        .collect()
}

/// The chunks as an owned body stream, as both sides get it.
fn body_stream(chunks: &[Bytes]) -> impl Stream<Item = Result<Bytes, Infallible>> + Send + 'static {
    let owned: Vec<Bytes> = chunks.to_vec();
    futures::stream::iter(owned).map(Ok)
}

fn response(chunks: &[Bytes]) -> StreamingResponse {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    let body = body_stream(chunks).map(|chunk| chunk.map_err(|never| match never {}));
    StreamingResponse::from_parts(StatusCode::OK, headers, body)
}

/// `eventsource-stream` events up to `[DONE]`, each handed to `f`.
fn eventsource(chunks: &[Bytes], mut f: impl FnMut(&str) -> u64) -> u64 {
    block_on(async {
        let mut events = body_stream(chunks).eventsource();
        let mut sum = 0;
        while let Some(event) = events.next().await {
            let event = event.expect("eventsource-stream event");
            if event.data == "[DONE]" {
                break;
            }
            sum += f(&event.data);
        }
        sum
    })
}

/// The floor for finding frame boundaries: a `memchr` split of the body into lines (a line
/// cut by a chunk boundary is carried over), each line's length summed, nothing else done.
fn memchr_lines(chunks: &[Bytes]) -> u64 {
    block_on(async {
        let mut body = body_stream(chunks);
        let mut carry: Vec<u8> = Vec::new();
        let mut sum = 0;
        while let Some(Ok(chunk)) = body.next().await {
            let mut rest = &chunk[..];
            while let Some(end) = memchr::memchr(b'\n', rest) {
                let line = if carry.is_empty() {
                    &rest[..end]
                } else {
                    carry.extend_from_slice(&rest[..end]);
                    &carry[..]
                };
                sum += line.len() as u64;
                carry.clear();
                rest = &rest[end + 1..];
            }
            carry.extend_from_slice(rest);
        }
        sum
    })
}

/// Our framer up to `[DONE]`; `next` takes one frame and reports (is `[DONE]`, data length).
fn framer(chunks: &[Bytes], mut next: impl FnMut(&mut SseParser) -> Option<(bool, u64)>) -> u64 {
    block_on(async {
        let mut parser = SseParser::new();
        let mut body = body_stream(chunks);
        let mut sum = 0;
        while let Some(Ok(chunk)) = body.next().await {
            parser.push(chunk);
            while let Some((done, len)) = next(&mut parser) {
                if done {
                    return sum;
                }
                sum += len;
            }
        }
        sum
    })
}

/// Frames handed over (`next_frame`).
fn our_framer(chunks: &[Bytes]) -> u64 {
    framer(chunks, |p| {
        p.next_frame()
            .map(|f| (f.data() == "[DONE]", f.data().len() as u64))
    })
}

/// Frames lent by the parser (`next_frame_ref`).
fn our_framer_ref(chunks: &[Bytes]) -> u64 {
    framer(chunks, |p| {
        p.next_frame_ref()
            .map(|f| (f.data() == "[DONE]", f.data().len() as u64))
    })
}

/// Our `events()` up to `[DONE]`, each SSE event handed to `f`.
fn our_events(chunks: &[Bytes], mut f: impl FnMut(&unitysvc::streaming::SseEvent) -> u64) -> u64 {
    block_on(async {
        let mut events = response(chunks).events();
        let mut sum = 0;
        while let Some(event) = events.next().await {
            match event.expect("our event") {
                Event::Sse(sse) => sum += f(&sse),
                Event::Done => break,
                other => panic!("unexpected {other:?}"),
            }
        }
        sum
    })
}

fn our_typed(chunks: &[Bytes]) -> u64 {
    block_on(async {
        let mut chunks = response(chunks).events_as::<ChatChunk>();
        let mut sum = 0;
        while let Some(chunk) = chunks.next().await {
            sum += typed_checksum(&chunk.expect("our typed event"));
        }
        sum
    })
}

fn typed_checksum(chunk: &ChatChunk) -> u64 {
    chunk
        .choices
        .iter()
        .map(|c| c.delta.content.as_ref().map_or(1, |t| t.len() as u64 + 1))
        .sum()
}

fn value_checksum(value: &Value) -> u64 {
    match value["choices"][0]["delta"].get("content") {
        Some(Value::String(t)) => t.len() as u64 + 1,
        _ => 1,
    }
}

fn main() {
    let settings = Settings::from_args();
    let (body, chunk_count) = openai_stream();
    let large = large_frames();
    println!(
        "body: {:.1} MiB, {chunk_count} chat chunks; ratios are eventsource-stream time / ours",
        body.len() as f64 / (1 << 20) as f64
    );
    for size in CHUNK_SIZES {
        let chunks = chunked(&body, size);
        let kib = size >> 10;
        let chunks = &chunks;

        let group = format!("framing, {kib} KiB chunks");
        if settings.wants(&group) {
            compare(
                &settings,
                &group,
                Case::new("eventsource-stream", || {
                    eventsource(chunks, |d| d.len() as u64)
                }),
                vec![Case::new("SseParser", || our_framer(chunks))],
                true,
            );
        }

        let group = format!("framing against the floor, {kib} KiB chunks");
        if settings.wants(&group) {
            compare(
                &settings,
                &group,
                Case::new("memchr line split", || memchr_lines(chunks)),
                vec![
                    Case::new("next_frame", || our_framer(chunks)),
                    Case::new("next_frame_ref", || our_framer_ref(chunks)),
                ],
                false,
            );
        }

        let group = format!("framing 64 KiB events against the floor, {kib} KiB chunks");
        if settings.wants(&group) {
            let large = chunked(&large, size);
            compare(
                &settings,
                &group,
                Case::new("memchr line split", || memchr_lines(&large)),
                vec![
                    Case::new("next_frame", || our_framer(&large)),
                    Case::new("next_frame_ref", || our_framer_ref(&large)),
                ],
                false,
            );
        }

        let group = format!("data only, {kib} KiB chunks");
        if settings.wants(&group) {
            compare(
                &settings,
                &group,
                Case::new("eventsource-stream", || {
                    eventsource(chunks, |d| d.len() as u64)
                }),
                vec![Case::new("events() + data()", || {
                    our_events(chunks, |e| e.data().len() as u64)
                })],
                true,
            );
        }

        let group = format!("untyped JSON, {kib} KiB chunks");
        if settings.wants(&group) {
            compare(
                &settings,
                &group,
                Case::new("eventsource-stream + from_str::<Value>", || {
                    eventsource(chunks, |d| {
                        value_checksum(&serde_json::from_str::<Value>(d).expect("JSON"))
                    })
                }),
                vec![Case::new("events() + json()", || {
                    our_events(chunks, |e| value_checksum(e.json().expect("JSON")))
                })],
                true,
            );
        }

        let group = format!("typed, {kib} KiB chunks");
        if settings.wants(&group) {
            compare(
                &settings,
                &group,
                Case::new("eventsource-stream + from_str::<ChatChunk>", || {
                    eventsource(chunks, |d| {
                        typed_checksum(&serde_json::from_str::<ChatChunk>(d).expect("chunk"))
                    })
                }),
                vec![Case::new("events_as::<ChatChunk>()", || our_typed(chunks))],
                true,
            );
        }
    }
}
