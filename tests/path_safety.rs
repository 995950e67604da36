//! A gateway request goes only under its target, however its path is built: refused paths
//! fail with `InvalidInput` before anything is sent, and a secret survives the attempts.

mod common;

use unitysvc::wrappers::GatewayPath;
use unitysvc::{ErrorKind, Method, Wrappable};

/// Sub-paths that would climb out of `p/<id>` once a server decodes and normalizes them.
const ESCAPES: [&str; 14] = [
    "../../v1/secrets/PATH_SAFETY",
    "./../../v1/secrets/PATH_SAFETY",
    "%2e%2e/%2e%2e/v1/secrets/PATH_SAFETY",
    "%2E%2E/%2E%2E/v1/secrets/PATH_SAFETY",
    ".%2E/.%2e/v1/secrets/PATH_SAFETY",
    "%2e./%2e./v1/secrets/PATH_SAFETY",
    "%252e%252e/%252e%252e/v1/secrets/PATH_SAFETY",
    "..%2f..%2fv1/secrets/PATH_SAFETY",
    "..\\..\\v1\\secrets\\PATH_SAFETY",
    "%5c..%5c..%5cv1/secrets/PATH_SAFETY",
    "//evil.example/v1/secrets/PATH_SAFETY",
    "x//y",
    "https://evil.example/steal",
    "x/http%3A%2F%2Fevil.example",
];

async fn secret_is_intact(client: &unitysvc::Client) {
    let secret = client.secrets().get("PATH_SAFETY").await.expect("secret");
    assert_eq!(secret.name.as_str(), "PATH_SAFETY");
}

#[tokio::test]
async fn a_secret_survives_every_traversal_attempt() {
    let (sb, client) = common::start().await;
    client
        .secrets()
        .set("PATH_SAFETY", "do-not-delete")
        .send()
        .await
        .expect("set");
    let service = common::service(&client, common::SIMPLE_SERVICE).await;
    let id = service.id;
    for sub in ESCAPES {
        let attempts = [
            client
                .dispatch(&format!("p/{id}"))
                .path(sub)
                .method(Method::DELETE),
            client
                .dispatch(&format!("p/{id}/{sub}"))
                .method(Method::DELETE),
            service.dispatch_path().path(sub).method(Method::DELETE),
            service
                .logged_complete()
                .dispatch()
                .path(sub)
                .method(Method::DELETE),
            service.dispatch().path(sub).method(Method::DELETE),
        ];
        for attempt in attempts {
            let err = attempt.send().await.expect_err(sub);
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{sub}: {err}");
        }
        let stream = client
            .dispatch(&format!("p/{id}"))
            .path(sub)
            .method(Method::DELETE)
            .stream()
            .await
            .expect_err(sub);
        assert_eq!(stream.kind(), ErrorKind::InvalidInput, "{sub}");
    }
    secret_is_intact(&client).await;
    // The attempt that started this issue answers 200 without the check.
    let plain = common::http()
        .delete(format!(
            "{}/p/{id}/../../v1/secrets/PATH_SAFETY",
            sb.gateway_url()
        ))
        .bearer_auth(sb.api_key())
        .build()
        .unwrap();
    assert!(
        plain.url().path().starts_with("/v1/secrets"),
        "an unchecked URL is normalized straight onto the control plane: {}",
        plain.url()
    );
}

#[tokio::test]
async fn names_cannot_escape_their_segment() {
    let (_sb, client) = common::start().await;
    for name in ["..", ".", ""] {
        let alias = GatewayPath::alias(name);
        let err = client
            .dispatch(&alias.to_string())
            .send()
            .await
            .expect_err(name);
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{name:?}: {err}");
    }
    for name in ["..", "."] {
        let target = client.alias(name).expect("one segment");
        let err = target.dispatch().send().await.expect_err(name);
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{name:?}: {err}");
    }
    // `?`, `#`, `/` and spaces are encoded: the name stays one segment.
    assert_eq!(
        GatewayPath::group("llm?x=1").logged_complete().to_string(),
        "l/g/llm%3Fx%3D1?_complete="
    );
    let url = client
        .dispatch(&GatewayPath::group("a b#c").to_string())
        .path("chat")
        .url()
        .await
        .unwrap();
    assert!(url.ends_with("/g/a%20b%23c/chat"), "{url}");
}

#[tokio::test]
async fn secondaries_and_resolve_are_checked() {
    let (_sb, client) = common::start().await;
    let service = common::service(&client, common::SIMPLE_SERVICE).await;
    let dots = client.alias("..").unwrap();
    for wrapped in [service.with_failover(&dots), service.with_tee(&dots)] {
        let err = wrapped.dispatch().send().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    }
    assert!(client.target("p/x/../../v1").is_err());
    for path in [
        "p/x/../../v1/secrets",
        "p/x/%2e%2e/v1",
        "//evil/p/x",
        "p\\x",
    ] {
        let err = client.resolve(path).send().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{path}: {err}");
    }
}

#[tokio::test]
async fn sensitive_headers_are_masked_in_debug() {
    let (_sb, client) = common::start().await;
    let request = client
        .dispatch("p/x/chat")
        .header("x-api-key", "upstream-secret-1")
        .header("Authorization", "Bearer upstream-secret-2")
        .header("Cookie", "session=upstream-secret-3")
        .header("x-trace", "visible-value")
        .json(&serde_json::json!({"password": "body-secret-4"}));
    let shown = format!("{request:?}");
    for secret in [
        "upstream-secret-1",
        "upstream-secret-2",
        "upstream-secret-3",
        "body-secret-4",
    ] {
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
    assert!(shown.contains("visible-value"), "{shown}");
    assert!(!format!("{client:?}").contains("svcpass_"));
}

#[tokio::test]
async fn stored_targets_are_checked_before_sending() {
    let (_sb, client) = common::start().await;
    let bad = "p/x/../../v1/secrets/K";
    let err = client
        .aliases()
        .create("sneaky", bad)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let err = client
        .broadcasts()
        .create("fan")
        .target(unitysvc::broadcasts::BroadcastTarget::new("t", bad))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let err = client
        .chains()
        .create("chain")
        .step(unitysvc::chains::ChainStep::new(
            "s",
            "https://evil.example/x",
            0,
        ))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
}
