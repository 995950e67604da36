//! The client progenitor generates from `openapi.json`: every operation, typed.
//!
//! It is the escape hatch for what the hand-written layer does not cover; reach it with
//! [`Client::low_level`](crate::Client::low_level), which is configured with the same base
//! URL, authentication and timeouts. Its code is generated at build time and never edited;
//! a readable copy lives in the repository's `generated/client.rs`.

#![allow(
    missing_docs,
    clippy::all,
    clippy::pedantic,
    unused_imports,
    unused_comparisons,
    dead_code
)]

include!(concat!(env!("OUT_DIR"), "/unitysvc_client.rs"));
