//! `usvc chat`: a typed chat call streamed token by token, tools, and the final completion.

mod common;

use common::{sandbox_json, simple_service, usvc};
use predicates::prelude::*;

#[test]
fn chat_streams_tokens_and_reports_usage() {
    usvc()
        .args([
            "--sandbox",
            "chat",
            "g/llm",
            "hello typed world",
            "--system",
            "be brief",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("Echo: hello typed world"))
        .stderr(predicate::str::contains("completion ="));
}

#[test]
fn chat_with_json_prints_the_assembled_completion_with_tool_calls() {
    let dir = std::env::temp_dir().join(format!("usvc-chat-tool-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let schema = dir.join("weather.json");
    std::fs::write(
        &schema,
        r#"{"name": "get_weather", "description": "Forecast",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                           "required": ["city"]}}"#,
    )
    .unwrap();
    let target = format!("p/{}", simple_service());
    let answer = sandbox_json(&[
        "chat",
        &target,
        "please get_weather",
        "--model",
        "small",
        "--tool",
        &format!("@{}", schema.display()),
    ]);
    assert_eq!(answer["model"], "small");
    assert_eq!(answer["choices"][0]["finish_reason"], "tool_calls");
    let call = &answer["choices"][0]["message"]["tool_calls"][0];
    assert_eq!(call["function"]["name"], "get_weather");
    assert_eq!(call["function"]["arguments"], r#"{"city":"sandbox"}"#);
    assert!(answer["usage"]["total_tokens"].as_u64().unwrap() > 0);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn chat_with_an_unknown_model_fails_with_the_upstream_message() {
    usvc()
        .args([
            "--sandbox",
            "chat",
            "g/llm",
            "hi",
            "--model",
            "no-such-model",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("does not exist"));
}
