//! Broadcasts: one call fanned out to several targets.

use crate::args::{self, Checked};
use crate::client::Client;
use crate::error::Result;
use crate::http::call;
use crate::ids::Id;
use crate::open_enums::Mode;
use crate::pagination::{offset_paging, Page};
use crate::types::{
    BroadcastPublic, BroadcastTargetCreate, BroadcastTargetPublic, BroadcastUpdate,
};
use serde_json::{Map, Value};
use std::time::Duration;
use uuid::Uuid;

/// Operations on broadcasts and their targets (`/broadcasts`).
///
/// # Examples
///
/// ```no_run
/// use serde_json::json;
/// use unitysvc::broadcasts::BroadcastTarget;
///
/// # async fn run(client: unitysvc::Client) -> unitysvc::Result<()> {
/// let fanout = client
///     .broadcasts()
///     .create("fanout")
///     .mode("async")
///     .target(BroadcastTarget::new("audit", "p/5f0c..."))
///     .target(BroadcastTarget::new("eu", "g/llm").routing_key_override(json!({"region": "eu"})))
///     .send()
///     .await?;
/// client.broadcasts().add_target(fanout.id, BroadcastTarget::new("us", "g/llm").sort_order(2)).await?;
/// client.broadcasts().update(fanout.id).enabled(false).send().await?;
/// let page = client.broadcasts().list().limit(10).send().await?;
/// # let _ = page;
/// # Ok(())
/// # }
/// ```
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

/// One target of a broadcast: a gateway path and, optionally, the routing key it is sent with.
#[derive(Debug, Clone, PartialEq)]
pub struct BroadcastTarget {
    name: String,
    target_path: String,
    routing_key_override: Checked<Option<Map<String, Value>>>,
    sort_order: Option<i64>,
}

impl BroadcastTarget {
    /// A target `name` (up to 64 characters) calling `target_path` (up to 500).
    pub fn new(name: impl Into<String>, target_path: impl Into<String>) -> Self {
        BroadcastTarget {
            name: name.into(),
            target_path: target_path.into(),
            routing_key_override: Ok(None),
            sort_order: None,
        }
    }

    /// Sends the call to this target with this routing key, a JSON object; anything else
    /// fails when the target is sent.
    pub fn routing_key_override(mut self, key: impl serde::Serialize) -> Self {
        self.routing_key_override = args::check(args::object("routing_key_override", &key));
        self
    }

    /// Sets the target's position (default 0).
    pub fn sort_order(mut self, sort_order: i64) -> Self {
        self.sort_order = Some(sort_order);
        self
    }

    fn into_body(self) -> Result<BroadcastTargetCreate> {
        let mut body = crate::types::builder::BroadcastTargetCreate::default()
            .name(args::text::<crate::types::BroadcastTargetCreateName>(
                "broadcast target name",
                self.name,
            )?)
            .target_path(args::gateway_path::<
                crate::types::BroadcastTargetCreateTargetPath,
            >(
                "broadcast target target_path", self.target_path
            )?)
            .routing_key_override(args::checked(self.routing_key_override)?);
        if let Some(order) = self.sort_order {
            body = body.sort_order(order);
        }
        args::body("broadcast target", body)
    }
}

fn target_bodies(targets: Vec<BroadcastTarget>) -> Result<Vec<BroadcastTargetCreate>> {
    args::each("broadcast target", targets, BroadcastTarget::into_body)
}

impl Broadcasts {
    /// Starts a list request: personal broadcasts, 100 per page from the first.
    pub fn list(&self) -> ListBroadcasts {
        ListBroadcasts {
            client: self.client.clone(),
            skip: 0,
            limit: 100,
            shared: false,
        }
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

    /// Starts creating a personal broadcast called `name` (up to 64 characters).
    pub fn create(&self, name: impl Into<String>) -> CreateBroadcast {
        CreateBroadcast {
            client: self.client.clone(),
            name: name.into(),
            settings: Settings::default(),
            targets: Vec::new(),
            shared: false,
        }
    }

    /// Starts changing a broadcast; only the fields set are sent.
    pub fn update(&self, broadcast_id: impl Id) -> UpdateBroadcast {
        UpdateBroadcast {
            client: self.client.clone(),
            broadcast_id: args::check(broadcast_id.to_uuid()),
            settings: Settings::default(),
        }
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
    pub async fn replace_targets(
        &self,
        broadcast_id: impl Id,
        targets: impl IntoIterator<Item = BroadcastTarget>,
    ) -> Result<BroadcastPublic> {
        let id = broadcast_id.to_uuid()?;
        let targets = target_bodies(targets.into_iter().collect())?;
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
    pub async fn add_target(
        &self,
        broadcast_id: impl Id,
        target: BroadcastTarget,
    ) -> Result<BroadcastTargetPublic> {
        let id = broadcast_id.to_uuid()?;
        let target = target.into_body()?;
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

/// The settings a broadcast is created with and changed by.
#[derive(Debug, Clone, Default)]
struct Settings {
    description: Option<String>,
    mode: Option<Mode>,
    target_timeout: Option<Duration>,
    enabled: Option<bool>,
}

/// Setters both broadcast builders share, so the two read alike.
macro_rules! settings_setters {
    () => {
        /// Answers once every target has (`sync`, the default) or right away (`async`).
        pub fn mode(mut self, mode: impl Into<Mode>) -> Self {
            self.settings.mode = Some(mode.into());
            self
        }

        /// How long each target may take (the platform's default is 30 s).
        pub fn target_timeout(mut self, timeout: Duration) -> Self {
            self.settings.target_timeout = Some(timeout);
            self
        }

        /// Enables or disables the broadcast.
        pub fn enabled(mut self, enabled: bool) -> Self {
            self.settings.enabled = Some(enabled);
            self
        }

        /// Sets the description, up to 500 characters.
        pub fn description(mut self, description: impl Into<String>) -> Self {
            self.settings.description = Some(description.into());
            self
        }
    };
}

/// A new broadcast being set up; finish with [`send`](Self::send).
#[derive(Debug, Clone)]
#[must_use = "nothing is created until `send()`"]
pub struct CreateBroadcast {
    client: Client,
    name: String,
    settings: Settings,
    targets: Vec<BroadcastTarget>,
    shared: bool,
}

impl CreateBroadcast {
    settings_setters!();

    /// Adds a target.
    pub fn target(mut self, target: BroadcastTarget) -> Self {
        self.targets.push(target);
        self
    }

    /// Adds several targets.
    pub fn targets(mut self, targets: impl IntoIterator<Item = BroadcastTarget>) -> Self {
        self.targets.extend(targets);
        self
    }

    /// Shares the broadcast with the whole customer account rather than the caller alone.
    pub fn shared(mut self, shared: bool) -> Self {
        self.shared = shared;
        self
    }

    /// Creates the broadcast.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a name or target name
    /// over 64 characters, a description or target path over 500, or a routing key that is
    /// not a JSON object, before anything is sent.
    pub async fn send(self) -> Result<BroadcastPublic> {
        let mut body = crate::types::builder::BroadcastCreate::default()
            .name(args::text::<crate::types::BroadcastCreateName>(
                "broadcast name",
                self.name,
            )?)
            .description(args::text_opt(
                "broadcast description",
                self.settings.description,
            )?)
            .mode(self.settings.mode.clone())
            .targets(target_bodies(self.targets)?);
        if let Some(ms) = args::millis_opt("target_timeout", self.settings.target_timeout)? {
            body = body.target_timeout_ms(ms);
        }
        if let Some(enabled) = self.settings.enabled {
            body = body.enabled(enabled);
        }
        let body: crate::types::BroadcastCreate = args::body("broadcast", body)?;
        self.client.require_key("creating a broadcast")?;
        call(
            self.client
                .low_level()
                .customer_broadcasts_create_broadcast()
                .shared(self.shared)
                .body(body)
                .send(),
        )
        .await
    }
}

/// Changes to a broadcast; unset fields are left as they are.
#[derive(Debug, Clone)]
#[must_use = "nothing is changed until `send()`"]
pub struct UpdateBroadcast {
    client: Client,
    broadcast_id: Checked<Uuid>,
    settings: Settings,
}

impl UpdateBroadcast {
    settings_setters!();

    /// Sends the changes.
    pub async fn send(self) -> Result<BroadcastPublic> {
        let id = args::checked(self.broadcast_id)?;
        let body = BroadcastUpdate {
            description: args::text_opt("broadcast description", self.settings.description)?,
            target_timeout_ms: args::millis_opt("target_timeout", self.settings.target_timeout)?,
            mode: self.settings.mode,
            enabled: self.settings.enabled,
        };
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
}

/// A request for one page of broadcasts; finish with `send()` or `stream()`.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `send()` or `stream()`"]
pub struct ListBroadcasts {
    client: Client,
    skip: u64,
    limit: u64,
    shared: bool,
}

offset_paging!(ListBroadcasts => BroadcastPublic, "broadcasts", "(default 100)");

impl ListBroadcasts {
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
}
