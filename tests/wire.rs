//! Every control-plane operation, called through the high-level API, sends exactly what the
//! golden file records: method, path, query and body.
//!
//! The golden file is the wire contract (it matches what the Python SDK sends); a change to
//! the request layer that alters any of it fails here. Ids the sandbox makes up are replaced
//! by `<id1>`, `<id2>`, … in order of appearance. After a deliberate wire change, refresh it
//! with `UNITYSVC_UPDATE_GOLDEN=1 cargo test --test wire`.

mod common;

use common::recorder::Recorder;
use serde_json::json;
use std::time::Duration;
use unitysvc::broadcasts::BroadcastTarget;
use unitysvc::chains::ChainStep;
use unitysvc::open_enums::Scope;
use unitysvc::{LoggingMode, Schedule};

const GOLDEN: &str = "tests/golden/wire.txt";

/// Replaces every UUID by a stable placeholder, numbered by first appearance.
fn normalize_ids(text: &str, seen: &mut Vec<String>) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let candidate = text.get(i..i + 36);
        if let Some(c) = candidate.filter(|c| uuid::Uuid::parse_str(c).is_ok() && c.len() == 36) {
            let n = match seen.iter().position(|s| s == c) {
                Some(n) => n,
                None => {
                    seen.push(c.to_owned());
                    seen.len() - 1
                }
            };
            out.push_str(&format!("<id{}>", n + 1));
            i += 36;
        } else {
            let ch = text[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

#[tokio::test]
async fn every_operation_sends_what_the_golden_file_records() {
    let (sb, _) = common::start().await;
    let rec = Recorder::forwarding_to(&sb.gateway_url()).await;
    let client = rec.client(sb.api_key());
    let svc = common::service_id(unitysvc_sandbox::catalog::TWO_INTERFACE_SERVICE);
    let mut calls: Vec<(&str, usize)> = Vec::new();
    macro_rules! step {
        ($label:expr, $call:expr) => {{
            let before = rec.requests().len();
            let out = $call;
            calls.push(($label, before));
            out
        }};
    }

    // Catalog.
    step!("groups.list", client.groups().list().send().await.unwrap());
    step!(
        "groups.list own",
        client
            .groups()
            .list()
            .owner(unitysvc::groups::Owner::Own)
            .send()
            .await
            .unwrap()
    );
    step!("groups.get", client.groups().get("llm").await.unwrap());
    step!(
        "groups.services",
        client
            .groups()
            .services("llm")
            .limit(5)
            .search("gpt")
            .send()
            .await
            .unwrap()
    );
    step!(
        "groups.services default",
        client.groups().services("llm").send().await.unwrap()
    );
    step!("services.get", client.services().get(&svc).await.unwrap());
    step!(
        "services.interfaces",
        client.services().interfaces(&svc).send().await.unwrap()
    );
    let docs = step!(
        "services.documents",
        client.services().documents(&svc).await.unwrap()
    );
    if let Some(doc) = docs.documents.first() {
        step!(
            "services.document",
            client.services().document(&svc, doc.id).await.unwrap()
        );
    }
    step!(
        "services.usage",
        client.services().usage(&svc).await.unwrap()
    );
    step!(
        "services.groups",
        client.services().groups(&svc).await.unwrap()
    );

    // Collections.
    let coll = step!(
        "groups.create",
        client
            .groups()
            .create("wire-picks")
            .display_name("Wire picks")
            .description("for the wire test")
            .send()
            .await
            .unwrap()
    );
    step!(
        "groups.update",
        client
            .groups()
            .update(coll.id)
            .display_name("Renamed")
            .enabled(true)
            .send()
            .await
            .unwrap()
    );
    step!(
        "groups.add_member",
        client
            .groups()
            .add_member(coll.id, &svc)
            .routing_key(json!({"model": "gpt-4"}))
            .sort_order(2)
            .send()
            .await
            .unwrap()
    );
    step!(
        "groups.members",
        client.groups().members(coll.id).send().await.unwrap()
    );
    step!(
        "services.set_groups",
        client.services().set_groups(&svc, [coll.id]).await.unwrap()
    );
    step!(
        "groups.remove_member",
        client.groups().remove_member(coll.id, &svc).await.unwrap()
    );
    step!(
        "groups.delete",
        client.groups().delete(coll.id).await.unwrap()
    );

    // Enrollments.
    let created = step!(
        "enrollments.create",
        client
            .enrollments()
            .create(common::service_id(
                unitysvc_sandbox::catalog::SIMPLE_SERVICE
            ))
            .parameters(json!({"region": "eu"}))
            .send()
            .await
            .unwrap()
    );
    step!(
        "enrollments.list",
        client.enrollments().list().limit(10).send().await.unwrap()
    );
    step!(
        "enrollments.list bare",
        client
            .enrollments()
            .list()
            .with_service(false)
            .skip(1)
            .send()
            .await
            .unwrap()
    );
    step!(
        "enrollments.get",
        client.enrollments().get(created.id).await.unwrap()
    );
    step!(
        "enrollments.cancel",
        client.enrollments().cancel(created.id).await.unwrap()
    );

    // Secrets.
    step!(
        "secrets.set",
        client
            .secrets()
            .set("WIRE_TOKEN", "s3cr3t")
            .description("for the wire test")
            .sensitive(true)
            .send()
            .await
            .unwrap()
    );
    step!(
        "secrets.list",
        client.secrets().list().limit(5).send().await.unwrap()
    );
    step!(
        "secrets.get",
        client.secrets().get("WIRE_TOKEN").await.unwrap()
    );
    step!(
        "secrets.delete",
        client.secrets().delete("WIRE_TOKEN").await.unwrap()
    );

    // Aliases.
    let alias = step!(
        "aliases.create",
        client
            .aliases()
            .create("wire", format!("p/{svc}"))
            .description("wire alias")
            .routing_key(json!({"tier": "gold"}))
            .send()
            .await
            .unwrap()
    );
    step!(
        "aliases.list",
        client
            .aliases()
            .list()
            .name("wire")
            .include_deactivated(true)
            .send()
            .await
            .unwrap()
    );
    step!("aliases.get", client.aliases().get(alias.id).await.unwrap());
    step!(
        "aliases.update",
        client
            .aliases()
            .update(alias.id)
            .description("changed")
            .send()
            .await
            .unwrap()
    );
    step!(
        "aliases.switch_routing",
        client
            .aliases()
            .switch_routing(alias.id)
            .on(false)
            .send()
            .await
            .unwrap()
    );
    step!(
        "aliases.delete",
        client.aliases().delete(alias.id).await.unwrap()
    );

    // Recurrent requests.
    let rr = step!(
        "recurrent_requests.create",
        client
            .recurrent_requests()
            .create(format!("p/{svc}/chat/completions"))
            .method("POST")
            .body_template(json!({"messages": []}))
            .header("x-wire", "1")
            .name("wire job")
            .send()
            .await
            .unwrap()
    );
    step!(
        "recurrent_requests.list",
        client
            .recurrent_requests()
            .list()
            .limit(5)
            .send()
            .await
            .unwrap()
    );
    step!(
        "recurrent_requests.get",
        client.recurrent_requests().get(rr.id).await.unwrap()
    );
    step!(
        "recurrent_requests.update",
        client
            .recurrent_requests()
            .update(rr.id)
            .name("renamed job")
            .send()
            .await
            .unwrap()
    );
    step!(
        "recurrent_requests.set_schedule",
        client
            .recurrent_requests()
            .set_schedule(rr.id, Schedule::every(Duration::from_secs(3600)))
            .await
            .unwrap()
    );
    step!(
        "recurrent_requests.trigger",
        client.recurrent_requests().trigger(rr.id).await.unwrap()
    );
    step!(
        "recurrent_requests.delete",
        client.recurrent_requests().delete(rr.id).await.unwrap()
    );

    // Request logs.
    step!(
        "request_logs.start",
        client
            .request_logs()
            .start()
            .mode(LoggingMode::Complete)
            .await
            .unwrap()
    );
    step!(
        "request_logs.list",
        client
            .request_logs()
            .list()
            .limit(5)
            .status_min(200)
            .user_request_path("p/")
            .send()
            .await
            .unwrap()
    );
    step!(
        "request_logs.stop",
        client.request_logs().stop().await.unwrap()
    );

    // Chains.
    let chain = step!(
        "chains.create",
        client
            .chains()
            .create("wire-chain")
            .description("wire")
            .step(ChainStep::new("a", "p/a", 0).timeout(Duration::from_millis(1500)))
            .send()
            .await
            .unwrap()
    );
    step!("chains.list", client.chains().list().send().await.unwrap());
    step!("chains.get", client.chains().get(chain.id).await.unwrap());
    step!(
        "chains.update",
        client
            .chains()
            .update(chain.id)
            .enabled(false)
            .send()
            .await
            .unwrap()
    );
    let added = step!(
        "chains.add_step",
        client
            .chains()
            .add_step(chain.id, ChainStep::new("b", "p/b", 1))
            .await
            .unwrap()
    );
    step!(
        "chains.update_step",
        client
            .chains()
            .update_step(chain.id, added.id)
            .on_failure("stop")
            .send()
            .await
            .unwrap()
    );
    step!(
        "chains.remove_step",
        client
            .chains()
            .remove_step(chain.id, added.id)
            .await
            .unwrap()
    );
    step!(
        "chains.replace_steps",
        client
            .chains()
            .replace_steps(chain.id, [ChainStep::new("c", "p/c", 0)])
            .await
            .unwrap()
    );
    step!(
        "chains.delete",
        client.chains().delete(chain.id).await.unwrap()
    );

    // Broadcasts.
    let bc = step!(
        "broadcasts.create",
        client
            .broadcasts()
            .create("wire-bc")
            .target(BroadcastTarget::new("a", "p/a"))
            .send()
            .await
            .unwrap()
    );
    step!(
        "broadcasts.list",
        client.broadcasts().list().limit(3).send().await.unwrap()
    );
    step!(
        "broadcasts.get",
        client.broadcasts().get(bc.id).await.unwrap()
    );
    step!(
        "broadcasts.update",
        client
            .broadcasts()
            .update(bc.id)
            .description("changed")
            .send()
            .await
            .unwrap()
    );
    let target = step!(
        "broadcasts.add_target",
        client
            .broadcasts()
            .add_target(bc.id, BroadcastTarget::new("b", "p/b").sort_order(1))
            .await
            .unwrap()
    );
    step!(
        "broadcasts.remove_target",
        client
            .broadcasts()
            .remove_target(bc.id, target.id)
            .await
            .unwrap()
    );
    step!(
        "broadcasts.replace_targets",
        client
            .broadcasts()
            .replace_targets(bc.id, [BroadcastTarget::new("c", "p/c")])
            .await
            .unwrap()
    );
    step!(
        "broadcasts.delete",
        client.broadcasts().delete(bc.id).await.unwrap()
    );

    // Files and routing.
    step!(
        "files.list",
        client
            .files()
            .list()
            .path("docs/")
            .max_keys(10)
            .send()
            .await
            .unwrap()
    );
    step!(
        "files.download_url",
        client
            .files()
            .download_url("docs/a.txt")
            .scope(Scope::Personal)
            .send()
            .await
            .expect_err("nothing is stored under that key")
    );
    step!(
        "files.upload",
        client
            .files()
            .upload(
                unitysvc::types::AccountFileUploadRequest::builder()
                    .filename("a.txt")
                    .size(3)
                    .content_type(Some("text/plain".to_owned()))
            )
            .await
            .unwrap()
    );
    step!(
        "resolve",
        client
            .resolve("g/llm")
            .routing_key(json!({"model": "gpt-4"}))
            .send()
            .await
            .unwrap()
    );

    // Inputs the generated layer made reachable.
    step!(
        "enrollments.get include_service_details",
        client
            .enrollments()
            .get(created.id)
            .include_service_details(false)
            .send()
            .await
            .unwrap()
    );
    step!(
        "groups.list name shared",
        client
            .groups()
            .list()
            .name("llm")
            .shared(false)
            .send()
            .await
            .unwrap()
    );
    step!(
        "services.documents filters",
        client
            .services()
            .documents(&svc)
            .category("api_reference")
            .mime_type("text/markdown")
            .include_content(true)
            .send()
            .await
            .unwrap()
    );
    step!(
        "services.set_groups include_default",
        client
            .services()
            .set_groups(&svc, Vec::<uuid::Uuid>::new())
            .include_default(true)
            .send()
            .await
            .unwrap()
    );
    step!(
        "secrets.delete shared",
        client
            .secrets()
            .delete("NOT_THERE")
            .shared(true)
            .send()
            .await
            .expect_err("nothing by that name")
    );

    let seen = rec.requests();
    let mut ids = Vec::new();
    let mut text = String::new();
    for (n, (label, start)) in calls.iter().enumerate() {
        let end = calls.get(n + 1).map_or(seen.len(), |(_, s)| *s);
        text.push_str(&format!("## {label}\n"));
        for req in &seen[*start..end] {
            let body = if req.body.is_empty() {
                String::new()
            } else {
                format!(" {}", String::from_utf8_lossy(&req.body))
            };
            text.push_str(&normalize_ids(
                &format!("{} {}{}\n", req.method, req.target, body),
                &mut ids,
            ));
        }
    }

    if std::env::var_os("UNITYSVC_UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::create_dir_all("tests/golden").unwrap();
        std::fs::write(GOLDEN, &text).unwrap();
        return;
    }
    let golden = std::fs::read_to_string(GOLDEN).expect("tests/golden/wire.txt");
    if golden != text {
        let first = golden
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(golden.lines().count().min(text.lines().count()));
        panic!(
            "the wire changed at line {}:\n  golden: {:?}\n  now:    {:?}\n(refresh with UNITYSVC_UPDATE_GOLDEN=1 cargo test --test wire after a deliberate change)",
            first + 1,
            golden.lines().nth(first),
            text.lines().nth(first)
        );
    }
}
