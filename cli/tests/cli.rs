//! End-to-end tests of the `usvc` binary against its embedded sandbox.

use assert_cmd::Command;
use predicates::prelude::*;
use std::time::Duration;

/// The binary with no UnitySVC configuration inherited from the environment.
fn usvc() -> Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("usvc");
    for var in [
        "UNITYSVC_API_KEY",
        "UNITYSVC_API_URL",
        "UNITYSVC_API_BASE_URL",
        "UNITYSVC_S3_BASE_URL",
        "UNITYSVC_SMTP_BASE_URL",
    ] {
        cmd.env_remove(var);
    }
    cmd.timeout(Duration::from_secs(60));
    cmd
}

#[test]
fn tour_runs_every_step_against_the_embedded_sandbox() {
    let output = usvc().arg("tour").output().expect("usvc runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "tour failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    for header in [
        "==> 1. List service groups",
        "==> 2. Page through the llm group's services",
        "==> 3. Show mistral-small-latest and its interfaces",
        "==> 4. Enroll in mistral-small-latest",
        "==> 5. Store a secret and list secrets",
        "==> 6. Dispatch a chat completion",
        "==> 7. Stream a chat completion",
        "==> 8. Call through wrappers: logged + cached for 1h",
        "==> 9. Log requests and read the log",
        "==> 10. Resolve a route (dry run)",
    ] {
        assert!(stdout.contains(header), "missing {header:?} in:\n{stdout}");
    }
    for detail in [
        "130 services in 3 pages",
        "rust: client.enrollments().create(id).send().await?",
        "now active",
        "value: (never returned)",
        "Echo: What is UnitySVC?",
        "x-cache: miss",
        "x-cache: hit",
        "tour complete: 10 steps passed",
    ] {
        assert!(stdout.contains(detail), "missing {detail:?} in:\n{stdout}");
    }
    // The secret's value is stored but never echoed back.
    assert!(!stdout.contains("s3cret-value\n") && !stdout.contains("s3cret-value "));
}

#[test]
fn groups_list_shows_the_llm_group() {
    usvc()
        .args(["--sandbox", "groups", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("llm"))
        .stdout(predicate::str::contains("NAME"));
}

#[test]
fn groups_list_prints_json_with_the_flag() {
    let output = usvc()
        .args(["--sandbox", "--json", "groups", "list"])
        .output()
        .expect("usvc runs");
    assert!(output.status.success());
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    let names: Vec<&str> = value
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|g| g["name"].as_str())
        .collect();
    assert!(names.contains(&"llm"), "{names:?}");
}

#[test]
fn a_lower_case_secret_name_is_rejected_with_the_rule() {
    usvc()
        .args(["--sandbox", "secrets", "set", "lowercase", "x"])
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::starts_with("error: "))
        .stderr(predicate::str::contains("^[A-Z_][A-Z0-9_]*$"));
}

#[test]
fn secret_values_are_never_printed() {
    usvc()
        .args(["--sandbox", "secrets", "set", "MY_TOKEN", "hunter2"])
        .assert()
        .success()
        .stdout(predicate::str::contains("MY_TOKEN"))
        .stdout(predicate::str::contains("hunter2").not());
}

#[test]
fn services_dispatch_streams_a_chat_completion() {
    let id = unitysvc_sandbox::catalog::service_id(unitysvc_sandbox::catalog::SIMPLE_SERVICE);
    usvc()
        .args(["--sandbox", "services", "dispatch", &id.to_string()])
        .args(["--path", "chat/completions", "--stream"])
        .args([
            "--data",
            r#"{"messages":[{"role":"user","content":"hi there"}],"stream":true}"#,
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("Echo: hi there"));
}

#[test]
fn an_api_error_exits_1_without_leaking_the_key() {
    usvc()
        .args([
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--api-key",
            "svcpass_do_not_print",
        ])
        .args(["secrets", "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with("error: "))
        .stderr(predicate::str::contains("svcpass_do_not_print").not());
}

#[test]
fn help_lists_the_subcommands() {
    usvc()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("tour"))
        .stdout(predicate::str::contains("sandbox"))
        .stdout(predicate::str::contains("secrets"))
        .stdout(predicate::str::contains("--api-key"));
}

#[test]
fn a_failing_tour_step_exits_1_naming_the_step() {
    usvc()
        .args(["tour", "--group", "no-such-group"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("==> 2."))
        .stderr(predicate::str::contains("error: step 2"))
        .stderr(predicate::str::contains("404"));
}
