//! Throughput of the SSE decoder on an OpenAI-style completion stream (~8 MiB) at several
//! chunk sizes, against `eventsource-stream` 0.2 and a bare `memmem` split on `\n\n`.
//!
//! `ours_framer` is the like-for-like comparison with `eventsource-stream` (framing only);
//! `ours_decoder` additionally parses every `data` payload into a `serde_json::Value`.

use std::convert::Infallible;
use std::hint::black_box;
use std::time::Duration;

use bytes::Bytes;
use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use eventsource_stream::Eventsource;
use futures::StreamExt;
use memchr::memmem;
use unitysvc::streaming::decode::{Decoder, Event, Framing, SseParser};

const TARGET_LEN: usize = 8 << 20;
const CHUNK_SIZES: [usize; 3] = [1 << 10, 16 << 10, 256 << 10];

/// Builds the stream body and returns it with its frame count.
fn openai_stream() -> (Bytes, usize) {
    let mut body = Vec::with_capacity(TARGET_LEN + 256);
    let mut frames = 0;
    while body.len() < TARGET_LEN {
        body.extend_from_slice(
            format!(
                "data: {{\"id\":\"chatcmpl-{frames:08}\",\"object\":\"chat.completion.chunk\",\
                 \"choices\":[{{\"delta\":{{\"content\":\"word \"}},\"index\":0}}]}}\n\n"
            )
            .as_bytes(),
        );
        frames += 1;
    }
    (Bytes::from(body), frames)
}

/// Cuts `body` into zero-copy chunks of `size` bytes.
fn chunked(body: &Bytes, size: usize) -> Vec<Bytes> {
    (0..body.len())
        .step_by(size)
        .map(|start| body.slice(start..(start + size).min(body.len())))
        .collect()
}

fn ours_framer(chunks: &[Bytes]) -> usize {
    let mut parser = SseParser::new();
    let mut frames = 0;
    for chunk in chunks {
        parser.push(chunk);
        while let Some(frame) = parser.next_frame() {
            black_box(&frame);
            frames += 1;
        }
    }
    parser.finish();
    frames
}

fn ours_decoder(chunks: &[Bytes]) -> usize {
    let mut decoder = Decoder::new(Framing::Sse);
    let mut frames = 0;
    for chunk in chunks {
        decoder.push(chunk.clone());
        while let Some(event) = decoder.next_event() {
            if let Ok(Event::Sse(sse)) = event {
                if let Some(json) = sse.json() {
                    black_box(json);
                    frames += 1;
                }
            }
        }
    }
    decoder.finish();
    frames
}

fn eventsource(chunks: &[Bytes]) -> usize {
    let stream = futures::stream::iter(chunks.iter().cloned().map(Ok::<Bytes, Infallible>));
    futures::executor::block_on(
        stream
            .eventsource()
            .filter(|event| futures::future::ready(event.is_ok()))
            .count(),
    )
}

/// Lower bound: count `\n\n` separators, including one straddling two chunks.
fn memmem_baseline(finder: &memmem::Finder<'_>, chunks: &[Bytes]) -> usize {
    let mut frames = 0;
    let mut prev_ended_lf = false;
    for chunk in chunks {
        if prev_ended_lf && chunk.first() == Some(&b'\n') {
            frames += 1;
        }
        frames += finder.find_iter(chunk).count();
        prev_ended_lf = chunk.last() == Some(&b'\n');
    }
    frames
}

fn bench(c: &mut Criterion) {
    let (body, frames) = openai_stream();
    let finder = memmem::Finder::new(b"\n\n");
    let mut group = c.benchmark_group("sse_openai_8MiB");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(1))
        .sampling_mode(SamplingMode::Flat)
        .throughput(Throughput::Bytes(body.len() as u64));
    for size in CHUNK_SIZES {
        let chunks = chunked(&body, size);
        assert_eq!(ours_framer(&chunks), frames);
        assert_eq!(ours_decoder(&chunks), frames);
        assert_eq!(eventsource(&chunks), frames);
        assert_eq!(memmem_baseline(&finder, &chunks), frames);
        let kib = size >> 10;
        group.bench_function(BenchmarkId::new("ours_framer", kib), |b| {
            b.iter(|| ours_framer(&chunks))
        });
        group.bench_function(BenchmarkId::new("ours_decoder", kib), |b| {
            b.iter(|| ours_decoder(&chunks))
        });
        group.bench_function(BenchmarkId::new("eventsource_stream", kib), |b| {
            b.iter(|| eventsource(&chunks))
        });
        group.bench_function(BenchmarkId::new("memmem_baseline", kib), |b| {
            b.iter(|| memmem_baseline(&finder, &chunks))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
