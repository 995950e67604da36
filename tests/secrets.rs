//! The secret store against the sandbox: set, list, get, delete, and the checks before sending.

mod common;

use common::recorder;
use futures::TryStreamExt;
use serde_json::json;
use unitysvc::ErrorKind;

#[tokio::test]
async fn set_sends_the_value_and_the_options_set_and_never_returns_the_value() {
    let (_sb, recorder, client) = recorder::sandbox().await;
    let stored = client
        .secrets()
        .set("REGION", "eu-west-1")
        .sensitive(false)
        .description("Where the upstream runs")
        .send()
        .await
        .unwrap();
    assert_eq!(*stored.name, "REGION");
    assert_eq!(stored.value, None);
    client.secrets().set("TOKEN", "").send().await.unwrap();

    let seen = recorder.requests();
    assert_eq!(seen[0].method, "PUT");
    assert_eq!(seen[0].target, "/v1/secrets/REGION");
    assert_eq!(
        seen[0].json(),
        json!({"value": "eu-west-1", "sensitive": false, "description": "Where the upstream runs"})
    );
    assert_eq!(
        seen[1].json(),
        json!({"value": ""}),
        "unset options are not sent"
    );
}

#[tokio::test]
async fn list_pages_with_the_defaults_and_streams_every_secret() {
    let (_sb, recorder, client) = recorder::sandbox().await;
    for name in ["A", "B", "C"] {
        client.secrets().set(name, "v").send().await.unwrap();
    }
    recorder.clear();
    let page = client.secrets().list().send().await.unwrap();
    assert_eq!(page.total, Some(3));
    let second = client
        .secrets()
        .list()
        .skip(1)
        .limit(1)
        .send()
        .await
        .unwrap();
    assert_eq!(second.items.len(), 1);
    assert!(second.has_more());
    let targets: Vec<_> = recorder.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(targets[0], "/v1/secrets/?limit=100&skip=0");
    assert_eq!(targets[1], "/v1/secrets/?limit=1&skip=1");

    let all: Vec<_> = client
        .secrets()
        .list()
        .limit(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let names: Vec<_> = all.iter().map(|s| s.name.to_string()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    client.secrets().delete("A").await.unwrap();
    assert_eq!(
        client.secrets().get("A").await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[tokio::test]
async fn bad_names_and_oversized_values_fail_before_sending_without_echoing_the_value() {
    let (sb, _client) = common::start().await;
    // An anonymous client would fail with Authentication if the request got that far.
    let anon = common::anonymous(&sb);
    let err = anon.secrets().set("lower", "v").send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let value = "s".repeat(4001);
    let err = anon
        .secrets()
        .set("BIG", value.as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert!(!err.to_string().contains("ssss"), "{err}");
    let err = anon
        .secrets()
        .set("DOC", "v")
        .description("d".repeat(10_001))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let err = anon
        .secrets()
        .set("OK", "s".repeat(4000))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Authentication,
        "the limit itself passes"
    );
    let request = anon.secrets().set("HIDDEN", "hunter2");
    assert!(!format!("{request:?}").contains("hunter2"));
}
