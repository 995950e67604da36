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

/// A loopback listener that counts the connections made to it and never answers.
struct CountingServer {
    url: String,
    addr: std::net::SocketAddr,
    accepted: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl CountingServer {
    fn start() -> CountingServer {
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = accepted.clone();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming().flatten() {
                counter.fetch_add(1, Ordering::SeqCst);
                held.push(stream);
            }
        });
        CountingServer {
            url: format!("http://{addr}"),
            addr,
            accepted,
        }
    }

    /// Connections made before now; a probe connection of our own, accepted in order after
    /// any earlier one, makes the count exact without waiting on a clock.
    fn connections_before_now(&self) -> usize {
        use std::sync::atomic::Ordering;
        let _probe = std::net::TcpStream::connect(self.addr).expect("probe connects");
        // The probe is the last connection; everything accepted before it came from usvc.
        loop {
            let seen = self.accepted.load(Ordering::SeqCst);
            if seen > 0 {
                return seen - 1;
            }
            std::thread::yield_now();
        }
    }
}

#[test]
fn tour_sends_nothing_to_a_configured_platform() {
    let remote = CountingServer::start();
    let output = usvc()
        .env("UNITYSVC_API_KEY", "svcpass_not-for-the-tour")
        .env("UNITYSVC_API_URL", &remote.url)
        .env("UNITYSVC_API_BASE_URL", &remote.url)
        .env("UNITYSVC_S3_BASE_URL", &remote.url)
        .env("UNITYSVC_SMTP_BASE_URL", &remote.url)
        .args([
            "tour",
            "--api-key",
            "svcpass_flag",
            "--base-url",
            &remote.url,
        ])
        .output()
        .expect("usvc runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "tour failed\nstdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("against the embedded sandbox"), "{stdout}");
    assert!(
        stdout.contains("tour complete: 12 steps passed"),
        "{stdout}"
    );
    assert_eq!(remote.connections_before_now(), 0);
}

#[test]
fn remote_tour_says_what_it_creates_and_removes_it() {
    let env = common::Env::start();
    let output = env
        .usvc()
        .args(["tour", "--remote"])
        .output()
        .expect("usvc runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "tour failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(!stdout.contains("embedded sandbox"), "{stdout}");
    assert!(
        stderr.contains("creates, then removes at the end"),
        "{stderr}"
    );
    let secret = stderr
        .split_whitespace()
        .find(|w| w.starts_with("TOUR_TOKEN_"))
        .expect("the plan names the secret");
    assert!(
        stderr.contains(&format!("cleanup: secret {secret} deleted")),
        "{stderr}"
    );
    assert!(stderr.contains("cleanup: enrollment"), "{stderr}");

    let secrets = env.json(&["secrets", "list"]);
    assert!(
        !secrets.to_string().contains("TOUR_TOKEN"),
        "secret left behind: {secrets}"
    );
    let enrollments = env.json(&["enrollments", "list"]);
    for e in common::page_items(&enrollments) {
        assert_ne!(e["status"], "active", "enrollment left active: {e}");
    }
}

#[test]
fn remote_tour_cleans_up_when_a_step_fails_midway() {
    let env = common::Env::start();
    // The gateway steps come after the enrollment and the secret: fail the first of them.
    let service = unitysvc_sandbox::catalog::service_id(unitysvc_sandbox::catalog::SIMPLE_SERVICE);
    env.sandbox().script(
        unitysvc_sandbox::Route::service(service),
        unitysvc_sandbox::Answer::status(400),
    );
    let output = env
        .usvc()
        .args(["tour", "--remote"])
        .output()
        .expect("usvc runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "tour passed over a failing gateway\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stderr.contains("cleanup: enrollment"), "{stderr}");
    assert!(stderr.contains("cleanup: secret"), "{stderr}");
    env.sandbox().clear_scripts();
    let secrets = env.json(&["secrets", "list"]);
    assert!(
        !secrets.to_string().contains("TOUR_TOKEN"),
        "secret left behind: {secrets}"
    );
    let enrollments = env.json(&["enrollments", "list"]);
    for e in common::page_items(&enrollments) {
        assert_ne!(e["status"], "active", "enrollment left active: {e}");
    }
}
