//! Chains: ordered gateway steps, where each step's outcome decides what runs next.
//!
//! # Examples
//!
//! ```no_run
//! use std::time::Duration;
//! use unitysvc::chains::ChainStep;
//!
//! # async fn run(client: unitysvc::Client) -> unitysvc::Result<()> {
//! let chain = client
//!     .chains()
//!     .create("fallback")
//!     .description("Primary, then the cheap one")
//!     .step(ChainStep::new("primary", "p/5f0c...", 0).timeout(Duration::from_secs(5)))
//!     .step(ChainStep::new("backup", "g/llm", 1).on_failure("stop"))
//!     .send()
//!     .await?;
//! client.chains().update(chain.id).enabled(false).send().await?;
//! let step = chain.steps[0].id;
//! client.chains().update_step(chain.id, step).on_success("relay").send().await?;
//! let page = client.chains().list().shared(true).send().await?;
//! # let _ = page;
//! # Ok(())
//! # }
//! ```

use crate::args;
use crate::error::{Error, Result};
use crate::types::ChainStepCreate;
use std::time::Duration;

include!(concat!(env!("OUT_DIR"), "/operations/chains.rs"));

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

impl TryFrom<ChainStep> for ChainStepCreate {
    type Error = Error;
    fn try_from(step: ChainStep) -> Result<Self> {
        step.into_body()
    }
}

impl CreateChain {
    /// How long each step may take unless it says otherwise (the platform's default is 10 s).
    pub fn default_timeout(self, timeout: Duration) -> Self {
        self.default_timeout_ms(args::millis_saturating(timeout))
    }
}

impl UpdateChain {
    /// How long each step may take unless it says otherwise.
    pub fn default_timeout(self, timeout: Duration) -> Self {
        self.default_timeout_ms(args::millis_saturating(timeout))
    }
}

impl UpdateChainStep {
    /// How long the step may take, replacing the chain's default.
    pub fn timeout(self, timeout: Duration) -> Self {
        self.timeout_ms(args::millis_saturating(timeout))
    }
}
