//! `usvc tour`, the README's main job: every step against the embedded sandbox.

mod common;

use common::usvc;
use predicates::prelude::*;

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
        "==> 8. Stream a typed chat call and read its usage",
        "==> 9. Call through wrappers: logged + cached for 1h",
        "==> 10. Compose wrappers on a gateway path (usvc call)",
        "==> 11. Log requests and read the log",
        "==> 12. Resolve a route (dry run)",
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
        "gateway path: l/m/f/p/",
        "?_ttl=10m&_else=g%2Fllm%2Fchat%2Fcompletions",
        "shell: usvc call p/",
        "Echo: Wrapped call",
        "tour complete: 12 steps passed",
    ] {
        assert!(stdout.contains(detail), "missing {detail:?} in:\n{stdout}");
    }
    // The secret's value is stored but never echoed back.
    assert!(!stdout.contains("s3cret-value\n") && !stdout.contains("s3cret-value "));
    // The spinner draws on a terminal only; piped, stderr stays clean.
    assert!(stderr.is_empty(), "unexpected stderr:\n{stderr}");
}

#[test]
fn a_failing_tour_step_exits_with_the_kind_of_its_error_naming_the_step() {
    usvc()
        .args(["tour", "--group", "no-such-group"])
        .assert()
        .code(4)
        .stdout(predicate::str::contains("==> 2."))
        .stderr(predicate::str::contains("error: step 2"))
        .stderr(predicate::str::contains("HTTP 404"))
        .stderr(predicate::str::contains("groups.").not());
}

#[test]
fn tour_with_json_prints_one_summary_document() {
    let output = usvc().args(["--json", "tour"]).output().expect("usvc runs");
    assert!(output.status.success());
    let summary: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON document");
    assert_eq!(summary["passed"], true);
    let steps = summary["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 12);
    assert!(
        steps[7]["output"].to_string().contains("completion ="),
        "{}",
        steps[7]
    );
    assert!(steps
        .iter()
        .all(|s| s["ok"] == true && s["rust"].is_string()));
    let stream = steps[6]["output"].to_string();
    assert!(stream.contains("[Echo: ]"), "{stream}");
}
