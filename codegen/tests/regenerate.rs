//! The regenerate job reaches the SDK's surface: a platform document with a new operation
//! and a new query parameter, run through `unitysvc-codegen sync` and a rebuild, is usable
//! as `client.secrets().rotate_probe("X")` and `.probe_filter(..)`, async and blocking,
//! with no hand edit.
//!
//! The test copies the workspace (without `target/`, tests and `.git`), syncs the copy's
//! `openapi.json` with the binary, adds one test file that calls the new builders against a
//! loopback server, and runs it with cargo in the copy, sharing this build's target
//! directory so only the workspace's own crates are rebuilt. It prints how long the sync
//! and the rebuild took.

mod support;

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;
use support::{platform_spec_text, workspace};

/// The platform's document plus `POST /secrets/{name}/rotate-probe` and a `probe_filter`
/// query parameter on the secrets list.
fn with_probe(platform: &str) -> String {
    let mut doc: Value = serde_json::from_str(platform).expect("platform document is JSON");
    doc["paths"]["/secrets/{name}/rotate-probe"] = json!({"post": {
        "tags": ["customer-secrets"],
        "summary": "Rotate Probe",
        "description": "Platform words about probing a rotation.",
        "operationId": "customer-secrets-rotate_probe",
        "parameters": [{"name": "name", "in": "path", "required": true,
                        "schema": {"type": "string", "title": "Name"}}],
        "responses": {
            "200": {"description": "Successful Response",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Message"}}}}
        }
    }});
    let params = doc["paths"]["/secrets/"]["get"]["parameters"]
        .as_array_mut()
        .expect("the secrets list has parameters");
    params.push(json!({"name": "probe_filter", "in": "query", "required": false,
                       "schema": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Probe Filter"}}));
    serde_json::to_string_pretty(&doc).unwrap()
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if matches!(name.as_ref(), "target" | ".git" | "tests" | "fuzz") {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&*name));
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// The directory this test binary was built in (`…/target`), shared with the copy.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors()
        .nth(3)
        .expect("target/<profile>/deps/<bin>")
        .to_path_buf()
}

const PROBE_TEST: &str = r##"
use std::future::IntoFuture;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// A loopback server that records request lines and answers every call with JSON.
fn server() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let mut length = 0;
            loop {
                let mut header = String::new();
                reader.read_line(&mut header).unwrap();
                if header.trim().is_empty() {
                    break;
                }
                if let Some(v) = header.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let reply = if line.contains("rotate-probe") {
                r#"{"message": "probed"}"#
            } else {
                r#"{"data": [], "count": 0}"#
            };
            log.lock().unwrap().push(line.trim().to_owned());
            write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
                reply.len()
            )
            .unwrap();
        }
    });
    (format!("http://{addr}/v1"), seen)
}

fn builder(base: &str) -> unitysvc::ClientBuilder {
    unitysvc::Client::builder()
        .base_url(base)
        .api_key("svcpass_probe")
        .ignore_env()
}

#[tokio::test]
async fn the_new_operation_and_parameter_are_callable() {
    let (base, seen) = server();
    let client = builder(&base).build().unwrap();
    let answer = client.secrets().rotate_probe("X").send().await.unwrap();
    assert_eq!(answer.message, "probed");
    let spawned = tokio::spawn(client.secrets().rotate_probe("Y").into_future());
    spawned.await.unwrap().unwrap();
    client.secrets().list().probe_filter("p").send().await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen[0], "POST /v1/secrets/X/rotate-probe HTTP/1.1");
    assert_eq!(seen[1], "POST /v1/secrets/Y/rotate-probe HTTP/1.1");
    assert!(seen[2].contains("probe_filter=p"), "{}", seen[2]);
    let label = <unitysvc::secrets::RotateProbe as unitysvc::operations::Operation>::LABEL;
    assert_eq!(label, "secrets.rotate_probe");
}

#[test]
fn the_new_operation_and_parameter_are_callable_blocking() {
    let (base, seen) = server();
    let client = unitysvc::blocking::Client::wrap(builder(&base).build().unwrap()).unwrap();
    assert_eq!(client.secrets().rotate_probe("X").send().unwrap().message, "probed");
    client.secrets().list().probe_filter("p").send().unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen[0], "POST /v1/secrets/X/rotate-probe HTTP/1.1");
    assert!(seen[1].contains("probe_filter=p"), "{}", seen[1]);
}
"##;

#[test]
#[ignore = "needs UNITYSVC_PLATFORM_SPEC; builds a copy of the SDK"]
fn a_synced_operation_reaches_the_async_and_blocking_surface() {
    let platform = with_probe(&platform_spec_text());
    let copy = std::env::temp_dir().join(format!("unitysvc-regenerate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&copy);
    copy_tree(&workspace(), &copy);
    let platform_file = copy.join("platform-with-probe.json");
    std::fs::write(&platform_file, platform).unwrap();

    let started = Instant::now();
    let sync = Command::new(env!("CARGO_BIN_EXE_unitysvc-codegen"))
        .arg("sync")
        .arg("--spec")
        .arg(copy.join("openapi.json"))
        .arg(&platform_file)
        .output()
        .expect("run unitysvc-codegen sync");
    let synced = started.elapsed();
    let report = String::from_utf8_lossy(&sync.stdout);
    assert!(
        report.contains("customer-secrets-rotate_probe"),
        "sync reports the new operation:\n{report}{}",
        String::from_utf8_lossy(&sync.stderr)
    );

    std::fs::create_dir_all(copy.join("tests")).unwrap();
    std::fs::write(copy.join("tests/probe.rs"), PROBE_TEST).unwrap();
    let started = Instant::now();
    let test = Command::new(env!("CARGO"))
        .args(["test", "--offline", "-p", "unitysvc", "--test", "probe"])
        .current_dir(&copy)
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .expect("run cargo test in the copy");
    let rebuilt = started.elapsed();
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&test.stdout),
        String::from_utf8_lossy(&test.stderr)
    );
    println!("sync: {synced:.1?}; rebuild and run: {rebuilt:.1?}");
    assert!(
        test.status.success(),
        "the copy's probe test failed:\n{out}"
    );
    assert!(out.contains("2 passed"), "{out}");
    let _ = std::fs::remove_dir_all(&copy);
}
