//! Request builders for every operation of the API, one module per resource.
//!
//! This layer is generated from `openapi.json` with the low-level client (the readable copy
//! is `generated/operations.rs`): an owned builder per operation, its manager method and
//! its blocking twin. The resource modules ([`crate::secrets`], [`crate::groups`], …)
//! re-export these builders beside the behaviour written by hand.

pub(crate) mod support;

pub use support::Operation;

include!(concat!(env!("OUT_DIR"), "/operations.rs"));
