//! Service aliases: stable names that route to a gateway path, switchable in one call.

use crate::args;
use crate::client::Client;
use crate::error::Result;
use crate::http::call;
use crate::ids::Id;
use crate::pagination::{offset_stream, ItemStream, Page};
use crate::types::{
    ServiceAliasCreate, ServiceAliasPublic, ServiceAliasUpdate, SwitchRoutingResponse,
};
use std::fmt::Display;

/// Operations on service aliases (`/aliases`).
#[derive(Debug, Clone)]
pub struct Aliases {
    client: Client,
}

impl Client {
    /// The customer's service aliases.
    pub fn aliases(&self) -> Aliases {
        Aliases {
            client: self.clone(),
        }
    }
}

impl Aliases {
    /// Starts a list request; set filters, then call `send()` or `into_stream()`.
    pub fn list(&self) -> ListAliases {
        ListAliases {
            client: self.client.clone(),
            skip: 0,
            limit: 100,
            name: None,
            include_deactivated: false,
            shared: false,
        }
    }

    /// Streams every active alias, page by page.
    pub fn list_all(&self) -> ItemStream<ServiceAliasPublic> {
        self.list().into_stream()
    }

    /// Gets one alias by id.
    pub async fn get(&self, alias_id: impl Id) -> Result<ServiceAliasPublic> {
        let id = alias_id.to_uuid()?;
        self.client.require_key("reading an alias")?;
        call(
            self.client
                .low_level()
                .customer_aliases_get_alias()
                .alias_id(id)
                .send(),
        )
        .await
    }

    /// Creates a personal alias from a [`ServiceAliasCreate`] or its builder.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Conflict`](crate::ErrorKind::Conflict) when an alias with the same name
    /// and routing key already routes.
    pub async fn create<B>(&self, body: B) -> Result<ServiceAliasPublic>
    where
        B: TryInto<ServiceAliasCreate>,
        B::Error: Display,
    {
        self.create_with(body, false).await
    }

    /// Creates an alias shared with the whole customer account rather than owned by the caller.
    pub async fn create_shared<B>(&self, body: B) -> Result<ServiceAliasPublic>
    where
        B: TryInto<ServiceAliasCreate>,
        B::Error: Display,
    {
        self.create_with(body, true).await
    }

    async fn create_with<B>(&self, body: B, shared: bool) -> Result<ServiceAliasPublic>
    where
        B: TryInto<ServiceAliasCreate>,
        B::Error: Display,
    {
        let body: ServiceAliasCreate = args::body("alias", body)?;
        self.client.require_key("creating an alias")?;
        call(
            self.client
                .low_level()
                .customer_aliases_create_alias()
                .shared(shared)
                .body(body)
                .send(),
        )
        .await
    }

    /// Changes the fields set in `body` (a [`ServiceAliasUpdate`] or its builder).
    pub async fn update<B>(&self, alias_id: impl Id, body: B) -> Result<ServiceAliasPublic>
    where
        B: TryInto<ServiceAliasUpdate>,
        B::Error: Display,
    {
        let id = alias_id.to_uuid()?;
        let body: ServiceAliasUpdate = args::body("alias update", body)?;
        self.client.require_key("updating an alias")?;
        call(
            self.client
                .low_level()
                .customer_aliases_update_alias()
                .alias_id(id)
                .body(body)
                .send(),
        )
        .await
    }

    /// Starts switching routing on or off for the alias named by `identifier`.
    ///
    /// The identifier is an alias id, an unambiguous id prefix, or an alias name. Turning an
    /// alias on atomically demotes the sibling that routed the same name and routing key.
    pub fn switch_routing(&self, identifier: impl Display, on: bool) -> SwitchRouting {
        SwitchRouting {
            client: self.client.clone(),
            identifier: identifier.to_string(),
            on,
            target: None,
            routing_key: None,
        }
    }

    /// Deletes an alias; the API answers with a small JSON acknowledgement.
    pub async fn delete(&self, alias_id: impl Id) -> Result<serde_json::Value> {
        let id = alias_id.to_uuid()?;
        self.client.require_key("deleting an alias")?;
        call(
            self.client
                .low_level()
                .customer_aliases_delete_alias()
                .alias_id(id)
                .send(),
        )
        .await
    }
}

/// A request for one page of aliases.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `send()` or `into_stream()`"]
pub struct ListAliases {
    client: Client,
    skip: u64,
    limit: u64,
    name: Option<String>,
    include_deactivated: bool,
    shared: bool,
}

impl ListAliases {
    /// Skips this many aliases (default 0).
    pub fn skip(mut self, skip: u64) -> Self {
        self.skip = skip;
        self
    }

    /// Asks for at most this many aliases per page (default 100).
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = limit;
        self
    }

    /// Keeps only aliases with exactly this name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Includes deactivated aliases too.
    pub fn include_deactivated(mut self, include: bool) -> Self {
        self.include_deactivated = include;
        self
    }

    /// Lists only the account-wide shared aliases.
    pub fn shared(mut self, shared: bool) -> Self {
        self.shared = shared;
        self
    }

    /// Fetches the page.
    pub async fn send(self) -> Result<Page<ServiceAliasPublic>> {
        let skip = args::signed("skip", self.skip)?;
        let limit = args::signed("limit", self.limit)?;
        self.client.require_key("listing aliases")?;
        let mut req = self
            .client
            .low_level()
            .customer_aliases_list_aliases()
            .skip(skip)
            .limit(limit)
            .include_deactivated(self.include_deactivated)
            .shared(self.shared);
        if let Some(name) = self.name {
            req = req.name(name);
        }
        let page = call(req.send()).await?;
        Ok(Page::from_count(
            page.data, page.count, self.skip, self.limit,
        ))
    }

    /// Streams every matching alias from this request's `skip` on, `limit` per page.
    pub fn into_stream(self) -> ItemStream<ServiceAliasPublic> {
        let (skip, limit) = (self.skip, self.limit);
        offset_stream(skip, limit, move |skip, limit| {
            self.clone().skip(skip).limit(limit).send()
        })
    }
}

/// A routing switch, optionally narrowed by target path or routing key.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `send()`"]
pub struct SwitchRouting {
    client: Client,
    identifier: String,
    on: bool,
    target: Option<String>,
    routing_key: Option<String>,
}

impl SwitchRouting {
    /// Picks, among aliases with the given name, the one whose target path contains this.
    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    /// Picks, among aliases with the given name, the one whose routing key contains this.
    pub fn routing_key(mut self, key: impl Into<String>) -> Self {
        self.routing_key = Some(key.into());
        self
    }

    /// Performs the switch; the response names any alias that was demoted.
    pub async fn send(self) -> Result<SwitchRoutingResponse> {
        args::non_empty("alias identifier", &self.identifier)?;
        self.client.require_key("switching alias routing")?;
        let mut req = self
            .client
            .low_level()
            .customer_aliases_switch_alias_routing()
            .identifier(self.identifier.trim())
            .on(self.on);
        if let Some(target) = self.target {
            req = req.target(target);
        }
        if let Some(key) = self.routing_key {
            req = req.routing_key(key);
        }
        call(req.send()).await
    }
}
