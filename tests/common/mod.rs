//! Shared setup for the integration tests: a sandbox and an SDK client pointed at it.
#![allow(dead_code)]

use serde_json::Value;
use unitysvc::Client;
use unitysvc_sandbox::Sandbox;

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

/// A plain HTTP client for calls the SDK does not make (gateway, catalog lookups).
///
/// Build it after an SDK client: that installs the TLS provider reqwest needs.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .expect("http client")
}

/// The id of the `llm` group's service called `name`, read from the public catalog.
pub async fn service_id(sb: &Sandbox, name: &str) -> String {
    let http = http();
    let mut cursor: Option<String> = None;
    loop {
        let mut req = http
            .get(format!("{}/groups/llm/services", sb.base_url()))
            .query(&[("limit", "100")]);
        if let Some(c) = &cursor {
            req = req.query(&[("cursor", c.as_str())]);
        }
        let page: Value = req
            .send()
            .await
            .expect("list services")
            .json()
            .await
            .expect("services json");
        let items = page["data"].as_array().cloned().unwrap_or_default();
        if let Some(svc) = items.iter().find(|s| s["name"] == name) {
            return svc["id"].as_str().expect("service id").to_owned();
        }
        match (page["has_more"].as_bool(), page["next_cursor"].as_str()) {
            (Some(true), Some(next)) => cursor = Some(next.to_owned()),
            _ => panic!("service {name} not in the llm group"),
        }
    }
}

/// A service every customer may call without an enrollment.
pub const SIMPLE_SERVICE: &str = "mistral-small-latest";

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
