//! The client progenitor generates from `openapi.json`: every operation, typed.
//!
//! It is the escape hatch for what the hand-written layer does not cover; reach it with
//! [`Client::low_level`](crate::Client::low_level), which is configured with the same base
//! URL, authentication and timeouts. Its code is generated at build time and never edited;
//! a readable copy lives in the repository's `generated/client.rs`.
//!
//! Request bodies, and the types inside them, have builders (`types::SecretUpdate::builder()`,
//! `types::builder::SecretUpdate`) that the operation builders take; response types have
//! none, since they are decoded rather than built (build one with a struct literal or serde).
//!
//! With the `schemars` feature, every type in [`types`] and [`open_enums`] implements
//! `schemars::JsonSchema` (schemars 0.8), so a request type is one line away from a JSON
//! Schema, e.g. an LLM tool definition (the feature is off by default: the impls are a large
//! share of the crate's compile time):
//!
//! ```
//! # #[cfg(feature = "schemars")] {
//! let tool = serde_json::json!({
//!     "name": "set_secret",
//!     "description": "Store a secret the gateway injects into upstream calls.",
//!     "parameters": schemars::schema_for!(unitysvc::types::SecretUpdate),
//! });
//! assert_eq!(tool["parameters"]["required"], serde_json::json!(["value"]));
//! # }
//! ```

#![allow(
    missing_docs,
    clippy::all,
    clippy::pedantic,
    unused_imports,
    unused_comparisons,
    dead_code
)]

include!(concat!(env!("OUT_DIR"), "/unitysvc_client.rs"));
