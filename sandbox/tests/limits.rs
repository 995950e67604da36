//! Body-size limits, enrollment-parameter bounds, and memory under repeated large requests.

mod common;

use common::{sid, start, start_with, Env};
use serde_json::{json, Value};
use unitysvc_sandbox::catalog::SIMPLE_SERVICE;
use unitysvc_sandbox::Limits;

const KIB: usize = 1024;

/// A JSON object body of exactly `len` bytes: `{"value":"xxx…"}`.
fn body_of(len: usize) -> String {
    let overhead = r#"{"value":""}"#.len();
    format!(r#"{{"value":"{}"}}"#, "x".repeat(len - overhead))
}

/// Sends `body` without a Content-Length, in 8 KiB chunks.
async fn send_chunked(env: &Env, method: &str, url: &str, body: String) -> (u16, String, Value) {
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = body
        .into_bytes()
        .chunks(8 * KIB)
        .map(|c| Ok(c.to_vec()))
        .collect();
    let resp = env
        .http
        .request(
            reqwest::Method::from_bytes(method.as_bytes()).expect("method"),
            url,
        )
        .bearer_auth(&env.key)
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .expect("chunked request");
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = resp.json::<Value>().await.unwrap_or(Value::Null);
    (status, ct, body)
}

fn assert_json_413(status: u16, content_type: &str, body: &Value, what: &str) {
    assert_eq!(status, 413, "{what}: {body}");
    assert!(
        content_type.starts_with("application/json"),
        "{what}: 413 must be JSON, got {content_type:?}"
    );
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("too large")),
        "{what}: 413 body must be {{\"detail\": \"...\"}}, got {body}"
    );
}

#[tokio::test]
async fn oversize_control_body_is_413_json_with_the_default_limit() {
    let env = start().await;
    let limit = Limits::default().control_body;
    assert_eq!(limit, 1024 * KIB);
    let url = format!("{}/secrets/BIG", env.base);

    let r = env
        .send("PUT", &url, Some(&env.key), Some(body_of(limit + 1)))
        .await;
    let ct = r.headers["content-type"].to_str().unwrap_or("");
    assert_json_413(r.status, ct, &r.body, "declared length");

    let (status, ct, body) = send_chunked(&env, "PUT", &url, body_of(limit + 1)).await;
    assert_json_413(status, &ct, &body, "chunked");

    // At the limit the body reaches the handler, which rejects the value's length instead.
    let r = env
        .send("PUT", &url, Some(&env.key), Some(body_of(limit)))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["detail"][0]["type"], "string_too_long");

    let r = env.demo("GET", "/secrets/", None).await;
    assert_eq!(r.status, 200, "the sandbox still answers after 413s");
}

#[tokio::test]
async fn gateway_and_upload_limits_are_configurable_and_answer_json() {
    let env = start_with(Limits {
        gateway_body: 64 * KIB,
        upload_body: 32 * KIB,
        ..Limits::default()
    })
    .await;
    let echo = format!("{}/p/{}/echo", env.gw, sid(SIMPLE_SERVICE));

    let r = env
        .send("POST", &echo, Some(&env.key), Some(body_of(64 * KIB + 1)))
        .await;
    let ct = r.headers["content-type"].to_str().unwrap_or("");
    assert_json_413(r.status, ct, &r.body, "gateway");
    let (status, ct, body) = send_chunked(&env, "POST", &echo, body_of(64 * KIB + 1)).await;
    assert_json_413(status, &ct, &body, "gateway, chunked");
    let r = env
        .send("POST", &echo, Some(&env.key), Some(body_of(64 * KIB)))
        .await;
    assert_eq!(r.status, 200, "a body at the limit passes");
    assert_eq!(
        r.body["body"]["value"].as_str().map(str::len),
        Some(64 * KIB - 12)
    );

    let ticket = env
        .demo(
            "POST",
            "/files/upload",
            Some(json!({"filename": "big.bin", "size": 1})),
        )
        .await;
    let url = ticket.body["url"].as_str().unwrap_or_default().to_string();
    let resp = env
        .http
        .put(&url)
        .body(vec![0u8; 32 * KIB + 1])
        .send()
        .await
        .expect("upload");
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = resp.json::<Value>().await.unwrap_or(Value::Null);
    assert_json_413(status, &ct, &body, "upload");
    let listed = env.demo("GET", "/files/list", None).await;
    assert_eq!(listed.body["objects"], json!([]), "nothing was stored");
}

fn nested(levels: usize) -> Value {
    let mut v = json!("leaf");
    for _ in 0..levels {
        v = json!({ "k": v });
    }
    v
}

async fn enroll(env: &Env, parameters: Value) -> common::Reply {
    let body = json!({"service_id": sid(SIMPLE_SERVICE), "parameters": parameters});
    env.demo("POST", "/enrollments/", Some(body)).await
}

fn assert_parameters_rejected(r: &common::Reply, needle: &str) {
    assert_eq!(r.status, 422, "{}", r.text);
    let item = &r.body["detail"][0];
    assert_eq!(item["loc"], json!(["body", "parameters"]), "{}", r.text);
    assert_eq!(item["type"], "value_error");
    assert!(
        item["msg"].as_str().is_some_and(|m| m.contains(needle)),
        "{}",
        r.text
    );
    assert!(item.get("input").is_none(), "parameters are not echoed");
}

#[tokio::test]
async fn enrollment_parameters_are_bounded() {
    let env = start().await;
    let before = env.sb.state().db().enrollments.len();

    assert_eq!(enroll(&env, nested(32)).await.status, 202);
    assert_parameters_rejected(&enroll(&env, nested(33)).await, "levels deep");

    let big = json!({"blob": "x".repeat(64 * KIB)});
    assert_parameters_rejected(&enroll(&env, big).await, "bytes");
    let fits = json!({"blob": "x".repeat(64 * KIB - 20)});
    assert_eq!(enroll(&env, fits).await.status, 202);

    let many: serde_json::Map<String, Value> =
        (0..1025).map(|i| (format!("k{i}"), json!(i))).collect();
    assert_parameters_rejected(&enroll(&env, Value::Object(many)).await, "keys");

    assert_eq!(
        env.sb.state().db().enrollments.len(),
        before + 2,
        "rejected enrollments are not stored"
    );
}

/// Sums what the state holds that client bodies can grow.
fn held(env: &Env) -> (usize, usize, usize, usize, usize) {
    let db = env.sb.state().db();
    let memo_bytes = db.memo.values().map(|e| e.body.len()).sum();
    (
        db.secrets.len(),
        db.enrollments.len(),
        db.logs.len(),
        db.memo.len(),
        memo_bytes,
    )
}

#[tokio::test]
async fn repeated_near_limit_requests_leave_state_bounded() {
    let limit = 64 * KIB;
    let env = start_with(Limits {
        control_body: limit,
        gateway_body: limit,
        log_rows: 20,
        memo_entries: 10,
        ..Limits::default()
    })
    .await;
    assert_eq!(
        env.demo(
            "POST",
            "/request-logs/start?truncate_long_message=false",
            None
        )
        .await
        .status,
        200
    );
    let (secrets, enrollments, _, _, _) = held(&env);
    let svc = sid(SIMPLE_SERVICE);
    for i in 0..200 {
        let near = body_of(limit - 64);
        match i % 4 {
            0 => {
                let r = env
                    .demo_raw("PUT", &format!("/secrets/BIG_{i}"), near)
                    .await;
                assert_eq!(r.status, 422, "{i}");
                assert!(r.text.len() < 1024, "a 422 does not echo the body");
            }
            1 => {
                let r = env
                    .demo_raw("POST", "/enrollments/", body_of(limit + 1))
                    .await;
                assert_eq!(r.status, 413, "{i}");
            }
            2 => {
                // Distinct bodies, so every one is a new memo entry and a new log row.
                let body = json!({"n": i, "value": "x".repeat(limit - 64)}).to_string();
                let url = format!("{}/m/l/p/{svc}/echo?_ttl=1h", env.gw);
                let r = env.send("POST", &url, Some(&env.key), Some(body)).await;
                assert_eq!(r.status, 200, "{i}: {}", &r.text[..r.text.len().min(200)]);
            }
            _ => {
                let url = format!("{}/l/p/{svc}/echo", env.gw);
                let r = env
                    .send("POST", &url, Some(&env.key), Some(body_of(limit + 1)))
                    .await;
                assert_eq!(r.status, 413, "{i}");
            }
        }
    }
    let (s, e, logs, memo, memo_bytes) = held(&env);
    assert_eq!(
        (s, e),
        (secrets, enrollments),
        "rejected bodies were stored"
    );
    assert!(logs <= 20, "{logs} log rows kept");
    assert!(memo <= 10, "{memo} memo entries kept");
    assert!(memo_bytes <= 10 * 2 * limit, "{memo_bytes} bytes memoized");
    assert_eq!(env.demo("GET", "/groups", None).await.status, 200);
}

/// 120 MB: above the upload limit and above the old 64 MiB drain cap.
const HUGE: usize = 120 * 1000 * 1000;

/// Sends a `HUGE` declared body over a raw socket, then reads whatever the server answers.
fn raw_huge_post(addr: std::net::SocketAddr, path: &str, key: &str) -> std::io::Result<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr)?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(60)))?;
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {key}\r\n\
         content-type: application/json\r\ncontent-length: {HUGE}\r\n\r\n"
    );
    s.write_all(head.as_bytes())?;
    let chunk = vec![b'x'; 1 << 20];
    let mut sent = 0;
    while sent < HUGE {
        let n = chunk.len().min(HUGE - sent);
        s.write_all(&chunk[..n])?;
        sent += n;
    }
    let mut out = Vec::new();
    s.read_to_end(&mut out)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[tokio::test]
async fn a_120_mb_body_gets_a_json_413_not_a_reset() {
    let env = start().await;
    let addr = env.sb.addr();
    let key = env.key.clone();
    for path in [
        "/v1/secrets/BIG",
        "/_sandbox/files/abc",
        "/p/x/v1/chat/completions",
    ] {
        let k = key.clone();
        let answer = tokio::task::spawn_blocking(move || raw_huge_post(addr, path, &k))
            .await
            .expect("join");
        let answer = answer.unwrap_or_else(|e| panic!("{path}: transport error {e}"));
        assert!(answer.starts_with("HTTP/1.1 413"), "{path}: {answer:.200}");
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or("");
        let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        assert!(
            v["detail"]
                .as_str()
                .is_some_and(|d| d.contains("too large")),
            "{path}: {answer:.300}"
        );
    }

    // The same through an HTTP client library that sends the whole body before reading.
    let r = env
        .http
        .post(format!("{}/secrets/BIG", env.base))
        .bearer_auth(&env.key)
        .timeout(std::time::Duration::from_secs(60))
        .body(vec![b'x'; HUGE])
        .send()
        .await
        .expect("reqwest gets the answer");
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = r.json::<Value>().await.unwrap_or(Value::Null);
    assert_json_413(status, &ct, &body, "reqwest, 120 MB");
}
