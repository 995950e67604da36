//! Broadcasts: one call fanned out to several targets.
//!
//! # Examples
//!
//! ```no_run
//! use serde_json::json;
//! use unitysvc::broadcasts::BroadcastTarget;
//!
//! # async fn run(client: unitysvc::Client) -> unitysvc::Result<()> {
//! let fanout = client
//!     .broadcasts()
//!     .create("fanout")
//!     .mode("async")
//!     .target(BroadcastTarget::new("audit", "p/5f0c..."))
//!     .target(BroadcastTarget::new("eu", "g/llm").routing_key_override(json!({"region": "eu"})))
//!     .send()
//!     .await?;
//! client.broadcasts().add_target(fanout.id, BroadcastTarget::new("us", "g/llm").sort_order(2)).await?;
//! client.broadcasts().update(fanout.id).enabled(false).send().await?;
//! let page = client.broadcasts().list().limit(10).send().await?;
//! # let _ = page;
//! # Ok(())
//! # }
//! ```

use crate::args::{self, Checked};
use crate::error::{Error, Result};
use crate::types::BroadcastTargetCreate;
use serde_json::{Map, Value};
use std::time::Duration;

include!(concat!(env!("OUT_DIR"), "/operations/broadcasts.rs"));

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

impl TryFrom<BroadcastTarget> for BroadcastTargetCreate {
    type Error = Error;
    fn try_from(target: BroadcastTarget) -> Result<Self> {
        target.into_body()
    }
}

impl CreateBroadcast {
    /// How long each target may take (the platform's default is 30 s).
    pub fn target_timeout(self, timeout: Duration) -> Self {
        self.target_timeout_ms(args::millis_saturating(timeout))
    }
}

impl UpdateBroadcast {
    /// How long each target may take.
    pub fn target_timeout(self, timeout: Duration) -> Self {
        self.target_timeout_ms(args::millis_saturating(timeout))
    }
}
