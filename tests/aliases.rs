//! Service aliases against the sandbox.

mod common;

use futures::TryStreamExt;
use serde_json::json;
use unitysvc::ErrorKind;

#[tokio::test]
async fn alias_lifecycle_create_get_update_list_delete() {
    let (_sb, client) = common::start().await;
    let aliases = client.aliases();
    let created = aliases
        .create("my-llm", "p/abc")
        .description("first")
        .send()
        .await
        .unwrap();
    assert_eq!(created.name, "my-llm");
    assert!(created.is_routing);

    let fetched = aliases.get(created.id.to_string()).await.unwrap();
    assert_eq!(fetched.id, created.id);

    let updated = aliases
        .update(created.id)
        .target_path("p/def")
        .send()
        .await
        .unwrap();
    assert_eq!(updated.target_path, "p/def");
    assert_eq!(updated.description.as_deref(), Some("first"));

    let page = aliases.list().name("my-llm").send().await.unwrap();
    assert_eq!(page.total, Some(1));
    assert_eq!(page.items[0].id, created.id);

    aliases.delete(created.id).await.unwrap();
    let err = aliases.get(created.id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn list_pages_and_streams_every_alias() {
    let (_sb, client) = common::start().await;
    for i in 0..5 {
        client
            .aliases()
            .create(format!("a{i}"), format!("p/t{i}"))
            .send()
            .await
            .unwrap();
    }
    let page = client
        .aliases()
        .list()
        .skip(1)
        .limit(2)
        .send()
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.total, Some(5));
    assert!(page.has_more());

    let all: Vec<_> = client
        .aliases()
        .list()
        .limit(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 5);
    let all: Vec<_> = client
        .aliases()
        .list()
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 5);
}

#[tokio::test]
async fn shared_alias_is_listed_under_shared() {
    let (_sb, client) = common::start().await;
    client
        .aliases()
        .create("mine", "p/one")
        .send()
        .await
        .unwrap();
    let shared = client
        .aliases()
        .create("team", "p/two")
        .shared(true)
        .send()
        .await
        .unwrap();
    assert!(shared.owner_id.is_none());
    let page = client.aliases().list().shared(true).send().await.unwrap();
    let names: Vec<_> = page.items.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["team"]);
}

#[tokio::test]
async fn duplicate_routing_alias_is_a_conflict() {
    let (_sb, client) = common::start().await;
    client
        .aliases()
        .create("dup", "p/one")
        .send()
        .await
        .unwrap();
    let err = client
        .aliases()
        .create("dup", "p/one")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(409));
}

#[tokio::test]
async fn switching_an_alias_on_demotes_its_routing_sibling() {
    let (_sb, client) = common::start().await;
    let first = client.aliases().create("sw", "p/one").send().await.unwrap();
    let second = client
        .aliases()
        .create("sw", "p/two")
        .is_routing(false)
        .send()
        .await
        .unwrap();
    assert!(!second.is_routing);

    let switched = client
        .aliases()
        .switch_routing(second.id)
        .on(true)
        .send()
        .await
        .unwrap();
    assert_eq!(switched.alias.id, second.id);
    assert!(switched.alias.is_routing);
    assert_eq!(switched.demoted_alias_id, Some(first.id));
    assert!(!client.aliases().get(first.id).await.unwrap().is_routing);

    let off = client
        .aliases()
        .switch_routing(second.id)
        .on(false)
        .send()
        .await
        .unwrap();
    assert!(!off.alias.is_routing);
    assert_eq!(off.demoted_alias_id, None);
}

#[tokio::test]
async fn switch_by_name_narrowed_by_target() {
    let (_sb, client) = common::start().await;
    let first = client.aliases().create("nm", "p/one").send().await.unwrap();
    let second = client
        .aliases()
        .create("nm", "p/two")
        .is_routing(false)
        .send()
        .await
        .unwrap();
    let switched = client
        .aliases()
        .switch_routing("nm")
        .on(true)
        .target("p/two")
        .send()
        .await
        .unwrap();
    assert_eq!(switched.alias.id, second.id);
    assert_eq!(switched.demoted_alias_id, Some(first.id));

    let err = client
        .aliases()
        .switch_routing("nm")
        .on(true)
        .routing_key("no-such-key")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn empty_switch_identifier_is_rejected_before_sending() {
    let (sb, _client) = common::start().await;
    // An anonymous client would fail with Authentication if the request got that far.
    let err = common::anonymous(&sb)
        .aliases()
        .switch_routing("  ")
        .on(true)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[tokio::test]
async fn bad_alias_id_is_rejected_before_sending() {
    let (sb, _client) = common::start().await;
    let anon = common::anonymous(&sb);
    let err = anon.aliases().get("not-a-uuid").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = anon.aliases().delete("1234").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[tokio::test]
async fn constrained_strings_are_checked_before_sending() {
    let (sb, _client) = common::start().await;
    // An anonymous client would fail with Authentication if the request got that far.
    let aliases = common::anonymous(&sb).aliases();
    let long = |n: usize| "x".repeat(n);
    let id = uuid::Uuid::new_v4();
    let rejected = [
        aliases.create(long(101), "p/x").send().await,
        aliases.create("ok", long(501)).send().await,
        aliases
            .create("ok", "p/x")
            .description(long(501))
            .send()
            .await,
        aliases
            .create("ok", "p/x")
            .routing_key("gpt-4")
            .send()
            .await,
        aliases.update(id).description(long(501)).send().await,
        aliases.update(id).target_path(long(501)).send().await,
    ];
    for (i, result) in rejected.into_iter().enumerate() {
        let err = result.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "#{i}: {err}");
    }
    let err = aliases.create(long(101), "p/x").send().await.unwrap_err();
    assert!(
        err.to_string()
            .starts_with("aliases.create: invalid name: "),
        "{err}"
    );
    assert_eq!(err.parameter(), Some("name"));
    // At the limits they pass the checks and reach the key check.
    let err = aliases
        .create(long(100), long(500))
        .description(long(500))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication, "{err}");
}

#[tokio::test]
async fn routing_keys_take_any_serializable_object() {
    let (_sb, client) = common::start().await;
    let created = client
        .aliases()
        .create("keyed", "g/llm")
        .routing_key(json!({"model": "gpt-4"}))
        .routing_key_override(Some(json!({"model": "gpt-4o"})))
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.request_routing_key,
        json!({"model": "gpt-4"}).as_object().cloned()
    );
    assert_eq!(
        created.routing_key_override,
        json!({"model": "gpt-4o"}).as_object().cloned()
    );
    let mut key = std::collections::BTreeMap::new();
    key.insert("model", "mini");
    let updated = client
        .aliases()
        .update(created.id)
        .routing_key(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        updated.request_routing_key,
        json!({"model": "mini"}).as_object().cloned()
    );
    assert_eq!(updated.routing_key_override, created.routing_key_override);
}

#[tokio::test]
async fn anonymous_client_fails_authentication_before_sending() {
    let (sb, _client) = common::start().await;
    let anon = common::anonymous(&sb);
    let err = anon.aliases().list().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert_eq!(err.status(), None, "no request was made");
    let err = anon.aliases().create("x", "p/y").send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
}

#[tokio::test]
async fn another_customers_alias_is_not_found() {
    let (sb, client) = common::start().await;
    let mine = client
        .aliases()
        .create("private", "p/x")
        .send()
        .await
        .unwrap();
    let err = common::second_customer(&sb)
        .aliases()
        .get(mine.id)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
}
