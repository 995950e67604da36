//! Chains and broadcasts against the sandbox.

mod common;

use futures::TryStreamExt;
use serde_json::json;
use std::time::Duration;
use unitysvc::broadcasts::BroadcastTarget;
use unitysvc::chains::ChainStep;
use unitysvc::ErrorKind;

fn step(name: &str, target: &str, order: i64) -> ChainStep {
    ChainStep::new(name, target, order)
}

fn target(name: &str, path: &str) -> BroadcastTarget {
    BroadcastTarget::new(name, path)
}

#[tokio::test]
async fn chain_lifecycle_with_steps() {
    let (_sb, client) = common::start().await;
    let chains = client.chains();
    let chain = chains
        .create("fallback")
        .step(step("a", "p/a", 0).timeout(Duration::from_millis(1500)))
        .send()
        .await
        .unwrap();
    assert_eq!(chain.steps.len(), 1);
    assert_eq!(chain.steps[0].timeout_ms, Some(1500));
    assert!(chain.enabled);

    let got = chains.get(chain.id.to_string()).await.unwrap();
    assert_eq!(got.name, "fallback");

    let updated = chains
        .update(chain.id)
        .enabled(false)
        .default_timeout(Duration::from_millis(500))
        .send()
        .await
        .unwrap();
    assert!(!updated.enabled);
    assert_eq!(updated.default_timeout_ms, 500);

    let added = chains
        .add_step(chain.id, step("b", "p/b", 1))
        .await
        .unwrap();
    assert_eq!(added.chain_id, chain.id);
    let changed = chains
        .update_step(chain.id, added.id)
        .on_failure("stop")
        .send()
        .await
        .unwrap();
    assert_eq!(changed.on_failure, "stop");
    chains.remove_step(chain.id, added.id).await.unwrap();
    assert_eq!(chains.get(chain.id).await.unwrap().steps.len(), 1);

    let replaced = chains
        .replace_steps(chain.id, [step("x", "p/x", 0), step("y", "p/y", 1)])
        .await
        .unwrap();
    let names: Vec<_> = replaced.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["x", "y"]);
    let emptied = chains
        .replace_steps(chain.id, Vec::<ChainStep>::new())
        .await
        .unwrap();
    assert!(emptied.steps.is_empty());

    chains.delete(chain.id).await.unwrap();
    assert_eq!(
        chains.get(chain.id).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[tokio::test]
async fn chains_list_page_stream_and_shared() {
    let (_sb, client) = common::start().await;
    for i in 0..3 {
        client
            .chains()
            .create(format!("c{i}"))
            .send()
            .await
            .unwrap();
    }
    client
        .chains()
        .create("team")
        .shared(true)
        .send()
        .await
        .unwrap();
    let page = client.chains().list().limit(2).send().await.unwrap();
    assert_eq!((page.items.len(), page.total), (2, Some(4)));
    let all: Vec<_> = client
        .chains()
        .list()
        .limit(3)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 4);
    let all: Vec<_> = client.chains().list().stream().try_collect().await.unwrap();
    assert_eq!(all.len(), 4);
    let shared = client.chains().list().shared(true).send().await.unwrap();
    assert_eq!(shared.items.len(), 1);
    assert_eq!(shared.items[0].name, "team");
}

#[tokio::test]
async fn broadcast_lifecycle_with_targets() {
    let (_sb, client) = common::start().await;
    let broadcasts = client.broadcasts();
    let created = broadcasts
        .create("fanout")
        .mode("async")
        .target(target("a", "p/a").routing_key_override(json!({"region": "eu"})))
        .send()
        .await
        .unwrap();
    assert_eq!(created.targets.len(), 1);
    assert_eq!(created.mode.as_str(), "async");
    assert_eq!(
        created.targets[0].routing_key_override,
        json!({"region": "eu"}).as_object().cloned()
    );

    let got = broadcasts.get(created.id.to_string()).await.unwrap();
    assert_eq!(got.name, "fanout");
    let updated = broadcasts
        .update(created.id)
        .enabled(false)
        .send()
        .await
        .unwrap();
    assert!(!updated.enabled);

    let added = broadcasts
        .add_target(created.id, target("b", "p/b"))
        .await
        .unwrap();
    assert_eq!(added.broadcast_id, created.id);
    assert_eq!(broadcasts.get(created.id).await.unwrap().targets.len(), 2);
    broadcasts
        .remove_target(created.id, added.id)
        .await
        .unwrap();
    assert_eq!(broadcasts.get(created.id).await.unwrap().targets.len(), 1);

    let replaced = broadcasts
        .replace_targets(created.id, [target("x", "p/x"), target("y", "p/y")])
        .await
        .unwrap();
    let names: Vec<_> = replaced.targets.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["x", "y"]);

    broadcasts.delete(created.id).await.unwrap();
    let err = broadcasts.get(created.id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn broadcasts_list_page_stream_and_shared() {
    let (_sb, client) = common::start().await;
    for i in 0..3 {
        client
            .broadcasts()
            .create(format!("b{i}"))
            .send()
            .await
            .unwrap();
    }
    client
        .broadcasts()
        .create("team")
        .shared(true)
        .send()
        .await
        .unwrap();
    let page = client.broadcasts().list().skip(3).send().await.unwrap();
    assert_eq!((page.items.len(), page.total), (1, Some(4)));
    let all: Vec<_> = client
        .broadcasts()
        .list()
        .limit(1)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 4);
    let all: Vec<_> = client
        .broadcasts()
        .list()
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 4);
    let shared = client
        .broadcasts()
        .list()
        .shared(true)
        .send()
        .await
        .unwrap();
    assert_eq!(shared.items.len(), 1);
}

#[tokio::test]
async fn bad_ids_and_bad_bodies_are_rejected_before_sending() {
    let (sb, _client) = common::start().await;
    let anon = common::anonymous(&sb);
    let id = uuid::Uuid::new_v4();
    let err = anon.chains().get("xyz").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = anon.chains().remove_step(id, "xyz").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = anon
        .chains()
        .replace_steps(id, [step("ok", "p/ok", 0), step(&"x".repeat(65), "p/x", 1)])
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("#1"), "names the bad step: {err}");
    let err = anon
        .broadcasts()
        .remove_target("xyz", id)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = anon
        .broadcasts()
        .add_target(id, target("t", "p/t").routing_key_override("eu"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let long = |n: usize| "x".repeat(n);
    for err in [
        anon.chains().create(long(65)).send().await.unwrap_err(),
        anon.chains()
            .create("c")
            .description(long(501))
            .send()
            .await
            .unwrap_err(),
        anon.chains()
            .update_step(id, id)
            .target_path(long(501))
            .send()
            .await
            .unwrap_err(),
        anon.chains()
            .update(id)
            .description(long(501))
            .send()
            .await
            .unwrap_err(),
        anon.broadcasts().create(long(65)).send().await.unwrap_err(),
        anon.broadcasts()
            .update(id)
            .description(long(501))
            .send()
            .await
            .unwrap_err(),
        anon.broadcasts()
            .create("b")
            .target(target(&long(65), "p/x"))
            .send()
            .await
            .unwrap_err(),
    ] {
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    }
}

#[tokio::test]
async fn anonymous_client_fails_authentication_before_sending() {
    let (sb, _client) = common::start().await;
    let anon = common::anonymous(&sb);
    let err = anon.chains().list().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    let err = anon.broadcasts().list().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    let err = anon
        .broadcasts()
        .delete(uuid::Uuid::new_v4())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
}

#[tokio::test]
async fn unknown_chain_step_and_broadcast_target_are_not_found() {
    let (_sb, client) = common::start().await;
    let chain = client.chains().create("c").send().await.unwrap();
    let err = client
        .chains()
        .remove_step(chain.id, uuid::Uuid::new_v4())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let err = client
        .broadcasts()
        .get(uuid::Uuid::new_v4())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}
