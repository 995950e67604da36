//! The test kit over real HTTP: the request journal (credentials masked) and seeding.

use serde_json::json;
use unitysvc_sandbox::{catalog, journal::MASKED, Sandbox};

#[tokio::test]
async fn the_journal_shows_what_the_code_sent_with_the_key_masked() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client().unwrap();
    let id = catalog::service_id(catalog::SIMPLE_SERVICE);
    let body = json!({"messages": [{"role": "user", "content": "hi"}]});
    let response = client
        .dispatch(&format!("p/{id}/chat/completions"))
        .header("x-trace", "42")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(response.is_success());

    let requests = sandbox.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let sent = &requests[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path, format!("/p/{id}/chat/completions"));
    assert_eq!(sent.header("x-trace"), Some("42"));
    assert_eq!(sent.json(), Some(body));
    let auth = sent.header("authorization").expect("the key was sent");
    assert_eq!(auth, MASKED);
    assert!(!format!("{requests:?}").contains(sandbox.api_key()));

    sandbox.clear_requests();
    assert!(sandbox.requests().is_empty());
}

#[tokio::test]
async fn seeded_enrollments_report_the_state_they_were_seeded_in() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client().unwrap();
    let service = catalog::service_id(catalog::SIMPLE_SERVICE);
    for status in ["pending", "active", "cancelled", "paused"] {
        let id = sandbox
            .seed_enrollment(service, status)
            .expect("a known service");
        let got = client.enrollments().get(id).await.unwrap();
        assert_eq!(got.status.to_string(), status);
    }
    assert!(sandbox
        .seed_enrollment(uuid::Uuid::new_v4(), "active")
        .is_none());
}

#[tokio::test]
async fn a_seeded_service_lists_its_interfaces_and_dispatches_through_one_by_name() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client().unwrap();
    let id = sandbox
        .seed_service("seeded-three", &["alpha", "beta", "gamma"])
        .expect("a new name");
    assert!(sandbox.seed_service("seeded-three", &["x"]).is_none());
    let service = client.services().get(id).await.unwrap();
    let mut names: Vec<String> = service
        .interfaces()
        .send()
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.name.to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["alpha", "beta", "gamma"]);

    let body = json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]});
    let answer = service
        .dispatch()
        .interface("beta")
        .path("chat/completions")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(answer.is_success(), "{answer:?}");
    let sent = sandbox.requests();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].path.contains(&id.to_string()), "{sent:?}");
    let unknown = service
        .dispatch()
        .interface("delta")
        .path("chat/completions")
        .json(&body)
        .send()
        .await;
    assert!(unknown.is_err(), "an interface the service lacks");
}
