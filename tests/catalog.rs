//! Groups and services over HTTP against the sandbox, with and without an API key.

mod common;

use common::recorder;
use futures::TryStreamExt;
use serde_json::json;
use std::collections::HashSet;
use unitysvc::groups::Owner;
use unitysvc::ErrorKind;
use unitysvc_sandbox::catalog;

#[tokio::test]
async fn groups_are_listed_and_fetched_by_name() {
    let (_sb, client) = common::start().await;
    let groups = client.groups().list().send().await.unwrap();
    let names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
    for expected in catalog::GROUPS {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    let llm = client.groups().get("llm").await.unwrap();
    assert_eq!(llm.name, "llm");
    assert!(llm.interface.is_some(), "llm has a group-level interface");
    let refreshed = groups
        .iter()
        .find(|g| g.name == "llm")
        .unwrap()
        .refresh()
        .await
        .unwrap();
    assert_eq!(refreshed.id, llm.id);
}

#[tokio::test]
async fn name_filter_is_applied_client_side() {
    let (_sb, client) = common::start().await;
    let groups = client
        .groups()
        .list()
        .owner(Owner::System)
        .name("emb")
        .send()
        .await
        .unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].name, "embeddings");
}

#[tokio::test]
async fn unknown_group_is_not_found() {
    let (_sb, client) = common::start().await;
    let err = client.groups().get("no-such-group").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn cursor_paging_walks_every_service_once() {
    let (_sb, client) = common::start().await;
    let mut seen = HashSet::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut request = client.groups().services("llm");
        if let Some(cursor) = cursor.take() {
            request = request.cursor(cursor);
        }
        let page = request.send().await.unwrap();
        pages += 1;
        for s in &page.items {
            assert!(seen.insert(s.id), "service {} returned twice", s.id);
        }
        if !page.has_more {
            break;
        }
        cursor = page.next_cursor.clone();
    }
    assert_eq!(seen.len(), catalog::LLM_SERVICE_COUNT);
    assert_eq!(pages, catalog::LLM_SERVICE_COUNT.div_ceil(50));

    let streamed: Vec<_> = client
        .groups()
        .services("llm")
        .limit(200)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let streamed_ids: HashSet<_> = streamed.iter().map(|s| s.id).collect();
    assert_eq!(streamed_ids, seen);
}

#[tokio::test]
async fn search_narrows_group_services() {
    let (_sb, client) = common::start().await;
    let page = client
        .groups()
        .services("llm")
        .limit(200)
        .search(catalog::SIMPLE_SERVICE)
        .send()
        .await
        .unwrap();
    assert!(page.items.iter().any(|s| s.name == catalog::SIMPLE_SERVICE));
    assert!(page.items.len() < catalog::LLM_SERVICE_COUNT);
}

#[tokio::test]
async fn limit_out_of_range_is_rejected_before_sending() {
    let client = unitysvc::Client::builder()
        .base_url("http://127.0.0.1:9/v1")
        .ignore_env()
        .build()
        .unwrap();
    for limit in [0, 201] {
        let err = client
            .groups()
            .services("llm")
            .limit(limit)
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    }
}

#[tokio::test]
async fn anonymous_client_browses_the_catalog() {
    let (sb, _) = common::start().await;
    let anon = common::anonymous(&sb);
    assert!(!anon.groups().list().send().await.unwrap().is_empty());
    let page = anon
        .groups()
        .services("llm")
        .limit(10)
        .send()
        .await
        .unwrap();
    let first = &page.items[0];
    let detail = anon.services().get(first.id).await.unwrap();
    assert_eq!(detail.name, first.name);
    anon.services().documents(first.id).await.unwrap();
    anon.services().usage(first.id).await.unwrap();
}

#[tokio::test]
async fn anonymous_client_fails_auth_calls_before_sending() {
    // Port 9 (discard) is not listening: a request would fail with a connection error.
    let anon = unitysvc::Client::builder()
        .base_url("http://127.0.0.1:9/v1")
        .ignore_env()
        .build()
        .unwrap();
    let err = anon.secrets().list().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    let err = anon.enrollments().list().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    let err = anon
        .services()
        .interfaces(catalog::service_id("x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
}

#[tokio::test]
async fn service_detail_documents_usage_and_interfaces() {
    let (_sb, client) = common::start().await;
    let id = catalog::service_id(catalog::TWO_INTERFACE_SERVICE);
    let service = client.services().get(id).await.unwrap();
    assert_eq!(service.name, catalog::TWO_INTERFACE_SERVICE);
    let interfaces = service.interfaces().send().await.unwrap();
    assert_eq!(interfaces.len(), 2, "{interfaces:?}");
    let docs = service.documents().await.unwrap();
    let doc = docs.documents.first().expect("seeded documents");
    client.services().document(id, doc.id).await.unwrap();
    service.usage().await.unwrap();
}

#[tokio::test]
async fn bad_uuid_string_is_invalid_input() {
    let (_sb, client) = common::start().await;
    let err = client.services().get("not-a-uuid").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("not-a-uuid"));
}

#[tokio::test]
async fn collections_are_created_updated_and_deleted() {
    let (_sb, client) = common::start().await;
    let groups = client.groups();
    let created = groups
        .create("my-picks")
        .display_name("My picks")
        .send()
        .await
        .unwrap();
    assert_eq!(created.name, "my-picks");

    let err = groups.create("my-picks").send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);

    let updated = groups
        .update(created.id)
        .description("favourites")
        .send()
        .await
        .unwrap();
    assert_eq!(updated.description.as_deref(), Some("favourites"));
    // Only the field passed changes.
    assert_eq!(updated.display_name.as_deref(), Some("My picks"));

    let svc = catalog::service_id(catalog::SIMPLE_SERVICE);
    let member = groups
        .add_member(created.id, svc)
        .routing_key(json!({"tier": "gold"}))
        .sort_order(3)
        .send()
        .await
        .unwrap();
    assert_eq!(
        member.routing_key,
        json!({"tier": "gold"}).as_object().cloned()
    );
    assert_eq!(member.sort_order, 3);
    let members = created.members().send().await.unwrap();
    assert_eq!(members.len(), 1);
    let membership = client.services().groups(svc).await.unwrap();
    assert!(membership
        .groups
        .iter()
        .any(|g| g.id == Some(created.id) && g.member));
    client
        .services()
        .set_groups(svc, Vec::<uuid::Uuid>::new())
        .await
        .unwrap();
    assert!(groups.members(created.id).send().await.unwrap().is_empty());
    groups.add_member(created.id, svc).send().await.unwrap();
    groups.remove_member(created.id, svc).await.unwrap();

    let own = groups.list().owner(Owner::Own).send().await.unwrap();
    assert_eq!(own.len(), 1);
    groups.delete(created.id).await.unwrap();
    assert!(groups
        .list()
        .owner(Owner::Own)
        .send()
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn group_services_send_the_platform_defaults_and_the_options_set() {
    let (_sb, recorder, client) = recorder::sandbox().await;
    let first = client.groups().services("llm").send().await.unwrap();
    assert_eq!(first.items.len(), 50, "the platform's default page size");
    let cursor = first.next_cursor.clone().unwrap();
    client
        .groups()
        .services("llm")
        .limit(20)
        .cursor(cursor.as_str())
        .search("a")
        .send()
        .await
        .unwrap();
    let group = client.groups().get("llm").await.unwrap();
    let bound = group.services().limit(5).send().await.unwrap();
    assert_eq!(bound.items.len(), 5);

    let targets: Vec<_> = recorder.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(targets[0], "/v1/groups/llm/services?limit=50");
    assert!(targets[1].contains("limit=20"), "{}", targets[1]);
    assert!(targets[1].contains("search=a"), "{}", targets[1]);
    assert!(targets[1].contains("cursor="), "{}", targets[1]);
    assert!(targets[3].contains("limit=5"), "{}", targets[3]);
}

#[tokio::test]
async fn routing_key_that_is_not_an_object_is_rejected_before_sending() {
    let (_sb, recorder, client) = recorder::sandbox().await;
    let id = uuid::Uuid::new_v4();
    let err = client
        .groups()
        .add_member(id, id)
        .routing_key(vec!["gpt-4"])
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let err = client
        .groups()
        .add_member("not-a-uuid", id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert!(recorder.requests().is_empty());
}
