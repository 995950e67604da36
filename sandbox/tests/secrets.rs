//! Secrets: insert versus replace, and 422s that never quote a secret.

mod common;

use common::{sid, start, Env, Reply};
use serde_json::{json, Value};
use unitysvc_sandbox::catalog::SIMPLE_SERVICE;

const MARKER: &str = "sk-live-DO-NOT-ECHO";

#[tokio::test]
async fn put_answers_201_on_insert_and_200_on_replace() {
    let env = start().await;
    let r = env
        .demo("PUT", "/secrets/API_TOKEN", Some(json!({"value": "one"})))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["name"], "API_TOKEN");
    let r = env
        .demo("PUT", "/secrets/API_TOKEN", Some(json!({"value": "two"})))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // The shared scope is a different row, so it is an insert again.
    let r = env
        .demo(
            "PUT",
            "/secrets/API_TOKEN?shared=true",
            Some(json!({"value": "three"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = env
        .cp(
            "PUT",
            "/secrets/API_TOKEN",
            Some(&env.key2.clone()),
            Some(json!({"value": "other customer"})),
        )
        .await;
    assert_eq!(r.status, 201, "another customer's secret is its own insert");
    let mine = env.demo("GET", "/secrets/", None).await;
    assert_eq!(mine.body["count"], 2);
    assert_eq!(
        env.demo("DELETE", "/secrets/API_TOKEN", None).await.status,
        200
    );
    let r = env
        .demo("PUT", "/secrets/API_TOKEN", Some(json!({"value": "again"})))
        .await;
    assert_eq!(r.status, 201, "re-creating after a delete is an insert");
}

/// Checks a 422 is FastAPI-shaped and quotes nothing of what the caller sent.
fn assert_unechoed(r: &Reply, what: &str) {
    assert_eq!(r.status, 422, "{what}: {}", r.text);
    let items = r.body["detail"].as_array().cloned().unwrap_or_default();
    assert!(!items.is_empty(), "{what}: {}", r.text);
    for item in &items {
        for k in ["type", "loc", "msg"] {
            assert!(item.get(k).is_some(), "{what}: item lacks {k}: {item}");
        }
        assert!(item.get("input").is_none(), "{what}: input echoed: {item}");
    }
    assert!(
        !r.text.contains(MARKER),
        "{what}: secret quoted: {}",
        r.text
    );
}

async fn put_secret(env: &Env, body: Value) -> Reply {
    env.demo("PUT", "/secrets/API_TOKEN", Some(body)).await
}

#[tokio::test]
async fn secret_validation_errors_never_echo_the_value() {
    let env = start().await;
    let long = format!("{MARKER}{}", "x".repeat(4000));
    let cases = [
        ("too long", json!({"value": long})),
        ("not a string", json!({"value": [MARKER]})),
        ("misspelled field", json!({"Value": MARKER})),
        ("bad flag", json!({"value": MARKER, "sensitive": "maybe"})),
        (
            "bad description",
            json!({"value": MARKER, "description": {"x": 1}}),
        ),
        ("not an object", json!([MARKER])),
    ];
    for (what, body) in cases {
        assert_unechoed(&put_secret(&env, body).await, what);
    }
    assert_eq!(
        env.demo("GET", "/secrets/", None).await.body["count"],
        0,
        "nothing was stored"
    );
    // Fields that hold no secret keep FastAPI's echo.
    let r = env
        .demo("PUT", "/secrets/lower", Some(json!({"value": "v"})))
        .await;
    assert_eq!(r.body["detail"][0]["input"], "lower");
}

#[tokio::test]
async fn credential_fields_elsewhere_are_not_echoed() {
    let env = start().await;
    let body = json!({"service_id": sid(SIMPLE_SERVICE), "parameters": MARKER});
    let r = env.demo("POST", "/enrollments/", Some(body)).await;
    assert_unechoed(&r, "enrollment parameters");

    let headers = json!({"Authorization": [format!("Bearer {MARKER}")]});
    let body = json!({"request_path": "p/x/echo", "request_headers": headers});
    let r = env.demo("POST", "/recurrent-requests/", Some(body)).await;
    assert_unechoed(&r, "recurrent request headers");
}
