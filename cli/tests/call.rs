//! `usvc call`: gateway paths, wrappers, bodies, headers and streams.

mod common;

use common::{chat, sandbox_error, sandbox_json, simple_service, usvc, Env};
use predicates::prelude::*;

fn chat_path() -> String {
    format!("p/{}/chat/completions", simple_service())
}

#[test]
fn call_sends_json_and_prints_the_answer() {
    usvc()
        .args([
            "--sandbox",
            "call",
            &chat_path(),
            "--data",
            &chat("hello gateway", false),
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("Echo: hello gateway"));
}

#[test]
fn call_with_json_prints_status_headers_and_body() {
    let answer = sandbox_json(&["call", &chat_path(), "-d", &chat("as json", false)]);
    assert_eq!(answer["status"], 200);
    assert!(answer["headers"].is_object());
    assert_eq!(
        answer["body"]["choices"][0]["message"]["content"],
        "Echo: as json"
    );
}

#[test]
fn call_wrappers_build_the_canonical_path() {
    let path = chat_path();
    let plan = sandbox_json(&[
        "call",
        &path,
        "--logged=complete",
        "--cached",
        "10m",
        "--failover",
        "g/llm/chat/completions",
        "--tee",
        "g/llm/chat/completions",
        "--dry-run",
    ]);
    assert_eq!(
        plan["path"],
        format!(
            "l/m/f/t/{path}?_complete=&_ttl=10m&_else=g%2Fllm%2Fchat%2Fcompletions&_to=g%2Fllm%2Fchat%2Fcompletions"
        )
    );
    assert_eq!(plan["method"], "GET");
    assert!(plan["url"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));

    let later = sandbox_json(&[
        "call",
        &path,
        "--delay-at",
        "2030-06-01T10:00:00Z",
        "--every",
        "1h",
        "--renew",
        "--logged",
        "-X",
        "post",
        "--dry-run",
    ]);
    assert_eq!(
        later["path"],
        format!("l/m/d/r/{path}?_renew=&_at=2030-06-01T10%3A00%3A00Z&_every=1h")
    );
    assert_eq!(later["method"], "POST");
}

#[test]
fn wrapped_calls_go_through_the_gateway_and_hit_the_cache() {
    let env = Env::start();
    let args = [
        "call",
        &chat_path(),
        "--logged",
        "--cached",
        "1h",
        "--data",
        &chat("cache me", false),
    ];
    let first = env.json(&args);
    let second = env.json(&args);
    assert_eq!(first["headers"]["x-cache"], "miss");
    assert_eq!(second["headers"]["x-cache"], "hit");
    assert_eq!(
        second["body"]["choices"][0]["message"]["content"],
        "Echo: cache me"
    );
}

#[test]
fn call_stream_prints_text_or_ndjson() {
    let path = chat_path();
    usvc()
        .args([
            "--sandbox",
            "call",
            &path,
            "--stream",
            "--data",
            &chat("stream me", true),
        ])
        .assert()
        .success()
        .stdout("Echo: stream me\n");

    let output = usvc()
        .args([
            "--sandbox",
            "--json",
            "call",
            &path,
            "--stream",
            "--data",
            &chat("a b", true),
        ])
        .output()
        .expect("usvc runs");
    assert!(output.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON event per line"))
        .collect();
    assert_eq!(lines.first().unwrap()["type"], "sse");
    assert_eq!(lines.last().unwrap()["type"], "done");
}

#[test]
fn call_reads_data_from_a_file_or_stdin_and_sends_headers() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("body.json");
    std::fs::write(&file, chat("from a file", false)).unwrap();
    let at_file = format!("@{}", file.display());
    let answer = sandbox_json(&["call", &chat_path(), "--data", &at_file]);
    assert_eq!(
        answer["body"]["choices"][0]["message"]["content"],
        "Echo: from a file"
    );

    let output = usvc()
        .args(["--sandbox", "--json", "call", &chat_path(), "--data", "-"])
        .write_stdin(chat("from stdin", false))
        .output()
        .unwrap();
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        answer["body"]["choices"][0]["message"]["content"],
        "Echo: from stdin"
    );

    // The sandbox echoes requests to unknown sub-paths, headers included.
    let echo = sandbox_json(&[
        "call",
        &format!("p/{}/echo", simple_service()),
        "-H",
        "X-Custom: yes please",
    ]);
    assert_eq!(echo["body"]["headers"]["x-custom"], "yes please");
    assert_eq!(echo["body"]["method"], "GET");
}

#[test]
fn a_gateway_error_keeps_the_body_and_exits_with_the_kind_of_its_status() {
    let output = usvc()
        .args(["--sandbox", "call", "g/no-such-group/chat/completions"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&output.stdout).contains("Group not found"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: the gateway answered HTTP 404"),
        "{stderr}"
    );

    let error = sandbox_error(&["call", "g/no-such-group/chat/completions"], 4);
    assert_eq!(error["status"], 404);
    assert_eq!(error["detail"], "Group not found");
}

#[test]
fn upstream_failures_map_to_their_exit_codes() {
    let path = chat_path();
    let body = chat("x", false);
    for (fault, code, kind) in [
        ("status=500", 8, "server"),
        ("status=429", 7, "rate_limit"),
        ("status=409", 6, "conflict"),
        ("status=403", 3, "permission"),
        ("status=422", 5, "validation"),
    ] {
        let header = format!("x-sandbox-fault: {fault}");
        let error = sandbox_error(&["call", &path, "--data", &body, "-H", &header], code);
        assert_eq!(error["kind"], kind, "{fault}: {error}");
    }
}

#[test]
fn a_slow_upstream_times_out_with_exit_9() {
    let error = sandbox_error(
        &[
            "call",
            &chat_path(),
            "--data",
            &chat("slow", false),
            "--timeout",
            "1",
            "-H",
            "x-sandbox-fault: delay=3000",
        ],
        9,
    );
    assert_eq!(error["kind"], "timeout");
}

#[test]
fn bad_wrapper_input_is_refused_with_exit_5() {
    for args in [
        vec!["call", "p/x", "--cached", "1.5h"],
        vec!["call", "p/x", "--failover", "https://elsewhere.example/p/y"],
        vec!["call", "p/../secrets"],
        vec!["call", "p/x", "--delay-at", "tomorrow"],
        vec!["call", "p/x", "-H", "no colon"],
        vec!["call", "p/x", "--data", "@/no/such/file.json"],
    ] {
        let error = sandbox_error(&args, 5);
        assert_eq!(error["kind"], "invalid_input", "{args:?}: {error}");
    }
}

#[test]
fn call_stream_asks_for_a_stream_when_the_body_does_not() {
    let path = chat_path();
    let body = r#"{"messages":[{"role":"user","content":"stream me"}]}"#;
    usvc()
        .args(["--sandbox", "call", &path, "--stream", "--data", body])
        .assert()
        .success()
        .stdout("Echo: stream me\n")
        .stderr(predicate::str::contains(
            "--stream added \"stream\": true to the request body",
        ));
    // An explicit false is the caller's choice: sent as is, with a warning.
    let body = r#"{"messages":[{"role":"user","content":"x"}],"stream":false}"#;
    usvc()
        .args(["--sandbox", "call", &path, "--stream", "--data", body])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: --stream with \"stream\": false",
        ));
}
