//! Service aliases: stable names that route to a gateway path, switchable in one call.

use crate::args::{self, Checked};
use crate::client::Client;
use crate::error::Result;
use crate::http::call;
use crate::ids::Id;
use crate::pagination::{offset_paging, Page};
use crate::types::{
    ServiceAliasCreate, ServiceAliasPublic, ServiceAliasUpdate, SwitchRoutingResponse,
};
use serde_json::{Map, Value};
use std::fmt::Display;
use uuid::Uuid;

/// Operations on service aliases (`/aliases`).
///
/// # Examples
///
/// ```no_run
/// use serde_json::json;
///
/// # async fn run(client: unitysvc::Client, id: uuid::Uuid, other: uuid::Uuid) -> unitysvc::Result<()> {
/// let fast = client
///     .aliases()
///     .create("fast", format!("p/{id}"))
///     .description("Our default chat model")
///     .routing_key(json!({"tier": "gold"}))
///     .send()
///     .await?;
/// let standby = client
///     .aliases()
///     .create("fast", format!("p/{other}"))
///     .routing_key(json!({"tier": "gold"}))
///     .is_routing(false)
///     .send()
///     .await?;
/// // Route `a/fast` to the standby; the first alias is demoted in the same step.
/// client.aliases().switch_routing(standby.id, true).send().await?;
/// client.aliases().update(fast.id).description("Former default").send().await?;
/// let page = client.aliases().list().name("fast").include_deactivated(true).send().await?;
/// # let _ = page;
/// # Ok(())
/// # }
/// ```
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
    /// Starts a list request: active personal aliases, 100 per page from the first.
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

    /// Starts creating a personal alias `name` that routes to `target_path` (a gateway path
    /// such as `p/<service id>` or `g/llm`).
    pub fn create(&self, name: impl Into<String>, target_path: impl Into<String>) -> CreateAlias {
        CreateAlias {
            client: self.client.clone(),
            name: name.into(),
            target_path: target_path.into(),
            fields: Fields::default(),
            is_routing: None,
            shared: false,
        }
    }

    /// Starts changing an alias; only the fields set are sent. Its name cannot change.
    pub fn update(&self, alias_id: impl Id) -> UpdateAlias {
        UpdateAlias {
            client: self.client.clone(),
            alias_id: args::check(alias_id.to_uuid()),
            target_path: None,
            fields: Fields::default(),
        }
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
#[must_use = "a request does nothing until `send()` or `stream()`"]
pub struct ListAliases {
    client: Client,
    skip: u64,
    limit: u64,
    name: Option<String>,
    include_deactivated: bool,
    shared: bool,
}

offset_paging!(ListAliases => ServiceAliasPublic, "aliases", "(default 100)");

impl ListAliases {
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

/// A new alias being set up; finish with [`send`](Self::send).
#[derive(Debug, Clone)]
#[must_use = "nothing is created until `send()`"]
pub struct CreateAlias {
    client: Client,
    name: String,
    target_path: String,
    fields: Fields,
    is_routing: Option<bool>,
    shared: bool,
}

/// The fields an alias is created with and changed by.
#[derive(Debug, Clone)]
struct Fields {
    description: Option<String>,
    routing_key: Checked<Option<Map<String, Value>>>,
    routing_key_override: Checked<Option<Map<String, Value>>>,
}

impl Default for Fields {
    fn default() -> Self {
        Fields {
            description: None,
            routing_key: Ok(None),
            routing_key_override: Ok(None),
        }
    }
}

/// Setters both alias builders share, so the two read alike.
macro_rules! fields_setters {
    () => {
        /// Sets the description, up to 500 characters.
        pub fn description(mut self, description: impl Into<String>) -> Self {
            self.fields.description = Some(description.into());
            self
        }

        /// Routes only requests whose routing key matches this JSON object, e.g.
        /// `{"model": "gpt-4"}`; anything but an object fails at `send()`.
        pub fn routing_key(mut self, key: impl serde::Serialize) -> Self {
            self.fields.routing_key = args::check(args::object("routing_key", &key));
            self
        }

        /// Replaces the routing key of requests passing through, a JSON object.
        pub fn routing_key_override(mut self, key: impl serde::Serialize) -> Self {
            self.fields.routing_key_override =
                args::check(args::object("routing_key_override", &key));
            self
        }
    };
}

impl CreateAlias {
    fields_setters!();

    /// Whether the alias routes as soon as it exists (the platform's default is `true`,
    /// which fails with a conflict when a sibling already routes the same name and key).
    pub fn is_routing(mut self, is_routing: bool) -> Self {
        self.is_routing = Some(is_routing);
        self
    }

    /// Shares the alias with the whole customer account rather than the caller alone.
    pub fn shared(mut self, shared: bool) -> Self {
        self.shared = shared;
        self
    }

    /// Creates the alias.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a name over 100
    /// characters, a target or description over 500, or a routing key that is not a JSON
    /// object, before anything is sent; [`ErrorKind::Conflict`](crate::ErrorKind::Conflict)
    /// when an alias with the same name and routing key already routes.
    pub async fn send(self) -> Result<ServiceAliasPublic> {
        let mut body = crate::types::builder::ServiceAliasCreate::default()
            .name(args::text::<crate::types::ServiceAliasCreateName>(
                "alias name",
                self.name,
            )?)
            .target_path(args::gateway_path::<
                crate::types::ServiceAliasCreateTargetPath,
            >("alias target_path", self.target_path)?)
            .description(args::text_opt(
                "alias description",
                self.fields.description,
            )?)
            .request_routing_key(args::checked(self.fields.routing_key)?)
            .routing_key_override(args::checked(self.fields.routing_key_override)?);
        if let Some(is_routing) = self.is_routing {
            body = body.is_routing(is_routing);
        }
        let body: ServiceAliasCreate = args::body("alias", body)?;
        self.client.require_key("creating an alias")?;
        call(
            self.client
                .low_level()
                .customer_aliases_create_alias()
                .shared(self.shared)
                .body(body)
                .send(),
        )
        .await
    }
}

/// Changes to an alias; unset fields are left as they are.
#[derive(Debug, Clone)]
#[must_use = "nothing is changed until `send()`"]
pub struct UpdateAlias {
    client: Client,
    alias_id: Checked<Uuid>,
    target_path: Option<String>,
    fields: Fields,
}

impl UpdateAlias {
    fields_setters!();

    /// Points the alias at another gateway path, up to 500 characters.
    pub fn target_path(mut self, target_path: impl Into<String>) -> Self {
        self.target_path = Some(target_path.into());
        self
    }

    /// Sends the changes.
    pub async fn send(self) -> Result<ServiceAliasPublic> {
        let id = args::checked(self.alias_id)?;
        let body = ServiceAliasUpdate {
            description: args::text_opt("alias description", self.fields.description)?,
            target_path: args::gateway_path_opt("alias target_path", self.target_path)?,
            request_routing_key: args::checked(self.fields.routing_key)?,
            routing_key_override: args::checked(self.fields.routing_key_override)?,
        };
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
}
