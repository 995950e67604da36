//! async-openai, pointed at a started sandbox through `openai_base_url()`, gets the same
//! answers the SDK's typed calls get: chat, a stream with usage, and tools.

use async_openai::config::OpenAIConfig;
use async_openai::types::chat::CreateChatCompletionRequest;
use futures::StreamExt;
use serde_json::{json, Value};
use unitysvc::chat::{ChatRequest, Message, Tool, ToolChoice};
use unitysvc::{Client, Wrappable};
use unitysvc_sandbox::{catalog, Sandbox};

async fn setup() -> (Sandbox, Client, unitysvc::Service) {
    let sb = Sandbox::start().await.expect("sandbox");
    let client = Client::builder()
        .base_url(sb.base_url())
        .api_key(sb.api_key())
        .ignore_env()
        .build()
        .unwrap();
    let service = client
        .services()
        .get(catalog::service_id(catalog::SIMPLE_SERVICE))
        .await
        .unwrap();
    (sb, client, service)
}

fn openai(sb: &Sandbox, target: &impl Wrappable) -> async_openai::Client<OpenAIConfig> {
    let config = OpenAIConfig::new()
        .with_api_base(target.openai_base_url().unwrap())
        .with_api_key(sb.api_key());
    async_openai::Client::with_config(config)
}

fn request(body: Value) -> CreateChatCompletionRequest {
    serde_json::from_value(body).expect("an async-openai request")
}

#[tokio::test]
async fn async_openai_chats_through_the_gateway() {
    let (sb, _client, service) = setup().await;
    let ours = service
        .chat(&ChatRequest::new("m").message(Message::user("hello interop")))
        .send()
        .await
        .unwrap();
    let theirs = openai(&sb, &service)
        .chat()
        .create(request(json!({"model": "m", "messages": [{"role": "user", "content": "hello interop"}]})))
        .await
        .unwrap();
    assert_eq!(theirs.choices[0].message.content.as_deref(), ours.text());
    assert_eq!(theirs.usage.unwrap().total_tokens as u64, ours.usage.unwrap().total_tokens);
}

#[tokio::test]
async fn async_openai_streams_with_usage() {
    let (sb, _client, service) = setup().await;
    let mut stream = openai(&sb, &service.logged())
        .chat()
        .create_stream(request(json!({"model": "m", "stream": true,
            "stream_options": {"include_usage": true},
            "messages": [{"role": "user", "content": "a streamed interop answer"}]})))
        .await
        .unwrap();
    let mut text = String::new();
    let mut usage = None;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap();
        for choice in &chunk.choices {
            text.push_str(choice.delta.content.as_deref().unwrap_or_default());
        }
        if chunk.usage.is_some() {
            usage = chunk.usage;
        }
    }
    assert_eq!(text, "Echo: a streamed interop answer");
    assert_eq!(usage.expect("the usage-only chunk").completion_tokens, 5);
}

#[tokio::test]
async fn async_openai_gets_the_same_tool_calls() {
    let (sb, _client, service) = setup().await;
    let params = json!({"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
                        "required": ["city", "days"]});
    let ours = service
        .chat(
            &ChatRequest::new("m")
                .message(Message::user("weather"))
                .tool(Tool::function_with_schema("get_weather", "Forecast", params.clone()))
                .tool_choice(ToolChoice::Required),
        )
        .stream()
        .await
        .unwrap()
        .into_completion()
        .await
        .unwrap();
    let body = json!({"model": "m", "messages": [{"role": "user", "content": "weather"}],
        "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Forecast", "parameters": params}}],
        "tool_choice": "required"});
    let theirs = openai(&sb, &service).chat().create(request(body.clone())).await.unwrap();
    let theirs = serde_json::to_value(&theirs.choices[0].message).unwrap();
    let call = &theirs["tool_calls"][0];
    assert_eq!(call["function"]["name"], "get_weather");
    assert_eq!(call["function"]["arguments"], ours.tool_calls()[0].function.arguments);
    assert_eq!(call["id"], ours.tool_calls()[0].id);

    // Streamed: async-openai sees the fragments; joined, they are the same arguments.
    let mut streamed = body;
    streamed["stream"] = json!(true);
    let mut stream = openai(&sb, &service).chat().create_stream(request(streamed)).await.unwrap();
    let mut args = String::new();
    let mut fragments = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = serde_json::to_value(chunk.unwrap()).unwrap();
        for call in chunk["choices"][0]["delta"]["tool_calls"].as_array().into_iter().flatten() {
            if let Some(piece) = call["function"]["arguments"].as_str().filter(|a| !a.is_empty()) {
                fragments += 1;
                args.push_str(piece);
            }
        }
    }
    assert!(fragments > 1);
    assert_eq!(args, ours.tool_calls()[0].function.arguments);
}
