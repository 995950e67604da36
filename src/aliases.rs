//! Service aliases: stable names that route to a gateway path, switchable in one call.
//!
//! # Examples
//!
//! ```no_run
//! use serde_json::json;
//!
//! # async fn run(client: unitysvc::Client, id: uuid::Uuid, other: uuid::Uuid) -> unitysvc::Result<()> {
//! let fast = client
//!     .aliases()
//!     .create("fast", format!("p/{id}"))
//!     .description("Our default chat model")
//!     .routing_key(json!({"tier": "gold"}))
//!     .send()
//!     .await?;
//! let standby = client
//!     .aliases()
//!     .create("fast", format!("p/{other}"))
//!     .routing_key(json!({"tier": "gold"}))
//!     .is_routing(false)
//!     .send()
//!     .await?;
//! // Route `a/fast` to the standby; the first alias is demoted in the same step.
//! client.aliases().switch_routing(standby.id).on(true).send().await?;
//! client.aliases().update(fast.id).description("Former default").send().await?;
//! let page = client.aliases().list().name("fast").include_deactivated(true).send().await?;
//! # let _ = page;
//! # Ok(())
//! # }
//! ```

include!(concat!(env!("OUT_DIR"), "/operations/aliases.rs"));

/// An alias identifier: an id, an unambiguous id prefix or a name; never blank.
pub(crate) fn identifier_rule(identifier: String) -> std::result::Result<String, String> {
    match identifier.trim() {
        "" => Err("the alias identifier is empty".into()),
        trimmed => Ok(trimmed.to_owned()),
    }
}

impl CreateAlias {
    /// Routes only requests whose routing key matches this JSON object, e.g.
    /// `{"model": "gpt-4"}` (the `request_routing_key` field).
    pub fn routing_key(self, key: impl serde::Serialize) -> Self {
        self.request_routing_key(key)
    }
}

impl UpdateAlias {
    /// Routes only requests whose routing key matches this JSON object (the
    /// `request_routing_key` field).
    pub fn routing_key(self, key: impl serde::Serialize) -> Self {
        self.request_routing_key(key)
    }
}
