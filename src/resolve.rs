//! Dry-run route resolution: what the gateway would pick, without calling upstream.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::call;
use crate::open_enums::GatewayKind;
use crate::types::ResolveResponse;

/// A dry-run resolve request; finish it with [`send`](Self::send).
#[derive(Debug, Clone)]
#[must_use = "nothing is resolved until send() is called"]
pub struct ResolveRequest {
    client: Client,
    path: String,
    routing_key: crate::args::Checked<Option<serde_json::Map<String, serde_json::Value>>>,
    gateway: GatewayKind,
    strategy: Option<String>,
}

impl ResolveRequest {
    /// Sets the routing key the gateway matches interface rules against, a JSON object such
    /// as `{"model": "gpt-4"}`; anything else fails at `send()`.
    pub fn routing_key(mut self, key: impl serde::Serialize) -> Self {
        self.routing_key = crate::args::check(crate::args::object("routing_key", &key));
        self
    }

    /// Chooses the gateway the path belongs to; `api` by default.
    pub fn gateway(mut self, gateway: GatewayKind) -> Self {
        self.gateway = gateway;
        self
    }

    /// Overrides the group's routing strategy, e.g. `by_price`.
    pub fn strategy(mut self, strategy: impl Into<String>) -> Self {
        self.strategy = Some(strategy.into());
        self
    }

    /// Asks the platform which candidates the path has and which it would select.
    pub async fn send(self) -> Result<ResolveResponse> {
        let routing_key = crate::args::checked(self.routing_key)?;
        let path = self.path.trim().trim_start_matches('/');
        if path.is_empty() {
            return Err(Error::invalid_input("the path to resolve is empty"));
        }
        let written = self.path.trim();
        crate::wrappers::check_path(written.split_once('?').map_or(written, |(p, _)| p))?;
        self.client.require_key("resolving a route")?;
        let body = crate::types::ResolveRequest {
            gateway: Some(self.gateway),
            path: path.to_owned(),
            routing_key,
            strategy: self.strategy,
        };
        call(
            self.client
                .low_level()
                .customer_resolve_resolve_route()
                .body(body)
                .send(),
        )
        .await
    }
}

impl Client {
    /// Starts a dry-run resolve of a gateway path, such as `g/llm/v1/chat/completions`.
    pub fn resolve(&self, path: &str) -> ResolveRequest {
        ResolveRequest {
            client: self.clone(),
            path: path.to_owned(),
            routing_key: Ok(None),
            gateway: GatewayKind::Api,
            strategy: None,
        }
    }
}
