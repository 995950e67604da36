//! The blocking client over HTTP against the sandbox, from plain (non-async) tests.

use std::time::Duration;
use unitysvc::blocking::Client;
use unitysvc::{ErrorKind, Event, Wrappable};
use unitysvc_sandbox::{catalog, Sandbox};

fn start() -> (Sandbox, Client) {
    let sb = Sandbox::start_blocking().expect("sandbox");
    let inner = unitysvc::Client::builder()
        .base_url(sb.base_url())
        .api_key(sb.api_key())
        .ignore_env()
        .build()
        .unwrap();
    (sb, Client::wrap(inner).unwrap())
}

#[test]
fn blocking_catalog_paging_and_records() {
    let (_sb, client) = start();
    let groups = client.groups().list().unwrap();
    assert!(groups.iter().any(|g| g.name == "llm"));
    let llm = client.groups().get("llm").unwrap();
    let page = llm.services(None, 50).unwrap();
    assert_eq!(page.items.len(), 50);
    let all: Vec<_> = client
        .groups()
        .services_iter("llm", None)
        .collect::<unitysvc::Result<_>>()
        .unwrap();
    assert_eq!(all.len(), catalog::LLM_SERVICE_COUNT);
    let service = client
        .services()
        .get(catalog::service_id(catalog::SIMPLE_SERVICE))
        .unwrap();
    assert_eq!(service.interfaces().unwrap().len(), 1);
}

#[test]
fn blocking_enroll_wait_and_secrets() {
    let (_sb, client) = start();
    let service = client
        .services()
        .get(catalog::service_id(catalog::SIMPLE_SERVICE))
        .unwrap();
    let enrollment = service.enroll(None).unwrap();
    let active = enrollment.wait_active(Duration::from_secs(10)).unwrap();
    assert!(active.is_active());

    client.secrets().set("API_TOKEN", "s3cret").unwrap();
    let listed: Vec<_> = client.secrets().list_all().collect_all().unwrap();
    assert_eq!(listed.len(), 1);
    assert!(!format!("{listed:?}").contains("s3cret"));
    let err = client.secrets().set("lower", "x").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[test]
fn blocking_dispatch_and_sse_stream() {
    let (_sb, client) = start();
    let id = catalog::service_id(catalog::SIMPLE_SERVICE);
    let body = serde_json::json!({"model": "m", "stream": true,
                                  "messages": [{"role": "user", "content": "hi"}]});
    let events: Vec<Event> = client
        .services()
        .dispatch(id)
        .path("chat/completions")
        .json(&body)
        .stream()
        .unwrap()
        .events()
        .collect::<unitysvc::Result<_>>()
        .unwrap();
    assert_eq!(events.last(), Some(&Event::Done));
    assert!(events.len() > 2);

    let service = client.services().get(id).unwrap();
    let resp = client
        .dispatch_to(&service.logged(false))
        .path("echo")
        .send()
        .unwrap();
    assert!(resp.headers()["x-sandbox-path"]
        .to_str()
        .unwrap()
        .starts_with("/l/p/"));
}

#[test]
fn blocking_builders_are_configured_with_map() {
    let (_sb, client) = start();
    client
        .request_logs()
        .start(unitysvc::LoggingMode::Truncated)
        .unwrap();
    client
        .services()
        .dispatch(catalog::service_id(catalog::SIMPLE_SERVICE))
        .path("echo")
        .send()
        .unwrap();
    let page = client
        .request_logs()
        .list()
        .map(|q| q.limit(10))
        .send()
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let resolved = client.resolve("g/llm/chat/completions").send().unwrap();
    assert!(!resolved.candidates.is_empty());
}
