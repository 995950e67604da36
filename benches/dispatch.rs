//! Gateway dispatch against an in-process sandbox, as ratios (above 1: faster than the
//! baseline).
//!
//! - round trip: sequential `POST p/<id>/echo` calls with the same JSON body; the
//!   baseline is a bare `reqwest::Client` given the URL, the bearer header and the body,
//!   against `client.dispatch(path)`, `client.services().dispatch(id)` and a `Service`
//!   record's `dispatch()` (both of which look the service's interface up).
//! - service dispatch against path dispatch: the same calls, with `client.dispatch(path)`
//!   as the baseline.
//! - request building: the baseline is `format!` of the URL plus `serde_json::to_vec` of
//!   the body, against `client.dispatch(path).json(&body).build()`, which also parses the
//!   URL, checks the path and sets the auth, type and agent headers.
//!
//! All clients run on one current-thread runtime on the bench thread; the sandbox runs
//! on its own two-worker runtime.
//!
//! `cargo bench --bench dispatch -- --quick`

mod support;

use futures::FutureExt;
use serde_json::json;
use support::{compare, Case, Settings};
use unitysvc::Client;
use unitysvc_sandbox::{catalog, Sandbox};

fn main() {
    let settings = Settings::from_args();
    // The SDK configures TLS per client; the bare reqwest client needs a process default.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sb = Sandbox::start_blocking().expect("sandbox");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let client = Client::builder()
        .base_url(sb.base_url())
        .api_key(sb.api_key())
        .ignore_env()
        .build()
        .expect("client");
    let id = catalog::service_id(catalog::SIMPLE_SERVICE);
    let path = format!("p/{id}/echo");
    let body = json!({
        "model": "mistral-small-latest",
        "temperature": 0.2,
        "max_tokens": 256,
        "messages": [
            {"role": "system", "content": "You are a concise assistant. Answer in one sentence."},
            {"role": "user", "content": "What is the capital of France, and why is it famous?"}
        ]
    });
    let raw = reqwest::Client::new();
    let raw_url = format!("{}/{path}", sb.gateway_url());
    let key = sb.api_key().to_owned();
    let service = rt
        .block_on(client.services().get(id).send())
        .expect("service");
    let ok = |status: unitysvc::StatusCode| u64::from(status == 200);

    let group = "gateway round trip (echo)";
    if settings.wants(group) {
        compare(
            &settings,
            group,
            Case::new("reqwest", || {
                rt.block_on(async {
                    let resp = raw
                        .post(&raw_url)
                        .bearer_auth(&key)
                        .json(&body)
                        .send()
                        .await
                        .expect("reqwest call");
                    let status = resp.status();
                    resp.bytes().await.expect("reqwest body");
                    ok(status)
                })
            }),
            vec![
                Case::new("client.dispatch(path)", || {
                    let call = client.dispatch(&path).json(&body).send();
                    ok(rt.block_on(call).expect("dispatch").status())
                }),
                Case::new("services().dispatch(id)", || {
                    let call = client.services().dispatch(id).path("echo").json(&body);
                    ok(rt.block_on(call.send()).expect("dispatch").status())
                }),
                Case::new("service.dispatch()", || {
                    let call = service.dispatch().path("echo").json(&body).send();
                    ok(rt.block_on(call).expect("dispatch").status())
                }),
            ],
            true,
        );
    }

    let group = "service dispatch against path dispatch";
    if settings.wants(group) {
        compare(
            &settings,
            group,
            Case::new("client.dispatch(path)", || {
                let call = client.dispatch(&path).json(&body).send();
                ok(rt.block_on(call).expect("dispatch").status())
            }),
            vec![
                Case::new("services().dispatch(id)", || {
                    let call = client.services().dispatch(id).path("echo").json(&body);
                    ok(rt.block_on(call.send()).expect("dispatch").status())
                }),
                Case::new("service.dispatch()", || {
                    let call = service.dispatch().path("echo").json(&body).send();
                    ok(rt.block_on(call).expect("dispatch").status())
                }),
            ],
            true,
        );
    }

    let group = "request building";
    if settings.wants(group) {
        let root = client.gateway_url().to_owned();
        // Fills the client's interface cache.
        rt.block_on(client.services().interfaces(id).send())
            .expect("interfaces");
        compare(
            &settings,
            group,
            Case::new("format! + serde_json::to_vec", || {
                let url = format!("{root}/{path}");
                let bytes = serde_json::to_vec(&body).expect("JSON");
                std::hint::black_box(&url);
                bytes.len() as u64
            }),
            vec![
                Case::new("dispatch(path).json(&body).build()", || {
                    let request = client
                        .dispatch(&path)
                        .json(&body)
                        .build()
                        .now_or_never()
                        .expect("a path target builds without waiting")
                        .expect("request");
                    request
                        .body()
                        .and_then(|b| b.as_bytes())
                        .map_or(0, |b| b.len() as u64)
                }),
                Case::new("services().dispatch(id)….build(), cached", || {
                    let request = client
                        .services()
                        .dispatch(id)
                        .path("echo")
                        .json(&body)
                        .build()
                        .now_or_never()
                        .expect("a cached interface builds without waiting")
                        .expect("request");
                    request
                        .body()
                        .and_then(|b| b.as_bytes())
                        .map_or(0, |b| b.len() as u64)
                }),
            ],
            true,
        );
    }
    drop(rt);
}
