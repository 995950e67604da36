//! Retries, error mapping and secrecy under the sandbox's fault injection.

mod common;

use std::time::Duration;
use unitysvc::{Client, ErrorKind, RetryPolicy};
use unitysvc_sandbox::{catalog, Sandbox};

/// A client whose every request carries `fault`, counted under a key unique to the test.
fn faulty_client(sb: &Sandbox, fault: &str, retry: RetryPolicy) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-sandbox-fault", fault.parse().unwrap());
    let key = uuid::Uuid::new_v4().to_string();
    headers.insert("x-sandbox-fault-key", key.parse().unwrap());
    let http = common::http_builder()
        .default_headers(headers)
        .build()
        .unwrap();
    Client::builder()
        .base_url(sb.base_url())
        .api_key(sb.api_key())
        .http_client(http)
        .retry(retry.backoff(Duration::from_millis(10), retry.max_backoff))
        .ignore_env()
        .build()
        .unwrap()
}

#[tokio::test]
async fn idempotent_calls_are_retried_on_503_until_they_succeed() {
    let (sb, _) = common::start().await;
    let client = faulty_client(&sb, "status=503;times=2", RetryPolicy::default());
    let group = client.groups().get("llm").await.unwrap();
    assert_eq!(group.name, "llm");
}

#[tokio::test]
async fn without_retries_a_503_is_a_server_error() {
    let (sb, _) = common::start().await;
    let client = faulty_client(&sb, "status=503;times=1", RetryPolicy::none());
    let err = client.groups().get("llm").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert!(err.is_retryable());
}

#[tokio::test]
async fn posts_are_not_retried() {
    let (sb, _) = common::start().await;
    let client = faulty_client(&sb, "status=503;times=1", RetryPolicy::default());
    let err = client
        .enrollments()
        .create(catalog::service_id(catalog::SIMPLE_SERVICE))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
}

#[tokio::test]
async fn rate_limit_carries_retry_after() {
    let (sb, _) = common::start().await;
    let client = faulty_client(&sb, "status=429;retry-after=7;times=5", RetryPolicy::none());
    let err = client.groups().get("llm").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimit);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
}

#[tokio::test]
async fn malformed_and_html_bodies_are_decode_or_server_errors_not_panics() {
    let (sb, _) = common::start().await;
    let client = faulty_client(&sb, "malformed-json", RetryPolicy::none());
    let err = client.groups().get("llm").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err:?}");
    assert!(err.body().is_some());

    let client = faulty_client(&sb, "html-error", RetryPolicy::none());
    let err = client.groups().get("llm").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert!(err.detail().is_none());
}

#[tokio::test]
async fn reset_before_headers_is_a_connection_error() {
    let (sb, _) = common::start().await;
    let client = faulty_client(&sb, "reset-before-headers", RetryPolicy::none());
    let err = client.groups().get("llm").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connection, "{err:?}");
}

#[tokio::test]
async fn validation_errors_carry_fastapi_field_details() {
    let (_sb, client) = common::start().await;
    let created = client
        .recurrent_requests()
        .create("p/x/echo")
        .send()
        .await
        .unwrap();
    let err = client
        .recurrent_requests()
        .set_schedule(created.id, unitysvc::Schedule::cron("not a cron"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    match err.detail() {
        Some(unitysvc::ErrorDetail::Fields(fields)) => assert!(!fields.is_empty()),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[tokio::test]
async fn the_api_key_never_appears_in_debug_display_or_errors() {
    let (sb, _) = common::start().await;
    let key = "svcpass_very_secret_key_123";
    let client = Client::builder()
        .base_url(sb.base_url())
        .api_key(key)
        .ignore_env()
        .build()
        .unwrap();
    let err = client.secrets().list().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    for text in [
        format!("{client:?}"),
        format!("{:?}", client.config()),
        format!("{err}"),
        format!("{err:?}"),
    ] {
        assert!(!text.contains(key), "key leaked in: {text}");
    }
}
