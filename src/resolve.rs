//! Dry-run route resolution: what the gateway would pick, without calling upstream.
//!
//! # Examples
//!
//! ```no_run
//! use serde_json::json;
//!
//! # async fn run(client: unitysvc::Client) -> unitysvc::Result<()> {
//! let route = client
//!     .resolve("g/llm/v1/chat/completions")
//!     .routing_key(json!({"model": "gpt-4"}))
//!     .send()
//!     .await?;
//! # let _ = route;
//! # Ok(())
//! # }
//! ```

include!(concat!(env!("OUT_DIR"), "/operations/resolve.rs"));

/// A gateway path to resolve: not blank, relative and staying under its target; the
/// leading `/` of a path written from the root is dropped.
pub(crate) fn path_rule(path: String) -> std::result::Result<String, String> {
    let written = path.trim();
    crate::args::relative_path_rule(written.to_owned())?;
    match written.trim_start_matches('/') {
        "" => Err("the path to resolve is empty".into()),
        path => Ok(path.to_owned()),
    }
}
