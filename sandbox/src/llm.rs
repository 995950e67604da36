//! The OpenAI-shaped LLM upstream: chat completions (text and deterministic tool calls,
//! buffered and streamed), embeddings and the model list.
//!
//! Every answer is a function of the request, so tests can assert on it: the text echoes
//! the last user message; tool calls fill each tool's required properties; embeddings hash
//! the input. Any model name is served, so tests may name their own, except names starting
//! with [`UNKNOWN_MODEL_PREFIX`], which get OpenAI's `model_not_found` error.

use crate::upstream::{delay, paced, UpstreamRequest};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{json, Map, Value};

/// Model names with this prefix are unknown to the sandbox's upstream.
pub const UNKNOWN_MODEL_PREFIX: &str = "no-such-";

const CREATED: i64 = 1_735_689_600;

/// An OpenAI-style error answer.
pub fn openai_error(
    status: StatusCode,
    msg: &str,
    kind: &str,
    param: Option<&str>,
    code: Option<&str>,
) -> Response {
    let body = json!({"error": {"message": msg, "type": kind, "param": param, "code": code}});
    (status, axum::Json(body)).into_response()
}

fn bad_request(msg: &str, param: Option<&str>) -> Response {
    openai_error(
        StatusCode::BAD_REQUEST,
        msg,
        "invalid_request_error",
        param,
        None,
    )
}

fn bad_box(msg: &str, param: Option<&str>) -> Box<Response> {
    Box::new(bad_request(msg, param))
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

/// The request body as an object with a usable model, or the error answer.
fn body_and_model(
    req: &UpstreamRequest<'_>,
    default_model: &str,
) -> Result<(Map<String, Value>, String), Box<Response>> {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(req.body) else {
        return Err(bad_box("Request body must be a JSON object", None));
    };
    let model = body
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or(default_model)
        .to_string();
    if model.starts_with(UNKNOWN_MODEL_PREFIX) {
        return Err(Box::new(openai_error(
            StatusCode::NOT_FOUND,
            &format!("The model `{model}` does not exist or you do not have access to it."),
            "invalid_request_error",
            Some("model"),
            Some("model_not_found"),
        )));
    }
    Ok((body, model))
}

/// A JSON value of the schema's type, the first `enum` value when it lists some.
fn example_of(schema: &Value) -> Value {
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    let kind = match schema.get("type") {
        Some(Value::Array(kinds)) => kinds
            .iter()
            .filter_map(Value::as_str)
            .find(|k| *k != "null"),
        Some(Value::String(k)) => Some(k.as_str()),
        _ => None,
    };
    match kind {
        Some("integer") => json!(1),
        Some("number") => json!(1.5),
        Some("boolean") => json!(true),
        Some("array") => json!([]),
        Some("object") => arguments_for(schema),
        _ => json!("sandbox"),
    }
}

/// An arguments object with every required property of `parameters` filled.
fn arguments_for(parameters: &Value) -> Value {
    let props = parameters.get("properties").and_then(Value::as_object);
    let mut out = Map::new();
    for name in parameters
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        let schema = props.and_then(|p| p.get(name)).unwrap_or(&Value::Null);
        out.insert(name.to_owned(), example_of(schema));
    }
    Value::Object(out)
}

/// The tools the model calls: `(name, arguments JSON text)`, or the error answer.
fn pick_tools(
    body: &Map<String, Value>,
    last_user: Option<&str>,
) -> Result<Vec<(String, String)>, Box<Response>> {
    let tools: Vec<(&str, &Value)> = body
        .get("tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| {
            let f = t.get("function")?;
            Some((
                f.get("name")?.as_str()?,
                f.get("parameters").unwrap_or(&Value::Null),
            ))
        })
        .collect();
    let call =
        |(name, params): &(&str, &Value)| ((*name).to_owned(), arguments_for(params).to_string());
    match body.get("tool_choice") {
        Some(Value::String(c)) if c == "none" => Ok(Vec::new()),
        Some(Value::String(c)) if c == "required" => {
            if tools.is_empty() {
                return Err(bad_box(
                    "tool_choice 'required' needs at least one tool",
                    Some("tool_choice"),
                ));
            }
            Ok(tools.iter().map(call).collect())
        }
        Some(Value::Object(choice)) => {
            let name = choice
                .get("function")
                .and_then(|f| f.get("name"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            match tools.iter().find(|(n, _)| *n == name) {
                Some(tool) => Ok(vec![call(tool)]),
                None => Err(bad_box(
                    &format!("tool_choice names {name:?}, which is not among the tools"),
                    Some("tool_choice"),
                )),
            }
        }
        _ => {
            let said = last_user.unwrap_or_default();
            Ok(tools
                .iter()
                .filter(|(n, _)| said.contains(n))
                .map(call)
                .collect())
        }
    }
}

/// `POST .../chat/completions`.
pub fn chat(svc_id: uuid::Uuid, svc_name: &str, req: &UpstreamRequest<'_>) -> Response {
    let (body, model) = match body_and_model(req, svc_name) {
        Ok(found) => found,
        Err(answer) => return *answer,
    };
    let Some(messages) = body.get("messages").and_then(Value::as_array) else {
        return bad_request("'messages' is a required property", Some("messages"));
    };
    if messages.is_empty() {
        return bad_request(
            "'messages' must contain at least one message",
            Some("messages"),
        );
    }
    let prompt: usize = messages
        .iter()
        .map(|m| words(&text_of(m.get("content").unwrap_or(&Value::Null))))
        .sum();
    let last_user = messages
        .iter()
        .rev()
        .find(|m| m.get("role").and_then(Value::as_str) == Some("user"))
        .map(|m| text_of(m.get("content").unwrap_or(&Value::Null)));
    let calls = match pick_tools(&body, last_user.as_deref()) {
        Ok(calls) => calls,
        Err(answer) => return *answer,
    };
    let content = match &last_user {
        Some(t) => format!("Echo: {t}"),
        None => "Hello from the UnitySVC sandbox.".to_string(),
    };
    let completion = if calls.is_empty() {
        words(&content)
    } else {
        calls.iter().map(|(n, a)| 1 + words(n) + a.len() / 4).sum()
    };
    let usage = json!({"prompt_tokens": prompt, "completion_tokens": completion,
                       "total_tokens": prompt + completion});
    let id = format!("chatcmpl-sandbox-{}", &svc_id.simple().to_string()[..8]);
    let tool_calls: Vec<Value> = calls
        .iter()
        .enumerate()
        .map(|(i, (name, args))| {
            json!({"id": format!("call_sandbox_{i}"), "type": "function",
                   "function": {"name": name, "arguments": args}})
        })
        .collect();
    if body.get("stream").and_then(Value::as_bool) == Some(true) {
        let include_usage = body
            .get("stream_options")
            .and_then(|o| o.get("include_usage"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let events = stream_events(
            &id,
            &model,
            &content,
            &tool_calls,
            include_usage.then_some(usage),
        );
        let mut frames: Vec<Bytes> = events
            .iter()
            .map(|e| Bytes::from(format!("data: {e}\n\n")))
            .collect();
        frames.push(Bytes::from_static(b"data: [DONE]\n\n"));
        return paced(frames, delay(req.query, 10), "text/event-stream");
    }
    let (message, finish) = if tool_calls.is_empty() {
        (
            json!({"role": "assistant", "content": content, "refusal": null}),
            "stop",
        )
    } else {
        (
            json!({"role": "assistant", "content": null, "refusal": null, "tool_calls": tool_calls}),
            "tool_calls",
        )
    };
    axum::Json(json!({
        "id": id, "object": "chat.completion", "created": CREATED, "model": model,
        "system_fingerprint": "fp_sandbox",
        "choices": [{"index": 0, "message": message, "logprobs": null, "finish_reason": finish}],
        "usage": usage,
    }))
    .into_response()
}

/// The chunks of a streamed answer: text word by word, or each tool call's id and name
/// and then its arguments in three fragments; the finish chunk; the usage-only chunk.
fn stream_events(
    id: &str,
    model: &str,
    content: &str,
    tool_calls: &[Value],
    usage: Option<Value>,
) -> Vec<Value> {
    let chunk = |delta: Value, finish: Value| {
        json!({"id": id, "object": "chat.completion.chunk", "created": CREATED, "model": model,
               "system_fingerprint": "fp_sandbox",
               "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}]})
    };
    let mut events = Vec::new();
    if tool_calls.is_empty() {
        events.push(chunk(
            json!({"role": "assistant", "content": ""}),
            Value::Null,
        ));
        for p in content.split_inclusive(' ') {
            events.push(chunk(json!({"content": p}), Value::Null));
        }
        events.push(chunk(json!({}), json!("stop")));
    } else {
        events.push(chunk(
            json!({"role": "assistant", "content": null}),
            Value::Null,
        ));
        for (i, call) in tool_calls.iter().enumerate() {
            let args = call["function"]["arguments"].as_str().unwrap_or_default();
            events.push(chunk(
                json!({"tool_calls": [{"index": i, "id": call["id"], "type": "function",
                                       "function": {"name": call["function"]["name"], "arguments": ""}}]}),
                Value::Null,
            ));
            for piece in thirds(args) {
                events.push(chunk(
                    json!({"tool_calls": [{"index": i, "function": {"arguments": piece}}]}),
                    Value::Null,
                ));
            }
        }
        events.push(chunk(json!({}), json!("tool_calls")));
    }
    if let Some(usage) = usage {
        events.push(
            json!({"id": id, "object": "chat.completion.chunk", "created": CREATED,
                           "model": model, "system_fingerprint": "fp_sandbox",
                           "choices": [], "usage": usage}),
        );
    }
    events
}

/// `s` in three pieces cut at character boundaries (fewer when it is shorter).
fn thirds(s: &str) -> Vec<&str> {
    let chars: Vec<usize> = s.char_indices().map(|(i, _)| i).collect();
    if chars.len() < 3 {
        return vec![s];
    }
    let a = chars[chars.len() / 3];
    let b = chars[2 * chars.len() / 3];
    vec![&s[..a], &s[a..b], &s[b..]]
}

/// `POST .../embeddings`: a deterministic vector per input, `dimensions` long (8 unless
/// asked).
pub fn embeddings(svc_name: &str, req: &UpstreamRequest<'_>) -> Response {
    let (body, model) = match body_and_model(req, svc_name) {
        Ok(found) => found,
        Err(answer) => return *answer,
    };
    let inputs: Vec<String> = match body.get("input") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) if !a.is_empty() => a
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string())
            })
            .collect(),
        _ => return bad_request("'input' is required", Some("input")),
    };
    let dims = match body.get("dimensions") {
        None | Some(Value::Null) => 8,
        Some(d) => match d.as_u64().filter(|d| (1..=4096).contains(d)) {
            Some(d) => d as u32,
            None => {
                return bad_request(
                    "'dimensions' must be between 1 and 4096",
                    Some("dimensions"),
                )
            }
        },
    };
    let data: Vec<Value> = inputs
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let seed = text
                .bytes()
                .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
            let vec: Vec<f64> = (0..dims)
                .map(|k| f64::from(seed.rotate_left(k * 4 % 32).wrapping_add(k) % 1000) / 1000.0)
                .collect();
            json!({"object": "embedding", "index": i, "embedding": vec})
        })
        .collect();
    let tokens: usize = inputs.iter().map(|t| words(t)).sum();
    axum::Json(json!({"object": "list", "data": data, "model": model,
                      "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}))
    .into_response()
}

/// `GET .../models`: the catalog's LLM and embedding services as models.
pub fn models(req: &UpstreamRequest<'_>) -> Response {
    let data: Vec<Value> = req
        .models
        .iter()
        .map(|(name, provider)| json!({"id": name, "object": "model", "created": CREATED, "owned_by": provider}))
        .collect();
    axum::Json(json!({"object": "list", "data": data})).into_response()
}
