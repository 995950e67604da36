//! The fake upstream behind every service: OpenAI-style chat, streams, echo and status.

use crate::state::Service;
use crate::validate::Query;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::StreamExt;
use serde_json::{json, Map, Value};
use std::convert::Infallible;
use std::time::Duration;

/// Query parameters consumed by the gateway itself and never forwarded upstream.
pub const CONTROL_PARAMS: [&str; 9] = [
    "_complete",
    "_ttl",
    "_renew",
    "_else",
    "_to",
    "_at",
    "_in",
    "_every",
    "_sandbox_fault",
];

/// A fully read request as the upstream sees it.
pub struct UpstreamRequest<'a> {
    /// Method.
    pub method: &'a Method,
    /// Sub-path after the service identifier.
    pub rest: &'a str,
    /// Query with gateway controls removed.
    pub query: &'a Query,
    /// Request headers.
    pub headers: &'a HeaderMap,
    /// Body.
    pub body: &'a Bytes,
    /// The catalog's models, `(name, provider)`, for `GET models`.
    pub models: &'a [(String, String)],
}

pub(crate) fn delay(q: &Query, default_ms: u64) -> Duration {
    let ms = q
        .get("_sandbox_delay_ms")
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(default_ms);
    Duration::from_millis(ms.min(10_000))
}

fn count(q: &Query, default: usize) -> usize {
    q.get("_sandbox_count")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(default)
        .min(100_000)
}

/// Streams `frames` with `pause` between them, flushing each as its own chunk.
pub(crate) fn paced(frames: Vec<Bytes>, pause: Duration, content_type: &'static str) -> Response {
    let stream =
        futures::stream::iter(frames.into_iter().enumerate()).then(move |(i, f)| async move {
            if i > 0 && !pause.is_zero() {
                tokio::time::sleep(pause).await;
            }
            Ok::<Bytes, Infallible>(f)
        });
    let mut resp = Body::from_stream(stream).into_response();
    resp.headers_mut()
        .insert("content-type", HeaderValue::from_static(content_type));
    resp.headers_mut()
        .insert("cache-control", HeaderValue::from_static("no-cache"));
    resp
}

fn openai_error(status: StatusCode, msg: &str) -> Response {
    crate::llm::openai_error(status, msg, "invalid_request_error", None, None)
}

fn echo(req: &UpstreamRequest<'_>) -> Response {
    let mut headers = Map::new();
    for (k, v) in req.headers {
        if k.as_str() != "authorization" {
            headers.insert(
                k.as_str().to_string(),
                Value::from(String::from_utf8_lossy(v.as_bytes()).into_owned()),
            );
        }
    }
    let query: Map<String, Value> = req
        .query
        .pairs()
        .iter()
        .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
        .collect();
    let body = match serde_json::from_slice::<Value>(req.body) {
        Ok(v) => v,
        Err(_) if req.body.is_empty() => Value::Null,
        Err(_) => Value::from(String::from_utf8_lossy(req.body).into_owned()),
    };
    axum::Json(
        json!({"method": req.method.as_str(), "path": format!("/{}", req.rest),
                      "query": query, "headers": headers, "body": body}),
    )
    .into_response()
}

fn status(code: &str) -> Response {
    match code
        .parse::<u16>()
        .ok()
        .and_then(|c| StatusCode::from_u16(c).ok())
        .filter(|c| c.as_u16() >= 200)
    {
        Some(c) => {
            let body = json!({"status": c.as_u16(), "message": c.canonical_reason().unwrap_or("sandbox status")});
            if c == StatusCode::NO_CONTENT || c == StatusCode::NOT_MODIFIED {
                return c.into_response();
            }
            (c, axum::Json(body)).into_response()
        }
        None => openai_error(
            StatusCode::BAD_REQUEST,
            "status must be a code between 200 and 999",
        ),
    }
}

/// Answers one request as the service's upstream would.
pub fn respond(svc: &Service, req: &UpstreamRequest<'_>) -> Response {
    let rest = req.rest.trim_end_matches('/');
    let last = rest.rsplit('/').next().unwrap_or("");
    if let Some((_, code)) = rest
        .rsplit_once("status/")
        .filter(|(_, c)| !c.contains('/'))
    {
        return status(code);
    }
    let q = req.query;
    match last {
        "completions" if rest.ends_with("chat/completions") && req.method == Method::POST => {
            crate::llm::chat(svc.id, &svc.name, req)
        }
        "embeddings" if req.method == Method::POST => crate::llm::embeddings(&svc.name, req),
        "models" if req.method == Method::GET => crate::llm::models(req),
        "ndjson" => {
            let frames = (0..count(q, 5))
                .map(|i| {
                    Bytes::from(format!(
                        "{}\n",
                        json!({"index": i, "message": format!("line {i}")})
                    ))
                })
                .collect();
            paced(frames, delay(q, 10), "application/x-ndjson")
        }
        "text" => {
            let frames = (0..count(q, 5))
                .map(|i| Bytes::from(format!("line {i}\n")))
                .collect();
            paced(frames, delay(q, 10), "text/plain; charset=utf-8")
        }
        "bytes" => {
            let frames = (0..count(q, 4))
                .map(|i| Bytes::from(vec![(i % 256) as u8; 1024]))
                .collect();
            paced(frames, delay(q, 10), "application/octet-stream")
        }
        _ => echo(req),
    }
}
