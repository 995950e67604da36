//! Per-request fault injection driven by `x-sandbox-fault` or `_sandbox_fault`.
//!
//! Syntax: a comma-separated list of directives, each `name[=value][;option=value]*`:
//! `status=503;retry-after=2`, `delay=250`, `reset-before-headers`, `reset-mid-stream`,
//! `stall-mid-stream`, `truncated`, `malformed-json`, `html-error`, `oversized=1048576`,
//! `gzip-bomb=1073741824` (a gzip body that inflates to that many bytes, sent whatever the
//! request accepts).
//! Any directive accepts `times=N`: it fires for the first N requests sharing the
//! `x-sandbox-fault-key` header (or, without one, the same fault text), then stops.

use crate::state::AppState;
use crate::validate::Query;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::StreamExt;
use std::collections::HashMap;
use std::time::Duration;

/// Response extension asking the server to drop the connection instead of answering.
#[derive(Debug, Clone, Copy)]
pub struct ResetConnection;

/// Largest body `oversized` will produce.
const MAX_OVERSIZED: usize = 256 * 1024 * 1024;

#[derive(Debug, Clone)]
struct Directive {
    name: String,
    value: Option<String>,
    opts: HashMap<String, String>,
}

fn parse(spec: &str) -> Vec<Directive> {
    spec.split(',')
        .filter_map(|d| {
            let mut parts = d.split(';').map(str::trim);
            let head = parts.next().filter(|h| !h.is_empty())?;
            let (name, value) = match head.split_once('=') {
                Some((n, v)) => (n.trim().to_ascii_lowercase(), Some(v.trim().to_string())),
                None => (head.to_ascii_lowercase(), None),
            };
            let opts = parts
                .filter_map(|p| {
                    p.split_once('=')
                        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                })
                .collect();
            Some(Directive { name, value, opts })
        })
        .collect()
}

fn json_error(status: StatusCode, msg: &str) -> Response {
    (status, axum::Json(serde_json::json!({"detail": msg}))).into_response()
}

/// Stream-ending behaviour after a partial body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Error,
    Stall,
}

fn io_err(msg: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::ConnectionAborted, msg.to_string())
}

/// Sends part of the body, then errors (connection reset) or stalls forever.
async fn cut(resp: Response, end: End) -> Response {
    let (mut parts, body) = resp.into_parts();
    parts.headers.remove("content-length");
    let known = axum::body::HttpBody::size_hint(&body).exact().is_some();
    let head: Vec<Bytes> = if known {
        let bytes = axum::body::to_bytes(body, 64 * 1024 * 1024)
            .await
            .unwrap_or_default();
        let half = (bytes.len() / 2).max(1).min(bytes.len());
        vec![bytes.slice(..half)]
    } else {
        body.into_data_stream()
            .take(2)
            .filter_map(|c| async move { c.ok() })
            .collect()
            .await
    };
    let tail = futures::stream::once(async move {
        if end == End::Stall {
            futures::future::pending::<()>().await;
        }
        // Pausing lets hyper flush what was sent before the abort; otherwise it drops it all.
        tokio::time::sleep(Duration::from_millis(30)).await;
        Err::<Bytes, std::io::Error>(io_err("sandbox fault: connection reset mid-stream"))
    });
    let stream = futures::stream::iter(head.into_iter().map(Ok)).chain(tail);
    Response::from_parts(parts, Body::from_stream(stream))
}

/// Declares a longer content-length than the body, then closes early.
async fn truncate(resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    let fut = axum::body::to_bytes(body, 16 * 1024 * 1024);
    let bytes = tokio::time::timeout(Duration::from_secs(30), fut)
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
    let declared = bytes.len() * 2 + 64;
    parts
        .headers
        .insert("content-length", HeaderValue::from(declared));
    let tail = futures::stream::once(async {
        tokio::time::sleep(Duration::from_millis(30)).await;
        Err::<Bytes, std::io::Error>(io_err("sandbox fault: truncated body"))
    });
    let stream = futures::stream::once(async move { Ok(bytes) }).chain(tail);
    Response::from_parts(parts, Body::from_stream(stream))
}

fn oversized(n: usize) -> Response {
    let n = n.clamp(16, MAX_OVERSIZED);
    let filler = n - 12;
    let chunks = filler.div_ceil(65536);
    let body = futures::stream::iter((0..chunks).map(move |i| {
        let len = if i + 1 == chunks {
            filler - i * 65536
        } else {
            65536
        };
        Ok::<Bytes, std::io::Error>(Bytes::from(vec![b'x'; len]))
    }));
    let stream = futures::stream::once(async { Ok(Bytes::from_static(b"{\"data\": \"")) })
        .chain(body)
        .chain(futures::stream::once(async {
            Ok(Bytes::from_static(b"\"}"))
        }));
    let mut resp = Response::new(Body::from_stream(stream));
    resp.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    resp.headers_mut()
        .insert("content-length", HeaderValue::from(n));
    resp
}

/// Largest body `gzip-bomb` inflates to.
const MAX_BOMB: u64 = 16 * 1024 * 1024 * 1024;

/// A `200` JSON answer whose gzip body inflates to `n` bytes, compressed as it is read
/// so a client that stops early costs the sandbox little.
fn gzip_bomb(n: u64) -> Response {
    use flate2::write::GzEncoder;
    use std::io::Write;
    const STEP: u64 = 256 * 1024;
    let zeros = vec![b'0'; STEP as usize];
    let encoder = GzEncoder::new(Vec::new(), flate2::Compression::default());
    let stream =
        futures::stream::unfold((Some(encoder), n.min(MAX_BOMB)), move |(encoder, left)| {
            let zeros = zeros.clone();
            async move {
                // Each step is a few hundred bytes on the wire: without a yield, one bomb
                // fills the socket buffers with gigabytes before its reader gets a turn.
                tokio::task::yield_now().await;
                let mut encoder = encoder?;
                let step = left.min(STEP);
                let chunk = if step == 0 {
                    let rest = encoder.finish().ok()?;
                    return Some((Ok::<Bytes, std::io::Error>(Bytes::from(rest)), (None, 0)));
                } else {
                    encoder.write_all(&zeros[..step as usize]).ok()?;
                    // Without a flush the encoder holds a block that covers megabytes of
                    // zeros, and the client waits for its first byte.
                    encoder.flush().ok()?;
                    Bytes::from(std::mem::take(encoder.get_mut()))
                };
                Some((Ok(chunk), (Some(encoder), left - step)))
            }
        });
    let mut resp = Response::new(Body::from_stream(stream));
    let headers = resp.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    headers.insert("content-encoding", HeaderValue::from_static("gzip"));
    resp
}

/// Middleware applying the requested faults around the real handler.
pub async fn inject(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let header = req
        .headers()
        .get("x-sandbox-fault")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let spec = header.or_else(|| Query::parse(req.uri().query()).string("_sandbox_fault"));
    let Some(spec) = spec.filter(|s| !s.trim().is_empty()) else {
        return next.run(req).await;
    };
    let key = req
        .headers()
        .get("x-sandbox-fault-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| spec.clone());
    apply(&st, &spec, &key, next.run(req)).await
}

/// Applies the faults in `spec` around `inner`, the answer the sandbox would give without
/// them; `inner` is not run when a fault answers in its place. `key` counts `times=N`.
pub async fn apply(
    st: &AppState,
    spec: &str,
    key: &str,
    inner: impl std::future::Future<Output = Response>,
) -> Response {
    let mut post = None;
    for (i, d) in parse(spec).into_iter().enumerate() {
        if let Some(times) = d.opts.get("times").and_then(|t| t.parse::<u32>().ok()) {
            let mut db = st.db();
            let hits = db.fault_hits.entry(format!("{key}#{i}")).or_insert(0);
            *hits += 1;
            if *hits > times {
                continue;
            }
        }
        let num = d.value.as_deref().and_then(|v| v.parse::<u64>().ok());
        match d.name.as_str() {
            "delay" => {
                tokio::time::sleep(Duration::from_millis(num.unwrap_or(0).min(60_000))).await
            }
            "status" => {
                let code = num
                    .and_then(|n| u16::try_from(n).ok())
                    .and_then(|c| StatusCode::from_u16(c).ok());
                let code = code
                    .filter(|c| c.as_u16() >= 200)
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let mut resp =
                    json_error(code, &format!("sandbox fault: status {}", code.as_u16()));
                if let Some(ra) = d
                    .opts
                    .get("retry-after")
                    .and_then(|v| HeaderValue::from_str(v).ok())
                {
                    resp.headers_mut().insert("retry-after", ra);
                }
                return resp;
            }
            "reset-before-headers" => {
                let mut resp = StatusCode::INTERNAL_SERVER_ERROR.into_response();
                resp.extensions_mut().insert(ResetConnection);
                return resp;
            }
            "html-error" => {
                let html = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n";
                return (
                    StatusCode::BAD_GATEWAY,
                    [("content-type", "text/html")],
                    html,
                )
                    .into_response();
            }
            "malformed-json" => {
                let body =
                    "{\"id\": \"chatcmpl-broken\", \"object\": \"chat.completion\", \"choices\": [";
                return (StatusCode::OK, [("content-type", "application/json")], body)
                    .into_response();
            }
            "oversized" => {
                return oversized(
                    usize::try_from(num.unwrap_or(10 * 1024 * 1024)).unwrap_or(MAX_OVERSIZED),
                )
            }
            "gzip-bomb" => return gzip_bomb(num.unwrap_or(1024 * 1024 * 1024)),
            "reset-mid-stream" | "stall-mid-stream" | "truncated" => post = Some(d.name.clone()),
            _ => {
                return json_error(
                    StatusCode::BAD_REQUEST,
                    &format!("unknown sandbox fault '{}'", d.name),
                )
            }
        }
    }
    let resp = inner.await;
    match post.as_deref() {
        Some("reset-mid-stream") => cut(resp, End::Error).await,
        Some("stall-mid-stream") => cut(resp, End::Stall).await,
        Some("truncated") => truncate(resp).await,
        _ => resp,
    }
}
