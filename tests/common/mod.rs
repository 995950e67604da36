//! Shared setup for the integration tests: a sandbox and an SDK client pointed at it.
#![allow(dead_code)]

pub mod recorder;

use unitysvc::Client;
use unitysvc_sandbox::{catalog, Sandbox};

/// A freshly started sandbox and a client authenticated with its demo key.
pub async fn start() -> (Sandbox, Client) {
    let sb = Sandbox::start().await.expect("start sandbox");
    let client = Client::builder()
        .base_url(sb.base_url())
        .api_key(sb.api_key())
        .ignore_env()
        .build()
        .expect("build client");
    (sb, client)
}

/// A client with no API key, pointed at the sandbox.
pub fn anonymous(sb: &Sandbox) -> Client {
    Client::builder()
        .base_url(sb.base_url())
        .ignore_env()
        .build()
        .expect("build anonymous client")
}

/// A client authenticated as the sandbox's second customer.
pub fn second_customer(sb: &Sandbox) -> Client {
    Client::builder()
        .base_url(sb.base_url())
        .api_key(sb.second_api_key())
        .ignore_env()
        .build()
        .expect("build second client")
}

/// A plain reqwest builder for this test process.
///
/// The SDK never installs a process-wide TLS provider, so a test that builds its own
/// reqwest client picks one, as an application would.
pub fn http_builder() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

/// A plain HTTP client for calls the SDK does not make (gateway, catalog lookups).
pub fn http() -> reqwest::Client {
    http_builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .expect("http client")
}

/// The id of the seeded service called `name`, as text.
pub fn service_id(name: &str) -> String {
    catalog::service_id(name).to_string()
}

/// The seeded service called `name`, read through the SDK.
pub async fn service(client: &Client, name: &str) -> unitysvc::Service {
    client
        .services()
        .get(catalog::service_id(name))
        .await
        .expect("seeded service")
}

/// A service every customer may call without an enrollment.
pub const SIMPLE_SERVICE: &str = catalog::SIMPLE_SERVICE;

/// Calls the sandbox gateway's echo endpoint of `service_id` with the demo key.
pub async fn gateway_echo(sb: &Sandbox, service_id: &str) -> u16 {
    http()
        .post(format!("{}/p/{service_id}/echo", sb.gateway_url()))
        .bearer_auth(sb.api_key())
        .json(&serde_json::json!({"hello": "world"}))
        .send()
        .await
        .expect("gateway call")
        .status()
        .as_u16()
}
