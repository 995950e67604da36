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
}

fn delay(q: &Query, default_ms: u64) -> Duration {
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
fn paced(frames: Vec<Bytes>, pause: Duration, content_type: &'static str) -> Response {
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
    let body = json!({"error": {"message": msg, "type": "invalid_request_error", "code": null}});
    (status, axum::Json(body)).into_response()
}

fn text_of(content: &Value) -> String {
    match content {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

fn chat(svc: &Service, req: &UpstreamRequest<'_>) -> Response {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(req.body) else {
        return openai_error(
            StatusCode::BAD_REQUEST,
            "Request body must be a JSON object",
        );
    };
    let messages = body
        .get("messages")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let prompt: usize = messages
        .iter()
        .map(|m| words(&text_of(m.get("content").unwrap_or(&Value::Null))))
        .sum();
    let last_user = messages
        .iter()
        .rev()
        .find(|m| m.get("role").and_then(Value::as_str) == Some("user"))
        .map(|m| text_of(m.get("content").unwrap_or(&Value::Null)));
    let content = match last_user {
        Some(t) => format!("Echo: {t}"),
        None => "Hello from the UnitySVC sandbox.".to_string(),
    };
    let model = body
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or(&svc.name)
        .to_string();
    let usage = json!({"prompt_tokens": prompt, "completion_tokens": words(&content),
                       "total_tokens": prompt + words(&content)});
    let id = format!("chatcmpl-sandbox-{}", &svc.id.simple().to_string()[..8]);
    let created = 1_735_689_600;
    if body.get("stream").and_then(Value::as_bool) == Some(true) {
        return chat_stream(&id, &model, created, &content, usage, &body, req.query);
    }
    axum::Json(json!({
        "id": id, "object": "chat.completion", "created": created, "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": usage,
    }))
    .into_response()
}

fn chat_stream(
    id: &str,
    model: &str,
    created: i64,
    content: &str,
    usage: Value,
    body: &Map<String, Value>,
    q: &Query,
) -> Response {
    let chunk = |delta: Value, finish: Value| {
        json!({"id": id, "object": "chat.completion.chunk", "created": created, "model": model,
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
    };
    let mut events = vec![chunk(
        json!({"role": "assistant", "content": ""}),
        Value::Null,
    )];
    let pieces: Vec<&str> = content.split_inclusive(' ').collect();
    for p in pieces {
        events.push(chunk(json!({"content": p}), Value::Null));
    }
    events.push(chunk(json!({}), json!("stop")));
    let include_usage = body
        .get("stream_options")
        .and_then(|o| o.get("include_usage"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if include_usage {
        events.push(
            json!({"id": id, "object": "chat.completion.chunk", "created": created,
                           "model": model, "choices": [], "usage": usage}),
        );
    }
    let mut frames: Vec<Bytes> = events
        .iter()
        .map(|e| Bytes::from(format!("data: {e}\n\n")))
        .collect();
    frames.push(Bytes::from_static(b"data: [DONE]\n\n"));
    paced(frames, delay(q, 10), "text/event-stream")
}

fn embeddings(svc: &Service, req: &UpstreamRequest<'_>) -> Response {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(req.body) else {
        return openai_error(
            StatusCode::BAD_REQUEST,
            "Request body must be a JSON object",
        );
    };
    let inputs: Vec<String> = match body.get("input") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string())
            })
            .collect(),
        _ => return openai_error(StatusCode::BAD_REQUEST, "'input' is required"),
    };
    let data: Vec<Value> = inputs
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let seed = text
                .bytes()
                .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
            let vec: Vec<f64> = (0..8u32)
                .map(|k| f64::from((seed.rotate_left(k * 4)) % 1000) / 1000.0)
                .collect();
            json!({"object": "embedding", "index": i, "embedding": vec})
        })
        .collect();
    let tokens: usize = inputs.iter().map(|t| words(t)).sum();
    axum::Json(json!({"object": "list", "data": data, "model": svc.name,
                      "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}))
    .into_response()
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
            chat(svc, req)
        }
        "embeddings" if req.method == Method::POST => embeddings(svc, req),
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
