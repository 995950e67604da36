//! `ChatStream` chunks/s against what async-openai does with the same bytes:
//! `eventsource-stream` events, each decoded into `CreateChatCompletionStreamResponse`,
//! until `[DONE]`. Ours also assembles the completion as it goes.
//!
//! The workload is an OpenAI-shaped stream (~4 MiB, ~16k chunks, text deltas, a final
//! usage chunk) cut into 16 KiB network pieces; both sides are driven by the same
//! executor from the same zero-copy pieces. Rounds alternate the two sides; the report is
//! the min and median of the per-round ratios (above 1: ours is faster).
//!
//! `cd interop && nice -n 10 cargo bench --bench chat_stream`

use async_openai::types::chat::CreateChatCompletionStreamResponse;
use bytes::Bytes;
use eventsource_stream::Eventsource;
use futures::executor::block_on;
use futures::StreamExt;
use std::convert::Infallible;
use std::time::{Duration, Instant};
use unitysvc::chat::ChatStream;
use unitysvc::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use unitysvc::{StatusCode, StreamingResponse};

const TARGET_LEN: usize = 4 << 20;
const PIECE: usize = 16 << 10;
const ROUNDS: usize = 21;

fn body() -> (Bytes, usize) {
    let mut out = String::new();
    let mut n = 0usize;
    let words = ["The", " quick", " brown", " fox", " jumps", " over", " the", " lazy", " dog."];
    while out.len() < TARGET_LEN {
        let w = words[n % words.len()];
        let chunk = serde_json::json!({"id": "chatcmpl-bench", "object": "chat.completion.chunk",
            "created": 1_735_689_600u32, "model": "gpt-4o-mini", "system_fingerprint": "fp_bench",
            "choices": [{"index": 0, "delta": {"content": w}, "logprobs": null, "finish_reason": null}]});
        out.push_str(&format!("data: {chunk}\n\n"));
        n += 1;
    }
    let usage = serde_json::json!({"id": "chatcmpl-bench", "object": "chat.completion.chunk",
        "created": 1_735_689_600u32, "model": "gpt-4o-mini", "choices": [],
        "usage": {"prompt_tokens": 10, "completion_tokens": n, "total_tokens": n + 10}});
    out.push_str(&format!("data: {usage}\n\ndata: [DONE]\n\n"));
    (Bytes::from(out), n + 1)
}

fn pieces(body: &Bytes) -> Vec<Bytes> {
    (0..body.len())
        .step_by(PIECE)
        .map(|i| body.slice(i..(i + PIECE).min(body.len())))
        .collect()
}

fn ours(pieces: &[Bytes]) -> usize {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    let body = futures::stream::iter(pieces.to_vec().into_iter().map(Ok));
    let mut stream = ChatStream::from_response(StreamingResponse::from_parts(StatusCode::OK, headers, body));
    block_on(async {
        let mut n = 0;
        while let Some(chunk) = stream.next().await {
            chunk.expect("a chunk");
            n += 1;
        }
        assert!(stream.snapshot().usage.is_some());
        n
    })
}

fn theirs(pieces: &[Bytes]) -> usize {
    let body = futures::stream::iter(pieces.to_vec().into_iter().map(Ok::<_, Infallible>));
    let mut events = body.eventsource();
    block_on(async {
        let mut n = 0;
        while let Some(event) = events.next().await {
            let event = event.expect("an event");
            if event.data == "[DONE]" {
                break;
            }
            let chunk: CreateChatCompletionStreamResponse =
                serde_json::from_str(&event.data).expect("a chunk");
            std::hint::black_box(chunk);
            n += 1;
        }
        n
    })
}

fn timed(f: impl Fn() -> usize, expected: usize) -> Duration {
    let start = Instant::now();
    let n = f();
    let elapsed = start.elapsed();
    assert_eq!(n, expected);
    elapsed
}

fn main() {
    let (body, chunks) = body();
    let pieces = pieces(&body);
    // Warm both up once.
    timed(|| ours(&pieces), chunks);
    timed(|| theirs(&pieces), chunks);
    let mut ratios = Vec::new();
    let mut best = (Duration::MAX, Duration::MAX);
    for _ in 0..ROUNDS {
        let a = timed(|| ours(&pieces), chunks);
        let b = timed(|| theirs(&pieces), chunks);
        best = (best.0.min(a), best.1.min(b));
        ratios.push(b.as_secs_f64() / a.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    let per_s = |d: Duration| chunks as f64 / d.as_secs_f64();
    println!(
        "chat_stream: {} chunks, {} bytes, {} KiB pieces, {ROUNDS} rounds",
        chunks,
        body.len(),
        PIECE >> 10
    );
    println!(
        "  ChatStream: {:.0} chunks/s best; eventsource-stream + async-openai: {:.0} chunks/s best",
        per_s(best.0),
        per_s(best.1)
    );
    println!(
        "  ratio (theirs time / ours time): min {:.2}, median {:.2}, max {:.2}",
        ratios[0],
        ratios[ratios.len() / 2],
        ratios[ratios.len() - 1]
    );
}
