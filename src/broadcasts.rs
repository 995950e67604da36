//! Broadcasts: one call fanned out to several targets.

use crate::args;
use crate::client::Client;
use crate::error::Result;
use crate::http::call;
use crate::ids::Id;
use crate::pagination::{offset_stream, ItemStream, Page};
use crate::types::{
    BroadcastCreate, BroadcastPublic, BroadcastTargetCreate, BroadcastTargetPublic, BroadcastUpdate,
};
use std::fmt::Display;

/// Operations on broadcasts and their targets (`/broadcasts`).
#[derive(Debug, Clone)]
pub struct Broadcasts {
    client: Client,
}

impl Client {
    /// The customer's broadcasts.
    pub fn broadcasts(&self) -> Broadcasts {
        Broadcasts {
            client: self.clone(),
        }
    }
}

impl Broadcasts {
    /// Starts a list request; set options, then call `send()` or `into_stream()`.
    pub fn list(&self) -> ListBroadcasts {
        ListBroadcasts {
            client: self.client.clone(),
            skip: 0,
            limit: 100,
            shared: false,
        }
    }

    /// Streams every broadcast, page by page.
    pub fn list_all(&self) -> ItemStream<BroadcastPublic> {
        self.list().into_stream()
    }

    /// Gets one broadcast, with its targets, by id.
    pub async fn get(&self, broadcast_id: impl Id) -> Result<BroadcastPublic> {
        let id = broadcast_id.to_uuid()?;
        self.client.require_key("reading a broadcast")?;
        call(
            self.client
                .low_level()
                .customer_broadcasts_get_broadcast()
                .broadcast_id(id)
                .send(),
        )
        .await
    }

    /// Creates a personal broadcast from a [`BroadcastCreate`] or its builder.
    pub async fn create<B>(&self, body: B) -> Result<BroadcastPublic>
    where
        B: TryInto<BroadcastCreate>,
        B::Error: Display,
    {
        self.create_with(body, false).await
    }

    /// Creates a broadcast shared with the whole customer account rather than owned by the caller.
    pub async fn create_shared<B>(&self, body: B) -> Result<BroadcastPublic>
    where
        B: TryInto<BroadcastCreate>,
        B::Error: Display,
    {
        self.create_with(body, true).await
    }

    async fn create_with<B>(&self, body: B, shared: bool) -> Result<BroadcastPublic>
    where
        B: TryInto<BroadcastCreate>,
        B::Error: Display,
    {
        let body: BroadcastCreate = args::body("broadcast", body)?;
        self.client.require_key("creating a broadcast")?;
        call(
            self.client
                .low_level()
                .customer_broadcasts_create_broadcast()
                .shared(shared)
                .body(body)
                .send(),
        )
        .await
    }

    /// Changes the broadcast fields set in `body` (a [`BroadcastUpdate`] or its builder).
    pub async fn update<B>(&self, broadcast_id: impl Id, body: B) -> Result<BroadcastPublic>
    where
        B: TryInto<BroadcastUpdate>,
        B::Error: Display,
    {
        let id = broadcast_id.to_uuid()?;
        let body: BroadcastUpdate = args::body("broadcast update", body)?;
        self.client.require_key("updating a broadcast")?;
        call(
            self.client
                .low_level()
                .customer_broadcasts_update_broadcast()
                .broadcast_id(id)
                .body(body)
                .send(),
        )
        .await
    }

    /// Deletes a broadcast and its targets; the API answers with a small JSON acknowledgement.
    pub async fn delete(&self, broadcast_id: impl Id) -> Result<serde_json::Value> {
        let id = broadcast_id.to_uuid()?;
        self.client.require_key("deleting a broadcast")?;
        call(
            self.client
                .low_level()
                .customer_broadcasts_delete_broadcast()
                .broadcast_id(id)
                .send(),
        )
        .await
    }

    /// Replaces all of a broadcast's targets at once; an empty list removes them all.
    pub async fn replace_targets<B>(
        &self,
        broadcast_id: impl Id,
        targets: impl IntoIterator<Item = B>,
    ) -> Result<BroadcastPublic>
    where
        B: TryInto<BroadcastTargetCreate>,
        B::Error: Display,
    {
        let id = broadcast_id.to_uuid()?;
        let targets: Vec<BroadcastTargetCreate> = args::bodies("broadcast target", targets)?;
        self.client.require_key("replacing broadcast targets")?;
        call(
            self.client
                .low_level()
                .customer_broadcasts_replace_targets()
                .broadcast_id(id)
                .body(targets)
                .send(),
        )
        .await
    }

    /// Adds one target to a broadcast.
    pub async fn add_target<B>(
        &self,
        broadcast_id: impl Id,
        target: B,
    ) -> Result<BroadcastTargetPublic>
    where
        B: TryInto<BroadcastTargetCreate>,
        B::Error: Display,
    {
        let id = broadcast_id.to_uuid()?;
        let target: BroadcastTargetCreate = args::body("broadcast target", target)?;
        self.client.require_key("adding a broadcast target")?;
        call(
            self.client
                .low_level()
                .customer_broadcasts_add_target()
                .broadcast_id(id)
                .body(target)
                .send(),
        )
        .await
    }

    /// Removes one target from a broadcast; the API answers with a small JSON acknowledgement.
    pub async fn remove_target(
        &self,
        broadcast_id: impl Id,
        target_id: impl Id,
    ) -> Result<serde_json::Value> {
        let broadcast = broadcast_id.to_uuid()?;
        let target = target_id.to_uuid()?;
        self.client.require_key("removing a broadcast target")?;
        call(
            self.client
                .low_level()
                .customer_broadcasts_remove_target()
                .broadcast_id(broadcast)
                .target_id(target)
                .send(),
        )
        .await
    }
}

/// A request for one page of broadcasts.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `send()` or `into_stream()`"]
pub struct ListBroadcasts {
    client: Client,
    skip: u64,
    limit: u64,
    shared: bool,
}

impl ListBroadcasts {
    /// Skips this many broadcasts (default 0).
    pub fn skip(mut self, skip: u64) -> Self {
        self.skip = skip;
        self
    }

    /// Asks for at most this many broadcasts per page (default 100).
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = limit;
        self
    }

    /// Lists only the account-wide shared broadcasts.
    pub fn shared(mut self, shared: bool) -> Self {
        self.shared = shared;
        self
    }

    /// Fetches the page.
    pub async fn send(self) -> Result<Page<BroadcastPublic>> {
        let skip = args::signed("skip", self.skip)?;
        let limit = args::signed("limit", self.limit)?;
        self.client.require_key("listing broadcasts")?;
        let page = call(
            self.client
                .low_level()
                .customer_broadcasts_list_broadcasts()
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

    /// Streams every broadcast from this request's `skip` on, `limit` per page.
    pub fn into_stream(self) -> ItemStream<BroadcastPublic> {
        let (skip, limit) = (self.skip, self.limit);
        offset_stream(skip, limit, move |skip, limit| {
            self.clone().skip(skip).limit(limit).send()
        })
    }
}
