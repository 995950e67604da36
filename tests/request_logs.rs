//! The request log against the sandbox: capture switches, listing filters and details.

mod common;

use chrono::{Duration, Utc};
use futures::TryStreamExt;
use unitysvc::{ErrorKind, LoggingMode};

#[tokio::test]
async fn rows_appear_for_gateway_calls_only_while_logging_is_on() {
    let (sb, client) = common::start().await;
    let svc = common::service_id(common::SIMPLE_SERVICE);
    let logs = client.request_logs();

    assert_eq!(common::gateway_echo(&sb, &svc).await, 200);
    assert!(
        logs.list().send().await.unwrap().items.is_empty(),
        "logging is off by default"
    );

    assert!(logs.start(LoggingMode::Truncated).await.unwrap().enabled);
    for _ in 0..3 {
        assert_eq!(common::gateway_echo(&sb, &svc).await, 200);
    }
    let page = logs.list().send().await.unwrap();
    assert_eq!(page.total, Some(3));
    let row = &page.items[0];
    assert_eq!(row.service_id.as_deref(), Some(svc.as_str()));
    assert_eq!(row.user_request_method, "POST");
    assert_eq!(row.upstream_response_status_code, Some(200));

    assert!(!logs.stop().await.unwrap().enabled);
    assert_eq!(common::gateway_echo(&sb, &svc).await, 200);
    assert_eq!(
        logs.list().send().await.unwrap().total,
        Some(3),
        "rows stay, none added"
    );
}

#[tokio::test]
async fn detail_carries_the_request_and_response() {
    let (sb, client) = common::start().await;
    let svc = common::service_id(common::SIMPLE_SERVICE);
    let logs = client.request_logs();
    logs.start(LoggingMode::Complete).await.unwrap();
    common::gateway_echo(&sb, &svc).await;
    let row = logs.list().send().await.unwrap().items.remove(0);
    let detail = logs.get(row.log_id.as_str()).await.unwrap();
    assert_eq!(detail.log_id, row.log_id);
    assert_eq!(detail.user_request.method.as_str(), "POST");
    let upstream = detail.upstream_response.expect("upstream response");
    assert_eq!(upstream.status_code, 200);
    assert_eq!(
        upstream.body.as_ref().unwrap()["body"]["hello"],
        "world",
        "complete mode keeps the body"
    );

    // Starting again with the preference kept is accepted and leaves logging on.
    assert!(
        logs.start(LoggingMode::KeepPreference)
            .await
            .unwrap()
            .enabled
    );
}

#[tokio::test]
async fn list_filters_narrow_the_rows() {
    let (sb, client) = common::start().await;
    let svc = common::service_id(common::SIMPLE_SERVICE);
    let logs = client.request_logs();
    logs.start(LoggingMode::Truncated).await.unwrap();
    common::gateway_echo(&sb, &svc).await;
    let http = common::http();
    let failed = http
        .get(format!("{}/p/{svc}/status/503", sb.gateway_url()))
        .bearer_auth(sb.api_key())
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status().as_u16(), 503);

    let errors = logs.list().status_min(500).send().await.unwrap();
    assert_eq!(errors.items.len(), 1);
    assert_eq!(errors.items[0].upstream_response_status_code, Some(503));
    let ok = logs
        .list()
        .status_min(200)
        .status_max(299)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.items.len(), 1);

    let by_service = logs.list().service_id(svc.as_str()).send().await.unwrap();
    assert_eq!(by_service.items.len(), 2);
    let other = logs
        .list()
        .service_id(uuid::Uuid::new_v4())
        .send()
        .await
        .unwrap();
    assert!(other.items.is_empty());
    let no_enrollment = logs
        .list()
        .service_enrollment_id(uuid::Uuid::new_v4())
        .send()
        .await
        .unwrap();
    assert!(no_enrollment.items.is_empty());
    let no_recurrent = logs
        .list()
        .recurrent_request_id(uuid::Uuid::new_v4())
        .send()
        .await
        .unwrap();
    assert!(no_recurrent.items.is_empty());

    let by_path = logs
        .list()
        .user_request_path(format!("/p/{svc}/status"))
        .send()
        .await
        .unwrap();
    assert_eq!(by_path.items.len(), 1);

    let future = logs
        .list()
        .start_time(Utc::now() + Duration::hours(1))
        .end_time(Utc::now() + Duration::hours(2))
        .send()
        .await
        .unwrap();
    assert!(future.items.is_empty());
    let recent = logs
        .list()
        .start_time(Utc::now() - Duration::hours(1))
        .end_time(Utc::now() + Duration::minutes(1))
        .gateway_source("apisix")
        .send()
        .await
        .unwrap();
    assert_eq!(recent.items.len(), 2);

    let gateway_errors = logs
        .list()
        .error_source(errors.items[0].error_source.clone().unwrap_or_default())
        .error_type(errors.items[0].error_type.clone().unwrap_or_default())
        .send()
        .await
        .unwrap();
    assert_eq!(gateway_errors.items.len(), 1);
}

#[tokio::test]
async fn stream_walks_every_page() {
    let (sb, client) = common::start().await;
    let svc = common::service_id(common::SIMPLE_SERVICE);
    client
        .request_logs()
        .start(LoggingMode::Truncated)
        .await
        .unwrap();
    for _ in 0..5 {
        common::gateway_echo(&sb, &svc).await;
    }
    let page = client.request_logs().list().limit(2).send().await.unwrap();
    assert_eq!(page.items.len(), 2);
    assert!(page.has_more());
    let rows: Vec<_> = client
        .request_logs()
        .list()
        .limit(2)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), 5);
}

#[tokio::test]
async fn out_of_range_arguments_are_rejected_before_sending() {
    let (sb, _client) = common::start().await;
    let anon = common::anonymous(&sb);
    let logs = anon.request_logs();
    for limit in [0, 201] {
        let err = logs.list().limit(limit).send().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "limit {limit}");
    }
    let err = logs.list().status_min(99).send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("status_min"), "{err}");
    let err = logs.list().status_max(600).send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = logs
        .list()
        .status_min(500)
        .status_max(400)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let now = Utc::now();
    let err = logs
        .list()
        .start_time(now)
        .end_time(now - Duration::hours(1))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = logs.list().service_id("bad").send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = logs.get("bad").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[tokio::test]
async fn unknown_log_is_not_found() {
    let (_sb, client) = common::start().await;
    let err = client
        .request_logs()
        .get(uuid::Uuid::new_v4())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn anonymous_client_fails_authentication_before_sending() {
    let (sb, _client) = common::start().await;
    let anon = common::anonymous(&sb);
    let err = anon
        .request_logs()
        .start(LoggingMode::Truncated)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert_eq!(err.status(), None);
    let err = anon.request_logs().stop().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    let err = anon.request_logs().list().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
}
