//! The customer's own resources: enrollments, secrets, aliases, recurrent requests, request
//! logs, chains, broadcasts and files. Multi-step flows share one sandbox through `Env`.

mod common;

use common::{chat, page_items, sandbox_error, sandbox_json, simple_service, usvc, Env};
use predicates::prelude::*;

#[test]
fn enrollments_create_wait_get_list_and_cancel() {
    let env = Env::start();
    let active = env.json(&[
        "enrollments",
        "create",
        &simple_service(),
        "--wait",
        "--timeout",
        "20",
    ]);
    assert_eq!(active["status"], "active");
    let id = active["id"].as_str().expect("an id");

    let got = env.json(&["enrollments", "get", id]);
    assert_eq!(got["id"], id);
    let list = env.json(&["enrollments", "list"]);
    assert_eq!(page_items(&list).len(), 1);

    let cancelled = env.json(&["enrollments", "cancel", id]);
    assert_eq!(cancelled["status"], "cancelled");
}

#[test]
fn enrollments_create_without_wait_answers_at_once() {
    let created = sandbox_json(&["enrollments", "create", &simple_service()]);
    assert!(created["id"].is_string());
    assert!(created["status"].is_string());
}

#[test]
fn secrets_set_reads_the_value_from_stdin_and_never_prints_it() {
    let env = Env::start();
    env.usvc()
        .args(["secrets", "set", "MY_TOKEN", "--description", "for tests"])
        .write_stdin("hunter2\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("MY_TOKEN"))
        .stdout(predicate::str::contains("hunter2").not())
        .stderr(predicate::str::is_empty());
    let secret = env.json(&["secrets", "get", "MY_TOKEN"]);
    assert_eq!(secret["name"], "MY_TOKEN");
    assert_eq!(secret["description"], "for tests");
    assert!(!secret.to_string().contains("hunter2"));
}

#[test]
fn secrets_set_with_value_warns_about_shell_history() {
    usvc()
        .args([
            "--sandbox",
            "secrets",
            "set",
            "MY_TOKEN",
            "--value",
            "hunter2",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("hunter2").not())
        .stderr(predicate::str::contains("warning:"))
        .stderr(predicate::str::contains("shell history"));
}

#[test]
fn secrets_list_pages_with_a_cursor_and_delete_removes_one() {
    let env = Env::start();
    for name in ["A_ONE", "B_TWO", "C_THREE"] {
        env.json(&["secrets", "set", name, "--value", "x"]);
    }
    let first = env.json(&["secrets", "list", "--limit", "2"]);
    assert_eq!(page_items(&first).len(), 2);
    assert_eq!(first["has_more"], true);
    let cursor = first["next_cursor"].as_str().expect("a cursor");
    let rest = env.json(&["secrets", "list", "--limit", "2", "--cursor", cursor]);
    assert_eq!(page_items(&rest).len(), 1);
    assert_eq!(rest["has_more"], false);
    assert_eq!(
        page_items(&env.json(&["secrets", "list", "--all"])).len(),
        3
    );

    let deleted = env.json(&["secrets", "delete", "B_TWO"]);
    assert_eq!(deleted["deleted"], true);
    let error = env.error(&["secrets", "get", "B_TWO"], 4);
    assert_eq!(error["kind"], "not_found");
}

#[test]
fn getting_a_missing_secret_exits_4_with_a_json_error() {
    let error = sandbox_error(&["secrets", "get", "NOPE"], 4);
    assert_eq!(error["kind"], "not_found");
    assert_eq!(error["status"], 404);
    assert!(error["detail"].is_string(), "{error}");
}

#[test]
fn a_lower_case_secret_name_is_rejected_with_exit_5_before_reading_the_value() {
    usvc()
        .args(["--sandbox", "secrets", "set", "lowercase"])
        .assert()
        .code(5)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::starts_with("error: "))
        .stderr(predicate::str::contains("^[A-Z_][A-Z0-9_]*$"));
}

#[test]
fn aliases_create_switch_update_and_delete() {
    let env = Env::start();
    let service = format!("p/{}", simple_service());
    let primary = env.json(&[
        "aliases",
        "create",
        "fast",
        &service,
        "--description",
        "main",
    ]);
    assert_eq!(primary["is_routing"], true);
    let standby = env.json(&["aliases", "create", "fast", "g/llm", "--standby"]);
    assert_eq!(standby["is_routing"], false);

    // A second routing alias with the same name and key conflicts.
    let error = env.error(&["aliases", "create", "fast", "g/llm"], 6);
    assert_eq!(error["kind"], "conflict");

    // By name, `get` finds the one that routes.
    let got = env.json(&["aliases", "get", "fast"]);
    assert_eq!(got["id"], primary["id"]);

    let standby_id = standby["id"].as_str().unwrap();
    let switched = env.json(&["aliases", "switch", standby_id]);
    assert_eq!(switched["alias"]["is_routing"], true);
    assert_eq!(switched["demoted_alias_id"], primary["id"]);

    let updated = env.json(&["aliases", "update", standby_id, "--description", "now main"]);
    assert_eq!(updated["description"], "now main");
    let list = env.json(&["aliases", "list", "--name", "fast", "--include-deactivated"]);
    assert_eq!(page_items(&list).len(), 2);

    let deleted = env.json(&["aliases", "delete", primary["id"].as_str().unwrap()]);
    assert_eq!(deleted["deleted"], true);
    env.error(&["aliases", "get", primary["id"].as_str().unwrap()], 4);
}

#[test]
fn recurrent_requests_are_created_triggered_paused_resumed_and_deleted() {
    let env = Env::start();
    let path = format!("p/{}/chat/completions", simple_service());
    let draft = env.json(&["recurrent", "create", &path, "--data", &chat("ping", false)]);
    assert_eq!(draft["status"], "draft");
    let cron = env.json(&[
        "recurrent",
        "create",
        &path,
        "--cron",
        "0 * * * *",
        "--name",
        "hourly",
    ]);
    assert_eq!(cron["status"], "active");
    assert_eq!(cron["schedule"]["cron_expression"], "0 * * * *");
    let id = cron["id"].as_str().unwrap();

    let got = env.json(&["recurrent", "get", id]);
    assert_eq!(got["name"], "hourly");
    let run = env.json(&["recurrent", "trigger", id]);
    assert!(run.is_object(), "{run}");

    assert_eq!(env.json(&["recurrent", "pause", id])["status"], "paused");
    assert_eq!(env.json(&["recurrent", "resume", id])["status"], "active");
    let drafts = env.json(&["recurrent", "list", "--status", "draft"]);
    assert_eq!(page_items(&drafts).len(), 1);

    assert_eq!(env.json(&["recurrent", "delete", id])["deleted"], true);
    env.error(&["recurrent", "get", id], 4);
}

#[test]
fn a_bad_interval_is_refused_with_exit_5() {
    let error = sandbox_error(&["recurrent", "create", "g/llm", "--every", "1.5h"], 5);
    assert!(error["message"].as_str().unwrap().contains("--every"));
}

#[test]
fn logs_start_list_get_and_stop() {
    let env = Env::start();
    assert_eq!(env.json(&["logs", "start", "--complete"])["enabled"], true);
    let path = format!("p/{}/chat/completions", simple_service());
    env.json(&["call", &path, "--data", &chat("log me", false)]);

    let page = env.json(&[
        "logs",
        "list",
        "--service",
        &simple_service(),
        "--status-min",
        "200",
    ]);
    let rows = page_items(&page);
    assert_eq!(rows.len(), 1);
    let id = rows[0]["log_id"].as_str().unwrap();
    let detail = env.json(&["logs", "get", id]);
    assert_eq!(detail["log_id"], id);
    assert!(detail["user_request"]["body"]
        .to_string()
        .contains("log me"));

    let none = env.json(&["logs", "list", "--status-min", "500"]);
    assert!(page_items(&none).is_empty());
    assert_eq!(env.json(&["logs", "stop"])["enabled"], false);
}

#[test]
fn logs_list_refuses_a_bad_time_with_exit_5() {
    let error = sandbox_error(&["logs", "list", "--since", "yesterday"], 5);
    assert_eq!(error["kind"], "invalid_input");
}

#[test]
fn chains_are_created_listed_updated_and_deleted() {
    let env = Env::start();
    let service = format!("p/{}/chat/completions", simple_service());
    let chain = env.json(&[
        "chains",
        "create",
        "pipeline",
        "--step",
        "draft=g/llm/chat/completions",
        "--step",
        &format!("review={service}"),
        "--timeout",
        "20",
    ]);
    let steps = chain["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[1]["name"], "review");
    let id = chain["id"].as_str().unwrap();

    assert_eq!(page_items(&env.json(&["chains", "list"])).len(), 1);
    assert_eq!(env.json(&["chains", "get", id])["name"], "pipeline");
    assert_eq!(
        env.json(&["chains", "update", id, "--disable"])["enabled"],
        false
    );
    assert_eq!(env.json(&["chains", "delete", id])["deleted"], true);
    env.error(&["chains", "get", id], 4);
    env.error(&["chains", "create", "bad", "--step", "no-equals-sign"], 5);
}

#[test]
fn broadcasts_are_created_listed_updated_and_deleted() {
    let env = Env::start();
    let service = format!("p/{}/chat/completions", simple_service());
    let broadcast = env.json(&[
        "broadcasts",
        "create",
        "fan",
        "--target",
        &format!("a={service}"),
        "--target",
        "b=g/llm/chat/completions",
        "--mode",
        "async",
    ]);
    assert_eq!(broadcast["targets"].as_array().unwrap().len(), 2);
    assert_eq!(broadcast["mode"], "async");
    let id = broadcast["id"].as_str().unwrap();

    assert_eq!(page_items(&env.json(&["broadcasts", "list"])).len(), 1);
    assert_eq!(env.json(&["broadcasts", "get", id])["name"], "fan");
    assert_eq!(
        env.json(&["broadcasts", "update", id, "--mode", "sync"])["mode"],
        "sync"
    );
    assert_eq!(env.json(&["broadcasts", "delete", id])["deleted"], true);
    env.error(&["broadcasts", "get", id], 4);
}

#[test]
fn files_upload_list_download_and_link_round_trip() {
    let env = Env::start();
    let dir = tempfile::tempdir().expect("a temp dir");
    let local = dir.path().join("q1.csv");
    let content = "region,total\nnorth,12\nsouth,30\n".repeat(1000);
    std::fs::write(&local, &content).unwrap();

    let uploaded = env.json(&["files", "upload", local.to_str().unwrap(), "reports/q1.csv"]);
    assert_eq!(uploaded["key"], "reports/q1.csv");
    assert_eq!(uploaded["bytes"], content.len());

    let root = env.json(&["files", "list"]);
    assert_eq!(root["prefixes"][0], "reports/");
    let listed = env.json(&["files", "list", "--path", "reports/"]);
    assert_eq!(page_items(&listed)[0]["key"], "reports/q1.csv");

    let target = dir.path().join("copy.csv");
    let downloaded = env.json(&[
        "files",
        "download",
        "reports/q1.csv",
        "-o",
        target.to_str().unwrap(),
    ]);
    assert_eq!(downloaded["bytes"], content.len());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), content);

    env.usvc()
        .args(["files", "download", "reports/q1.csv", "-o", "-"])
        .assert()
        .success()
        .stdout(content.clone());

    let link = env.json(&["files", "url", "reports/q1.csv", "--expires", "120"]);
    assert!(link["url"].as_str().unwrap().starts_with("http"));
    env.error(
        &[
            "files",
            "download",
            "reports/none.csv",
            "-o",
            target.to_str().unwrap(),
        ],
        4,
    );
}

#[test]
fn a_background_sandbox_keeps_state_between_commands() {
    use std::io::BufRead;

    /// Stops the background sandbox however the test ends.
    struct Stop(std::process::Child);
    impl Drop for Stop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    let mut child = Stop(
        std::process::Command::new(env!("CARGO_BIN_EXE_usvc"))
            .args(["--json", "sandbox"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("usvc sandbox starts"),
    );
    let mut first = String::new();
    std::io::BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let info: serde_json::Value = serde_json::from_str(&first).expect("a JSON line");
    let remote = |args: &[&str]| {
        let output = usvc()
            .args(["--json", "--base-url", info["base_url"].as_str().unwrap()])
            .args(["--api-base-url", info["gateway_url"].as_str().unwrap()])
            .args(["--api-key", info["api_key"].as_str().unwrap()])
            .args(args)
            .output()
            .unwrap();
        common::parse_success(args, &output)
    };
    remote(&["secrets", "set", "KEPT", "--value", "x"]);
    let list = remote(&["secrets", "list"]);
    assert_eq!(list["items"][0]["name"], "KEPT");
}
