//! Shared setup for the `usvc` tests: the binary with a clean environment, a sandbox that
//! keeps its state across invocations, and helpers that parse `--json` output.

#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use std::process::Output;
use std::time::Duration;
use unitysvc_sandbox::Sandbox;

/// The UnitySVC variables a developer's shell may carry; tests never inherit them.
const ENV_VARS: [&str; 5] = [
    "UNITYSVC_API_KEY",
    "UNITYSVC_API_URL",
    "UNITYSVC_API_BASE_URL",
    "UNITYSVC_S3_BASE_URL",
    "UNITYSVC_SMTP_BASE_URL",
];

/// The binary with no UnitySVC configuration inherited from the environment.
pub fn usvc() -> Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("usvc");
    for var in ENV_VARS {
        cmd.env_remove(var);
    }
    cmd.timeout(Duration::from_secs(60));
    cmd
}

/// Runs `usvc --sandbox --json <args>` (a fresh sandbox for the one command), expects
/// success, and parses stdout as one JSON document.
pub fn sandbox_json(args: &[&str]) -> Value {
    let output = usvc()
        .args(["--sandbox", "--json"])
        .args(args)
        .output()
        .expect("usvc runs");
    parse_success(args, &output)
}

/// Runs `usvc --sandbox --json <args>`, expects exit code `code`, and parses the JSON
/// error on stderr.
pub fn sandbox_error(args: &[&str], code: i32) -> Value {
    let output = usvc()
        .args(["--sandbox", "--json"])
        .args(args)
        .output()
        .expect("usvc runs");
    parse_error(args, &output, code)
}

/// Stdout parsed as one JSON document, after checking the command succeeded.
pub fn parse_success(args: &[&str], output: &Output) -> Value {
    assert!(
        output.status.success(),
        "usvc {args:?} failed with {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "usvc {args:?} printed no JSON document ({e}):\n{}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// The JSON error on stderr, after checking the exit code; it always has the same keys.
pub fn parse_error(args: &[&str], output: &Output, code: i32) -> Value {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(code),
        "usvc {args:?}: wrong exit code\nstdout:\n{}\nstderr:\n{stderr}",
        String::from_utf8_lossy(&output.stdout),
    );
    let line = stderr.lines().last().unwrap_or_default();
    let error: Value = serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("usvc {args:?}: stderr is not a JSON error ({e}):\n{stderr}"));
    for key in ["kind", "message", "status", "detail", "request_id"] {
        assert!(error.get(key).is_some(), "error lacks {key:?}: {error}");
    }
    error
}

/// Checks a page's shape and returns its items.
pub fn page_items(page: &Value) -> &Vec<Value> {
    assert!(page["has_more"].is_boolean(), "no has_more in {page}");
    assert!(
        page["next_cursor"].is_null() || page["next_cursor"].is_string(),
        "bad next_cursor in {page}"
    );
    page["items"].as_array().expect("items is an array")
}

/// A sandbox that keeps its state for a whole test, and the binary pointed at it.
pub struct Env {
    sandbox: Sandbox,
}

impl Env {
    /// Starts a sandbox on its own runtime.
    pub fn start() -> Env {
        Env {
            sandbox: Sandbox::start_blocking().expect("the sandbox starts"),
        }
    }

    /// The sandbox itself, for scripting its answers.
    #[allow(dead_code)]
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// The binary configured for this sandbox through the environment.
    pub fn usvc(&self) -> Command {
        let mut cmd = usvc();
        cmd.env("UNITYSVC_API_URL", self.sandbox.base_url())
            .env("UNITYSVC_API_BASE_URL", self.sandbox.gateway_url())
            .env("UNITYSVC_API_KEY", self.sandbox.api_key());
        cmd
    }

    /// Runs `usvc --json <args>`, expects success, and parses stdout.
    pub fn json(&self, args: &[&str]) -> Value {
        let output = self
            .usvc()
            .arg("--json")
            .args(args)
            .output()
            .expect("usvc runs");
        parse_success(args, &output)
    }

    /// Runs `usvc --json <args>`, expects exit code `code`, and parses the error.
    pub fn error(&self, args: &[&str], code: i32) -> Value {
        let output = self
            .usvc()
            .arg("--json")
            .args(args)
            .output()
            .expect("usvc runs");
        parse_error(args, &output, code)
    }

    /// The gateway path of a seeded service, `p/<id>`.
    pub fn service_path(name: &str) -> String {
        format!("p/{}", unitysvc_sandbox::catalog::service_id(name))
    }
}

/// The id of the sandbox's simple chat service.
pub fn simple_service() -> String {
    unitysvc_sandbox::catalog::service_id(unitysvc_sandbox::catalog::SIMPLE_SERVICE).to_string()
}

/// An OpenAI-style chat body.
pub fn chat(prompt: &str, stream: bool) -> String {
    serde_json::json!({
        "messages": [{"role": "user", "content": prompt}],
        "stream": stream,
    })
    .to_string()
}
