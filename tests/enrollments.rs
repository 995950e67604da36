//! Enrollments over HTTP against the sandbox: pending, activation by polling, cancel.

mod common;

use futures::TryStreamExt;
use std::time::Duration;
use unitysvc::open_enums::ServiceEnrollmentStatusEnum as Status;
use unitysvc::ErrorKind;
use unitysvc_sandbox::catalog;

#[tokio::test]
async fn enrollment_starts_pending_and_wait_active_polls_until_active() {
    let (_sb, client) = common::start().await;
    let service = common::service(&client, catalog::SIMPLE_SERVICE).await;
    let enrollment = service.enroll(None).await.unwrap();
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
        .create(catalog::service_id(catalog::SIMPLE_SERVICE), None)
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
        .create(catalog::service_id(catalog::SIMPLE_SERVICE), None)
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
                .create(catalog::service_id(name), None)
                .await
                .unwrap()
                .id,
        );
    }
    let page = client.enrollments().list(0, 1, false).await.unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.total, Some(2));
    let all: Vec<_> = client.enrollments().list_all().try_collect().await.unwrap();
    let mut listed: Vec<_> = all.iter().map(|e| e.id).collect();
    listed.sort();
    ids.sort();
    assert_eq!(listed, ids);
    let other = common::second_customer(&sb);
    assert!(other
        .enrollments()
        .list(0, 10, false)
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
    let before = client.services().interfaces(id).await.unwrap();
    assert!(before.iter().all(|i| i.enrollment_id.is_none()));
    let params = serde_json::json!({"api_key": "sk-test"})
        .as_object()
        .cloned();
    let enrollment = client.enrollments().create(id, params).await.unwrap();
    enrollment
        .wait_active(Duration::from_secs(10))
        .await
        .unwrap();
    let after = client.services().interfaces(id).await.unwrap();
    let bound: Vec<_> = after.iter().filter(|i| i.enrollment_id.is_some()).collect();
    assert_eq!(bound.len(), 1, "{after:?}");
    let resp = client
        .services()
        .dispatch(id)
        .enrollment(enrollment.id)
        .path("echo")
        .json(&serde_json::json!({"x": 1}))
        .send()
        .await
        .unwrap();
    assert!(resp.is_success(), "{}", resp.text());
}
