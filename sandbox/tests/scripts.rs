//! Scripted upstream answers over real HTTP through the SDK: each answer kind, precedence
//! over the built-in upstream, routes by service and by path, and `clear_scripts`.

use futures::StreamExt;
use serde_json::json;
use std::time::Duration;
use unitysvc::chat::{ChatRequest, Message};
use unitysvc::streaming::Event;
use unitysvc::{ErrorKind, RetryPolicy, Wrappable};
use unitysvc_sandbox::{catalog, Answer, Route, Sandbox};

fn simple() -> uuid::Uuid {
    catalog::service_id(catalog::SIMPLE_SERVICE)
}

fn chat_path() -> String {
    format!("p/{}/chat/completions", simple())
}

#[tokio::test]
async fn a_json_script_answers_in_place_of_the_upstream_until_cleared() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client().unwrap();
    let body = json!({"messages": [{"role": "user", "content": "hi"}]});
    sandbox.script(
        Route::path(chat_path()),
        Answer::json(json!({"scripted": 1})),
    );
    let got: serde_json::Value = client
        .dispatch(&chat_path())
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(got, json!({"scripted": 1}));
    // The path route is exact: another path of the same service keeps the built-in answer.
    let other = client
        .dispatch(&format!("p/{}/models", simple()))
        .send()
        .await
        .unwrap();
    assert!(other
        .json::<serde_json::Value>()
        .unwrap()
        .get("scripted")
        .is_none());

    sandbox.clear_scripts();
    let got: serde_json::Value = client
        .dispatch(&chat_path())
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(got["object"], "chat.completion");
}

#[tokio::test]
async fn a_chat_text_script_reads_through_the_typed_chat_call_buffered_and_streamed() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client().unwrap();
    sandbox.script(
        Route::service(simple()),
        Answer::chat_text("hello from the script"),
    );
    let service = client.services().get(simple()).await.unwrap();
    let request = ChatRequest::new("m").message(Message::user("anything"));
    let answer = service.chat(&request).send().await.unwrap();
    assert_eq!(answer.text(), Some("hello from the script"));
    let mut stream = service.chat(&request).stream().await.unwrap();
    let pieces: Vec<String> = stream.text().map(|t| t.unwrap()).collect().await;
    assert_eq!(pieces.concat(), "hello from the script");
}

#[tokio::test]
async fn an_sse_script_is_read_event_by_event() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client().unwrap();
    sandbox.script(
        Route::path(chat_path()),
        Answer::sse([
            json!({"n": 1}).to_string(),
            json!({"n": 2}).to_string(),
            "[DONE]".into(),
        ]),
    );
    let response = client
        .dispatch(&chat_path())
        .json(&json!({"stream": true}))
        .stream()
        .await
        .unwrap();
    let events: Vec<Event> = response.events().map(|e| e.unwrap()).collect().await;
    assert_eq!(events.len(), 3, "{events:?}");
    assert_eq!(events[2], Event::Done);
    let ns: Vec<serde_json::Value> = events[..2]
        .iter()
        .map(|e| match e {
            Event::Sse(sse) => sse.json().expect("JSON data")["n"].clone(),
            other => panic!("expected an SSE event, got {other:?}"),
        })
        .collect();
    assert_eq!(ns, [json!(1), json!(2)]);
}

#[tokio::test]
async fn a_status_script_is_a_typed_error_and_the_newest_script_wins() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox
        .client_builder()
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    sandbox.script(
        Route::service(simple()),
        Answer::json(json!({"older": true})),
    );
    sandbox.script(Route::service(simple()), Answer::status(503));
    let err = client
        .dispatch(&chat_path())
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server, "{err}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
}

#[tokio::test]
async fn a_delay_longer_than_the_client_timeout_is_a_timeout() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox
        .client_builder()
        .timeout(Duration::from_millis(200))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    sandbox.script(
        Route::path(chat_path()),
        Answer::json(json!({"late": true})).delay(Duration::from_secs(30)),
    );
    let err = client
        .dispatch(&chat_path())
        .json(&json!({}))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    // The delay holds back only the scripted path: the sandbox still answers others.
    let models = client
        .dispatch(&format!("p/{}/models", simple()))
        .send()
        .await
        .unwrap();
    assert!(models.is_success());
}

#[tokio::test]
async fn a_fault_script_applies_the_existing_fault() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox
        .client_builder()
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    sandbox.script(
        Route::service(simple()),
        Answer::fault("reset-before-headers"),
    );
    let err = client
        .dispatch(&chat_path())
        .json(&json!({}))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connection, "{err}");
    sandbox.clear_scripts();
    sandbox.script(
        Route::path(chat_path()),
        Answer::fault("status=429;retry-after=7"),
    );
    let err = client
        .dispatch(&chat_path())
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimit, "{err}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
}
