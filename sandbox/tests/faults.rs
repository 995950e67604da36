//! Fault injection on gateway and control-plane routes.

mod common;

use common::{sid, start};
use futures::StreamExt;
use std::time::{Duration, Instant};
use unitysvc_sandbox::catalog::SIMPLE_SERVICE;

fn chat_url(gw: &str) -> String {
    format!("{gw}/p/{}/v1/chat/completions", sid(SIMPLE_SERVICE))
}

const STREAM_BODY: &str = r#"{"stream":true,"messages":[{"role":"user","content":"a b c d e f"}]}"#;

#[tokio::test]
async fn status_delay_and_times() {
    let env = start().await;
    let url = chat_url(&env.gw);
    let r = env
        .http
        .post(&url)
        .bearer_auth(&env.key)
        .header("x-sandbox-fault", "status=503;retry-after=2")
        .body("{}")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 503);
    assert_eq!(r.headers()["retry-after"], "2");
    let r = env
        .http
        .get(format!("{}/groups?_sandbox_fault=status%3D429", env.base))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 429, "control plane honours faults too");

    let started = Instant::now();
    let r = env
        .http
        .get(format!("{}/groups", env.base))
        .header("x-sandbox-fault", "delay=200")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 200);
    assert!(started.elapsed() >= Duration::from_millis(200));

    let mut codes = Vec::new();
    for _ in 0..4 {
        let r = env
            .http
            .get(format!("{}/groups", env.base))
            .header("x-sandbox-fault", "status=503;times=2")
            .header("x-sandbox-fault-key", "retry-test")
            .send()
            .await
            .expect("send");
        codes.push(r.status().as_u16());
    }
    assert_eq!(codes, vec![503, 503, 200, 200]);
}

#[tokio::test]
async fn connection_level_faults() {
    let env = start().await;
    let url = chat_url(&env.gw);
    let send = |fault: &'static str| {
        env.http
            .post(&url)
            .bearer_auth(&env.key)
            .header("x-sandbox-fault", fault)
            .body(STREAM_BODY)
            .send()
    };
    assert!(
        send("reset-before-headers").await.is_err(),
        "no response expected"
    );

    let resp = send("reset-mid-stream").await.expect("headers arrive");
    assert_eq!(resp.status().as_u16(), 200);
    let mut stream = resp.bytes_stream();
    let mut got_data = false;
    let mut got_err = false;
    while let Some(c) = stream.next().await {
        match c {
            Ok(b) => got_data |= !b.is_empty(),
            Err(_) => {
                got_err = true;
                break;
            }
        }
    }
    assert!(got_data && got_err, "data={got_data} err={got_err}");

    let resp = send("stall-mid-stream").await.expect("headers arrive");
    let mut stream = resp.bytes_stream();
    let first = stream.next().await;
    assert!(matches!(first, Some(Ok(_))));
    let next = tokio::time::timeout(Duration::from_millis(400), async {
        while let Some(c) = stream.next().await {
            if c.is_err() {
                return;
            }
        }
    })
    .await;
    assert!(next.is_err(), "stream should stall, not end");

    let resp = send("truncated").await.expect("headers arrive");
    let declared = resp.content_length().unwrap_or(0);
    let body = resp.bytes().await;
    assert!(body.is_err() || body.map(|b| (b.len() as u64) < declared).unwrap_or(true));
}

#[tokio::test]
async fn payload_faults() {
    let env = start().await;
    let url = chat_url(&env.gw);
    let get = |fault: &'static str| {
        env.http
            .post(&url)
            .bearer_auth(&env.key)
            .header("x-sandbox-fault", fault)
            .body("{}")
            .send()
    };
    let r = get("malformed-json").await.expect("send");
    assert_eq!(r.headers()["content-type"], "application/json");
    assert!(serde_json::from_slice::<serde_json::Value>(&r.bytes().await.expect("body")).is_err());
    let r = get("html-error").await.expect("send");
    assert_eq!(r.status().as_u16(), 502);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap_or("")
        .starts_with("text/html"));
    let r = get("oversized=300000").await.expect("send");
    assert_eq!(r.bytes().await.expect("body").len(), 300000);
    let r = get("bogus-fault").await.expect("send");
    assert_eq!(r.status().as_u16(), 400);
}

#[tokio::test]
async fn shutdown_ends_stalled_connections() {
    let env = start().await;
    let url = chat_url(&env.gw);
    let resp = env
        .http
        .post(&url)
        .bearer_auth(&env.key)
        .header("x-sandbox-fault", "stall-mid-stream")
        .body(STREAM_BODY)
        .send()
        .await
        .expect("send");
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(3), env.sb.shutdown())
        .await
        .expect("shutdown must not hang");
    let _ = tokio::time::timeout(Duration::from_secs(3), resp.bytes())
        .await
        .expect("connection closed by shutdown");
    assert!(started.elapsed() < Duration::from_secs(3));
}
