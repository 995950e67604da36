//! Streaming responses over HTTP against the sandbox gateway: SSE, NDJSON, lines, bytes,
//! and the failures a stream can meet.

mod common;

use futures::StreamExt;
use std::time::Duration;
use unitysvc::streaming::Framing;
use unitysvc::{Client, ErrorKind, Event};
use unitysvc_sandbox::catalog;

fn chat_stream() -> serde_json::Value {
    serde_json::json!({"model": "m", "stream": true,
                       "messages": [{"role": "user", "content": "tell me a story"}]})
}

/// Opens a streamed chat completion, with a sandbox fault when one is given.
async fn chat(client: &Client, fault: Option<&str>) -> unitysvc::StreamingResponse {
    let mut request = service(client)
        .path("chat/completions")
        .json(&chat_stream());
    if let Some(fault) = fault {
        request = request.header("x-sandbox-fault", fault);
    }
    request.stream().await.unwrap()
}

fn service(client: &Client) -> unitysvc::DispatchRequest {
    client
        .services()
        .dispatch(catalog::service_id(catalog::SIMPLE_SERVICE))
}

#[tokio::test]
async fn sse_chat_stream_yields_chunks_then_done() {
    let (_sb, client) = common::start().await;
    let resp = chat(&client, None).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.framing(), Framing::Sse);
    let events: Vec<Event> = resp.events().map(|e| e.unwrap()).collect().await;
    assert_eq!(events.last(), Some(&Event::Done));
    let chunks = &events[..events.len() - 1];
    assert!(chunks.len() >= 2);
    for event in chunks {
        let Some(json) = (match event {
            Event::Sse(sse) => sse.json(),
            _ => None,
        }) else {
            panic!("expected a JSON SSE event, got {event:?}")
        };
        assert_eq!(json["object"], "chat.completion.chunk");
    }
}

#[tokio::test]
async fn collect_text_joins_the_deltas() {
    let (_sb, client) = common::start().await;
    let streamed = chat(&client, None).await.collect_text().await.unwrap();
    let buffered: serde_json::Value = service(&client)
        .path("chat/completions")
        .json(&serde_json::json!({"model": "m", "messages": [{"role": "user", "content": "tell me a story"}]}))
        .send()
        .await
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(streamed, buffered["choices"][0]["message"]["content"]);
}

#[tokio::test]
async fn events_as_deserializes_into_the_callers_type() {
    #[derive(serde::Deserialize)]
    struct Chunk {
        object: String,
    }
    let (_sb, client) = common::start().await;
    let chunks: Vec<Chunk> = chat(&client, None)
        .await
        .events_as::<Chunk>()
        .map(|c| c.unwrap())
        .collect()
        .await;
    assert!(!chunks.is_empty());
    assert!(chunks.iter().all(|c| c.object == "chat.completion.chunk"));
}

#[tokio::test]
async fn ndjson_lines_and_bytes_are_decoded_by_content_type() {
    let (_sb, client) = common::start().await;
    let ndjson = service(&client).path("ndjson").stream().await.unwrap();
    assert_eq!(ndjson.framing(), Framing::Ndjson);
    let values: Vec<Event> = ndjson.events().map(|e| e.unwrap()).collect().await;
    assert!(!values.is_empty());
    assert!(values.iter().all(|e| matches!(e, Event::Json(_))));

    let text = service(&client).path("text").stream().await.unwrap();
    assert_eq!(text.framing(), Framing::Lines);
    let lines: Vec<String> = text.lines().map(|l| l.unwrap()).collect().await;
    assert!(lines.len() >= 2, "{lines:?}");

    let bin = service(&client).path("bytes").stream().await.unwrap();
    assert_eq!(bin.framing(), Framing::Bytes);
    let mut total = 0;
    let mut events = bin.events();
    while let Some(event) = events.next().await {
        match event.unwrap() {
            Event::Bytes(b) => total += b.len(),
            other => panic!("expected bytes, got {other:?}"),
        }
    }
    assert!(total > 0);
}

#[tokio::test]
async fn first_event_arrives_while_the_server_is_still_sending() {
    // The server sends a few frames and then never finishes: anything that buffered the
    // body would wait forever instead of yielding the first event.
    let (_sb, client) = common::start().await;
    let resp = chat(&client, Some("stall-mid-stream")).await;
    let mut events = resp.events();
    let first = tokio::time::timeout(Duration::from_secs(10), events.next())
        .await
        .expect("the first event arrives before the stream ends")
        .expect("an event")
        .unwrap();
    assert!(matches!(first, Event::Sse(_)));
}

#[tokio::test]
async fn stalled_stream_fails_with_an_idle_timeout() {
    let (sb, _) = common::start().await;
    let client = Client::builder()
        .base_url(sb.base_url())
        .api_key(sb.api_key())
        .stream_idle_timeout(Duration::from_millis(300))
        .ignore_env()
        .build()
        .unwrap();
    let resp = chat(&client, Some("stall-mid-stream")).await;
    let items: Vec<_> = resp.events().collect().await;
    let last = items.last().expect("some items").as_ref().unwrap_err();
    assert_eq!(last.kind(), ErrorKind::Timeout, "{last}");
    assert!(items[..items.len() - 1].iter().all(|i| i.is_ok()));
}

#[tokio::test]
async fn total_timeout_does_not_cut_a_healthy_stream() {
    let (sb, _) = common::start().await;
    let client = Client::builder()
        .base_url(sb.base_url())
        .api_key(sb.api_key())
        .timeout(Duration::from_millis(300))
        .ignore_env()
        .build()
        .unwrap();
    // Frames every 100 ms: the whole stream outlasts the 300 ms request timeout.
    let text = service(&client)
        .path("chat/completions?_sandbox_delay_ms=100")
        .json(&chat_stream())
        .stream()
        .await
        .unwrap()
        .collect_text()
        .await
        .unwrap();
    assert!(!text.is_empty());
}

#[tokio::test]
async fn reset_mid_stream_is_an_error_item() {
    let (_sb, client) = common::start().await;
    let resp = chat(&client, Some("reset-mid-stream")).await;
    let items: Vec<_> = resp.events().collect().await;
    let last = items.last().expect("some items");
    let err = last.as_ref().unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Connection | ErrorKind::Decode),
        "{err:?}"
    );
}

#[tokio::test]
async fn upstream_500_stream_is_a_response_with_its_status() {
    let (_sb, client) = common::start().await;
    let resp = service(&client).path("status/500").stream().await.unwrap();
    assert_eq!(resp.status(), 500);
}

#[tokio::test]
async fn dropping_a_stream_midway_releases_it() {
    let (_sb, client) = common::start().await;
    for _ in 0..20 {
        let resp = chat(&client, Some("stall-mid-stream")).await;
        let mut events = resp.events();
        events.next().await.unwrap().unwrap();
        drop(events);
    }
    // The pool still serves new requests after twenty abandoned streams.
    let resp = service(&client).path("echo").send().await.unwrap();
    assert!(resp.is_success());
}

#[tokio::test]
async fn an_endless_line_fails_at_the_event_size_limit() {
    let (sb, _) = common::start().await;
    let client = Client::builder()
        .base_url(sb.base_url())
        .api_key(sb.api_key())
        .max_event_size(64 * 1024)
        .ignore_env()
        .build()
        .unwrap();
    // Four MiB with no line break: the decoder must give up instead of buffering it all.
    let resp = service(&client)
        .path("echo")
        .header("x-sandbox-fault", "oversized=4194304")
        .stream()
        .await
        .unwrap();
    let items: Vec<_> = resp.lines().collect().await;
    assert_eq!(items.len(), 1, "one error, no lines");
    let err = items[0].as_ref().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Stream, "{err}");

    // The same body as raw bytes is not limited: chunks are events of their own.
    let total: usize = service(&client)
        .path("echo")
        .header("x-sandbox-fault", "oversized=4194304")
        .stream()
        .await
        .unwrap()
        .bytes()
        .map(|chunk| chunk.unwrap().len())
        .fold(0, |a, b| async move { a + b })
        .await;
    assert_eq!(total, 4194304);
}
