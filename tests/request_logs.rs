//! The request log against the sandbox: capture switches, listing filters and details.

mod common;

use chrono::{Duration, Utc};
use common::recorder::Recorder;
use futures::TryStreamExt;
use serde_json::json;
use std::error::Error as _;
use unitysvc::request_logs::RequestLogDetail;
use unitysvc::types::CustomerGetRequestLogResponse as GeneratedDetail;
use unitysvc::{ErrorKind, LoggingMode};

/// A detail body both shapes accept, with the operator-only fields added when asked.
fn detail_body(operator: bool) -> serde_json::Value {
    let mut body = json!({
        "log_id": "log-1",
        "event_id": "evt-1",
        "event_timestamp": "2026-01-01T00:00:00Z",
        "gateway_source": "apisix",
        "customer_id": "cust-1",
        "user_id": "user-1",
        "service_id": "svc-1",
        "user_request": {"method": "POST", "path": "/p/svc-1/echo", "content_type": "application/json"},
        "upstream_response": {"status_code": 200, "body": {"ok": true}}
    });
    if operator {
        body["gateway_request"] = json!({
            "method": "POST",
            "url": "https://upstream.example/v1/echo",
            "headers": {"x-forwarded-for": "10.0.0.1"}
        });
    }
    body
}

/// Reads a log detail from a loopback server that answers `status` and `body`.
async fn get_detail(status: u16, body: impl Into<String>) -> unitysvc::Result<RequestLogDetail> {
    let server = Recorder::answering(status, body).await;
    server
        .client("svcpass_test")
        .request_logs()
        .get(uuid::Uuid::new_v4())
        .await
}

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

    assert!(
        logs.start()
            .mode(LoggingMode::Truncated)
            .await
            .unwrap()
            .enabled
    );
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
    logs.start().mode(LoggingMode::Complete).await.unwrap();
    common::gateway_echo(&sb, &svc).await;
    let row = logs.list().send().await.unwrap().items.remove(0);
    let detail = logs.get(row.log_id.as_str()).await.unwrap();
    assert!(
        matches!(detail, RequestLogDetail::Customer(_)),
        "{detail:?}"
    );
    assert_eq!(detail.log_id(), row.log_id);
    assert_eq!(detail.user_request().method.as_str(), "POST");
    assert!(detail.gateway_request().is_none());
    let upstream = detail.upstream_response().expect("upstream response");
    assert_eq!(upstream.status_code, 200);
    assert_eq!(
        upstream.body.as_ref().unwrap()["body"]["hello"],
        "world",
        "complete mode keeps the body"
    );

    // Starting again with the preference kept is accepted and leaves logging on.
    assert!(
        logs.start()
            .mode(LoggingMode::KeepPreference)
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
    logs.start().mode(LoggingMode::Truncated).await.unwrap();
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
        .start()
        .mode(LoggingMode::Truncated)
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
        .stream()
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
        .start()
        .mode(LoggingMode::Truncated)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert_eq!(err.status(), None);
    let err = anon.request_logs().stop().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    let err = anon.request_logs().list().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
}

#[tokio::test]
async fn operator_detail_keeps_the_forwarded_request() {
    let server = Recorder::answering(200, detail_body(true).to_string()).await;
    let client = server.client("svcpass_test");
    let id = uuid::Uuid::new_v4();
    let detail = client.request_logs().get(id).await.unwrap();
    assert!(detail.is_operator());
    let forwarded = detail.gateway_request().expect("gateway_request kept");
    assert_eq!(forwarded.url, "https://upstream.example/v1/echo");
    assert_eq!(detail.log_id(), "log-1");
    assert_eq!(detail.user_request().path, "/p/svc-1/echo");
    assert_eq!(detail.upstream_response().unwrap().status_code, 200);
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].target, format!("/v1/request-logs/{id}"));
}

#[tokio::test]
async fn customer_detail_is_read_as_the_customer_shape() {
    let detail = get_detail(200, detail_body(false).to_string())
        .await
        .unwrap();
    match &detail {
        RequestLogDetail::Customer(inner) => assert_eq!(inner.service_id.as_deref(), Some("svc-1")),
        other => panic!("expected the customer shape, got {other:?}"),
    }
    assert_eq!(detail.service_id(), Some("svc-1"));
}

#[tokio::test]
async fn malformed_detail_is_a_decode_error_with_serdes_reason() {
    for (operator, missing) in [(false, "user_request"), (true, "log_id")] {
        let mut body = detail_body(operator);
        body.as_object_mut().unwrap().remove(missing);
        let err = get_detail(200, body.to_string()).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
        assert!(
            err.to_string()
                .contains(&format!("missing field `{missing}`")),
            "the message carries serde's reason: {err}"
        );
        let source = err.source().expect("the serde error is the source");
        assert!(source.to_string().contains(missing), "{source}");
        assert_eq!(err.body(), Some(body.to_string().as_bytes()));
    }
    let err = get_detail(200, "{not json").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    assert!(err.source().is_some());
}

#[tokio::test]
async fn detail_errors_keep_their_status() {
    let err = get_detail(404, r#"{"detail": "Request log not found"}"#)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(
        err.to_string(),
        "request_logs.get: HTTP 404 Not Found: Request log not found"
    );
}

#[tokio::test]
async fn low_level_detail_from_the_sandbox_is_the_customer_shape() {
    let (sb, client) = common::start().await;
    let svc = common::service_id(common::SIMPLE_SERVICE);
    client
        .request_logs()
        .start()
        .mode(LoggingMode::Complete)
        .await
        .unwrap();
    common::gateway_echo(&sb, &svc).await;
    let row = client
        .request_logs()
        .list()
        .send()
        .await
        .unwrap()
        .items
        .remove(0);
    let id: uuid::Uuid = row.log_id.parse().unwrap();
    let detail = client
        .low_level()
        .customer_get_request_log()
        .log_id(id)
        .send()
        .await
        .unwrap()
        .into_inner();
    match detail {
        GeneratedDetail::RequestLogDetail(d) => {
            assert_eq!(d.log_id, row.log_id);
            assert_eq!(d.service_id.as_deref(), Some(svc.as_str()));
            assert_eq!(d.user_request.method, "POST");
            assert_eq!(d.upstream_response.unwrap().status_code, 200);
        }
        other => panic!("expected the customer shape, got {other:?}"),
    }
}

#[tokio::test]
async fn low_level_detail_keeps_the_operator_fields() {
    let server = Recorder::answering(200, detail_body(true).to_string()).await;
    let client = server.client("svcpass_test");
    let id = uuid::Uuid::new_v4();
    let detail = client
        .low_level()
        .customer_get_request_log()
        .log_id(id)
        .send()
        .await
        .unwrap()
        .into_inner();
    let GeneratedDetail::OpsCustomerRequestLogDetail(ops) = detail else {
        panic!("expected the operator shape, got {detail:?}");
    };
    let forwarded = ops.gateway_request.expect("gateway_request kept");
    assert_eq!(forwarded.method, "POST");
    assert_eq!(forwarded.url, "https://upstream.example/v1/echo");
    assert_eq!(forwarded.headers.unwrap()["x-forwarded-for"], "10.0.0.1");
    assert_eq!(ops.log_id, "log-1");
    assert_eq!(ops.user_request.path, "/p/svc-1/echo");
    assert_eq!(
        server.requests()[0].target,
        format!("/v1/request-logs/{id}")
    );
}

#[test]
fn the_generated_detail_type_picks_the_shape_by_the_fields_the_body_carries() {
    let decode = |body: serde_json::Value| serde_json::from_value::<GeneratedDetail>(body);

    let GeneratedDetail::OpsCustomerRequestLogDetail(ops) = decode(detail_body(true)).unwrap()
    else {
        panic!("the operator fields pick the operator shape");
    };
    assert_eq!(
        ops.gateway_request.unwrap().url,
        "https://upstream.example/v1/echo"
    );
    assert_eq!(ops.service_id.as_deref(), Some("svc-1"));

    let GeneratedDetail::RequestLogDetail(customer) = decode(detail_body(false)).unwrap() else {
        panic!("the shared fields alone pick the customer shape");
    };
    assert_eq!(customer.upstream_response.unwrap().status_code, 200);

    // An operator field sent as null still says which shape the platform chose.
    let mut null_forward = detail_body(false);
    null_forward["gateway_request"] = serde_json::Value::Null;
    let decoded = decode(null_forward).unwrap();
    assert!(
        matches!(&decoded, GeneratedDetail::OpsCustomerRequestLogDetail(o) if o.gateway_request.is_none()),
        "{decoded:?}"
    );

    // A field neither shape documents yet does not change the choice.
    let mut future = detail_body(false);
    future["field_from_the_future"] = json!(1);
    assert!(matches!(
        decode(future).unwrap(),
        GeneratedDetail::RequestLogDetail(_)
    ));

    // A body neither shape accepts fails with serde's reason for the shape it was meant as.
    for (operator, missing) in [(false, "user_request"), (true, "log_id")] {
        let mut body = detail_body(operator);
        body.as_object_mut().unwrap().remove(missing);
        let err = decode(body).unwrap_err();
        assert!(
            err.to_string()
                .contains(&format!("missing field `{missing}`")),
            "{err}"
        );
    }
}
