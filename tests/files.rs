//! Account files against the sandbox's fake object store.

mod common;

use futures::TryStreamExt;
use std::time::Duration;
use unitysvc::open_enums::Scope;
use unitysvc::types::builder;
use unitysvc::ErrorKind;

#[tokio::test]
async fn upload_bytes_then_download_round_trips() {
    let (_sb, client) = common::start().await;
    let files = client.files();
    let key = files
        .upload_bytes("reports/2026/q1.csv", &b"a,b\n1,2\n"[..], "text/csv")
        .await
        .unwrap();
    assert_eq!(key, "reports/2026/q1.csv");
    let bytes = files.download_bytes(&key).await.unwrap();
    assert_eq!(&bytes[..], b"a,b\n1,2\n");
}

#[tokio::test]
async fn upload_returns_a_presigned_form() {
    let (_sb, client) = common::start().await;
    let ticket = client
        .files()
        .upload(
            builder::AccountFileUploadRequest::default()
                .filename("notes.txt")
                .size(5)
                .path("docs")
                .content_type(Some("text/plain".into())),
        )
        .await
        .unwrap();
    assert_eq!(ticket.key, "docs/notes.txt");
    assert_eq!(ticket.scope, Scope::Personal);
    assert!(ticket.url.starts_with("http"), "{}", ticket.url);
    assert!(!ticket.fields.is_empty());
    assert!(ticket.max_bytes >= 5);
}

#[tokio::test]
async fn list_shows_objects_and_prefixes_and_streams_pages() {
    let (_sb, client) = common::start().await;
    let files = client.files();
    for name in ["a.txt", "b.txt", "c.txt", "sub/d.txt"] {
        files
            .upload_bytes(
                &format!("dir/{name}"),
                name.as_bytes().to_vec(),
                "text/plain",
            )
            .await
            .unwrap();
    }
    let page = files.list().path("dir/").send().await.unwrap();
    let keys: Vec<_> = page.items.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(keys, ["dir/a.txt", "dir/b.txt", "dir/c.txt"]);
    assert_eq!(page.common_prefixes, ["dir/sub/"]);
    assert!(!page.has_more);

    let first = files.list().path("dir/").max_keys(2).send().await.unwrap();
    assert!(first.has_more);
    let token = first.next_cursor.clone().expect("continuation token");
    let rest = files
        .list()
        .path("dir/")
        .max_keys(2)
        .continuation_token(token)
        .send()
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 1);

    let all: Vec<_> = files
        .list()
        .path("dir/")
        .max_keys(1)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    let shared = files.list().scope(Scope::Shared).send().await.unwrap();
    assert!(shared.items.is_empty());
}

#[tokio::test]
async fn download_url_honours_scope_and_lifetime() {
    let (_sb, client) = common::start().await;
    let files = client.files();
    files
        .upload_bytes("x.bin", vec![1u8, 2, 3], "application/octet-stream")
        .await
        .unwrap();
    let link = files
        .download_url("x.bin")
        .expires_in(Duration::from_secs(120))
        .send()
        .await
        .unwrap();
    assert_eq!(link.expires_in, 120);
    assert_eq!(link.key, "x.bin");
    let err = files
        .download_url("x.bin")
        .scope(Scope::Shared)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn missing_file_is_not_found() {
    let (_sb, client) = common::start().await;
    let err = client.files().download_bytes("nope.txt").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn out_of_range_arguments_are_rejected_before_sending() {
    let (sb, _client) = common::start().await;
    let anon = common::anonymous(&sb);
    let files = anon.files();
    for max_keys in [0, 1001] {
        let err = files.list().max_keys(max_keys).send().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "max_keys {max_keys}");
    }
    for secs in [59, 3601] {
        let err = files
            .download_url("k")
            .expires_in(Duration::from_secs(secs))
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "expires_in {secs}");
    }
    let err = files.download_url("").send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = files
        .upload_bytes("dir/", vec![1u8], "text/plain")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = files
        .upload(
            builder::AccountFileUploadRequest::default()
                .filename("a")
                .size(-1),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[tokio::test]
async fn anonymous_client_fails_authentication_before_sending() {
    let (sb, _client) = common::start().await;
    let anon = common::anonymous(&sb);
    let err = anon.files().list().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    let err = anon
        .files()
        .upload_bytes("a.txt", vec![1u8], "text/plain")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert_eq!(err.status(), None);
}

#[tokio::test]
async fn bad_content_type_is_rejected_before_any_request() {
    // Port 9 is not listening: anything sent would be a connection error instead.
    let client = unitysvc::Client::builder()
        .base_url("http://127.0.0.1:9/v1")
        .api_key("svcpass_x")
        .ignore_env()
        .build()
        .unwrap();
    let err = client
        .files()
        .upload_bytes("a/b.txt", &b"x"[..], "not a mime type")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), unitysvc::ErrorKind::InvalidInput, "{err}");
}
