//! Scripted upstream answers: a test tells the gateway what a service (or one path) answers,
//! in place of the built-in fake upstream, to drive its code through replies it chooses.
//!
//! ```
//! use unitysvc_sandbox::{catalog, Answer, Route, Sandbox};
//!
//! let sandbox = Sandbox::start_blocking()?;
//! let id = catalog::service_id(catalog::SIMPLE_SERVICE);
//! sandbox.script(Route::service(id), Answer::chat_text("hello"));
//! let client = sandbox.blocking_client()?;
//! let reply: serde_json::Value = client
//!     .dispatch(&format!("p/{id}/chat/completions"))
//!     .json(&serde_json::json!({"messages": []}))
//!     .send()?
//!     .json()?;
//! assert_eq!(reply["choices"][0]["message"]["content"], "hello");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::state::AppState;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{json, Value};
use std::time::Duration;
use uuid::Uuid;

/// Which gateway calls a script answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Every call that reaches this service, by whatever path, group or alias.
    Service(Uuid),
    /// Calls to exactly this gateway path (without query), e.g. `p/<id>/chat/completions`.
    Path(String),
}

impl Route {
    /// Every call that reaches the service `id` (through `/p`, a group or an alias).
    pub fn service(id: Uuid) -> Self {
        Route::Service(id)
    }

    /// Calls to exactly this gateway path; a leading `/` and any query are ignored.
    pub fn path(path: impl AsRef<str>) -> Self {
        Route::Path(normalize(path.as_ref()).to_owned())
    }

    fn matches(&self, service: Uuid, path: &str) -> bool {
        match self {
            Route::Service(id) => *id == service,
            Route::Path(p) => p == normalize(path),
        }
    }
}

fn normalize(path: &str) -> &str {
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    path.trim_start_matches('/')
}

#[derive(Debug, Clone)]
enum Body {
    Json(StatusCode, Value),
    ChatText(String),
    Sse(Vec<String>),
    Fault(String),
}

/// What a scripted call answers; [`Answer::delay`] holds any of them back first.
#[derive(Debug, Clone)]
pub struct Answer {
    body: Body,
    delay: Duration,
}

impl Answer {
    fn new(body: Body) -> Self {
        Answer {
            body,
            delay: Duration::ZERO,
        }
    }

    /// A `200` answer with this JSON body.
    pub fn json(value: Value) -> Self {
        Self::new(Body::Json(StatusCode::OK, value))
    }

    /// An OpenAI-style chat completion whose reply is `text`; as a stream of chunks when
    /// the request asks for `"stream": true`.
    pub fn chat_text(text: impl Into<String>) -> Self {
        Self::new(Body::ChatText(text.into()))
    }

    /// A `text/event-stream` answer with one `data:` event per item, sent as given (add
    /// `"[DONE]"` yourself when the code under test expects it).
    pub fn sse<I, S>(events: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::new(Body::Sse(events.into_iter().map(Into::into).collect()))
    }

    /// An error answer with this status and a JSON `detail`; codes outside 200..=599 read
    /// as `500`.
    pub fn status(code: u16) -> Self {
        let code = StatusCode::from_u16(code)
            .ok()
            .filter(|c| (200..600).contains(&c.as_u16()))
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let detail = json!({"detail": format!("scripted status {}", code.as_u16())});
        Self::new(Body::Json(code, detail))
    }

    /// A fault from the sandbox's fault set, written as in the `x-sandbox-fault` header
    /// (see [`crate::faults`]), e.g. `"reset-before-headers"` or `"status=429;retry-after=1"`.
    pub fn fault(spec: impl Into<String>) -> Self {
        Self::new(Body::Fault(spec.into()))
    }

    /// Waits this long before answering.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// One scripted route and its answer.
#[derive(Debug, Clone)]
pub struct Script {
    route: Route,
    answer: Answer,
}

impl Script {
    /// Pairs a route with its answer.
    pub fn new(route: Route, answer: Answer) -> Self {
        Script { route, answer }
    }
}

/// The answer scripted for a call to `service` by `path`, the newest script first.
pub(crate) fn find(st: &AppState, service: Uuid, path: &str) -> Option<Answer> {
    st.db()
        .scripts
        .iter()
        .rev()
        .find(|s| s.route.matches(service, path))
        .map(|s| s.answer.clone())
}

/// Plays a scripted answer for a request with this body.
pub(crate) async fn play(st: &AppState, answer: Answer, path: &str, body: &Bytes) -> Response {
    if !answer.delay.is_zero() {
        tokio::time::sleep(answer.delay).await;
    }
    match answer.body {
        Body::Json(code, value) => (code, axum::Json(value)).into_response(),
        Body::Sse(events) => sse(events.iter().map(String::as_str)),
        Body::ChatText(text) => chat(&text, body),
        Body::Fault(spec) => {
            let key = format!("script:{path}:{spec}");
            let inner = async move { detail_ok() };
            crate::faults::apply(st, &spec, &key, inner).await
        }
    }
}

/// What a fault that lets the call through (e.g. `delay=`, `truncated`) wraps.
fn detail_ok() -> Response {
    axum::Json(json!({"detail": "scripted fault passed through"})).into_response()
}

fn sse<'a>(events: impl Iterator<Item = &'a str>) -> Response {
    let text: String = events.map(|e| format!("data: {e}\n\n")).collect();
    let mut resp = text.into_response();
    resp.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("text/event-stream"),
    );
    resp
}

fn chat(text: &str, request: &Bytes) -> Response {
    let request: Value = serde_json::from_slice(request).unwrap_or(Value::Null);
    let model = request
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or("scripted");
    let id = format!("chatcmpl-scripted-{}", Uuid::new_v4().simple());
    if request.get("stream").and_then(Value::as_bool) == Some(true) {
        let chunk = |delta: Value, finish: Value| {
            json!({"id": id, "object": "chat.completion.chunk", "created": 0, "model": model,
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
            .to_string()
        };
        let events = [
            chunk(json!({"role": "assistant", "content": text}), Value::Null),
            chunk(json!({}), json!("stop")),
            "[DONE]".to_owned(),
        ];
        return sse(events.iter().map(String::as_str));
    }
    axum::Json(json!({
        "id": id, "object": "chat.completion", "created": 0, "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }))
    .into_response()
}
