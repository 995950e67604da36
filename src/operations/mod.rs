//! The generated half of the operation layer, and what its builders share.
//!
//! Every operation of `openapi.json` gets an owned request builder, a manager method and a
//! blocking twin, generated with the low-level client (the readable copy is
//! `generated/operations.rs`). Each resource module ([`crate::secrets`], [`crate::groups`],
//! …) includes its builders beside the behaviour written by hand; an operation of a
//! resource the SDK has no module for yet lands here, in a module named after its tag.

pub(crate) mod support;

pub use support::Operation;

include!(concat!(env!("OUT_DIR"), "/operations/extra.rs"));
