//! Gateway dispatch and wrapper primitives over HTTP against the sandbox gateway.

mod common;

use std::time::Duration;
use unitysvc::{ErrorKind, GatewayDuration, Wrappable};
use unitysvc_sandbox::catalog;

fn chat(stream: bool) -> serde_json::Value {
    serde_json::json!({"model": "m", "stream": stream,
                       "messages": [{"role": "user", "content": "ping"}]})
}

#[tokio::test]
async fn service_dispatch_returns_the_upstream_json() {
    let (_sb, client) = common::start().await;
    let service = common::service(&client, catalog::SIMPLE_SERVICE).await;
    let resp = service
        .dispatch()
        .path("chat/completions")
        .json(&chat(false))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().unwrap();
    assert_eq!(body["object"], "chat.completion");
    assert!(body["choices"][0]["message"]["content"]
        .as_str()
        .unwrap()
        .contains("ping"));
}

#[tokio::test]
async fn two_interfaces_need_a_choice_and_the_error_lists_them() {
    let (_sb, client) = common::start().await;
    let id = catalog::service_id(catalog::TWO_INTERFACE_SERVICE);
    let err = client
        .services()
        .dispatch(id)
        .path("echo")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let msg = err.to_string();
    assert!(msg.contains("canonical") && msg.contains("latest"), "{msg}");
    let resp = client
        .services()
        .dispatch(id)
        .interface("latest")
        .path("echo")
        .send()
        .await
        .unwrap();
    assert!(resp.is_success());
    let err = client
        .services()
        .dispatch(id)
        .interface("nope")
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("nope"));
}

#[tokio::test]
async fn upstream_errors_are_responses_not_errors() {
    let (_sb, client) = common::start().await;
    let id = catalog::service_id(catalog::SIMPLE_SERVICE);
    let resp = client
        .services()
        .dispatch(id)
        .path("status/500")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 500);
    let err = resp.error_for_status().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
}

#[tokio::test]
async fn headers_method_and_body_reach_the_upstream() {
    let (_sb, client) = common::start().await;
    let id = catalog::service_id(catalog::SIMPLE_SERVICE);
    let resp = client
        .services()
        .dispatch(id)
        .method(reqwest::Method::PUT)
        .path("/echo")
        .header("x-custom", "yes")
        .body("raw body")
        .send()
        .await
        .unwrap();
    let echo: serde_json::Value = resp.json().unwrap();
    assert_eq!(echo["method"], "PUT");
    assert_eq!(echo["body"], "raw body");
    let headers = echo["headers"].to_string();
    assert!(headers.contains("x-custom"), "{headers}");
    assert!(
        !headers.contains("svcpass_"),
        "the key must not be echoed back: {headers}"
    );
}

#[tokio::test]
async fn group_dispatch_uses_the_group_interface() {
    let (_sb, client) = common::start().await;
    let resp = client
        .groups()
        .dispatch("llm")
        .path("chat/completions")
        .json(&chat(false))
        .send()
        .await
        .unwrap();
    assert!(resp.is_success(), "{}", resp.text());
}

#[tokio::test]
async fn raw_gateway_path_goes_to_the_gateway_root() {
    let (_sb, client) = common::start().await;
    let id = catalog::service_id(catalog::SIMPLE_SERVICE);
    let resp = client
        .dispatch(&format!("/p/{id}/echo"))
        .send()
        .await
        .unwrap();
    assert!(resp.is_success());
    assert_eq!(
        resp.headers()["x-sandbox-path"].to_str().unwrap(),
        format!("/p/{id}/echo")
    );
    let err = client
        .dispatch("https://evil.example/p/x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[tokio::test]
async fn wrapped_paths_reach_the_gateway_as_built() {
    let (_sb, client) = common::start().await;
    let service = common::service(&client, catalog::SIMPLE_SERVICE).await;
    let other = common::service(&client, catalog::TWO_INTERFACE_SERVICE).await;
    let ttl: GatewayDuration = "1h".parse().unwrap();
    let wrapped = service.logged().cached_for(ttl);
    let first = wrapped.dispatch().path("echo").send().await.unwrap();
    assert_eq!(
        first.headers()["x-sandbox-path"].to_str().unwrap(),
        format!("/m/l/p/{}/echo?_ttl=1h", service.id)
    );
    assert_eq!(first.headers()["x-cache"], "miss");
    let second = wrapped.dispatch().path("echo").send().await.unwrap();
    assert_eq!(second.headers()["x-cache"], "hit");

    let failover = service.with_failover(&other.logged());
    let resp = failover.dispatch().path("echo").send().await.unwrap();
    assert_eq!(
        resp.headers()["x-sandbox-path"].to_str().unwrap(),
        format!("/f/p/{}/echo?_else=l%2Fp%2F{}", service.id, other.id)
    );
}

#[tokio::test]
async fn per_call_timeout_applies_to_buffered_dispatch() {
    let (_sb, client) = common::start().await;
    let id = catalog::service_id(catalog::SIMPLE_SERVICE);
    let err = client
        .services()
        .dispatch(id)
        .path("echo")
        .header("x-sandbox-fault", "delay=2000")
        .timeout(Duration::from_millis(200))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
}

#[tokio::test]
async fn resolve_returns_candidates_for_a_group_path() {
    let (_sb, client) = common::start().await;
    let resolved = client
        .resolve("g/llm/v1/chat/completions")
        .send()
        .await
        .unwrap();
    assert!(!resolved.candidates.is_empty());
    let err = client.resolve("  ").send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[tokio::test]
async fn schedule_stores_the_interface_path_and_sets_the_schedule() {
    let (_sb, client) = common::start().await;
    let service = common::service(&client, catalog::SIMPLE_SERVICE).await;
    let base = service.interfaces().send().await.unwrap()[0]
        .base_url
        .clone()
        .unwrap();
    let body = serde_json::json!({"model": "m"})
        .as_object()
        .cloned()
        .unwrap();
    let scheduled = service
        .schedule(unitysvc::Schedule::every(Duration::from_secs(300)))
        .path("/chat/completions")
        .json(body.clone())
        .header("x-team", "ops")
        .name("nightly")
        .send()
        .await
        .unwrap();
    assert_eq!(scheduled.request_path, format!("{base}/chat/completions"));
    assert_eq!(scheduled.body_template.as_ref(), Some(&body));
    assert_eq!(
        scheduled
            .schedule
            .as_ref()
            .and_then(|s| s.get("interval_seconds")),
        Some(&serde_json::json!(300))
    );

    let err = client
        .services()
        .schedule(
            catalog::service_id(catalog::TWO_INTERFACE_SERVICE),
            unitysvc::Schedule::cron("*/5 * * * *"),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::InvalidInput,
        "two interfaces need a choice"
    );
}
