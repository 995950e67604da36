//! Gateway routing, wrappers and the fake upstream's streaming endpoints.

mod common;

use common::{sid, start};
use futures::StreamExt;
use serde_json::json;
use std::time::{Duration, Instant};
use unitysvc_sandbox::catalog::{SIMPLE_SERVICE, TWO_INTERFACE_SERVICE};

fn chat(content: &str, stream: bool) -> String {
    json!({"model": "x", "stream": stream, "messages": [{"role": "user", "content": content}]})
        .to_string()
}

#[tokio::test]
async fn chat_completion_and_auth() {
    let env = start().await;
    let url = format!(
        "{}/p/{}/v1/chat/completions",
        env.gw,
        sid(TWO_INTERFACE_SERVICE)
    );
    let r = env
        .send("POST", &url, Some(&env.key), Some(chat("hello", false)))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["object"], "chat.completion");
    assert_eq!(r.body["choices"][0]["message"]["content"], "Echo: hello");
    assert!(r.body["usage"]["total_tokens"].as_u64().is_some());
    assert_eq!(
        r.headers["x-sandbox-path"],
        format!("/p/{}/v1/chat/completions", sid(TWO_INTERFACE_SERVICE)).as_str()
    );
    assert_eq!(
        env.send("POST", &url, None, Some(chat("x", false)))
            .await
            .status,
        401
    );
    assert_eq!(
        env.send("POST", &url, Some("svcpass_nope"), Some(chat("x", false)))
            .await
            .status,
        401
    );
    let missing = format!("{}/p/{}/v1/chat/completions", env.gw, uuid::Uuid::nil());
    assert_eq!(
        env.send("POST", &missing, Some(&env.key), Some(chat("x", false)))
            .await
            .status,
        404
    );
    let r = env
        .send(
            "POST",
            &format!("{}/g/llm/v1/chat/completions", env.gw),
            Some(&env.key),
            Some(chat("g", false)),
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.headers.contains_key("x-sandbox-service-id"));
}

#[tokio::test]
async fn sse_stream_is_incremental_and_ends_with_done() {
    let env = start().await;
    let url = format!(
        "{}/p/{}/v1/chat/completions?_sandbox_delay_ms=60",
        env.gw,
        sid(SIMPLE_SERVICE)
    );
    let resp = env
        .http
        .post(&url)
        .bearer_auth(&env.key)
        .body(chat("one two three", true))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let started = Instant::now();
    let mut stream = resp.bytes_stream();
    let mut arrivals = Vec::new();
    let mut text = String::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.expect("chunk");
        arrivals.push(started.elapsed());
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(text.ends_with("data: [DONE]\n\n"), "{text}");
    let frames: Vec<&str> = text.split("\n\n").filter(|f| !f.is_empty()).collect();
    assert!(frames.len() >= 5);
    assert!(frames.iter().all(|f| f.starts_with("data: ")));
    assert!(text.contains("chat.completion.chunk"));
    // Frames must arrive spread out, not as one buffered blob.
    assert!(arrivals.len() >= 4, "chunks: {}", arrivals.len());
    let spread = arrivals[arrivals.len() - 1].saturating_sub(arrivals[0]);
    assert!(spread >= Duration::from_millis(150), "spread {spread:?}");
}

#[tokio::test]
async fn other_upstream_endpoints() {
    let env = start().await;
    let base = format!("{}/p/{}", env.gw, sid(SIMPLE_SERVICE));
    let r = env
        .send(
            "GET",
            &format!("{base}/ndjson?_sandbox_count=3&_sandbox_delay_ms=1"),
            Some(&env.key),
            None,
        )
        .await;
    assert_eq!(r.headers["content-type"], "application/x-ndjson");
    assert_eq!(r.text.lines().count(), 3);
    let r = env
        .send("GET", &format!("{base}/text"), Some(&env.key), None)
        .await;
    assert!(r.text.starts_with("line 0\n"));
    let r = env
        .send(
            "GET",
            &format!("{base}/bytes?_sandbox_count=2"),
            Some(&env.key),
            None,
        )
        .await;
    assert_eq!(r.headers["content-type"], "application/octet-stream");
    let r = env
        .send(
            "POST",
            &format!("{base}/echo/x?a=1"),
            Some(&env.key),
            Some("{\"k\":1}".into()),
        )
        .await;
    assert_eq!(r.body["method"], "POST");
    assert_eq!(r.body["path"], "/echo/x");
    assert_eq!(r.body["query"]["a"], "1");
    assert_eq!(r.body["body"]["k"], 1);
    assert!(r.body["headers"].get("authorization").is_none());
    let r = env
        .send("GET", &format!("{base}/status/418"), Some(&env.key), None)
        .await;
    assert_eq!((r.status, r.body["status"].as_u64()), (418, Some(418)));
    let r = env
        .send(
            "POST",
            &format!("{}/p/{}/v1/embeddings", env.gw, sid("voyage-3-lite")),
            Some(&env.key),
            Some("{\"input\":[\"a\",\"b\"]}".into()),
        )
        .await;
    assert_eq!(r.body["data"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn wrappers_compose() {
    let env = start().await;
    let (a, b) = (sid(TWO_INTERFACE_SERVICE), sid(SIMPLE_SERVICE));
    let memo = format!("{}/m/p/{a}/v1/chat/completions?_ttl=10m", env.gw);
    let r1 = env
        .send("POST", &memo, Some(&env.key), Some(chat("cache me", false)))
        .await;
    let r2 = env
        .send("POST", &memo, Some(&env.key), Some(chat("cache me", false)))
        .await;
    assert_eq!(
        (
            r1.headers["x-cache"].to_str().ok(),
            r2.headers["x-cache"].to_str().ok()
        ),
        (Some("miss"), Some("hit"))
    );
    assert_eq!(r1.body, r2.body);
    let renew = env
        .send(
            "POST",
            &format!("{memo}&_renew"),
            Some(&env.key),
            Some(chat("cache me", false)),
        )
        .await;
    assert_eq!(renew.headers["x-cache"], "miss");
    let other = env
        .send(
            "POST",
            &memo,
            Some(&env.key2),
            Some(chat("cache me", false)),
        )
        .await;
    assert_eq!(
        other.headers["x-cache"], "miss",
        "cache must be per customer"
    );

    let fo = format!("{}/f/p/{a}/status/503?_else=p%2F{b}", env.gw);
    let r = env.send("GET", &fo, Some(&env.key), None).await;
    assert_eq!(
        r.status, 503,
        "secondary keeps the sub-path, so it answers 503 too"
    );
    assert_eq!(r.headers["x-sandbox-failover"], "secondary");
    assert_eq!(r.headers["x-sandbox-service-id"], b.as_str());
    let fo_ok = format!("{}/f/p/{a}/echo?_else=p%2F{b}", env.gw);
    let r = env.send("GET", &fo_ok, Some(&env.key), None).await;
    assert_eq!(r.headers["x-sandbox-service-id"], a.as_str());

    let stacked = format!(
        "{}/l/m/f/t/p/{a}/v1/chat/completions?_ttl=10m&_else=p%2F{b}&_to=p%2F{b}",
        env.gw
    );
    let r = env
        .send("POST", &stacked, Some(&env.key), Some(chat("stack", false)))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.headers["x-cache"], "miss");
    let logs = env.demo("GET", "/request-logs", None).await;
    assert_eq!(
        logs.body["total_count"], 1,
        "l/ logs even when logging is off"
    );

    let d = env
        .send(
            "POST",
            &format!("{}/d/p/{a}/echo?_in=1s", env.gw),
            Some(&env.key),
            None,
        )
        .await;
    assert_eq!(
        (d.status, d.body["status"].as_str()),
        (202, Some("scheduled"))
    );
    let r = env
        .send(
            "POST",
            &format!("{}/r/p/{a}/echo?_every=1h", env.gw),
            Some(&env.key),
            Some("{}".into()),
        )
        .await;
    assert_eq!(r.status, 201);
    let rec = env.demo("GET", "/recurrent-requests/", None).await;
    assert_eq!(rec.body["count"], 1);
    let bad = env
        .send(
            "GET",
            &format!("{}/m/p/{a}/echo?_ttl=forever", env.gw),
            Some(&env.key),
            None,
        )
        .await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn blocking_start_works_without_runtime() {
    let handle = std::thread::spawn(|| {
        let sb = unitysvc_sandbox::Sandbox::start_blocking().expect("start");
        let url = sb.base_url();
        drop(sb);
        url
    });
    let url = handle.join().expect("thread");
    assert!(url.starts_with("http://127.0.0.1:") && url.ends_with("/v1"));
}
