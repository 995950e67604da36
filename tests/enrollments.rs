//! Enrollments over HTTP against the sandbox: pending, activation by polling, cancel.

mod common;

use common::recorder;
use futures::TryStreamExt;
use serde_json::json;
use std::time::Duration;
use unitysvc::open_enums::ServiceEnrollmentStatusEnum as Status;
use unitysvc::ErrorKind;
use unitysvc_sandbox::catalog;

#[tokio::test]
async fn create_makes_one_request_and_answers_with_the_acknowledgement() {
    let (_sb, recorder, client) = recorder::sandbox().await;
    let service_id = catalog::service_id(catalog::SIMPLE_SERVICE);

    let created = client
        .enrollments()
        .create(service_id)
        .parameters(json!({"model": "small"}))
        .send()
        .await
        .unwrap();

    let seen = recorder.requests();
    assert_eq!(seen.len(), 1, "one request: {seen:?}");
    assert_eq!(seen[0].method, "POST");
    assert!(
        seen[0].target.starts_with("/v1/enrollments/"),
        "{}",
        seen[0].target
    );
    assert_eq!(
        seen[0].json(),
        json!({"service_id": service_id, "parameters": {"model": "small"}})
    );
    assert_eq!(created.service_id, service_id);
    assert_eq!(created.status, Status::Pending);
    assert!(!created.task_id.is_empty());
    assert!(!created.message.is_empty());

    let full = created.refresh().await.unwrap();
    assert_eq!(full.id, created.id);
    assert_eq!(
        full.parameters.as_ref().and_then(|p| p.get("model")),
        Some(&json!("small"))
    );
    let active = created.wait_active(Duration::from_secs(10)).await.unwrap();
    assert!(active.is_active());
}

#[tokio::test]
async fn service_enroll_makes_one_request_too() {
    let (_sb, recorder, client) = recorder::sandbox().await;
    let service = common::service(&client, catalog::SIMPLE_SERVICE).await;
    recorder.clear();
    let created = service.enroll().send().await.unwrap();
    assert_eq!(recorder.requests().len(), 1);
    assert_eq!(created.service_id, service.id);
    assert!(
        recorder.requests()[0].json().get("parameters").is_none(),
        "unset parameters are not sent"
    );
}

#[tokio::test]
async fn parameters_accept_any_serializable_object_and_reject_the_rest_before_sending() {
    let (_sb, recorder, client) = recorder::sandbox().await;
    let id = catalog::service_id(catalog::SIMPLE_SERVICE);

    #[derive(serde::Serialize)]
    struct Params {
        region: &'static str,
    }
    client
        .enrollments()
        .create(id)
        .parameters(Params { region: "eu" })
        .send()
        .await
        .unwrap();
    client
        .enrollments()
        .create(id)
        .parameters(Some(json!({"region": "us"})))
        .send()
        .await
        .unwrap();
    let bodies: Vec<_> = recorder.requests().iter().map(|r| r.json()).collect();
    assert_eq!(bodies[0]["parameters"], json!({"region": "eu"}));
    assert_eq!(bodies[1]["parameters"], json!({"region": "us"}));

    recorder.clear();
    for bad in [json!(["eu"]), json!("eu"), json!(3)] {
        let err = client
            .enrollments()
            .create(id)
            .parameters(bad)
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
        assert!(err.to_string().contains("JSON object"), "{err}");
    }
    let err = client
        .enrollments()
        .create("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(recorder.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn list_sends_the_platform_defaults_and_the_options_set() {
    let (_sb, recorder, client) = recorder::sandbox().await;
    client.enrollments().list().send().await.unwrap();
    client
        .enrollments()
        .list()
        .skip(1)
        .limit(5)
        .with_service(false)
        .shared(false)
        .send()
        .await
        .unwrap();
    let targets: Vec<_> = recorder.requests().into_iter().map(|r| r.target).collect();
    for part in ["skip=0", "limit=100", "include_service_details=true"] {
        assert!(targets[0].contains(part), "{part} in {}", targets[0]);
    }
    assert!(!targets[0].contains("shared"), "{}", targets[0]);
    for part in [
        "skip=1",
        "limit=5",
        "include_service_details=false",
        "shared=false",
    ] {
        assert!(targets[1].contains(part), "{part} in {}", targets[1]);
    }
}

#[tokio::test]
async fn enrollment_starts_pending_and_wait_active_polls_until_active() {
    let (_sb, client) = common::start().await;
    let service = common::service(&client, catalog::SIMPLE_SERVICE).await;
    let created = service.enroll().send().await.unwrap();
    let enrollment = created.refresh().await.unwrap();
    assert_eq!(enrollment.status, Status::Pending);
    assert!(!enrollment.is_active());
    let active = enrollment
        .wait_active(Duration::from_secs(10))
        .await
        .unwrap();
    assert!(active.is_active());
    assert_eq!(active.id, enrollment.id);
}

#[tokio::test]
async fn wait_active_times_out_with_a_timeout_error() {
    let (_sb, client) = common::start().await;
    let enrollment = client
        .enrollments()
        .create(catalog::service_id(catalog::SIMPLE_SERVICE))
        .send()
        .await
        .unwrap();
    let err = enrollment
        .wait_active(Duration::from_millis(1))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
}

#[tokio::test]
async fn cancelled_enrollment_is_reported_and_wait_active_refuses_it() {
    let (_sb, client) = common::start().await;
    let enrollment = client
        .enrollments()
        .create(catalog::service_id(catalog::SIMPLE_SERVICE))
        .send()
        .await
        .unwrap();
    let cancelled = enrollment.cancel().await.unwrap();
    assert_eq!(cancelled.enrollment_id, enrollment.id);
    let now = enrollment.refresh().await.unwrap();
    assert_eq!(now.status, Status::Cancelled);
    let err = now.wait_active(Duration::from_secs(5)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert!(err.to_string().contains("cancelled"), "{err}");
}

#[tokio::test]
async fn enrollments_are_listed_per_customer() {
    let (sb, client) = common::start().await;
    let mut ids = Vec::new();
    for name in [catalog::SIMPLE_SERVICE, catalog::TWO_INTERFACE_SERVICE] {
        ids.push(
            client
                .enrollments()
                .create(catalog::service_id(name))
                .send()
                .await
                .unwrap()
                .id,
        );
    }
    let page = client
        .enrollments()
        .list()
        .limit(1)
        .with_service(false)
        .send()
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.total, Some(2));
    let all: Vec<_> = client
        .enrollments()
        .list()
        .limit(1)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let mut listed: Vec<_> = all.iter().map(|e| e.id).collect();
    listed.sort();
    ids.sort();
    assert_eq!(listed, ids);
    let other = common::second_customer(&sb);
    assert!(other
        .enrollments()
        .list()
        .send()
        .await
        .unwrap()
        .items
        .is_empty());
    let err = other.enrollments().get(ids[0]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn byok_interface_appears_after_enrolling_and_is_picked_for_dispatch() {
    let (_sb, client) = common::start().await;
    let id = catalog::service_id(catalog::BYOK_SERVICE);
    let before = client.services().interfaces(id).send().await.unwrap();
    assert!(before.iter().all(|i| i.enrollment_id.is_none()));
    let enrollment = client
        .enrollments()
        .create(id)
        .parameters(json!({"api_key": "sk-test"}))
        .send()
        .await
        .unwrap();
    enrollment
        .wait_active(Duration::from_secs(10))
        .await
        .unwrap();
    let after = client.services().interfaces(id).send().await.unwrap();
    let bound: Vec<_> = after.iter().filter(|i| i.enrollment_id.is_some()).collect();
    assert_eq!(bound.len(), 1, "{after:?}");
    let resp = client
        .services()
        .dispatch(id)
        .enrollment(enrollment.id)
        .path("echo")
        .json(&json!({"x": 1}))
        .send()
        .await
        .unwrap();
    assert!(resp.is_success(), "{}", resp.text());
}
