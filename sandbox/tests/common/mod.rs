//! Shared helpers for the sandbox integration tests.
#![allow(dead_code)]

use reqwest::Method;
use serde_json::Value;
use std::time::Duration;
use unitysvc_sandbox::{Limits, Sandbox};

/// A started sandbox plus an HTTP client.
pub struct Env {
    pub sb: Sandbox,
    pub http: reqwest::Client,
    pub base: String,
    pub gw: String,
    pub key: String,
    pub key2: String,
}

/// A response reduced to what tests look at.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

pub async fn start() -> Env {
    env(Sandbox::start().await.expect("start sandbox"))
}

/// Starts a sandbox with chosen limits.
pub async fn start_with(limits: Limits) -> Env {
    let sb = Sandbox::builder()
        .limits(limits)
        .start()
        .await
        .expect("start sandbox");
    env(sb)
}

fn env(sb: Sandbox) -> Env {
    Env {
        base: sb.base_url(),
        gw: sb.gateway_url(),
        key: sb.api_key().to_string(),
        key2: sb.second_api_key().to_string(),
        http: client(),
        sb,
    }
}

impl Env {
    /// Sends a control-plane request (`path` relative to `/v1`).
    pub async fn cp(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        self.send(
            method,
            &format!("{}{}", self.base, path),
            key,
            body.map(|b| b.to_string()),
        )
        .await
    }

    /// Sends a request with the demo key.
    pub async fn demo(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        let key = self.key.clone();
        self.cp(method, path, Some(&key), body).await
    }

    /// Sends a control-plane request with the demo key and a raw JSON body.
    pub async fn demo_raw(&self, method: &str, path: &str, body: String) -> Reply {
        let url = format!("{}{}", self.base, path);
        let key = self.key.clone();
        self.send(method, &url, Some(&key), Some(body)).await
    }

    /// Sends a raw-bodied request to any URL.
    pub async fn send(
        &self,
        method: &str,
        url: &str,
        key: Option<&str>,
        body: Option<String>,
    ) -> Reply {
        let m = Method::from_bytes(method.as_bytes()).expect("method");
        let mut rb = self.http.request(m, url);
        if let Some(k) = key {
            rb = rb.bearer_auth(k);
        }
        if let Some(b) = body {
            rb = rb.header("content-type", "application/json").body(b);
        }
        let resp = rb
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            text,
        }
    }
}

/// Loads the OpenAPI document, preferring the workspace copy.
pub fn load_spec() -> Option<Value> {
    let dir = env!("CARGO_MANIFEST_DIR");
    for p in [
        format!("{dir}/../openapi.json"),
        format!("{dir}/../../shared/reference/customer-api.openapi.json"),
    ] {
        if let Ok(text) = std::fs::read_to_string(&p) {
            if let Ok(v) = serde_json::from_str(&text) {
                return Some(v);
            }
        }
    }
    println!("openapi.json not found; skipping spec-driven checks");
    None
}

/// Seeded service id by name.
pub fn sid(name: &str) -> String {
    unitysvc_sandbox::catalog::service_id(name).to_string()
}
