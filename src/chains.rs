//! Chains: ordered fallbacks where each step's outcome decides whether the next one runs.

use crate::args::{self, Checked};
use crate::client::Client;
use crate::error::Result;
use crate::http::call;
use crate::ids::Id;
use crate::pagination::{offset_paging, Page};
use crate::types::{ChainPublic, ChainStepCreate, ChainStepPublic, ChainStepUpdate, ChainUpdate};
use std::time::Duration;
use uuid::Uuid;

/// Operations on chains and their steps (`/chains`).
///
/// # Examples
///
/// ```no_run
/// use std::time::Duration;
/// use unitysvc::chains::ChainStep;
///
/// # async fn run(client: unitysvc::Client) -> unitysvc::Result<()> {
/// let chain = client
///     .chains()
///     .create("fallback")
///     .description("Primary, then the cheap one")
///     .step(ChainStep::new("primary", "p/5f0c...", 0).timeout(Duration::from_secs(5)))
///     .step(ChainStep::new("backup", "g/llm", 1).on_failure("stop"))
///     .send()
///     .await?;
/// client.chains().update(chain.id).enabled(false).send().await?;
/// let step = chain.steps[0].id;
/// client.chains().update_step(chain.id, step).on_success("relay").send().await?;
/// let page = client.chains().list().shared(true).send().await?;
/// # let _ = page;
/// # Ok(())
/// # }
/// ```
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

/// Setters a new step and a step's changes share.
macro_rules! step_setters {
    () => {
        /// What a success leads to (the platform's default is `stop`).
        pub fn on_success(mut self, action: impl Into<String>) -> Self {
            self.on_success = Some(action.into());
            self
        }

        /// What a failure leads to (the platform's default is `relay`, the next step).
        pub fn on_failure(mut self, action: impl Into<String>) -> Self {
            self.on_failure = Some(action.into());
            self
        }

        /// How long the step may take, replacing the chain's default.
        pub fn timeout(mut self, timeout: Duration) -> Self {
            self.timeout = Some(timeout);
            self
        }
    };
}

/// One step of a chain: a gateway target, its position, and what its outcome leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainStep {
    name: String,
    target_path: String,
    sort_order: i64,
    on_success: Option<String>,
    on_failure: Option<String>,
    timeout: Option<Duration>,
}

impl ChainStep {
    /// A step `name` (up to 64 characters) calling `target_path` (up to 500), run in
    /// `sort_order`.
    pub fn new(name: impl Into<String>, target_path: impl Into<String>, sort_order: i64) -> Self {
        ChainStep {
            name: name.into(),
            target_path: target_path.into(),
            sort_order,
            on_success: None,
            on_failure: None,
            timeout: None,
        }
    }

    step_setters!();

    fn into_body(self) -> Result<ChainStepCreate> {
        let mut body = crate::types::builder::ChainStepCreate::default()
            .name(args::text::<crate::types::ChainStepCreateName>(
                "chain step name",
                self.name,
            )?)
            .target_path(
                args::gateway_path::<crate::types::ChainStepCreateTargetPath>(
                    "chain step target_path",
                    self.target_path,
                )?,
            )
            .sort_order(self.sort_order)
            .timeout_ms(args::millis_opt("chain step timeout", self.timeout)?);
        if let Some(action) = self.on_success {
            body = body.on_success(action);
        }
        if let Some(action) = self.on_failure {
            body = body.on_failure(action);
        }
        args::body("chain step", body)
    }
}

fn step_bodies(steps: Vec<ChainStep>) -> Result<Vec<ChainStepCreate>> {
    args::each("chain step", steps, ChainStep::into_body)
}

impl Chains {
    /// Starts a list request: personal chains, 100 per page from the first.
    pub fn list(&self) -> ListChains {
        ListChains {
            client: self.client.clone(),
            skip: 0,
            limit: 100,
            shared: false,
        }
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

    /// Starts creating a personal chain called `name` (up to 64 characters).
    pub fn create(&self, name: impl Into<String>) -> CreateChain {
        CreateChain {
            client: self.client.clone(),
            name: name.into(),
            settings: Settings::default(),
            steps: Vec::new(),
            shared: false,
        }
    }

    /// Starts changing a chain; only the fields set are sent.
    pub fn update(&self, chain_id: impl Id) -> UpdateChain {
        UpdateChain {
            client: self.client.clone(),
            chain_id: args::check(chain_id.to_uuid()),
            settings: Settings::default(),
        }
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
    pub async fn replace_steps(
        &self,
        chain_id: impl Id,
        steps: impl IntoIterator<Item = ChainStep>,
    ) -> Result<ChainPublic> {
        let id = chain_id.to_uuid()?;
        let steps = step_bodies(steps.into_iter().collect())?;
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
    pub async fn add_step(&self, chain_id: impl Id, step: ChainStep) -> Result<ChainStepPublic> {
        let id = chain_id.to_uuid()?;
        let step = step.into_body()?;
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

    /// Starts changing one step; only the fields set are sent.
    pub fn update_step(&self, chain_id: impl Id, step_id: impl Id) -> UpdateChainStep {
        UpdateChainStep {
            client: self.client.clone(),
            chain_id: args::check(chain_id.to_uuid()),
            step_id: args::check(step_id.to_uuid()),
            name: None,
            target_path: None,
            on_success: None,
            on_failure: None,
            timeout: None,
            sort_order: None,
        }
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

/// A new chain being set up; finish with [`send`](Self::send).
#[derive(Debug, Clone)]
#[must_use = "nothing is created until `send()`"]
pub struct CreateChain {
    client: Client,
    name: String,
    settings: Settings,
    steps: Vec<ChainStep>,
    shared: bool,
}

/// The settings a chain is created with and changed by.
#[derive(Debug, Clone, Default)]
struct Settings {
    description: Option<String>,
    default_timeout: Option<Duration>,
    enabled: Option<bool>,
}

/// Setters both chain builders share, so the two read alike.
macro_rules! settings_setters {
    () => {
        /// Sets the description, up to 500 characters.
        pub fn description(mut self, description: impl Into<String>) -> Self {
            self.settings.description = Some(description.into());
            self
        }

        /// How long each step may take unless it says otherwise (the platform's default is
        /// 10 s).
        pub fn default_timeout(mut self, timeout: Duration) -> Self {
            self.settings.default_timeout = Some(timeout);
            self
        }

        /// Enables (the default) or disables the chain.
        pub fn enabled(mut self, enabled: bool) -> Self {
            self.settings.enabled = Some(enabled);
            self
        }
    };
}

impl CreateChain {
    settings_setters!();

    /// Adds a step.
    pub fn step(mut self, step: ChainStep) -> Self {
        self.steps.push(step);
        self
    }

    /// Adds several steps.
    pub fn steps(mut self, steps: impl IntoIterator<Item = ChainStep>) -> Self {
        self.steps.extend(steps);
        self
    }

    /// Shares the chain with the whole customer account rather than the caller alone.
    pub fn shared(mut self, shared: bool) -> Self {
        self.shared = shared;
        self
    }

    /// Creates the chain.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a name or step name
    /// over 64 characters, a description or target over 500, before anything is sent.
    pub async fn send(self) -> Result<ChainPublic> {
        let mut body = crate::types::builder::ChainCreate::default()
            .name(args::text::<crate::types::ChainCreateName>(
                "chain name",
                self.name,
            )?)
            .description(args::text_opt(
                "chain description",
                self.settings.description,
            )?)
            .steps(step_bodies(self.steps)?);
        if let Some(ms) = args::millis_opt("default_timeout", self.settings.default_timeout)? {
            body = body.default_timeout_ms(ms);
        }
        if let Some(enabled) = self.settings.enabled {
            body = body.enabled(enabled);
        }
        let body: crate::types::ChainCreate = args::body("chain", body)?;
        self.client.require_key("creating a chain")?;
        call(
            self.client
                .low_level()
                .customer_chains_create_chain()
                .shared(self.shared)
                .body(body)
                .send(),
        )
        .await
    }
}

/// Changes to a chain; unset fields are left as they are.
#[derive(Debug, Clone)]
#[must_use = "nothing is changed until `send()`"]
pub struct UpdateChain {
    client: Client,
    chain_id: Checked<Uuid>,
    settings: Settings,
}

impl UpdateChain {
    settings_setters!();

    /// Sends the changes.
    pub async fn send(self) -> Result<ChainPublic> {
        let id = args::checked(self.chain_id)?;
        let body = ChainUpdate {
            description: args::text_opt("chain description", self.settings.description)?,
            default_timeout_ms: args::millis_opt("default_timeout", self.settings.default_timeout)?,
            enabled: self.settings.enabled,
        };
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
}

/// Changes to a chain step; unset fields are left as they are.
#[derive(Debug, Clone)]
#[must_use = "nothing is changed until `send()`"]
pub struct UpdateChainStep {
    client: Client,
    chain_id: Checked<Uuid>,
    step_id: Checked<Uuid>,
    name: Option<String>,
    target_path: Option<String>,
    on_success: Option<String>,
    on_failure: Option<String>,
    timeout: Option<Duration>,
    sort_order: Option<i64>,
}

impl UpdateChainStep {
    /// Renames the step, up to 64 characters.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Points the step at another gateway path, up to 500 characters.
    pub fn target_path(mut self, target_path: impl Into<String>) -> Self {
        self.target_path = Some(target_path.into());
        self
    }

    step_setters!();

    /// Moves the step.
    pub fn sort_order(mut self, sort_order: i64) -> Self {
        self.sort_order = Some(sort_order);
        self
    }

    /// Sends the changes.
    pub async fn send(self) -> Result<ChainStepPublic> {
        let chain = args::checked(self.chain_id)?;
        let step = args::checked(self.step_id)?;
        let body = ChainStepUpdate {
            name: args::text_opt("chain step name", self.name)?,
            target_path: args::gateway_path_opt("chain step target_path", self.target_path)?,
            on_success: self.on_success,
            on_failure: self.on_failure,
            timeout_ms: args::millis_opt("chain step timeout", self.timeout)?,
            sort_order: self.sort_order,
        };
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
}

/// A request for one page of chains; finish with `send()` or `stream()`.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `send()` or `stream()`"]
pub struct ListChains {
    client: Client,
    skip: u64,
    limit: u64,
    shared: bool,
}

offset_paging!(ListChains => ChainPublic, "chains", "(default 100)");

impl ListChains {
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
}
