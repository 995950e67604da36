//! Response compression over real HTTP: control-plane calls ask for gzip or zstd and decode
//! what comes back, size caps count decoded bytes, and gateway calls pass bodies as they are.

mod common;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use unitysvc::{Client, ErrorKind};
use unitysvc_sandbox::Sandbox;

/// A TCP relay to the sandbox that counts the bytes coming back, headers included.
struct WireCounter {
    addr: SocketAddr,
    down: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for WireCounter {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl WireCounter {
    async fn start(upstream: SocketAddr) -> WireCounter {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let down = Arc::new(AtomicU64::new(0));
        let count = down.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let count = count.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let (mut cr, mut cw) = client.into_split();
                    let (mut sr, mut sw) = server.into_split();
                    let up = async move {
                        let _ = tokio::io::copy(&mut cr, &mut sw).await;
                        let _ = sw.shutdown().await;
                    };
                    let back = async move {
                        let mut buf = vec![0u8; 64 * 1024];
                        while let Ok(n) = sr.read(&mut buf).await {
                            if n == 0 || cw.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                            count.fetch_add(n as u64, Ordering::Relaxed);
                        }
                    };
                    tokio::join!(up, back);
                });
            }
        });
        WireCounter { addr, down, task }
    }

    fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    fn take(&self) -> u64 {
        self.down.swap(0, Ordering::Relaxed)
    }
}

/// A loopback server that records each request head and answers every request with the
/// same bytes, then closes.
struct Canned {
    addr: SocketAddr,
    heads: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Canned {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Canned {
    async fn start(answer: Vec<u8>) -> Canned {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let log = heads.clone();
        let answer = Arc::new(answer);
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let (log, answer) = (log.clone(), answer.clone());
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    log.lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&head).to_ascii_lowercase());
                    let _ = stream.write_all(&answer).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        Canned { addr, heads, task }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

/// JSON text of `n` zero bytes that never ends.
fn zeros(n: usize) -> Vec<u8> {
    let mut text = b"{\"data\": \"".to_vec();
    text.resize(text.len() + n, b'0');
    text
}

/// `body` in `encoding` (`gzip`, or `zstd` in one frame per part).
fn encode(encoding: &str, parts: &[&[u8]]) -> Vec<u8> {
    match encoding {
        "gzip" => {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            for part in parts {
                encoder.write_all(part).unwrap();
            }
            encoder.finish().unwrap()
        }
        "zstd" => {
            let mut wire = Vec::new();
            for part in parts {
                let mut frame = Vec::with_capacity(zstd_safe::compress_bound(part.len()));
                zstd_safe::compress(&mut frame, part, 19).unwrap();
                wire.extend(frame);
            }
            wire
        }
        other => panic!("no encoder for {other}"),
    }
}

/// A complete HTTP/1.1 answer with a body in `encoding`.
fn encoded_answer(status: &str, encoding: &str, body: &[u8]) -> Vec<u8> {
    let mut answer = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-encoding: {encoding}\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(body);
    answer
}

fn client_to(base_url: &str, key: &str) -> unitysvc::ClientBuilder {
    Client::builder()
        .base_url(base_url)
        .api_key(key)
        .ignore_env()
}

#[tokio::test]
async fn control_plane_pages_arrive_compressed_and_read_the_same() {
    let sb = Sandbox::start().await.unwrap();
    let wire = WireCounter::start(sb.addr()).await;
    let packed = client_to(&wire.base_url(), sb.api_key()).build().unwrap();
    let plain = client_to(&wire.base_url(), sb.api_key())
        .compression(false)
        .build()
        .unwrap();
    assert!(packed.config().compression() && !plain.config().compression());

    let page = packed
        .groups()
        .services("llm")
        .limit(200)
        .send()
        .await
        .unwrap();
    let packed_bytes = wire.take();
    let same = plain
        .groups()
        .services("llm")
        .limit(200)
        .send()
        .await
        .unwrap();
    let plain_bytes = wire.take();

    let ids = |p: &unitysvc::pagination::CursorPage<unitysvc::Service>| {
        p.items.iter().map(|s| s.id).collect::<Vec<_>>()
    };
    assert_eq!(ids(&page), ids(&same));
    assert!(page.items.len() > 100, "{} items", page.items.len());
    assert!(
        packed_bytes * 3 < plain_bytes,
        "compressed {packed_bytes} B on the wire against {plain_bytes} B plain"
    );
}

#[tokio::test]
async fn sandbox_compresses_control_plane_json_only_when_asked() {
    let sb = Sandbox::start().await.unwrap();
    let raw = common::http_builder()
        .gzip(false)
        .zstd(false)
        .build()
        .unwrap();
    let page = format!("{}/groups/llm/services?limit=200", sb.base_url());
    let echo = format!(
        "{}/p/{}/echo",
        sb.gateway_url(),
        common::service_id(common::SIMPLE_SERVICE)
    );
    for (url, asked, expected) in [
        (&page, None, None),
        (&page, Some("gzip"), Some("gzip")),
        (&page, Some("zstd"), Some("zstd")),
        (&page, Some("br"), None),
        (&echo, Some("gzip"), None),
    ] {
        let mut request = raw.get(url).bearer_auth(sb.api_key());
        if let Some(asked) = asked {
            request = request.header("accept-encoding", asked);
        }
        let resp = request.send().await.unwrap();
        assert_eq!(resp.status(), 200, "{url} {asked:?}");
        let got = resp
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(got.as_deref(), expected, "{url} asking {asked:?}");
    }
}

#[tokio::test]
async fn size_cap_counts_decoded_bytes_not_wire_bytes() {
    let sb = Sandbox::start().await.unwrap();
    let wire = WireCounter::start(sb.addr()).await;
    let roomy = client_to(&wire.base_url(), sb.api_key()).build().unwrap();
    roomy
        .groups()
        .services("llm")
        .limit(200)
        .send()
        .await
        .unwrap();
    let packed = usize::try_from(wire.take()).unwrap();
    // Room for the compressed page and its headers, not for the decoded page.
    let cap = packed * 2;
    for compression in [true, false] {
        let tight = client_to(&sb.base_url(), sb.api_key())
            .compression(compression)
            .max_response_size(cap)
            .build()
            .unwrap();
        let err = tight
            .groups()
            .services("llm")
            .limit(200)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::TooLarge,
            "compression {compression}: {err}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_gzip_bomb_ends_in_too_large() {
    let sb = Sandbox::start().await.unwrap();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-sandbox-fault", "gzip-bomb=17179869184".parse().unwrap());
    let http = common::http_builder()
        .default_headers(headers)
        .build()
        .unwrap();
    let client = client_to(&sb.base_url(), sb.api_key())
        .http_client(http)
        .max_response_size(1 << 20)
        .build()
        .unwrap();
    let err = client.groups().list().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooLarge, "{err}");
}

#[tokio::test]
async fn sdk_asks_for_gzip_and_zstd_and_caps_a_bomb_at_the_decoded_size() {
    let text = zeros(64 << 20);
    for encoding in ["gzip", "zstd"] {
        let bomb = encode(encoding, &[&text]);
        assert!(
            bomb.len() < 1 << 20,
            "the {encoding} bomb is small on the wire"
        );
        let server = Canned::start(encoded_answer("200 OK", encoding, &bomb)).await;
        let client = client_to(&format!("{}/v1", server.url()), "svcpass_test")
            .max_response_size(4 << 20)
            .build()
            .unwrap();
        let err = client.groups().list().send().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TooLarge, "{encoding}: {err}");
        let heads = server.heads();
        assert_eq!(heads.len(), 1, "a size cap is not retried");
        let accept = heads[0]
            .lines()
            .find_map(|l| l.strip_prefix("accept-encoding:"))
            .map(str::trim)
            .unwrap_or_default();
        assert!(
            accept.contains("gzip") && accept.contains("zstd"),
            "accept-encoding: {accept}"
        );
    }
}

#[tokio::test]
async fn a_compressed_error_body_is_cut_at_the_decoded_error_cap() {
    let text = zeros(64 << 20);
    for encoding in ["gzip", "zstd"] {
        let bomb = encode(encoding, &[&text]);
        let server = Canned::start(encoded_answer("400 Bad Request", encoding, &bomb)).await;
        let client = client_to(&format!("{}/v1", server.url()), "svcpass_test")
            .max_error_body_size(1024)
            .build()
            .unwrap();
        let err = client.groups().list().send().await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err}");
        let body = err.body().unwrap_or_default();
        let body = String::from_utf8_lossy(body);
        assert!(
            body.starts_with("{\"data\": \"000") && body.len() <= 1024,
            "{encoding}: {} bytes kept",
            body.len()
        );
    }
}

#[tokio::test]
async fn zstd_answers_decode_across_frames_and_bad_ones_fail_cleanly() {
    let page = encode("zstd", &[b"{\"count\":0,", b"\"data\":[]}"]);
    let server = Canned::start(encoded_answer("200 OK", "zstd", &page)).await;
    let client = client_to(&format!("{}/v1", server.url()), "svcpass_test")
        .build()
        .unwrap();
    let groups = client.groups().list().send().await.unwrap();
    assert!(groups.is_empty());

    let cut = &page[..page.len() - 2];
    let garbage = b"{\"count\":0,\"data\":[]}";
    for (what, body) in [("cut", cut), ("not zstd", &garbage[..])] {
        let server = Canned::start(encoded_answer("200 OK", "zstd", body)).await;
        let client = client_to(&format!("{}/v1", server.url()), "svcpass_test")
            .build()
            .unwrap();
        let err = client.groups().list().send().await.unwrap_err();
        assert!(
            err.to_string().contains("zstd answer cannot be decoded"),
            "{what}: {err}"
        );
        assert_eq!(server.heads().len(), 1, "{what}: not retried");
    }
}

#[tokio::test]
async fn without_compression_no_encoding_is_asked() {
    let server = Canned::start(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 21\r\n\r\n{\"count\":0,\"data\":[]}"
            .to_vec(),
    )
    .await;
    let client = client_to(&format!("{}/v1", server.url()), "svcpass_test")
        .compression(false)
        .build()
        .unwrap();
    client.groups().list().send().await.unwrap();
    let heads = server.heads();
    assert_eq!(heads.len(), 1);
    assert!(!heads[0].contains("accept-encoding"), "{}", heads[0]);
}

#[tokio::test]
async fn gateway_calls_ask_for_no_encoding_unless_the_caller_does() {
    let (sb, client) = common::start().await;
    let echo = |accept: Option<&'static str>| {
        let mut request = client
            .services()
            .dispatch(unitysvc_sandbox::catalog::service_id(
                common::SIMPLE_SERVICE,
            ))
            .path("echo")
            .json(&serde_json::json!({"hello": "world"}));
        if let Some(accept) = accept {
            request = request.header("accept-encoding", accept);
        }
        request.send()
    };
    let seen = |resp: unitysvc::Response| {
        let echoed: serde_json::Value = resp.json().unwrap();
        echoed["headers"]["accept-encoding"]
            .as_str()
            .map(str::to_owned)
    };
    assert_eq!(seen(echo(None).await.unwrap()), None);
    assert_eq!(seen(echo(Some("br")).await.unwrap()).as_deref(), Some("br"));
    drop(sb);
}

#[tokio::test]
async fn a_gateway_body_the_caller_asked_compressed_comes_back_as_sent() {
    let text = zeros(100_000);
    for encoding in ["gzip", "zstd"] {
        let packed = encode(encoding, &[&text]);
        let server = Canned::start(encoded_answer("200 OK", encoding, &packed)).await;
        let client = Client::builder()
            .base_url(format!("{}/v1", server.url()))
            .api_key("svcpass_test")
            .ignore_env()
            .build()
            .unwrap();
        let resp = client
            .dispatch("p/anything/echo")
            .header("accept-encoding", encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.headers()
                .get("content-encoding")
                .unwrap()
                .to_str()
                .unwrap(),
            encoding
        );
        assert_eq!(resp.bytes().as_ref(), packed.as_slice(), "{encoding}");

        let streamed = client
            .dispatch("p/anything/echo")
            .header("accept-encoding", encoding)
            .stream()
            .await
            .unwrap();
        let mut got = Vec::new();
        let mut chunks = streamed.bytes();
        while let Some(chunk) = futures::StreamExt::next(&mut chunks).await {
            got.extend_from_slice(&chunk.unwrap());
        }
        assert_eq!(got, packed, "{encoding}");
        let heads = server.heads();
        let asked = format!("accept-encoding: {encoding}\r\n");
        assert!(heads.iter().all(|h| h.contains(&asked)), "{heads:?}");
    }
}
