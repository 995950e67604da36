//! Every input refused before sending reads like every other error: `InvalidInput`, its
//! `Display` starting with the call's label (`secrets.set: …`), `operation()` naming the
//! call, and nothing sent. One table, async and blocking.

mod common;

use common::recorder::Recorder;
use futures::future::BoxFuture;
use std::time::Duration;
use unitysvc::broadcasts::BroadcastTarget;
use unitysvc::chains::ChainStep;
use unitysvc::{Client, ErrorKind, Schedule, Wrappable};

const ID: &str = "6f1c3c1e-8f7e-4a53-9d55-3f5b1c2f0a11";

type Case = (
    &'static str,
    &'static str,
    BoxFuture<'static, unitysvc::Result<()>>,
);

fn cases(c: &Client) -> Vec<Case> {
    let c = c.clone();
    let mut out: Vec<Case> = Vec::new();
    macro_rules! case {
        ($name:expr, $label:expr, |$c:ident| $body:expr) => {{
            let $c = c.clone();
            out.push(($name, $label, Box::pin(async move { $body.map(drop) })));
        }};
    }
    case!("secret name", "secrets.set", |c| c
        .secrets()
        .set("bad name", "v")
        .send()
        .await);
    case!("secret name, get", "secrets.get", |c| c
        .secrets()
        .get("bad name")
        .send()
        .await);
    case!("empty group name", "groups.get", |c| c
        .groups()
        .get("")
        .send()
        .await);
    case!("service id", "services.get", |c| c
        .services()
        .get("not-a-uuid")
        .send()
        .await);
    case!("enrollment id", "enrollments.get", |c| c
        .enrollments()
        .get("not-a-uuid")
        .send()
        .await);
    case!("alias target", "aliases.create", |c| c
        .aliases()
        .create("a", "https://elsewhere.example/x")
        .send()
        .await);
    case!("chain step", "chains.create", |c| c
        .chains()
        .create("c")
        .step(ChainStep::new("s", "../x", 0))
        .send()
        .await);
    case!("added chain step path", "chains.add_step", |c| c
        .chains()
        .add_step(ID, ChainStep::new("s", "p/x", 0))
        .target_path("https://elsewhere.example/x")
        .send()
        .await);
    case!(
        "added broadcast target path",
        "broadcasts.add_target",
        |c| c
            .broadcasts()
            .add_target(ID, BroadcastTarget::new("t", "p/x"))
            .target_path("//elsewhere.example/x")
            .send()
            .await
    );
    case!("request log range", "request_logs.list", |c| c
        .request_logs()
        .list()
        .status_min(500)
        .status_max(400)
        .send()
        .await);
    case!("zero schedule", "recurrent_requests.update", |c| c
        .recurrent_requests()
        .set_schedule(ID, Schedule::every(Duration::ZERO))
        .send()
        .await);
    case!("download link lifetime", "files.download_url", |c| c
        .files()
        .download_url("k")
        .expires_in(Duration::from_secs(1))
        .send()
        .await);
    case!("upload key without a name", "files.upload_bytes", |c| c
        .files()
        .upload_bytes("dir/", b"x".to_vec(), "text/plain")
        .await);
    case!("upload content type", "files.upload_bytes", |c| c
        .files()
        .upload_bytes("dir/a.txt", b"x".to_vec(), "not a type\n")
        .await);
    case!("service dispatch id", "services.dispatch", |c| c
        .services()
        .dispatch("not-a-uuid")
        .send()
        .await);
    case!("dispatch enrollment id", "services.dispatch", |c| c
        .services()
        .dispatch(ID)
        .enrollment("not-a-uuid")
        .send()
        .await);
    case!("group dispatch name", "groups.dispatch", |c| c
        .groups()
        .dispatch(" ")
        .stream()
        .await);
    case!("dispatch path", "gateway p/x", |c| c
        .dispatch("p/x")
        .path("../../v1/secrets")
        .send()
        .await);
    case!("dispatch target", "gateway p/../v1", |c| c
        .dispatch("p/../v1")
        .send()
        .await);
    case!("dispatch header", "gateway p/x", |c| c
        .dispatch("p/x")
        .header("bad name", "v")
        .send()
        .await);
    case!("dispatch build", "gateway p/x", |c| c
        .dispatch("p/x")
        .path("%2e%2e/v1")
        .build()
        .await);
    case!("dispatch url", "gateway p/x", |c| c
        .dispatch("p/x")
        .path("a\\b")
        .url()
        .await);
    case!("target", "client.target", |c| c
        .target("https://evil.example"));
    case!("alias name", "client.alias", |c| c.alias("a/b"));
    case!("failover secondary", "client.target", |c| c
        .target("p/x")?
        .with_failover(&c.target("../y")?)
        .dispatch()
        .send()
        .await);
    case!("schedule service id", "services.schedule", |c| c
        .services()
        .schedule("not-a-uuid", Schedule::every(Duration::from_secs(60)))
        .send()
        .await);
    case!("schedule recurrence", "services.schedule", |c| c
        .services()
        .schedule(ID, serde_json::json!(5))
        .send()
        .await);
    case!("schedule enrollment", "services.schedule", |c| c
        .services()
        .schedule(ID, Schedule::every(Duration::from_secs(60)))
        .enrollment("nope")
        .send()
        .await);
    case!("schedule name", "services.schedule", |c| c
        .services()
        .schedule(ID, Schedule::every(Duration::from_secs(60)))
        .name("x".repeat(500))
        .send()
        .await);
    out
}

#[tokio::test]
async fn every_refusal_names_its_call_and_sends_nothing() {
    let recorder = Recorder::answering(200, "{}").await;
    let client = recorder.client("svcpass_refusals");
    let mut rows = Vec::new();
    for (name, label, call) in cases(&client) {
        let got = call.await;
        let row = match &got {
            Ok(()) => Err("accepted".to_owned()),
            Err(e) if e.kind() != ErrorKind::InvalidInput => Err(format!("{:?}: {e}", e.kind())),
            Err(e) if !e.to_string().starts_with(&format!("{label}: ")) => Err(e.to_string()),
            Err(e) if e.operation() != Some(label) => {
                Err(format!("operation() is {:?}: {e}", e.operation()))
            }
            Err(e) => Ok(e.to_string()),
        };
        rows.push((name, label, row));
    }
    println!("\n{:<28} {:<28} got", "case", "label");
    for (name, label, row) in &rows {
        let (mark, text) = match row {
            Ok(t) => ("ok  ", t),
            Err(t) => ("FAIL", t),
        };
        println!("{mark} {name:<28} {label:<28} {text}");
    }
    let failed: Vec<_> = rows.iter().filter(|r| r.2.is_err()).map(|r| r.0).collect();
    assert!(
        failed.is_empty(),
        "refusals without their label: {failed:?}"
    );
    assert!(recorder.requests().is_empty(), "{:?}", recorder.requests());
}

#[tokio::test]
async fn an_anonymous_dispatch_names_its_call() {
    let recorder = Recorder::answering(200, "{}").await;
    let anonymous = Client::builder()
        .base_url(recorder.base_url())
        .ignore_env()
        .build()
        .unwrap();
    let err = anonymous.dispatch("p/x").send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert!(err.to_string().starts_with("gateway p/x: "), "{err}");
    let err = anonymous
        .services()
        .dispatch(ID)
        .stream()
        .await
        .unwrap_err();
    assert!(
        err.to_string().starts_with(&format!("gateway p/{ID}: ")),
        "{err}"
    );
    assert!(recorder.requests().is_empty());
}

#[test]
fn blocking_refusals_name_their_call() {
    let client = unitysvc::blocking::Client::wrap(
        Client::builder()
            .base_url("http://127.0.0.1:9/v1")
            .api_key("svcpass_refusals")
            .ignore_env()
            .build()
            .unwrap(),
    )
    .unwrap();
    let err = client.secrets().set("bad name", "v").send().unwrap_err();
    assert!(err.to_string().starts_with("secrets.set: "), "{err}");
    let err = client.services().dispatch("nope").send().unwrap_err();
    assert!(err.to_string().starts_with("services.dispatch: "), "{err}");
    let err = client.dispatch("p/x").path("..").send().unwrap_err();
    assert!(err.to_string().starts_with("gateway p/x: "), "{err}");
}
