//! Service aliases against the sandbox.

mod common;

use futures::TryStreamExt;
use unitysvc::types::{builder, ServiceAliasUpdate};
use unitysvc::ErrorKind;

fn alias(name: &str, target: &str) -> builder::ServiceAliasCreate {
    builder::ServiceAliasCreate::default()
        .name(name)
        .target_path(target)
}

#[tokio::test]
async fn alias_lifecycle_create_get_update_list_delete() {
    let (_sb, client) = common::start().await;
    let aliases = client.aliases();
    let created = aliases
        .create(alias("my-llm", "p/abc").description(Some("first".try_into().unwrap())))
        .await
        .unwrap();
    assert_eq!(created.name, "my-llm");
    assert!(created.is_routing);

    let fetched = aliases.get(created.id.to_string()).await.unwrap();
    assert_eq!(fetched.id, created.id);

    let body = ServiceAliasUpdate::builder().target_path(Some("p/def".try_into().unwrap()));
    let updated = aliases.update(created.id, body).await.unwrap();
    assert_eq!(updated.target_path, "p/def");
    assert_eq!(updated.description.as_deref(), Some("first"));

    let page = aliases.list().name("my-llm").send().await.unwrap();
    assert_eq!(page.total, Some(1));
    assert_eq!(page.items[0].id, created.id);

    let ack = aliases.delete(created.id).await.unwrap();
    assert!(ack.is_object(), "delete answers JSON: {ack}");
    let err = aliases.get(created.id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn list_pages_and_streams_every_alias() {
    let (_sb, client) = common::start().await;
    for i in 0..5 {
        client
            .aliases()
            .create(alias(&format!("a{i}"), &format!("p/t{i}")))
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
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 5);
    let all: Vec<_> = client.aliases().list_all().try_collect().await.unwrap();
    assert_eq!(all.len(), 5);
}

#[tokio::test]
async fn shared_alias_is_listed_under_shared() {
    let (_sb, client) = common::start().await;
    client
        .aliases()
        .create(alias("mine", "p/one"))
        .await
        .unwrap();
    let shared = client
        .aliases()
        .create_shared(alias("team", "p/two"))
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
        .create(alias("dup", "p/one"))
        .await
        .unwrap();
    let err = client
        .aliases()
        .create(alias("dup", "p/one"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(409));
}

#[tokio::test]
async fn switching_an_alias_on_demotes_its_routing_sibling() {
    let (_sb, client) = common::start().await;
    let first = client.aliases().create(alias("sw", "p/one")).await.unwrap();
    let second = client
        .aliases()
        .create(alias("sw", "p/two").is_routing(false))
        .await
        .unwrap();
    assert!(!second.is_routing);

    let switched = client
        .aliases()
        .switch_routing(second.id, true)
        .send()
        .await
        .unwrap();
    assert_eq!(switched.alias.id, second.id);
    assert!(switched.alias.is_routing);
    assert_eq!(switched.demoted_alias_id, Some(first.id));
    assert!(!client.aliases().get(first.id).await.unwrap().is_routing);

    let off = client
        .aliases()
        .switch_routing(second.id, false)
        .send()
        .await
        .unwrap();
    assert!(!off.alias.is_routing);
    assert_eq!(off.demoted_alias_id, None);
}

#[tokio::test]
async fn switch_by_name_narrowed_by_target() {
    let (_sb, client) = common::start().await;
    let first = client.aliases().create(alias("nm", "p/one")).await.unwrap();
    let second = client
        .aliases()
        .create(alias("nm", "p/two").is_routing(false))
        .await
        .unwrap();
    let switched = client
        .aliases()
        .switch_routing("nm", true)
        .target("p/two")
        .send()
        .await
        .unwrap();
    assert_eq!(switched.alias.id, second.id);
    assert_eq!(switched.demoted_alias_id, Some(first.id));

    let err = client
        .aliases()
        .switch_routing("nm", true)
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
        .switch_routing("  ", true)
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
async fn incomplete_create_builder_is_invalid_input() {
    let (_sb, client) = common::start().await;
    let err = client
        .aliases()
        .create(builder::ServiceAliasCreate::default().name("no-target"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
}

#[tokio::test]
async fn anonymous_client_fails_authentication_before_sending() {
    let (sb, _client) = common::start().await;
    let anon = common::anonymous(&sb);
    let err = anon.aliases().list().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert_eq!(err.status(), None, "no request was made");
    let err = anon.aliases().create(alias("x", "p/y")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
}

#[tokio::test]
async fn another_customers_alias_is_not_found() {
    let (sb, client) = common::start().await;
    let mine = client
        .aliases()
        .create(alias("private", "p/x"))
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
