//! The client-wide interface cache: a service dispatch makes one control-plane request the
//! first time and none after, until the gateway or an enrollment change says otherwise.
//!
//! A recorder between the client and the sandbox's control plane counts the interface
//! lookups; gateway calls go straight to the sandbox (the interfaces' base URL).

mod common;

use common::recorder::{self, Recorder};
use futures::future::join_all;
use serde_json::json;
use std::time::Duration;
use unitysvc::{Client, Schedule};
use unitysvc_sandbox::catalog;
use uuid::Uuid;

fn simple() -> Uuid {
    catalog::service_id(catalog::SIMPLE_SERVICE)
}

/// How many times the client asked for `service`'s interfaces.
fn lookups(recorder: &Recorder, service: Uuid) -> usize {
    let path = format!("/v1/services/{service}/interfaces");
    recorder
        .requests()
        .iter()
        .filter(|r| r.target == path)
        .count()
}

async fn echo(client: &Client, service: Uuid) -> u16 {
    client
        .services()
        .dispatch(service)
        .path("echo")
        .json(&json!({"hello": "world"}))
        .send()
        .await
        .expect("dispatch")
        .status()
        .as_u16()
}

async fn status(client: &Client, service: Uuid, code: u16) -> u16 {
    client
        .services()
        .dispatch(service)
        .method(unitysvc::Method::GET)
        .path(format!("status/{code}"))
        .send()
        .await
        .expect("dispatch")
        .status()
        .as_u16()
}

#[tokio::test]
async fn repeated_service_dispatch_makes_one_control_plane_request() {
    let (_sb, recorder, client) = recorder::sandbox().await;
    for _ in 0..5 {
        assert_eq!(echo(&client, simple()).await, 200);
    }
    assert_eq!(lookups(&recorder, simple()), 1);
    assert_eq!(
        recorder.requests().len(),
        1,
        "nothing but the one lookup reaches the control plane: {:?}",
        recorder.requests()
    );
}

#[tokio::test]
async fn service_records_and_schedules_share_the_cached_interfaces() {
    let (_sb, recorder, client) = recorder::sandbox().await;
    let service = client.services().get(simple()).await.unwrap();
    for _ in 0..3 {
        let resp = service
            .dispatch()
            .path("echo")
            .json(&json!({"n": 1}))
            .send()
            .await
            .unwrap();
        assert!(resp.is_success());
    }
    assert_eq!(echo(&client, simple()).await, 200);
    service
        .schedule(Schedule::every(Duration::from_secs(3600)))
        .path("echo")
        .name("hourly echo")
        .send()
        .await
        .unwrap();
    assert_eq!(lookups(&recorder, simple()), 1);
}

#[tokio::test]
async fn listing_interfaces_fills_the_cache() {
    let (_sb, recorder, client) = recorder::sandbox().await;
    let listed = client.services().interfaces(simple()).send().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(echo(&client, simple()).await, 200);
    assert_eq!(lookups(&recorder, simple()), 1);
}

#[tokio::test]
async fn concurrent_first_dispatches_share_one_lookup() {
    let (_sb, recorder, client) = recorder::sandbox().await;
    let calls = (0..8).map(|_| echo(&client, simple()));
    assert!(join_all(calls).await.iter().all(|s| *s == 200));
    assert_eq!(lookups(&recorder, simple()), 1);
}

#[tokio::test]
async fn gateway_404_and_410_drop_the_cached_interfaces() {
    let (_sb, recorder, client) = recorder::sandbox().await;
    assert_eq!(echo(&client, simple()).await, 200);
    assert_eq!(status(&client, simple(), 500).await, 500);
    assert_eq!(echo(&client, simple()).await, 200);
    assert_eq!(lookups(&recorder, simple()), 1, "a 500 keeps the entry");

    assert_eq!(status(&client, simple(), 404).await, 404);
    assert_eq!(echo(&client, simple()).await, 200);
    assert_eq!(lookups(&recorder, simple()), 2, "a 404 drops the entry");

    assert_eq!(status(&client, simple(), 410).await, 410);
    assert_eq!(echo(&client, simple()).await, 200);
    assert_eq!(lookups(&recorder, simple()), 3, "a 410 drops the entry");

    // A stream answered 404 drops it too.
    let stream = client
        .services()
        .dispatch(simple())
        .method(unitysvc::Method::GET)
        .path("status/404")
        .stream()
        .await
        .unwrap();
    assert_eq!(stream.status(), 404);
    assert_eq!(echo(&client, simple()).await, 200);
    assert_eq!(lookups(&recorder, simple()), 4);
}

#[tokio::test]
async fn creating_and_cancelling_an_enrollment_drop_the_cached_interfaces() {
    let (_sb, recorder, client) = recorder::sandbox().await;
    assert_eq!(echo(&client, simple()).await, 200);
    assert_eq!(lookups(&recorder, simple()), 1);

    let created = client.enrollments().create(simple()).send().await.unwrap();
    assert_eq!(echo(&client, simple()).await, 200);
    assert_eq!(lookups(&recorder, simple()), 2, "creating drops the entry");

    let active = created.wait_active(Duration::from_secs(10)).await.unwrap();
    assert_eq!(echo(&client, simple()).await, 200);
    assert_eq!(
        lookups(&recorder, simple()),
        3,
        "activating drops the entry"
    );

    client.enrollments().cancel(active.id).await.unwrap();
    assert_eq!(echo(&client, simple()).await, 200);
    assert_eq!(
        lookups(&recorder, simple()),
        4,
        "cancelling drops the entry"
    );

    let again = client.enrollments().create(simple()).send().await.unwrap();
    assert_eq!(echo(&client, simple()).await, 200);
    again.cancel().await.unwrap();
    assert_eq!(echo(&client, simple()).await, 200);
    assert_eq!(
        lookups(&recorder, simple()),
        6,
        "a record's cancel drops its service's entry"
    );
}

#[tokio::test]
async fn an_enrollment_interface_is_usable_at_once_after_activation() {
    let (_sb, recorder, client) = recorder::sandbox().await;
    let byok = catalog::service_id(catalog::BYOK_SERVICE);
    let shared = client.services().interfaces(byok).send().await.unwrap();
    assert!(shared.iter().all(|i| i.enrollment_id.is_none()));
    let enrollment = client
        .enrollments()
        .create(byok)
        .parameters(json!({"api_key": "sk-test"}))
        .send()
        .await
        .unwrap()
        .wait_active(Duration::from_secs(10))
        .await
        .unwrap();
    let resp = client
        .services()
        .dispatch(byok)
        .enrollment(enrollment.id)
        .path("echo")
        .send()
        .await
        .unwrap();
    assert!(resp.is_success(), "{}", resp.text());
    assert_eq!(lookups(&recorder, byok), 2);
}

#[tokio::test]
async fn a_cached_list_without_the_wanted_interface_is_fetched_again() {
    let (sb, recorder, client) = recorder::sandbox().await;
    let byok = catalog::service_id(catalog::BYOK_SERVICE);
    client.services().interfaces(byok).send().await.unwrap();
    // Enrolled by another client of the same customer: this one's cache cannot know.
    let other = Client::builder()
        .base_url(sb.base_url())
        .api_key(sb.api_key())
        .ignore_env()
        .build()
        .unwrap();
    other
        .enrollments()
        .create(byok)
        .parameters(json!({"api_key": "sk-test"}))
        .send()
        .await
        .unwrap()
        .wait_active(Duration::from_secs(10))
        .await
        .unwrap();
    let resp = client
        .services()
        .dispatch(byok)
        .interface("byok")
        .path("echo")
        .send()
        .await
        .unwrap();
    assert!(resp.is_success(), "{}", resp.text());
    assert_eq!(lookups(&recorder, byok), 2);
}

#[tokio::test]
async fn the_cache_ttl_is_configurable_and_zero_turns_it_off() {
    let (sb, _) = common::start().await;
    let recorder = Recorder::forwarding_to(&sb.gateway_url()).await;
    let client_with = |ttl| {
        Client::builder()
            .base_url(recorder.base_url())
            .api_base_url(sb.gateway_url())
            .api_key(sb.api_key())
            .interface_cache_ttl(ttl)
            .ignore_env()
            .build()
            .unwrap()
    };
    let off = client_with(Duration::ZERO);
    assert_eq!(off.config().interface_cache_ttl(), Duration::ZERO);
    for _ in 0..3 {
        assert_eq!(echo(&off, simple()).await, 200);
    }
    assert_eq!(lookups(&recorder, simple()), 3);

    recorder.clear();
    let short = client_with(Duration::from_millis(200));
    assert_eq!(echo(&short, simple()).await, 200);
    assert_eq!(echo(&short, simple()).await, 200);
    assert_eq!(lookups(&recorder, simple()), 1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(echo(&short, simple()).await, 200);
    assert_eq!(
        lookups(&recorder, simple()),
        2,
        "an expired entry is fetched again"
    );
}
