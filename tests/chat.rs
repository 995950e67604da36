//! Typed LLM calls against the sandbox's OpenAI-shaped upstream: buffered and streamed
//! chat, tool calls, errors, embeddings and models, on every kind of gateway target; and
//! the accumulator on its own.

mod common;

use futures::StreamExt;
use proptest::prelude::*;
use unitysvc::chat::{
    ChatAccumulator, ChatChunk, ChatCompletion, ChatRequest, EmbeddingRequest, FinishReason,
    Message, Role, Tool, ToolChoice,
};
use unitysvc::{Client, ErrorKind, Wrappable};

#[derive(serde::Deserialize, schemars::JsonSchema, Debug, PartialEq)]
struct Weather {
    /// The city.
    city: String,
    /// Days ahead.
    days: u32,
}

#[derive(serde::Deserialize, schemars::JsonSchema, Debug, PartialEq)]
struct Search {
    query: String,
    exact: bool,
}

fn hello() -> ChatRequest {
    ChatRequest::new("m").message(Message::user("tell me a story"))
}

/// The two tools' parameter schemas as `Tool::function` derives them (the `schemars`
/// feature), so the tool tests run the same with and without it.
fn weather_and_search() -> [Tool; 2] {
    let weather = serde_json::json!({
        "type": "object",
        "required": ["city", "days"],
        "properties": {
            "city": {"description": "The city.", "type": "string"},
            "days": {"description": "Days ahead.", "type": "integer", "format": "uint32", "minimum": 0.0}
        }
    });
    let search = serde_json::json!({
        "type": "object",
        "required": ["exact", "query"],
        "properties": {"exact": {"type": "boolean"}, "query": {"type": "string"}}
    });
    [
        Tool::function_with_schema("get_weather", "The forecast", weather),
        Tool::function_with_schema("search", "Web search", search),
    ]
}

#[cfg(feature = "schemars")]
#[test]
fn function_tools_derive_their_parameters_from_the_type() {
    let derived = [
        Tool::function::<Weather>("get_weather", "The forecast"),
        Tool::function::<Search>("search", "Web search"),
    ];
    assert_eq!(
        serde_json::to_value(&derived).unwrap(),
        serde_json::to_value(weather_and_search()).unwrap()
    );
}

fn with_tools() -> ChatRequest {
    let [weather, search] = weather_and_search();
    ChatRequest::new("m")
        .message(Message::system("use tools"))
        .message(Message::user("what is up"))
        .tool(weather)
        .tool(search)
}

async fn service(client: &Client) -> unitysvc::Service {
    common::service(client, common::SIMPLE_SERVICE).await
}

#[tokio::test]
async fn buffered_chat_is_typed() {
    let (_sb, client) = common::start().await;
    let answer = service(&client).await.chat(&hello()).send().await.unwrap();
    assert_eq!(answer.text(), Some("Echo: tell me a story"));
    assert_eq!(answer.finish_reason(), Some(&FinishReason::Stop));
    assert_eq!(answer.choices[0].message.role, Role::Assistant);
    assert_eq!(answer.model, "m");
    assert_eq!(answer.system_fingerprint.as_deref(), Some("fp_sandbox"));
    let usage = answer.usage.unwrap();
    assert_eq!(usage.prompt_tokens, 4);
    assert_eq!(usage.completion_tokens, 5);
    assert_eq!(usage.total_tokens, 9);
}

#[tokio::test]
async fn streamed_chat_assembles_what_the_buffered_call_answers() {
    let (_sb, client) = common::start().await;
    let svc = service(&client).await;
    let buffered = svc.chat(&hello()).send().await.unwrap();
    let mut stream = svc.chat(&hello()).stream().await.unwrap();
    let pieces: Vec<String> = stream.text().map(|t| t.unwrap()).collect().await;
    assert!(pieces.len() > 3, "{pieces:?}");
    assert_eq!(pieces.concat(), "Echo: tell me a story");
    let streamed = stream.snapshot();
    assert_eq!(streamed.text(), buffered.text());
    assert_eq!(
        streamed.usage, buffered.usage,
        "stream asked for usage by itself"
    );
    assert_eq!(streamed.id, buffered.id);
    assert_eq!(streamed.finish_reason(), Some(&FinishReason::Stop));
    // Usage can be turned off: the stream then has no usage-only chunk.
    let quiet = svc
        .chat(&hello().include_usage(false))
        .stream()
        .await
        .unwrap()
        .into_completion()
        .await
        .unwrap();
    assert_eq!(quiet.usage, None);
    assert_eq!(quiet.text(), buffered.text());
}

#[tokio::test]
async fn required_tools_are_parallel_calls_assembled_from_fragments() {
    let (_sb, client) = common::start().await;
    let svc = service(&client).await;
    let request = with_tools().tool_choice(ToolChoice::Required);
    let buffered = svc.chat(&request).send().await.unwrap();
    let mut stream = svc.chat(&request).stream().await.unwrap();
    let mut fragments = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap();
        fragments += chunk
            .choices
            .iter()
            .flat_map(|c| &c.delta.tool_calls)
            .filter(|t| {
                t.function
                    .as_ref()
                    .and_then(|f| f.arguments.as_deref())
                    .is_some_and(|a| !a.is_empty())
            })
            .count();
    }
    let streamed = stream.snapshot();
    assert!(fragments >= 4, "arguments came in {fragments} fragments");
    for answer in [&buffered, &streamed] {
        assert_eq!(answer.finish_reason(), Some(&FinishReason::ToolCalls));
        let calls = answer.tool_calls();
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].function.name, "get_weather");
        assert_eq!(calls[0].kind, "function");
        assert_eq!(
            calls[0].arguments::<Weather>().unwrap(),
            Weather {
                city: "sandbox".into(),
                days: 1
            }
        );
        assert_eq!(calls[1].function.name, "search");
        assert_eq!(
            calls[1].arguments::<Search>().unwrap(),
            Search {
                query: "sandbox".into(),
                exact: true
            }
        );
        assert_ne!(calls[0].id, calls[1].id);
    }
    assert_eq!(buffered.tool_calls(), streamed.tool_calls());
}

#[tokio::test]
async fn tool_choice_named_auto_and_none() {
    let (_sb, client) = common::start().await;
    let svc = service(&client).await;
    let named = svc
        .chat(&with_tools().tool_choice(ToolChoice::Function("search".into())))
        .send()
        .await
        .unwrap();
    assert_eq!(named.tool_calls().len(), 1);
    assert_eq!(named.tool_calls()[0].function.name, "search");
    let auto = svc.chat(&with_tools()).send().await.unwrap();
    assert!(auto.tool_calls().is_empty());
    assert_eq!(auto.text(), Some("Echo: what is up"));
    let asked = svc
        .chat(&with_tools().message(Message::user("please get_weather for me")))
        .send()
        .await
        .unwrap();
    assert_eq!(asked.tool_calls().len(), 1);
    assert_eq!(asked.tool_calls()[0].function.name, "get_weather");
    let none = svc
        .chat(
            &with_tools()
                .tool_choice(ToolChoice::None)
                .message(Message::user("get_weather")),
        )
        .send()
        .await
        .unwrap();
    assert!(none.tool_calls().is_empty());
    // The tool results go back as typed messages.
    let follow_up = with_tools()
        .message(Message::assistant_tool_calls(asked.tool_calls().to_vec()))
        .message(Message::tool(asked.tool_calls()[0].id.clone(), "sunny"))
        .message(Message::user("thanks"));
    let answer = svc.chat(&follow_up).send().await.unwrap();
    assert_eq!(answer.text(), Some("Echo: thanks"));
}

#[tokio::test]
async fn upstream_errors_carry_the_openai_error_object() {
    let (_sb, client) = common::start().await;
    let svc = service(&client).await;
    let unknown = ChatRequest::new("no-such-model").message(Message::user("hi"));
    let err = svc.chat(&unknown).send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let upstream = err.upstream_error().expect("the error object");
    assert_eq!(upstream.code, Some(serde_json::json!("model_not_found")));
    assert_eq!(upstream.param.as_deref(), Some("model"));
    assert!(upstream.message.contains("no-such-model"));
    let err = svc.chat(&unknown).stream().await.unwrap_err();
    assert_eq!(
        err.upstream_error().and_then(|u| u.code.clone()),
        Some(serde_json::json!("model_not_found"))
    );
    // A request without messages is refused before anything is sent...
    let err = svc.chat(&ChatRequest::new("m")).send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(err.parameter(), Some("messages"));
    // ...and the upstream answers one sent by hand with its own error object.
    let raw = svc
        .dispatch()
        .path("chat/completions")
        .json(&serde_json::json!({"model": "m"}))
        .send()
        .await
        .unwrap();
    let err = raw.error_for_status().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert_eq!(
        err.upstream_error().unwrap().param.as_deref(),
        Some("messages")
    );
    assert_eq!(
        err.upstream_error().unwrap().kind.as_deref(),
        Some("invalid_request_error")
    );
}

#[tokio::test]
async fn a_cut_stream_keeps_its_snapshot() {
    let (_sb, client) = common::start().await;
    let svc = service(&client).await;
    let long = ChatRequest::new("m").message(Message::user(
        "one two three four five six seven eight nine ten eleven twelve",
    ));
    let mut stream = svc
        .chat(&long)
        .header("x-sandbox-fault", "reset-mid-stream")
        .stream()
        .await
        .unwrap();
    let mut seen = String::new();
    let mut failed = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(chunk) => seen.push_str(chunk.text().unwrap_or_default()),
            Err(e) => failed = Some(e),
        }
    }
    let err = failed.expect("the cut is an error item");
    assert!(
        matches!(err.kind(), ErrorKind::Connection | ErrorKind::Decode),
        "{err:?}"
    );
    let partial = stream.snapshot();
    assert_eq!(partial.text().unwrap_or_default(), seen);
    assert!(
        "Echo: one two three four five six seven eight nine ten eleven twelve".starts_with(&seen)
    );
    assert_eq!(partial.finish_reason(), None, "the stream never finished");
}

#[tokio::test]
async fn embeddings_and_models() {
    let (_sb, client) = common::start().await;
    let svc = service(&client).await;
    let request = EmbeddingRequest::new("m", ["alpha", "beta"]).dimensions(16);
    let first = svc.embeddings(&request).send().await.unwrap();
    assert_eq!(first.data.len(), 2);
    assert!(first.data.iter().all(|e| e.embedding.len() == 16));
    assert_ne!(first.data[0].embedding, first.data[1].embedding);
    let again = svc.embeddings(&request).send().await.unwrap();
    assert_eq!(first.data, again.data, "deterministic");
    let err = svc
        .embeddings(&EmbeddingRequest::new("m", Vec::<String>::new()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.parameter(), Some("input"));

    let models = svc.models().send().await.unwrap();
    assert!(models.data.len() > 10);
    assert!(models.data.iter().any(|m| m.id == common::SIMPLE_SERVICE));
    assert!(models
        .data
        .iter()
        .any(|m| m.id == "openai-text-embedding-3-small"));
}

/// Starts the same chat call on one target.
type MakeCall<'a> = Box<dyn Fn() -> unitysvc::chat::ChatCall + 'a>;

#[tokio::test]
async fn every_target_kind_chats() {
    let (_sb, client) = common::start().await;
    let svc = service(&client).await;
    let id = common::service_id(common::SIMPLE_SERVICE);
    client
        .aliases()
        .create("chatty", format!("p/{id}"))
        .send()
        .await
        .unwrap();
    let group = client.groups().get("llm").await.unwrap();
    let targets: Vec<(&str, MakeCall<'_>)> = vec![
        ("service", Box::new(|| svc.chat(&hello()))),
        (
            "service interface",
            Box::new(|| svc.chat(&hello()).interface("canonical")),
        ),
        ("group", Box::new(|| group.chat(&hello()))),
        (
            "alias",
            Box::new(|| client.alias("chatty").unwrap().chat(&hello())),
        ),
        (
            "target",
            Box::new(|| client.target(&format!("p/{id}")).unwrap().chat(&hello())),
        ),
        ("wrapped", Box::new(|| svc.logged().chat(&hello()))),
        (
            "wrapped cached",
            Box::new(|| svc.cached_for("1h".parse().unwrap()).chat(&hello())),
        ),
    ];
    for (what, call) in &targets {
        let answer = call()
            .send()
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(answer.text(), Some("Echo: tell me a story"), "{what}");
        let streamed = call()
            .stream()
            .await
            .unwrap()
            .into_completion()
            .await
            .unwrap();
        assert_eq!(streamed.text(), answer.text(), "{what}");
        assert!(streamed.usage.is_some(), "{what}");
    }
}

#[tokio::test]
async fn the_openai_base_url_answers_a_plain_openai_request() {
    let (sb, client) = common::start().await;
    let svc = service(&client).await;
    let base = svc.openai_base_url().unwrap();
    assert!(base.ends_with(&format!(
        "/p/{}",
        common::service_id(common::SIMPLE_SERVICE)
    )));
    assert!(svc.logged().openai_base_url().unwrap().contains("/l/p/"));
    let err = svc
        .cached_for("1h".parse().unwrap())
        .openai_base_url()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let answer: serde_json::Value = common::http()
        .post(format!("{base}/chat/completions"))
        .bearer_auth(sb.api_key())
        .json(&hello())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        answer["choices"][0]["message"]["content"],
        "Echo: tell me a story"
    );
}

#[test]
fn unknown_fields_and_values_decode_and_are_kept() {
    let chunk: ChatChunk = serde_json::from_str(
        r#"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m",
            "provider":"acme","choices":[{"index":0,"delta":{"role":"critic","content":"x",
            "reasoning":"hmm"},"finish_reason":"thought_too_long","score":3}],
            "usage":null,"x_trace":{"a":1}}"#,
    )
    .unwrap();
    assert_eq!(chunk.extra["provider"], "acme");
    assert_eq!(
        chunk.choices[0].delta.role,
        Some(Role::Other("critic".into()))
    );
    assert_eq!(
        chunk.choices[0].finish_reason,
        Some(FinishReason::Other("thought_too_long".into()))
    );
    let mut acc = ChatAccumulator::new();
    acc.push(&chunk);
    let c = acc.snapshot();
    assert_eq!(c.extra["x_trace"]["a"], 1);
    assert_eq!(c.choices[0].message.extra["reasoning"], "hmm");
    assert_eq!(c.choices[0].extra["score"], 3);
    // A completion round-trips with its unknown fields.
    let text = serde_json::to_string(&c).unwrap();
    let back: ChatCompletion = serde_json::from_str(&text).unwrap();
    assert_eq!(back, c);
    assert!(text.contains("thought_too_long") && text.contains("critic"));
    // nulls where arrays belong decode as empty.
    let c: ChatCompletion = serde_json::from_str(
        r#"{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":null},"finish_reason":null}]}"#,
    )
    .unwrap();
    assert!(c.tool_calls().is_empty());
}

#[test]
fn several_choices_and_parallel_calls_assemble_by_index() {
    let chunks = [
        r#"{"id":"a","model":"m","choices":[{"index":1,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"c2","type":"function","function":{"name":"f","arguments":"{\"a\""}}]}}]}"#,
        r#"{"choices":[{"index":0,"delta":{"role":"assistant","refusal":"no"}},{"index":1,"delta":{"tool_calls":[{"index":1,"id":"c3","function":{"name":"g","arguments":""}}]}}]}"#,
        r#"{"choices":[{"index":1,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{}"}},{"index":0,"function":{"arguments":":1}"}}]}}]}"#,
        r#"{"choices":[{"index":0,"delta":{"refusal":"pe"},"finish_reason":"stop"},{"index":1,"delta":{},"finish_reason":"tool_calls"}]}"#,
        r#"{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3},"system_fingerprint":"fp"}"#,
    ];
    let mut acc = ChatAccumulator::new();
    for c in chunks {
        acc.push(&serde_json::from_str(c).unwrap());
    }
    let c = acc.snapshot();
    assert_eq!(c.id, "a");
    assert_eq!(c.system_fingerprint.as_deref(), Some("fp"));
    assert_eq!(c.usage.as_ref().unwrap().total_tokens, 3);
    assert_eq!(c.choices.len(), 2);
    assert_eq!(c.choices[0].index, 0);
    assert_eq!(c.choices[0].message.refusal.as_deref(), Some("nope"));
    assert_eq!(c.choices[0].finish_reason, Some(FinishReason::Stop));
    let calls = &c.choices[1].message.tool_calls;
    assert_eq!(calls.len(), 2);
    assert_eq!(
        (calls[0].id.as_str(), calls[0].function.name.as_str()),
        ("c2", "f")
    );
    assert_eq!(calls[0].function.arguments, r#"{"a":1}"#);
    assert_eq!(
        (calls[1].id.as_str(), calls[1].function.arguments.as_str()),
        ("c3", "{}")
    );
    assert_eq!(c.choices[1].finish_reason, Some(FinishReason::ToolCalls));
}

#[test]
fn reused_index_with_a_new_id_is_a_new_call() {
    let mut acc = ChatAccumulator::new();
    for c in [
        r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"x","function":{"name":"f","arguments":"{}"}}]}}]}"#,
        r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"y","function":{"name":"g","arguments":"{}"}}]}}]}"#,
    ] {
        acc.push(&serde_json::from_str(c).unwrap());
    }
    let names: Vec<_> = acc
        .snapshot()
        .tool_calls()
        .iter()
        .map(|t| t.function.name.clone())
        .collect();
    assert_eq!(names, ["f", "g"]);
}

/// The SSE body of a streamed answer with text and two tool calls whose arguments are
/// cut at `cuts`.
fn sse_body(text: &str, args: [&str; 2], cuts: &[usize]) -> String {
    let mut events = vec![
        serde_json::json!({"id": "s", "model": "m", "choices": [{"index": 0, "delta": {"role": "assistant"}}]}),
    ];
    let split = |s: &str| -> Vec<String> {
        let mut points: Vec<usize> = cuts
            .iter()
            .map(|c| c % (s.len() + 1))
            .filter(|&c| s.is_char_boundary(c))
            .collect();
        points.push(0);
        points.push(s.len());
        points.sort_unstable();
        points.dedup();
        points
            .windows(2)
            .map(|w| s[w[0]..w[1]].to_owned())
            .collect()
    };
    for piece in split(text) {
        events.push(serde_json::json!({"choices": [{"index": 0, "delta": {"content": piece}}]}));
    }
    for (i, a) in args.iter().enumerate() {
        events.push(serde_json::json!({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": i, "id": format!("call_{i}"), "type": "function", "function": {"name": format!("tool{i}")}}]}}]}));
        for piece in split(a) {
            events.push(serde_json::json!({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": i, "function": {"arguments": piece}}]}}]}));
        }
    }
    events.push(
        serde_json::json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}),
    );
    events.push(serde_json::json!({"choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}));
    let mut body: String = events.iter().map(|e| format!("data: {e}\n\n")).collect();
    body.push_str("data: [DONE]\n\n");
    body
}

/// Decodes `body` delivered in pieces cut at `cuts` (byte offsets) and assembles it.
async fn assemble(body: &str, byte_cuts: &[usize]) -> ChatCompletion {
    let bytes = body.as_bytes();
    let mut points: Vec<usize> = byte_cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    points.push(0);
    points.push(bytes.len());
    points.sort_unstable();
    points.dedup();
    let pieces: Vec<unitysvc::Result<bytes::Bytes>> = points
        .windows(2)
        .map(|w| Ok(bytes::Bytes::copy_from_slice(&bytes[w[0]..w[1]])))
        .collect();
    let mut headers = unitysvc::header::HeaderMap::new();
    headers.insert("content-type", "text/event-stream".parse().unwrap());
    let resp = unitysvc::StreamingResponse::from_parts(
        unitysvc::StatusCode::OK,
        headers,
        futures::stream::iter(pieces),
    );
    unitysvc::chat::ChatStream::from_response(resp)
        .into_completion()
        .await
        .unwrap()
}

fn check(c: &ChatCompletion, text: &str, args: [&str; 2]) {
    assert_eq!(c.text().unwrap_or_default(), text);
    let calls = c.tool_calls();
    assert_eq!(calls.len(), 2);
    for i in 0..2 {
        assert_eq!(calls[i].id, format!("call_{i}"));
        assert_eq!(calls[i].function.name, format!("tool{i}"));
        assert_eq!(calls[i].function.arguments, args[i]);
    }
    assert_eq!(c.finish_reason(), Some(&FinishReason::ToolCalls));
    assert_eq!(c.usage.as_ref().map(|u| u.total_tokens), Some(2));
}

#[tokio::test]
async fn a_body_split_at_every_byte_boundary_assembles_the_same() {
    let args = [r#"{"city":"Zürich","days":3}"#, r#"{"q":"a \"b\""}"#];
    let body = sse_body("héllo wörld", args, &[3, 7]);
    for cut in 0..=body.len() {
        check(&assemble(&body, &[cut]).await, "héllo wörld", args);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn fragments_anywhere_assemble_the_whole(
        text in "\\PC{0,40}",
        a in "\\PC{0,30}",
        b in "\\PC{0,30}",
        cuts in proptest::collection::vec(0usize..200, 0..8),
        byte_cuts in proptest::collection::vec(0usize..4000, 0..8),
    ) {
        let body = sse_body(&text, [&a, &b], &cuts);
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let c = rt.block_on(assemble(&body, &byte_cuts));
        check(&c, &text, [&a, &b]);
    }
}

#[cfg(feature = "blocking")]
#[test]
fn blocking_chat_mirrors_async() {
    let sb = unitysvc_sandbox::Sandbox::start_blocking().expect("sandbox");
    let inner = Client::builder()
        .base_url(sb.base_url())
        .api_key(sb.api_key())
        .ignore_env()
        .build()
        .unwrap();
    let client = unitysvc::blocking::Client::wrap(inner).unwrap();
    let svc = client
        .services()
        .get(common::service_id(common::SIMPLE_SERVICE))
        .send()
        .unwrap();
    let answer = svc.chat(&hello()).send().unwrap();
    assert_eq!(answer.text(), Some("Echo: tell me a story"));
    let mut stream = svc.chat(&hello()).stream().unwrap();
    let text: String = stream.text().map(|t| t.unwrap()).collect();
    assert_eq!(text, "Echo: tell me a story");
    assert_eq!(stream.snapshot().usage, answer.usage);
    let tools = with_tools().tool_choice(ToolChoice::Required);
    let streamed = client
        .chat_to(&client.async_client().alias("nobody").unwrap(), &tools)
        .send()
        .unwrap_err();
    assert_eq!(streamed.kind(), ErrorKind::NotFound, "{streamed}");
    let group = client.groups().get("llm").send().unwrap();
    let calls = group
        .chat(&tools)
        .stream()
        .unwrap()
        .into_completion()
        .unwrap();
    assert_eq!(calls.tool_calls().len(), 2);
    let vectors = svc
        .embeddings(&EmbeddingRequest::new("m", ["x"]).dimensions(3))
        .send()
        .unwrap();
    assert_eq!(vectors.data[0].embedding.len(), 3);
    let target = client
        .async_client()
        .target(&format!("p/{}", common::service_id(common::SIMPLE_SERVICE)))
        .unwrap();
    assert!(!client.models_to(&target).send().unwrap().data.is_empty());
}

#[test]
fn hand_decoded_chunks_keep_escaped_keys_nulls_and_usage_details() {
    // An escaped key is not borrowed from the input; it must still match or be kept.
    let chunk: ChatChunk = serde_json::from_str(
        r#"{"\u0069d":"c","choices":null,"x\"y":true,"created":null,
            "usage":{"prompt_tokens":2,"total_tokens":null,"prompt_tokens_details":{"cached_tokens":1}}}"#,
    )
    .unwrap();
    assert_eq!(chunk.id, "c");
    assert!(chunk.choices.is_empty());
    assert_eq!(chunk.created, 0);
    assert_eq!(chunk.extra["x\"y"], true);
    let usage = chunk.usage.unwrap();
    assert_eq!((usage.prompt_tokens, usage.total_tokens), (2, 0));
    assert_eq!(usage.extra["prompt_tokens_details"]["cached_tokens"], 1);
    // A wrong type is still a typed decode error, not a panic or a silent default.
    assert!(serde_json::from_str::<ChatChunk>(r#"{"created":"soon"}"#).is_err());
    assert!(serde_json::from_str::<ChatChunk>(r#"[1]"#).is_err());
}
