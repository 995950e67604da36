//! Chains: ordered fallbacks where each step's outcome decides whether the next one runs.

use crate::args;
use crate::client::Client;
use crate::error::Result;
use crate::http::call;
use crate::ids::Id;
use crate::pagination::{offset_stream, ItemStream, Page};
use crate::types::{
    ChainCreate, ChainPublic, ChainStepCreate, ChainStepPublic, ChainStepUpdate, ChainUpdate,
};
use std::fmt::Display;

/// Operations on chains and their steps (`/chains`).
#[derive(Debug, Clone)]
pub struct Chains {
    client: Client,
}

impl Client {
    /// The customer's chains.
    pub fn chains(&self) -> Chains {
        Chains {
            client: self.clone(),
        }
    }
}

impl Chains {
    /// Starts a list request; set options, then call `send()` or `into_stream()`.
    pub fn list(&self) -> ListChains {
        ListChains {
            client: self.client.clone(),
            skip: 0,
            limit: 100,
            shared: false,
        }
    }

    /// Streams every chain, page by page.
    pub fn list_all(&self) -> ItemStream<ChainPublic> {
        self.list().into_stream()
    }

    /// Gets one chain, with its steps, by id.
    pub async fn get(&self, chain_id: impl Id) -> Result<ChainPublic> {
        let id = chain_id.to_uuid()?;
        self.client.require_key("reading a chain")?;
        call(
            self.client
                .low_level()
                .customer_chains_get_chain()
                .chain_id(id)
                .send(),
        )
        .await
    }

    /// Creates a personal chain from a [`ChainCreate`] or its builder.
    pub async fn create<B>(&self, body: B) -> Result<ChainPublic>
    where
        B: TryInto<ChainCreate>,
        B::Error: Display,
    {
        self.create_with(body, false).await
    }

    /// Creates a chain shared with the whole customer account rather than owned by the caller.
    pub async fn create_shared<B>(&self, body: B) -> Result<ChainPublic>
    where
        B: TryInto<ChainCreate>,
        B::Error: Display,
    {
        self.create_with(body, true).await
    }

    async fn create_with<B>(&self, body: B, shared: bool) -> Result<ChainPublic>
    where
        B: TryInto<ChainCreate>,
        B::Error: Display,
    {
        let body: ChainCreate = args::body("chain", body)?;
        self.client.require_key("creating a chain")?;
        call(
            self.client
                .low_level()
                .customer_chains_create_chain()
                .shared(shared)
                .body(body)
                .send(),
        )
        .await
    }

    /// Changes the chain fields set in `body` (a [`ChainUpdate`] or its builder).
    pub async fn update<B>(&self, chain_id: impl Id, body: B) -> Result<ChainPublic>
    where
        B: TryInto<ChainUpdate>,
        B::Error: Display,
    {
        let id = chain_id.to_uuid()?;
        let body: ChainUpdate = args::body("chain update", body)?;
        self.client.require_key("updating a chain")?;
        call(
            self.client
                .low_level()
                .customer_chains_update_chain()
                .chain_id(id)
                .body(body)
                .send(),
        )
        .await
    }

    /// Deletes a chain and its steps; the API answers with a small JSON acknowledgement.
    pub async fn delete(&self, chain_id: impl Id) -> Result<serde_json::Value> {
        let id = chain_id.to_uuid()?;
        self.client.require_key("deleting a chain")?;
        call(
            self.client
                .low_level()
                .customer_chains_delete_chain()
                .chain_id(id)
                .send(),
        )
        .await
    }

    /// Replaces all of a chain's steps at once; an empty list removes them all.
    pub async fn replace_steps<B>(
        &self,
        chain_id: impl Id,
        steps: impl IntoIterator<Item = B>,
    ) -> Result<ChainPublic>
    where
        B: TryInto<ChainStepCreate>,
        B::Error: Display,
    {
        let id = chain_id.to_uuid()?;
        let steps: Vec<ChainStepCreate> = args::bodies("chain step", steps)?;
        self.client.require_key("replacing chain steps")?;
        call(
            self.client
                .low_level()
                .customer_chains_replace_steps()
                .chain_id(id)
                .body(steps)
                .send(),
        )
        .await
    }

    /// Adds one step to a chain.
    pub async fn add_step<B>(&self, chain_id: impl Id, step: B) -> Result<ChainStepPublic>
    where
        B: TryInto<ChainStepCreate>,
        B::Error: Display,
    {
        let id = chain_id.to_uuid()?;
        let step: ChainStepCreate = args::body("chain step", step)?;
        self.client.require_key("adding a chain step")?;
        call(
            self.client
                .low_level()
                .customer_chains_add_step()
                .chain_id(id)
                .body(step)
                .send(),
        )
        .await
    }

    /// Changes the step fields set in `body` (a [`ChainStepUpdate`] or its builder).
    pub async fn update_step<B>(
        &self,
        chain_id: impl Id,
        step_id: impl Id,
        body: B,
    ) -> Result<ChainStepPublic>
    where
        B: TryInto<ChainStepUpdate>,
        B::Error: Display,
    {
        let chain = chain_id.to_uuid()?;
        let step = step_id.to_uuid()?;
        let body: ChainStepUpdate = args::body("chain step update", body)?;
        self.client.require_key("updating a chain step")?;
        call(
            self.client
                .low_level()
                .customer_chains_update_step()
                .chain_id(chain)
                .step_id(step)
                .body(body)
                .send(),
        )
        .await
    }

    /// Removes one step from a chain; the API answers with a small JSON acknowledgement.
    pub async fn remove_step(
        &self,
        chain_id: impl Id,
        step_id: impl Id,
    ) -> Result<serde_json::Value> {
        let chain = chain_id.to_uuid()?;
        let step = step_id.to_uuid()?;
        self.client.require_key("removing a chain step")?;
        call(
            self.client
                .low_level()
                .customer_chains_remove_step()
                .chain_id(chain)
                .step_id(step)
                .send(),
        )
        .await
    }
}

/// A request for one page of chains.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `send()` or `into_stream()`"]
pub struct ListChains {
    client: Client,
    skip: u64,
    limit: u64,
    shared: bool,
}

impl ListChains {
    /// Skips this many chains (default 0).
    pub fn skip(mut self, skip: u64) -> Self {
        self.skip = skip;
        self
    }

    /// Asks for at most this many chains per page (default 100).
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = limit;
        self
    }

    /// Lists only the account-wide shared chains.
    pub fn shared(mut self, shared: bool) -> Self {
        self.shared = shared;
        self
    }

    /// Fetches the page.
    pub async fn send(self) -> Result<Page<ChainPublic>> {
        let skip = args::signed("skip", self.skip)?;
        let limit = args::signed("limit", self.limit)?;
        self.client.require_key("listing chains")?;
        let page = call(
            self.client
                .low_level()
                .customer_chains_list_chains()
                .skip(skip)
                .limit(limit)
                .shared(self.shared)
                .send(),
        )
        .await?;
        Ok(Page::from_count(
            page.data, page.count, self.skip, self.limit,
        ))
    }

    /// Streams every chain from this request's `skip` on, `limit` per page.
    pub fn into_stream(self) -> ItemStream<ChainPublic> {
        let (skip, limit) = (self.skip, self.limit);
        offset_stream(skip, limit, move |skip, limit| {
            self.clone().skip(skip).limit(limit).send()
        })
    }
}
