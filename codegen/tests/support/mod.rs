//! The platform's published document, for the tests that compare against it.
//!
//! Those tests are `#[ignore = "needs UNITYSVC_PLATFORM_SPEC"]`: without the variable they
//! show as ignored, never as passed. `.ci/run` sets it and runs them with `--ignored`; run
//! them by hand with
//! `UNITYSVC_PLATFORM_SPEC=/path/to/openapi.json cargo test -p unitysvc-codegen -- --ignored`.
#![allow(dead_code)]

use serde_json::Value;
use std::path::PathBuf;

/// The variable naming the platform's `openapi.json`.
pub const VAR: &str = "UNITYSVC_PLATFORM_SPEC";

/// The path in `UNITYSVC_PLATFORM_SPEC`; a test that asks for it fails without it.
pub fn platform_spec_path() -> PathBuf {
    let path = std::env::var_os(VAR)
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| panic!("set {VAR} to the platform's openapi.json to run this test"));
    PathBuf::from(path)
}

/// The text of the platform's document; a missing or unreadable file fails the test.
pub fn platform_spec_text() -> String {
    let path = platform_spec_path();
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{VAR}={}: cannot read it: {e}", path.display()))
}

/// The platform's document, parsed.
pub fn platform_spec() -> Value {
    serde_json::from_str(&platform_spec_text()).expect("the platform spec is JSON")
}

/// The workspace root.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen sits inside the workspace")
        .to_path_buf()
}

/// Our `openapi.json`, as text.
pub fn our_spec_text() -> String {
    std::fs::read_to_string(workspace().join("openapi.json")).expect("openapi.json")
}
