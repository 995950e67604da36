//! The fault matrix: a raw TCP server writes exact bytes (resets, stalls, truncation, huge
//! bodies, redirects) and every case asserts the error kind, a bound on time and how many
//! requests reached the server. Each group prints its table of case, expected and got.

mod common;

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use unitysvc::{Client, ErrorKind, Method, RetryBudget, RetryPolicy};

const SERVICE: &str = "6f1c3c1e-8f7e-4a53-9d55-3f5b1c2f0a11";

/// What the server does with the n-th request (0-based) it receives.
#[derive(Clone)]
enum Act {
    /// Writes these bytes and closes.
    Write(Vec<u8>),
    /// Writes these bytes, then keeps the connection open without a word.
    WriteThenStall(Vec<u8>),
    /// Closes with a TCP reset before writing anything.
    Reset,
    /// Never answers.
    Stall,
    /// Announces `len` bytes of JSON and streams them in 64 KiB chunks, with this status
    /// line (`200 OK` unless said).
    Huge {
        len: usize,
        chunked: bool,
        status: &'static str,
        /// Counts the body bytes the client took before it hung up.
        sent: Arc<AtomicUsize>,
    },
}

type Script = Arc<dyn Fn(usize) -> Act + Send + Sync>;

struct FaultServer {
    addr: SocketAddr,
    hits: Arc<AtomicUsize>,
}

impl FaultServer {
    async fn start(script: impl Fn(usize) -> Act + Send + Sync + 'static) -> FaultServer {
        FaultServer::start_at("127.0.0.1:0", script).await
    }

    /// A server on another loopback address, e.g. `127.0.0.2:0`: another origin.
    async fn start_at(
        addr: &str,
        script: impl Fn(usize) -> Act + Send + Sync + 'static,
    ) -> FaultServer {
        let listener = TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(AtomicUsize::new(0));
        let script: Script = Arc::new(script);
        let counter = hits.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let script = script.clone();
                let counter = counter.clone();
                tokio::spawn(async move {
                    if read_request(&socket).await.is_some() {
                        let n = counter.fetch_add(1, Ordering::SeqCst);
                        act(socket, script(n)).await;
                    }
                });
            }
        });
        FaultServer { addr, hits }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// Reads one request head and its `Content-Length` body.
async fn read_request(socket: &TcpStream) -> Option<()> {
    let mut head = Vec::new();
    let mut byte = [0u8; 4096];
    loop {
        socket.readable().await.ok()?;
        match socket.try_read(&mut byte) {
            Ok(0) => return None,
            Ok(n) => head.extend_from_slice(&byte[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(_) => return None,
        }
        if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            let text = String::from_utf8_lossy(&head[..end]).to_ascii_lowercase();
            let len: usize = text
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            let mut have = head.len() - end - 4;
            while have < len {
                socket.readable().await.ok()?;
                match socket.try_read(&mut byte) {
                    Ok(0) => return None,
                    Ok(n) => have += n,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                    Err(_) => return None,
                }
            }
            return Some(());
        }
    }
}

async fn act(mut socket: TcpStream, act: Act) {
    match act {
        Act::Write(bytes) => {
            let _ = socket.write_all(&bytes).await;
            let _ = socket.shutdown().await;
        }
        Act::WriteThenStall(bytes) => {
            let _ = socket.write_all(&bytes).await;
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Act::Reset => {
            let _ = socket.set_zero_linger();
            drop(socket);
        }
        Act::Stall => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Act::Huge {
            len,
            chunked,
            status,
            sent: counted,
        } => {
            let head = if chunked {
                format!("HTTP/1.1 {status}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n")
            } else {
                format!("HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {len}\r\nconnection: close\r\n\r\n")
            };
            if socket.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = vec![b' '; 64 * 1024];
            let mut sent = 0;
            while sent < len {
                let n = chunk.len().min(len - sent);
                let ok = if chunked {
                    let mut framed = format!("{n:x}\r\n").into_bytes();
                    framed.extend_from_slice(&chunk[..n]);
                    framed.extend_from_slice(b"\r\n");
                    socket.write_all(&framed).await.is_ok()
                } else {
                    socket.write_all(&chunk[..n]).await.is_ok()
                };
                if !ok {
                    return;
                }
                sent += n;
                counted.fetch_add(n, Ordering::SeqCst);
            }
            if chunked {
                let _ = socket.write_all(b"0\r\n\r\n").await;
            }
        }
    }
}

fn response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\n", body.len());
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn json(status: &str, body: &str) -> Act {
    Act::Write(response(
        status,
        &[("content-type", "application/json")],
        body.as_bytes(),
    ))
}

/// A body the SDK decodes as a service, taken from the sandbox so it stays valid.
async fn service_body() -> String {
    let (_sb, client) = common::start().await;
    let service = client
        .services()
        .get(common::service_id(common::SIMPLE_SERVICE))
        .await
        .unwrap();
    serde_json::to_string(service.record()).unwrap()
}

/// A client of `server` with one setting changed from the defaults.
fn client_with(
    server: &FaultServer,
    setting: impl FnOnce(unitysvc::ClientBuilder) -> unitysvc::ClientBuilder,
) -> Client {
    setting(
        Client::builder()
            .base_url(format!("{}/v1", server.url()))
            .api_key("svcpass_x")
            .ignore_env(),
    )
    .build()
    .unwrap()
}

fn client_for(server: &FaultServer, timeout: Duration) -> Client {
    Client::builder()
        .base_url(format!("{}/v1", server.url()))
        .api_key("svcpass_faultkey")
        .timeout(timeout)
        .retry(RetryPolicy::default().backoff(Duration::from_millis(50), Duration::from_secs(5)))
        .ignore_env()
        .build()
        .unwrap()
}

/// One row of a fault table.
struct Row {
    case: &'static str,
    expected: String,
    got: String,
    ok: bool,
}

/// What a case must produce: `None` means success.
struct Expect {
    kind: Option<ErrorKind>,
    within: Duration,
    hits: std::ops::RangeInclusive<usize>,
}

fn expect(
    kind: Option<ErrorKind>,
    within_ms: u64,
    hits: std::ops::RangeInclusive<usize>,
) -> Expect {
    Expect {
        kind,
        within: Duration::from_millis(within_ms),
        hits,
    }
}

type Outcome = Result<(), unitysvc::Error>;

async fn run_case<F>(
    rows: &mut Vec<Row>,
    case: &'static str,
    server: &FaultServer,
    want: Expect,
    call: F,
) -> Outcome
where
    F: Future<Output = Outcome>,
{
    let started = Instant::now();
    let outcome = call.await;
    let elapsed = started.elapsed();
    // Let a retry still in flight show up in the count before it is read.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let hits = server.hits();
    let kind = outcome.as_ref().err().map(|e| e.kind());
    let ok = kind == want.kind && elapsed <= want.within && want.hits.contains(&hits);
    rows.push(Row {
        case,
        expected: format!(
            "{} ≤{:.1}s hits {:?}",
            want.kind.map_or("ok".to_owned(), |k| format!("{k:?}")),
            want.within.as_secs_f64(),
            want.hits
        ),
        got: format!(
            "{} {:.2}s hits {hits}{}",
            kind.map_or("ok".to_owned(), |k| format!("{k:?}")),
            elapsed.as_secs_f64(),
            outcome
                .as_ref()
                .err()
                .map_or(String::new(), |e| format!(" — {e}"))
        ),
        ok,
    });
    outcome
}

fn report(title: &str, rows: &[Row]) {
    println!("\n{title}\n{:<44} {:<36} got", "case", "expected");
    for r in rows {
        let mark = if r.ok { "ok  " } else { "FAIL" };
        println!("{mark} {:<40} {:<36} {}", r.case, r.expected, r.got);
    }
    let failed: Vec<_> = rows.iter().filter(|r| !r.ok).map(|r| r.case).collect();
    assert!(failed.is_empty(), "failed cases: {failed:?}");
}

fn boxed<'a>(
    f: impl Future<Output = Outcome> + Send + 'a,
) -> Pin<Box<dyn Future<Output = Outcome> + Send + 'a>> {
    Box::pin(f)
}

#[tokio::test]
async fn control_plane_faults() {
    let body = service_body().await;
    let mut rows = Vec::new();
    let get = |c: Client| boxed(async move { c.services().get(SERVICE).await.map(drop) });
    let post = |c: Client| boxed(async move { c.resolve("p/x").send().await.map(drop) });

    // Connection refused: a port nobody listens on.
    let refused = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        addr
    };
    let nobody = FaultServer {
        addr: refused,
        hits: Arc::new(AtomicUsize::new(0)),
    };
    let err = run_case(
        &mut rows,
        "connection refused",
        &nobody,
        expect(Some(ErrorKind::Connection), 2_000, 0..=0),
        get(client_for(&nobody, Duration::from_secs(5))),
    )
    .await
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("services.get: connection refused"),
        "{text}"
    );
    assert!(text.contains(&refused.to_string()), "{text}");

    let s = FaultServer::start(|_| Act::Reset).await;
    run_case(
        &mut rows,
        "reset before headers, GET (retried)",
        &s,
        expect(Some(ErrorKind::Connection), 2_000, 3..=3),
        get(client_for(&s, Duration::from_secs(5))),
    )
    .await
    .ok();

    let s = FaultServer::start(|_| Act::Reset).await;
    run_case(
        &mut rows,
        "reset before headers, POST (not re-sent)",
        &s,
        expect(Some(ErrorKind::Connection), 1_000, 1..=1),
        post(client_for(&s, Duration::from_secs(5))),
    )
    .await
    .ok();

    let s = FaultServer::start(|_| Act::Stall).await;
    let err = run_case(
        &mut rows,
        "stall before headers, 2 s deadline",
        &s,
        expect(Some(ErrorKind::Timeout), 2_600, 1..=1),
        get(client_for(&s, Duration::from_secs(2))),
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string().starts_with("services.get: timed out"),
        "{err}"
    );

    let s = FaultServer::start(|_| Act::WriteThenStall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{\"id\":".to_vec())).await;
    run_case(
        &mut rows,
        "stall after headers, 2 s deadline",
        &s,
        expect(Some(ErrorKind::Timeout), 2_600, 1..=1),
        get(client_for(&s, Duration::from_secs(2))),
    )
    .await
    .ok();

    let cut = body[..body.len() / 2].to_owned();
    let s = FaultServer::start(move |_| {
        Act::Write(response(
            "200 OK",
            &[("content-type", "application/json")],
            cut.as_bytes(),
        ))
    })
    .await;
    // The body above is complete (its length matches) but cut JSON: that is Decode.
    run_case(
        &mut rows,
        "truncated JSON, complete body",
        &s,
        expect(Some(ErrorKind::Decode), 1_000, 1..=1),
        get(client_for(&s, Duration::from_secs(5))),
    )
    .await
    .ok();

    let half = body[..body.len() / 2].to_owned();
    let full_len = body.len();
    let s = FaultServer::start(move |_| {
        let mut bytes = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {full_len}\r\nconnection: close\r\n\r\n").into_bytes();
        bytes.extend_from_slice(half.as_bytes());
        Act::Write(bytes)
    }).await;
    run_case(
        &mut rows,
        "close before Content-Length",
        &s,
        expect(Some(ErrorKind::Connection), 1_000, 1..=1),
        get(client_for(&s, Duration::from_secs(5))),
    )
    .await
    .ok();

    let s = FaultServer::start(|_| json("200 OK", r#"{"id": 42, "name": ["not", "a", "string"]}"#))
        .await;
    run_case(
        &mut rows,
        "wrong types",
        &s,
        expect(Some(ErrorKind::Decode), 1_000, 1..=1),
        get(client_for(&s, Duration::from_secs(5))),
    )
    .await
    .ok();

    let s = FaultServer::start(|_| {
        Act::Write(response(
            "200 OK",
            &[("content-type", "application/json")],
            b"{\"id\": \"\xff\xfe\"}",
        ))
    })
    .await;
    run_case(
        &mut rows,
        "invalid UTF-8",
        &s,
        expect(Some(ErrorKind::Decode), 1_000, 1..=1),
        get(client_for(&s, Duration::from_secs(5))),
    )
    .await
    .ok();

    let s = FaultServer::start(|_| {
        Act::Write(response(
            "502 Bad Gateway",
            &[("content-type", "text/html")],
            b"<html><body>bad gateway</body></html>",
        ))
    })
    .await;
    let err = run_case(
        &mut rows,
        "HTML 502 (retried, then Server)",
        &s,
        expect(Some(ErrorKind::Server), 2_000, 3..=3),
        get(client_for(&s, Duration::from_secs(5))),
    )
    .await
    .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));

    let ok_body = body.clone();
    let s = FaultServer::start(move |n| {
        if n == 0 {
            json("503 Service Unavailable", r#"{"detail":"busy"}"#)
        } else {
            json("200 OK", &ok_body)
        }
    })
    .await;
    run_case(
        &mut rows,
        "503 then 200 on GET",
        &s,
        expect(None, 1_500, 2..=2),
        get(client_for(&s, Duration::from_secs(5))),
    )
    .await
    .ok();

    let s = FaultServer::start(|_| json("503 Service Unavailable", r#"{"detail":"busy"}"#)).await;
    run_case(
        &mut rows,
        "503 on POST (not re-sent)",
        &s,
        expect(Some(ErrorKind::Server), 1_000, 1..=1),
        post(client_for(&s, Duration::from_secs(5))),
    )
    .await
    .ok();

    let ok_body = body.clone();
    let s = FaultServer::start(move |n| {
        if n == 0 {
            Act::Write(response(
                "429 Too Many Requests",
                &[("retry-after", "1")],
                b"{\"detail\":\"slow down\"}",
            ))
        } else {
            json("200 OK", &ok_body)
        }
    })
    .await;
    let started = Instant::now();
    run_case(
        &mut rows,
        "429 Retry-After 1 s (waited, then ok)",
        &s,
        expect(None, 2_000, 2..=2),
        get(client_for(&s, Duration::from_secs(5))),
    )
    .await
    .ok();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "retried early"
    );

    let s = FaultServer::start(|_| {
        Act::Write(response(
            "429 Too Many Requests",
            &[("retry-after", "3600")],
            b"{\"detail\":\"slow down\"}",
        ))
    })
    .await;
    let err = run_case(
        &mut rows,
        "429 Retry-After 3600 s (at once)",
        &s,
        expect(Some(ErrorKind::RateLimit), 500, 1..=1),
        get(client_for(&s, Duration::from_secs(5))),
    )
    .await
    .unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));

    let s = FaultServer::start(|_| {
        let when = (chrono::Utc::now() + chrono::Duration::hours(1))
            .to_rfc2822()
            .replace("+0000", "GMT");
        Act::Write(response(
            "429 Too Many Requests",
            &[("retry-after", &when)],
            b"{}",
        ))
    })
    .await;
    let err = run_case(
        &mut rows,
        "429 Retry-After HTTP-date (at once)",
        &s,
        expect(Some(ErrorKind::RateLimit), 500, 1..=1),
        get(client_for(&s, Duration::from_secs(5))),
    )
    .await
    .unwrap_err();
    let wait = err.retry_after().unwrap();
    assert!(
        wait > Duration::from_secs(3500) && wait <= Duration::from_secs(3600),
        "{wait:?}"
    );

    let s = FaultServer::start(|_| {
        Act::Write(response(
            "503 Service Unavailable",
            &[("retry-after-ms", "1500")],
            b"{}",
        ))
    })
    .await;
    let c = client_with(&s, |b| b.timeout(Duration::from_secs(1)));
    let err = run_case(
        &mut rows,
        "retry-after-ms past the deadline",
        &s,
        expect(Some(ErrorKind::Server), 500, 1..=1),
        get(c),
    )
    .await
    .unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_millis(1500)));

    let s = FaultServer::start(|_| Act::Huge {
        len: 100 * 1024 * 1024,
        chunked: false,
        status: "200 OK",
        sent: Arc::default(),
    })
    .await;
    let c = client_with(&s, |b| b.max_response_size(1024 * 1024));
    let err = run_case(
        &mut rows,
        "100 MB body, Content-Length",
        &s,
        expect(Some(ErrorKind::TooLarge), 2_000, 1..=1),
        get(c),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("1 MiB"), "{err}");

    let s = FaultServer::start(|_| Act::Huge {
        len: 100 * 1024 * 1024,
        chunked: true,
        status: "200 OK",
        sent: Arc::default(),
    })
    .await;
    let c = client_with(&s, |b| b.max_response_size(1024 * 1024));
    run_case(
        &mut rows,
        "100 MB body, chunked",
        &s,
        expect(Some(ErrorKind::TooLarge), 3_000, 1..=1),
        get(c),
    )
    .await
    .ok();

    let big_error = format!("{{\"detail\":\"{}\"}}", "x".repeat(1024 * 1024));
    let s = FaultServer::start(move |_| json("400 Bad Request", &big_error)).await;
    let err = run_case(
        &mut rows,
        "1 MB error body (kept ≤ 64 KiB)",
        &s,
        expect(Some(ErrorKind::Validation), 1_000, 1..=1),
        get(client_for(&s, Duration::from_secs(5))),
    )
    .await
    .unwrap_err();
    assert_eq!(err.body().map(<[u8]>::len), Some(64 * 1024));

    let s = FaultServer::start(|n| {
        Act::Write(response(
            "302 Found",
            &[("location", &format!("/v1/services/loop{n}"))],
            b"",
        ))
    })
    .await;
    run_case(
        &mut rows,
        "redirect loop",
        &s,
        expect(Some(ErrorKind::Api), 2_000, 11..=11),
        get(client_for(&s, Duration::from_secs(5))),
    )
    .await
    .ok();

    let elsewhere = FaultServer::start(|_| json("200 OK", "{}")).await;
    let target = format!(
        "{}/v1/services/{SERVICE}",
        elsewhere.url().replace("127.0.0.1", "localhost")
    );
    let s = FaultServer::start(move |_| {
        Act::Write(response(
            "307 Temporary Redirect",
            &[("location", &target)],
            b"",
        ))
    })
    .await;
    let err = run_case(
        &mut rows,
        "cross-origin redirect (refused)",
        &s,
        expect(Some(ErrorKind::Api), 1_000, 1..=1),
        get(client_for(&s, Duration::from_secs(5))),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("another origin"), "{err}");
    assert_eq!(elsewhere.hits(), 0, "nothing reached the other origin");

    let s = FaultServer::start(|_| {
        json(
            "401 Unauthorized",
            r#"{"detail":"key svcpass_faultkey is not valid"}"#,
        )
    })
    .await;
    let err = run_case(
        &mut rows,
        "key echoed in an error",
        &s,
        expect(Some(ErrorKind::Authentication), 1_000, 1..=1),
        get(client_for(&s, Duration::from_secs(5))),
    )
    .await
    .unwrap_err();
    for shown in [
        err.to_string(),
        format!("{err:?}"),
        String::from_utf8_lossy(err.body().unwrap()).into_owned(),
    ] {
        assert!(!shown.contains("svcpass_faultkey"), "{shown}");
        assert!(shown.contains("[redacted]"), "{shown}");
    }

    report("control plane", &rows);
}

#[tokio::test]
async fn default_timeout_bounds_the_whole_call() {
    // With a 2 s timeout and default retries, a server that never answers costs ~2 s,
    // not one timeout per attempt plus the waits between them.
    let s = FaultServer::start(|_| Act::Stall).await;
    let c = client_with(&s, |b| b.timeout(Duration::from_secs(2)));
    let started = Instant::now();
    let err = c.groups().get("llm").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(
        started.elapsed() < Duration::from_millis(2_600),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(s.hits(), 1);
}

/// A group as the control plane answers it, with its interface at `base_url`.
async fn group_body(base_url: &str) -> String {
    let (_sb, client) = common::start().await;
    let group = client.groups().get("llm").await.unwrap();
    let mut record = serde_json::to_value(group.record()).unwrap();
    record["interface"]["base_url"] = base_url.into();
    record.to_string()
}

/// One interface at `base_url`, as the control plane lists a service's interfaces.
fn interfaces_body(base_url: &str) -> String {
    serde_json::json!([{
        "name": "canonical", "access_method": "http", "base_url": base_url,
        "description": null, "enrollment_id": null, "group_name": null,
    }])
    .to_string()
}

#[tokio::test]
async fn trust_boundary_faults() {
    let mut rows = Vec::new();
    // 127.0.0.2 is loopback too, but another origin than the control plane's 127.0.0.1.
    let elsewhere = FaultServer::start_at("127.0.0.2:0", |_| json("200 OK", "{}")).await;
    let foreign_origin = elsewhere.url();
    let foreign = format!("{foreign_origin}/p/{SERVICE}");
    let listed = interfaces_body(&foreign);
    let plane = FaultServer::start(move |_| json("200 OK", &listed)).await;
    let client = || client_for(&plane, Duration::from_secs(5));
    let names_origin = |err: &unitysvc::Error, label: &str| {
        let text = err.to_string();
        assert!(text.starts_with(&format!("{label}: ")), "{text}");
        assert!(text.contains(&foreign_origin), "{text}");
        assert!(text.contains("trust_origin"), "{text}");
    };

    let c = client();
    let err = run_case(
        &mut rows,
        "interface base_url elsewhere (refused)",
        &elsewhere,
        expect(Some(ErrorKind::InvalidInput), 1_000, 0..=0),
        boxed(async move {
            c.services()
                .dispatch(SERVICE)
                .path("chat")
                .header("x-api-key", "user-secret")
                .json(&serde_json::json!({"q": 1}))
                .send()
                .await
                .map(drop)
        }),
    )
    .await
    .unwrap_err();
    names_origin(&err, &format!("gateway p/{SERVICE}"));

    let c = client();
    let err = run_case(
        &mut rows,
        "interface base_url elsewhere, stream",
        &elsewhere,
        expect(Some(ErrorKind::InvalidInput), 1_000, 0..=0),
        boxed(async move { c.services().dispatch(SERVICE).stream().await.map(drop) }),
    )
    .await
    .unwrap_err();
    names_origin(&err, &format!("gateway p/{SERVICE}"));

    let c = client();
    run_case(
        &mut rows,
        "interface base_url elsewhere, build()",
        &elsewhere,
        expect(Some(ErrorKind::InvalidInput), 1_000, 0..=0),
        boxed(async move { c.services().dispatch(SERVICE).build().await.map(drop) }),
    )
    .await
    .ok();

    let c = client();
    let before = plane.hits();
    let err = run_case(
        &mut rows,
        "schedule to an interface elsewhere",
        &elsewhere,
        expect(Some(ErrorKind::InvalidInput), 1_000, 0..=0),
        boxed(async move {
            c.services()
                .schedule(SERVICE, unitysvc::Schedule::every(Duration::from_secs(300)))
                .path("chat")
                .send()
                .await
                .map(drop)
        }),
    )
    .await
    .unwrap_err();
    names_origin(&err, "services.schedule");
    assert_eq!(
        plane.hits() - before,
        1,
        "only the interface lookup was sent"
    );

    let group = group_body(&format!("{foreign_origin}/g/llm")).await;
    let group_plane = FaultServer::start(move |_| json("200 OK", &group)).await;
    let c = client_for(&group_plane, Duration::from_secs(5));
    let err = run_case(
        &mut rows,
        "group interface elsewhere (refused)",
        &elsewhere,
        expect(Some(ErrorKind::InvalidInput), 1_000, 0..=0),
        boxed(async move { c.groups().dispatch("llm").send().await.map(drop) }),
    )
    .await
    .unwrap_err();
    names_origin(&err, "gateway g/llm");

    // Stored paths (chain steps, broadcast targets, aliases) are gateway-relative: an
    // absolute one is refused before the control plane hears of it.
    let absolute = format!("{foreign_origin}/p/{SERVICE}");
    let quiet = FaultServer::start(|_| json("200 OK", "{}")).await;
    let (c, path) = (client_for(&quiet, Duration::from_secs(5)), absolute.clone());
    run_case(
        &mut rows,
        "chain step to another origin",
        &quiet,
        expect(Some(ErrorKind::InvalidInput), 1_000, 0..=0),
        boxed(async move {
            let step = unitysvc::chains::ChainStep::new("s", path, 0);
            c.chains().create("c").step(step).send().await.map(drop)
        }),
    )
    .await
    .ok();
    let (c, path) = (client_for(&quiet, Duration::from_secs(5)), absolute.clone());
    run_case(
        &mut rows,
        "broadcast target to another origin",
        &quiet,
        expect(Some(ErrorKind::InvalidInput), 1_000, 0..=0),
        boxed(async move {
            let target = unitysvc::broadcasts::BroadcastTarget::new("t", path);
            c.broadcasts()
                .create("b")
                .target(target)
                .send()
                .await
                .map(drop)
        }),
    )
    .await
    .ok();
    let (c, path) = (client_for(&quiet, Duration::from_secs(5)), absolute.clone());
    run_case(
        &mut rows,
        "alias to another origin",
        &quiet,
        expect(Some(ErrorKind::InvalidInput), 1_000, 0..=0),
        boxed(async move { c.aliases().create("a", path).send().await.map(drop) }),
    )
    .await
    .ok();

    let bad = Client::builder()
        .api_key("svcpass_x")
        .trust_origin(format!("{foreign_origin}/some/path"))
        .ignore_env()
        .build()
        .unwrap_err();
    assert_eq!(bad.kind(), ErrorKind::InvalidInput);
    assert_eq!(bad.parameter(), Some("origin"));
    for not_origin in [
        "gateway.example",
        "ftp://gateway.example",
        "https://u:p@gw.example",
    ] {
        let built = Client::builder()
            .trust_origin(not_origin)
            .ignore_env()
            .build();
        assert!(built.is_err(), "{not_origin} was accepted");
    }

    let c = client_with(&plane, |b| b.trust_origin(&foreign_origin));
    run_case(
        &mut rows,
        "interface elsewhere, trust_origin (sent)",
        &elsewhere,
        expect(None, 1_000, 1..=1),
        boxed(async move { c.services().dispatch(SERVICE).send().await.map(drop) }),
    )
    .await
    .ok();

    report("trust boundaries", &rows);
}

/// A server that answers `status` with a 100 MB body, sent in 64 KiB chunks as long as
/// the client reads.
async fn huge_error(status: &'static str, chunked: bool) -> (FaultServer, Arc<AtomicUsize>) {
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    let server = FaultServer::start(move |_| Act::Huge {
        len: HUNDRED_MB,
        chunked,
        status,
        sent: counter.clone(),
    })
    .await;
    (server, sent)
}

const HUNDRED_MB: usize = 100 * 1024 * 1024;

/// The rest of a cut error body is dropped unread: the server got rid of a small part
/// of its 100 MB before the client hung up (socket buffers hold a few MB at most).
fn dropped_unread(sent: &AtomicUsize) {
    let sent = sent.load(Ordering::SeqCst);
    assert!(sent < HUNDRED_MB / 4, "{sent} bytes were taken");
}

#[tokio::test]
async fn size_cap_faults() {
    let mut rows = Vec::new();
    let get = |c: Client| boxed(async move { c.services().get(SERVICE).await.map(drop) });
    let kept = |err: &unitysvc::Error| err.body().map_or(0, <[u8]>::len);

    for (case, chunked) in [
        ("500 with 100 MB body, Content-Length", false),
        ("500 with 100 MB body, chunked", true),
    ] {
        let (s, sent) = huge_error("500 Internal Server Error", chunked).await;
        let c = client_with(&s, |b| b.max_response_size(1024 * 1024));
        let err = run_case(
            &mut rows,
            case,
            &s,
            expect(Some(ErrorKind::Server), 2_000, 1..=1),
            get(c),
        )
        .await
        .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(500), "{err}");
        assert_eq!(kept(&err), 64 * 1024);
        dropped_unread(&sent);
    }

    let (s, _) = huge_error("404 Not Found", false).await;
    let c = client_with(&s, |b| b.max_error_body_size(100 * 1024));
    let err = run_case(
        &mut rows,
        "404 with 100 MB body, 100 KiB error cap",
        &s,
        expect(Some(ErrorKind::NotFound), 2_000, 1..=1),
        get(c),
    )
    .await
    .unwrap_err();
    assert_eq!(
        kept(&err),
        100 * 1024,
        "the configured cap, not the default"
    );

    // A 503 is retried; each attempt's body is dropped after the cap.
    let (s, _) = huge_error("503 Service Unavailable", true).await;
    let c = client_with(&s, |b| {
        b.retry(RetryPolicy::default().backoff(Duration::from_millis(10), Duration::from_secs(1)))
    });
    let err = run_case(
        &mut rows,
        "503 with 100 MB body (retried)",
        &s,
        expect(Some(ErrorKind::Server), 3_000, 3..=3),
        get(c),
    )
    .await
    .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));

    let s = FaultServer::start(|_| Act::Huge {
        len: 2 * 1024 * 1024,
        chunked: false,
        status: "200 OK",
        sent: Arc::default(),
    })
    .await;
    let c = client_with(&s, |b| b.max_response_size(1024 * 1024));
    run_case(
        &mut rows,
        "2 MB success body, 1 MiB cap (TooLarge)",
        &s,
        expect(Some(ErrorKind::TooLarge), 2_000, 1..=1),
        get(c),
    )
    .await
    .ok();

    let answer = Arc::new(std::sync::Mutex::new(None));
    for (case, chunked, cap) in [
        ("gateway 500, 100 MB body", false, None),
        ("gateway 502, 100 MB chunked, 1 KiB cap", true, Some(1024)),
    ] {
        let (s, sent) = huge_error(
            if chunked {
                "502 Bad Gateway"
            } else {
                "500 Internal Server Error"
            },
            chunked,
        )
        .await;
        let c = client_with(&s, |b| match cap {
            Some(cap) => b.max_error_body_size(cap).max_response_size(1024 * 1024),
            None => b.max_response_size(1024 * 1024),
        });
        let slot = answer.clone();
        run_case(
            &mut rows,
            case,
            &s,
            expect(None, 2_000, 1..=1),
            boxed(async move {
                let resp = c.dispatch("p/x/chat").send().await?;
                *slot.lock().unwrap() = Some(resp);
                Ok(())
            }),
        )
        .await
        .ok();
        let resp = answer.lock().unwrap().take().expect("an answer");
        assert!(resp.status().is_server_error());
        assert!(resp.is_truncated());
        assert_eq!(resp.bytes().len(), cap.unwrap_or(64 * 1024));
        let err = resp.error_for_status().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
        assert_eq!(kept(&err), cap.unwrap_or(64 * 1024));
        dropped_unread(&sent);
        println!(
            "{case}: the server got {} bytes out",
            sent.load(Ordering::SeqCst)
        );
    }

    report("size caps", &rows);
}

/// `n` concurrent `services.get` calls; every one fails, or the first success is an error.
async fn burst(client: &Client, n: usize) -> Outcome {
    let calls = (0..n).map(|_| {
        let c = client.clone();
        async move { c.services().get(SERVICE).await.map(drop) }
    });
    let outcomes = futures::future::join_all(calls).await;
    let kinds: Vec<_> = outcomes
        .iter()
        .map(|o| o.as_ref().err().map(|e| e.kind()))
        .collect();
    assert!(
        kinds.iter().all(|k| *k == Some(ErrorKind::Server)),
        "{kinds:?}"
    );
    outcomes.into_iter().next().unwrap_or(Ok(()))
}

#[tokio::test]
async fn retry_budget_faults() {
    let body = service_body().await;
    let mut rows = Vec::new();
    let down = Arc::new(AtomicBool::new(true));
    let fail_next = Arc::new(AtomicBool::new(false));
    let server = |down: Arc<AtomicBool>, fail_next: Arc<AtomicBool>, body: String| {
        FaultServer::start(move |_| {
            if down.load(Ordering::SeqCst) || fail_next.swap(false, Ordering::SeqCst) {
                json("503 Service Unavailable", r#"{"detail":"busy"}"#)
            } else {
                json("200 OK", &body)
            }
        })
    };
    let policy = RetryPolicy::default().backoff(Duration::from_millis(10), Duration::from_secs(1));
    // 100 tokens at 5 a retry: 20 retries among all callers.
    let budget = RetryBudget::new(100);
    let calls = 64;
    let most = calls + (budget.capacity / budget.retry_cost) as usize;

    let unbudgeted = server(
        Arc::new(AtomicBool::new(true)),
        Arc::new(AtomicBool::new(false)),
        body.clone(),
    )
    .await;
    let c = client_with(&unbudgeted, |b| b.retry(policy.without_budget()));
    run_case(
        &mut rows,
        "64 callers vs 503, no budget (3 each)",
        &unbudgeted,
        expect(Some(ErrorKind::Server), 5_000, 3 * calls..=3 * calls),
        burst(&c, calls),
    )
    .await
    .ok();

    let s = server(down.clone(), fail_next.clone(), body).await;
    let c = client_with(&s, |b| b.retry(policy.budget(budget)));
    run_case(
        &mut rows,
        "64 callers vs 503, budget 100 (≤ 20 retries)",
        &s,
        expect(Some(ErrorKind::Server), 5_000, calls..=most),
        burst(&c, calls),
    )
    .await
    .ok();

    let clone = c.clone();
    let at = s.hits();
    run_case(
        &mut rows,
        "empty bucket, clone: not retried",
        &s,
        expect(Some(ErrorKind::Server), 1_000, at + 1..=at + 1),
        burst(&clone, 1),
    )
    .await
    .ok();

    down.store(false, Ordering::SeqCst);
    let at = s.hits();
    let recovered = c.clone();
    run_case(
        &mut rows,
        "recovered: 10 calls refill 10 tokens",
        &s,
        expect(None, 2_000, at + 10..=at + 10),
        boxed(async move {
            for _ in 0..10 {
                recovered.services().get(SERVICE).await?;
            }
            Ok(())
        }),
    )
    .await
    .ok();

    fail_next.store(true, Ordering::SeqCst);
    let at = s.hits();
    run_case(
        &mut rows,
        "then one 503: retried again",
        &s,
        expect(None, 1_000, at + 2..=at + 2),
        boxed(async move { c.services().get(SERVICE).await.map(drop) }),
    )
    .await
    .ok();

    report("retry budget", &rows);
}

#[tokio::test]
async fn gateway_faults() {
    let mut rows = Vec::new();
    let dispatch = |c: Client, path: &'static str| {
        boxed(async move {
            c.dispatch(path)
                .json(&serde_json::json!({"q": 1}))
                .send()
                .await
                .map(drop)
        })
    };

    let s = FaultServer::start(|_| Act::Stall).await;
    let err = run_case(
        &mut rows,
        "stall before headers",
        &s,
        expect(Some(ErrorKind::Timeout), 2_600, 1..=1),
        dispatch(client_for(&s, Duration::from_secs(2)), "p/x/chat"),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("gateway p/x/chat: timed out after 2s ({})", s.addr)
    );

    let s = FaultServer::start(|_| Act::Reset).await;
    let err = run_case(
        &mut rows,
        "reset before headers",
        &s,
        expect(Some(ErrorKind::Connection), 1_000, 1..=1),
        dispatch(client_for(&s, Duration::from_secs(5)), "p/x/chat"),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().starts_with("gateway p/x/chat: "), "{err}");

    let s = FaultServer::start(|_| {
        let mut bytes = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\nconnection: close\r\n\r\n{\"choices\":".to_vec();
        bytes.extend_from_slice(b"[");
        Act::Write(bytes)
    }).await;
    run_case(
        &mut rows,
        "close before Content-Length",
        &s,
        expect(Some(ErrorKind::Connection), 1_000, 1..=1),
        dispatch(client_for(&s, Duration::from_secs(5)), "p/x/chat"),
    )
    .await
    .ok();

    let s = FaultServer::start(|_| Act::Huge {
        len: 100 * 1024 * 1024,
        chunked: true,
        status: "200 OK",
        sent: Arc::default(),
    })
    .await;
    let c = client_with(&s, |b| b.max_response_size(1024 * 1024));
    run_case(
        &mut rows,
        "100 MB buffered body",
        &s,
        expect(Some(ErrorKind::TooLarge), 3_000, 1..=1),
        dispatch(c, "p/x/files"),
    )
    .await
    .ok();

    let s = FaultServer::start(|_| json("502 Bad Gateway", "<html>upstream down</html>")).await;
    run_case(
        &mut rows,
        "upstream 502 is a response",
        &s,
        expect(None, 1_000, 1..=1),
        dispatch(client_for(&s, Duration::from_secs(5)), "p/x/chat"),
    )
    .await
    .ok();

    let elsewhere = FaultServer::start(|_| json("200 OK", "{}")).await;
    let target = format!(
        "{}/steal",
        elsewhere.url().replace("127.0.0.1", "localhost")
    );
    let s = FaultServer::start(move |_| {
        Act::Write(response(
            "307 Temporary Redirect",
            &[("location", &target)],
            b"",
        ))
    })
    .await;
    let c = client_for(&s, Duration::from_secs(5));
    let started = Instant::now();
    let resp = c
        .dispatch("p/x/chat")
        .header("x-api-key", "upstream-secret")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    rows.push(Row {
        case: "cross-origin redirect returns the 3xx",
        expected: "307, other origin 0 hits".into(),
        got: format!(
            "{} in {:.2}s, other origin {} hits",
            resp.status(),
            started.elapsed().as_secs_f64(),
            elsewhere.hits()
        ),
        ok: resp.status().as_u16() == 307 && elsewhere.hits() == 0,
    });

    let s = FaultServer::start(|_| {
        json(
            "401 Unauthorized",
            r#"{"detail":"upstream refused svcpass_faultkey"}"#,
        )
    })
    .await;
    let c = client_for(&s, Duration::from_secs(5));
    let resp = c.dispatch("p/x/chat").send().await.unwrap();
    let err = resp.error_for_status().unwrap_err();
    let shown = format!("{err} {err:?}");
    rows.push(Row {
        case: "key echoed by the gateway, redacted",
        expected: "Authentication, no key".into(),
        got: format!("{:?}: {err}", err.kind()),
        ok: err.kind() == ErrorKind::Authentication
            && !shown.contains("svcpass_faultkey")
            && shown.contains("[redacted]"),
    });

    // Every refused path fails before anything is sent.
    let s = FaultServer::start(|_| json("200 OK", "{}")).await;
    let c = client_for(&s, Duration::from_secs(5));
    for (case, path, sub) in [
        ("dispatch ../ in the path", "p/x/../../v1/secrets/K", ""),
        ("sub-path ../", "p/x", "../../v1/secrets/K"),
        ("sub-path %2e%2e", "p/x", "%2e%2e/%2e%2e/v1/secrets/K"),
        ("sub-path .%2E", "p/x", ".%2E/v1"),
        ("sub-path backslash", "p/x", "..\\v1"),
        ("sub-path leading //", "p/x", "//evil.example/x"),
        ("sub-path ://", "p/x", "http://evil.example/x"),
        ("dispatch leading //", "//evil.example/p/x", ""),
    ] {
        let c = c.clone();
        let call = boxed(async move {
            c.dispatch(path)
                .path(sub)
                .method(Method::DELETE)
                .send()
                .await
                .map(drop)
        });
        run_case(
            &mut rows,
            case,
            &s,
            expect(Some(ErrorKind::InvalidInput), 200, 0..=0),
            call,
        )
        .await
        .ok();
    }

    report("gateway, buffered", &rows);
}

#[tokio::test]
async fn stream_faults() {
    let mut rows = Vec::new();
    let sse_head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n";

    // A body cut after the headers surfaces as a Connection error item.
    let s = FaultServer::start(move |_| {
        let body = "data: {\"n\":1}\n\ndata: {\"n\"";
        Act::Write(
            format!("{sse_head}content-length: 1000\r\nconnection: close\r\n\r\n{body}")
                .into_bytes(),
        )
    })
    .await;
    let c = client_for(&s, Duration::from_secs(5));
    let call = boxed(async move {
        let mut events = c.dispatch("p/x/chat").stream().await?.events();
        let mut seen = 0;
        while let Some(event) = events.next().await {
            event?;
            seen += 1;
        }
        assert_eq!(seen, 1);
        Ok(())
    });
    let err = run_case(
        &mut rows,
        "SSE cut mid-event",
        &s,
        expect(Some(ErrorKind::Connection), 1_000, 1..=1),
        call,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().starts_with("gateway p/x/chat: "), "{err}");

    // 200 complete events in one 3 KB write are 200 events even with a 1 KiB limit.
    let many: String = (0..200).map(|i| format!("data: {i:>6}\n\n")).collect();
    assert!(many.len() > 2_500);
    let s = FaultServer::start(move |_| {
        Act::Write(
            format!(
                "{sse_head}content-length: {}\r\nconnection: close\r\n\r\n{many}",
                many.len()
            )
            .into_bytes(),
        )
    })
    .await;
    let c = client_with(&s, |b| b.max_event_size(1024));
    let call = boxed(async move {
        let events: Vec<_> = c
            .dispatch("p/x/chat")
            .stream()
            .await?
            .events()
            .collect()
            .await;
        let events: Result<Vec<_>, _> = events.into_iter().collect();
        assert_eq!(events?.len(), 200);
        Ok(())
    });
    run_case(
        &mut rows,
        "200 events in 3 KB, 1 KiB limit",
        &s,
        expect(None, 1_000, 1..=1),
        call,
    )
    .await
    .ok();

    // Heartbeats far beyond the limit keep the stream alive.
    let s = FaultServer::start(move |_| {
        let mut body = String::from(": ping\n\n").repeat(20_000);
        body.push_str("data: last\n\n");
        Act::Write(
            format!(
                "{sse_head}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            )
            .into_bytes(),
        )
    })
    .await;
    let c = client_with(&s, |b| b.max_event_size(1024));
    let call = boxed(async move {
        let events: Vec<_> = c
            .dispatch("p/x/chat")
            .stream()
            .await?
            .events()
            .collect()
            .await;
        assert_eq!(events.len(), 1);
        events.into_iter().next().unwrap().map(drop)
    });
    run_case(
        &mut rows,
        "160 KB of heartbeats, 1 KiB limit",
        &s,
        expect(None, 1_000, 1..=1),
        call,
    )
    .await
    .ok();

    // Blank NDJSON lines do not count either; one oversized line does.
    let s = FaultServer::start(move |_| {
        let mut body = "\n".repeat(10_000);
        // Large enough to arrive in several chunks, so it is held while being assembled.
        body.push_str(&format!("{{\"big\":\"{}\"}}\n", "x".repeat(1024 * 1024)));
        Act::Write(format!("HTTP/1.1 200 OK\r\ncontent-type: application/x-ndjson\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).into_bytes())
    }).await;
    let c = client_with(&s, |b| b.max_event_size(1024));
    let call = boxed(async move {
        let mut events = c.dispatch("p/x/chat").stream().await?.events();
        while let Some(event) = events.next().await {
            event?;
        }
        Ok(())
    });
    run_case(
        &mut rows,
        "NDJSON line over the limit",
        &s,
        expect(Some(ErrorKind::Stream), 1_000, 1..=1),
        call,
    )
    .await
    .ok();

    // A stream that stops sending fails after the idle timeout, not never.
    let s = FaultServer::start(move |_| {
        Act::WriteThenStall(format!("{sse_head}\r\ndata: 1\n\n").into_bytes())
    })
    .await;
    let c = client_with(&s, |b| b.stream_idle_timeout(Duration::from_secs(1)));
    let call = boxed(async move {
        let mut events = c.dispatch("p/x/chat").stream().await?.events();
        while let Some(event) = events.next().await {
            event?;
        }
        Ok(())
    });
    run_case(
        &mut rows,
        "stall mid-stream, 1 s idle limit",
        &s,
        expect(Some(ErrorKind::Timeout), 1_800, 1..=1),
        call,
    )
    .await
    .ok();

    report("gateway, streams", &rows);
}

#[test]
fn blocking_client_faults() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let refused = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let stall = rt.block_on(FaultServer::start(|_| Act::Stall));
    let reset = rt.block_on(FaultServer::start(|_| Act::Reset));
    let make = |url: String, timeout: u64| {
        unitysvc::blocking::Client::wrap(
            Client::builder()
                .base_url(format!("{url}/v1"))
                .api_key("svcpass_x")
                .timeout(Duration::from_secs(timeout))
                .retry(RetryPolicy::none())
                .ignore_env()
                .build()
                .unwrap(),
        )
        .unwrap()
    };
    let mut rows = Vec::new();
    let mut check = |case: &'static str,
                     want: ErrorKind,
                     within: Duration,
                     f: &dyn Fn() -> unitysvc::Result<()>| {
        let started = Instant::now();
        let kind = f().err().map(|e| e.kind());
        let elapsed = started.elapsed();
        rows.push(Row {
            case,
            expected: format!("{want:?} ≤{:.1}s", within.as_secs_f64()),
            got: format!("{kind:?} {:.2}s", elapsed.as_secs_f64()),
            ok: kind == Some(want) && elapsed <= within,
        });
    };
    let c = make(format!("http://{refused}"), 5);
    check(
        "blocking: connection refused",
        ErrorKind::Connection,
        Duration::from_secs(1),
        &|| c.services().get(SERVICE).send().map(drop),
    );
    let c = make(stall.url(), 1);
    check(
        "blocking: stall, 1 s deadline",
        ErrorKind::Timeout,
        Duration::from_millis(1_600),
        &|| c.services().get(SERVICE).send().map(drop),
    );
    let c = make(reset.url(), 5);
    check(
        "blocking: reset on dispatch",
        ErrorKind::Connection,
        Duration::from_secs(1),
        &|| c.dispatch("p/x/chat").send().map(drop),
    );
    check(
        "blocking: traversal refused",
        ErrorKind::InvalidInput,
        Duration::from_millis(100),
        &|| {
            c.dispatch("p/x")
                .path("../../v1/secrets/K")
                .send()
                .map(drop)
        },
    );
    assert_eq!(
        reset.hits(),
        1,
        "the refused traversal never reached the server"
    );
    report("blocking client", &rows);
}

/// What the sandbox answered, reduced to status and the first validation item's type (or
/// whether a `detail` string came back).
async fn sandbox_answer(resp: reqwest::Response) -> String {
    let status = resp.status().as_u16();
    let body: serde_json::Value = resp.json().await.unwrap_or(serde_json::Value::Null);
    let what = match &body["detail"] {
        serde_json::Value::String(_) => "detail".to_owned(),
        serde_json::Value::Array(items) => items
            .first()
            .and_then(|i| i["type"].as_str())
            .unwrap_or("?")
            .to_owned(),
        _ => "no detail".to_owned(),
    };
    format!("{status} {what}")
}

fn edge_row(rows: &mut Vec<Row>, case: &'static str, expected: &str, got: String) {
    rows.push(Row {
        case,
        ok: got == expected,
        expected: expected.to_owned(),
        got,
    });
}

/// The sandbox at its edges, as the SDK and a plain HTTP client meet them.
#[tokio::test]
async fn sandbox_edge_faults() {
    let (sb, client) = common::start().await;
    let http = common::http_builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let key = sb.api_key().to_owned();
    let base = sb.base_url();
    let mut rows = Vec::new();
    const HUGE: usize = 120 * 1000 * 1000;

    let id = unitysvc_sandbox::catalog::service_id(common::SIMPLE_SERVICE);
    let got = match client
        .services()
        .dispatch(id)
        .method(Method::POST)
        .path("/echo")
        .timeout(Duration::from_secs(60))
        .body(vec![b'x'; HUGE])
        .send()
        .await
    {
        Ok(resp) => {
            let detail = resp
                .json::<serde_json::Value>()
                .ok()
                .and_then(|v| v["detail"].as_str().map(str::to_owned));
            format!(
                "{} {}",
                resp.status().as_u16(),
                if detail.is_some() {
                    "detail"
                } else {
                    "no JSON"
                }
            )
        }
        Err(e) => format!("{:?} — {e}", e.kind()),
    };
    edge_row(&mut rows, "SDK dispatch, 120 MB body", "413 detail", got);

    let resp = http
        .put(format!("{base}/secrets/BIG"))
        .bearer_auth(&key)
        .body(vec![b'x'; HUGE])
        .send()
        .await;
    let got = match resp {
        Ok(r) => sandbox_answer(r).await,
        Err(e) => format!("transport error: {e}"),
    };
    edge_row(&mut rows, "control plane, 120 MB body", "413 detail", got);

    let post = |path: String, body: serde_json::Value| {
        let req = http
            .post(format!("{base}{path}"))
            .bearer_auth(&key)
            .json(&body);
        async move { sandbox_answer(req.send().await.unwrap()).await }
    };
    let bid = http
        .post(format!("{base}/broadcasts/"))
        .bearer_auth(&key)
        .json(&serde_json::json!({"name": "b"}))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let cid = http
        .post(format!("{base}/chains/"))
        .bearer_auth(&key)
        .json(&serde_json::json!({"name": "c"}))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let target = "/p/x/v1/chat/completions";
    let got = post(
        format!("/broadcasts/{bid}/targets"),
        serde_json::json!({"name": "t", "target_path": target, "sort_order": null}),
    )
    .await;
    edge_row(
        &mut rows,
        "broadcast target sort_order: null",
        "422 int_type",
        got,
    );
    let got = post(
        format!("/chains/{cid}/steps"),
        serde_json::json!({"name": "s", "target_path": target, "sort_order": 0, "on_failure": null}),
    )
    .await;
    edge_row(
        &mut rows,
        "chain step on_failure: null",
        "422 string_type",
        got,
    );
    let got = post(
        "/recurrent-requests/".into(),
        serde_json::json!({"request_path": target, "http_method": null}),
    )
    .await;
    edge_row(
        &mut rows,
        "recurrent http_method: null",
        "422 string_type",
        got,
    );
    let got = post(
        format!("/broadcasts/{bid}/targets"),
        serde_json::json!({"name": "t", "target_path": target, "sort_order": 1e30}),
    )
    .await;
    edge_row(&mut rows, "sort_order 1e30", "422 int_out_of_range", got);

    let r = http
        .get(format!("{base}/chains/zz"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = r.json().await.unwrap_or_default();
    let msg = body["detail"][0]["msg"].as_str().unwrap_or("?").to_owned();
    let want = format!(
        "Input should be a valid UUID, {}",
        uuid::Uuid::parse_str("zz").unwrap_err()
    );
    edge_row(&mut rows, "chain id \"zz\": message", &want, msg);

    let got = post("/groups/".into(), serde_json::json!({"name": ""})).await;
    edge_row(
        &mut rows,
        "group name \"\" (spec: no minLength)",
        "201 no detail",
        got,
    );
    let got = match client.groups().dispatch("").path("/x").send().await {
        Ok(r) => format!("sent: {}", r.status()),
        Err(e) => format!("{:?}", e.kind()),
    };
    edge_row(&mut rows, "SDK g/<empty name>", "InvalidInput", got);

    report("sandbox edges", &rows);
}
