//! `usvc groups`, `usvc services` and `usvc resolve`: the catalog, collections, dispatch.

mod common;

use common::{chat, page_items, sandbox_error, sandbox_json, simple_service, usvc, Env};
use predicates::prelude::*;

#[test]
fn groups_list_prints_a_page_with_the_llm_group() {
    let page = sandbox_json(&["groups", "list"]);
    let names: Vec<&str> = page_items(&page)
        .iter()
        .filter_map(|g| g["name"].as_str())
        .collect();
    assert!(names.contains(&"llm"), "{names:?}");
    assert_eq!(page["has_more"], false);
}

#[test]
fn groups_list_prints_a_table_by_default() {
    usvc()
        .args(["--sandbox", "groups", "list", "--owner", "system"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("NAME"))
        .stdout(predicate::str::contains("llm"));
}

#[test]
fn groups_get_shows_one_group() {
    let group = sandbox_json(&["groups", "get", "llm"]);
    assert_eq!(group["name"], "llm");
    assert_eq!(group["member_count"], 130);
}

#[test]
fn groups_services_pages_with_a_cursor_and_all_fetches_everything() {
    let env = Env::start();
    let first = env.json(&["groups", "services", "llm", "--limit", "50"]);
    assert_eq!(page_items(&first).len(), 50);
    assert_eq!(first["has_more"], true);
    let cursor = first["next_cursor"].as_str().expect("a cursor");
    let second = env.json(&[
        "groups", "services", "llm", "--limit", "50", "--cursor", cursor,
    ]);
    assert_eq!(page_items(&second).len(), 50);
    assert_ne!(second["items"][0]["id"], first["items"][0]["id"]);

    let all = env.json(&["groups", "services", "llm", "--all", "--limit", "100"]);
    assert_eq!(page_items(&all).len(), 130);
    assert_eq!(all["has_more"], false);
    assert!(all["next_cursor"].is_null());
}

#[test]
fn collections_are_created_filled_updated_and_deleted() {
    let env = Env::start();
    let service = simple_service();
    let created = env.json(&["groups", "create", "my-picks", "--display-name", "My picks"]);
    assert_eq!(created["name"], "my-picks");

    let member = env.json(&[
        "groups",
        "add-member",
        "my-picks",
        &service,
        "--sort-order",
        "3",
        "--routing-key",
        r#"{"tier": "gold"}"#,
    ]);
    assert_eq!(member["service_id"], service.as_str());
    let members = env.json(&["groups", "members", "my-picks"]);
    assert_eq!(page_items(&members).len(), 1);
    assert_eq!(members["items"][0]["routing_key"]["tier"], "gold");

    let id = created["id"].as_str().expect("an id");
    let updated = env.json(&["groups", "update", id, "--disable", "--description", "mine"]);
    assert_eq!(updated["enabled"], false);
    let own = env.json(&["groups", "list", "--owner", "own"]);
    assert_eq!(page_items(&own).len(), 1);

    env.json(&["groups", "remove-member", "my-picks", &service]);
    assert!(page_items(&env.json(&["groups", "members", id])).is_empty());
    let deleted = env.json(&["groups", "delete", "my-picks"]);
    assert_eq!(deleted["deleted"], true);
    env.error(&["groups", "get", "my-picks"], 4);
}

#[test]
fn a_bad_routing_key_is_refused_before_sending() {
    let service = simple_service();
    let error = sandbox_error(
        &[
            "groups",
            "add-member",
            "llm",
            &service,
            "--routing-key",
            "[1, 2]",
        ],
        5,
    );
    assert_eq!(error["kind"], "invalid_input");
    assert!(error["message"].as_str().unwrap().contains("JSON object"));
}

#[test]
fn services_get_interfaces_documents_and_usage_print_json() {
    let id = simple_service();
    let service = sandbox_json(&["services", "get", &id]);
    assert_eq!(service["name"], "mistral-small-latest");

    let interfaces = sandbox_json(&["services", "interfaces", &id]);
    assert_eq!(interfaces["items"][0]["name"], "canonical");

    let docs = sandbox_json(&["services", "documents", &id]);
    let documents = docs["documents"].as_array().expect("documents");
    assert!(!documents.is_empty());
    let doc_id = documents[0]["id"].as_str().unwrap();
    let one = sandbox_json(&["services", "documents", &id, "--document", doc_id]);
    assert_eq!(one["documents"][0]["id"], doc_id);

    let usage = sandbox_json(&["services", "usage", &id]);
    assert!(usage["interfaces"].is_array(), "{usage}");
}

#[test]
fn a_malformed_service_id_exits_5_and_a_missing_one_exits_4() {
    let error = sandbox_error(&["services", "get", "not-a-uuid"], 5);
    assert_eq!(error["kind"], "invalid_input");
    let error = sandbox_error(
        &["services", "get", "00000000-0000-0000-0000-000000000001"],
        4,
    );
    assert_eq!(error["kind"], "not_found");
    assert_eq!(error["status"], 404);
}

#[test]
fn services_dispatch_streams_a_chat_completion() {
    usvc()
        .args(["--sandbox", "services", "dispatch", &simple_service()])
        .args(["--path", "chat/completions", "--stream"])
        .args(["--data", &chat("hi there", true)])
        .assert()
        .success()
        .stdout(predicate::str::contains("Echo: hi there"));
}

#[test]
fn services_dispatch_with_json_streams_one_event_per_line() {
    let output = usvc()
        .args([
            "--sandbox",
            "--json",
            "services",
            "dispatch",
            &simple_service(),
        ])
        .args(["--path", "chat/completions", "--stream"])
        .args(["--data", &chat("one two", true)])
        .output()
        .expect("usvc runs");
    assert!(output.status.success());
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    assert!(events.len() > 2, "{events:?}");
    assert!(events.iter().all(|e| e["type"].is_string()));
    assert_eq!(events.last().unwrap()["type"], "done");
    let text: String = events
        .iter()
        .filter_map(|e| e["data"]["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert_eq!(text, "Echo: one two");
}

#[test]
fn services_schedule_creates_an_active_recurrent_request() {
    let id = simple_service();
    let rr = sandbox_json(&[
        "services",
        "schedule",
        &id,
        "--every",
        "5m",
        "--path",
        "chat/completions",
        "--data",
        &chat("ping", false),
        "--name",
        "pinger",
        "-H",
        "X-Trace: 1",
    ]);
    assert_eq!(rr["status"], "active");
    assert_eq!(rr["schedule"]["interval_seconds"], 300);
    assert_eq!(rr["name"], "pinger");
    assert!(rr["request_path"]
        .as_str()
        .unwrap()
        .ends_with("/chat/completions"));
}

#[test]
fn services_schedule_without_a_schedule_is_a_usage_error() {
    let error = sandbox_error(&["services", "schedule", &simple_service()], 2);
    assert_eq!(error["kind"], "usage");
}

#[test]
fn resolve_lists_candidates_and_the_pick() {
    let resolved = sandbox_json(&["resolve", "g/llm/chat/completions"]);
    assert_eq!(resolved["candidates"].as_array().unwrap().len(), 130);
    assert!(resolved["selected"]["service_id"].is_string());
    usvc()
        .args([
            "--sandbox",
            "resolve",
            "g/llm/chat/completions",
            "--gateway",
            "api",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("the gateway would pick"));
}
