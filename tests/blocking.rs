//! The blocking client over HTTP against the sandbox, from plain (non-async) tests.

use std::time::Duration;
use unitysvc::blocking::Client;
use unitysvc::{ErrorKind, Event, Wrappable};
use unitysvc_sandbox::{catalog, Sandbox};

fn start() -> (Sandbox, Client) {
    let sb = Sandbox::start_blocking().expect("sandbox");
    let client = Client::builder()
        .base_url(sb.base_url())
        .api_key(sb.api_key())
        .ignore_env()
        .build()
        .unwrap();
    (sb, client)
}

/// The `pub fn` names inside the first `impl <type> {` block of a source file.
fn setters_in_impl(source: &str, header: &str) -> Vec<String> {
    let start = source.find(header).expect("impl block") + header.len();
    let body = &source[start..];
    let end = body.find("\n}\n").expect("end of impl block");
    body[..end]
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub fn "))
        .map(|l| l.split(['(', '<']).next().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn every_async_builder_setter_has_a_blocking_twin() {
    let root = env!("CARGO_MANIFEST_DIR");
    let client_rs = std::fs::read_to_string(format!("{root}/src/client.rs")).unwrap();
    let builder_rs = std::fs::read_to_string(format!("{root}/src/blocking/builder.rs")).unwrap();
    let async_setters = setters_in_impl(&client_rs, "impl ClientBuilder {");
    assert!(
        async_setters.len() > 15,
        "parsed too few: {async_setters:?}"
    );
    let list_start = builder_rs
        .find("forward_setters! {")
        .expect("the forward list");
    let list = &builder_rs[list_start..];
    let list = &list[..list.find("\n}").expect("end of the list")];
    let forwarded: Vec<&str> = list
        .lines()
        .skip(1)
        .filter_map(|l| l.trim().split('(').next())
        .filter(|n| !n.is_empty())
        .collect();
    for setter in async_setters.iter().filter(|s| *s != "build") {
        assert!(
            forwarded.contains(&setter.as_str()),
            "ClientBuilder::{setter} has no blocking twin in src/blocking/builder.rs"
        );
    }
}

/// Every `blocking::` type the README names; the signature below fails to compile if one
/// is missing from the crate.
const BLOCKING_TYPES: &[&str] = &[
    "Client",
    "ClientBuilder",
    "DispatchRequest",
    "StreamingResponse",
    "Service",
    "Group",
    "Enrollment",
];

#[allow(dead_code, clippy::too_many_arguments)]
fn blocking_types_exist(
    _: unitysvc::blocking::Client,
    _: unitysvc::blocking::ClientBuilder,
    _: unitysvc::blocking::DispatchRequest,
    _: unitysvc::blocking::StreamingResponse,
    _: unitysvc::blocking::Service,
    _: unitysvc::blocking::Group,
    _: unitysvc::blocking::Enrollment,
) {
}

#[test]
fn every_blocking_type_the_readme_names_exists() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let mut named = 0;
    for (i, _) in readme.match_indices("blocking::") {
        let rest = &readme[i + "blocking::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if name.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
            named += 1;
            assert!(
                BLOCKING_TYPES.contains(&name.as_str()),
                "README names blocking::{name}, which this test does not know exists"
            );
        }
    }
    assert!(named > 0);
}

#[test]
fn blocking_builder_settings_reach_the_client() {
    let sb = Sandbox::start_blocking().expect("sandbox");
    let client = Client::builder()
        .base_url(sb.base_url())
        .api_base_url(sb.gateway_url())
        .api_key(sb.api_key())
        .user_agent("blocking-builder-test/1")
        .timeout(Duration::from_secs(7))
        .ignore_env()
        .build()
        .unwrap();
    assert_eq!(client.config().base_url(), sb.base_url());
    assert_eq!(
        client.async_client().api_base_url(),
        Some(sb.gateway_url().as_str())
    );
    assert!(client
        .groups()
        .list()
        .send()
        .unwrap()
        .iter()
        .any(|g| g.name == "llm"));
    let bad = Client::builder().base_url("not a url").ignore_env().build();
    assert_eq!(bad.unwrap_err().kind(), ErrorKind::InvalidInput);
}

#[test]
fn blocking_catalog_paging_and_records() {
    let (_sb, client) = start();
    let groups = client.groups().list().send().unwrap();
    assert!(groups.iter().any(|g| g.name == "llm"));
    let llm = client.groups().get("llm").send().unwrap();
    let page = llm.services().limit(50).send().unwrap();
    assert_eq!(page.items.len(), 50);
    let refreshed = page.items[0].refresh().send().unwrap();
    assert_eq!(refreshed.id, page.items[0].id);
    let all: Vec<_> = client
        .groups()
        .services("llm")
        .limit(200)
        .stream()
        .collect::<unitysvc::Result<_>>()
        .unwrap();
    assert_eq!(all.len(), catalog::LLM_SERVICE_COUNT);
    let mut searched = 0;
    for service in client
        .groups()
        .services("llm")
        .search(catalog::SIMPLE_SERVICE)
    {
        assert!(service.unwrap().interfaces().send().is_ok());
        searched += 1;
    }
    assert!((1..catalog::LLM_SERVICE_COUNT).contains(&searched));
    let service = client
        .services()
        .get(catalog::service_id(catalog::SIMPLE_SERVICE))
        .send()
        .unwrap();
    assert_eq!(service.interfaces().send().unwrap().len(), 1);
}

#[test]
fn blocking_enroll_wait_and_secrets() {
    let (_sb, client) = start();
    let service = client
        .services()
        .get(catalog::service_id(catalog::SIMPLE_SERVICE))
        .send()
        .unwrap();
    let created = service
        .enroll()
        .parameters(serde_json::json!({"model": "small"}))
        .send()
        .unwrap();
    assert_eq!(created.service_id, service.id);
    let active = created.wait_active(Duration::from_secs(10)).unwrap();
    assert!(active.is_active());
    let listed = client
        .enrollments()
        .list()
        .with_service(false)
        .send()
        .unwrap();
    assert_eq!(listed.items[0].id, active.id);
    assert_eq!(listed.items[0].refresh().send().unwrap().id, active.id);

    let request = client
        .secrets()
        .set("API_TOKEN", "s3cret")
        .description("test");
    assert!(!format!("{request:?}").contains("s3cret"));
    request.send().unwrap();
    let listed: Vec<_> = client.secrets().list().stream().collect_all().unwrap();
    assert_eq!(listed.len(), 1);
    assert!(!format!("{listed:?}").contains("s3cret"));
    let err = client.secrets().set("lower", "x").send().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = client
        .secrets()
        .set("LONG", "x".repeat(4001))
        .send()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(
        !err.to_string().contains("xxxx"),
        "the value stays out: {err}"
    );
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

    let service = client.services().get(id).send().unwrap();
    let resp = client
        .dispatch_to(&service.logged())
        .path("echo")
        .send()
        .unwrap();
    assert!(resp.headers()["x-sandbox-path"]
        .to_str()
        .unwrap()
        .starts_with("/l/p/"));
}

#[test]
fn blocking_builders_have_the_async_setters() {
    let (_sb, client) = start();
    client
        .request_logs()
        .start()
        .mode(unitysvc::LoggingMode::Truncated)
        .send()
        .unwrap();
    client
        .services()
        .dispatch(catalog::service_id(catalog::SIMPLE_SERVICE))
        .path("echo")
        .send()
        .unwrap();
    let page = client.request_logs().list().limit(10).send().unwrap();
    assert_eq!(page.items.len(), 1);
    let detail = client
        .request_logs()
        .get(page.items[0].log_id.as_str())
        .send()
        .unwrap();
    assert_eq!(detail.log_id(), page.items[0].log_id);
    let also = client
        .request_logs()
        .list()
        .map(|q| q.limit(10))
        .send()
        .unwrap();
    assert_eq!(also.items.len(), 1);

    let alias = client
        .aliases()
        .create("fast", "g/llm")
        .routing_key(serde_json::json!({"tier": "gold"}))
        .send()
        .unwrap();
    let names: Vec<_> = client
        .aliases()
        .list()
        .into_iter()
        .map(|a| a.unwrap().name)
        .collect();
    assert_eq!(names, ["fast"]);
    client
        .aliases()
        .update(alias.id)
        .description("gold tier")
        .send()
        .unwrap();
    let collection = client.groups().create("picks").send().unwrap();
    client
        .groups()
        .add_member(collection.id, catalog::service_id(catalog::SIMPLE_SERVICE))
        .sort_order(1)
        .send()
        .unwrap();
    assert_eq!(collection.members().send().unwrap().len(), 1);
    let scheduled = client
        .services()
        .get(catalog::service_id(catalog::SIMPLE_SERVICE))
        .send()
        .unwrap()
        .schedule(unitysvc::Schedule::every(Duration::from_secs(60)))
        .path("echo")
        .json(serde_json::json!({"ping": true}))
        .send()
        .unwrap();
    assert_eq!(scheduled.enrollment_id, None);
    let resolved = client.resolve("g/llm/chat/completions").send().unwrap();
    assert!(!resolved.candidates.is_empty());
}

#[test]
fn one_blocking_client_serves_several_threads_at_once() {
    let (_sb, client) = start();
    let id = catalog::service_id(catalog::SIMPLE_SERVICE);
    let body = serde_json::json!({"model": "m", "stream": true,
                                  "messages": [{"role": "user", "content": "hi"}]});
    // A stream opened on one thread and read on another, while others call.
    let events = client
        .services()
        .dispatch(id)
        .path("chat/completions")
        .json(&body)
        .stream()
        .unwrap()
        .events();
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || events.collect::<unitysvc::Result<Vec<_>>>());
        let callers: Vec<_> = (0..4)
            .map(|n| {
                let client = client.clone();
                scope.spawn(move || {
                    for i in 0..15 {
                        let resp = client
                            .services()
                            .dispatch(id)
                            .path("echo")
                            .json(&serde_json::json!({"thread": n, "call": i}))
                            .send()
                            .unwrap();
                        assert!(resp.is_success());
                        assert_eq!(client.services().get(id).send().unwrap().id, id);
                    }
                })
            })
            .collect();
        for caller in callers {
            caller.join().unwrap();
        }
        let events = reader.join().unwrap().unwrap();
        assert_eq!(events.last(), Some(&Event::Done));
    });
}

/// A gateway that keeps each connection open after answering, then closes it shortly
/// after, as servers with a short keep-alive timeout do.
fn closing_gateway() -> std::net::SocketAddr {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
                std::thread::sleep(Duration::from_millis(50));
            });
        }
    });
    addr
}

#[test]
fn a_connection_closed_while_idle_is_not_reused() {
    let addr = closing_gateway();
    let inner = unitysvc::Client::builder()
        .base_url(format!("http://{addr}/v1"))
        .api_key("svcpass_test")
        .ignore_env()
        .build()
        .unwrap();
    let client = Client::wrap(inner).unwrap();
    for _ in 0..3 {
        let resp = client.dispatch("p/x/echo").body("{}").send().unwrap();
        assert_eq!(resp.text(), "ok");
        // Long enough for the server to have closed the connection in the meantime.
        std::thread::sleep(Duration::from_millis(150));
    }
}

#[test]
fn blocking_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Client>();
    check::<unitysvc::blocking::DispatchRequest>();
    check::<unitysvc::blocking::Service>();
}

/// Uses `inner` from a runtime of its own, after the blocking client opened connections.
fn use_from_async(blocking: &Client, inner: &unitysvc::Client) {
    let id = catalog::service_id(catalog::SIMPLE_SERVICE);
    assert_eq!(blocking.services().get(id).send().unwrap().id, id);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    for _ in 0..3 {
        let got = rt.block_on(inner.services().get(id).send()).unwrap();
        assert_eq!(got.id, id);
    }
    assert_eq!(blocking.services().get(id).send().unwrap().id, id);
}

#[test]
fn a_wrapped_async_client_stays_usable_from_async_code() {
    let sb = Sandbox::start_blocking().expect("sandbox");
    // A hang would surface as a timeout rather than a stuck test.
    let inner = unitysvc::Client::builder()
        .base_url(sb.base_url())
        .api_key(sb.api_key())
        .timeout(Duration::from_secs(5))
        .ignore_env()
        .build()
        .unwrap();
    let blocking = Client::wrap(inner.clone()).unwrap();
    use_from_async(&blocking, &inner);

    let _ = rustls::crypto::ring::default_provider().install_default();
    let shared_pool = unitysvc::Client::builder()
        .base_url(sb.base_url())
        .api_key(sb.api_key())
        .http_client(reqwest::Client::new())
        .timeout(Duration::from_secs(5))
        .ignore_env()
        .build()
        .unwrap();
    let blocking = Client::wrap(shared_pool.clone()).unwrap();
    use_from_async(&blocking, &shared_pool);
}
