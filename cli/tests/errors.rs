//! Exit codes, JSON errors and plain-English messages.

mod common;

use common::{parse_error, sandbox_error, usvc};
use predicates::prelude::*;

#[test]
fn usage_errors_exit_2_and_are_json_with_the_flag() {
    usvc()
        .args(["groups", "frobnicate"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unrecognized subcommand"));
    let output = usvc()
        .args(["--json", "groups", "frobnicate"])
        .output()
        .unwrap();
    let error = parse_error(&["groups", "frobnicate"], &output, 2);
    assert_eq!(error["kind"], "usage");
}

#[test]
fn a_connection_failure_exits_9_without_leaking_the_key() {
    usvc()
        .args([
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--api-key",
            "svcpass_do_not_print",
        ])
        .args(["secrets", "list"])
        .assert()
        .code(9)
        .stderr(predicate::str::starts_with("error: "))
        .stderr(predicate::str::contains("hint: check the network"))
        .stderr(predicate::str::contains("svcpass_do_not_print").not());
}

#[test]
fn a_missing_api_key_exits_3_in_plain_english() {
    let assert = usvc()
        .args(["--base-url", "http://127.0.0.1:9/v1", "secrets", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("needs an API key"))
        .stderr(predicate::str::contains("--api-key"));
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    for leak in ["Client::new", "secrets.list", "::"] {
        assert!(!stderr.contains(leak), "{leak:?} leaked into:\n{stderr}");
    }
}

#[test]
fn a_wrong_api_key_exits_3() {
    // The embedded sandbox ignores --api-key, so point at a one-off sandbox by URL.
    let sandbox = unitysvc_sandbox::Sandbox::start_blocking().unwrap();
    let output = usvc()
        .args([
            "--json",
            "--base-url",
            &sandbox.base_url(),
            "--api-key",
            "svcpass_wrong",
        ])
        .args(["secrets", "list"])
        .output()
        .unwrap();
    let error = parse_error(&["secrets", "list"], &output, 3);
    assert_eq!(error["kind"], "authentication");
    assert_eq!(error["status"], 401);
}

#[test]
fn error_messages_name_no_sdk_operation() {
    for (args, code) in [
        (vec!["secrets", "get", "NOPE"], 4),
        (
            vec!["services", "get", "00000000-0000-0000-0000-000000000001"],
            4,
        ),
        (vec!["groups", "get", "nope"], 4),
        (
            vec!["enrollments", "get", "00000000-0000-0000-0000-000000000001"],
            4,
        ),
    ] {
        let error = sandbox_error(&args, code);
        let message = error["message"].as_str().unwrap();
        for leak in [
            "secrets.",
            "services.",
            "groups.",
            "enrollments.",
            "customer_",
        ] {
            assert!(!message.contains(leak), "{args:?}: {leak:?} in {message:?}");
        }
    }
}

#[test]
fn human_errors_have_a_hint_per_kind() {
    usvc()
        .args(["--sandbox", "secrets", "get", "NOPE"])
        .assert()
        .code(4)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::starts_with(
            "error: Secret not found (HTTP 404)",
        ))
        .stderr(predicate::str::contains("hint: "));
}

#[test]
fn input_errors_name_the_flags_the_user_typed() {
    for (args, flag) in [
        (vec!["logs", "list", "--status-min", "99"], "--status-min"),
        (vec!["files", "url", "a.txt", "--expires", "5"], "--expires"),
        (vec!["files", "list", "--limit", "5000"], "--limit"),
    ] {
        let error = sandbox_error(&args, 5);
        let message = error["message"].as_str().unwrap();
        assert!(message.starts_with(flag), "{args:?}: {message}");
    }
}
