//! Recurrent requests and their schedules against the sandbox.

mod common;

use futures::TryStreamExt;
use serde_json::json;
use std::time::Duration;
use unitysvc::open_enums::RecurrentRequestStatusEnum as Status;
use unitysvc::types::{builder, RecurrentRequestUpdate};
use unitysvc::{ErrorKind, Schedule};

fn request(path: &str) -> builder::RecurrentRequestCreate {
    builder::RecurrentRequestCreate::default()
        .request_path(path)
        .http_method("POST")
        .name(Some("nightly".try_into().unwrap()))
}

#[test]
fn schedules_serialize_as_the_platform_expects() {
    let every = Schedule::every(Duration::from_secs(90));
    assert_eq!(
        serde_json::to_value(&every).unwrap(),
        json!({"schedule_type": "interval", "interval_seconds": 90})
    );
    let cron = Schedule::cron("0 * * * *");
    assert_eq!(
        serde_json::to_value(&cron).unwrap(),
        json!({"schedule_type": "cron", "cron_expression": "0 * * * *", "timezone": "UTC"})
    );
    let paris = Schedule::cron("0 2 * * *").with_timezone("Europe/Paris");
    assert_eq!(paris.to_json()["timezone"], "Europe/Paris");
    assert_eq!(every.clone().with_timezone("Europe/Paris"), every);
}

#[test]
fn zero_intervals_and_empty_cron_expressions_are_invalid() {
    let zero = Schedule::every(Duration::from_millis(500))
        .validate()
        .unwrap_err();
    assert_eq!(zero.kind(), ErrorKind::InvalidInput);
    let empty = Schedule::cron("  ").validate().unwrap_err();
    assert_eq!(empty.kind(), ErrorKind::InvalidInput);
    assert!(Schedule::cron("*/5 * * * *").validate().is_ok());
}

#[tokio::test]
async fn created_request_is_a_draft_until_a_schedule_is_set() {
    let (_sb, client) = common::start().await;
    let svc = common::service_id(common::SIMPLE_SERVICE);
    let rr = client.recurrent_requests();
    let created = rr
        .create(request(&format!("p/{svc}/echo")).service_id(Some(svc.parse().unwrap())))
        .await
        .unwrap();
    assert_eq!(created.status, Status::Draft);
    assert!(created.schedule.is_none());

    let schedule = Schedule::cron("*/5 * * * *");
    let scheduled = rr.set_schedule(created.id, &schedule).await.unwrap();
    assert_eq!(Schedule::from_record(&scheduled), Some(schedule.clone()));
    let fetched = rr.get(created.id.to_string()).await.unwrap();
    assert_eq!(Schedule::from_record(&fetched), Some(schedule));

    let every = Schedule::every(Duration::from_secs(60));
    let rescheduled = rr.set_schedule(created.id, &every).await.unwrap();
    assert_eq!(
        rescheduled.schedule.unwrap(),
        every.to_json(),
        "the stored schedule is exactly what was sent"
    );
}

#[tokio::test]
async fn bad_schedule_is_rejected_before_sending() {
    let (sb, _client) = common::start().await;
    let anon = common::anonymous(&sb);
    let id = uuid::Uuid::new_v4();
    let err = anon
        .recurrent_requests()
        .set_schedule(id, &Schedule::Interval { seconds: 0 })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = anon
        .recurrent_requests()
        .set_schedule(id, &Schedule::cron(""))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[tokio::test]
async fn update_sends_only_the_fields_set() {
    let (_sb, client) = common::start().await;
    let rr = client.recurrent_requests();
    let created = rr
        .create(
            request("p/x/echo").body_template(Some(json!({"a": 1}).as_object().unwrap().clone())),
        )
        .await
        .unwrap();
    let body = RecurrentRequestUpdate {
        name: Some("renamed".into()),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({"name": "renamed"})
    );
    let updated = rr.update(created.id, body).await.unwrap();
    assert_eq!(updated.name.as_deref(), Some("renamed"));
    assert_eq!(
        updated.body_template, created.body_template,
        "untouched fields stay"
    );
    assert_eq!(updated.request_path, "p/x/echo");

    let paused = rr
        .update(
            created.id,
            RecurrentRequestUpdate::builder().status(Some(Status::Paused)),
        )
        .await
        .unwrap();
    assert_eq!(paused.status, Status::Paused);
}

#[tokio::test]
async fn list_filters_by_status_and_service_and_streams() {
    let (_sb, client) = common::start().await;
    let svc = common::service_id(common::SIMPLE_SERVICE);
    let rr = client.recurrent_requests();
    let mut ids = Vec::new();
    for i in 0..3 {
        let mut body = request(&format!("p/{svc}/echo/{i}"));
        if i == 0 {
            body = body.service_id(Some(svc.parse().unwrap()));
        }
        ids.push(rr.create(body).await.unwrap().id);
    }
    rr.set_schedule(ids[1], &Schedule::every(Duration::from_secs(30)))
        .await
        .unwrap();

    let drafts = rr.list().status(Status::Draft).send().await.unwrap();
    assert_eq!(drafts.total, Some(2));
    let active = rr.list().status("active").send().await.unwrap();
    assert_eq!(
        active.items.iter().map(|r| r.id).collect::<Vec<_>>(),
        [ids[1]]
    );
    let by_service = rr.list().service_id(svc.as_str()).send().await.unwrap();
    assert_eq!(by_service.items.len(), 1);
    assert_eq!(by_service.items[0].id, ids[0]);
    let none = rr
        .list()
        .enrollment_id(uuid::Uuid::new_v4())
        .send()
        .await
        .unwrap();
    assert!(none.items.is_empty());

    let all: Vec<_> = rr
        .list()
        .limit(1)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    let all: Vec<_> = rr.list_all().try_collect().await.unwrap();
    assert_eq!(all.len(), 3);
}

#[tokio::test]
async fn list_rejects_out_of_range_limits_and_bad_ids_before_sending() {
    let (sb, _client) = common::start().await;
    let anon = common::anonymous(&sb);
    for limit in [0, 1001] {
        let err = anon
            .recurrent_requests()
            .list()
            .limit(limit)
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "limit {limit}");
        assert!(err.to_string().contains("limit"), "{err}");
    }
    let err = anon
        .recurrent_requests()
        .list()
        .service_id("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = anon.recurrent_requests().get("nope").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[tokio::test]
async fn trigger_fires_once_through_the_gateway() {
    let (_sb, client) = common::start().await;
    let svc = common::service_id(common::SIMPLE_SERVICE);
    let rr = client.recurrent_requests();
    let created = rr.create(request(&format!("p/{svc}/echo"))).await.unwrap();
    let run = rr.trigger(created.id).await.unwrap();
    assert_eq!(run["triggered"], true, "{run}");
    assert_eq!(run["status_code"], 200, "{run}");
    let after = rr.get(created.id).await.unwrap();
    assert_eq!(after.state.unwrap()["run_count"], 1);
}

#[tokio::test]
async fn delete_removes_the_request() {
    let (_sb, client) = common::start().await;
    let rr = client.recurrent_requests();
    let created = rr.create(request("p/x/echo")).await.unwrap();
    rr.delete(created.id).await.unwrap();
    let err = rr.get(created.id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let err = rr.delete(created.id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn anonymous_client_fails_authentication_before_sending() {
    let (sb, _client) = common::start().await;
    let anon = common::anonymous(&sb);
    let err = anon.recurrent_requests().list().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    let err = anon
        .recurrent_requests()
        .trigger(uuid::Uuid::new_v4())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
}

#[tokio::test]
async fn server_rejected_schedule_is_a_validation_error() {
    let (_sb, client) = common::start().await;
    let rr = client.recurrent_requests();
    let created = rr.create(request("p/x/echo")).await.unwrap();
    let err = rr
        .set_schedule(created.id, &Schedule::cron("not cron"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation, "{err}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422));
    assert!(
        err.to_string().contains("schedule"),
        "the detail names the field: {err}"
    );
}
