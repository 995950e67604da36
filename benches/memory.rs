//! Memory while streaming: a counting global allocator measures the heap the client holds
//! (allocations on the bench thread, where the client's current-thread runtime runs; the
//! servers run on other threads and are not counted).
//!
//! - a 1 GiB OpenAI-style SSE stream from a loopback server, read as `events()` (with and
//!   without `json()`), `events_as::<ChatChunk>()` and `bytes()`: the peak heap after the
//!   first eighth of the stream and at its end, which stay the same when nothing is buffered;
//! - 100,000 secrets listed through `secrets().list().stream()` from an in-process sandbox
//!   (seeded here, in the bench, by writing its state directly), against collecting
//!   them all into a `Vec` as the buffered reference.
//!
//! - 10,000 idle SSE streams held open at once against a sandbox in a child process (its
//!   heap is its own): the client's heap and the process's RSS per stream. Each process
//!   needs an fd per connection; the default soft limit here is 20,000, which is enough.
//!
//! `cargo bench --bench memory -- --quick` (the stream read only as `events()`; 2,000
//! idle streams); `-- idle` for the idle streams alone.

mod support;

use futures::{StreamExt, TryStreamExt};
use serde::Deserialize;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Instant;
use unitysvc::{Client, Event};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

thread_local! {
    static COUNTED: Cell<bool> = const { Cell::new(false) };
}

fn counted() -> bool {
    COUNTED.try_with(Cell::get).unwrap_or(false)
}

fn grow(bytes: usize) {
    let live = LIVE.fetch_add(bytes as isize, Ordering::Relaxed) + bytes as isize;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

fn shrink(bytes: usize) {
    LIVE.fetch_sub(bytes as isize, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to `System` unchanged; only counters are updated.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() && counted() {
            grow(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() && counted() {
            grow(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        if counted() {
            shrink(layout.size());
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let out = unsafe { System.realloc(ptr, layout, new_size) };
        if !out.is_null() && counted() {
            if new_size > layout.size() {
                grow(new_size - layout.size());
            } else {
                shrink(layout.size() - new_size);
            }
        }
        out
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Starts a peak measurement from the current live heap; returns that baseline.
fn reset_peak() -> isize {
    let live = LIVE.load(Ordering::Relaxed);
    PEAK.store(live, Ordering::Relaxed);
    live
}

fn peak_since(base: isize) -> isize {
    PEAK.load(Ordering::Relaxed) - base
}

fn kib(bytes: isize) -> String {
    format!("{:.0} KiB", bytes as f64 / 1024.0)
}

const STREAM_LEN: u64 = 1 << 30;

#[derive(Deserialize)]
#[allow(dead_code)]
struct ChatChunk {
    id: String,
    model: String,
    choices: Vec<serde_json::Value>,
}

/// A loopback server answering every request with `STREAM_LEN` bytes of chat chunks,
/// then `[DONE]`, then closing; it runs on its own (uncounted) thread.
fn sse_server() -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let mut block = Vec::with_capacity(64 << 10);
    let mut n = 0u64;
    while block.len() < (64 << 10) - 300 {
        block.extend_from_slice(
            format!(
                "data: {{\"id\":\"chatcmpl-{n:012}\",\"object\":\"chat.completion.chunk\",\
                 \"model\":\"gpt-4o-mini\",\"choices\":[{{\"index\":0,\"delta\":\
                 {{\"content\":\"token \"}},\"finish_reason\":null}}]}}\n\n"
            )
            .as_bytes(),
        );
        n += 1;
    }
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let block = block.clone();
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let answer = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\
                               connection: close\r\n\r\n";
                if stream.write_all(answer).is_err() {
                    return;
                }
                let mut sent = 0u64;
                while sent < STREAM_LEN {
                    if stream.write_all(&block).is_err() {
                        return;
                    }
                    sent += block.len() as u64;
                }
                let _ = stream.write_all(b"data: [DONE]\n\n");
            });
        }
    });
    addr
}

#[derive(Clone, Copy)]
enum ReadAs {
    Events,
    Json,
    Typed,
    Bytes,
}

/// Streams the whole body; answers (bytes or events seen, peak after an eighth, peak at
/// the end, seconds).
async fn stream(client: &Client, how: ReadAs) -> (u64, isize, isize, f64) {
    let started = Instant::now();
    let resp = client
        .dispatch("p/stream")
        .method(unitysvc::Method::GET)
        .stream()
        .await
        .expect("stream");
    let base = reset_peak();
    let eighth = STREAM_LEN / 8;
    let mut seen = 0u64;
    let mut early = None;
    let mut mark = |seen: u64| {
        if early.is_none() && seen >= eighth {
            early = Some(peak_since(base));
        }
    };
    match how {
        ReadAs::Events | ReadAs::Json => {
            let mut events = resp.events();
            while let Some(event) = events.next().await {
                match event.expect("event") {
                    Event::Sse(sse) => {
                        if let ReadAs::Json = how {
                            // Each event is dropped before the next, so its value is read
                            // into again.
                            let value = sse.json().expect("JSON");
                            assert!(value.get("choices").is_some(), "{value}");
                        }
                        seen += sse.data().len() as u64 + 8;
                    }
                    Event::Done => break,
                    other => panic!("unexpected {other:?}"),
                }
                mark(seen);
            }
        }
        ReadAs::Typed => {
            let mut chunks = resp.events_as::<ChatChunk>();
            while let Some(chunk) = chunks.next().await {
                seen += chunk.expect("chunk").choices.len() as u64 * 300;
                mark(seen);
            }
        }
        ReadAs::Bytes => {
            let mut body = resp.bytes();
            while let Some(chunk) = body.next().await {
                seen += chunk.expect("chunk").len() as u64;
                mark(seen);
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    (seen, early.unwrap_or(0), peak_since(base), secs)
}

/// Writes `count` secrets of the demo customer straight into the sandbox's state.
fn seed_secrets(sb: &unitysvc_sandbox::Sandbox, count: usize) {
    let customer = unitysvc_sandbox::catalog::demo_customer_id();
    let now = unitysvc_sandbox::state::now();
    let mut db = sb.state().db();
    db.secrets.reserve(count);
    for i in 0..count {
        db.secrets.push(unitysvc_sandbox::state::Secret {
            id: uuid::Uuid::new_v4(),
            name: format!("SECRET_{i:06}"),
            description: Some(format!("seeded secret number {i}")),
            owner_type: "customer".into(),
            role_id: None,
            owner_id: None,
            sensitive: true,
            value: None,
            created_at: now,
            updated_at: None,
            last_used_at: None,
            customer_id: customer,
            stored: "s3cret".into(),
        });
    }
}

fn main() {
    support::serve_sandbox_if_child();
    let quick = std::env::args().any(|a| a == "--quick");
    COUNTED.set(true);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let streams = if quick { 2_000 } else { 10_000 };
    if std::env::args().any(|a| a == "idle") {
        idle_streams(&rt, streams);
        return;
    }

    let addr = sse_server();
    let client = Client::builder()
        .base_url(format!("http://{addr}/v1"))
        .api_key("svcpass_memory")
        .ignore_env()
        .build()
        .expect("client");
    println!(
        "1 GiB SSE stream of chat chunks from a loopback server; peak heap held by the client:"
    );
    println!(
        "{:<34} {:>16} {:>16} {:>10}",
        "read as", "after 128 MiB", "after 1 GiB", "MiB/s"
    );
    let reads: &[(&str, ReadAs)] = if quick {
        &[("events()", ReadAs::Events)]
    } else {
        &[
            ("events()", ReadAs::Events),
            ("events() + json()", ReadAs::Json),
            ("events_as::<ChatChunk>()", ReadAs::Typed),
            ("bytes()", ReadAs::Bytes),
        ]
    };
    for (name, how) in reads {
        let (seen, early, end, secs) = rt.block_on(stream(&client, *how));
        assert!(seen >= STREAM_LEN * 9 / 10, "{name}: only {seen} bytes");
        println!(
            "{name:<34} {:>16} {:>16} {:>10.0}",
            kib(early),
            kib(end),
            STREAM_LEN as f64 / secs / (1 << 20) as f64
        );
    }

    // The sandbox runs on worker threads of its own runtime, outside the count.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let sb = server_rt
        .block_on(unitysvc_sandbox::Sandbox::start())
        .expect("sandbox");
    const ITEMS: usize = 100_000;
    seed_secrets(&sb, ITEMS);
    let client = Client::builder()
        .base_url(sb.base_url())
        .api_key(sb.api_key())
        .ignore_env()
        .build()
        .expect("client");
    println!("\n{ITEMS} secrets listed 500 per page from an in-process sandbox; peak heap held by the client:");
    let base = reset_peak();
    let started = Instant::now();
    let streamed = rt.block_on(async {
        let mut items = client.secrets().list().limit(500).stream();
        let mut n = 0usize;
        while let Some(secret) = items.next().await {
            secret.expect("secret");
            n += 1;
        }
        n
    });
    let streamed_peak = peak_since(base);
    let streamed_secs = started.elapsed().as_secs_f64();
    assert_eq!(streamed, ITEMS);
    let base = reset_peak();
    let collected: Vec<_> = rt
        .block_on(client.secrets().list().limit(500).stream().try_collect())
        .expect("collect");
    let collected_peak = peak_since(base);
    assert_eq!(collected.len(), ITEMS);
    drop(collected);
    println!(
        "{:<34} {:>16} ({streamed_secs:.1} s)",
        "stream(), item by item",
        kib(streamed_peak)
    );
    println!(
        "{:<34} {:>16} ({:.0}× the streamed peak)",
        "stream().try_collect() (buffered)",
        kib(collected_peak),
        collected_peak as f64 / streamed_peak.max(1) as f64
    );
    drop(sb);
    idle_streams(&rt, streams);
}

/// The resident set of this process, in bytes, from `/proc/self/status`.
fn rss() -> isize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<isize>().ok())
        .map_or(0, |kib| kib * 1024)
}

/// Opens `n` streamed chat completions that the sandbox stalls after their first bytes,
/// holds them all, and reports what each costs the client.
fn idle_streams(rt: &tokio::runtime::Runtime, n: usize) {
    let sandbox = support::SandboxProcess::start(0);
    let client = Client::builder()
        .base_url(&sandbox.base_url)
        .api_key(unitysvc_sandbox::DEMO_KEY)
        .no_stream_idle_timeout()
        .ignore_env()
        .build()
        .expect("client");
    let id = unitysvc_sandbox::catalog::service_id(unitysvc_sandbox::catalog::SIMPLE_SERVICE);
    let body = serde_json::json!({"model": "m", "stream": true,
                                  "messages": [{"role": "user", "content": "hi"}]});
    // One stream first, so the pool, the interface cache and the runtime are warm.
    let warm = rt
        .block_on(
            client
                .services()
                .dispatch(id)
                .path("chat/completions")
                .json(&body)
                .stream(),
        )
        .expect("first stream");
    drop(warm);
    let (heap_before, rss_before) = (reset_peak(), rss());
    let streams: Vec<_> = rt.block_on(
        futures::stream::iter(0..n)
            .map(|_| {
                client
                    .services()
                    .dispatch(id)
                    .path("chat/completions")
                    .header("x-sandbox-fault", "stall-mid-stream")
                    .json(&body)
                    .stream()
            })
            .buffer_unordered(256)
            .map(|s| s.expect("idle stream"))
            .collect(),
    );
    let held = LIVE.load(Ordering::Relaxed) - heap_before;
    let peak = peak_since(heap_before);
    let rss_grown = rss() - rss_before;
    assert_eq!(streams.len(), n);
    println!(
        "
{n} idle SSE streams held open against a sandbox in a child process:"
    );
    println!("{:<34} {:>16} {:>16}", "", "total", "per stream");
    for (what, bytes) in [
        ("client heap held", held),
        ("client heap peak while opening", peak),
        ("process RSS growth", rss_grown),
    ] {
        println!(
            "{what:<34} {:>16} {:>12.1} KiB",
            kib(bytes),
            bytes as f64 / n as f64 / 1024.0
        );
    }
    drop(streams);
}
